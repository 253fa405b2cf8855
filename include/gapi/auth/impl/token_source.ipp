// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_IMPL_TOKEN_SOURCE_IPP
#define GAPI_AUTH_IMPL_TOKEN_SOURCE_IPP

#include <gapi/auth/jwt.hpp>
#include <gapi/auth/token_endpoint.hpp>
#include <gapi/auth/token_source.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <list>
#include <random>

namespace gapi::auth::detail {

namespace asio = boost::asio;

class token_source_impl : public std::enable_shared_from_this<token_source_impl> {
public:
    using handler_type = asio::any_completion_handler<token_source::completion_signature>;

    token_source_impl(http::connection_pool& pool, credentials creds, token_source_options options)
        : pool_(&pool), executor_(pool.get_executor()), creds_(std::move(creds)), options_(std::move(options)),
          pause_(executor_), jitter_(std::random_device{}()) {
        if (auto const* fixed = std::get_if<credentials::static_token>(&creds_.kind()))
            cached_ = fixed->token;
        else if (auto const* user = std::get_if<credentials::authorized_user>(&creds_.kind()); user && user->info.token)
            cached_ = *user->info.token;
    }

    asio::any_io_executor executor() const { return executor_; }

    // The token_source is going away: a refresh in flight must not touch the pool (which
    // may go first), persist or call the hook any more. Runs on the executor.
    void close() {
        closed_ = true;
        pool_ = nullptr;
        pause_.cancel();
    }
    credentials const& creds() const noexcept { return creds_; }
    clock_type::time_point now() const { return options_.clock ? options_.clock() : clock_type::now(); }
    std::uint64_t refreshes() const noexcept { return refreshes_; }

    void get(handler_type handler) {
        // Starts on the pool's executor, so that the caller may be anywhere.
        asio::dispatch(executor(), [self = shared_from_this(), h = std::move(handler)]() mutable {
            self->get_on_executor(std::move(h));
        });
    }

    access_token const* fresh_token() const {
        auto const now = this->now();
        bool const is_static = std::holds_alternative<credentials::static_token>(creds_.kind());
        if (cached_ && (is_fresh(*cached_, now) || (is_static && now < cached_->expiry)))
            return &*cached_;
        return nullptr;
    }

    void invalidate(std::string_view rejected) {
        if (cached_ && cached_->value == rejected)
            cached_.reset();
    }

private:
    struct waiter {
        handler_type handler;
        asio::cancellation_slot slot;
    };

    bool is_fresh(access_token const& t, clock_type::time_point now) const {
        if (t.value.empty())
            return false;
        if (t.expiry == clock_type::time_point::max())
            return true;
        auto margin = std::chrono::duration_cast<clock_type::duration>(options_.refresh_margin);
        if (obtained_at_) {
            auto const lifetime = t.expiry - *obtained_at_;
            margin = std::min(margin, lifetime / 10);
        }
        return now + margin < t.expiry;
    }

    // Never inline: the caller may still be inside get_token. asio::post runs the
    // handler on its own associated executor when it has one.
    void complete(handler_type handler, error_code ec, access_token token) {
        asio::post(executor(), asio::append(std::move(handler), ec, std::move(token)));
    }

    void get_on_executor(handler_type handler) {
        bool const is_static = std::holds_alternative<credentials::static_token>(creds_.kind());
        if (auto const* fresh = fresh_token()) {
            complete(std::move(handler), {}, *fresh);
            return;
        }
        if (closed_) {
            complete(std::move(handler), gapi::error::pool_shut_down, {});
            return;
        }
        if (is_static) {
            // Nothing to refresh from: an expired or rejected static token is final.
            complete(std::move(handler), error::unauthenticated, {});
            return;
        }
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto it = waiters_.insert(waiters_.end(), waiter{std::move(handler), slot});
        if (slot.is_connected()) {
            slot.assign([self = shared_from_this(), it, ex = executor()](asio::cancellation_type type) {
                if ((type & asio::cancellation_type::terminal) == asio::cancellation_type::none)
                    return;
                asio::dispatch(ex, [self, it] { self->cancel_waiter(it); });
            });
        }
        if (!refreshing_) {
            refreshing_ = true;
            asio::co_spawn(executor(), refresh(shared_from_this()), asio::detached);
        }
    }

    void cancel_waiter(std::list<waiter>::iterator it) {
        // The waiter may already have been completed by a finished refresh.
        for (auto w = waiters_.begin(); w != waiters_.end(); ++w) {
            if (w == it) {
                auto handler = std::move(w->handler);
                w->slot.clear();
                waiters_.erase(w);
                complete(std::move(handler), asio::error::operation_aborted, {});
                return;
            }
        }
    }

    // The token request for this credential, built fresh for each attempt (a JWT
    // carries its own issue time).
    http::request token_request(clock_type::time_point now) const {
        http::request req;
        req.method = http::verb::post;
        req.url = boost::urls::url(creds_.token_uri());
        req.timeout = options_.request_timeout;
        req.headers.set(boost::beast::http::field::content_type, "application/x-www-form-urlencoded");
        req.headers.set(boost::beast::http::field::accept, "application/json");
        if (auto const* user = std::get_if<credentials::authorized_user>(&creds_.kind())) {
            req.body = refresh_grant_body(user->info, {});
        } else if (auto const* sa = std::get_if<credentials::service_account>(&creds_.kind())) {
            req.body = jwt_grant_body(make_jwt_assertion(sa->info, sa->scopes, sa->subject, now));
        }
        return req;
    }

