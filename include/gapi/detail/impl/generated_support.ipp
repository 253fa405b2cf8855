// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_DETAIL_IMPL_GENERATED_SUPPORT_IPP
#define GAPI_DETAIL_IMPL_GENERATED_SUPPORT_IPP

#include <gapi/auth/detail/crypto.hpp>
#include <gapi/detail/generated_support.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

namespace gapi::detail {

GAPI_DECL http::request generated_request(api_method const& m, http::verb method, built_url url) {
    return make_request(m, method, std::move(url));
}

GAPI_DECL http::request generated_request(api_method const& m, http::verb method, built_url url,
                                          boost::json::value const& body) {
    return json_request(m, method, std::move(url), body);
}

GAPI_DECL http::request generated_upload_request(api_method const& m, http::verb method, built_url url,
                                                 boost::json::value const& metadata, media_upload const& media) {
    auto const json = boost::json::serialize(metadata);
    std::string boundary;
    do
        boundary = "gapi_" + auth::detail::random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789");
    while (media.data.find(boundary) != std::string::npos);
    // A media type with CR or LF would end the part's header early.
    if (media.content_type.find_first_of("\r\n") != std::string::npos)
        throw boost::system::system_error(make_error_code(error::header_injection));

    url.add_query("uploadType", "multipart"); // the generated queries never hold it
    auto req = make_request(m, method, std::move(url));
    req.headers.set(boost::beast::http::field::content_type, "multipart/related; boundary=" + boundary);
    auto& body = req.body;
    body.reserve(json.size() + media.data.size() + 3 * boundary.size() + 160);
    body.append("--").append(boundary).append("\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n");
    body.append(json).append("\r\n--").append(boundary).append("\r\nContent-Type: ");
    body.append(media.content_type.empty() ? "application/octet-stream" : media.content_type);
    body.append("\r\n\r\n").append(media.data).append("\r\n--").append(boundary).append("--\r\n");
    return req;
}

} // namespace gapi::detail

#ifndef GAPI_HEADER_ONLY
template boost::asio::awaitable<std::pair<gapi::error_code, gapi::no_content>>
gapi::detail::generated_call<gapi::no_content>(gapi::detail::service_ref, std::string, gapi::error_code, gapi::http::request);
#endif

#endif
