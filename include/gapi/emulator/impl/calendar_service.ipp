// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_IMPL_CALENDAR_SERVICE_IPP
#define GAPI_EMULATOR_IMPL_CALENDAR_SERVICE_IPP

#include <gapi/emulator/calendar_service.hpp>

#include <boost/container/small_vector.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string_view>

namespace gapi::emulator {

namespace detail::calendar {

namespace json = boost::json;
using time_point = clock_type::time_point;

// ---- method table ------------------------------------------------------------------------------
// Accepted scopes are copied from calendar-v3.json, per method.

inline constexpr std::array<std::string_view, 4> calendar_list_scopes{
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.calendarlist",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.readonly",
};

inline constexpr std::array<std::string_view, 9> event_read_scopes{
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.events.freebusy",
    "https://www.googleapis.com/auth/calendar.events.owned",
    "https://www.googleapis.com/auth/calendar.events.owned.readonly",
    "https://www.googleapis.com/auth/calendar.events.public.readonly",
    "https://www.googleapis.com/auth/calendar.events.readonly",
    "https://www.googleapis.com/auth/calendar.readonly",
};

inline constexpr std::array<std::string_view, 4> event_write_scopes{
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.events.owned",
};

inline constexpr std::array<std::string_view, 4> freebusy_scopes{
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.events.freebusy",
    "https://www.googleapis.com/auth/calendar.freebusy",
    "https://www.googleapis.com/auth/calendar.readonly",
};

inline constexpr method_info calendar_list_list{"calendar.calendarList.list", api_family::calendar, 1,
                                                calendar_list_scopes};
inline constexpr method_info events_list{"calendar.events.list", api_family::calendar, 1, event_read_scopes};
inline constexpr method_info events_get{"calendar.events.get", api_family::calendar, 1, event_read_scopes};
inline constexpr method_info events_insert{"calendar.events.insert", api_family::calendar, 1,
                                           event_write_scopes};
inline constexpr method_info events_patch{"calendar.events.patch", api_family::calendar, 1,
                                          event_write_scopes};
inline constexpr method_info events_update{"calendar.events.update", api_family::calendar, 1,
                                           event_write_scopes};
inline constexpr method_info events_delete{"calendar.events.delete", api_family::calendar, 1,
                                           event_write_scopes};
inline constexpr method_info freebusy_query{"calendar.freebusy.query", api_family::calendar, 1,
                                            freebusy_scopes};

inline constexpr std::array<std::string_view, 3> calendars_write_scopes{
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.calendars",
};
inline constexpr std::array<std::string_view, 5> calendars_read_scopes{
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.calendars",
    "https://www.googleapis.com/auth/calendar.calendars.readonly",
    "https://www.googleapis.com/auth/calendar.readonly",
};
inline constexpr std::array<std::string_view, 2> calendars_clear_scopes{
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.calendars",
};
inline constexpr method_info events_instances{"calendar.events.instances", api_family::calendar, 1,
                                              event_read_scopes};
inline constexpr method_info events_watch{"calendar.events.watch", api_family::calendar, 1, event_read_scopes};
inline constexpr method_info channels_stop{"calendar.channels.stop", api_family::calendar, 1, event_read_scopes};
inline constexpr std::array<std::string_view, 3> list_write_scopes{
    "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.calendarlist"};
inline constexpr std::array<std::string_view, 2> list_insert_scopes{
    "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.calendarlist"};
inline constexpr std::array<std::string_view, 5> list_read_scopes{
    "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.calendarlist", "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.readonly"};
inline constexpr std::array<std::string_view, 3> settings_scopes{
    "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.settings.readonly"};
inline constexpr std::array<std::string_view, 2> acl_write_scopes{"https://www.googleapis.com/auth/calendar",
                                                                  "https://www.googleapis.com/auth/calendar.acls"};
inline constexpr std::array<std::string_view, 3> acl_read_scopes{"https://www.googleapis.com/auth/calendar",
                                                                 "https://www.googleapis.com/auth/calendar.acls",
                                                                 "https://www.googleapis.com/auth/calendar.acls.readonly"};
inline constexpr std::array<std::string_view, 2> colors_scopes{"https://www.googleapis.com/auth/calendar",
                                                               "https://www.googleapis.com/auth/calendar.readonly"};
inline constexpr method_info calendars_patch{"calendar.calendars.patch", api_family::calendar, 1, calendars_write_scopes};
inline constexpr method_info calendars_update{"calendar.calendars.update", api_family::calendar, 1, calendars_write_scopes};
inline constexpr method_info calendar_list_get{"calendar.calendarList.get", api_family::calendar, 1, list_read_scopes};
inline constexpr method_info calendar_list_insert{"calendar.calendarList.insert", api_family::calendar, 1, list_insert_scopes};
inline constexpr method_info calendar_list_patch{"calendar.calendarList.patch", api_family::calendar, 1, list_write_scopes};
inline constexpr method_info calendar_list_update{"calendar.calendarList.update", api_family::calendar, 1, list_write_scopes};
inline constexpr method_info calendar_list_delete{"calendar.calendarList.delete", api_family::calendar, 1, list_write_scopes};
inline constexpr method_info colors_get{"calendar.colors.get", api_family::calendar, 1, colors_scopes};
inline constexpr method_info settings_list{"calendar.settings.list", api_family::calendar, 1, settings_scopes};
inline constexpr method_info settings_get{"calendar.settings.get", api_family::calendar, 1, settings_scopes};
inline constexpr method_info events_move{"calendar.events.move", api_family::calendar, 1, event_write_scopes};
inline constexpr method_info events_quick_add{"calendar.events.quickAdd", api_family::calendar, 1, event_write_scopes};
inline constexpr method_info events_import{"calendar.events.import", api_family::calendar, 1, event_write_scopes};
inline constexpr method_info acl_list{"calendar.acl.list", api_family::calendar, 1, acl_read_scopes};
inline constexpr method_info acl_insert{"calendar.acl.insert", api_family::calendar, 1, acl_write_scopes};
inline constexpr method_info acl_delete{"calendar.acl.delete", api_family::calendar, 1, acl_write_scopes};
inline constexpr method_info calendars_insert{"calendar.calendars.insert", api_family::calendar, 1,
                                              calendars_write_scopes};
inline constexpr method_info calendars_get{"calendar.calendars.get", api_family::calendar, 1, calendars_read_scopes};
inline constexpr method_info calendars_delete{"calendar.calendars.delete", api_family::calendar, 1,
                                              calendars_write_scopes};
inline constexpr method_info calendars_clear{"calendar.calendars.clear", api_family::calendar, 1,
                                             calendars_clear_scopes};

// ---- Google's error bodies (Calendar style: no `status`) -----------------------------------------

inline api_response not_found() {
    return error_response({.code = 404, .message = "Not Found", .reason = "notFound"});
}

// Google's generic answer to a query parameter with an unacceptable value (text unconfirmed).
inline api_response invalid_parameter(std::string_view name) {
    return error_response({.code = 400,
                           .message = "Invalid Value",
                           .reason = "invalid",
                           .location = std::string(name),
                           .location_type = "parameter"});
}

inline api_response invalid(std::string message) {
    return error_response({.code = 400, .message = std::move(message), .reason = "invalid"});
}

inline api_response required(std::string message) {
    return error_response({.code = 400, .message = std::move(message), .reason = "required"});
}

// What Calendar answers to a timestamp it cannot parse (observed: no location).
inline api_response bad_request() {
    return error_response({.code = 400, .message = "Bad Request", .reason = "badRequest"});
}

inline api_response parse_error() {
    return error_response({.code = 400, .message = "Parse Error", .reason = "parseError"});
}

inline api_response time_range_empty() {
    return error_response({.code = 400,
                           .message = "The specified time range is empty.",
                           .reason = "timeRangeEmpty",
                           .domain = "calendar",
                           .location = "timeMax",
                           .location_type = "parameter"});
}

inline api_response full_sync_required() {
    return error_response({.code = 410,
                           .message = "Sync token is no longer valid, a full sync is required.",
                           .reason = "fullSyncRequired",
                           .domain = "calendar",
                           .location = "syncToken",
                           .location_type = "parameter"});
}

inline api_response already_deleted() {
    return error_response({.code = 410, .message = "Resource has been deleted", .reason = "deleted"});
}

inline api_response duplicate() {
    return error_response(
        {.code = 409, .message = "The requested identifier already exists.", .reason = "duplicate"});
}

inline api_response writer_access_required() {
    return error_response({.code = 403,
                           .message = "You need to have writer access to this calendar.",
                           .reason = "requiredAccessLevel",
                           .domain = "calendar"});
}

inline api_response backend_error() {
    return error_response({.code = 500, .message = "Backend Error", .reason = "backendError"});
}

// Google's palette (colors.get): calendar colors 1-24, event colors 1-11.
inline json::object colors() {
    static constexpr std::string_view calendar_colors[] = {
        "#ac725e", "#d06b64", "#f83a22", "#fa573c", "#ff7537", "#ffad46", "#42d692", "#16a765",
        "#7bd148", "#b3dc6c", "#fbe983", "#fad165", "#92e1c0", "#9fe1e7", "#9fc6e7", "#4986e7",
        "#9a9cff", "#b99aff", "#c2c2c2", "#cabdbf", "#cca6ac", "#f691b2", "#cd74e6", "#a47ae2"};
    static constexpr std::string_view event_colors[] = {"#a4bdfc", "#7ae7bf", "#dbadff", "#ff887c",
                                                        "#fbd75b", "#ffb878", "#46d6db", "#e1e1e1",
                                                        "#5484ed", "#51b749", "#dc2127"};
    json::object cals, events;
    for (std::size_t i = 0; i < std::size(calendar_colors); ++i)
        cals[std::to_string(i + 1)] = json::object{{"background", calendar_colors[i]}, {"foreground", "#1d1d1d"}};
    for (std::size_t i = 0; i < std::size(event_colors); ++i)
        events[std::to_string(i + 1)] = json::object{{"background", event_colors[i]}, {"foreground", "#1d1d1d"}};
    return json::object{{"kind", "calendar#colors"}, {"updated", "2012-02-14T00:00:00.000Z"},
                        {"calendar", std::move(cals)}, {"event", std::move(events)}};
}

inline std::optional<json::object> parse_body(std::string const& text) {
    boost::system::error_code ec;
    auto parsed = json::parse(text, ec);
    if (ec || !parsed.is_object())
        return std::nullopt;
    return std::move(parsed.get_object());
}

inline api_response no_content() {
    api_response res;
    res.status = 204;
    return res;
}

inline api_response forbidden() {
    return error_response({.code = 403, .message = "Forbidden", .reason = "forbidden"});
}

// ---- small helpers -------------------------------------------------------------------------------

inline std::int64_t micros(time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

inline time_point from_micros(std::int64_t us) {
    return time_point(std::chrono::duration_cast<clock_type::duration>(std::chrono::microseconds(us)));
}

inline std::string_view string_field(json::object const& o, std::string_view key) {
    if (auto const* v = o.if_contains(key); v && v->is_string())
        return v->get_string();
    return {};
}

inline std::optional<std::int64_t> to_int(std::string_view s) {
    std::int64_t v = 0;
    auto const* end = s.data() + s.size();
    auto const [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc{} || p != end || s.empty())
        return std::nullopt;
    return v;
}

inline std::optional<std::int64_t> json_int(json::value const& v) {
    if (v.is_int64())
        return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.get_uint64());
    if (v.is_double() && v.get_double() == static_cast<double>(static_cast<std::int64_t>(v.get_double())))
        return static_cast<std::int64_t>(v.get_double());
    return std::nullopt;
}

// Query parameter readers: nullopt when absent; `error` is set when present but malformed.
inline std::optional<bool> bool_param(boost::urls::url const& url, std::string_view name,
                                      std::optional<api_response>& error) {
    auto const v = query_param(url, name);
    if (!v)
        return std::nullopt;
    if (*v == "true")
        return true;
    if (*v == "false")
        return false;
    error = invalid_parameter(name);
    return std::nullopt;
}

inline std::optional<std::int64_t> int_param(boost::urls::url const& url, std::string_view name,
                                             std::optional<api_response>& error) {
    auto const v = query_param(url, name);
    if (!v)
        return std::nullopt;
    auto const n = to_int(*v);
    if (!n)
        error = invalid_parameter(name);
    return n;
}

inline std::optional<time_point> time_param(boost::urls::url const& url, std::string_view name,
                                            std::optional<api_response>& error) {
    auto const v = query_param(url, name);
    if (!v)
        return std::nullopt;
    auto const t = parse_rfc3339(*v);
    if (!t)
        error = bad_request();
    return t;
}

inline bool is_base32hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'v'); });
}

