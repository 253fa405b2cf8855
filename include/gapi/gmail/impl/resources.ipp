// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_GMAIL_IMPL_RESOURCES_IPP
#define GAPI_GMAIL_IMPL_RESOURCES_IPP

#include <gapi/auth/detail/crypto.hpp>
#include <gapi/detail/byte_words.hpp>
#include <gapi/detail/json_fields.hpp>
#include <gapi/gmail/resources.hpp>

#include <boost/config.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace gapi::gmail {

namespace detail {

using namespace gapi::detail::json_fields;

// base64url as Gmail writes it, padded or not.
inline std::string decode_base64url(std::string_view text) {
    auto bytes = auth::detail::base64url_decode(text);
    if (!bytes)
        throw std::invalid_argument("gmail resource: malformed base64url data");
    return std::move(*bytes);
}

// The members of a Message the flat readers read, and `other`: one they leave to the
// conversion.
enum class message_member : unsigned { id, thread_id, label_ids, snippet, history_id, internal_date, size_estimate, unknown, other };

inline message_member message_member_named(std::string_view key) noexcept {
    using member = message_member;
    // By length first, then bytes of a known count (compared inline; a string_view's
    // == is a call to memcmp, ~70 instructions a key over the chain of names).
    auto const is = [key]<std::size_t N>(char const (&name)[N]) { return std::memcmp(key.data(), name, N - 1) == 0; };
    switch (key.size()) {
    case 2: return is("id") ? member::id : member::unknown;
    case 3: return is("raw") ? member::other : member::unknown;
    case 7: return is("snippet") ? member::snippet : is("payload") ? member::other : member::unknown;
    case 8: return is("threadId") ? member::thread_id : is("labelIds") ? member::label_ids : member::unknown;
    case 9: return is("historyId") ? member::history_id : member::unknown;
    case 12: return is("internalDate") ? member::internal_date : is("sizeEstimate") ? member::size_estimate : member::unknown;
    default: return member::unknown;
    }
}

// The first reader of `read_flat(message)`: the text of a Message as Gmail writes it for
// a send or a get without a payload, in one pass over its bytes. It takes one object whose
// members are texts in ASCII without escapes, integers of up to 18 digits, nulls, booleans
// (unknown members only) and lists of such texts (labelIds), and gives up (false) on
// anything else, for `flat_message_reader` to read: its parser's events cost ~25
// instructions a byte, most of a batched get's reading.
class plain_message_scanner {
public:
    plain_message_scanner(std::string_view text, message& out) noexcept
        : p_(text.data()), end_(text.data() + text.size()), out_(out) {}

    bool read() {
        if (!skip_space() || *p_ != '{')
            return false;
        ++p_;
        if (!skip_space())
            return false;
        unsigned seen = 0;
        if (*p_ == '}') {
            ++p_;
        } else {
            for (;;) {
                member m;
                if (!key(m) || !skip_space() || *p_ != ':')
                    return false;
                ++p_;
                if (m == member::other)
                    return false;
                if (m != member::unknown) {
                    auto const bit = 1u << static_cast<unsigned>(m);
                    if (seen & bit) // repeated: which one counts is the document's rule
                        return false;
                    seen |= bit;
                }
                if (!skip_space() || !value(m) || !skip_space())
                    return false;
                if (*p_ == ',') {
                    ++p_;
                    if (!skip_space())
                        return false;
                    continue;
                }
                if (*p_ != '}')
                    return false;
                ++p_;
                break;
            }
        }
        return !skip_space() && !out_.id.empty(); // nothing after the object
    }

private:
    using member = message_member;

    static constexpr std::size_t max_text_size = boost::json::string::max_size();

    // Past JSON's white space; false at the end of the text. Inlined: it runs four times
    // a member, mostly to find no space at all.
    BOOST_FORCEINLINE bool skip_space() noexcept {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
            ++p_;
        return p_ != end_;
    }

