// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/emulator/gmail_service.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace gapi::emulator;
namespace json = boost::json;

namespace {

constexpr char full_scope[] = "https://mail.google.com/";

// Hand-written messages. Base64 literals in this file were computed with Python.
constexpr char lunch_mail[] = "From: Alice <alice@example.com>\r\n"
                              "To: Bob <bob@example.com>\r\n"
                              "Bcc: carol@example.com\r\n"
                              "Subject: Lunch\r\n"
                              "Message-ID: <lunch-1@example.com>\r\n"
                              "\r\n"
                              "Shall we meet at noon?\r\n";

constexpr char greek_mail[] = "From: =?UTF-8?B?zpPOtc65zrE=?= <alice@example.com>\r\n"
                              "To: \"Doe, John\" <john@example.net>, bob@example.com\r\n"
                              "Subject: =?UTF-8?B?zpPOtc65zrEgz4POv8+F?=\r\n"
                              "Message-ID: <greek@example.com>\r\n"
                              "MIME-Version: 1.0\r\n"
                              "Content-Type: multipart/mixed; boundary=\"==outer==\"\r\n"
                              "\r\n"
                              "--==outer==\r\n"
                              "Content-Type: multipart/alternative; boundary=inner\r\n"
                              "\r\n"
                              "--inner\r\n"
                              "Content-Type: text/plain; charset=UTF-8\r\n"
                              "Content-Transfer-Encoding: quoted-printable\r\n"
                              "\r\n"
                              "Caf=C3=A9 is =\r\n"
                              "open, 1+1=3D2\r\n"
                              "--inner\r\n"
                              "Content-Type: text/html; charset=UTF-8\r\n"
                              "\r\n"
                              "<p>Caf\xC3\xA9</p>\r\n"
                              "--inner--\r\n"
                              "--==outer==\r\n"
                              "Content-Type: text/plain; charset=UTF-8\r\n"
                              "Content-Disposition: attachment;\r\n"
                              " filename*=UTF-8''%CE%91%CF%81%CF%87%CE%B5%CE%AF%CE%BF.txt\r\n"
                              "Content-Transfer-Encoding: base64\r\n"
                              "\r\n"
                              "SGVsbG8gYXR0YWNobWVudCB3b3JsZCEKU2Vjb25kIGxp\r\n"
                              "bmUgb2YgdGhlIGF0dGFjaG1lbnQuCg==\r\n"
                              "--==outer==--\r\n";

std::string str(json::value const& v) {
    return std::string(v.as_string());
}

struct fixture {
    gmail_service svc;
    principal alice{.email = "alice@example.com", .scopes = {full_scope}, .client_id = "c"};
    principal bob{.email = "bob@example.com", .scopes = {full_scope}, .client_id = "c"};
    int tick = 0;

    explicit fixture(gmail_limits limits = {}, std::uint64_t seed = 7)
        : svc({"alice@example.com", "Bob@Example.com", "carol@example.com"}, limits, seed) {}

    api_request request(verb v, std::string const& target, std::string body = {},
                        std::string content_type = {}) {
        api_request r;
        r.method = v;
        r.url = boost::urls::url(target);
        r.body = std::move(body);
        if (!content_type.empty())
            r.headers.set(boost::beast::http::field::content_type, content_type);
        r.now = clock_type::time_point{} + std::chrono::seconds(1777600000 + ++tick);
        return r;
    }

    api_response call(api_request const& r, principal const& who) {
        auto m = svc.match(r.method, r.url);
        BOOST_TEST_REQUIRE(m.has_value(), "no match for " << r.url.buffer());
        return svc.handle(*m, r, who);
    }
    api_response call(api_request const& r) { return call(r, alice); }
    api_response call(verb v, std::string const& target, std::string body = {}) {
        return call(request(v, target, std::move(body)), alice);
    }

    api_response send(std::string const& raw, principal const& who, std::string extra = {}) {
        return call(request(verb::post, "/gmail/v1/users/me/messages/send",
                            "{\"raw\":\"" + encode_base64url(raw) + "\"" + extra + "}", "application/json"),
                    who);
    }
    api_response send(std::string const& raw) { return send(raw, alice); }
};

json::object body(api_response const& res) {
    return json::parse(res.body).as_object();
}

void check_error(api_response const& res, unsigned code, std::string const& reason, std::string const& status,
                 std::string const& message) {
    BOOST_TEST(res.status == code);
    auto const v = json::parse(res.body);
    auto const& e = v.at("error").as_object();
    BOOST_TEST(e.at("code").as_int64() == code);
    BOOST_TEST(str(e.at("message")) == message);
    auto const& item = e.at("errors").as_array().at(0).as_object();
    BOOST_TEST(str(item.at("reason")) == reason);
    BOOST_TEST(str(item.at("domain")) == "global");
    BOOST_TEST(str(item.at("message")) == message);
    if (status.empty())
        BOOST_TEST(!e.contains("status"));
    else
        BOOST_TEST(str(e.at("status")) == status);
}

bool is_hex_id(std::string const& s) {
    return s.size() == 16 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::vector<std::string> ids_of(json::object const& list, char const* key = "messages") {
    std::vector<std::string> out;
    if (auto const* a = list.if_contains(key))
        for (auto const& m : a->as_array())
            out.push_back(str(m.at("id")));
    return out;
}

std::string simple_mail(std::string const& to, std::string const& subject,
                        std::string const& extra_headers = {}, std::string const& body = "hello\r\n") {
    return "From: alice@example.com\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n" + extra_headers +
           "\r\n" + body;
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_gmail)

// ---- routing -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(match_recognises_every_method) {
    fixture f;
    struct expectation {
        verb v;
        char const* target;
        char const* id;
        int units;
        std::size_t params;
    };
    expectation const table[] = {
        {verb::post, "/gmail/v1/users/me/messages/send", "gmail.users.messages.send", 100, 1},
        {verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=media", "gmail.users.messages.send",
         100, 1},
        {verb::post, "/resumable/upload/gmail/v1/users/me/messages/send?uploadType=resumable",
         "gmail.users.messages.send", 100, 1},
        {verb::get, "/gmail/v1/users/me/messages", "gmail.users.messages.list", 5, 1},
        {verb::get, "/gmail/v1/users/me/messages/abc", "gmail.users.messages.get", 5, 2},
        {verb::post, "/gmail/v1/users/me/drafts", "gmail.users.drafts.create", 10, 1},
        {verb::post, "/upload/gmail/v1/users/me/drafts?uploadType=multipart", "gmail.users.drafts.create", 10,
         1},
        {verb::get, "/gmail/v1/users/me/drafts", "gmail.users.drafts.list", 5, 1},
        {verb::get, "/gmail/v1/users/me/drafts/r1", "gmail.users.drafts.get", 5, 2},
        {verb::delete_, "/gmail/v1/users/me/drafts/r1", "gmail.users.drafts.delete", 10, 2},
        {verb::post, "/gmail/v1/users/me/drafts/send", "gmail.users.drafts.send", 100, 1},
        {verb::post, "/upload/gmail/v1/users/me/drafts/send?uploadType=media", "gmail.users.drafts.send", 100,
         1},
        {verb::get, "/gmail/v1/users/me/labels", "gmail.users.labels.list", 1, 1},
        {verb::post, "/gmail/v1/users/me/labels", "gmail.users.labels.create", 5, 1},
        {verb::get, "/gmail/v1/users/me/profile", "gmail.users.getProfile", 1, 1},
    };
    for (auto const& e : table) {
        auto m = f.svc.match(e.v, boost::urls::url(e.target));
        BOOST_TEST_REQUIRE(m.has_value(), e.target);
        BOOST_TEST(m->method->id == e.id);
        BOOST_TEST(m->method->quota_units == e.units);
        BOOST_TEST(!m->method->scopes.empty());
        BOOST_TEST((m->method->family == api_family::gmail));
        BOOST_TEST(m->params.size() == e.params);
        BOOST_TEST(m->params[0] == "me");
        BOOST_TEST(m->method->sends_mail == (std::string_view(e.id).ends_with(".send")));
    }
    auto get = f.svc.match(verb::get, boost::urls::url("/gmail/v1/users/a%40example.com/messages/18c0ffee"));
    BOOST_TEST_REQUIRE(get.has_value());
    BOOST_TEST(get->params[0] == "a@example.com");
    BOOST_TEST(get->params[1] == "18c0ffee");
}

BOOST_AUTO_TEST_CASE(match_scopes_follow_discovery) {
    fixture f;
    auto scopes = [&](verb v, char const* target) {
        auto m = f.svc.match(v, boost::urls::url(target));
        return std::vector<std::string>(m->method->scopes.begin(), m->method->scopes.end());
    };
    std::string const a = "https://www.googleapis.com/auth/gmail.";
    BOOST_TEST((scopes(verb::post, "/gmail/v1/users/me/messages/send") ==
                std::vector<std::string>{full_scope, a + "addons.current.action.compose", a + "compose",
                                         a + "modify", a + "send"}));
    BOOST_TEST((scopes(verb::get, "/gmail/v1/users/me/messages") ==
                std::vector<std::string>{full_scope, a + "metadata", a + "modify", a + "readonly"}));
    BOOST_TEST(scopes(verb::get, "/gmail/v1/users/me/messages/x").size() == 7u);
    BOOST_TEST((scopes(verb::get, "/gmail/v1/users/me/drafts/x") ==
                std::vector<std::string>{full_scope, a + "compose", a + "modify", a + "readonly"}));
    BOOST_TEST((scopes(verb::post, "/gmail/v1/users/me/labels") ==
                std::vector<std::string>{full_scope, a + "labels", a + "modify"}));
    BOOST_TEST(
        (scopes(verb::get, "/gmail/v1/users/me/profile") ==
         std::vector<std::string>{full_scope, a + "compose", a + "metadata", a + "modify", a + "readonly"}));
}

BOOST_AUTO_TEST_CASE(resumable_session_requests_need_no_scopes) {
    fixture f;
    for (auto const* target : {"/upload/gmail/v1/users/me/messages/send?uploadType=resumable&upload_id=X",
                               "/resumable/upload/gmail/v1/users/me/drafts?uploadType=resumable&upload_id=X",
                               "/upload/gmail/v1/users/me/drafts/send?uploadType=resumable&upload_id=X"}) {
        auto m = f.svc.match(verb::put, boost::urls::url(target));
        BOOST_TEST_REQUIRE(m.has_value(), target);
        BOOST_TEST(m->method->scopes.empty());
        BOOST_TEST(m->method->quota_units == 0);
        BOOST_TEST(!m->method->sends_mail);
    }
}

BOOST_AUTO_TEST_CASE(match_rejects_other_paths) {
    fixture f;
    BOOST_TEST(!f.svc.match(verb::get, boost::urls::url("/gmail/v1/users/me/messages/send/extra")));
    BOOST_TEST(!f.svc.match(verb::put, boost::urls::url("/gmail/v1/users/me/messages/send")));
    BOOST_TEST(!f.svc.match(verb::get, boost::urls::url("/gmail/v2/users/me/messages")));
    BOOST_TEST(!f.svc.match(verb::get, boost::urls::url("/calendar/v3/users/me/calendarList")));
    BOOST_TEST(!f.svc.match(verb::get, boost::urls::url("/upload/gmail/v1/users/me/messages/send")));
    BOOST_TEST(!f.svc.match(verb::put,
                            boost::urls::url("/upload/gmail/v1/users/me/messages/send?uploadType=media")));
    BOOST_TEST(
        !f.svc.match(verb::post, boost::urls::url("/upload/gmail/v1/users/me/labels?uploadType=media")));
    BOOST_TEST(!f.svc.match(verb::get, boost::urls::url("/gmail/v1/users")));
}

// ---- users -------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(user_id_me_or_own_address) {
    fixture f;
    BOOST_TEST(f.call(verb::get, "/gmail/v1/users/me/profile").status == 200u);
    BOOST_TEST(f.call(verb::get, "/gmail/v1/users/alice%40example.com/profile").status == 200u);
    BOOST_TEST(f.call(verb::get, "/gmail/v1/users/ALICE@example.com/profile").status == 200u);
    BOOST_TEST(f.svc.has_user("BOB@example.com"));
    BOOST_TEST(!f.svc.has_user("dave@example.com"));
}

