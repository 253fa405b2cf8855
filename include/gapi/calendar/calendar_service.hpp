// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CALENDAR_CALENDAR_SERVICE_HPP
#define GAPI_CALENDAR_CALENDAR_SERVICE_HPP

#include <gapi/calendar/resources.hpp>
#include <gapi/client.hpp>
#include <gapi/config.hpp>
#include <gapi/detail/api_call.hpp>
#include <gapi/detail/generated_support.hpp>

#include <boost/asio/deferred.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace gapi::calendar {

// The generated layer (include <gapi/calendar/v3/methods.hpp> to call it).
namespace v3 {
class acl_resource;
class calendar_list_resource;
class calendars_resource;
class channels_resource;
class colors_resource;
class events_resource;
class freebusy_resource;
class settings_resource;
} // namespace v3

struct calendar_options {
    /// Calendar's root URL; empty: the client's `endpoints.calendar`.
    std::string root;
    /// How many requests the many-calendar helpers (`list_events_each`,
    /// `upcoming_events`, `query_freebusy`'s chunks) keep in flight at once.
    std::size_t concurrency = 16;
    /// "Now" for `upcoming_events`; empty: the system clock. Lets a program (or a test)
    /// ask what is upcoming at another moment.
    std::function<time_point()> clock;
    /// Applied to every call of the service (retry policy, deadline, idempotency,
    /// Google's details); see `gapi::call_options` and `calendar_service::with`.
    call_options call;
};

enum class order_by {
    unspecified, ///< Google's stable order
    start_time,  ///< ascending start; only with `single_events`
    updated,     ///< ascending last modification
};

/// Whom Google notifies about an insert, change or delete (`sendUpdates`).
enum class send_updates { unspecified, all, external_only, none };

/// The parameters of events.list; unset ones are not sent.
struct event_query {
    std::optional<time_point> time_min; ///< events that end after this
    std::optional<time_point> time_max; ///< events that start before this
    std::size_t max_results = 250;      ///< per page; Google allows 2500 at most
    bool single_events = false;         ///< expand recurring events into instances
    order_by order = order_by::unspecified;
    std::string q; ///< free text
    bool show_deleted = false;
    std::string time_zone;
    std::optional<time_point> updated_min;
    std::string page_token;
    /// Incremental sync: only what changed since the list that returned this token.
    /// Cannot be combined with time_min, time_max, q, order or updated_min.
    std::string sync_token;
};

/// What `sync_events` found.
struct sync_result {
    /// Incremental: every event inserted, changed or deleted (status "cancelled") since
    /// the token. Full: every event.
    std::vector<event> events;
    std::string next_sync_token; ///< for the next `sync_events`
    /// True when this was a full sync (no token, or Google answered fullSyncRequired):
    /// the caller must replace what it stored, not merge into it.
    bool full = false;
};

/// freebusy.query over any number of calendars.
struct freebusy_query {
    time_point time_min;
    time_point time_max;
    std::string time_zone; ///< of the answer; empty: UTC
    std::vector<std::string> calendars;
    /// Calendars per request; Google answers tooManyCalendarsRequested above 50.
    std::size_t calendars_per_request = 50;
};

/// One calendar's outcome in the many-calendar helpers.
template <class T>
struct calendar_result {
    std::string calendar_id;
    error_code error;
    T value;
};

/// Calendar v3 over a `gapi::client`.
///
/// Every operation takes any completion token (default `asio::deferred`, so `co_await`
/// works) and completes with `void(error_code, T)` on the client's executor, or the
/// handler's associated one. Errors: token and transport errors, Google's refusals as
/// `api_error` (`not_found`, `conflict`, `full_sync_required`, `rate_limited`, ...),
/// `error::malformed_response` for an answer that is not the promised resource, and
/// `error::invalid_argument`-class codes for requests that cannot be sent. Cancellation:
/// terminal, reaching every request in flight. Idempotency: reads, `patch_event`,
/// `update_event`, `delete_event` and `insert_event` with a client-chosen id are safe to
/// repeat; `insert_event` without an id is not, and is never replayed. The client must
/// outlive its operations; the service object may go at any time. Thread safety: as for
/// the client.
class calendar_service {
public:
    GAPI_DECL explicit calendar_service(client& c, calendar_options options = {});

