// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_PIPELINE_PACER_HPP
#define GAPI_PIPELINE_PACER_HPP

// Paces calls to Google's quotas, so that a bulk sender runs at the quota's full rate
// instead of into its 429s: per user, a token bucket of quota units and a cap on calls in
// flight; per project, a bucket per API. A rate-limit answer halves that user's rate,
// which then recovers step by step (AIMD). The arithmetic is a plain class with explicit
// times; the waiting is a small FIFO queue per user on Asio timers.

#include <gapi/error.hpp>
#include <gapi/google_error.hpp>
#include <gapi/pipeline/call.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gapi::pipeline {

/// @var gapi::pipeline::quota_table::y2026
/// Projects created since 2026-05-01: 6,000 Gmail units per user per minute.
/// @var gapi::pipeline::quota_table::legacy
/// Older projects: 15,000 Gmail units per user per minute.

/// Google's two published Gmail quota tables (fact sheet §6.1): projects created since
/// 2026-05-01 get 6,000 units per user per minute, older ones 15,000.
enum class quota_table { y2026, legacy };

/// The budgets the pacer keeps to. Defaults: Google's 2026 table.
struct pacing_options {
    bool enabled = true; ///< false: no pacing at all (for an emulator without quotas)
    quota_table table = quota_table::y2026; ///< which of Google's Gmail tables the per-user budget follows
    /// Multiplies every budget: pace to a fraction of Google's quota, or exactly to an
    /// emulator started with the same `--quota-scale`.
    double scale = 1.0;
    /// Overrides the table's per-user Gmail budget (units per minute).
    std::optional<double> gmail_user_units_per_minute;
    double gmail_project_units_per_minute = 1'200'000; ///< Gmail units per minute for the whole project
    double calendar_user_requests_per_minute = 600;      ///< Calendar requests per user per minute
    double calendar_project_requests_per_minute = 10'000; ///< Calendar requests per minute, whole project
    /// Calls in flight per user. Google does not publish its cap ("Too many concurrent
    /// requests for user"); 5 to 10 are seen.
    std::size_t max_in_flight_per_user = 8;
    /// AIMD: a rate-limit answer multiplies the user's rate by `decrease`; each call that
    /// succeeds adds `increase` of the full rate back, up to the full rate.
    double decrease = 0.5;
    double increase = 0.02; ///< the share of the full rate each success gives back; see `decrease`
    double min_fraction = 0.05; ///< the lowest share of the full rate a user can be pushed to

    /// The per-user Gmail budget in units per minute, before `scale`: the override, or the table's.
    double gmail_user_budget() const noexcept {
        return gmail_user_units_per_minute.value_or(table == quota_table::legacy ? 15'000.0 : 6'000.0);
    }
};

/// A token bucket holding at most one minute's worth, refilled continuously: short
/// bursts pass, a sustained rate is held to `per_minute`.
class quota_bucket {
public:
    /// The clock of the bucket's times.
    using clock = std::chrono::steady_clock;

    /// A full bucket at `now` for `per_minute` units a minute.
    quota_bucket(double per_minute, clock::time_point now) : per_minute_(per_minute), tokens_(per_minute), updated_(now) {}

    /// How long until `cost` units are there (zero: now). A call dearer than the whole
    /// bucket waits for a full bucket. `fraction` (0 to 1) scales the rate and the bucket's
    /// size (the AIMD share); the bucket is refilled up to `now` first.
    clock::duration wait_for(double cost, double fraction, clock::time_point now) {
        refill(fraction, now);
        double const need = std::min(cost, capacity(fraction));
        if (tokens_ >= need)
            return clock::duration::zero();
        return std::chrono::duration_cast<clock::duration>(
            std::chrono::duration<double>((need - tokens_) * 60.0 / rate(fraction)));
    }
    /// Spends `cost` units; the bucket may go below zero (a dear call borrows from the future).
    void take(double cost) noexcept { tokens_ -= cost; }
    /// The units in the bucket at its last refill.
    double tokens() const noexcept { return tokens_; }

private:
    double rate(double fraction) const noexcept { return std::max(per_minute_ * fraction, 1e-9); }
    double capacity(double fraction) const noexcept { return std::max(per_minute_ * fraction, 1.0); }
    void refill(double fraction, clock::time_point now) {
        if (now > updated_) {
            tokens_ = std::min(capacity(fraction), tokens_ + std::chrono::duration<double>(now - updated_).count() *
                                                                 rate(fraction) / 60.0);
            updated_ = now;
        }
    }

