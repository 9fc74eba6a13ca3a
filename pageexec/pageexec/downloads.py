"""A page's executed blocks as a notebook and a script (pure functions; the plugin writes them).

Input is the record the engine keeps of a page (``ExecutedBlock``: ``code`` as executed,
``output`` as printed, ``html``, ``session``, ``line``, the fence's ``options`` and the
``section`` heading it is in), in page order. Every block of a page runs in one namespace
here, as the blocks of a page's session do on the site.

- The notebook (nbformat 4, made with ``nbformat.v4`` and validated) starts with an install
  cell when the site names requirements (``downloads.install``, or ``add_install`` from a
  hook), and keeps the page's outputs (one output per block: a training log is one box), so
  it reads like the page before it is run. Each section heading of the page becomes a
  Markdown cell.
- The script uses the percent-cell format (``# %%``) that Jupytext, VS Code and PyCharm open
  as cells; it names the install command in its opening comment and installs nothing itself.
- A block's output is text, HTML (``html="1"``: figures) or Markdown (neither ``html`` nor
  ``result``: the page renders it, e.g. a table), as its fence says. In HTML blocks each
  ``print(...)`` becomes ``show(...)`` with the same arguments: in the notebook ``show``
  displays the HTML; in the script it writes each SVG figure to ``<script>-figure-<n>.svg``
  beside the script and prints that file name. In the notebook, Markdown blocks
  ``show_markdown(...)`` instead of printing, so tables look as on the page; the script
  prints them as they are. What one cell shows is one output, as on the page.

The words around the code come in English or Korean (``downloads.language``).
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

TEXT, HTML, MARKDOWN = "text", "html", "markdown"
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


class Block(Protocol):
    code: str
    output: str
    html: bool
    session: str | None
    line: int | None
    options: dict  # the fence's options, as the engine recorded them
    section: str | None  # the heading of the section the block is in


@dataclass(frozen=True)
class Source:
    """What the downloads say about where they come from and what they need."""

    title: str  # the page's title
    url: str  # the page's address on the site
    name: str  # file name of the downloads, without extension
    install: tuple[str, ...] = ()  # pip requirements installed first (a wheel's address, "numpy==2.1"...)
    install_note: str = ""  # the same in words, for the reader ("linreg 0.1.0, torch 2.13.0")
    language: str = "en"


MESSAGES = {
    "en": {
        "title": "Run it as a notebook: {title}",
        "intro": "This file holds the code blocks the site ran on {page}, in page order; the site's "
                 "build writes it.",
        "outputs": "The stored outputs are the ones that build printed.",
        "install": "The first cell installs what produced this page's outputs: {note}. "
                   "In Colab, run the cells from the top once it is done.",
        "script_install": "Before running it, install what produced this page's outputs ({note}):",
        "script_run": "Then run it with {command}.",
        "figure": "figure saved: {name}",
        "page": "the page {title}",
        "download": "Download", "notebook": "notebook", "script": "script", "colab": "Open in Colab",
        "result": "Output",
        "made_with": "What produced this page's outputs", "commit": "commit", "modified": " with uncommitted changes",
    },
    "ko": {
        "title": "노트북으로 실행하기: {title}",
        "intro": "이 파일은 사이트의 {page}에서 실행한 코드 블록을 페이지에 나온 순서대로 모은 것으로, "
                 "사이트를 만들 때 자동으로 만들어집니다.",
        "outputs": "저장된 출력도 그때 실행한 결과입니다.",
        "install": "첫 셀은 이 페이지의 출력을 만든 것과 같은 패키지를 설치합니다: {note}. "
                   "Colab에서는 설치가 끝난 뒤 위에서부터 차례로 실행하세요.",
        "script_install": "실행하기 전에 이 페이지의 출력을 만든 것과 같은 패키지({note})를 설치하세요:",
        "script_run": "그다음 {command} 로 실행합니다.",
        "figure": "그림 저장: {name}",
        "page": "{title} 페이지",
        "download": "내려받기", "notebook": "노트북", "script": "스크립트", "colab": "Colab에서 열기",
        "result": "실행 결과",
        "made_with": "이 페이지의 결과를 만든 환경", "commit": "커밋", "modified": "에 수정을 더한 코드",
    },
}
LANGUAGES = tuple(MESSAGES)


def sections(blocks: Sequence[Block]) -> list[str | None]:
    """For each block, the heading of its section when it is the first block of that section, else None."""
    out, previous = [], None
    for block in blocks:
        out.append(block.section if block.section is not None and block.section != previous else None)
        previous = block.section
    return out


def output_kind(block: Block) -> str:
    """``html``, ``text`` (the page shows it as code) or ``markdown`` (the page renders it),
    from the options of the block's fence as the engine recorded them."""
    if block.html:
        return HTML
    return TEXT if block.options.get("result") else MARKDOWN


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


