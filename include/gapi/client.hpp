// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CLIENT_HPP
#define GAPI_CLIENT_HPP

#include <gapi/auth/credentials.hpp>
#include <gapi/auth/token_source.hpp>
#include <gapi/call_options.hpp>
#include <gapi/config.hpp>
#include <gapi/detail/start_operation.hpp>
#include <gapi/error.hpp>
#include <gapi/http/connection_pool.hpp>
#include <gapi/pipeline/batcher.hpp>
#include <gapi/pipeline/call.hpp>
#include <gapi/pipeline/pacer.hpp>
#include <gapi/pipeline/retry.hpp>

#include <boost/asio/deferred.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <optional>

/// gapi: an asynchronous client for Google's Gmail v1 and Calendar v3 APIs over
/// Boost.Asio. Start with `gapi::client`.
namespace gapi {

namespace gmail {
class gmail_service;
}
namespace calendar {
class calendar_service;
}
namespace batch::detail {
struct client_access;
}

namespace detail {
/// The Authorization field's value for the last token set, "Bearer " and the token, made
/// once per token (anew, it cost every call an allocation and a copy of the token), and
/// shared with the batched calls whose envelope is to carry it.
struct bearer_field {
    std::shared_ptr<std::string const> value;
    bool valid = false; ///< `value` may go out as it is (`http::is_valid_field_value`)

