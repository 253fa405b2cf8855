// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// gapi-bench: one operation N times with C in flight, through gapi's public API, against
// an embedded emulator (default) or --endpoint (an external gapi-emulator, or Google
// with --token). Prints requests/s, latency percentiles, the client's CPU time per
// request, peak RSS, connections opened, retries and 429s; --json prints one object.
//
//   gapi-bench [--endpoint URL --token FILE [--ca-file ca.pem]] [--op OP] [-n N] [-c C]
//              [--duration S] [--queued] [--warm-up S] [--json]
//
// The client's CPU time is its own thread's, user + system, read from the thread's CPU
// clock (getrusage's user/system split is tick-sampled and came in 4 ms steps over
// 25 ms windows): the embedded emulator runs on threads of its own, so its work is not
// counted as the client's.
// Like h2load's --warm-up-time, calls go first for S seconds (default 0.5; at least one
// per connection), on top of the N, and are reported apart: they open the connections,
// run the code for the first time, and let the machine settle (here, calls/s start at a
// third to a half of their steady rate and take ~250 ms to reach it, in every run,
// whatever the concurrency). Without it a 1,000-call run (~25 ms) measures that start,
// not the call path. --warm-up 0 measures from the first call on (after the calls that
// make what get, batch-get and list-events read). Against Google they are real calls.
// Pacing is off (this measures the call path, not Google's quota); retries are on.
#include "bench_target.hpp"

#include <gapi/auth/detail/crypto.hpp>
#include <gapi/calendar/calendar_service.hpp>
#include <gapi/calendar/detail/requests.hpp>
#include <gapi/client.hpp>
#include <gapi/gmail/detail/requests.hpp>
#include <gapi/gmail/gmail_service.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <time.h>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using done_handler = std::function<void(gapi::error_code)>;

struct options {
    std::string endpoint, token, ca_file;
    std::string op = "send";
    std::size_t calls = 10'000;
    std::size_t in_flight = 64;
    double duration = 0; // seconds; 0: until N calls
    double warm_up = 0.5; // seconds of calls made first, not measured; 0: none
    bool queued = false; // all N started at once; the pool's cap keeps C in flight
    bool json = false;
};

// One request of the operation as it goes on the wire, for a load generator that must
// send the very same request (benchmarks/bench_vs_wrk.sh feeds it to wrk).
struct wire_request {
    std::string method, target, content_type, body;
};

// Small, realistic: what a mail merge sends, addressed outside the emulator so that
// nothing is delivered (and stored) twice.
std::string small_message() {
    return "From: user1@example.com\r\nTo: someone@elsewhere.example\r\nSubject: gapi-bench\r\n"
           "Message-ID: <gapi-bench@example.com>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=UTF-8\r\n\r\nA small message.\r\n";
}

wire_request wire_of(gapi::http::request const& req) {
    auto const type = req.headers.find(boost::beast::http::field::content_type);
    return {std::string(boost::beast::http::to_string(req.method)), gapi::http::request_target(req),
            type == req.headers.end() ? std::string() : std::string(type->value()), req.body};
}

long rss_kib(char const* field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with(field))
            return std::stol(line.substr(std::string_view(field).size()));
    return 0;
}

double thread_cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// The client's counts that the figures report, read at one moment; a phase's are the
// difference of two readings.
struct client_counts {
    std::uint64_t http_requests = 0, retries = 0, rate_limited = 0;

    static client_counts of(gapi::client& google) {
        auto const s = google.stats();
        return {s.http_requests, s.retries, s.rate_limited};
    }
    client_counts operator-(client_counts const& before) const {
        return {http_requests - before.http_requests, retries - before.retries, rate_limited - before.rate_limited};
    }
};

struct figures {
    std::size_t completed = 0, failed = 0;
    double seconds = 0, cpu_seconds = 0;
    std::vector<std::uint32_t> latency_us;
    gapi::error_code first_error;
};

