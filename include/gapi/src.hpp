// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_SRC_HPP
#define GAPI_SRC_HPP

// Include this file in exactly one translation unit of a program that defines
// GAPI_SEPARATE_COMPILATION everywhere: it holds gapi's non-template code. A program that
// embeds the emulator also includes <gapi/emulator/src.hpp>, in the same or another one.

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
#include <gapi/mime/detail/impl/encoding.ipp>
#include <gapi/mime/impl/address.ipp>
#include <gapi/mime/impl/attachment.ipp>
#include <gapi/mime/impl/content_types.ipp>
#include <gapi/mime/impl/message.ipp>
#include <gapi/gmail/impl/resources.ipp>
#include <gapi/gmail/impl/gmail_service.ipp>
#include <gapi/calendar/impl/time.ipp>
#include <gapi/calendar/impl/resources.ipp>
#include <gapi/calendar/impl/calendar_service.ipp>
#include <gapi/batch/impl/codec.ipp>
#include <gapi/batch/impl/batch.ipp>
#include <gapi/detail/impl/generated_support.ipp>
#include <gapi/gmail/v1/impl/schemas.ipp>
#include <gapi/gmail/v1/impl/methods.ipp>
#include <gapi/calendar/v3/impl/schemas.ipp>
#include <gapi/calendar/v3/impl/methods.ipp>

#endif
