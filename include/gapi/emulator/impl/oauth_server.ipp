// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_IMPL_OAUTH_SERVER_IPP
#define GAPI_EMULATOR_IMPL_OAUTH_SERVER_IPP

#include <gapi/emulator/oauth_server.hpp>

#include <boost/beast/core/string.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url_view.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>

namespace gapi::emulator {
namespace detail::oauth {

namespace http = boost::beast::http;

template <auto free_fn>
struct openssl_deleter {
    template <class T>
    void operator()(T* p) const noexcept {
        free_fn(p);
    }
};
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<&BIO_free>>;
using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<&EVP_PKEY_free>>;
using evp_md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<&EVP_MD_CTX_free>>;

inline constexpr std::string_view google_token_uri = "https://oauth2.googleapis.com/token";
inline constexpr std::string_view google_auth_uri = "https://accounts.google.com/o/oauth2/auth";
inline constexpr std::string_view google_revoke_uri = "https://oauth2.googleapis.com/revoke";
inline constexpr std::string_view google_certs_uri = "https://www.googleapis.com/oauth2/v1/certs";
inline constexpr std::string_view google_robot_certs_uri =
    "https://www.googleapis.com/robot/v1/metadata/x509/";
inline constexpr std::string_view realm = "Bearer realm=\"https://accounts.google.com/\"";

// Every scope of the Gmail and Calendar discovery documents: what the pre-issued
// refresh tokens and authorized_user_json() grant.
inline constexpr std::string_view api_scopes[] = {
    "https://mail.google.com/",
    "https://www.googleapis.com/auth/gmail.addons.current.action.compose",
    "https://www.googleapis.com/auth/gmail.addons.current.message.action",
    "https://www.googleapis.com/auth/gmail.addons.current.message.metadata",
    "https://www.googleapis.com/auth/gmail.addons.current.message.readonly",
    "https://www.googleapis.com/auth/gmail.compose",
    "https://www.googleapis.com/auth/gmail.insert",
    "https://www.googleapis.com/auth/gmail.labels",
    "https://www.googleapis.com/auth/gmail.metadata",
    "https://www.googleapis.com/auth/gmail.modify",
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.send",
    "https://www.googleapis.com/auth/gmail.settings.basic",
    "https://www.googleapis.com/auth/gmail.settings.sharing",
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.acls",
    "https://www.googleapis.com/auth/calendar.acls.readonly",
    "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.calendarlist",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.calendars",
    "https://www.googleapis.com/auth/calendar.calendars.readonly",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.events.freebusy",
    "https://www.googleapis.com/auth/calendar.events.owned",
    "https://www.googleapis.com/auth/calendar.events.owned.readonly",
    "https://www.googleapis.com/auth/calendar.events.public.readonly",
    "https://www.googleapis.com/auth/calendar.events.readonly",
    "https://www.googleapis.com/auth/calendar.freebusy",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.settings.readonly",
};

// Sign-in scopes (oauth2-v2 discovery plus their short aliases) are accepted so
// that flows which also ask for the user's identity work.
inline constexpr std::string_view identity_scopes[] = {
    "openid",
    "email",
    "profile",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
};

GAPI_DECL bool is_known_scope(std::string_view scope) {
    return std::find(std::begin(api_scopes), std::end(api_scopes), scope) != std::end(api_scopes) ||
           std::find(std::begin(identity_scopes), std::end(identity_scopes), scope) !=
               std::end(identity_scopes);
}

GAPI_DECL std::vector<std::string> all_api_scopes() {
    return {std::begin(api_scopes), std::end(api_scopes)};
}

/// Space-delimited scope list, duplicates dropped, order kept.
GAPI_DECL std::vector<std::string> split_scopes(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto const end = text.find(' ');
        auto const item = text.substr(0, end);
        if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end())
            out.emplace_back(item);
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return out;
}

GAPI_DECL std::string join(std::vector<std::string> const& items, std::string_view separator) {
    std::string out;
    for (auto const& item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

GAPI_DECL bool contains(std::vector<std::string> const& items, std::string_view item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

using boost::beast::iequals;

GAPI_DECL std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// ---- OpenSSL -------------------------------------------------------------------

// Only the failing call is named: the queue is drained so that later, unrelated
// OpenSSL calls on this thread do not report stale errors, and no key material can
// end up in the message.
[[noreturn]] GAPI_DECL void throw_openssl_error(char const* call) {
    ERR_clear_error();
    throw std::runtime_error(std::string("gapi::emulator::oauth_server: ") + call + " failed");
}

GAPI_DECL std::string digest(EVP_MD const* md, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), out, &size, md, nullptr) != 1)
        throw_openssl_error("EVP_Digest");
    return std::string(reinterpret_cast<char const*>(out), size);
}

GAPI_DECL std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

GAPI_DECL evp_pkey_ptr load_rsa_private_key(std::string const& pem) {
    if (pem.size() > static_cast<std::size_t>(INT_MAX))
        throw std::invalid_argument("gapi::emulator::oauth_server: service_account_key_pem too large");
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        throw_openssl_error("BIO_new_mem_buf");
    // A callback that refuses: the default one would prompt on the terminal for
    // an encrypted key.
    pem_password_cb* no_password = [](char*, int, int, void*) { return 0; };
    evp_pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
    if (!key || !EVP_PKEY_is_a(key.get(), "RSA")) {
        ERR_clear_error();
        throw std::invalid_argument(
            "gapi::emulator::oauth_server: service_account_key_pem is not an RSA private key");
    }
    return key;
}

GAPI_DECL std::string private_key_pem(EVP_PKEY* key) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        throw_openssl_error("BIO_new");
    // PKCS#8 ("BEGIN PRIVATE KEY"), as Google issues service-account keys.
    if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw_openssl_error("PEM_write_bio_PrivateKey");
    char* data = nullptr;
    long const size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

GAPI_DECL std::string public_key_der(EVP_PKEY* key) {
    int const size = i2d_PUBKEY(key, nullptr);
    if (size <= 0)
        throw_openssl_error("i2d_PUBKEY");
    std::string out(static_cast<std::size_t>(size), '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    if (i2d_PUBKEY(key, &p) != size)
        throw_openssl_error("i2d_PUBKEY");
    return out;
}

/// RSASSA-PKCS1-v1_5 with SHA-256 over `data`.
GAPI_DECL bool verify_rs256(std::string const& public_der, std::string_view data,
                            std::string_view signature) {
    auto const* p = reinterpret_cast<unsigned char const*>(public_der.data());
    evp_pkey_ptr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(public_der.size())));
    evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
    bool const ok = key && ctx &&
                    EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
                    EVP_DigestVerify(ctx.get(), reinterpret_cast<unsigned char const*>(signature.data()),
                                     signature.size(), reinterpret_cast<unsigned char const*>(data.data()),
                                     data.size()) == 1;
    // A bad signature leaves entries in the queue; they are expected, not errors.
    ERR_clear_error();
    return ok;
}