BOOST_AUTO_TEST_CASE(another_users_mailbox_is_delegation_denied) {
    fixture f;
    check_error(f.call(verb::get, "/gmail/v1/users/bob@example.com/messages"), 403, "forbidden",
                "PERMISSION_DENIED", "Delegation denied for alice@example.com");
}

BOOST_AUTO_TEST_CASE(unknown_mailbox_is_failed_precondition) {
    fixture f;
    principal robot{.email = "", .scopes = {full_scope}};
    check_error(f.call(f.request(verb::get, "/gmail/v1/users/me/profile"), robot), 400, "failedPrecondition",
                "FAILED_PRECONDITION", "Precondition check failed.");
    principal stranger{.email = "dave@example.com", .scopes = {full_scope}};
    check_error(f.call(f.request(verb::get, "/gmail/v1/users/me/labels"), stranger), 400,
                "failedPrecondition", "FAILED_PRECONDITION", "Precondition check failed.");
}

BOOST_AUTO_TEST_CASE(get_profile) {
    fixture f;
    auto p = body(f.call(verb::get, "/gmail/v1/users/me/profile"));
    BOOST_TEST(str(p.at("emailAddress")) == "alice@example.com");
    BOOST_TEST(p.at("messagesTotal").as_int64() == 0);
    BOOST_TEST(p.at("threadsTotal").as_int64() == 0);
    auto const before = std::stoull(str(p.at("historyId")));
    BOOST_TEST(f.send(lunch_mail).status == 200u);
    p = body(f.call(verb::get, "/gmail/v1/users/me/profile"));
    BOOST_TEST(p.at("messagesTotal").as_int64() == 1);
    BOOST_TEST(p.at("threadsTotal").as_int64() == 1);
    BOOST_TEST(std::stoull(str(p.at("historyId"))) > before);
    auto bp = body(f.call(f.request(verb::get, "/gmail/v1/users/me/profile"), f.bob));
    BOOST_TEST(str(bp.at("emailAddress")) == "Bob@Example.com");
    BOOST_TEST(bp.at("messagesTotal").as_int64() == 1);
}

// ---- messages.send -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(send_stores_and_delivers) {
    fixture f;
    auto res = f.send(lunch_mail);
    BOOST_TEST(res.status == 200u);
    BOOST_TEST(res.headers[boost::beast::http::field::content_type] == "application/json; charset=UTF-8");
    auto b = body(res);
    BOOST_TEST(b.size() == 3u);
    BOOST_TEST(is_hex_id(str(b.at("id"))));
    BOOST_TEST(is_hex_id(str(b.at("threadId"))));
    BOOST_TEST(b.at("labelIds") == json::array{"SENT"});

    auto const& sent = f.svc.messages("alice@example.com");
    BOOST_TEST_REQUIRE(sent.size() == 1u);
    auto const& m = sent[0];
    BOOST_TEST(m.id == str(b.at("id")));
    BOOST_TEST(m.raw == lunch_mail);
    BOOST_TEST(m.upload_type == "json");
    BOOST_TEST(m.subject == "Lunch");
    BOOST_TEST(m.from == "Alice <alice@example.com>");
    BOOST_TEST(m.message_id == "<lunch-1@example.com>");
    BOOST_TEST_REQUIRE(m.to.size() == 1u);
    BOOST_TEST(m.to[0].name == "Bob");
    BOOST_TEST(m.to[0].email == "bob@example.com");
    BOOST_TEST_REQUIRE(m.bcc.size() == 1u);
    BOOST_TEST(m.text_body == "Shall we meet at noon?\r\n");
    BOOST_TEST(m.internal_date_ms == (1777600000LL + 1) * 1000);
    BOOST_TEST(m.mime_defects.empty());

    for (auto const* who : {"bob@example.com", "carol@example.com"}) {
        auto const& inbox = f.svc.messages(who);
        BOOST_TEST_REQUIRE(inbox.size() == 1u, who);
        auto const& copy = inbox[0];
        BOOST_TEST((copy.label_ids == std::vector<std::string>{"UNREAD", "INBOX"}));
        BOOST_TEST(copy.id != m.id);
        BOOST_TEST(is_hex_id(copy.id));
        BOOST_TEST(copy.raw.find("Bcc:") == std::string::npos);
        BOOST_TEST(copy.raw.find("Subject: Lunch\r\n") != std::string::npos);
        BOOST_TEST(copy.bcc.empty());
        BOOST_TEST(copy.message_id == "<lunch-1@example.com>");
    }
}

BOOST_AUTO_TEST_CASE(send_to_self_is_one_message_in_inbox_and_sent) {
    fixture f;
    auto b = body(f.send(simple_mail("alice@example.com, outsider@example.org", "note to self")));
    BOOST_TEST((b.at("labelIds") == json::array{"UNREAD", "SENT", "INBOX"}));
    BOOST_TEST(f.svc.messages("alice@example.com").size() == 1u);
    BOOST_TEST(f.svc.messages("bob@example.com").empty());
}

BOOST_AUTO_TEST_CASE(send_accepts_standard_base64_and_padding) {
    fixture f;
    // "Hi?>>" makes the two alphabets differ ('-' vs '+').
    auto res = f.call(f.request(
        verb::post, "/gmail/v1/users/me/messages/send",
        R"({"raw":"RnJvbTogYWxpY2VAZXhhbXBsZS5jb20NClRvOiBib2JAZXhhbXBsZS5jb20NClN1YmplY3Q6IHByZWNvbXB1dGVkDQoNCkhpPz4-DQo="})"));
    BOOST_TEST(res.status == 200u);
    res = f.call(f.request(
        verb::post, "/gmail/v1/users/me/messages/send",
        R"({"raw":"RnJvbTogYWxpY2VAZXhhbXBsZS5jb20NClRvOiBib2JAZXhhbXBsZS5jb20NClN1YmplY3Q6IHByZWNvbXB1dGVkDQoNCkhpPz4+DQo="})"));
    BOOST_TEST(res.status == 200u);
    auto const& sent = f.svc.messages("alice@example.com");
    BOOST_TEST_REQUIRE(sent.size() == 2u);
    BOOST_TEST(sent[0].raw ==
               "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: precomputed\r\n\r\nHi?>>\r\n");
    BOOST_TEST(sent[1].raw == sent[0].raw);
}

BOOST_AUTO_TEST_CASE(send_without_raw) {
    fixture f;
    std::string const msg =
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required";
    check_error(f.call(verb::post, "/gmail/v1/users/me/messages/send", ""), 400, "badRequest",
                "INVALID_ARGUMENT", msg);
    check_error(f.call(verb::post, "/gmail/v1/users/me/messages/send", "{}"), 400, "badRequest",
                "INVALID_ARGUMENT", msg);
    check_error(f.call(verb::post, "/gmail/v1/users/me/messages/send", R"({"raw":"","threadId":null})"), 400,
                "badRequest", "INVALID_ARGUMENT", msg);
    BOOST_TEST(f.svc.messages("alice@example.com").empty());
}

BOOST_AUTO_TEST_CASE(send_with_raw_that_is_not_base64) {
    fixture f;
    check_error(f.call(verb::post, "/gmail/v1/users/me/messages/send", R"({"raw":"not base64!"})"), 400,
                "invalid", "INVALID_ARGUMENT",
                "Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed for \"not base64!\"");
    check_error(f.call(verb::post, "/gmail/v1/users/me/messages/send", R"({"raw":12})"), 400, "invalid",
                "INVALID_ARGUMENT", "Invalid value at 'message.raw' (TYPE_BYTES), 12");
}

BOOST_AUTO_TEST_CASE(send_with_bad_json) {
    fixture f;
    auto res = f.call(verb::post, "/gmail/v1/users/me/messages/send", R"({"raw": )");
    BOOST_TEST(res.status == 400u);
    auto e = body(res).at("error").as_object();
    BOOST_TEST(str(e.at("message")).starts_with("Invalid JSON payload received. Unexpected token."));
    BOOST_TEST(str(e.at("status")) == "INVALID_ARGUMENT");
    BOOST_TEST(str(e.at("errors").as_array()[0].at("reason")) == "invalid");

    check_error(f.call(verb::post, "/gmail/v1/users/me/messages/send", R"(["raw"])"), 400, "invalid",
                "INVALID_ARGUMENT", "Invalid JSON payload received. Root element must be a message.");
    check_error(f.call(verb::post, "/gmail/v1/users/me/messages/send", R"({"raw":"eA","rawr":1})"), 400,
                "invalid", "INVALID_ARGUMENT",
                "Invalid JSON payload received. Unknown name \"rawr\": Cannot find field.");
    check_error(f.call(verb::post, "/gmail/v1/users/me/messages/send", R"({"threadId":5})"), 400, "invalid",
                "INVALID_ARGUMENT", "Invalid value at 'message.thread_id' (TYPE_STRING), 5");
}

BOOST_AUTO_TEST_CASE(send_without_recipients) {
    fixture f;
    check_error(f.send("From: alice@example.com\r\nSubject: nobody\r\n\r\nx"), 400, "invalidArgument",
                "INVALID_ARGUMENT", "Recipient address required");
    check_error(f.send("To: undisclosed-recipients:;\r\nSubject: nobody\r\n\r\nx"), 400, "invalidArgument",
                "INVALID_ARGUMENT", "Recipient address required");
    BOOST_TEST(f.send("To: undisclosed-recipients:;\r\nBcc: bob@example.com\r\n\r\nx").status == 200u);
    BOOST_TEST(f.send("Cc: bob@example.com\r\n\r\nx").status == 200u);
}

BOOST_AUTO_TEST_CASE(send_with_invalid_address_headers) {
    fixture f;
    check_error(f.send(simple_mail("not an address", "s")), 400, "invalidArgument", "INVALID_ARGUMENT",
                "Invalid To header");
    check_error(f.send(simple_mail("bob@example.com", "s", "Cc: \"unterminated <x@example.com>\r\n")), 400,
                "invalidArgument", "INVALID_ARGUMENT", "Invalid Cc header");
    check_error(f.send(simple_mail("bob@example.com", "s", "Bcc: human@f\r\n")), 400, "invalidArgument",
                "INVALID_ARGUMENT", "Invalid Bcc header");
    BOOST_TEST(f.svc.messages("alice@example.com").empty());
    BOOST_TEST(f.svc.messages("bob@example.com").empty());
}

BOOST_AUTO_TEST_CASE(send_with_too_many_recipients) {
    fixture f(gmail_limits{.max_recipients = 3});
    BOOST_TEST(f.send(simple_mail("a@example.org, b@example.org", "s", "Cc: c@example.org\r\n")).status ==
               200u);
    auto res =
        f.send(simple_mail("a@example.org, b@example.org", "s", "Cc: c@example.org, d@example.org\r\n"));
    check_error(res, 400, "invalidArgument", "INVALID_ARGUMENT",
                "Too many recipients: a message sent through the API may have at most 3 recipients (To, Cc "
                "and Bcc).");
}

BOOST_AUTO_TEST_CASE(send_json_body_over_the_limit) {
    fixture f(gmail_limits{.max_json_body = 64});
    check_error(f.send(simple_mail("bob@example.com", std::string(80, 'x'))), 400, "badRequest",
                "INVALID_ARGUMENT", "Request payload size exceeds the limit: 64 bytes.");
}

