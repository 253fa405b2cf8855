// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_TOKEN_ENDPOINT_HPP
#define GAPI_AUTH_TOKEN_ENDPOINT_HPP

#include <gapi/auth/credential_files.hpp>
#include <gapi/auth/token.hpp>
#include <gapi/config.hpp>
#include <gapi/error.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace gapi::auth {

// Bodies of token requests, application/x-www-form-urlencoded, in the field order
// google-auth sends. Empty optional values (a public client's secret) are left out.

/// grant_type=refresh_token, client_id, client_secret, refresh_token, then scope (the
/// scopes joined by spaces, only when some are given) and rapt (when the file holds one).
GAPI_DECL std::string refresh_grant_body(authorized_user_info const& info,
                                         std::span<std::string const> scopes);

/// grant_type=authorization_code, code, client_id, client_secret, redirect_uri, code_verifier.
GAPI_DECL std::string authorization_code_body(std::string_view code, client_secrets const& client,
                                              std::string_view redirect_uri, std::string_view code_verifier);

/// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, assertion.
GAPI_DECL std::string jwt_grant_body(std::string_view assertion);

/// A token the endpoint granted.
struct token_grant {
    access_token token; ///< the access token, its expiry and its scopes
    /// Set when the endpoint issued a refresh token (authorization codes; rotation).
    std::optional<std::string> refresh_token;
};

/// Why the endpoint granted nothing.
struct token_failure {
    /// error::reauthorization_required (invalid_grant), error::invalid_client
    /// (invalid_client, unauthorized_client), error::malformed_token_response (a 2xx answer
    /// without a usable token) or error::token_endpoint_error (anything else).
    error_code code;
    std::string oauth_error; ///< RFC 6749 "error" (or Google's error "status"), when given
    std::string description; ///< "error_description" (or Google's error "message"), when given
    /// Worth trying again later (5xx, 408, 429, server_error, temporarily_unavailable).
    bool retryable = false;
};

/// Classifies an answer of the token endpoint (fact sheet §1.3, §1.4).
/// 2xx with a JSON object holding a non-empty "access_token": a grant whose expiry is
/// `now + expires_in` (a number or a numeric string; 3600 s when absent) and whose scopes
/// are the "scope" string split on spaces, else `requested_scopes`.
/// 2xx without one, or not JSON: error::malformed_token_response.
/// Otherwise "error" decides first: invalid_grant -> error::reauthorization_required;
/// invalid_client, unauthorized_client -> error::invalid_client; and the rest is
/// error::token_endpoint_error, retryable for HTTP 408, 429, 500, 502, 503, 504 or an
/// error of internal_failure, server_error or temporarily_unavailable. Never throws for
/// anything in `body`.
GAPI_DECL std::variant<token_grant, token_failure>
parse_token_response(unsigned status, std::string_view body, clock_type::time_point now,
                     std::span<std::string const> requested_scopes);

} // namespace gapi::auth

#ifdef GAPI_HEADER_ONLY
#include <gapi/auth/impl/token_endpoint.ipp>
#endif

#endif