// ---- request parsing -----------------------------------------------------------

using form_fields = std::vector<std::pair<std::string, std::string>>;

/// application/x-www-form-urlencoded, where '+' is a space; nullopt when malformed.
GAPI_DECL std::optional<form_fields> parse_form(std::string_view body) {
    form_fields out;
    if (body.empty())
        return out;
    auto const parsed = boost::urls::parse_query(body);
    if (!parsed)
        return std::nullopt;
    boost::urls::encoding_opts opt;
    opt.space_as_plus = true;
    for (auto const& p : *parsed)
        out.emplace_back(p.key.decode(opt), p.value.decode(opt));
    return out;
}

/// A JSON object body, as some clients send to the token endpoint.
GAPI_DECL std::optional<form_fields> parse_json_fields(std::string_view body) {
    boost::system::error_code ec;
    auto const value = boost::json::parse(body, ec);
    if (ec || !value.is_object())
        return std::nullopt;
    form_fields out;
    for (auto const& kv : value.get_object()) {
        if (kv.value().is_string())
            out.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
        else
            out.emplace_back(std::string(kv.key()), boost::json::serialize(kv.value()));
    }
    return out;
}

GAPI_DECL std::optional<form_fields> parse_body(api_request const& req) {
    auto const content_type = req.headers[http::field::content_type];
    if (content_type.size() >= 16 && iequals(content_type.substr(0, 16), "application/json"))
        return parse_json_fields(req.body);
    return parse_form(req.body);
}

/// The first value of `key`; empty when absent, and Google treats an empty value
/// as a missing one.
GAPI_DECL std::string field(form_fields const& form, std::string_view key) {
    for (auto const& [k, v] : form)
        if (k == key)
            return v;
    return {};
}

GAPI_DECL std::string form_decode(std::string_view s) {
    auto const pct = boost::urls::make_pct_string_view(s);
    if (!pct)
        return std::string(s);
    boost::urls::encoding_opts opt;
    opt.space_as_plus = true;
    return pct->decode(opt);
}

/// HTTP Basic client authentication (RFC 6749 §2.3.1: each part form-encoded).
GAPI_DECL std::optional<std::pair<std::string, std::string>> basic_credentials(fields const& headers) {
    auto const value = trim(headers[http::field::authorization]);
    if (value.size() < 6 || !iequals(value.substr(0, 6), "basic "))
        return std::nullopt;
    auto const decoded = decode_base64_any(trim(value.substr(6)));
    if (!decoded)
        return std::nullopt;
    auto const colon = decoded->find(':');
    if (colon == std::string::npos)
        return std::nullopt;
    return std::pair{form_decode(std::string_view(*decoded).substr(0, colon)),
                     form_decode(std::string_view(*decoded).substr(colon + 1))};
}

GAPI_DECL bool is_loopback_redirect(std::string_view uri) {
    // absolute-URI has no fragment, which a redirect URI must not carry anyway.
    auto const parsed = boost::urls::parse_absolute_uri(uri);
    if (!parsed)
        return false;
    auto const& u = *parsed;
    if (u.scheme_id() != boost::urls::scheme::http || u.has_userinfo())
        return false;
    switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
        return u.host_ipv4_address() == boost::urls::ipv4_address::loopback();
    case boost::urls::host_type::ipv6:
        return u.host_ipv6_address() == boost::urls::ipv6_address::loopback();
    case boost::urls::host_type::name:
        return iequals(u.encoded_host(), "localhost");
    default:
        return false;
    }
}