    double per_minute_;
    double tokens_;
    clock::time_point updated_;
};

/// @var gapi::pipeline::quota_api::gmail
/// Gmail's quota, in units.
/// @var gapi::pipeline::quota_api::calendar
/// Calendar's quota, in requests.

/// Which quota a call spends.
enum class quota_api { gmail, calendar };

/// The pacer's state for one client. Not thread-safe: used from the client's executor.
class pacer {
public:
    /// The clock of the pacer's times.
    using clock = std::chrono::steady_clock;

    /// A pacer keeping to `options`' budgets; no user known yet.
    explicit pacer(pacing_options options = {}) : options_(std::move(options)) {}

    /// The budgets given at construction.
    pacing_options const& options() const noexcept { return options_; }

    /// How long until `cost` units are there for `user`, in the user's bucket (at the
    /// user's current share) and the project's (zero: now). Whether a slot is free is
    /// `has_slot`'s question.
    clock::duration wait_for(quota_api api, std::string const& user, double cost, clock::time_point now) {
        auto& u = user_state(api, user, now);
        auto& project = project_bucket(api, now);
        return std::max(u.bucket.wait_for(cost, u.fraction, now), project.wait_for(cost, 1.0, now));
    }
    /// Whether `user` has fewer than `max_in_flight_per_user` calls in flight.
    bool has_slot(quota_api api, std::string const& user, clock::time_point now) {
        return user_state(api, user, now).in_flight < options_.max_in_flight_per_user;
    }
    /// Starts a call: takes its units and a slot.
    void start(quota_api api, std::string const& user, double cost, clock::time_point now) {
        auto& u = user_state(api, user, now);
        u.bucket.take(cost);
        project_bucket(api, now).take(cost);
        ++u.in_flight;
    }
    /// Ends a call: gives its slot back; a rate-limit answer lowers the user's rate.
    void finish(quota_api api, std::string const& user, bool rate_limited, clock::time_point now) {
        auto& u = user_state(api, user, now);
        if (u.in_flight > 0)
            --u.in_flight;
        if (rate_limited)
            u.fraction = std::max(options_.min_fraction, u.fraction * options_.decrease);
        else
            u.fraction = std::min(1.0, u.fraction + options_.increase);
    }
    /// The user's current share of its budget (1: the full rate).
    double fraction(quota_api api, std::string const& user, clock::time_point now) {
        return user_state(api, user, now).fraction;
    }

private:
    struct user {
        quota_bucket bucket;
        std::size_t in_flight = 0;
        double fraction = 1.0;
    };

    double user_budget(quota_api api) const {
        return options_.scale *
               (api == quota_api::gmail ? options_.gmail_user_budget() : options_.calendar_user_requests_per_minute);
    }
    user& user_state(quota_api api, std::string const& name, clock::time_point now) {
        auto& users = api == quota_api::gmail ? gmail_users_ : calendar_users_;
        auto it = users.find(name);
        if (it == users.end())
            it = users.emplace(name, user{quota_bucket(user_budget(api), now)}).first;
        return it->second;
    }
    quota_bucket& project_bucket(quota_api api, clock::time_point now) {
        auto& slot = api == quota_api::gmail ? gmail_project_ : calendar_project_;
        if (!slot)
            slot.emplace(options_.scale * (api == quota_api::gmail ? options_.gmail_project_units_per_minute
                                                                   : options_.calendar_project_requests_per_minute),
                         now);
        return *slot;
    }

    pacing_options options_;
    std::map<std::string, user, std::less<>> gmail_users_, calendar_users_;
    std::optional<quota_bucket> gmail_project_, calendar_project_;
};

/// Waiting for the pacer: FIFO per user, woken when a slot frees or the units are due,
/// cancellable. One slow user never holds up another: each user has its own queue.
class pacing_gate {
public:
    /// The clock of the gate's waits.
    using clock = std::chrono::steady_clock;

    /// A gate keeping to `options`' budgets. Share one between clients of one project
    /// (`client_options::shared_pacing`); they must then run on one thread or strand.
    explicit pacing_gate(pacing_options options) : pacer_(std::move(options)) {}

    /// The pacer's state: budgets, buckets and shares, for inspection and tests.
    pacer& state() noexcept { return pacer_; }

    /// Whether the gate paces at all (`pacing_options::enabled`).
    bool enabled() const noexcept { return pacer_.options().enabled; }

