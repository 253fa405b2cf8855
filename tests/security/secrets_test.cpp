// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// No secret leaves through what gapi says: a full run against the emulator (sends, reads,
// calendar, faults, a revoked access token, token endpoint failures, then a revoked
// refresh token, a service account, bad credential files) with every log line at the
// most verbose level, every attempt report and every error text captured, then searched
// for each access token, refresh token, client secret and private key the run held.
#include "../support/run.hpp"

#include <gapi/auth/credential_files.hpp>
#include <gapi/calendar/calendar_service.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>
#include <gapi/gmail/gmail_service.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

namespace asio = boost::asio;
namespace emu = gapi::emulator;
using gapi::error_code;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

/// Everything gapi said during the run, as one text per line or message.
struct transcript {
    std::vector<std::string> lines;

    void log(gapi::pipeline::log_level level, std::string_view line) {
        lines.push_back("log " + std::to_string(int(level)) + ": " + std::string(line));
    }
    void attempt(gapi::pipeline::attempt_report const& r) {
        std::ostringstream os;
        os << "attempt " << r.method_id << " #" << r.attempt << " status " << r.status << " " << r.ec.message() << " ("
           << r.ec.category().name() << ") reason " << r.reason << " next " << int(r.next) << " wait "
           << r.wait.count();
        lines.push_back(os.str());
    }
    void error(std::string_view what, error_code ec) {
        lines.push_back(std::string(what) + ": " + ec.message() + " (" + ec.category().name() + ")");
    }
    void exception(std::exception const& e) { lines.push_back(std::string("exception: ") + e.what()); }

    /// Lines holding `secret` (a key is searched for line by line: each line is a secret).
    std::vector<std::string> holding(std::string_view secret) const {
        std::vector<std::string> found;
        for (auto const& line : lines)
            if (line.find(secret) != std::string::npos)
                found.push_back(line);
        return found;
    }
};

