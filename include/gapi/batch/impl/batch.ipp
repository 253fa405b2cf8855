// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_BATCH_IMPL_BATCH_IPP
#define GAPI_BATCH_IMPL_BATCH_IPP

#include <gapi/batch/batch.hpp>
#include <gapi/http/url.hpp>

#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <map>

namespace gapi::batch::detail {

GAPI_DECL std::optional<batch_target> target_of(std::vector<http::request> const& calls) {
    if (calls.empty())
        return std::nullopt;
    batch_target t;
    bool const calendar = calls.front().method_id.starts_with("calendar.");
    t.method_id = calendar ? "batch.calendar" : "batch.gmail";
    t.limit = calendar ? 1000 : 100;
    t.advised = calendar ? 100 : 50;
    auto const origin = http::origin_of(calls.front().url);
    if (!origin)
        return std::nullopt;
    for (auto const& c : calls) {
        auto const o = http::origin_of(c.url);
        if (!o || o->to_string() != origin->to_string() || c.method_id.starts_with("calendar.") != calendar ||
            !(c.method_id.starts_with("gmail.") || c.method_id.starts_with("calendar.")) ||
            c.url.encoded_path().starts_with("/upload/"))
            return std::nullopt;
    }
    t.url = origin->to_string() + (calendar ? "/batch/calendar/v3" : "/batch/gmail/v1");
    return t;
}

// One batch request for calls [first, last): through the pipeline, then split.
inline boost::asio::awaitable<std::pair<error_code, std::vector<result>>>
send_one(client& c, batch_target const& target, std::vector<http::request> const& calls, std::size_t first,
         std::size_t last) {
    std::vector<part_request> parts;
    unsigned units = 0;
    bool idempotent = true;
    for (std::size_t i = first; i < last; ++i) {
        parts.push_back({"item-" + std::to_string(i - first), &calls[i]});
        units += calls[i].quota_units;
        idempotent = idempotent && calls[i].replay_on_stale_connection;
    }
    auto envelope = std::make_shared<http::request>();
    envelope->method = http::verb::post;
    envelope->url = boost::urls::url(target.url);
    auto const boundary = make_boundary(parts);
    envelope->headers.set(boost::beast::http::field::content_type, "multipart/mixed; boundary=" + boundary);
    envelope->body = encode_request(parts, boundary);
    envelope->method_id = target.method_id;
    envelope->quota_units = units;
    envelope->replay_on_stale_connection = idempotent;

    pipeline::call call;
    call.request = std::move(envelope);
    call.traits.method_id = target.method_id;
    call.traits.quota_units = units;
    call.traits.idempotent = idempotent;
    auto o = co_await c.perform(std::move(call));

    std::vector<result> results(last - first);
    if (o.ec || o.response.status / 100 != 2) {
        for (auto& r : results) // the batch failed as a whole: so did each of its calls
            r = {o.ec ? o.ec : error_code(error::malformed_response), o.response, o.details};
        co_return std::pair{error_code{}, std::move(results)};
    }
    auto decoded = decode_response(o.response);
    if (!decoded) {
        for (auto& r : results)
            r.ec = decoded.error();
        co_return std::pair{error_code{}, std::move(results)};
    }
    std::map<std::string, http::response*> by_id;
    for (auto& p : *decoded)
        by_id[p.content_id] = &p.response;
    for (std::size_t i = 0; i < results.size(); ++i) {
        auto const found = by_id.find("item-" + std::to_string(i));
        if (found == by_id.end()) {
            results[i].ec = error::malformed_response; // Google left this call unanswered
            continue;
        }
        results[i].response = std::move(*found->second);
        if (results[i].response.status / 100 != 2) {
            results[i].details = parse_error_details(results[i].response);
            results[i].ec = to_error_code(*results[i].details);
        }
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
