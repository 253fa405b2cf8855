// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_IMPL_EMULATOR_IPP
#define GAPI_EMULATOR_IMPL_EMULATOR_IPP

#include <gapi/emulator/batch_codec.hpp>
#include <gapi/emulator/certificate_authority.hpp>
#include <gapi/emulator/discovery_methods.hpp>
#include <gapi/emulator/emulator.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace gapi::emulator {

namespace detail::server {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_logged_requests = 10'000;
// Uploads may reach 35 MiB; a JSON `raw` of that size is base64url inside JSON.
constexpr std::size_t max_request_body = 64 * 1024 * 1024;

/// What the server does with one HTTP request.
struct outcome {
    api_response response;
    bool reset = false; ///< reset the connection instead of answering
    std::chrono::milliseconds delay{0};
    std::vector<std::string> concurrency_users; ///< in-flight slots to give back after answering
    std::string method_id;
};

inline bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

inline bool has_any_scope(std::vector<std::string> const& granted, std::span<std::string_view const> accepted) {
    for (auto const& g : granted)
        for (auto a : accepted)
            if (g == a)
                return true;
    return false;
}

inline api_response not_found() {
    return error_response(
        {.code = 404, .message = "Requested entity was not found.", .reason = "notFound", .status = "NOT_FOUND"});
}

// The discovery method a request names, when the emulator has no route for it: the one
// with this HTTP method whose path template matches with the most literal segments
// (".../messages/batchModify" before ".../messages/{id}").
inline discovery_method const* discovery_method_for(verb method, boost::urls::url const& url) {
    std::vector<std::string> segs;
    for (auto const& s : boost::urls::url_view(url).segments())
        segs.emplace_back(s);
    auto literal_matches = [&](std::string_view tmpl) -> int {
        int literals = 0;
        std::size_t i = 0;
        for (std::size_t pos = 0; pos <= tmpl.size(); ++i) {
            auto const end = std::min(tmpl.find('/', pos), tmpl.size());
            auto const t = tmpl.substr(pos, end - pos);
            pos = end + 1;
            if (i >= segs.size())
                return -1;
            std::string_view const seg = segs[i];
            if (t.starts_with('{')) {
                auto const close = t.find('}');
                auto const suffix = t.substr(close + 1); // a custom verb: "{id}:disable"
                if (seg.size() <= suffix.size() || !seg.ends_with(suffix))
                    return -1;
            } else if (t == seg) {
                ++literals;
            } else {
                return -1;
            }
        }
        return i == segs.size() ? literals : -1;
    };
    discovery_method const* best = nullptr;
    int best_literals = -1;
    for (auto const& m : discovery_methods) {
        if (m.http_method != boost::beast::http::to_string(method))
            continue;
        for (auto tmpl : {m.path, m.upload_path}) {
            if (tmpl.empty())
                continue;
            if (auto const n = literal_matches(tmpl); n > best_literals) {
                best = &m;
                best_literals = n;
            }
        }
    }
    return best;
}

// A real method of Google's API that the emulator does not serve: say so, instead of
// a 404 that would read as "no such message".
inline api_response not_emulated(discovery_method const& m) {
    return error_response({.code = 501,
                           .message = "gapi-emulator does not emulate " + std::string(m.id) +
                                      " (a method of Google's API; docs/guide.md lists what the emulator serves).",
                           .reason = "notImplemented",
                           .status = "UNIMPLEMENTED"});
}

inline api_response unrouted(api_request const& req, std::string& method_id) {
    if (auto const* known = discovery_method_for(req.method, req.url)) {
        method_id = std::string(known->id);
        return not_emulated(*known);
    }
    method_id = "unknown";
    return not_found();
}

inline void write_file(std::filesystem::path const& path, std::string const& content, bool secret) {
    auto const temp = path.string() + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("gapi-emulator: cannot write " + temp);
        out << content;
        if (!out.flush())
            throw std::runtime_error("gapi-emulator: cannot write " + temp);
    }
    if (secret)
        std::filesystem::permissions(temp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::filesystem::rename(temp, path);
}

inline std::string pretty(boost::json::value const& v) { return boost::json::serialize(v) + "\n"; }

// The Date header (IMF-fixdate), formatted once a second per thread.
inline std::string const& http_date() {
    thread_local std::time_t cached_second = -1;
    thread_local std::string cached;
    std::time_t const now = std::time(nullptr);
    if (now != cached_second) {
        std::tm utc{};
        gmtime_r(&now, &utc);
        char text[64];
        std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
        cached = text;
        cached_second = now;
    }
    return cached;
}

} // namespace detail::server

