// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MIME_IMPL_MESSAGE_IPP
#define GAPI_MIME_IMPL_MESSAGE_IPP

#include <gapi/mime/message.hpp>

#include <boost/beast/core/string.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>

namespace gapi::mime {

namespace detail {

// Boundaries and Message-IDs must be unique, not secret: should OpenSSL's generator ever
// fail, the operating system's source is good enough, and refusing to send mail is not.
inline void fill_random(unsigned char* out, std::size_t size) {
    if (RAND_bytes(out, static_cast<int>(size)) == 1)
        return;
    std::random_device device;
    for (std::size_t i = 0; i < size; ++i)
        out[i] = static_cast<unsigned char>(device());
}

inline std::string random_alnum(std::size_t length) {
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    out.reserve(length);
    while (out.size() < length) {
        std::array<unsigned char, 32> bytes{};
        fill_random(bytes.data(), bytes.size());
        for (unsigned char b : bytes)
            if (b < 248 && out.size() < length) // 248 = 4 * 62: no modulo bias
                out.push_back(alphabet[b % alphabet.size()]);
    }
    return out;
}

inline std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    fill_random(reinterpret_cast<unsigned char*>(raw.data()), raw.size());
    std::string out;
    out.reserve(bytes * 2);
    for (char c : raw) {
        auto const u = static_cast<unsigned char>(c);
        out.push_back("0123456789abcdef"[u >> 4]);
        out.push_back("0123456789abcdef"[u & 0x0F]);
    }
    return out;
}

inline char lower_ascii(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

using boost::beast::iequals;

// RFC 5322 §3.6.4 msg-id and RFC 2392 content-id: visible ASCII, no brackets (they are
// added), no whitespace (which would end the identifier early).
inline bool valid_identifier(std::string_view id) noexcept {
    if (id.empty() || id.size() > 250)
        return false;
    return std::all_of(id.begin(), id.end(),
                       [](char c) { return c > 0x20 && c < 0x7F && c != '<' && c != '>'; });
}

inline std::string_view strip_brackets(std::string_view id) noexcept {
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>')
        id = id.substr(1, id.size() - 2);
    return id;
}

// RFC 5322 §3.6.8 field names; the length bound keeps "Name: " and a first token on
// one line.
inline bool valid_field_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 76)
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7F && c != ':'; });
}

// Fields render writes itself: a second copy from extra_headers would at best be
// ignored and at worst change who receives the message or how it is parsed.
inline bool is_reserved_field(std::string_view name) noexcept {
    static constexpr std::string_view reserved[] = {
        "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
        "List-Unsubscribe", "List-Unsubscribe-Post"};
    for (auto r : reserved)
        if (iequals(name, r))
            return true;
    return name.size() >= 8 && iequals(name.substr(0, 8), "Content-");
}

// A media type as given by the caller: printable ASCII, type/subtype (parameters allowed
// after it), short enough for one header line.
inline bool valid_content_type(std::string_view type) noexcept {
    auto const slash = type.find('/');
    return type.size() <= 255 && is_printable_ascii(type) && slash != std::string_view::npos && slash > 0 &&
           slash + 1 < type.size() && type.front() != ' ';
}

