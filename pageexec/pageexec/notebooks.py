"""Notebook pages: executed with nbclient in the engine's pool, cached like Markdown pages.

The executed notebook (outputs included, consecutive stream outputs merged into one box)
is stored as a cache entry and written to a build folder under the notebook's own file
name; mkdocs-jupyter renders that copy with its own execution turned off, and offers it
for download.
"""

from __future__ import annotations

import json
from pathlib import Path


class NotebookError(Exception):
    """A cell failed, ran too long, or the kernel died; the message names the file and cell."""


def coalesce_streams(nb: dict) -> dict:
    """Merge each cell's consecutive stdout (or stderr) outputs: one log, one box."""
    for cell in nb.get("cells", []):
        merged: list[dict] = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.get("output_type") == "stream" and previous is not None
                    and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
                previous["text"] = "".join(previous["text"]) + "".join(output["text"])
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def output_size(cell: dict) -> int:
    """Bytes a cell's outputs hold (stream text, data of every type, error tracebacks)."""
    size = 0
    for output in cell.get("outputs", []):
        parts = [output.get("text", "")] + list((output.get("data") or {}).values()) + list(output.get("traceback") or [])
        for part in parts:
            text = "".join(part) if isinstance(part, list) else part if isinstance(part, str) else json.dumps(part)
            size += len(text.encode("utf-8", "surrogatepass"))
    return size


GUARD = """\
import tempfile as _t
from pageexec.worker import guard_writes as _g
_g({project!r}, _t.mkdtemp(prefix="pageexec-notebook-"))
del _t, _g
"""


def execute(name: str, text: str, *, cwd: str, timeout: float, kernel: str, allow_errors: bool = False,
            output_limit: int = 0, project: str | None = None) -> str:
    """The notebook ``text`` executed (JSON text); ``NotebookError`` naming ``name`` and the cell.

    A cell whose outputs hold more than ``output_limit`` bytes (0: no limit) stops the
    notebook, as a block that prints too much stops its page. With ``project``, the kernel
    may not write inside that folder (as a page's worker; ``worker.guard_writes``), which a
    silent first execution sets up before the notebook's cells.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.reads(text, as_version=4)

    def check_size(cell, cell_index, **_):
        if output_limit and output_size(cell) > output_limit:
            raise NotebookError(f"{name} (cell {cell_index + 1}) printed more than {output_limit:,} bytes "
                                "(output_limit) and was stopped")

    async def guard(notebook, **_):
        if project:
            reply = await client.kc.execute_interactive(GUARD.format(project=project), silent=True,
                                                        store_history=False, timeout=60)
            if reply["content"].get("status") != "ok":
                raise NotebookError(f"{name}: the kernel could not be set up ({reply['content'].get('evalue')})")

    client = NotebookClient(nb, timeout=timeout if timeout > 0 else None, kernel_name=kernel or "python3",
                            allow_errors=allow_errors, resources={"metadata": {"path": cwd}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # not its loopback-TCP notice
                            on_cell_executed=check_size, on_notebook_start=guard)
    try:
        client.execute()
    except NotebookError:
        raise
    except CellTimeoutError:
        raise NotebookError(f"{name}: a cell ran longer than {timeout:g} s (timeout) and was stopped") from None
    except DeadKernelError as error:
        raise NotebookError(f"{name}: the kernel died ({error})") from None
    except CellExecutionError as error:
        cell = next((i for i, c in enumerate(nb.cells) if c.get("cell_type") == "code"
                     and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        where = f" (cell {cell + 1})" if cell is not None else ""
        raise NotebookError(f"{name}{where} raised an exception:\n{error}") from None
    data = coalesce_streams(json.loads(nbformat.writes(nb)))
    for cell in data.get("cells", []):  # timings and kernel ids change each run: not part of the page
        cell.get("metadata", {}).pop("execution", None)
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_copy(folder: Path, filename: str, text: str) -> Path:
    """The executed notebook as a file named like the source (mkdocs-jupyter links it by name)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path
