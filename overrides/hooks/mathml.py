"""Render math to MathML at build time: no MathJax, no CDN, nothing to load in the browser.

pymdownx.arithmatex (generic mode) leaves ``\\(...\\)`` and ``\\[...\\]`` in
``arithmatex`` elements; this hook replaces each with native MathML.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])\s*</(?P=tag)>',
    re.S,
)


def to_mathml(latex: str, display: str) -> str:
    return convert(html.unescape(latex).strip(), display=display)


def _replace(match: re.Match[str]) -> str:
    if match.group("inline") is not None:
        return f'<span class="math">{to_mathml(match.group("inline"), "inline")}</span>'
    return f'<div class="math">{to_mathml(match.group("block"), "block")}</div>'


def on_page_content(html_text: str, **kwargs) -> str:
    return _MATH.sub(_replace, html_text)
