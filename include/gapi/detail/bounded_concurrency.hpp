// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_BOUNDED_CONCURRENCY_HPP
#define GAPI_DETAIL_BOUNDED_CONCURRENCY_HPP

#include <gapi/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <functional>
#include <utility>
#include <vector>

namespace gapi::detail {

template <class T>
using indexed_operation = std::function<boost::asio::awaitable<std::pair<error_code, T>>(std::size_t)>;

template <class T>
struct bounded_run {
    std::size_t count = 0;
    indexed_operation<T> make_op;
    std::vector<std::pair<error_code, T>> results;
    std::size_t next = 0;
    std::size_t running = 0;
    std::exception_ptr failure;
    boost::asio::steady_timer all_done;
};

template <class T>
boost::asio::awaitable<void> bounded_worker(bounded_run<T>& run) {
    while (run.next < run.count) {
        auto const i = run.next++;
        run.results[i] = co_await run.make_op(i);
    }
}

template <class T>
struct bounded_worker_done {
    bounded_run<T>* run;
    void operator()(std::exception_ptr e) const {
        if (e && !run->failure)
            run->failure = e;
        if (--run->running == 0)
            run->all_done.cancel();
    }
};

/// Runs `make_op(i)` for every i in [0, count), at most `concurrency` at a time, on the
/// calling coroutine's executor, and returns each outcome in order of i. One failure
/// never stops the others. Terminal cancellation of the caller cancels the operations
/// in flight and starts no more; those never started report `operation_aborted`.
/// Everything runs on one executor, so the shared state needs no lock.
template <class T>
boost::asio::awaitable<std::vector<std::pair<error_code, T>>> run_bounded(std::size_t count, std::size_t concurrency,
                                                                          indexed_operation<T> make_op) {
    namespace asio = boost::asio;
    co_await asio::this_coro::throw_if_cancelled(false);
    auto const ex = co_await asio::this_coro::executor;
    bounded_run<T> run{count,
                       std::move(make_op),
                       std::vector<std::pair<error_code, T>>(count, {make_error_code(asio::error::operation_aborted), T{}}),
                       0,
                       count == 0 ? 0 : std::clamp<std::size_t>(concurrency, 1, count),
                       nullptr,
                       asio::steady_timer(ex, asio::steady_timer::time_point::max())};
    std::vector<asio::cancellation_signal> signals(run.running);
    for (auto& signal : signals)
        asio::co_spawn(ex, bounded_worker(run),
                       asio::bind_cancellation_slot(signal.slot(), bounded_worker_done<T>{&run}));
    while (run.running > 0) {
        co_await run.all_done.async_wait(asio::as_tuple(asio::use_awaitable));
        auto const state = co_await asio::this_coro::cancellation_state;
        if (run.running > 0 && state.cancelled() != asio::cancellation_type::none) {
            run.next = run.count;
            for (auto& signal : signals)
                signal.emit(asio::cancellation_type::terminal);
            co_await asio::this_coro::reset_cancellation_state();
        }
    }
    if (run.failure)
        std::rethrow_exception(run.failure);
    co_return std::move(run.results);
}

} // namespace gapi::detail

#endif
