// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The emulator on the wire: a running emulator on 127.0.0.1 answers requests written
// by hand through a plain blocking client (not gapi's), and the tests assert Google's
// statuses, error bodies and what the emulator stored and counted.
#include "wire_support.hpp"
#include "../support/raw_http.hpp"
#include "../support/run.hpp"

#include <gapi/emulator/api.hpp>
#include <gapi/emulator/emulator.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <boost/asio/error.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>
#include <thread>
#include <sys/stat.h>

using namespace gapi::emulator;
using gapi_test::form_encode;
using gapi_test::raw_client;
using gapi_test::raw_response;
using gapi_test::wire::raw_message;
using gapi_test::wire::send_body;
using gapi_test::wire::send_path;
using gapi_test::wire::wire_fixture;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(emulator_wire)

BOOST_AUTO_TEST_CASE(token_endpoint_refresh_and_errors) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto ok = f.refresh(c, f.refresh_token("user1@example.com"));
    BOOST_TEST_REQUIRE(ok.status == 200u, ok.body);
    BOOST_TEST(ok.headers["Content-Type"].starts_with("application/json"));
    auto token = ok.json();
    BOOST_TEST(token.at("token_type").as_string() == "Bearer");
    BOOST_TEST(token.at("expires_in").as_int64() == 3599);
    BOOST_TEST(token.at("access_token").as_string().starts_with("ya29."));
    BOOST_TEST(!token.contains("refresh_token"));

    auto revoked = f.refresh(c, "1//0not-a-token");
    BOOST_TEST(revoked.status == 400u);
    BOOST_TEST(revoked.json().at("error").as_string() == "invalid_grant");
    BOOST_TEST(revoked.json().at("error_description").as_string() == "Token has been expired or revoked.");

    auto bad_client = c.post_form("/token", "grant_type=refresh_token&refresh_token=x&client_id=nobody&client_secret=x");
    BOOST_TEST(bad_client.status == 401u);
    BOOST_TEST(bad_client.json().at("error").as_string() == "invalid_client");

    auto bad_grant = c.post_form("/token", "grant_type=password&client_id=" + form_encode(f.client_id()) +
                                               "&client_secret=" + form_encode(f.client_secret()));
    BOOST_TEST(bad_grant.status == 400u);
    BOOST_TEST(bad_grant.json().at("error").as_string() == "unsupported_grant_type");

    BOOST_TEST(f.google.counts().calls("oauth2.token") == 4u);
}

BOOST_AUTO_TEST_CASE(api_calls_need_a_valid_token_with_the_right_scope) {
    auto now = std::make_shared<clock_type::time_point>(clock_type::now());
    wire_fixture f({.token_ttl = 60s, .clock = [now] { return *now; }});
    raw_client c(f.google.port());

    auto missing = c.get("/gmail/v1/users/me/labels");
    BOOST_TEST(missing.status == 401u);
    BOOST_TEST(missing.error_status() == "UNAUTHENTICATED");
    BOOST_TEST(missing.error_reason() == "required");
    BOOST_TEST(missing.headers["WWW-Authenticate"].starts_with("Bearer realm=\"https://accounts.google.com/\""));

    auto garbage = c.get("/gmail/v1/users/me/labels", "ya29.garbage");
    BOOST_TEST(garbage.status == 401u);
    BOOST_TEST(garbage.error_reason() == "authError");
    BOOST_TEST(garbage.error_message() ==
               "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
               "other valid authentication credential. See "
               "https://developers.google.com/identity/sign-in/web/devconsole-project.");
    BOOST_TEST(garbage.headers["WWW-Authenticate"] ==
               "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");

    auto const token = f.access_token(c);
    BOOST_TEST(c.get("/gmail/v1/users/me/labels", token).status == 200u);
    *now += 61s; // past the token's lifetime
    auto expired = c.get("/gmail/v1/users/me/labels", token);
    BOOST_TEST(expired.status == 401u);
    BOOST_TEST(expired.error_reason() == "authError");

    // A token granted only gmail.send may send but not read.
    auto narrow = c.post_form("/token", "grant_type=refresh_token&refresh_token=" +
                                            form_encode(f.refresh_token("user1@example.com")) + "&client_id=" +
                                            form_encode(f.client_id()) + "&client_secret=" +
                                            form_encode(f.client_secret()) +
                                            "&scope=" + form_encode("https://www.googleapis.com/auth/gmail.send"));
    BOOST_TEST_REQUIRE(narrow.status == 200u, narrow.body);
    auto const send_only = std::string(narrow.json().at("access_token").as_string());
    auto denied = c.get("/gmail/v1/users/me/labels", send_only);
    BOOST_TEST(denied.status == 403u);
    BOOST_TEST(denied.error_reason() == "insufficientPermissions");
    BOOST_TEST(denied.error_status() == "PERMISSION_DENIED");
    BOOST_TEST(denied.headers["WWW-Authenticate"].find("error=\"insufficient_scope\"") != std::string::npos);
    auto sent = c.post_json(send_path, send_body("user2@example.com", "scoped", "<scoped@example.com>"), send_only);
    BOOST_TEST(sent.status == 200u, sent.body);
}

