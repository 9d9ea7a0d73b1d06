// The replayer applies a trace's control operations to the mapping engine and logs
// Linux's answer to each; check() refuses traces that name objects they never made.
#include <catch2/catch.hpp>

#include <sstream>

#include "models/sim/error.h"
#include "workloads/replay/replayer.h"

using workload::Replayer;

namespace {

struct CountingDomain : iommufd::Domain {
    uint64_t* pages;
    uint64_t page_sizes() const override { return 4096; }
    iommufd::Errno map(uint64_t, uint64_t, uint64_t, unsigned) override {
        ++*pages;
        return iommufd::Errno::Ok;
    }
    void unmap(uint64_t, uint64_t size) override { *pages -= size / 4096; }
};

struct CountingOps : iommufd::DeviceOps {
    uint64_t* pages;
    explicit CountingOps(uint64_t* p) : pages(p) {}
    iommufd::Errno alloc_domain(uint32_t flags, std::unique_ptr<iommufd::Domain>& out) override {
        if (flags) return iommufd::Errno::OpNotSupp;
        auto d = std::make_unique<CountingDomain>();
        d->pages = pages;
        out = std::move(d);
        return iommufd::Errno::Ok;
    }
    iommufd::Errno attach(iommufd::Domain&) override { return iommufd::Errno::Ok; }
    void detach() override {}
    std::vector<iommufd::IovaRange> reserved_regions() const override { return {{0xfee0'0000, 0xfeef'ffff}}; }
};

struct Rig {
    iommufd::FrameAllocator frames{uint64_t(1) << 36, uint64_t(1) << 36};
    uint64_t mapped = 0;
    std::vector<Replayer::DeviceInfo> devices{{"dev0", 0x0100}};
    Replayer replayer{devices, [this](uint16_t) { return std::make_unique<CountingOps>(&mapped); },
                      frames};
    std::vector<std::string> run(const std::string& text) {
        std::istringstream in(text);
        const std::vector<trace::Op> ops = trace::parse(in, "t.trace");
        Replayer::check(ops, devices, "t.trace");
        std::vector<std::string> log;
        for (const trace::Op& op : ops) log.push_back(replayer.apply(op));
        return log;
    }
};

const char* kPrologue =
    "0 process name=p0 user=u0 rlimit_memlock=16K\n"
    "0 mmap process=p0 user_va=0x7f0000000000 length=1M\n"
    "0 iommufd_open name=fd0 process=p0\n"
    "0 ioas_alloc name=ioas0\n";

}  // namespace

TEST_CASE("Replay: each operation's result, as Linux gives it", "[replay]") {
    Rig r;
    const auto log = r.run(std::string(kPrologue) +
                           "1 ioas_map ioas_id=ioas0 flags=readable user_va=0x7f0000000000 length=8K\n"
                           "2 device_attach dev_id=dev0 pt_id=ioas0\n"
                           "3 ioas_map ioas_id=ioas0 flags=readable|writeable user_va=0x7f0000010000 length=8K\n"
                           "4 ioas_map ioas_id=ioas0 flags=readable user_va=0x7f0000020000 length=4K\n"
                           "5 option option_id=rlimit_mode op=get\n"
                           "6 destroy id=ioas0\n"
                           "7 ioas_unmap ioas_id=ioas0 iova=0 length=0xffffffffffffffff\n"
                           "8 ioas_map ioas_id=ioas0 flags=0xc user_va=0x7f0000000000 length=4K\n");  // bit 3: unknown
    REQUIRE(log.size() == 12);
    CHECK(log[3] == "4 ioas_alloc ok id=1");
    CHECK(log[4] == "5 ioas_map ok iova=0x2000");       // 8 KiB-aligned, above page 0
    CHECK(log[5] == "6 device_attach ok pt_id=3");              // pins the 2 pages mapped
    CHECK(log[6] == "7 ioas_map ok iova=0x4000");       // 2 more: 4 of 4 pages
    CHECK(log[7] == "8 ioas_map err ENOMEM");           // RLIMIT_MEMLOCK 16 KiB
    CHECK(log[8] == "9 option ok val64=0");
    CHECK(log[9] == "10 destroy err EBUSY");
    CHECK(log[10] == "11 ioas_unmap ok length=0x4000");
    CHECK(log[11] == "12 ioas_map err EOPNOTSUPP");
    CHECK(r.mapped == 0);
}

