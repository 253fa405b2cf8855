#!/usr/bin/env python3
# Copyright (c) 2026 The gapi developers
# Distributed under the Boost Software License, Version 1.0.
"""Writes gapi's typed layer for every schema and method of Google's discovery documents.

    python3 codegen/generate.py           # rewrite the generated files
    python3 codegen/generate.py --check   # exit 1 if a generated file is not what it would write

Reads api/gmail-v1.json and api/calendar-v3.json; writes, for each API,
include/gapi/<api>/<version>/schemas.hpp, methods.hpp and their impl/*.ipp, and
tests/generated/<api>_methods_test.cpp (every request builder against its path template).
"""

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

KEYWORDS = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case",
    "catch", "char", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit",
    "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do",
    "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
    "friend", "goto", "if", "import", "inline", "int", "long", "module", "mutable", "namespace", "new",
    "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public",
    "register", "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
    "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local", "throw",
    "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
    "volatile", "wchar_t", "while", "xor", "xor_eq",
}
# Names the generated code gives members of its own: a schema field named so gets a "_".
FIELD_RESERVED = {"other"}
# ... and the arguments of a generated method.
PARAMETER_RESERVED = {"query", "token", "body", "media"}

# Gmail's per-method quota units (../shared/reference/google-api-facts.md §6.1, Google's
# "Usage limits" page). Calendar counts requests: 1 each.
GMAIL_UNITS = {
    "drafts.create": 10, "drafts.delete": 10, "drafts.get": 5, "drafts.list": 5, "drafts.send": 100,
    "drafts.update": 15, "getProfile": 1, "history.list": 2, "labels.create": 5, "labels.delete": 5,
    "labels.get": 1, "labels.list": 1, "labels.update": 5, "labels.patch": 5,
    "messages.batchDelete": 50, "messages.batchModify": 50, "messages.delete": 10, "messages.get": 5,
    "messages.import": 25, "messages.insert": 25, "messages.list": 5, "messages.modify": 5,
    "messages.send": 100, "messages.trash": 5, "messages.untrash": 5, "messages.attachments.get": 5,
    "threads.get": 10, "threads.list": 10, "threads.modify": 10, "threads.trash": 10,
    "threads.untrash": 10, "threads.delete": 20, "watch": 100, "stop": 50,
    "settings.delegates.create": 100, "settings.forwardingAddresses.create": 100,
    "settings.sendAs.create": 100, "settings.sendAs.update": 100, "settings.sendAs.patch": 100,
    # Google's usage-limits page (developers.google.com/gmail/api/reference/quota) goes on:
    "settings.sendAs.verify": 100, "settings.updatePop": 100, "settings.updateAutoForwarding": 5,
    "settings.updateImap": 5, "settings.updateVacation": 5, "settings.delegates.delete": 5,
    "settings.filters.create": 5, "settings.filters.delete": 5, "settings.forwardingAddresses.delete": 5,
    "settings.sendAs.delete": 5,
}
# Settings writes no table names (S/MIME, CSE, language): the cost of a label write (unconfirmed).
GMAIL_SETTINGS_WRITE_UNITS = 5

# POST methods whose repetition changes nothing more than the first call did: safe to
# retry. Everything else sent with POST (send, insert, import, create, quickAdd, move,
# watch) may act twice.
IDEMPOTENT_POSTS = {
    "gmail.users.messages.modify", "gmail.users.messages.trash", "gmail.users.messages.untrash",
    "gmail.users.messages.batchModify", "gmail.users.messages.batchDelete",
    "gmail.users.threads.modify", "gmail.users.threads.trash", "gmail.users.threads.untrash",
    "gmail.users.stop", "calendar.channels.stop", "calendar.freebusy.query", "calendar.calendars.clear",
    "gmail.users.settings.cse.keypairs.enable", "gmail.users.settings.cse.keypairs.disable",
    # Repeated, these leave a visible duplicate at worst, never a second e-mail: a second
    # draft, a 409 for a label name that exists; gapi has always retried them.
    "gmail.users.drafts.create", "gmail.users.labels.create",
}

# POST methods that are idempotent only when the request body names the resource's own id:
# inserted twice, such an event meets Google's 409 the second time and exists once; an
# event without an id would be made twice by a retry after a lost answer. The request
# builder decides per call, from the body.
IDEMPOTENT_WITH_OWN_ID = {
    "calendar.events.insert": "id",
}

# What a retry of a method that IDEMPOTENT_POSTS calls idempotent, but that is not quite, may do
# (written into its documentation).
IDEMPOTENCY_NOTES = {
    "gmail.users.drafts.create": "A retry after a lost answer may leave a second draft, never a second e-mail.",
    "gmail.users.labels.create": "A retry after a lost answer may get 409: the label name exists.",
}

APIS = [
    {"doc": "api/gmail-v1.json", "api": "gmail", "version": "v1", "quota_param": "userId"},
    {"doc": "api/calendar-v3.json", "api": "calendar", "version": "v3", "quota_param": None},
]


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9_]", "_", s).lower()
    if s[0].isdigit():
        s = "_" + s
    return s


def ident(name, reserved=()):
    s = snake(name)
    return s + "_" if s in KEYWORDS or s in reserved else s


# Abbreviations whose period ends no sentence.
ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "ex.", "vs.")


