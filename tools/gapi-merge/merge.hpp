// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MERGE_MERGE_HPP
#define GAPI_MERGE_MERGE_HPP

// gapi-merge's logic without I/O to Google: templates, rows to messages, the journal,
// the daily window and the plan. main.cpp runs it against Gmail; the tests drive it here.

#include "csv.hpp"

#include <gapi/mime/address.hpp>
#include <gapi/mime/attachment.hpp>
#include <gapi/mime/message.hpp>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <kainjow/mustache.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace gapi_merge {

/// Input that cannot be merged (a template naming a missing field, a missing
/// attachment, a journal that does not match the CSV): nothing is sent.
class input_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline std::string read_text_file(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw input_error("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// ---- templates ---------------------------------------------------------------------------

/// The fields a Mustache template names (variables and sections), in order of name.
/// Dotted names count by their first part; comments, partials and `.` do not count.
inline std::set<std::string> fields_named(std::string_view tmpl) {
    std::set<std::string> names;
    std::size_t pos = 0;
    while ((pos = tmpl.find("{{", pos)) != std::string_view::npos) {
        bool const triple = tmpl.substr(pos, 3) == "{{{";
        auto const start = pos + (triple ? 3 : 2);
        auto const end = tmpl.find(triple ? "}}}" : "}}", start);
        if (end == std::string_view::npos)
            break;
        std::string_view tag = tmpl.substr(start, end - start);
        pos = end + (triple ? 3 : 2);
        while (!tag.empty() && tag.front() == ' ')
            tag.remove_prefix(1);
        if (tag.empty() || tag.front() == '!' || tag.front() == '>' || tag.front() == '=')
            continue;
        if (tag.front() == '#' || tag.front() == '^' || tag.front() == '/' || tag.front() == '&')
            tag.remove_prefix(1);
        while (!tag.empty() && tag.front() == ' ')
            tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ')
            tag.remove_suffix(1);
        if (tag.empty() || tag == ".")
            continue;
        names.emplace(tag.substr(0, tag.find('.')));
    }
    return names;
}

/// How a template's `{{field}}` values are escaped (`{{{field}}}` never is).
enum class escaping { none, html, url };

/// A parsed Mustache template (kainjow's), rendered per row.
class row_template {
public:
    row_template() = default;
    row_template(std::string const& name, std::string text, escaping e)
        : text_(std::move(text)), engine_(std::make_shared<kainjow::mustache::mustache>(text_)) {
        if (!engine_->is_valid())
            throw input_error(name + ": " + engine_->error_message());
        if (e == escaping::none)
            engine_->set_custom_escape([](std::string const& s) { return s; });
        else if (e == escaping::url)
            engine_->set_custom_escape(
                [](std::string const& s) { return boost::urls::encode(s, boost::urls::unreserved_chars); });
        fields_ = fields_named(text_);
    }
    bool empty() const noexcept { return !engine_; }
    std::set<std::string> const& fields() const noexcept { return fields_; }
    std::string render(kainjow::mustache::data const& row) const { return engine_ ? engine_->render(row) : ""; }

private:
    std::string text_;
    std::shared_ptr<kainjow::mustache::mustache> engine_;
    std::set<std::string> fields_;
};

/// Every template of a merge.
struct templates {
    row_template subject, text, html, unsubscribe_url;

    /// Fields the templates name that the CSV has no column for.
    std::vector<std::string> missing_fields(csv_table const& table) const {
        std::vector<std::string> missing;
        for (auto const* t : {&subject, &text, &html, &unsubscribe_url})
            for (auto const& f : t->fields())
                if (table.column(f) == csv_table::npos &&
                    std::find(missing.begin(), missing.end(), f) == missing.end())
                    missing.push_back(f);
        return missing;
    }
};

inline kainjow::mustache::data row_data(csv_table const& table, csv_record const& row) {
    kainjow::mustache::data d;
    for (std::size_t c = 0; c < table.header.size(); ++c)
        d.set(table.header[c], row.fields[c]);
    return d;
}

// ---- rows to messages -------------------------------------------------------------------

/// What every message of a merge shares.
struct merge_settings {
    std::string to_column = "email";
    gapi::mime::address from;
    std::optional<gapi::mime::address> reply_to;
    gapi::mime::address unsubscribe_mailto;
    std::vector<gapi::mime::attachment> attachments; ///< common to every message, read once
    std::filesystem::path base_dir;                  ///< per-row attachment paths are relative to it
    bool allow_duplicates = false;
};

/// A selected row, checked: its recipient, or why it cannot be sent.
struct row_plan {
    std::size_t number = 0; ///< 1-based data row (the header is not a row)
    std::size_t line = 0;   ///< where it starts in the CSV
    std::string address;    ///< the To address, lowercase, as the journal keys it
    std::string problem;    ///< empty: sendable; else why it is skipped
};

inline std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

inline std::string field(csv_table const& table, csv_record const& row, std::string_view name) {
    auto const c = table.column(name);
    return c == csv_table::npos ? std::string() : row.fields[c];
}

/// Addresses separated by ';' or ',' (quoted display names may hold commas).
inline boost::system::result<std::vector<gapi::mime::address>> parse_recipients(std::string_view text) {
    std::vector<gapi::mime::address> all;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find(';', start), text.size());
        auto const piece = text.substr(start, end - start);
        if (piece.find_first_not_of(" \t") != std::string_view::npos) {
            auto list = gapi::mime::parse_address_list(piece);
            if (!list)
                return list.error();
            all.insert(all.end(), list->begin(), list->end());
        }
        start = end + 1;
    }
    return all;
}

