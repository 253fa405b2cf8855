// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The emulator's shared parts, without sockets: the quota model, fault decisions,
// the batch codec and the small helpers every service uses.
#include <gapi/emulator/api.hpp>
#include <gapi/emulator/batch_codec.hpp>
#include <gapi/emulator/fault_injector.hpp>
#include <gapi/emulator/quota_model.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/parse.hpp>

#include <array>
#include <forward_list>
#include <string>
#include <vector>

using namespace gapi::emulator;
using namespace std::chrono_literals;

namespace {

constexpr std::array<std::string_view, 1> send_scopes{"https://www.googleapis.com/auth/gmail.send"};
method_info const send{.id = "gmail.users.messages.send",
                       .family = api_family::gmail,
                       .quota_units = 100,
                       .scopes = send_scopes,
                       .sends_mail = true};
method_info const list_labels{.id = "gmail.users.labels.list", .family = api_family::gmail, .quota_units = 1,
                              .scopes = send_scopes};
method_info const list_events{.id = "calendar.events.list", .family = api_family::calendar, .quota_units = 1,
                              .scopes = send_scopes};

clock_type::time_point at(std::string_view rfc3339) { return parse_rfc3339(rfc3339).value(); }

boost::json::object error_of(api_response const& r) { return boost::json::parse(r.body).as_object()["error"].as_object(); }

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_core)

BOOST_AUTO_TEST_CASE(rfc3339_round_trips_and_rejects_missing_offsets) {
    BOOST_TEST(format_rfc3339(at("2026-05-01T12:34:56.789+02:00")) == "2026-05-01T10:34:56.789Z");
    BOOST_TEST(format_rfc3339(at("2026-12-31T23:59:59Z")) == "2026-12-31T23:59:59.000Z");
    BOOST_TEST(format_rfc3339(at("2026-01-01T00:30:00-01:30")) == "2026-01-01T02:00:00.000Z");
    BOOST_TEST(!parse_rfc3339("2026-05-01T12:34:56").has_value());
    BOOST_TEST(!parse_rfc3339("2026-02-30T00:00:00Z").has_value());
    BOOST_TEST(!parse_rfc3339("2026-05-01 12:34:56Z").has_value());
    BOOST_TEST(!parse_rfc3339("").has_value());
}

BOOST_AUTO_TEST_CASE(base64_accepts_both_alphabets_and_padding) {
    BOOST_TEST(decode_base64_any("aGk=").value() == "hi");
    BOOST_TEST(decode_base64_any("aGk").value() == "hi");
    BOOST_TEST(decode_base64_any("-_8").value() == decode_base64_any("+/8").value());
    BOOST_TEST(!decode_base64_any("a").has_value());
    BOOST_TEST(!decode_base64_any("a*bc").has_value());
    std::string all;
    for (int c = 0; c < 256; ++c)
        all.push_back(static_cast<char>(c));
    BOOST_TEST(decode_base64_any(encode_base64url(all)).value() == all);
    BOOST_TEST(encode_base64url("\xfb\xff") == "-_8");
}

BOOST_AUTO_TEST_CASE(google_error_bodies_have_googles_shape) {
    auto r = error_response({.code = 410,
                             .message = "Sync token is no longer valid, a full sync is required.",
                             .reason = "fullSyncRequired",
                             .domain = "calendar",
                             .location = "syncToken",
                             .location_type = "parameter"});
    BOOST_TEST(r.status == 410u);
    auto e = error_of(r);
    BOOST_TEST(e["code"].as_int64() == 410);
    BOOST_TEST(!e.contains("status")); // Calendar style
    auto item = e["errors"].as_array()[0].as_object();
    BOOST_TEST(item["reason"].as_string() == "fullSyncRequired");
    BOOST_TEST(item["domain"].as_string() == "calendar");
    BOOST_TEST(item["location"].as_string() == "syncToken");
    BOOST_TEST(item["locationType"].as_string() == "parameter");
    BOOST_TEST(item["message"].as_string() == e["message"].as_string());
}

