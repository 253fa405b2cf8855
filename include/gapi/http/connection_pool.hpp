// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_HTTP_CONNECTION_POOL_HPP
#define GAPI_HTTP_CONNECTION_POOL_HPP

#include <gapi/config.hpp>
#include <gapi/detail/complete_handler.hpp>
#include <gapi/error.hpp>
#include <gapi/http/message.hpp>
#include <gapi/http/pool_options.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <cstdint>
#include <memory>

/// The HTTP/1.1 transport: requests and responses, URLs and origins, and the keep-alive
/// `connection_pool`.
namespace gapi::http {

namespace detail {
class pool_impl;
}

/// Counters of a pool, summed over all origins.
struct pool_stats {
    std::size_t open_connections = 0; ///< connected, connecting or idle
    std::size_t idle_connections = 0; ///< kept alive, waiting for a request
    std::size_t waiting_requests = 0; ///< queued for a connection at the per-origin cap
    std::uint64_t connections_opened = 0; ///< TCP connections made since the pool was created (TLS or not)
    std::uint64_t requests_completed = 0; ///< requests that completed with a response
    std::uint64_t stale_replays = 0;      ///< requests replayed after the keep-alive race
    /// Requests that found a kept-alive connection idle and ran on callbacks, without the
    /// pool's coroutine (the common case; the others open or wait for a connection).
    std::uint64_t exchanges_on_callbacks = 0;
};

/// Keep-alive HTTP/1.1 connections to any number of origins, over TLS for `https://`
/// and plain TCP for `http://` (meant for loopback servers such as the emulator).
///
/// Thread safety: none. All calls, including the destructor and the emission of
/// cancellation signals, happen on the pool's executor; when the io_context runs on
/// several threads, give the pool a strand.
///
/// Lifetime: operations in flight keep the pool's state alive; destroying the pool
/// shuts it down, which completes them with `error::pool_shut_down`.
class connection_pool {
public:
    /// The executor the pool, its connections and its timers work on.
    using executor_type = boost::asio::any_io_executor;
    /// What `send` completes with.
    using completion_signature = void(error_code, response);

    /// Throws `boost::system::system_error` when the options are invalid (a cap of zero
    /// connections, an unreadable CA file).
    GAPI_DECL explicit connection_pool(executor_type executor, pool_options options = {});
    /// Shuts the pool down (`shutdown`): operations in flight complete with
    /// `error::pool_shut_down`. Run it on the pool's executor.
    GAPI_DECL ~connection_pool();
    connection_pool(connection_pool const&) = delete;
    connection_pool& operator=(connection_pool const&) = delete;

    /// The executor given at construction.
    GAPI_DECL executor_type get_executor() const noexcept;
    /// The options given at construction.
    GAPI_DECL pool_options const& options() const noexcept;
    /// The counters now, summed over all origins. Call on the pool's executor.
    GAPI_DECL pool_stats stats() const noexcept;

    /// Sends `req` and reads the whole response.
    ///
    /// Completion: `void(error_code, response)`. An HTTP error status is not an error
    /// here: any complete response completes with success. On failure the response
    /// still carries `exchange` (was the request written, did a response begin).
    /// Errors: `error::invalid_url`, `error::unsupported_scheme`,
    /// `error::invalid_header_value` before any I/O; `error::connect_timeout`,
    /// `error::tls_handshake_timeout`, `error::request_timeout`,
    /// `error::connection_closed`, `error::truncated_response`,
    /// `error::response_too_large`, `error::malformed_http_response`,
    /// `error::pool_shut_down`; resolver, socket and TLS errors as Asio reports them
    /// (certificate failures are `condition::tls`).
    /// Cancellation: terminal and partial always; total only until the request has
    /// been written. Completes with `boost::asio::error::operation_aborted`; the
    /// connection in use is closed.
    ///
    /// @par Idempotency
    /// The pool sends a request at most twice: once more, on a fresh connection, only when
    /// the first attempt ran on a reused kept-alive connection, failed as a stale
    /// connection fails before any byte of the answer, and either was not written yet or
    /// has `replay_on_stale_connection` set, and neither the request's timeout nor an
    /// abort came first. It never retries otherwise; that is the retry layer's work.
    /// @par Executor and thread safety
    /// The work runs on the pool's executor; the handler runs on its associated executor
    /// (the pool's when it has none), never inside `send`, and that executor counts as
    /// having outstanding work meanwhile. Emit cancellation signals on the pool's executor.
    /// @par Lifetimes
    /// The operation keeps the pool's state (and the request) alive; destroying the pool
    /// completes it with `error::pool_shut_down`, as it completes an operation made with a
    /// lazy token (the default, `deferred`) that is started after the pool is destroyed.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send(request req, CompletionToken&& token = {}) {
        return send(std::make_shared<request const>(std::move(req)), std::forward<CompletionToken>(token));
    }

    /// The same, for a request shared with the caller, who may send it again later
    /// (a replay after a token refresh or a retry) without copying its body. The pool
    /// only reads it, and only until the operation completes. A null `req` completes with
    /// `error::invalid_url`.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send(std::shared_ptr<request const> req, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            initiate_send{impl_, get_executor()}, token, std::move(req));
    }

    /// Closes every connection and completes every pending request with
    /// `error::pool_shut_down`. Later requests fail the same way.
    GAPI_DECL void shutdown();

private:
    // Refers to the pool's state, not to the pool, and without owning it: a lazy operation
    // (`deferred`, an awaitable not yet awaited) may start after the pool is destroyed,
    // and then completes with `error::pool_shut_down`; one never started keeps nothing alive
    // (the state's timer must not outlive its io_context).
    struct initiate_send {
        std::weak_ptr<detail::pool_impl> impl;
        executor_type executor;
        template <class Handler>
        void operator()(Handler&& handler, std::shared_ptr<request const> req) const {
            bool const on_pool_executor = gapi::detail::runs_on(handler, executor);
            boost::asio::any_completion_handler<completion_signature> erased(std::forward<Handler>(handler));
            if (auto state = impl.lock())
                start_send(*state, std::move(req), std::move(erased), on_pool_executor);
            else
                fail_shut_down(executor, std::move(erased));
        }
    };

    GAPI_DECL static void fail_shut_down(executor_type const& executor,
                                         boost::asio::any_completion_handler<completion_signature> handler);
    GAPI_DECL static void start_send(detail::pool_impl& impl, std::shared_ptr<request const> req,
                                     boost::asio::any_completion_handler<completion_signature> handler,
                                     bool on_pool_executor);

    std::shared_ptr<detail::pool_impl> impl_;
};

} // namespace gapi::http

#ifdef GAPI_HEADER_ONLY
#include <gapi/http/impl/connection_pool.ipp>
#endif

#endif
