"""Render math to MathML at build time: no MathJax, no CDN, nothing to load in the browser.

- Markdown pages: pymdownx.arithmatex (generic mode) leaves ``\\(...\\)`` and ``\\[...\\]``
  in ``arithmatex`` elements; each becomes native MathML.
- Notebook pages: ``$...$`` and ``$$...$$`` in rendered Markdown cells become MathML, and
  the MathJax loader that nbconvert's template adds (with an empty URL) is removed.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

_ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])\s*</(?P=tag)>',
    re.S,
)
_NOTEBOOK_MARKDOWN = re.compile(r'(<div class="[^"]*jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.S)
_DISPLAY_DOLLARS = re.compile(r"(?:<p>)?\$\$(.+?)\$\$(?:</p>)?", re.S)
_INLINE_DOLLARS = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$")
_MATHJAX_LOADER = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


def inline(latex: str) -> str:
    return f'<span class="math">{convert(html.unescape(latex).strip(), display="inline")}</span>'


def block(latex: str) -> str:
    # tabindex: a wide formula scrolls, and keyboard users can scroll it too
    return f'<div class="math" tabindex="0">{convert(html.unescape(latex).strip(), display="block")}</div>'


def _arithmatex(match: re.Match[str]) -> str:
    if match.group("inline") is not None:
        return inline(match.group("inline"))
    return block(match.group("block"))


def _notebook_cell(match: re.Match[str]) -> str:
    body = _DISPLAY_DOLLARS.sub(lambda m: block(m.group(1)), match.group(2))
    body = _INLINE_DOLLARS.sub(lambda m: inline(m.group(1)), body)
    return match.group(1) + body + match.group(3)


def on_page_content(html_text: str, page, **kwargs) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        html_text = _MATHJAX_LOADER.sub("", html_text)
        html_text = _NOTEBOOK_MARKDOWN.sub(_notebook_cell, html_text)
    return _ARITHMATEX.sub(_arithmatex, html_text)