BOOST_AUTO_TEST_CASE(gmail_send_stores_indexes_and_delivers) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    std::string const subject = "=?UTF-8?B?zpPOtc65zrEgz4POv8+F?="; // "Γεια σου"
    auto sent = c.post_json(send_path, send_body("Bob <user2@example.com>", subject, "<wire-1@example.com>"), token);
    BOOST_TEST_REQUIRE(sent.status == 200u, sent.body);
    auto message = sent.json();
    auto const id = std::string(message.at("id").as_string());
    BOOST_TEST(id.size() == 16u);
    BOOST_TEST(message.contains("threadId"));
    BOOST_TEST(boost::json::serialize(message.at("labelIds")).find("SENT") != std::string::npos);

    f.google.with_state([&](emulator_state& s) {
        auto const& mine = s.gmail.messages("user1@example.com");
        BOOST_TEST_REQUIRE(mine.size() == 1u);
        BOOST_TEST(mine[0].subject == "Γεια σου");
        BOOST_TEST(mine[0].message_id == "<wire-1@example.com>");
        BOOST_TEST(mine[0].upload_type == "json");
        auto const& theirs = s.gmail.messages("user2@example.com");
        BOOST_TEST_REQUIRE(theirs.size() == 1u);
        BOOST_TEST(theirs[0].subject == "Γεια σου");
    });

    auto found = c.get("/gmail/v1/users/me/messages?q=" + form_encode("rfc822msgid:<wire-1@example.com>"), token);
    BOOST_TEST_REQUIRE(found.status == 200u, found.body);
    BOOST_TEST(found.json().at("messages").as_array().size() == 1u);
    auto none = c.get("/gmail/v1/users/me/messages?q=" + form_encode("rfc822msgid:<nope@example.com>"), token);
    BOOST_TEST(!none.json().contains("messages"));

    auto got = c.get("/gmail/v1/users/me/messages/" + id + "?format=raw", token);
    BOOST_TEST_REQUIRE(got.status == 200u, got.body);
    auto raw = decode_base64_any(std::string(got.json().at("raw").as_string()));
    BOOST_TEST_REQUIRE(raw.has_value());
    BOOST_TEST(raw->find("Message-ID: <wire-1@example.com>") != std::string::npos);

    auto missing = c.get("/gmail/v1/users/me/messages/ffffffffffffffff", token);
    BOOST_TEST(missing.status == 404u);
    BOOST_TEST(missing.error_reason() == "notFound");
    BOOST_TEST(missing.error_status() == "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(gmail_send_errors_are_googles) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    auto no_raw = c.post_json(send_path, "{}", token);
    BOOST_TEST(no_raw.status == 400u);
    BOOST_TEST(no_raw.error_message() ==
               "'raw' RFC822 payload message string or uploading message via /upload/* URL required");
    BOOST_TEST(no_raw.error_status() == "INVALID_ARGUMENT");

    auto bad_base64 = c.post_json(send_path, R"({"raw":"***not base64***"})", token);
    BOOST_TEST(bad_base64.status == 400u);
    BOOST_TEST(bad_base64.error_status() == "INVALID_ARGUMENT");

    auto no_recipient = c.post_json(
        send_path, R"({"raw":")" + encode_base64url("From: user1@example.com\r\nSubject: x\r\n\r\nbody\r\n") + "\"}",
        token);
    BOOST_TEST(no_recipient.status == 400u);
    BOOST_TEST(no_recipient.error_message() == "Recipient address required");

    auto malformed = c.post_json(send_path, R"({"raw": )", token);
    BOOST_TEST(malformed.status == 400u);

    f.google.with_state([](emulator_state& s) { BOOST_TEST(s.gmail.messages("user1@example.com").empty()); });
}

