// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/emulator/mime_reader.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <random>
#include <string>

using namespace gapi::emulator;

namespace {

// Every message below is written out by hand; the attachment's base64 and the
// percent-encoded Greek filename were computed with Python, not with this code.
constexpr char greek_mixed[] = "From: =?UTF-8?B?zpPOtc65zrE=?= <alice@example.com>\r\n"
                               "To: \"Doe, John\" <john@example.com>\r\n"
                               "Subject: =?UTF-8?B?zpPOtc65zrEgz4POv8+F?=\r\n"
                               "MIME-Version: 1.0\r\n"
                               "Content-Type: multipart/mixed;\r\n"
                               " boundary=\"==outer==\"\r\n"
                               "\r\n"
                               "This is the preamble.\r\n"
                               "--==outer==\r\n"
                               "Content-Type: multipart/alternative; boundary=inner\r\n"
                               "\r\n"
                               "--inner\r\n"
                               "Content-Type: text/plain; charset=UTF-8\r\n"
                               "Content-Transfer-Encoding: quoted-printable\r\n"
                               "\r\n"
                               "Caf=C3=A9 is =\r\n"
                               "open, 1+1=3D2\r\n"
                               "--inner\r\n"
                               "Content-Type: text/html; charset=UTF-8\r\n"
                               "\r\n"
                               "<p>Caf\xC3\xA9</p>\r\n"
                               "--inner--\r\n"
                               "--==outer==\r\n"
                               "Content-Type: text/plain; charset=UTF-8\r\n"
                               "Content-Disposition: attachment;\r\n"
                               " filename*=UTF-8''%CE%91%CF%81%CF%87%CE%B5%CE%AF%CE%BF.txt\r\n"
                               "Content-Transfer-Encoding: base64\r\n"
                               "\r\n"
                               "SGVsbG8gYXR0YWNobWVudCB3b3JsZCEKU2Vjb25kIGxp\r\n"
                               "bmUgb2YgdGhlIGF0dGFjaG1lbnQuCg==\r\n"
                               "--==outer==--\r\n"
                               "This is the epilogue.\r\n";

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_mime)

BOOST_AUTO_TEST_CASE(greek_b_encoded_subject) {
    BOOST_TEST(decode_encoded_words("=?UTF-8?B?zpPOtc65zrEgz4POv8+F?=") == "Γεια σου");
    auto r = read_mime(greek_mixed);
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST(decode_encoded_words(std::string(*r.root->header("Subject"))) == "Γεια σου");
}

BOOST_AUTO_TEST_CASE(q_encoding_and_charsets) {
    BOOST_TEST(decode_encoded_words("=?ISO-8859-1?Q?Caf=E9_cr=E8me?=") == "Café crème");
    BOOST_TEST(decode_encoded_words("=?utf-8?q?=CE=93=CE=B5=CE=B9=CE=B1?=") == "Γεια");
    BOOST_TEST(decode_encoded_words("=?windows-1252?Q?=80_5?=") == "€ 5");
    BOOST_TEST(decode_encoded_words("=?UTF-8*el?B?zpPOtc65zrE=?=") == "Γεια"); // RFC 2231 language tag
    BOOST_TEST(decode_encoded_words("Hello =?UTF-8?Q?W=C3=B6rld?=!") == "Hello Wörld!");
}

BOOST_AUTO_TEST_CASE(adjacent_encoded_words_are_joined) {
    BOOST_TEST(decode_encoded_words("=?UTF-8?Q?a?= =?UTF-8?Q?b?=") == "ab");
    BOOST_TEST(decode_encoded_words("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=") == "ab");
    BOOST_TEST(decode_encoded_words("=?UTF-8?B?zpM=?= =?UTF-8?B?zrU=?=") == "Γε");
    // a character split across two words
    BOOST_TEST(decode_encoded_words("=?UTF-8?Q?=CE?= =?UTF-8?Q?=93?=") == "Γ");
    BOOST_TEST(decode_encoded_words("=?UTF-8?Q?a?= b =?UTF-8?Q?c?=") == "a b c");
}

BOOST_AUTO_TEST_CASE(malformed_or_unknown_encoded_words_stay) {
    BOOST_TEST(decode_encoded_words("=?x-unknown?Q?abc?=") == "=?x-unknown?Q?abc?=");
    BOOST_TEST(decode_encoded_words("=?UTF-8?X?abc?=") == "=?UTF-8?X?abc?=");
    BOOST_TEST(decode_encoded_words("=?UTF-8?Q?not closed") == "=?UTF-8?Q?not closed");
    BOOST_TEST(decode_encoded_words("2 =? 3") == "2 =? 3");
}

