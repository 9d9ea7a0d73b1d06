#include "platforms/vtd_boot.h"

#include <map>

#include "models/vtd/regs.h"
#include "tests/support/vtd_tables.h"

namespace platform {

void enable_translation(vtd::RemappingUnit& unit) {
    const auto gsts = [&] { return uint32_t(unit.read(vtd::reg::GSTS, 4)) & ~vtd::gcmd::SRTP; };
    unit.write(vtd::reg::GCMD, gsts() | vtd::gcmd::SRTP, 4);
    unit.write(vtd::reg::GCMD, gsts() | vtd::gcmd::TE, 4);
}

uint64_t boot_identity_map(vtd::RemappingUnit& unit, memory::SparseMemory& mem,
                       const BootMapParams& p, const std::vector<pcie::GeneratorParams>& devs) {
    if (p.map == "none") return p.table_base;
    vtdtest::TableBuilder tables(mem, p.table_base);
    std::map<uint16_t, uint64_t> sl_root;  // requester ID -> its second-level table
    uint64_t rtaddr = 0;
    vtdtest::SlLeaf leaf;
    leaf.snp = p.snoop;
    for (size_t i = 0; i < devs.size(); ++i) {
        const uint16_t rid = uint16_t(devs[i].requester_id);
        auto [it, fresh] = sl_root.try_emplace(rid, 0);
        if (fresh) {
            it->second = tables.new_table();
            vtdtest::ContextSpec c;
            c.slptptr = it->second;
            c.aw = vtdtest::aw_for_levels(int(p.levels));
            c.did = uint16_t(i + 1);
            rtaddr = tables.set_legacy_context(uint8_t(rid >> 8), uint8_t(rid), c);
        }
        const uint64_t ps = p.page_size;
        const uint64_t end = (devs[i].base + devs[i].window + ps - 1) & ~(ps - 1);
        for (uint64_t a = devs[i].base & ~(ps - 1); a < end; a += ps)
            tables.map_second_level(it->second, int(p.levels), a, a, vtdtest::PageSize(ps), leaf);
    }
    unit.write(vtd::reg::RTADDR, rtaddr, 8);
    enable_translation(unit);
    return tables.next_free();
}

}  // namespace platform
