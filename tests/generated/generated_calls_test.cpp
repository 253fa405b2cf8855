// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The generated layer through the public API against the emulator: each emulated method
// is called as Google names it, and what the emulator stored is checked. Also the
// generated resources' JSON mapping (lossless, int64 strings) without I/O.
#include "../support/run.hpp"

#include <gapi/calendar/calendar_service.hpp>
#include <gapi/calendar/v3/methods.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>
#include <gapi/gmail/gmail_service.hpp>
#include <gapi/gmail/v1/methods.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
using gapi::error_code;
using gapi::emulator::emulator_state;
namespace v1 = gapi::gmail::v1;
namespace v3 = gapi::calendar::v3;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct generated_fixture {
    explicit generated_fixture(gapi::emulator::emulator_options options = {}) {
        options.state_dir = dir.path();
        options.quota.enabled = false;
        gapi::client_options client_options;
        client_options.pacing.enabled = false;
        google.emplace(std::move(options));
        google->start();
        client.emplace(ioc.get_executor(), gapi::auth::credentials::from_file(dir.file("token.json")),
                       std::move(client_options));
        gmail.emplace(*client, gapi::gmail::gmail_options{.root = google->base_url()});
        calendar.emplace(*client, gapi::calendar::calendar_options{.root = google->base_url()});
    }

    void run(asio::awaitable<void> test) { gapi_test::run(ioc, std::move(test)); }

    // A message from user1 to user2 (both built-in users), sent with the hand-written
    // service; returns the sender's copy.
    asio::awaitable<gapi::gmail::message> send(std::string subject, std::string attachment = {}) {
        gapi::mime::message m;
        m.from = {"User One", "user1@example.com"};
        m.to = {{"User Two", "user2@example.com"}};
        m.subject = std::move(subject);
        m.text_body = "Hello.\n";
        if (!attachment.empty())
            m.attachments.push_back(
                {.filename = "data.bin", .content_type = "application/octet-stream", .data = std::move(attachment)});
        auto [ec, sent] = co_await gmail->send(m, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        co_return sent;
    }

    gapi::emulator::stored_message const& stored(std::string const& email, std::string const& id) {
        gapi::emulator::stored_message const* found = nullptr;
        google->with_state([&](emulator_state& s) {
            for (auto const& m : s.gmail.messages(email))
                if (m.id == id)
                    found = &m;
        });
        BOOST_TEST_REQUIRE(found != nullptr);
        return *found;
    }

    gapi_test::temp_dir dir;
    std::optional<gapi::emulator::emulator> google;
    asio::io_context ioc;
    std::optional<gapi::client> client;
    std::optional<gapi::gmail::gmail_service> gmail;
    std::optional<gapi::calendar::calendar_service> calendar;
};

bool has(std::vector<std::string> const& labels, std::string const& id) {
    return std::find(labels.begin(), labels.end(), id) != labels.end();
}

} // namespace

BOOST_AUTO_TEST_SUITE(generated_schemas)

BOOST_AUTO_TEST_CASE(fields_a_struct_does_not_name_are_kept_and_written_back) {
    auto const in = json::parse(R"({"id":"e1","summary":"Lunch","futureField":{"a":[1,2]},
        "start":{"dateTime":"2026-05-01T10:00:00Z","zoneInfo":"x"},"sequence":3})");
    auto const ev = json::value_to<v3::event>(in);
    BOOST_TEST(ev.id.value() == "e1");
    BOOST_TEST(ev.sequence.value() == 3);
    BOOST_TEST(ev.start->date_time.value() == "2026-05-01T10:00:00Z");
    BOOST_TEST(ev.other.contains("futureField"));
    BOOST_TEST(ev.start->other.contains("zoneInfo"));
    BOOST_TEST(!ev.end.has_value());
    BOOST_TEST(json::value_from(ev) == in);
}

BOOST_AUTO_TEST_CASE(int64_fields_google_sends_as_strings_read_as_integers_and_go_back_as_strings) {
    auto const in = json::parse(R"({"id":"m","historyId":"18446744073709551615","internalDate":"1767225600000",
        "sizeEstimate":1234,"labelIds":["INBOX","UNREAD"]})");
    auto const m = json::value_to<v1::message>(in);
    BOOST_TEST(m.history_id.value() == 18446744073709551615ull);
    BOOST_TEST(m.internal_date.value() == 1767225600000);
    BOOST_TEST(m.size_estimate.value() == 1234);
    BOOST_TEST(m.label_ids.size() == 2u);
    auto const out = json::value_from(m);
    BOOST_TEST(out.at("historyId") == "18446744073709551615");
    BOOST_TEST(out.at("internalDate") == "1767225600000");
    BOOST_TEST(out == in);
    // A number where Google writes a string is read too; text that is no number is refused.
    BOOST_TEST(json::value_to<v1::message>(json::parse(R"({"historyId":42})")).history_id.value() == 42u);
    BOOST_CHECK_THROW(json::value_to<v1::message>(json::parse(R"({"historyId":"4x2"})")), std::exception);
    BOOST_CHECK_THROW(json::value_to<v1::message>(json::parse(R"({"labelIds":"INBOX"})")), std::exception);
}

