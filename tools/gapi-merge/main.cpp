// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// gapi-merge: a spreadsheet of recipients, Mustache templates, thousands of personalised
// messages through Gmail as fast as the quota allows, none lost or sent twice even when
// the program is killed. `gapi-merge --help` lists the flags; with no credentials it runs
// its sample on an embedded emulator.
#include "merge.hpp"

#include <gapi/auth/credential_files.hpp>
#include <gapi/auth/installed_app_flow.hpp>
#include <gapi/calendar/time.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>
#include <gapi/gmail/gmail_service.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <system_error>
#include <thread>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace gapi_merge;
using wall_clock = std::chrono::system_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct options {
    std::string csv, subject, body, html, journal, failures;
    std::string endpoint, ca_file, token, credentials, service_account, subject_user;
    std::string from, reply_to, unsubscribe_url, unsubscribe_mailto, to_column = "email";
    std::vector<std::string> attach;
    std::size_t concurrency = 8, limit = std::numeric_limits<std::size_t>::max(), offset = 0;
    std::size_t daily_limit = 2000;
    std::string dry_run, start_at, test_to, quota_preset = "2026";
    std::optional<double> quota_scale;
    bool allow_duplicates = false;
};

// Where the sample is: where `cmake --install` (or the gapi-tools package) put it,
// relative to this program, or else beside the sources.
fs::path sample_dir() {
    std::error_code ignored;
    auto const installed =
        (fs::read_symlink("/proc/self/exe", ignored).parent_path() / GAPI_MERGE_SAMPLE_FROM_BINDIR).lexically_normal();
    for (fs::path dir : {installed, fs::path(GAPI_MERGE_SAMPLE_SOURCE_DIR)})
        if (fs::exists(dir / "recipients.csv", ignored))
            return dir;
    throw input_error("the sample (recipients.csv) is neither in " + installed.string() +
                      " nor in " GAPI_MERGE_SAMPLE_SOURCE_DIR "; give --csv, --subject and --body");
}

constexpr std::string_view sample_subject = "{{first_name}}, your seat at the gapi workshop ({{city}})";

std::string duration_text(double seconds) {
    auto s = static_cast<long long>(seconds + 0.5);
    char buf[64];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", s / 3600, s / 60 % 60, s % 60);
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%llds", s);
    return buf;
}

std::string when_text(wall_clock::time_point t) {
    return gapi::calendar::format_rfc3339(std::chrono::floor<std::chrono::seconds>(t));
}

