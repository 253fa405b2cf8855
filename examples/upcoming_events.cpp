// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// upcoming_events: the seed's testcalendar.py — the next 10 events of the primary calendar.
//
//   upcoming_events --emulator | --token token.json [--credentials client_secret.json]
//                   [--endpoint URL] [--ca-file ca.pem] [--calendar ID] [--count N]
#include "example_support.hpp"

#include <gapi/calendar/calendar_service.hpp>

int main(int argc, char** argv) try {
    example::setup setup(argc, argv);
    auto const calendar_id = setup.value("--calendar", "primary");
    auto const count = std::stoul(setup.value("--count", "10"));
    boost::asio::io_context ioc;
    // Embedded, the emulator seeds a few events into every user's primary calendar.
    auto google = setup.connect(ioc, {"https://www.googleapis.com/auth/calendar.readonly"},
                                {.calendar = {.calendars = 1, .events_per_calendar = 20}});
    auto calendar = google->calendar();

    std::cout << "Getting the upcoming " << count << " events\n";
    int status = 0;
    calendar.upcoming_events({calendar_id}, count,
                             [&](gapi::error_code ec, std::vector<gapi::calendar::calendar_result<
                                                          std::vector<gapi::calendar::event>>> results) {
                                 if (!ec)
                                     ec = results.at(0).error;
                                 if (ec) {
                                     std::cerr << "An error occurred: " << ec.message() << '\n';
                                     status = 1;
                                 } else if (results[0].value.empty()) {
                                     std::cout << "No upcoming events found.\n";
                                 } else {
                                     for (auto const& event : results[0].value) {
                                         auto const& start =
                                             event.start.all_day() ? event.start.date : event.start.date_time;
                                         std::cout << start << ' ' << event.summary << '\n';
                                     }
                                 }
                                 google->transport().shutdown();
                             });
    ioc.run();
    return status;
} catch (std::exception const& e) {
    std::cerr << "upcoming_events: " << e.what() << '\n';
    return 1;
}
