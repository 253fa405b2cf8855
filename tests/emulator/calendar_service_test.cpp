// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/emulator/calendar_service.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace gapi::emulator;
namespace json = boost::json;
using time_point = clock_type::time_point;
using interval = std::pair<time_point, time_point>;

std::string const alice_email = "alice@example.com";
std::string const bob_email = "bob@example.com";
principal const alice{alice_email, {"https://www.googleapis.com/auth/calendar"}, "client-1"};
principal const bob{bob_email, {"https://www.googleapis.com/auth/calendar"}, "client-1"};

time_point at(std::string_view rfc3339) {
    return parse_rfc3339(rfc3339).value();
}

time_point const t0 = at("2026-05-01T12:00:00Z");

api_response call(calendar_service& svc, verb method, std::string const& target, principal const& who,
                  std::string body = {}, time_point now = t0) {
    api_request req;
    req.method = method;
    req.url = boost::urls::url(target);
    req.body = std::move(body);
    req.now = now;
    auto const m = svc.match(method, req.url);
    BOOST_REQUIRE_MESSAGE(m, "no match for " + target);
    return svc.handle(*m, req, who);
}

json::object body_of(api_response const& res) {
    return json::parse(res.body).as_object();
}

// The whole body must equal the hand-written JSON.
void check_body(api_response const& res, unsigned status, std::string_view expected) {
    BOOST_TEST(res.status == status);
    BOOST_TEST(json::parse(res.body) == json::parse(expected), res.body);
}

std::string str(json::value const& v) {
    return std::string(v.as_string());
}

// The test's own reading of an EventDateTime: all-day dates start at midnight UTC.
time_point instant_of(json::value const& t) {
    auto const& o = t.as_object();
    if (auto const* d = o.if_contains("date"))
        return at(str(*d) + "T00:00:00Z");
    auto const text = str(o.at("dateTime"));
    if (auto const v = parse_rfc3339(text))
        return *v;
    return at(text + "Z");
}

struct listing {
    std::vector<json::object> items;
    std::string sync_token;
    std::size_t pages = 0;
};

// Follows nextPageToken to the end; every page but the last must carry no nextSyncToken.
listing list_all(calendar_service& svc, std::string const& target, principal const& who) {
    listing out;
    std::string page;
    for (;;) {
        auto const sep = target.find('?') == std::string::npos ? "?" : "&";
        auto const res =
            call(svc, verb::get, page.empty() ? target : target + sep + "pageToken=" + page, who);
        BOOST_REQUIRE_EQUAL(res.status, 200u);
        auto const body = body_of(res);
        ++out.pages;
        for (auto const& item : body.at("items").as_array())
            out.items.push_back(item.as_object());
        if (auto const* next = body.if_contains("nextPageToken")) {
            BOOST_REQUIRE(!body.contains("nextSyncToken"));
            page = str(*next);
            BOOST_REQUIRE(out.pages < 10000);
            continue;
        }
        out.sync_token = str(body.at("nextSyncToken"));
        return out;
    }
}

std::vector<std::string> ids_of(std::vector<json::object> const& items) {
    std::vector<std::string> ids;
    for (auto const& i : items)
        ids.push_back(str(i.at("id")));
    return ids;
}

calendar_service make_service(calendar_fixture f = {2, 20}, std::uint64_t seed = 7) {
    calendar_service svc({alice_email, bob_email}, seed);
    svc.load_fixture(f, t0);
    return svc;
}

// Independent truth for free/busy: merge confirmed, opaque events' intervals clipped to [min, max).
std::vector<interval> expected_busy(std::vector<json::object> const& events, time_point min, time_point max) {
    std::vector<interval> v;
    for (auto const& e : events) {
        if (str(e.at("status")) != "confirmed")
            continue;
        if (auto const* t = e.if_contains("transparency"); t && str(*t) == "transparent")
            continue;
        auto const s = instant_of(e.at("start"));
        auto const en = instant_of(e.at("end"));
        if (s < max && en > min && s < en)
            v.emplace_back(std::max(s, min), std::min(en, max));
    }
    std::sort(v.begin(), v.end());
    std::vector<interval> merged;
    for (auto const& i : v) {
        if (!merged.empty() && i.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, i.second);
        else
            merged.push_back(i);
    }
    return merged;
}

std::string const fixture1 = "fixture-0001@group.calendar.google.com";
std::string const fixture1_path = "/calendar/v3/calendars/fixture-0001%40group.calendar.google.com/events";

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_calendar)

