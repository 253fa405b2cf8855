// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The Calendar service through the public API against the emulator (a fixture of 200
// calendars x 500 events), asserting against what the emulator stores.
#include "../support/run.hpp"

#include <gapi/calendar/calendar_service.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/api.hpp>
#include <gapi/emulator/emulator.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

namespace asio = boost::asio;
namespace cal = gapi::calendar;
using gapi::error_code;
using gapi::emulator::emulator_options;
using gapi::emulator::emulator_state;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// GCC 12 destroys an aggregate temporary in a co_await expression twice, so queries and
// events are named before they are passed (see the README).

namespace {

std::string fixture_id(std::size_t i) {
    char id[64];
    std::snprintf(id, sizeof id, "fixture-%04zu@group.calendar.google.com", i);
    return id;
}

std::vector<std::string> fixture_ids(std::size_t n) {
    std::vector<std::string> ids;
    for (std::size_t i = 1; i <= n; ++i)
        ids.push_back(fixture_id(i));
    return ids;
}

struct calendar_fixture {
    explicit calendar_fixture(emulator_options options = {.quota = {.enabled = false},
                                                          .calendar = {.calendars = 200, .events_per_calendar = 500}},
                              cal::calendar_options calendar_options = {}, gapi::client_options client_options = {}) {
        options.state_dir = dir.path();
        // Against an emulator without quotas, the client does not pace itself either.
        if (!options.quota.enabled)
            client_options.pacing.enabled = false;
        google.emplace(std::move(options));
        google->start();
        client_options.endpoints.calendar = google->base_url();
        client.emplace(ioc.get_executor(), gapi::auth::credentials::from_file(dir.file("token.json")), client_options);
        calendar.emplace(*client, std::move(calendar_options));
    }

    template <class A>
    void run(A test, std::chrono::seconds limit = std::chrono::seconds(120)) {
        gapi_test::run(ioc, std::move(test), limit);
    }

    std::vector<boost::json::object> stored(std::string const& id, bool include_deleted = false) {
        return google->with_state([&](emulator_state& s) { return s.calendar.events(id, include_deleted); });
    }

