#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include <systemc>

#include "models/sim/rng.h"
#include "models/tlm/payload_pool.h"
#include "models/tlm/pcie_attr.h"
#include "models/tlm/sc_ps.h"
#include "models/tlm/timed_queue.h"

using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

// Serves a TimedQueue<int> as the models do, recording when each item came out.
// While `hold` is set it leaves ready items in the queue, as a model does while its
// output is busy.
struct Server : sc_core::sc_module {
    SC_HAS_PROCESS(Server);
    tlmx::TimedQueue<int> q{"q"};
    std::vector<std::pair<int, double>> served;
    bool hold = false;
    explicit Server(sc_core::sc_module_name n) : sc_module(n) {
        SC_METHOD(serve);
        sensitive << q.event();
        dont_initialize();
    }
    void serve() {
        while (!hold && q.ready()) {
            const int v = q.pop();
            served.push_back({v, sc_core::sc_time_stamp().to_seconds() * 1e9});
            if (v == 1) q.push(3, sc_core::sc_time_stamp() + sc_time(50, SC_NS));
        }
    }
};

struct Driver : sc_core::sc_module {
    SC_HAS_PROCESS(Driver);
    Server& s;
    bool due_at_0 = true, due_at_10 = false, due_at_9 = true;
    Driver(sc_core::sc_module_name n, Server& srv) : sc_module(n), s(srv) { SC_THREAD(run); }
    void run() {
        s.q.push(2, sc_time(20, SC_NS));
        s.q.push(1, sc_time(10, SC_NS));
        s.q.push(4, sc_time(10, SC_NS));  // same time as 1: arrival order
        // due_by() looks at the earliest item (10 ns) whatever came first.
        due_at_0 = s.q.due_by(sc_core::SC_ZERO_TIME);
        due_at_9 = s.q.due_by(sc_time(9, SC_NS));
        due_at_10 = s.q.due_by(sc_time(10, SC_NS));
        wait(sc_time(100, SC_NS));
        // An item due now and one due later: after the first is served (a delta
        // notification), the later one must still come out on time.
        s.q.push(5, sc_core::sc_time_stamp());
        s.q.push(6, sc_core::sc_time_stamp() + sc_time(30, SC_NS));
    }
};

}  // namespace

TEST_CASE("TimedQueue serves items at their time, in time then arrival order", "[tlm]") {
    Server srv("srv");
    Driver drv("drv", srv);
    sc_core::sc_start();
    const std::vector<std::pair<int, double>> want = {
        {1, 10}, {4, 10}, {2, 20}, {3, 60}, {5, 100}, {6, 130}};
    CHECK_FALSE(drv.due_at_0);
    CHECK_FALSE(drv.due_at_9);
    CHECK(drv.due_at_10);
    CHECK_FALSE(srv.q.due_by(sc_time(1, sc_core::SC_SEC)));  // all served: nothing is due
    REQUIRE(srv.served.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("item " << i);
        CHECK(srv.served[i].first == want[i].first);
        CHECK(srv.served[i].second == Approx(want[i].second));
    }
}

TEST_CASE("PayloadPool recycles payloads with a cleared PcieAttr and enough data", "[tlm]") {
    tlmx::PayloadPool pool;
    tlm::tlm_generic_payload* a = pool.acquire(64);
    REQUIRE(a->get_data_length() == 64);
    REQUIRE(a->get_extension<tlmx::PcieAttr>() != nullptr);
    tlmx::attr(*a).requester_id = 0x1234;
    tlmx::attr(*a).no_snoop = true;
    a->set_response_status(tlm::TLM_OK_RESPONSE);
    tlm::tlm_generic_payload* b = pool.acquire(64);
    CHECK(a != b);
    CHECK(pool.in_use() == 2);
    a->release();
    CHECK(pool.in_use() == 1);
    tlm::tlm_generic_payload* c = pool.acquire(4096);  // reuses a, grows its buffer
    CHECK(c == a);
    CHECK(pool.allocated() == 2);
    CHECK(c->get_data_length() == 4096);
    CHECK(tlmx::attr(*c).requester_id == 0);
    CHECK_FALSE(tlmx::attr(*c).no_snoop);
    // attr finds each payload's own extension, the one the library's look-up finds.
    CHECK(&tlmx::attr(*c) == c->get_extension<tlmx::PcieAttr>());
    CHECK(&tlmx::attr(*b) == b->get_extension<tlmx::PcieAttr>());
    CHECK(&tlmx::attr(*b) != &tlmx::attr(*c));
    CHECK(c->get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE);
    c->get_data_ptr()[4095] = 1;  // the whole length is writable (ASan checks)
    b->release();
    c->release();
    CHECK(pool.in_use() == 0);
}

