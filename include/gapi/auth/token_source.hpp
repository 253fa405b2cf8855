// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_TOKEN_SOURCE_HPP
#define GAPI_AUTH_TOKEN_SOURCE_HPP

#include <gapi/auth/credentials.hpp>
#include <gapi/auth/token.hpp>
#include <gapi/config.hpp>
#include <gapi/error.hpp>
#include <gapi/http/connection_pool.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace gapi::auth {

/// Options of a `token_source`: when to refresh, how to retry the token endpoint, and
/// what to tell whom.
struct token_source_options {
    /// A token is refreshed once less than this remains of its life (google-auth's
    /// 3 min 45 s), or less than a tenth of its lifetime for tokens shorter than that,
    /// so that short-lived tokens still serve most of their life.
    std::chrono::seconds refresh_margin{225};

    /// Token endpoint failures that may pass (500, 502, 503, 504, 408, 429, network
    /// errors) are tried this many times in all, waiting initial_backoff, then twice as
    /// long, each with ±10 % jitter, as google-auth does (which does not retry 502).
    /// invalid_grant is never retried.
    unsigned max_attempts = 3;
    std::chrono::milliseconds initial_backoff{1000}; ///< the wait before the second attempt

    /// One token request, from connect to the last byte of the answer.
    std::chrono::milliseconds request_timeout{30'000};

    /// Called after every new token (and a rotated refresh token), after a file-based
    /// credential has rewritten its file. Runs on the token source's executor.
    std::function<void(token_update const&)> on_token;

    /// The wall clock that token expiry times are compared with; empty: the system clock.
    /// A test steers token lifetimes with it instead of waiting for them.
    std::function<clock_type::time_point()> clock;
};

namespace detail {
class token_source_impl;
}

/// Access tokens for one credential, obtained through a connection pool and cached.
///
/// Single flight: however many operations ask while no fresh token is cached, one
/// token request goes out and all of them wait for its answer. A failed refresh fails
/// exactly those waiters; the next request tries again. While the cached token has not
/// expired yet, a failed refresh still answers with it (an endpoint outage costs no call).
///
/// Thread safety: as for the pool, whose executor it uses. The pool must outlive it.
/// `get_token` may be called from any thread (it starts on the pool's executor); the other
/// members, and the destructor, must be used on that executor.
class token_source {
public:
    /// The pool's executor.
    using executor_type = boost::asio::any_io_executor;
    /// What `get_token` completes with.
    using completion_signature = void(error_code, access_token);

    /// A token source for `creds`, which sends its token requests through `pool` (which
    /// must outlive it). A credential that carries a token (a static token, a token.json
    /// with a cached one) starts with it cached. No I/O.
    GAPI_DECL token_source(http::connection_pool& pool, credentials creds, token_source_options options = {});
    /// Stops using the pool: a refresh in flight no longer touches it, persists nothing and
    /// calls no hook, and its waiters still complete (with `error::pool_shut_down` unless
    /// the cached token is still valid). Run it on the pool's executor.
    GAPI_DECL ~token_source();
    token_source(token_source const&) = delete;
    token_source& operator=(token_source const&) = delete;

    /// A token with life left, from the cache or from the token endpoint.
    ///
    /// @par Completion signature
    /// `void(error_code, access_token)`. A cached token with more than the refresh margin
    /// left is answered without I/O (still never inside the initiating function).
    /// @par Errors
    /// `error::reauthorization_required` (invalid_grant: the user must authorize again),
    /// `error::invalid_client`, `error::token_endpoint_error`,
    /// `error::malformed_token_response`, `error::invalid_credentials` (e.g. a token URI that
    /// is not a URL, a key that cannot sign), `error::unauthenticated` (a static token that
    /// expired or was rejected), transport errors after the last attempt,
    /// `error::pool_shut_down` once the token source or its pool is shut down,
    /// `operation_aborted` when cancelled. A failed refresh while the cached token has not
    /// expired yet answers with that token instead.
    /// @par Idempotency and retries
    /// A token request may be repeated safely. A refresh retries network failures and the
    /// answers that may pass (5xx, 408, 429, server_error, temporarily_unavailable; see
    /// `token_source_options::max_attempts`); never invalid_grant, invalid_client or another
    /// refusal. Waiters that arrive during a refresh share it.
    /// @par Cancellation
    /// Terminal cancellation only (other types are ignored): the waiter completes at once
    /// with `operation_aborted`; the shared refresh goes on for the others and still
    /// updates the cache.
    /// @par Executor and thread safety
    /// May be called from any thread: it starts on the pool's executor. The handler runs on
    /// its associated executor (the pool's when it has none).
    /// @par Lifetimes
    /// The token source's state lives until the refresh it started ends, so destroying the
    /// token source does not strand its waiters; the pool must outlive the token source.
    template <class CompletionToken = boost::asio::deferred_t>
    auto get_token(CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            [this](auto handler) {
                start_get(boost::asio::any_completion_handler<completion_signature>(std::move(handler)));
            },
            token);
    }

    /// The cached token when it has life left (what `get_token` would answer at once),
    /// else null: the fast path of a call, with no asynchronous step and no copy. Valid
    /// until the next operation on this token source; call on its executor.
    GAPI_DECL access_token const* fresh_token() const;

    /// The API rejected `rejected` (401): forget it if it is still the cached token, so
    /// that the next `get_token` refreshes. Tokens that others already replaced stay.
    GAPI_DECL void invalidate(std::string_view rejected);

    /// Token grants obtained so far.
    GAPI_DECL std::uint64_t refreshes() const noexcept;
    /// The credential, as updated by refreshes (a rotated refresh token, the cached access
    /// token of a user credential).
    GAPI_DECL credentials const& creds() const noexcept;
    /// The pool's executor, on which the token source works.
    GAPI_DECL executor_type get_executor() const noexcept;

private:
    GAPI_DECL void start_get(boost::asio::any_completion_handler<completion_signature> handler);
    std::shared_ptr<detail::token_source_impl> impl_;
};

} // namespace gapi::auth

#ifdef GAPI_HEADER_ONLY
#include <gapi/auth/impl/token_source.ipp>
#endif

#endif
