// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_IMPL_MIME_READER_IPP
#define GAPI_EMULATOR_IMPL_MIME_READER_IPP

#include <gapi/emulator/api.hpp>
#include <gapi/emulator/mime_reader.hpp>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

namespace gapi::emulator {

namespace detail::mime {

inline char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = lower(c);
    return out;
}

using boost::beast::iequals;
using ::gapi::emulator::detail::ascii_iequals;

inline bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}
inline bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

inline int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

inline void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// One physical line: [begin, end) without its line break, next = start of the next line.
struct line_view {
    std::string_view text;
    std::size_t begin = 0;
    std::size_t next = 0;
};

inline line_view line_at(std::string_view s, std::size_t pos) {
    auto const nl = s.find('\n', pos);
    std::size_t const end = nl == std::string_view::npos ? s.size() : nl;
    line_view line{s.substr(pos, end - pos), pos, nl == std::string_view::npos ? s.size() : nl + 1};
    if (!line.text.empty() && line.text.back() == '\r')
        line.text.remove_suffix(1);
    return line;
}

inline bool valid_field_name(std::string_view name) noexcept {
    if (name.empty())
        return false;
    for (char c : name) {
        auto const u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126 || c == ':')
            return false;
    }
    return true;
}

struct header_section {
    std::vector<mime_header> headers;
    std::size_t body_offset = 0;
};

inline header_section read_header_section(std::string_view raw, std::vector<std::string>& defects) {
    header_section out;
    out.headers.reserve(16);
    out.body_offset = raw.size(); // no blank line: the whole input is header section
    std::size_t pos = 0;
    bool first = true;
    while (pos < raw.size()) {
        auto const line = line_at(raw, pos);
        if (line.text.empty()) {
            out.body_offset = line.next;
            break;
        }
        if (is_wsp(line.text.front())) {
            if (out.headers.empty())
                defects.push_back("continuation line before the first header field");
            else
                out.headers.back().value.append(line.text); // unfolding keeps the whitespace
        } else {
            auto const colon = line.text.find(':');
            std::string_view name =
                colon == std::string_view::npos ? std::string_view{} : line.text.substr(0, colon);
            while (!name.empty() && is_wsp(name.back()))
                name.remove_suffix(1);
            if (valid_field_name(name)) {
                out.headers.push_back({std::string(name), std::string(line.text.substr(colon + 1))});
            } else if (!(first && line.text.starts_with("From "))) { // an mbox separator is skipped
                // Like a receiving MTA: the header section ends here and the line starts the body.
                defects.push_back("malformed header line: " + std::string(line.text.substr(0, 60)));
                out.body_offset = pos;
                break;
            }
        }
        pos = line.next;
        first = false;
    }
    for (auto& h : out.headers) { // trimmed in place: a copy would cost an allocation per field
        auto const kept = trim(h.value);
        auto const lead = static_cast<std::size_t>(kept.data() - h.value.data());
        h.value.erase(lead + kept.size());
        h.value.erase(0, lead);
    }
    return out;
}

// ---- charsets ----------------------------------------------------------------------

inline constexpr std::array<std::uint16_t, 32> cp1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

enum class charset_kind : std::uint8_t { utf8, latin1, latin9, cp1252, unknown };

inline charset_kind classify_charset(std::string_view name) {
    auto const cs = to_lower(trim(name));
    if (cs.empty() || cs == "utf-8" || cs == "utf8" || cs == "us-ascii" || cs == "ascii" ||
        cs == "ansi_x3.4-1968")
        return charset_kind::utf8;
    if (cs == "iso-8859-1" || cs == "iso8859-1" || cs == "iso_8859-1" || cs == "latin1" || cs == "latin-1" ||
        cs == "l1" || cs == "cp819")
        return charset_kind::latin1;
    if (cs == "iso-8859-15" || cs == "iso8859-15" || cs == "iso_8859-15" || cs == "latin-9" || cs == "latin9")
        return charset_kind::latin9;
    if (cs == "windows-1252" || cs == "cp1252")
        return charset_kind::cp1252;
    return charset_kind::unknown;
}

