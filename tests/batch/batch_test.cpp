// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// Batches: the client's codec against the emulator's own (independent) parser and writer,
// malformed answers as typed errors, and explicit batches through the public API with the
// emulator's counts and store as the oracle.
#include "../support/run.hpp"
#include "../support/test_server.hpp"

#include <gapi/batch/batch.hpp>
#include <gapi/calendar/calendar_service.hpp>
#include <gapi/emulator/batch_codec.hpp>
#include <gapi/emulator/emulator.hpp>
#include <gapi/gmail/gmail_service.hpp>
#include <gapi/gmail/v1/methods.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <vector>

#include <unistd.h>

namespace asio = boost::asio;
namespace emu = gapi::emulator;
using gapi::api_error;
using gapi::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

gapi::http::request request(gapi::http::verb method, std::string url, std::string body = {}) {
    gapi::http::request r;
    r.method = method;
    r.url = boost::urls::url(url);
    r.body = std::move(body);
    if (!r.body.empty())
        r.headers.set(boost::beast::http::field::content_type, "application/json; charset=UTF-8");
    return r;
}

gapi::http::response envelope(std::string boundary_param, std::string body) {
    gapi::http::response r;
    r.status = 200;
    r.headers.set(boost::beast::http::field::content_type, "multipart/mixed; boundary=" + boundary_param);
    r.body = std::move(body);
    return r;
}

// A waiter read into directly, never handed over.
struct test_waiter final : gapi::pipeline::batch_waiter {
    void hand_over(std::shared_ptr<batch_waiter>) override {}
};

} // namespace

BOOST_AUTO_TEST_SUITE(batch_codec)

BOOST_AUTO_TEST_CASE(requests_encoded_by_the_client_read_back_by_the_emulator) {
    auto const a = request(gapi::http::verb::get, "https://gmail.googleapis.com/gmail/v1/users/me/messages/abc?format=minimal");
    auto const b = request(gapi::http::verb::post, "https://gmail.googleapis.com/gmail/v1/users/me/labels",
                           R"({"name":"Ελληνικά --batch_x"})");
    std::vector<gapi::batch::part_request> parts{{"item-0", &a}, {"item-1", &b}};
    auto const boundary = gapi::batch::make_boundary(parts);
    BOOST_TEST(boundary.starts_with("batch_"));
    emu::api_request outer;
    outer.method = gapi::http::verb::post;
    outer.url = boost::urls::url("/batch/gmail/v1");
    outer.headers.set(boost::beast::http::field::content_type, "multipart/mixed; boundary=" + boundary);
    outer.headers.set(boost::beast::http::field::authorization, "Bearer t");
    outer.body = gapi::batch::encode_request(parts, boundary);
    auto parsed = emu::parse_batch_request(outer);
    auto const* problem = std::get_if<std::string>(&parsed);
    BOOST_TEST_REQUIRE(!problem, (problem ? *problem : std::string()));
    auto const& inner = std::get<std::vector<emu::batch_part>>(parsed);
    BOOST_TEST_REQUIRE(inner.size() == 2u);
    BOOST_TEST(inner[0].content_id == "<item-0>");
    BOOST_TEST((inner[0].request.method == gapi::http::verb::get));
    BOOST_TEST(inner[0].request.url.encoded_path() == "/gmail/v1/users/me/messages/abc");
    BOOST_TEST(inner[0].request.url.encoded_query() == "format=minimal");
    BOOST_TEST(inner[1].request.body == b.body);
    BOOST_TEST(inner[1].request.headers[boost::beast::http::field::authorization] == "Bearer t"); // the outer's
}

BOOST_AUTO_TEST_CASE(a_batch_is_encoded_byte_for_byte) {
    // A target-form GET carrying a token (the envelope carries it, not the part), a
    // URL-form POST with a body and a Content-Length of its own (the part's is written).
    gapi::http::request get;
    get.method = gapi::http::verb::get;
    get.url = boost::urls::url("https://gmail.googleapis.com");
    get.target = "/gmail/v1/users/me/messages/abc?format=minimal";
    get.headers.set(boost::beast::http::field::authorization, "Bearer secret");
    auto post = request(gapi::http::verb::post, "https://gmail.googleapis.com/gmail/v1/users/me/labels?x=1", R"({"name":"L"})");
    post.headers.set(boost::beast::http::field::content_length, "999");
    post.headers.set("X-Extra", "v");
    std::vector<gapi::batch::part_request> parts{{"item-0", &get}, {"item-1", &post}};
    std::string const expected = "--B\r\nContent-Type: application/http\r\nContent-ID: <item-0>\r\n\r\n"
                                 "GET /gmail/v1/users/me/messages/abc?format=minimal HTTP/1.1\r\n\r\n\r\n"
                                 "--B\r\nContent-Type: application/http\r\nContent-ID: <item-1>\r\n\r\n"
                                 "POST /gmail/v1/users/me/labels?x=1 HTTP/1.1\r\n"
                                 "Content-Type: application/json; charset=UTF-8\r\nX-Extra: v\r\n"
                                 "Content-Length: 12\r\n\r\n{\"name\":\"L\"}\r\n"
                                 "--B--\r\n";
    BOOST_TEST(gapi::batch::encode_request(parts, "B") == expected);
    std::vector<gapi::batch::part_request> const none;
    BOOST_TEST(gapi::batch::encode_request(none, "B") == "--B--\r\n");
}

