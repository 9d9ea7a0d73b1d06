// tlmx::Direct: atomic mode's call past the socket, taken only for the exact types named.
#include <catch2/catch.hpp>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/tlm/direct.h"
#include "models/tlm/fw_target.h"

using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

using Payload = tlm::tlm_generic_payload;

// A target like the models: its own forward interface, through a private base, with a
// private b_transport. It adds 1 ns and counts calls.
class Target : public sc_core::sc_module, private tlmx::FwTarget {
public:
    tlm::tlm_target_socket<> socket{"socket"};
    int calls = 0;
    explicit Target(sc_core::sc_module_name n) : sc_module(n) { socket.bind(*this); }

private:
    template <class...> friend class tlmx::Direct;
    tlm::tlm_sync_enum nb_transport_fw(Payload&, tlm::tlm_phase&, sc_time&) override {
        return tlm::TLM_COMPLETED;
    }
    void b_transport(Payload&, sc_time& delay) override {
        ++calls;
        delay += sc_time(1, SC_NS);
    }
};

// Derived from Target, with its own b_transport: a direct call to Target's would skip it.
class Derived : public Target {
public:
    int own_calls = 0;
    using Target::Target;

private:
    void b_transport(Payload&, sc_time& delay) override {
        ++own_calls;
        delay += sc_time(2, SC_NS);
    }
};

class Other : public sc_core::sc_module, public tlmx::FwTarget {
public:
    tlm::tlm_target_socket<> socket{"socket"};
    explicit Other(sc_core::sc_module_name n) : sc_module(n) { socket.bind(*this); }
    tlm::tlm_sync_enum nb_transport_fw(Payload&, tlm::tlm_phase&, sc_time&) override {
        return tlm::TLM_COMPLETED;
    }
    void b_transport(Payload&, sc_time&) override {}
};

struct Initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Initiator> socket{"socket"};
    tlmx::Direct<Other, Target> direct;
    explicit Initiator(sc_core::sc_module_name n) : sc_module(n) {}
    void end_of_elaboration() override { direct.resolve(socket); }
    sc_time call() {
        Payload gp;
        sc_time delay = sc_time(10, SC_NS);
        direct.b_transport(socket, gp, delay);
        return delay;
    }
};

}  // namespace

TEST_CASE("Direct calls a module of a named type past the socket, at its own address", "[tlm]") {
    Initiator init("init");
    Target target("target");
    init.socket.bind(target.socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // elaborates: end_of_elaboration resolves
    CHECK(init.direct.target<Target>() == &target);
    CHECK(init.direct.target<Other>() == nullptr);
    CHECK(init.call() == sc_time(11, SC_NS));
    CHECK(init.call() == sc_time(11, SC_NS));
    CHECK(target.calls == 2);
}

TEST_CASE("Direct calls a class derived from a named type through the socket", "[tlm]") {
    Initiator init("init");
    Derived target("target");
    init.socket.bind(target.socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    CHECK(init.direct.target<Target>() == nullptr);
    CHECK(init.call() == sc_time(12, SC_NS));  // Derived's b_transport, not Target's
    CHECK(target.own_calls == 1);
    CHECK(target.calls == 0);
}
