"""The engine inside whole builds: caching across builds, what an edit re-runs, workers, notebooks."""

from __future__ import annotations

import re
from html import unescape

import pytest

from neutral import build, neutral_site as fixture_site, notebook

pytestmark = pytest.mark.site

# a.md: a session of two blocks, the second includes a snippet; b.md: its own block;
# c.md (index): nothing executed. Every page prints the package's value.
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
    config = fixture_site(tmp_path, {"index.md": C, "a.md": A, "b.md": B}, watch=["demo_pkg", "constraints.txt"])

    def run(**options):
        if options:
            fixture_site(tmp_path, {}, watch=["demo_pkg", "constraints.txt"], **options)
        result = build(tmp_path / "site", config, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)})
        assert result.returncode == 0, result.log
        return result

    run.root = tmp_path
    return run


def html(project, name: str) -> str:
    return (project.root / "site" / name / "index.html").read_text()


def test_a_warm_build_runs_nothing_starts_no_worker_and_gives_the_same_html(project):
    first = project()
    assert sorted(first.report["executed"]) == ["a.md", "b.md"] and first.report["workers_started"] == 2
    pages = {name: html(project, name) for name in ("a", "b")}
    assert "a: v1 s1" in pages["a"] and "b: v1" in pages["b"]
    second = project()
    assert second.report["executed"] == [] and sorted(second.report["cached"]) == ["a.md", "b.md"]
    assert second.report["workers_started"] == 0 and second.report["torch_imported"] is False
    assert sorted(second.report["rendered_from_cache"]) == ["a.md", "b.md"]  # not converted to HTML again
    assert {name: html(project, name) for name in ("a", "b")} == pages


def test_each_edit_reruns_exactly_the_pages_it_can_affect(project):
    project()
    # (edit, pages executed again, pages whose stored rendering is used)
    edits = [
        (lambda root: _replace(root / "docs/b.md", "print(f", "print('edited', f"), ["b.md"], ["a.md"]),
        (lambda root: _replace(root / "docs/a.md", "base = demo_pkg.VALUE", "base = demo_pkg.VALUE + '!'"), ["a.md"], ["b.md"]),
        (lambda root: (root / "snippet.py").write_text('SNIPPET = "s2"\n'), ["a.md"], ["b.md"]),
        (lambda root: (root / "demo_pkg" / "__init__.py").write_text('VALUE = "v2"\n'), ["a.md", "b.md"], []),
        (lambda root: (root / "constraints.txt").write_text("demo==2.0\n"), ["a.md", "b.md"], []),
        (lambda root: _replace(root / "docs/index.md", "No code", "Still no code"), [], ["a.md", "b.md"]),
        (lambda root: _replace(root / "docs/a.md", "# A\n", "# A\n\nA new sentence.\n"), [], ["b.md"]),
        # a snippet's text outside any executed block is still part of the page's rendering
        (lambda root: _replace(root / "docs/b.md", "# B\n", '# B\n\n--8<-- "note.md"\n'), [], ["a.md"]),
        (lambda root: (root / "note.md").write_text("A note, edited.\n"), [], ["a.md"]),
        # front matter: the title and the blocks' line numbers (read by the downloads) come from the whole file
        (lambda root: _replace(root / "docs/b.md", "# B\n", "---\ntitle: Bee\n---\n# B\n"), [], ["a.md"]),
        (lambda root: (root / "docs" / "new.md").write_text("# New\n"), [], []),  # links resolve against every file
    ]
    (project.root / "note.md").write_text("A note.\n")
    for edit, executed, restored in edits:
        edit(project.root)
        report = project().report
        assert (sorted(report["executed"]), sorted(report["rendered_from_cache"])) == (executed, restored)
    assert "A note, edited." in html(project, "b") and "<title>Bee" in html(project, "b")
    assert "a: v2! s2" in html(project, "a") and "A new sentence." in html(project, "a")


