// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_SRC_HPP
#define GAPI_SRC_HPP

// Include this file in exactly one translation unit of a program that defines
// GAPI_SEPARATE_COMPILATION everywhere: it holds gapi's non-template code.

#ifndef GAPI_SEPARATE_COMPILATION
#error "Define GAPI_SEPARATE_COMPILATION in every translation unit before including <gapi/src.hpp>"
#endif

#include <gapi/config.hpp>

#include <gapi/impl/error.ipp>
#include <gapi/impl/client.ipp>
#include <gapi/impl/google_error.ipp>
#include <gapi/auth/detail/impl/crypto.ipp>
#include <gapi/auth/impl/authorization_url.ipp>
#include <gapi/auth/impl/credential_files.ipp>
#include <gapi/auth/impl/credentials.ipp>
#include <gapi/auth/impl/installed_app_flow.ipp>
#include <gapi/auth/impl/jwt.ipp>
#include <gapi/auth/impl/token_endpoint.ipp>
#include <gapi/auth/impl/token_source.ipp>
#include <gapi/http/impl/url.ipp>
#include <gapi/http/impl/connection_pool.ipp>
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
