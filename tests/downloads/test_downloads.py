"""The downloads reproduce their pages.

Every lesson page offers its code as a notebook and a script, and the site publishes the
wheel of linreg they install. Here a clean virtual environment gets only the pinned torch
(``pip install torch==2.13.0``), the other dependencies the project declares (at the
project's pins, so figures compare byte for byte; the wheel must ask for exactly these) and
that wheel, and every downloaded script and notebook runs in it; each block's printed output must equal the page's output for that block (the notebook
stores the page's outputs: that is what it is compared with). The site is the one the suite
builds anyway; the environment is set up once per test run (see conftest.py). Select with
``-m downloads``.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from sitebuild import LESSONS, ROOT

pytestmark = pytest.mark.site

from pageexec import downloads as export

SITE_URL = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M).group(1)


@dataclass
class Block:
    """One executed block of a page, as its notebook stores it."""

    code: str
    output: str
    kind: str  # text, html or markdown
    session: str | None = None
    line: int = 0

    @property
    def html(self) -> bool:
        return self.kind == "html"


MIME = {"html": "text/html", "markdown": "text/markdown"}


def stored_blocks(notebook: dict) -> list[Block]:
    blocks = []
    for cell in notebook["cells"]:
        if cell["metadata"].get("pageexec", {}).get("role") != "block":
            continue
        kind = cell["metadata"]["pageexec"]["output"]
        if kind == "text":
            output = "".join("".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream")
        else:
            output = "".join("".join(o["data"][MIME[kind]]) for o in cell["outputs"] if o["output_type"] == "display_data")
        blocks.append(Block("".join(cell["source"]), output, kind))
    return blocks


def downloads(site) -> list[Path]:
    return sorted((site.site / "downloads").rglob("*.ipynb"))




# -- without the clean environment ------------------------------------------------------------

def test_every_lesson_offers_a_notebook_a_script_and_colab(site):
    for lesson in LESSONS:
        soup = BeautifulSoup(site.page(lesson), "html.parser")
        actions = soup.select_one(".notebook-actions")
        links = {a.get_text(strip=True): a["href"] for a in actions.select("a")}
        name = lesson.split("/")[-1]
        assert links["⤓ 노트북 (.ipynb)"] == f"../../downloads/{lesson}.ipynb"
        assert links["⤓ 스크립트 (.py)"] == f"../../downloads/{lesson}.py"
        assert links["Colab에서 열기"].endswith(f"/blob/downloads/{lesson}.ipynb")
        assert links["직접 실행하는 방법"] == "../../#이-사이트를-읽는-법"
        for suffix in (".ipynb", ".py"):
            assert (site.site / "downloads" / f"{lesson}{suffix}").is_file(), name


def test_downloads_install_the_wheel_the_site_publishes(site, wheel):
    url = f"{SITE_URL.rstrip('/')}/downloads/{wheel.name}"
    for path in downloads(site):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        assert "".join(notebook["cells"][1]["source"]) == f"%pip install -q {url}"
        assert f"#     pip install {url}\n" in path.with_suffix(".py").read_text(encoding="utf-8")


def test_the_wheel_holds_the_package_and_its_reference_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "linreg/resources/lab02-original-outputs.md" in names and "linreg/train.py" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "docs/"))]


def test_the_wheel_requires_what_the_project_declares(wheel):
    """The clean environment holds the dependencies pyproject.toml declares (conftest.py), so the wheel must
    ask for exactly those: a requirement it left out would go unnoticed there."""
    from packaging.requirements import Requirement

    archive = zipfile.ZipFile(wheel)
    (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
    asked = [Requirement(line.split(":", 1)[1].strip()) for line in archive.read(metadata).decode().splitlines()
             if line.startswith("Requires-Dist:")]
    asked = [r for r in asked if r.marker is None or "extra" not in str(r.marker)]  # the extras are the site's own
    declared = [Requirement(d) for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]
    assert declared and {(r.name, r.specifier) for r in asked} == {(r.name, r.specifier) for r in declared}


def test_the_notebook_page_is_the_full_implementation_download(site):
    page = site.site / "notebooks" / "lab02-full-implementation"
    offered = page / "lab02-full-implementation.ipynb"
    assert offered.read_bytes() == (site.site / "downloads" / "lessons" / "06-full-implementation.ipynb").read_bytes()
    log = [b.output for b in stored_blocks(json.loads(offered.read_text())) if b.output.startswith("Epoch    0/1000")]
    assert len(log) == 1 and log[0].count("\n") == 11  # the training log is one output, not eleven


# -- in the clean environment -------------------------------------------------------------------

def _first_difference(expected: list[str], actual: str) -> str:
    at = 0
    for i, part in enumerate(expected):
        if actual[at:at + len(part)] != part:
            return f"block {i + 1}: expected\n{part}\ngot\n{actual[at:at + len(part) + 200]}"
        at += len(part)
    return f"after the last block, got more:\n{actual[at:]}"


@pytest.mark.downloads
@pytest.mark.parametrize("lesson", LESSONS)
def test_notebook_prints_what_the_page_printed(site, wheel, reader, timings, lesson):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    path = site.site / "downloads" / f"{lesson}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    stored = stored_blocks(json.loads(path.read_text(encoding="utf-8")))
    install = notebook.cells[1]
    assert install.source == f"%pip install -q {SITE_URL.rstrip('/')}/downloads/{wheel.name}"
    # the same line in every notebook (just checked): the first lesson's notebook runs it on the same file, read
    # from disk; in the others pip would only find the wheel installed already (a second of pip each), so it is skipped
    install.source = f"%pip install -q --no-index {wheel}" if lesson == LESSONS[0] else ""
    manager = KernelManager(kernel_name="reader", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(reader.kernels)]))
    started = time.perf_counter()
    NotebookClient(notebook, km=manager, timeout=300, allow_errors=False).execute()
    timings[f"notebook {lesson}"] = time.perf_counter() - started
    ran = [cell for cell in notebook.cells if cell.metadata.get("pageexec", {}).get("role") == "block"]
    assert len(ran) == len(stored)
    for i, (cell, block) in enumerate(zip(ran, stored), start=1):
        streams = [o for o in cell.outputs if o.output_type == "stream"]
        assert [o.name for o in streams if o.name != "stdout"] == [], f"block {i} wrote to stderr"
        if block.kind == "text":
            assert "".join(o.text for o in streams) == block.output, f"block {i}:\n{cell.source}"
        else:  # each show(...) is one display of what print(...) printed, newline and all
            shown = "".join(o.data[MIME[block.kind]] + "\n" for o in cell.outputs if o.output_type == "display_data")
            assert streams == [] and shown == block.output, f"block {i} ({block.kind}):\n{cell.source}"


@pytest.mark.downloads
@pytest.mark.parametrize("lesson", LESSONS)
def test_script_prints_what_the_page_printed(site, run_script, lesson):
    run = run_script(lesson)
    assert run.returncode == 0, run.stderr
    source = site.site / "downloads" / f"{lesson}.py"
    blocks = stored_blocks(json.loads(source.with_suffix(".ipynb").read_text(encoding="utf-8")))
    expected = export.script_output(blocks, source.stem, "ko")
    assert run.stdout == "".join(expected), _first_difference(expected, run.stdout)
    figures = [svg for block in blocks if block.html for svg in export.figures(block.output)]
    for n, svg in enumerate(figures, start=1):
        assert (run.folder / f"{source.stem}-figure-{n}.svg").read_text(encoding="utf-8") == svg


@pytest.mark.downloads
def test_installing_the_wheel_keeps_the_torch_the_reader_has(reader):
    """The reader already has torch (the base venv, like Colab): pip installs the wheel and no torch, and
    every requirement of the wheel is met (pip check)."""
    assert list(reader.packages.glob("linreg*")), "the wheel is not in the session venv"
    assert not list(reader.packages.glob("torch*")), "pip installed a second torch"
    checked = subprocess.run([str(reader.python), "-m", "pip", "check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    version = subprocess.run([str(reader.python), "-c", "import torch; print(torch.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    pinned = re.search(r"^torch==(\S+)", (ROOT / "constraints.txt").read_text(), re.M).group(1)
    assert version.split("+")[0] == pinned.split("+")[0]


def test_home_page_says_how_to_run_the_code(site, wheel):
    soup = BeautifulSoup(site.page(""), "html.parser")
    assert soup.find(id="이-사이트를-읽는-법")  # where every page's "직접 실행하는 방법" points
    text = soup.select_one("article").get_text()
    assert f"pip install {SITE_URL.rstrip('/')}/downloads/{wheel.name}" in text
    requires = next(d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
                    if d.startswith("torch"))
    tested = re.search(r"^torch==(\S+)", (ROOT / "constraints.txt").read_text(), re.M).group(1)
    assert f"이미 설치된 torch가 {requires.replace(' ', '')}" in " ".join(text.split()) and f"torch {tested} CPU" in text
    for words in ("노트북(.ipynb)", "스크립트(.py)", "Colab에서 열기"):
        assert words in text
