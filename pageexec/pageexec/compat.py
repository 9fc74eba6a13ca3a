"""The private names and behaviours the site still relies on, where no public route exists.

Everything on the execution path uses public extension points (superfences' custom fences,
markdown-exec's ``validator`` and ``base_format``, Python-Markdown's preprocessor registry,
MkDocs' plugin events). What is left is listed here with the versions it was verified
with. At start-up ``check()`` compares the installed versions with this table and stops the
build with one line naming the package, its version and the verified range: an upgrade
never degrades a feature silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from packaging.specifiers import SpecifierSet
from packaging.version import Version


@dataclass(frozen=True)
class Touchpoint:
    package: str
    what: str
    verified: str  # a PEP 440 range


TABLE = [
    Touchpoint("mkdocs", "a page's render() may be replaced on the page object, as mkdocs-jupyter does; the render "
               "cache sets content, toc, present_anchor_ids and links_to_anchors as render() would",
               ">=1.6.1,<1.7"),
    Touchpoint("mkdocs", "Page._title_from_render holds the first heading's title that render() found (read and "
               "restored by the render cache: rendered_title, set_rendered_title)", ">=1.6.1,<1.7"),
    Touchpoint("mkdocs-jupyter", "renders a notebook page from page.file.abs_src_path, read when the page renders, "
               "when execute is off (the engine points it at the executed copy; lesson_notebooks writes a download there)", ">=0.26.3,<0.27"),
    Touchpoint("mkdocs-jupyter", "its on_pre_page replaces page.render, which sets only content, toc and (unless "
               "ignore_h1_titles) title: the engine's notebook render cache stores and restores those",
               ">=0.26.3,<0.27"),
    Touchpoint("mkdocs-material", "search worker message type 2 is a query (overrides/main.html strips Korean "
               "particles from it)", ">=9.8.2,<9.9"),
    Touchpoint("mkdocs-material", "search plugin skips elements with data-search-exclude "
               "(executed results stay out of the index)", ">=9.8.2,<9.9"),
    # the engine's own, beyond the render cache's
    Touchpoint("mkdocs", "mkdocs.utils.CountHandler counts the warnings strict mode fails on (render cache, "
               "atomic_site)", ">=1.6.1,<1.7"),
    Touchpoint("mkdocs-jupyter", "its config (execute, cache) is read at each page, so the engine "
               "may change it after validation", ">=0.26.3,<0.27"),
    Touchpoint("pymdown-extensions", "superfences re-raises a SuperFencesException from a custom fence and turns "
               "any other exception into a plain code block (BlockError is one)", ">=13.1.2,<14"),
    Touchpoint("markdown-exec", "MarkdownConverter.counter numbers output ids (reset per page and after a build, "
               "as markdown-exec's own plugin does)", ">=1.12.6,<2"),
    # the site's hooks and theme overrides (overrides/)
    Touchpoint("mkdocs", "a strict build aborts on counted warnings only after on_post_build (atomic_site keeps "
               "the previous site)", ">=1.6.1,<1.7"),
    Touchpoint("mkdocs-jupyter", "mkdocs_jupyter.plugin.NotebookFile wraps a generated notebook page (lesson_notebooks)",
               ">=0.26.3,<0.27"),
    Touchpoint("nbconvert", "the notebook page's markup (jp-OutputArea-output, anchor-link headings, inline "
               "<style>) matched by regex in notebook_pages", ">=7.17.2,<8"),
    Touchpoint("mkdocs-material", "search/search_index.json is {config, docs: [{location, title, text}]} "
               "(korean_search adds fields)", ">=9.8.2,<9.9"),
    Touchpoint("mkdocs-material", "a page's content is article.md-content__inner and its stylesheet "
               "assets/stylesheets/main.*.min.css (tools/course_pdf.py assembles the book from them)", ">=9.8.2,<9.9"),
    Touchpoint("mkdocs-material", "main.html adds defer to the bundle's script tag by a string replace on "
               "super(); partials/search.html and partials/source.html are copies of 9.8's", ">=9.8.2,<9.9"),
    Touchpoint("mkdocs-material", "the feature flag content.lazy (mkdocs.yml) mounts a code block's copy button only "
               "once the block is in view; the README documents it, 9.8's bundle does it", ">=9.8.2,<9.9"),
    Touchpoint("mkdocs-material", "overrides/partials/perf.html finds a page's blocks as children of .md-typeset "
               "(div.highlight, figure; div.math from mathml.py; nbconvert's .jp-Notebook > .jp-Cell)", ">=9.8.2,<9.9"),
]


class IncompatibleVersion(Exception):
    """An installed package is outside the range its touchpoint was verified with."""


def check(table: list[Touchpoint] | None = None, installed=metadata.version) -> None:
    """Raise ``IncompatibleVersion`` (one line) for the first package outside its verified range."""
    for point in TABLE if table is None else table:
        try:
            version = installed(point.package)
        except metadata.PackageNotFoundError:
            continue  # not installed: the feature that needs it is not in use
        if Version(version) not in SpecifierSet(point.verified):
            raise IncompatibleVersion(
                f"{point.package} {version} is installed, but the site is verified with {point.package}"
                f"{point.verified} ({point.what}); install a version in that range (constraints.txt pins one)")


def rendered_title(page) -> str | None:
    """The title ``render()`` took from the page's first heading (front matter's ``title`` still wins)."""
    return page._title_from_render


def set_rendered_title(page, title: str | None) -> None:
    """Set the page's title as ``render()`` would, so ``page.title`` keeps its own order of sources."""
    page._title_from_render = title
