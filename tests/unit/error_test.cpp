// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using gapi::condition;
using gapi::error;
using gapi::error_code;

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(gapi_errors_have_messages_and_conditions) {
    error_code ec = error::connect_timeout;
    BOOST_TEST(ec.category().name() == std::string("gapi"));
    BOOST_TEST(ec.message() == "connect timed out");
    BOOST_TEST(ec == condition::timeout);
    BOOST_TEST(ec != condition::network);
    BOOST_TEST(error_code(error::request_timeout) == condition::timeout);
    BOOST_TEST(error_code(error::request_timeout) != error_code(error::connect_timeout));
    BOOST_TEST(error_code(error::truncated_response) == condition::network);
    BOOST_TEST(error_code(error::connection_closed) == condition::network);
    BOOST_TEST(error_code(error::response_too_large) == condition::malformed_response);
    BOOST_TEST(error_code(error::invalid_header_value) == condition::invalid_argument);
}

BOOST_AUTO_TEST_CASE(conditions_match_system_and_tls_errors) {
    BOOST_TEST(error_code(boost::asio::error::connection_refused) == condition::network);
    BOOST_TEST(error_code(boost::asio::error::connection_reset) == condition::network);
    BOOST_TEST(error_code(boost::beast::error::timeout) == condition::timeout);
    BOOST_TEST(error_code(boost::asio::ssl::error::stream_truncated) == condition::tls);
    BOOST_TEST(error_code(boost::asio::error::operation_aborted) != condition::network);
    BOOST_TEST(error_code(boost::asio::error::operation_aborted) != condition::timeout);
}

BOOST_AUTO_TEST_CASE(every_error_has_a_distinct_message) {
    std::set<std::string> messages;
    for (int e = static_cast<int>(error::invalid_url); e <= static_cast<int>(error::not_batchable); ++e)
        messages.insert(error_code(static_cast<error>(e)).message());
    BOOST_TEST(messages.size() == static_cast<std::size_t>(error::not_batchable));
    BOOST_TEST(!messages.contains("unknown gapi error"));
}

BOOST_AUTO_TEST_SUITE_END()
