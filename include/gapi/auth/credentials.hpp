// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_CREDENTIALS_HPP
#define GAPI_AUTH_CREDENTIALS_HPP

#include <gapi/auth/credential_files.hpp>
#include <gapi/auth/token.hpp>
#include <gapi/config.hpp>

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

/// OAuth 2.0: credentials and their files, the token source, service-account JWTs and the
/// installed-app (loopback) flow.
namespace gapi::auth {

/// A new token obtained from the token endpoint, as reported to a persistence hook.
struct token_update {
    access_token token; ///< the new access token
    /// Set when the token endpoint rotated the refresh token.
    std::optional<std::string> refresh_token;
};

/// Where access tokens come from. A plain value: cheap to copy, no I/O until a
/// `token_source` uses it. Loading a file reads and validates it at once and throws
/// `credentials_error` (naming the file and the field, never a secret) when it is bad.
class credentials {
public:
    /// A user's refresh token with its OAuth client: Python google-auth's token.json,
    /// gcloud's application-default file, or the result of the installed-app flow.
    struct authorized_user {
        authorized_user_info info; ///< the client, the refresh token and the cached access token
        /// When set, refreshed tokens are written back there in token.json format.
        std::string persist_path;
    };
    /// A service account signing its own JWT grants, optionally acting for `subject`
    /// (domain-wide delegation: send mail as any user of a Workspace domain).
    struct service_account {
        service_account_info info;       ///< the key file's contents
        std::vector<std::string> scopes; ///< the scopes every token is requested for (never empty)
        std::string subject;             ///< the user to act for; empty: the service account itself
    };
    /// An access token obtained elsewhere; never refreshed.
    struct static_token {
        /// Used as it is until it expires or the API refuses it; then calls fail with
        /// `error::unauthenticated`.
        access_token token;
    };

    /// Reads a credential file and tells its kind from its content: an authorized-user
    /// file (token.json written by google-auth or by gapi, or gcloud's ADC file) or a
    /// service-account key. A token.json is rewritten when its token is refreshed.
    /// `scopes` are required for a service account and ignored otherwise. Only Python's
    /// token.json (no "type" member) is rewritten; gcloud's ADC file is left alone. A client
    /// secrets file, or any other kind, throws `credentials_error`.
    GAPI_DECL static credentials from_file(std::string const& path, std::vector<std::string> scopes = {});

    /// A user's credential from its values (such as the installed-app flow's result). With a
    /// `persist_path`, refreshed tokens (and a rotated refresh token) are written there as
    /// token.json; a failure to write does not fail the calls. No validation, no I/O.
    GAPI_DECL static credentials from_authorized_user(authorized_user_info info, std::string persist_path = {});
    /// A service account's credential, requesting `scopes` for every token and acting for
    /// `subject` when it is not empty. Throws `credentials_error` when `scopes` is empty.
    GAPI_DECL static credentials from_service_account(service_account_info info, std::vector<std::string> scopes,
                                                      std::string subject = {});
    /// An access token obtained elsewhere, valid until `expiry` (by default: as long as the
    /// API accepts it). It is never refreshed: once it expired, or once the API refused it
    /// (401), every call fails with `error::unauthenticated`. Throws `credentials_error`
    /// when `token` is empty.
    GAPI_DECL static credentials from_access_token(std::string token,
                                                   clock_type::time_point expiry = clock_type::time_point::max());

    /// Application default credentials: the file named by GOOGLE_APPLICATION_CREDENTIALS,
    /// else gcloud's well-known file ($CLOUDSDK_CONFIG or ~/.config/gcloud, then
    /// application_default_credentials.json). Throws `credentials_error` when neither exists.
    GAPI_DECL static credentials application_default(std::vector<std::string> scopes = {});

    /// The same service account acting for another user of its domain. Throws
    /// `credentials_error` when this is not a service account.
    GAPI_DECL credentials with_subject(std::string subject) const;

    /// The three kinds of credential.
    using variant_type = std::variant<authorized_user, service_account, static_token>;
    /// Which kind this is, with its values (`std::get_if<credentials::service_account>`).
    variant_type const& kind() const noexcept { return kind_; }

    /// The token endpoint this credential talks to (empty for a static token).
    GAPI_DECL std::string token_uri() const;

private:
    explicit credentials(variant_type kind) : kind_(std::move(kind)) {}
    variant_type kind_;
};

} // namespace gapi::auth

#ifdef GAPI_HEADER_ONLY
#include <gapi/auth/impl/credentials.ipp>
#endif

#endif
