// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_API_CALL_HPP
#define GAPI_DETAIL_API_CALL_HPP

// What every API service shares: one call through the client with Google's errors
// turned into codes, JSON resources read into structs, and the bridge from an internal
// coroutine to any completion token.

#include <gapi/client.hpp>
#include <gapi/google_error.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include <initializer_list>
#include <string_view>
#include <utility>

namespace gapi::detail {

/// What every API request carries for the layers above the transport: Google's method
/// id, its quota cost (Gmail's units; Calendar counts requests), and whether it is safe
/// to send twice. A call that is not idempotent (sending mail) is never replayed by
/// the transport after the keep-alive race.
struct api_method {
    std::string_view id;
    unsigned quota_units = 1;
    bool idempotent = true;
};

inline http::request make_request(api_method const& m, http::verb method, boost::urls::url url) {
    http::request req;
    req.method = method;
    req.url = std::move(url);
    req.method_id = m.id;
    req.quota_units = m.quota_units;
    req.replay_on_stale_connection = m.idempotent;
    return req;
}

inline http::request json_request(api_method const& m, http::verb method, boost::urls::url url,
                                  boost::json::value const& body) {
    auto req = make_request(m, method, std::move(url));
    req.headers.set(boost::beast::http::field::content_type, "application/json; charset=UTF-8");
    req.body = boost::json::serialize(body);
    return req;
}

/// `root` with the segments of `prefix` then of `rest` as its path, each
/// percent-encoded (ids hold '@', '#', '/').
inline boost::urls::url api_url(std::string_view root, std::initializer_list<std::string_view> prefix,
                                std::initializer_list<std::string_view> rest) {
    boost::urls::url u(root);
    u.set_encoded_path("");
    auto path = u.segments();
    for (auto list : {prefix, rest})
        for (auto s : list)
            path.push_back(s);
    return u;
}

/// Sends `req` with the client's credentials through the retry loop; a complete non-2xx
/// answer becomes Google's typed error (`api_error`), with the response kept for its
/// details. `find_applied`, for a call that must not run twice, tells the loop whether an
/// attempt whose answer was lost took effect.
inline boost::asio::awaitable<std::pair<error_code, http::response>>
call_api(client& c, http::request req, pipeline::call_traits traits) {
    traits.idempotent = req.replay_on_stale_connection;
    auto shared = std::make_shared<http::request>(std::move(req));
    auto o = co_await c.perform(std::move(shared), std::move(traits));
    co_return std::pair{o.ec, std::move(o.response)};
}

// Not a coroutine, and no default argument: GCC 12 destroys an aggregate made inside a
// co_await expression twice, so the empty traits are made here.
inline boost::asio::awaitable<std::pair<error_code, http::response>> call_api(client& c, http::request req) {
    return call_api(c, std::move(req), pipeline::call_traits{});
}

/// Reads a JSON resource; anything unexpected is `error::malformed_response`.
template <class T>
std::pair<error_code, T> read_resource(std::string const& body) {
    boost::system::error_code ec;
    auto const value = boost::json::parse(body, ec);
    if (ec)
        return {make_error_code(error::malformed_response), T{}};
    try {
        return {error_code{}, boost::json::value_to<T>(value)};
    } catch (std::exception const&) {
        return {make_error_code(error::malformed_response), T{}};
    }
}

/// Sends `req` and reads the resource it answers with.
template <class T>
boost::asio::awaitable<std::pair<error_code, T>> fetch(client& c, http::request req, pipeline::call_traits traits) {
    auto [ec, res] = co_await call_api(c, std::move(req), std::move(traits));
    if (ec)
        co_return std::pair{ec, T{}};
    co_return read_resource<T>(res.body);
}

template <class T>
boost::asio::awaitable<std::pair<error_code, T>> fetch(client& c, http::request req) {
    return fetch<T>(c, std::move(req), pipeline::call_traits{});
}

/// Runs `make()`'s coroutine on the client's executor and completes `token` with its
/// result as `void(error_code, T)`. Terminal cancellation reaches the coroutine.
template <class T, class MakeAwaitable, class CompletionToken>
auto start_operation(client& c, MakeAwaitable make, CompletionToken&& token) {
    namespace asio = boost::asio;
    return asio::async_initiate<CompletionToken, void(error_code, T)>(
        [&c](auto handler, MakeAwaitable make_op) {
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto ex = c.get_executor();
            asio::co_spawn(ex, make_op(),
                           asio::bind_cancellation_slot(
                               slot, [h = std::move(handler), ex](std::exception_ptr e,
                                                                  std::pair<error_code, T> result) mutable {
                                   if (e) // a bug inside gapi: reported, never thrown into run()
                                       result = {make_error_code(error::internal_error), T{}};
                                   auto target = asio::get_associated_executor(h, ex);
                                   asio::dispatch(target, asio::append(std::move(h), result.first,
                                                                       std::move(result.second)));
                               }));
        },
        token, std::move(make));
}

} // namespace gapi::detail

#endif
