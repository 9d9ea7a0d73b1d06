#include "models/vtd/page_request_queue.h"

#include "models/vtd/regs.h"

namespace vtd {
namespace {
constexpr uint64_t kOffsetMask = 0x7ffe0;  // PQH/PQT: descriptor offset, bits 18:5
constexpr uint64_t kDescriptorBytes = 32;
}  // namespace

void encode_page_request(const iommu::PageRequest& pr, uint64_t (&qw)[4]) {
    qw[0] = 1 | uint64_t(pr.pasid_valid) << 8 | uint64_t(pr.sid) << 16;
    if (pr.pasid_valid)
        qw[0] |= uint64_t(pr.pasid & 0xfffff) << 32 | uint64_t(pr.exec) << 52 | uint64_t(pr.priv) << 53;
    qw[1] = uint64_t(pr.read) | uint64_t(pr.write) << 1 | uint64_t(pr.last) << 2 |
            uint64_t(pr.prg_index & 0x1ff) << 3 | (pr.addr & ~uint64_t(0xfff));
    qw[2] = qw[3] = 0;
}

std::optional<uint64_t> PageRequestQueue::read(uint32_t base) const {
    switch (base) {
        case reg::PQH: return pqh_;
        case reg::PQT: return pqt_;
        case reg::PQA: return pqa_;
        case reg::PRS & ~7u: return uint64_t(prs_) << 32;
        case reg::PECTL: return pectl_ | uint64_t(pedata_) << 32;
        case reg::PEADDR: return peaddr_ | uint64_t(peuaddr_) << 32;
        default: return std::nullopt;
    }
}

bool PageRequestQueue::write(uint32_t offset, uint64_t value, unsigned size, bool& irq) {
    irq = false;
    const auto half = [&](uint64_t& r) {  // a 64-bit register written whole or by halves
        if (size == 8) r = value;
        else if (offset & 4) r = (r & 0xffffffffu) | (value << 32);
        else r = (r & ~uint64_t(0xffffffffu)) | (value & 0xffffffffu);
    };
    switch (offset & ~(size == 8 ? 7u : 3u)) {
        case reg::PQH: case reg::PQH + 4: half(pqh_); pqh_ &= kOffsetMask; return true;
        case reg::PQT: case reg::PQT + 4: return true;  // hardware's
        case reg::PQA: case reg::PQA + 4: half(pqa_); pqa_ &= ~uint64_t(0xff8); return true;
        case reg::PRS - 4:  // the reserved half below PRS, or both as one qword
            if (size == 8) prs_ &= ~(uint32_t(value >> 32) & (prs::PPR | prs::PRO));
            return true;
        case reg::PRS: prs_ &= ~(uint32_t(value) & (prs::PPR | prs::PRO)); return true;  // RW1C
        case reg::PECTL:
            pectl_ = (pectl_ & ~fectl::IM) | (uint32_t(value) & fectl::IM);
            if (size == 8) pedata_ = uint32_t(value >> 32);
            if (!(pectl_ & fectl::IM) && (pectl_ & fectl::IP)) {
                pectl_ &= ~fectl::IP;
                irq = true;
            }
            return true;
        case reg::PEDATA: pedata_ = uint32_t(value); return true;
        case reg::PEADDR:
            peaddr_ = uint32_t(value);
            if (size == 8) peuaddr_ = uint32_t(value >> 32);
            return true;
        case reg::PEUADDR: peuaddr_ = uint32_t(value); return true;
        default: return false;
    }
}

bool PageRequestQueue::raise(uint32_t bit) {
    const bool quiet = prs_ & (prs::PPR | prs::PRO);
    prs_ |= bit;
    if (quiet) return false;
    pectl_ |= fectl::IP;
    if (pectl_ & fectl::IM) return false;
    pectl_ &= ~fectl::IP;
    return true;
}

PageRequestQueue::Outcome PageRequestQueue::push(const iommu::PageRequest& pr, iommu::HostMemory& mem,
                                                 bool& irq) {
    irq = false;
    if (prs_ & prs::PRO) return Outcome::Dropped;  // until software clears the overflow
    const uint64_t bytes = entries() * kDescriptorBytes;
    const uint64_t tail = pqt_ % bytes, next = (tail + kDescriptorBytes) % bytes;
    if (next == pqh_ % bytes) {
        irq = raise(prs::PRO);
        return Outcome::Dropped;
    }
    uint64_t qw[4];
    encode_page_request(pr, qw);
    const uint64_t at = (pqa_ & ~uint64_t(0xfff)) + tail;
    for (unsigned i = 0; i < 4; ++i)
        if (!mem.write_u64(at + 8 * i, qw[i])) return Outcome::Dropped;
    pqt_ = next;
    irq = raise(prs::PPR);
    return Outcome::Queued;
}

}  // namespace vtd
