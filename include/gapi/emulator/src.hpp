// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_SRC_HPP
#define GAPI_EMULATOR_SRC_HPP

// With GAPI_SEPARATE_COMPILATION: the emulator's non-template code, for exactly one
// translation unit of a program that embeds it (beside <gapi/src.hpp>).

#ifndef GAPI_SEPARATE_COMPILATION
#error "Define GAPI_SEPARATE_COMPILATION in every translation unit before including <gapi/emulator/src.hpp>"
#endif

#include <gapi/config.hpp>

#include <gapi/emulator/impl/api.ipp>
#include <gapi/emulator/impl/batch_codec.ipp>
#include <gapi/emulator/impl/calendar_service.ipp>
#include <gapi/emulator/impl/certificate_authority.ipp>
#include <gapi/emulator/impl/emulator.ipp>
#include <gapi/emulator/impl/fault_injector.ipp>
#include <gapi/emulator/impl/gmail_service.ipp>
#include <gapi/emulator/impl/mime_reader.ipp>
#include <gapi/emulator/impl/oauth_server.ipp>
#include <gapi/emulator/impl/quota_model.ipp>

#endif
