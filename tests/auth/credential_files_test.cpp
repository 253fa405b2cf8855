// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/auth/credential_files.hpp>

#include "auth_test_support.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace std::chrono;
using namespace std::chrono_literals;
using gapi::auth::authorized_user_info;
using gapi::auth::client_secrets;
using gapi::auth::clock_type;
using gapi::auth::credential_file_type;
using gapi::auth::service_account_info;
using gapi_test::credentials_error_of;
using gapi_test::rsa_key;
using gapi_test::temp_dir;

namespace {

// Every secret in these files contains "SECRET", so that one search shows none leaked.
constexpr char const* python_token_json =
    R"({"token": "ya29.SECRET-access", "refresh_token": "1//0gSECRET-refresh",
 "token_uri": "https://oauth2.googleapis.com/token",
 "client_id": "1234-abc.apps.googleusercontent.com", "client_secret": "GOCSPX-SECRET-client",
 "scopes": ["https://www.googleapis.com/auth/gmail.send", "https://www.googleapis.com/auth/calendar"],
 "universe_domain": "googleapis.com", "account": "", "expiry": "2026-05-01T12:34:56.789012Z"})";

constexpr char const* gcloud_adc_json = R"({
  "account": "",
  "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
  "client_secret": "d-FL95Q19q7MQmFpd7hHD0Ty-SECRET",
  "quota_project_id": "my-project",
  "refresh_token": "1//0eSECRET-adc",
  "type": "authorized_user",
  "universe_domain": "googleapis.com"
})";

constexpr char const* installed_json = R"({"installed": {
  "client_id": "1234-abc.apps.googleusercontent.com",
  "project_id": "my-project",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "client_secret": "GOCSPX-SECRET-installed",
  "redirect_uris": ["http://localhost"]}})";

clock_type::time_point utc(year_month_day date, clock_type::duration time_of_day = {}) {
    return clock_type::time_point(sys_days(date)) + time_of_day;
}

