#!/usr/bin/env python3
"""Runs the tutorial's commands exactly as written and checks what they print.

    run_tutorial.py TUTORIAL.md SOURCE_DIR BIN_DIR...

Every ```console block of the tutorial is run, in order, in one bash session that starts
in SOURCE_DIR with HOME set to a scratch folder. A `$ ` line is a command (a trailing `\\`
continues it on the next line); the lines under it, up to the next command, are what it
must print, stdout and stderr together: `...` within a line stands for some text (at
least one character), a line of just `...` for any number of lines. A command must exit
with 0. A `$ ` line in any other fenced block is an error: it would never run.

The BIN_DIRs go first on PATH, again after every command (so that the binaries tested
are the build's under test even after the tutorial's own `export PATH=...`), and so does
a stand-in for the user's browser: an `xdg-open` that follows the consent URL, as a
browser would, to the loopback listener.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSER = """#!/usr/bin/env python3
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=30).read()
"""


def read_commands(markdown):
    """[(line number, command, [expected lines])] from the ```console blocks."""
    commands, block, other_block = [], None, False
    for number, line in enumerate(markdown.splitlines(), 1):
        if block is None:
            if line.strip() == "```console":
                block = []
            elif line.startswith("```"):
                other_block = not other_block
            elif other_block and line.startswith("$ "):
                sys.exit(f"line {number}: a command outside a ```console block would never run")
            continue
        if line.strip() == "```":
            commands += block
            block = None
            continue
        if line.startswith("$ "):
            block.append([number, line[2:], []])
        elif block and block[-1][1].endswith("\\") and not block[-1][2]:
            block[-1][1] += "\n" + line
        elif block:
            block[-1][2].append(line)
        else:
            sys.exit(f"line {number}: output before any command")
    if block is not None:
        sys.exit("an unclosed ```console block")
    return commands


def pattern(expected):
    parts = []
    for line in expected:
        if line == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".+?".join(re.escape(piece) for piece in line.split("...")) + r"\n")
    return re.compile("".join(parts))


def main():
    tutorial, source_dir, bin_dirs = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    commands = read_commands(tutorial.read_text(encoding="utf-8"))
    if not commands:
        sys.exit("the tutorial has no ```console block")
    with tempfile.TemporaryDirectory(prefix="gapi-tutorial-") as scratch:
        home, browser_dir = Path(scratch) / "home", Path(scratch) / "browser"
        home.mkdir()
        browser_dir.mkdir()
        (browser_dir / "xdg-open").write_text(BROWSER)
        (browser_dir / "xdg-open").chmod(0o755)
        tested_path = os.pathsep.join([str(browser_dir), *bin_dirs])
        script = ["exec 2>&1", "exec < /dev/null"]
        for index, (_, command, _) in enumerate(commands):
            script += [f"echo '@@tutorial-begin {index}'", command,
                       f"printf '\\n@@tutorial-end {index} %d\\n' $?",
                       f'export PATH="{tested_path}{os.pathsep}$PATH"']
        env = dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8",
                   PATH=os.pathsep.join([tested_path, os.environ.get("PATH", "")]))
        output_file = Path(scratch) / "output"
        try:
            with open(output_file, "wb") as out:
                subprocess.run(["bash", "-c", "\n".join(script)], cwd=source_dir, env=env, stdout=out,
                               timeout=600, check=False)
        finally:
            # Whatever happened, no emulator the tutorial started outlives the test.
            for pid_file in home.rglob("emulator.pid"):
                try:
                    os.kill(int(pid_file.read_text()), signal.SIGTERM)
                except (ValueError, ProcessLookupError):
                    pass
        output = output_file.read_text(encoding="utf-8", errors="replace")

    failures = 0
    for index, (number, command, expected) in enumerate(commands):
        found = re.search(rf"@@tutorial-begin {index}\n(.*?)\n@@tutorial-end {index} (\d+)\n", output, re.S)
        if not found:
            print(f"line {number}: `{command}` did not run")
            failures += 1
            continue
        printed, status = found.group(1), int(found.group(2))
        printed = printed + "\n" if printed and not printed.endswith("\n") else printed
        if status != 0:
            print(f"line {number}: `{command}` exited with {status}:\n{printed}")
            failures += 1
        elif not pattern(expected).fullmatch(printed):
            print(f"line {number}: `{command}` printed\n{printed}but the tutorial shows\n" + "\n".join(expected))
            failures += 1
        else:
            print(f"ok   line {number}: {command.splitlines()[0]}")
    print(f"tutorial: {len(commands) - failures} of {len(commands)} commands as shown")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
