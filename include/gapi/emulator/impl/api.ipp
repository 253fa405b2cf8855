// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_IMPL_API_IPP
#define GAPI_EMULATOR_IMPL_API_IPP

#include <gapi/emulator/api.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace gapi::emulator {

GAPI_DECL api_response json_response(unsigned status, boost::json::value const& value) {
    return json_text_response(status, boost::json::serialize(value));
}

GAPI_DECL api_response json_text_response(unsigned status, std::string json) {
    api_response res;
    res.status = status;
    res.headers.set(boost::beast::http::field::content_type, "application/json; charset=UTF-8");
    res.body = std::move(json);
    return res;
}

GAPI_DECL api_response error_response(google_error const& e) {
    boost::json::object item;
    item["message"] = e.errors_message.empty() ? e.message : e.errors_message;
    item["domain"] = e.domain;
    item["reason"] = e.reason;
    if (!e.location.empty())
        item["location"] = e.location;
    if (!e.location_type.empty())
        item["locationType"] = e.location_type;
    boost::json::object error;
    error["code"] = e.code;
    error["message"] = e.message;
    error["errors"] = boost::json::array{std::move(item)};
    if (!e.status.empty())
        error["status"] = e.status;
    return json_response(e.code, boost::json::object{{"error", std::move(error)}});
}

GAPI_DECL api_response oauth_error_response(unsigned status, std::string_view error, std::string_view description) {
    auto res = json_response(status, boost::json::object{{"error", error}, {"error_description", description}});
    res.headers.set(boost::beast::http::field::cache_control, "no-cache, no-store, max-age=0, must-revalidate");
    return res;
}

GAPI_DECL std::string format_rfc3339(clock_type::time_point t) {
    using namespace std::chrono;
    auto const ms = floor<milliseconds>(t);
    auto const day = floor<days>(ms);
    year_month_day const ymd{day};
    hh_mm_ss const time{ms - day};
    char out[32];
    std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
    return out;
}

namespace detail {

inline bool read_int(std::string_view& s, std::size_t digits, int& out) {
    if (s.size() < digits)
        return false;
    for (std::size_t i = 0; i < digits; ++i)
        if (s[i] < '0' || s[i] > '9')
            return false;
    std::from_chars(s.data(), s.data() + digits, out);
    s.remove_prefix(digits);
    return true;
}

inline bool expect(std::string_view& s, char c) {
    if (s.empty() || s.front() != c)
        return false;
    s.remove_prefix(1);
    return true;
}

} // namespace detail

GAPI_DECL std::optional<clock_type::time_point> parse_rfc3339(std::string_view s) {
    using namespace std::chrono;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!detail::read_int(s, 4, y) || !detail::expect(s, '-') || !detail::read_int(s, 2, mo) ||
        !detail::expect(s, '-') || !detail::read_int(s, 2, d))
        return std::nullopt;
    if (s.empty() || (s.front() != 'T' && s.front() != 't'))
        return std::nullopt;
    s.remove_prefix(1);
    if (!detail::read_int(s, 2, h) || !detail::expect(s, ':') || !detail::read_int(s, 2, mi) ||
        !detail::expect(s, ':') || !detail::read_int(s, 2, sec))
        return std::nullopt;
    microseconds fraction{0};
    if (!s.empty() && s.front() == '.') {
        s.remove_prefix(1);
        std::int64_t scale = 100000;
        std::size_t n = 0;
        while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
            fraction += microseconds((s[n] - '0') * scale);
            scale /= 10;
            ++n;
        }
        if (n == 0)
            return std::nullopt;
        s.remove_prefix(n);
    }
    minutes offset{0};
    if (!s.empty() && (s.front() == 'Z' || s.front() == 'z')) {
        s.remove_prefix(1);
    } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
        int const sign = s.front() == '-' ? -1 : 1;
        s.remove_prefix(1);
        int oh = 0, om = 0;
        if (!detail::read_int(s, 2, oh) || !detail::expect(s, ':') || !detail::read_int(s, 2, om))
            return std::nullopt;
        offset = minutes(sign * (oh * 60 + om));
    } else {
        return std::nullopt;
    }
    if (!s.empty())
        return std::nullopt;
    year_month_day const ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60)
        return std::nullopt;
    // In microseconds (any year 0000-9999); the clock's nanoseconds reach only 1677-2262.
    auto const t = (sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) + fraction - offset).time_since_epoch();
    if (t < duration_cast<microseconds>(clock_type::time_point::min().time_since_epoch()) ||
        t > duration_cast<microseconds>(clock_type::time_point::max().time_since_epoch()))
        return std::nullopt;
    return clock_type::time_point(duration_cast<clock_type::duration>(t));
}

