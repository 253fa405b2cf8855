// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/detail/api_call.hpp>
#include <gapi/http/url.hpp>

#include <boost/test/unit_test.hpp>
#include <boost/url/parse.hpp>

#include <string>
#include <vector>

using gapi::http::origin;
using gapi::http::parse_origin;
using gapi::http::scheme;

BOOST_AUTO_TEST_SUITE(url)

BOOST_AUTO_TEST_CASE(default_ports_follow_the_scheme) {
    auto https = parse_origin("https://gmail.googleapis.com/gmail/v1/users/me/profile");
    BOOST_TEST_REQUIRE(https.has_value());
    BOOST_TEST((https->scheme == scheme::https));
    BOOST_TEST(https->host == "gmail.googleapis.com");
    BOOST_TEST(https->port == 443);
    BOOST_TEST(https->host_header() == "gmail.googleapis.com");

    auto http = parse_origin("http://127.0.0.1/x");
    BOOST_TEST_REQUIRE(http.has_value());
    BOOST_TEST(http->port == 80);
    BOOST_TEST(http->to_string() == "http://127.0.0.1");
}

BOOST_AUTO_TEST_CASE(explicit_port_and_ipv6) {
    auto o = parse_origin("http://[::1]:8080/batch");
    BOOST_TEST_REQUIRE(o.has_value());
    BOOST_TEST(o->host == "::1");
    BOOST_TEST(o->port == 8080);
    BOOST_TEST(o->host_header() == "[::1]:8080");
    BOOST_TEST(o->to_string() == "http://[::1]:8080");
}

BOOST_AUTO_TEST_CASE(host_names_are_decoded_and_origins_compare_by_value) {
    auto a = parse_origin("https://www%2droot.example.com:443/a");
    auto b = parse_origin("https://www-root.example.com/b?c=d");
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(a->host == "www-root.example.com");
    BOOST_TEST((*a == *b));
    auto c = parse_origin("http://www-root.example.com:443/");
    BOOST_TEST((*a != *c));
}

BOOST_AUTO_TEST_CASE(bad_urls_are_typed_errors) {
    BOOST_TEST(parse_origin("not a url").error() == gapi::error::invalid_url);
    BOOST_TEST(parse_origin("/relative/path").error() == gapi::error::invalid_url);
    BOOST_TEST(parse_origin("ftp://example.com/").error() == gapi::error::unsupported_scheme);
    BOOST_TEST(parse_origin("http:///no-host").error() == gapi::error::invalid_url);
    BOOST_TEST(parse_origin("http://example.com:0/").error() == gapi::error::invalid_url);
    BOOST_TEST(parse_origin("http://example.com:99999/").error() == gapi::error::invalid_url);
    BOOST_TEST(parse_origin("http://example.com:/").error() == gapi::error::invalid_url);
    BOOST_TEST(parse_origin("ftp://example.com/").error() == gapi::condition::invalid_argument);
}

BOOST_AUTO_TEST_CASE(request_target_keeps_encoding_and_query) {
    auto url = boost::urls::parse_uri("https://h/gmail/v1/users/a%40b.com/messages?q=rfc822msgid%3A%3Cx%40y%3E&maxResults=5#frag");
    BOOST_TEST_REQUIRE(url.has_value());
    BOOST_TEST(gapi::http::request_target(*url) ==
               "/gmail/v1/users/a%40b.com/messages?q=rfc822msgid%3A%3Cx%40y%3E&maxResults=5");
    BOOST_TEST(gapi::http::request_target(boost::urls::parse_uri("http://h").value()) == "/");
    BOOST_TEST(gapi::http::request_target(boost::urls::parse_uri("http://h?x=1").value()) == "/?x=1");
}

// api_url writes the URL in one string; it must equal the URL Boost.URL builds segment by
// segment and parameter by parameter, for every byte and the segments that mean something.
namespace {
gapi::http::request request_to(gapi::detail::built_url url) {
    return gapi::detail::make_request({"test.method"}, gapi::http::verb::get, std::move(url));
}
} // namespace

