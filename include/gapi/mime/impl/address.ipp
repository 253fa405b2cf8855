// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_IMPL_ADDRESS_IPP
#define GAPI_MIME_IMPL_ADDRESS_IPP

#include <gapi/mime/address.hpp>

#include <algorithm>
#include <optional>

namespace gapi::mime {

namespace detail {

// RFC 5322 §3.2.3 atext.
inline bool is_atext(char c) noexcept {
    return is_alnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

inline bool valid_dot_atom(std::string_view s) noexcept {
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return c == '.' || is_atext(c); });
}

// RFC 5322 §3.2.4: qtext and quoted-pairs between the quotes, no bare quote or backslash.
inline bool valid_quoted_local_part(std::string_view s) noexcept {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"')
        return false;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        char const c = s[i];
        if (c == '\\') {
            if (++i + 1 >= s.size() || !(is_printable_ascii(s.substr(i, 1)) || s[i] == '\t'))
                return false;
            continue;
        }
        if (c == '"' || !(is_printable_ascii(s.substr(i, 1)) || c == '\t'))
            return false;
    }
    return true;
}

inline bool valid_domain(std::string_view domain) noexcept {
    if (domain.empty() || domain.size() > 253)
        return false;
    std::size_t labels = 0;
    std::size_t start = 0;
    while (true) {
        auto const dot = domain.find('.', start);
        auto const label =
            domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label)
            if (!is_alnum(static_cast<unsigned char>(c)) && c != '-')
                return false;
        ++labels;
        if (dot == std::string_view::npos)
            break;
        start = dot + 1;
    }
    // A dotless domain cannot be reached on the Internet (RFC 7085), and Gmail refuses it.
    return labels >= 2;
}

inline error_code check_email(std::string_view email) noexcept {
    if (has_line_break_or_nul(email))
        return error::header_injection;
    if (email.size() > 254)
        return error::invalid_address;
    // rfind: a quoted local part may itself hold '@'; a domain never does.
    auto const at = email.rfind('@');
    if (at == std::string_view::npos)
        return error::invalid_address;
    std::string_view const local = email.substr(0, at);
    std::string_view const domain = email.substr(at + 1);
    bool const local_ok = !local.empty() && local.size() <= 64 &&
                          (local.front() == '"' ? valid_quoted_local_part(local) : valid_dot_atom(local));
    if (!local_ok || !valid_domain(domain))
        return error::invalid_address;
    return {};
}

// A display name as written before '<': quoted strings lose their quotes and escapes,
// whitespace outside them becomes one space. Nullopt when a quote does not close.
inline std::optional<std::string> read_phrase(std::string_view text) {
    std::string out;
    bool space = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (is_wsp(c)) {
            space = !out.empty();
            continue;
        }
        if (space)
            out.push_back(' ');
        space = false;
        if (c != '"') {
            out.push_back(c);
            continue;
        }
        for (++i;; ++i) {
            if (i >= text.size())
                return std::nullopt;
            if (text[i] == '"')
                break;
            if (text[i] == '\\' && i + 1 < text.size())
                ++i;
            out.push_back(text[i]);
        }
    }
    return out;
}

// A phrase that can be written as bare atoms separated by single spaces (RFC 5322 §3.2.5),
// i.e. needs neither quotes nor encoding. "=?" would make a receiver take the word
// for an encoded word, so such names are encoded themselves (RFC 2047 §6.2 invites it).
inline bool is_atom_phrase(std::string_view text) noexcept {
    if (text.empty() || text.front() == ' ' || text.back() == ' ' ||
        text.find("  ") != std::string_view::npos || text.find("=?") != std::string_view::npos)
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || is_atext(c); });
}

