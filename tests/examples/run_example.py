#!/usr/bin/env python3
"""Runs one example program for CTest and judges it as a user would.

    run_example.py REGEX PROGRAM [ARGS...]

Passes only when the program exits with status 0, its standard output matches REGEX
(Python syntax, searched anywhere in the output) and its standard error carries no
sanitizer report. CTest's PASS_REGULAR_EXPRESSION alone would ignore the exit status.
"""
import re
import subprocess
import sys

SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|WARNING: ThreadSanitizer")


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    pattern, command = sys.argv[1], sys.argv[2:]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=150)
    except subprocess.TimeoutExpired:
        print(f"{command[0]} did not finish within 150 s", file=sys.stderr)
        return 1
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    failures = []
    if done.returncode != 0:
        failures.append(f"exit status {done.returncode}")
    if not re.search(pattern, done.stdout):
        failures.append(f"standard output does not match {pattern!r}")
    if SANITIZER_REPORT.search(done.stderr):
        failures.append("a sanitizer reported an error")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
