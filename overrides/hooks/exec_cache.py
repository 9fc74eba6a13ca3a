"""Cache executed blocks' outputs on disk, keyed on everything the outputs depend on.

A page's executed blocks are cached together (sessions belong to one page, so a page's
outputs depend only on its own blocks). The key of a page covers:

- the header (options) and code of each of its executed blocks, in order;
- the files its snippets include (``--8<-- "linreg/cost.py:mse"``);
- the build fingerprint: every file under the ``watch:`` folders (the ``linreg`` package,
  the reference data), ``constraints.txt``, the Python version and every installed
  distribution's version.

So a build where nothing changed runs no code at all, and an edit re-runs exactly the
pages it can affect. Notebook pages follow the same rule: mkdocs-jupyter's own cache
(which keys on the notebook's bytes only) is kept in a folder named after the fingerprint.

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

log = logging.getLogger("mkdocs.hooks.exec_cache")
MODE = os.environ.get("EXEC_CACHE", "on")
VERSION = 1
_SNIPPET = re.compile(r"""--8<--\s+["']([^"':]+)(?::[^"']*)?["']""")


class _State:
    root: Path = Path(".")
    folder: Path = Path(".cache/exec")
    fingerprint = ""
    key: str | None = None
    stored: dict[str, str] | None = None
    outputs: dict[str, str] = {}
    used: set[str] = set()
    started = 0.0
    report: dict = {}


state = _State()


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


def on_config(config, **kwargs):
    state.root = Path(config.config_file_path).resolve().parent
    cache_root = Path(os.environ.get("EXEC_CACHE_DIR", state.root / ".cache"))
    state.folder = cache_root / "exec"
    theme_dir = Path(config.theme.custom_dir).resolve() if config.theme.custom_dir else None
    folders = [Path(f).resolve() for f in config["watch"] if Path(f).resolve() != theme_dir]
    state.fingerprint = fingerprint(state.root, folders)
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


def _page_key(page_state: rt.PageState, markdown: str) -> str:
    snippets = []
    for name in sorted(set(_SNIPPET.findall(markdown))):
        path = state.root / name
        snippets.append([name, hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None])
    blocks = [[fence.header, fence.code] for fence in page_state.blocks]
    payload = json.dumps([page_state.src_uri, state.fingerprint, blocks, snippets], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _load(key: str, expected: int) -> dict[str, str] | None:
    path = state.folder / f"{key}.json"
    if not path.exists():
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        outputs = entry["outputs"]
        body = json.dumps(outputs, sort_keys=True, ensure_ascii=False).encode()
        if entry["version"] != VERSION or entry["checksum"] != hashlib.sha256(body).hexdigest():
            raise ValueError("checksum mismatch")
        if sorted(outputs) != sorted(str(i) for i in range(expected)):
            raise ValueError("blocks missing")
        return outputs
    except (ValueError, KeyError, TypeError) as error:
        log.info("exec cache: entry %s is unreadable (%s); running its page again", path.name, error)
        path.unlink(missing_ok=True)
        return None


def _save(key: str, outputs: dict[str, str]) -> None:
    state.folder.mkdir(parents=True, exist_ok=True)
    body = json.dumps(outputs, sort_keys=True, ensure_ascii=False)
    entry = {"version": VERSION, "checksum": hashlib.sha256(body.encode()).hexdigest(), "outputs": outputs}
    fd, tmp = tempfile.mkstemp(dir=state.folder, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(entry, handle, ensure_ascii=False)
    os.replace(tmp, state.folder / f"{key}.json")  # atomic: never a half-written entry


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    # exec_guard's on_page_markdown (listed before this hook) has scanned the page
    state.key, state.stored, state.outputs, state.started = None, None, {}, time.perf_counter()
    if MODE == "off" or not rt.page.blocks:
        return markdown
    state.key = _page_key(rt.page, markdown)
    state.used.add(f"{state.key}.json")
    if MODE == "on":
        state.stored = _load(state.key, len(rt.page.blocks))
    return markdown


def cache(call: rt.Call, run) -> str:
    index = str(call.index)
    if state.stored is not None and index in state.stored:
        return state.stored[index]
    output = run(call)
    state.outputs[index] = output
    return output


rt.install()
rt.add_layer(0, cache)


def on_page_content(html: str, page, **kwargs) -> str:
    if state.stored is not None:
        state.report["cached"].append(page.file.src_uri)
    elif state.outputs:  # blocks ran (none do where markdown-exec is off)
        state.report["executed"].append(page.file.src_uri)
        state.report["seconds"][page.file.src_uri] = round(time.perf_counter() - state.started, 3)
        if state.key is not None and len(state.outputs) == len(rt.page.blocks):
            _save(state.key, state.outputs)
    state.key, state.stored = None, None
    return html


def on_post_build(config, **kwargs) -> None:
    if MODE != "off" and state.folder.is_dir():  # drop entries no page of this build uses
        for entry in state.folder.glob("*.json"):
            if entry.name not in state.used:
                entry.unlink(missing_ok=True)
    report = os.environ.get("EXEC_REPORT")
    if report:
        state.report["torch_imported"] = "torch" in sys.modules
        Path(report).write_text(json.dumps(state.report, ensure_ascii=False, indent=1), encoding="utf-8")
    executed, cached = len(state.report["executed"]), len(state.report["cached"])
    log.info("exec cache: %d page(s) executed, %d from the cache", executed, cached)
