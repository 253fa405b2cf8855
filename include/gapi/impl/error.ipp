// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_IMPL_ERROR_IPP
#define GAPI_IMPL_ERROR_IPP

#include <gapi/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <string>

namespace gapi {
namespace detail {

class gapi_error_category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "gapi"; }

    std::string message(int ev) const override {
        switch (static_cast<error>(ev)) {
        case error::invalid_url: return "invalid URL";
        case error::unsupported_scheme: return "unsupported URL scheme (only http and https)";
        case error::invalid_header_value: return "header value contains CR, LF or NUL";
        case error::connect_timeout: return "connect timed out";
        case error::tls_handshake_timeout: return "TLS handshake timed out";
        case error::request_timeout: return "request timed out";
        case error::connection_closed:
            return "connection closed by the server before any response byte arrived";
        case error::truncated_response: return "response truncated: the connection ended mid-message";
        case error::response_too_large: return "response body exceeds the configured size limit";
        case error::malformed_http_response: return "malformed HTTP response";
        case error::pool_shut_down: return "connection pool has been shut down";
        case error::invalid_credentials: return "invalid credentials";
        case error::reauthorization_required:
            return "the refresh token has expired or been revoked: run the authorization flow again";
        case error::invalid_client: return "the OAuth client id or secret was refused";
        case error::token_endpoint_error: return "the token endpoint refused the grant";
        case error::malformed_token_response: return "malformed token endpoint response";
        case error::authorization_denied: return "the user denied authorization";
        case error::authorization_timeout: return "no authorization arrived in time";
        case error::unauthenticated: return "the API refused the access token";
        case error::invalid_address: return "invalid e-mail address";
        case error::header_injection: return "CR or LF in a header value";
        case error::message_too_large: return "the message exceeds Gmail's 35 MB limit";
        case error::attachment_unreadable: return "an attachment file cannot be read";
        case error::malformed_response: return "the API's answer is not the resource it should be";
        case error::missing_id: return "the resource has no id to name it by";
        case error::invalid_utf8: return "a text of the message is not valid UTF-8";
        case error::internal_error: return "gapi failed unexpectedly";
        case error::deadline_exceeded: return "the call's deadline passed";
        case error::not_batchable: return "these calls cannot share a batch request";
        }
        return "unknown gapi error";
    }

    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<error>(ev)) {
        case error::invalid_url:
        case error::unsupported_scheme:
        case error::invalid_header_value: return condition::invalid_argument;
        case error::connect_timeout:
        case error::tls_handshake_timeout:
        case error::request_timeout: return condition::timeout;
        case error::deadline_exceeded: return condition::timeout;
        case error::not_batchable: return condition::invalid_argument;
        case error::connection_closed:
        case error::truncated_response: return condition::network;
        case error::response_too_large:
        case error::malformed_http_response: return condition::malformed_response;
        case error::invalid_credentials: return condition::invalid_argument;
        case error::reauthorization_required:
        case error::invalid_client:
        case error::authorization_denied:
        case error::unauthenticated: return condition::unauthenticated;
        case error::malformed_token_response: return condition::malformed_response;
        case error::authorization_timeout: return condition::timeout;
        case error::invalid_address:
        case error::header_injection:
        case error::message_too_large:
        case error::attachment_unreadable:
        case error::missing_id:
        case error::invalid_utf8: return condition::invalid_argument;
        case error::internal_error: break;
        case error::malformed_response: return condition::malformed_response;
        case error::token_endpoint_error:
        case error::pool_shut_down: break;
        }
        return {ev, *this};
    }
};

class gapi_condition_category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "gapi.condition"; }

    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::timeout: return "timeout";
        case condition::network: return "network failure";
        case condition::tls: return "TLS failure";
        case condition::invalid_argument: return "invalid argument";
        case condition::malformed_response: return "malformed response";
        case condition::unauthenticated: return "unauthenticated";
        case condition::rate_limited: return "rate limited";
        case condition::quota_exceeded: return "quota exceeded";
        case condition::not_found: return "not found";
        case condition::retryable: return "retryable";
        case condition::daily_limit_reached: return "daily sending limit reached";
        }
        return "unknown gapi condition";
    }

    // Lets conditions match codes from other categories, so that
    // `ec == condition::network` holds for a reset from the operating system too.
    bool equivalent(error_code const& code, int cond) const noexcept override {
        if (code.category() == gapi::error_category() && static_cast<condition>(cond) != condition::retryable)
            return code.category().default_error_condition(code.value()) ==
                   boost::system::error_condition(cond, *this);
        namespace asio = boost::asio;
        switch (static_cast<condition>(cond)) {
        case condition::timeout:
            return code == boost::beast::error::timeout || code == asio::error::timed_out;
        case condition::network:
            return code == asio::error::connection_refused || code == asio::error::connection_reset ||
                   code == asio::error::connection_aborted || code == asio::error::broken_pipe ||
                   code == asio::error::eof || code == asio::error::network_unreachable ||
                   code == asio::error::host_unreachable || code == asio::error::host_not_found ||
                   code == asio::error::host_not_found_try_again || code == asio::error::not_connected;
        case condition::tls:
            return code.category() == asio::error::get_ssl_category() ||
                   code.category() == asio::ssl::error::get_stream_category();
        case condition::malformed_response:
            return code.category() == boost::beast::http::make_error_code(
                                           boost::beast::http::error::bad_version).category();
        case condition::retryable:
            // Transport failures that happen before a request can have been acted on.
            // (API refusals say for themselves whether they are retryable.)
            // A connection closed or reset after the request was written is not among
            // them: the server may have acted (exchange_info tells).
            return code == error::connect_timeout || code == error::tls_handshake_timeout ||
                   code == asio::error::connection_refused;
        case condition::invalid_argument:
        case condition::unauthenticated:
        case condition::rate_limited:
        case condition::quota_exceeded:
        case condition::daily_limit_reached:
        case condition::not_found: return false;
        }
        return false;
    }
};

} // namespace detail

GAPI_DECL boost::system::error_category const& error_category() noexcept {
    static detail::gapi_error_category const category;
    return category;
}

GAPI_DECL boost::system::error_category const& condition_category() noexcept {
    static detail::gapi_condition_category const category;
    return category;
}

} // namespace gapi

#endif
