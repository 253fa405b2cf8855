// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_QUOTA_MODEL_HPP
#define GAPI_EMULATOR_QUOTA_MODEL_HPP

#include <gapi/emulator/api.hpp>

#include <deque>
#include <map>
#include <optional>
#include <string>

namespace gapi::emulator {

/// Google's two published Gmail quota tables: projects created since 2026-05-01 get
/// 6,000 units per user per minute; older projects keep 15,000 (fact sheet §6.1).
enum class quota_preset { y2026, legacy };

/// Gmail's per-user units per minute under a table.
constexpr double gmail_user_units_per_minute(quota_preset p) noexcept {
    return p == quota_preset::legacy ? 15'000 : 6'000;
}

/// Google's published limits (fact sheet §3.4, §6), the 2026 table by default. `scale`
/// multiplies every rate and allowance, so that a test can reach a limit in
/// milliseconds instead of minutes.
struct quota_options {
    /// Off: every call passes, nothing is charged or counted (sends included).
    bool enabled = true;
    /// Multiplies every per-minute rate and the daily sending allowance (at least one send).
    double scale = 1.0;
    /// Gmail units one user may spend per minute (`gmail_user_units_per_minute(quota_preset)`).
    double gmail_user_units_per_minute = emulator::gmail_user_units_per_minute(quota_preset::y2026);
    /// Gmail units the whole project may spend per minute; beyond, 403 rateLimitExceeded.
    double gmail_project_units_per_minute = 1'200'000;
    /// Calendar requests one user may make per minute; beyond, 403 userRateLimitExceeded.
    double calendar_user_requests_per_minute = 600;
    /// Calendar requests the whole project may make per minute; beyond, 403 rateLimitExceeded.
    double calendar_project_requests_per_minute = 10'000;
    /// Google does not disclose the per-user concurrency cap; practitioners see 5 to 10.
    std::size_t max_concurrent_per_user = 10;
    /// Messages a Workspace user may send in a rolling 24 hours.
    double gmail_daily_sends = 2'000;
    /// The project number Gmail's project-quota refusal names.
    std::string project_number = "1000000000001";
};

/// Google's quota model for one project: a per-user and a per-project allowance for
/// each API, refilled continuously (a token bucket holding one minute's worth, so
/// short bursts pass and sustained excess is refused), Gmail's per-method unit costs,
/// the per-user concurrency cap, and Gmail's daily sending limit.
class quota_model {
public:
    /// A model whose allowances all start full.
    explicit quota_model(quota_options options = {}) : options_(std::move(options)) {}

    /// The limits in force.
    quota_options const& options() const noexcept { return options_; }
    /// Turns the model on or off (`quota_options::enabled`); what it has counted stays.
    /// Calls already in flight when it is turned on are not counted against the concurrency cap.
    void set_enabled(bool enabled) noexcept { options_.enabled = enabled; }

    /// Charges one call of `method` by `user`. Returns Google's refusal (429 or 403,
    /// exact body, with the "Retry after <time>" hint where Gmail gives one) when a
    /// limit is exceeded; nothing is charged then.
    GAPI_DECL std::optional<api_response> charge(method_info const& method, std::string const& user,
                                                 clock_type::time_point now);

    /// A message was sent: it counts against the user's daily sending limit. Called
    /// only for sends that succeeded, so refused or failed sends cost nothing.
    GAPI_DECL void record_send(std::string const& user, clock_type::time_point now);

    /// Gmail's per-user concurrency cap. A request counts as in flight from `enter`
    /// (returns whether it was counted: a Gmail call with the quota on) to `leave`, called once the
    /// response is written; `check_concurrency` refuses with Google's 429 when more than
    /// the cap are in flight, the caller's own request included.
    GAPI_DECL bool enter(method_info const& method, std::string const& user);
    /// Google's 429 ("Too many concurrent requests for user.") when more than
    /// `quota_options::max_concurrent_per_user` of `user`'s Gmail calls are in flight;
    /// nothing for Calendar calls, or with the model off.
    GAPI_DECL std::optional<api_response> check_concurrency(method_info const& method, std::string const& user) const;
    /// One of `user`'s calls counted by `enter` is no longer in flight.
    GAPI_DECL void leave(std::string const& user);

private:
    struct bucket {
        double tokens = -1; // < 0: not yet used, starts full
        clock_type::time_point updated{};
    };

    double scaled(double per_minute) const noexcept { return per_minute * options_.scale; }
    static void refill(bucket& b, double per_minute, double cost, clock_type::time_point now);
    static clock_type::time_point when_available(bucket const& b, double per_minute, double cost,
                                                 clock_type::time_point now);

    quota_options options_;
    std::map<std::string, bucket> gmail_users_;
    bucket gmail_project_;
    std::map<std::string, bucket> calendar_users_;
    bucket calendar_project_;
    std::map<std::string, std::deque<clock_type::time_point>> sends_;
    std::map<std::string, std::size_t> in_flight_;
};

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/quota_model.ipp>
#endif

#endif
