"""overrides/hooks/code_focus.py: every code block takes the keyboard's focus before Material mounts it."""

from __future__ import annotations

import importlib.util

from sitebuild import ROOT

_spec = importlib.util.spec_from_file_location("code_focus", ROOT / "overrides" / "hooks" / "code_focus.py")
code_focus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(code_focus)


def test_a_highlighted_block_and_a_result_get_a_tabindex():
    block = '<div class="highlight"><pre><span></span><code>x = 1\n</code></pre></div>'
    result = '<div class="pageexec-result"><span class="pageexec-result__label">실행 결과</span><pre><code>1\n</code></pre></div>'
    assert code_focus.focusable(block) == block.replace("<code>", '<code tabindex="0">')
    assert code_focus.focusable(result) == result.replace("<pre><code>", '<pre><code tabindex="0">')


def test_inline_code_and_a_block_that_has_one_are_left_alone():
    inline = "<p>call <code>step()</code></p>"
    assert code_focus.focusable(inline) == inline
    done = '<pre><code tabindex="-1" class="x">y</code></pre>'
    assert code_focus.focusable(done) == done
