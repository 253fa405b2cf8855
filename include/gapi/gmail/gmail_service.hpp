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
#include <memory>
#include <optional>
#include <string>
#include <vector>

/// Gmail v1: `gmail_service`, its resources (`message`, `draft`, `label`, ...) and, in
/// `gapi::gmail::v1`, every method of the API.
namespace gapi::gmail {

// The generated layer (include <gapi/gmail/v1/methods.hpp> to call it).
namespace v1 {
class users_resource;
} // namespace v1

/// Options of a `gmail_service`: where Gmail is, whose mailbox, how messages travel, and
/// the options every call of the service takes.
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

/// @var gapi::gmail::message_format::full
/// Ids, labels, snippet and the parsed payload: headers and decoded bodies.
/// @var gapi::gmail::message_format::metadata
/// Ids, labels, snippet and the payload's headers, without bodies.
/// @var gapi::gmail::message_format::minimal
/// Ids, labels and snippet only.
/// @var gapi::gmail::message_format::raw
/// Ids, labels, snippet and the whole RFC 822 message, decoded, in `message::raw`.

/// How much of a message `get_message` and `get_draft` return (Gmail's `format`).
enum class message_format { full, metadata, minimal, raw };

/// One page of messages.list.
struct list_query {
    std::string q;                      ///< Gmail search, e.g. `rfc822msgid:<id>`, `in:sent to:bob@x`
    std::vector<std::string> label_ids; ///< all must match
    std::size_t max_results = 100;      ///< Gmail allows 500 at most
    std::string page_token;             ///< the previous page's `next_page_token`; empty: the first page
    bool include_spam_trash = false;    ///< also list messages in SPAM and TRASH
};

/// Gmail v1 for one mailbox, over a `gapi::client`: sending (guarded against sending
/// twice), drafts, labels, listing and reading messages; every other Gmail method through
/// `users()`. A cheap handle: copies share their options, and `with` makes one with other
/// per-call options.
///
/// @par Completion signature
/// Every operation takes any completion token (default: `asio::deferred`, so
/// `co_await gmail.send(msg)` works) and completes with `void(error_code, T)`, `T` as each
/// operation says. On failure `T` is default-constructed, except where an operation says
/// otherwise.
/// @par Errors
/// Client-side errors before any request: `mime::render`'s for the operations that take a
/// `mime::message` (`error::header_injection`, `error::invalid_address`,
/// `error::invalid_utf8`, `error::invalid_url`, `error::message_too_large`), and
/// `error::invalid_url` when the root URL is misconfigured. Token errors
/// (`error::reauthorization_required`, `error::invalid_client`,
/// `error::token_endpoint_error`, ...) before any API request. Transport errors
/// (conditions `network`, `timeout`, `tls`, ...; see `http::connection_pool::send`) when
/// the last attempt got no answer. Google's refusals as `api_error`, once retries are spent
/// (`not_found`, `rate_limited`, `quota_exceeded`, `unauthenticated` when a fresh token was
/// refused too, ...). `error::malformed_response` for a 2xx answer that is not the promised
/// resource. `error::deadline_exceeded` when `call_options::timeout` passed.
/// `boost::asio::error::operation_aborted` when cancelled; `error::pool_shut_down` when the
/// client went while the operation waited for admission.
/// @par Retries
/// Every request goes through the client's retry loop (`client_options::retry`, or
/// `call_options::retry`). A 429 or a rate-limit 403, and a failure that provably never
/// reached Google, are retried for every operation; a 401 refreshes the token and sends
/// once more. An ambiguous failure (500, 502, 503, 504, 403 backendError, or a connection
/// lost after the request was written) is retried only for an idempotent operation: each
/// operation says whether it is, and `call_options::idempotent` overrides that (except
/// for the sends: `send`, `send_raw`, `send_draft`).
/// @par Cancellation, executor and thread safety
/// As for `gapi::client`: any cancellation ends an operation waiting for admission, and
/// terminal cancellation one that runs. The operations' work runs on the client's
/// executor; they may be started from any thread.
/// @par Lifetimes
/// The client must outlive the operations. The service object may go at any time: each
/// operation keeps a copy, and its arguments are moved into it.
class gmail_service {
public:
    /// Gmail for `options.user_id` through `c`; an empty `options.root` takes
    /// `c.endpoints().gmail`. No I/O.
    GAPI_DECL explicit gmail_service(client& c, gmail_options options = {});

