// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_IMPL_CREDENTIAL_FILES_IPP
#define GAPI_AUTH_IMPL_CREDENTIAL_FILES_IPP

#include <gapi/auth/credential_files.hpp>
#include <gapi/auth/detail/crypto.hpp>
#include <gapi/http/url.hpp>

#include <boost/json/stream_parser.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace gapi::auth {

GAPI_DECL credentials_error::credentials_error(error_code code, std::string const& what)
    : boost::system::system_error(code, what), what_(std::make_shared<std::string const>(what)) {}

GAPI_DECL credentials_error::credentials_error(std::string const& what)
    : credentials_error(make_error_code(error::invalid_credentials), what) {}

GAPI_DECL char const* credentials_error::what() const noexcept {
    return what_->c_str();
}

namespace detail {

[[noreturn]] inline void throw_bad_file(std::string_view source, std::string_view problem) {
    std::string what(source);
    what += ": ";
    what += problem;
    throw credentials_error(what);
}

// Reads the fields of one JSON object (the file, or a section of it) and reports faults
// with the field's full name ("installed.client_id"). Messages name fields, never values:
// most values in these files are secrets.
class field_reader {
public:
    field_reader(boost::json::object const& object, std::string_view source, std::string_view prefix = {})
        : object_(object), source_(source), prefix_(prefix) {}

    // The field's value; null when it is absent or JSON null (Python drops None fields,
    // other writers may keep them as null).
    boost::json::value const* find(std::string_view key) const {
        auto const* v = object_.if_contains(key);
        return v && !v->is_null() ? v : nullptr;
    }

    [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
        std::string what = "field '";
        what += prefix_;
        what += key;
        what += "' ";
        what += problem;
        throw_bad_file(source_, what);
    }

    std::string required_string(std::string_view key, bool allow_empty = false) const {
        auto const* v = find(key);
        if (!v) {
            std::string what = "missing field '";
            what += prefix_;
            what += key;
            what += "'";
            throw_bad_file(source_, what);
        }
        auto s = string_of(key, *v);
        if (s.empty() && !allow_empty)
            fail(key, "is empty");
        return s;
    }

    std::string optional_string(std::string_view key, std::string fallback = {}) const {
        auto const* v = find(key);
        return v ? string_of(key, *v) : std::move(fallback);
    }

    // An endpoint that gapi will send secrets to: it must at least be an http(s) URL.
    std::string optional_url(std::string_view key, std::string fallback) const {
        auto const* v = find(key);
        if (!v)
            return fallback;
        auto s = string_of(key, *v);
        auto const origin = http::parse_origin(s);
        if (!origin)
            fail(key, "is not an http or https URL");
        // Secrets travel to this URL: plain http only to this machine (a local emulator).
        bool const loopback = origin->host == "localhost" || origin->host == "::1" ||
                              origin->host.starts_with("127.");
        if (!origin->is_tls() && !loopback)
            fail(key, "must be an https URL (plain http is allowed only for 127.0.0.1 and localhost)");
        return s;
    }

    std::vector<std::string> string_list(std::string_view key, bool or_string) const {
        std::vector<std::string> out;
        auto const* v = find(key);
        if (!v)
            return out;
        char const* const problem =
            or_string ? "must be a list of strings or a string" : "must be a list of strings";
        if (auto const* s = v->if_string(); s && or_string) {
            // google-auth splits a string on single spaces; empty pieces are never scopes.
            std::string_view rest(*s);
            while (!rest.empty()) {
                auto const space = rest.find(' ');
                auto const piece = rest.substr(0, space);
                if (!piece.empty())
                    out.emplace_back(piece);
                rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
            }
            return out;
        }
        auto const* array = v->if_array();
        if (!array)
            fail(key, problem);
        for (auto const& item : *array) {
            auto const* s = item.if_string();
            if (!s)
                fail(key, problem);
            out.emplace_back(*s);
        }
        return out;
    }

    void expect_type(std::string_view expected) const {
        auto const* v = find("type");
        if (!v)
            return;
        auto const* s = v->if_string();
        if (!s || *s != expected) {
            std::string problem = "must be '";
            problem += expected;
            problem += "'";
            fail("type", problem);
        }
    }

private:
    std::string string_of(std::string_view key, boost::json::value const& v) const {
        auto const* s = v.if_string();
        if (!s)
            fail(key, "must be a string");
        return std::string(*s);
    }

