// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_HTTP_MESSAGE_HPP
#define GAPI_HTTP_MESSAGE_HPP

#include <gapi/config.hpp>
#include <gapi/http/url.hpp>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/url/url.hpp>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace gapi::http {

/// An HTTP method (Beast's).
using verb = boost::beast::http::verb;
/// A header block (Beast's): names case-insensitive, several fields of one name allowed.
using fields = boost::beast::http::fields;

/// One HTTP request as the transport sends it.
///
/// The transport adds `Host`, `User-Agent` (unless set) and `Content-Length`.
/// Header names or values containing CR, LF or NUL, and empty names, are refused with
/// `error::invalid_header_value`.
struct request {
    verb method = verb::get; ///< the method; `verb::unknown` is refused (`error::invalid_url`)
    boost::urls::url url; ///< absolute `http://` or `https://` URL; with a `target`, an origin only
    /// The request-target (path and query, percent-encoded) when `url` does not hold it.
    /// gapi's request builders write the path and query here as they build them and leave
    /// in `url` only the origin (scheme, host and port), so that no call parses again a URL
    /// gapi wrote itself. Empty: `url`'s own path and query are sent. A target that fails
    /// `http::is_origin_form`, or beside a `url` with a path, query or fragment, is refused
    /// with `error::invalid_url` (in an explicit batch: `error::not_batchable`).
    std::string target;
    /// The request's own fields. Host, Content-Length, Transfer-Encoding and Connection
    /// are the transport's: given here, they are dropped.
    fields headers;
    std::string body; ///< sent as it is, with a Content-Length (also when empty, for POST, PUT and OPTIONS)

    /// Overrides `pool_options::request_timeout` for this request.
    std::optional<std::chrono::milliseconds> timeout;

    /// The keep-alive race: a server may close an idle kept-alive connection at the
    /// moment a request is written to it. The request then fails with no response byte,
    /// although the server never saw it. By default such a request, when it ran on a
    /// reused connection and no byte of the response arrived, is sent once more on a
    /// fresh connection. The transport cannot tell that race from a server that read
    /// the request and died before answering, so callers whose request must never run
    /// twice (sending mail) set this to false and settle the ambiguity themselves.
    bool replay_on_stale_connection = true;

    /// Whether a 2xx answer keeps its header fields. A caller that reads only the body of
    /// a success (gapi's resource reads) sets it to false: the transport then drops them as
    /// it parses (an allocation and a copy each). Any other status keeps its fields.
    bool keep_success_fields = true;

    /// What the layers above the transport (quota pacing, retries) need to know; the
    /// transport itself ignores both. Google's method id, e.g. "gmail.users.messages.send",
    /// and the quota units the call costs (Gmail's per-method units; 1 for Calendar).
    /// `method_id` is not owned: it must refer to storage that outlives the request (the
    /// services use string literals).
    std::string_view method_id;
    unsigned quota_units = 1; ///< the quota units the call costs; see `method_id`
};

/// The value of the first field `name` of `f`, empty when there is none. A walk through
/// the fields: a request holds a handful, and Beast's ordered look-up compares names
/// case-insensitively (~600 instructions for the Authorization field of a small call).
inline std::string_view field_value(fields const& f, boost::beast::http::field name) {
    for (auto const& field : f)
        if (field.name() == name)
            return field.value();
    return {};
}

/// The request-target `r` is sent with: its `target`, or its URL's path and query.
inline std::string request_target(request const& r) {
    return r.target.empty() ? request_target(r.url) : r.target;
}

/// Whether `r`'s target may be sent: none (its `url` says all), or an origin-form one
/// beside a `url` that holds only an origin (so that no edit of `url` is silently ignored).
inline bool has_valid_target(request const& r) {
    return r.target.empty() || (is_origin_form(r.target) && r.url.encoded_path().empty() && !r.url.has_query() &&
                                !r.url.has_fragment());
}

/// Whether `value` may go out as a header field's name or value: no CR, LF or NUL in it
/// (which would end the field early and start another).
inline bool is_valid_field_value(std::string_view value) {
    // Three memchr passes: std::string_view::find_first_of calls memchr on its set once
    // per character: an eighth of a send's client instructions, for a bearer token.
    auto const has = [value](char c) { return std::memchr(value.data(), c, value.size()) != nullptr; };
    return value.empty() || !(has('\r') || has('\n') || has('\0'));
}

/// Whether every field of `r` may be written as it is: a name, and a name and a value
/// that are valid (`is_valid_field_value`).
inline bool has_valid_fields(request const& r) {
    for (auto const& field : r.headers)
        if (field.name_string().empty() || !is_valid_field_value(field.name_string()) ||
            !is_valid_field_value(field.value()))
            return false;
    return true;
}

/// The path `r` is sent to, percent-encoded, without the query.
inline std::string_view request_path(request const& r) {
    if (r.target.empty()) {
        auto const path = r.url.encoded_path();
        return std::string_view(path.data(), path.size());
    }
    return std::string_view(r.target).substr(0, r.target.find('?'));
}

/// The absolute URL `r` is sent to, as text.
inline std::string absolute_url(request const& r) {
    if (r.target.empty())
        return std::string(r.url.buffer());
    return std::string(r.url.encoded_origin()) + r.target;
}

/// What happened on the wire. Meaningful on failure as much as on success: it tells the
/// layers above whether the server may have processed the request.
struct exchange_info {
    /// Some attempt wrote the whole request to the socket, so the server may have
    /// acted on it. False means the request provably never reached the server.
    bool request_written = false;
    /// At least one byte of the response arrived on the last attempt.
    bool response_started = false;
    /// The last attempt ran on a kept-alive connection that had served earlier requests.
    bool reused_connection = false;
    /// 1, or 2 when the request was replayed after the keep-alive race.
    unsigned attempts = 0;
    /// Set by the retry layer: an attempt before the one answered here may have acted (its
    /// answer was lost, or Google answered 5xx), so a conflict or a "not found" may be
    /// that attempt's doing. False for a call's first attempt.
    bool earlier_attempt_may_have_acted = false;
};

/// One HTTP response. `status` is 0 when no complete response arrived.
struct response {
    unsigned status = 0;    ///< the HTTP status, e.g. 200; 0 when no complete response arrived
    fields headers;         ///< the response's header fields
    std::string body;       ///< the whole body, decoded from chunked transfer coding if it was chunked
    exchange_info exchange; ///< what happened on the wire, on success and on failure
};

} // namespace gapi::http

#endif