BOOST_AUTO_TEST_CASE(responses_written_by_the_emulator_read_by_the_client_in_any_order) {
    std::vector<emu::batch_part_response> parts(3);
    parts[0].content_id = "<item-2>";
    parts[0].response.status = 404;
    parts[0].response.body = R"({"error":{"code":404,"message":"Requested entity was not found.","errors":[{"reason":"notFound"}]}})";
    parts[1].content_id = "<item-0>";
    parts[1].response.status = 200;
    parts[1].response.headers.set(boost::beast::http::field::content_type, "application/json; charset=UTF-8");
    parts[1].response.body = "{\"id\":\"a\"}\r\n--not-the-boundary\r\n";
    parts[2].content_id = "<item-1>";
    parts[2].response.status = 204;
    auto const body = emu::serialize_batch_response(parts, "batch_XyZ");
    auto decoded = gapi::batch::decode_response(envelope("batch_XyZ", body));
    BOOST_TEST_REQUIRE(decoded.has_value());
    BOOST_TEST_REQUIRE(decoded->size() == 3u);
    BOOST_TEST((*decoded)[0].content_id == "item-2");
    BOOST_TEST((*decoded)[0].response.status == 404u);
    BOOST_TEST((*decoded)[1].content_id == "item-0");
    BOOST_TEST((*decoded)[1].response.body == parts[1].response.body);
    BOOST_TEST((*decoded)[2].response.status == 204u);
    BOOST_TEST((*decoded)[2].response.body.empty());

    // Bare LF line ends and a quoted boundary parameter are read too.
    std::string lf = "--b1\nContent-Type: application/http\nContent-ID: <response-item-0>\n\nHTTP/1.1 200 OK\n"
                     "Content-Type: application/json\n\n{\"x\":1}\n--b1--\n";
    auto const lf_decoded = gapi::batch::decode_response(envelope("\"b1\"", lf));
    BOOST_TEST_REQUIRE(lf_decoded.has_value());
    BOOST_TEST((*lf_decoded)[0].content_id == "item-0");
    BOOST_TEST((*lf_decoded)[0].response.body == "{\"x\":1}");
}

BOOST_AUTO_TEST_CASE(malformed_batch_answers_are_typed_errors) {
    std::string const part_head = "--b\r\nContent-Type: application/http\r\nContent-ID: <response-item-0>\r\n\r\n";
    for (auto const& [type, body] : std::vector<std::pair<std::string, std::string>>{
             {"b", ""},                                                     // nothing
             {"", part_head + "HTTP/1.1 200 OK\r\n\r\n{}\r\n--b--\r\n"},    // no boundary
             {"b", part_head + "HTTP/1.1 200 OK\r\n\r\n{}\r\n"},            // cut short: no closing delimiter
             {"b", part_head + "HTTP/1.1 2x0 OK\r\n\r\n{}\r\n--b--\r\n"},   // a status that is no number
             {"b", part_head + "SMTP 250 OK\r\n\r\n{}\r\n--b--\r\n"},       // not HTTP
             {"b", part_head + "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n{}\r\n--b--\r\n"}, // longer than the part
             {"b", part_head + "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n{}\r\n--b--\r\n"},
             {"b", part_head + "HTTP/1.1 99 Odd\r\n\r\n{}\r\n--b--\r\n"},    // statuses out of range
             {"b", part_head + "HTTP/1.1 600 Odd\r\n\r\n{}\r\n--b--\r\n"},
             {"b", part_head + "HTTP/1.1  200 OK\r\n\r\n{}\r\n--b--\r\n"},   // no status where it goes
             {"b", part_head + "HTTP/1.1 +200 OK\r\n\r\n{}\r\n--b--\r\n"},
             {"b", part_head + "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}\r\n--b--\r\n"}, // lengths that are no number
             {"b", part_head + "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n{}\r\n--b--\r\n"},
             {"b", part_head + "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n{}\r\n--b--\r\n"},
             {"b", part_head + "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551618\r\n\r\n{}\r\n--b--\r\n"},
         }) {
        auto r = envelope(type, body);
        if (type.empty())
            r.headers.set(boost::beast::http::field::content_type, "multipart/mixed");
        auto const decoded = gapi::batch::decode_response(r);
        BOOST_TEST(!decoded.has_value(), body);
        if (!decoded)
            BOOST_TEST(decoded.error() == gapi::error::malformed_response);
    }
}

BOOST_AUTO_TEST_CASE(a_parts_status_and_length_are_read_as_written) {
    std::string const part_head = "--b\r\nContent-Type: application/http\r\nContent-ID: <response-item-0>\r\n\r\n";
    auto const decoded = gapi::batch::decode_response(
        envelope("b", part_head + "HTTP/1.1 404 Not Found\r\ncontent-length: 0007\r\n\r\n{\"a\":1}tail\r\n--b--\r\n"));
    BOOST_TEST_REQUIRE(decoded.has_value());
    BOOST_TEST_REQUIRE(decoded->size() == 1u);
    BOOST_TEST(decoded->front().response.status == 404u);
    BOOST_TEST(decoded->front().response.body == "{\"a\":1}");
}

BOOST_AUTO_TEST_CASE(a_boundary_is_one_no_part_holds) {
    gapi::http::request empty;
    std::vector<gapi::batch::part_request> none{{"item-0", &empty}};
    auto const first = gapi::batch::make_boundary(none);
    // The boundaries that come next, as counted: a body holding the next two.
    auto const stem = first.substr(0, first.find_last_not_of("0123456789") + 1);
    auto const count = std::stoull(first.substr(stem.size()));
    gapi::http::request holding;
    holding.body = stem + std::to_string(count + 1) + " " + stem + std::to_string(count + 2);
    std::vector<gapi::batch::part_request> parts{{"item-0", &empty}, {"item-1", &holding}};
    auto const chosen = gapi::batch::make_boundary(parts);
    BOOST_TEST(chosen.starts_with("batch_"));
    BOOST_TEST(chosen.size() <= 70u); // RFC 2046's limit
    BOOST_TEST(chosen != first);
    BOOST_TEST(holding.body.find(chosen) == std::string::npos, chosen);
}

BOOST_AUTO_TEST_CASE(pythons_email_parser_reads_the_encoded_batch_strictly) {
    std::string const python = "/usr/bin/python3";
    if (::access(python.c_str(), X_OK) != 0) {
        BOOST_TEST_REQUIRE(!std::getenv("CI"), "CI must have /usr/bin/python3");
        return;
    }
    auto const a = request(gapi::http::verb::get, "https://www.googleapis.com/calendar/v3/calendars/primary/events?maxResults=10");
    auto const b = request(gapi::http::verb::post, "https://www.googleapis.com/calendar/v3/calendars/primary/events",
                           R"({"summary":"Καφές"})");
    auto const c = request(gapi::http::verb::delete_, "https://www.googleapis.com/calendar/v3/calendars/primary/events/x");
    std::vector<gapi::batch::part_request> parts{{"item-0", &a}, {"item-1", &b}, {"item-2", &c}};
    auto const boundary = gapi::batch::make_boundary(parts);
    gapi_test::temp_dir dir;
    std::ofstream(dir.file("batch.eml"), std::ios::binary)
        << "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=" << boundary << "\r\n\r\n"
        << gapi::batch::encode_request(parts, boundary);
    auto const command = python + " " GAPI_SOURCE_DIR "/tests/batch/check_batch_with_python_email.py " +
                         dir.file("batch.eml") + " 3";
    BOOST_TEST(std::system(command.c_str()) == 0);
}