BOOST_AUTO_TEST_CASE(unset_fields_are_not_written) {
    v1::modify_message_request r;
    r.add_label_ids = {"STARRED"};
    BOOST_TEST(json::serialize(json::value_from(r)) == R"({"addLabelIds":["STARRED"]})");
    BOOST_TEST(json::serialize(json::value_from(v3::event{})) == "{}");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(generated_gmail_calls)

BOOST_AUTO_TEST_CASE(messages_modify_changes_the_stored_labels_and_refuses_an_unknown_label) {
    generated_fixture f;
    std::string id;
    f.run([&]() -> asio::awaitable<void> {
        auto const sent = co_await f.send("modify me");
        id = sent.id;
        v1::label wanted;
        wanted.name = "Projects";
        auto [lec, label] = co_await f.gmail->users().labels().create("me", wanted, use_tuple);
        BOOST_TEST_REQUIRE(!lec, lec.message());
        BOOST_TEST(label.id.value().starts_with("Label_"));

        v1::modify_message_request change;
        change.add_label_ids = {label.id.value(), "STARRED"};
        change.remove_label_ids = {"SENT"};
        auto [ec, m] = co_await f.gmail->users().messages().modify("me", id, change, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(m.id.value() == id);
        BOOST_TEST(has(m.label_ids, "STARRED"));
        BOOST_TEST(has(m.label_ids, label.id.value()));
        BOOST_TEST(!has(m.label_ids, "SENT"));

        v1::modify_message_request bad;
        bad.add_label_ids = {"Label_999"};
        auto [bec, unchanged] = co_await f.gmail->users().messages().modify("me", id, bad, use_tuple);
        BOOST_TEST(bec == gapi::condition::invalid_argument);
    }());
    auto const& m = f.stored("user1@example.com", id);
    BOOST_TEST(has(m.label_ids, "STARRED"));
    BOOST_TEST(!has(m.label_ids, "SENT"));
    BOOST_TEST(!has(m.label_ids, "Label_999"));
}

BOOST_AUTO_TEST_CASE(a_query_parameter_with_a_plus_arrives_as_written) {
    // In a query string a '+' unencoded reads as a space: "subject:a+b" would become the
    // two terms "subject:a" and "b", which both messages match.
    generated_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        auto const plus = co_await f.send("price a+b");
        co_await f.send("price a b");
        v1::users_messages_list_query query;
        query.q = "subject:a+b";
        auto [ec, listed] = co_await f.gmail->users().messages().list("me", query, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(listed.messages.size() == 1u);
        BOOST_TEST(listed.messages[0].id.value() == plus.id);
    }());
}

BOOST_AUTO_TEST_CASE(trash_untrash_and_batch_modify) {
    generated_fixture f;
    std::vector<std::string> ids;
    f.run([&]() -> asio::awaitable<void> {
        for (auto const* subject : {"one", "two", "three"})
            ids.push_back((co_await f.send(subject)).id);
        auto [tec, trashed] = co_await f.gmail->users().messages().trash("me", ids[0], use_tuple);
        BOOST_TEST_REQUIRE(!tec, tec.message());
        BOOST_TEST(has(trashed.label_ids, "TRASH"));
        BOOST_TEST(has(f.stored("user1@example.com", ids[0]).label_ids, "TRASH"));
        // Trashed messages leave the default list.
        auto [lec, listed] = co_await f.gmail->users().messages().list("me", use_tuple);
        BOOST_TEST_REQUIRE(!lec, lec.message());
        BOOST_TEST(listed.messages.size() == 2u);

        auto [uec, back] = co_await f.gmail->users().messages().untrash("me", ids[0], use_tuple);
        BOOST_TEST_REQUIRE(!uec, uec.message());
        BOOST_TEST(!has(back.label_ids, "TRASH"));

        v1::batch_modify_messages_request batch;
        batch.ids = ids;
        batch.add_label_ids = {"IMPORTANT"};
        auto [bec, done] = co_await f.gmail->users().messages().batch_modify("me", batch, use_tuple);
        BOOST_TEST_REQUIRE(!bec, bec.message());
        BOOST_TEST((done == gapi::no_content{}));
    }());
    for (auto const& id : ids) {
        BOOST_TEST(has(f.stored("user1@example.com", id).label_ids, "IMPORTANT"));
        BOOST_TEST(!has(f.stored("user1@example.com", id).label_ids, "TRASH"));
    }
}

BOOST_AUTO_TEST_CASE(delete_and_batch_delete_remove_messages_for_good) {
    generated_fixture f;
    std::vector<std::string> ids;
    f.run([&]() -> asio::awaitable<void> {
        for (auto const* subject : {"one", "two", "three"})
            ids.push_back((co_await f.send(subject)).id);
        auto [dec, none] = co_await f.gmail->users().messages().delete_("me", ids[0], use_tuple);
        BOOST_TEST_REQUIRE(!dec, dec.message());
        auto [gec, gone] = co_await f.gmail->users().messages().get("me", ids[0], use_tuple);
        BOOST_TEST(gec == gapi::condition::not_found);
        auto [again, ignored] = co_await f.gmail->users().messages().delete_("me", ids[0], use_tuple);
        BOOST_TEST(again == gapi::condition::not_found);

        v1::batch_delete_messages_request batch;
        batch.ids = {ids[1], ids[2]};
        auto [bec, done] = co_await f.gmail->users().messages().batch_delete("me", batch, use_tuple);
        BOOST_TEST_REQUIRE(!bec, bec.message());
        auto [lec, listed] = co_await f.gmail->users().messages().list("me", use_tuple);
        BOOST_TEST_REQUIRE(!lec, lec.message());
        BOOST_TEST(listed.messages.empty());

        // A draft's message is not deleted by batchDelete (drafts.delete removes drafts).
        v1::draft d;
        d.message.emplace().raw = gapi::emulator::encode_base64url("To: user2@example.com\r\nSubject: d\r\n\r\nx\r\n");
        auto [cec, created] = co_await f.gmail->users().drafts().create("me", d, use_tuple);
        BOOST_TEST_REQUIRE(!cec, cec.message());
        v1::batch_delete_messages_request drafts_message;
        drafts_message.ids = {created.message->id.value()};
        auto [ddec, ignored_draft] = co_await f.gmail->users().messages().batch_delete("me", drafts_message, use_tuple);
        BOOST_TEST_REQUIRE(!ddec, ddec.message());
        auto [gdec, still] = co_await f.gmail->users().drafts().get("me", created.id.value(), use_tuple);
        BOOST_TEST(!gdec, gdec.message());
    }());
    for (auto const& id : ids)
        BOOST_TEST(f.stored("user1@example.com", id).deleted);
}

BOOST_AUTO_TEST_CASE(attachments_get_returns_the_bytes_of_the_id_messages_get_gave) {
    generated_fixture f;
    std::string bytes;
    for (int i = 0; i < 3000; ++i)
        bytes.push_back(static_cast<char>(i * 13 % 256));
    f.run([&]() -> asio::awaitable<void> {
        auto const sent = co_await f.send("with attachment", bytes);
        v1::users_messages_get_query full;
        full.format = "full";
        auto [ec, m] = co_await f.gmail->users().messages().get("me", sent.id, full, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(m.payload.has_value());
        std::optional<v1::message_part> attachment;
        for (auto const& p : m.payload->parts)
            if (p.filename.value_or("") == "data.bin")
                attachment = p;
        BOOST_TEST_REQUIRE(attachment.has_value());
        auto const aid = attachment->body.value().attachment_id.value();
        BOOST_TEST(attachment->body->size.value() == 3000);

        auto [aec, body] = co_await f.gmail->users().messages().attachments().get("me", sent.id, aid, use_tuple);
        BOOST_TEST_REQUIRE(!aec, aec.message());
        BOOST_TEST(body.size.value() == 3000);
        auto const decoded = gapi::emulator::decode_base64_any(body.data.value());
        BOOST_TEST_REQUIRE(decoded.has_value());
        BOOST_TEST((*decoded == bytes));

        auto [bad, none] = co_await f.gmail->users().messages().attachments().get("me", sent.id, "ANGjdJbm9wZQ", use_tuple);
        BOOST_TEST(bad == gapi::condition::invalid_argument);
    }());
}

BOOST_AUTO_TEST_CASE(labels_get_and_delete_and_threads_get) {
    generated_fixture f;
    std::string label_id, id;
    f.run([&]() -> asio::awaitable<void> {
        auto const sent = co_await f.send("thread me");
        id = sent.id;
        v1::label wanted;
        wanted.name = "Receipts";
        wanted.label_list_visibility = "labelShow";
        auto [cec, created] = co_await f.gmail->users().labels().create("me", wanted, use_tuple);
        BOOST_TEST_REQUIRE(!cec, cec.message());
        label_id = created.id.value();
        auto [gec, got] = co_await f.gmail->users().labels().get("me", label_id, use_tuple);
        BOOST_TEST_REQUIRE(!gec, gec.message());
        BOOST_TEST(got.name.value() == "Receipts");
        BOOST_TEST(got.label_list_visibility.value() == "labelShow");
        BOOST_TEST(got.type.value() == "user");
        auto [sec, inbox] = co_await f.gmail->users().labels().get("me", "INBOX", use_tuple);
        BOOST_TEST(inbox.type.value_or("") == "system");

        v1::modify_message_request add;
        add.add_label_ids = {label_id};
        auto [mec, m] = co_await f.gmail->users().messages().modify("me", id, add, use_tuple);
        BOOST_TEST_REQUIRE(!mec, mec.message());
        auto [dec, none] = co_await f.gmail->users().labels().delete_("me", label_id, use_tuple);
        BOOST_TEST_REQUIRE(!dec, dec.message());
        auto [again, missing] = co_await f.gmail->users().labels().get("me", label_id, use_tuple);
        BOOST_TEST(again == gapi::condition::not_found);
        auto [system, refused] = co_await f.gmail->users().labels().delete_("me", "INBOX", use_tuple);
        BOOST_TEST(system == gapi::condition::invalid_argument);

        auto [tec, thread] = co_await f.gmail->users().threads().get("me", sent.thread_id, use_tuple);
        BOOST_TEST_REQUIRE(!tec, tec.message());
        BOOST_TEST(thread.id.value() == sent.thread_id);
        BOOST_TEST_REQUIRE(thread.messages.size() == 1u);
        BOOST_TEST(thread.messages[0].id.value() == id);
        BOOST_TEST(thread.history_id.value() > 0u);
    }());
    BOOST_TEST(!has(f.stored("user1@example.com", id).label_ids, label_id));
    f.google->with_state([&](emulator_state& s) {
        auto const labels = s.gmail.inspect_json("user1@example.com").at("labels").as_array();
        BOOST_TEST(labels.empty());
    });
}

BOOST_AUTO_TEST_CASE(a_method_the_emulator_does_not_serve_is_named_not_found) {
    generated_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        gapi::error_details why;
        auto const users = f.gmail->with({.details = &why}).users();
        auto [ec, none] = co_await users.settings().get_vacation("me", use_tuple);
        BOOST_TEST(ec == gapi::api_error::unexpected_status);
        BOOST_TEST(why.http_status == 501u);
        BOOST_TEST(why.message.find("does not emulate gmail.users.settings.getVacation") != std::string::npos);
        // A path no API has is still a plain 404.
        auto [nec, nothing] = co_await users.messages().get("me", "0000000000000000", use_tuple);
        BOOST_TEST(nec == gapi::condition::not_found);
    }());
    BOOST_TEST(f.google->counts().calls("gmail.users.settings.getVacation") == 1u);
}

