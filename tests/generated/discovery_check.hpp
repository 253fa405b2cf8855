// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_TESTS_GENERATED_DISCOVERY_CHECK_HPP
#define GAPI_TESTS_GENERATED_DISCOVERY_CHECK_HPP

// Checks requests built by the generated layer against the discovery document they were
// generated from, read here independently of the generator: HTTP method, path (with
// every parameter in place), required and optional query parameters, body, upload form,
// method id; and that no method of the document was left out.

#include <gapi/detail/generated_support.hpp>
#include <gapi/http/message.hpp>

#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/url_view.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace gapi::test {

class discovery_check {
public:
    explicit discovery_check(std::string const& relative_path) {
        std::ifstream in(std::string(GAPI_SOURCE_DIR) + "/" + relative_path);
        std::stringstream text;
        text << in.rdbuf();
        doc_ = boost::json::parse(text.str()).as_object();
        collect(doc_);
    }

    template <class Resource>
    Resource resource() const {
        return Resource{gapi::detail::service_ref{nullptr, nullptr, root_, nullptr}};
    }

    void expect(std::string const& id, bool upload, http::request const& req) {
        BOOST_TEST_CONTEXT(id << (upload ? " (upload)" : "")) {
            auto const found = methods_.find(id);
            BOOST_TEST_REQUIRE((found != methods_.end()), "not in the discovery document");
            auto const& m = found->second;
            seen_.insert(id);
            // The whole URL as it goes out: the origin, then the target the builder wrote.
            boost::urls::url const whole(gapi::http::absolute_url(req));
            boost::urls::url_view const url(whole);
            BOOST_TEST(req.method_id == id);
            BOOST_TEST(std::string(boost::beast::http::to_string(req.method)) == std::string(m.at("httpMethod").as_string()));

            std::string path;
            if (upload)
                path = std::string(m.at("mediaUpload").at("protocols").at("simple").at("path").as_string());
            else
                path = "/" + std::string(doc_.at("servicePath").as_string()) + std::string(m.at("path").as_string());
            static boost::json::object const no_parameters;
            auto const* declared = m.if_contains("parameters");
            auto const& params = declared ? declared->as_object() : no_parameters;
            for (auto const& p : params) {
                std::string const key(p.key());
                for (auto const& form : {"{" + key + "}", "{+" + key + "}"})
                    if (auto at = path.find(form); at != std::string::npos)
                        path.replace(at, form.size(), key + "-1");
            }
            BOOST_TEST(std::string(url.encoded_path()) == path);
            BOOST_TEST(std::string(gapi::http::request_path(req)) == path);
            BOOST_TEST(std::string(url.scheme()) == "https");
            BOOST_TEST(std::string(url.host()) == "example.test");

            for (auto const& p : params) {
                if (p.value().at("location") != "query")
                    continue;
                std::string const key(p.key());
                auto const it = url.params().find(key);
                BOOST_TEST((it != url.params().end()), "query parameter " << key << " missing");
                if (p.value().as_object().contains("required") && it != url.params().end())
                    BOOST_TEST((*it).value == key + "-1");
            }

            if (upload) {
                auto const it = url.params().find("uploadType");
                BOOST_TEST_REQUIRE((it != url.params().end()));
                BOOST_TEST((*it).value == "multipart");
                BOOST_TEST(std::string(req.headers[boost::beast::http::field::content_type]).starts_with("multipart/related; boundary="));
                BOOST_TEST(req.body.find("Subject: x\r\n\r\nbody") != std::string::npos);
            } else if (m.contains("request")) {
                boost::system::error_code ec;
                auto const body = boost::json::parse(req.body, ec);
                BOOST_TEST(!ec);
                BOOST_TEST(body.is_object());
                BOOST_TEST(std::string(req.headers[boost::beast::http::field::content_type]).starts_with("application/json"));
            } else {
                BOOST_TEST(req.body.empty());
            }
            // Reading must never be refused as unsafe to repeat.
            if (m.at("httpMethod") == "GET")
                BOOST_TEST(req.replay_on_stale_connection);
            BOOST_TEST(req.quota_units >= 1u);
        }
    }

    void expect_all_seen() const {
        for (auto const& [id, m] : methods_)
            BOOST_TEST(seen_.contains(id), id << " has no generated request builder");
        BOOST_TEST(!methods_.empty());
    }

    std::size_t method_count() const noexcept { return methods_.size(); }

private:
    void collect(boost::json::object const& node) {
        if (auto const* ms = node.if_contains("methods"))
            for (auto const& m : ms->as_object())
                methods_.emplace(std::string(m.value().at("id").as_string()), m.value().as_object());
        if (auto const* rs = node.if_contains("resources"))
            for (auto const& r : rs->as_object())
                collect(r.value().as_object());
    }

    boost::json::object doc_;
    std::map<std::string, boost::json::object> methods_;
    std::set<std::string> seen_;
    std::string root_ = "https://example.test";
};

} // namespace gapi::test

#endif
