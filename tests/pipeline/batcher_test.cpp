// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
// When the batching layer sends a batch, sans I/O: the layer below holds every request
// until the test answers it, and a window ends only when the test says so. The
// io_context only runs what is ready (`poll`), so nothing here waits on a clock.
#include <gapi/pipeline/batcher.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace pl = gapi::pipeline;
using gapi::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A wait that ends when the test ends it.
asio::awaitable<void> hold(std::shared_ptr<asio::steady_timer> const& t) {
    co_await t->async_wait(use_tuple);
}

// A messages.get of one unit (a batch's units count its calls); with `target`, the
// request carries that target beside its origin; with `field`, a header field X-Test of
// that value.
pl::call get_call(std::string const& target = {}, std::string const& field = {}) {
    pl::call c;
    auto req = std::make_shared<gapi::http::request>();
    req->method = gapi::http::verb::get;
    if (target.empty()) {
        req->url = boost::urls::url("http://127.0.0.1:9/gmail/v1/users/me/messages/m1");
    } else {
        req->url = boost::urls::url("http://127.0.0.1:9");
        req->target = target;
    }
    if (!field.empty())
        req->headers.set("X-Test", field);
    req->method_id = "gmail.users.messages.get";
    req->quota_units = 1;
    c.request = req;
    c.traits.method_id = req->method_id;
    c.traits.quota_key = "me";
    c.traits.batchable = true;
    return c;
}

struct batching {
    // The layer learns how many calls run: started and not yet answered. A call counts
    // from `call()`, before it reaches the layer, as in the client when calls that
    // arrive together were all admitted first (they waited for the token, or their callers
    // called again while their answers were handed out).
    explicit batching(pl::batching_options o = {.enabled = true})
        : layer(o, timing, counters,
                [this](std::string_view lane) { return lane.empty() ? started - outcomes.size() : 0; }) {}

    // What went down to the next layer: a batch of `calls` (a plain request: 1).
    struct sent_request {
        std::string method_id;
        unsigned calls = 0;
        std::string authorization; ///< its Authorization field
        std::shared_ptr<asio::steady_timer> answer;
    };

    // Starts one `get_call(target, field)` through the layer.
    void call(asio::cancellation_slot slot = {}, std::string target = {}, std::string field = {}) {
        ++started;
        spawn_call(slot, std::move(target), std::move(field), false);
    }

    // `call`'s coroutine; `counted_on_arrival`: the call counts only once it runs.
    void spawn_call(asio::cancellation_slot slot, std::string target, std::string field, bool counted_on_arrival) {
        asio::co_spawn(ioc,
                       [this, target, field, counted_on_arrival]() -> asio::awaitable<void> {
                           started += counted_on_arrival;
                           auto c = get_call(target, field);
                           auto o = co_await layer(c, next);
                           outcomes.push_back(o.ec);
                           bodies.push_back(o.response.body);
                       },
                       asio::bind_cancellation_slot(slot, asio::detached));
    }

    // Starts `n` calls in one turn, each counted only as it reaches the layer (as the
    // client's calls with a token at hand: each is admitted and arrives before the next
    // starts), and runs what is ready.
    void calls_counted_as_they_arrive(int n) {
        for (int i = 0; i < n; ++i)
            spawn_call({}, {}, {}, true);
        settle();
    }

    // Starts `n` calls in one turn, and runs what is ready.
    void calls_together(int n) {
        for (int i = 0; i < n; ++i)
            call();
        settle();
    }

    // Runs what is ready, and nothing that waits.
    void settle() {
        ioc.restart();
        ioc.poll();
    }

    // Answers request `i` (every call in it fails alike: the outcome is not the point here).
    void answer(std::size_t i) {
        sent.at(i).answer->cancel();
        settle();
    }

    // Ends every window open now.
    void end_windows() {
        for (auto& w : windows)
            w->cancel();
        windows.clear();
        settle();
    }

    std::vector<unsigned> sizes() const {
        std::vector<unsigned> out;
        for (auto const& s : sent)
            out.push_back(s.calls);
        return out;
    }

    asio::io_context ioc;
    std::vector<std::shared_ptr<asio::steady_timer>> windows;
    std::vector<sent_request> sent;
    std::vector<error_code> outcomes;
    std::vector<std::string> bodies; ///< each outcome's response body, in the same order
    std::size_t started = 0;
    bool answer_parts = false; ///< a batch is answered with a 200 part per call, `{"part":N}`
    bool throw_on_answer = false; ///< the next layer throws instead of answering
    pl::retry_counters counters;
    pl::timing timing{[] { return std::chrono::steady_clock::time_point{}; },
                      [] { return std::chrono::system_clock::time_point{}; },
                      [this](std::chrono::milliseconds) -> asio::awaitable<error_code> {
                          auto t = std::make_shared<asio::steady_timer>(ioc, asio::steady_timer::time_point::max());
                          windows.push_back(t);
                          co_await hold(t);
                          co_return error_code{};
                      },
                      [] { return 0.5; }};
    pl::next_layer next = [this](pl::call& c) -> asio::awaitable<pl::outcome> {
        auto t = std::make_shared<asio::steady_timer>(ioc, asio::steady_timer::time_point::max());
        bool const batch = c.request->method_id.starts_with("batch.");
        sent.push_back({std::string(c.request->method_id), batch ? c.request->quota_units : 1u,
                        std::string(gapi::http::field_value(c.request->headers, boost::beast::http::field::authorization)),
                        t});
        co_await hold(t);
        if (throw_on_answer)
            throw std::bad_alloc();
        pl::outcome o;
        if (answer_parts && batch) {
            o.response.status = 200;
            o.response.headers.set(boost::beast::http::field::content_type, "multipart/mixed; boundary=b");
            for (unsigned i = 0; i < c.request->quota_units; ++i)
                o.response.body += "--b\r\nContent-Type: application/http\r\nContent-ID: <response-item-" +
                                   std::to_string(i) + ">\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{\"part\":" +
                                   std::to_string(i) + "}\r\n";
            o.response.body += "--b--\r\n";
            co_return o;
        }
        o.ec = asio::error::connection_reset;
        co_return o;
    };
    pl::batcher layer;
};

} // namespace

BOOST_AUTO_TEST_SUITE(batch_timing)

BOOST_AUTO_TEST_CASE(a_lone_call_goes_at_once_as_a_plain_request) {
    batching b;
    b.call();
    b.settle();
    BOOST_TEST_REQUIRE(b.sent.size() == 1u); // its window is still open
    BOOST_TEST(b.sent[0].method_id == "gmail.users.messages.get");
    b.answer(0);
    BOOST_TEST(b.outcomes.size() == 1u);
}

BOOST_AUTO_TEST_CASE(calls_that_arrive_together_go_as_one_batch) {
    batching b;
    b.calls_together(10);
    BOOST_TEST_REQUIRE(b.sizes() == std::vector<unsigned>{10}, boost::test_tools::per_element());
    BOOST_TEST(b.sent[0].method_id == "batch.gmail");
    BOOST_TEST(b.counters.batched_calls == 10u);
}

BOOST_AUTO_TEST_CASE(while_a_partial_batch_is_on_its_way_the_next_waits_for_its_answer) {
    batching b;
    b.calls_together(3);
    b.calls_together(4);
    BOOST_TEST(b.sizes() == std::vector<unsigned>{3}, boost::test_tools::per_element());
    b.call(); // joins the waiting ones
    b.settle();
    b.answer(0);
    BOOST_TEST(b.sizes() == (std::vector<unsigned>{3, 5}), boost::test_tools::per_element());
    BOOST_TEST(b.outcomes.size() == 3u);
    b.answer(1);
    BOOST_TEST(b.outcomes.size() == 8u);
}

BOOST_AUTO_TEST_CASE(or_for_its_window_whichever_ends_first) {
    batching b;
    b.calls_together(3);
    b.calls_together(4);
    b.end_windows(); // the first batch's window too: it has gone, so it ends without effect
    BOOST_TEST(b.sizes() == (std::vector<unsigned>{3, 4}), boost::test_tools::per_element());
    b.answer(1);
    b.answer(0);
    BOOST_TEST(b.outcomes.size() == 7u);
    BOOST_TEST(b.sent.size() == 2u);
}

