// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_IMPL_CLIENT_IPP
#define GAPI_IMPL_CLIENT_IPP

#include <gapi/client.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

namespace gapi {

namespace detail {

// Where an attempt spends quota: the API, whose budget, how many units.
struct quota_slot {
    pipeline::pacing_gate& gate;
    pipeline::quota_api api;
    std::string const& user;
    double cost;
};

// One attempt: a token (a new one after a 401), a place within the quota (FIFO per user;
// after the token, so that callers waiting for one token do not hold quota slots), then
// the request. A non-2xx answer comes back with Google's details and its typed code, and
// tells the pacer whether Google found the rate too high.
inline boost::asio::awaitable<pipeline::outcome> authorized_attempt(http::connection_pool& pool,
                                                                    auth::token_source& tokens, quota_slot quota,
                                                                    std::shared_ptr<http::request> req,
                                                                    std::string& last_token, bool refresh,
                                                                    pipeline::retry_counters& counters) {
    constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    pipeline::outcome o;
    if (refresh)
        tokens.invalidate(last_token);
    auto [token_ec, token] = co_await tokens.get_token(use_tuple);
    if (token_ec) {
        o.ec = token_ec;
        o.token_refused = true;
        co_return o;
    }
    last_token = token.value;
    if (auto ec = co_await quota.gate.acquire(quota.api, quota.user, quota.cost, counters.quota_wait)) {
        o.ec = ec;
        co_return o;
    }
    req->headers.set(boost::beast::http::field::authorization, "Bearer " + token.value);
    // gcloud's user credentials name the project that pays for the calls, as google-auth
    // sends it.
    if (auto const* user = std::get_if<auth::credentials::authorized_user>(&tokens.creds().kind());
        user && !user->info.quota_project_id.empty())
        req->headers.set("x-goog-user-project", user->info.quota_project_id);
    auto [ec, res] = co_await pool.send(std::shared_ptr<http::request const>(req), use_tuple);
    o.ec = ec;
    o.response = std::move(res);
    counters.bytes_out += req->body.size();
    counters.bytes_in += o.response.body.size();
    if (!ec && o.response.status / 100 != 2) {
        o.details = parse_error_details(o.response);
        o.ec = to_error_code(*o.details);
    }
    quota.gate.release(quota.api, quota.user, o.ec == api_error::rate_limited);
    co_return o;
}

} // namespace detail

GAPI_DECL client::client(executor_type executor, auth::credentials credentials, client_options options)
    : pool_(std::move(executor), std::move(options.transport)),
      tokens_(pool_, std::move(credentials), std::move(options.tokens)), endpoints_(std::move(options.endpoints)),
      retry_(options.retry), timing_(options.retry_timing ? std::move(*options.retry_timing) : pipeline::timing::real()),
      gate_(std::move(options.pacing)), on_attempt_(std::move(options.on_attempt)), log_(std::move(options.log)) {}

GAPI_DECL client::executor_type client::get_executor() const noexcept { return pool_.get_executor(); }
GAPI_DECL http::connection_pool& client::transport() noexcept { return pool_; }
GAPI_DECL auth::token_source& client::tokens() noexcept { return tokens_; }
GAPI_DECL api_endpoints const& client::endpoints() const noexcept { return endpoints_; }

GAPI_DECL boost::asio::awaitable<pipeline::outcome> client::perform(std::shared_ptr<http::request> req,
                                                                     pipeline::call_traits traits) {
    if (traits.method_id.empty())
        traits.method_id = req->method_id;
    if (traits.sends_mail) {
        // Over the daily sending limit: Google would refuse; no request until its retry time.
        auto const blocked = daily_limit_until_.find(traits.quota_key);
        if (blocked != daily_limit_until_.end() && timing_.wall_now() < blocked->second) {
            pipeline::outcome refused;
            refused.ec = api_error::daily_limit_reached;
            refused.details = error_details{.http_status = 429, .reason = "rateLimitExceeded",
                                            .message = "daily sending limit reached (gapi did not send)",
                                            .retry_after = blocked->second};
            co_return refused;
        }
    }
    std::string last_token;
    auto const api = traits.method_id.starts_with("calendar.") ? pipeline::quota_api::calendar : pipeline::quota_api::gmail;
    std::string const user = traits.quota_key.empty() ? std::string("me") : traits.quota_key;
    double const cost = api == pipeline::quota_api::calendar ? 1.0 : static_cast<double>(req->quota_units);
    pipeline::attempt_function const attempt = [this, &req, &last_token, api, &user, cost](bool refresh) {
        return detail::authorized_attempt(pool_, tokens_, {gate_, api, user, cost}, req, last_token, refresh,
                                          counters_);
    };
    std::function<void(pipeline::attempt_report const&)> const report = [this](pipeline::attempt_report const& r) {
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
    };
    auto result = co_await pipeline::with_retries(retry_, traits, timing_, counters_, attempt, report);
    if (result.ec == api_error::daily_limit_reached && traits.sends_mail) {
        auto const until = result.details && result.details->retry_after ? *result.details->retry_after
                                                                           : timing_.wall_now() + std::chrono::hours(24);
        daily_limit_until_[traits.quota_key] = until;
        if (log_)
            log_(pipeline::log_level::warning, std::string(traits.method_id) +
                                                   ": the daily sending limit is reached; no more sends for this user "
                                                   "until Google's retry time");
    }
    co_return result;
}

GAPI_DECL void client::start_send(std::shared_ptr<http::request> req,
                                  boost::asio::any_completion_handler<completion_signature> handler) {
    namespace asio = boost::asio;
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto work = asio::prefer(asio::get_associated_executor(handler, pool_.get_executor()),
                             asio::execution::outstanding_work.tracked);
    pipeline::call_traits traits{.idempotent = req->replay_on_stale_connection};
    asio::co_spawn(
        pool_.get_executor(), perform(std::move(req), std::move(traits)),
        asio::bind_cancellation_slot(
            slot, [h = std::move(handler), work = std::move(work), ex = pool_.get_executor()](
                      std::exception_ptr e, pipeline::outcome o) mutable {
                error_code ec = o.ec;
                if (e) // a bug inside gapi: reported, never thrown into the user's run()
                    ec = error::internal_error;
                else if (o.response.status == 401)
                    ec = error::unauthenticated; // still refused after a fresh token
                else if (o.response.status != 0 && ec != api_error::daily_limit_reached)
                    ec = {}; // any other answer is a response; call_api types it
                auto target = asio::get_associated_executor(h, ex);
                asio::dispatch(target, asio::append(std::move(h), ec, std::move(o.response)));
            }));
}

} // namespace gapi

#endif
