"""The block-level engine without MkDocs: plain ``markdown.markdown`` runs, guards and caches blocks."""

from __future__ import annotations

import html
import os

import markdown
import pytest

from pageexec.cache import Cache
from pageexec.engine import BlockError, Engine
from pageexec.runner import Runner

TEXT = """# Title

```python exec="1" session="s"
x = 41
```

```python exec="1" source="above" result="text" session="s"
print(x + 1)
```

```python exec="1" html="1"
print("<b>bold</b>")
```

```pycon exec="1" source="console"
>>> print(2 + 2)
```
"""


@pytest.fixture
def render(tmp_path):
    engines = []

    def render(text: str, *, name: str = "docs/page.md", cache: bool = True, show_failures: bool = False,
               preload=(), result_label: str = "", **limits):
        runner = Runner(preload=list(preload), cwd=str(limits.get("cwd", os.getcwd())), timeout=limits.get("timeout", 10),
                        output_limit=limits.get("output_limit", 100_000), workers=1)
        engine = Engine(runner=runner, cache=Cache(tmp_path / "cache") if cache else None, show_failures=show_failures,
                        result_label=result_label)
        engine.current = lambda: name
        engines.append(engine)
        html = markdown.markdown(text, extensions=[engine.extension(), "pymdownx.superfences"],
                                 extension_configs={"pymdownx.superfences": {"custom_fences": engine.custom_fences()}})
        render.status = engine.finish(engine.rendered[name])
        render.workers = runner.started_workers
        render.engine = engine
        return html

    yield render
    for engine in engines:
        if engine.runner_started:
            engine.runner.close()


def test_blocks_run_and_a_second_render_comes_from_the_cache(render):
    first = render(TEXT)
    assert render.status == "executed" and render.workers == 1
    assert "42\n</code>" in first and "<b>bold</b>" in first and '<span class="go">4</span>' in first
    second = render(TEXT)
    assert render.status == "cached" and render.workers == 0
    assert second == first


def test_editing_a_block_runs_the_page_again(render):
    render(TEXT)
    edited = render(TEXT.replace("x = 41", "x = 1"))
    assert render.status == "executed" and "2\n</code>" in edited


def test_a_text_result_is_kept_out_of_the_search_index_and_an_empty_one_draws_no_box(render):
    html = render('```python exec="1" source="above" result="text"\nprint("log line")\n```\n\n'
                  '```python exec="1" source="above" result="text"\nquiet = 1\n```\n', cache=False)
    assert html.count("data-search-exclude") == 1 and "log line" in html
    assert html.count("<pre") == 3  # two sources, one result: no empty box


def test_a_text_result_is_captioned_as_output_when_the_site_asks(render):
    page = '```python exec="1" source="above" result="text"\nprint("log line")\n```\n'
    assert "pageexec-result__label" not in render(page, cache=False)
    captioned = render(page, cache=False, result_label="Output <&>")
    assert '<span class="pageexec-result__label">Output &lt;&amp;&gt;</span><pre>' in captioned
    assert captioned.count("pageexec-result__label") == 1  # the result, not the source


def test_a_raising_block_fails_naming_file_line_and_block(render):
    text = "# P\n\nSome text.\n\n```python exec=\"1\"\nvalues = [1, 2]\nprint(values[5])\n```\n"
    with pytest.raises(BlockError) as raised:
        render(text, name="docs/lesson.md", cache=False)
    message = str(raised.value)
    assert message.startswith("docs/lesson.md:5 (executed block 1) raised an exception:")
    assert "print(values[5])" in message and message.endswith("IndexError: list index out of range")


@pytest.mark.slow
@pytest.mark.parametrize("code, message", [
    ("import sys\nsys.exit(0)", "(executed block 1) called sys.exit(0); a page must not end the build"),
    ("import os\nos._exit(0)", "(executed block 1) did not finish: the worker process ended with exit code 0"),
    ("while True:\n    pass", "(executed block 1) ran longer than 1 s (timeout) and was stopped"),
    ("print('x' * 5000)", "(executed block 1) printed more than 1,000 bytes (output_limit) and was stopped"),
])
def test_every_way_a_block_can_fail_is_named(render, code, message):
    with pytest.raises(BlockError, match=r"docs/page\.md:1 " + message.replace("(", r"\(").replace(")", r"\)")):
        render(f'```python exec="1"\n{code}\n```\n', cache=False, timeout=1, output_limit=1000)


