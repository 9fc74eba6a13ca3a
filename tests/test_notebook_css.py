"""The notebook page's Jupyter CSS, pruned to what the page can use, renders exactly as the whole."""

from __future__ import annotations

import importlib.util
import re

import pytest
from bs4 import BeautifulSoup

from sitebuild import ROOT

_spec = importlib.util.spec_from_file_location("notebook_pages", ROOT / "overrides" / "hooks" / "notebook_pages.py")
notebook_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebook_pages)

NOTEBOOK = "notebooks/lab02-full-implementation"


def rules(css: str) -> set[str]:
    return {rule.strip() for rule in re.findall(r"[^{}]+\{[^{}]*\}", css)}


def test_rules_for_classes_the_page_lacks_are_dropped():
    css = ".a .b{color:red}\n.a .z{color:blue}\n.a,.z{margin:0}\n.a:not(.z){padding:0}\np{line-height:2}"
    kept = notebook_pages.prune_css(css, {"a", "b"})
    assert rules(kept) == {".a .b{color:red}", ".a{margin:0}", ".a:not(.z){padding:0}", "p{line-height:2}"}


def test_root_below_another_element_matches_nothing():
    assert notebook_pages.prune_css(".a :root{--x:1;color:red}:root{color:blue}", {"a"}) == ":root{color:blue}"


def test_group_rules_are_pruned_inside_and_dropped_when_empty():
    css = "@media (max-width: 10px){.a{color:red}.z{color:blue}}@supports (display:grid){.z{color:red}}"
    assert notebook_pages.prune_css(css, {"a"}) == "@media (max-width: 10px){.a{color:red}}"


def test_only_custom_properties_that_are_read_stay():
    css = ":root{--used:var(--inner);--inner:1px;--unused:var(--used);--dead:2px}.a{margin:var(--used)}"
    assert notebook_pages.prune_css(css, {"a"}) == ":root{--used:var(--inner);--inner:1px}\n.a{margin:var(--used)}"


def test_other_at_rules_are_kept_whole():
    css = "@keyframes spin{from{opacity:0}to{opacity:1}}.z{animation:spin 1s}"
    assert notebook_pages.prune_css(css, set()) == "@keyframes spin{from{opacity:0}to{opacity:1}}"


def test_the_pruned_css_is_kept_in_the_engines_cache_and_checked_there(tmp_path):
    from types import SimpleNamespace

    from pageexec.cache import Cache

    cache = Cache(tmp_path)
    engine = SimpleNamespace(cache=lambda kind: cache)
    config = SimpleNamespace(plugins={"pageexec": engine})
    css = ".a{color:red}.z{color:blue}"
    assert notebook_pages._pruned(css, {"a"}, config) == ".a{color:red}"
    (entry,) = tmp_path.glob("css-*.json")
    entry.write_text(entry.read_text().replace("color:red", "color:blue"))  # tampered: refused, recomputed
    assert notebook_pages._pruned(css, {"a"}, config) == ".a{color:red}"
    assert cache.refused == [entry.name]
    assert notebook_pages._pruned(css, {"a"}, SimpleNamespace(plugins={})) == ".a{color:red}"  # no engine: no cache


def test_figures_keep_their_own_styles(site):
    """An SVG output's <style> stays in the figure, not in the page's stylesheet."""
    css = next((site.site / "assets" / "stylesheets").glob("jupyter.*.css")).read_text()
    assert "stroke-linejoin" not in css
    figures = list((site.site / NOTEBOOK).glob("figure-*.svg"))
    assert figures and all("<style" in figure.read_text() for figure in figures)


SNAPSHOT = """() => [...document.querySelectorAll('article, article *')].map(e => ['', '::before', '::after'].map(pseudo => {
    const style = getComputedStyle(e, pseudo || null);
    return [...style].filter(name => !name.startsWith('--')).map(name => name + ':' + style.getPropertyValue(name)).join(';');
}).join('|'))"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pruned_stylesheet_renders_as_the_whole(site, browser, base_url, scheme):
    from mkdocs_jupyter.nbconvert2 import nb2html

    page_html = nb2html(str(ROOT / "docs" / f"{NOTEBOOK}.ipynb"), theme="")  # as the plugin converts it
    whole = "\n".join(s.string or "" for s in BeautifulSoup(page_html, "html.parser").find_all("style")
                      if not s.find_parent("svg"))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(base_url + NOTEBOOK + "/", wait_until="networkidle")
    pruned = page.evaluate(SNAPSHOT)
    page.evaluate("""css => { const style = document.createElement('style'); style.textContent = css;
        document.querySelector('link[href*="stylesheets/jupyter."]').replaceWith(style); }""", whole)
    with_whole = page.evaluate(SNAPSHOT)
    page.evaluate("() => document.querySelector('article style').remove()")
    without = page.evaluate(SNAPSHOT)
    context.close()
    served = next((site.site / "assets" / "stylesheets").glob("jupyter.*.css")).read_text()
    assert len(served) < len(whole) / 10
    assert without != with_whole  # the stylesheet matters, so the comparison can tell
    differences = [i for i, (a, b) in enumerate(zip(pruned, with_whole)) if a != b]
    assert len(pruned) == len(with_whole) and differences == []
