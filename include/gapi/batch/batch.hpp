// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_BATCH_BATCH_HPP
#define GAPI_BATCH_BATCH_HPP

// Explicit batches: many calls of one API in few HTTP requests (Google's batch endpoints,
// fact sheet §5). Build the calls with the services' request builders
// (`gmail.get_message_request(id)`, `calendar.list_events_request(cal, query)`, ...), run
// them, and read each call's own result.

#include <gapi/batch/codec.hpp>
#include <gapi/client.hpp>
#include <gapi/detail/api_call.hpp>
#include <gapi/detail/bounded_concurrency.hpp>
#include <gapi/google_error.hpp>

#include <boost/asio/deferred.hpp>

#include <optional>
#include <string>
#include <vector>

/// Explicit batches: many calls of one API in few HTTP requests (`run`), and Google's
/// multipart batch format.
namespace gapi::batch {

/// What one call of a batch came to, as if it had been sent alone.
struct result {
    error_code ec;          ///< empty on 2xx; Google's refusal (`api_error`), or the batch's own failure
    http::response response; ///< the call's own answer (status, headers, body); the batch's exchange info
    std::optional<error_details> details; ///< Google's details of a refusal
};

/// A result read as its resource, as in `batch::read<gmail::message>(results[i])`: the
/// result's own error when it has one, else the body parsed and converted
/// (`error::malformed_response` when that fails).
template <class T>
std::pair<error_code, T> read(result const& r) {
    if (r.ec)
        return {r.ec, T{}};
    return gapi::detail::read_resource<T>(r.response.body);
}

/// Options of `run`.
struct run_options {
    /// Calls per batch request; 0: 50 for Gmail (Google advises against more; the limit
    /// is 100), 100 for Calendar (limit 1,000). Larger lists go as several batches.
    std::size_t max_per_batch = 0;
    /// Batch requests in flight at once.
    std::size_t concurrency = 4;
};

namespace detail {

// The API's batch method and largest batch; empty when the calls cannot share a batch.
struct batch_target {
    std::string_view method_id;
    std::size_t limit = 0;
    std::size_t advised = 0;
};

GAPI_DECL std::optional<batch_target> target_of(std::vector<http::request> const& calls);
GAPI_DECL boost::asio::awaitable<std::pair<error_code, std::vector<result>>>
run_all(client& c, std::vector<http::request> calls, run_options options);

} // namespace detail

/// Sends `calls` (all of one API, Gmail or Calendar, at one origin) as batch requests
/// through the client's pipeline: each batch request is paced by the units of all its
/// calls, retried as a whole when Google refuses the whole (see "Idempotency and
/// retries" below), and a 401 refreshes the token once. Completes with
/// `void(error_code, std::vector<result>)`: one result per call, in the order given, each
/// with its own status, typed error and Google's details. The
/// error_code is `error::not_batchable` (nothing sent) when the calls mix APIs or
/// origins, or hold a media upload or a call whose target or header fields the transport
/// would refuse (`http::has_valid_target`, `has_valid_fields`); a batch request that fails as a whole gives its
/// error to each of its calls.
///
/// Build the calls with the services' `*_request` functions: each needs Google's method
/// id (`http::request::method_id`, "gmail." or "calendar."), which the API and the
/// quota cost are read from. The calls are split into batch requests of
/// `run_options::max_per_batch`, of which `run_options::concurrency` are in flight at once.
///
/// @par Completion signature
/// `void(error_code, std::vector<result>)`. No calls: success and no results.
/// @par Errors
/// The operation's own error code is `error::not_batchable`, `operation_aborted` (when
/// cancelled while waiting for admission), `error::pool_shut_down` or
/// `error::internal_error`; otherwise it is empty, whatever the calls came to. Each
/// result's `ec` is its part's refusal as `api_error`, or the error of its whole batch
/// request (token errors, transport errors, Google's refusal of the whole), or
/// `error::malformed_response` when the batch answer holds no part for it.
/// @par Idempotency and retries
/// A batch request is replayable and retried after an ambiguous failure only when every
/// call in it is idempotent (`http::request::replay_on_stale_connection`); otherwise it
/// is retried only when it provably never reached Google, after a rate-limit refusal, or
/// once after a 401. A part that Google refused on its own (a 429, a 503 inside a 200
/// batch answer) is not retried: resend those calls yourself, if they are safe to repeat.
/// A batch request that carries a send (messages.send, drafts.send) is a send: never
/// replayed, and once Gmail refuses a part for the daily sending limit, later batches of
/// sends (and the client's other sends) fail at home with `api_error::daily_limit_reached`
/// until Google's retry time.
/// The client's retry policy applies (`call_options` do not).
/// @par Cancellation
/// As for `gapi::client`'s operations: any cancellation ends a run still waiting for
/// admission. Terminal cancellation of a running one stops its batch requests in flight
/// and starts no more; the operation still completes with success, each call not
/// answered with `operation_aborted` in its result. Calls of a batch request that was
/// already written may have been acted on.
/// @par Executor, thread safety, lifetimes
/// As for `gapi::client`'s operations: the client must outlive the operation; `calls` are
/// moved into it.
template <class CompletionToken = boost::asio::deferred_t>
auto run(client& c, std::vector<http::request> calls, run_options options, CompletionToken&& token = {}) {
    return gapi::detail::start_operation<std::vector<result>>(
        c.get_executor(), c.admission(), {},
        [&c, calls = std::move(calls), options]() mutable { return detail::run_all(c, std::move(calls), options); },
        std::forward<CompletionToken>(token));
}

/// `run(c, calls, run_options{}, token)`: batches of the advised size, four in flight.
/// Everything else is as for the overload that takes `run_options`.
template <class CompletionToken = boost::asio::deferred_t>
auto run(client& c, std::vector<http::request> calls, CompletionToken&& token = {}) {
    return run(c, std::move(calls), run_options{}, std::forward<CompletionToken>(token));
}

} // namespace gapi::batch

#ifdef GAPI_HEADER_ONLY
#include <gapi/batch/impl/batch.ipp>
#endif

#endif
