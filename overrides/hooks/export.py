"""A page's executed blocks as a notebook and a script (pure functions; the hook is downloads.py).

Input is the list the execution engine gives for a page: objects with ``code`` (as executed),
``output`` (what the block printed), ``html`` (the output is HTML, e.g. a figure), ``session``
and ``line`` (where the block starts in the page file), in page order. Every block of a page
runs in one namespace here, as the blocks of a page's session do on the site.

- The notebook starts with a ``%pip install`` cell for the site's wheel of the package and
  keeps the page's outputs (one output per block: a training log is one box), so it reads
  like the page before it is run. Each section heading of the page becomes a Markdown cell.
- The script (``# %%`` cells, as VS Code and Jupytext read them) names the install command in
  its opening comment; it does not install anything itself.
- A block's output is text, HTML (``html="1"``: figures) or Markdown (neither ``html`` nor
  ``result``: the page renders it, e.g. a table), as its fence in the page says. In HTML
  blocks each ``print(...)`` becomes ``show(...)``, with the same arguments: in the notebook
  ``show`` displays the HTML; in the script it writes each SVG figure to
  ``<script name>-figure-<n>.svg`` beside the script and prints that file name. In the
  notebook, Markdown blocks ``show_markdown(...)`` instead of printing, so tables look as on
  the page; the script prints them as they are. In the notebook, what one cell shows is one
  output, as on the page (a table printed line by line stays one table).
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

FIGURE_MESSAGE = "그림 저장: {name}"
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
TEXT, HTML, MARKDOWN = "text", "html", "markdown"


class Block(Protocol):
    code: str
    output: str
    html: bool
    session: str | None
    line: int | None
    options: dict  # the fence's options, as the engine recorded them


@dataclass(frozen=True)
class Source:
    """What the downloads say about where they come from."""

    title: str  # the page's title
    url: str  # the page's address on the site
    wheel_url: str  # the site's wheel of the package the page imports
    name: str  # file name of the downloads, without extension
    requires: str = "torch"  # what the package brings, as the downloads name it ("torch 2.13.0")


def headings(markdown: str) -> list[tuple[int, int, str]]:
    """``(line, level, text)`` of the ATX headings of a page file, outside fenced code (1-based lines)."""
    found, fence = [], None
    for number, line in enumerate(markdown.split("\n"), start=1):
        opening = _FENCE.match(line)
        if opening:
            marker = opening.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and line.strip() == marker:
                fence = None
            continue
        if fence is None and (match := _HEADING.match(line)):
            found.append((number, len(match.group(1)), re.sub(r"\s*\{[^}]*\}$", "", match.group(2))))
    return found


def sections(blocks: Sequence[Block], markdown: str, level: int = 2) -> list[str | None]:
    """For each block, the heading (of ``level`` or above, below the title) that starts its
    section when it is the first block of that section, else None."""
    marks = [(line, text) for line, depth, text in headings(markdown) if 1 < depth <= level]
    out, previous = [], None
    for block in blocks:
        current = None
        for line, text in marks:
            if line < (block.line or 0):
                current = (line, text)
        out.append(current[1] if current is not None and current != previous else None)
        previous = current
    return out


def output_kind(block: Block) -> str:
    """``html``, ``text`` (the page shows it as code) or ``markdown`` (the page renders it),
    from the options of the block's fence as the engine recorded them."""
    if block.html:
        return HTML
    return TEXT if block.options.get("result") else MARKDOWN
    return TEXT


def print_to_show(code: str, name: str = "show") -> str:
    """Rename every call of ``print`` in ``code`` to ``name`` (which takes print's arguments)."""
    tree = ast.parse(code)
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"]
    lines = code.split("\n")
    for call in sorted(calls, key=lambda c: (c.func.lineno, c.func.col_offset), reverse=True):
        raw = lines[call.func.lineno - 1].encode()
        start = call.func.col_offset  # a byte offset
        lines[call.func.lineno - 1] = (raw[:start] + name.encode() + raw[start + len(b"print"):]).decode()
        aligned = " " * (len(raw[:start].decode()) + len("print("))
        shift = len(name) - len("print")
        for i in range(call.func.lineno, call.end_lineno):  # arguments aligned under the old name
            if lines[i].startswith(aligned):
                lines[i] = " " * shift + lines[i] if shift > 0 else lines[i][-shift:]
    return "\n".join(lines)


def cell_code(block: Block, kind: str = TEXT, notebook: bool = False) -> str:
    """The block's code as it runs in a download (``kind`` from ``output_kind``)."""
    code = block.code.strip("\n")
    if kind == HTML:
        return print_to_show(code)
    if kind == MARKDOWN and notebook:
        return print_to_show(code, "show_markdown")
    return code


def figures(output: str) -> list[str]:
    """The SVG figures in an HTML output, each as a standalone SVG document."""
    out = []
    for svg in _SVG.findall(output):
        opening = svg[: svg.index(">") + 1]
        out.append(svg if "xmlns=" in opening else svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1))
    return out


def script_output(blocks: Sequence[Block], name: str) -> list[str]:
    """What the script prints, block by block: the page's output, or the figure file names."""
    out, count = [], 0
    for block in blocks:
        if block.html:
            lines = []
            for _ in figures(block.output):
                count += 1
                lines.append(FIGURE_MESSAGE.format(name=f"{name}-figure-{count}.svg") + "\n")
            out.append("".join(lines))
        else:
            out.append(block.output)
    return out


def _intro(source: Source, markdown: bool = False) -> str:
    page = f"[{source.title} 페이지]({source.url})" if markdown else f"{source.title} 페이지({source.url})"
    return (f"이 파일은 사이트의 {page}에서 실행한 코드 블록을 "
            "페이지에 나온 순서대로 모은 것으로, 사이트를 만들 때 자동으로 만들어집니다.")


