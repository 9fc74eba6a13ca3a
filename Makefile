# Every task of the project in one place: `make help` lists them.
# Each target sets up .venv from constraints.txt by itself on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
.PHONY: help install serve build rebuild test test-fast execute diff pdf math-font bench bench-serve bench-pdf lighthouse clean

help:  ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml pageexec/pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt torch  # the pinned CPU build, before any range can ask for another
	$(BIN)/pip install --quiet -c constraints.txt -e '.[docs,test]' -e ./pageexec
	touch $(STAMP)

install: $(STAMP)  ## Create .venv with the pinned dependencies

serve: $(STAMP)  ## Build the site and serve it with live reload (HOST=127.0.0.1:8000)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr $(HOST)

build: $(STAMP)  ## Build the site into site/ (strict: any warning fails)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: $(STAMP)  ## Run the whole test suite (package, site build, browser), on every core
	$(BIN)/python -m pytest -n auto

test-fast: $(STAMP)  ## The quick layer: package, engine and hook logic in-process (no site build, no browser, nothing slow)
	$(BIN)/python -m pytest -m "not site and not browser and not slow" -n auto

execute: $(STAMP)  ## Execute shard SHARD=i/n of the pages into the cache (.cache/), no site (REQUIRES=label for a labelled runner)
	@test -n "$(SHARD)" || { echo "make execute: give SHARD=i/n, for example SHARD=1/2"; exit 2; }
	@out=$$(mktemp -d); EXEC_SHARD='$(SHARD)' EXEC_REQUIRES='$(REQUIRES)' NO_MKDOCS_2_WARNING=1 \
	  $(BIN)/mkdocs build --strict --site-dir "$$out/site"; status=$$?; rm -rf "$$out"; exit $$status

diff: $(STAMP)  ## What your change did to the pages' outputs: build/output-diff.md and .html (BASE=<git ref>, default: merge base with main)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m pageexec.diff $(if $(BASE),--base $(BASE)) --out build --path . --path pageexec

pdf: $(STAMP)  ## The whole course as one PDF (Chromium, a Korean font), published in the site and linked from the home page
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir build/book-site
	$(BIN)/python tools/course_pdf.py build/book-site build/linreg-course.pdf
	COURSE_PDF=build/linreg-course.pdf NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

math-font: $(STAMP)  ## Remake the math font the site ships (docs/assets/fonts/) from Debian's fonts-dejavu-extra
	$(BIN)/pip install --quiet -c constraints.txt -e '.[fonts]'
	$(BIN)/python tools/math_font.py

clean:  ## Remove the built site and caches (keeps .venv)
	rm -rf site build .cache .pytest_cache

bench: $(STAMP)  ## Benchmark build speed (floor, cold on 1 and 2 workers, warm, edits) for 8, 32, 128 lesson pages
	NO_MKDOCS_2_WARNING=1 $(BIN)/python benchmarks/build_speed.py $(PAGES)

bench-serve: $(STAMP)  ## Benchmark the edit loop under mkdocs serve: save-to-reload for a prose, a block and a linreg edit
	NO_MKDOCS_2_WARNING=1 $(BIN)/python benchmarks/serve_loop.py $(ARGS)

bench-pdf: $(STAMP)  ## Benchmark printing the course PDF: seconds, pages, megabytes
	NO_MKDOCS_2_WARNING=1 $(BIN)/python benchmarks/course_pdf.py

lighthouse: build  ## Lighthouse scores of the home and lesson pages (npm lighthouse + Debian Chromium)
	$(BIN)/python benchmarks/lighthouse.py site

rebuild: $(STAMP)  ## Build the site re-executing every block and notebook (refreshes the cache)
	EXEC_CACHE=refresh NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
