// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_TESTS_FUZZ_FUZZ_HPP
#define GAPI_TESTS_FUZZ_FUZZ_HPP

// What the fuzz targets share. Each target feeds libFuzzer's bytes to one reader of
// untrusted input and checks what must hold whatever the bytes: no crash, no sanitizer
// report, no exception but the reader's documented one, and the target's own invariants
// (`expect`). A broken invariant aborts, so libFuzzer keeps the input.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

namespace gapi_fuzz {

inline std::string_view text(std::uint8_t const* data, std::size_t size) {
    return {reinterpret_cast<char const*>(data), size};
}

/// Aborts with `what` unless `holds`: libFuzzer then saves the input as a crash.
inline void expect(bool holds, char const* what) {
    if (!holds) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

/// The input cut at the first `separator`: (before, after); no separator: (input, "").
inline std::pair<std::string_view, std::string_view> cut(std::string_view input, char separator) {
    auto const at = input.find(separator);
    if (at == std::string_view::npos)
        return {input, {}};
    return {input.substr(0, at), input.substr(at + 1)};
}

/// The input cut at every `separator`, into at most `n` pieces (the last takes the rest).
inline std::vector<std::string_view> pieces(std::string_view input, char separator, std::size_t n) {
    std::vector<std::string_view> out;
    while (out.size() + 1 < n) {
        auto [head, rest] = cut(input, separator);
        out.push_back(head);
        if (head.size() == input.size()) {
            input = {};
            break;
        }
        input = rest;
    }
    out.push_back(input);
    out.resize(n);
    return out;
}

inline bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

/// What holds for every message gapi renders, whatever the caller's text: CRLF line ends
/// only, lines of at most 998 characters, and a header section holding only the fields
/// render writes, each once, Bcc only when the message has Bcc recipients: text put in a
/// subject, a name or a header value never adds a field of its own (header injection).
inline void expect_clean_message(std::string_view raw, bool has_bcc) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\r')
            expect(i + 1 < raw.size() && raw[i + 1] == '\n', "CR only before LF");
        if (raw[i] == '\n')
            expect(i > 0 && raw[i - 1] == '\r', "LF only after CR");
    }
    auto const end_of_headers = raw.find("\r\n\r\n");
    expect(end_of_headers != std::string_view::npos, "a header section, then a blank line");
    auto const headers = raw.substr(0, end_of_headers + 2);
    static constexpr std::string_view known[] = {
        "From",         "To",          "Cc",          "Bcc",          "Reply-To",
        "Subject",      "Date",        "Message-ID",  "MIME-Version", "Content-Type",
        "Content-Transfer-Encoding", "List-Unsubscribe", "List-Unsubscribe-Post", "X-Fuzz"};
    std::vector<std::string_view> seen;
    std::size_t line_start = 0;
    while (line_start < headers.size()) {
        auto const line_end = headers.find("\r\n", line_start);
        auto const line = headers.substr(line_start, line_end - line_start);
        expect(line.size() <= 998, "a header line is at most 998 characters");
        if (!line.empty() && line[0] != ' ' && line[0] != '\t') {
            auto const name = line.substr(0, line.find(':'));
            expect(name.size() < line.size(), "a field starts with its name and a colon");
            bool is_known = false;
            for (auto k : known)
                is_known = is_known || k == name;
            expect(is_known, "only the fields render writes");
            for (auto s : seen)
                expect(s != name, "each field once");
            seen.push_back(name);
            expect(name != "Bcc" || has_bcc, "no Bcc field without Bcc recipients");
        }
        line_start = line_end + 2;
    }
}

} // namespace gapi_fuzz

#endif