inline void write_phrase(header_writer& writer, std::string_view separator, std::string_view text) {
    auto const start = writer.position();
    bool written = false;
    if (is_atom_phrase(text)) {
        std::string_view space = separator;
        std::size_t pos = 0;
        while (pos <= text.size()) {
            auto const end = std::min(text.find(' ', pos), text.size());
            writer.append(space, text.substr(pos, end - pos));
            space = " ";
            pos = end + 1;
        }
        written = true;
    } else if (is_printable_ascii(text) && text.find("=?") == std::string_view::npos) {
        writer.append(separator, quote(text));
        written = true;
    }
    if (written && writer.longest_line_since(start) <= fold_column)
        return;
    // Too long for one line as written (a quoted string is not folded inside), or not
    // plain ASCII: encoded words fold anywhere between characters.
    writer.rollback(start);
    writer.append_encoded_words(separator, text);
}

GAPI_DECL void write_address(header_writer& writer, address const& mailbox, std::string_view suffix) {
    if (mailbox.name.empty()) {
        writer.append(" ", mailbox.email + std::string(suffix));
        return;
    }
    write_phrase(writer, " ", mailbox.name);
    writer.append(" ", "<" + mailbox.email + ">" + std::string(suffix));
}

} // namespace detail

GAPI_DECL error_code validate_address(address const& mailbox) noexcept {
    if (detail::has_line_break_or_nul(mailbox.name))
        return error::header_injection;
    if (!detail::is_valid_utf8(mailbox.name))
        return error::invalid_utf8;
    return detail::check_email(mailbox.email);
}

GAPI_DECL boost::system::result<address> parse_address(std::string_view text) {
    if (detail::has_line_break_or_nul(text))
        return error_code(error::header_injection);
    text = detail::trim_wsp(text);
    // The '<' that opens the address is the first one outside a quoted display name.
    std::size_t open = std::string_view::npos;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size() && open == std::string_view::npos; ++i) {
        char const c = text[i];
        if (quoted) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '<') {
            open = i;
        } else if (c == '>') {
            return error_code(error::invalid_address);
        }
    }
    if (quoted) // a quote that never closes
        return error_code(error::invalid_address);
    address out;
    if (open == std::string_view::npos) {
        out.email = std::string(text);
    } else {
        if (text.back() != '>')
            return error_code(error::invalid_address);
        auto name = detail::read_phrase(text.substr(0, open));
        if (!name)
            return error_code(error::invalid_address);
        out.name = std::move(*name);
        out.email = std::string(detail::trim_wsp(text.substr(open + 1, text.size() - open - 2)));
    }
    if (auto ec = validate_address(out))
        return ec;
    return out;
}

GAPI_DECL boost::system::result<std::vector<address>> parse_address_list(std::string_view text) {
    std::vector<address> out;
    bool quoted = false;
    bool bracketed = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        char const c = i < text.size() ? text[i] : ',';
        if (quoted) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quoted = false;
            continue;
        }
        if (c == '"')
            quoted = !bracketed;
        else if (c == '<')
            bracketed = true;
        else if (c == '>')
            bracketed = false;
        if (c != ',' || (bracketed && i < text.size()))
            continue;
        std::string_view const item = detail::trim_wsp(text.substr(start, i - start));
        start = i + 1;
        if (item.empty())
            continue;
        auto mailbox = parse_address(item);
        if (!mailbox)
            return mailbox.error();
        out.push_back(std::move(*mailbox));
    }
    if (quoted)
        return error_code(error::invalid_address);
    return out;
}

GAPI_DECL boost::system::result<std::string> format_address(address const& mailbox) {
    if (auto ec = validate_address(mailbox))
        return ec;
    std::string folded;
    detail::header_writer writer(folded);
    detail::write_address(writer, mailbox, {});
    // Unfolding (RFC 5322 §2.2.3) leaves the separators the writer put before each fold.
    std::string out;
    out.reserve(folded.size());
    for (std::size_t i = 0; i < folded.size(); ++i) {
        if (folded[i] == '\r' && i + 1 < folded.size() && folded[i + 1] == '\n')
            ++i;
        else
            out.push_back(folded[i]);
    }
    return std::string(detail::trim_wsp(out));
}

} // namespace gapi::mime

#endif
