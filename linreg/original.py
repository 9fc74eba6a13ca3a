"""The original lab notebook's printed training logs, read from the reference file.

The file (``reference/lab02-original-outputs.md``, a copy of the course's reference
data) is facts to compare against; ``compare`` lines them up with a run's log.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "lab02-original-outputs.md"
SECTIONS = {"lecture": "## Low-level loop", "module": "## nn.Module loop"}


@dataclass(frozen=True)
class LineMatch:
    """One line of our log beside the original's."""

    ours: str
    original: str

    @property
    def ok(self) -> bool:
        return self.ours == self.original


def original_log(model: str, path: str | os.PathLike[str] = REFERENCE) -> list[str]:
    """The original notebook's log lines for ``lecture`` or ``module``.

    Raises:
        ValueError: for another model name, or a file without that section's log.
        FileNotFoundError: if the reference file is missing.
    """
    if model not in SECTIONS:
        raise ValueError(f"no original log for model {model!r}; choose one of {', '.join(SECTIONS)}")
    text = Path(path).read_text(encoding="utf-8")
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


def comparison_table(matches: list[LineMatch]) -> str:
    """A Markdown table of our lines beside the original's, each marked match or mismatch."""
    rows = ["| 이 사이트의 출력 | 원래 노트북의 출력 | 일치 |", "| --- | --- | :---: |"]
    for m in matches:
        mark = '<span class="match-ok">✔ 일치</span>' if m.ok else '<span class="match-bad">✘ 다름</span>'
        rows.append(f"| `{m.ours}` | `{m.original}` | {mark} |")
    return "\n".join(rows)