std::string read_text(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

gapi::mime::message numbered(int i) {
    gapi::mime::message m;
    m.to = {{"Someone", "someone@elsewhere.example"}};
    m.subject = "Message " + std::to_string(i);
    m.text_body = "Body " + std::to_string(i) + "\n";
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(security)

BOOST_AUTO_TEST_CASE(no_secret_reaches_a_log_line_an_attempt_report_or_an_error_text) {
    gapi_test::temp_dir dir;
    emu::emulator_options o;
    o.state_dir = dir.path();
    o.quota.enabled = false;
    o.faults = "gmail.users.messages.send:503=0.2,429=0.1,reset=0.05,ambiguous=0.05;"
               "gmail.users.labels.list:500=0.3;oauth2.token:503=1,first=2";
    o.seed = 11;
    o.calendar = {.calendars = 1, .events_per_calendar = 2};
    emu::emulator google(o);
    google.start();

    transcript said;
    gapi::client_options co;
    co.pacing.enabled = false;
    co.retry.initial_backoff = 1ms;
    co.retry.max_backoff = 10ms;
    co.retry.applied_lookup_interval = 1ms;
    co.retry.max_attempts = 8;
    co.tokens.initial_backoff = 5ms;
    co.endpoints = {.gmail = google.base_url(), .calendar = google.base_url()};
    co.log = [&](gapi::pipeline::log_level level, std::string_view line) { said.log(level, line); };
    co.on_attempt = [&](gapi::pipeline::attempt_report const& r) { said.attempt(r); };

    // The secrets of the run: those in the files, and every access token the clients hold.
    std::vector<std::string> secrets;
    auto const user_file = boost::json::parse(read_text(dir.file("token.json"))).as_object();
    for (auto const key : {"token", "refresh_token", "client_secret"})
        secrets.emplace_back(user_file.at(key).as_string());
    auto const secret_file = boost::json::parse(read_text(dir.file("client_secret.json"))).as_object();
    secrets.emplace_back(secret_file.at("installed").at("client_secret").as_string());
    auto const key_file = boost::json::parse(read_text(dir.file("service_account.json"))).as_object();
    std::istringstream key_lines(std::string(key_file.at("private_key").as_string()));
    for (std::string line; std::getline(key_lines, line);)
        if (line.size() >= 40) // the key's base64 body; the BEGIN and END lines are no secret
            secrets.push_back(line);

    asio::io_context ioc;
    {
        gapi::client user(ioc.get_executor(), gapi::auth::credentials::from_file(dir.file("token.json")), co);
        auto const gmail = user.gmail();
        auto const calendar = user.calendar();
        gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 30; ++i) {
                auto const m = numbered(i);
                auto [ec, sent] = co_await gmail.send(m, use_tuple);
                if (ec)
                    said.error("send", ec);
                if (i == 10) // every access token dies: the next calls meet a 401 and refresh
                    google.with_state([](emu::emulator_state& s) { s.oauth.revoke_access_tokens("user1@example.com"); });
                auto [lec, labels] = co_await gmail.list_labels(use_tuple);
                if (lec)
                    said.error("labels", lec);
            }
            gapi::calendar::event_query const all; // named: GCC 12 destroys aggregates made in co_await twice
            auto [eec, events] = co_await calendar.list_events("primary", all, use_tuple);
            if (eec)
                said.error("events", eec);
            auto [gec, missing] = co_await gmail.get_message("no-such-message", gapi::gmail::message_format::full, use_tuple);
            said.error("get", gec);
            if (auto const* t = user.tokens().fresh_token())
                secrets.push_back(t->value);
            // The grant dies too: calls fail, and say so without the grant.
            google.with_state([](emu::emulator_state& s) {
                s.oauth.revoke_access_tokens("user1@example.com");
                s.oauth.revoke_refresh_tokens("user1@example.com");
            });
            auto const last = numbered(99);
            auto [rec, refused] = co_await gmail.send(last, use_tuple);
            BOOST_TEST(rec == gapi::error::reauthorization_required, rec.message());
            said.error("send after the grant was revoked", rec);
        }(), 120s);

        gapi::client robot(ioc.get_executor(),
                           gapi::auth::credentials::from_file(dir.file("service_account.json"),
                                                              {"https://www.googleapis.com/auth/calendar"}),
                           co);
        gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
            auto const robot_calendar = robot.calendar();
            std::string const first_page;
            auto [ec, list] = co_await robot_calendar.list_calendars(first_page, 250, use_tuple);
            if (ec)
                said.error("calendar list", ec);
            if (auto const* t = robot.tokens().fresh_token())
                secrets.push_back(t->value);
        }(), 60s);
    }

    // Credential files that are wrong in each way a user gets them wrong.
    auto broken = user_file;
    broken["client_secret"] = 42;
    std::ofstream(dir.file("broken-token.json")) << boost::json::serialize(broken);
    auto key_broken = key_file;
    key_broken["private_key"] = std::string(key_file.at("private_key").as_string()).substr(0, 400);
    std::ofstream(dir.file("broken-key.json")) << boost::json::serialize(key_broken);
    for (auto const* name : {"broken-token.json", "broken-key.json"}) {
        try {
            (void)gapi::auth::credentials::from_file(dir.file(name));
            BOOST_ERROR(name << " was accepted");
        } catch (std::exception const& e) {
            said.exception(e);
        }
    }

    BOOST_TEST_MESSAGE(said.lines.size() << " lines said, " << secrets.size() << " secrets searched; e.g. "
                                         << said.lines.front() << " | " << said.lines.back());
    BOOST_TEST_REQUIRE(said.lines.size() > 60u); // the run did say a lot
    BOOST_TEST(secrets.size() >= 8u);
    for (auto const& secret : secrets) {
        BOOST_TEST_REQUIRE(secret.size() >= 16u);
        auto const found = said.holding(secret);
        BOOST_TEST(found.empty(), "a secret (" << secret.size() << " characters) in: " << (found.empty() ? "" : found[0]));
    }
    // The emulator's token formats, whatever their value.
    BOOST_TEST(said.holding("ya29.").empty());
    BOOST_TEST(said.holding("1//").empty());
    BOOST_TEST(said.holding("PRIVATE KEY").empty());
}

BOOST_AUTO_TEST_SUITE_END()