std::string csv_quote(std::string const& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

gapi::mime::address parse_one(std::string const& flag, std::string const& text) {
    auto a = gapi::mime::parse_address(text);
    if (!a)
        throw input_error(flag + ": '" + text + "' is not an address (" + a.error().message() + ")");
    return *a;
}

// What a run counts, for the progress line and the summary.
struct tally {
    std::size_t to_send = 0, sent = 0, already_sent = 0, found_sent = 0, failed = 0, skipped = 0;
    std::map<std::string, std::size_t> failed_by_reason, skipped_by_reason;
    std::vector<std::string> failure_lines; // CSV lines: row,line,address,reason
};

struct progress_printer {
    bool tty = ::isatty(STDOUT_FILENO) != 0;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_line = started;

    void show(tally const& t, gapi::client const& c, bool final_line = false) {
        auto const now = std::chrono::steady_clock::now();
        double const elapsed = std::chrono::duration<double>(now - started).count();
        double const rate = elapsed > 0 ? static_cast<double>(t.sent) / elapsed : 0.0;
        auto const left = t.to_send - std::min(t.to_send, t.sent + t.failed + t.found_sent);
        auto const& s = c.stats();
        std::ostringstream line;
        line << "sent " << t.sent + t.found_sent << '/' << t.to_send << ", failed " << t.failed << ", retries "
             << s.retries << ", waiting for quota " << std::fixed << std::setprecision(1)
             << std::chrono::duration<double>(s.quota_wait).count() << " s, " << std::setprecision(1) << rate
             << " msg/s, ETA " << (rate > 0 ? duration_text(static_cast<double>(left) / rate) : std::string("-"));
        if (tty) {
            std::cout << "\r\x1b[K" << line.str() << (final_line ? "\n" : "") << std::flush;
        } else if (final_line || now - last_line >= std::chrono::seconds(5)) {
            std::cout << "progress: " << line.str() << '\n' << std::flush;
            last_line = now;
        }
    }
};

// Reads the credential the flags name; the installed flow runs once when the token file
// is missing and client secrets are given.
gapi::auth::credentials credentials_for(options const& o, asio::io_context& ioc, gapi::client_options const& co,
                                        std::string const& token_path) {
    static std::vector<std::string> const scopes{"https://www.googleapis.com/auth/gmail.send",
                                                 "https://www.googleapis.com/auth/gmail.readonly"};
    if (!o.service_account.empty()) {
        if (o.subject_user.empty())
            throw input_error("--service-account needs --subject-user user@domain (the mailbox it sends from)");
        return gapi::auth::credentials::from_file(o.service_account, scopes).with_subject(o.subject_user);
    }
    if (!fs::exists(token_path) && !o.credentials.empty()) {
        auto secrets = gapi::auth::parse_client_secrets(gapi::auth::read_json_file(o.credentials), o.credentials);
        gapi::http::connection_pool pool(ioc.get_executor(), co.transport);
        gapi::error_code flow_error;
        gapi::auth::run_installed_app_flow(pool, secrets, {.scopes = scopes},
                                           [&](gapi::error_code ec, gapi::auth::authorized_user_info info) {
                                               pool.shutdown();
                                               flow_error = ec;
                                               if (!ec)
                                                   gapi::auth::write_file_atomically(
                                                       token_path, gapi::auth::to_python_token_json(info));
                                           });
        ioc.run();
        ioc.restart();
        if (flow_error)
            throw input_error("authorization failed: " + flow_error.message());
    }
    return gapi::auth::credentials::from_file(token_path);
}

int run(options o) {
    bool const embedded = o.token.empty() && o.credentials.empty() && o.service_account.empty();
    if (embedded && !o.endpoint.empty())
        throw input_error("--endpoint needs --token (or --credentials / --service-account)");
    if (embedded && o.csv.empty()) {
        auto const dir = sample_dir();
        o.csv = (dir / "recipients.csv").string();
        o.body = (dir / "body.txt").string();
        o.html = (dir / "body.html").string();
        if (o.subject.empty())
            o.subject = sample_subject;
        if (o.unsubscribe_url.empty())
            o.unsubscribe_url = "https://example.com/unsubscribe?who={{email}}";
        std::cout << "No credentials given: sending the sample (" << o.csv << ") through an embedded Google emulator.\n";
    }
    if (o.csv.empty() || o.subject.empty() || o.body.empty())
        throw input_error("--csv, --subject and --body are required (or no credentials at all, for the sample)");

    csv_table table;
    try {
        table = parse_csv(read_text_file(o.csv));
    } catch (csv_error const& e) {
        throw input_error(o.csv + ": " + e.what());
    }
    if (table.column(o.to_column) == csv_table::npos)
        throw input_error(o.csv + ": no column '" + o.to_column + "' for the addresses (--to-column names it)");

    templates t;
    t.subject = row_template("--subject", o.subject, escaping::none);
    t.text = row_template(o.body, read_text_file(o.body), escaping::none);
    if (!o.html.empty())
        t.html = row_template(o.html, read_text_file(o.html), escaping::html);
    if (!o.unsubscribe_url.empty())
        t.unsubscribe_url = row_template("--unsubscribe-url", o.unsubscribe_url, escaping::url);
    if (auto const missing = t.missing_fields(table); !missing.empty()) {
        std::string names;
        for (auto const& m : missing)
            names += (names.empty() ? "" : ", ") + m;
        throw input_error("the templates name fields the CSV does not have: " + names + " (columns: " +
                          [&] {
                              std::string all;
                              for (auto const& h : table.header)
                                  all += (all.empty() ? "" : ", ") + h;
                              return all;
                          }() +
                          ")");
    }

    merge_settings s;
    s.to_column = o.to_column;
    s.allow_duplicates = o.allow_duplicates;
    s.base_dir = fs::path(o.csv).parent_path();
    if (!o.from.empty())
        s.from = parse_one("--from", o.from);
    if (!o.reply_to.empty())
        s.reply_to = parse_one("--reply-to", o.reply_to);
    if (!o.unsubscribe_mailto.empty())
        s.unsubscribe_mailto = parse_one("--unsubscribe-mailto", o.unsubscribe_mailto);
    for (auto const& path : o.attach) {
        auto a = gapi::mime::attachment_from_file(path);
        if (!a)
            throw input_error("--attach " + path + ": " + a.error().message());
        s.attachments.push_back(std::move(*a));
    }
    auto const rows = check_rows(table, t, s, o.offset, o.limit);

    double const scale = o.quota_scale.value_or(embedded ? 10.0 : 1.0);
    double const per_minute = (o.quota_preset == "legacy" ? 15'000.0 : 6'000.0) / 100.0 * scale;
    tally tl;
    for (auto const& r : rows)
        if (!r.problem.empty()) {
            ++tl.skipped;
            ++tl.skipped_by_reason[r.problem.substr(0, r.problem.find(" ("))];
        }

    if (!o.dry_run.empty()) {
        fs::create_directories(o.dry_run);
        std::size_t written = 0;
        for (auto const& r : rows) {
            if (!r.problem.empty()) {
                std::cout << "row " << r.number << " (line " << r.line << ") skipped: " << r.problem << '\n';
                continue;
            }
            auto m = build_message(table, table.rows[r.number - 1], t, s, "");
            std::string raw;
            if (m) {
                auto rendered = gapi::mime::render(*m);
                if (rendered)
                    raw = std::move(*rendered);
                else
                    m = rendered.error();
            }
            if (!m) {
                std::cout << "row " << r.number << " (line " << r.line << ") cannot be built: " << m.error().message()
                          << '\n';
                continue;
            }
            char name[32];
            std::snprintf(name, sizeof name, "%06zu.eml", r.number);
            std::ofstream(fs::path(o.dry_run) / name, std::ios::binary) << raw;
            ++written;
        }
        std::vector<wall_clock::time_point> earlier;
        if (!o.journal.empty() && fs::exists(o.journal))
            earlier = journal(o.journal).send_times();
        auto const window = window_at(earlier, wall_clock::now(), o.daily_limit);
        auto const days = make_plan(written, window, o.daily_limit, per_minute, wall_clock::now());
        std::cout << "Dry run: " << written << " messages written to " << o.dry_run << "; nothing sent.\n"
                  << "Plan: quota preset " << o.quota_preset << " x" << scale << " (" << per_minute
                  << " messages a minute per sender); daily limit " << o.daily_limit << " per rolling 24 h ("
                  << window.used << " used in the last 24 h).\n";
        for (std::size_t d = 0; d < days.size(); ++d)
            std::cout << "  day " << d + 1 << ", from " << when_text(days[d].from) << ": messages " << days[d].first
                      << "-" << days[d].last << " (" << days[d].count << "), about " << duration_text(days[d].seconds)
                      << " of sending\n";
        return 0;
    }

    if (!o.start_at.empty()) {
        auto const at = gapi::calendar::parse_rfc3339(o.start_at);
        if (!at)
            throw input_error("--start-at: '" + o.start_at + "' is not an RFC 3339 time (e.g. 2026-12-24T09:00:00Z)");
        bool const tty = ::isatty(STDOUT_FILENO) != 0;
        auto last_print = wall_clock::time_point{};
        while (wall_clock::now() < *at) {
            auto const left = std::chrono::duration<double>(*at - wall_clock::now()).count();
            if (tty)
                std::cout << "\r\x1b[KStarting at " << o.start_at << " in " << duration_text(left) << std::flush;
            else if (wall_clock::now() - last_print >= std::chrono::minutes(1)) {
                std::cout << "Starting at " << o.start_at << " in " << duration_text(left) << '\n' << std::flush;
                last_print = wall_clock::now();
            }
            std::this_thread::sleep_for(std::min(std::chrono::duration<double>(left), std::chrono::duration<double>(1.0)));
        }
        if (tty)
            std::cout << "\r\x1b[K";
    }

    // ---- connecting ----
    asio::io_context ioc;
    std::optional<gapi::emulator::emulator> emulator;
    fs::path state_dir;
    std::string token_path = o.token.empty() ? "token.json" : o.token;
    gapi::client_options co;
    co.transport.tls.ca_file = o.ca_file;
    co.pacing.table = o.quota_preset == "legacy" ? gapi::pipeline::quota_table::legacy : gapi::pipeline::quota_table::y2026;
    co.pacing.scale = scale;
    if (embedded) {
        state_dir = fs::temp_directory_path() / ("gapi-merge-" + std::to_string(::getpid()));
        gapi::emulator::emulator_options eo;
        eo.state_dir = state_dir.string();
        eo.quota.scale = scale;
        eo.quota.gmail_user_units_per_minute = o.quota_preset == "legacy" ? 15'000 : 6'000;
        emulator.emplace(std::move(eo));
        emulator->start();
        token_path = (state_dir / "token.json").string();
        co.endpoints = {.gmail = emulator->base_url(), .calendar = emulator->base_url()};
        if (o.journal.empty())
            o.journal = (state_dir / "merge.journal").string();
    } else if (!o.endpoint.empty()) {
        co.endpoints = {.gmail = o.endpoint, .calendar = o.endpoint};
    }
    struct cleanup {
        fs::path dir;
        ~cleanup() {
            std::error_code ignored;
            if (!dir.empty())
                fs::remove_all(dir, ignored);
        }
    } remove_state{state_dir};
    if (o.journal.empty())
        o.journal = o.csv + ".journal";
    if (o.failures.empty())
        o.failures = o.journal + ".failures.csv";

    auto creds = credentials_for(o, ioc, co, token_path);
    gapi::client google(ioc.get_executor(), std::move(creds), co);
    auto const gmail = google.gmail();
    int status = 0;

    if (!o.test_to.empty()) {
        auto const to = parse_one("--test-to", o.test_to);
        auto first = std::find_if(rows.begin(), rows.end(), [](row_plan const& r) { return r.problem.empty(); });
        if (first == rows.end())
            throw input_error("no sendable row for --test-to");
        auto m = build_message(table, table.rows[first->number - 1], t, s, "");
        if (!m)
            throw input_error("row " + std::to_string(first->number) + ": " + m.error().message());
        m->to = {to};
        m->cc.clear();
        m->bcc.clear();
        asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
            auto [ec, sent] = co_await gmail.send(*m, use_tuple);
            if (ec) {
                std::cout << "Test message to " << o.test_to << " failed: " << ec.message() << '\n';
                status = 1;
            } else {
                std::cout << "Test message (row " << first->number << ") sent to " << o.test_to << ": id " << sent.id
                          << '\n';
            }
            google.transport().shutdown();
        }, asio::detached);
        ioc.run();
        return status;
    }

    // ---- sending ----
    journal j(o.journal);
    for (auto const& r : rows) {
        auto const& known = j.row(r.number);
        if (known.state != row_state::unknown_row && !r.address.empty() && known.address != r.address)
            throw input_error("the CSV changed since " + o.journal + " was written: row " + std::to_string(r.number) +
                              " was " + known.address + " and is now " + r.address +
                              " (use a new --journal for a new list)");
    }
    std::vector<row_plan const*> work;
    for (auto const& r : rows) {
        if (!r.problem.empty()) {
            tl.failure_lines.push_back(std::to_string(r.number) + "," + std::to_string(r.line) + "," +
                                       csv_quote(field(table, table.rows[r.number - 1], o.to_column)) + "," +
                                       csv_quote("skipped: " + r.problem));
            continue;
        }
        if (j.row(r.number).state == row_state::sent)
            ++tl.already_sent;
        else
            work.push_back(&r);
    }
    tl.to_send = work.size();
    auto window = window_at(j.send_times(), wall_clock::now(), o.daily_limit);
    std::cout << "Sending " << work.size() << " messages (" << tl.already_sent << " already sent, " << tl.skipped
              << " skipped) with " << o.concurrency << " in flight; journal " << o.journal << ".\n"
              << std::flush;

    std::size_t next = 0;
    std::size_t running = o.concurrency;
    std::optional<std::string> stopped; // why the run stopped early, and when it can go on
    progress_printer progress;
    asio::steady_timer ticker(ioc);

    auto fail = [&](row_plan const& r, std::string const& reason) {
        ++tl.failed;
        ++tl.failed_by_reason[reason];
        tl.failure_lines.push_back(std::to_string(r.number) + "," + std::to_string(r.line) + "," + csv_quote(r.address) +
                                   "," + csv_quote(reason));
    };

    auto send_rows = [&]() -> asio::awaitable<void> {
        gapi::error_details why;
        auto const explained = gmail.with({.details = &why});
        while (next < work.size() && !stopped) {
            auto const& r = *work[next++];
            auto known = j.row(r.number);
            // In doubt (an earlier run sent it and lost the answer, or was killed): look first.
            if (!known.message_id.empty()) {
                gapi::gmail::list_query q;
                q.q = "rfc822msgid:" + known.message_id.substr(1, known.message_id.size() - 2);
                q.max_results = 1;
                auto [ec, found] = co_await explained.list_messages(q, use_tuple);
                if (ec) {
                    fail(r, "could not check an earlier attempt: " + ec.message());
                    continue;
                }
                if (!found.messages.empty()) {
                    j.sent(r.number, known.message_id, r.address, found.messages[0].id, wall_clock::now());
                    ++tl.found_sent;
                    continue;
                }
            }
            if (window.used >= o.daily_limit) {
                window = window_at(j.send_times(), wall_clock::now(), o.daily_limit);
                if (window.used >= o.daily_limit) {
                    stopped = "the daily limit of " + std::to_string(o.daily_limit) +
                              " sends per 24 h is reached; the same command can go on from " +
                              when_text(window.next_free.value_or(wall_clock::now()));
                    break;
                }
            }
            auto const message_id =
                known.message_id.empty() ? gapi::mime::new_message_id(s.from) : known.message_id;
            auto m = build_message(table, table.rows[r.number - 1], t, s, message_id);
            if (!m) {
                fail(r, m.error().message());
                continue;
            }
            j.sending(r.number, message_id, r.address, wall_clock::now());
            ++window.used;
            auto [ec, sent] = co_await explained.send(*m, use_tuple);
            if (!ec) {
                j.sent(r.number, message_id, r.address, sent.id, wall_clock::now());
                ++tl.sent;
            } else if (ec == gapi::condition::daily_limit_reached) {
                j.failed(r.number, message_id, r.address, "Gmail's daily sending limit", wall_clock::now());
                stopped = "Gmail answered that the daily sending limit is reached; the same command can go on from " +
                          (why.retry_after ? when_text(*why.retry_after) : std::string("tomorrow"));
                break;
            } else {
                j.failed(r.number, message_id, r.address, ec.message(), wall_clock::now());
                fail(r, ec.message() + (why.reason.empty() ? "" : " (" + why.reason + ")"));
            }
        }
    };
    auto worker = [&]() -> asio::awaitable<void> {
        try {
            co_await send_rows();
        } catch (std::exception const& e) { // the journal could not be written: stop, losing nothing
            stopped = std::string("an error: ") + e.what();
        }
        if (--running == 0) {
            ticker.cancel();
            google.transport().shutdown();
        }
    };
    for (std::size_t i = 0; i < o.concurrency; ++i)
        asio::co_spawn(ioc, worker(), asio::detached);
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
        while (running > 0) {
            ticker.expires_after(std::chrono::seconds(1));
            co_await ticker.async_wait(use_tuple);
            j.sync();
            if (running > 0)
                progress.show(tl, google);
        }
    }, asio::detached);
    ioc.run();
    j.sync();
    progress.show(tl, google, true);

    // ---- the summary ----
    double const elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - progress.started).count();
    auto const& st = google.stats();
    std::cout << "Summary: " << tl.sent << " sent, " << tl.already_sent << " already sent before, " << tl.found_sent
              << " found sent by an earlier run, " << tl.failed << " failed, " << tl.skipped << " skipped; "
              << st.retries << " retries, " << st.rate_limited << " rate-limit answers; " << std::fixed
              << std::setprecision(1) << elapsed << " s, " << std::setprecision(1)
              << (elapsed > 0 ? static_cast<double>(tl.sent) / elapsed : 0.0) << " messages/s.\n";
    for (auto const& [reason, n] : tl.failed_by_reason)
        std::cout << "  failed: " << n << " x " << reason << '\n';
    for (auto const& [reason, n] : tl.skipped_by_reason)
        std::cout << "  skipped: " << n << " x " << reason << '\n';
    if (!tl.failure_lines.empty()) {
        std::ofstream out(o.failures, std::ios::binary | std::ios::trunc);
        out << "row,line,address,reason\r\n";
        for (auto const& l : tl.failure_lines)
            out << l << "\r\n";
        std::cout << "Rows not sent: " << o.failures << '\n';
        status = 1;
    }
    if (stopped) {
        std::cout << "Stopped: " << *stopped << ".\n";
        return 3;
    }
    return status; // 1 when any row was not sent
}

} // namespace

