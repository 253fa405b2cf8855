// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// Every emulator endpoint on the wire that wire_test.cpp does not cover: requests are
// written by hand and sent through the plain blocking client (not gapi's), and each
// endpoint's success path and error paths are checked against Google's behaviour
// (status, error.status for Gmail, errors[0].reason, and the message where Google's
// text is known). PKCE challenges and service-account JWTs are computed here with
// OpenSSL and a base64url of the test's own, so the emulator's helpers are not trusted.
#include "wire_support.hpp"
#include "../support/raw_http.hpp"

#include <gapi/emulator/api.hpp>
#include <gapi/emulator/emulator.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace gapi::emulator;
using gapi_test::form_encode;
using gapi_test::raw_client;
using gapi_test::raw_response;
using gapi_test::wire::raw_message;
using gapi_test::wire::send_body;
using gapi_test::wire::send_path;
using gapi_test::wire::wire_fixture;
namespace json = boost::json;

namespace {

using headers_map = std::map<std::string, std::string>;

// ---- encodings and crypto of the test's own ----------------------------------------------------

/// base64url without padding (RFC 4648 §5), as PKCE and JWTs use it.
std::string b64url(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t const n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int shift : {18, 12, 6, 0})
            out.push_back(alphabet[(n >> shift) & 63]);
    }
    if (bytes.size() - i == 1) {
        std::uint32_t const n = byte(i) << 16;
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
    } else if (bytes.size() - i == 2) {
        std::uint32_t const n = byte(i) << 16 | byte(i + 1) << 8;
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(alphabet[(n >> 6) & 63]);
    }
    return out;
}

/// Decodes base64 or base64url, padded or not; "<invalid>" on any other character.
std::string b64_decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char ch : text) {
        std::uint32_t v = 0;
        if (ch >= 'A' && ch <= 'Z')
            v = static_cast<std::uint32_t>(ch - 'A');
        else if (ch >= 'a' && ch <= 'z')
            v = static_cast<std::uint32_t>(ch - 'a' + 26);
        else if (ch >= '0' && ch <= '9')
            v = static_cast<std::uint32_t>(ch - '0' + 52);
        else if (ch == '-' || ch == '+')
            v = 62;
        else if (ch == '_' || ch == '/')
            v = 63;
        else if (ch == '=')
            break;
        else
            return "<invalid>";
        buffer = buffer << 6 | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
            buffer &= (1u << bits) - 1;
        }
    }
    return out;
}

std::string sha256(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    BOOST_TEST_REQUIRE(EVP_Digest(data.data(), data.size(), md, &size, EVP_sha256(), nullptr) == 1);
    return std::string(reinterpret_cast<char const*>(md), size);
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256") with a PEM private key.
std::string sign_rs256(std::string const& pem, std::string_view data) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                  &BIO_free);
    BOOST_TEST_REQUIRE(bool(bio));
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    BOOST_TEST_REQUIRE(bool(key));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    BOOST_TEST_REQUIRE(bool(ctx));
    BOOST_TEST_REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1);
    auto const* in = reinterpret_cast<unsigned char const*>(data.data());
    std::size_t size = 0;
    BOOST_TEST_REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &size, in, data.size()) == 1);
    std::string signature(size, '\0');
    BOOST_TEST_REQUIRE(
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, in, data.size()) == 1);
    signature.resize(size);
    return signature;
}

struct service_account {
    std::string email, key_id, private_key, token_uri;
};

service_account service_account_of(wire_fixture& f) {
    auto const sa = f.google.with_state([](emulator_state& s) { return s.oauth.service_account_json(); });
    return {std::string(sa.at("client_email").as_string()), std::string(sa.at("private_key_id").as_string()),
            std::string(sa.at("private_key").as_string()), std::string(sa.at("token_uri").as_string())};
}