BOOST_AUTO_TEST_CASE(folded_headers_and_case_insensitive_lookup) {
    auto r = read_mime("Subject: This is\r\n a folded\r\n\tsubject\r\ncontent-TYPE: text/plain;\r\n "
                       "charset=\"ISO-8859-1\"\r\n"
                       "X-Empty:\r\n\r\nbody\r\n");
    BOOST_TEST_REQUIRE(bool(r));
    auto const& m = *r.root;
    BOOST_TEST(*m.header("subject") == "This is a folded\tsubject");
    BOOST_TEST(*m.header("SUBJECT") == "This is a folded\tsubject");
    BOOST_TEST(m.mime_type == "text/plain");
    BOOST_TEST(m.charset() == "iso-8859-1");
    BOOST_TEST(*m.header("x-empty") == "");
    BOOST_TEST(!m.header("To"));
    BOOST_TEST(m.body == "body\r\n");
    BOOST_TEST(r.defects.empty());
}

BOOST_AUTO_TEST_CASE(repeated_headers_keep_order) {
    auto r = read_mime("Received: one\r\nReceived: two\r\n\r\n");
    BOOST_TEST_REQUIRE(bool(r));
    auto const all = r.root->all_headers("received");
    BOOST_TEST_REQUIRE(all.size() == 2u);
    BOOST_TEST(all[0] == "one");
    BOOST_TEST(all[1] == "two");
    BOOST_TEST(r.root->body.empty());
}

BOOST_AUTO_TEST_CASE(addresses_with_quoted_display_names) {
    auto list =
        parse_address_list("\"Doe, John\" <john@example.com>, jane@example.org,\r\n"
                           " =?UTF-8?B?zpPOtc65zrE=?= <g@example.gr>, Bob  Smith <bob@example.com> (work)");
    BOOST_TEST_REQUIRE(list.has_value());
    BOOST_TEST_REQUIRE(list->size() == 4u);
    BOOST_TEST((*list)[0].name == "Doe, John");
    BOOST_TEST((*list)[0].email == "john@example.com");
    BOOST_TEST((*list)[1].name == "");
    BOOST_TEST((*list)[1].email == "jane@example.org");
    BOOST_TEST((*list)[2].name == "Γεια");
    BOOST_TEST((*list)[2].email == "g@example.gr");
    BOOST_TEST((*list)[3].name == "Bob Smith");
    BOOST_TEST((*list)[3].email == "bob@example.com");
}

BOOST_AUTO_TEST_CASE(address_forms) {
    auto escaped = parse_address_list(R"("A \"B\" C" <a@example.com>)");
    BOOST_TEST_REQUIRE(escaped.has_value());
    BOOST_TEST((*escaped)[0].name == R"(A "B" C)");

    auto comment = parse_address_list("j@example.com (John Q. Public)");
    BOOST_TEST_REQUIRE(comment.has_value());
    BOOST_TEST((*comment)[0].name == "John Q. Public");
    BOOST_TEST((*comment)[0].email == "j@example.com");

    auto obs = parse_address_list("John Q. Public <jqp@example.com>");
    BOOST_TEST_REQUIRE(obs.has_value());
    BOOST_TEST((*obs)[0].name == "John Q. Public");

    auto quoted_local = parse_address_list("\"john doe\"@example.com");
    BOOST_TEST_REQUIRE(quoted_local.has_value());
    BOOST_TEST((*quoted_local)[0].email == "\"john doe\"@example.com");

    auto route = parse_address_list("<@relay.example.com:x@example.com>");
    BOOST_TEST_REQUIRE(route.has_value());
    BOOST_TEST((*route)[0].email == "x@example.com");

    auto empty = parse_address_list("  ");
    BOOST_TEST_REQUIRE(empty.has_value());
    BOOST_TEST(empty->empty());

    auto trailing = parse_address_list("a@example.com, ,b@example.com,");
    BOOST_TEST_REQUIRE(trailing.has_value());
    BOOST_TEST(trailing->size() == 2u);
}

