// The iommufd operation interface against the hardware: the input is a sequence of
// operations (tests/fuzz/iommufd_seeds.py documents the encoding) on two contexts
// over a VT-d unit and its driver, outside any platform. After every operation each
// device translates a handful of IOVAs, reading and writing, and every translation
// must pass the isolation rule of --check-isolation (platform::breach) against what
// the context owning the device says it may reach; a device no context has attached
// reaches nothing. Errnos pass through, except where the uAPI leaves no choice.
#include <algorithm>
#include <array>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/iommu/host_memory.h"
#include "models/iommu/unit.h"
#include "models/iommufd/context.h"
#include "models/iommufd/driver.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/config.h"
#include "models/sim/format.h"
#include "models/sim/params.h"
#include "platforms/archs.h"
#include "platforms/iommu_config.h"
#include "platforms/isolation.h"
#include "platforms/machine.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/support/requests.h"

using namespace iommufd;

namespace {

constexpr uint64_t kPage = kPageSize;
constexpr uint64_t kMiB = uint64_t(1) << 20;
constexpr uint64_t kU64Max = ~uint64_t(0);
// IOVAs mostly come from a small window, so that maps, unmaps and copies meet.
constexpr uint64_t kIovaBase = 0x10'0000;
// The x86 MSI window every VT-d device reserves: IOVAs around its edges.
constexpr uint64_t kMsiBase = 0xfee0'0000;
// Each process's user memory window: 4 KiB pages from its base (the first 128
// mapped), huge pages at +4 MiB (2 MiB of them mapped).
constexpr uint64_t kVaBase[2] = {0x7f00'0000'0000, 0x7e00'0000'0000};
constexpr uint64_t kHugeOffset = 4 * kMiB;
// Requester IDs on two buses, one with devfn >= 0x80 (the scalable root entry's
// upper half).
constexpr uint16_t kSids[4] = {0x0008, 0x0010, 0x0188, 0x0300};

// The first input byte.
struct Settings {
    bool scalable, deferred, four_devices, same_process, small_memlock;
    uint32_t batch;
    explicit Settings(uint8_t b)
        : scalable(b & 1), deferred(b & 2), four_devices(b & 4), same_process(b & 8),
          small_memlock(b & 16), batch(std::array<uint32_t, 4>{1, 2, 4, 256}[(b >> 5) & 3]) {}
};

// The unit's and driver's configuration: VT-d defaults, or scalable mode. Reading the
// schema costs more than a short input, so once per mode.
const platform::ArchConfig& arch_config(bool scalable) {
    static const auto read = [](bool sm) {
        sim::Config cfg;
        if (sm) {
            cfg.set("vtd.smts", "true");
            cfg.set("vtd.ssads", "true");
        }
        sim::ParamSchema schema;
        platform::declare_archs(schema);
        schema.check_known(cfg);
        return platform::read_arch(cfg, "vtd", 1);
    };
    static const platform::ArchConfig legacy = read(false), sm = read(true);
    return scalable ? sm : legacy;
}

// One operation's record, printed with a finding.
struct Step {
    unsigned op;
    int ctx;
    Errno result;
    std::string what;
};

class World {
public:
    explicit World(const Settings& s) : s_(s) {
        const platform::ArchConfig& a = arch_config(s.scalable);
        unit_ = a.arch->hardware->make(*a.unit, host_);
        machine_ = std::make_unique<platform::StoreMachine>(*unit_, mem_);
        driver_ = a.arch->driver->make(*machine_, table_pages_, *a.driver);
        if (driver_->probe() != Errno::Ok) fuzz::fail("the VT-d driver does not probe its unit");
        const uint64_t memlock = s.small_memlock ? kMiB : 64 * kMiB;
        for (int p = 0; p < 2; ++p) {
            procs_[p] = std::make_unique<Process>("p" + std::to_string(p), users_[p], memlock, frames_);
            // Pages 0-127 mapped, 128 on free for mmap.
            expect_ok(procs_[p]->mmap(kVaBase[p], 128 * kPage, false), "initial mmap");
            expect_ok(procs_[p]->mmap(kVaBase[p] + kHugeOffset, 2 * kMiB, true), "initial huge mmap");
        }
        const unsigned n = s.four_devices ? 4 : 3;
        devs_.reserve(n);
        for (unsigned i = 0; i < n; ++i) {
            ops_.push_back(driver_->device(kSids[i], {}));
            devs_.push_back(Device{"dev" + std::to_string(i), ops_.back()->reserved_regions(), ops_.back().get()});
        }
        bound_.resize(n);
        open(0, 0);
        open(1, s.same_process ? 0 : 1);
        watch_.push_back(kIovaBase);
        watch_.push_back(kMsiBase);
    }