BOOST_AUTO_TEST_CASE(each_part_is_read_into_its_calls_outcome_the_first_of_two_for_one_call_counts) {
    auto part = [](std::string id, std::string status_line, std::string body) {
        return "--b\r\nContent-Type: application/http\r\nContent-ID: <response-" + id + ">\r\n\r\n" + status_line +
               "\r\nContent-Type: application/json\r\n\r\n" + body + "\r\n";
    };
    gapi::pipeline::outcome whole;
    whole.response = envelope("b", part("item-1", "HTTP/1.1 200 OK", R"({"n":1})") +
                                       part("item-1", "HTTP/1.1 200 OK", R"({"n":2})") +
                                       part("item-0", "HTTP/1.1 404 Not Found",
                                            R"({"error":{"code":404,"message":"gone","errors":[{"reason":"notFound"}]}})") +
                                       part("item-2", "HTTP/1.1 200 OK", R"({"n":3})") + "--b--\r\n");
    whole.response.exchange.request_written = true;
    std::vector<gapi::pipeline::outcome> answers(3);
    // The third call left (it cancelled): its part is read nowhere.
    std::vector<gapi::pipeline::outcome*> const into{&answers[0], &answers[1], nullptr};
    gapi::pipeline::read_batch_answers(whole, into);
    BOOST_TEST(answers[0].ec == api_error::not_found);
    BOOST_TEST_REQUIRE(answers[0].details.has_value());
    BOOST_TEST(answers[0].details->message == "gone");
    BOOST_TEST(!answers[1].ec);
    BOOST_TEST(answers[1].response.body == R"({"n":1})");
    BOOST_TEST(answers[1].response.headers.count(boost::beast::http::field::content_type) == 1u);
    BOOST_TEST(answers[1].response.exchange.request_written);
    BOOST_TEST(answers[2].response.status == 0u);
    BOOST_TEST(answers[2].response.body.empty());
}

// A call that reads only a success's body (`success_fields_unused`) gets a 2xx part
// without its header fields, and a refusal with them (Retry-After decides its retry);
// the other calls of the batch keep theirs.
BOOST_AUTO_TEST_CASE(a_success_comes_without_its_fields_only_to_a_call_that_reads_just_the_body) {
    auto part = [](std::string id, std::string status_line) {
        return "--b\r\nContent-Type: application/http\r\nContent-ID: <response-" + id + ">\r\n\r\n" + status_line +
               "\r\nContent-Type: application/json\r\nRetry-After: 7\r\n\r\n{}\r\n";
    };
    gapi::pipeline::outcome whole;
    whole.response = envelope("b", part("item-0", "HTTP/1.1 200 OK") + part("item-1", "HTTP/1.1 200 OK") +
                                       part("item-2", "HTTP/1.1 429 Too Many Requests") + "--b--\r\n");
    test_waiter body_only, whole_answer, refused;
    body_only.success_fields_unused = true;
    refused.success_fields_unused = true;
    std::vector<gapi::pipeline::batch_waiter*> const waiters{&body_only, &whole_answer, &refused};
    gapi::pipeline::read_batch_answers(whole, waiters);
    BOOST_TEST(body_only.result.response.status == 200u);
    BOOST_TEST(body_only.result.response.body == "{}");
    BOOST_TEST((body_only.result.response.headers.begin() == body_only.result.response.headers.end()));
    BOOST_TEST(whole_answer.result.response.headers.count(boost::beast::http::field::content_type) == 1u);
    BOOST_TEST(whole_answer.result.response.headers.count(boost::beast::http::field::retry_after) == 1u);
    BOOST_TEST(refused.result.response.status == 429u);
    BOOST_TEST(refused.result.response.headers.count(boost::beast::http::field::retry_after) == 1u);
}

// A call that reads its resource out of the batch's answer (`reads_body_in_place`) has
// its 2xx part's body left there (`body_in_place`), and its outcome's body stays empty; a
// refusal's body is copied as before, and so is a success's for any other call.
BOOST_AUTO_TEST_CASE(a_success_body_stays_in_the_answer_for_a_call_that_reads_it_there) {
    auto part = [](std::string id, std::string status_line, std::string body) {
        return "--b\r\nContent-Type: application/http\r\nContent-ID: <response-" + id + ">\r\n\r\n" + status_line +
               "\r\nContent-Type: application/json\r\n\r\n" + body + "\r\n";
    };
    std::string const refusal = R"({"error":{"code":404,"message":"gone","errors":[{"reason":"notFound"}]}})";
    gapi::pipeline::outcome whole;
    whole.response = envelope("b", part("item-0", "HTTP/1.1 200 OK", R"({"n":0})") +
                                       part("item-1", "HTTP/1.1 404 Not Found", refusal) +
                                       part("item-2", "HTTP/1.1 200 OK", R"({"n":2})") + "--b--\r\n");
    test_waiter in_place, refused, copied;
    in_place.reads_body_in_place = true;
    refused.reads_body_in_place = true;
    std::vector<gapi::pipeline::batch_waiter*> const waiters{&in_place, &refused, &copied};
    gapi::pipeline::read_batch_answers(whole, waiters);
    BOOST_TEST_REQUIRE(in_place.body_in_place.has_value());
    BOOST_TEST(*in_place.body_in_place == R"({"n":0})");
    auto const& text = whole.response.body;
    auto const* const at = in_place.body_in_place->data();
    BOOST_TEST((at >= text.data() && at < text.data() + text.size())); // a view into the answer
    BOOST_TEST(!in_place.result.ec);
    BOOST_TEST(in_place.result.response.status == 200u);
    BOOST_TEST(in_place.result.response.body.empty());
    BOOST_TEST(!refused.body_in_place.has_value());
    BOOST_TEST(refused.result.ec == api_error::not_found);
    BOOST_TEST(refused.result.response.body == refusal);
    BOOST_TEST(!copied.body_in_place.has_value());
    BOOST_TEST(copied.result.response.body == R"({"n":2})");
}

