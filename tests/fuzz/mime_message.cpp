// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The client's MIME side: address parsing and formatting, header encoding, rendering.
// Input: five texts separated by NUL: an address list, a subject, a sender's display
// name, a text body and an extra header's value. Parsed addresses format without line
// breaks and parse back to the same address; a rendered message is clean (see
// `expect_clean_message`) and its subject, read back by the emulator's independent MIME
// reader, is the subject given.
#include "fuzz.hpp"

#include <gapi/emulator/mime_reader.hpp>
#include <gapi/mime/address.hpp>
#include <gapi/mime/detail/encoding.hpp>
#include <gapi/mime/message.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const in = gapi_fuzz::pieces(gapi_fuzz::text(data, size), '\0', 5);
    gapi::mime::message m;
    if (auto const list = gapi::mime::parse_address_list(in[0])) {
        for (auto const& a : *list) {
            auto const formatted = gapi::mime::format_address(a);
            gapi_fuzz::expect(formatted.has_value(), "a parsed address formats");
            gapi_fuzz::expect(!gapi_fuzz::has_line_break(*formatted), "a formatted address is one line");
            auto const again = gapi::mime::parse_address(*formatted);
            gapi_fuzz::expect(again && again->email == a.email, "a formatted address parses back to its address");
        }
        m.to = *list;
    }
    if (m.to.empty())
        m.to = {{"", "someone@example.com"}};
    m.from = {std::string(in[2]), "sender@example.com"};
    m.subject = in[1];
    m.text_body = in[3];
    m.extra_headers = {{"X-Fuzz", std::string(in[4])}};
    m.date = std::chrono::system_clock::time_point{};
    auto const raw = gapi::mime::render(m);
    if (!raw)
        return 0;
    gapi_fuzz::expect_clean_message(*raw, false);
    auto const read = gapi::emulator::read_mime(*raw);
    gapi_fuzz::expect(read.root.has_value(), "the emulator reads what gapi renders");
    if (!m.subject.empty()) {
        auto const subject = read.root->header("Subject");
        gapi_fuzz::expect(subject.has_value(), "the subject is there");
        // Read back as a mail reader does; runs of spaces and the ends may be folded away.
        auto normalised = [](std::string_view s) {
            std::string out;
            for (char c : s)
                if (!(c == ' ' || c == '\t') || (!out.empty() && out.back() != ' '))
                    out += (c == '\t' ? ' ' : c);
            while (!out.empty() && out.back() == ' ')
                out.pop_back();
            return out;
        };
        gapi_fuzz::expect(normalised(gapi::emulator::decode_encoded_words(*subject)) == normalised(m.subject),
                          "the subject reads back as given");
    }
    return 0;
}
