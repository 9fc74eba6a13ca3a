"""Build the site for tests: strict, into a temporary folder, with the build's log kept."""

from __future__ import annotations

import re
from pathlib import Path

import neutral
from neutral import Build, notebook  # noqa: F401 - the site's tests use them too

ROOT = Path(__file__).resolve().parent.parent
LESSONS = [
    "lessons/01-linear-regression", "lessons/02-data-definition", "lessons/03-hypothesis",
    "lessons/04-cost-function", "lessons/05-gradient-descent", "lessons/06-full-implementation",
    "lessons/07-nn-module", "lessons/08-mini-batch",
]


def build(site_dir: Path, config: Path | None = None, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Build:
    """Run ``mkdocs build --strict`` in a child process (a fresh interpreter per build), from the repository."""
    return neutral.build(site_dir, config, env, cwd)


def real_hooks() -> list[str]:
    """The hooks of the real site's mkdocs.yml, as absolute paths."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return [str(ROOT / path) for path in re.findall(r"^  - (overrides/hooks/\S+\.py)", text, re.M)]


def fixture_site(root: Path, pages: dict[str, str], watch: list[str] = (), **options) -> Path:
    """A small site using the real site's theme, hooks and execution plugins; returns its mkdocs.yml.

    ``pages`` maps a path under docs/ to its text (a ``.ipynb`` value is notebook JSON);
    ``watch`` folders are also what executed code depends on; ``options`` go to pageexec.
    """
    return neutral.neutral_site(root, pages, watch, theme="material", hooks=real_hooks(), **options)


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


def shared_folder(tmp_path_factory) -> Path:
    """A folder every worker of one `pytest -n` run shares (the session's own folder without -n)."""
    import os

    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_run(tmp_path_factory, name: str, make) -> Path:
    """``<shared>/<name>/``, filled by ``make(folder)`` once per test run, by whichever worker asks
    first; the others wait for it (a file lock) and read what it made. A ``make`` that raised
    leaves no mark, so the next worker tries again and meets the same error."""
    import fcntl
    import shutil

    shared = shared_folder(tmp_path_factory)
    folder, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder
