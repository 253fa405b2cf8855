// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include "test_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

#include <list>

namespace gapi_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct test_server::state : std::enable_shared_from_this<test_server::state> {
    asio::any_io_executor executor;
    tcp::acceptor acceptor;
    std::optional<asio::ssl::context> tls;
    server_counts counts;
    std::list<tcp::socket*> sockets;
    std::map<std::string, canned_response> canned; // by path prefix
    unsigned short port = 0;
    bool stopped = false;

    explicit state(asio::any_io_executor ex) : executor(ex), acceptor(ex) {}

    asio::awaitable<void> accept_loop(std::shared_ptr<state> self) {
        while (!stopped) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec)
                break;
            ++counts.connections_accepted;
            asio::co_spawn(executor, serve(self, std::move(socket), counts.connections_accepted),
                           asio::detached);
        }
    }

    asio::awaitable<void> serve([[maybe_unused]] std::shared_ptr<state> self, tcp::socket socket, std::size_t number) {
        ++counts.connections_open;
        counts.max_connections_open = std::max(counts.max_connections_open, counts.connections_open);
        bool peer_closed = false;
        if (tls) {
            asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls);
            auto it = sockets.insert(sockets.end(), &stream.next_layer());
            auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
            // The name the client asked for in its ClientHello (SNI), as the server saw it.
            char const* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
            if (!ec)
                peer_closed = co_await serve_requests(stream, number, sni ? sni : "");
            sockets.erase(it);
        } else {
            auto it = sockets.insert(sockets.end(), &socket);
            peer_closed = co_await serve_requests(socket, number, "");
            sockets.erase(it);
        }
        if (peer_closed)
            ++counts.connections_closed_by_peer;
        --counts.connections_open;
    }

    static std::size_t query_number(boost::urls::url_view url, std::string_view key) {
        auto it = url.params().find(key);
        return it == url.params().end() ? 0 : std::stoul(std::string((*it).value));
    }

    // Returns whether the client ended the connection (rather than the server).
    template <class Stream>
    asio::awaitable<bool> serve_requests(Stream& stream, std::size_t connection_number, std::string const sni) {
        beast::flat_buffer buffer;
        std::size_t served = 0;
        for (;;) {
            bhttp::request<bhttp::string_body> req;
            auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, use_tuple);
            if (ec)
                co_return !stopped;
            ++counts.requests;
            auto url = boost::urls::parse_origin_form(req.target());
            if (!url)
                co_return false;
            std::string_view const path = url->encoded_path();

            bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
            res.keep_alive(req.keep_alive());
            bool close_after = false;

            auto const canned_for = [&]() -> canned_response const* { // the longest prefix wins
                canned_response const* found = nullptr;
                std::size_t longest = 0;
                for (auto const& [prefix, response] : canned)
                    if (path.starts_with(prefix) && prefix.size() >= longest) {
                        found = &response;
                        longest = prefix.size();
                    }
                return found;
            };
            if (auto const* answer = canned_for()) {
                res.result(answer->status);
                res.set(bhttp::field::content_type, answer->content_type);
                res.body() = answer->body;
            } else if (path == "/hang") {
                // Never answers; reading on tells when the client gives up and closes.
                char scratch[512];
                for (;;) {
                    auto [rec, got] = co_await stream.async_read_some(asio::buffer(scratch), use_tuple);
                    if (rec)
                        co_return !stopped;
                }
            } else if (path == "/drop-if-reused" && served > 0) {
                co_return false;
            } else if (path == "/truncate") {
                std::string raw = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
                co_await asio::async_write(stream, asio::buffer(raw), use_tuple);
                co_return false;
            } else if (path == "/garbage") {
                std::string raw = "THIS IS NOT HTTP AT ALL\r\n\r\n";
                co_await asio::async_write(stream, asio::buffer(raw), use_tuple);
                co_return false;
            } else if (path == "/interim") {
                std::string raw = "HTTP/1.1 100 Continue\r\n\r\n";
                co_await asio::async_write(stream, asio::buffer(raw), use_tuple);
                res.body() = "after interim";
            } else if (path == "/status") {
                res.result(static_cast<unsigned>(query_number(*url, "code")));
            } else if (path == "/big-header") {
                res.set("X-Padding", std::string(query_number(*url, "bytes"), 'h'));
            } else if (path == "/size") {
                res.body().assign(query_number(*url, "bytes"), 'x');
            } else if (path == "/delay") {
                asio::steady_timer timer(executor, std::chrono::milliseconds(query_number(*url, "ms")));
                co_await timer.async_wait(use_tuple);
            } else if (path == "/close-after") {
                close_after = true;
            } else if (path == "/no-keep-alive") {
                res.keep_alive(false);
            } else if (path == "/echo" || path == "/drop-if-reused") {
                res.body() = req.body();
                res.set("X-Seen-Host", req[bhttp::field::host]);
                res.set("X-Seen-User-Agent", req[bhttp::field::user_agent]);
                res.set("X-Seen-SNI", sni.empty() ? "(none)" : sni);
                res.set("X-Connection", std::to_string(connection_number));
                res.set("X-Request-On-Connection", std::to_string(served + 1));
            } else {
                res.result(bhttp::status::not_found);
            }
            res.prepare_payload();
            auto [wec, written] = co_await bhttp::async_write(stream, res, use_tuple);
            ++served;
            if (wec || close_after || !res.keep_alive())
                co_return false;
        }
    }

};

test_server::test_server(asio::any_io_executor ex, std::optional<gapi::emulator::certificate_and_key> tls)
    : state_(std::make_shared<state>(ex)) {
    if (tls) {
        state_->tls.emplace(asio::ssl::context::tls_server);
        state_->tls->use_certificate_chain(asio::buffer(tls->certificate_pem));
        state_->tls->use_private_key(asio::buffer(tls->private_key_pem), asio::ssl::context::pem);
    }
    tcp::endpoint const endpoint(asio::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    state_->port = state_->acceptor.local_endpoint().port();
    asio::co_spawn(ex, state_->accept_loop(state_), asio::detached);
}

test_server::~test_server() { stop(); }

std::string test_server::base_url() const {
    return std::string(state_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

unsigned short test_server::port() const { return state_->port; }

server_counts const& test_server::counts() const { return state_->counts; }

void test_server::respond(std::string path_prefix, canned_response response) {
    state_->canned[std::move(path_prefix)] = std::move(response);
}

void test_server::stop() {
    if (state_->stopped)
        return;
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (auto* socket : state_->sockets)
        socket->close(ignored);
}

} // namespace gapi_test