BOOST_AUTO_TEST_CASE(gmail_upload_endpoint_takes_rfc822) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    std::string const mime = "From: user1@example.com\r\nTo: user3@example.com\r\nSubject: uploaded\r\n"
                             "Message-ID: <upload-1@example.com>\r\n\r\nbody\r\n";
    auto r = c.request("POST", "/upload/gmail/v1/users/me/messages/send?uploadType=media",
                       {{"Authorization", "Bearer " + token}, {"Content-Type", "message/rfc822"}}, mime);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    auto const counts = f.google.counts();
    BOOST_TEST_REQUIRE(!counts.log.empty());
    BOOST_TEST(counts.log.back().path == "/upload/gmail/v1/users/me/messages/send");
    BOOST_TEST(counts.log.back().upload_type == "media");
    // The log holds the path decoded.
    auto const profile = c.request("GET", "/gmail/v1/users/user1%40example.com/profile?uploadType=x%2By",
                                   {{"Authorization", "Bearer " + token}}, "");
    BOOST_TEST_REQUIRE(profile.status == 200u, profile.body);
    auto const logged = f.google.counts().log.back();
    BOOST_TEST(logged.path == "/gmail/v1/users/user1@example.com/profile");
    BOOST_TEST(logged.method_id == "gmail.users.getProfile");
    BOOST_TEST(logged.upload_type == "x+y");
    f.google.with_state([](emulator_state& s) {
        BOOST_TEST_REQUIRE(s.gmail.messages("user1@example.com").size() == 1u);
        BOOST_TEST(s.gmail.messages("user1@example.com")[0].upload_type == "media");
    });
}

BOOST_AUTO_TEST_CASE(labels_drafts_and_profile) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    auto labels = c.get("/gmail/v1/users/me/labels", token);
    BOOST_TEST_REQUIRE(labels.status == 200u);
    BOOST_TEST(labels.body.find("\"INBOX\"") != std::string::npos);
    auto created = c.post_json("/gmail/v1/users/me/labels", R"({"name":"Clients"})", token);
    BOOST_TEST_REQUIRE(created.status == 200u, created.body);
    BOOST_TEST(created.json().at("type").as_string() == "user");
    auto again = c.post_json("/gmail/v1/users/me/labels", R"({"name":"Clients"})", token);
    BOOST_TEST(again.status == 409u);

    auto draft = c.post_json("/gmail/v1/users/me/drafts",
                             R"({"message":{"raw":")" + raw_message("user2@example.com", "draft", "<d1@example.com>") +
                                 "\"}}",
                             token);
    BOOST_TEST_REQUIRE(draft.status == 200u, draft.body);
    auto const draft_id = std::string(draft.json().at("id").as_string());
    auto sent = c.post_json("/gmail/v1/users/me/drafts/send", R"({"id":")" + draft_id + "\"}", token);
    BOOST_TEST_REQUIRE(sent.status == 200u, sent.body);
    auto gone = c.get("/gmail/v1/users/me/drafts/" + draft_id, token);
    BOOST_TEST(gone.status == 404u);

    auto profile = c.get("/gmail/v1/users/me/profile", token);
    BOOST_TEST_REQUIRE(profile.status == 200u);
    BOOST_TEST(profile.json().at("emailAddress").as_string() == "user1@example.com");
}

