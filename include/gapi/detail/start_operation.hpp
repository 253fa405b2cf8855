// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_START_OPERATION_HPP
#define GAPI_DETAIL_START_OPERATION_HPP

// The one bridge from gapi's internal coroutines to any Asio completion token. Every
// public asynchronous operation (the client's `send`, every service operation) goes
// through it, so that cancellation, executors, outstanding work and exceptions are
// handled in one place.

#include <gapi/detail/complete_handler.hpp>
#include <gapi/error.hpp>
#include <gapi/http/connection_pool.hpp>
#include <gapi/pipeline/batcher.hpp>
#include <gapi/pipeline/call.hpp>
#include <gapi/pipeline/retry.hpp>
#include <gapi/config.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/container/deque.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <exception>
#include <cstddef>
#include <memory>
#include <utility>

namespace gapi {
class client;
struct call_options;
} // namespace gapi

namespace gapi::detail {

/// One call not yet made: the pipeline's call, the client whose pipeline makes it, and
/// the call's options (which the call's `keep_alive` keeps).
struct pending_call {
    pipeline::call call;
    client* runner = nullptr;
    call_options const* options = nullptr;
};

/// Where a call's first attempt goes (`client_pipeline::prepare`).
enum class first_attempt {
    in_pipeline, ///< through the client's pipeline, in coroutines
    in_batch,    ///< straight into its batch (`client_pipeline::join_batch`)
    alone,       ///< straight to the connection pool, its fields set
};

/// The client's pipeline as an operation reaches it, for a `pending_call` (defined with the
/// client, in `client.ipp`). Used on the client's executor.
struct client_pipeline {
    /// Completes `c`'s traits as `client::perform` does, and answers where its first
    /// attempt goes. Without a deadline to race and with a token at hand (as `authorize`
    /// finds it without a refresh), the pipeline's layers above the transport have nothing
    /// to wait for: a call that batching takes joins its batch at once (`join_batch`), if
    /// the token's field may go out (the batch's envelope carries it; the request gets the
    /// other fields the authorization layer sets) and the call is not a send and asks for
    /// no details; a call that goes alone, with pacing off and no daily limit known for a
    /// send, goes to the pool with its fields set (`count_alone`, `transport`).
    GAPI_DECL static first_attempt prepare(client& runner, pipeline::call& c, call_options const& options);
    /// Counts a first attempt that goes alone as the retry loop and the transport layer
    /// count it (a call, an attempt, an HTTP request); answers when the call began.
    GAPI_DECL static std::chrono::steady_clock::time_point count_alone(client& runner);
    /// The client's connection pool.
    GAPI_DECL static http::connection_pool& transport(client& runner) noexcept;
    /// What the pool's answer to `c`'s request comes to, as the transport layer makes it.
    GAPI_DECL static pipeline::outcome transmitted(client& runner, pipeline::call const& c, error_code ec,
                                                   http::response&& res);
    /// `client::perform` for a call `prepare` completed.
    GAPI_DECL static boost::asio::awaitable<pipeline::outcome> perform_prepared(client& runner, pipeline::call&& c,
                                                                                call_options const& options);
    /// `client::perform`.
    GAPI_DECL static boost::asio::awaitable<pipeline::outcome> perform(client& runner, pipeline::call&& c,
                                                                       call_options const& options);
    /// Makes the first attempt of `c` (`prepare` said it may) in a batch: the token's field
    /// given to `w` (`batch_waiter::authorization`), the call and its attempt counted, `w`
    /// joined to its batch. Answers when the call began.
    GAPI_DECL static std::chrono::steady_clock::time_point join_batch(client& runner, pipeline::call& c,
                                                                      std::shared_ptr<pipeline::batch_waiter> w);
    /// `w`, which joined with `c`, was cancelled (`pipeline::batcher::leave`).
    GAPI_DECL static void leave_batch(client& runner, pipeline::call const& c,
                                      std::shared_ptr<pipeline::batch_waiter> const& w);
    /// `pipeline::first_attempt_settles` under the call's retry policy; settled, what
    /// follows the last attempt (`client::perform`'s: a daily limit noted, details handed).
    GAPI_DECL static bool first_attempt_settles(client& runner, pipeline::call const& c, call_options const& options,
                                                pipeline::outcome& o);
    /// The retry loop from the second attempt (`pipeline::with_retries_after`), and what
    /// follows the last attempt.
    GAPI_DECL static boost::asio::awaitable<pipeline::outcome>
    attempts_after_first(client& runner, pipeline::call&& c, call_options const& options,
                         pipeline::answered_attempt first);
};

/// What an operation runs: a coroutine of its own (`whole`), or one call through the
/// pipeline whose outcome `read` turns into the result, either as the pipeline's
/// awaitable (`call`) or not yet made (`pending`). The second kind (most operations: one
/// request, one resource) has no coroutine of its own between the call and the handler:
/// no frame, and the result moves into place without passing through one. A pending call
/// whose first attempt joins a batch has no coroutine at all until it needs a retry
/// (`batched_operation`).
template <class T>
struct operation_result {
    using reader = std::pair<error_code, T> (*)(pipeline::outcome const&);
    using body_reader = std::pair<error_code, T> (*)(std::string_view body);

