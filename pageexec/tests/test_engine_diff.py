"""What a change did to the executed outputs (pageexec/diff.py, outputs.py), and the status page.

The comparison is tested in-process on hand-made outputs; the command on a neutral site in a
git repository, where a change re-runs every page but alters one page's output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from neutral import build, neutral_site
from pageexec import diff, outputs


def page(*blocks: tuple[str, str], kind: str = "text") -> dict:
    return {"title": "t", "provenance": None,
            "blocks": [{"line": 10 * (i + 1), "code": code, "output": out, "kind": kind} for i, (code, out) in enumerate(blocks)]}


def test_only_pages_whose_outputs_differ_are_changes():
    base = {"docs/a.md": page(("print(1)", "1\n"), ("print(2)", "2\n")), "docs/b.md": page(("x", "same\n")),
            "docs/gone.md": page(("y", "")),}
    head = {"docs/a.md": page(("print(1)", "1\n"), ("print(2)", "two\n")),
            "docs/b.md": page(("x = 1  # code edited", "same\n")),  # new code, same output: not a change
            "docs/new.md": page(("z", "z\n"))}
    report = diff.compare(base, head, "main", "tree")
    assert [(p.page, p.status) for p in report.pages] == [("docs/a.md", "changed"), ("docs/gone.md", "removed"),
                                                          ("docs/new.md", "added")]
    changed = report.pages[0].blocks
    assert len(changed) == 1 and (changed[0].old["output"], changed[0].new["output"]) == ("2\n", "two\n")
    lines = diff.markdown(report).splitlines()
    assert [line.split("`")[1] for line in lines if line.startswith("- ")] == ["docs/a.md", "docs/gone.md", "docs/new.md"]
    assert "1 of 2 blocks print something else (line 20)" in lines[-3]


def test_no_change_is_said_plainly_and_an_inserted_block_is_paired_by_its_code():
    base = {"docs/a.md": page(("a", "1\n"), ("b", "2\n"))}
    assert "No page's outputs changed (1 pages" in diff.markdown(diff.compare(base, base))
    head = {"docs/a.md": page(("a", "1\n"), ("new", "9\n"), ("b", "2\n"))}
    blocks = diff.compare(base, head).pages[0].blocks
    assert [(b.old, b.new["code"]) for b in blocks] == [(None, "new")]  # "b" kept its partner


def test_the_html_report_diffs_text_and_shows_figures_side_by_side():
    base = {"docs/a.md": page(("log", "epoch 1\ncost 0.5\n")), "docs/f.md": page(("fig", "<svg id='old'></svg>"), kind="html")}
    head = {"docs/a.md": page(("log", "epoch 1\ncost 0.4\n")), "docs/f.md": page(("fig", "<svg id='new'></svg>"), kind="html")}
    text = diff.html(diff.compare(base, head))
    assert '<span class="del">-cost 0.5</span>' in text and '<span class="add">+cost 0.4</span>' in text
    assert re.search(r'class="sides"><div><h4>Before</h4><svg id=\'old\'></svg></div><div><h4>After</h4><svg id=\'new\'></svg>', text)


def test_a_notebooks_cells_become_records():
    nb = {"cells": [{"cell_type": "markdown", "source": "# x"},
                    {"cell_type": "code", "source": ["print(", "1)"], "outputs": [{"output_type": "stream", "text": ["1\n"]}]},
                    {"cell_type": "code", "source": "f", "outputs": [{"output_type": "display_data", "data": {"image/svg+xml": "<svg/>"}}]}]}
    assert outputs.notebook_records(json.dumps(nb)) == [{"line": 2, "code": "print(1)", "output": "1\n", "kind": "text"},
                                                        {"line": 3, "code": "f", "output": "<svg/>", "kind": "html"}]


def test_the_status_page_lists_every_page_with_its_facts():
    facts = {"python": "3.11.7", "packages": [["demo", "1.0"]], "commit": "abc1234", "seconds": 2.25,
             "computed": "2026-12-06T10:00:00+00:00"}
    text = outputs.status_markdown("about/status.md", [("a.md", "A | b", facts), ("sub/c d.md", "C", None)], "en")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| Page | Run time | Computed (UTC) | Commit | Python | demo |"
    assert rows[1] == "| [A \\| b](../a.md) | 2.2 s | 2026-12-06 10:00:00 | `abc1234` | 3.11.7 | 1.0 |"
    assert rows[2] == "| [C](../sub/c%20d.md) | — | — | — | — | — |"


# -- the command, on a neutral site in a git repository ------------------------------------------

A = '# A\n\n```python exec="1" result="text"\nimport demo_pkg\nprint("value", demo_pkg.VALUE)\n```\n'
B = '# B\n\nWords.\n\n```python exec="1" result="text"\nprint("b", 6 * 7)\n```\n'
F = '# F\n\n```python exec="1" html="1"\nimport demo_pkg\nprint(f"<svg><rect fill=\'{demo_pkg.COLOR}\'/></svg>")\n```\n'
GIT = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**os.environ, **GIT})


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "demo_pkg").mkdir()
    (tmp_path / "demo_pkg" / "__init__.py").write_text('VALUE = "v1"\nCOLOR = "red"\n')
    (tmp_path / "constraints.txt").write_text("demo==1.0\n")  # every page's key: a change re-runs them all
    (tmp_path / ".gitignore").write_text(".cache/\nsite/\nbuild/\n")
    neutral_site(tmp_path, {"index.md": "# Home\n", "a.md": A, "b.md": B, "f.md": F}, watch=["demo_pkg", "constraints.txt"],
                 status_page="status.md")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    return tmp_path


def run_diff(repo) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-m", "pageexec.diff", "--base", "main", "--out", "build"], cwd=repo,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(repo)}, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return (repo / "build" / "output-diff.md").read_text(), (repo / "build" / "output-diff.html").read_text()


@pytest.mark.site
def test_a_package_change_is_reported_on_the_page_it_changed_although_every_page_ran(repo):
    (repo / "demo_pkg" / "__init__.py").write_text('VALUE = "v2"\nCOLOR = "red"\n')
    (repo / "constraints.txt").write_text("demo==1.1\n")
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    summary, report = run_diff(repo)
    assert re.findall(r"^- `([^`]+)`", summary, re.M) == ["docs/a.md"], summary
    assert '<span class="del">-value v1</span>' in report and '<span class="add">+value v2</span>' in report
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts and ".cache" not in p.parts
             and "build" not in p.parts}
    assert after == {p: b for p, b in before.items() if ".cache" not in p.parts}  # the contributor's files untouched
    assert "base" not in subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True).stdout
    # every page ran again (the key changed), yet only one printed something else
    result = build(repo / "site", repo / "mkdocs.yml", cwd=repo, env={"PYTHONPATH": str(repo), "PAGEEXEC_MODE": "refresh"})
    assert sorted(result.report["executed"]) == ["a.md", "b.md", "f.md"]


@pytest.mark.site
def test_a_prose_edit_changes_no_output_and_a_changed_figure_is_in_the_html_report(repo):
    (repo / "docs" / "b.md").write_text(B.replace("Words.", "Other words."))
    summary, _ = run_diff(repo)
    assert "No page's outputs changed (3 pages" in summary and not re.search(r"^- ", summary, re.M)
    (repo / "demo_pkg" / "__init__.py").write_text('VALUE = "v1"\nCOLOR = "blue"\n')
    summary, report = run_diff(repo)
    assert re.findall(r"^- `([^`]+)`", summary, re.M) == ["docs/f.md"]
    assert "<svg><rect fill='red'/></svg>" in report and "<svg><rect fill='blue'/></svg>" in report


@pytest.mark.site
def test_the_status_page_lists_every_executed_page_and_two_builds_give_the_same_one(repo):
    first = build(repo / "site", repo / "mkdocs.yml", cwd=repo, env={"PYTHONPATH": str(repo)})
    assert first.returncode == 0, first.log
    status = first.page("status")
    assert [m for m in re.findall(r'<a href="\.\./(\w+)/">', status)] == ["a", "b", "f"]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", status)  # when the outputs were computed
    assert re.search(r"^INFO\s+-\s+pageexec: ran docs/a.md in [\d.]+ s \(worker \d+\)$", first.log, re.M)
    assert "pageexec: slowest: docs/" in first.log
    again = build(repo / "site2", repo / "mkdocs.yml", cwd=repo, env={"PYTHONPATH": str(repo)})
    assert again.report["executed"] == [] and again.page("status") == status


def test_a_bad_base_is_one_line(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    done = subprocess.run([sys.executable, "-m", "pageexec.diff", "--base", "no-such-ref"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode != 0 and "no-such-ref" in done.stderr and "Traceback" not in done.stderr
