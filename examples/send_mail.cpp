// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// send_mail: the seed's testsend.py — send a message, with attachments.
// create_draft: the seed's testdraft.py — the same message saved as a draft.
//
//   send_mail    --emulator | --token token.json [--credentials client_secret.json]
//                [--endpoint URL] [--ca-file ca.pem]
//                --to ADDRESS [--from ADDRESS] [--subject TEXT] [--body TEXT] [--attach FILE]...
//   create_draft (the same flags)
#include "example_support.hpp"

#include <gapi/gmail/gmail_service.hpp>
#include <gapi/mime/attachment.hpp>

#ifndef GAPI_EXAMPLE_DRAFT
#define GAPI_EXAMPLE_DRAFT 0
#endif

int main(int argc, char** argv) try {
    example::setup setup(argc, argv);
    gapi::mime::message msg;
    auto const to = setup.value("--to");
    if (to.empty()) {
        std::cerr << "usage: " << argv[0] << " (--emulator | --token token.json) --to ADDRESS [--from ADDRESS] "
                  << "[--subject TEXT] [--body TEXT] [--attach FILE]...\n";
        return 2;
    }
    auto parse = [](std::string const& text) {
        auto a = gapi::mime::parse_address(text);
        if (!a)
            throw boost::system::system_error(a.error(), text);
        return *a;
    };
    msg.to.push_back(parse(to));
    if (auto from = setup.value("--from"); !from.empty())
        msg.from = parse(from);
    msg.subject = setup.value("--subject", "Automated draft");
    msg.text_body = setup.value("--body", "This is automated draft mail");
    for (auto const& path : setup.values("--attach")) {
        auto a = gapi::mime::attachment_from_file(path);
        if (!a)
            throw boost::system::system_error(a.error(), path);
        msg.attachments.push_back(std::move(*a));
    }

    boost::asio::io_context ioc;
    auto google = setup.connect(ioc, {"https://www.googleapis.com/auth/gmail.compose"});
    auto gmail = google->gmail();

    int status = 0;
    auto report = [&](gapi::error_code ec, std::string const& what) {
        if (ec) {
            std::cerr << "An error occurred: " << ec.message() << '\n';
            status = 1;
        } else {
            std::cout << what << '\n';
        }
        google->transport().shutdown();
    };
#if GAPI_EXAMPLE_DRAFT
    gmail.create_draft(msg, [&](gapi::error_code ec, gapi::gmail::draft d) {
        report(ec, "Draft id: " + d.id + "\nDraft message id: " + d.message.id);
    });
#else
    gmail.send(msg, [&](gapi::error_code ec, gapi::gmail::message m) { report(ec, "Message Id: " + m.id); });
#endif
    ioc.run();
    return status;
} catch (std::exception const& e) {
    std::cerr << argv[0] << ": " << e.what() << '\n';
    return 1;
}
