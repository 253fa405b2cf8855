// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// How close gapi's pacer runs to Gmail's per-user quota, and how often Google still says
// 429. Sends messages through the public API (gmail().send) for 1 user and for 50 users
// (a service account acting for each, `sub`), with Google's 2026 and legacy tables, and
// prints for each run: sends, time, the fraction of what the quota allowed in that time
// (a minute's allowance at the start, then the refill), and the 429 rate.
//
// Against an embedded emulator (the default: every combination, each on a fresh
// emulator whose quota is scaled like the client's), or an external one:
//
//   quota_pacing [--endpoint URL --token FILE [--ca-file ca.pem]] [--users N] [-n SENDS]
//                [-c IN_FLIGHT] [--preset 2026|legacy] [--quota-scale X] [--max-seconds S]
//
// With --endpoint, FILE is token.json (one user) or service_account.json (users
// user1..userN@example.com, or --domain D), and --quota-scale X must be the scale the
// emulator was started with, so that the client paces to it.
#include <gapi/auth/credential_files.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>
#include <gapi/gmail/gmail_service.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
namespace pl = gapi::pipeline;

struct run_options {
    std::string endpoint; // empty: an embedded emulator
    std::string token;
    std::string ca_file;
    std::string domain = "example.com";
    std::size_t users = 1;
    std::size_t sends = 0; // 0: a minute's allowance and 10 s of refill, for every user
    std::size_t in_flight = 200;
    pl::quota_table table = pl::quota_table::y2026;
    double scale = 100;
    double max_seconds = 120;
};

std::string const gmail_send_scope = "https://www.googleapis.com/auth/gmail.send";

struct result {
    std::size_t sent = 0, failed = 0;
    double seconds = 0;
    std::uint64_t requests = 0, refused = 0;
};

result run(run_options const& o) {
    std::optional<gapi::emulator::emulator> google;
    std::filesystem::path state_dir;
    std::string endpoint = o.endpoint, token = o.token, ca_file = o.ca_file;
    std::vector<std::string> users;
    if (endpoint.empty()) {
        state_dir = std::filesystem::temp_directory_path() / ("gapi-quota-" + std::to_string(::getpid()));
        gapi::emulator::emulator_options options;
        options.state_dir = state_dir.string();
        options.quota.scale = o.scale;
        options.quota.gmail_user_units_per_minute = gapi::emulator::gmail_user_units_per_minute(
            o.table == pl::quota_table::legacy ? gapi::emulator::quota_preset::legacy
                                               : gapi::emulator::quota_preset::y2026);
        for (std::size_t u = 1; u <= o.users; ++u)
            options.users.push_back("user" + std::to_string(u) + "@" + o.domain);
        google.emplace(options);
        google->start();
        endpoint = google->base_url();
        token = (state_dir / (o.users == 1 ? "token.json" : "service_account.json")).string();
    }
    for (std::size_t u = 1; u <= o.users; ++u)
        users.push_back("user" + std::to_string(u) + "@" + o.domain);

    boost::asio::io_context ioc;
    gapi::client_options client_options;
    client_options.endpoints.gmail = endpoint;
    client_options.transport.tls.ca_file = ca_file;
    client_options.pacing.table = o.table;
    client_options.pacing.scale = o.scale;
    std::vector<std::unique_ptr<gapi::client>> clients;
    std::vector<gapi::gmail::gmail_service> gmails;
    for (std::size_t u = 0; u < o.users; ++u) {
        auto creds = o.users == 1 ? gapi::auth::credentials::from_file(token)
                                  : gapi::auth::credentials::from_file(token, {gmail_send_scope}).with_subject(users[u]);
        clients.push_back(std::make_unique<gapi::client>(ioc.get_executor(), creds, client_options));
        gmails.push_back(clients.back()->gmail());
    }

    double const units = o.table == pl::quota_table::legacy ? 15'000 : 6'000;
    double const per_user_sends_per_minute = units * o.scale / 100; // messages.send costs 100 units
    std::size_t const total = o.sends ? o.sends
                                      : o.users * static_cast<std::size_t>(per_user_sends_per_minute +
                                                                           10 * per_user_sends_per_minute / 60);
    result r;
    std::size_t next = 0, pending = 0;
    auto const started = clock_type::now();
    auto finished = started;
    auto const stop_issuing = started + std::chrono::duration_cast<clock_type::duration>(
                                            std::chrono::duration<double>(o.max_seconds));
    std::function<void()> start_one = [&] {
        if (next == total || clock_type::now() > stop_issuing)
            return;
        std::size_t const n = next++;
        ++pending;
        std::size_t const u = n % o.users;
        gapi::mime::message m;
        m.from = {"", users[u]};
        m.to = {{"", "someone@elsewhere.example"}};
        m.subject = "Pacing " + std::to_string(n);
        m.text_body = "Message " + std::to_string(n) + ".\n";
        gmails[u].send(m, [&](gapi::error_code ec, gapi::gmail::message) {
            --pending;
            (ec ? r.failed : r.sent) += 1;
            start_one();
            if (pending == 0) { // the last one: stop the clock, and let run() return
                finished = clock_type::now();
                for (auto& c : clients)
                    c->transport().shutdown();
            }
        });
    };
    for (std::size_t i = 0; i < o.in_flight; ++i)
        start_one();
    ioc.run();
    r.seconds = std::chrono::duration<double>(finished - started).count();
    for (auto const& c : clients) {
        r.requests += c->stats().attempts;
        r.refused += c->stats().rate_limited;
    }
    if (google)
        google->stop();
    if (!state_dir.empty())
        std::filesystem::remove_all(state_dir);
    return r;
}