def first_sentence(text, limit=150):
    text = " ".join((text or "").split())
    end = 0
    for m in re.finditer(r"\.(\s|$)", text):
        if not text[: m.start() + 1].endswith(ABBREVIATIONS):
            end = m.start() + 1
            break
    s = text[:end] if end else text
    if len(s) > limit:
        s = s[: limit - 3].rsplit(" ", 1)[0]
        if s.count("`") % 2:  # never end inside a code span
            s = s[: s.rindex("`")].rstrip()
        s += "..."
    return s


# Doxygen reads comments as Markdown with commands of its own: in Google's prose, `<`, `>`,
# `@`, `#`, `%`, `&`, `$` and `\` are escaped, and a period that ends no sentence ("e.g.")
# is followed by "\ " so that it does not end the brief. Code spans, link targets and text
# in double quotes (which Doxygen prints as it stands, backslashes included) are kept as they are.
_CODE_SPAN = re.compile(r"(`[^`\n]*`)")
_VERBATIM = re.compile(r"(`[^`\n]*`|\"[^\"]*\"|\[[^\]\n]*\]\([^)\s]*\)|https?://[^\s)>\]\"]+)")
_NBSP = "\x00"  # a space the wrapping keeps (inside a code span, after "\")


def _escape_prose(text):
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>@%&$])", r"\1", text)  # Google's Markdown escapes: the character
    text = text.replace("`", "'")  # a lone backtick (a pair is a code span, kept apart)
    text = re.sub(r"([\\@#%&$<>])", r"\\\1", text)
    for abbreviation in ABBREVIATIONS:
        text = text.replace(abbreviation + " ", abbreviation + "\\" + _NBSP)
    return text


def doxygen_text(text):
    """Google's description as Doxygen reads it back: its Markdown kept, every character
    Doxygen would take for a command or an HTML tag escaped (see above)."""
    out = []
    for i, piece in enumerate(_VERBATIM.split(text)):
        if i % 2 == 0:
            out.append(_escape_prose(piece))
        elif piece.startswith("["):  # a link: its text is prose, its target a URL
            label, target = piece[1:].split("](", 1)
            out.append("[" + _escape_prose(label) + "](" + target)
        else:
            out.append(piece)
    return "".join(out)


# A line that starts so would be a Markdown list item, heading rule or quote.
_BLOCK_START = re.compile(r"([-+*]|\d+[.)]|=+|-+)$")


def wrap(text, width):
    """Words to lines of at most `width` (longer if one word is), never starting a line with
    a Markdown block marker nor ending one with a backslash (a C++ line splice)."""
    text = _CODE_SPAN.sub(lambda m: m.group().replace(" ", _NBSP), text)
    lines = []
    for word in text.split():
        if lines and (len(lines[-1]) + 1 + len(word) <= width or _BLOCK_START.match(word)):
            lines[-1] += " " + word
        else:
            lines.append(word)
    lines = [line.replace(_NBSP, " ") for line in lines]
    for line in lines:
        if line.endswith("\\"):
            raise SystemExit(f"a comment line would end with a backslash: {line}")
    return lines


def comment(text, indent):
    """`text` (already Doxygen's: see doxygen_text) as `///` lines; a blank line between
    paragraphs ("\n\n"), an "@par" line kept as a line of its own."""
    if not text:
        return []
    lines = []
    for i, paragraph in enumerate(text.split("\n\n")):
        if i:
            lines.append(indent + "///")
        for chunk in paragraph.split("\n"):
            if chunk.startswith("@par "):
                lines.append(indent + "/// " + chunk)
                continue
            lines += [indent + "/// " + line for line in wrap(chunk, 100 - len(indent) - 4)]
    return lines


