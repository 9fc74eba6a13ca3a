"""Build the site for tests: strict, into a temporary folder, with the build's log kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import neutral
from neutral import Build, notebook  # noqa: F401 - the site's tests use them too

ROOT = Path(__file__).resolve().parent.parent
LESSONS = [
    "lessons/01-linear-regression", "lessons/02-data-definition", "lessons/03-hypothesis",
    "lessons/04-cost-function", "lessons/05-gradient-descent", "lessons/06-full-implementation",
    "lessons/07-nn-module",
]


def build(site_dir: Path, config: Path | None = None, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Build:
    """Run ``mkdocs build --strict`` in a child process (a fresh interpreter per build), from the repository."""
    return neutral.build(site_dir, config, env, cwd)


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
