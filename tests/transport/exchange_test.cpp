// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The transport's exchange of one request and its answer, sans I/O: the pool's own
// `http::detail::exchange` over Beast's test stream, with a failure injected at every
// point in turn (Beast's `fail_count` sweep), answers that arrive a byte at a time,
// endless answers, and the replay and error decisions the pool takes from the outcome.
#include "../support/run.hpp"

#include <gapi/http/detail/exchange.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/fail_count.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
using gapi::error_code;
using gapi::http::detail::exchange;
using gapi::http::detail::response_limits;

namespace {

std::string const request_head = "POST /gmail/v1/users/me/messages/send HTTP/1.1\r\nHost: gmail.googleapis.com\r\n"
                                 "Content-Length: 13\r\n\r\n";
std::string const request_body = R"({"raw":"AAA"})";
std::string const answer = "HTTP/1.1 100 Continue\r\n\r\n"
                           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\n{\"id\"\r\n6\r\n:\"m1\"}\r\n0\r\n\r\n";

struct outcome {
    bool finished = false;
    error_code ec;
    gapi::http::response response;
    bool written = false;
    bool keep_alive = false;
    std::string sent;             ///< what reached the server's end
    std::size_t answer_bytes_read = 0;
};

/// One exchange over a test stream whose server end has already written `server_says`
/// (then closes, unless `endless`), reads `read_size` bytes at a time, and fails at the
/// `fail_at`-th stream operation when set.
constexpr response_limits roomy{.header_bytes = 64 * 1024, .body_bytes = 1024 * 1024};

outcome run_exchange(std::string const& server_says, std::optional<std::size_t> fail_at = {},
                     std::size_t read_size = 1 << 20, response_limits limits = roomy, bool head_request = false,
                     bool keep_success_fields = true) {
    asio::io_context ioc;
    std::optional<beast::test::fail_count> failures;
    if (fail_at)
        failures.emplace(*fail_at);
    auto client = failures ? beast::test::stream(ioc, *failures) : beast::test::stream(ioc);
    beast::test::stream server(ioc);
    client.connect(server);
    client.read_size(read_size);
    client.append(server_says);
    client.close_remote();
    beast::flat_buffer buffer;
    outcome o;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            o.ec = co_await exchange(client, buffer, request_head, request_body, limits, head_request, o.response,
                                     o.written, o.keep_alive, keep_success_fields);
            o.finished = true;
        },
        asio::detached);
    ioc.run_for(std::chrono::seconds(10)); // the stream is finite: it ends long before
    o.sent = server.str();
    o.answer_bytes_read = client.nread_bytes();
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(transport_exchange)

BOOST_AUTO_TEST_CASE(an_answer_in_one_piece_or_a_byte_at_a_time_reads_the_same) {
    for (std::size_t read_size : {std::size_t(1) << 20, std::size_t(7), std::size_t(1)}) {
        auto const o = run_exchange(answer, {}, read_size);
        BOOST_TEST_REQUIRE(o.finished);
        BOOST_TEST(!o.ec, o.ec.message());
        BOOST_TEST(o.written);
        BOOST_TEST(o.sent == request_head + request_body); // one gathered write, body uncopied
        BOOST_TEST(o.response.status == 200u);              // the 100 Continue was skipped
        BOOST_TEST(o.response.body == R"({"id":"m1"})");
        BOOST_TEST(o.response.exchange.request_written);
        BOOST_TEST(o.response.exchange.response_started);
        BOOST_TEST(o.keep_alive);
    }
}

BOOST_AUTO_TEST_CASE(a_success_read_for_its_body_alone_keeps_no_fields_and_any_other_answer_keeps_them) {
    for (std::size_t read_size : {std::size_t(1) << 20, std::size_t(1)}) {
        auto const success = run_exchange(answer, {}, read_size, roomy, false, false);
        BOOST_TEST_REQUIRE(!success.ec, success.ec.message());
        BOOST_TEST(success.response.status == 200u);
        BOOST_TEST(success.response.body == R"({"id":"m1"})"); // chunked, after a 100 Continue
        BOOST_TEST((success.response.headers.begin() == success.response.headers.end()));
        BOOST_TEST(success.keep_alive);

        auto const kept = run_exchange(answer, {}, read_size);
        BOOST_TEST(kept.response.headers[boost::beast::http::field::content_type] == "application/json");

        auto const closing = run_exchange("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", {}, read_size,
                                          roomy, false, false);
        BOOST_TEST_REQUIRE(!closing.ec, closing.ec.message());
        BOOST_TEST(!closing.keep_alive); // told by the parser, not by the dropped field

        auto const refused = run_exchange("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
                                          "Content-Length: 2\r\n\r\n{}",
                                          {}, read_size, roomy, false, false);
        BOOST_TEST_REQUIRE(!refused.ec, refused.ec.message());
        BOOST_TEST(refused.response.status == 429u);
        BOOST_TEST(refused.response.headers[boost::beast::http::field::retry_after] == "7");
        BOOST_TEST(refused.response.body == "{}");
    }
}

BOOST_AUTO_TEST_CASE(keep_alive_is_the_parsers_word_whatever_fields_are_kept) {
    // A body that ends when the connection closes leaves nothing to reuse; HTTP/1.0 keeps
    // the connection only when asked to; fields dropped or kept, the answer is the same.
    struct case_ {
        std::string answer;
        bool keep_alive;
    };
    std::vector<case_> const cases{
        {"HTTP/1.1 200 OK\r\n\r\nuntil the end", false},
        {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", true},
        {"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", false},
        {"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}", false},
        {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}", true},
        // Switched to another protocol: never handed to the next request.
        {"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", false},
    };
    for (auto const& c : cases)
        for (bool keep_fields : {true, false}) {
            auto const o = run_exchange(c.answer, {}, 1 << 20, roomy, false, keep_fields);
            BOOST_TEST_REQUIRE(!o.ec, o.ec.message());
            BOOST_TEST(o.keep_alive == c.keep_alive, c.answer << (keep_fields ? " (fields kept)" : ""));
        }
}

BOOST_AUTO_TEST_CASE(a_failure_at_every_point_of_the_exchange_ends_it_cleanly) {
    // Beast's sweep: the n-th operation on the stream fails, for n = 0, 1, ... until one
    // exchange gets through. Reads of 3 bytes make many points to fail at.
    std::size_t failed_before_writing = 0, failed_while_reading = 0;
    std::size_t n = 0;
    for (;; ++n) {
        BOOST_TEST_REQUIRE(n < 500u, "the exchange never got through");
        auto const o = run_exchange(answer, n, 3);
        BOOST_TEST_REQUIRE(o.finished, "stuck after a failure at point " << n);
        if (!o.ec) {
            BOOST_TEST(o.response.status == 200u);
            BOOST_TEST(o.response.body == R"({"id":"m1"})");
            break;
        }
        BOOST_TEST((o.ec == beast::test::error::test_failure), n << ": " << o.ec.message());
        BOOST_TEST(o.response.status == 0u); // a failed exchange has no status
        if (!o.written) {
            ++failed_before_writing;
            BOOST_TEST(!o.response.exchange.request_written);
            BOOST_TEST(!o.response.exchange.response_started);
        } else {
            ++failed_while_reading;
            BOOST_TEST(o.response.exchange.request_written);
            // What the pool makes of it: a failure once the answer started is never the
            // keep-alive race, so nothing is replayed.
            auto const classified =
                gapi::http::detail::classify_exchange_error(o.ec, o.response.exchange.response_started);
            gapi::http::exchange_info reused = o.response.exchange;
            reused.attempts = 1;
            reused.reused_connection = true;
            if (o.response.exchange.response_started)
                BOOST_TEST(!gapi::http::detail::may_replay(reused, true, true, classified));
        }
    }
    BOOST_TEST(failed_before_writing >= 1u);
    BOOST_TEST(failed_while_reading >= 10u);
}

BOOST_AUTO_TEST_CASE(endless_and_oversize_answers_stop_at_the_limits) {
    response_limits const limits{.header_bytes = 1024, .body_bytes = 4096};
    // A body far over the limit (chunked, so its size is not announced).
    std::string body_flood = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4096; ++i)
        body_flood += "100\r\n" + std::string(256, 'x') + "\r\n";
    auto o = run_exchange(body_flood, {}, 512, limits);
    BOOST_TEST_REQUIRE(o.finished);
    BOOST_TEST((o.ec == beast::http::error::body_limit), o.ec.message());
    BOOST_TEST(gapi::http::detail::classify_exchange_error(o.ec, true) == gapi::error::response_too_large);
    BOOST_TEST(o.answer_bytes_read < 16u * 1024u); // it stopped reading, not after the megabyte
    // Header lines without end.
    std::string header_flood = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 10000; ++i)
        header_flood += "X-Filler-" + std::to_string(i) + ": yes\r\n";
    o = run_exchange(header_flood, {}, 512, limits);
    BOOST_TEST_REQUIRE(o.finished);
    BOOST_TEST((o.ec == beast::http::error::header_limit), o.ec.message());
    BOOST_TEST(o.answer_bytes_read < 8u * 1024u);
    // Interim answers without end are bounded by the stream: they end with it, truncated.
    std::string interim_flood;
    for (int i = 0; i < 2000; ++i)
        interim_flood += "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n";
    o = run_exchange(interim_flood, {}, 4096, limits);
    BOOST_TEST_REQUIRE(o.finished);
    BOOST_TEST(o.ec);
    BOOST_TEST(o.response.status == 0u);
}