// Calls batched by the client read their resources out of the batch's answer; when the
// answer is cut short after a call's part, that call fails with the others, its part's
// body unread.
BOOST_AUTO_TEST_CASE(an_answer_cut_short_after_a_batched_calls_part_fails_that_call_too) {
    asio::io_context ioc;
    gapi_test::test_server server(ioc.get_executor());
    gapi::client_options co;
    co.pacing.enabled = false;
    co.batching.enabled = true;
    co.retry.max_attempts = 1;
    gapi::client google(ioc.get_executor(), gapi::auth::credentials::from_access_token("ya29.test"), co);
    gapi::gmail::gmail_service gmail(google, {.root = server.base_url()});
    auto part = [](int i) {
        auto const n = std::to_string(i);
        return "--b\r\nContent-Type: application/http\r\nContent-ID: <response-item-" + n +
               ">\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"id\":\"m" + n + "\"}\r\n";
    };
    std::vector<std::pair<error_code, std::string>> got(3);
    std::size_t answered = 0;
    auto const get_three = [&] {
        answered = 0;
        for (std::size_t i = 0; i < 3; ++i)
            gmail.get_message("m" + std::to_string(i), gapi::gmail::message_format::minimal,
                              [&, i](error_code ec, gapi::gmail::message m) {
                                  got[i] = {ec, m.id};
                                  ++answered;
                              });
        gapi_test::run(ioc, gapi_test::eventually([&] { return answered == 3; }, "every call answered"));
    };
    server.respond("/batch/gmail/v1", {200, part(1) + part(0) + part(2) + "--b--\r\n", "multipart/mixed; boundary=b"});
    get_three();
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(!got[i].first, got[i].first.message());
        BOOST_TEST(got[i].second == "m" + std::to_string(i));
    }
    server.respond("/batch/gmail/v1", {200, part(0) + part(1).substr(0, 90), "multipart/mixed; boundary=b"});
    get_three();
    for (auto const& [ec, id] : got) {
        BOOST_TEST(ec == gapi::error::malformed_response, ec.message());
        BOOST_TEST(id.empty());
    }
    BOOST_TEST(google.stats().batch_requests == 2u);
}

BOOST_AUTO_TEST_CASE(a_missing_part_and_a_truncated_answer_are_typed_errors_per_call) {
    asio::io_context ioc;
    gapi_test::test_server server(ioc.get_executor());
    gapi::client google(ioc.get_executor(), gapi::auth::credentials::from_access_token("ya29.test"));
    gapi::gmail::gmail_service gmail(google, {.root = server.base_url()});
    std::string const part = "Content-Type: application/http\r\nContent-ID: <response-item-%d>\r\n\r\n"
                             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"labels\":[]}\r\n";
    auto part_for = [&](int i) {
        char buf[256];
        std::snprintf(buf, sizeof buf, part.c_str(), i);
        return std::string(buf);
    };
    server.respond("/batch/gmail/v1", {200, "--b\r\n" + part_for(2) + "--b\r\n" + part_for(0) + "--b--\r\n",
                                       "multipart/mixed; boundary=b"});
    gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
        std::vector<gapi::http::request> calls(3, gmail.list_labels_request());
        auto [ec, results] = co_await gapi::batch::run(google, calls, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(results.size() == 3u);
        BOOST_TEST(!results[0].ec);
        BOOST_TEST(results[1].ec == gapi::error::malformed_response); // Google left it unanswered
        BOOST_TEST(!results[2].ec);
        server.respond("/batch/gmail/v1", {200, "--b\r\n" + part_for(0) + "--b\r\n" + part_for(1).substr(0, 90),
                                           "multipart/mixed; boundary=b"});
        std::tie(ec, results) = co_await gapi::batch::run(google, calls, use_tuple);
        BOOST_TEST_REQUIRE(results.size() == 3u);
        for (auto const& r : results)
            BOOST_TEST(r.ec == gapi::error::malformed_response);
    }());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- batches through the public API -------------------------------------------------------

namespace {

struct batch_fixture {
    explicit batch_fixture(std::string faults = {}, gapi::pipeline::batching_options batching = {}) {
        emu::emulator_options o;
        o.state_dir = dir.path();
        o.quota.enabled = false;
        o.faults = std::move(faults);
        o.calendar = {.calendars = 150, .events_per_calendar = 3};
        google.emplace(std::move(o));
        google->start();
        gapi::client_options co;
        co.pacing.enabled = false;
        co.batching = batching;
        co.retry.initial_backoff = std::chrono::milliseconds(1);
        co.retry.max_backoff = std::chrono::milliseconds(20);
        co.endpoints = {.gmail = google->base_url(), .calendar = google->base_url()};
        client.emplace(ioc.get_executor(), gapi::auth::credentials::from_file(dir.file("token.json")), co);
    }

    // Sends three messages and returns their ids.
    std::vector<std::string> seed(gapi::gmail::gmail_service const& gmail) {
        std::vector<std::string> ids;
        gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 3; ++i) {
                gapi::mime::message m;
                m.to = {{"", "someone@example.org"}};
                m.subject = "Seed " + std::to_string(i);
                m.text_body = "Body\n";
                auto [ec, sent] = co_await gmail.send(m, use_tuple);
                BOOST_TEST_REQUIRE(!ec, ec.message());
                ids.push_back(sent.id);
            }
        }());
        return ids;
    }

    // `n` concurrent messages.get calls; returns how many answered with the right message.
    std::size_t get_concurrently(gapi::gmail::gmail_service const& gmail, std::vector<std::string> const& ids,
                                 std::size_t n) {
        std::size_t right = 0, done = 0;
        for (std::size_t i = 0; i < n; ++i)
            gmail.get_message(ids[i % ids.size()], gapi::gmail::message_format::minimal,
                              [&, i](error_code ec, gapi::gmail::message m) {
                                  BOOST_TEST(!ec, i << ": " << ec.message());
                                  right += !ec && m.id == ids[i % ids.size()];
                                  ++done;
                              });
        gapi_test::run(ioc, gapi_test::eventually([&] { return done == n; }, "every call answered"));
        return right;
    }

    // The ids of the three events of `calendar_id`, listed without batching.
    std::vector<std::string> event_ids(gapi::calendar::calendar_service const& calendar) {
        std::vector<std::string> ids;
        gapi_test::run(ioc, [&]() -> asio::awaitable<void> {
            gapi::calendar::event_query const all;
            auto [ec, list] = co_await calendar.with({.batch = false}).list_events(calendar_id, all, use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
            for (auto const& e : list.items)
                ids.push_back(e.id);
        }());
        BOOST_TEST_REQUIRE(ids.size() == 3u);
        return ids;
    }

    static constexpr char const* calendar_id = "fixture-0001@group.calendar.google.com";

    gapi_test::temp_dir dir;
    std::optional<emu::emulator> google;
    asio::io_context ioc;
    std::optional<gapi::client> client;
};

} // namespace

