// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_PIPELINE_BATCHER_HPP
#define GAPI_PIPELINE_BATCHER_HPP

// Automatic batching, a layer of the call pipeline: concurrent batchable calls of one API,
// one user and one token travel as one batch request (fact sheet §5). Each caller gets
// its own outcome as if it had called alone, so its own retry loop retries only its own
// failed part, under its own idempotency rules; the batch pays the quota units of all
// its calls.
//
// When a batch goes is Nagle's rule for small segments, as TCP applies it (RFC 896, with
// Minshall's refinement): a full batch goes at once (one turn of the executor later,
// below); a partial one goes as soon as the calls that arrived together have all joined
// it, unless a partial batch of its kind is still on its way, in which case it waits for
// that one's answer (more calls join meanwhile) or the end of its window, whichever comes
// first. So a lone call is not delayed, a burst fills batches, and under a steady load
// two batches overlap: the server works on one while the client reads the other.
//
// How full a batch is: when the client runs more calls in the admission lane of the call
// that fills it (`call::admission_lane`: a Gmail mailbox's, or the one of Calendar's
// calls, the client's `send` and explicit batches) than one batch holds (the admission
// gate's count, which includes calls not batched and calls waiting to retry), they go in
// the fewest batches the maximum allows, evenly (`balanced_batch_size`): under a steady
// load of 64 calls with at most 50 a batch, two batches of 32, not 50 and 14, so that
// neither side of the overlap idles while the other works through the larger batch. A
// batch that is full goes one turn of the executor later, split by the count then: a
// burst whose calls reach this layer one by one (a token at hand: each is admitted and
// arrives before the next starts) counts only the calls started so far when its first
// batch fills, and the rest of the burst has arrived a turn later (when it was started on
// the client's thread, or before its executor ran; calls started from another thread
// meanwhile are admitted as they come). A group's calls may come from more than one lane
// (a Gmail get built by hand and sent with the client's `send` joins the service's gets
// for "me"): the count is the filling call's lane's, so such a mix may go in uneven
// batches, never in batches over the maximum.

#include <gapi/batch/codec.hpp>
#include <gapi/detail/begins_with.hpp>
#include <gapi/detail/complete_handler.hpp>
#include <gapi/pipeline/call.hpp>
#include <gapi/pipeline/retry.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gapi::pipeline {

/// Automatic batching. Off by default: on, a call waits for company at most `window`, and
/// only while a smaller batch of its kind is on its way.
struct batching_options {
    bool enabled = false; ///< on: batchable calls are batched unless `call_options::batch` says otherwise
    std::chrono::milliseconds window{2}; ///< the longest the first call of a batch waits for company
    std::size_t gmail_max = 50;     ///< Google allows 100 and advises against more than 50 (1..100)
    std::size_t calendar_max = 100; ///< Google allows 1,000 (1..1000)
    std::size_t max_part_bytes = 1024 * 1024; ///< larger calls go alone
};

/// How many calls make a batch full when `running` calls run at once and a batch holds at
/// most `max`: `max` when they fit in one batch, else an even share of the fewest batches
/// that hold them all (64 with 50: 32; 101 with 50: 34; 120 with 50: 40).
constexpr std::size_t balanced_batch_size(std::size_t running, std::size_t max) noexcept {
    if (max == 0 || running <= max)
        return max;
    std::size_t const batches = (running + max - 1) / max;
    return (running + batches - 1) / batches;
}

