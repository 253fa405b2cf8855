// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_ERROR_HPP
#define GAPI_ERROR_HPP

#include <gapi/config.hpp>

#include <boost/system/error_code.hpp>

#include <ostream>
#include <type_traits>

namespace gapi {

/// The error code type of every gapi operation (Boost.System's, as Asio uses it).
using boost::system::error_code;

/// Errors that gapi itself detects on the client side. They live in
/// `gapi::error_category()`; compare them with `ec == gapi::error::request_timeout`
/// or, more usefully, classify them with `gapi::condition`.
///
/// @par Conditions
/// `timeout`: connect_timeout, tls_handshake_timeout, request_timeout,
/// authorization_timeout, deadline_exceeded. `network`: connection_closed,
/// truncated_response. `malformed_response`: malformed_http_response,
/// response_too_large, malformed_token_response, malformed_response.
/// `unauthenticated`: reauthorization_required, invalid_client, authorization_denied,
/// unauthenticated. `invalid_argument`: invalid_url, unsupported_scheme,
/// invalid_header_value, invalid_credentials, invalid_address, header_injection,
/// message_too_large, attachment_unreadable, missing_id, invalid_utf8, not_batchable.
/// `retryable`: connect_timeout, tls_handshake_timeout (nothing was sent yet).
/// pool_shut_down, token_endpoint_error and internal_error match no condition.
enum class error {
    // Requests that cannot be sent as given.
    invalid_url = 1,      ///< a URL without a host, that does not parse, a request without a method, or an invalid target (`http::request::target`)
    unsupported_scheme,   ///< a URL whose scheme is neither http nor https
    invalid_header_value, ///< a header name or value holds CR, LF or NUL, or a name is empty

    // Transport failures.
    connect_timeout,       ///< name resolution and TCP connect outlasted `pool_options::connect_timeout`
    tls_handshake_timeout, ///< the TLS handshake took longer than `pool_options::tls_handshake_timeout`
    request_timeout,       ///< the whole request (queue, connect, write, read) outlasted its timeout
    connection_closed,      ///< the server closed the connection before any response byte
    truncated_response,     ///< the response began but ended before it was complete
    response_too_large,     ///< the response body or header block exceeds the pool's configured limit
    malformed_http_response, ///< the server's answer is not HTTP/1.1 that gapi can read
    pool_shut_down,          ///< the connection pool (or the client owning it) was shut down or destroyed

    // Credentials and OAuth 2.0.
    invalid_credentials,      ///< a credential file or value is missing a field, malformed or unusable
    reauthorization_required, ///< the refresh token expired or was revoked (invalid_grant): authorize again
    invalid_client,           ///< the token endpoint does not know the client or its secret
    token_endpoint_error,     ///< the token endpoint refused the grant for another reason
    malformed_token_response, ///< the token endpoint's answer could not be understood
    authorization_denied,     ///< the user declined consent in the browser
    authorization_timeout,    ///< no authorization arrived at the loopback server in time
    unauthenticated,          ///< the API refused a fresh access token too, or a static token expired

    // Building e-mail messages (gapi::mime).
    invalid_address,       ///< an address is not `local@domain` (or uses a non-punycode IDN domain)
    header_injection,      ///< CR, LF or NUL (or an unsafe field name or identifier) in a header
    message_too_large,     ///< the rendered message exceeds Gmail's 35 MB limit
    attachment_unreadable, ///< an attachment file is missing or cannot be read

    malformed_response, ///< an API answered 2xx with a body that is not the resource it promised
    missing_id,         ///< a call that names a resource by its id (update_event) was given none
    invalid_utf8,       ///< a text of a message (name, subject, file name, body) is not valid UTF-8
    internal_error,     ///< gapi failed unexpectedly (an exception inside it); reported, never thrown into run()
    deadline_exceeded,  ///< the call's deadline (`call_options::timeout`) passed before it completed
    not_batchable,      ///< calls that cannot share a batch: another API or origin, a media upload, an invalid target or field
};

/// Broad classes of failure, shared by every category gapi reports
/// (gapi's own errors, Asio/system errors, TLS errors).
///
/// Besides gapi's own codes (see `gapi::error` and `gapi::api_error`), `timeout` matches
/// Beast's and Asio's timeouts; `network` a refused, reset or aborted connection, a broken
/// pipe, end of stream, an unreachable network or host and a host not found; `tls` any
/// OpenSSL or Asio SSL stream error; `malformed_response` any Beast HTTP parser error;
/// `retryable` also a refused connection.
enum class condition {
    timeout = 1,       ///< a connect, TLS handshake or request deadline passed
    network,           ///< the connection failed, was refused, reset or closed
    tls,               ///< TLS handshake or certificate verification failed
    invalid_argument,   ///< the caller asked for something that cannot be sent
    malformed_response, ///< the server's answer could not be understood
    unauthenticated,    ///< credentials are missing, refused or must be renewed by the user
    rate_limited,       ///< a rate limit refused the call: wait (see the retry hint) and try again
    quota_exceeded,     ///< a daily quota is spent: retrying soon will not help
    not_found,          ///< the resource does not exist
    retryable,          ///< trying again later may succeed (if the call is safe to repeat)
    daily_limit_reached, ///< the user's daily sending limit: no retry helps before the retry time, hours away
};

/// The category of `gapi::error` codes (named "gapi"); its default conditions are the
/// ones listed with `gapi::error`.
GAPI_DECL boost::system::error_category const& error_category() noexcept;
/// The category of `gapi::condition` (named "gapi.condition"). Its `equivalent` also
/// matches Asio, Beast and OpenSSL codes: e.g. `ec == condition::network` holds for a
/// connection reset reported by the operating system.
GAPI_DECL boost::system::error_category const& condition_category() noexcept;

/// Makes `e` an `error_code` in `error_category()`; found by ADL, so that
/// `ec == gapi::error::request_timeout` and `error_code ec = gapi::error::...` work.
inline error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// Makes `c` an `error_condition` in `condition_category()`, so that
/// `ec == gapi::condition::timeout` compares an error code with the condition.
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/// Writes the error's message (such as "request timed out").
inline std::ostream& operator<<(std::ostream& os, error e) {
    return os << make_error_code(e).message();
}

/// Writes the condition's message (such as "network failure").
inline std::ostream& operator<<(std::ostream& os, condition c) {
    return os << condition_category().message(static_cast<int>(c));
}

} // namespace gapi

/// @cond
template <>
struct boost::system::is_error_code_enum<gapi::error> : std::true_type {};

template <>
struct boost::system::is_error_condition_enum<gapi::condition> : std::true_type {};
/// @endcond

#ifdef GAPI_HEADER_ONLY
#include <gapi/impl/error.ipp>
#endif

#endif
