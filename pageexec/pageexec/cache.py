"""Cache entries on disk: written atomically, checked on read, bound to their key, pruned.

An entry is ``<folder>/<kind>-<key>.json`` holding the *material* its key is the digest of
(the page's name, its blocks' code, the build's fingerprint…), the *payload* (the outputs)
and a checksum over both. On read the checksum must match, the stored material must be the
requested material and its digest the file's key: a truncated, edited or copied entry is
refused, deleted and recomputed. A folder that cannot be written (read-only, not a folder,
a full disk) gives one warning line, and the build goes on without the cache.

Builds may share a folder at the same time (``mkdocs serve`` and ``make build``, say). Each
process keeps a *lease* (``lease-<pid>.txt``) naming the entries it uses, and pruning
deletes an entry only if no living process holds it and it is older than the pruning
build: two builds never delete each other's live entries.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
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
    """A folder of entries; ``mode`` is ``on``, ``keep`` (as on, but never prune: a cache shared
    with builds of other commits, e.g. ``python -m pageexec.diff``), ``refresh`` (write, never
    read) or ``off``."""

    def __init__(self, folder: Path, mode: str = "on") -> None:
        if mode not in {"on", "keep", "refresh", "off"}:
            raise ValueError(f"cache mode must be on, keep, refresh or off, got {mode!r}")
        self.folder, self.mode = Path(folder), mode
        self.used: set[str] = set()
        self.usable = mode != "off"
        self.refused: list[str] = []
        self.started = time.time()
        self._lock = threading.Lock()

    @property
    def lease(self) -> Path:
        return self.folder / f"lease-{os.getpid()}.txt"

    def _use(self, name: str) -> None:
        """Record that this build uses the entry ``name``, in this process's lease too."""
        with self._lock:
            if name in self.used:
                return
            self.used.add(name)
            if not self.usable or not self.folder.is_dir():
                return
            tmp = self.lease.with_suffix(".tmp")
            try:
                tmp.write_text("\n".join(sorted(self.used)), encoding="utf-8")
                os.replace(tmp, self.lease)
            except OSError:
                pass  # a lease is a courtesy to other builds; this build is not harmed without it

    def _held_by_others(self) -> set[str]:
        """Entries named in the leases of other living processes (the leases of dead ones are deleted)."""
        held: set[str] = set()
        for lease in self.folder.glob("lease-*.txt"):
            pid = lease.stem.removeprefix("lease-")
            if pid == str(os.getpid()):
                continue
            if not process_alive(pid):
                lease.unlink(missing_ok=True)
                continue
            try:
                held.update(lease.read_text(encoding="utf-8").split("\n"))
            except OSError:
                continue
        return held

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key}.json"

    def load(self, kind: str, material: Any) -> Any | None:
        """The payload stored for ``material``, or None (missing, or refused and deleted)."""
        key = digest(material)
        self._use(self._path(kind, key).name)
        if self.mode not in ("on", "keep"):
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
        try:
            data = _canonical({**body, "checksum": digest(body)})
        except (TypeError, ValueError) as error:  # not JSON, or not Unicode: never half written
            raise ValueError(f"pageexec: cannot store a {kind} entry for {material.get('name', key) if isinstance(material, dict) else key}: {error}") from None
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
        self._use(self._path(kind, key).name)

    def _unusable(self, why: str) -> None:
        if self.usable:
            _setup_warning_line()  # attached when first needed, not when the module is imported
            warn.warning("pageexec: %s; building without the cache", why)
        self.usable = False

    def prune(self, kinds: set[str]) -> list[str]:
        """Delete the entries of ``kinds`` that this build did not use, no other living build holds,
        and that are older than this build; and stale temporary files."""
        if not self.usable or self.mode == "keep" or not self.folder.is_dir():
            return []
        held = self._held_by_others()
        removed = []
        for path in self.folder.iterdir():
            try:
                mtime = path.stat().st_mtime
            except FileNotFoundError:
                continue
            stale_tmp = path.suffix == ".tmp" and time.time() - mtime > 3600
            ours = path.suffix == ".json" and path.stem.rsplit("-", 1)[0] in kinds
            # (a second's margin: file times come from a coarser clock than time.time())
            unused = path.name not in self.used and path.name not in held and mtime < self.started - 1
            if stale_tmp or (ours and unused):
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed

    def release(self) -> None:
        """Give up this process's lease (at the end of ``mkdocs serve`` or a build)."""
        try:
            self.lease.unlink(missing_ok=True)
        except OSError:
            pass  # an unusable folder holds no lease


def process_alive(pid: str | int) -> bool:
    """Whether a process with this id runs (one of another user's counts as running)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _setup_warning_line() -> None:
    """One plain ``WARNING`` line on stderr, outside MkDocs' own counting (not a strict-mode failure)."""
    if not any(getattr(handler, "pageexec", False) for handler in warn.handlers):
        handler = logging.StreamHandler()
        handler.pageexec = True
        handler.setFormatter(logging.Formatter("WARNING -  %(message)s"))
        warn.addHandler(handler)
    warn.propagate = False
