"""A script meant for some pages is loaded by those pages only; the explorer's page stays within
its budget (DOM elements and bytes of HTML); off-screen blocks skip rendering, and none that can
be on the first screen does (overrides/partials/perf.html)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sitebuild import LESSONS

pytestmark = pytest.mark.site

# script -> what on a page needs it
NEEDS = {"assets/js/video.js": ".video-embed", "assets/js/explorer.js": ".linreg-explorer"}
BUDGET = {"elements": 2500, "bytes": 160_000}  # lesson 05, the explorer's page (README: 웹 성능)


def pages(site):
    return sorted(p for p in site.site.rglob("index.html") if "search" not in p.parts)


def test_page_scripts_load_only_where_their_page_needs_them(site):
    seen = {script: 0 for script in NEEDS}
    for path in pages(site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        sources = [tag["src"] for tag in soup.find_all("script", src=True)]
        for script, needed_by in NEEDS.items():
            loads = any(src.split("?")[0].endswith(script) for src in sources)
            needs = soup.select_one(needed_by) is not None
            assert loads == needs, f"{path.relative_to(site.site)} {'loads' if loads else 'lacks'} {script}"
            seen[script] += loads
    assert all(seen.values()), seen  # each script is used somewhere: nothing to check otherwise


def test_the_explorers_page_stays_within_its_budget(site):
    path = site.site / "lessons" / "05-gradient-descent" / "index.html"
    html = path.read_text(encoding="utf-8")
    elements = len(BeautifulSoup(html, "html.parser").find_all(True))
    assert elements <= BUDGET["elements"] and len(html.encode()) <= BUDGET["bytes"], (elements, len(html.encode()))


# the screens a page is first seen on: a phone (Lighthouse's mobile preset) and a large monitor
SCREENS = [(412, 823), (1920, 1080)]
SKIPPED_ON_05 = 10  # at least this many of lesson 05's blocks wait off screen (it has 23 code blocks)


@pytest.fixture(scope="module")
def screens(browser):
    """A browser context per screen, shared by the pages (the theme's files come from its cache)."""
    contexts = {screen: browser.new_context(viewport={"width": screen[0], "height": screen[1]}) for screen in SCREENS}
    yield contexts
    for context in contexts.values():
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", *LESSONS, "notebooks/lab02-full-implementation"])
def test_only_blocks_below_the_first_screen_skip_rendering(screens, base_url, path):
    """content-visibility: auto on a block the first screen shows would draw it late, shifting what
    follows (layout shift); below the first screen it saves the page's start-up work."""
    for width, height in SCREENS:
        page = screens[width, height].new_page()
        page.goto(f"{base_url}{path}/" if path else base_url, wait_until="load")
        tops = page.evaluate("""() => [...document.querySelectorAll('article *')]  // laid out ones (not in closed <details>)
            .filter(e => getComputedStyle(e).contentVisibility === 'auto' && e.getClientRects().length)
            .map(e => e.getBoundingClientRect().top + scrollY)""")
        page.close()
        assert all(top > height for top in tops), (width, height, sorted(tops)[:3])
        if path == "lessons/05-gradient-descent":
            assert len(tops) >= SKIPPED_ON_05, (width, height, len(tops))