inline error_code check_message(message const& m) {
    auto const injection = error_code(error::header_injection);
    if (!m.from.email.empty() || !m.from.name.empty())
        if (auto ec = validate_address(m.from))
            return ec;
    for (auto const* list : {&m.to, &m.cc, &m.bcc})
        for (auto const& mailbox : *list)
            if (auto ec = validate_address(mailbox))
                return ec;
    if (m.reply_to)
        if (auto ec = validate_address(*m.reply_to))
            return ec;
    if (has_line_break_or_nul(m.subject))
        return injection;
    if (!m.unsubscribe_mailto.email.empty())
        if (auto ec = validate_address(m.unsubscribe_mailto))
            return ec;
    if (!m.unsubscribe_url.empty()) {
        if (has_line_break_or_nul(m.unsubscribe_url))
            return injection;
        auto const& url = m.unsubscribe_url;
        if (url.size() > 900 || !url.starts_with("https://") || url.size() == 8 ||
            !std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7F && c != '<' && c != '>'; }))
            return error_code(error::invalid_url);
    }
    for (auto const& [name, value] : m.extra_headers)
        if (!valid_field_name(name) || is_reserved_field(name) || has_line_break_or_nul(value))
            return injection;
    // Every text goes out labelled UTF-8: bytes that are not would reach the recipient as
    // replacement characters, or be refused by a strict reader.
    auto const not_utf8 = error_code(error::invalid_utf8);
    if (!is_valid_utf8(m.subject) || !is_valid_utf8(m.text_body) || !is_valid_utf8(m.html_body))
        return not_utf8;
    for (auto const& [name, value] : m.extra_headers)
        if (!is_valid_utf8(value))
            return not_utf8;
    if (!m.message_id.empty() && !valid_identifier(strip_brackets(m.message_id)))
        return injection;
    for (auto const& a : m.attachments) {
        if (has_line_break_or_nul(a.filename))
            return injection;
        if (!is_valid_utf8(a.filename))
            return not_utf8;
        if (!a.content_type.empty() && !valid_content_type(a.content_type))
            return injection;
        if (!a.content_id.empty() && !valid_identifier(strip_brackets(a.content_id)))
            return injection;
    }
    return {};
}