namespace {

// Random pushes from a thread and from inside the serving method, many due "now":
// every item must come out exactly at its due time, once.
struct FuzzServer : sc_core::sc_module {
    SC_HAS_PROCESS(FuzzServer);
    tlmx::TimedQueue<std::pair<int, sc_time>> q{"q"};
    sim::Rng rng{11, "timed-queue"};
    int next_id = 0, served = 0, late = 0, spawned = 0;
    explicit FuzzServer(sc_core::sc_module_name n) : sc_module(n) {
        SC_METHOD(serve);
        sensitive << q.event();
        dont_initialize();
        SC_THREAD(drive);
    }
    sc_time random_delay() { return sc_time(double(rng.uniform(4) * rng.uniform(30)), SC_NS); }
    void add(const sc_time& at) { q.push({next_id++, at}, at); }
    void serve() {
        while (q.ready()) {
            auto item = q.pop();
            ++served;
            if (item.second != sc_core::sc_time_stamp()) ++late;
            if (spawned < 20000 && rng.chance(0.5)) {  // follow-ups, often due now
                ++spawned;
                add(sc_core::sc_time_stamp() + random_delay());
            }
        }
    }
    void drive() {
        for (int i = 0; i < 20000; ++i) {
            add(sc_core::sc_time_stamp() + random_delay());
            if (rng.chance(0.3)) wait(sc_time(double(rng.uniform(20)), SC_NS));
            if (rng.chance(0.1)) wait(sc_core::SC_ZERO_TIME);
        }
    }
};

}  // namespace

TEST_CASE("TimedQueue fuzz: every item out once, exactly on time", "[tlm]") {
    FuzzServer srv("srv");
    sc_core::sc_start();
    CHECK(srv.late == 0);
    CHECK(srv.served == srv.next_id);
    CHECK(srv.q.empty());
    CHECK(srv.served > 30000);
}

TEST_CASE("at_ps gives the sc_time of a picosecond count, as from_value does", "[tlm]") {
    // The project keeps SystemC's default resolution; at_ps relies on it.
    REQUIRE(sc_core::sc_get_time_resolution() == sc_time(1, sc_core::SC_PS));
    sim::Rng rng(7, "at_ps");
    for (int i = 0; i < 1000; ++i) {
        const uint64_t v = rng.next_u64() >> rng.uniform(64);
        CHECK(tlmx::at_ps(v) == sc_time::from_value(v));
        CHECK(tlmx::ps(tlmx::at_ps(v)) == v);
    }
    CHECK(tlmx::at_ps(1500) == sc_time(1.5, SC_NS));
}

TEST_CASE("ns gives a time in ns exactly as to_seconds() * 1e9 does", "[tlm]") {
    // Latency statistics switched from to_seconds to ns: the goldens hold their sums.
    sim::Rng rng(11, "ns");
    int differ = 0;
    for (int i = 0; i < 100000; ++i) {
        const sc_time t = tlmx::at_ps(rng.next_u64() >> rng.uniform(64));
        differ += tlmx::ns(t) != t.to_seconds() * 1e9;
    }
    CHECK(differ == 0);
    CHECK(tlmx::ns(sc_time(1.5, SC_NS)) == Approx(1.5));  // in ns, to to_seconds's rounding
}

namespace {

// Pushes mostly in time order, some out of order and some at equal times, with pops in
// between: every pop must give the earliest item, the first pushed among equal times,
// whether it comes from the in-order ring or from the heap an out-of-order push starts.
struct OrderProbe : sc_core::sc_module {
    SC_HAS_PROCESS(OrderProbe);
    tlmx::TimedQueue<int> q{"q"};
    int mismatches = 0, pops = 0, out_of_order = 0;
    explicit OrderProbe(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
    void run() {
        sim::Rng rng(5, "timed-queue-order");
        std::vector<std::pair<uint64_t, int>> ref;  // (time in ns, id): id is arrival order
        uint64_t last = 0;
        for (int id = 0; id < 20000;) {
            if (ref.empty() || rng.chance(0.6)) {
                const uint64_t at = rng.chance(0.05) ? rng.uniform(last + 1)  // out of order
                                                     : last + rng.uniform(3);  // or equal
                out_of_order += at < last;
                last = std::max(last, at);
                q.push(id, sc_time(double(at), SC_NS));
                ref.push_back({at, id++});
                continue;
            }
            const auto first = std::min_element(ref.begin(), ref.end());
            mismatches += q.pop() != first->second;
            ref.erase(first);
            ++pops;
        }
        while (!ref.empty()) {
            const auto first = std::min_element(ref.begin(), ref.end());
            mismatches += q.pop() != first->second;
            ref.erase(first);
        }
    }
};

}  // namespace

TEST_CASE("TimedQueue: pops in (time, arrival) order across in-order and out-of-order pushes",
          "[tlm]") {
    OrderProbe probe("probe");
    sc_core::sc_start();
    CHECK(probe.mismatches == 0);
    CHECK(probe.q.empty());
    CHECK(probe.pops > 5000);
    CHECK(probe.out_of_order > 200);
}
