// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_IMPL_CREDENTIALS_IPP
#define GAPI_AUTH_IMPL_CREDENTIALS_IPP

#include <gapi/auth/credentials.hpp>

#include <cstdlib>
#include <filesystem>

namespace gapi::auth {

GAPI_DECL credentials credentials::from_file(std::string const& path, std::vector<std::string> scopes) {
    auto const json = read_json_file(path);
    switch (detect_type(json)) {
    case credential_file_type::authorized_user: {
        // Python's token.json has no "type"; gcloud's ADC file says authorized_user and
        // belongs to gcloud, so only the former is rewritten with refreshed tokens.
        bool const is_token_file = !json.contains("type");
        return from_authorized_user(parse_authorized_user(json, path), is_token_file ? path : std::string());
    }
    case credential_file_type::service_account:
        return from_service_account(parse_service_account(json, path), std::move(scopes));
    case credential_file_type::client_secrets:
        throw credentials_error(make_error_code(error::invalid_credentials),
                                path + ": this is an OAuth client secrets file; run the installed-app flow "
                                       "(examples/authorize) to get a token file from it");
    case credential_file_type::unknown: break;
    }
    throw credentials_error(make_error_code(error::invalid_credentials),
                            path + ": not a credential file gapi knows (expected an authorized user token "
                                   "file or a service account key)");
}

GAPI_DECL credentials credentials::from_authorized_user(authorized_user_info info, std::string persist_path) {
    return credentials(authorized_user{std::move(info), std::move(persist_path)});
}

GAPI_DECL credentials credentials::from_service_account(service_account_info info, std::vector<std::string> scopes,
                                                        std::string subject) {
    if (scopes.empty())
        throw credentials_error(make_error_code(error::invalid_credentials),
                                info.client_email + ": a service account needs the scopes to request");
    return credentials(service_account{std::move(info), std::move(scopes), std::move(subject)});
}

GAPI_DECL credentials credentials::from_access_token(std::string token, clock_type::time_point expiry) {
    if (token.empty())
        throw credentials_error(make_error_code(error::invalid_credentials), "empty access token");
    return credentials(static_token{access_token{std::move(token), expiry, {}}});
}

GAPI_DECL credentials credentials::application_default(std::vector<std::string> scopes) {
    if (char const* env = std::getenv("GOOGLE_APPLICATION_CREDENTIALS"); env && *env)
        return from_file(env, std::move(scopes));
    std::filesystem::path dir;
    if (char const* config = std::getenv("CLOUDSDK_CONFIG"); config && *config)
        dir = config;
    else if (char const* home = std::getenv("HOME"); home && *home)
        dir = std::filesystem::path(home) / ".config" / "gcloud";
    auto const well_known = dir / "application_default_credentials.json";
    if (!dir.empty() && std::filesystem::exists(well_known))
        return from_file(well_known.string(), std::move(scopes));
    throw credentials_error(make_error_code(error::invalid_credentials),
                            "no application default credentials: set GOOGLE_APPLICATION_CREDENTIALS or run "
                            "'gcloud auth application-default login'");
}

GAPI_DECL credentials credentials::with_subject(std::string subject) const {
    auto const* sa = std::get_if<service_account>(&kind_);
    if (!sa)
        throw credentials_error(make_error_code(error::invalid_credentials),
                                "only a service account can act for another user");
    auto copy = *sa;
    copy.subject = std::move(subject);
    return credentials(std::move(copy));
}

GAPI_DECL std::string credentials::token_uri() const {
    if (auto const* user = std::get_if<authorized_user>(&kind_))
        return user->info.token_uri;
    if (auto const* sa = std::get_if<service_account>(&kind_))
        return sa->info.token_uri;
    return {};
}

} // namespace gapi::auth

#endif