GAPI_DECL bool is_unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/// Percent-encodes a query value the way Google's redirects look: ':' and '/' stay
/// literal (`code=4/0A…`, `scope=https://…`), spaces become %20, and '+', '&', '='
/// are escaped so form decoders cannot misread them.
GAPI_DECL std::string encode_query_value(std::string_view s) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
        if (is_unreserved(c) || c == ':' || c == '/') {
            out.push_back(c);
        } else {
            auto const u = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(digits[u >> 4]);
            out.push_back(digits[u & 15]);
        }
    }
    return out;
}

GAPI_DECL void append_query(std::string& uri, std::string_view key, std::string_view value) {
    if (uri.find('?') == std::string::npos)
        uri += '?';
    else if (uri.back() != '?' && uri.back() != '&')
        uri += '&';
    uri += key;
    uri += '=';
    uri += encode_query_value(value);
}

GAPI_DECL bool is_pkce_string(std::string_view s) {
    return s.size() >= 43 && s.size() <= 128 && std::all_of(s.begin(), s.end(), is_unreserved);
}

GAPI_DECL bool is_base64url(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return is_unreserved(c) && c != '.' && c != '~'; });
}

// ---- responses -------------------------------------------------------------------

GAPI_DECL void set_token_headers(api_response& res) {
    // As observed on oauth2.googleapis.com: token responses must never be cached.
    res.headers.set(http::field::content_type, "application/json; charset=utf-8");
    res.headers.set(http::field::cache_control, "no-cache, no-store, max-age=0, must-revalidate");
    res.headers.set(http::field::pragma, "no-cache");
    res.headers.set(http::field::expires, "Mon, 01 Jan 1990 00:00:00 GMT");
}

GAPI_DECL api_response token_success(boost::json::object const& body) {
    auto res = json_response(200, body);
    set_token_headers(res);
    return res;
}

GAPI_DECL api_response token_error(unsigned status, std::string_view error, std::string_view description) {
    auto res = oauth_error_response(status, error, description);
    set_token_headers(res);
    return res;
}

GAPI_DECL std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

/// What the browser shows when Google refuses an authorization request outright
/// (no redirect): "Error 400: <error>" and a description.
GAPI_DECL api_response error_page(std::string_view error, std::string_view description) {
    api_response res;
    res.status = 400;
    res.headers.set(http::field::content_type, "text/html; charset=utf-8");
    res.headers.set(http::field::cache_control, "no-cache, no-store, max-age=0, must-revalidate");
    res.body = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error 400 (OAuth2 "
               "Error)</title>"
               "</head><body><h1>Access blocked: Authorization Error</h1><p id=\"error\">Error 400: ";
    res.body += html_escape(error);
    res.body += "</p><p id=\"error_description\">";
    res.body += html_escape(description);
    res.body += "</p></body></html>\n";
    return res;
}

GAPI_DECL api_response redirect(std::string location) {
    api_response res;
    res.status = 302;
    res.headers.set(http::field::location, location);
    res.headers.set(http::field::content_type, "text/html; charset=utf-8");
    res.headers.set(http::field::cache_control, "no-cache, no-store, max-age=0, must-revalidate");
    return res;
}

GAPI_DECL std::string invalid_scopes_description(std::vector<std::string> const& invalid) {
    return "Some requested scopes were invalid. {invalid=[" + join(invalid, ", ") + "]}";
}

/// The ErrorInfo service name Google reports for the API a path belongs to.
GAPI_DECL std::string_view service_of(boost::urls::url const& url) {
    std::string_view const path = url.encoded_path();
    if (path.starts_with("/gmail/") || path.starts_with("/upload/gmail/"))
        return "gmail.googleapis.com";
    if (path.starts_with("/calendar/"))
        return "calendar-json.googleapis.com";
    return {};
}

GAPI_DECL boost::json::object error_info(std::string_view reason, std::string_view service) {
    boost::json::object info{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                             {"reason", reason},
                             {"domain", "googleapis.com"}};
    if (!service.empty())
        info["metadata"] = boost::json::object{{"service", service}};
    return info;
}

GAPI_DECL api_response invalid_credentials() {
    google_error e;
    e.code = 401;
    e.message =
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
        "other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.";
    e.errors_message = "Invalid Credentials";
    e.reason = "authError";
    e.status = "UNAUTHENTICATED";
    e.location = "Authorization";
    e.location_type = "header";
    auto res = error_response(e);
    res.headers.set(http::field::www_authenticate, std::string(realm) + ", error=\"invalid_token\"");
    return res;
}

GAPI_DECL api_response credentials_missing(boost::urls::url const& url) {
    boost::json::object item{{"message", "Login Required."},
                             {"domain", "global"},
                             {"reason", "required"},
                             {"location", "Authorization"},
                             {"locationType", "header"}};
    boost::json::object error{
        {"code", 401},
        {"message",
         "Request is missing required authentication credential. Expected OAuth 2 access token, login "
         "cookie or other valid authentication credential. See "
         "https://developers.google.com/identity/sign-in/web/devconsole-project."},
        {"errors", boost::json::array{std::move(item)}},
        {"status", "UNAUTHENTICATED"},
        {"details", boost::json::array{error_info("CREDENTIALS_MISSING", service_of(url))}}};
    auto res = json_response(401, boost::json::object{{"error", std::move(error)}});
    res.headers.set(http::field::www_authenticate, realm);
    return res;
}

/// The value of the first field `name` of `fields`, empty when there is none. A walk: a
/// request holds a handful, and Beast's ordered look-up compares names case-insensitively
/// (~600 instructions for every call and every part of a batch).
inline std::string_view first_field(http::fields const& fields, http::field name) {
    for (auto const& field : fields)
        if (field.name() == name)
            return field.value();
    return {};
}

/// `Authorization: Bearer <token>` first, then `access_token=` (decoded into `decoded`,
/// which the view then refers to). nullopt when the request carries no credential at all;
/// an empty token for one that cannot be a token (another scheme), which Google answers
/// as invalid rather than missing.
GAPI_DECL std::optional<std::string_view> presented_token(api_request const& req, std::string& decoded) {
    auto const header = trim(first_field(req.headers, http::field::authorization));
    if (!header.empty()) {
        if (header.size() > 7 && ascii_iequals(header.substr(0, 7), "bearer "))
            return trim(header.substr(7));
        return std::string_view();
    }
    if (auto token = query_param(req.url, "access_token")) {
        decoded = std::move(*token);
        return std::string_view(decoded);
    }
    return std::nullopt;
}

/// Python's naive-UTC `isoformat()` + "Z", as google-auth writes `expiry`:
/// microseconds only when non-zero.
GAPI_DECL std::string python_expiry(clock_type::time_point t) {
    using namespace std::chrono;
    auto const us = floor<microseconds>(t);
    auto const day = floor<days>(us);
    year_month_day const ymd{day};
    hh_mm_ss const time{us - day};
    char out[40];
    int n = std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                          static_cast<int>(time.seconds().count()));
    if (auto const fraction = time.subseconds().count(); fraction != 0)
        n += std::snprintf(out + n, sizeof out - static_cast<std::size_t>(n), ".%06lld",
                           static_cast<long long>(fraction));
    std::string result(out, static_cast<std::size_t>(n));
    result += 'Z';
    return result;
}

