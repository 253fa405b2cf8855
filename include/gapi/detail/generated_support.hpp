// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_GENERATED_SUPPORT_HPP
#define GAPI_DETAIL_GENERATED_SUPPORT_HPP

// What the code generated from Google's discovery documents (codegen/generate.py) stands
// on: JSON field reading and writing by C++ type, query parameters, and one call through
// the client's pipeline that completes with a typed resource.

#include <gapi/call_options.hpp>
#include <gapi/client.hpp>
#include <gapi/detail/api_call.hpp>
#include <gapi/detail/start_operation.hpp>
#include <gapi/error.hpp>
#include <gapi/http/message.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/url/url.hpp>

#include <charconv>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace gapi {

/// What a method without a response body (a delete, a stop) completes with.
struct no_content {
    friend bool operator==(no_content, no_content) = default;
};

/// The media of an upload (`messages.send_upload`, `drafts.create_upload`, ...): the
/// bytes and their type, e.g. "message/rfc822".
struct media_upload {
    std::string content_type;
    std::string data;
};

namespace detail {

/// What a generated resource needs of its service: the client, the root URL and the
/// per-call options, kept alive by the service's shared options (`owner`).
struct service_ref {
    client* c = nullptr;
    std::shared_ptr<void const> owner;
    std::string_view root;
    call_options const* options = nullptr;
};

namespace json_field {

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_map : std::false_type {};
template <class T>
struct is_map<std::map<std::string, T>> : std::true_type {};

// Google writes 64-bit integers as JSON strings (JavaScript numbers lose digits past
// 2^53); smaller integers as numbers. Both forms are read.
template <class Int>
Int read_integer(boost::json::value const& v) {
    if (auto const* s = v.if_string()) {
        Int n{};
        auto const* first = s->data();
        auto const* last = first + s->size();
        auto const [end, ec] = std::from_chars(first, last, n);
        if (ec != std::errc{} || end != last)
            throw std::invalid_argument("not an integer");
        return n;
    }
    return v.to_number<Int>();
}

/// A JSON value as the C++ type of a generated field; throws on a mismatch (which the
/// call reports as `error::malformed_response`).
template <class T>
T read_value(boost::json::value const& v) {
    if constexpr (std::is_same_v<T, std::string>) {
        return std::string(v.as_string());
    } else if constexpr (std::is_same_v<T, bool>) {
        return v.as_bool();
    } else if constexpr (std::is_integral_v<T>) {
        return read_integer<T>(v);
    } else if constexpr (std::is_floating_point_v<T>) {
        return v.to_number<T>();
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        return boost::json::value(v, boost::json::storage_ptr()); // never share the document's arena
    } else if constexpr (is_vector<T>::value) {
        T out;
        auto const& a = v.as_array();
        out.reserve(a.size());
        for (auto const& e : a)
            out.push_back(read_value<typename T::value_type>(e));
        return out;
    } else if constexpr (is_map<T>::value) {
        T out;
        for (auto const& e : v.as_object())
            out.emplace(std::string(e.key()), read_value<typename T::mapped_type>(e.value()));
        return out;
    } else {
        return boost::json::value_to<T>(v);
    }
}

template <class T>
void read(boost::json::value const& v, std::optional<T>& out) {
    if (v.is_null())
        out.reset();
    else
        out = read_value<T>(v);
}

template <class T>
void read(boost::json::value const& v, T& out) {
    if (!v.is_null())
        out = read_value<T>(v);
}

template <class T>
boost::json::value write_value(T const& x) {
    if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint64_t>) {
        return boost::json::value(std::to_string(x));
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        return x;
    } else if constexpr (is_vector<T>::value) {
        boost::json::array a;
        a.reserve(x.size());
        for (auto const& e : x)
            a.push_back(write_value(e));
        return a;
    } else if constexpr (is_map<T>::value) {
        boost::json::object o;
        for (auto const& [k, e] : x)
            o.emplace(k, write_value(e));
        return o;
    } else {
        return boost::json::value_from(x);
    }
}

// Absent fields (an empty optional, an empty list or map, a null JSON value) are not
// written, so a patch carries only what was set.
template <class T>
void put(boost::json::object& o, std::string_view key, std::optional<T> const& x) {
    if (x)
        o.insert_or_assign(key, write_value(*x));
}

template <class T>
void put(boost::json::object& o, std::string_view key, T const& x) {
    if constexpr (std::is_same_v<T, boost::json::value>) {
        if (!x.is_null())
            o.insert_or_assign(key, x);
    } else if (!x.empty()) {
        o.insert_or_assign(key, write_value(x));
    }
}

/// Fields the struct does not name go back as they came.
inline void put_other(boost::json::object& o, boost::json::object const& other) {
    for (auto const& e : other)
        if (!o.contains(e.key()))
            o.emplace(e.key(), e.value());
}

} // namespace json_field

