// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_JSON_FIELDS_HPP
#define GAPI_DETAIL_JSON_FIELDS_HPP

// Reading Google's JSON resources into structs. A field of the wrong type, or a required
// field that is missing, throws `std::invalid_argument`; `read_resource` turns that into
// `error::malformed_response`. Absent and null optional fields read as empty.

#include <gapi/detail/decimal.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gapi::detail::json_fields {

namespace json = boost::json;

[[noreturn]] inline void malformed(std::string_view key, std::string_view what) {
    throw std::invalid_argument("resource field '" + std::string(key) + "' " + std::string(what));
}

inline json::object const& object_of(json::value const& v) {
    if (!v.is_object())
        throw std::invalid_argument("resource: expected an object");
    return v.get_object();
}

inline json::value const* present(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

inline std::string text(json::object const& o, std::string_view key) {
    auto const* v = present(o, key);
    if (!v)
        return {};
    if (!v->is_string())
        malformed(key, "is not a string");
    return std::string(v->get_string());
}

inline std::string required_text(json::object const& o, std::string_view key) {
    auto s = text(o, key);
    if (s.empty())
        malformed(key, "is missing");
    return s;
}

inline bool boolean(json::object const& o, std::string_view key) {
    auto const* v = present(o, key);
    if (!v)
        return false;
    if (!v->is_bool())
        malformed(key, "is not a boolean");
    return v->get_bool();
}

// An int64 value as Google writes it in a string: the whole text, a decimal integer.
inline std::optional<std::int64_t> integer_text(std::string_view s) {
    if (auto const digits = decimal(s)) // the common case: no sign, at most 18 digits
        return static_cast<std::int64_t>(*digits);
    std::int64_t n = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return n;
}

// Google sends int64 values as strings ("internalDate": "1714560000000"), int32 as numbers.
inline std::int64_t integer(json::object const& o, std::string_view key) {
    auto const* v = present(o, key);
    if (!v)
        return 0;
    if (v->is_int64())
        return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_string())
        if (auto const n = integer_text(v->get_string()))
            return *n;
    malformed(key, "is not an integer");
}

template <class T>
std::vector<T> list(json::object const& o, std::string_view key) {
    auto const* v = present(o, key);
    if (!v)
        return {};
    if (!v->is_array())
        malformed(key, "is not a list");
    return json::value_to<std::vector<T>>(*v);
}

} // namespace gapi::detail::json_fields

#endif