inline std::string format_date(std::chrono::system_clock::time_point when) {
    using namespace std::chrono;
    static constexpr char const* weekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr char const* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto const second = floor<seconds>(when);
    auto const day = floor<days>(second);
    year_month_day const date{day};
    hh_mm_ss const time{second - day};
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04d %02d:%02d:%02d +0000",
                  weekdays[weekday{day}.c_encoding()], static_cast<unsigned>(date.day()),
                  months[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return buffer;
}

// Unstructured text (RFC 5322 §3.2.5: Subject, most extra fields). US-ASCII stays as
// written and is folded before its whitespace, so unfolding restores it exactly; text
// that cannot be written that way (non-ASCII, control characters, leading or trailing
// whitespace a reader would trim, "=?" a reader would decode, or a word too long for
// the line limit) becomes encoded words. `strict` applies the 78-column limit (for
// Subject) instead of 998 and encodes "=?".
inline void write_unstructured(header_writer& writer, std::string_view value, bool strict) {
    auto const start = writer.position();
    bool const plain = !value.empty() && !is_wsp(value.front()) && !is_wsp(value.back()) &&
                       std::all_of(value.begin(), value.end(),
                                   [](char c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; }) &&
                       (!strict || value.find("=?") == std::string_view::npos);
    if (plain) {
        std::string_view separator = " ";
        std::size_t pos = 0;
        while (true) {
            auto const end = std::min(value.find_first_of(" \t", pos), value.size());
            writer.append(separator, value.substr(pos, end - pos));
            if (end == value.size())
                break;
            pos = value.find_first_not_of(" \t", end); // never npos: no trailing whitespace
            separator = value.substr(end, pos - end);
        }
        if (writer.longest_line_since(start) <= (strict ? fold_column : max_line_length))
            return;
        writer.rollback(start);
    }
    if (!value.empty())
        writer.append_encoded_words(" ", value);
}

// The old way to name a file (Content-Type's name), still read by clients that ignore
// RFC 2231: quoted if it is plain ASCII and fits, else RFC 2047 words inside the quotes,
// which is not standard but is what those clients understand.
inline void write_name_param(header_writer& writer, std::string_view filename) {
    auto const start = writer.position();
    if (is_printable_ascii(filename) && filename.find("=?") == std::string_view::npos) {
        writer.append(" ", "name=" + quote(filename));
        if (writer.longest_line_since(start) <= fold_column)
            return;
        writer.rollback(start);
    }
    writer.append_encoded_words(" ", filename, "name=\"", "\"");
}

// Content-Disposition's filename: quoted when plain ASCII fits, else RFC 2231
// `filename*=UTF-8''%CE%91...`, in `filename*0*=`, `filename*1*=` sections when it
// would not fit a line. Sections end at character boundaries, so that a reader that
// (wrongly) decodes each section on its own still gets whole characters.
inline void write_filename_param(header_writer& writer, std::string_view filename) {
    auto const start = writer.position();
    if (is_printable_ascii(filename) && filename.find("=?") == std::string_view::npos) {
        writer.append(" ", "filename=" + quote(filename));
        if (writer.longest_line_since(start) <= fold_column)
            return;
        writer.rollback(start);
    }
    std::string const whole = "filename*=UTF-8''" + percent_encode_attr(filename);
    if (1 + whole.size() <= fold_column) {
        writer.append(" ", whole);
        return;
    }
    std::size_t pos = 0;
    for (std::size_t index = 0; pos < filename.size(); ++index) {
        std::string section = "filename*" + std::to_string(index) + "*=";
        if (index == 0)
            section += "UTF-8''";
        std::size_t const empty_size = section.size();
        std::size_t const budget = fold_column - 2; // the leading space and a ';'
        while (pos < filename.size()) {
            std::size_t const length = utf8_char_length(filename, pos);
            std::string const encoded = percent_encode_attr(filename.substr(pos, length));
            if (section.size() + encoded.size() > budget && section.size() > empty_size)
                break;
            section += encoded;
            pos += length;
        }
        if (pos < filename.size())
            section.push_back(';');
        writer.append(" ", section);
    }
}

// One MIME entity: a leaf with its Content-* fields and encoded body, or a multipart.
struct entity {
    std::string headers; // complete lines, each ending in CRLF
    std::string body;
    std::string_view multipart; // "mixed", "alternative", "related"; empty for a leaf
    bool literal = false;       // sent as it is (7bit, 8bit): a boundary must not occur in it
    std::vector<entity> parts;
};

inline entity text_entity(std::string_view text, std::string_view subtype) {
    entity e;
    e.body = to_crlf(text);
    e.headers = "Content-Type: text/" + std::string(subtype) + "; charset=UTF-8\r\n";
    if (fits_7bit(e.body)) {
        e.headers += "Content-Transfer-Encoding: 7bit\r\n";
        e.literal = true;
    } else {
        e.headers += "Content-Transfer-Encoding: quoted-printable\r\n";
        e.body = quoted_printable(e.body);
    }
    return e;
}

// RFC 2046 §5.2.1 and §5.1: message/* and multipart/* bodies must not be base64 or
// quoted-printable, so that a reader can parse what is inside them.
inline bool needs_identity_encoding(std::string_view type) noexcept {
    std::string_view const major = type.substr(0, type.find('/'));
    return iequals(major, "message") || iequals(major, "multipart");
}

// The attachment's media type and whether it travels as it is (7bit or 8bit) rather
// than base64. A forwarded message or multipart that is not in canonical form (NUL,
// bare LF, lines over 998 octets) would need "binary", which mail relays cannot carry:
// it goes as application/octet-stream instead, base64 and byte for byte.
struct attachment_form {
    std::string type;
    std::string_view encoding;
};

inline attachment_form form_of(attachment const& a) {
    attachment_form form{a.content_type.empty() ? std::string(content_type_for(a.filename)) : a.content_type,
                         "base64"};
    if (needs_identity_encoding(form.type)) {
        if (fits_7bit(a.data))
            form.encoding = "7bit";
        else if (fits_8bit(a.data))
            form.encoding = "8bit";
        else
            form.type = "application/octet-stream";
    }
    return form;
}

inline entity attachment_entity(attachment const& a) {
    entity e;
    header_writer writer(e.headers);
    auto const [type, encoding] = form_of(a);
    writer.begin("Content-Type");
    if (a.filename.empty()) {
        writer.append(" ", type);
    } else {
        writer.append(" ", type + ";");
        write_name_param(writer, a.filename);
    }
    writer.end();
    std::string_view const disposition = a.content_id.empty() ? "attachment" : "inline";
    writer.begin("Content-Disposition");
    if (a.filename.empty()) {
        writer.append(" ", disposition);
    } else {
        writer.append(" ", std::string(disposition) + ";");
        write_filename_param(writer, a.filename);
    }
    writer.end();
    // Base64 even for text files (see form_of for the exceptions): it is the one encoding
    // that keeps every byte, line ends included.
    writer.begin("Content-Transfer-Encoding");
    writer.append(" ", encoding);
    writer.end();
    if (!a.content_id.empty()) {
        writer.begin("Content-ID");
        writer.append(" ", "<" + std::string(strip_brackets(a.content_id)) + ">");
        writer.end();
    }
    if (encoding == "base64") {
        e.body = base64_lines(a.data);
    } else {
        e.body = a.data;
        e.literal = true;
    }
    return e;
}

inline entity multipart(std::string_view subtype, std::vector<entity> parts) {
    entity e;
    e.multipart = subtype;
    e.parts = std::move(parts);
    return e;
}

class entity_writer {
public:
    entity_writer(std::string& out, std::vector<std::string_view> literal_bodies)
        : out_(out), literal_bodies_(std::move(literal_bodies)) {}

    void write(entity& e) {
        if (e.multipart.empty()) {
            out_ += e.headers;
            out_ += "\r\n";
            out_ += e.body;
            if (!e.literal) // at most one copy of a large attachment at a time
                std::string().swap(e.body);
            return;
        }
        std::string const boundary = new_boundary();
        out_ += "Content-Type: multipart/";
        out_ += e.multipart;
        if (e.multipart == "related") // RFC 2387 §3.1: the type of the root part
            out_ += "; type=\"text/html\"";
        out_ += ";\r\n boundary=\"" + boundary + "\"\r\n\r\n";
        for (auto& part : e.parts) {
            out_ += "--" + boundary + "\r\n";
            write(part);
            out_ += "\r\n"; // belongs to the next delimiter (RFC 2046 §5.1.1)
        }
        out_ += "--" + boundary + "--";
    }

private:
    // Base64 and quoted-printable output never holds "=_" (RFC 2045 §6.7 puts only hex
    // digits or a line break after '='), so only bodies sent as they are need checking.
    std::string new_boundary() {
        while (true) {
            std::string boundary = "=_gapi_" + random_alnum(24);
            bool const clash = std::any_of(literal_bodies_.begin(), literal_bodies_.end(), [&](auto body) {
                return body.find(boundary) != std::string_view::npos;
            });
            if (!clash)
                return boundary;
        }
    }

    std::string& out_;
    std::vector<std::string_view> literal_bodies_;
};

} // namespace detail

