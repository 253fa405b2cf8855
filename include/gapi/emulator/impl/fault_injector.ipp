// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_IMPL_FAULT_INJECTOR_IPP
#define GAPI_EMULATOR_IMPL_FAULT_INJECTOR_IPP

#include <gapi/emulator/fault_injector.hpp>

#include <boost/system/errc.hpp>

#include <charconv>

namespace gapi::emulator {

namespace detail::faults {

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

inline std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    while (true) {
        auto const pos = s.find(sep);
        out.push_back(trim(s.substr(0, pos)));
        if (pos == std::string_view::npos)
            break;
        s.remove_prefix(pos + 1);
    }
    return out;
}

inline bool matches(std::string_view pattern, std::string_view id) {
    if (!pattern.empty() && pattern.back() == '*')
        return id.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
    return pattern == id;
}

// splitmix64: a fast, well-mixed hash of the decision's inputs.
inline std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

} // namespace detail::faults

GAPI_DECL boost::system::result<std::vector<fault_rule>> fault_injector::parse(std::string_view spec) {
    using detail::faults::split;
    auto const invalid = make_error_code(boost::system::errc::invalid_argument);
    std::vector<fault_rule> rules;
    if (detail::faults::trim(spec).empty())
        return rules;
    for (auto rule_text : split(spec, ';')) {
        if (rule_text.empty())
            continue;
        // Method ids contain no ':', so a second one is a typo that would silently
        // make the rule match nothing.
        auto const colon = rule_text.find(':');
        if (colon == std::string_view::npos || colon == 0 || rule_text.find(':', colon + 1) != std::string_view::npos)
            return invalid;
        fault_rule rule;
        rule.pattern = detail::faults::trim(rule_text.substr(0, colon));
        for (auto item : split(rule_text.substr(colon + 1), ',')) {
            auto const eq = item.find('=');
            if (eq == std::string_view::npos)
                return invalid;
            auto const key = detail::faults::trim(item.substr(0, eq));
            auto const value = detail::faults::trim(item.substr(eq + 1));
            if (key == "delay") {
                long ms = 0;
                auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
                if (ec != std::errc{} || end != value.data() + value.size() || ms < 0)
                    return invalid;
                rule.delay = std::chrono::milliseconds(ms);
                continue;
            }
            if (key == "first") {
                std::uint64_t calls = 0;
                auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), calls);
                if (ec != std::errc{} || end != value.data() + value.size())
                    return invalid;
                rule.first_calls = calls;
                continue;
            }
            fault_kind kind;
            if (key == "500")
                kind = fault_kind::internal_error;
            else if (key == "503")
                kind = fault_kind::unavailable;
            else if (key == "429")
                kind = fault_kind::rate_limited;
            else if (key == "reset")
                kind = fault_kind::reset;
            else if (key == "ambiguous")
                kind = fault_kind::ambiguous;
            else if (key == "slow")
                kind = fault_kind::slow;
            else
                return invalid;
            double p = 0;
            try {
                std::size_t used = 0;
                p = std::stod(std::string(value), &used);
                if (used != value.size())
                    return invalid;
            } catch (...) {
                return invalid;
            }
            if (!(p >= 0.0 && p <= 1.0))
                return invalid;
            rule.probability[kind] = p;
        }
        rules.push_back(std::move(rule));
    }
    return rules;
}

GAPI_DECL fault_kind fault_injector::next(std::string_view method_id, std::chrono::milliseconds& delay) {
    if (rules_.empty())
        return fault_kind::none;
    auto it = calls_.find(method_id);
    if (it == calls_.end())
        it = calls_.emplace(std::string(method_id), 0).first;
    std::uint64_t const n = it->second++;
    for (auto const& rule : rules_) {
        if (!detail::faults::matches(rule.pattern, method_id))
            continue;
        if (rule.first_calls && n >= *rule.first_calls)
            return fault_kind::none;
        std::uint64_t h = detail::faults::mix(seed_);
        for (char c : method_id)
            h = detail::faults::mix(h ^ static_cast<unsigned char>(c));
        h = detail::faults::mix(h ^ n);
        double const draw = static_cast<double>(h >> 11) * 0x1.0p-53;
        double cumulative = 0;
        for (auto const& [kind, p] : rule.probability) {
            cumulative += p;
            if (draw < cumulative) {
                delay = rule.delay;
                return kind;
            }
        }
        return fault_kind::none; // the first matching rule decides
    }
    return fault_kind::none;
}

GAPI_DECL api_response fault_injector::response_for(fault_kind kind) {
    switch (kind) {
    case fault_kind::unavailable:
        return error_response({.code = 503,
                               .message = "The service is currently unavailable.",
                               .reason = "backendError",
                               .status = "UNAVAILABLE"});
    case fault_kind::rate_limited:
        return error_response({.code = 429,
                               .message = "Resource has been exhausted (e.g. check quota).",
                               .reason = "rateLimitExceeded",
                               .status = "RESOURCE_EXHAUSTED"});
    default:
        return error_response(
            {.code = 500, .message = "Backend Error", .reason = "backendError", .status = "INTERNAL"});
    }
}

} // namespace gapi::emulator

#endif