// The warm-up runs until its time is over, at least one call per connection, and leaves
// the connections open; the measured run records each call's latency and runs until the
// context is out of work (its `finished` shuts the pool down).
enum class phase { warm_up, measured };

// Runs `call` (which starts one operation and calls back) until `o.calls` are done or the
// duration is over, `o.in_flight` at a time (or all at once with --queued), then calls
// `finished`. The callback captures only a pointer and a time, so that it costs no
// allocation of its own.
class driver {
public:
    driver(options const& o, phase p, std::function<void(done_handler)> const& call,
           std::function<void()> const& finished)
        : o_(o), phase_(p), call_(call), finished_(finished) {
        if (phase_ == phase::measured)
            f_.latency_us.reserve(o.calls);
    }

    figures run(boost::asio::io_context& ioc) {
        auto const begin = clock_type::now();
        if (o_.duration > 0)
            stop_at_ = begin + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o_.duration));
        auto const cpu_before = thread_cpu_seconds();
        // Started from the client's executor, as an asynchronous program starts its calls
        // (from a handler or a coroutine): the client's gate then takes them directly.
        boost::asio::post(ioc, [this] {
            for (std::size_t i = 0; i < (o_.queued ? o_.calls : o_.in_flight); ++i)
                start_one();
            if (started_ == 0)
                finish();
        });
        if (phase_ == phase::measured)
            ioc.run();
        else
            while (!finished_called_ && ioc.run_one() > 0) {
            }
        f_.seconds = std::chrono::duration<double>(clock_type::now() - begin).count();
        f_.cpu_seconds = thread_cpu_seconds() - cpu_before;
        return std::move(f_);
    }

private:
    void start_one() {
        bool const opens_a_connection = phase_ == phase::warm_up && started_ < o_.in_flight;
        if (started_ == o_.calls || (!opens_a_connection && clock_type::now() >= stop_at_)) {
            if (pending_ == 0)
                finish();
            return;
        }
        ++started_;
        ++pending_;
        call_([self = this, t0 = clock_type::now()](gapi::error_code ec) { self->done(ec, t0); });
    }

    void done(gapi::error_code ec, clock_type::time_point t0) {
        if (phase_ == phase::measured)
            f_.latency_us.push_back(static_cast<std::uint32_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - t0).count()));
        ++f_.completed;
        if (ec) {
            if (!f_.failed)
                f_.first_error = ec;
            ++f_.failed;
        }
        --pending_;
        if (!o_.queued)
            start_one();
        else if (pending_ == 0)
            finish();
    }

    void finish() {
        if (finished_called_)
            return;
        finished_called_ = true;
        finished_();
    }

    options const& o_;
    phase const phase_;
    std::function<void(done_handler)> const& call_;
    std::function<void()> const& finished_;
    figures f_;
    std::size_t started_ = 0, pending_ = 0;
    bool finished_called_ = false;
    clock_type::time_point stop_at_ = clock_type::time_point::max();
};

// What one operation needs made before it is measured (messages to get, events to
// list), and the call itself.
struct operation {
    std::function<void(done_handler)> call;
    wire_request sample;
    bool batching = false;
};

void must(gapi::error_code ec, char const* what) {
    if (ec)
        throw std::runtime_error(std::string("setting up: ") + what + ": " + ec.message());
}

