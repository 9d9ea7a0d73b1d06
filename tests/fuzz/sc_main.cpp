// libsystemc.so refers to sc_main; libFuzzer's main runs the targets, which never
// elaborate a simulation, so this is never called.
extern "C" int sc_main(int, char*[]) { return 1; }
