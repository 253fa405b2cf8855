// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_IMPL_AUTHORIZATION_URL_IPP
#define GAPI_AUTH_IMPL_AUTHORIZATION_URL_IPP

#include <gapi/auth/authorization_url.hpp>
#include <gapi/auth/detail/crypto.hpp>
#include <gapi/http/url.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <array>
#include <utility>

namespace gapi::auth {

GAPI_DECL std::string make_code_verifier() {
    return detail::random_string(128, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");
}

GAPI_DECL std::string code_challenge_s256(std::string_view verifier) {
    return detail::base64url_encode(detail::sha256(verifier));
}

GAPI_DECL std::string make_state() {
    std::array<unsigned char, 24> bytes{};
    detail::random_bytes(bytes);
    return detail::base64url_encode(
        std::string_view(reinterpret_cast<char const*>(bytes.data()), bytes.size()));
}

GAPI_DECL std::string authorization_url(client_secrets const& client, std::string_view redirect_uri,
                                        std::span<std::string const> scopes, std::string_view state,
                                        std::string_view code_challenge, std::string_view login_hint) {
    auto parsed = boost::urls::parse_absolute_uri(client.auth_uri);
    if (!parsed)
        throw credentials_error("client secrets: field 'auth_uri' is not a URL");
    boost::urls::url url(*parsed);

    std::string scope;
    for (auto const& s : scopes) {
        if (!scope.empty())
            scope += ' ';
        scope += s;
    }
    std::pair<std::string_view, std::string_view> const params[] = {
        {"response_type", "code"},
        {"client_id", client.client_id},
        {"redirect_uri", redirect_uri},
        {"scope", scope},
        {"state", state},
        {"code_challenge", code_challenge},
        {"code_challenge_method", code_challenge.empty() ? std::string_view() : "S256"},
        {"access_type", "offline"},
        // Google returns a refresh token only for a grant that shows the consent screen;
        // without it a second run of the flow would get an access token alone.
        {"prompt", "consent"},
        {"login_hint", login_hint},
    };
    auto query = url.encoded_params();
    for (auto const& [key, value] : params)
        query.erase(key);
    // A login_hint such as "jo+news@example.com" must arrive intact: see append_query.
    for (auto const& [key, value] : params)
        if (!value.empty())
            http::append_query(url, key, value);
    return std::string(url.buffer());
}

} // namespace gapi::auth

#endif
