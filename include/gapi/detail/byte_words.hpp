// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_BYTE_WORDS_HPP
#define GAPI_DETAIL_BYTE_WORDS_HPP

// Texts checked eight bytes at a time, where every call checks every byte of something
// (a target, a header field, a JSON text): a loop that stops at the first bad byte costs
// about seven instructions a byte; a word of eight costs about as much as two bytes.
//
// Each test returns a word in which the high bit of a byte is set for a byte that passes
// it: the classic "has a zero byte" and "has a byte less than n". The lowest flagged byte
// is always a true one; a byte above it may be flagged falsely (the borrow of the
// subtraction runs upward), so a test's word answers "any?" exactly, and "which first?"
// only through `first_flagged` on a little-endian machine.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace gapi::detail::byte_words {

inline constexpr std::uint64_t ones = 0x0101010101010101u;
inline constexpr std::uint64_t highs = 0x8080808080808080u;

/// The eight bytes at `p`.
inline std::uint64_t load(char const* p) noexcept {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    return word;
}

/// Bytes equal to `c`.
constexpr std::uint64_t equal_to(std::uint64_t word, unsigned char c) noexcept {
    auto const x = word ^ (ones * c);
    return (x - ones) & ~x & highs;
}

/// Bytes below `n` (at most 0x80), among the bytes below 0x80.
constexpr std::uint64_t below(std::uint64_t word, unsigned char n) noexcept {
    return (word - ones * n) & ~word & highs;
}

/// Bytes of 0x80 or more: not ASCII.
constexpr std::uint64_t not_ascii(std::uint64_t word) noexcept { return word & highs; }

/// How many bytes of a word precede its first flagged byte, where that is known (a
/// little-endian machine, whose first byte in memory is the word's lowest); elsewhere 0,
/// so that a caller goes on from the word's first byte, one byte at a time.
inline std::size_t first_flagged(std::uint64_t flags) noexcept {
    if constexpr (std::endian::native == std::endian::little)
        return static_cast<std::size_t>(std::countr_zero(flags)) / 8;
    else
        return 0;
}

} // namespace gapi::detail::byte_words

#endif
