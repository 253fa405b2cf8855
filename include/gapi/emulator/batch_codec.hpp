// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_BATCH_CODEC_HPP
#define GAPI_EMULATOR_BATCH_CODEC_HPP

#include <gapi/emulator/api.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The emulator's own reading and writing of Google's batch format (fact sheet §5):
// a multipart/mixed body of application/http parts, each a whole HTTP request.
namespace gapi::emulator {

/// One part of a batch request: a whole HTTP request of its own.
struct batch_part {
    std::string content_id; ///< as sent, including the angle brackets; may be empty
    api_request request;    ///< the part's request, with the outer headers and query parameters merged in
};

/// One part of a batch response, answering the part with the same Content-ID.
struct batch_part_response {
    std::string content_id; ///< the request's Content-ID; written back as `<response-...>`; empty: none
    api_response response;  ///< the part's answer, written as an application/http part
};

/// Reads a batch request. The outer request's headers apply to every part except its
/// Content-* headers; a header inside a part overrides the outer one; the outer query
/// parameters are added to every part. Returns a message saying what is malformed.
GAPI_DECL std::variant<std::vector<batch_part>, std::string> parse_batch_request(api_request const& outer);

/// Writes a batch response body for `parts` with the given boundary.
GAPI_DECL std::string serialize_batch_response(std::vector<batch_part_response> const& parts,
                                               std::string_view boundary);

/// The value of a parameter (`boundary`, `charset`, ...) in a Content-Type header value.
GAPI_DECL std::string content_type_parameter(std::string_view content_type, std::string_view name);

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/batch_codec.ipp>
#endif

#endif