BOOST_AUTO_TEST_CASE(a_head_answer_announces_a_body_it_does_not_send) {
    auto const o = run_exchange("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", {}, 1 << 20, roomy, true);
    BOOST_TEST_REQUIRE(o.finished);
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST(o.response.status == 200u);
    BOOST_TEST(o.response.body.empty());
}

BOOST_AUTO_TEST_CASE(a_status_below_100_is_a_malformed_answer) {
    // Found by the http_response fuzzer (tests/fuzz/crashes/http_response): Beast takes
    // any three digits, and "026" came back as a final answer with status 26.
    auto const o = run_exchange("HTTP/1.1 026 OK\r\nContent-Length: 2\r\n\r\n{}");
    BOOST_TEST_REQUIRE(o.finished);
    BOOST_TEST((o.ec == beast::http::error::bad_status), o.ec.message());
    BOOST_TEST(gapi::http::detail::classify_exchange_error(o.ec, true) == gapi::error::malformed_http_response);
    BOOST_TEST(o.response.status == 0u);
}

BOOST_AUTO_TEST_CASE(how_exchange_failures_are_named) {
    using gapi::http::detail::classify_exchange_error;
    namespace bhttp = beast::http;
    BOOST_TEST(classify_exchange_error(bhttp::error::end_of_stream, false) == gapi::error::connection_closed);
    BOOST_TEST(classify_exchange_error(bhttp::error::end_of_stream, true) == gapi::error::truncated_response);
    BOOST_TEST(classify_exchange_error(bhttp::error::partial_message, true) == gapi::error::truncated_response);
    BOOST_TEST(classify_exchange_error(bhttp::error::body_limit, true) == gapi::error::response_too_large);
    BOOST_TEST(classify_exchange_error(bhttp::error::header_limit, true) == gapi::error::response_too_large);
    BOOST_TEST(classify_exchange_error(bhttp::error::bad_version, true) == gapi::error::malformed_http_response);
    BOOST_TEST(classify_exchange_error(beast::error::timeout, true) == gapi::error::request_timeout);
    BOOST_TEST(classify_exchange_error(asio::error::connection_reset, true) == gapi::error::truncated_response);
    BOOST_TEST((classify_exchange_error(asio::error::connection_reset, false) == asio::error::connection_reset));
}