GAPI_DECL std::size_t request_counts::calls(std::string_view method_id) const {
    auto it = by_method.find(method_id);
    if (it == by_method.end())
        return 0;
    std::size_t n = 0;
    for (auto const& [status, count] : it->second)
        n += count;
    return n;
}

GAPI_DECL std::size_t request_counts::calls(std::string_view method_id, unsigned status) const {
    auto it = by_method.find(method_id);
    if (it == by_method.end())
        return 0;
    auto s = it->second.find(status);
    return s == it->second.end() ? 0 : s->second;
}

GAPI_DECL boost::json::object request_counts::to_json() const {
    boost::json::object methods;
    for (auto const& [id, statuses] : by_method) {
        boost::json::object by_status;
        for (auto const& [status, count] : statuses)
            by_status[std::to_string(status)] = count;
        methods[id] = std::move(by_status);
    }
    boost::json::object connections;
    for (auto const& [id, count] : requests_per_connection)
        connections[std::to_string(id)] = count;
    return {{"httpRequests", http_requests},
            {"connectionsAccepted", connections_accepted},
            {"connectionsOpen", connections_open},
            {"maxConnectionsOpen", max_connections_open},
            {"resetsInjected", resets_injected},
            {"methods", std::move(methods)},
            {"requestsPerConnection", std::move(connections)}};
}

struct emulator::impl {
    using tcp = detail::server::tcp;

    emulator_options options;
    std::vector<std::string> users;
    std::mutex mutex;
    emulator_state state;
    // Recreated by each start: destroying the io_context after stop is what ends the
    // sessions still waiting on their sockets, and closes those sockets.
    std::unique_ptr<boost::asio::io_context> ioc;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::optional<boost::asio::ssl::context> tls;
    std::string ca_pem;
    std::string base_url;
    unsigned short port = 0;
    std::vector<std::thread> threads;
    std::uint64_t connections_numbered = 0;
    bool running = false;

    static std::vector<std::string> default_users(emulator_options const& o) {
        if (!o.users.empty())
            return o.users;
        return {"user1@" + o.workspace_domain, "user2@" + o.workspace_domain, "user3@" + o.workspace_domain};
    }

    static std::vector<fault_rule> parse_faults(std::string const& spec) {
        auto rules = fault_injector::parse(spec);
        if (!rules)
            throw std::invalid_argument("gapi-emulator: malformed fault spec: " + spec);
        return *rules;
    }

    explicit impl(emulator_options o)
        : options(std::move(o)), users(default_users(options)),
          state{.oauth = oauth_server(oauth_config{.users = users,
                                                   .workspace_domain = options.workspace_domain,
                                                   .token_ttl = options.token_ttl,
                                                   .seed = options.seed}),
                .gmail = gmail_service(users, options.gmail, options.seed),
                .calendar = calendar_service(users, options.seed),
                .quota = quota_model(options.quota),
                .faults = fault_injector(parse_faults(options.faults), options.seed),
                .counts = {}} {
        if (options.calendar.calendars > 0 || options.calendar.events_per_calendar > 0)
            state.calendar.load_fixture(options.calendar, now());
    }

    clock_type::time_point now() const { return options.clock ? options.clock() : clock_type::now(); }

    // ---- routing (under the lock) ------------------------------------------------