    void run(fuzz::Bytes& in) {
        for (unsigned steps = 0; !in.empty() && steps < 256; ++steps) {
            step(in);
            check_isolation();
        }
    }
    // The settings and the last operations with their errnos.
    std::string history() const {
        std::string s = std::string("settings: ") + (s_.scalable ? "scalable" : "legacy") +
                        (s_.deferred ? " deferred batch " + std::to_string(s_.batch) : " strict") +
                        "; last operations:\n";
        for (const Step& st : log_)
            s += "  ctx" + std::to_string(st.ctx) + " " + st.what + " -> " + errno_name(st.result) + "\n";
        return s;
    }

private:
    // --- operands: mostly meaningful, sometimes at the limits ---
    int ctx_arg(fuzz::Bytes& in) { return in.u8() & 1; }
    static uint32_t id_arg(fuzz::Bytes& in) {
        const uint8_t b = in.u8();
        return b < 0xf0 ? b % 10 : in.u32();
    }
    static uint64_t iova_arg(fuzz::Bytes& in) {
        const uint8_t b = in.u8();
        if (b < 0xc0) return kIovaBase + b * kPage;
        if (b < 0xd0) return kMsiBase - 8 * kPage + (b - 0xc0) * kPage;
        if (b < 0xd8) return kIovaBase + (b & 7) * kPage + (in.u16() & 0xfff);
        switch (b) {
            case 0xd8: return 0;
            case 0xd9: return kU64Max;
            case 0xda: return kU64Max - 0xfff;
            case 0xdb: return uint64_t(1) << 47;
            case 0xdc: return uint64_t(1) << 48;
            case 0xdd: return (uint64_t(1) << 48) - kPage;
            case 0xde: return uint64_t(1) << 63;
            case 0xdf: return 2 * kMiB;
            default: return in.u64();
        }
    }
    static uint64_t length_arg(fuzz::Bytes& in) {
        const uint8_t b = in.u8();
        if (b < 0xe0) return (b % 32 + 1) * kPage;
        if (b < 0xf0) return in.u16();  // bytes, unaligned, maybe 0
        switch (b) {
            case 0xf0: return 0;
            case 0xf1: return kU64Max;
            case 0xf2: return uint64_t(1) << 62;
            case 0xf3: return 2 * kMiB;
            case 0xf4: return 4 * kMiB;
            case 0xf5: return uint64_t(1) << 47;
            default: return in.u64();
        }
    }
    // A user address for process `p`: its 4 KiB pages, its huge pages, the other
    // process's window, an odd offset, or anything.
    static uint64_t user_va_arg(fuzz::Bytes& in, int p) {
        const uint8_t b = in.u8();
        if (b < 0xc0) return kVaBase[p] + b * kPage;
        if (b < 0xd0) return kVaBase[p] + kHugeOffset + (b & 3) * kMiB + ((b >> 2) & 3) * kPage;
        if (b < 0xe0) return kVaBase[p ^ 1] + (b & 0xf) * kPage;
        if (b < 0xf0) return kVaBase[p] + (b & 0xf) * kPage + (in.u16() & 0xfff);
        return b == 0xf0 ? 0 : in.u64();
    }
    static uint32_t map_flags(fuzz::Bytes& in) {
        const uint8_t b = in.u8();
        return (b & 7) | (b >= 0xf8 ? 1u << 3 : 0u);
    }

