// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_API_HPP
#define GAPI_EMULATOR_API_HPP

#include <gapi/config.hpp>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <forward_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The emulator's request handling is sans-I/O: the HTTP server turns each request (or
// each part of a batch) into an `api_request`, the services answer with an
// `api_response`, and only the server touches sockets. Services run under the
// emulator's state lock, one call at a time.
namespace gapi::emulator {

using verb = boost::beast::http::verb;
using fields = boost::beast::http::fields;
using clock_type = std::chrono::system_clock;

/// A request as a service sees it.
struct api_request {
    verb method = verb::get; ///< the HTTP method
    boost::urls::url url; ///< origin-form target: path and query as received
    fields headers;       ///< the request's header fields
    std::string body;     ///< the request's body, whole
    clock_type::time_point now; ///< the emulator's clock when the request arrived
};

/// A response as a service produces it. The server adds Content-Length, Date and
/// the connection headers.
struct api_response {
    unsigned status = 200; ///< the HTTP status
    fields headers;        ///< header fields (Content-Type among them, when there is a body)
    std::string body;      ///< the body, whole
};

/// Which quota family a method draws on.
enum class api_family : std::uint8_t { gmail, calendar };

/// A method of Gmail or Calendar, as the discovery documents name it.
struct method_info {
    std::string_view id;                     ///< e.g. "gmail.users.messages.send"
    api_family family = api_family::gmail;   ///< whose quota it draws on
    int quota_units = 1;                     ///< Gmail's per-method units; 1 for Calendar
    std::span<std::string_view const> scopes; ///< any one of them authorizes the call
    bool sends_mail = false;                 ///< counts against daily sending limits
};

/// A path matched to a method, with its decoded path parameters in path order
/// (for Gmail the first is always `userId`).
struct matched_call {
    method_info const* method = nullptr; ///< the method the path and HTTP method name
    std::vector<std::string> params;     ///< its decoded path parameters, in path order
};

/// Who a valid access token belongs to.
struct principal {
    std::string email;               ///< the user the token acts for (the `sub` for delegation)
    std::vector<std::string> scopes; ///< granted scopes
    std::string client_id;           ///< the OAuth client the token was issued to
};

// ---- helpers shared by the services -------------------------------------------

/// `application/json; charset=UTF-8` response with `value` serialized.
GAPI_DECL api_response json_response(unsigned status, boost::json::value const& value);
/// The same with a body that is already serialized JSON.
GAPI_DECL api_response json_text_response(unsigned status, std::string json);

/// One of Google's API error bodies:
/// {"error":{"code":C,"message":M,"errors":[{"message":EM,"domain":D,"reason":R
///   [,"location":L,"locationType":LT]}][,"status":S]}}
struct google_error {
    unsigned code = 400;               ///< the HTTP status, also written as `error.code`
    std::string message;               ///< `error.message`
    std::string reason = "badRequest"; ///< `errors[0].reason`, e.g. "notFound", "rateLimitExceeded"
    std::string domain = "global";     ///< `errors[0].domain`, e.g. "global", "usageLimits"
    std::string status;        ///< e.g. "INVALID_ARGUMENT"; omitted when empty (Calendar style)
    std::string location;      ///< omitted when empty
    std::string location_type; ///< "header" or "parameter"; omitted when empty
    std::string errors_message; ///< errors[0].message when it differs from `message`
};
/// `e` as Google's JSON error body, with `e.code` as the status.
GAPI_DECL api_response error_response(google_error const& e);

/// The token endpoint's RFC 6749 error body {"error":E,"error_description":D}.
GAPI_DECL api_response oauth_error_response(unsigned status, std::string_view error, std::string_view description);

/// RFC 3339 in UTC with milliseconds, as Google writes times: 2026-05-01T12:34:56.789Z
GAPI_DECL std::string format_rfc3339(clock_type::time_point t);

/// Parses RFC 3339 with a mandatory offset ("Z" or ±hh:mm), fractional seconds optional;
/// nullopt for an instant the clock cannot hold (before 1677 or after 2262).
GAPI_DECL std::optional<clock_type::time_point> parse_rfc3339(std::string_view text);

/// A query parameter's decoded value (first occurrence), if present.
GAPI_DECL std::optional<std::string> query_param(boost::urls::url const& url, std::string_view key);
/// Every decoded value of a repeated query parameter.
GAPI_DECL std::vector<std::string> query_params(boost::urls::url const& url, std::string_view key);

namespace detail {
/// Beast's `iequals` (ASCII letters alike in either case), inline: Beast's is out of line,
/// ~90 instructions a call, and the emulator compares several names for every part of a
/// batch.
inline bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
    auto const lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}
} // namespace detail

/// A URL's path segments, decoded, as views: into the URL's own text for a segment with
/// no escape (almost always), else into a string kept in `decoded`. Routing reads every
/// call's path, and a string per segment (a Gmail id outgrows the small-string buffer)
/// was an allocation each. The views live as long as `url` and `decoded`.
///
/// The path is split by hand as Boost.URL's `segments()` splits it (its iterator cost ~80
/// instructions a segment): after the prefix it skips (a leading "/", or the "/./" or "./"
/// it may have put in front of a path), every '/' ends a segment; "/" and "" have none.
template <class Views>
void decoded_segments(boost::urls::url const& url, Views& segments, std::forward_list<std::string>& decoded) {
    std::string_view path = url.encoded_path();
    if (path.empty() || path == "/")
        return;
    if (path.starts_with("/./"))
        path.remove_prefix(3);
    else if (path.starts_with('/'))
        path.remove_prefix(1);
    else if (path.starts_with("./"))
        path.remove_prefix(2);
    for (;;) {
        auto const end = std::min(path.find('/'), path.size());
        auto const text = path.substr(0, end);
        if (text.find('%') == std::string_view::npos) {
            segments.push_back(text);
        } else {
            decoded.push_front(boost::urls::pct_string_view(text).decode());
            segments.push_back(decoded.front());
        }
        if (end == path.size())
            return;
        path.remove_prefix(end + 1);
    }
}

/// base64url (RFC 4648 §5) decoding that also accepts the standard alphabet and
/// missing or present padding; nullopt on any other character.
GAPI_DECL std::optional<std::string> decode_base64_any(std::string_view text);
/// base64url without padding.
GAPI_DECL std::string encode_base64url(std::string_view bytes);

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/api.ipp>
#endif

#endif
