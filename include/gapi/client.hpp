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

namespace gapi {

namespace gmail {
class gmail_service;
}
namespace calendar {
class calendar_service;
}

/// Where the APIs are: Google's by default, the emulator's base URL in tests.
struct api_endpoints {
    std::string gmail = "https://gmail.googleapis.com";
    std::string calendar = "https://www.googleapis.com";
};

/// Options of a `client`: plain members with documented defaults.
struct client_options {
    http::pool_options transport;
    auth::token_source_options tokens;
    api_endpoints endpoints;
    /// How every call is retried (see README, "Retries"); on by default.
    pipeline::retry_options retry;
    /// The quota budgets calls are paced to (see README, "Quota pacing"); on by default,
    /// with Google's 2026 table.
    pipeline::pacing_options pacing;
    /// Set: this client paces with every other client holding the same gate (and
    /// `pacing` is ignored), as clients of one Google Cloud project share its quota.
    /// The clients must then run on one thread (or one strand).
    std::shared_ptr<pipeline::pacing_gate> shared_pacing;
    /// Automatic batching of concurrent calls (see README, "Batches"); off by default,
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

/// The entry point: one credential, one connection pool, one token source.
///
/// Thread safety: as for `http::connection_pool`; the client must outlive its operations.
class client {
public:
    using executor_type = boost::asio::any_io_executor;
    using completion_signature = void(error_code, http::response);

    GAPI_DECL client(executor_type executor, auth::credentials credentials, client_options options = {});

    GAPI_DECL executor_type get_executor() const noexcept;
    GAPI_DECL http::connection_pool& transport() noexcept;
    GAPI_DECL auth::token_source& tokens() noexcept;
    GAPI_DECL api_endpoints const& endpoints() const noexcept;

    /// Gmail for the credential's user, at `endpoints().gmail`
    /// (needs <gapi/gmail/gmail_service.hpp>).
    GAPI_DECL gmail::gmail_service gmail();
    /// Calendar at `endpoints().calendar` (needs <gapi/calendar/calendar_service.hpp>).
    GAPI_DECL calendar::calendar_service calendar();

    /// Sends `req` with `Authorization: Bearer <token>` through the call pipeline
    /// (`perform`): paced to the quota, retried as far as `req.replay_on_stale_connection`
    /// (the request's idempotency) allows. When the API answers 401 (the token expired or
    /// was revoked early), the token is refreshed once and the request sent once more,
    /// never more: a 401 means the API did not act on the request, so even a
    /// non-idempotent call may be replayed.
    ///
    /// Completion: `void(error_code, http::response)`; any HTTP status is a response.
    /// A second 401 completes with `error::unauthenticated` and that response; Gmail's
    /// daily sending limit with `api_error::daily_limit_reached`. Token errors
    /// (`error::reauthorization_required`, ...) complete before any API request.
    /// Cancellation: terminal, passed on to the token wait, the backoff and the transport.
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
    GAPI_DECL boost::asio::awaitable<pipeline::outcome> perform(pipeline::call c, call_options const& options);
    GAPI_DECL boost::asio::awaitable<pipeline::outcome> perform(pipeline::call c);

    /// The gate that keeps at most `client_options::max_calls_in_flight` operations
    /// running; the services start their operations through it.
    detail::admission& admission() noexcept { return admission_; }

    /// Calls, attempts, retries by reason, rate-limit answers, time spent backing off.
    pipeline::retry_counters const& stats() const noexcept { return counters_; }
    pipeline::retry_options const& retry_options() const noexcept { return retry_; }

    client(client const&) = delete;
    client& operator=(client const&) = delete;

private:
    GAPI_DECL boost::asio::awaitable<std::pair<error_code, http::response>> send_raw_request(http::request req);
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
    std::function<void(pipeline::attempt_report const&)> report_; // the hook and the log, per attempt
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