    // --- contexts and devices ---
    void open(int slot, int proc) {
        close(slot);
        ctx_[slot] = std::make_unique<Context>(*procs_[proc]);
        proc_of_[slot] = proc;
        FlushPolicy p;
        p.deferred = s_.deferred;
        p.batch = s_.batch;
        ctx_[slot]->set_flush_policy(p, [this] { return now_ps_; });
    }
    // Closing a context unbinds its devices: their DMA is blocked.
    void close(int slot) {
        ctx_[slot].reset();
        for (Bound& b : bound_)
            if (b.slot == slot) b = Bound{};
        pins_[slot].clear();
    }
    // The device a context's object ID names, or -1.
    int device_of(int slot, uint32_t dev_id) const {
        for (size_t d = 0; d < bound_.size(); ++d)
            if (bound_[d].slot == slot && std::count(bound_[d].ids.begin(), bound_[d].ids.end(), dev_id)) return int(d);
        return -1;
    }
    void touch(uint64_t iova, uint64_t length) {
        const uint64_t last = length && iova + (length - 1) >= iova ? iova + (length - 1) : iova;
        for (uint64_t v : {iova, last, iova - kPage, last + 1, iova + length / 2}) {
            if (std::find(watch_.begin(), watch_.end(), v) != watch_.end()) continue;
            watch_.push_back(v);
        }
        constexpr size_t kWatch = 14;
        if (watch_.size() > kWatch) watch_.erase(watch_.begin() + 2, watch_.end() - (kWatch - 2));
    }

    void expect_ok(Errno e, const char* what) {
        if (e != Errno::Ok) fuzz::fail(std::string(what) + ": " + errno_name(e));
    }
    void expect(bool ok, const std::string& what) {
        if (!ok) fuzz::fail(what + "\n" + history());
    }
    void log(unsigned op, int ctx, Errno e, std::string what) {
        if (log_.size() == 64) log_.erase(log_.begin());
        log_.push_back({op, ctx, e, std::move(what)});
    }

    // --- the operations ---
    enum Op : uint8_t {
        kIoasAlloc, kDestroy, kMap, kUnmap, kCopy, kIovaRanges, kAllowIovas, kOption,
        kAccessPin, kAccessUnpin, kBind, kHwptAlloc, kHwInfo, kAttach, kDetach, kMmap,
        kMunmap, kClock, kReopen, kWatch, kOpCount
    };

