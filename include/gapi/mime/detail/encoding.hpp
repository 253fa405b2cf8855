// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_DETAIL_ENCODING_HPP
#define GAPI_MIME_DETAIL_ENCODING_HPP

// The encodings a MIME message is made of (RFC 2045 base64 and quoted-printable,
// RFC 2047 encoded words, RFC 2231 parameter values) and a header writer that folds
// lines. Plain functions over strings: no I/O, no state. Private to gapi.

#include <gapi/config.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace gapi::mime::detail {

/// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters and MUST be at most 998.
inline constexpr std::size_t fold_column = 78;
inline constexpr std::size_t max_line_length = 998;
/// RFC 2047 §2: an encoded word is at most 75 characters.
inline constexpr std::size_t max_encoded_word = 75;
/// Gmail's limit on a whole message, 35 MiB; public as `gapi::mime::max_message_size`.
inline constexpr std::size_t gmail_message_limit = 36'700'160;

inline bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}

inline bool is_alnum(unsigned char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

inline std::string_view trim_wsp(std::string_view s) noexcept {
    while (!s.empty() && is_wsp(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_wsp(s.back()))
        s.remove_suffix(1);
    return s;
}

/// CR, LF or NUL: the characters that would end a header line early (or truncate it).
GAPI_DECL bool has_line_break_or_nul(std::string_view text) noexcept;

/// Printable US-ASCII, space included (0x20-0x7E).
GAPI_DECL bool is_printable_ascii(std::string_view text) noexcept;

/// The length of the UTF-8 character that starts at `pos`: 1 for ASCII and for any byte
/// that does not start a well-formed sequence, so that malformed input still advances.
GAPI_DECL std::size_t utf8_char_length(std::string_view text, std::size_t pos) noexcept;

/// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or
/// truncated sequences).
GAPI_DECL bool is_valid_utf8(std::string_view text) noexcept;

/// RFC 4648 base64 with padding, on one line.
GAPI_DECL std::string base64_encode(std::string_view bytes);

/// The size `base64_lines` will produce for `size` bytes.
GAPI_DECL std::size_t base64_lines_size(std::size_t size) noexcept;

/// RFC 2045 §6.8 base64: 76-character lines separated (not terminated) by CRLF.
GAPI_DECL std::string base64_lines(std::string_view bytes);

/// `text` with every line break (CRLF, bare LF, bare CR) written as CRLF, the canonical
/// form of text/* bodies (RFC 2046 §4.1.1).
GAPI_DECL std::string to_crlf(std::string_view text);

/// Whether CRLF text can travel as 7bit (RFC 2045 §2.7): US-ASCII without NUL, lines of
/// at most 998 octets, and no line ending in whitespace (which relays may strip).
GAPI_DECL bool fits_7bit(std::string_view crlf_text) noexcept;

/// Whether bytes can travel as 8bit (RFC 2045 §2.8): no NUL, CR and LF only as CRLF,
/// lines of at most 998 octets.
GAPI_DECL bool fits_8bit(std::string_view bytes) noexcept;

/// RFC 2045 §6.7 quoted-printable of CRLF text: hard line breaks stay CRLF, soft breaks
/// keep lines at 76 characters, '=' and line-final whitespace are encoded.
GAPI_DECL std::string quoted_printable(std::string_view crlf_text);

/// RFC 2231 / RFC 5987 percent-encoding: attr-char stays, every other byte is %XX.
GAPI_DECL std::string percent_encode_attr(std::string_view bytes);

/// Which RFC 2047 encoding makes `text` shorter; 'B' on a tie.
GAPI_DECL char choose_word_encoding(std::string_view text) noexcept;

/// One RFC 2047 UTF-8 encoded word (encoding 'B' or 'Q') of the longest run of whole
/// characters from `text[pos]` on that fits in `max_length` characters; advances `pos`.
/// Takes at least one character even if it does not fit, so that callers always advance.
GAPI_DECL std::string next_encoded_word(std::string_view text, std::size_t& pos, std::size_t max_length,
                                        char encoding);

/// `text` as a double-quoted string with '"' and '\' escaped (RFC 5322 §3.2.4).
GAPI_DECL std::string quote(std::string_view text);

/// Writes header fields into a string and folds them: a token that would pass column 78
/// moves to a new line, with the whitespace that precedes it starting that line, so that
/// unfolding (removing the CRLF) gives back exactly what was appended.
class header_writer {
public:
    explicit header_writer(std::string& out) : out_(out) {}

    /// Starts a field: "Name:".
    GAPI_DECL void begin(std::string_view name);

    /// Appends `separator` (whitespace, or empty where folding is not allowed) and `token`.
    GAPI_DECL void append(std::string_view separator, std::string_view token);

    /// Appends `text` as RFC 2047 encoded words sized to fill the lines, the first one
    /// after `separator` and `prefix`, the last one followed by `suffix`.
    GAPI_DECL void append_encoded_words(std::string_view separator, std::string_view text,
                                        std::string_view prefix = {}, std::string_view suffix = {});

    /// Ends the field with CRLF.
    GAPI_DECL void end();

    /// A point to return to with `rollback`, for writing something one way and, if the
    /// lines came out too long, another.
    struct mark {
        std::size_t size;
        std::size_t column;
        bool line_has_token;
    };
    mark position() const noexcept { return {out_.size(), column_, line_has_token_}; }
    GAPI_DECL void rollback(mark m);
    /// The longest line written since `m`, counting the part of its first line before it.
    GAPI_DECL std::size_t longest_line_since(mark m) const noexcept;

private:
    GAPI_DECL void fold();

    std::string& out_;
    std::size_t column_ = 0;
    bool line_has_token_ = false; // a line holding only the field name is never folded
};

} // namespace gapi::mime::detail

#ifdef GAPI_HEADER_ONLY
#include <gapi/mime/detail/impl/encoding.ipp>
#endif

#endif
