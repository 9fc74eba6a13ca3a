"""The execution cache: a hit equals a fresh run, and each kind of edit re-runs exactly its pages."""

from __future__ import annotations

import pytest

from sitebuild import build, fixture_site, notebook

pytestmark = pytest.mark.site

# a.md: a session of two blocks, the second includes a snippet; b.md: its own block;
# c.md: nothing executed. Every page prints the package's value.
A = """# A

```python exec="1" session="a"
import demo_pkg
base = demo_pkg.VALUE
```

```python exec="1" session="a"
--8<-- "snippet.py"
print(f"a: {base} {SNIPPET}")
```
"""
B = '# B\n\n```python exec="1"\nimport demo_pkg\nprint(f"b: {demo_pkg.VALUE}")\n```\n'
C = "# C\n\nNo code runs here.\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "demo_pkg").mkdir()
    (tmp_path / "demo_pkg" / "__init__.py").write_text('VALUE = "v1"\n')
    (tmp_path / "snippet.py").write_text('SNIPPET = "s1"\n')
    (tmp_path / "constraints.txt").write_text("demo==1.0\n")
    config = fixture_site(tmp_path, {"index.md": C, "a.md": A, "b.md": B}, watch=["demo_pkg"])

    def run(env=None):
        result = build(tmp_path / "site", config, cwd=tmp_path, env={"EXEC_CACHE_DIR": str(tmp_path / ".cache"), **(env or {})})
        assert result.returncode == 0, result.log
        return result

    run.root = tmp_path
    return run


def page(project, name: str) -> str:
    return (project.root / "site" / name / "index.html").read_text()


def test_second_build_runs_nothing_and_gives_the_same_html(project):
    first = project()
    assert sorted(first.report["executed"]) == ["a.md", "b.md"]
    html = {name: page(project, name) for name in ("a", "b")}
    second = project()
    assert second.report["executed"] == [] and sorted(second.report["cached"]) == ["a.md", "b.md"]
    assert {name: page(project, name) for name in ("a", "b")} == html
    assert "a: v1 s1" in html["a"]


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda root: _replace(root / "docs/b.md", "print(f", "print('edited', f"), ["b.md"]),
        (lambda root: _replace(root / "docs/a.md", "base = demo_pkg.VALUE", "base = demo_pkg.VALUE + '!'"), ["a.md"]),
        (lambda root: (root / "snippet.py").write_text('SNIPPET = "s2"\n'), ["a.md"]),
        (lambda root: (root / "demo_pkg" / "__init__.py").write_text('VALUE = "v2"\n'), ["a.md", "b.md"]),
        (lambda root: (root / "constraints.txt").write_text("demo==2.0\n"), ["a.md", "b.md"]),
        (lambda root: _replace(root / "docs/index.md", "No code", "Still no code"), []),
    ],
    ids=["block", "earlier-block-of-session", "snippet", "package", "pinned-version", "page-without-code"],
)
def test_an_edit_reruns_exactly_the_affected_pages(project, edit, expected):
    project()
    edit(project.root)
    assert sorted(project().report["executed"]) == expected


def test_prose_edit_renders_again_with_the_cached_outputs(project):
    project()
    _replace(project.root / "docs/a.md", "# A\n", "# A\n\nNew sentence.\n")
    result = project()
    assert result.report["executed"] == [] and "a.md" in result.report["cached"]
    assert "New sentence." in page(project, "a") and "a: v1 s1" in page(project, "a")


def test_a_settings_change_renders_cached_pages_again(project):
    project()
    assert "headerlink" not in page(project, "b")
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace('"toc"', '{"toc": {"permalink": true}}'))
    result = project()
    assert result.report["executed"] == []  # outputs still hold: only the rendering is redone
    assert "headerlink" in page(project, "b")


def test_a_cached_page_still_reports_its_broken_links(project):
    _replace(project.root / "docs/b.md", "# B\n", "# B\n\n[missing](nowhere.md) and [A's title](a.md#a)\n")
    first = build(project.root / "site", project.root / "mkdocs.yml", cwd=project.root,
                  env={"EXEC_CACHE_DIR": str(project.root / ".cache")})
    assert first.returncode != 0 and "nowhere.md" in first.log
    second = build(project.root / "site", project.root / "mkdocs.yml", cwd=project.root,
                   env={"EXEC_CACHE_DIR": str(project.root / ".cache")})
    assert "b.md" in second.report["cached"]
    assert second.returncode != 0 and "nowhere.md" in second.log  # the warning is logged again


def test_a_cached_page_links_are_checked_against_the_pages_they_point_to(project):
    _replace(project.root / "docs/b.md", "# B\n", "# B\n\n[A's title](a.md#a)\n")
    project()
    _replace(project.root / "docs/a.md", "# A\n", "# Renamed\n")  # the anchor #a is gone
    result = build(project.root / "site", project.root / "mkdocs.yml", cwd=project.root,
                   env={"EXEC_CACHE_DIR": str(project.root / ".cache")})
    assert "b.md" in result.report["cached"]
    assert result.returncode != 0 and "a.md#a" in result.log


def test_package_edit_shows_in_the_output(project):
    project()
    (project.root / "demo_pkg" / "__init__.py").write_text('VALUE = "v2"\n')
    project()
    assert "a: v2 s1" in page(project, "a") and "b: v2" in page(project, "b")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "tamper"])
def test_a_corrupt_entry_is_recomputed_not_shown(project, damage):
    project()
    before = page(project, "a")
    entries = sorted((project.root / ".cache" / "exec").glob("*.json"))
    assert len(entries) == 2
    for entry in entries:
        text = entry.read_text()
        entry.write_text({"truncate": text[: len(text) // 2], "garbage": "\x00not json",
                          "tamper": text.replace("v1", "XX")}[damage])
    result = project()
    assert sorted(result.report["executed"]) == ["a.md", "b.md"]
    assert page(project, "a") == before and "XX" not in page(project, "b")


def test_the_force_switch_and_deleting_the_cache(project):
    project()
    assert sorted(project({"EXEC_CACHE": "refresh"}).report["executed"]) == ["a.md", "b.md"]
    assert project().report["executed"] == []
    import shutil

    shutil.rmtree(project.root / ".cache")
    assert sorted(project().report["executed"]) == ["a.md", "b.md"]


def test_notebook_outputs_follow_the_package(tmp_path):
    (tmp_path / "demo_pkg").mkdir()
    init = tmp_path / "demo_pkg" / "__init__.py"
    init.write_text('VALUE = "nb-v1"\n')
    config = fixture_site(tmp_path, {"index.md": C, "nb.ipynb": notebook("import demo_pkg\nprint(demo_pkg.VALUE)")},
                          watch=["demo_pkg"])
    env = {"EXEC_CACHE_DIR": str(tmp_path / ".cache"), "PYTHONPATH": str(tmp_path)}
    for value in ("nb-v1", "nb-v2"):
        init.write_text(f'VALUE = "{value}"\n')
        result = build(tmp_path / "site", config, cwd=tmp_path, env=env)
        assert result.returncode == 0, result.log
        assert value in (tmp_path / "site" / "nb" / "index.html").read_text()


def _replace(path, old, new):
    path.write_text(path.read_text().replace(old, new))