    void step(fuzz::Bytes& in) {
        const unsigned op = in.u8() % kOpCount;
        const int c = ctx_arg(in);
        Context& ctx = *ctx_[c];
        Errno e = Errno::Ok;
        std::string what;
        switch (op) {
            case kIoasAlloc: {
                uint32_t id = 0;
                e = ctx.ioas_alloc(id);
                what = "ioas_alloc " + std::to_string(id);
                break;
            }
            case kDestroy: {
                const uint32_t id = id_arg(in);
                e = ctx.destroy(id);
                what = "destroy " + std::to_string(id);
                if (e == Errno::Ok)  // nothing may use the ID until it is handed out again
                    expect(ctx.destroy(id) == Errno::NoEnt && !ctx.iopt(id), "destroyed ID " + std::to_string(id) + " is still there");
                break;
            }
            case kMap: {
                const uint32_t ioas = id_arg(in), flags = map_flags(in);
                // The process that opened the context calls, or the other one (the
                // file descriptor passed on).
                const int p = proc_of_[c] ^ (in.u8() & 1);
                Process& caller = *procs_[p];
                const uint64_t va = user_va_arg(in, p), length = length_arg(in);
                uint64_t iova = iova_arg(in);
                e = ctx.ioas_map(ioas, flags, va, length, iova, &caller);
                what = "ioas_map " + std::to_string(ioas) + " flags " + std::to_string(flags) + " va " + sim::hex(va) +
                       " len " + sim::hex(length) + " by p" + std::to_string(p) + " iova " + sim::hex(iova);
                touch(iova, length);
                break;
            }
            case kUnmap: {
                const uint32_t ioas = id_arg(in);
                uint64_t iova = iova_arg(in), length = length_arg(in), out = 0;
                if (in.u8() == 0xff) iova = 0, length = kU64Max;  // everything
                e = ctx.ioas_unmap(ioas, iova, length, out);
                what = "ioas_unmap " + std::to_string(ioas) + " " + sim::hex(iova) + " len " + sim::hex(length) +
                       " unmapped " + sim::hex(out);
                expect(e == Errno::Ok || out == 0 || e == Errno::NoEnt, "failed unmap reports bytes: " + what);
                touch(iova, length == kU64Max ? kPage : length);
                break;
            }
            case kCopy: {
                const uint32_t dst = id_arg(in), src = id_arg(in), flags = map_flags(in);
                const uint64_t src_iova = iova_arg(in), length = length_arg(in);
                uint64_t dst_iova = iova_arg(in);
                e = ctx.ioas_copy(dst, src, flags, src_iova, length, dst_iova);
                what = "ioas_copy " + std::to_string(dst) + " <- " + std::to_string(src) + " flags " +
                       std::to_string(flags) + " " + sim::hex(src_iova) + " len " + sim::hex(length) + " to " +
                       sim::hex(dst_iova);
                touch(src_iova, length);
                touch(dst_iova, length);
                break;
            }
            case kIovaRanges: {
                const uint32_t ioas = id_arg(in);
                uint32_t room = in.u8() % 4, num = room;
                std::vector<IovaRange> out;
                uint64_t align = 0;
                e = ctx.ioas_iova_ranges(ioas, num, out, align);
                what = "ioas_iova_ranges " + std::to_string(ioas) + " room " + std::to_string(room);
                if (e == Errno::Ok || e == Errno::MsgSize)
                    expect(out.size() == std::min(room, num) && (e == Errno::MsgSize) == (num > room) && align &&
                               !(align & (align - 1)),
                           "iova ranges inconsistent: " + what);
                break;
            }
            case kAllowIovas: {
                const uint32_t ioas = id_arg(in);
                std::vector<IovaRange> ranges(in.u8() % 4);
                for (IovaRange& r : ranges) {
                    r.start = iova_arg(in);
                    r.last = r.start + length_arg(in) - 1;
                }
                e = ctx.ioas_allow_iovas(ioas, ranges);
                what = "ioas_allow_iovas " + std::to_string(ioas) + " x" + std::to_string(ranges.size());
                break;
            }
            case kOption: {
                const uint8_t b = in.u8();
                const uint32_t option = b & 4 ? 2 : b & 1, op_code = b & 8 ? 2 : (b >> 1) & 1;
                const uint32_t obj = id_arg(in);
                uint64_t val = b & 0x10 ? in.u64() : (b >> 5) % 3;
                e = ctx.option(option, op_code, obj, val);
                what = "option " + std::to_string(option) + " op " + std::to_string(op_code) + " obj " +
                       std::to_string(obj) + " val " + sim::hex(val);
                break;
            }
            case kAccessPin: {
                const uint32_t ioas = id_arg(in);
                const uint64_t iova = iova_arg(in), length = length_arg(in);
                const bool write = in.u8() & 1;
                uint64_t pin = 0;
                std::vector<uint64_t> frames;
                e = ctx.access_pin(ioas, iova, length, write, pin, frames);
                what = "access_pin " + std::to_string(ioas) + " " + sim::hex(iova) + " len " + sim::hex(length) +
                       (write ? " write" : " read") + " pin " + std::to_string(pin);
                if (e == Errno::Ok) {
                    pins_[c].push_back({ioas, pin});
                    expect(frames.size() == (iova % kPage + length + kPage - 1) / kPage, "pin frames: " + what);
                }
                touch(iova, length);
                break;
            }
            case kAccessUnpin: {
                const uint8_t b = in.u8();
                std::pair<uint32_t, uint64_t> pin{id_arg(in), b};  // an unknown pin
                if (b < 0xf0 && !pins_[c].empty()) pin = pins_[c][b % pins_[c].size()];
                e = ctx.access_unpin(pin.first, pin.second);
                what = "access_unpin " + std::to_string(pin.first) + " pin " + std::to_string(pin.second);
                break;
            }
            case kBind: {
                const size_t d = in.u8() % devs_.size();
                const Context* owner = devs_[d].owner;
                uint32_t id = 0;
                e = ctx.bind(devs_[d], id);
                what = "bind dev" + std::to_string(d) + " -> " + std::to_string(id);
                // One owner at a time (iommu_device_claim_dma_owner).
                if (owner && owner != &ctx) expect(e == Errno::Perm, "bind of another context's device: " + what);
                else expect(e == Errno::Ok, "bind of a free or own device: " + what);
                if (e == Errno::Ok) {
                    bound_[d].slot = c;
                    bound_[d].ids.push_back(id);
                }
                break;
            }
            case kHwptAlloc: {
                const uint32_t dev = id_arg(in), pt = id_arg(in), flags = in.u8() % 16;
                uint32_t id = 0;
                e = ctx.hwpt_alloc(dev, pt, flags, id);
                what = "hwpt_alloc dev " + std::to_string(dev) + " pt " + std::to_string(pt) + " flags " +
                       std::to_string(flags) + " -> " + std::to_string(id);
                break;
            }
            case kHwInfo: {
                const uint32_t dev = id_arg(in);
                HwInfo info;
                e = ctx.get_hw_info(dev, info);
                what = "get_hw_info " + std::to_string(dev);
                if (e == Errno::Ok) expect(info.type == 1, "VT-d hw_info type: " + std::to_string(info.type));
                break;
            }
            case kAttach: {
                const uint32_t dev = id_arg(in), pt = id_arg(in);
                uint32_t used = 0;
                e = ctx.attach(dev, pt, &used);
                what = "attach " + std::to_string(dev) + " to " + std::to_string(pt) + " via hwpt " + std::to_string(used);
                if (e == Errno::Ok) {
                    const int d = device_of(c, dev);
                    expect(d >= 0, "attach of an ID no bind returned: " + what);
                    bound_[d].attached.insert(dev);
                }
                break;
            }
            case kDetach: {
                const uint32_t dev = id_arg(in);
                e = ctx.detach(dev);
                what = "detach " + std::to_string(dev);
                if (e == Errno::Ok) {
                    const int d = device_of(c, dev);
                    expect(d >= 0, "detach of an ID no bind returned: " + what);
                    bound_[d].attached.erase(dev);
                }
                break;
            }
            case kMmap: {
                const int p = in.u8() & 1;
                const bool huge = in.u8() & 1;
                const uint64_t va = user_va_arg(in, p), length = length_arg(in);
                e = procs_[p]->mmap(va, length, huge);
                what = "p" + std::to_string(p) + " mmap " + sim::hex(va) + " len " + sim::hex(length) + (huge ? " huge" : "");
                break;
            }
            case kMunmap: {
                const int p = in.u8() & 1;
                const uint64_t va = user_va_arg(in, p), length = length_arg(in);
                e = procs_[p]->munmap(va, length);
                what = "p" + std::to_string(p) + " munmap " + sim::hex(va) + " len " + sim::hex(length);
                break;
            }
            case kClock: {
                // Up to ~51 ms in 0.2 ms steps: around the 10 ms flush timeout.
                now_ps_ += uint64_t(in.u8()) * 200'000'000ull;
                for (auto& x : ctx_) x->flush_if_due();
                what = "clock " + std::to_string(now_ps_ / 1'000'000) + " us, flush_if_due";
                break;
            }
            case kReopen: {
                const int p = in.u8() & 1;
                open(c, p);
                what = "reopen as p" + std::to_string(p);
                break;
            }
            case kWatch: {
                const uint64_t a = iova_arg(in), b = iova_arg(in);
                touch(a, 1);
                touch(b, 1);
                what = "watch " + sim::hex(a) + " " + sim::hex(b);
                break;
            }
        }
        log(op, c, e, std::move(what));
    }

