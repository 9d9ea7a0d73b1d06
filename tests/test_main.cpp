// Test entry point. libsystemc.so defines main(), so Catch2 runs from sc_main.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>

#include <systemc>

int sc_main(int argc, char* argv[]) {
    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    Catch::Session session;
    if (int rc = session.applyCommandLine(argc, argv)) return rc;
    // A filter that matches nothing (a test name ctest cut at ';') must fail, not pass.
    session.configData().warnings =
        Catch::WarnAbout::What(session.configData().warnings | Catch::WarnAbout::NoTests);
    return session.run();
}

// Quiet SystemC's banner: it is printed before sc_main runs.
int main(int argc, char* argv[]) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return sc_core::sc_elab_and_sim(argc, argv);
}
