// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_TESTS_SUPPORT_RAW_HTTP_HPP
#define GAPI_TESTS_SUPPORT_RAW_HTTP_HPP

#include <boost/beast/http/fields.hpp>
#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>

#include <map>
#include <memory>
#include <string>

namespace gapi_test {

/// A response read by the raw client. `error` is set when the connection failed or
/// was reset before a complete response arrived.
struct raw_response {
    boost::system::error_code error;
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;

    boost::json::object json() const;            ///< the body as a JSON object (empty when it is not one)
    std::string error_reason() const;            ///< error.errors[0].reason of a Google error body
    std::string error_status() const;            ///< error.status of a Google error body
    std::string error_message() const;           ///< error.message of a Google error body
};

/// A deliberately plain, blocking HTTP/1.1 client for wire tests: it writes exactly
/// the request the test spells out, so the emulator is checked independently of
/// gapi's own client. One keep-alive connection, opened on first use.
class raw_client {
public:
    /// `ca_pem` non-empty: TLS to 127.0.0.1, verifying the chain against that CA.
    explicit raw_client(unsigned short port, std::string ca_pem = {});
    ~raw_client();
    raw_client(raw_client const&) = delete;
    raw_client& operator=(raw_client const&) = delete;

    raw_response request(std::string const& method, std::string const& target,
                         std::map<std::string, std::string> const& headers = {}, std::string const& body = {});

    raw_response get(std::string const& target, std::string const& bearer = {});
    raw_response post_json(std::string const& target, std::string const& json, std::string const& bearer = {});
    raw_response post_form(std::string const& target, std::string const& form);

    std::size_t connections_opened() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// `application/x-www-form-urlencoded` encoding of one value.
std::string form_encode(std::string const& value);

} // namespace gapi_test

#endif
