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
