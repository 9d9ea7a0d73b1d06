// AMD-Vi commands (48882 §2.4): every opcode decodes from the test encoder's dwords with
// its fields; reserved bits, reserved opcodes and commands needing an absent feature are
// illegal; the S size encoding gives the spec's ranges.
#include <catch2/catch.hpp>

#include "models/amdvi/command.h"
#include "tests/support/amdvi_cmd/amdvi_cmd_encoding.h"

using namespace amdvi;
namespace enc = amdvi_cmd_enc;

namespace {
std::optional<Command> dec(const enc::Cmd& c) { return decode_command(c); }
}  // namespace

TEST_CASE("amdvi cmd: COMPLETION_WAIT fields", "[amdvi][command]") {
    const auto c = dec(enc::completion_wait(true, true, false, 0x000f123456789ab8ull, 0xfeedface00c0ffeeull));
    REQUIRE(c);
    CHECK(c->op == CommandOp::COMPLETION_WAIT);
    CHECK(c->store);
    CHECK(c->interrupt);
    CHECK_FALSE(c->flush);
    CHECK(c->store_addr == 0x000f123456789ab8ull);
    CHECK(c->store_data == 0xfeedface00c0ffeeull);
    // Written from the figure: S and I in dword 0 bits 1:0, address 51:32 in dword 1 19:0.
    CHECK(enc::completion_wait(true, true, false, 0x000f123456789ab8ull, 1) ==
          enc::Cmd{0x56789abb, 0x100f1234, 1, 0});

    const auto f = dec(enc::completion_wait(false, false, true, 0x1000, 0));
    REQUIRE(f);
    CHECK((f->flush && !f->store && !f->interrupt));
}

TEST_CASE("amdvi cmd: device-table and interrupt-table invalidations", "[amdvi][command]") {
    auto c = dec(enc::invalidate_devtab_entry(0xbeef));
    REQUIRE(c);
    CHECK(c->op == CommandOp::INVALIDATE_DEVTAB_ENTRY);
    CHECK(c->devid == 0xbeef);
    c = dec(enc::invalidate_interrupt_table(0x0123));
    REQUIRE(c);
    CHECK(c->op == CommandOp::INVALIDATE_INTERRUPT_TABLE);
    CHECK(c->devid == 0x0123);
    c = dec(enc::invalidate_iommu_all());
    REQUIRE(c);
    CHECK(c->op == CommandOp::INVALIDATE_IOMMU_ALL);
}

TEST_CASE("amdvi cmd: INVALIDATE_IOMMU_PAGES fields", "[amdvi][command]") {
    const auto c = dec(enc::invalidate_iommu_pages(0xa55a, 0xfedcb, 0xffff800012345000ull, true, true, true));
    REQUIRE(c);
    CHECK(c->op == CommandOp::INVALIDATE_IOMMU_PAGES);
    CHECK(c->domain == 0xa55a);
    CHECK(c->pasid == 0xfedcb);
    CHECK(c->addr == 0xffff800012345000ull);
    CHECK((c->size && c->pde && c->gn));
    const auto plain = dec(enc::invalidate_iommu_pages(7, 0, 0x5000, false, false, false));
    REQUIRE(plain);
    CHECK((!plain->size && !plain->pde && !plain->gn && plain->domain == 7));
}

TEST_CASE("amdvi cmd: INVALIDATE_IOTLB_PAGES gathers the PASID from three places", "[amdvi][command]") {
    const auto c = dec(enc::invalidate_iotlb_pages(0x0810, 0xabcde, 32, 0x0810, 0x7fff000, true, true));
    REQUIRE(c);
    CHECK(c->op == CommandOp::INVALIDATE_IOTLB_PAGES);
    CHECK(c->devid == 0x0810);
    CHECK(c->pasid == 0xabcde);
    CHECK(c->maxpend == 32);
    CHECK(c->queue_id == 0x0810);
    CHECK(c->addr == 0x7fff000);
    CHECK((c->size && c->gn));
    // PASID[15:8] in dword 0 23:16, [7:0] in dword 1 23:16, [19:16] in dword 1 27:24.
    const auto w = enc::invalidate_iotlb_pages(0x0810, 0xabcde, 32, 0x0810, 0x7fff000, true, true);
    CHECK(w[0] == 0x20bc0810u);
    CHECK(w[1] == 0x4ade0810u);
}

TEST_CASE("amdvi cmd: PREFETCH_IOMMU_PAGES and COMPLETE_PPR_REQUEST fields", "[amdvi][command]") {
    auto c = dec(enc::prefetch_iommu_pages(0x44, 0x12345, 9, 0x80000000ull, false, true, true));
    REQUIRE(c);
    CHECK(c->op == CommandOp::PREFETCH_IOMMU_PAGES);
    CHECK((c->devid == 0x44 && c->pasid == 0x12345 && c->pf_count == 9 && c->addr == 0x80000000ull));
    CHECK((c->gn && c->inval && !c->size));

    c = dec(enc::complete_ppr_request(0x0300, 0x54321, true, 0x1a5, 0xf));
    REQUIRE(c);
    CHECK(c->op == CommandOp::COMPLETE_PPR_REQUEST);
    CHECK(c->devid == 0x0300);
    CHECK(c->pasid == 0x54321);
    CHECK(c->gn);
    CHECK(c->prg_index() == 0x1a5);
    CHECK(c->response_code() == 0xf);
}

