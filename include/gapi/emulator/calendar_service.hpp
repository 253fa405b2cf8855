// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_CALENDAR_SERVICE_HPP
#define GAPI_EMULATOR_CALENDAR_SERVICE_HPP

#include <gapi/config.hpp>
#include <gapi/emulator/api.hpp>

#include <boost/json/object.hpp>
#include <boost/url/url.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace gapi::emulator {

/// Size of the seeded Calendar data set.
struct calendar_fixture {
    std::size_t calendars = 0;           ///< extra calendars shared with every built-in user
    std::size_t events_per_calendar = 0; ///< events in each of those calendars
};

/// The emulator's Calendar v3, under the path prefix /calendar/v3/: events
/// list/get/insert/patch/update/delete (with paging and sync tokens), instances, move,
/// quickAdd, import and watch; calendarList list/get/insert/patch/update/delete; calendars
/// get/insert/patch/update/delete/clear; acl list/insert/delete; channels.stop; colors.get;
/// settings list/get; freebusy.query.
///
/// Events are stored as the client sent them (start/end objects untouched); their instants are
/// derived for filtering. Not thread-safe: the emulator calls it under its state lock.
class calendar_service {
public:
    /// Every user gets an empty primary calendar whose id is their email.
    GAPI_DECL calendar_service(std::vector<std::string> users, std::uint64_t seed);

    /// Replaces all calendar data with a seeded data set: `calendars` extra calendars
    /// ("fixture-0001@group.calendar.google.com", summary "Fixture calendar 1", ...), each with
    /// `events_per_calendar` events spread over [now - 30 days, now + 90 days] (timed events with
    /// offsets and time zones, all-day events, overlaps, summaries made of searchable words),
    /// plus a few events in every built-in user's primary calendar. Every fixture calendar is in
    /// every built-in user's calendar list: accessRole "owner" for the first user, "reader" for
    /// the others. The same seed gives the same data. Outstanding sync tokens become stale.
    GAPI_DECL void load_fixture(calendar_fixture fixture, clock_type::time_point now);

    /// The Calendar method a request names (a path under /calendar/v3/), with its path
    /// parameters in path order; nullopt for any other path or a method the emulator does
    /// not serve.
    GAPI_DECL std::optional<matched_call> match(verb method, boost::urls::url const& url) const;
    /// Answers a call `match` found, for the token's principal `who` (already authenticated,
    /// its scopes checked): Google's status and body. An exception inside becomes 500
    /// backendError.
    GAPI_DECL api_response handle(matched_call const& call, api_request const& request, principal const& who);

    // ---- inspection, the truth for tests (the caller holds the emulator lock) ----------------

    /// The id of every calendar, in id order.
    GAPI_DECL std::vector<std::string> calendar_ids() const;
    /// Event resources as stored, in creation order; cancelled ones only when asked for.
    GAPI_DECL std::vector<boost::json::object> events(std::string const& calendar_id,
                                                      bool include_deleted) const;
    /// Merged busy intervals of confirmed, opaque events of the calendar, clipped to [min, max).
    GAPI_DECL std::vector<std::pair<clock_type::time_point, clock_type::time_point>>
    busy(std::string const& calendar_id, clock_type::time_point min, clock_type::time_point max) const;
    /// Makes every outstanding sync token stale, so its next use answers 410 fullSyncRequired.
    GAPI_DECL void invalidate_sync_tokens();
    /// {"calendars":[{id, summary, timeZone, events, cancelled, changeSequence}],
    /// "calendarLists":{user:[ids]}, "channels":[{id, resourceId, address, calendarId}]}
    GAPI_DECL boost::json::object inspect_json() const;

private:
    struct stored_event {
        boost::json::object resource;
        clock_type::time_point start;
        clock_type::time_point end;
        std::uint64_t created_seq = 0; // the calendar's change sequence when inserted
        std::uint64_t change_seq = 0;  // ... when last changed
        clock_type::time_point updated{};
    };

