"""Notebook pages behave like Markdown pages: working links, readable anchors, a time limit.

nbconvert also inlines about 600 KB of Jupyter CSS into every notebook page, all of it
render-blocking. It moves to a stylesheet file, pruned to what the page can use: rules whose
selectors name a class the page does not have (the notebooks are static HTML: no script adds
Jupyter classes later; the two Material adds around tables count as present), selectors that
can never match (``.jupyter-wrapper :root``) and custom properties that no kept rule reads. About 20 KB remain; pages with the same classes share the
file. Pruning takes about half a second, so its result is kept in the engine's cache
(kind ``css``: atomic, checked on read, bound to its key, pruned when unused).

nbconvert re-parses its HTML as HTML, which lowercases SVG names (``viewBox``, ``clipPath``):
figures (``figure.linreg-figure``) get their exact SVG back from the notebook's outputs, so
they draw as on the lesson pages and are the same files.

mkdocs-jupyter leaves links to ``.md`` files as they are written (404 on the site) and gives
Korean headings empty ids. Here links are resolved like MkDocs resolves them (a missing
target is a warning, so ``--strict`` fails) and headings get the site's slugs. Cell outputs
are kept out of the search index, as executed blocks' results are. (Cells are executed by
the pageexec plugin, with its time limit and cache.)
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import logging
from pathlib import Path
import posixpath
import re


from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url
from pymdownx.slugs import slugify

log = logging.getLogger("mkdocs.hooks.notebook_pages")
_slug = slugify(case="lower")
_LINK = re.compile(r'href="(?P<target>[^"#:]+\.(?:md|ipynb))(?P<anchor>#[^"]*)?"')


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_HEADING = re.compile(r'<h(?P<level>[1-6]) id="[^"]*">(?P<text>.*?)<a class="anchor-link" href="#[^"]*">¶</a></h(?P=level)>', re.S)


_CLASSES = re.compile(r'class="([^"]*)"')
_OUTPUT = re.compile(r'(<div class="[^"]*\bjp-OutputArea-output\b[^"]*")')
_SVG = re.compile(r"(<svg\b.*?</svg>)", re.S)
_VAR = re.compile(r"var\(\s*(--[\w-]+)")
_GROUPS = {"media", "supports", "layer", "container"}  # at-rules that hold rules: pruned inside


def _selectors(prelude):
    part = []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            yield part
            part = []
        else:
            part.append(token)
    yield part


def _can_match(selector, classes: set[str]) -> bool:
    tokens = [token for token in selector if token.type != "comment"]
    while tokens and tokens[0].type == "whitespace":
        tokens.pop(0)
    for i, (a, b) in enumerate(zip(tokens, tokens[1:])):
        if a.type == "literal" and a.value == "." and b.type == "ident" and b.value not in classes:
            return False  # a class (outside :not() and friends) that the page does not have
        if a.type == "literal" and a.value == ":" and b.type == "ident" and b.lower_value == "root" and i > 0:
            return False  # ":root" below another element matches nothing
    return True


def _rules(rules, classes: set[str]) -> list:
    """[(selectors, [(property, value)]) | ("@media …", [...]) | (None, "@other-rule …")]"""
    import tinycss2

    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            kept = [tinycss2.serialize(s).strip() for s in _selectors(rule.prelude) if _can_match(s, classes)]
            if kept:
                body = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
                out.append((",".join(kept), [
                    (d.name, tinycss2.serialize(d.value).strip() + (" !important" if d.important else ""))
                    for d in body if d.type == "declaration"]))
        elif rule.type == "at-rule" and rule.lower_at_keyword in _GROUPS and rule.content is not None:
            inner = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            out.append((f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}", _rules(inner, classes)))
        elif rule.type == "at-rule":  # @font-face, @keyframes, @import…: kept whole
            out.append((None, tinycss2.serialize([rule]).strip()))
    return out


def _declarations(rules):
    for head, body in rules:
        if head is not None:
            yield from (_declarations(body) if head.startswith("@") else body)


def _write(rules, live: set[str]) -> str:
    out = []
    for head, body in rules:
        if head is None:
            out.append(body)
        elif head.startswith("@"):
            inner = _write(body, live)
            if inner:
                out.append(f"{head}{{{inner}}}")
        else:
            kept = ";".join(f"{name}:{value}" for name, value in body if not name.startswith("--") or name in live)
            if kept:
                out.append(f"{head}{{{kept}}}")
    return "\n".join(out)


def prune_css(css: str, classes: set[str]) -> str:
    """The rules of ``css`` that can apply to a page whose elements carry ``classes``."""
    import tinycss2

    rules = _rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), classes)
    definitions: dict[str, list[str]] = {}
    live: set[str] = set()
    for name, value in _declarations(rules):
        if name.startswith("--"):
            definitions.setdefault(name, []).append(value)
        else:
            live.update(_VAR.findall(value))
    todo = list(live)
    while todo:  # custom properties read by the definitions of live ones are live too
        for value in definitions.get(todo.pop(), []):
            for name in _VAR.findall(value):
                if name not in live:
                    live.add(name)
                    todo.append(name)
    return _write(rules, live)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _pruned(css: str, classes: set[str], config) -> str:
    """``prune_css``, remembered in the engine's cache when the engine is in use."""
    engine = config.plugins.get("pageexec")
    material = {"hook": _digest(Path(__file__).read_text(encoding="utf-8")), "css": _digest(css),
                "classes": sorted(classes)}
    cache = engine.cache("css") if engine is not None else None
    text = cache.load("css", material) if cache is not None else None
    if not isinstance(text, str):
        text = prune_css(css, classes)
        if cache is not None:
            cache.save("css", material, text)
    return text


def _shared_stylesheet(html: str, page, config) -> str:
    parts = _SVG.split(html)  # odd parts are figures: their own <style> stays inside them
    css = "\n".join(style for part in parts[::2] for style in _STYLE.findall(part))
    if not css:
        return html
    html = "".join(part if i % 2 else _STYLE.sub("", part) for i, part in enumerate(parts))
    classes = {name for value in _CLASSES.findall(html) for name in value.split()}
    if "<table" in html:  # Material's script wraps every table in these when the page loads
        classes |= {"md-typeset__scrollwrap", "md-typeset__table"}
    css = _pruned(css, classes, config)
    name = f"assets/stylesheets/jupyter.{_digest(css)[:8]}.css"
    target = Path(config["site_dir"]) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(css, encoding="utf-8")
    link = f'<link rel="stylesheet" href="{get_relative_url(name, page.url)}">'
    return link + html


_FIGURE = re.compile(r'<figure class="linreg-figure">.*?</figure>', re.S)
_LABEL = re.compile(r'aria-label="([^"]*)"')


def _label(figure: str) -> str | None:
    found = _LABEL.search(figure)
    return html_lib.unescape(found.group(1)) if found else None


def exact_figures(html: str, notebook: dict) -> str:
    """Put back each figure as the notebook's output has it, matched by its alternative text."""
    originals = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html", "")
            for figure in _FIGURE.findall("".join(text) if isinstance(text, list) else text):
                originals[_label(figure)] = figure
    return _FIGURE.sub(lambda m: originals.get(_label(m.group(0)), m.group(0)), html)


@event_priority(10)  # before figure_files (0): the notebook's exact figures are put back first, then made files
def on_page_content(html: str, page, files, config, **kwargs) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    html = exact_figures(html, json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8")))
    html = _shared_stylesheet(html, page, config)
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
    html = _OUTPUT.sub(r"\1 data-search-exclude", html)  # printed output: not for the search index
    return _HEADING.sub(heading, _LINK.sub(link, html))
