// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The Gmail service through the public API against the emulator, asserting what the
// emulator stored and logged.
#include "../support/run.hpp"

#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>
#include <gapi/gmail/detail/requests.hpp>
#include <gapi/gmail/gmail_service.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

namespace asio = boost::asio;
using gapi::error_code;
using gapi::emulator::emulator_options;
using gapi::emulator::emulator_state;
using gapi::gmail::gmail_service;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct gmail_fixture {
    explicit gmail_fixture(emulator_options options = {}, gapi::client_options client_options = {}) {
        options.state_dir = dir.path();
        // Against an emulator without quotas, the client does not pace itself either.
        if (!options.quota.enabled)
            client_options.pacing.enabled = false;
        google.emplace(std::move(options));
        google->start();
        client.emplace(ioc.get_executor(), gapi::auth::credentials::from_file(dir.file("token.json")),
                       std::move(client_options));
        gmail.emplace(*client, gapi::gmail::gmail_options{.root = google->base_url()});
    }

    void run(asio::awaitable<void> test) { gapi_test::run(ioc, std::move(test)); }

    std::size_t sends() { return google->counts().calls("gmail.users.messages.send"); }

    gapi_test::temp_dir dir;
    std::optional<gapi::emulator::emulator> google;
    asio::io_context ioc;
    std::optional<gapi::client> client;
    std::optional<gmail_service> gmail;
};

gapi::mime::message hello(std::string subject = "Hello") {
    gapi::mime::message m;
    m.from = {"User One", "user1@example.com"};
    m.to = {{"Bob", "user2@example.com"}};
    m.subject = std::move(subject);
    m.text_body = "Hello from gapi.\n";
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(gmail_service_tests)

BOOST_AUTO_TEST_CASE(send_returns_the_message_and_the_emulator_stores_it) {
    gmail_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        auto msg = hello();
        auto [ec, sent] = co_await f.gmail->send(msg, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(sent.id.size() == 16u);
        BOOST_TEST(!sent.thread_id.empty());
        BOOST_TEST((std::find(sent.label_ids.begin(), sent.label_ids.end(), "SENT") != sent.label_ids.end()));
    }());
    f.google->with_state([](emulator_state& s) {
        auto const& box = s.gmail.messages("user1@example.com");
        BOOST_TEST_REQUIRE(box.size() == 1u);
        BOOST_TEST(box[0].subject == "Hello");
        BOOST_TEST(box[0].upload_type == "json");
        BOOST_TEST(s.gmail.messages("user2@example.com").size() == 1u);
    });
}

