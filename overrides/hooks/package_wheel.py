"""The package's wheel: published with the site, installed first by every download.

- The build publishes ``<downloads folder>/<name>-<version>-py3-none-any.whl``, made from
  ``pyproject.toml`` with setuptools, no network. It is reproducible (``SOURCE_DATE_EPOCH``:
  the same sources give the same bytes) and kept in the engine's cache (kind ``wheel``)
  under a digest of its sources, so a build where the package did not change does not
  build it again.
- The downloads install it first: its address goes to pageexec's public ``add_install``,
  with the torch requirement read from ``pyproject.toml`` (never typed into a text). That
  requirement is a range from the tested version up, so a reader who already has a newer
  torch (Colab) installs only the wheel.
- A page may say ``{{ wheel_url }}``, ``{{ requires }}`` (the range, ``torch>=2.13.0,<3``)
  and ``{{ tested }}`` (the exact build the site's outputs come from, ``torch 2.13.0``,
  read from ``constraints.txt``): the home page's install command and its sentence.

Only a site whose folder holds a ``pyproject.toml``, which sets ``site_url`` and enables
pageexec's downloads, gets a wheel (test fixture sites do not).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip file can hold
TOKENS = ("{{ wheel_url }}", "{{ requires }}", "{{ tested }}")


@dataclass
class _State:
    """What one build knows (a new one for every build: `mkdocs serve` rebuilds included)."""

    enabled: bool = False
    root: Path = Path(".")
    folder: str = "downloads"  # pageexec's downloads folder in the site
    wheel: str = ""  # file name of the wheel
    wheel_url: str = ""
    requires: str = "torch"  # what the wheel asks of torch ("torch>=2.13.0,<3")
    tested: str = "torch"  # the build the outputs come from ("torch 2.13.0")


state = _State()


def project(pyproject: Path) -> dict:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]


def wheel_name(pyproject: Path) -> str:
    meta = project(pyproject)
    name = meta["name"].replace("-", "_").replace(".", "_")
    return f"{name}-{meta['version']}-py3-none-any.whl"


def requirement(pyproject: Path, name: str) -> str:
    """``"torch>=2.13.0,<3"``: ``name``'s requirement in ``pyproject.toml``, without spaces or markers.

    The bare name if the project does not ask for ``name``.
    """
    for line in project(pyproject).get("dependencies", []):
        found = re.fullmatch(rf"\s*({re.escape(name)})\s*([<>=!~][^;]*?)?\s*(?:;.*)?", line)
        if found:
            return name + re.sub(r"\s+", "", found.group(2) or "")
    return name


def pinned(constraints: Path, name: str) -> str:
    """``"torch 2.13.0"``: the exact version ``constraints.txt`` pins ``name`` to, or the bare name."""
    if constraints.is_file():
        found = re.search(rf"^{re.escape(name)}\s*==\s*([\w.+-]+)", constraints.read_text(encoding="utf-8"), re.M)
        if found:
            return f"{name} {found.group(1)}"
    return name


def _wheel_sources(root: Path) -> list[Path]:
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    packages = config.get("tool", {}).get("setuptools", {}).get("packages", [])
    files = [root / "pyproject.toml"]
    readme = config["project"].get("readme")
    if isinstance(readme, str):
        files.append(root / readme)
    for package in packages:
        files += [p for p in sorted((root / package.replace(".", "/")).rglob("*"))
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    return files


def wheel_key(root: Path) -> str:
    """A digest of what the wheel is built from: its sources, setuptools and Python."""
    import setuptools

    digest = hashlib.sha256(f"{setuptools.__version__}|{sys.version_info[:2]}|{SOURCE_DATE_EPOCH}".encode())
    for path in _wheel_sources(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_wheel(root: Path, cache=None) -> tuple[str, bytes]:
    """The project's wheel (name, bytes): from the engine's cache, or built (a copy of the sources, no network).

    In the cache (kind ``wheel``) an entry is checked on read and bound to the digest of the
    wheel's sources, like every other entry, and pruned when no build uses it any more.
    """
    material = {"sources": wheel_key(root)}
    stored = cache.load("wheel", material) if cache is not None else None
    if isinstance(stored, dict) and isinstance(stored.get("name"), str) and isinstance(stored.get("data"), str):
        return stored["name"], base64.b64decode(stored["data"])
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "source", Path(tmp) / "out"
        for path in _wheel_sources(root):
            target = source / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        command = [sys.executable, "-c", "import sys; from setuptools import build_meta; "
                   "print(build_meta.build_wheel(sys.argv[1]))", str(out)]
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(command, cwd=source, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise PluginError(f"building the wheel failed:\n{done.stdout}{done.stderr}")
        name = done.stdout.strip().splitlines()[-1]
        data = (out / name).read_bytes()
    if cache is not None:
        cache.save("wheel", material, {"name": name, "data": base64.b64encode(data).decode()})
    return name, data


# -- events ------------------------------------------------------------------------------------

@event_priority(-10)  # after pageexec's on_config (0): add_install holds for the build it starts
def on_config(config, **kwargs):
    global state
    state = _State()
    state.root = Path(config.config_file_path).resolve().parent
    pyproject = state.root / "pyproject.toml"
    engine = config.plugins.get("pageexec")
    state.enabled = (pyproject.is_file() and bool(config["site_url"]) and engine is not None
                     and engine.config.downloads.enabled)
    if not state.enabled:
        return config
    state.folder = engine.config.downloads.folder.strip("/")
    state.wheel = wheel_name(pyproject)
    state.requires = requirement(pyproject, "torch")
    state.tested = pinned(state.root / "constraints.txt", "torch")
    state.wheel_url = f"{config['site_url'].rstrip('/')}/{quote(state.folder)}/{quote(state.wheel)}"
    meta = project(pyproject)
    engine.add_install(state.wheel_url, f"{meta['name']} {meta['version']} ({state.requires})")
    return config


def on_page_markdown(markdown: str, page, config, **kwargs) -> str:
    if not state.enabled or "{{" not in markdown:
        return markdown
    for token, value in zip(TOKENS, (state.wheel_url, state.requires, state.tested)):
        markdown = markdown.replace(token, value)
    return markdown


def on_post_build(config, **kwargs) -> None:  # before pageexec's (-95), which prunes unused cache entries
    if not state.enabled:
        return
    engine = config.plugins["pageexec"]
    name, data = build_wheel(state.root, engine.cache("wheel"))
    if name != state.wheel:
        raise PluginError(f"the wheel is {name}, but the downloads install {state.wheel}")
    target = Path(config["site_dir"]) / state.folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
