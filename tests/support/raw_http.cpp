// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include "raw_http.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <optional>

namespace gapi_test {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

boost::json::object raw_response::json() const {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object())
        return {};
    return v.as_object();
}

namespace {
boost::json::value const* error_member(raw_response const& r, boost::json::object& holder, char const* key) {
    holder = r.json();
    auto* e = holder.if_contains("error");
    if (!e || !e->is_object())
        return nullptr;
    return e->as_object().if_contains(key);
}
} // namespace

std::string raw_response::error_reason() const {
    boost::json::object holder;
    auto* errors = error_member(*this, holder, "errors");
    if (!errors || !errors->is_array() || errors->as_array().empty())
        return {};
    auto* reason = errors->as_array()[0].as_object().if_contains("reason");
    return reason && reason->is_string() ? std::string(reason->as_string()) : std::string();
}

std::string raw_response::error_status() const {
    boost::json::object holder;
    auto* s = error_member(*this, holder, "status");
    return s && s->is_string() ? std::string(s->as_string()) : std::string();
}

std::string raw_response::error_message() const {
    boost::json::object holder;
    auto* s = error_member(*this, holder, "message");
    return s && s->is_string() ? std::string(s->as_string()) : std::string();
}

struct raw_client::impl {
    asio::io_context ioc;
    unsigned short port;
    std::optional<asio::ssl::context> tls;
    std::optional<tcp::socket> plain;
    std::optional<asio::ssl::stream<tcp::socket>> secure;
    boost::beast::flat_buffer buffer;
    std::size_t opened = 0;

    bool connected() const { return plain || secure; }

    void disconnect() {
        plain.reset();
        secure.reset();
        buffer.clear();
    }

    boost::system::error_code connect() {
        boost::system::error_code ec;
        tcp::endpoint const endpoint(asio::ip::make_address("127.0.0.1"), port);
        if (!tls) {
            plain.emplace(ioc);
            plain->connect(endpoint, ec);
        } else {
            secure.emplace(ioc, *tls);
            secure->next_layer().connect(endpoint, ec);
            if (!ec) {
                secure->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
                secure->handshake(asio::ssl::stream_base::client, ec);
            }
        }
        if (ec)
            disconnect();
        else
            ++opened;
        return ec;
    }

    template <class Stream>
    raw_response exchange(Stream& s, bhttp::request<bhttp::string_body>& req) {
        raw_response out;
        bhttp::write(s, req, out.error);
        if (out.error)
            return out;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(256 * 1024 * 1024);
        bhttp::read(s, buffer, parser, out.error);
        if (out.error)
            return out;
        auto& res = parser.get();
        out.status = res.result_int();
        out.body = std::move(res.body());
        out.headers = std::move(static_cast<bhttp::fields&>(res.base()));
        if (!res.keep_alive())
            disconnect();
        return out;
    }
};

raw_client::raw_client(unsigned short port, std::string ca_pem) : impl_(std::make_unique<impl>()) {
    impl_->port = port;
    if (!ca_pem.empty()) {
        impl_->tls.emplace(asio::ssl::context::tls_client);
        impl_->tls->add_certificate_authority(asio::buffer(ca_pem));
        impl_->tls->set_verify_mode(asio::ssl::verify_peer);
    }
}

raw_client::~raw_client() = default;

raw_response raw_client::request(std::string const& method, std::string const& target,
                                 std::map<std::string, std::string> const& headers, std::string const& body) {
    if (!impl_->connected())
        if (auto ec = impl_->connect())
            return raw_response{.error = ec};
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(impl_->port));
    for (auto const& [name, value] : headers)
        req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    auto res = impl_->plain ? impl_->exchange(*impl_->plain, req) : impl_->exchange(*impl_->secure, req);
    if (res.error)
        impl_->disconnect();
    return res;
}

raw_response raw_client::get(std::string const& target, std::string const& bearer) {
    std::map<std::string, std::string> headers;
    if (!bearer.empty())
        headers["Authorization"] = "Bearer " + bearer;
    return request("GET", target, headers);
}

raw_response raw_client::post_json(std::string const& target, std::string const& json, std::string const& bearer) {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    if (!bearer.empty())
        headers["Authorization"] = "Bearer " + bearer;
    return request("POST", target, headers, json);
}

raw_response raw_client::post_form(std::string const& target, std::string const& form) {
    return request("POST", target, {{"Content-Type", "application/x-www-form-urlencoded"}}, form);
}

std::size_t raw_client::connections_opened() const { return impl_->opened; }

std::string form_encode(std::string const& value) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else if (c == ' ') {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

} // namespace gapi_test
