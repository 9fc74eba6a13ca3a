"""The clean environment the downloads run in, built once per test session, and its timings.

The ``downloads`` marker selects the tests that run the downloads in it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitebuild import ROOT

TORCH = re.search(r"^torch==\S+", (ROOT / "constraints.txt").read_text(), re.M).group(0)
TIMINGS: dict[str, float] = {}


def pytest_configure(config):
    config.addinivalue_line("markers", "downloads: runs every downloaded script and notebook in a clean venv (slow)")


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.write_sep("-", f"downloads proof: {sum(TIMINGS.values()):.1f} s in all")
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


@pytest.fixture(scope="session")
def reader(wheel, tmp_path_factory) -> Reader:
    """A virtual environment with only the pinned torch and the site's wheel (and ipykernel).

    The wheel's other dependencies (matplotlib, ...) come at the project's pins, so that the
    figures compare byte for byte; torch is the CPU build from the machine's own wheels.
    """
    started = time.perf_counter()
    folder = tmp_path_factory.mktemp("reader")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, TORCH], check=True)
    subprocess.run([*pip, "-c", str(ROOT / "constraints.txt"), str(wheel), "ipykernel"], check=True)
    kernel = folder / "kernels" / "reader"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "reader", "language": "python"}))
    TIMINGS["clean environment (venv, torch, wheel, ipykernel)"] = time.perf_counter() - started
    return Reader(python, folder / "kernels")
