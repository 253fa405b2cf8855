// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_CONFIG_HPP
#define GAPI_CONFIG_HPP

// gapi is header-only by default. Define GAPI_SEPARATE_COMPILATION in every
// translation unit and include <gapi/src.hpp> in exactly one of them to compile
// gapi's non-template code once instead of in every translation unit.
#ifdef GAPI_SEPARATE_COMPILATION
#define GAPI_DECL
#else
#define GAPI_HEADER_ONLY 1
#define GAPI_DECL inline
#endif

#define GAPI_VERSION_MAJOR 0
#define GAPI_VERSION_MINOR 1
#define GAPI_VERSION_PATCH 0
#define GAPI_VERSION_STRING "0.1.0"

#endif
