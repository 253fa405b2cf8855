// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_MERGE_CSV_HPP
#define GAPI_MERGE_CSV_HPP

// RFC 4180 CSV as spreadsheets export it: fields separated by commas, records by CRLF
// or LF; a field in double quotes may hold commas, line breaks and doubled quotes.
// UTF-8, with or without a byte-order mark. The first record names the fields.
// Strict where leniency would mis-assign a value to the wrong column (a quote inside an
// unquoted field, text after a closing quote, a record with too few or too many
// fields): such input is refused with the line where the record starts.

#include <gapi/mime/detail/encoding.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gapi_merge {

/// Malformed input; `line` is 1-based, the line where the offending record starts.
class csv_error : public std::runtime_error {
public:
    csv_error(std::size_t line, std::string const& what)
        : std::runtime_error("line " + std::to_string(line) + ": " + what), line_(line) {}
    std::size_t line() const noexcept { return line_; }

private:
    std::size_t line_;
};

struct csv_record {
    std::vector<std::string> fields;
    std::size_t line = 0; ///< where the record starts (1-based; the header is line 1)
};

struct csv_table {
    std::vector<std::string> header;
    std::vector<csv_record> rows;

    /// The column of `name`, or npos.
    std::size_t column(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name)
                return i;
        return npos;
    }
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};


/// Parses a whole CSV text. Throws `csv_error` on malformed input: an unclosed quote, a
/// quote inside an unquoted field, text after a closing quote, a record whose field
/// count differs from the header's, an empty or repeated column name, invalid UTF-8.
/// Empty lines are skipped.
inline csv_table parse_csv(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    std::vector<csv_record> records;
    std::size_t line = 1;
    std::size_t i = 0;
    while (i < text.size()) {
        // An empty line (LF or CRLF alone) is no record.
        if (text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
            i += text[i] == '\r' ? 2 : 1;
            ++line;
            continue;
        }
        csv_record record;
        record.line = line;
        for (;;) { // one field per turn
            std::string field;
            if (i < text.size() && text[i] == '"') {
                std::size_t const opened_line = line;
                ++i;
                for (;;) {
                    if (i >= text.size())
                        throw csv_error(opened_line, "a quoted field is never closed");
                    char const c = text[i];
                    if (c == '"') {
                        if (i + 1 < text.size() && text[i + 1] == '"') {
                            field += '"';
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    if (c == '\n')
                        ++line;
                    field += c;
                    ++i;
                }
                if (i < text.size() && text[i] != ',' && text[i] != '\n' &&
                    !(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') && !(text[i] == '\r' && i + 1 == text.size()))
                    throw csv_error(line, "text after the closing quote of a field (write a quote inside a quoted "
                                          "field as two quotes)");
            } else {
                while (i < text.size() && text[i] != ',' && text[i] != '\n' &&
                       !(text[i] == '\r' && (i + 1 == text.size() || text[i + 1] == '\n'))) {
                    if (text[i] == '"')
                        throw csv_error(line, "a quote inside an unquoted field (quote the whole field, and double "
                                              "the quotes inside it)");
                    if (text[i] == '\r')
                        throw csv_error(line, "a carriage return without a line feed outside quotes");
                    field += text[i];
                    ++i;
                }
            }
            if (!gapi::mime::detail::is_valid_utf8(field))
                throw csv_error(record.line, "not UTF-8 (save the file as UTF-8)");
            record.fields.push_back(std::move(field));
            if (i < text.size() && text[i] == ',') {
                ++i;
                continue;
            }
            // The end of the record: CRLF, LF, or the end of the text.
            if (i < text.size() && text[i] == '\r')
                ++i;
            if (i < text.size() && text[i] == '\n') {
                ++i;
                ++line;
            }
            break;
        }
        records.push_back(std::move(record));
    }
    if (records.empty())
        throw csv_error(1, "no header row: the first line must name the fields");
    csv_table table;
    table.header = std::move(records.front().fields);
    for (std::size_t c = 0; c < table.header.size(); ++c) {
        auto& name = table.header[c];
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
            name.pop_back();
        while (!name.empty() && (name.front() == ' ' || name.front() == '\t'))
            name.erase(0, 1);
        if (name.empty())
            throw csv_error(1, "column " + std::to_string(c + 1) + " has no name");
        for (std::size_t d = 0; d < c; ++d)
            if (table.header[d] == name)
                throw csv_error(1, "the column name '" + name + "' appears twice");
    }
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (records[r].fields.size() != table.header.size())
            throw csv_error(records[r].line, "the record has " + std::to_string(records[r].fields.size()) +
                                                 " fields; the header names " +
                                                 std::to_string(table.header.size()));
        table.rows.push_back(std::move(records[r]));
    }
    return table;
}

} // namespace gapi_merge

#endif
