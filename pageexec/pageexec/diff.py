"""What a change did to a site's executed outputs: ``python -m pageexec.diff``.

Builds the working tree and BASE (a git ref; default: the merge base with ``main``), each
writing its outputs file (``EXEC_OUTPUTS``), and compares them page by page, block by block:

- ``<out>/output-diff.md``: the pages whose outputs changed, one line each starting with the
  page's source path, or a plain sentence saying nothing changed;
- ``<out>/output-diff.html``: every changed block, its code, the old and new output as a
  line diff, and figures (HTML outputs) old and new side by side.

A page that ran again with the same outputs is not a change. Both builds share the working
tree's execution cache in ``keep`` mode (read and written, never pruned), so BASE's outputs
come from the cache when it holds them; otherwise BASE's pages run in a temporary git
worktree, which is removed afterwards: the contributor's files are never touched.

``compare``, ``markdown`` and ``html`` are pure functions over two outputs files' pages.
"""

from __future__ import annotations

import argparse
import difflib
import html as html_lib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pageexec import outputs


@dataclass
class BlockChange:
    old: dict | None  # None: a block the page did not have
    new: dict | None  # None: a block the page no longer has


@dataclass
class PageChange:
    page: str  # docs/<page>
    status: str  # changed | added | removed
    blocks: list[BlockChange] = field(default_factory=list)
    compared: int = 0  # blocks on the new page


@dataclass
class Report:
    base: str
    head: str
    pages: list[PageChange]
    compared: int  # pages present in both


def _pair(old: list[dict], new: list[dict]) -> list[BlockChange]:
    """Old and new blocks paired by their code (a block moved or edited keeps its partner), changed pairs only."""
    changes = []
    matcher = difflib.SequenceMatcher(a=[b["code"] for b in old], b=[b["code"] for b in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs = zip(old[i1:i2], new[j1:j2])
        elif tag == "replace":
            pairs = list(zip(old[i1:i2], new[j1:j2]))
            shorter = min(i2 - i1, j2 - j1)
            pairs += [(b, None) for b in old[i1 + shorter:i2]] + [(None, b) for b in new[j1 + shorter:j2]]
        elif tag == "delete":
            pairs = [(b, None) for b in old[i1:i2]]
        else:
            pairs = [(None, b) for b in new[j1:j2]]
        for a, b in pairs:
            if a is None or b is None or (a["output"], a["kind"]) != (b["output"], b["kind"]):
                changes.append(BlockChange(a, b))
    return changes


def compare(base: dict[str, dict], head: dict[str, dict], base_name: str = "BASE", head_name: str = "working tree") -> Report:
    """The pages whose outputs differ between two outputs files' ``pages`` (code alone is not a change)."""
    pages = []
    for page in sorted(set(base) | set(head)):
        if page not in base:
            pages.append(PageChange(page, "added", [BlockChange(None, b) for b in head[page]["blocks"]]))
        elif page not in head:
            pages.append(PageChange(page, "removed", [BlockChange(b, None) for b in base[page]["blocks"]]))
        else:
            changed = _pair(base[page]["blocks"], head[page]["blocks"])
            if changed:
                pages.append(PageChange(page, "changed", changed, len(head[page]["blocks"])))
    return Report(base_name, head_name, pages, len(set(base) & set(head)))


def markdown(report: Report) -> str:
    """The summary: one line per page whose outputs changed, starting with its source path."""
    title = f"## Executed outputs: {report.base} → {report.head}\n\n"
    if not report.pages:
        return title + (f"No page's outputs changed ({report.compared} pages with executed code compared; "
                        "pages that ran again printed the same).\n")
    lines = []
    for page in report.pages:
        if page.status == "changed":
            where = ", ".join(str((c.new or c.old)["line"]) for c in page.blocks)
            lines.append(f"- `{page.page}`: {len(page.blocks)} of {page.compared} blocks print something else "
                         f"(line{'s' if len(page.blocks) > 1 else ''} {where})")
        else:
            lines.append(f"- `{page.page}`: page {page.status} ({len(page.blocks)} executed blocks)")
    return title + f"{len(report.pages)} page(s) with changed outputs:\n\n" + "\n".join(lines) + "\n"


CSS = """body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
.del{background:#ffebe9;display:block}.add{background:#dafbe1;display:block}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.sides>div{border:1px solid #ddd;padding:.5rem;overflow:auto}
.sides svg,.sides img{max-width:100%;height:auto}h3{margin-top:2rem}"""


def _text_diff(old: str, new: str) -> str:
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=2):
        css = "del" if line.startswith("-") and not line.startswith("---") else \
            "add" if line.startswith("+") and not line.startswith("+++") else ""
        text = html_lib.escape(line)
        lines.append(f'<span class="{css}">{text}</span>' if css else text)
    return "<pre>" + "\n".join(lines) + "</pre>"


def html(report: Report) -> str:
    """Every changed block: code, old and new output (a line diff; figures side by side)."""
    parts = [f"<!doctype html><html lang=en><meta charset=utf-8><title>Output diff</title><style>{CSS}</style>",
             f"<h1>Executed outputs: {html_lib.escape(report.base)} → {html_lib.escape(report.head)}</h1>"]
    if not report.pages:
        parts.append(f"<p>No page's outputs changed ({report.compared} pages compared).</p>")
    for page in report.pages:
        parts.append(f"<h2><code>{html_lib.escape(page.page)}</code> ({page.status})</h2>")
        for change in page.blocks:
            block = change.new or change.old
            parts.append(f"<h3>Block at line {block['line']}</h3><pre>{html_lib.escape(block['code'])}</pre>")
            old, new = (change.old or {}).get("output", ""), (change.new or {}).get("output", "")
            if block["kind"] == "html" or (change.old or {}).get("kind") == "html":
                parts.append(f'<div class="sides"><div><h4>Before</h4>{old}</div><div><h4>After</h4>{new}</div></div>')
            else:
                parts.append(_text_diff(old, new))
    return "\n".join(parts) + "\n</html>\n"


# -- the command -------------------------------------------------------------------------------

def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"pageexec.diff: git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def default_base(root: Path) -> str:
    """The merge base of HEAD with main (origin/main when there is no local main)."""
    for ref in ("main", "origin/main"):
        if subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=root, capture_output=True).returncode == 0:
            return _git(root, "merge-base", "HEAD", ref)
    raise SystemExit("pageexec.diff: no main or origin/main branch to compare with; give --base <ref>")


