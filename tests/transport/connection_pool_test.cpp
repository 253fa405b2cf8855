// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include "../support/run.hpp"
#include "../support/test_server.hpp"

#include <gapi/emulator/certificate_authority.hpp>
#include <gapi/http/connection_pool.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using gapi::error_code;
using gapi::http::connection_pool;
using gapi::http::pool_options;
using gapi::http::request;
using gapi::http::response;
using gapi_test::eventually;
using gapi_test::test_server;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

request get(std::string const& url) {
    request req;
    req.url = boost::urls::url(url);
    return req;
}

std::chrono::steady_clock::duration since(std::chrono::steady_clock::time_point t) {
    return std::chrono::steady_clock::now() - t;
}

// A CA made for this test run, and server certificates it signs.
struct tls_fixture {
    gapi::emulator::certificate_authority ca = gapi::emulator::certificate_authority::generate("gapi test CA");
    gapi_test::temp_dir dir;
    std::string ca_file = dir.file("ca.pem");

    tls_fixture() { ca.write_certificate_pem(ca_file); }

    pool_options trusting_options() const {
        pool_options options;
        options.tls.ca_file = ca_file;
        return options;
    }
};

// A server on 127.0.0.1 that keeps each request's bytes as they came, head and body, and
// answers each with an empty 200 on the same connection.
class recording_server {
public:
    explicit recording_server(asio::any_io_executor ex)
        : acceptor_(ex, {asio::ip::make_address("127.0.0.1"), 0}) {
        asio::co_spawn(ex, accept(), asio::detached);
    }
    std::string base_url() const { return "http://" + host(); }
    std::string host() const { return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

    std::vector<std::string> requests;

private:
    asio::awaitable<void> accept() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
            if (ec)
                co_return;
            asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> serve(asio::ip::tcp::socket socket) {
        std::string buffer;
        for (;;) {
            auto [ec, head_size] =
                co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n\r\n", use_tuple);
            if (ec)
                co_return;
            std::string_view const head(buffer.data(), head_size);
            std::size_t length = 0;
            if (auto const at = head.find("\r\nContent-Length: "); at != std::string_view::npos)
                length = std::stoul(std::string(head.substr(at + 18, head.find('\r', at + 2) - at - 18)));
            if (buffer.size() < head_size + length) {
                auto [read_ec, n] = co_await asio::async_read(socket, asio::dynamic_buffer(buffer),
                                                              asio::transfer_exactly(head_size + length - buffer.size()),
                                                              use_tuple);
                if (read_ec)
                    co_return;
            }
            requests.push_back(buffer.substr(0, head_size + length));
            buffer.erase(0, head_size + length);
            std::string_view const answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
            if (auto [write_ec, n] = co_await asio::async_write(socket, asio::buffer(answer), use_tuple); write_ec)
                co_return;
        }
    }

    asio::ip::tcp::acceptor acceptor_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(transport)

BOOST_AUTO_TEST_CASE(sequential_requests_reuse_one_connection) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 25; ++i) {
            auto req = get(server.base_url() + "/echo");
            req.method = gapi::http::verb::post;
            req.body = "request " + std::to_string(i);
            auto [ec, res] = co_await pool.send(std::move(req), use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
            BOOST_TEST(res.status == 200u);
            BOOST_TEST(res.body == "request " + std::to_string(i));
            BOOST_TEST(res.headers["X-Request-On-Connection"] == std::to_string(i + 1));
            BOOST_TEST(res.exchange.reused_connection == (i > 0));
            BOOST_TEST(res.exchange.attempts == 1u);
            BOOST_TEST(res.exchange.request_written);
            BOOST_TEST(res.exchange.response_started);
        }
    }());
    BOOST_TEST(server.counts().connections_accepted == 1u);
    BOOST_TEST(server.counts().requests == 25u);
    BOOST_TEST(pool.stats().connections_opened == 1u);
    BOOST_TEST(pool.stats().idle_connections == 1u);
}

BOOST_AUTO_TEST_CASE(host_and_user_agent_headers_are_sent) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.headers["X-Seen-Host"] == "127.0.0.1:" + std::to_string(server.port()));
        BOOST_TEST(res.headers["X-Seen-User-Agent"] == "gapi/" GAPI_VERSION_STRING);

        auto custom = get(server.base_url() + "/echo");
        custom.headers.set(boost::beast::http::field::user_agent, "my-app/1.0");
        std::tie(ec, res) = co_await pool.send(std::move(custom), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.headers["X-Seen-User-Agent"] == "my-app/1.0");
    }());
}

BOOST_AUTO_TEST_CASE(concurrent_requests_never_exceed_the_cap) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    pool_options options;
    options.max_connections_per_origin = 8;
    connection_pool pool(ioc.get_executor(), options);
    std::size_t succeeded = 0;
    std::size_t max_waiting = 0;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        int pending = 200;
        asio::steady_timer all_done(ioc, asio::steady_timer::time_point::max());
        for (int i = 0; i < 200; ++i) {
            pool.send(get(server.base_url() + "/delay?ms=2"), [&](error_code ec, response res) {
                if (!ec && res.status == 200)
                    ++succeeded;
                if (--pending == 0)
                    all_done.cancel();
            });
        }
        max_waiting = pool.stats().waiting_requests;
        co_await all_done.async_wait(use_tuple);
    }());
    BOOST_TEST(succeeded == 200u);
    BOOST_TEST(server.counts().requests == 200u);
    BOOST_TEST(server.counts().connections_accepted <= 8u);
    BOOST_TEST(server.counts().max_connections_open <= 8u);
    BOOST_TEST(pool.stats().connections_opened <= 8u);
    BOOST_TEST(max_waiting >= 192u); // all but the first eight queued at once
    BOOST_TEST(pool.stats().waiting_requests == 0u);
    BOOST_TEST(pool.stats().open_connections <= 8u);
}

// A kept-alive connection the server closed while it was idle is found before use when it
// was idle for the check delay, and otherwise by its use, as in the keep-alive race.
BOOST_AUTO_TEST_CASE(server_closed_idle_connection_is_replaced) {
    for (auto const check_after : {std::chrono::milliseconds::zero(), std::chrono::milliseconds(std::chrono::hours(1))}) {
        bool const checked = check_after == std::chrono::milliseconds::zero(); // every reuse, or none here
        BOOST_TEST_CONTEXT("checked before reuse: " << checked) {
            asio::io_context ioc;
            test_server server(ioc.get_executor());
            pool_options options;
            options.liveness_check_after = check_after;
            connection_pool pool(ioc.get_executor(), options);
            gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
                auto [ec, res] = co_await pool.send(get(server.base_url() + "/close-after"), use_tuple);
                BOOST_TEST_REQUIRE(!ec, ec.message());
                // The server closes its side while the connection is idle (on loopback its
                // FIN is in our receive queue once its close() returned).
                co_await eventually([&] { return server.counts().connections_open == 0; }, "the server closed");
                std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
                BOOST_TEST_REQUIRE(!ec, ec.message());
                BOOST_TEST(res.status == 200u);
                BOOST_TEST(res.headers["X-Connection"] == "2");
                BOOST_TEST(!res.exchange.reused_connection);
                // Found dead before use, or by failing and then sent again (it may run twice).
                BOOST_TEST(res.exchange.attempts == (checked ? 1u : 2u));
                if (checked)
                    co_return;
                std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/close-after"), use_tuple);
                BOOST_TEST_REQUIRE(!ec, ec.message());
                co_await eventually([&] { return server.counts().connections_open == 0; }, "the server closed");
                // One that must not run twice is not sent again: its failure is the caller's.
                auto must_not_repeat = get(server.base_url() + "/echo");
                must_not_repeat.replay_on_stale_connection = false;
                std::tie(ec, res) = co_await pool.send(std::move(must_not_repeat), use_tuple);
                BOOST_TEST(ec == gapi::condition::network, ec.message());
                BOOST_TEST(res.exchange.reused_connection);
                BOOST_TEST(res.exchange.attempts == 1u);
            }());
            BOOST_TEST(server.counts().connections_accepted == 2u);
            BOOST_TEST(server.counts().requests == (checked ? 2u : 3u)); // the last never reached it
            BOOST_TEST(pool.stats().stale_replays == (checked ? 0u : 1u));
        }
    }
}