BOOST_AUTO_TEST_CASE(send_message_over_the_size_limit) {
    fixture f(gmail_limits{.max_message_size = 100});
    auto const big = simple_mail("bob@example.com", "big", {}, std::string(200, 'x'));
    check_error(f.send(big), 413, "uploadTooLarge", "",
                "Request Entity Too Large: the message exceeds the maximum size of 100 bytes.");
    auto media = f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=media", big,
                           "message/rfc822");
    check_error(f.call(media), 413, "uploadTooLarge", "",
                "Request Entity Too Large: the message exceeds the maximum size of 100 bytes.");
    BOOST_TEST(f.svc.messages("alice@example.com").empty());
}

BOOST_AUTO_TEST_CASE(send_generates_a_message_id_when_missing) {
    fixture f;
    BOOST_TEST(f.send(simple_mail("bob@example.com", "no id")).status == 200u);
    auto const& m = f.svc.messages("alice@example.com").at(0);
    BOOST_TEST(m.message_id.starts_with("<"));
    BOOST_TEST(m.message_id.ends_with("@mail.gmail.com>"));
    BOOST_TEST(m.from == "alice@example.com");
    BOOST_TEST(f.send("To: bob@example.com\r\n\r\nno from").status == 200u);
    BOOST_TEST(f.svc.messages("alice@example.com").at(1).from == "alice@example.com");
}

BOOST_AUTO_TEST_CASE(threads) {
    fixture f;
    auto first = body(f.send(simple_mail("bob@example.com", "topic", "Message-ID: <t1@example.com>\r\n")));
    auto const thread = str(first.at("threadId"));
    auto reply = body(f.send(simple_mail("bob@example.com", "Re: topic",
                                         "Message-ID: <t2@example.com>\r\nIn-Reply-To: <t1@example.com>\r\n"
                                         "References: <t1@example.com>\r\n"),
                             f.alice, ",\"threadId\":\"" + thread + "\""));
    BOOST_TEST(str(reply.at("threadId")) == thread);
    auto unknown =
        body(f.send(simple_mail("bob@example.com", "x"), f.alice, R"(,"threadId":"ffffffffffffffff")"));
    BOOST_TEST(str(unknown.at("threadId")) != "ffffffffffffffff");
    BOOST_TEST(str(unknown.at("threadId")) != thread);

    // Bob's copies: the reply joins the thread of the message it refers to.
    auto const& inbox = f.svc.messages("bob@example.com");
    BOOST_TEST_REQUIRE(inbox.size() == 3u);
    BOOST_TEST(inbox[1].thread_id == inbox[0].thread_id);
    BOOST_TEST(inbox[2].thread_id != inbox[0].thread_id);
    BOOST_TEST(inbox[0].thread_id != thread); // threads are per mailbox
}

BOOST_AUTO_TEST_CASE(greek_message_is_decoded) {
    fixture f;
    BOOST_TEST(f.send(greek_mail).status == 200u);
    auto const& m = f.svc.messages("alice@example.com").at(0);
    BOOST_TEST(m.subject == "Γεια σου");
    BOOST_TEST(m.from == "Γεια <alice@example.com>");
    BOOST_TEST_REQUIRE(m.to.size() == 2u);
    BOOST_TEST(m.to[0].name == "Doe, John");
    BOOST_TEST(m.text_body == "Café is open, 1+1=2");
    BOOST_TEST(m.html_body == "<p>Café</p>");
    BOOST_TEST_REQUIRE(m.attachments.size() == 1u);
    BOOST_TEST(m.attachments[0].filename == "Αρχείο.txt");
    BOOST_TEST(m.attachments[0].mime_type == "text/plain");
    BOOST_TEST(m.attachments[0].data == "Hello attachment world!\nSecond line of the attachment.\n");
    BOOST_TEST(f.svc.messages("bob@example.com").size() == 1u);
}

// ---- uploads ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(media_upload) {
    fixture f;
    auto res = f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=media",
                                lunch_mail, "message/rfc822"));
    BOOST_TEST(res.status == 200u);
    BOOST_TEST(body(res).at("labelIds") == json::array{"SENT"});
    auto const& m = f.svc.messages("alice@example.com").at(0);
    BOOST_TEST(m.upload_type == "media");
    BOOST_TEST(m.raw == lunch_mail);
    BOOST_TEST(f.svc.messages("bob@example.com").size() == 1u);
}

BOOST_AUTO_TEST_CASE(media_upload_needs_a_message_type) {
    fixture f;
    check_error(f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=media",
                                 lunch_mail, "text/plain; charset=UTF-8")),
                400, "badContent", "INVALID_ARGUMENT",
                "Media type 'text/plain' is not supported. Valid media types: [message/*]");
    check_error(
        f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=media", lunch_mail)),
        400, "badContent", "INVALID_ARGUMENT",
        "Media type 'application/octet-stream' is not supported. Valid media types: [message/*]");
    check_error(f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=bogus",
                                 lunch_mail, "message/rfc822")),
                400, "badRequest", "INVALID_ARGUMENT",
                "Invalid upload type: 'bogus'. Valid values are media, multipart and resumable.");
    BOOST_TEST(f.svc.messages("alice@example.com").empty());
}

BOOST_AUTO_TEST_CASE(multipart_upload) {
    fixture f;
    auto const first = body(f.send(simple_mail("bob@example.com", "thread starter")));
    std::string const upload = "--foo_bar_baz\r\n"
                               "Content-Type: application/json; charset=UTF-8\r\n"
                               "\r\n"
                               "{\"threadId\": \"" +
                               str(first.at("threadId")) +
                               "\"}\r\n"
                               "--foo_bar_baz\r\n"
                               "Content-Type: message/rfc822\r\n"
                               "\r\n" +
                               std::string(lunch_mail) +
                               "\r\n"
                               "--foo_bar_baz--";
    auto res = f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
                                upload, "multipart/related; boundary=foo_bar_baz"));
    BOOST_TEST(res.status == 200u);
    BOOST_TEST(str(body(res).at("threadId")) == str(first.at("threadId")));
    auto const& m = f.svc.messages("alice@example.com").at(1);
    BOOST_TEST(m.upload_type == "multipart");
    BOOST_TEST(m.raw == lunch_mail);
}

BOOST_AUTO_TEST_CASE(multipart_upload_errors) {
    fixture f;
    std::string const one_part =
        "--b\r\nContent-Type: message/rfc822\r\n\r\nTo: bob@example.com\r\n\r\nx\r\n--b--";
    check_error(f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
                                 one_part, "multipart/related; boundary=b")),
                400, "badRequest", "INVALID_ARGUMENT", "Invalid multipart request with 1 mime parts.");
    check_error(f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
                                 one_part, "message/rfc822")),
                400, "badRequest", "INVALID_ARGUMENT", "Invalid multipart request with 0 mime parts.");
    std::string const wrong_type = "--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\n"
                                   "Content-Type: text/plain\r\n\r\nTo: bob@example.com\r\n\r\nx\r\n--b--";
    check_error(f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
                                 wrong_type, "multipart/related; boundary=b")),
                400, "badContent", "INVALID_ARGUMENT",
                "Media type 'text/plain' is not supported. Valid media types: [message/*]");
    std::string const bad_json = "--b\r\nContent-Type: application/json\r\n\r\n{\"nope\":1}\r\n--b\r\n"
                                 "Content-Type: message/rfc822\r\n\r\nTo: bob@example.com\r\n\r\nx\r\n--b--";
    check_error(f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
                                 bad_json, "multipart/related; boundary=b")),
                400, "invalid", "INVALID_ARGUMENT",
                "Invalid JSON payload received. Unknown name \"nope\": Cannot find field.");
}

namespace {

struct resumable_session {
    std::string location;
    std::string upload_id;
};

resumable_session start_resumable(fixture& f, std::string const& path, std::size_t length,
                                  std::string metadata = "{}") {
    auto init = f.request(verb::post, path + "?uploadType=resumable", std::move(metadata),
                          "application/json; charset=UTF-8");
    init.headers.set("X-Upload-Content-Type", "message/rfc822");
    init.headers.set("X-Upload-Content-Length", std::to_string(length));
    auto res = f.call(init);
    BOOST_TEST_REQUIRE(res.status == 200u);
    BOOST_TEST(res.body.empty());
    resumable_session s{std::string(res.headers[boost::beast::http::field::location]),
                        std::string(res.headers["X-GUploader-UploadID"])};
    BOOST_TEST(s.location == path + "?uploadType=resumable&upload_id=" + s.upload_id);
    return s;
}

api_response put_chunk(fixture& f, std::string const& location, std::string bytes, std::string const& range) {
    auto r = f.request(verb::put, location, std::move(bytes));
    if (!range.empty())
        r.headers.set(boost::beast::http::field::content_range, range);
    return f.call(r, principal{}); // the router sends no principal: the session id is the credential
}

} // namespace

BOOST_AUTO_TEST_CASE(resumable_upload_in_two_chunks_with_status_query) {
    fixture f;
    std::string const raw = lunch_mail;
    auto const n = raw.size();
    auto s = start_resumable(f, "/upload/gmail/v1/users/me/messages/send", n);

    auto r1 = put_chunk(f, s.location, raw.substr(0, 40), "bytes 0-39/" + std::to_string(n));
    BOOST_TEST(r1.status == 308u);
    BOOST_TEST(r1.headers[boost::beast::http::field::range] == "bytes=0-39");
    BOOST_TEST(r1.body.empty());

    auto q = put_chunk(f, s.location, "", "bytes */" + std::to_string(n));
    BOOST_TEST(q.status == 308u);
    BOOST_TEST(q.headers[boost::beast::http::field::range] == "bytes=0-39");
    BOOST_TEST(f.svc.messages("alice@example.com").empty());

    auto r2 = put_chunk(f, s.location, raw.substr(40),
                        "bytes 40-" + std::to_string(n - 1) + "/" + std::to_string(n));
    BOOST_TEST(r2.status == 200u);
    auto b = body(r2);
    BOOST_TEST(b.at("labelIds") == json::array{"SENT"});
    auto const& sent = f.svc.messages("alice@example.com");
    BOOST_TEST_REQUIRE(sent.size() == 1u);
    BOOST_TEST(sent[0].raw == raw);
    BOOST_TEST(sent[0].upload_type == "resumable");
    BOOST_TEST(sent[0].id == str(b.at("id")));
    BOOST_TEST(f.svc.messages("bob@example.com").size() == 1u);

    // A replayed final chunk or a status query after completion answers the same, sends nothing.
    auto again = put_chunk(f, s.location, raw.substr(40),
                           "bytes 40-" + std::to_string(n - 1) + "/" + std::to_string(n));
    BOOST_TEST(again.status == 200u);
    BOOST_TEST(again.body == r2.body);
    BOOST_TEST(put_chunk(f, s.location, "", "bytes */" + std::to_string(n)).body == r2.body);
    BOOST_TEST(f.svc.messages("alice@example.com").size() == 1u);
}

BOOST_AUTO_TEST_CASE(resumable_upload_answers_200_with_the_status_in_a_header_when_asked_not_to_send_308) {
    fixture f;
    std::string const raw = lunch_mail;
    auto const n = raw.size();
    auto s = start_resumable(f, "/upload/gmail/v1/users/me/messages/send", n);
    // Go's client sends X-GUploader-No-308: yes, as net/http would follow a 308 as a redirect.
    auto chunk = f.request(verb::put, s.location, raw.substr(0, 40));
    chunk.headers.set(boost::beast::http::field::content_range, "bytes 0-39/*");
    chunk.headers.set("X-GUploader-No-308", "yes");
    auto r1 = f.call(chunk, principal{});
    BOOST_TEST(r1.status == 200u);
    BOOST_TEST(r1.headers["X-Http-Status-Code-Override"] == "308");
    BOOST_TEST(r1.headers[boost::beast::http::field::range] == "bytes=0-39");
    BOOST_TEST(f.svc.messages("alice@example.com").empty());
    // Without the header the same state answers a bare 308; the last chunk completes it.
    BOOST_TEST(put_chunk(f, s.location, "", "bytes */*").status == 308u);
    auto last = f.request(verb::put, s.location, raw.substr(40));
    last.headers.set(boost::beast::http::field::content_range,
                     "bytes 40-" + std::to_string(n - 1) + "/" + std::to_string(n));
    last.headers.set("X-GUploader-No-308", "yes");
    auto r2 = f.call(last, principal{});
    BOOST_TEST(r2.status == 200u);
    BOOST_TEST((r2.headers.find("X-Http-Status-Code-Override") == r2.headers.end()));
    BOOST_TEST_REQUIRE(f.svc.messages("alice@example.com").size() == 1u);
    BOOST_TEST(f.svc.messages("alice@example.com")[0].raw == raw);
}

