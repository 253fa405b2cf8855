// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_PIPELINE_CALL_HPP
#define GAPI_PIPELINE_CALL_HPP

// What travels through the call pipeline. Every API call is one `call`; each layer
// (the daily-limit guard, retries, authorization, pacing, the transport) is a coroutine
// taking the call and the next layer, and answers with an `outcome`. A layer is tested
// alone by giving it a fake next layer (and, where it waits, a fake clock).

#include <gapi/detail/begins_with.hpp>
#include <gapi/error.hpp>
#include <gapi/google_error.hpp>
#include <gapi/http/message.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

/// The call pipeline's layers and their parts: the `call` and its `outcome`, retries,
/// quota pacing and automatic batching. Used by `gapi::client`; its options are
/// `client_options`'s.
namespace gapi::pipeline {

/// What one attempt, or the whole call, came to.
struct outcome {
    error_code ec;         ///< transport, token or Google's error (`api_error`); empty on 2xx
    http::response response; ///< the answer, when one came (`status` 0 otherwise)
    std::optional<error_details> details; ///< Google's details of a non-2xx answer
    /// Over every attempt: was any request written (Google may have acted), did any
    /// response begin, how many attempts were made (the transport's own replays included).
    bool written = false;
    bool response_started = false; ///< some response began to arrive; see `written`
    unsigned attempts = 0;         ///< attempts on the wire, the transport's replays included; see `written`
    bool token_refused = false; ///< the failure came from the token source, before any API request
};

/// Whether Google's method `method_id` sends mail: Gmail's messages.send and drafts.send.
inline bool is_send_method(std::string_view method_id) noexcept {
    return method_id == "gmail.users.messages.send" || method_id == "gmail.users.drafts.send";
}

/// Whether Google's method `method_id` is one of Calendar's ("calendar.events.list"); a
/// batch's own id ("batch.calendar") is not. Every layer that tells the APIs apart asks here.
inline bool is_calendar_method(std::string_view method_id) noexcept {
    return gapi::detail::begins_with(method_id, "calendar.");
}

/// One call's traits: what the layers need to know about it, beyond its request.
struct call_traits {
    /// Google's method id, such as "gmail.users.messages.send" (static storage).
    std::string_view method_id;
    /// What the call costs: Gmail's quota units for the method; Calendar counts requests.
    unsigned quota_units = 1;
    /// Whose quota the call spends: the mailbox (Gmail's userId) or the calendar user.
    std::string quota_key;
    /// Safe to send twice. A call that is not (sending mail) is retried only when the
    /// outcome proves Google did not act, or after `find_applied` found nothing.
    bool idempotent = true;
    /// Sends mail: once Gmail reports the user's daily sending limit, further sends for
    /// the same quota key fail at once, without a request, until the retry time; and
    /// `call_options::idempotent` cannot make the call idempotent. `client::perform` sets it
    /// for the method ids "gmail.users.messages.send" and "gmail.users.drafts.send"
    /// (`is_send_method`); `batch::run` for a batch request that carries one.
    bool sends_mail = false;
    /// What identifies the call's effect if it lands twice: the Message-ID of a send.
    std::string dedup_key;
    /// May travel inside a batch request (no media upload, no streaming).
    bool batchable = false;
    /// For a call that must not run twice: looks once whether an attempt took effect, and
    /// returns Google's resource if it did (the retry layer looks `applied_lookups` times).
    std::function<boost::asio::awaitable<std::optional<http::response>>()> find_applied;
};

/// One call on its way through the layers.
struct call {
    std::shared_ptr<http::request> request; ///< the request; authorization sets its Authorization field
    call_traits traits;                      ///< what the layers need to know about the call
    /// No attempt starts, and no wait lasts, past this; an attempt in flight then is cut
    /// off with `error::deadline_exceeded`.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    /// Set by the retry layer after a 401: the authorization layer gets a new token
    /// instead of the one the request's Authorization field carried.
    bool refresh_token = false;
    /// The admission lane of the operation that made the call (`detail::admission`): the
    /// quota key its service admitted it under, empty for Calendar's calls and for the
    /// client's own `send` and batches. Refers into `keep_alive` or the operation's frame.
    std::string_view admission_lane;
    /// What the call's references point into (the options of the service that made it),
    /// alive as long as the call: the service's operation may have returned already.
    std::shared_ptr<void const> keep_alive;
};

/// The rest of the pipeline, as a layer sees it.
using next_layer = std::function<boost::asio::awaitable<outcome>(call&)>;

} // namespace gapi::pipeline

#endif
