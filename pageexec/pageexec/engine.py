"""The block-level engine: plan a text's executed blocks, run them in a worker, cache, render.

Nothing here needs MkDocs. ``Engine.extension()`` is a Markdown extension whose
preprocessor (after snippets, before superfences) plans the text: it scans the fences,
refuses malformed ones, computes the page's cache key and starts the page in a worker if
the cache has no entry for it. ``Engine.custom_fences()`` are superfences' custom fences
for ``python``, ``py`` and ``pycon``: markdown-exec's public ``validator`` reads the options
and its public ``base_format`` renders source and result, with ``run`` answered from the
page's worker (or its cache entry) instead of an exec in this process::

    engine = Engine(runner=Runner(...), cache=Cache(folder))
    html = markdown.markdown(text, extensions=[engine.extension(), "pymdownx.superfences"],
                             extension_configs={"pymdownx.superfences": {"custom_fences": engine.custom_fences()}})
"""

from __future__ import annotations

import html as html_lib
import threading
import time
from datetime import datetime, timezone
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

import markdown_exec
from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markupsafe import Markup
from pymdownx.superfences import SuperFencesException

from pageexec import deps
from pageexec.cache import Cache
from pageexec.fences import EXEC_LANGUAGES, FALSE, Fence, problems, pycon_code, scan
from pageexec.runner import Job, Outcome, Runner, WorkersUnavailable

try:  # a PluginError is what MkDocs reports as a build failure; plain Markdown users get an Exception
    from mkdocs.exceptions import PluginError as _Base
except ImportError:  # pragma: no cover
    _Base = Exception


class BlockError(SuperFencesException, _Base):
    """An executed block failed, or a page's fences are malformed. Names the file and line.

    A SuperFencesException, because superfences turns any other error of a custom fence into
    a plain code block: the failure would go unnoticed.
    """


@dataclass
class ExecutedBlock:
    """One executed block of a rendered page, in page order (the public record of a page)."""

    code: str  # as executed: snippets expanded, pycon prompts removed
    output: str  # what it printed
    html: bool  # output is HTML (html="1")
    session: str | None
    line: int | None
    options: dict = field(default_factory=dict)  # its fence's options as written (fences.scan): result, html, title...
    section: str | None = None  # the heading of the page section it is in (fences.scan)


@dataclass
class Plan:
    """A text's executed blocks, its cache key, and their outcomes once known."""

    name: str
    blocks: list[Fence]
    material: dict
    outputs: list[str] | None = None  # from the cache
    future: Future | None = None  # the worker's run
    served: list[int] = field(default_factory=list)
    records: list[ExecutedBlock] = field(default_factory=list)
    failed: bool = False
    live: list[Job] | None = None  # blocks run outside the plan (rare: text changed after planning)
    folder: str | None = None  # the blocks' working directory (the page's folder)
    seconds: float = 0.0  # how long its worker ran (the fork server's start included, if it was the first)
    provenance: dict | None = None  # what produced the outputs: versions, commit, seconds, when (cached with them)
    worker: int | None = None  # the process id of the worker that ran it
    held: bool = False  # another shard runs it: rendered with empty outputs, never stored

    def where(self, index: int) -> str:
        return f"{self.name}:{self.blocks[index].line} (executed block {index + 1})"

    def jobs(self) -> list[Job]:
        return [Job(fence_code(f), f.session, self.where(i), f.options.get("workdir") or None,
                    int(f.options.get("width", "0") or 0) or None) for i, f in enumerate(self.blocks)]


def fence_code(fence: Fence) -> str:
    return pycon_code(fence.code) if fence.language == "pycon" else fence.code


def failure_message(where: str, outcome: Outcome) -> str:
    """One message per way a block can fail, naming the block."""
    if outcome.kind == "error":
        return f"{where} raised an exception:\n{outcome.output}"
    if outcome.kind == "exit":
        return f"{where} called sys.exit({outcome.detail!r}); a page must not end the build"
    if outcome.kind == "timeout":
        return f"{where} ran longer than {outcome.detail:g} s (timeout) and was stopped"
    if outcome.kind == "limit":
        return f"{where} printed more than {outcome.detail:,} bytes (output_limit) and was stopped"
    if outcome.kind == "invalid":
        return f"{where} printed text that is not valid Unicode ({outcome.detail}); a page can only show text"
    if outcome.kind == "unavailable":
        return f"{where} could not run: {outcome.detail}"
    return f"{where} did not finish: {outcome.detail}"


