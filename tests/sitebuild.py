"""Build the site for tests: strict, into a temporary folder, with the build's log kept."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = [
    "lessons/01-linear-regression", "lessons/02-data-definition", "lessons/03-hypothesis",
    "lessons/04-cost-function", "lessons/05-gradient-descent", "lessons/06-full-implementation",
    "lessons/07-nn-module",
]


@dataclass
class Build:
    returncode: int
    log: str
    site: Path
    report: dict  # from the pageexec plugin: pages "executed" and "cached", "torch_imported", "workers_started"

    def page(self, path: str) -> str:
        return (self.site / path / "index.html").read_text(encoding="utf-8")


def build(site_dir: Path, config: Path | None = None, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Build:
    """Run ``mkdocs build --strict`` in a child process (a fresh interpreter per build)."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config is not None:
        command += ["--config-file", str(config)]
    report = site_dir.with_name(site_dir.name + "-report.json")
    report.unlink(missing_ok=True)
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "EXEC_REPORT": str(report), **(env or {})}
    done = subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=900)
    facts = json.loads(report.read_text()) if report.exists() else {}
    return Build(done.returncode, done.stdout + done.stderr, site_dir, facts)


def real_hooks() -> list[str]:
    """The hooks of the real site's mkdocs.yml, as absolute paths."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return [str(ROOT / path) for path in re.findall(r"^  - (overrides/hooks/\S+\.py)", text, re.M)]


def engine(**options) -> dict:
    """The pageexec plugin entry of a fixture site (its cache under the fixture's own .cache)."""
    return {"pageexec": {"timeout": 60, **options}}


def fixture_site(root: Path, pages: dict[str, str], watch: list[str] = (), **options) -> Path:
    """A small site using the real site's hooks and execution plugins; returns its mkdocs.yml.

    ``pages`` maps a path under docs/ to its text (a ``.ipynb`` value is notebook JSON);
    ``watch`` folders are also what executed code depends on; ``options`` go to pageexec.
    """
    for path, text in pages.items():
        target = root / "docs" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    notebooks = any(path.endswith(".ipynb") for path in pages)
    config = {
        "site_name": "fixture",
        "docs_dir": "docs",
        "theme": {"name": "material"},
        "plugins": [engine(depends_on=list(watch), **options)]
        + ([{"mkdocs-jupyter": {"include": ["*.ipynb"], "execute": True, "allow_errors": False}}] if notebooks else []),
        "hooks": real_hooks(),
        "watch": list(watch),
        "markdown_extensions": ["admonition", "toc", "pymdownx.superfences",
                                {"pymdownx.snippets": {"base_path": [str(root)], "check_paths": True}}],
        "validation": {"omitted_files": "warn", "absolute_links": "warn", "unrecognized_links": "warn", "anchors": "warn"},
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


def mark_by_fixtures(items) -> None:
    """A test that uses the built site is a `site` test, one that uses Chromium a `browser` test,
    whether or not its module says so: `make test-fast` must build no site."""
    import pytest

    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & {"site", "base_url"} and item.get_closest_marker("site") is None:
            item.add_marker(pytest.mark.site)
        if "browser" in names and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
