// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/emulator/oauth_server.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>

using namespace gapi::emulator;
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

// ---- fixtures ----------------------------------------------------------------------

constexpr std::string_view client_id = "gapi-emulator.apps.googleusercontent.com";
constexpr std::string_view sa_email = "gapi-emulator@gapi-emulator.iam.gserviceaccount.com";
constexpr std::string_view gmail_send = "https://www.googleapis.com/auth/gmail.send";
constexpr std::string_view calendar = "https://www.googleapis.com/auth/calendar";
// PKCE pair; the challenge was computed with the openssl command line:
//   printf %s "$V" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
constexpr std::string_view verifier = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz.ABCDEFGHIJ~_";
constexpr std::string_view challenge = "1IvNfBJ9Xl5kmipT8o11nC8YVh9eUHT3oYNrhsJjZTQ";

clock_type::time_point const t0 =
    std::chrono::sys_days{std::chrono::year{2026} / 5 / 1} + std::chrono::hours{12};

std::int64_t epoch(clock_type::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string generate_key_pem() {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), &EVP_PKEY_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!key || !bio ||
        PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw std::runtime_error("key generation failed");
    char* data = nullptr;
    long const size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

// RSA key generation costs tens of milliseconds, so every test shares one key.
std::string const& shared_key() {
    static std::string const pem = generate_key_pem();
    return pem;
}

oauth_config make_config() {
    oauth_config c;
    c.users = {"user1@example.com", "user2@example.com", "outsider@other.org"};
    c.seed = 7;
    c.service_account_key_pem = shared_key();
    return c;
}

api_request get(std::string_view target, clock_type::time_point now = t0) {
    api_request r;
    r.method = verb::get;
    r.url = boost::urls::url(target);
    r.now = now;
    return r;
}

api_request post_form(std::string_view target, std::string body, clock_type::time_point now = t0) {
    api_request r;
    r.method = verb::post;
    r.url = boost::urls::url(target);
    r.headers.set(http::field::content_type, "application/x-www-form-urlencoded");
    r.body = std::move(body);
    r.now = now;
    return r;
}

api_request api_call(std::string_view token, clock_type::time_point now = t0) {
    api_request r = get("/gmail/v1/users/me/profile", now);
    r.headers.set(http::field::authorization, "Bearer " + std::string(token));
    return r;
}

json::object body_of(api_response const& res) {
    return json::parse(res.body).as_object();
}

std::string str(json::value const& v) {
    return std::string(v.as_string());
}

void check_oauth_error(api_response const& res, unsigned status, std::string_view error,
                       std::string_view description) {
    BOOST_TEST(res.status == status);
    auto const body = body_of(res);
    BOOST_TEST(str(body.at("error")) == error);
    BOOST_TEST(str(body.at("error_description")) == description);
    BOOST_TEST(body.size() == 2u);
    BOOST_TEST(res.headers[http::field::cache_control] == "no-cache, no-store, max-age=0, must-revalidate");
}

std::string const secret_params =
    "client_id=gapi-emulator.apps.googleusercontent.com&client_secret=GOCSPX-gapi-emulator-secret";

std::string const auth_base =
    "/o/oauth2/auth?response_type=code&client_id=gapi-emulator.apps.googleusercontent.com"
    "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2F";
std::string const scope_param = "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fgmail.send+https%3A%2F%"
                                "2Fwww.googleapis.com%2Fauth%2Fcalendar";
std::string const pkce_params = "&code_challenge=" + std::string(challenge) + "&code_challenge_method=S256";

std::string location_param(api_response const& res, std::string_view key) {
    boost::urls::url_view const u(res.headers[http::field::location]);
    auto const it = u.params().find(key);
    return it == u.params().end() ? std::string("<absent>") : std::string((*it).value);
}

struct fixture {
    oauth_server server{make_config()};
    fixture() { server.set_base_url("http://127.0.0.1:5555"); }

    /// Runs authorize and returns the code from the redirect.
    std::string code_for(std::string const& extra = pkce_params + "&access_type=offline&state=s") {
        auto const res = server.authorize(get(auth_base + scope_param + extra));
        BOOST_TEST_REQUIRE(res.status == 302u);
        return location_param(res, "code");
    }

    api_response exchange(std::string const& code,
                          std::string const& extra = "&code_verifier=" + std::string(verifier),
                          clock_type::time_point now = t0) {
        return server.token(post_form("/token",
                                      "grant_type=authorization_code&code=" + code +
                                          "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2F&" + secret_params +
                                          extra,
                                      now));
    }

    api_response refresh(std::string const& refresh_token, std::string const& extra = "",
                         clock_type::time_point now = t0) {
        return server.token(post_form(
            "/token", "grant_type=refresh_token&refresh_token=" + refresh_token + "&" + secret_params + extra,
            now));
    }

    std::string access_token_for(std::string const& email) {
        auto const res = refresh(server.refresh_token_of(email));
        BOOST_TEST_REQUIRE(res.status == 200u);
        return str(body_of(res).at("access_token"));
    }

    // A copy of the principal, so that tests may hold it while the server issues tokens.
    std::variant<principal, api_response> auth(std::string_view token,
                                               clock_type::time_point now = t0) const {
        auto result = server.authenticate(api_call(token, now));
        if (auto const* who = std::get_if<principal const*>(&result))
            return **who;
        return std::get<api_response>(std::move(result));
    }
};

// ---- JWTs built independently of the server -----------------------------------------

std::string sign_jwt(std::string const& key_pem, std::string const& header, std::string const& claims) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!key || !ctx)
        throw std::runtime_error("cannot load key");
    auto const input = encode_base64url(header) + "." + encode_base64url(claims);
    std::size_t size = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<unsigned char const*>(input.data()),
                       input.size()) != 1)
        throw std::runtime_error("cannot sign");
    std::string signature(size, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                       reinterpret_cast<unsigned char const*>(input.data()), input.size()) != 1)
        throw std::runtime_error("cannot sign");
    signature.resize(size);
    return input + "." + encode_base64url(signature);
}

