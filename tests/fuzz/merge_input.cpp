// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// gapi-merge's input: the CSV and the Mustache templates, through the checks and the
// message each row becomes. Input: a subject template, a body template and the CSV,
// separated by NUL. Bad input is gapi-merge's typed error (`csv_error`, `input_error`, a
// row's problem), never another exception; every message built is clean (see
// `expect_clean_message`): a cell with CR/LF cannot add a field, a Bcc appears only when
// the row has a bcc cell.
#include "fuzz.hpp"

#include "merge.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const in = gapi_fuzz::pieces(gapi_fuzz::text(data, size), '\0', 3);
    gapi_merge::csv_table table;
    gapi_merge::templates t;
    try {
        table = gapi_merge::parse_csv(in[2]);
        t.subject = gapi_merge::row_template("subject", std::string(in[0]), gapi_merge::escaping::none);
        t.text = gapi_merge::row_template("body", std::string(in[1]), gapi_merge::escaping::none);
    } catch (gapi_merge::csv_error const&) {
        return 0;
    } catch (gapi_merge::input_error const&) {
        return 0;
    }
    // Per-row attachments would read files: not this target's business.
    for (auto& name : table.header)
        if (name == "attachments")
            name = "not-attachments";
    gapi_merge::merge_settings settings;
    settings.from = {"Sender", "sender@example.com"};
    settings.unsubscribe_mailto = {"", "unsubscribe@example.com"};
    std::vector<gapi_merge::row_plan> plans;
    try {
        plans = gapi_merge::check_rows(table, t, settings, 0, 50);
    } catch (gapi_merge::input_error const&) {
        return 0;
    }
    for (auto const& plan : plans) {
        if (!plan.problem.empty())
            continue;
        auto const& row = table.rows[plan.number - 1];
        auto m = gapi_merge::build_message(table, row, t, settings, "<fuzz@example.com>");
        if (!m)
            continue;
        m->date = std::chrono::system_clock::time_point{};
        bool const has_bcc = !m->bcc.empty();
        auto const raw = gapi::mime::render(*m);
        if (raw)
            gapi_fuzz::expect_clean_message(*raw, has_bcc);
    }
    return 0;
}