    boost::json::object const& object_;
    std::string_view source_;
    std::string_view prefix_;
};

// Python's json.dumps(ensure_ascii=True) string escaping: everything outside printable
// ASCII becomes \uXXXX (lower-case hex, surrogate pairs beyond the BMP).
inline void append_python_json_string(std::string& out, std::string_view s) {
    auto const escape = [&out](unsigned code) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", code);
        out += buffer;
    };
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        auto const c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c == 0x7f)
                    escape(c);
                else
                    out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        // A UTF-8 sequence; malformed bytes (which Python strings cannot hold) become U+FFFD.
        std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        unsigned code = length == 4 ? c & 0x07u : length == 3 ? c & 0x0fu : c & 0x1fu;
        bool valid = length != 0 && c < 0xf5 && i + length <= s.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            auto const next = static_cast<unsigned char>(s[i + k]);
            valid = (next & 0xc0) == 0x80;
            code = (code << 6) | (next & 0x3fu);
        }
        static constexpr unsigned minimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (!valid || code < minimum[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
            escape(0xfffd);
            ++i;
            continue;
        }
        if (code >= 0x10000) {
            code -= 0x10000;
            escape(0xd800 + (code >> 10));
            escape(0xdc00 + (code & 0x3ff));
        } else {
            escape(code);
        }
        i += length;
    }
    out += '"';
}

inline void append_python_json_member(std::string& out, std::string_view key) {
    out += out.size() > 1 ? ", " : "";
    append_python_json_string(out, key);
    out += ": ";
}

inline std::string errno_text(int err) {
    return std::generic_category().message(err);
}

} // namespace detail

GAPI_DECL credential_file_type detect_type(boost::json::object const& file) {
    if (auto const* type = file.if_contains("type")) {
        auto const* s = type->if_string();
        if (s && *s == "authorized_user")
            return credential_file_type::authorized_user;
        if (s && *s == "service_account")
            return credential_file_type::service_account;
        return credential_file_type::unknown;
    }
    for (char const* section : {"installed", "web"}) {
        if (auto const* v = file.if_contains(section); v && v->is_object())
            return credential_file_type::client_secrets;
    }
    if (file.contains("refresh_token") && file.contains("client_id"))
        return credential_file_type::authorized_user;
    return credential_file_type::unknown;
}

GAPI_DECL authorized_user_info parse_authorized_user(boost::json::object const& file,
                                                     std::string_view source_name) {
    detail::field_reader const fields(file, source_name);
    fields.expect_type("authorized_user");
    authorized_user_info info;
    info.refresh_token = fields.required_string("refresh_token");
    info.client_id = fields.required_string("client_id");
    // Present in every file Google's tools write, but empty for a public client.
    info.client_secret = fields.required_string("client_secret", true);
    info.token_uri = fields.optional_url("token_uri", std::move(info.token_uri));
    info.scopes = fields.string_list("scopes", true);
    info.quota_project_id = fields.optional_string("quota_project_id");
    info.universe_domain = fields.optional_string("universe_domain");
    info.account = fields.optional_string("account");
    info.rapt_token = fields.optional_string("rapt_token");

    // Like google-auth: an empty expiry is no expiry, and a token without one is expired.
    auto expiry = clock_type::time_point::min();
    if (auto text = fields.optional_string("expiry"); !text.empty()) {
        auto parsed = parse_python_expiry(text);
        if (!parsed)
            fields.fail("expiry", "is not a time like 2026-05-01T12:34:56Z");
        expiry = *parsed;
    }
    if (auto value = fields.optional_string("token"); !value.empty())
        info.token = access_token{std::move(value), expiry, info.scopes};
    return info;
}

GAPI_DECL service_account_info parse_service_account(boost::json::object const& file,
                                                     std::string_view source_name) {
    detail::field_reader const fields(file, source_name);
    fields.expect_type("service_account");
    service_account_info info;
    info.client_email = fields.required_string("client_email");
    info.private_key_pem = fields.required_string("private_key");
    // Checked now so that a bad key fails when the file is loaded, not at the first call.
    if (!detail::load_rsa_private_key(info.private_key_pem))
        fields.fail("private_key", "is not a valid PEM RSA private key");
    info.private_key_id = fields.optional_string("private_key_id");
    info.token_uri = fields.optional_url("token_uri", std::move(info.token_uri));
    info.project_id = fields.optional_string("project_id");
    info.client_id = fields.optional_string("client_id");
    info.universe_domain = fields.optional_string("universe_domain");
    return info;
}

