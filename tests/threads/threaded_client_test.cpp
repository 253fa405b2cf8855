// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// Clients in strand mode: an io_context run by four threads, the client on a strand of
// it, calls started from four other threads at once, an emulator serving on two threads
// with injected faults, and access tokens revoked mid-run. Run under ThreadSanitizer in CI
// (the `tsan` preset), where a data race anywhere on these paths fails the suite.
#include "../support/run.hpp"

#include <gapi/auth/credential_files.hpp>
#include <gapi/calendar/calendar_service.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>
#include <gapi/gmail/gmail_service.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace asio = boost::asio;
namespace emu = gapi::emulator;
using gapi::error_code;
using namespace std::chrono_literals;

namespace {

/// An io_context run by `threads` threads until the object dies; the client lives on a strand of it.
class threaded_context {
public:
    explicit threaded_context(std::size_t threads) : work_(ioc.get_executor()) {
        for (std::size_t i = 0; i < threads; ++i)
            runners_.emplace_back([this] { ioc.run(); });
    }
    ~threaded_context() { stop(); }
    void stop() {
        work_.reset();
        ioc.stop();
        for (auto& t : runners_)
            if (t.joinable())
                t.join();
    }

    asio::io_context ioc;

private:
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::vector<std::thread> runners_;
};

/// Counts completions from any thread; the test thread waits for all of them, bounded,
/// and asserts (Boost.Test is used from the test thread only).
class completions {
public:
    void done(error_code ec, bool right) {
        std::lock_guard lock(mutex_);
        ++finished_;
        ok_ += !ec && right;
        if (ec && first_error_.empty())
            first_error_ = ec.message();
        changed_.notify_all();
    }
    bool wait_for(std::size_t n, std::chrono::seconds limit) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return finished_ >= n; });
    }
    std::size_t finished() {
        std::lock_guard lock(mutex_);
        return finished_;
    }
    std::size_t ok() {
        std::lock_guard lock(mutex_);
        return ok_;
    }
    std::string first_error() {
        std::lock_guard lock(mutex_);
        return first_error_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t finished_ = 0;
    std::size_t ok_ = 0;
    std::string first_error_;
};

struct threaded_fixture {
    explicit threaded_fixture(std::string faults, bool batching = false) {
        emu::emulator_options o;
        o.state_dir = dir.path();
        o.threads = 2;
        o.quota.enabled = false;
        o.faults = std::move(faults);
        o.seed = 7;
        o.calendar = {.calendars = 2, .events_per_calendar = 3};
        google.emplace(std::move(o));
        google->start();
        gapi::client_options co;
        co.pacing.enabled = false;
        co.batching.enabled = batching;
        co.retry.initial_backoff = 1ms;
        co.retry.max_backoff = 20ms;
        co.retry.applied_lookup_interval = 1ms;
        co.retry.max_attempts = 10;
        co.endpoints = {.gmail = google->base_url(), .calendar = google->base_url()};
        client.emplace(asio::make_strand(context.ioc), gapi::auth::credentials::from_file(dir.file("token.json")), co);
    }
    ~threaded_fixture() {
        // The client goes while no thread runs its handlers, then what is still queued.
        context.stop();
        client.reset();
    }

    gapi_test::temp_dir dir;
    std::optional<emu::emulator> google;
    threaded_context context{4};
    std::optional<gapi::client> client;
};

gapi::mime::message numbered(int caller, int i) {
    gapi::mime::message m;
    m.from = {"User One", "user1@example.com"};
    m.to = {{"Someone", "someone@elsewhere.example"}};
    m.subject = "Caller " + std::to_string(caller) + " message " + std::to_string(i);
    m.text_body = "Number " + std::to_string(i) + ".\n";
    return m;
}

/// Runs `start(caller)` on `callers` threads at once.
template <class Start>
void from_threads(int callers, Start start) {
    std::vector<std::thread> threads;
    for (int caller = 0; caller < callers; ++caller)
        threads.emplace_back([&start, caller] { start(caller); });
    for (auto& t : threads)
        t.join();
}

} // namespace

BOOST_AUTO_TEST_SUITE(threaded_clients)