class Engine:
    """Plans, runs, caches and renders executed blocks; one instance per build."""

    def __init__(self, *, runner: Runner | Callable[[], Runner], cache: Cache | None = None, context: str = "",
                 show_failures: bool = False, provenance: Callable[[], dict] | None = None,
                 package: deps.Package | None = None, result_label: str = "") -> None:
        self._runner, self.cache, self.context = runner, cache, context
        self.result_label = result_label  # a caption above every text result ("Output"), so it never reads as code
        self.package = package  # watched packages whose modules are keyed per page, by use (deps.py)
        self.provenance = provenance or (lambda: {})
        self.show_failures = show_failures  # True under `mkdocs serve`: the page shows the error
        self.plans: dict[tuple[str, str], Plan] = {}
        self.current: Callable[[], str] = lambda: "<text>"  # the name of the text being rendered
        self.source: Callable[[], tuple[str | None, int]] = lambda: (None, 1)  # its file's text, first line
        self.folder: Callable[[], str | None] = lambda: None  # its blocks' working directory
        self.inputs: Callable[[], dict] = lambda: {}  # digests of the files it declares it reads (part of its key)
        self._by_md: weakref.WeakKeyDictionary[Markdown, Plan] = weakref.WeakKeyDictionary()
        self.failures: list[str] = []
        self.rendered: dict[str, Plan] = {}  # the last plan of each text name
        self.holding = False  # shard mode: nothing starts while planning; the plugin starts its shard's pages
        self._lock = threading.Lock()

    @property
    def runner(self) -> Runner:
        if not isinstance(self._runner, Runner):
            self._runner = self._runner()
        return self._runner

    @property
    def runner_started(self) -> bool:
        return isinstance(self._runner, Runner)

    # -- planning ------------------------------------------------------------------------

    def plan(self, name: str, text: str, *, source: str | None = None, first_line: int = 1) -> Plan:
        """Plan ``text`` (a page's Markdown after snippets); ``source`` gives the file's line numbers."""
        fences = scan(text, 1)
        if source is not None:
            numbered = scan(source, first_line)
            if len(numbered) == len(fences):
                for fence, at in zip(fences, numbered):
                    fence.line = at.line
        found = [f"{name}:{fence.line}: ```{fence.header}\n    {problem}" for fence in fences for problem in problems(fence)]
        if found:
            raise BlockError("malformed executed block:\n  " + "\n  ".join(found))
        blocks = [fence for fence in fences if fence.executes]
        material = {"name": name, "context": self.context,
                    "blocks": [[fence.header, fence.code] for fence in blocks]}
        inputs = self.inputs() if blocks else {}
        if inputs:
            material["inputs"] = inputs
        key = (name, repr(material["blocks"]), repr(inputs))
        with self._lock:
            if key in self.plans:
                return self.plans[key]
            plan = self.plans[key] = Plan(name, blocks, material, folder=self.folder())
        if blocks and self.cache is not None:
            stored = self.cache.load("page", material)
            outputs = stored.get("outputs") if isinstance(stored, dict) else None
            current = self.package is None or deps.still_valid(self.package, stored.get("modules") if stored else None)
            if current and isinstance(outputs, list) and len(outputs) == len(blocks) and all(isinstance(o, str) for o in outputs):
                plan.outputs, plan.provenance = outputs, stored.get("provenance")
        return plan

    def start(self, plan: Plan) -> None:
        """Run the plan's page in a worker, unless its outputs are cached or it runs already."""
        if plan.blocks and plan.outputs is None and plan.future is None and not plan.held and not self.holding:
            plan.future = self.runner.call(self._run_page, plan)

    def _run_page(self, plan: Plan) -> list[Outcome]:
        started, when = time.perf_counter(), datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            outcomes = self.runner.run_page(plan.jobs(), plan.folder, self.package.names if self.package else ())
            plan.worker = outcomes.worker
            return outcomes
        finally:
            plan.seconds = time.perf_counter() - started
            plan.provenance = {**self.provenance(), "seconds": round(plan.seconds, 1), "computed": when}

    # -- executing -----------------------------------------------------------------------

    def outcome(self, plan: Plan, index: int) -> Outcome:
        if plan.held:
            return Outcome("ok", "")  # another shard's page: not run here
        if plan.outputs is not None:
            return Outcome("ok", plan.outputs[index])
        self.start(plan)
        try:
            outcomes = plan.future.result()
        except Exception as error:  # noqa: BLE001 - the workers could not start: a named failure, not a crash
            return Outcome("unavailable", detail=str(error) if isinstance(error, WorkersUnavailable)
                           else f"the engine failed ({type(error).__name__}: {error})")
        if index < len(outcomes):
            return outcomes[index]
        failed = len(outcomes) - 1  # an earlier block failed: its failure is this page's failure
        return Outcome("skipped", detail=failure_message(plan.where(failed), outcomes[failed]))

    def _match(self, plan: Plan, code: str) -> int | None:
        for i, fence in enumerate(plan.blocks):
            if i not in plan.served and fence_code(fence).strip() == code.strip():
                return i
        return None

    def _live(self, plan: Plan, code: str, session: str | None) -> Outcome:
        """A block the plan does not know: run the page's blocks so far again, then it, in a fresh worker."""
        jobs = plan.live if plan.live is not None else [plan.jobs()[i] for i in plan.served]
        plan.live = jobs + [Job(code, session, f"{plan.name} (executed block {len(jobs) + 1})")]
        try:
            return self.runner.run_page(plan.live, plan.folder)[-1]  # the block's outcome, or the earlier failure
        except WorkersUnavailable as error:
            return Outcome("unavailable", detail=str(error))

    def run(self, md: Markdown, language: str, code: str, session: str | None, html: bool) -> tuple[str, str | None]:
        """Output of one block, and the failure message if it failed."""
        plan = self._by_md.get(md)
        if plan is None:
            raise BlockError("pageexec: executed block outside a planned text (is engine.extension() loaded?)")
        index = self._match(plan, code) if plan.live is None else None
        if index is None:
            outcome, where = self._live(plan, code, session), f"{plan.name} (executed block {len(plan.served) + 1})"
        else:
            outcome, where = self.outcome(plan, index), plan.where(index)
            plan.served.append(index)
        if not outcome.ok:
            plan.failed = True
            message = outcome.detail if outcome.kind == "skipped" else failure_message(where, outcome)
            return "", message
        fence = plan.blocks[index] if index is not None else None
        plan.records.append(ExecutedBlock(code, outcome.output, html, session, fence.line if fence else None,
                                          dict(fence.options) if fence else {}, fence.section if fence else None))
        return outcome.output, None

    def records(self, plan: Plan) -> list[ExecutedBlock] | None:
        """The record of a planned text before it renders (its outputs, waited for), or None if a
        block failed or the workers could not run it. What its render will record, block by block."""
        outcomes = [self.outcome(plan, index) for index in range(len(plan.blocks))]
        if not all(outcome.ok for outcome in outcomes):
            return None
        return [ExecutedBlock(fence_code(fence), outcome.output, fence.options.get("html", "").lower() not in FALSE,
                              fence.session, fence.line, dict(fence.options), fence.section)
                for fence, outcome in zip(plan.blocks, outcomes)]

    def finish(self, plan: Plan) -> str:
        """After the text rendered: store its outputs. ``cached``, ``executed`` or ``none``."""
        if not plan.blocks:
            return "none"
        if plan.held:
            return "held"
        if plan.outputs is not None and plan.live is None:
            return "cached"
        complete = (not plan.failed and plan.live is None and plan.future is not None
                    and sorted(plan.served) == list(range(len(plan.blocks))))
        if complete and self.cache is not None:
            outcomes = plan.future.result()
            payload = {"outputs": [o.output for o in outcomes], "provenance": plan.provenance}
            if self.package is not None:
                if outcomes.used is None:
                    return "executed"  # what it used is unknown: not stored
                payload["modules"] = deps.resolve(self.package, *outcomes.used)
            self.cache.save("page", plan.material, payload)
        return "executed"

    def replay(self, plan: Plan, records: list[ExecutedBlock]) -> Plan:
        """The record of ``plan``'s text rendered from a stored rendering: every block served."""
        fresh = Plan(plan.name, plan.blocks, plan.material, plan.outputs, plan.future, provenance=plan.provenance,
                     folder=plan.folder, held=plan.held)
        fresh.served, fresh.records = list(range(len(plan.blocks))), list(records)
        self.rendered[plan.name] = fresh
        return fresh

    # -- Markdown ------------------------------------------------------------------------

    def extension(self) -> Extension:
        return _PlanExtension(self)

    def custom_fences(self) -> list[dict]:
        return [{"name": language, "class": language, "validator": self.validator, "format": self.format}
                for language in EXEC_LANGUAGES]

    @staticmethod
    def validator(language, inputs, options, attrs, md) -> bool:
        return markdown_exec.validator(language, inputs, options, attrs, md)

    def format(self, source, language, css_class, options, md, **kwargs) -> str:
        options = dict(options)
        options.pop("workdir", None), options.pop("width", None)  # applied in the worker
        session = options.get("session") or None
        html = bool(options.get("html"))
        code = pycon_code(source) if language == "pycon" else source
        output, failure = self.run(md, language, code, session, html)
        if failure is not None:
            if not self.show_failures:
                raise BlockError(failure)
            self.failures.append(failure)
            return Markup(failure_html(failure))
        result = options.get("result") or ""
        if not html and output and result in ("text", "txt") and options.get("source") != "console":
            output, options["html"], options["result"] = result_html(output, result, self.result_label), True, ""
        elif not output:
            options["result"] = ""  # no empty box for a block that prints nothing
        return markdown_exec.base_format(language=language, run=lambda *a, **k: output, code=source, md=md,
                                         transform_source=_pycon_source if language == "pycon" else None, **options)