BOOST_AUTO_TEST_CASE(calendar_lists_pages_and_freebusy) {
    wire_fixture f({.calendar = {.calendars = 3, .events_per_calendar = 40}});
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    auto list = c.get("/calendar/v3/users/me/calendarList", token);
    BOOST_TEST_REQUIRE(list.status == 200u, list.body);
    BOOST_TEST(list.json().at("kind").as_string() == "calendar#calendarList");
    auto const calendars = list.json().at("items").as_array();
    BOOST_TEST(calendars.size() >= 4u);

    std::string calendar_id;
    for (auto const& item : calendars)
        if (!item.as_object().contains("primary"))
            calendar_id = std::string(item.as_object().at("id").as_string());
    BOOST_TEST_REQUIRE(!calendar_id.empty());

    std::set<std::string> seen;
    std::string page_token;
    std::string sync_token;
    for (int pages = 0; pages < 100; ++pages) {
        auto target = "/calendar/v3/calendars/" + form_encode(calendar_id) + "/events?maxResults=7";
        if (!page_token.empty())
            target += "&pageToken=" + form_encode(page_token);
        auto page = c.get(target, token);
        BOOST_TEST_REQUIRE(page.status == 200u, page.body);
        auto body = page.json();
        for (auto const& e : body.at("items").as_array())
            BOOST_TEST(seen.insert(std::string(e.as_object().at("id").as_string())).second);
        if (auto* next = body.if_contains("nextPageToken")) {
            page_token = std::string(next->as_string());
            continue;
        }
        sync_token = std::string(body.at("nextSyncToken").as_string());
        break;
    }
    BOOST_TEST(seen.size() == 40u);

    f.google.with_state([](emulator_state& s) { s.calendar.invalidate_sync_tokens(); });
    auto stale = c.get("/calendar/v3/calendars/" + form_encode(calendar_id) + "/events?syncToken=" +
                           form_encode(sync_token),
                       token);
    BOOST_TEST(stale.status == 410u, stale.body.substr(0, 300));
    BOOST_TEST(stale.error_reason() == "fullSyncRequired");
    BOOST_TEST(stale.error_status().empty()); // Calendar error bodies carry no status

    auto const now = clock_type::now();
    auto fb = c.post_json("/calendar/v3/freeBusy",
                          R"({"timeMin":")" + format_rfc3339(now) + R"(","timeMax":")" +
                              format_rfc3339(now + std::chrono::hours(24 * 30)) + R"(","items":[{"id":")" +
                              calendar_id + R"("},{"id":"nobody@example.com"}]})",
                          token);
    BOOST_TEST_REQUIRE(fb.status == 200u, fb.body);
    auto cals = fb.json().at("calendars").as_object();
    BOOST_TEST(cals.at(calendar_id).as_object().contains("busy"));
    BOOST_TEST(boost::json::serialize(cals.at("nobody@example.com")).find("notFound") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(batch_parts_answer_on_their_own) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    std::string const body =
        "--batch_wire\r\n"
        "Content-Type: application/http\r\n"
        "Content-ID: <item1:wire>\r\n\r\n"
        "GET /gmail/v1/users/me/labels HTTP/1.1\r\n\r\n\r\n"
        "--batch_wire\r\n"
        "Content-Type: application/http\r\n"
        "Content-ID: <item2:wire>\r\n\r\n"
        "POST /gmail/v1/users/me/messages/send HTTP/1.1\r\n"
        "Content-Type: application/json\r\n\r\n" +
        send_body("user2@example.com", "batched", "<batched@example.com>") +
        "\r\n"
        "--batch_wire\r\n"
        "Content-Type: application/http\r\n"
        "Content-ID: <item3:wire>\r\n\r\n"
        "GET /gmail/v1/users/me/messages/0000000000000000 HTTP/1.1\r\n\r\n\r\n"
        "--batch_wire--\r\n";
    for (std::string path : {"/batch/gmail/v1", "/batch"}) {
        auto r = c.request("POST", path,
                           {{"Authorization", "Bearer " + token},
                            {"Content-Type", "multipart/mixed; boundary=batch_wire"}},
                           body);
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        auto const content_type = std::string(r.headers["Content-Type"]);
        BOOST_TEST_REQUIRE(content_type.starts_with("multipart/mixed; boundary="));
        auto const boundary = content_type.substr(content_type.find('=') + 1);
        BOOST_TEST(r.body.find("--" + boundary + "\r\nContent-Type: application/http\r\n"
                               "Content-ID: <response-item1:wire>\r\n\r\nHTTP/1.1 200 OK") == 0u);
        BOOST_TEST(r.body.find("Content-ID: <response-item2:wire>\r\n\r\nHTTP/1.1 200 OK") != std::string::npos);
        BOOST_TEST(r.body.find("Content-ID: <response-item3:wire>\r\n\r\nHTTP/1.1 404 Not Found") !=
                   std::string::npos);
        BOOST_TEST(r.body.find("--" + boundary + "--") != std::string::npos);
    }
    auto counts = f.google.counts();
    BOOST_TEST(counts.calls("gmail.users.messages.send", 200) == 2u);
    BOOST_TEST(counts.calls("gmail.users.labels.list", 200) == 2u);
    BOOST_TEST(counts.calls("batch.gmail") == 2u);

    // No auth: each part fails on its own with 401.
    auto unauthenticated =
        c.request("POST", "/batch/gmail/v1", {{"Content-Type", "multipart/mixed; boundary=batch_wire"}}, body);
    BOOST_TEST(unauthenticated.status == 200u);
    BOOST_TEST(unauthenticated.body.find("HTTP/1.1 401 Unauthorized") != std::string::npos);

    auto malformed = c.request("POST", "/batch/gmail/v1",
                               {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}}, "{}");
    BOOST_TEST(malformed.status == 400u);
}