inline bool valid_event_id(std::string_view id) {
    return id.size() >= 5 && id.size() <= 1024 && is_base32hex(id);
}

inline std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

inline std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (;;) {
        auto const pos = s.find(sep);
        parts.push_back(s.substr(0, pos));
        if (pos == std::string_view::npos)
            return parts;
        s.remove_prefix(pos + 1);
    }
}

inline std::optional<std::uint64_t> to_uint(std::string_view s) {
    std::uint64_t v = 0;
    auto const* end = s.data() + s.size();
    auto const [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc{} || p != end || s.empty())
        return std::nullopt;
    return v;
}

// "yyyy-mm-dd" strictly; the instant is midnight UTC of that date (no time zone database here).
inline std::optional<time_point> parse_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-')
        return std::nullopt;
    auto const y = to_int(s.substr(0, 4));
    auto const m = to_int(s.substr(5, 2));
    auto const d = to_int(s.substr(8, 2));
    if (!y || !m || !d || *y < 0 || *m < 1 || *d < 1)
        return std::nullopt;
    std::chrono::year_month_day const ymd{std::chrono::year(static_cast<int>(*y)),
                                          std::chrono::month(static_cast<unsigned>(*m)),
                                          std::chrono::day(static_cast<unsigned>(*d))};
    if (!ymd.ok())
        return std::nullopt;
    return time_point(std::chrono::sys_days(ymd));
}

inline std::string format_date(time_point t) {
    std::chrono::year_month_day const ymd{std::chrono::floor<std::chrono::days>(t)};
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return out;
}

// Wall-clock time at a fixed UTC offset, as clients write event times: 2026-05-01T10:00:00+09:00.
inline std::string format_local(time_point t, int offset_minutes) {
    using namespace std::chrono;
    auto const local = floor<seconds>(t) + minutes(offset_minutes);
    auto const day = floor<days>(local);
    year_month_day const ymd{day};
    hh_mm_ss const hms{local - day};
    char out[40];
    std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    std::string s = out;
    if (offset_minutes == 0)
        return s + "Z";
    int const a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    std::snprintf(out, sizeof out, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
    return s + out;
}

struct event_time {
    time_point instant;
    bool all_day = false;
};

// Reads an EventDateTime. `which` is "start" or "end", as Google words its messages.
inline std::optional<event_time> parse_event_time(json::object const& event, std::string_view which,
                                                  std::optional<api_response>& error) {
    std::string const what(which);
    auto const* v = event.if_contains(which);
    if (!v || v->is_null() || !v->is_object()) {
        error = required("Missing " + what + " time.");
        return std::nullopt;
    }
    auto const& o = v->get_object();
    auto const* date = o.if_contains("date");
    auto const* date_time = o.if_contains("dateTime");
    auto const* zone = o.if_contains("timeZone");
    bool const has_date = date && !date->is_null();
    bool const has_date_time = date_time && !date_time->is_null();
    if ((zone && !zone->is_null() && !zone->is_string()) || (has_date && has_date_time)) {
        error = invalid("Invalid " + what + " time.");
        return std::nullopt;
    }
    if (has_date) {
        auto const t = date->is_string() ? parse_date(date->get_string()) : std::nullopt;
        if (!t) {
            error = invalid("Invalid " + what + " time.");
            return std::nullopt;
        }
        return event_time{*t, true};
    }
    if (has_date_time) {
        if (!date_time->is_string()) {
            error = invalid("Invalid " + what + " time.");
            return std::nullopt;
        }
        std::string_view const text = date_time->get_string();
        if (auto const t = parse_rfc3339(text))
            return event_time{*t, false};
        // A local time is only meaningful with a named zone. Without a time zone database the
        // emulator reads it as UTC, which keeps the round trip exact but shifts filtering.
        if (auto const local = parse_rfc3339(std::string(text) + "Z")) {
            if (zone && zone->is_string() && !zone->get_string().empty())
                return event_time{*local, false};
            error = required("Missing time zone definition for " + what + " time.");
            return std::nullopt;
        }
        error = invalid("Invalid " + what + " time.");
        return std::nullopt;
    }
    error = required("Missing " + what + " time.");
    return std::nullopt;
}

struct event_times {
    time_point start;
    time_point end;
};

// Checks the client-settable fields of a whole Event resource.
inline std::optional<event_times> validate_event(json::object const& event,
                                                 std::optional<api_response>& error) {
    for (std::string_view key : {"summary", "description", "location", "status", "transparency", "visibility",
                                 "colorId", "iCalUID", "eventType"}) {
        if (auto const* v = event.if_contains(key); v && !v->is_null() && !v->is_string()) {
            error = invalid("Invalid Value");
            return std::nullopt;
        }
    }
    auto const one_of = [&](std::string_view key, std::initializer_list<std::string_view> allowed) {
        auto const* v = event.if_contains(key);
        if (!v || !v->is_string())
            return true;
        return std::find(allowed.begin(), allowed.end(), std::string_view(v->get_string())) != allowed.end();
    };
    if (!one_of("status", {"confirmed", "tentative", "cancelled"}) ||
        !one_of("transparency", {"opaque", "transparent"}) ||
        !one_of("visibility", {"default", "public", "private", "confidential"})) {
        error = invalid("Invalid Value");
        return std::nullopt;
    }
    auto const start = parse_event_time(event, "start", error);
    if (!start)
        return std::nullopt;
    auto const end = parse_event_time(event, "end", error);
    if (!end)
        return std::nullopt;
    if (start->all_day != end->all_day) {
        error = invalid("Start and end times must either both be date or both be dateTime.");
        return std::nullopt;
    }
    if (end->instant < start->instant || (start->all_day && end->instant == start->instant)) {
        error = time_range_empty();
        return std::nullopt;
    }
    return event_times{start->instant, end->instant};
}

// Fields the server owns: whatever a client sends for them is ignored.
inline bool server_owned(std::string_view key) {
    static constexpr std::array<std::string_view, 9> keys{
        "kind", "etag", "id", "htmlLink", "created", "updated", "creator", "organizer", "sequence"};
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// Free-text search as q does it: every term must occur, case-insensitively, in one of the fields.
inline bool matches_query(json::object const& e, std::string_view q) {
    std::string hay;
    auto add = [&](std::string_view s) {
        hay += lower(s);
        hay += '\n';
    };
    add(string_field(e, "summary"));
    add(string_field(e, "description"));
    add(string_field(e, "location"));
    for (std::string_view person : {"organizer", "creator"})
        if (auto const* p = e.if_contains(person); p && p->is_object()) {
            add(string_field(p->get_object(), "email"));
            add(string_field(p->get_object(), "displayName"));
        }
    if (auto const* a = e.if_contains("attendees"); a && a->is_array())
        for (auto const& x : a->get_array())
            if (x.is_object()) {
                add(string_field(x.get_object(), "email"));
                add(string_field(x.get_object(), "displayName"));
            }
    std::string const needle = lower(q);
    std::size_t i = 0;
    while (i < needle.size()) {
        auto const b = needle.find_first_not_of(" \t\r\n", i);
        if (b == std::string::npos)
            break;
        auto e2 = needle.find_first_of(" \t\r\n", b);
        if (e2 == std::string::npos)
            e2 = needle.size();
        if (hay.find(std::string_view(needle).substr(b, e2 - b)) == std::string::npos)
            return false;
        i = e2;
    }
    return true;
}

inline int role_rank(std::string_view role) {
    if (role == "freeBusyReader")
        return 1;
    if (role == "reader")
        return 2;
    if (role == "writer")
        return 3;
    if (role == "owner")
        return 4;
    return 0;
}

// ---- opaque tokens ---------------------------------------------------------------------------
// Tokens are base64url text so clients treat them as opaque, as they must with Google's.

enum class order_kind : int { created = 0, start_time = 1, updated = 2 };

// Where a listing stands between pages: keyset paging (the sort key of the last item sent)
// returns every event exactly once even if the calendar changes between pages.
struct page_cursor {
    order_kind order = order_kind::created;
    std::uint64_t snapshot = 0;           // calendar change sequence when the listing began
    std::optional<std::uint64_t> since;   // incremental sync: changes after this sequence
    std::optional<std::int64_t> last_key; // absent on the first page
    std::string last_id;
    std::string calendar_id;
};

inline std::string encode_page_token(page_cursor const& c) {
    std::string s = "p1|" + std::to_string(static_cast<int>(c.order)) + "|" + std::to_string(c.snapshot) +
                    "|" + (c.since ? std::to_string(*c.since) : std::string("-")) + "|" +
                    std::to_string(c.last_key.value_or(0)) + "|" + c.last_id + "|" + c.calendar_id;
    return encode_base64url(s);
}

inline std::optional<page_cursor> decode_page_token(std::string_view token) {
    auto const text = decode_base64_any(token);
    if (!text)
        return std::nullopt;
    auto const parts = split(*text, '|');
    if (parts.size() < 7 || parts[0] != "p1")
        return std::nullopt;
    page_cursor c;
    auto const order = to_int(parts[1]);
    auto const snapshot = to_uint(parts[2]);
    auto const key = to_int(parts[4]);
    if (!order || *order < 0 || *order > 2 || !snapshot || !key)
        return std::nullopt;
    c.order = static_cast<order_kind>(*order);
    c.snapshot = *snapshot;
    if (parts[3] != "-") {
        auto const since = to_uint(parts[3]);
        if (!since)
            return std::nullopt;
        c.since = *since;
    }
    c.last_key = *key;
    c.last_id = std::string(parts[5]);
    // The calendar id is last and may itself contain the separator.
    auto const prefix = parts[0].size() + parts[1].size() + parts[2].size() + parts[3].size() +
                        parts[4].size() + parts[5].size() + 6;
    c.calendar_id = text->substr(prefix);
    return c;
}

inline std::string encode_sync_token(std::uint64_t generation, std::uint64_t seq, std::string const& id) {
    return encode_base64url("s1|" + std::to_string(generation) + "|" + std::to_string(seq) + "|" + id);
}

struct sync_point {
    std::uint64_t generation = 0;
    std::uint64_t seq = 0;
    std::string id;
};

inline std::optional<sync_point> decode_sync_token(std::string_view token) {
    auto const text = decode_base64_any(token);
    if (!text)
        return std::nullopt;
    auto const parts = split(*text, '|');
    if (parts.size() < 4 || parts[0] != "s1")
        return std::nullopt;
    auto const generation = to_uint(parts[1]);
    auto const seq = to_uint(parts[2]);
    if (!generation || !seq)
        return std::nullopt;
    auto const prefix = parts[0].size() + parts[1].size() + parts[2].size() + 3;
    return sync_point{*generation, *seq, text->substr(prefix)};
}

inline std::string quoted_digits(std::uint64_t n) {
    return "\"" + std::to_string(n) + "\"";
}

// ---- fixture vocabulary ----------------------------------------------------------------------

inline constexpr std::array<std::string_view, 10> fixture_topics{"Budget",    "Design",  "Roadmap",  "Hiring",
                                                                 "Security",  "Release", "Customer", "Vendor",
                                                                 "Quarterly", "Team"};
inline constexpr std::array<std::string_view, 10> fixture_kinds{
    "review", "sync", "planning", "standup", "lunch", "workshop", "call", "retro", "interview", "offsite"};
inline constexpr std::array<std::string_view, 4> fixture_locations{"Room Aurora", "Room Borealis",
                                                                   "Zurich office", "Video call"};

struct fixed_zone {
    std::string_view name;
    int offset_minutes;
};
// Zones without daylight saving time, so a fixed offset always agrees with the zone's name.
inline constexpr std::array<fixed_zone, 5> fixture_zones{{{"UTC", 0},
                                                          {"Asia/Tokyo", 540},
                                                          {"Asia/Kolkata", 330},
                                                          {"America/Sao_Paulo", -180},
                                                          {"Asia/Dubai", 240}}};

inline constexpr std::array<std::string_view, 6> fixture_colors{"#9fe1e7", "#7bd148", "#f83a22",
                                                                "#fad165", "#9a9cff", "#cd74e6"};

inline std::string random_event_id(std::mt19937_64& rng) {
    static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuv";
    std::string id(26, '0');
    for (auto& c : id)
        c = alphabet[rng() % 32];
    return id;
}

} // namespace detail::calendar

// ---- construction and fixtures -------------------------------------------------------------------

GAPI_DECL calendar_service::calendar_service(std::vector<std::string> users, std::uint64_t seed)
    : users_(std::move(users)), seed_(seed), rng_(seed) {
    reset_users();
}

GAPI_DECL void calendar_service::reset_users() {
    calendars_.clear();
    lists_.clear();
    for (auto const& u : users_)
        ensure_user(u);
}

GAPI_DECL calendar_service::user_data& calendar_service::ensure_user(std::string const& email) {
    auto [it, inserted] = lists_.try_emplace(email);
    if (inserted && !email.empty()) {
        auto& cal = calendars_[email];
        cal.id = email;
        cal.summary = email;
        cal.owner = email;
        cal.primary = true;
        it->second.entries.push_back({email, "owner", "14", "#9fe1e7", list_version_});
    }
    return it->second;
}

GAPI_DECL std::string calendar_service::new_event_id() {
    return detail::calendar::random_event_id(rng_);
}

// Etags only have to change on every write; keeping them increasing also keeps them unique
// when the emulator's clock stands still.
GAPI_DECL std::string calendar_service::next_etag(clock_type::time_point updated) {
    auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(updated.time_since_epoch()).count();
    std::uint64_t const candidate = ms > 0 ? static_cast<std::uint64_t>(ms) * 1000 : 0;
    last_etag_ = std::max(last_etag_ + 1, candidate);
    return detail::calendar::quoted_digits(last_etag_);
}

GAPI_DECL void calendar_service::load_fixture(calendar_fixture fixture, clock_type::time_point now) {
    using namespace std::chrono;
    namespace cal = detail::calendar;
    namespace json = boost::json;
    ++sync_generation_;
    ++list_version_;
    last_etag_ = 0;
    rng_.seed(seed_);
    reset_users();
    std::mt19937_64 rng(seed_ ^ 0x9e3779b97f4a7c15ULL);
    auto const pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };

    auto const base = floor<minutes>(now);
    auto const window_start = base - days(30);
    // 15-minute slots over [now - 30 days, now + 90 days), leaving room for the longest event.
    std::size_t const slots = 120 * 24 * 4 - 12;
    auto modified = now - hours(24);

    auto add_events = [&](calendar_data& c, std::size_t count, std::string const& creator) {
        clock_type::time_point previous_start = window_start;
        for (std::size_t i = 0; i < count; ++i) {
            clock_type::time_point start = window_start + minutes(15 * static_cast<long>(pick(slots)));
            if (i % 9 == 8) // guaranteed overlaps with the previous event
                start = previous_start + minutes(15);
            previous_start = start;
            bool const all_day = pick(10) == 0;
            auto const topic = cal::fixture_topics[pick(cal::fixture_topics.size())];
            auto const kind = cal::fixture_kinds[pick(cal::fixture_kinds.size())];

            json::object ev;
            std::string const id = cal::random_event_id(rng);
            modified += milliseconds(1);
            ev["kind"] = "calendar#event";
            ev["etag"] = next_etag(modified);
            ev["id"] = id;
            ev["status"] = pick(20) == 0 ? "tentative" : "confirmed";
            ev["htmlLink"] = "https://www.google.com/calendar/event?eid=" + encode_base64url(id + " " + c.id);
            ev["created"] = format_rfc3339(modified);
            ev["updated"] = format_rfc3339(modified);
            ev["summary"] = std::string(topic) + " " + std::string(kind);
            if (pick(3) == 0)
                ev["description"] = "Agenda: " + cal::lower(topic) + " " + std::string(kind) + " notes";
            if (pick(4) == 0)
                ev["location"] = cal::fixture_locations[pick(cal::fixture_locations.size())];
            json::object creator_obj{{"email", creator}};
            if (creator == c.id)
                creator_obj["self"] = true;
            ev["creator"] = std::move(creator_obj);
            json::object organizer{{"email", c.id}};
            if (!c.primary)
                organizer["displayName"] = c.summary;
            organizer["self"] = true;
            ev["organizer"] = std::move(organizer);
            clock_type::time_point end;
            if (all_day) {
                auto const day = floor<days>(start);
                end = day + days(1 + static_cast<long>(pick(3)));
                start = day;
                ev["start"] = json::object{{"date", cal::format_date(start)}};
                ev["end"] = json::object{{"date", cal::format_date(end)}};
                if (pick(2) == 0)
                    ev["transparency"] = "transparent";
            } else {
                static constexpr std::array<int, 7> durations{15, 30, 45, 60, 90, 120, 180};
                end = start + minutes(durations[pick(durations.size())]);
                auto const zone = cal::fixture_zones[pick(cal::fixture_zones.size())];
                bool const named = pick(3) != 0;
                json::object s{{"dateTime", cal::format_local(start, zone.offset_minutes)}};
                json::object e{{"dateTime", cal::format_local(end, zone.offset_minutes)}};
                if (named) {
                    s["timeZone"] = zone.name;
                    e["timeZone"] = zone.name;
                }
                ev["start"] = std::move(s);
                ev["end"] = std::move(e);
                if (pick(10) == 0)
                    ev["transparency"] = "transparent";
            }
            ev["iCalUID"] = id + "@google.com";
            ev["sequence"] = 0;
            ev["reminders"] = json::object{{"useDefault", true}};
            ev["eventType"] = "default";

            ++c.change_seq;
            stored_event stored{std::move(ev), start, end, c.change_seq, c.change_seq};
            stored.updated = modified;
            c.events[id] = std::move(stored);
            c.updated = modified;
        }
    };

    for (auto const& u : users_) {
        if (u.empty())
            continue;
        add_events(calendars_[u], 5, u);
    }
    std::string const owner = users_.empty() ? std::string() : users_.front();
    for (std::size_t i = 1; i <= fixture.calendars; ++i) {
        char id[64];
        std::snprintf(id, sizeof id, "fixture-%04zu@group.calendar.google.com", i);
        auto& c = calendars_[id];
        c.id = id;
        c.summary = "Fixture calendar " + std::to_string(i);
        c.time_zone = std::string(cal::fixture_zones[(i - 1) % cal::fixture_zones.size()].name);
        c.owner = owner;
        add_events(c, fixture.events_per_calendar, owner.empty() ? c.id : owner);
        std::string const color(cal::fixture_colors[(i - 1) % cal::fixture_colors.size()]);
        for (std::size_t u = 0; u < users_.size(); ++u)
            if (!users_[u].empty())
                lists_[users_[u]].entries.push_back({c.id, u == 0 ? "owner" : "reader",
                                                     std::to_string(1 + (i - 1) % 24), color, list_version_});
    }
}

