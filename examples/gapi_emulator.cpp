// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// gapi-emulator: a local Google (OAuth 2.0, Gmail v1, Calendar v3, batch) on 127.0.0.1.
// The first line printed is the base URL; point any Google client at it.
//
//   gapi-emulator [--port N] [--tls] [--state-dir DIR] [--token-ttl SECONDS]
//                 [--quota-scale X] [--quota on|off] [--quota-preset 2026|legacy]
//                 [--quota-user-units N] [--max-concurrent N]
//                 [--fault SPEC] [--seed N] [--calendar-fixture CALENDARS:EVENTS]
//                 [--users N | --users-file FILE] [--threads N] [--duration SECONDS]
//                 [--background]
//
// With --background it returns once the emulator listens, having printed only the URL on
// stdout (`GOOGLE=$(gapi-emulator --background ...)`) and the rest on stderr; the
// emulator goes on in a process of its own until killed (its process id is in
// STATE_DIR/emulator.pid) or its --duration ends.
#include <gapi/emulator/emulator.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

constexpr char const* usage_text =
    "usage: gapi-emulator [--port N] [--tls] [--state-dir DIR] [--token-ttl SECONDS]\n"
    "                     [--quota-scale X] [--quota on|off] [--quota-preset 2026|legacy]\n"
    "                     [--quota-user-units N] [--max-concurrent N]\n"
    "                     [--fault SPEC] [--seed N] [--calendar-fixture CALENDARS:EVENTS]\n"
    "                     [--users N | --users-file FILE] [--threads N] [--duration SECONDS]\n"
    "                     [--background]\n"
    "fault SPEC: PATTERN:KIND=P[,KIND=P...][;...], KIND in 500,503,429,reset,ambiguous,slow;\n"
    "            e.g. 'gmail.users.messages.send:ambiguous=0.1;*:503=0.01'\n";

[[noreturn]] void usage(std::string const& why) {
    std::cerr << "gapi-emulator: " << why << "\n" << usage_text;
    std::exit(2);
}