// ---- routing -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(match_recognises_calendar_paths) {
    calendar_service svc({alice_email}, 1);
    auto id = [&](verb v, std::string const& target) -> std::string {
        auto const m = svc.match(v, boost::urls::url(target));
        return m ? std::string(m->method->id) : std::string("-");
    };
    BOOST_TEST(id(verb::get, "/calendar/v3/users/me/calendarList") == "calendar.calendarList.list");
    BOOST_TEST(id(verb::get, "/calendar/v3/calendars/primary/events?maxResults=3") == "calendar.events.list");
    BOOST_TEST(id(verb::post, "/calendar/v3/calendars/primary/events") == "calendar.events.insert");
    BOOST_TEST(id(verb::get, "/calendar/v3/calendars/primary/events/abcde") == "calendar.events.get");
    BOOST_TEST(id(verb::patch, "/calendar/v3/calendars/primary/events/abcde") == "calendar.events.patch");
    BOOST_TEST(id(verb::put, "/calendar/v3/calendars/primary/events/abcde") == "calendar.events.update");
    BOOST_TEST(id(verb::delete_, "/calendar/v3/calendars/primary/events/abcde") == "calendar.events.delete");
    BOOST_TEST(id(verb::post, "/calendar/v3/freeBusy") == "calendar.freebusy.query");

    BOOST_TEST(id(verb::get, "/calendar/v3/freeBusy") == "-");
    BOOST_TEST(id(verb::delete_, "/calendar/v3/calendars/primary/events") == "-");
    BOOST_TEST(id(verb::get, "/calendar/v3/users/someone/calendarList") == "-");
    BOOST_TEST(id(verb::get, "/calendar/v2/calendars/primary/events") == "-");
    BOOST_TEST(id(verb::get, "/gmail/v1/users/me/messages") == "-");
    BOOST_TEST(id(verb::get, "/calendar/v3/calendars/primary/events/a/b") == "-");
    BOOST_TEST(id(verb::get, "/calendar/v3/calendars//events") == "-");

    auto const m = svc.match(
        verb::get,
        boost::urls::url("/calendar/v3/calendars/fixture-0001%40group.calendar.google.com/events/abc12"));
    BOOST_REQUIRE(m);
    BOOST_TEST(m->params == (std::vector<std::string>{fixture1, "abc12"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(method_table_has_discovery_scopes) {
    calendar_service svc({alice_email}, 1);
    auto scopes = [&](verb v, std::string const& target) {
        auto const m = svc.match(v, boost::urls::url(target));
        BOOST_REQUIRE(m);
        BOOST_TEST((m->method->family == api_family::calendar));
        BOOST_TEST(m->method->quota_units == 1);
        BOOST_TEST(!m->method->sends_mail);
        return std::set<std::string>(m->method->scopes.begin(), m->method->scopes.end());
    };
    std::string const p = "https://www.googleapis.com/auth/";
    BOOST_TEST((scopes(verb::get, "/calendar/v3/users/me/calendarList") ==
                std::set<std::string>{p + "calendar", p + "calendar.calendarlist",
                                      p + "calendar.calendarlist.readonly", p + "calendar.readonly"}));
    std::set<std::string> const read{p + "calendar",
                                     p + "calendar.app.created",
                                     p + "calendar.events",
                                     p + "calendar.events.freebusy",
                                     p + "calendar.events.owned",
                                     p + "calendar.events.owned.readonly",
                                     p + "calendar.events.public.readonly",
                                     p + "calendar.events.readonly",
                                     p + "calendar.readonly"};
    BOOST_TEST((scopes(verb::get, "/calendar/v3/calendars/primary/events") == read));
    BOOST_TEST((scopes(verb::get, "/calendar/v3/calendars/primary/events/abcde") == read));
    std::set<std::string> const write{p + "calendar", p + "calendar.app.created", p + "calendar.events",
                                      p + "calendar.events.owned"};
    BOOST_TEST((scopes(verb::post, "/calendar/v3/calendars/primary/events") == write));
    BOOST_TEST((scopes(verb::patch, "/calendar/v3/calendars/primary/events/abcde") == write));
    BOOST_TEST((scopes(verb::put, "/calendar/v3/calendars/primary/events/abcde") == write));
    BOOST_TEST((scopes(verb::delete_, "/calendar/v3/calendars/primary/events/abcde") == write));
    BOOST_TEST((scopes(verb::post, "/calendar/v3/freeBusy") ==
                std::set<std::string>{p + "calendar", p + "calendar.events.freebusy", p + "calendar.freebusy",
                                      p + "calendar.readonly"}));
}

// ---- fixture -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(fixture_is_deterministic_per_seed) {
    auto a = make_service({3, 40}, 11);
    auto b = make_service({3, 40}, 11);
    auto c = make_service({3, 40}, 12);
    BOOST_TEST(a.calendar_ids() == b.calendar_ids(), boost::test_tools::per_element());
    bool differs = false;
    for (auto const& id : a.calendar_ids()) {
        auto const ea = a.events(id, true);
        auto const eb = b.events(id, true);
        BOOST_REQUIRE_EQUAL(ea.size(), eb.size());
        for (std::size_t i = 0; i < ea.size(); ++i)
            BOOST_TEST(ea[i] == eb[i]);
        differs = differs || ea != c.events(id, true);
    }
    BOOST_TEST(differs);
    // Reloading the same instance after a write gives the same data again.
    BOOST_TEST(call(a, verb::delete_, fixture1_path + "/" + str(a.events(fixture1, false)[0].at("id")), alice)
                   .status == 204u);
    a.load_fixture({3, 40}, t0);
    for (auto const& id : a.calendar_ids())
        BOOST_TEST((a.events(id, true) == b.events(id, true)));
}

BOOST_AUTO_TEST_CASE(fixture_shape) {
    auto svc = make_service({3, 200});
    BOOST_TEST(svc.calendar_ids() == (std::vector<std::string>{alice_email, bob_email, fixture1,
                                                               "fixture-0002@group.calendar.google.com",
                                                               "fixture-0003@group.calendar.google.com"}),
               boost::test_tools::per_element());
    BOOST_TEST(svc.events(alice_email, false).size() >= 3u);
    auto const events = svc.events(fixture1, false);
    BOOST_REQUIRE_EQUAL(events.size(), 200u);
    std::size_t all_day = 0, zoned = 0, offset = 0, overlapping = 0;
    std::vector<interval> spans;
    for (auto const& e : events) {
        auto const s = instant_of(e.at("start"));
        auto const en = instant_of(e.at("end"));
        BOOST_TEST((s >= t0 - std::chrono::days(31)));
        BOOST_TEST((en <= t0 + std::chrono::days(91)));
        BOOST_TEST((s < en));
        spans.emplace_back(s, en);
        auto const& start = e.at("start").as_object();
        if (start.contains("date"))
            ++all_day;
        else if (start.contains("timeZone"))
            ++zoned;
        if (start.contains("dateTime") && str(start.at("dateTime")).back() != 'Z')
            ++offset;
        BOOST_TEST(str(e.at("kind")) == "calendar#event");
        BOOST_TEST(str(e.at("iCalUID")) == str(e.at("id")) + "@google.com");
    }
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i)
        if (spans[i].first < spans[i - 1].second)
            ++overlapping;
    BOOST_TEST(all_day > 0u);
    BOOST_TEST(zoned > 0u);
    BOOST_TEST(offset > 0u);
    BOOST_TEST(overlapping > 0u);
}

// ---- calendarList.list -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(calendar_list_shows_primary_and_fixtures_with_roles) {
    auto svc = make_service({3, 5});
    auto const res = call(svc, verb::get, "/calendar/v3/users/me/calendarList", alice);
    BOOST_TEST(res.status == 200u);
    auto const body = body_of(res);
    BOOST_TEST(str(body.at("kind")) == "calendar#calendarList");
    BOOST_TEST(body.contains("etag"));
    BOOST_TEST(body.contains("nextSyncToken"));
    BOOST_TEST(!body.contains("nextPageToken"));
    auto const& items = body.at("items").as_array();
    BOOST_REQUIRE_EQUAL(items.size(), 4u);
    auto const& primary = items[0].as_object();
    BOOST_TEST(str(primary.at("kind")) == "calendar#calendarListEntry");
    BOOST_TEST(str(primary.at("id")) == alice_email);
    BOOST_TEST(primary.at("primary").as_bool());
    BOOST_TEST(str(primary.at("accessRole")) == "owner");
    BOOST_TEST(str(items[1].at("id")) == fixture1);
    BOOST_TEST(str(items[1].at("summary")) == "Fixture calendar 1");
    BOOST_TEST(str(items[1].at("accessRole")) == "owner");
    BOOST_TEST(!items[1].as_object().contains("primary"));
    BOOST_TEST(items[1].as_object().contains("backgroundColor"));
    BOOST_TEST(items[1].as_object().contains("timeZone"));

    auto const bob_items =
        body_of(call(svc, verb::get, "/calendar/v3/users/me/calendarList", bob)).at("items").as_array();
    BOOST_REQUIRE_EQUAL(bob_items.size(), 4u);
    BOOST_TEST(str(bob_items[0].at("id")) == bob_email);
    BOOST_TEST(str(bob_items[1].at("accessRole")) == "reader");

    auto const owned =
        body_of(call(svc, verb::get, "/calendar/v3/users/me/calendarList?minAccessRole=writer", bob));
    BOOST_REQUIRE_EQUAL(owned.at("items").as_array().size(), 1u);
    BOOST_TEST(str(owned.at("items").as_array()[0].at("id")) == bob_email);
}

BOOST_AUTO_TEST_CASE(calendar_list_pages) {
    auto svc = make_service({7, 1});
    auto const all = list_all(svc, "/calendar/v3/users/me/calendarList?maxResults=3", alice);
    BOOST_TEST(all.pages == 3u);
    BOOST_TEST(all.items.size() == 8u);
    std::set<std::string> unique;
    for (auto const& id : ids_of(all.items))
        unique.insert(id);
    BOOST_TEST(unique.size() == 8u);
    // An unchanged list synced incrementally has nothing new.
    auto const again = body_of(
        call(svc, verb::get, "/calendar/v3/users/me/calendarList?syncToken=" + all.sync_token, alice));
    BOOST_TEST(again.at("items").as_array().empty());
    BOOST_TEST(again.contains("nextSyncToken"));
}

BOOST_AUTO_TEST_CASE(calendar_list_errors) {
    auto svc = make_service({1, 1});
    check_body(
        call(svc, verb::get, "/calendar/v3/users/me/calendarList?maxResults=0", alice), 400,
        R"({"error":{"code":400,"message":"Invalid Value","errors":[{"message":"Invalid Value","domain":"global",
                   "reason":"invalid","location":"maxResults","locationType":"parameter"}]}})");
    check_body(
        call(svc, verb::get, "/calendar/v3/users/me/calendarList?minAccessRole=boss", alice), 400,
        R"({"error":{"code":400,"message":"Invalid Value","errors":[{"message":"Invalid Value","domain":"global",
                   "reason":"invalid","location":"minAccessRole","locationType":"parameter"}]}})");
    auto const token =
        str(body_of(call(svc, verb::get, "/calendar/v3/users/me/calendarList", alice)).at("nextSyncToken"));
    BOOST_TEST(call(svc, verb::get,
                    "/calendar/v3/users/me/calendarList?minAccessRole=reader&syncToken=" + token, alice)
                   .status == 400u);
    svc.invalidate_sync_tokens();
    check_body(call(svc, verb::get, "/calendar/v3/users/me/calendarList?syncToken=" + token, alice), 410,
               R"({"error":{"code":410,"message":"Sync token is no longer valid, a full sync is required.",
                   "errors":[{"domain":"calendar","reason":"fullSyncRequired",
                   "message":"Sync token is no longer valid, a full sync is required.",
                   "locationType":"parameter","location":"syncToken"}]}})");
    // Large page sizes are clamped, not refused.
    BOOST_TEST(call(svc, verb::get, "/calendar/v3/users/me/calendarList?maxResults=100000", alice).status ==
               200u);
}