// "<random.timestamp@domain>": 128 random bits make it unique on their own; the
// timestamp helps whoever reads logs. The domain is the sender's, as RFC 5322 §3.6.4
// recommends; without a From, Gmail's own mail domain (it will send the message).
GAPI_DECL std::string new_message_id(address const& from) {
    std::string domain = "mail.gmail.com";
    if (auto const at = from.email.rfind('@'); at != std::string::npos) {
        domain = from.email.substr(at + 1);
        for (auto& c : domain)
            c = detail::lower_ascii(c);
    }
    auto const now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return "<" + detail::random_hex(16) + "." + std::to_string(now.count()) + "@" + domain + ">";
}

GAPI_DECL boost::system::result<std::string> render(message& m) {
    using namespace detail;
    if (auto ec = check_message(m))
        return ec;

    // Fail before encoding anything when the attachments alone are too big.
    std::size_t attachments_size = 0;
    for (auto const& a : m.attachments)
        attachments_size +=
            form_of(a).encoding == "base64" ? base64_lines_size(a.data.size()) : a.data.size();
    if (attachments_size > max_message_size)
        return error_code(error::message_too_large);

    std::string const message_id = m.message_id.empty()
                                       ? new_message_id(m.from)
                                       : "<" + std::string(strip_brackets(m.message_id)) + ">";

    std::string out;
    out.reserve(attachments_size + m.text_body.size() * 3 + m.html_body.size() * 3 + 4096);
    header_writer writer(out);
    auto const simple_field = [&](std::string_view name, std::string_view value) {
        writer.begin(name);
        writer.append(" ", value);
        writer.end();
    };
    auto const address_field = [&](std::string_view name, std::vector<address> const& list) {
        if (list.empty())
            return;
        writer.begin(name);
        for (std::size_t i = 0; i < list.size(); ++i)
            write_address(writer, list[i], i + 1 < list.size() ? "," : "");
        writer.end();
    };

    simple_field("Date", format_date(m.date.value_or(std::chrono::system_clock::now())));
    simple_field("Message-ID", message_id);
    if (!m.from.email.empty())
        address_field("From", {m.from});
    address_field("To", m.to);
    address_field("Cc", m.cc);
    address_field("Bcc", m.bcc);
    if (m.reply_to)
        address_field("Reply-To", {*m.reply_to});
    if (!m.subject.empty()) {
        writer.begin("Subject");
        write_unstructured(writer, m.subject, true);
        writer.end();
    }
    if (!m.unsubscribe_url.empty() || !m.unsubscribe_mailto.email.empty()) {
        // One token per target, so that the writer may fold between them.
        writer.begin("List-Unsubscribe");
        if (!m.unsubscribe_mailto.email.empty())
            writer.append(" ", "<mailto:" + m.unsubscribe_mailto.email + "?subject=unsubscribe>" +
                                   (m.unsubscribe_url.empty() ? "" : ","));
        if (!m.unsubscribe_url.empty())
            writer.append(" ", "<" + m.unsubscribe_url + ">");
        writer.end();
        if (!m.unsubscribe_url.empty())
            simple_field("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
    for (auto const& [name, value] : m.extra_headers) {
        writer.begin(name);
        write_unstructured(writer, value, false);
        writer.end();
    }
    simple_field("MIME-Version", "1.0");

    // The body tree: text and HTML as alternatives (plain first, as RFC 2046 §5.1.4
    // orders them from plainest to richest), inline parts related to the HTML, and the
    // other attachments mixed around all of it.
    std::optional<entity> text;
    std::optional<entity> html;
    if (!m.text_body.empty())
        text = text_entity(m.text_body, "plain");
    if (!m.html_body.empty())
        html = text_entity(m.html_body, "html");
    std::vector<entity> related;
    std::vector<entity> mixed;
    for (auto const& a : m.attachments) {
        // Inline parts without an HTML body have nothing to be shown in: they travel as
        // ordinary parts, keeping their Content-ID.
        if (!a.content_id.empty() && html)
            related.push_back(attachment_entity(a));
        else
            mixed.push_back(attachment_entity(a));
    }
    if (html && !related.empty()) {
        related.insert(related.begin(), std::move(*html));
        html = multipart("related", std::move(related));
    }
    std::optional<entity> body;
    if (text && html)
        body = multipart("alternative", {std::move(*text), std::move(*html)});
    else if (text)
        body = std::move(text);
    else if (html)
        body = std::move(html);
    entity root;
    if (!mixed.empty()) {
        if (body)
            mixed.insert(mixed.begin(), std::move(*body));
        root = multipart("mixed", std::move(mixed));
    } else if (body) {
        root = std::move(*body);
    } else {
        root = text_entity({}, "plain");
    }

    // Collected only now: the entities have stopped moving, so the views stay valid.
    std::vector<std::string_view> literal_bodies;
    auto collect = [&](auto& self, entity const& e) -> void {
        if (e.literal)
            literal_bodies.push_back(e.body);
        for (auto const& part : e.parts)
            self(self, part);
    };
    collect(collect, root);
    entity_writer(out, std::move(literal_bodies)).write(root);
    if (!root.multipart.empty())
        out += "\r\n";

    if (out.size() > max_message_size)
        return error_code(error::message_too_large);
    m.message_id = message_id;
    return out;
}

} // namespace gapi::mime

#endif