    // A text without escapes, in ASCII (which needs no UTF-8 check). Eight bytes at a
    // time up to the word holding its end (or a byte this reader leaves to the parser).
    bool text(std::string_view& out) noexcept {
        namespace words = gapi::detail::byte_words;
        if (*p_ != '"')
            return false;
        auto const* const begin = ++p_;
        while (end_ - p_ >= 8) {
            auto const w = words::load(p_);
            auto const stop = words::equal_to(w, '"') | words::equal_to(w, '\\') | words::below(w, 0x20) |
                              words::not_ascii(w);
            if (stop) {
                p_ += words::first_flagged(stop);
                break;
            }
            p_ += 8;
        }
        for (; p_ != end_; ++p_) {
            auto const c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
                ++p_;
                return out.size() <= max_text_size; // the document's limit: what it refuses is not read here
            }
            if (c == '\\' || c < 0x20 || c >= 0x80)
                return false;
        }
        return false;
    }

    // An integer of up to 18 digits (no fraction or exponent: those are left to the
    // parser), which fits an int64_t however it is written.
    bool integer(std::int64_t& n) noexcept {
        bool const negative = *p_ == '-';
        if (negative && ++p_ == end_)
            return false;
        auto const* const digits = p_;
        std::uint64_t value = 0; // unsigned: past 18 digits it may wrap, and is then refused
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9')
            value = value * 10 + static_cast<std::uint64_t>(*p_++ - '0');
        auto const count = p_ - digits;
        if (count == 0 || count > 18 || (*digits == '0' && (count > 1 || negative)))
            return false; // not JSON, too long, or -0 (a double to some readers)
        if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E'))
            return false;
        auto const magnitude = static_cast<std::int64_t>(value);
        n = negative ? -magnitude : magnitude;
        return true;
    }

    // A member's key: the names Gmail writes matched whole, closing quote included, with
    // no text read first (reading each key as a text, then naming it, cost ~100
    // instructions a member); any other key is read as a text and named.
    bool key(member& m) noexcept {
        if (*p_ != '"')
            return false;
        auto const* const name = p_ + 1;
        auto const left = end_ - name;
        auto const is = [&]<std::size_t N>(char const (&quoted)[N]) {
            if (left < static_cast<std::ptrdiff_t>(N - 1) || std::memcmp(name, quoted, N - 1) != 0)
                return false;
            p_ = name + (N - 1);
            return true;
        };
        auto known = member::unknown; // here: none of the names below
        switch (left > 0 ? *name : '\0') {
        case 'i': known = is("id\"") ? member::id : is("internalDate\"") ? member::internal_date : known; break;
        case 't': known = is("threadId\"") ? member::thread_id : known; break;
        case 'l': known = is("labelIds\"") ? member::label_ids : known; break;
        case 's': known = is("snippet\"") ? member::snippet : is("sizeEstimate\"") ? member::size_estimate : known; break;
        case 'h': known = is("historyId\"") ? member::history_id : known; break;
        default: break;
        }
        if (known != member::unknown) {
            m = known;
            return true;
        }
        std::string_view text_read;
        if (!text(text_read))
            return false;
        m = message_member_named(text_read);
        return true;
    }

    bool literal(std::string_view word) noexcept {
        if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
            return false;
        p_ += word.size();
        return true;
    }

    // The value of member `m`, read into the message.
    bool value(member m) {
        if (*p_ == 'n') // a known member's null reads as missing
            return literal("null");
        switch (m) {
        case member::id: return text_into(out_.id);
        case member::thread_id: return text_into(out_.thread_id);
        case member::snippet: return text_into(out_.snippet);
        case member::history_id: return text_into(out_.history_id);
        case member::internal_date: return integer_into(out_.internal_date);
        case member::size_estimate: return integer_into(out_.size_estimate);
        case member::label_ids: return labels();
        default: break;
        }
        // An unknown member: any value this reader can check whole.
        std::string_view ignored;
        std::int64_t ignored_number = 0;
        if (*p_ == '"')
            return text(ignored);
        if (*p_ == 't')
            return literal("true");
        if (*p_ == 'f')
            return literal("false");
        return integer(ignored_number);
    }