    /// Waits until the call may start, then takes its units and slot. Completes with
    /// `operation_aborted` when cancelled while waiting (nothing taken then).
    /// Calls of one user and API start in the order they asked; the time spent here is
    /// added to `waited`. Disabled pacing (`pacing_options::enabled = false`) answers at
    /// once. `co_await` it on the gate's one executor (or strand); the awaiting coroutine's
    /// cancellation state decides what cancels it. `waited` must outlive the wait.
    boost::asio::awaitable<error_code> acquire(quota_api api, std::string const& user, double cost,
                                               std::chrono::milliseconds& waited) {
        if (!pacer_.options().enabled)
            co_return error_code{};
        auto& queue = queues_[key(api, user)];
        auto me = std::make_shared<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor);
        queue.push_back(me);
        auto const started = clock::now();
        error_code result;
        for (;;) {
            auto const now = clock::now();
            if (queue.front() == me && pacer_.has_slot(api, user, now)) {
                auto const wait = pacer_.wait_for(api, user, cost, now);
                if (wait == clock::duration::zero()) {
                    pacer_.start(api, user, cost, now);
                    break;
                }
                me->expires_after(wait);
            } else {
                me->expires_at(clock::time_point::max()); // until a slot frees or the queue moves
            }
            auto [ec] = co_await me->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec && (co_await boost::asio::this_coro::cancellation_state).cancelled() !=
                          boost::asio::cancellation_type::none) {
                result = boost::asio::error::operation_aborted;
                break;
            }
        }
        queue.erase(std::find(queue.begin(), queue.end(), me));
        if (!queue.empty())
            queue.front()->cancel(); // the next in line looks again
        waited += std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
        co_return result;
    }

    /// Ends a call started by `acquire`: frees its slot, adjusts the user's share (times
    /// `pacing_options::decrease` when `rate_limited`, else up by `increase`), and wakes the
    /// user's next waiter.
    void release(quota_api api, std::string const& user, bool rate_limited) {
        if (!pacer_.options().enabled)
            return;
        pacer_.finish(api, user, rate_limited, clock::now());
        auto it = queues_.find(key(api, user));
        if (it != queues_.end() && !it->second.empty())
            it->second.front()->cancel();
    }

private:
    static std::string key(quota_api api, std::string const& user) {
        return (api == quota_api::gmail ? "g:" : "c:") + user;
    }

    pacer pacer_;
    std::map<std::string, std::deque<std::shared_ptr<boost::asio::steady_timer>>, std::less<>> queues_;
};

/// The API whose quota a call spends, from its method id: Calendar's for ids that begin
/// with "calendar." and for Calendar batches ("batch.calendar"), Gmail's for every other.
inline quota_api api_of(std::string_view method_id) noexcept {
    return is_calendar_method(method_id) || method_id == "batch.calendar" ? quota_api::calendar : quota_api::gmail;
}

/// The pacing layer: waits for the call's quota units and a slot for its user (FIFO,
/// cancellable), sends through `next`, then frees the slot and tells the pacer whether
/// Google found the rate too high. The cost is the call's units: Gmail's per-method units,
/// 1 per Calendar request, the sum of its calls for a batch.
/// The quota is chosen by `api_of(c.traits.method_id)`, the user by `c.traits.quota_key`
/// ("me" when empty). Cancelled while waiting, the call is not sent and the outcome is
/// `operation_aborted`; `waited` (a reference, like `gate`, `c` and `next`) gets the time
/// spent waiting.
inline boost::asio::awaitable<outcome> paced(pacing_gate& gate, call& c, next_layer const& next,
                                              std::chrono::milliseconds& waited) {
    auto const api = api_of(c.traits.method_id);
    std::string const user = c.traits.quota_key.empty() ? std::string("me") : c.traits.quota_key;
    double const cost = static_cast<double>(c.traits.quota_units); // a batch pays for all its calls
    if (auto ec = co_await gate.acquire(api, user, cost, waited)) {
        outcome refused;
        refused.ec = ec;
        co_return refused;
    }
    auto o = co_await next(c);
    gate.release(api, user, o.ec == api_error::rate_limited);
    co_return o;
}

/// The pacing layer (`paced`). Not a coroutine: with pacing off, the call goes straight
/// to `next`, with no frame here.
inline boost::asio::awaitable<outcome> pace(pacing_gate& gate, call& c, next_layer const& next,
                                             std::chrono::milliseconds& waited) {
    if (!gate.enabled())
        return next(c);
    return paced(gate, c, next, waited);
}

} // namespace gapi::pipeline

#endif