    /// Sends a message (messages.send): builds it (RFC 5322 + MIME, `mime::render`), then
    /// posts it as JSON, or to the upload endpoint when large (`uploadType=media` above
    /// `gmail_options::json_limit`; resumable above `media_limit`: a session request, then
    /// the bytes). A message without a Message-ID gets a new one in the operation's own
    /// copy, which the caller never sees; set one first (`mime::new_message_id`) to find the
    /// message later with `rfc822msgid:`.
    ///
    /// @par Completion signature
    /// `void(error_code, message)`: the sent message as Gmail answers (`id`, `thread_id`,
    /// `label_ids`); when gapi learned of the send by its look-up (below), `id` and
    /// `thread_id` only.
    /// @par Errors
    /// As for the class, with `mime::render`'s before any request. Also
    /// `api_error::daily_limit_reached` when Gmail reports the user's daily sending limit;
    /// from then on every send of that mailbox through this client's services (`send`,
    /// `send_raw`, `send_draft`, the generated layer's sends) completes with it at once,
    /// without a request, until Google's retry time (24 hours when Google named none).
    /// `error::malformed_response` when a resumable session came without a usable
    /// Location.
    /// @par Idempotency
    /// Not idempotent, and `call_options::idempotent` does not change that: the transport
    /// never replays it. After an ambiguous failure (the request was written but no answer
    /// came, or 500, 502, 503, 504, 403 backendError), gapi searches the mailbox for the
    /// Message-ID (`retry_options::applied_lookups` looks, `applied_lookup_interval`
    /// apart). Found: the operation succeeds with that message. Not found by the last look:
    /// it sends again, within the retry budget. Gmail's search index can lag a fresh message,
    /// so a duplicate is unlikely, not impossible. With retries off
    /// (`retry_options::enabled = false`) there is no look-up and the error is reported;
    /// search for the Message-ID yourself before sending again.
    /// @par Cancellation
    /// As for the class. Cancelled once the request was written, the message may have gone
    /// out; gapi does not look for it then.
    /// @par Executor, thread safety, lifetimes
    /// As for the class; `msg` is moved into the operation.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send(mime::message msg, CompletionToken&& token = {}) const {
        return start<message>(
            [self = *this, msg = std::move(msg)]() mutable { return do_send(self, std::move(msg)); },
            std::forward<CompletionToken>(token));
    }