GAPI_DECL client_secrets parse_client_secrets(boost::json::object const& file, std::string_view source_name) {
    client_secrets secrets;
    detail::field_reader const top(file, source_name);
    boost::json::value const* section = nullptr;
    for (char const* kind : {"web", "installed"}) {
        if ((section = top.find(kind))) {
            secrets.kind = kind;
            break;
        }
    }
    if (!section)
        detail::throw_bad_file(source_name, "expected an 'installed' or 'web' section");
    auto const* object = section->if_object();
    if (!object)
        top.fail(secrets.kind, "must be an object");

    std::string const prefix = secrets.kind + ".";
    detail::field_reader const fields(*object, source_name, prefix);
    secrets.client_id = fields.required_string("client_id");
    secrets.client_secret = fields.optional_string("client_secret");
    secrets.auth_uri = fields.optional_url("auth_uri", std::move(secrets.auth_uri));
    secrets.token_uri = fields.optional_url("token_uri", std::move(secrets.token_uri));
    secrets.project_id = fields.optional_string("project_id");
    secrets.redirect_uris = fields.string_list("redirect_uris", false);
    return secrets;
}

GAPI_DECL boost::json::object read_json_file(std::string const& path) {
    // Credential files are a few kilobytes; the limit keeps a wrong path such as a device
    // or a huge log from being read whole.
    constexpr std::size_t max_size = 1 << 20;
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        detail::throw_bad_file(path, "cannot read file: " + detail::errno_text(errno));
    std::string text;
    char buffer[16384];
    for (;;) {
        auto const n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int const err = errno;
            ::close(fd);
            detail::throw_bad_file(path, "cannot read file: " + detail::errno_text(err));
        }
        if (n == 0)
            break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > max_size) {
            ::close(fd);
            detail::throw_bad_file(path, "file is larger than 1 MiB");
        }
    }
    ::close(fd);

    boost::json::stream_parser parser;
    error_code ec;
    auto offset = parser.write(text.data(), text.size(), ec);
    if (!ec)
        parser.finish(ec); // an incomplete document fails here, at its end
    if (ec) {
        std::size_t line = 1;
        std::size_t line_start = 0;
        for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                line_start = i + 1;
            }
        }
        detail::throw_bad_file(path, "malformed JSON at line " + std::to_string(line) + ", column " +
                                         std::to_string(offset - line_start + 1));
    }
    auto value = parser.release();
    auto* object = value.if_object();
    if (!object)
        detail::throw_bad_file(path, "expected a JSON object");
    return std::move(*object);
}

GAPI_DECL std::string to_python_token_json(authorized_user_info const& info) {
    std::string out = "{";
    auto const member = [&out](std::string_view key, std::string_view value) {
        detail::append_python_json_member(out, key);
        detail::append_python_json_string(out, value);
    };
    auto const member_if_set = [&member](std::string_view key, std::string_view value) {
        if (!value.empty())
            member(key, value);
    };
    if (info.token)
        member_if_set("token", info.token->value);
    member_if_set("refresh_token", info.refresh_token);
    member("token_uri", info.token_uri);
    member_if_set("client_id", info.client_id);
    // Written even when empty (a public client): google-auth and gapi both require the key.
    member("client_secret", info.client_secret);
    if (!info.scopes.empty()) {
        detail::append_python_json_member(out, "scopes");
        out += '[';
        for (std::size_t i = 0; i < info.scopes.size(); ++i) {
            if (i > 0)
                out += ", ";
            detail::append_python_json_string(out, info.scopes[i]);
        }
        out += ']';
    }
    member_if_set("rapt_token", info.rapt_token);
    member("universe_domain", info.universe_domain.empty() ? "googleapis.com" : info.universe_domain);
    member("account", info.account);
    // The sentinels mean "never" and "unknown": google-auth has no way to say either, and
    // an absent expiry reads back as expired, which is what "unknown" means.
    if (info.token && info.token->expiry != clock_type::time_point::min() &&
        info.token->expiry != clock_type::time_point::max())
        member("expiry", format_python_expiry(info.token->expiry));
    out += '}';
    return out;
}

