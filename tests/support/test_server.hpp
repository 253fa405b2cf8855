// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_TESTS_SUPPORT_TEST_SERVER_HPP
#define GAPI_TESTS_SUPPORT_TEST_SERVER_HPP

#include <gapi/emulator/certificate_authority.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace gapi_test {

/// What the server saw, counted by the server itself.
struct server_counts {
    std::size_t connections_accepted = 0;
    std::size_t connections_open = 0;
    std::size_t max_connections_open = 0;
    std::size_t connections_closed_by_peer = 0; ///< the client closed or reset its side
    std::size_t requests = 0;                   ///< complete requests read
};

/// A small HTTP/1.1 server on 127.0.0.1, plain or TLS, that runs on the test's own
/// executor. Its behaviour is chosen by the request path:
///   /echo            200; the body echoes the request body; headers X-Seen-Host, X-Seen-User-Agent,
///                    X-Connection (connection number), X-Request-On-Connection and X-Seen-SNI
///                    (the server name of the TLS handshake, "(none)" when the client sent none)
///   /big-header?bytes=N  200 with a header field of N bytes
///   /status?code=N   responds with status N
///   /size?bytes=N    200 with N bytes of body
///   /delay?ms=N      200 after N milliseconds
///   /hang            reads the request and never answers
///   /close-after     200 with keep-alive, then closes the connection at once
///   /drop-if-reused  closes without answering when the connection served earlier requests
///   /truncate        announces 100 bytes of body, sends 10, closes
///   /garbage         answers with bytes that are not HTTP
///   /interim         a 100 Continue, then 200
///   /no-keep-alive   200 with Connection: close, then closes
/// A canned answer: status and body (served as application/json).
struct canned_response {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json; charset=UTF-8";
};

class test_server {
public:
    /// Plain HTTP when `tls` is empty; otherwise TLS with that certificate and key.
    explicit test_server(boost::asio::any_io_executor ex,
                         std::optional<gapi::emulator::certificate_and_key> tls = std::nullopt);
    ~test_server();
    test_server(test_server const&) = delete;
    test_server& operator=(test_server const&) = delete;

    std::string base_url() const; ///< `http://127.0.0.1:PORT` or `https://...`
    unsigned short port() const;
    server_counts const& counts() const;

    /// Answers every request whose path starts with `path_prefix` (the longest such
    /// prefix, when several match) with `response`,
    /// instead of the built-in paths: a stand-in for an API answering oddly.
    void respond(std::string path_prefix, canned_response response);

    /// Closes the listener and every connection.
    void stop();

    struct state;

private:
    std::shared_ptr<state> state_;
};

} // namespace gapi_test

#endif
