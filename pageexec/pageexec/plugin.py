"""The MkDocs plugin: configuration, one build state per build, and the order of events.

```yaml
plugins:
  - pageexec:
      timeout: 120          # seconds per block (and per notebook cell); 0: no limit
      cache_dir: .cache     # entries go to <cache_dir>/pageexec
      mode: "on"            # on | refresh (run everything, rewrite the cache) | off
      output_limit: 1000000 # bytes one block may print
      workers: 0            # pages executed at once; 0: one per core
      preload: [torch]      # imported once by the fork server, before any page forks
      depends_on: [mypkg, constraints.txt]  # what executed code reads: part of the cache keys
                            # (a package's modules per page, by what the page used: deps.py)
      provenance: [torch, mypkg]  # named in the note under every page with executed code
      report: null          # a JSON file of which pages ran or came from the cache (or EXEC_REPORT)
      downloads:            # each executed page's blocks as <folder>/<page>.ipynb and .py (downloads.py)
        enabled: false
markdown_extensions:
  - pymdownx.superfences    # required: the executed fences are its custom fences
```

A page declares the files beside it that its blocks read in its front matter
(``depends_on: [data.csv]``, relative to its folder): they join its key. Blocks run in the
page's folder, with a temporary folder of their own, and may not write inside the project.

Order of a build: ``on_config`` checks versions (``compat``), registers the fences and the
planning extension, and takes over notebook execution from mkdocs-jupyter; ``on_nav`` (last
of all plugins) plans every page and starts the pages whose outputs are not cached, in
parallel; pages then render in MkDocs' order, each waiting only for its own worker (a page
whose outputs and text are unchanged is restored from its stored rendering: ``render``);
``on_post_build`` stores nothing more (entries are saved as pages finish), prunes what no
page used, and stops the workers. A warm build starts no worker and imports no torch.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import importlib.util
import html as html_lib
import json
import logging
import os
import platform
import posixpath
import shutil
import site
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path, PurePath

import markdown
import markdown_exec
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.utils import meta as page_meta

from urllib.parse import quote

from mkdocs.utils import get_relative_url

from mkdocs.structure.files import File

from pageexec import compat, deps, downloads, notebooks, outputs, shards
from pageexec.cache import Cache, digest
from pageexec.engine import BlockError, Engine, ExecutedBlock, _PlanPreprocessor
from pageexec.fences import heading
from pageexec.render import RenderCache, render_notebook, site_digest
from pageexec.runner import Runner

log = logging.getLogger("mkdocs.plugins.pageexec")
ENGINE_VERSION = "1"


class NonNegative(c.BaseConfigOption):
    """A number that is not negative (``!ENV`` gives one as text: ``"120"`` is read as 120)."""

    def __init__(self, kind: type, default) -> None:
        super().__init__()
        self.kind, self.default = kind, default

    def run_validation(self, value):
        try:
            number = self.kind(value)
            if isinstance(value, bool) or (self.kind is int and float(value) != number):
                raise ValueError
        except (TypeError, ValueError):
            raise c.ValidationError(f"Expected a {'whole ' if self.kind is int else ''}number, got {value!r}") from None
        if number < 0:
            raise c.ValidationError(f"Expected a number that is not negative, got {value!r}")
        return number


class Mode(c.BaseConfigOption):
    """``on``, ``refresh`` or ``off``; YAML (and ``!ENV``) read a bare on / off as a boolean."""

    CHOICES = ("on", "keep", "refresh", "off")

    def __init__(self, default: str = "on") -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value):
        mode = {True: "on", False: "off"}.get(value) if isinstance(value, bool) else str(value).strip().lower()
        if mode not in self.CHOICES:
            raise c.ValidationError(f"Expected one of {', '.join(self.CHOICES)}, got {value!r}")
        return mode


class DownloadsConfig(base.Config):
    """``downloads:``: every page with executed blocks offers them as a notebook and a script."""

    enabled = c.Type(bool, default=False)
    """Write ``<folder>/<page>.ipynb`` and ``<folder>/<page>.py`` into the site for every page with executed blocks."""
    folder = c.Type(str, default="downloads")
    """The site folder they go to (relative; a page keeps its folder below it)."""
    install = c.ListOfItems(c.Type(str), default=[])
    """pip requirements a download installs first (a hook may add more with ``add_install``)."""
    install_note = c.Type(str, default="")
    """The same in words, for the reader (default: the requirements themselves)."""
    colab_branch = c.Type(str, default="")
    """The branch of ``repo_url`` (GitHub) holding the site's download folder: pages link Colab to it. "": no Colab link."""
    links = c.Type(bool, default=True)
    """Put the links at the top of the page. Either way they are in ``page.meta["pageexec_downloads"]`` for a theme."""

    def validate(self):
        failed, warnings = super().validate()
        folder = PurePath(self.folder or ".")
        if not failed and (folder.is_absolute() or ".." in folder.parts or not self.folder.strip("/")):
            failed.append(("folder", c.ValidationError(f"Expected a folder inside the site, got {self.folder!r}")))
        return failed, warnings


