// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// list_labels: the seed's testgmail.py — print the user's Gmail labels.
//
//   list_labels --emulator | --token token.json [--credentials client_secret.json]
//               [--endpoint URL] [--ca-file ca.pem]
#include "example_support.hpp"

#include <gapi/gmail/gmail_service.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

int main(int argc, char** argv) try {
    example::setup setup(argc, argv);
    boost::asio::io_context ioc;
    auto google = setup.connect(ioc, {"https://www.googleapis.com/auth/gmail.readonly"});
    auto gmail = google->gmail();

    int status = 0;
    gmail.list_labels([&](gapi::error_code ec, std::vector<gapi::gmail::label> labels) {
        if (ec) {
            std::cerr << "An error occurred: " << ec.message() << '\n';
            status = 1;
        } else if (labels.empty()) {
            std::cout << "No labels found.\n";
        } else {
            std::cout << "Labels:\n";
            for (auto const& label : labels)
                std::cout << label.name << '\n';
        }
        google->transport().shutdown();
    });
    ioc.run();
    return status;
} catch (std::exception const& e) {
    std::cerr << "list_labels: " << e.what() << '\n';
    return 1;
}