// ---- inspection ----------------------------------------------------------------------------------

GAPI_DECL std::vector<std::string> calendar_service::calendar_ids() const {
    std::vector<std::string> ids;
    for (auto const& [id, c] : calendars_)
        ids.push_back(id);
    return ids;
}

GAPI_DECL std::vector<boost::json::object> calendar_service::events(std::string const& calendar_id,
                                                                    bool include_deleted) const {
    std::vector<boost::json::object> out;
    auto const it = calendars_.find(calendar_id);
    if (it == calendars_.end())
        return out;
    std::vector<stored_event const*> sorted;
    for (auto const& [id, e] : it->second.events)
        if (include_deleted || detail::calendar::string_field(e.resource, "status") != "cancelled")
            sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(),
              [](stored_event const* a, stored_event const* b) { return a->created_seq < b->created_seq; });
    for (auto const* e : sorted)
        out.push_back(e->resource);
    return out;
}

GAPI_DECL std::vector<std::pair<clock_type::time_point, clock_type::time_point>>
calendar_service::busy(std::string const& calendar_id, clock_type::time_point min,
                       clock_type::time_point max) const {
    std::vector<std::pair<clock_type::time_point, clock_type::time_point>> intervals;
    auto const it = calendars_.find(calendar_id);
    if (it == calendars_.end())
        return intervals;
    for (auto const& [id, e] : it->second.events) {
        if (detail::calendar::string_field(e.resource, "status") != "confirmed" ||
            detail::calendar::string_field(e.resource, "transparency") == "transparent")
            continue;
        if (e.start < max && e.end > min && e.start < e.end)
            intervals.emplace_back(std::max(e.start, min), std::min(e.end, max));
    }
    std::sort(intervals.begin(), intervals.end());
    std::vector<std::pair<clock_type::time_point, clock_type::time_point>> merged;
    for (auto const& iv : intervals) {
        if (!merged.empty() && iv.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, iv.second);
        else
            merged.push_back(iv);
    }
    return merged;
}

GAPI_DECL void calendar_service::invalidate_sync_tokens() {
    ++sync_generation_;
}

GAPI_DECL boost::json::object calendar_service::inspect_json() const {
    namespace json = boost::json;
    json::array cals;
    for (auto const& [id, c] : calendars_) {
        std::size_t cancelled = 0;
        for (auto const& [eid, e] : c.events)
            if (detail::calendar::string_field(e.resource, "status") == "cancelled")
                ++cancelled;
        cals.push_back(json::object{{"id", id},
                                    {"summary", c.summary},
                                    {"timeZone", c.time_zone},
                                    {"events", c.events.size() - cancelled},
                                    {"cancelled", cancelled},
                                    {"changeSequence", c.change_seq}});
    }
    json::object lists;
    for (auto const& [user, data] : lists_) {
        json::array ids;
        for (auto const& e : data.entries)
            ids.push_back(json::string(e.calendar_id));
        lists[user] = std::move(ids);
    }
    json::array channels;
    for (auto const& [id, channel] : channels_)
        channels.push_back(json::object{{"id", id},
                                        {"resourceId", channel.at("resourceId")},
                                        {"address", channel.at("address")},
                                        {"calendarId", channel.at("calendarId")}});
    return json::object{{"calendars", std::move(cals)}, {"calendarLists", std::move(lists)},
                        {"channels", std::move(channels)}};
}

// ---- routing -------------------------------------------------------------------------------------