int main(int argc, char** argv) {
    options o;
    CLI::App app{"gapi-merge: personalised mail to every row of a CSV, through Gmail, each message exactly once.\n"
                 "With no credentials it sends its sample through an embedded Google emulator."};
    // A flag given twice: the last one counts, as a later word overrides an earlier one.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_option("--csv", o.csv, "recipients (RFC 4180, UTF-8, header row names the fields)");
    app.add_option("--subject", o.subject, "subject template, e.g. 'Hello {{first_name}}'");
    app.add_option("--body", o.body, "text body template file (Mustache)");
    app.add_option("--html", o.html, "HTML body template file ({{field}} is HTML-escaped)");
    app.add_option("--journal", o.journal, "append-only journal; the same command resumes from it (default: CSV.journal)");
    app.add_option("--failures", o.failures, "where the rows not sent are listed (default: JOURNAL.failures.csv)");
    app.add_option("--to-column", o.to_column, "the column holding the addresses")->capture_default_str();
    app.add_option("--from", o.from, "From address (default: the account's)");
    app.add_option("--reply-to", o.reply_to, "Reply-To address");
    app.add_option("--attach", o.attach, "a file attached to every message (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--unsubscribe-url", o.unsubscribe_url,
                   "https URL template for List-Unsubscribe with one-click POST (RFC 8058)");
    app.add_option("--unsubscribe-mailto", o.unsubscribe_mailto, "address for a mailto: List-Unsubscribe");
    app.add_option("--endpoint", o.endpoint, "Google's root URL (e.g. a gapi-emulator); default: Google");
    app.add_option("--ca-file", o.ca_file, "trust this CA too");
    app.add_option("--token", o.token, "token.json (google-auth's format)");
    app.add_option("--credentials", o.credentials, "client_secret.json: authorize in the browser when the token is missing");
    app.add_option("--service-account", o.service_account, "a service-account key with domain-wide delegation");
    app.add_option("--subject-user", o.subject_user, "the user a service account sends as");
    app.add_option("--concurrency", o.concurrency, "messages in flight")->capture_default_str()->check(CLI::Range(1, 256));
    app.add_option("--dry-run", o.dry_run, "render every message into DIR as .eml, send nothing, print the plan");
    app.add_option("--start-at", o.start_at, "RFC 3339 time to start at (counts down until then)");
    app.add_option("--limit", o.limit, "send at most N rows");
    app.add_option("--offset", o.offset, "skip the first N rows");
    app.add_option("--test-to", o.test_to, "send only the first row's message, to this address");
    app.add_option("--daily-limit", o.daily_limit, "sends per sender per rolling 24 h")->capture_default_str();
    app.add_option("--quota-preset", o.quota_preset, "Google's quota table: 2026 or legacy")
        ->capture_default_str()
        ->check(CLI::IsMember({"2026", "legacy"}));
    app.add_option("--quota-scale", o.quota_scale, "pace to this multiple of the quota (an emulator's --quota-scale)")
        ->check(CLI::PositiveNumber);
    app.add_flag("--allow-duplicates", o.allow_duplicates, "send every row even when an address repeats");
    CLI11_PARSE(app, argc, argv);
    try {
        return run(std::move(o));
    } catch (input_error const& e) {
        std::cerr << "gapi-merge: " << e.what() << '\n';
        return 2;
    } catch (std::exception const& e) {
        std::cerr << "gapi-merge: " << e.what() << '\n';
        return 1;
    }
}
