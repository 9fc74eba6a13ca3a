"""Build-speed benchmark: the execution cache against the floor (no execution), cold builds on 1 and 2 workers.

For sites of N lesson pages (copies of the real lessons under new names, in a temporary
folder), each figure is the median wall time of BENCH_RUNS runs (default 3) of
``python -m mkdocs build``:

1. floor: no execution (the pageexec plugin removed, each executed block turned into an
   ordinary highlighted code block with its title: the same pages as plain Markdown);
2. cold-1, cold-2: the execution cache empty, pages executed by 1 or 2 worker processes at a time;
3. warm: nothing changed;  4. one page edited (a sentence added, its blocks changed);
5. linreg edited (every page runs again, on all cores);
6. shards (once per size): the cache emptied, then shard i/n of n = 1, 2, 4 built one after
   another (``EXEC_SHARD``, as `make execute` does), each on all cores of this machine; the
   figure is the longest shard: the critical path when each shard has a machine of its own.
   ``BENCH_SHARDS_ONLY=1`` measures only this.

Usage: python benchmarks/build_speed.py [N ...]   (default 8 32 128; `make bench`)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pageexec.fences import scan

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
LESSONS = sorted((ROOT / "docs" / "lessons").glob("*.md"))
SCENARIOS = ["floor", "cold-1", "cold-2", "warm", "edit-page", "edit-linreg"]


def make_project(folder: Path, pages: int) -> None:
    """A copy of the project whose lessons are `pages` copies of the real ones."""
    for name in ("linreg", "overrides", "reference"):
        if not (ROOT / name).exists():
            continue
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("constraints.txt", "CONTRIBUTING.md"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "docs", folder / "docs", ignore=shutil.ignore_patterns("lessons", "notebooks"))
    (folder / "docs" / "lessons").mkdir()
    nav = []
    for i in range(pages):
        source = LESSONS[i % len(LESSONS)]
        name = f"{i:03d}-{source.stem.split('-', 1)[1]}.md"
        text = re.sub(r"\]\((0\d)-", lambda m: f"]({i // len(LESSONS) * len(LESSONS) + int(m.group(1)) - 1:03d}-", source.read_text())
        (folder / "docs" / "lessons" / name).write_text(text)
        nav.append(f"      - lessons/{name}\n")
    config = (ROOT / "mkdocs.yml").read_text()
    config = config[: config.index("nav:")] + "nav:\n  - index.md\n  - 강의:\n" + "".join(nav)
    config = re.sub(r"  - mkdocs-jupyter:\n(?:      .*\n)+", "", config)
    (folder / "mkdocs.yml").write_text(config)
    floor = re.sub(r"  - pageexec:\n(?:      .*\n)+", "", config)
    assert "pageexec" not in floor.replace("(pageexec/)", ""), "the floor must not execute code"
    (folder / "floor.yml").write_text(f"docs_dir: docs-floor\n{floor}")
    shutil.copytree(folder / "docs", folder / "docs-floor")
    for page in (folder / "docs-floor").rglob("*.md"):
        page.write_text(plain_code(page.read_text()))
    index = folder / "docs" / "index.md"  # the home page links the real lesson names
    index.write_text(re.sub(r"\(lessons/(0\d)-[^)]*\)", lambda m: f"(lessons/{int(m.group(1)) - 1:03d}-"
                            f"{LESSONS[int(m.group(1)) - 1].stem.split('-', 1)[1]}.md)", index.read_text()))


def plain_code(text: str) -> str:
    """The page with every executed block turned into an ordinary code block (its title kept)."""
    lines = text.split("\n")
    for fence in scan(text):
        if fence.executes:
            title = fence.options.get("title")
            plain = fence.language + (f' title="{title}"' if title else "")
            line = lines[fence.line - 1]
            lines[fence.line - 1] = line[: line.index(fence.header)] + plain
    result = "\n".join(lines)
    assert not any(fence.executes for fence in scan(result)), "the floor must not execute code"
    return result


def build(folder: Path, config: str = "mkdocs.yml", **env: str) -> tuple[float, dict]:
    report = folder / "report.json"
    report.unlink(missing_ok=True)
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "EXEC_REPORT": str(report), **env}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(folder / "site")],
                          cwd=folder, env=full_env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed in {folder}:\n{done.stdout}{done.stderr}")
    return seconds, json.loads(report.read_text()) if report.exists() else {}


SHARD_COUNTS = (1, 2, 4)


def measure_shards(folder: Path, pages: int) -> dict[str, float]:
    """The longest shard for each shard count (the cache emptied before each count)."""
    result = {}
    for count in SHARD_COUNTS:
        shutil.rmtree(folder / ".cache", ignore_errors=True)
        longest, ran = 0.0, []
        for index in range(1, count + 1):
            seconds, report = build(folder, EXEC_SHARD=f"{index}/{count}")
            longest, ran = max(longest, seconds), ran + report["executed"]
        assert sorted(ran) == sorted(set(ran)) and len(ran) == pages, (count, len(ran))  # each page once
        result[f"shards-{count}"] = longest
    return result


def measure(pages: int) -> dict[str, float]:
    if os.environ.get("BENCH_SHARDS_ONLY"):
        with tempfile.TemporaryDirectory(prefix=f"bench-{pages}-") as tmp:
            make_project(Path(tmp), pages)
            return measure_shards(Path(tmp), pages)
    times: dict[str, list[float]] = {name: [] for name in SCENARIOS}
    own: list[float] = []
    with tempfile.TemporaryDirectory(prefix=f"bench-{pages}-") as tmp:
        folder = Path(tmp)
        make_project(folder, pages)
        edited = sorted((folder / "docs" / "lessons").glob("*.md"))[pages // 2]
        build(folder, "floor.yml")  # a first build warms the disk and Python's bytecode
        for run in range(RUNS):
            seconds, report = build(folder, "floor.yml")
            assert not report.get("executed"), report
            times["floor"].append(seconds)
            for workers in (1, 2):
                shutil.rmtree(folder / ".cache", ignore_errors=True)
                seconds, report = build(folder, EXEC_WORKERS=str(workers))
                assert len(report["executed"]) == pages, report
                times[f"cold-{workers}"].append(seconds)
            times["warm"].append(build(folder)[0])
            # an edit a contributor makes: a new sentence, and a block changed (its session renamed)
            text = edited.read_text().replace('session="', f'session="edit{run}-')
            edited.write_text(text.replace("\n## 요약", f"\n벤치마크 편집 {run}.\n\n## 요약", 1))
            seconds, report = build(folder)
            assert report["executed"] == [f"lessons/{edited.name}"], report["executed"]
            times["edit-page"].append(seconds)
            own.append(report["seconds"][f"lessons/{edited.name}"])
            with open(folder / "linreg" / "cost.py", "a") as handle:
                handle.write(f"# benchmark edit {run}\n")
            seconds, report = build(folder)
            assert len(report["executed"]) == pages, report["executed"]
            times["edit-linreg"].append(seconds)
        shards = measure_shards(folder, pages)
    result = {name: statistics.median(values) for name, values in times.items()}
    result.update(shards)
    result["page-exec"] = statistics.median(own)
    return result


def main(sizes: list[int]) -> None:
    if os.environ.get("BENCH_SHARDS_ONLY"):
        print(f"Critical path (longest shard, seconds, cold cache), {os.cpu_count()} CPUs per shard\n")
        print("| pages | 1 shard | 2 shards | 4 shards |\n| ---: | ---: | ---: | ---: |")
        for pages in sizes:
            r = measure(pages)
            print(f"| {pages} | {r['shards-1']:.2f} | {r['shards-2']:.2f} | {r['shards-4']:.2f} |", flush=True)
        return
    print(f"Build times in seconds, median of {RUNS} runs, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n")
    print("| pages | floor | cold, 1 worker | cold, 2 workers | warm | edit one page | edit linreg | warm / floor | "
          "(one-page edit - its execution) / floor | critical path, 1 / 2 / 4 shards |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    results = {}
    for pages in sizes:
        r = results[pages] = measure(pages)
        print(f"| {pages} | {r['floor']:.2f} | {r['cold-1']:.2f} | {r['cold-2']:.2f} | {r['warm']:.2f} | "
              f"{r['edit-page']:.2f} | {r['edit-linreg']:.2f} | {r['warm'] / r['floor']:.2f} | "
              f"{(r['edit-page'] - r['page-exec']) / r['floor']:.2f} (page runs {r['page-exec']:.2f} s) | "
              f"{r['shards-1']:.2f} / {r['shards-2']:.2f} / {r['shards-4']:.2f} |", flush=True)
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        extra = large - small
        per_page = {k: (results[large][k] - results[small][k]) / extra for k in ("floor", "warm", "cold-1", "cold-2")}
        print(f"\nCost per extra page ({small} -> {large} pages): floor {per_page['floor'] * 1000:.0f} ms, "
              f"warm {per_page['warm'] * 1000:.0f} ms ({per_page['warm'] / per_page['floor']:.2f} x floor), "
              f"cold {per_page['cold-1'] * 1000:.0f} ms with 1 worker, {per_page['cold-2'] * 1000:.0f} ms with 2")
    print("\nGoals: warm / floor <= 1.3; one-page edit <= 1.3 x floor + the page's own execution "
          "(last column <= 1.3); warm cost per extra page within 20% of the floor's.")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [8, 32, 128])
