"""In a real browser: math laid out, the video behind its click.

(Console errors, figures drawn, accessibility and the phone layout are checked on every page
in one visit per page and palette: test_reader.py.)"""

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


def test_video_loads_only_after_a_click(page, base_url):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.abort())
    page.goto(base_url, wait_until="networkidle")
    assert not [u for u in requests if "youtube" in u]
    page.click(".video-embed button")
    frame = page.wait_for_selector(".video-embed iframe")
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/kyjBMuNM1DI")
