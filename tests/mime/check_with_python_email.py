#!/usr/bin/env python3
"""An independent reader for what gapi::mime renders: Python's `email` package with
`policy.strict`, which raises on every defect it knows of.

    check_with_python_email.py DIR

DIR holds rendered messages and manifest.json, which says what each one must contain
(subject, display names, bodies, every attachment's name, type, Content-ID and bytes).
Prints one line per message and a closing "N passed, N failed".
"""
import base64
import json
import sys
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import getaddresses

STRICT = policy.strict.clone(linesep="\r\n")


def unbase64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n")


def check(path: str, want: dict) -> list:
    with open(path, "rb") as f:
        raw = f.read()
    problems = []
    if b"\n" in raw.replace(b"\r\n", b""):
        problems.append("a bare LF")
    if any(len(line) > 998 for line in raw.split(b"\r\n")):
        problems.append("a line over 998 octets")
    msg = BytesParser(policy=STRICT).parsebytes(raw)  # raises on any defect
    for part in msg.walk():
        if part.defects:
            problems.append(f"defects in {part.get_content_type()}: {part.defects}")
    if msg["Subject"] != want["subject"]:
        problems.append(f"subject {msg['Subject']!r} != {want['subject']!r}")
    # Display names are read with RFC 2047's decoder (email.header), which drops the
    # white space between adjacent encoded words as §6.2 says. The strict policy's address
    # parser (above, for defects) turns that white space into a space inside a phrase, a
    # CPython quirk that its own generator trips over too: it splits long names mid-word.
    plain = BytesParser(policy=policy.compat32).parsebytes(raw)
    # Headers are 7-bit everywhere, in every part (RFC 2047, RFC 2231): compat32 keeps each
    # header's bytes, an 8-bit one as a surrogate escape.
    for part in plain.walk():
        for name, value in part.items():
            if not isinstance(value, str) or any(ord(c) > 0x7E for c in value):  # a Header: undecodable bytes
                problems.append(f"8-bit bytes in a {part.get_content_type()} part's {name} header")

    def addresses(field):
        return [tuple(a) for a in getaddresses([str(make_header(decode_header(plain[field])))])]

    if addresses("From") != [(want["from_name"], want["from_email"])]:
        problems.append(f"From {addresses('From')!r}")
    if addresses("To") != [tuple(x) for x in want["to"]]:
        problems.append(f"To {addresses('To')!r} != {want['to']!r}")
    if msg["Message-ID"] != want["message_id"]:
        problems.append(f"Message-ID {msg['Message-ID']!r}")
    for kind in ("plain", "html"):
        expected = want.get(kind)
        part = msg.get_body(preferencelist=(kind,))
        if expected is None:
            if part is not None and part.get_content_type() == f"text/{kind}" and not part.is_attachment():
                problems.append(f"an unexpected text/{kind} body")
            continue
        if part is None:
            problems.append(f"no text/{kind} body")
        elif normalise(part.get_content()) != normalise(expected):
            problems.append(f"text/{kind} body differs")
    found = {}
    bodies = (msg.get_body(("plain",)), msg.get_body(("html",)))

    def collect(part):
        if part.get_content_maintype() == "multipart":
            for child in part.iter_parts():
                collect(child)
        elif all(part is not b for b in bodies):  # a message/* attachment is one part
            found[part.get_filename() or part.get("Content-ID", "")] = part

    collect(msg)
    for a in want["attachments"]:
        key = a["filename"] or f"<{a['content_id']}>"
        part = found.pop(key, None)
        if part is None:
            problems.append(f"attachment {key!r} missing (found {list(found)})")
            continue
        if part.get_content_type() != a["content_type"]:
            problems.append(f"{key!r}: type {part.get_content_type()} != {a['content_type']}")
        if a["content_id"] and part.get("Content-ID") != f"<{a['content_id']}>":
            problems.append(f"{key!r}: Content-ID {part.get('Content-ID')!r}")
        if part.get_content_maintype() == "message":
            data = part.get_payload()[0].as_bytes(policy=STRICT)
            expected_bytes = unbase64url(a["data"])
            if BytesParser(policy=STRICT).parsebytes(expected_bytes)["Message-ID"] != \
                    BytesParser(policy=STRICT).parsebytes(data)["Message-ID"]:
                problems.append(f"{key!r}: the forwarded message differs")
        elif part.get_payload(decode=True) != unbase64url(a["data"]):
            problems.append(f"{key!r}: the bytes differ")
    if found:
        problems.append(f"unexpected parts {list(found)}")
    return problems


def main() -> int:
    folder = sys.argv[1]
    manifest = json.load(open(f"{folder}/manifest.json", encoding="utf-8"))
    passed = failed = 0
    for name, want in manifest.items():
        try:
            problems = check(f"{folder}/{name}", want)
        except Exception as e:  # policy.strict raises on a defect
            problems = [f"{type(e).__name__}: {e}"]
        if problems:
            failed += 1
            print(f"{name} ({want['shape']}): FAILED: " + "; ".join(problems))
        else:
            passed += 1
            print(f"{name} ({want['shape']}): ok")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
