// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The retry loop: its decision table, backoff and hints sans I/O, on a fake clock that
// only moves when the loop "sleeps"; then through the public API against the emulator
// with injected faults, asserting what the emulator stored.
#include "../support/run.hpp"
#include "../support/test_server.hpp"

#include <gapi/auth/credential_files.hpp>
#include <gapi/calendar/calendar_service.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>
#include <gapi/gmail/gmail_service.hpp>
#include <gapi/gmail/v1/methods.hpp>
#include <gapi/pipeline/retry.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <deque>
#include <functional>
#include <set>
#include <stdexcept>

namespace asio = boost::asio;
namespace pl = gapi::pipeline;
using namespace std::chrono_literals;
using gapi::api_error;
using gapi::condition;
using gapi::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// An attempt's outcome as the client would report it.
pl::outcome answered(unsigned status, std::string reason = {}, std::string message = {}) {
    pl::outcome o;
    o.response.status = status;
    o.response.exchange.request_written = true;
    o.response.exchange.response_started = true;
    o.response.exchange.attempts = 1;
    if (status / 100 != 2) {
        o.details = gapi::error_details{.http_status = status, .reason = std::move(reason), .message = std::move(message)};
        o.details->retry_after = [&]() -> std::optional<std::chrono::system_clock::time_point> {
            auto const at = o.details->message.find("Retry after ");
            if (at == std::string::npos)
                return std::nullopt;
            gapi::http::response r;
            r.status = status;
            r.body = R"({"error":{"message":")" + o.details->message + R"("}})";
            return gapi::parse_error_details(r).retry_after;
        }();
        o.ec = gapi::to_error_code(*o.details);
    }
    return o;
}

pl::outcome failed(error_code ec, bool written) {
    pl::outcome o;
    o.ec = ec;
    o.response.exchange.request_written = written;
    o.response.exchange.attempts = 1;
    return o;
}

// A clock that moves only when the loop waits, and remembers every wait.
struct fake_time {
    std::chrono::steady_clock::time_point steady{std::chrono::hours(1)};
    std::chrono::system_clock::time_point wall = std::chrono::sys_days(std::chrono::year(2026) / 5 / 1);
    std::vector<std::chrono::milliseconds> waits;
    double fraction = 0.999;

    pl::timing timing() {
        return {[this] { return steady; }, [this] { return wall; },
                [this](std::chrono::milliseconds d) -> asio::awaitable<error_code> {
                    waits.push_back(d);
                    steady += d;
                    wall += d;
                    co_return error_code{};
                },
                [this] { return fraction; }};
    }
};

// Runs the loop over scripted attempt outcomes; returns the final outcome.
struct scripted_call {
    std::deque<pl::outcome> script;
    std::vector<bool> refreshes; // per attempt: was a new token asked for
    pl::retry_options options;
    pl::call_traits traits;
    std::optional<std::chrono::steady_clock::time_point> deadline; // the call's own
    pl::retry_counters counters;
    fake_time time;

    pl::outcome run() {
        asio::io_context ioc;
        pl::outcome result;
        gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
            auto const t = time.timing();
            pl::next_layer const attempt = [&](pl::call& c) -> asio::awaitable<pl::outcome> {
                refreshes.push_back(c.refresh_token);
                BOOST_TEST_REQUIRE(!script.empty(), "an attempt beyond the script");
                auto o = std::move(script.front());
                script.pop_front();
                co_return o;
            };
            pl::call c;
            c.traits = traits;
            c.deadline = deadline;
            result = co_await pl::with_retries(options, t, counters, c, attempt);
        }());
        return result;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(pipeline_retry)

BOOST_AUTO_TEST_CASE(the_decision_table) {
    using pl::next_step;
    auto step = [](pl::outcome const& o, bool idempotent, bool can_look = false, bool refreshed = false) {
        return pl::classify(o, idempotent, can_look, refreshed).step;
    };
    // Retried whatever the call: Google refused it without acting.
    for (bool idempotent : {true, false}) {
        BOOST_TEST((step(answered(429, "rateLimitExceeded"), idempotent) == next_step::retry));
        BOOST_TEST((step(answered(403, "rateLimitExceeded"), idempotent) == next_step::retry));
        BOOST_TEST((step(answered(403, "userRateLimitExceeded"), idempotent) == next_step::retry));
        BOOST_TEST((step(failed(boost::asio::error::connection_refused, false), idempotent) == next_step::retry));
        BOOST_TEST((step(failed(gapi::error::connect_timeout, false), idempotent) == next_step::retry));
        BOOST_TEST((step(answered(401, "authError"), idempotent) == next_step::refresh_then_retry));
        BOOST_TEST((step(answered(401, "authError"), idempotent, false, true) == next_step::stop));
    }
    // Retried only when safe to repeat; a send looks for its effect first, or stops.
    for (unsigned status : {500u, 502u, 503u, 504u}) {
        BOOST_TEST((step(answered(status, "backendError"), true) == next_step::retry));
        BOOST_TEST((step(answered(status, "backendError"), false, true) == next_step::look_for_applied));
        BOOST_TEST((step(answered(status, "backendError"), false, false) == next_step::stop));
    }
    BOOST_TEST((step(answered(403, "backendError"), true) == next_step::retry));
    BOOST_TEST((step(answered(403, "backendError"), false, true) == next_step::look_for_applied));
    BOOST_TEST((step(failed(boost::asio::error::connection_reset, true), true) == next_step::retry));
    BOOST_TEST((step(failed(gapi::error::request_timeout, true), false, true) == next_step::look_for_applied));
    BOOST_TEST((step(failed(gapi::error::connection_closed, true), false, false) == next_step::stop));
    // Never retried.
    for (auto const& o : {answered(400, "badRequest"), answered(403, "insufficientPermissions"),
                          answered(403, "dailyLimitExceeded"), answered(403, "quotaExceeded"), answered(404, "notFound"),
                          answered(409, "duplicate"), answered(410, "fullSyncRequired"), answered(200),
                          failed(gapi::error::invalid_header_value, false), failed(boost::asio::error::operation_aborted, true),
                          failed(gapi::error::pool_shut_down, false), failed(gapi::error::response_too_large, true),
                          failed(gapi::error::internal_error, false), failed(gapi::error::internal_error, true)})
        BOOST_TEST((step(o, true) == next_step::stop), o.response.status << " " << o.ec.message());
    auto refused_token = failed(gapi::error::token_endpoint_error, false);
    refused_token.token_refused = true;
    BOOST_TEST((step(refused_token, true) == next_step::stop)); // the token source retried already
}

