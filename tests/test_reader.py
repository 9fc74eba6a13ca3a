"""What a reader meets, checked in Chromium: Korean search, no foreign requests, phone layout, keyboard."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from sitebuild import LESSONS, ROOT

pytestmark = pytest.mark.browser
SITE_URL = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M).group(1)
PAGES = ["", *[f"{lesson}/" for lesson in LESSONS], "notebooks/lab02-full-implementation/", "blog/", "tags/",
         "contributing/", "blog/2024/10/03/lab02-linear-regression/"]

SEARCHES = [
    ("경사 하강법", "05-gradient-descent"), ("경사하강법", "05-gradient-descent"), ("발산", "05-gradient-descent"),
    ("학습률", "05-gradient-descent"), ("학습률이", "05-gradient-descent"), ("평균 제곱 오차", "04-cost-function"),
    ("평균제곱오차", "04-cost-function"), ("비용 함수", "04-cost-function"), ("편향", "01-linear-regression"),
    ("가중치 초기화", "03-hypothesis"), ("역전파", "05-gradient-descent"), ("SGD", "05-gradient-descent"),
    ("MSE", "04-cost-function"), ("learning rate", "05-gradient-descent"), ("nn.Module", "07-nn-module"),
    ("zero_grad", "05-gradient-descent"), ("최소 제곱", "06-full-implementation"),
]


@pytest.fixture(scope="module")
def search_box(browser, base_url):
    """One page with the theme's search open, used by every query in turn."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url, wait_until="networkidle")
    box = page.locator("input.md-search__input")
    box.click()
    yield page, box
    page.close()


def search(search_box, query: str) -> list[str]:
    """Search for ``query``; the first three pages listed."""
    page, box = search_box
    box.fill("")
    box.press("End")  # Material searches on keyup: an empty query empties the list
    page.wait_for_selector(".md-search-result__item", state="detached")
    box.fill(query)  # the whole query at once: no results for a prefix of it come first
    box.press("End")
    page.wait_for_selector(".md-search-result__item > a")
    hrefs = page.eval_on_selector_all(
        ".md-search-result__list > .md-search-result__item > a", "links => links.map(a => a.href)")
    pages = list(dict.fromkeys(urlparse(href).path for href in hrefs))  # a page's sections count once
    return pages[:3]


