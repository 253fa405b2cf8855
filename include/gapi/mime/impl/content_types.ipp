// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_IMPL_CONTENT_TYPES_IPP
#define GAPI_MIME_IMPL_CONTENT_TYPES_IPP

#include <gapi/mime/content_types.hpp>

#include <boost/beast/core/string.hpp>

#include <utility>

namespace gapi::mime {

namespace detail {

// Types as registered with IANA where one exists, else what mail clients commonly send.
inline constexpr std::pair<std::string_view, std::string_view> content_types[] = {
    {"txt", "text/plain"},
    {"text", "text/plain"},
    {"log", "text/plain"},
    {"md", "text/markdown"},
    {"html", "text/html"},
    {"htm", "text/html"},
    {"css", "text/css"},
    {"csv", "text/csv"},
    {"tsv", "text/tab-separated-values"},
    {"ics", "text/calendar"},
    {"vcf", "text/vcard"},
    {"js", "text/javascript"},
    {"json", "application/json"},
    {"xml", "application/xml"},
    {"pdf", "application/pdf"},
    {"rtf", "application/rtf"},
    {"eml", "message/rfc822"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"jpe", "image/jpeg"},
    {"gif", "image/gif"},
    {"svg", "image/svg+xml"},
    {"webp", "image/webp"},
    {"bmp", "image/bmp"},
    {"ico", "image/vnd.microsoft.icon"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"heic", "image/heic"},
    {"heif", "image/heif"},
    {"avif", "image/avif"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tgz", "application/gzip"},
    {"bz2", "application/x-bzip2"},
    {"xz", "application/x-xz"},
    {"zst", "application/zstd"},
    {"tar", "application/x-tar"},
    {"7z", "application/x-7z-compressed"},
    {"rar", "application/vnd.rar"},
    {"doc", "application/msword"},
    {"dot", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"odp", "application/vnd.oasis.opendocument.presentation"},
    {"odg", "application/vnd.oasis.opendocument.graphics"},
    {"epub", "application/epub+zip"},
    {"mp3", "audio/mpeg"},
    {"m4a", "audio/mp4"},
    {"aac", "audio/aac"},
    {"wav", "audio/wav"},
    {"ogg", "audio/ogg"},
    {"oga", "audio/ogg"},
    {"opus", "audio/opus"},
    {"flac", "audio/flac"},
    {"mid", "audio/midi"},
    {"mp4", "video/mp4"},
    {"m4v", "video/mp4"},
    {"mov", "video/quicktime"},
    {"avi", "video/x-msvideo"},
    {"webm", "video/webm"},
    {"mkv", "video/x-matroska"},
    {"mpeg", "video/mpeg"},
};

} // namespace detail

GAPI_DECL std::string_view content_type_for(std::string_view filename) noexcept {
    constexpr std::string_view fallback = "application/octet-stream";
    auto const slash = filename.find_last_of("/\\");
    if (slash != std::string_view::npos)
        filename.remove_prefix(slash + 1);
    auto const dot = filename.rfind('.');
    if (dot == std::string_view::npos)
        return fallback;
    std::string_view const extension = filename.substr(dot + 1);
    for (auto const& [ext, type] : detail::content_types)
        if (boost::beast::iequals(extension, ext))
            return type;
    return fallback;
}

} // namespace gapi::mime

#endif
