"""Per-page dependencies on a watched package: a page is keyed on the modules it used, so an
edit in the package re-runs only the pages whose outputs it can change."""

from __future__ import annotations

import markdown
import pytest

from pageexec import deps
from pageexec.cache import Cache
from pageexec.engine import Engine
from pageexec.runner import Job, Runner

MODULES = {
    "__init__.py": "from demo_pkg.core import LABEL, f\nfrom demo_pkg.extra import g\n",
    "core.py": "from demo_pkg.helpers import twice\n\nLABEL = 'core'\n\n\ndef f():\n    return twice(21)\n",
    "helpers.py": "def twice(x):\n    return 2 * x\n",
    "extra.py": "def g():\n    return 'extra'\n",
    "lazy.py": "from . import extra\n\n\ndef h():\n    return extra.g() + '!'\n",  # not imported by __init__
}


@pytest.fixture
def package(tmp_path):
    folder = tmp_path / "demo_pkg"
    folder.mkdir()
    for name, text in MODULES.items():
        (folder / name).write_text(text)
    runner = Runner(preload=["demo_pkg"], cwd=str(tmp_path), timeout=10, output_limit=10_000, workers=1)
    yield tmp_path, runner
    runner.close()


def used_files(root, runner, code: str) -> list[str]:
    outcomes = runner.run_page([Job(code, "s", "p")], str(root), ["demo_pkg"])
    assert outcomes[0].ok, outcomes[0].output
    return sorted(deps.resolve(deps.scan(root, [root / "demo_pkg"]), *outcomes.used))


@pytest.mark.parametrize("code, files", [
    # a function re-exported by __init__: its module and what that imports, not the rest of the package
    ("from demo_pkg import f\nprint(f())", ["__init__.py", "core.py", "helpers.py"]),
    # a plain value re-exported by __init__: followed through the import that bound it
    ("import demo_pkg\nprint(demo_pkg.LABEL)", ["__init__.py", "core.py", "helpers.py"]),
    ("from demo_pkg.extra import g\nprint(g())", ["extra.py"]),
    # a module no other page imported, imported by the page itself (a relative import inside)
    ("import demo_pkg.lazy\nprint(demo_pkg.lazy.h())", ["__init__.py", "extra.py", "lazy.py"]),
    ("print('no package at all')", []),
])
def test_a_page_depends_on_the_modules_it_used(package, code, files):
    root, runner = package
    assert used_files(root, runner, code) == [f"demo_pkg/{name}" for name in files]


def test_the_static_imports_of_the_package_are_read(package):
    root, _ = package
    scanned = deps.scan(root, [root / "demo_pkg"])
    assert scanned.imports["demo_pkg.core"] == {"demo_pkg.helpers"}
    assert scanned.imports["demo_pkg.lazy"] == {"demo_pkg.extra"}
    assert scanned.bindings["demo_pkg"] == {"LABEL": "demo_pkg.core", "f": "demo_pkg.core", "g": "demo_pkg.extra"}


def test_an_edit_reruns_only_the_pages_that_used_the_edited_module(package, tmp_path):
    root, _ = package
    pages = {"docs/a.md": '```python exec="1"\nfrom demo_pkg import f\nprint(f())\n```\n',
             "docs/b.md": '```python exec="1"\nfrom demo_pkg import g\nprint(g())\n```\n'}

    def build() -> dict[str, str]:
        engine = Engine(runner=lambda: Runner(preload=["demo_pkg"], cwd=str(root), timeout=10, output_limit=10_000,
                                              workers=1),
                        cache=Cache(tmp_path / "cache"), package=deps.scan(root, [root / "demo_pkg"]))
        statuses = {}
        try:
            for name, text in pages.items():
                engine.current = lambda name=name: name
                markdown.markdown(text, extensions=[engine.extension(), "pymdownx.superfences"],
                                  extension_configs={"pymdownx.superfences": {"custom_fences": engine.custom_fences()}})
                statuses[name] = engine.finish(engine.rendered[name])
        finally:
            if engine.runner_started:
                engine.runner.close()
        return statuses

    assert build() == {"docs/a.md": "executed", "docs/b.md": "executed"}
    assert build() == {"docs/a.md": "cached", "docs/b.md": "cached"}
    (root / "demo_pkg" / "helpers.py").write_text("def twice(x):\n    return x + x\n")  # used by a.md, through core
    assert build() == {"docs/a.md": "executed", "docs/b.md": "cached"}
    (root / "demo_pkg" / "extra.py").write_text("def g():\n    return 'edited'\n")
    assert build() == {"docs/a.md": "cached", "docs/b.md": "executed"}
    (root / "demo_pkg" / "lazy.py").write_text("# used by no page\n")
    assert build() == {"docs/a.md": "cached", "docs/b.md": "cached"}
