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
#include <boost/asio/post.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/system/system_error.hpp>

#include <deque>
#include <exception>
#include <memory>
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

/// How many operations of one client run at once. Operations started beyond the limit
/// wait here, in order, holding only their arguments and their completion handler: no
/// coroutine frame, no request, no place in the connection pool's queue. So a caller may
/// start 100,000 sends at once and pay for 100,000 small records, not for 100,000 calls
/// in progress; and nothing downstream (the pool's waiter queue, the pacer) ever holds
/// more than the limit. Not thread-safe: used on the client's executor only.
class admission {
public:
    /// An operation waiting for its turn.
    struct waiting {
        virtual ~waiting() = default;
        virtual void start() = 0;                 ///< its turn came
        virtual void abandon(error_code why) = 0; ///< completes it without starting it
        bool done = false;                        ///< started or abandoned
    };

    explicit admission(std::size_t limit) : limit_(limit == 0 ? 1 : limit) {}
    admission(admission const&) = delete;
    admission& operator=(admission const&) = delete;
    /// What still waits completes with `error::pool_shut_down`, as the pool's own calls do.
    ~admission() {
        for (auto& w : queue_)
            if (!w->done) {
                w->done = true;
                w->abandon(make_error_code(error::pool_shut_down));
            }
    }

    bool try_enter() noexcept {
        if (running_ >= limit_)
            return false;
        ++running_;
        return true;
    }
    void wait(std::shared_ptr<waiting> w) { queue_.push_back(std::move(w)); }
    /// A running operation finished: the first one waiting (not cancelled meanwhile) takes its place.
    void leave() {
        while (!queue_.empty()) {
            auto next = std::move(queue_.front());
            queue_.pop_front();
            if (next->done)
                continue;
            next->done = true;
            next->start();
            return;
        }
        --running_;
    }

    std::size_t running() const noexcept { return running_; }
    std::size_t waiting_count() const noexcept { return queue_.size(); }
    std::size_t limit() const noexcept { return limit_; }

private:
    std::size_t limit_;
    std::size_t running_ = 0;
    std::deque<std::shared_ptr<waiting>> queue_;
};

/// The type-erased core: runs `op` on `ex` and completes `handler` with its result, on
/// the handler's associated executor, keeping that executor's work counted meanwhile.
/// The handler's cancellation slot reaches the coroutine. An exception escaping `op`
/// becomes an error code (`error_of`); nothing is thrown into the user's `io_context::run`.
/// When it completes, `gate` lets the next waiting operation start.
template <class T>
void launch(boost::asio::any_io_executor const& ex, admission* gate, operation_result<T> op,
            boost::asio::any_completion_handler<void(error_code, T)> handler) {
    namespace asio = boost::asio;
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto work = asio::prefer(asio::get_associated_executor(handler, ex), asio::execution::outstanding_work.tracked);
    asio::co_spawn(ex, std::move(op),
                   asio::bind_cancellation_slot(
                       slot, [h = std::move(handler), work = std::move(work), ex, gate](
                                 std::exception_ptr e, std::pair<error_code, T> result) mutable {
                           if (e)
                               result = {error_of(e), T{}};
                           if (gate)
                               gate->leave();
                           auto target = asio::get_associated_executor(h, ex);
                           asio::dispatch(target,
                                          asio::append(std::move(h), result.first, std::move(result.second)));
                       }));
}

/// An operation queued at the admission gate: what makes its coroutine, and its handler.
/// Cancelled while it waits, it completes at once with `operation_aborted`, never started.
template <class T, class MakeAwaitable>
class queued_operation final : public admission::waiting,
                               public std::enable_shared_from_this<queued_operation<T, MakeAwaitable>> {
public:
    queued_operation(boost::asio::any_io_executor ex, admission& gate, MakeAwaitable make,
                     boost::asio::any_completion_handler<void(error_code, T)> handler)
        : ex_(std::move(ex)), gate_(gate), make_(std::move(make)), handler_(std::move(handler)) {}

    // After construction (it needs shared_from_this): a cancellation while waiting ends it.
    void watch_cancellation() {
        namespace asio = boost::asio;
        auto slot = asio::get_associated_cancellation_slot(handler_);
        if (!slot.is_connected())
            return;
        slot.assign([self = this->shared_from_this()](asio::cancellation_type) {
            asio::dispatch(self->ex_, [self] {
                if (self->done)
                    return;
                self->done = true;
                self->abandon(boost::asio::error::operation_aborted);
            });
        });
    }

    void start() override { launch<T>(ex_, &gate_, make_(), std::move(handler_)); }

    void abandon(error_code why) override {
        namespace asio = boost::asio;
        // Posted, never run inline: this may run inside the client's destructor. The
        // handler still runs on its own associated executor.
        asio::post(ex_, asio::append(std::move(handler_), why, T{}));
    }

private:
    boost::asio::any_io_executor ex_;
    admission& gate_;
    MakeAwaitable make_;
    boost::asio::any_completion_handler<void(error_code, T)> handler_;
};

/// Starts `make()`'s coroutine on `ex` when `gate` admits it (at once, or when an earlier
/// operation finishes) and completes `token` as `void(error_code, T)`. Terminal
/// cancellation reaches the coroutine; any cancellation ends a call still waiting.
template <class T, class MakeAwaitable, class CompletionToken>
auto start_operation(boost::asio::any_io_executor const& ex, admission& gate, MakeAwaitable make,
                     CompletionToken&& token) {
    namespace asio = boost::asio;
    return asio::async_initiate<CompletionToken, void(error_code, T)>(
        [ex, &gate](auto handler, MakeAwaitable make_op) {
            asio::any_completion_handler<void(error_code, T)> h(std::move(handler));
            if (gate.try_enter()) {
                launch<T>(ex, &gate, make_op(), std::move(h));
                return;
            }
            auto queued = std::make_shared<queued_operation<T, MakeAwaitable>>(ex, gate, std::move(make_op), std::move(h));
            queued->watch_cancellation();
            gate.wait(std::move(queued));
        },
        token, std::move(make));
}

} // namespace gapi::detail

#endif
