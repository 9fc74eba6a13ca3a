"""The whole course as one PDF, printed by Chromium from the pages of a built site.

    python tools/course_pdf.py SITE_DIR OUT.pdf

No page is executed or written a second time: the book is assembled from the built pages'
content (the ``article`` of each page in the nav's course part: the home page, the lessons
and the notebook page, in order), so every number and figure is the one the site shows.
The assembled print page gets a title page (title, author credit, commit and its date), a
table of contents with page numbers, one chapter per page with its sections, hints and
answers printed open, code wrapped instead of cut, figures as vectors (SVG) and MathML set
in a math font. Chromium (Playwright, Debian's ``/usr/bin/chromium``) prints it twice: the
first print tells on which page each chapter and section starts (read back with pypdf), the
second writes those numbers into the contents. The PDF has bookmarks per chapter and
section (``outline``), page numbers in the footer and the chapter's title in the header.

A Korean font must be installed (Chromium embeds what it uses): without one, one line says
which Debian package to install.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
KOREAN_FONT_PACKAGE = "fonts-noto-cjk"  # its PDF text maps back to Unicode (Nanum's space does not)
BOOK_SECTION = "강의"  # the nav section whose pages (after the home page) are the book's chapters
# what the site shows for the screen only: buttons, the video player, permalinks, copy buttons
DROP = [".notebook-actions", ".video-embed", ".headerlink", ".anchor-link", ".md-content__button",
        ".md-source-file", ".clipboard-copy-txt", ".zeroclipboard-container", "clipboard-copy", "form", ".md-feedback"]

PRINT_CSS = """
@page { size: A4; margin: 20mm 16mm 18mm 16mm; }
html { font-size: 10.5pt; }
.md-typeset { font-size: 10pt; line-height: 1.6; }
.md-typeset pre, .md-typeset code { font-size: 8.5pt; }
body { margin: 0; background: white; }
body, .md-typeset { font-family: "Noto Sans CJK KR", sans-serif; color: #111; }
.md-typeset code, .md-typeset pre, .md-typeset kbd { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK KR", monospace; }
math, .md-typeset math { font-family: "DejaVu Math TeX Gyre", "STIX Two Math", "Latin Modern Math", math; font-size: 1.1em; }
.md-typeset pre, .md-typeset pre > code, .jp-RenderedText pre, .highlight-ipynb pre {
  white-space: pre-wrap !important; overflow-wrap: anywhere; word-break: break-word; overflow: visible !important; }
.md-typeset .highlight, .md-typeset pre, figure, table, .admonition, details { break-inside: avoid; }
.md-typeset table:not([class]) { display: table; font-size: .9em; }
.md-typeset details > summary::after, .md-typeset details > summary::before,
.md-typeset .admonition-title::before { display: none; }
.md-typeset .admonition-title, .md-typeset summary { padding-left: .6rem !important; }
.md-typeset .tabbed-set > input, .md-typeset .tabbed-labels { display: none; }
.md-typeset .tabbed-content > .tabbed-block { display: block !important; }
img, svg { max-width: 100%; height: auto; }
.chapter { break-before: page; }
.chapter > h1:first-child, .chapter h1 { margin-top: 0; }
.title-page { height: 240mm; display: flex; flex-direction: column; justify-content: center; text-align: center; }
.title-page h1 { font-size: 2.4em; margin: 0 0 .6em; }
.title-page p { margin: .3em 0; color: #333; font-size: 12pt; }
.contents { break-before: page; }
.contents ol { list-style: none; padding: 0; }
.contents li { display: flex; gap: .4em; margin: .25em 0; }
.contents li.section { padding-left: 1.5em; font-size: .95em; color: #333; }
.contents li .fill { flex: 1; border-bottom: 1px dotted #999; margin-bottom: .3em; }
.pageexec-provenance { font-size: .85em; color: #444; }
.jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
a { color: inherit; text-decoration: none; }
"""


@dataclass
class Chapter:
    title: str
    url: str  # the page's URL in the site (relative, "" for the home page)
    heading: str = ""  # its first heading's text (its bookmark)
    body: str = ""  # its content, ids prefixed
    sections: list[tuple[str, str]] = field(default_factory=list)  # (id, text) of its level-2 headings
    anchor: str = ""


def fail(message: str) -> None:
    raise SystemExit(f"course_pdf: {message}")


def check_fonts() -> None:
    """A Korean font must be installed: Chromium embeds the fonts it uses, and without one Korean
    text would come out as boxes."""
    try:
        found = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True).stdout.strip()
    except OSError:
        found = ""
    if not found:
        fail(f"no Korean font is installed; install Debian's {KOREAN_FONT_PACKAGE} (apt-get install {KOREAN_FONT_PACKAGE})")


def book_pages(config_file: Path) -> list[tuple[str, str]]:
    """``(title, src_uri)`` of the book: the home page, then the pages of the nav's course section."""
    from mkdocs.config import load_config

    config = load_config(config_file=str(config_file))
    pages = []
    for item in config["nav"]:
        title, value = next(iter(item.items())) if isinstance(item, dict) else (None, item)
        if isinstance(value, str) and value == "index.md":
            pages.append((title, value))
        elif title == BOOK_SECTION and isinstance(value, list):
            for entry in value:
                sub_title, uri = next(iter(entry.items())) if isinstance(entry, dict) else (None, entry)
                pages.append((sub_title, uri))
    if len(pages) < 2:
        fail(f"{config_file} has no home page and no {BOOK_SECTION!r} section in its nav")
    return pages


def page_url(uri: str) -> str:
    stem = re.sub(r"\.(md|ipynb)$", "", uri)
    return "" if stem == "index" else stem.removesuffix("/index") + "/"


def load_chapter(site: Path, number: int, title: str | None, uri: str, urls: dict[str, int], address: str) -> Chapter:
    from bs4 import BeautifulSoup

    url = page_url(uri)
    path = site / url / "index.html"
    if not path.is_file():
        fail(f"{path} is missing: build the site first (mkdocs build)")
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.md-content__inner")
    if article is None:
        fail(f"{path} has no article.md-content__inner (the theme's page markup changed)")
    for selector in DROP:
        for node in article.select(selector):
            node.decompose()
    for node in article.select("details"):
        node["open"] = ""  # hints and answers printed open
    prefix = f"c{number}-"
    for node in article.find_all(id=True):
        node["id"] = prefix + node["id"]
    for node in article.find_all(["img", "source"]):
        for attribute in ("src", "srcset"):
            if node.get(attribute) and not node[attribute].startswith(("data:", "http:", "https:")):
                node[attribute] = (path.parent / node[attribute].split(" ")[0]).resolve().as_uri()
        node.attrs.pop("loading", None)  # print every figure
    base = f"https://book.invalid/{url}"
    for node in article.find_all("a", href=True):
        target = urlsplit(urljoin(base, node["href"]))
        if target.netloc != "book.invalid":
            continue
        page = target.path.removeprefix("/")
        if page in urls:  # a page of the book: its place in the book
            node["href"] = f"#c{urls[page]}-{unquote(target.fragment)}" if target.fragment else f"#chapter-{urls[page]}"
        else:  # elsewhere in the site: its address there
            node["href"] = urljoin(address, target.path.removeprefix("/") + (f"#{target.fragment}" if target.fragment else ""))
    heading = article.find("h1")
    text = heading.get_text(" ", strip=True) if heading else url
    chapter = Chapter(title or text, url, heading=text, anchor=f"chapter-{number}")
    chapter.sections = [(h["id"], h.get_text(" ", strip=True)) for h in article.find_all("h2") if h.get("id")]
    chapter.body = article.decode_contents()
    return chapter


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def assemble(site: Path, chapters: list[Chapter], site_name: str, author: str, numbers: dict[str, int] | None,
             address: str) -> str:
    stylesheets = sorted((site / "assets" / "stylesheets").glob("main.*.min.css"))
    links = [*stylesheets, site / "assets" / "css" / "extra.css"]
    head = "".join(f'<link rel="stylesheet" href="{p.resolve().as_uri()}">' for p in links if p.is_file())
    commit, date = git("rev-parse", "--short=10", "HEAD"), git("log", "-1", "--format=%cs")
    numbers = numbers or {}

    def entry(anchor: str, text: str, css: str) -> str:
        number = numbers.get(anchor, "")
        return (f'<li class="{css}"><a href="#{anchor}">{html.escape(text)}</a><span class="fill"></span>'
                f'<span class="number">{number}</span></li>')

    contents = []
    for chapter in chapters:
        contents.append(entry(chapter.anchor, chapter.title, "chapter-entry"))
        contents += [entry(anchor, text, "section") for anchor, text in chapter.sections]
    body = [f'<section class="title-page"><h1>{html.escape(site_name)}</h1>',
            f"<p>{html.escape(author)}</p>",
            f"<p>커밋 <code>{html.escape(commit or '알 수 없음')}</code> · {html.escape(date)}</p>",
            f'<p>{html.escape(address)}</p></section>',
            f'<section class="contents md-typeset"><h2 id="contents">차례</h2><ol>{"".join(contents)}</ol></section>']
    for chapter in chapters:
        body.append(f'<section class="chapter md-typeset" id="{chapter.anchor}">{chapter.body}</section>')
    return (f'<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>{html.escape(site_name)}</title>{head}'
            f"<style>{PRINT_CSS}</style></head><body>{''.join(body)}</body></html>")


@contextlib.contextmanager
def printer(title: str):
    """One Chromium for the book's prints: yields ``print_pdf(page_file, out)``, which loads the page
    afresh (fonts ready, print media) and prints it to ``out``."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        fail(f"{CHROMIUM} is missing; install Debian's chromium (apt-get install chromium)")
    footer = ('<div style="font-size:8pt;width:100%;text-align:center;color:#555">'
              '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    header = f'<div style="font-size:7.5pt;width:100%;text-align:right;padding-right:16mm;color:#777">{html.escape(title)}</div>'
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)

        def print_pdf(page_file: Path, out: Path) -> None:
            page = browser.new_page()
            try:
                page.goto(page_file.as_uri(), wait_until="load")
                page.evaluate("document.fonts.ready")
                page.emulate_media(media="print")
                page.pdf(path=str(out), format="A4", print_background=True, display_header_footer=True,
                         header_template=header, footer_template=footer, outline=True, tagged=True,
                         margin={"top": "20mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
            finally:
                page.close()

        try:
            yield print_pdf
        finally:
            browser.close()


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text)


def outline(pdf: Path) -> list[tuple[str, int]]:
    """The PDF's bookmarks in document order, flattened: (title, 1-based page)."""
    from pypdf import PdfReader

    reader, found = PdfReader(str(pdf)), []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    return found


def find_pages(pdf: Path, chapters: list[Chapter]) -> dict[str, int]:
    """The page each chapter and section starts on, from the first print's bookmarks (Chromium makes one
    per heading, in document order): each entry of the contents is the next bookmark with its heading."""
    marks = [(_normal(title), page) for title, page in outline(pdf)]
    numbers, at = {}, next((i for i, (title, _) in enumerate(marks) if title == "차례"), 0) + 1
    for chapter in chapters:
        for anchor, text in [(chapter.anchor, chapter.heading), *chapter.sections]:
            needle = _normal(text)
            for index in range(at, len(marks)):
                title = marks[index][0]
                # (Chromium may repeat a heading's text in its bookmark title: "X X")
                if title == needle or (title.startswith(needle) and title == needle * (len(title) // len(needle))):
                    numbers[anchor], at = marks[index][1], index + 1
                    break
    return numbers


def build(site: Path, out: Path, config_file: Path = ROOT / "mkdocs.yml") -> Path:
    from mkdocs.config import load_config

    check_fonts()
    config = load_config(config_file=str(config_file))
    address = (config["site_url"] or "").rstrip("/") + "/"  # where the book's links to the site go
    pages = book_pages(config_file)
    urls = {page_url(uri): number for number, (_, uri) in enumerate(pages, start=1)}
    chapters = [load_chapter(site, number, title if number > 1 else None, uri, urls, address)
                for number, (title, uri) in enumerate(pages, start=1)]
    from bs4 import BeautifulSoup

    author = BeautifulSoup(config["copyright"] or config["site_author"] or "", "html.parser").get_text()  # may hold a link
    work = Path(tempfile.mkdtemp(prefix="course-pdf-"))
    try:
        page = work / "book.html"
        page.write_text(assemble(site, chapters, config["site_name"], author, None, address), encoding="utf-8")
        first = work / "first.pdf"
        with printer(config["site_name"]) as print_pdf:
            print_pdf(page, first)
            numbers = find_pages(first, chapters)
            page.write_text(assemble(site, chapters, config["site_name"], author, numbers, address), encoding="utf-8")
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(out.name + ".tmp")
            print_pdf(page, partial)
        partial.replace(out)  # never a half-written PDF under the final name
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/course_pdf.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build)")
    parser.add_argument("out", type=Path, help="the PDF to write")
    args = parser.parse_args(argv)
    out = build(args.site, args.out)
    print(f"course_pdf: {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
