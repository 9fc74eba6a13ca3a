"""The learning-rate explorer on lesson 05, in Chromium: the keyboard, the CLI's own log, phone width, both palettes."""

from __future__ import annotations

import contextlib
import io
import re
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from linreg import blog_data, train_lecture
from linreg.cli import main
from linreg.explorer import DEFAULT_EPOCHS, LEARNING_RATES
from sitebuild import LESSONS

PAGE = "lessons/05-gradient-descent"
# every learning rate at the lecture's 1000 epochs, then other epoch counts (runs cut short, huge numbers)
SETTINGS = [(lr, DEFAULT_EPOCHS) for lr in LEARNING_RATES] + [
    (0.01, 100), (0.01, 10), (0.01, 3000), (0.2, 100), (0.3, 10)]


def cli(lr: float, epochs: int) -> tuple[str, int | None]:
    """The CLI (`linreg.cli.main`, what `python -m linreg` runs; test_cli.py runs that too) on the lesson's
    data: its last log line, and the epoch it diverged at (or None)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--data", "blog", "--lr", str(lr), "--epochs", str(epochs), "--log-every", str(epochs)])
    diverged = re.search(r"diverged at epoch (\d+)", err.getvalue())
    assert code in (0, 1) and (code == 1) == bool(diverged), err.getvalue()  # 1: diverged
    return out.getvalue().strip().splitlines()[-1], int(diverged.group(1)) if diverged else None


def log_by_epoch(lr: float, epochs: int) -> dict[int, str]:
    """linreg's log line for every epoch of a run on the lesson's data (a later line for an epoch wins)."""
    lines: dict[int, str] = {}
    train_lecture(blog_data().x, blog_data().y, lr=lr, nb_epochs=epochs, log_every=1,
                  log=lambda line: lines.__setitem__(int(line[6:10]), line))
    return lines


@pytest.fixture(scope="module")
def expected():
    return {setting: cli(*setting) for setting in SETTINGS}


@pytest.mark.site
def test_the_page_ships_the_explorer_hidden_so_without_javascript_only_the_static_figure_shows(site):
    soup = BeautifulSoup(site.page(PAGE), "html.parser")
    box = soup.select_one("article .linreg-explorer[data-explorer]")
    assert box is not None and box.has_attr("hidden") and not box.find_all(True)
    assert soup.select("article figure.linreg-figure img")  # the learning-rate figure stays
    scripts = [s["src"] for s in soup.find_all("script", src=True) if "explorer" in s["src"]]
    assert scripts == ["../../assets/js/explorer.js"] and soup.find("script", src=scripts[0]).has_attr("defer")
    assert (site.site / "assets" / "js" / "explorer.js").is_file()
    for other in [""] + [lesson for lesson in LESSONS if lesson != PAGE]:
        assert "explorer.js" not in site.page(other), other


@pytest.mark.browser
def test_keyboard_moves_give_the_clis_result_and_nothing_leaves_the_site(browser, base_url, expected):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    foreign, errors = [], []
    page.on("request", lambda r: urlparse(r.url).hostname not in (None, "127.0.0.1") and foreign.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.clock.install()  # Playwright's clock: time flows as usual, until the playback below stops it
    page.goto(f"{base_url}{PAGE}/", wait_until="networkidle")
    explorer = page.locator(".linreg-explorer")
    explorer.scroll_into_view_if_needed()  # built when it nears the screen
    page.wait_for_selector(".linreg-explorer[data-ready] .lx-panels")
    rate = explorer.get_by_role("slider", name="학습률")
    live = explorer.locator("[aria-live=polite]")
    assert live.get_attribute("aria-atomic") == "true"

    def shows(lr: float, epochs: int) -> None:
        line, diverged = expected[(lr, epochs)]
        head = f"학습을 마친 뒤의 마지막 로그(학습률 {lr}, {epochs} 에폭): "
        if diverged is not None and diverged <= epochs:  # the CLI says so on stderr
            page.wait_for_function("([el, text]) => el.textContent.startsWith(text)",
                                   arg=[live.element_handle(), f"{head}에폭 {diverged}에서 발산했습니다."])
        else:  # the CLI's last log line, character for character
            page.wait_for_function("([el, text]) => el.textContent === text", arg=[live.element_handle(), head + line])
        assert rate.get_attribute("aria-valuetext") == f"학습률 {lr}"

    # the lecture's setting on arrival, then every learning rate by arrow key
    shows(0.01, DEFAULT_EPOCHS)
    assert live.locator("code").text_content() == expected[0.01, DEFAULT_EPOCHS][0]
    rate.focus()
    rate.press("Home")
    for i, lr in enumerate(LEARNING_RATES):
        if i:
            rate.press("ArrowRight")
        shows(lr, DEFAULT_EPOCHS)
    rate.press("End")
    shows(LEARNING_RATES[-1], DEFAULT_EPOCHS)

    # epoch counts by arrow keys in the radio group
    for _ in range(len(LEARNING_RATES) - 1 - LEARNING_RATES.index(0.01)):
        rate.press("ArrowLeft")
    shows(0.01, DEFAULT_EPOCHS)
    explorer.get_by_role("radio", name=str(DEFAULT_EPOCHS), exact=True).focus()
    moves = [(100, "ArrowLeft"), (10, "ArrowLeft"), (100, "ArrowRight"), (1000, "ArrowRight"), (3000, "ArrowRight")]
    for epochs, key in moves:
        page.keyboard.press(key)
        shows(0.01, epochs)
    explorer.get_by_role("radio", name="100", exact=True).check()
    for _ in range(LEARNING_RATES.index(0.2) - LEARNING_RATES.index(0.01)):
        rate.press("ArrowRight")
    shows(0.2, 100)
    explorer.get_by_role("radio", name="10", exact=True).check()
    rate.press("End")
    shows(0.3, 10)

    # stepping through epochs: each frame prints the lecture's log line for that epoch
    rate.press("Home")
    for _ in range(LEARNING_RATES.index(0.18)):
        rate.press("ArrowRight")
    explorer.get_by_role("radio", name="100", exact=True).check()
    logged = log_by_epoch(0.18, 100)
    step = explorer.get_by_role("slider", name="진행")
    assert explorer.locator(".lx-frame").text_content().startswith("진행 막대가 가리키는 에폭의 로그: ")  # labelled
    frame = explorer.locator(".lx-frame code")
    step.focus()
    for key, epoch in [("Home", 0), ("ArrowRight", 1), ("ArrowRight", 2), ("End", 100), ("ArrowLeft", 99)]:
        step.press(key)
        assert frame.text_content() == logged[epoch] and step.get_attribute("aria-valuetext") == f"에폭 {epoch} / 100"

    # play runs to the end by itself, and can be paused. The page's clock stands still and is moved on by
    # hand: the playback's animation frames all run, without the test waiting out its seconds.
    step.press("Home")
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    play = explorer.get_by_role("button", name="재생")
    play.click()
    explorer.get_by_role("button", name="일시 정지").wait_for()
    page.clock.run_for(1000)
    assert frame.text_content() not in (logged[0], logged[100])  # on its way
    page.clock.run_for(6000)  # a playback lasts at most 6 seconds (explorer.js)
    page.wait_for_function("([el, last]) => el.textContent === last", arg=[frame.element_handle(), logged[100]])
    explorer.get_by_role("button", name="재생").wait_for()
    step.press("Home")
    play.click()
    page.clock.run_for(500)
    page.wait_for_function("([el, first]) => el.textContent !== first", arg=[frame.element_handle(), logged[0]])
    explorer.get_by_role("button", name="일시 정지").click()
    paused = frame.text_content()
    page.clock.run_for(1000)  # paused: a second later it still shows the same epoch
    assert frame.text_content() == paused
    assert paused != logged[100] and explorer.get_by_role("button", name="재생").is_visible()
    page.clock.resume()

    # away to the next lesson and back (the page kept, or loaded again): the explorer is drawn again
    page.locator("a.md-footer__link--next").click()
    page.wait_for_url("**/06-full-implementation/")
    page.go_back()
    page.wait_for_url(f"**/{PAGE}/")
    explorer.scroll_into_view_if_needed()
    page.wait_for_selector(".linreg-explorer[data-ready] .lx-panels")
    shows(0.01, DEFAULT_EPOCHS)
    rate.focus()
    rate.press("End")
    shows(LEARNING_RATES[-1], DEFAULT_EPOCHS)

    # phone width and the dark palette, on the same visit
    light = page.eval_on_selector(".linreg-explorer .lx-path", "p => getComputedStyle(p).stroke")
    page.set_viewport_size({"width": 375, "height": 800})
    page.locator("label[title='어두운 화면으로 바꾸기']").click()  # the theme's own palette switch
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    dark = page.eval_on_selector(".linreg-explorer .lx-path", "p => getComputedStyle(p).stroke")
    assert light != dark
    explorer.scroll_into_view_if_needed()
    wide = page.evaluate("""() => [...document.querySelectorAll('.linreg-explorer, .linreg-explorer *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className)""")
    assert wide == [] and page.evaluate("document.documentElement.scrollWidth") <= 375

    context.close()
    assert foreign == [] and errors == []


@pytest.mark.browser
def test_the_explorer_is_built_only_when_it_nears_the_screen(browser, base_url):
    """At load the explorer is one empty <div> (no controls, panels or styles of its own); a reader who
    scrolls to it gets it built, and the page then holds more elements than at load."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base_url}{PAGE}/", wait_until="networkidle")
    page.wait_for_timeout(300)  # a frame or two for an observer that should not fire
    count = "document.getElementsByTagName('*').length"
    at_load = page.evaluate(count)
    state = page.eval_on_selector(".linreg-explorer", "e => [e.childElementCount, !!e.dataset.ready, e.hidden]")
    assert state == [0, False, False], state  # shown empty, holding its room, so it can be watched
    assert page.locator("#linreg-explorer-style").count() == 0
    page.locator("#학습률-바꿔-보기").scroll_into_view_if_needed()  # the heading just above it
    page.wait_for_selector(".linreg-explorer[data-ready] .lx-panels svg")
    assert page.locator("#linreg-explorer-style").count() == 1
    assert page.evaluate(count) > at_load + 50
    context.close()
    assert errors == []