BOOST_AUTO_TEST_CASE(resumable_variants) {
    fixture f;
    std::string const raw = lunch_mail;
    auto const n = std::to_string(raw.size());

    // the whole content in one PUT, without Content-Range, on the /resumable/upload path
    auto s = start_resumable(f, "/resumable/upload/gmail/v1/users/me/messages/send", raw.size());
    BOOST_TEST(put_chunk(f, s.location, raw, "").status == 200u);

    // total unknown until the last chunk; a resent overlapping chunk is accepted
    s = start_resumable(f, "/upload/gmail/v1/users/me/messages/send", raw.size());
    BOOST_TEST(put_chunk(f, s.location, raw.substr(0, 30), "bytes 0-29/*").status == 308u);
    auto overlap = put_chunk(f, s.location, raw.substr(20, 30), "bytes 20-49/*");
    BOOST_TEST(overlap.status == 308u);
    BOOST_TEST(overlap.headers[boost::beast::http::field::range] == "bytes=0-49");
    BOOST_TEST(
        put_chunk(f, s.location, raw.substr(50), "bytes 50-" + std::to_string(raw.size() - 1) + "/" + n)
            .status == 200u);

    // a status query before any byte has no Range header
    s = start_resumable(f, "/upload/gmail/v1/users/me/messages/send", raw.size());
    auto q = put_chunk(f, s.location, "", "bytes */*");
    BOOST_TEST(q.status == 308u);
    BOOST_TEST(q.headers.count(boost::beast::http::field::range) == 0u);

    auto const& sent = f.svc.messages("alice@example.com");
    BOOST_TEST_REQUIRE(sent.size() == 2u);
    BOOST_TEST(sent[0].raw == raw);
    BOOST_TEST(sent[1].raw == raw);
}

BOOST_AUTO_TEST_CASE(resumable_errors) {
    fixture f;
    std::string const raw = lunch_mail;
    auto const n = std::to_string(raw.size());
    check_error(put_chunk(f, "/upload/gmail/v1/users/me/messages/send?uploadType=resumable&upload_id=nope",
                          raw, "bytes 0-9/10"),
                404, "notFound", "NOT_FOUND", "Requested entity was not found.");

    auto s = start_resumable(f, "/upload/gmail/v1/users/me/messages/send", raw.size());
    check_error(
        put_chunk(f, s.location, raw.substr(10, 10), "bytes 10-19/" + n), 400, "badRequest",
        "INVALID_ARGUMENT",
        "Invalid request. According to the Content-Range header, the upload offset is 10 byte(s), which "
        "exceeds already uploaded size of 0 byte(s).");
    check_error(put_chunk(f, s.location, raw.substr(0, 10), "bytes=0-9"), 400, "badRequest",
                "INVALID_ARGUMENT", "Failed to parse Content-Range header.");
    check_error(put_chunk(f, s.location, raw.substr(0, 10), "bytes 0-9/999"), 400, "badRequest",
                "INVALID_ARGUMENT",
                "Content-Range total 999 does not match X-Upload-Content-Length " + n + ".");
    check_error(put_chunk(f, s.location, raw.substr(0, 5), "bytes 0-9/" + n), 400, "badRequest",
                "INVALID_ARGUMENT",
                "Content-Range bytes 0-9/" + n + " does not match the 5 bytes of the request body.");

    auto init = f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=resumable", "{}");
    init.headers.set("X-Upload-Content-Type", "image/png");
    check_error(f.call(init), 400, "badContent", "INVALID_ARGUMENT",
                "Media type 'image/png' is not supported. Valid media types: [message/*]");
    init.headers.set("X-Upload-Content-Type", "message/rfc822");
    init.body = R"({"threadid":"x"})";
    check_error(f.call(init), 400, "invalid", "INVALID_ARGUMENT",
                "Invalid JSON payload received. Unknown name \"threadid\": Cannot find field.");
    init.body = "{}";
    init.headers.set("X-Upload-Content-Length", "36700161");
    check_error(f.call(init), 413, "uploadTooLarge", "",
                "Request Entity Too Large: the message exceeds the maximum size of 36700160 bytes.");
    BOOST_TEST(f.svc.messages("alice@example.com").empty());
}

BOOST_AUTO_TEST_CASE(resumable_failure_is_final) {
    fixture f;
    std::string const raw = "Subject: nobody to send to\r\n\r\nx";
    auto s = start_resumable(f, "/upload/gmail/v1/users/me/messages/send", raw.size());
    auto res = put_chunk(f, s.location, raw,
                         "bytes 0-" + std::to_string(raw.size() - 1) + "/" + std::to_string(raw.size()));
    check_error(res, 400, "invalidArgument", "INVALID_ARGUMENT", "Recipient address required");
    BOOST_TEST(put_chunk(f, s.location, "", "bytes */*").body == res.body);
}

BOOST_AUTO_TEST_CASE(resumable_chunk_granularity) {
    fixture f(gmail_limits{.resumable_chunk_granularity = 16});
    std::string const raw = lunch_mail;
    auto const n = std::to_string(raw.size());
    auto s = start_resumable(f, "/upload/gmail/v1/users/me/messages/send", raw.size());
    check_error(
        put_chunk(f, s.location, raw.substr(0, 10), "bytes 0-9/" + n), 400, "badRequest", "INVALID_ARGUMENT",
        "Invalid request. The number of bytes uploaded is required to be equal or greater than 16, except "
        "for "
        "the final request (it's recommended to be the exact multiple of 16). The received request contained "
        "10 bytes, which does not meet this requirement.");
    BOOST_TEST(put_chunk(f, s.location, raw.substr(0, 32), "bytes 0-31/" + n).status == 308u);
    BOOST_TEST(
        put_chunk(f, s.location, raw.substr(32), "bytes 32-" + std::to_string(raw.size() - 1) + "/" + n)
            .status == 200u);
}

BOOST_AUTO_TEST_CASE(every_upload_path_stores_the_same_message) {
    fixture f;
    std::string const raw = greek_mail;
    BOOST_TEST(f.send(raw).status == 200u);
    BOOST_TEST(f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=media", raw,
                                "message/rfc822"))
                   .status == 200u);
    std::string const multipart = "--m\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{}\r\n--m\r\n"
                                  "Content-Type: message/rfc822\r\n\r\n" +
                                  raw + "\r\n--m--\r\n";
    BOOST_TEST(f.call(f.request(verb::post, "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
                                multipart, "multipart/related; boundary=m"))
                   .status == 200u);
    auto s = start_resumable(f, "/upload/gmail/v1/users/me/messages/send", raw.size());
    auto const n = std::to_string(raw.size());
    BOOST_TEST(put_chunk(f, s.location, raw.substr(0, 100), "bytes 0-99/" + n).status == 308u);
    BOOST_TEST(put_chunk(f, s.location, "", "bytes */" + n).status == 308u);
    BOOST_TEST(
        put_chunk(f, s.location, raw.substr(100), "bytes 100-" + std::to_string(raw.size() - 1) + "/" + n)
            .status == 200u);

    auto const& sent = f.svc.messages("alice@example.com");
    BOOST_TEST_REQUIRE(sent.size() == 4u);
    std::vector<std::string> types;
    for (auto const& m : sent) {
        BOOST_TEST(m.raw == raw);
        BOOST_TEST(m.subject == "Γεια σου");
        BOOST_TEST(m.attachments.size() == 1u);
        types.push_back(m.upload_type);
    }
    BOOST_TEST((types == std::vector<std::string>{"json", "media", "multipart", "resumable"}));
    auto const dupes = f.svc.duplicate_message_ids("alice@example.com");
    BOOST_TEST_REQUIRE(dupes.size() == 1u);
    BOOST_TEST(dupes.at("<greek@example.com>") == 4u);
}

// ---- drafts -------------------------------------------------------------------------------------

namespace {

json::object create_draft(fixture& f, std::string const& raw) {
    auto res = f.call(verb::post, "/gmail/v1/users/me/drafts",
                      "{\"message\":{\"raw\":\"" + encode_base64url(raw) + "\"}}");
    BOOST_TEST_REQUIRE(res.status == 200u);
    return body(res);
}

} // namespace

