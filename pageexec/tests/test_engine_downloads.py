"""A page's executed blocks as a notebook and a script (pageexec/downloads.py), on tiny pages."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field

import nbformat
import pytest

from pageexec import downloads as export
from pageexec.fences import scan


@dataclass
class Block:
    """Stands in for the engine's ExecutedBlock."""

    code: str
    output: str
    html: bool = False
    session: str | None = "s"
    line: int = 0
    options: dict = field(default_factory=dict)
    section: str | None = None


PAGE = """---
description: x
---

# 제목

```python
not executed
```

## 첫 절

```python exec="1" session="s"
a = 1
```

```python exec="1" result="text" session="s"
print(a)
```

```python exec="1" session="s"
print("**표**")
```

## 그림 {#figures}

```python exec="1" html="1" session="s"
print(f"<svg width='1'>{a}</svg>")
```
"""
BLOCKS = [
    Block("a = 1\n", "", line=15, options={"exec": "1", "session": "s"}, section="첫 절"),
    Block("print(a)", "1\n", line=19, options={"exec": "1", "result": "text", "session": "s"}, section="첫 절"),
    Block('print("**표**")', "**표**\n", line=23, options={"exec": "1", "session": "s"}, section="첫 절"),
    Block('print(f"<svg width=\'1\'>{a}</svg>")', "<svg width='1'>1</svg>\n", html=True, line=29,
          options={"exec": "1", "html": "1", "session": "s"}, section="그림"),
]
SOURCE = export.Source(title="제목", url="https://example.org/p/", name="p", install=("https://example.org/w.whl",),
                       install_note="demo 1.0, torch 2.13.0", language="ko")


def test_the_fence_scan_gives_each_block_its_section_outside_fenced_code():
    text = "# A\n```\n## not a heading\n```\n```py\n```\n## B {#b}\n~~~\n## no\n~~~\n### C\n```py\n```\n# New title\n```py\n```\n"
    assert [f.section for f in scan(text)] == [None, None, "B", "B", None]  # ``` , py, ~~~, py, py
    assert [f.section for f in scan(text, section_level=3)][-2] == "C"
    assert [f.section for f in scan(PAGE) if f.executes] == [b.section for b in BLOCKS]  # as BLOCKS say


def test_each_section_heading_comes_before_its_first_block():
    assert export.sections(BLOCKS) == ["첫 절", None, None, "그림"]


def test_output_kind_follows_the_fence_options_the_engine_recorded():
    assert [export.output_kind(b) for b in BLOCKS] == ["markdown", "text", "markdown", "html"]


def test_print_becomes_show_and_arguments_stay_aligned():
    code = 'x = 1\nprint(f("가",\n      2))\nprint(3)  # print('
    assert export.print_to_show(code) == 'x = 1\nshow(f("가",\n     2))\nshow(3)  # print('
    assert export.print_to_show(code, "show_markdown").split("\n")[2] == "              2))"


def test_print_with_any_arguments_becomes_show_with_the_same_arguments():
    code = 'print("x =", 1, sep="", end="")\nprint()\nprint(*[1, 2], file=None, flush=True)'
    renamed = ast.parse(code)
    for node in ast.walk(renamed):
        if isinstance(node, ast.Name) and node.id == "print":
            node.id = "show"
    assert ast.dump(ast.parse(export.print_to_show(code))) == ast.dump(renamed)


def test_figures_become_standalone_svg_documents():
    out = export.figures('<figure><svg width="1"><g/></svg></figure>\n<svg xmlns="http://www.w3.org/2000/svg" a="b"></svg>')
    assert out == ['<svg xmlns="http://www.w3.org/2000/svg" width="1"><g/></svg>',
                   '<svg xmlns="http://www.w3.org/2000/svg" a="b"></svg>']


def test_notebook_installs_the_wheel_then_has_the_blocks_with_the_page_outputs():
    nb = nbformat.reads(export.notebook_json(BLOCKS, SOURCE), as_version=4)
    nbformat.validate(nb)
    roles = [(cell.cell_type, cell.metadata["pageexec"]["role"]) for cell in nb.cells]
    assert nb.cells[0].source.startswith("# 노트북으로 실행하기: 제목")
    assert roles == [("markdown", "intro"), ("code", "install"), ("code", "helper"), ("markdown", "section"),
                     ("code", "block"), ("code", "block"), ("code", "block"), ("markdown", "section"), ("code", "block")]
    assert nb.cells[1].source == "%pip install -q https://example.org/w.whl"
    assert "[제목 페이지](https://example.org/p/)" in nb.cells[0].source
    code = [cell for cell in nb.cells if cell.metadata["pageexec"]["role"] == "block"]
    assert [cell.source for cell in code] == ["a = 1", "print(a)", 'show_markdown("**표**")',
                                              'show(f"<svg width=\'1\'>{a}</svg>")']
    assert code[0].outputs == []
    assert code[1].outputs == [{"output_type": "stream", "name": "stdout", "text": "1\n"}]  # one box per block
    assert code[2].outputs[0]["data"]["text/markdown"] == "**표**\n"
    assert code[3].outputs[0]["data"]["text/html"] == "<svg width='1'>1</svg>\n"
    assert [cell.metadata["pageexec"]["output"] for cell in code] == ["markdown", "text", "markdown", "html"]


