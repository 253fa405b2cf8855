// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_TESTS_EMULATOR_WIRE_SUPPORT_HPP
#define GAPI_TESTS_EMULATOR_WIRE_SUPPORT_HPP

// What the wire tests share: a started emulator with its credentials, tokens fetched
// over the wire through the plain blocking client, and hand-written RFC 5322 messages.
#include "../support/raw_http.hpp"

#include <gapi/emulator/api.hpp>
#include <gapi/emulator/emulator.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>

namespace gapi_test::wire {

inline std::string const send_path = "/gmail/v1/users/me/messages/send";

/// A hand-written RFC 5322 message, base64url-encoded as Gmail's `raw` wants it.
inline std::string raw_message(std::string const& to, std::string const& subject, std::string const& message_id,
                               std::string const& from = "User One <user1@example.com>") {
    std::string const mime = "From: " + from + "\r\n"
                             "To: " + to + "\r\n"
                             "Subject: " + subject + "\r\n"
                             "Message-ID: " + message_id + "\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=UTF-8\r\n"
                             "\r\n"
                             "Hello from the wire test.\r\n";
    return gapi::emulator::encode_base64url(mime);
}

/// The JSON body of messages.send with that message.
inline std::string send_body(std::string const& to, std::string const& subject, std::string const& message_id,
                             std::string const& from = "User One <user1@example.com>") {
    return R"({"raw":")" + raw_message(to, subject, message_id, from) + R"("})";
}

/// The emulator with its credentials, and a helper to get access tokens over the wire.
struct wire_fixture {
    explicit wire_fixture(gapi::emulator::emulator_options options = {}) : google(std::move(options)) {
        google.start();
    }

    std::string client_id() {
        return google.with_state([](gapi::emulator::emulator_state& s) {
            return std::string(s.oauth.client_secret_json().at("installed").at("client_id").as_string());
        });
    }
    std::string client_secret() {
        return google.with_state([](gapi::emulator::emulator_state& s) {
            return std::string(s.oauth.client_secret_json().at("installed").at("client_secret").as_string());
        });
    }
    std::string refresh_token(std::string const& user) {
        return google.with_state(
            [&](gapi::emulator::emulator_state& s) { return s.oauth.refresh_token_of(user); });
    }

    raw_response refresh(raw_client& c, std::string const& refresh_token) {
        return c.post_form("/token", "grant_type=refresh_token&refresh_token=" + form_encode(refresh_token) +
                                         "&client_id=" + form_encode(client_id()) +
                                         "&client_secret=" + form_encode(client_secret()));
    }

    std::string access_token(raw_client& c, std::string const& user = "user1@example.com") {
        auto r = refresh(c, refresh_token(user));
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        return std::string(r.json().at("access_token").as_string());
    }

    gapi::emulator::emulator google;
};

} // namespace gapi_test::wire

#endif