BOOST_AUTO_TEST_CASE(backoff_is_full_jitter_doubling_to_the_cap) {
    pl::retry_options const o; // 1 s, x2, at most 32 s
    for (unsigned n = 0; n < 10; ++n) {
        auto const ceiling = std::min<std::int64_t>(1000LL << n, 32'000);
        BOOST_TEST(pl::backoff_delay(o, n, 0.0).count() == 0);
        BOOST_TEST(pl::backoff_delay(o, n, 0.5).count() == ceiling / 2);
        BOOST_TEST(pl::backoff_delay(o, n, 0.999999).count() <= ceiling);
        BOOST_TEST(pl::backoff_delay(o, n, 0.999999).count() >= ceiling - 1);
    }
    BOOST_TEST(pl::backoff_delay(o, 1000, 1.0).count() == 32'000); // no overflow
}

BOOST_AUTO_TEST_CASE(a_retry_comes_no_earlier_than_gmails_retry_time) {
    scripted_call c;
    c.time.fraction = 0.0; // the backoff alone would not wait at all
    // Gmail's hint, 30 s after the fake wall clock's now (2026-05-01T00:00:00Z).
    c.script.push_back(answered(429, "rateLimitExceeded", "User-rate limit exceeded.  Retry after 2026-05-01T00:00:30.000Z"));
    c.script.push_back(answered(200));
    auto const o = c.run();
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST_REQUIRE(c.time.waits.size() == 1u);
    BOOST_TEST(c.time.waits[0].count() == 30'000);
    BOOST_TEST(c.counters.rate_limited == 1u);
    BOOST_TEST(c.counters.retries_by_reason["429"] == 1u);
}

BOOST_AUTO_TEST_CASE(the_longer_of_backoff_and_hint_is_waited) {
    scripted_call c;
    c.time.fraction = 0.5;
    c.script.push_back(answered(503, "backendError"));
    c.script.push_back(answered(503, "backendError"));
    c.script.push_back(answered(503, "backendError"));
    c.script.push_back(answered(200));
    auto const o = c.run();
    BOOST_TEST(!o.ec);
    BOOST_TEST((c.time.waits == std::vector<std::chrono::milliseconds>{500ms, 1000ms, 2000ms}));
    BOOST_TEST(o.attempts == 4u);
    BOOST_TEST(c.counters.retries == 3u);
}

BOOST_AUTO_TEST_CASE(attempts_and_total_time_are_bounded) {
    scripted_call c;
    c.options.max_attempts = 3;
    for (int i = 0; i < 3; ++i)
        c.script.push_back(answered(503, "backendError"));
    auto o = c.run();
    BOOST_TEST(o.ec == api_error::unavailable);
    BOOST_TEST(o.attempts == 3u);
    BOOST_TEST(c.script.empty());

    scripted_call slow;
    slow.options.max_total = 10s; // waits of ~1 s, 2 s, 4 s fit; the next (8 s) would not
    for (int i = 0; i < 4; ++i)
        slow.script.push_back(answered(500, "backendError"));
    o = slow.run();
    BOOST_TEST(o.ec == api_error::backend_error);
    BOOST_TEST(o.attempts == 4u);
    BOOST_TEST(slow.time.waits.size() == 3u);
}

BOOST_AUTO_TEST_CASE(non_retryable_answers_are_sent_once) {
    for (auto const& [status, reason] : std::vector<std::pair<unsigned, std::string>>{
             {400, "badRequest"}, {403, "insufficientPermissions"}, {403, "dailyLimitExceeded"}, {404, "notFound"},
             {409, "duplicate"}, {410, "fullSyncRequired"}}) {
        scripted_call c;
        c.script.push_back(answered(status, reason));
        auto const o = c.run();
        BOOST_TEST(o.response.status == status);
        BOOST_TEST(o.attempts == 1u);
        BOOST_TEST(c.time.waits.empty());
    }
}

BOOST_AUTO_TEST_CASE(a_401_refreshes_the_token_once) {
    scripted_call c;
    c.traits.idempotent = false; // even a send: a 401 means Google did nothing
    c.script.push_back(answered(401, "authError"));
    c.script.push_back(answered(401, "authError"));
    auto const o = c.run();
    BOOST_TEST(o.response.status == 401u);
    BOOST_TEST((c.refreshes == std::vector<bool>{false, true}));
    BOOST_TEST(c.time.waits.empty());
    BOOST_TEST(c.counters.token_refreshes == 1u);
}

BOOST_AUTO_TEST_CASE(the_daily_sending_limit_stops_at_once) {
    scripted_call c;
    c.script.push_back(answered(429, "rateLimitExceeded",
                                "User-rate limit exceeded (Mail sending).  Retry after 2026-05-01T09:00:00.000Z"));
    auto const o = c.run();
    BOOST_TEST(o.ec == api_error::daily_limit_reached, o.ec.message());
    BOOST_TEST(o.ec == condition::daily_limit_reached);
    BOOST_TEST(o.ec == condition::quota_exceeded);
    BOOST_TEST(o.ec != condition::retryable);
    BOOST_TEST(o.ec != condition::rate_limited);
    BOOST_TEST_REQUIRE(o.details.has_value());
    BOOST_TEST(o.details->retry_after.has_value()); // when the user may send again
    BOOST_TEST(o.attempts == 1u);
    BOOST_TEST(c.counters.daily_limit_stops == 1u);

    // A rate-limit hint hours away is the same limit, whatever the wording.
    scripted_call far;
    far.script.push_back(answered(403, "userRateLimitExceeded",
                                  "User-rate limit exceeded.  Retry after 2026-05-01T05:00:00.000Z"));
    BOOST_TEST(far.run().ec == condition::daily_limit_reached);
}

BOOST_AUTO_TEST_CASE(an_ambiguous_send_that_landed_is_not_sent_again) {
    scripted_call c;
    int looks = 0;
    c.traits.idempotent = false;
    c.traits.find_applied = [&]() -> asio::awaitable<std::optional<gapi::http::response>> {
        ++looks;
        if (looks < 2) // the search index lags the send
            co_return std::nullopt;
        gapi::http::response found;
        found.status = 200;
        found.body = R"({"id":"abc","threadId":"def"})";
        co_return found;
    };
    c.script.push_back(failed(boost::asio::error::connection_reset, true));
    auto const o = c.run();
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST(o.response.body == R"({"id":"abc","threadId":"def"})");
    BOOST_TEST(looks == 2);
    BOOST_TEST(o.attempts == 1u); // one send only
    BOOST_TEST((c.time.waits == std::vector<std::chrono::milliseconds>{2000ms})); // between the looks
    BOOST_TEST(c.counters.found_applied == 1u);
}

BOOST_AUTO_TEST_CASE(a_send_that_landed_on_its_last_attempt_is_a_success) {
    scripted_call c;
    c.options.max_attempts = 1; // no attempt left after the first
    c.traits.idempotent = false;
    c.traits.find_applied = [&]() -> asio::awaitable<std::optional<gapi::http::response>> {
        gapi::http::response found;
        found.status = 200;
        found.body = R"({"id":"abc","threadId":"def"})";
        co_return found;
    };
    c.script.push_back(failed(gapi::error::request_timeout, true));
    auto const o = c.run();
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST(o.response.status == 200u);
    BOOST_TEST(c.counters.found_applied == 1u);
}

BOOST_AUTO_TEST_CASE(an_ambiguous_send_that_did_not_land_is_sent_again_after_looking) {
    scripted_call c;
    int looks = 0;
    c.traits.idempotent = false;
    c.traits.find_applied = [&]() -> asio::awaitable<std::optional<gapi::http::response>> {
        ++looks;
        co_return std::nullopt;
    };
    c.script.push_back(answered(503, "backendError"));
    c.script.push_back(answered(200));
    auto const o = c.run();
    BOOST_TEST(!o.ec);
    BOOST_TEST(looks == 3); // absent only after the last look
    BOOST_TEST(o.attempts == 2u);
    BOOST_TEST(c.counters.applied_lookups == 3u);

    // Without a way to look (no Message-ID), an ambiguous failure is reported, not retried.
    scripted_call blind;
    blind.traits.idempotent = false;
    blind.script.push_back(failed(gapi::error::request_timeout, true));
    BOOST_TEST(blind.run().ec == gapi::error::request_timeout);
    BOOST_TEST(blind.script.empty());
}

BOOST_AUTO_TEST_CASE(retries_can_be_turned_off) {
    scripted_call c;
    c.options.enabled = false;
    c.script.push_back(answered(503, "backendError"));
    BOOST_TEST(c.run().ec == api_error::unavailable);
    BOOST_TEST(c.time.waits.empty());
}

BOOST_AUTO_TEST_CASE(the_pacer_keeps_to_googles_tables) {
    using clock = std::chrono::steady_clock;
    auto const t0 = clock::time_point(std::chrono::hours(1));
    // 2026: 6,000 units per user per minute: 60 sends of 100 units at once, then one a second.
    for (auto const& [table, burst] : {std::pair{pl::quota_table::y2026, 60}, std::pair{pl::quota_table::legacy, 150}}) {
        pl::pacer p({.table = table, .max_in_flight_per_user = 1'000'000});
        int started = 0;
        while (started < 1000 && p.wait_for(pl::quota_api::gmail, "a@example.com", 100, t0) == clock::duration::zero()) {
            p.start(pl::quota_api::gmail, "a@example.com", 100, t0);
            ++started;
        }
        BOOST_TEST(started == burst);
        auto const per_send = std::chrono::duration<double>(60.0 * 100 / (burst * 100));
        auto const wait = p.wait_for(pl::quota_api::gmail, "a@example.com", 100, t0);
        BOOST_TEST(std::chrono::duration<double>(wait).count() == per_send.count(), boost::test_tools::tolerance(1e-6));
        // Another user has a budget of its own.
        BOOST_TEST((p.wait_for(pl::quota_api::gmail, "b@example.com", 100, t0) == clock::duration::zero()));
    }
    // Scaled like the emulator's --quota-scale; an explicit budget overrides the table.
    pl::pacer scaled({.scale = 0.5, .gmail_user_units_per_minute = 1000});
    scaled.start(pl::quota_api::gmail, "u", 500, t0);
    BOOST_TEST((scaled.wait_for(pl::quota_api::gmail, "u", 100, t0) == std::chrono::duration_cast<clock::duration>(12s)));
    // Calendar counts requests: 600 a minute per user.
    pl::pacer calendar;
    for (int i = 0; i < 600; ++i)
        calendar.start(pl::quota_api::calendar, "u", 1, t0);
    BOOST_TEST((calendar.wait_for(pl::quota_api::calendar, "u", 1, t0) == std::chrono::duration_cast<clock::duration>(100ms)));
    // The method id chooses the quota: a batch of Calendar calls spends Calendar's.
    BOOST_TEST((pl::api_of("calendar.events.get") == pl::quota_api::calendar));
    BOOST_TEST((pl::api_of("batch.calendar") == pl::quota_api::calendar));
    BOOST_TEST((pl::api_of("batch.gmail") == pl::quota_api::gmail));
    BOOST_TEST((pl::api_of("gmail.users.messages.get") == pl::quota_api::gmail));
}

BOOST_AUTO_TEST_CASE(the_pacer_caps_calls_in_flight_and_backs_off_additively_increasing) {
    using clock = std::chrono::steady_clock;
    auto const t0 = clock::time_point(std::chrono::hours(1));
    pl::pacer p({.max_in_flight_per_user = 2});
    p.start(pl::quota_api::gmail, "u", 1, t0);
    p.start(pl::quota_api::gmail, "u", 1, t0);
    BOOST_TEST(!p.has_slot(pl::quota_api::gmail, "u", t0));
    BOOST_TEST(p.has_slot(pl::quota_api::gmail, "v", t0));
    p.finish(pl::quota_api::gmail, "u", true, t0); // a rate-limit answer: half the rate
    BOOST_TEST(p.has_slot(pl::quota_api::gmail, "u", t0));
    BOOST_TEST(p.fraction(pl::quota_api::gmail, "u", t0) == 0.5);
    p.finish(pl::quota_api::gmail, "u", true, t0);
    BOOST_TEST(p.fraction(pl::quota_api::gmail, "u", t0) == 0.25);
    for (int i = 0; i < 10; ++i) {
        p.start(pl::quota_api::gmail, "u", 1, t0);
        p.finish(pl::quota_api::gmail, "u", false, t0);
    }
    BOOST_TEST(p.fraction(pl::quota_api::gmail, "u", t0) == 0.45, boost::test_tools::tolerance(1e-9)); // +0.02 each
    for (int i = 0; i < 100; ++i)
        p.finish(pl::quota_api::gmail, "u", false, t0);
    BOOST_TEST(p.fraction(pl::quota_api::gmail, "u", t0) == 1.0);
    for (int i = 0; i < 20; ++i)
        p.finish(pl::quota_api::gmail, "u", true, t0);
    BOOST_TEST(p.fraction(pl::quota_api::gmail, "u", t0) == 0.05); // never below the floor
}

BOOST_AUTO_TEST_CASE(the_calls_own_deadline_bounds_its_retries) {
    scripted_call c;
    c.deadline = c.time.steady + 3s; // waits of ~1 s and ~2 s fit; the next (~4 s) would not
    for (int i = 0; i < 3; ++i)
        c.script.push_back(answered(503, "backendError"));
    auto const o = c.run();
    BOOST_TEST(o.ec == api_error::unavailable);
    BOOST_TEST(o.attempts == 3u);
    BOOST_TEST(c.time.waits.size() == 2u);
    BOOST_TEST(c.script.empty());
}

BOOST_AUTO_TEST_CASE(the_pacing_layer_holds_a_slot_and_the_units_and_slows_after_a_429) {
    using clock = std::chrono::steady_clock;
    pl::pacing_gate gate({.gmail_user_units_per_minute = 6000, .max_in_flight_per_user = 1});
    pl::call c;
    c.traits.method_id = "gmail.users.messages.send";
    c.traits.quota_units = 6000; // the whole minute's budget
    c.traits.quota_key = "u@example.com";
    bool slot_was_held = false;
    pl::next_layer const fake_next = [&](pl::call&) -> asio::awaitable<pl::outcome> {
        slot_was_held = !gate.state().has_slot(pl::quota_api::gmail, "u@example.com", clock::now());
        co_return answered(429, "rateLimitExceeded");
    };
    asio::io_context ioc;
    std::chrono::milliseconds waited{0};
    pl::outcome o;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> { o = co_await pl::pace(gate, c, fake_next, waited); }());
    BOOST_TEST(o.ec == api_error::rate_limited);
    BOOST_TEST(slot_was_held);
    BOOST_TEST(gate.state().has_slot(pl::quota_api::gmail, "u@example.com", clock::now())); // given back
    BOOST_TEST(gate.state().fraction(pl::quota_api::gmail, "u@example.com", clock::now()) == 0.5);
    BOOST_TEST((gate.state().wait_for(pl::quota_api::gmail, "u@example.com", 1, clock::now()) > clock::duration::zero()));
    // Another user's budget is untouched.
    BOOST_TEST((gate.state().wait_for(pl::quota_api::gmail, "v@example.com", 1, clock::now()) == clock::duration::zero()));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- through the public API, against the emulator --------------------------------------------------

namespace {

struct pipeline_fixture {
    explicit pipeline_fixture(gapi::emulator::emulator_options options, gapi::pipeline::pacing_options pacing = {},
                              std::function<void(gapi::client_options&)> const& adjust = {}, bool on_strand = false) {
        options.state_dir = dir.path();
        google.emplace(std::move(options));
        google->start();
        gapi::client_options client_options;
        // Short waits: the protocol is tested above on a fake clock; here, the wire.
        client_options.retry.initial_backoff = 1ms;
        client_options.retry.max_backoff = 20ms;
        client_options.retry.applied_lookup_interval = 1ms;
        client_options.retry.max_attempts = 10;
        client_options.pacing = pacing;
        client_options.pacing.enabled = google->options().quota.enabled; // the emulator's quota is the client's
        if (adjust)
            adjust(client_options);
        auto executor = on_strand ? asio::any_io_executor(asio::make_strand(ioc)) : asio::any_io_executor(ioc.get_executor());
        client.emplace(executor, gapi::auth::credentials::from_file(dir.file("token.json")), client_options);
        gmail.emplace(*client, gapi::gmail::gmail_options{.root = google->base_url()});
    }

    gapi_test::temp_dir dir;
    std::optional<gapi::emulator::emulator> google;
    asio::io_context ioc;
    std::optional<gapi::client> client;
    std::optional<gapi::gmail::gmail_service> gmail;
};

gapi::mime::message numbered(int i) {
    gapi::mime::message m;
    m.from = {"User One", "user1@example.com"};
    m.to = {{"Someone", "someone@elsewhere.example"}};
    m.subject = "Message " + std::to_string(i);
    m.text_body = "Number " + std::to_string(i) + ".\n";
    return m;
}

// Sends messages 0..total-1 through the public API, `in_flight` at a time, and calls
// `sent(ec)` as each completes; returns once all have.
void send_all(pipeline_fixture& f, int total, int in_flight, std::function<void(error_code)> const& sent,
              std::chrono::seconds limit) {
    gapi_test::run(
        f.ioc,
        [&]() -> asio::awaitable<void> {
            int pending = total;
            int next = 0;
            asio::steady_timer done(f.ioc, asio::steady_timer::time_point::max());
            std::function<void()> start_one = [&] {
                if (next == total)
                    return;
                auto m = numbered(next++);
                f.gmail->send(m, [&](error_code ec, gapi::gmail::message) {
                    sent(ec);
                    if (--pending == 0)
                        done.cancel();
                    start_one();
                });
            };
            for (int i = 0; i < in_flight; ++i)
                start_one();
            co_await done.async_wait(use_tuple);
        }(),
        limit);
}

} // namespace

BOOST_AUTO_TEST_SUITE(pipeline_emulator)

BOOST_AUTO_TEST_CASE(ten_thousand_sends_under_faults_land_exactly_once) {
    pipeline_fixture f({.quota = {.enabled = false},
                        .faults = "gmail.users.messages.send:503=0.05,429=0.05,reset=0.01,ambiguous=0.01",
                        .seed = 42});
    constexpr int total = 10'000;
    int ok = 0;
    std::vector<error_code> failures;
    send_all(f, total, 64, [&](error_code ec) {
        if (ec)
            failures.push_back(ec);
        else
            ++ok;
    }, 300s);
    BOOST_TEST(failures.empty(), failures.size() << " failed, first: " << (failures.empty() ? "" : failures[0].message()));
    BOOST_TEST(ok == total);
    f.google->with_state([&](gapi::emulator::emulator_state& s) {
        auto const& box = s.gmail.messages("user1@example.com");
        BOOST_TEST(box.size() == std::size_t(total));
        std::set<std::string> ids;
        for (auto const& m : box)
            ids.insert(m.message_id);
        BOOST_TEST(ids.size() == std::size_t(total)); // no Message-ID twice
    });
    auto const counts = f.google->counts();
    BOOST_TEST(counts.resets_injected > 0u);
    BOOST_TEST(f.client->stats().found_applied > 0u); // ambiguous sends found, not resent
    BOOST_TEST(f.client->stats().retries_by_reason.at("429") > 0u);
    BOOST_TEST_MESSAGE(f.client->stats().retries << " retries, " << f.client->stats().applied_lookups
                                                 << " lookups, " << f.client->stats().found_applied << " found");
}

// The caller's handler runs from inside the operation's coroutine: what it throws must
// still reach the caller's io_context::run, as from any Asio operation, and only after
// the operation gave its place back (with one place, the next call could not start).
BOOST_AUTO_TEST_CASE(an_exception_from_the_callers_handler_reaches_run_and_the_client_goes_on) {
    pipeline_fixture f({.quota = {.enabled = false}}, {},
                       [](gapi::client_options& o) { o.max_calls_in_flight = 1; });
    auto& gmail = *f.gmail;
    struct from_the_handler : std::runtime_error {
        from_the_handler() : std::runtime_error("thrown by the caller's handler") {}
    };
    gmail.list_labels([](error_code ec, std::vector<gapi::gmail::label> const&) {
        BOOST_TEST(!ec, ec.message());
        throw from_the_handler();
    });
    bool thrown = false;
    auto const deadline = std::chrono::steady_clock::now() + 20s;
    while (!thrown && std::chrono::steady_clock::now() < deadline) {
        try {
            f.ioc.run_one_for(100ms);
        } catch (from_the_handler const&) {
            thrown = true;
        }
    }
    BOOST_TEST_REQUIRE(thrown);
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        auto [ec, labels] = co_await gmail.list_labels(use_tuple);
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(!labels.empty());
    }());
    BOOST_TEST(f.google->counts().by_method.at("gmail.users.labels.list").at(200) == 2u);
}

namespace {

struct from_the_caller : std::runtime_error {
    from_the_caller() : std::runtime_error("thrown by the caller") {}
};

// A batch's callers get their answers one after another: when two of them throw, each
// exception reaches run on its own (not folded into Asio's `multiple_exceptions`, as two
// exceptions caught by one inline dispatch of an io_context's executor would be), and the
// other callers are answered all the same. `start(f, on_answer)` starts one get_profile
// whose caller calls `on_answer(ec)` with its answer; ten are started in one turn.
template <class Start>
void check_two_throwing_callers_in_a_batch(bool on_strand, Start start) {
    pipeline_fixture f({.quota = {.enabled = false}}, {},
                       [](gapi::client_options& o) { o.batching.enabled = true; }, on_strand);
    BOOST_TEST_REQUIRE((f.client->get_executor().target<asio::strand<asio::io_context::executor_type>>() != nullptr) ==
                       on_strand);
    int completed = 0, failed = 0;
    std::function<void(error_code)> on_answer = [&](error_code ec) {
        failed += ec ? 1 : 0;
        if (++completed == 1 || completed == 5)
            throw from_the_caller();
    };
    asio::post(f.client->get_executor(), [&] {
        for (int i = 0; i < 10; ++i)
            start(f, on_answer);
    });
    int thrown = 0;
    auto const deadline = std::chrono::steady_clock::now() + 20s;
    while ((completed < 10 || thrown < 2) && std::chrono::steady_clock::now() < deadline) {
        try {
            f.ioc.run_one_for(100ms);
        } catch (from_the_caller const&) {
            ++thrown;
        }
    }
    BOOST_TEST(thrown == 2);
    BOOST_TEST(completed == 10);
    BOOST_TEST(failed == 0);
    BOOST_TEST(f.client->stats().batch_requests == 1u);
    BOOST_TEST(f.client->stats().batched_calls == 10u);
}

// Callers with a completion handler, which throws.
void check_throwing_handlers_in_a_batch(bool on_strand) {
    check_two_throwing_callers_in_a_batch(on_strand, [](pipeline_fixture& f, std::function<void(error_code)>& on_answer) {
        f.gmail->get_profile([&on_answer](error_code ec, gapi::gmail::profile) { on_answer(ec); });
    });
}

// Callers that are coroutines of the user's, which throw once their answers resumed
// them; their co_spawn completion rethrows, and an io_context's inline dispatch catches it.
void check_throwing_coroutines_in_a_batch(bool on_strand) {
    check_two_throwing_callers_in_a_batch(on_strand, [](pipeline_fixture& f, std::function<void(error_code)>& on_answer) {
        asio::co_spawn(
            f.client->get_executor(),
            [&f, &on_answer]() -> asio::awaitable<void> {
                auto [ec, profile] = co_await f.gmail->get_profile(use_tuple);
                on_answer(ec);
            },
            [](std::exception_ptr e) {
                if (e)
                    std::rethrow_exception(e);
            });
    });
}

} // namespace

BOOST_AUTO_TEST_CASE(exceptions_from_two_coroutines_awaiting_one_batch_each_reach_run) {
    check_throwing_coroutines_in_a_batch(false);
}

BOOST_AUTO_TEST_CASE(on_a_strand_exceptions_from_two_coroutines_awaiting_one_batch_each_reach_run) {
    check_throwing_coroutines_in_a_batch(true);
}

BOOST_AUTO_TEST_CASE(exceptions_from_two_handlers_of_a_batch_each_reach_run_and_the_others_are_answered) {
    check_throwing_handlers_in_a_batch(false);
}

// On a strand, whose inline dispatch lets an exception through into whatever called it.
BOOST_AUTO_TEST_CASE(on_a_strand_exceptions_from_two_handlers_of_a_batch_each_reach_run_and_the_others_are_answered) {
    check_throwing_handlers_in_a_batch(true);
}

// As from any Asio operation, a handler never runs inside the call that started its
// operation, even when the operation ends at once (its arguments refused): a handler
// that starts the next such call would otherwise recurse without bound.
BOOST_AUTO_TEST_CASE(a_call_refused_at_once_completes_after_the_call_that_started_it_returns) {
    pipeline_fixture f({.quota = {.enabled = false}});
    gapi::mime::message no_at;
    no_at.to = {{"", "not-an-address"}};
    no_at.subject = "refused";
    no_at.text_body = "never sent";
    int depth = 0, deepest = 0, completed = 0;
    std::function<void()> send_next = [&] {
        deepest = std::max(deepest, ++depth);
        f.gmail->send(no_at, [&](error_code ec, gapi::gmail::message) {
            BOOST_TEST(ec == gapi::error::invalid_address, ec.message());
            if (++completed < 100)
                send_next();
        });
        --depth;
    };
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        send_next(); // on the client's thread, where an operation starts inline
        BOOST_TEST(completed == 0);
        co_await gapi_test::eventually([&] { return completed == 100; }, "the refused sends completed");
    }());
    BOOST_TEST(deepest == 1);
    BOOST_TEST(f.google->counts().http_requests == 0u);
}

