// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The pool's per-origin bookkeeping, sans I/O: the cap, the kept-alive connections, the
// queue of waiting requests and their deadlines, driven with fake connections and a fake
// clock. The last case walks thousands of seeded random schedules (arrivals, answers,
// connect failures, peers closing idle connections, deadlines, aborts, late wake-ups, the
// idle reaper) and checks the invariants after every step.
#include <gapi/http/detail/origin_slots.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using gapi::http::detail::grant;
using gapi::http::detail::origin_slots;

namespace {

using time_point = std::chrono::steady_clock::time_point;

/// What the test knows about every connection, kept after the slots let go of it.
struct connection_record {
    bool peer_closed = false;
    bool closed = false;
    int checks = 0; // how often the slots asked whether it looks alive
    time_point released{}; // when it last went back to the slots
};

struct fake_connection {
    int id;
    std::map<int, connection_record>* records;

    bool looks_alive() {
        auto& record = (*records)[id];
        ++record.checks;
        return !record.peer_closed;
    }
    void close() { (*records)[id].closed = true; }
};

struct fake_waiter {
    int request;
    std::vector<int>* woken;
    grant<fake_connection> granted;

    void wake() { woken->push_back(request); }
};

using slots_type = origin_slots<fake_connection, fake_waiter>;
using outcome = slots_type::outcome;

/// A fake clock and fake connections around one origin's slots.
struct harness {
    explicit harness(std::size_t cap, slots_type::duration check_after = slots_type::duration::zero())
        : slots(cap, check_after) {}

    std::unique_ptr<fake_connection> connect() {
        int const id = next_connection++;
        records[id];
        return std::make_unique<fake_connection>(fake_connection{id, &records});
    }
    std::shared_ptr<fake_waiter> waiter(int request) {
        return std::make_shared<fake_waiter>(fake_waiter{.request = request, .woken = &woken, .granted = {}});
    }

