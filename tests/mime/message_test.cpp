// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include <gapi/mime/content_types.hpp>
#include <gapi/mime/message.hpp>

#include <gapi/emulator/api.hpp>
#include <gapi/emulator/mime_reader.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

// What render writes is read back with the emulator's MIME reader, which shares no
// code with gapi::mime: a round trip through it shows that an independent parser
// gets the original values back, not merely that the builder agrees with itself.

namespace mime = gapi::mime;
namespace emu = gapi::emulator;
using gapi::error;
using gapi::error_code;

namespace {

std::string const greek_subject = "Γεια σου κόσμε";
std::string const greek_name = "Γιώργος Παπαδόπουλος";
std::string const greek_filename = "Αρχείο.pdf";

std::string all_byte_values() {
    std::string out;
    for (int round = 0; round < 3; ++round)
        for (int b = 0; b < 256; ++b)
            out.push_back(static_cast<char>(b));
    return out;
}

mime::message basic_message() {
    mime::message m;
    m.from = {"Alice", "alice@example.com"};
    m.to = {{"Bob", "bob@example.org"}};
    m.subject = "Hello";
    m.text_body = "Hi Bob.\r\n";
    return m;
}

std::string render_ok(mime::message& m) {
    auto r = mime::render(m);
    BOOST_TEST_REQUIRE(r.has_value(), "render failed: " << r.error().message());
    return std::move(*r);
}

// The whole message read strictly: any defect the reader tolerates fails the test.
emu::mime_part read_strict(std::string const& raw) {
    auto r = emu::read_mime(raw);
    for (auto const& defect : r.defects)
        BOOST_TEST_ERROR("MIME defect: " << defect);
    BOOST_TEST_REQUIRE(bool(r), "read_mime failed: " << r.error);
    return std::move(*r.root);
}

std::string header(emu::mime_part const& part, std::string_view name) {
    auto h = part.header(name);
    BOOST_TEST_REQUIRE(h.has_value(), "no " << name << " field");
    return std::string(*h);
}

std::vector<emu::mime_address> addresses(emu::mime_part const& part, std::string_view name) {
    auto list = emu::parse_address_list(header(part, name));
    BOOST_TEST_REQUIRE(list.has_value(), "unparsable " << name << ": " << header(part, name));
    return *list;
}

void collect_leaves(emu::mime_part const& part, std::vector<emu::mime_part const*>& out) {
    if (part.is_multipart())
        for (auto const& child : part.parts)
            collect_leaves(child, out);
    else
        out.push_back(&part);
}

std::vector<emu::mime_part const*> leaves(emu::mime_part const& root) {
    std::vector<emu::mime_part const*> out;
    collect_leaves(root, out);
    return out;
}

std::vector<emu::mime_part const*> attachments_of(emu::mime_part const& root) {
    std::vector<emu::mime_part const*> out;
    for (auto const* leaf : leaves(root))
        if (!leaf->disposition.empty())
            out.push_back(leaf);
    return out;
}

emu::mime_part const* first_leaf_of_type(emu::mime_part const& root, std::string_view type) {
    for (auto const* leaf : leaves(root))
        if (leaf->mime_type == type && leaf->disposition.empty())
            return leaf;
    return nullptr;
}

// Written here rather than taken from gapi: the expected value must not come from the
// code under test.
std::string crlf(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' || text[i] == '\n') {
            out += "\r\n";
            if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::vector<std::string_view> lines_of(std::string_view raw) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < raw.size()) {
        auto const eol = raw.find("\r\n", pos);
        if (eol == std::string_view::npos) {
            out.push_back(raw.substr(pos));
            break;
        }
        out.push_back(raw.substr(pos, eol - pos));
        pos = eol + 2;
    }
    return out;
}

// The lines of every header section: the message's, and each part's (from a delimiter
// line to the next empty line).
std::vector<std::string_view> header_lines(std::string_view raw) {
    std::vector<std::string_view> out;
    bool in_header = true;
    for (auto line : lines_of(raw)) {
        if (line.starts_with("--=_gapi_")) {
            in_header = !line.ends_with("--");
            continue;
        }
        if (in_header && line.empty())
            in_header = false;
        else if (in_header)
            out.push_back(line);
    }
    return out;
}

// The lines of one field, its continuation lines included.
std::vector<std::string_view> field_lines(std::string_view raw, std::string_view name) {
    std::vector<std::string_view> out;
    bool in_field = false;
    for (auto line : lines_of(raw)) {
        if (line.empty())
            break;
        if (line.front() == ' ' || line.front() == '\t') {
            if (in_field)
                out.push_back(line);
            continue;
        }
        in_field =
            line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ':';
        if (in_field)
            out.push_back(line);
    }
    return out;
}

// Whether a header line holds whitespace it could have been folded at: anything but
// the field name and one token (a long media type, Message-ID or address).
bool foldable(std::string_view line) {
    auto const skip_space = [&] {
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
    };
    bool const continuation = line.front() == ' ' || line.front() == '\t';
    skip_space();
    if (!continuation) {
        line.remove_prefix(std::min(line.find(':') + 1, line.size()));
        skip_space();
    }
    return line.find_first_of(" \t") != std::string_view::npos;
}

