// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_FAULT_INJECTOR_HPP
#define GAPI_EMULATOR_FAULT_INJECTOR_HPP

#include <gapi/emulator/api.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gapi::emulator {

/// What happens to one call instead of (or besides) its normal answer.
enum class fault_kind : std::uint8_t {
    none,                ///< the normal answer
    internal_error,      ///< 500 backendError, request not applied
    unavailable,         ///< 503 backendError, request not applied
    rate_limited,        ///< 429 rateLimitExceeded, request not applied
    reset,               ///< connection reset before any response, request not applied
    ambiguous,           ///< request applied, then the connection reset before the response
    slow,                ///< normal answer after `fault_rule::delay`
};

/// One rule of a fault spec: for methods matching `pattern` (a method id such as
/// "gmail.users.messages.send", a prefix ending in '*' such as "gmail.*", or "*"),
/// the probability of each fault.
struct fault_rule {
    /// A method id, a prefix ending in '*', or "*". Of the rules, the first that matches
    /// a call decides it.
    std::string pattern;
    /// Each fault's probability in [0, 1]; their sum should not exceed 1 (what remains is
    /// `fault_kind::none`).
    std::map<fault_kind, double> probability;
    /// How long a `fault_kind::slow` answer is held back.
    std::chrono::milliseconds delay{1000};
    /// Set: the rule acts on the first N calls of each matching method only.
    std::optional<std::uint64_t> first_calls;
};

/// Seeded, reproducible fault decisions. The n-th call of a method draws from a hash
/// of (seed, method id, n), so the same sequence of calls sees the same faults however
/// calls of other methods interleave with it.
class fault_injector {
public:
    /// No rules: every call gets `fault_kind::none`.
    fault_injector() = default;
    /// `rules` (see `parse`), drawn with `seed`; every method's call count starts at 0.
    fault_injector(std::vector<fault_rule> rules, std::uint64_t seed) : rules_(std::move(rules)), seed_(seed) {}

    /// Parses `RULE[;RULE...]`, where RULE is `PATTERN:KIND=P[,KIND=P...]`, KIND one of
    /// 500, 503, 429, reset, ambiguous, slow, and P a probability in [0, 1];
    /// `delay=MS` sets the slow fault's delay; `first=N` limits the rule to the first N
    /// calls of each method it matches. Example:
    /// `gmail.users.messages.send:ambiguous=0.1,500=0.05;*:503=0.01`.
    GAPI_DECL static boost::system::result<std::vector<fault_rule>> parse(std::string_view spec);

    /// The fault for the next call of `method_id`, and the rule's delay for `slow`.
    GAPI_DECL fault_kind next(std::string_view method_id, std::chrono::milliseconds& delay);

    /// Whether there are no rules (no call is ever faulted).
    bool empty() const noexcept { return rules_.empty(); }

    /// Google's body for the status faults (500, 503, 429).
    GAPI_DECL static api_response response_for(fault_kind kind);

private:
    std::vector<fault_rule> rules_;
    std::uint64_t seed_ = 1;
    std::map<std::string, std::uint64_t, std::less<>> calls_;
};

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/fault_injector.ipp>
#endif

#endif
