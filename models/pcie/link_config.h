// The PCIe link as a bandwidth calculator: line encoding per generation, data-link
// overhead (Ack and UpdateFC DLLPs, SKIP ordered sets), per-TLP framing and header
// bytes, and how a DMA is cut into TLPs by MPS, MRRS and the read completion boundary.
// The same accounting as the pcie-bench analytic model (Neugebauer et al., SIGCOMM
// 2018), from the PCIe Base Specification.
#pragma once

#include <cstdint>
#include <string>

namespace sim { class ParamBinder; }

namespace pcie {

struct LinkParams {
    uint32_t gen = 3;             // 1..6
    uint32_t width = 8;           // lanes: 1, 2, 4, 8, 16
    uint32_t mps = 256;           // Max_Payload_Size, bytes
    uint32_t mrrs = 512;          // Max_Read_Request_Size, bytes
    uint32_t rcb = 64;            // read completion boundary, bytes (64 or 128)
    std::string completion_split = "mps";  // completions cut at MPS or at RCB boundaries
    bool addr64 = true;           // 4-DW headers for every request (else only above 4 GiB)
    bool ecrc = false;            // TLP digest (ECRC) on every TLP
    double latency_ns = 70;       // per direction: PHY + data-link pipeline and flight
    uint32_t credits = 64;        // request TLPs the receiver buffers before back-pressure

    void bind(sim::ParamBinder& b);
    // Throws sim::InputError("NAME: reason") for what ranges cannot express.
    void validate() const;
};

// Bytes on the wire for a run of TLPs (payload plus framing, headers and digest).
struct TlpTrain {
    uint32_t tlps = 0;
    uint64_t bytes = 0;
};

class LinkConfig {
public:
    explicit LinkConfig(const LinkParams& p);

    double raw_gbps() const { return raw_gbps_; }  // after line encoding
    double tlp_gbps() const { return tlp_gbps_; }  // after DLLP and SKIP overhead

    // Memory write of [addr, addr+len): TLPs of at most MPS bytes.
    TlpTrain write_request(uint64_t addr, uint32_t len) const;
    // Memory read requests for [addr, addr+len): at most MRRS each, no data.
    TlpTrain read_request(uint64_t addr, uint32_t len) const;
    // Completions with data returning [addr, addr+len): at most MPS (or RCB) bytes,
    // ending on RCB boundaries.
    TlpTrain completions(uint64_t addr, uint32_t len) const;
    // A completion without data (an error completion: UR or CA).
    TlpTrain completion_without_data() const { return {1, completion_overhead()}; }
    // A message without data (a Page Request Message, PCIe 10.4.1): one 4-DW header.
    TlpTrain message() const;

    const LinkParams& params() const { return p_; }

private:
    uint32_t request_overhead(uint64_t addr) const;
    uint32_t completion_overhead() const;
    static uint32_t pieces(uint64_t addr, uint32_t len, uint32_t max);
    uint32_t completion_pieces(uint64_t addr, uint32_t len, uint32_t max) const;
    // Whether [addr, addr+len) goes as one request TLP whatever MPS and MRRS are (the
    // common small DMA, which skips the cutting loops).
    static bool one_request(uint64_t addr, uint32_t len);
    uint32_t rcb_blocks(uint64_t addr, uint32_t len) const;  // RCB blocks the range touches

    LinkParams p_;
    bool rcb_chunks_;  // completion_split == "rcb"
    double raw_gbps_, tlp_gbps_;
};

}  // namespace pcie