class PageExecConfig(base.Config):
    """The plugin's options (``mkdocs.yml``); every one is described in ``pageexec/README.md``."""

    timeout = NonNegative(float, 120)
    """Seconds one block (or notebook cell) may run; 0: no limit."""
    cache_dir = c.Type(str, default=".cache")
    """Where the entries go (``<cache_dir>/pageexec``), relative to ``mkdocs.yml``."""
    mode = Mode("on")
    """``on``; ``keep``: as on, never prune; ``refresh``: run everything, rewrite the cache; ``off``: neither read nor write it."""
    output_limit = NonNegative(int, 1_000_000)
    """Bytes one block (or notebook cell) may print; 0: no limit."""
    workers = NonNegative(int, 0)
    """Pages executed at once; 0: one per core."""
    preload = c.ListOfItems(c.Type(str), default=[])
    """Modules the zygote imports once, before any page's worker forks."""
    depends_on = c.ListOfItems(c.Type(str), default=[])
    """Files and folders executed code reads: part of the cache keys (a package's modules per page, by use)."""
    provenance = c.ListOfItems(c.Type(str), default=[])
    """Distributions named, with Python and the commit, in the note under each page with executed code."""
    report = c.Optional(c.Type(str))
    """A JSON build report (pages executed and cached, run times...); ``EXEC_REPORT`` does the same."""
    language = c.Choice(downloads.LANGUAGES, default="en")
    """The language of the words the plugin writes: the note under a page, the downloads, the status page."""
    label_results = c.Type(bool, default=True)
    """A caption ("Output", in ``language``) above every text result, so a result never reads as code."""
    status_page = c.Type(str, default="")
    """A page of the site (``status.md``, say) listing every page with executed code: run time, versions, commit, when."""
    outputs = c.Optional(c.Type(str))
    """A JSON file of every executed page's blocks and outputs (``EXEC_OUTPUTS`` does the same; ``python -m pageexec.diff`` compares two)."""
    downloads = c.SubConfig(DownloadsConfig)
    """Each executed page's blocks and outputs as a notebook and a script in the site (``downloads.py``)."""


def _site_folders() -> tuple[str, ...]:
    """The folders distributions are installed into (site-packages, and the user's if enabled)."""
    folders = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        folders.append(site.getusersitepackages())
    return tuple(folders)


@functools.cache
def installed_distributions() -> tuple[str, ...]:
    """``name-version`` of every installed distribution, from the names of the metadata folders.

    Read once per process, from the site-packages folders only: not from ``sys.path``, which
    holds the working directory under ``python -m mkdocs`` (where a source checkout keeps its
    ``.egg-info``) but not under the ``mkdocs`` script, and which an import may extend later
    (setuptools appends its ``_vendor`` folder). The folder names carry both
    (``torch-2.13.0+cpu.dist-info``), so no metadata file is read.
    """
    found = set()
    for entry in _site_folders():
        folder = Path(entry or ".")
        if folder.is_dir():
            found.update(p.name.rsplit(".", 1)[0].lower() for p in folder.iterdir()
                         if p.suffix in (".dist-info", ".egg-info"))
    return tuple(sorted(found))


def packages(root: Path, depends_on: list[str]) -> list[Path]:
    """The ``depends_on`` folders that are Python packages: their modules are keyed per page, by use."""
    return [root / name for name in depends_on if (root / name / "__init__.py").is_file()]


def fingerprint(root: Path, depends_on: list[str], tracked: list[Path] = ()) -> str:
    """A digest of everything outside a page that its executed code depends on.

    The Python modules of the ``tracked`` package folders are left out: each page's entry
    records the ones it used (``deps.py``).
    """
    h = hashlib.sha256(f"pageexec {ENGINE_VERSION}|{sys.version}|{sys.platform}".encode())
    tracked = [folder.resolve() for folder in tracked]
    for name in sorted(depends_on):
        path = (root / name).resolve()
        if not path.exists():
            raise PluginError(f"pageexec: depends_on names {name!r}, which does not exist")
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            if file.suffix == ".py" and any(folder in file.parents for folder in tracked):
                continue
            h.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    h.update(";".join(installed_distributions()).encode())
    return h.hexdigest()


