"""The render cache in-process: a real MkDocs page rendered, stored, and restored to the same state."""

from __future__ import annotations

import logging

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from pageexec import compat
from pageexec.cache import Cache
from pageexec.engine import ExecutedBlock
from pageexec.render import RenderCache, restore, snapshot, toc_tokens

TEXT = """---
title: From the meta
---
# Heading one

Text with [a link](other.md#there).

## Second {#second-id}

### Third

## Fourth
"""


@pytest.fixture
def site(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").write_text(TEXT)
    (docs / "other.md").write_text("# Other\n\n## There\n")
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": str(docs), "site_dir": str(tmp_path / "site"),
                      "markdown_extensions": ["toc", "attr_list"], "validation": {"anchors": "warn"}})
    assert config.validate() == ([], [])
    files = Files([File(name, str(docs), str(tmp_path / "site"), True) for name in ("page.md", "other.md")])

    def page(name: str = "page.md", text: str | None = None) -> Page:
        if text is not None:
            (docs / name).write_text(text)
        made = Page(None, files.get_file_from_path(name), config)
        made.read_source(config)
        return made

    return config, files, page


RECORDS = [ExecutedBlock("print(1)", "1\n", False, "s", 3)]


def test_a_restored_page_equals_the_rendered_one(site):
    config, files, page = site
    rendered = page()
    rendered.render(config, files)
    payload = snapshot(rendered, RECORDS)
    restored = page()
    assert restore(restored, payload, files) == RECORDS
    for name in ("content", "title", "present_anchor_ids", "links_to_anchors"):
        assert getattr(restored, name) == getattr(rendered, name), name
    assert str(restored.toc) == str(rendered.toc) and toc_tokens(list(restored.toc)) == toc_tokens(list(rendered.toc))
    assert restored.toc.items[0].active  # as get_toc marks it
    assert restored.title == "From the meta" and "second-id" in restored.present_anchor_ids
    assert compat.rendered_title(restored) == compat.rendered_title(rendered) == "Heading one"  # the blog reads it
    assert restored.links_to_anchors == {files.get_file_from_path("other.md"): {"there": "other.md#there"}}


def test_a_restored_title_keeps_its_sources_in_order(site):
    """The heading's title is restored as render() sets it: front matter's title still wins."""
    config, files, page = site
    rendered = page()
    rendered.render(config, files)
    without_meta = page(text=TEXT.split("---\n", 2)[2])
    restore(without_meta, snapshot(rendered, RECORDS), files)
    assert without_meta.title == "Heading one"


def test_a_stored_link_to_a_page_that_is_gone_renders_again(site):
    config, files, page = site
    rendered = page()
    rendered.render(config, files)
    payload = snapshot(rendered, RECORDS)
    fewer = Files([files.get_file_from_path("page.md")])
    assert restore(page(), payload, fewer) is None
    assert restore(page(), {**payload, "records": [{"unknown": 1}]}, files) is None  # an old entry's shape


def test_render_stores_once_and_restores_after(site, tmp_path):
    config, files, page = site
    renders = RenderCache(Cache(tmp_path / "cache"), context="c")
    calls, replayed = [], []

    def run(outputs, source=TEXT, result=lambda: (RECORDS, ["1\n"])):
        target = page()

        def render(config, files):
            calls.append(1)
            Page.render(target, config, files)

        renders.render(target, config, files, render, source=source, expanded=TEXT, outputs=outputs,
                       replay=replayed.append, result=result)
        return target

    first = run(None)  # outputs being computed: nothing to look up, the rendering is stored
    second = run(["1\n"])
    assert len(calls) == 1 and replayed == [RECORDS] and second.content == first.content
    run(["2\n"])  # other outputs: another key
    run(["1\n"], source="---\ntags: [x]\n" + TEXT[4:])  # other front matter (titles, line numbers): another key
    assert len(calls) == 3 and renders.restored == ["page.md"]


def _stored(tmp_path) -> list:
    return list((tmp_path / "cache").glob("render-*.json"))


@pytest.mark.parametrize("case", ["failed", "warned", "extension-warned", "verbose"])
def test_a_rendering_that_cannot_be_trusted_is_not_stored(site, tmp_path, case):
    """A failed page, a warning (a strict build must fail again), a -v build (links to anchors not collected)."""
    config, files, page = site
    renders = RenderCache(Cache(tmp_path / "cache"), context="c")
    target = page()
    logger = logging.getLogger("mkdocs")
    level = logger.level

    def render(config, files):
        if case == "warned":
            logging.getLogger("mkdocs.structure.pages").warning("a broken link")
        if case == "extension-warned":
            logging.getLogger("MARKDOWN").warning("an extension's complaint")
        Page.render(target, config, files)

    if case == "verbose":
        logger.setLevel(logging.DEBUG)
    try:
        renders.render(target, config, files, render, source=TEXT, expanded=TEXT, outputs=None, replay=print,
                       result=(lambda: None) if case == "failed" else (lambda: (RECORDS, ["1\n"])))
    finally:
        logger.setLevel(level)
    assert target.content and not _stored(tmp_path)
    if case == "verbose":  # and an entry without them is not restored
        assert restore(page(), {**snapshot(target, RECORDS), "links": None}, files) is None


class _NotebookPage:
    """What mkdocs-jupyter's render touches: content, toc, and (unless ignore_h1_titles) title."""

    content = None
    toc = None


def test_a_notebook_rendering_is_stored_restored_and_never_stored_when_it_warned(tmp_path, monkeypatch):
    from pageexec.render import render_notebook

    monkeypatch.setattr(logging.getLogger("mkdocs"), "propagate", False)  # as `mkdocs build` sets it up
    cache = Cache(tmp_path)
    calls = []

    def render(page, warn):
        def run(config, files):
            calls.append(1)
            if warn:
                logging.getLogger("mkdocs.plugins.jupyter").warning("nbconvert said something")  # not propagated to root
            page.content, page.toc, page.title = "<p>nb</p>", get_toc([]), "Notebook"
        return run

    warned_page = _NotebookPage()
    assert render_notebook(warned_page, None, None, render(warned_page, True), cache=cache, material={"n": 1}) is False
    first = _NotebookPage()
    assert render_notebook(first, None, None, render(first, False), cache=cache, material={"n": 1}) is False  # not stored above
    again = _NotebookPage()
    assert render_notebook(again, None, None, render(again, False), cache=cache, material={"n": 1}) is True
    assert len(calls) == 2 and (again.content, again.title) == (first.content, first.title) == ("<p>nb</p>", "Notebook")
