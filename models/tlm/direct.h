// Direct<T...>: atomic mode's b_transport to the next model without the socket's
// virtual hop, when the module bound to the socket is exactly one of the types T.
//
// Through the socket, each hop of a DMA (device, link, root complex, IOMMU, memory) is
// a virtual call: a thunk, a prologue and an epilogue, and a wall no inlining crosses.
// Naming the target's type lets link-time optimization and IOMMU_SIM_HOT_PATH inline
// one model's b_transport into the one before. Any other target (a test's stub, a
// class derived from T) is called through the socket, so the answer is the same.
// Timing mode keeps the sockets: its hops are kernel events anyway.
//
// A T declares `template <class...> friend class tlmx::Direct;` when its b_transport
// is private (a tlmx::FwTarget's usually is).
#pragma once

#include <tlm>
#include <tuple>
#include <typeinfo>

namespace tlmx {

template <class... T>
class Direct {
public:
    // After the sockets are bound (end_of_elaboration): which module `socket` reaches.
    template <class Socket>
    void resolve(Socket& socket) {
        tlm::tlm_fw_transport_if<>* fw = socket.operator->();
        // The most derived object: a T's FwTarget base may be private.
        void* object = dynamic_cast<void*>(fw);
        ((typeid(*fw) == typeid(T) ? void(std::get<T*>(t_) = static_cast<T*>(object))
                                   : void()),
         ...);
    }

    // The module calls reach directly when it is a U; nullptr otherwise.
    template <class U>
    U* target() const { return std::get<U*>(t_); }

    template <class Socket>
    void b_transport(Socket& socket, tlm::tlm_generic_payload& gp, sc_core::sc_time& d) const {
        call<0>(socket, gp, d);
    }

private:
    template <size_t I, class Socket>
    void call(Socket& socket, tlm::tlm_generic_payload& gp, sc_core::sc_time& d) const {
        if constexpr (I < sizeof...(T)) {
            using Target = std::tuple_element_t<I, std::tuple<T...>>;
            if (Target* t = std::get<I>(t_)) return t->Target::b_transport(gp, d);
            call<I + 1>(socket, gp, d);
        } else {
            socket->b_transport(gp, d);
        }
    }

    std::tuple<T*...> t_{};
};

}  // namespace tlmx