def test_one_worker_or_two_give_the_same_pages(project):
    def pages():  # byte for byte: two cold builds of one commit give one site
        return {name: html(project, name) for name in ("a", "b")}

    one = project(workers=1, mode="refresh")
    first = pages()
    two = project(workers=2, mode="refresh")
    assert sorted(one.report["executed"]) == sorted(two.report["executed"]) == ["a.md", "b.md"]
    assert pages() == first


def test_a_page_cannot_change_what_another_page_prints(project):
    leaky = ('# L\n\n```python exec="1"\nimport os, sys\nimport demo_pkg\ndemo_pkg.VALUE = "leaked"\n'
             'os.environ["LEAK"] = "1"\nsys.path.insert(0, "/leak")\nos.chdir("/")\n```\n')
    (project.root / "docs" / "0-leaky.md").write_text(leaky)  # renders before a.md and b.md
    project(workers=1)
    assert "leaked" not in html(project, "a") and "b: v1" in html(project, "b")


def test_a_corrupt_entry_is_computed_again(project):
    project()
    for entry in (project.root / ".cache" / "pageexec").glob("page-*.json"):
        entry.write_text(entry.read_text().replace("v1", "XX"))
    result = project()
    assert sorted(result.report["executed"]) == ["a.md", "b.md"] and len(result.report["refused"]) == 2
    assert "XX" not in html(project, "a") and "b: v1" in html(project, "b")


def test_notebook_outputs_follow_the_package_and_are_cached(tmp_path):
    (tmp_path / "demo_pkg").mkdir()
    init = tmp_path / "demo_pkg" / "__init__.py"
    config = fixture_site(tmp_path, {"index.md": C, "nb.ipynb": notebook("import demo_pkg\nprint(demo_pkg.VALUE)",
                                                                        "for i in range(3):\n    print(i, flush=True)")},
                          watch=["demo_pkg"])
    env = {"PYTHONPATH": str(tmp_path)}
    pages = {}
    # (package value, executed, the notebook page's nbconvert rendering restored from the cache)
    for value, executed, restored in (("nb-v1", ["nb.ipynb"], False), ("nb-v1", [], True), ("nb-v2", ["nb.ipynb"], False)):
        init.write_text(f'VALUE = "{value}"\n')
        result = build(tmp_path / "site", config, cwd=tmp_path, env=env)
        assert result.returncode == 0, result.log
        assert result.report["executed"] == executed
        assert ("nb.ipynb" in result.report["rendered_from_cache"]) is restored
        page = (tmp_path / "site" / "nb" / "index.html").read_text()
        assert value in page
        assert page.count("0\n1\n2") == 1  # one stream, one box
        pages.setdefault(value, page)
        assert page == pages[value]  # restored byte for byte as rendered
    assert len(list((tmp_path / ".cache" / "pageexec").glob("notebook-*.json"))) == 1  # the old entry was pruned


def _replace(path, old, new):
    path.write_text(path.read_text().replace(old, new))


@pytest.mark.parametrize("folder", ["/dev/null", "read-only-file"])
def test_an_unusable_cache_folder_gives_one_warning_and_a_correct_build(project, folder):
    if folder == "read-only-file":
        (project.root / "blocked").write_text("a file where the cache folder should be")
        folder = str(project.root / "blocked")
    result = project(cache_dir=folder)
    assert sorted(result.report["executed"]) == ["a.md", "b.md"]
    assert "a: v1 s1" in html(project, "a")
    warnings = [line for line in result.log.splitlines() if "building without the cache" in line]
    assert len(warnings) == 1 and warnings[0].startswith("WARNING")


