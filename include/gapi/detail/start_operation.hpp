// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_START_OPERATION_HPP
#define GAPI_DETAIL_START_OPERATION_HPP

// The one bridge from gapi's internal coroutines to any Asio completion token. Every
// public asynchronous operation (the client's `send`, every service operation) goes
// through it, so that cancellation, executors, outstanding work and exceptions are
// handled in one place.

#include <gapi/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <utility>

namespace gapi::detail {

template <class T>
using operation_result = boost::asio::awaitable<std::pair<error_code, T>>;

/// What an exception that escaped an operation becomes: a `system_error` thrown inside
/// gapi on purpose (an invalid configured URL) its code; anything else is a bug inside
/// gapi, `error::internal_error`.
inline error_code error_of(std::exception_ptr const& e) noexcept {
    try {
        std::rethrow_exception(e);
    } catch (boost::system::system_error const& failure) {
        return failure.code();
    } catch (...) {
        return make_error_code(error::internal_error);
    }
}

/// The type-erased core: runs `op` on `ex` and completes `handler` with its result, on
/// the handler's associated executor, keeping that executor's work counted meanwhile.
/// The handler's cancellation slot reaches the coroutine. An exception escaping `op`
/// becomes an error code (`error_of`); nothing is thrown into the user's `io_context::run`.
template <class T>
void launch(boost::asio::any_io_executor const& ex, operation_result<T> op,
            boost::asio::any_completion_handler<void(error_code, T)> handler) {
    namespace asio = boost::asio;
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto work = asio::prefer(asio::get_associated_executor(handler, ex), asio::execution::outstanding_work.tracked);
    asio::co_spawn(ex, std::move(op),
                   asio::bind_cancellation_slot(
                       slot, [h = std::move(handler), work = std::move(work), ex](
                                 std::exception_ptr e, std::pair<error_code, T> result) mutable {
                           if (e)
                               result = {error_of(e), T{}};
                           auto target = asio::get_associated_executor(h, ex);
                           asio::dispatch(target,
                                          asio::append(std::move(h), result.first, std::move(result.second)));
                       }));
}

/// Starts `make()`'s coroutine on `ex` and completes `token` as `void(error_code, T)`.
/// Terminal cancellation reaches the coroutine.
template <class T, class MakeAwaitable, class CompletionToken>
auto start_operation(boost::asio::any_io_executor const& ex, MakeAwaitable make, CompletionToken&& token) {
    namespace asio = boost::asio;
    return asio::async_initiate<CompletionToken, void(error_code, T)>(
        [ex](auto handler, MakeAwaitable make_op) {
            launch<T>(ex, make_op(), asio::any_completion_handler<void(error_code, T)>(std::move(handler)));
        },
        token, std::move(make));
}

} // namespace gapi::detail

#endif