    slots_type slots;
    time_point now{};
    std::map<int, connection_record> records;
    std::vector<int> woken;
    int next_connection = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(transport_slots)

BOOST_AUTO_TEST_CASE(requests_past_the_cap_wait_and_are_served_in_arrival_order) {
    harness h(2);
    auto a = h.slots.admit(h.now);
    auto b = h.slots.admit(h.now);
    BOOST_TEST((a.slot && b.slot));
    BOOST_TEST(h.slots.open() == 2u);
    BOOST_TEST(!h.slots.admit(h.now).granted()); // at the cap: must wait
    auto w1 = h.waiter(1), w2 = h.waiter(2), w3 = h.waiter(3);
    h.slots.enqueue(w1);
    h.slots.enqueue(w2);
    h.slots.enqueue(w3);
    BOOST_TEST(h.slots.waiting() == 3u);

    auto first = h.connect();
    auto* const first_ptr = first.get();
    h.slots.release(std::move(first), h.now); // kept alive: handed straight to the first waiter
    BOOST_TEST(h.woken == std::vector<int>{1});
    BOOST_TEST(h.slots.idle() == 0u);
    std::unique_ptr<fake_connection> got;
    BOOST_TEST((h.slots.settle(w1, false, h.now, got) == outcome::use_connection));
    BOOST_TEST(got.get() == first_ptr);

    h.slots.discard(h.connect()); // closed: its place goes to the second waiter
    BOOST_TEST(h.woken == (std::vector<int>{1, 2}));
    BOOST_TEST(h.slots.open() == 2u);
    std::unique_ptr<fake_connection> none;
    BOOST_TEST((h.slots.settle(w2, false, h.now, none) == outcome::open_connection));
    BOOST_TEST(!none);

    h.slots.release_slot(); // the second's connect failed: the third gets the place
    BOOST_TEST(h.woken == (std::vector<int>{1, 2, 3}));
    BOOST_TEST(h.slots.waiting() == 0u);
    BOOST_TEST(h.slots.open() == 2u);
}

BOOST_AUTO_TEST_CASE(the_most_recent_live_connection_is_reused_and_dead_ones_are_closed) {
    harness h(3);
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(h.slots.admit(h.now).slot);
    auto c0 = h.connect(), c1 = h.connect(), c2 = h.connect();
    h.slots.release(std::move(c0), h.now);
    h.slots.release(std::move(c1), h.now + 1s);
    h.slots.release(std::move(c2), h.now + 2s);
    BOOST_TEST(h.slots.idle() == 3u);

    h.records[2].peer_closed = true; // the most recent one died while idle
    h.now += 2s;
    auto reused = h.slots.admit(h.now);
    BOOST_TEST_REQUIRE(reused.connection);
    BOOST_TEST(reused.connection->id == 1);
    BOOST_TEST(h.records[2].closed);
    BOOST_TEST(h.slots.open() == 2u); // the dead one gave its place back
    BOOST_TEST(h.slots.idle() == 1u);

    h.records[0].peer_closed = true;
    auto fresh = h.slots.admit(h.now); // no live idle connection: a place to open one
    BOOST_TEST(!fresh.connection);
    BOOST_TEST(fresh.slot);
    BOOST_TEST(h.records[0].closed);
    BOOST_TEST(h.slots.open() == 2u);
}

BOOST_AUTO_TEST_CASE(a_connection_idle_for_less_than_the_check_delay_is_reused_unchecked) {
    harness h(1, 100ms);
    BOOST_TEST(h.slots.admit(h.now).slot);
    h.slots.release(h.connect(), h.now);
    h.records[0].peer_closed = true; // closed by the server right after its answer

    h.now += 99ms; // reused soon: taken as alive, without asking (the use will find out)
    auto soon = h.slots.admit(h.now);
    BOOST_TEST_REQUIRE(soon.connection);
    BOOST_TEST(soon.connection->id == 0);
    BOOST_TEST(h.records[0].checks == 0);
    BOOST_TEST(!h.records[0].closed);

    h.slots.release(std::move(soon.connection), h.now);
    h.now += 100ms; // idle for the whole delay: asked, found closed, its place freed
    auto later = h.slots.admit(h.now);
    BOOST_TEST(!later.connection);
    BOOST_TEST(later.slot);
    BOOST_TEST(h.records[0].checks == 1);
    BOOST_TEST(h.records[0].closed);
    BOOST_TEST(h.slots.open() == 1u);

    h.slots.release(h.connect(), h.now); // a live one idle for the delay: asked, and reused
    h.now += 100ms;
    auto live = h.slots.admit(h.now);
    BOOST_TEST_REQUIRE(live.connection);
    BOOST_TEST(h.records[1].checks == 1);
}

BOOST_AUTO_TEST_CASE(with_no_check_delay_every_reuse_is_checked) {
    harness h(1);
    BOOST_TEST(h.slots.admit(h.now).slot);
    auto conn = h.connect();
    for (int i = 1; i <= 3; ++i) {
        h.slots.release(std::move(conn), h.now);
        auto reused = h.slots.admit(h.now); // released and reused at the same instant
        BOOST_TEST_REQUIRE(reused.connection);
        BOOST_TEST(h.records[0].checks == i);
        conn = std::move(reused.connection);
    }
}

BOOST_AUTO_TEST_CASE(a_waiter_whose_deadline_passes_leaves_the_queue_and_the_next_is_served) {
    harness h(1);
    BOOST_TEST(h.slots.admit(h.now).slot);
    auto w1 = h.waiter(1), w2 = h.waiter(2);
    h.slots.enqueue(w1);
    h.slots.enqueue(w2);
    h.now += 100ms; // w1's timer fires at its deadline: woken with nothing granted
    std::unique_ptr<fake_connection> out;
    BOOST_TEST((h.slots.settle(w1, true, h.now, out) == outcome::gave_up));
    BOOST_TEST(h.slots.waiting() == 1u);
    BOOST_TEST(h.woken.empty());

    h.slots.release(h.connect(), h.now);
    BOOST_TEST(h.woken == std::vector<int>{2});
    BOOST_TEST((h.slots.settle(w2, false, h.now, out) == outcome::use_connection));
    BOOST_TEST(out);
}

BOOST_AUTO_TEST_CASE(a_grant_that_comes_after_the_deadline_is_passed_on_not_lost) {
    harness h(1);
    BOOST_TEST(h.slots.admit(h.now).slot);
    auto late = h.waiter(1), next = h.waiter(2);
    h.slots.enqueue(late);
    h.slots.enqueue(next);
    // The answer that frees the connection and the late waiter's deadline fall in the
    // same turn: the connection is handed over, then the waiter resumes already late.
    h.slots.release(h.connect(), h.now);
    h.now += 1s;
    std::unique_ptr<fake_connection> out;
    BOOST_TEST((h.slots.settle(late, true, h.now, out) == outcome::gave_up));
    BOOST_TEST(!out);
    BOOST_TEST(h.woken == (std::vector<int>{1, 2})); // given on to the next waiter
    BOOST_TEST((h.slots.settle(next, false, h.now, out) == outcome::use_connection));
    BOOST_TEST(out);
    BOOST_TEST(h.slots.open() == 1u);

    // The same with a place instead of a connection, and nobody behind: the place is freed.
    auto late_again = h.waiter(3);
    h.slots.enqueue(late_again);
    h.slots.discard(std::move(out));
    BOOST_TEST(h.slots.open() == 1u);
    BOOST_TEST((h.slots.settle(late_again, true, h.now, out) == outcome::gave_up));
    BOOST_TEST(h.slots.open() == 0u);
    BOOST_TEST(h.slots.admit(h.now).slot);
}

BOOST_AUTO_TEST_CASE(idle_connections_close_exactly_at_the_idle_timeout) {
    harness h(2);
    constexpr auto idle_timeout = 30s;
    BOOST_TEST(!h.slots.oldest_idle_since());
    BOOST_TEST(h.slots.admit(h.now).slot);
    BOOST_TEST(h.slots.admit(h.now).slot);
    auto const t0 = h.now;
    h.slots.release(h.connect(), t0);
    h.slots.release(h.connect(), t0 + 10s);
    BOOST_TEST((h.slots.oldest_idle_since() == t0));

    h.now = t0 + idle_timeout - 1ns;
    h.slots.close_idle_since(h.now - idle_timeout);
    BOOST_TEST(h.slots.idle() == 2u);
    h.now = t0 + idle_timeout;
    h.slots.close_idle_since(h.now - idle_timeout);
    BOOST_TEST(h.slots.idle() == 1u);
    BOOST_TEST(h.records[0].closed);
    BOOST_TEST(!h.records[1].closed);
    BOOST_TEST(h.slots.open() == 1u);
    BOOST_TEST((h.slots.oldest_idle_since() == t0 + 10s));
    h.now = t0 + 10s + idle_timeout;
    h.slots.close_idle_since(h.now - idle_timeout);
    BOOST_TEST(h.slots.idle() == 0u);
    BOOST_TEST(h.slots.open() == 0u);
    BOOST_TEST(!h.slots.oldest_idle_since());
}

BOOST_AUTO_TEST_CASE(after_close_all_nothing_is_kept_or_handed_on) {
    harness h(1);
    BOOST_TEST(h.slots.admit(h.now).slot);
    h.slots.release(h.connect(), h.now);
    BOOST_TEST(h.slots.admit(h.now).connection); // reuse, then a second connection can't open
    BOOST_TEST(h.slots.open() == 1u);
    auto w = h.waiter(1);
    h.slots.enqueue(w);
    h.slots.close_all();
    auto busy = h.connect();
    auto const busy_id = busy->id;
    h.slots.release(std::move(busy), h.now);
    BOOST_TEST(h.records[busy_id].closed);
    BOOST_TEST(h.woken.empty()); // the pool aborts waiters itself; no grant after shutdown
    BOOST_TEST(h.slots.open() == 0u);
    BOOST_TEST(h.slots.idle() == 0u);
}

namespace {

/// One request of a random schedule, as the pool's coroutine would see it.
struct request_model {
    enum class phase { waiting, woken, connecting, busy, done };
    phase at = phase::waiting;
    std::shared_ptr<fake_waiter> waiter;
    time_point deadline{};
    bool aborted = false;
    std::unique_ptr<fake_connection> connection;
    std::string ended; // how it ended
};

/// A seeded random schedule against one origin's slots: after every step, the slots agree
/// with what the requests hold.
class schedule {
public:
    schedule(std::uint32_t seed, std::size_t cap) : rng_(seed), cap_(cap), h_(cap, check_after) {}