BOOST_AUTO_TEST_CASE(keep_alive_race_is_replayed_once_on_a_fresh_connection) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        // The server reads this request on the reused connection and closes it unanswered.
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/drop-if-reused"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
        BOOST_TEST(res.exchange.attempts == 2u);
        BOOST_TEST(!res.exchange.reused_connection);
        BOOST_TEST(res.headers["X-Connection"] == "2");
    }());
    BOOST_TEST(server.counts().connections_accepted == 2u);
    BOOST_TEST(server.counts().requests == 3u);
    BOOST_TEST(pool.stats().stale_replays == 1u);
}

BOOST_AUTO_TEST_CASE(no_replay_when_the_request_must_not_run_twice) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        auto once = get(server.base_url() + "/drop-if-reused");
        once.replay_on_stale_connection = false;
        std::tie(ec, res) = co_await pool.send(std::move(once), use_tuple);
        BOOST_TEST((ec == gapi::error::connection_closed || ec == asio::error::connection_reset),
                   ec.message());
        BOOST_TEST(ec == gapi::condition::network);
        BOOST_TEST(res.exchange.request_written);
        BOOST_TEST(!res.exchange.response_started);
        BOOST_TEST(res.exchange.reused_connection);
        BOOST_TEST(res.exchange.attempts == 1u);
    }());
    BOOST_TEST(server.counts().requests == 2u);
    BOOST_TEST(pool.stats().stale_replays == 0u);
}

BOOST_AUTO_TEST_CASE(response_without_keep_alive_closes_the_connection) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            auto [ec, res] = co_await pool.send(get(server.base_url() + "/no-keep-alive"), use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
            BOOST_TEST(!res.exchange.reused_connection);
        }
    }());
    BOOST_TEST(server.counts().connections_accepted == 3u);
    BOOST_TEST(pool.stats().open_connections == 0u);
}

BOOST_AUTO_TEST_CASE(connection_refused_connect_timeout_and_request_timeout_are_distinct) {
    asio::io_context ioc;

    // A port that nothing listens on.
    asio::ip::tcp::acceptor closed(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    auto const refused_port = closed.local_endpoint().port();
    closed.close();

    // A listener whose accept queue is full: further SYNs are dropped, so connect hangs.
    asio::ip::tcp::acceptor full(ioc);
    full.open(asio::ip::tcp::v4());
    full.bind({asio::ip::make_address("127.0.0.1"), 0});
    full.listen(0);
    std::vector<std::unique_ptr<asio::ip::tcp::socket>> fillers;
    int fillers_connected = 0;
    for (int i = 0; i < 4; ++i) {
        fillers.push_back(std::make_unique<asio::ip::tcp::socket>(ioc));
        fillers.back()->async_connect(full.local_endpoint(), [&](error_code ec) { fillers_connected += !ec; });
    }

    test_server server(ioc.get_executor());
    pool_options options;
    options.connect_timeout = 300ms;
    options.request_timeout = 60s; // far from the connect timeout: the error tells which fired
    connection_pool pool(ioc.get_executor(), options);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        // One connection fills a backlog of zero; the kernel drops later SYNs.
        co_await eventually([&] { return fillers_connected >= 1; }, "a filler occupies the accept queue");
        auto [refused, r1] =
            co_await pool.send(get("http://127.0.0.1:" + std::to_string(refused_port) + "/"), use_tuple);
        BOOST_TEST(refused == asio::error::connection_refused, refused.message());
        BOOST_TEST(refused == gapi::condition::network);
        BOOST_TEST(!r1.exchange.request_written);

        auto const started = std::chrono::steady_clock::now();
        auto [connect_timeout, r2] = co_await pool.send(
            get("http://127.0.0.1:" + std::to_string(full.local_endpoint().port()) + "/"), use_tuple);
        auto const waited = std::chrono::steady_clock::now() - started;
        BOOST_TEST(connect_timeout == gapi::error::connect_timeout, connect_timeout.message());
        BOOST_TEST(connect_timeout == gapi::condition::timeout);
        BOOST_TEST(!r2.exchange.request_written);
        BOOST_TEST((waited >= 300ms)); // timers never fire early
        // The error code already says that the connect timer fired; the bound is generous
        // and only rules out the kernel's own SYN retries (minutes).
        BOOST_TEST((waited < 30s));

        auto hang = get(server.base_url() + "/hang");
        hang.timeout = 300ms;
        auto [request_timeout, r3] = co_await pool.send(std::move(hang), use_tuple);
        BOOST_TEST(request_timeout == gapi::error::request_timeout, request_timeout.message());
        BOOST_TEST(request_timeout == gapi::condition::timeout);
        BOOST_TEST(r3.exchange.request_written);
        BOOST_TEST(!r3.exchange.response_started);

        BOOST_TEST(refused != connect_timeout);
        BOOST_TEST(connect_timeout != request_timeout);
    }());
}

BOOST_AUTO_TEST_CASE(cancellation_completes_promptly_with_operation_aborted) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        // Cancelled once the server holds the request; only the cancellation can end it
        // before its 60 s timeout.
        asio::cancellation_signal signal;
        asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
            co_await eventually([&] { return server.counts().requests == 1; }, "the server has the request");
            signal.emit(asio::cancellation_type::terminal);
        }, asio::detached);
        auto hang = get(server.base_url() + "/hang");
        hang.timeout = 60s;
        auto [ec, res] = co_await pool.send(std::move(hang), asio::bind_cancellation_slot(signal.slot(), use_tuple));
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
        BOOST_TEST(res.exchange.request_written);

        // The aborted connection is gone; the pool keeps working.
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
    }());
    BOOST_TEST(server.counts().connections_accepted == 2u);
}

BOOST_AUTO_TEST_CASE(awaitable_operators_cancel_the_losing_request) {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(ioc, 50ms);
        auto hang = get(server.base_url() + "/hang");
        hang.timeout = 60s; // the timer wins; the operator waits for the loser's cancellation
        auto const started = std::chrono::steady_clock::now();
        auto result = co_await (pool.send(std::move(hang), use_tuple) || timer.async_wait(use_tuple));
        BOOST_TEST(result.index() == 1u);
        BOOST_TEST((since(started) < 30s)); // generous: the request's own timeout is 60 s
        BOOST_TEST(pool.stats().open_connections == 0u);
    }());
}

