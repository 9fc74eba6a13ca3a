"""Bytes the learning-rate explorer adds to lesson 05, raw and gzipped, against its 60 KB budget.

Measures the built page's explorer (the ``<div data-explorer>`` holding the data and its
``<script>`` tag) and ``assets/js/explorer.js`` when a built site is given; otherwise it
computes the data with ``linreg.explorer`` here. A benchmark, not a test: it prints.

Usage: python benchmarks/explorer_size.py [site-folder]
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 60_000  # bytes, script and data together, gzipped
PAGE = "lessons/05-gradient-descent/index.html"


def explorer_markup(site: Path | None) -> str:
    if site is None:
        sys.path.insert(0, str(ROOT))
        from linreg.explorer import explorer_html

        return explorer_html()
    page = (site / PAGE).read_text(encoding="utf-8")
    pattern = r'<div class="linreg-explorer".*?</div>\s*<script src="[^"]*explorer\.js"[^>]*></script>'
    found = re.search(pattern, page, re.S)
    if found is None:
        raise SystemExit(f"no explorer on {site / PAGE}")
    return found.group(0)


def main(argv: list[str]) -> int:
    site = Path(argv[0]) if argv else None
    script_path = (site / "assets" / "js" / "explorer.js") if site else ROOT / "docs" / "assets" / "js" / "explorer.js"
    parts = {"explorer.js": script_path.read_bytes(), "data (in the page)": explorer_markup(site).encode()}
    print(f"{'part':<20} {'raw':>10} {'gzip -9':>10}")
    total = 0
    for name, content in parts.items():
        packed = len(gzip.compress(content, 9))
        total += packed
        print(f"{name:<20} {len(content):>10,} {packed:>10,}")
    print(f"{'total':<20} {'':>10} {total:>10,}  (budget {BUDGET:,}: {'within' if total < BUDGET else 'OVER'})")
    return 0 if total < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