    operation_result() = default;
    operation_result(boost::asio::awaitable<std::pair<error_code, T>> whole) : whole(std::move(whole)) {}
    operation_result(boost::asio::awaitable<pipeline::outcome> call, reader read)
        : call(std::move(call)), read(read) {}
    operation_result(pending_call pending, reader read, body_reader read_body = nullptr)
        : pending(std::move(pending)), read(read), read_body(read_body) {}

    boost::asio::awaitable<std::pair<error_code, T>> whole;
    boost::asio::awaitable<pipeline::outcome> call;
    std::optional<pending_call> pending; ///< set: the call is to be made
    reader read = nullptr; ///< set: the operation is `call` or `pending`
    /// Set: what `read` makes of a 2xx answer, from its body alone (a batched call's is
    /// read in place, out of the batch's answer: `batched_operation`).
    body_reader read_body = nullptr;
};

/// `op` as an awaitable, for a coroutine that awaits an operation.
template <class T>
boost::asio::awaitable<std::pair<error_code, T>> awaited(operation_result<T> op) {
    if (!op.read)
        co_return co_await std::move(op.whole);
    if (op.pending) {
        auto const o = co_await client_pipeline::perform(*op.pending->runner, std::move(op.pending->call),
                                                         *op.pending->options);
        co_return op.read(o);
    }
    auto const o = co_await std::move(op.call);
    co_return op.read(o);
}

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

/// How many operations of one client run at once, per user (the quota key: a Gmail
/// mailbox, or the credential's own user). Operations started beyond the limit wait here,
/// in order, holding only their arguments and their completion handler: no coroutine
/// frame, no request, no place in the connection pool's queue. So a caller may start
/// 100,000 sends at once and pay for 100,000 small records, not for 100,000 calls in
/// progress, and nothing downstream (the pool's queue, the pacer) holds more than the
/// limit per user. Each user has a lane of their own, so one user's backlog never holds
/// up another's calls. Used on the client's executor only.
class admission {
public:
    /// An operation waiting for its turn.
    struct waiting {
        virtual ~waiting() = default;
        /// Its turn came; it holds a place now. False: it could not start (its handler has
        /// the error), and its place goes on.
        virtual bool start() = 0;
        virtual void abandon(error_code why) = 0; ///< completes it without starting it
        bool done = false;                        ///< started or abandoned
    };

    /// One user's operations: how many run, and who waits.
    struct lane {
        std::string key;
        std::size_t running = 0;
        // Boost's deque allocates nothing while empty, and moves without allocating: a
        // lane is made whenever an idle user calls (each call, at one in flight), and
        // std::deque allocated four blocks each time for a queue that stays empty.
        boost::container::deque<std::shared_ptr<waiting>> queue;
    };

    /// `executor`: the client's, on which the gate is used and queued operations start.
    explicit admission(std::size_t limit, boost::asio::any_io_executor executor = {})
        : limit_(limit == 0 ? 1 : limit), executor_(std::move(executor)) {}
    admission(admission const&) = delete;
    admission& operator=(admission const&) = delete;
    /// What still waits completes with `error::pool_shut_down`, as the pool's own calls do.
    ~admission() {
        for (auto& [key, l] : lanes_)
            for (auto& w : l.queue)
                if (!w->done) {
                    w->done = true;
                    w->abandon(make_error_code(error::pool_shut_down));
                }
    }

    /// The lane of `key`; it stays put (and valid) while any of its operations runs or waits.
    lane& lane_of(std::string_view key) {
        auto found = lanes_.find(key);
        if (found == lanes_.end())
            found = lanes_.emplace(std::string(key), lane{std::string(key), 0, {}}).first;
        return found->second;
    }

    bool try_enter(lane& l) noexcept {
        if (l.running >= limit_)
            return false;
        ++l.running;
        return true;
    }
    void wait(lane& l, std::shared_ptr<waiting> w) { l.queue.push_back(std::move(w)); }
    /// A running operation of `l` finished: the first one waiting there (not cancelled
    /// meanwhile, and able to start) takes its place. An idle lane is forgotten. A loop, not
    /// a recursion: a long queue of operations that fail to start (a misconfigured root)
    /// goes through here one after another, not one stack frame deeper each.
    void leave(lane& l) {
        while (!l.queue.empty()) {
            auto next = std::move(l.queue.front());
            l.queue.pop_front();
            if (next->done)
                continue;
            next->done = true;
            if (next->start())
                return;
        }
        if (--l.running == 0)
            lanes_.erase(l.key);
    }

