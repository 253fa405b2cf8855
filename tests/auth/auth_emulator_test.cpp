// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// OAuth 2.0 end to end: gapi's credentials, token source, client and installed-app
// flow against the emulator, asserting what the emulator counted and stored.
#include "../support/run.hpp"
#include "../support/test_server.hpp"

#include <gapi/auth/credentials.hpp>
#include <gapi/auth/installed_app_flow.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/algorithm/string/join.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/parse.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <sys/stat.h>
#include <unistd.h>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using gapi::error_code;
using gapi::auth::credentials;
using gapi::emulator::emulator;
using gapi::emulator::emulator_options;
using gapi::emulator::emulator_state;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::string const gmail_send_scope = "https://www.googleapis.com/auth/gmail.send";

// A started emulator writing its credential files into a temporary directory.
// The local addresses of the TCP sockets listening on `port`, from /proc/net/tcp and
// /proc/net/tcp6 (an IPv6 "any" listener would show as "::").
std::vector<std::string> listening_addresses(std::uint16_t port) {
    std::vector<std::string> found;
    for (auto const* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line); // the column names
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state;
            fields >> slot >> local >> remote >> state;
            auto const colon = local.rfind(':');
            if (state != "0A" || colon == std::string::npos || std::stoul(local.substr(colon + 1), nullptr, 16) != port)
                continue;
            auto const hex = local.substr(0, colon);
            if (hex.size() == 8) { // IPv4, little-endian
                auto const a = std::stoul(hex, nullptr, 16);
                found.push_back(std::to_string(a & 0xff) + "." + std::to_string((a >> 8) & 0xff) + "." +
                                std::to_string((a >> 16) & 0xff) + "." + std::to_string(a >> 24));
            } else {
                found.push_back(hex == std::string(32, '0') ? "::" : hex);
            }
        }
    }
    return found;
}

struct auth_fixture {
    explicit auth_fixture(emulator_options options = {}) {
        options.state_dir = dir.path();
        google.emplace(std::move(options));
        google->start();
    }

    std::string file(std::string const& name) const { return dir.file(name); }

    // The user's token file as google-auth would have left it, with an expired token.
    credentials expired_user(std::string const& persist_path = {}) const {
        auto info = gapi::auth::parse_authorized_user(gapi::auth::read_json_file(file("token.json")), "token.json");
        info.token = gapi::auth::access_token{"ya29.expired", gapi::auth::clock_type::now() - 1h, {}};
        return credentials::from_authorized_user(std::move(info), persist_path);
    }

    gapi::http::request labels() const {
        gapi::http::request req;
        req.url = boost::urls::url(google->base_url() + "/gmail/v1/users/me/labels");
        return req;
    }

    gapi::http::request send_raw(std::string const& user, std::string const& message_id) const {
        std::string const mime = "From: " + user + "\r\nTo: someone@elsewhere.example\r\nSubject: hi\r\nMessage-ID: " +
                                 message_id + "\r\n\r\nbody\r\n";
        gapi::http::request req;
        req.method = gapi::http::verb::post;
        req.url = boost::urls::url(google->base_url() + "/gmail/v1/users/me/messages/send");
        req.headers.set(boost::beast::http::field::content_type, "application/json");
        req.body = R"({"raw":")" + gapi::emulator::encode_base64url(mime) + "\"}";
        return req;
    }

    std::size_t token_requests() { return google->counts().calls("oauth2.token"); }

    gapi_test::temp_dir dir;
    std::optional<emulator> google;
};

std::string read_file(std::string const& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

unsigned file_mode(std::string const& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return 0;
    return st.st_mode & 0777;
}

} // namespace

BOOST_AUTO_TEST_SUITE(auth_emulator)

BOOST_AUTO_TEST_CASE(two_hundred_concurrent_calls_with_an_expired_token_refresh_once) {
    auth_fixture f({.quota = {.enabled = false}});
    asio::io_context ioc;
    gapi::client google(ioc.get_executor(), f.expired_user());
    int ok = 0;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        int pending = 200;
        asio::steady_timer done(ioc, asio::steady_timer::time_point::max());
        for (int i = 0; i < 200; ++i)
            google.send(f.labels(), [&](error_code ec, gapi::http::response res) {
                if (!ec && res.status == 200)
                    ++ok;
                if (--pending == 0)
                    done.cancel();
            });
        co_await done.async_wait(use_tuple);
    }());
    BOOST_TEST(ok == 200);
    BOOST_TEST(f.token_requests() == 1u);
    BOOST_TEST(google.tokens().refreshes() == 1u);
    BOOST_TEST(f.google->counts().calls("gmail.users.labels.list", 401) == 0u);
}

