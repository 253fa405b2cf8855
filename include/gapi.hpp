// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_HPP
#define GAPI_HPP

// Umbrella header: everything public in gapi.

#include <gapi/config.hpp>
#include <gapi/auth/credentials.hpp>
#include <gapi/auth/installed_app_flow.hpp>
#include <gapi/auth/token_source.hpp>
#include <gapi/batch/batch.hpp>
#include <gapi/calendar/calendar_service.hpp>
#include <gapi/calendar/v3/methods.hpp>
#include <gapi/client.hpp>
#include <gapi/error.hpp>
#include <gapi/gmail/gmail_service.hpp>
#include <gapi/gmail/v1/methods.hpp>
#include <gapi/google_error.hpp>
#include <gapi/http/connection_pool.hpp>
#include <gapi/http/message.hpp>
#include <gapi/http/pool_options.hpp>
#include <gapi/http/url.hpp>
#include <gapi/mime/message.hpp>

#endif
