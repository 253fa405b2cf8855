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
#include <vector>

// Gmail v1 resources as the discovery document names them. Unknown fields are ignored;
// a missing required field (an id) makes `value_to` throw, which the service reports
// as `error::malformed_response`.
namespace gapi::gmail {

struct header {
    std::string name;
    std::string value;
};

struct message_part_body {
    std::string attachment_id;
    std::int64_t size = 0;
    std::string data; ///< decoded bytes (the API sends base64url)
};

struct message_part {
    std::string part_id;
    std::string mime_type;
    std::string filename;
    std::vector<header> headers;
    message_part_body body;
    std::vector<message_part> parts;
};

struct message {
    std::string id;
    std::string thread_id;
    std::vector<std::string> label_ids;
    std::string snippet;
    std::string history_id;
    std::int64_t internal_date = 0; ///< milliseconds since the epoch
    std::int64_t size_estimate = 0;
    std::string raw; ///< the decoded RFC 822 message, with format=raw
    std::optional<message_part> payload;
};

struct message_ref {
    std::string id;
    std::string thread_id;
};

struct message_list {
    std::vector<message_ref> messages;
    std::string next_page_token;
    std::int64_t result_size_estimate = 0;
};

struct draft {
    std::string id;
    gmail::message message;
};

struct draft_list {
    std::vector<draft> drafts;
    std::string next_page_token;
    std::int64_t result_size_estimate = 0;
};

struct label {
    std::string id;
    std::string name;
    std::string type; ///< "system" or "user"
    std::string message_list_visibility;
    std::string label_list_visibility;
};

struct profile {
    std::string email_address;
    std::int64_t messages_total = 0;
    std::int64_t threads_total = 0;
    std::string history_id;
};

GAPI_DECL message_part tag_invoke(boost::json::value_to_tag<message_part>, boost::json::value const& v);
GAPI_DECL message tag_invoke(boost::json::value_to_tag<message>, boost::json::value const& v);
GAPI_DECL message_ref tag_invoke(boost::json::value_to_tag<message_ref>, boost::json::value const& v);
GAPI_DECL message_list tag_invoke(boost::json::value_to_tag<message_list>, boost::json::value const& v);
GAPI_DECL draft tag_invoke(boost::json::value_to_tag<draft>, boost::json::value const& v);
GAPI_DECL draft_list tag_invoke(boost::json::value_to_tag<draft_list>, boost::json::value const& v);
GAPI_DECL label tag_invoke(boost::json::value_to_tag<label>, boost::json::value const& v);
GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, label const& l);
GAPI_DECL profile tag_invoke(boost::json::value_to_tag<profile>, boost::json::value const& v);

} // namespace gapi::gmail

#ifdef GAPI_HEADER_ONLY
#include <gapi/gmail/impl/resources.ipp>
#endif

#endif
