// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// gapi's transport at work, with no network: a throw-away CA signs a certificate for a
// small HTTPS server on 127.0.0.1, and a connection pool that trusts only that CA sends
// it many concurrent requests over a few verified keep-alive connections.
//
//   transport_demo [--requests N] [--connections C]
#include <gapi.hpp>
#include <gapi/emulator/certificate_authority.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::size_t connections_accepted = 0;

asio::awaitable<void> serve(tcp::socket socket, asio::ssl::context& tls) {
    asio::ssl::stream<tcp::socket> stream(std::move(socket), tls);
    if (auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple); ec)
        co_return;
    boost::beast::flat_buffer buffer;
    for (;;) {
        bhttp::request<bhttp::string_body> req;
        if (auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, use_tuple); ec)
            co_return;
        bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
        res.set(bhttp::field::content_type, "application/json");
        res.body() = R"({"path":")" + std::string(req.target()) + "\"}";
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        if (auto [ec, n] = co_await bhttp::async_write(stream, res, use_tuple); ec || !res.keep_alive())
            co_return;
    }
}

asio::awaitable<void> accept_all(tcp::acceptor& acceptor, asio::ssl::context& tls) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec)
            co_return;
        ++connections_accepted;
        asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), tls), asio::detached);
    }
}

std::size_t flag_value(int argc, char** argv, std::string const& name, std::size_t fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == name)
            return std::stoul(argv[i + 1]);
    return fallback;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t const requests = flag_value(argc, argv, "--requests", 1000);
    std::size_t const connections = flag_value(argc, argv, "--connections", 4);

    auto ca = gapi::emulator::certificate_authority::generate("gapi demo CA");
    auto server_cert = ca.issue_server_certificate({"localhost"}, {"127.0.0.1"});
    auto const ca_file = (std::filesystem::temp_directory_path() / "gapi-demo-ca.pem").string();
    ca.write_certificate_pem(ca_file);

    asio::io_context ioc;
    asio::ssl::context server_tls(asio::ssl::context::tls_server);
    server_tls.use_certificate_chain(asio::buffer(server_cert.certificate_pem));
    server_tls.use_private_key(asio::buffer(server_cert.private_key_pem), asio::ssl::context::pem);
    tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    asio::co_spawn(ioc, accept_all(acceptor, server_tls), asio::detached);
    auto const base = "https://localhost:" + std::to_string(acceptor.local_endpoint().port());

    gapi::http::pool_options options;
    options.max_connections_per_origin = connections;
    options.tls.ca_file = ca_file; // verification stays on: the demo CA is trusted, nothing else changes
    gapi::http::connection_pool pool(ioc.get_executor(), options);

    std::size_t ok = 0;
    std::size_t failed = 0;
    auto const started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < requests; ++i) {
        gapi::http::request req;
        req.url = boost::urls::url(base + "/demo/" + std::to_string(i));
        pool.send(std::move(req), [&](gapi::error_code ec, gapi::http::response res) {
            if (ec || res.status != 200) {
                ++failed;
                std::cerr << "request failed: " << (ec ? ec.message() : std::to_string(res.status)) << '\n';
            } else {
                ++ok;
            }
            if (ok + failed == requests) {
                pool.shutdown();
                acceptor.close();
            }
        });
    }
    ioc.run();
    std::filesystem::remove(ca_file);

    auto const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    auto const stats = pool.stats();
    std::printf("%zu requests over HTTPS to %s: %zu ok, %zu failed in %.3f s (%.0f requests/s)\n", requests,
                base.c_str(), ok, failed, seconds, static_cast<double>(requests) / seconds);
    std::printf("connections opened by the pool: %llu (cap %zu); accepted by the server: %zu\n",
                static_cast<unsigned long long>(stats.connections_opened), connections, connections_accepted);
    return failed == 0 && stats.connections_opened <= connections ? 0 : 1;
}