TEST_CASE("Replay: HWPT_ALLOC, attach to a HWPT, replace, GET_HW_INFO", "[replay]") {
    Rig r;
    const auto log = r.run(std::string(kPrologue) +
                           "1 hwpt_alloc name=hw0 dev_id=dev0 pt_id=ioas0 flags=nest_parent\n"
                           "2 hwpt_alloc name=hw1 dev_id=dev0 pt_id=ioas0\n"
                           "3 device_attach dev_id=dev0 pt_id=hw1\n"
                           "4 destroy id=hw1\n"
                           "5 ioas_alloc name=ioas1\n"
                           "6 device_attach dev_id=dev0 pt_id=ioas1\n"
                           "7 destroy id=hw1\n"
                           "8 get_hw_info dev_id=dev0\n"
                           "9 hwpt_alloc name=hw2 dev_id=dev0 pt_id=hw0\n");
    REQUIRE(log.size() == 13);
    CHECK(log[4] == "5 hwpt_alloc err EOPNOTSUPP");    // the driver has no nesting
    CHECK(log[5] == "6 hwpt_alloc ok out_hwpt_id=3");  // dev0 was bound as ID 2
    CHECK(log[6] == "7 device_attach ok pt_id=3");
    CHECK(log[7] == "8 destroy err EBUSY");
    CHECK(log[9] == "10 device_attach ok pt_id=5");    // replaced onto an automatic HWPT
    CHECK(log[10] == "11 destroy ok");
    CHECK(log[11] == "12 get_hw_info ok out_data_type=0 out_capabilities=0x0");
    CHECK(log[12] == "13 hwpt_alloc err EINVAL");      // hw0 never existed: not an object
}

TEST_CASE("Replay: names must be defined before use, fd needed with several contexts", "[replay]") {
    Rig r;
    CHECK_THROWS_WITH(r.run(std::string(kPrologue) + "1 ioas_unmap ioas_id=ioasX iova=0 length=4K\n"),
                      "t.trace:5: ioas_unmap.ioas_id: 'ioasX' is not defined before this line");
    CHECK_THROWS_WITH(r.run("0 process name=p0 user=u0 rlimit_memlock=1G\n"
                            "0 process name=p0 user=u0 rlimit_memlock=1G\n"),
                      "t.trace:2: process.name: 'p0' is defined twice");
    CHECK_THROWS_WITH(r.run("0 process name=p0 user=u0 rlimit_memlock=1G\n"
                            "0 iommufd_open name=a process=p0\n0 iommufd_open name=b process=p0\n"
                            "1 ioas_alloc name=ioas0\n"),
                      "t.trace:4: ioas_alloc.fd: needed: the trace opens several contexts");
    CHECK_THROWS_WITH(r.run(std::string(kPrologue) + "1 access_unpin name=pin0\n"),
                      "t.trace:5: access_unpin.name: 'pin0' is not defined before this line");
    CHECK_THROWS_AS(r.run("1 dma dev=dev3 iova=0 length=64 dir=read\n"), sim::InputError);
}

// The check reads the trace once, before the platform's devices and the count of
// iommufd_open lines are known; those answers come at the end, and the error is still
// the first bad line's, and within a line the first check's.
TEST_CASE("Replay: the first bad line is reported whatever the end of the trace decides", "[replay]") {
    Rig r;
    const std::string undefined_ioas = "1 ioas_unmap ioas_id=ioasX iova=0 length=4K\n";
    const std::string unknown_dev = "1 dma dev=dev3 iova=0 length=64 dir=read\n";
    CHECK_THROWS_WITH(r.run(std::string(kPrologue) + unknown_dev + undefined_ioas),
                      "t.trace:5: dma.dev: 'dev3' is not defined before this line");
    CHECK_THROWS_WITH(r.run(std::string(kPrologue) + undefined_ioas + unknown_dev),
                      "t.trace:5: ioas_unmap.ioas_id: 'ioasX' is not defined before this line");
    // One line, two faults: the device is checked before the PASID's width.
    CHECK_THROWS_WITH(r.run("1 dma dev=dev3 iova=0 length=64 dir=read pasid=0x100000\n"),
                      "t.trace:1: dma.dev: 'dev3' is not defined before this line");
    CHECK_THROWS_WITH(r.run("1 dma dev=dev0 iova=0 length=64 dir=read pasid=0x100000\n"),
                      "t.trace:1: dma.pasid: a PASID has 20 bits");
    // fd= missing while one context is open: an error only because a second opens later,
    // and then before a later line's own error.
    const std::string second_open = "2 iommufd_open name=fd1 process=p0\n";
    CHECK_THROWS_WITH(r.run(std::string(kPrologue) + undefined_ioas + second_open),
                      "t.trace:4: ioas_alloc.fd: needed: the trace opens several contexts");
    CHECK_NOTHROW(r.run(std::string(kPrologue) + "1 ioas_alloc name=ioas1\n"));
    // A control operation on a device: fd= is checked before the device.
    const std::string with_fd = "0 process name=p0 user=u0 rlimit_memlock=1G\n0 iommufd_open name=fd0 process=p0\n"
                                "0 ioas_alloc name=ioas0 fd=fd0\n1 device_attach dev_id=dev3 pt_id=ioas0\n";
    CHECK_THROWS_WITH(r.run(with_fd + second_open),
                      "t.trace:4: device_attach.fd: needed: the trace opens several contexts");
    CHECK_THROWS_WITH(r.run(with_fd), "t.trace:4: device_attach.dev_id: 'dev3' is not defined before this line");
    // Before any iommufd_open, it fails however many open later; which message says why.
    const std::string early_alloc = "0 process name=p0 user=u0 rlimit_memlock=1G\n1 ioas_alloc name=ioas0\n";
    CHECK_THROWS_WITH(r.run(early_alloc + "2 iommufd_open name=fd0 process=p0\n"),
                      "t.trace:2: ioas_alloc.fd: no iommufd_open before it");
    CHECK_THROWS_WITH(r.run(early_alloc + "2 iommufd_open name=fd0 process=p0\n" + second_open),
                      "t.trace:2: ioas_alloc.fd: needed: the trace opens several contexts");
}