inline std::uint32_t latin9_code_point(unsigned char c) {
    switch (c) {
    case 0xA4:
        return 0x20AC;
    case 0xA6:
        return 0x0160;
    case 0xA8:
        return 0x0161;
    case 0xB4:
        return 0x017D;
    case 0xB8:
        return 0x017E;
    case 0xBC:
        return 0x0152;
    case 0xBD:
        return 0x0153;
    case 0xBE:
        return 0x0178;
    default:
        return c;
    }
}

// ---- transfer encodings --------------------------------------------------------------

inline std::string decode_quoted_printable(std::string_view text, std::vector<std::string>& defects) {
    std::string out;
    out.reserve(text.size());
    bool reported = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto const line = line_at(text, pos);
        std::string_view content = line.text;
        while (!content.empty() && is_wsp(content.back())) // transport padding (RFC 2045 6.7 rule 3)
            content.remove_suffix(1);
        bool soft_break = false;
        if (!content.empty() && content.back() == '=') {
            soft_break = true;
            content.remove_suffix(1);
        }
        for (std::size_t i = 0; i < content.size(); ++i) {
            char const c = content[i];
            if (c == '=' && i + 2 < content.size() && hex_value(content[i + 1]) >= 0 &&
                hex_value(content[i + 2]) >= 0) {
                out.push_back(static_cast<char>(hex_value(content[i + 1]) * 16 + hex_value(content[i + 2])));
                i += 2;
                continue;
            }
            if (c == '=' && !reported) {
                defects.push_back("quoted-printable: '=' not followed by two hex digits");
                reported = true;
            }
            out.push_back(c);
        }
        bool const had_break = text[line.next - 1] == '\n';
        if (!soft_break && had_break) // keep the line break as it was written
            out += line.next >= 2 && text[line.next - 2] == '\r' ? "\r\n" : "\n";
        pos = line.next;
    }
    return out;
}

inline std::string decode_base64_lines(std::string_view text, std::vector<std::string>& defects) {
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string clean;
    clean.reserve(text.size());
    bool bad = false;
    for (char c : text) {
        if (c == '=')
            break; // padding ends the data; anything after it is ignored (RFC 2045 6.8)
        if (is_space(c))
            continue;
        if (alphabet.find(c) == std::string_view::npos) {
            bad = true;
            continue;
        }
        clean.push_back(c);
    }
    if (bad)
        defects.push_back("base64: characters outside the alphabet ignored");
    if (clean.size() % 4 == 1) {
        defects.push_back("base64: truncated data");
        clean.pop_back();
    }
    return decode_base64_any(clean).value_or(std::string{});
}

// ---- RFC 2231 ---------------------------------------------------------------------

inline std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

struct raw_param {
    std::string name;
    std::string value;
};