BOOST_AUTO_TEST_CASE(short_lived_tokens_are_refreshed_ahead_without_failed_calls) {
    // Ten seconds of calls, one every 20 ms, with a 2 s token lifetime, on a clock that the
    // test moves: the emulator and the token source both read it, so nothing waits.
    auto now = gapi::auth::clock_type::now();
    auto const clock = [&now] { return now; };
    auth_fixture f({.token_ttl = 2s, .quota = {.enabled = false}, .clock = clock});
    asio::io_context ioc;
    gapi::client google(ioc.get_executor(), f.expired_user(), {.tokens = {.clock = clock}});
    int failed = 0;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 500; ++i) {
            auto [ec, res] = co_await google.send(f.labels(), use_tuple);
            if (ec || res.status != 200)
                ++failed;
            now += 20ms;
        }
    }());
    auto const refreshes = f.token_requests();
    BOOST_TEST_MESSAGE(refreshes << " token requests in 10 s with a 2 s token lifetime");
    BOOST_TEST(failed == 0);
    // Google's expires_in is the lifetime less a second (1 s here), and a token is renewed
    // once less than a tenth of its life is left: every 0.9 s, from the first call on.
    BOOST_TEST(refreshes == 12u);
    BOOST_TEST(google.tokens().refreshes() == 12u);
    BOOST_TEST(f.google->counts().calls("gmail.users.labels.list", 401) == 0u);
}

BOOST_AUTO_TEST_CASE(a_token_revoked_mid_run_costs_one_401_and_one_refresh) {
    auth_fixture f;
    asio::io_context ioc;
    gapi::client google(ioc.get_executor(), f.expired_user());
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await google.send(f.labels(), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
        f.google->with_state([](emulator_state& s) { s.oauth.revoke_access_tokens("user1@example.com"); });
        std::tie(ec, res) = co_await google.send(f.labels(), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
    }());
    auto const counts = f.google->counts();
    BOOST_TEST(counts.calls("gmail.users.labels.list", 401) == 1u);
    BOOST_TEST(counts.calls("gmail.users.labels.list", 200) == 2u);
    BOOST_TEST(f.token_requests() == 2u);
}

BOOST_AUTO_TEST_CASE(invalid_grant_is_a_typed_error_without_a_storm) {
    auth_fixture f;
    f.google->with_state([](emulator_state& s) { s.oauth.revoke_refresh_tokens("user1@example.com"); });
    asio::io_context ioc;
    gapi::client google(ioc.get_executor(), f.expired_user());
    std::vector<error_code> results;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        int pending = 50;
        asio::steady_timer done(ioc, asio::steady_timer::time_point::max());
        for (int i = 0; i < 50; ++i)
            google.send(f.labels(), [&](error_code ec, gapi::http::response) {
                results.push_back(ec);
                if (--pending == 0)
                    done.cancel();
            });
        co_await done.async_wait(use_tuple);
        BOOST_TEST(f.token_requests() == 1u); // 50 concurrent calls, one token request

        auto [ec, res] = co_await google.send(f.labels(), use_tuple);
        BOOST_TEST(ec == gapi::error::reauthorization_required);
        BOOST_TEST(f.token_requests() == 2u); // one more call attempt, one more request
    }());
    BOOST_TEST_REQUIRE(results.size() == 50u);
    for (auto const& ec : results) {
        BOOST_TEST(ec == gapi::error::reauthorization_required, ec.message());
        BOOST_TEST(ec == gapi::condition::unauthenticated);
    }
    BOOST_TEST(f.google->counts().calls("gmail.users.labels.list") == 0u); // no API call was made
}