    /// How many operations of `key`'s lane run now.
    std::size_t running_in(std::string_view key) const noexcept {
        auto const found = lanes_.find(key);
        return found == lanes_.end() ? 0 : found->second.running;
    }
    std::size_t running() const noexcept {
        std::size_t n = 0;
        for (auto const& [key, l] : lanes_)
            n += l.running;
        return n;
    }
    std::size_t waiting_count() const noexcept {
        std::size_t n = 0;
        for (auto const& [key, l] : lanes_)
            n += l.queue.size();
        return n;
    }
    std::size_t limit() const noexcept { return limit_; }
    boost::asio::any_io_executor const& executor() const noexcept { return executor_; }

private:
    std::size_t limit_;
    boost::asio::any_io_executor executor_;
    std::map<std::string, lane, std::less<>> lanes_;
};

/// Completes an operation with `result`: its place in `l` goes to the next operation
/// waiting there, then `handler` gets the result.
template <class T, class Handler>
void complete_operation(admission* gate, admission::lane* l, Handler& handler, boost::asio::any_io_executor const& ex,
                        bool on_ex, std::pair<error_code, T> result) {
    gate->leave(*l);
    complete_handler(ex, on_ex, std::move(handler), result.first, std::move(result.second));
}

/// `read(got)`, or what it threw as the error (`error_of`): reading a resource may fail
/// (memory runs out), and that is the operation's error, not the caller's handler's.
template <class T, class Result, class Read>
std::pair<error_code, T> read_result(Read& read, Result&& got) {
    try {
        return read(std::move(got));
    } catch (...) {
        return {error_of(std::current_exception()), T{}};
    }
}

/// The same with `failure` and an empty `T`.
template <class T, class Handler>
void fail_operation(admission* gate, admission::lane* l, Handler& handler, boost::asio::any_io_executor const& ex,
                    bool on_ex, error_code failure) {
    complete_operation<T>(gate, l, handler, ex, on_ex, {failure, T{}});
}

/// The coroutine of one operation: awaits `work` (a call's outcome, or a whole result),
/// gives its place in `l` to the next operation waiting there, and completes `handler`
/// with `read` of what it got. The handler is called from here rather than from
/// `co_spawn`'s completion, so that the result moves once into the handler's call instead
/// of through `co_spawn`'s completion and the function objects wrapping it (a
/// `gmail::message` was moved ten times per call). Like co_spawn's completion, it never
/// runs the handler inside the starting call.
///
/// Its frame holds what it awaits and nothing else: the result is made and handed over
/// in plain functions. A frame of over ~1 KiB (a message and an outcome, both branches'
/// in one frame, were 1.5 KiB) misses malloc's per-thread cache, and cost every call a
/// trip through malloc's bins and back.
///
/// `handler` is the caller's own, of its own type, for an operation that started at once
/// (an `any_completion_handler` only for one that waited in its lane): type-erased, it
/// was an allocation per call, and it took the result by value at each of its layers, so
/// that a `gmail::message` was moved three times on its way to the caller.
template <class T, class Result, class Read, class Handler>
boost::asio::awaitable<void> run_operation(boost::asio::awaitable<Result> work, Read read, admission* gate,
                                           admission::lane* l, Handler handler,
                                           [[maybe_unused]] boost::asio::any_completion_executor work_guard,
                                           boost::asio::any_io_executor ex, bool on_ex) {
    // `work_guard` is held, not used: it keeps the handler's executor counted until the end.
    error_code failure;
    bool completing = false;
    try {
        auto got = co_await std::move(work);
        // As co_spawn does for its own completion: an operation that ended without ever
        // suspending (its arguments refused, a daily limit known at once) ran inside the
        // call that started it, and its handler must not; it completes one turn later.
        // Otherwise a handler that starts the next such call would recurse without bound.
        if (!co_await boost::asio::detail::awaitable_thread_has_context_switched{})
            co_await boost::asio::post(ex, boost::asio::use_awaitable);
        // From here on, what throws is the caller's handler (`read_result` catches the
        // read's failures), or an allocation failing as the place is handed on or the
        // handler dispatched to its own executor, which goes on to `run` as it did before.
        completing = true;
        complete_operation<T>(gate, l, handler, ex, on_ex, read_result<T>(read, std::move(got)));
        co_return;
    } catch (...) {
        if (completing) // the caller's handler threw: on to their io_context::run, as from co_spawn
            throw;
        failure = error_of(std::current_exception());
    }
    if (!co_await boost::asio::detail::awaitable_thread_has_context_switched{})
        co_await boost::asio::post(ex, boost::asio::use_awaitable);
    fail_operation<T>(gate, l, handler, ex, on_ex, failure);
}

/// `run_operation`'s `read` for an operation that is a coroutine of its own.
template <class T>
std::pair<error_code, T> whole_result(std::pair<error_code, T>&& got) {
    return std::move(got);
}

/// Spawns `run_operation` for `work` on `ex`, with `handler`'s cancellation slot; what the
/// caller's handler throws goes on to `run`.
template <class T, class Result, class Read, class Handler>
void spawn_operation(boost::asio::any_io_executor const& ex, admission& gate, admission::lane& l,
                     boost::asio::awaitable<Result> work, Read read, Handler handler,
                     boost::asio::any_completion_executor work_guard, bool on_ex) {
    namespace asio = boost::asio;
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto rethrow = asio::bind_cancellation_slot(slot, [](std::exception_ptr e) {
        if (e) // thrown by the user's handler: it reaches their io_context::run
            std::rethrow_exception(e);
    });
    asio::co_spawn(ex,
                   run_operation<T>(std::move(work), read, &gate, &l, std::move(handler), std::move(work_guard), ex,
                                    on_ex),
                   std::move(rethrow));
}

/// A block of `Size` bytes inside its owner, for one allocation at a time.
template <std::size_t Size>
struct in_place_memory {
    alignas(std::max_align_t) unsigned char bytes[Size];
    bool used = false;
};

/// An allocator that serves from its `in_place_memory` what fits there while it is free,
/// and from the heap otherwise. For a handler that holds the memory's owner: Asio frees
/// a handler's memory before it calls it, so the owner outlives the use of its block.
template <class T, std::size_t Size = 96>
struct in_place_allocator {
    using value_type = T;