BOOST_AUTO_TEST_CASE(threads_list_and_history_list_follow_the_mailbox) {
    gapi::emulator::emulator_options options;
    options.gmail.history_records = 4;
    generated_fixture f(options);
    f.run([&]() -> asio::awaitable<void> {
        auto [pec, profile] = co_await f.gmail->users().get_profile("me", use_tuple);
        BOOST_TEST_REQUIRE(!pec, pec.message());
        auto const start = profile.history_id.value();

        auto const first = co_await f.send("first");
        auto const second = co_await f.send("second");
        v1::modify_message_request star;
        star.add_label_ids = {"STARRED"};
        auto [mec, starred] = co_await f.gmail->users().messages().modify("me", first.id, star, use_tuple);
        BOOST_TEST_REQUIRE(!mec, mec.message());

        v1::users_history_list_query since;
        since.start_history_id = start;
        auto [hec, changes] = co_await f.gmail->users().history().list("me", since, use_tuple);
        BOOST_TEST_REQUIRE(!hec, hec.message());
        BOOST_TEST_REQUIRE(changes.history.size() == 3u);
        BOOST_TEST(changes.history[0].messages_added.at(0).message->id.value() == first.id);
        BOOST_TEST(changes.history[1].messages_added.at(0).message->id.value() == second.id);
        BOOST_TEST(changes.history[2].labels_added.at(0).label_ids == std::vector<std::string>{"STARRED"});
        BOOST_TEST(changes.history_id.value() > start);

        since.history_types = {"labelAdded"};
        auto [tec, labelled] = co_await f.gmail->users().history().list("me", since, use_tuple);
        BOOST_TEST_REQUIRE(!tec, tec.message());
        BOOST_TEST(labelled.history.size() == 1u);

        v1::users_threads_list_query all;
        auto [lec, threads] = co_await f.gmail->users().threads().list("me", all, use_tuple);
        BOOST_TEST_REQUIRE(!lec, lec.message());
        BOOST_TEST_REQUIRE(threads.threads.size() == 2u);
        BOOST_TEST(threads.threads[0].id.value() == second.thread_id); // newest first
        all.max_results = 1;
        auto [pgec, page] = co_await f.gmail->users().threads().list("me", all, use_tuple);
        BOOST_TEST(page.threads.size() == 1u);
        BOOST_TEST(page.next_page_token.has_value());

        // Two more changes push the first records out: their ids are now too old (404).
        for (auto const* subject : {"third", "fourth"})
            co_await f.send(subject);
        v1::users_history_list_query old;
        old.start_history_id = start;
        auto [oec, gone] = co_await f.gmail->users().history().list("me", old, use_tuple);
        BOOST_TEST(oec == gapi::condition::not_found);
    }());
}