    /// Sends an already built RFC 822 message (messages.send), as `send` sends a rendered
    /// one; the message is not checked or changed.
    ///
    /// @par Completion signature
    /// `void(error_code, message)`, as for `send`.
    /// @par Errors
    /// As for `send`, without `mime::render`'s: `error::message_too_large` above
    /// `mime::max_message_size`, before any request.
    /// @par Idempotency
    /// As for `send` when the message has a Message-ID field (looked up after an ambiguous
    /// failure). Without one there is nothing to look for: an ambiguous failure completes
    /// with its error and the message is never sent again.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for `send`; `rfc822` is moved into the operation.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send_raw(std::string rfc822, CompletionToken&& token = {}) const {
        return start<message>(
            [self = *this, raw = std::move(rfc822)]() mutable { return do_send_raw(self, std::move(raw)); },
            std::forward<CompletionToken>(token));
    }

    /// Creates a draft of `msg` (drafts.create): rendered as for `send`, posted as JSON up
    /// to `gmail_options::json_limit`, else as one media upload.
    ///
    /// @par Completion signature
    /// `void(error_code, draft)`: the new draft's `id` and its message's ids and labels.
    /// @par Errors
    /// As for the class, with `mime::render`'s before any request.
    /// @par Idempotency
    /// Not idempotent (each drafts.create that Gmail executes makes a draft): the transport
    /// does not replay it, and after an ambiguous failure (a lost answer, a 5xx) gapi looks
    /// for a draft with the message's Message-ID (drafts.list `q=rfc822msgid:`, as often as
    /// `retry_options::applied_lookups`) and completes with it if Gmail made it, or sends
    /// again if none shows. A second draft remains possible only when those looks fail or
    /// Gmail's index lags past them; a Message-ID of your own that an older draft carries
    /// finds that draft. Rate-limit refusals and a 401 are retried as for any call.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class; `msg` is moved into the operation.
    template <class CompletionToken = boost::asio::deferred_t>
    auto create_draft(mime::message msg, CompletionToken&& token = {}) const {
        return start<draft>(
            [self = *this, msg = std::move(msg)]() mutable { return do_create_draft(self, std::move(msg)); },
            std::forward<CompletionToken>(token));
    }

    /// Sends the draft `draft_id` (drafts.send).
    ///
    /// @par Completion signature
    /// `void(error_code, message)`: the sent message as Gmail answers.
    /// @par Errors
    /// As for the class; `api_error::not_found` when there is no such draft;
    /// `api_error::daily_limit_reached` as for `send` (Gmail's answer, or at once while
    /// the mailbox is held back).
    /// @par Idempotency
    /// Not idempotent, and `call_options::idempotent` does not change that: the transport
    /// never replays it, and it is sent again only when the request provably never reached
    /// Google, after a rate-limit refusal or once after a 401. There is no look-up: after an
    /// ambiguous failure the error is reported; look at the Sent mail before trying again.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send_draft(std::string draft_id, CompletionToken&& token = {}) const {
        return start<message>(
            [self = *this, id = std::move(draft_id)]() { return do_send_draft(self, id); },
            std::forward<CompletionToken>(token));
    }

    /// Reads the draft `draft_id` (drafts.get) with its message in `format`.
    ///
    /// @par Completion signature
    /// `void(error_code, draft)`.
    /// @par Errors
    /// As for the class; `api_error::not_found` when there is no such draft.
    /// @par Idempotency
    /// A read: idempotent, retried.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto get_draft(std::string draft_id, message_format format = message_format::full, CompletionToken&& token = {}) const {
        return start<draft>(
            [self = *this, id = std::move(draft_id), format]() { return do_get_draft(self, id, format); },
            std::forward<CompletionToken>(token));
    }

    /// One page of drafts.list: at most `max_results` drafts (Gmail allows 500), from
    /// `page_token` (a previous page's `next_page_token`; empty: the first page).
    ///
    /// @par Completion signature
    /// `void(error_code, draft_list)`; each draft as Gmail lists it (its id and its
    /// message's ids); `next_page_token` is empty on the last page.
    /// @par Errors
    /// As for the class.
    /// @par Idempotency
    /// A read: idempotent, retried.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_drafts(std::size_t max_results = 100, std::string page_token = {}, CompletionToken&& token = {}) const {
        return start<draft_list>(
            [self = *this, max_results, page = std::move(page_token)]() {
                return do_list_drafts(self, max_results, page);
            },
            std::forward<CompletionToken>(token));
    }

    /// Deletes the draft `draft_id` (drafts.delete): for good, not to the trash.
    ///
    /// @par Completion signature
    /// `void(error_code, bool)`: true when deleted, exactly when the error code is empty.
    /// @par Errors
    /// As for the class; `api_error::not_found` when there is no such draft.
    /// @par Idempotency
    /// Idempotent (a DELETE): retried and replayable. A 404 after an earlier attempt that
    /// may have acted (a lost answer, a 5xx) is taken for that attempt's doing, and the
    /// operation succeeds.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto delete_draft(std::string draft_id, CompletionToken&& token = {}) const {
        return start<bool>(
            [self = *this, id = std::move(draft_id)]() { return do_delete_draft(self, id); },
            std::forward<CompletionToken>(token));
    }

    /// Every label of the mailbox, system and user ones (labels.list, one request).
    ///
    /// @par Completion signature
    /// `void(error_code, std::vector<label>)`.
    /// @par Errors
    /// As for the class.
    /// @par Idempotency
    /// A read: idempotent, retried.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_labels(CompletionToken&& token = {}) const {
        return start<std::vector<label>>(
            [self = *this]() { return do_list_labels(self); }, std::forward<CompletionToken>(token));
    }

    /// Creates a user label (labels.create) from `l`: its `name` and, when set, its
    /// visibilities (and `id`, which Gmail ignores on create); `type` is not sent.
    ///
    /// @par Completion signature
    /// `void(error_code, label)`: the new label with its id.
    /// @par Errors
    /// As for the class; `api_error::conflict` when a label of that name exists.
    /// @par Idempotency
    /// Treated as idempotent (retried after an ambiguous failure): a retry cannot make a
    /// second label (Gmail refuses a taken name). When an earlier attempt may have created
    /// it (a lost answer, a 5xx), the retry's 409 completes with the label of that name.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class; `l` is moved into the operation.
    template <class CompletionToken = boost::asio::deferred_t>
    auto create_label(label l, CompletionToken&& token = {}) const {
        return start<label>(
            [self = *this, l = std::move(l)]() { return do_create_label(self, l); },
            std::forward<CompletionToken>(token));
    }

    /// One page of messages.list for `query`.
    ///
    /// @par Completion signature
    /// `void(error_code, message_list)`: message ids and thread ids only (read a message
    /// with `get_message`); `next_page_token` is empty on the last page.
    /// @par Errors
    /// As for the class.
    /// @par Idempotency
    /// A read: idempotent, retried.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_messages(list_query query, CompletionToken&& token = {}) const {
        return start<message_list>(
            [self = *this, q = std::move(query)]() { return do_list_messages(self, q); },
            std::forward<CompletionToken>(token));
    }

    /// Every page of messages.list for `query`, from `query.page_token` on, in order: one
    /// request per page, one after the other.
    ///
    /// @par Completion signature
    /// `void(error_code, std::vector<message_ref>)`. On an error, the references of the
    /// pages read before it come with it.
    /// @par Errors
    /// As for the class, from the first page request that failed. `call_options::timeout`
    /// applies to each page's request, not to the whole.
    /// @par Idempotency
    /// Reads: each page is retried on its own.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto list_all_messages(list_query query, CompletionToken&& token = {}) const {
        return start<std::vector<message_ref>>(
            [self = *this, q = std::move(query)]() mutable { return do_list_all_messages(self, std::move(q)); },
            std::forward<CompletionToken>(token));
    }

    /// Reads the message `id` (messages.get) in `format`.
    ///
    /// @par Completion signature
    /// `void(error_code, message)`; bodies and `raw` are decoded from base64url.
    /// @par Errors
    /// As for the class; `api_error::not_found` when there is no such message;
    /// `error::malformed_response` also when a body is not valid base64url.
    /// @par Idempotency
    /// A read: idempotent, retried.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto get_message(std::string id, message_format format = message_format::full, CompletionToken&& token = {}) const {
        return start<message>(
            [self = *this, id = std::move(id), format]() { return do_get_message(self, id, format); },
            std::forward<CompletionToken>(token));
    }

    /// The mailbox's address and totals (users.getProfile).
    ///
    /// @par Completion signature
    /// `void(error_code, profile)`.
    /// @par Errors
    /// As for the class.
    /// @par Idempotency
    /// A read: idempotent, retried.
    /// @par Cancellation, executor, thread safety, lifetimes
    /// As for the class.
    template <class CompletionToken = boost::asio::deferred_t>
    auto get_profile(CompletionToken&& token = {}) const {
        return start<profile>(
            [self = *this]() { return do_get_profile(self); }, std::forward<CompletionToken>(token));
    }

    /// The service's options, with the root resolved (never empty).
    gmail_options const& options() const noexcept { return *options_; }

    /// Every method of Gmail v1, generated from Google's discovery document and named as
    /// Google names it: `gmail.users.messages.modify` is `users().messages().modify(...)`
    /// (include `gapi/gmail/v1/methods.hpp`). The user id is each method's first argument
    /// ("me", or `options().user_id`); the calls share the service's other options.
    GAPI_DECL v1::users_resource users() const;

    /// The request `get_message` sends (messages.get of `id` in `format`), built without
    /// sending it.
    ///
    /// This and the other `*_request` functions build the requests the operations above
    /// send: for an explicit batch (`gapi::batch::run`), or to send yourself with
    /// `client::send`. Each carries Google's method id, its quota units and its
    /// idempotency. Its `url` holds the origin only and its `target` the path and query
    /// (`http::absolute_url` gives the whole URL); the transport refuses a `url` given a
    /// path or query beside the target. A misconfigured root throws
    /// `boost::system::system_error` (`error::invalid_url`). No I/O.
    GAPI_DECL http::request get_message_request(std::string const& id,
                                                message_format format = message_format::full) const;
    /// messages.list for `query`, as `list_messages` sends it; see `get_message_request`.
    GAPI_DECL http::request list_messages_request(list_query const& query) const;
    /// drafts.get of `id` in `format`, as `get_draft` sends it; see `get_message_request`.
    GAPI_DECL http::request get_draft_request(std::string const& id, message_format format = message_format::full) const;
    /// labels.list, as `list_labels` sends it; see `get_message_request`.
    GAPI_DECL http::request list_labels_request() const;
    /// users.getProfile, as `get_profile` sends it; see `get_message_request`.
    GAPI_DECL http::request get_profile_request() const;

    /// A copy of this service whose calls take `options` (retry policy, deadline,
    /// idempotency, where Google's details go) instead of the client's defaults. It
    /// replaces `gmail_options::call` as a whole; this service is unchanged.
    gmail_service with(call_options options) const {
        gmail_service copy = *this;
        auto changed = *options_;
        changed.call = std::move(options);
        copy.adopt(std::move(changed));
        return copy;
    }