// The batch's work runs detached: what it throws (here the layer below; memory running
// out after the request went is the same) fails each call still waiting, and the next
// batch of its kind is not held back by the one that failed.
BOOST_AUTO_TEST_CASE(what_a_batchs_work_throws_fails_each_call_still_waiting) {
    batching b;
    b.throw_on_answer = true;
    b.calls_together(5);
    b.calls_together(3); // they wait for the first batch's answer
    BOOST_TEST_REQUIRE(b.sizes() == std::vector<unsigned>{5}, boost::test_tools::per_element());
    b.answer(0);
    BOOST_TEST_REQUIRE(b.outcomes.size() == 5u);
    for (auto const& ec : b.outcomes)
        BOOST_TEST(ec == gapi::error::internal_error);
    BOOST_TEST_REQUIRE(b.sizes() == (std::vector<unsigned>{5, 3}), boost::test_tools::per_element());
    b.answer(1);
    b.call(); // alone
    b.settle();
    BOOST_TEST_REQUIRE(b.sizes() == (std::vector<unsigned>{5, 3, 1}), boost::test_tools::per_element());
    b.answer(2);
    BOOST_TEST_REQUIRE(b.outcomes.size() == 9u);
    for (auto const& ec : b.outcomes)
        BOOST_TEST(ec == gapi::error::internal_error);
}

// Calls join the batch of their own token, however its field's text is shared: a token
// joined right after another's does not join that one's batch, whether that one came in
// a shared string or in its request's own field (as a call from the retry loop's
// coroutine does), and the same token in a string of its own joins its own.
BOOST_AUTO_TEST_CASE(calls_with_another_token_go_in_another_batch) {
    batching b;
    struct waiter final : pl::batch_waiter {
        void hand_over(std::shared_ptr<batch_waiter>) override {}
    };
    auto const token_a = std::make_shared<std::string const>("Bearer token-a");
    auto const token_b = std::make_shared<std::string const>("Bearer token-b"); // as long as a's
    auto const token_a_again = std::make_shared<std::string const>(*token_a);
    std::shared_ptr<std::string const> const in_the_request; // b's, in the request's own field
    std::vector<pl::call> calls;
    calls.reserve(5);
    for (auto const& token : {token_a, in_the_request, token_a, token_b, token_a_again}) {
        calls.push_back(get_call());
        auto w = std::make_shared<waiter>();
        w->authorization = token;
        if (!token)
            calls.back().request->headers.set(boost::beast::http::field::authorization, *token_b);
        b.layer.join(calls.back(), b.next, std::move(w), b.ioc.get_executor());
    }
    b.settle();
    BOOST_TEST_REQUIRE(b.sent.size() == 2u);
    for (auto const& s : b.sent) {
        BOOST_TEST(s.method_id == "batch.gmail");
        BOOST_TEST(s.calls == (s.authorization == *token_a ? 3u : 2u), s.authorization);
    }
    BOOST_TEST(b.sent[0].authorization != b.sent[1].authorization);
}

// A hand-over that throws (the memory for its handler ran out) leaves its waiter waiting;
// the batch's work then fails it, and the calls not yet handed over, with
// `internal_error`: each caller is answered once.
BOOST_AUTO_TEST_CASE(a_hand_over_that_throws_is_answered_with_internal_error_once) {
    batching b;
    b.answer_parts = true;
    struct waiter final : pl::batch_waiter {
        bool throws = false;
        std::vector<error_code>* answers = nullptr;
        void hand_over(std::shared_ptr<batch_waiter>) override {
            if (std::exchange(throws, false))
                throw std::bad_alloc();
            answers->push_back(result.ec);
        }
    };
    std::vector<error_code> answers;
    std::vector<pl::call> calls;
    calls.reserve(3);
    b.started = 3; // running, as the layer counts them
    for (std::size_t i = 0; i < 3; ++i) {
        calls.push_back(get_call());
        auto w = std::make_shared<waiter>();
        w->throws = i == 0;
        w->answers = &answers;
        b.layer.join(calls[i], b.next, std::move(w), b.ioc.get_executor());
    }
    b.settle();
    BOOST_TEST_REQUIRE(b.sizes() == std::vector<unsigned>{3}, boost::test_tools::per_element());
    b.answer(0);
    BOOST_TEST_REQUIRE(answers.size() == 3u);
    for (auto const& ec : answers)
        BOOST_TEST(ec == gapi::error::internal_error);
}