GAPI_DECL std::optional<matched_call> calendar_service::match(verb method,
                                                              boost::urls::url const& url) const {
    namespace cal = detail::calendar;
    boost::container::small_vector<std::string_view, 10> s;
    std::forward_list<std::string> decoded;
    decoded_segments(url, s, decoded);
    if (s.size() < 3 || s[0] != "calendar" || s[1] != "v3")
        return std::nullopt;
    auto const call = [](method_info const& m, std::initializer_list<std::string_view> params) {
        return matched_call{&m, std::vector<std::string>(params.begin(), params.end())};
    };
    if (s.size() == 3 && s[2] == "freeBusy" && method == verb::post)
        return call(cal::freebusy_query, {});
    if (s.size() == 5 && s[2] == "users" && s[3] == "me" && s[4] == "calendarList" && method == verb::get)
        return call(cal::calendar_list_list, {});
    if (s.size() == 3 && s[2] == "colors" && method == verb::get)
        return call(cal::colors_get, {});
    if (s.size() >= 5 && s[2] == "users" && s[3] == "me" && s[4] == "settings" && method == verb::get) {
        if (s.size() == 5)
            return call(cal::settings_list, {});
        if (s.size() == 6)
            return call(cal::settings_get, {s[5]});
    }
    if (s.size() == 5 && s[2] == "users" && s[3] == "me" && s[4] == "calendarList" && method == verb::post)
        return call(cal::calendar_list_insert, {});
    if (s.size() == 6 && s[2] == "users" && s[3] == "me" && s[4] == "calendarList") {
        if (method == verb::get)
            return call(cal::calendar_list_get, {s[5]});
        if (method == verb::patch)
            return call(cal::calendar_list_patch, {s[5]});
        if (method == verb::put)
            return call(cal::calendar_list_update, {s[5]});
        if (method == verb::delete_)
            return call(cal::calendar_list_delete, {s[5]});
    }
    if (s.size() == 5 && s[2] == "calendars" && s[4] == "acl") {
        if (method == verb::get)
            return call(cal::acl_list, {s[3]});
        if (method == verb::post)
            return call(cal::acl_insert, {s[3]});
    }
    if (s.size() == 6 && s[2] == "calendars" && s[4] == "acl" && method == verb::delete_)
        return call(cal::acl_delete, {s[3], s[5]});
    if (s.size() == 6 && s[2] == "calendars" && s[4] == "events" && method == verb::post) {
        if (s[5] == "quickAdd")
            return call(cal::events_quick_add, {s[3]});
        if (s[5] == "import")
            return call(cal::events_import, {s[3]});
    }
    if (s.size() == 7 && s[2] == "calendars" && s[4] == "events" && s[6] == "move" && method == verb::post)
        return call(cal::events_move, {s[3], s[5]});
    if (s.size() == 4 && s[2] == "channels" && s[3] == "stop" && method == verb::post)
        return call(cal::channels_stop, {});
    if (s.size() == 6 && s[2] == "calendars" && s[4] == "events" && s[5] == "watch" && method == verb::post)
        return call(cal::events_watch, {s[3]});
    if (s.size() == 7 && s[2] == "calendars" && s[4] == "events" && s[6] == "instances" && method == verb::get)
        return call(cal::events_instances, {s[3], s[5]});
    if (s.size() == 3 && s[2] == "calendars" && method == verb::post)
        return call(cal::calendars_insert, {});
    if (s.size() == 4 && s[2] == "calendars" && !s[3].empty()) {
        if (method == verb::get)
            return call(cal::calendars_get, {s[3]});
        if (method == verb::delete_)
            return call(cal::calendars_delete, {s[3]});
        if (method == verb::patch)
            return call(cal::calendars_patch, {s[3]});
        if (method == verb::put)
            return call(cal::calendars_update, {s[3]});
        return std::nullopt;
    }
    if (s.size() == 5 && s[2] == "calendars" && !s[3].empty() && s[4] == "clear" && method == verb::post)
        return call(cal::calendars_clear, {s[3]});
    if (s[2] != "calendars" || s.size() < 5 || s[3].empty() || s[4] != "events")
        return std::nullopt;
    if (s.size() == 5) {
        if (method == verb::get)
            return call(cal::events_list, {s[3]});
        if (method == verb::post)
            return call(cal::events_insert, {s[3]});
        return std::nullopt;
    }
    if (s.size() != 6 || s[5].empty())
        return std::nullopt;
    switch (method) {
    case verb::get:
        return call(cal::events_get, {s[3], s[5]});
    case verb::patch:
        return call(cal::events_patch, {s[3], s[5]});
    case verb::put:
        return call(cal::events_update, {s[3], s[5]});
    case verb::delete_:
        return call(cal::events_delete, {s[3], s[5]});
    default:
        return std::nullopt;
    }
}

GAPI_DECL api_response calendar_service::handle(matched_call const& call, api_request const& request,
                                                principal const& who) {
    namespace cal = detail::calendar;
    try {
        auto const* m = call.method;
        auto const param = [&](std::size_t i) -> std::string const& {
            static std::string const none;
            return i < call.params.size() ? call.params[i] : none;
        };
        if (m == &cal::calendar_list_list)
            return calendar_list(request, who);
        if (m == &cal::events_list)
            return list_events(param(0), request, who);
        if (m == &cal::events_get)
            return get_event(param(0), param(1), who);
        if (m == &cal::events_insert)
            return insert_event(param(0), request, who);
        if (m == &cal::events_patch)
            return modify_event(param(0), param(1), request, who, false);
        if (m == &cal::events_update)
            return modify_event(param(0), param(1), request, who, true);
        if (m == &cal::events_delete)
            return delete_event(param(0), param(1), request, who);
        if (m == &cal::freebusy_query)
            return free_busy(request, who);
        if (m == &cal::calendars_patch || m == &cal::calendars_update)
            return change_calendar(param(0), request, who, m == &cal::calendars_update);
        if (m == &cal::calendar_list_get)
            return calendar_list_entry(param(0), request, who, verb::get);
        if (m == &cal::calendar_list_patch || m == &cal::calendar_list_update)
            return calendar_list_entry(param(0), request, who, verb::patch); // the fields it keeps are all sent
        if (m == &cal::calendar_list_delete)
            return calendar_list_entry(param(0), request, who, verb::delete_);
        if (m == &cal::calendar_list_insert)
            return insert_list_entry(request, who);
        if (m == &cal::colors_get)
            return json_response(200, cal::colors());
        if (m == &cal::settings_list)
            return user_settings(nullptr, who);
        if (m == &cal::settings_get)
            return user_settings(&param(0), who);
        if (m == &cal::events_move)
            return move_event(param(0), param(1), request, who);
        if (m == &cal::events_quick_add)
            return quick_add(param(0), request, who);
        if (m == &cal::events_import)
            return import_event(param(0), request, who);
        if (m == &cal::acl_list || m == &cal::acl_insert)
            return acl(param(0), {}, request, who, m == &cal::acl_list ? verb::get : verb::post);
        if (m == &cal::acl_delete)
            return acl(param(0), param(1), request, who, verb::delete_);
        if (m == &cal::events_instances)
            return event_instances(param(0), param(1), request, who);
        if (m == &cal::events_watch)
            return watch_events(param(0), request, who);
        if (m == &cal::channels_stop)
            return stop_channel(request);
        if (m == &cal::calendars_insert)
            return insert_calendar(request, who);
        if (m == &cal::calendars_get)
            return get_calendar(param(0), who);
        if (m == &cal::calendars_delete)
            return delete_calendar(param(0), who, false);
        if (m == &cal::calendars_clear)
            return delete_calendar(param(0), who, true);
        return cal::not_found();
    } catch (std::exception const&) {
        return cal::backend_error();
    }
}

GAPI_DECL calendar_service::list_entry const*
calendar_service::entry_for(std::string const& email, std::string const& calendar_id) const {
    auto const it = lists_.find(email);
    if (it == lists_.end())
        return nullptr;
    for (auto const& e : it->second.entries)
        if (e.calendar_id == calendar_id)
            return calendars_.count(calendar_id) ? &e : nullptr;
    return nullptr;
}

// ---- calendarList.list ---------------------------------------------------------------------------

GAPI_DECL boost::json::object calendar_service::list_item(list_entry const& e, principal const& who) const {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    auto const& c = calendars_.at(e.calendar_id);
    json::object item;
    item["kind"] = "calendar#calendarListEntry";
    item["etag"] = cal::quoted_digits(1000 + e.version);
    item["id"] = c.id;
    item["summary"] = c.summary;
    item["timeZone"] = c.time_zone;
    item["colorId"] = e.color_id;
    item["backgroundColor"] = e.background_color;
    item["foregroundColor"] = "#000000";
    item["selected"] = true;
    item["accessRole"] = e.access_role;
    bool const own_primary = c.primary && c.id == who.email;
    item["defaultReminders"] =
        own_primary ? json::array{json::object{{"method", "popup"}, {"minutes", 10}}} : json::array{};
    if (own_primary) {
        item["notificationSettings"] =
            json::object{{"notifications",
                          json::array{json::object{{"type", "eventCreation"}, {"method", "email"}},
                                      json::object{{"type", "eventChange"}, {"method", "email"}},
                                      json::object{{"type", "eventCancellation"}, {"method", "email"}},
                                      json::object{{"type", "eventResponse"}, {"method", "email"}}}}};
        item["primary"] = true;
    } else if (!c.primary && !c.owner.empty()) {
        item["dataOwner"] = c.owner;
    }
    item["conferenceProperties"] =
        json::object{{"allowedConferenceSolutionTypes", json::array{"hangoutsMeet"}}};
    return item;
}

GAPI_DECL api_response calendar_service::calendar_list(api_request const& request, principal const& who) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    auto const& url = request.url;
    std::optional<api_response> error;
    auto const max_results = cal::int_param(url, "maxResults", error);
    auto const show_deleted = cal::bool_param(url, "showDeleted", error);
    auto const show_hidden = cal::bool_param(url, "showHidden", error);
    if (error)
        return *error;
    (void)show_deleted; // nothing is ever deleted from or hidden in an emulated calendar list
    (void)show_hidden;
    std::size_t limit = 100;
    if (max_results) {
        if (*max_results < 1)
            return cal::invalid_parameter("maxResults");
        limit = static_cast<std::size_t>(std::min<std::int64_t>(*max_results, 250));
    }
    auto const min_role = query_param(url, "minAccessRole");
    if (min_role && cal::role_rank(*min_role) == 0)
        return cal::invalid_parameter("minAccessRole");
    auto const sync_token = query_param(url, "syncToken");
    if (sync_token && min_role)
        return cal::invalid_parameter("minAccessRole");

    auto& user = ensure_user(who.email);
    std::optional<std::uint64_t> since;
    std::size_t offset = 0;
    if (auto const page = query_param(url, "pageToken")) {
        // "l1|offset|since" — offset paging is enough: a calendar list only changes on reload.
        auto const text = decode_base64_any(*page);
        auto const parts = text ? cal::split(*text, '|') : std::vector<std::string_view>{};
        auto const off = parts.size() == 3 && parts[0] == "l1" ? cal::to_uint(parts[1]) : std::nullopt;
        if (!off)
            return cal::invalid_parameter("pageToken");
        offset = static_cast<std::size_t>(*off);
        if (parts[2] != "-") {
            auto const s = cal::to_uint(parts[2]);
            if (!s)
                return cal::invalid_parameter("pageToken");
            since = *s;
        }
    } else if (sync_token) {
        auto const point = cal::decode_sync_token(*sync_token);
        if (!point || point->generation != sync_generation_ || point->id != "list:" + who.email ||
            point->seq > list_version_)
            return cal::full_sync_required();
        since = point->seq;
    }

    std::vector<list_entry const*> selected;
    for (auto const& e : user.entries) {
        if (since && e.version <= *since)
            continue;
        if (min_role && cal::role_rank(e.access_role) < cal::role_rank(*min_role))
            continue;
        if (!calendars_.count(e.calendar_id))
            continue;
        selected.push_back(&e);
    }

    json::array items;
    std::size_t const end = std::min(selected.size(), offset + limit);
    for (std::size_t i = offset; i < end; ++i) {
        items.push_back(list_item(*selected[i], who));
    }

    json::object body;
    body["kind"] = "calendar#calendarList";
    body["etag"] = cal::quoted_digits(1000 + list_version_);
    if (end < selected.size())
        body["nextPageToken"] = encode_base64url("l1|" + std::to_string(end) + "|" +
                                                 (since ? std::to_string(*since) : std::string("-")));
    else
        body["nextSyncToken"] = cal::encode_sync_token(sync_generation_, list_version_, "list:" + who.email);
    body["items"] = std::move(items);
    return json_response(200, body);
}

// ---- events.list ---------------------------------------------------------------------------------