BOOST_AUTO_TEST_CASE(api_urls_equal_the_ones_boost_url_builds_step_by_step) {
    std::vector<std::string> texts = {"", ".", "..", "a@b.com", "x#y", "a/b", "a b", "caf\xc3\xa9", "%41", "+&=?"};
    for (int c = 0; c < 256; ++c)
        texts.push_back(std::string(1, static_cast<char>(c)) + "z");
    for (std::string const root : {"https://gmail.googleapis.com", "http://127.0.0.1:8080/ignored/path"}) {
        for (auto const& text : texts) {
            boost::urls::url reference(boost::urls::parse_uri(root).value());
            reference.set_encoded_path("");
            for (std::string_view segment : {std::string_view("gmail"), std::string_view("v1"), std::string_view(text)})
                reference.segments().push_back(segment);
            gapi::http::append_query(reference, "format", text);
            gapi::http::append_query(reference, text, "minimal");
            auto const req = request_to(gapi::detail::api_url(root, {"gmail", "v1"}, {text}, {{"format", text}, {text, "minimal"}}));
            BOOST_TEST(gapi::http::absolute_url(req) == reference.buffer(), "for " << text);
            // The same from a prefix built before (as a service's messages.get has it).
            auto const prefix = gapi::detail::api_url(root, {"gmail"}, {"v1"});
            auto const from_prefix = request_to(gapi::detail::api_url(prefix, {text}, {{"format", text}, {text, "minimal"}}));
            BOOST_TEST(gapi::http::absolute_url(from_prefix) == reference.buffer(), "for " << text);
            BOOST_TEST(gapi::http::has_valid_target(req), "for " << text);
            BOOST_TEST(gapi::http::request_target(req) == gapi::http::request_target(reference), "for " << text);
            BOOST_TEST(req.url.buffer() == reference.encoded_origin(), "for " << text);
            // Both builders share one query encoder; Boost.URL's own decoding (which reads
            // a '+' as a space) must give the parameters back as they were written.
            auto const written = gapi::http::absolute_url(req); // the parsed view points into it
            auto const parsed = boost::urls::parse_uri(written).value();
            auto const params = parsed.params();
            BOOST_TEST_REQUIRE(params.size() == 2u, "for " << text);
            BOOST_TEST((*params.begin()).key == "format");
            BOOST_TEST((*params.begin()).value == text, "for " << text);
            BOOST_TEST((*std::next(params.begin())).key == text, "for " << text);
            BOOST_TEST((*std::next(params.begin())).value == "minimal");
        }
    }
    BOOST_TEST(gapi::http::absolute_url(request_to(gapi::detail::api_url("http://h:1", {"a"}, {}))) == "http://h:1/a");
    // A misconfigured root fails when the request is made, also right after a good root
    // (whose parsed origin is kept) and before the same good one again.
    for (std::string_view const bad : {"not a url", "/relative", "localhost:80", "", "http://", "http://a b"}) {
        BOOST_CHECK_THROW(request_to(gapi::detail::api_url(bad, {"a"}, {})), boost::system::system_error);
        BOOST_TEST(gapi::http::absolute_url(request_to(gapi::detail::api_url("http://h:1", {"a"}, {}))) == "http://h:1/a");
    }
    // Two roots in turn (both kept parsed), then three (one more than are kept), then a
    // root used again after another: each request goes to its own.
    std::string_view const gmail = "https://gmail.googleapis.com", calendar = "https://www.googleapis.com";
    for (auto const& order : std::vector<std::vector<std::string_view>>{{gmail, calendar, gmail, calendar},
                                                                        {gmail, calendar, "http://h:1", gmail},
                                                                        {gmail, calendar, gmail, "http://h:1", gmail}})
        for (auto const root : order) {
            auto const req = request_to(gapi::detail::api_url(root, {"a"}, {}));
            BOOST_TEST(gapi::http::absolute_url(req) == std::string(root) + "/a");
            BOOST_TEST(req.url.buffer() == root);
        }
}

BOOST_AUTO_TEST_CASE(only_an_origin_form_target_may_go_out_as_it_is) {
    for (std::string_view const good : {"/", "/a/b%20c", "/a?b=c&d=%2B", "/a@b:c!$&'()*+,;="})
        BOOST_TEST(gapi::http::is_origin_form(good), good);
    for (std::string_view const bad : std::initializer_list<std::string_view>{"", "a", "http://h/a", "/a b", "/a\r\nX: y", "/a\tb", "/a#f", "/\x7f",
                                       "/caf\xc3\xa9", std::string_view("/a\0b", 4)})
        BOOST_TEST(!gapi::http::is_origin_form(bad), bad);
    // A byte of 0xFF carries into the allowed byte above it, here across the last two
    // words; and a target holding every allowed byte is allowed whole.
    BOOST_TEST(!gapi::http::is_origin_form(std::string_view("/abcdef\xff~", 9)));
    BOOST_TEST(!gapi::http::is_origin_form(std::string_view("/abcde\xff~~", 9)));
    std::string every_allowed = "/";
    for (int c = 0x21; c <= 0x7E; ++c)
        if (c != '#')
            every_allowed += static_cast<char>(c);
    BOOST_TEST(gapi::http::is_origin_form(every_allowed));
    // Every byte at every place of targets of 2 to 25 characters (each place of a word
    // of eight and of the tail after the words): only the visible ASCII characters but
    // '#' may appear. The rest of the target is '~' or '!' (the highest and lowest
    // allowed), one or the other by the place's parity.
    for (int c = 0; c < 256; ++c) {
        bool const allowed = c >= 0x21 && c <= 0x7E && c != '#';
        std::string wrong; // the first place where the answer is wrong
        for (std::size_t size = 2; size <= 25 && wrong.empty(); ++size)
            for (std::size_t at = 1; at < size && wrong.empty(); ++at) {
                std::string target(size, at % 2 ? '~' : '!');
                target[0] = '/';
                target[at] = static_cast<char>(c);
                if (gapi::http::is_origin_form(target) != allowed)
                    wrong = std::to_string(at) + " of " + std::to_string(size);
            }
        BOOST_TEST(wrong.empty(), "byte " << c << " at " << wrong);
    }
}

BOOST_AUTO_TEST_SUITE_END()