def script_output(blocks: Sequence[Block], name: str, language: str = "en") -> list[str]:
    """What the script prints, block by block: the page's output, or the figure file names."""
    out, count = [], 0
    for block in blocks:
        if block.html:
            lines = []
            for _ in figures(block.output):
                count += 1
                lines.append(MESSAGES[language]["figure"].format(name=f"{name}-figure-{count}.svg") + "\n")
            out.append("".join(lines))
        else:
            out.append(block.output)
    return out


def _intro(source: Source, markdown: bool = False) -> str:
    words = MESSAGES[source.language]
    title = words["page"].format(title=source.title)
    page = f"[{title}]({source.url})" if markdown else f"{title} ({source.url})"
    return words["intro"].format(page=page)


NOTEBOOK_SHOW = '''# Outputs the page shows as a figure (HTML) or a table (Markdown) are displayed the same way here.
# show and show_markdown take print's arguments; what one cell shows is one output, as on the page.
import sys

from IPython import get_ipython
from IPython.display import HTML, Markdown, display

_output = {"kind": None, "text": "", "handle": None}


def _new_cell(info=None):
    _output["kind"] = None


get_ipython().events.register("pre_run_cell", _new_cell)


def _display(kind, values, sep, end, file, flush):
    if file is not None and file is not sys.stdout:  # not shown on the page (sys.stderr, say)
        print(*values, sep=sep, end=end, file=file, flush=flush)
        return
    if _output["kind"] is not kind:  # a new cell: a new output
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

SCRIPT_SHOW = '''# Outputs the page shows as a figure (HTML) are saved as SVG files; their names are printed.
import re
import sys
from pathlib import Path

_figure_count = 0
_FIGURE_SAVED = @MESSAGE@


def show(*values, sep=" ", end="\\n", file=None, flush=False):
    global _figure_count
    if file is not None and file is not sys.stdout:  # not shown on the page (sys.stderr, say)
        print(*values, sep=sep, end=end, file=file, flush=flush)
        return
    html = (" " if sep is None else sep).join(map(str, values)) + ("\\n" if end is None else end)
    for svg in re.findall(r"<svg\\b.*?</svg>", html, re.S):
        if "xmlns=" not in svg[: svg.index(">")]:
            svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        _figure_count += 1
        path = Path(__file__).with_name(f"{Path(__file__).stem}-figure-{_figure_count}.svg")
        path.write_text(svg, encoding="utf-8")
        print(_FIGURE_SAVED.format(name=path.name))'''


def notebook(blocks: Sequence[Block], source: Source):
    """The page as a notebook (an nbformat 4 node, validated), with the page's outputs."""
    from nbformat import v4, validate

    words = MESSAGES[source.language]
    text = f"# {words['title'].format(title=source.title)}\n\n{_intro(source, markdown=True)} {words['outputs']}"
    if source.install:
        text += "\n\n" + words["install"].format(note=source.install_note or ", ".join(source.install))
    cells = [_markdown(text, "intro")]
    if source.install:
        cells.append(_code(f"%pip install -q {' '.join(shlex.quote(r) for r in source.install)}", [], "install"))
    kinds = [output_kind(block) for block in blocks]
    if any(kind != TEXT for kind in kinds):
        cells.append(_code(NOTEBOOK_SHOW, [], "helper"))
    for block, kind, heading in zip(blocks, kinds, sections(blocks)):
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
        cell.metadata["pageexec"]["output"] = kind
        cells.append(cell)
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        # shown as it is, never executed again by pageexec (its outputs are the page's)
        "pageexec": {"execute": False},
    })
    validate(nb)
    return nb


def _markdown(text: str, role: str = "section"):
    from nbformat import v4

    return v4.new_markdown_cell(text, metadata={"pageexec": {"role": role}})


def _code(code: str, outputs: list, role: str):
    from nbformat import v4

    return v4.new_code_cell(code, outputs=outputs, metadata={"pageexec": {"role": role}})


def notebook_json(blocks: Sequence[Block], source: Source) -> str:
    import nbformat

    return nbformat.writes(notebook(blocks, source)) + "\n"


def script(blocks: Sequence[Block], source: Source) -> str:
    """The page as a Python script in ``# %%`` cells."""
    words = MESSAGES[source.language]
    head = f"# {source.title}\n#\n# {_intro(source)}\n"
    if source.install:
        head += (f"# {words['script_install'].format(note=source.install_note or ', '.join(source.install))}\n"
                 f"#\n#     pip install {' '.join(shlex.quote(r) for r in source.install)}\n#\n")
    head += f"# {words['script_run'].format(command='python ' + shlex.quote(source.name + '.py'))}\n"
    parts = [head]
    if any(block.html for block in blocks):
        parts.append(f"# %%\n{SCRIPT_SHOW.replace('@MESSAGE@', repr(words['figure']))}\n")
    for block, heading in zip(blocks, sections(blocks)):
        parts.append(f"# %% {heading}\n" if heading else "# %%\n")
        parts[-1] += cell_code(block, output_kind(block)) + "\n"
    return "\n\n".join(parts)