    bool text_into(std::string& into) {
        std::string_view t;
        if (!text(t))
            return false;
        // A text longer than the string holds (an id of 16 characters, beyond the
        // small-string buffer) is made anew and moved in: `assign` grew the string
        // through `_M_mutate`, ~75 instructions more each.
        if (t.size() > into.capacity())
            into = std::string(t);
        else
            into.assign(t);
        return true;
    }

    // Google writes int64 values as texts, int32 values as numbers; both read alike.
    bool integer_into(std::int64_t& into) {
        if (*p_ != '"')
            return integer(into);
        // The common text, digits alone (at most 18), read in the same pass; any other
        // text is read whole and left to `integer_text`, as the conversion reads it.
        auto const* const digits = p_ + 1;
        auto const* q = digits;
        std::uint64_t value = 0;
        auto const* const limit = end_ - digits > 18 ? digits + 18 : end_;
        for (unsigned digit; q != limit && (digit = static_cast<unsigned char>(*q - '0')) < 10; ++q)
            value = value * 10 + digit;
        if (q != digits && q != end_ && *q == '"') {
            into = static_cast<std::int64_t>(value);
            p_ = q + 1;
            return true;
        }
        std::string_view t;
        if (!text(t))
            return false;
        auto const n = gapi::detail::json_fields::integer_text(t);
        if (!n)
            return false;
        into = *n;
        return true;
    }

    bool labels() {
        if (*p_ != '[')
            return false;
        ++p_;
        if (!skip_space())
            return false;
        if (*p_ == ']') {
            ++p_;
            return true;
        }
        for (;;) {
            std::string_view label;
            if (!text(label) || !skip_space())
                return false;
            out_.label_ids.emplace_back(label);
            if (*p_ == ']') {
                ++p_;
                return true;
            }
            if (*p_ != ',')
                return false;
            ++p_;
            if (!skip_space())
                return false;
        }
    }

    char const* p_;
    char const* end_;
    message& out_;
};

// The handler of `read_flat(message)`: Boost.JSON's parser events straight into the
// message's members. It takes only what `tag_invoke(value_to_tag<message>)` would read
// the same way, and gives up (returns false) on anything else, so that a caller falls
// back to that conversion and gets its result or its error.
class flat_message_reader {
public:
    // The document's own limits, so that what it refuses is not read here.
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = boost::json::string::max_size();
    static constexpr std::size_t max_string_size = boost::json::string::max_size();

    explicit flat_message_reader(message& out) : out_(out) {}

    /// The whole text was read, and it named the message.
    bool complete() const noexcept { return ended_ && !out_.id.empty(); }

    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) {
        ended_ = true;
        return true;
    }
    bool on_object_begin(boost::system::error_code& ec) {
        if (depth_ == 1 && member_ != member::unknown) // an object where a text, number or list is read
            return give_up(ec);
        if (in_labels_)
            return give_up(ec);
        ++depth_;
        return true;
    }
    bool on_object_end(std::size_t, boost::system::error_code&) {
        --depth_;
        return true;
    }
    bool on_array_begin(boost::system::error_code& ec) {
        if (depth_ == 0 || in_labels_)
            return give_up(ec);
        if (depth_ == 1) {
            if (member_ == member::label_ids)
                in_labels_ = true;
            else if (member_ != member::unknown)
                return give_up(ec);
        }
        ++depth_;
        return true;
    }
    bool on_array_end(std::size_t, boost::system::error_code&) {
        --depth_;
        if (in_labels_ && depth_ == 1) {
            in_labels_ = false;
            member_ = member::unknown;
        }
        return true;
    }
    bool on_key_part(boost::json::string_view part, std::size_t, boost::system::error_code&) {
        if (depth_ == 1)
            key_.append(part.data(), part.size());
        return true;
    }
    bool on_key(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
        if (depth_ != 1)
            return true;
        std::string_view key(part.data(), part.size());
        if (!key_.empty()) {
            key_.append(key);
            key = key_;
        }
        member_ = message_member_named(key);
        key_.clear();
        if (member_ == member::other)
            return give_up(ec);
        if (member_ == member::unknown)
            return true;
        auto const bit = 1u << static_cast<unsigned>(member_);
        if (seen_ & bit) // repeated: which one counts is the document's rule, not this one's
            return give_up(ec);
        seen_ |= bit;
        return true;
    }
    bool on_string_part(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
        return text(part, false, ec);
    }
    bool on_string(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
        return text(part, true, ec);
    }
    bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_int64(std::int64_t n, boost::json::string_view, boost::system::error_code& ec) { return number(n, ec); }
    bool on_uint64(std::uint64_t n, boost::json::string_view, boost::system::error_code& ec) {
        if (n > static_cast<std::uint64_t>(INT64_MAX))
            return other_scalar(ec);
        return number(static_cast<std::int64_t>(n), ec);
    }
    bool on_double(double, boost::json::string_view, boost::system::error_code& ec) { return other_scalar(ec); }
    bool on_bool(bool, boost::system::error_code& ec) { return other_scalar(ec); }
    bool on_null(boost::system::error_code& ec) {
        if (in_labels_ || depth_ == 0)
            return give_up(ec);
        if (depth_ == 1)
            member_ = member::unknown; // null reads as missing
        return true;
    }
    bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

