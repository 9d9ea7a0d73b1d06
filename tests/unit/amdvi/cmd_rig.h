// An AmdviUnit rig (rig.h) whose command buffer software fills as a driver does:
// commands from the test encoder (tests/support/amdvi_cmd) at the tail of a 256-entry
// buffer at 0x40000, CMD_TAIL written after each batch; a PPR log of 256 entries at
// 0x50000; endpoints that keep what the unit sends them.
#pragma once

#include <vector>

#include "tests/support/amdvi_cmd/amdvi_cmd_encoding.h"
#include "tests/support/fake_endpoints.h"
#include "tests/unit/amdvi/rig.h"

namespace amdvi_rig {

namespace enc = amdvi_cmd_enc;

constexpr uint64_t kCmdBuf = 0x40000, kPprLog = 0x50000;
constexpr uint64_t kLen8 = uint64_t(8) << 56;  // 256 entries
constexpr uint64_t kRingBytes = 256 * 16;

struct CmdRig : Rig {
    testutil::FakeEndpoints devices;
    uint64_t tail = 0;  // software's copy of CMD_TAIL

    // The device table and event log (rig.h), the command buffer and PPR log, IommuEn,
    // EventLogEn, CmdBufEn, PPRLogEn and PPREn, and `more`.
    void start(uint64_t more = 0) {
        unit->endpoints = &devices;
        unit->write(reg::CMD_BUF_BASE, kCmdBuf | kLen8, 8);
        unit->write(reg::PPR_LOG_BASE, kPprLog | kLen8, 8);
        enable(amdvi::ctrl::CMD_BUF_EN | amdvi::ctrl::PPR_LOG_EN | amdvi::ctrl::PPR_EN | more);
    }
    // Writes `c` at the tail (wrapping) without ringing; returns where it went.
    uint64_t put(const enc::Cmd& c) {
        const uint64_t at = kCmdBuf + tail;
        mem.write(at, c.data(), 16);
        tail = (tail + 16) % kRingBytes;
        return at;
    }
    void doorbell() { unit->write(reg::CMD_TAIL, tail, 4); }
    void submit(const std::vector<enc::Cmd>& cmds) {
        for (const auto& c : cmds) put(c);
        doorbell();
    }
    uint64_t status() const { return unit->read(reg::STATUS, 8); }
    uint64_t cmd_head() const { return unit->read(reg::CMD_HEAD, 8); }
    void set_control(uint64_t bits, bool on) {
        const uint64_t c = unit->read(reg::CONTROL, 8);
        unit->write(reg::CONTROL, on ? c | bits : c & ~bits, 8);
    }
    // An event record as the log holds it: two qwords from the encoder's four dwords.
    static std::array<uint64_t, 2> qwords(const enc::Record& r) {
        return {uint64_t(r[1]) << 32 | r[0], uint64_t(r[3]) << 32 | r[2]};
    }
};

}  // namespace amdvi_rig