    explicit in_place_allocator(in_place_memory<Size>& m) noexcept : memory(&m) {}
    template <class U>
    in_place_allocator(in_place_allocator<U, Size> const& other) noexcept : memory(other.memory) {}
    template <class U>
    struct rebind {
        using other = in_place_allocator<U, Size>;
    };

    T* allocate(std::size_t n) {
        if (!memory->used && n * sizeof(T) <= Size && alignof(T) <= alignof(std::max_align_t)) {
            memory->used = true;
            return reinterpret_cast<T*>(memory->bytes);
        }
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (reinterpret_cast<unsigned char*>(p) == memory->bytes)
            memory->used = false;
        else
            std::allocator<T>().deallocate(p, n);
    }
    template <class U>
    bool operator==(in_place_allocator<U, Size> const& other) const noexcept {
        return memory == other.memory;
    }

    in_place_memory<Size>* memory;
};

/// Goes on with `rest`, the retry loop from a call's second attempt, in a coroutine (the
/// first attempt was made without one: `batched_operation`, `direct_operation`), and
/// completes `handler` with `read` of what it comes to, as `run_operation` would. The
/// handler stays where it is, in the block `keep` holds, until the coroutine ends: if the
/// coroutine cannot be made (memory), the call fails with that error instead of losing its
/// handler and its place in `l`. Cancellation reaches the coroutine through the handler's
/// slot, terminal only, as with `co_spawn` everywhere.
template <class T, class Handler, class Read>
void retry_in_coroutine(std::shared_ptr<void> keep, boost::asio::awaitable<pipeline::outcome> rest, Read read,
                        admission* gate, admission::lane* l, Handler& handler, boost::asio::any_io_executor const& ex,
                        bool on_ex) {
    namespace asio = boost::asio;
    auto slot = asio::get_associated_cancellation_slot(handler);
    try {
        asio::co_spawn(ex, std::move(rest),
                       asio::bind_cancellation_slot(slot, [keep, read, gate, l, &handler, &ex,
                                                           on_ex](std::exception_ptr e, pipeline::outcome o) {
                           if (e)
                               fail_operation<T>(gate, l, handler, ex, on_ex, error_of(e));
                           else
                               complete_operation<T>(gate, l, handler, ex, on_ex, read_result<T>(read, std::move(o)));
                       }));
    } catch (...) {
        if (slot.is_connected())
            slot.clear();
        fail_operation<T>(gate, l, handler, ex, on_ex, error_of(std::current_exception()));
    }
}

/// What an operation whose first attempt runs without a coroutine (`batched_operation`,
/// `direct_operation`) holds for its caller: the call, how its result is read, the
/// caller's own handler, its place in the admission lane, and when the call began.
template <class T, class Handler>
struct first_attempt_block {
    using reader = typename operation_result<T>::reader;

    first_attempt_block(pending_call&& pending, reader read, admission& gate, admission::lane& l, Handler handler,
                        boost::asio::any_completion_executor work_guard, boost::asio::any_io_executor const& ex,
                        bool on_ex)
        : pending_(std::move(pending)), read_(read), gate_(&gate), lane_(&l), handler_(std::move(handler)),
          work_guard_(std::move(work_guard)), ex_(ex), on_ex_(on_ex) {}