BOOST_AUTO_TEST_CASE(greek_subject_names_and_attachment_round_trip) {
    gmail_fixture f;
    std::string bytes;
    for (int i = 0; i < 4096; ++i)
        bytes.push_back(static_cast<char>(i * 7 % 256));
    f.run([&]() -> asio::awaitable<void> {
        gapi::mime::message m;
        m.from = {"Χρήστης Ένα", "user1@example.com"};
        m.to = {{"Γιώργος Παπαδόπουλος", "user2@example.com"}};
        m.subject = "Γεια σου κόσμε — καλημέρα";
        m.text_body = "Καλημέρα!\n";
        m.attachments.push_back({.filename = "Αρχείο.pdf", .content_type = "application/pdf", .data = bytes});
        auto [ec, sent] = co_await f.gmail->send(m, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
    }());
    f.google->with_state([&](emulator_state& s) {
        auto const& box = s.gmail.messages("user2@example.com");
        BOOST_TEST_REQUIRE(box.size() == 1u);
        BOOST_TEST(box[0].subject == "Γεια σου κόσμε — καλημέρα");
        BOOST_TEST_REQUIRE(box[0].to.size() == 1u);
        BOOST_TEST(box[0].to[0].name == "Γιώργος Παπαδόπουλος");
        BOOST_TEST_REQUIRE(box[0].attachments.size() == 1u);
        BOOST_TEST(box[0].attachments[0].filename == "Αρχείο.pdf");
        BOOST_TEST((box[0].attachments[0].data == bytes));
    });
}

BOOST_AUTO_TEST_CASE(large_messages_use_the_upload_endpoint_and_oversize_is_refused_locally) {
    gmail_fixture f({.quota = {.enabled = false}});
    f.run([&]() -> asio::awaitable<void> {
        auto big = hello("ten megabytes");
        big.attachments.push_back(
            {.filename = "big.bin", .content_type = "application/octet-stream", .data = std::string(10'000'000, 'z')});
        auto [ec, sent] = co_await f.gmail->send(big, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());

        auto medium = hello("one megabyte");
        medium.attachments.push_back({.filename = "m.bin", .data = std::string(1'000'000, 'm')});
        std::tie(ec, sent) = co_await f.gmail->send(medium, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());

        auto const before = f.google->counts().http_requests;
        auto huge = hello("too big");
        huge.attachments.push_back({.filename = "huge.bin", .data = std::string(36'000'000, 'h')});
        std::tie(ec, sent) = co_await f.gmail->send(huge, use_tuple);
        BOOST_TEST(ec == gapi::error::message_too_large, ec.message());
        BOOST_TEST(f.google->counts().http_requests == before); // refused before any request
    }());
    auto const counts = f.google->counts();
    std::vector<std::string> upload_types;
    for (auto const& e : counts.log)
        if (e.method_id == "gmail.users.messages.send" && e.path.starts_with("/upload/"))
            upload_types.push_back(e.upload_type);
    BOOST_TEST((upload_types == std::vector<std::string>{"resumable", "resumable", "media"}));
    f.google->with_state([](emulator_state& s) {
        auto const& box = s.gmail.messages("user1@example.com");
        BOOST_TEST_REQUIRE(box.size() == 2u);
        BOOST_TEST(box[0].upload_type == "resumable");
        BOOST_TEST(box[0].attachments.at(0).data.size() == 10'000'000u);
        BOOST_TEST(box[1].upload_type == "media");
    });
}

BOOST_AUTO_TEST_CASE(header_injection_and_bad_addresses_send_nothing) {
    gmail_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        auto evil = hello("hi\r\nBcc: victim@example.com");
        auto [ec, sent] = co_await f.gmail->send(evil, use_tuple);
        BOOST_TEST(ec == gapi::error::header_injection, ec.message());
        BOOST_TEST(ec == gapi::condition::invalid_argument);

        auto bad_to = hello();
        bad_to.to = {{"Bob", "user2@example.com\r\nBcc: victim@example.com"}};
        std::tie(ec, sent) = co_await f.gmail->send(bad_to, use_tuple);
        BOOST_TEST((ec == gapi::error::header_injection || ec == gapi::error::invalid_address), ec.message());

        auto no_at = hello();
        no_at.to = {{"", "not-an-address"}};
        std::tie(ec, sent) = co_await f.gmail->send(no_at, use_tuple);
        BOOST_TEST(ec == gapi::error::invalid_address, ec.message());
    }());
    BOOST_TEST(f.sends() == 0u);
}

