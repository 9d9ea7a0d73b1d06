#include "platforms/trace_recorder.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "models/sim/error.h"
#include "models/sim/format.h"
#include "models/tlm/pcie_attr.h"
#include "platforms/system.h"

namespace platform {

void TraceRecorder::watch(System& sys) {
    for (size_t i = 0; i < sys.devices(); ++i) {
        const uint16_t dev = uint16_t(i);
        sys.device(i).on_issue([this, dev](tlm::tlm_generic_payload& gp, const sc_core::sc_time& at) {
            const tlmx::PcieAttr& a = tlmx::attr(gp);
            dmas_.push_back({at.value(), seq_++, gp.get_address(), gp.get_data_length(), a.pasid, dev,
                             gp.is_read(), a.pasid_valid, a.no_snoop, a.privileged, a.execute});
        });
    }
}

void TraceRecorder::control(const trace::Op& op) { controls_.push_back({seq_++, op}); }

trace::Op TraceRecorder::op_of(const Dma& d) const {
    trace::Op op;
    op.time_ps = d.time_ps;
    op.op = "dma";
    op.args = {{"dev", "dev" + std::to_string(d.dev)},
               {"iova", sim::hex(d.iova)},
               {"length", std::to_string(d.length)},
               {"dir", d.read ? "read" : "write"}};
    if (d.pasid_valid) op.args.emplace_back("pasid", sim::hex(d.pasid));
    if (d.no_snoop) op.args.emplace_back("nosnoop", "");
    if (d.privileged) op.args.emplace_back("priv", "");
    if (d.execute) op.args.emplace_back("exec", "");
    return op;
}

// Merged by time, then by the order things happened (atomic-mode devices run ahead of
// the kernel's clock, so their records can come early).
bool TraceRecorder::write(const std::string& path) const {
    std::ofstream out(path);
    if (!out) return false;
    std::vector<Dma> dmas = dmas_;
    std::stable_sort(dmas.begin(), dmas.end(), [](const Dma& a, const Dma& b) { return a.time_ps < b.time_ps; });
    out << "# recorded by iommu-sim: replay with iommu-sim replay --config <the same> --trace <this>\n";
    size_t c = 0;
    for (const Dma& d : dmas) {
        for (; c < controls_.size() && controls_[c].op.time_ps <= d.time_ps &&
               (controls_[c].op.time_ps < d.time_ps || controls_[c].seq < d.seq);
             ++c)
            out << trace::format(controls_[c].op) << "\n";
        out << trace::format(op_of(d)) << "\n";
    }
    for (; c < controls_.size(); ++c) out << trace::format(controls_[c].op) << "\n";
    out.close();  // a full disk shows only when the buffer is flushed
    return bool(out);
}

}  // namespace platform
