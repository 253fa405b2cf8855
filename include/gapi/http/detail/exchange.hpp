// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_HTTP_DETAIL_EXCHANGE_HPP
#define GAPI_HTTP_DETAIL_EXCHANGE_HPP

// The transport's exchange of one request and its response, apart from the pool so that
// any stream can drive it: the pool's TCP and TLS connections, a test stream, a fuzzer's
// bytes.

#include <gapi/error.hpp>
#include <gapi/http/message.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/optional/optional.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace gapi::http::detail {

/// How much of a response the transport takes (the pool's `max_response_header_size` and
/// `max_response_body_size`): past these, the read fails with Beast's `header_limit` or
/// `body_limit`, so an oversize or endless answer costs bounded memory.
struct response_limits {
    std::size_t header_bytes;
    std::size_t body_bytes;
};

/// A response read into gapi's parts: Beast's `basic_parser` with callbacks of its own
/// instead of `response_parser<string_body>`. The body is appended buffer by buffer
/// (`string_body`'s reader grows the string with `resize`, writing zeros over every byte
/// it is about to copy in: ~1 % of a batched call's client instructions), and a 2xx
/// answer's header fields are dropped unless kept (`request::keep_success_fields`):
/// storing them cost a small call ~1.1k instructions, an allocation and a copy a field,
/// for fields a call that reads only the body never looks at. Any other answer keeps its
/// fields (Retry-After, the error's details).
class response_reader final : public boost::beast::http::basic_parser<false> {
public:
    explicit response_reader(bool keep_success_fields) noexcept : keep_success_fields_(keep_success_fields) {}

    unsigned status = 0;
    fields headers;
    std::string body;

private:
    using string_view = boost::beast::string_view;

    void on_request_impl(verb, string_view, string_view, int, error_code&) override {} // a response parser's: never
    void on_response_impl(int code, string_view, int, error_code& ec) override {
        ec = {};
        status = static_cast<unsigned>(code);
        keep_fields_ = keep_success_fields_ || status / 100 != 2;
    }
    void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                       error_code& ec) override {
        ec = {};
        if (keep_fields_)
            headers.insert(name, name_string, value);
    }
    void on_header_impl(error_code& ec) override { ec = {}; }
    void on_body_init_impl(boost::optional<std::uint64_t> const& length, error_code& ec) override {
        ec = {};
        if (!length)
            return;
        if (*length > body.max_size()) {
            ec = boost::beast::http::error::buffer_overflow;
            return;
        }
        body.reserve(static_cast<std::size_t>(*length));
    }
    std::size_t on_body_impl(string_view bytes, error_code& ec) override { return append(bytes, ec); }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code& ec) override { ec = {}; }
    std::size_t on_chunk_body_impl(std::uint64_t, string_view bytes, error_code& ec) override {
        return append(bytes, ec);
    }
    void on_finish_impl(error_code& ec) override { ec = {}; }

    std::size_t append(string_view bytes, error_code& ec) {
        if (bytes.size() > body.max_size() - body.size()) {
            ec = boost::beast::http::error::buffer_overflow;
            return 0;
        }
        ec = {};
        body.append(bytes.data(), bytes.size());
        return bytes.size();
    }

    bool const keep_success_fields_;
    bool keep_fields_ = true;
};

/// Failures after which a request on a reused connection may be the keep-alive race: the
/// server closed the idle connection as the request went out.
inline bool is_stale_connection_error(error_code ec) {
    namespace asio = boost::asio;
    return ec == error::connection_closed || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::error::eof || ec == asio::error::not_connected;
}

/// What Beast and Asio report while exchanging a message, as gapi's errors.
inline error_code classify_exchange_error(error_code ec, bool response_started) {
    namespace asio = boost::asio;
    namespace bhttp = boost::beast::http;
    if (ec == boost::beast::error::timeout)
        return error::request_timeout;
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
        return error::response_too_large;
    if (ec == bhttp::error::end_of_stream)
        return response_started ? error::truncated_response : error::connection_closed;
    if (ec == bhttp::error::partial_message)
        return error::truncated_response;
    if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof)
        return response_started ? error::truncated_response : error::connection_closed;
    if (ec.category() == make_error_code(bhttp::error::bad_version).category())
        return error::malformed_http_response;
    if (response_started && ec.category() == boost::system::system_category())
        return error::truncated_response;
    return ec;
}

/// Whether a failed exchange (`ec`, already classified) is sent once more on a fresh
/// connection: only the first attempt, on a reused connection, that failed the way the
/// keep-alive race fails before any of the answer came, and only if the request was not
/// written yet or may run twice (`idempotent`). The caller adds what it alone knows: the
/// call was not aborted and its deadline has not passed.
inline bool may_replay(exchange_info const& exchange, bool written, bool idempotent, error_code ec) {
    return exchange.attempts == 1 && exchange.reused_connection && !exchange.response_started &&
           (!written || idempotent) && is_stale_connection_error(ec);
}

/// Sets `parser` to take at most `limits`, and no body for an answer to HEAD.
inline void limit_reader(response_reader& parser, response_limits limits, bool head_request) {
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.header_bytes, UINT32_MAX)));
    parser.body_limit(limits.body_bytes);
    if (head_request)
        parser.skip(true);
}

/// After a read of one answer that ended without error: the final answer, moved into
/// `out` (with `keep_alive`), or an interim one to skip and read past (`interim`), or an
/// error for a status no server may send.
inline error_code take_answer(response_reader& parser, response& out, bool& keep_alive, bool& interim) {
    interim = false;
    // Beast takes any three digits; statuses run from 100 (RFC 9110 §15).
    if (parser.status < 100)
        return make_error_code(boost::beast::http::error::bad_status);
    if (parser.status / 100 == 1 && parser.status != 101) {
        interim = true;
        return {};
    }
    // A 101's connection speaks another protocol from here on.
    keep_alive = parser.keep_alive() && parser.status != 101;
    out.status = parser.status;
    out.headers = std::move(parser.headers);
    out.body = std::move(parser.body);
    return {};
}

/// Writes `head` and `body` (one gathered write; the body is never copied), then reads the
/// final response into `out`, skipping interim answers (100 Continue, 103 Early Hints).
/// `written` and `out.exchange.request_written` tell whether the request went out,
/// `out.exchange.response_started` whether any of the answer arrived (a request whose
/// answer started may have been acted on), `keep_alive` whether the connection may serve
/// another request. Without `keep_success_fields`, a 2xx answer's fields are not kept.
template <class Stream>
boost::asio::awaitable<error_code> exchange(Stream& stream, boost::beast::flat_buffer& buffer, std::string const& head,
                                            std::string const& body, response_limits limits, bool head_request,
                                            response& out, bool& written, bool& keep_alive,
                                            bool keep_success_fields = true) {
    namespace asio = boost::asio;
    namespace bhttp = boost::beast::http;
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    std::array<asio::const_buffer, 2> const message{asio::buffer(head), asio::buffer(body)};
    auto [write_ec, bytes_written] = co_await asio::async_write(stream, message, use_tuple);
    if (write_ec)
        co_return write_ec;
    written = true;
    out.exchange.request_written = true;
    for (;;) {
        response_reader parser(keep_success_fields);
        limit_reader(parser, limits, head_request);
        auto [read_ec, bytes_read] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
        if (parser.got_some() || bytes_read > 0)
            out.exchange.response_started = true;
        if (read_ec)
            co_return read_ec;
        bool interim = false;
        if (auto bad = take_answer(parser, out, keep_alive, interim))
            co_return bad;
        if (!interim)
            co_return error_code{};
    }
}

} // namespace gapi::http::detail

#endif
