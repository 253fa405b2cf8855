// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// A program that knows gapi only as an installed package, in header-only mode.
// It sends one request to a port where nothing listens and expects a refusal:
// that runs the pool, the resolver-free connect path and the error categories.
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
    return result == gapi::condition::network ? 0 : 1;
}