private:
    gapi::detail::service_ref generated() const { return {client_, options_, options_->root, &options_->call}; }

    template <class T>
    using result = boost::asio::awaitable<std::pair<error_code, T>>;
    // An operation that is one call (`gapi::detail::fetch_operation`), or a coroutine.
    template <class T>
    using operation = gapi::detail::operation_result<T>;

    template <class T, class Make, class CompletionToken>
    auto start(Make make, CompletionToken&& token) const {
        return gapi::detail::start_operation<T>(client_->get_executor(), client_->admission(), options_->user_id, std::move(make),
                                                std::forward<CompletionToken>(token));
    }

    // Every call spends the quota of the mailbox it names.
    gapi::detail::call_context context() const noexcept {
        return {client_, &options_->call, options_->user_id, options_};
    }

    // Static, with the service by value: the coroutine frame owns its copy, so the
    // service object need not outlive the operation. A function that only builds one
    // call and returns its awaitable is no coroutine (one frame less per call): the call
    // keeps the options alive (`call_context::owner`); the ones that only read their
    // arguments take them by reference (used up before they return: no copies).
    GAPI_DECL static operation<message> do_send(gmail_service self, mime::message msg);
    GAPI_DECL static operation<message> do_send_raw(gmail_service self, std::string rfc822);
    GAPI_DECL static result<message> send_resumable(gmail_service self, std::string rfc822,
                                                    pipeline::call_traits traits);
    GAPI_DECL static operation<draft> do_create_draft(gmail_service self, mime::message msg);
    GAPI_DECL static operation<message> do_send_draft(gmail_service const& self, std::string const& id);
    GAPI_DECL static operation<draft> do_get_draft(gmail_service const& self, std::string const& id, message_format format);
    GAPI_DECL static operation<draft_list> do_list_drafts(gmail_service const& self, std::size_t max_results, std::string const& page_token);
    GAPI_DECL static result<bool> do_delete_draft(gmail_service self, std::string id);
    GAPI_DECL static result<std::vector<label>> do_list_labels(gmail_service self);
    GAPI_DECL static result<label> do_create_label(gmail_service self, label l);
    GAPI_DECL static result<message_list> do_list_messages(gmail_service self, list_query query);
    GAPI_DECL static result<std::vector<message_ref>> do_list_all_messages(gmail_service self, list_query query);
    GAPI_DECL static operation<message> do_get_message(gmail_service const& self, std::string const& id, message_format format);
    GAPI_DECL static operation<profile> do_get_profile(gmail_service const& self);

    // The options, and what every send would otherwise build from them again.
    struct prepared_options {
        gmail_options options;
        gapi::detail::built_url send_url;     // its origin refers to `options.root`
        gapi::detail::built_url messages_url; // messages.get's, without the id; the same
    };
    // Takes `options` as this service's, prepared.
    GAPI_DECL void adopt(gmail_options options);

    client* client_;
    // Shared and immutable: copying the service (each operation keeps a copy) costs a
    // reference count, not a copy of every option. `options_` points into `*prepared_`,
    // which it keeps alive.
    std::shared_ptr<gmail_options const> options_;
    prepared_options const* prepared_ = nullptr;
};

} // namespace gapi::gmail

#ifdef GAPI_HEADER_ONLY
#include <gapi/gmail/impl/gmail_service.ipp>
#endif

#endif
