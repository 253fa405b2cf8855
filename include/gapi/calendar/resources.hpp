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

    /// Whether this is an all-day date (`date` set) rather than a date-time.
    bool all_day() const noexcept { return !date.empty(); }
    /// The instant of a timed event; nullopt for an all-day one or an unreadable value.
    std::optional<time_point> instant() const noexcept { return parse_rfc3339(date_time); }
    /// The date of an all-day event; nullopt otherwise.
    std::optional<std::chrono::sys_days> day() const noexcept { return parse_date(date); }

    /// Member-wise: the same text in each member (not the same instant written differently).
    friend bool operator==(event_time const&, event_time const&) = default;
};

/// The creator or organizer of an event.
struct person {
    std::string email;        ///< the person's address, if Google gives one
    std::string display_name; ///< the person's name, if known
    bool self = false;        ///< whether this is the calendar's own user
};

/// A guest of an event (an EventAttendee).
struct attendee {
    std::string email;        ///< the guest's address; required when adding a guest
    std::string display_name; ///< the guest's name, if known
    std::string response_status; ///< needsAction, declined, tentative, accepted
    bool optional = false;  ///< an optional guest
    bool organizer = false; ///< the guest is the organizer (read-only; never written)
    bool self = false;      ///< the guest is the calendar's own user (read-only; never written)
    bool resource = false;  ///< the guest is a resource (a room, equipment)
};

/// An event. Empty strings are fields Google did not send (or that are not to be sent).
struct event {
    std::string id; ///< client-chosen on insert (base32hex, 5-1024 characters), or Google's
    std::string etag;      ///< the version of the event as read (read-only)
    std::string status; ///< confirmed, tentative, cancelled (a deleted event, in a sync)
    std::string html_link; ///< the event's page in Google Calendar (read-only)
    std::string created; ///< RFC 3339
    std::string updated; ///< RFC 3339
    std::string summary;     ///< the title
    std::string description; ///< the description; may hold HTML
    std::string location;    ///< free-text location
    std::string color_id;    ///< an id of Calendar's event colours (see `colors()`)
    std::string transparency; ///< opaque (busy; the default) or transparent
    std::string visibility;  ///< default, public, private or confidential
    std::string i_cal_uid;   ///< the iCalendar UID, shared by all instances of a recurring event
    std::string recurring_event_id; ///< set on an instance of a recurring event
    std::string event_type;  ///< e.g. default, outOfOffice, focusTime, workingLocation
    std::int64_t sequence = 0; ///< the iCalendar sequence number; written only when above 0
    person creator;   ///< who created the event (read-only)
    person organizer; ///< the organizer's calendar (not written by gapi)
    event_time start; ///< the start, inclusive
    event_time end;   ///< the end, exclusive
    /// An instance's start as the recurrence placed it (not written by gapi).
    std::optional<event_time> original_start_time;
    std::vector<std::string> recurrence; ///< RRULE, EXRULE, RDATE, EXDATE lines
    std::vector<attendee> attendees; ///< the guests
    /// Every other field (reminders, conferenceData, extendedProperties, ...) as sent.
    boost::json::object other;

    /// Whether the event is deleted (status "cancelled"), as an incremental sync reports deletions.
    bool cancelled() const noexcept { return status == "cancelled"; }
};

/// One page of events.list.
struct event_list {
    std::vector<event> items;    ///< the page's events
    std::string next_page_token; ///< more pages follow
    std::string next_sync_token; ///< on the last page: where the next incremental sync starts
    std::string summary;         ///< the calendar's
    std::string time_zone;       ///< the calendar's
    std::string updated;         ///< the calendar's last change, RFC 3339
    std::string access_role;     ///< the user's role on the calendar: freeBusyReader, reader, writer, owner
};

/// A calendar in the user's list (CalendarListEntry).
struct calendar_list_entry {
    std::string id;               ///< the calendar's id (an address for users' calendars)
    std::string summary;          ///< the calendar's title
    std::string summary_override; ///< the title the user chose for it, if any
    std::string description;      ///< the calendar's description
    std::string time_zone;        ///< its IANA zone, e.g. "Europe/Athens"
    std::string access_role; ///< freeBusyReader, reader, writer, owner
    std::string background_color; ///< `#rrggbb`
    std::string foreground_color; ///< `#rrggbb`
    bool primary = false;  ///< the user's primary calendar
    bool selected = false; ///< shown in the Calendar UI
    bool hidden = false;   ///< hidden from the list in the Calendar UI
};