    void log_call(std::string_view method_id, api_request const& req, unsigned status, std::uint64_t connection,
                  bool in_batch) {
        auto& counts = state.counts;
        auto by_method = counts.by_method.find(method_id);
        if (by_method == counts.by_method.end())
            by_method = counts.by_method.emplace(std::string(method_id), std::map<unsigned, std::size_t>{}).first;
        ++by_method->second[status];
        // A full log recycles its oldest entry: assigning into its strings reuses their
        // memory, where new strings would cost an allocation each on every request.
        logged_request entry;
        if (counts.log.size() >= detail::server::max_logged_requests) {
            entry = std::move(counts.log.front());
            counts.log.pop_front();
        }
        entry.method_id.assign(method_id);
        entry.verb.assign(boost::beast::http::to_string(req.method));
        // Decoded; copied as it is when it holds no escape (almost always): decoding it
        // character by character built a temporary string first.
        if (std::string_view const encoded = req.url.encoded_path(); encoded.find('%') == std::string_view::npos) {
            entry.path.assign(encoded);
        } else {
            auto const path = *req.url.encoded_path(); // decoded as it is read
            entry.path.assign(path.begin(), path.end());
        }
        entry.upload_type.clear();
        if (auto upload_type = query_param(req.url, "uploadType"))
            entry.upload_type.assign(*upload_type);
        entry.status = status;
        entry.connection = connection;
        entry.in_batch = in_batch;
        counts.log.push_back(std::move(entry));
    }

    // One Gmail or Calendar call: authentication, scopes, concurrency, quota, faults,
    // then the service. Batch parts take the same path.
    api_response api_call(matched_call const& call, api_request const& req, detail::server::outcome& out,
                          fault_kind& fault) {
        method_info const& m = *call.method;
        // The fault is drawn first, by call number, so that a seed gives the same faults
        // whatever the quota, which depends on timing, decides.
        std::chrono::milliseconds delay{0};
        fault = state.faults.next(m.id, delay);
        static principal const nobody; // the calls that need no token (resumable upload sessions)
        principal const* who = &nobody;
        if (!m.scopes.empty()) {
            auto auth = state.oauth.authenticate(req);
            if (auto* refusal = std::get_if<api_response>(&auth)) {
                fault = fault_kind::none;
                return std::move(*refusal);
            }
            who = std::get<principal const*>(auth);
            if (!detail::server::has_any_scope(who->scopes, m.scopes)) {
                fault = fault_kind::none;
                return state.oauth.insufficient_scope(m.scopes);
            }
            if (state.quota.enter(m, who->email))
                out.concurrency_users.push_back(who->email);
            auto refusal = state.quota.check_concurrency(m, who->email);
            if (!refusal)
                refusal = state.quota.charge(m, who->email, req.now);
            if (refusal) {
                fault = fault_kind::none;
                return std::move(*refusal);
            }
        }
        switch (fault) {
        case fault_kind::internal_error:
        case fault_kind::unavailable:
        case fault_kind::rate_limited: return fault_injector::response_for(fault);
        case fault_kind::reset: return {};
        case fault_kind::slow: out.delay = std::max(out.delay, delay); break;
        case fault_kind::none:
        case fault_kind::ambiguous: break;
        }
        auto res = m.family == api_family::gmail ? state.gmail.handle(call, req, *who)
                                                 : state.calendar.handle(call, req, *who);
        if (m.sends_mail && res.status / 100 == 2)
            state.quota.record_send(who->email, req.now);
        return res;
    }

    void give_back_locked(std::vector<std::string>& concurrency_users) {
        for (auto const& u : concurrency_users)
            state.quota.leave(u);
        concurrency_users.clear();
    }

    std::optional<matched_call> match(api_request const& req) const {
        if (auto call = state.gmail.match(req.method, req.url))
            return call;
        return state.calendar.match(req.method, req.url);
    }