BOOST_AUTO_TEST_SUITE(batch_explicit)

BOOST_AUTO_TEST_CASE(a_hundred_and_twenty_gets_go_as_three_batches_each_result_its_own) {
    batch_fixture f;
    auto const gmail = f.client->gmail();
    auto const ids = f.seed(gmail);
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        std::vector<gapi::http::request> calls;
        for (int i = 0; i < 119; ++i)
            calls.push_back(gmail.get_message_request(ids[i % 3], gapi::gmail::message_format::metadata));
        calls.push_back(gmail.get_message_request("0123456789abcdef")); // no such message
        auto [ec, results] = co_await gapi::batch::run(*f.client, std::move(calls), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(results.size() == 120u);
        for (int i = 0; i < 119; ++i) {
            auto [read_ec, m] = gapi::batch::read<gapi::gmail::message>(results[i]);
            BOOST_TEST(!read_ec, i << ": " << read_ec.message());
            BOOST_TEST(m.id == ids[i % 3], i);
        }
        BOOST_TEST(results[119].ec == api_error::not_found);
        BOOST_TEST_REQUIRE(results[119].details.has_value());
        BOOST_TEST(results[119].details->reason == "notFound");
        BOOST_TEST(results[119].response.status == 404u);
    }());
    BOOST_TEST(f.google->counts().calls("batch.gmail") == 3u); // 50 + 50 + 20
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.get") == 120u);
}

BOOST_AUTO_TEST_CASE(a_whole_url_goes_as_written_and_a_target_that_may_not_go_out_is_refused) {
    batch_fixture f;
    auto const gmail = f.client->gmail();
    auto const ids = f.seed(gmail);
    auto const minimal = gapi::gmail::message_format::minimal;
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        // A request made by hand, its whole URL in `url`, goes first: the batch goes to its
        // origin, and its part to its path.
        auto whole = gmail.get_message_request(ids[0], minimal);
        whole.url = boost::urls::url(gapi::http::absolute_url(whole));
        whole.target.clear();
        std::vector<gapi::http::request> calls{whole, gmail.get_message_request(ids[1], minimal)};
        auto [ec, results] = co_await gapi::batch::run(*f.client, std::move(calls), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(results.size() == 2u);
        for (std::size_t i = 0; i < 2; ++i) {
            auto [read_ec, m] = gapi::batch::read<gapi::gmail::message>(results[i]);
            BOOST_TEST(!read_ec, read_ec.message());
            BOOST_TEST(m.id == ids[i]);
        }
        // A target or a field with a line break, and a url given a path beside its target:
        // nothing goes.
        auto smuggling = gmail.get_message_request(ids[0], minimal);
        smuggling.target += "\r\nX-Smuggled: 1";
        auto injected = gmail.get_message_request(ids[0], minimal);
        injected.headers.set("X-Subject", "a\r\nX-Smuggled: 1");
        auto edited = gmail.get_message_request(ids[0], minimal);
        edited.url = boost::urls::url(gapi::http::absolute_url(edited));
        std::vector<gapi::http::request> const refused{smuggling, injected, edited};
        for (auto const& bad : refused) {
            std::vector<gapi::http::request> pair{gmail.get_message_request(ids[1], minimal), bad};
            auto [bad_ec, none] = co_await gapi::batch::run(*f.client, std::move(pair), use_tuple);
            BOOST_TEST(bad_ec == gapi::error::not_batchable);
            BOOST_TEST(none.empty());
        }
    }());
    BOOST_TEST(f.google->counts().calls("batch.gmail") == 1u);
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.get") == 2u);
}

BOOST_AUTO_TEST_CASE(calendar_batches_take_a_hundred_and_mixed_apis_are_refused) {
    batch_fixture f;
    auto const calendar = f.client->calendar();
    auto const gmail = f.client->gmail();
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        std::vector<gapi::http::request> calls;
        gapi::calendar::event_query const query;
        for (int i = 1; i <= 150; ++i) {
            char id[64];
            std::snprintf(id, sizeof id, "fixture-%04d@group.calendar.google.com", i);
            calls.push_back(calendar.list_events_request(id, query));
        }
        auto [ec, results] = co_await gapi::batch::run(*f.client, std::move(calls), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(results.size() == 150u);
        for (auto const& r : results) {
            auto [read_ec, list] = gapi::batch::read<gapi::calendar::event_list>(r);
            BOOST_TEST(!read_ec, read_ec.message());
            BOOST_TEST(list.items.size() == 3u);
        }
        std::vector<gapi::http::request> mixed{gmail.list_labels_request(), calendar.get_event_request("primary", "x")};
        auto [mixed_ec, none] = co_await gapi::batch::run(*f.client, std::move(mixed), use_tuple);
        BOOST_TEST(mixed_ec == gapi::error::not_batchable);
        BOOST_TEST(none.empty());
    }());
    BOOST_TEST(f.google->counts().calls("batch.calendar") == 2u); // 100 + 50
    BOOST_TEST(f.google->counts().calls("calendar.events.list") == 150u);
}

BOOST_AUTO_TEST_CASE(a_part_refused_for_the_rate_is_typed_and_the_others_succeed) {
    batch_fixture f;
    f.google->with_state([](emu::emulator_state& s) {
        auto rules = emu::fault_injector::parse("gmail.users.labels.list:429=1,first=2");
        s.faults = emu::fault_injector(std::move(rules.value()), 7);
    });
    auto const gmail = f.client->gmail();
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        std::vector<gapi::http::request> calls(5, gmail.list_labels_request());
        auto [ec, results] = co_await gapi::batch::run(*f.client, std::move(calls), use_tuple);
        BOOST_TEST_REQUIRE(!ec);
        BOOST_TEST_REQUIRE(results.size() == 5u);
        std::size_t limited = 0;
        for (auto const& r : results)
            limited += r.ec == api_error::rate_limited;
        BOOST_TEST(limited == 2u);
        BOOST_TEST(!results[4].ec);
    }());
}