operation prepare(std::string const& op, gapi::client& google, boost::asio::io_context& ioc) {
    auto const gmail = google.gmail();
    auto const calendar = google.calendar();
    // Runs until the setup calls have answered (not until the context is idle: the pool's
    // idle-connection timer would keep it busy for a minute).
    std::size_t setting_up = 0;
    auto settle = [&] {
        while (setting_up > 0)
            ioc.run_one();
    };
    operation out;
    if (op == "send" || op == "send-upload") {
        auto gmail_options = gmail.options();
        if (op == "send-upload")
            gmail_options.json_limit = 0; // uploadType=media, the body as message/rfc822
        gapi::gmail::gmail_service service(google, gmail_options);
        out.sample = wire_of(gapi::gmail::detail::send_request(gmail_options, small_message()));
        out.call = [service, raw = small_message()](done_handler done) {
            service.send_raw(raw, [done = std::move(done)](gapi::error_code ec, gapi::gmail::message) { done(ec); });
        };
        return out;
    }
    if (op == "get" || op == "batch-get") {
        auto ids = std::make_shared<std::vector<std::string>>();
        for (int i = 0; i < 10; ++i) {
            auto raw = small_message();
            raw.replace(raw.find("gapi-bench@"), 10, "gapi-bench-" + std::to_string(i));
            raw.replace(raw.find("someone@elsewhere.example"), 25, "user1@example.com");
            ++setting_up;
            gmail.send_raw(raw, [&](gapi::error_code ec, gapi::gmail::message m) {
                --setting_up;
                must(ec, "messages.send");
                ids->push_back(m.id);
            });
        }
        settle();
        out.batching = op == "batch-get";
        out.sample = wire_of(gmail.get_message_request(ids->front(), gapi::gmail::message_format::full));
        out.call = [gmail, ids, next = std::size_t{0}](done_handler done) mutable {
            gmail.get_message((*ids)[next++ % ids->size()], gapi::gmail::message_format::full,
                              [done = std::move(done)](gapi::error_code ec, gapi::gmail::message) { done(ec); });
        };
        return out;
    }
    if (op == "list-labels") {
        out.sample = wire_of(gmail.list_labels_request());
        out.call = [gmail](done_handler done) {
            gmail.list_labels([done = std::move(done)](gapi::error_code ec, auto const&) { done(ec); });
        };
        return out;
    }
    if (op == "list-events") {
        // Ten events a page, the pages full: ten events made first in a calendar of our own.
        auto const now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
        for (int i = 0; i < 10; ++i) {
            gapi::calendar::event ev;
            ev.summary = "gapi-bench event " + std::to_string(i);
            ev.description = "An event of ordinary size, with a description and a location.";
            ev.location = "Room " + std::to_string(100 + i);
            ev.start = gapi::calendar::event_time::at(now + std::chrono::hours(24 * (i + 1)));
            ev.end = gapi::calendar::event_time::at(now + std::chrono::hours(24 * (i + 1) + 1));
            ++setting_up;
            calendar.insert_event("primary", ev, gapi::calendar::send_updates::unspecified,
                                  [&](gapi::error_code ec, gapi::calendar::event) {
                                      --setting_up;
                                      must(ec, "events.insert");
                                  });
        }
        settle();
        gapi::calendar::event_query query;
        query.max_results = 10;
        out.sample = wire_of(calendar.list_events_request("primary", query));
        out.call = [calendar, query](done_handler done) {
            calendar.list_events("primary", query,
                                 [done = std::move(done)](gapi::error_code ec, gapi::calendar::event_list const& page) {
                                     done(ec ? ec : page.items.size() == 10 ? gapi::error_code{}
                                                                            : make_error_code(gapi::error::malformed_response));
                                 });
        };
        return out;
    }
    if (op == "freebusy") {
        gapi::calendar::freebusy_query query;
        query.time_min = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
        query.time_max = query.time_min + std::chrono::hours(24 * 7);
        query.calendars = {"primary"};
        out.sample = wire_of(gapi::calendar::detail::freebusy_request(calendar.options(), query, 0, 1));
        out.call = [calendar, query](done_handler done) {
            calendar.query_freebusy(query, [done = std::move(done)](gapi::error_code ec, auto const&) { done(ec); });
        };
        return out;
    }
    throw CLI::ValidationError("--op", "unknown operation " + op);
}

double percentile_ms(std::vector<std::uint32_t> const& sorted, double p) {
    if (sorted.empty())
        return 0;
    auto const i = std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())));
    return sorted[i] / 1000.0;
}

} // namespace