BOOST_AUTO_TEST_CASE(drafts_create_get_list_delete) {
    fixture f;
    auto d = create_draft(f, lunch_mail);
    auto const id = str(d.at("id"));
    BOOST_TEST(id.size() == 20u);
    BOOST_TEST(id[0] == 'r');
    BOOST_TEST(id.find_first_not_of("0123456789", 1) == std::string::npos);
    auto const& msg = d.at("message").as_object();
    BOOST_TEST(is_hex_id(str(msg.at("id"))));
    BOOST_TEST(msg.at("labelIds") == json::array{"DRAFT"});
    BOOST_TEST(f.svc.messages("alice@example.com").empty());
    BOOST_TEST(f.svc.messages("bob@example.com").empty());
    auto const stored = f.svc.drafts("alice@example.com");
    BOOST_TEST_REQUIRE(stored.size() == 1u);
    BOOST_TEST(stored[0].first == id);
    BOOST_TEST(stored[0].second.raw == lunch_mail);

    auto got = body(f.call(verb::get, "/gmail/v1/users/me/drafts/" + id + "?format=raw"));
    BOOST_TEST(str(got.at("id")) == id);
    auto padded = encode_base64url(lunch_mail);
    while (padded.size() % 4 != 0)
        padded += '=';
    BOOST_TEST(str(got.at("message").at("raw")) == padded);
    auto minimal = body(f.call(verb::get, "/gmail/v1/users/me/drafts/" + id + "?format=minimal"));
    BOOST_TEST(!minimal.at("message").as_object().contains("payload"));
    auto full = body(f.call(verb::get, "/gmail/v1/users/me/drafts/" + id));
    BOOST_TEST(str(full.at("message").at("payload").at("mimeType")) == "text/plain");

    auto list = body(f.call(verb::get, "/gmail/v1/users/me/drafts"));
    BOOST_TEST(list.at("resultSizeEstimate").as_int64() == 1);
    auto const& entry = list.at("drafts").as_array().at(0).as_object();
    BOOST_TEST(str(entry.at("id")) == id);
    BOOST_TEST(str(entry.at("message").at("id")) == str(msg.at("id")));
    BOOST_TEST(entry.at("message").as_object().size() == 2u);

    // the draft's message is reachable through messages.list/get too
    auto in_drafts = body(f.call(verb::get, "/gmail/v1/users/me/messages?q=in:draft"));
    BOOST_TEST((ids_of(in_drafts) == std::vector<std::string>{str(msg.at("id"))}));
    BOOST_TEST(f.call(verb::get, "/gmail/v1/users/me/messages/" + str(msg.at("id"))).status == 200u);

    auto del = f.call(verb::delete_, "/gmail/v1/users/me/drafts/" + id);
    BOOST_TEST(del.status == 204u);
    BOOST_TEST(del.body.empty());
    BOOST_TEST(f.svc.drafts("alice@example.com").empty());
    auto empty = body(f.call(verb::get, "/gmail/v1/users/me/drafts"));
    BOOST_TEST(!empty.contains("drafts"));
    BOOST_TEST(empty.at("resultSizeEstimate").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(drafts_unknown_id) {
    fixture f;
    std::string const msg = "Requested entity was not found.";
    check_error(f.call(verb::get, "/gmail/v1/users/me/drafts/r123"), 404, "notFound", "NOT_FOUND", msg);
    check_error(f.call(verb::delete_, "/gmail/v1/users/me/drafts/r123"), 404, "notFound", "NOT_FOUND", msg);
    check_error(f.call(verb::post, "/gmail/v1/users/me/drafts/send", R"({"id":"r123"})"), 404, "notFound",
                "NOT_FOUND", msg);
}

BOOST_AUTO_TEST_CASE(drafts_create_errors) {
    fixture f;
    check_error(f.call(verb::post, "/gmail/v1/users/me/drafts", "{}"), 400, "badRequest", "INVALID_ARGUMENT",
                "Missing draft message");
    check_error(f.call(verb::post, "/gmail/v1/users/me/drafts", R"({"message":{}})"), 400, "badRequest",
                "INVALID_ARGUMENT",
                "'raw' RFC822 payload message string or uploading message via /upload/* URL required");
    check_error(f.call(verb::post, "/gmail/v1/users/me/drafts", R"({"message":{"raw":"%%"}})"), 400,
                "invalid", "INVALID_ARGUMENT",
                "Invalid value at 'draft.message.raw' (TYPE_BYTES), Base64 decoding failed for \"%%\"");
    check_error(f.call(verb::post, "/gmail/v1/users/me/drafts", R"({"message":{"raw":"eA","x":1}})"), 400,
                "invalid", "INVALID_ARGUMENT",
                "Invalid JSON payload received. Unknown name \"x\" at 'message': Cannot find field.");
    check_error(
        f.call(verb::post, "/gmail/v1/users/me/drafts", R"({"message":"raw"})"), 400, "invalid",
        "INVALID_ARGUMENT",
        "Invalid value at 'draft.message' (type.googleapis.com/google.apps.gmail.v1.Message), \"raw\"");
    // Gmail checks address headers of drafts too, but a draft needs no recipient.
    check_error(f.call(verb::post, "/gmail/v1/users/me/drafts",
                       "{\"message\":{\"raw\":\"" + encode_base64url("To: human@f\r\n\r\nx") + "\"}}"),
                400, "invalidArgument", "INVALID_ARGUMENT", "Invalid To header");
    create_draft(f, "Subject: no recipients yet\r\n\r\nx");
    BOOST_TEST(f.svc.drafts("alice@example.com").size() == 1u);
}

BOOST_AUTO_TEST_CASE(drafts_send) {
    fixture f;
    auto d = create_draft(f, lunch_mail);
    auto res = f.call(verb::post, "/gmail/v1/users/me/drafts/send", "{\"id\":\"" + str(d.at("id")) + "\"}");
    BOOST_TEST(res.status == 200u);
    auto b = body(res);
    BOOST_TEST(str(b.at("id")) == str(d.at("message").at("id")));
    BOOST_TEST(str(b.at("threadId")) == str(d.at("message").at("threadId")));
    BOOST_TEST(b.at("labelIds") == json::array{"SENT"});
    BOOST_TEST(f.svc.drafts("alice@example.com").empty());
    auto const& sent = f.svc.messages("alice@example.com");
    BOOST_TEST_REQUIRE(sent.size() == 1u);
    BOOST_TEST((sent[0].label_ids == std::vector<std::string>{"SENT"}));
    BOOST_TEST(sent[0].raw == lunch_mail);
    BOOST_TEST(f.svc.messages("bob@example.com").size() == 1u);
    BOOST_TEST(f.svc.messages("carol@example.com").size() == 1u);
}

BOOST_AUTO_TEST_CASE(drafts_send_with_updated_message_and_errors) {
    fixture f;
    auto d = create_draft(f, "Subject: draft without recipients\r\n\r\nx");
    auto const id = str(d.at("id"));
    check_error(f.call(verb::post, "/gmail/v1/users/me/drafts/send", "{\"id\":\"" + id + "\"}"), 400,
                "invalidArgument", "INVALID_ARGUMENT", "Recipient address required");
    BOOST_TEST(f.svc.drafts("alice@example.com").size() == 1u); // a failed send keeps the draft
    check_error(f.call(verb::post, "/gmail/v1/users/me/drafts/send", "{}"), 400, "badRequest",
                "INVALID_ARGUMENT", "Missing draft id");

    auto res = f.call(verb::post, "/gmail/v1/users/me/drafts/send",
                      "{\"id\":\"" + id + "\",\"message\":{\"raw\":\"" +
                          encode_base64url(simple_mail("bob@example.com", "final")) + "\"}}");
    BOOST_TEST(res.status == 200u);
    BOOST_TEST(f.svc.messages("alice@example.com").at(0).subject == "final");
    BOOST_TEST(f.svc.messages("bob@example.com").size() == 1u);
    BOOST_TEST(f.svc.drafts("alice@example.com").empty());
}

BOOST_AUTO_TEST_CASE(drafts_upload_variants) {
    fixture f;
    auto media = f.call(f.request(verb::post, "/upload/gmail/v1/users/me/drafts?uploadType=media", lunch_mail,
                                  "message/rfc822"));
    BOOST_TEST(media.status == 200u);
    BOOST_TEST(str(body(media).at("id")).starts_with("r"));

    std::string const multipart = "--d\r\nContent-Type: application/json\r\n\r\n{\"message\":{}}\r\n--d\r\n"
                                  "Content-Type: message/rfc822\r\n\r\n" +
                                  std::string(lunch_mail) + "\r\n--d--";
    auto mp = f.call(f.request(verb::post, "/upload/gmail/v1/users/me/drafts?uploadType=multipart", multipart,
                               "multipart/related; boundary=d"));
    BOOST_TEST(mp.status == 200u);
    auto const drafts = f.svc.drafts("alice@example.com");
    BOOST_TEST_REQUIRE(drafts.size() == 2u);
    BOOST_TEST(drafts[0].second.upload_type == "media");
    BOOST_TEST(drafts[1].second.upload_type == "multipart");

    // drafts.send through an upload: the metadata names the draft, the media replaces its content
    std::string const send = "--d\r\nContent-Type: application/json\r\n\r\n{\"id\":\"" + drafts[0].first +
                             "\"}\r\n--d\r\nContent-Type: message/rfc822\r\n\r\n" +
                             simple_mail("carol@example.com", "uploaded") + "\r\n--d--";
    auto sent = f.call(f.request(verb::post, "/upload/gmail/v1/users/me/drafts/send?uploadType=multipart",
                                 send, "multipart/related; boundary=d"));
    BOOST_TEST(sent.status == 200u);
    BOOST_TEST(f.svc.messages("alice@example.com").at(0).subject == "uploaded");
    BOOST_TEST(f.svc.messages("alice@example.com").at(0).upload_type == "multipart");
    BOOST_TEST(f.svc.messages("carol@example.com").size() == 1u);
    BOOST_TEST(f.svc.drafts("alice@example.com").size() == 1u);

    // resumable drafts.create
    std::string const raw = lunch_mail;
    auto s = start_resumable(f, "/upload/gmail/v1/users/me/drafts", raw.size(), R"({"message":{}})");
    auto done = put_chunk(f, s.location, raw,
                          "bytes 0-" + std::to_string(raw.size() - 1) + "/" + std::to_string(raw.size()));
    BOOST_TEST(done.status == 200u);
    BOOST_TEST(body(done).at("message").at("labelIds") == json::array{"DRAFT"});
    BOOST_TEST(f.svc.drafts("alice@example.com").size() == 2u);
}

BOOST_AUTO_TEST_CASE(drafts_list_paging_and_query) {
    fixture f;
    std::set<std::string> created;
    for (int i = 0; i < 5; ++i)
        created.insert(
            str(create_draft(f, simple_mail("bob@example.com", "draft " + std::to_string(i))).at("id")));
    create_draft(f, simple_mail("bob@example.com", "special"));
    std::set<std::string> seen;
    std::string token;
    int pages = 0;
    do {
        auto list = body(f.call(verb::get, "/gmail/v1/users/me/drafts?maxResults=2&q=subject:draft" +
                                               (token.empty() ? "" : "&pageToken=" + token)));
        BOOST_TEST(list.at("resultSizeEstimate").as_int64() == 5);
        for (auto const& id : ids_of(list, "drafts"))
            BOOST_TEST(seen.insert(id).second);
        token = list.contains("nextPageToken") ? str(list.at("nextPageToken")) : "";
        ++pages;
    } while (!token.empty() && pages < 10);
    BOOST_TEST(pages == 3);
    BOOST_TEST((seen == created));
}

// ---- labels -------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(labels_list_and_create) {
    fixture f;
    auto list = body(f.call(verb::get, "/gmail/v1/users/me/labels"));
    auto const& labels = list.at("labels").as_array();
    std::set<std::string> ids;
    for (auto const& l : labels) {
        BOOST_TEST(str(l.at("type")) == "system");
        BOOST_TEST(str(l.at("name")) == str(l.at("id")));
        ids.insert(str(l.at("id")));
    }
    for (auto const* id :
         {"INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD", "STARRED", "IMPORTANT", "CATEGORY_PERSONAL",
          "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS", "CATEGORY_UPDATES", "CATEGORY_FORUMS", "CHAT"})
        BOOST_TEST(ids.count(id) == 1u, id);
    for (auto const& l : labels)
        if (str(l.at("id")) == "SPAM")
            BOOST_TEST(str(l.at("labelListVisibility")) == "labelHide");

    auto created =
        f.call(verb::post, "/gmail/v1/users/me/labels",
               R"({"name":"Receipts","labelListVisibility":"labelShow","messageListVisibility":"show"})");
    BOOST_TEST(created.status == 200u);
    auto const label = body(created);
    BOOST_TEST(str(label.at("id")) == "Label_1");
    BOOST_TEST(str(label.at("name")) == "Receipts");
    BOOST_TEST(str(label.at("labelListVisibility")) == "labelShow");
    BOOST_TEST(str(label.at("type")) == "user");
    BOOST_TEST(
        str(body(f.call(verb::post, "/gmail/v1/users/me/labels", R"({"name":"Work/Projects"})")).at("id")) ==
        "Label_2");

    auto after = body(f.call(verb::get, "/gmail/v1/users/me/labels")).at("labels").as_array();
    BOOST_TEST(after.size() == labels.size() + 2);
    auto const& user = after.at(labels.size()).as_object();
    BOOST_TEST(str(user.at("type")) == "user");
    BOOST_TEST(str(user.at("messageListVisibility")) == "show");
    // other mailboxes are untouched
    BOOST_TEST(body(f.call(f.request(verb::get, "/gmail/v1/users/me/labels"), f.bob))
                   .at("labels")
                   .as_array()
                   .size() == labels.size());
}

BOOST_AUTO_TEST_CASE(labels_create_errors) {
    fixture f;
    BOOST_TEST(f.call(verb::post, "/gmail/v1/users/me/labels", R"({"name":"Receipts"})").status == 200u);
    check_error(f.call(verb::post, "/gmail/v1/users/me/labels", R"({"name":"receipts"})"), 409, "aborted",
                "ABORTED", "Label name exists or conflicts");
    for (auto const* bad : {R"({})", R"({"name":"   "})", R"({"name":"INBOX"})", R"({"name":"Sent"})"})
        check_error(f.call(verb::post, "/gmail/v1/users/me/labels", bad), 400, "invalidArgument",
                    "INVALID_ARGUMENT", "Invalid label name");
    check_error(
        f.call(verb::post, "/gmail/v1/users/me/labels", R"({"name":"x","labelListVisibility":"visible"})"),
        400, "invalid", "INVALID_ARGUMENT",
        "Invalid value at 'label.label_list_visibility' "
        "(type.googleapis.com/google.apps.gmail.v1.Label.LabelListVisibility), \"visible\"");
    check_error(f.call(verb::post, "/gmail/v1/users/me/labels", R"({"name":"x","colour":{}})"), 400,
                "invalid", "INVALID_ARGUMENT",
                "Invalid JSON payload received. Unknown name \"colour\": Cannot find field.");
    check_error(f.call(verb::post, "/gmail/v1/users/me/labels", R"({"name":7})"), 400, "invalid",
                "INVALID_ARGUMENT", "Invalid value at 'label.name' (TYPE_STRING), 7");
}

// ---- messages.list ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(list_with_search_queries) {
    fixture f;
    auto id = [&](api_response const& r) { return str(body(r).at("id")); };
    auto const lunch = id(f.send(lunch_mail));
    auto const greek = id(f.send(greek_mail));
    auto const report = id(f.send(simple_mail("Dave <dave@example.org>", "Quarterly report",
                                              "Cc: carol@example.com\r\nMessage-ID: <q3@example.com>\r\n",
                                              "The numbers look great this quarter.\r\n")));
    create_draft(f, simple_mail("bob@example.com", "unfinished"));

    auto q = [&](std::string query) {
        for (auto pos = query.find(' '); pos != std::string::npos; pos = query.find(' '))
            query.replace(pos, 1, "%20");
        auto res = f.call(verb::get, "/gmail/v1/users/me/messages?q=" + query);
        BOOST_TEST_REQUIRE(res.status == 200u);
        return ids_of(body(res));
    };
    using v = std::vector<std::string>;
    BOOST_TEST((q("rfc822msgid:lunch-1@example.com") == v{lunch}));
    BOOST_TEST((q("rfc822msgid:%3Cq3@example.com%3E") == v{report}));
    BOOST_TEST((q("in:sent") == v{report, greek, lunch}));
    BOOST_TEST(q("in:inbox").empty());
    BOOST_TEST(q("in:draft").size() == 1u);
    BOOST_TEST((q("to:dave@example.org") == v{report}));
    BOOST_TEST((q("to:carol") == v{report, lunch}));  // Cc and Bcc count as recipients
    BOOST_TEST(q("to:bob@example.com").size() == 3u); // lunch, greek and the draft
    BOOST_TEST(q("from:alice@example.com").size() == 4u);
    BOOST_TEST(q("from:me").size() == 4u);
    BOOST_TEST((q("subject:quarterly") == v{report}));
    BOOST_TEST((q("subject:(quarterly report)") == v{report}));
    BOOST_TEST((q("label:sent subject:lunch") == v{lunch}));
    BOOST_TEST((q("has:attachment") == v{greek}));
    BOOST_TEST((q("filename:txt") == v{greek}));
    BOOST_TEST((q("numbers") == v{report}));
    BOOST_TEST((q("%22look%20great%22") == v{report}));
    BOOST_TEST(q("%22great%20look%22").empty());
    BOOST_TEST((q("noon in:sent") == v{lunch}));
    BOOST_TEST((q("caf%C3%A9") == v{greek})); // free text reaches the decoded body
    BOOST_TEST((q("in:sent -subject:lunch") == v{report, greek}));
    BOOST_TEST((q("subject:lunch OR subject:quarterly") == v{report, lunch}));
    BOOST_TEST(q("subject:lunch subject:quarterly").empty());
    BOOST_TEST(q("nothing-matches-this").empty());

    auto empty = body(f.call(verb::get, "/gmail/v1/users/me/messages?q=nothing"));
    BOOST_TEST(!empty.contains("messages"));
    BOOST_TEST(!empty.contains("nextPageToken"));
    BOOST_TEST(empty.at("resultSizeEstimate").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(list_with_label_ids) {
    fixture f;
    f.send(simple_mail("alice@example.com", "to myself"));
    f.send(simple_mail("bob@example.com", "to bob"));
    auto ids = [&](std::string const& query) {
        return ids_of(body(f.call(verb::get, "/gmail/v1/users/me/messages?" + query)));
    };
    BOOST_TEST(ids("labelIds=SENT").size() == 2u);
    BOOST_TEST(ids("labelIds=INBOX").size() == 1u);
    BOOST_TEST(ids("labelIds=INBOX&labelIds=SENT&labelIds=UNREAD").size() == 1u);
    BOOST_TEST(ids("labelIds=INBOX&labelIds=DRAFT").empty());
    BOOST_TEST(ids("labelIds=SENT&q=subject:bob").size() == 1u);
    BOOST_TEST(ids("includeSpamTrash=true").size() == 2u);
    // bob sees his copy in the inbox, unread
    auto bob =
        body(f.call(f.request(verb::get, "/gmail/v1/users/me/messages?labelIds=UNREAD&q=in:inbox"), f.bob));
    BOOST_TEST(ids_of(bob).size() == 1u);
}

BOOST_AUTO_TEST_CASE(list_paging_returns_every_message_exactly_once) {
    fixture f;
    std::vector<std::string> sent;
    for (int i = 0; i < 7; ++i)
        sent.push_back(str(body(f.send(simple_mail("bob@example.com", "n" + std::to_string(i)))).at("id")));
    std::vector<std::string> seen;
    std::string token;
    int pages = 0;
    do {
        auto list = body(f.call(verb::get, "/gmail/v1/users/me/messages?maxResults=3" +
                                               (token.empty() ? "" : "&pageToken=" + token)));
        BOOST_TEST(list.at("resultSizeEstimate").as_int64() >= 7);
        for (auto const& id : ids_of(list))
            seen.push_back(id);
        token = list.contains("nextPageToken") ? str(list.at("nextPageToken")) : "";
        if (pages == 0) // a message arriving mid-way must not shift the pages
            f.send(simple_mail("bob@example.com", "late arrival"));
        ++pages;
    } while (!token.empty() && pages < 10);
    BOOST_TEST(pages == 3);
    std::vector<std::string> const newest_first(sent.rbegin(), sent.rend());
    BOOST_TEST(seen == newest_first);
}

BOOST_AUTO_TEST_CASE(list_parameter_errors) {
    fixture f;
    check_error(f.call(verb::get, "/gmail/v1/users/me/messages?maxResults=lots"), 400, "invalid",
                "INVALID_ARGUMENT", "Invalid value at 'max_results' (TYPE_UINT32), \"lots\"");
    check_error(f.call(verb::get, "/gmail/v1/users/me/messages?maxResults=-1"), 400, "invalid",
                "INVALID_ARGUMENT", "Invalid value at 'max_results' (TYPE_UINT32), \"-1\"");
    check_error(f.call(verb::get, "/gmail/v1/users/me/messages?includeSpamTrash=maybe"), 400, "invalid",
                "INVALID_ARGUMENT", "Invalid value at 'include_spam_trash' (TYPE_BOOL), \"maybe\"");
    check_error(f.call(verb::get, "/gmail/v1/users/me/messages?pageToken=garbage"), 400, "invalidArgument",
                "INVALID_ARGUMENT", "Invalid pageToken");
    for (int i = 0; i < 3; ++i)
        f.send(simple_mail("bob@example.com", "m"));
    BOOST_TEST(ids_of(body(f.call(verb::get, "/gmail/v1/users/me/messages?maxResults=9999"))).size() == 3u);
    BOOST_TEST(ids_of(body(f.call(verb::get, "/gmail/v1/users/me/messages?maxResults=0"))).size() == 3u);
}

BOOST_AUTO_TEST_CASE(metadata_scope_limits) {
    fixture f;
    f.send(lunch_mail);
    auto const id = f.svc.messages("alice@example.com").at(0).id;
    principal meta{.email = "alice@example.com",
                   .scopes = {"https://www.googleapis.com/auth/gmail.metadata"}};
    check_error(f.call(f.request(verb::get, "/gmail/v1/users/me/messages?q=lunch"), meta), 403, "forbidden",
                "PERMISSION_DENIED", "Metadata scope does not support 'q' parameter");
    BOOST_TEST(f.call(f.request(verb::get, "/gmail/v1/users/me/messages"), meta).status == 200u);
    check_error(f.call(f.request(verb::get, "/gmail/v1/users/me/messages/" + id), meta), 403, "forbidden",
                "PERMISSION_DENIED", "Metadata scope doesn't allow format FULL");
    check_error(f.call(f.request(verb::get, "/gmail/v1/users/me/messages/" + id + "?format=raw"), meta), 403,
                "forbidden", "PERMISSION_DENIED", "Metadata scope doesn't allow format RAW");
    BOOST_TEST(
        f.call(f.request(verb::get, "/gmail/v1/users/me/messages/" + id + "?format=metadata"), meta).status ==
        200u);
    meta.scopes.push_back("https://www.googleapis.com/auth/gmail.readonly");
    BOOST_TEST(f.call(f.request(verb::get, "/gmail/v1/users/me/messages?q=lunch"), meta).status == 200u);
}

// ---- messages.get -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(get_full_payload_tree) {
    fixture f;
    auto const id = str(body(f.send(greek_mail)).at("id"));
    auto m = body(f.call(verb::get, "/gmail/v1/users/me/messages/" + id));
    BOOST_TEST(str(m.at("id")) == id);
    BOOST_TEST(m.at("labelIds") == json::array{"SENT"});
    BOOST_TEST(str(m.at("snippet")) == "Café is open, 1+1=2");
    BOOST_TEST(str(m.at("historyId")).find_first_not_of("0123456789") == std::string::npos);
    BOOST_TEST(str(m.at("internalDate")) == "1777600001000");
    BOOST_TEST(m.at("sizeEstimate").as_int64() == static_cast<std::int64_t>(std::string(greek_mail).size()));
    BOOST_TEST(!m.contains("raw"));

    auto const& payload = m.at("payload").as_object();
    BOOST_TEST(str(payload.at("partId")) == "");
    BOOST_TEST(str(payload.at("mimeType")) == "multipart/mixed");
    BOOST_TEST(str(payload.at("filename")) == "");
    BOOST_TEST(payload.at("body") == (json::object{{"size", 0}}));
    bool saw_subject = false;
    for (auto const& h : payload.at("headers").as_array())
        if (str(h.at("name")) == "Subject") {
            BOOST_TEST(str(h.at("value")) == "Γεια σου");
            saw_subject = true;
        }
    BOOST_TEST(saw_subject);

    auto const& parts = payload.at("parts").as_array();
    BOOST_TEST_REQUIRE(parts.size() == 2u);
    auto const& alternative = parts[0].as_object();
    BOOST_TEST(str(alternative.at("partId")) == "0");
    BOOST_TEST(str(alternative.at("mimeType")) == "multipart/alternative");
    auto const& text = alternative.at("parts").as_array().at(0).as_object();
    BOOST_TEST(str(text.at("partId")) == "0.0");
    BOOST_TEST(text.at("body").at("size").as_int64() == 20);
    BOOST_TEST(str(text.at("body").at("data")) == "Q2Fmw6kgaXMgb3BlbiwgMSsxPTI=");
    auto const& html = alternative.at("parts").as_array().at(1).as_object();
    BOOST_TEST(str(html.at("partId")) == "0.1");
    BOOST_TEST(str(html.at("body").at("data")) == "PHA-Q2Fmw6k8L3A-");

    auto const& attachment = parts[1].as_object();
    BOOST_TEST(str(attachment.at("partId")) == "1");
    BOOST_TEST(str(attachment.at("filename")) == "Αρχείο.txt");
    BOOST_TEST(attachment.at("body").at("size").as_int64() == 55);
    BOOST_TEST(!str(attachment.at("body").at("attachmentId")).empty());
    BOOST_TEST(!attachment.at("body").as_object().contains("data"));
}

BOOST_AUTO_TEST_CASE(get_other_formats) {
    fixture f;
    auto const id = str(body(f.send(greek_mail)).at("id"));
    auto raw = body(f.call(verb::get, "/gmail/v1/users/me/messages/" + id + "?format=raw"));
    BOOST_TEST(!raw.contains("payload"));
    auto const encoded = str(raw.at("raw"));
    BOOST_TEST(encoded.size() % 4 == 0u); // Gmail pads base64url
    BOOST_TEST(*decode_base64_any(encoded) == greek_mail);

    auto minimal = body(f.call(verb::get, "/gmail/v1/users/me/messages/" + id + "?format=MINIMAL"));
    BOOST_TEST(!minimal.contains("payload"));
    BOOST_TEST(!minimal.contains("raw"));
    BOOST_TEST(minimal.contains("snippet"));
    BOOST_TEST(minimal.contains("historyId"));

    auto meta = body(f.call(verb::get, "/gmail/v1/users/me/messages/" + id +
                                           "?format=metadata&metadataHeaders=subject&metadataHeaders=From"));
    auto const& payload = meta.at("payload").as_object();
    BOOST_TEST(!payload.contains("parts"));
    auto const& headers = payload.at("headers").as_array();
    BOOST_TEST_REQUIRE(headers.size() == 2u);
    BOOST_TEST(str(headers[0].at("name")) == "From");
    BOOST_TEST(str(headers[0].at("value")) == "Γεια <alice@example.com>");
    BOOST_TEST(str(headers[1].at("value")) == "Γεια σου");
    auto all = body(f.call(verb::get, "/gmail/v1/users/me/messages/" + id + "?format=metadata"));
    BOOST_TEST(all.at("payload").at("headers").as_array().size() == 6u);
}

// minimal and raw are written as text rather than built as an object: the members of full
// but its payload, in Google's order, and the very bytes Boost.JSON writes (escapes too).
BOOST_AUTO_TEST_CASE(minimal_and_raw_are_full_without_its_payload_as_boost_json_writes_it) {
    fixture f;
    std::vector<std::string> ids;
    ids.push_back(str(body(f.send(greek_mail)).at("id")));
    // A snippet that needs escaping (a backslash, a control byte; a quote is HTML-escaped
    // first), and bytes that Boost.JSON writes as they are (DEL, a character beyond the BMP).
    ids.push_back(str(body(f.send(simple_mail("alice@example.com", "to self", {},
                                              "C:\\dir \"q\" \x01 \x7f \xF0\x9F\x98\x80 end\r\n")))
                          .at("id")));
    auto const unlabelled = str(body(f.send(simple_mail("bob@example.com", "no labels"))).at("id"));
    BOOST_TEST_REQUIRE(f.call(verb::post, "/gmail/v1/users/me/messages/" + unlabelled + "/modify",
                              R"({"removeLabelIds":["SENT"]})")
                           .status == 200u);
    ids.push_back(unlabelled);
    for (auto const& id : ids) {
        auto const full = body(f.call(verb::get, "/gmail/v1/users/me/messages/" + id + "?format=full"));
        for (bool const raw : {false, true}) {
            auto const res = f.call(verb::get, "/gmail/v1/users/me/messages/" + id + (raw ? "?format=raw" : "?format=minimal"));
            BOOST_TEST_REQUIRE(res.status == 200u);
            BOOST_TEST(res.headers[boost::beast::http::field::content_type] == "application/json; charset=UTF-8");
            auto const read = json::parse(res.body).as_object();
            json::object expected;
            for (auto const& [key, value] : full) {
                if (key != "payload")
                    expected[key] = value;
                if (raw && key == "sizeEstimate")
                    expected["raw"] = read.at("raw");
            }
            BOOST_TEST(json::serialize(expected) == res.body);
            if (raw)
                BOOST_TEST(decode_base64_any(str(read.at("raw")))->size() == read.at("sizeEstimate").to_number<std::size_t>());
        }
    }
    BOOST_TEST(body(f.call(verb::get, "/gmail/v1/users/me/messages/" + ids[1] + "?format=minimal"))
                   .at("snippet")
                   .as_string() == "C:\\dir &quot;q&quot; \x01 \x7f \xF0\x9F\x98\x80 end");
    BOOST_TEST(body(f.call(verb::get, "/gmail/v1/users/me/messages/" + unlabelled + "?format=minimal"))
                   .at("labelIds")
                   .as_array()
                   .empty());
}

BOOST_AUTO_TEST_CASE(get_errors) {
    fixture f;
    auto const id = str(body(f.send(lunch_mail)).at("id"));
    check_error(f.call(verb::get, "/gmail/v1/users/me/messages/0123456789abcdef"), 404, "notFound",
                "NOT_FOUND", "Requested entity was not found.");
    check_error(
        f.call(verb::get, "/gmail/v1/users/me/messages/" + id + "?format=html"), 400, "invalid",
        "INVALID_ARGUMENT",
        "Invalid value at 'format' (type.googleapis.com/google.apps.gmail.v1.GetMessageRequest.Format), "
        "\"html\"");
    // another mailbox's message is not visible
    check_error(f.call(f.request(verb::get, "/gmail/v1/users/me/messages/" + id), f.bob), 404, "notFound",
                "NOT_FOUND", "Requested entity was not found.");
}

// The first 200 bytes of the text with its white space collapsed, never a UTF-8 sequence
// split, then HTML-escaped; an HTML-only message's text without its tags. Each " λόγος"
// is 11 bytes.
BOOST_AUTO_TEST_CASE(snippet_is_escaped_and_short) {
    fixture f;
    auto const snippet_of_mail = [&](std::string const& content_type, std::string const& text) {
        auto const id = str(
            body(f.send(simple_mail("bob@example.com", "s", "Content-Type: " + content_type + "\r\n", text)))
                .at("id"));
        return str(body(f.call(verb::get, "/gmail/v1/users/me/messages/" + id + "?format=minimal")).at("snippet"));
    };
    std::string fifteen_words;
    for (int i = 0; i < 15; ++i)
        fifteen_words += " λόγος";
    auto const snippet_of_text = [&](std::string const& start, std::string const& end) {
        return snippet_of_mail("text/plain; charset=utf-8", start + "\r\n\r\n   spaced" + end);
    };
    auto const thirty_words = fifteen_words + fifteen_words;
    // 35 + 15 * 11 bytes: the 200th ends the 15th word, and the space after it goes.
    std::string const escaped = "Tom &amp; Jerry &lt;said&gt; &quot;hi&quot; it&#39;s";
    BOOST_TEST(snippet_of_text("Tom & Jerry <said> \"hi\" it's", thirty_words) == escaped + " spaced" + fifteen_words);
    // The same when the text ends there, in white space.
    BOOST_TEST(snippet_of_text("Tom & Jerry <said> \"hi\" it's", fifteen_words + " \t\r\n") ==
               escaped + " spaced" + fifteen_words);
    // One byte more: the 200th is the first of the last letter's two, which goes whole.
    BOOST_TEST(snippet_of_text("Tom & Jerry <said> \"hi\" it's!", thirty_words) ==
               escaped + "! spaced" + fifteen_words.substr(0, fifteen_words.size() - 2));
    BOOST_TEST(snippet_of_mail("text/html; charset=utf-8",
                               "<html><body><p>Hello <b>world</b></p>\r\n<p>second   line</p></body></html>\r\n") ==
               "Hello world second line");
}

// ---- inspection ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(inspect_json_and_duplicates) {
    fixture f;
    f.send(lunch_mail);
    f.send(lunch_mail); // a client retry that sent twice
    f.send(greek_mail);
    create_draft(f, "Subject: d\r\n\r\nx");
    auto const dupes = f.svc.duplicate_message_ids("alice@example.com");
    BOOST_TEST_REQUIRE(dupes.size() == 1u);
    BOOST_TEST(dupes.at("<lunch-1@example.com>") == 2u);
    BOOST_TEST(f.svc.duplicate_message_ids("bob@example.com").empty()); // received, not sent

    auto j = f.svc.inspect_json("alice@example.com");
    BOOST_TEST(str(j.at("emailAddress")) == "alice@example.com");
    auto const& messages = j.at("messages").as_array();
    BOOST_TEST_REQUIRE(messages.size() == 3u);
    auto const& greek = messages[2].as_object();
    BOOST_TEST(str(greek.at("subject")) == "Γεια σου");
    BOOST_TEST(str(greek.at("messageId")) == "<greek@example.com>");
    BOOST_TEST(str(greek.at("uploadType")) == "json");
    BOOST_TEST(str(greek.at("to").at(0).at("name")) == "Doe, John");
    BOOST_TEST(str(greek.at("attachments").at(0).at("filename")) == "Αρχείο.txt");
    BOOST_TEST(greek.at("attachments").at(0).at("size").to_number<std::int64_t>() == 55);
    BOOST_TEST(greek.at("mimeDefects").as_array().empty());
    BOOST_TEST(str(messages[0].at("bcc").at(0).at("email")) == "carol@example.com");
    BOOST_TEST(j.at("drafts").as_array().size() == 1u);
    BOOST_TEST(j.at("duplicateMessageIds").at("<lunch-1@example.com>").to_number<std::int64_t>() == 2);
    BOOST_TEST(f.svc.inspect_json("nobody@example.com").contains("error"));
    BOOST_TEST(f.svc.messages("nobody@example.com").empty());
}

