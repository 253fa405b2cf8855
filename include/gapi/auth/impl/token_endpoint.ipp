// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_IMPL_TOKEN_ENDPOINT_IPP
#define GAPI_AUTH_IMPL_TOKEN_ENDPOINT_IPP

#include <gapi/auth/token_endpoint.hpp>

#include <boost/json/parse.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <chrono>
#include <cstdint>

namespace gapi::auth {

namespace detail {

// application/x-www-form-urlencoded: everything but RFC 3986 unreserved characters is
// percent-encoded (so '+' in a secret stays '+', not a space), and spaces become '+'.
inline void append_form_field(std::string& body, std::string_view key, std::string_view value) {
    boost::urls::encoding_opts const form(true);
    if (!body.empty())
        body += '&';
    body += boost::urls::encode(key, boost::urls::unreserved_chars, form);
    body += '=';
    body += boost::urls::encode(value, boost::urls::unreserved_chars, form);
}

inline void append_form_field_if_set(std::string& body, std::string_view key, std::string_view value) {
    if (!value.empty())
        append_form_field(body, key, value);
}

inline std::string join_scopes(std::span<std::string const> scopes) {
    std::string out;
    for (auto const& s : scopes) {
        if (!out.empty())
            out += ' ';
        out += s;
    }
    return out;
}

inline std::vector<std::string> split_scopes(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto const space = text.find(' ');
        if (auto const piece = text.substr(0, space); !piece.empty())
            out.emplace_back(piece);
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    }
    return out;
}

// expires_in as google-auth reads it: a JSON number or a string of digits. Nullopt when
// it is anything else. Capped at ten years so that `now + expires_in` cannot overflow.
inline std::optional<std::int64_t> expires_in_seconds(boost::json::value const* v) {
    constexpr std::int64_t cap = 10LL * 366 * 24 * 3600;
    if (!v || v->is_null())
        return 3600;
    if (auto const* i = v->if_int64())
        return *i < 0 ? std::nullopt : std::optional<std::int64_t>(std::min(*i, cap));
    if (auto const* u = v->if_uint64())
        return static_cast<std::int64_t>(std::min<std::uint64_t>(*u, cap));
    if (auto const* d = v->if_double())
        return *d >= 0 ? std::optional<std::int64_t>(*d >= double(cap) ? cap : static_cast<std::int64_t>(*d))
                       : std::nullopt;
    if (auto const* s = v->if_string()) {
        if (s->empty() || s->size() > 18)
            return std::nullopt;
        std::int64_t value = 0;
        for (char c : *s) {
            if (c < '0' || c > '9')
                return std::nullopt;
            value = value * 10 + (c - '0');
        }
        return std::min(value, cap);
    }
    return std::nullopt;
}

inline std::string string_field(boost::json::object const& o, std::string_view key) {
    if (auto const* v = o.if_contains(key); v && v->is_string())
        return std::string(v->get_string());
    return {};
}

} // namespace detail

GAPI_DECL std::string refresh_grant_body(authorized_user_info const& info,
                                         std::span<std::string const> scopes) {
    std::string body;
    detail::append_form_field(body, "grant_type", "refresh_token");
    detail::append_form_field(body, "client_id", info.client_id);
    detail::append_form_field_if_set(body, "client_secret", info.client_secret);
    detail::append_form_field(body, "refresh_token", info.refresh_token);
    detail::append_form_field_if_set(body, "scope", detail::join_scopes(scopes));
    // A reauth proof lets Workspace accounts under reauth policies refresh without a prompt.
    detail::append_form_field_if_set(body, "rapt", info.rapt_token);
    return body;
}

GAPI_DECL std::string authorization_code_body(std::string_view code, client_secrets const& client,
                                              std::string_view redirect_uri, std::string_view code_verifier) {
    std::string body;
    detail::append_form_field(body, "grant_type", "authorization_code");
    detail::append_form_field(body, "code", code);
    detail::append_form_field(body, "client_id", client.client_id);
    detail::append_form_field_if_set(body, "client_secret", client.client_secret);
    detail::append_form_field(body, "redirect_uri", redirect_uri);
    detail::append_form_field_if_set(body, "code_verifier", code_verifier);
    return body;
}

GAPI_DECL std::string jwt_grant_body(std::string_view assertion) {
    std::string body;
    detail::append_form_field(body, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
    detail::append_form_field(body, "assertion", assertion);
    return body;
}

GAPI_DECL std::variant<token_grant, token_failure>
parse_token_response(unsigned status, std::string_view body, clock_type::time_point now,
                     std::span<std::string const> requested_scopes) {
    error_code ec;
    auto const json = boost::json::parse(body, ec);
    auto const* object = ec ? nullptr : json.if_object();

    if (status >= 200 && status < 300) {
        auto const malformed = [](std::string description) {
            return token_failure{
                make_error_code(error::malformed_token_response), {}, std::move(description), false};
        };
        if (!object)
            return malformed("the token endpoint's answer is not a JSON object");
        auto value = detail::string_field(*object, "access_token");
        if (value.empty())
            return malformed("the token endpoint's answer has no access_token");
        auto const expires_in = detail::expires_in_seconds(object->if_contains("expires_in"));
        if (!expires_in)
            return malformed("the token endpoint's answer has an invalid expires_in");

        token_grant grant;
        grant.token.value = std::move(value);
        grant.token.expiry = now + std::chrono::seconds(*expires_in);
        if (auto const granted = detail::split_scopes(detail::string_field(*object, "scope"));
            !granted.empty())
            grant.token.scopes = granted;
        else
            grant.token.scopes.assign(requested_scopes.begin(), requested_scopes.end());
        if (auto refresh = detail::string_field(*object, "refresh_token"); !refresh.empty())
            grant.refresh_token = std::move(refresh);
        return grant;
    }

    token_failure failure{make_error_code(error::token_endpoint_error), {}, {}, false};
    if (object) {
        if (auto const* e = object->if_contains("error"); e && e->is_string()) {
            // RFC 6749 §5.2: {"error": "invalid_grant", "error_description": "..."}
            failure.oauth_error = e->get_string();
            failure.description = detail::string_field(*object, "error_description");
        } else if (e && e->is_object()) {
            // Google's API error shape, which its front ends use for some failures.
            failure.oauth_error = detail::string_field(e->get_object(), "status");
            failure.description = detail::string_field(e->get_object(), "message");
        }
    }

    if (failure.oauth_error == "invalid_grant") {
        failure.code = make_error_code(error::reauthorization_required);
        return failure;
    }
    if (failure.oauth_error == "invalid_client" || failure.oauth_error == "unauthorized_client") {
        failure.code = make_error_code(error::invalid_client);
        return failure;
    }
    // google-auth's rule (its list of statuses, plus 502 that proxies answer for a
    // passing fault; every grant but an authorization code may be sent again).
    auto const transient = [](std::string_view s) {
        return s == "internal_failure" || s == "server_error" || s == "temporarily_unavailable";
    };
    failure.retryable = status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
                        status == 504 || transient(failure.oauth_error) || transient(failure.description);
    return failure;
}

} // namespace gapi::auth

#endif
