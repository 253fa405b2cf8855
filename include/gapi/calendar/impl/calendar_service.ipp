// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CALENDAR_IMPL_CALENDAR_SERVICE_IPP
#define GAPI_CALENDAR_IMPL_CALENDAR_SERVICE_IPP

#include <gapi/auth/detail/crypto.hpp>
#include <gapi/calendar/calendar_service.hpp>
#include <gapi/calendar/v3/methods.hpp>
#include <gapi/calendar/detail/requests.hpp>
#include <gapi/detail/bounded_concurrency.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>

namespace gapi::calendar {

GAPI_DECL v3::acl_resource calendar_service::acl() const {
    return v3::acl_resource{generated()};
}

GAPI_DECL v3::calendar_list_resource calendar_service::calendar_list() const {
    return v3::calendar_list_resource{generated()};
}

GAPI_DECL v3::calendars_resource calendar_service::calendars() const {
    return v3::calendars_resource{generated()};
}

GAPI_DECL v3::channels_resource calendar_service::channels() const {
    return v3::channels_resource{generated()};
}

GAPI_DECL v3::colors_resource calendar_service::colors() const {
    return v3::colors_resource{generated()};
}

GAPI_DECL v3::events_resource calendar_service::events() const {
    return v3::events_resource{generated()};
}

GAPI_DECL v3::freebusy_resource calendar_service::freebusy() const {
    return v3::freebusy_resource{generated()};
}

GAPI_DECL v3::settings_resource calendar_service::settings() const {
    return v3::settings_resource{generated()};
}

GAPI_DECL std::string new_event_id() {
    return auth::detail::random_string(32, "0123456789abcdefghijklmnopqrstuv");
}

GAPI_DECL calendar_service::calendar_service(client& c, calendar_options options)
    : client_(&c), options_(nullptr) {
    if (options.root.empty())
        options.root = c.endpoints().calendar;
    options_ = std::make_shared<calendar_options const>(std::move(options));
}

GAPI_DECL calendar_service::result<event_list> calendar_service::do_list_events(calendar_service self, std::string id,
                                                                               event_query query) {
    auto req = detail::list_events_request(self.options(), id, query);
    return gapi::detail::fetch<event_list>(self.context(), std::move(req));
}

GAPI_DECL calendar_service::result<event_list> calendar_service::do_list_all_events(calendar_service self,
                                                                                   std::string id, event_query query) {
    event_list all;
    for (;;) {
        auto [ec, page] = co_await do_list_events(self, id, query);
        if (ec)
            co_return std::pair{ec, std::move(all)};
        if (all.items.empty())
            all.items = std::move(page.items);
        else
            all.items.insert(all.items.end(), std::make_move_iterator(page.items.begin()),
                             std::make_move_iterator(page.items.end()));
        all.summary = std::move(page.summary);
        all.time_zone = std::move(page.time_zone);
        all.updated = std::move(page.updated);
        all.access_role = std::move(page.access_role);
        if (page.next_page_token.empty() || page.next_page_token == query.page_token) {
            all.next_sync_token = std::move(page.next_sync_token);
            co_return std::pair{error_code{}, std::move(all)};
        }
        query.page_token = std::move(page.next_page_token);
    }
}

GAPI_DECL calendar_service::result<sync_result> calendar_service::do_sync_events(calendar_service self, std::string id,
                                                                                std::string sync_token,
                                                                                event_query full_query) {
    if (!sync_token.empty()) {
        event_query incremental;
        incremental.max_results = full_query.max_results;
        incremental.single_events = full_query.single_events;
        incremental.sync_token = std::move(sync_token);
        auto [ec, changes] = co_await do_list_all_events(self, id, std::move(incremental));
        if (!ec)
            co_return std::pair{ec, sync_result{std::move(changes.items), std::move(changes.next_sync_token), false}};
        if (ec != api_error::full_sync_required)
            co_return std::pair{ec, sync_result{}};
    }
    full_query.sync_token.clear();
    full_query.page_token.clear();
    auto [ec, all] = co_await do_list_all_events(self, id, std::move(full_query));
    co_return std::pair{ec, sync_result{std::move(all.items), std::move(all.next_sync_token), true}};
}

GAPI_DECL calendar_service::operation<event> calendar_service::do_get_event(calendar_service const& self,
                                                                        std::string const& calendar_id,
                                                                        std::string const& event_id) {
    auto req = detail::get_event_request(self.options(), calendar_id, event_id);
    return gapi::detail::fetch_operation<event>(self.context(), std::move(req));
}

GAPI_DECL calendar_service::result<event> calendar_service::do_insert_event(calendar_service self,
                                                                           std::string calendar_id, event ev,
                                                                           send_updates notify) {
    auto req = detail::insert_event_request(self.options(), calendar_id, ev, notify);
    auto [ec, res] = co_await gapi::detail::call_api(self.context(), std::move(req));
    // A replayed insert whose earlier attempt may have landed finds its own id taken: that
    // is success. After attempts that provably did nothing (a 429, a 401), the id belongs
    // to another event and the conflict stands.
    if (ec == api_error::conflict && !ev.id.empty() && res.exchange.earlier_attempt_may_have_acted)
        co_return co_await gapi::detail::awaited(do_get_event(self, calendar_id, ev.id));
    if (ec)
        co_return std::pair{ec, event{}};
    co_return gapi::detail::read_resource<event>(res.body);
}

GAPI_DECL calendar_service::operation<event> calendar_service::do_patch_event(calendar_service self,
                                                                          std::string calendar_id, std::string event_id,
                                                                          boost::json::object changes,
                                                                          send_updates notify) {
    auto req = detail::modify_event_request(detail::events_patch, http::verb::patch, self.options(), calendar_id,
                                            event_id, changes, notify);
    return gapi::detail::fetch_operation<event>(self.context(), std::move(req));
}

GAPI_DECL calendar_service::operation<event> calendar_service::do_update_event(calendar_service self,
                                                                           std::string calendar_id, event ev,
                                                                           send_updates notify) {
    if (ev.id.empty())
        return gapi::detail::refused<event>(make_error_code(error::missing_id));
    auto req = detail::modify_event_request(detail::events_update, http::verb::put, self.options(), calendar_id, ev.id,
                                            boost::json::value_from(ev), notify);
    return gapi::detail::fetch_operation<event>(self.context(), std::move(req));
}

GAPI_DECL calendar_service::result<bool> calendar_service::do_delete_event(calendar_service self,
                                                                          std::string calendar_id, std::string event_id,
                                                                          send_updates notify) {
    auto req = detail::delete_event_request(self.options(), calendar_id, event_id, notify);
    auto [ec, res] = co_await gapi::detail::call_api(self.context(), std::move(req));
    // A replayed delete whose first attempt landed finds the event gone: that is success.
    if (ec == api_error::gone && res.exchange.earlier_attempt_may_have_acted)
        ec = {};
    co_return std::pair{ec, !ec};
}

GAPI_DECL calendar_service::result<calendar::calendar_list> calendar_service::do_list_calendars(calendar_service self,
                                                                                     std::string page_token,
                                                                                     std::size_t max_results) {
    auto req = detail::list_calendars_request(self.options(), page_token, max_results);
    return gapi::detail::fetch<calendar::calendar_list>(self.context(), std::move(req));
}

GAPI_DECL calendar_service::result<std::vector<calendar_list_entry>>
calendar_service::do_list_all_calendars(calendar_service self) {
    std::vector<calendar_list_entry> all;
    std::string page_token;
    for (;;) {
        auto [ec, page] = co_await do_list_calendars(self, page_token, 250);
        if (ec)
            co_return std::pair{ec, std::move(all)};
        all.insert(all.end(), std::make_move_iterator(page.items.begin()), std::make_move_iterator(page.items.end()));
        if (page.next_page_token.empty() || page.next_page_token == page_token)
            co_return std::pair{error_code{}, std::move(all)};
        page_token = std::move(page.next_page_token);
    }
}

GAPI_DECL calendar_service::result<freebusy_result> calendar_service::do_query_freebusy(calendar_service self,
                                                                                       freebusy_query query) {
    std::size_t const per_request = std::clamp<std::size_t>(query.calendars_per_request, 1, 50);
    std::size_t const chunks = (query.calendars.size() + per_request - 1) / per_request;
    gapi::detail::indexed_operation<freebusy_result> const ask = [&](std::size_t i) {
        auto req = detail::freebusy_request(self.options(), query, i * per_request,
                                            std::min(query.calendars.size(), (i + 1) * per_request));
        return gapi::detail::fetch<freebusy_result>(self.context(), std::move(req));
    };
    auto answers = co_await gapi::detail::run_bounded<freebusy_result>(chunks, self.options().concurrency, ask);

    freebusy_result merged{query.time_min, query.time_max, {}};
    error_code first_error;
    std::size_t failed = 0;
    for (std::size_t i = 0; i < chunks; ++i) {
        auto& [ec, answer] = answers[i];
        if (ec) {
            ++failed;
            if (!first_error)
                first_error = ec;
            for (std::size_t c = i * per_request; c < std::min(query.calendars.size(), (i + 1) * per_request); ++c)
                merged.calendars[query.calendars[c]].error = ec;
            continue;
        }
        merged.time_min = answer.time_min;
        merged.time_max = answer.time_max;
        for (auto& [id, busy] : answer.calendars)
            merged.calendars[id] = std::move(busy);
    }
    if (chunks > 0 && failed == chunks)
        co_return std::pair{first_error, std::move(merged)};
    co_return std::pair{error_code{}, std::move(merged)};
}

GAPI_DECL calendar_service::result<std::vector<calendar_result<event_list>>>
calendar_service::do_list_events_each(calendar_service self, std::vector<std::string> ids, event_query query) {
    gapi::detail::indexed_operation<event_list> const list = [&](std::size_t i) {
        return do_list_events(self, ids[i], query);
    };
    auto pages = co_await gapi::detail::run_bounded<event_list>(ids.size(), self.options().concurrency, list);
    std::vector<calendar_result<event_list>> out;
    out.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        out.push_back({std::move(ids[i]), pages[i].first, std::move(pages[i].second)});
    co_return std::pair{error_code{}, std::move(out)};
}

GAPI_DECL calendar_service::result<std::vector<event>> calendar_service::do_next_events(calendar_service self,
                                                                                      std::string id, event_query query,
                                                                                      std::size_t count) {
    std::vector<event> events;
    for (;;) {
        auto [ec, page] = co_await do_list_events(self, id, query);
        if (ec)
            co_return std::pair{ec, std::move(events)};
        for (auto& e : page.items)
            if (events.size() < count)
                events.push_back(std::move(e));
        if (events.size() >= count || page.next_page_token.empty() || page.next_page_token == query.page_token)
            co_return std::pair{error_code{}, std::move(events)};
        query.page_token = std::move(page.next_page_token);
    }
}

GAPI_DECL calendar_service::result<std::vector<calendar_result<std::vector<event>>>>
calendar_service::do_upcoming_events(calendar_service self, std::vector<std::string> ids, std::size_t count) {
    auto const& clock = self.options().clock;
    auto const query = detail::upcoming_query(count, clock ? clock() : std::chrono::system_clock::now());
    gapi::detail::indexed_operation<std::vector<event>> const next = [&](std::size_t i) {
        return do_next_events(self, ids[i], query, count);
    };
    auto lists = co_await gapi::detail::run_bounded<std::vector<event>>(ids.size(), self.options().concurrency, next);
    std::vector<calendar_result<std::vector<event>>> out;
    out.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        out.push_back({std::move(ids[i]), lists[i].first, std::move(lists[i].second)});
    co_return std::pair{error_code{}, std::move(out)};
}

GAPI_DECL http::request calendar_service::list_events_request(std::string const& calendar_id,
                                                            event_query const& query) const {
    return detail::list_events_request(*options_, calendar_id, query);
}
GAPI_DECL http::request calendar_service::get_event_request(std::string const& calendar_id,
                                                          std::string const& event_id) const {
    return detail::get_event_request(*options_, calendar_id, event_id);
}
GAPI_DECL http::request calendar_service::insert_event_request(std::string const& calendar_id, event const& ev,
                                                             send_updates notify) const {
    return detail::insert_event_request(*options_, calendar_id, ev, notify);
}
GAPI_DECL http::request calendar_service::delete_event_request(std::string const& calendar_id,
                                                             std::string const& event_id, send_updates notify) const {
    return detail::delete_event_request(*options_, calendar_id, event_id, notify);
}

} // namespace gapi::calendar

namespace gapi {

GAPI_DECL calendar::calendar_service client::calendar() { return calendar::calendar_service(*this); }

} // namespace gapi

#endif
