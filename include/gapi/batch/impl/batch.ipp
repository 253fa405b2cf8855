// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_BATCH_IMPL_BATCH_IPP
#define GAPI_BATCH_IMPL_BATCH_IPP

#include <gapi/batch/batch.hpp>
#include <gapi/detail/begins_with.hpp>
#include <gapi/http/url.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/url/parse_path.hpp>

#include <algorithm>
#include <iterator>

namespace gapi::batch::detail {

// What a batch of sends learns from Gmail that the client must know.
struct client_access {
    // Whether Gmail refused a send for the user's daily sending limit (counted as a stop).
    static bool is_daily_limit(client& c, std::optional<error_details> const& refusal) {
        if (!refusal || !pipeline::is_daily_limit(*refusal, c.timing_.wall_now()))
            return false;
        ++c.counters_.daily_limit_stops;
        return true;
    }
    // The client holds back `user`'s sends as after a send of its own.
    static void hold_back_sends(client& c, std::string const& user, std::optional<error_details> const& refusal) {
        c.hold_back_sends("batch.gmail", user, refusal);
    }
};

// Whose mailbox a Gmail request acts on: the {userId} of its path (users/{userId}/...);
// empty when there is none.
inline std::string gmail_user_of(http::request const& r) {
    auto const segments = boost::urls::parse_path(http::request_path(r));
    if (!segments)
        return {};
    for (auto it = segments->begin(); it != segments->end(); ++it)
        if ((*it).decode() == "users" && std::next(it) != segments->end())
            return (*std::next(it)).decode();
    return {};
}

GAPI_DECL std::optional<batch_target> target_of(std::vector<http::request> const& calls) {
    if (calls.empty())
        return std::nullopt;
    batch_target t;
    bool const calendar = pipeline::is_calendar_method(calls.front().method_id);
    t.method_id = calendar ? "batch.calendar" : "batch.gmail";
    t.limit = calendar ? 1000 : 100;
    t.advised = calendar ? 100 : 50;
    auto const origin = http::origin_of(calls.front().url);
    if (!origin)
        return std::nullopt;
    for (auto const& c : calls) {
        auto const o = http::origin_of(c.url);
        bool const is_calendar = pipeline::is_calendar_method(c.method_id);
        if (!o || o->to_string() != origin->to_string() || is_calendar != calendar ||
            !(is_calendar || gapi::detail::begins_with(c.method_id, "gmail.")) ||
            gapi::detail::begins_with(http::request_path(c), "/upload/") || !http::has_valid_target(c) ||
            !http::has_valid_fields(c))
            return std::nullopt;
    }
    return t;
}

// One batch request for calls [first, last): through the pipeline, then split.
inline boost::asio::awaitable<std::pair<error_code, std::vector<result>>>
send_one(client& c, batch_target const& target, std::vector<http::request> const& calls, std::size_t first,
         std::size_t last) {
    std::vector<http::request const*> requests;
    for (std::size_t i = first; i < last; ++i)
        requests.push_back(&calls[i]);
    pipeline::call call;
    call.request = std::make_shared<http::request>(pipeline::batch_request(requests));
    call.traits.method_id = target.method_id;
    call.traits.quota_units = call.request->quota_units;
    call.traits.idempotent = call.request->replay_on_stale_connection;
    // A batch that carries a send is a send of its (first) sender's: that user's daily-limit
    // guard stops it at home, and no option makes it idempotent.
    auto const first_send = std::find_if(requests.begin(), requests.end(), [](http::request const* r) {
        return pipeline::is_send_method(r->method_id);
    });
    if (first_send != requests.end()) {
        call.traits.sends_mail = true;
        call.traits.quota_key = gmail_user_of(**first_send);
    }
    auto answers = pipeline::batch_answers(co_await c.perform(std::move(call)), last - first);
    std::vector<result> results;
    results.reserve(answers.size());
    std::vector<std::string> held_back;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        auto& a = answers[i];
        // A send refused for the daily limit holds back its user's later sends. (A part
        // already marked was refused at home, with the whole batch.)
        if (a.ec != api_error::daily_limit_reached && pipeline::is_send_method(requests[i]->method_id) &&
            client_access::is_daily_limit(c, a.details)) {
            a.ec = api_error::daily_limit_reached;
            auto user = gmail_user_of(*requests[i]);
            if (std::find(held_back.begin(), held_back.end(), user) == held_back.end()) {
                client_access::hold_back_sends(c, user.empty() ? "me" : user, a.details);
                held_back.push_back(std::move(user));
            }
        }
        results.push_back({a.ec, std::move(a.response), std::move(a.details)});
    }
    co_return std::pair{error_code{}, std::move(results)};
}

GAPI_DECL boost::asio::awaitable<std::pair<error_code, std::vector<result>>>
run_all(client& c, std::vector<http::request> calls, run_options options) {
    if (calls.empty())
        co_return std::pair{error_code{}, std::vector<result>{}};
    auto const target = target_of(calls);
    if (!target)
        co_return std::pair{make_error_code(error::not_batchable), std::vector<result>{}};
    std::size_t const per_batch =
        std::clamp<std::size_t>(options.max_per_batch ? options.max_per_batch : target->advised, 1, target->limit);
    std::size_t const batches = (calls.size() + per_batch - 1) / per_batch;
    gapi::detail::indexed_operation<std::vector<result>> const one = [&](std::size_t b) {
        return send_one(c, *target, calls, b * per_batch, std::min(calls.size(), (b + 1) * per_batch));
    };
    auto answers = co_await gapi::detail::run_bounded<std::vector<result>>(batches, options.concurrency, one);
    std::vector<result> all;
    all.reserve(calls.size());
    for (std::size_t b = 0; b < batches; ++b) {
        auto& [ec, part] = answers[b];
        if (ec) { // never started (cancelled)
            std::size_t const n = std::min(calls.size(), (b + 1) * per_batch) - b * per_batch;
            for (std::size_t i = 0; i < n; ++i)
                all.push_back({ec, {}, std::nullopt});
            continue;
        }
        std::move(part.begin(), part.end(), std::back_inserter(all));
    }
    co_return std::pair{error_code{}, std::move(all)};
}

} // namespace gapi::batch::detail

#endif
