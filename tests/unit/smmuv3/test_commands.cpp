// SMMUv3 commands (IHI 0070 chapter 4): every opcode decodes from the test encoder's
// output with its fields; an illegal command (CERROR_ILL) decodes to nullopt.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/smmuv3/command.h"
#include "tests/support/smmuv3/smmu_structs.h"

using namespace smmuv3;

namespace {
std::optional<Command> dec(const smmu_enc::Cmd& c) { return decode_command(c[0], c[1]); }
nlohmann::json json_of(const Command& c) { return nlohmann::json::parse("{" + describe(c) + "}"); }
}  // namespace

TEST_CASE("smmuv3: Configuration invalidation and prefetch commands", "[smmuv3][command]") {
    auto c = dec(smmu_enc::cfgi_ste(0x1234, true));
    REQUIRE(c);
    CHECK(c->op == Opcode::CFGI_STE);
    CHECK(c->sid == 0x1234);
    CHECK(c->leaf);
    // Written from the figure: opcode 0x03, StreamID 63:32, Leaf in dword 1 bit 0.
    CHECK(smmu_enc::cfgi_ste(0x1234, true) == smmu_enc::Cmd{0x0000123400000003ull, 1});

    c = dec(smmu_enc::cfgi_ste_range(0x40, 5));
    REQUIRE(c);
    CHECK(c->op == Opcode::CFGI_STE_RANGE);
    CHECK(c->sid == 0x40);
    CHECK(c->range == 5);
    CHECK_FALSE(c->cfgi_all());
    CHECK(std::string(command_name(*c)) == "CMD_CFGI_STE_RANGE");

    c = dec(smmu_enc::cfgi_all());
    REQUIRE(c);
    CHECK(c->cfgi_all());
    CHECK(std::string(command_name(*c)) == "CMD_CFGI_ALL");

    c = dec(smmu_enc::cfgi_cd(7, 0xabcde, false));
    REQUIRE(c);
    CHECK(c->op == Opcode::CFGI_CD);
    CHECK(c->sid == 7);
    CHECK(c->ssid == 0xabcde);
    CHECK_FALSE(c->leaf);

    c = dec(smmu_enc::cfgi_cd_all(9));
    REQUIRE(c);
    CHECK(c->op == Opcode::CFGI_CD_ALL);
    CHECK(c->sid == 9);

    c = dec(smmu_enc::prefetch_config(3, true, 5));
    REQUIRE(c);
    CHECK(c->op == Opcode::PREFETCH_CONFIG);
    CHECK((c->sid == 3 && c->ssv && c->ssid == 5));

    c = dec(smmu_enc::prefetch_addr(3, false, 0, 0x12345000, 4, 2));
    REQUIRE(c);
    CHECK(c->op == Opcode::PREFETCH_ADDR);
    CHECK(c->addr == 0x12345000);
    CHECK(c->size == 4);
    CHECK(c->stride == 2);
}

TEST_CASE("smmuv3: TLB invalidation commands, with range fields", "[smmuv3][command]") {
    smmu_enc::TlbiRange r;
    r.addr = 0xffff800012345000ull;
    r.leaf = true;
    r.num = 31;
    r.scale = 20;
    r.tg = 1;
    r.ttl = 3;

    auto c = dec(smmu_enc::tlbi_nh_va(0x55, 0xaaaa, r));
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_NH_VA);
    CHECK(c->vmid == 0x55);
    CHECK(c->asid == 0xaaaa);
    CHECK(c->addr == 0xffff800012345000ull);
    CHECK(c->leaf);
    CHECK(c->num == 31);
    CHECK(c->scale == 20);
    CHECK(c->tg == 1);
    CHECK(c->ttl == 3);
    // From the figure: NUM 16:12, SCALE 24:20, VMID 47:32, ASID 63:48; TTL 9:8, TG 11:10.
    CHECK(smmu_enc::tlbi_nh_va(0x55, 0xaaaa, r)[0] == 0xaaaa0055'0141f012ull);
    CHECK(smmu_enc::tlbi_nh_va(0x55, 0xaaaa, r)[1] == 0xffff800012345701ull);

    c = dec(smmu_enc::tlbi_nh_vaa(0x55, r));
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_NH_VAA);
    CHECK(c->asid == 0);
    CHECK(c->addr == r.addr);

    c = dec(smmu_enc::tlbi_nh_all(4));
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_NH_ALL);
    CHECK(c->vmid == 4);
    c = dec(smmu_enc::tlbi_nh_asid(4, 9));
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_NH_ASID);
    CHECK((c->vmid == 4 && c->asid == 9));

    c = dec(smmu_enc::tlbi_el2_all());
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_EL2_ALL);
    c = dec(smmu_enc::tlbi_el2_asid(12));
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_EL2_ASID);
    CHECK(c->asid == 12);
    c = dec(smmu_enc::tlbi_el2_va(12, r));
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_EL2_VA);
    CHECK((c->asid == 12 && c->addr == r.addr && c->num == 31));
    c = dec(smmu_enc::tlbi_el2_vaa(r));
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_EL2_VAA);

    c = dec(smmu_enc::tlbi_s12_vmall(77));
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_S12_VMALL);
    CHECK(c->vmid == 77);

    smmu_enc::TlbiRange ipa;
    ipa.addr = 0x000f000080000000ull;
    ipa.tg = 3;
    ipa.num = 1;
    c = dec(smmu_enc::tlbi_s2_ipa(77, ipa));
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_S2_IPA);
    CHECK(c->addr == 0x000f000080000000ull);
    CHECK(c->tg == 3);
    CHECK(c->num == 1);

    c = dec(smmu_enc::tlbi_nsnh_all());
    REQUIRE(c);
    CHECK(c->op == Opcode::TLBI_NSNH_ALL);
}

