// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CALL_OPTIONS_HPP
#define GAPI_CALL_OPTIONS_HPP

#include <gapi/google_error.hpp>
#include <gapi/pipeline/retry.hpp>

#include <chrono>
#include <optional>

namespace gapi {

/// Options for the calls of one service object, on top of the client's: reach them with
/// `service.with(options)`, which returns a copy of the service that applies them to each
/// call it makes. For example:
///
///     gapi::error_details why;
///     auto gmail = google.gmail().with({.timeout = 10s, .details = &why});
///     auto [ec, sent] = co_await gmail.send(msg, asio::as_tuple(asio::deferred));
///
/// (Name the options or the service before the `co_await`, as above: GCC 12 destroys an
/// aggregate made inside a `co_await` expression twice.)
struct call_options {
    /// This call's retry policy instead of the client's (`client_options::retry`).
    std::optional<pipeline::retry_options> retry;
    /// The call's deadline, from its start: no attempt starts and no backoff lasts past
    /// it, and an attempt still in flight then is cancelled; the call completes with
    /// `error::deadline_exceeded` (condition `timeout`). An operation that makes several
    /// requests (a list of every page) gives each request this much. The time an operation
    /// waits for its turn at the client's admission gate (`client_options::max_calls_in_flight`)
    /// is not counted: the deadline starts when the call does.
    std::optional<std::chrono::milliseconds> timeout;
    /// Overrides the method's idempotency: true lets the retry layer (and the transport's
    /// keep-alive replay) send the call again after an ambiguous failure; false forbids it.
    /// Sending mail (messages.send or drafts.send, however the call is made) is never made
    /// idempotent by it: `gmail_service::send` and `send_raw` stay guarded by their
    /// Message-ID look-up, and `send_draft` is never sent twice after an ambiguous failure.
    std::optional<bool> idempotent;
    /// Automatic batching for these calls (`client_options::batching`): true or false
    /// overrides the client's setting; empty follows it.
    std::optional<bool> batch;
    /// Set: when Google refuses a call, its details (status, reason, message, retry
    /// time) are written here before the operation completes, and cleared on success.
    /// Must outlive the operations. One operation at a time per object.
    error_details* details = nullptr;
};

} // namespace gapi

#endif
