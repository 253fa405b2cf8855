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

/// Calendar v3: `calendar_service`, its resources (`event`, `event_list`, ...), RFC 3339
/// times and, in `gapi::calendar::v3`, every method of the API.
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

/// Options of a `calendar_service`: where Calendar is, how wide the many-calendar helpers
/// go, and the options every call of the service takes.
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

/// The order of events.list's results (`orderBy`).
enum class order_by {
    unspecified, ///< Google's stable order
    start_time,  ///< ascending start; only with `single_events`
    updated,     ///< ascending last modification
};

/// @var gapi::calendar::send_updates::unspecified
/// No `sendUpdates` parameter: Google's default.
/// @var gapi::calendar::send_updates::all
/// `sendUpdates=all`: notify every guest.
/// @var gapi::calendar::send_updates::external_only
/// `sendUpdates=externalOnly`: notify only guests outside Google Calendar.
/// @var gapi::calendar::send_updates::none
/// `sendUpdates=none`: notify nobody.

/// Whom Google notifies about an insert, change or delete (`sendUpdates`).
enum class send_updates { unspecified, all, external_only, none };

/// The parameters of events.list; unset ones are not sent.
struct event_query {
    std::optional<time_point> time_min; ///< events that end after this
    std::optional<time_point> time_max; ///< events that start before this
    std::size_t max_results = 250;      ///< per page; Google allows 2500 at most
    bool single_events = false;         ///< expand recurring events into instances
    order_by order = order_by::unspecified; ///< the order of the results
    std::string q; ///< free text
    bool show_deleted = false; ///< also list cancelled (deleted) events
    std::string time_zone;     ///< the IANA zone of the answer's times; empty: the calendar's
    std::optional<time_point> updated_min; ///< only events changed after this
    std::string page_token; ///< the previous page's `next_page_token`; empty: the first page
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
    time_point time_min; ///< the start of the interval asked about
    time_point time_max; ///< its end
    std::string time_zone; ///< of the answer; empty: UTC
    std::vector<std::string> calendars; ///< the calendar ids (or addresses) to ask about
    /// Calendars per request; Google answers tooManyCalendarsRequested above 50.
    std::size_t calendars_per_request = 50;
};

/// One calendar's outcome in the many-calendar helpers.
template <class T>
struct calendar_result {
    std::string calendar_id; ///< the calendar asked about
    error_code error;        ///< empty, or why this calendar's requests failed
    T value;                 ///< the calendar's result (`upcoming_events`: what came before a failure)
};

/// Calendar v3 over a `gapi::client`: events (list, sync, read, insert, patch, update,
/// delete), the calendar list, free/busy over any number of calendars, and helpers that
/// ask many calendars at once; every other Calendar method through `events()`, `acl()`,
/// ... A cheap handle: copies share their options, and `with` makes one with other
/// per-call options.
///
/// @par Completion signature
/// Every operation takes any completion token (default `asio::deferred`, so `co_await`
/// works) and completes with `void(error_code, T)`, `T` as each operation says. On failure
/// `T` is default-constructed, except where an operation says otherwise.
/// @par Errors
/// Token errors (`error::reauthorization_required`, `error::invalid_client`, ...) before
/// any API request; transport errors (conditions `network`, `timeout`, `tls`, ...; see
/// `http::connection_pool::send`) when the last attempt got no answer; Google's refusals
/// as `api_error` once retries are spent (`not_found`, `conflict`, `gone`,
/// `full_sync_required`, `rate_limited`, `unauthenticated` when a fresh token was refused
/// too, ...); `error::malformed_response` for an answer that is not the promised resource;
/// requests that cannot be sent, before any request (condition `invalid_argument`:
/// `error::invalid_url` for a misconfigured root, `error::missing_id`);
/// `error::deadline_exceeded` when `call_options::timeout` passed;
/// `boost::asio::error::operation_aborted` when cancelled; `error::pool_shut_down` when the
/// client went while the operation waited for admission.
/// @par Retries and idempotency
/// Every request goes through the client's retry loop (`client_options::retry`, or
/// `call_options::retry`): a 429 or a rate-limit 403, and a failure that provably never
/// reached Google, are retried for every operation; a 401 refreshes the token and sends
/// once more; an ambiguous failure (500, 502, 503, 504, 403 backendError, a connection
/// lost after the request was written) only for idempotent operations. Reads,
/// `query_freebusy`, `patch_event`, `update_event`, `delete_event` and `insert_event` with
/// a client-chosen id are idempotent; `insert_event` without an id is not, and is never
/// replayed. `call_options::idempotent` overrides this.
/// @par Cancellation
/// As for `gapi::client`: any cancellation ends an operation waiting for admission;
/// terminal cancellation reaches every request in flight. The many-calendar helpers
/// (`query_freebusy`, `list_events_each`, `upcoming_events`) then start no more requests,
/// and each calendar not answered yet reports `operation_aborted` in its own entry.
/// @par Executor and thread safety
/// As for `gapi::client`: the work runs on the client's executor; operations may be
/// started from any thread; the handler runs on its associated executor.
/// @par Lifetimes
/// The client must outlive its operations; the service object may go at any time (each
/// operation keeps a copy, and its arguments are moved into it).
class calendar_service {
public:
    /// Calendar through `c`; an empty `options.root` takes `c.endpoints().calendar`. No I/O.
    GAPI_DECL explicit calendar_service(client& c, calendar_options options = {});

