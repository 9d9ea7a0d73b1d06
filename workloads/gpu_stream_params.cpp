#include "workloads/gpu_stream_params.h"

#include "models/sim/error.h"
#include "models/sim/params.h"

namespace workload {

void GpuStreamParams::bind(sim::ParamBinder& b) {
    b.u32("device", device, "", "the platform device that is the GPU's copy engine", 0, 255);
    b.u64("transfers", transfers, "", "copies, issued in order", 1, uint64_t(1) << 32);
    b.u64("transfer_size", transfer_size, "B", "bytes per copy (a multiple of 4K)", 4096, uint64_t(1) << 34);
    b.u32("buffers", buffers, "", "host buffers the copies cycle through", 1, 1024);
    b.u32("depth", depth, "", "copies queued on the device at once", 1, 64);
    b.f64("read_fraction", read_fraction, "", "share of host-to-device copies (the device reads host memory)",
          0, 1);
    b.u64("request", request, "B", "bytes per DMA request of the copy engine (a divisor of 4K)", 64, 4096);
    b.flag("hugepages", hugepages, "host buffers backed by 2 MiB pages (2 MiB IOMMU leaves)");
    b.choice("mapping", mapping, {"persistent", "per_transfer"},
             "persistent: buffers mapped once; per_transfer: mapped before each copy, unmapped after");
}

void GpuStreamParams::validate() const {
    if (transfer_size % 4096) throw sim::InputError("transfer_size: not a multiple of 4K");
    if (4096 % request) throw sim::InputError("request: does not divide 4096");
    if (depth > buffers) throw sim::InputError("depth|buffers: more copies in flight than buffers");
}

}  // namespace workload
