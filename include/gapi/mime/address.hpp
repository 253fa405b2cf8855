// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_ADDRESS_HPP
#define GAPI_MIME_ADDRESS_HPP

#include <gapi/config.hpp>
#include <gapi/error.hpp>
#include <gapi/mime/detail/encoding.hpp>

#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace gapi::mime {

/// A mailbox (RFC 5322 §3.4): an optional display name and an address.
struct address {
    std::string name;  ///< display name in UTF-8, any language; empty for none
    std::string email; ///< addr-spec `local@domain`, US-ASCII (an IDN domain in its xn-- form)

    /// Member-wise: the same name and the same address, byte for byte.
    friend bool operator==(address const&, address const&) = default;
};

/// Parses one mailbox as people write it: `Name <a@example.com>`,
/// `"Doe, John" <a@example.com>`, `<a@example.com>` or `a@example.com`. The display
/// name is taken literally (quotes removed, runs of whitespace outside them made one
/// space); it is not RFC 2047-decoded.
///
/// Errors: `header_injection` if the text holds CR, LF or NUL; `invalid_address` if the
/// brackets or quotes do not close, or the address fails `validate_address`.
GAPI_DECL boost::system::result<address> parse_address(std::string_view text);

/// Parses a comma-separated list of mailboxes (commas inside quotes or angle brackets do
/// not separate), such as a `--to` command-line flag. Empty items are skipped.
/// Errors: as `parse_address`, for the first item that fails.
GAPI_DECL boost::system::result<std::vector<address>> parse_address_list(std::string_view text);

/// Checks a mailbox before it goes into a header.
///
/// The address must be `local@domain`, at most 254 characters (RFC 5321 §4.5.3.1):
/// the local part a dot-atom (no leading, trailing or doubled dot) or a quoted string,
/// at most 64 characters; the domain at least two dot-separated labels of letters,
/// digits and inner hyphens, each at most 63 characters. Non-ASCII (an internationalised
/// domain or local part) is refused: Gmail's API takes IDN domains only in their
/// punycode `xn--` form, which passes. Domain literals (`[192.0.2.1]`) are refused too.
///
/// Errors: `header_injection` for CR, LF or NUL in the name or the address;
/// `invalid_utf8` for a name that is not well-formed UTF-8; `invalid_address` otherwise.
GAPI_DECL error_code validate_address(address const& mailbox) noexcept;

/// The mailbox as it appears in a header, unfolded: the address alone when there is no
/// name; otherwise the name, then `<address>`. A name of plain words stays as it is;
/// other ASCII names are quoted (RFC 5322 §3.2.4), and names with other characters, or
/// that would not fit a 78-column line, become RFC 2047 encoded words (UTF-8, B or Q,
/// whichever is shorter), e.g. `=?UTF-8?B?zpPOuc+Oz4HOs86/z4I=?= <g@example.gr>`.
/// Errors: as `validate_address`.
GAPI_DECL boost::system::result<std::string> format_address(address const& mailbox);

namespace detail {

/// Appends a mailbox that `validate_address` accepted to a header being written,
/// `suffix` (a list's comma) glued to its last token.
GAPI_DECL void write_address(header_writer& writer, address const& mailbox, std::string_view suffix);

} // namespace detail

} // namespace gapi::mime

#ifdef GAPI_HEADER_ONLY
#include <gapi/mime/impl/address.ipp>
#endif

#endif