BOOST_AUTO_TEST_CASE(every_attempt_is_reported_without_secrets) {
    pipeline_fixture f({.quota = {.enabled = false}, .faults = "gmail.users.labels.list:503=1,first=2"});
    std::vector<gapi::pipeline::attempt_report> reports;
    std::vector<std::string> log;
    gapi::client_options options;
    options.retry.initial_backoff = 1ms;
    options.on_attempt = [&](gapi::pipeline::attempt_report const& r) { reports.push_back(r); };
    options.log = [&](gapi::pipeline::log_level, std::string_view line) { log.emplace_back(line); };
    gapi::client google(f.ioc.get_executor(), gapi::auth::credentials::from_file(f.dir.file("token.json")), options);
    gapi::gmail::gmail_service gmail(google, {.root = f.google->base_url()});
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        auto [ec, labels] = co_await gmail.list_labels(use_tuple);
        BOOST_TEST(!ec, ec.message());
    }());
    BOOST_TEST_REQUIRE(reports.size() == 3u);
    BOOST_TEST(reports[0].method_id == "gmail.users.labels.list");
    BOOST_TEST(reports[0].status == 503u);
    BOOST_TEST(reports[0].reason == "backendError");
    BOOST_TEST((reports[0].next == gapi::pipeline::next_step::retry));
    BOOST_TEST(reports[1].attempt == 2u);
    BOOST_TEST(reports[2].status == 200u);
    BOOST_TEST((reports[2].next == gapi::pipeline::next_step::stop));
    BOOST_TEST(google.stats().retries_by_reason.at("503") == 2u);
    BOOST_TEST(google.stats().bytes_in > 0u);
    BOOST_TEST_REQUIRE(log.size() == 2u);
    auto const token = std::string(gapi::auth::read_json_file(f.dir.file("token.json")).at("token").as_string());
    for (auto const& line : log) {
        BOOST_TEST(line.find("gmail.users.labels.list: attempt") == 0u, line);
        BOOST_TEST(line.find(token) == std::string::npos);
        BOOST_TEST(line.find("Bearer") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(paced_sends_reach_the_scaled_quota_with_almost_no_429) {
    // One user, Google's 2026 quota times 100 on both sides: 600,000 units a minute, so 100
    // sends a second once the first minute's allowance (6,000 sends) is spent; at most 10
    // requests of a user in flight at the emulator. 200 calls are issued at once, always.
    pipeline_fixture f({.quota = {.scale = 100}}, {.scale = 100});
    constexpr int burst = 6'000;
    constexpr int paced = 300;
    constexpr int total = burst + paced;
    int ok = 0;
    std::chrono::steady_clock::time_point burst_done, all_done;
    auto const started = std::chrono::steady_clock::now();
    send_all(f, total, 200, [&](error_code ec) {
        ok += !ec;
        if (ok == burst)
            burst_done = std::chrono::steady_clock::now();
    }, 120s);
    all_done = std::chrono::steady_clock::now();
    double const seconds = std::chrono::duration<double>(all_done - burst_done).count();
    auto const counts = f.google->counts();
    std::size_t const refused = counts.calls("gmail.users.messages.send", 429);
    std::size_t const requests = counts.calls("gmail.users.messages.send");
    double const quota_rate = 600'000.0 / 60 / 100; // sends a second
    BOOST_TEST_MESSAGE("after the first minute's allowance, " << paced << " sends in " << seconds << " s: "
                                                              << paced / seconds / quota_rate << " of the quota rate; "
                                                              << refused << " of " << requests << " requests got 429");
    BOOST_TEST(ok == total);
    BOOST_TEST(paced / seconds >= 0.9 * quota_rate); // the pacer does not hold back more than it must
    // ... nor let more through than the quota allows: a minute's allowance and the refill.
    double const whole_run = std::chrono::duration<double>(all_done - started).count();
    BOOST_TEST(total <= burst + quota_rate * whole_run + 2);
    BOOST_TEST(refused * 100 <= requests);           // at most 1 % refused
}

BOOST_AUTO_TEST_CASE(non_retryable_errors_are_sent_once) {
    pipeline_fixture f({.quota = {.enabled = false}});
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        auto [ec, m] = co_await f.gmail->get_message("0123456789abcdef", gapi::gmail::message_format::minimal, use_tuple);
        BOOST_TEST(ec == api_error::not_found, ec.message());
        std::tie(ec, m) = co_await f.gmail->send_raw("not a message", use_tuple);
        BOOST_TEST(ec == api_error::bad_request, ec.message());
    }());
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.get") == 1u);
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.send") == 1u);
    BOOST_TEST(f.client->stats().retries == 0u);
}

