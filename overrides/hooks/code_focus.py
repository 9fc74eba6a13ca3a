"""Every code block can take the keyboard's focus, from the start.

A code block wider than its box scrolls sideways, and a keyboard user must be able to
focus it to scroll it (WCAG 2.1.1; axe's scrollable-region-focusable). Material gives
``pre > code`` a ``tabindex`` when it mounts the block, but with ``content.lazy`` (on for
speed, README: 웹 성능) it mounts a block only once it is in view, so a block further down
is not in the tab order until it has been seen (Chromium and Firefox focus a scroller
anyway; Safari does not). The build writes ``tabindex="0"`` itself, as Material would.
"""

from __future__ import annotations

import re

# a <code> that is the first element inside a <pre> (pygments puts an empty <span></span> before it)
_CODE = re.compile(r'(<pre\b[^>]*>(?:<span></span>)?)<code(?![^>]*\btabindex=)')


def focusable(html: str) -> str:
    return _CODE.sub(r'\1<code tabindex="0"', html)


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    return focusable(html)