    void run(int steps) {
        for (int i = 0; i < steps; ++i) {
            step(true);
            check();
        }
        // No more arrivals: everything must end, the queue empty, every place idle or free.
        for (int i = 0; i < 100000 && !all_done(); ++i) {
            step(false);
            check();
        }
        BOOST_TEST_REQUIRE(all_done());
        BOOST_TEST(h_.slots.waiting() == 0u);
        BOOST_TEST(h_.slots.open() == h_.slots.idle());
        for (auto const& [id, r] : requests_)
            if (r.ended == "gave up")
                BOOST_TEST((r.aborted || r.deadline <= h_.now));
    }

    std::size_t served() const { return served_; }
    std::size_t gave_up() const { return gave_up_; }
    std::size_t used_closed() const { return used_closed_; }

private:
    std::uint32_t pick(std::uint32_t n) { return rng_() % n; }

    template <class Pred>
    std::optional<int> any_request(Pred pred) {
        std::vector<int> ids;
        for (auto const& [id, r] : requests_)
            if (pred(r))
                ids.push_back(id);
        if (ids.empty())
            return std::nullopt;
        return ids[pick(static_cast<std::uint32_t>(ids.size()))];
    }

    using phase = request_model::phase;

    void step(bool arrivals) {
        switch (pick(9)) {
        case 0:
        case 1:
            if (arrivals)
                arrive();
            break;
        case 2:
            if (auto id = any_request([](auto const& r) { return r.at == phase::connecting; })) {
                auto& r = requests_[*id];
                if (pick(4) == 0) { // the connect failed
                    h_.slots.release_slot();
                    end(r, "connect failed");
                } else {
                    r.connection = h_.connect();
                    r.at = phase::busy;
                }
            }
            break;
        case 3:
            if (auto id = any_request([](auto const& r) { return r.at == phase::busy; })) {
                auto& r = requests_[*id];
                auto& record = h_.records[r.connection->id];
                BOOST_TEST_REQUIRE(!record.closed);
                if (record.peer_closed) { // reused unchecked, and the use found it closed
                    h_.slots.discard(std::move(r.connection));
                    end(r, "failed");
                    break;
                }
                if (pick(3) == 0) {
                    h_.slots.discard(std::move(r.connection)); // Connection: close
                } else {
                    record.released = h_.now;
                    h_.slots.release(std::move(r.connection), h_.now);
                }
                ++served_;
                end(r, "served");
            }
            break;
        case 4: { // a peer closes one of the idle connections
            auto const in_use = held();
            for (auto& [id, record] : h_.records)
                if (!record.closed && !record.peer_closed && !in_use.contains(id) && pick(3) == 0) {
                    record.peer_closed = true;
                    break;
                }
            break;
        }
        case 5: // time passes: the timers of waiters whose deadline came fire
            h_.now += std::chrono::milliseconds(1 + pick(20));
            for (auto& [id, r] : requests_)
                if (r.at == phase::waiting && r.deadline <= h_.now)
                    r.at = phase::woken;
            break;
        case 6:
            if (auto id = any_request([](auto const& r) { return r.at == phase::waiting; })) {
                auto& r = requests_[*id];
                r.aborted = true;
                r.at = phase::woken;
            }
            break;
        case 7:
        case 8:
            if (auto id = any_request([](auto const& r) { return r.at == phase::woken; }))
                resume(requests_[*id]);
            else if (pick(2) == 0)
                h_.slots.close_idle_since(h_.now - idle_timeout);
            break;
        }
        // Grants wake waiters through fake_waiter::wake; mark them and check the order.
        for (; woken_seen_ < h_.woken.size(); ++woken_seen_) {
            int const id = h_.woken[woken_seen_];
            BOOST_TEST_REQUIRE(!queue_.empty());
            BOOST_TEST_REQUIRE(queue_.front() == id); // first come, first served
            queue_.pop_front();
            auto& r = requests_[id];
            BOOST_TEST_REQUIRE((r.at == phase::waiting || r.at == phase::woken));
            r.at = phase::woken;
        }
    }