def test_a_page_rendered_from_the_cache_keeps_its_anchors_and_its_links_checked(project):
    """A stored rendering brings back the anchors MkDocs checks links against, both ways."""
    _replace(project.root / "docs/b.md", "# B\n", "# B\n\nSee [the index](index.md#kept).\n")
    _replace(project.root / "docs/index.md", "No code runs here.\n", "No code runs here.\n\n## Kept\n")
    project()
    # the index now links into a.md, which comes from the cache: its anchors must be there
    _replace(project.root / "docs/index.md", "No code", "[A](a.md#a). No code")
    assert sorted(project().report["rendered_from_cache"]) == ["a.md", "b.md"]
    for edit, page, anchor in (
        ("(a.md#a)", "index.md", "#nowhere"),  # ...and only those: a link to another anchor is a warning
        ("## Kept", "b.md", "#kept"),  # b.md, from the cache, links to an anchor the index no longer has
    ):
        _replace(project.root / "docs/index.md", edit, edit.replace("#a", "#nowhere").replace("Kept", "Renamed"))
        result = build(project.root / "site", project.root / "mkdocs.yml", cwd=project.root,
                       env={"PYTHONPATH": str(project.root)})
        assert result.returncode != 0 and sorted(result.report["rendered_from_cache"]) == ["a.md", "b.md"]
        assert re.search(rf"WARNING.*{re.escape(page)}.*{anchor}", result.log), result.log
        _replace(project.root / "docs/index.md", "#nowhere", "#a")


def test_a_rendering_that_warned_is_not_stored(project):
    """A strict build fails on a page's warning every time, not only the first."""
    _replace(project.root / "docs/b.md", "# B\n", "# B\n\nSee [nothing](missing.md).\n")
    for _ in range(2):
        result = build(project.root / "site", project.root / "mkdocs.yml", cwd=project.root,
                       env={"PYTHONPATH": str(project.root)})
        assert result.returncode != 0 and re.search(r"WARNING.*b\.md.*missing\.md", result.log), result.log
    assert "b.md" not in result.report.get("rendered_from_cache", [])


def test_a_data_file_a_page_declares_is_part_of_its_key(project):
    """A block reads a file beside its page (its working directory is the page's folder)."""
    data = project.root / "docs" / "lessons" / "data.csv"
    data.parent.mkdir()
    data.write_text("x,y\n1,2\n")
    page = ('---\ndepends_on: [data.csv]\n---\n# Data\n\n```python exec="1"\n'
            'print("rows:", open("data.csv").read().split()[1:])\n```\n')
    (project.root / "docs" / "lessons" / "data.md").write_text(page)
    first = project()
    assert "lessons/data.md" in first.report["executed"] and "rows: ['1,2']" in unescape(html(project, "lessons/data"))
    data.write_text("x,y\n1,2\n3,6\n")
    second = project()
    assert second.report["executed"] == ["lessons/data.md"]
    assert "rows: ['1,2', '3,6']" in unescape(html(project, "lessons/data"))
    (project.root / "docs" / "lessons" / "data.md").write_text(page.replace("[data.csv]", "[missing.csv]"))
    failed = build(project.root / "site", project.root / "mkdocs.yml", cwd=project.root, env={"PYTHONPATH": str(project.root)})
    assert failed.returncode != 0
    assert "docs/lessons/data.md: depends_on names 'missing.csv', which does not exist" in failed.log


def test_ids_in_a_pages_outputs_do_not_depend_on_which_pages_rendered_before_it(project):
    """markdown-exec numbers output ids from a process-wide counter: a page re-rendered in a warm
    build (the pages before it restored from the cache) must get the ids a cold build gave it."""
    heading = '```python exec="1"\nprint("## Made by a block")\n```\n'
    _replace(project.root / "docs/a.md", "# A\n", "# A\n\n" + heading)
    _replace(project.root / "docs/b.md", "# B\n", "# B\n\n" + heading)
    project()
    cold = re.findall(r'id="(exec-[^"]+)"', html(project, "b"))
    _replace(project.root / "docs/b.md", "# B\n", "# B\n\nA new sentence.\n")  # b renders again, a is restored
    warm = project()
    assert "a.md" in warm.report["rendered_from_cache"] and "b.md" not in warm.report["rendered_from_cache"]
    assert cold and re.findall(r'id="(exec-[^"]+)"', html(project, "b")) == cold