def prose(text):
    """A description of the discovery document, whole: Doxygen's text, a paragraph per blank
    line of Google's, a period at the end (Doxygen's brief is its first sentence)."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "")]
    paragraphs = [p for p in paragraphs if p]
    if paragraphs and not paragraphs[-1].endswith((".", "!", "?", ")")):
        paragraphs[-1] += "."
    return "\n\n".join(doxygen_text(p) for p in paragraphs)


def cpp_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Api:
    def __init__(self, spec):
        self.spec = spec
        self.doc = json.loads((ROOT / spec["doc"]).read_text())
        self.api = spec["api"]
        self.version = spec["version"]
        self.ns = f"gapi::{self.api}::{self.version}"
        self.structs = {}   # C++ name -> {"schema": name, "fields": [...], "doc": str, "deps": set}
        self.order = []
        self.methods = []   # flat list
        for name in sorted(self.doc["schemas"]):
            self.add_struct(ident(name), self.doc["schemas"][name], name)
        self.sort_structs()
        self.resources = self.collect_resources(self.doc, [])

    # ---- schemas -------------------------------------------------------------------------

    def add_struct(self, cname, schema, origin):
        if cname in self.structs:
            raise SystemExit(f"two schemas named {cname}")
        entry = {"origin": origin, "fields": [], "doc": first_sentence(schema.get("description")), "deps": set()}
        self.structs[cname] = entry
        names = set()
        for key in sorted(schema.get("properties", {})):
            prop = schema["properties"][key]
            field = ident(key, FIELD_RESERVED)
            if field in names:
                raise SystemExit(f"{origin}: two fields named {field}")
            names.add(field)
            ctype, complete = self.field_type(prop, cname, key)
            entry["fields"].append({"json": key, "name": field, "type": ctype,
                                    "doc": first_sentence(prop.get("description"))})
            entry["deps"] |= complete

    def value_type(self, prop, owner, key):
        """The C++ type of a value (not optional); and the structs it needs complete."""
        if "$ref" in prop:
            name = ident(prop["$ref"])
            return f"{self.version}::{name}", {name}
        t, fmt = prop.get("type"), prop.get("format")
        if t == "string":
            return {"int64": "std::int64_t", "uint64": "std::uint64_t"}.get(fmt, "std::string"), set()
        if t == "integer":
            return {"uint32": "std::uint32_t"}.get(fmt, "std::int32_t"), set()
        if t == "number":
            return "double", set()
        if t == "boolean":
            return "bool", set()
        if t == "any":
            return "boost::json::value", set()
        if t == "array":
            inner, _ = self.value_type(prop["items"], owner, key)
            return f"std::vector<{inner}>", set()  # std::vector takes an incomplete type
        if t == "object":
            if "properties" in prop:
                name = owner + "_" + ident(key).rstrip("_")
                self.add_struct(name, prop, f"{owner}.{key}")
                return f"{self.version}::{name}", {name}
            if "additionalProperties" in prop:
                inner, deps = self.value_type(prop["additionalProperties"], owner, key)
                return f"std::map<std::string, {inner}>", deps
            return "boost::json::value", set()
        raise SystemExit(f"{owner}.{key}: unknown type {t}")

    def field_type(self, prop, owner, key):
        ctype, deps = self.value_type(prop, owner, key)
        if ctype.startswith(("std::vector", "std::map", "boost::json::value")):
            return ctype, deps
        return f"std::optional<{ctype}>", deps

    def sort_structs(self):
        done, visiting = set(), set()

        def visit(name):
            if name in done:
                return
            if name in visiting:
                raise SystemExit(f"schema cycle through {name} needs an indirection")
            visiting.add(name)
            for d in sorted(self.structs[name]["deps"]):
                if d != name:
                    visit(d)
            visiting.discard(name)
            done.add(name)
            self.order.append(name)

        for name in sorted(self.structs):
            visit(name)

    # ---- methods -------------------------------------------------------------------------

    def collect_resources(self, node, path):
        resources = []
        for rname in sorted(node.get("resources", {})):
            r = node["resources"][rname]
            rpath = path + [rname]
            entry = {"path": rpath, "class": "_".join(ident(p).rstrip("_") for p in rpath) + "_resource",
                     "accessor": ident(rname), "methods": [], "children": self.collect_resources(r, rpath)}
            for c in entry["children"]:
                c["parent"] = entry["class"]
            for mname in sorted(r.get("methods", {})):
                entry["methods"].append(self.method(r["methods"][mname], mname, rpath))
            resources.append(entry)
        return resources

    def quota_units(self, mid):
        if self.api != "gmail":
            return 1
        key = mid.removeprefix("gmail.users.")
        if key in GMAIL_UNITS:
            return GMAIL_UNITS[key]
        if key.startswith("settings."):
            verb = key.rsplit(".", 1)[1]
            # settings.*.get / list and settings.getImap, getPop, ...: reads cost 1
            return 1 if verb.startswith(("get", "list")) else GMAIL_SETTINGS_WRITE_UNITS
        raise SystemExit(f"no quota units for {mid}")

    def method(self, m, mname, rpath):
        mid = m["id"]
        http = m["httpMethod"]
        params = m.get("parameters", {})
        order = m.get("parameterOrder", [])
        positional = [{"json": p, "name": ident(p, PARAMETER_RESERVED), "location": params[p]["location"]}
                      for p in order]
        optional = []
        for p in sorted(params):
            if p in order:
                continue
            q = params[p]
            if q["location"] != "query":
                raise SystemExit(f"{mid}: optional path parameter {p}")
            base, _ = self.value_type(q, "", p)
            ctype = f"std::vector<{base}>" if q.get("repeated") else f"std::optional<{base}>"
            optional.append({"json": p, "name": ident(p, FIELD_RESERVED), "type": ctype,
                             "doc": first_sentence(q.get("description"))})
        idempotent = http in ("GET", "PUT", "DELETE", "PATCH") or mid in IDEMPOTENT_POSTS
        base = snake(mname)
        prefix = "_".join(ident(p).rstrip("_") for p in rpath)
        upload = None
        if m.get("supportsMediaUpload"):
            upload = m["mediaUpload"]["protocols"]["simple"]["path"].lstrip("/")
        return {
            "id": mid, "http": http, "path": self.doc["servicePath"] + m["path"], "upload_path": upload,
            "name": ident(mname), "base": base, "key": f"{prefix}_{base}",
            "description": m.get("description", ""),
            "call": "().".join(ident(p) for p in rpath) + "()." + ident(mname), "positional": positional,
            "optional": optional,
            "query_struct": f"{prefix}_{base}_query" if optional else None,
            "request": f"{self.version}::{ident(m['request']['$ref'])}" if "request" in m else None,
            "response": f"{self.version}::{ident(m['response']['$ref'])}" if "response" in m else "no_content",
            "units": self.quota_units(mid), "idempotent": idempotent,
            "idempotent_with_own": IDEMPOTENT_WITH_OWN_ID.get(mid),
            "quota_param": self.spec["quota_param"] if self.spec["quota_param"] in order else None,
        }

    def all_resources(self, resources=None):
        for r in self.resources if resources is None else resources:
            yield from self.all_resources(r["children"])
            yield r

    def all_methods(self):
        for r in self.all_resources():
            yield from r["methods"]


HEADER = """// Generated by codegen/generate.py from {doc}: do not edit.
// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
"""


def guard(path):
    return "GAPI_" + re.sub(r"[^A-Za-z0-9]", "_", str(path.relative_to(ROOT / "include" / "gapi"))).upper()


def write_schemas(a, out):
    h = pathlib.Path(f"include/gapi/{a.api}/{a.version}/schemas.hpp")
    ipp = pathlib.Path(f"include/gapi/{a.api}/{a.version}/impl/schemas.ipp")
    g = guard(ROOT / h)
    lines = [HEADER.format(doc=a.spec["doc"]).rstrip("\n"), f"#ifndef {g}", f"#define {g}", "",
             "// Every schema of the discovery document as a struct. A field Google did not send is an",
             "// empty optional (or an empty list or map); fields a struct does not name are kept in",
             "// `other` and written back, so a resource read, changed and written loses nothing.",
             "// 64-bit integers, which Google writes as strings, are integers here.", "",
             "#include <gapi/config.hpp>", "",
             "#include <boost/json/conversion.hpp>", "#include <boost/json/object.hpp>",
             "#include <boost/json/value.hpp>", "",
             "#include <cstdint>", "#include <map>", "#include <optional>", "#include <string>",
             "#include <vector>", "", f"namespace {a.ns} {{", ""]
    lines += [f"struct {name};" for name in sorted(a.order)] + [""]
    for name in a.order:
        s = a.structs[name]
        text = f"{s['origin']}: {s['doc']}" if s["doc"] else schema_fallback(s["origin"])
        lines += comment(doxygen_text(text), "")
        lines.append(f"struct {name} {{")
        for f in s["fields"]:
            lines += comment(doxygen_text(f["doc"] or f"The `{f['json']}` field."), "    ")
            lines.append(f"    {f['type']} {f['name']};")
        lines.append("    /// Fields this struct does not name, as Google sent them.")
        lines.append("    boost::json::object other;")
        lines.append("};")
        lines.append("")
    for name in a.order:
        lines.append(f"GAPI_DECL {name} tag_invoke(boost::json::value_to_tag<{name}>, boost::json::value const& v);")
        lines.append(f"GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, {name} const& x);")
    lines += ["", f"}} // namespace {a.ns}", "", "#ifdef GAPI_HEADER_ONLY",
              f"#include <{ipp.relative_to('include')}>", "#endif", "", "#endif", ""]
    out[h] = "\n".join(lines)

    g = guard(ROOT / ipp)
    lines = [HEADER.format(doc=a.spec["doc"]).rstrip("\n"), f"#ifndef {g}", f"#define {g}", "",
             "#include <gapi/detail/generated_support.hpp>", f"#include <{h.relative_to('include')}>", "",
             f"namespace {a.ns} {{", "", "using namespace gapi::detail::json_field;", ""]
    for name in a.order:
        s = a.structs[name]
        lines.append(f"GAPI_DECL {name} tag_invoke(boost::json::value_to_tag<{name}>, boost::json::value const& v) {{")
        lines.append(f"    {name} r;")
        lines.append("    for (auto const& field : v.as_object()) {")
        lines.append("        auto const key = field.key();")
        for i, f in enumerate(s["fields"]):
            kw = "if" if i == 0 else "else if"
            lines.append(f"        {kw} (key == {cpp_string(f['json'])})")
            lines.append(f"            read(field.value(), r.{f['name']});")
        if s["fields"]:
            lines.append("        else")
            lines.append("            r.other.emplace(key, field.value());")
        else:
            lines.append("        r.other.emplace(key, field.value());")
        lines.append("    }")
        lines.append("    return r;")
        lines.append("}")
        lines.append("")
        lines.append(f"GAPI_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, {name} const& x) {{")
        lines.append("    auto& o = v.emplace_object();")
        for f in s["fields"]:
            lines.append(f"    put(o, {cpp_string(f['json'])}, x.{f['name']});")
        lines.append("    put_other(o, x.other);")
        lines.append("}")
        lines.append("")
    lines += [f"}} // namespace {a.ns}", "", "#endif", ""]
    out[ipp] = "\n".join(lines)


def path_segments(path, positional):
    """The C++ segment list of a path template: literals quoted, parameters by name."""
    names = {p["json"]: p["name"] for p in positional}
    segs = []
    for seg in path.split("/"):
        m = re.fullmatch(r"\{\+?(\w+)\}", seg)
        if m:
            segs.append(names[m.group(1)])
        elif "{" in seg:  # a custom verb: "{keyPairId}:disable"
            m = re.fullmatch(r"\{(\w+)\}(:\w+)", seg)
            if not m:
                raise SystemExit(f"path segment {seg} mixes text and a parameter")
            segs.append(f"std::string({names[m.group(1)]}) + {cpp_string(m.group(2))}")
        else:
            segs.append(cpp_string(seg))
    return ", ".join(segs)


def signature(m, with_body, with_media, with_query):
    args = [f"std::string_view {p['name']}" for p in m["positional"]]
    if with_body and m["request"]:
        args.append(f"{m['request']} const& body")
    if with_media:
        args.append("media_upload const& media")
    if with_query:
        args.append(f"{m['query_struct']} const& query")
    return args


def schema_fallback(origin):
    """The comment of a schema its discovery document does not describe."""
    if "." in origin:  # an object declared inside another schema's property
        owner, key = origin.split(".", 1)
        return f"{origin}: the object of `{owner}`'s `{key}` field."
    return f"{origin}: Google's `{origin}` schema."


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def response_type(a, m):
    """What a method completes with, fully qualified."""
    return "gapi::no_content" if m["response"] == "no_content" else f"gapi::{a.api}::{m['response']}"


def completion_doc(a, m):
    t = response_type(a, m)
    text = f"`void(boost::system::error_code, {t})`"
    if m["response"] == "no_content":
        text += (" (Google answers without a body). Errors: those of every gapi call (`api_error`, token and "
                 "transport errors)")
    else:
        text += (f"; the `{m['response'].split('::')[1]}` is empty on an error. Errors: those of every gapi call "
                 "(`api_error`, token and transport errors, `error::malformed_response`)")
    return text + "; `error::invalid_url`, nothing sent, if the service's root is not a URL."


def idempotency_doc(m):
    if m["idempotent_with_own"]:
        field = m["idempotent_with_own"]
        return (f"Idempotent only when `body.{field}` is set (a client-chosen id, e.g. `calendar::new_event_id`): "
                "gapi then retries it after any failure its retry policy retries, and a retry after a lost answer "
                "completes with Google's 409 while the resource exists once. Without it, not idempotent: gapi "
                "sends it again only when Google provably did not act, so a retry never makes a second one. "
                "`call_options::idempotent` overrides this.")
    if m["idempotent"]:
        text = ("Idempotent: gapi sends it again after any failure its retry policy retries (429 and rate-limit "
                "403s; 500, 502, 503, 504 and 403 `backendError`; a lost connection, even once the request was "
                "written), and the transport replays it once over a fresh connection when a reused one turns out "
                "closed.")
    else:
        text = ("Not idempotent: gapi sends it again only when Google provably did not act (429 and rate-limit "
                "403s; a 401, after one token refresh; a connection lost before the request was written). After "
                "an ambiguous failure (the connection lost once it was written; 500, 502, 503, 504; 403 "
                "`backendError`) it completes with that error: whether Google acted is unknown.")
    text += " `call_options::idempotent` overrides this."
    if m["id"] in IDEMPOTENCY_NOTES:
        text += " " + IDEMPOTENCY_NOTES[m["id"]]
    elif m["http"] == "DELETE":
        text += " A retry after a lost answer may get 404: the first attempt deleted it."
    return text


def quota_doc(a, m):
    units = plural(m["units"], "quota unit")
    if a.api == "gmail":
        text = f"{units} of Gmail's per-user quota, charged to " + \
            ("the mailbox `user_id`" if m["quota_param"] else "the credential's user")
    else:
        text = f"{units} (Calendar counts requests), charged to the credential's user"
    text += (" (the client paces calls to the quota). Batchable: automatic batching (`client_options::batching`, "
             f"`call_options::batch`) may send it with concurrent calls; `{m['base']}_request` gives its request "
             "for `gapi::batch::run`.")
    if m["upload_path"]:
        text += f" Media uploads (`{m['base']}_upload`) are never batched."
    return text


LIFETIMES_DOC = (
    "The request is built when this function is called (even with `asio::deferred`), so the arguments may be "
    "temporaries. The call runs on the client's executor and completes on the token's associated executor. "
    "Cancellation (the token's slot): any type ends a call still waiting at the client's admission gate "
    "(`operation_aborted`); terminal cancellation reaches a running call. The client must outlive the "
    "operation; this resource object and its service need not.")


def call_doc(a, m, media, query):
    """The `///` text of one overload of a method's call."""
    t = response_type(a, m)
    if not media and not query:
        head = f"Google's `{m['id']}`: `{m['http']} {m['path']}`"
        if m["upload_path"]:
            head += f"; with media, `{m['base']}_upload`"
        if m["query_struct"]:
            head += f"; optional query parameters: the overload taking `{m['query_struct']}`"
        return "\n\n".join([
            prose(m["description"]), head + ".",
            "\n".join(["@par Completion", completion_doc(a, m),
                       "@par Idempotency", idempotency_doc(m),
                       "@par Quota and batching", quota_doc(a, m),
                       "@par Cancellation, executor and lifetimes", LIFETIMES_DOC])])
    if not media:
        return (f"Google's `{m['id']}` with its optional query parameters (`{m['query_struct']}`); otherwise as "
                "the overload without them.\n"
                f"@par Completion\n`void(boost::system::error_code, {t})`.")
    with_query = f" with its optional query parameters (`{m['query_struct']}`)" if query else ""
    return (f"Google's `{m['id']}` as a media upload{with_query}: `{m['http']} {m['upload_path']}`, "
            f"`uploadType=multipart` (`body` as JSON, then `media`); otherwise as `{m['name']}`, but never batched "
            "(`gapi::batch::run` refuses its request: `error::not_batchable`).\n"
            f"@par Completion\n`void(boost::system::error_code, {t})`; `error::header_injection`, nothing sent, if "
            "`media.content_type` holds CR or LF.")


