// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CALENDAR_RESOURCES_HPP
#define GAPI_CALENDAR_RESOURCES_HPP

#include <gapi/calendar/time.hpp>
#include <gapi/config.hpp>
#include <gapi/error.hpp>

#include <boost/json/conversion.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

// Calendar v3 resources as the discovery document names them. Unknown fields are kept
// (`other`), so that an event read, changed and written back with `update_event` loses
// nothing; a missing id makes `value_to` throw, which the service reports as
// `error::malformed_response`.
namespace gapi::calendar {

/// An event's start or end (EventDateTime): either a date (all-day events) or a
/// date-time with its offset, each kept exactly as written, and an optional IANA zone.
struct event_time {
    std::string date;      ///< "2026-05-01" for an all-day event; the end date is exclusive
    std::string date_time; ///< RFC 3339 with offset, e.g. "2026-05-01T10:00:00+02:00"
    std::string time_zone; ///< e.g. "Europe/Athens"; required for recurring events

    /// An all-day date.
    static event_time on(std::chrono::sys_days day) { return {format_date(day), {}, {}}; }
    /// An instant, written in UTC, with an optional zone for display and recurrence.
    static event_time at(time_point t, std::string zone = {}) { return {{}, format_rfc3339(t), std::move(zone)}; }

    bool all_day() const noexcept { return !date.empty(); }
    /// The instant of a timed event; nullopt for an all-day one or an unreadable value.
    std::optional<time_point> instant() const noexcept { return parse_rfc3339(date_time); }
    /// The date of an all-day event; nullopt otherwise.
    std::optional<std::chrono::sys_days> day() const noexcept { return parse_date(date); }

    friend bool operator==(event_time const&, event_time const&) = default;
};

/// The creator or organizer of an event.
struct person {
    std::string email;
    std::string display_name;
    bool self = false;
};

struct attendee {
    std::string email;
    std::string display_name;
    std::string response_status; ///< needsAction, declined, tentative, accepted
    bool optional = false;
    bool organizer = false;
    bool self = false;
    bool resource = false;
};

/// An event. Empty strings are fields Google did not send (or that are not to be sent).
struct event {
    std::string id; ///< client-chosen on insert (base32hex, 5-1024 characters), or Google's
    std::string etag;
    std::string status; ///< confirmed, tentative, cancelled (a deleted event, in a sync)
    std::string html_link;
    std::string created; ///< RFC 3339
    std::string updated; ///< RFC 3339
    std::string summary;
    std::string description;
    std::string location;
    std::string color_id;
    std::string transparency; ///< opaque (busy; the default) or transparent
    std::string visibility;
    std::string i_cal_uid;
    std::string recurring_event_id; ///< set on an instance of a recurring event
    std::string event_type;
    std::int64_t sequence = 0;
    person creator;
    person organizer;
    event_time start;
    event_time end;
    std::optional<event_time> original_start_time;
    std::vector<std::string> recurrence; ///< RRULE, EXRULE, RDATE, EXDATE lines
    std::vector<attendee> attendees;
    /// Every other field (reminders, conferenceData, extendedProperties, ...) as sent.
    boost::json::object other;

    bool cancelled() const noexcept { return status == "cancelled"; }
};

/// One page of events.list.
struct event_list {
    std::vector<event> items;
    std::string next_page_token; ///< more pages follow
    std::string next_sync_token; ///< on the last page: where the next incremental sync starts
    std::string summary;         ///< the calendar's
    std::string time_zone;       ///< the calendar's
    std::string updated;
    std::string access_role;
};

struct calendar_list_entry {
    std::string id;
    std::string summary;
    std::string summary_override;
    std::string description;
    std::string time_zone;
    std::string access_role; ///< freeBusyReader, reader, writer, owner
    std::string background_color;
    std::string foreground_color;
    bool primary = false;
    bool selected = false;
    bool hidden = false;
};

struct calendar_list {
    std::vector<calendar_list_entry> items;
    std::string next_page_token;
    std::string next_sync_token;
};

/// A busy period: `start` inclusive, `end` exclusive.
struct busy_period {
    time_point start;
    time_point end;
    friend bool operator==(busy_period const&, busy_period const&) = default;
};

/// One calendar's answer to a free/busy query.
struct calendar_busy {
    std::vector<busy_period> busy;
    /// Google's reasons for this calendar (notFound, tooManyCalendarsRequested,
    /// internalError, ...); empty when it answered.
    std::vector<std::string> reasons;
    /// Empty when the calendar answered; otherwise why not: `api_error::not_found` for
    /// notFound, `api_error::bad_request` for Google's other reasons, or the error of the
    /// request that carried this calendar.
    error_code error;
};

struct freebusy_result {
    time_point time_min;
    time_point time_max;
    std::map<std::string, calendar_busy> calendars; ///< by the id asked for
};

GAPI_DECL event_time tag_invoke(boost::json::value_to_tag<event_time>, boost::json::value const& v);
GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, event_time const& t);
GAPI_DECL person tag_invoke(boost::json::value_to_tag<person>, boost::json::value const& v);
GAPI_DECL attendee tag_invoke(boost::json::value_to_tag<attendee>, boost::json::value const& v);
GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, attendee const& a);
GAPI_DECL event tag_invoke(boost::json::value_to_tag<event>, boost::json::value const& v);
/// Writes the fields that are set, and `other`; read-only fields (etag, htmlLink,
/// created, updated, creator) are left out, as Google ignores them on writes.
GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, event const& e);
GAPI_DECL event_list tag_invoke(boost::json::value_to_tag<event_list>, boost::json::value const& v);
GAPI_DECL calendar_list_entry tag_invoke(boost::json::value_to_tag<calendar_list_entry>, boost::json::value const& v);
GAPI_DECL calendar_list tag_invoke(boost::json::value_to_tag<calendar_list>, boost::json::value const& v);
/// Reads Google's freeBusy answer; unreadable busy times are `malformed_response`.
GAPI_DECL freebusy_result tag_invoke(boost::json::value_to_tag<freebusy_result>, boost::json::value const& v);

} // namespace gapi::calendar

#ifdef GAPI_HEADER_ONLY
#include <gapi/calendar/impl/resources.ipp>
#endif

#endif
