// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_BATCH_IMPL_CODEC_IPP
#define GAPI_BATCH_IMPL_CODEC_IPP

#include <gapi/auth/detail/crypto.hpp>
#include <gapi/batch/codec.hpp>
#include <gapi/detail/begins_with.hpp>
#include <gapi/http/url.hpp>

#include <boost/assert.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>

namespace gapi::batch {

namespace detail {

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Beast's `iequals` (ASCII letters alike in either case), inline: Beast's is out of line,
// and every part's header lines are compared with the names wanted.
inline bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
    if (a == b) // as Google and the emulator write the names: no case to fold
        return true;
    auto const lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

// Splits off the next line (CRLF or bare LF); false at the end of the text. Unchecked
// views: each part has two blocks of header lines, and checked `substr`s cost a tenth of
// a part's decoding.
inline bool next_line(std::string_view& text, std::string_view& line) noexcept {
    if (text.empty())
        return false;
    auto const eol = text.find('\n');
    auto const length = eol == std::string_view::npos ? text.size() : eol;
    line = std::string_view(text.data(), length);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    return true;
}

// Reads header lines up to the blank line, into `into` if given; false when there is no
// blank line. `wanted`'s value, when it names a field, is kept in `found` (the first one,
// as Beast's look-up finds it).
inline bool read_headers(std::string_view& text, http::fields* into, std::string_view wanted,
                         std::optional<std::string_view>& found) {
    std::string_view line;
    while (next_line(text, line)) {
        if (line.empty())
            return true;
        auto const colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return false;
        auto const name = trim(std::string_view(line.data(), colon));
        bool const is_wanted = !found && ascii_iequals(name, wanted);
        if (!is_wanted && !into)
            continue;
        auto const value = trim(std::string_view(line.data() + colon + 1, line.size() - colon - 1));
        if (is_wanted)
            found = value;
        if (into)
            into->insert(name, value);
    }
    return false;
}

// `n` written in decimal, held in place (no allocation).
class decimal_text {
public:
    explicit decimal_text(std::uint64_t n) noexcept
        : size_(static_cast<std::size_t>(std::to_chars(digits_, digits_ + sizeof digits_, n).ptr - digits_)) {}
    std::string_view view() const noexcept { return {digits_, size_}; }

private:
    char digits_[20]; // the digits of any 64-bit count
    std::size_t size_;
};

// `<response-ID>` → ID; a Content-ID without the prefix is kept as it is, brackets removed.
inline std::string_view response_id(std::string_view raw) {
    raw = trim(raw);
    if (raw.size() >= 2 && raw.front() == '<' && raw.back() == '>')
        raw = raw.substr(1, raw.size() - 2);
    if (gapi::detail::begins_with(raw, "response-"))
        raw.remove_prefix(9);
    return raw;
}

// One part's content: an HTTP response, with its header fields unless the flag for its
// status (a 2xx one, or any other) says they are not wanted, and its body in `body` (a
// view into `text`), for the caller to copy or read.
inline bool read_inner_response(std::string_view text, http::response& out, std::string_view& body,
                                bool success_fields_wanted = true, bool other_fields_wanted = true) {
    std::string_view status_line;
    if (!next_line(text, status_line) || !gapi::detail::begins_with(status_line, "HTTP/"))
        return false;
    auto const space = status_line.find(' ');
    if (space == std::string_view::npos)
        return false;
    // Unchecked views where the bounds are known (a checked `substr` is a call of its own).
    std::string_view code(status_line.data() + space + 1, status_line.size() - space - 1);
    if (auto const end = code.find(' '); end != std::string_view::npos)
        code.remove_suffix(code.size() - end);
    auto const status = gapi::detail::decimal(code);
    if (!status || *status < 100 || *status > 599)
        return false;
    out.status = static_cast<unsigned>(*status);
    std::optional<std::string_view> length;
    bool const keep = *status / 100 == 2 ? success_fields_wanted : other_fields_wanted;
    if (!read_headers(text, keep ? &out.headers : nullptr, "Content-Length", length))
        return false;
    // The part ends with the line break before the next delimiter: not the body's.
    if (text.ends_with("\r\n"))
        text.remove_suffix(2);
    else if (text.ends_with("\n"))
        text.remove_suffix(1);
    if (length) {
        auto const n = gapi::detail::decimal(*length);
        if (!n || *n > text.size())
            return false;
        text = std::string_view(text.data(), static_cast<std::size_t>(*n));
    }
    body = text;
    return true;
}

} // namespace detail

GAPI_DECL std::string make_boundary(std::span<part_request const> parts) {
    // Drawn once, then counted: a boundary must be absent from its batch's parts (checked
    // here), not unpredictable, and drawing 32 characters from the random generator cost
    // ~8,000 instructions a batch, ~250 for each of its calls. (A forked child counts on
    // from its parent's stem and count: harmless, as each batch is checked on its own.)
    static std::string const stem =
        "batch_" + auth::detail::random_string(24, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + "_";
    static std::atomic<std::uint64_t> made{0};
    for (;;) {
        std::string boundary;
        boundary.reserve(stem.size() + 20);
        boundary += stem;
        boundary += detail::decimal_text(made.fetch_add(1, std::memory_order_relaxed)).view();
        bool clash = false;
        for (auto const& p : parts)
            clash = clash || p.request->body.find(boundary) != std::string::npos;
        if (!clash)
            return boundary;
    }
}

GAPI_DECL std::string encode_request(std::span<part_request const> parts, std::string_view boundary) {
    using namespace std::string_view_literals;
    // Measured exactly, then written through a cursor: appended piece by piece, a part's
    // dozen pieces each cost a call and a capacity check (~600 instructions a part).
    constexpr auto part_head = "\r\nContent-Type: application/http\r\nContent-ID: <"sv;
    constexpr auto part_head_end = ">\r\n\r\n"sv;
    constexpr auto request_line_end = " HTTP/1.1\r\n"sv;
    constexpr auto length_name = "Content-Length: "sv;
    // The envelope carries the token once, for every part; the length is the part's own.
    auto const written = [](auto const& field) {
        return field.name() != boost::beast::http::field::content_length &&
               field.name() != boost::beast::http::field::authorization;
    };
    // A request given by its URL alone has its target written out, in each pass: such
    // parts are rare (explicit batches of requests built by hand).
    auto const target_size = [](http::request const& r) {
        return r.target.empty() ? http::request_target(r.url).size() : r.target.size();
    };

    std::size_t size = 2 + boundary.size() + 4; // the closing delimiter
    for (auto const& p : parts) {
        auto const& r = *p.request;
        size += 2 + boundary.size() + part_head.size() + p.content_id.size() + part_head_end.size() +
                boost::beast::http::to_string(r.method).size() + 1 +
                target_size(r) + request_line_end.size();
        for (auto const& field : r.headers)
            if (written(field))
                size += field.name_string().size() + 2 + field.value().size() + 2;
        if (!r.body.empty())
            size += length_name.size() + detail::decimal_text(r.body.size()).view().size() + 2;
        size += 2 + r.body.size() + 2;
    }
    std::string out(size, '\0');
    char* at = out.data();
    auto const put = [&at](std::string_view text) noexcept {
        if (!text.empty())
            std::memcpy(at, text.data(), text.size());
        at += text.size();
    };
    for (auto const& p : parts) {
        auto const& r = *p.request;
        put("--"sv);
        put(boundary);
        put(part_head);
        put(p.content_id);
        put(part_head_end);
        put(std::string_view(boost::beast::http::to_string(r.method)));
        put(" "sv);
        if (r.target.empty())
            put(http::request_target(r.url));
        else
            put(r.target);
        put(request_line_end);
        for (auto const& field : r.headers) {
            if (!written(field))
                continue;
            put(std::string_view(field.name_string()));
            put(": "sv);
            put(std::string_view(field.value()));
            put("\r\n"sv);
        }
        if (!r.body.empty()) {
            put(length_name);
            put(detail::decimal_text(r.body.size()).view());
            put("\r\n"sv);
        }
        put("\r\n"sv);
        put(r.body);
        put("\r\n"sv);
    }
    put("--"sv);
    put(boundary);
    put("--\r\n"sv);
    BOOST_ASSERT(at == out.data() + out.size());
    return out;
}

GAPI_DECL error_code decode_parts(http::response const& envelope, part_sink sink) {
    error_code const malformed = error::malformed_response;
    auto const type = envelope.headers.find(boost::beast::http::field::content_type);
    if (type == envelope.headers.end())
        return malformed;
    // The boundary parameter, quoted or not.
    std::string_view ct = type->value();
    std::string boundary;
    for (std::size_t pos = 0; pos < ct.size();) {
        auto const semi = ct.find(';', pos);
        auto param = detail::trim(ct.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos));
        pos = semi == std::string_view::npos ? ct.size() : semi + 1;
        auto const eq = param.find('=');
        if (eq == std::string_view::npos || !boost::beast::iequals(detail::trim(param.substr(0, eq)), "boundary"))
            continue;
        auto value = detail::trim(param.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        boundary = std::string(value);
    }
    if (boundary.empty() || boundary.size() > 200)
        return malformed;

    std::string_view body = envelope.body;
    std::string const delimiter = "--" + boundary;
    // Delimiters sit at the start of a line; the text before the first one is a preamble.
    // Boyer-Moore-Horspool skips most of a part's bytes: a search by the first character
    // stopped at every '-' of every body.
    std::boyer_moore_horspool_searcher const searcher(delimiter.begin(), delimiter.end());
    auto find_delimiter = [&](std::size_t from) {
        for (auto it = std::search(body.begin() + static_cast<std::ptrdiff_t>(from), body.end(), searcher);
             it != body.end(); it = std::search(it + 1, body.end(), searcher)) {
            auto const pos = static_cast<std::size_t>(it - body.begin());
            if (pos == 0 || body[pos - 1] == '\n')
                return pos;
        }
        return std::string_view::npos;
    };
    auto pos = find_delimiter(0);
    if (pos == std::string_view::npos)
        return malformed;
    for (;;) {
        pos += delimiter.size();
        if (std::string_view(body.data() + pos, std::min<std::size_t>(2, body.size() - pos)) == "--")
            return {}; // the closing delimiter
        // The rest of the delimiter line (transport padding), then the part.
        auto const eol = body.find('\n', pos);
        if (eol == std::string_view::npos)
            return malformed;
        auto const start = eol + 1;
        auto const next = find_delimiter(start);
        if (next == std::string_view::npos)
            return malformed; // no closing delimiter: the answer was cut short
        std::string_view part(body.data() + start, next - start);
        std::optional<std::string_view> content_id;
        if (!detail::read_headers(part, nullptr, "Content-ID", content_id))
            return malformed;
        auto* const target = sink.target(sink.context, detail::response_id(content_id.value_or(std::string_view())));
        std::optional<http::response> unwanted; // a part that goes nowhere is still checked
        bool const success_fields = target && (!sink.keeps_success_fields || sink.keeps_success_fields(sink.context));
        std::string_view part_body;
        if (!detail::read_inner_response(part, target ? *target : unwanted.emplace(), part_body, success_fields,
                                         target != nullptr))
            return malformed;
        if (target && !(target->status / 100 == 2 && sink.takes_success_body &&
                        sink.takes_success_body(sink.context, part_body)))
            target->body.assign(part_body);
        pos = next;
    }
}

GAPI_DECL boost::system::result<std::vector<part_response>> decode_response(http::response const& envelope) {
    std::vector<part_response> parts;
    // Each pointer is used before the next part grows the vector.
    auto const append = [](void* context, std::string_view content_id) -> http::response* {
        auto& all = *static_cast<std::vector<part_response>*>(context);
        all.push_back({std::string(content_id), {}});
        return &all.back().response;
    };
    if (auto const ec = decode_parts(envelope, {append, &parts}))
        return ec;
    return parts;
}

} // namespace gapi::batch

#endif
