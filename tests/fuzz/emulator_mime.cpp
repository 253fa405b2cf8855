// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The emulator's MIME reader, which reads every message a client sends: the whole
// message, address lists, encoded words, header parameters, charsets. Input: a byte
// choosing the reader, then its text. It never throws and never loops; a message read
// has its parts within the nesting limit.
#include "fuzz.hpp"

#include <gapi/emulator/mime_reader.hpp>

namespace {

std::size_t depth(gapi::emulator::mime_part const& part) {
    std::size_t deepest = 0;
    for (auto const& child : part.parts)
        deepest = std::max(deepest, depth(child));
    return 1 + deepest;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0)
        return 0;
    auto const text = gapi_fuzz::text(data + 1, size - 1);
    switch (data[0] % 5) {
    case 0: {
        gapi::emulator::mime_read_options const options{.max_depth = 8};
        auto const read = gapi::emulator::read_mime(text, options);
        gapi_fuzz::expect(read.root.has_value() != !read.error.empty(), "a tree or a reason, not both");
        if (read.root)
            gapi_fuzz::expect(depth(*read.root) <= options.max_depth + 1, "nesting stays within the limit");
        break;
    }
    case 1:
        (void)gapi::emulator::decode_encoded_words(text);
        break;
    case 2:
        if (auto const list = gapi::emulator::parse_address_list(text))
            for (auto const& a : *list)
                gapi_fuzz::expect(a.email.find('@') != std::string::npos, "an address has its @");
        break;
    case 3:
        (void)gapi::emulator::parse_header_params(text);
        break;
    case 4: {
        static constexpr std::string_view charsets[] = {"utf-8", "us-ascii", "iso-8859-1", "iso-8859-15",
                                                        "windows-1252"};
        auto const converted = gapi::emulator::charset_to_utf8(text, charsets[size % 5]);
        gapi_fuzz::expect(converted.has_value(), "a known charset converts");
        break;
    }
    }
    return 0;
}