    /// `value` for `token`, made anew only when the token changed.
    GAPI_DECL std::string const& for_token(auth::access_token const& token);
};
} // namespace detail

/// Where the APIs are: Google's by default, the emulator's base URL in tests.
struct api_endpoints {
    std::string gmail = "https://gmail.googleapis.com";  ///< the root of Gmail's URLs (`/gmail/v1/...`)
    std::string calendar = "https://www.googleapis.com"; ///< the root of Calendar's URLs (`/calendar/v3/...`)
};

/// Options of a `client`: plain members with documented defaults.
struct client_options {
    /// The connection pool's options: timeouts, connections per origin, TLS, size limits.
    http::pool_options transport;
    /// The token source's options: refresh margin, token endpoint retries, `on_token` hook.
    auth::token_source_options tokens;
    /// Where the APIs are; point both at an emulator in tests.
    api_endpoints endpoints;
    /// How every call is retried (see docs/guide.md, "Retries"); on by default.
    pipeline::retry_options retry;
    /// The quota budgets calls are paced to (see docs/guide.md, "Quota pacing"); on by default,
    /// with Google's 2026 table.
    pipeline::pacing_options pacing;
    /// Set: this client paces with every other client holding the same gate (and
    /// `pacing` is ignored), as clients of one Google Cloud project share its quota.
    /// The clients must then run on one thread (or one strand).
    std::shared_ptr<pipeline::pacing_gate> shared_pacing;
    /// Automatic batching of concurrent calls (see docs/guide.md, "Batches"); off by default,
    /// and per service with `call_options::batch`.
    pipeline::batching_options batching;
    /// Time and waiting for the retry loop; default: the system clocks and Asio timers.
    /// Tests replace it to decide backoff without sleeping.
    std::optional<pipeline::timing> retry_timing;
    /// Called after every attempt of every call, on the client's executor. Sees the
    /// method, the status, Google's reason and the retry decision; never a token.
    std::function<void(pipeline::attempt_report const&)> on_attempt;
    /// Operations of this client that run at once per user (the quota key: Gmail's
    /// mailbox, or the credential's user; each user has a lane of their own); the ones
    /// started beyond it wait, in order, holding only their arguments (no request, no coroutine, no place in the
    /// pool's queue), so that 100,000 sends started at once cost 100,000 small records.
    /// A cancelled waiting operation completes at once with `operation_aborted`.
    /// 0 (the default) chooses: 256, or with automatic batching on, as many as the pool
    /// can carry in full batches (connections per origin × the larger batch size), so
    /// that batches fill. Per-service batching (`call_options::batch`) with the client's
    /// batching off should raise it the same way.
    std::size_t max_calls_in_flight = 0;
    /// Where gapi says what it does (a retry and why, a daily limit); empty: nowhere.
    /// Messages never hold tokens, secrets or message contents.
    std::function<void(pipeline::log_level, std::string_view)> log;
};

/// The entry point: one credential, one connection pool, one token source, and the call
/// pipeline every operation takes (the daily-limit guard and deadline, retries,
/// authorization, automatic batching, quota pacing, the transport). The services
/// (`gmail()`, `calendar()`) are cheap handles on it.
///
/// @par Asynchronous operations
/// `send`, every operation of `gmail::gmail_service` and `calendar::calendar_service`,
/// and `batch::run` take any Asio completion token (default `boost::asio::deferred`, so
/// `co_await` works) and complete with `void(error_code, T)`. They share what follows.
///
/// @par Admission
/// At most `client_options::max_calls_in_flight` operations run at once per lane: a Gmail
/// service's operations are in the lane of its mailbox (`gmail_options::user_id`); `send`,
/// Calendar's operations and `batch::run` share a lane of their own (the credential's
/// user; the daily-limit guard and the pacer count it as Gmail's "me"). The ones started
/// beyond it wait in order, holding only their arguments and their handler, and start
/// when an earlier one of their lane completes. The waiting does not count against
/// `call_options::timeout`.
///
/// @par Cancellation
/// Through the cancellation slot associated with the completion handler. An operation
/// still waiting for admission completes at once with `boost::asio::error::operation_aborted`
/// on any cancellation type; nothing was sent. Once it runs, only terminal cancellation is
/// delivered (partial and total are filtered out). It reaches whatever the operation waits
/// for: the token (the shared refresh goes on for others), the quota pacer (nothing is
/// taken), an automatic batch that has not gone yet (nothing is sent for it), a backoff,
/// or the transport (the connection in use is closed). The operation then completes with
/// `operation_aborted`. A request already written may have been acted on by Google: its
/// answer is lost, and gapi does not look for its effect (not even for a send).
///
/// @par Executor and thread safety
/// The client, its pool and its token source work on `get_executor()`; every
/// operation's own work runs there. Operations may be started from any thread: they begin
/// by dispatching to that executor. The handler runs on its associated executor (the
/// client's when it has none), never inside the initiating function, and that executor
/// counts as having outstanding work meanwhile. Everything else (`perform`, `stats`,
/// `transport`, `tokens`, the destructor) must be used on the client's executor: give the
/// client a strand when the `io_context` runs on several threads. An exception inside gapi
/// completes the operation with an error (a `boost::system::system_error`'s own code,
/// `error::internal_error` for any other); none is thrown into the `io_context`'s `run`.
///
/// @par Lifetimes
/// The client must outlive every operation started on it (until its handler has run).
/// The arguments are moved into the operation, and service objects may be destroyed at
/// any time; what `call_options::details` points to must outlive the operation.
class client {
public:
    /// The executor of the client, its pool and its token source.
    using executor_type = boost::asio::any_io_executor;
    /// What `send` completes with.
    using completion_signature = void(error_code, http::response);

    /// A client of `credentials` on `executor` (a strand when several threads run its
    /// `io_context`). No I/O happens until the first operation. Throws
    /// `boost::system::system_error` when `options.transport` is invalid (no connection
    /// allowed per origin, an unreadable CA file).
    GAPI_DECL client(executor_type executor, auth::credentials credentials, client_options options = {});

    /// The executor every operation of the client works on.
    GAPI_DECL executor_type get_executor() const noexcept;
    /// The connection pool (statistics, `shutdown`, or requests outside the pipeline).
    GAPI_DECL http::connection_pool& transport() noexcept;
    /// The token source: the cached token and the refresh count.
    GAPI_DECL auth::token_source& tokens() noexcept;
    /// Where the services send their requests.
    GAPI_DECL api_endpoints const& endpoints() const noexcept;