@pytest.mark.parametrize("query, expected", SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search_finds_the_page_in_the_first_three_results(search_box, query, expected):
    top = search(search_box, query)
    assert any(expected in path for path in top), (query, top)


@pytest.mark.parametrize("query", ["그래디언트", "기울기", "변화도", "기울기를"])
def test_every_name_for_the_gradient_finds_the_gradient_descent_lesson_first(search_box, query):
    """The glossary's three names (the site's 그래디언트, the lecture's 기울기 and 변화도) lead to one lesson."""
    top = search(search_box, query)
    assert top and "05-gradient-descent" in top[0], (query, top)


@pytest.fixture(scope="module")
def reader_context(browser):
    """One browser context for the visits: a reader's cache keeps the theme's scripts, styles and
    fonts from one page to the next, as a real reader's does."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    yield context
    context.close()


# The screens a page is first seen on: a phone (Lighthouse's mobile preset) and a large monitor.
SCREENS = [(412, 823), (1920, 1080)]
SKIPPED_ON_05 = 10  # at least this many of lesson 05's blocks wait off screen (it has 23 code blocks)
# where each block that skips rendering off screen starts (content-visibility: auto, overrides/partials/perf.html);
# only laid-out ones count (not those in a closed <details>)
OFF_SCREEN_TOPS = """() => [...document.querySelectorAll('article *')]
    .filter(e => getComputedStyle(e).contentVisibility === 'auto' && e.getClientRects().length)
    .map(e => e.getBoundingClientRect().top + scrollY)"""
DARK = "document.body.getAttribute('data-md-color-scheme') === 'slate'"
SETTLED = "document.getAnimations().every(a => a.playState !== 'running')"


@pytest.mark.parametrize("path", PAGES)
def test_a_reader_visiting_the_page(reader_context, site, base_url, path):
    """One visit per page runs every check a page must pass:

    no console error, no request leaves the site (lazy images included), axe-core finds no
    WCAG 2 A/AA violation (axe is bundled with axe-playwright-python, no download), and none
    of its colour rules fails after the reader switches to the dark palette with the header's
    button (the palette changes colours only), every figure has Korean alternative text and a
    caption and is drawn, the page carries its Open Graph card and its canonical address,
    every formula is laid out (a fraction's numerator above its denominator), and at phone
    width nothing overflows sideways and a wide formula scrolls visibly. Blocks that skip rendering until scrolled to (content-visibility: auto) all start below the
    first screen of a phone and of a large monitor: on the first screen they would be drawn late and
    shift what follows. Each screen is the page resized to it: the CSS decides which blocks skip, by
    their place in the page, and the first of them (the one the check is about) starts within a pixel
    of where a load at that size puts it, as a comparison with fresh loads of every page showed when
    this replaced them. Later ones can sit far off (hundreds of pixels on lesson 05: blocks drawn on the
    wider screen remember their size), which the check does not depend on.
    """
    from axe_playwright_python.sync_playwright import Axe

    page = reader_context.new_page()
    foreign, errors = [], []
    page.on("request", lambda r: urlparse(r.url).hostname not in (None, "127.0.0.1") and foreign.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + path, wait_until="networkidle")
    tops = {}
    for screen in SCREENS:
        page.set_viewport_size({"width": screen[0], "height": screen[1]})
        tops[screen] = page.evaluate(OFF_SCREEN_TOPS)
    page.set_viewport_size({"width": 1280, "height": 900})
    # whatever loads lazily, loaded now: every image, then the network quiet again
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => img.loading = 'eager')")
    page.wait_for_function("[...document.images].every(img => img.complete)")  # their requests made and answered
    # every block laid out, as a reader who scrolls sees it (perf.html skips the layout of blocks not yet
    # seen, and their sizes and overflow would read as nothing; their places were checked above)
    page.add_style_tag(content="* { content-visibility: visible !important; }")

    # every violation in full; each passing or inapplicable rule comes back with one node at most (axe's
    # resultTypes), not the hundreds a lesson has
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}, "resultTypes": ["violations"]})
    title = page.title()
    # what a link to the page shows where it is shared, and the address search engines keep
    og = page.eval_on_selector_all("meta[property^='og:']", "ms => Object.fromEntries(ms.map(m => [m.getAttribute('property'), m.content]))")
    canonical, lang = page.get_attribute("link[rel=canonical]", "href"), page.get_attribute("html", "lang")
    checked = len(result.response["passes"])  # rules that found something to check and passed
    violations = {v["id"]: [n["html"][:120] for n in v["nodes"][:3]] for v in result.response["violations"]}
    page.click('label[for="__palette_1"]')  # the header's button: 어두운 화면으로 바꾸기
    page.wait_for_function(DARK)
    page.wait_for_function(SETTLED)
    dark = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
                                    "resultTypes": ["violations"]})
    violations.update({f"dark: {v['id']}": [n["html"][:120] for n in v["nodes"][:3]] for v in dark.response["violations"]})
    page.click('label[for="__palette_0"]')  # back: the choice is stored, and the next visit starts light
    page.wait_for_function(f"!({DARK})")

    # math is laid out by the browser (MathML): every formula has a box, a fraction its numerator on top
    maths = page.eval_on_selector_all("article math", """ms => ms.map(m => { const r = m.getBoundingClientRect();
        return r.width > 5 && r.height > 5; })""")
    fractions = page.eval_on_selector_all("article mfrac", """fs => fs.map(f =>
        f.children[0].getBoundingClientRect().bottom <= f.children[1].getBoundingClientRect().top + 1)""")
    figures = page.eval_on_selector_all("article figure", """fs => fs.map(f => {
        const drawing = f.querySelector('svg, img'), box = drawing ? drawing.getBoundingClientRect() : {width: 0, height: 0};
        return {alt: (drawing || {}).getAttribute?.('aria-label') || (f.querySelector('img') || {}).alt || '',
                caption: (f.querySelector('figcaption') || {}).textContent || '',
                drawn: drawing && (drawing.tagName !== 'IMG' || (drawing.complete && drawing.naturalWidth > 0)),
                width: box.width, height: box.height}; })""")

    page.set_viewport_size({"width": 375, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('article *')].filter(e => {
        const r = e.getBoundingClientRect();
        return r.right > window.innerWidth + 1 && !e.closest('pre, .highlight, .md-typeset__scrollwrap, table, div.math, .jp-OutputArea, .jp-InputArea');
    }).map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    figure_widths = page.eval_on_selector_all("figure.linreg-figure img", "s => s.map(e => e.getBoundingClientRect().width)")
    # a formula wider than the phone scrolls, says so (a shadow on the side that hides more) and takes the keyboard
    cut_formulas = page.eval_on_selector_all("div.math", """ms => ms.filter(m => m.scrollWidth > m.clientWidth + 1)
        .filter(m => { const s = getComputedStyle(m);
                       return s.overflowX !== 'auto' || !s.backgroundImage.includes('radial-gradient') || m.tabIndex !== 0; })
        .map(m => m.textContent.slice(0, 40))""")
    page.close()

    assert title and errors == []
    assert og["og:title"] and og["og:description"] and og["og:url"].startswith("https://") and og["og:locale"] == "ko_KR"
    assert canonical == og["og:url"] == SITE_URL.rstrip("/") + "/" + path and lang == "ko"
    for screen, starts in tops.items():
        assert all(top > screen[1] for top in starts), (screen, sorted(starts)[:3])
        if path.startswith("lessons/05"):
            assert len(starts) >= SKIPPED_ON_05, (screen, len(starts))  # there is something to check
    assert all(maths) and all(fractions), (maths, fractions)
    if path.startswith(("lessons/04", "lessons/05")):
        assert maths and fractions  # the pages with fractions: the check has something to check
    assert foreign == []
    assert violations == {} and checked > 10
    built = BeautifulSoup(site.page(path.rstrip("/")), "html.parser").select("article figure")
    assert len(figures) == len(built)  # every figure the build wrote is on the page the browser shows
    for figure in figures:
        assert figure["drawn"] and figure["width"] > 200 and figure["height"] > 100, figure
        assert len(figure["alt"]) > 10 and any("\uac00" <= ch <= "\ud7a3" for ch in figure["alt"]), figure
        assert figure["caption"].startswith("그림"), figure
    assert width <= 375 and wide == []
    assert cut_formulas == []
    assert all(w <= 375 for w in figure_widths)


def test_keyboard_reaches_the_search_and_every_link(browser, base_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + "lessons/05-gradient-descent/")
    targets = set(page.eval_on_selector_all(
        "article a[href]", "links => links.filter(a => a.offsetParent !== null).map(a => a.href)"))
    reached, search = set(), False
    for _ in range(400):
        page.keyboard.press("Tab")
        info = page.evaluate("() => [document.activeElement.tagName, document.activeElement.href || '', "
                             "document.activeElement.className || '']")
        search = search or "md-search__input" in str(info[2])
        if info[1]:
            reached.add(info[1])
        if targets <= reached and search:
            break
    page.close()
    assert search, "the search box is not reachable with Tab"
    assert targets - reached == set()
