"""Shared plumbing of the exec hooks (not a hook itself): which page and block is running.

markdown-exec runs every executed Python block through ``_run_python(code, session=...)``.
``install()`` puts ``run_block`` in its place; the hooks add layers around it
(``exec_cache`` outermost, ``exec_guard`` inside). The fences of the page being
rendered are scanned once in ``on_page_markdown`` so a block can be named by file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markdown_exec._internal.formatters import pycon as _mx_pycon
from markdown_exec._internal.formatters import python as _mx_python
from pymdownx.superfences import RE_OPTIONS

EXEC_LANGUAGES = {"python", "py", "pycon"}
FALSE = {"", "no", "off", "false", "0"}

_FENCE = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<header>[^`\n]*?)[ \t]*$")


@dataclass
class Fence:
    """One fenced block of a page's Markdown source."""

    line: int  # 1-based, in the page file (front matter counted)
    header: str
    language: str
    options: dict[str, str]
    leftover: str  # header text that is not a key="value" option
    code: str

    @property
    def executes(self) -> bool:
        return self.language in EXEC_LANGUAGES and self.options.get("exec", "0").lower() not in FALSE


@dataclass
class PageState:
    src_uri: str = ""
    fences: list[Fence] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    calls: int = 0

    @property
    def blocks(self) -> list[Fence]:
        return [f for f in self.fences if f.executes]

    def match(self, code: str) -> tuple[int, Fence | None]:
        """The executed fence running ``code``: by its text, else the next one in order."""
        self.calls += 1
        blocks = self.blocks
        for i, fence in enumerate(blocks):
            if i not in self.used and fence.code.strip() == code.strip():
                self.used.add(i)
                return i, fence
        for i, fence in enumerate(blocks):  # code changed by snippets or hidden lines
            if i not in self.used:
                self.used.add(i)
                return i, fence
        return self.calls - 1, None


page = PageState()


@dataclass
class Call:
    """One executed block: its code, markdown-exec's arguments, and where it stands in the page."""

    code: str
    kwargs: dict
    index: int  # position among the page's executed blocks
    fence: Fence | None

    def where(self) -> str:
        line = f":{self.fence.line}" if self.fence else ""
        return f"docs/{page.src_uri}{line} (executed block {self.index + 1})"


Layer = Callable[[Call, Callable[[Call], str]], str]
_layers: dict[str, tuple[int, Layer]] = {}
_original_run = _mx_python._run_python


def add_layer(order: int, layer: Layer) -> None:
    """Wrap block execution; a lower order wraps the outside of a higher one."""
    _layers[layer.__name__] = (order, layer)


def run_block(code: str, **kwargs) -> str:
    index, fence = page.match(code)
    layers = [layer for _, layer in sorted(_layers.values(), key=lambda item: item[0])]

    def step(depth: int, call: Call) -> str:
        if depth == len(layers):
            return _original_run(call.code, **call.kwargs)
        return layers[depth](call, lambda inner: step(depth + 1, inner))

    return step(0, Call(code, kwargs, index, fence))


def install() -> None:
    _mx_python._run_python = run_block
    _mx_pycon._run_python = run_block


def parse_header(header: str) -> tuple[str, dict[str, str], str]:
    """``python exec="1" session="x"`` (or ``{.python exec="1"}``) -> language, options, leftover."""
    text = header.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
        match = re.match(r"\.?([\w+-]*)\s*", text)
    else:
        match = re.match(r"([\w+-]*)\s*", text)
    language, rest = match.group(1), text[match.end():]
    options, leftover = {}, rest
    for option in RE_OPTIONS.finditer(rest):
        if option.group("value") is not None:
            options[option.group("key")] = option.group("value")
            leftover = leftover.replace(option.group(0), " ", 1)
    return language, options, leftover.strip()


def scan(markdown: str, line_offset: int = 0) -> list[Fence]:
    """Top-level fences of a page (fences inside another fence are code, not blocks)."""
    lines, fences, i = markdown.split("\n"), [], 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, marker = opening.group("indent"), opening.group("fence")
        closing = re.compile(rf"^{re.escape(indent)}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        j, body = i + 1, []
        while j < len(lines) and not closing.match(lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        language, options, leftover = parse_header(opening.group("header"))
        fences.append(Fence(i + 1 + line_offset, opening.group("header"), language, options, leftover, "\n".join(body)))
        i = j + 1
    return fences


def start_page(markdown: str, src_uri: str, abs_src_path: str | None) -> PageState:
    """Scan a page before it renders; line numbers count the front matter too."""
    offset = 0
    if abs_src_path:
        raw = Path(abs_src_path).read_text(encoding="utf-8-sig")
        at = raw.find(markdown.strip()[:200]) if markdown.strip() else -1
        offset = raw.count("\n", 0, at) - (len(markdown) - len(markdown.lstrip("\n"))) if at > 0 else 0
    page.src_uri, page.fences, page.used, page.calls = src_uri, scan(markdown, offset), set(), 0
    return page


def reset_sessions() -> None:
    """Forget every session's globals (markdown-exec keeps them for the whole process)."""
    _mx_python._sessions_globals.clear()
    _mx_python._sessions_counter.clear()
    _mx_python._code_blocks.clear()
