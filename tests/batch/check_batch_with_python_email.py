#!/usr/bin/env python3
"""An independent reader for the batch requests gapi encodes: Python's `email` package
with `policy.strict` must read FILE (the envelope's Content-Type header, a blank line,
then the body) as multipart/mixed with N application/http parts, each with a Content-ID
and a whole HTTP request inside.

    check_batch_with_python_email.py FILE N
"""
import sys
from email import policy
from email.parser import BytesParser

STRICT = policy.strict.clone(linesep="\r\n")


def main() -> int:
    path, want = sys.argv[1], int(sys.argv[2])
    with open(path, "rb") as f:
        msg = BytesParser(policy=STRICT).parsebytes(f.read())  # raises on any defect
    problems = []
    if msg.get_content_type() != "multipart/mixed":
        problems.append("not multipart/mixed: " + msg.get_content_type())
    parts = list(msg.iter_parts()) if msg.is_multipart() else []
    if len(parts) != want:
        problems.append(f"{len(parts)} parts, not {want}")
    for i, part in enumerate(parts):
        if part.get_content_type() != "application/http":
            problems.append(f"part {i}: {part.get_content_type()}")
        if not part.get("Content-ID", "").startswith("<"):
            problems.append(f"part {i}: no Content-ID")
        if part.defects:
            problems.append(f"part {i}: {part.defects}")
        inner = part.get_payload(decode=True) or b""
        request_line = inner.split(b"\r\n", 1)[0].split(b" ")
        if len(request_line) != 3 or not request_line[1].startswith(b"/") or request_line[2] != b"HTTP/1.1":
            problems.append(f"part {i}: no request line: {inner[:60]!r}")
    print("\n".join(problems) if problems else f"{len(parts)} parts read")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