inline std::vector<std::string> split_paths(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find(';', start), text.size());
        auto piece = std::string(text.substr(start, end - start));
        piece.erase(0, piece.find_first_not_of(" \t"));
        piece.erase(piece.find_last_not_of(" \t") + 1);
        if (!piece.empty())
            out.push_back(piece);
        start = end + 1;
    }
    return out;
}

/// The recipient of a row: the To column (an address or "Name <address>"); a bare
/// address takes its display name from a `name` column if there is one.
inline boost::system::result<gapi::mime::address> recipient_of(csv_table const& table, csv_record const& row,
                                                              merge_settings const& s) {
    auto parsed = gapi::mime::parse_address(field(table, row, s.to_column));
    if (!parsed)
        return parsed.error();
    if (parsed->name.empty())
        parsed->name = field(table, row, "name");
    if (auto ec = gapi::mime::validate_address(*parsed))
        return ec;
    return *parsed;
}

/// Checks the selected rows before anything is sent. Rows with a bad address, a line
/// break in their subject, or a repeated address (unless allowed) are skipped with the
/// reason; a missing attachment file stops the whole merge (`input_error`, every one
/// named), since the user surely wants to fix it first.
inline std::vector<row_plan> check_rows(csv_table const& table, templates const& t, merge_settings const& s,
                                        std::size_t offset, std::size_t limit) {
    std::vector<row_plan> plans;
    std::set<std::string> seen;
    std::vector<std::string> missing_files;
    for (std::size_t i = offset; i < table.rows.size() && plans.size() < limit; ++i) {
        auto const& row = table.rows[i];
        row_plan p{.number = i + 1, .line = row.line};
        auto const data = row_data(table, row);
        if (auto to = recipient_of(table, row, s); !to) {
            p.problem = "invalid address '" + field(table, row, s.to_column) + "'";
        } else {
            p.address = lower(to->email);
            if (auto const subject = t.subject.render(data); subject.find_first_of("\r\n") != std::string::npos)
                p.problem = "a line break in the subject (refused: it could add header fields)";
            else if (!parse_recipients(field(table, row, "cc")) || !parse_recipients(field(table, row, "bcc")))
                p.problem = "invalid cc or bcc address";
            else if (!s.allow_duplicates && !seen.insert(p.address).second)
                p.problem = "duplicate address (sent once; --allow-duplicates sends every row)";
        }
        for (auto const& path : split_paths(field(table, row, "attachments"))) {
            auto const full = s.base_dir / path;
            if (!std::filesystem::is_regular_file(full))
                missing_files.push_back("row " + std::to_string(p.number) + " (line " + std::to_string(row.line) +
                                        "): " + full.string());
        }
        plans.push_back(std::move(p));
    }
    if (!missing_files.empty()) {
        std::string what = "missing attachment files:";
        for (auto const& m : missing_files)
            what += "\n  " + m;
        throw input_error(what);
    }
    return plans;
}