BOOST_AUTO_TEST_CASE(queued_request_waits_in_fifo_order_bounded_by_its_timeout) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    pool_options options;
    options.max_connections_per_origin = 1;
    connection_pool pool(ioc.get_executor(), options);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        std::vector<int> order;
        int pending = 3;
        asio::steady_timer done(ioc, asio::steady_timer::time_point::max());
        for (int i = 0; i < 3; ++i)
            pool.send(get(server.base_url() + "/delay?ms=20"), [&, i](error_code ec, response) {
                BOOST_TEST(!ec);
                order.push_back(i);
                if (--pending == 0)
                    done.cancel();
            });
        co_await done.async_wait(use_tuple);
        BOOST_TEST((order == std::vector<int>{0, 1, 2}));

        // The only connection is busy for good: a queued request times out on its own deadline.
        asio::cancellation_signal stop_hang;
        error_code hang_ec;
        pool.send(get(server.base_url() + "/hang"),
                  asio::bind_cancellation_slot(stop_hang.slot(), [&](error_code ec, response) { hang_ec = ec; }));
        auto queued = get(server.base_url() + "/echo");
        queued.timeout = 200ms;
        auto const started = std::chrono::steady_clock::now();
        auto [ec, res] = co_await pool.send(std::move(queued), use_tuple);
        BOOST_TEST(ec == gapi::error::request_timeout, ec.message());
        BOOST_TEST((std::chrono::steady_clock::now() - started >= 150ms));
        BOOST_TEST(!res.exchange.request_written);

        // A queued request can be cancelled while it waits.
        asio::cancellation_signal cancel_queued;
        asio::steady_timer fire(ioc, 30ms);
        fire.async_wait([&](error_code) { cancel_queued.emit(asio::cancellation_type::terminal); });
        std::tie(ec, res) = co_await pool.send(
            get(server.base_url() + "/echo"), asio::bind_cancellation_slot(cancel_queued.slot(), use_tuple));
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
        BOOST_TEST(pool.stats().waiting_requests == 0u);

        stop_hang.emit(asio::cancellation_type::terminal);
        co_await eventually([&] { return !!hang_ec; }, "the hanging request completes");
        BOOST_TEST(hang_ec == asio::error::operation_aborted);

        // The cap's place freed by the aborted request serves the next one.
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST(!ec, ec.message());
    }());
}

BOOST_AUTO_TEST_CASE(idle_connections_close_after_the_idle_timeout) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    pool_options options;
    options.idle_timeout = 100ms;
    connection_pool pool(ioc.get_executor(), options);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(pool.stats().idle_connections == 1u);
        auto const idle_since = std::chrono::steady_clock::now();
        co_await eventually([&] { return pool.stats().idle_connections == 0u; }, "the idle connection is reaped");
        BOOST_TEST((since(idle_since) >= 100ms)); // not before the idle timeout
        BOOST_TEST(pool.stats().open_connections == 0u);
        co_await eventually([&] { return server.counts().connections_open == 0u; }, "the server sees the close");
        BOOST_TEST(server.counts().connections_closed_by_peer == 1u);
    }());
}

BOOST_AUTO_TEST_CASE(truncated_malformed_and_oversize_responses_are_clear_errors) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    pool_options options;
    options.max_response_body_size = 1000;
    connection_pool pool(ioc.get_executor(), options);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/truncate"), use_tuple);
        BOOST_TEST(ec == gapi::error::truncated_response, ec.message());
        BOOST_TEST(res.exchange.response_started);
        BOOST_TEST(res.status == 0u);

        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/garbage"), use_tuple);
        BOOST_TEST(ec == gapi::error::malformed_http_response, ec.message());
        BOOST_TEST(ec == gapi::condition::malformed_response);

        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/size?bytes=5000"), use_tuple);
        BOOST_TEST(ec == gapi::error::response_too_large, ec.message());
        BOOST_TEST(res.body.empty());

        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/size?bytes=1000"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.body.size() == 1000u);
    }());
}

BOOST_AUTO_TEST_CASE(default_body_limit_accepts_large_responses) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/size?bytes=48000000"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.body.size() == 48000000u);
    }());
}

BOOST_AUTO_TEST_CASE(http_error_statuses_and_interim_responses_are_responses) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/status?code=503"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 503u);
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/interim"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
        BOOST_TEST(res.body == "after interim");
    }());
}

BOOST_AUTO_TEST_CASE(bad_requests_fail_before_any_connection) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        request no_url;
        auto [ec, res] = co_await pool.send(std::move(no_url), use_tuple);
        BOOST_TEST(ec == gapi::error::invalid_url, ec.message());

        std::tie(ec, res) = co_await pool.send(get("ftp://127.0.0.1/file"), use_tuple);
        BOOST_TEST(ec == gapi::error::unsupported_scheme, ec.message());

        auto injected = get(server.base_url() + "/echo");
        injected.headers.set("X-Subject", "hello\r\nBcc: victim@example.com");
        std::tie(ec, res) = co_await pool.send(std::move(injected), use_tuple);
        BOOST_TEST(ec == gapi::error::invalid_header_value, ec.message());
        BOOST_TEST(ec == gapi::condition::invalid_argument);

        auto bad_name = get(server.base_url() + "/echo");
        bad_name.headers.set("X-Bad\nName", "v");
        std::tie(ec, res) = co_await pool.send(std::move(bad_name), use_tuple);
        BOOST_TEST(ec == gapi::error::invalid_header_value, ec.message());
        BOOST_TEST(!res.exchange.request_written);

        // A target of its own goes out as it is, so it must be one: no request line or
        // header smuggled in, and no edit of a `url` that the target would override.
        for (std::string const target : {"/echo HTTP/1.1\r\nX-Smuggled: 1\r\n\r\nGET /echo", "/echo\nX: 1",
                                         "/echo x", "echo", "/echo#f", "/caf\xc3\xa9", "/\x7f"}) {
            auto own = get(server.base_url());
            own.target = target;
            std::tie(ec, res) = co_await pool.send(std::move(own), use_tuple);
            BOOST_TEST(ec == gapi::error::invalid_url, target << ": " << ec.message());
        }
        for (std::string const beside : {"/echo", "?x=1", "#f"}) {
            auto edited = get(server.base_url() + beside);
            edited.target = "/echo";
            std::tie(ec, res) = co_await pool.send(std::move(edited), use_tuple);
            BOOST_TEST(ec == gapi::error::invalid_url, beside << ": " << ec.message());
        }
    }());
    BOOST_TEST(server.counts().connections_accepted == 0u);
}

BOOST_AUTO_TEST_CASE(a_request_with_a_target_goes_to_its_url_origin_and_that_target) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto req = get(server.base_url());
        req.target = "/status?code=204";
        auto [ec, res] = co_await pool.send(std::move(req), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 204u);
    }());
}

