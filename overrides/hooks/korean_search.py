"""Korean search: index Hangul by its pieces, so stems and terms find the page.

Material's search (lunr) indexes whole space-separated words, particles and endings
attached ("하강법은", "발산합니다"), and matches a query term only as a word's prefix. This
hook adds two hidden fields to every entry of ``search/search_index.json``:

- every ending (two syllables or more) of every Hangul word: with the prefix match, any
  piece of a word now matches ("하강법" finds "경사하강법은");
- noun compounds that kiwipiepy's morphological analyser finds, joined across spaces
  ("경사 하강법" -> "경사하강법"), so a query written without spaces finds them too.

``title`` and ``text`` are left alone, so result snippets read as written. Terms are
cached by the text's hash (``.cache/search-terms.json``): a build with unchanged pages
does not start the analyser, and a build where a page changed starts it in the background
as soon as that page is rendered. ``overrides/main.html`` strips one trailing particle from
Hangul query words (학습률이 -> 학습률).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import threading
from pathlib import Path

from mkdocs.plugins import event_priority

BOOST = {"ko_title": 1000.0, "ko": 1.0}  # Material's own: title 1000, text 1
HANGUL = re.compile(r"[\uac00-\ud7a3]+")
TAGS = re.compile(r"<[^>]+>")
NOUNS = ("NNG", "NNP", "NR", "XPN", "XSN", "XR")
_kiwi = None
_starting: threading.Thread | None = None
_known_pages: set[str] = set()  # content hashes of the pages the terms cache was made from
_seen_pages: set[str] = set()


def _start_analyser() -> None:
    """Start kiwipiepy in the background (about a second), at most once per process."""
    global _starting

    def start() -> None:
        global _kiwi
        from kiwipiepy import Kiwi

        _kiwi = Kiwi(load_typo_dict=False, load_multi_dict=False)  # nouns only: a third of the start-up

    if _kiwi is None and _starting is None:
        _starting = threading.Thread(target=start, daemon=True)
        _starting.start()


def _endings(word: str) -> list[str]:
    return [word[i:] for i in range(len(word) - 1)] or [word]


def _compounds(text: str, longest: int = 4) -> list[str]:
    """Runs of 2 to ``longest`` adjacent nouns on one line, joined without spaces."""
    _start_analyser()
    _starting.join()
    found, run, end = [], [], 0
    for token in _kiwi.tokenize(text):
        if token.tag not in NOUNS or not HANGUL.fullmatch(token.form):
            run = []
            continue
        if "\n" in text[end:token.start]:
            run = []
        run.append(token.form)
        end = token.start + token.len
        found += ["".join(run[-k:]) for k in range(2, min(longest, len(run)) + 1)]
    return found


def terms(text: str) -> str:
    """The hidden-field value for one title or text."""
    plain = html.unescape(TAGS.sub("\n", text))
    words = [ending for word in HANGUL.findall(plain) for ending in _endings(word)]
    return " ".join(words + (_compounds(plain) if HANGUL.search(plain) else []))


def _cache_file(config) -> Path:
    root = Path(config.config_file_path).resolve().parent
    return Path(os.environ.get("EXEC_CACHE_DIR", root / ".cache")) / "search-terms.json"


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def on_pre_build(config, **kwargs) -> None:
    _known_pages.clear()
    _known_pages.update(_read(_cache_file(config)).get("pages", []))
    _seen_pages.clear()


def on_page_content(html_text: str, page, **kwargs) -> str:
    # a page whose content is new will need the analyser: start it now, beside the build
    digest = hashlib.sha256(html_text.encode()).hexdigest()
    _seen_pages.add(digest)
    if digest not in _known_pages:
        _start_analyser()
    return html_text


@event_priority(-50)  # after the search plugin writes the index (0), before the site is swapped in (-90)
def on_post_build(config, **kwargs) -> None:
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.exists():
        return
    cache_file = _cache_file(config)
    stored = _read(cache_file)
    cache = stored.get("terms", {})
    used = {}

    def cached_terms(text: str) -> str:
        key = hashlib.sha256(text.encode()).hexdigest()
        used[key] = cache[key] if key in cache else terms(text)
        return used[key]

    index = json.loads(path.read_text(encoding="utf-8"))
    index["config"].setdefault("fields", {}).update({name: {"boost": boost} for name, boost in BOOST.items()})
    for doc in index["docs"]:
        doc["ko_title"] = cached_terms(doc.get("title", ""))
        doc["ko"] = cached_terms(doc.get("text", ""))
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    if used != cache or set(stored.get("pages", [])) != _seen_pages:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"terms": used, "pages": sorted(_seen_pages)}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache_file)