/// A signed service-account assertion: header with kid, the claims as given.
std::string make_jwt(service_account const& sa, json::object const& claims) {
    json::object const header{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", sa.key_id}};
    auto const signing_input = b64url(json::serialize(header)) + "." + b64url(json::serialize(claims));
    return signing_input + "." + b64url(sign_rs256(sa.private_key, signing_input));
}

std::int64_t epoch_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

raw_response jwt_grant(raw_client& c, std::string const& assertion) {
    return c.post_form("/token", "grant_type=" + form_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
                                     "&assertion=" + form_encode(assertion));
}

// ---- reading responses ---------------------------------------------------------------------------

std::string str(json::value const& v) {
    return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

/// The decoded query parameters of a URI (first value of each).
std::map<std::string, std::string> query_of(std::string const& uri) {
    std::map<std::string, std::string> out;
    auto const parsed = boost::urls::parse_uri_reference(uri);
    BOOST_TEST_REQUIRE(parsed.has_value(), uri);
    for (auto const& p : parsed->params())
        out.emplace(p.key, p.value);
    return out;
}

headers_map bearer(std::string const& token) {
    return {{"Authorization", "Bearer " + token}};
}

headers_map bearer_json(std::string const& token) {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

/// The ids of a messages.list (or drafts.list) page, in order.
std::vector<std::string> ids_of(json::object const& page, char const* key = "messages") {
    std::vector<std::string> ids;
    if (auto const* list = page.if_contains(key))
        for (auto const& item : list->as_array())
            ids.push_back(str(item.as_object().at("id")));
    return ids;
}

std::set<std::string> set_of(std::vector<std::string> const& v) {
    return {v.begin(), v.end()};
}

/// The value of a header in a Gmail payload's headers array; "<absent>" when missing.
std::string payload_header(json::object const& payload, std::string_view name) {
    for (auto const& h : payload.at("headers").as_array())
        if (h.as_object().at("name").as_string() == name)
            return str(h.as_object().at("value"));
    return "<absent>";
}

/// One part of a batch response.
struct part_reply {
    std::string content_id;
    unsigned status = 0;
    std::string body;
    json::object body_json() const {
        boost::system::error_code ec;
        auto v = json::parse(body, ec);
        return !ec && v.is_object() ? v.as_object() : json::object{};
    }
};

/// Splits a multipart/mixed batch response at the boundary its Content-Type names.
std::vector<part_reply> batch_replies(raw_response const& r) {
    auto const content_type = std::string(r.headers["Content-Type"]);
    auto const at = content_type.find("boundary=");
    BOOST_TEST_REQUIRE(content_type.starts_with("multipart/mixed"), content_type);
    BOOST_TEST_REQUIRE(at != std::string::npos);
    std::string const delimiter = "--" + content_type.substr(at + 9);
    std::vector<part_reply> out;
    auto pos = r.body.find(delimiter);
    while (pos != std::string::npos) {
        pos += delimiter.size();
        if (r.body.compare(pos, 2, "--") == 0)
            break;
        auto const next = r.body.find("\r\n" + delimiter, pos);
        std::string const part = r.body.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        part_reply reply;
        if (auto const id = part.find("Content-ID: "); id != std::string::npos)
            reply.content_id = part.substr(id + 12, part.find("\r\n", id) - id - 12);
        auto const http = part.find("\r\n\r\nHTTP/1.1 ");
        BOOST_TEST_REQUIRE(http != std::string::npos, part);
        reply.status = static_cast<unsigned>(std::stoul(part.substr(http + 13, 3)));
        auto const blank = part.find("\r\n\r\n", http + 4);
        reply.body = blank == std::string::npos ? std::string() : part.substr(blank + 4);
        out.push_back(std::move(reply));
        pos = next == std::string::npos ? next : next + 2;
    }
    return out;
}

std::string batch_item(std::string const& boundary, std::string const& content_id, std::string const& request) {
    return "--" + boundary + "\r\nContent-Type: application/http\r\nContent-ID: " + content_id + "\r\n\r\n" +
           request + "\r\n";
}

std::string const event_json =
    R"({"id":"evt0123456789abcdef","summary":"Wire review","description":"first",)"
    R"("start":{"dateTime":"2026-05-01T10:00:00+02:00"},"end":{"dateTime":"2026-05-01T11:00:00+02:00"}})";

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_wire_endpoints)

// ---- OAuth ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(oauth_authorization_code_with_pkce_consent_and_revocation) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const client_id = f.client_id();
    auto const client_secret = f.client_secret();
    std::string const redirect_uri = "http://127.0.0.1:8765/callback";
    std::string const scope = "https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/calendar";
    // RFC 7636 appendix B: the test's own SHA-256 + base64url must give the RFC's challenge.
    std::string const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    auto const challenge = b64url(sha256(verifier));
    BOOST_TEST(challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    std::string const state = "st+a/te&x=1 y"; // echoed back verbatim, however it has to be escaped

    auto authorize = [&](std::string const& redirect = "") {
        return c.get("/o/oauth2/auth?client_id=" + form_encode(client_id) + "&redirect_uri=" +
                     form_encode(redirect.empty() ? redirect_uri : redirect) + "&response_type=code&scope=" +
                     form_encode(scope) + "&code_challenge=" + challenge +
                     "&code_challenge_method=S256&access_type=offline&state=" + form_encode(state));
    };
    auto code_of = [&](raw_response const& r) {
        BOOST_TEST_REQUIRE(r.status == 302u, r.body);
        auto const location = std::string(r.headers["Location"]);
        BOOST_TEST_REQUIRE(location.starts_with(redirect_uri + "?"), location);
        auto q = query_of(location);
        BOOST_TEST(q["state"] == state);
        BOOST_TEST(q["scope"] == scope);
        BOOST_TEST(!q.contains("error"));
        BOOST_TEST_REQUIRE(q["code"].starts_with("4/"), location);
        return q["code"];
    };
    auto exchange = [&](std::string const& code, std::string const& code_verifier,
                        std::string const& redirect = "") {
        return c.post_form("/token", "grant_type=authorization_code&code=" + form_encode(code) +
                                         "&client_id=" + form_encode(client_id) + "&client_secret=" +
                                         form_encode(client_secret) + "&redirect_uri=" +
                                         form_encode(redirect.empty() ? redirect_uri : redirect) +
                                         "&code_verifier=" + form_encode(code_verifier));
    };

    // The authorization endpoint never redirects to a place it cannot trust.
    auto unknown_client = c.get("/o/oauth2/auth?client_id=nobody&redirect_uri=" + form_encode(redirect_uri) +
                                "&response_type=code&scope=" + form_encode(scope));
    BOOST_TEST(unknown_client.status == 400u);
    BOOST_TEST(unknown_client.headers["Location"].empty());
    BOOST_TEST(unknown_client.body.find("invalid_client") != std::string::npos);
    auto not_loopback = authorize("https://evil.example.com/callback");
    BOOST_TEST(not_loopback.status == 400u);
    BOOST_TEST(not_loopback.headers["Location"].empty());
    BOOST_TEST(not_loopback.body.find("redirect_uri_mismatch") != std::string::npos);

    // A verifier that does not hash to the challenge.
    auto wrong_verifier = exchange(code_of(authorize()), std::string(43, 'a'));
    BOOST_TEST(wrong_verifier.status == 400u, wrong_verifier.body);
    BOOST_TEST(wrong_verifier.json().at("error").as_string() == "invalid_grant");

    // A redirect_uri other than the one the code was issued for.
    auto mismatch = exchange(code_of(authorize()), verifier, "http://127.0.0.1:9999/other");
    BOOST_TEST(mismatch.status == 400u, mismatch.body);
    BOOST_TEST(mismatch.json().at("error").as_string() == "redirect_uri_mismatch");
    BOOST_TEST(mismatch.json().at("error_description").as_string() == "Bad Request");

    // The right verifier: tokens, then the code is spent.
    auto const code = code_of(authorize());
    auto granted = exchange(code, verifier);
    BOOST_TEST_REQUIRE(granted.status == 200u, granted.body);
    BOOST_TEST(granted.headers["Content-Type"].starts_with("application/json"));
    BOOST_TEST(granted.headers["Cache-Control"].find("no-store") != std::string_view::npos);
    auto const tokens = granted.json();
    BOOST_TEST(tokens.at("token_type").as_string() == "Bearer");
    BOOST_TEST(tokens.at("expires_in").as_int64() == 3599);
    BOOST_TEST(tokens.at("scope").as_string() == scope);
    BOOST_TEST(tokens.at("access_token").as_string().starts_with("ya29."));
    BOOST_TEST_REQUIRE(tokens.contains("refresh_token")); // access_type=offline with consent
    BOOST_TEST(tokens.at("refresh_token").as_string().starts_with("1//"));
    auto const access = str(tokens.at("access_token"));
    auto const refresh = str(tokens.at("refresh_token"));

    auto reused = exchange(code, verifier);
    BOOST_TEST(reused.status == 400u, reused.body);
    BOOST_TEST(reused.json().at("error").as_string() == "invalid_grant");
    BOOST_TEST(reused.json().at("error_description").as_string() == "Bad Request");

    // The tokens work, within the granted scopes only.
    auto profile = c.get("/gmail/v1/users/me/profile", access);
    BOOST_TEST_REQUIRE(profile.status == 200u, profile.body);
    BOOST_TEST(profile.json().at("emailAddress").as_string() == "user1@example.com");
    auto cannot_send = c.post_json(send_path, send_body("user2@example.com", "x", "<x@example.com>"), access);
    BOOST_TEST(cannot_send.status == 403u);
    BOOST_TEST(cannot_send.error_reason() == "insufficientPermissions");
    BOOST_TEST(f.refresh(c, refresh).status == 200u);

    // Consent refused: the redirect carries error=access_denied and the state, no code.
    BOOST_TEST_REQUIRE(c.request("POST", "/_emulator/consent?approve=false").status == 200u);
    auto denied = authorize();
    BOOST_TEST_REQUIRE(denied.status == 302u, denied.body);
    auto const denied_location = std::string(denied.headers["Location"]);
    BOOST_TEST(denied_location.starts_with(redirect_uri + "?"), denied_location);
    auto denied_query = query_of(denied_location);
    BOOST_TEST(denied_query["error"] == "access_denied");
    BOOST_TEST(denied_query["state"] == state);
    BOOST_TEST(!denied_query.contains("code"));
    BOOST_TEST_REQUIRE(c.request("POST", "/_emulator/consent?approve=true").status == 200u);
    BOOST_TEST(!code_of(authorize()).empty());
    // The current authorization path answers the same way.
    auto v2 = c.get("/o/oauth2/v2/auth?client_id=" + form_encode(client_id) + "&redirect_uri=" +
                    form_encode(redirect_uri) + "&response_type=code&scope=" + form_encode(scope) +
                    "&state=" + form_encode(state));
    BOOST_TEST(!code_of(v2).empty());

    // Revoking the access token revokes its grant: the token gets 401, the refresh token
    // is dead, other users' tokens are untouched.
    auto const other = f.access_token(c, "user2@example.com");
    auto revoked = c.post_form("/revoke", "token=" + form_encode(access));
    BOOST_TEST(revoked.status == 200u, revoked.body);
    auto after = c.get("/gmail/v1/users/me/profile", access);
    BOOST_TEST(after.status == 401u);
    BOOST_TEST(after.error_reason() == "authError");
    BOOST_TEST(after.error_status() == "UNAUTHENTICATED");
    BOOST_TEST(after.headers["WWW-Authenticate"] ==
               "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
    auto dead_refresh = f.refresh(c, refresh);
    BOOST_TEST(dead_refresh.status == 400u);
    BOOST_TEST(dead_refresh.json().at("error").as_string() == "invalid_grant");
    BOOST_TEST(dead_refresh.json().at("error_description").as_string() == "Token has been expired or revoked.");
    BOOST_TEST(c.get("/gmail/v1/users/me/profile", other).status == 200u);
    auto again = c.post_form("/revoke", "token=" + form_encode(access));
    BOOST_TEST(again.status == 400u);
    BOOST_TEST(again.json().at("error").as_string() == "invalid_token");
    auto missing = c.post_form("/revoke", "");
    BOOST_TEST(missing.status == 400u);
    BOOST_TEST(missing.json().at("error").as_string() == "invalid_request");

    // Revoking a refresh token kills the access tokens it issued.
    auto second_grant = exchange(code_of(authorize()), verifier);
    BOOST_TEST_REQUIRE(second_grant.status == 200u, second_grant.body);
    auto const second_access = str(second_grant.json().at("access_token"));
    BOOST_TEST(c.get("/gmail/v1/users/me/profile", second_access).status == 200u);
    auto revoked_refresh =
        c.post_form("/revoke", "token=" + form_encode(str(second_grant.json().at("refresh_token"))));
    BOOST_TEST(revoked_refresh.status == 200u, revoked_refresh.body);
    auto killed = c.get("/gmail/v1/users/me/profile", second_access);
    BOOST_TEST(killed.status == 401u);
    BOOST_TEST(killed.error_reason() == "authError");

    f.google.with_state([](emulator_state& s) {
        BOOST_TEST(s.oauth.grants().authorization_code == 2u);
        BOOST_TEST(s.oauth.grants().revocations == 2u);
    });
}

BOOST_AUTO_TEST_CASE(oauth_jwt_bearer_grant_with_domain_wide_delegation) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const sa = service_account_of(f);
    BOOST_TEST(sa.token_uri == f.google.base_url() + "/token");
    auto const now = epoch_seconds();
    auto claims = [&](std::int64_t iat, std::int64_t exp, std::string const& sub,
                      std::string const& aud = "") {
        json::object o{{"iss", sa.email},
                       {"scope", "https://www.googleapis.com/auth/gmail.send"},
                       {"aud", aud.empty() ? sa.token_uri : aud},
                       {"iat", iat},
                       {"exp", exp}};
        if (!sub.empty())
            o["sub"] = sub;
        return o;
    };

    auto const assertion = make_jwt(sa, claims(now, now + 3600, "user2@example.com"));
    auto granted = jwt_grant(c, assertion);
    BOOST_TEST_REQUIRE(granted.status == 200u, granted.body);
    BOOST_TEST(granted.json().at("token_type").as_string() == "Bearer");
    BOOST_TEST(granted.json().at("expires_in").as_int64() == 3599);
    BOOST_TEST(!granted.json().contains("refresh_token"));
    auto const token = str(granted.json().at("access_token"));

    // The token acts for user2: the message lands in user2's mailbox, not user1's.
    auto sent = c.post_json(send_path,
                            send_body("user3@example.com", "delegated", "<jwt-1@example.com>",
                                      "User Two <user2@example.com>"),
                            token);
    BOOST_TEST_REQUIRE(sent.status == 200u, sent.body);
    auto const id = str(sent.json().at("id"));
    f.google.with_state([&](emulator_state& s) {
        auto const& theirs = s.gmail.messages("user2@example.com");
        BOOST_TEST_REQUIRE(theirs.size() == 1u);
        BOOST_TEST(theirs[0].id == id);
        BOOST_TEST(theirs[0].message_id == "<jwt-1@example.com>");
        BOOST_TEST((std::find(theirs[0].label_ids.begin(), theirs[0].label_ids.end(), "SENT") !=
                    theirs[0].label_ids.end()));
        BOOST_TEST(s.gmail.messages("user1@example.com").empty());
        BOOST_TEST(s.gmail.messages("user3@example.com").size() == 1u);
    });
    auto not_theirs = c.post_json("/gmail/v1/users/user1@example.com/messages/send",
                                  send_body("user3@example.com", "spoof", "<jwt-2@example.com>"), token);
    BOOST_TEST(not_theirs.status == 403u);
    BOOST_TEST(not_theirs.error_status() == "PERMISSION_DENIED");

    // A signature that does not cover the claims sent.
    auto const dot = assertion.rfind('.');
    auto const forged_claims = b64url(json::serialize(claims(now, now + 3600, "user3@example.com")));
    auto const forged = assertion.substr(0, assertion.find('.')) + "." + forged_claims + assertion.substr(dot);
    auto bad_signature = jwt_grant(c, forged);
    BOOST_TEST(bad_signature.status == 400u, bad_signature.body);
    BOOST_TEST(bad_signature.json().at("error").as_string() == "invalid_grant");

    // Longer than an hour.
    auto too_long = jwt_grant(c, make_jwt(sa, claims(now, now + 7200, "user2@example.com")));
    BOOST_TEST(too_long.status == 400u);
    BOOST_TEST(too_long.json().at("error").as_string() == "invalid_grant");
    BOOST_TEST(too_long.json().at("error_description").as_string() ==
               "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
               "Check your iat and exp values in the JWT claim.");

    // Another audience.
    auto wrong_aud = jwt_grant(c, make_jwt(sa, claims(now, now + 3600, "", "https://example.com/token")));
    BOOST_TEST(wrong_aud.status == 400u);
    BOOST_TEST(wrong_aud.json().at("error").as_string() == "invalid_grant");

    // Delegation to someone outside the domain.
    auto outsider = jwt_grant(c, make_jwt(sa, claims(now, now + 3600, "someone@elsewhere.example")));
    BOOST_TEST(outsider.status == 401u);
    BOOST_TEST(outsider.json().at("error").as_string() == "unauthorized_client");
    BOOST_TEST(outsider.json().at("error_description").as_string() ==
               "Client is unauthorized to retrieve access tokens using this method, or client not authorized "
               "for any of the scopes requested.");

    // Without `sub` the token is the service account's own: Gmail refuses it.
    auto bare = jwt_grant(c, make_jwt(sa, claims(now, now + 3600, "")));
    BOOST_TEST_REQUIRE(bare.status == 200u, bare.body);
    auto no_mailbox = c.post_json(send_path, send_body("user3@example.com", "bare", "<jwt-3@example.com>"),
                                  str(bare.json().at("access_token")));
    BOOST_TEST(no_mailbox.status == 400u, no_mailbox.body);
    BOOST_TEST(no_mailbox.error_reason() == "failedPrecondition");
    BOOST_TEST(no_mailbox.error_status() == "FAILED_PRECONDITION");
    BOOST_TEST(no_mailbox.error_message() == "Precondition check failed.");

    f.google.with_state([](emulator_state& s) { BOOST_TEST(s.oauth.grants().jwt_bearer == 2u); });
}

// ---- Gmail ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(gmail_get_formats_and_list_filters_and_paging) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    auto const token2 = f.access_token(c, "user2@example.com");

    // One multipart message with an attachment, then four plain ones: 3 to user2, 2 to user3.
    std::string const multipart = "From: User One <user1@example.com>\r\n"
                                  "To: User Two <user2@example.com>\r\n"
                                  "Subject: Report\r\n"
                                  "Message-ID: <full-1@example.com>\r\n"
                                  "MIME-Version: 1.0\r\n"
                                  "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                                  "\r\n"
                                  "--b1\r\n"
                                  "Content-Type: text/plain; charset=UTF-8\r\n"
                                  "\r\n"
                                  "See the attached report.\r\n"
                                  "--b1\r\n"
                                  "Content-Type: text/plain; name=\"report.txt\"\r\n"
                                  "Content-Disposition: attachment; filename=\"report.txt\"\r\n"
                                  "\r\n"
                                  "quarterly numbers\r\n"
                                  "--b1--\r\n";
    std::vector<std::string> sent;
    auto send = [&](std::string const& body) {
        auto r = c.post_json(send_path, body, token);
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        sent.push_back(str(r.json().at("id")));
    };
    send(R"({"raw":")" + b64url(multipart) + "\"}");
    send(send_body("user2@example.com", "two", "<list-2@example.com>"));
    send(send_body("user3@example.com", "three", "<list-3@example.com>"));
    send(send_body("user2@example.com", "four", "<list-4@example.com>"));
    send(send_body("user3@example.com", "five", "<list-5@example.com>"));
    auto const& first = sent.front();

    // format=full (the default): the MIME tree, headers decoded, attachment by reference.
    for (auto const& target : std::vector<std::string>{"/gmail/v1/users/me/messages/" + first + "?format=full",
                                                       "/gmail/v1/users/me/messages/" + first}) {
        auto full = c.get(target, token);
        BOOST_TEST_REQUIRE(full.status == 200u, full.body);
        auto const m = full.json();
        BOOST_TEST(m.at("id").as_string() == first);
        BOOST_TEST(m.at("threadId").as_string().size() == 16u);
        BOOST_TEST(json::serialize(m.at("labelIds")).find("SENT") != std::string::npos);
        BOOST_TEST(m.at("snippet").as_string() == "See the attached report.");
        BOOST_TEST(m.at("historyId").is_string());
        BOOST_TEST(m.at("internalDate").is_string());
        BOOST_TEST(m.at("sizeEstimate").to_number<std::int64_t>() > 0);
        BOOST_TEST(!m.contains("raw"));
        auto const& payload = m.at("payload").as_object();
        BOOST_TEST(payload.at("mimeType").as_string() == "multipart/mixed");
        BOOST_TEST(payload.at("partId").as_string() == "");
        BOOST_TEST(payload_header(payload, "Subject") == "Report");
        BOOST_TEST(payload_header(payload, "Message-ID") == "<full-1@example.com>");
        auto const& parts = payload.at("parts").as_array();
        BOOST_TEST_REQUIRE(parts.size() == 2u);
        auto const& text = parts[0].as_object();
        BOOST_TEST(text.at("partId").as_string() == "0");
        BOOST_TEST(text.at("mimeType").as_string() == "text/plain");
        BOOST_TEST(b64_decode(str(text.at("body").at("data"))) == "See the attached report.");
        auto const& attachment = parts[1].as_object();
        BOOST_TEST(attachment.at("partId").as_string() == "1");
        BOOST_TEST(attachment.at("filename").as_string() == "report.txt");
        BOOST_TEST(!attachment.at("body").as_object().at("attachmentId").as_string().empty());
        BOOST_TEST(attachment.at("body").as_object().at("size").to_number<std::int64_t>() == 17);
        BOOST_TEST(!attachment.at("body").as_object().contains("data"));
    }

    // format=metadata: only the headers asked for, no body.
    auto metadata = c.get("/gmail/v1/users/me/messages/" + first +
                              "?format=metadata&metadataHeaders=Subject&metadataHeaders=From",
                          token);
    BOOST_TEST_REQUIRE(metadata.status == 200u, metadata.body);
    {
        auto const m = metadata.json();
        auto const& payload = m.at("payload").as_object();
        std::set<std::string> names;
        for (auto const& h : payload.at("headers").as_array())
            names.insert(str(h.as_object().at("name")));
        BOOST_TEST((names == std::set<std::string>{"From", "Subject"}));
        BOOST_TEST(payload_header(payload, "From") == "User One <user1@example.com>");
        BOOST_TEST(!payload.contains("parts"));
        BOOST_TEST(!payload.contains("body"));
        BOOST_TEST(!m.contains("raw"));
        BOOST_TEST(m.at("id").as_string() == first);
    }

    // format=minimal: ids, labels and sizes, no payload.
    auto minimal = c.get("/gmail/v1/users/me/messages/" + first + "?format=minimal", token);
    BOOST_TEST_REQUIRE(minimal.status == 200u, minimal.body);
    {
        auto const m = minimal.json();
        for (auto key : {"id", "threadId", "labelIds", "sizeEstimate", "historyId"})
            BOOST_TEST(m.contains(key), key);
        BOOST_TEST(!m.contains("payload"));
        BOOST_TEST(!m.contains("raw"));
    }

    auto bad_format = c.get("/gmail/v1/users/me/messages/" + first + "?format=bogus", token);
    BOOST_TEST(bad_format.status == 400u);
    BOOST_TEST(bad_format.error_status() == "INVALID_ARGUMENT");
    BOOST_TEST(bad_format.error_reason() == "invalid");
    BOOST_TEST(bad_format.error_message().starts_with("Invalid value at 'format'"), bad_format.error_message());

    // labelIds: SENT has all five, newest first; INBOX none.
    auto const list = [&](std::string const& query, std::string const& who) {
        auto r = c.get("/gmail/v1/users/me/messages" + query, who);
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        return r.json();
    };
    std::vector<std::string> const newest_first(sent.rbegin(), sent.rend());
    auto in_sent = list("?labelIds=SENT", token);
    BOOST_TEST((ids_of(in_sent) == newest_first));
    BOOST_TEST(in_sent.at("resultSizeEstimate").to_number<std::int64_t>() == 5);
    BOOST_TEST(!in_sent.contains("nextPageToken"));
    auto in_inbox = list("?labelIds=INBOX", token);
    BOOST_TEST(!in_inbox.contains("messages"));
    BOOST_TEST(in_inbox.at("resultSizeEstimate").to_number<std::int64_t>() == 0);

    // Paging, two at a time: 2 + 2 + 1, every message exactly once.
    std::vector<std::string> paged;
    std::vector<std::size_t> sizes;
    std::string page_token;
    for (int pages = 0; pages < 10; ++pages) {
        auto page = list("?maxResults=2" + (page_token.empty() ? "" : "&pageToken=" + form_encode(page_token)),
                         token);
        auto const ids = ids_of(page);
        sizes.push_back(ids.size());
        paged.insert(paged.end(), ids.begin(), ids.end());
        auto const* next = page.if_contains("nextPageToken");
        if (!next)
            break;
        page_token = str(*next);
    }
    BOOST_TEST((sizes == std::vector<std::size_t>{2, 2, 1}));
    BOOST_TEST((paged == newest_first));

    // q: to: and in:sent.
    BOOST_TEST((set_of(ids_of(list("?q=" + form_encode("to:user3@example.com"), token))) ==
                std::set<std::string>{sent[2], sent[4]}));
    BOOST_TEST(ids_of(list("?q=" + form_encode("in:sent"), token)).size() == 5u);
    BOOST_TEST(ids_of(list("?q=" + form_encode("in:sent to:user2@example.com"), token)).size() == 3u);
    // user2 received three, sent none.
    BOOST_TEST(ids_of(list("?q=" + form_encode("in:sent"), token2)).empty());
    BOOST_TEST(ids_of(list("?labelIds=INBOX&labelIds=UNREAD", token2)).size() == 3u);
    BOOST_TEST(ids_of(list("?q=" + form_encode("to:user3@example.com"), token2)).empty());

    auto bad_max = c.get("/gmail/v1/users/me/messages?maxResults=abc", token);
    BOOST_TEST(bad_max.status == 400u);
    BOOST_TEST(bad_max.error_status() == "INVALID_ARGUMENT");
    BOOST_TEST(bad_max.error_reason() == "invalid");
}

