"""Every page in a real browser: no console errors, math rendered, figures visible."""

from __future__ import annotations

import pytest

from sitebuild import LESSONS

pytestmark = pytest.mark.browser
PAGES = ["", *[f"{lesson}/" for lesson in LESSONS]]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.errors = []
    p.on("console", lambda m: m.type == "error" and p.errors.append(m.text))
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    yield p
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_console_errors(page, base_url, path):
    page.goto(base_url + path, wait_until="networkidle")
    assert page.title()
    assert page.errors == []


@pytest.mark.parametrize("path", [p for p in PAGES if "04-" in p or "05-" in p])
def test_math_is_laid_out_by_the_browser(page, base_url, path):
    page.goto(base_url + path)
    boxes = page.eval_on_selector_all(
        "article math", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert boxes and all(w > 5 and h > 5 for w, h in boxes)
    # a fraction is laid out as a fraction: numerator above the denominator
    above = page.eval_on_selector(
        "article mfrac",
        "f => f.children[0].getBoundingClientRect().bottom <= f.children[1].getBoundingClientRect().top + 1",
    )
    assert above


@pytest.mark.parametrize("path", [p for p in PAGES if p])
def test_figures_are_visible(page, base_url, path):
    page.goto(base_url + path)
    for figure in page.query_selector_all("figure.linreg-figure img"):
        figure.scroll_into_view_if_needed()  # figures load lazily
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure)
        box = figure.bounding_box()
        assert box["width"] > 200 and box["height"] > 100
        assert figure.is_visible()


def test_video_loads_only_after_a_click(page, base_url):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.abort())
    page.goto(base_url, wait_until="networkidle")
    assert not [u for u in requests if "youtube" in u]
    page.click(".video-embed button")
    frame = page.wait_for_selector(".video-embed iframe")
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/kyjBMuNM1DI")
