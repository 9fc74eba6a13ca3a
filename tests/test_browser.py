"""In a real browser: the video behind its click.

(Console errors, math laid out, figures drawn, accessibility in both palettes and the phone
layout are checked on every page in one visit per page: test_reader.py.)"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.errors = []
    p.on("console", lambda m: m.type == "error" and p.errors.append(m.text))
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    yield p
    context.close()


def test_video_loads_only_after_a_click(page, base_url):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.abort())
    page.goto(base_url, wait_until="networkidle")
    assert not [u for u in requests if "youtube" in u]
    page.click(".video-embed button")
    frame = page.wait_for_selector(".video-embed iframe")
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/kyjBMuNM1DI")