BOOST_AUTO_TEST_CASE(sends_lists_and_events_from_four_threads_under_faults_and_revocation) {
    completions calls; // before the fixture: it outlives the threads that complete calls
    threaded_fixture f("gmail.users.messages.send:503=0.05,429=0.05,reset=0.02,ambiguous=0.01;"
                       "gmail.users.labels.list:503=0.1;calendar.events.list:429=0.1");
    auto const gmail = f.client->gmail();
    auto const calendar = f.client->calendar();
    constexpr int callers = 4, sends_each = 120, reads_each = 40;
    constexpr std::size_t total = callers * (sends_each + 2 * reads_each);
    std::string const cal = "fixture-0001@group.calendar.google.com";
    std::atomic<bool> revoked = false;
    from_threads(callers, [&](int caller) {
        for (int i = 0; i < sends_each; ++i) {
            gmail.send(numbered(caller, i),
                       [&](error_code ec, gapi::gmail::message m) { calls.done(ec, !m.id.empty()); });
            if (i % 3 == 0) {
                gmail.list_labels([&](error_code ec, std::vector<gapi::gmail::label> labels) {
                    calls.done(ec, !labels.empty());
                });
                calendar.list_events(cal, {}, [&](error_code ec, gapi::calendar::event_list list) {
                    calls.done(ec, list.items.size() == 3);
                });
            }
            // Once, while calls are on the wire: every access token dies; each call
            // that meets a 401 refreshes once.
            if (caller == 0 && i == sends_each / 2 && !revoked.exchange(true))
                f.google->with_state([](emu::emulator_state& s) { s.oauth.revoke_access_tokens("user1@example.com"); });
        }
    });
    BOOST_TEST_REQUIRE(calls.wait_for(total, 240s), calls.finished() << " of " << total << " calls finished");
    BOOST_TEST(calls.ok() == total, "first error: " << calls.first_error());
    f.google->with_state([&](emu::emulator_state& s) {
        auto const& box = s.gmail.messages("user1@example.com");
        BOOST_TEST(box.size() == std::size_t(callers * sends_each)); // each send landed once
        std::set<std::string> message_ids;
        for (auto const& m : box)
            message_ids.insert(m.message_id);
        BOOST_TEST(message_ids.size() == box.size());
    });
    auto const counts = f.google->counts();
    BOOST_TEST(counts.resets_injected > 0u);
    // token.json holds a live token: one refresh after the revocation, shared by every
    // call that met a 401 (a call still on the wire with the old token may start a second).
    BOOST_TEST(counts.calls("oauth2.token") >= 1u);
    BOOST_TEST(counts.calls("oauth2.token") <= 2u);
    BOOST_TEST(counts.calls("gmail.users.messages.send", 401) > 0u); // the revocation did meet calls
    BOOST_TEST_MESSAGE(counts.http_requests << " requests, " << counts.resets_injected << " resets, "
                                            << counts.calls("oauth2.token") << " token grants, "
                                            << f.client->stats().retries << " retries");
}

BOOST_AUTO_TEST_CASE(automatic_batches_from_four_threads_answer_every_caller) {
    // Before the fixture: they outlive the threads that complete calls.
    completions seeded, calls;
    std::vector<std::string> ids;
    std::mutex ids_mutex;
    threaded_fixture f("gmail.users.messages.get:429=0.05", /*batching=*/true);
    auto const gmail = f.client->gmail();
    for (int i = 0; i < 5; ++i)
        gmail.with({.batch = false}).send(numbered(9, i), [&](error_code ec, gapi::gmail::message m) {
            std::lock_guard lock(ids_mutex);
            ids.push_back(m.id);
            seeded.done(ec, true);
        });
    BOOST_TEST_REQUIRE(seeded.wait_for(5, 60s));
    BOOST_TEST_REQUIRE(seeded.ok() == 5u, seeded.first_error());
    std::sort(ids.begin(), ids.end());
    constexpr int callers = 4, gets_each = 500;
    from_threads(callers, [&](int caller) {
        for (int i = 0; i < gets_each; ++i) {
            auto const& id = ids[std::size_t(caller + i) % ids.size()];
            gmail.get_message(id, gapi::gmail::message_format::minimal,
                              [&calls, &id](error_code ec, gapi::gmail::message m) { calls.done(ec, m.id == id); });
        }
    });
    BOOST_TEST_REQUIRE(calls.wait_for(callers * gets_each, 120s), calls.finished() << " calls finished");
    BOOST_TEST(calls.ok() == std::size_t(callers * gets_each), "first error: " << calls.first_error());
    auto const counts = f.google->counts();
    BOOST_TEST(counts.calls("gmail.users.messages.get", 429) > 0u);
    BOOST_TEST(counts.calls("batch.gmail") < std::size_t(callers * gets_each) / 10); // they did travel in batches
    BOOST_TEST_MESSAGE(counts.calls("batch.gmail") << " batches, " << counts.calls("gmail.users.messages.get", 429)
                                                   << " parts refused with 429");
}

BOOST_AUTO_TEST_SUITE_END()