def git_commit(root: Path, paths: list[str]) -> str | None:
    """The short commit of ``root`` (with ``+`` when ``paths`` have uncommitted changes), or None."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *paths], cwd=root, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+" if dirty else "")


def provenance_html(facts: dict, language: str = "en") -> str:
    """The note under a page with executed code: what produced its outputs, in the reader's words."""
    words = downloads.MESSAGES[language]
    parts = ([f"Python {facts['python']}"] if facts.get("python") else []) + \
        [f"{name} {version}" for name, version in facts.get("packages", [])]
    text = html_lib.escape(", ".join(parts))
    commit = facts.get("commit")
    if commit:
        changed = words["modified"] if commit.endswith("+") else ""
        text += f" ({words['commit']} <code>{html_lib.escape(commit.rstrip('+'))}</code>{changed})"
    # the run time is not shown: two builds of one commit must give the same page (it is in the report)
    return f'<aside class="pageexec-provenance" data-search-exclude><p>{words["made_with"]}: {text}.</p></aside>'


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def write_report(path: Path, report: dict) -> None:
    """The build report as JSON, written atomically (its folder is made if missing)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as error:
        raise PluginError(f"pageexec: cannot write the report to {path} ({error.strerror or error})") from None


class BuildState:
    """Everything one build knows; a new one for every build (``mkdocs serve`` rebuilds included)."""

    def __init__(self, plugin: "PageExecPlugin", config) -> None:
        options = plugin.config
        self.root = Path(config.config_file_path).resolve().parent
        self.timeout = options.timeout
        self.output_limit = options.output_limit
        workers = options.workers
        self.workers = workers or os.cpu_count() or 1
        mode, cache_dir = options.mode, options.cache_dir
        # what `python -m pageexec.diff` sets for both of its builds, over whatever mkdocs.yml says
        if os.environ.get("PAGEEXEC_MODE"):
            try:
                mode = Mode().run_validation(os.environ["PAGEEXEC_MODE"])
            except c.ValidationError as error:
                raise PluginError(f"pageexec: PAGEEXEC_MODE: {error}") from None
        cache_dir = os.environ.get("PAGEEXEC_CACHE_DIR") or cache_dir
        self.cache = Cache(self.root / cache_dir / "pageexec", mode)
        tracked = packages(self.root, options.depends_on)
        self.package = deps.scan(self.root, tracked) if tracked else None
        self.context = fingerprint(self.root, options.depends_on, tracked)
        self.plugin = plugin
        # what the zygote imported, all of it: the key's files and the tracked packages' modules
        modules = sorted(self.package.digests.items()) if self.package is not None else []
        self.runner_key = (tuple(options.preload), str(self.root), self.timeout, self.output_limit, self.workers,
                           self.context, tuple(modules))
        self.runner_reused = False
        self.workers_before = 0
        self.engine = Engine(runner=self._runner, cache=self.cache, context=self.context,
                             show_failures=plugin.serving, provenance=self._provenance, package=self.package,
                             result_label=downloads.MESSAGES[options.language]["result"] if options.label_results else "")
        self.named = list(options.provenance)
        for name in self.named:
            try:
                metadata.version(name)
            except metadata.PackageNotFoundError:
                raise PluginError(f"pageexec: provenance names {name!r}, which is not an installed distribution") from None
        for name in options.preload:
            if importlib.util.find_spec(name.partition(".")[0]) is None:
                raise PluginError(f"pageexec: preload names {name!r}, which is not an importable module")
        self.report_path = options.report or os.environ.get("EXEC_REPORT") or None
        self.logged: set[str] = set()  # causes of failures already logged with their traceback
        self.depends_on = list(options.depends_on)
        self._facts: dict | None = None
        self.preload = list(options.preload)
        self.renders = RenderCache(self.cache, self.context)
        self.planned: dict[str, tuple[str, str, str]] = {}  # src_uri -> (file, Markdown, the same after snippets)
        self.meta: dict[str, dict] = {}  # src_uri -> its front matter, as planning parsed it
        self.notebooks: dict[tuple[str, str], str] = {}  # (src_uri, title) -> its download notebook, made once
        self.report: dict = {"executed": [], "cached": [], "seconds": {}, "workers": {}}
        self.outputs_path = options.outputs or os.environ.get("EXEC_OUTPUTS") or None
        self.status_page = options.status_page.strip("/")
        self.notebooks: dict[str, dict] = {}  # src_uri -> {"material", "text" | "future"}
        self.copies = Path(tempfile.mkdtemp(prefix="pageexec-notebooks-"))
        self.complete = True
        self.kinds: set[str] = set()  # cache kinds of other hooks, pruned with the pages'
        self.jupyter = None  # mkdocs-jupyter's config, when it is in use
        self.execute_notebooks = False  # what mkdocs-jupyter's own ``execute`` said
        self.downloads = options.downloads
        self.language = options.language
        self.install = list(options.downloads.install)  # what a download installs first (add_install adds)
        self.install_notes = [options.downloads.install_note] if options.downloads.install_note else []
        self.site_url = (config.site_url or "").rstrip("/")
        self.colab = ""
        if options.downloads.enabled and options.downloads.colab_branch:
            repo = (config.repo_url or "").rstrip("/")
            if not repo.startswith("https://github.com/"):
                raise PluginError(f"pageexec: downloads.colab_branch needs a GitHub repo_url (Colab opens notebooks "
                                  f"from GitHub), got repo_url {config.repo_url!r}")
            self.colab = (f"https://colab.research.google.com/github/{repo.removeprefix('https://github.com/')}"
                          f"/blob/{quote(options.downloads.colab_branch)}")
        self.files = None  # the build's files, from on_nav
        self.requires: dict[str, str] = {}  # src_uri -> the runner label its front matter requires
        self.shard = None
        if os.environ.get("EXEC_SHARD"):
            try:
                self.shard = shards.parse(os.environ["EXEC_SHARD"], os.environ.get("EXEC_REQUIRES", ""))
            except ValueError as error:
                raise PluginError(f"pageexec: EXEC_SHARD: {error}") from None
            self.engine.holding = True
        self.site_dir = config.site_dir
        self.closed = False

    def _provenance(self) -> dict:
        """Versions and commit of what produced a page's outputs (read once, when a page first runs)."""
        if self._facts is None:
            packages = []  # pairs, in the configured order (a cache entry's JSON sorts dict keys)
            for name in self.named:
                packages.append([name, metadata.version(name)])  # checked when the build started
            self._facts = {"python": platform.python_version(), "packages": packages,
                           "commit": git_commit(self.root, self.depends_on)}
        return dict(self._facts)

    def _runner(self) -> Runner:
        """This build's workers: under ``mkdocs serve``, the previous build's while nothing the zygote
        imported has changed (its preload, the ``depends_on`` files, the limits), so an edited block
        does not wait for torch to be imported again."""
        kept = self.plugin.kept
        if kept is not None and kept[0] == self.runner_key and kept[1].alive:
            self.runner_reused = True
            runner = kept[1]
        else:
            if kept is not None:
                kept[1].close()
                self.plugin.kept = None
            runner = Runner(preload=self.preload, cwd=str(self.root), timeout=self.timeout,
                            output_limit=self.output_limit, workers=self.workers)
            runner.project = str(self.root)  # the pages' code may not write into the project
            if self.plugin.serving:
                self.plugin.kept = (self.runner_key, runner)
        self.workers_before = runner.started_workers
        return runner

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        kept = self.plugin.kept
        if self.engine.runner_started and not (kept is not None and kept[1] is self.engine.runner):
            self.engine.runner.close()
        shutil.rmtree(self.copies, ignore_errors=True)


