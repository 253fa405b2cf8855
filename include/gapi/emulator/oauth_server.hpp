// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_OAUTH_SERVER_HPP
#define GAPI_EMULATOR_OAUTH_SERVER_HPP

#include <gapi/config.hpp>
#include <gapi/emulator/api.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace gapi::emulator {

/// The emulated project: its OAuth client, users and keys.
struct oauth_config {
    /// The one OAuth client the token endpoint accepts (and client_secret.json names).
    std::string client_id = "gapi-emulator.apps.googleusercontent.com";
    /// That client's secret.
    std::string client_secret = "GOCSPX-gapi-emulator-secret";
    /// The project id; the service account is `<project_id>@<project_id>.iam.gserviceaccount.com`.
    std::string project_id = "gapi-emulator";
    /// Emails of the built-in users, e.g. user1@example.com.
    std::vector<std::string> users;
    /// Service-account delegation (`sub`) is allowed for built-in users of this domain.
    std::string workspace_domain = "example.com";
    /// Access-token lifetime; `expires_in` is one second less, like Google's 3599.
    std::chrono::seconds token_ttl{3600};
    /// Seeds the tokens, authorization codes and the service account's client id.
    std::uint64_t seed = 1;
    /// The service account's RSA key as PEM (PKCS\#8 or PKCS\#1). Empty: a fresh
    /// RSA-2048 key is generated, which takes tens of milliseconds; pass a key to
    /// keep it stable across restarts or to make many instances cheaply.
    std::string service_account_key_pem;
};

/// Google's OAuth 2.0 endpoints as the emulator serves them: the installed-app
/// loopback flow with PKCE, refresh tokens, service-account JWT bearer grants,
/// revocation, and the Bearer check the router runs before every API call.
/// Sans-I/O and not thread-safe: the emulator calls it under its state lock.
class oauth_server {
public:
    /// What the token and revocation endpoints did, counted since construction.
    struct grant_counts {
        std::size_t authorization_code = 0; ///< tokens granted for an authorization code
        std::size_t refresh_token = 0;      ///< tokens granted for a refresh token
        std::size_t jwt_bearer = 0;         ///< tokens granted for a service account's JWT
        std::size_t failed = 0;             ///< token requests refused (any answer but 200)
        std::size_t revocations = 0;        ///< revocation requests that succeeded
    };

    /// Throws std::invalid_argument when `service_account_key_pem` is not an RSA key,
    /// std::runtime_error when OpenSSL fails.
    GAPI_DECL explicit oauth_server(oauth_config config);

    /// e.g. "http://127.0.0.1:5555". Until set, credential files carry Google's real URIs.
    GAPI_DECL void set_base_url(std::string base_url);
    /// The token endpoint: base URL + "/token" (Google's own until `set_base_url`).
    GAPI_DECL std::string token_uri() const;
    /// The authorization endpoint: base URL + "/o/oauth2/auth" (Google's own until `set_base_url`).
    GAPI_DECL std::string auth_uri() const;
    /// The revocation endpoint: base URL + "/revoke" (Google's own until `set_base_url`).
    GAPI_DECL std::string revoke_uri() const;

    // Endpoints; the router sends these paths here without any auth:
    //   GET /o/oauth2/auth, GET /o/oauth2/v2/auth           -> authorize
    //   POST /token, /o/oauth2/token, /oauth2/v4/token       -> token
    //   POST (or GET) /revoke, token in the form body or query -> revoke

    /// The consent screen, answered at once: checks the client id, a loopback
    /// `redirect_uri`, `response_type=code`, the scopes and any PKCE challenge, then
    /// redirects to `redirect_uri` with a code for the user `login_hint` names (else the
    /// first user), or with `error=access_denied` when consent is off (`set_consent`); an
    /// invalid request gets Google's HTML error page instead.
    GAPI_DECL api_response authorize(api_request const& req);
    /// The token endpoint (POST only, else 405): `authorization_code` (with PKCE),
    /// `refresh_token` and the service account's JWT bearer grant, with Google's JSON
    /// answers and RFC 6749 errors. Client credentials come from the form, or HTTP Basic.
    GAPI_DECL api_response token(api_request const& req);
    /// Revokes the grant behind an access or refresh token (`token` in the form body or the
    /// query): its refresh token and the access tokens it issued; a JWT-granted access token
    /// alone. An unknown or expired token gets 400 invalid_token.
    GAPI_DECL api_response revoke(api_request const& req);

    /// The principal behind `Authorization: Bearer <token>` (or `access_token=`),
    /// or Google's 401 response to send back as is. The principal is the token's own
    /// (no copy per call): valid until tokens are issued or revoked.
    GAPI_DECL std::variant<principal const*, api_response> authenticate(api_request const& req) const;

