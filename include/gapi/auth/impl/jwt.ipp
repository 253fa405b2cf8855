// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_IMPL_JWT_IPP
#define GAPI_AUTH_IMPL_JWT_IPP

#include <gapi/auth/detail/crypto.hpp>
#include <gapi/auth/jwt.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/err.h>

#include <algorithm>
#include <cstdint>

namespace gapi::auth {

namespace detail {

struct evp_md_ctx_deleter {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

// RSASSA-PKCS1-v1_5 over SHA-256 (the default padding of an RSA key); empty on failure.
inline std::string sign_rs256(EVP_PKEY* key, std::string_view data) {
    std::unique_ptr<EVP_MD_CTX, evp_md_ctx_deleter> ctx(EVP_MD_CTX_new());
    std::string signature;
    std::size_t length = 0;
    ERR_set_mark();
    auto const* input = reinterpret_cast<unsigned char const*>(data.data());
    if (ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
        EVP_DigestSign(ctx.get(), nullptr, &length, input, data.size()) == 1) {
        signature.resize(length);
        if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, input,
                           data.size()) == 1)
            signature.resize(length);
        else
            signature.clear();
    }
    ERR_pop_to_mark();
    return signature;
}

} // namespace detail

GAPI_DECL std::string make_jwt_assertion(service_account_info const& info,
                                         std::span<std::string const> scopes, std::string_view subject,
                                         clock_type::time_point now, std::chrono::seconds lifetime) {
    std::string const who = "service account '" + info.client_email + "'";
    if (info.client_email.empty())
        throw credentials_error("service account: missing field 'client_email'");
    auto const key = detail::load_rsa_private_key(info.private_key_pem);
    if (!key)
        throw credentials_error(who + ": field 'private_key' is not a valid PEM RSA private key");

    boost::json::object header;
    header["alg"] = "RS256";
    header["typ"] = "JWT";
    if (!info.private_key_id.empty())
        header["kid"] = info.private_key_id;

    std::string scope;
    for (auto const& s : scopes) {
        if (!scope.empty())
            scope += ' ';
        scope += s;
    }
    // Google rejects exp - iat > 3600 ("Token must be a short-lived token").
    lifetime = std::clamp(lifetime, std::chrono::seconds(1), std::chrono::seconds(3600));
    std::int64_t const iat = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();

    boost::json::object claims;
    claims["iss"] = info.client_email;
    if (!scope.empty())
        claims["scope"] = scope;
    claims["aud"] = info.token_uri;
    claims["iat"] = iat;
    claims["exp"] = iat + lifetime.count();
    if (!subject.empty())
        claims["sub"] = subject;

    std::string assertion = detail::base64url_encode(boost::json::serialize(header));
    assertion += '.';
    assertion += detail::base64url_encode(boost::json::serialize(claims));
    auto const signature = detail::sign_rs256(key.get(), assertion);
    if (signature.empty())
        throw credentials_error(who + ": signing the JWT with field 'private_key' failed");
    assertion += '.';
    assertion += detail::base64url_encode(signature);
    return assertion;
}

} // namespace gapi::auth

#endif
