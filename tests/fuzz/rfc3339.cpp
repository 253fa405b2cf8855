// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// RFC 3339 times and dates as Calendar writes them, read by the client and by the
// emulator. A time the client reads, written back and read again, is the same instant;
// a time both read, they read alike.
#include "fuzz.hpp"

#include <gapi/calendar/time.hpp>
#include <gapi/emulator/api.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const input = gapi_fuzz::text(data, size);
    (void)gapi::calendar::parse_date(input);
    auto const client = gapi::calendar::parse_rfc3339(input);
    auto const emulator = gapi::emulator::parse_rfc3339(input);
    using std::chrono::floor;
    using ms = std::chrono::milliseconds;
    if (client && emulator) // to the millisecond: Google writes milliseconds
        gapi_fuzz::expect(floor<ms>(*client) == floor<ms>(*emulator), "the client and the emulator read a time alike");
    for (auto const& t : {client, emulator}) {
        if (!t)
            continue;
        // The instant lies in the year written (or next to it, after the offset): a time
        // the clock cannot hold is refused, never wrapped around.
        auto const year = int(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(*t)).year());
        int written_year = 0;
        for (char c : input.substr(0, 4))
            written_year = written_year * 10 + (c - '0');
        gapi_fuzz::expect(year >= written_year - 1 && year <= written_year + 1, "the instant lies in the year written");
    }
    if (client) {
        auto const written = gapi::calendar::format_rfc3339(*client);
        auto const again = gapi::calendar::parse_rfc3339(written);
        gapi_fuzz::expect(again.has_value(), "a written time reads back");
        gapi_fuzz::expect(*again == floor<ms>(*client), "a written time reads back as the same instant");
    }
    return 0;
}
