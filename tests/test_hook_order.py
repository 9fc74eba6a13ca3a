"""No hidden order: where one hook needs another's result, priorities say so, whatever the
order of the `hooks:` list in mkdocs.yml."""

from __future__ import annotations

import pytest
from mkdocs.config import load_config

from sitebuild import ROOT, real_hooks

# (event, runs first, runs later): the first's result is what the later one reads or keeps
NEEDS = [
    ("page_content", "notebook_pages", "figure_files"),  # exact notebook figures first, then made files
    ("config", "build_date", "mkdocs_rss_plugin"),  # the feed reads the build date in its on_config
    ("config", "cache_folders", "mkdocs_rss_plugin"),  # the feed creates its cache folder in its on_config
    ("post_build", "korean_search", "atomic_site"),  # the index is rewritten before the site is swapped in
    ("post_build", "package_wheel", "atomic_site"),  # the wheel is written before the site is swapped in
    ("post_build", "course_pdf", "atomic_site"),  # the PDF is copied before the site is swapped in
    ("post_build", "package_wheel", "pageexec"),  # the wheel's cache entry is stored before the engine prunes
    ("config", "pageexec", "package_wheel"),  # add_install holds for the build pageexec's on_config started
    ("pre_page", "lesson_notebooks", "mkdocs_jupyter"),  # the notebook is written before mkdocs-jupyter reads it
    ("post_build", "pageexec", "atomic_site"),  # the report and the cache before the swap
]


def order(event: str, hooks: list[str]) -> list[str]:
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), hooks=hooks)
    names = []
    for handler in config.plugins.events[event]:
        module = getattr(handler, "__module__", "") or ""
        names.append(module.rsplit("/", 1)[-1].removesuffix(".py").split(".")[0])
    return names


@pytest.mark.parametrize("arrangement", ["as listed", "reversed"])
def test_hooks_that_need_each_other_run_in_order_whatever_the_list_says(arrangement):
    hooks = real_hooks() if arrangement == "as listed" else real_hooks()[::-1]
    for event, first, later in NEEDS:
        names = order(event, hooks)
        assert names.index(first) < names.index(later), (event, names)
