"""Korean search: index Hangul by its pieces, so stems and terms find the page.

Material's search (lunr) indexes whole space-separated words, particles and endings
attached ("하강법은", "발산합니다"), and matches a query term only as a word's prefix. This
hook adds two hidden fields to every entry of ``search/search_index.json``:

- every ending (two syllables or more) of every Hangul word: with the prefix match, any
  piece of a word now matches ("하강법" finds "경사하강법은", "발산" finds "발산합니다");
- runs of two to four adjacent Hangul words on one line, joined without spaces, where every
  word but the last ends without a particle ("경사 하강법은" -> "경사하강법은", "평균 제곱
  오차를" -> "평균제곱오차를"), so a term written without its spaces finds its page too.
  Korean writes a compound's parts apart or together; a word ending in a particle
  ("학습률이 너무") is a phrase's end, not a compound's head.

- for every use of a term the glossary (the home page's 용어 상자) names with other words,
  those words too: 그래디언트 is also indexed as 변화도 and 기울기, the lecture's words, so a
  reader who searches with the lecture's word finds the page that explains the thing. The
  link goes one way: the site says 기울기 for a line's slope as well, and a slope is no
  gradient.

``title`` and ``text`` are left alone, so result snippets read as written. Everything is
plain text work: no analyser, no model to load, nothing cached. ``overrides/main.html``
strips one trailing particle from Hangul query words (학습률이 -> 학습률).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

BOOST = {"ko_title": 1000.0, "ko": 1.0}  # Material's own: title 1000, text 1
LONGEST = 4  # words in a joined run
HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+(?:[ \t]+[\uac00-\ud7a3]+)*")
HANGUL = re.compile(r"[\uac00-\ud7a3]+")
TAGS = re.compile(r"<[^>]+>")
# the glossary's other names for a term: each use of the key is also indexed as these words
SYNONYMS = {"그래디언트": ("변화도", "기울기")}
# one-syllable particles and endings that close a phrase; a word ending in one heads no compound
PARTICLE = re.compile(r"(?:은|는|이|가|을|를|의|에|와|과|로|도|만|서|고|며|면|다|요|게|지|나|라|야|든|죠|니|데)$")


def _endings(word: str) -> list[str]:
    return [word[i:] for i in range(len(word) - 1)] or [word]


def _joined(line: str) -> list[str]:
    """Runs of 2 to LONGEST adjacent Hangul words, joined, whose leading words bear no particle."""
    found = []
    for run in HANGUL_RUN.findall(line):
        words = run.split()
        for start in range(len(words) - 1):
            for end in range(start + 1, min(start + LONGEST, len(words))):
                if PARTICLE.search(words[end - 1]):
                    break
                found.append("".join(words[start:end + 1]))
    return found


def terms(text: str) -> str:
    """The hidden-field value for one title or text."""
    plain = html.unescape(TAGS.sub("\n", text))
    hangul = HANGUL.findall(plain)
    words = [ending for word in hangul for ending in _endings(word)]
    words += [other for word in hangul for term, others in SYNONYMS.items() if term in word for other in others]
    return " ".join(words + [joined for line in plain.splitlines() for joined in _joined(line)])


@event_priority(-50)  # after the search plugin writes the index (0), before the site is swapped in (atomic_site, -100)
def on_post_build(config, **kwargs) -> None:
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    index["config"].setdefault("fields", {}).update({name: {"boost": boost} for name, boost in BOOST.items()})
    for doc in index["docs"]:
        doc["ko_title"] = terms(doc.get("title", ""))
        doc["ko"] = terms(doc.get("text", ""))
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