// Gmail's answer to a send over the user's daily sending limit, as Google words it.
constexpr std::string_view daily_limit_answer =
    R"json({"error":{"code":429,"message":"User-rate limit exceeded (Mail sending).  Retry after 2099-01-01T00:00:00.000Z",)json"
    R"json("errors":[{"message":"User-rate limit exceeded (Mail sending)","domain":"usageLimits",)json"
    R"json("reason":"rateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}})json";

BOOST_AUTO_TEST_CASE(the_daily_limit_fails_the_send_with_its_condition_and_no_more_requests) {
    asio::io_context ioc;
    gapi_test::test_server server(ioc.get_executor());
    server.respond("/gmail/v1/users/me/messages/send",
                   {429, std::string(daily_limit_answer)});
    gapi::client google(ioc.get_executor(), gapi::auth::credentials::from_access_token("ya29.test"));
    gapi::gmail::gmail_service gmail(google, {.root = server.base_url()});
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto m = numbered(1);
        auto [ec, sent] = co_await gmail.send(m, use_tuple);
        BOOST_TEST(ec == condition::daily_limit_reached, ec.message());
        BOOST_TEST(ec == api_error::daily_limit_reached);
        // The user's next sends fail at once, without a request, until Google's retry time.
        for (int i = 2; i < 5; ++i) {
            auto next = numbered(i);
            std::tie(ec, sent) = co_await gmail.send(next, use_tuple);
            BOOST_TEST(ec == condition::daily_limit_reached, ec.message());
        }
    }());
    BOOST_TEST(server.counts().requests == 1u);
    BOOST_TEST(google.stats().daily_limit_stops == 1u);
}

