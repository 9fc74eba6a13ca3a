"""Edit-loop benchmark: how long `mkdocs serve` takes from saving a file to serving the new page.

It measures "save-to-reload" on the real site: the time from the moment an edited file is
written to the moment the page served over HTTP by `mkdocs serve` holds the new content
(polled every ~20 ms with urllib). Three kinds of edit, each run N times (median and every run):

1. prose:  a unique sentence appended to docs/contributing.md (a page without executed code),
           waited for on /contributing/;
2. block:  a ``print(...)`` of a unique string appended to one executed block of
           docs/lessons/03-hypothesis.md (a block shown as text, not html="1"), waited for on
           /lessons/03-hypothesis/; the page's own execution time comes from the build report,
           so the table can show "block edit - its own execution";
3. linreg: a comment line appended to linreg/figures.py (used by six of the seven lessons;
           each page is keyed on the modules it used, so the pages that
           used this one run again; done when the rebuild's build report has been written and
           the home page answers;
4. linreg-one: the same for linreg/explorer.py, which only lesson 05 uses.

Each edit is undone after its run, and the rebuild of the undo is awaited before the next run,
so runs are independent.

How: the repository's files (git ls-files: tracked, plus untracked ones git does not ignore)
are copied to a temporary folder, so no file of the working tree is touched. The server runs
there (cwd and PYTHONPATH point at the copy, so the copy's linreg/ and pageexec/ are imported,
not the editable installs of the working tree), with its own execution cache (EXEC_CACHE_DIR:
empty at start, so the first build fills it, unless --warm-from DIR copies a cache in first)
and a build report (EXEC_REPORT), which pageexec rewrites after every build. Bytecode goes to a
separate folder (PYTHONPYCACHEPREFIX), so that no .pyc file is written under the watched folders
linreg/ and overrides/ (to `mkdocs serve`, any file written there is a change to rebuild for).
The server is always stopped and the folder deleted, also on error or Ctrl-C.

Usage: python benchmarks/serve_loop.py [--runs 3] [--warm-from .cache] [--timeout 300]
       (`make bench-serve`)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLL = 0.02  # seconds between two checks of a condition
SKIP = {".venv", "site", ".cache"}  # never copied, even if something under them were tracked
KINDS = ["prose", "block", "linreg", "linreg-one"]
PROSE_FILE, PROSE_PAGE = "docs/contributing.md", "contributing/"
BLOCK_FILE, BLOCK_PAGE = "docs/lessons/03-hypothesis.md", "lessons/03-hypothesis/"
BLOCK_URI = "lessons/03-hypothesis.md"  # the page's name in the build report
LINREG_FILES = {"linreg": "linreg/figures.py",  # used by six of the seven lessons
                "linreg-one": "linreg/explorer.py"}  # used by lesson 05 only (the learning-rate explorer)
BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")


class BenchError(Exception):
    """A failure reported as one line (server exited, wait timed out, unexpected file)."""


# -- the copy ----------------------------------------------------------------------------


def copy_tracked(dest: Path) -> int:
    """Copy the repository's files, as they are in the working tree, into ``dest``.

    That is the tracked files plus the untracked ones git does not ignore: what `mkdocs serve`
    in the working tree would see (a new hook that mkdocs.yml already names, a new page).
    """
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout
    count = 0
    for name in sorted(set(listed.decode().split("\0"))):
        if not name or name.split("/", 1)[0] in SKIP:
            continue
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree, or a submodule
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        count += 1
    return count


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the server --------------------------------------------------------------------------


class Server:
    """`mkdocs serve` running in the copy, with its log and build report in the temporary folder."""

    def __init__(self, copy: Path, scratch: Path, timeout: float):
        self.copy = copy
        self.timeout = timeout
        self.report = scratch / "report.json"
        self.log = scratch / "serve.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"  # replaced by the mount path (site_url's path) once up
        tmp = scratch / "tmp"  # mkdocs serve builds into a temporary folder: keep it inside ours
        tmp.mkdir()
        env = {
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            # the copy first: its linreg/ (a package) and pageexec/pageexec/ win over the editable installs
            "PYTHONPATH": os.pathsep.join([str(copy), str(copy / "pageexec")]),
            "PYTHONPYCACHEPREFIX": str(scratch / "pycache"),
            "EXEC_CACHE_DIR": str(copy / ".cache"),
            "EXEC_REPORT": str(self.report),
            "TMPDIR": str(tmp),
        }
        # the default cache mode ("on"); EXEC_CACHE=on itself would not do: YAML reads the !ENV value as a boolean
        env.pop("EXEC_CACHE", None)
        command = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{self.port}", "--livereload"]
        with open(self.log, "wb") as log:
            # its own process group: Ctrl-C reaches only us, and stop() ends the server with its workers
            self.process = subprocess.Popen(command, cwd=copy, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)

    def stop(self) -> None:
        """Terminate the server's process group, then kill it if it has not exited within 10 s."""
        if self.process.poll() is not None:
            return
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(grace)
                return
            except subprocess.TimeoutExpired:
                continue

    # -- reading what the server does

    def last_log_line(self) -> str:
        """The server log's last ERROR line, or its last line."""
        lines = [line.strip() for line in self.log.read_text(errors="replace").splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("ERROR")]
        return (errors or lines or ["(empty)"])[-1]

    def log_size(self) -> int:
        return self.log.stat().st_size

    def build_seconds(self, since: int) -> float | None:
        """The "Documentation built in" time of the first build logged after byte ``since`` of the log."""
        with open(self.log, "rb") as log:
            log.seek(since)
            found = BUILT.search(log.read().decode(errors="replace"))
        return float(found.group(1)) if found else None

    def read_report(self) -> dict | None:
        """The build report, or None while it is absent or half written."""
        try:
            return json.loads(self.report.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return None

    def fetch(self, path: str, deadline: float) -> str | None:
        """The page at ``path`` (relative to the mount path), or None if the server does not answer it.

        During a rebuild, mkdocs holds page requests until the build is done, hence the long timeout.
        """
        try:
            with urllib.request.urlopen(self.base + path, timeout=max(0.5, deadline - time.monotonic())) as response:
                if path == "" and response.geturl().startswith(self.base):
                    self.base = response.geturl()  # "/" redirects to the mount path, e.g. /linreg/
                return response.read().decode("utf-8", errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
            return None

    def wait_for(self, condition: Callable[[float], bool], what: str, timeout: float | None = None) -> None:
        """Check ``condition(deadline)`` every ~20 ms until it holds; fail on a timeout or if the server exits."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            code = self.process.poll()
            if code is not None:
                raise BenchError(f"mkdocs serve exited with code {code} while waiting for {what} "
                                 f"(last log line: {self.last_log_line()!r})")
            if condition(deadline):
                return
            if time.monotonic() > deadline:
                raise BenchError(f"timed out after {timeout:g} s waiting for {what} "
                                 f"(last server log line: {self.last_log_line()!r})")
            time.sleep(POLL)

    def page_has(self, path: str, text: str, present: bool = True) -> Callable[[float], bool]:
        def condition(deadline: float) -> bool:
            page = self.fetch(path, deadline)
            return page is not None and (text in page) == present
        return condition

    def rebuilt(self, *pages: str) -> Callable[[float], bool]:
        """True once the build report has been written again and ``pages`` (default: home) answer."""
        def condition(deadline: float) -> bool:
            return self.read_report() is not None and all(self.fetch(p, deadline) is not None for p in pages or [""])
        return condition


# -- the edits ---------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float  # save-to-reload
    executed: list[str]  # pages the rebuild executed (build report)
    own: float | None  # the edited page's own execution time (block edits)
    build: float | None  # mkdocs' "Documentation built in" for the rebuild


@dataclass
class Results:
    kind: str
    runs: list[Run] = field(default_factory=list)


def with_print(text: str, marker: str) -> str:
    """``text`` with ``print(<marker>)`` added at the end of its first executed block shown as text.

    The string is printed as "bench-" + "<id>", so the contiguous marker appears only in the block's
    output, not in its (highlighted) source.
    """
    lines = text.split("\n")
    for number, line in enumerate(lines):
        opening = re.match(r"(\s*)```python\b(.*)$", line)
        if not opening or 'exec="1"' not in opening.group(2) or 'html="1"' in opening.group(2):
            continue
        indent = opening.group(1)
        for end in range(number + 1, len(lines)):
            if lines[end] == indent + "```":
                prefix, unique = marker.split("-", 1)
                lines.insert(end, f'{indent}print("{prefix}-" + "{unique}")')
                return "\n".join(lines)
    raise BenchError(f"no executed python block shown as text in {BLOCK_FILE}")


def edit_once(server: Server, kind: str) -> Run:
    """Make one edit of ``kind``, time it until the server shows it, then undo it and await that rebuild."""
    marker = f"bench-{uuid.uuid4().hex[:12]}"
    if kind == "prose":
        path, page = server.copy / PROSE_FILE, PROSE_PAGE
        original = path.read_text(encoding="utf-8")
        edited = original.rstrip("\n") + f"\n\nBenchmark sentence {marker}.\n"
    elif kind == "block":
        path, page = server.copy / BLOCK_FILE, BLOCK_PAGE
        original = path.read_text(encoding="utf-8")
        edited = with_print(original, marker)
    else:
        path, page = server.copy / LINREG_FILES[kind], ""
        original = path.read_text(encoding="utf-8")
        edited = original + f"\n# bench {marker}\n"

    # the server is idle here (the previous rebuild was awaited), so the next report is this edit's
    server.report.unlink(missing_ok=True)
    mark = server.log_size()
    path.write_text(edited, encoding="utf-8")
    start = time.perf_counter()
    if kind in LINREG_FILES:
        server.wait_for(server.rebuilt(), f"the rebuild after editing {LINREG_FILES[kind]}")
    else:
        server.wait_for(server.page_has(page, marker), f"{marker!r} on /{page}")
    seconds = time.perf_counter() - start

    # the report is written before mkdocs logs the build time, and both before pages are served again
    server.wait_for(lambda _: server.read_report() is not None, "the build report of the edit", timeout=30)
    report = server.read_report()
    server.wait_for(lambda _: server.build_seconds(mark) is not None, "the build time in the server log", timeout=30)
    run = Run(seconds, list(report.get("executed", [])),
              report.get("seconds", {}).get(BLOCK_URI) if kind == "block" else None, server.build_seconds(mark))
    if kind == "block" and BLOCK_URI not in run.executed:
        raise BenchError(f"the block edit did not execute {BLOCK_URI} again (executed: {run.executed})")

    # undo, and wait for that rebuild (its report, and the page without the marker)
    server.report.unlink(missing_ok=True)
    path.write_text(original, encoding="utf-8")
    server.wait_for(server.rebuilt(page), f"the rebuild after undoing the {kind} edit")
    if kind not in LINREG_FILES:
        server.wait_for(server.page_has(page, marker, present=False), f"/{page} without {marker!r}")
    return run


# -- reporting ---------------------------------------------------------------------------


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def table(results: list[Results]) -> str:
    rows = [
        "| edit kind | save-to-reload, median s | runs s | pages re-executed | page's own execution s | "
        "save-to-reload - own execution s | mkdocs rebuild, median s |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: |",
    ]
    for result in results:
        runs = result.runs
        seconds = median([r.seconds for r in runs])
        executed = sorted({page for r in runs for page in r.executed})
        counts = sorted({len(r.executed) for r in runs})
        pages = "none" if not executed else f"{'/'.join(map(str, counts))}: {', '.join(executed)}"
        own = median([r.own for r in runs])
        rest = seconds - own if own is not None else None
        rows.append(f"| {result.kind} | {fmt(seconds)} | {', '.join(fmt(r.seconds) for r in runs)} | {pages} | "
                    f"{fmt(own)} | {fmt(rest)} | {fmt(median([r.build for r in runs]))} |")
    return "\n".join(rows)


# -- main --------------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, scratch: Path) -> None:
    copy = scratch / "site-copy"
    copy.mkdir()
    files = copy_tracked(copy)
    start_kind = "cold"
    if args.warm_from:
        shutil.copytree(args.warm_from, copy / ".cache")
        start_kind = f"warm (cache copied from {args.warm_from})"
    print(f"Copied {files} files (git ls-files, untracked included) to {copy}; "
          f"execution cache: {start_kind}", flush=True)

    server = Server(copy, scratch, args.timeout)
    try:
        start = time.perf_counter()
        print(f"Starting mkdocs serve on 127.0.0.1:{server.port} and waiting for the first build...", flush=True)
        server.wait_for(lambda deadline: server.fetch("", deadline) is not None, "the first build (home page)")
        first = time.perf_counter() - start
        report = server.read_report() or {}
        print(f"First build served after {first:.1f} s (mkdocs: {fmt(server.build_seconds(0))} s; "
              f"{len(report.get('executed', []))} page(s) executed, {len(report.get('cached', []))} from the cache); "
              f"site at {server.base}\n", flush=True)

        results = []
        for kind in args.kinds:
            result = Results(kind)
            for number in range(args.runs):
                run = edit_once(server, kind)
                result.runs.append(run)
                print(f"  {kind} run {number + 1}/{args.runs}: save-to-reload {run.seconds:.2f} s, "
                      f"rebuild {fmt(run.build)} s, executed {run.executed or 'nothing'}"
                      + (f", page's own execution {fmt(run.own)} s" if run.own is not None else ""), flush=True)
            results.append(result)
    finally:
        server.stop()

    print(f"\nSave-to-reload under `mkdocs serve`, seconds, median of {args.runs} run(s); "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, cache {start_kind.split(' ')[0]} at start\n")
    print(table(results))
    print("\nsave-to-reload: file written -> page served over HTTP with the new content (linreg: -> build report "
          "written and home page served). mkdocs rebuild: the server's own \"Documentation built in\" time.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per edit kind (default 3)")
    parser.add_argument("--warm-from", type=Path, metavar="DIR",
                        help="an execution cache folder (e.g. .cache) to start from; default: start cold")
    parser.add_argument("--timeout", type=float, default=300, help="seconds any single wait may take (default 300)")
    parser.add_argument("--kinds", type=lambda s: s.split(","), default=KINDS,
                        help=f"comma-separated edit kinds to run (default {','.join(KINDS)})")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if unknown := [k for k in args.kinds if k not in KINDS]:
        parser.error(f"unknown edit kind(s): {', '.join(unknown)} (choose from {', '.join(KINDS)})")
    if args.warm_from and not args.warm_from.is_dir():
        parser.error(f"--warm-from: {args.warm_from} is not a folder")

    # a SIGTERM to this script cleans up like Ctrl-C does
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix="serve-loop-"))
    try:
        benchmark(args, scratch)
    except BenchError as error:
        print(f"serve_loop: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("serve_loop: interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