BOOST_AUTO_TEST_CASE(threads_modify_trash_untrash_delete_and_labels_update_patch) {
    generated_fixture f;
    std::string first, other, label_id;
    f.run([&]() -> asio::awaitable<void> {
        auto const sent = co_await f.send("a thread");
        first = sent.id;
        other = (co_await f.send("another thread")).id;
        v1::modify_thread_request star;
        star.add_label_ids = {"STARRED"};
        auto [mec, thread] = co_await f.gmail->users().threads().modify("me", sent.thread_id, star, use_tuple);
        BOOST_TEST_REQUIRE(!mec, mec.message());
        BOOST_TEST_REQUIRE(thread.messages.size() == 1u);
        BOOST_TEST(has(thread.messages[0].label_ids, "STARRED"));
        auto [tec, trashed] = co_await f.gmail->users().threads().trash("me", sent.thread_id, use_tuple);
        BOOST_TEST_REQUIRE(!tec, tec.message());
        BOOST_TEST(has(f.stored("user1@example.com", first).label_ids, "TRASH"));
        auto [uec, back] = co_await f.gmail->users().threads().untrash("me", sent.thread_id, use_tuple);
        BOOST_TEST_REQUIRE(!uec, uec.message());
        BOOST_TEST(!has(f.stored("user1@example.com", first).label_ids, "TRASH"));
        auto [dec, none] = co_await f.gmail->users().threads().delete_("me", sent.thread_id, use_tuple);
        BOOST_TEST_REQUIRE(!dec, dec.message());
        auto [gec, gone] = co_await f.gmail->users().threads().get("me", sent.thread_id, use_tuple);
        BOOST_TEST(gec == gapi::condition::not_found);

        v1::label wanted;
        wanted.name = "Old name";
        wanted.message_list_visibility = "hide";
        auto [cec, created] = co_await f.gmail->users().labels().create("me", wanted, use_tuple);
        BOOST_TEST_REQUIRE(!cec, cec.message());
        label_id = created.id.value();
        v1::label rename;
        rename.name = "New name";
        auto [pec, patched] = co_await f.gmail->users().labels().patch("me", label_id, rename, use_tuple);
        BOOST_TEST_REQUIRE(!pec, pec.message());
        BOOST_TEST(patched.name.value() == "New name");
        BOOST_TEST(patched.message_list_visibility.value_or("") == "hide"); // patch keeps what it does not name
        v1::label replacement;
        replacement.name = "Replaced";
        auto [rec, replaced] = co_await f.gmail->users().labels().update("me", label_id, replacement, use_tuple);
        BOOST_TEST_REQUIRE(!rec, rec.message());
        BOOST_TEST(!replaced.message_list_visibility.has_value()); // update replaces the whole label
        v1::label system;
        system.name = "Mine now";
        auto [sec, refused] = co_await f.gmail->users().labels().update("me", "INBOX", system, use_tuple);
        BOOST_TEST(sec == gapi::condition::invalid_argument);
    }());
    BOOST_TEST(f.stored("user1@example.com", first).deleted);
    BOOST_TEST(!f.stored("user1@example.com", other).deleted);
    f.google->with_state([&](emulator_state& s) {
        auto const labels = s.gmail.inspect_json("user1@example.com").at("labels").as_array();
        BOOST_TEST_REQUIRE(labels.size() == 1u);
        BOOST_TEST(labels[0].at("name") == "Replaced");
    });
}

BOOST_AUTO_TEST_CASE(send_as_watch_and_stop) {
    generated_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        auto [lec, aliases] = co_await f.gmail->users().settings().send_as().list("me", use_tuple);
        BOOST_TEST_REQUIRE(!lec, lec.message());
        BOOST_TEST_REQUIRE(aliases.send_as.size() == 1u);
        BOOST_TEST(aliases.send_as[0].send_as_email.value() == "user1@example.com");
        BOOST_TEST(aliases.send_as[0].is_primary.value());
        auto [gec, alias] = co_await f.gmail->users().settings().send_as().get("me", "user1@example.com", use_tuple);
        BOOST_TEST_REQUIRE(!gec, gec.message());
        auto [nec, none] = co_await f.gmail->users().settings().send_as().get("me", "other@example.com", use_tuple);
        BOOST_TEST(nec == gapi::condition::not_found);

        v1::watch_request w;
        w.topic_name = "projects/demo/topics/mail";
        w.label_ids = {"INBOX"};
        auto [wec, watching] = co_await f.gmail->users().watch("me", w, use_tuple);
        BOOST_TEST_REQUIRE(!wec, wec.message());
        BOOST_TEST(watching.expiration.value() > 0);
        f.google->with_state([&](emulator_state& s) {
            BOOST_TEST(s.gmail.inspect_json("user1@example.com").at("watches") == json::array{"projects/demo/topics/mail"});
        });
        auto [sec, stopped] = co_await f.gmail->users().stop("me", use_tuple);
        BOOST_TEST_REQUIRE(!sec, sec.message());
    }());
    f.google->with_state([&](emulator_state& s) {
        BOOST_TEST(s.gmail.inspect_json("user1@example.com").at("watches").as_array().empty());
    });
}