TEST_CASE("smmuv3: ATS, PRI, stall and sync commands", "[smmuv3][command]") {
    auto c = dec(smmu_enc::atc_inv(0x10, true, 0x33, true, 0x7000, 52));
    REQUIRE(c);
    CHECK(c->op == Opcode::ATC_INV);
    CHECK((c->sid == 0x10 && c->ssv && c->ssid == 0x33 && c->global));
    CHECK(c->addr == 0x7000);
    CHECK(c->size == 52);

    c = dec(smmu_enc::pri_resp(0x10, true, 2, 0x1ff, pri_resp::SUCCESS));
    REQUIRE(c);
    CHECK(c->op == Opcode::PRI_RESP);
    CHECK(c->prg_index == 0x1ff);
    CHECK(c->resp == pri_resp::SUCCESS);

    c = dec(smmu_enc::resume(0x10, 0xbeef, true, false));
    REQUIRE(c);
    CHECK(c->op == Opcode::RESUME);
    CHECK((c->sid == 0x10 && c->stag == 0xbeef && c->ac && !c->ab));

    c = dec(smmu_enc::stall_term(0x10));
    REQUIRE(c);
    CHECK(c->op == Opcode::STALL_TERM);
    CHECK(c->sid == 0x10);

    for (unsigned cs : {sync_cs::NONE, sync_cs::IRQ, sync_cs::SEV}) {
        c = dec(smmu_enc::sync(cs, 3, 0xf, 0xdeadbeef, 0x80001004));
        REQUIRE(c);
        CHECK(c->op == Opcode::SYNC);
        CHECK(c->cs == cs);
        CHECK(c->msh == 3);
        CHECK(c->msiattr == 0xf);
        CHECK(c->msidata == 0xdeadbeef);
        CHECK(c->msiaddr == 0x80001004);
    }
    // CMD_SYNC, CS=IRQ: opcode 0x46 with CS (13:12) = 0b01.
    CHECK(smmu_enc::sync(sync_cs::IRQ, 0, 0, 0, 0)[0] == 0x1046);
}

TEST_CASE("smmuv3: An illegal command decodes to nullopt (CERROR_ILL)", "[smmuv3][command]") {
    // Reserved, Secure-only and unknown opcodes.
    for (uint64_t op : {0x00ull, 0x07ull, 0x14ull, 0x18ull, 0x1aull, 0x24ull, 0x29ull, 0x31ull, 0x42ull, 0x47ull,
                        0x50ull, 0x60ull, 0xffull}) {
        CAPTURE(op);
        CHECK_FALSE(decode_command(op, 0).has_value());
        CHECK(opcode_name(uint8_t(op)) == nullptr);
    }
    // Reserved field encodings.
    CHECK_FALSE(dec(smmu_enc::sync(3, 0, 0, 0, 0)).has_value());
    CHECK_FALSE(dec(smmu_enc::pri_resp(1, false, 0, 0, 3)).has_value());
    // Bits outside the command's fields: SSV on CFGI_STE, a SubstreamID on TLBI_NH_ALL
    // (NUM/SCALE are only for the VA forms), dword-1 bits on CFGI_CD_ALL, MSIADDR's low bits.
    auto ste = smmu_enc::cfgi_ste(1, false);
    CHECK(dec(ste).has_value());
    CHECK_FALSE(decode_command(ste[0] | (1ull << 11), ste[1]).has_value());
    auto all = smmu_enc::tlbi_nh_all(1);
    CHECK_FALSE(decode_command(all[0] | (1ull << 12), all[1]).has_value());
    auto cdall = smmu_enc::cfgi_cd_all(1);
    CHECK_FALSE(decode_command(cdall[0], 1).has_value());
    auto sync = smmu_enc::sync(0, 0, 0, 0, 0);
    CHECK_FALSE(decode_command(sync[0], 1).has_value());
    auto ipa = smmu_enc::tlbi_s2_ipa(1, {});
    CHECK_FALSE(decode_command(ipa[0], uint64_t(1) << 52).has_value());  // IPA is 51:12
}

TEST_CASE("smmuv3: describe gives a command's name and fields as JSON members", "[smmuv3][command]") {
    smmu_enc::TlbiRange r;
    r.addr = 0x5000;
    r.tg = 1;
    const auto j = json_of(*dec(smmu_enc::tlbi_nh_va(2, 3, r)));
    CHECK(j["cmd"] == "CMD_TLBI_NH_VA");
    CHECK(j["vmid"] == 2);
    CHECK(j["asid"] == 3);
    CHECK(j["addr"] == "0x5000");
    CHECK(j["tg"] == 1);
    CHECK(json_of(*dec(smmu_enc::cfgi_all()))["cmd"] == "CMD_CFGI_ALL");
    const auto s = json_of(*dec(smmu_enc::sync(sync_cs::SEV, 0, 0, 7, 0x1000)));
    CHECK(s["cmd"] == "CMD_SYNC");
    CHECK(s["cs"] == 2);
    CHECK(s["msidata"] == 7);
    // Every opcode the decoder accepts has a name and valid JSON.
    for (unsigned op = 0; op < 256; ++op) {
        const auto c = decode_command(op, 0);
        if (!c) continue;
        CAPTURE(op);
        CHECK(opcode_name(uint8_t(op)) != nullptr);
        CHECK_NOTHROW(json_of(*c));
    }
}