def builder_doc(a, m, media):
    """The `///` text of a request builder."""
    target = f"`{m['http']} {m['upload_path']}`, `uploadType=multipart`" if media else f"`{m['http']} {m['path']}`"
    use = "for `client::send` (not `gapi::batch::run`)" if media else "for `gapi::batch::run` or `client::send`"
    text = (f"The request of Google's `{m['id']}`{' as a media upload' if media else ''} ({target}), built but not "
            f"sent: {use}. It carries the method id, {plural(m['units'], 'quota unit')} and idempotency ("
            + (f"idempotent when `body.{m['idempotent_with_own']}` is set" if m["idempotent_with_own"]
               else "idempotent" if m["idempotent"] else "not idempotent") + ").")
    throws = "@throws boost::system::system_error `error::invalid_url` if the service's root is not a URL"
    if media:
        throws += "; `error::header_injection` if `media.content_type` holds CR or LF"
    return text + "\n" + throws + "."


def write_methods(a, out):
    h = pathlib.Path(f"include/gapi/{a.api}/{a.version}/methods.hpp")
    ipp = pathlib.Path(f"include/gapi/{a.api}/{a.version}/impl/methods.ipp")
    schemas = pathlib.Path(f"include/gapi/{a.api}/{a.version}/schemas.hpp")
    g = guard(ROOT / h)
    methods = list(a.all_methods())
    lines = [HEADER.format(doc=a.spec["doc"]).rstrip("\n"), f"#ifndef {g}", f"#define {g}", "",
             "// Every method of the discovery document, reached from the service as Google names it:",
             "// Google's `" + methods[0]["id"] + "` is `" + ".".join(
                 ["google", f"{a.api}()"] + [ident(p) + "()" for p in methods[0]["id"].split(".")[1:-1]] +
                 [methods[0]["name"] + "(...)"]) + "`.",
             "// Each takes its path parameters (and required query parameters) in Google's order, then",
             "// its request body, then its optional query parameters, then any completion token",
             "// (default `asio::deferred`), and completes with `void(error_code, T)`: T the response",
             "// resource, or `no_content`. Errors are those of every gapi call (see gmail_service.hpp).",
             "// The request is built when the operation starts, so every argument may be a temporary;",
             "// each `X_request` builder returns it without sending it (for `batch::run`, or to send",
             "// yourself). Idempotency, quota units and batchability come with each method.", "",
             "#include <gapi/config.hpp>", "#include <gapi/detail/generated_support.hpp>",
             f"#include <{schemas.relative_to('include')}>", "",
             "#include <boost/asio/async_result.hpp>", "#include <boost/asio/deferred.hpp>", "",
             "#include <cstdint>", "#include <optional>", "#include <string>", "#include <string_view>",
             "#include <vector>", "", f"namespace {a.ns} {{", ""]
    # query structs
    for m in methods:
        if not m["query_struct"]:
            continue
        lines.append(f"/// The optional query parameters of {m['id']}.")
        lines.append(f"struct {m['query_struct']} {{")
        for q in m["optional"]:
            lines += comment(doxygen_text(q["doc"] or f"The `{q['json']}` query parameter."), "    ")
            lines.append(f"    {q['type']} {q['name']};")
        lines.append("};")
        lines.append("")
    # method table
    lines.append("/// Each method's id, quota units (Gmail's units; Calendar counts requests) and idempotency.")
    lines.append("namespace methods {")
    for m in methods:
        lines.append(f"inline constexpr gapi::detail::api_method {m['key']}{{{cpp_string(m['id'])}, "
                     f"{m['units']}, {'true' if m['idempotent'] else 'false'}}}; ///< `{m['call']}(...)`")
    lines.append("} // namespace methods")
    lines.append("")
    lines.append("/// Every method as the discovery document describes it (for tests and tools).")
    lines.append("inline constexpr gapi::detail::method_description all_methods[] = {")
    for m in methods:
        up = cpp_string(m["upload_path"]) if m["upload_path"] else '""'
        lines.append(f"    {{methods::{m['key']}, {cpp_string(m['http'])}, {cpp_string(m['path'])}, {up}}},")
    lines.append("};")
    lines.append("")

    tok = "boost::asio::completion_token_for<void(error_code, {})> CompletionToken = boost::asio::deferred_t"
    service = f"{a.api}::{a.api}_service"
    for r in a.all_resources():
        name = f"{a.api}.{'.'.join(r['path'])}"
        maker = f"`{r['parent']}::{r['accessor']}()`" if "parent" in r else f"`{service}::{r['accessor']}()`"
        lines += comment(f"Google's `{name}` resource: its methods"
                         + (" and sub-resources" if r["children"] else "")
                         + f", each as its discovery document describes it. Made by {maker}; a value, cheap to "
                         "copy, that shares the service's client and options.", "")
        lines.append(f"class {r['class']} {{")
        lines.append("public:")
        lines += comment(f"What {maker} returns: `ref` names the service's client, root URL and call options.",
                         "    ")
        lines.append(f"    explicit {r['class']}(gapi::detail::service_ref ref) noexcept : ref_(std::move(ref)) {{}}")
        lines.append("")
        for c in r["children"]:
            lines += comment(f"Google's `{a.api}.{'.'.join(c['path'])}` resource, over the same service.", "    ")
            lines.append(f"    {c['class']} {c['accessor']}() const {{ return {c['class']}{{ref_}}; }}")
        if r["children"]:
            lines.append("")
        for m in r["methods"]:
            resp = m["response"]
            variants = [(False, False)]
            if m["query_struct"]:
                variants.append((False, True))
            for media, query in variants + ([(True, False)] + ([(True, True)] if m["query_struct"] else [])
                                             if m["upload_path"] else []):
                name = m["base"] + "_upload" if media else m["name"]
                builder = m["base"] + ("_upload" if media else "") + "_request"
                args = signature(m, True, media, query)
                call_args = [p["name"] for p in m["positional"]] + (["body"] if m["request"] else []) + \
                    (["media"] if media else [])
                if m["query_struct"]:
                    call_args.append("query" if query else f"{m['query_struct']}{{}}")
                if query or not m["query_struct"]:
                    lines += comment(builder_doc(a, m, media), "    ")
                    lines.append(f"    GAPI_DECL http::request {builder}({', '.join(args)}) const;")
                lines += comment(call_doc(a, m, media, query), "    ")
                lines.append(f"    template <{tok.format(resp)}>")
                lines.append(f"    auto {name}({', '.join(args + ['CompletionToken&& token = {}'])}) const {{")
                key = ident(m["quota_param"]) if m["quota_param"] else '""'
                if m["query_struct"] and not query:
                    lines.append(f"        {m['query_struct']} const query{{}};")
                    call_args[-1] = "query"
                lines.append(f"        return gapi::detail::start_generated<{resp}>(")
                lines.append(f"            ref_, {key}, [&] {{ return {builder}({', '.join(call_args)}); }},")
                lines.append("            std::forward<CompletionToken>(token));")
                lines.append("    }")
            lines.append("")
        lines.append("private:")
        lines.append("    gapi::detail::service_ref ref_;")
        lines.append("};")
        lines.append("")
    lines += [f"}} // namespace {a.ns}", "", "#ifdef GAPI_HEADER_ONLY",
              f"#include <{ipp.relative_to('include')}>", "#else"]
    # no_content's is compiled with generated_support.ipp, once for both APIs.
    responses = sorted({m["response"] for m in methods} - {"no_content"})
    lines.append("// Each response type's call coroutine is compiled once, in the separate-compilation unit.")
    for resp in responses:
        t = resp if resp == "no_content" else f"{a.ns}::{resp.split('::')[1]}"
        t = "gapi::no_content" if resp == "no_content" else t
        lines.append(f"extern template boost::asio::awaitable<std::pair<gapi::error_code, {t}>>")
        lines.append(f"gapi::detail::generated_call<{t}>(gapi::detail::service_ref, std::string, gapi::error_code,")
        lines.append("                                    gapi::http::request);")
    lines += ["#endif", "", "#endif", ""]
    out[h] = "\n".join(lines)

    g = guard(ROOT / ipp)
    lines = [HEADER.format(doc=a.spec["doc"]).rstrip("\n"), f"#ifndef {g}", f"#define {g}", "",
             f"#include <{h.relative_to('include')}>", "", "#include <boost/json/value_from.hpp>", "",
             f"namespace {a.ns} {{", ""]
    for r in a.all_resources():
        for m in r["methods"]:
            variants = [(False, bool(m["query_struct"]))]
            if m["upload_path"]:
                variants.append((True, bool(m["query_struct"])))
            for media, query in variants:
                builder = m["base"] + ("_upload" if media else "") + "_request"
                args = signature(m, True, media, query)
                path = m["upload_path"] if media else m["path"]
                verb = m["http"].lower()
                if verb == "delete":
                    verb = "delete_"
                lines.append(f"GAPI_DECL http::request {r['class']}::{builder}({', '.join(args)}) const {{")
                lines.append(f"    auto url = gapi::detail::api_url(ref_.root, {{{path_segments(path, m['positional'])}}}, {{}});")
                for p in m["positional"]:
                    if p["location"] == "query":
                        lines.append(f"    gapi::detail::query::add(url, {cpp_string(p['json'])}, {p['name']});")
                for q in m["optional"] if query else []:
                    lines.append(f"    gapi::detail::query::add(url, {cpp_string(q['json'])}, query.{q['name']});")
                target = f"methods::{m['key']}, http::verb::{verb}, std::move(url)"
                if media:
                    meta = "boost::json::value_from(body)" if m["request"] else "boost::json::object()"
                    lines.append(f"    return gapi::detail::generated_upload_request({target}, {meta}, media);")
                elif m["request"] and m["idempotent_with_own"]:
                    field = m["idempotent_with_own"]
                    lines.append(f"    auto req = gapi::detail::generated_request({target}, boost::json::value_from(body));")
                    lines.append(f"    // Idempotent only with its own {field}: a retry then meets 409, never makes a second one.")
                    lines.append(f"    req.replay_on_stale_connection = body.{field}.has_value() && !body.{field}->empty();")
                    lines.append("    return req;")
                elif m["request"]:
                    lines.append(f"    return gapi::detail::generated_request({target}, boost::json::value_from(body));")
                else:
                    lines.append(f"    return gapi::detail::generated_request({target});")
                lines.append("}")
                lines.append("")
    lines += [f"}} // namespace {a.ns}", "", "#ifndef GAPI_HEADER_ONLY"]
    for resp in responses:
        t = "gapi::no_content" if resp == "no_content" else f"{a.ns}::{resp.split('::')[1]}"
        lines.append(f"template boost::asio::awaitable<std::pair<gapi::error_code, {t}>>")
        lines.append(f"gapi::detail::generated_call<{t}>(gapi::detail::service_ref, std::string, gapi::error_code,")
        lines.append("                                    gapi::http::request);")
    lines += ["#endif", "", "#endif", ""]
    out[ipp] = "\n".join(lines)


