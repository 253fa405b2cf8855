// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_GMAIL_IMPL_GMAIL_SERVICE_IPP
#define GAPI_GMAIL_IMPL_GMAIL_SERVICE_IPP

#include <gapi/auth/detail/crypto.hpp>
#include <gapi/gmail/gmail_service.hpp>
#include <gapi/gmail/v1/methods.hpp>
#include <gapi/gmail/detail/requests.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <optional>

namespace gapi::gmail {

GAPI_DECL v1::users_resource gmail_service::users() const {
    return v1::users_resource{generated()};
}

GAPI_DECL gmail_service::gmail_service(client& c, gmail_options options) : client_(&c), options_(nullptr) {
    if (options.root.empty())
        options.root = c.endpoints().gmail;
    adopt(std::move(options));
}

GAPI_DECL void gmail_service::adopt(gmail_options options) {
    auto prepared = std::make_shared<prepared_options>();
    prepared->options = std::move(options);
    prepared->send_url = detail::send_url(prepared->options);
    prepared->messages_url = detail::messages_url(prepared->options);
    prepared_ = prepared.get();
    options_ = std::shared_ptr<gmail_options const>(std::move(prepared), &prepared_->options);
}

GAPI_DECL gmail_service::operation<message> gmail_service::do_send(gmail_service self, mime::message msg) {
    auto rendered = mime::render(msg);
    if (!rendered)
        return gapi::detail::refused<message>(rendered.error());
    return do_send_raw(std::move(self), std::move(*rendered));
}

namespace detail {

// The Message-ID field of a raw message's header block, without its angle brackets;
// empty when there is none. Lines end in CRLF or LF; the block ends at the first empty
// line; a field may be folded onto the lines after it (RFC 5322 2.2.3), and its name may
// be followed by white space before the colon (the obsolete syntax of RFC 5322 4.5,
// which Gmail reads as the same field).
inline std::string message_id_of(std::string_view raw) {
    constexpr std::string_view name = "message-id";
    // Where the field's value starts in `line`, or npos when `line` is another field.
    auto const value_at = [name](std::string_view line) {
        // ASCII (Beast's), not std::tolower: under a Turkish locale 'I' does not lower to 'i'.
        if (line.size() <= name.size() || !boost::beast::iequals(line.substr(0, name.size()), name))
            return std::string_view::npos;
        auto colon = name.size();
        while (colon < line.size() && (line[colon] == ' ' || line[colon] == '\t'))
            ++colon;
        return colon < line.size() && line[colon] == ':' ? colon + 1 : std::string_view::npos;
    };
    std::size_t pos = 0;
    auto const next_line = [&] {
        auto const lf = raw.find('\n', pos);
        auto const eol = lf == std::string_view::npos ? raw.size() : lf;
        auto line = raw.substr(pos, eol - pos);
        pos = eol == raw.size() ? eol : eol + 1;
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        return line;
    };
    auto const continues = [&] { return pos < raw.size() && (raw[pos] == ' ' || raw[pos] == '\t'); };
    while (pos < raw.size()) {
        auto const line = next_line();
        if (line.empty())
            break;
        auto const at = value_at(line);
        if (at == std::string_view::npos)
            continue;
        std::string value(line.substr(at));
        while (continues())
            value += next_line();
        auto const open = value.find('<');
        auto const close = value.find('>', open);
        if (open != std::string::npos && close != std::string::npos)
            return value.substr(open + 1, close - open - 1);
    }
    return {};
}

// For a send whose answer was lost: asks Gmail whether the sender's mailbox holds the
// message (`rfc822msgid:`), and answers with its id as a send would.
inline gapi::pipeline::call_traits never_twice(gapi::detail::call_context ctx, gmail_options const& o,
                                               std::string message_id) {
    gapi::pipeline::call_traits traits;
    traits.idempotent = false; // sends_mail: client::perform sets it from the method id
    traits.quota_key = o.user_id;
    traits.dedup_key = message_id;
    if (message_id.empty())
        return traits; // nothing to look for: an ambiguous failure is reported, not retried
    traits.find_applied = [ctx, &o, id = std::move(message_id)]() -> boost::asio::awaitable<std::optional<http::response>> {
        list_query query;
        query.q = "rfc822msgid:" + id;
        query.max_results = 1;
        auto lookup = list_messages_request(o, query);
        auto [ec, res] = co_await gapi::detail::call_api(ctx, std::move(lookup));
        if (ec)
            co_return std::nullopt;
        auto [read_ec, list] = gapi::detail::read_resource<message_list>(res.body);
        if (read_ec || list.messages.empty())
            co_return std::nullopt;
        http::response found = std::move(res);
        found.body = boost::json::serialize(boost::json::object{{"id", list.messages[0].id},
                                                                {"threadId", list.messages[0].thread_id}});
        co_return found;
    };
    return traits;
}

// For a drafts.create whose answer was lost: asks Gmail whether the mailbox holds a draft
// with the message's Message-ID, and answers with it as drafts.create would, so that a
// retry never leaves a second draft.
inline gapi::pipeline::call_traits one_draft(gapi::detail::call_context ctx, gmail_options const& o,
                                             std::string message_id) {
    gapi::pipeline::call_traits traits;
    traits.idempotent = false;
    traits.quota_key = o.user_id;
    traits.dedup_key = message_id;
    if (message_id.empty())
        return traits; // nothing to look for: an ambiguous failure is reported, not retried
    traits.find_applied = [ctx, &o, id = std::move(message_id)]() -> boost::asio::awaitable<std::optional<http::response>> {
        auto lookup = list_drafts_request(o, 1, {}, "rfc822msgid:" + id);
        auto [ec, res] = co_await gapi::detail::call_api(ctx, std::move(lookup));
        if (ec)
            co_return std::nullopt;
        auto [read_ec, list] = gapi::detail::read_resource<draft_list>(res.body);
        if (read_ec || list.drafts.empty())
            co_return std::nullopt;
        auto const& found_draft = list.drafts.front();
        http::response found = std::move(res);
        found.body = boost::json::serialize(boost::json::object{
            {"id", found_draft.id},
            {"message", boost::json::object{{"id", found_draft.message.id}, {"threadId", found_draft.message.thread_id}}}});
        co_return found;
    };
    return traits;
}

} // namespace detail

GAPI_DECL gmail_service::operation<message> gmail_service::do_send_raw(gmail_service self, std::string rfc822) {
    auto const& o = self.options();
    if (rfc822.size() > mime::max_message_size)
        return gapi::detail::refused<message>(make_error_code(error::message_too_large));
    auto traits = detail::never_twice(self.context(), o, detail::message_id_of(rfc822));
    if (rfc822.size() > o.media_limit)
        return send_resumable(std::move(self), std::move(rfc822), std::move(traits));
    auto req = detail::send_request(o, std::move(rfc822), &self.prepared_->send_url);
    return gapi::detail::fetch_operation<message>(self.context(), std::move(req), std::move(traits));
}

// A message over the media limit: a session first, then the bytes in one PUT to the
// session's URL.
GAPI_DECL gmail_service::result<message> gmail_service::send_resumable(gmail_service self, std::string rfc822,
                                                                       pipeline::call_traits traits) {
    auto const& o = self.options();
    auto start = detail::resumable_start_request(o, rfc822.size());
    auto [ec, res] = co_await gapi::detail::call_api(self.context(), std::move(start));
    if (ec)
        co_return std::pair{ec, message{}};
    auto const location = res.headers[detail::bhttp::field::location];
    auto session = boost::urls::parse_uri(location);
    if (location.empty() || !session)
        co_return std::pair{make_error_code(error::malformed_response), message{}};
    auto upload = detail::rfc822_request(detail::messages_send, http::verb::put, boost::urls::url(*session),
                                         std::move(rfc822));
    upload.quota_units = 0; // the session's start paid for the call
    co_return co_await gapi::detail::fetch<message>(self.context(), std::move(upload), std::move(traits));
}

GAPI_DECL gmail_service::operation<draft> gmail_service::do_create_draft(gmail_service self, mime::message msg) {
    auto rendered = mime::render(msg);
    if (!rendered)
        return gapi::detail::refused<draft>(rendered.error());
    auto const& o = self.options();
    auto traits = detail::one_draft(self.context(), o, detail::message_id_of(*rendered));
    auto req = detail::create_draft_request(o, std::move(*rendered));
    req.replay_on_stale_connection = false; // each drafts.create that Gmail executes makes a draft
    return gapi::detail::fetch_operation<draft>(self.context(), std::move(req), std::move(traits));
}

GAPI_DECL gmail_service::operation<message> gmail_service::do_send_draft(gmail_service const& self, std::string const& id) {
    auto req = detail::send_draft_request(self.options(), id);
    return gapi::detail::fetch_operation<message>(self.context(), std::move(req));
}

GAPI_DECL gmail_service::operation<draft> gmail_service::do_get_draft(gmail_service const& self, std::string const& id,
                                                                   message_format format) {
    auto req = detail::get_draft_request(self.options(), id, format);
    return gapi::detail::fetch_operation<draft>(self.context(), std::move(req));
}

GAPI_DECL gmail_service::operation<draft_list> gmail_service::do_list_drafts(gmail_service const& self, std::size_t max_results,
                                                                          std::string const& page_token) {
    auto req = detail::list_drafts_request(self.options(), max_results, page_token);
    return gapi::detail::fetch_operation<draft_list>(self.context(), std::move(req));
}

GAPI_DECL gmail_service::result<bool> gmail_service::do_delete_draft(gmail_service self, std::string id) {
    auto req = detail::delete_draft_request(self.options(), id);
    auto [ec, res] = co_await gapi::detail::call_api(self.context(), std::move(req));
    // A replayed delete whose earlier attempt may have landed finds the draft gone: that
    // is success.
    if (ec == api_error::not_found && res.exchange.earlier_attempt_may_have_acted)
        ec = {};
    co_return std::pair{ec, !ec};
}

GAPI_DECL gmail_service::result<std::vector<label>> gmail_service::do_list_labels(gmail_service self) {
    auto req = detail::list_labels_request(self.options());
    auto [ec, list] = co_await gapi::detail::fetch<detail::label_list>(self.context(), std::move(req));
    co_return std::pair{ec, std::move(list.labels)};
}

GAPI_DECL gmail_service::result<label> gmail_service::do_create_label(gmail_service self, label l) {
    auto req = detail::create_label_request(self.options(), l);
    auto [ec, res] = co_await gapi::detail::call_api(self.context(), std::move(req));
    // A retried create whose earlier attempt may have landed finds its name taken: the
    // label of that name is the answer. After attempts that provably did nothing (a 429,
    // a 401), the name was someone else's and the conflict stands.
    if (ec == api_error::conflict && res.exchange.earlier_attempt_may_have_acted) {
        auto [list_ec, labels] = co_await do_list_labels(self);
        if (!list_ec)
            for (auto& existing : labels)
                if (existing.name == l.name)
                    co_return std::pair{error_code{}, std::move(existing)};
        co_return std::pair{ec, label{}};
    }
    if (ec)
        co_return std::pair{ec, label{}};
    co_return gapi::detail::read_resource<label>(res.body);
}

GAPI_DECL gmail_service::result<message_list> gmail_service::do_list_messages(gmail_service self, list_query query) {
    auto req = detail::list_messages_request(self.options(), query);
    return gapi::detail::fetch<message_list>(self.context(), std::move(req));
}

GAPI_DECL gmail_service::result<std::vector<message_ref>> gmail_service::do_list_all_messages(gmail_service self,
                                                                                           list_query query) {
    std::vector<message_ref> all;
    for (;;) {
        auto [ec, page] = co_await do_list_messages(self, query);
        if (ec)
            co_return std::pair{ec, std::move(all)};
        all.insert(all.end(), std::make_move_iterator(page.messages.begin()),
                   std::make_move_iterator(page.messages.end()));
        if (page.next_page_token.empty())
            co_return std::pair{error_code{}, std::move(all)};
        query.page_token = std::move(page.next_page_token);
    }
}

GAPI_DECL gmail_service::operation<message> gmail_service::do_get_message(gmail_service const& self, std::string const& id,
                                                                       message_format format) {
    auto req = detail::get_message_request(self.options(), id, format, &self.prepared_->messages_url);
    return gapi::detail::fetch_operation<message>(self.context(), std::move(req));
}

GAPI_DECL gmail_service::operation<profile> gmail_service::do_get_profile(gmail_service const& self) {
    auto req = detail::get_profile_request(self.options());
    return gapi::detail::fetch_operation<profile>(self.context(), std::move(req));
}

GAPI_DECL http::request gmail_service::get_message_request(std::string const& id, message_format format) const {
    return detail::get_message_request(*options_, id, format);
}
GAPI_DECL http::request gmail_service::list_messages_request(list_query const& query) const {
    return detail::list_messages_request(*options_, query);
}
GAPI_DECL http::request gmail_service::get_draft_request(std::string const& id, message_format format) const {
    return detail::get_draft_request(*options_, id, format);
}
GAPI_DECL http::request gmail_service::list_labels_request() const { return detail::list_labels_request(*options_); }
GAPI_DECL http::request gmail_service::get_profile_request() const { return detail::get_profile_request(*options_); }

} // namespace gapi::gmail

namespace gapi {

GAPI_DECL gmail::gmail_service client::gmail() { return gmail::gmail_service(*this); }

} // namespace gapi

#endif
