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

namespace gapi::auth {

/// A new token obtained from the token endpoint, as reported to a persistence hook.
struct token_update {
    access_token token;
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
        authorized_user_info info;
        /// When set, refreshed tokens are written back there in token.json format.
        std::string persist_path;
    };
    /// A service account signing its own JWT grants, optionally acting for `subject`
    /// (domain-wide delegation: send mail as any user of a Workspace domain).
    struct service_account {
        service_account_info info;
        std::vector<std::string> scopes;
        std::string subject;
    };
    /// An access token obtained elsewhere; never refreshed.
    struct static_token {
        access_token token;
    };

    /// Reads a credential file and tells its kind from its content: an authorized-user
    /// file (token.json written by google-auth or by gapi, or gcloud's ADC file) or a
    /// service-account key. A token.json is rewritten when its token is refreshed.
    /// `scopes` are required for a service account and ignored otherwise.
    GAPI_DECL static credentials from_file(std::string const& path, std::vector<std::string> scopes = {});

    GAPI_DECL static credentials from_authorized_user(authorized_user_info info, std::string persist_path = {});
    GAPI_DECL static credentials from_service_account(service_account_info info, std::vector<std::string> scopes,
                                                      std::string subject = {});
    GAPI_DECL static credentials from_access_token(std::string token,
                                                   clock_type::time_point expiry = clock_type::time_point::max());

    /// Application default credentials: the file named by GOOGLE_APPLICATION_CREDENTIALS,
    /// else gcloud's well-known file ($CLOUDSDK_CONFIG or ~/.config/gcloud, then
    /// application_default_credentials.json). Throws `credentials_error` when neither exists.
    GAPI_DECL static credentials application_default(std::vector<std::string> scopes = {});

    /// The same service account acting for another user of its domain.
    GAPI_DECL credentials with_subject(std::string subject) const;

    using variant_type = std::variant<authorized_user, service_account, static_token>;
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
