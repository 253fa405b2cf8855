// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_GOOGLE_ERROR_HPP
#define GAPI_GOOGLE_ERROR_HPP

#include <gapi/config.hpp>
#include <gapi/error.hpp>
#include <gapi/http/message.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace gapi {

/// What a Google API answered when it refused a call, by kind. Codes of this enum live
/// in `api_error_category()`; classify them with `gapi::condition` (rate_limited,
/// quota_exceeded, unauthenticated, retryable, ...).
///
/// @par Conditions
/// `invalid_argument`: bad_request, payload_too_large. `unauthenticated`:
/// unauthenticated. `not_found`: not_found. `rate_limited`: rate_limited (which is also
/// `retryable`). `quota_exceeded`: quota_exceeded, daily_limit_reached. `retryable`:
/// backend_error, unavailable. `daily_limit_reached`: daily_limit_reached. The others
/// match no condition.
///
/// `daily_limit_reached` comes from the retry layer (`pipeline::is_daily_limit`: that
/// message, or a rate-limit answer whose retry time is more than an hour away), never
/// from `to_error_code`.
enum class api_error {
    bad_request = 1,   ///< 400: the request is invalid
    unauthenticated,   ///< 401
    permission_denied, ///< 403 other than rate or quota limits
    not_found,         ///< 404
    conflict,          ///< 409, e.g. an event id that exists already
    gone,              ///< 410, e.g. Calendar's fullSyncRequired
    precondition_failed, ///< 412
    payload_too_large, ///< 413
    rate_limited,      ///< 429, or 403 rateLimitExceeded / userRateLimitExceeded
    quota_exceeded,    ///< 403 dailyLimitExceeded / quotaExceeded
    backend_error,     ///< 500
    unavailable,       ///< 502, 503, 504
    unexpected_status, ///< any other non-2xx status
    full_sync_required, ///< 410 fullSyncRequired: Calendar's sync token is stale; sync in full
    daily_limit_reached, ///< Gmail's daily sending limit for the user: "User-rate limit exceeded (Mail sending)"
};

/// The details of a refusal, from the status, Google's JSON error body and headers.
/// Never holds credentials: error bodies carry none.
struct error_details {
    unsigned http_status = 0; ///< the response's HTTP status, e.g. 403
    std::string status;  ///< e.g. "RESOURCE_EXHAUSTED" (Gmail; Calendar sends none)
    std::string reason;  ///< errors[0].reason, e.g. "rateLimitExceeded"
    std::string domain;  ///< errors[0].domain, e.g. "usageLimits"
    std::string message; ///< error.message
    /// When to retry: the Retry-After header, else Gmail's `Retry after <RFC 3339>` hint.
    std::optional<std::chrono::system_clock::time_point> retry_after;
};

/// The category of `gapi::api_error` codes (named "gapi.api"); its conditions are the
/// ones listed with `gapi::api_error`.
GAPI_DECL boost::system::error_category const& api_error_category() noexcept;

/// Makes `e` an `error_code` in `api_error_category()`; found by ADL, so that
/// `ec == gapi::api_error::not_found` works.
inline error_code make_error_code(api_error e) noexcept { return {static_cast<int>(e), api_error_category()}; }

/// Writes the code's message (such as "the API found no such resource").
inline std::ostream& operator<<(std::ostream& os, api_error e) { return os << make_error_code(e).message(); }

/// Reads a non-2xx response. Tolerant: a body that is not Google's JSON still gives
/// the status-based code and an empty reason. `now` turns a Retry-After in seconds into
/// a time; without a numeric Retry-After header, Gmail's "Retry after" time in the
/// message is used. A malformed body or header is never an error here.
GAPI_DECL error_details parse_error_details(http::response const& res,
                                            std::chrono::system_clock::time_point now =
                                                std::chrono::system_clock::now());

/// The code for those details: by status, refined by Google's reason for 403
/// (rateLimitExceeded and userRateLimitExceeded: `rate_limited`; dailyLimitExceeded and
/// quotaExceeded: `quota_exceeded`; others: `permission_denied`) and for 410
/// (fullSyncRequired: `full_sync_required`, else `gone`). Any status it does not know,
/// 2xx included, is `api_error::unexpected_status`: call it for non-2xx answers only.
GAPI_DECL error_code to_error_code(error_details const& details);

} // namespace gapi

/// @cond
template <>
struct boost::system::is_error_code_enum<gapi::api_error> : std::true_type {};
/// @endcond

#ifdef GAPI_HEADER_ONLY
#include <gapi/impl/google_error.ipp>
#endif

#endif