    struct calendar_data {
        std::string id;
        std::string summary;
        std::string time_zone = "UTC";
        std::string description;
        std::string owner;    // email of the owner
        bool primary = false; // someone's primary calendar
        std::uint64_t change_seq = 0;
        clock_type::time_point updated{};
        std::map<std::string, stored_event> events; // by event id
        std::map<std::string, std::string> acl;     // rule id ("user:x", "domain:y", "default") -> role
    };

    struct list_entry {
        std::string calendar_id;
        std::string access_role; // owner, writer, reader, freeBusyReader
        std::string color_id;
        std::string background_color;
        std::uint64_t version = 0; // list_version_ when added, for calendarList sync tokens
    };

    struct user_data {
        std::vector<list_entry> entries;
    };

    GAPI_DECL user_data& ensure_user(std::string const& email);
    GAPI_DECL void reset_users();
    GAPI_DECL std::string new_event_id();
    GAPI_DECL std::string next_etag(clock_type::time_point updated);
    GAPI_DECL list_entry const* entry_for(std::string const& email, std::string const& calendar_id) const;

    GAPI_DECL api_response calendar_list(api_request const& request, principal const& who);
    GAPI_DECL api_response list_events(std::string const& calendar_id, api_request const& request,
                                       principal const& who);
    GAPI_DECL api_response get_event(std::string const& calendar_id, std::string const& event_id,
                                     principal const& who);
    GAPI_DECL api_response insert_event(std::string const& calendar_id, api_request const& request,
                                        principal const& who);
    GAPI_DECL api_response modify_event(std::string const& calendar_id, std::string const& event_id,
                                        api_request const& request, principal const& who, bool replace);
    GAPI_DECL api_response delete_event(std::string const& calendar_id, std::string const& event_id,
                                        api_request const& request, principal const& who);
    GAPI_DECL api_response free_busy(api_request const& request, principal const& who);
    GAPI_DECL api_response event_instances(std::string const& calendar_id, std::string const& event_id,
                                           api_request const& request, principal const& who);
    GAPI_DECL api_response watch_events(std::string const& calendar_id, api_request const& request,
                                        principal const& who);
    GAPI_DECL api_response stop_channel(api_request const& request);
    GAPI_DECL api_response insert_calendar(api_request const& request, principal const& who);
    GAPI_DECL api_response change_calendar(std::string const& calendar_id, api_request const& request,
                                           principal const& who, bool replace);
    GAPI_DECL boost::json::object list_item(list_entry const& e, principal const& who) const;
    GAPI_DECL api_response calendar_list_entry(std::string const& calendar_id, api_request const& request,
                                               principal const& who, verb method);
    GAPI_DECL api_response insert_list_entry(api_request const& request, principal const& who);
    GAPI_DECL api_response move_event(std::string const& calendar_id, std::string const& event_id,
                                      api_request const& request, principal const& who);
    GAPI_DECL api_response quick_add(std::string const& calendar_id, api_request const& request, principal const& who);
    GAPI_DECL api_response import_event(std::string const& calendar_id, api_request const& request,
                                        principal const& who);
    GAPI_DECL api_response acl(std::string const& calendar_id, std::string const& rule_id,
                               api_request const& request, principal const& who, verb method);
    GAPI_DECL api_response user_settings(std::string const* setting, principal const& who) const;
    GAPI_DECL api_response get_calendar(std::string const& calendar_id, principal const& who);
    GAPI_DECL api_response delete_calendar(std::string const& calendar_id, principal const& who, bool clear_only);

    std::vector<std::string> users_;
    std::uint64_t seed_;
    std::mt19937_64 rng_;
    std::map<std::string, calendar_data> calendars_; // by calendar id
    std::map<std::string, user_data> lists_;         // calendar lists by user email
    std::map<std::string, boost::json::object> channels_; // open watch channels, by channel id
    std::uint64_t sync_generation_ = 1;              // bumped to make sync tokens stale
    std::uint64_t list_version_ = 0;
    std::uint64_t last_etag_ = 0;
};

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/calendar_service.ipp>
#endif

#endif
