// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_GMAIL_GMAIL_SERVICE_HPP
#define GAPI_GMAIL_GMAIL_SERVICE_HPP

#include <gapi/client.hpp>
#include <gapi/config.hpp>
#include <gapi/detail/api_call.hpp>
#include <gapi/detail/generated_support.hpp>
#include <gapi/gmail/resources.hpp>
#include <gapi/mime/message.hpp>

#include <boost/asio/deferred.hpp>

#include <cstddef>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace gapi::gmail {

// The generated layer (include <gapi/gmail/v1/methods.hpp> to call it).
namespace v1 {
class users_resource;
} // namespace v1

struct gmail_options {
    /// Gmail's root URL; empty: the client's `endpoints.gmail`.
    std::string root;
    /// The mailbox: "me" (the credential's user) or an address (service accounts with
    /// domain-wide delegation act for any user of their domain).
    std::string user_id = "me";
    /// Messages up to this size (RFC 822 bytes) go as JSON `{"raw": ...}`; base64url
    /// makes them a third larger, and Google limits plain JSON bodies.
    std::size_t json_limit = 512 * 1024;
    /// Larger messages go to the upload endpoint: `uploadType=media` up to this size
    /// (Google's guidance: about 5 MB), `uploadType=resumable` above it.
    std::size_t media_limit = 5 * 1024 * 1024;
    /// Applied to every call of the service (retry policy, deadline, idempotency,
    /// Google's details); see `gapi::call_options` and `gmail_service::with`.
    call_options call;
};

enum class message_format { full, metadata, minimal, raw };

/// One page of messages.list.
struct list_query {
    std::string q;                      ///< Gmail search, e.g. "rfc822msgid:<id>", "in:sent to:bob@x"
    std::vector<std::string> label_ids; ///< all must match
    std::size_t max_results = 100;      ///< Gmail allows 500 at most
    std::string page_token;
    bool include_spam_trash = false;
};

/// Gmail v1 for one mailbox, over a `gapi::client`.
///
/// Every operation takes any completion token (default: `asio::deferred`, so
/// `co_await gmail.send(msg)` works) and completes with `void(error_code, T)`. Errors:
/// client-side (`error::header_injection`, `error::invalid_address`,
/// `error::message_too_large`, ... before any request), token errors, transport errors,
/// Google's refusals as `api_error` (conditions `rate_limited`, `not_found`, ...), and
/// `error::malformed_response`. The client must outlive its operations; the service
/// object itself may go at any time.
class gmail_service {
public:
    GAPI_DECL explicit gmail_service(client& c, gmail_options options = {});