BOOST_AUTO_TEST_CASE(groups_are_flattened) {
    auto team = parse_address_list("Team: a@example.com, \"B\" <b@example.com>;, c@example.com");
    BOOST_TEST_REQUIRE(team.has_value());
    BOOST_TEST_REQUIRE(team->size() == 3u);
    BOOST_TEST((*team)[1].name == "B");
    BOOST_TEST((*team)[2].email == "c@example.com");

    auto undisclosed = parse_address_list("undisclosed-recipients:;");
    BOOST_TEST_REQUIRE(undisclosed.has_value());
    BOOST_TEST(undisclosed->empty());
}

BOOST_AUTO_TEST_CASE(invalid_address_lists) {
    BOOST_TEST(!parse_address_list("not an address"));
    BOOST_TEST(!parse_address_list("john@"));
    BOOST_TEST(!parse_address_list("@example.com"));
    BOOST_TEST(!parse_address_list("human@f")); // Gmail refuses one-label domains
    BOOST_TEST(!parse_address_list("\"unterminated <a@example.com>"));
    BOOST_TEST(!parse_address_list("Name <a@example.com"));
    BOOST_TEST(!parse_address_list("a@example.com b@example.com"));
    BOOST_TEST(!parse_address_list("Name <a@exa mple.com>"));
    BOOST_TEST(!parse_address_list("a@example..com"));
    BOOST_TEST(!parse_address_list("(unterminated comment a@example.com"));
    BOOST_TEST(!parse_address_list("a@example.com; b@example.com"));
}

BOOST_AUTO_TEST_CASE(multipart_mixed_with_attachment_and_nested_alternative) {
    auto r = read_mime(greek_mixed);
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST(r.defects.empty());
    auto const& root = *r.root;
    BOOST_TEST(root.mime_type == "multipart/mixed");
    BOOST_TEST(root.content_type_params.at("boundary") == "==outer==");
    BOOST_TEST(root.preamble == "This is the preamble.");
    BOOST_TEST(root.epilogue == "This is the epilogue.\r\n");
    BOOST_TEST_REQUIRE(root.parts.size() == 2u);

    auto const& alternative = root.parts[0];
    BOOST_TEST(alternative.mime_type == "multipart/alternative");
    BOOST_TEST_REQUIRE(alternative.parts.size() == 2u);
    BOOST_TEST(alternative.parts[0].mime_type == "text/plain");
    BOOST_TEST(alternative.parts[0].transfer_encoding == "quoted-printable");
    BOOST_TEST(alternative.parts[0].body == "Café is open, 1+1=2");
    BOOST_TEST(alternative.parts[1].mime_type == "text/html");
    BOOST_TEST(alternative.parts[1].body == "<p>Café</p>");

    auto const& attachment = root.parts[1];
    BOOST_TEST(attachment.disposition == "attachment");
    BOOST_TEST(attachment.filename == "Αρχείο.txt");
    BOOST_TEST(attachment.body == "Hello attachment world!\nSecond line of the attachment.\n");
}

BOOST_AUTO_TEST_CASE(rfc2231_continuations_and_fallbacks) {
    auto p = parse_header_params(
        "attachment; filename*0*=UTF-8''%CE%91%CF%81%CF%87; filename*1*=%CE%B5%CE%AF%CE%BF;"
        " filename*2=\".pdf\"; filename=\"fallback.pdf\"");
    BOOST_TEST(p.value == "attachment");
    BOOST_TEST(p.params.at("filename") == "Αρχείο.pdf");

    auto latin = parse_header_params("attachment; filename*=iso-8859-1'fr'caf%E9.txt");
    BOOST_TEST(latin.params.at("filename") == "café.txt");

    auto r = read_mime("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                       "--b\r\nContent-Type: application/pdf; "
                       "name=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                       "JVBERi0xLjQgZmFrZQ==\r\n"
                       "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
                       "filename=\"=?UTF-8?B?zpPOtc65zrE=?=.txt\"\r\n\r\n"
                       "x\r\n--b--\r\n");
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST_REQUIRE(r.root->parts.size() == 2u);
    BOOST_TEST(r.root->parts[0].filename == "report.pdf");
    BOOST_TEST(r.root->parts[0].body == "%PDF-1.4 fake");
    BOOST_TEST(r.root->parts[1].filename == "Γεια.txt");
}

BOOST_AUTO_TEST_CASE(header_params) {
    auto p = parse_header_params(
        "Multipart/Mixed; boundary=\"a;b\" ; charset=UTF-8 (a comment); novalue; X=\"q\\\"t\"");
    BOOST_TEST(p.value == "multipart/mixed");
    BOOST_TEST(p.params.at("boundary") == "a;b");
    BOOST_TEST(p.params.at("charset") == "UTF-8");
    BOOST_TEST(p.params.at("x") == "q\"t");
    BOOST_TEST(p.params.count("novalue") == 0u);
}

