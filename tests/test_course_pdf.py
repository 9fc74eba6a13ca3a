"""The course as one PDF (tools/course_pdf.py, overrides/hooks/course_pdf.py), printed from the
built site: every chapter in it, fonts embedded, contents numbered, linked from the home page."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sitebuild import LESSONS, ROOT, build, once_per_run

pytestmark = [pytest.mark.site, pytest.mark.browser]

_spec = importlib.util.spec_from_file_location("course_pdf", ROOT / "tools" / "course_pdf.py")
course_pdf = sys.modules["course_pdf"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_pdf)

MAX_PAGES, MAX_BYTES = 150, 12_000_000  # the bounds the README states


@pytest.fixture(scope="session")
def book(site, tmp_path_factory):
    """The course printed once per test run (under `pytest -n`, by the first worker that asks)."""
    if not course_pdf.Path(course_pdf.CHROMIUM).exists():
        pytest.skip("Chromium is missing")

    def make(folder: Path) -> None:
        out = folder / "course.pdf"
        # as `make pdf` runs it: its own process (Playwright's sync API cannot nest in a test's browser)
        done = subprocess.run([sys.executable, str(ROOT / "tools" / "course_pdf.py"), str(site.site), str(out)],
                              cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip() == f"course_pdf: {out} ({out.stat().st_size / 1e6:.1f} MB)"
        # each page's text, by a second reader of PDFs (PDFium, as Chrome's viewer reads it): a tenth of a second,
        # where pypdf takes seconds over a CJK book; once, for every worker
        document = pypdfium2.PdfDocument(str(out))
        pages, unmapped = [], 0
        for i in range(len(document)):
            text = document[i].get_textpage()
            pages.append(text.get_text_range())
            # characters whose glyph has no Unicode mapping (PDFium then gives the raw character code)
            unmapped += sum(pypdfium2.raw.FPDFText_HasUnicodeMapError(text.raw, c) for c in range(text.count_chars()))
        document.close()
        (folder / "pages.json").write_text(json.dumps({"pages": pages, "unmapped": unmapped}, ensure_ascii=False),
                                           encoding="utf-8")

    import pypdfium2
    import pypdfium2.raw
    from pypdf import PdfReader

    folder = once_per_run(tmp_path_factory, "book", make)
    text = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
    return Book(folder / "course.pdf", PdfReader(str(folder / "course.pdf")), text["pages"], text["unmapped"])


@dataclass
class Book:
    path: Path
    reader: object  # pypdf's PdfReader
    pages: list[str]  # each page's text (PDFium's), extracted once
    unmapped: int  # characters PDFium found no Unicode mapping for


def text_of(book: Book) -> str:
    text = "".join(book.pages)
    # every glyph maps back to a character (the PDF is searchable): no glyph without a Unicode mapping, and none
    # mapped to a control character or a "not a character" (a font whose space maps to U+0001 does that)
    assert book.unmapped == 0
    controls = re.findall(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ufffe\uffff]", text)
    assert controls == [], sorted(set(controls))
    return re.sub(r"\s+", "", text)


def heading(site, page: str) -> str:
    """The text of the page's first heading in its article (only that element is parsed: the tests ask for
    two dozen headings, and a whole lesson takes a tenth of a second to parse)."""
    html = site.page(page)
    h1 = re.search(r"<h1\b.*?</h1>", html[html.index("<article"):], re.S).group(0)
    return BeautifulSoup(h1, "html.parser").get_text(" ", strip=True).rstrip("¶")


def test_every_lesson_and_the_last_training_line_are_in_the_book(site, book):
    text = text_of(book)
    for lesson in LESSONS:
        assert re.sub(r"\s+", "", heading(site, lesson)) in text, lesson
    results = re.findall(r'class="[^"]*pageexec-result[^"]*".*?<code[^>]*>(.*?)</code>', site.page(LESSONS[5]), re.S)
    last = [line for text in results for line in unescape(text).splitlines() if line.startswith("Epoch 1000/1000")][-1]
    assert re.sub(r"\s+", "", last) in text


def test_every_font_is_embedded_and_one_is_korean(book):
    reader = book.reader
    names, missing, drawn = set(), [], 0
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":  # glyphs drawn in the PDF itself (Chromium so embeds CFF CJK fonts)
                drawn += 1
                continue
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            names.add(str(font["/BaseFont"]))
            if descriptor is None or not any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font["/BaseFont"]))
    assert names and missing == []
    # the Korean font: embedded by name, or as a Type 3 font whose glyphs the PDF holds; either way its
    # text maps back to Hangul (text_of refuses unmapped glyphs)
    assert any(re.search(r"CJK|KR|Nanum", name) for name in names) or drawn, names
    assert "경사 하강법" in "".join(book.pages)


def test_bookmarks_and_the_contents_name_the_same_pages(site, book):
    marks = course_pdf.outline(book.path)
    titles = [re.sub(r"\s+", "", title) for title, _ in marks]
    for lesson in LESSONS:  # (Chromium may repeat a heading's text in its bookmark)
        assert any(t.startswith(re.sub(r"\s+", "", heading(site, lesson))) for t in titles), lesson
    contents = book.pages[1]
    first = re.sub(r"\s+", "", heading(site, LESSONS[0]))
    line = next(l for l in contents.splitlines() if re.sub(r"\s+", "", l).startswith(first))
    page = next(p for t, p in marks if re.sub(r"\s+", "", t).startswith(first))
    assert line.split()[-1] == str(page)  # the contents' number is the page the bookmark opens
    assert re.search(r"^\s*3\s*/\s*\d+\s*$", book.pages[2], re.M)  # page numbers in the footer


def test_size_and_length_stay_within_bounds(book):
    assert 20 <= len(book.reader.pages) <= MAX_PAGES and book.path.stat().st_size <= MAX_BYTES


def test_no_site_chrome_and_answers_printed_open(site, book):
    text = text_of(book)
    assert "⤓노트북(.ipynb)" not in text and "직접실행하는방법" not in text  # the download buttons left out
    assert "연습문제" in text


def test_the_home_page_links_the_pdf_with_its_size(site, book, tmp_path, cache_dir):
    path, reader = book.path, book.reader
    result = build(tmp_path / "site", env={"EXEC_CACHE_DIR": str(cache_dir), "COURSE_PDF": str(path)})
    assert result.returncode == 0, result.log
    link = BeautifulSoup(result.page(""), "html.parser").select_one("p.course-pdf")
    assert link.a["href"] == "downloads/linreg-course.pdf"
    assert f"{path.stat().st_size / 1e6:.1f} MB, {len(reader.pages)}쪽" in link.get_text()
    assert (result.site / "downloads" / "linreg-course.pdf").read_bytes() == path.read_bytes()
    assert BeautifulSoup(site.page(""), "html.parser").select_one("p.course-pdf") is None  # no PDF, no link


def test_without_a_korean_font_one_line_names_the_package(monkeypatch):
    monkeypatch.setattr(course_pdf.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, "", ""))
    with pytest.raises(SystemExit) as stopped:
        course_pdf.check_fonts()
    assert str(stopped.value) == ("course_pdf: no Korean font is installed; install Debian's fonts-noto-cjk "
                                  "(apt-get install fonts-noto-cjk)")