private:
    using member = message_member;

    bool give_up(boost::system::error_code& ec) {
        ec = boost::json::error::extra_data; // any error stops the parser
        return false;
    }

    // A text value, or its part (`last`: its end).
    bool text(boost::json::string_view part, bool last, boost::system::error_code& ec) {
        if (depth_ == 0)
            return give_up(ec);
        std::string* into = nullptr;
        if (in_labels_) {
            if (!in_text_)
                out_.label_ids.emplace_back();
            into = &out_.label_ids.back();
        } else if (depth_ == 1) {
            switch (member_) {
            case member::id: into = &out_.id; break;
            case member::thread_id: into = &out_.thread_id; break;
            case member::snippet: into = &out_.snippet; break;
            case member::history_id: into = &out_.history_id; break;
            case member::internal_date:
            case member::size_estimate: into = &number_; break; // Google writes int64 values as text
            case member::label_ids: return give_up(ec);
            default: break;
            }
        }
        in_text_ = !last;
        if (into)
            into->append(part.data(), part.size());
        if (!last || depth_ != 1)
            return true;
        if (member_ == member::internal_date || member_ == member::size_estimate) {
            auto const n = integer_text(number_);
            if (!n)
                return give_up(ec);
            number_.clear();
            return number(*n, ec);
        }
        member_ = member::unknown;
        return true;
    }

    bool number(std::int64_t n, boost::system::error_code& ec) {
        if (depth_ == 0 || in_labels_)
            return give_up(ec);
        if (depth_ == 1) {
            if (member_ == member::internal_date)
                out_.internal_date = n;
            else if (member_ == member::size_estimate)
                out_.size_estimate = n;
            else if (member_ != member::unknown)
                return give_up(ec);
            member_ = member::unknown;
        }
        return true;
    }

    bool other_scalar(boost::system::error_code& ec) {
        if (depth_ == 0 || in_labels_ || (depth_ == 1 && member_ != member::unknown))
            return give_up(ec);
        return true;
    }

    message& out_;
    std::string key_;    ///< a top-level key that came in parts
    std::string number_; ///< an integer written as text
    std::size_t depth_ = 0;
    member member_ = member::unknown; ///< the top-level member whose value comes next
    unsigned seen_ = 0;
    bool in_labels_ = false;
    bool in_text_ = false;
    bool ended_ = false;
};

} // namespace detail

GAPI_DECL message_part tag_invoke(boost::json::value_to_tag<message_part>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    message_part p;
    p.part_id = detail::text(o, "partId");
    p.mime_type = detail::text(o, "mimeType");
    p.filename = detail::text(o, "filename");
    if (auto const* hs = o.if_contains("headers"); hs && hs->is_array())
        for (auto const& h : hs->as_array()) {
            auto const& ho = detail::object_of(h);
            p.headers.push_back({detail::text(ho, "name"), detail::text(ho, "value")});
        }
    if (auto const* b = o.if_contains("body"); b && b->is_object()) {
        auto const& bo = b->as_object();
        p.body.attachment_id = detail::text(bo, "attachmentId");
        p.body.size = detail::integer(bo, "size");
        p.body.data = detail::decode_base64url(detail::text(bo, "data"));
    }
    p.parts = detail::list<message_part>(o, "parts");
    return p;
}

