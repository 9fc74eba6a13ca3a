"""Neutral fixture sites for the engine's own tests: theme ``mkdocs``, no Material, no torch,
no hooks of any site that uses pageexec. Builds run ``mkdocs build --strict`` in a child
process, with the engine's build report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Build:
    returncode: int
    log: str
    site: Path
    report: dict  # the engine's report: pages "executed" and "cached", "torch_imported", "workers_started"...

    def page(self, path: str) -> str:
        return (self.site / path / "index.html").read_text(encoding="utf-8")


def build(site_dir: Path, config: Path | None = None, env: dict[str, str] | None = None, cwd: Path | None = None) -> Build:
    """Run ``mkdocs build --strict`` in a child process (a fresh interpreter per build)."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config is not None:
        command += ["--config-file", str(config)]
    report = site_dir.with_name(site_dir.name + "-report.json")
    report.unlink(missing_ok=True)
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "EXEC_REPORT": str(report), **(env or {})}
    done = subprocess.run(command, cwd=cwd or Path.cwd(), env=full_env, capture_output=True, text=True, timeout=900)
    facts = json.loads(report.read_text()) if report.exists() else {}
    return Build(done.returncode, done.stdout + done.stderr, site_dir, facts)


def neutral_site(root: Path, pages: dict[str, str], watch: list[str] = (), *, theme: str = "mkdocs",
                 hooks: list[str] = (), site: dict | None = None, **options) -> Path:
    """A small site with the MkDocs theme and the pageexec plugin only; returns its mkdocs.yml.

    ``pages`` maps a path under docs/ to its text (a ``.ipynb`` value is notebook JSON);
    ``watch`` folders are also what executed code depends on; ``options`` go to pageexec;
    ``site`` adds top-level settings (``site_url``...). (A site that uses pageexec may give its
    own ``theme`` and ``hooks``.)
    """
    for path, text in pages.items():
        target = root / "docs" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    notebooks = any(path.endswith(".ipynb") for path in pages)
    config = {
        "site_name": "fixture",
        "docs_dir": "docs",
        "theme": {"name": theme},
        "plugins": [{"pageexec": {"timeout": 60, "depends_on": list(watch), **options}}]
        + ([{"mkdocs-jupyter": {"include": ["*.ipynb"], "execute": True, "allow_errors": False}}] if notebooks else []),
        "hooks": list(hooks),
        "watch": list(watch),
        "markdown_extensions": ["admonition", "toc", "pymdownx.superfences",
                                {"pymdownx.snippets": {"base_path": [str(root)], "check_paths": True}}],
        "validation": {"omitted_files": "warn", "absolute_links": "warn", "unrecognized_links": "warn", "anchors": "warn"},
        **(site or {}),
    }
    path = root / "mkdocs.yml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")  # JSON is YAML
    return path


def notebook(*cells: str) -> str:
    """Notebook JSON with one code cell per argument."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code) for code in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb)


def assert_isolated(runner, change: str, probe: str) -> None:
    """What ``change`` does to its page's process is real on that page and gone on the next one."""
    from pageexec.runner import Job

    def run(*codes):
        return runner.run_page([Job(code, "s", f"docs/p.md (executed block {i + 1})") for i, code in enumerate(codes)])

    alone = run(probe)[0].output
    assert run(change, probe)[1].output != alone  # the change is real on its own page
    assert run(probe)[0].output == alone  # and gone on the next page
