// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_HTTP_DETAIL_ORIGIN_SLOTS_HPP
#define GAPI_HTTP_DETAIL_ORIGIN_SLOTS_HPP

// The connection pool's bookkeeping for one origin, apart from its I/O so that tests drive
// it with fake connections and a fake clock: the cap on open connections, the kept-alive
// connections, and the queue of requests waiting at the cap, served first come first served.
// Time is never read here; the caller passes it in.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace gapi::http::detail {

/// What a request waiting at the cap is handed: a kept-alive connection, or the right to
/// open one (a place under the cap), then woken. `Connection` is the pool's connection.
template <class Connection>
struct grant {
    std::unique_ptr<Connection> connection;
    bool slot = false;

    bool granted() const noexcept { return connection || slot; }
};

/// `Connection` has `bool looks_alive()` (false once the server closed it while idle; it
/// may cost a system call, so it is asked only of a connection idle for a while) and
/// `void close()`. `Waiter` has a member `grant<Connection> granted` and `void wake()`, which
/// resumes the request that waits on it.
template <class Connection, class Waiter>
class origin_slots {
public:
    using time_point = std::chrono::steady_clock::time_point;

    /// What a request gets on arrival: a kept-alive connection, the right to open one, or
    /// neither (it must wait).
    using admission = grant<Connection>;

    /// What a woken waiter goes on with.
    enum class outcome {
        use_connection, ///< the connection it was handed, now in `out`
        open_connection, ///< a place under the cap: connect, or `release_slot` on failure
        gave_up, ///< nothing: its deadline passed or it was aborted; a grant it had is passed on
    };

    using duration = std::chrono::steady_clock::duration;

    /// `check_after`: a kept-alive connection idle for less is reused without asking
    /// whether it still looks alive, as one handed straight to a waiter is; zero asks always.
    explicit origin_slots(std::size_t max_connections, duration check_after = duration::zero())
        : max_connections_(max_connections), check_after_(check_after) {}

    std::size_t open() const noexcept { return open_; }
    std::size_t idle() const noexcept { return idle_.size(); }
    std::size_t waiting() const noexcept { return waiters_.size(); }

    /// A kept-alive connection that still looks alive (the most recently used, whose peer is
    /// least likely to have closed it), or else a place under the cap, or else nothing. One
    /// idle since less than `check_after` before `now` is taken as alive.
    admission admit(time_point now) {
        if (auto kept = take_idle(now))
            return admission{.connection = std::move(kept)};
        if (open_ < max_connections_) {
            ++open_;
            return admission{.slot = true};
        }
        return {};
    }

    /// `admit`'s first choice alone: a kept-alive connection that still looks alive, or
    /// null (the dead ones found on the way are closed). Never grants a place.
    std::unique_ptr<Connection> take_idle(time_point now) {
        while (!idle_.empty()) {
            bool const recent = check_after_ > duration::zero() && now - idle_.back().since < check_after_;
            auto candidate = std::move(idle_.back().connection);
            idle_.pop_back();
            if (recent || candidate->looks_alive())
                return candidate;
            candidate->close();
            --open_;
        }
        return nullptr;
    }

    /// Queues a request that `admit` sent away; `release` and `release_slot` hand it what
    /// they free, in arrival order.
    void enqueue(std::shared_ptr<Waiter> w) { waiters_.push_back(std::move(w)); }

    /// Settles a waiter after it woke. `giving_up` (its deadline passed, or it was aborted)
    /// makes it pass on whatever it was handed, so a late grant is never lost.
    outcome settle(std::shared_ptr<Waiter> const& w, bool giving_up, time_point now, std::unique_ptr<Connection>& out) {
        auto& granted = w->granted;
        if (!granted.granted()) {
            // Only a deadline or an abort wakes a waiter still in the queue; a grant took it
            // off already, so a long queue is never searched after every grant.
            if (auto queued = std::find(waiters_.begin(), waiters_.end(), w); queued != waiters_.end())
                waiters_.erase(queued);
            return outcome::gave_up;
        }
        if (granted.connection) {
            if (giving_up) {
                release(std::move(granted.connection), now);
                return outcome::gave_up;
            }
            out = std::move(granted.connection);
            return outcome::use_connection;
        }
        granted.slot = false;
        if (giving_up) {
            release_slot();
            return outcome::gave_up;
        }
        return outcome::open_connection;
    }

    /// A connection that may serve another request: to the first waiter, or kept alive.
    /// After `close_all`, closed instead.
    void release(std::unique_ptr<Connection> conn, time_point now) {
        if (closed_) {
            discard(std::move(conn));
            return;
        }
        if (!waiters_.empty()) {
            auto w = pop_first_waiter();
            w->granted.connection = std::move(conn);
            w->wake();
            return;
        }
        idle_.push_back(idle_connection{std::move(conn), now});
    }

    /// A connection that must not serve again: closed, and its place given on.
    void discard(std::unique_ptr<Connection> conn) {
        conn->close();
        conn.reset();
        release_slot();
    }

    /// A place under the cap that is free again (a connect that failed, a closed
    /// connection): to the first waiter, who opens a connection with it.
    void release_slot() {
        --open_;
        if (waiters_.empty() || closed_)
            return;
        auto w = pop_first_waiter();
        ++open_;
        w->granted.slot = true;
        w->wake();
    }

    /// When the longest-idle connection became idle, if any is idle.
    std::optional<time_point> oldest_idle_since() const {
        std::optional<time_point> oldest;
        for (auto const& c : idle_)
            if (!oldest || c.since < *oldest)
                oldest = c.since;
        return oldest;
    }

    /// Closes the connections idle since `cutoff` or earlier; keeps the others in order.
    void close_idle_since(time_point cutoff) {
        auto expired = std::stable_partition(idle_.begin(), idle_.end(),
                                             [&](idle_connection const& c) { return c.since > cutoff; });
        for (auto it = expired; it != idle_.end(); ++it)
            it->connection->close();
        open_ -= static_cast<std::size_t>(idle_.end() - expired);
        idle_.erase(expired, idle_.end());
    }

    /// Shutting down: the idle connections close, and nothing is handed on any more (the
    /// pool aborts the waiters itself).
    void close_all() {
        closed_ = true;
        for (auto& c : idle_)
            c.connection->close();
        open_ -= idle_.size();
        idle_.clear();
    }

private:
    struct idle_connection {
        std::unique_ptr<Connection> connection;
        time_point since;
    };

    std::shared_ptr<Waiter> pop_first_waiter() {
        auto w = std::move(waiters_.front());
        waiters_.pop_front();
        return w;
    }

    std::size_t max_connections_;
    duration check_after_;
    std::size_t open_ = 0; // connecting, busy or idle: what the cap counts
    std::vector<idle_connection> idle_; // back() is the most recently used
    std::deque<std::shared_ptr<Waiter>> waiters_;
    bool closed_ = false;
};

} // namespace gapi::http::detail

#endif
