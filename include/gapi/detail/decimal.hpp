// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_DECIMAL_HPP
#define GAPI_DETAIL_DECIMAL_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace gapi::detail {

/// The whole of `text` as an unsigned decimal of at most 18 digits (a status code, a
/// Content-Length, an id Google writes as text); nothing for any other text, a sign
/// included. By hand: std::from_chars cost ~180 instructions where every part of a
/// batch reads two or three of them.
inline std::optional<std::size_t> decimal(std::string_view text) noexcept {
    if (text.empty() || text.size() > 18)
        return std::nullopt;
    std::uint64_t n = 0; // 18 digits fit
    for (char const c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if constexpr (sizeof(std::size_t) < sizeof(std::uint64_t))
        if (n > std::numeric_limits<std::size_t>::max())
            return std::nullopt;
    return static_cast<std::size_t>(n);
}

} // namespace gapi::detail

#endif
