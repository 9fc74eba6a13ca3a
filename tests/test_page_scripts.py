"""A script meant for some pages is loaded by those pages only; the explorer's page stays within
its budget (DOM elements and bytes of HTML). That off-screen blocks skip rendering and none that can
be on the first screen does (overrides/partials/perf.html) is checked in the reader's visit of
every page (test_reader.py)."""

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
