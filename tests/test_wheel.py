"""The wheel the site publishes (overrides/hooks/package_wheel.py): reproducible, built once per change, named by every download."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest

from sitebuild import ROOT

HOOKS = ROOT / "overrides" / "hooks"
sys.path.insert(0, str(HOOKS))
try:
    import package_wheel as downloads
finally:
    sys.path.remove(str(HOOKS))


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "demo" / "resources").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "demo"\nversion = "1.0"\nreadme = "README.md"\n'
        '[tool.setuptools]\npackages = ["demo"]\n[tool.setuptools.package-data]\ndemo = ["resources/*.md"]\n')
    (root / "README.md").write_text("# demo\n")
    (root / "demo" / "__init__.py").write_text("VALUE = 1\n")
    (root / "demo" / "resources" / "data.md").write_text("facts\n")
    return root


def test_the_wheel_is_named_from_pyproject(project):
    assert downloads.wheel_name(project / "pyproject.toml") == "demo-1.0-py3-none-any.whl"


def test_the_same_sources_give_the_same_bytes(project):
    first_name, first = downloads.build_wheel(project)
    (project / "demo" / "__init__.py").touch()  # a new time stamp changes nothing
    second_name, second = downloads.build_wheel(project)
    assert first_name == second_name == "demo-1.0-py3-none-any.whl"
    assert first == second
    assert "demo/resources/data.md" in zipfile.ZipFile(io.BytesIO(first)).namelist()


def test_an_unchanged_package_is_not_built_again_and_a_changed_one_is(project, tmp_path, monkeypatch):
    from pageexec.cache import Cache

    cache = Cache(tmp_path / "cache")
    built = downloads.build_wheel(project, cache)

    def no_build(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(subprocess, "run", no_build)
    assert downloads.build_wheel(project, Cache(tmp_path / "cache")) == built
    monkeypatch.undo()
    (project / "demo" / "__init__.py").write_text("VALUE = 2\n")
    for entry in (tmp_path / "cache").iterdir():  # from an earlier build: a build prunes only what is older than it
        os.utime(entry, (entry.stat().st_atime - 60, entry.stat().st_mtime - 60))
    later = Cache(tmp_path / "cache")
    rebuilt = downloads.build_wheel(project, later)
    assert rebuilt != built
    assert len(later.prune({"wheel"})) == 1  # the old wheel is no longer reachable: pruned


def test_a_tampered_cached_wheel_is_refused_and_built_again(project, tmp_path):
    from pageexec.cache import Cache

    cache = Cache(tmp_path / "cache")
    name, data = downloads.build_wheel(project, cache)
    (entry,) = (tmp_path / "cache").glob("wheel-*.json")
    entry.write_text(entry.read_text().replace('"data":"', '"data":"AAAA', 1))
    again = Cache(tmp_path / "cache")
    assert downloads.build_wheel(project, again) == (name, data) and again.refused == [entry.name]


@pytest.mark.parametrize("dependencies, expected", [
    (['"torch>=2.13.0,<3"', '"numpy>=2"'], "torch>=2.13.0,<3"),
    (['"numpy>=2"', '"torch >= 9.9.1, < 10 ; python_version >= \'3.11\'"'], "torch>=9.9.1,<10"),
    (['"torch==2.13.0"'], "torch==2.13.0"),
    (['"torchvision>=0.1"'], "torch"),  # a package whose name starts alike is not torch
])
def test_the_requirement_the_downloads_name_is_read_from_pyproject(tmp_path, dependencies, expected):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f'[project]\nname = "demo"\nversion = "1.0"\ndependencies = [{", ".join(dependencies)}]\n')
    assert downloads.requirement(pyproject, "torch") == expected


def test_the_tested_build_is_the_constraints_pin(tmp_path):
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# pins\ntorchvision==0.1\ntorch==9.9.1+cpu\n")
    assert downloads.pinned(constraints, "torch") == "torch 9.9.1+cpu"
    assert downloads.pinned(tmp_path / "missing.txt", "torch") == "torch"


def test_readers_keep_a_newer_torch_and_the_site_keeps_the_pinned_build():
    """The wheel asks for a range from the tested build up; the site's venv installs that exact build first."""
    import re
    import tomllib

    from packaging.requirements import Requirement
    from packaging.version import Version

    (declared,) = [Requirement(d) for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
                   if Requirement(d).name == "torch"]
    assert Requirement(downloads.requirement(ROOT / "pyproject.toml", "torch")) == declared
    tested = Version(downloads.pinned(ROOT / "constraints.txt", "torch").split()[1])
    newer, older = Version(f"{tested.major}.{tested.minor + 3}.0"), Version(f"{tested.major}.{tested.minor - 1}.0")
    assert tested in declared.specifier and newer in declared.specifier  # the tested build and a newer one
    assert older not in declared.specifier  # never below what the code is tested with
    install = re.search(r"^\$\(STAMP\):.*?\n(?=\S)", (ROOT / "Makefile").read_text(), re.M | re.S).group(0)
    assert install.index("-c constraints.txt torch") < install.index("-e '.[docs,test]'")