BOOST_AUTO_TEST_CASE(shutdown_fails_pending_and_later_requests) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    pool_options options;
    options.max_connections_per_origin = 1;
    connection_pool pool(ioc.get_executor(), options);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        std::vector<error_code> results;
        pool.send(get(server.base_url() + "/hang"), [&](error_code e, response) { results.push_back(e); });
        pool.send(get(server.base_url() + "/echo"), [&](error_code e, response) { results.push_back(e); });
        co_await eventually([&] { return server.counts().requests == 2u; }, "the server holds the hanging request");
        BOOST_TEST(pool.stats().waiting_requests == 1u);
        pool.shutdown();
        co_await eventually([&] { return results.size() == 2u; }, "both requests complete");
        BOOST_TEST(results[0] == gapi::error::pool_shut_down, results[0].message());
        BOOST_TEST(results[1] == gapi::error::pool_shut_down, results[1].message());
        BOOST_TEST(pool.stats().open_connections == 0u);

        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST(ec == gapi::error::pool_shut_down);
    }());
    BOOST_TEST(server.counts().connections_open == 0u);
}

BOOST_AUTO_TEST_CASE(destroying_the_pool_completes_pending_requests) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    error_code result;
    bool completed = false;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        {
            connection_pool pool(ioc.get_executor());
            pool.send(get(server.base_url() + "/hang"), [&](error_code e, response) {
                result = e;
                completed = true;
            });
            co_await eventually([&] { return server.counts().requests == 1u; }, "the server holds the request");
        }
        co_await eventually([&] { return completed; }, "the pending request completes");
    }());
    BOOST_TEST(completed);
    BOOST_TEST(result == gapi::error::pool_shut_down, result.message());
}

BOOST_AUTO_TEST_CASE(a_lazy_send_started_after_the_pool_is_gone_completes_with_pool_shut_down) {
    // `deferred` (send's default token) makes the operation now and starts it later; the
    // pool is destroyed in between. The operation must not reach the freed pool (ASan
    // reports it if it does), and it sends nothing.
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    error_code result;
    bool completed = false;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto pool = std::make_unique<connection_pool>(ioc.get_executor());
        auto lazy = pool->send(get(server.base_url() + "/echo"));
        pool.reset();
        std::move(lazy)([&](error_code e, response) {
            result = e;
            completed = true;
        });
        co_await eventually([&] { return completed; }, "the lazy send completes");
    }());
    BOOST_TEST(completed);
    BOOST_TEST(result == gapi::error::pool_shut_down, result.message());
    BOOST_TEST(server.counts().connections_accepted == 0u);
}

BOOST_AUTO_TEST_CASE(a_lazy_send_never_started_may_outlive_the_io_context) {
    // The operation does not own the pool's state: were it to, destroying it last would
    // destroy the state's timer after its io_context (ASan reports that).
    auto ioc = std::make_unique<asio::io_context>();
    auto pool = std::make_unique<connection_pool>(ioc->get_executor());
    auto lazy = pool->send(get("http://127.0.0.1:9/never"));
    pool.reset();
    ioc.reset();
}

BOOST_AUTO_TEST_CASE(callbacks_and_futures_work) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());

    auto guard = asio::make_work_guard(ioc);
    std::thread runner([&] { ioc.run(); });
    // send() may be initiated from another thread: it starts on the pool's executor.
    std::future<response> ok = pool.send(get(server.base_url() + "/echo"), asio::use_future);
    BOOST_TEST_REQUIRE((ok.wait_for(20s) == std::future_status::ready));
    auto res = ok.get();
    BOOST_TEST(res.status == 200u);

    std::future<response> failing = pool.send(get(server.base_url() + "/truncate"), asio::use_future);
    BOOST_TEST_REQUIRE((failing.wait_for(20s) == std::future_status::ready));
    try {
        failing.get();
        BOOST_FAIL("expected an exception");
    } catch (boost::system::system_error const& e) {
        BOOST_TEST(e.code() == gapi::error::truncated_response);
    }

    // Started off the pool's executor, it went the coroutine's way, spawned there.
    BOOST_TEST(pool.stats().exchanges_on_callbacks == 0u);

    std::promise<unsigned> status;
    pool.send(get(server.base_url() + "/status?code=404"),
              [&](error_code ec, response r) { status.set_value(ec ? 0 : r.status); });
    auto status_of = status.get_future();
    BOOST_TEST_REQUIRE((status_of.wait_for(20s) == std::future_status::ready));
    BOOST_TEST(status_of.get() == 404u);

    asio::post(ioc, [&] {
        pool.shutdown();
        server.stop();
    });
    guard.reset();
    runner.join();
}

BOOST_AUTO_TEST_CASE(tls_requests_reuse_one_verified_connection) {
    tls_fixture tls;
    asio::io_context ioc;
    test_server server(ioc.get_executor(), tls.ca.issue_server_certificate({"localhost"}, {"127.0.0.1"}));
    connection_pool pool(ioc.get_executor(), tls.trusting_options());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 10; ++i) {
            auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
            BOOST_TEST(res.status == 200u);
            BOOST_TEST(res.headers["X-Seen-SNI"] == "(none)"); // never an address literal (RFC 6066)
        }
        // By host name too: the server sees the name in the handshake (SNI), and the
        // certificate is verified against it.
        auto [ec, res] = co_await pool.send(
            get("https://localhost:" + std::to_string(server.port()) + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.headers["X-Seen-SNI"] == "localhost");
        BOOST_TEST(res.headers["X-Seen-Host"] == "localhost:" + std::to_string(server.port()));
    }());
    BOOST_TEST(server.counts().connections_accepted == 2u); // one per origin
    BOOST_TEST(server.counts().requests == 11u);
}

BOOST_AUTO_TEST_CASE(tls_rejects_an_untrusted_certificate) {
    tls_fixture tls;
    auto stranger = gapi::emulator::certificate_authority::generate("someone else's CA");
    asio::io_context ioc;
    test_server server(ioc.get_executor(), stranger.issue_server_certificate({"localhost"}, {"127.0.0.1"}));
    connection_pool pool(ioc.get_executor(), tls.trusting_options());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST(ec == gapi::condition::tls, ec.message());
        BOOST_TEST(!res.exchange.request_written);
    }());
    BOOST_TEST(server.counts().requests == 0u);
}

BOOST_AUTO_TEST_CASE(tls_rejects_a_wrong_host_name) {
    tls_fixture tls;
    asio::io_context ioc;
    test_server server(ioc.get_executor(), tls.ca.issue_server_certificate({"wrong.example"}, {}));
    connection_pool pool(ioc.get_executor(), tls.trusting_options());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST(ec == gapi::condition::tls, ec.message());
        BOOST_TEST(!res.exchange.request_written);
    }());
    BOOST_TEST(server.counts().requests == 0u);
}

BOOST_AUTO_TEST_CASE(tls_handshake_timeout_is_its_own_error) {
    asio::io_context ioc;
    // Accepts TCP connections and never says a word, so the TLS handshake stalls.
    asio::ip::tcp::acceptor silent(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ip::tcp::socket held(ioc);
    silent.async_accept(held, [](error_code) {});
    pool_options options;
    options.tls_handshake_timeout = 200ms;
    connection_pool pool(ioc.get_executor(), options);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto const started = std::chrono::steady_clock::now();
        auto [ec, res] = co_await pool.send(
            get("https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/"), use_tuple);
        BOOST_TEST(ec == gapi::error::tls_handshake_timeout, ec.message());
        BOOST_TEST(ec == gapi::condition::timeout);
        BOOST_TEST((since(started) >= 200ms));
        BOOST_TEST((since(started) < 30s)); // generous; the error code names the timer that fired
        held.close();
    }());
}

