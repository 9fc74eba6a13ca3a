"""Fence scanning and option checks: pure text, milliseconds."""

from __future__ import annotations

import pytest

from pageexec.fences import parse_header, problems, pycon_code, scan


def test_scan_finds_top_level_fences_with_their_lines():
    text = 'intro\n\n```python exec="1" session="s"\nx = 1\n```\n\n````md\n```python exec="1"\ninner\n```\n````\n'
    fences = scan(text)
    assert [(f.line, f.language, f.executes) for f in fences] == [(3, "python", True), (7, "md", False)]
    assert fences[0].code == "x = 1" and fences[0].session == "s"
    assert scan(text, first_line=5)[0].line == 7  # front matter counted


def test_scan_strips_the_indent_of_a_fence_inside_a_list_or_admonition():
    fences = scan('!!! note\n\n    ```python exec="1"\n    if True:\n        print(1)\n    ```\n')
    assert fences[0].code == "if True:\n    print(1)"


def test_parse_header_reads_options_and_keeps_what_it_cannot():
    assert parse_header('python exec="1" source="above"') == ("python", {"exec": "1", "source": "above"}, "")
    assert parse_header("{.python exec='1'}") == ("python", {"exec": "1"}, "")
    assert parse_header("python exec=1")[2] == "exec=1"


@pytest.mark.parametrize("header, message", [
    ('python exec="1" sesion="x"', "unknown option 'sesion' (did you mean 'session'?)"),
    ("python exec=1", "cannot read 'exec=1'"),
    ('python exec="yes please"', 'exec="yes please" is not a yes/no value'),
    ('python exec="1" source="abve"', 'source="abve" is not one of'),
    ('python exe="1"', "unknown option 'exe' (did you mean 'exec'?)"),
    ('python exce="1"', "unknown option 'exce' (did you mean 'exec'?)"),
    ('python session="s"', 'has execution options but no exec="1"'),
    ('Python exec="1"', "language 'Python' is not executed"),
    ('python3 exec="1"', "language 'python3' is not executed"),
    ('py3 exec="1"', "language 'py3' is not executed"),
    ('PY exec="1"', "language 'PY' is not executed"),
])
def test_a_fence_that_looks_executed_but_would_not_run_is_a_problem(header, message):
    fence = scan(f"```{header}\nprint(1)\n```\n")[0]
    assert any(message in problem for problem in problems(fence)), problems(fence)


@pytest.mark.parametrize("header", ['python', 'python title="a.py"', 'python exec="1" source="above" result="text"',
                                    'bash exec="1"', 'text', 'python exec="0"', 'pycon exec="1" source="console"'])
def test_fences_that_are_fine_have_no_problems(header):
    assert problems(scan(f"```{header}\nprint(1)\n```\n")[0]) == []


def test_pycon_code_keeps_the_prompted_lines_only():
    assert pycon_code(">>> x = 1\n>>> for i in range(2):\n...     x += i\n...\n>>> x\n2") == \
        "x = 1\nfor i in range(2):\n    x += i\n\nx"
