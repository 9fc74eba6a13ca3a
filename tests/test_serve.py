"""`mkdocs serve`: an edit rebuilds, the open page reloads with the new output, the cache holds."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from sitebuild import fixture_site

pytestmark = pytest.mark.browser

PAGE = """# Live

```python exec="1" session="live"
import demo_pkg

runs = globals().get("runs", 0) + 1
```

```python exec="1" session="live"
print(f"value={demo_pkg.VALUE} runs={runs}")
```
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


OTHER = '# Other\n\n```python exec="1"\nprint("other page")\n```\n'


def _report(path, executed: list[str], seconds: float = 90) -> None:
    """Wait for a rebuild whose cache report lists exactly ``executed``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if sorted(json.loads(path.read_text())["executed"]) == executed:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"no rebuild executed exactly {executed}: {path.read_text() if path.exists() else None}")


def test_editing_the_package_reloads_the_page_with_the_new_output(tmp_path, browser):
    package = tmp_path / "demo_pkg"
    package.mkdir()
    (package / "__init__.py").write_text('VALUE = "first"\n')
    config = fixture_site(tmp_path, {"index.md": PAGE, "other.md": OTHER}, watch=["demo_pkg"])
    report = tmp_path / "report.json"
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(config), "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "EXEC_REPORT": str(report),
                           "EXEC_CACHE_DIR": str(tmp_path / ".cache")},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("text=value=first runs=1")
        (package / "__init__.py").write_text('VALUE = "second"\n')
        # live reload: the same open page is refreshed by the server, no navigation by us
        page.wait_for_selector("text=value=second runs=1", timeout=90_000)
        page.close()
        _report(report, ["index.md"])  # the package changed: the page that used it ran (other.md did not use it)...
        assert json.loads(report.read_text())["workers_reused"] is False  # ...in a new zygote, with the new package
        other = tmp_path / "docs" / "other.md"
        other.write_text(other.read_text().replace("other page", "edited page"))
        _report(report, ["other.md"])  # one page edited: only it ran...
        assert json.loads(report.read_text())["workers_reused"] is True  # ...forked from the zygote already running
        # a failing block: the browser shows the error where the output would be; the rest is served
        other.write_text(OTHER.replace('print("other page")', 'values = []\nprint(values[3])'))
        page = browser.new_page()
        page.goto(url + "other/")
        failure = page.wait_for_selector(".pageexec-failure", timeout=90_000)
        assert "docs/other.md:3 (executed block 1) raised an exception" in failure.inner_text()
        assert "IndexError: list index out of range" in failure.inner_text()
        page.goto(url)
        page.wait_for_selector("text=value=second runs=1")
        page.close()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "docs/other.md:3 (executed block 1) raised an exception" in output  # the terminal names it too
    assert "Traceback (most recent call last)" in output and "Error building page" not in output