    pending_call pending_;
    reader read_;
    admission* gate_;
    admission::lane* lane_;
    Handler handler_;
    // Held, not used: it keeps the handler's executor counted until the end.
    boost::asio::any_completion_executor work_guard_;
    boost::asio::any_io_executor ex_;
    bool on_ex_;
    std::chrono::steady_clock::time_point started_;
};

/// An operation of one call whose first attempt joins a batch at once: one heap block
/// that holds the call, the caller's own handler and its place in the admission lane,
/// waiting in the batching layer as the caller's coroutine would (no `co_spawn`, no
/// coroutine frame, no layer between). Its part's answer is handed over in a handler of
/// its own on the client's executor, which reads the resource and completes the caller's
/// handler there, as `run_operation` would. Its first attempt goes without an
/// Authorization field: the batch's envelope carries the token (`authorization`), and the
/// field is written when the call goes alone or on to a retry. An answer the retry loop
/// would not stop at (a 429 part, a 401, a lost answer) goes on in a coroutine
/// (`retry_in_coroutine`), from the second attempt, so only the parts that failed are sent
/// again. Terminal
/// cancellation (the filter `co_spawn` applies) reaches it while it waits; one that comes
/// after its answer and before its handler ends the call with `operation_aborted` rather
/// than a retry, as the coroutine's cancelled state ended the retry loop's next wait (that
/// attempt is then not reported to the hook, where the loop reported a retry it never
/// made).
template <class T, class Handler>
class batched_operation final : public pipeline::batch_waiter, private first_attempt_block<T, Handler> {
    using block = first_attempt_block<T, Handler>;
    using block::ex_, block::gate_, block::handler_, block::lane_, block::on_ex_, block::pending_, block::read_,
        block::started_;

public:
    using reader = typename operation_result<T>::reader;
    using body_reader = typename operation_result<T>::body_reader;

    batched_operation(pending_call&& pending, reader read, body_reader read_body, admission& gate,
                      admission::lane& l, Handler handler, boost::asio::any_completion_executor work_guard,
                      boost::asio::any_io_executor const& ex, bool on_ex)
        : block(std::move(pending), read, gate, l, std::move(handler), std::move(work_guard), ex, on_ex),
          read_body_(read_body) {
        success_fields_unused = true; // `read_` reads a resource from the body
        reads_body_in_place = read_body_ != nullptr;
    }

    /// Joins `self`'s batch (`client_pipeline::prepare` said it may).
    static void start(std::shared_ptr<batched_operation> self) {
        namespace asio = boost::asio;
        if (auto slot = asio::get_associated_cancellation_slot(self->handler_); slot.is_connected())
            slot.assign([weak = std::weak_ptr<batched_operation>(self), ex = self->ex_](asio::cancellation_type type) {
                if ((type & asio::cancellation_type::terminal) == asio::cancellation_type::none)
                    return;
                // Noted at once, where it is emitted: when the answer's `resume` runs before
                // the dispatched leave below (emitted on another thread, so posted), it
                // still sees it.
                if (auto const cancelled = weak.lock())
                    cancelled->cancelled_.store(true, std::memory_order_release);
                asio::dispatch(ex, [weak] {
                    auto const cancelled = weak.lock();
                    if (cancelled && !cancelled->done) // else answered: `resume` sees `cancelled_`
                        client_pipeline::leave_batch(*cancelled->pending_.runner, cancelled->pending_.call, cancelled);
                });
            });
        auto* const op = self.get(); // the batch holds it from here
        op->started_ = client_pipeline::join_batch(*op->pending_.runner, op->pending_.call, std::move(self));
    }

    // Posted in memory of its own: a batch hands over all its answers at once, more than
    // Asio's per-thread cache of handler memory holds, so each cost an allocation. (Only
    // an io_context's own executor allocates with the handler's allocator; through any
    // other, such as a strand, the handler's memory comes from Asio's cache as before.)
    void hand_over(std::shared_ptr<batch_waiter> self) override {
        post_on(ex_, boost::asio::bind_allocator(
                         in_place_allocator<void>(handover_memory_),
                         [self = std::static_pointer_cast<batched_operation>(std::move(self))]() mutable {
                             auto& op = *self;
                             op.resume(std::move(self));
                         }));
    }

private:
    // On the client's executor, with `result` the first attempt's outcome. What the
    // caller's handler throws goes on to `run`, from this handler alone. `self` keeps the
    // block until the end.
    void resume(std::shared_ptr<batched_operation> self) {
        namespace asio = boost::asio;
        if (auto slot = asio::get_associated_cancellation_slot(handler_); slot.is_connected())
            slot.clear();
        bool settled = false;
        bool const cancelled = cancelled_.load(std::memory_order_acquire);
        boost::asio::awaitable<pipeline::outcome> rest;
        error_code failure;
        try {
            settled = client_pipeline::first_attempt_settles(*pending_.runner, pending_.call, *pending_.options, result);
            if (!settled && !cancelled) {
                // The retry loop reads which token the first attempt carried (a 401 renews it).
                write_authorization();
                rest = client_pipeline::attempts_after_first(*pending_.runner, std::move(pending_.call),
                                                             *pending_.options, {std::move(result), started_});
            }
        } catch (...) { // as `run_operation` turns what its work throws into the error
            failure = error_of(std::current_exception());
        }
        // Outside the `try`: what the caller's handler throws goes on to `run`.
        if (!failure && !settled && cancelled) // cancelled after its answer: no retry
            failure = asio::error::operation_aborted;
        if (failure) {
            fail_operation<T>(gate_, lane_, handler_, ex_, on_ex_, failure);
            return;
        }
        if (!settled) {
            retry_in_coroutine<T>(std::move(self), std::move(rest), read_, gate_, lane_, handler_, ex_, on_ex_);
            return;
        }
        // Its resource read out of the batch's answer, where its body was left, unless the
        // answer turned out malformed after its part (`result` says so).
        if (body_in_place && !result.ec)
            complete_operation<T>(gate_, lane_, handler_, ex_, on_ex_, read_result<T>(read_body_, *body_in_place));
        else
            complete_operation<T>(gate_, lane_, handler_, ex_, on_ex_, read_result<T>(read_, std::move(result)));
    }

