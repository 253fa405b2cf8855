// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CALENDAR_TIME_HPP
#define GAPI_CALENDAR_TIME_HPP

#include <gapi/config.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// Calendar speaks RFC 3339 for instants ("2026-05-01T10:00:00+02:00") and ISO 8601
// calendar dates for all-day events ("2026-05-01").
namespace gapi::calendar {

/// An instant, as Calendar's times are read into and written from.
using time_point = std::chrono::system_clock::time_point;

/// Parses an RFC 3339 date-time with its offset (`Z`, `z`, `+hh:mm`, `-hh:mm`) and any
/// number of fractional digits (kept to microseconds). Nullopt for anything else,
/// including a missing offset, impossible dates or times, and instants the clock cannot
/// hold (its nanoseconds reach from 1677 to 2262).
GAPI_DECL std::optional<time_point> parse_rfc3339(std::string_view text) noexcept;

/// `t` in UTC with millisecond precision, as Google writes it: "2026-05-01T08:00:00.000Z".
GAPI_DECL std::string format_rfc3339(time_point t);

/// Parses "yyyy-mm-dd"; nullopt unless it is a valid date.
GAPI_DECL std::optional<std::chrono::sys_days> parse_date(std::string_view text) noexcept;

/// "yyyy-mm-dd".
GAPI_DECL std::string format_date(std::chrono::sys_days day);

} // namespace gapi::calendar

#ifdef GAPI_HEADER_ONLY
#include <gapi/calendar/impl/time.ipp>
#endif

#endif
