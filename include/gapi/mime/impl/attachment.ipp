// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_IMPL_ATTACHMENT_IPP
#define GAPI_MIME_IMPL_ATTACHMENT_IPP

#include <gapi/mime/attachment.hpp>
#include <gapi/mime/content_types.hpp>
#include <gapi/mime/detail/encoding.hpp>

#include <fstream>
#include <system_error>

namespace gapi::mime {

GAPI_DECL boost::system::result<attachment> attachment_from_file(std::filesystem::path const& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return error_code(error::attachment_unreadable);
    auto const size = std::filesystem::file_size(path, ec);
    if (ec)
        return error_code(error::attachment_unreadable);
    // Checked before reading, so that a mistaken multi-gigabyte path costs nothing.
    if (detail::base64_lines_size(size) > detail::gmail_message_limit)
        return error_code(error::message_too_large);
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return error_code(error::attachment_unreadable);
    attachment out;
    out.data.resize(size);
    file.read(out.data.data(), static_cast<std::streamsize>(size));
    // A file that shrank while being read is reported rather than sent truncated.
    if (static_cast<std::size_t>(file.gcount()) != size)
        return error_code(error::attachment_unreadable);
    out.filename = path.filename().string();
    out.content_type = std::string(content_type_for(out.filename));
    return out;
}

} // namespace gapi::mime

#endif