// ---- events.list: paging and ordering ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(paging_by_start_time_returns_every_event_once_in_order) {
    auto svc = make_service({1, 1100});
    auto const all =
        list_all(svc, fixture1_path + "?maxResults=7&singleEvents=true&orderBy=startTime", alice);
    BOOST_TEST(all.items.size() == 1100u);
    BOOST_TEST(all.pages == 158u); // ceil(1100 / 7)
    auto const ids = ids_of(all.items);
    BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == 1100u);
    std::set<std::string> stored;
    for (auto const& e : svc.events(fixture1, false))
        stored.insert(str(e.at("id")));
    BOOST_TEST((std::set<std::string>(ids.begin(), ids.end()) == stored));
    std::size_t ties = 0;
    for (std::size_t i = 1; i < all.items.size(); ++i) {
        auto const a = instant_of(all.items[i - 1].at("start"));
        auto const b = instant_of(all.items[i].at("start"));
        BOOST_TEST((a <= b));
        if (a == b) {
            ++ties;
            BOOST_TEST(ids[i - 1] < ids[i]); // ties broken by event id
        }
    }
    BOOST_TEST(ties > 0u); // the fixture has events starting together
}

BOOST_AUTO_TEST_CASE(paging_by_updated_and_default_order) {
    auto svc = make_service({1, 1050});
    // Touch a few events so `updated` order differs from creation order.
    auto const stored = svc.events(fixture1, false);
    int minute = 0;
    for (std::size_t i : {5u, 500u, 17u})
        BOOST_TEST(call(svc, verb::patch, fixture1_path + "/" + str(stored[i].at("id")), alice,
                        R"({"summary":"Touched"})", t0 + std::chrono::minutes(++minute))
                       .status == 200u);
    auto const by_updated = list_all(svc, fixture1_path + "?maxResults=7&orderBy=updated", alice);
    BOOST_REQUIRE_EQUAL(by_updated.items.size(), 1050u);
    for (std::size_t i = 1; i < by_updated.items.size(); ++i)
        BOOST_TEST(str(by_updated.items[i - 1].at("updated")) <= str(by_updated.items[i].at("updated")));
    BOOST_TEST(str(by_updated.items.back().at("id")) == str(stored[17].at("id")));
    auto const ids = ids_of(by_updated.items);
    BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == 1050u);

    auto const plain = list_all(svc, fixture1_path + "?maxResults=7", alice);
    auto const plain_ids = ids_of(plain.items);
    BOOST_TEST(std::set<std::string>(plain_ids.begin(), plain_ids.end()).size() == 1050u);
    BOOST_TEST(plain_ids.size() == 1050u);
}

BOOST_AUTO_TEST_CASE(page_tokens_are_stable_when_events_are_added_between_pages) {
    auto svc = make_service({1, 60});
    auto const first = body_of(
        call(svc, verb::get, fixture1_path + "?maxResults=10&singleEvents=true&orderBy=startTime", alice));
    // An event that sorts before everything already sent must not shift the rest.
    BOOST_TEST(
        call(
            svc, verb::post, fixture1_path, alice,
            R"({"id":"first0001","start":{"dateTime":"2000-01-01T00:00:00Z"},"end":{"dateTime":"2000-01-01T01:00:00Z"}})")
            .status == 200u);
    std::vector<std::string> ids = ids_of([&] {
        std::vector<json::object> v;
        for (auto const& i : first.at("items").as_array())
            v.push_back(i.as_object());
        return v;
    }());
    std::string page = str(first.at("nextPageToken"));
    while (!page.empty()) {
        auto const body = body_of(call(
            svc, verb::get,
            fixture1_path + "?maxResults=10&singleEvents=true&orderBy=startTime&pageToken=" + page, alice));
        for (auto const& i : body.at("items").as_array())
            ids.push_back(str(i.at("id")));
        page = body.contains("nextPageToken") ? str(body.at("nextPageToken")) : std::string();
    }
    BOOST_TEST(ids.size() == 60u);
    BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == 60u);
}

BOOST_AUTO_TEST_CASE(max_results_bounds) {
    auto svc = make_service({1, 2600});
    auto const body = body_of(call(svc, verb::get, fixture1_path + "?maxResults=100000", alice));
    BOOST_TEST(body.at("items").as_array().size() == 2500u);
    BOOST_TEST(body.contains("nextPageToken"));
    auto const by_default = body_of(call(svc, verb::get, fixture1_path, alice));
    BOOST_TEST(by_default.at("items").as_array().size() == 250u);
    for (std::string v : {"0", "-3", "ten"})
        check_body(call(svc, verb::get, fixture1_path + "?maxResults=" + v, alice), 400,
                   R"({"error":{"code":400,"message":"Invalid Value","errors":[{"message":"Invalid Value",
                       "domain":"global","reason":"invalid","location":"maxResults","locationType":"parameter"}]}})");
}

BOOST_AUTO_TEST_CASE(events_list_envelope) {
    auto svc = make_service({1, 3});
    auto const body = body_of(call(svc, verb::get, "/calendar/v3/calendars/primary/events", alice));
    BOOST_TEST(str(body.at("kind")) == "calendar#events");
    BOOST_TEST(body.contains("etag"));
    BOOST_TEST(str(body.at("summary")) == alice_email);
    BOOST_TEST(body.contains("updated"));
    BOOST_TEST(str(body.at("timeZone")) == "UTC");
    BOOST_TEST(str(body.at("accessRole")) == "owner");
    BOOST_TEST(body.at("defaultReminders").is_array());
    BOOST_TEST(body.contains("nextSyncToken"));
    BOOST_TEST(!body.contains("nextPageToken"));
    BOOST_TEST(body.at("items").as_array().size() == svc.events(alice_email, false).size());
    auto const reader = body_of(call(svc, verb::get, fixture1_path, bob));
    BOOST_TEST(str(reader.at("accessRole")) == "reader");
    BOOST_TEST(str(reader.at("summary")) == "Fixture calendar 1");
}

