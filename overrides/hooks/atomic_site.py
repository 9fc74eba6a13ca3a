"""Build into a fresh folder and swap it in only when the whole build succeeds.

MkDocs empties ``site_dir`` first, so a failed build would leave a half-written site (or
none); and it aborts a strict build for its warnings only *after* ``on_post_build``. Here
the site is built beside ``site_dir`` and swapped in at the very end of ``on_post_build``,
and only if the build logged no warning in strict mode. A failed, aborted or interrupted
build (Ctrl-C) leaves the previous site byte for byte as it was and removes its own
folder; a folder left by a killed build is removed by the next one (and git ignores it).
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.utils import CountHandler
from pageexec.cache import process_alive


class _Build:
    def __init__(self, config) -> None:
        self.target = Path(config["site_dir"])
        self.folder = self.target.with_name(f".{self.target.name}.building-{os.getpid()}")
        self.strict = bool(config["strict"])
        self.warnings = CountHandler(level=logging.WARNING)  # what MkDocs' strict mode counts
        logging.getLogger("mkdocs").addHandler(self.warnings)
        for stale in self.target.parent.glob(f".{self.target.name}.building-*"):
            if not process_alive(stale.name.rsplit("-", 1)[-1]):
                shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        atexit.register(self.discard)

    def discard(self) -> None:
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        shutil.rmtree(self.folder, ignore_errors=True)

    def swap(self) -> None:
        old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
        if self.target.exists():
            os.replace(self.target, old)
        os.replace(self.folder, self.target)
        shutil.rmtree(old, ignore_errors=True)


_build: _Build | None = None
_serving = False


def on_startup(command, **kwargs) -> None:
    global _serving
    _serving = command == "serve"


def on_config(config, **kwargs):
    global _build
    if _serving:  # `mkdocs serve` builds into its own temporary folder
        return config
    if _build is not None:
        _build.discard()
    _build = _Build(config)
    config["site_dir"] = str(_build.folder)
    return config


@event_priority(-100)  # after every other post-build writer (search index, feeds, wheel)
def on_post_build(config, **kwargs) -> None:
    if _build is None:
        return
    config["site_dir"] = str(_build.target)
    if _build.strict and _build.warnings.get_counts():  # MkDocs is about to abort: keep the previous site
        _build.discard()
        return
    _build.swap()
    _build.discard()


def on_build_error(error, **kwargs) -> None:
    if _build is not None:
        _build.discard()