GAPI_DECL std::optional<std::int64_t> json_seconds(boost::json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v)
        return std::nullopt;
    if (v->is_int64())
        return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_double() && v->get_double() > -1e15 && v->get_double() < 1e15)
        return static_cast<std::int64_t>(v->get_double());
    return std::nullopt;
}

GAPI_DECL std::string json_string(boost::json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

GAPI_DECL std::optional<boost::json::object> decode_jwt_part(std::string_view part) {
    auto const bytes = decode_base64_any(part);
    if (!bytes)
        return std::nullopt;
    boost::system::error_code ec;
    auto value = boost::json::parse(*bytes, ec);
    if (ec || !value.is_object())
        return std::nullopt;
    return std::move(value.get_object());
}

inline constexpr std::string_view jwt_timeframe_error =
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your "
    "iat "
    "and exp values in the JWT claim.";

} // namespace detail::oauth

// ---- construction and configuration ------------------------------------------------

GAPI_DECL oauth_server::oauth_server(oauth_config config) : config_(std::move(config)), rng_(config_.seed) {
    namespace d = detail::oauth;
    d::evp_pkey_ptr key;
    if (config_.service_account_key_pem.empty()) {
        key.reset(EVP_RSA_gen(2048));
        if (!key)
            d::throw_openssl_error("EVP_RSA_gen");
    } else {
        key = d::load_rsa_private_key(config_.service_account_key_pem);
        // Kept once, normalised to PKCS#8, in private_key_pem_.
        config_.service_account_key_pem.clear();
    }
    private_key_pem_ = d::private_key_pem(key.get());
    public_key_der_ = d::public_key_der(key.get());
    // Google's key ids are 40 hex digits; a fingerprint keeps the id stable for a
    // key passed in from outside.
    private_key_id_ = d::hex(d::digest(EVP_sha1(), public_key_der_));

    // Service-account client ids are 21 decimal digits.
    service_account_client_id_ = "1";
    for (int i = 0; i < 20; ++i)
        service_account_client_id_.push_back(static_cast<char>('0' + rng_() % 10));

    for (auto const& user : config_.users)
        preissued_[user] = issue_refresh_token(user, d::all_api_scopes(), config_.client_id);
}

GAPI_DECL void oauth_server::set_base_url(std::string base_url) {
    while (!base_url.empty() && base_url.back() == '/')
        base_url.pop_back();
    base_url_ = std::move(base_url);
}

GAPI_DECL std::string oauth_server::base_or(std::string_view path, std::string_view google_url) const {
    if (base_url_.empty())
        return std::string(google_url);
    return base_url_ + std::string(path);
}

GAPI_DECL std::string oauth_server::token_uri() const {
    return base_or("/token", detail::oauth::google_token_uri);
}

GAPI_DECL std::string oauth_server::auth_uri() const {
    return base_or("/o/oauth2/auth", detail::oauth::google_auth_uri);
}

GAPI_DECL std::string oauth_server::revoke_uri() const {
    return base_or("/revoke", detail::oauth::google_revoke_uri);
}

GAPI_DECL std::string oauth_server::service_account_email() const {
    return config_.project_id + "@" + config_.project_id + ".iam.gserviceaccount.com";
}