// ---- events.list: filters ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(time_bounds_are_exclusive) {
    calendar_service svc({alice_email}, 3);
    auto insert = [&](std::string id, std::string start, std::string end) {
        auto const res = call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                              R"({"id":")" + id + R"(","start":{"dateTime":")" + start +
                                  R"("},"end":{"dateTime":")" + end + R"("}})");
        BOOST_REQUIRE_EQUAL(res.status, 200u);
    };
    insert("endsattmin", "2026-05-01T08:00:00Z", "2026-05-01T10:00:00Z");  // ends exactly at timeMin
    insert("crossestmin", "2026-05-01T09:00:00Z", "2026-05-01T10:00:01Z"); // ends just after timeMin
    insert("inside", "2026-05-01T11:00:00+02:00",
           "2026-05-01T12:00:00+02:00"); // 09:00Z-10:00Z: ends at timeMin
    insert("middle", "2026-05-01T13:00:00+02:00", "2026-05-01T14:00:00+02:00"); // 11:00Z-12:00Z
    insert("startsatlimit", "2026-05-01T14:00:00Z", "2026-05-01T15:00:00Z");    // starts exactly at timeMax
    insert("beforelimit", "2026-05-01T13:59:59Z", "2026-05-01T15:00:00Z");
    auto const body = body_of(call(svc, verb::get,
                                   "/calendar/v3/calendars/primary/events?timeMin=2026-05-01T10:00:00Z"
                                   "&timeMax=2026-05-01T16:00:00%2B02:00&singleEvents=true&orderBy=startTime",
                                   alice));
    std::vector<std::string> ids;
    for (auto const& i : body.at("items").as_array())
        ids.push_back(str(i.at("id")));
    BOOST_TEST(ids == (std::vector<std::string>{"crossestmin", "middle", "beforelimit"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(time_range_and_timestamp_errors) {
    auto svc = make_service({1, 1});
    check_body(
        call(svc, verb::get, fixture1_path + "?timeMin=2026-05-02T00:00:00Z&timeMax=2026-05-01T00:00:00Z",
             alice),
        400,
        R"({"error":{"code":400,"message":"The specified time range is empty.","errors":[{"domain":"calendar",
                   "reason":"timeRangeEmpty","message":"The specified time range is empty.","locationType":"parameter",
                   "location":"timeMax"}]}})");
    BOOST_TEST(call(svc, verb::get,
                    fixture1_path + "?timeMin=2026-05-01T00:00:00Z&timeMax=2026-05-01T00:00:00Z", alice)
                   .status == 400u);
    for (std::string bad :
         {"timeMin=2019-11-13T00:00:00", "timeMax=tomorrow", "updatedMin=2026-13-01T00:00:00Z"})
        check_body(
            call(svc, verb::get, fixture1_path + "?" + bad, alice), 400,
            R"({"error":{"code":400,"message":"Bad Request","errors":[{"domain":"global","reason":"badRequest",
                       "message":"Bad Request"}]}})");
    check_body(
        call(svc, verb::get, fixture1_path + "?orderBy=startTime", alice), 400,
        R"({"error":{"code":400,"message":"The requested ordering is not available for the particular query.",
                   "errors":[{"domain":"global","reason":"badRequest",
                   "message":"The requested ordering is not available for the particular query."}]}})");
    check_body(
        call(svc, verb::get, fixture1_path + "?orderBy=title", alice), 400,
        R"({"error":{"code":400,"message":"Invalid Value","errors":[{"message":"Invalid Value","domain":"global",
                   "reason":"invalid","location":"orderBy","locationType":"parameter"}]}})");
    BOOST_TEST(call(svc, verb::get, fixture1_path + "?showDeleted=maybe", alice).status == 400u);
    check_body(
        call(svc, verb::get, fixture1_path + "?pageToken=garbage", alice), 400,
        R"({"error":{"code":400,"message":"Invalid Value","errors":[{"message":"Invalid Value","domain":"global",
                   "reason":"invalid","location":"pageToken","locationType":"parameter"}]}})");
}

BOOST_AUTO_TEST_CASE(free_text_search) {
    auto svc = make_service({1, 300});
    auto const events = svc.events(fixture1, false);
    auto const contains = [](json::object const& e, std::string const& field, std::string const& word) {
        auto const* v = e.if_contains(field);
        if (!v)
            return false;
        std::string s = str(*v);
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return s.find(word) != std::string::npos;
    };
    for (std::string const q : {"budget review", "LUNCH", "room aurora", "notes"}) {
        std::string lower = q;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::vector<std::string> words;
        for (std::size_t i = 0; i < lower.size();) {
            auto const e = std::min(lower.find(' ', i), lower.size());
            words.push_back(lower.substr(i, e - i));
            i = e + 1;
        }
        std::set<std::string> expected;
        for (auto const& e : events) {
            bool all = true;
            for (auto const& w : words)
                all = all && (contains(e, "summary", w) || contains(e, "description", w) ||
                              contains(e, "location", w));
            if (all)
                expected.insert(str(e.at("id")));
        }
        BOOST_TEST(!expected.empty(), q);
        std::string encoded = q;
        std::replace(encoded.begin(), encoded.end(), ' ', '+');
        auto const got = ids_of(list_all(svc, fixture1_path + "?maxResults=50&q=" + encoded, alice).items);
        BOOST_TEST((std::set<std::string>(got.begin(), got.end()) == expected), q);
        BOOST_TEST(got.size() == expected.size());
    }
    BOOST_TEST(list_all(svc, fixture1_path + "?q=zzzznothing", alice).items.empty());
}

// ---- incremental sync ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(incremental_sync_reports_exactly_the_changes) {
    auto svc = make_service({1, 40});
    auto const full = list_all(svc, fixture1_path + "?maxResults=9", alice);
    BOOST_TEST(full.items.size() == 40u);
    auto const stored = svc.events(fixture1, false);
    std::string const patched = str(stored[3].at("id"));
    std::string const removed = str(stored[7].at("id"));

    BOOST_TEST(
        call(
            svc, verb::post, fixture1_path, alice,
            R"({"id":"addedevent01","summary":"Added later","start":{"date":"2026-05-04"},"end":{"date":"2026-05-05"}})",
            t0 + std::chrono::minutes(1))
            .status == 200u);
    BOOST_TEST(call(svc, verb::patch, fixture1_path + "/" + patched, alice, R"({"summary":"Renamed"})",
                    t0 + std::chrono::minutes(2))
                   .status == 200u);
    BOOST_TEST(
        call(svc, verb::delete_, fixture1_path + "/" + removed, alice, "", t0 + std::chrono::minutes(3))
            .status == 204u);

    auto const delta = list_all(svc, fixture1_path + "?syncToken=" + full.sync_token, alice);
    std::map<std::string, json::object> by_id;
    for (auto const& item : delta.items)
        by_id[str(item.at("id"))] = item;
    BOOST_REQUIRE_EQUAL(delta.items.size(), 3u);
    BOOST_TEST(str(by_id.at("addedevent01").at("status")) == "confirmed");
    BOOST_TEST(str(by_id.at(patched).at("summary")) == "Renamed");
    BOOST_TEST(str(by_id.at(removed).at("status")) == "cancelled");
    BOOST_TEST(delta.sync_token != full.sync_token);

    // Nothing changed since: empty, with a usable token again.
    auto const none = list_all(svc, fixture1_path + "?syncToken=" + delta.sync_token, alice);
    BOOST_TEST(none.items.empty());
    // The old token still yields the same changes (tokens are points in history).
    BOOST_TEST(list_all(svc, fixture1_path + "?syncToken=" + full.sync_token, alice).items.size() == 3u);

    // Incremental sync pages too.
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(call(svc, verb::patch, fixture1_path + "/" + str(stored[10 + i].at("id")), alice,
                        R"({"location":"Elsewhere"})")
                       .status == 200u);
    auto const paged = list_all(svc, fixture1_path + "?maxResults=2&syncToken=" + none.sync_token, alice);
    BOOST_TEST(paged.items.size() == 5u);
    BOOST_TEST(paged.pages == 3u);
}

BOOST_AUTO_TEST_CASE(stale_and_foreign_sync_tokens_require_full_sync) {
    auto svc = make_service({2, 5});
    auto const token = list_all(svc, fixture1_path, alice).sync_token;
    std::string const expected =
        R"({"error":{"code":410,"message":"Sync token is no longer valid, a full sync is required.",
            "errors":[{"domain":"calendar","reason":"fullSyncRequired",
            "message":"Sync token is no longer valid, a full sync is required.",
            "locationType":"parameter","location":"syncToken"}]}})";
    // A token of one calendar means nothing for another.
    check_body(
        call(svc, verb::get,
             "/calendar/v3/calendars/fixture-0002%40group.calendar.google.com/events?syncToken=" + token,
             alice),
        410, expected);
    check_body(call(svc, verb::get, fixture1_path + "?syncToken=bm9uc2Vuc2U", alice), 410, expected);
    BOOST_TEST(call(svc, verb::get, fixture1_path + "?syncToken=" + token, alice).status == 200u);
    svc.invalidate_sync_tokens();
    check_body(call(svc, verb::get, fixture1_path + "?syncToken=" + token, alice), 410, expected);
    // Reloading the data set also invalidates.
    auto const fresh = list_all(svc, fixture1_path, alice).sync_token;
    svc.load_fixture({2, 5}, t0);
    check_body(call(svc, verb::get, fixture1_path + "?syncToken=" + fresh, alice), 410, expected);
}

