// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CALENDAR_DETAIL_REQUESTS_HPP
#define GAPI_CALENDAR_DETAIL_REQUESTS_HPP

// The Calendar requests gapi sends, built without I/O: path, query, body, method id,
// quota cost and whether they may be replayed.

#include <gapi/calendar/calendar_service.hpp>
#include <gapi/detail/api_call.hpp>
#include <gapi/calendar/v3/methods.hpp>
#include <gapi/http/url.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value_from.hpp>

namespace gapi::calendar {

namespace detail {


using gapi::detail::json_request;
using gapi::detail::make_request;
using call = gapi::detail::api_method;

// What the hand-written operations send: the method ids, quota units and idempotency of
// the generated layer, which has them from the discovery document and the quota table.
inline constexpr call const& events_list = v3::methods::events_list;
inline constexpr call const& events_get = v3::methods::events_get;
inline constexpr call const& events_insert = v3::methods::events_insert;
inline constexpr call const& events_patch = v3::methods::events_patch;
inline constexpr call const& events_update = v3::methods::events_update;
inline constexpr call const& events_delete = v3::methods::events_delete;
inline constexpr call const& calendar_list_list = v3::methods::calendar_list_list;
inline constexpr call const& freebusy_query_call = v3::methods::freebusy_query;

// root + /calendar/v3/ + segments (calendar ids hold '@' and '#').
inline gapi::detail::built_url endpoint(calendar_options const& o, std::initializer_list<std::string_view> segments) {
    return gapi::detail::api_url(o.root, {"calendar", "v3"}, segments);
}

inline void set_send_updates(gapi::detail::built_url& url, send_updates notify) {
    switch (notify) {
    case send_updates::all: url.add_query("sendUpdates", "all"); break;
    case send_updates::external_only: url.add_query("sendUpdates", "externalOnly"); break;
    case send_updates::none: url.add_query("sendUpdates", "none"); break;
    case send_updates::unspecified: break;
    }
}

inline http::request list_events_request(calendar_options const& o, std::string const& calendar_id,
                                         event_query const& q) {
    auto url = endpoint(o, {"calendars", calendar_id, "events"});
    url.add_query("maxResults", std::to_string(q.max_results));
    if (q.time_min)
        url.add_query("timeMin", format_rfc3339(*q.time_min));
    if (q.time_max)
        url.add_query("timeMax", format_rfc3339(*q.time_max));
    if (q.single_events)
        url.add_query("singleEvents", "true");
    if (q.order == order_by::start_time)
        url.add_query("orderBy", "startTime");
    else if (q.order == order_by::updated)
        url.add_query("orderBy", "updated");
    if (!q.q.empty())
        url.add_query("q", q.q);
    if (q.show_deleted)
        url.add_query("showDeleted", "true");
    if (!q.time_zone.empty())
        url.add_query("timeZone", q.time_zone);
    if (q.updated_min)
        url.add_query("updatedMin", format_rfc3339(*q.updated_min));
    if (!q.page_token.empty())
        url.add_query("pageToken", q.page_token);
    if (!q.sync_token.empty())
        url.add_query("syncToken", q.sync_token);
    return make_request(events_list, http::verb::get, std::move(url));
}

inline http::request get_event_request(calendar_options const& o, std::string const& calendar_id,
                                       std::string const& event_id) {
    return make_request(events_get, http::verb::get, endpoint(o, {"calendars", calendar_id, "events", event_id}));
}

// An insert with a client-chosen id may be repeated: the second attempt finds the id taken.
inline http::request insert_event_request(calendar_options const& o, std::string const& calendar_id, event const& ev,
                                          send_updates notify) {
    auto url = endpoint(o, {"calendars", calendar_id, "events"});
    set_send_updates(url, notify);
    auto req = json_request(events_insert, http::verb::post, std::move(url), boost::json::value_from(ev));
    req.replay_on_stale_connection = !ev.id.empty();
    return req;
}

inline http::request modify_event_request(call const& c, http::verb method, calendar_options const& o,
                                          std::string const& calendar_id, std::string const& event_id,
                                          boost::json::value const& body, send_updates notify) {
    auto url = endpoint(o, {"calendars", calendar_id, "events", event_id});
    set_send_updates(url, notify);
    return json_request(c, method, std::move(url), body);
}

inline http::request delete_event_request(calendar_options const& o, std::string const& calendar_id,
                                          std::string const& event_id, send_updates notify) {
    auto url = endpoint(o, {"calendars", calendar_id, "events", event_id});
    set_send_updates(url, notify);
    return make_request(events_delete, http::verb::delete_, std::move(url));
}

inline http::request list_calendars_request(calendar_options const& o, std::string const& page_token,
                                            std::size_t max_results) {
    auto url = endpoint(o, {"users", "me", "calendarList"});
    url.add_query("maxResults", std::to_string(max_results));
    if (!page_token.empty())
        url.add_query("pageToken", page_token);
    return make_request(calendar_list_list, http::verb::get, std::move(url));
}

inline http::request freebusy_request(calendar_options const& o, freebusy_query const& q, std::size_t first,
                                      std::size_t last) {
    boost::json::array items;
    for (std::size_t i = first; i < last; ++i)
        items.push_back(boost::json::object{{"id", q.calendars[i]}});
    boost::json::object body{{"timeMin", format_rfc3339(q.time_min)},
                             {"timeMax", format_rfc3339(q.time_max)},
                             {"items", std::move(items)}};
    if (!q.time_zone.empty())
        body["timeZone"] = q.time_zone;
    return json_request(freebusy_query_call, http::verb::post, endpoint(o, {"freeBusy"}), body);
}

// The upcoming-events query: from `now` on, instances expanded, by start time.
inline event_query upcoming_query(std::size_t count, time_point now) {
    event_query q;
    q.time_min = now;
    q.max_results = std::clamp<std::size_t>(count, 1, 2500);
    q.single_events = true;
    q.order = order_by::start_time;
    return q;
}

} // namespace detail

} // namespace gapi::calendar

#endif