BOOST_AUTO_TEST_CASE(sustained_load_above_the_scaled_quota_gets_429_with_a_hint) {
    // 0.02 x 15,000 units/min = 300 units/min per user: three sends, then refusals.
    // The emulator's clock stands still: the bucket does not refill during the loop however
    // slowly it runs.
    wire_fixture f({.quota = {.scale = 0.02, .gmail_user_units_per_minute = 15'000}, .clock = [t = std::chrono::system_clock::now()] { return t; }});
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < 10; ++i) {
        auto r = c.post_json(send_path, send_body("user2@example.com", "q", "<q" + std::to_string(i) + "@x>"), token);
        if (r.status == 200) {
            ++ok;
        } else {
            BOOST_TEST_REQUIRE(r.status == 429u, r.body);
            BOOST_TEST(r.error_reason() == "rateLimitExceeded");
            BOOST_TEST(r.error_message().starts_with("User-rate limit exceeded.  Retry after "));
            auto const when = parse_rfc3339(r.error_message().substr(39));
            BOOST_TEST(when.has_value());
            ++limited;
        }
    }
    BOOST_TEST(ok == 3);
    BOOST_TEST(limited == 7);

    // Below the limit nothing is refused: another user, 100 getProfile calls of 1 unit.
    auto const other = f.access_token(c, "user2@example.com");
    for (int i = 0; i < 100; ++i)
        BOOST_TEST_REQUIRE(c.get("/gmail/v1/users/me/profile", other).status == 200u);
}

BOOST_AUTO_TEST_CASE(faults_repeat_with_the_seed_and_ambiguous_applies_then_resets) {
    auto statuses = [](std::uint64_t seed) {
        wire_fixture f({.faults = "gmail.users.labels.list:500=0.3,503=0.2", .seed = seed});
        raw_client c(f.google.port());
        auto const token = f.access_token(c);
        std::vector<unsigned> seen;
        for (int i = 0; i < 40; ++i)
            seen.push_back(c.get("/gmail/v1/users/me/labels", token).status);
        return seen;
    };
    auto const a = statuses(11);
    BOOST_TEST((a == statuses(11)));
    BOOST_TEST(std::count(a.begin(), a.end(), 500u) > 0);
    BOOST_TEST(std::count(a.begin(), a.end(), 503u) > 0);
    BOOST_TEST(std::count(a.begin(), a.end(), 200u) > 0);

    wire_fixture f({.faults = "gmail.users.messages.send:ambiguous=1"});
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    auto r = c.post_json(send_path, send_body("user2@example.com", "maybe", "<ambiguous@example.com>"), token);
    BOOST_TEST(r.error); // the connection was reset instead of answered
    BOOST_TEST(r.status == 0u);
    f.google.with_state([](emulator_state& s) {
        auto const& mine = s.gmail.messages("user1@example.com");
        BOOST_TEST_REQUIRE(mine.size() == 1u); // ... but the message was stored
        BOOST_TEST(mine[0].message_id == "<ambiguous@example.com>");
    });
    BOOST_TEST(f.google.counts().resets_injected == 1u);
}

BOOST_AUTO_TEST_CASE(tls_and_the_state_directory) {
    gapi_test::temp_dir dir;
    wire_fixture f({.tls = true, .state_dir = dir.path()});
    BOOST_TEST(f.google.base_url().starts_with("https://127.0.0.1:"));
    BOOST_TEST(!f.google.ca_certificate_pem().empty());
    raw_client c(f.google.port(), f.google.ca_certificate_pem());
    auto const token = f.access_token(c);
    BOOST_TEST(c.get("/gmail/v1/users/me/profile", token).status == 200u);

    auto read_json = [&](std::string const& name) {
        std::ifstream in(dir.file(name));
        std::stringstream text;
        text << in.rdbuf();
        return boost::json::parse(text.str()).as_object();
    };
    auto secret = read_json("client_secret.json");
    BOOST_TEST(secret.at("installed").at("token_uri").as_string() == f.google.base_url() + "/token");
    auto token_file = read_json("token.json");
    for (auto key : {"token", "refresh_token", "token_uri", "client_id", "client_secret", "scopes", "expiry"})
        BOOST_TEST(token_file.contains(key), key);
    auto sa = read_json("service_account.json");
    BOOST_TEST(sa.at("type").as_string() == "service_account");
    BOOST_TEST(sa.at("private_key").as_string().starts_with("-----BEGIN PRIVATE KEY-----"));
    std::ifstream ca(dir.file("ca.pem"));
    BOOST_TEST(ca.good());
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(dir.file("token.json").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);

    // The refresh token in token.json works on the wire.
    auto r = f.refresh(c, std::string(token_file.at("refresh_token").as_string()));
    BOOST_TEST(r.status == 200u);
}

BOOST_AUTO_TEST_CASE(admin_paths_expose_counts_and_messages) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    BOOST_TEST(c.post_json(send_path, send_body("user2@example.com", "one", "<dup@example.com>"), token).status == 200u);
    BOOST_TEST(c.post_json(send_path, send_body("user2@example.com", "two", "<dup@example.com>"), token).status == 200u);
    auto stats = c.get("/_emulator/stats");
    BOOST_TEST_REQUIRE(stats.status == 200u);
    BOOST_TEST(stats.json().at("methods").at("gmail.users.messages.send").at("200").as_int64() == 2);
    BOOST_TEST(stats.json().at("connectionsAccepted").as_int64() == 1);
    BOOST_TEST(stats.body.find("ya29.") == std::string::npos); // never token values
    auto gmail = c.get("/_emulator/gmail?user=user1@example.com");
    BOOST_TEST_REQUIRE(gmail.status == 200u);
    BOOST_TEST(gmail.body.find("<dup@example.com>") != std::string::npos);
    f.google.with_state([](emulator_state& s) {
        auto dups = s.gmail.duplicate_message_ids("user1@example.com");
        BOOST_TEST(dups.at("<dup@example.com>") == 2u);
    });
    auto log = c.get("/_emulator/log");
    BOOST_TEST(log.json().at("requests").as_array().size() >= 3u);
}

BOOST_AUTO_TEST_CASE(stop_closes_connections_and_start_serves_again) {
    wire_fixture f;
    raw_client c(f.google.port());
    auto const token = f.access_token(c);
    BOOST_TEST(c.get("/gmail/v1/users/me/profile", token).status == 200u);
    auto const port = f.google.port();
    f.google.stop();
    // The kept-alive connection was closed and nothing listens any more.
    auto after_stop = c.get("/gmail/v1/users/me/profile", token);
    BOOST_TEST(after_stop.error);
    raw_client late(port);
    BOOST_TEST(late.get("/gmail/v1/users/me/profile", token).error == boost::asio::error::connection_refused);
    f.google.start();
    BOOST_TEST(f.google.port() == port);
    raw_client again(port);
    BOOST_TEST(again.get("/gmail/v1/users/me/profile", token).status == 200u); // state survives a restart
}

BOOST_AUTO_TEST_CASE(concurrent_clients_on_several_serving_threads) {
    wire_fixture f({.threads = 2, .quota = {.enabled = false}});
    auto const token = [&] {
        raw_client c(f.google.port());
        return f.access_token(c);
    }();
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int t = 0; t < 4; ++t)
        clients.emplace_back([&, t] {
            raw_client c(f.google.port());
            for (int i = 0; i < 50; ++i) {
                auto const id = "<mt-" + std::to_string(t) + "-" + std::to_string(i) + "@example.com>";
                if (c.post_json(send_path, send_body("user2@example.com", "mt", id), token).status == 200)
                    ++ok;
            }
        });
    for (auto& t : clients)
        t.join();
    BOOST_TEST(ok.load() == 200);
    f.google.with_state([](emulator_state& s) {
        BOOST_TEST(s.gmail.messages("user1@example.com").size() == 200u);
        BOOST_TEST(s.gmail.messages("user2@example.com").size() == 200u);
        BOOST_TEST(s.gmail.duplicate_message_ids("user1@example.com").empty());
    });
    BOOST_TEST(f.google.counts().max_connections_open >= 2u);
}

BOOST_AUTO_TEST_SUITE_END()