GAPI_DECL void write_file_atomically(std::string const& path, std::string_view content) {
    namespace fs = std::filesystem;
    fs::path const target(path);
    fs::path directory = target.parent_path();
    if (directory.empty())
        directory = ".";
    // Same directory, so that rename() is atomic (same file system); hidden, so that a
    // crash between creating and renaming it leaves no file that looks like a token.
    std::string name = (directory / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    auto const fail = [&path](int err) {
        detail::throw_bad_file(path, "cannot write file: " + detail::errno_text(err));
    };

    // mkostemp creates the file with mode 0600 and O_EXCL: no other user ever sees it.
    int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0)
        fail(errno);
    auto const abandon = [&](int err) {
        if (fd >= 0)
            ::close(fd);
        ::unlink(name.c_str());
        fail(err);
    };
    // Stated explicitly, as the mode the token file keeps whatever the umask.
    if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0)
        abandon(errno);
    for (std::size_t written = 0; written < content.size();) {
        auto const n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            abandon(errno);
        written += static_cast<std::size_t>(n);
    }
    // The data must be on disk before the rename makes it the file, or a crash could
    // leave an empty token file in place of the old one.
    if (::fsync(fd) != 0)
        abandon(errno);
    int const closed = ::close(fd);
    fd = -1;
    if (closed != 0)
        abandon(errno);
    if (::rename(name.c_str(), path.c_str()) != 0)
        abandon(errno);
    // Makes the rename itself durable. Best effort: the new file is already in place.
    if (int const dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
}

GAPI_DECL std::string format_python_expiry(clock_type::time_point t) {
    using namespace std::chrono;
    auto const micros = floor<microseconds>(t);
    auto const day = floor<days>(micros);
    year_month_day const date{day};
    hh_mm_ss const time{micros - day};
    char buffer[64];
    int n = std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d",
                          static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                          static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                          static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
    std::string out(buffer, static_cast<std::size_t>(n));
    if (auto const fraction = time.subseconds().count(); fraction != 0) {
        n = std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(fraction));
        out.append(buffer, static_cast<std::size_t>(n));
    }
    out += 'Z';
    return out;
}

GAPI_DECL std::optional<clock_type::time_point> parse_python_expiry(std::string_view text) {
    using namespace std::chrono;
    std::size_t at = 0;
    auto const number = [&](std::size_t width, int& value) {
        if (text.size() - at < width)
            return false;
        value = 0;
        for (std::size_t i = 0; i < width; ++i) {
            char const c = text[at + i];
            if (c < '0' || c > '9')
                return false;
            value = value * 10 + (c - '0');
        }
        at += width;
        return true;
    };
    auto const literal = [&](char c) {
        if (at < text.size() && text[at] == c) {
            ++at;
            return true;
        }
        return false;
    };

    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!(number(4, y) && literal('-') && number(2, mo) && literal('-') && number(2, d) && literal('T') &&
          number(2, h) && literal(':') && number(2, mi) && literal(':') && number(2, s)))
        return std::nullopt;
    year_month_day const date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
    if (!date.ok() || h > 23 || mi > 59 || s > 59)
        return std::nullopt;

    nanoseconds fraction{0};
    if (literal('.')) {
        std::size_t digits = 0;
        std::int64_t value = 0;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            if (++digits > 9)
                return std::nullopt;
            value = value * 10 + (text[at++] - '0');
        }
        if (digits == 0)
            return std::nullopt;
        for (auto k = digits; k < 9; ++k)
            value *= 10;
        fraction = nanoseconds(value);
    }

    minutes offset{0};
    if (!literal('Z') && at < text.size() && (text[at] == '+' || text[at] == '-')) {
        bool const negative = text[at++] == '-';
        int oh = 0, om = 0;
        if (!(number(2, oh) && literal(':') && number(2, om)) || oh > 23 || om > 59)
            return std::nullopt;
        offset = hours(oh) + minutes(om);
        if (negative)
            offset = -offset;
    }
    if (at != text.size())
        return std::nullopt;

    // Seconds cannot overflow for years 0..9999; the clock's nanoseconds can (beyond
    // 2262), so far instants saturate to the sentinels instead.
    auto const seconds_since_epoch =
        (sys_days(date) + hours(h) + minutes(mi) + std::chrono::seconds(s) - offset).time_since_epoch();
    auto const limit =
        duration_cast<std::chrono::seconds>(clock_type::duration::max()) - std::chrono::seconds(1);
    if (seconds_since_epoch >= limit)
        return clock_type::time_point::max();
    if (seconds_since_epoch <= -limit)
        return clock_type::time_point::min();
    return clock_type::time_point(duration_cast<clock_type::duration>(seconds_since_epoch) +
                                  duration_cast<clock_type::duration>(fraction));
}

} // namespace gapi::auth

#endif
