// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CALENDAR_IMPL_RESOURCES_IPP
#define GAPI_CALENDAR_IMPL_RESOURCES_IPP

#include <gapi/calendar/resources.hpp>
#include <gapi/detail/json_fields.hpp>
#include <gapi/google_error.hpp>

#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace gapi::calendar {

namespace detail {

using namespace gapi::detail::json_fields;
namespace json = boost::json;

inline void put(json::object& o, std::string_view key, std::string const& value) {
    if (!value.empty())
        o[key] = value;
}

inline time_point required_time(json::object const& o, std::string_view key) {
    auto const t = parse_rfc3339(required_text(o, key));
    if (!t)
        malformed(key, "is not an RFC 3339 time");
    return *t;
}

// The Event fields that `event` has members for; everything else goes to `other`.
// Sorted, so that each member of a page's events is classified by a binary search.
inline constexpr std::array<std::string_view, 24> event_fields{
    "attendees", "colorId", "created", "creator", "description", "end", "etag", "eventType", "htmlLink",
    "iCalUID", "id", "kind", "location", "organizer", "originalStartTime", "recurrence", "recurringEventId",
    "sequence", "start", "status", "summary", "transparency", "updated", "visibility"};
static_assert(std::is_sorted(event_fields.begin(), event_fields.end()));

inline bool is_event_field(std::string_view key) {
    return std::binary_search(event_fields.begin(), event_fields.end(), key);
}

} // namespace detail

GAPI_DECL event_time tag_invoke(boost::json::value_to_tag<event_time>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::text(o, "date"), detail::text(o, "dateTime"), detail::text(o, "timeZone")};
}

GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, event_time const& t) {
    boost::json::object o;
    detail::put(o, "date", t.date);
    detail::put(o, "dateTime", t.date_time);
    detail::put(o, "timeZone", t.time_zone);
    v = std::move(o);
}

GAPI_DECL person tag_invoke(boost::json::value_to_tag<person>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::text(o, "email"), detail::text(o, "displayName"), detail::boolean(o, "self")};
}

GAPI_DECL attendee tag_invoke(boost::json::value_to_tag<attendee>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::text(o, "email"),           detail::text(o, "displayName"),
            detail::text(o, "responseStatus"),  detail::boolean(o, "optional"),
            detail::boolean(o, "organizer"),    detail::boolean(o, "self"),
            detail::boolean(o, "resource")};
}

GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, attendee const& a) {
    boost::json::object o;
    detail::put(o, "email", a.email);
    detail::put(o, "displayName", a.display_name);
    detail::put(o, "responseStatus", a.response_status);
    if (a.optional)
        o["optional"] = true;
    if (a.resource)
        o["resource"] = true;
    v = std::move(o);
}

GAPI_DECL event tag_invoke(boost::json::value_to_tag<event>, boost::json::value const& v) {
    namespace d = detail;
    auto const& o = d::object_of(v);
    event e;
    e.id = d::required_text(o, "id");
    e.etag = d::text(o, "etag");
    e.status = d::text(o, "status");
    e.html_link = d::text(o, "htmlLink");
    e.created = d::text(o, "created");
    e.updated = d::text(o, "updated");
    e.summary = d::text(o, "summary");
    e.description = d::text(o, "description");
    e.location = d::text(o, "location");
    e.color_id = d::text(o, "colorId");
    e.transparency = d::text(o, "transparency");
    e.visibility = d::text(o, "visibility");
    e.i_cal_uid = d::text(o, "iCalUID");
    e.recurring_event_id = d::text(o, "recurringEventId");
    e.event_type = d::text(o, "eventType");
    e.sequence = d::integer(o, "sequence");
    if (auto const* p = d::present(o, "creator"))
        e.creator = boost::json::value_to<person>(*p);
    if (auto const* p = d::present(o, "organizer"))
        e.organizer = boost::json::value_to<person>(*p);
    if (auto const* t = d::present(o, "start"))
        e.start = boost::json::value_to<event_time>(*t);
    if (auto const* t = d::present(o, "end"))
        e.end = boost::json::value_to<event_time>(*t);
    if (auto const* t = d::present(o, "originalStartTime"))
        e.original_start_time = boost::json::value_to<event_time>(*t);
    e.recurrence = d::list<std::string>(o, "recurrence");
    e.attendees = d::list<attendee>(o, "attendees");
    for (auto const& member : o)
        if (!d::is_event_field(member.key()))
            e.other.emplace(member.key(), member.value());
    return e;
}

GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, event const& e) {
    namespace d = detail;
    boost::json::object o = e.other;
    d::put(o, "id", e.id);
    d::put(o, "status", e.status);
    d::put(o, "summary", e.summary);
    d::put(o, "description", e.description);
    d::put(o, "location", e.location);
    d::put(o, "colorId", e.color_id);
    d::put(o, "transparency", e.transparency);
    d::put(o, "visibility", e.visibility);
    d::put(o, "iCalUID", e.i_cal_uid);
    d::put(o, "eventType", e.event_type);
    if (e.sequence > 0)
        o["sequence"] = e.sequence;
    if (!e.start.date.empty() || !e.start.date_time.empty())
        o["start"] = boost::json::value_from(e.start);
    if (!e.end.date.empty() || !e.end.date_time.empty())
        o["end"] = boost::json::value_from(e.end);
    if (!e.recurrence.empty())
        o["recurrence"] = boost::json::value_from(e.recurrence);
    if (!e.attendees.empty())
        o["attendees"] = boost::json::value_from(e.attendees);
    v = std::move(o);
}

GAPI_DECL event_list tag_invoke(boost::json::value_to_tag<event_list>, boost::json::value const& v) {
    namespace d = detail;
    auto const& o = d::object_of(v);
    return {d::list<event>(o, "items"),   d::text(o, "nextPageToken"), d::text(o, "nextSyncToken"),
            d::text(o, "summary"),        d::text(o, "timeZone"),      d::text(o, "updated"),
            d::text(o, "accessRole")};
}

GAPI_DECL calendar_list_entry tag_invoke(boost::json::value_to_tag<calendar_list_entry>,
                                         boost::json::value const& v) {
    namespace d = detail;
    auto const& o = d::object_of(v);
    return {d::required_text(o, "id"),     d::text(o, "summary"),         d::text(o, "summaryOverride"),
            d::text(o, "description"),     d::text(o, "timeZone"),        d::text(o, "accessRole"),
            d::text(o, "backgroundColor"), d::text(o, "foregroundColor"), d::boolean(o, "primary"),
            d::boolean(o, "selected"),     d::boolean(o, "hidden")};
}

GAPI_DECL calendar_list tag_invoke(boost::json::value_to_tag<calendar_list>, boost::json::value const& v) {
    namespace d = detail;
    auto const& o = d::object_of(v);
    return {d::list<calendar_list_entry>(o, "items"), d::text(o, "nextPageToken"), d::text(o, "nextSyncToken")};
}

GAPI_DECL freebusy_result tag_invoke(boost::json::value_to_tag<freebusy_result>, boost::json::value const& v) {
    namespace d = detail;
    auto const& o = d::object_of(v);
    freebusy_result r;
    r.time_min = d::required_time(o, "timeMin");
    r.time_max = d::required_time(o, "timeMax");
    auto const* calendars = d::present(o, "calendars");
    if (!calendars)
        return r;
    if (!calendars->is_object())
        d::malformed("calendars", "is not an object");
    for (auto const& [id, value] : calendars->get_object()) {
        auto const& entry = d::object_of(value);
        calendar_busy busy;
        if (auto const* periods = d::present(entry, "busy")) {
            if (!periods->is_array())
                d::malformed("busy", "is not a list");
            for (auto const& p : periods->get_array()) {
                auto const& po = d::object_of(p);
                busy.busy.push_back({d::required_time(po, "start"), d::required_time(po, "end")});
            }
        }
        if (auto const* errors = d::present(entry, "errors")) {
            if (!errors->is_array())
                d::malformed("errors", "is not a list");
            for (auto const& e : errors->get_array())
                busy.reasons.push_back(d::text(d::object_of(e), "reason"));
        }
        if (!busy.reasons.empty())
            busy.error = busy.reasons.front() == "notFound" ? make_error_code(api_error::not_found)
                                                            : make_error_code(api_error::bad_request);
        r.calendars.emplace(std::string(id), std::move(busy));
    }
    return r;
}

} // namespace gapi::calendar

#endif
