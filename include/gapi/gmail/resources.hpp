// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_GMAIL_RESOURCES_HPP
#define GAPI_GMAIL_RESOURCES_HPP

#include <gapi/config.hpp>

#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Gmail v1 resources as the discovery document names them. Unknown fields are ignored;
// a missing required field (an id) makes `value_to` throw, which the service reports
// as `error::malformed_response`.
namespace gapi::gmail {

/// One header field of a message part (MessagePartHeader), as Gmail parsed it.
struct header {
    std::string name;  ///< e.g. "Subject"
    std::string value; ///< the field's value, as Gmail gives it
    /// Member-wise.
    friend bool operator==(header const&, header const&) = default;
};

/// The body of a message part (MessagePartBody).
struct message_part_body {
    std::string attachment_id; ///< set for an attachment fetched separately (`data` is then empty)
    std::int64_t size = 0;     ///< the body's size in bytes
    std::string data; ///< decoded bytes (the API sends base64url)
    /// Member-wise.
    friend bool operator==(message_part_body const&, message_part_body const&) = default;
};

/// One part of a message's MIME tree (MessagePart).
struct message_part {
    std::string part_id;   ///< the part's position in the tree, e.g. "0.1"; empty for the root
    std::string mime_type; ///< e.g. "text/plain", "multipart/alternative"
    std::string filename;  ///< the attachment's file name; empty for other parts
    std::vector<header> headers; ///< the part's header fields, in order
    message_part_body body;      ///< the part's body; empty for a multipart container
    std::vector<message_part> parts; ///< the child parts of a multipart part
    /// Member-wise.
    friend bool operator==(message_part const&, message_part const&) = default;
};

/// A Gmail message (Message). Which members are filled depends on the call and its
/// `message_format`.
struct message {
    std::string id;        ///< Gmail's immutable message id
    std::string thread_id; ///< the id of the message's thread
    std::vector<std::string> label_ids; ///< e.g. "INBOX", "SENT", "UNREAD", or user label ids
    std::string snippet;    ///< a short part of the message text
    std::string history_id; ///< the last history record that changed the message
    std::int64_t internal_date = 0; ///< milliseconds since the epoch
    std::int64_t size_estimate = 0; ///< the message's estimated size in bytes
    std::string raw; ///< the decoded RFC 822 message, with format=raw
    std::optional<message_part> payload; ///< the parsed MIME tree, with format=full or metadata
    /// Member-wise.
    friend bool operator==(message const&, message const&) = default;
};

/// A message as messages.list names it.
struct message_ref {
    std::string id;        ///< the message's id
    std::string thread_id; ///< its thread's id
};

/// One page of messages.list (ListMessagesResponse).
struct message_list {
    std::vector<message_ref> messages; ///< the page's messages; empty when none matched
    std::string next_page_token;       ///< for the next page; empty on the last
    std::int64_t result_size_estimate = 0; ///< Gmail's estimate of the total number of results
};

/// A draft (Draft): an id and the message it holds.
struct draft {
    std::string id;         ///< the draft's id (not its message's)
    gmail::message message; ///< the draft's message
};

/// One page of drafts.list (ListDraftsResponse).
struct draft_list {
    std::vector<draft> drafts;   ///< the page's drafts, each with its message's ids only
    std::string next_page_token; ///< for the next page; empty on the last
    std::int64_t result_size_estimate = 0; ///< Gmail's estimate of the total number of drafts
};

/// A label (Label).
struct label {
    std::string id;   ///< Gmail's id: the name for system labels ("INBOX"), "Label_..." for user labels
    std::string name; ///< the name shown to the user
    std::string type; ///< "system" or "user"
    std::string message_list_visibility; ///< "show" or "hide"; empty: Gmail's default
    std::string label_list_visibility;   ///< "labelShow", "labelShowIfUnread" or "labelHide"; empty: default
};

/// The mailbox's profile (Profile).
struct profile {
    std::string email_address;       ///< the mailbox's address
    std::int64_t messages_total = 0; ///< messages in the mailbox
    std::int64_t threads_total = 0;  ///< threads in the mailbox
    std::string history_id;          ///< the mailbox's current history id
};

/// Reads a MessagePart; bodies are decoded from base64url. Throws for data that is not
/// base64url or a member of the wrong type.
GAPI_DECL message_part tag_invoke(boost::json::value_to_tag<message_part>, boost::json::value const& v);
/// Reads a Message. Throws when "id" is missing, `raw` or a body is not base64url, or a
/// member has the wrong type.
GAPI_DECL message tag_invoke(boost::json::value_to_tag<message>, boost::json::value const& v);
/// Reads a Message as Gmail answers a send or a get without its payload (format=minimal)
/// straight from `json`, without building a JSON document. True: `out` holds what
/// `value_to<message>` would give. False: the text holds something this reader leaves to
/// `value_to` (a payload, raw data, a member of an unexpected type, a repeated member, a
/// syntax error); `out` is then unspecified.
GAPI_DECL bool read_flat(boost::json::value_to_tag<message>, std::string_view json, message& out);
/// Reads a message reference. Throws when "id" is missing or a member has the wrong type.
GAPI_DECL message_ref tag_invoke(boost::json::value_to_tag<message_ref>, boost::json::value const& v);
/// Reads a ListMessagesResponse; a missing "messages" is an empty list. Throws as the
/// message reference's conversion does.
GAPI_DECL message_list tag_invoke(boost::json::value_to_tag<message_list>, boost::json::value const& v);
/// Reads a Draft. Throws when "id" is missing or a member has the wrong type.
GAPI_DECL draft tag_invoke(boost::json::value_to_tag<draft>, boost::json::value const& v);
/// Reads a ListDraftsResponse; a missing "drafts" is an empty list. Throws as the
/// Draft's conversion does.
GAPI_DECL draft_list tag_invoke(boost::json::value_to_tag<draft_list>, boost::json::value const& v);
/// Reads a Label. Throws when "id" is missing or a member has the wrong type.
GAPI_DECL label tag_invoke(boost::json::value_to_tag<label>, boost::json::value const& v);
/// Writes a Label for labels.create: "name" always; "id" and the visibilities when set;
/// never "type".
GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, label const& l);
/// Reads a Profile. Throws when "emailAddress" is missing or a member has the wrong type.
GAPI_DECL profile tag_invoke(boost::json::value_to_tag<profile>, boost::json::value const& v);

} // namespace gapi::gmail

#ifdef GAPI_HEADER_ONLY
#include <gapi/gmail/impl/resources.ipp>
#endif

#endif
