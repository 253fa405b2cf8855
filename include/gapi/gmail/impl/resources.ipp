// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_GMAIL_IMPL_RESOURCES_IPP
#define GAPI_GMAIL_IMPL_RESOURCES_IPP

#include <gapi/auth/detail/crypto.hpp>
#include <gapi/detail/json_fields.hpp>
#include <gapi/gmail/resources.hpp>

#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <stdexcept>

namespace gapi::gmail {

namespace detail {

using namespace gapi::detail::json_fields;

// base64url as Gmail writes it, padded or not.
inline std::string decode_base64url(std::string_view text) {
    auto bytes = auth::detail::base64url_decode(text);
    if (!bytes)
        throw std::invalid_argument("gmail resource: malformed base64url data");
    return std::move(*bytes);
}

} // namespace detail

GAPI_DECL message_part tag_invoke(boost::json::value_to_tag<message_part>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    message_part p;
    p.part_id = detail::text(o, "partId");
    p.mime_type = detail::text(o, "mimeType");
    p.filename = detail::text(o, "filename");
    if (auto const* hs = o.if_contains("headers"); hs && hs->is_array())
        for (auto const& h : hs->as_array()) {
            auto const& ho = detail::object_of(h);
            p.headers.push_back({detail::text(ho, "name"), detail::text(ho, "value")});
        }
    if (auto const* b = o.if_contains("body"); b && b->is_object()) {
        auto const& bo = b->as_object();
        p.body.attachment_id = detail::text(bo, "attachmentId");
        p.body.size = detail::integer(bo, "size");
        p.body.data = detail::decode_base64url(detail::text(bo, "data"));
    }
    p.parts = detail::list<message_part>(o, "parts");
    return p;
}

GAPI_DECL message tag_invoke(boost::json::value_to_tag<message>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    message m;
    m.id = detail::required_text(o, "id");
    m.thread_id = detail::text(o, "threadId");
    m.label_ids = detail::list<std::string>(o, "labelIds");
    m.snippet = detail::text(o, "snippet");
    m.history_id = detail::text(o, "historyId");
    m.internal_date = detail::integer(o, "internalDate");
    m.size_estimate = detail::integer(o, "sizeEstimate");
    m.raw = detail::decode_base64url(detail::text(o, "raw"));
    if (auto const* p = o.if_contains("payload"); p && p->is_object())
        m.payload = boost::json::value_to<message_part>(*p);
    return m;
}

GAPI_DECL message_ref tag_invoke(boost::json::value_to_tag<message_ref>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::required_text(o, "id"), detail::text(o, "threadId")};
}

GAPI_DECL message_list tag_invoke(boost::json::value_to_tag<message_list>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::list<message_ref>(o, "messages"), detail::text(o, "nextPageToken"),
            detail::integer(o, "resultSizeEstimate")};
}

GAPI_DECL draft tag_invoke(boost::json::value_to_tag<draft>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    draft d;
    d.id = detail::required_text(o, "id");
    if (auto const* m = o.if_contains("message"); m && m->is_object())
        d.message = boost::json::value_to<message>(*m);
    return d;
}

GAPI_DECL draft_list tag_invoke(boost::json::value_to_tag<draft_list>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::list<draft>(o, "drafts"), detail::text(o, "nextPageToken"),
            detail::integer(o, "resultSizeEstimate")};
}

GAPI_DECL label tag_invoke(boost::json::value_to_tag<label>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::required_text(o, "id"), detail::text(o, "name"), detail::text(o, "type"),
            detail::text(o, "messageListVisibility"), detail::text(o, "labelListVisibility")};
}

GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, label const& l) {
    boost::json::object o;
    if (!l.id.empty())
        o["id"] = l.id;
    o["name"] = l.name;
    if (!l.message_list_visibility.empty())
        o["messageListVisibility"] = l.message_list_visibility;
    if (!l.label_list_visibility.empty())
        o["labelListVisibility"] = l.label_list_visibility;
    v = std::move(o);
}

GAPI_DECL profile tag_invoke(boost::json::value_to_tag<profile>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::required_text(o, "emailAddress"), detail::integer(o, "messagesTotal"),
            detail::integer(o, "threadsTotal"), detail::text(o, "historyId")};
}

} // namespace gapi::gmail

#endif