BOOST_AUTO_TEST_CASE(gmail_drafts_uploads_labels_and_other_mailboxes) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    std::string const drafts = "/gmail/v1/users/me/drafts";

    // drafts.create, twice.
    std::vector<std::string> draft_ids, draft_message_ids;
    for (auto const& n : std::vector<std::string>{"1", "2"}) {
        auto created = c.post_json(
            drafts,
            R"({"message":{"raw":")" + raw_message("user2@example.com", "draft " + n, "<draft-" + n + "@example.com>") +
                "\"}}",
            token);
        BOOST_TEST_REQUIRE(created.status == 200u, created.body);
        auto const d = created.json();
        BOOST_TEST(!d.at("id").as_string().empty());
        BOOST_TEST(d.at("message").at("id").as_string().size() == 16u);
        BOOST_TEST(json::serialize(d.at("message").at("labelIds")) == R"(["DRAFT"])");
        draft_ids.push_back(str(d.at("id")));
        draft_message_ids.push_back(str(d.at("message").at("id")));
    }

    // drafts.get, in the default (full) and raw formats.
    auto got = c.get(drafts + "/" + draft_ids[0], token);
    BOOST_TEST_REQUIRE(got.status == 200u, got.body);
    BOOST_TEST(got.json().at("id").as_string() == draft_ids[0]);
    BOOST_TEST(got.json().at("message").at("id").as_string() == draft_message_ids[0]);
    BOOST_TEST(payload_header(got.json().at("message").at("payload").as_object(), "Subject") == "draft 1");
    auto got_raw = c.get(drafts + "/" + draft_ids[0] + "?format=raw", token);
    BOOST_TEST_REQUIRE(got_raw.status == 200u, got_raw.body);
    BOOST_TEST(b64_decode(str(got_raw.json().at("message").at("raw"))).find("Message-ID: <draft-1@example.com>") !=
               std::string::npos);

    // drafts.list: both, newest first; paged one at a time.
    auto listed = c.get(drafts, token);
    BOOST_TEST_REQUIRE(listed.status == 200u, listed.body);
    BOOST_TEST((ids_of(listed.json(), "drafts") == std::vector<std::string>{draft_ids[1], draft_ids[0]}));
    BOOST_TEST(listed.json().at("drafts").as_array()[0].at("message").at("id").as_string() == draft_message_ids[1]);
    auto page1 = c.get(drafts + "?maxResults=1", token).json();
    BOOST_TEST_REQUIRE(page1.contains("nextPageToken"));
    auto page2 = c.get(drafts + "?maxResults=1&pageToken=" + form_encode(str(page1.at("nextPageToken"))), token).json();
    BOOST_TEST((ids_of(page1, "drafts") == std::vector<std::string>{draft_ids[1]}));
    BOOST_TEST((ids_of(page2, "drafts") == std::vector<std::string>{draft_ids[0]}));
    BOOST_TEST(!page2.contains("nextPageToken"));

    // drafts.delete: 204 without a body, then 404 for get and delete.
    auto deleted = c.request("DELETE", drafts + "/" + draft_ids[0], bearer(token));
    BOOST_TEST(deleted.status == 204u, deleted.body);
    BOOST_TEST(deleted.body.empty());
    auto gone = c.get(drafts + "/" + draft_ids[0], token);
    BOOST_TEST(gone.status == 404u);
    BOOST_TEST(gone.error_reason() == "notFound");
    BOOST_TEST(gone.error_status() == "NOT_FOUND");
    auto twice = c.request("DELETE", drafts + "/" + draft_ids[0], bearer(token));
    BOOST_TEST(twice.status == 404u);
    BOOST_TEST(twice.error_reason() == "notFound");
    BOOST_TEST((ids_of(c.get(drafts, token).json(), "drafts") == std::vector<std::string>{draft_ids[1]}));

    auto empty_draft = c.post_json(drafts, R"({"message":{}})", token);
    BOOST_TEST(empty_draft.status == 400u);
    BOOST_TEST(empty_draft.error_status() == "INVALID_ARGUMENT");
    BOOST_TEST(empty_draft.error_reason() == "badRequest");

    // uploadType=multipart: multipart/related, the JSON metadata then the message/rfc822 part.
    std::string const upload = "/upload/gmail/v1/users/me/messages/send";
    std::string const rfc822 = "From: user1@example.com\r\nTo: user2@example.com\r\nSubject: multipart upload\r\n"
                               "Message-ID: <mp-1@example.com>\r\n\r\nbody\r\n";
    std::string const related = "--foo_bar_baz\r\n"
                                "Content-Type: application/json; charset=UTF-8\r\n\r\n"
                                "{}\r\n"
                                "--foo_bar_baz\r\n"
                                "Content-Type: message/rfc822\r\n\r\n" +
                                rfc822 + "\r\n--foo_bar_baz--\r\n";
    auto headers = bearer(token);
    headers["Content-Type"] = "multipart/related; boundary=foo_bar_baz";
    auto multipart = c.request("POST", upload + "?uploadType=multipart", headers, related);
    BOOST_TEST_REQUIRE(multipart.status == 200u, multipart.body);
    BOOST_TEST(json::serialize(multipart.json().at("labelIds")).find("SENT") != std::string::npos);
    auto const multipart_id = str(multipart.json().at("id"));
    f.google.with_state([&](emulator_state& s) {
        auto const& mine = s.gmail.messages("user1@example.com");
        BOOST_TEST_REQUIRE(mine.size() == 1u);
        BOOST_TEST(mine[0].id == multipart_id);
        BOOST_TEST(mine[0].upload_type == "multipart");
        BOOST_TEST(mine[0].subject == "multipart upload");
        BOOST_TEST(mine[0].message_id == "<mp-1@example.com>");
        BOOST_TEST(s.gmail.messages("user2@example.com").size() == 1u);
    });
    std::string const one_part = "--foo_bar_baz\r\nContent-Type: message/rfc822\r\n\r\n" + rfc822 +
                                 "\r\n--foo_bar_baz--\r\n";
    auto lonely = c.request("POST", upload + "?uploadType=multipart", headers, one_part);
    BOOST_TEST(lonely.status == 400u);
    BOOST_TEST(lonely.error_status() == "INVALID_ARGUMENT");
    BOOST_TEST(lonely.error_reason() == "badRequest");

    // uploadType=resumable: initiation, then the bytes in two PUTs to the session URI.
    std::string const resumable_mime = "From: user1@example.com\r\nTo: user3@example.com\r\n"
                                       "Subject: resumable upload\r\nMessage-ID: <ru-1@example.com>\r\n\r\n"
                                       "a body long enough for two chunks\r\n";
    auto const total = std::to_string(resumable_mime.size());
    auto init_headers = bearer(token);
    init_headers["Content-Type"] = "application/json; charset=UTF-8";
    init_headers["X-Upload-Content-Type"] = "message/rfc822";
    init_headers["X-Upload-Content-Length"] = total;
    auto init = c.request("POST", upload + "?uploadType=resumable", init_headers, "{}");
    BOOST_TEST_REQUIRE(init.status == 200u, init.body);
    auto const location = std::string(init.headers["Location"]);
    BOOST_TEST_REQUIRE(location.starts_with(f.google.base_url() + upload + "?"), location);
    BOOST_TEST(query_of(location)["uploadType"] == "resumable");
    BOOST_TEST(!query_of(location)["upload_id"].empty());
    auto const session = location.substr(f.google.base_url().size());
    // The session URI is the credential: no Authorization header.
    auto partial = c.request("PUT", session, {{"Content-Range", "bytes 0-9/" + total}}, resumable_mime.substr(0, 10));
    BOOST_TEST(partial.status == 308u, partial.body);
    BOOST_TEST(partial.headers["Range"] == "bytes=0-9");
    auto done = c.request("PUT", session,
                          {{"Content-Range", "bytes 10-" + std::to_string(resumable_mime.size() - 1) + "/" + total}},
                          resumable_mime.substr(10));
    BOOST_TEST_REQUIRE(done.status == 200u, done.body);
    auto const resumable_id = str(done.json().at("id"));
    BOOST_TEST(json::serialize(done.json().at("labelIds")).find("SENT") != std::string::npos);
    f.google.with_state([&](emulator_state& s) {
        auto const& mine = s.gmail.messages("user1@example.com");
        BOOST_TEST_REQUIRE(mine.size() == 2u);
        BOOST_TEST(mine[1].id == resumable_id);
        BOOST_TEST(mine[1].upload_type == "resumable");
        BOOST_TEST(mine[1].raw == resumable_mime);
        BOOST_TEST(s.gmail.messages("user3@example.com").size() == 1u);
    });
    auto unknown_session = c.request("PUT", upload + "?uploadType=resumable&upload_id=AFxnot-a-session",
                                     {{"Content-Type", "message/rfc822"}}, resumable_mime);
    BOOST_TEST(unknown_session.status == 404u);
    BOOST_TEST(unknown_session.error_reason() == "notFound");
    BOOST_TEST(unknown_session.error_status() == "NOT_FOUND");

    // labels.create errors.
    auto empty_name = c.post_json("/gmail/v1/users/me/labels", R"({"name":""})", token);
    BOOST_TEST(empty_name.status == 400u);
    BOOST_TEST(empty_name.error_status() == "INVALID_ARGUMENT");
    BOOST_TEST(empty_name.error_reason() == "invalidArgument");
    BOOST_TEST(empty_name.error_message() == "Invalid label name");
    auto system_name = c.post_json("/gmail/v1/users/me/labels", R"({"name":"INBOX"})", token);
    BOOST_TEST(system_name.status == 400u);
    BOOST_TEST(system_name.error_reason() == "invalidArgument");
    auto unknown_field = c.post_json("/gmail/v1/users/me/labels", R"({"nam":"x"})", token);
    BOOST_TEST(unknown_field.status == 400u);
    BOOST_TEST(unknown_field.error_status() == "INVALID_ARGUMENT");
    BOOST_TEST(unknown_field.error_message() ==
               "Invalid JSON payload received. Unknown name \"nam\": Cannot find field.");

    // Another user's mailbox with user1's token: 403; one's own address works like "me".
    auto others = c.get("/gmail/v1/users/user2@example.com/messages", token);
    BOOST_TEST(others.status == 403u);
    BOOST_TEST(others.error_status() == "PERMISSION_DENIED");
    BOOST_TEST(others.error_reason() == "forbidden");
    BOOST_TEST(others.error_message() == "Delegation denied for user1@example.com");
    auto send_as_other = c.post_json("/gmail/v1/users/user2@example.com/messages/send",
                                     send_body("user3@example.com", "x", "<other@example.com>"), token);
    BOOST_TEST(send_as_other.status == 403u);
    BOOST_TEST(send_as_other.error_reason() == "forbidden");
    auto own = c.get("/gmail/v1/users/user1@example.com/profile", token);
    BOOST_TEST_REQUIRE(own.status == 200u, own.body);
    BOOST_TEST(own.json().at("emailAddress").as_string() == "user1@example.com");
    f.google.with_state([](emulator_state& s) {
        BOOST_TEST(s.gmail.messages("user2@example.com").size() == 1u); // only the multipart upload
        BOOST_TEST(s.gmail.messages("user1@example.com").size() == 2u);
    });
}

