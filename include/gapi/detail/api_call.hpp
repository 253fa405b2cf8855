// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_API_CALL_HPP
#define GAPI_DETAIL_API_CALL_HPP

// What every API service shares: one call through the client's pipeline with Google's
// errors turned into codes, and JSON resources read into structs.

#include <gapi/call_options.hpp>
#include <gapi/client.hpp>
#include <gapi/detail/begins_with.hpp>
#include <gapi/detail/start_operation.hpp>
#include <gapi/google_error.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/system_error.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <algorithm>
#include <array>
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

/// A URL as gapi's request builders write it: a root's origin, then the path and the
/// query, each part percent-encoded as it is appended. It is never parsed whole (Boost.URL
/// parsing text gapi wrote itself cost a sixth of a small call's client CPU): the request
/// carries the path and query as its `target`, and only the origin is parsed, once per
/// root (`parsed_origin` keeps two per thread).
struct built_url {
    std::string_view origin; ///< `scheme://authority` of the root, whose text must outlive this
    std::string target;      ///< the path and query, percent-encoded

    /// Appends `key=value` to the query (`http::append_query_pair`: a '+' must not become a space).
    void add_query(std::string_view key, std::string_view value) {
        target += target.find('?') == std::string::npos ? '?' : '&';
        http::append_query_pair(target, key, value);
    }
};

/// `origin` (`scheme://authority`) parsed; `error::invalid_url`, thrown, when it is not an
/// absolute URL with a host. The last two origins parsed on this thread are kept: a
/// service's calls all go to the same one, and a thread may alternate Gmail's and Calendar's.
inline boost::urls::url parsed_origin(std::string_view origin) {
    struct parsed {
        std::string text; ///< empty: unused
        boost::urls::url url;
    };
    thread_local std::array<parsed, 2> kept;
    thread_local std::size_t least_recent = 0;
    for (std::size_t i = 0; i < kept.size(); ++i)
        if (!kept[i].text.empty() && kept[i].text == origin) {
            least_recent = 1 - i;
            return kept[i].url;
        }
    auto const url = boost::urls::parse_uri(origin);
    if (!url || url->host().empty())
        throw boost::system::system_error(make_error_code(error::invalid_url));
    auto& slot = kept[least_recent];
    slot.text.clear(); // should an allocation below fail, the slot is unused, never another origin's
    slot.url = boost::urls::url(*url);
    slot.text.assign(origin);
    least_recent = 1 - least_recent;
    return slot.url;
}

/// A request to a URL given whole (such as an upload session's, which Google names).
inline http::request make_request(api_method const& m, http::verb method, boost::urls::url url) {
    http::request req;
    req.method = method;
    req.url = std::move(url);
    req.method_id = m.id;
    req.quota_units = m.quota_units;
    req.replay_on_stale_connection = m.idempotent;
    return req;
}

inline http::request make_request(api_method const& m, http::verb method, built_url url) {
    auto req = make_request(m, method, parsed_origin(url.origin));
    req.target = std::move(url.target);
    return req;
}

inline http::request json_request(api_method const& m, http::verb method, built_url url,
                                  boost::json::value const& body) {
    auto req = make_request(m, method, std::move(url));
    req.headers.set(boost::beast::http::field::content_type, "application/json; charset=UTF-8");
    req.body = boost::json::serialize(body);
    return req;
}

/// Sets `url`'s target to `base`, then the segments of each list in `paths`, each
/// percent-encoded, then `query`'s parameters (`built_url::add_query`).
inline void append_path_and_query(built_url& url, std::string_view base,
                                  std::initializer_list<std::initializer_list<std::string_view>> paths,
                                  std::initializer_list<std::pair<std::string_view, std::string_view>> query) {
    // One allocation for the target whenever nothing needs escaping (almost always):
    // growing it segment by segment reallocated it several times per call.
    std::size_t size = base.size();
    for (auto list : paths)
        for (auto segment : list)
            size += 1 + segment.size();
    for (auto const& [key, value] : query)
        size += 2 + key.size() + value.size();
    url.target.reserve(size);
    url.target.assign(base);
    for (auto list : paths)
        for (auto segment : list) {
            url.target += '/';
            http::append_encoded(url.target, segment, boost::urls::pchars);
        }
    for (auto const& [key, value] : query)
        url.add_query(key, value);
}

