"""A bad lesson page fails the build with a message naming the file and the block."""

from __future__ import annotations

import pytest

from sitebuild import build, fixture_site, notebook

pytestmark = pytest.mark.site

GOOD = '# Good\n\n```python exec="1" session="s"\nx = 41\n```\n\n```python exec="1" session="s"\nprint(x + 1)\n```\n'


def fence(code: str, options: str = 'exec="1"') -> str:
    return f"# Page\n\nSome text.\n\n```python {options}\n{code}\n```\n"


def failed(tmp_path, pages, env=None):
    result = build(tmp_path / "site", fixture_site(tmp_path, pages), env=env, cwd=tmp_path)
    assert result.returncode != 0, result.log
    return result.log


def test_a_good_page_builds(tmp_path):
    result = build(tmp_path / "site", fixture_site(tmp_path, {"index.md": GOOD}), cwd=tmp_path)
    assert result.returncode == 0, result.log
    assert "42" in (tmp_path / "site" / "index.html").read_text()


def test_a_raising_block_names_page_line_and_traceback(tmp_path):
    log = failed(tmp_path, {"index.md": GOOD, "lesson.md": fence("values = [1, 2]\nprint(values[5])")})
    assert "docs/lesson.md:5 (executed block 1) raised an exception" in log
    assert "Traceback" in log and "IndexError: list index out of range" in log and "print(values[5])" in log


def test_sys_exit_fails_the_build_instead_of_ending_it_quietly(tmp_path):
    log = failed(tmp_path, {"index.md": GOOD, "exit.md": fence("import sys\nsys.exit(0)")})
    assert "docs/exit.md:5 (executed block 1) called sys.exit(0)" in log


def test_a_hanging_block_is_stopped_at_the_time_limit(tmp_path):
    code = "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except Exception:\n        pass"
    log = failed(tmp_path, {"index.md": GOOD, "hang.md": fence(code)}, env={"EXEC_TIMEOUT": "2"})
    assert "docs/hang.md:5 (executed block 1) ran longer than 2 s (EXEC_TIMEOUT)" in log


@pytest.mark.parametrize(
    "options, message",
    [
        ('exec="1" sesion="x"', "unknown option 'sesion' (did you mean 'session'?)"),
        ("exec=1", "cannot read 'exec=1'"),
        ('exec="yes please"', 'exec="yes please" is not a yes/no value'),
        ('exec="1" source="abve"', 'source="abve" is not one of'),
        ('exe="1"', "unknown option 'exe' (did you mean 'exec'?)"),
    ],
)
def test_a_malformed_option_is_an_error(tmp_path, options, message):
    log = failed(tmp_path, {"index.md": GOOD, "typo.md": fence("print(1)", options)})
    assert "malformed executed block" in log and "docs/typo.md:5" in log
    assert message in log


def test_sessions_belong_to_one_page(tmp_path):
    other = '# Other\n\n```python exec="1" session="s"\nprint(x)\n```\n'
    log = failed(tmp_path, {"index.md": GOOD, "other.md": other})
    assert "docs/other.md:3 (executed block 1) raised an exception" in log and "NameError" in log


def test_broken_links_and_anchors_fail_the_strict_build(tmp_path):
    log = failed(tmp_path, {"index.md": "# Home\n\n[missing](nope.md)\n"})
    assert "Doc file 'index.md' contains a link 'nope.md'" in log
    log = failed(tmp_path / "anchor", {"index.md": "# Home\n\n[anchor](other.md#nowhere)\n", "other.md": "# Other\n"})
    assert "index.md" in log and "#nowhere" in log


def test_a_failing_notebook_cell_fails_the_build(tmp_path):
    log = failed(tmp_path, {"index.md": GOOD, "nb.ipynb": notebook("a = 1", "print(a / 0)")})
    assert "nb.ipynb" in log and "ZeroDivisionError" in log and "print(a / 0)" in log


def test_a_failed_build_keeps_the_previous_site(tmp_path):
    config = fixture_site(tmp_path, {"index.md": GOOD})
    assert build(tmp_path / "site", config, cwd=tmp_path).returncode == 0
    before = (tmp_path / "site" / "index.html").read_bytes()
    (tmp_path / "docs" / "index.md").write_text(fence("raise RuntimeError('boom')"))
    result = build(tmp_path / "site", config, cwd=tmp_path)
    assert result.returncode != 0 and "RuntimeError: boom" in result.log
    assert (tmp_path / "site" / "index.html").read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")]  # no half-built folder


def test_the_lesson_template_builds_and_a_mistake_in_it_is_named(tmp_path):
    from sitebuild import ROOT

    template = (ROOT / "templates" / "lesson.md").read_text()
    good = build(tmp_path / "site", fixture_site(tmp_path, {"index.md": GOOD, "my-topic.md": template}), cwd=tmp_path)
    assert good.returncode == 0, good.log
    assert "Epoch    0/100" in (tmp_path / "site" / "my-topic" / "index.html").read_text()
    broken = template.replace("nb_epochs=100", "nb_epochs=-1")
    log = failed(tmp_path / "broken", {"index.md": GOOD, "my-topic.md": broken})
    assert "docs/my-topic.md:" in log and "(executed block 1) raised an exception" in log
    assert "ValueError: nb_epochs must not be negative, got -1" in log