// ---- Calendar ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(calendar_event_lifecycle_errors_and_incremental_sync) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    std::string const events = "/calendar/v3/calendars/primary/events";
    std::string const event_id = "evt0123456789abcdef";
    auto const list = [&](std::string const& query) {
        auto r = c.get(events + query, token);
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        return r.json();
    };
    auto const item_ids = [](json::object const& page) { return ids_of(page, "items"); };

    // A full sync of the empty calendar, for incremental sync later.
    auto const initial = list("");
    BOOST_TEST(initial.at("kind").as_string() == "calendar#events");
    BOOST_TEST(initial.at("items").as_array().empty());
    BOOST_TEST(!initial.contains("nextPageToken"));
    auto const sync0 = str(initial.at("nextSyncToken"));

    // events.insert with a client-chosen id.
    auto inserted = c.request("POST", events, bearer_json(token), event_json);
    BOOST_TEST_REQUIRE(inserted.status == 200u, inserted.body);
    auto const ev = inserted.json();
    BOOST_TEST(ev.at("kind").as_string() == "calendar#event");
    BOOST_TEST(ev.at("id").as_string() == event_id);
    BOOST_TEST(ev.at("status").as_string() == "confirmed");
    BOOST_TEST(ev.at("iCalUID").as_string() == event_id + "@google.com");
    BOOST_TEST(ev.at("sequence").to_number<std::int64_t>() == 0);
    BOOST_TEST(ev.at("start").at("dateTime").as_string() == "2026-05-01T10:00:00+02:00");
    BOOST_TEST(ev.at("creator").at("email").as_string() == "user1@example.com");
    BOOST_TEST(ev.at("organizer").at("email").as_string() == "user1@example.com");
    for (auto key : {"etag", "htmlLink", "created", "updated"})
        BOOST_TEST(ev.contains(key), key);
    auto const etag0 = str(ev.at("etag"));

    // events.get, by "primary" and by the calendar's id.
    for (auto const& calendar : std::vector<std::string>{"primary", form_encode("user1@example.com")}) {
        auto got = c.get("/calendar/v3/calendars/" + calendar + "/events/" + event_id, token);
        BOOST_TEST_REQUIRE(got.status == 200u, got.body);
        BOOST_TEST(got.json().at("summary").as_string() == "Wire review");
    }

    // Insert errors: duplicate id, bad id, empty time range. Calendar bodies carry no status.
    auto duplicate = c.request("POST", events, bearer_json(token), event_json);
    BOOST_TEST(duplicate.status == 409u);
    BOOST_TEST(duplicate.error_reason() == "duplicate");
    BOOST_TEST(duplicate.error_message() == "The requested identifier already exists.");
    BOOST_TEST(duplicate.error_status().empty());
    auto bad_id = c.request("POST", events, bearer_json(token),
                            R"({"id":"Not_Base32hex!","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})");
    BOOST_TEST(bad_id.status == 400u);
    BOOST_TEST(bad_id.error_reason() == "invalid");
    BOOST_TEST(bad_id.error_status().empty());
    auto backwards = c.request("POST", events, bearer_json(token),
                               R"({"start":{"dateTime":"2026-05-01T11:00:00Z"},"end":{"dateTime":"2026-05-01T10:00:00Z"}})");
    BOOST_TEST(backwards.status == 400u);
    BOOST_TEST(backwards.error_reason() == "timeRangeEmpty");
    BOOST_TEST(backwards.error_message() == "The specified time range is empty.");

    // events.patch: only the named fields change.
    auto patched = c.request("PATCH", events + "/" + event_id, bearer_json(token), R"j({"summary":"Wire review (moved)"})j");
    BOOST_TEST_REQUIRE(patched.status == 200u, patched.body);
    BOOST_TEST(patched.json().at("summary").as_string() == "Wire review (moved)");
    BOOST_TEST(patched.json().at("description").as_string() == "first");
    BOOST_TEST(patched.json().at("start").at("dateTime").as_string() == "2026-05-01T10:00:00+02:00");
    BOOST_TEST(patched.json().at("sequence").to_number<std::int64_t>() == 1);
    BOOST_TEST(str(patched.json().at("etag")) != etag0);

    // events.update: the resource is replaced; what it leaves out is gone.
    auto updated = c.request("PUT", events + "/" + event_id, bearer_json(token),
                             R"({"summary":"Wire review v3","location":"Room Aurora",)"
                             R"("start":{"dateTime":"2026-05-01T10:00:00+02:00"},)"
                             R"("end":{"dateTime":"2026-05-01T12:00:00+02:00"}})");
    BOOST_TEST_REQUIRE(updated.status == 200u, updated.body);
    BOOST_TEST(updated.json().at("summary").as_string() == "Wire review v3");
    BOOST_TEST(updated.json().at("location").as_string() == "Room Aurora");
    BOOST_TEST(!updated.json().contains("description"));
    BOOST_TEST(updated.json().at("end").at("dateTime").as_string() == "2026-05-01T12:00:00+02:00");
    BOOST_TEST(updated.json().at("id").as_string() == event_id);
    BOOST_TEST(updated.json().at("iCalUID").as_string() == event_id + "@google.com");
    auto update_missing = c.request("PUT", events + "/nosuchevent00", bearer_json(token), event_json);
    BOOST_TEST(update_missing.status == 404u);
    BOOST_TEST(update_missing.error_reason() == "notFound");
    auto patch_missing = c.request("PATCH", events + "/nosuchevent00", bearer_json(token), "{}");
    BOOST_TEST(patch_missing.status == 404u);
    BOOST_TEST(patch_missing.error_reason() == "notFound");

    // A second event with a server-chosen id; incremental sync reports both changes.
    auto second = c.request("POST", events, bearer_json(token),
                            R"({"summary":"Second","start":{"date":"2026-05-03"},"end":{"date":"2026-05-04"}})");
    BOOST_TEST_REQUIRE(second.status == 200u, second.body);
    auto const second_id = str(second.json().at("id"));
    BOOST_TEST(second_id != event_id);
    auto const delta1 = list("?syncToken=" + form_encode(sync0));
    BOOST_TEST((set_of(item_ids(delta1)) == std::set<std::string>{event_id, second_id}));
    BOOST_TEST(!delta1.contains("nextPageToken"));
    auto const sync1 = str(delta1.at("nextSyncToken"));

    // events.delete: 204; the deletion shows in the next incremental sync as "cancelled".
    auto deleted = c.request("DELETE", events + "/" + event_id, bearer(token));
    BOOST_TEST(deleted.status == 204u, deleted.body);
    BOOST_TEST(deleted.body.empty());
    auto const delta2 = list("?syncToken=" + form_encode(sync1));
    BOOST_TEST_REQUIRE((item_ids(delta2) == std::vector<std::string>{event_id}));
    BOOST_TEST(delta2.at("items").as_array()[0].at("status").as_string() == "cancelled");
    auto const delta3 = list("?syncToken=" + form_encode(str(delta2.at("nextSyncToken"))));
    BOOST_TEST(delta3.at("items").as_array().empty());

    auto after_delete = c.get(events + "/" + event_id, token);
    BOOST_TEST_REQUIRE(after_delete.status == 200u, after_delete.body);
    BOOST_TEST(after_delete.json().at("status").as_string() == "cancelled");
    auto delete_again = c.request("DELETE", events + "/" + event_id, bearer(token));
    BOOST_TEST(delete_again.status == 410u);
    BOOST_TEST(delete_again.error_reason() == "deleted");
    BOOST_TEST(delete_again.error_status().empty());
    BOOST_TEST((item_ids(list("")) == std::vector<std::string>{second_id}));
    BOOST_TEST((set_of(item_ids(list("?showDeleted=true"))) == std::set<std::string>{event_id, second_id}));

    // events.list errors.
    auto empty_range = c.get(events + "?timeMin=" + form_encode("2026-05-02T00:00:00Z") + "&timeMax=" +
                                 form_encode("2026-05-01T00:00:00Z"),
                             token);
    BOOST_TEST(empty_range.status == 400u);
    BOOST_TEST(empty_range.error_reason() == "timeRangeEmpty");
    BOOST_TEST(empty_range.error_message() == "The specified time range is empty.");
    BOOST_TEST(empty_range.error_status().empty());
    auto equal_range = c.get(events + "?timeMin=" + form_encode("2026-05-01T00:00:00Z") + "&timeMax=" +
                                 form_encode("2026-05-01T00:00:00Z"),
                             token);
    BOOST_TEST(equal_range.status == 400u);
    BOOST_TEST(equal_range.error_reason() == "timeRangeEmpty");
    auto ordering = c.get(events + "?orderBy=startTime", token);
    BOOST_TEST(ordering.status == 400u);
    BOOST_TEST(ordering.error_reason() == "badRequest");
    BOOST_TEST(ordering.error_message() == "The requested ordering is not available for the particular query.");
    BOOST_TEST(ordering.error_status().empty());
    BOOST_TEST(c.get(events + "?orderBy=startTime&singleEvents=true", token).status == 200u);
    auto sync_with_range = c.get(events + "?syncToken=" + form_encode(sync1) + "&timeMin=" +
                                     form_encode("2026-05-01T00:00:00Z"),
                                 token);
    BOOST_TEST(sync_with_range.status == 400u);
    BOOST_TEST(sync_with_range.error_reason() == "invalid");

    // Unknown calendar: 404 notFound "Not Found", for reads and writes.
    std::string const nobody = "/calendar/v3/calendars/" + form_encode("nobody@example.com") + "/events";
    auto unknown = c.get(nobody, token);
    BOOST_TEST(unknown.status == 404u);
    BOOST_TEST(unknown.error_reason() == "notFound");
    BOOST_TEST(unknown.error_message() == "Not Found");
    BOOST_TEST(unknown.error_status().empty());
    auto unknown_insert = c.request("POST", nobody, bearer_json(token), event_json);
    BOOST_TEST(unknown_insert.status == 404u);
    BOOST_TEST(unknown_insert.error_reason() == "notFound");
}

