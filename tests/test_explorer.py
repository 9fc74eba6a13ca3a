"""The explorer's shipped data equals linreg's runs, checked against separate runs and a loop written here."""

from __future__ import annotations

import gzip
import html
import json
import math
import re

import pytest
import torch

from linreg import blog_data, mse, mse_gradient, train_lecture
from linreg.explorer import (
    EPOCH_CHOICES, LEARNING_RATES, contours, drawn_epochs, explorer_data, explorer_html, js_fixed, run_grid,
    shortest, simplify, to_json, window,
)
from sitebuild import ROOT, once_per_run

FLOAT32_MAX = 3.4028234663852886e38


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """linreg's explorer data (seconds of training), computed once per test run: under `pytest -n` the
    workers read the first one's (JSON holds it exactly: it is the JSON the page ships)."""
    folder = once_per_run(tmp_path_factory, "explorer-data",
                          lambda folder: (folder / "data.json").write_text(json.dumps(explorer_data())))
    return json.loads((folder / "data.json").read_text())


def epochs(data: dict, run: dict) -> list[int]:
    """A run's drawn epochs, as explorer.js reads them: the first n shared frames, then the run's tail."""
    return data["frames"][:run["n"]] + run["tail"]


def gradient_descent_float64(lr: float, nb_epochs: int) -> tuple[list[float], list[float], list[float]]:
    """The lecture's update on y = 2x from W = b = 0, by hand in float64: W, b after each epoch, cost before."""
    xs, ys = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]
    W = b = 0.0
    Ws, bs, costs = [], [], []
    for _ in range(nb_epochs + 1):
        errors = [W * x + b - y for x, y in zip(xs, ys)]
        costs.append(sum(e * e for e in errors) / 3)
        W, b = W - lr * 2 * sum(e * x for e, x in zip(errors, xs)) / 3, b - lr * 2 * sum(errors) / 3
        Ws.append(W)
        bs.append(b)
        if not math.isfinite(costs[-1]) or abs(W) > 1e150:
            break
    return Ws, bs, costs


@pytest.mark.slow  # the explorer's whole grid, computed once per run (seconds)
def test_the_grid_covers_the_issues_learning_rates_and_the_lectures_setting(data):
    assert {0.001, 0.01, 0.05, 0.1, 0.15, 0.18, 0.2, 0.3} <= set(data["lrs"])
    assert data["lrs"] == sorted(data["lrs"]) and 1000 in data["epochs"]
    assert data["lrs"][data["default"][0]] == 0.01 and data["epochs"][data["default"][1]] == 1000
    Ws, bs, costs = gradient_descent_float64(0.01, 1000)  # the lecture's setting, by the loop written here
    assert data["runs"][data["default"][0]]["finals"]["1000"] == \
        f"Epoch 1000/1000 W: {Ws[-1]:.3f}, b: {bs[-1]:.3f} Cost: {costs[-1]:.6f}"


@pytest.mark.slow  # the explorer's whole grid, computed once per run (seconds)
@pytest.mark.parametrize("lr", LEARNING_RATES)
def test_each_final_line_is_the_one_a_separate_run_of_that_length_logs(data, lr):
    run = data["runs"][data["lrs"].index(lr)]
    dataset = blog_data()
    for n in EPOCH_CHOICES:
        lines = []
        history = train_lecture(dataset.x, dataset.y, lr=lr, nb_epochs=n, log_every=n, log=lines.append)
        if history.diverged and history.diverged_at <= n:
            assert run["finals"][str(n)] is None and run["diverged"] == history.diverged_at
        else:
            assert run["finals"][str(n)] == lines[-1]


@pytest.mark.slow  # the explorer's whole grid, computed once per run (seconds)
@pytest.mark.parametrize("lr", LEARNING_RATES)
def test_every_drawn_epoch_prints_as_the_lectures_log_line_for_it(data, lr):
    """What explorer.js prints for a frame (js_fixed of the shipped numbers) is linreg's own log line."""
    run = data["runs"][data["lrs"].index(lr)]
    longest = max(EPOCH_CHOICES)
    logged = {}
    train_lecture(blog_data().x, blog_data().y, lr=lr, nb_epochs=longest, log_every=1,
                  log=lambda line: logged.__setitem__(int(line[6:10]), line))  # a later line for an epoch wins
    for epoch, W, b, cost in zip(epochs(data, run), run["W"], run["b"], run["cost"]):
        printed = f"Epoch {epoch:4d}/{longest} W: {js_fixed(W, 3)}, b: {js_fixed(b, 3)} Cost: {js_fixed(cost, 6)}"
        assert printed == logged[epoch]


@pytest.mark.slow  # the explorer's whole grid, computed once per run (seconds)
@pytest.mark.parametrize("lr", LEARNING_RATES)
def test_the_path_follows_a_hand_written_float64_loop(data, lr):
    run = data["runs"][data["lrs"].index(lr)]
    Ws, bs, costs = gradient_descent_float64(lr, max(EPOCH_CHOICES))
    assert data["start"][:2] == [0, 0] and data["start"][2] == pytest.approx(costs[0], rel=1e-6)
    for epoch, W, b, cost in zip(epochs(data, run), run["W"], run["b"], run["cost"]):
        if costs[epoch] > 1e6:  # float32 and float64 drift apart once the run blows up
            break
        assert W == pytest.approx(Ws[epoch], rel=1e-4, abs=1e-3) and b == pytest.approx(bs[epoch], rel=1e-4, abs=1e-3)
        assert cost == pytest.approx(costs[epoch], rel=2e-3, abs=2e-6)
    if run["diverged"] is None:
        assert epochs(data, run)[-1] == max(EPOCH_CHOICES) and costs[-1] < 1
    else:  # float32 stops at the epoch whose sum of squared errors leaves its range; float64 goes on
        n = run["diverged"]
        assert epochs(data, run)[-1] == n - 1 and 3 * costs[n - 1] < FLOAT32_MAX < 3 * costs[n]