// ---- the mailbox indexes (Message-ID, message id, thread id) --------------------------------------

BOOST_AUTO_TEST_CASE(rfc822msgid_lookups_apply_the_whole_query) {
    fixture f;
    auto id = [&](api_response const& r) { return str(body(r).at("id")); };
    auto const first = id(f.send(lunch_mail));
    auto const again = id(f.send(lunch_mail)); // a retry that went through twice
    auto const report =
        id(f.send(simple_mail("dave@example.org", "report", "Message-ID: <Q3@Example.COM>\r\n")));
    auto const draft =
        create_draft(f, simple_mail("bob@example.com", "later", "Message-ID: <d1@example.com>\r\n"));
    auto const draft_message = str(draft.at("message").at("id"));
    auto q = [&](std::string const& query, std::string const& extra = {}) {
        auto res = f.call(verb::get, "/gmail/v1/users/me/messages?q=" + query + extra);
        BOOST_TEST_REQUIRE(res.status == 200u);
        return ids_of(body(res));
    };
    using v = std::vector<std::string>;
    BOOST_TEST((q("rfc822msgid:lunch-1@example.com") == v{again, first}));
    BOOST_TEST((q("rfc822msgid:%3CLUNCH-1@EXAMPLE.com%3E") == v{again, first})); // case folded
    BOOST_TEST((q("rfc822msgid:q3@example.com") == v{report}));
    BOOST_TEST((q("rfc822msgid:d1@example.com") == v{draft_message})); // drafts are indexed too
    BOOST_TEST(q("rfc822msgid:lunch-1@example.com", "&maxResults=1").size() == 1u);
    BOOST_TEST((q("rfc822msgid:lunch-1@example.com%20in:sent") == v{again, first}));
    BOOST_TEST(q("rfc822msgid:lunch-1@example.com%20-in:sent").empty());
    BOOST_TEST(q("rfc822msgid:lunch-1@example.com%20subject:report").empty());
    BOOST_TEST(q("rfc822msgid:lunch-1@example.com", "&labelIds=INBOX").empty());
    BOOST_TEST(
        (q("rfc822msgid:q3@example.com%20OR%20rfc822msgid:d1@example.com") == v{draft_message, report}));
    BOOST_TEST((q("rfc822msgid:q3@example.com%20OR%20subject:later") == v{draft_message, report}));
    BOOST_TEST((q("-rfc822msgid:lunch-1@example.com") == v{draft_message, report}));
    BOOST_TEST(q("rfc822msgid:lunch-1").empty());
    BOOST_TEST(q("rfc822msgid:nope@example.com").empty());

    BOOST_TEST(f.call(verb::delete_, "/gmail/v1/users/me/drafts/" + str(draft.at("id"))).status == 204u);
    BOOST_TEST(q("rfc822msgid:d1@example.com").empty());
    BOOST_TEST(f.call(verb::get, "/gmail/v1/users/me/messages/" + draft_message).status == 404u);
    // bob's copy is in bob's index, not alice's
    auto bob =
        f.call(f.request(verb::get, "/gmail/v1/users/me/messages?q=rfc822msgid:lunch-1@example.com"), f.bob);
    BOOST_TEST(ids_of(body(bob)).size() == 2u);
}