BOOST_AUTO_TEST_CASE(sync_token_cannot_be_combined_with_filters) {
    auto svc = make_service({1, 5});
    auto const token = list_all(svc, fixture1_path, alice).sync_token;
    check_body(
        call(svc, verb::get, fixture1_path + "?timeMin=2026-05-01T00:00:00Z&syncToken=" + token, alice), 400,
        R"({"error":{"code":400,"message":"Invalid Value","errors":[{"message":"Invalid Value","domain":"global",
                   "reason":"invalid","location":"timeMin","locationType":"parameter"}]}})");
    for (std::string p : {"timeMax=2026-05-01T00:00:00Z", "orderBy=updated", "q=lunch",
                          "updatedMin=2026-05-01T00:00:00Z", "iCalUID=x", "showDeleted=false"})
        BOOST_TEST(
            call(svc, verb::get, fixture1_path + "?" + p + "&syncToken=" + token, alice).status == 400u, p);
    BOOST_TEST(
        call(svc, verb::get, fixture1_path + "?showDeleted=true&singleEvents=true&syncToken=" + token, alice)
            .status == 200u);
}

// ---- events.insert / get -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(insert_with_client_id_and_replay_is_duplicate) {
    calendar_service svc({alice_email, bob_email}, 5);
    std::string const body =
        R"({"id":"gapi0client0id42","summary":"Planning","location":"Room 1",
            "start":{"dateTime":"2026-05-01T10:00:00+02:00","timeZone":"Europe/Zurich"},
            "end":{"dateTime":"2026-05-01T11:00:00+02:00","timeZone":"Europe/Zurich"}})";
    auto const res = call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice, body);
    BOOST_REQUIRE_EQUAL(res.status, 200u);
    BOOST_TEST(res.headers[boost::beast::http::field::content_type] == "application/json; charset=UTF-8");
    auto const ev = body_of(res);
    BOOST_TEST(str(ev.at("kind")) == "calendar#event");
    BOOST_TEST(str(ev.at("id")) == "gapi0client0id42");
    BOOST_TEST(str(ev.at("status")) == "confirmed");
    BOOST_TEST(str(ev.at("iCalUID")) == "gapi0client0id42@google.com");
    BOOST_TEST(ev.at("sequence").as_int64() == 0);
    BOOST_TEST(str(ev.at("created")) == "2026-05-01T12:00:00.000Z");
    BOOST_TEST(str(ev.at("updated")) == "2026-05-01T12:00:00.000Z");
    BOOST_TEST(str(ev.at("eventType")) == "default");
    BOOST_TEST(ev.at("reminders") == json::parse(R"({"useDefault":true})"));
    BOOST_TEST(ev.at("creator") == json::parse(R"({"email":"alice@example.com","self":true})"));
    BOOST_TEST(ev.at("organizer") == json::parse(R"({"email":"alice@example.com","self":true})"));
    auto const etag = str(ev.at("etag"));
    BOOST_TEST(etag.size() > 2u);
    BOOST_TEST(etag.front() == '"');
    BOOST_TEST(etag.back() == '"');
    BOOST_TEST(std::all_of(etag.begin() + 1, etag.end() - 1, [](char c) { return c >= '0' && c <= '9'; }));
    BOOST_TEST(str(ev.at("htmlLink")).rfind("https://www.google.com/calendar/event?eid=", 0) == 0u);
    auto const eid = str(ev.at("htmlLink")).substr(42);
    BOOST_TEST(decode_base64_any(eid).value() == "gapi0client0id42 alice@example.com");

    check_body(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice, body), 409,
               R"({"error":{"code":409,"message":"The requested identifier already exists.",
                   "errors":[{"domain":"global","reason":"duplicate","message":"The requested identifier already exists."}]}})");
    // Still a duplicate once deleted: Google keeps the id.
    BOOST_TEST(
        call(svc, verb::delete_, "/calendar/v3/calendars/primary/events/gapi0client0id42", alice).status ==
        204u);
    BOOST_TEST(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice, body).status == 409u);
    // The same id in another calendar is fine.
    BOOST_TEST(call(svc, verb::post, "/calendar/v3/calendars/primary/events", bob, body).status == 200u);
}

BOOST_AUTO_TEST_CASE(insert_generates_base32hex_ids) {
    calendar_service svc({alice_email}, 5);
    std::set<std::string> ids;
    for (int i = 0; i < 20; ++i) {
        auto const ev = body_of(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                                     R"({"start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})"));
        auto const id = str(ev.at("id"));
        BOOST_TEST(id.size() >= 5u);
        BOOST_TEST(std::all_of(id.begin(), id.end(),
                               [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'v'); }));
        ids.insert(id);
    }
    BOOST_TEST(ids.size() == 20u);
    BOOST_TEST(svc.events(alice_email, false).size() == 20u);
}

BOOST_AUTO_TEST_CASE(invalid_client_ids_are_refused) {
    calendar_service svc({alice_email}, 5);
    for (std::string id : {"abcd", "has-dash-123", "UPPERCASE1", "wxyz12345", "\u00e9t\u00e9abc"})
        check_body(
            call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                 R"({"id":")" + id + R"(","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})"),
            400,
            R"({"error":{"code":400,"message":"Invalid resource id value.","errors":[{"domain":"global",
                       "reason":"invalid","message":"Invalid resource id value."}]}})");
    BOOST_TEST(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                    R"({"id":12345,"start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})")
                   .status == 400u);
    BOOST_TEST(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                    R"({"id":")" + std::string(1024, 'v') +
                        R"(","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})")
                   .status == 200u);
    BOOST_TEST(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                    R"({"id":")" + std::string(1025, 'v') +
                        R"(","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})")
                   .status == 400u);
    BOOST_TEST(svc.events(alice_email, true).size() == 1u);
}

BOOST_AUTO_TEST_CASE(all_day_and_timed_times_round_trip_exactly) {
    calendar_service svc({alice_email}, 5);
    std::vector<std::pair<std::string, std::string>> const cases{
        {R"({"date":"2026-05-03"})", R"({"date":"2026-05-05"})"},
        {R"({"dateTime":"2026-05-01T10:00:00+02:00","timeZone":"Europe/Zurich"})",
         R"({"dateTime":"2026-05-01T11:30:00+02:00","timeZone":"Europe/Zurich"})"},
        {R"({"dateTime":"2026-05-01T10:00:00.250-07:00"})",
         R"({"dateTime":"2026-05-01T10:00:00.250-07:00"})"},
        {R"({"dateTime":"2026-05-01T10:00:00Z","timeZone":"UTC"})", R"({"dateTime":"2026-05-01T23:00:00Z"})"},
        {R"({"dateTime":"2026-05-01T09:00:00","timeZone":"America/New_York"})",
         R"({"dateTime":"2026-05-01T10:00:00","timeZone":"America/New_York"})"},
    };
    int n = 0;
    for (auto const& [start, end] : cases) {
        std::string const id = "roundtrip" + std::to_string(n++);
        auto const res = call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                              R"({"id":")" + id + R"(","start":)" + start + R"(,"end":)" + end + "}");
        BOOST_REQUIRE_EQUAL(res.status, 200u);
        auto const got = body_of(call(svc, verb::get, "/calendar/v3/calendars/primary/events/" + id, alice));
        BOOST_TEST(got.at("start") == json::parse(start));
        BOOST_TEST(got.at("end") == json::parse(end));
        auto const listed =
            list_all(svc, "/calendar/v3/calendars/primary/events?iCalUID=" + id + "%40google.com", alice);
        BOOST_REQUIRE_EQUAL(listed.items.size(), 1u);
        BOOST_TEST(listed.items[0].at("start") == json::parse(start));
    }
    // All-day events are found by instants at midnight UTC.
    auto const day = list_all(
        svc,
        "/calendar/v3/calendars/primary/events?timeMin=2026-05-04T23:00:00Z&timeMax=2026-05-06T00:00:00Z",
        alice);
    BOOST_REQUIRE_EQUAL(day.items.size(), 1u);
    BOOST_TEST(str(day.items[0].at("id")) == "roundtrip0");
}