BOOST_AUTO_TEST_CASE(token_file_is_rewritten_after_a_refresh) {
    auth_fixture f;
    // The token file as the emulator wrote it, with its token made stale.
    std::string const path = f.file("token.json");
    auto info = gapi::auth::parse_authorized_user(gapi::auth::read_json_file(path), path);
    info.token->expiry = gapi::auth::clock_type::now() - 1h;
    gapi::auth::write_file_atomically(path, gapi::auth::to_python_token_json(info));
    auto const before = read_file(path);

    asio::io_context ioc;
    std::size_t hook_calls = 0;
    gapi::client google(ioc.get_executor(), credentials::from_file(path),
                        {.tokens = {.on_token = [&](gapi::auth::token_update const&) { ++hook_calls; }}});
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await google.send(f.labels(), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
    }());
    BOOST_TEST(hook_calls == 1u);
    auto const after = gapi::auth::parse_authorized_user(gapi::auth::read_json_file(path), path);
    BOOST_TEST_REQUIRE(after.token.has_value());
    BOOST_TEST(after.token->value != info.token->value);
    BOOST_TEST((after.token->expiry > gapi::auth::clock_type::now() + 30min));
    BOOST_TEST(after.refresh_token == info.refresh_token);
    BOOST_TEST(file_mode(path) == 0600u);
    BOOST_TEST(read_file(path) != before);
}