BOOST_AUTO_TEST_CASE(messages_insert_and_import_store_into_this_mailbox_only) {
    generated_fixture f;
    std::string inserted_id, imported_id;
    std::string const raw = "From: someone@elsewhere.example\r\nTo: user1@example.com\r\nSubject: archived\r\n\r\nOld mail.\r\n";
    f.run([&]() -> asio::awaitable<void> {
        v1::message m;
        m.raw = gapi::emulator::encode_base64url(raw);
        m.label_ids = {"INBOX", "UNREAD"};
        auto [iec, inserted] = co_await f.gmail->users().messages().insert("me", m, use_tuple);
        BOOST_TEST_REQUIRE(!iec, iec.message());
        inserted_id = inserted.id.value();
        BOOST_TEST(has(inserted.label_ids, "UNREAD"));

        v1::message metadata;
        metadata.label_ids = {"INBOX"};
        gapi::media_upload media{"message/rfc822", raw};
        auto [mec, imported] = co_await f.gmail->users().messages().import_upload("me", metadata, media, use_tuple);
        BOOST_TEST_REQUIRE(!mec, mec.message());
        imported_id = imported.id.value();

        v1::message bad;
        bad.raw = gapi::emulator::encode_base64url(raw);
        bad.label_ids = {"Label_404"};
        auto [bec, refused] = co_await f.gmail->users().messages().insert("me", bad, use_tuple);
        BOOST_TEST(bec == gapi::condition::invalid_argument);
    }());
    auto const& a = f.stored("user1@example.com", inserted_id);
    BOOST_TEST(a.subject == "archived");
    BOOST_TEST(a.raw == raw);
    BOOST_TEST(a.upload_type == "json");
    auto const& b = f.stored("user1@example.com", imported_id);
    BOOST_TEST(b.upload_type == "multipart");
    BOOST_TEST((b.label_ids == std::vector<std::string>{"INBOX"}));
    f.google->with_state([&](emulator_state& s) {
        BOOST_TEST(s.gmail.messages("user1@example.com").size() == 2u); // no delivery, no SENT copy
    });
}

BOOST_AUTO_TEST_CASE(drafts_update_replaces_the_draft_message_as_json_or_upload) {
    generated_fixture f;
    std::string draft_id;
    f.run([&]() -> asio::awaitable<void> {
        v1::draft d;
        d.message.emplace().raw =
            gapi::emulator::encode_base64url("To: user2@example.com\r\nSubject: first\r\n\r\nv1\r\n");
        auto [cec, created] = co_await f.gmail->users().drafts().create("me", d, use_tuple);
        BOOST_TEST_REQUIRE(!cec, cec.message());
        draft_id = created.id.value();
        d.message->raw = gapi::emulator::encode_base64url("To: user2@example.com\r\nSubject: second\r\n\r\nv2\r\n");
        auto [uec, updated] = co_await f.gmail->users().drafts().update("me", draft_id, d, use_tuple);
        BOOST_TEST_REQUIRE(!uec, uec.message());
        BOOST_TEST(updated.id.value() == draft_id);
        BOOST_TEST(updated.message->thread_id.value() == created.message->thread_id.value());

        v1::draft metadata;
        gapi::media_upload media{"message/rfc822", "To: user2@example.com\r\nSubject: third\r\n\r\nv3\r\n"};
        auto [mec, uploaded] = co_await f.gmail->users().drafts().update_upload("me", draft_id, metadata, media, use_tuple);
        BOOST_TEST_REQUIRE(!mec, mec.message());
        auto [nec, none] = co_await f.gmail->users().drafts().update("me", "r404", d, use_tuple);
        BOOST_TEST(nec == gapi::condition::not_found);
    }());
    f.google->with_state([&](emulator_state& s) {
        auto const drafts = s.gmail.drafts("user1@example.com");
        BOOST_TEST_REQUIRE(drafts.size() == 1u);
        BOOST_TEST(drafts[0].first == draft_id);
        BOOST_TEST(drafts[0].second.subject == "third");
        BOOST_TEST(drafts[0].second.upload_type == "multipart");
    });
}