    // --- the invariant ---
    // What device `d` may reach at `iova`, as the context owning it says; nothing when
    // none of its objects is attached. Objects of one device share its attachment, so
    // they must all say the same.
    Reach expected(size_t d, uint64_t iova) {
        const Bound& b = bound_[d];
        if (b.slot < 0 || b.attached.empty()) return {};
        const Reach want = ctx_[b.slot]->reach(*b.attached.begin(), iova);
        for (uint32_t id : b.attached) {
            const Reach r = ctx_[b.slot]->reach(id, iova);
            expect(r.kind == want.kind && r.pa == want.pa && r.writable == want.writable,
                   "objects of dev" + std::to_string(d) + " disagree at " + sim::hex(iova));
        }
        return want;
    }

    void check_isolation() {
        for (size_t d = 0; d < devs_.size(); ++d) {
            const Bound& b = bound_[d];
            expect(devs_[d].owner == (b.slot < 0 ? nullptr : ctx_[b.slot].get()),
                   "dev" + std::to_string(d) + " owner differs from its bindings");
            for (uint64_t iova : watch_) {
                const Reach want = expected(d, iova);
                expect(s_.deferred || want.kind != Reach::Unflushed, "unflushed area under strict invalidation");
                for (bool write : {false, true}) {
                    const iommu::Result r = unit_->translate(testutil::dma(kSids[d], iova, write));
                    if (auto report = platform::breach(kSids[d], iova, r, want))
                        fuzz::fail("isolation breach: " + *report + (write ? " (write request)" : " (read request)") +
                                   "\n" + history());
                }
            }
        }
    }