GAPI_DECL api_response calendar_service::list_events(std::string const& calendar_param,
                                                     api_request const& request, principal const& who) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    auto const& url = request.url;
    std::optional<api_response> error;

    auto const max_results = cal::int_param(url, "maxResults", error);
    auto const single_events = cal::bool_param(url, "singleEvents", error);
    auto const show_deleted = cal::bool_param(url, "showDeleted", error);
    auto const time_min = cal::time_param(url, "timeMin", error);
    auto const time_max = cal::time_param(url, "timeMax", error);
    auto const updated_min = cal::time_param(url, "updatedMin", error);
    if (error)
        return *error;
    std::size_t limit = 250;
    if (max_results) {
        if (*max_results < 1)
            return cal::invalid_parameter("maxResults");
        limit = static_cast<std::size_t>(std::min<std::int64_t>(*max_results, 2500));
    }
    auto const order_by = query_param(url, "orderBy");
    if (order_by && *order_by != "startTime" && *order_by != "updated")
        return cal::invalid_parameter("orderBy");
    auto const event_types = query_params(url, "eventTypes");
    for (auto const& t : event_types)
        if (t != "birthday" && t != "default" && t != "focusTime" && t != "fromGmail" && t != "outOfOffice" &&
            t != "workingLocation")
            return cal::invalid_parameter("eventTypes");
    auto const q = query_param(url, "q");
    auto const ical_uid = query_param(url, "iCalUID");
    auto const sync_token = query_param(url, "syncToken");
    if (sync_token) {
        for (std::string_view name : {"iCalUID", "orderBy", "privateExtendedProperty", "q",
                                      "sharedExtendedProperty", "timeMin", "timeMax", "updatedMin"})
            if (query_param(url, name))
                return cal::invalid_parameter(name);
        if (show_deleted == false)
            return cal::invalid_parameter("showDeleted");
    }
    if (order_by == "startTime" && single_events != true)
        return error_response({.code = 400,
                               .message = "The requested ordering is not available for the particular query.",
                               .reason = "badRequest"});
    if (time_min && time_max && *time_min >= *time_max)
        return cal::time_range_empty();

    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const* entry = entry_for(who.email, calendar_id);
    if (!entry || cal::role_rank(entry->access_role) < cal::role_rank("reader"))
        return cal::not_found();
    auto const& c = calendars_.at(calendar_id);

    cal::page_cursor cursor;
    if (auto const page = query_param(url, "pageToken")) {
        auto const decoded = cal::decode_page_token(*page);
        if (!decoded || decoded->calendar_id != calendar_id)
            return cal::invalid_parameter("pageToken");
        cursor = *decoded;
    } else {
        cursor.calendar_id = calendar_id;
        cursor.snapshot = c.change_seq;
        if (sync_token) {
            auto const point = cal::decode_sync_token(*sync_token);
            if (!point || point->generation != sync_generation_ || point->id != calendar_id ||
                point->seq > c.change_seq)
                return cal::full_sync_required();
            cursor.since = point->seq;
            cursor.order = cal::order_kind::updated;
        } else if (order_by == "startTime") {
            cursor.order = cal::order_kind::start_time;
        } else if (order_by == "updated") {
            cursor.order = cal::order_kind::updated;
        }
    }

    auto const key_of = [&](stored_event const& e) -> std::int64_t {
        switch (cursor.order) {
        case cal::order_kind::start_time:
            return cal::micros(e.start);
        case cal::order_kind::updated:
            return static_cast<std::int64_t>(e.change_seq);
        default:
            return static_cast<std::int64_t>(e.created_seq);
        }
    };
    struct candidate {
        std::int64_t key;
        std::string const* id;
        stored_event const* event;
    };
    auto const before = [](candidate const& a, candidate const& b) {
        return a.key != b.key ? a.key < b.key : *a.id < *b.id;
    };

    bool const incremental = cursor.since.has_value();
    bool const include_deleted = incremental || show_deleted == true || updated_min.has_value();
    std::vector<candidate> found;
    for (auto const& [id, e] : c.events) {
        auto const& r = e.resource;
        if (incremental) {
            if (e.change_seq <= *cursor.since)
                continue;
        } else {
            if (!include_deleted && cal::string_field(r, "status") == "cancelled")
                continue;
            if (time_min && !(e.end > *time_min))
                continue;
            if (time_max && !(e.start < *time_max))
                continue;
            if (updated_min && e.updated < *updated_min)
                continue;
            if (ical_uid && cal::string_field(r, "iCalUID") != *ical_uid)
                continue;
            if (q && !cal::matches_query(r, *q))
                continue;
        }
        if (!event_types.empty()) {
            std::string_view type = cal::string_field(r, "eventType");
            if (type.empty())
                type = "default";
            if (std::find(event_types.begin(), event_types.end(), type) == event_types.end())
                continue;
        }
        candidate const cand{key_of(e), &id, &e};
        if (cursor.last_key) {
            candidate const last{*cursor.last_key, &cursor.last_id, nullptr};
            if (!before(last, cand))
                continue;
        }
        found.push_back(cand);
    }
    std::size_t const take = std::min(found.size(), limit);
    std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(take), found.end(), before);

    json::array items;
    for (std::size_t i = 0; i < take; ++i)
        items.push_back(found[i].event->resource);

    bool const own_primary = c.primary && c.id == who.email;
    json::object body;
    body["kind"] = "calendar#events";
    body["etag"] = cal::quoted_digits(1000 + c.change_seq);
    body["summary"] = c.summary;
    body["updated"] = format_rfc3339(c.updated == clock_type::time_point{} ? request.now : c.updated);
    body["timeZone"] = query_param(url, "timeZone").value_or(c.time_zone);
    body["accessRole"] = entry->access_role;
    body["defaultReminders"] =
        own_primary ? json::array{json::object{{"method", "popup"}, {"minutes", 10}}} : json::array{};
    if (found.size() > take) {
        cursor.last_key = found[take - 1].key;
        cursor.last_id = *found[take - 1].id;
        body["nextPageToken"] = cal::encode_page_token(cursor);
    } else {
        body["nextSyncToken"] = cal::encode_sync_token(sync_generation_, cursor.snapshot, calendar_id);
    }
    body["items"] = std::move(items);
    return json_response(200, body);
}

// ---- events.get / insert / patch / update / delete -----------------------------------------------

GAPI_DECL api_response calendar_service::get_event(std::string const& calendar_param,
                                                   std::string const& event_id, principal const& who) {
    namespace cal = detail::calendar;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const* entry = entry_for(who.email, calendar_id);
    if (!entry || cal::role_rank(entry->access_role) < cal::role_rank("reader"))
        return cal::not_found();
    auto const& c = calendars_.at(calendar_id);
    auto const it = c.events.find(event_id);
    if (it == c.events.end())
        return cal::not_found();
    // Google still returns a deleted event here, with status "cancelled".
    return json_response(200, it->second.resource);
}

GAPI_DECL api_response calendar_service::insert_event(std::string const& calendar_param,
                                                      api_request const& request, principal const& who) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const* entry = entry_for(who.email, calendar_id);
    if (!entry)
        return cal::not_found();
    if (cal::role_rank(entry->access_role) < cal::role_rank("writer"))
        return cal::writer_access_required();
    auto& c = calendars_.at(calendar_id);

    boost::system::error_code ec;
    auto parsed = json::parse(request.body, ec);
    if (ec || !parsed.is_object())
        return cal::parse_error();
    auto const& body = parsed.get_object();

    std::string id;
    if (auto const* v = body.if_contains("id"); v && !v->is_null()) {
        if (!v->is_string() || !cal::valid_event_id(v->get_string()))
            return cal::invalid("Invalid resource id value.");
        id = std::string(v->get_string());
    }
    std::optional<api_response> error;
    auto const times = cal::validate_event(body, error);
    if (!times)
        return *error;
    if (!id.empty() && c.events.count(id))
        return cal::duplicate();
    if (id.empty())
        do
            id = new_event_id();
        while (c.events.count(id));

    auto const now = request.now;
    json::object ev;
    ev["kind"] = "calendar#event";
    ev["etag"] = next_etag(now);
    ev["id"] = id;
    ev["status"] = body.contains("status") && body.at("status").is_string() ? body.at("status")
                                                                            : json::value("confirmed");
    ev["htmlLink"] = "https://www.google.com/calendar/event?eid=" + encode_base64url(id + " " + c.id);
    ev["created"] = format_rfc3339(now);
    ev["updated"] = format_rfc3339(now);
    for (auto const& kv : body)
        if (!cal::server_owned(kv.key()) && kv.key() != "status" && !kv.value().is_null())
            ev[kv.key()] = kv.value();
    json::object creator{{"email", who.email}};
    if (who.email == c.id)
        creator["self"] = true;
    ev["creator"] = std::move(creator);
    json::object organizer{{"email", c.id}};
    if (!c.primary)
        organizer["displayName"] = c.summary;
    organizer["self"] = true;
    ev["organizer"] = std::move(organizer);
    if (!ev.contains("iCalUID"))
        ev["iCalUID"] = id + "@google.com";
    ev["sequence"] = 0;
    if (!ev.contains("reminders"))
        ev["reminders"] = json::object{{"useDefault", true}};
    if (!ev.contains("eventType"))
        ev["eventType"] = "default";

    ++c.change_seq;
    c.updated = now;
    stored_event stored{ev, times->start, times->end, c.change_seq, c.change_seq};
    stored.updated = now;
    c.events[id] = std::move(stored);
    return json_response(200, ev);
}

GAPI_DECL api_response calendar_service::modify_event(std::string const& calendar_param,
                                                      std::string const& event_id, api_request const& request,
                                                      principal const& who, bool replace) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const* entry = entry_for(who.email, calendar_id);
    if (!entry)
        return cal::not_found();
    if (cal::role_rank(entry->access_role) < cal::role_rank("writer"))
        return cal::writer_access_required();
    auto& c = calendars_.at(calendar_id);
    auto const it = c.events.find(event_id);
    if (it == c.events.end())
        return cal::not_found();

    boost::system::error_code ec;
    auto parsed = json::parse(request.body, ec);
    if (ec || !parsed.is_object())
        return cal::parse_error();
    auto const& body = parsed.get_object();
    auto const& old = it->second.resource;

    json::object ev;
    if (replace) {
        // PUT replaces every client-settable field; the server-owned ones survive.
        for (std::string_view key : {"kind", "etag", "id", "status", "htmlLink", "created", "updated"})
            if (auto const* v = old.if_contains(key))
                ev[key] = *v;
        ev["status"] = "confirmed";
        for (auto const& kv : body)
            if (!cal::server_owned(kv.key()) && kv.key() != "iCalUID" && !kv.value().is_null())
                ev[kv.key()] = kv.value();
        for (std::string_view key : {"creator", "organizer", "iCalUID", "sequence"})
            if (auto const* v = old.if_contains(key))
                ev[key] = *v;
    } else {
        // PATCH replaces the top-level fields it names; null removes one (but never the status).
        ev = old;
        for (auto const& kv : body) {
            if (cal::server_owned(kv.key()) || kv.key() == "iCalUID")
                continue;
            if (!kv.value().is_null())
                ev[kv.key()] = kv.value();
            else if (kv.key() != "status")
                ev.erase(kv.key());
        }
    }
    if (!ev.contains("reminders"))
        ev["reminders"] = json::object{{"useDefault", true}};
    if (!ev.contains("eventType"))
        ev["eventType"] = "default";
    std::optional<api_response> error;
    auto const times = cal::validate_event(ev, error);
    if (!times)
        return *error;

    auto const now = request.now;
    auto const* old_sequence = old.if_contains("sequence");
    auto const sequence = old_sequence ? cal::json_int(*old_sequence).value_or(0) : 0;
    ev["sequence"] = sequence + 1;
    ev["etag"] = next_etag(now);
    ev["updated"] = format_rfc3339(now);
    ++c.change_seq;
    c.updated = now;
    auto& stored = it->second;
    stored.resource = ev;
    stored.start = times->start;
    stored.end = times->end;
    stored.change_seq = c.change_seq;
    stored.updated = now;
    return json_response(200, ev);
}

GAPI_DECL api_response calendar_service::delete_event(std::string const& calendar_param,
                                                      std::string const& event_id, api_request const& request,
                                                      principal const& who) {
    namespace cal = detail::calendar;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const* entry = entry_for(who.email, calendar_id);
    if (!entry)
        return cal::not_found();
    if (cal::role_rank(entry->access_role) < cal::role_rank("writer"))
        return cal::writer_access_required();
    auto& c = calendars_.at(calendar_id);
    auto const it = c.events.find(event_id);
    if (it == c.events.end())
        return cal::not_found();
    auto& stored = it->second;
    if (cal::string_field(stored.resource, "status") == "cancelled")
        return cal::already_deleted();
    // Kept as "cancelled" so that incremental sync and showDeleted=true can report the deletion.
    auto const now = request.now;
    stored.resource["status"] = "cancelled";
    stored.resource["etag"] = next_etag(now);
    stored.resource["updated"] = format_rfc3339(now);
    ++c.change_seq;
    c.updated = now;
    stored.change_seq = c.change_seq;
    stored.updated = now;
    api_response res;
    res.status = 204;
    return res;
}