namespace detail {
// A query is read as `url_view::params()` reads it ('&' between parameters, the first '='
// ends a key, '+' is a space), but from the URL's text: each key is decoded only when it
// holds an escape or a '+', and only the values asked for. Every call reads a parameter
// or two, and Boost.URL's parameter iterator cost ~600 instructions a look-up.
inline boost::urls::encoding_opts query_decoding() { return {true, false, false}; }

// Whether `encoded` needs decoding. A loop: find_first_of asks memchr about its set once
// per character.
inline bool has_escape_or_plus(std::string_view encoded) noexcept {
    return std::any_of(encoded.begin(), encoded.end(), [](char c) { return c == '%' || c == '+'; });
}

// `encoded` decoded as a query's key or value; the URL it comes from was validated whole.
inline std::string query_decoded(std::string_view encoded) {
    if (!has_escape_or_plus(encoded))
        return std::string(encoded);
    return boost::urls::pct_string_view(encoded).decode(query_decoding());
}

inline bool key_is(std::string_view encoded, std::string_view key) {
    if (!has_escape_or_plus(encoded))
        return encoded == key;
    return query_decoded(encoded) == key;
}

// The query of `url`, which has one, as its text holds it: `encoded_query()` makes a
// `pct_string_view` of it, which validates it once more (~150 instructions a look-up).
// Neither the scheme, the authority nor the path may hold a '?', so the first one starts
// the query, and a '#' ends it.
inline std::string_view query_text(boost::urls::url const& url) noexcept {
    std::string_view const text = url.buffer();
    auto const query = text.substr(text.find('?') + 1);
    return query.substr(0, query.find('#'));
}

// Calls `found(encoded value)` for each parameter named `key`, in order; stops when it returns true.
template <class Found>
void find_params(boost::urls::url const& url, std::string_view key, Found found) {
    if (!url.has_query())
        return;
    std::string_view query = query_text(url);
    for (;;) {
        auto const amp = query.find('&');
        auto const param = query.substr(0, amp);
        auto const eq = param.find('=');
        if (key_is(param.substr(0, eq), key) &&
            found(eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1)))
            return;
        if (amp == std::string_view::npos)
            return;
        query.remove_prefix(amp + 1);
    }
}
} // namespace detail

GAPI_DECL std::optional<std::string> query_param(boost::urls::url const& url, std::string_view key) {
    std::optional<std::string> value;
    detail::find_params(url, key, [&](std::string_view encoded) {
        value = detail::query_decoded(encoded);
        return true;
    });
    return value;
}

GAPI_DECL std::vector<std::string> query_params(boost::urls::url const& url, std::string_view key) {
    std::vector<std::string> values;
    detail::find_params(url, key, [&](std::string_view encoded) {
        values.push_back(detail::query_decoded(encoded));
        return false;
    });
    return values;
}

GAPI_DECL std::optional<std::string> decode_base64_any(std::string_view text) {
    static constexpr auto table = [] {
        std::array<signed char, 256> t{};
        t.fill(-1);
        constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (std::size_t i = 0; i < alphabet.size(); ++i)
            t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
        t['+'] = t['-'] = 62;
        t['/'] = t['_'] = 63;
        return t;
    }();
    while (!text.empty() && text.back() == '=')
        text.remove_suffix(1);
    if (text.size() % 4 == 1)
        return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        auto const v = table[static_cast<unsigned char>(c)];
        if (v < 0)
            return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    return out;
}

GAPI_DECL std::string encode_base64url(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        std::uint32_t const n = (static_cast<unsigned char>(bytes[i]) << 16) |
                                (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                                static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(alphabet[(n >> 6) & 63]);
        out.push_back(alphabet[n & 63]);
    }
    if (i + 1 == bytes.size()) {
        std::uint32_t const n = static_cast<unsigned char>(bytes[i]) << 16;
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
    } else if (i + 2 == bytes.size()) {
        std::uint32_t const n =
            (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(alphabet[(n >> 6) & 63]);
    }
    return out;
}

} // namespace gapi::emulator

#endif
