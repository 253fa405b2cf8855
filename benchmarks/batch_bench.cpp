// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// What automatic batching buys for small calls: N messages.get calls with C in flight,
// with batching off and on, in one run; prints calls/s and the HTTP requests each needed.
// The gets read messages the program first sends itself.
//
//   batch_bench [--endpoint URL --token FILE [--ca-file ca.pem]] [-n N] [-c C] [--batch on|off]
//               [--pacing on|off] [--window MS] [--batch-max N]
//
// Default: an embedded emulator without quotas, both modes, 20,000 gets, 64 in flight.
// Pacing is off unless asked for: this measures the call path, not the quota.
// --window and --batch-max set the automatic batching options (to compare policies).
#include "bench_target.hpp"

#include <gapi/client.hpp>
#include <gapi/gmail/gmail_service.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct options {
    std::string endpoint, token, ca_file;
    std::size_t calls = 20'000;
    std::size_t in_flight = 64;
    std::vector<bool> modes{false, true};
    bool pacing = false;
    std::optional<std::chrono::milliseconds> window;
    std::optional<std::size_t> batch_max;
};

struct figures {
    double seconds = 0;
    std::size_t failed = 0;
    std::uint64_t http_requests = 0;
};

figures run(options const& o, bool batch, std::string const& root, std::string const& token) {
    boost::asio::io_context ioc;
    gapi::client_options co;
    co.transport.tls.ca_file = o.ca_file;
    co.endpoints = {.gmail = root, .calendar = root};
    co.pacing.enabled = o.pacing;
    co.batching.enabled = batch;
    if (o.window)
        co.batching.window = *o.window;
    if (o.batch_max)
        co.batching.gmail_max = *o.batch_max;
    gapi::client google(ioc.get_executor(), gapi::auth::credentials::from_file(token), co);
    auto const gmail = google.gmail();

    // The messages the gets read, sent alone first.
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i) {
        gapi::mime::message m;
        m.to = {{"", "bench@example.org"}};
        m.subject = "batch_bench " + std::to_string(i);
        m.text_body = "A small message to read back.\n";
        gmail.with({.batch = false}).send(m, [&](gapi::error_code ec, gapi::gmail::message sent) {
            if (ec)
                throw std::runtime_error("could not create the messages to read: " + ec.message());
            ids.push_back(sent.id);
        });
    }
    // Until the ten have answered, not until the context is idle: the pool's idle
    // connection timer would keep it busy for a minute.
    while (ids.size() < 10)
        ioc.run_one();

    figures f;
    auto const requests_before = google.stats().http_requests;
    std::size_t next = 0, pending = 0;
    std::function<void()> start_one = [&] {
        if (next == o.calls)
            return;
        auto const i = next++;
        ++pending;
        gmail.get_message(ids[i % ids.size()], gapi::gmail::message_format::minimal,
                          [&](gapi::error_code ec, gapi::gmail::message) {
                              f.failed += ec ? 1 : 0;
                              --pending;
                              start_one();
                              if (pending == 0)
                                  google.transport().shutdown();
                          });
    };
    auto const started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < o.in_flight; ++i)
        start_one();
    ioc.run();
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    f.http_requests = google.stats().http_requests - requests_before;
    return f;
}

[[noreturn]] void usage(char const* why) {
    std::fprintf(stderr, "batch_bench: %s\nusage: batch_bench [--endpoint URL --token FILE [--ca-file ca.pem]] "
                         "[-n N] [-c C] [--batch on|off] [--pacing on|off] [--window MS] [--batch-max N]\n", why);
    std::exit(2);
}

} // namespace

int main(int argc, char** argv) try {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string const flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage((flag + " needs a value").c_str());
            return argv[++i];
        };
        auto on_off = [&](std::string const& v) {
            if (v != "on" && v != "off")
                usage((flag + " takes on or off").c_str());
            return v == "on";
        };
        if (flag == "--endpoint")
            o.endpoint = value();
        else if (flag == "--token")
            o.token = value();
        else if (flag == "--ca-file")
            o.ca_file = value();
        else if (flag == "-n")
            o.calls = std::stoul(value());
        else if (flag == "-c")
            o.in_flight = std::max<std::size_t>(1, std::stoul(value()));
        else if (flag == "--batch")
            o.modes = {on_off(value())};
        else if (flag == "--pacing")
            o.pacing = on_off(value());
        else if (flag == "--window")
            o.window = std::chrono::milliseconds(std::stoul(value()));
        else if (flag == "--batch-max")
            o.batch_max = std::stoul(value());
        else
            usage(("unknown flag " + flag).c_str());
    }
    if (o.endpoint.empty() != o.token.empty())
        usage("--endpoint and --token go together");

    gapi_bench::bench_target target(o.endpoint, o.token, "gapi-batch-bench");
    auto const& root = target.root();
    auto const& token = target.token();
    std::printf("%zu messages.get calls, %zu in flight, against %s\n", o.calls, o.in_flight,
                target.embedded() ? "an embedded emulator" : root.c_str());
    double rate[2] = {0, 0};
    for (bool batch : o.modes) {
        auto const f = run(o, batch, root, token);
        rate[batch] = static_cast<double>(o.calls) / f.seconds;
        std::printf("batching %-3s: %8.0f calls/s, %6llu HTTP requests, %zu failed, %.2f s\n", batch ? "on" : "off",
                    rate[batch], static_cast<unsigned long long>(f.http_requests), f.failed, f.seconds);
    }
    if (o.modes.size() == 2)
        std::printf("batching on / off: %.1fx the calls per second\n", rate[1] / rate[0]);
    return 0;
} catch (std::exception const& e) {
    std::fprintf(stderr, "batch_bench: %s\n", e.what());
    return 1;
}