inline std::map<std::string, std::string> assemble_params(std::vector<raw_param> const& raw) {
    std::map<std::string, std::string> plain;
    struct section {
        std::string value;
        bool encoded = false;
    };
    std::map<std::string, std::map<int, section>> extended;
    for (auto const& p : raw) {
        auto const star = p.name.find('*');
        if (star == std::string::npos) {
            plain.emplace(p.name, p.value);
            continue;
        }
        std::string const base = p.name.substr(0, star);
        std::string_view rest = std::string_view(p.name).substr(star + 1);
        section s{p.value, false};
        int index = 0;
        if (rest.empty()) {
            s.encoded = true;
        } else {
            if (rest.back() == '*') {
                s.encoded = true;
                rest.remove_suffix(1);
            }
            auto const [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
            if (ec != std::errc{} || end != rest.data() + rest.size() || index < 0) {
                plain.emplace(p.name, p.value);
                continue;
            }
        }
        extended[base].emplace(index, std::move(s));
    }
    for (auto const& [name, sections] : extended) {
        std::string bytes;
        std::string charset;
        int expected = 0;
        for (auto const& [index, s] : sections) {
            if (index != expected)
                break; // a gap: RFC 2231 says to stop at the first missing section
            ++expected;
            std::string_view v = s.value;
            if (s.encoded) {
                if (index == 0) {
                    auto const q1 = v.find('\'');
                    auto const q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
                    if (q2 != std::string_view::npos) {
                        charset = std::string(v.substr(0, q1));
                        v = v.substr(q2 + 1);
                    }
                }
                bytes += percent_decode(v);
            } else {
                bytes += v;
            }
        }
        if (expected == 0)
            continue;
        auto converted =
            charset.empty() ? std::optional<std::string>(bytes) : charset_to_utf8(bytes, charset);
        plain[name] = converted ? std::move(*converted) : std::move(bytes);
    }
    return plain;
}

// ---- RFC 2047 -----------------------------------------------------------------------

struct encoded_word {
    std::string charset;
    std::string bytes;
    std::size_t end = 0;
};

inline std::optional<encoded_word> parse_encoded_word(std::string_view text, std::size_t pos) {
    // =?charset?X?text?=
    if (text.substr(pos, 2) != "=?")
        return std::nullopt;
    auto const q1 = text.find('?', pos + 2);
    if (q1 == std::string_view::npos || q1 + 2 >= text.size() || text[q1 + 2] != '?')
        return std::nullopt;
    std::string_view charset = text.substr(pos + 2, q1 - pos - 2);
    if (charset.empty())
        return std::nullopt;
    for (char c : charset)
        if (is_space(c))
            return std::nullopt;
    if (auto star = charset.find('*'); star != std::string_view::npos) // RFC 2231 language suffix
        charset = charset.substr(0, star);
    char const encoding = lower(text[q1 + 1]);
    if (encoding != 'b' && encoding != 'q')
        return std::nullopt;
    std::size_t const start = q1 + 3;
    auto const q4 = text.find('?', start);
    if (q4 == std::string_view::npos || q4 + 1 >= text.size() || text[q4 + 1] != '=')
        return std::nullopt;
    std::string_view const payload = text.substr(start, q4 - start);
    for (char c : payload)
        if (is_space(c))
            return std::nullopt;
    encoded_word word{std::string(charset), {}, q4 + 2};
    if (encoding == 'b') {
        auto decoded = decode_base64_any(payload);
        if (!decoded)
            return std::nullopt;
        word.bytes = std::move(*decoded);
    } else {
        for (std::size_t i = 0; i < payload.size(); ++i) {
            char const c = payload[i];
            if (c == '_') {
                word.bytes.push_back(' ');
            } else if (c == '=' && i + 2 < payload.size() && hex_value(payload[i + 1]) >= 0 &&
                       hex_value(payload[i + 2]) >= 0) {
                word.bytes.push_back(
                    static_cast<char>(hex_value(payload[i + 1]) * 16 + hex_value(payload[i + 2])));
                i += 2;
            } else {
                word.bytes.push_back(c);
            }
        }
    }
    return word;
}

// ---- address lists --------------------------------------------------------------------

inline bool is_atom_char(char c) noexcept {
    auto const u = static_cast<unsigned char>(c);
    if (u >= 0x80)
        return true; // RFC 6532 UTF-8
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    // atext, plus '.' and '@' so that bare addr-specs and obs-phrases read as words
    return std::string_view("!#$%&'*+-/=?^_`{|}~.@").find(c) != std::string_view::npos;
}

inline bool valid_local_part(std::string_view local) {
    if (local.empty())
        return false;
    if (local.front() == '"')
        return local.size() >= 2 && local.back() == '"';
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return false;
    for (char c : local)
        if (!is_atom_char(c) || c == '@')
            return false;
    return true;
}

inline bool valid_domain(std::string_view domain) {
    if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']')
        return true;
    std::size_t labels = 0;
    std::size_t start = 0;
    while (true) {
        auto const dot = domain.find('.', start);
        auto const label =
            domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label) {
            auto const u = static_cast<unsigned char>(c);
            if (!(u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-'))
                return false;
        }
        ++labels;
        if (dot == std::string_view::npos)
            break;
        start = dot + 1;
    }
    return labels >= 2;
}

inline bool valid_email(std::string_view addr) {
    auto const at = addr.rfind('@');
    if (at == std::string_view::npos)
        return false;
    return valid_local_part(addr.substr(0, at)) && valid_domain(addr.substr(at + 1));
}

class address_parser {
public:
    explicit address_parser(std::string_view s) : s_(s) {}

    std::optional<std::vector<mime_address>> parse() {
        std::vector<mime_address> out;
        while (true) {
            skip_cfws();
            if (failed_)
                return std::nullopt;
            if (i_ >= s_.size())
                break;
            if (s_[i_] == ',') {
                ++i_;
                continue;
            }
            if (!address(out, false))
                return std::nullopt;
            skip_cfws();
            if (failed_ || (i_ < s_.size() && s_[i_] != ','))
                return std::nullopt;
        }
        return out;
    }

private:
    struct word {
        std::string text;
        bool quoted = false;
        bool space_before = false;
    };

    void skip_cfws() {
        while (i_ < s_.size() && !failed_) {
            char const c = s_[i_];
            if (is_space(c))
                ++i_;
            else if (c == '(')
                comment();
            else
                break;
        }
    }

    void comment() {
        int depth = 0;
        std::string text;
        while (i_ < s_.size()) {
            char const c = s_[i_++];
            if (c == '\\' && i_ < s_.size()) {
                text.push_back(s_[i_++]);
                continue;
            }
            if (c == '(') {
                if (depth > 0)
                    text.push_back(c);
                ++depth;
                continue;
            }
            if (c == ')') {
                if (--depth == 0) {
                    last_comment_ = std::string(trim(text));
                    return;
                }
                text.push_back(c);
                continue;
            }
            text.push_back(c);
        }
        failed_ = true;
    }

    std::optional<std::string> quoted_string() {
        ++i_; // opening quote
        std::string out;
        while (i_ < s_.size()) {
            char const c = s_[i_++];
            if (c == '\\' && i_ < s_.size()) {
                out.push_back(s_[i_++]);
                continue;
            }
            if (c == '"')
                return out;
            if (c == '\r' || c == '\n')
                continue;
            out.push_back(c);
        }
        return std::nullopt;
    }

    static std::string phrase(std::vector<word> const& words) {
        std::string out;
        for (auto const& w : words) {
            if (!out.empty())
                out.push_back(' ');
            out += w.text;
        }
        return decode_encoded_words(out);
    }

    bool address(std::vector<mime_address>& out, bool in_group) {
        std::vector<word> words;
        last_comment_.clear();
        while (true) {
            auto const before = i_;
            skip_cfws();
            if (failed_)
                return false;
            bool const space = i_ != before;
            if (i_ >= s_.size())
                break;
            char const c = s_[i_];
            if (c == '"') {
                auto q = quoted_string();
                if (!q)
                    return false;
                words.push_back({std::move(*q), true, space});
                continue;
            }
            if (c == '<') {
                auto const close = s_.find('>', i_ + 1);
                if (close == std::string_view::npos)
                    return false;
                std::string_view addr = trim(s_.substr(i_ + 1, close - i_ - 1));
                i_ = close + 1;
                if (!addr.empty() && addr.front() == '@') { // obsolete source route @a,@b:
                    auto const colon = addr.find(':');
                    if (colon == std::string_view::npos)
                        return false;
                    addr = trim(addr.substr(colon + 1));
                }
                if (!valid_email(addr))
                    return false;
                out.push_back({phrase(words), std::string(addr)});
                return true;
            }
            if (c == ':') {
                if (in_group)
                    return false;
                ++i_;
                while (true) {
                    skip_cfws();
                    if (failed_)
                        return false;
                    if (i_ >= s_.size())
                        return true; // unterminated group: tolerated
                    if (s_[i_] == ';') {
                        ++i_;
                        return true;
                    }
                    if (s_[i_] == ',') {
                        ++i_;
                        continue;
                    }
                    if (!address(out, true))
                        return false;
                    skip_cfws();
                    if (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ';')
                        return false;
                }
            }
            if (c == ',' || (c == ';' && in_group))
                break;
            if (!is_atom_char(c))
                return false;
            auto const start = i_;
            while (i_ < s_.size() && is_atom_char(s_[i_]))
                ++i_;
            words.push_back({std::string(s_.substr(start, i_ - start)), false, space});
        }
        if (words.empty())
            return true;
        // A bare addr-spec: its words must touch each other.
        std::string addr;
        for (auto const& w : words) {
            if (w.space_before && !addr.empty())
                return false;
            addr += w.quoted ? "\"" + w.text + "\"" : w.text;
        }
        if (!valid_email(addr))
            return false;
        out.push_back({decode_encoded_words(last_comment_), std::move(addr)});
        return true;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    std::string last_comment_;
    bool failed_ = false;
};

// ---- the reader -----------------------------------------------------------------------

class reader {
public:
    explicit reader(mime_read_options const& options) : options_(options) {}

    bool read(std::string_view raw, std::size_t depth, bool digest_child, mime_part& part) {
        if (depth > options_.max_depth) {
            error_ = "MIME parts nested deeper than " + std::to_string(options_.max_depth) + " levels";
            return false;
        }
        auto section = read_header_section(raw, defects);
        part.headers = std::move(section.headers);
        std::string_view const body = raw.substr(std::min(section.body_offset, raw.size()));

        part.mime_type = digest_child ? "message/rfc822" : "text/plain";
        if (auto ct = part.header("Content-Type")) {
            auto parsed = parse_header_params(*ct);
            auto const slash = parsed.value.find('/');
            if (slash == std::string::npos || slash == 0 || slash + 1 == parsed.value.size()) {
                defects.push_back("invalid Content-Type: " + std::string(ct->substr(0, 60)));
            } else {
                part.mime_type = std::move(parsed.value);
                part.content_type_params = std::move(parsed.params);
            }
        }
        if (auto cd = part.header("Content-Disposition")) {
            auto parsed = parse_header_params(*cd);
            part.disposition = std::move(parsed.value);
            part.disposition_params = std::move(parsed.params);
        }
        if (auto cte = part.header("Content-Transfer-Encoding"))
            part.transfer_encoding = parse_header_params(*cte).value;
        if (auto it = part.disposition_params.find("filename"); it != part.disposition_params.end())
            part.filename = decode_encoded_words(it->second);
        else if (auto nit = part.content_type_params.find("name"); nit != part.content_type_params.end())
            part.filename = decode_encoded_words(nit->second);

        if (part.is_multipart()) {
            auto const boundary = part.content_type_params.find("boundary");
            if (boundary == part.content_type_params.end() || boundary->second.empty()) {
                defects.push_back(part.mime_type + " without a boundary parameter");
                part.body = std::string(body);
                return true;
            }
            if (!part.transfer_encoding.empty() && part.transfer_encoding != "7bit" &&
                part.transfer_encoding != "8bit" && part.transfer_encoding != "binary")
                defects.push_back("multipart with Content-Transfer-Encoding " + part.transfer_encoding);
            return read_multipart(body, boundary->second, depth, part.mime_type == "multipart/digest", part);
        }
        part.body = decode_transfer(body, part.transfer_encoding);
        return true;
    }

    std::vector<std::string> defects;
    std::string const& error() const noexcept { return error_; }

private:
    std::string decode_transfer(std::string_view body, std::string const& cte) {
        if (cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary")
            return std::string(body);
        if (cte == "quoted-printable")
            return decode_quoted_printable(body, defects);
        if (cte == "base64")
            return decode_base64_lines(body, defects);
        defects.push_back("unknown Content-Transfer-Encoding " + cte);
        return std::string(body);
    }

    bool read_multipart(std::string_view body, std::string const& boundary, std::size_t depth, bool digest,
                        mime_part& part) {
        std::string const dash = "--" + boundary;
        bool opened = false;
        bool closed = false;
        std::size_t part_start = 0;
        // The line break before a delimiter belongs to the delimiter, not to the part.
        auto content_end = [&](std::size_t start, std::size_t delimiter) {
            std::size_t end = delimiter;
            if (end > start && body[end - 1] == '\n') {
                --end;
                if (end > start && body[end - 1] == '\r')
                    --end;
            }
            return end;
        };
        std::size_t pos = 0;
        while (pos < body.size()) {
            auto const line = line_at(body, pos);
            if (line.text.starts_with(dash)) {
                std::string_view rest = line.text.substr(dash.size());
                bool const close = rest.starts_with("--");
                if (close)
                    rest.remove_prefix(2);
                if (trim(rest).empty()) {
                    if (opened) {
                        auto const end = content_end(part_start, line.begin);
                        mime_part child;
                        if (!read(body.substr(part_start, end - part_start), depth + 1, digest, child))
                            return false;
                        part.parts.push_back(std::move(child));
                    } else {
                        part.preamble = std::string(body.substr(0, content_end(0, line.begin)));
                        opened = true;
                    }
                    part_start = line.next;
                    if (close) {
                        part.epilogue = std::string(body.substr(std::min(line.next, body.size())));
                        closed = true;
                        break;
                    }
                }
            }
            pos = line.next;
        }
        if (!opened) {
            defects.push_back("multipart boundary \"" + boundary + "\" never occurs");
            part.preamble = std::string(body);
            return true;
        }
        if (!closed) {
            defects.push_back("multipart without a close delimiter");
            if (part_start < body.size()) {
                mime_part child;
                if (!read(body.substr(part_start), depth + 1, digest, child))
                    return false;
                part.parts.push_back(std::move(child));
            }
        }
        return true;
    }

    mime_read_options options_;
    std::string error_;
};

} // namespace detail::mime

GAPI_DECL std::optional<std::string_view> mime_part::header(std::string_view name) const {
    for (auto const& h : headers)
        if (detail::mime::iequals(h.name, name))
            return std::string_view(h.value);
    return std::nullopt;
}

GAPI_DECL std::vector<std::string_view> mime_part::all_headers(std::string_view name) const {
    std::vector<std::string_view> out;
    for (auto const& h : headers)
        if (detail::mime::iequals(h.name, name))
            out.emplace_back(h.value);
    return out;
}

GAPI_DECL std::string mime_part::charset() const {
    auto it = content_type_params.find("charset");
    return it == content_type_params.end() || it->second.empty() ? std::string("us-ascii")
                                                                 : detail::mime::to_lower(it->second);
}

GAPI_DECL mime_read_result read_mime(std::string_view raw, mime_read_options const& options) {
    mime_read_result result;
    if (detail::mime::trim(raw).empty()) {
        result.error = "empty message";
        return result;
    }
    detail::mime::reader r(options);
    mime_part root;
    bool const ok = r.read(raw, 0, false, root);
    result.defects = std::move(r.defects);
    if (!ok) {
        result.error = r.error();
        return result;
    }
    if (options.strict && !result.defects.empty()) {
        result.error = result.defects.front();
        return result;
    }
    result.root = std::move(root);
    return result;
}

GAPI_DECL std::string decode_encoded_words(std::string_view text) {
    using namespace detail::mime;
    std::string out;
    out.reserve(text.size());
    std::string run_bytes; // bytes of adjacent encoded words in one charset
    std::string run_charset;
    std::string run_original; // as written, for when the charset is unknown
    std::string pending_space;
    bool after_word = false;

    auto flush = [&] {
        if (run_charset.empty() && run_original.empty())
            return;
        if (auto utf8 = charset_to_utf8(run_bytes, run_charset))
            out += *utf8;
        else
            out += run_original;
        run_bytes.clear();
        run_charset.clear();
        run_original.clear();
    };

    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '=' && i + 1 < text.size() && text[i + 1] == '?') {
            if (auto word = parse_encoded_word(text, i)) {
                std::string_view const original = text.substr(i, word->end - i);
                bool const known = classify_charset(word->charset) != charset_kind::unknown;
                if (after_word && known && iequals(word->charset, run_charset)) {
                    run_bytes += word->bytes; // a multi-byte character may span two words
                } else {
                    // Words left undecoded keep their separating whitespace.
                    bool const keep_space =
                        after_word && (!known || classify_charset(run_charset) == charset_kind::unknown);
                    flush();
                    if (keep_space)
                        out += pending_space;
                    run_charset = word->charset;
                    run_bytes = std::move(word->bytes);
                    run_original = std::string(original);
                }
                pending_space.clear();
                after_word = true;
                i = word->end;
                continue;
            }
        }
        char const c = text[i];
        if (after_word && is_space(c)) {
            pending_space.push_back(c);
            ++i;
            continue;
        }
        flush();
        out += pending_space;
        pending_space.clear();
        after_word = false;
        out.push_back(c);
        ++i;
    }
    flush();
    out += pending_space;
    return out;
}