struct claims {
    std::string iss = std::string(sa_email);
    std::string aud = "https://oauth2.googleapis.com/token";
    std::string scope = "https://www.googleapis.com/auth/gmail.send";
    std::string sub;
    std::int64_t iat = epoch(t0);
    std::int64_t exp = epoch(t0) + 3600;

    std::string text() const {
        std::string out = "{\"iss\":\"" + iss + "\",\"scope\":\"" + scope + "\",\"aud\":\"" + aud +
                          "\",\"iat\":" + std::to_string(iat) + ",\"exp\":" + std::to_string(exp);
        if (!sub.empty())
            out += ",\"sub\":\"" + sub + "\"";
        return out + "}";
    }
};

struct jwt_fixture : fixture {
    json::object sa = server.service_account_json();
    std::string key_pem = str(sa.at("private_key"));
    std::string header =
        "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + str(sa.at("private_key_id")) + "\"}";

    api_response grant(std::string const& assertion, clock_type::time_point now = t0) {
        return server.token(post_form(
            "/token",
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion, now));
    }
    api_response grant(claims const& c) { return grant(sign_jwt(key_pem, header, c.text())); }
};

constexpr std::string_view timeframe_error = "Invalid JWT: Token must be a short-lived token (60 minutes) "
                                             "and in a reasonable timeframe. Check your iat and "
                                             "exp values in the JWT claim.";

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_oauth)

// ---- authorize ---------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(authorize_redirects_with_state_code_and_scope, fixture) {
    auto const res = server.authorize(get(auth_base + scope_param + pkce_params + "&state=a+b%2Bc%26d"));
    BOOST_TEST(res.status == 302u);
    std::string const location(res.headers[http::field::location]);
    BOOST_TEST(location.starts_with("http://127.0.0.1:8765/?state=a%20b%2Bc%26d&code=4/0A"));
    BOOST_TEST(
        location.find("&scope=https://www.googleapis.com/auth/gmail.send%20https://www.googleapis.com/auth/"
                      "calendar&authuser=0&prompt=consent") != std::string::npos);
    BOOST_TEST(location_param(res, "state") == "a b+c&d");
    BOOST_TEST(location_param(res, "code").size() == 74u);
}

BOOST_FIXTURE_TEST_CASE(authorize_keeps_query_of_redirect_uri, fixture) {
    auto const res =
        server.authorize(get("/o/oauth2/v2/auth?response_type=code&client_id=" + std::string(client_id) +
                             "&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcb%3Fx%3D1&scope=openid+email"));
    BOOST_TEST(res.status == 302u);
    BOOST_TEST(std::string(res.headers[http::field::location])
                   .starts_with("http://localhost:8080/cb?x=1&code=4/0A"));
    BOOST_TEST(location_param(res, "state") == "<absent>");
    BOOST_TEST(location_param(res, "scope") == "openid email");
}

BOOST_FIXTURE_TEST_CASE(authorize_accepts_every_loopback_form, fixture) {
    for (std::string const uri : {"http%3A%2F%2F127.0.0.1", "http%3A%2F%2F127.0.0.1%3A1%2Fpath",
                                  "http%3A%2F%2F%5B%3A%3A1%5D%3A9000", "http%3A%2F%2Flocalhost%3A8080%2F"}) {
        auto const res =
            server.authorize(get("/o/oauth2/auth?response_type=code&client_id=" + std::string(client_id) +
                                 "&redirect_uri=" + uri + scope_param));
        BOOST_TEST(res.status == 302u, uri);
    }
}

BOOST_FIXTURE_TEST_CASE(authorize_rejects_non_loopback_redirects, fixture) {
    for (std::string const uri :
         {"https%3A%2F%2F127.0.0.1%3A8080%2F", "http%3A%2F%2F192.168.1.2%3A8080%2F",
          "http%3A%2F%2Flocalhost.evil.com%2F", "http%3A%2F%2Fexample.com%2F",
          "urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob", "http%3A%2F%2F127.0.0.1%2F%23frag"}) {
        auto const res =
            server.authorize(get("/o/oauth2/auth?response_type=code&client_id=" + std::string(client_id) +
                                 "&redirect_uri=" + uri + scope_param));
        BOOST_TEST(res.status == 400u, uri);
        BOOST_TEST(res.body.find("Error 400: redirect_uri_mismatch") != std::string::npos, uri);
    }
}

