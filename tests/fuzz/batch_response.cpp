// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The client's batch response decoder. Input: the envelope's Content-Type, a newline,
// then the envelope's body.
#include "fuzz.hpp"

#include <gapi/batch/codec.hpp>
#include <gapi/error.hpp>

#include <boost/beast/http/field.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const [content_type, body] = gapi_fuzz::cut(gapi_fuzz::text(data, size), '\n');
    if (gapi_fuzz::has_line_break(content_type) || content_type.find('\0') != std::string_view::npos)
        return 0; // not a header value an HTTP parser could have produced
    gapi::http::response envelope;
    envelope.status = 200;
    envelope.headers.set(boost::beast::http::field::content_type, content_type);
    envelope.body = body;
    auto const parts = gapi::batch::decode_response(envelope);
    if (!parts) {
        gapi_fuzz::expect(parts.error() == gapi::error::malformed_response, "a bad batch is malformed_response");
        return 0;
    }
    for (auto const& part : *parts) {
        gapi_fuzz::expect(part.response.status >= 100 && part.response.status <= 999, "a part's status is 3 digits");
        gapi_fuzz::expect(part.response.body.size() <= body.size(), "a part's body lies within the envelope");
    }
    return 0;
}