BOOST_AUTO_TEST_CASE(quoted_printable_details) {
    auto r = read_mime("Content-Transfer-Encoding: Quoted-Printable\r\n\r\n"
                       "soft =\r\nbreak, trailing spaces   \r\nlower =c3=a9 and bad =ZZ\r\nlast");
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST(r.root->body == "soft break, trailing spaces\r\nlower é and bad =ZZ\r\nlast");
    BOOST_TEST(r.defects.size() == 1u);
}

BOOST_AUTO_TEST_CASE(base64_tolerates_line_breaks_and_reports_junk) {
    auto r = read_mime("Content-Transfer-Encoding: base64\r\n\r\nSGVs\r\nbG8=\r\n");
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST(r.root->body == "Hello");
    BOOST_TEST(r.defects.empty());

    auto junk = read_mime("Content-Transfer-Encoding: base64\r\n\r\nSGVs*bG8=\r\n");
    BOOST_TEST_REQUIRE(bool(junk));
    BOOST_TEST(junk.root->body == "Hello");
    BOOST_TEST(junk.defects.size() == 1u);
}

BOOST_AUTO_TEST_CASE(bare_lf_line_ends) {
    auto r = read_mime("From: a@example.com\n"
                       "Subject: folded\n  over LF\n"
                       "Content-Type: multipart/alternative; boundary=\"xyz\"\n"
                       "\n"
                       "--xyz\n"
                       "Content-Type: text/plain\n"
                       "\n"
                       "line one\nline two\n"
                       "--xyz\n"
                       "Content-Type: text/plain\n"
                       "Content-Transfer-Encoding: quoted-printable\n"
                       "\n"
                       "qp=\nline\n"
                       "--xyz--\n");
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST(r.defects.empty());
    BOOST_TEST(*r.root->header("Subject") == "folded  over LF");
    BOOST_TEST_REQUIRE(r.root->parts.size() == 2u);
    BOOST_TEST(r.root->parts[0].body == "line one\nline two");
    BOOST_TEST(r.root->parts[1].body == "qpline");
}

BOOST_AUTO_TEST_CASE(defaults_and_digest) {
    auto plain = read_mime("Subject: x\r\n\r\nhi");
    BOOST_TEST_REQUIRE(bool(plain));
    BOOST_TEST(plain.root->mime_type == "text/plain");
    BOOST_TEST(plain.root->charset() == "us-ascii");

    auto digest = read_mime(
        "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: inner\r\n\r\nx\r\n--d--");
    BOOST_TEST_REQUIRE(bool(digest));
    BOOST_TEST_REQUIRE(digest.root->parts.size() == 1u);
    BOOST_TEST(digest.root->parts[0].mime_type == "message/rfc822");
    BOOST_TEST(digest.root->parts[0].body == "Subject: inner\r\n\r\nx");
}

