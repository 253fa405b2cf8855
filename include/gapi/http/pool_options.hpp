// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_HTTP_POOL_OPTIONS_HPP
#define GAPI_HTTP_POOL_OPTIONS_HPP

#include <gapi/config.hpp>
#include <gapi/error.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gapi::http {

/// How the transport authenticates servers.
struct tls_options {
    /// Verify the server's certificate chain and host name. Turning this off makes
    /// every HTTPS connection open to interception; it exists for diagnostics only.
    bool verify_peer = true;
    /// Trust the operating system's certificate store (OpenSSL's default paths).
    bool use_system_trust_store = true;
    /// A PEM file of extra certificate authorities to trust, such as the emulator's CA.
    std::string ca_file;
};

/// Completes a name resolution: the endpoints of the host, or why there are none.
using resolve_handler = std::function<void(error_code, std::vector<boost::asio::ip::tcp::endpoint>)>;

/// Options of a `connection_pool`. Every member has a usable default.
struct pool_options {
    /// Connections per origin (scheme, host, port). Requests beyond it wait in FIFO
    /// order, each no longer than its own timeout.
    std::size_t max_connections_per_origin = 16;

    /// TCP connect, including name resolution.
    std::chrono::milliseconds connect_timeout{10'000};
    /// TLS handshake, after the TCP connection is up.
    std::chrono::milliseconds tls_handshake_timeout{10'000};
    /// The whole request: waiting for a connection, connecting, writing the request and
    /// reading the whole response. Large enough for a 35 MB Gmail upload on a slow link;
    /// override per request with `request::timeout`.
    std::chrono::milliseconds request_timeout{120'000};
    /// An idle kept-alive connection is closed after this long unused.
    std::chrono::milliseconds idle_timeout{60'000};
    /// A kept-alive connection idle at least this long is checked before it is reused: one
    /// non-blocking peek (a system call) tells whether the server closed it meanwhile. One
    /// reused sooner is not checked, as under load every connection is reused within
    /// milliseconds and servers close idle connections after seconds. A connection found
    /// closed only when used fails as the keep-alive race does: a request not yet written,
    /// or one that may run twice, is sent again on a new connection, and any other fails
    /// with a network error (`http::request::replay_on_stale_connection`). Bytes nobody
    /// asked for (a TLS close_notify, an unsolicited 408) are found the same way: servers
    /// send them on idle timeouts, not milliseconds after an answer. Zero checks every reuse.
    std::chrono::milliseconds liveness_check_after{100};

    /// Largest response body accepted. Gmail accepts messages up to 35 MB, which
    /// `messages.get(format=raw)` returns base64url-encoded inside JSON (about 47 MB).
    std::size_t max_response_body_size = 64 * 1024 * 1024;
    /// Largest response header block accepted.
    std::size_t max_response_header_size = 64 * 1024;

    /// How servers are authenticated: peer verification, trust store, extra CAs.
    tls_options tls;

    /// Name resolution. Empty (the default): the system's resolver (getaddrinfo, through
    /// Asio). A replacement (a cache, a fixed address for a name, a test double) gets the
    /// host and port and calls the handler exactly once, on the pool's executor. The pool
    /// waits for it no longer than `connect_timeout`, and not at all once the request is
    /// cancelled; an answer that comes after that is dropped. IP literals are never resolved.
    std::function<void(std::string const& host, std::uint16_t port, resolve_handler handler)> resolve;

    /// Sent when the request carries no User-Agent of its own.
    std::string user_agent = "gapi/" GAPI_VERSION_STRING;
};

} // namespace gapi::http

#endif