    /// Gmail for the credential's user ("me"), at `endpoints().gmail`, with default
    /// `gmail::gmail_options` (needs `gapi/gmail/gmail_service.hpp`).
    GAPI_DECL gmail::gmail_service gmail();
    /// Calendar at `endpoints().calendar`, with default `calendar::calendar_options`
    /// (needs `gapi/calendar/calendar_service.hpp`).
    GAPI_DECL calendar::calendar_service calendar();

    /// Sends `req` with `Authorization: Bearer` and an access token through the call
    /// pipeline (`perform`) with the client's retry policy: paced to the quota of the API
    /// its `method_id` names (Gmail's when it names none; the credential's user), never
    /// batched, retried as far as `req.replay_on_stale_connection` (the request's
    /// idempotency) allows. When the API answers 401 (the token expired or was revoked
    /// early), the token is refreshed once and the request sent once more, never more: a
    /// 401 means the API did not act on the request, so even a non-idempotent call may be
    /// replayed. For requests built by the services (`gmail_service::get_message_request`,
    /// ...) or by hand. A request whose `method_id` is "gmail.users.messages.send" or
    /// "gmail.users.drafts.send" counts as a send (see `perform`).
    ///
    /// @par Completion signature
    /// `void(error_code, http::response)`. Any HTTP status is a response: a 404, or a 503
    /// that outlasted the retries, completes with success and that response.
    /// @par Errors
    /// `error::unauthenticated` (with the response) when the API refused a fresh token too;
    /// `api_error::daily_limit_reached` (with Gmail's response, when one came) for Gmail's
    /// daily sending limit; token errors (`error::reauthorization_required`,
    /// `error::invalid_client`, `error::token_endpoint_error`, ...) before any API request;
    /// the transport's errors (see `http::connection_pool::send`) when no answer came after
    /// the last attempt; `operation_aborted`; `error::pool_shut_down`.
    /// @par Idempotency
    /// `req.replay_on_stale_connection` decides, and it is true by default, also for a
    /// hand-built POST. True: the request is retried after any failure the retry policy
    /// covers (429, 403 rate limits, 500, 502, 503, 504, 403 backendError, a lost
    /// connection) and may be replayed by the transport after the keep-alive race. False:
    /// it is sent again only when it provably never reached Google, after a rate-limit
    /// refusal, or once after a 401. After an ambiguous failure it is not sent again (a 5xx
    /// answer completes as a response, a lost answer with the transport's error), and gapi
    /// looks for no effect. Set it to false for a request that must not run twice.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class. `req` is moved into the operation.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send(http::request req, CompletionToken&& token = {}) {
        return detail::start_operation<http::response>(
            get_executor(), admission_, {}, [this, r = std::move(req)]() mutable { return send_raw_request(std::move(r)); },
            std::forward<CompletionToken>(token));
    }

    /// The call pipeline, which every call takes: the daily-limit guard and the call's
    /// deadline, then retries (one loop and one budget per call; the 401 refresh is one
    /// of its outcomes), authorization, batching, quota pacing, the transport. A coroutine on the client's executor; the
    /// outcome carries Google's error details and what all attempts together showed.
    /// `options` apply to this call on top of the client's (see `call_options`).
    ///
    /// The building block under `send` and the services, for a call of your own. It
    /// bypasses the admission gate.
    /// @par Completion
    /// Call it and `co_await` it in a coroutine running on `get_executor()`; its checks
    /// (the traits, the daily-limit guard, the start of `options.timeout`) run when it is
    /// called, the attempts when it is awaited. It yields the
    /// `pipeline::outcome`. A non-2xx answer sets `outcome::ec` to Google's `api_error`,
    /// with the response and `outcome::details`.
    /// @par Idempotency
    /// `c.traits.idempotent` (and `c.request->replay_on_stale_connection` for the
    /// transport) decide, unless `options.idempotent` overrides them; a send keeps its own.
    /// A call is a send when `c.traits.sends_mail` is set or its method id is
    /// "gmail.users.messages.send" or "gmail.users.drafts.send" (`perform` then sets
    /// `sends_mail`): it also meets the daily-limit guard of its `c.traits.quota_key`. A
    /// call that is not idempotent is retried after an ambiguous failure only if
    /// `c.traits.find_applied` looked and found nothing.
    /// @par Cancellation
    /// The awaiting coroutine's cancellation state (terminal by default) reaches every
    /// layer; the outcome is then `operation_aborted`.
    /// @par Lifetimes
    /// The client, and `options` (a reference), must outlive the call.
    GAPI_DECL boost::asio::awaitable<pipeline::outcome> perform(pipeline::call c, call_options const& options);
    /// `perform(c, call_options{})`: the client's options alone.
    GAPI_DECL boost::asio::awaitable<pipeline::outcome> perform(pipeline::call c);

