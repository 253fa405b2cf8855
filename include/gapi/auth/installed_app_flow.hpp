// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_INSTALLED_APP_FLOW_HPP
#define GAPI_AUTH_INSTALLED_APP_FLOW_HPP

#include <gapi/auth/credential_files.hpp>
#include <gapi/config.hpp>
#include <gapi/error.hpp>
#include <gapi/http/connection_pool.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace gapi::auth {

/// Options of `run_installed_app_flow`.
struct installed_app_flow_options {
    /// The scopes to ask the user for.
    std::vector<std::string> scopes;
    /// Open the consent page with `xdg-open` where there is one.
    bool open_browser = true;
    /// How long to wait for the browser to come back to the loopback server.
    std::chrono::seconds timeout{300};
    /// Receives the consent page's URL. By default it is printed to stdout on its own
    /// line, for the user to open when no browser opens by itself.
    std::function<void(std::string const& url)> on_authorization_url;
    /// Suggests the account to sign in with.
    std::string login_hint;
    /// The loopback port; 0 takes any free one.
    unsigned short port = 0;
};

/// The installed-app ("desktop") flow with a loopback redirect, as Python's
/// `InstalledAppFlow.run_local_server(port=0)` runs it: a server on 127.0.0.1 waits for
/// the browser; the consent URL carries a PKCE S256 challenge, a random `state` and
/// `access_type=offline`; only a request to the redirect path with the right `state` is
/// accepted (anything else gets an error page and is ignored); the code is exchanged
/// at the client's token URI.
///
/// The flow prints the consent URL (or hands it to `on_authorization_url`) and tries to
/// open a browser; it then waits for the user, up to `installed_app_flow_options::timeout`.
/// Meant for an interactive program, once: the result holds a refresh token to keep.
///
/// @par Completion signature
/// `void(error_code, authorized_user_info)` — save it with
/// `write_file_atomically(path, to_python_token_json(info))` or use it through
/// `credentials::from_authorized_user`. The result carries the client's id, secret and
/// token URI, the refresh token, the first access token and the scopes granted.
/// @par Errors
/// `error::authorization_denied` (the user declined: access_denied),
/// `error::token_endpoint_error` (the redirect carried another error),
/// `error::authorization_timeout` (no valid redirect in time), `error::invalid_credentials`
/// (an auth or token URI that is not an http(s) URL), the loopback listener's socket
/// errors (e.g. the port is taken), the code exchange's transport errors and token
/// endpoint errors (`error::reauthorization_required`, `error::invalid_client`,
/// `error::malformed_token_response`, also when no refresh token came back, ...).
/// @par Idempotency
/// The code exchange is sent once and never replayed (a code works once). The flow as a
/// whole can be run again; each run asks the user anew.
/// @par Cancellation
/// Terminal cancellation (the token's slot; emit it on the pool's executor) ends the wait
/// for the browser, closing the loopback listener, or the code exchange, with
/// `boost::asio::error::operation_aborted`. Without it, the wait ends by itself after
/// `installed_app_flow_options::timeout`, and the code exchange is bounded by the pool's
/// request timeout.
/// @par Executor and thread safety
/// It runs on the pool's executor, and may be started from any thread. The handler runs
/// on its associated executor (the pool's when it has none); unlike the client's
/// operations, the handler's own executor is not kept busy meanwhile.
/// `on_authorization_url` is called on the pool's executor. Opening the browser starts a
/// process (xdg-open) and a thread that reaps it.
/// @par Lifetimes
/// The pool must outlive the operation; `client` and `options` are moved into it.
template <class CompletionToken = boost::asio::deferred_t>
auto run_installed_app_flow(http::connection_pool& pool, client_secrets client, installed_app_flow_options options,
                            CompletionToken&& token = {});

namespace detail {
GAPI_DECL void start_installed_app_flow(
    http::connection_pool& pool, client_secrets client, installed_app_flow_options options,
    boost::asio::any_completion_handler<void(error_code, authorized_user_info)> handler);
}

template <class CompletionToken>
auto run_installed_app_flow(http::connection_pool& pool, client_secrets client, installed_app_flow_options options,
                            CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(error_code, authorized_user_info)>(
        [&pool](auto handler, client_secrets c, installed_app_flow_options o) {
            detail::start_installed_app_flow(pool, std::move(c), std::move(o), std::move(handler));
        },
        token, std::move(client), std::move(options));
}

} // namespace gapi::auth

#ifdef GAPI_HEADER_ONLY
#include <gapi/auth/impl/installed_app_flow.ipp>
#endif

#endif
