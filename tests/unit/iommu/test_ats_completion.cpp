// The engine's Translation Completion Data Entry encoder against vectors worked by
// hand from PCIe Base Spec 6.0 10.2.3.2 (entry layout and the S-bit size table).
#include <catch2/catch.hpp>

#include "models/iommu/ats_completion.h"

using iommu::AtsCompletionFields;
using iommu::encode_ats_completion;

TEST_CASE("ATS completion: 4 KiB has S clear, R and W in bits 0 and 1", "[unit][ats]") {
    AtsCompletionFields f;
    f.addr = 0x1234'5000;
    f.read = f.write = true;
    CHECK(encode_ats_completion(f) == 0x1234'5003);
}

TEST_CASE("ATS completion: S set and ones below the size's bit encode the size", "[unit][ats]") {
    AtsCompletionFields f;
    f.read = true;
    f.addr = 0x1234'4000;
    f.size = 8192;  // bit 12 = 0
    CHECK(encode_ats_completion(f) == 0x1234'4801);
    f.addr = 0x4000'0000;
    f.size = 2 << 20;  // bits 19:12 ones, bit 20 zero
    f.no_snoop = true;
    CHECK(encode_ats_completion(f) == 0x400F'FC01);
    f.no_snoop = false;
    f.write = true;
    f.addr = 0x8000'0000;
    f.size = 1 << 30;  // bits 28:12 ones
    CHECK(encode_ats_completion(f) == 0x9FFF'F803);
}

TEST_CASE("ATS completion: U, Priv, Exe, Global bits", "[unit][ats]") {
    AtsCompletionFields f;
    f.addr = 0x7000;
    f.untranslated_only = true;
    f.priv = true;
    f.exec = true;
    f.global = true;
    CHECK(encode_ats_completion(f) == (0x7000 | 0x4 | 0x8 | 0x10 | 0x20));
}

TEST_CASE("ATS completion: a unit answer, and no access is all zero", "[unit][ats]") {
    iommu::Request r;
    r.at = iommu::At::TranslationRequest;
    r.iova = 0x20'0000;
    iommu::Result res;
    res.pa = 0x5'4321'0000 + 0x123;
    res.page_size = 4096;
    res.read = true;
    res.snoop = false;
    CHECK(iommu::ats_completion_of(r, res) == (0x5'4321'0000 | 0x400 | 1));
    res.read = false;
    CHECK(iommu::ats_completion_of(r, res) == 0);
}