    void route(api_request& req, std::uint64_t connection, detail::server::outcome& out) {
        using detail::server::starts_with;
        std::string_view const path = req.url.encoded_path();

        if (starts_with(path, "/_emulator/")) {
            out.method_id = "emulator.admin";
            out.response = admin(req, path.substr(11));
        } else if (path == "/o/oauth2/auth" || path == "/o/oauth2/v2/auth") {
            out.method_id = "oauth2.authorize";
            out.response = state.oauth.authorize(req);
        } else if (path == "/token" || path == "/o/oauth2/token" || path == "/oauth2/v4/token") {
            out.method_id = "oauth2.token";
            std::chrono::milliseconds delay{0};
            auto const fault = state.faults.next(out.method_id, delay);
            if (fault == fault_kind::reset) {
                out.reset = true;
            } else if (fault == fault_kind::internal_error || fault == fault_kind::unavailable ||
                       fault == fault_kind::rate_limited) {
                out.response = fault_injector::response_for(fault);
            } else {
                out.response = state.oauth.token(req);
                out.reset = fault == fault_kind::ambiguous;
                if (fault == fault_kind::slow)
                    out.delay = delay;
            }
        } else if (path == "/revoke" || path == "/o/oauth2/revoke") {
            out.method_id = "oauth2.revoke";
            out.response = state.oauth.revoke(req);
        } else if (path == "/batch" || path == "/batch/gmail/v1" || path == "/batch/calendar/v3") {
            bool const calendar = path == "/batch/calendar/v3";
            out.method_id = calendar ? "batch.calendar" : "batch.gmail";
            out.response = batch(req, calendar, connection, out);
        } else if (auto call = match(req)) {
            out.method_id = std::string(call->method->id);
            fault_kind fault = fault_kind::none;
            out.response = api_call(*call, req, out, fault);
            out.reset = fault == fault_kind::reset || fault == fault_kind::ambiguous;
        } else {
            out.response = detail::server::unrouted(req, out.method_id);
        }
        // Services name places (resumable upload sessions) by path; clients need URLs.
        if (auto location = out.response.headers.find(boost::beast::http::field::location);
            location != out.response.headers.end() && location->value().starts_with("/"))
            out.response.headers.set(boost::beast::http::field::location, base_url + std::string(location->value()));
        log_call(out.method_id, req, out.reset ? 0 : out.response.status, connection, false);
        if (out.reset)
            ++state.counts.resets_injected;
    }

    api_response batch(api_request const& outer, bool calendar, std::uint64_t connection,
                       detail::server::outcome& out) {
        if (outer.method != verb::post)
            return error_response({.code = 405,
                                   .message = "Batch requests must use POST.",
                                   .reason = "badRequest",
                                   .status = "INVALID_ARGUMENT"});
        auto parsed = parse_batch_request(outer);
        if (auto* message = std::get_if<std::string>(&parsed))
            return error_response(
                {.code = 400, .message = *message, .reason = "badRequest", .status = "INVALID_ARGUMENT"});
        auto& parts = std::get<std::vector<batch_part>>(parsed);
        std::size_t const limit = calendar ? 1000 : 100;
        if (parts.size() > limit)
            return error_response({.code = 400,
                                   .message = "Too many requests in batch: " + std::to_string(parts.size()) +
                                              " (limit " + std::to_string(limit) + ").",
                                   .reason = "badRequest",
                                   .status = "INVALID_ARGUMENT"});
        std::vector<batch_part_response> responses;
        responses.reserve(parts.size());
        for (auto& part : parts) {
            batch_part_response r;
            r.content_id = part.content_id;
            auto call = match(part.request);
            bool const right_api =
                call && (call->method->family == api_family::calendar) == calendar && !call->method->scopes.empty();
            std::string unrouted_id;
            std::string_view method_id = call ? call->method->id : std::string_view(); // else unrouted's
            if (!call) {
                r.response = detail::server::unrouted(part.request, unrouted_id);
                method_id = unrouted_id;
            } else if (!right_api) {
                r.response = detail::server::not_found();
            } else {
                // Parts run one after another here, so each holds its in-flight slot
                // only for its own call.
                detail::server::outcome part_out;
                fault_kind fault = fault_kind::none;
                r.response = api_call(*call, part.request, part_out, fault);
                give_back_locked(part_out.concurrency_users);
                out.delay = std::max(out.delay, part_out.delay);
                // A part cannot reset the connection on its own: it fails with 503,
                // after the call was applied in the ambiguous case.
                if (fault == fault_kind::reset || fault == fault_kind::ambiguous)
                    r.response = fault_injector::response_for(fault_kind::unavailable);
            }
            log_call(method_id, part.request, r.response.status, connection, true);
            responses.push_back(std::move(r));
        }
        static constexpr std::string_view boundary_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        std::string boundary = "batch_";
        std::uint64_t h = state.counts.http_requests * 0x9e3779b97f4a7c15ULL + options.seed;
        for (int i = 0; i < 20; ++i) {
            boundary += boundary_chars[h % boundary_chars.size()];
            h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        }
        api_response res;
        res.status = 200;
        res.headers.set(boost::beast::http::field::content_type, "multipart/mixed; boundary=" + boundary);
        res.body = serialize_batch_response(responses, boundary);
        return res;
    }

