"""Execution split across machines: which pages shard i of n runs.

The pages that need running (their outputs are not in the cache) are split by their expected
run time: the seconds the cache recorded for the page's last run (kind ``timing``, keyed by the
page's name, so an edited page keeps its history), or, for a page never run, its executed
code's length in bytes / 1000 as a stand-in. Longest first, each page goes to the shard with
the least work so far (ties: the lower shard), pages of equal weight in name order: the split
is the same for a given set of pages and cache, every page belongs to exactly one shard, and
the longest shard (the critical path) stays close to the total over n.

A page whose front matter says ``requires: <label>`` runs only on shards that serve that
label (``EXEC_REQUIRES=<label>``, e.g. a runner with a GPU), split among their own count;
shards without a label run the pages without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int
    label: str = ""  # the `requires` label this shard serves ("" : pages that require nothing)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}" + (f" ({self.label})" if self.label else "")


def parse(spec: str, label: str = "") -> Shard:
    """``"2/4"`` -> Shard(2, 4); ValueError naming what is wrong."""
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec or "")
    if not found:
        raise ValueError(f"a shard is written i/n (for example 1/2), got {spec!r}")
    index, count = int(found.group(1)), int(found.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard {spec!r}: i must be between 1 and n")
    return Shard(index, count, label.strip())


def split(pages: dict[str, tuple[float, str]], count: int) -> list[list[str]]:
    """``pages``: name -> (weight, label-free); returns the names of each of ``count`` shards (LPT)."""
    loads, shards = [0.0] * count, [[] for _ in range(count)]
    for name, (weight, _) in sorted(pages.items(), key=lambda item: (-item[1][0], item[0])):
        target = min(range(count), key=lambda i: (loads[i], i))
        loads[target] += weight
        shards[target].append(name)
    return shards


def assign(pages: dict[str, tuple[float, str]], shard: Shard) -> list[str]:
    """The names shard ``shard`` runs, among ``pages`` (name -> (weight, required label))."""
    mine = {name: entry for name, entry in pages.items() if entry[1] == shard.label}
    return sorted(split(mine, shard.count)[shard.index - 1])


def critical_path(weights: dict[str, float], count: int) -> float:
    """The longest shard's total weight when ``weights`` are split over ``count`` shards."""
    shards = split({name: (weight, "") for name, weight in weights.items()}, count)
    return max((sum(weights[name] for name in names) for names in shards), default=0.0)