// --background: the parent waits for what the emulator reports on a pipe, prints it
// (the URL alone on stdout) and exits with 0 when the emulator started, 1 when not.
[[noreturn]] void report_from_background(int from_child) {
    std::string report;
    char buffer[1024];
    for (ssize_t n; (n = read(from_child, buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        report.append(buffer, static_cast<std::size_t>(n));
    }
    auto const first_line = report.find('\n');
    if (report.rfind("http", 0) != 0 || first_line == std::string::npos) {
        std::cerr << (report.empty() ? std::string("gapi-emulator: did not start\n") : report);
        std::exit(1);
    }
    std::cout << report.substr(0, first_line + 1) << std::flush;
    std::cerr << report.substr(first_line + 1) << std::flush;
    std::exit(0);
}

// In the background process, once the report is out: no terminal, no pipe held open.
void detach_from_caller() {
    std::fflush(stdout);
    int const null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
}

unsigned long long number(std::string const& flag, std::string const& value) {
    try {
        std::size_t used = 0;
        auto n = std::stoull(value, &used);
        if (used != value.size())
            throw std::invalid_argument(value);
        return n;
    } catch (std::exception const&) {
        usage(flag + " needs a number, not '" + value + "'");
    }
}

} // namespace

int main(int argc, char** argv) {
#if defined(__GLIBC__)
    // The emulator keeps every message it stores, so its heap mostly grows. glibc gives the
    // serving threads arenas of their own that grow a page at a time: one mprotect call
    // every few sends under load. One arena, grown 16 MiB at a time and not trimmed back,
    // was ~15 % more sends per second in the wrk benchmark.
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TOP_PAD, 16 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
    gapi::emulator::emulator_options options;
    long duration_seconds = 0;
    bool user_units_given = false;
    bool background = false;
    for (int i = 1; i < argc; ++i) {
        std::string const flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--port") {
            auto const port = number(flag, value());
            if (port > 65535)
                usage("--port must be at most 65535");
            options.port = static_cast<unsigned short>(port);
        } else if (flag == "--tls") {
            options.tls = true;
        } else if (flag == "--state-dir") {
            options.state_dir = value();
        } else if (flag == "--token-ttl") {
            options.token_ttl = std::chrono::seconds(number(flag, value()));
        } else if (flag == "--quota-scale") {
            auto const v = value();
            try {
                options.quota.scale = std::stod(v);
            } catch (std::exception const&) {
                usage("--quota-scale needs a number");
            }
            if (!(options.quota.scale > 0))
                usage("--quota-scale must be positive");
        } else if (flag == "--quota") {
            auto const v = value();
            if (v != "on" && v != "off")
                usage("--quota takes on or off");
            options.quota.enabled = v == "on";
        } else if (flag == "--quota-preset") {
            auto const v = value();
            if (v != "2026" && v != "legacy")
                usage("--quota-preset takes 2026 or legacy");
            // An explicit --quota-user-units wins, whatever the order of the flags.
            if (!user_units_given)
                options.quota.gmail_user_units_per_minute = gapi::emulator::gmail_user_units_per_minute(
                    v == "legacy" ? gapi::emulator::quota_preset::legacy : gapi::emulator::quota_preset::y2026);
        } else if (flag == "--quota-user-units") {
            auto const units = number(flag, value());
            if (units == 0)
                usage("--quota-user-units must be positive");
            options.quota.gmail_user_units_per_minute = static_cast<double>(units);
            user_units_given = true;
        } else if (flag == "--max-concurrent") {
            options.quota.max_concurrent_per_user = number(flag, value());
        } else if (flag == "--fault") {
            options.faults += (options.faults.empty() ? "" : ";") + value();
        } else if (flag == "--seed") {
            options.seed = number(flag, value());
        } else if (flag == "--calendar-fixture") {
            auto const v = value();
            auto const colon = v.find(':');
            if (colon == std::string::npos)
                usage("--calendar-fixture takes CALENDARS:EVENTS");
            options.calendar.calendars = number(flag, v.substr(0, colon));
            options.calendar.events_per_calendar = number(flag, v.substr(colon + 1));
        } else if (flag == "--users") {
            auto const n = number(flag, value());
            if (n == 0 || n > 100000)
                usage("--users takes 1 to 100000");
            options.users.clear();
            for (unsigned long long u = 1; u <= n; ++u)
                options.users.push_back("user" + std::to_string(u) + "@" + options.workspace_domain);
        } else if (flag == "--users-file") {
            std::ifstream in(value());
            if (!in)
                usage("cannot read the users file");
            options.users.clear();
            for (std::string line; std::getline(in, line);)
                if (!line.empty() && line.front() != '#')
                    options.users.push_back(line);
            if (options.users.empty())
                usage("the users file names no user");
        } else if (flag == "--threads") {
            options.threads = number(flag, value());
        } else if (flag == "--duration") {
            duration_seconds = static_cast<long>(number(flag, value()));
        } else if (flag == "--background") {
            background = true;
        } else if (flag == "--help" || flag == "-h") {
            std::cout << usage_text;
            std::exit(0);
        } else {
            usage("unknown flag " + flag);
        }
    }

    // Fork before any thread or io_context exists; the child reports through the pipe, on
    // stdout and stderr both, so that its errors reach the caller too.
    if (background) {
        int report[2];
        if (pipe(report) != 0) {
            std::perror("gapi-emulator: pipe");
            return 1;
        }
        pid_t const child = fork();
        if (child < 0) {
            std::perror("gapi-emulator: fork");
            return 1;
        }
        if (child > 0) {
            close(report[1]);
            report_from_background(report[0]);
        }
        close(report[0]);
        setsid();
        dup2(report[1], STDOUT_FILENO);
        dup2(report[1], STDERR_FILENO);
        close(report[1]);
    }

    try {
        gapi::emulator::emulator google(options);
        google.start();
        std::printf("%s\n", google.base_url().c_str());
        if (!options.state_dir.empty())
            std::printf("state dir: %s (client_secret.json, token.json, service_account.json%s)\n",
                        options.state_dir.c_str(), options.tls ? ", ca.pem" : "");
        std::printf("users: %zu, first %s; quota %s (scale %g); ", google.users().size(), google.users().front().c_str(),
                    options.quota.enabled ? "on" : "off", options.quota.scale);
        if (!background) {
            std::printf("stop with Ctrl-C\n");
        } else {
            std::printf("stop with kill %ld\n", static_cast<long>(getpid()));
            if (!options.state_dir.empty())
                std::ofstream(options.state_dir + "/emulator.pid") << getpid() << '\n';
            detach_from_caller();
        }
        std::fflush(stdout);

        boost::asio::io_context waiter;
        boost::asio::signal_set signals(waiter, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code, int) { waiter.stop(); });
        boost::asio::steady_timer deadline(waiter);
        if (duration_seconds > 0) {
            deadline.expires_after(std::chrono::seconds(duration_seconds));
            deadline.async_wait([&](boost::system::error_code ec) {
                if (!ec)
                    waiter.stop();
            });
        }
        waiter.run();
        google.stop();
    } catch (std::exception const& e) {
        std::cerr << "gapi-emulator: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