BOOST_AUTO_TEST_CASE(gmail_user_units_run_out_and_hint_when_to_retry) {
    quota_model quota({.scale = 0.1, .gmail_user_units_per_minute = 15'000}); // legacy table: 1,500 units, 15 sends
    auto const t0 = at("2026-05-01T10:00:00Z");
    for (int i = 0; i < 15; ++i)
        BOOST_TEST_REQUIRE(!quota.charge(send, "a@example.com", t0).has_value());
    auto refusal = quota.charge(send, "a@example.com", t0);
    BOOST_TEST_REQUIRE(refusal.has_value());
    BOOST_TEST(refusal->status == 429u);
    auto e = error_of(*refusal);
    BOOST_TEST(e["status"].as_string() == "RESOURCE_EXHAUSTED");
    BOOST_TEST(e["errors"].as_array()[0].as_object()["reason"].as_string() == "rateLimitExceeded");
    std::string const message(e["message"].as_string());
    std::string const prefix = "User-rate limit exceeded.  Retry after ";
    BOOST_TEST_REQUIRE(message.substr(0, prefix.size()) == prefix);
    auto const retry_at = parse_rfc3339(message.substr(prefix.size()));
    BOOST_TEST_REQUIRE(retry_at.has_value());
    // 100 units refill at 25 units/s: four seconds.
    BOOST_TEST((*retry_at > t0 + 3900ms && *retry_at < t0 + 4100ms));

    // Another user is not affected; cheap calls still pass for nobody once drained.
    BOOST_TEST(!quota.charge(send, "b@example.com", t0).has_value());
    // At the hinted time the call passes.
    BOOST_TEST(!quota.charge(send, "a@example.com", *retry_at).has_value());
}

BOOST_AUTO_TEST_CASE(below_the_rate_nothing_is_refused) {
    quota_model quota({.scale = 0.1, .gmail_user_units_per_minute = 15'000}); // legacy table: 25 units/s per user
    auto t = at("2026-05-01T10:00:00Z");
    for (int i = 0; i < 2000; ++i) {
        BOOST_TEST_REQUIRE(!quota.charge(list_labels, "a@example.com", t).has_value());
        t += 50ms; // 20 units/s
    }
}

BOOST_AUTO_TEST_CASE(the_2026_table_is_the_default_and_the_legacy_one_a_preset) {
    // 6,000 units per user per minute since 2026-05-01: 60 sends of 100 units, then refusals.
    BOOST_TEST(quota_options{}.gmail_user_units_per_minute == 6'000);
    BOOST_TEST(gapi::emulator::gmail_user_units_per_minute(gapi::emulator::quota_preset::legacy) == 15'000);
    for (auto const& [options, sends] : {std::pair{quota_options{}, 60}, std::pair{quota_options{.gmail_user_units_per_minute = 15'000}, 150}}) {
        quota_model quota(options);
        auto const t = at("2026-05-01T10:00:00Z");
        int passed = 0;
        while (passed < 1000 && !quota.charge(send, "a@example.com", t).has_value())
            ++passed;
        BOOST_TEST(passed == sends);
    }
}

BOOST_AUTO_TEST_CASE(daily_send_limit_counts_a_rolling_day) {
    quota_model quota({.gmail_daily_sends = 2});
    auto t = at("2026-05-01T10:00:00Z");
    BOOST_TEST(!quota.charge(send, "a@example.com", t).has_value());
    quota.record_send("a@example.com", t);
    t += 10min;
    BOOST_TEST(!quota.charge(send, "a@example.com", t).has_value()); // refused by the API: not recorded
    t += 1min;
    BOOST_TEST(!quota.charge(send, "a@example.com", t).has_value());
    quota.record_send("a@example.com", t - 1min);
    t += 10min;
    auto refusal = quota.charge(send, "a@example.com", t);
    BOOST_TEST_REQUIRE(refusal.has_value());
    std::string const message(error_of(*refusal)["message"].as_string());
    // Gmail's answer over the daily sending limit names the cause (fact sheet §6.1).
    BOOST_TEST(message == "User-rate limit exceeded (Mail sending).  Retry after 2026-05-02T10:00:00.000Z");
    BOOST_TEST(refusal->status == 429u);
    BOOST_TEST(!fault_injector::parse("gmail.users.messages.send:500=0.1:reset=0.1").has_value());
    BOOST_TEST(!quota.charge(send, "a@example.com", at("2026-05-02T10:00:00.001Z")).has_value());
}

BOOST_AUTO_TEST_CASE(calendar_limits_answer_403_usage_limits) {
    quota_model quota({.scale = 0.01}); // 6 requests per user per minute
    auto const t = at("2026-05-01T10:00:00Z");
    for (int i = 0; i < 6; ++i)
        BOOST_TEST_REQUIRE(!quota.charge(list_events, "a@example.com", t).has_value());
    auto refusal = quota.charge(list_events, "a@example.com", t);
    BOOST_TEST_REQUIRE(refusal.has_value());
    BOOST_TEST(refusal->status == 403u);
    auto e = error_of(*refusal);
    BOOST_TEST(e["errors"].as_array()[0].as_object()["reason"].as_string() == "userRateLimitExceeded");
    BOOST_TEST(e["errors"].as_array()[0].as_object()["domain"].as_string() == "usageLimits");
}

BOOST_AUTO_TEST_CASE(concurrency_cap_and_switching_quota_off) {
    quota_model quota({.max_concurrent_per_user = 2});
    BOOST_TEST(quota.enter(send, "a@example.com"));
    BOOST_TEST(!quota.check_concurrency(send, "a@example.com").has_value());
    BOOST_TEST(quota.enter(send, "a@example.com"));
    BOOST_TEST(!quota.check_concurrency(send, "a@example.com").has_value());
    BOOST_TEST(quota.enter(send, "a@example.com"));
    auto refusal = quota.check_concurrency(send, "a@example.com");
    BOOST_TEST_REQUIRE(refusal.has_value());
    BOOST_TEST(refusal->status == 429u);
    BOOST_TEST(error_of(*refusal)["message"].as_string() == "Too many concurrent requests for user.");
    BOOST_TEST(!quota.check_concurrency(send, "b@example.com").has_value()); // per user
    quota.leave("a@example.com");
    BOOST_TEST(!quota.check_concurrency(send, "a@example.com").has_value());

    // Calendar documents no concurrency cap.
    BOOST_TEST(!quota.enter(list_events, "a@example.com"));
    BOOST_TEST(!quota.check_concurrency(list_events, "a@example.com").has_value());

    BOOST_TEST(quota.enter(send, "a@example.com"));
    quota.set_enabled(false);
    BOOST_TEST(!quota.check_concurrency(send, "a@example.com").has_value());
    BOOST_TEST(!quota.enter(send, "a@example.com")); // off: nothing is counted, nothing to give back
    auto const t = at("2026-05-01T10:00:00Z");
    for (int i = 0; i < 1000; ++i)
        BOOST_TEST_REQUIRE(!quota.charge(send, "a@example.com", t).has_value());
}

BOOST_AUTO_TEST_CASE(a_call_dearer_than_a_minute_of_quota_still_passes_at_the_hinted_time) {
    quota_model quota({.scale = 0.005, .gmail_user_units_per_minute = 15'000}); // 75 units a minute; a send costs 100
    auto const t0 = at("2026-05-01T10:00:00Z");
    BOOST_TEST(!quota.charge(send, "a@example.com", t0).has_value());
    auto refusal = quota.charge(send, "a@example.com", t0);
    BOOST_TEST_REQUIRE(refusal.has_value());
    std::string const message(error_of(*refusal)["message"].as_string());
    auto const retry_at = parse_rfc3339(message.substr(std::string("User-rate limit exceeded.  Retry after ").size()));
    BOOST_TEST_REQUIRE(retry_at.has_value());
    BOOST_TEST(!quota.charge(send, "a@example.com", *retry_at).has_value());
}

BOOST_AUTO_TEST_CASE(fault_specs_parse_and_reject_nonsense) {
    auto rules = fault_injector::parse("gmail.users.messages.send:ambiguous=0.1,500=0.05;*:503=0.01,delay=5");
    BOOST_TEST_REQUIRE(rules.has_value());
    BOOST_TEST(rules->size() == 2u);
    BOOST_TEST((*rules)[0].pattern == "gmail.users.messages.send");
    BOOST_TEST((*rules)[0].probability.at(fault_kind::ambiguous) == 0.1);
    BOOST_TEST((*rules)[1].delay.count() == 5);
    BOOST_TEST(!fault_injector::parse("gmail.*:boom=0.1").has_value());
    BOOST_TEST(!fault_injector::parse("gmail.*:500=1.5").has_value());
    BOOST_TEST(!fault_injector::parse("no-colon").has_value());
    BOOST_TEST(!fault_injector::parse("x:500=abc").has_value());
    BOOST_TEST(fault_injector::parse("").value().empty());
}

BOOST_AUTO_TEST_CASE(faults_are_reproducible_per_method_and_seed) {
    auto rules = fault_injector::parse("gmail.*:500=0.2,reset=0.1;calendar.events.list:503=1").value();
    auto draw = [&](std::uint64_t seed, bool interleave) {
        fault_injector faults(rules, seed);
        std::vector<fault_kind> seen;
        std::chrono::milliseconds delay{};
        for (int i = 0; i < 500; ++i) {
            if (interleave)
                faults.next("calendar.events.list", delay);
            seen.push_back(faults.next("gmail.users.messages.send", delay));
        }
        return seen;
    };
    auto const a = draw(7, false);
    BOOST_TEST((a == draw(7, true))); // other methods' calls do not shift the sequence
    BOOST_TEST((a != draw(8, false)));
    auto const errors = std::count(a.begin(), a.end(), fault_kind::internal_error);
    auto const resets = std::count(a.begin(), a.end(), fault_kind::reset);
    BOOST_TEST((errors > 60 && errors < 140));
    BOOST_TEST((resets > 25 && resets < 80));

    fault_injector always(rules, 1);
    std::chrono::milliseconds delay{};
    BOOST_TEST((always.next("calendar.events.list", delay) == fault_kind::unavailable));
    BOOST_TEST((always.next("oauth2.token", delay) == fault_kind::none));
    BOOST_TEST(fault_injector::response_for(fault_kind::unavailable).status == 503u);
    BOOST_TEST(fault_injector::response_for(fault_kind::internal_error).status == 500u);
    BOOST_TEST(fault_injector::response_for(fault_kind::rate_limited).status == 429u);
}

BOOST_AUTO_TEST_CASE(batch_requests_are_read_like_google_does) {
    api_request outer;
    outer.method = verb::post;
    outer.url = boost::urls::parse_origin_form("/batch/gmail/v1?prettyPrint=false").value();
    outer.headers.set("Authorization", "Bearer ya29.outer");
    outer.headers.set("Content-Type", "multipart/mixed; boundary=\"batch_foobarbaz\"");
    outer.body = "preamble is ignored\r\n"
                 "--batch_foobarbaz\r\n"
                 "Content-Type: application/http\r\n"
                 "Content-ID: <item1:12930812@barnyard.example.com>\r\n"
                 "\r\n"
                 "GET /gmail/v1/users/me/labels HTTP/1.1\r\n"
                 "\r\n"
                 "\r\n"
                 "--batch_foobarbaz\r\n"
                 "Content-Type: application/http\r\n"
                 "Content-ID: <item2>\r\n"
                 "\r\n"
                 "POST /gmail/v1/users/me/labels\r\n"
                 "Content-Type: application/json\r\n"
                 "Authorization: Bearer ya29.inner\r\n"
                 "Content-Length: 16\r\n"
                 "\r\n"
                 "{\"name\":\"Work\"}\n"
                 "\r\n"
                 "--batch_foobarbaz--\r\n";
    auto parsed = parse_batch_request(outer);
    auto const* problem = std::get_if<std::string>(&parsed);
    BOOST_TEST_REQUIRE(!problem, (problem ? *problem : std::string()));
    auto const& parts = std::get<std::vector<batch_part>>(parsed);
    BOOST_TEST_REQUIRE(parts.size() == 2u);
    BOOST_TEST(parts[0].content_id == "<item1:12930812@barnyard.example.com>");
    BOOST_TEST((parts[0].request.method == verb::get));
    BOOST_TEST(parts[0].request.url.path() == "/gmail/v1/users/me/labels");
    BOOST_TEST(query_param(parts[0].request.url, "prettyPrint").value() == "false");
    BOOST_TEST(parts[0].request.headers["Authorization"] == "Bearer ya29.outer");
    BOOST_TEST(parts[0].request.headers["Content-Type"].empty()); // outer Content-* does not apply
    BOOST_TEST(parts[0].request.body.empty());
    BOOST_TEST((parts[1].request.method == verb::post));
    BOOST_TEST(parts[1].request.headers["Authorization"] == "Bearer ya29.inner");
    BOOST_TEST(parts[1].request.body == "{\"name\":\"Work\"}\n");
}

BOOST_AUTO_TEST_CASE(batch_bodies_with_bare_line_feeds_and_errors) {
    api_request outer;
    outer.method = verb::post;
    outer.url = boost::urls::parse_origin_form("/batch").value();
    outer.headers.set("Content-Type", "multipart/mixed; boundary=b");
    outer.body = "--b\nContent-Type: application/http\n\nGET /gmail/v1/users/me/profile\n\n--b--\n";
    auto parsed = parse_batch_request(outer);
    BOOST_TEST_REQUIRE(std::holds_alternative<std::vector<batch_part>>(parsed));
    BOOST_TEST(std::get<std::vector<batch_part>>(parsed).at(0).request.url.path() == "/gmail/v1/users/me/profile");

    outer.body = "--b\nContent-Type: text/plain\n\nGET /x\n\n--b--\n";
    BOOST_TEST(std::holds_alternative<std::string>(parse_batch_request(outer)));
    outer.body = "--b\nContent-Type: application/http\n\nGET /x\n"; // no close delimiter
    BOOST_TEST(std::holds_alternative<std::string>(parse_batch_request(outer)));
    outer.body = "--b\nContent-Type: application/http\n\nNOT A REQUEST LINE\n\n--b--\n";
    BOOST_TEST(std::holds_alternative<std::string>(parse_batch_request(outer)));
    outer.headers.set("Content-Type", "application/json");
    BOOST_TEST(std::holds_alternative<std::string>(parse_batch_request(outer)));
}

BOOST_AUTO_TEST_CASE(batch_responses_echo_content_ids) {
    std::vector<batch_part_response> parts(2);
    parts[0].content_id = "<item1:x@y>";
    parts[0].response = json_response(200, boost::json::object{{"id", "1"}});
    parts[1].content_id = "<item2>";
    parts[1].response = fault_injector::response_for(fault_kind::rate_limited);
    auto const body = serialize_batch_response(parts, "batch_abc");
    BOOST_TEST(body.find("--batch_abc\r\nContent-Type: application/http\r\nContent-ID: <response-item1:x@y>\r\n\r\n"
                         "HTTP/1.1 200 OK\r\n") == 0u);
    BOOST_TEST(body.find("Content-ID: <response-item2>\r\n\r\nHTTP/1.1 429 Too Many Requests\r\n") !=
               std::string::npos);
    BOOST_TEST(body.find("Content-Length: 10\r\n\r\n{\"id\":\"1\"}\r\n") != std::string::npos);
    BOOST_TEST(body.substr(body.size() - 15) == "--batch_abc--\r\n");
    BOOST_TEST(content_type_parameter("multipart/mixed; boundary=batch_abc", "boundary") == "batch_abc");
    BOOST_TEST(content_type_parameter("multipart/mixed; charset=x; Boundary=\"q r\"", "boundary") == "q r");
}

// query_param reads a query without decoding every parameter; what it finds must be what
// Boost.URL's params() (which reads a '+' as a space) finds, escapes in keys included.
BOOST_AUTO_TEST_CASE(query_parameters_read_as_boost_url_decodes_them) {
    for (std::string_view const query :
         {"format=full", "form%61t=raw&format=full", "q=a+b&q=c%2Bd&q=", "x", "x=&=v", "a+b=1&a%20b=2",
          "k=%E2%82%AC&K=no", "metadataHeaders=From&metadataHeaders=To", "empty&format=min%69mal", "&&format=a&", "a%2Bb=3&a+b=4",
          // whole URLs: the query is read from the text, where a fragment may follow it
          "http://h:1/p?format=raw#frag", "http://u@h/p?format=a%3Fb&q=?#x?format=no", "http://h/p#x?format=no",
          "http://h?format=full", "http://h/p?a#format=no"}) {
        auto const url = boost::urls::url(query.starts_with("http:")
                                              ? boost::urls::parse_uri(query).value()
                                              : boost::urls::parse_origin_form("/p?" + std::string(query)).value());
        for (std::string_view const key : {"format", "q", "x", "", "a b", "a+b", "k", "metadataHeaders", "empty", "missing"}) {
            std::vector<std::string> expected;
            for (auto const p : boost::urls::url_view(url).params())
                if (p.key == key)
                    expected.push_back(p.value);
            BOOST_TEST(query_params(url, key) == expected, query << " " << key);
            auto const first = query_param(url, key);
            BOOST_TEST(first.has_value() == !expected.empty(), query << " " << key);
            if (first && !expected.empty())
                BOOST_TEST(*first == expected.front(), query << " " << key);
        }
    }
    auto const url = boost::urls::url(boost::urls::parse_origin_form("/p?q=a+b%2Bc&form%61t=raw").value());
    BOOST_TEST(query_param(url, "q").value() == "a b+c");
    BOOST_TEST(query_param(url, "format").value() == "raw");
}

// Routing reads a path's segments as views, decoding only those with an escape; they must
// be what Boost.URL's segments() gives.
BOOST_AUTO_TEST_CASE(path_segments_read_as_boost_url_decodes_them) {
    for (std::string_view const path :
         {"/gmail/v1/users/me/messages/c5395256b655f7f2", "/calendar/v3/calendars/a%40b.example/events/e1",
          "/x/a%2Fb/c+d/%E2%82%AC", "/", "/a//b/", "/upload/gmail/v1/users/me/messages/send", "/%41",
          // the prefixes Boost.URL skips, and empty segments
          "/./", "/.", "//", "/.//a", "/./a/b", "/a//b//", "/%2F", "/..", "/../a", "/a/./b", "/.a", "/./.", "///"}) {
        auto const url = boost::urls::url(boost::urls::parse_origin_form(path).value());
        std::vector<std::string> expected;
        for (auto const s : boost::urls::url_view(url).segments())
            expected.push_back(s);
        std::vector<std::string_view> views;
        std::forward_list<std::string> decoded;
        decoded_segments(url, views, decoded);
        BOOST_TEST(std::vector<std::string>(views.begin(), views.end()) == expected, path);
    }
}

BOOST_AUTO_TEST_SUITE_END()
