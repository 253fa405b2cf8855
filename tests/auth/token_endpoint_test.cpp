// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/auth/authorization_url.hpp>
#include <gapi/auth/detail/crypto.hpp>
#include <gapi/auth/jwt.hpp>
#include <gapi/auth/token.hpp>
#include <gapi/auth/token_endpoint.hpp>

#include "auth_test_support.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

using namespace std::chrono_literals;
using gapi::auth::access_token;
using gapi::auth::clock_type;
using gapi::auth::token_failure;
using gapi::auth::token_grant;
using gapi_test::rsa_key;

namespace {

// Decoded fields as "key=value", which Boost.Test can print.
using fields = std::vector<std::string>;

// A form body or query decoded the way a server reads it ('+' is a space).
fields decode_form(std::string_view body) {
    fields out;
    for (auto const& p : boost::urls::params_view(body, boost::urls::encoding_opts(true)))
        out.push_back(p.key + "=" + p.value);
    return out;
}

fields decode_query(boost::urls::url_view const& url) {
    fields out;
    for (auto const& p : url.params())
        out.push_back(p.key + "=" + p.value);
    return out;
}

gapi::auth::service_account_info service_account(std::string pem = rsa_key().pkcs8_pem) {
    gapi::auth::service_account_info info;
    info.client_email = "robot@proj.iam.gserviceaccount.com";
    info.private_key_pem = std::move(pem);
    info.private_key_id = "268f54e43a1af97cfc71731688434f45aca15c8b";
    info.token_uri = "http://127.0.0.1:8443/token";
    return info;
}

bool verify_rs256(std::string_view signing_input, std::string_view signature) {
    std::unique_ptr<BIO, gapi_test::bio_free> bio(
        BIO_new_mem_buf(rsa_key().public_pem.data(), static_cast<int>(rsa_key().public_pem.size())));
    gapi_test::pkey_ptr pub(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    BOOST_TEST_REQUIRE(pub != nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool const ok =
        EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub.get()) == 1 &&
        EVP_DigestVerify(ctx, reinterpret_cast<unsigned char const*>(signature.data()), signature.size(),
                         reinterpret_cast<unsigned char const*>(signing_input.data()),
                         signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

struct decoded_jwt {
    boost::json::object header, claims;
    bool signature_valid = false;
};

decoded_jwt decode_jwt(std::string const& jwt) {
    auto const first = jwt.find('.');
    auto const second = jwt.find('.', first + 1);
    BOOST_TEST_REQUIRE(second != std::string::npos);
    BOOST_TEST(jwt.find('.', second + 1) == std::string::npos);
    BOOST_TEST(jwt.find('=') == std::string::npos); // no padding anywhere
    auto const header = gapi::auth::detail::base64url_decode(std::string_view(jwt).substr(0, first));
    auto const claims =
        gapi::auth::detail::base64url_decode(std::string_view(jwt).substr(first + 1, second - first - 1));
    auto const signature = gapi::auth::detail::base64url_decode(std::string_view(jwt).substr(second + 1));
    BOOST_TEST_REQUIRE((header && claims && signature));
    return {boost::json::parse(*header).as_object(), boost::json::parse(*claims).as_object(),
            verify_rs256(std::string_view(jwt).substr(0, second), *signature)};
}

// By value: the variant is usually a temporary.
template <class T>
T expect(std::variant<token_grant, token_failure> const& v) {
    BOOST_TEST_REQUIRE(std::holds_alternative<T>(v));
    return std::get<T>(v);
}

} // namespace

BOOST_AUTO_TEST_SUITE(auth_protocol)

BOOST_AUTO_TEST_CASE(access_token_expiry_margin) {
    auto const now = clock_type::time_point(1'800'000'000s);
    access_token t{"v", now + 10min, {}};
    BOOST_TEST(!t.expires_within(225s, now));
    BOOST_TEST(t.expires_within(10min, now)); // inclusive
    BOOST_TEST(t.expires_within(0s, now + 10min));
    BOOST_TEST(t.expires_within(0s, now + 11min));
    BOOST_TEST(!access_token{"v"}.expires_within(24h * 365 * 100, now)); // max: never
    BOOST_TEST((access_token{"v", clock_type::time_point::min()}.expires_within(0s, now)));
    BOOST_TEST(
        (access_token{"v", clock_type::time_point::min()}.expires_within(clock_type::duration::max(), now)));
}

BOOST_AUTO_TEST_CASE(base64url_known_vectors) {
    using gapi::auth::detail::base64url_decode;
    using gapi::auth::detail::base64url_encode;
    BOOST_TEST(base64url_encode("") == "");
    BOOST_TEST(base64url_encode("f") == "Zg");
    BOOST_TEST(base64url_encode("fo") == "Zm8");
    BOOST_TEST(base64url_encode("foo") == "Zm9v");
    BOOST_TEST(base64url_encode("foobar") == "Zm9vYmFy");
    BOOST_TEST(base64url_encode("\xfb\xff\xbf") == "-_-_");
    BOOST_TEST(base64url_decode("-_-_").value() == "\xfb\xff\xbf");
    BOOST_TEST(base64url_decode("Zm8").value() == "fo");
    BOOST_TEST(base64url_decode("Zm8=").value() == "fo");
    BOOST_TEST(base64url_decode("").value() == "");
    BOOST_TEST(!base64url_decode("Zm8+").has_value());
    BOOST_TEST(!base64url_decode("Z").has_value());
    BOOST_TEST(!base64url_decode("Zm 8").has_value());
    std::string bytes;
    for (int i = 0; i < 2000; ++i)
        bytes += static_cast<char>(i * 7);
    BOOST_TEST((base64url_decode(base64url_encode(bytes)).value() == bytes));
    // Every length up to 3 blocks and every byte value, against OpenSSL's base64 made url-safe.
    for (std::size_t length = 0; length <= 300; ++length) {
        auto const input = std::string_view(bytes).substr(length, length);
        std::string reference(4 * ((length + 2) / 3) + 1, '\0');
        int const written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(reference.data()),
                                            reinterpret_cast<unsigned char const*>(input.data()), static_cast<int>(length));
        reference.resize(static_cast<std::size_t>(written));
        while (!reference.empty() && reference.back() == '=')
            reference.pop_back();
        std::replace(reference.begin(), reference.end(), '+', '-');
        std::replace(reference.begin(), reference.end(), '/', '_');
        std::string appended = "prefix";
        gapi::auth::detail::append_base64url(appended, input);
        BOOST_TEST(base64url_encode(input) == reference, "length " << length);
        BOOST_TEST(appended == "prefix" + reference, "length " << length);
    }
}

BOOST_AUTO_TEST_CASE(base64url_writes_every_twelve_bit_value_as_openssl_does) {
    // The encoder writes each half of a 3-byte group from a table of 4,096 pairs: groups
    // whose halves run through every 12-bit value, each against OpenSSL's base64.
    std::string groups;
    for (std::uint32_t v = 0; v < 4096; ++v) {
        std::uint32_t const n = (v << 12) | (4095 - v);
        groups += static_cast<char>(n >> 16);
        groups += static_cast<char>((n >> 8) & 0xFF);
        groups += static_cast<char>(n & 0xFF);
    }
    std::string reference(4 * (groups.size() / 3) + 1, '\0');
    int const written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(reference.data()),
                                        reinterpret_cast<unsigned char const*>(groups.data()),
                                        static_cast<int>(groups.size()));
    reference.resize(static_cast<std::size_t>(written));
    std::replace(reference.begin(), reference.end(), '+', '-');
    std::replace(reference.begin(), reference.end(), '/', '_');
    BOOST_TEST(gapi::auth::detail::base64url_encode(groups) == reference);
}

BOOST_AUTO_TEST_CASE(refresh_grant_body_is_form_encoded) {
    gapi::auth::authorized_user_info info;
    info.client_id = "1234-abc.apps.googleusercontent.com";
    info.client_secret = "GOCSPX-a+b/c=d e&f";
    info.refresh_token = "1//0gAbC-d_e";
    BOOST_TEST(gapi::auth::refresh_grant_body(info, {}) ==
               "grant_type=refresh_token&client_id=1234-abc.apps.googleusercontent.com"
               "&client_secret=GOCSPX-a%2Bb%2Fc%3Dd+e%26f&refresh_token=1%2F%2F0gAbC-d_e");

    info.rapt_token = "rapt1";
    std::vector<std::string> const scopes{"https://www.googleapis.com/auth/gmail.send", "openid"};
    BOOST_TEST(decode_form(gapi::auth::refresh_grant_body(info, scopes)) ==
                   (fields{"grant_type=refresh_token", "client_id=" + info.client_id,
                           "client_secret=" + info.client_secret, "refresh_token=" + info.refresh_token,
                           "scope=https://www.googleapis.com/auth/gmail.send openid", "rapt=rapt1"}),
               boost::test_tools::per_element());

    info.client_secret.clear(); // a public client sends none
    info.rapt_token.clear();
    BOOST_TEST(gapi::auth::refresh_grant_body(info, {}).find("client_secret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(authorization_code_and_jwt_bodies) {
    gapi::auth::client_secrets client;
    client.client_id = "cid";
    client.client_secret = "GOCSPX-s";
    BOOST_TEST(gapi::auth::authorization_code_body("4/0AY0e-g7 x", client, "http://127.0.0.1:43123/",
                                                   "verifier~._-") ==
               "grant_type=authorization_code&code=4%2F0AY0e-g7+x&client_id=cid&client_secret=GOCSPX-s"
               "&redirect_uri=http%3A%2F%2F127.0.0.1%3A43123%2F&code_verifier=verifier~._-");
    BOOST_TEST(decode_form(gapi::auth::authorization_code_body("c", client, "http://localhost", "")) ==
                   (fields{"grant_type=authorization_code", "code=c", "client_id=cid",
                           "client_secret=GOCSPX-s", "redirect_uri=http://localhost"}),
               boost::test_tools::per_element());
    BOOST_TEST(gapi::auth::jwt_grant_body("aaa.bbb.ccc") ==
               "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=aaa.bbb.ccc");
}

BOOST_AUTO_TEST_CASE(jwt_assertion_is_signed_rs256_with_exact_claims) {
    auto const now = clock_type::time_point(1'800'000'000s + 750ms);
    std::vector<std::string> const scopes{"https://www.googleapis.com/auth/gmail.send",
                                          "https://www.googleapis.com/auth/calendar"};
    auto const jwt = decode_jwt(gapi::auth::make_jwt_assertion(service_account(), scopes, {}, now));
    BOOST_TEST(jwt.signature_valid);
    BOOST_TEST(boost::json::serialize(jwt.header) ==
               R"({"alg":"RS256","typ":"JWT","kid":"268f54e43a1af97cfc71731688434f45aca15c8b"})");
    BOOST_TEST(
        boost::json::serialize(jwt.claims) ==
        R"({"iss":"robot@proj.iam.gserviceaccount.com",)"
        R"("scope":"https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/calendar",)"
        R"("aud":"http://127.0.0.1:8443/token","iat":1800000000,"exp":1800003600})");
    BOOST_TEST(!jwt.claims.contains("sub"));
}

BOOST_AUTO_TEST_CASE(jwt_subject_lifetime_and_pkcs1_key) {
    auto const now = clock_type::time_point(1'800'000'000s);
    std::vector<std::string> const scopes{"s"};
    auto info = service_account(rsa_key().pkcs1_pem);
    info.private_key_id.clear();

    auto const delegated =
        decode_jwt(gapi::auth::make_jwt_assertion(info, scopes, "alice@example.com", now, 600s));
    BOOST_TEST(delegated.signature_valid);
    BOOST_TEST(boost::json::serialize(delegated.header) == R"({"alg":"RS256","typ":"JWT"})");
    BOOST_TEST(delegated.claims.at("sub").as_string() == "alice@example.com");
    BOOST_TEST(delegated.claims.at("exp").as_int64() - delegated.claims.at("iat").as_int64() == 600);

    // Google refuses exp - iat > 3600, so longer lifetimes are cut to an hour.
    auto const clamped = decode_jwt(gapi::auth::make_jwt_assertion(info, scopes, {}, now, 7200s));
    BOOST_TEST(clamped.claims.at("exp").as_int64() - clamped.claims.at("iat").as_int64() == 3600);
    BOOST_TEST(!clamped.claims.contains("sub"));
}

BOOST_AUTO_TEST_CASE(jwt_with_a_bad_key_throws_without_the_key) {
    std::vector<std::string> const scopes{"s"};
    for (auto const& pem :
         {std::string("-----BEGIN PRIVATE KEY-----\nMIIEvSECRET\n-----END PRIVATE KEY-----\n"),
          gapi_test::ec_key_pem(), rsa_key().encrypted_pem}) {
        auto const message = gapi_test::credentials_error_of(
            [&] { gapi::auth::make_jwt_assertion(service_account(pem), scopes, {}, clock_type::now()); });
        BOOST_TEST(message == "service account 'robot@proj.iam.gserviceaccount.com': field 'private_key' is "
                              "not a valid PEM RSA "
                              "private key");
        BOOST_TEST(message.find("MII") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(pkce_challenge_matches_rfc_7636_appendix_b) {
    BOOST_TEST(gapi::auth::code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
               "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

BOOST_AUTO_TEST_CASE(verifier_and_state_are_random_and_url_safe) {
    std::string const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    std::set<std::string> seen;
    std::set<char> used;
    for (int i = 0; i < 50; ++i) {
        auto const verifier = gapi::auth::make_code_verifier();
        BOOST_TEST(verifier.size() == 128u);
        BOOST_TEST(verifier.find_first_not_of(unreserved) == std::string::npos);
        used.insert(verifier.begin(), verifier.end());
        seen.insert(verifier);
        auto const state = gapi::auth::make_state();
        BOOST_TEST(state.size() == 32u);
        BOOST_TEST(state.find_first_not_of(unreserved) == std::string::npos);
        seen.insert(state);
    }
    BOOST_TEST(seen.size() == 100u);
    BOOST_TEST(used.size() == unreserved.size()); // 6400 draws reach all 66 characters
}

BOOST_AUTO_TEST_CASE(authorization_url_parses_back) {
    gapi::auth::client_secrets client;
    client.client_id = "1234-abc.apps.googleusercontent.com";
    std::vector<std::string> const scopes{"https://www.googleapis.com/auth/gmail.send",
                                          "https://www.googleapis.com/auth/calendar"};
    auto const text = gapi::auth::authorization_url(client, "http://127.0.0.1:43123/", scopes, "st4te",
                                                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    auto const url = boost::urls::parse_absolute_uri(text);
    BOOST_TEST_REQUIRE(url.has_value());
    BOOST_TEST(url->scheme() == "https");
    BOOST_TEST(url->host() == "accounts.google.com");
    BOOST_TEST(url->path() == "/o/oauth2/auth");
    BOOST_TEST(
        decode_query(*url) ==
            (fields{
                "response_type=code", "client_id=" + client.client_id, "redirect_uri=http://127.0.0.1:43123/",
                "scope=https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/calendar",
                "state=st4te", "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method=S256", "access_type=offline", "prompt=consent"}),
        boost::test_tools::per_element());
    BOOST_TEST(text.find(' ') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(authorization_url_keeps_auth_uri_query_and_plus_signs) {
    gapi::auth::client_secrets client;
    client.client_id = "cid";
    client.auth_uri = "http://127.0.0.1:9999/o/oauth2/v2/auth?prompt=consent&access_type=online";
    std::vector<std::string> const scopes{"a"};
    auto const text = gapi::auth::authorization_url(client, "http://localhost:8080/", scopes, "s", "c",
                                                    "jo+news@example.com");
    auto const url = boost::urls::parse_absolute_uri(text);
    BOOST_TEST_REQUIRE(url.has_value());
    BOOST_TEST(url->port_number() == 9999);
    auto const params = decode_query(*url);
    BOOST_TEST(params == (fields{"response_type=code", "client_id=cid",
                                 "redirect_uri=http://localhost:8080/", "scope=a", "state=s",
                                 "code_challenge=c", "code_challenge_method=S256", "access_type=offline",
                                 "prompt=consent", "login_hint=jo+news@example.com"}),
               boost::test_tools::per_element());

    client.auth_uri = "not a url";
    BOOST_TEST(gapi_test::credentials_error_of([&] {
                   gapi::auth::authorization_url(client, "http://localhost/", scopes, "s", "c");
               }) == "client secrets: field 'auth_uri' is not a URL");
}

BOOST_AUTO_TEST_CASE(token_response_success) {
    auto const now = clock_type::time_point(1'800'000'000s);
    std::vector<std::string> const requested{"a", "b"};
    auto const full = expect<token_grant>(gapi::auth::parse_token_response(
        200,
        R"({"access_token": "ya29.a0", "expires_in": 3599, "refresh_token": "1//0g", "scope": "b  a",
            "token_type": "Bearer", "id_token": "eyJ"})",
        now, requested));
    BOOST_TEST(full.token.value == "ya29.a0");
    BOOST_TEST((full.token.expiry == now + 3599s));
    BOOST_TEST(full.token.scopes == (std::vector<std::string>{"b", "a"}), boost::test_tools::per_element());
    BOOST_TEST(full.refresh_token.value() == "1//0g");

    auto const as_string = expect<token_grant>(gapi::auth::parse_token_response(
        200, R"({"access_token": "t", "expires_in": "120"})", now, requested));
    BOOST_TEST((as_string.token.expiry == now + 120s));
    BOOST_TEST(as_string.token.scopes == requested, boost::test_tools::per_element());
    BOOST_TEST(!as_string.refresh_token.has_value());

    auto const missing =
        expect<token_grant>(gapi::auth::parse_token_response(200, R"({"access_token": "t"})", now, {}));
    BOOST_TEST((missing.token.expiry == now + 3600s));
    BOOST_TEST(missing.token.scopes.empty());

    auto const fractional = expect<token_grant>(
        gapi::auth::parse_token_response(200, R"({"access_token": "t", "expires_in": 59.9})", now, {}));
    BOOST_TEST((fractional.token.expiry == now + 59s));
}

BOOST_AUTO_TEST_CASE(token_response_malformed) {
    auto const now = clock_type::now();
    for (auto const* body :
         {"", "<html>oops</html>", "[]", R"({"token_type": "Bearer"})", R"({"access_token": ""})",
          R"({"access_token": 5})", R"({"access_token": "t", "expires_in": -1})",
          R"({"access_token": "t", "expires_in": "soon"})", R"({"access_token": "t", "expires_in": true})"}) {
        auto const failure = expect<token_failure>(gapi::auth::parse_token_response(200, body, now, {}));
        BOOST_TEST((failure.code == gapi::error::malformed_token_response), body);
        BOOST_TEST((failure.code == gapi::condition::malformed_response));
        BOOST_TEST(!failure.retryable);
    }
}

BOOST_AUTO_TEST_CASE(token_response_errors_are_classified) {
    auto const now = clock_type::now();
    auto const failure_of = [&](unsigned status, std::string_view body) {
        return expect<token_failure>(gapi::auth::parse_token_response(status, body, now, {}));
    };

    auto const revoked = failure_of(
        400, R"({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})");
    BOOST_TEST((revoked.code == gapi::error::reauthorization_required));
    BOOST_TEST((revoked.code == gapi::condition::unauthenticated));
    BOOST_TEST(revoked.oauth_error == "invalid_grant");
    BOOST_TEST(revoked.description == "Token has been expired or revoked.");
    BOOST_TEST(!revoked.retryable);

    auto const client =
        failure_of(401, R"({"error": "invalid_client", "error_description": "Unauthorized"})");
    BOOST_TEST((client.code == gapi::error::invalid_client));
    BOOST_TEST(!client.retryable);
    auto const delegation =
        failure_of(401, R"({"error": "unauthorized_client", "error_description": "Client is unauthorized"})");
    BOOST_TEST((delegation.code == gapi::error::invalid_client));
    BOOST_TEST(delegation.oauth_error == "unauthorized_client");

    for (auto const* error :
         {"invalid_scope", "redirect_uri_mismatch", "invalid_request", "unsupported_grant_type"}) {
        auto const other = failure_of(400, R"({"error": ")" + std::string(error) + R"("})");
        BOOST_TEST((other.code == gapi::error::token_endpoint_error));
        BOOST_TEST(other.oauth_error == error);
        BOOST_TEST(!other.retryable);
    }

    for (unsigned status : {408u, 429u, 500u, 502u, 503u, 504u}) {
        auto const transient = failure_of(status, "<html>busy</html>");
        BOOST_TEST((transient.code == gapi::error::token_endpoint_error));
        BOOST_TEST(transient.retryable, status);
    }
    BOOST_TEST(!failure_of(501, "").retryable);
    BOOST_TEST(!failure_of(404, "Not Found").retryable);
    BOOST_TEST(!failure_of(302, "").retryable);
    BOOST_TEST(failure_of(400, R"({"error": "temporarily_unavailable"})").retryable);
    BOOST_TEST(failure_of(400, R"({"error": "x", "error_description": "internal_failure"})").retryable);
    BOOST_TEST(failure_of(400, R"({"error": "server_error"})").retryable);

    // Google's API error shape from a front end.
    auto const google =
        failure_of(503, R"({"error": {"code": 503, "message": "The service is currently unavailable.",
                                                      "status": "UNAVAILABLE"}})");
    BOOST_TEST(google.oauth_error == "UNAVAILABLE");
    BOOST_TEST(google.description == "The service is currently unavailable.");
    BOOST_TEST(google.retryable);

    // invalid_grant is final whatever the status says.
    BOOST_TEST(!failure_of(503, R"({"error": "invalid_grant"})").retryable);
}

BOOST_AUTO_TEST_SUITE_END()
