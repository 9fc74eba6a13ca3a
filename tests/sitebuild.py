"""Build the site for tests: strict, into a temporary folder, with the build's log kept."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = [
    "lessons/01-linear-regression", "lessons/02-data-definition", "lessons/03-hypothesis",
    "lessons/04-cost-function", "lessons/05-gradient-descent", "lessons/06-full-implementation",
    "lessons/07-nn-module",
]


@dataclass
class Build:
    returncode: int
    log: str
    site: Path

    def page(self, path: str) -> str:
        return (self.site / path / "index.html").read_text(encoding="utf-8")


def build(site_dir: Path, config: Path | None = None, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Build:
    """Run ``mkdocs build --strict`` in a child process (a fresh interpreter per build)."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config is not None:
        command += ["--config-file", str(config)]
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    done = subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=900)
    return Build(done.returncode, done.stdout + done.stderr, site_dir)