BOOST_AUTO_TEST_CASE(peer_verification_is_on_unless_turned_off_explicitly) {
    // A server whose certificate nobody trusts: its own CA is in no trust store.
    auto stranger = gapi::emulator::certificate_authority::generate("an unknown CA");
    asio::io_context ioc;
    test_server server(ioc.get_executor(), stranger.issue_server_certificate({"localhost"}, {"127.0.0.1"}));
    BOOST_TEST(pool_options{}.tls.verify_peer);
    connection_pool by_default(ioc.get_executor());
    pool_options insecure;
    insecure.tls.verify_peer = false;
    connection_pool explicitly_insecure(ioc.get_executor(), insecure);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await by_default.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST(ec == gapi::condition::tls, ec.message());
        BOOST_TEST(!res.exchange.request_written);
        std::tie(ec, res) = co_await explicitly_insecure.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
    }());
    BOOST_TEST(server.counts().requests == 1u); // only the explicitly insecure pool got through
}

BOOST_AUTO_TEST_CASE(response_headers_over_the_limit_are_refused) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    pool_options options;
    options.max_response_header_size = 2048;
    connection_pool pool(ioc.get_executor(), options);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/big-header?bytes=1000"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.headers["X-Padding"].size() == 1000u);
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/big-header?bytes=4000"), use_tuple);
        BOOST_TEST(ec == gapi::error::response_too_large, ec.message());
        BOOST_TEST(res.status == 0u);
        BOOST_TEST(res.exchange.response_started);
        // The connection with the unread rest is not reused.
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(!res.exchange.reused_connection);
    }());
}

// A resolver that answers only when the test says so, like a DNS server that stalls.
struct stalled_resolver {
    std::vector<gapi::http::resolve_handler> pending;
    std::vector<std::string> asked;

    void operator()(std::string const& host, std::uint16_t, gapi::http::resolve_handler handler) {
        asked.push_back(host);
        pending.push_back(std::move(handler));
    }
};

BOOST_AUTO_TEST_CASE(name_resolution_is_bounded_by_the_connect_timeout_and_cancellable) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    auto const port = std::to_string(server.port());
    auto resolver = std::make_shared<stalled_resolver>();
    pool_options options;
    options.connect_timeout = 200ms;
    options.request_timeout = 60s;
    options.resolve = [resolver](std::string const& host, std::uint16_t p, gapi::http::resolve_handler h) {
        (*resolver)(host, p, std::move(h));
    };
    connection_pool pool(ioc.get_executor(), options);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        // The resolver never answers in time: the connect timeout ends the wait.
        auto const started = std::chrono::steady_clock::now();
        auto [ec, res] = co_await pool.send(get("http://stalled.example:" + port + "/echo"), use_tuple);
        BOOST_TEST(ec == gapi::error::connect_timeout, ec.message());
        BOOST_TEST((since(started) >= 200ms));
        BOOST_TEST(!res.exchange.request_written);
        BOOST_TEST_REQUIRE(resolver->pending.size() == 1u);
        BOOST_TEST(resolver->asked[0] == "stalled.example");

        // The request's own deadline, when it is the nearer one, makes it a request timeout.
        auto short_request = get("http://stalled.example:" + port + "/echo");
        short_request.timeout = 100ms;
        std::tie(ec, res) = co_await pool.send(std::move(short_request), use_tuple);
        BOOST_TEST(ec == gapi::error::request_timeout, ec.message());

        // Cancelled while resolving: completes at once, without the resolver's answer.
        asio::cancellation_signal cancel;
        asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
            co_await eventually([&] { return resolver->pending.size() == 3u; }, "the third resolution starts");
            cancel.emit(asio::cancellation_type::terminal);
        }, asio::detached);
        std::tie(ec, res) = co_await pool.send(get("http://stalled.example:" + port + "/echo"),
                                               asio::bind_cancellation_slot(cancel.slot(), use_tuple));
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());

        // Answers that come late are dropped; nothing was connected.
        for (auto& late : resolver->pending)
            late({}, {asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port())});
        resolver->pending.clear();
        BOOST_TEST(pool.stats().connections_opened == 0u);
        BOOST_TEST(pool.stats().open_connections == 0u);

        // A resolver that answers: the request goes to its address under the name asked for.
        pool_options answering;
        answering.resolve = [&](std::string const&, std::uint16_t p, gapi::http::resolve_handler h) {
            asio::post(ioc, [h = std::move(h), p] {
                h({}, {asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), p)});
            });
        };
        connection_pool resolved(ioc.get_executor(), answering);
        std::tie(ec, res) = co_await resolved.send(get("http://api.example:" + port + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.headers["X-Seen-Host"] == "api.example:" + port);

        // A resolver's error is the request's error.
        pool_options failing;
        failing.resolve = [](std::string const&, std::uint16_t, gapi::http::resolve_handler h) {
            h(asio::error::host_not_found, {}); // at once, inside the call
        };
        connection_pool unresolved(ioc.get_executor(), failing);
        std::tie(ec, res) = co_await unresolved.send(get("http://nowhere.example:" + port + "/echo"), use_tuple);
        BOOST_TEST(ec == asio::error::host_not_found, ec.message());
    }());
    BOOST_TEST(server.counts().requests == 1u);
}

BOOST_AUTO_TEST_CASE(the_system_resolver_finds_localhost) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] =
            co_await pool.send(get("http://localhost:" + std::to_string(server.port()) + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
    }());
}

BOOST_AUTO_TEST_CASE(partial_and_total_cancellation_follow_the_documented_rules) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    pool_options options;
    options.max_connections_per_origin = 1;
    connection_pool pool(ioc.get_executor(), options);
    auto cancel_when = [&](asio::cancellation_signal& signal, asio::cancellation_type type, std::size_t requests_seen) {
        asio::co_spawn(ioc, [&signal, &server, type, requests_seen]() -> asio::awaitable<void> {
            co_await eventually([&] { return server.counts().requests == requests_seen; }, "the server has the request");
            signal.emit(type);
        }, asio::detached);
    };
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        // Partial, after the request was written: aborted.
        asio::cancellation_signal partial;
        cancel_when(partial, asio::cancellation_type::partial, 1);
        auto hang = get(server.base_url() + "/hang");
        hang.timeout = 60s;
        auto [ec, res] = co_await pool.send(std::move(hang), asio::bind_cancellation_slot(partial.slot(), use_tuple));
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
        BOOST_TEST(res.exchange.request_written);

        // Total, after the request was written: the request may have had effects, so it is
        // not abandoned; it completes with the server's answer.
        asio::cancellation_signal total;
        cancel_when(total, asio::cancellation_type::total, 2);
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/delay?ms=100"),
                                               asio::bind_cancellation_slot(total.slot(), use_tuple));
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u);

        // Total, before anything was written (queued behind a busy connection): aborted.
        asio::cancellation_signal stop_busy;
        error_code busy_ec;
        bool busy_done = false;
        pool.send(get(server.base_url() + "/hang"),
                  asio::bind_cancellation_slot(stop_busy.slot(), [&](error_code e, response) {
                      busy_ec = e;
                      busy_done = true;
                  }));
        asio::cancellation_signal queued;
        cancel_when(queued, asio::cancellation_type::total, 3);
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/echo"),
                                               asio::bind_cancellation_slot(queued.slot(), use_tuple));
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
        BOOST_TEST(!res.exchange.request_written);
        stop_busy.emit(asio::cancellation_type::terminal);
        co_await eventually([&] { return busy_done; }, "the busy request ends");
        BOOST_TEST(busy_ec == asio::error::operation_aborted);
    }());
    BOOST_TEST(server.counts().requests == 3u); // the queued request never reached the server
}

