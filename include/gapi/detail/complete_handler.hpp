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

#include <utility>

namespace gapi::detail {

/// Completes `handler` with `args`, called from code running on `current` (such as a
/// `co_spawn` completion on that executor). A handler of `current` is called here, as
/// dispatch would call it, without wrapping it and its arguments in an allocated function
/// first; any other handler is dispatched to its own executor.
template <class Handler, class... Args>
void complete_handler(boost::asio::any_io_executor const& current, Handler handler, Args&&... args) {
    namespace asio = boost::asio;
    auto target = asio::get_associated_executor(handler, current);
    if (target == asio::any_completion_executor(current)) {
        std::move(handler)(std::forward<Args>(args)...);
        return;
    }
    asio::dispatch(target, asio::append(std::move(handler), std::forward<Args>(args)...));
}

} // namespace gapi::detail

#endif