BOOST_AUTO_TEST_CASE(thread_and_id_indexes_follow_drafts) {
    fixture f;
    auto profile = [&] { return body(f.call(verb::get, "/gmail/v1/users/me/profile")); };
    auto const sent = body(f.send(lunch_mail));
    auto const d1 = create_draft(f, simple_mail("bob@example.com", "one"));
    auto const d2 = create_draft(f, simple_mail("bob@example.com", "two"));
    auto const d1_thread = str(d1.at("message").at("threadId"));
    auto const d2_thread = str(d2.at("message").at("threadId"));
    BOOST_TEST(profile().at("messagesTotal").as_int64() == 3);
    BOOST_TEST(profile().at("threadsTotal").as_int64() == 3);

    // A thread only a draft holds exists: sending into it joins it.
    auto joined = body(
        f.send(simple_mail("bob@example.com", "into d1"), f.alice, ",\"threadId\":\"" + d1_thread + "\""));
    BOOST_TEST(str(joined.at("threadId")) == d1_thread);
    BOOST_TEST(profile().at("messagesTotal").as_int64() == 4);
    BOOST_TEST(profile().at("threadsTotal").as_int64() == 3);
    BOOST_TEST(f.call(verb::get, "/gmail/v1/users/me/messages/" + str(d2.at("message").at("id"))).status ==
               200u);

    // Deleting d1 leaves its thread to the message that joined it; deleting d2 ends d2's thread.
    BOOST_TEST(f.call(verb::delete_, "/gmail/v1/users/me/drafts/" + str(d1.at("id"))).status == 204u);
    BOOST_TEST(f.call(verb::delete_, "/gmail/v1/users/me/drafts/" + str(d2.at("id"))).status == 204u);
    BOOST_TEST(profile().at("messagesTotal").as_int64() == 2);
    BOOST_TEST(profile().at("threadsTotal").as_int64() == 2);
    auto again = body(
        f.send(simple_mail("bob@example.com", "d1 again"), f.alice, ",\"threadId\":\"" + d1_thread + "\""));
    BOOST_TEST(str(again.at("threadId")) == d1_thread);
    auto gone = body(
        f.send(simple_mail("bob@example.com", "d2 again"), f.alice, ",\"threadId\":\"" + d2_thread + "\""));
    BOOST_TEST(str(gone.at("threadId")) != d2_thread);
    BOOST_TEST(profile().at("threadsTotal").as_int64() == 3);
    auto upper = body(f.send(simple_mail("bob@example.com", "upper case id"), f.alice,
                             ",\"threadId\":\"" + std::string(d1_thread.size(), 'F') + "\""));
    BOOST_TEST(str(upper.at("threadId")) != d1_thread);

    // drafts.send: the draft's message becomes a sent one, same id, same thread.
    auto const d3 = create_draft(f, simple_mail("bob@example.com", "three"));
    auto const d3_message = str(d3.at("message").at("id"));
    BOOST_TEST(profile().at("threadsTotal").as_int64() == 5);
    auto res = f.call(verb::post, "/gmail/v1/users/me/drafts/send", "{\"id\":\"" + str(d3.at("id")) + "\"}");
    BOOST_TEST_REQUIRE(res.status == 200u);
    BOOST_TEST(profile().at("threadsTotal").as_int64() == 5);
    BOOST_TEST(profile().at("messagesTotal").as_int64() == 6);
    auto got = body(f.call(verb::get, "/gmail/v1/users/me/messages/" + d3_message + "?format=minimal"));
    BOOST_TEST(got.at("labelIds") == json::array{"SENT"});
    BOOST_TEST(str(got.at("threadId")) == str(d3.at("message").at("threadId")));
    BOOST_TEST(f.call(verb::get, "/gmail/v1/users/me/messages/" + str(sent.at("id"))).status == 200u);
    BOOST_TEST(f.call(verb::get, "/gmail/v1/users/me/messages/" + str(sent.at("threadId"))).status == 404u);
    BOOST_TEST(f.call(verb::get, "/gmail/v1/users/me/messages/not-an-id").status == 404u);
}

