"""Which modules of a watched package a page used, so an edit re-runs only the pages it can change.

A package listed in ``depends_on`` (a folder with ``__init__.py``) is not part of every
page's key as a whole. Instead each page's worker records what the page used:

- every attribute its code (or the package's own code) read from one of the package's
  modules (``linreg.train_lecture``, ``figures.cost_curve``), resolved to the module that
  defines the value (a function's or class's ``__module__``; for a plain value re-exported
  by ``from x import name``, the module it came from);
- every module of the package imported while the page ran.

The build adds what those modules import from the package, statically (``import`` and
``from ... import`` statements), and stores the digests of the resulting files with the
page's outputs. An entry is used only while those files are unchanged. A package's
``__init__.py`` only binds names: it is a dependency when a page read a name from it, but
what it imports is followed only through the names actually read.

Not tracked (documented in the README): module-level code with effects on other modules
(``torch.set_printoptions`` at import, say) and files the package reads (those stay in
every page's key, as non-Python files of the folder).
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Package:
    """The modules of the watched packages: files, static imports and re-exported names."""

    root: Path
    files: dict[str, str] = field(default_factory=dict)  # module name -> path relative to root
    digests: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    imports: dict[str, set[str]] = field(default_factory=dict)  # module -> modules of the packages it imports
    bindings: dict[str, dict[str, str]] = field(default_factory=dict)  # module -> name -> module it came from
    packages: set[str] = field(default_factory=set)  # names of the packages themselves (their __init__)

    @property
    def names(self) -> list[str]:
        """Top-level names of the watched packages (what the workers track)."""
        return sorted({name.partition(".")[0] for name in self.files})


def scan(root: Path, folders: list[Path]) -> Package:
    """Read the Python modules of the package ``folders`` (each holding ``__init__.py``)."""
    package = Package(root)
    trees = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(folder.parent).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
                package.packages.add(".".join(parts))
            name = ".".join(parts)
            relative = path.relative_to(root).as_posix()
            data = path.read_bytes()
            package.files[name] = relative
            package.digests[relative] = hashlib.sha256(data).hexdigest()
            try:
                trees[name] = ast.parse(data, filename=relative)
            except SyntaxError:
                trees[name] = None  # the page that imports it fails by name; nothing to follow
    for name, tree in trees.items():
        package.imports[name], package.bindings[name] = set(), {}
        if tree is None:
            continue
        base_of = name if name in package.packages else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in package.files:
                        package.imports[name].add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = base_of.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                    base = ".".join([*anchor, base] if base else anchor)
                if base not in package.files:
                    continue
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    source = submodule if submodule in package.files else base
                    package.imports[name].add(source)
                    package.bindings[name][alias.asname or alias.name] = source
    return package


def resolve(package: Package, reads: list[tuple[str, str, str | None]], imported: list[str]) -> dict[str, str]:
    """The files (relative path -> digest) behind what a page used.

    ``reads`` are ``(module, attribute, module defining the value or None)``; ``imported``
    the package modules the page imported itself.
    """
    start: set[str] = {name for name in imported if name in package.files}
    touched: set[str] = set()  # package __init__ modules read from: their file only
    for module, attribute, owner in reads:
        if module not in package.files:
            continue
        chain, hops = module, 0
        while chain in package.packages and attribute in package.bindings.get(chain, {}) and hops < 10:
            touched.add(chain)  # the name is bound here...
            chain, hops = package.bindings[chain][attribute], hops + 1  # ...and comes from there
        (touched if chain in package.packages else start).add(chain)
        if owner in package.files:
            (touched if owner in package.packages else start).add(owner)
    seen: set[str] = set()
    stack = list(start)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        for imported_name in package.imports.get(name, ()):
            if imported_name in package.packages:
                touched.add(imported_name)  # `from pkg import name` was resolved below, by bindings
                for bound, source in package.bindings.get(name, {}).items():
                    if source == imported_name:
                        target = package.bindings.get(imported_name, {}).get(bound)
                        if target is not None and target not in package.packages:
                            stack.append(target)
            else:
                stack.append(imported_name)
    files = {package.files[name] for name in seen | touched}
    return {relative: package.digests[relative] for relative in sorted(files)}


def still_valid(package: Package, recorded: object) -> bool:
    """Whether the files an entry recorded are unchanged (and still exist)."""
    if not isinstance(recorded, dict):
        return False
    return all(package.digests.get(relative) == value for relative, value in recorded.items())