    /// One page of events.list of the calendar `calendar_id` ("primary" for the user's
    /// own) for `query`.
    ///
    /// @par Completion signature
    /// `void(error_code, event_list)`; `next_page_token` is empty on the last page, which
    /// carries `next_sync_token`.
    /// @par Errors
    /// As for the class; with `query.sync_token`, `api_error::full_sync_required` when
    /// Google no longer knows the token.
    /// @par Idempotency
    /// A read: idempotent, retried.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_events(std::string calendar_id, event_query query = {}, CompletionToken&& token = {}) const {
        return start<event_list>(
            [self = *this, id = std::move(calendar_id), q = std::move(query)]() { return do_list_events(self, id, q); },
            std::forward<CompletionToken>(token));
    }

    /// Every page of events.list, from `query.page_token` on: the items of all pages in
    /// order, and the last page's `next_sync_token`.
    ///
    /// @par Completion signature
    /// `void(error_code, event_list)`: `items` of every page, the calendar's `summary`,
    /// `time_zone`, `updated` and `access_role` from the last page read, and the last
    /// page's `next_sync_token`; `next_page_token` stays empty. On an error, the items of
    /// the pages read before it come with it.
    /// @par Errors
    /// As for `list_events`, from the first page that failed. `call_options::timeout`
    /// applies to each page's request.
    /// @par Idempotency
    /// Reads: each page is retried on its own.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
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
    /// The incremental list takes only `max_results` and `single_events` from
    /// `full_query`; the full one ignores its `page_token` and `sync_token`. Every page is
    /// read, as `list_all_events` reads them.
    ///
    /// @par Completion signature
    /// `void(error_code, sync_result)`: the events (deleted ones with status "cancelled"),
    /// the token for the next sync, and whether this was a full sync. On an error the
    /// result is empty, except after a failed full sync, which keeps the events read.
    /// @par Errors
    /// As for the class; an `api_error::full_sync_required` answer to the incremental list
    /// is not an error: it turns into a full sync.
    /// @par Idempotency
    /// Reads: idempotent, each page retried on its own.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto sync_events(std::string calendar_id, std::string sync_token, event_query full_query = {},
                     CompletionToken&& token = {}) const {
        return start<sync_result>(
            [self = *this, id = std::move(calendar_id), t = std::move(sync_token), q = std::move(full_query)]() {
                return do_sync_events(self, id, t, q);
            },
            std::forward<CompletionToken>(token));
    }

    /// Reads the event `event_id` of the calendar `calendar_id` (events.get).
    ///
    /// @par Completion signature
    /// `void(error_code, event)`; fields gapi has no member for are in `event::other`.
    /// @par Errors
    /// As for the class; `api_error::not_found` when there is no such event.
    /// @par Idempotency
    /// A read: idempotent, retried.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto get_event(std::string calendar_id, std::string event_id, CompletionToken&& token = {}) const {
        return start<event>(
            [self = *this, c = std::move(calendar_id), e = std::move(event_id)]() { return do_get_event(self, c, e); },
            std::forward<CompletionToken>(token));
    }

    /// events.insert: adds `ev` to the calendar `calendar_id`.
    /// With `ev.id` set (see `new_event_id`) the insert is idempotent:
    /// should the transport replay it after a lost connection and Google answer 409
    /// because the first attempt landed, the stored event is fetched and returned.
    /// `notify` says whom Google tells.
    ///
    /// @par Completion signature
    /// `void(error_code, event)`: the stored event as Google answers it (with its id).
    /// @par Errors
    /// As for the class; `api_error::conflict` when an event with `ev.id` exists already
    /// (on the first attempt); `api_error::bad_request` for an event Google refuses.
    /// @par Idempotency
    /// With `ev.id`: idempotent, retried and replayable; a 409 after an earlier attempt
    /// that may have acted (a lost answer, a 5xx, a transport replay) is taken for that
    /// attempt's doing, and the event is then read (events.get, a second request) and
    /// returned. After attempts that provably did nothing (a 429, a 401) a 409 means the id
    /// is another event's: `api_error::conflict`. Without an id: not idempotent, never replayed by the transport, sent
    /// again only when the request provably never reached Google, after a rate-limit
    /// refusal or once after a 401; an ambiguous failure completes with its error, and the
    /// event may or may not exist.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class; `ev` is moved into the operation.
    template <class CompletionToken = boost::asio::deferred_t>
    auto insert_event(std::string calendar_id, event ev, send_updates notify = send_updates::unspecified,
                      CompletionToken&& token = {}) const {
        return start<event>(
            [self = *this, c = std::move(calendar_id), e = std::move(ev), notify]() {
                return do_insert_event(self, c, e, notify);
            },
            std::forward<CompletionToken>(token));
    }

    /// events.patch: only the members of `changes` (Event fields, such as
    /// `{{"summary", "Moved"}}`) change.
    ///
    /// @par Completion signature
    /// `void(error_code, event)`: the whole event after the change.
    /// @par Errors
    /// As for the class; `api_error::not_found` when there is no such event.
    /// @par Idempotency
    /// Idempotent (a PATCH): retried and replayable; the same changes applied twice leave
    /// the same event.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
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
    ///
    /// @par Completion signature
    /// `void(error_code, event)`: the event as stored.
    /// @par Errors
    /// As for the class; `error::missing_id` (before any request) when `ev.id` is empty;
    /// `api_error::not_found` when there is no such event.
    /// @par Idempotency
    /// Idempotent (a PUT): retried and replayable.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class; `ev` is moved into the operation.
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
    ///
    /// @par Completion signature
    /// `void(error_code, bool)`: true exactly when the error code is empty.
    /// @par Errors
    /// As for the class; `api_error::not_found` when there is no such event, and
    /// `api_error::gone` when it was deleted before (on the first attempt).
    /// @par Idempotency
    /// Idempotent (a DELETE): retried and replayable. A 410 after an earlier attempt that
    /// may have acted (a lost answer, a 5xx, a transport replay) is taken for that
    /// attempt's doing, and the operation succeeds.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto delete_event(std::string calendar_id, std::string event_id, send_updates notify = send_updates::unspecified,
                      CompletionToken&& token = {}) const {
        return start<bool>(
            [self = *this, c = std::move(calendar_id), e = std::move(event_id), notify]() {
                return do_delete_event(self, c, e, notify);
            },
            std::forward<CompletionToken>(token));
    }

    /// One page of calendarList.list (Google allows 250 a page), from `page_token` (empty:
    /// the first page).
    ///
    /// @par Completion signature
    /// `void(error_code, calendar_list)`.
    /// @par Errors
    /// As for the class.
    /// @par Idempotency
    /// A read: idempotent, retried.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_calendars(std::string page_token = {}, std::size_t max_results = 250, CompletionToken&& token = {}) const {
        return start<calendar::calendar_list>(
            [self = *this, p = std::move(page_token), max_results]() { return do_list_calendars(self, p, max_results); },
            std::forward<CompletionToken>(token));
    }

    /// Every calendar in the user's list: calendarList.list page by page, 250 a page.
    ///
    /// @par Completion signature
    /// `void(error_code, std::vector<calendar_list_entry>)`. On an error, the entries of
    /// the pages read before it come with it.
    /// @par Errors
    /// As for the class, from the first page that failed.
    /// @par Idempotency
    /// Reads: each page is retried on its own.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_all_calendars(CompletionToken&& token = {}) const {
        return start<std::vector<calendar_list_entry>>([self = *this]() { return do_list_all_calendars(self); },
                                                       std::forward<CompletionToken>(token));
    }

    /// freebusy.query for any number of calendars: split into requests of
    /// `calendars_per_request`, sent concurrently (`options().concurrency`), answers
    /// merged. A calendar whose request failed has that error in its entry; the
    /// operation itself fails only when every request failed (then with the first error).
    ///
    /// @par Completion signature
    /// `void(error_code, freebusy_result)`: an entry per calendar asked about, with its
    /// busy periods or its error (Google's reason for that calendar, or its request's
    /// error). No calendars: success and no entries.
    /// @par Errors
    /// As for the class, when every request failed.
    /// @par Idempotency
    /// Idempotent (a query, though sent with POST): each request is retried on its own.
    /// @par Cancellation
    /// As for the class: terminal cancellation stops the requests in flight and starts no
    /// more; their calendars report `operation_aborted`, and the operation fails only if
    /// no request had succeeded.
    /// @par Executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto query_freebusy(freebusy_query query, CompletionToken&& token = {}) const {
        return start<freebusy_result>([self = *this, q = std::move(query)]() { return do_query_freebusy(self, q); },
                                      std::forward<CompletionToken>(token));
    }

    /// The first page of events.list for each calendar, `options().concurrency` at a
    /// time. The operation itself succeeds; each calendar has its own result or error.
    ///
    /// @par Completion signature
    /// `void(error_code, std::vector<calendar_result<event_list>>)`: one entry per id, in
    /// the order given. The error code is always empty.
    /// @par Errors
    /// Per calendar, as for `list_events`.
    /// @par Idempotency
    /// Reads: each request is retried on its own.
    /// @par Cancellation
    /// As for the class: terminal cancellation stops the requests in flight and starts no
    /// more; the operation still succeeds, each calendar not answered yet with
    /// `operation_aborted` in its entry.
    /// @par Executor, thread safety, lifetimes
    /// As for the class.
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
    /// "Now" is `calendar_options::clock`, or the system clock; "from now on" means events
    /// that end after it, so one in progress is included.
    ///
    /// @par Completion signature
    /// `void(error_code, std::vector<calendar_result<std::vector<event>>>)`: one entry per
    /// id, in the order given, each with at most `count` events (fewer when the calendar
    /// has fewer). The error code is always empty.
    /// @par Errors
    /// Per calendar, as for `list_events`; a calendar that failed keeps the events read
    /// before the failure.
    /// @par Idempotency
    /// Reads: each request is retried on its own.
    /// @par Cancellation
    /// As for `list_events_each`.
    /// @par Executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto upcoming_events(std::vector<std::string> calendar_ids, std::size_t count = 10, CompletionToken&& token = {}) const {
        return start<std::vector<calendar_result<std::vector<event>>>>(
            [self = *this, ids = std::move(calendar_ids), count]() { return do_upcoming_events(self, ids, count); },
            std::forward<CompletionToken>(token));
    }

    /// The service's options, with the root resolved (never empty).
    calendar_options const& options() const noexcept { return *options_; }

    /// The generated `acl` resource (calendar.acl.*).
    ///
    /// This and the other resource functions below give every method of Calendar v3,
    /// generated from Google's discovery document and named as Google names it:
    /// `calendar.events.instances` is `events().instances(...)` (include
    /// `gapi/calendar/v3/methods.hpp`). These calls share the service's options.
    GAPI_DECL v3::acl_resource acl() const;
    /// The `calendarList` resource (calendar.calendarList.*); see `acl`.
    GAPI_DECL v3::calendar_list_resource calendar_list() const;
    /// The `calendars` resource (calendar.calendars.*); see `acl`.
    GAPI_DECL v3::calendars_resource calendars() const;
    /// The `channels` resource (calendar.channels.*); see `acl`.
    GAPI_DECL v3::channels_resource channels() const;
    /// The `colors` resource (calendar.colors.*); see `acl`.
    GAPI_DECL v3::colors_resource colors() const;
    /// The `events` resource (calendar.events.*); see `acl`.
    GAPI_DECL v3::events_resource events() const;
    /// The `freebusy` resource (calendar.freebusy.*); see `acl`.
    GAPI_DECL v3::freebusy_resource freebusy() const;
    /// The `settings` resource (calendar.settings.*); see `acl`.
    GAPI_DECL v3::settings_resource settings() const;

    /// The request `list_events` sends (events.list of `calendar_id` for `query`), built
    /// without sending it.
    ///
    /// This and the other `*_request` functions build the requests the operations above
    /// send: for an explicit batch (`gapi::batch::run`), or to send yourself with
    /// `client::send`. Each carries Google's method id, its quota units and its
    /// idempotency. A misconfigured root throws `boost::system::system_error`
    /// (`error::invalid_url`). No I/O.
    GAPI_DECL http::request list_events_request(std::string const& calendar_id, event_query const& query) const;
    /// events.get, as `get_event` sends it; see `list_events_request`.
    GAPI_DECL http::request get_event_request(std::string const& calendar_id, std::string const& event_id) const;
    /// events.insert of `ev`, as `insert_event` sends it: replayable (and retried after an
    /// ambiguous failure) only when `ev.id` is set; see `list_events_request`. Sent this
    /// way, a 409 for a replayed insert is not turned into the stored event.
    GAPI_DECL http::request insert_event_request(std::string const& calendar_id, event const& ev,
                                                 send_updates notify = send_updates::unspecified) const;
    /// events.delete, as `delete_event` sends it; see `list_events_request`. Sent this way,
    /// a 410 for a replayed delete is not turned into success.
    GAPI_DECL http::request delete_event_request(std::string const& calendar_id, std::string const& event_id,
                                                 send_updates notify = send_updates::unspecified) const;

    /// A copy of this service whose calls take `options` (retry policy, deadline,
    /// idempotency, where Google's details go) instead of the client's defaults. It
    /// replaces `calendar_options::call` as a whole; this service is unchanged.
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
    // An operation that is one call (`gapi::detail::fetch_operation`), or a coroutine.
    template <class T>
    using operation = gapi::detail::operation_result<T>;

    template <class T, class Make, class CompletionToken>
    auto start(Make make, CompletionToken&& token) const {
        return gapi::detail::start_operation<T>(client_->get_executor(), client_->admission(), {}, std::move(make),
                                                std::forward<CompletionToken>(token));
    }

    // Static, with the service by value: the coroutine frame owns its copy (or, for one that
    // only returns its call's awaitable, the call keeps the options: `call_context::owner`,
    // and a get takes its arguments by reference: they are used up before it returns).
    GAPI_DECL static result<event_list> do_list_events(calendar_service self, std::string id, event_query query);
    GAPI_DECL static result<event_list> do_list_all_events(calendar_service self, std::string id, event_query query);
    GAPI_DECL static result<sync_result> do_sync_events(calendar_service self, std::string id, std::string sync_token,
                                                        event_query full_query);
    GAPI_DECL static operation<event> do_get_event(calendar_service const& self, std::string const& calendar_id,
                                                   std::string const& event_id);
    GAPI_DECL static result<event> do_insert_event(calendar_service self, std::string calendar_id, event ev,
                                                   send_updates notify);
    GAPI_DECL static operation<event> do_patch_event(calendar_service self, std::string calendar_id, std::string event_id,
                                                  boost::json::object changes, send_updates notify);
    GAPI_DECL static operation<event> do_update_event(calendar_service self, std::string calendar_id, event ev,
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
    gapi::detail::call_context context() const noexcept { return {client_, &options_->call, {}, options_}; }

    client* client_;
    // Shared and immutable: copying the service (each operation keeps a copy) costs a
    // reference count, not a copy of every option.
    std::shared_ptr<calendar_options const> options_;
};

/// A fresh event id for `insert_event`: 32 random base32hex characters (0-9, a-v, from
/// OpenSSL's CSPRNG), so that an insert can be repeated without creating the event twice.
/// Throws `std::runtime_error` if the generator fails.
GAPI_DECL std::string new_event_id();

} // namespace gapi::calendar

#ifdef GAPI_HEADER_ONLY
#include <gapi/calendar/impl/calendar_service.ipp>
#endif

#endif
