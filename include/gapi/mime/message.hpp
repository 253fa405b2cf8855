// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_MESSAGE_HPP
#define GAPI_MIME_MESSAGE_HPP

#include <gapi/config.hpp>
#include <gapi/error.hpp>
#include <gapi/mime/address.hpp>
#include <gapi/mime/attachment.hpp>
#include <gapi/mime/content_types.hpp>
#include <gapi/mime/detail/encoding.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/// E-mail messages: addresses, attachments and rendering a `message` as RFC 5322 + MIME.
namespace gapi::mime {

/// The largest message Gmail accepts, 35 MiB, counted on the rendered (encoded) message.
inline constexpr std::size_t max_message_size = detail::gmail_message_limit;

/// An e-mail message to render. Every text is UTF-8; any language works anywhere.
struct message {
    /// The sender. Empty: no From field, and Gmail fills in the authorised user's address.
    address from;
    std::vector<address> to; ///< the To recipients; empty: no To field
    std::vector<address> cc; ///< the Cc recipients; empty: no Cc field
    /// Written as a Bcc field: Gmail needs it to deliver, and removes it from what the
    /// other recipients receive.
    std::vector<address> bcc;
    std::optional<address> reply_to; ///< where replies should go; empty: no Reply-To field
    /// Empty: no Subject field.
    std::string subject;
    /// The plain-text and HTML bodies; either or both (both: multipart/alternative).
    /// Line breaks may be LF or CRLF; they are sent as CRLF (RFC 2046 §4.1.1).
    std::string text_body;
    std::string html_body; ///< the HTML body; see `text_body`
    /// Files sent with the message; inline ones (with a Content-ID) next to the HTML.
    std::vector<attachment> attachments;
    /// Further fields, such as `{"In-Reply-To", "<id@example.com>"}`, `{"References", "..."}`.
    /// Values in US-ASCII are written as given (folded); others as RFC 2047 encoded words.
    /// Names are 1-76 printable ASCII characters without ':'; the fields render writes
    /// itself (From, To, Cc, Bcc, Reply-To, Subject, Date, Message-ID, MIME-Version,
    /// Content-*) cannot be given here.
    std::vector<std::pair<std::string, std::string>> extra_headers;
    /// Bulk senders must let recipients unsubscribe in one click (Gmail's sender rules;
    /// RFC 2369, RFC 8058). Set either or both: render writes `List-Unsubscribe:
    /// <mailto:ADDRESS?subject=unsubscribe>, <URL>`, and with a URL also
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The URL must be `https://`
    /// (RFC 8058) and printable ASCII without spaces, '<' or '>' (`error::invalid_url`).
    std::string unsubscribe_url;
    /// The `mailto:` unsubscribe link's address (only its `email` is used; empty: no such
    /// link); see `unsubscribe_url`.
    address unsubscribe_mailto;
    /// With angle brackets (added if missing), such as `<1f3a...@example.com>`. Empty:
    /// `render` generates a unique one under the sender's domain and stores it here.
    std::string message_id;
    /// Empty: the time of rendering. Written in UTC (`+0000`).
    std::optional<std::chrono::system_clock::time_point> date;
};

/// A new, unique Message-ID under the sender's domain, such as
/// `<3f1c...9a.1777600000000@example.com>` (128 random bits and the time). Set it on a
/// message before sending to find the message later (`rfc822msgid:`), for example to
/// learn whether a send whose answer was lost went through.
GAPI_DECL std::string new_message_id(address const& from);

/// Renders `m` as an RFC 5322 message with MIME (RFC 2045-2047, 2231), CRLF line ends,
/// ready for Gmail's `raw` field or its upload endpoint.
///
/// Headers: non-ASCII text becomes RFC 2047 encoded words (UTF-8); fields are folded at
/// 78 columns where the content allows and never exceed 998. Bodies: text/plain,
/// text/html, or multipart/alternative (plain first); inline attachments go into a
/// multipart/related with the HTML; other attachments into a multipart/mixed. Text
/// travels as 7bit when it can, else quoted-printable; attachments as base64, except
/// message/* and multipart/* ones (a forwarded .eml), which RFC 2046 wants unencoded:
/// 7bit or 8bit, or, when not in canonical CRLF form, as application/octet-stream.
/// Boundaries are random and checked against the content.
///
/// On success, `m.message_id` holds the Message-ID written (generated if it was empty),
/// so the caller can later look for the message with `rfc822msgid:`.
///
/// Errors, all before anything is produced and with `m` unchanged:
/// - `header_injection`: CR, LF or NUL in the subject, a display name, an address, a file
///   name, an extra header's name or value, the Message-ID or a Content-ID; an extra
///   header's name that is not a field name or is one render writes itself; a content
///   type that is not printable ASCII of the form type/subtype; a Message-ID or
///   Content-ID with spaces or control characters.
/// - `invalid_utf8`: a display name, the subject, a file name, an extra header's value or
///   a body that is not well-formed UTF-8 (attachment data may hold any bytes).
/// - `invalid_address`: an address that `validate_address` refuses.
/// - `invalid_url`: an unsubscribe URL that is not https, or not printable ASCII.
/// - `message_too_large`: the rendered message would exceed `max_message_size`.
///
/// Thread safety: distinct messages may be rendered concurrently.
GAPI_DECL boost::system::result<std::string> render(message& m);

} // namespace gapi::mime

#ifdef GAPI_HEADER_ONLY
#include <gapi/mime/impl/message.ipp>
#endif

#endif
