"""How long `make pdf`'s printing takes and how big the book is: prints its figures.

    python benchmarks/course_pdf.py [SITE_DIR]

Builds the site first (warm from the execution cache) unless SITE_DIR is given, then prints
the book twice (the second run is what `make pdf` pays on an unchanged site too: the PDF is
always printed again) and reports seconds, pages and megabytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import course_pdf  # noqa: E402
from pypdf import PdfReader  # noqa: E402


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    if len(sys.argv) > 1:
        site = Path(sys.argv[1])
    else:
        site = work / "site"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT,
                       check=True, capture_output=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        print(f"site build (warm): {time.perf_counter() - started:.1f} s")
    for run in (1, 2):
        out = work / f"course-{run}.pdf"
        started = time.perf_counter()
        course_pdf.build(site, out)
        seconds = time.perf_counter() - started
        print(f"print run {run}: {seconds:.1f} s, {len(PdfReader(str(out)).pages)} pages, {out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
