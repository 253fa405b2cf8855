// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_HTTP_IMPL_URL_IPP
#define GAPI_HTTP_IMPL_URL_IPP

#include <gapi/detail/byte_words.hpp>
#include <gapi/http/url.hpp>

#include <cstdint>
#include <cstring>

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

namespace gapi::http {

GAPI_DECL std::string origin::host_header() const {
    std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::uint16_t const default_port = scheme == scheme::https ? 443 : 80;
    if (port != default_port) {
        out += ':';
        out += std::to_string(port);
    }
    return out;
}

GAPI_DECL std::string origin::to_string() const {
    return (scheme == scheme::https ? "https://" : "http://") + host_header();
}

GAPI_DECL boost::system::result<origin> origin_of(boost::urls::url_view url) {
    origin o;
    switch (url.scheme_id()) {
    case boost::urls::scheme::http: o.scheme = scheme::http; break;
    case boost::urls::scheme::https: o.scheme = scheme::https; break;
    case boost::urls::scheme::none: return make_error_code(error::invalid_url);
    default: return make_error_code(error::unsupported_scheme);
    }
    switch (url.host_type()) {
    case boost::urls::host_type::name: o.host = url.host_name(); break;
    case boost::urls::host_type::ipv4: o.host = url.host_ipv4_address().to_string(); break;
    case boost::urls::host_type::ipv6: o.host = url.host_ipv6_address().to_string(); break;
    default: return make_error_code(error::invalid_url);
    }
    if (o.host.empty())
        return make_error_code(error::invalid_url);
    if (url.has_port()) {
        // Parsed here: Boost.URL's port_number() does not reject ports beyond 65535.
        auto const text = url.port();
        unsigned long port = 0;
        auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || port == 0 || port > 65535)
            return make_error_code(error::invalid_url);
        o.port = static_cast<std::uint16_t>(port);
    } else {
        o.port = o.scheme == scheme::https ? 443 : 80;
    }
    return o;
}

GAPI_DECL boost::system::result<origin> parse_origin(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed)
        return make_error_code(error::invalid_url);
    return origin_of(*parsed);
}

GAPI_DECL std::string request_target(boost::urls::url_view url) {
    std::string target = url.encoded_path().empty() ? "/" : std::string(url.encoded_path());
    if (url.has_query()) {
        target += '?';
        target += url.encoded_query();
    }
    return target;
}

GAPI_DECL bool is_origin_form(std::string_view target) noexcept {
    // Eight characters at a time (every call's target is checked once; a search that
    // stopped at the first bad character took seven instructions per character), the
    // words' flags gathered without a branch each, the last word overlapping the one
    // before it. A byte is bad when below '!' (0x21), at or above DEL (0x7F), or '#'.
    namespace words = gapi::detail::byte_words;
    auto const bad_in = [](std::uint64_t w) {
        // At or above 0x7F: 0x7F carries into the high bit; a byte of 0xFF, bad itself,
        // may flag the byte above it too, which leaves "any bad byte?" exact.
        auto const at_or_above_del = ((w + words::ones) | w) & words::highs;
        return words::below(w, 0x21) | at_or_above_del | words::equal_to(w, '#');
    };
    auto const bad = [](unsigned char c) { return c <= 0x20 || c >= 0x7F || c == '#'; };
    if (!target.starts_with('/'))
        return false;
    if (target.size() < 8)
        return std::none_of(target.begin(), target.end(), [&](char c) { return bad(static_cast<unsigned char>(c)); });
    std::uint64_t flags = bad_in(words::load(target.data() + target.size() - 8));
    for (std::size_t i = 0; i + 8 <= target.size(); i += 8)
        flags |= bad_in(words::load(target.data() + i));
    return flags == 0;
}

GAPI_DECL void append_query(boost::urls::url& url, std::string_view key, std::string_view value) {
    std::string query(url.encoded_query());
    if (!query.empty())
        query += '&';
    append_query_pair(query, key, value);
    url.set_encoded_query(query);
}

} // namespace gapi::http

#endif
