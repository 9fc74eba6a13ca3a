"""Notebook pages behave like Markdown pages: working links, readable anchors, a time limit.

nbconvert also inlines about 600 KB of Jupyter CSS into every notebook page; it moves to
one shared stylesheet that the browser caches, so the page itself stays light.

mkdocs-jupyter leaves links to ``.md`` files as they are written (404 on the site), gives
Korean headings empty ids and runs cells without a time limit. Here links are resolved
like MkDocs resolves them (a missing target is a warning, so ``--strict`` fails),
headings get the site's slugs, and a cell running past ``EXEC_TIMEOUT`` seconds
(default 120, as for executed blocks) fails the build.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
import posixpath
import re


from mkdocs.utils import get_relative_url
from pymdownx.slugs import slugify

log = logging.getLogger("mkdocs.hooks.notebook_pages")
_slug = slugify(case="lower")
_LINK = re.compile(r'href="(?P<target>[^"#:]+\.(?:md|ipynb))(?P<anchor>#[^"]*)?"')
TIMEOUT = int(float(os.environ.get("EXEC_TIMEOUT", "120")))


def on_config(config, **kwargs):
    if "mkdocs-jupyter" in config.plugins:  # the plugin has imported nbconvert2 already: no extra cost
        import mkdocs_jupyter.nbconvert2 as nbconvert2

        if not getattr(nbconvert2.get_nbconvert_app, "time_limited", False):
            make_app = nbconvert2.get_nbconvert_app

            def app_with_time_limit(*args, **kwargs):
                app = make_app(*args, **kwargs)
                app.config["ExecutePreprocessor"]["timeout"] = TIMEOUT if TIMEOUT > 0 else None
                return app

            app_with_time_limit.time_limited = True
            nbconvert2.get_nbconvert_app = app_with_time_limit
    return config

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_HEADING = re.compile(r'<h(?P<level>[1-6]) id="[^"]*">(?P<text>.*?)<a class="anchor-link" href="#[^"]*">¶</a></h(?P=level)>', re.S)


def _shared_stylesheet(html: str, page, site_dir: str) -> str:
    css = "\n".join(_STYLE.findall(html))
    if not css:
        return html
    name = f"assets/stylesheets/jupyter.{hashlib.sha256(css.encode()).hexdigest()[:8]}.css"
    target = Path(site_dir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(css, encoding="utf-8")
    link = f'<link rel="stylesheet" href="{get_relative_url(name, page.url)}">'
    return link + _STYLE.sub("", html)


def on_page_content(html: str, page, files, config, **kwargs) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    html = _shared_stylesheet(html, page, config["site_dir"])
    here = posixpath.dirname(page.file.src_uri)

    def link(match: re.Match[str]) -> str:
        path = posixpath.normpath(posixpath.join(here, match.group("target")))
        target = files.get_file_from_path(path)
        if target is None:
            log.warning("Doc file '%s' contains a link to '%s', which is not found.", page.file.src_uri, match.group("target"))
            return match.group(0)
        return f'href="{get_relative_url(target.url, page.url)}{match.group("anchor") or ""}"'

    seen: dict[str, int] = {}

    def heading(match: re.Match[str]) -> str:
        text = re.sub(r"<[^>]+>", "", match.group("text")).strip()
        slug = _slug(text, "-") or "section"
        seen[slug] = seen.get(slug, 0) + 1
        if seen[slug] > 1:
            slug = f"{slug}_{seen[slug] - 1}"
        level = match.group("level")
        return (f'<h{level} id="{slug}">{match.group("text")}'
                f'<a class="anchor-link" href="#{slug}" title="이 부분의 링크">¶</a></h{level}>')

    html = html.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')  # scrollable code
    return _HEADING.sub(heading, _LINK.sub(link, html))