void report(run_options const& o, result const& r) {
    double const units = o.table == pl::quota_table::legacy ? 15'000 : 6'000;
    double const per_user_per_second = units * o.scale / 100 / 60;
    // What the quota let through in that time: a minute's allowance, then the refill.
    double const allowed = static_cast<double>(o.users) * per_user_per_second * (60 + r.seconds);
    std::printf("preset %-6s %3zu user%s quota x%g: %zu sent (%zu failed) in %.2f s; %.3f of what the quota "
                "allowed in that time; 429s: %llu of %llu requests (%.3f %%)\n",
                o.table == pl::quota_table::legacy ? "legacy" : "2026", o.users, o.users == 1 ? ", " : "s,", o.scale,
                r.sent, r.failed, r.seconds, static_cast<double>(r.sent) / allowed,
                static_cast<unsigned long long>(r.refused), static_cast<unsigned long long>(r.requests),
                r.requests ? 100.0 * static_cast<double>(r.refused) / static_cast<double>(r.requests) : 0.0);
    std::fflush(stdout);
}

[[noreturn]] void usage(std::string const& why) {
    std::fprintf(stderr,
                 "quota_pacing: %s\nusage: quota_pacing [--endpoint URL --token FILE [--ca-file ca.pem]] [--users N]\n"
                 "                    [-n SENDS] [-c IN_FLIGHT] [--preset 2026|legacy] [--quota-scale X]\n"
                 "                    [--domain D] [--max-seconds S]\n",
                 why.c_str());
    std::exit(2);
}

} // namespace

int main(int argc, char** argv) try {
    run_options o;
    bool users_given = false, preset_given = false;
    for (int i = 1; i < argc; ++i) {
        std::string const flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--endpoint")
            o.endpoint = value();
        else if (flag == "--token")
            o.token = value();
        else if (flag == "--ca-file")
            o.ca_file = value();
        else if (flag == "--domain")
            o.domain = value();
        else if (flag == "--users")
            o.users = std::clamp<std::size_t>(std::stoul(value()), 1, 10'000), users_given = true;
        else if (flag == "-n")
            o.sends = std::clamp<std::size_t>(std::stoul(value()), 1, 10'000'000);
        else if (flag == "-c")
            o.in_flight = std::clamp<std::size_t>(std::stoul(value()), 1, 100'000);
        else if (flag == "--quota-scale")
            o.scale = std::stod(value());
        else if (flag == "--max-seconds")
            o.max_seconds = std::clamp(std::stod(value()), 1.0, 3600.0);
        else if (flag == "--preset") {
            auto const v = value();
            if (v != "2026" && v != "legacy")
                usage("--preset takes 2026 or legacy");
            o.table = v == "legacy" ? pl::quota_table::legacy : pl::quota_table::y2026;
            preset_given = true;
        } else
            usage("unknown flag " + flag);
    }
    if (!(o.scale > 0))
        usage("--quota-scale must be positive");
    if (!o.endpoint.empty()) {
        if (o.token.empty())
            usage("--endpoint needs --token");
        report(o, run(o));
        return 0;
    }
    // Embedded: every combination not fixed by a flag. 50 users at a tenth of the scale,
    // so that a minute's allowance stays a few seconds of sending.
    for (auto table : {pl::quota_table::y2026, pl::quota_table::legacy}) {
        if (preset_given && table != o.table)
            continue;
        for (std::size_t users : {std::size_t(1), std::size_t(50)}) {
            if (users_given && users != o.users)
                continue;
            run_options one = o;
            one.table = table;
            one.users = users;
            if (!users_given && users == 50)
                one.scale = o.scale / 10;
            report(one, run(one));
        }
    }
    return 0;
} catch (std::exception const& e) {
    std::fprintf(stderr, "quota_pacing: %s\n", e.what());
    return 1;
}
