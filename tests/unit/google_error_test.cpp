// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/google_error.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

using gapi::api_error;
using gapi::condition;
using gapi::error_code;
using namespace std::chrono_literals;

namespace {

gapi::http::response answer(unsigned status, std::string body) {
    gapi::http::response res;
    res.status = status;
    res.body = std::move(body);
    return res;
}

} // namespace

BOOST_AUTO_TEST_SUITE(google_errors)

BOOST_AUTO_TEST_CASE(gmail_rate_limit_with_its_retry_hint) {
    auto const d = gapi::parse_error_details(answer(
        429, R"({"error":{"code":429,"message":"User-rate limit exceeded.  Retry after 2026-05-01T10:00:04.001Z",)"
             R"("errors":[{"message":"x","domain":"global","reason":"rateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}})"));
    BOOST_TEST(d.http_status == 429u);
    BOOST_TEST(d.reason == "rateLimitExceeded");
    BOOST_TEST(d.status == "RESOURCE_EXHAUSTED");
    BOOST_TEST(d.domain == "global");
    BOOST_TEST_REQUIRE(d.retry_after.has_value());
    using namespace std::chrono;
    BOOST_TEST((*d.retry_after == sys_days(2026y / May / 1) + 10h + 4s + 1ms));
    error_code const ec = gapi::to_error_code(d);
    BOOST_TEST(ec == api_error::rate_limited);
    BOOST_TEST(ec == condition::rate_limited);
    BOOST_TEST(ec == condition::retryable);
    BOOST_TEST(ec != condition::quota_exceeded);
}

BOOST_AUTO_TEST_CASE(forbidden_is_split_by_reason) {
    auto code_for = [](std::string reason) {
        return gapi::to_error_code(gapi::parse_error_details(
            answer(403, R"({"error":{"code":403,"message":"m","errors":[{"domain":"usageLimits","reason":")" + reason +
                            R"("}]}})")));
    };
    BOOST_TEST(code_for("userRateLimitExceeded") == condition::rate_limited);
    BOOST_TEST(code_for("rateLimitExceeded") == condition::rate_limited);
    BOOST_TEST(code_for("dailyLimitExceeded") == condition::quota_exceeded);
    BOOST_TEST(code_for("quotaExceeded") == condition::quota_exceeded);
    BOOST_TEST(code_for("quotaExceeded") != condition::retryable);
    BOOST_TEST(code_for("insufficientPermissions") == api_error::permission_denied);
}

BOOST_AUTO_TEST_CASE(statuses_map_to_codes_and_conditions) {
    BOOST_TEST(gapi::to_error_code({.http_status = 404}) == condition::not_found);
    BOOST_TEST(gapi::to_error_code({.http_status = 401}) == condition::unauthenticated);
    BOOST_TEST(gapi::to_error_code({.http_status = 400}) == condition::invalid_argument);
    BOOST_TEST(gapi::to_error_code({.http_status = 409}) == api_error::conflict);
    BOOST_TEST(gapi::to_error_code({.http_status = 410}) == api_error::gone);
    BOOST_TEST(gapi::to_error_code({.http_status = 410, .reason = "fullSyncRequired"}) == api_error::full_sync_required);
    BOOST_TEST(gapi::to_error_code({.http_status = 500}) == condition::retryable);
    BOOST_TEST(gapi::to_error_code({.http_status = 503}) == condition::retryable);
    BOOST_TEST(gapi::to_error_code({.http_status = 418}) == api_error::unexpected_status);
    BOOST_TEST(gapi::to_error_code({.http_status = 404}) != condition::retryable);
}

BOOST_AUTO_TEST_CASE(malformed_bodies_and_retry_after_headers) {
    auto const d = gapi::parse_error_details(answer(503, "<html>Service Unavailable</html>"));
    BOOST_TEST(d.reason.empty());
    BOOST_TEST(d.message.empty());
    BOOST_TEST(gapi::to_error_code(d) == api_error::unavailable);

    auto res = answer(429, "{\"error\": 7}");
    res.headers.set("Retry-After", "30");
    auto const now = std::chrono::system_clock::now();
    auto const h = gapi::parse_error_details(res, now);
    BOOST_TEST_REQUIRE(h.retry_after.has_value());
    BOOST_TEST((*h.retry_after == now + 30s));

    auto const calendar = gapi::parse_error_details(
        answer(410, R"({"error":{"code":410,"message":"Sync token is no longer valid, a full sync is required.",)"
                    R"("errors":[{"domain":"calendar","reason":"fullSyncRequired","locationType":"parameter"}]}})"));
    BOOST_TEST(calendar.reason == "fullSyncRequired");
    BOOST_TEST(calendar.status.empty());
    BOOST_TEST(!calendar.retry_after.has_value());
}

BOOST_AUTO_TEST_CASE(transport_failures_before_the_request_are_retryable) {
    BOOST_TEST(error_code(gapi::error::connect_timeout) == condition::retryable);
    BOOST_TEST(error_code(boost::asio::error::connection_refused) == condition::retryable);
    BOOST_TEST(error_code(gapi::error::connection_closed) != condition::retryable); // may have been processed
    BOOST_TEST(error_code(gapi::error::request_timeout) != condition::retryable);
    BOOST_TEST(error_code(gapi::error::truncated_response) != condition::retryable);
}