    api_response admin(api_request const& req, std::string_view what) {
        auto const user = query_param(req.url, "user").value_or(users.front());
        auto const flag = [&](std::string_view key) {
            auto v = query_param(req.url, key).value_or("true");
            return v == "true" || v == "1";
        };
        if (what == "stats") {
            auto o = state.counts.to_json();
            o["oauth"] = state.oauth.inspect_json();
            return json_response(200, o);
        }
        if (what == "log") {
            boost::json::array entries;
            for (auto const& e : state.counts.log)
                entries.push_back({{"method", e.method_id},
                                   {"verb", e.verb},
                                   {"path", e.path},
                                   {"uploadType", e.upload_type},
                                   {"status", e.status},
                                   {"connection", e.connection},
                                   {"inBatch", e.in_batch}});
            return json_response(200, boost::json::object{{"requests", std::move(entries)}});
        }
        if (what == "users") {
            boost::json::array list;
            for (auto const& u : users)
                list.emplace_back(u);
            return json_response(200, boost::json::object{{"users", std::move(list)}});
        }
        if (what == "gmail")
            return json_response(200, state.gmail.inspect_json(user));
        if (what == "calendar")
            return json_response(200, state.calendar.inspect_json());
        if (req.method != verb::post)
            return detail::server::not_found();
        if (what == "revoke") {
            state.oauth.revoke_access_tokens(user);
            return json_response(200, boost::json::object{});
        }
        if (what == "consent") {
            state.oauth.set_consent(flag("approve"));
            return json_response(200, boost::json::object{});
        }
        if (what == "quota") {
            state.quota.set_enabled(flag("enabled"));
            return json_response(200, boost::json::object{});
        }
        if (what == "faults") {
            auto rules = fault_injector::parse(query_param(req.url, "spec").value_or(""));
            if (!rules)
                return error_response({.code = 400, .message = "malformed fault spec", .reason = "badRequest"});
            state.faults = fault_injector(std::move(*rules), options.seed);
            return json_response(200, boost::json::object{});
        }
        if (what == "sync-tokens/invalidate") {
            state.calendar.invalidate_sync_tokens();
            return json_response(200, boost::json::object{});
        }
        return detail::server::not_found();
    }

    // ---- I/O ------------------------------------------------------------------

    void give_back(std::vector<std::string>& concurrency_users) {
        if (concurrency_users.empty())
            return;
        std::lock_guard lock(mutex);
        give_back_locked(concurrency_users);
    }

    boost::asio::awaitable<void> accept_loop() {
        namespace asio = boost::asio;
        for (;;) {
            auto [ec, socket] = co_await acceptor->async_accept(detail::server::use_tuple);
            if (ec == asio::error::operation_aborted || !acceptor->is_open())
                co_return;
            if (ec)
                continue;
            std::uint64_t number;
            {
                std::lock_guard lock(mutex);
                number = ++connections_numbered;
                auto& counts = state.counts;
                ++counts.connections_accepted;
                ++counts.connections_open;
                counts.max_connections_open = std::max(counts.max_connections_open, counts.connections_open);
            }
            asio::co_spawn(acceptor->get_executor(), session(std::move(socket), number), asio::detached);
        }
    }

