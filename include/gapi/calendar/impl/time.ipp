// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CALENDAR_IMPL_TIME_IPP
#define GAPI_CALENDAR_IMPL_TIME_IPP

#include <gapi/calendar/time.hpp>

#include <cstdio>

namespace gapi::calendar {

namespace detail {

// Reads exactly `width` digits at `pos`.
inline bool digits(std::string_view s, std::size_t pos, std::size_t width, int& out) noexcept {
    if (pos + width > s.size())
        return false;
    out = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

inline std::optional<std::chrono::sys_days> read_date(std::string_view s) noexcept {
    int y = 0, m = 0, d = 0;
    if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
        !digits(s, 8, 2, d))
        return std::nullopt;
    std::chrono::year_month_day const ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                          std::chrono::day(static_cast<unsigned>(d))};
    if (!ymd.ok())
        return std::nullopt;
    return std::chrono::sys_days(ymd);
}

} // namespace detail

GAPI_DECL std::optional<std::chrono::sys_days> parse_date(std::string_view text) noexcept {
    if (text.size() != 10)
        return std::nullopt;
    return detail::read_date(text);
}

GAPI_DECL std::string format_date(std::chrono::sys_days day) {
    std::chrono::year_month_day const ymd(day);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

GAPI_DECL std::optional<time_point> parse_rfc3339(std::string_view s) noexcept {
    using namespace std::chrono;
    auto const day = detail::read_date(s);
    int h = 0, mi = 0, sec = 0;
    if (!day || s.size() < 20 || (s[10] != 'T' && s[10] != 't') || !detail::digits(s, 11, 2, h) || s[13] != ':' ||
        !detail::digits(s, 14, 2, mi) || s[16] != ':' || !detail::digits(s, 17, 2, sec))
        return std::nullopt;
    // 60 is a leap second; the clock has none, so it reads as the next second.
    if (h > 23 || mi > 59 || sec > 60)
        return std::nullopt;
    std::size_t pos = 19;
    microseconds fraction{0};
    if (s[pos] == '.') {
        std::size_t const first = ++pos;
        long long scale = 100000;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            fraction += microseconds((s[pos] - '0') * scale);
            scale /= 10;
            ++pos;
        }
        if (pos == first)
            return std::nullopt;
    }
    minutes offset{0};
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh = 0, om = 0;
        if (!detail::digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !detail::digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset = hours(oh) + minutes(om);
        if (s[pos] == '-')
            offset = -offset;
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size())
        return std::nullopt;
    // In microseconds, which hold any year 0000-9999; the clock's nanoseconds hold only
    // 1677-2262, and an instant beyond that has no time_point (an overflow, not a time).
    auto const instant = (sys_days(*day) + hours(h) + minutes(mi) + seconds(sec) + fraction - offset).time_since_epoch();
    if (instant < duration_cast<microseconds>(time_point::min().time_since_epoch()) ||
        instant > duration_cast<microseconds>(time_point::max().time_since_epoch()))
        return std::nullopt;
    return time_point(duration_cast<system_clock::duration>(instant));
}

GAPI_DECL std::string format_rfc3339(time_point t) {
    using namespace std::chrono;
    auto const ms = floor<milliseconds>(t);
    auto const day = floor<days>(ms);
    hh_mm_ss const time(ms - day);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%03dZ", format_date(day).c_str(),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
    return buf;
}

} // namespace gapi::calendar

#endif
