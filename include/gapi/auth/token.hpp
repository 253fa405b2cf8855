// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_TOKEN_HPP
#define GAPI_AUTH_TOKEN_HPP

#include <gapi/config.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace gapi::auth {

/// The clock of token expiry times. It is the wall clock because expiry instants come
/// from (and are written to) files in calendar time, like google-auth's naive UTC.
using clock_type = std::chrono::system_clock;

/// An OAuth 2.0 bearer token.
struct access_token {
    std::string value; ///< the token itself, sent in an `Authorization: Bearer` field; a secret
    /// `max()` for a token that never expires (a static token without a known expiry);
    /// `min()` for a token whose expiry is unknown and which must be treated as expired.
    clock_type::time_point expiry = clock_type::time_point::max();
    /// The scopes granted (or, when the server did not say, the scopes requested).
    std::vector<std::string> scopes;

    /// Whether the token is expired at `now + margin` (inclusive): whether it should be
    /// refreshed before use. Never overflows for the `min()`/`max()` sentinels.
    bool expires_within(clock_type::duration margin, clock_type::time_point now) const noexcept {
        if (expiry == clock_type::time_point::max())
            return false;
        if (expiry <= now)
            return true;
        return expiry - now <= margin;
    }

    /// Member-wise.
    friend bool operator==(access_token const&, access_token const&) = default;
};

} // namespace gapi::auth

#endif