/// `root`'s scheme and authority, then the segments of `prefix` then of `rest` as its
/// path, each percent-encoded (ids hold '@', '#', '/'), then `query`'s parameters, keys
/// and values percent-encoded as `http::append_query_pair` does.
inline built_url api_url(std::string_view root, std::initializer_list<std::string_view> prefix,
                         std::initializer_list<std::string_view> rest,
                         std::initializer_list<std::pair<std::string_view, std::string_view>> query = {}) {
    // The root's own path, if any, is dropped. A misconfigured root fails when the request
    // is made from this (`make_request`): the operation completes with `error::invalid_url`.
    // A plain search: find_first_of asks memchr about its three characters for each one.
    auto const authority = root.find("//");
    auto const path = authority == std::string_view::npos
                          ? root.end()
                          : std::find_if(root.begin() + static_cast<std::ptrdiff_t>(authority + 2), root.end(),
                                         [](char c) { return c == '/' || c == '?' || c == '#'; });
    built_url url;
    url.origin = std::string_view(root.begin(), path);
    append_path_and_query(url, {}, {prefix, rest}, query);
    return url;
}

/// `prefix` (an `api_url` without a query, built once for many calls) followed by the
/// segments of `rest`, then `query`'s parameters, as `api_url` writes them.
inline built_url api_url(built_url const& prefix, std::initializer_list<std::string_view> rest,
                         std::initializer_list<std::pair<std::string_view, std::string_view>> query = {}) {
    built_url url;
    url.origin = prefix.origin;
    append_path_and_query(url, prefix.target, {rest}, query);
    return url;
}

/// What a service gives each of its calls: the client, the service's per-call options,
/// whose quota the call spends (Gmail's userId; empty: the credential's user), which is
/// also the admission lane the service starts its operations in, and what owns those
/// options. The call keeps the owner (`pipeline::call::keep_alive`), so an
/// operation may return the call's awaitable without being a coroutine that holds the
/// service itself.
struct call_context {
    client* c;
    call_options const* options;
    std::string_view quota_key;
    std::shared_ptr<void const> owner;
};

/// An operation's result known before any call is made (its arguments were refused).
template <class T>
boost::asio::awaitable<std::pair<error_code, T>> refused(error_code ec) {
    co_return std::pair{ec, T{}};
}

/// The pipeline's call for `req`: its traits completed from the request and the service.
inline pipeline::call make_call(call_context ctx, http::request&& req, pipeline::call_traits traits) {
    pipeline::call call;
    traits.method_id = req.method_id;
    traits.quota_units = req.quota_units;
    traits.idempotent = req.replay_on_stale_connection;
    // Media uploads cannot travel inside a batch; everything else may (if batching is on).
    traits.batchable = !gapi::detail::begins_with(http::request_path(req), "/upload/");
    if (traits.quota_key.empty())
        traits.quota_key = ctx.quota_key;
    call.traits = std::move(traits);
    call.admission_lane = ctx.quota_key;
    call.keep_alive = std::move(ctx.owner);
    call.request = std::make_shared<http::request>(std::move(req));
    return call;
}

/// The coroutine part of `call_api`: the pipeline's outcome as an error and the response.
inline boost::asio::awaitable<std::pair<error_code, http::response>>
response_of(boost::asio::awaitable<pipeline::outcome> answer) {
    auto o = co_await std::move(answer);
    co_return std::pair{o.ec, std::move(o.response)};
}

/// Sends `req` through the client's pipeline; a complete non-2xx answer becomes Google's
/// typed error (`api_error`), with the response kept for its details. `traits.find_applied`, for
/// a call that must not run twice, tells the retry layer whether an attempt whose answer
/// was lost took effect.
/// Like `fetch`, it builds the call in a plain function, so that the coroutine's frame
/// holds only the outcome (not the request, the traits and the call as well), and takes
/// the request by reference: it moves once, into the call (each move by value cost a
/// small call ~240 instructions: its URL, fields and strings).
inline boost::asio::awaitable<std::pair<error_code, http::response>>
call_api(call_context ctx, http::request&& req, pipeline::call_traits traits) {
    return response_of(ctx.c->perform(make_call(ctx, std::move(req), std::move(traits)), *ctx.options));
}

