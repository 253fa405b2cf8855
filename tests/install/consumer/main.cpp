// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// A program that knows gapi only as an installed package, in header-only mode.
// It sends one request to a port where nothing listens and expects a refusal:
// that runs the pool, the resolver-free connect path and the error categories. Then it
// calls a generated method (Gmail's messages.modify) through a client, to the same port.
#include <gapi.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <iostream>

int main() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor probe(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    auto const port = probe.local_endpoint().port();
    probe.close();

    gapi::http::connection_pool pool(ioc.get_executor());
    gapi::http::request req;
    req.url = boost::urls::url("http://127.0.0.1:" + std::to_string(port) + "/");
    gapi::error_code result;
    pool.send(std::move(req), [&](gapi::error_code ec, gapi::http::response) { result = ec; });
    ioc.run();

    std::cout << "gapi " << GAPI_VERSION_STRING << ": " << result.message() << '\n';
    if (result != gapi::condition::network)
        return 1;

    gapi::client_options options;
    options.endpoints.gmail = "http://127.0.0.1:" + std::to_string(port);
    options.retry.enabled = false;
    gapi::client google(ioc.get_executor(), gapi::auth::credentials::from_access_token("consumer-token"), options);
    gapi::gmail::v1::modify_message_request change;
    change.add_label_ids = {"STARRED"};
    auto const request = google.gmail().users().messages().modify_request("me", "18c0ffee", change);
    std::cout << request.method_id << ": " << gapi::http::absolute_url(request) << '\n';
    gapi::error_code modified;
    google.gmail().users().messages().modify("me", "18c0ffee", change,
                                               [&](gapi::error_code ec, gapi::gmail::v1::message) { modified = ec; });
    ioc.restart();
    ioc.run();
    std::cout << "messages.modify: " << modified.message() << '\n';
    return modified == gapi::condition::network && request.method_id == "gmail.users.messages.modify" ? 0 : 1;
}