namespace query {

inline void add(built_url& u, std::string_view name, std::string_view value) {
    u.add_query(name, value);
}
inline void add(built_url& u, std::string_view name, std::string const& value) {
    u.add_query(name, value);
}
inline void add(built_url& u, std::string_view name, bool value) {
    u.add_query(name, value ? "true" : "false");
}
template <class Int>
    requires std::is_integral_v<Int>
void add(built_url& u, std::string_view name, Int value) {
    u.add_query(name, std::to_string(value));
}
template <class T>
void add(built_url& u, std::string_view name, std::optional<T> const& value) {
    if (value)
        add(u, name, *value);
}
template <class T>
void add(built_url& u, std::string_view name, std::vector<T> const& values) {
    for (auto const& v : values)
        add(u, name, v);
}

} // namespace query

/// One method of a discovery document, as the generated code states it.
struct method_description {
    api_method method;
    std::string_view http_method; ///< "GET", "POST", ...
    std::string_view path;        ///< the path template below the root, e.g. "gmail/v1/users/{userId}/messages"
    std::string_view upload_path; ///< the simple media upload's path template; empty: no media upload
};

/// A generated method's request: Google's method id, its quota units and idempotency;
/// with a body, the body as JSON.
GAPI_DECL http::request generated_request(api_method const& m, http::verb method, built_url url);
GAPI_DECL http::request generated_request(api_method const& m, http::verb method, built_url url,
                                          boost::json::value const& body);
/// A media upload (uploadType=multipart): the JSON metadata, then the media, as
/// multipart/related.
GAPI_DECL http::request generated_upload_request(api_method const& m, http::verb method, built_url url,
                                                 boost::json::value const& metadata, media_upload const& media);

/// Runs one generated call and reads its typed response; `ec` (a request that could not
/// be built) completes it at once.
template <class T>
boost::asio::awaitable<std::pair<error_code, T>> generated_call(service_ref ref, std::string quota_key, error_code ec,
                                                                http::request req) {
    if (ec)
        co_return std::pair{ec, T{}};
    // Named first: GCC 12 destroys an aggregate made inside a co_await expression twice.
    call_context const ctx{ref.c, ref.options, quota_key, {}};
    auto [call_ec, res] = co_await call_api(ctx, std::move(req));
    if (call_ec)
        co_return std::pair{call_ec, T{}};
    if constexpr (std::is_same_v<T, no_content>)
        co_return std::pair{error_code{}, T{}};
    else
        co_return read_own_resource<T>(res.body);
}

/// Builds the request now (so the arguments may be temporaries, even with
/// `asio::deferred`), then starts the call like every other gapi operation.
template <class T, class BuildRequest, class CompletionToken>
auto start_generated(service_ref const& ref, std::string_view quota_key, BuildRequest&& build, CompletionToken&& token) {
    error_code ec;
    http::request req;
    try {
        req = build();
    } catch (boost::system::system_error const& e) {
        ec = e.code();
    } catch (std::exception const&) {
        ec = make_error_code(error::internal_error);
    }
    return start_operation<T>(
        ref.c->get_executor(), ref.c->admission(), quota_key,
        [ref, key = std::string(quota_key), ec, req = std::move(req)]() mutable {
            return generated_call<T>(std::move(ref), std::move(key), ec, std::move(req));
        },
        std::forward<CompletionToken>(token));
}

} // namespace detail
} // namespace gapi

#ifdef GAPI_HEADER_ONLY
#include <gapi/detail/impl/generated_support.ipp>
#else
extern template boost::asio::awaitable<std::pair<gapi::error_code, gapi::no_content>>
gapi::detail::generated_call<gapi::no_content>(gapi::detail::service_ref, std::string, gapi::error_code, gapi::http::request);
#endif

#endif
