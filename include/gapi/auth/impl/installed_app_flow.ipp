// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_IMPL_INSTALLED_APP_FLOW_IPP
#define GAPI_AUTH_IMPL_INSTALLED_APP_FLOW_IPP

#include <gapi/auth/authorization_url.hpp>
#include <gapi/auth/installed_app_flow.hpp>
#include <gapi/auth/token_endpoint.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace gapi::auth::detail {

namespace installed {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

inline std::string page(std::string_view title, std::string_view text) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + std::string(title) +
           "</title></head><body><p>" + std::string(text) + "</p></body></html>\n";
}

// Starts the user's browser without waiting for it, when xdg-open exists. No shell is
// involved, so nothing in the URL is interpreted.
inline void open_browser(std::string const& url) {
    std::string program = "xdg-open";
    std::string argument = url;
    char* argv[] = {program.data(), argument.data(), nullptr};
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0)
        return;
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t child = 0;
    if (posix_spawnp(&child, "xdg-open", &actions, nullptr, argv, environ) == 0) {
        // xdg-open hands the URL to the browser and exits quickly; reap it without
        // blocking the flow for long.
        std::thread([child] {
            int status = 0;
            ::waitpid(child, &status, 0);
        }).detach();
    }
    posix_spawn_file_actions_destroy(&actions);
}

// What one request to the loopback server brought.
struct callback {
    enum class kind { ignored, code, denied } what = kind::ignored;
    std::string value; // the code, or the error
};

inline callback inspect(bhttp::request<bhttp::string_body> const& req, std::string_view state) {
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url || url->path() != "/")
        return {};
    auto const params = url->params();
    auto const get = [&](std::string_view key) -> std::optional<std::string> {
        auto it = params.find(key);
        if (it == params.end())
            return std::nullopt;
        return std::string((*it).value);
    };
    if (get("state") != std::string(state))
        return {};
    if (auto error = get("error"))
        return {callback::kind::denied, *error};
    if (auto code = get("code"); code && !code->empty())
        return {callback::kind::code, *code};
    return {};
}

