import re
import xml.etree.ElementTree as ET

import pytest

from linreg import figures
from linreg.data import blog_data
from linreg.train import compare_learning_rates, train_lecture


@pytest.fixture(scope="module")
def run():
    data = blog_data()
    return data, train_lecture(data.x, data.y, nb_epochs=300)


def _all_figures(data, history):
    runs = compare_learning_rates(data.x, data.y, [0.01, 0.1, 0.3], nb_epochs=50)
    return {
        "data_and_lines": figures.data_and_lines(data, [(1, 0), (2, 0)]),
        "fit": figures.fit(data, history),
        "cost_curve": figures.cost_curve(runs),
        "cost_by_W": figures.cost_by_W(data, marks=[0, 2]),
        "cost_surface": figures.cost_surface(data, history),
    }


def test_figures_are_valid_svg_and_byte_identical_across_runs(run):
    first, second = _all_figures(*run), _all_figures(*run)
    for name, svg in first.items():
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg"), name
        assert svg == second[name], f"{name} changed between two identical calls"
        assert "<metadata>" not in svg and "Date" not in svg


def test_korean_text_is_drawn_with_the_bundled_font(run, recwarn):
    svg = figures.fit(*run)
    assert "NanumGothic" in svg  # glyphs are paths named after the font
    assert not [w for w in recwarn if "missing from font" in str(w.message)]
    assert "\u2212" not in svg


def test_save_writes_atomically(tmp_path, run):
    svg = figures.fit(*run)
    path = figures.save(svg, tmp_path / "fit.svg")
    assert path.read_text() == svg
    assert [p.name for p in tmp_path.iterdir()] == ["fit.svg"]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        figures.save(svg, tmp_path / "missing" / "fit.svg")
    with pytest.raises(ValueError, match="SVG text"):
        figures.save("not svg", tmp_path / "x.svg")


def test_figure_html_has_alt_text_and_caption(run):
    html = figures.figure_html(figures.fit(*run), alt='학습한 직선 "W"', caption="그림 1")
    assert re.search(r'<svg role="img" aria-label="학습한 직선 &quot;W&quot;"', html)
    assert "<figcaption>그림 1</figcaption>" in html
    with pytest.raises(ValueError, match="alt and caption"):
        figures.figure_html("<svg ></svg>", alt="", caption="x")


def test_bad_arguments(run):
    data, _ = run
    with pytest.raises(ValueError, match="W_range"):
        figures.cost_by_W(data, W_range=(2, 1))
    with pytest.raises(ValueError, match="histories is empty"):
        figures.cost_curve([])
