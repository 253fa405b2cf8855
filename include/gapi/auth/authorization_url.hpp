// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_AUTHORIZATION_URL_HPP
#define GAPI_AUTH_AUTHORIZATION_URL_HPP

#include <gapi/auth/credential_files.hpp>
#include <gapi/config.hpp>

#include <span>
#include <string>
#include <string_view>

namespace gapi::auth {

/// A PKCE code verifier (RFC 7636 §4.1): 128 characters of [A-Za-z0-9-._~] from OpenSSL's
/// CSPRNG, like google-auth-oauthlib. Throws std::runtime_error if the generator fails.
GAPI_DECL std::string make_code_verifier();

/// The S256 code challenge: BASE64URL(SHA256(verifier)) without padding.
GAPI_DECL std::string code_challenge_s256(std::string_view verifier);

/// A random `state` for the authorization request: 32 base64url characters (192 bits)
/// from OpenSSL's CSPRNG. Throws std::runtime_error if the generator fails.
GAPI_DECL std::string make_state();

/// The consent page URL for the installed-app flow: `client.auth_uri` with response_type=code,
/// client_id, redirect_uri, scope (joined by spaces), state, code_challenge and
/// code_challenge_method=S256, access_type=offline and login_hint (when given) added to its
/// query. Parameters already in auth_uri stay, except those named here, which are replaced.
/// Parameters with empty values (state, code_challenge, scope) are left out. Throws `credentials_error` when
/// auth_uri is not a URL.
GAPI_DECL std::string authorization_url(client_secrets const& client, std::string_view redirect_uri,
                                        std::span<std::string const> scopes, std::string_view state,
                                        std::string_view code_challenge, std::string_view login_hint = {});

} // namespace gapi::auth

#ifdef GAPI_HEADER_ONLY
#include <gapi/auth/impl/authorization_url.ipp>
#endif

#endif
