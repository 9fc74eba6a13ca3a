"""The Korean search terms: word endings, and compounds joined across their spaces."""

from __future__ import annotations

import importlib.util

from sitebuild import ROOT

_spec = importlib.util.spec_from_file_location("korean_search", ROOT / "overrides" / "hooks" / "korean_search.py")
korean_search = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(korean_search)


def test_every_ending_of_a_word_is_a_term():
    terms = korean_search.terms("발산합니다").split()
    assert {"발산합니다", "산합니다", "합니다", "니다"} <= set(terms)  # lunr's prefix match finds "발산"


def test_compounds_are_joined_across_their_spaces():
    terms = set(korean_search.terms("<p>경사 하강법(Gradient Descent)은 평균 제곱 오차를 줄입니다.</p>").split())
    assert {"경사하강법", "평균제곱", "평균제곱오차를", "제곱오차를"} <= terms


def test_a_word_with_a_particle_heads_no_compound():
    terms = set(korean_search.terms("학습률이 너무 크면 발산합니다").split())
    assert not {t for t in terms if t.startswith("학습률이너무") or t.startswith("크면발산")}


def test_words_on_different_lines_are_not_joined():
    terms = set(korean_search.terms("<h2>비용</h2><p>함수</p>").split())
    assert "비용함수" not in terms


def test_each_use_of_a_term_is_indexed_under_the_glossarys_other_names():
    terms = korean_search.terms("<p>그래디언트를 구하고 그래디언트의 반대로 갑니다.</p>").split()
    assert terms.count("변화도") == 2 and terms.count("기울기") == 2  # as often as the term: ranks as it does


def test_a_slope_is_not_a_gradient():
    terms = korean_search.terms("<p>직선의 기울기는 W입니다.</p>").split()
    assert "그래디언트" not in terms and "변화도" not in terms


def test_the_synonyms_are_the_glossarys():
    """The home page's glossary box names each term's other words: the index uses the same ones."""
    glossary = (ROOT / "docs" / "index.md").read_text(encoding="utf-8").split("{#glossary}")[1]
    for term, others in korean_search.SYNONYMS.items():
        entry = next(line for line in glossary.split("\n    - ") if line.startswith(f"**{term}**"))
        for other in others:
            assert f"**{other}**" in entry, (term, other)