GAPI_DECL std::string oauth_server::random_chars(std::size_t n) {
    // 64 symbols divide 2^64 evenly, so `% 64` is unbiased and, unlike the standard
    // distributions, gives the same strings with every standard library.
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(alphabet[rng_() % 64]);
    return out;
}

GAPI_DECL std::string oauth_server::issue_access_token(std::string const& email,
                                                       std::vector<std::string> const& scopes,
                                                       std::string const& client_id,
                                                       std::string const& refresh_token,
                                                       clock_type::time_point now) {
    auto token = "ya29.a0" + random_chars(120);
    access_tokens_[token] = access_grant{principal{email, scopes, client_id}, now + config_.token_ttl, refresh_token};
    return token;
}

GAPI_DECL std::string oauth_server::issue_refresh_token(std::string const& email,
                                                        std::vector<std::string> const& scopes,
                                                        std::string const& client_id) {
    auto token = "1//0" + random_chars(99);
    refresh_tokens_[token] = refresh_grant{email, scopes, client_id};
    return token;
}

GAPI_DECL void oauth_server::revoke_grant(std::string const& refresh_token) {
    refresh_tokens_.erase(refresh_token);
    std::erase_if(access_tokens_, [&](auto const& kv) { return kv.second.refresh_token == refresh_token; });
}

// ---- authorization endpoint -------------------------------------------------------------

GAPI_DECL api_response oauth_server::authorize(api_request const& req) {
    namespace d = detail::oauth;
    if (req.method != verb::get && req.method != verb::head) {
        api_response res;
        res.status = 405;
        res.headers.set(boost::beast::http::field::allow, "GET");
        return res;
    }
    std::erase_if(codes_, [&](auto const& kv) { return kv.second.expires_at <= req.now; });
    auto param = [&](std::string_view key) { return query_param(req.url, key).value_or(std::string()); };

    auto const client_id = param("client_id");
    if (client_id.empty())
        return d::error_page("invalid_request", "Missing required parameter: client_id");
    if (client_id != config_.client_id)
        return d::error_page("invalid_client", "The OAuth client was not found.");

    auto const redirect_uri = param("redirect_uri");
    if (redirect_uri.empty())
        return d::error_page("invalid_request", "Missing required parameter: redirect_uri");
    if (!d::is_loopback_redirect(redirect_uri))
        return d::error_page("redirect_uri_mismatch",
                             "The redirect URI in the request, " + redirect_uri +
                                 ", does not match the ones authorized for the OAuth client.");

    auto const response_type = param("response_type");
    if (response_type.empty())
        return d::error_page("invalid_request", "Missing required parameter: response_type");
    if (response_type != "code")
        return d::error_page("unsupported_response_type", "Invalid response_type: " + response_type);

    auto const scopes = d::split_scopes(param("scope"));
    if (scopes.empty())
        return d::error_page("invalid_request", "Missing required parameter: scope");
    std::vector<std::string> invalid;
    for (auto const& s : scopes)
        if (!d::is_known_scope(s))
            invalid.push_back(s);
    if (!invalid.empty())
        return d::error_page("invalid_scope", d::invalid_scopes_description(invalid));

    auto const challenge = param("code_challenge");
    auto method = param("code_challenge_method");
    if (!challenge.empty()) {
        // RFC 7636 §4.3: the method defaults to plain.
        if (method.empty())
            method = "plain";
        if (method != "S256" && method != "plain")
            return d::error_page("invalid_request", "Invalid code_challenge_method: " + method);
        if (!d::is_pkce_string(challenge) || (method == "S256" && !d::is_base64url(challenge)))
            return d::error_page("invalid_request", "Invalid code_challenge.");
    }

    auto const state = query_param(req.url, "state");
    std::string location = redirect_uri;
    if (!consent_ || config_.users.empty()) {
        d::append_query(location, "error", "access_denied");
        if (state)
            d::append_query(location, "state", *state);
        return d::redirect(std::move(location));
    }

    auto const hint = param("login_hint");
    auto const user = detail::oauth::contains(config_.users, hint) ? hint : config_.users.front();
    auto code = "4/0A" + random_chars(70);
    codes_[code] = code_grant{client_id,
                              redirect_uri,
                              scopes,
                              user,
                              challenge,
                              challenge.empty() ? std::string() : method,
                              param("access_type") == "offline",
                              req.now + std::chrono::minutes(10)};

    // Google's order: state first, then code and scope; it adds authuser and prompt,
    // which clients must ignore.
    if (state)
        d::append_query(location, "state", *state);
    d::append_query(location, "code", code);
    d::append_query(location, "scope", d::join(scopes, " "));
    d::append_query(location, "authuser", "0");
    d::append_query(location, "prompt", "consent");
    return d::redirect(std::move(location));
}

// ---- token endpoint ------------------------------------------------------------------------