BOOST_AUTO_TEST_CASE(insert_validation_errors) {
    calendar_service svc({alice_email}, 5);
    auto const post = [&](std::string const& body) {
        return call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice, body);
    };
    check_body(
        post(R"({"start":{"dateTime":"2026-05-01T11:00:00Z"},"end":{"dateTime":"2026-05-01T10:00:00Z"}})"),
        400,
        R"({"error":{"code":400,"message":"The specified time range is empty.","errors":[{"domain":"calendar",
                   "reason":"timeRangeEmpty","message":"The specified time range is empty.","locationType":"parameter",
                   "location":"timeMax"}]}})");
    BOOST_TEST(post(R"({"start":{"date":"2026-05-01"},"end":{"date":"2026-05-01"}})").status == 400u);
    BOOST_TEST(
        post(R"({"start":{"dateTime":"2026-05-01T10:00:00Z"},"end":{"dateTime":"2026-05-01T10:00:00Z"}})")
            .status == 200u); // zero-length timed events are allowed
    check_body(
        post(R"({"start":{"date":"2026-05-01"},"end":{"dateTime":"2026-05-01T10:00:00Z"}})"), 400,
        R"({"error":{"code":400,"message":"Start and end times must either both be date or both be dateTime.",
                   "errors":[{"domain":"global","reason":"invalid",
                   "message":"Start and end times must either both be date or both be dateTime."}]}})");
    check_body(
        post(R"({"start":{"dateTime":"2026-05-01T10:00:00Z"}})"), 400,
        R"({"error":{"code":400,"message":"Missing end time.","errors":[{"domain":"global","reason":"required",
                   "message":"Missing end time."}]}})");
    BOOST_TEST(post(R"({"end":{"dateTime":"2026-05-01T10:00:00Z"}})").status == 400u);
    check_body(
        post(R"({"start":{"dateTime":"2026-05-01 10:00"},"end":{"dateTime":"2026-05-01T10:00:00Z"}})"), 400,
        R"({"error":{"code":400,"message":"Invalid start time.","errors":[{"domain":"global","reason":"invalid",
                   "message":"Invalid start time."}]}})");
    check_body(
        post(R"({"start":{"dateTime":"2026-05-01T10:00:00"},"end":{"dateTime":"2026-05-01T11:00:00"}})"), 400,
        R"({"error":{"code":400,"message":"Missing time zone definition for start time.","errors":[{"domain":"global",
                   "reason":"required","message":"Missing time zone definition for start time."}]}})");
    BOOST_TEST(post(R"({"start":{"date":"2026-02-30"},"end":{"date":"2026-03-01"}})").status == 400u);
    BOOST_TEST(
        post(R"({"start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"},"transparency":"see-through"})")
            .status == 400u);
    BOOST_TEST(post(R"({"start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"},"summary":42})").status ==
               400u);
    check_body(
        post(R"({"start":)"), 400,
        R"({"error":{"code":400,"message":"Parse Error","errors":[{"domain":"global","reason":"parseError",
                   "message":"Parse Error"}]}})");
    BOOST_TEST(post("[1,2]").status == 400u);
    BOOST_TEST(post("").status == 400u);
    BOOST_TEST(svc.events(alice_email, true).size() == 1u);
}

BOOST_AUTO_TEST_CASE(server_owned_fields_are_not_taken_from_the_client) {
    calendar_service svc({alice_email}, 5);
    auto const ev = body_of(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                                 R"({"kind":"x","etag":"\"1\"","created":"2000-01-01T00:00:00Z","sequence":9,
                                     "organizer":{"email":"mallory@example.com"},"creator":{"email":"mallory@example.com"},
                                     "htmlLink":"http://evil","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})"));
    BOOST_TEST(str(ev.at("kind")) == "calendar#event");
    BOOST_TEST(str(ev.at("created")) == "2026-05-01T12:00:00.000Z");
    BOOST_TEST(ev.at("sequence").as_int64() == 0);
    BOOST_TEST(str(ev.at("organizer").at("email")) == alice_email);
    BOOST_TEST(str(ev.at("creator").at("email")) == alice_email);
    BOOST_TEST(str(ev.at("htmlLink")) != "http://evil");
}

BOOST_AUTO_TEST_CASE(events_in_shared_calendars_name_the_calendar_as_organizer) {
    auto svc = make_service({1, 1});
    auto const ev = body_of(call(svc, verb::post, fixture1_path, alice,
                                 R"({"start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})"));
    BOOST_TEST(
        ev.at("organizer") ==
        json::parse(
            R"({"email":"fixture-0001@group.calendar.google.com","displayName":"Fixture calendar 1","self":true})"));
    BOOST_TEST(ev.at("creator") == json::parse(R"({"email":"alice@example.com"})"));
}

// ---- access ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(readers_cannot_write_and_strangers_see_nothing) {
    auto svc = make_service({1, 3});
    std::string const forbidden =
        R"({"error":{"code":403,"message":"You need to have writer access to this calendar.",
            "errors":[{"domain":"calendar","reason":"requiredAccessLevel",
            "message":"You need to have writer access to this calendar."}]}})";
    auto const victim = str(svc.events(fixture1, false)[0].at("id"));
    check_body(call(svc, verb::post, fixture1_path, bob,
                    R"({"start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})"),
               403, forbidden);
    check_body(call(svc, verb::patch, fixture1_path + "/" + victim, bob, R"({"summary":"x"})"), 403,
               forbidden);
    check_body(call(svc, verb::put, fixture1_path + "/" + victim, bob,
                    R"({"start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})"),
               403, forbidden);
    check_body(call(svc, verb::delete_, fixture1_path + "/" + victim, bob), 403, forbidden);
    BOOST_TEST(call(svc, verb::get, fixture1_path + "/" + victim, bob).status == 200u);

    std::string const not_found =
        R"({"error":{"code":404,"message":"Not Found","errors":[{"domain":"global","reason":"notFound","message":"Not Found"}]}})";
    check_body(call(svc, verb::get, "/calendar/v3/calendars/nobody%40example.com/events", alice), 404,
               not_found);
    check_body(call(svc, verb::get, "/calendar/v3/calendars/" + bob_email + "/events", alice), 404,
               not_found);
    check_body(call(svc, verb::post, "/calendar/v3/calendars/" + bob_email + "/events", alice,
                    R"({"start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})"),
               404, not_found);
    check_body(call(svc, verb::get, fixture1_path + "/nosuchevent", alice), 404, not_found);
    check_body(call(svc, verb::patch, fixture1_path + "/nosuchevent", alice, "{}"), 404, not_found);
    check_body(call(svc, verb::delete_, fixture1_path + "/nosuchevent", alice), 404, not_found);
    BOOST_TEST(svc.events(fixture1, false).size() == 3u);

    // A user the emulator was not told about still has an (empty) primary calendar.
    principal const carol{"carol@example.com", {}, "client-1"};
    auto const list = body_of(call(svc, verb::get, "/calendar/v3/calendars/primary/events", carol));
    BOOST_TEST(list.at("items").as_array().empty());
}