BOOST_AUTO_TEST_CASE(a_full_batch_goes_at_once_even_while_a_partial_one_is_on_its_way) {
    batching b({.enabled = true, .gmail_max = 5});
    b.calls_together(2);
    b.calls_together(7);
    BOOST_TEST(b.sizes() == (std::vector<unsigned>{2, 5}), boost::test_tools::per_element());
    b.answer(0); // the two left over go now
    BOOST_TEST(b.sizes() == (std::vector<unsigned>{2, 5, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(more_calls_than_one_batch_holds_go_in_the_fewest_batches_evenly) {
    // At most 50 a batch; the calls run at once, and arrive together.
    for (auto const& [running, expected] : std::vector<std::pair<int, std::vector<unsigned>>>{
             {50, {50}}, {51, {26, 25}}, {64, {32, 32}}, {100, {50, 50}}, {101, {34, 34, 33}}, {120, {40, 40, 40}}}) {
        batching b;
        b.calls_together(running);
        BOOST_TEST(b.sizes() == expected, boost::test_tools::per_element());
    }
    BOOST_TEST(pl::balanced_batch_size(64, 50) == 32u);
    BOOST_TEST(pl::balanced_batch_size(10, 50) == 50u); // they fit in one: full at the maximum
    BOOST_TEST(pl::balanced_batch_size(1000, 1000) == 1000u);
    BOOST_TEST(pl::balanced_batch_size(1001, 1000) == 501u);
    // More than half the maximum, always: the layer asks for the count of running calls
    // only once a group holds more than that.
    for (std::size_t max : {1u, 2u, 3u, 50u, 99u, 100u, 1000u})
        for (std::size_t running = 0; running <= 3 * max + 7; ++running)
            BOOST_TEST(pl::balanced_batch_size(running, max) > max / 2, running << " of " << max);
}

BOOST_AUTO_TEST_CASE(a_burst_counted_call_by_call_is_split_evenly_from_its_first_batch) {
    // When the 50th call arrives only 50 are counted; the batch goes a turn later, when
    // all have arrived and are counted.
    for (auto const& [burst, expected] : std::vector<std::pair<int, std::vector<unsigned>>>{
             {64, {32, 32}}, {100, {50, 50}}, {120, {40, 40, 40}}, {49, {49}}}) {
        batching b;
        b.calls_counted_as_they_arrive(burst);
        BOOST_TEST(b.sizes() == expected, boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(without_the_count_of_running_calls_a_batch_is_full_at_the_maximum) {
    batching b;
    pl::batcher plain({.enabled = true}, b.timing, b.counters);
    for (int i = 0; i < 64; ++i)
        asio::co_spawn(b.ioc,
                       [&]() -> asio::awaitable<void> {
                           auto c = get_call();
                           co_await plain(c, b.next);
                       },
                       asio::detached);
    b.settle();
    BOOST_TEST(b.sizes() == (std::vector<unsigned>{50, 14}), boost::test_tools::per_element());
    for (std::size_t i = 0; i < b.sent.size(); ++i)
        b.answer(i);
}

BOOST_AUTO_TEST_CASE(under_a_steady_load_two_batches_are_on_their_way_at_once) {
    // 64 callers that call again as soon as they are answered, batches of at most 50:
    // two of 32 each round.
    batching b;
    b.calls_together(64);
    BOOST_TEST(b.sizes() == (std::vector<unsigned>{32, 32}), boost::test_tools::per_element());
    for (std::size_t round = 0; round < 6; ++round) {
        auto const answered = b.outcomes.size();
        b.answer(round);
        for (auto i = answered; i < b.outcomes.size(); ++i)
            b.call();
        b.settle();
        // Every caller is in a batch on its way, none waits: the server always has the
        // next batch while the client reads the last.
        std::size_t in_flight = 0;
        for (auto i = round + 1; i < b.sent.size(); ++i)
            in_flight += b.sent[i].calls;
        BOOST_TEST(in_flight == 64u);
        BOOST_TEST(b.sent.size() == round + 3);
        BOOST_TEST(b.sent.back().calls == 32u);
    }
}

BOOST_AUTO_TEST_CASE(a_call_whose_target_or_field_may_not_go_out_goes_alone_for_the_transport_to_refuse) {
    // Inside a batch nothing would check it: the part is written into the batch's body.
    batching b;
    b.call();
    b.call({}, "/gmail/v1/users/me/messages/m1\r\nX-Smuggled: 1");
    b.call({}, "/gmail/v1/users/me/messages/m1");
    b.call({}, {}, "a\r\nX-Smuggled: 1");
    b.call({}, {}, "fine");
    b.call();
    b.settle();
    BOOST_TEST_REQUIRE(b.sizes() == (std::vector<unsigned>{1, 1, 4}), boost::test_tools::per_element());
    BOOST_TEST(b.sent[0].method_id == "gmail.users.messages.get");
    BOOST_TEST(b.sent[1].method_id == "gmail.users.messages.get");
    BOOST_TEST(b.sent[2].method_id == "batch.gmail");
}

BOOST_AUTO_TEST_CASE(a_caller_that_cancels_while_its_batch_forms_leaves_it) {
    batching b;
    b.call(); // goes alone and is held
    b.settle();
    asio::cancellation_signal leave;
    b.call(leave.slot());
    b.call();
    b.settle();
    leave.emit(asio::cancellation_type::terminal);
    b.settle();
    BOOST_TEST_REQUIRE(b.outcomes.size() == 1u);
    BOOST_TEST(b.outcomes[0] == asio::error::operation_aborted);
    b.answer(0);
    BOOST_TEST_REQUIRE(b.sizes() == (std::vector<unsigned>{1, 1}), boost::test_tools::per_element());
    BOOST_TEST(b.sent[1].method_id == "gmail.users.messages.get"); // a batch of one goes plain
}

namespace {
// Three calls go as one batch, and the second cancels while the batch is on its way; the
// batch's answer comes later, or (`answer_at_once`) as it cancels, its handler queued
// before the cancelled caller's own hand-over. Its part's answer is dropped either way:
// the outcome it has (aborted) is never written over, and the others get their own parts.
void cancel_the_second_of_a_batch_on_its_way(bool answer_at_once) {
    batching b;
    b.answer_parts = true;
    asio::cancellation_signal leave;
    b.call();
    b.call(leave.slot());
    b.call();
    b.settle();
    BOOST_TEST_REQUIRE(b.sizes() == std::vector<unsigned>{3}, boost::test_tools::per_element());
    // The cancellation reaches the layer in a handler that the call's co_spawn queues now;
    // the batch's answer is queued after it, and the cancelled caller's hand-over (queued
    // when the cancellation arrives) after the answer.
    leave.emit(asio::cancellation_type::terminal);
    if (answer_at_once)
        b.sent[0].answer->cancel();
    b.settle();
    if (!answer_at_once) {
        BOOST_TEST_REQUIRE(b.outcomes.size() == 1u);
        b.answer(0);
    }
    BOOST_TEST_REQUIRE(b.outcomes.size() == 3u);
    BOOST_TEST(b.outcomes[0] == asio::error::operation_aborted);
    BOOST_TEST(b.bodies[0].empty());
    BOOST_TEST(!b.outcomes[1]);
    BOOST_TEST(b.bodies[1] == R"({"part":0})");
    BOOST_TEST(!b.outcomes[2]);
    BOOST_TEST(b.bodies[2] == R"({"part":2})");
}
} // namespace

BOOST_AUTO_TEST_CASE(a_caller_that_cancels_while_its_batch_is_on_its_way_is_aborted_and_the_others_answered) {
    cancel_the_second_of_a_batch_on_its_way(false);
}

BOOST_AUTO_TEST_CASE(a_caller_that_cancels_as_its_batchs_answer_comes_is_aborted_and_the_others_answered) {
    cancel_the_second_of_a_batch_on_its_way(true);
}

BOOST_AUTO_TEST_SUITE_END()