NOTEBOOK_SHOW = '''# 페이지에서 그림(HTML)이나 표(Markdown)로 보이는 출력을 노트북에서도 그렇게 표시합니다.
# show와 show_markdown은 print와 같은 인수를 받고, 셀 하나가 출력한 것을 페이지처럼 출력 하나로 모읍니다.
import sys

from IPython import get_ipython
from IPython.display import HTML, Markdown, display

_output = {"kind": None, "text": "", "handle": None}


def _new_cell(info=None):
    _output["kind"] = None


get_ipython().events.register("pre_run_cell", _new_cell)


def _display(kind, values, sep, end, file, flush):
    if file is not None and file is not sys.stdout:  # 페이지에 나오지 않는 출력(예: sys.stderr)
        print(*values, sep=sep, end=end, file=file, flush=flush)
        return
    if _output["kind"] is not kind:  # 새 셀: 새 출력
        _output.update(kind=kind, text="", handle=None)
    _output["text"] += (" " if sep is None else sep).join(map(str, values)) + ("\\n" if end is None else end)
    shown = kind(_output["text"].removesuffix("\\n"))
    if _output["handle"] is None:
        _output["handle"] = display(shown, display_id=True)
    else:
        _output["handle"].update(shown)


def show(*values, sep=" ", end="\\n", file=None, flush=False):
    _display(HTML, values, sep, end, file, flush)


def show_markdown(*values, sep=" ", end="\\n", file=None, flush=False):
    _display(Markdown, values, sep, end, file, flush)'''

SCRIPT_SHOW = '''# 페이지에서 그림(HTML)으로 보이는 출력은 SVG 파일로 저장하고, 그 파일 이름을 출력합니다.
import re
import sys
from pathlib import Path

_figure_count = 0


def show(*values, sep=" ", end="\\n", file=None, flush=False):
    global _figure_count
    if file is not None and file is not sys.stdout:  # 페이지에 나오지 않는 출력(예: sys.stderr)
        print(*values, sep=sep, end=end, file=file, flush=flush)
        return
    html = (" " if sep is None else sep).join(map(str, values)) + ("\\n" if end is None else end)
    for svg in re.findall(r"<svg\\b.*?</svg>", html, re.S):
        if "xmlns=" not in svg[: svg.index(">")]:
            svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        _figure_count += 1
        path = Path(__file__).with_name(f"{Path(__file__).stem}-figure-{_figure_count}.svg")
        path.write_text(svg, encoding="utf-8")
        print(f"그림 저장: {path.name}")'''
assert FIGURE_MESSAGE.format(name="x") in SCRIPT_SHOW.replace("{path.name}", "x")


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def notebook(blocks: Sequence[Block], source: Source, markdown: str):
    """The page as a notebook (an nbformat 4 node, validated), with the page's outputs."""
    from nbformat import v4, validate

    cells = [
        _markdown(f"# 노트북으로 실행하기: {source.title}\n\n{_intro(source, markdown=True)} 저장된 출력도 그때 실행한 결과입니다.\n\n"
                  f"첫 셀은 이 페이지를 만든 것과 같은 `linreg` 패키지(와 그것이 쓰는 {source.requires})를 설치합니다. "
                  "Colab에서는 설치가 끝난 뒤 위에서부터 차례로 실행하세요.", "intro"),
        _code(f"%pip install -q {source.wheel_url}", [], "install"),
    ]
    kinds = [output_kind(block) for block in blocks]
    if any(kind != TEXT for kind in kinds):
        cells.append(_code(NOTEBOOK_SHOW, [], "helper"))
    for block, kind, heading in zip(blocks, kinds, sections(blocks, markdown)):
        if heading is not None:
            cells.append(_markdown(f"## {heading}"))
        if not block.output:
            outputs = []
        elif kind == TEXT:
            outputs = [v4.new_output("stream", name="stdout", text=block.output)]
        else:  # the page's output whole, in one box
            mime = "text/html" if kind == HTML else "text/markdown"
            outputs = [v4.new_output("display_data", data={mime: block.output})]
        cell = _code(cell_code(block, kind, notebook=True), outputs, "block")
        cell.metadata["linreg_output"] = kind
        cells.append(cell)
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "colab": {"provenance": []},
    })
    validate(nb)
    return nb


def _markdown(text: str, role: str = "section"):
    from nbformat import v4

    return v4.new_markdown_cell(text, metadata={"linreg": role})


def _code(code: str, outputs: list, role: str):
    from nbformat import v4

    return v4.new_code_cell(code, outputs=outputs, metadata={"linreg": role})


def notebook_json(blocks: Sequence[Block], source: Source, markdown: str) -> str:
    import nbformat

    return nbformat.writes(notebook(blocks, source, markdown)) + "\n"


def script(blocks: Sequence[Block], source: Source, markdown: str) -> str:
    """The page as a Python script in ``# %%`` cells."""
    parts = [
        f"# {source.title}\n#\n# {_intro(source)}\n"
        f"# 실행하기 전에 이 페이지를 만든 것과 같은 linreg 패키지(와 {source.requires})를 설치하세요:\n"
        f"#\n#     pip install {source.wheel_url}\n#\n# 그다음 python {shlex.quote(source.name + '.py')} 로 실행합니다.\n"
    ]
    if any(block.html for block in blocks):
        parts.append(f"# %%\n{SCRIPT_SHOW}\n")
    for block, heading in zip(blocks, sections(blocks, markdown)):
        parts.append(f"# %% {heading}\n" if heading else "# %%\n")
        parts[-1] += cell_code(block, output_kind(block)) + "\n"
    return "\n\n".join(parts)