// ---- freebusy.query ------------------------------------------------------------------------------

GAPI_DECL api_response calendar_service::free_busy(api_request const& request, principal const& who) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    boost::system::error_code ec;
    auto parsed = json::parse(request.body, ec);
    if (ec || !parsed.is_object())
        return cal::parse_error();
    auto const& body = parsed.get_object();

    auto read_time = [&](std::string_view name,
                         std::optional<api_response>& error) -> std::optional<clock_type::time_point> {
        auto const* v = body.if_contains(name);
        if (!v || v->is_null()) {
            error = error_response(
                {.code = 400, .message = "Required", .reason = "required", .location = std::string(name)});
            return std::nullopt;
        }
        auto const t = v->is_string() ? parse_rfc3339(v->get_string()) : std::nullopt;
        if (!t)
            error = cal::bad_request();
        return t;
    };
    std::optional<api_response> error;
    auto const time_min = read_time("timeMin", error);
    if (error)
        return *error;
    auto const time_max = read_time("timeMax", error);
    if (error)
        return *error;
    if (*time_min >= *time_max)
        return cal::time_range_empty();
    if (*time_max - *time_min > std::chrono::days(90))
        return error_response({.code = 400,
                               .message = "The requested time range is too long.",
                               .reason = "timeRangeTooLong",
                               .domain = "calendar"});
    std::int64_t calendar_limit = 50;
    for (auto const& [name, max] : {std::pair<std::string_view, std::int64_t>{"calendarExpansionMax", 50},
                                    std::pair<std::string_view, std::int64_t>{"groupExpansionMax", 100}}) {
        auto const* v = body.if_contains(name);
        if (!v || v->is_null())
            continue;
        auto const n = cal::json_int(*v);
        if (!n || *n < 0 || *n > max)
            return cal::invalid("Invalid Value");
        if (name == "calendarExpansionMax" && *n > 0) // 0 means unset, as in Google's protos
            calendar_limit = *n;
    }
    if (auto const* z = body.if_contains("timeZone"); z && !z->is_null() && !z->is_string())
        return cal::invalid("Invalid Value");

    std::vector<std::string> ids;
    if (auto const* items = body.if_contains("items"); items && !items->is_null()) {
        if (!items->is_array())
            return cal::invalid("Invalid Value");
        for (auto const& item : items->get_array()) {
            auto const* id = item.is_object() ? item.get_object().if_contains("id") : nullptr;
            if (!id || !id->is_string())
                return cal::invalid("Invalid Value");
            ids.emplace_back(id->get_string());
        }
    }

    bool const too_many = static_cast<std::int64_t>(ids.size()) > calendar_limit;
    json::object calendars;
    for (auto const& requested : ids) {
        auto const error_entry = [](std::string_view reason) {
            return json::object{
                {"errors", json::array{json::object{{"domain", "global"}, {"reason", reason}}}},
                {"busy", json::array{}}};
        };
        if (too_many) {
            calendars[requested] = error_entry("tooManyCalendarsRequested");
            continue;
        }
        std::string const id = requested == "primary" ? who.email : requested;
        if (id.empty() || !calendars_.count(id)) {
            calendars[requested] = error_entry("notFound");
            continue;
        }
        json::array periods;
        for (auto const& [start, end] : busy(id, *time_min, *time_max))
            periods.push_back(json::object{{"start", format_rfc3339(start)}, {"end", format_rfc3339(end)}});
        calendars[requested] = json::object{{"busy", std::move(periods)}};
    }
    return json_response(200, json::object{{"kind", "calendar#freeBusy"},
                                           {"timeMin", format_rfc3339(*time_min)},
                                           {"timeMax", format_rfc3339(*time_max)},
                                           {"calendars", std::move(calendars)}});
}

// ---- calendars.insert / get / delete / clear --------------------------------------------------------

namespace detail::calendar {

inline boost::json::object calendar_resource(std::string const& id, std::string const& summary,
                                             std::string const& description, std::string const& time_zone,
                                             std::string const& etag) {
    boost::json::object o{{"kind", "calendar#calendar"}, {"etag", etag}, {"id", id}, {"summary", summary}};
    if (!description.empty())
        o["description"] = description;
    o["timeZone"] = time_zone;
    return o;
}

} // namespace detail::calendar

GAPI_DECL api_response calendar_service::insert_calendar(api_request const& request, principal const& who) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    auto& list = ensure_user(who.email);
    auto const parsed = cal::parse_body(request.body);
    if (!parsed)
        return cal::parse_error();
    auto const& body = *parsed;
    auto const summary = cal::string_field(body, "summary");
    if (summary.empty())
        return cal::required("Missing title.");
    calendar_data c;
    do
        c.id = new_event_id() + "@group.calendar.google.com";
    while (calendars_.count(c.id));
    c.summary = std::string(summary);
    c.description = std::string(cal::string_field(body, "description"));
    if (auto const zone = cal::string_field(body, "timeZone"); !zone.empty())
        c.time_zone = std::string(zone);
    c.owner = who.email;
    c.updated = request.now;
    ++list_version_;
    list.entries.push_back({c.id, "owner", "15", "#9fc6e7", list_version_});
    auto const resource = cal::calendar_resource(c.id, c.summary, c.description, c.time_zone, next_etag(request.now));
    calendars_.emplace(c.id, std::move(c));
    return json_response(200, resource);
}

GAPI_DECL api_response calendar_service::get_calendar(std::string const& calendar_param, principal const& who) {
    namespace cal = detail::calendar;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    if (!entry_for(who.email, calendar_id))
        return cal::not_found();
    auto const& c = calendars_.at(calendar_id);
    return json_response(200, cal::calendar_resource(c.id, c.summary, c.description, c.time_zone,
                                                     cal::quoted_digits(c.change_seq + 1)));
}

GAPI_DECL api_response calendar_service::delete_calendar(std::string const& calendar_param, principal const& who,
                                                         bool clear_only) {
    namespace cal = detail::calendar;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const* entry = entry_for(who.email, calendar_id);
    if (!entry)
        return cal::not_found();
    if (entry->access_role != "owner")
        return error_response({.code = 403, .message = "Forbidden", .reason = "forbidden"});
    auto& c = calendars_.at(calendar_id);
    if (clear_only) {
        // Every event goes, as a deletion a sync will report.
        for (auto& [id, e] : c.events)
            if (cal::string_field(e.resource, "status") != "cancelled") {
                e.resource["status"] = "cancelled";
                e.change_seq = ++c.change_seq;
            }
    } else {
        if (c.primary) // Google: a primary calendar is cleared, never deleted
            return error_response({.code = 400, .message = "Cannot delete primary calendar.", .reason = "cannotDeletePrimaryCalendar"});
        calendars_.erase(calendar_id);
        for (auto& [user, data] : lists_)
            std::erase_if(data.entries, [&](list_entry const& e) { return e.calendar_id == calendar_id; });
        ++list_version_;
    }
    api_response res;
    res.status = 204;
    return res;
}

// ---- events.instances: RRULE expansion ------------------------------------------------------------

