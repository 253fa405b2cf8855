// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// The transport's exchange (the pool's own code, `http::detail::exchange`) over Beast's
// test stream: the request goes out, the input comes back as the server's answer, then
// the connection ends. Input: one byte of settings (bit 0: a HEAD request; the rest: how
// many bytes each read gets, so that answers arrive in pieces), then the answer.
#include "fuzz.hpp"

#include <gapi/http/detail/exchange.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0)
        return 0;
    bool const head_request = data[0] & 1;
    std::size_t const read_size = 1 + (data[0] >> 1) * 8;
    bool const keep_success_fields = size % 2 == 0; // apart from the reads' size, which takes data[0]'s bits
    auto const answer = gapi_fuzz::text(data + 1, size - 1);

    boost::asio::io_context ioc;
    boost::beast::test::stream client(ioc), server(ioc);
    client.connect(server);
    client.read_size(read_size);
    client.append(answer);
    client.close_remote();

    boost::beast::flat_buffer buffer;
    // Small limits, so that the fuzzer reaches them.
    gapi::http::detail::response_limits const limits{.header_bytes = 2048, .body_bytes = 4096};
    std::string const head = "GET /gmail/v1/users/me/labels HTTP/1.1\r\nHost: gmail.googleapis.com\r\n\r\n";
    std::string const body;
    gapi::http::response response;
    bool written = false, keep_alive = false, finished = false;
    gapi::error_code ec;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
            ec = co_await gapi::http::detail::exchange(client, buffer, head, body, limits, head_request, response,
                                                        written, keep_alive, keep_success_fields);
            finished = true;
        },
        boost::asio::detached);
    ioc.run();

    gapi_fuzz::expect(finished, "the exchange ends when the connection does");
    gapi_fuzz::expect(written, "the request went out");
    if (!ec) {
        gapi_fuzz::expect(response.exchange.response_started, "an answer that arrived started");
        gapi_fuzz::expect(response.status >= 200 || response.status == 101, "interim answers are skipped");
        gapi_fuzz::expect(response.status <= 999, "a status has 3 digits");
        gapi_fuzz::expect(response.body.size() <= limits.body_bytes, "the body limit holds");
        gapi_fuzz::expect(!head_request || response.body.empty(), "a HEAD answer has no body");
        gapi_fuzz::expect(keep_success_fields || response.status / 100 != 2 ||
                              response.headers.begin() == response.headers.end(),
                          "a success read for its body alone keeps no fields");
    }
    return 0;
}