BOOST_AUTO_TEST_CASE(a_waiter_handed_a_connection_after_its_deadline_gives_it_back) {
    // The server runs on a thread of its own, so that it answers while the pool's thread stalls.
    asio::io_context server_ioc;
    auto server_work = asio::make_work_guard(server_ioc);
    test_server server(server_ioc.get_executor());
    std::thread server_thread([&] { server_ioc.run(); });
    auto const base = server.base_url();

    asio::io_context ioc;
    pool_options options;
    options.max_connections_per_origin = 1;
    connection_pool pool(ioc.get_executor(), options);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        error_code first_ec;
        bool first_done = false;
        pool.send(get(base + "/delay?ms=20"), [&](error_code e, response) {
            first_ec = e;
            first_done = true;
        });
        auto late = get(base + "/echo");
        late.timeout = 100ms;
        error_code late_ec;
        response late_res;
        bool late_done = false;
        pool.send(std::move(late), [&](error_code e, response r) {
            late_ec = e;
            late_res = std::move(r);
            late_done = true;
        });
        co_await eventually([&] { return pool.stats().waiting_requests == 1u; }, "the second request queues");
        // While nothing runs here, the first response arrives and the waiter's deadline
        // passes: the connection is handed over (socket events run before timers) to a
        // waiter that is already late, which must give it back rather than use or lose it.
        std::this_thread::sleep_for(300ms);
        co_await eventually([&] { return first_done && late_done; }, "both requests complete");
        BOOST_TEST(!first_ec, first_ec.message());
        BOOST_TEST(late_ec == gapi::error::request_timeout, late_ec.message());
        BOOST_TEST(!late_res.exchange.request_written);
        BOOST_TEST(pool.stats().idle_connections == 1u);
        auto [ec, res] = co_await pool.send(get(base + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.exchange.reused_connection);
        BOOST_TEST(res.headers["X-Connection"] == "1");
    }());
    asio::post(server_ioc, [&] { server.stop(); });
    server_work.reset();
    server_thread.join();
}

BOOST_AUTO_TEST_CASE(unreadable_ca_file_and_zero_cap_are_rejected_at_construction) {
    asio::io_context ioc;
    pool_options bad_ca;
    bad_ca.tls.ca_file = "/nonexistent/ca.pem";
    BOOST_CHECK_THROW(connection_pool(ioc.get_executor(), bad_ca), boost::system::system_error);
    pool_options zero;
    zero.max_connections_per_origin = 0;
    BOOST_CHECK_THROW(connection_pool(ioc.get_executor(), zero), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(a_request_goes_out_as_exactly_these_bytes) {
    // The request line and header block as the transport writes them: the transport's own
    // fields (Host, Content-Length, Transfer-Encoding, Connection) replaced by its values,
    // the caller's others in order, a default User-Agent only when the caller gave none, a
    // Content-Length whenever there is a body and for POST, PUT and OPTIONS.
    asio::io_context ioc;
    recording_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    namespace bhttp = boost::beast::http;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto upload = get(server.base_url());
        upload.method = bhttp::verb::post;
        upload.target = "/upload/x?uploadType=media&y=%2F1";
        upload.headers.set("X-Custom", "a b");
        upload.headers.set(bhttp::field::host, "elsewhere.example");
        upload.headers.set(bhttp::field::content_length, "99");
        upload.headers.set(bhttp::field::connection, "close");
        upload.headers.set(bhttp::field::transfer_encoding, "chunked");
        upload.headers.set(bhttp::field::content_type, "text/plain");
        upload.body = "hello, world";
        auto [ec1, res1] = co_await pool.send(std::move(upload), use_tuple);
        BOOST_TEST_REQUIRE(!ec1, ec1.message());

        auto whole_url = get(server.base_url() + "/status?code=200");
        whole_url.headers.set(bhttp::field::user_agent, "my-app/1.0");
        auto [ec2, res2] = co_await pool.send(std::move(whole_url), use_tuple);
        BOOST_TEST_REQUIRE(!ec2, ec2.message());

        auto empty_put = get(server.base_url());
        empty_put.method = bhttp::verb::put;
        empty_put.target = "/p";
        auto [ec3, res3] = co_await pool.send(std::move(empty_put), use_tuple);
        BOOST_TEST_REQUIRE(!ec3, ec3.message());

        auto deletion = get(server.base_url());
        deletion.method = bhttp::verb::delete_;
        deletion.target = "/d/1234567890";
        auto [ec4, res4] = co_await pool.send(std::move(deletion), use_tuple);
        BOOST_TEST_REQUIRE(!ec4, ec4.message());
    }());
    std::string const host = "Host: " + server.host() + "\r\n";
    std::string const agent = "User-Agent: gapi/" GAPI_VERSION_STRING "\r\n";
    BOOST_TEST_REQUIRE(server.requests.size() == 4u);
    BOOST_TEST(server.requests[0] == "POST /upload/x?uploadType=media&y=%2F1 HTTP/1.1\r\n" + host +
                                         "X-Custom: a b\r\nContent-Type: text/plain\r\n" + agent +
                                         "Content-Length: 12\r\n\r\nhello, world");
    BOOST_TEST(server.requests[1] == "GET /status?code=200 HTTP/1.1\r\n" + host + "User-Agent: my-app/1.0\r\n\r\n");
    BOOST_TEST(server.requests[2] == "PUT /p HTTP/1.1\r\n" + host + agent + "Content-Length: 0\r\n\r\n");
    BOOST_TEST(server.requests[3] == "DELETE /d/1234567890 HTTP/1.1\r\n" + host + agent + "\r\n");
}

BOOST_AUTO_TEST_CASE(two_spellings_of_one_origin_share_its_connection) {
    // Remembered by its text, an origin written another way (user info, the default
    // port's absence or presence) is looked up again, and is still the same origin.
    asio::io_context ioc;
    recording_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        for (auto const& url : {server.base_url(), "http://someone@" + server.host(), server.base_url()}) {
            auto req = get(url);
            req.target = "/";
            auto [ec, res] = co_await pool.send(std::move(req), use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
        }
    }());
    BOOST_TEST(server.requests.size() == 3u);
    BOOST_TEST(pool.stats().connections_opened == 1u);
}

BOOST_AUTO_TEST_CASE(requests_alternating_between_two_origins_each_reach_their_own) {
    // The pool remembers the last origin it looked up: a request to another one must not
    // go to the remembered one.
    asio::io_context ioc;
    recording_server first(ioc.get_executor()), second(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        for (auto const* to : {&first, &second, &first, &second, &second, &first}) {
            auto req = get(to->base_url());
            req.target = "/n" + std::to_string(to->requests.size());
            auto [ec, res] = co_await pool.send(std::move(req), use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
        }
    }());
    for (auto const* server : {&first, &second}) {
        BOOST_TEST_REQUIRE(server->requests.size() == 3u);
        for (std::size_t i = 0; i < 3; ++i)
            BOOST_TEST(server->requests[i].starts_with("GET /n" + std::to_string(i) + " HTTP/1.1\r\nHost: " +
                                                       server->host() + "\r\n"));
    }
}


