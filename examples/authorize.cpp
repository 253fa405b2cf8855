// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// authorize: run the OAuth 2.0 consent flow once and keep the token, like the seed's
// Python quickstarts do with InstalledAppFlow.run_local_server(port=0).
//
//   authorize --credentials client_secret.json --token token.json
//             [--scopes SCOPE[,SCOPE...]] [--no-browser]
//             [--endpoint URL [--ca-file ca.pem]]   (another OAuth server, e.g. gapi-emulator)
//
// Prints the consent URL on its own line (and opens a browser where xdg-open exists),
// waits on 127.0.0.1 for the browser to come back, then writes token.json with mode
// 0600 in the format Python's google-auth reads.
#include <gapi/auth/credential_files.hpp>
#include <gapi/auth/installed_app_flow.hpp>
#include <gapi/http/connection_pool.hpp>

#include <boost/asio/io_context.hpp>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void usage(std::string const& why) {
    std::cerr << "authorize: " << why << "\n"
              << "usage: authorize --credentials client_secret.json --token token.json\n"
                 "                 [--scopes SCOPE[,SCOPE...]] [--no-browser] [--endpoint URL [--ca-file ca.pem]]\n";
    std::exit(2);
}

std::vector<std::string> split_scopes(std::string const& list) {
    std::vector<std::string> scopes;
    std::stringstream in(list);
    for (std::string scope; std::getline(in, scope, ',');)
        if (!scope.empty())
            scopes.push_back(scope.find("://") == std::string::npos ? "https://www.googleapis.com/auth/" + scope
                                                                     : scope);
    return scopes;
}

} // namespace

int main(int argc, char** argv) {
    std::string credentials_path, token_path, endpoint, ca_file;
    std::vector<std::string> scopes = {"https://www.googleapis.com/auth/gmail.send",
                                       "https://www.googleapis.com/auth/gmail.compose",
                                       "https://www.googleapis.com/auth/gmail.labels",
                                       "https://www.googleapis.com/auth/calendar.readonly"};
    bool open_browser = true;
    for (int i = 1; i < argc; ++i) {
        std::string const flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--credentials")
            credentials_path = value();
        else if (flag == "--token")
            token_path = value();
        else if (flag == "--scopes")
            scopes = split_scopes(value());
        else if (flag == "--no-browser")
            open_browser = false;
        else if (flag == "--endpoint")
            endpoint = value();
        else if (flag == "--ca-file")
            ca_file = value();
        else
            usage("unknown flag " + flag);
    }
    if (credentials_path.empty() || token_path.empty())
        usage("--credentials and --token are required");
    if (scopes.empty())
        usage("--scopes names no scope");

    try {
        auto client = gapi::auth::parse_client_secrets(gapi::auth::read_json_file(credentials_path), credentials_path);
        if (!endpoint.empty()) {
            while (!endpoint.empty() && endpoint.back() == '/')
                endpoint.pop_back();
            client.auth_uri = endpoint + "/o/oauth2/auth";
            client.token_uri = endpoint + "/token";
        }
        boost::asio::io_context ioc;
        gapi::http::pool_options transport;
        transport.tls.ca_file = ca_file;
        gapi::http::connection_pool pool(ioc.get_executor(), transport);
        int status = 1;
        gapi::auth::run_installed_app_flow(
            pool, client, {.scopes = scopes, .open_browser = open_browser},
            [&](gapi::error_code ec, gapi::auth::authorized_user_info info) {
                pool.shutdown(); // nothing more to send: let run() return
                if (ec) {
                    std::cerr << "authorize: " << ec.message() << '\n';
                    return;
                }
                gapi::auth::write_file_atomically(token_path, gapi::auth::to_python_token_json(info));
                std::cout << "Saved credentials to " << token_path << " (" << info.scopes.size() << " scopes)\n";
                status = 0;
            });
        ioc.run();
        return status;
    } catch (gapi::auth::credentials_error const& e) {
        std::cerr << "authorize: " << e.what() << '\n';
        return 1;
    }
}
