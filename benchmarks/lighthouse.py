"""Lighthouse scores (mobile preset) of the home page and every lesson page.

Serves the built site (``site/``, from ``make build``) on loopback, gzipped as a static
host serves it, and runs the
``lighthouse`` npm package, installed on first use into ``.cache/lighthouse``, with
Debian's Chromium. Prints performance, accessibility, best practices and SEO per page,
with the metrics of the performance score (FCP, LCP, TBT, CLS). The goal on every page
(GOAL): performance 95 or more, the other three 100, total blocking time at most 200 ms and
largest contentful paint at most 2.5 s; for a page that misses it, the audits that lost
points are listed under its row. Scores vary from run to run, so each page is measured
``LH_RUNS`` times (default 3) and the median run is shown, as Lighthouse's own guidance on
variability advises. ``LH_PAGES`` (comma-separated, e.g. ``lessons/05-gradient-descent``)
measures some of the pages only. A benchmark, not a test: it prints.

Usage: python benchmarks/lighthouse.py [site-folder]   (`make lighthouse`)
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "13.5.0"
TOOL = ROOT / ".cache" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RUNS = int(os.environ.get("LH_RUNS", "3"))
ONLY = os.environ.get("LH_PAGES")  # a comma-separated subset of PAGES, for a quick look at some pages
METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
GOAL = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100,
        "total-blocking-time": 200, "largest-contentful-paint": 2500}  # scores at least, ms at most
PAGES = ["", "lessons/01-linear-regression/", "lessons/02-data-definition/", "lessons/03-hypothesis/",
         "lessons/04-cost-function/", "lessons/05-gradient-descent/", "lessons/06-full-implementation/",
         "lessons/07-nn-module/", "lessons/08-mini-batch/", "notebooks/lab02-full-implementation/"]


def lighthouse() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOL.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(TOOL),
                        f"lighthouse@{VERSION}"], check=True)
    return binary


class _Gzip(http.server.SimpleHTTPRequestHandler):
    """Serve text gzipped, as a static host (GitHub Pages) does, so transfer sizes are real."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")
    protocol_version = "HTTP/1.1"  # keep-alive, as every static host serves

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not (path.is_file() and path.suffix in self.TEXT and "gzip" in self.headers.get("Accept-Encoding", "")):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def main(site: Path) -> int:
    if not (site / "index.html").exists():
        raise SystemExit(f"{site} has no built site: run `make build` first")
    binary = lighthouse()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Gzip, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    flags = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run --disable-sync"
    print(f"Median of {RUNS} Lighthouse runs per page (by performance score); metrics of that run.\n")
    print("| page | performance | accessibility | best practices | SEO | performance per run | FCP | LCP | TBT | CLS |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    below = []
    pages = PAGES if not ONLY else [p for p in PAGES if p.strip("/") in ONLY.replace(" ", "").split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for path in pages:
            results = []
            for run in range(RUNS):
                report = Path(tmp) / f"report-{run}.json"
                done = subprocess.run(
                    [str(binary), base + path, "--quiet", "--output=json", f"--output-path={report}",
                     f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}"],
                    env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True)
                if done.returncode != 0 or not report.exists():
                    raise SystemExit(f"lighthouse failed on /{path}: {done.stderr.strip()[-2000:]}")
                results.append(json.loads(report.read_text()))
            results.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
            result = results[len(results) // 2]
            scores = [round(100 * (result["categories"][c]["score"] or 0)) for c in CATEGORIES]
            runs = ", ".join(str(round(100 * (r["categories"]["performance"]["score"] or 0))) for r in results)
            metric = {name: result["audits"][name]["numericValue"] for name in METRICS}
            print(f"| /{path} | " + " | ".join(map(str, scores)) + f" | {runs} | "
                  f"{metric['first-contentful-paint']:.0f} ms | {metric['largest-contentful-paint']:.0f} ms | "
                  f"{metric['total-blocking-time']:.0f} ms | {metric['cumulative-layout-shift']:.3f} |", flush=True)
            if (any(score < GOAL[c] for c, score in zip(CATEGORIES, scores))
                    or any(metric[m] > GOAL[m] for m in ("total-blocking-time", "largest-contentful-paint"))):
                below.append(path)
                for category in CATEGORIES:
                    for ref in result["categories"][category]["auditRefs"]:
                        audit = result["audits"][ref["id"]]
                        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                            print(f"|   ↳ {category}: {audit['id']} ({audit['score']}) {audit.get('displayValue', '')} | | | | | | | | | |")
    server.shutdown()
    print(f"\n{len(pages) - len(below)} of {len(pages)} pages meet the goal (performance >= {GOAL['performance']}, "
          f"the other three 100, TBT <= {GOAL['total-blocking-time']} ms, LCP <= {GOAL['largest-contentful-paint']} ms).")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"))
