"""Executed blocks fail the build loudly, naming the page file and the block.

- a fence with a malformed option (a typo, an unquoted value) is an error, not silently skipped;
- a block that raises, calls ``sys.exit`` or runs past ``EXEC_TIMEOUT`` seconds (default 120)
  is an error with the traceback;
- sessions belong to one page (``session="x"`` on two pages are two sessions), and every
  build starts them empty and re-imports the modules of the ``watch:`` folders, so
  ``mkdocs serve`` shows what the edited code prints;
- at exit, the interpreter skips its last garbage collection over what the blocks imported
  (torch's hundreds of thousands of objects: half a second of every build that ran code).
"""

from __future__ import annotations

import atexit
import difflib
import gc
import os
import signal
import sys
import threading
from pathlib import Path

import exec_runtime as rt
from markdown_exec import ExecutionError
from mkdocs.exceptions import PluginError
from pymdownx.superfences import SuperFencesException

TIMEOUT = float(os.environ.get("EXEC_TIMEOUT", "120"))
HERE = Path(__file__).resolve().parent

OPTIONS = {"exec", "id", "idprefix", "html", "source", "result", "returncode", "session",
           "updatetoc", "tabs", "workdir", "width", "title", "hl_lines", "linenums"}
BOOLEANS = rt.FALSE | {"yes", "on", "true", "1"}
SOURCES = {"above", "below", "block", "material-block", "tabbed-left", "tabbed-right", "console"}


class BlockError(SuperFencesException, PluginError):
    """A block failed. SuperFencesException: superfences would swallow any other error."""


class _Timeout(BaseException):
    """BaseException, so neither markdown-exec nor the block's own ``except Exception`` stops it."""


def problems(fence: rt.Fence) -> list[str]:
    """What is wrong with an executable fence's options (empty when nothing is)."""
    if fence.language not in rt.EXEC_LANGUAGES:
        return []
    names = set(fence.options)
    looks_executed = names & (OPTIONS - {"title", "hl_lines", "linenums"}) or any(
        difflib.get_close_matches(name, ["exec", "session"], cutoff=0.6) for name in names)
    if not looks_executed and not fence.leftover.startswith("exec"):
        return []
    found = []
    if fence.leftover:
        found.append(f"cannot read {fence.leftover!r}: write options as key=\"value\"")
    for name in sorted(names - OPTIONS):
        hint = difflib.get_close_matches(name, sorted(OPTIONS), n=1)
        found.append(f"unknown option {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    for name in ("exec", "html", "updatetoc"):
        if name in fence.options and fence.options[name].lower() not in BOOLEANS:
            found.append(f'{name}="{fence.options[name]}" is not a yes/no value (use "1" or "0")')
    for name in ("returncode", "width"):
        value = fence.options.get(name)
        if value is not None and not value.lstrip("-").isdigit():
            found.append(f'{name}="{value}" is not a whole number')
    if "source" in fence.options and fence.options["source"] not in SOURCES:
        found.append(f'source="{fence.options["source"]}" is not one of {", ".join(sorted(SOURCES))}')
    if "exec" not in fence.options and not found:
        found.append('has execution options but no exec="1", so it would not run')
    return found


def guard(call: rt.Call, run) -> str:
    session = call.kwargs.get("session")
    if session:  # one page's session is not another page's
        call.kwargs = {**call.kwargs, "session": f"{rt.page.src_uri}::{session}"}
    timed = TIMEOUT > 0 and threading.current_thread() is threading.main_thread()
    if timed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        return run(call)
    except ExecutionError as error:
        trace = str(error).strip().strip("`").removeprefix("python").strip()
        raise BlockError(f"{call.where()} raised an exception:\n{trace}") from None
    except SystemExit as error:
        raise BlockError(f"{call.where()} called sys.exit({error.code!r}); a page must not end the build") from None
    except _Timeout:
        raise BlockError(f"{call.where()} ran longer than {TIMEOUT:g} s (EXEC_TIMEOUT) and was stopped") from None
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _on_alarm(signum, frame):
    raise _Timeout


rt.install()
rt.add_layer(10, guard)
atexit.register(gc.freeze)  # runs before the interpreter's final collection; the process is ending anyway


def on_pre_build(config, **kwargs) -> None:
    rt.reset_sessions()
    watched = [Path(folder).resolve() for folder in config["watch"]]
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name.startswith("_code_block_") or (path and _inside(Path(path).resolve(), watched)):
            del sys.modules[name]


def _inside(path: Path, folders: list[Path]) -> bool:
    return not path.is_relative_to(HERE) and any(path.is_relative_to(folder) for folder in folders)


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    state = rt.start_page(markdown, page.file.src_uri, page.file.abs_src_path)
    found = [f"docs/{page.file.src_uri}:{fence.line}: ```{fence.header}\n    {problem}"
             for fence in state.fences for problem in problems(fence)]
    if found:
        raise PluginError("malformed executed block:\n  " + "\n  ".join(found))
    return markdown
