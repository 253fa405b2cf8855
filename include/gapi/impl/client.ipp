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

inline boost::asio::awaitable<std::pair<error_code, http::response>>
send_authorized(http::connection_pool& pool, auth::token_source& tokens, std::shared_ptr<http::request> req) {
    constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    for (int attempt = 0;; ++attempt) {
        auto [token_ec, token] = co_await tokens.get_token(use_tuple);
        if (token_ec)
            co_return std::pair{token_ec, http::response{}};
        req->headers.set(boost::beast::http::field::authorization, "Bearer " + token.value);
        // gcloud's user credentials name the project that pays for the calls, as
        // google-auth sends it.
        if (auto const* user = std::get_if<auth::credentials::authorized_user>(&tokens.creds().kind());
            user && !user->info.quota_project_id.empty())
            req->headers.set("x-goog-user-project", user->info.quota_project_id);
        auto [ec, res] = co_await pool.send(std::shared_ptr<http::request const>(req), use_tuple);
        if (ec || res.status != 401)
            co_return std::pair{ec, std::move(res)};
        if (attempt == 1)
            co_return std::pair{make_error_code(error::unauthenticated), std::move(res)};
        tokens.invalidate(token.value);
    }
}

} // namespace detail

GAPI_DECL client::client(executor_type executor, auth::credentials credentials, client_options options)
    : pool_(std::move(executor), std::move(options.transport)),
      tokens_(pool_, std::move(credentials), std::move(options.tokens)), endpoints_(std::move(options.endpoints)) {}

GAPI_DECL client::executor_type client::get_executor() const noexcept { return pool_.get_executor(); }
GAPI_DECL http::connection_pool& client::transport() noexcept { return pool_; }
GAPI_DECL auth::token_source& client::tokens() noexcept { return tokens_; }
GAPI_DECL api_endpoints const& client::endpoints() const noexcept { return endpoints_; }

GAPI_DECL void client::start_send(std::shared_ptr<http::request> req,
                                  boost::asio::any_completion_handler<completion_signature> handler) {
    namespace asio = boost::asio;
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto work = asio::prefer(asio::get_associated_executor(handler, pool_.get_executor()),
                             asio::execution::outstanding_work.tracked);
    asio::co_spawn(
        pool_.get_executor(), detail::send_authorized(pool_, tokens_, std::move(req)),
        asio::bind_cancellation_slot(
            slot, [h = std::move(handler), work = std::move(work), ex = pool_.get_executor()](
                      std::exception_ptr e, std::pair<error_code, http::response> result) mutable {
                if (e)
                    std::rethrow_exception(e);
                auto target = asio::get_associated_executor(h, ex);
                asio::dispatch(target, asio::append(std::move(h), result.first, std::move(result.second)));
            }));
}

} // namespace gapi

#endif
