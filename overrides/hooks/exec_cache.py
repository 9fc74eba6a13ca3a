"""Cache executed pages on disk, keyed on everything their output depends on.

A page's executed blocks are cached together (sessions belong to one page, so a page's
outputs depend only on its own blocks). One entry per page, ``.cache/exec/<key>.json``,
keeps two things:

- the outputs of its executed blocks. The key covers the header (options) and code of each
  block, in order, and the build fingerprint: every file under the ``watch:`` folders (the
  ``linreg`` package, the reference data), ``constraints.txt``, the Python version and
  every installed distribution's version;
- the page rendered to HTML (content, table of contents, anchors, links, and the messages
  its rendering logged, which are logged again), with a digest of the exact Markdown it
  was rendered from and of the build context (the config file, the markdown extensions'
  settings, the hooks' source, the site's file list). When the prose changed, the page is
  converted again with the cached outputs; when nothing changed, not even that.

The files that snippets include (``--8<-- "linreg/cost.py:mse"``) are recorded with their
hashes while the page renders; an entry whose recorded files changed is stale.

So a build where nothing changed runs no code at all (and does not import torch), and an
edit re-runs exactly the pages it can affect. Notebook pages follow the same rule:
mkdocs-jupyter's own cache (which keys on the notebook's bytes only) is kept in a folder
named after the fingerprint.

``EXEC_CACHE=refresh`` re-runs everything and rewrites the cache; ``EXEC_CACHE=off``
neither reads nor writes it. The cache lives in ``.cache/`` (``EXEC_CACHE_DIR``) and can be
deleted at any time. A corrupt or half-written entry is detected by its checksum and the
page runs again. ``EXEC_REPORT=path`` writes which pages ran and which came from the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import exec_runtime as rt
from mkdocs.structure import pages as _pages
from pymdownx.snippets import SnippetPreprocessor

log = logging.getLogger("mkdocs.hooks.exec_cache")
MODE = os.environ.get("EXEC_CACHE", "on")
VERSION = 2


class _State:
    root: Path = Path(".")
    folder: Path = Path(".cache/exec")
    fingerprint = ""
    enabled = True  # markdown-exec is on (the benchmark's floor builds without it)
    context = ""  # digest of what rendering depends on besides the page's Markdown
    page = None  # the page being built, while it has executed blocks
    key: str | None = None
    entry: dict | None = None  # the stored entry of that page, when valid
    outputs: dict[str, str] = {}  # outputs of the blocks that ran
    rendered: dict | None = None  # the page's fresh rendering, to store
    reads: set[str] | None = None  # files read by snippets while the page renders
    used: set[str] = set()
    started = 0.0
    report: dict = {}


state = _State()


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def fingerprint(root: Path, folders: list[Path]) -> str:
    """A digest of everything outside the page that executed code depends on."""
    digest = hashlib.sha256(f"v{VERSION}|{sys.version}|{sys.platform}".encode())
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(folder.parent)).encode() + b"\0" + path.read_bytes())
    constraints = root / "constraints.txt"
    if constraints.exists():
        digest.update(constraints.read_bytes())
    for name, version in sorted({(d.metadata["Name"] or "").lower(): d.version for d in metadata.distributions()}.items()):
        digest.update(f"{name}=={version};".encode())
    return digest.hexdigest()


def _settings(config) -> str:
    """The config file, the markdown settings as configured, and the source of every hook."""
    def name(value) -> str:  # functions and objects by name, never by address
        return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))

    digest = hashlib.sha256(Path(config.config_file_path).read_bytes())
    digest.update(json.dumps([config["markdown_extensions"], config["mdx_configs"], config["use_directory_urls"],
                              config["site_url"], name(config["validation"])], default=name, sort_keys=True).encode())
    for folder in sorted({Path(hook).resolve().parent for hook in config["hooks"]}):
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def on_config(config, **kwargs):
    state.root = Path(config.config_file_path).resolve().parent
    cache_root = Path(os.environ.get("EXEC_CACHE_DIR", state.root / ".cache"))
    state.folder = cache_root / "exec"
    theme_dir = Path(config.theme.custom_dir).resolve() if config.theme.custom_dir else None
    folders = [Path(f).resolve() for f in config["watch"] if Path(f).resolve() != theme_dir]
    state.fingerprint = fingerprint(state.root, folders)
    state.context = _settings(config)
    state.enabled = "markdown-exec" in config.plugins
    notebooks = config.plugins.get("mkdocs-jupyter")
    if notebooks is not None:  # its cache keys on the notebook's bytes: add the fingerprint
        folder = cache_root / "notebooks" / state.fingerprint[:16]
        if MODE == "refresh":
            shutil.rmtree(folder, ignore_errors=True)
        notebooks.config["cache"] = MODE != "off"
        notebooks.config["cache_dir"] = str(folder)
    return config


def on_pre_build(config, **kwargs) -> None:
    state.used, state.report = set(), {"executed": [], "cached": [], "seconds": {}}


def on_files(files, config, **kwargs):
    # links render by what the site contains: the file list is part of a rendering's context
    listing = sorted((f.src_uri, f.dest_uri, f.url) for f in files)
    state.context = _digest(_settings(config), listing)
    return files


# -- the entry -----------------------------------------------------------------------------

def _file_hash(name: str) -> str | None:
    path = state.root / name
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _checksum(entry: dict) -> str:
    return _digest(*(entry.get(part) for part in ("version", "outputs", "reads", "render")))


def _load(key: str, expected: int) -> dict | None:
    path = state.folder / f"{key}.json"
    if not path.exists():
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry["version"] != VERSION or entry["checksum"] != _checksum(entry):
            raise ValueError("checksum mismatch")
        if sorted(entry["outputs"]) != sorted(str(i) for i in range(expected)):
            raise ValueError("blocks missing")
        changed = [name for name, digest in entry["reads"].items() if _file_hash(name) != digest]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        log.info("exec cache: entry %s is unreadable (%s); running its page again", path.name, error)
        path.unlink(missing_ok=True)
        return None
    if changed:
        log.debug("exec cache: %s changed; running %s again", ", ".join(changed), state.page.file.src_uri)
        return None
    return entry


def _save(key: str, entry: dict) -> None:
    entry = {**entry, "version": VERSION}
    entry["checksum"] = _checksum(entry)
    state.folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=state.folder, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(entry, handle, ensure_ascii=False)
    os.replace(tmp, state.folder / f"{key}.json")  # atomic: never a half-written entry


# -- executing -----------------------------------------------------------------------------

def on_page_markdown(markdown: str, page, **kwargs) -> str:
    # exec_guard's on_page_markdown (listed before this hook) has scanned the page
    state.page, state.key, state.entry, state.rendered = None, None, None, None
    state.outputs, state.started = {}, time.perf_counter()
    if not state.enabled or not rt.page.blocks:
        return markdown
    state.page = page
    if MODE == "off":
        return markdown
    blocks = [[fence.header, fence.code] for fence in rt.page.blocks]
    state.key = _digest(page.file.src_uri, state.fingerprint, blocks)
    state.used.add(f"{state.key}.json")
    if MODE == "on":
        state.entry = _load(state.key, len(rt.page.blocks))
    return markdown


def cache(call: rt.Call, run) -> str:
    index = str(call.index)
    if state.entry is not None and index in state.entry["outputs"]:
        return state.entry["outputs"][index]
    output = run(call)
    state.outputs[index] = output
    return output


rt.install()
rt.add_layer(0, cache)


# -- rendering -----------------------------------------------------------------------------

class _Messages(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[list] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append([record.name, record.levelno, record.getMessage()])


_original_render = _pages.Page.render
_original_get_toc = _pages.get_toc
_original_read_lines = SnippetPreprocessor.read_lines
_toc_tokens: list = []


def _get_toc(tokens):
    _toc_tokens[:] = [tokens]
    return _original_get_toc(tokens)


def _read_lines(self, path):
    if state.reads is not None:
        name = Path(path).resolve()
        state.reads.add(str(name.relative_to(state.root)) if name.is_relative_to(state.root) else str(name))
    return _original_read_lines(self, path)


def _render(self, config, files) -> None:
    """Page.render, from the cache when this page's Markdown and context are unchanged."""
    if self is not state.page or state.key is None:
        return _original_render(self, config, files)
    key = _digest(state.context, self.markdown)
    saved = (state.entry or {}).get("render")
    if saved is not None and saved["key"] == key:
        self.content, self._title_from_render = saved["content"], saved["title"]
        self.toc = _original_get_toc(saved["toc"])
        self.present_anchor_ids = set(saved["anchors"])
        if saved["links"] is not None:
            self.links_to_anchors = {files.get_file_from_path(uri): links for uri, links in saved["links"].items()}
        for name, level, message in saved["messages"]:
            logging.getLogger(name).log(level, message)
        return None
    messages, logger = _Messages(), logging.getLogger("mkdocs")
    logger.addHandler(messages)
    state.reads, _toc_tokens[:] = set(), [[]]
    try:
        _original_render(self, config, files)
    finally:
        logger.removeHandler(messages)
        reads, state.reads = state.reads, None
    links = getattr(self, "links_to_anchors", None)
    state.rendered = {
        "key": key, "content": self.content, "title": self._title_from_render, "toc": _toc_tokens[0],
        "anchors": sorted(self.present_anchor_ids or ()), "messages": messages.records,
        "links": None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
        "reads": {name: _file_hash(name) for name in sorted(reads)},
    }
    return None