class PageExecPlugin(BasePlugin[PageExecConfig]):
    """Executed code blocks and notebooks, each page in its own worker process."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        super().__init__()
        self.serving = False
        self.state: BuildState | None = None
        self.kept: tuple[tuple, Runner] | None = None  # (key, workers) kept between the builds of `mkdocs serve`
        atexit.register(self._close_all)  # an interrupted build or serve leaves no worker behind

    def _close_all(self) -> None:
        if self.state is not None:
            self.state.close()
        if self.kept is not None:
            self.kept[1].close()
            self.kept = None

    # -- set-up --------------------------------------------------------------------------

    def on_startup(self, *, command, dirty) -> None:
        self.serving = command == "serve"

    def on_config(self, config):
        try:
            compat.check()
        except compat.IncompatibleVersion as error:
            raise PluginError(str(error)) from None
        if "markdown-exec" in config.plugins:
            raise PluginError("pageexec: remove the markdown-exec plugin from mkdocs.yml; pageexec executes the blocks "
                              "(through markdown-exec's public API) and would be overridden by it")
        if "pymdownx.superfences" not in config.markdown_extensions:
            raise PluginError("pageexec: add pymdownx.superfences to markdown_extensions; executed blocks are its fences")
        if self.state is not None:
            self.state.close()
        self.state = state = BuildState(self, config)
        superfences = config.mdx_configs.setdefault("pymdownx.superfences", {})
        ours = state.engine.custom_fences()
        names = {fence["name"] for fence in ours}
        superfences["custom_fences"] = [f for f in superfences.get("custom_fences", []) if f.get("name") not in names] + ours
        # markdown-exec renders a block's source and result with the site's extensions (its
        # documented markdown_config; without it tables, attribute lists… are not rendered)
        markdown_exec.markdown_config.save(list(config.markdown_extensions), dict(config.mdx_configs))
        config.markdown_extensions.append(state.engine.extension())
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None:
            state.jupyter = jupyter.config  # read again when planning: hooks may add to execute_ignore
            state.execute_notebooks = bool(jupyter.config["execute"])
            jupyter.config["execute"] = False  # the engine executes notebooks, with its time limit and cache
            jupyter.config["cache"] = False
        return config

    # -- planning: every page, before any renders ----------------------------------------

    def on_files(self, files, config):
        """The status page (``status_page``), generated: its text is written when it renders."""
        uri = self.state.status_page
        if uri:
            if not uri.endswith(".md"):
                raise PluginError(f"pageexec: status_page must name a Markdown page (status.md, say), got {uri!r}")
            if files.get_file_from_path(uri) is not None:
                raise PluginError(f"pageexec: status_page is {uri!r}, but docs/{uri} exists; name another page")
            files.append(File.generated(config, uri, content=f"# {outputs.STATUS[self.state.language]['title']}\n"))
        return files

    @event_priority(-100)  # after every plugin that adds or changes pages
    def on_nav(self, nav, config, files):
        state = self.state
        md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
        for file in files.documentation_pages():
            if file.src_uri.endswith(".md"):
                self._plan_markdown(md, file)
            elif state.execute_notebooks and file.src_uri.endswith(".ipynb") and not self._ignored(file):
                self._plan_notebook(file)
        state.renders.site = site_digest(config, files)
        state.files = files
        if state.shard is not None:
            self._start_shard()
        state.site_dir = config.site_dir  # read now: a hook may have moved it in on_config
        return nav

    def _record_timing(self, name: str, seconds) -> None:
        """The run time shards split pages by (kind ``timing``, by page name): written by builds that
        are not shards, so every shard of one round reads the same times."""
        if not isinstance(seconds, (int, float)):
            return
        stored = self.state.cache.load("timing", {"page": name})
        if not (isinstance(stored, dict) and stored.get("seconds") == seconds):
            self.state.cache.save("timing", {"page": name}, {"seconds": seconds})

    def _start_shard(self) -> None:
        """Shard mode (``EXEC_SHARD=i/n``): start only this shard's pages (shards.py); the others are
        held (rendered with empty outputs here, stored by the shard that runs them)."""
        state = self.state
        pending, plans = {}, {}
        for name, plan in state.engine.rendered.items():
            if plan.blocks:  # every page with code, cached or not: the split does not depend on what ran
                uri = name.removeprefix("docs/")
                recorded = state.cache.load("timing", {"page": name})
                weight = recorded.get("seconds") if isinstance(recorded, dict) else None
                if not isinstance(weight, (int, float)):
                    weight = sum(len(fence.code) for fence in plan.blocks) / 1000
                pending[name], plans[name] = (float(weight), state.requires.get(uri, "")), plan
        for uri, entry in state.notebooks.items():
            name = f"docs/{uri}"
            recorded = state.cache.load("timing", {"page": name})
            if isinstance(recorded, dict) and isinstance(recorded.get("seconds"), (int, float)):
                weight = recorded["seconds"]
            else:
                weight = len(Path(state.root / name).read_bytes()) / 1000 if (state.root / name).is_file() else 1.0
            pending[name], plans[name] = (float(weight), ""), entry
        mine = set(shards.assign(pending, state.shard))
        state.engine.holding = False
        for name, item in plans.items():
            if isinstance(item, dict):  # a notebook
                if "start" not in item:
                    continue  # cached
                if name in mine:
                    item["future"] = item.pop("start")()
                else:
                    item["held"] = True
            elif item.outputs is not None:
                continue  # cached: rendered from the cache, whichever shard it belongs to
            elif name in mine:
                state.engine.start(item)
            else:
                item.held = True
        state.engine.holding = True  # a page rendered again later starts nothing either
        state.report["shard"] = {"shard": str(state.shard), "pages": sorted(mine)}
        log.info("pageexec: shard %s has %d of the %d page(s) with code: %s", state.shard, len(mine), len(pending),
                 ", ".join(sorted(mine)) or "none")

    def _plan_markdown(self, md: markdown.Markdown, file) -> None:
        try:
            raw = file.content_string
        except (OSError, UnicodeDecodeError):
            return  # MkDocs reports it when it reads the page
        body, meta = page_meta.get_data(raw)
        self.state.meta[file.src_uri] = meta
        self._where(file, body, raw, meta)
        if isinstance(meta.get("requires"), str):
            self.state.requires[file.src_uri] = meta["requires"].strip()
        lines = body.split("\n")
        try:
            for preprocessor in md.preprocessors:
                if isinstance(preprocessor, _PlanPreprocessor):
                    self.state.planned[file.src_uri] = (raw, body, "\n".join(lines))
                    preprocessor.run(lines)  # plans the page and starts it if it is not cached
                    break
                lines = preprocessor.run(lines)
        except BlockError:
            raise
        except Exception as error:  # noqa: BLE001 - a missing snippet, say: the page's own render reports it
            log.debug("pageexec: could not plan %s ahead (%s); it runs when it renders", file.src_uri, error)
        finally:
            md.reset()

    def _where(self, file, body: str, raw: str, meta: dict | None = None) -> None:
        at = raw.find(body) if body.strip() else -1
        first_line = raw.count("\n", 0, at) + 1 if at > 0 else 1
        engine = self.state.engine
        folder = Path(file.abs_src_path).parent if file.abs_src_path else self.state.root
        engine.current = lambda: f"docs/{file.src_uri}"
        engine.source = lambda: (body, first_line)
        engine.folder = lambda: str(folder)
        engine.inputs = lambda: self._inputs(file, folder, (meta or {}).get("depends_on"))

    def _inputs(self, file, folder: Path, declared) -> dict:
        """Digests of the files a page declares it reads (``depends_on:`` in its front matter)."""
        if declared is None:
            return {}
        names = [declared] if isinstance(declared, str) else declared
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise BlockError(f"docs/{file.src_uri}: depends_on must be a path or a list of paths "
                             f"(relative to the page's folder), got {declared!r}")
        found = {}
        for name in names:
            path = (folder / name).resolve()
            if not path.exists():
                raise BlockError(f"docs/{file.src_uri}: depends_on names {name!r}, which does not exist "
                                 f"(looked for {path}; paths are relative to the page's folder)")
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            for item in files:
                try:
                    label = item.relative_to(self.state.root).as_posix()
                except ValueError:
                    label = str(item)
                found[label] = hashlib.sha256(item.read_bytes()).hexdigest()
        return found

    def _ignored(self, file) -> bool:
        """Notebooks shown as they are, never run: mkdocs-jupyter's ``execute_ignore``, and a notebook
        whose metadata says ``"pageexec": {"execute": false}`` (a page's download, say)."""
        path = PurePath(file.abs_src_path or file.src_uri)
        if any(path.match(pattern) for pattern in self.state.jupyter.get("execute_ignore") or []):
            return True
        try:
            own = json.loads(file.content_string).get("metadata", {}).get("pageexec", {})
        except (OSError, ValueError, AttributeError):
            return False  # mkdocs-jupyter reports a notebook it cannot read
        return isinstance(own, dict) and own.get("execute") is False

    def _plan_notebook(self, file) -> None:
        state = self.state
        text = file.content_string
        # a notebook's kernel is not tracked: every module of the watched packages is in its key
        modules = state.package.digests if state.package is not None else {}
        material = {"name": f"docs/{file.src_uri}", "context": state.context, "modules": modules, "notebook": digest(text),
                    "kernel": state.jupyter.get("kernel_name") or "python3",
                    "allow_errors": bool(state.jupyter.get("allow_errors"))}
        stored = state.cache.load("notebook", material)
        entry = {"material": material, "text": None, "provenance": None}
        if isinstance(stored, dict) and isinstance(stored.get("text"), str):
            entry["text"], entry["provenance"] = stored["text"], stored.get("provenance")
        elif state.shard is not None:
            entry["start"] = lambda: state.engine.runner.call(self._run_notebook, file, text, material)
            entry["weight"] = len(text) / 1000  # replaced by its recorded run time, if any (shards.py)
        else:
            entry["future"] = state.engine.runner.call(self._run_notebook, file, text, material)
        state.notebooks[file.src_uri] = entry

    def _run_notebook(self, file, text: str, material: dict) -> tuple[str, dict]:
        started, when = time.perf_counter(), datetime.now(timezone.utc).isoformat(timespec="seconds")
        executed = notebooks.execute(f"docs/{file.src_uri}", text, cwd=str(Path(file.abs_src_path).parent),
                                     timeout=self.state.timeout, kernel=material["kernel"],
                                     allow_errors=material["allow_errors"], output_limit=self.state.output_limit,
                                     project=str(self.state.root))
        return executed, {**self.state._provenance(), "seconds": round(time.perf_counter() - started, 1), "computed": when}

    # -- rendering -----------------------------------------------------------------------

    @event_priority(100)  # before mkdocs-jupyter's on_pre_page
    def _pre_page_first(self, page, config, files):
        entry = self.state.notebooks.get(page.file.src_uri)
        if entry is None:
            if page.file.src_uri in self.state.planned:
                self._render_cached(page)
            return page
        name = f"docs/{page.file.src_uri}"
        if entry.get("held"):
            return page  # another shard runs it: shown as it is here, nothing stored
        if entry["text"] is None:
            try:
                entry["text"], entry["provenance"] = entry["future"].result()
            except notebooks.NotebookError as error:
                raise PluginError(str(error)) from None
            except Exception as error:  # noqa: BLE001 - no kernel, say: named, never a traceback of ours
                raise PluginError(f"{name} could not run: {type(error).__name__}: {error}") from None
            self.state.cache.save("notebook", entry["material"], {"text": entry["text"], "provenance": entry["provenance"]})
            self.state.report["executed"].append(page.file.src_uri)
        else:
            self.state.report["cached"].append(page.file.src_uri)
        copy = notebooks.write_copy(self.state.copies / digest(name)[:16], Path(page.file.abs_src_path).name, entry["text"])
        page.file.abs_src_path = str(copy)  # mkdocs-jupyter renders (and offers for download) the executed copy
        return page

    @event_priority(-100)  # after mkdocs-jupyter's on_pre_page, which replaced the page's render
    def _pre_page_last(self, page, config, files):
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is None or not page.file.src_uri.endswith(".ipynb") or "render" not in page.__dict__:
            return page
        state, original = self.state, page.render

        def render(config, files):
            try:
                text = Path(page.file.abs_src_path).read_bytes()
            except (OSError, TypeError):
                return original(config, files)
            options = json.loads(json.dumps(dict(jupyter.config), default=str, sort_keys=True))
            material = {"notebook-page": page.file.src_uri, "url": page.url, "site": state.renders.site,
                        "text": hashlib.sha256(text).hexdigest(), "options": options,
                        "versions": [_version(name) for name in ("mkdocs-jupyter", "nbconvert", "jupytext", "pygments")]}
            if render_notebook(page, config, files, original, cache=state.cache, material=material):
                state.renders.restored.append(page.file.src_uri)

        page.render = render
        return page

    on_pre_page = CombinedEvent(_pre_page_first, _pre_page_last)

    def _render_cached(self, page) -> None:
        """Let the render cache answer ``page.render`` when the page's outputs and text are unchanged."""
        state, original, name = self.state, page.render, f"docs/{page.file.src_uri}"

        def result():
            plan = state.engine.rendered.get(name)
            if plan is None or plan.failed or plan.held or plan.live is not None or len(plan.records) != len(plan.blocks):
                return None
            if plan.outputs is not None:
                return plan.records, plan.outputs
            return plan.records, [outcome.output for outcome in plan.future.result()]

        def render(config, files):
            raw, body, expanded = state.planned[page.file.src_uri]
            planned = state.engine.rendered.get(name)
            if body != page.markdown or planned is None or not planned.blocks:
                return original(config, files)  # changed by a hook since planning, or nothing executed
            state.renders.render(page, config, files, original, source=raw, expanded=expanded, outputs=planned.outputs,
                                 replay=lambda records: state.engine.replay(planned, records), result=result)

        page.render = render

    def on_page_markdown(self, markdown_text, page, config, files):
        if page.file.src_uri == self.state.status_page:
            markdown_text = self._status(page.file.src_uri)
            self._where(page.file, markdown_text, markdown_text, page.meta)  # its own name: no other page's record
            return markdown_text
        # markdown-exec numbers the ids of rendered outputs from a process-wide counter: start
        # every page at 0, so a page's ids do not depend on which pages rendered before it
        # (or came from the cache) in this build, as markdown-exec's own plugin resets it
        markdown_exec.MarkdownConverter.counter = 0
        planned = self.state.planned.get(page.file.src_uri)
        if planned is not None and planned[1] == markdown_text:
            raw = planned[0]  # the file as planning read it: not read a second time
        else:
            raw = page.file.content_string if page.file.src_uri.endswith(".md") else markdown_text
        self._where(page.file, markdown_text, raw, page.meta)
        return markdown_text

    def on_page_content(self, html, page, config, files):
        state = self.state
        name = f"docs/{page.file.src_uri}"
        notebook = state.notebooks.get(page.file.src_uri)
        if notebook is not None:
            if state.shard is None and not notebook.get("held"):
                self._record_timing(name, (notebook.get("provenance") or {}).get("seconds"))
            return html + self.note(page)
        plan = state.engine.rendered.get(name)
        if plan is None:
            return html
        status = state.engine.finish(plan)
        if status in ("executed", "cached") and state.shard is None:
            self._record_timing(name, (plan.provenance or {}).get("seconds"))
        if status == "executed":
            state.report["executed"].append(page.file.src_uri)
            state.report["seconds"][page.file.src_uri] = round(plan.seconds, 3)
            state.report["workers"][page.file.src_uri] = plan.worker
        elif status == "cached":
            state.report["cached"].append(page.file.src_uri)
        if not plan.failed:
            html = self._downloads(page, html) + self.note(page)
        if plan.failed:
            state.complete = False
            for failure in state.engine.failures:
                # a cause shared by every page (the workers could not start) is logged in full once
                first, _, cause = failure.partition(" could not run: ")
                if cause and cause in state.logged:
                    log.error("%s could not run: %s", first, cause.partition("\n")[0])
                else:
                    state.logged.add(cause)
                    log.error("%s", failure)
            state.engine.failures.clear()
        return html

    def _executed_pages(self) -> list[tuple[str, str, dict | None]]:
        """``(src_uri, title, provenance)`` of every page with executed code, in page order
        (waiting for the pages still running)."""
        state, found = self.state, []
        for file in state.files.documentation_pages() if state.files is not None else []:
            uri = file.src_uri
            notebook = state.notebooks.get(uri)
            if notebook is not None:
                if notebook["text"] is None:
                    try:
                        notebook["text"], notebook["provenance"] = notebook["future"].result()
                    except Exception:  # noqa: BLE001 - the notebook's own page reports it
                        continue
                found.append((uri, posixpath.basename(posixpath.splitext(uri)[0]), notebook["provenance"]))
                continue
            plan = state.engine.rendered.get(f"docs/{uri}")
            if plan is not None and plan.blocks and self.executed(uri):
                found.append((uri, self._title(uri, file), plan.provenance))
        return found

    def _status(self, uri: str) -> str:
        return outputs.status_markdown(uri, self._executed_pages(), self.state.language)

    # -- the public API for hooks and other plugins ----------------------------------------

    def executed(self, page) -> list[ExecutedBlock]:
        """The executed blocks of a page (a Page or its ``src_uri``), in page order, with what each
        printed. Any time after ``on_nav``: for a page that has not rendered yet, its outputs are
        waited for; [] for a page without executed blocks or whose blocks failed (it reports that)."""
        uri = page if isinstance(page, str) else page.file.src_uri
        plan = self.state.engine.rendered.get(f"docs/{uri}") if self.state else None
        if plan is None or not plan.blocks:
            return []
        if plan.served or plan.live is not None:  # rendered
            return [] if plan.failed else list(plan.records)
        return self.state.engine.records(plan) or []

    def note(self, page) -> str:
        """The note on what produced a page's outputs (HTML; a Page or its ``src_uri``), or "" for a page without any."""
        uri = page if isinstance(page, str) else page.file.src_uri
        notebook = self.state.notebooks.get(uri)
        if notebook is not None:
            facts = notebook.get("provenance")
        else:
            plan = self.state.engine.rendered.get(f"docs/{uri}")
            if plan is not None and plan.blocks and plan.provenance is None and not plan.served and plan.future is not None:
                self.executed(uri)  # not rendered yet: its run's facts are known once it finished
            facts = plan.provenance if plan is not None and plan.blocks else None
        return provenance_html(facts, self.state.language) if facts else ""

    def add_install(self, requirement: str, note: str = "") -> None:
        """Add a pip requirement that the downloads install first (a wheel the site publishes, say),
        with its description for the reader. Call it from a hook's ``on_config`` with a priority
        below 0 (after this plugin's): it holds for the build that is starting."""
        if self.state is None or self.state.files is not None:
            raise PluginError("pageexec: add_install must be called in on_config, after pageexec's own "
                              "(give the hook's on_config a priority below 0)")
        self.state.install.append(requirement)
        if note:
            self.state.install_notes.append(note)

    def download_source(self, uri: str, title: str | None = None) -> downloads.Source:
        """What the downloads of page ``uri`` say about it: its title, address, name, installs."""
        state = self.state
        file = state.files.get_file_from_path(uri) if state.files is not None else None
        url = file.url if file is not None else quote(posixpath.splitext(uri)[0]) + "/"  # MkDocs' url is encoded
        if title is None:
            title = self._title(uri, file)
        return downloads.Source(title=title, url=f"{state.site_url}/{url}" if state.site_url else url,
                                name=posixpath.basename(posixpath.splitext(uri)[0]), install=tuple(state.install),
                                install_note=", ".join(state.install_notes), language=state.language)

    def _title(self, uri: str, file) -> str:
        """A page's title before it renders: its front matter's, else its first level-1 heading, else its name."""
        planned = self.state.planned.get(uri)
        if planned is not None:
            meta = self.state.meta.get(uri, {})  # parsed once, when the page was planned
            if isinstance(meta.get("title"), str):
                return meta["title"]
            for line in planned[1].split("\n"):
                found = heading(line)
                if found is not None and found[0] == 1:
                    return found[1]
        return posixpath.basename(posixpath.splitext(uri)[0])

    def download_notebook(self, uri: str, title: str | None = None) -> str:
        """Page ``uri``'s download notebook (nbformat JSON), any time after ``on_nav``: what a hook
        shows as a notebook page of the site. Its metadata tells pageexec not to run it again."""
        return self._notebook(uri, self.executed(uri), self.download_source(uri, title))

    def _notebook(self, uri: str, blocks, source: downloads.Source) -> str:
        """The notebook of ``uri``'s blocks, made once per build (a hook's page and the download are one)."""
        key = (uri, source.title)
        if key not in self.state.notebooks:
            self.state.notebooks[key] = downloads.notebook_json(blocks, source)
        return self.state.notebooks[key]

    def download_links(self, uri: str, page_url: str) -> dict[str, str]:
        """Page ``uri``'s downloads, relative to a page at ``page_url`` (as MkDocs gives it), and its
        Colab address ("" without ``colab_branch``); paths percent-encoded (a name may hold a space)."""
        folder, name = self.state.downloads.folder.strip("/"), posixpath.splitext(uri)[0]
        base = get_relative_url(quote(f"{folder}/{name}"), page_url or ".")
        colab = f"{self.state.colab}/{quote(name)}.ipynb" if self.state.colab else ""
        return {"ipynb": f"{base}.ipynb", "py": f"{base}.py", "colab": colab}

    def _downloads(self, page, html: str) -> str:
        """Write a rendered page's downloads into the site, and link them from the page."""
        state = self.state
        if not state.downloads.enabled:
            return html
        blocks = self.executed(page)
        if not blocks:
            return html
        source = self.download_source(page.file.src_uri)  # the title the notebook page of the same blocks gets
        try:
            notebook, script = self._notebook(page.file.src_uri, blocks, source), downloads.script(blocks, source)
        except SyntaxError as error:  # an executed block that is not Python on its own (never ran as such)
            raise PluginError(f"docs/{page.file.src_uri}: cannot make its downloads: {error}") from None
        name = posixpath.splitext(page.file.src_uri)[0]
        target = Path(state.site_dir) / state.downloads.folder.strip("/") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.with_name(target.name + ".ipynb").write_text(notebook, encoding="utf-8")
        target.with_name(target.name + ".py").write_text(script, encoding="utf-8")
        links = page.meta["pageexec_downloads"] = self.download_links(page.file.src_uri, page.url)
        if not state.downloads.links:
            return html
        words = downloads.MESSAGES[state.language]
        items = [f'<a href="{html_lib.escape(links["ipynb"])}" download>{words["notebook"]} (.ipynb)</a>',
                 f'<a href="{html_lib.escape(links["py"])}" download>{words["script"]} (.py)</a>']
        if links["colab"]:
            items.append(f'<a href="{html_lib.escape(links["colab"])}" rel="noopener">{words["colab"]}</a>')
        return f'<p class="pageexec-downloads">{words["download"]}: {" · ".join(items)}</p>\n' + html

    def cache(self, kind: str) -> Cache:
        """The build's cache, for a hook that stores derived data under its own ``kind``.

        Entries of that kind that no page of the build used are pruned with the pages' own.
        """
        self.state.kinds.add(kind)
        return self.state.cache

    # -- the end -------------------------------------------------------------------------

    @event_priority(-95)  # after every hook that stores derived data in the cache; before the site is swapped in
    def on_post_build(self, config):
        state = self.state
        if state.complete and not self.serving and state.shard is None:  # a shard prunes nothing: shards share caches
            state.cache.prune({"page", "notebook", "render"} | state.kinds)
        state.report["rendered_from_cache"] = list(state.renders.restored)
        state.report["torch_imported"] = "torch" in sys.modules
        state.report["workers_started"] = (state.engine.runner.started_workers - state.workers_before
                                           if state.engine.runner_started else 0)
        state.report["workers_reused"] = state.runner_reused  # serve: the zygote of an earlier build
        state.report["refused"] = list(state.cache.refused)
        if state.report_path:
            write_report(Path(state.report_path), state.report)
        if state.outputs_path and state.complete:
            self._write_outputs(Path(state.outputs_path))
        self._log_runs()
        log.info("pageexec: %d page(s) executed, %d from the cache", len(state.report["executed"]), len(state.report["cached"]))
        markdown_exec.MarkdownConverter.counter = 0
        markdown_exec.markdown_config.reset()  # what markdown-exec's own plugin does after a build
        state.close()

    def _write_outputs(self, path: Path) -> None:
        state, pages = self.state, {}
        for uri, title, facts in self._executed_pages():
            notebook = state.notebooks.get(uri)
            blocks = (outputs.notebook_records(notebook["text"]) if notebook is not None
                      else [outputs.block_record(block) for block in self.executed(uri)])
            pages[f"docs/{uri}"] = {"title": title, "provenance": facts, "blocks": blocks}
        try:
            outputs.write(path if path.is_absolute() else state.root / path, pages)
        except OSError as error:
            raise PluginError(str(error)) from None

    def _log_runs(self) -> None:
        """One line per page that ran (time, worker), the slowest pages, and in CI
        (``GITHUB_STEP_SUMMARY``) the same as a table in the job summary."""
        report = self.state.report
        ran = sorted(report["seconds"].items(), key=lambda item: -item[1])
        for uri, seconds in sorted(report["seconds"].items()):
            log.info("pageexec: ran docs/%s in %.1f s (worker %s)", uri, seconds, report["workers"].get(uri))
        if len(ran) > 1:
            log.info("pageexec: slowest: %s", ", ".join(f"docs/{uri} {seconds:.1f} s" for uri, seconds in ran[:3]))
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary and ran:
            rows = "".join(f"| `docs/{uri}` | {seconds:.1f} | {report['workers'].get(uri)} |\n" for uri, seconds in ran)
            try:
                with open(summary, "a", encoding="utf-8") as out:
                    out.write(f"### Pages executed by this build\n\n| page | seconds | worker |\n|---|---:|---:|\n{rows}\n")
            except OSError as error:
                log.warning("pageexec: cannot write the job summary %s: %s", summary, error)

    def on_build_error(self, error):
        if self.state is not None:
            self.state.close()

    def on_shutdown(self):
        if self.state is not None:
            self.state.cache.release()
        self._close_all()