BOOST_AUTO_TEST_CASE(sends_in_a_batch_meet_the_daily_sending_limit) {
    batch_fixture f;
    f.google->with_state([](emu::emulator_state& s) {
        emu::quota_options limits;
        limits.gmail_daily_sends = 3;
        s.quota = emu::quota_model(limits);
    });
    auto const gmail = f.client->gmail();
    auto sends = [&](int n) {
        std::vector<gapi::http::request> calls;
        for (int i = 0; i < n; ++i) {
            gapi::gmail::v1::message raw;
            raw.raw = "RnJvbTogdXNlcjFAZXhhbXBsZS5jb20NClRvOiBzb21lb25lQGV4YW1wbGUub3JnDQpTdWJqZWN0OiBiYXRjaA0KDQpoaQ0K";
            calls.push_back(gmail.users().messages().send_request("me", raw));
        }
        return calls;
    };
    gapi_test::run(f.ioc, [&]() -> asio::awaitable<void> {
        // Gmail sends three and refuses two for the day.
        auto [ec, results] = co_await gapi::batch::run(*f.client, sends(5), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(results.size() == 5u);
        std::size_t sent = 0, held = 0;
        for (auto const& r : results) {
            sent += !r.ec;
            held += r.ec == gapi::condition::daily_limit_reached;
        }
        BOOST_TEST(sent == 3u);
        BOOST_TEST(held == 2u);
        // The next batch of sends stops at home, each call with the daily limit; a batch of
        // reads still goes.
        std::tie(ec, results) = co_await gapi::batch::run(*f.client, sends(2), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(results.size() == 2u);
        for (auto const& r : results)
            BOOST_TEST(r.ec == gapi::condition::daily_limit_reached, r.ec.message());
        // So does the user's next send through the service.
        gapi::mime::message m;
        m.to = {{"", "someone@example.org"}};
        m.subject = "after the limit";
        m.text_body = "Body\n";
        auto [send_ec, not_sent] = co_await gmail.send(m, use_tuple);
        BOOST_TEST(send_ec == gapi::condition::daily_limit_reached, send_ec.message());
        std::vector<gapi::http::request> reads(2, gmail.list_labels_request());
        std::tie(ec, results) = co_await gapi::batch::run(*f.client, std::move(reads), use_tuple);
        BOOST_TEST_REQUIRE(results.size() == 2u);
        BOOST_TEST(!results[0].ec, results[0].ec.message());
    }());
    BOOST_TEST(f.google->counts().calls("batch.gmail") == 2u); // the first batch of sends and the reads
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.send") == 5u);
    BOOST_TEST(f.client->stats().daily_limit_stops == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(batch_automatic)

BOOST_AUTO_TEST_CASE(two_hundred_concurrent_calls_travel_as_four_batches_of_fifty) {
    // Batching off for the client, on for this service; a window far longer than the test,
    // so that only full batches go: the count is exact.
    batch_fixture f({}, {.window = std::chrono::seconds(600)});
    auto const plain = f.client->gmail();
    auto const ids = f.seed(plain);
    auto const batched = plain.with({.batch = true});
    BOOST_TEST(f.get_concurrently(batched, ids, 200) == 200u);
    BOOST_TEST(f.google->counts().calls("batch.gmail") == 4u);
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.get") == 200u);
    BOOST_TEST(f.client->stats().batch_requests == 4u);
    BOOST_TEST(f.client->stats().batched_calls == 200u);
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.send") == 3u); // the seeds went alone
}

BOOST_AUTO_TEST_CASE(one_apis_running_calls_do_not_make_the_other_apis_batches_smaller) {
    // 30 Gmail and 80 Calendar calls at once, for one user: each API's batch is full at
    // the calls of its own API that run (balanced_batch_size), so each goes as one batch.
    // A window far longer than the test: the partial batches go when their calls have
    // all joined.
    batch_fixture f({}, {.enabled = true, .window = std::chrono::seconds(600)});
    auto const gmail = f.client->gmail();
    auto const calendar = f.client->calendar();
    auto const ids = f.seed(gmail.with({.batch = false}));
    std::string const cal = batch_fixture::calendar_id;
    auto const event_ids = f.event_ids(calendar);
    std::size_t right = 0, done = 0;
    for (std::size_t i = 0; i < 30; ++i)
        gmail.get_message(ids[i % 3], gapi::gmail::message_format::minimal, [&, i](error_code ec, gapi::gmail::message m) {
            right += !ec && m.id == ids[i % 3];
            ++done;
        });
    for (std::size_t i = 0; i < 80; ++i)
        calendar.get_event(cal, event_ids[i % 3], [&, i](error_code ec, gapi::calendar::event e) {
            right += !ec && e.id == event_ids[i % 3];
            ++done;
        });
    gapi_test::run(f.ioc, gapi_test::eventually([&] { return done == 110; }, "every call answered"));
    BOOST_TEST(right == 110u);
    BOOST_TEST(f.google->counts().calls("batch.gmail") == 1u);
    BOOST_TEST(f.google->counts().calls("batch.calendar") == 1u);
}

BOOST_AUTO_TEST_CASE(more_calls_than_one_batch_holds_go_as_even_batches_through_the_client) {
    // 64 gets started at once, in the mailbox's admission lane: the batcher reads that
    // lane's count of running calls (`call::admission_lane`) and fills two batches of 32,
    // not 50 and 14. The two go at once, on two connections, which tells their parts apart.
    batch_fixture f({}, {.enabled = true, .window = std::chrono::seconds(600)});
    auto const gmail = f.client->gmail();
    auto const ids = f.seed(gmail.with({.batch = false}));
    BOOST_TEST(f.get_concurrently(gmail, ids, 64) == 64u);
    BOOST_TEST(f.google->counts().calls("batch.gmail") == 2u);
    std::map<std::uint64_t, std::size_t> parts_per_connection;
    for (auto const& logged : f.google->counts().log)
        if (logged.in_batch)
            ++parts_per_connection[logged.connection];
    std::vector<std::size_t> sizes;
    for (auto const& [connection, parts] : parts_per_connection)
        sizes.push_back(parts);
    BOOST_TEST(sizes == (std::vector<std::size_t>{32, 32}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(only_the_ten_percent_refused_are_retried) {
    // The first twelve messages.get calls (10 % of 120) are refused with 429 inside their batch.
    batch_fixture f("gmail.users.messages.get:429=1,first=12", {.enabled = true});
    auto const gmail = f.client->gmail();
    auto const ids = f.seed(gmail.with({.batch = false}));
    BOOST_TEST(f.get_concurrently(gmail, ids, 120) == 120u);
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.get") == 132u); // 120 + 12 retries, nothing more
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.get", 429) == 12u);
    BOOST_TEST(f.client->stats().retries == 12u);
    // Three sends to seed, 120 gets: each counted once as a call, each attempt once.
    BOOST_TEST(f.client->stats().calls == 123u);
    BOOST_TEST(f.client->stats().attempts == 135u);
    BOOST_TEST(f.google->counts().calls("batch.gmail") >= 3u); // 50 + 50 + 20 at least, then the retries
}

// A service's get whose first attempt waits in its batch (no coroutine of its own):
// terminal cancellation takes it out of the batch before the batch goes, with
// `operation_aborted` and nothing sent for it; a partial one is not for it (as for a
// call in a coroutine, whose cancellation state lets only terminal through).
BOOST_AUTO_TEST_CASE(a_get_cancelled_while_its_batch_forms_is_never_sent) {
    batch_fixture f({}, {.enabled = true});
    auto const gmail = f.client->gmail();
    auto const ids = f.seed(gmail.with({.batch = false}));
    auto const gets_before = f.google->counts().calls("gmail.users.messages.get");
    std::array<asio::cancellation_signal, 3> signals;
    std::array<std::optional<error_code>, 3> got;
    std::array<std::string, 3> read;
    asio::post(f.ioc, [&] {
        // On the client's thread each joins its batch at once; the batch goes a turn later.
        for (std::size_t i = 0; i < 3; ++i)
            gmail.get_message(ids[i], gapi::gmail::message_format::minimal,
                              asio::bind_cancellation_slot(signals[i].slot(),
                                                           [&, i](error_code ec, gapi::gmail::message m) {
                                                               got[i] = ec;
                                                               read[i] = m.id;
                                                           }));
        signals[1].emit(asio::cancellation_type::terminal);
        signals[2].emit(asio::cancellation_type::partial);
    });
    gapi_test::run(f.ioc, gapi_test::eventually([&] { return got[0] && got[1] && got[2]; }, "every call answered"));
    BOOST_TEST(!*got[0]);
    BOOST_TEST(read[0] == ids[0]);
    BOOST_TEST(*got[1] == asio::error::operation_aborted);
    BOOST_TEST(!*got[2]);
    BOOST_TEST(read[2] == ids[2]);
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.get") - gets_before == 2u);
    BOOST_TEST(f.client->admission().running() == 0u); // every place given back
}

// A batched get's first attempt has no Authorization field of its own: its batch's
// envelope carries the token, which every part inherits. The token revoked, every part is
// refused with 401; each call goes on to its retry knowing which token it was sent with,
// so the token is renewed once, and every call succeeds on its second attempt.
BOOST_AUTO_TEST_CASE(a_batch_refused_for_a_revoked_token_renews_it_once_and_every_call_succeeds) {
    batch_fixture f({}, {.enabled = true});
    auto const gmail = f.client->gmail();
    auto const ids = f.seed(gmail.with({.batch = false}));
    auto const token_requests = f.google->counts().calls("oauth2.token");
    auto const refreshes = f.client->tokens().refreshes();
    f.google->with_state([](emu::emulator_state& s) { s.oauth.revoke_access_tokens("user1@example.com"); });
    BOOST_TEST(f.get_concurrently(gmail, ids, 10) == 10u);
    auto const counts = f.google->counts();
    BOOST_TEST(counts.calls("gmail.users.messages.get", 401) == 10u);
    BOOST_TEST(counts.calls("oauth2.token") - token_requests == 1u);
    BOOST_TEST(f.client->tokens().refreshes() - refreshes == 1u);
    BOOST_TEST(counts.calls("gmail.users.messages.get", 200) == 10u);
    BOOST_TEST(f.client->stats().attempts - f.client->stats().calls == 10u); // one retry each
}

// A batched get that goes alone (a batch of one goes as a plain request) carries the token
// its batch's envelope would have carried: one request, not refused.
BOOST_AUTO_TEST_CASE(a_batched_get_that_goes_alone_carries_its_token) {
    batch_fixture f({}, {.enabled = true});
    auto const gmail = f.client->gmail();
    auto const ids = f.seed(gmail.with({.batch = false}));
    auto const requests = f.google->counts().http_requests;
    BOOST_TEST(f.get_concurrently(gmail, ids, 1) == 1u);
    auto const counts = f.google->counts();
    BOOST_TEST(counts.http_requests - requests == 1u);
    BOOST_TEST(counts.calls("gmail.users.messages.get", 200) == 1u);
    BOOST_TEST(counts.calls("gmail.users.messages.get", 401) == 0u);
    BOOST_TEST(counts.calls("batch.gmail") == 0u);
}

namespace {

// Three gets of message `id` through a batching client of `f`'s emulator with `creds`,
// whose fields cannot go out: each goes alone, for the transport to refuse with
// `invalid_header_value`, and nothing reaches the server.
void check_refused_alone(batch_fixture& f, gapi::auth::credentials creds, std::string const& id) {
    gapi::client_options co;
    co.pacing.enabled = false;
    co.batching.enabled = true;
    co.endpoints = {.gmail = f.google->base_url(), .calendar = f.google->base_url()};
    gapi::client injected(f.ioc.get_executor(), std::move(creds), co);
    auto const before = f.google->counts().http_requests;
    std::vector<error_code> got;
    for (int i = 0; i < 3; ++i)
        injected.gmail().get_message(id, gapi::gmail::message_format::minimal,
                                     [&](error_code ec, gapi::gmail::message) { got.push_back(ec); });
    gapi_test::run(f.ioc, gapi_test::eventually([&] { return got.size() == 3; }, "every call answered"));
    for (auto const& ec : got)
        BOOST_TEST(ec == gapi::error::invalid_header_value, ec.message());
    BOOST_TEST(f.google->counts().http_requests == before);
    BOOST_TEST(injected.stats().batch_requests == 0u);
}

} // namespace

// The fields a call goes out with are checked after authorization set its own: a
// credential whose quota project holds a line break (its x-goog-user-project field would
// start a header of its own inside the batch's body) is not batched.
BOOST_AUTO_TEST_CASE(a_call_whose_authorization_fields_cannot_go_out_is_not_batched) {
    batch_fixture f({}, {.enabled = true});
    auto const ids = f.seed(f.client->gmail().with({.batch = false}));
    std::string text;
    {
        std::ifstream in(f.dir.file("token.json"), std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    auto creds = boost::json::parse(text).as_object();
    creds["quota_project_id"] = "project\r\nX-Injected: yes";
    std::ofstream(f.dir.file("token-injected.json"), std::ios::binary) << boost::json::serialize(creds);
    check_refused_alone(f, gapi::auth::credentials::from_file(f.dir.file("token-injected.json")), ids[0]);
}

// Nor is a call whose token holds a line break: the batch's envelope, which alone would
// carry it, is never made.
BOOST_AUTO_TEST_CASE(a_call_whose_token_cannot_go_out_is_not_batched) {
    batch_fixture f({}, {.enabled = true});
    check_refused_alone(f, gapi::auth::credentials::from_access_token("ya29.token\r\nX-Injected: yes"), "18f0a1");
}

// Two calls of one batch: a get, then a getProfile whose part is refused with 429. The
// get's handler, which runs first, cancels the other after its answer came and before
// its handler ran: it ends with `operation_aborted`, not with a retry.
BOOST_AUTO_TEST_CASE(a_call_cancelled_after_its_refused_part_came_is_not_retried) {
    batch_fixture f("gmail.users.getProfile:429=1,first=1", {.enabled = true});
    auto const gmail = f.client->gmail();
    auto const ids = f.seed(gmail.with({.batch = false}));
    asio::cancellation_signal cancel_profile;
    std::optional<error_code> got_message, got_profile;
    asio::post(f.ioc, [&] {
        gmail.get_message(ids[0], gapi::gmail::message_format::minimal, [&](error_code ec, gapi::gmail::message) {
            got_message = ec;
            cancel_profile.emit(asio::cancellation_type::terminal);
        });
        gmail.get_profile(asio::bind_cancellation_slot(cancel_profile.slot(), [&](error_code ec, gapi::gmail::profile) {
            got_profile = ec;
        }));
    });
    gapi_test::run(f.ioc, gapi_test::eventually([&] { return got_message && got_profile; }, "both calls answered"));
    BOOST_TEST(!*got_message);
    BOOST_TEST(*got_profile == asio::error::operation_aborted);
    BOOST_TEST(f.google->counts().calls("batch.gmail") == 1u);
    BOOST_TEST(f.google->counts().calls("gmail.users.getProfile") == 1u); // never sent again
    BOOST_TEST(f.client->admission().running() == 0u);
}

// The same, with a handler that throws on its `operation_aborted`: the exception goes
// on to `run`, the handler is called once, and its place is given back once.
BOOST_AUTO_TEST_CASE(a_handler_that_throws_on_its_late_cancellation_is_called_once) {
    struct thrown_by_handler {};
    batch_fixture f("gmail.users.getProfile:429=1,first=1", {.enabled = true});
    auto const gmail = f.client->gmail();
    auto const ids = f.seed(gmail.with({.batch = false}));
    asio::cancellation_signal cancel_profile;
    bool message_answered = false;
    int profile_calls = 0;
    asio::post(f.ioc, [&] {
        gmail.get_message(ids[0], gapi::gmail::message_format::minimal, [&](error_code, gapi::gmail::message) {
            message_answered = true;
            cancel_profile.emit(asio::cancellation_type::terminal);
        });
        gmail.get_profile(asio::bind_cancellation_slot(cancel_profile.slot(), [&](error_code ec, gapi::gmail::profile) {
            ++profile_calls;
            if (ec == asio::error::operation_aborted)
                throw thrown_by_handler{};
        }));
    });
    bool thrown = false;
    try {
        f.ioc.run_for(std::chrono::seconds(30)); // ends with the exception; the bound is for a failure
    } catch (thrown_by_handler const&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    BOOST_TEST(message_answered);
    BOOST_TEST(profile_calls == 1);
    BOOST_TEST(f.client->admission().running() == 0u);
}

BOOST_AUTO_TEST_CASE(ten_thousand_gets_of_each_api_need_at_most_one_request_in_forty) {
    batch_fixture f({}, {.enabled = true});
    auto const gmail = f.client->gmail();
    auto const calendar = f.client->calendar();
    auto const ids = f.seed(gmail.with({.batch = false}));
    std::string const cal = batch_fixture::calendar_id;
    auto const event_ids = f.event_ids(calendar);
    auto const before = f.google->counts().http_requests;
    constexpr std::size_t n = 10'000;
    std::size_t right = 0, done = 0;
    for (std::size_t i = 0; i < n; ++i) {
        gmail.get_message(ids[i % 3], gapi::gmail::message_format::minimal, [&, i](error_code ec, gapi::gmail::message m) {
            right += !ec && m.id == ids[i % 3];
            ++done;
        });
        calendar.get_event(cal, event_ids[i % 3], [&, i](error_code ec, gapi::calendar::event e) {
            right += !ec && e.id == event_ids[i % 3];
            ++done;
        });
    }
    gapi_test::run(f.ioc, gapi_test::eventually([&] { return done == 2 * n; }, "every call answered", std::chrono::seconds(120)),
                   std::chrono::seconds(150));
    BOOST_TEST(right == 2 * n);
    auto const counts = f.google->counts();
    BOOST_TEST(counts.http_requests - before <= 2 * n / 40);
    BOOST_TEST(counts.calls("batch.gmail") <= n / 40);
    BOOST_TEST(counts.calls("batch.calendar") <= n / 40);
    BOOST_TEST(counts.calls("gmail.users.messages.get") == n);
    BOOST_TEST(counts.calls("calendar.events.get") == n);
}

BOOST_AUTO_TEST_SUITE_END()