    boost::asio::awaitable<void> session(tcp::socket socket, std::uint64_t number) {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (tls) {
            boost::asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls);
            auto [ec] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server,
                                                        detail::server::use_tuple);
            if (!ec)
                co_await serve(stream, stream.next_layer(), number);
        } else {
            co_await serve(socket, socket, number);
        }
        std::lock_guard lock(mutex);
        --state.counts.connections_open;
    }

    template <class Stream>
    boost::asio::awaitable<void> serve(Stream& stream, tcp::socket& socket, std::uint64_t number) {
        namespace asio = boost::asio;
        namespace bhttp = detail::server::bhttp;
        using detail::server::use_tuple;
        boost::beast::flat_buffer buffer;
        // Beast reads at most the buffer's free capacity at a time: a batch of 50 parts came
        // in ~14 reads (and as many trips through the scheduler) with the default size.
        buffer.reserve(64 * 1024);
        for (;;) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.body_limit(detail::server::max_request_body);
            parser.header_limit(64 * 1024);
            auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
            if (hec) {
                // A peer that spoke something other than HTTP hears why before the close.
                if (hec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                    hec != bhttp::error::end_of_stream && hec != bhttp::error::partial_message) {
                    bool const too_big = hec == bhttp::error::header_limit;
                    bhttp::response<bhttp::string_body> res{
                        too_big ? bhttp::status::request_header_fields_too_large : bhttp::status::bad_request, 11};
                    res.keep_alive(false);
                    res.prepare_payload();
                    co_await bhttp::async_write(stream, res, use_tuple);
                }
                co_return;
            }
            // curl and others wait for this before sending a larger body.
            auto const expect = parser.get()[bhttp::field::expect];
            if (expect.size() == 12 && (expect == "100-continue" || expect == "100-Continue")) {
                static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                auto [cec, cn] = co_await asio::async_write(stream, asio::buffer(go_on), use_tuple);
                if (cec)
                    co_return;
            }
            auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
            if (ec == bhttp::error::body_limit) {
                bhttp::response<bhttp::string_body> res{bhttp::status::payload_too_large, 11};
                res.set(bhttp::field::content_type, "application/json; charset=UTF-8");
                res.body() = error_response({.code = 413,
                                             .message = "Request payload too large.",
                                             .reason = "badRequest",
                                             .status = "INVALID_ARGUMENT"})
                                 .body;
                res.keep_alive(false);
                res.prepare_payload();
                co_await bhttp::async_write(stream, res, use_tuple);
                co_return;
            }
            if (ec)
                co_return;
            auto& msg = parser.get();
            bool const keep_alive = msg.keep_alive();
            unsigned const version = msg.version();
            detail::server::outcome out;
            if (auto url = boost::urls::parse_origin_form(msg.target()); !url) {
                out.response = error_response({.code = 400, .message = "Invalid request target.", .reason = "badRequest"});
            } else {
                api_request req;
                req.method = msg.method();
                req.url = *url;
                req.headers = std::move(static_cast<fields&>(msg.base()));
                req.body = std::move(msg.body());
                std::lock_guard lock(mutex);
                ++state.counts.http_requests;
                ++state.counts.requests_per_connection[number];
                req.now = now();
                try {
                    route(req, number, out);
                } catch (std::exception const&) {
                    // A bug in a service must cost one request, not the whole emulator;
                    // the in-flight slots taken so far are still given back below.
                    out.reset = false;
                    out.delay = {};
                    out.response = fault_injector::response_for(fault_kind::internal_error);
                }
            }
            if (out.delay.count() > 0) {
                asio::steady_timer timer(socket.get_executor(), out.delay);
                co_await timer.async_wait(use_tuple);
            }
            if (out.reset) {
                give_back(out.concurrency_users);
                boost::system::error_code ignored;
                socket.set_option(asio::socket_base::linger(true, 0), ignored);
                socket.close(ignored);
                co_return;
            }
            bhttp::response<bhttp::string_body> res;
            static_cast<fields&>(res.base()) = std::move(out.response.headers); // no copy of each field
            res.result(static_cast<bhttp::status>(out.response.status));
            res.version(version);
            res.set(bhttp::field::date, detail::server::http_date());
            res.body() = std::move(out.response.body);
            res.keep_alive(keep_alive);
            res.prepare_payload();
            auto [wec, wn] = co_await bhttp::async_write(stream, res, use_tuple);
            give_back(out.concurrency_users);
            if (wec || !keep_alive)
                co_return;
        }
    }

    void write_state_dir() {
        namespace fs = std::filesystem;
        fs::path const dir = options.state_dir;
        fs::create_directories(dir);
        using detail::server::pretty;
        using detail::server::write_file;
        if (tls)
            write_file(dir / "ca.pem", ca_pem, false);
        write_file(dir / "client_secret.json", pretty(state.oauth.client_secret_json()), true);
        write_file(dir / "service_account.json", pretty(state.oauth.service_account_json()), true);
        auto const t = now();
        for (std::size_t i = 0; i < users.size(); ++i) {
            auto const token = pretty(state.oauth.authorized_user_json(users[i], t));
            if (i == 0)
                write_file(dir / "token.json", token, true);
            write_file(dir / ("token-" + users[i] + ".json"), token, true);
        }
    }
};