BOOST_AUTO_TEST_CASE(calendar_list_paging_and_freebusy_limits) {
    wire_fixture f({.calendar = {.calendars = 60, .events_per_calendar = 3}});
    raw_client c(f.google.port());
    auto const token = f.access_token(c);

    // calendarList.list, 25 at a time: 25 + 25 + 11, each calendar once, the sync token at the end.
    std::vector<std::string> ids;
    std::vector<std::size_t> sizes;
    std::string page_token;
    bool synced = false;
    for (int pages = 0; pages < 10; ++pages) {
        auto r = c.get("/calendar/v3/users/me/calendarList?maxResults=25" +
                           (page_token.empty() ? "" : "&pageToken=" + form_encode(page_token)),
                       token);
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        auto const body = r.json();
        BOOST_TEST(body.at("kind").as_string() == "calendar#calendarList");
        auto const page = ids_of(body, "items");
        sizes.push_back(page.size());
        ids.insert(ids.end(), page.begin(), page.end());
        for (auto const& item : body.at("items").as_array())
            if (item.as_object().at("id").as_string() == "user1@example.com") {
                BOOST_TEST(item.as_object().at("primary").as_bool());
                BOOST_TEST(item.as_object().at("accessRole").as_string() == "owner");
            }
        if (auto const* next = body.if_contains("nextPageToken")) {
            BOOST_TEST(!body.contains("nextSyncToken"));
            page_token = str(*next);
            continue;
        }
        synced = body.contains("nextSyncToken");
        break;
    }
    BOOST_TEST((sizes == std::vector<std::size_t>{25, 25, 11}));
    BOOST_TEST(synced);
    auto const unique = set_of(ids);
    BOOST_TEST(unique.size() == ids.size());
    BOOST_TEST(unique.size() == 61u);
    BOOST_TEST(unique.count("user1@example.com") == 1u);
    BOOST_TEST(unique.count("fixture-0060@group.calendar.google.com") == 1u);

    auto zero = c.get("/calendar/v3/users/me/calendarList?maxResults=0", token);
    BOOST_TEST(zero.status == 400u);
    BOOST_TEST(zero.error_reason() == "invalid");
    BOOST_TEST(zero.error_status().empty());
    auto bad_page = c.get("/calendar/v3/users/me/calendarList?pageToken=garbage", token);
    BOOST_TEST(bad_page.status == 400u);
    BOOST_TEST(bad_page.error_reason() == "invalid");

    // freebusy.query: up to 50 calendars answer; more are refused item by item; at most 90 days.
    auto const now = clock_type::now();
    auto freebusy = [&](std::size_t calendars, std::chrono::hours span, std::string const& extra = "") {
        std::string items;
        for (std::size_t i = 1; i <= calendars; ++i) {
            char id[64];
            std::snprintf(id, sizeof id, "fixture-%04zu@group.calendar.google.com", i);
            items += std::string(items.empty() ? "" : ",") + R"({"id":")" + id + "\"}";
        }
        return c.post_json("/calendar/v3/freeBusy",
                           R"({"timeMin":")" + format_rfc3339(now) + R"(","timeMax":")" +
                               format_rfc3339(now + span) + "\"" + extra + R"(,"items":[)" + items + "]}",
                           token);
    };
    auto const week = std::chrono::hours(24 * 7);
    auto fifty = freebusy(50, week);
    BOOST_TEST_REQUIRE(fifty.status == 200u, fifty.body);
    BOOST_TEST(fifty.json().at("kind").as_string() == "calendar#freeBusy");
    auto const fifty_body = fifty.json();
    auto const& answered = fifty_body.at("calendars").as_object();
    BOOST_TEST(answered.size() == 50u);
    std::size_t busy_periods = 0;
    for (auto const& [id, entry] : answered) {
        BOOST_TEST(!entry.as_object().contains("errors"), std::string(id));
        busy_periods += entry.at("busy").as_array().size();
    }
    BOOST_TEST(busy_periods > 0u);

    auto fifty_one = freebusy(51, week);
    BOOST_TEST_REQUIRE(fifty_one.status == 200u, fifty_one.body);
    auto const fifty_one_body = fifty_one.json();
    auto const& refused = fifty_one_body.at("calendars").as_object();
    BOOST_TEST(refused.size() == 51u);
    for (auto const& [id, entry] : refused)
        BOOST_TEST(entry.at("errors").as_array()[0].at("reason").as_string() == "tooManyCalendarsRequested",
                   std::string(id));

    BOOST_TEST(freebusy(1, std::chrono::hours(24 * 90)).status == 200u);
    auto too_long = freebusy(1, std::chrono::hours(24 * 91));
    BOOST_TEST(too_long.status == 400u);
    BOOST_TEST(too_long.error_reason() == "timeRangeTooLong");
    BOOST_TEST(too_long.error_status().empty());
    auto empty = freebusy(1, std::chrono::hours(0));
    BOOST_TEST(empty.status == 400u);
    BOOST_TEST(empty.error_reason() == "timeRangeEmpty");
    BOOST_TEST(empty.error_message() == "The specified time range is empty.");
    auto expansion = freebusy(1, week, R"(,"calendarExpansionMax":51)");
    BOOST_TEST(expansion.status == 400u);
    BOOST_TEST(expansion.error_reason() == "invalid");
    auto no_min = c.post_json("/calendar/v3/freeBusy", R"({"timeMax":")" + format_rfc3339(now) + R"(","items":[]})",
                              token);
    BOOST_TEST(no_min.status == 400u);
    BOOST_TEST(no_min.error_reason() == "required");
}

