"""`mkdocs serve`: editing the package rebuilds, the open page reloads and shows the new output."""

from __future__ import annotations

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


def test_editing_the_package_reloads_the_page_with_the_new_output(tmp_path, browser):
    package = tmp_path / "demo_pkg"
    package.mkdir()
    (package / "__init__.py").write_text('VALUE = "first"\n')
    config = fixture_site(tmp_path, {"index.md": PAGE}, watch=["demo_pkg"])
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(config), "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
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
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Error" not in output, output
