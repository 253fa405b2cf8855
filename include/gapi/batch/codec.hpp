// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_BATCH_CODEC_HPP
#define GAPI_BATCH_CODEC_HPP

// Google's batch format (fact sheet §5), client side: a multipart/mixed body of
// `application/http` parts, each a whole HTTP request with a Content-ID; the answer is
// the same with HTTP responses, matched by `<response-ID>`. Written apart from the
// emulator's parser on purpose: each is tested against the other, so that one cannot
// hide the other's bug.

#include <gapi/config.hpp>
#include <gapi/detail/decimal.hpp>
#include <gapi/error.hpp>
#include <gapi/http/message.hpp>

#include <boost/system/result.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gapi::batch {

/// One call inside a batch request.
struct part_request {
    std::string content_id;        ///< without angle brackets; unique within the batch
    http::request const* request;  ///< its path and query, headers and body are sent
};

/// One answer inside a batch response.
struct part_response {
    std::string content_id; ///< the request's id (the `response-` prefix and brackets removed)
    http::response response; ///< the part's HTTP response: status, headers, body
};

/// A boundary that appears in none of the parts' bodies: `batch_`, 24 random letters and
/// digits drawn once per process, `_` and a count. Thread-safe.
GAPI_DECL std::string make_boundary(std::span<part_request const> parts);

/// The body of a batch request. Each part: `Content-Type: application/http`,
/// `Content-ID: <id>`, then the request line with the path and query only (Google
/// refuses absolute URLs), the request's headers (but Authorization: the envelope carries
/// the token for all), `Content-Length` for a body, a blank line and the body.
/// The envelope's Content-Type is `multipart/mixed; boundary=` + `boundary`.
GAPI_DECL std::string encode_request(std::span<part_request const> parts, std::string_view boundary);

/// Reads a batch response: the boundary from its Content-Type, parts in any order, each
/// an HTTP response (status line, headers, body; CRLF or bare LF). Anything else (no
/// boundary, no closing delimiter, a part that is not an HTTP response, a status that is
/// not a number, a Content-Length longer than the part) is `error::malformed_response`.
GAPI_DECL boost::system::result<std::vector<part_response>> decode_response(http::response const& envelope);

/// Where `decode_parts` reads each part's response: `*target(context, content_id)` (the
/// id as `part_response::content_id` has it; the view points into the envelope, valid
/// during the call), or nowhere when that is null (the part is still checked).
struct part_sink {
    http::response* (*target)(void* context, std::string_view content_id); ///< where a part goes
    void* context; ///< `target`'s first argument
    /// Whether the part `target` placed last keeps its header fields when its status is
    /// 2xx (null: every part keeps them): a caller that reads only a success's body is
    /// spared their copies. A part that goes nowhere keeps none.
    bool (*keeps_success_fields)(void* context) = nullptr;
    /// Offered the body of a 2xx part that `target` placed, before it is copied into the
    /// response (null: never offered); true: it was read there, and the response's body
    /// stays empty. The view points into the envelope's body: valid as long as that is.
    bool (*takes_success_body)(void* context, std::string_view body) = nullptr;
};

/// `decode_response` without a vector of parts: each part is read straight into the
/// response `sink` names for its Content-ID, which must be empty (default-constructed).
/// On `error::malformed_response`, parts read before the fault stay where they went.
GAPI_DECL error_code decode_parts(http::response const& envelope, part_sink sink);

} // namespace gapi::batch

#ifdef GAPI_HEADER_ONLY
#include <gapi/batch/impl/codec.ipp>
#endif

#endif