/// The batch request for `calls` (one API, one origin): POST to the API's batch path,
/// one part per call (`item-N`), paying the units of all of them, replayable only when
/// every call is. Without Authorization: the pipeline, or the caller, adds the token.
inline http::request batch_request(std::vector<http::request const*> const& calls) {
    bool const calendar = is_calendar_method(calls.front()->method_id);
    http::request req;
    req.method = http::verb::post;
    // A request with a target holds only its origin in its URL (`has_valid_target`):
    // copied, not parsed again (a parse cost ~3,400 instructions a batch).
    auto const& first = *calls.front();
    req.url = first.target.empty() ? boost::urls::url(first.url.encoded_origin()) : first.url;
    req.target = calendar ? "/batch/calendar/v3" : "/batch/gmail/v1";
    req.method_id = calendar ? "batch.calendar" : "batch.gmail";
    req.quota_units = 0;
    std::vector<batch::part_request> parts;
    parts.reserve(calls.size());
    for (std::size_t i = 0; i < calls.size(); ++i) {
        // Written in place: `"item-" + std::to_string(i)` made and grew a string first.
        char id[5 + 20] = "item-"; // any 64-bit count has at most 20 digits
        parts.push_back({std::string(id, std::to_chars(id + 5, id + sizeof id, i).ptr), calls[i]});
        req.quota_units += calls[i]->quota_units;
        req.replay_on_stale_connection = req.replay_on_stale_connection && calls[i]->replay_on_stale_connection;
    }
    auto const boundary = batch::make_boundary(parts);
    req.headers.set(boost::beast::http::field::content_type, "multipart/mixed; boundary=" + boundary);
    req.body = batch::encode_request(parts, boundary);
    return req;
}

/// A call waiting in the batching layer for its part's answer (`batcher::join`). It holds
/// what answers the caller, and nothing holds it but its group or its batch: when those go
/// without an answer (the io_context shut down), it goes with them, as a pending
/// operation's handler does.
class batch_waiter {
public:
    virtual ~batch_waiter() = default;

    std::shared_ptr<http::request> request; ///< the call's request
    unsigned units = 1;                     ///< its quota units
    bool idempotent = true;                 ///< may be sent twice
    outcome result;                         ///< its outcome, once `done`
    bool success_fields_unused = false;     ///< its caller reads only the body of a 2xx answer
    bool done = false; ///< the outcome is set (the answer, or a cancellation's) and handed over
    /// The Authorization field's value its batch carries, for a request made without the
    /// field (a first attempt whose token only the batch's envelope carries; the field is
    /// written into the request if it goes alone); empty: the request's own field.
    std::shared_ptr<std::string const> authorization;
    /// Set by the waiter: a 2xx answer's body may stay where it is in the batch's answer
    /// (`body_in_place`), not copied into `result`.
    bool reads_body_in_place = false;
    /// Set: the 2xx answer's body, left in the batch's answer, which `answer` keeps.
    std::optional<std::string_view> body_in_place;
    std::shared_ptr<void const> answer; ///< what `body_in_place` points into

    /// The Authorization field's value its batch carries (see `authorization`).
    std::string_view authorization_value() const {
        return authorization ? std::string_view(*authorization)
                             : http::field_value(request->headers, boost::beast::http::field::authorization);
    }

    /// Writes `authorization`, if set, into the request: for an attempt that goes out
    /// without the batch's envelope (alone, or a retry).
    void write_authorization() const {
        if (authorization)
            request->headers.set(boost::beast::http::field::authorization, *authorization);
    }

    /// Hands `result` to the caller: one turn later, never inside the batching layer's
    /// work, in a handler of its own, so that a caller's handler that throws (the
    /// exception goes on to `run`) leaves the other callers of its batch unaffected.
    /// `self` is this waiter.
    virtual void hand_over(std::shared_ptr<batch_waiter> self) = 0;
};

