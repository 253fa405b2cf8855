// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
// A Message read straight from the text (`read_flat`) is the one the document's
// conversion reads, or the flat reader gives up and leaves the text to the conversion.
#include <gapi/detail/api_call.hpp>
#include <gapi/gmail/resources.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace gmail = gapi::gmail;

namespace {

// What the document's conversion reads, or nothing where it refuses the text.
std::optional<gmail::message> converted(std::string const& text) {
    try {
        return boost::json::value_to<gmail::message>(boost::json::parse(text));
    } catch (std::exception const&) {
        return std::nullopt;
    }
}

std::optional<gmail::message> flat(std::string const& text) {
    gmail::message m;
    if (!read_flat(boost::json::value_to_tag<gmail::message>{}, text, m))
        return std::nullopt;
    return m;
}

// Where the flat reader reads, it reads what the conversion does.
void check_agreement(std::string const& text) {
    auto const f = flat(text);
    if (!f)
        return;
    auto const c = converted(text);
    BOOST_TEST_REQUIRE(c.has_value(), "the flat reader took a text the conversion refuses: " << text);
    BOOST_TEST((*f == *c), "the two readings differ: " << text);
}

} // namespace

BOOST_AUTO_TEST_SUITE(flat_message_reading)

BOOST_AUTO_TEST_CASE(what_gmail_answers_to_a_send_or_a_minimal_get_is_read_flat) {
    std::string const answers[] = {
        R"({"id":"b34347fb96932fec","threadId":"265ba49628e3d67a","labelIds":["SENT"],"snippet":"A small message to read back.","sizeEstimate":289,"historyId":"1030","internalDate":"1796479447449"})",
        R"({"id":"18f0a1","threadId":"18f0a1","labelIds":["UNREAD","SENT","INBOX"]})",
        R"( { "id" : "x" , "labelIds" : [ ] , "unknown" : {"id":"not this","a":[1,{"b":null}]}, "more": [[true, 1.5, "s"]] } )",
        R"({"i\u0064":"esc\u00e9aped \"quotes\"","snippet":"caf\u00e9 \ud83d\ude00","sizeEstimate":"42","internalDate":-7})",
        R"({"id":"n","threadId":null,"labelIds":null,"internalDate":null,"sizeEstimate":9223372036854775807})",
    };
    for (auto const& text : answers) {
        auto const f = flat(text);
        BOOST_TEST_REQUIRE(f.has_value(), "not read flat: " << text);
        check_agreement(text);
    }
    auto const m = *flat(answers[0]);
    BOOST_TEST(m.id == "b34347fb96932fec");
    BOOST_TEST(m.thread_id == "265ba49628e3d67a");
    BOOST_TEST(m.label_ids == std::vector<std::string>{"SENT"}, boost::test_tools::per_element());
    BOOST_TEST(m.snippet == "A small message to read back.");
    BOOST_TEST(m.size_estimate == 289);
    BOOST_TEST(m.history_id == "1030");
    BOOST_TEST(m.internal_date == 1796479447449);
    BOOST_TEST(flat(answers[3])->id == "esc\xc3\xa9" "aped \"quotes\"");
    BOOST_TEST(flat(answers[3])->snippet == "caf\xc3\xa9 \xf0\x9f\x98\x80");

    // Long texts with escapes reach the reader in parts.
    std::string long_text(5000, 'x');
    long_text[4090] = '\\';
    long_text[4091] = 'n';
    std::string const long_key = "lo" + std::string(5000, 'k') + "\\u0041";
    std::string const split = R"({")" + long_key + R"(":1,"snippet":")" + long_text + R"(","id":")" + long_text + R"("})";
    auto const read_in_parts = flat(split);
    BOOST_TEST_REQUIRE(read_in_parts.has_value());
    check_agreement(split);
    BOOST_TEST(read_in_parts->snippet.size() == 4999u);
    BOOST_TEST(read_in_parts->snippet[4090] == '\n');
}

BOOST_AUTO_TEST_CASE(keys_next_to_the_known_names_are_other_members) {
    auto const m = flat(R"({"idx":"1","id":"a","threadI":"t","sizeEstimates":5,"historyIds":"7","":"e","internalDate":"0042"})");
    BOOST_TEST_REQUIRE(m.has_value());
    BOOST_TEST(m->id == "a");
    BOOST_TEST(m->thread_id.empty());
    BOOST_TEST(m->size_estimate == 0);
    BOOST_TEST(m->history_id.empty());
    BOOST_TEST(m->internal_date == 42);
}

BOOST_AUTO_TEST_CASE(an_answer_cut_short_anywhere_is_never_read_flat) {
    std::string const answer =
        R"({"id":"b34347fb96932fec","threadId":"265ba49628e3d67a","labelIds":["SENT"],"snippet":"A small message to read back.","sizeEstimate":289,"historyId":"1030","internalDate":"1796479447449"})";
    BOOST_TEST_REQUIRE(flat(answer).has_value());
    // Each cut twice: as a view into the whole answer, where the byte past the cut is the
    // answer's next one (a copy would end in a NUL that no read past the end could mistake
    // for anything), and alone in a block of its exact size, where AddressSanitizer sees
    // any read past it.
    for (std::size_t size = 0; size < answer.size(); ++size) {
        gmail::message m;
        auto const cut = std::string_view(answer).substr(0, size);
        BOOST_TEST(!read_flat(boost::json::value_to_tag<gmail::message>{}, cut, m), "read flat: " << cut);
        std::unique_ptr<char[]> const alone(new char[size + (size == 0)]);
        std::copy(cut.begin(), cut.end(), alone.get());
        BOOST_TEST(!read_flat(boost::json::value_to_tag<gmail::message>{}, std::string_view(alone.get(), size), m),
                   "read flat: " << cut);
    }
}

