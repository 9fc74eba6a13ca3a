"""The original materials to compare against: the lab notebook's printed logs, the lecture's loop.

The logs are read from package data (``linreg/resources/lab02-original-outputs.md``, the
course's reference data, installed with the package); ``compare`` lines them up with a
run's log. ``StepRecorder`` writes the log of the lecture's own code, which prints nothing,
without changing a character of it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from torch.optim.optimizer import register_optimizer_step_post_hook

from linreg.train import LOG_FORMAT

REFERENCE: Traversable = resources.files("linreg") / "resources" / "lab02-original-outputs.md"
SECTIONS = {"lecture": "## Low-level loop", "module": "## nn.Module loop"}


@dataclass(frozen=True)
class LineMatch:
    """One line of our log beside the original's."""

    ours: str
    original: str

    @property
    def ok(self) -> bool:
        return self.ours == self.original


def original_log(model: str, path: str | os.PathLike[str] | Traversable = REFERENCE) -> list[str]:
    """The original notebook's log lines for ``lecture`` or ``module``.

    Raises:
        ValueError: for another model name, or a file without that section's log.
        FileNotFoundError: if the reference file is missing.
    """
    if model not in SECTIONS:
        raise ValueError(f"no original log for model {model!r}; choose one of {', '.join(SECTIONS)}")
    source = path if isinstance(path, Traversable) else Path(path)
    text = source.read_text(encoding="utf-8")
    heading = SECTIONS[model]
    start = text.find(heading)
    block = re.search(r"```\n(.*?)```", text[start:], re.S) if start >= 0 else None
    if block is None:
        raise ValueError(f"{path} has no log block under {heading!r}")
    return block.group(1).strip().splitlines()


def compare(ours: list[str], original: list[str]) -> list[LineMatch]:
    """Pair our lines with the original's, line by line (a missing line counts as empty)."""
    length = max(len(ours), len(original))
    pad = lambda lines: lines + [""] * (length - len(lines))  # noqa: E731
    return [LineMatch(a, b) for a, b in zip(pad(ours), pad(original))]


def comparison_table(
    matches: list[LineMatch], headers: tuple[str, str] = ("이 사이트의 출력", "원래 실습의 출력")
) -> str:
    """A Markdown table of our lines beside the original's, each marked match or mismatch."""
    rows = [f"| {headers[0]} | {headers[1]} | 일치 |", "| --- | --- | :---: |"]
    for m in matches:
        mark = '<span class="match-ok">✔ 일치</span>' if m.ok else '<span class="match-bad">✘ 다름</span>'
        rows.append(f"| `{m.ours}` | `{m.original}` | {mark} |")
    return "\n".join(rows)


def summary(matches: list[LineMatch]) -> str:
    """The match mark shown above a comparison table: ``**11줄 중 11줄 일치** ✔``."""
    same = sum(m.ok for m in matches)
    return f"**{len(matches)}줄 중 {same}줄 일치**" + (" ✔" if same == len(matches) else " ✘")


class StepRecorder:
    """The log line of every ``every``-th epoch of a loop, written after each ``optimizer.step()``.

    The lecture's code prints nothing. Started before that code runs, in the namespace it
    runs in (``globals()`` of a page, notebook or script), this records the lab's log line
    (``LOG_FORMAT``) from the names the code uses: ``epoch``, ``nb_epochs``, ``cost`` (before
    the step) and ``W``, ``b`` (after it). Only an optimizer of exactly ``[W, b]`` is observed.

    Args:
        namespace: the globals the training code runs in.
        every: record every this many epochs (``epoch % every == 0``).
    """

    def __init__(self, namespace: dict, every: int = 100) -> None:
        self.namespace, self.every, self.lines = namespace, every, []
        self._handle = register_optimizer_step_post_hook(self._after_step)

    def _after_step(self, optimizer, args, kwargs) -> None:
        names = self.namespace
        params = optimizer.param_groups[0]["params"]
        if len(params) != 2 or params[0] is not names.get("W") or params[1] is not names.get("b"):
            return
        if names["epoch"] % self.every == 0:
            W, b, cost = names["W"].item(), names["b"].item(), names["cost"].item()
            self.lines.append(LOG_FORMAT.format(names["epoch"], names["nb_epochs"], W, b, cost))

    def stop(self) -> list[str]:
        """Stop observing; returns the recorded lines."""
        self._handle.remove()
        return self.lines