    /// Sends a message: builds it (RFC 5322 + MIME), then posts it as JSON, or to the
    /// upload endpoint when large (resumable above `media_limit`). A message without a
    /// Message-ID gets a new one; set one first (`mime::new_message_id`) to find the
    /// message later with `rfc822msgid:`.
    /// Idempotency: none. The request is never replayed by the transport; after an
    /// ambiguous failure (`condition::network` once the request was written), search
    /// for the Message-ID before sending again.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send(mime::message msg, CompletionToken&& token = {}) const {
        return start<message>(
            [self = *this, msg = std::move(msg)]() mutable { return do_send(self, std::move(msg)); },
            std::forward<CompletionToken>(token));
    }

    /// Sends an already built RFC 822 message.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send_raw(std::string rfc822, CompletionToken&& token = {}) const {
        return start<message>(
            [self = *this, raw = std::move(rfc822)]() mutable { return do_send_raw(self, std::move(raw)); },
            std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = boost::asio::deferred_t>
    auto create_draft(mime::message msg, CompletionToken&& token = {}) const {
        return start<draft>(
            [self = *this, msg = std::move(msg)]() mutable { return do_create_draft(self, std::move(msg)); },
            std::forward<CompletionToken>(token));
    }

    /// Sends a draft; idempotency as for `send`.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send_draft(std::string draft_id, CompletionToken&& token = {}) const {
        return start<message>(
            [self = *this, id = std::move(draft_id)]() { return do_send_draft(self, id); },
            std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = boost::asio::deferred_t>
    auto get_draft(std::string draft_id, message_format format = message_format::full, CompletionToken&& token = {}) const {
        return start<draft>(
            [self = *this, id = std::move(draft_id), format]() { return do_get_draft(self, id, format); },
            std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = boost::asio::deferred_t>
    auto list_drafts(std::size_t max_results = 100, std::string page_token = {}, CompletionToken&& token = {}) const {
        return start<draft_list>(
            [self = *this, max_results, page = std::move(page_token)]() {
                return do_list_drafts(self, max_results, page);
            },
            std::forward<CompletionToken>(token));
    }

    /// Completes with `void(error_code, bool)`: true when deleted.
    template <class CompletionToken = boost::asio::deferred_t>
    auto delete_draft(std::string draft_id, CompletionToken&& token = {}) const {
        return start<bool>(
            [self = *this, id = std::move(draft_id)]() { return do_delete_draft(self, id); },
            std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = boost::asio::deferred_t>
    auto list_labels(CompletionToken&& token = {}) const {
        return start<std::vector<label>>(
            [self = *this]() { return do_list_labels(self); }, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = boost::asio::deferred_t>
    auto create_label(label l, CompletionToken&& token = {}) const {
        return start<label>(
            [self = *this, l = std::move(l)]() { return do_create_label(self, l); },
            std::forward<CompletionToken>(token));
    }

    /// One page of messages.list.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_messages(list_query query, CompletionToken&& token = {}) const {
        return start<message_list>(
            [self = *this, q = std::move(query)]() { return do_list_messages(self, q); },
            std::forward<CompletionToken>(token));
    }

    /// Every page of messages.list, in order.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_all_messages(list_query query, CompletionToken&& token = {}) const {
        return start<std::vector<message_ref>>(
            [self = *this, q = std::move(query)]() mutable { return do_list_all_messages(self, std::move(q)); },
            std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = boost::asio::deferred_t>
    auto get_message(std::string id, message_format format = message_format::full, CompletionToken&& token = {}) const {
        return start<message>(
            [self = *this, id = std::move(id), format]() { return do_get_message(self, id, format); },
            std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = boost::asio::deferred_t>
    auto get_profile(CompletionToken&& token = {}) const {
        return start<profile>(
            [self = *this]() { return do_get_profile(self); }, std::forward<CompletionToken>(token));
    }

    gmail_options const& options() const noexcept { return *options_; }

    /// Every method of Gmail v1, generated from Google's discovery document and named as
    /// Google names it: `gmail.users.messages.modify` is `users().messages().modify(...)`
    /// (include <gapi/gmail/v1/methods.hpp>). The user id is each method's first argument
    /// ("me", or `options().user_id`); the calls share the service's other options.
    GAPI_DECL v1::users_resource users() const;

    /// The requests the operations above send, built without sending them: for an
    /// explicit batch (`gapi::batch::run`), or to send yourself with `client::send`.
    /// Each carries Google's method id, its quota units and its idempotency. A
    /// misconfigured root throws `boost::system::system_error` (`error::invalid_url`).
    GAPI_DECL http::request get_message_request(std::string const& id,
                                                message_format format = message_format::full) const;
    GAPI_DECL http::request list_messages_request(list_query const& query) const;
    GAPI_DECL http::request get_draft_request(std::string const& id, message_format format = message_format::full) const;
    GAPI_DECL http::request list_labels_request() const;
    GAPI_DECL http::request get_profile_request() const;

    /// A copy of this service whose calls take `options` (retry policy, deadline,
    /// idempotency, where Google's details go) instead of the client's defaults.
    gmail_service with(call_options options) const {
        gmail_service copy = *this;
        auto changed = *options_;
        changed.call = std::move(options);
        copy.options_ = std::make_shared<gmail_options const>(std::move(changed));
        return copy;
    }

private:
    gapi::detail::service_ref generated() const { return {client_, options_, options_->root, &options_->call}; }

    template <class T>
    using result = boost::asio::awaitable<std::pair<error_code, T>>;

    template <class T, class Make, class CompletionToken>
    auto start(Make make, CompletionToken&& token) const {
        return gapi::detail::start_operation<T>(client_->get_executor(), client_->admission(), options_->user_id, std::move(make),
                                                std::forward<CompletionToken>(token));
    }

    // Every call spends the quota of the mailbox it names.
    gapi::detail::call_context context() const noexcept { return {client_, &options_->call, options_->user_id}; }

    // Static, with the service by value: the coroutine frame owns its copy, so the
    // service object need not outlive the operation.
    GAPI_DECL static result<message> do_send(gmail_service self, mime::message msg);
    GAPI_DECL static result<message> do_send_raw(gmail_service self, std::string rfc822);
    GAPI_DECL static result<draft> do_create_draft(gmail_service self, mime::message msg);
    GAPI_DECL static result<message> do_send_draft(gmail_service self, std::string id);
    GAPI_DECL static result<draft> do_get_draft(gmail_service self, std::string id, message_format format);
    GAPI_DECL static result<draft_list> do_list_drafts(gmail_service self, std::size_t max_results, std::string page_token);
    GAPI_DECL static result<bool> do_delete_draft(gmail_service self, std::string id);
    GAPI_DECL static result<std::vector<label>> do_list_labels(gmail_service self);
    GAPI_DECL static result<label> do_create_label(gmail_service self, label l);
    GAPI_DECL static result<message_list> do_list_messages(gmail_service self, list_query query);
    GAPI_DECL static result<std::vector<message_ref>> do_list_all_messages(gmail_service self, list_query query);
    GAPI_DECL static result<message> do_get_message(gmail_service self, std::string id, message_format format);
    GAPI_DECL static result<profile> do_get_profile(gmail_service self);

    client* client_;
    // Shared and immutable: copying the service (each operation keeps a copy) costs a
    // reference count, not a copy of every option.
    std::shared_ptr<gmail_options const> options_;
};

} // namespace gapi::gmail

#ifdef GAPI_HEADER_ONLY
#include <gapi/gmail/impl/gmail_service.ipp>
#endif

#endif