BOOST_AUTO_TEST_CASE(installed_app_flow_end_to_end) {
    auth_fixture f;
    auto const secrets = gapi::auth::parse_client_secrets(gapi::auth::read_json_file(f.file("client_secret.json")),
                                                          "client_secret.json");
    asio::io_context ioc;
    gapi::http::connection_pool pool(ioc.get_executor());
    unsigned wrong_state_status = 0;
    unsigned wrong_path_status = 0;
    unsigned callback_status = 0;
    std::vector<std::string> listener_addresses;

    // Plays the browser: asks the emulator for consent, tries a forged callback, then
    // follows the real redirect to the loopback server.
    auto browser = [&](std::string url) -> asio::awaitable<void> {
        gapi::http::request consent;
        consent.url = boost::urls::url(url);
        auto [ec, res] = co_await pool.send(std::move(consent), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(res.status == 302u, res.body);
        boost::urls::url callback(res.headers["Location"]);
        BOOST_TEST(callback.host() == "127.0.0.1");

        listener_addresses = listening_addresses(callback.port_number());

        boost::urls::url forged = callback;
        forged.params().set("state", "forged-state");
        gapi::http::request forged_req;
        forged_req.url = forged;
        std::tie(ec, res) = co_await pool.send(std::move(forged_req), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        wrong_state_status = res.status;

        // The right code and state, but at another path: not the redirect URI.
        boost::urls::url elsewhere = callback;
        elsewhere.set_path("/favicon.ico");
        gapi::http::request elsewhere_req;
        elsewhere_req.url = elsewhere;
        std::tie(ec, res) = co_await pool.send(std::move(elsewhere_req), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        wrong_path_status = res.status;

        gapi::http::request real;
        real.url = callback;
        std::tie(ec, res) = co_await pool.send(std::move(real), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        callback_status = res.status;
    };

    std::string const token_path = f.file("flow-token.json");
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        // Built outside the co_await: GCC 12 miscompiles string literals in braced
        // initializers inside coroutine expressions.
        gapi::auth::installed_app_flow_options options;
        options.scopes = {gmail_send_scope, std::string("https://www.googleapis.com/auth/gmail.readonly")};
        options.open_browser = false;
        options.timeout = 30s;
        options.on_authorization_url = [&](std::string const& url) {
            asio::co_spawn(ioc, browser(url), asio::detached);
        };
        auto [ec, info] = co_await gapi::auth::run_installed_app_flow(pool, secrets, options, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(!info.refresh_token.empty());
        BOOST_TEST(info.client_id == secrets.client_id);
        BOOST_TEST(info.token_uri == secrets.token_uri);
        BOOST_TEST(info.scopes.size() == 2u);
        gapi::auth::write_file_atomically(token_path, gapi::auth::to_python_token_json(info));
    }());
    BOOST_TEST(wrong_state_status == 400u);
    BOOST_TEST(wrong_path_status == 400u);
    BOOST_TEST(callback_status == 200u);
    // The kernel's view: the loopback listener was bound to 127.0.0.1 alone, never to all addresses.
    BOOST_TEST(listener_addresses == std::vector<std::string>{"127.0.0.1"}, boost::algorithm::join(listener_addresses, ","));
    BOOST_TEST(f.google->with_state([](emulator_state& s) { return s.oauth.grants().authorization_code; }) == 1u);
    BOOST_TEST(file_mode(token_path) == 0600u);

    // The token file works as credentials.
    gapi::client google(ioc.get_executor(), credentials::from_file(token_path));
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await google.send(f.send_raw("user1@example.com", "<flow@example.com>"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u, res.body);
    }());

    // Python's google-auth reads it back, where Debian's python3-google-auth is installed.
    // Debian's package installs into the system interpreter, which may not be first on PATH.
    std::string const python = ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    if (std::system((python + " -c 'import google.oauth2.credentials' >/dev/null 2>&1").c_str()) == 0) {
        // Debian's google-auth (1.5) reads the client fields; the expiry is parsed the way
        // current google-auth does (strip "Z" and the fraction, then strptime).
        std::string const script =
            "import sys, json, datetime; from google.oauth2.credentials import Credentials; "
            "c = Credentials.from_authorized_user_file(sys.argv[1]); "
            "d = json.load(open(sys.argv[1])); "
            "e = datetime.datetime.strptime(d[\"expiry\"].rstrip(\"Z\").split(\".\")[0], \"%Y-%m-%dT%H:%M:%S\"); "
            "print(c.client_id == sys.argv[2], bool(c.refresh_token), sorted(d[\"scopes\"]) == sorted(sys.argv[3:]), "
            "e > datetime.datetime.utcnow())";
        std::string const command = python + " -c '" + script + "' '" + token_path + "' '" + secrets.client_id + "' '" +
                                    gmail_send_scope + "' 'https://www.googleapis.com/auth/gmail.readonly'";
        std::FILE* pipe = ::popen(command.c_str(), "r");
        BOOST_TEST_REQUIRE(pipe != nullptr);
        char line[256] = {};
        std::string output = std::fgets(line, sizeof line, pipe) ? line : "";
        BOOST_TEST(::pclose(pipe) == 0);
        BOOST_TEST(output == "True True True True\n");
    } else if (std::getenv("CI")) {
        BOOST_ERROR("python3-google-auth is missing, though .ci/install-deps installs it: the Python round trip "
                    "must run in CI");
    } else {
        BOOST_TEST_MESSAGE("python3-google-auth not installed: Python round trip skipped");
    }
}

BOOST_AUTO_TEST_CASE(installed_app_flow_denied_and_timed_out) {
    auth_fixture f;
    auto const secrets = gapi::auth::parse_client_secrets(gapi::auth::read_json_file(f.file("client_secret.json")),
                                                          "client_secret.json");
    f.google->with_state([](emulator_state& s) { s.oauth.set_consent(false); });
    asio::io_context ioc;
    gapi::http::connection_pool pool(ioc.get_executor());
    auto browser = [&](std::string url) -> asio::awaitable<void> {
        gapi::http::request consent;
        consent.url = boost::urls::url(url);
        auto [ec, res] = co_await pool.send(std::move(consent), use_tuple);
        gapi::http::request back;
        back.url = boost::urls::url(res.headers["Location"]);
        co_await pool.send(std::move(back), use_tuple);
    };
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        gapi::auth::installed_app_flow_options options;
        options.scopes = {gmail_send_scope};
        options.open_browser = false;
        options.on_authorization_url = [&](std::string const& url) {
            asio::co_spawn(ioc, browser(url), asio::detached);
        };
        auto [ec, info] = co_await gapi::auth::run_installed_app_flow(pool, secrets, options, use_tuple);
        BOOST_TEST(ec == gapi::error::authorization_denied, ec.message());

        auto const started = std::chrono::steady_clock::now();
        options.timeout = 1s;
        options.on_authorization_url = [](std::string const&) {};
        std::tie(ec, info) = co_await gapi::auth::run_installed_app_flow(pool, secrets, options, use_tuple);
        BOOST_TEST(ec == gapi::error::authorization_timeout, ec.message());
        BOOST_TEST((std::chrono::steady_clock::now() - started >= 1s));
        BOOST_TEST((std::chrono::steady_clock::now() - started < 30s)); // generous: it has no other end
    }());
    BOOST_TEST(f.token_requests() == 0u);
}