inline asio::awaitable<std::pair<error_code, authorized_user_info>>
run(http::connection_pool& pool, client_secrets client, installed_app_flow_options options) {
    using tcp = asio::ip::tcp;
    using result_type = std::pair<error_code, authorized_user_info>;
    auto ex = co_await asio::this_coro::executor;

    // Both URIs are checked before the user is sent anywhere.
    if (!http::parse_origin(client.auth_uri) || !http::parse_origin(client.token_uri))
        co_return result_type{make_error_code(error::invalid_credentials), {}};

    // Shared with the deadline's handler, which may run after this frame is gone.
    auto acceptor = std::make_shared<tcp::acceptor>(ex);
    error_code ec;
    tcp::endpoint const endpoint(asio::ip::make_address("127.0.0.1"), options.port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) // a browser started from here must not inherit the listening socket
        ::fcntl(acceptor->native_handle(), F_SETFD, FD_CLOEXEC);
    if (!ec)
        acceptor->bind(endpoint, ec);
    if (!ec)
        acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        co_return result_type{ec, {}};
    std::string const redirect_uri = "http://127.0.0.1:" + std::to_string(acceptor->local_endpoint().port()) + "/";

    std::string const verifier = make_code_verifier();
    std::string const state = make_state();
    std::string const url =
        authorization_url(client, redirect_uri, options.scopes, state, code_challenge_s256(verifier), options.login_hint);
    if (options.on_authorization_url) {
        options.on_authorization_url(url);
    } else {
        std::printf("Please visit this URL to authorize this application:\n%s\n", url.c_str());
        std::fflush(stdout);
    }
    if (options.open_browser)
        open_browser(url);

    // The whole wait is bounded: the timer closes the listener.
    auto const give_up_at = std::chrono::steady_clock::now() + options.timeout;
    auto timed_out = std::make_shared<bool>(false);
    asio::steady_timer deadline(ex, options.timeout);
    deadline.async_wait([acceptor, timed_out](error_code tec) {
        if (!tec) {
            *timed_out = true;
            error_code ignored;
            acceptor->close(ignored);
        }
    });

    callback outcome;
    while (outcome.what == callback::kind::ignored) {
        auto [aec, socket] = co_await acceptor->async_accept(use_tuple);
        if (aec) {
            deadline.cancel();
            co_return result_type{*timed_out ? make_error_code(error::authorization_timeout) : aec, {}};
        }
        boost::beast::tcp_stream stream(std::move(socket));
        // Connections are served one at a time, so one that says nothing (a browser's
        // speculative pre-connect) may hold the next up only briefly.
        stream.expires_at(std::min(std::chrono::steady_clock::now() + std::chrono::seconds(2), give_up_at));
        boost::beast::flat_buffer buffer;
        bhttp::request<bhttp::string_body> req;
        auto [rec, n] = co_await bhttp::async_read(stream, buffer, req, use_tuple);
        if (rec) {
            // Cancelled while reading: the flow ends here, not at the next accept.
            if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) {
                deadline.cancel();
                co_return result_type{make_error_code(asio::error::operation_aborted), {}};
            }
            continue;
        }
        outcome = inspect(req, state);
        bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
        res.set(bhttp::field::content_type, "text/html; charset=utf-8");
        res.set(bhttp::field::cache_control, "no-store");
        switch (outcome.what) {
        case callback::kind::code:
            res.body() = page("Authorized", "The authentication flow has completed. You may close this window.");
            break;
        case callback::kind::denied:
            res.body() = page("Not authorized", "Authorization was not granted. You may close this window.");
            break;
        case callback::kind::ignored:
            res.result(bhttp::status::bad_request);
            res.body() = page("Unexpected request", "This is not the authorization response this application "
                                                    "is waiting for.");
            break;
        }
        res.keep_alive(false);
        res.prepare_payload();
        co_await bhttp::async_write(stream, res, use_tuple);
        error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    deadline.cancel();
    acceptor->close(ec);
    if (outcome.what == callback::kind::denied)
        co_return result_type{outcome.value == "access_denied" ? make_error_code(error::authorization_denied)
                                                               : make_error_code(error::token_endpoint_error),
                              {}};

    auto exchange = std::make_shared<http::request>();
    exchange->method = http::verb::post;
    exchange->url = boost::urls::url(client.token_uri);
    exchange->headers.set(boost::beast::http::field::content_type, "application/x-www-form-urlencoded");
    exchange->headers.set(boost::beast::http::field::accept, "application/json");
    exchange->body = authorization_code_body(outcome.value, client, redirect_uri, verifier);
    // A code works once: a replay after the keep-alive race would only earn invalid_grant.
    exchange->replay_on_stale_connection = false;
    auto [xec, res] = co_await pool.send(std::shared_ptr<http::request const>(exchange), use_tuple);
    if (xec)
        co_return result_type{xec, {}};
    auto parsed = parse_token_response(res.status, res.body, clock_type::now(), options.scopes);
    if (auto const* failure = std::get_if<token_failure>(&parsed))
        co_return result_type{failure->code, {}};
    auto& grant = std::get<token_grant>(parsed);
    authorized_user_info info;
    info.client_id = client.client_id;
    info.client_secret = client.client_secret;
    info.token_uri = client.token_uri;
    info.refresh_token = grant.refresh_token.value_or("");
    info.scopes = grant.token.scopes;
    info.token = std::move(grant.token);
    if (info.refresh_token.empty())
        // Without a refresh token the result could not outlive its first access token.
        co_return result_type{make_error_code(error::malformed_token_response), {}};
    co_return result_type{error_code{}, std::move(info)};
}

// Exceptions (a URL that will not parse, the caller's callback) become error codes.
inline asio::awaitable<std::pair<error_code, authorized_user_info>>
run_guarded(http::connection_pool& pool, client_secrets client, installed_app_flow_options options) {
    try {
        co_return co_await run(pool, std::move(client), std::move(options));
    } catch (credentials_error const& e) {
        co_return std::pair{e.code(), authorized_user_info{}};
    } catch (boost::system::system_error const& e) {
        // After a cancellation, Asio's next co_await throws operation_aborted.
        co_return std::pair{e.code(), authorized_user_info{}};
    } catch (std::exception const&) {
        co_return std::pair{make_error_code(error::invalid_credentials), authorized_user_info{}};
    }
}

} // namespace installed

GAPI_DECL void start_installed_app_flow(
    http::connection_pool& pool, client_secrets client, installed_app_flow_options options,
    boost::asio::any_completion_handler<void(error_code, authorized_user_info)> handler) {
    namespace asio = boost::asio;
    auto ex = pool.get_executor();
    // The caller's cancellation slot reaches the flow's wait and its code exchange.
    auto slot = asio::get_associated_cancellation_slot(handler);
    asio::co_spawn(ex, installed::run_guarded(pool, std::move(client), std::move(options)),
                   asio::bind_cancellation_slot(slot, [h = std::move(handler), ex, slot](std::exception_ptr e,
                                                std::pair<error_code, authorized_user_info> result) mutable {
                       if (slot.is_connected())
                           slot.clear();
                       // run_guarded turns failures into errors; whatever still escaped
                       // (memory) is the caller's error, never an exception out of their run().
                       if (e)
                           result = {make_error_code(error::internal_error), authorized_user_info{}};
                       auto target = asio::get_associated_executor(h, ex);
                       asio::dispatch(target, asio::append(std::move(h), result.first, std::move(result.second)));
                   }));
}

} // namespace gapi::auth::detail

#endif