GAPI_DECL emulator::emulator(emulator_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

GAPI_DECL emulator::~emulator() { stop(); }

GAPI_DECL void emulator::start() {
    namespace asio = boost::asio;
    auto& i = *impl_;
    if (i.running)
        return;
    if (i.options.tls && !i.tls) {
        auto ca = certificate_authority::generate("gapi emulator CA");
        auto leaf = ca.issue_server_certificate({"localhost"}, {"127.0.0.1", "::1"});
        i.tls.emplace(asio::ssl::context::tls_server);
        i.tls->use_certificate_chain(asio::buffer(leaf.certificate_pem));
        i.tls->use_private_key(asio::buffer(leaf.private_key_pem), asio::ssl::context::pem);
        i.ca_pem = ca.certificate_pem();
    }
    i.ioc = std::make_unique<asio::io_context>();
    i.acceptor = std::make_unique<impl::tcp::acceptor>(*i.ioc);
    // A restart keeps the port it had, so that clients' URLs stay valid.
    impl::tcp::endpoint const endpoint(asio::ip::make_address("127.0.0.1"), i.port ? i.port : i.options.port);
    i.acceptor->open(endpoint.protocol());
    i.acceptor->set_option(impl::tcp::acceptor::reuse_address(true));
    i.acceptor->bind(endpoint);
    i.acceptor->listen(asio::socket_base::max_listen_connections);
    i.port = i.acceptor->local_endpoint().port();
    i.base_url = std::string(i.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(i.port);
    {
        std::lock_guard lock(i.mutex);
        i.state.oauth.set_base_url(i.base_url);
        if (!i.options.state_dir.empty())
            i.write_state_dir();
    }
    asio::co_spawn(*i.ioc, i.accept_loop(), asio::detached);
    i.running = true;
    for (std::size_t t = 0; t < std::max<std::size_t>(1, i.options.threads); ++t)
        i.threads.emplace_back([&ioc = *i.ioc] { ioc.run(); });
}

GAPI_DECL void emulator::stop() {
    auto& i = *impl_;
    if (!i.running)
        return;
    i.running = false;
    i.ioc->stop();
    for (auto& t : i.threads)
        t.join();
    i.threads.clear();
    // No thread runs the context now: closing and destroying is safe. Destroying the
    // context destroys the suspended sessions, whose sockets close with them.
    i.acceptor.reset();
    i.ioc.reset();
    std::lock_guard lock(i.mutex);
    i.state.counts.connections_open = 0;
}

GAPI_DECL std::string emulator::base_url() const { return impl_->base_url; }
GAPI_DECL unsigned short emulator::port() const { return impl_->port; }
GAPI_DECL std::string const& emulator::ca_certificate_pem() const { return impl_->ca_pem; }
GAPI_DECL std::vector<std::string> const& emulator::users() const { return impl_->users; }
GAPI_DECL emulator_options const& emulator::options() const { return impl_->options; }

GAPI_DECL request_counts emulator::counts() {
    std::lock_guard lock(impl_->mutex);
    return impl_->state.counts;
}

GAPI_DECL std::mutex& emulator::mutex() { return impl_->mutex; }
GAPI_DECL emulator_state& emulator::state() { return impl_->state; }

} // namespace gapi::emulator

#endif
