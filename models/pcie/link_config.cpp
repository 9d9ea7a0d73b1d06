#include "models/pcie/link_config.h"

#include <algorithm>

#include "models/sim/error.h"
#include "models/sim/params.h"
#include "models/sim/pow2.h"

namespace pcie {
namespace {

// Transfer rate per lane in GT/s and line-code efficiency, by generation.
// Gen1/2 8b/10b, Gen3-5 128b/130b; Gen6 runs in FLIT mode, approximated as pcie-bench
// does by 242/256 (FEC and CRC inside the flit) with the Gen5 DLLP rates.
double lane_gbps(uint32_t gen) {
    switch (gen) {
        case 1: return 2.5 * 8 / 10;
        case 2: return 5.0 * 8 / 10;
        case 3: return 8.0 * 128 / 130;
        case 4: return 16.0 * 128 / 130;
        case 5: return 32.0 * 128 / 130;
        default: return 64.0 * 242 / 256;
    }
}

int log2_index(uint32_t v, uint32_t first) {  // first=128: 128->0, 256->1, ...
    int i = 0;
    while ((first << i) < v) ++i;
    return i;
}

// Symbol times between Ack DLLPs (Ack latency limit) and between UpdateFC DLLPs; the
// PCIe Base Spec 5.0 recommends the same values for both (Tables 3-7..3-9, 2-46..2-48).
// Rows: x1, x2, x4, x8, x16; columns: MPS 128 .. 4096. Gen3 and later share a table.
uint32_t dllp_interval(uint32_t gen, uint32_t width, uint32_t mps) {
    static const uint32_t gen1[5][6] = {{237, 416, 559, 1071, 2095, 4143},
                                        {128, 217, 289, 545, 1057, 2081},
                                        {73, 118, 154, 282, 538, 1050},
                                        {67, 107, 86, 150, 278, 534},
                                        {48, 72, 86, 150, 278, 534}};
    static const uint32_t gen2[5][6] = {{288, 467, 610, 1122, 2146, 4194},
                                        {179, 268, 340, 596, 1108, 2132},
                                        {124, 169, 205, 333, 589, 1101},
                                        {118, 158, 137, 201, 329, 585},
                                        {99, 123, 137, 201, 329, 585}};
    static const uint32_t gen3[5][6] = {{333, 512, 655, 1167, 2191, 4239},
                                        {224, 313, 385, 641, 1153, 2177},
                                        {169, 214, 250, 378, 634, 1146},
                                        {163, 203, 182, 246, 374, 630},
                                        {144, 168, 182, 246, 374, 630}};
    const int row = log2_index(width, 1), col = log2_index(mps, 128);
    if (gen == 1) return gen1[row][col];
    if (gen == 2) return gen2[row][col];
    return gen3[row][col];
}

constexpr uint32_t kDllpBytes = 8;      // 2 B framing + 4 B DLLP + 2 B CRC
constexpr uint32_t kSkipBytes = 4;      // SKIP ordered set ...
constexpr uint32_t kSkipInterval = 1538;  // ... every 1538 symbols
constexpr uint32_t kTlpFraming = 8;     // start/end framing, sequence number, LCRC
constexpr uint32_t kHeader3dw = 12, kHeader4dw = 16, kDigest = 4;
constexpr uint64_t kPage = 4096;  // no TLP crosses a 4 KiB boundary


}  // namespace

void LinkParams::bind(sim::ParamBinder& b) {
    b.u32("gen", gen, "", "PCIe generation", 1, 6);
    b.u32("width", width, "lanes", "link width: 1, 2, 4, 8 or 16 lanes", 1, 16);
    b.valid_values("width", "1|2|4|8|16");
    b.u32("mps", mps, "B", "Max_Payload_Size: 128 .. 4096, a power of two", 128, 4096);
    b.u32("mrrs", mrrs, "B", "Max_Read_Request_Size: 128 .. 4096, a power of two", 128, 4096);
    b.u32("rcb", rcb, "B", "read completion boundary: 64 or 128", 64, 128);
    b.choice("completion_split", completion_split, {"mps", "rcb"},
             "read completions are cut at MPS or at RCB boundaries");
    b.flag("addr64", addr64, "4-DW (64-bit address) headers on every request, as pcie-bench");
    b.flag("ecrc", ecrc, "a 4-byte TLP digest (ECRC) on every TLP");
    b.f64("latency_ns", latency_ns, "ns", "one-way latency: PHY and data-link pipeline", 0, 1e6);
    b.u32("credits", credits, "TLPs", "request TLPs the receiver buffers (flow-control credits)",
          1, 4096);
}

void LinkParams::validate() const {
    auto fail = [](const char* key, const std::string& why) {
        throw sim::InputError(std::string(key) + ": " + why);
    };
    if (!sim::is_pow2(width)) fail("width", std::to_string(width) + " is not 1, 2, 4, 8 or 16");
    if (!sim::is_pow2(mps)) fail("mps", std::to_string(mps) + " is not a power of two");
    if (!sim::is_pow2(mrrs)) fail("mrrs", std::to_string(mrrs) + " is not a power of two");
    if (rcb != 64 && rcb != 128) fail("rcb", std::to_string(rcb) + " is not 64 or 128");
}

LinkConfig::LinkConfig(const LinkParams& p) : p_(p), rcb_chunks_(p.completion_split == "rcb") {
    raw_gbps_ = lane_gbps(p.gen) * p.width;
    const double dllp = double(kDllpBytes) / dllp_interval(p.gen, p.width, p.mps);
    const double overhead = 2 * dllp + double(kSkipBytes) / kSkipInterval;  // Ack + UpdateFC
    tlp_gbps_ = raw_gbps_ * (1.0 - overhead);
}

// A request TLP carries at most `max` bytes and never crosses a 4 KiB boundary
// (PCIe Base Spec 2.2.7); a device cuts greedily from the start address.
uint32_t LinkConfig::pieces(uint64_t addr, uint32_t len, uint32_t max) {
    uint32_t n = 0;
    while (len) {
        const uint32_t piece = uint32_t(std::min<uint64_t>({max, len, kPage - addr % kPage}));
        addr += piece;
        len -= piece;
        ++n;
    }
    return n;
}

// Completions for one read request: at most `max` bytes each, and every completion
// but the last ends on a read completion boundary (PCIe Base Spec 2.3.1.1). With
// completion_split=rcb the completer instead returns one completion per RCB block, as
// some chipsets do (pcie-bench's rcb_chunks).
uint32_t LinkConfig::completion_pieces(uint64_t addr, uint32_t len, uint32_t max) const {
    uint32_t n = 0;
    while (len) {
        uint64_t end = addr + std::min<uint64_t>(max, len);
        if (end < addr + len && end % p_.rcb && end - end % p_.rcb > addr) end -= end % p_.rcb;
        len -= uint32_t(end - addr);
        addr = end;
        ++n;
    }
    return n;
}

// MPS and MRRS are at least 128 bytes; no TLP crosses a 4 KiB boundary.
bool LinkConfig::one_request(uint64_t addr, uint32_t len) {
    return len && len <= 128 && addr % kPage + len <= kPage;
}

uint32_t LinkConfig::request_overhead(uint64_t addr) const {
    // 64-bit addresses need a 4-DW header; below 4 GiB the spec requires 3 DW.
    const bool four_dw = p_.addr64 || addr >= (uint64_t(1) << 32);
    return kTlpFraming + (four_dw ? kHeader4dw : kHeader3dw) + (p_.ecrc ? kDigest : 0);
}

uint32_t LinkConfig::completion_overhead() const {
    return kTlpFraming + kHeader3dw + (p_.ecrc ? kDigest : 0);
}

TlpTrain LinkConfig::message() const {
    return {1, uint64_t(kTlpFraming) + kHeader4dw + (p_.ecrc ? kDigest : 0)};
}

TlpTrain LinkConfig::write_request(uint64_t addr, uint32_t len) const {
    const uint32_t n = one_request(addr, len) ? 1 : pieces(addr, len, p_.mps);
    return {n, uint64_t(n) * request_overhead(addr) + len};
}

TlpTrain LinkConfig::read_request(uint64_t addr, uint32_t len) const {
    const uint32_t n = one_request(addr, len) ? 1 : pieces(addr, len, p_.mrrs);
    return {n, uint64_t(n) * request_overhead(addr)};
}

uint32_t LinkConfig::rcb_blocks(uint64_t addr, uint32_t len) const {
    return uint32_t((addr + len - 1) / p_.rcb - addr / p_.rcb + 1);
}

TlpTrain LinkConfig::completions(uint64_t addr, uint32_t len) const {
    // One request of at most MPS bytes: one completion, or one per RCB block.
    if (one_request(addr, len)) {
        const uint32_t n = rcb_chunks_ ? rcb_blocks(addr, len) : 1;
        return {n, uint64_t(n) * completion_overhead() + len};
    }
    uint32_t n = 0;
    // Each read request (cut by MRRS) is completed on its own.
    for (uint32_t done = 0; done < len;) {
        const uint64_t a = addr + done;
        const uint32_t req = uint32_t(std::min<uint64_t>({p_.mrrs, len - done, kPage - a % kPage}));
        n += rcb_chunks_ ? rcb_blocks(a, req) : completion_pieces(a, req, p_.mps);
        done += req;
    }
    return {n, uint64_t(n) * completion_overhead() + len};
}

}  // namespace pcie
