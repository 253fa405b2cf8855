// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// gapi-soak: mixed load for a bounded time against a gapi-emulator (started here as a
// process of its own, so that the figures are the client's alone, or one given with
// --endpoint and --token) that injects faults and makes access tokens short-lived: sends
// (each deleted again), automatically batched gets, label lists, calendar lists and
// patches. Prints the client's RSS and open file descriptors as it goes and checks at
// the end:
//   - RSS after warm-up grows by at most 5 %;
//   - open file descriptors are back to the baseline once the client and emulator are gone;
//   - no call failed (every fault injected is one the pipeline must absorb).
// Exits 1 when a check fails. CI runs `gapi-soak --duration 120`; the long run is
// `gapi-soak --duration 1800` (README, "Hardening").
#include <gapi/calendar/calendar_service.hpp>
#include <gapi/client.hpp>
#include <gapi/gmail/gmail_service.hpp>
#include <gapi/gmail/v1/methods.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>
#include <string>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace asio = boost::asio;
using namespace std::chrono_literals;
using gapi::error_code;
using clock_type = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

long rss_kib() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:"))
            return std::stol(line.substr(6));
    return -1;
}

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] auto const& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

/// A gapi-emulator of our own: started with the soak's faults and token lifetime, stopped
/// (and reaped) when this goes; it also stops by itself after `stop_after`.
class emulator_process {
public:
    emulator_process(std::string const& program, std::filesystem::path const& state_dir, int token_ttl_s,
                     std::string const& faults, int stop_after_s) {
        std::filesystem::create_directories(state_dir);
        auto const out = state_dir / "emulator.out";
        std::vector<std::string> args{program,         "--quota",          "off",
                                      "--state-dir",   state_dir.string(), "--token-ttl",
                                      std::to_string(token_ttl_s), "--fault", faults,
                                      "--calendar-fixture", "1:3", "--duration", std::to_string(stop_after_s)};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int const spawned = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (spawned != 0)
            throw std::runtime_error("cannot start " + program + ": " + std::strerror(spawned));
        // Ready once it has printed its URL and written the token file.
        for (int i = 0; i < 400 && base_url_.empty(); ++i) {
            std::ifstream printed(out);
            std::string line;
            if (std::getline(printed, line) && line.starts_with("http") && std::filesystem::exists(state_dir / "token.json"))
                base_url_ = line;
            else
                ::usleep(25'000);
        }
        if (base_url_.empty())
            throw std::runtime_error(program + " did not start");
    }
    ~emulator_process() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    emulator_process(emulator_process const&) = delete;
    emulator_process& operator=(emulator_process const&) = delete;
    std::string const& base_url() const { return base_url_; }

private:
    pid_t pid_ = -1;
    std::string base_url_;
};

struct tally {
    std::map<std::string, std::size_t> ok;
    std::map<std::string, std::size_t> failed;
    std::string first_failure;

    void count(char const* what, error_code ec) {
        if (!ec) {
            ++ok[what];
            return;
        }
        ++failed[what];
        if (first_failure.empty())
            first_failure = std::string(what) + ": " + ec.message();
    }
    std::size_t total_failed() const {
        std::size_t n = 0;
        for (auto const& [what, count] : failed)
            n += count;
        return n;
    }
    std::size_t total_ok() const {
        std::size_t n = 0;
        for (auto const& [what, count] : ok)
            n += count;
        return n;
    }
};

struct load {
    gapi::gmail::gmail_service gmail;
    gapi::gmail::gmail_service batched;
    gapi::calendar::calendar_service calendar;
    std::string calendar_id;
    std::string event_id;
    clock_type::time_point until;
    tally& counts;
};

// One worker: a round of every kind of call, again and again until the time is up. Every
// tenth round sends a new message (a Gmail user sends far less than it reads) and deletes
// the one before, so that the mailbox holds one message per worker.
asio::awaitable<void> worker(load& l, int number) {
    std::string mine;
    auto const delete_mine = [&]() -> asio::awaitable<void> {
        auto [dec, gone] = co_await l.gmail.users().messages().delete_("me", mine, use_tuple);
        l.counts.count("messages.delete", dec);
        mine.clear();
    };
    for (int round = 0; clock_type::now() < l.until; ++round) {
        if (round % 10 == 0 || mine.empty()) {
            if (!mine.empty())
                co_await delete_mine();
            gapi::mime::message m;
            m.to = {{"Soak", "soak@example.net"}};
            m.subject = "Soak " + std::to_string(number) + "." + std::to_string(round);
            m.text_body = "Round " + std::to_string(round) + " of worker " + std::to_string(number) + ".\n";
            if (round % 40 == 0)
                m.attachments.push_back({.filename = "notes.txt", .content_type = "text/plain", .data = std::string(2048, 'n')});
            auto [sec, sent] = co_await l.gmail.send(m, use_tuple);
            l.counts.count("messages.send", sec);
            if (!sec)
                mine = sent.id;
        }
        if (!mine.empty()) {
            auto [gec, got] = co_await l.batched.get_message(mine, gapi::gmail::message_format::minimal, use_tuple);
            if (!gec && got.id != mine)
                gec = gapi::error::malformed_response; // an answer meant for another call
            l.counts.count("messages.get (batched)", gec);
        }
        auto [lec, labels] = co_await l.gmail.list_labels(use_tuple);
        l.counts.count("labels.list", lec);
        gapi::calendar::event_query const query;
        auto [eec, events] = co_await l.calendar.list_events(l.calendar_id, query, use_tuple);
        l.counts.count("events.list", eec);
        boost::json::object changes;
        changes["summary"] = "Soak round " + std::to_string(round);
        auto [pec, patched] = co_await l.calendar.patch_event(l.calendar_id, l.event_id, std::move(changes),
                                                              gapi::calendar::send_updates::unspecified, use_tuple);
        l.counts.count("events.patch", pec);
    }
    if (!mine.empty())
        co_await delete_mine();
}

} // namespace

