"""Run every example of a docs page and compare (or --update) the output the page shows.

    python tests/doccheck.py docs/concepts.md            # check
    python tests/doccheck.py --update docs/concepts.md   # rewrite shown outputs

Conventions:
  ```python block, optionally followed (after blank lines only) by a ```text block = its stdout.
  ```console block: lines "$ cmd" are run with bash in the page's work dir; the following
      lines up to the next "$ " are its output (stdout+stderr).
  <!-- skip --> on the line before a block: not run.
  <!-- requires: PACKAGE --> on the line before a block: run only where PACKAGE is installed.
All python blocks of a page share one namespace and run in a fresh temp dir (cwd).
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys
import tempfile
import traceback
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(lines):
    i = 0
    out = []
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            lang = m.group(1)
            j = i + 1
            while not lines[j].startswith("```"):
                j += 1
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            marker = lines[k].strip() if k >= 0 else ""
            skip = marker == "<!-- skip -->"
            # <!-- requires: micrograd --> runs the block only where that package is installed
            if marker.startswith("<!-- requires:"):
                package = marker[len("<!-- requires:") : -len("-->")].strip()
                skip = importlib.util.find_spec(package) is None
            out.append([lang, i, j, skip])
            i = j + 1
        else:
            i += 1
    return out


def run_python(code, ns):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = lambda msg, cat, fn, ln, file=None, line=None: print(f"{cat.__name__}: {msg}")
        try:
            exec(compile(code, "<doc>", "exec"), ns)
        except Exception as exc:
            print("Traceback (most recent call last):\n  ...")
            print("".join(traceback.format_exception_only(type(exc), exc)).rstrip())
    return buf.getvalue()


def run_console(body, cwd):
    out_lines = []
    for line in body:
        if line.startswith("$ "):
            out_lines.append(line)
            cmd = line[2:]
            # the interpreter's own bin first, so `autograd-mlp` is the one installed beside it
            env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
            r = subprocess.run(["bash", "-c", cmd], cwd=cwd, capture_output=True, text=True, env=env)
            text = (r.stdout + r.stderr).rstrip("\n")
            if text:
                out_lines.extend(text.split("\n"))
    return out_lines


def check_page(path: str, update: bool = False) -> list[str]:
    """Run a page's examples; return one message per block whose output differs."""
    problems = []
    path = os.path.abspath(path)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    work = tempfile.mkdtemp(prefix="doc-")
    for name in ("autograd_mlp", "demos"):
        os.symlink(os.path.join(ROOT, name), os.path.join(work, name))
    old = os.getcwd()
    os.chdir(work)
    ns = {"__name__": "__doc__"}
    edits = []  # (start, end, new lines)
    found = blocks(lines)
    try:
        for n, (lang, a, b, skip) in enumerate(found):
            if skip:
                continue
            body = lines[a + 1 : b]
            if lang == "python":
                got = run_python("\n".join(body) + "\n", ns).rstrip("\n")
                nxt = found[n + 1] if n + 1 < len(found) else None
                has_out = nxt and nxt[0] == "text" and all(not x.strip() for x in lines[b + 1 : nxt[1]])
                if has_out:
                    want = "\n".join(lines[nxt[1] + 1 : nxt[2]])
                    if got != want:
                        problems.append(f"{path}:{a + 1}: output differs\n[shown]\n{want}\n[got]\n{got}")
                        edits.append((nxt[1] + 1, nxt[2], got.split("\n")))
                elif got.strip():
                    problems.append(f"{path}:{a + 1}: prints but the page shows no output\n{got}")
            elif lang == "console":
                got = run_console(body, work)
                if got != body:
                    problems.append(f"{path}:{a + 1}: console differs\n[shown]\n" + "\n".join(body) + "\n[got]\n" + "\n".join(got))
                    edits.append((a + 1, b, got))
    finally:
        os.chdir(old)
    if update and edits:
        for start, end, new in sorted(edits, reverse=True):
            lines[start:end] = new
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    return problems


def main() -> int:
    update = "--update" in sys.argv
    bad = 0
    for path in (a for a in sys.argv[1:] if not a.startswith("--")):
        problems = check_page(path, update)
        for problem in problems:
            print("---", problem, "\n")
        bad += len(problems)
    print("FAILURES:", bad)
    return 1 if bad and not update else 0


if __name__ == "__main__":
    sys.exit(main())