namespace {

// What a request's answer came to, as far as the caller can tell.
struct seen_outcome {
    error_code ec;
    unsigned status = 0;
    std::string body;
    bool request_written = false;
    bool response_started = false;
    bool reused_connection = false;
    unsigned attempts = 0;
    std::uint64_t completed = 0; ///< by the pool's count, apart from the one before
};

// `path` sent alone on a new pool (its first connection: the coroutine's way), or after
// a request that leaves a kept-alive connection idle (the way on callbacks).
seen_outcome send_once(std::string const& path, bool after_keep_alive, pool_options options,
                       gapi::http::verb method = gapi::http::verb::get, tls_fixture const* tls = nullptr) {
    asio::io_context ioc;
    std::optional<gapi::emulator::certificate_and_key> certificate;
    if (tls) {
        certificate = tls->ca.issue_server_certificate({"localhost"}, {"127.0.0.1"});
        options.tls.ca_file = tls->ca_file;
    }
    test_server server(ioc.get_executor(), std::move(certificate));
    connection_pool pool(ioc.get_executor(), options);
    seen_outcome seen;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        if (after_keep_alive) {
            auto [warm_ec, warm] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
            BOOST_TEST_REQUIRE(!warm_ec, warm_ec.message());
            BOOST_TEST_REQUIRE(pool.stats().idle_connections == 1u);
        }
        auto req = get(server.base_url() + path);
        req.method = method;
        req.timeout = 300ms; // /hang's answer never comes
        auto [ec, res] = co_await pool.send(std::move(req), use_tuple);
        seen = {ec, res.status, res.body, res.exchange.request_written, res.exchange.response_started,
                res.exchange.reused_connection, res.exchange.attempts};
        auto const stats = pool.stats();
        seen.completed = stats.requests_completed - (after_keep_alive ? 1 : 0);
        BOOST_TEST(stats.exchanges_on_callbacks == (after_keep_alive ? 1u : 0u), path);
        BOOST_TEST(stats.open_connections == stats.idle_connections, path); // nothing held on to
        BOOST_TEST(stats.stale_replays == 0u, path);
    }());
    BOOST_TEST(server.counts().connections_accepted == 1u, path);
    return seen;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_kept_alive_connection_answers_every_case_as_a_new_one_does) {
    pool_options options;
    options.max_response_header_size = 4096;
    options.max_response_body_size = 1000;
    struct scenario {
        std::string path;
        gapi::http::verb method = gapi::http::verb::get;
    };
    std::vector<scenario> const scenarios{
        {"/echo"},          {"/interim"},          {"/status?code=503"},      {"/status?code=204"},
        {"/truncate"},      {"/garbage"},          {"/hang"},                 {"/no-keep-alive"},
        {"/big-header?bytes=8000"}, {"/size?bytes=5000"}, {"/size?bytes=700", gapi::http::verb::head},
    };
    tls_fixture const tls;
    for (bool const over_tls : {false, true})
    for (auto const& [path, method] : scenarios) {
        BOOST_TEST_CONTEXT(path << (over_tls ? " over TLS" : "")) {
            auto const* const with = over_tls ? &tls : nullptr;
            auto const alone = send_once(path, false, options, method, with);
            auto const reused = send_once(path, true, options, method, with);
            BOOST_TEST(reused.ec == alone.ec, reused.ec.message() << " against " << alone.ec.message());
            BOOST_TEST(reused.status == alone.status);
            BOOST_TEST(reused.body == alone.body);
            BOOST_TEST(reused.request_written == alone.request_written);
            BOOST_TEST(reused.response_started == alone.response_started);
            BOOST_TEST(reused.attempts == alone.attempts);
            BOOST_TEST(reused.completed == alone.completed);
            BOOST_TEST(!alone.reused_connection);
            BOOST_TEST(reused.reused_connection);
        }
    }
}

BOOST_AUTO_TEST_CASE(deadlines_on_kept_alive_connections_end_each_request_in_time) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        // Two kept-alive connections, idle.
        // (The operator flattens the first result: error, response, then the second's tuple.)
        auto both = co_await (pool.send(get(server.base_url() + "/delay?ms=50"), use_tuple) &&
                              pool.send(get(server.base_url() + "/delay?ms=50"), use_tuple));
        BOOST_TEST_REQUIRE(!std::get<0>(both));
        BOOST_TEST_REQUIRE(!std::get<0>(std::get<2>(both)));
        BOOST_TEST_REQUIRE(pool.stats().idle_connections == 2u);

        // The later request has the earlier deadline: it must not wait for the first's.
        auto slow = get(server.base_url() + "/hang");
        slow.timeout = 2s;
        auto quick = get(server.base_url() + "/hang");
        quick.timeout = 200ms;
        bool slow_done = false;
        bool slow_done_when_quick_ended = true;
        auto const started = std::chrono::steady_clock::now();
        auto slow_then_note = [&]() -> asio::awaitable<error_code> {
            auto [ec, res] = co_await pool.send(std::move(slow), use_tuple);
            slow_done = true;
            BOOST_TEST(res.exchange.reused_connection);
            co_return ec;
        };
        auto quick_then_note = [&]() -> asio::awaitable<error_code> {
            auto [ec, res] = co_await pool.send(std::move(quick), use_tuple);
            slow_done_when_quick_ended = slow_done;
            BOOST_TEST(res.exchange.reused_connection);
            BOOST_TEST(res.exchange.request_written);
            BOOST_TEST((since(started) >= 200ms)); // timers never fire early
            co_return ec;
        };
        auto [slow_ec, quick_ec] = co_await (slow_then_note() && quick_then_note());
        BOOST_TEST(pool.stats().exchanges_on_callbacks == 2u);
        BOOST_TEST(quick_ec == gapi::error::request_timeout, quick_ec.message());
        BOOST_TEST(slow_ec == gapi::error::request_timeout, slow_ec.message());
        BOOST_TEST(!slow_done_when_quick_ended); // 1.8 s apart
        BOOST_TEST((since(started) >= 2s));

        // The timed-out connections are closed; a new request opens one and is answered.
        BOOST_TEST(pool.stats().open_connections == 0u);
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST(!ec, ec.message());
    }());
}

BOOST_AUTO_TEST_CASE(a_request_on_a_kept_alive_connection_is_cancelled_and_replayed_as_on_a_new_one) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [warm_ec, warm] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!warm_ec, warm_ec.message());

        asio::cancellation_signal signal;
        asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
            co_await eventually([&] { return server.counts().requests == 2; }, "the server has the request");
            signal.emit(asio::cancellation_type::terminal);
        }, asio::detached);
        auto hang = get(server.base_url() + "/hang");
        hang.timeout = 60s;
        auto [ec, res] = co_await pool.send(std::move(hang), asio::bind_cancellation_slot(signal.slot(), use_tuple));
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
        BOOST_TEST(res.exchange.reused_connection);
        BOOST_TEST(pool.stats().open_connections == 0u);

        // The keep-alive race on a kept-alive connection: replayed once, on a new one.
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        auto dropped = get(server.base_url() + "/drop-if-reused");
        dropped.replay_on_stale_connection = true;
        std::tie(ec, res) = co_await pool.send(std::move(dropped), use_tuple);
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
        BOOST_TEST(res.exchange.attempts == 2u);
        BOOST_TEST(pool.stats().stale_replays == 1u);
    }());
    BOOST_TEST(server.counts().connections_accepted == 3u);
}