BOOST_AUTO_TEST_CASE(replies_join_the_oldest_message_with_exactly_that_message_id) {
    fixture f;
    auto mail = [](std::string const& subject, std::string const& headers) {
        return simple_mail("bob@example.com", subject, headers);
    };
    f.send(mail("a", "Message-ID: <T1@example.com>\r\n"));
    f.send(mail("b", "Message-ID: <T1@example.com>\r\n")); // the same Message-ID, another thread
    f.send(mail("c", "Message-ID: <t2@example.com>\r\n"));
    f.send(mail("case differs", "In-Reply-To: <t1@example.com>\r\n"));
    f.send(mail("reply", "In-Reply-To: <T1@example.com>\r\n"));
    f.send(mail("last reference wins",
                "References: <T1@example.com> <t2@example.com> <unknown@example.com>\r\n"));
    // A draft in bob's mailbox is not a message a reply can join.
    auto bob_draft =
        f.call(f.request(verb::post, "/gmail/v1/users/me/drafts",
                         "{\"message\":{\"raw\":\"" +
                             encode_base64url("Subject: y\r\nMessage-ID: <bob-draft@example.com>\r\n\r\ny") +
                             "\"}}"),
               f.bob);
    BOOST_TEST_REQUIRE(bob_draft.status == 200u);
    f.send(mail("to a draft", "In-Reply-To: <bob-draft@example.com>\r\n"));

    auto const& inbox = f.svc.messages("bob@example.com");
    BOOST_TEST_REQUIRE(inbox.size() == 7u);
    BOOST_TEST(inbox[0].thread_id != inbox[1].thread_id);
    BOOST_TEST(inbox[3].thread_id != inbox[0].thread_id);
    BOOST_TEST(inbox[3].thread_id != inbox[1].thread_id);
    BOOST_TEST(inbox[4].thread_id == inbox[0].thread_id);
    BOOST_TEST(inbox[5].thread_id == inbox[2].thread_id);
    BOOST_TEST(inbox[6].thread_id != str(body(bob_draft).at("message").at("threadId")));
    auto bp = body(f.call(f.request(verb::get, "/gmail/v1/users/me/profile"), f.bob));
    BOOST_TEST(bp.at("messagesTotal").as_int64() == 8);
    BOOST_TEST(bp.at("threadsTotal").as_int64() == 6); // a, b, c, case differs, bob's draft, to a draft
}

BOOST_AUTO_TEST_CASE(a_copied_service_has_indexes_of_its_own) {
    fixture f;
    auto const sent = body(f.send(lunch_mail));
    create_draft(f, simple_mail("bob@example.com", "draft", "Message-ID: <d@example.com>\r\n"));
    auto copy = std::make_unique<gmail_service>(f.svc);
    f.send(simple_mail("bob@example.com", "only in the original", "Message-ID: <o@example.com>\r\n"));
    auto call = [&](gmail_service& svc, std::string const& target) {
        auto r = f.request(verb::get, target);
        return body(svc.handle(*svc.match(r.method, r.url), r, f.alice));
    };
    auto const id = str(sent.at("id"));
    BOOST_TEST(str(call(*copy, "/gmail/v1/users/me/messages/" + id + "?format=minimal").at("id")) == id);
    BOOST_TEST(ids_of(call(*copy, "/gmail/v1/users/me/messages?q=rfc822msgid:d@example.com")).size() == 1u);
    BOOST_TEST(ids_of(call(*copy, "/gmail/v1/users/me/messages?q=rfc822msgid:o@example.com")).empty());
    BOOST_TEST(call(*copy, "/gmail/v1/users/me/profile").at("threadsTotal").as_int64() == 2);
    gmail_service assigned({"x@example.com"});
    assigned = *copy;
    copy.reset();
    BOOST_TEST(
        ids_of(call(assigned, "/gmail/v1/users/me/messages?q=rfc822msgid:lunch-1@example.com")).size() == 1u);
    BOOST_TEST(call(f.svc, "/gmail/v1/users/me/profile").at("threadsTotal").as_int64() == 3);
}

BOOST_AUTO_TEST_CASE(defective_mime_is_sent_and_reported) {
    fixture f;
    auto res = f.send(
        "To: bob@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nnever closed");
    BOOST_TEST(res.status == 200u);
    auto const& m = f.svc.messages("alice@example.com").at(0);
    BOOST_TEST_REQUIRE(m.mime_defects.size() == 1u);
    BOOST_TEST(m.mime_defects[0] == "multipart without a close delimiter");
}

BOOST_AUTO_TEST_CASE(handle_survives_hostile_input) {
    fixture f;
    // Each refused as Google refuses it: 400, INVALID_ARGUMENT, with the reason Google gives
    // (a body that is not JSON: "invalid"; JSON without a usable message: "badRequest" or
    // "invalidArgument"), in an answer that is itself valid JSON.
    struct hostile {
        char const* body;
        char const* reason;
    };
    hostile const bodies[] = {{"\xff\xfe", "invalid"},           {"[[[[[[[[[[", "invalid"},
                              {"{\"raw\":\"=\"}", "badRequest"}, {"{\"raw\":\"AA==\"}", "invalidArgument"},
                              {"{\"raw\":null}", "badRequest"},    {"{\"raw\":\"Cg\"}", "badRequest"}};
    for (auto const& [body, reason] : bodies) {
        auto res = f.call(verb::post, "/gmail/v1/users/me/messages/send", body);
        BOOST_TEST(res.status == 400u, body);
        boost::system::error_code parse_ec;
        auto const answer = boost::json::parse(res.body, parse_ec);
        BOOST_TEST_REQUIRE(!parse_ec, "not JSON: " << res.body);
        auto const error = answer.at("error").as_object();
        BOOST_TEST(error.at("code").as_int64() == 400);
        BOOST_TEST(error.at("status").as_string() == "INVALID_ARGUMENT", body);
        BOOST_TEST(error.at("errors").as_array().at(0).at("reason").as_string() == reason, body << ": " << res.body);
    }
    BOOST_TEST(f.call(verb::post, "/gmail/v1/users/me/drafts/send", "{\"id\":{}}").status == 400u);
    BOOST_TEST(f.svc.messages("alice@example.com").empty());
}

BOOST_AUTO_TEST_CASE(same_seed_same_ids) {
    fixture a, b;
    BOOST_TEST(a.send(lunch_mail).body == b.send(lunch_mail).body);
    BOOST_TEST(a.svc.messages("bob@example.com").at(0).id == b.svc.messages("bob@example.com").at(0).id);
}

BOOST_AUTO_TEST_CASE(ids_never_repeat_and_depend_on_the_seed) {
    // Ids are made without remembering the ones given out; every id of sent messages,
    // their threads and the recipients' copies must still differ from all others.
    fixture f, other({}, 8);
    std::set<std::string> seen;
    std::size_t made = 0;
    for (int i = 0; i < 3000; ++i) {
        auto const sent = body(f.send(simple_mail("bob@example.com", "n" + std::to_string(i))));
        for (auto key : {"id", "threadId"}) {
            auto const id = str(sent.at(key));
            BOOST_TEST_REQUIRE(id.size() == 16u);
            BOOST_TEST_REQUIRE(id.find_first_not_of("0123456789abcdef") == std::string::npos);
            seen.insert(id);
            ++made;
        }
    }
    for (auto const& m : f.svc.messages("bob@example.com")) {
        seen.insert(m.id);
        seen.insert(m.thread_id);
        made += 2;
    }
    BOOST_TEST(seen.size() == made);
    BOOST_TEST(str(body(other.send(lunch_mail)).at("id")) != f.svc.messages("alice@example.com").at(0).id);
    // Every stored message is found by its id through the index.
    for (auto const& m : f.svc.messages("alice@example.com"))
        BOOST_TEST_REQUIRE(f.call(verb::get, "/gmail/v1/users/me/messages/" + m.id).status == 200u);
}

BOOST_AUTO_TEST_SUITE_END()
