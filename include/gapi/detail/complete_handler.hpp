// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_COMPLETE_HANDLER_HPP
#define GAPI_DETAIL_COMPLETE_HANDLER_HPP

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <type_traits>
#include <utility>

namespace gapi::detail {

/// Whether `handler`'s associated executor is `current`. Asked of the handler's own type,
/// before it is type-erased (if it ever is): an `any_completion_handler` answers with an
/// `any_completion_executor`, which allocates a wrapper for an `any_io_executor` each time
/// it is asked. An executor of another type counts as a different one: its handler is
/// dispatched to it, which is always correct, only slower.
template <class Handler>
bool runs_on(Handler const& handler, boost::asio::any_io_executor const& current) {
    namespace asio = boost::asio;
    auto const target = asio::get_associated_executor(handler, current);
    using target_type = std::decay_t<decltype(target)>;
    if constexpr (std::is_same_v<target_type, asio::any_io_executor>) {
        return target == current;
    } else if constexpr (std::is_same_v<target_type, asio::io_context::executor_type>) {
        auto const* mine = current.target<asio::io_context::executor_type>();
        return mine && *mine == target;
    } else {
        return false;
    }
}

/// What keeps the executor of `handler` counted as having work until the handler runs:
/// nothing (an empty executor) for a handler of `current` (`on_current`, from `runs_on`),
/// whose work the operation's own coroutine counts.
template <class Handler>
boost::asio::any_completion_executor work_for(Handler const& handler, boost::asio::any_io_executor const& current,
                                              bool on_current) {
    namespace asio = boost::asio;
    if (on_current)
        return {};
    return asio::prefer(asio::get_associated_executor(handler, current), asio::execution::outstanding_work.tracked);
}

/// Completes `handler` with `args`, called from code running on `current` (such as a
/// `co_spawn` completion on that executor). A handler of `current` (`on_current`, from
/// `runs_on`) is called here, as dispatch would call it, without wrapping it and its
/// arguments in an allocated function first; any other handler is dispatched to its own
/// executor.
template <class Handler, class... Args>
void complete_handler(boost::asio::any_io_executor const& current, bool on_current, Handler handler,
                      Args&&... args) {
    namespace asio = boost::asio;
    if (on_current) {
        std::move(handler)(std::forward<Args>(args)...);
        return;
    }
    auto target = asio::get_associated_executor(handler, current);
    asio::dispatch(target, asio::append(std::move(handler), std::forward<Args>(args)...));
}

/// Posts `f` to `ex`, to the io_context's own executor when `ex` holds one: posted
/// through the type-erased executor, `f` is wrapped once more on its way (two
/// allocations, not one).
template <class F>
void post_on(boost::asio::any_io_executor const& ex, F&& f) {
    if (auto const* io = ex.target<boost::asio::io_context::executor_type>())
        boost::asio::post(*io, std::forward<F>(f));
    else
        boost::asio::post(ex, std::forward<F>(f));
}

} // namespace gapi::detail

#endif
