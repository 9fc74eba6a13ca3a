"""The course as one PDF, published with the site and linked from the home page.

``make pdf`` prints the built pages into a PDF (``tools/course_pdf.py``) and builds the site
once more (warm: nothing runs again) with ``COURSE_PDF`` naming that file. This hook then
copies it to ``downloads/linreg-course.pdf`` and puts the link, with its size and page
count, where a page says ``{{ course_pdf }}``. Without ``COURSE_PDF`` (a plain build or
``mkdocs serve``) the line is left out: the site never links a PDF it does not have.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

TOKEN = "{{ course_pdf }}"
NAME = "linreg-course.pdf"


class _State:
    def __init__(self, pdf: Path | None = None, pages: int = 0) -> None:
        self.pdf, self.pages = pdf, pages


state = _State()


def on_config(config, **kwargs):
    global state
    given = os.environ.get("COURSE_PDF")
    state = _State()
    if not given:
        return config
    pdf = (Path(config.config_file_path).resolve().parent / given).resolve()
    if not pdf.is_file():
        raise PluginError(f"COURSE_PDF names {given}, which is not a file (make pdf writes it)")
    from pypdf import PdfReader

    state = _State(pdf, len(PdfReader(str(pdf)).pages))
    return config


def link(size: int, pages: int) -> str:
    return (f'<p class="course-pdf"><a href="downloads/{NAME}" download>강의 전체 PDF 내려받기</a> '
            f"({size / 1e6:.1f} MB, {pages}쪽): 인쇄하거나 오프라인에서 읽기 좋게 차례와 쪽 번호를 붙인 책입니다.</p>")


def on_page_markdown(markdown: str, page, config, **kwargs) -> str:
    if TOKEN not in markdown:
        return markdown
    text = link(state.pdf.stat().st_size, state.pages) if state.pdf is not None else ""
    return markdown.replace(TOKEN, text)


def on_post_build(config, **kwargs) -> None:  # before atomic_site swaps the new site in
    if state.pdf is None:
        return
    target = Path(config["site_dir"]) / "downloads" / NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(state.pdf, target)
