// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CONFIG_HPP
#define GAPI_CONFIG_HPP

// gapi is header-only by default. Define GAPI_SEPARATE_COMPILATION in every
// translation unit and include <gapi/src.hpp> in exactly one of them to compile
// gapi's non-template code once instead of in every translation unit.
#ifdef GAPI_SEPARATE_COMPILATION
/// Marks gapi's non-template functions: empty with separate compilation (defined in the
/// translation unit that includes `gapi/src.hpp`), `inline` in the header-only build.
#define GAPI_DECL
#else
/// Defined (as 1) in the header-only build, where each header includes its implementation.
#define GAPI_HEADER_ONLY 1
/// Marks gapi's non-template functions: `inline` in the header-only build, empty with
/// separate compilation (`GAPI_SEPARATE_COMPILATION`).
#define GAPI_DECL inline
#endif

/// gapi's major version.
#define GAPI_VERSION_MAJOR 0
/// gapi's minor version.
#define GAPI_VERSION_MINOR 1
/// gapi's patch version.
#define GAPI_VERSION_PATCH 0
/// gapi's version as text, "major.minor.patch"; the default User-Agent carries it.
#define GAPI_VERSION_STRING "0.1.0"

#endif