// ---- Batch ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(batch_calendar_parts_and_the_gmail_batch_limit) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    auto batch_headers = [&](std::string const& boundary) {
        auto h = bearer(token);
        h["Content-Type"] = "multipart/mixed; boundary=" + boundary;
        return h;
    };

    // Calendar: a list, an insert and a path that is no Calendar method, each answered on its own.
    std::string const calendar_body =
        batch_item("batch_cal", "<item1:cal>", "GET /calendar/v3/calendars/primary/events HTTP/1.1\r\n\r\n") +
        batch_item("batch_cal", "<item2:cal>",
                   "POST /calendar/v3/calendars/primary/events HTTP/1.1\r\nContent-Type: application/json\r\n\r\n" +
                       event_json) +
        batch_item("batch_cal", "<item3:cal>", "GET /calendar/v3/no/such/method HTTP/1.1\r\n\r\n") +
        "--batch_cal--\r\n";
    auto r = c.request("POST", "/batch/calendar/v3", batch_headers("batch_cal"), calendar_body);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    auto const replies = batch_replies(r);
    BOOST_TEST_REQUIRE(replies.size() == 3u);
    BOOST_TEST(replies[0].content_id == "<response-item1:cal>");
    BOOST_TEST(replies[0].status == 200u);
    BOOST_TEST(replies[0].body_json().at("kind").as_string() == "calendar#events");
    BOOST_TEST(replies[1].content_id == "<response-item2:cal>");
    BOOST_TEST(replies[1].status == 200u, replies[1].body);
    BOOST_TEST(replies[1].body_json().at("id").as_string() == "evt0123456789abcdef");
    BOOST_TEST(replies[2].content_id == "<response-item3:cal>");
    BOOST_TEST(replies[2].status == 404u);
    f.google.with_state([](emulator_state& s) {
        auto const stored = s.calendar.events("user1@example.com", false);
        BOOST_TEST_REQUIRE(stored.size() == 1u);
        BOOST_TEST(stored[0].at("summary").as_string() == "Wire review");
    });
    auto counts = f.google.counts();
    BOOST_TEST(counts.calls("batch.calendar") == 1u);
    BOOST_TEST(counts.calls("calendar.events.list", 200) == 1u);
    BOOST_TEST(counts.calls("calendar.events.insert", 200) == 1u);

    // Gmail: 100 parts are fine, 101 are refused as a whole and nothing runs.
    auto gmail_batch = [&](std::size_t n) {
        std::string body;
        for (std::size_t i = 0; i < n; ++i)
            body += batch_item("batch_gm", "<p" + std::to_string(i) + ">",
                               "GET /gmail/v1/users/me/labels HTTP/1.1\r\n\r\n");
        return c.request("POST", "/batch/gmail/v1", batch_headers("batch_gm"), body + "--batch_gm--\r\n");
    };
    auto hundred = gmail_batch(100);
    BOOST_TEST_REQUIRE(hundred.status == 200u, hundred.body.substr(0, 500));
    auto const hundred_replies = batch_replies(hundred);
    BOOST_TEST_REQUIRE(hundred_replies.size() == 100u);
    // The parts run one after another, each holding an in-flight slot only for its own
    // call: an idle user's batch of 100 never trips the concurrency cap.
    for (std::size_t i = 0; i < hundred_replies.size(); ++i) {
        BOOST_TEST(hundred_replies[i].content_id == "<response-p" + std::to_string(i) + ">");
        BOOST_TEST(hundred_replies[i].status == 200u, hundred_replies[i].body);
    }
    auto too_many = gmail_batch(101);
    BOOST_TEST(too_many.status == 400u);
    BOOST_TEST(too_many.error_reason() == "badRequest");
    BOOST_TEST(too_many.error_status() == "INVALID_ARGUMENT");
    BOOST_TEST(f.google.counts().calls("gmail.users.labels.list") == 100u); // only the 100-part batch ran
}