namespace detail {

// `read_batch_answers`' work, for `count` calls: `slots(i)` is call i's
// `batch_answer_slot` (a null outcome: none).
struct batch_answer_slot {
    outcome* answer = nullptr;
    bool success_fields_unused = false;
    batch_waiter* waiter = nullptr; ///< for a body left in place; may be null
};

template <class Slots>
void read_batch_answers(outcome const& whole, std::size_t count, Slots const& slots) {
    if (whole.ec || whole.response.status / 100 != 2) {
        for (std::size_t i = 0; i < count; ++i)
            if (auto* a = slots(i).answer)
                *a = whole;
        return;
    }
    // Each part by its call's index: "item-N", as `batch_request` named them. A part
    // named otherwise answers none of them; of two parts naming one call, the first does.
    struct placing {
        std::size_t count;
        Slots const& slots;
        batch_answer_slot last{}; // the slot of the part placed last
    } parts{count, slots};
    auto const target = [](void* context, std::string_view id) -> http::response* {
        auto& placed = *static_cast<placing*>(context);
        if (!gapi::detail::begins_with(id, "item-"))
            return nullptr;
        id.remove_prefix(5);
        auto const index = gapi::detail::decimal(id);
        bool const canonical = id == "0" || !id.starts_with('0'); // as `batch_request` writes it
        if (!canonical || !index || *index >= placed.count)
            return nullptr;
        auto const slot = placed.slots(*index);
        if (!slot.answer || slot.answer->response.status != 0)
            return nullptr;
        placed.last = slot;
        return &slot.answer->response;
    };
    auto const keeps_success_fields = [](void* context) {
        return !static_cast<placing const*>(context)->last.success_fields_unused;
    };
    auto const takes_success_body = [](void* context, std::string_view body) {
        auto* const w = static_cast<placing const*>(context)->last.waiter;
        if (!w || !w->reads_body_in_place)
            return false;
        w->body_in_place = body;
        return true;
    };
    auto const fault =
        batch::decode_parts(whole.response, {target, &parts, keeps_success_fields, takes_success_body});
    for (std::size_t i = 0; i < count; ++i) {
        auto* const a = slots(i).answer;
        if (!a)
            continue;
        if (fault) // every call fails alike, parts read before the fault included
            a->response = {};
        if (fault || a->response.status == 0) {
            a->ec = fault ? fault : error_code(error::malformed_response);
            a->written = true;
        } else if (a->response.status / 100 != 2) {
            a->details = parse_error_details(a->response);
            a->ec = to_error_code(*a->details);
        }
        a->response.exchange = whole.response.exchange;
    }
}

} // namespace detail

/// Each call's outcome from the batch request's, written into `answers[i]` for the call
/// of index `i` (nothing for a null one): its own part (with Google's details when
/// refused), the batch's failure when the batch failed as a whole, or
/// `error::malformed_response` (written: Google had it) when its part is missing. The
/// outcomes must be empty (default-constructed): each part is read straight into its
/// call's, with no copy between.
inline void read_batch_answers(outcome const& whole, std::span<outcome* const> answers) {
    detail::read_batch_answers(whole, answers.size(),
                               [answers](std::size_t i) { return detail::batch_answer_slot{answers[i]}; });
}

/// `read_batch_answers` into the outcomes (`result`) of `waiters`, one per call (a null
/// one: none), as each asks: a 2xx answer without its header fields for one whose caller
/// reads only the body (`success_fields_unused`), and its body left in `whole` for one
/// that `reads_body_in_place` (`body_in_place`; the caller keeps `whole` for it).
inline void read_batch_answers(outcome const& whole, std::span<batch_waiter* const> waiters) {
    detail::read_batch_answers(whole, waiters.size(), [waiters](std::size_t i) {
        auto* const w = waiters[i];
        return w ? detail::batch_answer_slot{&w->result, w->success_fields_unused, w} : detail::batch_answer_slot{};
    });
}

/// `read_batch_answers` for `count` calls, into outcomes of their own.
inline std::vector<outcome> batch_answers(outcome const& whole, std::size_t count) {
    std::vector<outcome> answers(count);
    std::vector<outcome*> into;
    into.reserve(count);
    for (auto& a : answers)
        into.push_back(&a);
    read_batch_answers(whole, into);
    return answers;
}