    body_reader read_body_;
    std::atomic<bool> cancelled_{false}; ///< terminal cancellation was emitted (any thread)
    in_place_memory<96> handover_memory_; ///< the handed-over handler's (it holds the operation)
};

/// An operation of one call whose first attempt goes alone, straight to the connection
/// pool (`first_attempt::alone`): one heap block that holds the call, the caller's own
/// handler and its place in the admission lane, as `batched_operation` does for a batched
/// call. The pool's answer comes to it on the client's executor, where it reads the
/// resource and completes the caller's handler, as `run_operation` would: no `co_spawn`,
/// no coroutine frame and no awaitable hand-off (together ~8k instructions of a send).
/// An answer the retry loop would not stop at goes on in a coroutine
/// (`retry_in_coroutine`), from the second attempt. Terminal cancellation (the filter
/// `co_spawn` applies) reaches the pool's exchange; one that comes after the answer ends the call with `operation_aborted`
/// rather than a retry, as for a batched call.
template <class T, class Handler>
class direct_operation final : private first_attempt_block<T, Handler> {
    using block = first_attempt_block<T, Handler>;
    using block::ex_, block::gate_, block::handler_, block::lane_, block::on_ex_, block::pending_, block::read_,
        block::started_;

public:
    using block::block;

    /// Sends `self`'s request (`client_pipeline::prepare` said it may). False: the send
    /// failed to start (memory ran out on the way; the pool then never sends it, or
    /// never again), and the caller's handler has the error, posted; the caller gives
    /// the place back. The pool never completes inside `send`, so the caller's handler
    /// never runs inside the caller's call.
    static bool start(std::shared_ptr<direct_operation> self) {
        namespace asio = boost::asio;
        auto& op = *self;
        auto& runner = *op.pending_.runner;
        auto slot = asio::get_associated_cancellation_slot(op.handler_);
        try {
            std::shared_ptr<http::request const> request = op.pending_.call.request;
            // Not in memory of the block's own (as `batched_operation` posts its answer): a
            // type-erased handler destroyed without being called (its io_context destroyed
            // first) frees its memory after it has dropped the block.
            auto on_answer = [self](error_code ec, http::response res) mutable {
                auto& answered = *self;
                answered.answered(std::move(self), ec, std::move(res));
            };
            auto& pool = client_pipeline::transport(runner);
            op.started_ = client_pipeline::count_alone(runner);
            if (slot.is_connected()) {
                // Only terminal cancellation passes, as `co_spawn`'s filter lets it into
                // the coroutine. The state lives in the caller's slot, as `co_spawn`'s
                // does: held by the block, the pool's handler in it would hold the pool's
                // operation, which holds the block.
                op.cancel_state_ = asio::cancellation_state(slot, asio::enable_terminal_cancellation());
                pool.send(std::move(request),
                          asio::bind_cancellation_slot(op.cancel_state_.slot(), std::move(on_answer)));
            } else {
                pool.send(std::move(request), std::move(on_answer));
            }
            return true;
        } catch (...) {
            if (slot.is_connected())
                slot.clear();
            asio::post(op.ex_, asio::append(std::move(op.handler_), error_of(std::current_exception()), T{}));
            return false;
        }
    }

private:
    // On the client's executor, with the pool's answer. What the caller's handler throws
    // goes on to `run`, from this handler alone. `self` keeps the block until the end.
    void answered(std::shared_ptr<direct_operation> self, error_code ec, http::response res) {
        namespace asio = boost::asio;
        // Whether terminal cancellation came; then the caller's slot is free for the retry
        // loop's coroutine.
        bool const cancelled = cancel_state_.cancelled() != asio::cancellation_type::none;
        cancel_state_ = {}; // its state goes with the slot's handler
        if (auto slot = asio::get_associated_cancellation_slot(handler_); slot.is_connected())
            slot.clear();
        auto& runner = *pending_.runner;
        pipeline::outcome result;
        bool settled = false;
        boost::asio::awaitable<pipeline::outcome> rest;
        error_code failure;
        try {
            result = client_pipeline::transmitted(runner, pending_.call, ec, std::move(res));
            settled = client_pipeline::first_attempt_settles(runner, pending_.call, *pending_.options, result);
            if (!settled && !cancelled)
                rest = client_pipeline::attempts_after_first(runner, std::move(pending_.call), *pending_.options,
                                                             {std::move(result), started_});
        } catch (...) { // as `run_operation` turns what its work throws into the error
            failure = error_of(std::current_exception());
        }
        // Outside the `try`: what the caller's handler throws goes on to `run`.
        if (!failure && !settled && cancelled) // cancelled after its answer: no retry
            failure = asio::error::operation_aborted;
        if (failure)
            fail_operation<T>(gate_, lane_, handler_, ex_, on_ex_, failure);
        else if (!settled)
            retry_in_coroutine<T>(std::move(self), std::move(rest), read_, gate_, lane_, handler_, ex_, on_ex_);
        else
            complete_operation<T>(gate_, lane_, handler_, ex_, on_ex_, read_result<T>(read_, std::move(result)));
    }