    /// The gate that keeps at most `client_options::max_calls_in_flight` operations
    /// running; the services start their operations through it. Use on the client's
    /// executor.
    detail::admission& admission() noexcept { return admission_; }

    /// Calls, attempts, retries by reason, rate-limit answers, time spent backing off.
    /// Read on the client's executor: the counters change as calls run.
    pipeline::retry_counters const& stats() const noexcept { return counters_; }
    /// The client's retry policy (`client_options::retry`), which calls use unless their
    /// `call_options::retry` replaces it.
    pipeline::retry_options const& retry_options() const noexcept { return retry_; }

    client(client const&) = delete;
    client& operator=(client const&) = delete;

private:
    friend struct batch::detail::client_access;
    friend struct detail::client_pipeline;

    GAPI_DECL boost::asio::awaitable<std::pair<error_code, http::response>> send_raw_request(http::request req);
    // `perform`'s first part: the call's traits completed from `options` and the client's.
    GAPI_DECL void prepare(pipeline::call& c, call_options const& options);
    // `perform` for a call `prepare` completed.
    GAPI_DECL boost::asio::awaitable<pipeline::outcome> perform_prepared(pipeline::call&& c,
                                                                         call_options const& options);
    // `perform`'s attempts, after its checks.
    GAPI_DECL boost::asio::awaitable<pipeline::outcome> perform_attempts(pipeline::call c,
                                                                         call_options const& options);
    // What follows a call's last attempt: its sends held back after a daily limit, its
    // details handed over.
    GAPI_DECL void after_attempts(pipeline::call const& c, call_options const& options,
                                  pipeline::outcome const& result);
    // The retry loop from the second attempt, then `after_attempts`.
    GAPI_DECL boost::asio::awaitable<pipeline::outcome>
    attempts_after_first(pipeline::call c, call_options const& options, pipeline::answered_attempt first);
    // Gmail refused a send of `quota_key`'s for the daily limit: its sends fail at home
    // until Google's retry time (or a day).
    GAPI_DECL void hold_back_sends(std::string_view method_id, std::string const& quota_key,
                                   std::optional<error_details> const& refusal);
    GAPI_DECL void report(pipeline::attempt_report const& r);

    // First, so that it goes last: what still waits is completed when the client goes.
    detail::admission admission_;
    http::connection_pool pool_;
    auth::token_source tokens_;
    api_endpoints endpoints_;
    pipeline::retry_options retry_;
    pipeline::timing timing_;
    pipeline::retry_counters counters_;
    std::shared_ptr<pipeline::pacing_gate> gate_;
    pipeline::batcher batcher_;
    // The layers below the retry loop, made once: authorization, batching, pacing, the
    // transport, each calling the next.
    pipeline::next_layer transmit_;
    pipeline::next_layer pace_;
    pipeline::next_layer batch_;
    pipeline::next_layer authorize_;
    detail::bearer_field bearer_;
    std::function<void(pipeline::attempt_report const&)> report_; // the hook and the log, per attempt; empty without both
    std::function<void(pipeline::attempt_report const&)> on_attempt_;
    std::function<void(pipeline::log_level, std::string_view)> log_;
    /// Users over Gmail's daily sending limit, and until when (Google's retry time).
    std::map<std::string, std::chrono::system_clock::time_point, std::less<>> daily_limit_until_;
};

} // namespace gapi

#ifdef GAPI_HEADER_ONLY
#include <gapi/impl/client.ipp>
#endif

#endif