namespace detail::calendar {

// What the emulator reads of RFC 5545: RRULE with FREQ DAILY, WEEKLY or MONTHLY, COUNT,
// UNTIL, INTERVAL and BYDAY (weekdays; for MONTHLY with an ordinal, "2TU", "-1FR"), and
// EXDATE. Times are stepped in the wall clock of the start's UTC offset (no DST rules).
struct recurrence_rule {
    std::string unsupported; // a part of the rule the emulator cannot apply (answered 501)
    std::string freq;
    std::optional<std::size_t> count;
    std::optional<time_point> until;
    bool until_is_date = false;
    unsigned interval = 1;
    std::vector<std::pair<int, unsigned>> by_day; // (ordinal or 0, ISO weekday 1=MO..7=SU)
    std::vector<time_point> exdates;              // instants, or local midnights for all-day events
};

// "20260105T090000Z" (UTC), "20260105T090000" (the event's wall clock) or "20260105".
inline std::optional<time_point> parse_basic_time(std::string_view text, int offset_minutes, bool& date_only) {
    auto num = [&](std::size_t at, std::size_t n) -> std::optional<int> {
        int v = 0;
        if (at + n > text.size())
            return std::nullopt;
        auto const [end, ec] = std::from_chars(text.data() + at, text.data() + at + n, v);
        if (ec != std::errc{} || end != text.data() + at + n)
            return std::nullopt;
        return v;
    };
    auto const y = num(0, 4), mo = num(4, 2), d = num(6, 2);
    if (!y || !mo || !d)
        return std::nullopt;
    std::chrono::year_month_day const ymd{std::chrono::year(*y), std::chrono::month(static_cast<unsigned>(*mo)),
                                          std::chrono::day(static_cast<unsigned>(*d))};
    if (!ymd.ok())
        return std::nullopt;
    time_point const day{std::chrono::sys_days(ymd)};
    date_only = text.size() == 8;
    if (date_only)
        return day;
    auto const h = num(9, 2), mi = num(11, 2), se = num(13, 2);
    if (text.size() < 15 || text[8] != 'T' || !h || !mi || !se)
        return std::nullopt;
    auto t = day + std::chrono::hours(*h) + std::chrono::minutes(*mi) + std::chrono::seconds(*se);
    if (text.size() == 16 && text[15] == 'Z')
        return t;
    if (text.size() != 15)
        return std::nullopt;
    return t - std::chrono::minutes(offset_minutes);
}

inline std::optional<recurrence_rule> parse_recurrence(json::array const& lines, int offset_minutes) {
    recurrence_rule r;
    static constexpr std::string_view weekdays[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    for (auto const& line_value : lines) {
        if (!line_value.is_string())
            return std::nullopt;
        std::string_view const line = line_value.get_string();
        auto const colon = line.find(':');
        if (colon == std::string_view::npos)
            return std::nullopt;
        auto const name = line.substr(0, line.find_first_of(";:"));
        auto const value = line.substr(colon + 1);
        if (name == "RRULE") {
            for (auto const part : split(value, ';')) {
                auto const eq = part.find('=');
                if (eq == std::string_view::npos)
                    return std::nullopt;
                auto const key = part.substr(0, eq);
                auto const v = part.substr(eq + 1);
                if (key == "FREQ") {
                    r.freq = std::string(v);
                } else if (key == "COUNT" || key == "INTERVAL") {
                    unsigned n = 0;
                    auto const [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
                    if (ec != std::errc{} || end != v.data() + v.size() || n == 0)
                        return std::nullopt;
                    if (key == "COUNT")
                        r.count = n;
                    else
                        r.interval = n;
                } else if (key == "UNTIL") {
                    r.until = parse_basic_time(v, offset_minutes, r.until_is_date);
                    if (!r.until)
                        return std::nullopt;
                } else if (key == "BYDAY") {
                    for (auto const day : split(v, ',')) {
                        if (day.size() < 2)
                            return std::nullopt;
                        auto const code = day.substr(day.size() - 2);
                        auto const w = std::find(std::begin(weekdays), std::end(weekdays), code);
                        if (w == std::end(weekdays))
                            return std::nullopt;
                        int ordinal = 0;
                        if (day.size() > 2) {
                            auto const o = day.substr(0, day.size() - 2);
                            auto const* first = o.data() + (o[0] == '+' ? 1 : 0);
                            auto const [end, ec] = std::from_chars(first, o.data() + o.size(), ordinal);
                            // RFC 5545: an ordinal in a month is 1 to 5, counted from either end
                            if (ec != std::errc{} || end != o.data() + o.size() || ordinal == 0 || ordinal < -5 ||
                                ordinal > 5)
                                return std::nullopt;
                        }
                        r.by_day.emplace_back(ordinal, static_cast<unsigned>(w - std::begin(weekdays)) + 1);
                    }
                } else if (key == "BYMONTHDAY" || key == "BYSETPOS" || key == "BYMONTH" || key == "BYYEARDAY" ||
                           key == "BYWEEKNO" || key == "BYHOUR" || key == "BYMINUTE" || key == "BYSECOND") {
                    r.unsupported = std::string(key);
                }
                // WKST changes nothing for the rules the emulator expands.
            }
        } else if (name == "RDATE" || name == "EXRULE") {
            r.unsupported = std::string(name);
        } else if (name == "EXDATE") {
            for (auto const item : split(value, ',')) {
                bool date_only = false;
                auto const t = parse_basic_time(item, offset_minutes, date_only);
                if (!t)
                    return std::nullopt;
                r.exdates.push_back(*t);
            }
        }
    }
    if (r.freq == "YEARLY" || r.freq == "HOURLY" || r.freq == "MINUTELY" || r.freq == "SECONDLY")
        r.unsupported = "FREQ=" + r.freq;
    else if (r.freq != "DAILY" && r.freq != "WEEKLY" && r.freq != "MONTHLY")
        return std::nullopt;
    if (r.freq == "DAILY" && !r.by_day.empty())
        r.unsupported = "BYDAY with FREQ=DAILY";
    if (r.freq == "WEEKLY" && std::any_of(r.by_day.begin(), r.by_day.end(), [](auto const& d) { return d.first != 0; }))
        return std::nullopt; // ordinals belong to MONTHLY and YEARLY rules
    return r;
}

// The start instants of a recurring event from `keep_from` on, in order, at most `limit`;
// COUNT counts the earlier ones too. Nothing past the year 2200 (time_point's range ends in
// 2262): an open-ended rule stops there.
inline std::vector<time_point> expand(recurrence_rule const& r, time_point start, int offset_minutes, bool all_day,
                                      time_point keep_from, std::size_t limit) {
    using namespace std::chrono;
    auto const shift = minutes(all_day ? 0 : offset_minutes);
    auto const local = start + shift;
    auto const first_day = floor<days>(local);
    auto const time_of_day = local - first_day;
    std::vector<time_point> out;
    auto const past_until = [&](time_point t) {
        if (!r.until)
            return false;
        return r.until_is_date ? floor<days>(t + shift) > floor<days>(*r.until) : t > *r.until;
    };
    constexpr sys_days horizon{year(2200) / January / 1};
    std::size_t counted = 0;
    auto const take = [&](sys_days day) {
        if (day >= horizon)
            return false;
        time_point const t = time_point(day) + time_of_day - shift;
        if (t < start)
            return true;
        if (past_until(t) || (r.count && counted >= *r.count) || out.size() >= limit)
            return false;
        ++counted;
        if (t >= keep_from && std::none_of(r.exdates.begin(), r.exdates.end(), [&](time_point x) {
                return all_day ? floor<days>(x) == floor<days>(t) : x == t;
            }))
            out.push_back(t);
        return true;
    };
    auto const iso_weekday = [](sys_days d) { return weekday(d).iso_encoding(); };
    // Bounded: COUNT, UNTIL or `limit` ends it sooner; the step bound only stops a rule
    // that matches no day at all (MONTHLY on the 5th Friday of every 12th month...).
    for (unsigned step = 0; step < 100000; ++step) {
        bool more = true;
        if (r.freq == "DAILY") {
            more = take(sys_days(first_day) + days(step * r.interval));
        } else if (r.freq == "WEEKLY") {
            auto const week = sys_days(first_day) - days(iso_weekday(sys_days(first_day)) - 1) + weeks(step * r.interval);
            std::vector<unsigned> wanted;
            for (auto const& [ordinal, wd] : r.by_day)
                wanted.push_back(wd);
            if (wanted.empty())
                wanted.push_back(iso_weekday(sys_days(first_day)));
            std::sort(wanted.begin(), wanted.end());
            for (auto wd : wanted)
                if (more)
                    more = take(week + days(wd - 1));
        } else { // MONTHLY
            year_month_day const base{sys_days(first_day)};
            auto const ym = year_month(base.year(), base.month()) + months(step * r.interval);
            std::vector<sys_days> in_month;
            if (r.by_day.empty()) {
                year_month_day const d{ym.year(), ym.month(), base.day()};
                if (d.ok()) // RFC 5545: a month without that day has no occurrence
                    in_month.push_back(sys_days(d));
            } else {
                for (auto const& [ordinal, wd] : r.by_day) {
                    weekday const w{wd % 7};
                    if (ordinal > 0) {
                        year_month_weekday const d{ym.year(), ym.month(), w[static_cast<unsigned>(ordinal)]};
                        if (d.ok())
                            in_month.push_back(sys_days(d));
                    } else if (ordinal < 0) {
                        year_month_weekday_last const last{ym.year(), ym.month(), w[std::chrono::last]};
                        auto const d = sys_days(last) - weeks(-ordinal - 1);
                        if (year_month_day(d).month() == ym.month())
                            in_month.push_back(d);
                    } else { // every such weekday of the month
                        for (sys_days d = sys_days(ym / 1); year_month_day(d).month() == ym.month(); d += days(1))
                            if (weekday(d) == w)
                                in_month.push_back(d);
                    }
                }
            }
            std::sort(in_month.begin(), in_month.end());
            for (auto d : in_month)
                if (more)
                    more = take(d);
        }
        if (!more)
            break;
    }
    return out;
}

// The UTC offset a dateTime was written with ("...+02:00" is 120); 0 for "Z" or none.
inline int offset_of(std::string_view date_time) {
    if (date_time.size() < 6 || date_time.ends_with('Z'))
        return 0;
    auto const tail = date_time.substr(date_time.size() - 6);
    if ((tail[0] != '+' && tail[0] != '-') || tail[3] != ':')
        return 0;
    int const h = (tail[1] - '0') * 10 + (tail[2] - '0');
    int const m = (tail[4] - '0') * 10 + (tail[5] - '0');
    return (tail[0] == '-' ? -1 : 1) * (h * 60 + m);
}

inline std::string basic_utc(time_point t, bool all_day) {
    using namespace std::chrono;
    auto const s = floor<seconds>(t);
    auto const day = floor<days>(s);
    year_month_day const ymd{day};
    hh_mm_ss const hms{s - day};
    char out[64];
    if (all_day)
        std::snprintf(out, sizeof out, "%04d%02u%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                      static_cast<unsigned>(ymd.day()));
    else
        std::snprintf(out, sizeof out, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                      static_cast<int>(hms.seconds().count()));
    return out;
}

} // namespace detail::calendar

GAPI_DECL api_response calendar_service::event_instances(std::string const& calendar_param,
                                                         std::string const& event_id, api_request const& request,
                                                         principal const& who) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const* entry = entry_for(who.email, calendar_id);
    if (!entry || cal::role_rank(entry->access_role) < cal::role_rank("reader"))
        return cal::not_found();
    auto const& c = calendars_.at(calendar_id);
    auto const it = c.events.find(event_id);
    if (it == c.events.end() || cal::string_field(it->second.resource, "status") == "cancelled")
        return cal::not_found();
    auto const& master = it->second;
    std::optional<api_response> error;
    auto const time_min = cal::time_param(request.url, "timeMin", error);
    auto const time_max = cal::time_param(request.url, "timeMax", error);
    auto const max_results = cal::int_param(request.url, "maxResults", error);
    if (error)
        return *error;
    std::size_t first = 0;
    if (auto token = query_param(request.url, "pageToken"); token && !token->empty()) {
        auto const [end, ec] = std::from_chars(token->data(), token->data() + token->size(), first);
        if (ec != std::errc{} || end != token->data() + token->size())
            return cal::invalid_parameter("pageToken");
    }
    auto const& start_object = master.resource.at("start").as_object();
    bool const all_day = start_object.contains("date") && !start_object.at("date").is_null();
    int const offset = all_day ? 0 : cal::offset_of(cal::string_field(start_object, "dateTime"));
    std::vector<clock_type::time_point> starts{master.start};
    if (auto const* rec = master.resource.if_contains("recurrence"); rec && rec->is_array()) {
        auto const rule = cal::parse_recurrence(rec->get_array(), offset);
        if (!rule)
            return cal::invalid("Invalid recurrence rule.");
        if (!rule->unsupported.empty())
            return error_response({.code = 501,
                                   .message = "gapi-emulator does not expand " + rule->unsupported +
                                              " in recurrence rules (it expands DAILY, WEEKLY and MONTHLY with "
                                              "COUNT, UNTIL, INTERVAL, BYDAY and EXDATE).",
                                   .reason = "notImplemented"});
        // Occurrences that end before timeMin are counted (for COUNT), not kept.
        auto const keep_from = time_min ? *time_min - (master.end - master.start) : master.start;
        starts = cal::expand(*rule, master.start, offset, all_day, keep_from, first + 2500);
    }
    auto const duration = master.end - master.start;
    std::size_t const page_size = max_results && *max_results > 0 ? static_cast<std::size_t>(*max_results) : 250;
    json::array items;
    std::size_t matched = 0;
    bool more = false;
    for (auto const t : starts) {
        if ((time_min && t + duration <= *time_min) || (time_max && t >= *time_max))
            continue;
        if (matched++ < first)
            continue;
        if (items.size() == page_size) {
            more = true;
            break;
        }
        json::object instance = master.resource;
        instance.erase("recurrence");
        auto const zone = cal::string_field(start_object, "timeZone");
        auto when = [&](clock_type::time_point at) {
            json::object o;
            if (all_day)
                o["date"] = cal::format_date(at);
            else
                o["dateTime"] = cal::format_local(at, offset);
            if (!zone.empty())
                o["timeZone"] = zone;
            return o;
        };
        instance["id"] = event_id + "_" + cal::basic_utc(t, all_day);
        instance["recurringEventId"] = event_id;
        instance["originalStartTime"] = when(t);
        instance["start"] = when(t);
        instance["end"] = when(t + duration);
        items.push_back(std::move(instance));
    }
    json::object out{{"kind", "calendar#events"},
                     {"summary", c.summary},
                     {"updated", format_rfc3339(c.updated)},
                     {"timeZone", c.time_zone},
                     {"accessRole", entry->access_role},
                     {"items", std::move(items)}};
    if (more)
        out["nextPageToken"] = std::to_string(first + page_size);
    return json_response(200, out);
}

// ---- events.watch and channels.stop: recorded, never delivered ------------------------------------

GAPI_DECL api_response calendar_service::watch_events(std::string const& calendar_param, api_request const& request,
                                                      principal const& who) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    if (!entry_for(who.email, calendar_id))
        return cal::not_found();
    auto const parsed = cal::parse_body(request.body);
    if (!parsed)
        return cal::parse_error();
    auto const& body = *parsed;
    auto const id = cal::string_field(body, "id");
    auto const address = cal::string_field(body, "address");
    if (id.empty())
        return cal::required("Required channel id.");
    if (cal::string_field(body, "type") != "web_hook" && cal::string_field(body, "type") != "webhook")
        return cal::invalid("Invalid channel type.");
    if (!address.starts_with("https://"))
        return cal::invalid("WebHook callback must be HTTPS: " + std::string(address));
    if (channels_.count(std::string(id)))
        return error_response({.code = 400, .message = "Channel id not unique.", .reason = "channelIdNotUnique", .domain = "push"});
    auto const expiration = std::chrono::duration_cast<std::chrono::milliseconds>(
                                (request.now + std::chrono::hours(24 * 7)).time_since_epoch())
                                .count();
    json::object channel{{"kind", "api#channel"},
                         {"id", id},
                         {"resourceId", "r" + new_event_id()},
                         {"resourceUri", "https://www.googleapis.com/calendar/v3/calendars/" + calendar_id + "/events"},
                         {"expiration", std::to_string(expiration)}};
    if (auto const token = cal::string_field(body, "token"); !token.empty())
        channel["token"] = token;
    json::object stored = channel;
    stored["address"] = address;
    stored["calendarId"] = calendar_id;
    channels_.emplace(std::string(id), std::move(stored));
    return json_response(200, channel);
}

GAPI_DECL api_response calendar_service::stop_channel(api_request const& request) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    auto const parsed = cal::parse_body(request.body);
    if (!parsed)
        return cal::parse_error();
    auto const& body = *parsed;
    auto const it = channels_.find(std::string(cal::string_field(body, "id")));
    if (it == channels_.end() || cal::string_field(it->second, "resourceId") != cal::string_field(body, "resourceId"))
        return error_response({.code = 404, .message = "Channel '" + std::string(cal::string_field(body, "id")) +
                                                           "' not found for project", .reason = "notFound"});
    channels_.erase(it);
    api_response res;
    res.status = 204;
    return res;
}