GAPI_DECL api_response oauth_server::token(api_request const& req) {
    namespace d = detail::oauth;
    if (req.method != verb::post) {
        api_response res;
        res.status = 405;
        res.headers.set(boost::beast::http::field::allow, "POST");
        ++counts_.failed;
        return res;
    }
    // Expired grants are indistinguishable from unknown ones, so they can go.
    std::erase_if(access_tokens_, [&](auto const& kv) { return kv.second.expires_at <= req.now; });
    std::erase_if(codes_, [&](auto const& kv) { return kv.second.expires_at <= req.now; });

    auto response = [&]() -> api_response {
        auto form = d::parse_body(req);
        if (!form)
            return d::token_error(400, "invalid_request", "Invalid request body.");
        auto const grant_type = d::field(*form, "grant_type");
        if (grant_type.empty())
            return d::token_error(400, "invalid_request", "Missing required parameter: grant_type");
        if (grant_type == "urn:ietf:params:oauth:grant-type:jwt-bearer")
            return token_jwt_bearer(*form, req.now);
        if (grant_type != "authorization_code" && grant_type != "refresh_token")
            return d::token_error(400, "unsupported_grant_type", "Invalid grant_type: " + grant_type);

        // Google takes the client's credentials from the form (AuthStyleInParams);
        // HTTP Basic is accepted as well.
        auto client_id = d::field(*form, "client_id");
        auto client_secret = d::field(*form, "client_secret");
        if (client_id.empty()) {
            if (auto basic = d::basic_credentials(req.headers)) {
                client_id = std::move(basic->first);
                if (client_secret.empty())
                    client_secret = std::move(basic->second);
            }
        }
        if (client_id.empty())
            return d::token_error(400, "invalid_request", "Could not determine client ID from request.");
        if (client_id != config_.client_id)
            return d::token_error(401, "invalid_client", "The OAuth client was not found.");
        if (client_secret.empty())
            return d::token_error(400, "invalid_request", "client_secret is missing.");
        if (client_secret != config_.client_secret)
            return d::token_error(401, "invalid_client", "Unauthorized");

        if (grant_type == "authorization_code")
            return token_authorization_code(*form, client_id, req.now);
        return token_refresh(*form, client_id, req.now);
    }();
    if (response.status != 200)
        ++counts_.failed;
    return response;
}

GAPI_DECL api_response oauth_server::token_authorization_code(form_fields const& form,
                                                              std::string const& client_id,
                                                              clock_type::time_point now) {
    namespace d = detail::oauth;
    auto const code = d::field(form, "code");
    if (code.empty())
        return d::token_error(400, "invalid_request", "Missing required parameter: code");
    if (!code.starts_with("4/"))
        return d::token_error(400, "invalid_grant", "Malformed auth code.");
    auto const it = codes_.find(code);
    if (it == codes_.end() || it->second.expires_at <= now || it->second.client_id != client_id)
        return d::token_error(400, "invalid_grant", "Bad Request");
    auto const& grant = it->second;

    auto const redirect_uri = d::field(form, "redirect_uri");
    if (redirect_uri.empty())
        return d::token_error(400, "invalid_request", "Missing required parameter: redirect_uri");
    if (redirect_uri != grant.redirect_uri)
        return d::token_error(400, "redirect_uri_mismatch", "Bad Request");

    auto const verifier = d::field(form, "code_verifier");
    if (grant.code_challenge.empty()) {
        if (!verifier.empty())
            return d::token_error(400, "invalid_grant", "code_verifier or verifier is not needed.");
    } else {
        if (verifier.empty())
            return d::token_error(400, "invalid_grant", "Missing code verifier.");
        auto const expected = grant.code_challenge_method == "S256"
                                  ? encode_base64url(d::digest(EVP_sha256(), verifier))
                                  : verifier;
        if (!d::is_pkce_string(verifier) || expected != grant.code_challenge)
            return d::token_error(400, "invalid_grant", "Invalid code verifier.");
    }

    // Single use: the code is gone once it has been redeemed.
    auto const spent = std::move(it->second);
    codes_.erase(it);
    std::string refresh_token;
    if (spent.offline)
        refresh_token = issue_refresh_token(spent.email, spent.scopes, spent.client_id);
    auto const access_token =
        issue_access_token(spent.email, spent.scopes, spent.client_id, refresh_token, now);
    ++counts_.authorization_code;

    boost::json::object body;
    body["access_token"] = access_token;
    body["expires_in"] = config_.token_ttl.count() - 1;
    if (!refresh_token.empty())
        body["refresh_token"] = refresh_token;
    body["scope"] = d::join(spent.scopes, " ");
    body["token_type"] = "Bearer";
    return d::token_success(body);
}

GAPI_DECL api_response oauth_server::token_refresh(form_fields const& form, std::string const& client_id,
                                                   clock_type::time_point now) {
    namespace d = detail::oauth;
    auto const refresh_token = d::field(form, "refresh_token");
    if (refresh_token.empty())
        return d::token_error(400, "invalid_request", "Missing required parameter: refresh_token");
    auto const it = refresh_tokens_.find(refresh_token);
    if (it == refresh_tokens_.end())
        return d::token_error(400, "invalid_grant", "Token has been expired or revoked.");
    auto const& grant = it->second;
    if (grant.client_id != client_id)
        return d::token_error(401, "unauthorized_client", "Unauthorized");

    auto scopes = grant.scopes;
    if (auto const requested = d::split_scopes(d::field(form, "scope")); !requested.empty()) {
        std::vector<std::string> invalid;
        for (auto const& s : requested)
            if (!d::contains(grant.scopes, s))
                invalid.push_back(s);
        if (!invalid.empty())
            return d::token_error(400, "invalid_scope", d::invalid_scopes_description(invalid));
        scopes = requested;
    }
    auto const access_token = issue_access_token(grant.email, scopes, grant.client_id, refresh_token, now);
    ++counts_.refresh_token;

    boost::json::object body;
    body["access_token"] = access_token;
    body["expires_in"] = config_.token_ttl.count() - 1;
    body["scope"] = d::join(scopes, " ");
    body["token_type"] = "Bearer";
    return d::token_success(body);
}

