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

namespace {

// The values an error message must never repeat.
bool names_a_secret(std::string_view message, boost::json::object const& file) {
    for (auto const* o : {&file, file.if_contains("installed") ? file.at("installed").if_object() : nullptr,
                          file.if_contains("web") ? file.at("web").if_object() : nullptr}) {
        if (!o)
            continue;
        for (auto const key : {"refresh_token", "client_secret", "private_key", "token", "access_token"})
            if (auto const* v = o->if_contains(key); v && v->is_string() && v->as_string().size() >= 6 &&
                                                       message.find(std::string_view(v->as_string())) != std::string_view::npos)
                return true;
    }
    return false;
}

template <class Parse>
void parse_guarded(boost::json::object const& file, Parse parse) {
    try {
        parse();
    } catch (gapi::auth::credentials_error const& e) {
        gapi_fuzz::expect(!names_a_secret(e.what(), file), "an error message never holds a secret");
    }
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
    parse_guarded(file, [&] {
        auto const info = gapi::auth::parse_authorized_user(file, "token.json");
        auto const written = gapi::auth::to_python_token_json(info);
        auto const reread = boost::json::parse(written);
        auto const again = gapi::auth::parse_authorized_user(reread.as_object(), "token.json");
        gapi_fuzz::expect(again.refresh_token == info.refresh_token && again.client_id == info.client_id &&
                              again.client_secret == info.client_secret,
                          "a token.json gapi writes reads back the same");
    });
    parse_guarded(file, [&] { (void)gapi::auth::parse_service_account(file, "service_account.json"); });
    parse_guarded(file, [&] { (void)gapi::auth::parse_client_secrets(file, "client_secret.json"); });
    return 0;
}