// ---- calendars patch/update, calendarList get/insert/patch/delete, colors, settings -----------------

GAPI_DECL api_response calendar_service::change_calendar(std::string const& calendar_param, api_request const& request,
                                                         principal const& who, bool replace) {
    namespace cal = detail::calendar;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const* entry = entry_for(who.email, calendar_id);
    if (!entry)
        return cal::not_found();
    if (entry->access_role != "owner")
        return cal::forbidden();
    auto body = cal::parse_body(request.body);
    if (!body)
        return cal::parse_error();
    auto& c = calendars_.at(calendar_id);
    auto const summary = cal::string_field(*body, "summary");
    if (replace && summary.empty())
        return cal::required("Missing title.");
    if (replace || body->contains("summary"))
        c.summary = std::string(summary);
    if (replace || body->contains("description"))
        c.description = std::string(cal::string_field(*body, "description"));
    if (auto const zone = cal::string_field(*body, "timeZone"); !zone.empty())
        c.time_zone = std::string(zone);
    else if (replace)
        c.time_zone = "UTC";
    c.updated = request.now;
    return json_response(200, cal::calendar_resource(c.id, c.summary, c.description, c.time_zone, next_etag(request.now)));
}

GAPI_DECL api_response calendar_service::calendar_list_entry(std::string const& calendar_param,
                                                             api_request const& request, principal const& who,
                                                             verb method) {
    namespace cal = detail::calendar;
    auto& user = ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const it = std::find_if(user.entries.begin(), user.entries.end(),
                                 [&](list_entry const& e) { return e.calendar_id == calendar_id; });
    if (it == user.entries.end() || !calendars_.count(calendar_id))
        return cal::not_found();
    if (method == verb::get)
        return json_response(200, list_item(*it, who));
    if (method == verb::delete_) {
        if (calendar_id == who.email)
            return error_response({.code = 400, .message = "Cannot remove primary calendar from the calendar list.",
                                   .reason = "invalid"});
        user.entries.erase(it);
        ++list_version_;
        return cal::no_content();
    }
    auto body = cal::parse_body(request.body);
    if (!body)
        return cal::parse_error();
    if (auto const color = cal::string_field(*body, "colorId"); !color.empty()) {
        auto const palette = cal::colors().at("calendar").as_object();
        auto const* known = palette.if_contains(color);
        if (!known)
            return cal::invalid("Invalid Value");
        it->color_id = std::string(color);
        it->background_color = std::string(known->at("background").as_string());
    }
    if (auto const background = cal::string_field(*body, "backgroundColor"); !background.empty())
        it->background_color = std::string(background);
    it->version = ++list_version_;
    return json_response(200, list_item(*it, who));
}

GAPI_DECL api_response calendar_service::insert_list_entry(api_request const& request, principal const& who) {
    namespace cal = detail::calendar;
    auto& user = ensure_user(who.email);
    auto body = cal::parse_body(request.body);
    if (!body)
        return cal::parse_error();
    std::string const id(cal::string_field(*body, "id"));
    if (id.empty())
        return cal::required("Required");
    auto const c = calendars_.find(id);
    if (c == calendars_.end())
        return cal::not_found();
    // A calendar joins a list only where its ACL lets that user in (or for its owner).
    std::string role = c->second.owner == who.email ? "owner" : "";
    for (auto const& key : {"user:" + who.email, std::string("default")})
        if (auto const rule = c->second.acl.find(key); role.empty() && rule != c->second.acl.end())
            role = rule->second;
    if (role.empty() || role == "none")
        return cal::not_found();
    if (std::none_of(user.entries.begin(), user.entries.end(), [&](list_entry const& e) { return e.calendar_id == id; }))
        user.entries.push_back({id, role, "15", "#9fc6e7", ++list_version_});
    auto const it = std::find_if(user.entries.begin(), user.entries.end(),
                                 [&](list_entry const& e) { return e.calendar_id == id; });
    return json_response(200, list_item(*it, who));
}

GAPI_DECL api_response calendar_service::user_settings(std::string const* setting, principal const& who) const {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    auto const primary = calendars_.find(who.email);
    std::string const zone = primary != calendars_.end() ? primary->second.time_zone : "UTC";
    std::pair<std::string_view, std::string> const values[] = {
        {"autoAddHangouts", "true"}, {"dateFieldOrder", "MDY"},    {"defaultEventLength", "60"},
        {"format24HourTime", "false"}, {"hideInvitations", "false"}, {"hideWeekends", "false"},
        {"locale", "en"},            {"remindOnRespondedEventsOnly", "false"}, {"showDeclinedEvents", "true"},
        {"timezone", zone},          {"useKeyboardShortcuts", "true"}, {"weekStart", "0"}};
    auto item = [](std::string_view id, std::string const& value) {
        return json::object{{"kind", "calendar#setting"}, {"etag", "\"0\""}, {"id", id}, {"value", value}};
    };
    if (setting) {
        for (auto const& [id, value] : values)
            if (id == *setting)
                return json_response(200, item(id, value));
        return cal::not_found();
    }
    json::array items;
    for (auto const& [id, value] : values)
        items.push_back(item(id, value));
    return json_response(200, json::object{{"kind", "calendar#settings"}, {"etag", "\"0\""}, {"items", std::move(items)}});
}

// ---- events.move, quickAdd, import ----------------------------------------------------------------

GAPI_DECL api_response calendar_service::move_event(std::string const& calendar_param, std::string const& event_id,
                                                    api_request const& request, principal const& who) {
    namespace cal = detail::calendar;
    ensure_user(who.email);
    auto const destination_param = query_param(request.url, "destination");
    if (!destination_param || destination_param->empty())
        return cal::required("Required parameter: destination");
    auto const resolve = [&](std::string const& p) { return p == "primary" ? who.email : p; };
    std::string const from = resolve(calendar_param), to = resolve(*destination_param);
    auto const* source = entry_for(who.email, from);
    auto const* target = entry_for(who.email, to);
    if (!source || !target)
        return cal::not_found();
    if (cal::role_rank(source->access_role) < cal::role_rank("writer") ||
        cal::role_rank(target->access_role) < cal::role_rank("writer"))
        return cal::writer_access_required();
    auto& src = calendars_.at(from);
    auto const it = src.events.find(event_id);
    if (it == src.events.end() || cal::string_field(it->second.resource, "status") == "cancelled")
        return cal::not_found();
    if (from == to)
        return json_response(200, it->second.resource);
    auto& dst = calendars_.at(to);
    if (dst.events.count(event_id))
        return cal::duplicate();
    stored_event moved = it->second;
    moved.resource["etag"] = next_etag(request.now);
    moved.resource["updated"] = format_rfc3339(request.now);
    boost::json::object organizer{{"email", dst.id}, {"self", true}};
    if (!dst.primary)
        organizer["displayName"] = dst.summary;
    moved.resource["organizer"] = std::move(organizer);
    moved.created_seq = moved.change_seq = ++dst.change_seq;
    moved.updated = request.now;
    dst.updated = request.now;
    auto const resource = moved.resource;
    dst.events[event_id] = std::move(moved);
    // The source keeps a cancelled copy, so that its incremental sync reports the move.
    it->second.resource["status"] = "cancelled";
    it->second.change_seq = ++src.change_seq;
    it->second.updated = request.now;
    return json_response(200, resource);
}

GAPI_DECL api_response calendar_service::quick_add(std::string const& calendar_param, api_request const& request,
                                                   principal const& who) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    auto const text = query_param(request.url, "text");
    if (!text || text->empty())
        return cal::required("Required parameter: text");
    // Google reads a date and time out of the text; the emulator does not: the event is the
    // whole text as its summary, from the next full hour, for an hour.
    auto const start = std::chrono::ceil<std::chrono::hours>(request.now);
    json::object ev{{"summary", *text},
                    {"start", json::object{{"dateTime", format_rfc3339(start)}}},
                    {"end", json::object{{"dateTime", format_rfc3339(start + std::chrono::hours(1))}}}};
    api_request insert = request;
    insert.body = json::serialize(ev);
    return insert_event(calendar_param, insert, who);
}

GAPI_DECL api_response calendar_service::import_event(std::string const& calendar_param, api_request const& request,
                                                      principal const& who) {
    namespace cal = detail::calendar;
    ensure_user(who.email);
    auto body = cal::parse_body(request.body);
    if (!body)
        return cal::parse_error();
    auto const uid = cal::string_field(*body, "iCalUID");
    if (uid.empty())
        return cal::required("Missing iCalUID.");
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    if (!entry_for(who.email, calendar_id))
        return cal::not_found();
    // Importing the same iCalUID again updates the event it made: import is idempotent.
    for (auto const& [id, e] : calendars_.at(calendar_id).events)
        if (cal::string_field(e.resource, "iCalUID") == uid && cal::string_field(e.resource, "status") != "cancelled")
            return modify_event(calendar_param, id, request, who, true);
    return insert_event(calendar_param, request, who);
}

// ---- acl list/insert/delete -----------------------------------------------------------------------

GAPI_DECL api_response calendar_service::acl(std::string const& calendar_param, std::string const& rule_id,
                                             api_request const& request, principal const& who, verb method) {
    namespace cal = detail::calendar;
    namespace json = boost::json;
    ensure_user(who.email);
    std::string const calendar_id = calendar_param == "primary" ? who.email : calendar_param;
    auto const* entry = entry_for(who.email, calendar_id);
    if (!entry)
        return cal::not_found();
    if (entry->access_role != "owner")
        return cal::forbidden();
    auto& c = calendars_.at(calendar_id);
    auto rule_json = [&](std::string const& id, std::string const& role) {
        auto const colon = id.find(':');
        json::object scope{{"type", colon == std::string::npos ? id : id.substr(0, colon)}};
        if (colon != std::string::npos)
            scope["value"] = id.substr(colon + 1);
        return json::object{{"kind", "calendar#aclRule"}, {"etag", "\"" + std::to_string(c.change_seq) + "\""},
                            {"id", id}, {"scope", std::move(scope)}, {"role", role}};
    };
    if (method == verb::get) {
        json::array items;
        items.push_back(rule_json("user:" + c.owner, "owner"));
        for (auto const& [id, role] : c.acl)
            items.push_back(rule_json(id, role));
        return json_response(200, json::object{{"kind", "calendar#acl"}, {"items", std::move(items)}});
    }
    // Sharing with a built-in user puts the calendar in (or takes it out of) their list.
    auto share = [&](std::string const& id, std::string const& role) {
        if (!id.starts_with("user:"))
            return;
        auto const user = lists_.find(id.substr(5));
        if (user == lists_.end())
            return;
        auto& entries = user->second.entries;
        std::erase_if(entries, [&](list_entry const& e) { return e.calendar_id == calendar_id; });
        if (!role.empty() && role != "none")
            entries.push_back({calendar_id, role, "15", "#9fc6e7", ++list_version_});
        else
            ++list_version_;
    };
    if (method == verb::delete_) {
        auto const it = c.acl.find(rule_id);
        if (it == c.acl.end())
            return cal::not_found();
        c.acl.erase(it);
        share(rule_id, "");
        return cal::no_content();
    }
    auto body = cal::parse_body(request.body);
    if (!body)
        return cal::parse_error();
    std::string const role(cal::string_field(*body, "role"));
    if (cal::role_rank(role) == 0 && role != "none")
        return cal::invalid("Invalid Value");
    auto const* scope = body->if_contains("scope");
    if (!scope || !scope->is_object())
        return cal::required("Missing scope.");
    std::string const type(cal::string_field(scope->get_object(), "type"));
    std::string const value(cal::string_field(scope->get_object(), "value"));
    if (type != "default" && type != "user" && type != "group" && type != "domain")
        return cal::invalid("Invalid scope type.");
    if (type != "default" && value.empty())
        return cal::required("Missing scope value.");
    std::string const id = type == "default" ? "default" : type + ":" + value;
    if (id == "user:" + c.owner)
        return cal::invalid("Cannot change the owner's access.");
    c.acl[id] = role;
    ++c.change_seq;
    share(id, role);
    return json_response(200, rule_json(id, role));
}

} // namespace gapi::emulator




#endif