def _pycon_source(code: str) -> tuple[str, str]:
    return pycon_code(code), code


def result_html(output: str, language: str, label: str = "") -> str:
    """A text result as a code block that the search index leaves out (nobody searches for a log).

    With a ``label``, a caption above it (``<span class="pageexec-result__label">``) says it
    is output, in words a screen reader reads and a printout keeps; the site's CSS styles it.
    """
    caption = f'<span class="pageexec-result__label">{html_lib.escape(label)}</span>' if label else ""
    return (f'<div class="language-{language} highlight pageexec-result" data-search-exclude>{caption}<pre><span></span>'
            f"<code>{html_lib.escape(output, quote=False)}</code></pre></div>")


def failure_html(message: str) -> str:
    title, _, rest = message.partition("\n")
    return ('<div class="admonition failure pageexec-failure"><p class="admonition-title">'
            f"{html_lib.escape(title)}</p><pre><code>{html_lib.escape(rest.strip())}</code></pre></div>")


class _PlanPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, engine: Engine) -> None:
        super().__init__(md)
        self.engine = engine

    def run(self, lines: list[str]) -> list[str]:
        source, first_line = self.engine.source()
        plan = self.engine.plan(self.engine.current(), "\n".join(lines), source=source, first_line=first_line)
        if plan.served:  # rendered once already in this build: a fresh record, the same outputs
            plan = Plan(plan.name, plan.blocks, plan.material, plan.outputs, plan.future, provenance=plan.provenance,
                        folder=plan.folder, held=plan.held)
        self.engine._by_md[self.md] = plan
        self.engine.rendered[plan.name] = plan
        self.engine.start(plan)
        return lines


class _PlanExtension(Extension):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's name
        # after pymdownx.snippets (32) and whitespace normalisation (30), before superfences' fences (25)
        md.preprocessors.register(_PlanPreprocessor(md, self.engine), "pageexec_plan", 27)
