#include "models/tlm/payload_pool.h"

namespace tlmx {

PayloadPool::PayloadPool() = default;
PayloadPool::~PayloadPool() = default;

tlm::tlm_generic_payload* PayloadPool::acquire(size_t bytes) {
    if (free_.empty()) {
        slots_.push_back(std::make_unique<Slot>(this));
        free_.push_back(slots_.back().get());
    }
    Slot* s = free_.back();
    free_.pop_back();
    if (s->data.size() < bytes) s->data.resize(bytes);
    s->set_data_ptr(s->data.data());
    s->set_data_length(unsigned(bytes));
    s->set_streaming_width(unsigned(bytes));
    s->set_byte_enable_ptr(nullptr);
    s->set_byte_enable_length(0);
    s->set_dmi_allowed(false);
    s->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    s->attr().clear();
    s->acquire();
    return s;
}

void PayloadPool::free(tlm::tlm_generic_payload* gp) {
    free_.push_back(static_cast<Slot*>(gp));
}

}  // namespace tlmx