/// The message of one row. Errors: a per-row attachment that cannot be read, an address
/// the MIME layer refuses.
inline boost::system::result<gapi::mime::message> build_message(csv_table const& table, csv_record const& row,
                                                               templates const& t, merge_settings const& s,
                                                               std::string message_id) {
    auto const data = row_data(table, row);
    gapi::mime::message m;
    m.from = s.from;
    m.reply_to = s.reply_to;
    auto to = recipient_of(table, row, s);
    if (!to)
        return to.error();
    m.to.push_back(std::move(*to));
    auto cc = parse_recipients(field(table, row, "cc"));
    auto bcc = parse_recipients(field(table, row, "bcc"));
    if (!cc)
        return cc.error();
    if (!bcc)
        return bcc.error();
    m.cc = std::move(*cc);
    m.bcc = std::move(*bcc);
    m.subject = t.subject.render(data);
    m.text_body = t.text.render(data);
    if (!t.html.empty())
        m.html_body = t.html.render(data);
    if (!t.unsubscribe_url.empty())
        m.unsubscribe_url = t.unsubscribe_url.render(data);
    m.unsubscribe_mailto = s.unsubscribe_mailto;
    m.attachments = s.attachments;
    for (auto const& path : split_paths(field(table, row, "attachments"))) {
        auto a = gapi::mime::attachment_from_file(s.base_dir / path);
        if (!a)
            return a.error();
        m.attachments.push_back(std::move(*a));
    }
    m.message_id = std::move(message_id);
    return m;
}

// ---- the journal --------------------------------------------------------------------------

/// What the journal knows of a row.
enum class row_state { unknown_row, in_doubt, sent, failed };

struct journal_row {
    row_state state = row_state::unknown_row;
    std::string message_id;
    std::string address;
    std::string gmail_id;
    std::string reason;
};

/// An append-only record of a merge: per row, its Message-ID before the send ("sending"),
/// then what came of it ("sent" with Gmail's id, or "failed" with the reason). Each
/// record is one `write` to a file opened with O_APPEND, so a killed process loses
/// nothing it wrote; `sync` (called every second and at the end) makes it durable on disk
/// too. Read back, it tells which rows are delivered, which failed and which are in doubt
/// (sent, answer unknown: look them up before sending again).
///
/// Line format (tab-separated): `v1 ROW STATE MESSAGE-ID ADDRESS GMAIL-ID UNIX-MS REASON`.
class journal {
public:
    using clock = std::chrono::system_clock;

    explicit journal(std::filesystem::path path) : path_(std::move(path)) {
        if (std::filesystem::exists(path_))
            load(read_text_file(path_));
        fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ < 0)
            throw input_error("cannot open the journal " + path_.string() + " for appending");
    }
    journal(journal const&) = delete;
    journal& operator=(journal const&) = delete;
    ~journal() {
        if (fd_ >= 0) {
            ::fdatasync(fd_);
            ::close(fd_);
        }
    }

    journal_row const& row(std::size_t number) const {
        static journal_row const none;
        auto it = rows_.find(number);
        return it == rows_.end() ? none : it->second;
    }

    void sending(std::size_t number, std::string const& message_id, std::string const& address, clock::time_point at) {
        append(number, "sending", message_id, address, "", at, "");
    }
    void sent(std::size_t number, std::string const& message_id, std::string const& address, std::string const& gmail_id,
              clock::time_point at) {
        append(number, "sent", message_id, address, gmail_id, at, "");
    }
    void failed(std::size_t number, std::string const& message_id, std::string const& address,
                std::string const& reason, clock::time_point at) {
        append(number, "failed", message_id, address, "", at, reason);
    }
    void sync() {
        if (fd_ >= 0)
            ::fdatasync(fd_);
    }

    /// When messages were (or may have been) sent: every "sending" record, since a send in
    /// doubt may have counted against Gmail's daily limit.
    std::vector<clock::time_point> const& send_times() const noexcept { return send_times_; }