    Settings s_;
    memory::SparseMemory mem_;
    iommu::StoreMemory host_{mem_};
    std::unique_ptr<iommu::Unit> unit_;
    std::unique_ptr<platform::StoreMachine> machine_;
    FrameAllocator table_pages_{0x1000'0000, uint64_t(1) << 32};
    std::unique_ptr<Driver> driver_;
    FrameAllocator frames_{uint64_t(1) << 36, uint64_t(1) << 32};
    User users_[2]{{"u0"}, {"u1"}};
    std::unique_ptr<Process> procs_[2];
    std::vector<std::unique_ptr<DeviceOps>> ops_;
    std::vector<Device> devs_;  // reserved up front: contexts hold pointers
    struct Bound {
        int slot = -1;               // the context slot that bound it, -1 none
        std::vector<uint32_t> ids;   // its device object IDs there
        std::set<uint32_t> attached; // those IDs attached
    };
    std::vector<Bound> bound_;
    std::vector<uint64_t> watch_;  // IOVAs every device translates after each operation
    std::vector<std::pair<uint32_t, uint64_t>> pins_[2];  // (IOAS, pin) per context slot
    int proc_of_[2] = {0, 0};  // the process that opened each context slot
    uint64_t now_ps_ = 0;
    std::vector<Step> log_;
    std::unique_ptr<Context> ctx_[2];  // last: closing detaches devices, before the driver goes
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Bytes in(data, size);
    const Settings s(in.u8());
    World w(s);
    w.run(in);
    // FUZZ_IOMMUFD_TRACE=1: what an input did (reading a seed or a finding).
    if (std::getenv("FUZZ_IOMMUFD_TRACE")) std::fprintf(stderr, "%s", w.history().c_str());
    return 0;
}