BOOST_AUTO_TEST_CASE(installed_app_flow_is_cancellable_and_closes_its_listener) {
    auth_fixture f;
    auto const secrets = gapi::auth::parse_client_secrets(gapi::auth::read_json_file(f.file("client_secret.json")),
                                                          "client_secret.json");
    asio::io_context ioc;
    gapi::http::connection_pool pool(ioc.get_executor());
    asio::cancellation_signal stop;
    unsigned short port = 0;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        gapi::auth::installed_app_flow_options options;
        options.scopes = {gmail_send_scope};
        options.open_browser = false;
        options.timeout = 300s; // only the cancellation can end it in time
        options.on_authorization_url = [&](std::string const& url) {
            auto const consent = boost::urls::parse_uri(url);
            auto const redirect_uri = (*consent->params().find("redirect_uri")).value;
            auto const redirect = boost::urls::parse_uri(redirect_uri);
            port = redirect->port_number();
            // The user walks away: the program gives up on them.
            asio::post(ioc, [&] { stop.emit(asio::cancellation_type::terminal); });
        };
        auto const started = std::chrono::steady_clock::now();
        auto [ec, info] = co_await gapi::auth::run_installed_app_flow(
            pool, secrets, options, asio::bind_cancellation_slot(stop.slot(), use_tuple));
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
        BOOST_TEST((std::chrono::steady_clock::now() - started < 30s));
        BOOST_TEST_REQUIRE(port != 0u);
        co_await gapi_test::eventually([&] { return listening_addresses(port).empty(); }, "the listener closes");
    }());
    BOOST_TEST(f.token_requests() == 0u);
}

BOOST_AUTO_TEST_CASE(service_account_with_subject_sends_as_that_user) {
    auth_fixture f({.quota = {.enabled = false}});
    auto sa = credentials::from_file(f.file("service_account.json"), {gmail_send_scope}).with_subject("user2@example.com");
    asio::io_context ioc;
    gapi::client google(ioc.get_executor(), sa);
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await google.send(f.send_raw("user2@example.com", "<delegated@example.com>"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 200u, res.body);
    }());
    f.google->with_state([](emulator_state& s) {
        BOOST_TEST(s.oauth.grants().jwt_bearer == 1u);
        BOOST_TEST_REQUIRE(s.gmail.messages("user2@example.com").size() == 1u);
        BOOST_TEST(s.gmail.messages("user2@example.com")[0].message_id == "<delegated@example.com>");
        BOOST_TEST(s.gmail.messages("user1@example.com").empty());
    });

    // Without a subject the service account has no mailbox: Gmail says so.
    gapi::client bare(ioc.get_executor(), credentials::from_file(f.file("service_account.json"), {gmail_send_scope}));
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await bare.send(f.send_raw("user2@example.com", "<bare@example.com>"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(res.status == 400u);
    }());
}

BOOST_AUTO_TEST_CASE(bad_credential_files_name_the_file_and_field_never_the_secret) {
    auth_fixture f;
    auto message_of = [](auto&& load) -> std::string {
        try {
            load();
        } catch (gapi::auth::credentials_error const& e) {
            BOOST_TEST(e.code() == gapi::error::invalid_credentials);
            return e.what();
        }
        return "no error";
    };
    std::string const missing = f.file("absent.json");
    BOOST_TEST(message_of([&] { credentials::from_file(missing); }).find(missing) != std::string::npos);

    std::string const broken = f.file("broken.json");
    gapi::auth::write_file_atomically(broken, "{\"refresh_token\": ");
    BOOST_TEST(message_of([&] { credentials::from_file(broken); }).find(broken) != std::string::npos);

    auto const secret_token = gapi::auth::read_json_file(f.file("token.json")).at("client_secret").as_string();
    std::string const no_client = f.file("no-client.json");
    gapi::auth::write_file_atomically(no_client, "{\"type\":\"authorized_user\",\"refresh_token\":\"1//0secretvalue\",\"client_secret\":\"" +
                                                     std::string(secret_token) + "\"}");
    auto const msg = message_of([&] { credentials::from_file(no_client); });
    BOOST_TEST(msg.find("client_id") != std::string::npos, msg);
    BOOST_TEST(msg.find("1//0secretvalue") == std::string::npos);
    BOOST_TEST(msg.find(std::string(secret_token)) == std::string::npos);

    auto const client_secrets_msg = message_of([&] { credentials::from_file(f.file("client_secret.json")); });
    BOOST_TEST(client_secrets_msg.find("installed-app flow") != std::string::npos, client_secrets_msg);

    BOOST_TEST(message_of([&] { credentials::from_file(f.file("service_account.json")); }).find("scopes") !=
               std::string::npos);

    ::setenv("GOOGLE_APPLICATION_CREDENTIALS", f.file("token.json").c_str(), 1);
    auto adc = credentials::application_default();
    BOOST_TEST(adc.token_uri() == f.google->base_url() + "/token");
    ::unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
}