    /// Google's 403 for a token that lacks every scope the method accepts.
    GAPI_DECL api_response insufficient_scope(std::span<std::string_view const> accepted_scopes) const;

    // ---- test controls ----------------------------------------------------------
    /// Auto-consent approves by default; false makes authorize redirect with access_denied.
    GAPI_DECL void set_consent(bool approve);
    /// Every live access token of that user stops working; refresh tokens stay valid.
    GAPI_DECL void revoke_access_tokens(std::string const& email);
    /// Every refresh token of that user stops working; access tokens stay valid.
    GAPI_DECL void revoke_refresh_tokens(std::string const& email);

    // ---- credential files in Google's formats, pointing at this emulator ----------

    /// client_secret.json of an installed app: `{"installed": {client_id, client_secret,
    /// project_id, auth_uri, token_uri, redirect_uris, ...}}`.
    GAPI_DECL boost::json::object client_secret_json() const;
    /// Python google-auth `Credentials.to_json()` shape, with a fresh access token
    /// bound to the user's pre-issued refresh token. Throws std::invalid_argument for
    /// an unknown user.
    GAPI_DECL boost::json::object authorized_user_json(std::string const& email, clock_type::time_point now);
    /// The service account's key file (type "service_account"), with its private key.
    GAPI_DECL boost::json::object service_account_json() const;
    /// The service account's address: `<project_id>@<project_id>.iam.gserviceaccount.com`.
    GAPI_DECL std::string service_account_email() const;
    /// The refresh token each built-in user holds from the start, granted every
    /// Gmail and Calendar scope. Empty for an unknown user.
    GAPI_DECL std::string refresh_token_of(std::string const& email) const;

    // ---- inspection ---------------------------------------------------------------
    /// The grant counters.
    grant_counts const& grants() const noexcept { return counts_; }
    /// Grant counters and token counts; never token values.
    GAPI_DECL boost::json::object inspect_json() const;

private:
    using form_fields = std::vector<std::pair<std::string, std::string>>;

    struct code_grant {
        std::string client_id;
        std::string redirect_uri;
        std::vector<std::string> scopes;
        std::string email;
        std::string code_challenge;
        std::string code_challenge_method;
        bool offline = false;
        clock_type::time_point expires_at;
    };
    struct refresh_grant {
        std::string email;
        std::vector<std::string> scopes;
        std::string client_id;
    };
    struct access_grant {
        principal who;
        clock_type::time_point expires_at;
        std::string refresh_token; ///< the grant it came from; empty for JWT grants
    };

    GAPI_DECL api_response token_authorization_code(form_fields const& form, std::string const& client_id,
                                                    clock_type::time_point now);
    GAPI_DECL api_response token_refresh(form_fields const& form, std::string const& client_id,
                                         clock_type::time_point now);
    GAPI_DECL api_response token_jwt_bearer(form_fields const& form, clock_type::time_point now);
    GAPI_DECL std::string issue_access_token(std::string const& email, std::vector<std::string> const& scopes,
                                             std::string const& client_id, std::string const& refresh_token,
                                             clock_type::time_point now);
    GAPI_DECL std::string issue_refresh_token(std::string const& email,
                                              std::vector<std::string> const& scopes,
                                              std::string const& client_id);
    GAPI_DECL void revoke_grant(std::string const& refresh_token);
    GAPI_DECL std::string random_chars(std::size_t n);
    GAPI_DECL std::string base_or(std::string_view path, std::string_view google_url) const;

    oauth_config config_;
    std::mt19937_64 rng_;
    std::string base_url_;
    bool consent_ = true;
    std::string private_key_pem_; ///< PKCS#8
    std::string public_key_der_;  ///< SubjectPublicKeyInfo, for verifying JWTs
    std::string private_key_id_;
    std::string service_account_client_id_;
    std::unordered_map<std::string, code_grant> codes_;
    std::unordered_map<std::string, refresh_grant> refresh_tokens_;
    /// Hashes a token as a view, so that a presented one is looked up without a copy. Not
    /// noexcept, as std::hash<std::string> is not: libstdc++ then keeps each entry's hash,
    /// and a rehash does not hash every token again.
    struct token_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view token) const { return std::hash<std::string_view>{}(token); }
    };
    std::unordered_map<std::string, access_grant, token_hash, std::equal_to<>> access_tokens_;
    std::unordered_map<std::string, std::string> preissued_; ///< email -> refresh token
    grant_counts counts_;
};

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/oauth_server.ipp>
#endif

#endif