GAPI_DECL api_response oauth_server::token_jwt_bearer(form_fields const& form, clock_type::time_point now) {
    namespace d = detail::oauth;
    auto const assertion = d::field(form, "assertion");
    if (assertion.empty())
        return d::token_error(400, "invalid_request", "Missing required parameter: assertion");

    std::string_view const jwt = assertion;
    auto const dot1 = jwt.find('.');
    auto const dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || jwt.find('.', dot2 + 1) != std::string_view::npos)
        return d::token_error(400, "invalid_grant", "Invalid JWT: Malformed assertion.");
    auto const header = d::decode_jwt_part(jwt.substr(0, dot1));
    auto const claims = d::decode_jwt_part(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
    auto const signature = decode_base64_any(jwt.substr(dot2 + 1));
    if (!header || !claims || !signature)
        return d::token_error(400, "invalid_grant", "Invalid JWT: Malformed assertion.");

    if (d::json_string(*claims, "iss") != service_account_email())
        return d::token_error(400, "invalid_grant", "Invalid grant: account not found");
    // A key id other than ours means a rotated or foreign key: the signature cannot
    // be ours either.
    auto const* kid = header->if_contains("kid");
    if (d::json_string(*header, "alg") != "RS256" ||
        (kid && (!kid->is_string() || kid->get_string() != private_key_id_)) ||
        !d::verify_rs256(public_key_der_, jwt.substr(0, dot2), *signature))
        return d::token_error(400, "invalid_grant", "Invalid JWT Signature.");

    auto const aud = d::json_string(*claims, "aud");
    bool const aud_ok =
        aud == d::google_token_uri || aud == "https://accounts.google.com/o/oauth2/token" ||
        aud == "https://www.googleapis.com/oauth2/v4/token" ||
        (!base_url_.empty() && (aud == base_url_ + "/token" || aud == base_url_ + "/o/oauth2/token" ||
                                aud == base_url_ + "/oauth2/v4/token"));
    if (!aud_ok)
        return d::token_error(400, "invalid_grant", "Invalid JWT: Failed audience check.");

    auto const iat = d::json_seconds(*claims, "iat");
    auto const exp = d::json_seconds(*claims, "exp");
    auto const now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (!iat || !exp || *exp <= *iat || *exp - *iat > 3600 || *iat > now_s + 300 || *exp <= now_s)
        return d::token_error(400, "invalid_grant", d::jwt_timeframe_error);

    auto const scopes = d::split_scopes(d::json_string(*claims, "scope"));
    if (scopes.empty() ||
        !std::all_of(scopes.begin(), scopes.end(), [](auto const& s) { return d::is_known_scope(s); }))
        return d::token_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");

    auto email = service_account_email();
    if (auto const* sub = claims->if_contains("sub")) {
        std::string const user = sub->is_string() ? std::string(sub->get_string()) : std::string();
        auto const at = user.rfind('@');
        bool const delegable = at != std::string::npos &&
                               d::iequals(user.substr(at + 1), config_.workspace_domain) &&
                               d::contains(config_.users, user);
        if (!delegable)
            return d::token_error(
                401, "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client not "
                "authorized for any of the scopes requested.");
        email = user;
    }

    auto const access_token = issue_access_token(email, scopes, service_account_client_id_, {}, now);
    ++counts_.jwt_bearer;
    boost::json::object body;
    body["access_token"] = access_token;
    body["expires_in"] = config_.token_ttl.count() - 1;
    body["token_type"] = "Bearer";
    return d::token_success(body);
}

// ---- revocation ------------------------------------------------------------------------------

GAPI_DECL api_response oauth_server::revoke(api_request const& req) {
    namespace d = detail::oauth;
    std::string token;
    if (auto form = d::parse_body(req))
        token = d::field(*form, "token");
    if (token.empty())
        token = query_param(req.url, "token").value_or(std::string());
    if (token.empty())
        return d::token_error(400, "invalid_request", "Missing required parameter: token");

    if (auto it = access_tokens_.find(token); it != access_tokens_.end() && it->second.expires_at > req.now) {
        // Google: revoking an access token revokes the grant behind it, refresh token included.
        if (it->second.refresh_token.empty())
            access_tokens_.erase(it);
        else
            revoke_grant(std::string(it->second.refresh_token));
    } else if (refresh_tokens_.contains(token)) {
        revoke_grant(token);
    } else {
        return d::token_error(400, "invalid_token", "Token expired or revoked");
    }
    ++counts_.revocations;
    return d::token_success(boost::json::object{});
}

// ---- API authentication ---------------------------------------------------------------------------