int main(int argc, char** argv) try {
    options o;
    CLI::App app{"gapi-bench: one Gmail or Calendar operation N times, C in flight"};
    app.add_option("--endpoint", o.endpoint, "the API's root URL (a gapi-emulator, or Google); default: an embedded emulator");
    app.add_option("--token", o.token, "token.json for --endpoint");
    app.add_option("--ca-file", o.ca_file, "trust this CA too (a TLS gapi-emulator's ca.pem)");
    app.add_option("--op", o.op, "send, send-upload, get, list-labels, list-events, freebusy, batch-get")
        ->capture_default_str()
        ->check(CLI::IsMember({"send", "send-upload", "get", "list-labels", "list-events", "freebusy", "batch-get"}));
    app.add_option("-n", o.calls, "calls")->capture_default_str();
    app.add_option("-c", o.in_flight, "calls in flight (and connections)")->capture_default_str()->check(CLI::Range(1, 4096));
    app.add_option("--duration", o.duration, "stop starting calls after this many seconds (0: none)")->capture_default_str();
    app.add_flag("--queued", o.queued, "start all N calls at once; the pool's C connections take them in turn");
    app.add_option("--warm-up", o.warm_up,
                   "seconds of calls made first, on top of the N, C at a time, at least one per connection, "
                   "reported apart (0: none; against Google they are real calls)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 60.0));
    app.add_flag("--json", o.json, "print one JSON object");
    CLI11_PARSE(app, argc, argv);
    if (o.endpoint.empty() != o.token.empty())
        throw CLI::ValidationError("--endpoint", "--endpoint and --token go together");

    gapi_bench::bench_target target(o.endpoint, o.token, "gapi-bench");
    auto const& root = target.root();
    bool const embedded = target.embedded();

    boost::asio::io_context ioc;
    gapi::client_options co;
    co.transport.tls.ca_file = o.ca_file;
    co.transport.max_connections_per_origin = o.in_flight;
    co.endpoints = {.gmail = root, .calendar = root};
    co.pacing.enabled = false;
    co.batching.enabled = o.op == "batch-get";
    gapi::client google(ioc.get_executor(), gapi::auth::credentials::from_file(target.token()), co);
    auto const op = prepare(o.op, google, ioc);
    auto const connections_before = google.transport().stats().connections_opened;
    auto const at_start = client_counts::of(google);
    long const idle_rss = rss_kib("VmRSS:");

    // The warm-up's connections are counted with the run's (they are the ones it uses),
    // and its memory is in the peak RSS; its requests, retries and 429s are its own.
    figures warm_up;
    if (o.warm_up > 0) {
        options warm_up_options = o;
        // A bound besides the time: 60 s at the fastest rate measured (~350,000 batched
        // gets a second) is ~21 million calls.
        warm_up_options.calls = 50'000'000;
        warm_up_options.queued = false;
        warm_up_options.duration = o.warm_up;
        std::function<void()> const nothing = [] {};
        warm_up = driver(warm_up_options, phase::warm_up, op.call, nothing).run(ioc);
    }
    if (warm_up.failed)
        throw std::runtime_error("warming up: " + std::to_string(warm_up.failed) + " of " +
                                 std::to_string(warm_up.completed) +
                                 " calls failed, the first: " + warm_up.first_error.message());
    auto const after_warm_up = client_counts::of(google);
    auto const warm_up_counts = after_warm_up - at_start;

    std::function<void()> const finished = [&] { google.transport().shutdown(); };
    auto f = driver(o, phase::measured, op.call, finished).run(ioc);

    std::sort(f.latency_us.begin(), f.latency_us.end());
    double const rps = f.seconds > 0 ? static_cast<double>(f.completed) / f.seconds : 0;
    double const cpu_us = f.completed ? 1e6 * f.cpu_seconds / static_cast<double>(f.completed) : 0;
    long const peak_rss = rss_kib("VmHWM:");
    auto const connections = google.transport().stats().connections_opened - connections_before;
    auto const counts = client_counts::of(google) - after_warm_up;
    double const warm_up_cpu_us =
        warm_up.completed ? 1e6 * warm_up.cpu_seconds / static_cast<double>(warm_up.completed) : 0;
    if (o.json) {
        boost::json::object j{{"op", o.op},
                              {"calls", f.completed},
                              {"failed", f.failed},
                              {"in_flight", o.in_flight},
                              {"queued", o.queued},
                              {"seconds", f.seconds},
                              {"requests_per_second", rps},
                              {"p50_ms", percentile_ms(f.latency_us, 0.50)},
                              {"p90_ms", percentile_ms(f.latency_us, 0.90)},
                              {"p99_ms", percentile_ms(f.latency_us, 0.99)},
                              {"max_ms", f.latency_us.empty() ? 0.0 : f.latency_us.back() / 1000.0},
                              {"cpu_us_per_request", cpu_us},
                              {"peak_rss_kib", peak_rss},
                              {"idle_rss_kib", idle_rss},
                              {"connections_opened", connections},
                              {"http_requests", counts.http_requests},
                              {"retries", counts.retries},
                              {"rate_limited", counts.rate_limited},
                              {"embedded_emulator", embedded},
                              {"warm_up", {{"calls", warm_up.completed},
                                           {"http_requests", warm_up_counts.http_requests},
                                           {"retries", warm_up_counts.retries},
                                           {"rate_limited", warm_up_counts.rate_limited},
                                           {"seconds", warm_up.seconds},
                                           {"cpu_us_per_request", warm_up_cpu_us}}},
                              {"request", {{"method", op.sample.method},
                                           {"target", op.sample.target},
                                           {"content_type", op.sample.content_type},
                                           {"body", op.sample.body}}}};
        std::printf("%s\n", boost::json::serialize(j).c_str());
    } else {
        std::printf("%s: %zu calls, %zu in flight%s, against %s\n", o.op.c_str(), f.completed, o.in_flight,
                    o.queued ? " (all queued at once)" : "", embedded ? "an embedded emulator" : root.c_str());
        std::printf("  %.0f requests/s over %.2f s; %zu failed%s%s\n", rps, f.seconds, f.failed,
                    f.failed ? ", the first: " : "", f.failed ? f.first_error.message().c_str() : "");
        std::printf("  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", percentile_ms(f.latency_us, 0.50),
                    percentile_ms(f.latency_us, 0.90), percentile_ms(f.latency_us, 0.99),
                    f.latency_us.empty() ? 0.0 : f.latency_us.back() / 1000.0);
        std::printf("  client CPU %.1f us per request (its thread: user + system)\n", cpu_us);
        std::printf("  RSS: %ld KiB idle before the run, %ld KiB peak (+%ld KiB)%s\n", idle_rss, peak_rss,
                    peak_rss - idle_rss, embedded ? "; the embedded emulator's memory included" : "");
        std::printf("  %llu connections opened, %llu HTTP requests, %llu retries, %llu rate-limit answers\n",
                    static_cast<unsigned long long>(connections), static_cast<unsigned long long>(counts.http_requests),
                    static_cast<unsigned long long>(counts.retries), static_cast<unsigned long long>(counts.rate_limited));
        std::printf("  a warm-up before it: %zu calls, %llu HTTP requests, %llu retries, %llu rate-limit answers, "
                    "%.3f s, client CPU %.1f us per call (its connections are counted above, its memory in the "
                    "peak RSS)\n",
                    warm_up.completed, static_cast<unsigned long long>(warm_up_counts.http_requests),
                    static_cast<unsigned long long>(warm_up_counts.retries),
                    static_cast<unsigned long long>(warm_up_counts.rate_limited), warm_up.seconds, warm_up_cpu_us);
    }
    return f.failed ? 1 : 0;
} catch (std::exception const& e) {
    std::fprintf(stderr, "gapi-bench: %s\n", e.what());
    return 1;
}
