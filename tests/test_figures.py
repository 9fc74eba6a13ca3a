import math
import re
import xml.etree.ElementTree as ET

import pytest
import torch

from linreg import figures
from linreg.data import blog_data
from linreg.hypothesis import LinearRegressionModel
from linreg.train import compare_learning_rates, train_lecture, train_module


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


@pytest.mark.slow
def test_figures_are_valid_svg_and_byte_identical_across_runs(run):
    first, second = _all_figures(*run), _all_figures(*run)
    for name, svg in first.items():
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg"), name
        assert svg == second[name], f"{name} changed between two identical calls"
        assert "<metadata>" not in svg and "Date" not in svg and "<!--" not in svg
        positions = [v for tag in re.findall(r"<use [^>]*>", svg) for v in re.findall(r'\b[xy]="([^"]*)"', tag)]
        assert positions and all(re.fullmatch(r"-?\d+(\.\d{1,2})?", v) for v in positions), name


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


def test_cost_surface_path_starts_at_the_runs_real_start():
    # a random start (nn.Linear's own initialisation), read from the model before training
    data = blog_data()
    torch.manual_seed(5)
    model = LinearRegressionModel()
    start = (model.linear.weight.item(), model.linear.bias.item())
    assert start != (0.0, 0.0)
    history = train_module(data.x, data.y, nb_epochs=50, model=model)
    assert (history.W_start, history.b_start) == start
    fig = figures.cost_surface_figure(data, history)
    path = next(line for line in fig.axes[0].lines if line.get_gid() == "path-0")
    drawn = path.get_xydata()
    assert tuple(drawn[0]) == pytest.approx(start)
    assert len(drawn) == len(history) + 1  # the start, then every update
    assert tuple(drawn[-1]) == pytest.approx(history.final()[:2])


def test_cost_surface_draws_every_run_from_its_own_start():
    data = blog_data()
    zero = train_lecture(data.x, data.y, nb_epochs=20)
    other = train_module(data.x, data.y, nb_epochs=20, seed=3)
    fig = figures.cost_surface_figure(data, [zero, other], labels=["a", "b"])
    lines = {line.get_gid(): line.get_xydata() for line in fig.axes[0].lines if line.get_gid()}
    assert tuple(lines["path-0"][0]) == (0.0, 0.0)
    assert tuple(lines["path-1"][0]) == pytest.approx((other.W_start, other.b_start))
    with pytest.raises(ValueError, match="labels"):
        figures.cost_surface_figure(data, [zero, other], labels=["a"])


def test_a_diverging_run_does_not_squash_the_other_curves():
    data = blog_data()
    runs = compare_learning_rates(data.x, data.y, [0.01, 0.1, 0.3], nb_epochs=100)
    assert runs[-1].diverged and max(c for c in runs[-1].cost if math.isfinite(c)) > 1e30
    ax = figures.cost_curve_figure(runs).axes[0]
    bottom, top = ax.get_ylim()
    kept = [c for run in runs[:2] for c in run.cost]
    assert max(kept) <= top < 10 * max(kept) and 0 < bottom <= min(kept)
    # the divergence is marked where the curve leaves the plot, on the top edge
    marker = next(line for line in ax.lines if line.get_gid() == "divergence-2")
    epoch, height = marker.get_xydata()[0]
    assert height == top
    assert epoch == next(e for e, c in zip(runs[-1].epochs, runs[-1].cost) if not c <= top)


def test_train_and_test_and_tensor_pair_draw():
    data = blog_data()
    for svg in (figures.train_and_test(data, [4]), figures.tensor_pair(data)):
        assert ET.fromstring(svg).tag.endswith("svg")
