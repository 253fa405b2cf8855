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

namespace gapi::batch {

/// What one call of a batch came to, as if it had been sent alone.
struct result {
    error_code ec;          ///< empty on 2xx; Google's refusal (`api_error`), or the batch's own failure
    http::response response;
    std::optional<error_details> details; ///< Google's details of a refusal
};

/// A result read as its resource, e.g. `batch::read<gmail::message>(results[i])`.
template <class T>
std::pair<error_code, T> read(result const& r) {
    if (r.ec)
        return {r.ec, T{}};
    return gapi::detail::read_resource<T>(r.response.body);
}

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
/// calls, retried as a whole when Google refuses the whole (429, 5xx, a dropped
/// connection; only when every call in it is idempotent), and a 401 refreshes the token
/// once. Completes with `void(error_code, std::vector<result>)`: one result per call, in
/// the order given, each with its own status, typed error and Google's details. The
/// error_code is `error::not_batchable` (nothing sent) when the calls mix APIs or
/// origins, or hold a media upload; a batch request that fails as a whole gives its
/// error to each of its calls.
template <class CompletionToken = boost::asio::deferred_t>
auto run(client& c, std::vector<http::request> calls, run_options options, CompletionToken&& token = {}) {
    return gapi::detail::start_operation<std::vector<result>>(
        c.get_executor(), c.admission(), {},
        [&c, calls = std::move(calls), options]() mutable { return detail::run_all(c, std::move(calls), options); },
        std::forward<CompletionToken>(token));
}

template <class CompletionToken = boost::asio::deferred_t>
auto run(client& c, std::vector<http::request> calls, CompletionToken&& token = {}) {
    return run(c, std::move(calls), run_options{}, std::forward<CompletionToken>(token));
}

} // namespace gapi::batch

#ifdef GAPI_HEADER_ONLY
#include <gapi/batch/impl/batch.ipp>
#endif

#endif
