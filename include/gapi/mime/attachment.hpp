// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_ATTACHMENT_HPP
#define GAPI_MIME_ATTACHMENT_HPP

#include <gapi/config.hpp>
#include <gapi/error.hpp>

#include <boost/system/result.hpp>

#include <filesystem>
#include <string>

namespace gapi::mime {

/// A file sent with a message. It travels base64-encoded, so `data` arrives byte for byte.
struct attachment {
    /// The name the recipient sees, UTF-8 in any language; may be empty.
    std::string filename;
    /// A media type such as `application/pdf`; empty means `content_type_for(filename)`.
    std::string content_type;
    /// The file's bytes.
    std::string data;
    /// Non-empty: the part is shown inside the HTML body, which refers to it as
    /// `cid:<content_id>` (as in `<img src="cid:logo">`); it goes into a multipart/related
    /// with the HTML, with `Content-Disposition: inline`. Printable ASCII without spaces;
    /// surrounding angle brackets are optional.
    std::string content_id;
};

/// Reads a file into an attachment: `filename` is its last path component, `content_type`
/// comes from `content_type_for`, `data` holds its bytes.
///
/// Errors: `attachment_unreadable` if it is not a regular file or cannot be read;
/// `message_too_large` if it alone exceeds `max_message_size` once base64-encoded (the
/// file is then not read at all).
GAPI_DECL boost::system::result<attachment> attachment_from_file(std::filesystem::path const& path);

} // namespace gapi::mime

#ifdef GAPI_HEADER_ONLY
#include <gapi/mime/impl/attachment.ipp>
#endif

#endif
