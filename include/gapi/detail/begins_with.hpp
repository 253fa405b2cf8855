// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_BEGINS_WITH_HPP
#define GAPI_DETAIL_BEGINS_WITH_HPP

#include <cstddef>
#include <cstring>
#include <string_view>

namespace gapi::detail {

/// `text` begins with the literal `prefix`. On the busiest paths (a batch's every part,
/// every batched call's group key), string_view's `starts_with(char const*)` stayed a
/// call that measured the literal each time (~60 instructions); this one is inlined,
/// with the length known.
/// For string literals only: a char array's last element is taken for its terminator.
template <std::size_t N>
bool begins_with(std::string_view text, char const (&prefix)[N]) noexcept {
    static_assert(N > 1, "a prefix of one character at least");
    return text.size() >= N - 1 && std::memcmp(text.data(), prefix, N - 1) == 0;
}

} // namespace gapi::detail

#endif