BOOST_AUTO_TEST_CASE(the_generated_layers_sends_are_sends_too) {
    // Gmail's sends made through the generated layer keep the daily-limit guard, and an
    // option cannot make them idempotent: a 503 after the request went out may have sent.
    asio::io_context ioc;
    gapi_test::test_server server(ioc.get_executor());
    server.respond("/gmail/v1/users/me/drafts/send", {503, R"json({"error":{"code":503,"message":"busy"}})json"});
    server.respond("/gmail/v1/users/me/messages/send",
                   {429, std::string(daily_limit_answer)});
    gapi::client google(ioc.get_executor(), gapi::auth::credentials::from_access_token("ya29.test"));
    gapi::gmail::gmail_service gmail(google, {.root = server.base_url()});
    auto const declared_idempotent = gmail.with({.idempotent = true});
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        gapi::gmail::v1::draft draft;
        draft.id = "r1";
        auto [ec, sent] = co_await declared_idempotent.users().drafts().send("me", draft, use_tuple);
        BOOST_TEST(ec == api_error::unavailable, ec.message());

        gapi::gmail::v1::message raw;
        raw.raw = "RnJvbTogYUBleGFtcGxlLmNvbQ0KDQpoaQ0K";
        std::tie(ec, sent) = co_await gmail.users().messages().send("me", raw, use_tuple);
        BOOST_TEST(ec == condition::daily_limit_reached, ec.message());
        std::tie(ec, sent) = co_await gmail.users().messages().send("me", raw, use_tuple);
        BOOST_TEST(ec == condition::daily_limit_reached, ec.message());
        auto m = numbered(1);
        auto [service_ec, service_sent] = co_await gmail.send(m, use_tuple);
        BOOST_TEST(service_ec == condition::daily_limit_reached, service_ec.message());
        // A request built by hand and sent through the client is the same user's send.
        auto by_hand = gmail.users().messages().send_request("me", raw);
        auto [raw_ec, raw_answer] = co_await google.send(std::move(by_hand), use_tuple);
        BOOST_TEST(raw_ec == condition::daily_limit_reached, raw_ec.message());
    }());
    // One drafts.send (not retried), one messages.send (the later ones refused at home).
    BOOST_TEST(server.counts().requests == 2u);
    BOOST_TEST(google.stats().daily_limit_stops == 1u);
}

BOOST_AUTO_TEST_CASE(per_call_options_reach_through_the_services) {
    pipeline_fixture f({.quota = {.enabled = false}, .faults = "gmail.users.labels.list:503=1"});
    auto labels_calls = [&] { return f.google->counts().calls("gmail.users.labels.list"); };
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        // The client's policy: 10 attempts.
        auto [ec, labels] = co_await f.gmail->list_labels(use_tuple);
        BOOST_TEST(ec == api_error::unavailable, ec.message());
        BOOST_TEST(labels_calls() == 10u);
        // This service's calls: no retries.
        auto const once = f.gmail->with({.retry = pl::retry_options{.enabled = false}});
        std::tie(ec, labels) = co_await once.list_labels(use_tuple);
        BOOST_TEST(ec == api_error::unavailable, ec.message());
        BOOST_TEST(labels_calls() == 11u);
        // Declared not idempotent: a 503 may have acted, so it is not sent again.
        auto const not_idempotent = f.gmail->with({.idempotent = false});
        std::tie(ec, labels) = co_await not_idempotent.list_labels(use_tuple);
        BOOST_TEST(ec == api_error::unavailable, ec.message());
        BOOST_TEST(labels_calls() == 12u);

        // Google's details, without parsing a body; cleared by a call that succeeds.
        gapi::error_details why;
        auto const explained = f.gmail->with({.details = &why});
        auto [get_ec, m] = co_await explained.get_message("0123456789abcdef", gapi::gmail::message_format::minimal,
                                                          use_tuple);
        BOOST_TEST(get_ec == api_error::not_found);
        BOOST_TEST(why.http_status == 404u);
        BOOST_TEST(why.reason == "notFound");
        BOOST_TEST(why.status == "NOT_FOUND");
        BOOST_TEST(why.message == "Requested entity was not found.");
        auto [profile_ec, profile] = co_await explained.get_profile(use_tuple);
        BOOST_TEST(!profile_ec, profile_ec.message());
        BOOST_TEST(why.http_status == 0u);
        BOOST_TEST(why.reason.empty());
    }());
}

