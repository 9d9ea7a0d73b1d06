#include "models/memory/sparse_memory.h"


#include <algorithm>
#include <cstring>
#include <vector>

namespace memory {

namespace {

constexpr uint64_t kOffsetMask = SparseMemory::kFrameBytes - 1;

// Bytes of [addr, addr + remaining) that fall in addr's frame.
size_t chunk_len(uint64_t addr, size_t remaining) {
    return std::min<size_t>(remaining, SparseMemory::kFrameBytes - (addr & kOffsetMask));
}

}  // namespace

SparseMemory::Frame* SparseMemory::find(uint64_t frame_no) const {
    if (last_ && last_no_ == frame_no) return last_;
    auto it = frames_.find(frame_no);
    if (it == frames_.end()) return nullptr;
    last_no_ = frame_no;
    last_ = it->second.get();
    return last_;
}

SparseMemory::Frame& SparseMemory::get_or_alloc(uint64_t frame_no) {
    if (Frame* f = find(frame_no)) return *f;
    auto& slot = frames_[frame_no];
    slot = std::make_unique<Frame>();  // value-initialised: zero-filled
    ++frames_stat_;
    last_no_ = frame_no;
    last_ = slot.get();
    return *slot;
}

void SparseMemory::read(uint64_t addr, void* dst, size_t len) const {
    auto* out = static_cast<uint8_t*>(dst);
    while (len) {
        size_t n = chunk_len(addr, len);
        if (const Frame* f = find(addr / kFrameBytes))
            std::memcpy(out, f->data() + (addr & kOffsetMask), n);
        else
            std::memset(out, 0, n);
        out += n;
        len -= n;
        addr += n;  // wraps modulo 2^64
    }
}

void SparseMemory::write(uint64_t addr, const void* src, size_t len) {
    auto* in = static_cast<const uint8_t*>(src);
    while (len) {
        size_t n = chunk_len(addr, len);
        Frame& f = get_or_alloc(addr / kFrameBytes);
        std::memcpy(f.data() + (addr & kOffsetMask), in, n);
        in += n;
        len -= n;
        addr += n;  // wraps modulo 2^64
    }
}

uint64_t SparseMemory::read_u64(uint64_t addr) const {
    uint8_t b[8];
    read(addr, b, sizeof b);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    return v;
}

void SparseMemory::write_u64(uint64_t addr, uint64_t value) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(value >> (8 * i));
    write(addr, b, sizeof b);
}

uint64_t SparseMemory::digest() const {
    std::vector<uint64_t> numbers;
    numbers.reserve(frames_.size());
    for (const auto& f : frames_) numbers.push_back(f.first);
    std::sort(numbers.begin(), numbers.end());
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, a 64-bit word at a time
    auto mix = [&h](uint64_t w) { h = (h ^ w) * 0x100000001b3ull; };
    for (uint64_t no : numbers) {
        const Frame& f = *frames_.at(no);
        if (std::all_of(f.begin(), f.end(), [](uint8_t b) { return b == 0; })) continue;
        mix(no);
        for (size_t i = 0; i < kFrameBytes; i += 8) {
            uint64_t w;
            std::memcpy(&w, f.data() + i, 8);
            mix(w);
        }
    }
    return h & ((uint64_t(1) << 53) - 1);
}

}  // namespace memory