// ---- Admin: faults and quota ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(admin_fault_injection_and_quota_switch) {
    // 0.02 x 15,000 units/min: a bucket of 300 units, three sends at most.
    wire_fixture f({.quota = {.scale = 0.02, .gmail_user_units_per_minute = 15'000}, .clock = [t = std::chrono::system_clock::now()] { return t; }});
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    auto set_faults = [&](std::string const& spec) {
        return c.request("POST", "/_emulator/faults?spec=" + form_encode(spec));
    };
    std::string const profile = "/gmail/v1/users/me/profile";
    std::string const labels = "/gmail/v1/users/me/labels";

    BOOST_TEST_REQUIRE(set_faults("gmail.users.getProfile:503=1").status == 200u);
    auto unavailable = c.get(profile, token);
    BOOST_TEST(unavailable.status == 503u);
    BOOST_TEST(unavailable.error_reason() == "backendError");
    BOOST_TEST(unavailable.error_status() == "UNAVAILABLE");
    BOOST_TEST(c.get(labels, token).status == 200u); // other methods are untouched

    BOOST_TEST_REQUIRE(set_faults("gmail.users.labels.list:429=1").status == 200u); // replaces the rules
    BOOST_TEST(c.get(profile, token).status == 200u);
    auto limited = c.get(labels, token);
    BOOST_TEST(limited.status == 429u);
    BOOST_TEST(limited.error_reason() == "rateLimitExceeded");
    BOOST_TEST(limited.error_status() == "RESOURCE_EXHAUSTED");
    BOOST_TEST(limited.error_message() == "Resource has been exhausted (e.g. check quota).");

    BOOST_TEST_REQUIRE(set_faults("gmail.*:500=1").status == 200u);
    auto internal = c.get(labels, token);
    BOOST_TEST(internal.status == 500u);
    BOOST_TEST(internal.error_reason() == "backendError");
    BOOST_TEST(internal.error_status() == "INTERNAL");

    BOOST_TEST_REQUIRE(set_faults("").status == 200u);
    BOOST_TEST(c.get(labels, token).status == 200u);
    BOOST_TEST(set_faults("not a spec").status == 400u);
    BOOST_TEST(c.get("/_emulator/faults").status == 404u); // the controls take POST only
    auto stats = c.get("/_emulator/stats").json();
    BOOST_TEST(stats.at("methods").at("gmail.users.getProfile").at("503").as_int64() == 1);

    // Quota: the scaled bucket runs out within four sends; switched off, nothing is refused.
    unsigned refused = 0;
    for (int i = 0; i < 4 && refused == 0; ++i) {
        auto r = c.post_json(send_path, send_body("user2@example.com", "q", "<q" + std::to_string(i) + "@x>"), token);
        if (r.status == 429u) {
            BOOST_TEST(r.error_reason() == "rateLimitExceeded");
            ++refused;
        } else {
            BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        }
    }
    BOOST_TEST_REQUIRE(refused == 1u);
    BOOST_TEST_REQUIRE(c.request("POST", "/_emulator/quota?enabled=false").status == 200u);
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(c.post_json(send_path, send_body("user2@example.com", "free", "<free" + std::to_string(i) + "@x>"),
                               token)
                       .status == 200u);
    BOOST_TEST_REQUIRE(c.request("POST", "/_emulator/quota?enabled=true").status == 200u);
    BOOST_TEST(c.post_json(send_path, send_body("user2@example.com", "again", "<again@x>"), token).status == 429u);
}

BOOST_AUTO_TEST_SUITE_END()