BOOST_FIXTURE_TEST_CASE(authorize_unknown_client_shows_error_page, fixture) {
    auto const res = server.authorize(
        get("/o/oauth2/"
            "auth?response_type=code&client_id=nope.apps.googleusercontent.com&redirect_uri=http%3A%2F%2F"
            "127.0.0.1%3A8765%2F" +
            scope_param));
    BOOST_TEST(res.status == 400u);
    BOOST_TEST(res.headers[http::field::content_type] == "text/html; charset=utf-8");
    BOOST_TEST(res.body.find("Error 400: invalid_client") != std::string::npos);
    BOOST_TEST(res.body.find("The OAuth client was not found.") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(authorize_missing_parameters, fixture) {
    auto missing_client = server.authorize(get("/o/oauth2/auth?response_type=code" + scope_param));
    BOOST_TEST(missing_client.status == 400u);
    BOOST_TEST(missing_client.body.find("Missing required parameter: client_id") != std::string::npos);

    auto missing_scope = server.authorize(get(auth_base));
    BOOST_TEST(missing_scope.status == 400u);
    BOOST_TEST(missing_scope.body.find("Missing required parameter: scope") != std::string::npos);

    auto missing_redirect = server.authorize(
        get("/o/oauth2/auth?response_type=code&client_id=" + std::string(client_id) + scope_param));
    BOOST_TEST(missing_redirect.body.find("Missing required parameter: redirect_uri") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(authorize_rejects_other_response_types, fixture) {
    auto const res =
        server.authorize(get("/o/oauth2/auth?response_type=token&client_id=" + std::string(client_id) +
                             "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2F" + scope_param));
    BOOST_TEST(res.status == 400u);
    BOOST_TEST(res.body.find("Error 400: unsupported_response_type") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(authorize_rejects_unknown_scopes, fixture) {
    auto const res = server.authorize(
        get(auth_base +
            "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fgmail.send%20https%3A%2F%2Fwww.googleapis."
            "com%2Fauth%2Fdrive+bogus"));
    BOOST_TEST(res.status == 400u);
    BOOST_TEST(res.body.find("Error 400: invalid_scope") != std::string::npos);
    BOOST_TEST(
        res.body.find("Some requested scopes were invalid. {invalid=[https://www.googleapis.com/auth/drive, "
                      "bogus]}") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(authorize_validates_pkce_parameters, fixture) {
    auto bad_method =
        server.authorize(get(auth_base + scope_param + "&code_challenge=" + std::string(challenge) +
                             "&code_challenge_method=S512"));
    BOOST_TEST(bad_method.status == 400u);
    BOOST_TEST(bad_method.body.find("Error 400: invalid_request") != std::string::npos);

    auto short_challenge =
        server.authorize(get(auth_base + scope_param + "&code_challenge=abc&code_challenge_method=S256"));
    BOOST_TEST(short_challenge.status == 400u);

    auto bad_chars = server.authorize(
        get(auth_base + scope_param +
            "&code_challenge=1IvNfBJ9Xl5kmipT8o11nC8YVh9eUHT3oYNrhsJjZT%2B&code_challenge_method=S256"));
    BOOST_TEST(bad_chars.status == 400u);
}

BOOST_FIXTURE_TEST_CASE(authorize_escapes_the_error_page, fixture) {
    auto const res = server.authorize(get(auth_base + "&scope=%3Cscript%3E"));
    BOOST_TEST(res.body.find("<script>") == std::string::npos);
    BOOST_TEST(res.body.find("&lt;script&gt;") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(denied_consent_redirects_with_access_denied, fixture) {
    server.set_consent(false);
    auto const res = server.authorize(get(auth_base + scope_param + "&state=xyz"));
    BOOST_TEST(res.status == 302u);
    BOOST_TEST(res.headers[http::field::location] == "http://127.0.0.1:8765/?error=access_denied&state=xyz");
    BOOST_TEST(server.inspect_json().at("pending_codes") == 0);
}

BOOST_FIXTURE_TEST_CASE(login_hint_selects_the_consenting_user, fixture) {
    auto const code = code_for(pkce_params + "&login_hint=user2%40example.com");
    auto const res = exchange(code);
    BOOST_TEST_REQUIRE(res.status == 200u);
    auto const who = auth(str(body_of(res).at("access_token")));
    BOOST_TEST(std::get<principal>(who).email == "user2@example.com");

    // An unknown hint falls back to the first user.
    auto const other = exchange(code_for(pkce_params + "&login_hint=nobody%40example.com"));
    BOOST_TEST(std::get<principal>(auth(str(body_of(other).at("access_token")))).email ==
               "user1@example.com");
}

// ---- authorization_code grant ----------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(installed_app_flow_end_to_end, fixture) {
    auto const code = code_for();

    check_oauth_error(
        exchange(code, "&code_verifier=verifier-0123456789-abcdefghijklmnopqrstuvwxyz.ABCDEFGHIJ~X"), 400,
        "invalid_grant", "Invalid code verifier.");
    check_oauth_error(exchange(code, ""), 400, "invalid_grant", "Missing code verifier.");

    auto const res = exchange(code);
    BOOST_TEST_REQUIRE(res.status == 200u);
    BOOST_TEST(res.headers[http::field::content_type] == "application/json; charset=utf-8");
    BOOST_TEST(res.headers[http::field::cache_control] == "no-cache, no-store, max-age=0, must-revalidate");
    BOOST_TEST(res.headers[http::field::pragma] == "no-cache");
    auto const body = body_of(res);
    BOOST_TEST(str(body.at("access_token")).starts_with("ya29."));
    BOOST_TEST(body.at("expires_in") == 3599);
    BOOST_TEST(str(body.at("refresh_token")).starts_with("1//0"));
    BOOST_TEST(str(body.at("scope")) ==
               "https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/calendar");
    BOOST_TEST(str(body.at("token_type")) == "Bearer");
    std::vector<std::string> keys;
    for (auto const& kv : body)
        keys.emplace_back(kv.key());
    BOOST_TEST((keys == std::vector<std::string>{"access_token", "expires_in", "refresh_token", "scope",
                                                 "token_type"}));

    auto const who = std::get<principal>(auth(str(body.at("access_token"))));
    BOOST_TEST(who.email == "user1@example.com");
    BOOST_TEST((who.scopes == std::vector<std::string>{std::string(gmail_send), std::string(calendar)}));
    BOOST_TEST(who.client_id == client_id);

    // The refresh token from the exchange works.
    auto const refreshed = refresh(str(body.at("refresh_token")));
    BOOST_TEST(refreshed.status == 200u);

    // Codes are single-use.
    check_oauth_error(exchange(code), 400, "invalid_grant", "Bad Request");
    BOOST_TEST(server.grants().authorization_code == 1u);
    BOOST_TEST(server.grants().failed == 3u);
}

BOOST_FIXTURE_TEST_CASE(code_without_offline_access_gives_no_refresh_token, fixture) {
    auto const res = exchange(code_for(pkce_params));
    BOOST_TEST_REQUIRE(res.status == 200u);
    BOOST_TEST(!body_of(res).contains("refresh_token"));
}

BOOST_FIXTURE_TEST_CASE(plain_pkce_and_no_pkce, fixture) {
    auto const plain = code_for("&code_challenge=" + std::string(verifier) + "&code_challenge_method=plain");
    BOOST_TEST(exchange(plain).status == 200u);

    // Without a challenge Google refuses a verifier.
    auto const none = code_for("");
    check_oauth_error(exchange(none), 400, "invalid_grant", "code_verifier or verifier is not needed.");
    BOOST_TEST(exchange(none, "").status == 200u);
}

BOOST_FIXTURE_TEST_CASE(redirect_uri_must_match, fixture) {
    auto const code = code_for();
    auto const res =
        server.token(post_form("/token", "grant_type=authorization_code&code=" + code +
                                             "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8766%2F&" +
                                             secret_params + "&code_verifier=" + std::string(verifier)));
    check_oauth_error(res, 400, "redirect_uri_mismatch", "Bad Request");
    auto const missing =
        server.token(post_form("/token", "grant_type=authorization_code&code=" + code + "&" + secret_params +
                                             "&code_verifier=" + std::string(verifier)));
    check_oauth_error(missing, 400, "invalid_request", "Missing required parameter: redirect_uri");
    // The failed attempts did not spend the code.
    BOOST_TEST(exchange(code).status == 200u);
}

BOOST_FIXTURE_TEST_CASE(codes_expire_after_ten_minutes, fixture) {
    auto const code = code_for();
    check_oauth_error(
        exchange(code, "&code_verifier=" + std::string(verifier), t0 + std::chrono::minutes(10)), 400,
        "invalid_grant", "Bad Request");
    auto const fresh = code_for();
    BOOST_TEST(
        exchange(fresh, "&code_verifier=" + std::string(verifier), t0 + std::chrono::seconds(599)).status ==
        200u);
}

BOOST_FIXTURE_TEST_CASE(unknown_and_malformed_codes, fixture) {
    check_oauth_error(exchange("4/0Aunknown"), 400, "invalid_grant", "Bad Request");
    check_oauth_error(exchange("4%252F0Adoubly-encoded"), 400, "invalid_grant", "Malformed auth code.");
    check_oauth_error(
        server.token(post_form(
            "/token",
            "grant_type=authorization_code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2F&" + secret_params)),
        400, "invalid_request", "Missing required parameter: code");
}

BOOST_FIXTURE_TEST_CASE(client_authentication_errors, fixture) {
    auto const code = code_for();
    auto const base = "grant_type=authorization_code&code=" + code +
                      "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2F&code_verifier=" + std::string(verifier);
    check_oauth_error(server.token(post_form("/token", base + "&client_secret=GOCSPX-gapi-emulator-secret")),
                      400, "invalid_request", "Could not determine client ID from request.");
    check_oauth_error(server.token(post_form(
                          "/token", base + "&client_id=other.apps.googleusercontent.com&client_secret=x")),
                      401, "invalid_client", "The OAuth client was not found.");
    check_oauth_error(
        server.token(
            post_form("/token", base + "&client_id=gapi-emulator.apps.googleusercontent.com&client_secret=")),
        400, "invalid_request", "client_secret is missing.");
    check_oauth_error(
        server.token(post_form(
            "/token", base + "&client_id=gapi-emulator.apps.googleusercontent.com&client_secret=wrong")),
        401, "invalid_client", "Unauthorized");

    // HTTP Basic client authentication (base64 of "client_id:client_secret", written by hand).
    auto basic = post_form("/token", base);
    basic.headers.set(
        http::field::authorization,
        "Basic Z2FwaS1lbXVsYXRvci5hcHBzLmdvb2dsZXVzZXJjb250ZW50LmNvbTpHT0NTUFgtZ2FwaS1lbXVsYXRvci1zZWNyZXQ=");
    BOOST_TEST(server.token(basic).status == 200u);
}

BOOST_FIXTURE_TEST_CASE(grant_type_errors, fixture) {
    check_oauth_error(server.token(post_form("/token", "grant_type=password&" + secret_params)), 400,
                      "unsupported_grant_type", "Invalid grant_type: password");
    check_oauth_error(server.token(post_form("/token", secret_params)), 400, "invalid_request",
                      "Missing required parameter: grant_type");
    check_oauth_error(server.token(post_form("/token", "grant_type=refresh_token&" + secret_params)), 400,
                      "invalid_request", "Missing required parameter: refresh_token");
    check_oauth_error(server.token(post_form("/token", "grant_type=x&%zz")), 400, "invalid_request",
                      "Invalid request body.");
    BOOST_TEST(server.token(get("/token")).status == 405u);
    BOOST_TEST(server.grants().failed == 5u);
}

BOOST_FIXTURE_TEST_CASE(token_accepts_a_json_body, fixture) {
    api_request req = post_form("/token", "");
    req.headers.set(http::field::content_type, "application/json");
    req.body =
        R"({"grant_type":"refresh_token","refresh_token":")" + server.refresh_token_of("user1@example.com") +
        R"(","client_id":"gapi-emulator.apps.googleusercontent.com","client_secret":"GOCSPX-gapi-emulator-secret"})";
    BOOST_TEST(server.token(req).status == 200u);
}

// ---- refresh_token grant ----------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(refresh_with_the_preissued_token, fixture) {
    auto const res = refresh(server.refresh_token_of("user1@example.com"));
    BOOST_TEST_REQUIRE(res.status == 200u);
    auto const body = body_of(res);
    BOOST_TEST(!body.contains("refresh_token"));
    BOOST_TEST(body.at("expires_in") == 3599);
    BOOST_TEST(str(body.at("token_type")) == "Bearer");
    auto const scope = str(body.at("scope"));
    BOOST_TEST(scope.find("https://mail.google.com/") != std::string::npos);
    BOOST_TEST(scope.find("https://www.googleapis.com/auth/calendar.readonly") != std::string::npos);
    BOOST_TEST(server.grants().refresh_token == 1u);
    BOOST_TEST(server.refresh_token_of("nobody@example.com").empty());
}

BOOST_FIXTURE_TEST_CASE(refresh_may_narrow_but_not_widen_scopes, fixture) {
    auto const rt = server.refresh_token_of("user1@example.com");
    // '+' is a space in form bodies.
    auto const narrowed =
        refresh(rt, "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fgmail.send+https%3A%2F%2F"
                    "www.googleapis.com%2Fauth%2Fcalendar");
    BOOST_TEST_REQUIRE(narrowed.status == 200u);
    BOOST_TEST(str(body_of(narrowed).at("scope")) ==
               "https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/calendar");
    auto const who = std::get<principal>(auth(str(body_of(narrowed).at("access_token"))));
    BOOST_TEST(who.scopes.size() == 2u);

    check_oauth_error(refresh(rt, "&scope=openid"), 400, "invalid_scope",
                      "Some requested scopes were invalid. {invalid=[openid]}");
}

BOOST_FIXTURE_TEST_CASE(unknown_and_revoked_refresh_tokens, fixture) {
    check_oauth_error(refresh("1//0unknown"), 400, "invalid_grant", "Token has been expired or revoked.");
    auto const access = access_token_for("user1@example.com");
    server.revoke_refresh_tokens("user1@example.com");
    check_oauth_error(refresh(server.refresh_token_of("user1@example.com")), 400, "invalid_grant",
                      "Token has been expired or revoked.");
    // Access tokens survive; other users are untouched.
    BOOST_TEST(std::holds_alternative<principal>(auth(access)));
    BOOST_TEST(refresh(server.refresh_token_of("user2@example.com")).status == 200u);
}

// ---- authenticate ------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(access_tokens_expire_after_the_ttl, fixture) {
    auto const token = access_token_for("user1@example.com");
    BOOST_TEST(std::holds_alternative<principal>(auth(token, t0 + std::chrono::seconds(3599))));
    auto const expired = auth(token, t0 + std::chrono::seconds(3600));
    BOOST_TEST_REQUIRE(std::holds_alternative<api_response>(expired));
    auto const& res = std::get<api_response>(expired);
    BOOST_TEST(res.status == 401u);
    BOOST_TEST(res.headers[http::field::www_authenticate] ==
               "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
    BOOST_TEST(json::parse(res.body) == json::parse(R"({"error":{"code":401,
        "message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        "errors":[{"message":"Invalid Credentials","domain":"global","reason":"authError","location":"Authorization","locationType":"header"}],
        "status":"UNAUTHENTICATED"}})"));
}

BOOST_FIXTURE_TEST_CASE(missing_credentials_get_login_required, fixture) {
    auto const result = server.authenticate(get("/gmail/v1/users/me/profile"));
    BOOST_TEST_REQUIRE(std::holds_alternative<api_response>(result));
    auto const& res = std::get<api_response>(result);
    BOOST_TEST(res.status == 401u);
    BOOST_TEST(res.headers[http::field::www_authenticate] == "Bearer realm=\"https://accounts.google.com/\"");
    BOOST_TEST(json::parse(res.body) == json::parse(R"({"error":{"code":401,
        "message":"Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        "errors":[{"message":"Login Required.","domain":"global","reason":"required","location":"Authorization","locationType":"header"}],
        "status":"UNAUTHENTICATED",
        "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"CREDENTIALS_MISSING","domain":"googleapis.com","metadata":{"service":"gmail.googleapis.com"}}]}})"));

    auto const cal = std::get<api_response>(server.authenticate(get("/calendar/v3/users/me/calendarList")));
    BOOST_TEST(cal.body.find("\"service\":\"calendar-json.googleapis.com\"") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(garbage_and_foreign_credentials_are_invalid, fixture) {
    for (std::string const header : {"Bearer garbage", "Bearer ", "Basic dXNlcjpwYXNz", "ya29.nobearer"}) {
        auto req = get("/gmail/v1/users/me/profile");
        req.headers.set(http::field::authorization, header);
        auto const result = server.authenticate(req);
        BOOST_TEST_REQUIRE(std::holds_alternative<api_response>(result), header);
        BOOST_TEST(std::get<api_response>(result).status == 401u);
        BOOST_TEST(std::get<api_response>(result).body.find("\"reason\":\"authError\"") != std::string::npos);
    }
}

BOOST_FIXTURE_TEST_CASE(token_in_query_and_lowercase_scheme, fixture) {
    auto const token = access_token_for("user2@example.com");
    auto const by_query = server.authenticate(get("/gmail/v1/users/me/profile?access_token=" + token));
    BOOST_TEST(std::get<principal const*>(by_query)->email == "user2@example.com");
    auto req = get("/gmail/v1/users/me/profile");
    req.headers.set(http::field::authorization, "bearer  " + token);
    BOOST_TEST(std::get<principal const*>(server.authenticate(req))->email == "user2@example.com");
}

BOOST_FIXTURE_TEST_CASE(revoke_access_tokens_control, fixture) {
    auto const a = access_token_for("user1@example.com");
    auto const b = access_token_for("user2@example.com");
    server.revoke_access_tokens("user1@example.com");
    BOOST_TEST(std::holds_alternative<api_response>(auth(a)));
    BOOST_TEST(std::holds_alternative<principal>(auth(b)));
    // The refresh token still works and mints a valid token.
    BOOST_TEST(std::holds_alternative<principal>(auth(access_token_for("user1@example.com"))));
}

BOOST_FIXTURE_TEST_CASE(insufficient_scope_response, fixture) {
    std::string_view const accepted[] = {"https://mail.google.com/",
                                         "https://www.googleapis.com/auth/gmail.readonly"};
    auto const res = server.insufficient_scope(accepted);
    BOOST_TEST(res.status == 403u);
    BOOST_TEST(res.headers[http::field::www_authenticate] ==
               "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", "
               "scope=\"https://mail.google.com/ https://www.googleapis.com/auth/gmail.readonly\"");
    BOOST_TEST(json::parse(res.body) == json::parse(R"({"error":{"code":403,
        "message":"Request had insufficient authentication scopes.",
        "errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],
        "status":"PERMISSION_DENIED",
        "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT","domain":"googleapis.com"}]}})"));
}

// ---- revoke endpoint -------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(revoking_a_refresh_token_kills_its_access_tokens, fixture) {
    auto const rt = server.refresh_token_of("user1@example.com");
    auto const access = access_token_for("user1@example.com");
    auto const other = access_token_for("user2@example.com");
    auto const res = server.revoke(post_form("/revoke", "token=" + rt));
    BOOST_TEST(res.status == 200u);
    BOOST_TEST(res.body == "{}");
    BOOST_TEST(res.headers[http::field::content_type] == "application/json; charset=utf-8");
    BOOST_TEST(std::holds_alternative<api_response>(auth(access)));
    BOOST_TEST(std::holds_alternative<principal>(auth(other)));
    check_oauth_error(refresh(rt), 400, "invalid_grant", "Token has been expired or revoked.");
    BOOST_TEST(server.grants().revocations == 1u);
}

BOOST_FIXTURE_TEST_CASE(revoking_an_access_token_revokes_its_grant, fixture) {
    auto const rt = server.refresh_token_of("user2@example.com");
    auto const access = access_token_for("user2@example.com");
    // Token in the query string this time.
    BOOST_TEST(server.revoke(post_form("/revoke?token=" + access, "")).status == 200u);
    BOOST_TEST(std::holds_alternative<api_response>(auth(access)));
    check_oauth_error(refresh(rt), 400, "invalid_grant", "Token has been expired or revoked.");
}

BOOST_FIXTURE_TEST_CASE(revoking_unknown_tokens, fixture) {
    check_oauth_error(server.revoke(post_form("/revoke", "token=ya29.unknown")), 400, "invalid_token",
                      "Token expired or revoked");
    auto const rt = server.refresh_token_of("user1@example.com");
    BOOST_TEST(server.revoke(post_form("/revoke", "token=" + rt)).status == 200u);
    check_oauth_error(server.revoke(post_form("/revoke", "token=" + rt)), 400, "invalid_token",
                      "Token expired or revoked");
    check_oauth_error(server.revoke(post_form("/revoke", "")), 400, "invalid_request",
                      "Missing required parameter: token");
}

// ---- JWT bearer grant --------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(jwt_grant_for_the_service_account_itself, jwt_fixture) {
    auto const res = grant(claims{});
    BOOST_TEST_REQUIRE(res.status == 200u);
    auto const body = body_of(res);
    BOOST_TEST(body.size() == 3u);
    BOOST_TEST(body.at("expires_in") == 3599);
    BOOST_TEST(str(body.at("token_type")) == "Bearer");
    auto const who = std::get<principal>(auth(str(body.at("access_token"))));
    BOOST_TEST(who.email == sa_email);
    BOOST_TEST((who.scopes == std::vector<std::string>{std::string(gmail_send)}));
    BOOST_TEST(who.client_id == str(sa.at("client_id")));
    BOOST_TEST(server.grants().jwt_bearer == 1u);
}

BOOST_FIXTURE_TEST_CASE(jwt_grant_with_delegation, jwt_fixture) {
    claims c;
    c.sub = "user1@example.com";
    c.scope = "https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/calendar";
    c.aud = "http://127.0.0.1:5555/token";
    auto const res = grant(c);
    BOOST_TEST_REQUIRE(res.status == 200u);
    auto const who = std::get<principal>(auth(str(body_of(res).at("access_token"))));
    BOOST_TEST(who.email == "user1@example.com");
    BOOST_TEST(who.scopes.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(jwt_delegation_outside_the_workspace_is_refused, jwt_fixture) {
    for (std::string const sub : {"outsider@other.org", "stranger@example.com"}) {
        claims c;
        c.sub = sub;
        check_oauth_error(grant(c), 401, "unauthorized_client",
                          "Client is unauthorized to retrieve access tokens using this method, or client not "
                          "authorized for any of the scopes requested.");
    }
}

BOOST_FIXTURE_TEST_CASE(jwt_signed_by_another_key_is_rejected, jwt_fixture) {
    auto const foreign = generate_key_pem();
    check_oauth_error(grant(sign_jwt(foreign, header, claims{}.text())), 400, "invalid_grant",
                      "Invalid JWT Signature.");
    // Same key but a tampered payload.
    auto jwt = sign_jwt(key_pem, header, claims{}.text());
    auto const dot = jwt.find('.');
    jwt = jwt.substr(0, dot + 1) + encode_base64url(claims{.sub = "user1@example.com"}.text()) +
          jwt.substr(jwt.rfind('.'));
    check_oauth_error(grant(jwt), 400, "invalid_grant", "Invalid JWT Signature.");
    // A key id that is not ours.
    check_oauth_error(
        grant(sign_jwt(key_pem, R"({"alg":"RS256","typ":"JWT","kid":"0123"})", claims{}.text())), 400,
        "invalid_grant", "Invalid JWT Signature.");
    check_oauth_error(grant(sign_jwt(key_pem, R"({"alg":"HS256","typ":"JWT"})", claims{}.text())), 400,
                      "invalid_grant", "Invalid JWT Signature.");
    // No kid at all is fine.
    BOOST_TEST(grant(sign_jwt(key_pem, R"({"alg":"RS256","typ":"JWT"})", claims{}.text())).status == 200u);
}

BOOST_FIXTURE_TEST_CASE(jwt_lifetime_rules, jwt_fixture) {
    claims too_long;
    too_long.exp = too_long.iat + 7200;
    check_oauth_error(grant(too_long), 400, "invalid_grant", timeframe_error);

    claims future;
    future.iat = epoch(t0) + 600;
    future.exp = future.iat + 3600;
    check_oauth_error(grant(future), 400, "invalid_grant", timeframe_error);

    claims expired;
    expired.iat = epoch(t0) - 3600;
    expired.exp = epoch(t0);
    check_oauth_error(grant(expired), 400, "invalid_grant", timeframe_error);

    claims skewed; // a little clock skew is tolerated
    skewed.iat = epoch(t0) + 240;
    skewed.exp = skewed.iat + 3600;
    BOOST_TEST(grant(skewed).status == 200u);
}

BOOST_FIXTURE_TEST_CASE(jwt_claim_errors, jwt_fixture) {
    claims wrong_aud;
    wrong_aud.aud = "https://example.com/token";
    check_oauth_error(grant(wrong_aud), 400, "invalid_grant", "Invalid JWT: Failed audience check.");

    claims wrong_iss;
    wrong_iss.iss = "someone@else.iam.gserviceaccount.com";
    check_oauth_error(grant(wrong_iss), 400, "invalid_grant", "Invalid grant: account not found");

    claims no_scope;
    no_scope.scope = "";
    check_oauth_error(grant(no_scope), 400, "invalid_scope",
                      "Invalid OAuth scope or ID token audience provided.");
    claims bad_scope;
    bad_scope.scope = "https://www.googleapis.com/auth/drive";
    check_oauth_error(grant(bad_scope), 400, "invalid_scope",
                      "Invalid OAuth scope or ID token audience provided.");
}

BOOST_FIXTURE_TEST_CASE(jwt_malformed_assertions, jwt_fixture) {
    for (std::string const assertion :
         {"abc", "a.b", "a.b.c.d", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "!!.??.**"})
        check_oauth_error(grant(assertion), 400, "invalid_grant", "Invalid JWT: Malformed assertion.");
    check_oauth_error(
        server.token(post_form("/token", "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer")),
        400, "invalid_request", "Missing required parameter: assertion");
}

// ---- credential files -------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(client_secret_file, fixture) {
    BOOST_TEST(json::value(server.client_secret_json()) == json::parse(R"({"installed":{
        "client_id":"gapi-emulator.apps.googleusercontent.com","project_id":"gapi-emulator",
        "auth_uri":"http://127.0.0.1:5555/o/oauth2/auth","token_uri":"http://127.0.0.1:5555/token",
        "auth_provider_x509_cert_url":"http://127.0.0.1:5555/oauth2/v1/certs",
        "client_secret":"GOCSPX-gapi-emulator-secret","redirect_uris":["http://localhost"]}})"));
}

BOOST_AUTO_TEST_CASE(files_use_google_uris_without_a_base_url) {
    oauth_server server(make_config());
    auto const installed = server.client_secret_json().at("installed").as_object();
    BOOST_TEST(str(installed.at("token_uri")) == "https://oauth2.googleapis.com/token");
    BOOST_TEST(str(installed.at("auth_uri")) == "https://accounts.google.com/o/oauth2/auth");
    BOOST_TEST(server.revoke_uri() == "https://oauth2.googleapis.com/revoke");
}

BOOST_FIXTURE_TEST_CASE(service_account_file, fixture) {
    auto const sa = server.service_account_json();
    std::vector<std::string> keys;
    for (auto const& kv : sa)
        keys.emplace_back(kv.key());
    BOOST_TEST((keys == std::vector<std::string>{"type", "project_id", "private_key_id", "private_key",
                                                 "client_email", "client_id", "auth_uri", "token_uri",
                                                 "auth_provider_x509_cert_url", "client_x509_cert_url",
                                                 "universe_domain"}));
    BOOST_TEST(str(sa.at("type")) == "service_account");
    BOOST_TEST(str(sa.at("client_email")) == sa_email);
    BOOST_TEST(str(sa.at("private_key")).starts_with("-----BEGIN PRIVATE KEY-----\n"));
    BOOST_TEST(str(sa.at("private_key_id")).size() == 40u);
    BOOST_TEST(str(sa.at("private_key_id")).find_first_not_of("0123456789abcdef") == std::string::npos);
    BOOST_TEST(str(sa.at("client_id")).size() == 21u);
    BOOST_TEST(str(sa.at("token_uri")) == "http://127.0.0.1:5555/token");
    BOOST_TEST(
        str(sa.at("client_x509_cert_url")) ==
        "http://127.0.0.1:5555/robot/v1/metadata/x509/gapi-emulator%40gapi-emulator.iam.gserviceaccount.com");
    BOOST_TEST(str(sa.at("universe_domain")) == "googleapis.com");
}

BOOST_FIXTURE_TEST_CASE(authorized_user_file, fixture) {
    auto const file = server.authorized_user_json("user2@example.com", t0);
    std::vector<std::string> keys;
    for (auto const& kv : file)
        keys.emplace_back(kv.key());
    BOOST_TEST(
        (keys == std::vector<std::string>{"token", "refresh_token", "token_uri", "client_id", "client_secret",
                                          "scopes", "universe_domain", "account", "expiry"}));
    BOOST_TEST(str(file.at("refresh_token")) == server.refresh_token_of("user2@example.com"));
    BOOST_TEST(str(file.at("token_uri")) == "http://127.0.0.1:5555/token");
    BOOST_TEST(str(file.at("client_secret")) == "GOCSPX-gapi-emulator-secret");
    BOOST_TEST(file.at("scopes").as_array().size() == 31u);
    BOOST_TEST(str(file.at("account")).empty());
    BOOST_TEST(str(file.at("expiry")) == "2026-05-01T12:59:59Z");
    BOOST_TEST(std::get<principal>(auth(str(file.at("token")))).email == "user2@example.com");

    auto const later = server.authorized_user_json("user1@example.com", t0 + std::chrono::microseconds(1500));
    BOOST_TEST(str(later.at("expiry")) == "2026-05-01T12:59:59.001500Z");
    BOOST_CHECK_THROW(server.authorized_user_json("nobody@example.com", t0), std::invalid_argument);
}

// ---- construction, determinism, inspection ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(tokens_are_reproducible_from_the_seed) {
    oauth_server a(make_config()), b(make_config());
    BOOST_TEST(a.refresh_token_of("user1@example.com") == b.refresh_token_of("user1@example.com"));
    BOOST_TEST(a.service_account_json() == b.service_account_json());
    auto other = make_config();
    other.seed = 8;
    oauth_server c(other);
    BOOST_TEST(a.refresh_token_of("user1@example.com") != c.refresh_token_of("user1@example.com"));
}

BOOST_AUTO_TEST_CASE(rejects_a_key_that_is_not_rsa) {
    auto config = make_config();
    config.service_account_key_pem = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n";
    BOOST_CHECK_THROW(oauth_server{config}, std::invalid_argument);
}

BOOST_FIXTURE_TEST_CASE(inspection_never_shows_token_values, fixture) {
    auto const access = access_token_for("user1@example.com");
    exchange("4/0Aunknown");
    server.revoke(post_form("/revoke", "token=" + access));
    auto const text = json::serialize(server.inspect_json());
    BOOST_TEST(text.find("ya29.") == std::string::npos);
    BOOST_TEST(text.find("1//") == std::string::npos);
    auto const o = server.inspect_json();
    BOOST_TEST(o.at("grants").at("refresh_token") == 1);
    BOOST_TEST(o.at("grants").at("failed") == 1);
    BOOST_TEST(o.at("grants").at("revocations") == 1);
    BOOST_TEST(o.at("refresh_tokens") == 2); // user1's pre-issued token went with the revoked grant
}

BOOST_AUTO_TEST_SUITE_END()
