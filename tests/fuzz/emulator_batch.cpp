// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The emulator's batch request parser. Input: the outer request's Content-Type, a
// newline, then its body. A malformed batch is a message saying why (a 400 for the
// client), never an exception; each part parsed is a request with a path.
#include "fuzz.hpp"

#include <gapi/emulator/batch_codec.hpp>

#include <boost/beast/http/field.hpp>

#include <variant>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const [content_type, body] = gapi_fuzz::cut(gapi_fuzz::text(data, size), '\n');
    if (gapi_fuzz::has_line_break(content_type) || content_type.find('\0') != std::string_view::npos)
        return 0;
    gapi::emulator::api_request outer;
    outer.method = gapi::emulator::verb::post;
    outer.url = boost::urls::url("/batch/gmail/v1");
    outer.headers.set(boost::beast::http::field::content_type, content_type);
    outer.headers.set(boost::beast::http::field::authorization, "Bearer token");
    outer.body = body;
    auto const parsed = gapi::emulator::parse_batch_request(outer);
    if (auto const* parts = std::get_if<std::vector<gapi::emulator::batch_part>>(&parsed))
        for (auto const& part : *parts)
            gapi_fuzz::expect(part.request.url.encoded_path().starts_with("/"), "a part's target is a path");
    else
        gapi_fuzz::expect(!std::get<std::string>(parsed).empty(), "a malformed batch says why");
    return 0;
}
