// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The next 10 events of 200 calendars at once, against an embedded emulator holding
// 200 calendars x 500 events, at concurrency 1, 16 and 64 in one run. Prints the time
// of each repetition and the median per concurrency. Quota is off: this measures the
// client and the transport, not Google's limits.
//
//   calendar_upcoming [--repetitions N] [--calendars N] [--events N]
#include <gapi/calendar/calendar_service.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

int main(int argc, char** argv) try {
    std::size_t repetitions = 5, calendars = 200, events = 500;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string const flag = argv[i];
        auto const value = std::stoul(argv[i + 1]);
        if (flag == "--repetitions")
            repetitions = std::clamp<std::size_t>(value, 1, 100);
        else if (flag == "--calendars")
            calendars = std::clamp<std::size_t>(value, 1, 2000);
        else if (flag == "--events")
            events = std::clamp<std::size_t>(value, 1, 5000);
        else
            throw std::invalid_argument("unknown flag " + flag);
    }

    auto const state_dir = std::filesystem::temp_directory_path() / ("gapi-bench-" + std::to_string(::getpid()));
    gapi::emulator::emulator google({.quota = {.enabled = false},
                                     .calendar = {.calendars = calendars, .events_per_calendar = events},
                                     .state_dir = state_dir.string()});
    google.start();

    std::vector<std::string> ids;
    for (std::size_t i = 1; i <= calendars; ++i) {
        char id[64];
        std::snprintf(id, sizeof id, "fixture-%04zu@group.calendar.google.com", i);
        ids.emplace_back(id);
    }

    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::printf("upcoming_events: %zu calendars x %zu events, 10 upcoming each, %zu repetitions\n", calendars, events,
                repetitions);
    std::printf("%11s %10s %12s %s\n", "concurrency", "median ms", "calendars/s", "runs (ms)");
    for (std::size_t concurrency : {1u, 16u, 64u}) {
        boost::asio::io_context ioc;
        gapi::client_options options;
        options.endpoints.calendar = google.base_url();
        options.transport.max_connections_per_origin = concurrency;
        gapi::client client(ioc.get_executor(), gapi::auth::credentials::from_file((state_dir / "token.json").string()),
                            options);
        gapi::calendar::calendar_service calendar(client, {.concurrency = concurrency});

        std::vector<double> runs;
        for (std::size_t r = 0; r < repetitions; ++r) {
            std::size_t failures = 0;
            auto const t0 = std::chrono::steady_clock::now();
            calendar.upcoming_events(ids, 10, [&](gapi::error_code ec, auto results) {
                if (ec)
                    throw boost::system::system_error(ec, "upcoming_events");
                for (auto const& result : results)
                    failures += result.error || result.value.size() != 10;
                ioc.stop(); // kept-alive connections stay for the next run
            });
            ioc.run();
            ioc.restart();
            runs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
            if (failures)
                throw std::runtime_error(std::to_string(failures) + " calendars failed or came back short");
        }
        auto sorted = runs;
        std::sort(sorted.begin(), sorted.end());
        double const median = sorted[sorted.size() / 2];
        std::printf("%11zu %10.1f %12.0f ", concurrency, median, static_cast<double>(calendars) / median * 1000.0);
        for (double ms : runs)
            std::printf(" %.1f", ms);
        std::printf("\n");
        client.transport().shutdown();
        ioc.run();
    }
    google.stop();
    std::filesystem::remove_all(state_dir);
    return 0;
} catch (std::exception const& e) {
    std::fprintf(stderr, "calendar_upcoming: %s\n", e.what());
    return 1;
}
