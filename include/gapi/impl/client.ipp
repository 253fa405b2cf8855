// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_IMPL_CLIENT_IPP
#define GAPI_IMPL_CLIENT_IPP

#include <gapi/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <variant>

namespace gapi {

namespace detail {

constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

// The access token `req`'s Authorization field carries (empty: none).
inline std::string_view token_sent(http::request const& req) {
    std::string_view const field = http::field_value(req.headers, boost::beast::http::field::authorization);
    return field.starts_with("Bearer ") ? field.substr(7) : std::string_view();
}

GAPI_DECL std::string const& bearer_field::for_token(auth::access_token const& token) {
    if (!value || value->size() != 7 + token.value.size() || !std::string_view(*value).ends_with(token.value)) {
        value = std::make_shared<std::string const>("Bearer " + token.value);
        valid = http::is_valid_field_value(*value);
    }
    return *value;
}

// Sets the project that pays, for gcloud's user credentials, as google-auth sends it.
inline void set_quota_project(auth::token_source& tokens, pipeline::call& c) {
    if (auto const* user = std::get_if<auth::credentials::authorized_user>(&tokens.creds().kind());
        user && !user->info.quota_project_id.empty())
        c.request->headers.set("x-goog-user-project", user->info.quota_project_id);
}

// Sets the Authorization field (and the project that pays) for the attempt `c` is about
// to make; `bearer` keeps the field's value between calls.
inline void set_authorization(auth::token_source& tokens, pipeline::call& c, auth::access_token const& token,
                              bearer_field& bearer) {
    c.request->headers.set(boost::beast::http::field::authorization, bearer.for_token(token));
    set_quota_project(tokens, c);
}

// The authorization layer when the token must be fetched first (none cached, or a new
// one after a 401). A token refused is the call's outcome, before any API request.
inline boost::asio::awaitable<pipeline::outcome> authorize_after_refresh(auth::token_source& tokens, pipeline::call& c,
                                                                         bearer_field& bearer,
                                                                         pipeline::next_layer const& next) {
    auto [token_ec, answer] = co_await tokens.get_token(use_tuple);
    if (token_ec) {
        pipeline::outcome refused;
        refused.ec = token_ec;
        refused.token_refused = true;
        co_return refused;
    }
    set_authorization(tokens, c, answer, bearer);
    co_return co_await next(c);
}

// The authorization layer: a token (a new one after a 401), set on the request, then
// the rest (batching, pacing, the transport). Not a coroutine: a cached token with life
// left is set at once and the rest's awaitable returned, with no frame of its own; only a
// refresh waits, in a coroutine.
inline boost::asio::awaitable<pipeline::outcome> authorize(auth::token_source& tokens, pipeline::call& c,
                                                           bearer_field& bearer, pipeline::next_layer const& next) {
    if (c.refresh_token)
        tokens.invalidate(token_sent(*c.request));
    if (auto const* token = tokens.fresh_token()) {
        set_authorization(tokens, c, *token, bearer);
        return next(c);
    }
    return authorize_after_refresh(tokens, c, bearer, next);
}

// What the pool's answer to `c`'s request comes to, counted: a non-2xx answer with
// Google's details and its typed code.
inline pipeline::outcome transmitted(pipeline::call const& c, pipeline::retry_counters& counters, error_code ec,
                                     http::response&& res) {
    pipeline::outcome o;
    o.ec = ec;
    o.response = std::move(res);
    counters.bytes_out += c.request->body.size();
    counters.bytes_in += o.response.body.size();
    if (!ec && o.response.status / 100 != 2) {
        o.details = parse_error_details(o.response);
        o.ec = to_error_code(*o.details);
    }
    return o;
}

// The transport layer: one exchange through the pool (`transmitted`).
inline boost::asio::awaitable<pipeline::outcome> transmit(http::connection_pool& pool, pipeline::call& c,
                                                          pipeline::retry_counters& counters) {
    ++counters.http_requests;
    auto [ec, res] = co_await pool.send(std::shared_ptr<http::request const>(c.request), use_tuple);
    co_return transmitted(c, counters, ec, std::move(res));
}

// Runs `work` until `deadline`; then cancels it and answers `error::deadline_exceeded`.
// The deadline's wait is the retry loop's (`timing::sleep`), so a test decides when it ends.
inline boost::asio::awaitable<pipeline::outcome> until_deadline(boost::asio::awaitable<pipeline::outcome> work,
                                                                pipeline::timing const& t,
                                                                std::chrono::steady_clock::time_point deadline) {
    using namespace boost::asio::experimental::awaitable_operators;
    auto const left = std::chrono::ceil<std::chrono::milliseconds>(std::max(deadline - t.now(), std::chrono::steady_clock::duration::zero()));
    auto first = co_await (std::move(work) || t.sleep(left));
    if (first.index() == 0)
        co_return std::get<0>(std::move(first));
    pipeline::outcome late;
    // The wait ended by itself: the deadline passed. Cut short: the call was cancelled.
    late.ec = std::get<1>(first) ? error_code(boost::asio::error::operation_aborted)
                                 : error_code(error::deadline_exceeded);
    co_return late;
}

// Hands Google's details to the caller who asked for them (`call_options::details`).
inline void hand_details(call_options const& options, pipeline::outcome const& o) {
    if (options.details)
        *options.details = o.details.value_or(error_details{});
}

// An outcome known without any I/O, as an awaitable.
inline boost::asio::awaitable<pipeline::outcome> ready(pipeline::outcome o) { co_return std::move(o); }

// `client_options::max_calls_in_flight`, 0 resolved.
inline std::size_t calls_in_flight(client_options const& o) {
    if (o.max_calls_in_flight != 0)
        return o.max_calls_in_flight;
    std::size_t const plain = 256;
    if (!o.batching.enabled)
        return plain;
    return std::max(plain, o.transport.max_connections_per_origin *
                               std::max(o.batching.gmail_max, o.batching.calendar_max));
}

} // namespace detail

GAPI_DECL client::client(executor_type executor, auth::credentials credentials, client_options options)
    : admission_(detail::calls_in_flight(options), executor), pool_(std::move(executor), std::move(options.transport)),
      tokens_(pool_, std::move(credentials), std::move(options.tokens)), endpoints_(std::move(options.endpoints)),
      retry_(options.retry), timing_(options.retry_timing ? std::move(*options.retry_timing) : pipeline::timing::real()),
      gate_(options.shared_pacing ? std::move(options.shared_pacing)
                                  : std::make_shared<pipeline::pacing_gate>(std::move(options.pacing))),
      batcher_(options.batching, timing_, counters_,
               [this](std::string_view lane) { return admission_.running_in(lane); }),
      on_attempt_(std::move(options.on_attempt)),
      log_(std::move(options.log)) {
    // The token first, then the place within the quota: callers waiting for one token
    // hold no quota slots meanwhile.
    transmit_ = [this](pipeline::call& c) { return detail::transmit(pool_, c, counters_); };
    pace_ = [this](pipeline::call& c) { return pipeline::pace(*gate_, c, transmit_, counters_.quota_wait); };
    batch_ = [this](pipeline::call& c) { return batcher_(c, pace_); };
    authorize_ = [this](pipeline::call& c) { return detail::authorize(tokens_, c, bearer_, batch_); };
    // None without a hook or a log: the retry loop then builds no report per attempt.
    if (on_attempt_ || log_)
        report_ = [this](pipeline::attempt_report const& r) { report(r); };
}

GAPI_DECL client::executor_type client::get_executor() const noexcept { return pool_.get_executor(); }
GAPI_DECL http::connection_pool& client::transport() noexcept { return pool_; }
GAPI_DECL auth::token_source& client::tokens() noexcept { return tokens_; }
GAPI_DECL api_endpoints const& client::endpoints() const noexcept { return endpoints_; }

GAPI_DECL void client::report(pipeline::attempt_report const& r) {
    if (on_attempt_)
        on_attempt_(r);
    if (log_ && r.next != pipeline::next_step::stop) {
        std::string line = std::string(r.method_id) + ": attempt " + std::to_string(r.attempt) + " got " +
                           (r.status ? std::to_string(r.status) : r.ec.message());
        if (!r.reason.empty())
            line += " (" + std::string(r.reason) + ")";
        line += r.next == pipeline::next_step::look_for_applied ? "; looking whether it took effect"
                                                                 : "; trying again in " + std::to_string(r.wait.count()) + " ms";
        log_(pipeline::log_level::info, line);
    }
}

GAPI_DECL boost::asio::awaitable<pipeline::outcome> client::perform(pipeline::call c) {
    call_options const none;
    co_return co_await perform(std::move(c), none);
}

GAPI_DECL boost::asio::awaitable<pipeline::outcome> client::perform(pipeline::call c, call_options const& options) {
    prepare(c, options);
    return perform_prepared(std::move(c), options);
}

GAPI_DECL void client::prepare(pipeline::call& c, call_options const& options) {
    auto& traits = c.traits;
    if (traits.method_id.empty())
        traits.method_id = c.request->method_id;
    if (traits.quota_key.empty())
        traits.quota_key = "me"; // the credential's own user, as Gmail names it
    // A send is a send however it was made (the service's send, the generated layer, a
    // request built by hand): it counts against the daily limit and is never made
    // idempotent by an option.
    if (pipeline::is_send_method(traits.method_id))
        traits.sends_mail = true;
    if (options.idempotent && !traits.sends_mail) {
        traits.idempotent = *options.idempotent;
        c.request->replay_on_stale_connection = *options.idempotent;
    }
    traits.batchable = traits.batchable && options.batch.value_or(batcher_.options().enabled);
    if (options.timeout) {
        auto const deadline = timing_.now() + *options.timeout;
        c.deadline = c.deadline ? std::min(*c.deadline, deadline) : deadline;
    }
}

GAPI_DECL boost::asio::awaitable<pipeline::outcome> client::perform_prepared(pipeline::call&& c,
                                                                             call_options const& options) {
    auto& traits = c.traits;
    if (traits.sends_mail) {
        // Over the daily sending limit: Google would refuse; no request until its retry time.
        auto const blocked = daily_limit_until_.find(traits.quota_key);
        if (blocked != daily_limit_until_.end() && timing_.wall_now() < blocked->second) {
            pipeline::outcome refused;
            refused.ec = api_error::daily_limit_reached;
            refused.details = error_details{.http_status = 429, .reason = "rateLimitExceeded",
                                            .message = "daily sending limit reached (gapi did not send)",
                                            .retry_after = blocked->second};
            detail::hand_details(options, refused);
            return detail::ready(std::move(refused));
        }
    }
    // Nothing to do after the loop (no deadline to race, no daily limit to note, no
    // details to hand over): the loop owns the call, and no frame of this layer waits.
    if (!c.deadline && !traits.sends_mail && !options.details) {
        auto const& policy = options.retry ? *options.retry : retry_;
        return pipeline::with_retries_owning(policy, timing_, counters_, std::move(c), authorize_, report_);
    }
    return perform_attempts(std::move(c), options);
}

// The coroutine part of `perform`, apart from its checks so that its frame stays small
// (under ~1 KiB, where malloc's per-thread cache serves it): one outcome, one awaitable.
GAPI_DECL boost::asio::awaitable<pipeline::outcome> client::perform_attempts(pipeline::call c,
                                                                             call_options const& options) {
    pipeline::retry_options const& policy = options.retry ? *options.retry : retry_;
    // Chosen outside the co_await (GCC 12 destroys a conditional's result inside one twice).
    boost::asio::awaitable<pipeline::outcome> attempts =
        c.deadline ? detail::until_deadline(pipeline::with_retries(policy, timing_, counters_, c, authorize_, report_),
                                            timing_, *c.deadline)
                   : pipeline::with_retries(policy, timing_, counters_, c, authorize_, report_);
    pipeline::outcome result = co_await std::move(attempts);
    after_attempts(c, options, result);
    co_return std::move(result);
}

GAPI_DECL void client::after_attempts(pipeline::call const& c, call_options const& options,
                                      pipeline::outcome const& result) {
    if (result.ec == api_error::daily_limit_reached && c.traits.sends_mail)
        hold_back_sends(c.traits.method_id, c.traits.quota_key, result.details);
    detail::hand_details(options, result);
}

// The coroutine part of `client_pipeline::attempts_after_first` for a call with something
// to do after its attempts (a send, details asked for).
GAPI_DECL boost::asio::awaitable<pipeline::outcome>
client::attempts_after_first(pipeline::call c, call_options const& options, pipeline::answered_attempt first) {
    pipeline::retry_options const& policy = options.retry ? *options.retry : retry_;
    pipeline::outcome result = co_await pipeline::with_retries_after(policy, timing_, counters_, c, std::move(first),
                                                                     authorize_, report_);
    after_attempts(c, options, result);
    co_return std::move(result);
}

namespace detail {

GAPI_DECL first_attempt client_pipeline::prepare(client& runner, pipeline::call& c, call_options const& options) {
    runner.prepare(c, options);
    // No deadline to race, and the token is at hand (as `authorize` finds it without a
    // refresh); read once: a second look might find it no longer fresh.
    if (c.deadline || c.refresh_token)
        return first_attempt::in_pipeline;
    if (c.traits.batchable) {
        // The retry loop alone stands between the operation and the batch (as in `perform`
        // without a send or details).
        if (c.traits.sends_mail || options.details)
            return first_attempt::in_pipeline;
        auto const* token = runner.tokens_.fresh_token();
        if (!token)
            return first_attempt::in_pipeline;
        // As `authorize` sets the fields, before the batcher checks those it would write;
        // but the token's own goes on the batch's envelope alone (`join_batch`), checked here.
        set_quota_project(runner.tokens_, c);
        runner.bearer_.for_token(*token);
        return runner.bearer_.valid && runner.batcher_.takes(c) ? first_attempt::in_batch
                                                                : first_attempt::in_pipeline;
    }
    // Alone: no pacing to wait for, and no daily limit known (`perform_prepared` answers
    // that one without a request).
    if (runner.gate_->enabled())
        return first_attempt::in_pipeline;
    if (c.traits.sends_mail) {
        auto const blocked = runner.daily_limit_until_.find(c.traits.quota_key);
        if (blocked != runner.daily_limit_until_.end() && runner.timing_.wall_now() < blocked->second)
            return first_attempt::in_pipeline;
    }
    auto const* token = runner.tokens_.fresh_token();
    if (!token)
        return first_attempt::in_pipeline;
    set_authorization(runner.tokens_, c, *token, runner.bearer_); // as `authorize` sets it
    return first_attempt::alone;
}

GAPI_DECL boost::asio::awaitable<pipeline::outcome>
client_pipeline::perform_prepared(client& runner, pipeline::call&& c, call_options const& options) {
    return runner.perform_prepared(std::move(c), options);
}

GAPI_DECL boost::asio::awaitable<pipeline::outcome> client_pipeline::perform(client& runner, pipeline::call&& c,
                                                                             call_options const& options) {
    return runner.perform(std::move(c), options);
}

GAPI_DECL std::chrono::steady_clock::time_point
client_pipeline::join_batch(client& runner, pipeline::call& c, std::shared_ptr<pipeline::batch_waiter> w) {
    // What `retry_loop` does for a first attempt (`prepare` did `authorize`'s part: the
    // field for its token, which the envelope carries, is the one it made current).
    ++runner.counters_.calls;
    ++runner.counters_.attempts;
    w->authorization = runner.bearer_.value;
    auto const started = runner.timing_.now();
    runner.batcher_.join(c, runner.pace_, std::move(w), runner.get_executor());
    return started;
}

GAPI_DECL void client_pipeline::leave_batch(client& runner, pipeline::call const& c,
                                            std::shared_ptr<pipeline::batch_waiter> const& w) {
    runner.batcher_.leave(c, w);
}

GAPI_DECL std::chrono::steady_clock::time_point client_pipeline::count_alone(client& runner) {
    // What `retry_loop` and `transmit` count for a first attempt.
    ++runner.counters_.calls;
    ++runner.counters_.attempts;
    ++runner.counters_.http_requests;
    ++runner.counters_.direct_calls;
    return runner.timing_.now();
}

GAPI_DECL http::connection_pool& client_pipeline::transport(client& runner) noexcept { return runner.pool_; }

GAPI_DECL pipeline::outcome client_pipeline::transmitted(client& runner, pipeline::call const& c, error_code ec,
                                                         http::response&& res) {
    return detail::transmitted(c, runner.counters_, ec, std::move(res));
}

GAPI_DECL bool client_pipeline::first_attempt_settles(client& runner, pipeline::call const& c,
                                                      call_options const& options, pipeline::outcome& o) {
    auto const& policy = options.retry ? *options.retry : runner.retry_;
    if (!pipeline::first_attempt_settles(policy, runner.timing_, runner.counters_, c.traits, o, runner.report_))
        return false;
    runner.after_attempts(c, options, o);
    return true;
}

GAPI_DECL boost::asio::awaitable<pipeline::outcome>
client_pipeline::attempts_after_first(client& runner, pipeline::call&& c, call_options const& options,
                                      pipeline::answered_attempt first) {
    if (c.traits.sends_mail || options.details) // something to do after the loop
        return runner.attempts_after_first(std::move(c), options, std::move(first));
    auto const& policy = options.retry ? *options.retry : runner.retry_;
    return pipeline::with_retries_after(policy, runner.timing_, runner.counters_, std::move(c), std::move(first),
                                        runner.authorize_, runner.report_);
}

} // namespace detail

GAPI_DECL void client::hold_back_sends(std::string_view method_id, std::string const& quota_key,
                                       std::optional<error_details> const& refusal) {
    auto const until = refusal && refusal->retry_after ? *refusal->retry_after
                                                       : timing_.wall_now() + std::chrono::hours(24);
    daily_limit_until_[quota_key] = until;
    if (log_)
        log_(pipeline::log_level::warning, std::string(method_id) +
                                               ": the daily sending limit is reached; no more sends for this user "
                                               "until Google's retry time");
}

GAPI_DECL boost::asio::awaitable<std::pair<error_code, http::response>> client::send_raw_request(http::request req) {
    pipeline::call c;
    c.traits.idempotent = req.replay_on_stale_connection;
    c.traits.quota_units = req.quota_units;
    c.request = std::make_shared<http::request>(std::move(req));
    auto o = co_await perform(std::move(c));
    error_code ec = o.ec;
    if (o.response.status == 401)
        ec = error::unauthenticated; // still refused after a fresh token
    else if (o.response.status != 0 && ec != api_error::daily_limit_reached)
        ec = {}; // any other answer is a response; the caller reads its status
    co_return std::pair{ec, std::move(o.response)};
}

} // namespace gapi

#endif