BOOST_AUTO_TEST_CASE(only_the_keep_alive_race_is_replayed_and_never_a_written_send) {
    using gapi::http::detail::may_replay;
    gapi::http::exchange_info reused;
    reused.attempts = 1;
    reused.reused_connection = true;
    error_code const reset = asio::error::connection_reset;
    error_code const closed = gapi::error::connection_closed;
    // The race: a reused connection the server had closed.
    BOOST_TEST(may_replay(reused, false, false, reset));  // never written: safe for any call
    BOOST_TEST(may_replay(reused, true, true, closed));   // written, but may run twice
    BOOST_TEST(!may_replay(reused, true, false, reset));  // a written send: the server may have acted
    // Not the race.
    auto fresh = reused;
    fresh.reused_connection = false;
    BOOST_TEST(!may_replay(fresh, false, true, reset));   // a new connection cannot be stale
    auto second = reused;
    second.attempts = 2;
    BOOST_TEST(!may_replay(second, false, true, reset));  // once only
    auto started = reused;
    started.response_started = true;
    BOOST_TEST(!may_replay(started, true, true, closed)); // an answer began: it is not the race
    BOOST_TEST(!may_replay(reused, true, true, gapi::error::request_timeout));
    BOOST_TEST(!may_replay(reused, true, true, gapi::error::malformed_http_response));
}

BOOST_AUTO_TEST_SUITE_END()
