// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// Credential files (token.json, client_secret.json, service account keys) as gapi reads
// them, and google-auth's expiry times. A bad file is a `credentials_error`, never another
// exception, and its message never holds a secret of the file; a token.json gapi writes
// reads back the same; an expiry gapi writes reads back the same.
#include "fuzz.hpp"

#include <gapi/auth/credential_files.hpp>

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

namespace {

constexpr char const* secret_keys[] = {"refresh_token", "client_secret", "private_key", "token", "access_token"};

// The objects of a file that hold secrets: the file, and a client secret's sections.
std::vector<boost::json::object*> secret_holders(boost::json::object& file) {
    std::vector<boost::json::object*> holders{&file};
    for (auto const* section : {"installed", "web"})
        if (auto* v = file.if_contains(section); v && v->is_object())
            holders.push_back(&v->as_object());
    return holders;
}

std::vector<std::string> secrets_of(boost::json::object file) {
    std::vector<std::string> secrets;
    for (auto* o : secret_holders(file))
        for (auto const* key : secret_keys)
            if (auto const* v = o->if_contains(key); v && v->is_string() && v->as_string().size() >= 6)
                secrets.emplace_back(v->as_string());
    return secrets;
}

boost::json::object masked(boost::json::object file) {
    for (auto* o : secret_holders(file))
        for (auto const* key : secret_keys)
            if (auto* v = o->if_contains(key); v && v->is_string())
                *v = std::string(v->as_string().size(), '*');
    return file;
}

template <class Parse>
std::string error_of(boost::json::object const& file, Parse parse) {
    try {
        parse(file);
    } catch (gapi::auth::credentials_error const& e) {
        return e.what();
    }
    return {};
}

// A bad file's message never repeats a secret of it. A secret that also shows in the
// message for the same file with its secrets masked is the message's own text ("like
// 2026-05-01T12:34:56Z" holds a refresh token "2026-0"), not a leak.
template <class Parse>
void parse_guarded(boost::json::object const& file, Parse parse) {
    auto const message = error_of(file, parse);
    if (message.empty())
        return;
    auto const masked_message = error_of(masked(file), parse);
    for (auto const& secret : secrets_of(file))
        gapi_fuzz::expect(message.find(secret) == std::string::npos || masked_message.find(secret) != std::string::npos,
                          "an error message never holds a secret");
}

void expiry(std::string_view text) {
    auto const t = gapi::auth::parse_python_expiry(text);
    if (!t || *t == gapi::auth::clock_type::time_point::min() || *t == gapi::auth::clock_type::time_point::max())
        return; // beyond the clock's range (1677 to 2262): saturated, as documented
    auto const days = std::chrono::floor<std::chrono::days>(*t);
    auto const year = int(std::chrono::year_month_day(days).year());
    if (year < 1 || year > 9999)
        return; // format_python_expiry's precondition
    auto const written = gapi::auth::format_python_expiry(*t);
    auto const again = gapi::auth::parse_python_expiry(written);
    gapi_fuzz::expect(again.has_value(), "a written expiry reads back");
    gapi_fuzz::expect(*again == std::chrono::floor<std::chrono::microseconds>(*t), "a written expiry reads back the same");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const input = gapi_fuzz::text(data, size);
    if (size < 64)
        expiry(input);
    boost::system::error_code ec;
    auto const value = boost::json::parse(input, ec);
    if (ec || !value.is_object())
        return 0;
    auto const& file = value.as_object();
    try {
        (void)gapi::auth::detect_type(file);
    } catch (gapi::auth::credentials_error const&) {
    }
    parse_guarded(file, [](boost::json::object const& file) {
        auto const info = gapi::auth::parse_authorized_user(file, "token.json");
        auto const written = gapi::auth::to_python_token_json(info);
        auto const reread = boost::json::parse(written);
        auto const again = gapi::auth::parse_authorized_user(reread.as_object(), "token.json");
        gapi_fuzz::expect(again.refresh_token == info.refresh_token && again.client_id == info.client_id &&
                              again.client_secret == info.client_secret,
                          "a token.json gapi writes reads back the same");
    });
    parse_guarded(file, [](boost::json::object const& file) {
        (void)gapi::auth::parse_service_account(file, "service_account.json");
    });
    parse_guarded(file, [](boost::json::object const& file) {
        (void)gapi::auth::parse_client_secrets(file, "client_secret.json");
    });
    return 0;
}