BOOST_AUTO_TEST_CASE(drafts_labels_messages_and_profile) {
    gmail_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        auto& gmail = *f.gmail;
        auto [ec, d] = co_await gmail.create_draft(hello("draft subject"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(!d.id.empty());
        BOOST_TEST((d.message.label_ids == std::vector<std::string>{"DRAFT"}));

        auto [lec, drafts] = co_await gmail.list_drafts(10, {}, use_tuple);
        BOOST_TEST_REQUIRE(!lec, lec.message());
        BOOST_TEST(drafts.drafts.size() == 1u);

        auto [gec, fetched] = co_await gmail.get_draft(d.id, gapi::gmail::message_format::raw, use_tuple);
        BOOST_TEST_REQUIRE(!gec, gec.message());
        BOOST_TEST(fetched.message.raw.find("Subject: draft subject") != std::string::npos);

        auto [sec, sent] = co_await gmail.send_draft(d.id, use_tuple);
        BOOST_TEST_REQUIRE(!sec, sec.message());
        std::tie(gec, fetched) = co_await gmail.get_draft(d.id, gapi::gmail::message_format::full, use_tuple);
        BOOST_TEST(gec == gapi::api_error::not_found, gec.message());
        BOOST_TEST(gec == gapi::condition::not_found);

        auto [cec, second] = co_await gmail.create_draft(hello("to delete"), use_tuple);
        BOOST_TEST_REQUIRE(!cec);
        auto [dec, deleted] = co_await gmail.delete_draft(second.id, use_tuple);
        BOOST_TEST(!dec, dec.message());
        BOOST_TEST(deleted);
        std::tie(dec, deleted) = co_await gmail.delete_draft(second.id, use_tuple);
        BOOST_TEST(dec == gapi::condition::not_found);

        auto [labels_ec, labels] = co_await gmail.list_labels(use_tuple);
        BOOST_TEST_REQUIRE(!labels_ec, labels_ec.message());
        BOOST_TEST((std::any_of(labels.begin(), labels.end(), [](auto const& l) { return l.id == "INBOX"; })));
        // GCC 12 destroys a braced temporary in a co_await expression twice: name it.
        gapi::gmail::label const clients{.name = "Clients"};
        auto [new_ec, created] = co_await gmail.create_label(clients, use_tuple);
        BOOST_TEST_REQUIRE(!new_ec, new_ec.message());
        BOOST_TEST(created.type == "user");
        std::tie(new_ec, created) = co_await gmail.create_label(clients, use_tuple);
        BOOST_TEST(new_ec == gapi::api_error::conflict, new_ec.message());

        for (int i = 0; i < 5; ++i) {
            auto msg = hello("listed " + std::to_string(i));
            auto [e, m] = co_await gmail.send(msg, use_tuple);
            BOOST_TEST_REQUIRE(!e);
        }
        gapi::gmail::list_query const in_sent{.q = "in:sent", .max_results = 2};
        auto [all_ec, all] = co_await gmail.list_all_messages(in_sent, use_tuple);
        BOOST_TEST_REQUIRE(!all_ec, all_ec.message());
        BOOST_TEST(all.size() == 6u); // the draft sent, then five
        std::set<std::string> ids;
        for (auto const& r : all)
            ids.insert(r.id);
        BOOST_TEST(ids.size() == 6u);

        auto msg = hello("find me");
        msg.message_id = gapi::mime::new_message_id(msg.from);
        auto [fe, found_sent] = co_await gmail.send(msg, use_tuple);
        BOOST_TEST_REQUIRE(!fe);
        gapi::gmail::list_query const by_id{.q = "rfc822msgid:" + msg.message_id};
        auto [qe, page] = co_await gmail.list_messages(by_id, use_tuple);
        BOOST_TEST_REQUIRE(!qe, qe.message());
        BOOST_TEST_REQUIRE(page.messages.size() == 1u);
        BOOST_TEST(page.messages[0].id == found_sent.id);

        // A '+' in a search arrives as a '+', not as a space.
        auto tagged = hello("tagged");
        tagged.to = {{"", "user2+news@example.com"}};
        auto [te, tagged_sent] = co_await gmail.send(tagged, use_tuple);
        BOOST_TEST_REQUIRE(!te, te.message());
        gapi::gmail::list_query const by_tag{.q = "in:sent to:user2+news@example.com"};
        std::tie(qe, page) = co_await gmail.list_messages(by_tag, use_tuple);
        BOOST_TEST_REQUIRE(!qe, qe.message());
        BOOST_TEST_REQUIRE(page.messages.size() == 1u);
        BOOST_TEST(page.messages[0].id == tagged_sent.id);

        auto [me, full] = co_await gmail.get_message(found_sent.id, gapi::gmail::message_format::metadata, use_tuple);
        BOOST_TEST_REQUIRE(!me, me.message());
        BOOST_TEST_REQUIRE(full.payload.has_value());
        BOOST_TEST((std::any_of(full.payload->headers.begin(), full.payload->headers.end(),
                                [](auto const& h) { return h.name == "Subject" && h.value == "find me"; })));
        std::tie(me, full) = co_await gmail.get_message("ffffffffffffffff", gapi::gmail::message_format::full, use_tuple);
        BOOST_TEST(me == gapi::condition::not_found);

        auto [pe, profile] = co_await gmail.get_profile(use_tuple);
        BOOST_TEST_REQUIRE(!pe, pe.message());
        BOOST_TEST(profile.email_address == "user1@example.com");
        BOOST_TEST(profile.messages_total >= 8);
    }());
}