/// The batching layer. Not thread-safe: used from the client's executor.
class batcher {
public:
    /// How many calls the client runs at once in an admission lane (`call::admission_lane`):
    /// its admission gate's count.
    using running_calls_fn = std::function<std::size_t(std::string_view admission_lane)>;

    /// A batcher with `options`, waiting its windows with `t.sleep` and counting batches
    /// in `counters`; `t` and `counters` must outlive it. With `running_calls`, a batch is
    /// full at `balanced_batch_size` of that count; without, at the maximum.
    batcher(batching_options options, timing const& t, retry_counters& counters, running_calls_fn running_calls = {})
        : options_(options), timing_(t), counters_(counters), running_calls_(std::move(running_calls)) {}

    batcher(batcher const&) = delete; // it keeps an iterator into its own groups
    batcher& operator=(batcher const&) = delete;

    /// The options given at construction.
    batching_options const& options() const noexcept { return options_; }

    /// Sends `c` in a batch through `next` (pacing, then the transport) when it may go in
    /// one, else alone through `next`. Cancellation: a call still waiting for its batch
    /// leaves it (nothing is sent for it); one already sent completes with
    /// `operation_aborted` and its part's answer is dropped.
    ///
    /// A call may go in a batch when `c.traits.batchable`, its body is at most
    /// `max_part_bytes` and its target and header fields may go out as they are
    /// (`http::has_valid_target`, `has_valid_fields`); it joins the calls of the same API, quota key, origin and
    /// Authorization field. A batch goes when it is full; when the calls that arrived with
    /// it have joined and no partial batch of its kind is on its way; when that one's
    /// answer came; or when its window ends. A batch of one goes as a plain request. The
    /// batch request runs detached from the callers, on the awaiting coroutine's executor,
    /// and is not retried here: each caller gets its own part's outcome, for its own retry
    /// loop. `next` must outlive the batch request.
    boost::asio::awaitable<outcome> operator()(call& c, next_layer const& next) {
        // Not a coroutine: a call that goes alone costs no frame here.
        if (!takes(c))
            return next(c);
        // The caller's coroutine waits with its handler in the waiter: no coroutine of
        // gapi's and no timer between them (Asio's use_awaitable makes one frame for it).
        return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(outcome)>(
            [this](waiting_handler handler, call* c, next_layer const* next) {
                auto const ex = boost::asio::get_associated_executor(handler);
                auto w = std::make_shared<awaiting_coroutine>(std::move(handler)); // with the request's own field
                // Cancelled while it waits: it leaves its group, or its answer is dropped
                // (`leave`). The call is the caller's, alive while the caller waits.
                if (auto slot = boost::asio::get_associated_cancellation_slot(*w->handler); slot.is_connected())
                    slot.assign([this, c, weak = std::weak_ptr<batch_waiter>(w)](boost::asio::cancellation_type) {
                        if (auto const cancelled = weak.lock())
                            leave(*c, cancelled);
                    });
                join(*c, *next, std::move(w), ex);
            },
            boost::asio::use_awaitable, &c, &next);
    }

    /// Whether `c` may go in a batch: `c.traits.batchable`, a body of at most
    /// `max_part_bytes`, and a target and header fields that may go out as they are. Any
    /// other goes alone, for the transport to refuse what it must: inside a batch nothing
    /// would check it, written into the batch's body.
    bool takes(call const& c) const {
        return c.traits.batchable && c.request->body.size() <= options_.max_part_bytes &&
               http::has_valid_target(*c.request) && http::has_valid_fields(*c.request);
    }