// Not a coroutine, and no default argument: GCC 12 destroys an aggregate made inside a
// co_await expression twice, so the empty traits are made here.
inline boost::asio::awaitable<std::pair<error_code, http::response>> call_api(call_context ctx, http::request&& req) {
    return call_api(ctx, std::move(req), pipeline::call_traits{});
}

template <class T>
std::pair<error_code, T> convert_resource(boost::json::value const& value) {
    try {
        return {error_code{}, boost::json::value_to<T>(value)};
    } catch (std::exception const&) {
        return {make_error_code(error::malformed_response), T{}};
    }
}

/// Reads a JSON resource; anything unexpected is `error::malformed_response`. Any `T`,
/// JSON types included (which keep the parsed document's storage), so the document
/// lives in the default storage.
template <class T>
std::pair<error_code, T> read_resource(std::string const& body) {
    boost::system::error_code ec;
    auto const value = boost::json::parse(body, ec);
    if (ec)
        return {make_error_code(error::malformed_response), T{}};
    return convert_resource<T>(value);
}

/// The same for gapi's own resource structs, whose conversions copy what they keep
/// (never a JSON value that shares the document's storage): the document lives only
/// until it is converted, its nodes from a monotonic arena (a buffer on the stack, then
/// blocks) instead of one allocation each.
///
/// A resource with a `read_flat` of its own (found by ADL: `read_flat(value_to_tag<T>,
/// text, T&)`) is read by it first, without a document; where it gives up, the document
/// and the conversion decide.
template <class T>
std::pair<error_code, T> read_own_resource(std::string_view body) {
    // Every return is of `read`, so that it is built in the caller's place (a resource
    // moved on return cost a flat read ~130 instructions).
    std::pair<error_code, T> read;
    if constexpr (requires(T& out) { read_flat(boost::json::value_to_tag<T>{}, std::string_view{}, out); })
        if (read_flat(boost::json::value_to_tag<T>{}, body, read.second))
            return read;
    unsigned char first_block[8192];
    boost::json::monotonic_resource arena(first_block, sizeof first_block);
    boost::system::error_code ec;
    auto const value = boost::json::parse(body, ec, &arena);
    if (ec)
        read = {make_error_code(error::malformed_response), T{}};
    else
        read = convert_resource<T>(value);
    return read;
}

/// A call's outcome as the resource it answers with: its error, or the resource read
/// from the body.
template <class T>
std::pair<error_code, T> resource_of(pipeline::outcome const& o) {
    if (o.ec)
        return {o.ec, T{}};
    return read_own_resource<T>(o.response.body);
}

/// Sends `req` and reads the resource it answers with (one of gapi's resource structs),
/// as an operation of its own: no coroutine stands between the call and the handler, and
/// none at all when its first attempt joins a batch (`batched_operation`).
template <class T>
operation_result<T> fetch_operation(call_context ctx, http::request&& req, pipeline::call_traits traits) {
    req.keep_success_fields = false; // a success is read from its body alone
    return {pending_call{make_call(ctx, std::move(req), std::move(traits)), ctx.c, ctx.options}, &resource_of<T>,
            &read_own_resource<T>};
}

template <class T>
operation_result<T> fetch_operation(call_context ctx, http::request&& req) {
    return fetch_operation<T>(ctx, std::move(req), pipeline::call_traits{});
}

/// The same, for a coroutine that awaits it.
template <class T>
boost::asio::awaitable<std::pair<error_code, T>> fetch(call_context ctx, http::request&& req, pipeline::call_traits traits) {
    return awaited(fetch_operation<T>(ctx, std::move(req), std::move(traits)));
}

template <class T>
boost::asio::awaitable<std::pair<error_code, T>> fetch(call_context ctx, http::request&& req) {
    return fetch<T>(ctx, std::move(req), pipeline::call_traits{});
}

} // namespace gapi::detail

#endif
