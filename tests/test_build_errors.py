"""A bad page fails the whole build, non-zero, naming the file; the previous site stays as it was.

The ways a block can fail are tested in-process (test_engine_markdown.py); here a whole
build is the point: the failure must reach `mkdocs build` and its exit code.
"""

from __future__ import annotations

import pytest

from sitebuild import ROOT, build, fixture_site, notebook

pytestmark = pytest.mark.site

GOOD = '# Good\n\n```python exec="1" session="s"\nx = 41\n```\n\n```python exec="1" session="s"\nprint(x + 1)\n```\n'


def fence(code: str, options: str = 'exec="1"') -> str:
    return f"# Page\n\nSome text.\n\n```python {options}\n{code}\n```\n"


def failed(tmp_path, pages, **options):
    result = build(tmp_path / "site", fixture_site(tmp_path, pages, **options), cwd=tmp_path)
    assert result.returncode != 0, result.log
    return result.log


def test_a_raising_block_fails_the_build_naming_page_line_and_traceback(tmp_path):
    log = failed(tmp_path, {"index.md": GOOD, "lesson.md": fence("values = [1, 2]\nprint(values[5])")})
    assert "docs/lesson.md:5 (executed block 1) raised an exception" in log
    assert "Traceback" in log and "IndexError: list index out of range" in log and "print(values[5])" in log


@pytest.mark.parametrize("header, message", [
    ('python exec="1" sesion="x"', "unknown option 'sesion' (did you mean 'session'?)"),
    ('Python exec="1"', "language 'Python' is not executed"),
])
def test_a_malformed_fence_fails_the_build_naming_file_and_line(tmp_path, header, message):
    page = f"---\ntitle: Typo\n---\n\n# Page\n\n```{header}\nprint(1)\n```\n\n```python exec=\"1\"\nprint(2)\n```\n"
    log = failed(tmp_path, {"index.md": GOOD, "typo.md": page})
    assert "malformed executed block" in log and "docs/typo.md:7" in log and message in log


def test_a_hang_and_os_exit_fail_the_build_by_name(tmp_path):
    log = failed(tmp_path, {"index.md": GOOD, "hang.md": fence("import threading, time\nthreading.Event().wait()")},
                 timeout=2)
    assert "docs/hang.md:5 (executed block 1) ran longer than 2 s (timeout) and was stopped" in log
    log = failed(tmp_path / "exit", {"index.md": GOOD, "exit.md": fence("import os\nos._exit(0)")})
    assert "docs/exit.md:5 (executed block 1) did not finish: the worker process ended with exit code 0" in log


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
    assert "docs/nb.ipynb (cell 2) raised an exception" in log and "ZeroDivisionError" in log and "print(a / 0)" in log


@pytest.mark.parametrize("breakage", ["raising-block", "strict-warning"])
def test_a_failed_build_keeps_the_previous_site_byte_for_byte(tmp_path, breakage):
    config = fixture_site(tmp_path, {"index.md": GOOD, "other.md": "# Other\n"})
    assert build(tmp_path / "site", config, cwd=tmp_path).returncode == 0
    before = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    page = tmp_path / "docs" / "other.md"
    page.write_text(fence("raise RuntimeError('boom')") if breakage == "raising-block" else "# Other\n\n[x](no-such-page.md)\n")
    result = build(tmp_path / "site", config, cwd=tmp_path)
    assert result.returncode != 0 and ("RuntimeError: boom" in result.log or "no-such-page.md" in result.log)
    after = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert after == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")]  # no half-built folder


def test_the_lesson_template_builds_and_a_mistake_in_it_is_named(tmp_path):
    template = (ROOT / "templates" / "lesson.md").read_text()
    good = build(tmp_path / "site", fixture_site(tmp_path, {"index.md": GOOD, "my-topic.md": template}), cwd=tmp_path)
    assert good.returncode == 0, good.log
    assert "Epoch    0/100" in (tmp_path / "site" / "my-topic" / "index.html").read_text()
    broken = template.replace("nb_epochs=100", "nb_epochs=-1")
    log = failed(tmp_path / "broken", {"index.md": GOOD, "my-topic.md": broken})
    assert "docs/my-topic.md:" in log and "(executed block 1) raised an exception" in log
    assert "ValueError: nb_epochs must not be negative, got -1" in log


@pytest.mark.parametrize("stop", ["SIGINT", "SIGKILL"])  # Ctrl-C, and kill -9 of mkdocs
def test_an_interrupted_build_keeps_the_site_and_leaves_no_process_or_folder(tmp_path, tmp_path_factory, stop):
    import os
    import signal
    import subprocess
    import sys
    import time

    config = fixture_site(tmp_path, {"index.md": GOOD})
    assert build(tmp_path / "site", config, cwd=tmp_path).returncode == 0
    before = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    marker = tmp_path_factory.mktemp("outside") / "running.pid"  # a page may not write inside the project
    (tmp_path / "docs" / "slow.md").write_text(fence(
        f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)"))
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")]
    process = subprocess.Popen(command, cwd=tmp_path, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                               # a terminal's Ctrl-C: the default SIGINT, even where the suite runs as a
                               # background job (which starts its children with SIGINT ignored)
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the block runs
    worker = int(marker.read_text())
    if stop == "SIGINT":
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        os.kill(process.pid, signal.SIGKILL)  # mkdocs alone: its zygote and the worker must follow it
    process.communicate(timeout=60)
    assert process.returncode != 0
    after = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert after == before
    if stop == "SIGINT":  # a killed build cannot tidy up; the next build removes its folder
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")]
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{worker}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{worker}") or open(f"/proc/{worker}/stat").read().split()[2] == "Z"


def test_a_package_that_does_not_import_fails_the_build_once_by_name_and_keeps_the_site(tmp_path):
    """A typo in the package: before, the strict build passed and published the raw fences."""
    (tmp_path / "demo_pkg").mkdir()
    init = tmp_path / "demo_pkg" / "__init__.py"
    init.write_text("VALUE = 41\n")
    pages = {"index.md": GOOD, "b.md": fence("import demo_pkg\nprint(demo_pkg.VALUE + 1)")}
    config = fixture_site(tmp_path, pages, watch=["demo_pkg"], preload=["demo_pkg"])
    env = {"PYTHONPATH": str(tmp_path)}
    assert build(tmp_path / "site", config, cwd=tmp_path, env=env).returncode == 0
    before = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    init.write_text("VALUE = (41\n")  # a syntax error
    result = build(tmp_path / "site", config, cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert "could not run: the worker processes could not start: importing 'demo_pkg' raised SyntaxError" in result.log
    assert result.log.count("Traceback (most recent call last)") == 1  # the package's own traceback, once
    assert str(init) in result.log
    after = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert after == before


def test_a_page_that_writes_into_docs_fails_by_name_and_writes_nothing(tmp_path):
    """Before, a page writing into docs/ and then failing made `mkdocs serve` rebuild for ever."""
    page = fence("with open('generated.md', 'w') as out:\n    out.write('# written by a block')\nraise ValueError('then it fails')")
    log = failed(tmp_path, {"index.md": GOOD, "writer.md": page})
    assert "docs/writer.md:5 (executed block 1) raised an exception" in log
    assert "may not write inside the project" in log and "generated.md" in log
    assert not (tmp_path / "docs" / "generated.md").exists() and not (tmp_path / "generated.md").exists()
