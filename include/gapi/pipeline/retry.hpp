// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_PIPELINE_RETRY_HPP
#define GAPI_PIPELINE_RETRY_HPP

// One retry loop for every call: which outcomes are worth another attempt, how long to
// wait before it, and, for a call that must never run twice, how to learn whether an
// attempt whose answer was lost took effect. The decisions are plain functions and the
// loop takes its clock and its waiting from the caller, so both are tested without
// sockets and without sleeping.

#include <gapi/error.hpp>
#include <gapi/google_error.hpp>
#include <gapi/http/message.hpp>
#include <gapi/pipeline/call.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace gapi::pipeline {

/// How a call is retried. The defaults follow Google's advice: start no sooner than 1 s
/// after an error, double each time (full jitter), never wait more than 32 s at once.
struct retry_options {
    /// Off: every call is sent once (a 401 still gets its one token refresh).
    bool enabled = true;
    /// Attempts in all, the first included.
    unsigned max_attempts = 6;
    /// The ceiling of the first backoff (the wait is drawn between zero and it).
    std::chrono::milliseconds initial_backoff{1000};
    /// How much the ceiling grows per retry.
    double multiplier = 2.0;
    /// The largest ceiling; a server's retry time may ask for a longer wait.
    std::chrono::milliseconds max_backoff{32'000};
    /// No attempt starts later than this after the call began (waits included).
    std::chrono::milliseconds max_total{120'000};
    /// A call that must not run twice (sending mail), after an attempt that may have
    /// reached Google without an answer: how many times to look for it, and how long to
    /// wait between looks. Gmail's search index can lag a just-sent message by seconds,
    /// so "absent" is concluded only after the last look.
    unsigned applied_lookups = 3;
    std::chrono::milliseconds applied_lookup_interval{2000}; ///< the wait between two looks
};

/// What to do after an attempt.
enum class next_step {
    stop,                 ///< done: success, or a failure that another attempt would not mend
    retry,                ///< wait, then send again
    refresh_then_retry,   ///< 401: get a new token, then send again at once
    look_for_applied,     ///< may have reached Google: look for its effect before sending again
};

/// The decision `classify` takes after an attempt.
struct verdict {
    next_step step = next_step::stop; ///< what to do next
    std::string_view reason; ///< why, for counters and logs ("429", "503", "network", ...)
    /// The attempt may have acted: its request was written and its answer lost, or Google
    /// answered 500, 502, 503, 504 or 403 `backendError`.
    bool ambiguous = false;
};

/// Gmail's answer to a user over the daily sending limit: a rate-limit answer whose
/// message says "(Mail sending)", or a rate-limit hint more than an hour away. Waiting
/// will not help today; the call fails with `condition::daily_limit_reached`.
inline bool is_daily_limit(error_details const& d, std::chrono::system_clock::time_point now) {
    if (d.message.find("(Mail sending)") != std::string::npos)
        return true;
    return d.retry_after && *d.retry_after - now > std::chrono::hours(1) &&
           (d.http_status == 429 || d.reason == "rateLimitExceeded" || d.reason == "userRateLimitExceeded");
}

/// The decision table (see docs/guide.md, "Retries"). `idempotent`: the call may run twice;
/// `can_look`: a call that may not can learn whether an attempt took effect;
/// `refreshed`: this call already refreshed its token once.
inline verdict classify(outcome const& o, bool idempotent, bool can_look, bool refreshed) {
    namespace asio_error = boost::asio::error;
    auto const ambiguous = [&](std::string_view reason) -> verdict {
        if (idempotent)
            return {next_step::retry, reason, true};
        return {can_look ? next_step::look_for_applied : next_step::stop, reason, true};
    };
    // An internal error (what gapi threw instead of answering) is not tried again: its
    // request may have gone out, and the same would likely fail alike.
    if (o.token_refused || o.ec == asio_error::operation_aborted || o.ec == error::pool_shut_down ||
        o.ec == error::internal_error)
        return {};
    if (o.response.status == 0) { // no complete answer
        // Refused before sending, a certificate, an answer too large or not HTTP: the same
        // request would meet the same fate.
        if (!o.ec || o.ec == condition::invalid_argument || o.ec == condition::tls ||
            o.ec == condition::malformed_response)
            return {};
        if (!o.response.exchange.request_written)
            return {next_step::retry, "network"}; // provably never reached Google
        return ambiguous("network");
    }
    unsigned const status = o.response.status;
    if (status / 100 == 2)
        return {};
    std::string_view const reason = o.details ? std::string_view(o.details->reason) : std::string_view();
    if (status == 401)
        return {refreshed ? next_step::stop : next_step::refresh_then_retry, "401"};
    if (status == 429 || (status == 403 && (reason == "rateLimitExceeded" || reason == "userRateLimitExceeded")))
        return {next_step::retry, status == 429 ? "429" : "403 rate limit"}; // refused: nothing was done
    if (status == 403 && reason == "backendError")
        return ambiguous("403 backendError");
    switch (status) {
    case 500: return ambiguous("500");
    case 502: return ambiguous("502");
    case 503: return ambiguous("503");
    case 504: return ambiguous("504");
    default: return {};
    }
}

/// The wait before attempt `retry_number + 1` (0 for the first retry): full jitter over
/// [0, min(max_backoff, initial × multiplier^retry_number)], as `fraction` ∈ [0, 1) picks.
inline std::chrono::milliseconds backoff_delay(retry_options const& o, unsigned retry_number, double fraction) {
    double ceiling = static_cast<double>(o.initial_backoff.count());
    for (unsigned i = 0; i < retry_number && ceiling < static_cast<double>(o.max_backoff.count()); ++i)
        ceiling *= o.multiplier;
    ceiling = std::min(ceiling, static_cast<double>(o.max_backoff.count()));
    return std::chrono::milliseconds(static_cast<std::int64_t>(ceiling * std::clamp(fraction, 0.0, 1.0)));
}

/// The wait the server asked for, if it named a time (Retry-After, or Gmail's
/// `Retry after <time>`), from `now`; never negative.
inline std::chrono::milliseconds server_hint(outcome const& o, std::chrono::system_clock::time_point now) {
    if (!o.details || !o.details->retry_after || *o.details->retry_after <= now)
        return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(*o.details->retry_after - now);
}

/// Time and waiting for the loop. `timing::real()` uses the system clocks and Asio
/// timers on the coroutine's executor; a test passes its own.
struct timing {
    std::function<std::chrono::steady_clock::time_point()> now; ///< for backoff and deadlines
    std::function<std::chrono::system_clock::time_point()> wall_now; ///< for Google's absolute retry times
    /// Waits; completes early (and the loop stops) when the call is cancelled.
    std::function<boost::asio::awaitable<error_code>(std::chrono::milliseconds)> sleep;
    std::function<double()> random_fraction; ///< uniform in [0, 1)

    /// `std::chrono::steady_clock`, `std::chrono::system_clock`, an Asio `steady_timer` on
    /// the awaiting coroutine's executor (cancelled with it: then the wait completes with
    /// `operation_aborted`), and a `std::mt19937_64` seeded from `std::random_device`.
    static timing real() {
        auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
        return {[] { return std::chrono::steady_clock::now(); },
                [] { return std::chrono::system_clock::now(); },
                [](std::chrono::milliseconds d) -> boost::asio::awaitable<error_code> {
                    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
                    auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
                    co_return ec;
                },
                [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); }};
    }
};

/// What the loop reports, per client: calls, attempts and why attempts were repeated.
struct retry_counters {
    std::uint64_t calls = 0;    ///< calls made through the retry layer (a batched call its first attempt settled included)
    std::uint64_t attempts = 0; ///< attempts made, a token refresh's resend included
    std::uint64_t retries = 0;  ///< attempts after a backoff (not counting the resend after a 401)
    std::uint64_t rate_limited = 0;      ///< 429 and 403 rate-limit answers
    std::uint64_t token_refreshes = 0;   ///< after a 401
    std::uint64_t applied_lookups = 0;   ///< looks for a send whose answer was lost
    std::uint64_t found_applied = 0;     ///< ... that found it had been applied
    std::uint64_t daily_limit_stops = 0; ///< calls stopped by Gmail's daily sending limit
    std::chrono::milliseconds waited{0}; ///< backoff time, summed
    std::chrono::milliseconds quota_wait{0}; ///< time calls waited for the pacer
    std::uint64_t bytes_out = 0;         ///< request bodies sent
    std::uint64_t bytes_in = 0;          ///< response bodies received
    std::uint64_t http_requests = 0;     ///< exchanges handed to the transport (a batch is one)
    std::uint64_t batch_requests = 0;    ///< batch requests sent by automatic batching
    std::uint64_t batched_calls = 0;     ///< calls that travelled inside them
    /// Calls whose first attempt went straight to the transport, the layers above it having
    /// nothing to wait for (no deadline, pacing off, a token at hand, not batched)
    std::uint64_t direct_calls = 0;
    /// `retries` by `verdict::reason` ("429", "503", "network", ...).
    std::map<std::string, std::uint64_t, std::less<>> retries_by_reason;
};

/// One attempt, as the per-attempt hook sees it. Holds no token, header or body.
struct attempt_report {
    std::string_view method_id; ///< e.g. "gmail.users.messages.send" (static storage)
    unsigned attempt = 0;       ///< 1 for the first
    unsigned status = 0;        ///< the HTTP status; 0 when no complete answer came
    error_code ec;              ///< the attempt's error (`api_error` for a refusal); empty on 2xx
    std::string reason; ///< Google's errors[0].reason, if any
    next_step next = next_step::stop; ///< what the loop does next (`stop` for the last attempt)
    std::chrono::milliseconds wait{0}; ///< the backoff before the next attempt
};

/// @var gapi::pipeline::log_level::debug
/// Detail for debugging.
/// @var gapi::pipeline::log_level::info
/// What gapi does, such as a retry and why.
/// @var gapi::pipeline::log_level::warning
/// Something the program should know, such as the daily sending limit.
/// @var gapi::pipeline::log_level::error
/// A failure.

/// The level of a line written to `client_options::log`. gapi writes `info` (a retry and
/// why) and `warning` (the daily sending limit) lines.
enum class log_level { debug, info, warning, error };

namespace detail {

// What all attempts of a call together showed.
struct attempt_totals {
    bool written = false;
    bool response_started = false;
    unsigned attempts = 0;
    bool acted_before = false; // an attempt before the last may have acted
};

// Gives the last outcome the totals. The first try of a last attempt that the transport
// replayed may have acted too.
inline void add_totals(outcome& last, attempt_totals const& total) {
    last.response.exchange.earlier_attempt_may_have_acted = total.acted_before || last.response.exchange.attempts > 1;
    last.written = total.written;
    last.response_started = total.response_started;
    last.attempts = total.attempts;
    last.response.exchange.request_written = total.written;
    last.response.exchange.attempts = total.attempts;
}

inline void report(std::function<void(attempt_report const&)> const& on_attempt, call_traits const& call,
                   unsigned attempt, outcome const& o, next_step next, std::chrono::milliseconds wait) {
    if (on_attempt)
        on_attempt({call.method_id, attempt, o.response.status, o.ec,
                    o.details ? o.details->reason : std::string(), next, wait});
}

} // namespace detail

namespace detail {

// For a call that must not run twice, after an ambiguous failure: looks
// (`applied_lookups` times) whether an attempt took effect. When it did, `o` becomes that
// success; when a wait between looks ends early, `o` carries why. Either way the call is
// settled (true). A coroutine of its own, so that the retry loop's frame holds no space
// for what only this rare path needs.
inline boost::asio::awaitable<bool> look_for_applied(retry_options const& options, timing const& t,
                                                     retry_counters& counters, call_traits const& traits, outcome& o) {
    std::optional<http::response> found;
    for (unsigned look = 0; look < std::max(1u, options.applied_lookups) && !found; ++look) {
        if (look > 0) {
            if (auto ec = co_await t.sleep(options.applied_lookup_interval)) {
                o.ec = ec;
                co_return true;
            }
        }
        ++counters.applied_lookups;
        found = co_await traits.find_applied();
    }
    if (!found)
        co_return false;
    ++counters.found_applied;
    o = outcome{};
    o.response = std::move(*found);
    co_return true;
}

inline call& the_call(call& c) noexcept { return c; }
inline call& the_call(std::unique_ptr<call> const& c) noexcept { return *c; }

// Adds attempt `o` to `total`.
inline void count_attempt(attempt_totals& total, outcome const& o) {
    total.written = total.written || o.response.exchange.request_written || o.written;
    total.response_started = total.response_started || o.response.exchange.response_started;
    total.attempts += std::max(1u, o.response.exchange.attempts);
}

// The loop's first look at attempt `attempt_number`'s outcome `o` (`total` counts it):
// a daily sending limit, or a verdict to stop, settles the call (`o` made final: its
// totals, its report) and answers nothing; anything else answers the verdict, with
// nothing changed, for the loop to go on.
inline std::optional<verdict> verdict_to_go_on(retry_options const& options, timing const& t,
                                               retry_counters& counters, call_traits const& traits, outcome& o,
                                               attempt_totals const& total, bool refreshed, unsigned attempt_number,
                                               std::function<void(attempt_report const&)> const& on_attempt) {
    if (o.details && is_daily_limit(*o.details, t.wall_now())) {
        ++counters.daily_limit_stops;
        o.ec = api_error::daily_limit_reached;
        detail::add_totals(o, total);
        return std::nullopt;
    }
    auto v = classify(o, traits.idempotent, static_cast<bool>(traits.find_applied), refreshed);
    if (v.step == next_step::stop || (!options.enabled && v.step != next_step::refresh_then_retry)) {
        detail::report(on_attempt, traits, attempt_number, o, next_step::stop, {});
        detail::add_totals(o, total);
        return std::nullopt;
    }
    return v;
}

} // namespace detail

/// A call's first attempt, made and answered without the retry loop (a batched call's,
/// answered in its batch), for the loop to go on from (`with_retries_after`). The call
/// counts as a call and its attempt as an attempt in `retry_counters` already.
struct answered_attempt {
    outcome first; ///< what the attempt came to
    std::chrono::steady_clock::time_point started; ///< when the call began (`timing::now`)
};

/// Whether a call's first attempt, answered with `o` outside the loop, ends the call as
/// the retry loop would end it: then `o` is made final as the loop makes it (the totals,
/// the report to `on_attempt`, the counters) and true. False: nothing changed; the call
/// goes on in the loop from its second attempt (`with_retries_after`).
inline bool first_attempt_settles(retry_options const& options, timing const& t, retry_counters& counters,
                                  call_traits const& traits, outcome& o,
                                  std::function<void(attempt_report const&)> const& on_attempt) {
    detail::attempt_totals total;
    detail::count_attempt(total, o);
    return !detail::verdict_to_go_on(options, t, counters, traits, o, total, false, 1, on_attempt);
}

namespace detail {

// The loop of `with_retries`, `with_retries_owning` and `with_retries_after`: `Call` is
// `call&` or `std::unique_ptr<call>`. With `answered`, the first attempt was made already.
template <class Call>
boost::asio::awaitable<outcome> retry_loop(retry_options const& options, timing const& t, retry_counters& counters,
                                           Call held, next_layer const& next,
                                           std::function<void(attempt_report const&)> const& on_attempt,
                                           std::unique_ptr<answered_attempt> answered = nullptr) {
    call& c = the_call(held);
    call_traits const& traits = c.traits;
    if (!answered)
        ++counters.calls;
    auto const started = answered ? answered->started : t.now();
    auto const deadline = c.deadline ? std::min(*c.deadline, started + options.max_total) : started + options.max_total;
    bool refreshed = false;
    unsigned retry_number = 0;
    detail::attempt_totals total;
    for (;;) {
        outcome o;
        if (answered) {
            o = std::move(answered->first);
            answered.reset();
        } else {
            ++counters.attempts;
            o = co_await next(c);
        }
        c.refresh_token = false;
        detail::count_attempt(total, o);
        unsigned const attempt_number = retry_number + 1 + (refreshed ? 1u : 0u);
        auto const go_on =
            detail::verdict_to_go_on(options, t, counters, traits, o, total, refreshed, attempt_number, on_attempt);
        if (!go_on)
            co_return std::move(o);
        auto const& v = *go_on;
        // Every way on from here makes another attempt (or reports what a look found).
        total.acted_before = total.acted_before || v.ambiguous || o.response.exchange.attempts > 1;
        if (v.step == next_step::refresh_then_retry) {
            detail::report(on_attempt, traits, attempt_number, o, v.step, {});
            refreshed = true;
            c.refresh_token = true;
            ++counters.token_refreshes;
            continue;
        }
        if (o.ec == api_error::rate_limited) // 429, or 403 with a rate-limit reason: as the pacer counts it
            ++counters.rate_limited;
        // Looked for even when no attempt is left: a send that landed is a success, and
        // reporting it as a failure would invite the caller to send it again.
        if (v.step == next_step::look_for_applied) {
            bool const settled = co_await detail::look_for_applied(options, t, counters, traits, o);
            if (settled) {
                detail::add_totals(o, total);
                co_return std::move(o);
            }
        }

        if (retry_number + 1 >= options.max_attempts) {
            detail::report(on_attempt, traits, attempt_number, o, next_step::stop, {});
            detail::add_totals(o, total);
            co_return std::move(o);
        }

        auto delay = std::max(backoff_delay(options, retry_number, t.random_fraction()), server_hint(o, t.wall_now()));
        if (t.now() + delay > deadline) {
            detail::report(on_attempt, traits, attempt_number, o, next_step::stop, {});
            detail::add_totals(o, total);
            co_return std::move(o);
        }
        detail::report(on_attempt, traits, attempt_number, o, v.step, delay);
        ++retry_number;
        ++counters.retries;
        ++counters.retries_by_reason[std::string(v.reason)];
        counters.waited += delay;
        if (delay.count() > 0) {
            if (auto ec = co_await t.sleep(delay)) {
                o.ec = ec;
                detail::add_totals(o, total);
                co_return std::move(o);
            }
        }
    }
}

} // namespace detail

/// The retry layer: sends through `next` until the outcome is final, the attempts or
/// the time run out (`retry_options::max_total`, or the call's own deadline if sooner),
/// or the call is cancelled (during a wait: `operation_aborted`). After a 401 it sets
/// `call::refresh_token` for the next attempt, once.
///
/// The waits are `t.sleep`'s: jittered exponential backoff (`backoff_delay`), or the
/// server's retry time when that is later; no retry starts when its wait would end past
/// the deadline. For a call that is not idempotent, an ambiguous failure is final unless
/// the call has `c.traits.find_applied`: then it looks (`applied_lookups` times) and
/// returns what it found as a success; only when nothing is found is the call sent
/// again. A daily sending limit answer stops the loop with
/// `api_error::daily_limit_reached`. `on_attempt` hears of every attempt. The result
/// carries the totals over all attempts (`outcome::written`, ...). `co_await` it on the
/// executor that `next` and `t` expect; the awaiting coroutine's cancellation reaches
/// `next` and the waits. `options`, `t`, `counters`, `c`, `next` and `on_attempt` are
/// references: they must outlive the loop.
inline boost::asio::awaitable<outcome> with_retries(retry_options const& options, timing const& t,
                                                     retry_counters& counters, call& c, next_layer const& next,
                                                     std::function<void(attempt_report const&)> const& on_attempt = {}) {
    return detail::retry_loop<call&>(options, t, counters, c, next, on_attempt);
}

/// The same loop for a call it owns, so that a caller holding the call only to await the
/// loop needs no frame of its own. The call moves to the heap, not into the loop's frame:
/// with it, the frame (an outcome, and the awaitable's own slot for one) grew past ~1 KiB,
/// which malloc's per-thread cache does not serve, and every call paid a trip through
/// malloc's bins for it, dearer than the small allocation for the call.
inline boost::asio::awaitable<outcome> with_retries_owning(retry_options const& options, timing const& t,
                                                            retry_counters& counters, call&& c, next_layer const& next,
                                                            std::function<void(attempt_report const&)> const& on_attempt) {
    return detail::retry_loop<std::unique_ptr<call>>(options, t, counters, std::make_unique<call>(std::move(c)), next,
                                                     on_attempt);
}

/// The same loop for a call whose first attempt was made outside it (`answered_attempt`)
/// and did not settle it (`first_attempt_settles`): it goes on from the second attempt.
inline boost::asio::awaitable<outcome> with_retries_after(retry_options const& options, timing const& t,
                                                           retry_counters& counters, call&& c, answered_attempt answered,
                                                           next_layer const& next,
                                                           std::function<void(attempt_report const&)> const& on_attempt) {
    return detail::retry_loop<std::unique_ptr<call>>(options, t, counters, std::make_unique<call>(std::move(c)), next,
                                                     on_attempt,
                                                     std::make_unique<answered_attempt>(std::move(answered)));
}

/// The same for a call that the caller holds (`c`, a reference, must outlive the loop).
inline boost::asio::awaitable<outcome> with_retries_after(retry_options const& options, timing const& t,
                                                           retry_counters& counters, call& c, answered_attempt answered,
                                                           next_layer const& next,
                                                           std::function<void(attempt_report const&)> const& on_attempt) {
    return detail::retry_loop<call&>(options, t, counters, c, next, on_attempt,
                                     std::make_unique<answered_attempt>(std::move(answered)));
}

} // namespace gapi::pipeline

#endif