def sample_value(ctype):
    if ctype.startswith("std::vector"):
        return '{"a", "b"}' if "std::string" in ctype else "{7, 8}"
    if "std::string" in ctype:
        return '"v"'
    if "bool" in ctype:
        return "true"
    return "7"


def write_test(a, out):
    t = pathlib.Path(f"tests/generated/{a.api}_methods_test.cpp")
    lines = [HEADER.format(doc=a.spec["doc"]).rstrip("\n"), "",
             "// Every generated request builder, called with sample arguments: its method, path and",
             "// method id are checked against the discovery document itself (read at run time).", "",
             '#include "discovery_check.hpp"', "",
             f"#include <gapi/{a.api}/{a.version}/methods.hpp>", "",
             "#include <boost/test/unit_test.hpp>", "",
             f"BOOST_AUTO_TEST_SUITE(generated_{a.api}_requests)", "",
             f"BOOST_AUTO_TEST_CASE(every_method_builds_the_request_its_discovery_document_describes) {{",
             f"    gapi::test::discovery_check check({cpp_string(a.spec['doc'])});"]
    for r in a.all_resources():
        for m in r["methods"]:
            variants = [False] + ([True] if m["upload_path"] else [])
            for media in variants:
                args = [cpp_string(f"{p['json']}-1") for p in m["positional"]]
                if m["request"]:
                    args.append(f"{a.ns}::{m['request'].split('::')[1]}{{}}")
                if media:
                    args.append('gapi::media_upload{"message/rfc822", "Subject: x\\r\\n\\r\\nbody"}')
                indent = "    "
                if m["query_struct"]:
                    # every optional parameter set, so that the check sees each one in the URL
                    lines.append("    {")
                    indent = "        "
                    lines.append(f"{indent}{a.ns}::{m['query_struct']} query;")
                    for q in m["optional"]:
                        lines.append(f"{indent}query.{q['name']} = {sample_value(q['type'])};")
                    args.append("query")
                builder = m["base"] + ("_upload" if media else "") + "_request"
                res = f"check.resource<{a.ns}::{r['class']}>()"
                lines.append(f"{indent}check.expect({cpp_string(m['id'])}, {'true' if media else 'false'}, "
                             f"{res}.{builder}({', '.join(args)}));")
                if m["query_struct"]:
                    lines.append("    }")
    lines += ["    check.expect_all_seen();", "}", "", "BOOST_AUTO_TEST_SUITE_END()", ""]
    out[t] = "\n".join(lines)


