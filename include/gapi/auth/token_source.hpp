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

struct token_source_options {
    /// A token is refreshed once less than this remains of its life (google-auth's
    /// 3 min 45 s), or less than a tenth of its lifetime for tokens shorter than that,
    /// so that short-lived tokens still serve most of their life.
    std::chrono::seconds refresh_margin{225};

    /// Token endpoint failures that may pass (5xx, 408, 429, network errors) are tried
    /// this many times in all, waiting initial_backoff, then twice as long, each with
    /// ±10 % jitter: google-auth's own rule. invalid_grant is never retried.
    unsigned max_attempts = 3;
    std::chrono::milliseconds initial_backoff{1000};

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
/// exactly those waiters; the next request tries again.
///
/// Thread safety: as for the pool, whose executor it uses. The pool must outlive it.
class token_source {
public:
    using executor_type = boost::asio::any_io_executor;
    using completion_signature = void(error_code, access_token);

    GAPI_DECL token_source(http::connection_pool& pool, credentials creds, token_source_options options = {});
    GAPI_DECL ~token_source();
    token_source(token_source const&) = delete;
    token_source& operator=(token_source const&) = delete;

    /// A token with life left, from the cache or from the token endpoint.
    /// Completion: `void(error_code, access_token)`. Errors: `error::reauthorization_required`
    /// (invalid_grant: the user must authorize again), `error::invalid_client`,
    /// `error::token_endpoint_error`, `error::malformed_token_response`,
    /// `error::invalid_credentials`, `error::unauthenticated` (a static token that expired
    /// or was rejected), transport errors after the last attempt.
    /// Cancellation: terminal; the waiter leaves, the shared refresh goes on for the others.
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
    GAPI_DECL credentials const& creds() const noexcept;
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