def test_notebook_without_figures_has_no_helper():
    nb = json.loads(export.notebook_json(BLOCKS[1:2], SOURCE))
    assert "helper" not in [cell["metadata"]["pageexec"]["role"] for cell in nb["cells"]]


def test_without_requirements_nothing_is_installed_and_the_words_follow_the_language():
    source = export.Source(title="T", url="https://example.org/t/", name="t")
    nb = nbformat.reads(export.notebook_json(BLOCKS[1:2], source), as_version=4)
    assert [cell.metadata["pageexec"]["role"] for cell in nb.cells] == ["intro", "section", "block"]
    assert nb.cells[0].source.startswith("# Run it as a notebook: T") and "install" not in nb.cells[0].source
    assert nb.metadata["pageexec"] == {"execute": False}  # shown as it is if a site makes a page of it
    text = export.script(BLOCKS, source)
    assert "pip install" not in text and "figure saved: {name}" in text


def test_the_notebook_and_script_name_what_they_install():
    nb = nbformat.reads(export.notebook_json([], SOURCE), as_version=4)
    assert "demo 1.0, torch 2.13.0" in nb.cells[0].source
    assert "(demo 1.0, torch 2.13.0)" in export.script([], SOURCE)


def test_script_names_the_command_that_runs_it_even_with_a_space_in_its_name():
    source = export.Source(title="t", url="u", name="my lesson", language="ko")
    command = re.search(r"^# 그다음 (.+) 로 실행합니다\.$", export.script(BLOCKS[1:2], source), re.M).group(1)
    assert shlex.split(command) == ["python", "my lesson.py"]


def test_script_runs_and_prints_what_the_page_printed(tmp_path):
    path = tmp_path / "p.py"
    path.write_text(export.script(BLOCKS, SOURCE), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "#     pip install https://example.org/w.whl" in text and "# %% 첫 절" in text
    assert 'print("**표**")' in text  # a terminal shows Markdown as it is
    done = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "".join(export.script_output(BLOCKS, "p", "ko")) == "1\n**표**\n그림 저장: p-figure-1.svg\n"
    assert (tmp_path / "p-figure-1.svg").read_text() == '<svg xmlns="http://www.w3.org/2000/svg" width=\'1\'>1</svg>'


# A page whose blocks print with print's whole signature: several values, sep=, end=.
PRINTS_PAGE = """# 출력

```python exec="1" session="s"
x = 2
print("x =", x)
```

```python exec="1" session="s"
print("|", "v", "|", "v²", "|")
print("|", "---", "|", "---", "|", sep="")
for v in (1, x):
    print(f"| {v}", v * v, sep=" | ", end=" |\\n")
```

```python exec="1" html="1" session="s"
print("<svg width='", x, "'>", "</svg>", sep="")
print("<p>", "끝", "</p>")
```

```python exec="1" result="text" session="s"
print("x", x, sep="=")
```
"""


def page_blocks(page: str) -> list[Block]:
    """The page's executed blocks with what they print, run here as the page runs them (one namespace)."""
    lines = page.split("\n")
    starts = [n for n, line in enumerate(lines, start=1) if 'exec="1"' in line]
    scope, blocks = {}, []
    for start in starts:
        end = lines.index("```", start)
        code = "\n".join(lines[start:end])
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(code, scope)  # noqa: S102
        options = scan("\n".join(lines[start - 1:end + 1]))[0].options  # the engine's one fence grammar
        blocks.append(Block(code, buffer.getvalue(), html=options.get("html") == "1", line=start, options=options))
    return blocks


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    """A kernelspec folder whose "here" kernel runs this Python (ipykernel)."""
    folder = tmp_path_factory.mktemp("kernels")
    (folder / "here").mkdir()
    (folder / "here" / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "here", "language": "python"}))
    return folder


@pytest.mark.slow
def test_notebook_shows_each_block_output_whole_whatever_print_was_given(kernels):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    blocks = page_blocks(PRINTS_PAGE)
    assert [export.output_kind(b) for b in blocks] == ["markdown", "markdown", "html", "text"]
    nb = nbformat.reads(export.notebook_json(blocks, SOURCE), as_version=4)
    nb.cells[1].source = ""  # the install: the package is not needed here
    manager = KernelManager(kernel_name="here", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    NotebookClient(nb, km=manager, timeout=60, allow_errors=False).execute()
    ran = [cell for cell in nb.cells if cell.metadata["pageexec"]["role"] == "block"]
    assert len(ran) == len(blocks)
    for cell, block in zip(ran[:3], blocks[:3]):
        mime = "text/html" if block.html else "text/markdown"
        # one output per block, as on the page (the table stays one table); the downloads
        # proof's contract: what is displayed, plus print's last newline, is what the page printed
        assert [o.output_type for o in cell.outputs] == ["display_data"], cell.source
        assert cell.outputs[0].data[mime] + "\n" == block.output, cell.source
    assert ran[3].outputs == [{"output_type": "stream", "name": "stdout", "text": blocks[3].output}]


def test_script_prints_what_the_page_printed_whatever_print_was_given(tmp_path):
    blocks = page_blocks(PRINTS_PAGE)
    path = tmp_path / "p.py"
    path.write_text(export.script(blocks, SOURCE), encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == blocks[0].output + blocks[1].output + "그림 저장: p-figure-1.svg\n" + blocks[3].output
    assert (tmp_path / "p-figure-1.svg").read_text() == '<svg xmlns="http://www.w3.org/2000/svg" width=\'2\'></svg>'
