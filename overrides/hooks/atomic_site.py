"""Build into a fresh folder and swap it in only when the build succeeds.

MkDocs empties ``site_dir`` first, so a failed build would leave a half-written site (or
none). Here a failed build leaves the previous site as it was and removes its own folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mkdocs.plugins import event_priority

_target: Path | None = None


def on_config(config, **kwargs):
    global _target
    _target = Path(config["site_dir"])
    config["site_dir"] = str(_target.with_name(f".{_target.name}.building-{os.getpid()}"))
    shutil.rmtree(config["site_dir"], ignore_errors=True)
    return config


@event_priority(-90)  # after every other post-build writer (search index, feeds)
def on_post_build(config, **kwargs) -> None:
    built, old = Path(config["site_dir"]), _target.with_name(f".{_target.name}.old-{os.getpid()}")
    if _target.exists():
        os.replace(_target, old)
    os.replace(built, _target)
    config["site_dir"] = str(_target)
    shutil.rmtree(old, ignore_errors=True)


def on_build_error(error, **kwargs) -> None:
    if _target is not None:
        shutil.rmtree(_target.with_name(f".{_target.name}.building-{os.getpid()}"), ignore_errors=True)