BOOST_AUTO_TEST_CASE(static_tokens_are_used_as_given) {
    auth_fixture f;
    auto const token = std::string(gapi::auth::read_json_file(f.file("token.json")).at("token").as_string());
    asio::io_context ioc;
    gapi::client good(ioc.get_executor(), credentials::from_access_token(token));
    gapi::client bad(ioc.get_executor(), credentials::from_access_token("ya29.not-a-token"));
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await good.send(f.labels(), use_tuple);
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
        std::tie(ec, res) = co_await bad.send(f.labels(), use_tuple);
        BOOST_TEST(ec == gapi::error::unauthenticated, ec.message());
    }());
    BOOST_TEST(f.token_requests() == 0u);
    BOOST_TEST(f.google->counts().calls("gmail.users.labels.list", 401) == 1u); // no replay without a refresh
}

BOOST_AUTO_TEST_CASE(transient_token_endpoint_failures_are_retried_with_backoff) {
    auth_fixture f({.faults = "oauth2.token:503=1"});
    asio::io_context ioc;
    gapi::client google(ioc.get_executor(), f.expired_user(),
                        {.tokens = {.max_attempts = 3, .initial_backoff = 20ms}});
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto const started = std::chrono::steady_clock::now();
        auto [ec, res] = co_await google.send(f.labels(), use_tuple);
        BOOST_TEST(ec == gapi::error::token_endpoint_error, ec.message());
        BOOST_TEST(f.token_requests() == 3u); // every attempt, then the error
        BOOST_TEST((std::chrono::steady_clock::now() - started >= 50ms)); // 20 ms + 40 ms, less jitter

        // The endpoint recovers: the next call gets a token at the first attempt.
        f.google->with_state([](emulator_state& s) { s.faults = {}; });
        std::tie(ec, res) = co_await google.send(f.labels(), use_tuple);
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
        BOOST_TEST(f.token_requests() == 4u);
    }());
}

BOOST_AUTO_TEST_CASE(a_token_still_alive_is_served_while_the_endpoint_is_down) {
    auth_fixture f({.faults = "oauth2.token:503=1"});
    // A valid token inside the refresh margin: due for refresh, not yet expired.
    auto info = gapi::auth::parse_authorized_user(gapi::auth::read_json_file(f.file("token.json")), "token.json");
    info.token->expiry = gapi::auth::clock_type::now() + 100s;
    asio::io_context ioc;
    gapi::client google(ioc.get_executor(), credentials::from_authorized_user(info),
                        {.tokens = {.max_attempts = 2, .initial_backoff = 10ms}});
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, res] = co_await google.send(f.labels(), use_tuple);
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(res.status == 200u);
    }());
    BOOST_TEST(f.token_requests() == 2u); // the refresh was tried, and failed
}

BOOST_AUTO_TEST_CASE(destroying_a_token_source_during_a_refresh_is_safe) {
    auth_fixture f({.faults = "oauth2.token:503=1"});
    asio::io_context ioc;
    auto pool = std::make_unique<gapi::http::connection_pool>(ioc.get_executor());
    auto tokens = std::make_unique<gapi::auth::token_source>(
        *pool, f.expired_user(), gapi::auth::token_source_options{.max_attempts = 3, .initial_backoff = 30s});
    error_code result;
    bool completed = false;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        tokens->get_token([&](error_code ec, gapi::auth::access_token) {
            result = ec;
            completed = true;
        });
        // The first attempt is answered 503; the refresh then waits out a backoff of ~30 s.
        co_await gapi_test::eventually([&] { return pool->stats().requests_completed == 1u; },
                                       "the first token request is answered");
        for (int i = 0; i < 3; ++i) // let the refresh see the answer and start its backoff
            co_await asio::post(ioc, asio::use_awaitable);
        tokens.reset();
        pool.reset();
        // Far sooner than the backoff would end: destroying the source ended it.
        co_await gapi_test::eventually([&] { return completed; }, "the waiting call completes", 10s);
    }());
    BOOST_TEST(completed);
    BOOST_TEST(result == gapi::error::pool_shut_down, result.message());
    BOOST_TEST(f.token_requests() == 1u); // nothing sent after the source was gone
}