int main(int argc, char** argv) try {
    CLI::App app{"gapi-soak: mixed load with faults and token expiry; checks the client's RSS, file descriptors and "
                 "failed calls"};
    int duration_s = 120;
    int workers = 16;
    double warm_up_fraction = 0.25;
    std::string emulator_program = GAPI_EMULATOR_PROGRAM, endpoint, token_file;
    app.add_option("--duration", duration_s, "seconds of load")->check(CLI::Range(10, 24 * 3600));
    app.add_option("-c,--workers", workers, "calls in flight")->check(CLI::Range(1, 256));
    app.add_option("--warm-up", warm_up_fraction, "fraction of the run before the RSS baseline")->check(CLI::Range(0.05, 0.9));
    app.add_option("--emulator", emulator_program, "the gapi-emulator program to start");
    auto* endpoint_option = app.add_option("--endpoint", endpoint, "a running emulator instead (with --token)");
    app.add_option("--token", token_file, "token.json for --endpoint")->needs(endpoint_option);
    CLI11_PARSE(app, argc, argv);

    auto const fds_before = open_fds();
    int const token_ttl_s = std::max(20, duration_s / 6); // several expiries a run
    auto const state_dir = std::filesystem::temp_directory_path() / ("gapi-soak-" + std::to_string(::getpid()));
    std::optional<emulator_process> emulator;
    if (endpoint.empty()) {
        emulator.emplace(emulator_program, state_dir, token_ttl_s,
                         "gmail.users.messages.send:503=0.02,429=0.02,reset=0.005,ambiguous=0.005;"
                         "gmail.users.messages.get:429=0.02;gmail.users.labels.list:500=0.02,reset=0.005;"
                         "calendar.events.list:503=0.02;calendar.events.patch:429=0.02;oauth2.token:503=0.1",
                         duration_s + 300);
        endpoint = emulator->base_url();
        token_file = (state_dir / "token.json").string();
    }
    auto const fds_with_emulator = open_fds();

    tally counts;
    long rss_warm = 0, rss_end = 0, rss_peak_after_warm_up = 0;
    std::size_t fds_during = 0, http_requests = 0, retries = 0, refreshes = 0;
    auto const started = clock_type::now();
    auto const until = started + std::chrono::seconds(duration_s);
    auto const warm_until = started + std::chrono::milliseconds(long(duration_s * 1000 * warm_up_fraction));
    {
        asio::io_context ioc;
        gapi::client_options co;
        co.pacing.enabled = false;
        co.retry.initial_backoff = 1ms;
        co.retry.max_backoff = 50ms;
        co.retry.applied_lookup_interval = 5ms;
        co.retry.max_attempts = 12;
        co.tokens.initial_backoff = 10ms;
        co.batching.window = 2ms;
        co.endpoints = {.gmail = endpoint, .calendar = endpoint};
        auto client = std::make_unique<gapi::client>(ioc.get_executor(), gapi::auth::credentials::from_file(token_file), co);
        auto const gmail = client->gmail();
        load l{gmail, gmail.with({.batch = true}), client->calendar(), "fixture-0001@group.calendar.google.com", {},
               until, counts};
        int running = 0;

        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                gapi::calendar::event_query const query;
                auto [ec, list] = co_await l.calendar.list_events(l.calendar_id, query, use_tuple);
                if (ec || list.items.empty()) {
                    counts.count("setup", ec ? ec : gapi::error::malformed_response);
                    client->transport().shutdown();
                    co_return;
                }
                l.event_id = list.items.front().id;
                auto ex = co_await asio::this_coro::executor;
                for (int i = 0; i < workers; ++i) {
                    ++running;
                    asio::co_spawn(ex, worker(l, i), [&](std::exception_ptr) { --running; });
                }
                // The observer: figures every 10 s, the baseline after warm-up.
                asio::steady_timer tick(ex);
                auto next_report = started + 10s;
                bool warm = false;
                while (running > 0) {
                    tick.expires_after(250ms);
                    co_await tick.async_wait(use_tuple);
                    auto const now = clock_type::now();
                    if (!warm && now >= warm_until) {
                        warm = true;
                        rss_warm = rss_kib();
                        std::printf("warm-up over after %.0f s: RSS %ld KiB (the baseline), %zu fds\n",
                                    std::chrono::duration<double>(now - started).count(), rss_warm, open_fds());
                    }
                    if (warm)
                        rss_peak_after_warm_up = std::max(rss_peak_after_warm_up, rss_kib());
                    fds_during = std::max(fds_during, open_fds());
                    if (now >= next_report) {
                        next_report += 10s;
                        std::printf("%4.0f s: %zu calls, %zu failed; RSS %ld KiB; %zu fds\n",
                                    std::chrono::duration<double>(now - started).count(), counts.total_ok(),
                                    counts.total_failed(), rss_kib(), open_fds());
                        std::fflush(stdout);
                    }
                }
                rss_end = rss_kib();
                client->transport().shutdown(); // the idle connections go now, not after the idle timeout
            },
            asio::detached);
        ioc.run();
        http_requests = client->stats().http_requests;
        retries = client->stats().retries;
        refreshes = client->tokens().refreshes();
        client.reset();
    }
    auto const fds_after = open_fds();
    emulator.reset();
    std::filesystem::remove_all(state_dir);
    double const growth = rss_warm > 0 ? double(rss_end - rss_warm) / double(rss_warm) : 1.0;
    double const peak_growth = rss_warm > 0 ? double(rss_peak_after_warm_up - rss_warm) / double(rss_warm) : 1.0;

    std::printf("\n%d s, %d workers: %zu calls succeeded, %zu failed; %zu HTTP requests, %zu retries, %zu token "
                "refreshes (tokens live %d s)\n",
                duration_s, workers, counts.total_ok(), counts.total_failed(), http_requests, retries, refreshes,
                token_ttl_s);
    for (auto const& [what, n] : counts.ok)
        std::printf("  %-24s %zu\n", what.c_str(), n);
    std::printf("client RSS: %ld KiB after warm-up, %ld KiB at the end (%+.1f %%), %ld KiB peak after warm-up (%+.1f %%)\n",
                rss_warm, rss_end, growth * 100, rss_peak_after_warm_up, peak_growth * 100);
    std::printf("client file descriptors: %zu with the emulator running, %zu at most during the run, %zu after\n",
                fds_with_emulator, fds_during, fds_after);

    bool ok = true;
    if (counts.total_failed() > 0) {
        std::printf("FAIL: %zu calls failed; first: %s\n", counts.total_failed(), counts.first_failure.c_str());
        ok = false;
    }
    if (growth > 0.05) {
        std::printf("FAIL: RSS grew %.1f %% after warm-up (at most 5 %%)\n", growth * 100);
        ok = false;
    }
    if (fds_after != fds_with_emulator || open_fds() != fds_before) {
        std::printf("FAIL: %zu file descriptors open after the run, %zu before\n", fds_after, fds_with_emulator);
        ok = false;
    }
    if (emulator && refreshes < 2) {
        std::printf("FAIL: the access token was renewed %zu times: the run was too short to test expiry\n", refreshes);
        ok = false;
    }
    std::printf("%s\n", ok ? "soak: OK" : "soak: FAILED");
    return ok ? 0 : 1;
} catch (std::exception const& e) {
    std::fprintf(stderr, "gapi-soak: %s\n", e.what());
    return 2;
}