    /// `operator()` for a caller that waits in a `batch_waiter` of its own instead of a
    /// coroutine: `c` (which `takes` answers yes for) joins its batch, and `w`, which must
    /// not be done, gets its outcome; the batch's work runs on `ex` (the client's). `c`
    /// must stay alive and unchanged while `w` waits (but that a call going alone gets its
    /// Authorization field from `w->authorization`); `w->request` is set here.
    /// `w->authorization` is the token's field when `c`'s request has none.
    void join(call& c, next_layer const& next, std::shared_ptr<batch_waiter> w, boost::asio::any_io_executor const& ex) {
        w->request = c.request;
        // The calls of a burst join one group: the last group joined is compared with the
        // call's key in place. Otherwise the key is written into a buffer the batcher
        // keeps (a string of its own per call, holding the token, cost an allocation and
        // a copy for each) and looked up.
        // The token's field the last call joined with, the same string (the client shares
        // one per token), matches without a comparison of its ~200 bytes; held, so that
        // its address is never another string's.
        auto const authorization = w->authorization_value();
        bool const same_authorization = w->authorization && w->authorization == last_authorization_;
        if (!last_joined_ || !has_key(c, authorization, (*last_joined_)->first, same_authorization)) {
            write_key(c, authorization, key_buffer_);
            auto found = pending_.find(key_buffer_);
            if (found == pending_.end())
                found = pending_.emplace(key_buffer_, group{}).first;
            last_joined_ = found;
        }
        if (!same_authorization)
            last_authorization_ = w->authorization;
        auto const found = *last_joined_;
        std::string const& key = found->first; // stable while the group is pending
        w->units = c.traits.quota_units;
        w->idempotent = c.traits.idempotent;
        auto& g = found->second;
        g.calls.push_back(std::move(w));
        if (g.going_full) {
            // It joins the calls that go full after this turn.
        } else if (is_full(g, gapi::detail::begins_with(key, "c\n"), c.admission_lane)) {
            // Full: it goes after the calls already on their way here have joined (they
            // were started in this turn of the executor, and count as running now), split
            // evenly by `send_full`. The open window and watch, if any, end without effect.
            g.going_full = true;
            g.full_lane = c.admission_lane;
            g.window = 0;
            g.settling = false;
            boost::asio::co_spawn(ex, send_full(key, next), boost::asio::detached);
        } else if (g.window == 0) {
            open_window(ex, key, g, next);
        } else {
            settle(ex, key, g, next);
        }
    }

    /// A call cancelled while it waits (`c` the call `w` joined with): it leaves its group
    /// (nothing is sent for it), or, if its batch went, its answer will be dropped; either
    /// way `w` gets `operation_aborted` now. Nothing, if `w` has its outcome already.
    void leave(call const& c, std::shared_ptr<batch_waiter> const& w) {
        // Not joined yet: only a cancellation emitted on another thread, against the
        // one-executor rule, comes that early. Nothing to leave then (and no null request
        // to read); a batched operation still sees the cancellation when its answer comes.
        if (w->done || !w->request)
            return;
        write_key(c, w->authorization_value(), key_buffer_);
        if (auto it = pending_.find(key_buffer_); it != pending_.end())
            std::erase(it->second.calls, w);
        outcome aborted;
        aborted.ec = boost::asio::error::operation_aborted;
        finish(w, std::move(aborted));
    }

private:
    using waiting_handler = boost::asio::async_result<boost::asio::use_awaitable_t<>, void(outcome)>::handler_type;

    // A caller's coroutine waiting for its part's answer, through its handler.
    struct awaiting_coroutine final : batch_waiter {
        explicit awaiting_coroutine(waiting_handler h) : handler(std::move(h)) {}
        std::optional<waiting_handler> handler; ///< until the outcome is handed over

        void hand_over(std::shared_ptr<batch_waiter> self) override {
            auto const ex = boost::asio::get_associated_executor(*handler);
            auto resume = [w = std::static_pointer_cast<awaiting_coroutine>(std::move(self))] {
                auto h = std::move(*w->handler);
                w->handler.reset();
                std::move(h)(std::move(w->result));
            };
            gapi::detail::post_on(ex, std::move(resume)); // one handler per caller
        }
    };