// Reproducers from fuzzing (issue 11): each crashed the replay before its fix.
TEST_CASE("Replay: unpinning a pin that failed, or unpinning twice, is ENOENT, not a crash",
          "[replay][robustness]") {
    Rig r;
    const auto log = r.run(std::string(kPrologue) +
                           "1 ioas_map ioas_id=ioas0 flags=readable|writeable|fixed_iova "
                           "user_va=0x7f0000000000 length=8K iova=0x10000\n"
                           "2 access_pin name=bad ioas_id=ioas0 iova=0x90000 length=4K\n"  // nothing there
                           "3 access_unpin name=bad\n"
                           "4 access_pin name=good ioas_id=ioas0 iova=0x10000 length=4K\n"
                           "5 access_unpin name=good\n"
                           "6 access_unpin name=good\n");
    REQUIRE(log.size() == 10);
    CHECK(log[5] == "6 access_pin err ENOENT");  // op-log lines name trace lines
    CHECK(log[6] == "7 access_unpin err ENOENT");
    CHECK(log[7] == "8 access_pin ok pages=1");
    CHECK(log[8] == "9 access_unpin ok");
    CHECK(log[9] == "10 access_unpin err ENOENT");
}

TEST_CASE("Replay: a control operation before the trace's only iommufd_open is a trace error",
          "[replay][robustness]") {
    Rig r;
    CHECK_THROWS_WITH(r.run("0 process name=p0 user=u0 rlimit_memlock=1G\n"
                            "1 ioas_alloc name=ioas0\n"
                            "2 iommufd_open name=fd0 process=p0\n"),
                      "t.trace:2: ioas_alloc.fd: no iommufd_open before it");
}

TEST_CASE("Replay: a second context cannot take a device the first has bound (EPERM)",
          "[replay][isolation]") {
    Rig r;
    const auto log = r.run("0 process name=p0 user=u0 rlimit_memlock=1G\n"
                           "0 process name=p1 user=u1 rlimit_memlock=1G\n"
                           "0 iommufd_open name=fd0 process=p0\n"
                           "0 iommufd_open name=fd1 process=p1\n"
                           "1 ioas_alloc name=a fd=fd0\n"
                           "1 ioas_alloc name=b fd=fd1\n"
                           "2 device_attach dev_id=dev0 pt_id=a fd=fd0\n"
                           "3 device_attach dev_id=dev0 pt_id=b fd=fd1\n"
                           "4 get_hw_info dev_id=dev0 fd=fd1\n");
    REQUIRE(log.size() == 9);
    CHECK(log[6] == "7 device_attach ok pt_id=3");
    CHECK(log[7] == "8 device_attach err EPERM");
    CHECK(log[8] == "9 get_hw_info err EPERM");
}

// ioas_map process=P was checked and then ignored: the fd owner's pages were mapped.
TEST_CASE("Replay: ioas_map with process= maps that process's pages", "[replay][isolation]") {
    Rig r;
    const auto log = r.run(std::string(kPrologue) +
                           "0 process name=p1 user=u1 rlimit_memlock=1G\n"
                           "0 mmap process=p1 user_va=0x7e0000000000 length=64K\n"
                           "1 device_attach dev_id=dev0 pt_id=ioas0\n"
                           "2 ioas_map ioas_id=ioas0 flags=readable process=p1 user_va=0x7e0000000000 length=8K\n"
                           "3 ioas_map ioas_id=ioas0 flags=readable user_va=0x7e0000000000 length=8K\n");
    REQUIRE(log.size() == 9);
    CHECK(log[7] == "8 ioas_map ok iova=0x2000");  // p1 has memory there
    CHECK(log[8] == "9 ioas_map err EFAULT");      // p0, the fd's owner, has none
    CHECK(r.replayer.process("p1")->frame(0x7e0000001000).has_value());
}