BOOST_AUTO_TEST_CASE(a_calls_deadline_cuts_off_the_attempt_in_flight) {
    // The answer would take 30 s. The deadline's wait is the client's timing, which here
    // ends as soon as the emulator holds the request: the deadline passes mid-flight.
    gapi::emulator::emulator* google = nullptr;
    pipeline_fixture f({.quota = {.enabled = false}, .faults = "gmail.users.getProfile:slow=1,delay=30000"}, {},
                       [&](gapi::client_options& o) {
                           auto t = pl::timing::real();
                           t.sleep = [&google](std::chrono::milliseconds) -> asio::awaitable<error_code> {
                               co_await gapi_test::eventually(
                                   [&] { return google->counts().calls("gmail.users.getProfile") == 1u; },
                                   "the request is in flight");
                               co_return error_code{};
                           };
                           o.retry_timing = std::move(t);
                       });
    google = &*f.google;
    auto const t0 = std::chrono::steady_clock::now();
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        auto const bounded = f.gmail->with({.timeout = 5s});
        auto [ec, profile] = co_await bounded.get_profile(use_tuple);
        BOOST_TEST(ec == gapi::error::deadline_exceeded, ec.message());
        BOOST_TEST(ec == condition::timeout);
    }());
    BOOST_TEST(f.google->counts().calls("gmail.users.getProfile") == 1u);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 20s)); // generous, and well short of the answer
}

namespace {

// What a run of `alone_or_pipelined`'s calls came to: each call's error and the client's
// and the emulator's counts.
struct call_record {
    std::vector<std::string> results;
    pl::retry_counters stats;
    std::map<std::string, std::size_t> emulator_calls;
    std::vector<gapi::error_details> details; // of the calls that asked for them, in order
};

// The same calls, whose first attempts go alone (`direct`: pacing off) or through the
// pipeline's coroutines (pacing on, far from its budget): successes, a 404 with its
// details (at once, and after a 429 retried), a 429 retried, a 401 refreshed, a send
// whose answer was lost that is found applied, Gmail's daily limit with its details and
// the send refused at home after it. Calls are awaited (the handler can be cancelled) and
// given a plain callback (it cannot).
call_record alone_or_pipelined(bool direct) {
    pipeline_fixture f({.quota = {.gmail_daily_sends = 4}}, {},
                       [&](gapi::client_options& o) { o.pacing.enabled = !direct; });
    call_record record;
    auto note = [&](std::string_view step, error_code ec) {
        record.results.push_back(std::string(step) + ": " + (ec ? ec.message() : "ok"));
    };
    auto set_faults = [&](std::string const& spec) {
        f.google->with_state([&](gapi::emulator::emulator_state& s) {
            s.faults = gapi::emulator::fault_injector(*gapi::emulator::fault_injector::parse(spec), 1);
        });
    };
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        auto const first = numbered(1);
        auto [ec, sent] = co_await f.gmail->send(first, use_tuple);
        note("send", ec);
        std::optional<error_code> called_back;
        auto const second = numbered(2);
        f.gmail->send(second, [&](error_code e, gapi::gmail::message) { called_back = e; });
        co_await gapi_test::eventually([&] { return called_back.has_value(); }, "the second send's answer");
        note("send with a callback", *called_back);

        record.details.resize(4);
        auto const explained = f.gmail->with({.details = &record.details[0]});
        auto [get_ec, got] =
            co_await explained.get_message("0123456789abcdef", gapi::gmail::message_format::full, use_tuple);
        note("get of a missing message", get_ec);

        set_faults("gmail.users.messages.get:429=1,first=1");
        auto const explained_later = f.gmail->with({.details = &record.details[1]});
        std::tie(get_ec, got) =
            co_await explained_later.get_message("0123456789abcdef", gapi::gmail::message_format::full, use_tuple);
        note("get of a missing message after a 429", get_ec);

        set_faults("gmail.users.messages.get:429=1,first=1");
        std::tie(get_ec, got) = co_await f.gmail->get_message(sent.id, gapi::gmail::message_format::full, use_tuple);
        note("get after a 429", get_ec);
        BOOST_TEST(got.id == sent.id);

        f.google->with_state([](gapi::emulator::emulator_state& s) { s.oauth.revoke_access_tokens("user1@example.com"); });
        std::tie(get_ec, got) = co_await f.gmail->get_message(sent.id, gapi::gmail::message_format::full, use_tuple);
        note("get after a 401", get_ec);

        set_faults("gmail.users.messages.send:ambiguous=1,first=1");
        auto const third = numbered(3);
        std::tie(ec, sent) = co_await f.gmail->send(third, use_tuple);
        note("send whose answer was lost", ec);

        auto const fourth = numbered(4);
        std::tie(ec, sent) = co_await f.gmail->send(fourth, use_tuple); // the day's last
        note("send 4", ec);
        for (int i = 5; i <= 6; ++i) { // refused by Gmail, then at home
            auto const refused = f.gmail->with({.details = &record.details[static_cast<std::size_t>(i - 3)]});
            auto const next = numbered(i);
            std::tie(ec, sent) = co_await refused.send(next, use_tuple);
            note("send " + std::to_string(i), ec);
        }
    }());
    record.stats = f.client->stats();
    for (auto const* method : {"gmail.users.messages.send", "gmail.users.messages.get", "gmail.users.messages.list"})
        record.emulator_calls[method] = f.google->counts().calls(method);
    f.google->with_state([&](gapi::emulator::emulator_state& s) {
        BOOST_TEST(s.gmail.messages("user1@example.com").size() == 4u); // the lost answer's send once
    });
    return record;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_calls_first_attempt_alone_ends_as_through_the_pipeline) {
    auto const alone = alone_or_pipelined(true);
    auto const pipelined = alone_or_pipelined(false);
    BOOST_TEST(alone.results == pipelined.results, boost::test_tools::per_element());
    BOOST_TEST(alone.results.size() == 10u);
    BOOST_TEST(alone.results.back() == "send 6: " + error_code(api_error::daily_limit_reached).message());
    BOOST_TEST(alone.emulator_calls == pipelined.emulator_calls);
    BOOST_TEST(alone.emulator_calls.at("gmail.users.messages.send") == 5u); // the 6th refused at home
    BOOST_TEST_REQUIRE(alone.details.size() == pipelined.details.size());
    for (std::size_t i = 0; i < alone.details.size(); ++i) {
        BOOST_TEST_CONTEXT("details of call " << i) {
            BOOST_TEST(alone.details[i].http_status == pipelined.details[i].http_status);
            BOOST_TEST(alone.details[i].reason == pipelined.details[i].reason);
            auto const untimed = [](std::string const& m) { return m.substr(0, m.find("Retry after")); };
            BOOST_TEST(untimed(alone.details[i].message) == untimed(pipelined.details[i].message));
        }
    }
    BOOST_TEST(alone.details[0].http_status == 404u);
    BOOST_TEST(alone.details[1].http_status == 404u); // handed over after the retry
    BOOST_TEST(alone.details[2].http_status == 429u); // Gmail's daily limit
    BOOST_TEST(alone.details[3].http_status == 429u); // the refusal at home
    auto const& a = alone.stats;
    auto const& p = pipelined.stats;
    BOOST_TEST(a.calls == p.calls);
    BOOST_TEST(a.attempts == p.attempts);
    BOOST_TEST(a.retries == p.retries);
    BOOST_TEST(a.rate_limited == p.rate_limited);
    BOOST_TEST(a.token_refreshes == p.token_refreshes);
    BOOST_TEST(a.token_refreshes == 1u);
    BOOST_TEST(a.applied_lookups == p.applied_lookups);
    BOOST_TEST(a.found_applied == p.found_applied);
    BOOST_TEST(a.found_applied == 1u);
    BOOST_TEST(a.daily_limit_stops == p.daily_limit_stops);
    BOOST_TEST(a.daily_limit_stops == 1u);
    BOOST_TEST(a.http_requests == p.http_requests);
    BOOST_TEST(a.bytes_in == p.bytes_in);
    BOOST_TEST((a.retries_by_reason == p.retries_by_reason));
    // Every call but the send refused at home went alone; none did with pacing on.
    BOOST_TEST(a.direct_calls == 9u);
    BOOST_TEST(p.direct_calls == 0u);
}

