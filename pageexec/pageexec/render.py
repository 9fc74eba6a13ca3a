"""The render cache: a page whose outputs come from the cache is not converted to HTML again.

Converting a page with executed blocks is the costly part of a warm build: every block's
source is highlighted and its result converted by a nested Markdown. When nothing the
rendering depends on has changed, the page's rendering is restored instead:

- its HTML (``page.content``), table of contents (``page.toc``) and the title of its first heading;
- the anchors it holds and the anchors it links to in other pages (``present_anchor_ids``,
  ``links_to_anchors``), so MkDocs still validates every link against every page;
- the record of its executed blocks (``PageExecPlugin.executed``), so hooks see the same.

The key is the digest of everything the rendering reads: the page's Markdown after
snippets (so an included file's edit renders it again), its executed outputs, the build's
fingerprint (installed versions, ``depends_on``), the whole file (front matter included), the
configuration, the hook files, the engine's code, and the site's file list (relative links
resolve against it). A rendering that logged a warning is never stored, so a strict build
fails on it every time.

The page's ``render`` is replaced on the page object, which is how mkdocs-jupyter renders
notebooks; ``compat`` lists it with the MkDocs versions it was verified with.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from mkdocs.structure.toc import AnchorLink, get_toc
from mkdocs.utils import CountHandler

from pageexec import compat
from pageexec.cache import Cache, digest
from pageexec.engine import ExecutedBlock

KIND = "render"
VERSION = 2  # 2: executed blocks carry their fence options


def toc_tokens(items: list[AnchorLink]) -> list[dict]:
    """A table of contents as the tokens ``mkdocs.structure.toc.get_toc`` reads."""
    return [{"level": item.level, "id": item.id, "name": item.title, "children": toc_tokens(item.children)}
            for item in items]


def snapshot(page, records: list[ExecutedBlock]) -> dict:
    """What ``page.render`` produced, as JSON."""
    links = page.links_to_anchors
    return {
        "content": page.content,
        "toc": toc_tokens(list(page.toc)),
        "title": compat.rendered_title(page),
        "anchors": sorted(page.present_anchor_ids or ()),
        "links": None if links is None else {file.src_uri: dict(found) for file, found in links.items()},
        "records": [asdict(record) for record in records],
    }


def restore(page, payload: dict, files) -> list[ExecutedBlock] | None:
    """Set the page as ``render`` would have; the executed blocks' records, or None if unusable."""
    try:
        links = payload["links"]
        if not isinstance(links, dict):
            return None  # stored without the links to check (never stored so; an old or edited entry)
        linked = {files.get_file_from_path(uri): found for uri, found in links.items()}
        if None in linked:
            return None  # a linked page is gone: render again, so MkDocs reports the link
        records = [ExecutedBlock(**record) for record in payload["records"]]
        if logging.getLogger("mkdocs").getEffectiveLevel() > logging.DEBUG:  # as render() does
            page.links_to_anchors = linked
        page.content = payload["content"]
        page.toc = get_toc(payload["toc"])
        compat.set_rendered_title(page, payload["title"])
        page.present_anchor_ids = set(payload["anchors"])
    except (KeyError, TypeError, AttributeError):
        return None
    return records


