"""Cache entries on disk: written atomically, checked on read, bound to their key, pruned.

An entry is ``<folder>/<kind>-<key>.json`` holding the *material* its key is the digest of
(the page's name, its blocks' code, the build's fingerprint…), the *payload* (the outputs)
and a checksum over both. On read the checksum must match, the stored material must be the
requested material and its digest the file's key: a truncated, edited or copied entry is
refused, deleted and recomputed. A folder that cannot be written (read-only, not a folder,
a full disk) gives one warning line, and the build goes on without the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

VERSION = 1
log = logging.getLogger("mkdocs.plugins.pageexec")
warn = logging.getLogger("pageexec")  # one line for a cache that cannot be used: not a build warning


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(value: Any) -> str:
    """The key of some JSON material."""
    return hashlib.sha256(_canonical(value)).hexdigest()


class Cache:
    """A folder of entries; ``mode`` is ``on``, ``refresh`` (write, never read) or ``off``."""

    def __init__(self, folder: Path, mode: str = "on") -> None:
        if mode not in {"on", "refresh", "off"}:
            raise ValueError(f"cache mode must be on, refresh or off, got {mode!r}")
        self.folder, self.mode = Path(folder), mode
        self.used: set[str] = set()
        self.usable = mode != "off"
        self.refused: list[str] = []

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key}.json"

    def load(self, kind: str, material: Any) -> Any | None:
        """The payload stored for ``material``, or None (missing, or refused and deleted)."""
        key = digest(material)
        self.used.add(self._path(kind, key).name)
        if self.mode != "on":
            return None
        path = self._path(kind, key)
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            self._unusable(f"cannot read {path} ({error.strerror or error})")
            return None
        try:
            entry = json.loads(text)
            body = {name: entry[name] for name in ("version", "kind", "key", "material", "payload")}
            if entry["checksum"] != digest(body):
                raise ValueError("checksum mismatch")
            if body["version"] != VERSION or body["kind"] != kind:
                raise ValueError("another version or kind")
            if body["key"] != key or digest(body["material"]) != key or body["material"] != json.loads(_canonical(material)):
                raise ValueError("stored under another key")
        except (ValueError, KeyError, TypeError) as error:
            log.info("pageexec: cache entry %s refused (%s); computing it again", path.name, error)
            self.refused.append(path.name)
            path.unlink(missing_ok=True)
            return None
        return body["payload"]

    def save(self, kind: str, material: Any, payload: Any) -> None:
        """Store ``payload`` for ``material`` (atomically: a reader never sees half an entry)."""
        if not self.usable:
            return
        key = digest(material)
        body = {"version": VERSION, "kind": kind, "key": key, "material": material, "payload": payload}
        data = _canonical({**body, "checksum": digest(body)})
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self._path(kind, key))
            tmp = None
        except OSError as error:
            self._unusable(f"cannot write {self.folder} ({error.strerror or error})")
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        self.used.add(self._path(kind, key).name)

    def _unusable(self, why: str) -> None:
        if self.usable:
            warn.warning("pageexec: %s; building without the cache", why)
        self.usable = False

    def prune(self, kinds: set[str]) -> list[str]:
        """Delete the entries of ``kinds`` this build did not use, and stale temporary files."""
        if not self.usable or not self.folder.is_dir():
            return []
        removed = []
        for path in self.folder.iterdir():
            stale_tmp = path.suffix == ".tmp" and time.time() - path.stat().st_mtime > 3600
            ours = path.suffix == ".json" and path.stem.rsplit("-", 1)[0] in kinds
            if stale_tmp or (ours and path.name not in self.used):
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed


def _setup_warning_line() -> None:
    if not warn.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("WARNING -  %(message)s"))
        warn.addHandler(handler)
        warn.propagate = False


_setup_warning_line()
