// One AMD-Vi translation in a walker slot: the device table entry fetch (four 8-byte
// reads, unless the DTE cache holds it), then the host table walk (host_walk.h) or,
// for a request with a PASID on a DTE with GV=1, the guest walk (guest_walk.h). DTE
// reads are walk reads too, so the timing shell charges them like table reads. The
// slot holds the state; AmdviUnit decides each step (device_walk.cpp).
#pragma once

#include <cstdint>

#include "models/amdvi/dte.h"
#include "models/amdvi/event.h"
#include "models/amdvi/guest_walk.h"
#include "models/amdvi/host_walk.h"
#include "models/iommu/translator.h"

namespace amdvi {

class AmdviUnit;

class WalkSlot final : public iommu::Walk {
public:
    enum class Phase { Dte, Host, Guest, Done };

    bool done() const override { return phase == Phase::Done; }
    uint64_t read_address() const override {
        if (phase == Phase::Guest) return guest.read_address();
        return phase == Phase::Host ? host.read_address() : dte_addr + 8 * index;
    }
    bool write_pending() const override {
        return (phase == Phase::Host && host.write_pending()) || (phase == Phase::Guest && guest.write_pending());
    }
    uint64_t write_value() const override {
        if (phase == Phase::Guest) return guest.write_value();
        return phase == Phase::Host ? host.write_value() : 0;
    }
    void supply(uint64_t qword, bool ok) override;
    const iommu::Result* outcome() const override { return &result; }

    // Set by AmdviUnit::begin.
    AmdviUnit* owner = nullptr;
    iommu::Request request{};
    Phase phase = Phase::Done;
    uint64_t dte_addr = 0;
    unsigned index = 0;
    uint64_t q[4] = {};
    unsigned dte_reads = 0;
    bool dte_fetched = false;  // read from memory and decoded: the DTE cache may keep it
    Dte dte;
    HostWalk host;
    bool host_started = false;
    bool walked = false;       // the host walk translated (the IOTLB may keep it)
    GuestWalk guest;
    bool guest_walked = false; // the guest walk translated (the IOTLB may keep it)
    bool event_at_request = true;  // the event's address is the request's (merged())
    // The outcome: the translation, or the event and whether it is logged.
    iommu::Result result{};
    Event event{};
    bool record = false;
};

}  // namespace amdvi