def test_drawn_epochs_are_dense_first_then_sparse_and_keep_what_is_asked():
    assert drawn_epochs(3) == [0, 1, 2, 3]
    drawn = drawn_epochs(3000, keep=[1234, 5000])
    assert drawn[:101] == list(range(101)) and 110 in drawn and 105 not in drawn and 1050 in drawn
    assert 1234 in drawn and 5000 not in drawn and drawn[-1] == 3000 and drawn == sorted(set(drawn))


@pytest.mark.slow  # the explorer's whole grid, computed once per run (seconds)
def test_a_divergent_run_ends_at_its_last_finite_cost(data):
    for run in data["runs"]:
        assert len(epochs(data, run)) == len(run["W"]) == len(run["b"]) == len(run["cost"])
        if run["diverged"] is not None:
            assert epochs(data, run)[-1] == run["diverged"] - 1 and all(math.isfinite(c) for c in run["cost"])
    assert any(run["diverged"] for run in data["runs"]) and any(run["diverged"] is None for run in data["runs"])


@pytest.mark.slow  # the explorer's whole grid, computed once per run (seconds)
def test_contours_lie_on_their_cost_level(data):
    """Every drawn contour point is within 0.002 (in W and b: a fifth of a pixel) of its level's true line."""
    dataset = blog_data()
    assert len(data["contours"]) >= 5
    for level, lines in data["contours"]:
        assert lines, level
        for flat in lines:
            for W, b in zip(flat[::2], flat[1::2]):
                cost = mse(dataset.x * W + b, dataset.y).item()
                dW, db = mse_gradient(dataset.x, dataset.y, torch.tensor([W]), torch.tensor([b]))
                assert abs(cost - level) / math.hypot(dW.item(), db.item()) < 0.002, (level, W, b, cost)


@pytest.mark.slow  # the explorer's whole grid, computed once per run (seconds)
def test_the_window_holds_every_convergent_path_the_start_and_the_minimum(data):
    W0, W1, b0, b1 = data["window"]
    assert W0 < 0 < 2 < W1 and b0 < 0 < b1
    for run in data["runs"]:
        if run["diverged"] is None:
            assert all(W0 <= W <= W1 for W in run["W"]) and all(b0 <= b <= b1 for b in run["b"])


def test_js_fixed_rounds_half_up_like_to_fixed_and_shortest_still_prints_as_python():
    assert js_fixed(0.0625, 3) == "0.063" and f"{0.0625:.3f}" == "0.062"  # a tie: toFixed and Python differ
    assert js_fixed(shortest(0.0625, 3), 3) == "0.062"
    assert js_fixed(-0.0, 3) == "-0.000" and js_fixed(-1e-5, 3) == "-0.000"
    assert js_fixed(FLOAT32_MAX, 6) == f"{FLOAT32_MAX:.6f}"
    assert shortest(1.9710234, 3) == 1.971 and shortest(18.6666660308, 6, significant=4) == 18.666666
    assert shortest(4.2e-9, 6, significant=4) == 4.2e-9


def test_simplify_keeps_the_ends_and_drops_points_on_a_straight_line():
    assert simplify([(0, 0), (1, 1), (2, 2), (3, 0)], 0.01) == [(0, 0), (2, 2), (3, 0)]
    assert simplify([(0, 0), (1, 0.001), (2, 0)], 0.01) == [(0, 0), (2, 0)]


@pytest.mark.slow  # the explorer's whole grid, computed once per run (seconds)
def test_html_holds_the_data_hidden_and_defers_the_script(data):
    page = explorer_html(data)
    attribute = re.search(r'<div class="linreg-explorer" data-explorer="([^"]*)" hidden></div>', page).group(1)
    assert json.loads(html.unescape(attribute)) == json.loads(to_json(data))
    assert re.search(r'<script src="\.\./\.\./assets/js/explorer\.js" defer></script>$', page)
    assert "application/json" not in page  # Material's instant navigation would run it as JavaScript


@pytest.mark.slow  # the explorer's whole grid, computed once per run (seconds)
def test_script_and_data_fit_the_budget_of_60_kb_gzipped(data):
    script = (ROOT / "docs" / "assets" / "js" / "explorer.js").read_bytes()
    total = len(gzip.compress(script, 9)) + len(gzip.compress(explorer_html(data).encode(), 9))
    assert total < 60_000, total


@pytest.mark.parametrize("call, argument", [
    (lambda: run_grid(lrs=[]), "lrs"),
    (lambda: run_grid(lrs=[0.01, -1.0]), "lrs[1]"),
    (lambda: run_grid(epoch_choices=[]), "epoch_choices"),
    (lambda: run_grid(epoch_choices=[10, 0]), "epoch_choices[1]"),
    (lambda: drawn_epochs(-1), "nb_epochs"),
    (lambda: drawn_epochs(10, keep=[-2]), "keep[0]"),
    (lambda: window(blog_data(), [], margin=-0.1), "margin"),
    (lambda: contours(blog_data(), (1, 0, 0, 1)), "region"),
    (lambda: contours(blog_data(), (0, 1, 0, 1), levels=[0]), "levels[0]"),
    (lambda: contours(blog_data(), (0, 1, 0, 1), resolution=2), "resolution"),
    (lambda: shortest(math.inf, 3), "value"),
    (lambda: simplify([(0, 0)], -1), "tolerance"),
    (lambda: explorer_html({}, script=""), "script"),
])
def test_bad_arguments_raise_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=re.escape(argument)):
        call()