std::string slurp(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(std::string const& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

boost::json::object object_of(std::string_view text) {
    return boost::json::parse(text).as_object();
}

std::string service_account_json(std::string const& pem) {
    boost::json::object o{
        {"type", "service_account"},
        {"project_id", "proj"},
        {"private_key_id", "268f54e43a1af97cfc71731688434f45aca15c8b"},
        {"private_key", pem},
        {"client_email", "name@proj.iam.gserviceaccount.com"},
        {"client_id", "1234567890"},
        {"auth_uri", "https://accounts.google.com/o/oauth2/auth"},
        {"token_uri", "https://oauth2.googleapis.com/token"},
        {"auth_provider_x509_cert_url", "https://www.googleapis.com/oauth2/v1/certs"},
        {"client_x509_cert_url",
         "https://www.googleapis.com/robot/v1/metadata/x509/name%40proj.iam.gserviceaccount.com"},
        {"universe_domain", "googleapis.com"},
    };
    return boost::json::serialize(o);
}

bool no_secret_in(std::string const& message) {
    return message.find("SECRET") == std::string::npos && message.find("BEGIN") == std::string::npos &&
           message.find("MII") == std::string::npos;
}

mode_t mode_of(std::string const& path) {
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

} // namespace

BOOST_AUTO_TEST_SUITE(auth_files)

BOOST_AUTO_TEST_CASE(python_token_json_with_fractional_expiry) {
    temp_dir dir;
    write_text(dir.file("token.json"), python_token_json);
    auto const json = gapi::auth::read_json_file(dir.file("token.json"));
    BOOST_TEST((gapi::auth::detect_type(json) == credential_file_type::authorized_user));

    auto const info = gapi::auth::parse_authorized_user(json, "token.json");
    BOOST_TEST(info.refresh_token == "1//0gSECRET-refresh");
    BOOST_TEST(info.client_id == "1234-abc.apps.googleusercontent.com");
    BOOST_TEST(info.client_secret == "GOCSPX-SECRET-client");
    BOOST_TEST(info.token_uri == "https://oauth2.googleapis.com/token");
    BOOST_TEST(info.scopes == (std::vector<std::string>{"https://www.googleapis.com/auth/gmail.send",
                                                        "https://www.googleapis.com/auth/calendar"}),
               boost::test_tools::per_element());
    BOOST_TEST(info.universe_domain == "googleapis.com");
    BOOST_TEST(info.account == "");
    BOOST_TEST(info.rapt_token == "");
    BOOST_TEST_REQUIRE(info.token.has_value());
    BOOST_TEST(info.token->value == "ya29.SECRET-access");
    BOOST_TEST((info.token->expiry == utc(2026y / May / 1, 12h + 34min + 56s + 789012us)));
    BOOST_TEST(info.token->scopes == info.scopes, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(python_token_json_without_fraction_scopes_as_string_and_own_token_uri) {
    auto const info = gapi::auth::parse_authorized_user(
        object_of(R"({"token": "ya29.x", "refresh_token": "1//r", "token_uri": "http://127.0.0.1:8443/token",
                      "client_id": "c", "client_secret": "s", "scopes": "a  b c",
                      "rapt_token": "rapt", "expiry": "2026-05-01T12:34:56Z"})"),
        "token.json");
    BOOST_TEST(info.token_uri == "http://127.0.0.1:8443/token");
    BOOST_TEST(info.scopes == (std::vector<std::string>{"a", "b", "c"}), boost::test_tools::per_element());
    BOOST_TEST(info.rapt_token == "rapt");
    BOOST_TEST(info.universe_domain == "");
    BOOST_TEST_REQUIRE(info.token.has_value());
    BOOST_TEST((info.token->expiry == utc(2026y / May / 1, 12h + 34min + 56s)));
}

BOOST_AUTO_TEST_CASE(a_token_without_expiry_counts_as_expired) {
    auto const info = gapi::auth::parse_authorized_user(
        object_of(R"({"token": "ya29.x", "refresh_token": "1//r", "client_id": "c", "client_secret": "s"})"),
        "t");
    BOOST_TEST_REQUIRE(info.token.has_value());
    BOOST_TEST((info.token->expiry == clock_type::time_point::min()));
    BOOST_TEST(info.token->expires_within(0s, clock_type::now()));
    BOOST_TEST(info.scopes.empty());

    // An empty expiry and JSON nulls are as good as absent; no token, no access_token.
    auto const nulls = gapi::auth::parse_authorized_user(
        object_of(
            R"({"token": null, "expiry": "", "refresh_token": "1//r", "client_id": "c", "client_secret": "s",
                      "scopes": null, "account": null})"),
        "t");
    BOOST_TEST(!nulls.token.has_value());
    BOOST_TEST(nulls.scopes.empty());
}

BOOST_AUTO_TEST_CASE(gcloud_application_default_credentials) {
    auto const json = object_of(gcloud_adc_json);
    BOOST_TEST((gapi::auth::detect_type(json) == credential_file_type::authorized_user));
    auto const info = gapi::auth::parse_authorized_user(json, "application_default_credentials.json");
    BOOST_TEST(info.client_id == "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com");
    BOOST_TEST(info.refresh_token == "1//0eSECRET-adc");
    BOOST_TEST(info.quota_project_id == "my-project");
    BOOST_TEST(info.token_uri == "https://oauth2.googleapis.com/token");
    BOOST_TEST(!info.token.has_value());
    BOOST_TEST(info.scopes.empty());
}

BOOST_AUTO_TEST_CASE(service_account_key_in_pkcs8_and_pkcs1) {
    for (auto const* pem : {&rsa_key().pkcs8_pem, &rsa_key().pkcs1_pem}) {
        auto const json = object_of(service_account_json(*pem));
        BOOST_TEST((gapi::auth::detect_type(json) == credential_file_type::service_account));
        auto const info = gapi::auth::parse_service_account(json, "service_account.json");
        BOOST_TEST(info.client_email == "name@proj.iam.gserviceaccount.com");
        BOOST_TEST(info.private_key_pem == *pem);
        BOOST_TEST(info.private_key_id == "268f54e43a1af97cfc71731688434f45aca15c8b");
        BOOST_TEST(info.token_uri == "https://oauth2.googleapis.com/token");
        BOOST_TEST(info.project_id == "proj");
        BOOST_TEST(info.client_id == "1234567890");
        BOOST_TEST(info.universe_domain == "googleapis.com");
    }
    BOOST_TEST(rsa_key().pkcs1_pem.find("BEGIN RSA PRIVATE KEY") != std::string::npos);
    BOOST_TEST(rsa_key().pkcs8_pem.find("BEGIN PRIVATE KEY") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(client_secrets_installed_web_and_both) {
    auto const installed_object = object_of(installed_json);
    BOOST_TEST((gapi::auth::detect_type(installed_object) == credential_file_type::client_secrets));
    auto const installed = gapi::auth::parse_client_secrets(installed_object, "client_secret.json");
    BOOST_TEST(installed.kind == "installed");
    BOOST_TEST(installed.client_id == "1234-abc.apps.googleusercontent.com");
    BOOST_TEST(installed.client_secret == "GOCSPX-SECRET-installed");
    BOOST_TEST(installed.auth_uri == "https://accounts.google.com/o/oauth2/auth");
    BOOST_TEST(installed.token_uri == "https://oauth2.googleapis.com/token");
    BOOST_TEST(installed.project_id == "my-project");
    BOOST_TEST(installed.redirect_uris == std::vector<std::string>{"http://localhost"},
               boost::test_tools::per_element());

    auto const web = gapi::auth::parse_client_secrets(
        object_of(R"({"web": {"client_id": "w", "client_secret": "ws", "auth_uri": "http://127.0.0.1:9/auth",
                              "token_uri": "http://127.0.0.1:9/token", "javascript_origins": ["http://localhost"],
                              "redirect_uris": ["urn:ietf:wg:oauth:2.0:oob", "http://localhost"]}})"),
        "client_secret.json");
    BOOST_TEST(web.kind == "web");
    BOOST_TEST(web.auth_uri == "http://127.0.0.1:9/auth");
    BOOST_TEST(web.token_uri == "http://127.0.0.1:9/token");
    BOOST_TEST(web.redirect_uris.size() == 2u);

    // Like google-auth-oauthlib, "web" wins when a file has both.
    auto const both = gapi::auth::parse_client_secrets(
        object_of(R"({"installed": {"client_id": "i"}, "web": {"client_id": "w"}})"), "client_secret.json");
    BOOST_TEST(both.kind == "web");
    BOOST_TEST(both.client_id == "w");
    BOOST_TEST(both.auth_uri == "https://accounts.google.com/o/oauth2/auth"); // defaults
    BOOST_TEST(both.client_secret == "");
}

BOOST_AUTO_TEST_CASE(detect_type_by_content) {
    using t = credential_file_type;
    auto const type = [](char const* text) { return gapi::auth::detect_type(object_of(text)); };
    BOOST_TEST((type(R"({"type": "authorized_user"})") == t::authorized_user));
    BOOST_TEST((type(R"({"type": "service_account"})") == t::service_account));
    BOOST_TEST(
        (type(R"({"type": "external_account", "refresh_token": "r", "client_id": "c"})") == t::unknown));
    BOOST_TEST((type(R"({"type": 7})") == t::unknown));
    BOOST_TEST((type(R"({"installed": {}})") == t::client_secrets));
    BOOST_TEST((type(R"({"web": {}})") == t::client_secrets));
    BOOST_TEST((type(R"({"web": "x"})") == t::unknown));
    BOOST_TEST((type(R"({"refresh_token": "r", "client_id": "c"})") == t::authorized_user));
    BOOST_TEST((type(R"({"client_id": "c"})") == t::unknown));
    BOOST_TEST((type(R"({})") == t::unknown));
}

BOOST_AUTO_TEST_CASE(authorized_user_errors_name_file_and_field_never_the_secret) {
    auto const message = [](std::string_view text) {
        return credentials_error_of(
            [&] { gapi::auth::parse_authorized_user(object_of(text), "token.json"); });
    };
    struct case_t {
        char const* json;
        char const* expected;
    };
    case_t const cases[] = {
        {R"({"client_id": "c", "client_secret": "SECRET-1"})", "token.json: missing field 'refresh_token'"},
        {R"({"refresh_token": "1//SECRET", "client_secret": "SECRET-1"})",
         "token.json: missing field 'client_id'"},
        {R"({"refresh_token": "1//SECRET", "client_id": "c"})", "token.json: missing field 'client_secret'"},
        {R"({"refresh_token": null, "client_id": "c", "client_secret": "SECRET"})",
         "token.json: missing field 'refresh_token'"},
        {R"({"refresh_token": 12345, "client_id": "c", "client_secret": "SECRET"})",
         "token.json: field 'refresh_token' must be a string"},
        {R"({"refresh_token": "", "client_id": "c", "client_secret": "SECRET"})",
         "token.json: field 'refresh_token' is empty"},
        {R"({"refresh_token": "1//SECRET", "client_id": "c", "client_secret": ["SECRET"]})",
         "token.json: field 'client_secret' must be a string"},
        {R"({"refresh_token": "1//SECRET", "client_id": "c", "client_secret": "SECRET", "scopes": 3})",
         "token.json: field 'scopes' must be a list of strings or a string"},
        {R"({"refresh_token": "1//SECRET", "client_id": "c", "client_secret": "SECRET", "scopes": ["a", 3]})",
         "token.json: field 'scopes' must be a list of strings or a string"},
        {R"({"refresh_token": "1//SECRET", "client_id": "c", "client_secret": "SECRET", "token": "ya29.SECRET",
             "expiry": "tomorrow SECRET"})",
         "token.json: field 'expiry' is not a time like 2026-05-01T12:34:56Z"},
        {R"({"refresh_token": "1//SECRET", "client_id": "c", "client_secret": "SECRET", "token": 5})",
         "token.json: field 'token' must be a string"},
        {R"({"refresh_token": "1//SECRET", "client_id": "c", "client_secret": "SECRET", "token_uri": "ftp://x/SECRET"})",
         "token.json: field 'token_uri' is not an http or https URL"},
        {R"({"type": "service_account", "refresh_token": "1//SECRET", "client_id": "c", "client_secret": "SECRET"})",
         "token.json: field 'type' must be 'authorized_user'"},
    };
    for (auto const& c : cases) {
        auto const m = message(c.json);
        BOOST_TEST(m == c.expected);
        BOOST_TEST(no_secret_in(m), m);
    }
}

BOOST_AUTO_TEST_CASE(service_account_errors_name_file_and_field_never_the_key) {
    auto const message = [](boost::json::object const& o) {
        return credentials_error_of([&] { gapi::auth::parse_service_account(o, "service_account.json"); });
    };
    auto const with = [](std::string_view key, boost::json::value v) {
        auto o = object_of(service_account_json(rsa_key().pkcs8_pem));
        if (v.is_null())
            o.erase(key);
        else
            o[key] = std::move(v);
        return o;
    };
    std::string const bad_key =
        "service_account.json: field 'private_key' is not a valid PEM RSA private key";
    auto const truncated = rsa_key().pkcs8_pem.substr(0, rsa_key().pkcs8_pem.size() / 2);

    BOOST_TEST(message(with("client_email", nullptr)) ==
               "service_account.json: missing field 'client_email'");
    BOOST_TEST(message(with("private_key", nullptr)) == "service_account.json: missing field 'private_key'");
    BOOST_TEST(message(with("private_key", 42)) ==
               "service_account.json: field 'private_key' must be a string");
    BOOST_TEST(message(with("token_uri", "not a url")) ==
               "service_account.json: field 'token_uri' is not an http or https URL");
    BOOST_TEST(message(with("type", "authorized_user")) ==
               "service_account.json: field 'type' must be 'service_account'");
    for (auto const& pem :
         {std::string("-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n"), truncated,
          rsa_key().public_pem, gapi_test::ec_key_pem(), rsa_key().encrypted_pem}) {
        auto const m = message(with("private_key", boost::json::string(pem)));
        BOOST_TEST(m == bad_key);
        BOOST_TEST(no_secret_in(m), m);
    }
}

BOOST_AUTO_TEST_CASE(client_secrets_errors) {
    auto const message = [](std::string_view text) {
        return credentials_error_of(
            [&] { gapi::auth::parse_client_secrets(object_of(text), "client_secret.json"); });
    };
    BOOST_TEST(message(R"({"client_id": "c", "client_secret": "SECRET"})") ==
               "client_secret.json: expected an 'installed' or 'web' section");
    BOOST_TEST(message(R"({"installed": ["SECRET"]})") ==
               "client_secret.json: field 'installed' must be an object");
    BOOST_TEST(message(R"({"installed": {"client_secret": "SECRET"}})") ==
               "client_secret.json: missing field 'installed.client_id'");
    BOOST_TEST(message(R"({"web": {"client_id": "c", "client_secret": 5}})") ==
               "client_secret.json: field 'web.client_secret' must be a string");
    BOOST_TEST(message(R"({"installed": {"client_id": "c", "redirect_uris": "http://localhost"}})") ==
               "client_secret.json: field 'installed.redirect_uris' must be a list of strings");
    BOOST_TEST(message(R"({"installed": {"client_id": "c", "auth_uri": "accounts.google.com"}})") ==
               "client_secret.json: field 'installed.auth_uri' is not an http or https URL");
}

BOOST_AUTO_TEST_CASE(read_json_file_errors) {
    temp_dir dir;
    auto const message = [](std::string const& path) {
        return credentials_error_of([&] { gapi::auth::read_json_file(path); });
    };
    auto const missing = dir.file("missing.json");
    BOOST_TEST(message(missing) == missing + ": cannot read file: No such file or directory");
    BOOST_TEST(message(dir.path()) == dir.path() + ": cannot read file: Is a directory");

    auto const bad = dir.file("bad.json");
    write_text(bad, "{\n  \"refresh_token\": \"1//SECRET\",\n    x\n}");
    BOOST_TEST(message(bad) == bad + ": malformed JSON at line 3, column 5");
    BOOST_TEST(no_secret_in(message(bad)));

    write_text(bad, "{\"client_secret\": \"SECRET\"");
    BOOST_TEST(message(bad) == bad + ": malformed JSON at line 1, column 27");

    write_text(bad, "");
    BOOST_TEST(message(bad) == bad + ": malformed JSON at line 1, column 1");

    write_text(bad, "{} {}");
    BOOST_TEST(message(bad) == bad + ": malformed JSON at line 1, column 4");

    write_text(bad, "[\"SECRET\"]\n");
    BOOST_TEST(message(bad) == bad + ": expected a JSON object");

    write_text(bad, std::string((1 << 20) + 1, ' '));
    BOOST_TEST(message(bad) == bad + ": file is larger than 1 MiB");

    if (::geteuid() != 0) { // root reads anything
        write_text(bad, "{}");
        ::chmod(bad.c_str(), 0);
        BOOST_TEST(message(bad) == bad + ": cannot read file: Permission denied");
    }
}

BOOST_AUTO_TEST_CASE(python_token_json_byte_for_byte) {
    authorized_user_info info;
    info.token = gapi::auth::access_token{
        "ya29.SECRET-access", utc(2026y / May / 1, 12h + 34min + 56s + 789012us), {}};
    info.refresh_token = "1//0SECRET-refresh";
    info.client_id = "1234-abc.apps.googleusercontent.com";
    info.client_secret = "GOCSPX-SECRET";
    info.scopes = {"https://www.googleapis.com/auth/gmail.send", "https://www.googleapis.com/auth/calendar"};
    // Python's json.dumps of google-auth's dict, captured from Python 3.
    BOOST_TEST(
        gapi::auth::to_python_token_json(info) ==
        R"({"token": "ya29.SECRET-access", "refresh_token": "1//0SECRET-refresh", )"
        R"("token_uri": "https://oauth2.googleapis.com/token", "client_id": "1234-abc.apps.googleusercontent.com", )"
        R"("client_secret": "GOCSPX-SECRET", "scopes": ["https://www.googleapis.com/auth/gmail.send", )"
        R"("https://www.googleapis.com/auth/calendar"], "universe_domain": "googleapis.com", "account": "", )"
        R"("expiry": "2026-05-01T12:34:56.789012Z"})");

    // Whole seconds have no fraction; rapt_token sits where google-auth puts it.
    info.token->expiry = utc(2026y / May / 1, 12h + 34min + 56s);
    info.rapt_token = "rapt-SECRET";
    info.universe_domain = "example.com";
    info.account = "me@example.com";
    info.scopes = {"s"};
    BOOST_TEST(
        gapi::auth::to_python_token_json(info) ==
        R"({"token": "ya29.SECRET-access", "refresh_token": "1//0SECRET-refresh", )"
        R"("token_uri": "https://oauth2.googleapis.com/token", "client_id": "1234-abc.apps.googleusercontent.com", )"
        R"("client_secret": "GOCSPX-SECRET", "scopes": ["s"], "rapt_token": "rapt-SECRET", )"
        R"("universe_domain": "example.com", "account": "me@example.com", "expiry": "2026-05-01T12:34:56Z"})");

    // No token, no scopes: Python's None fields disappear; token_uri, universe_domain and account stay.
    authorized_user_info bare;
    bare.refresh_token = "r";
    bare.client_id = "c";
    bare.client_secret = "s";
    BOOST_TEST(
        gapi::auth::to_python_token_json(bare) ==
        R"({"refresh_token": "r", "token_uri": "https://oauth2.googleapis.com/token", "client_id": "c", )"
        R"("client_secret": "s", "universe_domain": "googleapis.com", "account": ""})");

    // A token of unknown expiry is written without one (and so reads back as expired).
    bare.token = gapi::auth::access_token{"t", clock_type::time_point::min(), {}};
    BOOST_TEST(gapi::auth::to_python_token_json(bare).find("expiry") == std::string::npos);

    // json.dumps(ensure_ascii=True) escaping, captured from Python 3.
    bare.token.reset();
    bare.account = "jos\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ \t\x01\x7f/";
    auto const text = gapi::auth::to_python_token_json(bare);
    BOOST_TEST(text.find(R"("account": "jos\u00e9 \ud83d\ude00 \"q\" \\ \t\u0001\u007f/")") !=
                   std::string::npos,
               text);
    BOOST_TEST(gapi::auth::parse_authorized_user(object_of(text), "t").account == bare.account);
}

BOOST_AUTO_TEST_CASE(round_trip_through_a_file) {
    temp_dir dir;
    authorized_user_info info;
    info.token =
        gapi::auth::access_token{"ya29.a", utc(2031y / January / 2, 3h + 4min + 5s + 6us), {"x", "y"}};
    info.refresh_token = "1//0r";
    info.client_id = "c.apps.googleusercontent.com";
    info.client_secret = "s+/=";
    info.token_uri = "http://127.0.0.1:4443/token";
    info.scopes = {"x", "y"};
    info.universe_domain = "googleapis.com";
    info.rapt_token = "rapt";
    auto const path = dir.file("token.json");
    gapi::auth::write_file_atomically(path, gapi::auth::to_python_token_json(info));
    auto const json = gapi::auth::read_json_file(path);
    BOOST_TEST((gapi::auth::detect_type(json) == credential_file_type::authorized_user));
    BOOST_TEST((gapi::auth::parse_authorized_user(json, path) == info));
}

BOOST_AUTO_TEST_CASE(atomic_write_leaves_mode_0600_and_no_temporary_file) {
    temp_dir dir;
    auto const path = dir.file("token.json");
    write_text(path, "old contents that are longer than the new ones");
    ::chmod(path.c_str(), 0644);
    gapi::auth::write_file_atomically(path, "{\"new\": 1}");
    BOOST_TEST(slurp(path) == "{\"new\": 1}");
    BOOST_TEST(mode_of(path) == 0600u);

    gapi::auth::write_file_atomically(path, "");
    BOOST_TEST(slurp(path) == "");
    std::string const large(300000, 'x');
    gapi::auth::write_file_atomically(path, large);
    BOOST_TEST((slurp(path) == large));

    std::vector<std::string> names;
    for (auto const& entry : std::filesystem::directory_iterator(dir.path()))
        names.push_back(entry.path().filename().string());
    BOOST_TEST(names == std::vector<std::string>{"token.json"}, boost::test_tools::per_element());

    // A file name without a directory goes to the current directory.
    auto const cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    gapi::auth::write_file_atomically("relative.json", "{}");
    std::filesystem::current_path(cwd);
    BOOST_TEST(slurp(dir.file("relative.json")) == "{}");
    BOOST_TEST(mode_of(dir.file("relative.json")) == 0600u);

    auto const nowhere = dir.file("no/such/dir/token.json");
    BOOST_TEST(credentials_error_of([&] {
                   gapi::auth::write_file_atomically(nowhere, "{\"token\": \"SECRET\"}");
               }) == nowhere + ": cannot write file: No such file or directory");
}

BOOST_AUTO_TEST_CASE(python_expiry_format_and_parse) {
    using gapi::auth::format_python_expiry;
    using gapi::auth::parse_python_expiry;
    auto const t = utc(2026y / May / 1, 12h + 34min + 56s);
    BOOST_TEST(format_python_expiry(t) == "2026-05-01T12:34:56Z");
    BOOST_TEST(format_python_expiry(t + 789012us) == "2026-05-01T12:34:56.789012Z");
    BOOST_TEST(format_python_expiry(t + 1us + 999ns) ==
               "2026-05-01T12:34:56.000001Z"); // truncated like Python's
    BOOST_TEST(format_python_expiry(t + 999ns) == "2026-05-01T12:34:56Z");
    BOOST_TEST(format_python_expiry(utc(1970y / January / 1)) == "1970-01-01T00:00:00Z");
    BOOST_TEST(format_python_expiry(utc(2024y / February / 29, 23h + 59min + 59s)) == "2024-02-29T23:59:59Z");

    BOOST_TEST((parse_python_expiry("2026-05-01T12:34:56Z") == t));
    BOOST_TEST((parse_python_expiry("2026-05-01T12:34:56") == t));
    BOOST_TEST((parse_python_expiry("2026-05-01T12:34:56+00:00") == t));
    BOOST_TEST((parse_python_expiry("2026-05-01T14:34:56+02:00") == t));
    BOOST_TEST((parse_python_expiry("2026-05-01T11:04:56-01:30") == t));
    BOOST_TEST((parse_python_expiry("2026-05-01T12:34:56.789012Z") == t + 789012us));
    BOOST_TEST((parse_python_expiry("2026-05-01T12:34:56.5") == t + 500ms));
    BOOST_TEST((parse_python_expiry("2026-05-01T12:34:56.123456789+00:00") == t + 123456789ns));
    BOOST_TEST((parse_python_expiry("9999-12-31T23:59:59Z") == clock_type::time_point::max()));
    for (auto const* bad :
         {"", "2026-05-01", "2026-05-01 12:34:56Z", "2026-13-01T12:34:56Z", "2026-02-30T12:34:56Z",
          "2026-05-01T24:00:00Z", "2026-05-01T12:60:00Z", "2026-05-01T12:34:60Z", "2026-05-01T12:34:56.Z",
          "2026-05-01T12:34:56.1234567890Z", "2026-05-01T12:34:56ZZ", "2026-05-01T12:34:56+0000",
          "2026-05-01T12:34:56+24:00", "+2026-05-01T12:34:56Z", "2026-5-01T12:34:56Z",
          "2026-05-01T12:34:56 "})
        BOOST_TEST(!parse_python_expiry(bad).has_value(), bad);

    for (auto const sample : {t, t + 1us, t + 999999us, utc(2000y / March / 1)})
        BOOST_TEST((parse_python_expiry(format_python_expiry(sample)) == sample));
}

BOOST_AUTO_TEST_CASE(credentials_error_carries_code_and_exact_message) {
    gapi::auth::credentials_error const e("token.json: missing field 'refresh_token'");
    BOOST_TEST(std::string(e.what()) == "token.json: missing field 'refresh_token'");
    BOOST_TEST((e.code() == gapi::error::invalid_credentials));
    BOOST_TEST((e.code() == gapi::condition::invalid_argument));
    auto const copy = e; // NOLINT(performance-unnecessary-copy-initialization): copying is the point
    BOOST_TEST(std::string(copy.what()) == e.what());
    gapi::auth::credentials_error const other(make_error_code(gapi::error::reauthorization_required), "x");
    BOOST_TEST((other.code() == gapi::error::reauthorization_required));
    BOOST_TEST(std::string(other.what()) == "x");
}

BOOST_AUTO_TEST_SUITE_END()
