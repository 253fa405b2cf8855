// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_IMPL_BATCH_CODEC_IPP
#define GAPI_EMULATOR_IMPL_BATCH_CODEC_IPP

#include <gapi/emulator/batch_codec.hpp>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

namespace gapi::emulator {

namespace detail::batch {

// ASCII only: std::tolower is a library call per character (~1k instructions per part
// of a batch request).
using ::gapi::emulator::detail::ascii_iequals;

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Takes one line (CRLF or bare LF) off the front of `s`.
inline std::string_view take_line(std::string_view& s) {
    auto const lf = s.find('\n');
    std::string_view line = s.substr(0, lf);
    s = lf == std::string_view::npos ? std::string_view{} : s.substr(lf + 1);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    return line;
}

struct header_line {
    std::string_view name;
    std::string_view value;
};

// Reads header lines up to the blank line; false on a line that is not a header.
inline bool take_headers(std::string_view& s, std::vector<header_line>& out) {
    while (!s.empty()) {
        auto line = take_line(s);
        if (line.empty())
            return true;
        if ((line.front() == ' ' || line.front() == '\t') && !out.empty())
            continue; // folded continuation: not used by Google's clients, ignored
        auto const colon = line.find(':');
        // Beast refuses fields beyond 64 KiB by throwing; no real header comes close.
        if (colon == std::string_view::npos || colon == 0 || line.size() > 16 * 1024)
            return false;
        out.push_back({trim(line.substr(0, colon)), trim(line.substr(colon + 1))});
    }
    return true;
}

// Splits a multipart body into the bodies of its parts.
inline std::variant<std::vector<std::string_view>, std::string> split_parts(std::string_view body,
                                                                            std::string_view boundary) {
    std::string const delimiter = "--" + std::string(boundary);
    std::vector<std::string_view> parts;
    auto pos = body.find(delimiter);
    if (pos == std::string_view::npos)
        return std::string("Failed to parse batch request, error: no boundary found.");
    for (;;) {
        pos += delimiter.size();
        if (body.substr(pos, 2) == "--")
            return parts;
        // The rest of the delimiter line (transport padding) is ignored.
        auto const eol = body.find('\n', pos);
        if (eol == std::string_view::npos)
            return std::string("Failed to parse batch request, error: unterminated part.");
        auto const start = eol + 1;
        auto next = body.find(delimiter, start);
        while (next != std::string_view::npos && next > 0 && body[next - 1] != '\n')
            next = body.find(delimiter, next + 1);
        if (next == std::string_view::npos)
            return std::string("Failed to parse batch request, error: missing close delimiter.");
        auto end = next;
        // The line break before a delimiter belongs to the delimiter.
        if (end > start && body[end - 1] == '\n')
            --end;
        if (end > start && body[end - 1] == '\r')
            --end;
        parts.push_back(body.substr(start, end - start));
        pos = next;
    }
}

} // namespace detail::batch

GAPI_DECL std::string content_type_parameter(std::string_view content_type, std::string_view name) {
    using detail::batch::trim;
    auto rest = content_type;
    auto semi = rest.find(';');
    while (semi != std::string_view::npos) {
        rest.remove_prefix(semi + 1);
        semi = rest.find(';');
        auto param = trim(rest.substr(0, semi));
        auto const eq = param.find('=');
        if (eq == std::string_view::npos)
            continue;
        if (!detail::batch::ascii_iequals(trim(param.substr(0, eq)), name))
            continue;
        auto value = trim(param.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        return std::string(value);
    }
    return {};
}

GAPI_DECL std::variant<std::vector<batch_part>, std::string> parse_batch_request(api_request const& outer) {
    namespace b = detail::batch;
    auto const content_type = outer.headers[boost::beast::http::field::content_type];
    if (!b::ascii_iequals(b::trim(content_type.substr(0, content_type.find(';'))), "multipart/mixed"))
        return std::string("Content-Type of a batch request must be multipart/mixed.");
    auto const boundary = content_type_parameter(content_type, "boundary");
    if (boundary.empty())
        return std::string("Failed to parse batch request, error: missing boundary.");
    auto split = b::split_parts(outer.body, boundary);
    if (auto* message = std::get_if<std::string>(&split))
        return std::move(*message);

    auto const& texts = std::get<std::vector<std::string_view>>(split);
    std::vector<batch_part> parts;
    parts.reserve(texts.size());
    // Reused from part to part: a batch of 50 parts made 100 of these vectors.
    std::vector<b::header_line> part_headers, inner_headers;
    // The envelope's fields that every part inherits (all but its Content-* ones), and
    // whether its URL has parameters to merge: once a batch, not once a part.
    std::vector<fields::value_type const*> inherited;
    for (auto const& field : outer.headers) {
        auto const name = field.name_string();
        if (!(name.size() >= 8 && b::ascii_iequals(name.substr(0, 8), "content-")))
            inherited.push_back(&field);
    }
    bool const outer_query = outer.url.has_query();
    for (auto part_text : texts) {
        part_headers.clear();
        if (!b::take_headers(part_text, part_headers))
            return std::string("Failed to parse batch request, error: malformed part headers.");
        batch_part part;
        bool is_http = false;
        for (auto const& h : part_headers) {
            if (b::ascii_iequals(h.name, "Content-ID"))
                part.content_id = h.value;
            else if (b::ascii_iequals(h.name, "Content-Type"))
                is_http = b::ascii_iequals(b::trim(h.value.substr(0, h.value.find(';'))), "application/http");
        }
        if (!is_http)
            return std::string("Failed to parse batch request, error: each part must be application/http.");

        // Skip blank lines before the request line.
        auto request_line = b::take_line(part_text);
        while (request_line.empty() && !part_text.empty())
            request_line = b::take_line(part_text);
        auto const sp1 = request_line.find(' ');
        if (sp1 == std::string_view::npos)
            return std::string("Failed to parse batch request, error: malformed request line.");
        auto const method = boost::beast::http::string_to_verb(request_line.substr(0, sp1));
        auto target = b::trim(request_line.substr(sp1 + 1));
        if (auto const sp2 = target.find(' '); sp2 != std::string_view::npos)
            target = target.substr(0, sp2);
        auto url = boost::urls::parse_origin_form(target);
        if (method == verb::unknown || !url)
            return std::string("Failed to parse batch request, error: malformed request line.");

        part.request.method = method;
        part.request.url = *url;
        if (outer_query)
            for (auto const& p : boost::urls::url_view(outer.url).params())
                if (!part.request.url.params().contains(p.key))
                    part.request.url.params().append(p);
        part.request.now = outer.now;
        for (auto const* field : inherited)
            part.request.headers.insert(field->name(), field->name_string(), field->value());
        inner_headers.clear();
        if (!b::take_headers(part_text, inner_headers))
            return std::string("Failed to parse batch request, error: malformed inner headers.");
        std::size_t content_length = std::string_view::npos;
        for (auto const& h : inner_headers) {
            part.request.headers.erase(h.name);
            if (b::ascii_iequals(h.name, "Content-Length")) {
                content_length = 0;
                for (char c : h.value) {
                    if (c < '0' || c > '9')
                        return std::string("Failed to parse batch request, error: bad Content-Length.");
                    content_length = content_length * 10 + static_cast<std::size_t>(c - '0');
                }
            }
        }
        for (auto const& h : inner_headers)
            part.request.headers.insert(h.name, h.value);
        if (content_length != std::string_view::npos) {
            if (content_length > part_text.size())
                return std::string("Failed to parse batch request, error: part body shorter than Content-Length.");
            part_text = part_text.substr(0, content_length);
        }
        part.request.body.assign(part_text);
        parts.push_back(std::move(part));
    }
    return parts;
}

GAPI_DECL std::string serialize_batch_response(std::vector<batch_part_response> const& parts,
                                               std::string_view boundary) {
    using namespace std::string_view_literals;
    auto const append_decimal = [](std::string& out, std::size_t n) {
        char digits[24];
        out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
    };
    // Sized once: growing the answer of a 50-part batch copied it over and over.
    std::size_t size = boundary.size() + 8;
    for (auto const& part : parts) {
        size += boundary.size() + part.content_id.size() + part.response.body.size() + 128;
        for (auto const& field : part.response.headers)
            size += field.name_string().size() + field.value().size() + 4;
    }
    std::string out;
    out.reserve(size);
    for (auto const& part : parts) {
        out += "--"sv;
        out += boundary;
        out += "\r\nContent-Type: application/http\r\n"sv;
        if (!part.content_id.empty()) {
            auto id = std::string_view(part.content_id);
            bool const bracketed = id.size() >= 2 && id.front() == '<' && id.back() == '>';
            if (bracketed)
                id = id.substr(1, id.size() - 2);
            out += "Content-ID: <response-"sv;
            out += id;
            out += ">\r\n"sv;
        }
        out += "\r\nHTTP/1.1 "sv;
        append_decimal(out, part.response.status);
        out += ' ';
        out += boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(part.response.status));
        out += "\r\n"sv;
        for (auto const& field : part.response.headers) {
            out += field.name_string();
            out += ": "sv;
            out += field.value();
            out += "\r\n"sv;
        }
        out += "Content-Length: "sv;
        append_decimal(out, part.response.body.size());
        out += "\r\n\r\n"sv;
        out += part.response.body;
        out += "\r\n"sv;
    }
    out += "--"sv;
    out += boundary;
    out += "--\r\n"sv;
    return out;
}

} // namespace gapi::emulator

#endif
