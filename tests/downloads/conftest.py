"""The clean environment the downloads run in, and its timings.

The environment is two layers. The base, a venv with the pinned torch (the CPU build from the
machine's wheels), the other dependencies ``pyproject.toml`` declares (at the project's pins)
and ipykernel, is the slow part (about 1 GB): it is kept in ``.cache/reader-base/`` under a
digest of the Python version, that list and ``constraints.txt``, and built in the background
as soon as collection has chosen a ``downloads`` test, while the rest of the suite runs (these
tests run last). Each test run then makes a fresh small venv that sees the base through a
``.pth`` file and installs the site's wheel into it: pip reads the wheel's own requirements
and installs whatever of them the base lacks (nothing, when the wheel asks for what the
project declares: test_downloads.py checks that it does, and that pip finds every requirement
met). Under ``pytest -n`` the workers share it, and each notebook and each script is a test of
its own, so the workers run them side by side. The ``downloads`` marker selects these tests.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitebuild import ROOT, once_per_run

TORCH = re.search(r"^torch==\S+", (ROOT / "constraints.txt").read_text(), re.M).group(0)
# what the wheel requires besides torch, as the project declares it (test_downloads.py checks that the wheel asks for these)
REQUIRES = [d for d in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
            if not re.match(r"torch\b", d)]
BASES = ROOT / ".cache" / "reader-base"
TIMINGS: dict[str, float] = {}
_started: dict[str, object] = {}


def pytest_configure(config):
    config.addinivalue_line("markers", "downloads: runs every downloaded script and notebook in a clean venv (slow)")


def pytest_collection_modifyitems(session, config, items):
    """The downloads tests run last, so the base venv builds in the background meanwhile."""
    here = Path(__file__).parent
    items.sort(key=lambda item: Path(str(item.path)).is_relative_to(here))  # stable: order kept otherwise


def pytest_collection_finish(session):
    if not session.config.option.collectonly and any(item.get_closest_marker("downloads") for item in session.items):
        thread = threading.Thread(target=_base_environment, daemon=True)
        _started["thread"] = thread
        thread.start()


def site_packages(venv: Path) -> Path:
    return venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


def _base_environment() -> None:
    """The base venv, from the cache or built: the pinned torch, the project's other dependencies and ipykernel."""
    started = time.perf_counter()
    key = hashlib.sha256(f"{sys.version}|{sysconfig.get_platform()}|{REQUIRES}|".encode()
                         + (ROOT / "constraints.txt").read_bytes()).hexdigest()[:16]
    base = BASES / key
    _started["base"] = base
    BASES.mkdir(parents=True, exist_ok=True)
    with open(BASES / f"{key}.lock", "w") as lock:  # one builder at a time (pytest -n: every worker collects)
        fcntl.flock(lock, fcntl.LOCK_EX)
        _build_base(key, base, started)


def _build_base(key: str, base: Path, started: float) -> None:
    if (base / "ready").exists():
        TIMINGS["clean environment: base venv (torch, the other dependencies, ipykernel) from the cache"] = time.perf_counter() - started
        return
    BASES.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=BASES))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(building)], check=True, capture_output=True)
        pip = [str(building / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, TORCH], check=True, capture_output=True)
        subprocess.run([*pip, "-c", str(ROOT / "constraints.txt"), *REQUIRES, "ipykernel"], check=True, capture_output=True)
    except subprocess.CalledProcessError as error:
        _started["error"] = f"{error.cmd}:\n{error.stdout}{error.stderr}"
        shutil.rmtree(building, ignore_errors=True)
        return
    (building / "ready").touch()
    shutil.rmtree(base, ignore_errors=True)  # a half-built one (no "ready")
    try:
        os.replace(building, base)  # only `python -m pip` is used, so the moved venv works
    except OSError:  # another session finished first
        shutil.rmtree(building, ignore_errors=True)
    for old in BASES.iterdir():  # bases of other pins
        if old.name != key and not old.name.startswith(f"{key}-") and old.name != f"{key}.lock":
            shutil.rmtree(old, ignore_errors=True)
    TIMINGS["clean environment: base venv (torch, the other dependencies, ipykernel), built"] = time.perf_counter() - started


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.write_sep("-", "downloads proof (seconds of each step; some overlap)")
        for name, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{name}: {seconds:.1f} s")


@pytest.fixture(scope="session")
def timings() -> dict[str, float]:
    """Seconds each step took, reported at the end of the run."""
    return TIMINGS


@pytest.fixture(scope="session")
def wheel(site) -> Path:
    """The wheel of linreg the site publishes."""
    (found,) = (site.site / "downloads").glob("linreg-*.whl")
    return found


@dataclass
class Reader:
    python: Path
    kernels: Path  # a kernelspec folder whose "reader" kernel runs in the clean environment
    packages: Path  # the session venv's own site-packages (the base's are seen through a .pth file)


@pytest.fixture(scope="session")
def reader(wheel, tmp_path_factory) -> Reader:
    """A fresh venv that sees only the base (torch, the other dependencies, ipykernel) and has the site's
    wheel installed, made once per test run (under `pytest -n`, by the first worker that needs it).

    The wheel's other dependencies (matplotlib, ...) are at the project's pins, so that the figures
    compare byte for byte; torch is not pinned: the wheel must take the base's.
    """
    if "thread" not in _started:
        pytest.skip("the clean environment starts only when a downloads test is selected")
    waited = time.perf_counter()
    _started["thread"].join()
    TIMINGS["waiting for the base venv"] = time.perf_counter() - waited
    if "error" in _started:
        pytest.fail(_started["error"])

    def make(folder: Path) -> None:
        started = time.perf_counter()
        venv = folder / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        (site_packages(venv) / "reader-base.pth").write_text(f"{site_packages(_started['base'])}\n")
        # every pin but torch's: the wheel must take the torch the reader already has (the base's)
        constraints = folder / "constraints.txt"
        constraints.write_text("".join(line for line in (ROOT / "constraints.txt").read_text().splitlines(True)
                                       if not line.startswith("torch==")))
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-c", str(constraints), str(wheel)], check=True)
        TIMINGS["session venv with the site's wheel"] = time.perf_counter() - started
        kernel = folder / "kernels" / "reader"
        kernel.mkdir(parents=True)
        (kernel / "kernel.json").write_text(json.dumps({
            "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "reader", "language": "python"}))

    folder = once_per_run(tmp_path_factory, "reader", make)
    return Reader(folder / "venv" / "bin" / "python", folder / "kernels", site_packages(folder / "venv"))


@dataclass
class ScriptRun:
    folder: Path  # where the script ran (its figures are there)
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_script(site, reader, tmp_path):
    """Runs a lesson's downloaded script in the clean environment, in a folder of the test's own."""
    return lambda lesson: _run_script(site, reader, lesson, tmp_path)


def _run_script(site, reader: Reader, lesson: str, folder: Path) -> ScriptRun:
    source = site.site / "downloads" / f"{lesson}.py"
    (folder / source.name).write_bytes(source.read_bytes())
    started = time.perf_counter()
    done = subprocess.run([str(reader.python), source.name], cwd=folder, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    TIMINGS[f"script {lesson}"] = time.perf_counter() - started
    return ScriptRun(folder, done.returncode, done.stdout, done.stderr)