_pages.Page.render = _render
_pages.get_toc = _get_toc
SnippetPreprocessor.read_lines = _read_lines


def on_page_content(html: str, page, **kwargs) -> str:
    if state.page is page:
        if state.outputs:  # blocks ran
            state.report["executed"].append(page.file.src_uri)
            state.report["seconds"][page.file.src_uri] = round(time.perf_counter() - state.started, 3)
        else:
            state.report["cached"].append(page.file.src_uri)
        complete = state.entry is not None or len(state.outputs) == len(rt.page.blocks)
        if state.key is not None and state.rendered is not None and complete:
            outputs = state.entry["outputs"] if state.entry is not None else state.outputs
            _save(state.key, {"outputs": outputs, "reads": state.rendered.pop("reads"), "render": state.rendered})
    state.page, state.key, state.entry, state.rendered = None, None, None, None
    return html


def on_post_build(config, **kwargs) -> None:
    if state.enabled and MODE != "off" and state.folder.is_dir():  # drop entries no page of this build uses
        for entry in state.folder.glob("*.json"):
            if entry.name not in state.used:
                entry.unlink(missing_ok=True)
    report = os.environ.get("EXEC_REPORT")
    if report:
        state.report["torch_imported"] = "torch" in sys.modules
        Path(report).write_text(json.dumps(state.report, ensure_ascii=False, indent=1), encoding="utf-8")
    executed, cached = len(state.report["executed"]), len(state.report["cached"])
    log.info("exec cache: %d page(s) executed, %d from the cache", executed, cached)
