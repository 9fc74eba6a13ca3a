"""Figures printed inline as SVG become image files next to their page.

Blocks print ``figure_html(svg, alt, caption)``; here each ``<svg>`` of a
``figure.linreg-figure`` is written to ``<page>/figure-<hash>.svg`` and replaced by an
``<img>`` with the same alternative text, its width and height (nothing shifts while it
loads) and lazy loading. The HTML stays small, so text shows first; the browser caches
each figure; names follow content, so an unchanged figure keeps its file. A figure that
another page of the build has already written (the notebook page shows the figures of the
full-implementation page) is linked there, so the site has it once and the browser loads it once.
"""

from __future__ import annotations

import hashlib
import re
import posixpath
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

_FIGURE_SVG = re.compile(r'(<figure class="linreg-figure">)(<svg\b[^>]*>.*?</svg>)', re.S)
_ATTRIBUTE = r'\b{}="([^"]*)"'


def _size(svg_tag: str, name: str) -> int:
    value = re.search(_ATTRIBUTE.format(name), svg_tag).group(1)
    return round(float(re.match(r"[\d.]+", value).group()) * 4 / 3) if value.endswith("pt") else round(float(value))


_written: dict[str, str] = {}  # figure file name -> its path in the site, in this build


def on_pre_build(**kwargs) -> None:
    _written.clear()


@event_priority(0)  # after notebook_pages (10), which puts the notebook page's exact figures back
def on_page_content(html: str, page, config, **kwargs) -> str:
    folder = Path(config["site_dir"]) / Path(page.file.dest_uri).parent

    def extract(match: re.Match[str]) -> str:
        svg = match.group(2)
        opening = svg[: svg.index(">") + 1]
        alt = re.search(_ATTRIBUTE.format("aria-label"), opening)
        name = f"figure-{hashlib.sha256(svg.encode()).hexdigest()[:12]}.svg"
        if name not in _written:
            document = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1) if "xmlns=" not in opening else svg
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(document, encoding="utf-8")
            _written[name] = posixpath.join(posixpath.dirname(page.file.dest_uri), name)
        src = get_relative_url(_written[name], page.file.dest_uri)
        return (f'{match.group(1)}<img src="{src}" alt="{alt.group(1) if alt else ""}" '
                f'width="{_size(opening, "width")}" height="{_size(opening, "height")}" loading="lazy" decoding="async">')

    return _FIGURE_SVG.sub(extract, html)