GAPI_DECL std::variant<principal const*, api_response> oauth_server::authenticate(api_request const& req) const {
    namespace d = detail::oauth;
    std::string decoded;
    auto const token = d::presented_token(req, decoded);
    if (!token)
        return d::credentials_missing(req.url);
    auto const it = access_tokens_.find(*token);
    if (token->empty() || it == access_tokens_.end() || it->second.expires_at <= req.now)
        return d::invalid_credentials();
    return &it->second.who;
}

GAPI_DECL api_response
oauth_server::insufficient_scope(std::span<std::string_view const> accepted_scopes) const {
    namespace d = detail::oauth;
    boost::json::object item{
        {"message", "Insufficient Permission"}, {"domain", "global"}, {"reason", "insufficientPermissions"}};
    boost::json::object error{
        {"code", 403},
        {"message", "Request had insufficient authentication scopes."},
        {"errors", boost::json::array{std::move(item)}},
        {"status", "PERMISSION_DENIED"},
        {"details", boost::json::array{d::error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT", {})}}};
    auto res = json_response(403, boost::json::object{{"error", std::move(error)}});
    std::string scopes;
    for (auto s : accepted_scopes) {
        if (!scopes.empty())
            scopes += ' ';
        scopes += s;
    }
    res.headers.set(boost::beast::http::field::www_authenticate,
                    std::string(d::realm) + ", error=\"insufficient_scope\", scope=\"" + scopes + "\"");
    return res;
}

// ---- test controls -------------------------------------------------------------------------------

GAPI_DECL void oauth_server::set_consent(bool approve) {
    consent_ = approve;
}

GAPI_DECL void oauth_server::revoke_access_tokens(std::string const& email) {
    std::erase_if(access_tokens_, [&](auto const& kv) { return kv.second.who.email == email; });
}

GAPI_DECL void oauth_server::revoke_refresh_tokens(std::string const& email) {
    std::erase_if(refresh_tokens_, [&](auto const& kv) { return kv.second.email == email; });
}

// ---- credential files -------------------------------------------------------------------------------

GAPI_DECL boost::json::object oauth_server::client_secret_json() const {
    boost::json::object installed;
    installed["client_id"] = config_.client_id;
    installed["project_id"] = config_.project_id;
    installed["auth_uri"] = auth_uri();
    installed["token_uri"] = token_uri();
    installed["auth_provider_x509_cert_url"] = base_or("/oauth2/v1/certs", detail::oauth::google_certs_uri);
    installed["client_secret"] = config_.client_secret;
    installed["redirect_uris"] = boost::json::array{"http://localhost"};
    return boost::json::object{{"installed", std::move(installed)}};
}

GAPI_DECL boost::json::object oauth_server::authorized_user_json(std::string const& email,
                                                                 clock_type::time_point now) {
    auto const pre = preissued_.find(email);
    if (pre == preissued_.end())
        throw std::invalid_argument("gapi::emulator::oauth_server: unknown user");
    auto const scopes = detail::oauth::all_api_scopes();
    boost::json::object o;
    o["token"] = issue_access_token(email, scopes, config_.client_id, pre->second, now);
    o["refresh_token"] = pre->second;
    o["token_uri"] = token_uri();
    o["client_id"] = config_.client_id;
    o["client_secret"] = config_.client_secret;
    boost::json::array list;
    for (auto const& s : scopes)
        list.emplace_back(s);
    o["scopes"] = std::move(list);
    o["universe_domain"] = "googleapis.com";
    o["account"] = "";
    // What google-auth would have stored: receipt time plus expires_in.
    o["expiry"] = detail::oauth::python_expiry(now + config_.token_ttl - std::chrono::seconds(1));
    return o;
}

GAPI_DECL boost::json::object oauth_server::service_account_json() const {
    auto const email = service_account_email();
    std::string escaped = email;
    if (auto const at = escaped.find('@'); at != std::string::npos)
        escaped.replace(at, 1, "%40");
    boost::json::object o;
    o["type"] = "service_account";
    o["project_id"] = config_.project_id;
    o["private_key_id"] = private_key_id_;
    o["private_key"] = private_key_pem_;
    o["client_email"] = email;
    o["client_id"] = service_account_client_id_;
    o["auth_uri"] = auth_uri();
    o["token_uri"] = token_uri();
    o["auth_provider_x509_cert_url"] = base_or("/oauth2/v1/certs", detail::oauth::google_certs_uri);
    o["client_x509_cert_url"] = base_or("/robot/v1/metadata/x509/" + escaped,
                                        std::string(detail::oauth::google_robot_certs_uri) + escaped);
    o["universe_domain"] = "googleapis.com";
    return o;
}

GAPI_DECL std::string oauth_server::refresh_token_of(std::string const& email) const {
    auto const it = preissued_.find(email);
    return it == preissued_.end() ? std::string() : it->second;
}

GAPI_DECL boost::json::object oauth_server::inspect_json() const {
    boost::json::object grants{{"authorization_code", counts_.authorization_code},
                               {"refresh_token", counts_.refresh_token},
                               {"jwt_bearer", counts_.jwt_bearer},
                               {"failed", counts_.failed},
                               {"revocations", counts_.revocations}};
    return boost::json::object{{"grants", std::move(grants)},
                               {"access_tokens", access_tokens_.size()},
                               {"refresh_tokens", refresh_tokens_.size()},
                               {"pending_codes", codes_.size()},
                               {"consent", consent_}};
}

} // namespace gapi::emulator

#endif