TEST_CASE("amdvi cmd: a reserved bit set in any command is illegal", "[amdvi][command]") {
    // One reserved bit per format, from each figure.
    CHECK_FALSE(dec(enc::with_bit(enc::completion_wait(true, false, false, 0x1000, 0), 1, 20)));
    CHECK_FALSE(dec(enc::with_bit(enc::invalidate_devtab_entry(1), 0, 16)));
    CHECK_FALSE(dec(enc::with_bit(enc::invalidate_devtab_entry(1), 2, 0)));
    CHECK_FALSE(dec(enc::with_bit(enc::invalidate_iommu_pages(1, 0, 0x1000, false, false, false), 0, 20)));
    CHECK_FALSE(dec(enc::with_bit(enc::invalidate_iommu_pages(1, 0, 0x1000, false, false, false), 1, 16)));
    CHECK_FALSE(dec(enc::with_bit(enc::invalidate_iommu_pages(1, 0, 0x1000, false, false, false), 2, 3)));
    CHECK_FALSE(dec(enc::with_bit(enc::invalidate_iotlb_pages(1, 0, 0, 1, 0x1000, false, false), 2, 1)));
    CHECK_FALSE(dec(enc::with_bit(enc::invalidate_iotlb_pages(1, 0, 0, 1, 0x1000, false, false), 2, 6)));
    CHECK_FALSE(dec(enc::with_bit(enc::invalidate_interrupt_table(1), 3, 31)));
    CHECK_FALSE(dec(enc::with_bit(enc::prefetch_iommu_pages(1, 0, 1, 0x1000, false, false, false), 0, 16)));
    CHECK_FALSE(dec(enc::with_bit(enc::complete_ppr_request(1, 0, false, 0, 0), 2, 0)));
    CHECK_FALSE(dec(enc::with_bit(enc::complete_ppr_request(1, 0, false, 0, 0), 3, 16)));
    CHECK_FALSE(dec(enc::with_bit(enc::invalidate_iommu_all(), 0, 0)));
    // The fields next to them decode.
    CHECK(dec(enc::with_bit(enc::invalidate_iotlb_pages(1, 0, 0, 1, 0x1000, false, false), 2, 4)));
}

TEST_CASE("amdvi cmd: reserved opcodes are illegal", "[amdvi][command]") {
    for (unsigned op : {0u, 9u, 10u, 11u, 12u, 13u, 14u, 15u}) {
        INFO("opcode " << op);
        CHECK_FALSE(dec(enc::raw_opcode(op)));
    }
    CHECK(dec(enc::raw_opcode(8)));
}

TEST_CASE("amdvi cmd: commands that need an absent feature are not supported", "[amdvi][command]") {
    CommandFeatures none;
    CommandFeatures all{true, true, true, true};
    const auto inv_all = *dec(enc::invalidate_iommu_all());
    const auto prefetch = *dec(enc::prefetch_iommu_pages(1, 0, 1, 0x1000, false, false, false));
    const auto ppr = *dec(enc::complete_ppr_request(1, 0, false, 0, 0));
    const auto guest_pages = *dec(enc::invalidate_iommu_pages(1, 5, 0x1000, false, false, true));
    const auto host_pages = *dec(enc::invalidate_iommu_pages(1, 0, 0x1000, false, false, false));
    const auto guest_iotlb = *dec(enc::invalidate_iotlb_pages(1, 5, 0, 1, 0x1000, false, true));
    for (const auto& c : {inv_all, prefetch, ppr, guest_pages, guest_iotlb}) {
        INFO(command_name(c.op));
        CHECK_FALSE(command_supported(c, none));
        CHECK(command_supported(c, all));
    }
    CHECK(command_supported(host_pages, none));
    CHECK(command_supported(*dec(enc::completion_wait(true, true, true, 0x1000, 0)), none));
}

TEST_CASE("amdvi cmd: the S bit's address encoding of a range", "[amdvi][command]") {
    // S = 0: one 4 KiB page, whatever the low bits say.
    auto r = page_range(0x12345fffull, false);
    CHECK((r.first == 0x12345000ull && r.last == 0x12345fffull));
    // Address[12] = 0: 8 KiB.
    r = page_range(0x12344000ull, true);
    CHECK((r.first == 0x12344000ull && r.last == 0x12345fffull));
    // Address[13:12] = 01b: 16 KiB.
    r = page_range(0x12341000ull, true);
    CHECK((r.first == 0x12340000ull && r.last == 0x12343fffull));
    // Address[20:12] all ones, bit 21 clear: 4 MiB aligned.
    r = page_range(0x401ff000ull, true);
    CHECK((r.first == 0x40000000ull && r.last == 0x403fffffull));
    // Linux's CMD_INV_IOMMU_ALL_PAGES_ADDRESS and an all-ones address: everything.
    CHECK(page_range(0x7ffffffffffff000ull, true).all());
    CHECK(page_range(0xfffffffffffff000ull, true).all());
    // Bit 62 the lowest clear one: the upper or lower half of the space.
    r = page_range(0xbffffffffffff000ull, true);
    CHECK((r.first == 0x8000000000000000ull && r.last == ~uint64_t(0)));
}