    gapi_test::temp_dir dir;
    std::optional<gapi::emulator::emulator> google;
    asio::io_context ioc;
    std::optional<gapi::client> client;
    std::optional<cal::calendar_service> calendar;
};

std::string id_of(boost::json::object const& o) { return std::string(o.at("id").as_string()); }

// The emulator's reading of an event time: a date is midnight UTC.
cal::time_point instant_of(boost::json::object const& event, char const* which) {
    auto const& t = event.at(which).as_object();
    if (auto const* d = t.if_contains("date"))
        return *cal::parse_date(d->as_string());
    return *cal::parse_rfc3339(t.at("dateTime").as_string());
}

cal::time_point start_of(cal::event const& e) {
    return e.start.all_day() ? cal::time_point(*e.start.day()) : *e.start.instant();
}

cal::event timed(std::string summary, cal::time_point start, std::chrono::minutes length) {
    cal::event e;
    e.summary = std::move(summary);
    e.start = cal::event_time::at(start);
    e.end = cal::event_time::at(start + length);
    return e;
}

// Whether `got` is what upcoming_events must answer for a calendar holding `stored`: the
// `count` earliest starts among the events that end after the call's "now" (Google's
// timeMin excludes an event that ends exactly then). The caller knows "now" only as lying
// within [earliest, latest], so `got` must be the truth for some moment of that span;
// between two event ends the truth stays the same, so the moments worth trying are
// `earliest` and every end inside the span.
bool is_upcoming_at_some_moment(std::vector<boost::json::object> const& stored, std::vector<cal::event> const& got,
                                cal::time_point earliest, cal::time_point latest, std::size_t count) {
    std::vector<cal::time_point> moments{earliest};
    for (auto const& e : stored)
        if (auto const end = instant_of(e, "end"); end > earliest && end <= latest)
            moments.push_back(end);
    std::vector<cal::time_point> got_starts;
    for (auto const& e : got)
        got_starts.push_back(start_of(e));
    for (auto const now : moments) {
        std::vector<cal::time_point> starts;
        for (auto const& e : stored)
            if (instant_of(e, "end") > now)
                starts.push_back(instant_of(e, "start"));
        std::sort(starts.begin(), starts.end());
        starts.resize(std::min(starts.size(), count));
        if (starts == got_starts)
            return true;
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(calendar_service_tests)

BOOST_AUTO_TEST_CASE(paging_returns_every_event_once_in_the_requested_order) {
    calendar_fixture f;
    for (std::size_t n : {1u, 77u, 200u}) {
        auto const id = fixture_id(n);
        auto const truth = f.stored(id);
        BOOST_TEST_REQUIRE(truth.size() == 500u);
        std::set<std::string> expected;
        for (auto const& e : truth)
            expected.insert(id_of(e));

        f.run([&]() -> asio::awaitable<void> {
            // By start time, 37 to a page, one page at a time.
            cal::event_query q{.max_results = 37, .single_events = true, .order = cal::order_by::start_time};
            std::vector<cal::event> all;
            std::size_t pages = 0;
            for (;;) {
                auto [ec, page] = co_await f.calendar->list_events(id, q, use_tuple);
                BOOST_TEST_REQUIRE(!ec, ec.message());
                BOOST_TEST(page.items.size() <= 37u);
                ++pages;
                all.insert(all.end(), page.items.begin(), page.items.end());
                if (page.next_page_token.empty()) {
                    BOOST_TEST(!page.next_sync_token.empty());
                    break;
                }
                q.page_token = page.next_page_token;
            }
            BOOST_TEST(pages == (500u + 36u) / 37u);
            std::multiset<std::string> seen;
            for (auto const& e : all)
                seen.insert(e.id);
            BOOST_TEST(seen.size() == 500u);
            BOOST_TEST((std::set<std::string>(seen.begin(), seen.end()) == expected));
            BOOST_TEST(std::is_sorted(all.begin(), all.end(),
                                      [](auto const& a, auto const& b) { return start_of(a) < start_of(b); }));

            // By last modification, all pages at once.
            cal::event_query const updated{.max_results = 100, .order = cal::order_by::updated};
            auto [ec, by_updated] = co_await f.calendar->list_all_events(id, updated, use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
            BOOST_TEST(by_updated.items.size() == 500u);
            BOOST_TEST(std::is_sorted(by_updated.items.begin(), by_updated.items.end(),
                                      [](auto const& a, auto const& b) {
                                          return *cal::parse_rfc3339(a.updated) < *cal::parse_rfc3339(b.updated);
                                      }));
            std::set<std::string> ids;
            for (auto const& e : by_updated.items)
                ids.insert(e.id);
            BOOST_TEST((ids == expected));
        }());
    }

    // A time window returns exactly the events that overlap it.
    auto const id = fixture_id(5);
    auto const now = std::chrono::system_clock::now();
    auto const min = std::chrono::floor<std::chrono::seconds>(now), max = min + std::chrono::days(7);
    std::set<std::string> expected;
    for (auto const& e : f.stored(id))
        if (instant_of(e, "end") > min && instant_of(e, "start") < max)
            expected.insert(id_of(e));
    f.run([&]() -> asio::awaitable<void> {
        cal::event_query const week{.time_min = min, .time_max = max, .max_results = 50, .single_events = true};
        auto [ec, window] = co_await f.calendar->list_all_events(id, week, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        std::set<std::string> got;
        for (auto const& e : window.items)
            got.insert(e.id);
        BOOST_TEST(got.size() == window.items.size());
        BOOST_TEST((got == expected));
    }());
}

BOOST_AUTO_TEST_CASE(incremental_sync_sees_inserts_changes_and_deletes_and_recovers_from_a_stale_token) {
    calendar_fixture f;
    auto const id = fixture_id(3);
    f.run([&]() -> asio::awaitable<void> {
        auto& calendar = *f.calendar;
        cal::event_query const full_query{.max_results = 250};
        auto [ec, full] = co_await calendar.sync_events(id, {}, full_query, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(full.full);
        BOOST_TEST(full.events.size() == 500u);
        BOOST_TEST_REQUIRE(!full.next_sync_token.empty());

        // Nothing changed: an empty incremental sync.
        auto [nec, nothing] = co_await calendar.sync_events(id, full.next_sync_token, full_query, use_tuple);
        BOOST_TEST_REQUIRE(!nec, nec.message());
        BOOST_TEST(!nothing.full);
        BOOST_TEST(nothing.events.empty());

        auto const now = std::chrono::system_clock::now();
        auto added = timed("Added after the sync", now + std::chrono::hours(2), std::chrono::minutes(30));
        added.id = cal::new_event_id();
        auto [iec, inserted] = co_await calendar.insert_event(id, added, cal::send_updates::none, use_tuple);
        BOOST_TEST_REQUIRE(!iec, iec.message());
        BOOST_TEST(inserted.id == added.id);

        auto const changed_id = full.events[10].id;
        boost::json::object const change{{"summary", "Changed after the sync"}};
        auto [pec, patched] = co_await calendar.patch_event(id, changed_id, change, {}, use_tuple);
        BOOST_TEST_REQUIRE(!pec, pec.message());
        BOOST_TEST(patched.summary == "Changed after the sync");

        auto const deleted_id = full.events[20].id;
        auto [dec, deleted] = co_await calendar.delete_event(id, deleted_id, {}, use_tuple);
        BOOST_TEST_REQUIRE(!dec, dec.message());
        BOOST_TEST(deleted);

        auto [sec, changes] = co_await calendar.sync_events(id, full.next_sync_token, full_query, use_tuple);
        BOOST_TEST_REQUIRE(!sec, sec.message());
        BOOST_TEST(!changes.full);
        BOOST_TEST(changes.events.size() == 3u);
        std::map<std::string, cal::event> by_id;
        for (auto const& e : changes.events)
            by_id[e.id] = e;
        BOOST_TEST_REQUIRE(by_id.count(added.id) == 1u);
        BOOST_TEST(by_id[added.id].summary == "Added after the sync");
        BOOST_TEST_REQUIRE(by_id.count(changed_id) == 1u);
        BOOST_TEST(by_id[changed_id].summary == "Changed after the sync");
        BOOST_TEST_REQUIRE(by_id.count(deleted_id) == 1u);
        BOOST_TEST(by_id[deleted_id].cancelled());
        BOOST_TEST(changes.next_sync_token != full.next_sync_token);

        // The token goes stale: the typed error, and the helper's full sync.
        f.google->with_state([](emulator_state& s) { s.calendar.invalidate_sync_tokens(); });
        cal::event_query const stale{.sync_token = changes.next_sync_token};
        auto [lec, page] = co_await calendar.list_events(id, stale, use_tuple);
        BOOST_TEST(lec == gapi::api_error::full_sync_required, lec.message());
        auto [rec, resync] = co_await calendar.sync_events(id, changes.next_sync_token, full_query, use_tuple);
        BOOST_TEST_REQUIRE(!rec, rec.message());
        BOOST_TEST(resync.full);
        BOOST_TEST(resync.events.size() == 500u); // 500 - 1 deleted + 1 added
        BOOST_TEST(!resync.next_sync_token.empty());
        auto [aec, after] = co_await calendar.sync_events(id, resync.next_sync_token, full_query, use_tuple);
        BOOST_TEST(!aec, aec.message());
        BOOST_TEST(!after.full);
        BOOST_TEST(after.events.empty());
    }());
}

BOOST_AUTO_TEST_CASE(events_get_insert_patch_update_delete_keep_times_and_unknown_fields) {
    calendar_fixture f({.calendar = {.calendars = 1, .events_per_calendar = 0}});
    f.run([&]() -> asio::awaitable<void> {
        auto& calendar = *f.calendar;
        // A timed event with an offset and a zone, and an all-day one.
        cal::event meeting;
        meeting.id = cal::new_event_id();
        meeting.summary = "Συνάντηση";
        meeting.start = {.date_time = "2026-05-01T10:00:00+03:00", .time_zone = "Europe/Athens"};
        meeting.end = {.date_time = "2026-05-01T11:30:00+03:00", .time_zone = "Europe/Athens"};
        meeting.attendees = {{.email = "user2@example.com", .display_name = "Two"}};
        meeting.other["reminders"] = boost::json::object{
            {"useDefault", false},
            {"overrides", boost::json::array{boost::json::object{{"method", "popup"}, {"minutes", 15}}}}};
        auto [ec, created] = co_await calendar.insert_event("primary", meeting, {}, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(created.id == meeting.id);
        BOOST_TEST((created.start == meeting.start));
        BOOST_TEST((created.end == meeting.end));
        BOOST_TEST((*created.start.instant() == *cal::parse_rfc3339("2026-05-01T07:00:00Z")));
        BOOST_TEST(created.status == "confirmed");
        BOOST_TEST(!created.etag.empty());
        BOOST_TEST(created.attendees.size() == 1u);
        BOOST_TEST(boost::json::serialize(created.other.at("reminders")) ==
                   boost::json::serialize(meeting.other.at("reminders")));

        cal::event holiday;
        holiday.summary = "Holiday";
        holiday.start = cal::event_time::on(std::chrono::sys_days(std::chrono::year(2026) / 5 / 1));
        holiday.end = cal::event_time::on(std::chrono::sys_days(std::chrono::year(2026) / 5 / 2));
        auto [hec, all_day] = co_await calendar.insert_event("primary", holiday, {}, use_tuple);
        BOOST_TEST_REQUIRE(!hec, hec.message());
        BOOST_TEST(!all_day.id.empty());
        BOOST_TEST(all_day.start.all_day());
        BOOST_TEST(all_day.start.date == "2026-05-01");
        BOOST_TEST(all_day.end.date == "2026-05-02");
        BOOST_TEST(!all_day.start.instant().has_value());

        // The same id again: Google's 409.
        auto [dup_ec, dup] = co_await calendar.insert_event("primary", meeting, {}, use_tuple);
        BOOST_TEST(dup_ec == gapi::api_error::conflict, dup_ec.message());

        auto [gec, fetched] = co_await calendar.get_event("primary", meeting.id, use_tuple);
        BOOST_TEST_REQUIRE(!gec, gec.message());
        BOOST_TEST(fetched.summary == "Συνάντηση");

        // Update what was read: the fields gapi has no member for survive.
        fetched.summary = "Moved";
        fetched.location = "Room 2";
        auto [uec, updated] = co_await calendar.update_event("primary", fetched, {}, use_tuple);
        BOOST_TEST_REQUIRE(!uec, uec.message());
        BOOST_TEST(updated.summary == "Moved");
        BOOST_TEST(updated.location == "Room 2");
        BOOST_TEST((updated.start == meeting.start));
        BOOST_TEST(updated.other.contains("reminders"));
        BOOST_TEST(updated.attendees.size() == 1u);

        boost::json::object const agenda{{"description", "Agenda"}};
        auto [pec, patched] =
            co_await calendar.patch_event("primary", meeting.id, agenda, cal::send_updates::all, use_tuple);
        BOOST_TEST_REQUIRE(!pec, pec.message());
        BOOST_TEST(patched.description == "Agenda");
        BOOST_TEST(patched.summary == "Moved");

        cal::event no_id;
        auto [nec, none] = co_await calendar.update_event("primary", no_id, {}, use_tuple);
        BOOST_TEST(nec == gapi::error::missing_id);
        BOOST_TEST(nec == gapi::condition::invalid_argument);

        auto [dec, deleted] = co_await calendar.delete_event("primary", meeting.id, {}, use_tuple);
        BOOST_TEST_REQUIRE(!dec, dec.message());
        BOOST_TEST(deleted);
        std::tie(dec, deleted) = co_await calendar.delete_event("primary", meeting.id, {}, use_tuple);
        BOOST_TEST(!deleted);
        BOOST_TEST((dec == gapi::api_error::gone || dec == gapi::api_error::not_found), dec.message());
        std::tie(gec, fetched) = co_await calendar.get_event("primary", "nosuchevent0", use_tuple);
        BOOST_TEST(gec == gapi::condition::not_found, gec.message());
        std::tie(gec, fetched) = co_await calendar.get_event("nobody@example.com", "nosuchevent0", use_tuple);
        BOOST_TEST(gec == gapi::condition::not_found, gec.message());

        // Invalid input: Google's 400.
        cal::event backwards = timed("Backwards", std::chrono::system_clock::now(), -std::chrono::minutes(30));
        auto [bec, bad] = co_await calendar.insert_event("primary", backwards, {}, use_tuple);
        BOOST_TEST(bec == gapi::api_error::bad_request, bec.message());
    }());
    f.google->with_state([](emulator_state& s) {
        std::size_t holidays = 0, meetings = 0;
        for (auto const& e : s.calendar.events("user1@example.com", false)) {
            auto const summary = e.at("summary").as_string();
            if (summary == "Holiday") {
                ++holidays;
                BOOST_TEST(e.at("start").as_object().at("date").as_string() == "2026-05-01");
            }
            meetings += summary == "Moved";
        }
        BOOST_TEST(holidays == 1u);
        BOOST_TEST(meetings == 0u); // deleted
    });
}

BOOST_AUTO_TEST_CASE(an_insert_with_its_own_id_replayed_after_a_lost_answer_creates_one_event) {
    // The first insert is applied, then the connection is reset before the answer (the
    // ambiguous case). On a reused connection the transport sends it once more, Google
    // finds the id taken, and the service returns the stored event.
    calendar_fixture f({.quota = {.enabled = false}, .faults = "calendar.events.insert:ambiguous=1,first=1"});
    f.run([&]() -> asio::awaitable<void> {
        cal::event_query const any;
        auto [lec, list] = co_await f.calendar->list_events("primary", any, use_tuple); // a kept-alive connection
        BOOST_TEST_REQUIRE(!lec, lec.message());
        auto ev = timed("Exactly once", std::chrono::system_clock::now() + std::chrono::hours(1),
                        std::chrono::minutes(15));
        ev.id = cal::new_event_id();
        auto [ec, created] = co_await f.calendar->insert_event("primary", ev, {}, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(created.id == ev.id);
        BOOST_TEST(created.summary == "Exactly once");

        // Without an id of its own, an insert is never replayed: the ambiguity is the caller's.
        f.google->with_state([](emulator_state& s) {
            s.faults = gapi::emulator::fault_injector(
                *gapi::emulator::fault_injector::parse("calendar.events.insert:ambiguous=1,first=1"), 1);
        });
        auto anonymous = timed("Maybe once", std::chrono::system_clock::now() + std::chrono::hours(2),
                               std::chrono::minutes(15));
        std::tie(ec, created) = co_await f.calendar->insert_event("primary", anonymous, {}, use_tuple);
        BOOST_TEST(ec == gapi::condition::network, ec.message());
    }());
    BOOST_TEST(f.google->counts().calls("calendar.events.insert") == 3u);
    f.google->with_state([&](emulator_state& s) {
        std::map<std::string, std::size_t> by_summary;
        for (auto const& e : s.calendar.events("user1@example.com", false))
            ++by_summary[std::string(e.at("summary").as_string())];
        BOOST_TEST(by_summary["Exactly once"] == 1u);
        BOOST_TEST(by_summary["Maybe once"] == 1u);
    });
}

BOOST_AUTO_TEST_CASE(an_insert_whose_id_is_taken_after_a_refused_attempt_is_a_conflict) {
    // The first attempt is refused with 429 (Google did nothing); the next finds the id
    // taken by another event: the caller's conflict, not this insert's own earlier success.
    gapi::client_options fast;
    fast.retry.initial_backoff = std::chrono::milliseconds(1);
    calendar_fixture f({.quota = {.enabled = false}}, {}, fast);
    f.run([&]() -> asio::awaitable<void> {
        auto existing = timed("Already there", std::chrono::system_clock::now() + std::chrono::hours(1),
                              std::chrono::minutes(15));
        existing.id = cal::new_event_id();
        auto [iec, stored] = co_await f.calendar->insert_event("primary", existing, {}, use_tuple);
        BOOST_TEST_REQUIRE(!iec, iec.message());
        f.google->with_state([](emulator_state& s) {
            s.faults = gapi::emulator::fault_injector(
                *gapi::emulator::fault_injector::parse("calendar.events.insert:429=1,first=1"), 1);
        });
        auto other = timed("Another", std::chrono::system_clock::now() + std::chrono::hours(2),
                           std::chrono::minutes(15));
        other.id = existing.id;
        auto [ec, created] = co_await f.calendar->insert_event("primary", other, {}, use_tuple);
        BOOST_TEST(ec == gapi::api_error::conflict, ec.message());
        BOOST_TEST(created.id.empty());
    }());
    BOOST_TEST(f.google->counts().calls("calendar.events.insert") == 3u);
    BOOST_TEST(f.google->counts().calls("calendar.events.get") == 0u);
}

BOOST_AUTO_TEST_CASE(calendar_list_pages_through_every_calendar) {
    calendar_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        auto [ec, first] = co_await f.calendar->list_calendars({}, 50, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST(first.items.size() <= 50u);
        BOOST_TEST(!first.next_page_token.empty());
        auto [aec, all] = co_await f.calendar->list_all_calendars(use_tuple);
        BOOST_TEST_REQUIRE(!aec, aec.message());
        BOOST_TEST(all.size() == 201u);
        std::set<std::string> ids;
        for (auto const& c : all)
            ids.insert(c.id);
        BOOST_TEST(ids.size() == 201u);
        BOOST_TEST(ids.count("user1@example.com") == 1u);
        BOOST_TEST(ids.count(fixture_id(200)) == 1u);
        auto const primary = std::find_if(all.begin(), all.end(), [](auto const& c) { return c.primary; });
        BOOST_TEST_REQUIRE((primary != all.end()));
        BOOST_TEST(primary->id == "user1@example.com");
        BOOST_TEST(primary->access_role == "owner");
    }());
}

BOOST_AUTO_TEST_CASE(freebusy_for_200_calendars_equals_the_emulators_truth) {
    calendar_fixture f;
    auto ids = fixture_ids(200);
    ids.push_back("nobody@example.com");
    auto const min = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto const max = min + std::chrono::days(14);
    auto const before = f.google->counts().calls("calendar.freebusy.query");
    f.run([&]() -> asio::awaitable<void> {
        cal::freebusy_query const query{.time_min = min, .time_max = max, .calendars = ids};
        auto [ec, answer] = co_await f.calendar->query_freebusy(query, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        BOOST_TEST((answer.time_min == min));
        BOOST_TEST((answer.time_max == max));
        BOOST_TEST_REQUIRE(answer.calendars.size() == 201u);
        std::size_t busy_periods = 0;
        f.google->with_state([&](emulator_state& s) {
            for (std::size_t i = 0; i < 200; ++i) {
                auto const& got = answer.calendars.at(ids[i]);
                BOOST_TEST(!got.error, ids[i] << ": " << got.error.message());
                std::vector<cal::busy_period> truth;
                for (auto const& [start, end] : s.calendar.busy(ids[i], min, max))
                    truth.push_back({start, end});
                BOOST_TEST((got.busy == truth), ids[i]);
                busy_periods += truth.size();
            }
        });
        BOOST_TEST(busy_periods > 200u); // the fixture keeps people busy
        auto const& nobody = answer.calendars.at("nobody@example.com");
        BOOST_TEST(nobody.error == gapi::api_error::not_found);
        BOOST_TEST((nobody.reasons == std::vector<std::string>{"notFound"}));
    }());
    // 201 calendars, 50 to a request.
    BOOST_TEST(f.google->counts().calls("calendar.freebusy.query") - before == 5u);
    BOOST_TEST(f.google->counts().calls("calendar.freebusy.query", 200) - before == 5u);

    // A refused query fails as a whole.
    f.run([&]() -> asio::awaitable<void> {
        cal::freebusy_query const backwards{.time_min = max, .time_max = min, .calendars = ids};
        auto [ec, answer] = co_await f.calendar->query_freebusy(backwards, use_tuple);
        BOOST_TEST(ec == gapi::api_error::bad_request, ec.message());
        BOOST_TEST(answer.calendars.at(ids[0]).error == gapi::api_error::bad_request);
    }());
}

BOOST_AUTO_TEST_CASE(upcoming_events_for_200_calendars_at_once) {
    calendar_fixture f({.quota = {.enabled = false}, .calendar = {.calendars = 200, .events_per_calendar = 500}},
                       {.concurrency = 16});
    auto ids = fixture_ids(200);
    ids.insert(ids.begin() + 100, "nobody@example.com");
    // The call takes "now" from the system clock somewhere between these two readings.
    auto const started = std::chrono::system_clock::now();
    std::vector<cal::calendar_result<std::vector<cal::event>>> results;
    f.run([&]() -> asio::awaitable<void> {
        auto [ec, r] = co_await f.calendar->upcoming_events(ids, 10, use_tuple);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        results = std::move(r);
    }());
    auto const returned = std::chrono::system_clock::now();
    BOOST_TEST_REQUIRE(results.size() == 201u);
    BOOST_TEST(results[100].calendar_id == "nobody@example.com");
    BOOST_TEST(results[100].error == gapi::condition::not_found, results[100].error.message());
    f.google->with_state([&](emulator_state& s) {
        for (std::size_t i = 0; i < results.size(); ++i) {
            if (i == 100)
                continue;
            auto const& r = results[i];
            BOOST_TEST(r.calendar_id == ids[i]);
            BOOST_TEST_REQUIRE(!r.error, r.calendar_id << ": " << r.error.message());
            BOOST_TEST(r.value.size() == 10u);
            BOOST_TEST(is_upcoming_at_some_moment(s.calendar.events(ids[i], false), r.value, started, returned, 10),
                       r.calendar_id);
        }
    });
    BOOST_TEST(f.google->counts().max_connections_open <= 16u);
}

// The fixture lays its events on a 15-minute grid that starts at the emulator's "now"
// rounded down to the minute, so events end exactly on whole minutes, and the answer
// depends on where in its minute the call falls. Both clocks stand still here, at each
// second of one minute in turn, with events added that end just before, at and just
// after that second.
BOOST_AUTO_TEST_CASE(upcoming_events_are_right_at_every_second_of_a_minute) {
    using namespace std::chrono;
    auto const minute = floor<minutes>(system_clock::now());
    cal::time_point now = minute;
    auto const clock = [&now] { return now; };
    calendar_fixture f({.quota = {.enabled = false}, .calendar = {}, .clock = clock}, {.concurrency = 4, .clock = clock});
    auto const ids = fixture_ids(8);
    for (int second = 0; second < 60; ++second) {
        now = minute + seconds(second);
        f.google->with_state([&](emulator_state& s) {
            s.calendar.load_fixture({.calendars = 8, .events_per_calendar = 400}, minute);
        });
        std::vector<cal::calendar_result<std::vector<cal::event>>> results;
        f.run([&]() -> asio::awaitable<void> {
            for (auto const edge : {-1s, 0s, 1s}) {
                auto const ev = timed("Edge", now + edge - minutes(15), minutes(15));
                auto [ec, stored] = co_await f.calendar->insert_event(ids[0], ev, cal::send_updates::unspecified, use_tuple);
                BOOST_TEST_REQUIRE(!ec, ec.message());
            }
            auto [ec, r] = co_await f.calendar->upcoming_events(ids, 10, use_tuple);
            BOOST_TEST_REQUIRE(!ec, ec.message());
            results = std::move(r);
        }());
        BOOST_TEST_REQUIRE(results.size() == ids.size());
        f.google->with_state([&](emulator_state& s) {
            for (auto const& r : results) {
                BOOST_TEST_REQUIRE(!r.error, r.calendar_id << ": " << r.error.message());
                BOOST_TEST(is_upcoming_at_some_moment(s.calendar.events(r.calendar_id, false), r.value, now, now, 10),
                           r.calendar_id << " at second " << second);
            }
        });
        // Of the edge events, the one ending at this very second is over (timeMin is exclusive).
        std::size_t edges = 0;
        for (auto const& e : results[0].value)
            edges += e.summary == "Edge";
        BOOST_TEST(edges <= 1u, "at second " << second);
    }
}

BOOST_AUTO_TEST_CASE(cancelling_a_many_calendar_call_stops_it_promptly) {
    // Each answer would take 30 s; only the cancellation can end the call sooner.
    calendar_fixture f({.quota = {.enabled = false},
                        .faults = "calendar.events.list:slow=1,delay=30000",
                        .calendar = {.calendars = 50, .events_per_calendar = 10}},
                       {.concurrency = 4});
    f.run([&]() -> asio::awaitable<void> {
        asio::cancellation_signal cancel;
        asio::co_spawn(f.ioc, [&]() -> asio::awaitable<void> {
            co_await gapi_test::eventually([&] { return f.google->counts().calls("calendar.events.list") == 4u; },
                                           "four requests are in flight");
            cancel.emit(asio::cancellation_type::terminal);
        }, asio::detached);
        auto const t0 = std::chrono::steady_clock::now();
        auto const ids = fixture_ids(50);
        cal::event_query const any;
        auto [ec, results] =
            co_await f.calendar->list_events_each(ids, any, asio::bind_cancellation_slot(cancel.slot(), use_tuple));
        auto const took = std::chrono::steady_clock::now() - t0;
        BOOST_TEST(!ec);
        BOOST_TEST_REQUIRE(results.size() == 50u);
        for (auto const& r : results)
            BOOST_TEST(r.error == asio::error::operation_aborted, r.calendar_id << ": " << r.error.message());
        BOOST_TEST((took < std::chrono::seconds(20))); // generous, and still well short of one answer
    }());
    BOOST_TEST(f.google->counts().calls("calendar.events.list") == 4u); // nothing started after the cancellation
}

BOOST_AUTO_TEST_CASE(quota_limits_arrive_as_typed_errors_per_calendar) {
    // 600 requests a minute per user, scaled down to 6.
    // The emulator's clock stands still: no refill comes during the run.
    calendar_fixture f({.quota = {.scale = 0.01},
                        .calendar = {.calendars = 20, .events_per_calendar = 5},
                        .clock = [t = std::chrono::system_clock::now()] { return t; }},
                       {.concurrency = 1}, {.retry = {.enabled = false}}); // the errors themselves, unretried
    f.run([&]() -> asio::awaitable<void> {
        auto const ids = fixture_ids(20);
        auto [ec, results] = co_await f.calendar->upcoming_events(ids, 10, use_tuple);
        BOOST_TEST_REQUIRE(!ec);
        std::size_t ok = 0, limited = 0;
        for (auto const& r : results) {
            if (!r.error)
                ++ok;
            else if (r.error == gapi::condition::rate_limited)
                ++limited;
        }
        BOOST_TEST(ok >= 1u);
        BOOST_TEST(limited >= 1u);
        BOOST_TEST(ok + limited == 20u);
    }());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- sans-I/O: times and resources ---------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(calendar_resources)

BOOST_AUTO_TEST_CASE(rfc3339_times_with_offsets_and_fractions) {
    auto const utc = cal::parse_rfc3339("2026-05-01T07:00:00Z");
    BOOST_TEST_REQUIRE(utc.has_value());
    BOOST_TEST((cal::parse_rfc3339("2026-05-01T10:00:00+03:00") == utc));
    BOOST_TEST((cal::parse_rfc3339("2026-05-01T00:30:00-06:30") == utc));
    BOOST_TEST((cal::parse_rfc3339("2026-05-01t07:00:00z") == utc));
    BOOST_TEST((cal::parse_rfc3339("2026-05-01T07:00:00.000Z") == utc));
    BOOST_TEST((*cal::parse_rfc3339("2026-05-01T07:00:00.25Z") - *utc == std::chrono::milliseconds(250)));
    BOOST_TEST((*cal::parse_rfc3339("2026-05-01T07:00:00.123456789Z") - *utc == std::chrono::microseconds(123456)));
    BOOST_TEST(cal::format_rfc3339(*utc) == "2026-05-01T07:00:00.000Z");
    BOOST_TEST(cal::format_rfc3339(*cal::parse_rfc3339("1999-12-31T23:59:59.999+00:00")) == "1999-12-31T23:59:59.999Z");
    for (char const* bad : {"", "2026-05-01", "2026-05-01T07:00:00", "2026-05-01 07:00:00Z", "2026-02-30T00:00:00Z",
                            "2026-05-01T24:00:00Z", "2026-05-01T07:60:00Z", "2026-05-01T07:00:00+3:00",
                            "2026-05-01T07:00:00.Z", "2026-05-01T07:00:00Zjunk", "2026-5-01T07:00:00Z",
                            "2026-05-01T07:00:00+03:00:00"})
        BOOST_TEST(!cal::parse_rfc3339(bad).has_value(), bad);
    BOOST_TEST(cal::format_date(*cal::parse_date("2024-02-29")) == "2024-02-29");
    BOOST_TEST(!cal::parse_date("2023-02-29").has_value());
}

BOOST_AUTO_TEST_CASE(times_the_clock_cannot_hold_are_refused_not_wrapped_around) {
    // Found by the rfc3339 fuzzer (tests/fuzz/crashes/rfc3339): the nanosecond clock
    // reaches 1677 to 2262, and "3000-01-01" used to overflow into some other instant.
    for (char const* far : {"3000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1500-06-01T12:00:00.25-03:00",
                            "0001-01-01T00:00:00Z"}) {
        BOOST_TEST(!cal::parse_rfc3339(far).has_value(), far);
        BOOST_TEST(!gapi::emulator::parse_rfc3339(far).has_value(), far);
    }
    for (char const* near : {"2262-04-11T00:00:00Z", "1677-09-22T00:00:00Z", "2200-01-01T00:00:00Z"}) {
        auto const t = cal::parse_rfc3339(near);
        BOOST_TEST_REQUIRE(t.has_value(), near);
        BOOST_TEST(cal::format_rfc3339(*t).substr(0, 10) == std::string(near).substr(0, 10));
        BOOST_TEST((gapi::emulator::parse_rfc3339(near) == t), near);
    }
    BOOST_TEST(!cal::parse_date("2023-02-2").has_value());
}

BOOST_AUTO_TEST_CASE(events_keep_every_field_through_read_and_write) {
    auto const json = boost::json::parse(R"({
        "kind": "calendar#event", "id": "abc123def", "etag": "\"1\"", "status": "confirmed",
        "summary": "Planning", "start": {"dateTime": "2026-05-01T10:00:00+02:00", "timeZone": "Europe/Paris"},
        "end": {"date": "2026-05-02"}, "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"], "sequence": 2,
        "attendees": [{"email": "a@example.com", "responseStatus": "accepted", "optional": true}],
        "reminders": {"useDefault": false}, "conferenceData": {"entryPoints": []},
        "extendedProperties": {"private": {"k": "v"}}})");
    auto const e = boost::json::value_to<cal::event>(json);
    BOOST_TEST(e.id == "abc123def");
    BOOST_TEST(e.start.date_time == "2026-05-01T10:00:00+02:00");
    BOOST_TEST(e.start.time_zone == "Europe/Paris");
    BOOST_TEST(e.end.all_day());
    BOOST_TEST(e.sequence == 2);
    BOOST_TEST_REQUIRE(e.attendees.size() == 1u);
    BOOST_TEST(e.attendees[0].optional);
    BOOST_TEST(e.other.size() == 3u); // reminders, conferenceData, extendedProperties
    auto const written = boost::json::value_from(e).as_object();
    for (auto key : {"id", "status", "summary", "start", "end", "recurrence", "sequence", "attendees", "reminders",
                     "conferenceData", "extendedProperties"})
        BOOST_TEST(written.contains(key), key);
    BOOST_TEST(!written.contains("etag")); // read-only
    BOOST_TEST(boost::json::serialize(written.at("extendedProperties")) == R"({"private":{"k":"v"}})");
    BOOST_TEST(boost::json::serialize(written.at("start")) ==
               R"({"dateTime":"2026-05-01T10:00:00+02:00","timeZone":"Europe/Paris"})");
    // The written event reads back the same.
    auto const again = boost::json::value_to<cal::event>(boost::json::value(written));
    BOOST_TEST((again.start == e.start));
    BOOST_TEST((again.end == e.end));
    BOOST_TEST(again.recurrence == e.recurrence);
}

BOOST_AUTO_TEST_CASE(event_ids_are_base32hex_and_unique) {
    std::set<std::string> ids;
    for (int i = 0; i < 1000; ++i) {
        auto id = cal::new_event_id();
        BOOST_TEST(id.size() == 32u);
        BOOST_TEST(id.find_first_not_of("0123456789abcdefghijklmnopqrstuv") == std::string::npos);
        ids.insert(std::move(id));
    }
    BOOST_TEST(ids.size() == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()