private:
    static std::string clean(std::string s) {
        for (auto& c : s)
            if (c == '\t' || c == '\n' || c == '\r')
                c = ' ';
        return s;
    }

    void append(std::size_t number, std::string_view state, std::string const& message_id, std::string const& address,
                std::string const& gmail_id, clock::time_point at, std::string const& reason) {
        auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
        std::string line = "v1\t" + std::to_string(number) + "\t" + std::string(state) + "\t" + clean(message_id) +
                           "\t" + clean(address) + "\t" + clean(gmail_id) + "\t" + std::to_string(ms) + "\t" +
                           clean(reason) + "\n";
        apply(number, state, message_id, address, gmail_id, at, reason);
        std::size_t done = 0;
        while (done < line.size()) {
            auto const n = ::write(fd_, line.data() + done, line.size() - done);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw std::runtime_error("cannot write the journal " + path_.string());
            }
            done += static_cast<std::size_t>(n);
        }
    }

    void apply(std::size_t number, std::string_view state, std::string const& message_id, std::string const& address,
               std::string const& gmail_id, clock::time_point at, std::string const& reason) {
        auto& r = rows_[number];
        if (state == "sending") {
            // A row delivered stays delivered whatever a later run tried.
            if (r.state != row_state::sent)
                r.state = row_state::in_doubt;
            send_times_.push_back(at);
        } else if (state == "sent") {
            r.state = row_state::sent;
            r.gmail_id = gmail_id;
        } else if (r.state != row_state::sent) {
            r.state = row_state::failed;
            r.reason = reason;
        }
        r.message_id = message_id;
        r.address = address;
    }

    void load(std::string const& text) {
        std::size_t pos = 0;
        std::size_t line_number = 0;
        while (pos < text.size()) {
            auto const eol = text.find('\n', pos);
            ++line_number;
            if (eol == std::string::npos)
                break; // a record cut short by a crash: never completed, so never acted on
            std::vector<std::string> f;
            std::string_view const line(text.data() + pos, eol - pos);
            std::size_t start = 0;
            while (true) {
                auto const tab = line.find('\t', start);
                f.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
                if (tab == std::string_view::npos)
                    break;
                start = tab + 1;
            }
            pos = eol + 1;
            if (f.size() != 8 || f[0] != "v1" || (f[2] != "sending" && f[2] != "sent" && f[2] != "failed"))
                throw input_error(path_.string() + ": line " + std::to_string(line_number) +
                                  " is not a gapi-merge journal record");
            try {
                auto const number = std::stoull(f[1]);
                auto const at = clock::time_point(std::chrono::milliseconds(std::stoll(f[6])));
                apply(number, f[2], f[3], f[4], f[5], at, f[7]);
            } catch (std::logic_error const&) {
                throw input_error(path_.string() + ": line " + std::to_string(line_number) +
                                  " is not a gapi-merge journal record");
            }
        }
    }

    std::filesystem::path path_;
    int fd_ = -1;
    std::map<std::size_t, journal_row> rows_;
    std::vector<clock::time_point> send_times_;
};

/// The rolling 24-hour window of a daily sending limit.
struct daily_window {
    std::size_t used = 0;                         ///< sends in the last 24 h
    std::optional<journal::clock::time_point> next_free; ///< when the oldest of them leaves the window
};

inline daily_window window_at(std::vector<journal::clock::time_point> times, journal::clock::time_point now,
                              std::size_t limit) {
    std::sort(times.begin(), times.end());
    daily_window w;
    auto const since = now - std::chrono::hours(24);
    std::vector<journal::clock::time_point> inside;
    for (auto t : times)
        if (t > since)
            inside.push_back(t);
    w.used = inside.size();
    if (w.used >= limit && limit > 0)
        w.next_free = inside[w.used - limit] + std::chrono::hours(24);
    else if (limit == 0)
        w.next_free = now;
    return w;
}

// ---- the plan ----------------------------------------------------------------------------

/// One day of a plan: how many messages, from which selected row to which.
struct plan_day {
    journal::clock::time_point from;
    std::size_t first = 0, last = 0, count = 0;
    double seconds = 0; ///< sending time under the quota
};

/// Splits `count` sends into days under the daily limit (the window's sends already
/// counted) and times each day under the quota: `per_minute` sends a minute, the first
/// minute's worth at once (Google's bucket starts full).
inline std::vector<plan_day> make_plan(std::size_t count, daily_window const& window, std::size_t daily_limit,
                                       double per_minute, journal::clock::time_point now) {
    std::vector<plan_day> days;
    std::size_t done = 0;
    auto day_start = now;
    std::size_t capacity = daily_limit > window.used ? daily_limit - window.used : 0;
    if (capacity == 0 && window.next_free)
        day_start = *window.next_free;
    while (done < count && daily_limit > 0) {
        if (capacity == 0)
            capacity = daily_limit;
        auto const n = std::min(capacity, count - done);
        plan_day d{.from = day_start, .first = done + 1, .last = done + n, .count = n};
        d.seconds = n > per_minute ? (static_cast<double>(n) - per_minute) / per_minute * 60.0 : 0.0;
        days.push_back(d);
        done += n;
        capacity = 0;
        day_start = day_start + std::chrono::hours(24);
    }
    return days;
}

} // namespace gapi_merge

#endif