GAPI_DECL message tag_invoke(boost::json::value_to_tag<message>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    message m;
    m.id = detail::required_text(o, "id");
    m.thread_id = detail::text(o, "threadId");
    m.label_ids = detail::list<std::string>(o, "labelIds");
    m.snippet = detail::text(o, "snippet");
    m.history_id = detail::text(o, "historyId");
    m.internal_date = detail::integer(o, "internalDate");
    m.size_estimate = detail::integer(o, "sizeEstimate");
    m.raw = detail::decode_base64url(detail::text(o, "raw"));
    if (auto const* p = o.if_contains("payload"); p && p->is_object())
        m.payload = boost::json::value_to<message_part>(*p);
    return m;
}

namespace detail {

// `m` as a message{} is, member by member: assigning an empty message cost ~280
// instructions a read. The binding names every member, so a member added to `message`
// stops this compiling until it is cleared here too.
inline void clear(message& m) noexcept {
    auto& [id, thread_id, label_ids, snippet, history_id, internal_date, size_estimate, raw, payload] = m;
    id.clear();
    thread_id.clear();
    label_ids.clear();
    snippet.clear();
    history_id.clear();
    internal_date = 0;
    size_estimate = 0;
    raw.clear();
    payload.reset();
}

} // namespace detail

GAPI_DECL bool read_flat(boost::json::value_to_tag<message>, std::string_view json, message& out) {
    detail::clear(out);
    if (detail::plain_message_scanner(json, out).read())
        return true;
    detail::clear(out);
    boost::json::basic_parser<detail::flat_message_reader> p(boost::json::parse_options{}, out);
    boost::system::error_code ec;
    auto const used = p.write_some(false, json.data(), json.size(), ec);
    return !ec && used == json.size() && p.handler().complete();
}

GAPI_DECL message_ref tag_invoke(boost::json::value_to_tag<message_ref>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::required_text(o, "id"), detail::text(o, "threadId")};
}

GAPI_DECL message_list tag_invoke(boost::json::value_to_tag<message_list>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::list<message_ref>(o, "messages"), detail::text(o, "nextPageToken"),
            detail::integer(o, "resultSizeEstimate")};
}

GAPI_DECL draft tag_invoke(boost::json::value_to_tag<draft>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    draft d;
    d.id = detail::required_text(o, "id");
    if (auto const* m = o.if_contains("message"); m && m->is_object())
        d.message = boost::json::value_to<message>(*m);
    return d;
}

GAPI_DECL draft_list tag_invoke(boost::json::value_to_tag<draft_list>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::list<draft>(o, "drafts"), detail::text(o, "nextPageToken"),
            detail::integer(o, "resultSizeEstimate")};
}

GAPI_DECL label tag_invoke(boost::json::value_to_tag<label>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::required_text(o, "id"), detail::text(o, "name"), detail::text(o, "type"),
            detail::text(o, "messageListVisibility"), detail::text(o, "labelListVisibility")};
}

GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, label const& l) {
    boost::json::object o;
    if (!l.id.empty())
        o["id"] = l.id;
    o["name"] = l.name;
    if (!l.message_list_visibility.empty())
        o["messageListVisibility"] = l.message_list_visibility;
    if (!l.label_list_visibility.empty())
        o["labelListVisibility"] = l.label_list_visibility;
    v = std::move(o);
}

GAPI_DECL profile tag_invoke(boost::json::value_to_tag<profile>, boost::json::value const& v) {
    auto const& o = detail::object_of(v);
    return {detail::required_text(o, "emailAddress"), detail::integer(o, "messagesTotal"),
            detail::integer(o, "threadsTotal"), detail::text(o, "historyId")};
}

} // namespace gapi::gmail

#endif
