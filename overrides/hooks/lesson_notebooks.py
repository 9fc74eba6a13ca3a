"""Notebook pages of the site made from a lesson page: its download, shown by mkdocs-jupyter.

``NOTEBOOK_PAGES`` maps a notebook page (``src_uri``) to the lesson whose blocks it holds.
The page is the lesson's download notebook, with the outputs the lesson's blocks printed,
from pageexec's public API (``download_notebook``, ``download_links``, ``note``): whatever
order pages render in, it waits for the lesson's outputs, never for its render. Its
metadata tells pageexec not to run it again (its first cell installs the wheel, for the
reader).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

NOTEBOOK_PAGES = {"notebooks/lab02-full-implementation.ipynb": "lessons/06-full-implementation.md"}
PLACEHOLDER = '{"cells": [], "metadata": {"pageexec": {"execute": false}}, "nbformat": 4, "nbformat_minor": 5}\n'


class _State:
    """What one build knows (a new one for every build: `mkdocs serve` rebuilds included)."""

    def __init__(self) -> None:
        self.folder: Path | None = None  # where the generated notebooks are written
        self.pages: dict[str, str] = {}  # notebook page src_uri -> lesson src_uri

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


state = _State()


def _enabled(config) -> bool:
    engine = config.plugins.get("pageexec")
    return engine is not None and engine.config.downloads.enabled and "mkdocs-jupyter" in config.plugins


def on_files(files, config, **kwargs):
    global state
    state.close()
    state = _State()
    if not _enabled(config):
        return files
    from mkdocs_jupyter.plugin import NotebookFile  # compat.TABLE: mkdocs_jupyter.plugin.NotebookFile

    for target, lesson in NOTEBOOK_PAGES.items():
        if files.get_file_from_path(lesson) is None or files.get_file_from_path(target) is not None:
            continue
        if state.folder is None:
            state.folder = Path(tempfile.mkdtemp(prefix="notebook-pages-"))
        path = state.folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PLACEHOLDER, encoding="utf-8")  # planned as "do not execute"; filled before it renders
        file = File(target, str(state.folder), config["site_dir"], config["use_directory_urls"])
        files.append(NotebookFile(file, **config))  # what mkdocs-jupyter makes of a notebook in docs/
        state.pages[target] = lesson
    return files


@event_priority(50)  # before mkdocs-jupyter's on_pre_page (0), which renders the file it finds then
def on_pre_page(page, config, files, **kwargs):
    lesson = state.pages.get(page.file.src_uri)
    if lesson is not None:
        engine = config.plugins["pageexec"]
        Path(page.file.abs_src_path).write_text(engine.download_notebook(lesson), encoding="utf-8")
    return page


def on_page_content(html: str, page, config, **kwargs) -> str:
    lesson = state.pages.get(page.file.src_uri)
    if lesson is None:
        return html
    engine = config.plugins["pageexec"]
    page.meta["pageexec_downloads"] = engine.download_links(lesson, page.url)
    return html + engine.note(lesson)  # the lesson's outputs, so the lesson's note on what produced them


def on_shutdown(**kwargs) -> None:
    state.close()