/// One page of calendarList.list (CalendarList).
struct calendar_list {
    std::vector<calendar_list_entry> items; ///< the page's calendars
    std::string next_page_token; ///< more pages follow
    std::string next_sync_token; ///< on the last page: for an incremental sync of the list
};

/// A busy period: `start` inclusive, `end` exclusive.
struct busy_period {
    time_point start; ///< inclusive
    time_point end;   ///< exclusive
    /// Member-wise.
    friend bool operator==(busy_period const&, busy_period const&) = default;
};

/// One calendar's answer to a free/busy query.
struct calendar_busy {
    std::vector<busy_period> busy; ///< the busy periods, as Google lists them
    /// Google's reasons for this calendar (notFound, tooManyCalendarsRequested,
    /// internalError, ...); empty when it answered.
    std::vector<std::string> reasons;
    /// Empty when the calendar answered; otherwise why not: `api_error::not_found` for
    /// notFound, `api_error::bad_request` for Google's other reasons, or the error of the
    /// request that carried this calendar.
    error_code error;
};

/// The answer to a free/busy query (FreeBusyResponse), merged over its requests.
struct freebusy_result {
    time_point time_min; ///< the start of the interval, as Google answered it
    time_point time_max; ///< its end
    std::map<std::string, calendar_busy> calendars; ///< by the id asked for
};

/// Reads an EventDateTime: "date", "dateTime" and "timeZone" as written. Throws for a
/// value that is not an object or a member that is not a string.
GAPI_DECL event_time tag_invoke(boost::json::value_to_tag<event_time>, boost::json::value const& v);
/// Writes an EventDateTime with the members that are not empty.
GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, event_time const& t);
/// Reads an event's creator or organizer. Throws for a member of the wrong type.
GAPI_DECL person tag_invoke(boost::json::value_to_tag<person>, boost::json::value const& v);
/// Reads an EventAttendee. Throws for a member of the wrong type.
GAPI_DECL attendee tag_invoke(boost::json::value_to_tag<attendee>, boost::json::value const& v);
/// Writes an EventAttendee: the strings that are set, and "optional" and "resource" when
/// true; "organizer" and "self" (read-only) never.
GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, attendee const& a);
/// Reads an Event; members gapi has no field for go to `other` ("kind" is dropped).
/// Throws when "id" is missing or a member has the wrong type.
GAPI_DECL event tag_invoke(boost::json::value_to_tag<event>, boost::json::value const& v);
/// Writes the fields that are set, and `other`; read-only fields (etag, htmlLink,
/// created, updated, creator) are left out, as Google ignores them on writes.
/// Also left out: organizer, recurringEventId and originalStartTime, and sequence when it
/// is 0.
GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, event const& e);
/// Reads an Events page; a missing "items" is an empty list. Throws as the Event's
/// conversion does.
GAPI_DECL event_list tag_invoke(boost::json::value_to_tag<event_list>, boost::json::value const& v);
/// Reads a CalendarListEntry. Throws when "id" is missing or a member has the wrong type.
GAPI_DECL calendar_list_entry tag_invoke(boost::json::value_to_tag<calendar_list_entry>, boost::json::value const& v);
/// Reads a CalendarList page; a missing "items" is an empty list. Throws as the entry's
/// conversion does.
GAPI_DECL calendar_list tag_invoke(boost::json::value_to_tag<calendar_list>, boost::json::value const& v);
/// Reads Google's freeBusy answer; unreadable busy times are `malformed_response`.
/// A calendar's first error reason decides its `calendar_busy::error`. Throws when
/// "timeMin" or "timeMax" is missing or not RFC 3339, or for a malformed entry.
GAPI_DECL freebusy_result tag_invoke(boost::json::value_to_tag<freebusy_result>, boost::json::value const& v);

} // namespace gapi::calendar

#ifdef GAPI_HEADER_ONLY
#include <gapi/calendar/impl/resources.ipp>
#endif

#endif