BOOST_AUTO_TEST_CASE(a_rotated_refresh_token_is_written_back_to_the_file) {
    // A token endpoint that hands out a new refresh token with the access token, as OAuth
    // servers may (RFC 6749 §6): the next refresh must use the new one, so the file keeps it.
    asio::io_context ioc;
    gapi_test::test_server server(ioc.get_executor());
    server.respond("/token", {200, R"({"access_token":"ya29.fresh","expires_in":3599,"token_type":"Bearer",)"
                                   R"("refresh_token":"1//rotated","scope":"https://www.googleapis.com/auth/gmail.send"})"});
    gapi_test::temp_dir dir;
    auto const path = dir.file("token.json");
    gapi::auth::write_file_atomically(
        path, R"({"token": "ya29.stale", "refresh_token": "1//original", "token_uri": ")" + server.base_url() +
                  R"(/token", "client_id": "id.apps.googleusercontent.com", "client_secret": "not-a-secret", )"
                  R"("scopes": ["https://www.googleapis.com/auth/gmail.send"], "expiry": "2020-01-01T00:00:00Z"})");
    gapi::http::connection_pool pool(ioc.get_executor());
    std::optional<std::string> told;
    gapi::auth::token_source tokens(pool, credentials::from_file(path),
                                    {.on_token = [&](gapi::auth::token_update const& u) { told = u.refresh_token; }});
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec, token] = co_await tokens.get_token(use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(token.value == "ya29.fresh");
    }());
    auto const saved = gapi::auth::parse_authorized_user(gapi::auth::read_json_file(path), path);
    BOOST_TEST(saved.refresh_token == "1//rotated");
    BOOST_TEST_REQUIRE(saved.token.has_value());
    BOOST_TEST(saved.token->value == "ya29.fresh");
    BOOST_TEST(file_mode(path) == 0600u);
    BOOST_TEST((told == std::optional<std::string>("1//rotated")));
    auto const* user = std::get_if<credentials::authorized_user>(&tokens.creds().kind());
    BOOST_TEST_REQUIRE(user != nullptr);
    BOOST_TEST(user->info.refresh_token == "1//rotated"); // the next refresh sends the new one
    BOOST_TEST(server.counts().requests == 1u);
}

BOOST_AUTO_TEST_CASE(cancelling_a_call_that_waits_for_a_token_leaves_the_others_waiting) {
    auth_fixture f({.quota = {.enabled = false}, .faults = "oauth2.token:slow=1,delay=1000"});
    asio::io_context ioc;
    gapi::client google(ioc.get_executor(), f.expired_user());
    error_code cancelled_ec, other_ec;
    unsigned other_status = 0;
    bool cancelled_done = false, other_done = false;
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        asio::cancellation_signal cancel;
        google.send(f.labels(), asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, gapi::http::response) {
                        cancelled_ec = ec;
                        cancelled_done = true;
                    }));
        google.send(f.labels(), [&](error_code ec, gapi::http::response res) {
            other_ec = ec;
            other_status = res.status;
            other_done = true;
        });
        co_await gapi_test::eventually([&] { return f.token_requests() == 1u; }, "the token request is out");
        cancel.emit(asio::cancellation_type::terminal);
        co_await gapi_test::eventually([&] { return cancelled_done && other_done; }, "both calls complete");
    }());
    // Aborted, not served: had the token come first, the call would have gone on to 200.
    BOOST_TEST(cancelled_ec == asio::error::operation_aborted, cancelled_ec.message());
    BOOST_TEST(!other_ec, other_ec.message());
    BOOST_TEST(other_status == 200u);
    BOOST_TEST(f.token_requests() == 1u);
    BOOST_TEST(f.google->counts().calls("gmail.users.labels.list") == 1u); // the cancelled call sent nothing
}

BOOST_AUTO_TEST_SUITE_END()
