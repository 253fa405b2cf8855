// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EXAMPLES_EXAMPLE_SUPPORT_HPP
#define GAPI_EXAMPLES_EXAMPLE_SUPPORT_HPP

// What the seed's programs share: where Google is (the real one, an external
// gapi-emulator, or one embedded in the program) and which credentials to use.
//
//   --emulator                 start an emulator inside the program and use its user1
//   --token token.json         a token file (google-auth's format), for a real account
//   --credentials FILE         client_secret.json: run the consent flow first if the token file is missing
//   --endpoint URL             another Google, e.g. a running gapi-emulator
//   --ca-file ca.pem           trust this CA too (the emulator's, with --tls)

#include <gapi/auth/credentials.hpp>
#include <gapi/auth/installed_app_flow.hpp>
#include <gapi/client.hpp>
#include <gapi/emulator/emulator.hpp>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace example {

struct setup {
    bool embedded = false;
    std::string token = "token.json";
    std::string credentials;
    std::string endpoint;
    std::string ca_file;
    std::vector<std::string> rest; ///< flags the program handles itself

    std::optional<gapi::emulator::emulator> emulator;
    std::filesystem::path state_dir;

    ~setup() {
        if (!state_dir.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(state_dir, ignored);
        }
    }

    setup(int argc, char** argv) {
        for (int i = 1; i < argc; ++i) {
            std::string const flag = argv[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= argc)
                    throw std::invalid_argument(flag + " needs a value");
                return argv[++i];
            };
            if (flag == "--emulator")
                embedded = true;
            else if (flag == "--token")
                token = value();
            else if (flag == "--credentials")
                credentials = value();
            else if (flag == "--endpoint")
                endpoint = value();
            else if (flag == "--ca-file")
                ca_file = value();
            else
                rest.push_back(flag);
        }
    }
    setup(setup const&) = delete;
    setup& operator=(setup const&) = delete;

    // The value that follows `flag` among the program's own flags, or all of them.
    std::vector<std::string> values(std::string const& flag) const {
        std::vector<std::string> out;
        for (std::size_t i = 0; i + 1 < rest.size(); ++i)
            if (rest[i] == flag)
                out.push_back(rest[i + 1]);
        return out;
    }
    std::string value(std::string const& flag, std::string fallback = {}) const {
        auto v = values(flag);
        return v.empty() ? fallback : v.back();
    }

    /// Google's root URL for the services.
    std::string root() const {
        if (emulator)
            return emulator->base_url();
        if (!endpoint.empty())
            return endpoint;
        return {};
    }

    /// Starts the embedded emulator if asked, and returns the client.
    std::unique_ptr<gapi::client> connect(boost::asio::io_context& ioc, std::vector<std::string> const& scopes,
                                          gapi::emulator::emulator_options embedded_options = {}) {
        if (embedded) {
            state_dir = std::filesystem::temp_directory_path() / ("gapi-example-" + std::to_string(::getpid()));
            embedded_options.state_dir = state_dir.string();
            emulator.emplace(std::move(embedded_options));
            emulator->start();
            token = (state_dir / "token.json").string();
        }
        gapi::client_options options;
        options.transport.tls.ca_file = ca_file;
        if (auto const where = root(); !where.empty())
            options.endpoints = {.gmail = where, .calendar = where};
        if (!std::filesystem::exists(token) && !credentials.empty())
            authorize(ioc, scopes, options);
        return std::make_unique<gapi::client>(ioc.get_executor(), gapi::auth::credentials::from_file(token), options);
    }

private:
    // The seed's first run: no token yet, so ask the user once and keep the token.
    void authorize(boost::asio::io_context& ioc, std::vector<std::string> const& scopes,
                   gapi::client_options const& options) {
        auto client = gapi::auth::parse_client_secrets(gapi::auth::read_json_file(credentials), credentials);
        gapi::http::connection_pool pool(ioc.get_executor(), options.transport);
        gapi::auth::run_installed_app_flow(pool, client, {.scopes = scopes},
                                           [&](gapi::error_code ec, gapi::auth::authorized_user_info info) {
                                               pool.shutdown();
                                               if (ec)
                                                   throw boost::system::system_error(ec, "authorization");
                                               gapi::auth::write_file_atomically(
                                                   token, gapi::auth::to_python_token_json(info));
                                           });
        ioc.run();
        ioc.restart();
    }
};

} // namespace example

#endif