// The bodies and hints below are copied from Google's answers as quoted in
// shared/reference/google-api-facts.md (§2.5), not produced by the emulator's writer, so
// the client and the emulator cannot share a mistake here.
BOOST_AUTO_TEST_CASE(googles_quoted_answers_are_read_as_google_meant_them) {
    using namespace std::chrono;
    // Gmail's mailbox and sending limits: two spaces before "Retry", sometimes a suffix.
    for (std::string const message : {"User-rate limit exceeded.  Retry after 2023-03-07T18:03:15.961Z",
                                      "User-rate limit exceeded.  Retry after 2023-03-07T18:03:15.961Z (Forwarding rules)"}) {
        for (unsigned status : {429u, 403u}) {
            auto const d = gapi::parse_error_details(answer(
                status, R"({"error":{"code":)" + std::to_string(status) + R"(,"message":")" + message +
                            R"(","errors":[{"message":")" + message +
                            R"(","domain":"usageLimits","reason":"rateLimitExceeded"}]}})"));
            BOOST_TEST_REQUIRE(d.retry_after.has_value(), message);
            BOOST_TEST((*d.retry_after == sys_days(2023y / March / 7) + 18h + 3min + 15s + 961ms), message);
            BOOST_TEST(d.reason == "rateLimitExceeded");
            BOOST_TEST(d.message == message);
            BOOST_TEST(gapi::to_error_code(d) == condition::rate_limited);
        }
    }

    // §2.5, the Gmail error body (elie222/inbox-zero#379).
    auto const exhausted = gapi::parse_error_details(answer(429, R"({"error": {"code": 429,
  "message": "Resource has been exhausted (e.g. check quota).",
  "errors": [{"message": "Resource has been exhausted (e.g. check quota).",
              "domain": "global", "reason": "rateLimitExceeded"}],
  "status": "RESOURCE_EXHAUSTED"}})"));
    BOOST_TEST(exhausted.http_status == 429u);
    BOOST_TEST(exhausted.message == "Resource has been exhausted (e.g. check quota).");
    BOOST_TEST(exhausted.reason == "rateLimitExceeded");
    BOOST_TEST(exhausted.domain == "global");
    BOOST_TEST(exhausted.status == "RESOURCE_EXHAUSTED");
    BOOST_TEST(!exhausted.retry_after.has_value());
    BOOST_TEST(gapi::to_error_code(exhausted) == api_error::rate_limited);

    // §2.5, an expired or bad token.
    auto const invalid = gapi::parse_error_details(answer(
        401, R"({"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, )"
             R"(login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",)"
             R"("errors":[{"message":"Invalid Credentials","domain":"global","reason":"authError","location":"Authorization",)"
             R"("locationType":"header"}],"status":"UNAUTHENTICATED"}})"));
    BOOST_TEST(invalid.reason == "authError");
    BOOST_TEST(invalid.status == "UNAUTHENTICATED");
    BOOST_TEST(gapi::to_error_code(invalid) == condition::unauthenticated);

    // §2.5, a token without the scope, and the reasons of Gmail's other 403s.
    auto const scope = gapi::parse_error_details(answer(
        403, R"({"error":{"code":403,"message":"Request had insufficient authentication scopes.",)"
             R"("errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],)"
             R"("status":"PERMISSION_DENIED"}})"));
    BOOST_TEST(scope.reason == "insufficientPermissions");
    BOOST_TEST(gapi::to_error_code(scope) == api_error::permission_denied);
    BOOST_TEST(gapi::to_error_code(scope) != condition::retryable);
    auto const daily = gapi::parse_error_details(answer(
        403, R"({"error":{"code":403,"message":"Daily Limit Exceeded","errors":[{"message":"Daily Limit Exceeded",)"
             R"("domain":"usageLimits","reason":"dailyLimitExceeded"}]}})"));
    BOOST_TEST(gapi::to_error_code(daily) == condition::quota_exceeded);
    BOOST_TEST(gapi::to_error_code(daily) != condition::retryable);
    auto const concurrent = gapi::parse_error_details(answer(
        429, R"({"error":{"code":429,"message":"Too many concurrent requests for user.","errors":[{"message":)"
             R"("Too many concurrent requests for user.","domain":"global","reason":"rateLimitExceeded"}],)"
             R"("status":"RESOURCE_EXHAUSTED"}})"));
    BOOST_TEST(gapi::to_error_code(concurrent) == condition::rate_limited);
    auto const backend = gapi::parse_error_details(answer(
        500, R"({"error":{"code":500,"message":"Backend Error","errors":[{"message":"Backend Error","domain":"global",)"
             R"("reason":"backendError"}],"status":"INTERNAL"}})"));
    BOOST_TEST(gapi::to_error_code(backend) == condition::retryable);
}

BOOST_AUTO_TEST_SUITE_END()