BOOST_AUTO_TEST_CASE(empty_parts_and_boundary_lookalikes) {
    auto r = read_mime("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                       "--b\r\n--b\r\n\r\n--bogus is not a delimiter\r\n--b-- \r\n");
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST_REQUIRE(r.root->parts.size() == 2u);
    BOOST_TEST(r.root->parts[0].body == "");
    BOOST_TEST(r.root->parts[1].body == "--bogus is not a delimiter");
}

BOOST_AUTO_TEST_CASE(mbox_line_and_malformed_headers) {
    auto r = read_mime("From someone Mon Jan  1 00:00:00 2024\r\nSubject: s\r\nnot a header\r\nmore\r\n");
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST(*r.root->header("Subject") == "s");
    BOOST_TEST(r.root->body == "not a header\r\nmore\r\n");
    BOOST_TEST(r.defects.size() == 1u);
}

BOOST_AUTO_TEST_CASE(structural_defects_are_tolerated_unless_strict) {
    char const unclosed[] = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\npart\r\n";
    auto lenient = read_mime(unclosed);
    BOOST_TEST_REQUIRE(bool(lenient));
    BOOST_TEST_REQUIRE(lenient.root->parts.size() == 1u);
    BOOST_TEST(lenient.root->parts[0].body == "part\r\n");
    BOOST_TEST(lenient.defects.size() == 1u);

    auto strict = read_mime(unclosed, {.strict = true});
    BOOST_TEST(!strict);
    BOOST_TEST(strict.error == "multipart without a close delimiter");

    auto no_boundary = read_mime("Content-Type: multipart/mixed\r\n\r\nbody");
    BOOST_TEST_REQUIRE(bool(no_boundary));
    BOOST_TEST(no_boundary.root->parts.empty());
    BOOST_TEST(no_boundary.defects.size() == 1u);

    auto never = read_mime("Content-Type: multipart/mixed; boundary=zz\r\n\r\nno delimiter here");
    BOOST_TEST_REQUIRE(bool(never));
    BOOST_TEST(never.root->preamble == "no delimiter here");
    BOOST_TEST(never.defects.size() == 1u);
}

BOOST_AUTO_TEST_CASE(errors_are_results) {
    auto empty = read_mime("");
    BOOST_TEST(!empty);
    BOOST_TEST(empty.error == "empty message");
    BOOST_TEST(!read_mime(" \r\n \r\n"));

    std::string nested =
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        "Content-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n\r\nx\r\n--c--\r\n--b--\r\n--a--\r\n";
    BOOST_TEST(bool(read_mime(nested)));
    auto deep = read_mime(nested, {.max_depth = 2});
    BOOST_TEST(!deep);
    BOOST_TEST(deep.error == "MIME parts nested deeper than 2 levels");
}

BOOST_AUTO_TEST_CASE(charsets) {
    BOOST_TEST(*charset_to_utf8("caf\xE9", "ISO-8859-1") == "café");
    BOOST_TEST(*charset_to_utf8("\x80", "windows-1252") == "€");
    BOOST_TEST(*charset_to_utf8("\xA4", "iso-8859-15") == "€");
    BOOST_TEST(*charset_to_utf8("Γ", "utf-8") == "Γ");
    BOOST_TEST(!charset_to_utf8("x", "koi8-r"));
}

BOOST_AUTO_TEST_CASE(removing_a_header_field_keeps_every_other_byte) {
    std::string const raw = "To: a@example.com\r\nBcc: x@example.com,\r\n y@example.com\r\nSubject: s\r\n\r\n"
                            "Bcc: this line is body text\r\n";
    BOOST_TEST(remove_header_field(raw, "bcc") ==
               "To: a@example.com\r\nSubject: s\r\n\r\nBcc: this line is body text\r\n");
    BOOST_TEST(remove_header_field("Bcc: b@example.com\nTo: a@example.com\n\nbody", "Bcc") ==
               "To: a@example.com\n\nbody");
    BOOST_TEST(remove_header_field(raw, "Cc") == raw);
}

// A seeded mutation sweep: every reader must return a result for any input, never crash.
// GAPI_MIME_MUTATIONS raises the count for sanitizer runs.
BOOST_AUTO_TEST_CASE(survives_mutated_input) {
    std::mt19937_64 rng(20260501);
    char const* env = std::getenv("GAPI_MIME_MUTATIONS");
    int const rounds = env ? std::atoi(env) : 3000;
    std::string const alphabet = "\r\n\t :;=?\"<>(),@-_*'%\\/BQbq0123456789ABCDEFabcdef\x80\xCE\xFF";
    std::string const seeds[] = {greek_mixed,
                                 "To: \"A, B\" <a@example.com>, (c) x@y.org, G: z@w.org;\r\n\r\n",
                                 "Subject: =?UTF-8?Q?a?= =?UTF-8?B?zpM=?=\r\n\r\n"};
    std::size_t parsed = 0;
    for (int i = 0; i < rounds; ++i) {
        std::string text = seeds[rng() % 3];
        int const edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            auto const pos = rng() % text.size();
            switch (rng() % 4) {
            case 0:
                text[pos] = alphabet[rng() % alphabet.size()];
                break;
            case 1:
                text.insert(pos, 1, alphabet[rng() % alphabet.size()]);
                break;
            case 2:
                text.erase(pos, 1 + rng() % 16);
                break;
            default:
                text.insert(pos, text.substr(rng() % text.size(), rng() % 40));
                break;
            }
        }
        auto r = read_mime(text);
        BOOST_TEST((bool(r) || !r.error.empty()));
        parsed += bool(r);
        (void)parse_address_list(text);
        (void)decode_encoded_words(text);
        (void)parse_header_params(text);
        BOOST_TEST(remove_header_field(text, "Zz-Never-There") == text);
    }
    BOOST_TEST(parsed > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