BOOST_AUTO_TEST_CASE(a_media_upload_sends_the_message_as_multipart) {
    generated_fixture f;
    std::string id;
    f.run([&]() -> asio::awaitable<void> {
        gapi::media_upload media{"message/rfc822",
                                 "From: user1@example.com\r\nTo: user2@example.com\r\nSubject: uploaded\r\n\r\nHi.\r\n"};
        v1::message metadata;
        auto [ec, sent] = co_await f.gmail->users().messages().send_upload("me", metadata, media, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        id = sent.id.value();
    }());
    auto const& m = f.stored("user1@example.com", id);
    BOOST_TEST(m.subject == "uploaded");
    BOOST_TEST(m.upload_type == "multipart");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(generated_calendar_calls)

BOOST_AUTO_TEST_CASE(a_time_bound_with_a_positive_offset_arrives_as_written) {
    // "+01:00" with its '+' unencoded reads as " 01:00", which is no time: Google refuses it.
    generated_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        v3::event ev;
        ev.summary = "At 09:30 UTC";
        ev.start.emplace().date_time = "2026-12-05T09:30:00Z";
        ev.end.emplace().date_time = "2026-12-05T09:45:00Z";
        auto [iec, inserted] = co_await f.calendar->events().insert("primary", ev, use_tuple);
        BOOST_TEST_REQUIRE(!iec, iec.message());
        v3::events_list_query query;
        query.time_min = "2026-12-05T10:00:00+01:00"; // 09:00 UTC
        query.time_max = "2026-12-05T11:00:00+01:00"; // 10:00 UTC
        auto [ec, page] = co_await f.calendar->events().list("primary", query, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST_REQUIRE(page.items.size() == 1u);
        BOOST_TEST(page.items[0].id.value() == inserted.id.value());
        query.time_min = "2026-12-05T11:00:00+01:00"; // 10:00 UTC: after it
        query.time_max = "2026-12-05T12:00:00+01:00";
        std::tie(ec, page) = co_await f.calendar->events().list("primary", query, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(page.items.empty());
    }());
}

BOOST_AUTO_TEST_CASE(calendars_insert_get_clear_and_delete) {
    generated_fixture f;
    std::string id;
    f.run([&]() -> asio::awaitable<void> {
        v3::calendar wanted;
        wanted.summary = "Team rota";
        wanted.time_zone = "Europe/Athens";
        auto [ec, created] = co_await f.calendar->calendars().insert(wanted, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        id = created.id.value();
        BOOST_TEST(id.ends_with("@group.calendar.google.com"));
        BOOST_TEST(created.summary.value() == "Team rota");

        auto [gec, got] = co_await f.calendar->calendars().get(id, use_tuple);
        BOOST_TEST_REQUIRE(!gec, gec.message());
        BOOST_TEST(got.time_zone.value() == "Europe/Athens");

        v3::calendar untitled;
        auto [tec, none] = co_await f.calendar->calendars().insert(untitled, use_tuple);
        BOOST_TEST(tec == gapi::condition::invalid_argument);

        // An event in the new calendar, through the generated events.insert.
        v3::event ev;
        ev.summary = "Shift";
        ev.start.emplace().date_time = "2026-12-10T09:00:00Z";
        ev.end.emplace().date_time = "2026-12-10T17:00:00Z";
        auto [iec, inserted] = co_await f.calendar->events().insert(id, ev, use_tuple);
        BOOST_TEST_REQUIRE(!iec, iec.message());
        BOOST_TEST(inserted.summary.value() == "Shift");
        f.google->with_state([&](emulator_state& s) { BOOST_TEST(s.calendar.events(id, false).size() == 1u); });

        auto [cec, cleared] = co_await f.calendar->calendars().clear(id, use_tuple);
        BOOST_TEST_REQUIRE(!cec, cec.message());
        f.google->with_state([&](emulator_state& s) { BOOST_TEST(s.calendar.events(id, false).empty()); });

        auto [pec, refused] = co_await f.calendar->calendars().delete_("primary", use_tuple);
        BOOST_TEST(pec == gapi::condition::invalid_argument);
        auto [dec, deleted] = co_await f.calendar->calendars().delete_(id, use_tuple);
        BOOST_TEST_REQUIRE(!dec, dec.message());
        auto [again, missing] = co_await f.calendar->calendars().get(id, use_tuple);
        BOOST_TEST(again == gapi::condition::not_found);
    }());
    f.google->with_state([&](emulator_state& s) {
        auto const ids = s.calendar.calendar_ids();
        BOOST_TEST((std::find(ids.begin(), ids.end(), id) == ids.end()));
    });
}

namespace {

// Inserts a recurring event through the generated events.insert; returns its id.
asio::awaitable<std::string> insert_recurring(generated_fixture& f, std::string start, std::string end,
                                              std::vector<std::string> recurrence, bool all_day = false) {
    // (parameters by value: the coroutine frame keeps its own copies)
    v3::event ev;
    ev.summary = "Recurring";
    if (all_day) {
        ev.start.emplace().date = std::move(start);
        ev.end.emplace().date = std::move(end);
    } else {
        ev.start.emplace().date_time = std::move(start);
        ev.end.emplace().date_time = std::move(end);
    }
    ev.recurrence = std::move(recurrence);
    auto [ec, inserted] = co_await f.calendar->events().insert("primary", ev, use_tuple);
    BOOST_TEST_REQUIRE(!ec, ec.message());
    co_return inserted.id.value();
}

// The start of each instance, as written.
asio::awaitable<std::vector<std::string>> instance_starts(generated_fixture& f, std::string const& id,
                                                          v3::events_instances_query const& query) {
    auto [ec, page] = co_await f.calendar->events().instances("primary", id, query, use_tuple);
    BOOST_TEST_REQUIRE(!ec, ec.message());
    std::vector<std::string> starts;
    for (auto const& e : page.items) {
        BOOST_TEST(e.recurring_event_id.value() == id);
        BOOST_TEST(!e.recurrence.size());
        starts.push_back(e.start->date_time ? *e.start->date_time : e.start->date.value());
    }
    co_return starts;
}

void expect_starts(std::vector<std::string> const& got, std::vector<std::string> const& want) {
    BOOST_TEST(got == want, boost::test_tools::per_element());
}

} // namespace

BOOST_AUTO_TEST_CASE(events_instances_expand_daily_weekly_and_monthly_rules) {
    // Everything the coroutine uses is made out here: GCC 12 miscompiles braced lists there.
    using strings = std::vector<std::string>;
    strings const daily_rule{"RRULE:FREQ=DAILY;INTERVAL=2;COUNT=4", "EXDATE:20261203T070000Z"};
    strings const daily{"2026-12-01T09:00:00+02:00", "2026-12-05T09:00:00+02:00", "2026-12-07T09:00:00+02:00"};
    strings const weekly_rule{"RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261216T235959Z"};
    strings const weekly{"2026-12-02T18:00:00Z", "2026-12-07T18:00:00Z", "2026-12-09T18:00:00Z",
                         "2026-12-14T18:00:00Z", "2026-12-16T18:00:00Z"};
    strings const last_friday_rule{"RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"};
    strings const last_fridays{"2026-12-25", "2027-01-29", "2027-02-26"};
    strings const monthly_rule{"RRULE:FREQ=MONTHLY;COUNT=4"};
    strings const monthly{"2026-12-31T08:00:00Z", "2027-01-31T08:00:00Z", "2027-03-31T08:00:00Z",
                          "2027-05-31T08:00:00Z"};
    strings const in_window{"2027-01-31T08:00:00Z", "2027-03-31T08:00:00Z"};
    strings const yearly_rule{"RRULE:FREQ=YEARLY"};
    strings const open_daily_rule{"RRULE:FREQ=DAILY"};
    v3::events_instances_query const all;
    v3::events_instances_query window;
    window.time_min = "2027-01-01T00:00:00Z";
    window.time_max = "2027-04-01T00:00:00Z";
    generated_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        // DAILY, INTERVAL=2, COUNT=4, one EXDATE: three instances.
        auto id = co_await insert_recurring(f, "2026-12-01T09:00:00+02:00", "2026-12-01T10:00:00+02:00", daily_rule);
        auto got = co_await instance_starts(f, id, all);
        expect_starts(got, daily);
        // WEEKLY on Monday and Wednesday, from a Wednesday until 2026-12-16 (inclusive).
        id = co_await insert_recurring(f, "2026-12-02T18:00:00Z", "2026-12-02T19:00:00Z", weekly_rule);
        got = co_await instance_starts(f, id, all);
        expect_starts(got, weekly);
        // MONTHLY on the last Friday, three times; all-day.
        id = co_await insert_recurring(f, "2026-12-25", "2026-12-26", last_friday_rule, true);
        got = co_await instance_starts(f, id, all);
        expect_starts(got, last_fridays);
        // MONTHLY on the 31st skips the months without one; timeMin/timeMax select a window.
        id = co_await insert_recurring(f, "2026-12-31T08:00:00Z", "2026-12-31T08:30:00Z", monthly_rule);
        got = co_await instance_starts(f, id, all);
        expect_starts(got, monthly);
        got = co_await instance_starts(f, id, window);
        expect_starts(got, in_window);

        auto [nec, none] = co_await f.calendar->events().instances("primary", "nosuchevent", use_tuple);
        BOOST_TEST(nec == gapi::condition::not_found);

        // A rule the emulator does not expand is a 501 that says so, never a wrong answer.
        id = co_await insert_recurring(f, "2026-12-31", "2027-01-01", yearly_rule, true);
        auto [yec, yearly] = co_await f.calendar->events().instances("primary", id, use_tuple);
        BOOST_TEST(yec == gapi::api_error::unexpected_status);
        // An open-ended rule started long ago still answers for a window today.
        id = co_await insert_recurring(f, "2010-01-01T06:00:00Z", "2010-01-01T06:30:00Z", open_daily_rule);
        got = co_await instance_starts(f, id, window);
        BOOST_TEST(got.size() == 90u); // 2027-01-01 to 2027-03-31
        if (!got.empty())
            BOOST_TEST(got.front() == "2027-01-01T06:00:00Z");
    }());
}

BOOST_AUTO_TEST_CASE(events_watch_opens_a_channel_and_channels_stop_closes_it) {
    generated_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        v3::channel wanted;
        wanted.id = "channel-1";
        wanted.type = "web_hook";
        wanted.address = "https://example.com/notify";
        auto [ec, channel] = co_await f.calendar->events().watch("primary", wanted, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(channel.id.value() == "channel-1");
        BOOST_TEST(!channel.resource_id.value().empty());
        BOOST_TEST(channel.expiration.value() > 0);
        f.google->with_state([&](emulator_state& s) {
            auto const channels = s.calendar.inspect_json().at("channels").as_array();
            BOOST_TEST_REQUIRE(channels.size() == 1u);
            BOOST_TEST(channels[0].at("address") == "https://example.com/notify");
        });
        auto [dup, again] = co_await f.calendar->events().watch("primary", wanted, use_tuple);
        BOOST_TEST(dup == gapi::condition::invalid_argument);

        auto [sec, stopped] = co_await f.calendar->channels().stop(channel, use_tuple);
        BOOST_TEST_REQUIRE(!sec, sec.message());
        auto [twice, gone] = co_await f.calendar->channels().stop(channel, use_tuple);
        BOOST_TEST(twice == gapi::condition::not_found);
    }());
    f.google->with_state([&](emulator_state& s) {
        BOOST_TEST(s.calendar.inspect_json().at("channels").as_array().empty());
    });
}