    /// One page of events.list.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_events(std::string calendar_id, event_query query = {}, CompletionToken&& token = {}) const {
        return start<event_list>(
            [self = *this, id = std::move(calendar_id), q = std::move(query)]() { return do_list_events(self, id, q); },
            std::forward<CompletionToken>(token));
    }

    /// Every page of events.list, from `query.page_token` on: the items of all pages in
    /// order, and the last page's `next_sync_token`.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_all_events(std::string calendar_id, event_query query = {}, CompletionToken&& token = {}) const {
        return start<event_list>(
            [self = *this, id = std::move(calendar_id), q = std::move(query)]() {
                return do_list_all_events(self, id, q);
            },
            std::forward<CompletionToken>(token));
    }

    /// Incremental sync: with a token, what changed since; with none, or when Google
    /// says the token is stale (410 fullSyncRequired), a full sync with `full_query`'s
    /// filters (max_results, single_events, time_min, ...), and `full` set in the result.
    template <class CompletionToken = boost::asio::deferred_t>
    auto sync_events(std::string calendar_id, std::string sync_token, event_query full_query = {},
                     CompletionToken&& token = {}) const {
        return start<sync_result>(
            [self = *this, id = std::move(calendar_id), t = std::move(sync_token), q = std::move(full_query)]() {
                return do_sync_events(self, id, t, q);
            },
            std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = boost::asio::deferred_t>
    auto get_event(std::string calendar_id, std::string event_id, CompletionToken&& token = {}) const {
        return start<event>(
            [self = *this, c = std::move(calendar_id), e = std::move(event_id)]() { return do_get_event(self, c, e); },
            std::forward<CompletionToken>(token));
    }

    /// events.insert. With `ev.id` set (see `new_event_id`) the insert is idempotent:
    /// should the transport replay it after a lost connection and Google answer 409
    /// because the first attempt landed, the stored event is fetched and returned.
    template <class CompletionToken = boost::asio::deferred_t>
    auto insert_event(std::string calendar_id, event ev, send_updates notify = send_updates::unspecified,
                      CompletionToken&& token = {}) const {
        return start<event>(
            [self = *this, c = std::move(calendar_id), e = std::move(ev), notify]() {
                return do_insert_event(self, c, e, notify);
            },
            std::forward<CompletionToken>(token));
    }

    /// events.patch: only the members of `changes` (Event fields, e.g.
    /// `{{"summary", "Moved"}}`) change.
    template <class CompletionToken = boost::asio::deferred_t>
    auto patch_event(std::string calendar_id, std::string event_id, boost::json::object changes,
                     send_updates notify = send_updates::unspecified, CompletionToken&& token = {}) const {
        return start<event>(
            [self = *this, c = std::move(calendar_id), e = std::move(event_id), p = std::move(changes), notify]() {
                return do_patch_event(self, c, e, p, notify);
            },
            std::forward<CompletionToken>(token));
    }

    /// events.update: replaces the event `ev.id` with `ev` (fields not set are cleared;
    /// those gapi has no member for travel in `ev.other`, so a read event loses nothing).
    template <class CompletionToken = boost::asio::deferred_t>
    auto update_event(std::string calendar_id, event ev, send_updates notify = send_updates::unspecified,
                      CompletionToken&& token = {}) const {
        return start<event>(
            [self = *this, c = std::move(calendar_id), e = std::move(ev), notify]() {
                return do_update_event(self, c, e, notify);
            },
            std::forward<CompletionToken>(token));
    }

    /// events.delete; completes with true when deleted.
    template <class CompletionToken = boost::asio::deferred_t>
    auto delete_event(std::string calendar_id, std::string event_id, send_updates notify = send_updates::unspecified,
                      CompletionToken&& token = {}) const {
        return start<bool>(
            [self = *this, c = std::move(calendar_id), e = std::move(event_id), notify]() {
                return do_delete_event(self, c, e, notify);
            },
            std::forward<CompletionToken>(token));
    }

    /// One page of calendarList.list (Google allows 250 a page).
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_calendars(std::string page_token = {}, std::size_t max_results = 250, CompletionToken&& token = {}) const {
        return start<calendar::calendar_list>(
            [self = *this, p = std::move(page_token), max_results]() { return do_list_calendars(self, p, max_results); },
            std::forward<CompletionToken>(token));
    }

    /// Every calendar in the user's list.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_all_calendars(CompletionToken&& token = {}) const {
        return start<std::vector<calendar_list_entry>>([self = *this]() { return do_list_all_calendars(self); },
                                                       std::forward<CompletionToken>(token));
    }

    /// freebusy.query for any number of calendars: split into requests of
    /// `calendars_per_request`, sent concurrently (`options().concurrency`), answers
    /// merged. A calendar whose request failed has that error in its entry; the
    /// operation itself fails only when every request failed (then with the first error).
    template <class CompletionToken = boost::asio::deferred_t>
    auto query_freebusy(freebusy_query query, CompletionToken&& token = {}) const {
        return start<freebusy_result>([self = *this, q = std::move(query)]() { return do_query_freebusy(self, q); },
                                      std::forward<CompletionToken>(token));
    }

    /// The first page of events.list for each calendar, `options().concurrency` at a
    /// time. The operation itself succeeds; each calendar has its own result or error.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_events_each(std::vector<std::string> calendar_ids, event_query query = {}, CompletionToken&& token = {}) const {
        return start<std::vector<calendar_result<event_list>>>(
            [self = *this, ids = std::move(calendar_ids), q = std::move(query)]() {
                return do_list_events_each(self, ids, q);
            },
            std::forward<CompletionToken>(token));
    }

    /// The next `count` events (instances of recurring ones included, by start time)
    /// of each calendar, from now on; `options().concurrency` calendars at a time.
    template <class CompletionToken = boost::asio::deferred_t>
    auto upcoming_events(std::vector<std::string> calendar_ids, std::size_t count = 10, CompletionToken&& token = {}) const {
        return start<std::vector<calendar_result<std::vector<event>>>>(
            [self = *this, ids = std::move(calendar_ids), count]() { return do_upcoming_events(self, ids, count); },
            std::forward<CompletionToken>(token));
    }

    calendar_options const& options() const noexcept { return *options_; }

    /// Every method of Calendar v3, generated from Google's discovery document and named
    /// as Google names it: `calendar.events.instances` is `events().instances(...)`
    /// (include <gapi/calendar/v3/methods.hpp>). These calls share the service's options.
    GAPI_DECL v3::acl_resource acl() const;
    GAPI_DECL v3::calendar_list_resource calendar_list() const;
    GAPI_DECL v3::calendars_resource calendars() const;
    GAPI_DECL v3::channels_resource channels() const;
    GAPI_DECL v3::colors_resource colors() const;
    GAPI_DECL v3::events_resource events() const;
    GAPI_DECL v3::freebusy_resource freebusy() const;
    GAPI_DECL v3::settings_resource settings() const;

    /// The requests the operations above send, built without sending them: for an
    /// explicit batch (`gapi::batch::run`), or to send yourself with `client::send`.
    GAPI_DECL http::request list_events_request(std::string const& calendar_id, event_query const& query) const;
    GAPI_DECL http::request get_event_request(std::string const& calendar_id, std::string const& event_id) const;
    GAPI_DECL http::request insert_event_request(std::string const& calendar_id, event const& ev,
                                                 send_updates notify = send_updates::unspecified) const;
    GAPI_DECL http::request delete_event_request(std::string const& calendar_id, std::string const& event_id,
                                                 send_updates notify = send_updates::unspecified) const;

    /// A copy of this service whose calls take `options` (retry policy, deadline,
    /// idempotency, where Google's details go) instead of the client's defaults.
    calendar_service with(call_options options) const {
        calendar_service copy = *this;
        auto changed = *options_;
        changed.call = std::move(options);
        copy.options_ = std::make_shared<calendar_options const>(std::move(changed));
        return copy;
    }