    std::vector<std::string> requested_scopes() const {
        if (auto const* user = std::get_if<credentials::authorized_user>(&creds_.kind()))
            return user->info.scopes;
        if (auto const* sa = std::get_if<credentials::service_account>(&creds_.kind()))
            return sa->scopes;
        return {};
    }

    std::chrono::milliseconds backoff(unsigned attempt) {
        auto const base = options_.initial_backoff * (1u << std::min(attempt, 10u));
        std::uniform_real_distribution<double> spread(0.9, 1.1);
        return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * spread(jitter_)));
    }

    // One token request (with its retries) on behalf of every waiter. Whatever happens,
    // even an exception, ends with every waiter completed and the next call free to try.
    asio::awaitable<void> refresh([[maybe_unused]] std::shared_ptr<token_source_impl> self) {
        error_code result;
        std::optional<token_grant> grant;
        try {
            co_await request_token(result, grant);
        } catch (std::exception const&) {
            grant.reset();
            result = gapi::error::token_endpoint_error;
        }
        if (grant && !closed_) {
            ++refreshes_;
            obtained_at_ = now();
            cached_ = grant->token;
            try {
                remember(*grant);
            } catch (std::exception const&) {
                // The hook is the user's code: its failure must not fail the calls.
            }
        }
        access_token served = grant ? grant->token : access_token{};
        // While the old token still lives, an endpoint outage costs no call.
        if (!grant && cached_ && now() < cached_->expiry) {
            served = *cached_;
            result = {};
        }
        refreshing_ = false;
        auto waiting = std::move(waiters_);
        waiters_.clear();
        for (auto& w : waiting) {
            if (w.slot.is_connected())
                w.slot.clear();
            complete(std::move(w.handler), result, served);
        }
    }

    asio::awaitable<void> request_token(error_code& result, std::optional<token_grant>& grant) {
        constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
        auto const scopes = requested_scopes();
        for (unsigned attempt = 0; attempt < std::max(1u, options_.max_attempts); ++attempt) {
            if (attempt > 0) {
                pause_.expires_after(backoff(attempt - 1));
                co_await pause_.async_wait(use_tuple);
            }
            if (closed_) {
                result = gapi::error::pool_shut_down;
                co_return;
            }
            http::request req;
            try {
                req = token_request(now());
            } catch (credentials_error const& e) {
                result = e.code();
                co_return;
            } catch (boost::system::system_error const&) {
                result = gapi::error::invalid_credentials; // a token_uri that is not a URL
                co_return;
            }
            auto [ec, res] = co_await pool_->send(std::move(req), use_tuple);
            if (closed_) {
                result = gapi::error::pool_shut_down;
                co_return;
            }
            if (ec) {
                result = ec;
                if (ec == gapi::error::pool_shut_down || ec == gapi::condition::invalid_argument)
                    co_return;
                continue; // network trouble: worth another attempt
            }
            auto parsed = parse_token_response(res.status, res.body, now(), scopes);
            if (auto* ok = std::get_if<token_grant>(&parsed)) {
                grant = std::move(*ok);
                result = {};
                co_return;
            }
            auto const& failure = std::get<token_failure>(parsed);
            result = failure.code;
            if (!failure.retryable)
                co_return;
        }
    }

    // Keeps a rotated refresh token, rewrites a token file, and tells the hook.
    void remember(token_grant const& grant) {
        token_update update{grant.token, grant.refresh_token};
        if (auto* user = std::get_if<credentials::authorized_user>(&creds_.kind())) {
            auto copy = *user;
            if (grant.refresh_token)
                copy.info.refresh_token = *grant.refresh_token;
            copy.info.token = grant.token;
            if (!copy.persist_path.empty()) {
                try {
                    write_file_atomically(copy.persist_path, to_python_token_json(copy.info));
                } catch (credentials_error const&) {
                    // A read-only token file must not fail the calls that needed the token.
                }
            }
            creds_ = credentials::from_authorized_user(std::move(copy.info), std::move(copy.persist_path));
        }
        if (options_.on_token)
            options_.on_token(update);
    }

    http::connection_pool* pool_; // null once closed
    asio::any_io_executor executor_;
    credentials creds_;
    token_source_options options_;
    std::optional<access_token> cached_;
    std::optional<clock_type::time_point> obtained_at_;
    asio::steady_timer pause_;
    bool refreshing_ = false;
    bool closed_ = false;
    std::list<waiter> waiters_;
    std::uint64_t refreshes_ = 0;
    std::mt19937_64 jitter_;
};

} // namespace gapi::auth::detail

namespace gapi::auth {

GAPI_DECL token_source::token_source(http::connection_pool& pool, credentials creds, token_source_options options)
    : impl_(std::make_shared<detail::token_source_impl>(pool, std::move(creds), std::move(options))) {}

GAPI_DECL token_source::~token_source() {
    // Same thread-safety contract as the pool: the destructor runs on the executor.
    impl_->close();
}

GAPI_DECL void token_source::invalidate(std::string_view rejected) { impl_->invalidate(rejected); }

GAPI_DECL access_token const* token_source::fresh_token() const { return impl_->fresh_token(); }

GAPI_DECL std::uint64_t token_source::refreshes() const noexcept { return impl_->refreshes(); }

GAPI_DECL credentials const& token_source::creds() const noexcept { return impl_->creds(); }

GAPI_DECL token_source::executor_type token_source::get_executor() const noexcept { return impl_->executor(); }

GAPI_DECL void token_source::start_get(boost::asio::any_completion_handler<completion_signature> handler) {
    impl_->get(std::move(handler));
}

} // namespace gapi::auth

#endif