def write_emulator_table(apis, out):
    h = pathlib.Path("include/gapi/emulator/discovery_methods.hpp")
    g = guard(ROOT / h)
    lines = [HEADER.format(doc=", ".join(a.spec["doc"] for a in apis)).rstrip("\n"), f"#ifndef {g}", f"#define {g}", "",
             "// Every method of the discovery documents, for the emulator to tell a method it does not",
             "// emulate (501, naming it) from a path no API has (404). Apart from the client's code, so",
             "// that the emulator depends on Google's documents, never on the client's generated layer.", "",
             "#include <string_view>", "", "namespace gapi::emulator {", "",
             "/// One method of a discovery document: what the emulator needs to recognise a request for it.",
             "struct discovery_method {",
             "    std::string_view id;          ///< Google's method id, e.g. \"gmail.users.messages.send\"",
             "    std::string_view http_method; ///< \"GET\", \"POST\", \"PUT\", \"PATCH\" or \"DELETE\"",
             "    std::string_view path;        ///< from the root, e.g. \"gmail/v1/users/{userId}/messages\"",
             "    std::string_view upload_path; ///< \"upload/...\"; empty: no media upload",
             "};", "",
             "/// Every method of Gmail v1, then every method of Calendar v3.",
             "inline constexpr discovery_method discovery_methods[] = {"]
    for a in apis:
        for m in a.all_methods():
            up = cpp_string(m["upload_path"]) if m["upload_path"] else '""'
            lines.append(f"    {{{cpp_string(m['id'])}, {cpp_string(m['http'])}, {cpp_string(m['path'])}, {up}}},")
    lines += ["};", "", "} // namespace gapi::emulator", "", "#endif", ""]
    out[h] = "\n".join(lines)


def main():
    check = "--check" in sys.argv[1:]
    out = {}
    apis = []
    for spec in APIS:
        a = Api(spec)
        apis.append(a)
        write_schemas(a, out)
        write_methods(a, out)
        write_test(a, out)
    write_emulator_table(apis, out)
    stale = []
    for rel, text in sorted(out.items()):
        path = ROOT / rel
        if path.exists() and path.read_text() == text:
            continue
        stale.append(str(rel))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if check and stale:
        print("generated files differ from what codegen/generate.py writes:", *stale, sep="\n  ")
        return 1
    print(("up to date: " if not stale else "wrote: ") + (", ".join(stale) if stale else f"{len(out)} files"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
