// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)

// JSON answers into gapi's resources, as the services read them: the hand-written Gmail
// and Calendar resources (a Message read flat reads as its conversion does), and the
// generated schemas. Input: one byte choosing the
// resource, then the response body. A body that does not fit is `malformed_response`,
// never an exception; a generated schema written back and read again gives the same JSON
// (what it keeps, it keeps whole).
#include "fuzz.hpp"

#include <gapi/calendar/resources.hpp>
#include <gapi/calendar/v3/schemas.hpp>
#include <gapi/detail/api_call.hpp>
#include <gapi/gmail/resources.hpp>
#include <gapi/gmail/v1/schemas.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>

#include <string>

namespace {

template <class T>
void read(std::string const& body) {
    auto const [ec, resource] = gapi::detail::read_own_resource<T>(body);
    gapi_fuzz::expect(!ec || ec == gapi::error::malformed_response, "a body that does not fit is malformed_response");
}

// A Message read straight from the text is the one the document's conversion reads.
void read_message(std::string const& body) {
    read<gapi::gmail::message>(body);
    gapi::gmail::message flat;
    if (!read_flat(boost::json::value_to_tag<gapi::gmail::message>{}, body, flat))
        return;
    boost::system::error_code ec;
    auto const document = boost::json::parse(body, ec);
    gapi_fuzz::expect(!ec, "the flat reader takes only JSON");
    if (ec)
        return;
    auto const [refused, converted] = gapi::detail::convert_resource<gapi::gmail::message>(document);
    gapi_fuzz::expect(!refused, "the flat reader takes only what the conversion takes");
    gapi_fuzz::expect(flat == converted, "the flat reader reads what the conversion reads");
}

// Generated schemas are lossless: writing one back and reading that again is stable.
template <class T>
void read_and_write_back(std::string const& body) {
    auto const [ec, resource] = gapi::detail::read_own_resource<T>(body);
    if (ec) {
        gapi_fuzz::expect(ec == gapi::error::malformed_response, "a body that does not fit is malformed_response");
        return;
    }
    auto const written = boost::json::value_from(resource);
    auto const again = boost::json::value_from(boost::json::value_to<T>(written));
    gapi_fuzz::expect(written == again, "a schema written back reads back the same");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0)
        return 0;
    std::string const body(gapi_fuzz::text(data + 1, size - 1));
    switch (data[0] % 12) {
    case 0: read_message(body); break;
    case 1: read<gapi::gmail::message_list>(body); break;
    case 2: read<gapi::gmail::draft>(body); break;
    case 3: read<gapi::gmail::label>(body); break;
    case 4: read<gapi::calendar::event>(body); break;
    case 5: read<gapi::calendar::event_list>(body); break;
    case 6: read<gapi::calendar::freebusy_result>(body); break;
    case 7: read<gapi::calendar::calendar_list>(body); break;
    case 8: read_and_write_back<gapi::gmail::v1::message>(body); break;
    case 9: read_and_write_back<gapi::gmail::v1::thread>(body); break;
    case 10: read_and_write_back<gapi::calendar::v3::event>(body); break;
    case 11: read_and_write_back<gapi::calendar::v3::events>(body); break;
    }
    return 0;
}
