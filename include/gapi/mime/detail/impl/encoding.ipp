// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_DETAIL_IMPL_ENCODING_IPP
#define GAPI_MIME_DETAIL_IMPL_ENCODING_IPP

#include <gapi/mime/detail/encoding.hpp>

#include <algorithm>
#include <cstdint>

namespace gapi::mime::detail {

inline constexpr char hex_digits[] = "0123456789ABCDEF";

inline void append_hex_escape(std::string& out, char prefix, unsigned char c) {
    out.push_back(prefix);
    out.push_back(hex_digits[c >> 4]);
    out.push_back(hex_digits[c & 0x0F]);
}

// RFC 2047 §5 (3): the characters that may stay as they are in a Q-encoded word that
// sits in a phrase, the strictest of its three contexts; using it everywhere keeps one
// encoder correct for Subject, display names and parameters alike.
inline bool is_q_literal(unsigned char c) noexcept {
    return is_alnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

inline std::size_t q_cost(unsigned char c) noexcept {
    return is_q_literal(c) || c == ' ' ? 1 : 3;
}

GAPI_DECL bool has_line_break_or_nul(std::string_view text) noexcept {
    return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

GAPI_DECL bool is_printable_ascii(std::string_view text) noexcept {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

GAPI_DECL bool is_valid_utf8(std::string_view text) noexcept {
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t const length = utf8_char_length(text, pos);
        if (length == 1 && static_cast<unsigned char>(text[pos]) >= 0x80)
            return false;
        pos += length;
    }
    return true;
}

GAPI_DECL std::size_t utf8_char_length(std::string_view text, std::size_t pos) noexcept {
    auto const at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char const lead = at(pos);
    std::size_t length = 0;
    unsigned char low = 0x80;  // the range of the second byte, narrowed against overlong
    unsigned char high = 0xBF; // forms and surrogates (RFC 3629 §4)
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            low = 0xA0;
        if (lead == 0xED)
            high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            low = 0x90;
        if (lead == 0xF4)
            high = 0x8F;
    } else {
        return 1;
    }
    if (pos + length > text.size())
        return 1;
    if (at(pos + 1) < low || at(pos + 1) > high)
        return 1;
    for (std::size_t i = 2; i < length; ++i)
        if (at(pos + i) < 0x80 || at(pos + i) > 0xBF)
            return 1;
    return length;
}

GAPI_DECL std::string base64_encode(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto const at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t const v = (std::uint32_t{at(i)} << 16) | (std::uint32_t{at(i + 1)} << 8) | at(i + 2);
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(alphabet[(v >> 6) & 63]);
        out.push_back(alphabet[v & 63]);
    }
    if (std::size_t const rest = bytes.size() - i; rest > 0) {
        std::uint32_t v = std::uint32_t{at(i)} << 16;
        if (rest == 2)
            v |= std::uint32_t{at(i + 1)} << 8;
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(rest == 2 ? alphabet[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

GAPI_DECL std::size_t base64_lines_size(std::size_t size) noexcept {
    std::size_t const encoded = (size + 2) / 3 * 4;
    std::size_t const lines = (encoded + 75) / 76;
    return encoded + (lines > 1 ? (lines - 1) * 2 : 0);
}

GAPI_DECL std::string base64_lines(std::string_view bytes) {
    std::string const flat = base64_encode(bytes);
    std::string out;
    out.reserve(base64_lines_size(bytes.size()));
    for (std::size_t i = 0; i < flat.size(); i += 76) {
        if (i != 0)
            out += "\r\n";
        out.append(flat, i, 76);
    }
    return out;
}

GAPI_DECL std::string to_crlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (c == '\r') {
            out += "\r\n";
            if (i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
        } else if (c == '\n') {
            out += "\r\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

GAPI_DECL bool fits_7bit(std::string_view text) noexcept {
    std::size_t line_length = 0;
    char previous = '\0';
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        auto const u = static_cast<unsigned char>(c);
        if (u == 0 || u >= 0x80)
            return false;
        if (c == '\r') {
            if (i + 1 >= text.size() || text[i + 1] != '\n')
                return false;
            if (previous == ' ' || previous == '\t')
                return false;
            ++i;
            line_length = 0;
            previous = '\n';
            continue;
        }
        if (c == '\n' || ++line_length > max_line_length)
            return false;
        previous = c;
    }
    return previous != ' ' && previous != '\t';
}

GAPI_DECL bool fits_8bit(std::string_view bytes) noexcept {
    std::size_t line_length = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        char const c = bytes[i];
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
            ++i;
            line_length = 0;
            continue;
        }
        if (c == '\0' || c == '\r' || c == '\n' || ++line_length > max_line_length)
            return false;
    }
    return true;
}

GAPI_DECL std::string quoted_printable(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    std::size_t start = 0;
    while (true) {
        auto const eol = text.find("\r\n", start);
        std::string_view const line =
            text.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
        std::size_t column = 0;
        for (std::size_t i = 0; i < line.size(); ++i) {
            auto const c = static_cast<unsigned char>(line[i]);
            bool const last = i + 1 == line.size();
            // Whitespace at the end of a line is encoded: relays may strip it (rule 3).
            bool const literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
            std::size_t const width = literal ? 1 : 3;
            // 76 characters per line (rule 5); all but the last segment need room for the '='.
            if (column + width > (last ? 76u : 75u)) {
                out += "=\r\n";
                column = 0;
            }
            if (literal)
                out.push_back(static_cast<char>(c));
            else
                append_hex_escape(out, '=', c);
            column += width;
        }
        if (eol == std::string_view::npos)
            break;
        out += "\r\n";
        start = eol + 2;
    }
    return out;
}

GAPI_DECL std::string percent_encode_attr(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 3);
    for (char ch : bytes) {
        auto const c = static_cast<unsigned char>(ch);
        if (is_alnum(c) || std::string_view("!#$&+-.^_`|~").find(ch) != std::string_view::npos)
            out.push_back(ch);
        else
            append_hex_escape(out, '%', c);
    }
    return out;
}

GAPI_DECL char choose_word_encoding(std::string_view text) noexcept {
    std::size_t q = 0;
    for (char c : text)
        q += q_cost(static_cast<unsigned char>(c));
    std::size_t const b = (text.size() + 2) / 3 * 4;
    return q < b ? 'Q' : 'B';
}

GAPI_DECL std::string next_encoded_word(std::string_view text, std::size_t& pos, std::size_t max_length,
                                        char encoding) {
    constexpr std::size_t overhead = 12; // "=?UTF-8?B?" and "?="
    std::size_t const budget = max_length > overhead ? max_length - overhead : 0;
    std::size_t end = pos;
    std::size_t cost = 0;
    while (end < text.size()) {
        std::size_t const length = utf8_char_length(text, end);
        std::size_t next_cost = 0;
        if (encoding == 'B') {
            next_cost = (end + length - pos + 2) / 3 * 4;
        } else {
            next_cost = cost;
            for (std::size_t i = 0; i < length; ++i)
                next_cost += q_cost(static_cast<unsigned char>(text[end + i]));
        }
        // Never split a character: a decoder may convert each word on its own.
        if (next_cost > budget && end != pos)
            break;
        cost = next_cost;
        end += length;
    }
    std::string_view const chunk = text.substr(pos, end - pos);
    pos = end;
    std::string word = encoding == 'B' ? "=?UTF-8?B?" : "=?UTF-8?Q?";
    if (encoding == 'B') {
        word += base64_encode(chunk);
    } else {
        for (char ch : chunk) {
            auto const c = static_cast<unsigned char>(ch);
            if (is_q_literal(c))
                word.push_back(ch);
            else if (c == ' ')
                word.push_back('_');
            else
                append_hex_escape(word, '=', c);
        }
    }
    word += "?=";
    return word;
}

GAPI_DECL std::string quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out.push_back('"');
    for (char c : text) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

GAPI_DECL void header_writer::begin(std::string_view name) {
    out_ += name;
    out_.push_back(':');
    column_ = name.size() + 1;
    line_has_token_ = false;
}

GAPI_DECL void header_writer::fold() {
    out_ += "\r\n";
    column_ = 0;
}

GAPI_DECL void header_writer::append(std::string_view separator, std::string_view token) {
    if (line_has_token_ && !separator.empty() && column_ + separator.size() + token.size() > fold_column)
        fold();
    out_ += separator;
    out_ += token;
    column_ += separator.size() + token.size();
    line_has_token_ = true;
}

GAPI_DECL void header_writer::append_encoded_words(std::string_view separator, std::string_view text,
                                                   std::string_view prefix, std::string_view suffix) {
    if (text.empty()) {
        append(separator, std::string(prefix) + std::string(suffix));
        return;
    }
    // Below this many free columns a word would hold only a character or two: fold first.
    constexpr std::size_t min_room = 24;
    char const encoding = choose_word_encoding(text);
    std::size_t pos = 0;
    bool first = true;
    while (pos < text.size()) {
        std::string_view const space = first ? separator : std::string_view(" ");
        std::string_view const before = first ? prefix : std::string_view{};
        auto const room = [&] {
            std::size_t const used = column_ + space.size() + before.size() + suffix.size();
            return used < fold_column ? fold_column - used : 0;
        };
        if (room() < min_room && !space.empty() && column_ > 0)
            fold();
        std::string token(before);
        token += next_encoded_word(text, pos, std::min(room(), max_encoded_word), encoding);
        if (pos >= text.size())
            token += suffix;
        out_ += space;
        out_ += token;
        column_ += space.size() + token.size();
        line_has_token_ = true;
        first = false;
    }
}

GAPI_DECL void header_writer::end() {
    out_ += "\r\n";
    column_ = 0;
    line_has_token_ = false;
}

GAPI_DECL void header_writer::rollback(mark m) {
    out_.resize(m.size);
    column_ = m.column;
    line_has_token_ = m.line_has_token;
}

GAPI_DECL std::size_t header_writer::longest_line_since(mark m) const noexcept {
    std::size_t longest = m.column;
    std::size_t column = m.column;
    for (std::size_t i = m.size; i < out_.size(); ++i) {
        if (out_[i] == '\r' && i + 1 < out_.size() && out_[i + 1] == '\n') {
            column = 0;
            ++i;
            continue;
        }
        longest = std::max(longest, ++column);
    }
    return longest;
}

} // namespace gapi::mime::detail

#endif