BOOST_AUTO_TEST_CASE(a_message_read_into_one_that_held_another_holds_only_the_new_one) {
    gmail::message m;
    m.id = "old";
    m.label_ids = {"OLD"};
    m.snippet = "old";
    m.internal_date = 5;
    BOOST_TEST(!read_flat(boost::json::value_to_tag<gmail::message>{}, R"({"threadId":"t"})", m)); // no id of its own
    m.id = "old";
    BOOST_TEST_REQUIRE(read_flat(boost::json::value_to_tag<gmail::message>{}, R"({"id":"a","labelIds":["N"]})", m));
    BOOST_TEST(m.id == "a");
    BOOST_TEST(m.label_ids == std::vector<std::string>{"N"}, boost::test_tools::per_element());
    BOOST_TEST(m.snippet.empty());
    BOOST_TEST(m.internal_date == 0);
}

BOOST_AUTO_TEST_CASE(anything_else_is_left_to_the_conversion) {
    std::string const others[] = {
        R"({"id":"p","payload":{"mimeType":"text/plain"}})", // a payload: the document reads it
        R"({"id":"p","payload":null})",
        R"({"id":"r","raw":"SGk"})",
        R"({"id":"a","id":"b"})",            // repeated
        R"({"id":"a","labelIds":["A"],"labelIds":[]})",
        R"({"threadId":"t"})",               // no id
        R"({"id":""})",
        R"({"id":null})",
        R"({"id":5})",                       // wrong types
        R"({"id":"a","threadId":{}})",
        R"({"id":"a","snippet":[]})",
        R"({"id":"a","labelIds":"SENT"})",
        R"({"id":"a","labelIds":[1]})",
        R"({"id":"a","labelIds":[null]})",
        R"({"id":"a","labelIds":[["x"]]})",
        R"({"id":"a","labelIds":[{}]})",
        R"({"id":"a","sizeEstimate":1.5})",
        R"({"id":"a","sizeEstimate":true})",
        R"({"id":"a","internalDate":"12x"})",
        R"({"id":"a","internalDate":"+12"})",
        R"({"id":"a","internalDate":""})",
        R"({"id":"a","internalDate":9223372036854775808})",
        R"({"id":"a","internalDate":99999999999999999999999})",
        R"(["id","a"])",                     // not an object
        R"("a")",
        R"(null)",
        R"({"id":"a"} x)",                   // not JSON
        R"({"id":"a")",
        R"({"id":"a",})",
        "",
        "{\"id\":\"\xff\"}",
    };
    for (auto const& text : others) {
        BOOST_TEST(!flat(text).has_value(), "read flat: " << text);
        // What the service returns is what the conversion decides.
        auto const [ec, m] = gapi::detail::read_own_resource<gmail::message>(text);
        auto const c = converted(text);
        BOOST_TEST(!ec == c.has_value(), text);
        if (c && !ec)
            BOOST_TEST((m == *c), text);
    }
}

BOOST_AUTO_TEST_CASE(texts_built_at_random_read_alike_both_ways) {
    // Members of every kind, in any order, sometimes repeated, sometimes of the wrong type.
    std::vector<std::string> const keys = {"id", "threadId", "labelIds", "snippet", "historyId", "internalDate",
                                           "sizeEstimate", "raw", "payload", "other", "i\\u0064", "snippe\\u0074",
                                           // Next to the names matched whole: longer, shorter, empty.
                                           "idx", "i", "threadI", "internalDates", "sizeEstimat", "h", ""};
    std::vector<std::string> const values = {
        R"("abc")", R"("")", R"("12")", R"("-3")", R"("1e3")", R"("caf\u00e9\n")", "0", "-1", "18446744073709551615",
        "1.25", "true", "null", "{}", R"({"id":"x","labelIds":[1]})", "[]", R"(["A","B\u0041"])", R"(["A",2])",
        R"([null])", R"("SGVsbG8")",
        // At the edges of what the first, plain reader takes (ASCII texts without escapes,
        // integers of up to 18 digits), so that it meets what it must leave to the parser.
        "01", "-0", "-", "-5", "1E2", "123456789012345678", "-123456789012345678", "1234567890123456789",
        "\"tab\tinside\"", "\"caf\xc3\xa9\"", R"(" a b ")", R"([ "A" , "B" ])", "[\"A\",]", "nul", "truex",
        R"("9223372036854775807")", R"("-0")", R"(" 12")",
        // Quoted integers at the edges of the one-pass reading of digits.
        R"("0012")", R"("123456789012345678")", R"("1234567890123456789")", R"("12a")", R"("12)",
        R"("9223372036854775808")", R"("99999999999999999999")"};
    std::mt19937 random(20261205);
    int read_flat_count = 0;
    int const texts = 20000;
    for (int i = 0; i < texts; ++i) {
        std::string text = "{";
        auto const members = random() % 6;
        if (random() % 2)
            text += R"("id":"m)" + std::to_string(i) + "\"" + (members ? "," : "");
        for (unsigned k = 0; k < members; ++k) {
            text += " \"" + keys[random() % keys.size()] + "\" :" + values[random() % values.size()];
            if (k + 1 < members)
                text += ",";
        }
        text += "}";
        check_agreement(text);
        if (flat(text))
            ++read_flat_count;
    }
    // The check above means something only if many texts were read flat.
    BOOST_TEST(read_flat_count > texts / 10);
}

BOOST_AUTO_TEST_SUITE_END()
