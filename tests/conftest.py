import fcntl
import json
import os
import re
from pathlib import Path

import pytest

from browser import chromium, serve
from sitebuild import Build, build, mark_by_fixtures, shared_folder as _shared

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "linreg" / "resources" / "lab02-original-outputs.md"


def reference_logs() -> dict[str, list[str]]:
    """The reference file's two logs, parsed here independently of linreg.original."""
    text = REFERENCE.read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(Epoch.*?)```", text, re.S)
    assert len(blocks) == 2, "expected the low-level and the nn.Module logs"
    return {"lecture": blocks[0].strip().split("\n"), "module": blocks[1].strip().split("\n")}


@pytest.fixture(scope="session")
def logs() -> dict[str, list[str]]:
    return reference_logs()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """An execution cache of the test session's own, so no test depends on a developer's
    (shared by the workers of `pytest -n`: builds of several processes share a cache safely)."""
    folder = _shared(tmp_path_factory) / "session-cache"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def site(tmp_path_factory, cache_dir):
    """The real site, built once per test run with `mkdocs build --strict`, every block run
    (under `pytest -n` by the first worker that needs it; the others wait for it and read it)."""
    shared = _shared(tmp_path_factory)
    record = shared / "site.json"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            facts = json.loads(record.read_text())
            result = Build(facts["returncode"], facts["log"], Path(facts["site"]), facts["report"])
        else:
            result = build(shared / "site", env={"EXEC_CACHE_DIR": str(cache_dir), "EXEC_CACHE": "refresh"})
            record.write_text(json.dumps({"returncode": result.returncode, "log": result.log,
                                          "site": str(result.site), "report": result.report}))
    assert result.returncode == 0, result.log
    assert not re.search(r"^WARNING\s+-", result.log, re.M), result.log
    return result


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (skipped where it is missing, failed in CI)."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def base_url(site):
    """The built site served on loopback."""
    with serve(site.site) as url:
        yield url



def pytest_collection_modifyitems(items):
    mark_by_fixtures(items)