BOOST_AUTO_TEST_CASE(a_deadline_timer_left_by_ended_exchanges_still_ends_the_next_in_time) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [warm_ec, warm] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!warm_ec, warm_ec.message());
        // Answered long before its deadline, on a kept-alive connection...
        auto answered = get(server.base_url() + "/echo");
        answered.timeout = 200ms;
        auto [ec, res] = co_await pool.send(std::move(answered), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        // ...and the next on it, with a later deadline, ends at its own.
        auto hang = get(server.base_url() + "/hang");
        hang.timeout = 1s;
        auto const started = std::chrono::steady_clock::now();
        std::tie(ec, res) = co_await pool.send(std::move(hang), use_tuple);
        BOOST_TEST(ec == gapi::error::request_timeout, ec.message());
        BOOST_TEST((since(started) >= 1s));
        BOOST_TEST((since(started) < 30s));
        BOOST_TEST(pool.stats().exchanges_on_callbacks == 2u);
    }());
}

BOOST_AUTO_TEST_CASE(the_deadline_timer_does_not_keep_the_io_context_running_after_the_last_exchange) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    pool_options options;
    options.idle_timeout = 50ms;   // the idle connection's reaper ends soon
    options.request_timeout = 60s; // a deadline wait left pending would hold run() this long
    auto pool = std::make_unique<connection_pool>(ioc.get_executor(), options);
    bool done = false;
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 2; ++i) {
            auto [ec, res] = co_await pool->send(get(server.base_url() + "/echo"), use_tuple);
            BOOST_TEST(!ec, ec.message());
        }
        BOOST_TEST(pool->stats().exchanges_on_callbacks == 1u);
        server.stop();
        done = true;
    }, asio::detached);
    auto const started = std::chrono::steady_clock::now();
    ioc.run_for(40s); // returns once nothing is left to wait for
    BOOST_TEST(done);
    BOOST_TEST((since(started) < 30s));
}

BOOST_AUTO_TEST_CASE(a_tls_connection_timed_by_the_coroutine_serves_on_callbacks_after_its_deadline) {
    // The coroutine's exchange leaves its deadline on the TLS stream; on callbacks the
    // pool keeps the time, and the stream's own deadline, long past, must not end it.
    tls_fixture tls;
    asio::io_context ioc;
    test_server server(ioc.get_executor(), tls.ca.issue_server_certificate({"localhost"}, {"127.0.0.1"}));
    connection_pool pool(ioc.get_executor(), tls.trusting_options());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto first = get(server.base_url() + "/echo");
        first.timeout = 100ms;
        auto [ec, res] = co_await pool.send(std::move(first), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        asio::steady_timer past_it(ioc, 200ms);
        co_await past_it.async_wait(use_tuple);
        std::tie(ec, res) = co_await pool.send(get(server.base_url() + "/size?bytes=100000"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.body.size() == 100000u);
        BOOST_TEST(res.exchange.reused_connection);
        BOOST_TEST(pool.stats().exchanges_on_callbacks == 1u);
        BOOST_TEST(pool.stats().idle_connections == 1u);
    }());
    BOOST_TEST(server.counts().connections_accepted == 1u);
}

BOOST_AUTO_TEST_CASE(a_large_body_goes_out_whole_on_a_kept_alive_connection) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    connection_pool pool(ioc.get_executor());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        auto upload = get(server.base_url() + "/echo");
        upload.method = gapi::http::verb::post;
        upload.body.assign(1000 * 1000, 'u'); // under the test server's 1 MiB, over a socket buffer's start
        upload.body.back() = 'z';
        std::tie(ec, res) = co_await pool.send(std::move(upload), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.body.size() == 1000u * 1000);
        BOOST_TEST(res.body.back() == 'z');
        BOOST_TEST(pool.stats().exchanges_on_callbacks == 1u);
    }());
}

BOOST_AUTO_TEST_CASE(a_pool_on_a_strand_runs_kept_alive_exchanges_on_callbacks) {
    asio::io_context ioc;
    test_server server(ioc.get_executor());
    auto strand = asio::make_strand(ioc);
    connection_pool pool(strand);
    bool done = false;
    asio::co_spawn(strand, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            auto [ec, res] = co_await pool.send(get(server.base_url() + "/echo"), use_tuple);
            BOOST_TEST(!ec, ec.message());
        }
        BOOST_TEST(pool.stats().exchanges_on_callbacks == 2u);
        pool.shutdown();
        server.stop();
        done = true;
    }, asio::detached);
    ioc.run_for(20s);
    BOOST_TEST(done);
}

BOOST_AUTO_TEST_CASE(bytes_past_an_answer_close_its_connection) {
    // A server that sends more than its answer: what follows would be read as the next
    // request's answer, so the connection is not kept, whichever way the exchange ran
    // (a connection's first answer comes through the coroutine, later ones on callbacks).
    asio::io_context ioc;
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    int connections = 0;
    bool extra_on_first = true;
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec)
                co_return;
            ++connections;
            asio::co_spawn(ioc, [&, s = std::move(socket)]() mutable -> asio::awaitable<void> {
                std::string buffer;
                for (int served = 0;; ++served) {
                    auto [rec, n] =
                        co_await asio::async_read_until(s, asio::dynamic_buffer(buffer), "\r\n\r\n", use_tuple);
                    if (rec)
                        co_return;
                    buffer.erase(0, n);
                    bool const extra = served > 0 || extra_on_first;
                    std::string_view const answer = extra ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"
                                                          : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                    // In one write: the extra bytes come in the answer's own read.
                    if (auto [wec, w] = co_await asio::async_write(s, asio::buffer(answer), use_tuple); wec)
                        co_return;
                }
            }, asio::detached);
        }
    }, asio::detached);
    connection_pool pool(ioc.get_executor());
    auto const url = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/";
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        // Through the coroutine: a connection's first answer.
        auto [ec, res] = co_await pool.send(get(url), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.body == "ok");
        BOOST_TEST(pool.stats().open_connections == 0u);
        // On callbacks: a clean first answer keeps the connection; the second's extra
        // bytes close it.
        extra_on_first = false;
        std::tie(ec, res) = co_await pool.send(get(url), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(pool.stats().idle_connections == 1u);
        std::tie(ec, res) = co_await pool.send(get(url), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.body == "ok");
        BOOST_TEST(res.exchange.reused_connection);
        BOOST_TEST(pool.stats().exchanges_on_callbacks == 1u);
        BOOST_TEST(pool.stats().open_connections == 0u);
        // So the next one opens a connection of its own, and reads its own answer.
        std::tie(ec, res) = co_await pool.send(get(url), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.body == "ok");
        BOOST_TEST(!res.exchange.reused_connection);
    }());
    acceptor.close();
    BOOST_TEST(connections == 3);
}

BOOST_AUTO_TEST_SUITE_END()
