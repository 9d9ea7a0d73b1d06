#include "models/smmuv3/page_request.h"

#include "models/smmuv3/bits.h"

namespace smmuv3 {

std::array<uint64_t, 2> encode_page_request(const PageRequest& p) {
    const uint64_t dw0 = place(p.sid, 31, 0) | place(p.ssv ? p.ssid : 0, 51, 32) | place(p.priv, 58, 58) |
                         place(p.exec, 59, 59) | place(p.read, 60, 60) | place(p.write, 61, 61) |
                         place(p.last, 62, 62) | place(p.ssv, 63, 63);
    const uint64_t dw1 = place(p.prg_index, 8, 0) | (p.addr & ~uint64_t(0xfff));
    return {dw0, dw1};
}

}  // namespace smmuv3