BOOST_AUTO_TEST_CASE(rate_limits_arrive_as_typed_errors_with_the_hint) {
    // 150 units a minute: one send; the emulator's clock stands still, so no refill comes.
    // Retries off: this is about the error the caller sees (the retry loop has its own tests).
    gmail_fixture f({.quota = {.scale = 0.01, .gmail_user_units_per_minute = 15'000}, .clock = [t = std::chrono::system_clock::now()] { return t; }},
                    {.retry = {.enabled = false}});
    f.run([&]() -> asio::awaitable<void> {
        auto [ec, sent] = co_await f.gmail->send(hello(), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        std::tie(ec, sent) = co_await f.gmail->send(hello(), use_tuple);
        BOOST_TEST(ec == gapi::condition::rate_limited, ec.message());
        BOOST_TEST(ec == gapi::condition::retryable);
    }());
}

BOOST_AUTO_TEST_CASE(a_thousand_concurrent_sends_within_the_connection_cap) {
    gmail_fixture f({.quota = {.enabled = false}}, {.transport = {.max_connections_per_origin = 8}});
    int ok = 0;
    f.run([&]() -> asio::awaitable<void> {
        int pending = 1000;
        asio::steady_timer done(f.ioc, asio::steady_timer::time_point::max());
        for (int i = 0; i < 1000; ++i)
            f.gmail->send(hello("bulk " + std::to_string(i)), [&](error_code ec, gapi::gmail::message) {
                if (!ec)
                    ++ok;
                if (--pending == 0)
                    done.cancel();
            });
        co_await done.async_wait(use_tuple);
    }());
    BOOST_TEST(ok == 1000);
    BOOST_TEST(f.sends() == 1000u);
    BOOST_TEST(f.google->counts().connections_accepted <= 8u);
    BOOST_TEST(f.google->counts().max_connections_open <= 8u);
    f.google->with_state([](emulator_state& s) {
        BOOST_TEST(s.gmail.messages("user1@example.com").size() == 1000u);
        BOOST_TEST(s.gmail.duplicate_message_ids("user1@example.com").empty());
    });
}

BOOST_AUTO_TEST_CASE(the_mailbox_may_be_named_and_another_users_is_refused) {
    gmail_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        gmail_service own(*f.client, {.root = f.google->base_url(), .user_id = "user1@example.com"});
        auto [ec, profile] = co_await own.get_profile(use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(profile.email_address == "user1@example.com");
        auto [sec, sent] = co_await own.send(hello("named mailbox"), use_tuple);
        BOOST_TEST_REQUIRE(!sec, sec.message());
        // A copy with other call options sends to the same mailbox (its URL is its own).
        gapi::call_options const other_options;
        auto const copy = own.with(other_options);
        auto again = hello("named mailbox, again");
        std::tie(sec, sent) = co_await copy.send(std::move(again), use_tuple);
        BOOST_TEST_REQUIRE(!sec, sec.message());

        // user1's token cannot act for user2 without domain-wide delegation.
        gmail_service other(*f.client, {.root = f.google->base_url(), .user_id = "user2@example.com"});
        auto [oec, labels] = co_await other.list_labels(use_tuple);
        BOOST_TEST(oec == gapi::api_error::permission_denied, oec.message());
        std::tie(sec, sent) = co_await other.send(hello("not mine"), use_tuple);
        BOOST_TEST(sec == gapi::api_error::permission_denied, sec.message());
    }());
    f.google->with_state([](emulator_state& s) {
        auto const& box = s.gmail.messages("user1@example.com");
        BOOST_TEST_REQUIRE(box.size() == 2u);
        BOOST_TEST(box[0].subject == "named mailbox");
        BOOST_TEST(box[1].subject == "named mailbox, again");
    });
}

BOOST_AUTO_TEST_CASE(requests_know_their_method_quota_cost_and_whether_they_may_be_replayed) {
    namespace d = gapi::gmail::detail;
    gapi::gmail::gmail_options const o{.root = "https://gmail.googleapis.com", .user_id = "a b@example.com"};
    auto const small = d::send_request(o, "Subject: x\r\n\r\nhi");
    BOOST_TEST(small.method_id == "gmail.users.messages.send");
    BOOST_TEST(small.quota_units == 100u);
    BOOST_TEST(!small.replay_on_stale_connection);
    BOOST_TEST(gapi::http::absolute_url(small) ==
               "https://gmail.googleapis.com/gmail/v1/users/a%20b@example.com/messages/send");
    BOOST_TEST(small.body.starts_with(R"({"raw":")"));
    auto const medium = d::send_request(o, std::string(o.json_limit + 1, 'x'));
    BOOST_TEST(gapi::http::absolute_url(medium) ==
               "https://gmail.googleapis.com/upload/gmail/v1/users/a%20b@example.com/messages/send?uploadType=media");
    BOOST_TEST(medium.headers[boost::beast::http::field::content_type] == "message/rfc822");
    BOOST_TEST(medium.body.size() == o.json_limit + 1);
    auto const list = d::list_messages_request(o, {.q = "rfc822msgid:<a+b@x> in:sent", .label_ids = {"INBOX", "SENT"}});
    BOOST_TEST(list.quota_units == 5u);
    BOOST_TEST(list.replay_on_stale_connection);
    BOOST_TEST(gapi::http::request_target(list) ==
               "/gmail/v1/users/a%20b@example.com/messages"
               "?q=rfc822msgid%3A%3Ca%2Bb%40x%3E%20in%3Asent&labelIds=INBOX&labelIds=SENT&maxResults=100");
    BOOST_TEST(d::send_draft_request(o, "r1").replay_on_stale_connection == false);
    BOOST_TEST(d::get_profile_request(o).quota_units == 1u);

    // messages.get from the prefix a service prepares writes what the whole builder does.
    auto const prefix = d::messages_url(o);
    using gapi::gmail::message_format;
    for (auto const format : {message_format::minimal, message_format::full, message_format::raw, message_format::metadata})
        for (std::string const id : {"18f0a1", "a/b?c#d e%", ""}) {
            auto const whole = d::get_message_request(o, id, format);
            auto const prepared = d::get_message_request(o, id, format, &prefix);
            BOOST_TEST(prepared.target == whole.target);
            BOOST_TEST(gapi::http::absolute_url(prepared) == gapi::http::absolute_url(whole));
            BOOST_TEST(prepared.method_id == "gmail.users.messages.get");
        }
    BOOST_TEST(gapi::http::request_target(d::get_message_request(o, "a/b", message_format::raw, &prefix)) ==
               "/gmail/v1/users/a%20b@example.com/messages/a%2Fb?format=raw");
}

BOOST_AUTO_TEST_CASE(send_raw_sends_the_bytes_as_given) {
    gmail_fixture f;
    std::string const raw = "From: user1@example.com\r\nTo: user2@example.com\r\nSubject: raw bytes\r\n"
                            "Message-ID: <raw-1@example.com>\r\nMIME-Version: 1.0\r\n"
                            "Content-Type: text/plain; charset=UTF-8\r\n\r\nSent as they are.\r\n";
    f.run([&]() -> asio::awaitable<void> {
        auto [ec, sent] = co_await f.gmail->send_raw(raw, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(sent.id.size() == 16u);
        // Not a message: Gmail's own refusal, typed.
        std::tie(ec, sent) = co_await f.gmail->send_raw("", use_tuple);
        BOOST_TEST(ec == gapi::api_error::bad_request, ec.message());
    }());
    f.google->with_state([&](emulator_state& s) {
        auto const& box = s.gmail.messages("user1@example.com");
        BOOST_TEST_REQUIRE(box.size() == 1u);
        BOOST_TEST(box[0].raw == raw);
        BOOST_TEST(box[0].message_id == "<raw-1@example.com>");
        BOOST_TEST(box[0].text_body == "Sent as they are.\r\n");
    });
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.send", 400) == 1u);
}

// Raw messages as other composers write them: the Message-ID field's name in lower case,
// after other fields; folded onto the next line; lines ending in LF alone; white space
// before the colon (RFC 5322's obsolete syntax), after a field whose name only starts
// the same. The same name in the body never counts.
struct raw_with_message_id {
    std::string raw;
    std::string message_id;
};
std::vector<raw_with_message_id> const raw_message_id_forms{
    {"From: user1@example.com\r\nTo: user2@example.com\r\nSubject: lost answer\r\n"
     "message-id:   <lower-1@example.com>\r\nMIME-Version: 1.0\r\n\r\n"
     "Message-ID: <in-the-body@example.com>\r\n",
     "<lower-1@example.com>"},
    {"From: user1@example.com\r\nTo: user2@example.com\r\nSubject: lost answer\r\n"
     "Message-ID:\r\n\t<folded-1@example.com>\r\nMIME-Version: 1.0\r\n\r\n"
     "Message-ID: <in-the-body@example.com>\r\n",
     "<folded-1@example.com>"},
    {"From: user1@example.com\nTo: user2@example.com\nSubject: lost answer\n"
     "Message-ID: <bare-lf-1@example.com>\nMIME-Version: 1.0\n\n"
     "Message-ID: <in-the-body@example.com>\n",
     "<bare-lf-1@example.com>"},
    {"From: user1@example.com\r\nTo: user2@example.com\r\nSubject: lost answer\r\n"
     "Message-IDs: <not-this-field@example.com>\r\n"
     "Message-ID \t: <space-before-colon-1@example.com>\r\nMIME-Version: 1.0\r\n\r\n"
     "Message-ID: <in-the-body@example.com>\r\n",
     "<space-before-colon-1@example.com>"},
};

// The send is applied, its answer lost: gapi finds it by that Message-ID. (Not written in
// the data test case itself, a template, whose lambdas may not hold this file's types.)
void check_lost_send_is_found(raw_with_message_id const& form) {
    auto const& raw = form.raw;
    auto const& message_id = form.message_id;
    gapi::client_options fast;
    fast.retry.initial_backoff = std::chrono::milliseconds(1);
    gmail_fixture f({}, fast);
    f.run([&]() -> asio::awaitable<void> {
        f.google->with_state([](emulator_state& s) {
            s.faults = gapi::emulator::fault_injector(
                *gapi::emulator::fault_injector::parse("gmail.users.messages.send:ambiguous=1,first=1"), 1);
        });
        auto [ec, sent] = co_await f.gmail->send_raw(raw, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(!sent.id.empty());
    }());
    f.google->with_state([&](emulator_state& s) {
        auto const& box = s.gmail.messages("user1@example.com");
        BOOST_TEST_REQUIRE(box.size() == 1u);
        BOOST_TEST(box[0].message_id == message_id);
    });
    BOOST_TEST(f.google->counts().calls("gmail.users.messages.send") == 1u); // found, not sent again
}

BOOST_DATA_TEST_CASE(a_raw_send_whose_answer_was_lost_is_found_by_its_message_id_as_written,
                     boost::unit_test::data::xrange(raw_message_id_forms.size()), form) {
    check_lost_send_is_found(raw_message_id_forms[form]);
}

BOOST_AUTO_TEST_CASE(a_draft_delete_whose_answer_was_lost_succeeds_on_its_retry) {
    // The first delete is applied, then the connection is reset before the answer; the
    // next attempt finds the draft gone, which is this call's own doing.
    gapi::client_options fast;
    fast.retry.initial_backoff = std::chrono::milliseconds(1);
    gmail_fixture f({}, fast);
    f.run([&]() -> asio::awaitable<void> {
        auto [cec, d] = co_await f.gmail->create_draft(hello("lost answer"), use_tuple);
        BOOST_TEST_REQUIRE(!cec, cec.message());
        f.google->with_state([](emulator_state& s) {
            s.faults = gapi::emulator::fault_injector(
                *gapi::emulator::fault_injector::parse("gmail.users.drafts.delete:ambiguous=1,first=1"), 1);
        });
        auto [dec, deleted] = co_await f.gmail->delete_draft(d.id, use_tuple);
        BOOST_TEST(!dec, dec.message());
        BOOST_TEST(deleted);
    }());
    BOOST_TEST(f.google->counts().calls("gmail.users.drafts.delete") == 2u);
}

BOOST_AUTO_TEST_CASE(a_draft_create_whose_answer_was_lost_leaves_one_draft) {
    // The first drafts.create is applied, then the connection is reset before the answer:
    // gapi finds the draft by its Message-ID instead of making a second one. A 503 (not
    // applied) is looked for too, found missing, and sent again.
    gapi::client_options fast;
    fast.retry.initial_backoff = std::chrono::milliseconds(1);
    fast.retry.applied_lookup_interval = std::chrono::milliseconds(1);
    gmail_fixture f({.quota = {.enabled = false}}, fast);
    f.google->with_state([](emulator_state& s) {
        s.faults = gapi::emulator::fault_injector(
            *gapi::emulator::fault_injector::parse("gmail.users.drafts.create:ambiguous=1,first=1"), 1);
    });
    std::string first_id, second_id;
    f.run([&]() -> asio::awaitable<void> {
        auto [ec, d] = co_await f.gmail->create_draft(hello("lost answer"), use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        first_id = d.id;
        BOOST_TEST(!d.message.id.empty());
        f.google->with_state([](emulator_state& s) {
            s.faults = gapi::emulator::fault_injector(
                *gapi::emulator::fault_injector::parse("gmail.users.drafts.create:503=1,first=1"), 1);
        });
        auto [ec2, d2] = co_await f.gmail->create_draft(hello("refused once"), use_tuple);
        BOOST_TEST_REQUIRE(!ec2, ec2.message());
        second_id = d2.id;
    }());
    f.google->with_state([&](emulator_state& s) {
        auto const drafts = s.gmail.drafts("user1@example.com");
        BOOST_TEST(drafts.size() == 2u); // one each, never two
    });
    BOOST_TEST(first_id != second_id);
    BOOST_TEST(f.google->counts().calls("gmail.users.drafts.create") == 3u); // 1 + (503, then again)
    // One look found the first; the second was looked for three times (Gmail's index may lag).
    BOOST_TEST(f.google->counts().calls("gmail.users.drafts.list") == 4u);
}

BOOST_AUTO_TEST_CASE(a_label_create_whose_answer_was_lost_completes_with_the_label) {
    gapi::client_options fast;
    fast.retry.initial_backoff = std::chrono::milliseconds(1);
    gmail_fixture f({.quota = {.enabled = false}}, fast);
    f.google->with_state([](emulator_state& s) {
        s.faults = gapi::emulator::fault_injector(
            *gapi::emulator::fault_injector::parse("gmail.users.labels.create:ambiguous=1,first=1"), 1);
    });
    f.run([&]() -> asio::awaitable<void> {
        gapi::gmail::label wanted;
        wanted.name = "Receipts";
        auto [ec, made] = co_await f.gmail->create_label(wanted, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(made.name == "Receipts");
        BOOST_TEST(made.id.starts_with("Label_"));
        // Without an earlier attempt that may have acted, a taken name is a conflict.
        auto [again_ec, again] = co_await f.gmail->create_label(wanted, use_tuple);
        BOOST_TEST(again_ec == gapi::api_error::conflict, again_ec.message());
    }());
    BOOST_TEST(f.google->counts().calls("gmail.users.labels.create") == 3u);
}

BOOST_AUTO_TEST_CASE(drafts_are_listed_page_by_page_each_once) {
    gmail_fixture f({.quota = {.enabled = false}});
    std::set<std::string> created;
    std::set<std::string> listed;
    std::size_t pages = 0;
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < 23; ++i) {
            auto [ec, d] = co_await f.gmail->create_draft(hello("draft " + std::to_string(i)), use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
            created.insert(d.id);
        }
        std::string page;
        do {
            auto [ec, list] = co_await f.gmail->list_drafts(5, page, use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
            BOOST_TEST(list.drafts.size() <= 5u);
            ++pages;
            for (auto const& d : list.drafts)
                BOOST_TEST(listed.insert(d.id).second, "draft " << d.id << " listed twice");
            page = list.next_page_token;
        } while (!page.empty() && pages < 20);
    }());
    BOOST_TEST(created.size() == 23u);
    BOOST_TEST((listed == created));
    BOOST_TEST(pages == 5u); // 5 + 5 + 5 + 5 + 3
    BOOST_TEST(f.google->counts().calls("gmail.users.drafts.list", 200) == 5u);
    f.google->with_state([&](emulator_state& s) { BOOST_TEST(s.gmail.drafts("user1@example.com").size() == 23u); });
}

BOOST_AUTO_TEST_SUITE_END()
