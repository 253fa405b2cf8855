// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_HTTP_URL_HPP
#define GAPI_HTTP_URL_HPP

#include <gapi/config.hpp>
#include <gapi/error.hpp>

#include <boost/system/result.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace gapi::http {

/// @var gapi::http::scheme::http
/// Plain TCP, port 80 by default.
/// @var gapi::http::scheme::https
/// TLS, port 443 by default.

/// The URL schemes the transport speaks.
enum class scheme : std::uint8_t { http, https };

/// Where a connection goes: the (scheme, host, port) triple that keys the
/// connection pool. Two URLs with equal origins may share connections.
struct origin {
    http::scheme scheme = scheme::https; ///< http or https
    std::string host;       ///< decoded host name or IP address (IPv6 without brackets)
    std::uint16_t port = 0; ///< always explicit: 80 or 443 when the URL names none

    /// `host[:port]` as it belongs in a Host header (port omitted when it is the default).
    GAPI_DECL std::string host_header() const;
    /// `scheme://host[:port]`
    GAPI_DECL std::string to_string() const;
    /// Whether connections to this origin use TLS (https).
    bool is_tls() const noexcept { return scheme == scheme::https; }

    /// Member-wise: the same scheme, host (as written, case included) and port.
    friend bool operator==(origin const&, origin const&) = default;
    /// Member-wise, in declaration order, so that origins can key ordered containers.
    friend auto operator<=>(origin const&, origin const&) = default;
};

/// The origin of an absolute http or https URL; `error::invalid_url` when the URL has
/// no host, `error::unsupported_scheme` for any scheme but http and https.
GAPI_DECL boost::system::result<origin> origin_of(boost::urls::url_view url);

/// The origin of a URL given as text; also `error::invalid_url` when it does not parse.
GAPI_DECL boost::system::result<origin> parse_origin(std::string_view url);

/// The request-target (path and query, `/` when the path is empty) to send for `url`.
GAPI_DECL std::string request_target(boost::urls::url_view url);

/// Whether `target` may go out as a request-target as it is: it starts with '/' and holds
/// no space, control character, '#' or byte outside ASCII, so nothing in it can end the
/// request line or the URL early. (A coarse check, not a full parse of RFC 9112's
/// origin-form: gapi's builders percent-encode everything else themselves.)
GAPI_DECL bool is_origin_form(std::string_view target) noexcept;

/// Appends `text` to `out`, percent-encoding what `allowed` does not hold. Most ids and
/// names need nothing encoded: they are copied as they are.
inline void append_encoded(std::string& out, std::string_view text, boost::urls::grammar::lut_chars const& allowed) {
    if (std::all_of(text.begin(), text.end(), [&](char c) { return allowed(c); })) {
        out += text;
        return;
    }
    auto const at = out.size();
    out.resize(at + boost::urls::encoded_size(text, allowed));
    boost::urls::encode(out.data() + at, out.size() - at, text, allowed);
}

/// Appends `key=value` to `out`, percent-encoding all but RFC 3986's unreserved characters
/// in both. Unlike Boost.URL 1.81's `params().append`, which leaves a '+' as it is, where
/// Google (and Boost.URL's own decoding) would read a space: a search for
/// `from:jo+news@example.com` must arrive intact. The one rule for every query gapi writes.
inline void append_query_pair(std::string& out, std::string_view key, std::string_view value) {
    append_encoded(out, key, boost::urls::unreserved_chars);
    out += '=';
    append_encoded(out, value, boost::urls::unreserved_chars);
}

/// Appends `key=value` to the query of `url`, encoded as `append_query_pair` does.
GAPI_DECL void append_query(boost::urls::url& url, std::string_view key, std::string_view value);

} // namespace gapi::http

#ifdef GAPI_HEADER_ONLY
#include <gapi/http/impl/url.ipp>
#endif

#endif
