// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_GMAIL_DETAIL_REQUESTS_HPP
#define GAPI_GMAIL_DETAIL_REQUESTS_HPP

// The Gmail requests gapi sends, built without I/O: path, query, body, method id,
// quota cost and whether they may be replayed.

#include <gapi/auth/detail/crypto.hpp>
#include <gapi/detail/api_call.hpp>
#include <gapi/gmail/v1/methods.hpp>
#include <gapi/http/url.hpp>
#include <gapi/detail/json_fields.hpp>
#include <gapi/gmail/gmail_service.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value_from.hpp>

namespace gapi::gmail {

namespace detail {

namespace bhttp = boost::beast::http;

inline std::string_view format_name(message_format f) {
    switch (f) {
    case message_format::metadata: return "metadata";
    case message_format::minimal: return "minimal";
    case message_format::raw: return "raw";
    case message_format::full: break;
    }
    return "full";
}

using gapi::detail::json_request;
using gapi::detail::make_request;
using call = gapi::detail::api_method;

// root + ["upload"] + /gmail/v1/users/{userId}/ + path segments.
inline gapi::detail::built_url
endpoint(gmail_options const& o, std::initializer_list<std::string_view> segments, bool upload = false,
         std::initializer_list<std::pair<std::string_view, std::string_view>> query = {}) {
    return upload ? gapi::detail::api_url(o.root, {"upload", "gmail", "v1", "users", o.user_id}, segments, query)
                  : gapi::detail::api_url(o.root, {"gmail", "v1", "users", o.user_id}, segments, query);
}

// `Url`: a `built_url`, or a `boost::urls::url` given whole (an upload session's).
template <class Url>
http::request rfc822_request(call const& c, http::verb method, Url url, std::string rfc822) {
    auto req = make_request(c, method, std::move(url));
    req.headers.set(bhttp::field::content_type, "message/rfc822");
    req.body = std::move(rfc822);
    return req;
}

// What the hand-written operations send: the method ids, quota units and idempotency of
// the generated layer, which has them from the discovery document and the quota table.
inline constexpr call const& messages_send = v1::methods::users_messages_send;
inline constexpr call const& drafts_create = v1::methods::users_drafts_create;
inline constexpr call const& drafts_send = v1::methods::users_drafts_send;
inline constexpr call const& drafts_get = v1::methods::users_drafts_get;
inline constexpr call const& drafts_list = v1::methods::users_drafts_list;
inline constexpr call const& drafts_delete = v1::methods::users_drafts_delete;
inline constexpr call const& labels_list = v1::methods::users_labels_list;
inline constexpr call const& labels_create = v1::methods::users_labels_create;
inline constexpr call const& messages_list = v1::methods::users_messages_list;
inline constexpr call const& messages_get = v1::methods::users_messages_get;
inline constexpr call const& get_profile = v1::methods::users_get_profile;

// An upload URL: /upload/gmail/v1/users/{userId}/{segments...}?uploadType=...
inline gapi::detail::built_url upload_url(gmail_options const& o, std::initializer_list<std::string_view> segments,
                                   std::string_view upload_type) {
    return endpoint(o, segments, true, {{"uploadType", upload_type}});
}

// A JSON body that carries a message as `raw`: `prefix` + base64url + `suffix`, written
// in one string. base64url needs no JSON escaping, so no JSON value is built and
// serialized (which copied the encoded message twice more).
inline http::request raw_json_request(call const& c, gapi::detail::built_url url, std::string_view prefix,
                                      std::string_view rfc822, std::string_view suffix) {
    auto req = make_request(c, http::verb::post, std::move(url));
    req.headers.set(bhttp::field::content_type, "application/json; charset=UTF-8");
    req.body.reserve(prefix.size() + (rfc822.size() + 2) / 3 * 4 + suffix.size());
    req.body.append(prefix);
    auth::detail::append_base64url(req.body, rfc822);
    req.body.append(suffix);
    return req;
}

// messages.send's URL for a message sent as JSON.
inline gapi::detail::built_url send_url(gmail_options const& o) { return endpoint(o, {"messages", "send"}); }

// messages.send for a message that fits JSON or a single media upload. `prepared`: `o`'s
// `send_url`, built before, if at hand.
inline http::request send_request(gmail_options const& o, std::string rfc822,
                                  gapi::detail::built_url const* prepared = nullptr) {
    if (rfc822.size() <= o.json_limit)
        return raw_json_request(messages_send, prepared ? *prepared : send_url(o), R"({"raw":")", rfc822, R"("})");
    return rfc822_request(messages_send, http::verb::post, upload_url(o, {"messages", "send"}, "media"),
                          std::move(rfc822));
}

// The first step of a resumable upload: ask for a session URL.
inline http::request resumable_start_request(gmail_options const& o, std::size_t size) {
    auto req = json_request(messages_send, http::verb::post, upload_url(o, {"messages", "send"}, "resumable"),
                            boost::json::object{});
    req.headers.set("X-Upload-Content-Type", "message/rfc822");
    req.headers.set("X-Upload-Content-Length", std::to_string(size));
    return req;
}

inline http::request create_draft_request(gmail_options const& o, std::string rfc822) {
    if (rfc822.size() <= o.json_limit)
        return raw_json_request(drafts_create, endpoint(o, {"drafts"}), R"({"message":{"raw":")", rfc822, R"("}})");
    return rfc822_request(drafts_create, http::verb::post, upload_url(o, {"drafts"}, "media"), std::move(rfc822));
}

inline http::request send_draft_request(gmail_options const& o, std::string const& id) {
    return json_request(drafts_send, http::verb::post, endpoint(o, {"drafts", "send"}), boost::json::object{{"id", id}});
}

inline http::request get_draft_request(gmail_options const& o, std::string const& id, message_format format) {
    return make_request(drafts_get, http::verb::get,
                        endpoint(o, {"drafts", id}, false, {{"format", format_name(format)}}));
}

inline http::request list_drafts_request(gmail_options const& o, std::size_t max_results, std::string const& page_token,
                                        std::string const& q = {}) {
    auto url = endpoint(o, {"drafts"});
    url.add_query("maxResults", std::to_string(max_results));
    if (!q.empty())
        url.add_query("q", q);
    if (!page_token.empty())
        url.add_query("pageToken", page_token);
    return make_request(drafts_list, http::verb::get, std::move(url));
}

inline http::request list_messages_request(gmail_options const& o, list_query const& query) {
    auto url = endpoint(o, {"messages"});
    if (!query.q.empty())
        url.add_query("q", query.q);
    for (auto const& id : query.label_ids)
        url.add_query("labelIds", id);
    url.add_query("maxResults", std::to_string(query.max_results));
    if (!query.page_token.empty())
        url.add_query("pageToken", query.page_token);
    if (query.include_spam_trash)
        url.add_query("includeSpamTrash", "true");
    return make_request(messages_list, http::verb::get, std::move(url));
}

// The URL every messages.get of `o` begins with (`/gmail/v1/users/{userId}/messages`).
inline gapi::detail::built_url messages_url(gmail_options const& o) { return endpoint(o, {"messages"}); }

// `prepared`: `o`'s `messages_url`, built before, if at hand.
inline http::request get_message_request(gmail_options const& o, std::string const& id, message_format format,
                                         gapi::detail::built_url const* prepared = nullptr) {
    if (prepared) {
        // The query as `add_query` writes it, without its search for a '?' and its check
        // of each byte (~450 instructions a call): the prefix has no query, and neither
        // "format" nor its values need encoding.
        constexpr std::string_view query_key = "?format=";
        auto const value = format_name(format);
        gapi::detail::built_url url;
        url.origin = prepared->origin;
        url.target.reserve(prepared->target.size() + 1 + id.size() + query_key.size() + value.size());
        url.target.assign(prepared->target).append(1, '/');
        http::append_encoded(url.target, id, boost::urls::pchars);
        url.target.append(query_key).append(value);
        return make_request(messages_get, http::verb::get, std::move(url));
    }
    return make_request(messages_get, http::verb::get,
                        endpoint(o, {"messages", id}, false, {{"format", format_name(format)}}));
}

inline http::request delete_draft_request(gmail_options const& o, std::string const& id) {
    return make_request(drafts_delete, http::verb::delete_, endpoint(o, {"drafts", id}));
}

inline http::request list_labels_request(gmail_options const& o) {
    return make_request(labels_list, http::verb::get, endpoint(o, {"labels"}));
}

inline http::request create_label_request(gmail_options const& o, label const& l) {
    return json_request(labels_create, http::verb::post, endpoint(o, {"labels"}), boost::json::value_from(l));
}

inline http::request get_profile_request(gmail_options const& o) {
    return make_request(get_profile, http::verb::get, endpoint(o, {"profile"}));
}

// labels.list answers {"labels": [...]}, leaving the member out when there are none.
struct label_list {
    std::vector<label> labels;
};

inline label_list tag_invoke(boost::json::value_to_tag<label_list>, boost::json::value const& v) {
    return {gapi::detail::json_fields::list<label>(gapi::detail::json_fields::object_of(v), "labels")};
}

} // namespace detail

} // namespace gapi::gmail

#endif
