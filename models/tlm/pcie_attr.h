// The PCIe attributes of a request, carried with every transaction in one TLM
// extension (PCIe Base Specification, TLP header fields), plus what the root complex
// or IOMMU resolves for the memory side.
#pragma once

#include <cstdint>

#include <tlm>

namespace tlmx {

// PCIe AT field (TLP header bits 11:10 of byte 2, PCIe Base Spec "Address Type").
enum class AddressType : uint8_t {
    Untranslated = 0b00,
    TranslationRequest = 0b01,
    Translated = 0b10,
};

// What a TLP is beyond a memory request. A message is posted and carries no data:
// a Page Request Message (PCIe 10.4.1) has its page address in the payload's address,
// its R/W in read/write below, PASID/priv/exec above, and the PRG fields.
enum class Message : uint8_t { None, PageRequest };

struct PcieAttr : tlm::tlm_extension<PcieAttr> {
    uint16_t requester_id = 0;      // bus[15:8] device[7:3] function[2:0]
    uint32_t pasid = 0;             // 20 bits, valid when pasid_valid
    bool pasid_valid = false;
    bool privileged = false;        // PASID prefix: privileged mode requested
    bool execute = false;           // PASID prefix: execute requested
    bool no_snoop = false;          // attr[0]
    bool relaxed_ordering = false;  // attr[1]
    AddressType at = AddressType::Untranslated;
    bool no_write = false;          // Translation Request: NW, read-only access asked for
    uint8_t traffic_class = 0;      // TC, 3 bits
    uint16_t tag = 0;               // the requester's tag for this request
    Message message = Message::None;
    bool pr_read = false, pr_write = false;  // Page Request: access asked for
    bool pr_last = false;                    // Page Request: L, closes the group
    uint16_t prg_index = 0;                  // Page Request Group index, 9 bits

    // Simulator bookkeeping, not TLP fields.
    uint16_t port = 0;      // root port the request entered by (set by the RootComplex)
    bool snoop = true;      // resolved memory attribute: does the access snoop CPU caches
    uint64_t iova = 0;      // the untranslated address, restored by the IOMMU on the way back
    uint64_t iommu_in_ps = 0;  // when the IOMMU accepted the request
    uint64_t flow = 0;         // --timeline: links the device's span to the IOMMU's (0: none)
    uint64_t ats_iova = 0;     // Translated request: the IOVA the device translated from
                               // (for the isolation check; no TLP carries it)

    void clear() { *this = PcieAttr(); }
    tlm::tlm_extension_base* clone() const override { return new PcieAttr(*this); }
    void copy_from(const tlm::tlm_extension_base& e) override {
        *this = static_cast<const PcieAttr&>(e);
    }
};

// A generic payload that carries its PcieAttr. Every transaction of the PCIe side is
// one (PayloadPool's, the IOMMU's table accesses), so that a hop finds the attributes
// with a load instead of the library's out-of-line extension look-up, four calls a DMA.
// The PcieAttr is the payload's extension too, for code that asks the TLM way, and the
// payload's destructor frees it.
class PciePayload : public tlm::tlm_generic_payload {
public:
    explicit PciePayload(tlm::tlm_mm_interface* mm = nullptr)
        : tlm::tlm_generic_payload(mm), attr_(new PcieAttr) {
        set_extension(attr_);
    }
    PcieAttr& attr() const { return *attr_; }

private:
    PcieAttr* attr_;
};

// The PcieAttr of a payload of the PCIe side, which is always a PciePayload (the
// sanitizer build's UBSan checks the cast).
inline PcieAttr& attr(tlm::tlm_generic_payload& gp) { return static_cast<PciePayload&>(gp).attr(); }

}  // namespace tlmx
