// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_JWT_HPP
#define GAPI_AUTH_JWT_HPP

#include <gapi/auth/credential_files.hpp>
#include <gapi/auth/token.hpp>
#include <gapi/config.hpp>

#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace gapi::auth {

/// The signed JWT that a service account trades for an access token (RFC 7523, Google's
/// "JWT bearer" grant): header {"alg":"RS256","typ":"JWT","kid":private_key_id} (kid left
/// out when the key has no id); claims iss = client_email, scope = the scopes joined by
/// spaces (left out when there are none), aud = token_uri, iat = `now` in whole seconds,
/// exp = iat + `lifetime`, and sub = `subject` when it is not empty (domain-wide
/// delegation). `lifetime` is clamped to 1 s .. 1 h: Google refuses anything longer.
/// Signed RSASSA-PKCS1-v1_5 with SHA-256; every part base64url without padding.
/// Throws `credentials_error` when the key is not a usable RSA private key.
GAPI_DECL std::string make_jwt_assertion(service_account_info const& info,
                                         std::span<std::string const> scopes, std::string_view subject,
                                         clock_type::time_point now,
                                         std::chrono::seconds lifetime = std::chrono::seconds(3600));

} // namespace gapi::auth

#ifdef GAPI_HEADER_ONLY
#include <gapi/auth/impl/jwt.ipp>
#endif

#endif