BOOST_AUTO_TEST_CASE(calendars_patch_update_calendar_list_acl_colors_and_settings) {
    generated_fixture f;
    std::string id;
    f.run([&]() -> asio::awaitable<void> {
        v3::calendar wanted;
        wanted.summary = "Shared";
        auto [ec, created] = co_await f.calendar->calendars().insert(wanted, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        id = created.id.value();
        v3::calendar change;
        change.description = "For the team";
        auto [pec, patched] = co_await f.calendar->calendars().patch(id, change, use_tuple);
        BOOST_TEST_REQUIRE(!pec, pec.message());
        BOOST_TEST(patched.summary.value() == "Shared"); // patch keeps what it does not name
        BOOST_TEST(patched.description.value() == "For the team");
        v3::calendar replacement;
        replacement.summary = "Renamed";
        auto [uec, updated] = co_await f.calendar->calendars().update(id, replacement, use_tuple);
        BOOST_TEST_REQUIRE(!uec, uec.message());
        BOOST_TEST(!updated.description.has_value());

        auto [lec, entry] = co_await f.calendar->calendar_list().get(id, use_tuple);
        BOOST_TEST_REQUIRE(!lec, lec.message());
        BOOST_TEST(entry.access_role.value() == "owner");
        BOOST_TEST(entry.summary.value() == "Renamed");
        v3::calendar_list_entry colour;
        colour.color_id = "7";
        auto [cec, coloured] = co_await f.calendar->calendar_list().patch(id, colour, use_tuple);
        BOOST_TEST_REQUIRE(!cec, cec.message());
        BOOST_TEST(coloured.background_color.value() == "#42d692");

        // Sharing with user2 puts the calendar in user2's list; deleting the rule takes it out.
        v3::acl_rule rule;
        rule.role = "reader";
        rule.scope.emplace().type = "user";
        rule.scope->value = "user2@example.com";
        auto [aec, added] = co_await f.calendar->acl().insert(id, rule, use_tuple);
        BOOST_TEST_REQUIRE(!aec, aec.message());
        BOOST_TEST(added.id.value() == "user:user2@example.com");
        auto [alec, rules] = co_await f.calendar->acl().list(id, use_tuple);
        BOOST_TEST_REQUIRE(!alec, alec.message());
        BOOST_TEST(rules.items.size() == 2u); // the owner's and user2's
        f.google->with_state([&](emulator_state& s) {
            auto const lists = s.calendar.inspect_json().at("calendarLists").as_object();
            BOOST_TEST(lists.at("user2@example.com").as_array().size() == 2u);
        });
        auto [adec, none] = co_await f.calendar->acl().delete_(id, "user:user2@example.com", use_tuple);
        BOOST_TEST_REQUIRE(!adec, adec.message());

        auto [rec, removed] = co_await f.calendar->calendar_list().delete_(id, use_tuple);
        BOOST_TEST_REQUIRE(!rec, rec.message());
        auto [gone, missing] = co_await f.calendar->calendar_list().get(id, use_tuple);
        BOOST_TEST(gone == gapi::condition::not_found);
        v3::calendar_list_entry back;
        back.id = id;
        auto [iec, readded] = co_await f.calendar->calendar_list().insert(back, use_tuple);
        BOOST_TEST_REQUIRE(!iec, iec.message());
        BOOST_TEST(readded.access_role.value() == "owner");

        auto [colec, colors] = co_await f.calendar->colors().get(use_tuple);
        BOOST_TEST_REQUIRE(!colec, colec.message());
        BOOST_TEST(colors.calendar.size() == 24u);
        BOOST_TEST(colors.event.size() == 11u);
        BOOST_TEST(colors.calendar.at("14").background.value() == "#9fe1e7");

        auto [sec, settings] = co_await f.calendar->settings().list(use_tuple);
        BOOST_TEST_REQUIRE(!sec, sec.message());
        BOOST_TEST(settings.items.size() >= 10u);
        auto [zec, zone] = co_await f.calendar->settings().get("timezone", use_tuple);
        BOOST_TEST_REQUIRE(!zec, zec.message());
        BOOST_TEST(zone.value.value() == "UTC");
    }());
    f.google->with_state([&](emulator_state& s) {
        auto const lists = s.calendar.inspect_json().at("calendarLists").as_object();
        BOOST_TEST(lists.at("user2@example.com").as_array().size() == 1u);
    });
}

BOOST_AUTO_TEST_CASE(events_move_quick_add_and_import) {
    generated_fixture f;
    std::string other, moved_id, uid_event;
    f.run([&]() -> asio::awaitable<void> {
        v3::calendar wanted;
        wanted.summary = "Elsewhere";
        auto [ec, created] = co_await f.calendar->calendars().insert(wanted, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        other = created.id.value();

        auto [qec, quick] = co_await f.calendar->events().quick_add("primary", "Lunch with Ana", use_tuple);
        BOOST_TEST_REQUIRE(!qec, qec.message());
        BOOST_TEST(quick.summary.value() == "Lunch with Ana");
        moved_id = quick.id.value();

        auto [mec, moved] = co_await f.calendar->events().move("primary", moved_id, other, use_tuple);
        BOOST_TEST_REQUIRE(!mec, mec.message());
        BOOST_TEST(moved.organizer->email.value() == other);

        v3::event imported;
        imported.i_cal_uid = "meeting-42@example.com";
        imported.summary = "Imported";
        imported.start.emplace().date_time = "2026-12-20T10:00:00Z";
        imported.end.emplace().date_time = "2026-12-20T11:00:00Z";
        auto [iec, first] = co_await f.calendar->events().import_("primary", imported, use_tuple);
        BOOST_TEST_REQUIRE(!iec, iec.message());
        uid_event = first.id.value();
        imported.summary = "Imported again";
        auto [agec, again] = co_await f.calendar->events().import_("primary", imported, use_tuple);
        BOOST_TEST_REQUIRE(!agec, agec.message());
        BOOST_TEST(again.id.value() == uid_event); // the same iCalUID updates, never duplicates
    }());
    f.google->with_state([&](emulator_state& s) {
        BOOST_TEST(s.calendar.events(other, false).size() == 1u);
        auto const primary = s.calendar.events("user1@example.com", false);
        BOOST_TEST_REQUIRE(primary.size() == 1u); // the moved event left; the import is there once
        BOOST_TEST(primary[0].at("summary") == "Imported again");
    });
}

BOOST_AUTO_TEST_CASE(events_insert_is_retried_after_a_lost_answer_only_with_its_own_id) {
    gapi::emulator::emulator_options options;
    options.faults = "calendar.events.insert:ambiguous=1,first=2"; // acted on, then the answer is lost
    generated_fixture f(std::move(options));
    auto stored = [&] {
        std::size_t n = 0;
        f.google->with_state([&](emulator_state& s) { n = s.calendar.events("user1@example.com", false).size(); });
        return n;
    };
    auto const before = stored();
    f.run([&]() -> asio::awaitable<void> {
        v3::event e;
        e.summary = "Without an id";
        e.start.emplace().date_time = "2026-12-21T10:00:00Z";
        e.end.emplace().date_time = "2026-12-21T11:00:00Z";
        // Not idempotent: after the lost answer gapi cannot know, so it reports rather than
        // make a second event.
        auto [ec, made] = co_await f.calendar->events().insert("primary", e, use_tuple);
        BOOST_TEST(ec, "the lost answer is reported");
        BOOST_TEST(stored() == before + 1);
        // With its own id, a retry is safe: it meets Google's 409 and the event exists once.
        e.id = "abcdef0123456789"; // base32hex, as Google requires
        e.summary = "With an id";
        std::tie(ec, made) = co_await f.calendar->events().insert("primary", e, use_tuple);
        BOOST_TEST(ec == gapi::api_error::conflict, ec.message());
        BOOST_TEST(stored() == before + 2);
    }());
    BOOST_TEST(f.google->counts().calls("calendar.events.insert") == 3u); // once, then twice
}

BOOST_AUTO_TEST_CASE(an_unemulated_calendar_method_says_so) {
    generated_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        gapi::error_details why;
        v3::channel const channel;
        auto const settings = f.calendar->with({.details = &why}).settings();
        auto [ec, watching] = co_await settings.watch(channel, use_tuple);
        BOOST_TEST(why.http_status == 501u);
        BOOST_TEST(why.message.find("calendar.settings.watch") != std::string::npos);
    }());
}

BOOST_AUTO_TEST_SUITE_END()