    // One batch: one API, one user, one origin, one token (the envelope carries it, as
    // `authorization`): the key's parts, in its order.
    static std::array<std::string_view, 4> key_parts(call const& c, std::string_view authorization) {
        // A request with a target holds only its origin in its URL (`has_valid_target`):
        // the URL's text is the origin, with no parse of it.
        std::string_view const origin = c.request->target.empty() ? std::string_view(c.request->url.encoded_origin())
                                                                   : std::string_view(c.request->url.buffer());
        return {is_calendar_method(c.traits.method_id) ? "c" : "g", c.traits.quota_key, origin, authorization};
    }

    // The key of `c`'s group: its parts, each followed by a line break but the last.
    static void write_key(call const& c, std::string_view authorization, std::string& key) {
        auto const parts = key_parts(c, authorization);
        key.clear();
        key.append(parts[0]).append("\n").append(parts[1]).append("\n").append(parts[2]).append("\n").append(parts[3]);
    }

    // Whether `key` is the key of `c`'s group (`write_key`), compared part by part;
    // `same_authorization`: the key's last part is known to be `authorization`, if the
    // rest matches.
    static bool has_key(call const& c, std::string_view authorization, std::string_view key,
                        bool same_authorization = false) {
        auto const parts = key_parts(c, authorization);
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (same_authorization && i + 1 == parts.size())
                return key.size() == parts[i].size();
            if (!key.starts_with(parts[i]))
                return false;
            key.remove_prefix(parts[i].size());
            if (i + 1 < parts.size()) {
                if (!key.starts_with('\n'))
                    return false;
                key.remove_prefix(1);
            }
        }
        return key.empty();
    }


    struct group {
        std::vector<std::shared_ptr<batch_waiter>> calls;
        std::uint64_t window = 0; ///< the open window's number; 0: none
        bool settling = false;    ///< a watch for the end of the arrivals runs
        bool going_full = false;  ///< it went full: `send_full` sends it after this turn
        std::string full_lane;    ///< the admission lane of the call that made it full
    };

    using group_map = std::map<std::string, group, std::less<>>;

    // Every erase of a group goes here: the last group joined may be the one erased.
    void erase_group(group_map::iterator it) {
        if (last_joined_ && *last_joined_ == it)
            last_joined_.reset();
        pending_.erase(it);
    }

    // The most calls of an API a batch holds.
    std::size_t max_size(bool calendar) const {
        return calendar ? std::clamp<std::size_t>(options_.calendar_max, 1, 1000)
                        : std::clamp<std::size_t>(options_.gmail_max, 1, 100);
    }

    // Whether `g` is full now, for calls of `admission_lane`. Never at half the maximum or
    // less (`balanced_batch_size`): the count of running calls is asked for only past that.
    bool is_full(group const& g, bool calendar, std::string_view admission_lane) const {
        return g.calls.size() > max_size(calendar) / 2 && g.calls.size() >= full_size(calendar, admission_lane);
    }

    // How many calls of an API make a batch full now, for calls of `admission_lane`.
    std::size_t full_size(bool calendar, std::string_view admission_lane) const {
        std::size_t const max = max_size(calendar);
        return running_calls_ ? balanced_batch_size(running_calls_(admission_lane), max) : max;
    }

    // Sends `key`'s full group, one turn after it went full: as many full batches as it
    // holds, each at the size the running calls give now. What is left waits for a
    // window, as calls that arrive after a full batch do.
    boost::asio::awaitable<void> send_full(std::string key, next_layer const& next) {
        auto const ex = co_await boost::asio::this_coro::executor;
        co_await boost::asio::post(ex, boost::asio::use_awaitable);
        auto it = pending_.find(key);
        if (it == pending_.end())
            co_return;
        auto& g = it->second;
        g.going_full = false;
        auto const size = full_size(gapi::detail::begins_with(key, "c\n"), g.full_lane);
        std::vector<std::vector<std::shared_ptr<batch_waiter>>> full;
        auto from = g.calls.begin();
        for (; static_cast<std::size_t>(g.calls.end() - from) >= size; from += size)
            full.emplace_back(from, from + size);
        g.calls.erase(g.calls.begin(), from);
        if (g.calls.empty())
            erase_group(it); // its key holds an access token: groups of old tokens do not pile up
        else
            open_window(ex, key, g, next);
        // Last: a flush starts at once.
        for (auto& batch : full)
            boost::asio::co_spawn(ex, flush(std::move(batch), key, next), boost::asio::detached);
    }

    // Opens a window for `g`'s calls, and watches for the end of their arrivals. The watch
    // first: the window's end may (with a test's timing) flush and erase `g` at once.
    void open_window(boost::asio::any_io_executor const& ex, std::string const& key, group& g, next_layer const& next) {
        g.window = ++windows_;
        settle(ex, key, g, next);
        boost::asio::co_spawn(ex, flush_later(key, g.window, next), boost::asio::detached);
    }

    // Starts watching for the end of the arrivals of `g`'s batch, unless a watch runs, it
    // goes full, or a partial batch of its kind is on its way (its answer starts the watch).
    void settle(boost::asio::any_io_executor const& ex, std::string const& key, group& g, next_layer const& next) {
        if (g.settling || g.going_full || g.calls.empty() || partials_in_flight_.contains(key))
            return;
        g.settling = true;
        boost::asio::co_spawn(ex, send_when_settled(key, g.window, next), boost::asio::detached);
    }

    // The calls that arrive together reach this layer one handler after another: the
    // batch goes once a whole turn of the executor's queue brought no new one. It stays
    // if, meanwhile, it went full, its window ended, or a partial batch left before it.
    boost::asio::awaitable<void> send_when_settled(std::string key, std::uint64_t window, next_layer const& next) {
        auto const ex = co_await boost::asio::this_coro::executor;
        for (std::size_t seen = 0;;) {
            co_await boost::asio::post(ex, boost::asio::use_awaitable);
            auto it = pending_.find(key);
            if (it == pending_.end() || it->second.window != window)
                co_return;
            if (partials_in_flight_.contains(key)) { // that one's answer starts a new watch
                it->second.settling = false;
                co_return;
            }
            if (it->second.calls.size() == seen)
                break;
            seen = it->second.calls.size();
        }
        co_await flush_partial(std::move(key), next);
    }

    boost::asio::awaitable<void> flush_later(std::string key, std::uint64_t window, next_layer const& next) {
        co_await timing_.sleep(options_.window);
        auto it = pending_.find(key);
        if (it == pending_.end() || it->second.window != window)
            co_return; // its batch went before the window ended
        co_await flush_partial(std::move(key), next);
    }

    // Sends what `key`'s group holds as a partial batch; its answer lets the next one go.
    boost::asio::awaitable<void> flush_partial(std::string key, next_layer const& next) {
        auto it = pending_.find(key);
        if (it == pending_.end())
            co_return;
        auto calls = std::move(it->second.calls);
        erase_group(it);
        if (calls.empty())
            co_return;
        ++partials_in_flight_[key];
        co_await flush(std::move(calls), key, next);
        auto const in_flight = partials_in_flight_.find(key);
        if (--in_flight->second == 0)
            partials_in_flight_.erase(in_flight);
        auto const ex = co_await boost::asio::this_coro::executor;
        if (auto waiting = pending_.find(key); waiting != pending_.end())
            settle(ex, key, waiting->second, next);
    }

    // Hands `o` to `w`'s caller unless it has its outcome already (it cancelled).
    static void finish(std::shared_ptr<batch_waiter> const& w, outcome o) {
        if (w->done)
            return;
        w->result = std::move(o);
        hand_over(w);
    }

    // Done before its handler is posted (which may run on another thread), and not done
    // again should the post throw: the waiter still waits, for `flush` to fail it.
    static void hand_over(std::shared_ptr<batch_waiter> const& w) {
        w->done = true;
        try {
            w->hand_over(w);
        } catch (...) {
            w->done = false;
            throw;
        }
    }

    // One batch request for `calls` (`send_batch`). It runs detached, where what it throws
    // (memory ran out, or a layer below failed) would be dropped, and the callers still
    // waiting with it: each gets `error::internal_error` instead (which the retry loop
    // does not retry), as written (its part may have gone out).
    boost::asio::awaitable<void> flush(std::vector<std::shared_ptr<batch_waiter>> calls, std::string key,
                                       next_layer const& next) {
        try {
            co_await send_batch(calls, key, next);
        } catch (...) {
            for (auto const& w : calls) {
                try {
                    outcome failed;
                    failed.ec = error::internal_error;
                    failed.written = true;
                    failed.response.exchange.request_written = true;
                    finish(w, std::move(failed));
                } catch (...) { // nothing more can be done for it; the others still get theirs
                }
            }
        }
    }

    // One batch request for `calls`; a single call goes alone, as it would have.
    boost::asio::awaitable<void> send_batch(std::vector<std::shared_ptr<batch_waiter>>& calls, std::string const& key,
                                            next_layer const& next) {
        std::erase_if(calls, [](auto const& w) { return w->done; }); // cancelled
        if (calls.empty())
            co_return;
        std::string const quota_key = key.substr(2, key.find('\n', 2) - 2);
        if (calls.size() == 1) {
            call alone;
            calls.front()->write_authorization(); // the token its batch would have carried
            alone.request = calls.front()->request;
            alone.traits.method_id = alone.request->method_id;
            alone.traits.quota_units = calls.front()->units;
            alone.traits.quota_key = quota_key;
            alone.traits.idempotent = calls.front()->idempotent;
            auto o = co_await next(alone);
            finish(calls.front(), std::move(o));
            co_return;
        }
        std::vector<http::request const*> requests;
        for (auto const& w : calls)
            requests.push_back(w->request.get());
        call envelope;
        envelope.request = std::make_shared<http::request>(batch_request(requests));
        // The token travels once, on the envelope (the encoder leaves the parts' copies out).
        envelope.request->headers.set(boost::beast::http::field::authorization, calls.front()->authorization_value());
        envelope.traits.method_id = envelope.request->method_id;
        envelope.traits.quota_units = envelope.request->quota_units;
        envelope.traits.quota_key = quota_key;
        envelope.traits.idempotent = envelope.request->replay_on_stale_connection;
        ++counters_.batch_requests;
        counters_.batched_calls += calls.size();
        outcome answered = co_await next(envelope);
        // Kept while a waiter's body stays in it (`body_in_place`).
        auto const whole = std::make_shared<outcome const>(std::move(answered));
        // Straight into the waiters' outcomes; none for a call cancelled meanwhile.
        std::vector<batch_waiter*> waiters;
        waiters.reserve(calls.size());
        for (auto const& w : calls)
            waiters.push_back(w->done ? nullptr : w.get());
        read_batch_answers(*whole, waiters);
        for (auto const& w : calls) {
            if (w->done)
                continue;
            if (w->body_in_place)
                w->answer = whole;
            hand_over(w);
        }
    }

    batching_options options_;
    timing const& timing_;
    retry_counters& counters_;
    running_calls_fn running_calls_;
    group_map pending_;
    std::optional<group_map::iterator> last_joined_; ///< the group joined last, while it is pending
    std::shared_ptr<std::string const> last_authorization_; ///< the last joined call's `batch_waiter::authorization`
    std::string key_buffer_; ///< `write_key`'s, reused
    std::map<std::string, std::size_t, std::less<>> partials_in_flight_;
    std::uint64_t windows_ = 0;
};

} // namespace gapi::pipeline

#endif
