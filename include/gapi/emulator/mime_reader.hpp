// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_MIME_READER_HPP
#define GAPI_EMULATOR_MIME_READER_HPP

#include <gapi/config.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The emulator's own reader for RFC 5322 messages and MIME (RFC 2045-2047, 2231).
// It exists so the emulator checks what clients send with code that shares nothing
// with the client side. It is lenient the way a mail server is: deviations that a
// receiving MTA tolerates are recorded as `defects` instead of failing the read, so
// tests can still assert that a client produced clean MIME.
namespace gapi::emulator {

/// One header field: `value` is unfolded (line breaks before whitespace removed) and
/// trimmed, but not RFC 2047-decoded.
struct mime_header {
    std::string name;  ///< the field name as written
    std::string value; ///< unfolded and trimmed, still RFC 2047-encoded
};

/// A mailbox from an address list; `name` is RFC 2047-decoded UTF-8, `email` as written.
struct mime_address {
    std::string name;  ///< the display name, RFC 2047-decoded UTF-8; "" when absent
    std::string email; ///< the address (`local@domain`) as written
    /// Equal names and equal addresses.
    friend bool operator==(mime_address const&, mime_address const&) = default;
};

/// A header value split into its main token and parameters, as in Content-Type and
/// Content-Disposition.
struct mime_header_params {
    std::string value; ///< lowercase, e.g. "multipart/mixed"
    std::map<std::string, std::string>
        params; ///< lowercase names; values unquoted, RFC 2231 joined and decoded
};

/// One entity: the whole message or one part of a multipart.
struct mime_part {
    std::vector<mime_header> headers;                       ///< the header fields, in order
    std::string mime_type = "text/plain";                   ///< lowercase "type/subtype"
    std::map<std::string, std::string> content_type_params; ///< charset, boundary, name, ...
    std::string disposition;                                ///< lowercase, "" when absent
    std::map<std::string, std::string> disposition_params;  ///< filename, ...
    std::string transfer_encoding;                          ///< lowercase, "" when absent
    std::string filename;         ///< UTF-8: Content-Disposition filename, else Content-Type name
    std::string body;             ///< leaf parts: the content with the transfer encoding removed
    std::vector<mime_part> parts; ///< multipart children, in order
    std::string preamble;         ///< multipart text before the first delimiter
    std::string epilogue;         ///< multipart text after the close delimiter

    /// Whether the type is multipart/* (its children are in `parts`).
    bool is_multipart() const noexcept { return mime_type.starts_with("multipart/"); }
    /// The first field of that name (case-insensitive).
    GAPI_DECL std::optional<std::string_view> header(std::string_view name) const;
    /// Every field of that name, in order.
    GAPI_DECL std::vector<std::string_view> all_headers(std::string_view name) const;
    /// The charset parameter, lowercase; "us-ascii" when absent.
    GAPI_DECL std::string charset() const;
};

/// How `read_mime` reads.
struct mime_read_options {
    std::size_t max_depth = 32; ///< deeper multipart nesting fails the read
    bool strict = false;        ///< fail on the first defect instead of recording it
};

/// What `read_mime` found. Either `root` is set, or `error` says why not.
struct mime_read_result {
    std::optional<mime_part> root;    ///< the message as a tree of parts; empty when the read failed
    std::string error;                ///< why the read failed; "" when it did not
    std::vector<std::string> defects; ///< tolerated deviations, in the order found

    /// Whether the read succeeded (`root` is set).
    explicit operator bool() const noexcept { return root.has_value(); }
};

/// Reads a message (header section, blank line, body) into a tree of parts. Accepts
/// CRLF and bare LF line ends. Fails only on empty input or nesting beyond
/// `max_depth` (and, with `strict`, on any defect). Never throws except std::bad_alloc.
GAPI_DECL mime_read_result read_mime(std::string_view raw, mime_read_options const& options = {});

/// Decodes RFC 2047 encoded words (B and Q; UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15,
/// Windows-1252) to UTF-8. Whitespace between adjacent encoded words is dropped; words
/// with an unknown charset or malformed content stay as written.
GAPI_DECL std::string decode_encoded_words(std::string_view text);

/// Parses an RFC 5322 address list (display names with quoted strings, comments and
/// encoded words; angle addresses; bare addresses; groups, whose members are listed
/// flat). nullopt when the list does not parse or an address is not local@domain.with.dot.
GAPI_DECL std::optional<std::vector<mime_address>> parse_address_list(std::string_view text);

/// Splits `type/subtype; a=b; c*0*=utf-8''%CE%93` style values (RFC 2045 + RFC 2231).
GAPI_DECL mime_header_params parse_header_params(std::string_view value);

/// Converts text in one of the charsets above to UTF-8; nullopt for other charsets.
GAPI_DECL std::optional<std::string> charset_to_utf8(std::string_view bytes, std::string_view charset);

/// The message with every header field called `name` (and its continuation lines)
/// removed from the header section; every other byte is kept as it was.
GAPI_DECL std::string remove_header_field(std::string_view raw, std::string_view name);

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/mime_reader.ipp>
#endif

#endif
