"""The download and Colab links of a page (overrides/hooks/downloads.py) resolve, whatever its name."""

from __future__ import annotations

import re
import sys
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from mkdocs.structure.files import File

from sitebuild import ROOT

HOOKS = ROOT / "overrides" / "hooks"
sys.path.insert(0, str(HOOKS))
try:
    import downloads
finally:
    sys.path.remove(str(HOOKS))

SITE = "https://example.org/course/"
COLAB = "https://colab.research.google.com/github/owner/repo/blob/downloads"
WHEEL = "demo-1.0-py3-none-any.whl"
URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")  # the characters RFC 3986 allows in a URL


@pytest.fixture
def state(monkeypatch):
    monkeypatch.setattr(downloads.state, "colab", COLAB)
    monkeypatch.setattr(downloads.state, "wheel", WHEEL)
    monkeypatch.setattr(downloads.state, "wheel_url", "")
    return downloads.state


@pytest.mark.parametrize("src_uri", ["lessons/my lesson.md", "lessons/선형 회귀 #1.md"])
def test_links_of_a_page_are_encoded_and_resolve_to_its_files(state, src_uri):
    page_url = File(src_uri, "docs", "site", use_directory_urls=True).url  # as MkDocs gives it
    name = src_uri.removesuffix(".md")
    found = downloads.links(src_uri, page_url)
    page = urljoin(SITE, page_url)
    for key, target in [("ipynb", f"downloads/{name}.ipynb"), ("py", f"downloads/{name}.py"),
                        ("wheel", f"downloads/{WHEEL}")]:
        assert URL.fullmatch(found[key]), found[key]
        assert unquote(urlsplit(urljoin(page, found[key])).path) == urlsplit(SITE).path + target
    assert URL.fullmatch(found["colab"]), found["colab"]
    assert found["colab"].startswith(COLAB + "/")
    assert unquote(urlsplit(found["colab"]).path) == urlsplit(COLAB).path + f"/{name}.ipynb"


def test_the_page_address_in_the_downloads_is_the_one_mkdocs_gives(state):
    src_uri = "lessons/my lesson.md"
    source = downloads._source(src_uri, "제목", {"site_url": SITE})
    assert source.url == SITE + File(src_uri, "docs", "site", use_directory_urls=True).url
    assert source.name == "my lesson"  # the files keep their real names


@pytest.mark.parametrize("dependencies, expected", [
    (['"torch==2.13.0"', '"numpy>=2"'], "torch 2.13.0"),
    (['"numpy>=2"', '"torch == 9.9.1 ; python_version >= \'3.11\'"'], "torch 9.9.1"),
    (['"torch>=2"'], "torch"),  # not pinned: named without a version
])
def test_the_pin_the_downloads_name_is_read_from_pyproject(tmp_path, dependencies, expected):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f'[project]\nname = "demo"\nversion = "1.0"\ndependencies = [{", ".join(dependencies)}]\n')
    assert downloads.pinned(pyproject, "torch") == expected


def test_a_download_names_the_pin_of_the_real_pyproject_and_is_a_valid_notebook():
    import tomllib

    import nbformat

    declared = next(d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
                    if d.startswith("torch"))
    requires = downloads.pinned(ROOT / "pyproject.toml", "torch")
    assert requires == "torch " + declared.split("==")[1]
    source = downloads.export.Source(title="T", url="https://example.org/t/", wheel_url="https://example.org/w.whl",
                                     name="t", requires=requires)
    text = downloads.export.notebook_json([], source, "# T\n")
    nbformat.validate(nbformat.reads(text, as_version=4))
    assert requires in text and requires in downloads.export.script([], source, "# T\n")
