// The SystemC kernel's own cost on this machine, for scripts/bench.sh to divide the
// simulator's figures by: one LT transaction under a quantum keeper, and one AT
// four-phase hop (BEGIN_REQ, END_REQ, BEGIN_RESP, END_RESP with a payload event queue on
// each side, as the TLM-2.0 AT examples build it). Nothing is modelled: an initiator and
// a target that only pass the payload back.
//
// And the host's own memory: N random 64 B reads from 256 MiB (the footprint of the
// benchmark's 64 MiB-window scenarios: four devices' windows), each address taken from
// the data read before, as a DMA's host address comes from its translation. A request
// to a random line of that much memory waits this long on any simulator.
//
// Usage: iommu-sim-floor lt|at|mem N   prints "lt|at|mem N ns_per_transaction" (host
// time of sc_start, or of the reads, only; N transactions or reads).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <sys/mman.h>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

namespace {

using sc_core::sc_time;
using sc_core::SC_NS;

// Target: LT answers at once with 10 ns of annotated delay; AT takes BEGIN_REQ into
// its PEQ, and 10 ns later sends END_REQ and BEGIN_RESP on the backward path.
struct Target : sc_core::sc_module {
    tlm_utils::simple_target_socket<Target> socket;
    tlm_utils::peq_with_get<tlm::tlm_generic_payload> peq{"peq"};
    SC_HAS_PROCESS(Target);
    explicit Target(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &Target::b_transport);
        socket.register_nb_transport_fw(this, &Target::nb_fw);
        SC_METHOD(respond);
        sensitive << peq.get_event();
        dont_initialize();
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_time& d) {
        d += sc_time(10, SC_NS);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    tlm::tlm_sync_enum nb_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_time& d) {
        if (ph == tlm::BEGIN_REQ) peq.notify(gp, d + sc_time(10, SC_NS));
        return tlm::TLM_ACCEPTED;  // END_RESP is accepted too
    }
    void respond() {
        while (tlm::tlm_generic_payload* gp = peq.get_next_transaction()) {
            tlm::tlm_phase ph = tlm::END_REQ;
            sc_time d = sc_core::SC_ZERO_TIME;
            socket->nb_transport_bw(*gp, ph, d);
            gp->set_response_status(tlm::TLM_OK_RESPONSE);
            ph = tlm::BEGIN_RESP;
            socket->nb_transport_bw(*gp, ph, d);
        }
    }
};

// Initiator: LT issues N b_transport calls from one thread under a quantum keeper; AT
// issues one request at a time and ends each response from its PEQ, 10 ns later.
struct Initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Initiator> socket;
    tlm_utils::peq_with_get<tlm::tlm_generic_payload> peq{"peq"};
    tlm::tlm_generic_payload gp;
    unsigned char data[64] = {};
    uint64_t left;
    bool lt;
    SC_HAS_PROCESS(Initiator);
    Initiator(sc_core::sc_module_name n, bool lt_mode, uint64_t count)
        : sc_module(n), socket("socket"), left(count), lt(lt_mode) {
        gp.set_data_ptr(data);
        gp.set_data_length(sizeof data);
        gp.set_streaming_width(sizeof data);
        gp.set_command(tlm::TLM_READ_COMMAND);
        socket.register_nb_transport_bw(this, &Initiator::nb_bw);
        if (lt) {
            SC_THREAD(run_lt);
        } else {
            SC_METHOD(run_at);
            sensitive << peq.get_event();
        }
    }
    void run_lt() {
        tlm_utils::tlm_quantumkeeper qk;
        qk.reset();
        for (; left; --left) {
            sc_time d = qk.get_local_time();
            socket->b_transport(gp, d);
            qk.set(d);
            if (qk.need_sync()) qk.sync();
        }
    }
    void send() {
        tlm::tlm_phase ph = tlm::BEGIN_REQ;
        sc_time d = sc_core::SC_ZERO_TIME;
        socket->nb_transport_fw(gp, ph, d);
    }
    // First activation sends the first request; later ones end a response.
    void run_at() {
        if (peq.get_next_transaction()) {
            tlm::tlm_phase ph = tlm::END_RESP;
            sc_time d = sc_core::SC_ZERO_TIME;
            socket->nb_transport_fw(gp, ph, d);
            if (--left == 0) return;
        }
        send();
    }
    tlm::tlm_sync_enum nb_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time& d) {
        if (ph == tlm::BEGIN_RESP) peq.notify(p, d + sc_time(10, SC_NS));
        return tlm::TLM_ACCEPTED;
    }
};

// N dependent random 64 B reads over 256 MiB, in 2 MiB-aligned memory with the huge-page
// hint SparseMemory gives its dense chunks, touched before the clock starts; returns ns
// per read.
double memory_floor(uint64_t n) {
    constexpr size_t kBytes = size_t(256) << 20, kAlign = size_t(2) << 20;
    std::unique_ptr<unsigned char, decltype(&std::free)> block(
        static_cast<unsigned char*>(std::aligned_alloc(kAlign, kBytes)), &std::free);
    unsigned char* mem = block.get();
#ifdef MADV_HUGEPAGE  // before the first touch, as SparseMemory does
    madvise(mem, kBytes, MADV_HUGEPAGE);
#endif
    uint64_t x = 0x9e3779b97f4a7c15ull;
    const auto random = [&x] {  // xorshift64
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        return x;
    };
    for (size_t i = 0; i < kBytes; i += 8) {  // every word random: the next address
        const uint64_t w = random();
        std::memcpy(mem + i, &w, 8);
    }
    // The address mixes the word read with a random stream of its own: a chain through
    // the data alone would soon close a short cycle that fits in the host's caches.
    unsigned char line[64];
    uint64_t at = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; ++i) {
        std::memcpy(line, mem + ((at ^ random()) % kBytes & ~uint64_t(63)), sizeof line);
        std::memcpy(&at, line + (i & 7) * 8, 8);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    volatile uint64_t sink = at;  // the chain's result is used
    (void)sink;
    return s * 1e9 / double(n);
}

}  // namespace

int sc_main(int argc, char** argv) {
    const bool ok = argc == 3 && (!std::strcmp(argv[1], "lt") || !std::strcmp(argv[1], "at") ||
                                  !std::strcmp(argv[1], "mem"));
    const uint64_t n = ok ? std::strtoull(argv[2], nullptr, 10) : 0;
    if (!n) {
        std::fprintf(stderr, "usage: iommu-sim-floor lt|at|mem N\n");
        return 2;
    }
    if (argv[1][0] == 'm') {
        std::printf("mem %llu %.2f\n", static_cast<unsigned long long>(n), memory_floor(n));
        return 0;
    }
    const bool lt = argv[1][0] == 'l';
    tlm::tlm_global_quantum::instance().set(sc_time(1, sc_core::SC_US));
    Initiator init("initiator", lt, n);
    Target target("target");
    init.socket.bind(target.socket);
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s %llu %.2f\n", argv[1], static_cast<unsigned long long>(n), s * 1e9 / double(n));
    return 0;
}