    void arrive() {
        if (requests_.size() >= 400)
            return;
        int const id = next_request_++;
        auto& r = requests_[id];
        auto admitted = h_.slots.admit(h_.now);
        if (admitted.connection) {
            // Closed by its peer only if idle for less than the check delay (not asked).
            auto const& record = h_.records[admitted.connection->id];
            if (record.peer_closed) {
                BOOST_TEST_REQUIRE((h_.now - record.released < check_after));
                ++used_closed_;
            }
            r.connection = std::move(admitted.connection);
            r.at = phase::busy;
        } else if (admitted.slot) {
            r.at = phase::connecting;
        } else {
            r.deadline = h_.now + std::chrono::milliseconds(5 + pick(60));
            r.waiter = h_.waiter(id);
            h_.slots.enqueue(r.waiter);
            queue_.push_back(id);
        }
    }

    void resume(request_model& r) {
        bool const giving_up = r.aborted || h_.now >= r.deadline;
        bool const was_granted = r.waiter->granted.granted();
        if (giving_up && r.waiter->granted.connection) // passed on, idle from now if nobody waits
            h_.records[r.waiter->granted.connection->id].released = h_.now;
        std::unique_ptr<fake_connection> out;
        switch (h_.slots.settle(r.waiter, giving_up, h_.now, out)) {
        case outcome::use_connection:
            BOOST_TEST_REQUIRE(!giving_up);
            BOOST_TEST_REQUIRE(out);
            r.connection = std::move(out);
            r.at = phase::busy;
            break;
        case outcome::open_connection:
            BOOST_TEST_REQUIRE(!giving_up);
            r.at = phase::connecting;
            break;
        case outcome::gave_up:
            BOOST_TEST_REQUIRE(giving_up);
            if (!was_granted) // it left the queue itself
                queue_.erase(std::find(queue_.begin(), queue_.end(), r.waiter->request));
            end(r, "gave up");
            ++gave_up_;
            break;
        }
        BOOST_TEST_REQUIRE(!r.waiter->granted.granted()); // nothing stays with a settled waiter
    }

