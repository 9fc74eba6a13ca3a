"""What a reader meets, checked in Chromium: Korean search, no foreign requests, phone layout, keyboard."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from sitebuild import LESSONS

pytestmark = pytest.mark.browser
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


def search(browser, base_url, query: str) -> list[str]:
    """Type ``query`` into the theme's search box; the first three pages it lists."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(base_url, wait_until="networkidle")
        box = page.locator("input.md-search__input")
        box.click()
        box.press_sequentially(query)
        box.press("End")  # Material searches on keyup; typed Hangul sends no key events of its own
        page.wait_for_selector(".md-search-result__item > a")
        page.wait_for_timeout(500)
        hrefs = page.eval_on_selector_all(
            ".md-search-result__list > .md-search-result__item > a", "links => links.map(a => a.href)")
        pages = list(dict.fromkeys(urlparse(href).path for href in hrefs))  # a page's sections count once
        return pages[:3]
    finally:
        page.close()


@pytest.mark.parametrize("query, expected", SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search_finds_the_page_in_the_first_three_results(browser, base_url, query, expected):
    top = search(browser, base_url, query)
    assert any(expected in path for path in top), (query, top)


@pytest.mark.parametrize("path", PAGES)
def test_no_request_leaves_the_site(browser, base_url, path):
    context = browser.new_context()
    page = context.new_page()
    foreign = []
    page.on("request", lambda r: urlparse(r.url).hostname not in (None, "127.0.0.1") and foreign.append(r.url))
    page.goto(base_url + path, wait_until="networkidle")
    page.mouse.wheel(0, 20000)  # anything loaded lazily
    page.wait_for_timeout(300)
    context.close()
    assert foreign == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_phone_width_has_no_horizontal_overflow(browser, base_url, path, scheme):
    context = browser.new_context(viewport={"width": 375, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    page.goto(base_url + path, wait_until="networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('article *')].filter(e => {
        const r = e.getBoundingClientRect();
        return r.right > window.innerWidth + 1 && !e.closest('pre, .highlight, .md-typeset__scrollwrap, table, div.math, .jp-OutputArea, .jp-InputArea');
    }).map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    figures = page.eval_on_selector_all("figure.linreg-figure img", "s => s.map(e => e.getBoundingClientRect().width)")
    context.close()
    assert width <= 375 and wide == []
    assert all(w <= 375 for w in figures)


@pytest.mark.parametrize("path", [f"{lesson}/" for lesson in LESSONS] + ["notebooks/lab02-full-implementation/"])
def test_every_figure_has_alternative_text_and_a_caption(browser, base_url, path):
    page = browser.new_page()
    page.goto(base_url + path)
    figures = page.eval_on_selector_all("article figure", """fs => fs.map(f => ({
        alt: (f.querySelector('svg, img') || {}).getAttribute?.('aria-label') || (f.querySelector('img') || {}).alt || '',
        caption: (f.querySelector('figcaption') || {}).textContent || ''}))""")
    page.close()
    for figure in figures:
        assert len(figure["alt"]) > 10 and any("\uac00" <= ch <= "\ud7a3" for ch in figure["alt"])
        assert figure["caption"].startswith("그림")


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


def test_pages_carry_open_graph_and_canonical_links(browser, base_url):
    page = browser.new_page()
    for path in PAGES[:8]:
        page.goto(base_url + path)
        og = page.eval_on_selector_all("meta[property^='og:']", "ms => Object.fromEntries(ms.map(m => [m.getAttribute('property'), m.content]))")
        assert og["og:title"] and og["og:description"] and og["og:url"].startswith("https://") and og["og:locale"] == "ko_KR"
        assert page.get_attribute("link[rel=canonical]", "href") == og["og:url"]
        assert page.get_attribute("html", "lang") == "ko"
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag_aa_violations(browser, base_url, path, scheme):
    """axe-core (bundled with axe-playwright-python, no download) in both palettes: contrast included."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(color_scheme=scheme)
    page.goto(base_url + path, wait_until="networkidle")
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
    page.close()
    violations = {v["id"]: [n["html"][:120] for n in v["nodes"][:3]] for v in result.response["violations"]}
    assert violations == {}
