// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_IMPL_GOOGLE_ERROR_IPP
#define GAPI_IMPL_GOOGLE_ERROR_IPP

#include <gapi/google_error.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace gapi {

namespace detail {

class api_error_category_impl final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "gapi.api"; }

    std::string message(int ev) const override {
        switch (static_cast<api_error>(ev)) {
        case api_error::bad_request: return "the API rejected the request as invalid";
        case api_error::unauthenticated: return "the API rejected the credentials";
        case api_error::permission_denied: return "the API denied permission";
        case api_error::not_found: return "the API found no such resource";
        case api_error::conflict: return "the resource already exists";
        case api_error::gone: return "the resource or sync state is gone";
        case api_error::precondition_failed: return "a precondition of the request failed";
        case api_error::payload_too_large: return "the request is too large for the API";
        case api_error::rate_limited: return "the API's rate limit refused the call";
        case api_error::quota_exceeded: return "the API's quota is exhausted";
        case api_error::backend_error: return "the API failed internally";
        case api_error::unavailable: return "the API is unavailable";
        case api_error::unexpected_status: return "the API answered with an unexpected status";
        case api_error::full_sync_required: return "the sync token is no longer valid; a full sync is required";
        case api_error::daily_limit_reached: return "the user's daily sending limit is reached";
        }
        return "unknown API error";
    }

    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<api_error>(ev)) {
        case api_error::bad_request:
        case api_error::payload_too_large: return condition::invalid_argument;
        case api_error::unauthenticated: return condition::unauthenticated;
        case api_error::not_found: return condition::not_found;
        case api_error::rate_limited: return condition::rate_limited;
        case api_error::quota_exceeded: return condition::quota_exceeded;
        case api_error::daily_limit_reached: return condition::daily_limit_reached;
        case api_error::backend_error:
        case api_error::unavailable: return condition::retryable;
        default: break;
        }
        return {ev, *this};
    }

    // A rate-limited call is also retryable.
    bool equivalent(int ev, boost::system::error_condition const& cond) const noexcept override {
        if (cond == make_error_condition(condition::retryable) && static_cast<api_error>(ev) == api_error::rate_limited)
            return true;
        // The daily sending limit is a quota that is spent, not a rate.
        if (cond == make_error_condition(condition::quota_exceeded) &&
            static_cast<api_error>(ev) == api_error::daily_limit_reached)
            return true;
        return default_error_condition(ev) == cond;
    }
};

// Gmail writes "... Retry after 2026-05-01T10:00:00.000Z" (after two spaces) in the message.
inline std::optional<std::chrono::system_clock::time_point> retry_hint_in(std::string_view message) {
    static constexpr std::string_view marker = "Retry after ";
    auto const at = message.find(marker);
    if (at == std::string_view::npos)
        return std::nullopt;
    auto text = message.substr(at + marker.size());
    text = text.substr(0, text.find_first_of(" )"));
    int y, mo, d, h, mi;
    double sec;
    char zone = 0;
    std::string const copy(text);
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%c", &y, &mo, &d, &h, &mi, &sec, &zone) < 7 ||
        (zone != 'Z' && zone != 'z'))
        return std::nullopt;
    using namespace std::chrono;
    year_month_day const ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
    if (!ymd.ok())
        return std::nullopt;
    return time_point_cast<system_clock::duration>(sys_days(ymd) + hours(h) + minutes(mi) +
                                                   duration_cast<microseconds>(duration<double>(sec)));
}

} // namespace detail

GAPI_DECL boost::system::error_category const& api_error_category() noexcept {
    static detail::api_error_category_impl const category;
    return category;
}

GAPI_DECL error_details parse_error_details(http::response const& res, std::chrono::system_clock::time_point now) {
    error_details d;
    d.http_status = res.status;
    boost::system::error_code ec;
    auto const body = boost::json::parse(res.body, ec);
    if (!ec && body.is_object()) {
        if (auto const* e = body.as_object().if_contains("error"); e && e->is_object()) {
            auto const& err = e->as_object();
            auto text = [](boost::json::object const& o, char const* key) {
                auto const* v = o.if_contains(key);
                return v && v->is_string() ? std::string(v->as_string()) : std::string();
            };
            d.message = text(err, "message");
            d.status = text(err, "status");
            if (auto const* items = err.if_contains("errors");
                items && items->is_array() && !items->as_array().empty() && items->as_array()[0].is_object()) {
                auto const& first = items->as_array()[0].as_object();
                d.reason = text(first, "reason");
                d.domain = text(first, "domain");
            }
        }
    }
    if (auto const retry = res.headers[boost::beast::http::field::retry_after]; !retry.empty()) {
        long seconds = 0;
        auto [end, perr] = std::from_chars(retry.data(), retry.data() + retry.size(), seconds);
        if (perr == std::errc{} && end == retry.data() + retry.size())
            d.retry_after = now + std::chrono::seconds(seconds);
    }
    if (!d.retry_after)
        d.retry_after = detail::retry_hint_in(d.message);
    return d;
}

GAPI_DECL error_code to_error_code(error_details const& d) {
    switch (d.http_status) {
    case 400: return api_error::bad_request;
    case 401: return api_error::unauthenticated;
    case 403:
        if (d.reason == "rateLimitExceeded" || d.reason == "userRateLimitExceeded")
            return api_error::rate_limited;
        if (d.reason == "dailyLimitExceeded" || d.reason == "quotaExceeded")
            return api_error::quota_exceeded;
        return api_error::permission_denied;
    case 404: return api_error::not_found;
    case 409: return api_error::conflict;
    case 410: return d.reason == "fullSyncRequired" ? api_error::full_sync_required : api_error::gone;
    case 412: return api_error::precondition_failed;
    case 413: return api_error::payload_too_large;
    case 429: return api_error::rate_limited;
    case 500: return api_error::backend_error;
    case 502:
    case 503:
    case 504: return api_error::unavailable;
    default: break;
    }
    return api_error::unexpected_status;
}

} // namespace gapi

#endif
