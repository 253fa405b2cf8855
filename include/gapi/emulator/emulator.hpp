// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_EMULATOR_HPP
#define GAPI_EMULATOR_EMULATOR_HPP

#include <gapi/config.hpp>
#include <gapi/emulator/api.hpp>
#include <gapi/emulator/calendar_service.hpp>
#include <gapi/emulator/fault_injector.hpp>
#include <gapi/emulator/gmail_service.hpp>
#include <gapi/emulator/oauth_server.hpp>
#include <gapi/emulator/quota_model.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gapi::emulator {

/// How the emulator runs. Every member has a usable default: a plain-HTTP Google with
/// three users on an ephemeral port of 127.0.0.1, Google's real quotas, no faults.
struct emulator_options {
    unsigned short port = 0; ///< 0: any free port. The emulator listens on 127.0.0.1 only.
    bool tls = false;        ///< HTTPS with a CA generated at start (see `ca_certificate_pem`)
    std::size_t threads = 1; ///< threads serving connections; state is shared under one lock

    /// The built-in users; empty means user1@, user2@ and user3@ `workspace_domain`.
    std::vector<std::string> users;
    /// The domain of the default users, and the one whose users a service account may act
    /// for (domain-wide delegation).
    std::string workspace_domain = "example.com";

    /// Access-token lifetime.
    std::chrono::seconds token_ttl{3600};
    /// Google's quotas as the emulator enforces them.
    quota_options quota;
    /// Fault spec, see `fault_injector::parse`; throws std::invalid_argument when malformed.
    std::string faults;
    /// Seeds what is random (tokens, ids, the Calendar fixture, fault draws): the same seed
    /// gives the same values.
    std::uint64_t seed = 1;
    /// Calendar data loaded at construction; none by default.
    calendar_fixture calendar;
    /// Gmail's size limits.
    gmail_limits gmail;

    /// When set, `start` writes ready credential files there: `ca.pem` (with `tls`),
    /// `client_secret.json`, `token.json` (the first user), `token-<user>.json` for every
    /// user, and `service_account.json`.
    std::string state_dir;

    /// The emulator's notion of now; defaults to the system clock. Tests may steer it.
    std::function<clock_type::time_point()> clock;
};

/// One line of the request log.
struct logged_request {
    std::string method_id; ///< e.g. "gmail.users.messages.send", "oauth2.token", "batch.gmail"
    std::string verb;      ///< the HTTP method, e.g. "POST"
    std::string path;      ///< the path, without the query
    std::string upload_type; ///< the `uploadType` query parameter; empty when absent
    unsigned status = 0;   ///< 0 when the connection was reset instead of answered
    std::uint64_t connection = 0; ///< the connection's number, from 1 in the order accepted
    bool in_batch = false; ///< a part of a batch request
};

/// What the emulator saw, counted by the emulator itself.
struct request_counts {
    std::map<std::string, std::map<unsigned, std::size_t>, std::less<>> by_method; ///< id → status → calls
    std::size_t http_requests = 0;        ///< HTTP requests read (a batch is one)
    std::size_t connections_accepted = 0; ///< connections accepted since construction
    std::size_t connections_open = 0;     ///< connections open now
    std::size_t max_connections_open = 0; ///< the most open at once
    std::map<std::uint64_t, std::size_t> requests_per_connection; ///< connection number → HTTP requests
    std::size_t resets_injected = 0;    ///< connections reset by `reset` or `ambiguous` faults
    std::deque<logged_request> log;     ///< the most recent calls, oldest first

    /// Calls of a method, any status; resets count as status 0.
    GAPI_DECL std::size_t calls(std::string_view method_id) const;
    /// Calls of a method answered with `status` (0: the connection was reset).
    GAPI_DECL std::size_t calls(std::string_view method_id, unsigned status) const;
    /// The counters as `/_emulator/stats` shows them: httpRequests, connectionsAccepted,
    /// connectionsOpen, maxConnectionsOpen, resetsInjected, methods (id → status → calls)
    /// and requestsPerConnection; not the log.
    GAPI_DECL boost::json::object to_json() const;
};

/// Everything the emulator knows, guarded by one lock (see `emulator::with_state`).
struct emulator_state {
    oauth_server oauth;        ///< OAuth 2.0: clients, users, tokens
    gmail_service gmail;       ///< every user's mailbox
    calendar_service calendar; ///< every calendar and calendar list
    quota_model quota;         ///< what each user and the project have spent
    fault_injector faults;     ///< the fault rules in force (`/_emulator/faults` replaces them)
    request_counts counts;     ///< what the emulator saw
};

/// A local Google: OAuth 2.0, Gmail v1, Calendar v3 and batch endpoints speaking
/// Google's wire format, with Google's quota model, error bodies and injected faults.
/// Embeddable in tests (start, use `base_url()`, inspect, stop) and run as the
/// `gapi-emulator` program.
///
/// Thread safety: all members may be called from any thread.
class emulator {
public:
    /// Builds the users, services and state without listening yet (see `start`). Throws
    /// std::invalid_argument for a malformed `options.faults`.
    GAPI_DECL explicit emulator(emulator_options options = {});
    GAPI_DECL ~emulator();
    emulator(emulator const&) = delete;
    emulator& operator=(emulator const&) = delete;

    /// Binds 127.0.0.1:port, writes the state directory and starts serving on the
    /// emulator's own threads. Throws on failure.
    GAPI_DECL void start();
    /// Closes the listener and every connection and joins the threads.
    GAPI_DECL void stop();

    GAPI_DECL std::string base_url() const; ///< `http://127.0.0.1:PORT` or `https://...`
    /// The port listened on; 0 before the first `start`. A restart keeps it.
    GAPI_DECL unsigned short port() const;
    /// The CA that signed the TLS certificate (PEM); empty without TLS.
    GAPI_DECL std::string const& ca_certificate_pem() const;
    /// The built-in users' addresses (`emulator_options::users`, or the three defaults).
    GAPI_DECL std::vector<std::string> const& users() const;
    /// The options it was made with.
    GAPI_DECL emulator_options const& options() const;

    /// Runs `f(state)` under the state lock: the way to inspect and steer the emulator.
    template <class F>
    decltype(auto) with_state(F&& f) {
        std::lock_guard<std::mutex> lock(mutex());
        return std::forward<F>(f)(state());
    }

    /// A copy of the counters.
    GAPI_DECL request_counts counts();

    struct impl;

private:
    GAPI_DECL std::mutex& mutex();
    GAPI_DECL emulator_state& state();
    std::unique_ptr<impl> impl_;
};

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/emulator.ipp>
#endif

#endif