GAPI_DECL std::optional<std::vector<mime_address>> parse_address_list(std::string_view text) {
    return detail::mime::address_parser(text).parse();
}

GAPI_DECL mime_header_params parse_header_params(std::string_view value) {
    using namespace detail::mime;
    mime_header_params out;
    std::size_t i = 0;
    // the main token, up to the first ';', without comments
    std::string main;
    while (i < value.size() && value[i] != ';') {
        if (value[i] == '(') {
            int depth = 0;
            while (i < value.size()) {
                if (value[i] == '(')
                    ++depth;
                else if (value[i] == ')' && --depth == 0)
                    break;
                ++i;
            }
            if (i < value.size())
                ++i;
            continue;
        }
        main.push_back(value[i++]);
    }
    out.value = to_lower(trim(main));

    std::vector<raw_param> raw;
    while (i < value.size()) {
        while (i < value.size() && (value[i] == ';' || is_space(value[i])))
            ++i;
        if (i >= value.size())
            break;
        auto const eq = value.find('=', i);
        auto const semi = value.find(';', i);
        if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
            i = semi == std::string_view::npos ? value.size() : semi; // a token without '=': skipped
            continue;
        }
        std::string name = to_lower(trim(value.substr(i, eq - i)));
        i = eq + 1;
        while (i < value.size() && is_space(value[i]))
            ++i;
        std::string v;
        if (i < value.size() && value[i] == '"') {
            ++i;
            while (i < value.size() && value[i] != '"') {
                if (value[i] == '\\' && i + 1 < value.size())
                    ++i;
                if (value[i] != '\r' && value[i] != '\n')
                    v.push_back(value[i]);
                ++i;
            }
            if (i < value.size())
                ++i; // closing quote
            while (i < value.size() && value[i] != ';')
                ++i; // comments or junk after the quoted string
        } else {
            auto const end = value.find(';', i);
            auto token =
                trim(value.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
            if (auto paren = token.find('('); paren != std::string_view::npos)
                token = trim(token.substr(0, paren));
            v = std::string(token);
            i = end == std::string_view::npos ? value.size() : end;
        }
        if (!name.empty())
            raw.push_back({std::move(name), std::move(v)});
    }
    out.params = assemble_params(raw);
    return out;
}

