// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CLIENT_HPP
#define GAPI_CLIENT_HPP

#include <gapi/auth/credentials.hpp>
#include <gapi/auth/token_source.hpp>
#include <gapi/config.hpp>
#include <gapi/error.hpp>
#include <gapi/http/connection_pool.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <memory>

namespace gapi {

namespace gmail {
class gmail_service;
}
namespace calendar {
class calendar_service;
}

/// Where the APIs are: Google's by default, the emulator's base URL in tests.
struct api_endpoints {
    std::string gmail = "https://gmail.googleapis.com";
    std::string calendar = "https://www.googleapis.com";
};

/// Options of a `client`: plain members with documented defaults.
struct client_options {
    http::pool_options transport;
    auth::token_source_options tokens;
    api_endpoints endpoints;
};

/// The entry point: one credential, one connection pool, one token source.
///
/// Thread safety: as for `http::connection_pool`; the client must outlive its operations.
class client {
public:
    using executor_type = boost::asio::any_io_executor;
    using completion_signature = void(error_code, http::response);

    GAPI_DECL client(executor_type executor, auth::credentials credentials, client_options options = {});

    GAPI_DECL executor_type get_executor() const noexcept;
    GAPI_DECL http::connection_pool& transport() noexcept;
    GAPI_DECL auth::token_source& tokens() noexcept;
    GAPI_DECL api_endpoints const& endpoints() const noexcept;

    /// Gmail for the credential's user, at `endpoints().gmail`
    /// (needs <gapi/gmail/gmail_service.hpp>).
    GAPI_DECL gmail::gmail_service gmail();
    /// Calendar at `endpoints().calendar` (needs <gapi/calendar/calendar_service.hpp>).
    GAPI_DECL calendar::calendar_service calendar();

    /// Sends `req` with `Authorization: Bearer <token>`. When the API answers 401 (the
    /// token expired or was revoked early), the token is refreshed once and the request
    /// sent once more, never more: a 401 means the API did not act on the request, so
    /// even a non-idempotent call may be replayed.
    ///
    /// Completion: `void(error_code, http::response)`; any HTTP status is a response.
    /// A second 401 completes with `error::unauthenticated` and that response. Token
    /// errors (`error::reauthorization_required`, ...) complete before any API request.
    /// Cancellation: terminal, passed on to the token wait and the transport.
    template <class CompletionToken = boost::asio::deferred_t>
    auto send(http::request req, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            [this](auto handler, http::request r) {
                start_send(std::make_shared<http::request>(std::move(r)),
                           boost::asio::any_completion_handler<completion_signature>(std::move(handler)));
            },
            token, std::move(req));
    }

private:
    GAPI_DECL void start_send(std::shared_ptr<http::request> req,
                              boost::asio::any_completion_handler<completion_signature> handler);

    http::connection_pool pool_;
    auth::token_source tokens_;
    api_endpoints endpoints_;
};

} // namespace gapi

#ifdef GAPI_HEADER_ONLY
#include <gapi/impl/client.ipp>
#endif

#endif
