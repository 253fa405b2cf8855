// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_IMPL_QUOTA_MODEL_IPP
#define GAPI_EMULATOR_IMPL_QUOTA_MODEL_IPP

#include <gapi/emulator/quota_model.hpp>

#include <algorithm>
#include <cmath>

namespace gapi::emulator {

namespace detail::quota {

// Gmail's per-user throttling answer: the message carries the moment to retry at,
// after two spaces, exactly as Gmail writes it.
inline api_response gmail_user_rate_limited(clock_type::time_point retry_at) {
    return error_response({.code = 429,
                           .message = "User-rate limit exceeded.  Retry after " + format_rfc3339(retry_at),
                           .reason = "rateLimitExceeded",
                           .domain = "global",
                           .status = "RESOURCE_EXHAUSTED"});
}

// Over the daily sending limit, Gmail names the cause and a retry time that may be hours
// away (fact sheet §6.1).
inline api_response gmail_daily_limit(clock_type::time_point retry_at) {
    return error_response({.code = 429,
                           .message = "User-rate limit exceeded (Mail sending).  Retry after " + format_rfc3339(retry_at),
                           .reason = "rateLimitExceeded",
                           .domain = "usageLimits",
                           .status = "RESOURCE_EXHAUSTED"});
}

inline api_response gmail_project_rate_limited(std::string const& project_number) {
    return error_response(
        {.code = 403,
         .message = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service "
                    "'gmail.googleapis.com' for consumer 'project_number:" +
                    project_number + "'.",
         .reason = "rateLimitExceeded",
         .domain = "usageLimits",
         .status = "PERMISSION_DENIED"});
}

inline api_response calendar_rate_limited(bool per_user) {
    // Calendar answers 403 with usageLimits reasons and no `status` member.
    return error_response({.code = 403,
                           .message = per_user ? "User Rate Limit Exceeded" : "Rate Limit Exceeded",
                           .reason = per_user ? "userRateLimitExceeded" : "rateLimitExceeded",
                           .domain = "usageLimits"});
}

} // namespace detail::quota

GAPI_DECL void quota_model::refill(bucket& b, double per_minute, double cost, clock_type::time_point now) {
    // A bucket holds a minute's allowance, and never less than one call: at a tiny
    // scale a 100-unit send must still pass once the hinted time has come.
    double const capacity = std::max(per_minute, cost);
    if (b.tokens < 0) {
        b.tokens = capacity;
        b.updated = now;
        return;
    }
    if (now <= b.updated)
        return;
    double const elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(capacity, b.tokens + elapsed * per_minute / 60.0);
    b.updated = now;
}

GAPI_DECL clock_type::time_point quota_model::when_available(bucket const& b, double per_minute, double cost,
                                                             clock_type::time_point now) {
    double const missing = std::max(0.0, cost - b.tokens);
    auto const wait = std::chrono::duration<double>(missing * 60.0 / per_minute);
    // Rounded up to whole milliseconds: Gmail's hint has millisecond precision, and a
    // client that waits until the printed instant must find the allowance there.
    return now + std::chrono::ceil<std::chrono::milliseconds>(wait) + std::chrono::milliseconds(1);
}

GAPI_DECL std::optional<api_response> quota_model::charge(method_info const& method, std::string const& user,
                                                          clock_type::time_point now) {
    if (!options_.enabled)
        return std::nullopt;
    double const cost = method.family == api_family::gmail ? method.quota_units : 1.0;
    if (cost <= 0)
        return std::nullopt;

    if (method.family == api_family::calendar) {
        double const user_rate = scaled(options_.calendar_user_requests_per_minute);
        double const project_rate = scaled(options_.calendar_project_requests_per_minute);
        auto& user_bucket = calendar_users_[user];
        refill(user_bucket, user_rate, cost, now);
        refill(calendar_project_, project_rate, cost, now);
        if (calendar_project_.tokens < cost)
            return detail::quota::calendar_rate_limited(false);
        if (user_bucket.tokens < cost)
            return detail::quota::calendar_rate_limited(true);
        user_bucket.tokens -= cost;
        calendar_project_.tokens -= cost;
        return std::nullopt;
    }

    double const user_rate = scaled(options_.gmail_user_units_per_minute);
    double const project_rate = scaled(options_.gmail_project_units_per_minute);
    auto& user_bucket = gmail_users_[user];
    refill(user_bucket, user_rate, cost, now);
    refill(gmail_project_, project_rate, cost, now);
    if (gmail_project_.tokens < cost)
        return detail::quota::gmail_project_rate_limited(options_.project_number);
    if (user_bucket.tokens < cost)
        return detail::quota::gmail_user_rate_limited(when_available(user_bucket, user_rate, cost, now));

    if (method.sends_mail) {
        auto& sent = sends_[user];
        auto const day = std::chrono::hours(24);
        while (!sent.empty() && sent.front() + day <= now)
            sent.pop_front();
        double const allowance = std::max(1.0, std::floor(options_.gmail_daily_sends * options_.scale));
        if (static_cast<double>(sent.size()) >= allowance)
            return detail::quota::gmail_daily_limit(sent.front() + day);
    }
    user_bucket.tokens -= cost;
    gmail_project_.tokens -= cost;
    return std::nullopt;
}

GAPI_DECL void quota_model::record_send(std::string const& user, clock_type::time_point now) {
    if (options_.enabled)
        sends_[user].push_back(now);
}

GAPI_DECL bool quota_model::enter(method_info const& method, std::string const& user) {
    // Google documents the concurrency cap for Gmail only. Off, the model counts nothing,
    // so that loads measure the server; calls in flight when it is turned on go uncounted.
    if (!options_.enabled || method.family != api_family::gmail)
        return false;
    ++in_flight_[user];
    return true;
}

GAPI_DECL std::optional<api_response> quota_model::check_concurrency(method_info const& method,
                                                                     std::string const& user) const {
    if (!options_.enabled || method.family != api_family::gmail)
        return std::nullopt;
    auto it = in_flight_.find(user);
    if (it != in_flight_.end() && it->second > options_.max_concurrent_per_user) {
        return error_response({.code = 429,
                               .message = "Too many concurrent requests for user.",
                               .reason = "rateLimitExceeded",
                               .domain = "global",
                               .status = "RESOURCE_EXHAUSTED"});
    }
    return std::nullopt;
}

GAPI_DECL void quota_model::leave(std::string const& user) {
    auto it = in_flight_.find(user);
    if (it != in_flight_.end() && it->second > 0)
        --it->second; // the entry stays: users are few, and a count that often falls to 0 would churn nodes
}

} // namespace gapi::emulator

#endif
