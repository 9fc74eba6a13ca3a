"""Every page that runs code offers it to run: a notebook, a script, and the package's wheel.

- Each page with executed blocks gets ``downloads/<page>.ipynb`` and ``downloads/<page>.py``,
  made from the blocks the build ran (``export.py``), and links to them and to Colab
  (``page.meta["downloads"]``, shown by ``overrides/main.html``).
- The build publishes the wheel of the package (``downloads/<name>-<version>-py3-none-any.whl``,
  made from ``pyproject.toml`` with setuptools, no network), which every download installs.
  It is reproducible (``SOURCE_DATE_EPOCH``: the same sources give the same bytes) and kept
  in the engine's cache (kind ``wheel``) under a digest of its sources, so a build where the
  package did not change does not build it again.
- ``NOTEBOOK_PAGES``: notebook pages of the site generated the same way from a lesson page,
  rendered by mkdocs-jupyter with the outputs the lesson page's blocks printed. The engine
  does not run them a second time (their first cell, the install, is for the reader): they
  are added to mkdocs-jupyter's ``execute_ignore``, which the engine honours.

The blocks come from the execution engine: ``config.plugins["pageexec"].executed(page)``.

Colab opens notebooks from GitHub paths, so its links point at ``COLAB_BRANCH`` of the
repository, where the deploy publishes ``site/downloads/`` (see README). Only a site whose
folder holds a ``pyproject.toml`` and which sets ``site_url`` gets downloads (test fixture
sites do not).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import export
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.downloads")

FOLDER = "downloads"
COLAB_BRANCH = "downloads"  # the branch of repo_url holding site/downloads/ (for Colab links)
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip file can hold
HELP = "#이-사이트를-읽는-법"  # the home page's section on running the code
NOTEBOOK_PAGES = {"notebooks/lab02-full-implementation.ipynb": "lessons/06-full-implementation.md"}


@dataclass
class _State:
    """What one build knows (a new one for every build: `mkdocs serve` rebuilds included)."""

    enabled: bool = False
    root: Path = Path(".")
    wheel: str = ""  # file name of the wheel
    wheel_url: str = ""
    colab: str = ""  # Colab address of the downloads folder, or "" without a GitHub repo_url
    requires: str = "torch"  # the pin the downloads name ("torch 2.13.0"), from pyproject.toml
    generated: Path | None = None  # folder of the generated notebook pages
    notebook_pages: dict[str, str] = field(default_factory=dict)  # notebook page src_uri -> lesson src_uri
    provenance: dict[str, str] = field(default_factory=dict)  # lesson src_uri -> the engine's note on its outputs


state = _State()


# -- the wheel -------------------------------------------------------------------------------

def wheel_name(pyproject: Path) -> str:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    name = project["name"].replace("-", "_").replace(".", "_")
    return f"{name}-{project['version']}-py3-none-any.whl"


def pinned(pyproject: Path, name: str) -> str:
    """``"torch 2.13.0"``: the version ``pyproject.toml`` pins ``name`` to, as the downloads name it
    (read here, never typed into their text), or the bare name if it is not pinned."""
    for requirement in tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"].get("dependencies", []):
        found = re.fullmatch(rf"\s*{re.escape(name)}\s*==\s*([\w.+-]+)\s*(?:;.*)?", requirement)
        if found:
            return f"{name} {found.group(1)}"
    return name


def _wheel_sources(root: Path) -> list[Path]:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    packages = project.get("tool", {}).get("setuptools", {}).get("packages", [])
    files = [root / "pyproject.toml"]
    readme = project["project"].get("readme")
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

def on_config(config, **kwargs):
    global state
    if state.generated is not None:  # a previous build of the same process (mkdocs serve)
        shutil.rmtree(state.generated, ignore_errors=True)
    state = _State()
    state.root = Path(config.config_file_path).resolve().parent
    pyproject = state.root / "pyproject.toml"
    state.enabled = pyproject.is_file() and bool(config["site_url"])
    if not state.enabled:
        return config
    state.wheel = wheel_name(pyproject)
    state.requires = pinned(pyproject, "torch")
    state.wheel_url = f"{config['site_url'].rstrip('/')}/{FOLDER}/{quote(state.wheel)}"
    repo = (config["repo_url"] or "").rstrip("/")
    state.colab = (f"https://colab.research.google.com/github/{repo.removeprefix('https://github.com/')}"
                   f"/blob/{COLAB_BRANCH}") if repo.startswith("https://github.com/") else ""
    state.generated = Path(tempfile.mkdtemp(prefix="notebook-pages-"))
    return config


def on_files(files, config, **kwargs):
    state.notebook_pages, state.provenance = {}, {}
    if not state.enabled:
        return files
    for target, lesson in NOTEBOOK_PAGES.items():
        if files.get_file_from_path(lesson) is None or files.get_file_from_path(target) is not None:
            continue
        path = state.generated / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(export.notebook_json([], _source(lesson, "", config), ""), encoding="utf-8")
        file = File(target, str(state.generated), config["site_dir"], config["use_directory_urls"])
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None:
            from mkdocs_jupyter.plugin import NotebookFile

            file = NotebookFile(file, **config)  # what mkdocs-jupyter makes of a notebook in docs/
            # shown with the lesson's outputs, never run (its first cell installs the wheel, for the reader)
            ignored = jupyter.config["execute_ignore"]
            if target not in ignored:
                ignored.append(target)
        files.append(file)
        state.notebook_pages[target] = lesson
    return files


def _name(src_uri: str) -> str:
    return posixpath.splitext(src_uri)[0]


def _source(src_uri: str, title: str, config) -> export.Source:
    page_url = config["site_url"].rstrip("/") + "/" + quote(_name(src_uri)) + "/"
    return export.Source(title=title, url=page_url, wheel_url=state.wheel_url, name=posixpath.basename(_name(src_uri)),
                         requires=state.requires)


def links(src_uri: str, page_url: str) -> dict[str, str]:
    """The page's download links, relative to the page (``page_url`` as MkDocs gives it,
    percent-encoded), and its Colab link; paths percent-encoded (a name may hold a space)."""
    def url(path: str) -> str:
        return get_relative_url(quote(path), page_url or ".")

    colab = f"{state.colab}/{quote(_name(src_uri))}.ipynb" if state.colab else ""
    return {"ipynb": url(f"{FOLDER}/{_name(src_uri)}.ipynb"), "py": url(f"{FOLDER}/{_name(src_uri)}.py"),
            "colab": colab, "wheel": url(f"{FOLDER}/{state.wheel}"), "help": url("").rstrip("/") + "/" + HELP}


def on_page_content(html: str, page, config, **kwargs) -> str:
    if not state.enabled:
        return html
    uri = page.file.src_uri
    if uri in state.notebook_pages:  # the lesson's outputs, so the lesson's note on what produced them
        page.meta["downloads"] = links(state.notebook_pages[uri], page.url)
        return html + state.provenance.get(state.notebook_pages[uri], "")  # empty if the lesson ran nothing
    engine = config.plugins.get("pageexec")
    blocks = engine.executed(page) if engine is not None else []
    if not blocks:
        return html
    markdown = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig")
    source = _source(uri, page.title or "", config)
    folder = Path(config["site_dir"]) / FOLDER / posixpath.dirname(uri)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        notebook = export.notebook_json(blocks, source, markdown)
        script = export.script(blocks, source, markdown)
    except (ValueError, SyntaxError) as error:
        raise PluginError(f"docs/{uri}: cannot make its downloads: {error}") from None
    (folder / f"{source.name}.ipynb").write_text(notebook, encoding="utf-8")
    (folder / f"{source.name}.py").write_text(script, encoding="utf-8")
    for target, lesson in state.notebook_pages.items():
        if lesson == uri:
            (state.generated / target).write_text(notebook, encoding="utf-8")
    page.meta["downloads"] = links(uri, page.url)
    state.provenance[uri] = engine.note(page)
    return html


def on_post_build(config, **kwargs) -> None:
    if not state.enabled:
        return
    engine = config.plugins.get("pageexec")
    name, data = build_wheel(state.root, engine.cache("wheel") if engine is not None else None)
    target = Path(config["site_dir"]) / FOLDER / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if name != state.wheel:
        raise PluginError(f"the wheel is {name}, but the pages link {state.wheel}")


def on_shutdown(**kwargs) -> None:
    if state.generated is not None:
        shutil.rmtree(state.generated, ignore_errors=True)
