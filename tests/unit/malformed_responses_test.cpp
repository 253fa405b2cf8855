// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// What the services do when an API answers with something that is not its resource:
// a typed error (`malformed_response`, or Google's code for an odd error body), never
// a crash. The server is a stand-in with canned answers.
#include "../support/run.hpp"
#include "../support/test_server.hpp"

#include <gapi/calendar/calendar_service.hpp>
#include <gapi/client.hpp>
#include <gapi/gmail/gmail_service.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

namespace asio = boost::asio;
using gapi::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct canned_fixture {
    canned_fixture() : server(ioc.get_executor()) {
        gapi::client_options options;
        options.endpoints = {.gmail = server.base_url(), .calendar = server.base_url()};
        // A canned 5xx is retried until the attempts run out: quickly, here.
        options.retry.initial_backoff = std::chrono::milliseconds(1);
        options.retry.max_backoff = std::chrono::milliseconds(4);
        client.emplace(ioc.get_executor(), gapi::auth::credentials::from_access_token("test-token"), options);
    }

    void run(asio::awaitable<void> test) { gapi_test::run(ioc, std::move(test)); }

    asio::io_context ioc;
    gapi_test::test_server server;
    std::optional<gapi::client> client;
};

gapi::mime::message hello() {
    gapi::mime::message m;
    m.to = {{"", "bob@example.com"}};
    m.subject = "hi";
    m.text_body = "hello";
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(malformed_responses)

BOOST_AUTO_TEST_CASE(gmail_answers_that_are_not_resources) {
    canned_fixture f;
    f.server.respond("/gmail/v1/users/me/messages/send", {200, R"({"threadId": "t1"})"}); // no id
    f.server.respond("/gmail/v1/users/me/labels", {200, R"({"labels": 5})"});
    f.server.respond("/gmail/v1/users/me/profile", {200, "<html>not json</html>"});
    f.server.respond("/gmail/v1/users/me/messages/abc", {200, R"({"id": "abc", "raw": "***"})"}); // bad base64url
    f.server.respond("/gmail/v1/users/me/drafts", {200, R"({"drafts": [{"id": 7}]})"});
    f.server.respond("/gmail/v1/users/me/messages", {500, "Internal oops, not JSON"});
    f.run([&]() -> asio::awaitable<void> {
        auto gmail = f.client->gmail();
        auto [ec, sent] = co_await gmail.send(hello(), use_tuple);
        BOOST_TEST(ec == gapi::error::malformed_response, ec.message());
        BOOST_TEST(ec == gapi::condition::malformed_response);
        auto [lec, labels] = co_await gmail.list_labels(use_tuple);
        BOOST_TEST(lec == gapi::error::malformed_response, lec.message());
        auto [pec, profile] = co_await gmail.get_profile(use_tuple);
        BOOST_TEST(pec == gapi::error::malformed_response, pec.message());
        auto [mec, message] = co_await gmail.get_message("abc", gapi::gmail::message_format::raw, use_tuple);
        BOOST_TEST(mec == gapi::error::malformed_response, mec.message());
        auto [dec, drafts] = co_await gmail.list_drafts(10, {}, use_tuple);
        BOOST_TEST(dec == gapi::error::malformed_response, dec.message());
        gapi::gmail::list_query const everything;
        auto [qec, page] = co_await gmail.list_messages(everything, use_tuple);
        BOOST_TEST(qec == gapi::api_error::backend_error, qec.message());
        BOOST_TEST(qec == gapi::condition::retryable);
    }());
}

BOOST_AUTO_TEST_CASE(gmail_resumable_upload_without_a_session_url) {
    canned_fixture f;
    f.server.respond("/upload/gmail/v1/users/me/messages/send", {200, "{}"}); // no Location header
    f.run([&]() -> asio::awaitable<void> {
        gapi::gmail::gmail_service gmail(*f.client, {.json_limit = 16, .media_limit = 32});
        auto [ec, sent] = co_await gmail.send(hello(), use_tuple);
        BOOST_TEST(ec == gapi::error::malformed_response, ec.message());
    }());
    BOOST_TEST(f.server.counts().requests == 1u); // the message itself was never sent
}

BOOST_AUTO_TEST_CASE(calendar_answers_that_are_not_resources) {
    canned_fixture f;
    f.server.respond("/calendar/v3/calendars/a/events", {200, R"({"items": [{"summary": "no id"}]})"});
    f.server.respond("/calendar/v3/calendars/b/events", {200, R"({"items": [{"id": "x", "start": "soon"}]})"});
    f.server.respond("/calendar/v3/calendars/c/events", {200, R"([1, 2, 3])"});
    f.server.respond("/calendar/v3/calendars/d/events", {200, R"({"items": [{"id": "x", "sequence": "many"}]})"});
    f.server.respond("/calendar/v3/freeBusy",
                     {200, R"({"timeMin": "2026-05-01T00:00:00Z", "timeMax": "2026-05-02T00:00:00Z",
                               "calendars": {"a": {"busy": [{"start": "yesterday", "end": "today"}]}}})"});
    f.server.respond("/calendar/v3/users/me/calendarList", {200, R"({"items": [{"id": "a"}, {"summary": "x"}]})"});
    f.run([&]() -> asio::awaitable<void> {
        auto calendar = f.client->calendar();
        for (char const* id : {"a", "b", "c", "d"}) {
            gapi::calendar::event_query const any;
            auto [ec, page] = co_await calendar.list_events(id, any, use_tuple);
            BOOST_TEST(ec == gapi::error::malformed_response, id << ": " << ec.message());
        }
        gapi::calendar::freebusy_query const query{.time_min = *gapi::calendar::parse_rfc3339("2026-05-01T00:00:00Z"),
                                                   .time_max = *gapi::calendar::parse_rfc3339("2026-05-02T00:00:00Z"),
                                                   .calendars = {"a"}};
        auto [fec, busy] = co_await calendar.query_freebusy(query, use_tuple);
        BOOST_TEST(fec == gapi::error::malformed_response, fec.message());
        BOOST_TEST(busy.calendars.at("a").error == gapi::error::malformed_response);
        auto [lec, calendars] = co_await calendar.list_all_calendars(use_tuple);
        BOOST_TEST(lec == gapi::error::malformed_response, lec.message());
    }());
}

BOOST_AUTO_TEST_SUITE_END()