BOOST_AUTO_TEST_CASE(a_call_alone_is_cancelled_by_a_terminal_signal_and_not_by_a_partial_one) {
    // The answers would take 30 s: each call ends only by its cancellation, or not at all.
    pipeline_fixture f({.quota = {.enabled = false}, .faults = "gmail.users.getProfile:slow=1,delay=30000"});
    auto const t0 = std::chrono::steady_clock::now();
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        asio::cancellation_signal partial, terminal;
        std::optional<error_code> partial_ec, terminal_ec;
        f.gmail->get_profile(asio::bind_cancellation_slot(
            partial.slot(), [&](error_code ec, gapi::gmail::profile) { partial_ec = ec; }));
        f.gmail->get_profile(asio::bind_cancellation_slot(
            terminal.slot(), [&](error_code ec, gapi::gmail::profile) { terminal_ec = ec; }));
        BOOST_TEST(f.client->stats().direct_calls == 2u);
        co_await gapi_test::eventually([&] { return f.google->counts().calls("gmail.users.getProfile") == 2u; },
                                       "both requests are in flight");
        // Partial cancellation does not pass `co_spawn`'s filter, and does not pass here (the
        // pool would act on it).
        partial.emit(asio::cancellation_type::partial);
        terminal.emit(asio::cancellation_type::terminal);
        co_await gapi_test::eventually([&] { return terminal_ec.has_value(); }, "the cancelled call ends");
        BOOST_TEST(*terminal_ec == asio::error::operation_aborted, terminal_ec->message());
        // The other is still waiting for its answer (what the signals before set off ran
        // before the terminal one's, in order).
        BOOST_TEST(!partial_ec.has_value());
        partial.emit(asio::cancellation_type::terminal);
        co_await gapi_test::eventually([&] { return partial_ec.has_value(); }, "the second cancelled call ends");
        BOOST_TEST(*partial_ec == asio::error::operation_aborted, partial_ec->message());
    }());
    BOOST_TEST(f.google->counts().calls("gmail.users.getProfile") == 2u); // neither tried again
    BOOST_TEST(f.client->stats().attempts == 2u);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 20s)); // well short of the answers
}

BOOST_AUTO_TEST_CASE(clients_sharing_a_pacing_gate_share_one_quota) {
    // Two clients of one project: 200 units a minute between them, so two sends (100
    // units each) spend it all; each client alone would still have 100 left.
    auto const gate = std::make_shared<pl::pacing_gate>(pl::pacing_options{.gmail_user_units_per_minute = 200});
    pipeline_fixture f({.quota = {.enabled = false}}, {}, [&](gapi::client_options& o) { o.shared_pacing = gate; });
    gapi::client second(f.ioc.get_executor(), gapi::auth::credentials::from_file(f.dir.file("token.json")),
                        {.shared_pacing = gate});
    gapi::gmail::gmail_service second_gmail(second, {.root = f.google->base_url()});
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        auto one = numbered(1);
        auto [ec, sent] = co_await f.gmail->send(one, use_tuple);
        BOOST_TEST(!ec, ec.message());
        auto two = numbered(2);
        std::tie(ec, sent) = co_await second_gmail.send(two, use_tuple);
        BOOST_TEST(!ec, ec.message());
    }());
    using clock = std::chrono::steady_clock;
    BOOST_TEST((gate->state().wait_for(pl::quota_api::gmail, "me", 100, clock::now()) > 20s)); // 100 units at 200 a minute: 30 s
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.send") == 2u);
}

BOOST_AUTO_TEST_CASE(a_misconfigured_root_is_an_error_code_not_an_exception_in_run) {
    asio::io_context ioc;
    gapi::client google(ioc.get_executor(), gapi::auth::credentials::from_access_token("ya29.test"));
    gapi::gmail::gmail_service gmail(google, {.root = "not a url"});
    gapi::calendar::calendar_service calendar(google, {.root = "/relative"});
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, labels] = co_await gmail.list_labels(use_tuple);
        BOOST_TEST(ec == gapi::error::invalid_url, ec.message());
        BOOST_TEST(ec == condition::invalid_argument);
        auto [send_ec, sent] = co_await gmail.send_raw("Subject: x\r\n\r\nhi", use_tuple);
        BOOST_TEST(send_ec == gapi::error::invalid_url, send_ec.message());
        gapi::calendar::event_query const any;
        auto [calendar_ec, events] = co_await calendar.list_events("primary", any, use_tuple);
        BOOST_TEST(calendar_ec == gapi::error::invalid_url, calendar_ec.message());
    }());
    BOOST_TEST(google.stats().attempts == 0u); // nothing was sent
}

// ---- the admission gate: how many operations of a client run at once ------------------------------

BOOST_AUTO_TEST_CASE(calls_beyond_the_admission_limit_wait_their_turn_and_all_land) {
    pipeline_fixture f({.quota = {.enabled = false}}, {}, [](gapi::client_options& o) {
        o.max_calls_in_flight = 8;
        o.transport.max_connections_per_origin = 64;
    });
    constexpr int total = 300;
    std::vector<error_code> results;
    std::size_t most_running = 0, most_waiting = 0;
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        asio::steady_timer done(f.ioc, asio::steady_timer::time_point::max());
        for (int i = 0; i < total; ++i) {
            auto m = numbered(i);
            f.gmail->send(m, [&](error_code ec, gapi::gmail::message) {
                results.push_back(ec);
                most_running = std::max(most_running, f.client->admission().running());
                if (results.size() == std::size_t(total))
                    done.cancel();
            });
        }
        most_waiting = f.client->admission().waiting_count();
        co_await done.async_wait(use_tuple);
    }());
    BOOST_TEST(results.size() == std::size_t(total));
    BOOST_TEST(std::count(results.begin(), results.end(), error_code{}) == total);
    BOOST_TEST(most_waiting == std::size_t(total - 8)); // queued before any ran
    BOOST_TEST(most_running <= 8u);
    BOOST_TEST(f.client->admission().running() == 0u);
    // Never more than 8 calls on the wire, so never more than 8 connections.
    BOOST_TEST(f.google->counts().max_connections_open <= 8u);
    f.google->with_state([&](gapi::emulator::emulator_state& s) {
        BOOST_TEST(s.gmail.messages("user1@example.com").size() == std::size_t(total));
    });
}

BOOST_AUTO_TEST_CASE(a_waiting_call_cancelled_completes_at_once_and_is_never_sent) {
    pipeline_fixture f({.quota = {.enabled = false}}, {}, [](gapi::client_options& o) { o.max_calls_in_flight = 1; });
    std::vector<std::string> order;
    error_code cancelled_ec, first_ec, last_ec;
    asio::cancellation_signal cancel;
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        asio::steady_timer done(f.ioc, asio::steady_timer::time_point::max());
        auto const first = numbered(1), second = numbered(2), third = numbered(3);
        f.gmail->send(first, [&](error_code ec, gapi::gmail::message) {
            order.push_back("first");
            first_ec = ec;
        });
        f.gmail->send(second, asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, gapi::gmail::message) {
                          order.push_back("second");
                          cancelled_ec = ec;
                      }));
        f.gmail->send(third, [&](error_code ec, gapi::gmail::message) {
            order.push_back("third");
            last_ec = ec;
            done.cancel();
        });
        BOOST_TEST(f.client->admission().waiting_count() == 2u);
        cancel.emit(asio::cancellation_type::terminal);
        co_await done.async_wait(use_tuple);
    }());
    BOOST_TEST(cancelled_ec == asio::error::operation_aborted, cancelled_ec.message());
    BOOST_TEST(!first_ec, first_ec.message());
    BOOST_TEST(!last_ec, last_ec.message());
    BOOST_TEST((order == std::vector<std::string>{"second", "first", "third"})); // it did not wait for its turn
    f.google->with_state([&](gapi::emulator::emulator_state& s) {
        auto const& box = s.gmail.messages("user1@example.com");
        BOOST_TEST(box.size() == 2u);
        for (auto const& m : box)
            BOOST_TEST(m.raw.find("Subject: Message 2") == std::string::npos);
    });
}