private:
    gapi::detail::service_ref generated() const { return {client_, options_, options_->root, &options_->call}; }

    template <class T>
    using result = boost::asio::awaitable<std::pair<error_code, T>>;

    template <class T, class Make, class CompletionToken>
    auto start(Make make, CompletionToken&& token) const {
        return gapi::detail::start_operation<T>(client_->get_executor(), client_->admission(), {}, std::move(make),
                                                std::forward<CompletionToken>(token));
    }

    // Static, with the service by value: the coroutine frame owns its copy.
    GAPI_DECL static result<event_list> do_list_events(calendar_service self, std::string id, event_query query);
    GAPI_DECL static result<event_list> do_list_all_events(calendar_service self, std::string id, event_query query);
    GAPI_DECL static result<sync_result> do_sync_events(calendar_service self, std::string id, std::string sync_token,
                                                        event_query full_query);
    GAPI_DECL static result<event> do_get_event(calendar_service self, std::string calendar_id, std::string event_id);
    GAPI_DECL static result<event> do_insert_event(calendar_service self, std::string calendar_id, event ev,
                                                   send_updates notify);
    GAPI_DECL static result<event> do_patch_event(calendar_service self, std::string calendar_id, std::string event_id,
                                                  boost::json::object changes, send_updates notify);
    GAPI_DECL static result<event> do_update_event(calendar_service self, std::string calendar_id, event ev,
                                                   send_updates notify);
    GAPI_DECL static result<bool> do_delete_event(calendar_service self, std::string calendar_id, std::string event_id,
                                                  send_updates notify);
    GAPI_DECL static result<calendar::calendar_list> do_list_calendars(calendar_service self, std::string page_token,
                                                             std::size_t max_results);
    GAPI_DECL static result<std::vector<calendar_list_entry>> do_list_all_calendars(calendar_service self);
    GAPI_DECL static result<freebusy_result> do_query_freebusy(calendar_service self, freebusy_query query);
    GAPI_DECL static result<std::vector<calendar_result<event_list>>>
    do_list_events_each(calendar_service self, std::vector<std::string> ids, event_query query);
    // A page may hold fewer events than asked for although more follow: reads on until
    // there are `count`.
    GAPI_DECL static result<std::vector<event>> do_next_events(calendar_service self, std::string id,
                                                               event_query query, std::size_t count);
    GAPI_DECL static result<std::vector<calendar_result<std::vector<event>>>>
    do_upcoming_events(calendar_service self, std::vector<std::string> ids, std::size_t count);

    // Calendar's quota is the credential's user's.
    gapi::detail::call_context context() const noexcept { return {client_, &options_->call, {}}; }

    client* client_;
    // Shared and immutable: copying the service (each operation keeps a copy) costs a
    // reference count, not a copy of every option.
    std::shared_ptr<calendar_options const> options_;
};

/// A fresh event id for `insert_event`: 32 random base32hex characters, so that an
/// insert can be repeated without creating the event twice.
GAPI_DECL std::string new_event_id();

} // namespace gapi::calendar

#ifdef GAPI_HEADER_ONLY
#include <gapi/calendar/impl/calendar_service.ipp>
#endif

#endif
