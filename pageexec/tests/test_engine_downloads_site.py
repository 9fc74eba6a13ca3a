"""Downloads in a whole build (``downloads: {enabled: true}``) of a neutral site: files written
and linked from their pages whatever the page's name, made from the blocks the engine ran;
a hook shows one as a notebook page through the public API, whatever order pages render in."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from urllib.parse import unquote, urljoin, urlsplit

import nbformat
import pytest

from neutral import build, neutral_site

pytestmark = pytest.mark.site

SITE = {"site_url": "https://example.org/course/", "repo_url": "https://github.com/owner/repo"}
LESSON = """# My lesson

Some words.

## Numbers

```python exec="1" result="text" session="s"
x = 6 * 7
print(x)
```

## A figure

```python exec="1" html="1" session="s"
print(f"<svg width='{x}'></svg>")
```
"""
KOREAN = '# 선형 회귀\n\n```python exec="1"\nprint("한 줄", 1 + 1)\n```\n'
# A notebook page holding a lesson's download; it sorts (and renders) before the lesson.
HOOK = '''
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs_jupyter.plugin import NotebookFile

folder = Path(tempfile.mkdtemp())
PLACEHOLDER = '{"cells": [], "metadata": {"pageexec": {"execute": false}}, "nbformat": 4, "nbformat_minor": 5}'


def on_files(files, config, **kwargs):
    (folder / "a-notebook.ipynb").write_text(PLACEHOLDER)
    files.append(NotebookFile(File("a-notebook.ipynb", str(folder), config["site_dir"], True), **config))
    return files


@event_priority(50)
def on_pre_page(page, config, files, **kwargs):
    if page.file.src_uri == "a-notebook.ipynb":
        notebook = config.plugins["pageexec"].download_notebook("lessons/my lesson.md")
        Path(page.file.abs_src_path).write_text(notebook)
    return page
'''


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("downloads")
    (root / "hook.py").write_text(HOOK)
    config = neutral_site(root, {"index.md": "# Home\n\nNo code.\n", "lessons/my lesson.md": LESSON,
                                 "lessons/선형 회귀 #1.md": KOREAN, "a-notebook.ipynb": "{}"},
                          hooks=["hook.py"], site=SITE,
                          downloads={"enabled": True, "colab_branch": "dl", "install": ["demo-pkg==1.0"]})
    (root / "docs" / "a-notebook.ipynb").unlink()  # only there so that mkdocs-jupyter is configured
    result = build(root / "site", config, cwd=root)
    assert result.returncode == 0, result.log
    return result


def links(site, page: str) -> dict[str, str]:
    html = site.page(page)
    found = re.search(r'<p class="pageexec-downloads">(.*?)</p>', html, re.S)
    assert found, f"no download links on {page}"
    return {unescape(text): unescape(href) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', found.group(1))}


@pytest.mark.parametrize("name", ["my lesson", "선형 회귀 #1"])
def test_each_executed_page_links_its_notebook_script_and_colab(site, name):
    page_url = urljoin(SITE["site_url"], "lessons/" + re.sub(r"[ #]", lambda m: "%20" if m.group() == " " else "%23", name) + "/")
    found = links(site, f"lessons/{name}")
    assert set(found) == {"notebook (.ipynb)", "script (.py)", "Open in Colab"}
    for label, suffix in [("notebook (.ipynb)", ".ipynb"), ("script (.py)", ".py")]:
        target = unquote(urlsplit(urljoin(page_url, found[label])).path).removeprefix("/course/")
        assert target == f"downloads/lessons/{name}{suffix}"
        assert (site.site / target).is_file()
    colab = found["Open in Colab"]
    assert colab.startswith("https://colab.research.google.com/github/owner/repo/blob/dl/")
    assert unquote(colab.removeprefix("https://colab.research.google.com/github/owner/repo/blob/dl/")) == f"lessons/{name}.ipynb"


def test_text_results_are_captioned_in_the_sites_language(site):
    html = site.page("lessons/my lesson")
    results = re.findall(r'<div class="[^"]*pageexec-result[^"]*"[^>]*>(.*?)<pre', html, re.S)
    assert results and all(r == '<span class="pageexec-result__label">Output</span>' for r in results), results


def test_a_page_without_executed_blocks_offers_nothing(site):
    assert "pageexec-downloads" not in site.page("")
    assert sorted(p.name for p in (site.site / "downloads").rglob("*") if p.is_file()) == sorted(
        f"{name}{suffix}" for name in ("my lesson", "선형 회귀 #1") for suffix in (".ipynb", ".py"))


def test_the_notebook_holds_the_blocks_the_engine_ran_and_what_they_printed(site):
    nb = nbformat.read(site.site / "downloads" / "lessons" / "my lesson.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.cells[1].source == "%pip install -q demo-pkg==1.0"
    assert "[the page My lesson](https://example.org/course/lessons/my%20lesson/)" in nb.cells[0].source
    sections = [cell.source for cell in nb.cells if cell.metadata["pageexec"]["role"] == "section"]
    assert sections == ["## Numbers", "## A figure"]
    blocks = [cell for cell in nb.cells if cell.metadata["pageexec"]["role"] == "block"]
    assert [cell.outputs[0].get("text") or cell.outputs[0]["data"]["text/html"] for cell in blocks] == \
        ["42\n", "<svg width='42'></svg>\n"]
    page = site.page("lessons/my lesson")
    assert "42" in page and "<svg width='42'></svg>" in page  # what the page shows


def test_the_script_runs_in_percent_cells_and_prints_what_the_page_printed(site, tmp_path):
    script = (site.site / "downloads" / "lessons" / "my lesson.py").read_text()
    assert "#     pip install demo-pkg==1.0" in script
    assert re.findall(r"^# %%.*$", script, re.M) == ["# %%", "# %% Numbers", "# %% A figure"]
    (tmp_path / "my lesson.py").write_text(script)
    done = subprocess.run([sys.executable, "my lesson.py"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "42\nfigure saved: my lesson-figure-1.svg\n"
    assert (tmp_path / "my lesson-figure-1.svg").read_text() == "<svg xmlns=\"http://www.w3.org/2000/svg\" width='42'></svg>"


def test_a_hook_shows_a_download_as_a_notebook_page_before_its_lesson_renders_and_it_is_not_run(site):
    page = unescape(site.page("a-notebook"))
    assert "Run it as a notebook: My lesson" in page and "demo-pkg==1.0" in page
    assert "42" in page and re.search(r"<svg width=[\"']42[\"']>", page)  # the lesson's outputs, rendered by mkdocs-jupyter
    assert "a-notebook.ipynb" not in site.report["executed"] + site.report["cached"]


@pytest.mark.parametrize("downloads, site_settings, error", [
    ({"enabled": True, "colab_branch": "dl"}, {"repo_url": "https://gitlab.com/o/r"}, "downloads.colab_branch needs a GitHub repo_url"),
    ({"enabled": True, "folder": "../out"}, {}, "Expected a folder inside the site, got '../out'"),
    ({"enabled": True}, {}, "Expected one of: ('en', 'ko')"),  # with language: fr
])
def test_a_wrong_downloads_setting_is_one_line_naming_it(tmp_path, downloads, site_settings, error):
    language = {"language": "fr"} if "('en', 'ko')" in error else {}
    config = neutral_site(tmp_path, {"index.md": KOREAN}, site=site_settings, downloads=downloads, **language)
    result = build(tmp_path / "site", config, cwd=tmp_path)
    assert result.returncode != 0 and error in result.log and "Traceback" not in result.log, result.log


def test_add_install_after_the_build_started_is_refused_in_one_line(tmp_path):
    (tmp_path / "late.py").write_text("def on_files(files, config, **kwargs):\n"
                                      "    config.plugins['pageexec'].add_install('x')\n    return files\n")
    config = neutral_site(tmp_path, {"index.md": KOREAN}, hooks=["late.py"], downloads={"enabled": True})
    result = build(tmp_path / "site", config, cwd=tmp_path)
    # on_files runs before on_nav: the build has not planned yet, so the call still holds
    assert result.returncode == 0, result.log
    (tmp_path / "late.py").write_text("def on_page_markdown(markdown, page, config, **kwargs):\n"
                                      "    config.plugins['pageexec'].add_install('x')\n    return markdown\n")
    result = build(tmp_path / "site", config, cwd=tmp_path)
    assert result.returncode != 0 and "add_install must be called in on_config" in result.log, result.log
