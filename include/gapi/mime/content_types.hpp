// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_CONTENT_TYPES_HPP
#define GAPI_MIME_CONTENT_TYPES_HPP

#include <gapi/config.hpp>

#include <string_view>

namespace gapi::mime {

/// The media type for a file name, from its extension (case-insensitive; the text after
/// the last '.' of the last path component), out of a table of common document, image,
/// audio, video, archive and calendar types. `application/octet-stream` for anything
/// else, which makes mail clients offer the file for download rather than guess.
GAPI_DECL std::string_view content_type_for(std::string_view filename) noexcept;

} // namespace gapi::mime

#ifdef GAPI_HEADER_ONLY
#include <gapi/mime/impl/content_types.ipp>
#endif

#endif