def build_outputs(project: Path, config: str, target: Path, cache: Path, env: dict[str, str], label: str) -> dict:
    """Build ``project`` (strict) writing its outputs file to ``target``; its pages, or exit naming the build."""
    site = Path(tempfile.mkdtemp(prefix="pageexec-diff-site-"))
    full = {**os.environ, **env, "EXEC_OUTPUTS": str(target), "PAGEEXEC_MODE": "keep", "PAGEEXEC_CACHE_DIR": str(cache),
            "NO_MKDOCS_2_WARNING": "1"}
    full.pop("GITHUB_STEP_SUMMARY", None)  # the diff's own summary is the one the job shows
    try:
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", config,
                               "--site-dir", str(site)], cwd=project, env=full, capture_output=True, text=True)
    finally:
        shutil.rmtree(site, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"pageexec.diff: the build of {label} failed:\n{done.stdout}{done.stderr}")
    try:
        return outputs.read(target)
    except ValueError as error:
        raise SystemExit(f"pageexec.diff: the build of {label} wrote no outputs file ({error}); "
                         "does its mkdocs.yml use pageexec?") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pageexec.diff", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=None, help="git ref to compare with (default: merge base with main)")
    parser.add_argument("--out", default="build", help="folder for output-diff.md and output-diff.html")
    parser.add_argument("--config", default="mkdocs.yml", help="the site's mkdocs.yml, relative to the repository")
    parser.add_argument("--cache-dir", default=".cache", help="the execution cache folder shared by both builds")
    parser.add_argument("--path", action="append", default=None,
                        help="a folder of BASE (relative) put first on its import path, so BASE builds with its own "
                             "packages and not the working tree's editable installs (default: .; repeat for more)")
    args = parser.parse_args(argv)
    root = Path(_git(Path.cwd(), "rev-parse", "--show-toplevel"))
    base = args.base or default_base(root)
    base_commit = _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    label = f"{base} ({base_commit[:10]})" if base != base_commit else base_commit[:10]
    out = (Path.cwd() / args.out).resolve()
    cache = (root / args.cache_dir).resolve()
    work = Path(tempfile.mkdtemp(prefix="pageexec-diff-"))
    worktree = work / "base"
    try:
        head = build_outputs(root, args.config, work / "head.json", cache, {}, "the working tree")
        _git(root, "worktree", "add", "--detach", "--quiet", str(worktree), base_commit)
        # BASE's own packages come first on the path (an editable install points at the working tree)
        folders = [str((worktree / folder).resolve()) for folder in (args.path or ["."])]
        path = os.pathsep.join(filter(None, [*folders, os.environ.get("PYTHONPATH")]))
        old = build_outputs(worktree, args.config, work / "base.json", cache, {"PYTHONPATH": path}, f"BASE {label}")
    finally:
        if worktree.exists():
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=root, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    report = compare(old, head, label, "working tree")
    out.mkdir(parents=True, exist_ok=True)
    (out / "output-diff.md").write_text(markdown(report), encoding="utf-8")
    (out / "output-diff.html").write_text(html(report), encoding="utf-8")
    print(markdown(report), end="")
    print(f"\n(written: {out / 'output-diff.md'}, {out / 'output-diff.html'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