class RenderCache:
    """Page renderings of one build, stored in the build's cache under the kind ``render``."""

    def __init__(self, cache: Cache, context: str) -> None:
        self.cache, self.context = cache, context
        self.site = ""  # digest of the configuration and the file list, set when the files are known
        self.restored: list[str] = []  # src_uri of pages rendered from the cache

    def material(self, page, source: str, expanded: str, outputs: list[str]) -> dict:
        return {"version": VERSION, "page": page.file.src_uri, "url": page.url, "context": self.context,
                "site": self.site, "source": digest(source), "expanded": digest(expanded), "outputs": digest(outputs)}

    def render(self, page, config, files, render, *, source: str, expanded: str, outputs: list[str] | None,
               replay, result) -> None:
        """The page's rendering from the cache, or ``render(config, files)`` and store it.

        ``source`` is the page's file as read (front matter included: titles and line numbers
        come from it) and ``expanded`` its Markdown after snippets. ``outputs`` are the page's
        executed outputs when they came from the cache (None: they are being computed, so
        nothing stored can match). ``replay(records)`` takes the executed blocks' records of a
        restored rendering; after a fresh render ``result()`` gives ``(records, outputs)``, or
        None when the page failed or is incomplete.
        """
        if outputs is not None:
            stored = self.cache.load(KIND, self.material(page, source, expanded, outputs))
            restored = restore(page, stored, files) if isinstance(stored, dict) else None
            if restored is not None:
                replay(restored)
                self.restored.append(page.file.src_uri)
                return
        warned = render_warned(render, config, files)
        done = result()
        # a verbose build (-v) does not collect the links to anchors: a later build could not check them
        if not warned and done is not None and page.links_to_anchors is not None:
            records, outputs = done
            self.cache.save(KIND, self.material(page, source, expanded, outputs), snapshot(page, records))


_MISSING = object()


def render_warned(render, config, files) -> bool:
    """Call ``render(config, files)``; whether any logger warned meanwhile (such a rendering is never stored)."""
    warnings = CountHandler(level=logging.WARNING)
    loggers = [logging.getLogger("mkdocs"), logging.getLogger()]  # MkDocs' own (not propagated), and the rest
    for logger in loggers:
        logger.addHandler(warnings)
    try:
        render(config, files)
    finally:
        for logger in loggers:
            logger.removeHandler(warnings)
    return bool(warnings.get_counts())


def render_notebook(page, config, files, render, *, cache: Cache, material: dict) -> bool:
    """A notebook page's rendering (mkdocs-jupyter's nbconvert run) from the cache, or render and store it.

    mkdocs-jupyter's ``render`` sets the page's content, table of contents and, unless
    ``ignore_h1_titles``, its title (``compat`` lists this); ``material`` must cover what
    that reads: the notebook's text, mkdocs-jupyter's options and versions, the site.
    Returns whether the rendering came from the cache.
    """
    stored = cache.load(KIND, material)
    if isinstance(stored, dict):
        try:
            content, toc = stored["content"], get_toc(stored["toc"])
        except (KeyError, TypeError, AttributeError):
            content = None
        if isinstance(content, str):
            page.content, page.toc = content, toc
            if isinstance(stored.get("title"), str):
                page.title = stored["title"]
            return True
    before = page.__dict__.get("title", _MISSING)
    warned = render_warned(render, config, files)
    after = page.__dict__.get("title", _MISSING)
    if not warned and isinstance(page.content, str):
        cache.save(KIND, material, {"content": page.content, "toc": toc_tokens(list(page.toc)),
                                    "title": after if after is not before and isinstance(after, str) else None})
    return False


def _file_digest(path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return digest(handle.read().decode("utf-8", "replace"))
    except (OSError, TypeError):
        return None


# the engine's own code, as this process runs it (read once: `mkdocs serve` keeps the modules it imported)
CODE = digest([_file_digest(path) for path in sorted(Path(__file__).parent.glob("*.py"))])


def _name(value):
    """A stable stand-in for a value JSON cannot hold (a function, a slugify partial, a sub-config)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, functools.partial):
        return f"partial({_name(value.func)}, {value.args!r}, {sorted(value.keywords.items())!r})"
    qualname = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"{getattr(value, '__module__', None) or type(value).__module__}.{qualname}"


def site_digest(config, files) -> str:
    """What every page's rendering reads besides its own text: settings, hooks, engine and the file list."""
    hooks = [getattr(module, "__file__", None) for module in (config.hooks or {}).values()]
    texts = [_file_digest(path) for path in [config.config_file_path, *hooks]]
    settings = json.dumps([[e if isinstance(e, str) else _name(e) for e in config.markdown_extensions],
                           config.mdx_configs, dict(config.validation), config.use_directory_urls],
                          default=_name, sort_keys=True, ensure_ascii=False)
    listing = sorted([f.src_uri, f.dest_uri, f.url] for f in files)
    return digest([texts, CODE, settings, listing])