// ---- patch / update / delete -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(patch_merges_and_update_replaces) {
    calendar_service svc({alice_email}, 5);
    auto const created =
        body_of(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                     R"({"id":"edit00001","summary":"One","description":"Keep me","location":"Here",
                                          "start":{"dateTime":"2026-05-01T10:00:00Z"},"end":{"dateTime":"2026-05-01T11:00:00Z"}})"));
    std::string const path = "/calendar/v3/calendars/primary/events/edit00001";
    auto const later = t0 + std::chrono::hours(1);
    auto const patched =
        body_of(call(svc, verb::patch, path, alice, R"({"summary":"Two","location":null})", later));
    BOOST_TEST(str(patched.at("summary")) == "Two");
    BOOST_TEST(str(patched.at("description")) == "Keep me");
    BOOST_TEST(!patched.contains("location"));
    BOOST_TEST(patched.at("start") == created.at("start"));
    BOOST_TEST(patched.at("sequence").as_int64() == 1);
    BOOST_TEST(str(patched.at("etag")) != str(created.at("etag")));
    BOOST_TEST(str(patched.at("updated")) == "2026-05-01T13:00:00.000Z");
    BOOST_TEST(str(patched.at("created")) == str(created.at("created")));
    BOOST_TEST(svc.events(alice_email, false)[0] == patched);

    // A patch that breaks the times is refused and changes nothing.
    BOOST_TEST(call(svc, verb::patch, path, alice, R"({"end":{"dateTime":"2026-05-01T09:00:00Z"}})").status ==
               400u);
    BOOST_TEST(call(svc, verb::patch, path, alice, R"({"end":{"date":"2026-05-02"}})").status == 400u);
    BOOST_TEST(svc.events(alice_email, false)[0] == patched);

    auto const replaced =
        body_of(call(svc, verb::put, path, alice,
                     R"({"summary":"Three","start":{"date":"2026-05-02"},"end":{"date":"2026-05-03"}})",
                     later + std::chrono::hours(1)));
    BOOST_TEST(str(replaced.at("summary")) == "Three");
    BOOST_TEST(!replaced.contains("description"));
    BOOST_TEST(str(replaced.at("id")) == "edit00001");
    BOOST_TEST(str(replaced.at("iCalUID")) == "edit00001@google.com");
    BOOST_TEST(replaced.at("sequence").as_int64() == 2);
    BOOST_TEST(replaced.at("start") == json::parse(R"({"date":"2026-05-02"})"));
    BOOST_TEST(replaced.at("creator") == created.at("creator"));
    BOOST_TEST(call(svc, verb::put, path, alice, R"({"summary":"no times"})").status == 400u);
    auto const guarded = body_of(call(svc, verb::patch, path, alice,
                                      R"({"iCalUID":"other@example.com","status":null,"reminders":null})"));
    BOOST_TEST(str(guarded.at("iCalUID")) == "edit00001@google.com");
    BOOST_TEST(str(guarded.at("status")) == "confirmed");
    BOOST_TEST(guarded.at("reminders") == json::parse(R"({"useDefault":true})"));
    BOOST_TEST(guarded.at("sequence").as_int64() == 3);
    BOOST_TEST(call(svc, verb::patch, path, alice, "not json").status == 400u);
}

BOOST_AUTO_TEST_CASE(delete_keeps_a_cancelled_event) {
    calendar_service svc({alice_email}, 5);
    BOOST_TEST(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                    R"({"id":"gone00001","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}})")
                   .status == 200u);
    std::string const path = "/calendar/v3/calendars/primary/events/gone00001";
    auto const res = call(svc, verb::delete_, path, alice);
    BOOST_TEST(res.status == 204u);
    BOOST_TEST(res.body.empty());
    auto const got = body_of(call(svc, verb::get, path, alice));
    BOOST_TEST(str(got.at("status")) == "cancelled");
    check_body(call(svc, verb::delete_, path, alice), 410,
               R"({"error":{"code":410,"message":"Resource has been deleted","errors":[{"domain":"global",
                   "reason":"deleted","message":"Resource has been deleted"}]}})");
    BOOST_TEST(list_all(svc, "/calendar/v3/calendars/primary/events", alice).items.empty());
    auto const shown = list_all(svc, "/calendar/v3/calendars/primary/events?showDeleted=true", alice);
    BOOST_REQUIRE_EQUAL(shown.items.size(), 1u);
    BOOST_TEST(str(shown.items[0].at("status")) == "cancelled");
    BOOST_TEST(svc.events(alice_email, false).empty());
    BOOST_TEST(svc.events(alice_email, true).size() == 1u);
    // updatedMin always reports deletions.
    BOOST_TEST(list_all(svc, "/calendar/v3/calendars/primary/events?updatedMin=2026-05-01T00:00:00Z", alice)
                   .items.size() == 1u);
}

// ---- freebusy.query ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(freebusy_matches_the_truth_for_many_calendars) {
    auto svc = make_service({30, 80});
    auto const min = at("2026-04-20T00:00:00Z");
    auto const max = at("2026-06-15T00:00:00Z");
    std::string items;
    for (auto const& id : svc.calendar_ids())
        items += (items.empty() ? "" : ",") + (R"({"id":")" + id + R"("})");
    items += R"(,{"id":"primary"})";
    auto const res =
        call(svc, verb::post, "/calendar/v3/freeBusy", alice,
             R"({"timeMin":"2026-04-20T02:00:00+02:00","timeMax":"2026-06-15T00:00:00Z","timeZone":"UTC",
                              "items":[)" +
                 items + "]}");
    BOOST_REQUIRE_EQUAL(res.status, 200u);
    auto const body = body_of(res);
    BOOST_TEST(str(body.at("kind")) == "calendar#freeBusy");
    BOOST_TEST(str(body.at("timeMin")) == "2026-04-20T00:00:00.000Z");
    BOOST_TEST(str(body.at("timeMax")) == "2026-06-15T00:00:00.000Z");
    auto const& calendars = body.at("calendars").as_object();
    BOOST_TEST(calendars.size() == svc.calendar_ids().size() + 1);
    std::size_t total = 0;
    for (auto const& id : svc.calendar_ids()) {
        auto const truth = expected_busy(svc.events(id, true), min, max);
        BOOST_TEST((svc.busy(id, min, max) == truth), id);
        std::vector<interval> got;
        for (auto const& p : calendars.at(id).at("busy").as_array())
            got.emplace_back(at(str(p.at("start"))), at(str(p.at("end"))));
        BOOST_TEST((got == truth), id);
        BOOST_TEST(!calendars.at(id).as_object().contains("errors"));
        total += got.size();
    }
    BOOST_TEST(total > 100u);
    BOOST_TEST(calendars.at("primary") == calendars.at(alice_email));
}

BOOST_AUTO_TEST_CASE(freebusy_clips_merges_and_skips_free_events) {
    calendar_service svc({alice_email}, 5);
    auto insert = [&](std::string const& extra, std::string const& start, std::string const& end) {
        BOOST_REQUIRE_EQUAL(call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
                                 R"({"start":{"dateTime":")" + start + R"("},"end":{"dateTime":")" + end +
                                     R"("})" + extra + "}")
                                .status,
                            200u);
    };
    insert("", "2026-05-01T08:00:00Z", "2026-05-01T09:30:00Z"); // clipped at timeMin
    insert("", "2026-05-01T10:00:00Z", "2026-05-01T11:00:00Z"); // merges with the next
    insert("", "2026-05-01T10:30:00Z", "2026-05-01T12:00:00Z");
    insert("", "2026-05-01T12:00:00Z", "2026-05-01T12:30:00Z"); // touches: merges too
    insert(R"(,"transparency":"transparent")", "2026-05-01T14:00:00Z", "2026-05-01T15:00:00Z"); // free
    insert(R"(,"status":"tentative")", "2026-05-01T15:00:00Z", "2026-05-01T15:30:00Z"); // not confirmed
    insert("", "2026-05-01T07:00:00Z", "2026-05-01T09:00:00Z");                         // ends at timeMin
    insert("", "2026-05-01T17:30:00Z", "2026-05-01T19:00:00Z");                         // clipped at timeMax
    auto const deleted = body_of(
        call(svc, verb::post, "/calendar/v3/calendars/primary/events", alice,
             R"({"start":{"dateTime":"2026-05-01T16:00:00Z"},"end":{"dateTime":"2026-05-01T17:00:00Z"}})"));
    BOOST_TEST(
        call(svc, verb::delete_, "/calendar/v3/calendars/primary/events/" + str(deleted.at("id")), alice)
            .status == 204u);
    check_body(
        call(
            svc, verb::post, "/calendar/v3/freeBusy", alice,
            R"({"timeMin":"2026-05-01T09:00:00Z","timeMax":"2026-05-01T18:00:00Z","items":[{"id":"primary"},{"id":"nobody@example.com"}]})"),
        200,
        R"({"kind":"calendar#freeBusy","timeMin":"2026-05-01T09:00:00.000Z","timeMax":"2026-05-01T18:00:00.000Z",
                   "calendars":{
                     "primary":{"busy":[{"start":"2026-05-01T09:00:00.000Z","end":"2026-05-01T09:30:00.000Z"},
                                        {"start":"2026-05-01T10:00:00.000Z","end":"2026-05-01T12:30:00.000Z"},
                                        {"start":"2026-05-01T17:30:00.000Z","end":"2026-05-01T18:00:00.000Z"}]},
                     "nobody@example.com":{"errors":[{"domain":"global","reason":"notFound"}],"busy":[]}}})");
}