@pytest.mark.parametrize("show_failures", [False, True])
def test_workers_that_cannot_start_fail_the_page_by_name_not_silently(render, tmp_path, show_failures):
    """superfences turns any other exception of a fence into a plain code block: the failure must be a BlockError."""
    (tmp_path / "typo_pkg.py").write_text("def f(:\n    pass\n")
    text = '# P\n\n```python exec="1"\nprint(1)\n```\n'
    if not show_failures:
        with pytest.raises(BlockError) as raised:
            render(text, cache=False, preload=["typo_pkg"], cwd=tmp_path)
        message = str(raised.value)
    else:
        message = html.unescape(render(text, cache=False, preload=["typo_pkg"], cwd=tmp_path, show_failures=True))
        assert "pageexec-failure" in message and 'exec="1"' not in message  # shown as an error, not as a raw fence
    assert "docs/page.md:3 (executed block 1) could not run: the worker processes could not start: " \
           "importing 'typo_pkg' raised SyntaxError" in message


def test_printing_text_that_is_not_unicode_fails_by_name(render):
    with pytest.raises(BlockError, match=r"docs/page\.md:1 \(executed block 1\) printed text that is not valid Unicode"):
        render('```python exec="1"\nprint("\\udcff")\n```\n')


def test_a_later_block_of_a_failed_page_reports_the_first_failure(render):
    text = '```python exec="1" session="s"\nraise KeyError("k")\n```\n\n```python exec="1" session="s"\nprint(1)\n```\n'
    with pytest.raises(BlockError, match="docs/page.md:1 \\(executed block 1\\) raised"):
        render(text, cache=False)


@pytest.mark.parametrize("header", ['Python exec="1"', 'python3 exec="1"', 'py3 exec="1"', 'python exce="1"'])
def test_a_fence_that_would_silently_not_run_fails_naming_its_line(render, header):
    text = f'# P\n\n```{header}\nprint(1)\n```\n\n```python exec="1"\nprint(2)\n```\n'
    with pytest.raises(BlockError, match=r"malformed executed block:\n  docs/page\.md:3: "):
        render(text, cache=False)


def test_with_show_failures_the_page_shows_the_error_instead(render):
    html = render('```python exec="1"\n1 / 0\n```\n\n```python exec="1"\nprint("after")\n```\n',
                  cache=False, show_failures=True)
    assert "pageexec-failure" in html and "ZeroDivisionError" in html and "docs/page.md:1" in html
    assert render.engine.failures and "ZeroDivisionError" in render.engine.failures[0]


def test_outputs_are_recorded_in_page_order_for_downloads(render):
    render(TEXT)
    records = render.engine.rendered["docs/page.md"].records
    assert [(r.code, r.output, r.html, r.line) for r in records] == [
        ("x = 41", "", False, 3), ("print(x + 1)", "42\n", False, 7),
        ('print("<b>bold</b>")', "<b>bold</b>\n", True, 11), ("print(2 + 2)", "4\n", False, 15)]
    # each with its fence's options, so a download knows how the page shows its output without reading the page
    assert records[1].options.get("result") == "text" and records[1].options.get("source") == "above"
    assert records[2].options == {"exec": "1", "html": "1"} and records[0].options == {"exec": "1", "session": "s"}


def test_the_provenance_of_a_run_is_kept_with_its_outputs(tmp_path):
    facts = iter([{"python": "3.x", "commit": "first"}, {"python": "3.x", "commit": "second"}])
    plans = []
    for _ in range(2):
        engine = Engine(runner=lambda: Runner(preload=[], cwd=os.getcwd(), timeout=10, output_limit=10_000, workers=1),
                        cache=Cache(tmp_path), provenance=lambda: next(facts))
        engine.current = lambda: "docs/page.md"
        markdown.markdown(TEXT, extensions=[engine.extension(), "pymdownx.superfences"],
                          extension_configs={"pymdownx.superfences": {"custom_fences": engine.custom_fences()}})
        plan = engine.rendered["docs/page.md"]
        engine.finish(plan)
        plans.append(plan)
        if engine.runner_started:
            engine.runner.close()
    assert plans[0].provenance["commit"] == "first" and plans[0].provenance["seconds"] >= 0
    assert plans[1].outputs is not None  # from the cache, so
    assert plans[1].provenance == plans[0].provenance  # the note names the run that produced the outputs