    void end(request_model& r, std::string how) {
        r.at = phase::done;
        r.ended = std::move(how);
    }

    // The connections requests hold, or were handed and hold once they resume.
    std::set<int> held() const {
        std::set<int> ids;
        for (auto const& [id, r] : requests_) {
            if (r.connection)
                ids.insert(r.connection->id);
            if (r.waiter && r.waiter->granted.connection)
                ids.insert(r.waiter->granted.connection->id);
        }
        return ids;
    }

    bool all_done() const {
        return std::all_of(requests_.begin(), requests_.end(), [](auto const& e) { return e.second.at == phase::done; });
    }

    void check() {
        std::size_t holding = 0;
        std::size_t ungranted_waiters = 0;
        std::set<int> held_connections;
        for (auto const& [id, r] : requests_) {
            if (r.at == phase::connecting || r.at == phase::busy)
                ++holding;
            if (r.connection) {
                BOOST_TEST_REQUIRE(!h_.records[r.connection->id].closed);
                BOOST_TEST_REQUIRE(held_connections.insert(r.connection->id).second); // never shared
            }
            if ((r.at == phase::waiting || r.at == phase::woken) && r.waiter) {
                auto const& g = r.waiter->granted;
                if (g.granted())
                    ++holding;
                else
                    ++ungranted_waiters;
                if (g.connection) {
                    BOOST_TEST_REQUIRE(!h_.records[g.connection->id].closed);
                    BOOST_TEST_REQUIRE(held_connections.insert(g.connection->id).second);
                }
            }
        }
        BOOST_TEST_REQUIRE(h_.slots.open() <= cap_);
        BOOST_TEST_REQUIRE(h_.slots.open() == holding + h_.slots.idle()); // no place leaks
        BOOST_TEST_REQUIRE(h_.slots.waiting() == ungranted_waiters);
        BOOST_TEST_REQUIRE(queue_.size() == ungranted_waiters);
        if (h_.slots.waiting() > 0) { // nobody waits while something could serve it
            BOOST_TEST_REQUIRE(h_.slots.idle() == 0u);
            BOOST_TEST_REQUIRE(h_.slots.open() == cap_);
        }
    }

    static constexpr auto idle_timeout = 50ms;
    static constexpr auto check_after = 10ms;
    std::mt19937 rng_;
    std::size_t cap_;
    harness h_;
    std::map<int, request_model> requests_;
    std::deque<int> queue_; // the waiters in arrival order, as the slots must serve them
    std::size_t woken_seen_ = 0;
    int next_request_ = 0;
    std::size_t served_ = 0;
    std::size_t gave_up_ = 0;
    std::size_t used_closed_ = 0;
};

} // namespace

BOOST_AUTO_TEST_CASE(random_schedules_keep_the_cap_the_order_and_every_connection) {
    std::size_t served = 0;
    std::size_t gave_up = 0;
    std::size_t used_closed = 0;
    for (std::uint32_t seed = 1; seed <= 600; ++seed) {
        BOOST_TEST_CONTEXT("seed " << seed) {
            schedule s(seed, 1 + seed % 4);
            s.run(600);
            served += s.served();
            gave_up += s.gave_up();
            used_closed += s.used_closed();
        }
    }
    // The schedules reach both endings often, or they would prove little.
    BOOST_TEST(served > 10000u);
    BOOST_TEST(gave_up > 1000u);
    BOOST_TEST(used_closed > 100u); // connections reused unchecked that the peer had closed
}

BOOST_AUTO_TEST_SUITE_END()