BOOST_AUTO_TEST_CASE(freebusy_limits_and_errors) {
    auto svc = make_service({1, 1});
    auto const post = [&](std::string const& body) {
        return call(svc, verb::post, "/calendar/v3/freeBusy", alice, body);
    };
    std::string many;
    for (int i = 0; i < 51; ++i)
        many += (i ? "," : "") + (R"({"id":"cal)" + std::to_string(i) + R"(@example.com"})");
    auto const res =
        post(R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-05-02T00:00:00Z","items":[)" + many + "]}");
    BOOST_REQUIRE_EQUAL(res.status, 200u);
    auto const many_body = body_of(res);
    auto const& cals = many_body.at("calendars").as_object();
    BOOST_TEST(cals.size() == 51u);
    for (auto const& kv : cals)
        BOOST_TEST(kv.value() ==
                   json::parse(
                       R"({"errors":[{"domain":"global","reason":"tooManyCalendarsRequested"}],"busy":[]})"));
    // calendarExpansionMax lowers the limit.
    auto const limited = body_of(post(R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-05-02T00:00:00Z",
                                          "calendarExpansionMax":1,"items":[{"id":"primary"},{"id":"alice@example.com"}]})"));
    BOOST_TEST(str(limited.at("calendars").at("primary").at("errors").as_array()[0].at("reason")) ==
               "tooManyCalendarsRequested");

    std::string const invalid =
        R"({"error":{"code":400,"message":"Invalid Value","errors":[{"domain":"global","reason":"invalid","message":"Invalid Value"}]}})";
    check_body(
        post(
            R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-05-02T00:00:00Z","calendarExpansionMax":51,"items":[]})"),
        400, invalid);
    check_body(
        post(
            R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-05-02T00:00:00Z","groupExpansionMax":101,"items":[]})"),
        400, invalid);
    BOOST_TEST(body_of(post(R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-05-02T00:00:00Z",
                                "calendarExpansionMax":0,"items":[{"id":"primary"}]})"))
                   .at("calendars")
                   .at("primary")
                   .as_object()
                   .contains("busy"));
    BOOST_TEST(
        post(R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-05-02T00:00:00Z","groupExpansionMax":100,
                        "calendarExpansionMax":50,"items":[]})")
            .status == 200u);
    check_body(
        post(R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-07-30T00:00:01Z","items":[]})"), 400,
        R"({"error":{"code":400,"message":"The requested time range is too long.","errors":[{"domain":"calendar",
                   "reason":"timeRangeTooLong","message":"The requested time range is too long."}]}})");
    BOOST_TEST(
        post(R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-07-30T00:00:00Z","items":[]})").status ==
        200u);
    check_body(
        post(R"({"timeMin":"2026-05-02T00:00:00Z","timeMax":"2026-05-01T00:00:00Z","items":[]})"), 400,
        R"({"error":{"code":400,"message":"The specified time range is empty.","errors":[{"domain":"calendar",
                   "reason":"timeRangeEmpty","message":"The specified time range is empty.","locationType":"parameter",
                   "location":"timeMax"}]}})");
    check_body(
        post(R"({"timeMin":"yesterday","timeMax":"2026-05-01T00:00:00Z"})"), 400,
        R"({"error":{"code":400,"message":"Bad Request","errors":[{"domain":"global","reason":"badRequest",
                   "message":"Bad Request"}]}})");
    BOOST_TEST(post(R"({"timeMax":"2026-05-01T00:00:00Z"})").status == 400u);
    BOOST_TEST(
        post(R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-05-02T00:00:00Z","items":[{"name":"x"}]})")
            .status == 400u);
    BOOST_TEST(post("{").status == 400u);
    auto const empty =
        body_of(post(R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-05-02T00:00:00Z"})"));
    BOOST_TEST(empty.at("calendars").as_object().empty());
}

BOOST_AUTO_TEST_CASE(malformed_input_gets_a_4xx_never_a_crash) {
    auto svc = make_service({1, 5});
    for (
        std::string body : std::vector<std::string>{
            "null", "{}", "[]", "\"x\"", R"({"start":[],"end":{}})",
            R"({"start":{"date":5},"end":{"date":"x"}})",
            R"({"start":{"dateTime":null,"date":null},"end":{"date":"2026-05-02"}})",
            R"({"start":{"date":"2026-05-01","dateTime":"2026-05-01T00:00:00Z"},"end":{"date":"2026-05-02"}})",
            R"({"start":{"date":"2026-05-01","timeZone":7},"end":{"date":"2026-05-02"}})",
            std::string(200, '[')}) {
        BOOST_TEST(call(svc, verb::post, fixture1_path, alice, body).status == 400u, body);
        BOOST_TEST(call(svc, verb::post, "/calendar/v3/freeBusy", alice, body).status == 400u, body);
    }
    auto const victim = str(svc.events(fixture1, false)[0].at("id"));
    BOOST_TEST(call(svc, verb::patch, fixture1_path + "/" + victim, alice, R"({"start":null})").status ==
               400u);
    BOOST_TEST(call(svc, verb::put, fixture1_path + "/" + victim, alice, "{}").status == 400u);
    for (std::string token : std::vector<std::string>{
             encode_base64url("p1|7|1|-|0|x|" + fixture1), encode_base64url("p1|0|1|-|0|x"),
             encode_base64url("p1|0|x|-|0|x|" + fixture1), encode_base64url("p1|0|1|q|0|x|" + fixture1),
             encode_base64url("s1|1|1|" + fixture1), std::string("%25%25"), std::string("a%7Cb")})
        BOOST_TEST(call(svc, verb::get, fixture1_path + "?pageToken=" + token, alice).status == 400u, token);
    // A valid page token of one calendar is refused by another.
    auto const page =
        str(body_of(call(svc, verb::get, fixture1_path + "?maxResults=1", alice)).at("nextPageToken"));
    BOOST_TEST(
        call(svc, verb::get, "/calendar/v3/calendars/primary/events?pageToken=" + page, alice).status ==
        400u);
    for (std::string token : std::vector<std::string>{
             encode_base64url("s1|x|1|" + fixture1), encode_base64url("s1|99|1|" + fixture1),
             encode_base64url("s1|1|999999|" + fixture1), encode_base64url("p1|0|1|-|0|x|" + fixture1)})
        BOOST_TEST(call(svc, verb::get, fixture1_path + "?syncToken=" + token, alice).status == 410u, token);
    BOOST_TEST(svc.events(fixture1, true).size() == 5u);
}

BOOST_AUTO_TEST_CASE(inspect_json_counts_events) {
    auto svc = make_service({2, 10});
    auto const id = str(svc.events(fixture1, false)[0].at("id"));
    BOOST_TEST(call(svc, verb::delete_, fixture1_path + "/" + id, alice).status == 204u);
    auto const j = svc.inspect_json();
    auto const& cals = j.at("calendars").as_array();
    BOOST_REQUIRE_EQUAL(cals.size(), 4u);
    auto const& f = cals[2].as_object();
    BOOST_TEST(str(f.at("id")) == fixture1);
    BOOST_TEST(f.at("events").to_number<int>() == 9);
    BOOST_TEST(f.at("cancelled").to_number<int>() == 1);
    BOOST_TEST(j.at("calendarLists").at(bob_email).as_array().size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