// Operations queued behind a running one that then fail to start (their request cannot be
// built) hand the place on one after another: 20,000 of them would overflow the stack if
// each started the next from inside its own failure.
BOOST_AUTO_TEST_CASE(a_long_queue_of_calls_that_cannot_start_completes_without_deepening_the_stack) {
    pipeline_fixture f({.quota = {.enabled = false}}, {}, [](gapi::client_options& o) { o.max_calls_in_flight = 1; });
    gapi::gmail::gmail_options misconfigured;
    misconfigured.root = "not a url";
    misconfigured.user_id = f.gmail->options().user_id; // the same lane as the running call
    gapi::gmail::gmail_service broken(*f.client, misconfigured);
    constexpr std::size_t queued = 20000;
    std::size_t refused = 0, completed = 0;
    error_code first_ec = make_error_code(gapi::error::internal_error);
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        asio::steady_timer done(f.ioc, asio::steady_timer::time_point::max());
        auto const finish = [&] {
            if (++completed == queued + 1)
                done.cancel();
        };
        auto const first = numbered(1);
        f.gmail->send(first, [&](error_code ec, gapi::gmail::message) {
            first_ec = ec;
            finish();
        });
        for (std::size_t i = 0; i < queued; ++i)
            broken.get_message("id", gapi::gmail::message_format::minimal, [&](error_code ec, gapi::gmail::message) {
                refused += ec == gapi::error::invalid_url;
                finish();
            });
        BOOST_TEST(f.client->admission().waiting_count() == queued);
        co_await done.async_wait(use_tuple);
    }());
    BOOST_TEST(!first_ec, first_ec.message());
    BOOST_TEST(refused == queued);
    BOOST_TEST(f.client->admission().running() == 0u);
    BOOST_TEST(f.client->admission().waiting_count() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// The gate alone, without I/O: first come, first served; the limit holds; what was
// cancelled while waiting is skipped; what still waits when the gate goes is completed.
BOOST_AUTO_TEST_SUITE(pipeline_admission)

namespace {
struct recorded : gapi::detail::admission::waiting {
    recorded(std::vector<std::string>& log, std::string name) : log(log), name(std::move(name)) {}
    bool start() override {
        log.push_back("start " + name);
        return true;
    }
    void abandon(error_code why) override { log.push_back("abandon " + name + ": " + why.message()); }
    std::vector<std::string>& log;
    std::string name;
};
} // namespace

BOOST_AUTO_TEST_CASE(first_come_first_served_within_the_limit) {
    std::vector<std::string> log;
    std::shared_ptr<recorded> c, d;
    {
        gapi::detail::admission gate(2);
        auto& me = gate.lane_of("me");
        BOOST_TEST(gate.try_enter(me));
        BOOST_TEST(gate.try_enter(me));
        BOOST_TEST(!gate.try_enter(me));
        auto a = std::make_shared<recorded>(log, "a");
        auto b = std::make_shared<recorded>(log, "b");
        c = std::make_shared<recorded>(log, "c");
        d = std::make_shared<recorded>(log, "d");
        for (auto const& w : {a, b, c, d})
            gate.wait(me, w);
        b->done = true; // cancelled while it waited: completed by its canceller, skipped here
        gate.leave(me); // a takes the place
        BOOST_TEST(gate.running() == 2u);
        gate.leave(me); // b skipped, c takes the place
        BOOST_TEST(gate.running() == 2u);
        BOOST_TEST(gate.waiting_count() == 1u);
    } // d still waits when the gate goes
    BOOST_TEST((log == std::vector<std::string>{"start a", "start c", "abandon d: " + make_error_code(gapi::error::pool_shut_down).message()}));
    BOOST_TEST(d->done);
}

BOOST_AUTO_TEST_CASE(each_user_has_a_lane_of_their_own) {
    std::vector<std::string> log;
    gapi::detail::admission gate(1);
    auto& busy = gate.lane_of("busy@example.com");
    BOOST_TEST(gate.try_enter(busy));
    for (auto name : {"b1", "b2", "b3"})
        gate.wait(busy, std::make_shared<recorded>(log, name));
    // Another user's call starts at once, whatever waits in the first lane.
    auto& other = gate.lane_of("other@example.com");
    BOOST_TEST(gate.try_enter(other));
    BOOST_TEST(gate.running() == 2u);
    BOOST_TEST(gate.waiting_count() == 3u);
    gate.leave(other); // the idle lane is forgotten; the busy one goes on in order
    gate.leave(busy);
    BOOST_TEST((log == std::vector<std::string>{"start b1"}));
    BOOST_TEST(gate.running() == 1u);
}

namespace {
asio::awaitable<std::pair<error_code, int>> throws_at_once() {
    throw std::runtime_error("a bug");
    co_return std::pair{error_code{}, 1};
}
asio::awaitable<std::pair<error_code, int>> throws_after_suspending(asio::io_context& ioc) {
    co_await asio::post(ioc, asio::use_awaitable);
    throw boost::system::system_error(make_error_code(gapi::error::invalid_url));
}
asio::awaitable<gapi::pipeline::outcome> call_that_throws(asio::io_context& ioc) {
    co_await asio::post(ioc, asio::use_awaitable);
    throw std::bad_alloc();
}
asio::awaitable<gapi::pipeline::outcome> answered_call(asio::io_context& ioc) {
    co_await asio::post(ioc, asio::use_awaitable);
    co_return gapi::pipeline::outcome{};
}
std::pair<error_code, int> read_answer(gapi::pipeline::outcome const& o) { return {o.ec, 42}; }
std::pair<error_code, int> read_that_throws(gapi::pipeline::outcome const&) { throw std::bad_alloc(); }
} // namespace

// What an operation throws (a bug inside gapi, or a system_error thrown on purpose) is its
// handler's error, one turn later when it threw before it suspended; its place goes on.
BOOST_AUTO_TEST_CASE(an_exception_inside_an_operation_is_its_error_and_its_place_goes_on) {
    asio::io_context ioc;
    gapi::detail::admission gate(1, ioc.get_executor());
    std::vector<std::string> log;
    bool started = false;
    auto const handler = [&](std::string name) {
        return [&, name](error_code ec, int value) {
            log.push_back(name + (started ? ": " : " (inside its start): ") + ec.message() + " " + std::to_string(value));
        };
    };
    auto const at_once = [] { return gapi::detail::operation_result<int>(throws_at_once()); };
    auto const later = [&] { return gapi::detail::operation_result<int>(throws_after_suspending(ioc)); };
    auto const call = [&] { return gapi::detail::operation_result<int>(call_that_throws(ioc), &read_answer); };
    auto const read = [&] { return gapi::detail::operation_result<int>(answered_call(ioc), &read_that_throws); };
    auto const fine = [&] { return gapi::detail::operation_result<int>(answered_call(ioc), &read_answer); };
    // Started on the io_context's own thread, where an operation is admitted and run
    // inside the call that starts it.
    asio::post(ioc, [&] {
        gapi::detail::start_operation<int>(ioc.get_executor(), gate, "me", at_once, handler("at once"));
        gapi::detail::start_operation<int>(ioc.get_executor(), gate, "me", later, handler("later"));
        gapi::detail::start_operation<int>(ioc.get_executor(), gate, "me", call, handler("call"));
        gapi::detail::start_operation<int>(ioc.get_executor(), gate, "me", read, handler("read"));
        gapi::detail::start_operation<int>(ioc.get_executor(), gate, "me", fine, handler("fine"));
        started = true;
    });
    ioc.run();
    auto const bug = make_error_code(gapi::error::internal_error).message();
    BOOST_TEST((log == std::vector<std::string>{"at once: " + bug + " 0",
                                                "later: " + make_error_code(gapi::error::invalid_url).message() + " 0",
                                                "call: " + bug + " 0", "read: " + bug + " 0",
                                                "fine: " + error_code().message() + " 42"}),
               boost::test_tools::per_element());
    BOOST_TEST(gate.running() == 0u);
}

// A batched call's answer is handed over in a handler posted in memory the call holds
// (`in_place_allocator`): Asio's operation for it fits there, is freed before the handler
// runs, and a second allocation while the block is taken comes from the heap.
BOOST_AUTO_TEST_CASE(a_handler_posted_with_an_in_place_allocator_takes_its_memory_from_the_block) {
    gapi::detail::in_place_memory<96> block;
    gapi::detail::in_place_allocator<void> const alloc(block);
    asio::io_context ioc;
    auto owner = std::make_shared<int>(7); // as the handed-over handler holds its operation
    bool ran = false, free_when_run = false;
    asio::post(ioc.get_executor(), asio::bind_allocator(alloc, [&, owner] {
                   ran = true;
                   free_when_run = !block.used;
               }));
    BOOST_TEST(block.used); // the posted operation lives in the block
    gapi::detail::in_place_allocator<long> longs(alloc);
    long* const elsewhere = longs.allocate(2);
    BOOST_TEST(reinterpret_cast<unsigned char*>(elsewhere) != block.bytes);
    longs.deallocate(elsewhere, 2);
    BOOST_TEST(block.used);
    ioc.run();
    BOOST_TEST(ran);
    BOOST_TEST(free_when_run);
    BOOST_TEST(!block.used);
    gapi::detail::in_place_allocator<char> chars(alloc);
    char* const too_big = chars.allocate(97);
    BOOST_TEST(reinterpret_cast<unsigned char*>(too_big) != block.bytes);
    BOOST_TEST(!block.used);
    chars.deallocate(too_big, 97);
}

BOOST_AUTO_TEST_CASE(leaving_with_nobody_waiting_frees_a_place) {
    gapi::detail::admission gate(1);
    auto& me = gate.lane_of("");
    BOOST_TEST(gate.try_enter(me));
    BOOST_TEST(!gate.try_enter(me));
    gate.leave(me);
    BOOST_TEST(gate.running() == 0u);
    auto& again = gate.lane_of("");
    BOOST_TEST(gate.try_enter(again));
}

BOOST_AUTO_TEST_SUITE_END()