    boost::asio::cancellation_state cancel_state_; ///< on the caller's slot, when it has one
};

/// The core: runs `op` on `ex` and completes `handler` with its result, on
/// the handler's associated executor, keeping that executor's work counted meanwhile.
/// The handler's cancellation slot reaches the coroutine. An exception escaping `op`
/// becomes an error code (`error_of`); nothing gapi throws reaches the user's
/// `io_context::run` (an exception the user's own handler throws does, as from any
/// Asio operation). When it completes, its place in `l` goes to the next operation
/// waiting there. `on_ex`: the handler's executor is `ex` (`runs_on`), whose work the
/// coroutine counts. `op` is a coroutine, or a call's awaitable (not a pending call).
template <class T, class Handler>
void launch(boost::asio::any_io_executor const& ex, admission& gate, admission::lane& l, operation_result<T>& op,
            Handler handler, bool on_ex) {
    auto work = work_for(handler, ex, on_ex);
    if (op.read)
        spawn_operation<T>(ex, gate, l, std::move(op.call), op.read, std::move(handler), std::move(work), on_ex);
    else
        spawn_operation<T>(ex, gate, l, std::move(op.whole), &whole_result<T>, std::move(handler), std::move(work),
                           on_ex);
}

/// `make()`, or nothing with `failure` set to what it threw. Returned as `make` made it:
/// an operation moved into place costs a small call's request and call a move each.
template <class T, class MakeAwaitable>
operation_result<T> made(MakeAwaitable& make, std::exception_ptr& failure) {
    try {
        return make();
    } catch (...) {
        failure = std::current_exception();
        return {};
    }
}

/// Makes the operation and launches it in the place `l` holds for it. Making it builds
/// the request, and the call's awaitable, or its `batched_operation` when its first
/// attempt joins a batch at once (`client_pipeline::prepare`). That fails for a
/// misconfigured root or when memory runs out: then the handler gets the error, posted,
/// and the caller gives the place back (false).
template <class T, class MakeAwaitable, class Handler>
bool start_admitted(boost::asio::any_io_executor const& ex, admission& gate, admission::lane& l, MakeAwaitable& make,
                    Handler handler, bool on_ex) {
    namespace asio = boost::asio;
    std::exception_ptr failure;
    auto op = made<T>(make, failure);
    std::shared_ptr<batched_operation<T, Handler>> batched;
    std::shared_ptr<direct_operation<T, Handler>> direct;
    if (!failure && op.pending) {
        try {
            auto& p = *op.pending;
            // The handler moves into a block only once the block is allocated: if that
            // fails, the handler is still here for the error.
            switch (client_pipeline::prepare(*p.runner, p.call, *p.options)) {
            case first_attempt::in_batch: {
                auto work = work_for(handler, ex, on_ex);
                batched = std::make_shared<batched_operation<T, Handler>>(
                    std::move(p), op.read, op.read_body, gate, l, std::move(handler), std::move(work), ex, on_ex);
                break;
            }
            case first_attempt::alone: {
                auto work = work_for(handler, ex, on_ex);
                direct = std::make_shared<direct_operation<T, Handler>>(std::move(p), op.read, gate, l,
                                                                        std::move(handler), std::move(work), ex, on_ex);
                break;
            }
            case first_attempt::in_pipeline:
                op.call = client_pipeline::perform_prepared(*p.runner, std::move(p.call), *p.options);
                break;
            }
        } catch (...) {
            failure = std::current_exception();
        }
    }
    if (failure) {
        asio::post(ex, asio::append(std::move(handler), error_of(failure), T{}));
        return false;
    }
    if (batched)
        batched_operation<T, Handler>::start(std::move(batched));
    else if (direct)
        return direct_operation<T, Handler>::start(std::move(direct));
    else
        launch<T>(ex, gate, l, op, std::move(handler), on_ex);
    return true;
}

/// An operation queued at the admission gate: what makes its coroutine, and its handler.
/// Cancelled while it waits, it completes at once with `operation_aborted`, never started.
template <class T, class MakeAwaitable>
class queued_operation final : public admission::waiting,
                               public std::enable_shared_from_this<queued_operation<T, MakeAwaitable>> {
public:
    queued_operation(admission& gate, admission::lane& l, MakeAwaitable make,
                     boost::asio::any_completion_handler<void(error_code, T)> handler, bool on_gate_executor)
        : ex_(gate.executor()), gate_(gate), lane_(l), make_(std::move(make)), handler_(std::move(handler)),
          on_gate_executor_(on_gate_executor) {
        namespace asio = boost::asio;
        // While it waits, the handler's executor must have work to wait for. The client's
        // own has (the operations that run); another context's gets it counted here.
        if (!on_gate_executor_)
            foreign_work_ = std::make_unique<asio::any_completion_executor>(work_for(handler_, ex_, false));
    }

    // After construction (it needs shared_from_this): a cancellation while waiting ends it.
    void watch_cancellation() {
        namespace asio = boost::asio;
        auto slot = asio::get_associated_cancellation_slot(handler_);
        if (!slot.is_connected())
            return;
        slot.assign([weak = this->weak_from_this(), ex = ex_](asio::cancellation_type) {
            asio::dispatch(ex, [weak] {
                auto self = weak.lock();
                if (!self || self->done)
                    return;
                self->done = true;
                self->abandon(boost::asio::error::operation_aborted);
            });
        });
    }

    bool start() override {
        return start_admitted<T>(ex_, gate_, lane_, *make_, std::move(handler_), on_gate_executor_);
    }

    void abandon(error_code why) override {
        // Posted, never run inline: this may run inside the client's destructor. The
        // handler still runs on its own associated executor.
        boost::asio::post(ex_, boost::asio::append(std::move(handler_), why, T{}));
        make_.reset(); // the arguments go now, not when the queue reaches this record
        foreign_work_.reset();
    }

private:
    // Small on purpose: 100,000 of these may wait at once.
    boost::asio::any_io_executor const& ex_; // the gate's (the client's), which outlives its operations
    admission& gate_;
    admission::lane& lane_;
    std::optional<MakeAwaitable> make_;
    boost::asio::any_completion_handler<void(error_code, T)> handler_;
    bool on_gate_executor_;
    std::unique_ptr<boost::asio::any_completion_executor> foreign_work_;
};

/// Starts `make()`'s coroutine on `ex` when `gate` admits it in `key`'s lane (at once, or
/// when an earlier operation of that user finishes) and completes `token` as
/// `void(error_code, T)`. The gate is consulted on `ex`, so an operation may be started
/// from any thread. Terminal cancellation reaches the coroutine; any cancellation ends a
/// call still waiting.
template <class T, class MakeAwaitable, class CompletionToken>
auto start_operation(boost::asio::any_io_executor const& ex, admission& gate, std::string_view key,
                     MakeAwaitable make, CompletionToken&& token) {
    namespace asio = boost::asio;
    return asio::async_initiate<CompletionToken, void(error_code, T)>(
        [ex, &gate](auto handler, MakeAwaitable make_op, std::string lane_key) {
            bool const on_ex = runs_on(handler, ex);
            // Type-erased only if it has to wait: an operation that starts at once keeps
            // the caller's handler as it is (`run_operation`).
            auto admit = [ex, &gate, h = std::move(handler), make_op = std::move(make_op),
                          lane_key = std::move(lane_key), on_ex]() mutable {
                auto& l = gate.lane_of(lane_key);
                if (gate.try_enter(l)) {
                    if (!start_admitted<T>(ex, gate, l, make_op, std::move(h), on_ex))
                        gate.leave(l);
                    return;
                }
                // A queued operation starts on the gate's executor.
                bool const on_gate_executor = on_ex && ex == gate.executor();
                auto queued = std::make_shared<queued_operation<T, MakeAwaitable>>(
                    gate, l, std::move(make_op), asio::any_completion_handler<void(error_code, T)>(std::move(h)),
                    on_gate_executor);
                queued->watch_cancellation();
                gate.wait(l, std::move(queued));
            };
            // On the client's own thread it runs here, as dispatch would run it, without
            // first being moved into an allocated function. Nothing in it completes the
            // handler inline: co_spawn never completes before it returns, and a failure
            // to start is posted.
            if (auto const* io = ex.target<asio::io_context::executor_type>(); io && io->running_in_this_thread())
                admit();
            else
                asio::dispatch(ex, std::move(admit));
        },
        token, std::move(make), std::string(key));
}

} // namespace gapi::detail

#endif
