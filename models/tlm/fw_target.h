// A module that is its own forward transport interface, bound to a plain
// tlm::tlm_target_socket: the initiator's call is one virtual call into the module.
// tlm_utils::simple_target_socket puts a dispatcher between them (a virtual thunk, a
// check of the registered callback, a member-pointer call: ~27 instructions a hop),
// which an atomic DMA paid at every hop.
//
// A module serves one mode (tlmx::Mode): nb_transport_fw in timing mode, b_transport
// in atomic mode; the other is never called by the platform's initiators. Like the
// simple socket's defaults, it offers neither DMI (denied for the whole address space)
// nor debug transport.
#pragma once

#include <tlm>

namespace tlmx {

class FwTarget : public tlm::tlm_fw_transport_if<> {
public:
    bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) override {
        dmi.allow_read_write();
        dmi.set_start_address(0);
        dmi.set_end_address(~sc_dt::uint64(0));
        return false;
    }
    unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
};

}  // namespace tlmx