// Line ends, line lengths and encoded-word sizes, which every rendered message must obey.
void check_form(std::string_view raw, bool short_headers = true) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\n')
            BOOST_TEST_REQUIRE((i > 0 && raw[i - 1] == '\r'), "bare LF at offset " << i);
        if (raw[i] == '\r')
            BOOST_TEST_REQUIRE((i + 1 < raw.size() && raw[i + 1] == '\n'), "bare CR at offset " << i);
    }
    for (auto line : lines_of(raw))
        BOOST_TEST_REQUIRE(line.size() <= 998u);
    for (auto line : header_lines(raw)) {
        if (short_headers && line.size() > 78u && foldable(line))
            BOOST_TEST_ERROR("header line of " << line.size() << ": " << line);
        for (auto pos = line.find("=?UTF-8?"); pos != std::string_view::npos;
             pos = line.find("=?UTF-8?", pos + 1)) {
            auto const end = line.find("?=", pos + 10);
            BOOST_TEST_REQUIRE(end != std::string_view::npos);
            BOOST_TEST(end + 2 - pos <= 75u, "encoded word of " << end + 2 - pos << ": " << line);
        }
    }
}

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() / ("gapi_mime_test_" + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(mime_builder)

BOOST_AUTO_TEST_CASE(greek_subject_name_and_filename_round_trip) {
    mime::message m;
    m.from = {greek_name, "giorgos@example.gr"};
    m.to = {{"Μαρία", "maria@example.gr"}, {"", "plain@example.com"}};
    m.subject = greek_subject;
    m.text_body = "Καλημέρα!\n";
    m.attachments.push_back({greek_filename, "", all_byte_values(), ""});
    std::string const raw = render_ok(m);
    check_form(raw);
    auto const root = read_strict(raw);

    BOOST_TEST(emu::decode_encoded_words(header(root, "Subject")) == greek_subject);
    BOOST_TEST(header(root, "Subject").starts_with("=?UTF-8?B?"));
    auto const from = addresses(root, "From");
    BOOST_TEST_REQUIRE(from.size() == 1u);
    BOOST_TEST(from[0].name == greek_name);
    BOOST_TEST(from[0].email == "giorgos@example.gr");
    auto const to = addresses(root, "To");
    BOOST_TEST_REQUIRE(to.size() == 2u);
    BOOST_TEST(to[0].name == "Μαρία");
    BOOST_TEST(to[1].name == "");
    BOOST_TEST(to[1].email == "plain@example.com");
    BOOST_TEST(header(root, "MIME-Version") == "1.0");

    BOOST_TEST(root.mime_type == "multipart/mixed");
    auto const* text = first_leaf_of_type(root, "text/plain");
    BOOST_TEST_REQUIRE(text);
    BOOST_TEST(text->body == "Καλημέρα!\r\n");
    BOOST_TEST(text->charset() == "utf-8");
    BOOST_TEST(text->transfer_encoding == "quoted-printable");

    auto const files = attachments_of(root);
    BOOST_TEST_REQUIRE(files.size() == 1u);
    BOOST_TEST(files[0]->filename == greek_filename);
    BOOST_TEST(files[0]->disposition == "attachment");
    BOOST_TEST(files[0]->mime_type == "application/pdf");
    BOOST_TEST(files[0]->transfer_encoding == "base64");
    BOOST_TEST(files[0]->body == all_byte_values());
    // RFC 2231 for current clients, an RFC 2047 name for old ones.
    BOOST_TEST(raw.find("filename*=UTF-8''%CE%91%CF%81%CF%87%CE%B5%CE%AF%CE%BF.pdf") != std::string::npos);
    BOOST_TEST(emu::decode_encoded_words(files[0]->content_type_params.at("name")) == greek_filename);
}

BOOST_AUTO_TEST_CASE(bulk_senders_unsubscribe_headers_follow_rfc_2369_and_8058) {
    auto m = basic_message();
    m.text_body = "Hello\n";
    m.unsubscribe_url = "https://example.com/unsubscribe?list=news&u=" + std::string(80, 'x');
    m.unsubscribe_mailto = {"", "unsubscribe@example.com"};
    std::string const raw = render_ok(m);
    check_form(raw);
    auto const root = read_strict(raw);
    BOOST_TEST(header(root, "List-Unsubscribe") ==
               "<mailto:unsubscribe@example.com?subject=unsubscribe>, <" + m.unsubscribe_url + ">");
    BOOST_TEST(header(root, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click");

    // A mailto alone: no one-click POST, which needs an https URL.
    auto mail_only = basic_message();
    mail_only.text_body = "Hello\n";
    mail_only.unsubscribe_mailto = {"", "unsubscribe@example.com"};
    auto const mail_only_root = read_strict(render_ok(mail_only));
    BOOST_TEST(header(mail_only_root, "List-Unsubscribe") == "<mailto:unsubscribe@example.com?subject=unsubscribe>");
    BOOST_TEST(render_ok(mail_only).find("List-Unsubscribe-Post") == std::string::npos);

    for (auto const& [url, expected] : std::vector<std::pair<std::string, gapi::error_code>>{
             {"http://example.com/u", gapi::error::invalid_url},
             {"https://", gapi::error::invalid_url},
             {"https://example.com/a b", gapi::error::invalid_url},
             {"https://example.com/>", gapi::error::invalid_url},
             {"https://example.com/\r\nBcc: victim@example.com", gapi::error::header_injection}}) {
        auto bad = basic_message();
        bad.text_body = "Hello\n";
        bad.unsubscribe_url = url;
        auto const r = mime::render(bad);
        BOOST_TEST_REQUIRE(!r.has_value(), url);
        BOOST_TEST(r.error() == expected, url);
    }
    // The fields are render's own: not through extra_headers.
    auto smuggled = basic_message();
    smuggled.extra_headers = {{"List-Unsubscribe", "<https://example.com/u>"}};
    BOOST_TEST(mime::render(smuggled).error() == gapi::error::header_injection);
}

BOOST_AUTO_TEST_CASE(text_only_is_a_single_text_plain_part) {
    auto m = basic_message();
    m.text_body = "Line one\nLine two\n";
    std::string const raw = render_ok(m);
    check_form(raw);
    auto const root = read_strict(raw);
    BOOST_TEST(root.mime_type == "text/plain");
    BOOST_TEST(root.charset() == "utf-8");
    BOOST_TEST(root.transfer_encoding == "7bit");
    BOOST_TEST(root.body == "Line one\r\nLine two\r\n");
    BOOST_TEST(header(root, "Subject") == "Hello");
    auto const from = addresses(root, "From");
    BOOST_TEST((from[0] == emu::mime_address{"Alice", "alice@example.com"}));
}

BOOST_AUTO_TEST_CASE(html_only_is_a_single_text_html_part) {
    auto m = basic_message();
    m.text_body.clear();
    m.html_body = "<p>Hello <b>Bob</b></p>";
    auto const root = read_strict(render_ok(m));
    BOOST_TEST(root.mime_type == "text/html");
    BOOST_TEST(root.charset() == "utf-8");
    BOOST_TEST(root.body == m.html_body);
}

BOOST_AUTO_TEST_CASE(text_and_html_are_alternatives_plain_first) {
    auto m = basic_message();
    m.text_body = "Plain ünïcode";
    m.html_body = "<p>Rich</p>";
    std::string const raw = render_ok(m);
    check_form(raw);
    auto const root = read_strict(raw);
    BOOST_TEST_REQUIRE(root.mime_type == "multipart/alternative");
    BOOST_TEST_REQUIRE(root.parts.size() == 2u);
    BOOST_TEST(root.parts[0].mime_type == "text/plain");
    BOOST_TEST(root.parts[0].body == "Plain ünïcode");
    BOOST_TEST(root.parts[1].mime_type == "text/html");
    BOOST_TEST(root.parts[1].body == "<p>Rich</p>");
    BOOST_TEST(root.content_type_params.at("boundary").starts_with("=_gapi_"));
    BOOST_TEST(root.content_type_params.at("boundary").size() == 31u);
}

BOOST_AUTO_TEST_CASE(inline_image_goes_into_related_with_the_html) {
    auto m = basic_message();
    m.html_body = "<p><img src=\"cid:logo\"></p>";
    std::string const png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    m.attachments.push_back({"logo.png", "", png, "logo"});
    m.attachments.push_back({"report.csv", "", "a,b\n1,2\n", ""});
    std::string const raw = render_ok(m);
    check_form(raw);
    auto const root = read_strict(raw);
    // mixed [ alternative [ text/plain, related [ text/html, image/png ] ], text/csv ]
    BOOST_TEST_REQUIRE(root.mime_type == "multipart/mixed");
    BOOST_TEST_REQUIRE(root.parts.size() == 2u);
    auto const& alternative = root.parts[0];
    BOOST_TEST_REQUIRE(alternative.mime_type == "multipart/alternative");
    BOOST_TEST_REQUIRE(alternative.parts.size() == 2u);
    BOOST_TEST(alternative.parts[0].mime_type == "text/plain");
    auto const& related = alternative.parts[1];
    BOOST_TEST_REQUIRE(related.mime_type == "multipart/related");
    BOOST_TEST(related.content_type_params.at("type") == "text/html");
    BOOST_TEST_REQUIRE(related.parts.size() == 2u);
    BOOST_TEST(related.parts[0].mime_type == "text/html");
    BOOST_TEST(related.parts[0].body == m.html_body);
    auto const& image = related.parts[1];
    BOOST_TEST(image.mime_type == "image/png");
    BOOST_TEST(image.disposition == "inline");
    BOOST_TEST(header(image, "Content-ID") == "<logo>");
    BOOST_TEST(image.filename == "logo.png");
    BOOST_TEST(image.body == png);
    auto const& csv = root.parts[1];
    BOOST_TEST(csv.mime_type == "text/csv");
    BOOST_TEST(csv.disposition == "attachment");
    BOOST_TEST(csv.body == "a,b\n1,2\n"); // base64 keeps even a text file's LF line ends
}

BOOST_AUTO_TEST_CASE(inline_part_without_html_travels_as_an_ordinary_part) {
    auto m = basic_message();
    m.attachments.push_back({"logo.png", "image/png", "PNG", "<logo@example.com>"});
    auto const root = read_strict(render_ok(m));
    BOOST_TEST_REQUIRE(root.mime_type == "multipart/mixed");
    BOOST_TEST_REQUIRE(root.parts.size() == 2u);
    BOOST_TEST(root.parts[1].disposition == "inline");
    BOOST_TEST(header(root.parts[1], "Content-ID") == "<logo@example.com>");
}

BOOST_AUTO_TEST_CASE(forwarded_messages_are_not_base64_encoded) {
    // RFC 2046 §5.2.1: a message/rfc822 body may only be 7bit, 8bit or binary, so that
    // readers can show the message inside.
    std::string const forwarded = "From: a@example.com\r\nSubject: old\r\n\r\nOld body\r\n";
    std::string const eight_bit = "Subject: caf\xC3\xA9\r\n\r\nbody";
    std::string const binary = std::string("Subject: x\r\n\r\n\0\nbare LF", 24);
    auto m = basic_message();
    m.attachments.push_back({"old.eml", "", forwarded, ""});
    m.attachments.push_back({"eight.eml", "", eight_bit, ""});
    m.attachments.push_back({"binary.eml", "", binary, ""});
    std::string const raw = render_ok(m);
    auto const root = read_strict(raw);
    auto const files = attachments_of(root);
    BOOST_TEST_REQUIRE(files.size() == 3u);
    BOOST_TEST(files[0]->mime_type == "message/rfc822");
    BOOST_TEST(files[0]->transfer_encoding == "7bit");
    BOOST_TEST(files[0]->body == forwarded);
    BOOST_TEST(files[1]->transfer_encoding == "8bit");
    BOOST_TEST(files[1]->body == eight_bit);
    // Not canonical (NUL, bare LF): it could only be "binary", which relays cannot carry.
    BOOST_TEST(files[2]->mime_type == "application/octet-stream");
    BOOST_TEST(files[2]->transfer_encoding == "base64");
    BOOST_TEST(files[2]->body == binary);
    check_form(raw);
}

BOOST_AUTO_TEST_CASE(attachments_without_a_body_and_an_empty_message) {
    auto m = basic_message();
    m.text_body.clear();
    m.attachments.push_back({"", "", "data", ""});
    auto const root = read_strict(render_ok(m));
    BOOST_TEST_REQUIRE(root.mime_type == "multipart/mixed");
    BOOST_TEST_REQUIRE(root.parts.size() == 1u);
    BOOST_TEST(root.parts[0].mime_type == "application/octet-stream");
    BOOST_TEST(root.parts[0].filename == "");
    BOOST_TEST(root.parts[0].body == "data");

    auto empty = basic_message();
    empty.text_body.clear();
    empty.subject.clear();
    std::string const raw = render_ok(empty);
    auto const bare = read_strict(raw);
    BOOST_TEST(bare.mime_type == "text/plain");
    BOOST_TEST(bare.body == "");
    BOOST_TEST(!bare.header("Subject").has_value());
}

BOOST_AUTO_TEST_CASE(transfer_encodings_follow_the_content) {
    auto pick = [](std::string body) {
        auto m = basic_message();
        m.text_body = std::move(body);
        auto const root = read_strict(render_ok(m));
        BOOST_TEST(root.body == crlf(m.text_body));
        return root.transfer_encoding;
    };
    BOOST_TEST(pick("plain ascii\nlines") == "7bit");
    BOOST_TEST(pick(std::string(998, 'x')) == "7bit");
    BOOST_TEST(pick(std::string(999, 'x')) == "quoted-printable");
    BOOST_TEST(pick("trailing space \nkept") == "quoted-printable");
    BOOST_TEST(pick("caf\xC3\xA9") == "quoted-printable");
    BOOST_TEST(pick(std::string("nul\0byte", 8)) == "quoted-printable");
    BOOST_TEST(pick("bare\rcarriage return") == "7bit"); // made CRLF first

    // Quoted-printable lines stay within 76 characters and '=' is escaped.
    auto m = basic_message();
    m.text_body = std::string(500, '=') + "\n" + std::string(300, 'a') + " \t";
    std::string const raw = render_ok(m);
    auto const body = raw.substr(raw.find("\r\n\r\n") + 4);
    for (auto line : lines_of(body))
        BOOST_TEST(line.size() <= 76u);
    BOOST_TEST(read_strict(raw).body == crlf(m.text_body));
}

BOOST_AUTO_TEST_CASE(long_subjects_fold_within_78_columns) {
    std::vector<std::string> subjects = {
        "A rather long subject line that certainly needs to be folded somewhere because it goes on "
        "and on well past the seventy-eight column limit of RFC 5322",
        "Two  spaces\tand a tab survive folding exactly as written, at least that is the idea here ok",
        std::string(150, 'x'),
        "Leading and trailing spaces are kept ",
        "Looks like =?UTF-8?B?SGk=?= an encoded word",
        "Ελληνικά και English μαζί σε ένα πολύ μακρύ θέμα που πρέπει να διπλωθεί σε πολλές γραμμές "
        "χωρίς να κοπεί κανένας χαρακτήρας στη μέση 😀😀😀",
        std::string(40, 'x') + "\xF0\x9F\x98\x80" + std::string(40, 'y'),
    };
    for (auto const& subject : subjects) {
        auto m = basic_message();
        m.subject = subject;
        std::string const raw = render_ok(m);
        check_form(raw);
        auto const lines = field_lines(raw, "Subject");
        BOOST_TEST_REQUIRE(!lines.empty());
        for (auto line : lines)
            BOOST_TEST(line.size() <= 78u, "Subject line of " << line.size() << ": " << line);
        BOOST_TEST(emu::decode_encoded_words(header(read_strict(raw), "Subject")) == subject);
    }
    // Plain ASCII stays readable.
    auto m = basic_message();
    m.subject = subjects[0];
    std::string const raw = render_ok(m);
    BOOST_TEST(field_lines(raw, "Subject").size() > 1u);
    BOOST_TEST(raw.find("=?") == std::string::npos);
    BOOST_TEST(header(read_strict(raw), "Subject") == subjects[0]);
}

BOOST_AUTO_TEST_CASE(display_names_are_quoted_or_encoded) {
    auto format = [](std::string name) {
        auto r = mime::format_address({std::move(name), "a@example.com"});
        BOOST_TEST_REQUIRE(r.has_value());
        return *r;
    };
    BOOST_TEST(format("") == "a@example.com");
    BOOST_TEST(format("John Doe") == "John Doe <a@example.com>");
    BOOST_TEST(format("Doe, John") == "\"Doe, John\" <a@example.com>");
    BOOST_TEST(format("J. \"Q\" Public\\") == "\"J. \\\"Q\\\" Public\\\\\" <a@example.com>");
    BOOST_TEST(format("Γιώργος") == "=?UTF-8?B?zpPOuc+Oz4HOs86/z4I=?= <a@example.com>");
    // Q when it is shorter, which keeps mostly-ASCII names readable.
    BOOST_TEST(format("Fran\xC3\xA7ois Dupont-Lefebvre") ==
               "=?UTF-8?Q?Fran=C3=A7ois_Dupont-Lefebvre?= <a@example.com>");

    for (std::string name :
         std::vector<std::string>{"Doe, John", "a (comment) <x> @ : ; . [ ]", "J. \"Q\" Public\\",
                                  " spaced  out ", "Γιώργος Παπαδόπουλος", "Andr\xC3\xA9 Ω",
                                  std::string(120, 'n'), std::string(90, 'q') + " " + std::string(50, 'r')}) {
        auto const formatted = format(name);
        auto const parsed = emu::parse_address_list(formatted);
        BOOST_TEST_REQUIRE(parsed.has_value(), formatted);
        BOOST_TEST_REQUIRE(parsed->size() == 1u);
        BOOST_TEST((*parsed)[0].name == name);
        BOOST_TEST((*parsed)[0].email == "a@example.com");
    }
}

BOOST_AUTO_TEST_CASE(parse_address_accepts_what_people_write) {
    auto parse = [](std::string_view text) {
        auto r = mime::parse_address(text);
        BOOST_TEST_REQUIRE(r.has_value(), text << ": " << r.error().message());
        return *r;
    };
    BOOST_TEST((parse("John Doe <john@example.com>") == mime::address{"John Doe", "john@example.com"}));
    BOOST_TEST((parse("\"Doe, John\" <john@example.com>") == mime::address{"Doe, John", "john@example.com"}));
    BOOST_TEST((parse("  john@example.com ") == mime::address{"", "john@example.com"}));
    BOOST_TEST((parse("<john@example.com>") == mime::address{"", "john@example.com"}));
    BOOST_TEST((parse("\"a \\\"b\\\"\" <x@example.com>") == mime::address{"a \"b\"", "x@example.com"}));
    BOOST_TEST((parse("Γιώργος   Π. <g@example.gr>") == mime::address{"Γιώργος Π.", "g@example.gr"}));
    BOOST_TEST((parse("\"john doe\"@example.com") == mime::address{"", "\"john doe\"@example.com"}));
    BOOST_TEST(
        (parse("first.last+tag@sub.example.co.uk") == mime::address{"", "first.last+tag@sub.example.co.uk"}));
    BOOST_TEST((parse("x@xn--bcher-kva.example") == mime::address{"", "x@xn--bcher-kva.example"}));

    auto list = mime::parse_address_list("\"Doe, John\" <j@example.com>, b@example.org,, C <c@example.net>");
    BOOST_TEST_REQUIRE(list.has_value());
    BOOST_TEST_REQUIRE(list->size() == 3u);
    BOOST_TEST(((*list)[0] == mime::address{"Doe, John", "j@example.com"}));
    BOOST_TEST(((*list)[2] == mime::address{"C", "c@example.net"}));
    BOOST_TEST(mime::parse_address_list("a@example.com, bad").error() == error::invalid_address);
}

BOOST_AUTO_TEST_CASE(invalid_addresses_are_refused) {
    for (std::string_view text : {"",
                                  "missing-at.example.com",
                                  "a b@example.com",
                                  "a..b@example.com",
                                  "a.@example.com",
                                  ".a@example.com",
                                  "a@example.com.",
                                  "a@",
                                  "@b.com",
                                  "<a@b.com",
                                  "Name <a@b.com",
                                  "a@b.com>",
                                  "Name <a@b.com> trailing",
                                  "\"unterminated <a@b.com>",
                                  "a@localhost",
                                  "a@-b.com",
                                  "a@b-.com",
                                  "a@b..com",
                                  "a@[192.0.2.1]",
                                  "a@bücher.example",
                                  "ü@example.com",
                                  "a@b.com, c@d.com",
                                  "a@b_c.com",
                                  "a\"b@example.com"}) {
        auto r = mime::parse_address(text);
        BOOST_TEST_REQUIRE(!r.has_value(), "accepted: " << text);
        BOOST_TEST(r.error() == error::invalid_address, text);
        BOOST_TEST(r.error() == gapi::condition::invalid_argument);
    }
    BOOST_TEST(mime::parse_address(std::string(65, 'a') + "@example.com").error() == error::invalid_address);
    BOOST_TEST(mime::parse_address("a@" + std::string(64, 'b') + ".com").error() == error::invalid_address);

    for (std::string email : {"missing-at.example.com", "a b@example.com", "a..b@example.com", "a@", "@b"}) {
        auto m = basic_message();
        m.cc = {{"Someone", email}};
        auto r = mime::render(m);
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error() == error::invalid_address);
        BOOST_TEST(m.message_id.empty());
    }
    auto m = basic_message();
    m.from.email.clear(); // a name without an address
    BOOST_TEST(mime::render(m).error() == error::invalid_address);
}

BOOST_AUTO_TEST_CASE(line_breaks_in_headers_are_refused_and_nothing_is_produced) {
    std::vector<std::function<void(mime::message&)>> injections = {
        [](mime::message& m) { m.subject = "Hi\r\nBcc: victim@example.com"; },
        [](mime::message& m) { m.subject = "Hi\nthere"; },
        [](mime::message& m) { m.subject = std::string("Hi\0there", 8); },
        [](mime::message& m) { m.from.name = "Alice\r\nBcc: victim@example.com"; },
        [](mime::message& m) { m.to[0].name = "Bob\r"; },
        [](mime::message& m) { m.to[0].email = "bob@example.org\r\nBcc: victim@example.com"; },
        [](mime::message& m) {
            m.bcc = {{"", "x@example.com\n"}};
        },
        [](mime::message& m) {
            m.reply_to = mime::address{"R\n", "r@example.com"};
        },
        [](mime::message& m) {
            m.attachments.push_back({"a\r\nb.txt", "", "x", ""});
        },
        [](mime::message& m) {
            m.attachments.push_back({"a.txt", "text/plain\r\nX: y", "x", ""});
        },
        [](mime::message& m) {
            m.attachments.push_back({"a.png", "", "x", "logo\r\n"});
        },
        [](mime::message& m) {
            m.attachments.push_back({"a.png", "", "x", "two words"});
        },
        [](mime::message& m) {
            m.extra_headers.push_back({"In-Reply-To", "<a@b>\r\nBcc: victim@example.com"});
        },
        [](mime::message& m) {
            m.extra_headers.push_back({"X-Evil\r\nBcc", "v@example.com"});
        },
        [](mime::message& m) {
            m.extra_headers.push_back({"Bcc: v@example.com\r\nX", "1"});
        },
        [](mime::message& m) {
            m.extra_headers.push_back({"X Space", "1"});
        },
        [](mime::message& m) {
            m.extra_headers.push_back({"", "1"});
        },
        [](mime::message& m) {
            m.extra_headers.push_back({"bcc", "v@example.com"});
        },
        [](mime::message& m) {
            m.extra_headers.push_back({"Content-Type", "text/html"});
        },
        [](mime::message& m) { m.message_id = "<id@example.com>\r\nBcc: v@example.com"; },
        [](mime::message& m) { m.message_id = "<two words@example.com>"; },
    };
    for (std::size_t i = 0; i < injections.size(); ++i) {
        auto m = basic_message();
        injections[i](m);
        auto const id_before = m.message_id;
        auto r = mime::render(m);
        BOOST_TEST_REQUIRE(!r.has_value(), "case " << i << " rendered");
        BOOST_TEST(r.error() == error::header_injection, "case " << i << ": " << r.error().message());
        BOOST_TEST(r.error() == gapi::condition::invalid_argument);
        BOOST_TEST(m.message_id == id_before);
    }
    BOOST_TEST(mime::parse_address("Eve <e@example.com>\r\nBcc: v@example.com").error() ==
               error::header_injection);
    BOOST_TEST(mime::format_address({"A\nB", "a@example.com"}).error() == error::header_injection);
    BOOST_TEST(mime::validate_address({"A", "a@example.com\r"}) == error::header_injection);
}

BOOST_AUTO_TEST_CASE(bcc_reply_to_and_extra_headers_are_written) {
    auto m = basic_message();
    m.cc = {{"Carol", "carol@example.org"}};
    m.bcc = {{"", "hidden@example.net"}, {"Δ", "d@example.net"}};
    m.reply_to = mime::address{"Replies", "replies@example.com"};
    std::string references;
    for (int i = 0; i < 12; ++i)
        references +=
            (i ? " " : "") + std::string("<ref") + std::to_string(i) + "-0123456789@mail.example.com>";
    m.extra_headers = {{"In-Reply-To", "<orig@example.com>"},
                       {"References", references},
                       {"X-Note", "σημείωση"},
                       {"X-Long-Token", std::string(1200, 't')}};
    std::string const raw = render_ok(m);
    check_form(raw, false);
    auto const root = read_strict(raw);
    BOOST_TEST((addresses(root, "Bcc") ==
                std::vector<emu::mime_address>{{"", "hidden@example.net"}, {"Δ", "d@example.net"}}));
    BOOST_TEST((addresses(root, "Cc") == std::vector<emu::mime_address>{{"Carol", "carol@example.org"}}));
    BOOST_TEST(
        (addresses(root, "Reply-To") == std::vector<emu::mime_address>{{"Replies", "replies@example.com"}}));
    BOOST_TEST(header(root, "In-Reply-To") == "<orig@example.com>");
    BOOST_TEST(header(root, "References") == references); // folded between ids, never inside one
    for (auto line : field_lines(raw, "References"))
        BOOST_TEST(line.size() <= 78u);
    BOOST_TEST(emu::decode_encoded_words(header(root, "X-Note")) == "σημείωση");
    BOOST_TEST(emu::decode_encoded_words(header(root, "X-Long-Token")) == std::string(1200, 't'));
}

BOOST_AUTO_TEST_CASE(long_and_awkward_filenames) {
    std::vector<std::string> names = {
        "report.pdf",
        "quote\"and\\backslash; semi.txt",
        " leading and trailing spaces ",
        std::string(200, 'a') + ".txt",
        "Πολύ μακρύ όνομα αρχείου με ελληνικούς χαρακτήρες που δεν χωράει σε μία γραμμή.docx",
        "tab\there.txt",
        "emoji 😀 file.png",
    };
    auto m = basic_message();
    for (auto const& name : names)
        m.attachments.push_back({name, "", "content of " + name, ""});
    std::string const raw = render_ok(m);
    check_form(raw);
    auto const root = read_strict(raw);
    auto const files = attachments_of(root);
    BOOST_TEST_REQUIRE(files.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        BOOST_TEST(files[i]->filename == names[i]);
        BOOST_TEST(emu::decode_encoded_words(files[i]->content_type_params.at("name")) == names[i]);
        BOOST_TEST(files[i]->body == "content of " + names[i]);
    }
    BOOST_TEST(raw.find("filename*0*=UTF-8''%CE%A0") != std::string::npos);
    BOOST_TEST(raw.find("Content-Type: application/vnd.openxmlformats-officedocument") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(date_is_rfc_5322_in_utc) {
    using namespace std::chrono;
    auto m = basic_message();
    m.date = sys_days{year{2026} / January / 1} + hours{9} + minutes{5} + seconds{7} + milliseconds{900};
    auto const root = read_strict(render_ok(m));
    BOOST_TEST(header(root, "Date") == "Thu, 01 Jan 2026 09:05:07 +0000");

    auto now = basic_message();
    auto const date = header(read_strict(render_ok(now)), "Date");
    BOOST_TEST(date.ends_with(" +0000"));
    BOOST_TEST(date.size() == 31u);
}

BOOST_AUTO_TEST_CASE(message_id_is_generated_under_the_senders_domain_and_unique) {
    std::set<std::string> ids;
    for (int i = 0; i < 1000; ++i) {
        auto m = basic_message();
        m.from.email = "alice@Mail.Example.COM";
        std::string const raw = render_ok(m);
        BOOST_TEST_REQUIRE(m.message_id.starts_with("<"));
        BOOST_TEST_REQUIRE(m.message_id.ends_with("@mail.example.com>"));
        if (i < 5)
            BOOST_TEST(header(read_strict(raw), "Message-ID") == m.message_id);
        ids.insert(m.message_id);
    }
    BOOST_TEST(ids.size() == 1000u);

    auto given = basic_message();
    given.message_id = "my-id@example.com";
    auto const root = read_strict(render_ok(given));
    BOOST_TEST(header(root, "Message-ID") == "<my-id@example.com>");
    BOOST_TEST(given.message_id == "<my-id@example.com>");

    auto anonymous = basic_message();
    anonymous.from = {};
    auto const bare = read_strict(render_ok(anonymous));
    BOOST_TEST(!bare.header("From").has_value()); // Gmail fills in the authorised user
    BOOST_TEST(anonymous.message_id.ends_with("@mail.gmail.com>"));
}

BOOST_AUTO_TEST_CASE(messages_above_35_mb_are_refused) {
    auto m = basic_message();
    m.attachments.push_back({"big.bin", "", std::string(36u * 1024 * 1024, '\x5a'), ""});
    auto r = mime::render(m);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error() == error::message_too_large);
    BOOST_TEST(r.error() == gapi::condition::invalid_argument);
    BOOST_TEST(m.message_id.empty());

    // The limit applies to the rendered message: an attachment that fits on its own
    // but not with the body and headers is refused too, and one a little smaller passes.
    std::size_t const fits = (mime::max_message_size - 8192) / 78 * 57;
    auto near = basic_message();
    near.attachments.push_back({"near.bin", "", std::string(fits, 'q'), ""});
    auto ok = mime::render(near);
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(ok->size() <= mime::max_message_size);
    BOOST_TEST(ok->size() > mime::max_message_size - 20000);
    near.message_id.clear();
    near.text_body = std::string(20000, 'b');
    auto over = mime::render(near);
    BOOST_TEST_REQUIRE(!over.has_value());
    BOOST_TEST(over.error() == error::message_too_large);
}

BOOST_AUTO_TEST_CASE(content_type_table) {
    using mime::content_type_for;
    BOOST_TEST(content_type_for("a.txt") == "text/plain");
    BOOST_TEST(content_type_for("index.HTML") == "text/html");
    BOOST_TEST(content_type_for("index.htm") == "text/html");
    BOOST_TEST(content_type_for("data.csv") == "text/csv");
    BOOST_TEST(content_type_for("Αρχείο.pdf") == "application/pdf");
    BOOST_TEST(content_type_for("photo.JPG") == "image/jpeg");
    BOOST_TEST(content_type_for("photo.jpeg") == "image/jpeg");
    BOOST_TEST(content_type_for("a.png") == "image/png");
    BOOST_TEST(content_type_for("a.gif") == "image/gif");
    BOOST_TEST(content_type_for("a.svg") == "image/svg+xml");
    BOOST_TEST(content_type_for("a.webp") == "image/webp");
    BOOST_TEST(content_type_for("a.zip") == "application/zip");
    BOOST_TEST(content_type_for("backup.tar.gz") == "application/gzip");
    BOOST_TEST(content_type_for("a.tar") == "application/x-tar");
    BOOST_TEST(content_type_for("a.json") == "application/json");
    BOOST_TEST(content_type_for("a.xml") == "application/xml");
    BOOST_TEST(content_type_for("a.doc") == "application/msword");
    BOOST_TEST(content_type_for("a.docx") ==
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    BOOST_TEST(content_type_for("a.xls") == "application/vnd.ms-excel");
    BOOST_TEST(content_type_for("a.xlsx") ==
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    BOOST_TEST(content_type_for("a.ppt") == "application/vnd.ms-powerpoint");
    BOOST_TEST(content_type_for("a.pptx") ==
               "application/vnd.openxmlformats-officedocument.presentationml.presentation");
    BOOST_TEST(content_type_for("a.odt") == "application/vnd.oasis.opendocument.text");
    BOOST_TEST(content_type_for("a.ods") == "application/vnd.oasis.opendocument.spreadsheet");
    BOOST_TEST(content_type_for("a.mp3") == "audio/mpeg");
    BOOST_TEST(content_type_for("a.mp4") == "video/mp4");
    BOOST_TEST(content_type_for("a.wav") == "audio/wav");
    BOOST_TEST(content_type_for("invite.ics") == "text/calendar");
    BOOST_TEST(content_type_for("fwd.eml") == "message/rfc822");
    BOOST_TEST(content_type_for("Makefile") == "application/octet-stream");
    BOOST_TEST(content_type_for("trailing.") == "application/octet-stream");
    BOOST_TEST(content_type_for("") == "application/octet-stream");
    BOOST_TEST(content_type_for("a.unknownext") == "application/octet-stream");
    BOOST_TEST(content_type_for("dir.d/README") == "application/octet-stream");
    BOOST_TEST(content_type_for("C:\\docs.d\\file") == "application/octet-stream");
}

BOOST_AUTO_TEST_CASE(attachment_from_a_file) {
    temp_dir dir;
    auto const path = dir.path / "Αναφορά.PDF";
    {
        std::ofstream out(path, std::ios::binary);
        out << all_byte_values();
    }
    auto a = mime::attachment_from_file(path);
    BOOST_TEST_REQUIRE(a.has_value(), a.error().message());
    BOOST_TEST(a->filename == "Αναφορά.PDF");
    BOOST_TEST(a->content_type == "application/pdf");
    BOOST_TEST(a->data == all_byte_values());
    BOOST_TEST(a->content_id.empty());

    auto m = basic_message();
    m.attachments.push_back(std::move(*a));
    auto const root = read_strict(render_ok(m));
    auto const files = attachments_of(root);
    BOOST_TEST_REQUIRE(files.size() == 1u);
    BOOST_TEST(files[0]->filename == "Αναφορά.PDF");
    BOOST_TEST(files[0]->body == all_byte_values());

    { std::ofstream empty(dir.path / "empty.txt"); }
    auto e = mime::attachment_from_file(dir.path / "empty.txt");
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->data.empty());
    BOOST_TEST(e->content_type == "text/plain");

    auto missing = mime::attachment_from_file(dir.path / "missing.pdf");
    BOOST_TEST_REQUIRE(!missing.has_value());
    BOOST_TEST(missing.error() == error::attachment_unreadable);
    BOOST_TEST(missing.error() == gapi::condition::invalid_argument);
    BOOST_TEST(mime::attachment_from_file(dir.path).error() == error::attachment_unreadable);
}

BOOST_AUTO_TEST_CASE(error_messages) {
    BOOST_TEST(error_code(error::invalid_address).message() == "invalid e-mail address");
    BOOST_TEST(error_code(error::header_injection).message() == "CR or LF in a header value");
    BOOST_TEST(error_code(error::message_too_large).message() == "the message exceeds Gmail's 35 MB limit");
    BOOST_TEST(error_code(error::attachment_unreadable).message() == "an attachment file cannot be read");
}

// ---- random messages --------------------------------------------------------------

namespace {

class generator {
public:
    explicit generator(std::uint32_t seed) : rng_(seed) {}

    std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
    bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }

    // Text in any script, with the characters that need quoting, escaping or encoding.
    std::string text(std::size_t max_chars, bool line_breaks) {
        std::string out;
        std::size_t const n = below(max_chars + 1);
        for (std::size_t i = 0; i < n; ++i) {
            switch (below(line_breaks ? 9 : 8)) {
            case 0:
            case 1:
                out.push_back(static_cast<char>(0x20 + below(0x5F))); // printable ASCII
                break;
            case 2:
                out.push_back(' ');
                break;
            case 3:
                append_utf8(out, static_cast<std::uint32_t>(0x391 + below(0x39))); // Greek
                break;
            case 4:
                append_utf8(out, static_cast<std::uint32_t>(0xA0 + below(0x60))); // Latin-1
                break;
            case 5:
                append_utf8(out, static_cast<std::uint32_t>(0x4E00 + below(0x5000))); // CJK
                break;
            case 6:
                append_utf8(out, static_cast<std::uint32_t>(0x1F600 + below(0x50))); // emoji
                break;
            case 7:
                out.push_back(std::string_view("\t\"\\=?_()<>,;:@.[]")[below(17)]);
                break;
            case 8: {
                static constexpr std::string_view breaks[] = {"\n", "\r\n", "\r"};
                out += breaks[below(3)];
                break;
            }
            }
        }
        return out;
    }

    std::string word(std::string_view alphabet, std::size_t max) {
        std::string out;
        std::size_t const n = 1 + below(max);
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(alphabet[below(alphabet.size())]);
        return out;
    }

    std::string email() {
        static constexpr std::string_view atext =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            "!#$%&'*+-/=?^_`{|}~";
        static constexpr std::string_view label = "abcdefghijklmnopqrstuvwxyz0123456789";
        std::string local = chance(10) ? "\"" + word("abc def.@,", 10) + "\"" : word(atext, 10);
        if (local.front() != '"' && chance(30))
            local += "." + word(atext, 6);
        std::string domain = word(label, 10);
        for (std::size_t labels = 1 + below(3); labels > 0; --labels)
            domain += "." + word(label, 8);
        return local + "@" + domain;
    }

    mime::address mailbox() { return {chance(20) ? std::string() : text(30, false), email()}; }

    std::string bytes(std::size_t max) {
        std::string out(below(max + 1), '\0');
        for (auto& c : out)
            c = static_cast<char>(below(256));
        return out;
    }

private:
    static void append_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }

    std::mt19937 rng_;
};

void check_mailboxes(emu::mime_part const& root, std::string_view field,
                     std::vector<mime::address> const& expected) {
    if (expected.empty()) {
        BOOST_TEST(!root.header(field).has_value());
        return;
    }
    auto const got = addresses(root, field);
    BOOST_TEST_REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        BOOST_TEST(got[i].name == expected[i].name, field << " name " << i);
        BOOST_TEST(got[i].email == expected[i].email, field << " email " << i);
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(random_messages_round_trip_through_an_independent_reader) {
    generator gen(20260101);
    for (int round = 0; round < 200; ++round) {
        BOOST_TEST_CONTEXT("round " << round) {
            mime::message m;
            m.from = gen.mailbox();
            for (std::size_t n = 1 + gen.below(3); n > 0; --n)
                m.to.push_back(gen.mailbox());
            for (std::size_t n = gen.below(3); n > 0; --n)
                m.cc.push_back(gen.mailbox());
            for (std::size_t n = gen.below(2); n > 0; --n)
                m.bcc.push_back(gen.mailbox());
            if (gen.chance(30))
                m.reply_to = gen.mailbox();
            m.subject = gen.text(gen.chance(20) ? 200 : 40, false);
            if (gen.chance(80))
                m.text_body = gen.text(gen.chance(10) ? 3000 : 300, true);
            if (gen.chance(50))
                m.html_body = "<p>" + gen.text(300, true) + "</p>";
            for (std::size_t n = gen.below(4); n > 0; --n) {
                mime::attachment a;
                a.filename = gen.chance(10) ? std::string() : gen.text(gen.chance(20) ? 120 : 20, false);
                a.data = gen.bytes(gen.chance(10) ? 50000 : 2000);
                if (gen.chance(30))
                    a.content_id = gen.word("abcdef0123456789.@", 20);
                m.attachments.push_back(std::move(a));
            }
            std::string const note = gen.text(60, false);
            m.extra_headers.push_back({"X-Note", note});

            std::string const raw = render_ok(m);
            check_form(raw);
            auto const root = read_strict(raw);

            if (m.subject.empty())
                BOOST_TEST(!root.header("Subject").has_value());
            else
                BOOST_TEST(emu::decode_encoded_words(header(root, "Subject")) == m.subject);
            check_mailboxes(root, "From", {m.from});
            check_mailboxes(root, "To", m.to);
            check_mailboxes(root, "Cc", m.cc);
            check_mailboxes(root, "Bcc", m.bcc);
            if (m.reply_to)
                check_mailboxes(root, "Reply-To", {*m.reply_to});
            BOOST_TEST(header(root, "Message-ID") == m.message_id);
            // A plain ASCII value is trimmed by any reader; the builder encodes what would be lost.
            BOOST_TEST(emu::decode_encoded_words(header(root, "X-Note")) == note);

            if (!m.text_body.empty()) {
                auto const* text = first_leaf_of_type(root, "text/plain");
                BOOST_TEST_REQUIRE(text);
                BOOST_TEST(text->body == crlf(m.text_body));
            }
            if (!m.html_body.empty()) {
                auto const* html = first_leaf_of_type(root, "text/html");
                BOOST_TEST_REQUIRE(html);
                BOOST_TEST(html->body == crlf(m.html_body));
            }
            // Inline parts come first, inside the body, when there is HTML to show them in.
            std::vector<mime::attachment const*> expected;
            for (int pass = 0; pass < 2; ++pass)
                for (auto const& a : m.attachments)
                    if ((m.html_body.empty() ? pass == 0 : (pass == 0) == !a.content_id.empty()))
                        expected.push_back(&a);
            auto const files = attachments_of(root);
            BOOST_TEST_REQUIRE(files.size() == expected.size());
            for (std::size_t i = 0; i < files.size(); ++i) {
                BOOST_TEST(files[i]->filename == expected[i]->filename);
                BOOST_TEST(files[i]->body == expected[i]->data);
                BOOST_TEST(files[i]->disposition ==
                           (expected[i]->content_id.empty() ? "attachment" : "inline"));
                if (!expected[i]->content_id.empty())
                    BOOST_TEST(header(*files[i], "Content-ID") == "<" + expected[i]->content_id + ">");
            }
        }
    }
}

// ---- an independent oracle: Python's email package, strict -------------------------------------

namespace {

struct rendered_shape {
    std::string shape;
    mime::message message;
};

std::vector<rendered_shape> every_shape() {
    std::mt19937 rng(7);
    auto random_bytes = [&](std::size_t n) {
        std::string out(n, '\0');
        for (auto& c : out)
            c = static_cast<char>(rng() & 0xFF);
        return out;
    };
    std::vector<rendered_shape> shapes;
    auto add = [&](std::string shape, auto&& fill) {
        mime::message m = basic_message();
        fill(m);
        shapes.push_back({std::move(shape), std::move(m)});
    };
    add("plain ASCII", [](mime::message&) {});
    add("plain, 8-bit text with long lines, dots, 'From ' and trailing spaces", [](mime::message& m) {
        m.text_body = "Καλημέρα σας,\r\nFrom here on, a line that begins like an mbox separator.\r\n.\r\n"
                      "trailing spaces   \r\n" + std::string(300, 'x') + " " + std::string(120, 'y') +
                      "\r\nτέλος = 100%\r\n";
    });
    add("plain with LF line ends", [](mime::message& m) { m.text_body = "one\ntwo\n\nthree\n"; });
    add("text and HTML alternative", [](mime::message& m) {
        m.html_body = "<html><body><p>Γεια σου <b>Bob</b></p><p>" + std::string(200, 'w') + "</p></body></html>";
    });
    add("attachments: binary, text and a Greek file name long enough for RFC 2231 sections", [&](mime::message& m) {
        m.attachments.push_back({"report.pdf", "", random_bytes(70'000), ""});
        m.attachments.push_back({"notes.txt", "", "line one\r\nline two\r\n", ""});
        m.attachments.push_back({"Αναφορά πωλήσεων τρίτου τριμήνου 2026 — τελική έκδοση με σχόλια.xlsx", "",
                                 all_byte_values(), ""});
    });
    add("HTML with an inline image, an attachment and a plain alternative", [&](mime::message& m) {
        m.html_body = "<p>Logo: <img src=\"cid:logo@example.com\"></p>";
        m.attachments.push_back({"logo.png", "image/png", random_bytes(5'000), "logo@example.com"});
        m.attachments.push_back({"Αρχείο.pdf", "", random_bytes(3'000), ""});
    });
    add("Greek display names and a folded Greek subject", [](mime::message& m) {
        m.from = {greek_name, "giorgos@example.gr"};
        m.to = {{"Μαρία Κωνσταντινίδου-Αλεξανδροπούλου", "maria@example.gr"}, {"Bob \"the\" Builder", "bob@example.org"}};
        m.subject = "Καλημέρα! Η αναφορά του τριμήνου είναι έτοιμη — παρακαλώ δείτε τα συνημμένα αρχεία πριν από την Παρασκευή";
    });
    add("a long ASCII subject folded without encoding", [](mime::message& m) {
        m.subject = "Quarterly report: every figure for every region, product line and channel, checked twice "
                    "and ready for review before Friday's meeting";
    });
    add("a forwarded message as a message/rfc822 attachment", [](mime::message& m) {
        std::string const inner = "From: carol@example.net\r\nTo: alice@example.com\r\nSubject: inner\r\n"
                                  "Message-ID: <inner@example.net>\r\nMIME-Version: 1.0\r\n"
                                  "Content-Type: text/plain; charset=UTF-8\r\n\r\nThe forwarded text.\r\n";
        m.attachments.push_back({"forwarded.eml", "message/rfc822", inner, ""});
    });
    return shapes;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_shape_reads_back_through_python_email_strict) {
    std::string const python = "/usr/bin/python3";
    if (::access(python.c_str(), X_OK) != 0) {
        BOOST_TEST_REQUIRE(!std::getenv("CI"), "CI must have /usr/bin/python3");
        BOOST_TEST_MESSAGE("no /usr/bin/python3: the Python oracle is skipped");
        return;
    }
    auto const dir = std::filesystem::temp_directory_path() / ("gapi-mime-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    boost::json::object manifest;
    int n = 0;
    for (auto& [shape, m] : every_shape()) {
        auto const raw = render_ok(m);
        auto const name = "message-" + std::to_string(++n) + ".eml";
        std::ofstream(dir / name, std::ios::binary) << raw;
        boost::json::array to, attachments;
        for (auto const& a : m.to)
            to.push_back(boost::json::array{boost::json::string(a.name), boost::json::string(a.email)});
        for (auto const& a : m.attachments) {
            auto const type = a.content_type.empty() ? mime::content_type_for(a.filename) : a.content_type;
            attachments.push_back(boost::json::object{{"filename", a.filename},
                                                      {"content_type", type},
                                                      {"content_id", a.content_id},
                                                      {"data", emu::encode_base64url(a.data)}});
        }
        boost::json::object want{{"shape", shape},           {"subject", m.subject},   {"from_name", m.from.name},
                                 {"from_email", m.from.email}, {"to", std::move(to)}, {"message_id", m.message_id},
                                 {"attachments", std::move(attachments)}};
        if (!m.text_body.empty())
            want["plain"] = m.text_body;
        if (!m.html_body.empty())
            want["html"] = m.html_body;
        manifest[name] = std::move(want);
    }
    std::ofstream(dir / "manifest.json") << boost::json::serialize(manifest);
    std::string const command =
        python + " " GAPI_SOURCE_DIR "/tests/mime/check_with_python_email.py " + dir.string() + " 2>&1";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    BOOST_TEST_REQUIRE(pipe != nullptr);
    std::string output;
    char line[4096];
    while (std::fgets(line, sizeof line, pipe))
        output += line;
    int const status = ::pclose(pipe);
    BOOST_TEST_MESSAGE(output);
    BOOST_TEST(status == 0, output);
    BOOST_TEST(output.find(std::to_string(n) + " passed, 0 failed") != std::string::npos, output);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_is_refused_never_sent_raw) {
    for (std::string const& bad : {std::string("\xC3\x28"), std::string("caf\xE9"), std::string("\xE2\x82"),
                                  std::string("\xED\xA0\x80"), std::string("\xC0\xAF"), std::string("\xFF")}) {
        auto expect_refused = [&](auto&& spoil, char const* where) {
            mime::message m = basic_message();
            spoil(m);
            auto const before = m.message_id;
            auto r = mime::render(m);
            BOOST_TEST(!r.has_value(), where);
            if (!r.has_value()) {
                BOOST_TEST(r.error() == error::invalid_utf8, where << ": " << r.error().message());
                BOOST_TEST(r.error() == gapi::condition::invalid_argument);
            }
            BOOST_TEST(m.message_id == before); // m unchanged
        };
        expect_refused([&](mime::message& m) { m.subject = "Hello " + bad; }, "subject");
        expect_refused([&](mime::message& m) { m.from.name = "Alice " + bad; }, "sender's name");
        expect_refused([&](mime::message& m) { m.to[0].name = bad; }, "recipient's name");
        expect_refused([&](mime::message& m) { m.attachments.push_back({"file" + bad + ".txt", "", "x", ""}); },
                       "file name");
        expect_refused([&](mime::message& m) { m.text_body = "text " + bad; }, "text body");
        expect_refused([&](mime::message& m) { m.html_body = "<p>" + bad + "</p>"; }, "HTML body");
        expect_refused([&](mime::message& m) { m.extra_headers.push_back({"X-Note", bad}); }, "extra header");
        BOOST_TEST(mime::validate_address({bad, "a@example.com"}) == error::invalid_utf8);
    }
    // Valid UTF-8 of every length still renders; attachment bytes are not text and may be anything.
    mime::message fine = basic_message();
    fine.subject = "A é € 𝄞";
    fine.attachments.push_back({"bytes.bin", "", "\xC3\x28\xFF", ""});
    BOOST_TEST(mime::render(fine).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