GAPI_DECL std::optional<std::string> charset_to_utf8(std::string_view bytes, std::string_view charset) {
    using namespace detail::mime;
    auto const kind = classify_charset(charset);
    if (kind == charset_kind::unknown)
        return std::nullopt;
    if (kind == charset_kind::utf8)
        return std::string(bytes);
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        auto const u = static_cast<unsigned char>(c);
        std::uint32_t cp = u;
        if (kind == charset_kind::latin9)
            cp = latin9_code_point(u);
        else if (kind == charset_kind::cp1252 && u >= 0x80 && u < 0xA0)
            cp = cp1252_high[u - 0x80];
        append_utf8(out, cp);
    }
    return out;
}

GAPI_DECL std::string remove_header_field(std::string_view raw, std::string_view name) {
    using namespace detail::mime;
    std::string out;
    out.reserve(raw.size());
    std::size_t pos = 0;
    bool dropping = false;
    while (pos < raw.size()) {
        auto const line = line_at(raw, pos);
        if (line.text.empty()) // end of the header section: the rest is kept verbatim
            break;
        bool const continuation = is_wsp(line.text.front());
        if (!continuation) {
            auto const colon = line.text.find(':');
            std::string_view field =
                colon == std::string_view::npos ? std::string_view{} : line.text.substr(0, colon);
            while (!field.empty() && is_wsp(field.back()))
                field.remove_suffix(1);
            dropping = iequals(field, name);
        }
        if (!dropping)
            out.append(raw.substr(line.begin, line.next - line.begin));
        pos = line.next;
    }
    out.append(raw.substr(std::min(pos, raw.size())));
    return out;
}

} // namespace gapi::emulator

#endif
