"""Mini-batch training, each behaviour checked against a reference built here: a plain torch
loop with its own DataLoader, a float64 loop with the hand-derived gradient, a step counter
hooked into every optimizer, the closed-form least-squares line and hand-worked steps."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import torch
from torch.optim.optimizer import register_optimizer_step_post_hook
from torch.utils.data import DataLoader, TensorDataset

from linreg import figures
from linreg.batches import train_minibatch
from linreg.data import blog_data, synthetic
from linreg.train import train_lecture


def plain_minibatch(x, y, batch_size, lr, nb_epochs, seed):
    """The mini-batch loop in plain torch: (W after each epoch, b after each epoch, cost before each epoch)."""
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    Ws, bs, costs = [], [], []
    for _ in range(nb_epochs + 1):
        with torch.no_grad():
            costs.append(torch.mean((x * W + b - y) ** 2).item())
        for xb, yb in loader:
            loss = torch.mean((xb * W + b - yb) ** 2)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        Ws.append(W.item())
        bs.append(b.item())
    return Ws, bs, costs


def shuffled_orders(m, batch_size, nb_epochs, seed):
    """The sample indices of every mini-batch, read from a same-seeded DataLoader over the indices."""
    loader = DataLoader(list(range(m)), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    return [[batch.tolist() for batch in loader] for _ in range(nb_epochs + 1)]


def normal_equations(x, y):
    """(W, b) minimising the squared error, from the 2x2 normal equations in float64."""
    x, y = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    A = np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), len(x)]])
    W, b = np.linalg.solve(A, np.array([np.sum(x * y), np.sum(y)]))
    return W, b


@pytest.fixture(scope="module")
def train_data():
    return synthetic().train


# --- the full batch is the lecture's loop -------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("data", [blog_data(), synthetic(size=20, seed=3).train], ids=lambda d: d.name)
def test_full_batch_is_the_lecture_loop(data):
    full = train_minibatch(data.x, data.y, batch_size=len(data), lr=0.01, nb_epochs=200, seed=5)
    lecture = train_lecture(data.x, data.y, lr=0.01, nb_epochs=200)
    assert full.epochs == lecture.epochs
    assert (full.W_start, full.b_start) == (lecture.W_start, lecture.b_start) == (0.0, 0.0)
    # the same updates; only the shuffled order of one sum's terms differs (float32 rounding)
    for name in ("W", "b", "cost", "grad_W", "grad_b"):
        assert getattr(full, name) == pytest.approx(getattr(lecture, name), rel=1e-5, abs=1e-6), name


@pytest.mark.parametrize("batch_size", [1, 4, 7])
def test_a_run_is_a_plain_torch_dataloader_loop(train_data, batch_size):
    x, y = train_data.x[:30], train_data.y[:30]
    run = train_minibatch(x, y, batch_size=batch_size, lr=0.01, nb_epochs=6, seed=2)
    Ws, bs, costs = plain_minibatch(x, y, batch_size, lr=0.01, nb_epochs=6, seed=2)
    assert run.W == Ws and run.b == bs
    assert run.cost == pytest.approx(costs, rel=1e-6)


# --- one update per mini-batch ------------------------------------------------------------

@pytest.mark.parametrize("m, batch_size, per_epoch", [(8, 1, 8), (8, 3, 3), (8, 4, 2), (8, 8, 1), (80, 1, 80)])
def test_every_mini_batch_makes_one_update(m, batch_size, per_epoch):
    steps = []
    handle = register_optimizer_step_post_hook(lambda *args: steps.append(1))
    try:
        run = train_minibatch(torch.arange(m, dtype=torch.float32) / m, torch.ones(m), batch_size=batch_size,
                              lr=0.01, nb_epochs=4)
    finally:
        handle.remove()
    assert len(run) == 5 and len(steps) == 5 * per_epoch == 5 * math.ceil(m / batch_size)


def test_batch_size_one_is_the_hand_derived_update_sample_by_sample():
    # per sample: W -= lr * 2 (Wx + b - y) x, b -= lr * 2 (Wx + b - y), in the DataLoader's order, in float64
    data = synthetic(size=12, seed=4).train
    x, y = data.x.double().flatten().tolist(), data.y.double().flatten().tolist()
    run = train_minibatch(data.x, data.y, batch_size=1, lr=0.02, nb_epochs=5, seed=9)
    W = b = 0.0
    for epoch, order in enumerate(shuffled_orders(len(x), 1, 5, seed=9)):
        assert sorted(i for batch in order for i in batch) == list(range(len(x)))  # every sample once
        for (i,) in order:
            error = W * x[i] + b - y[i]
            W, b = W - 0.02 * 2 * error * x[i], b - 0.02 * 2 * error
        assert (run.W[epoch], run.b[epoch]) == pytest.approx((W, b), rel=1e-5, abs=1e-6)


def test_one_epoch_of_two_samples_by_hand():
    # x = y = [1, 2], lr 0.1, one sample at a time from W = b = 0:
    #   order (1, 2): W = 0.2, b = 0.2, then error -1.4: W = 0.76, b = 0.48
    #   order (2, 1): W = 0.8, b = 0.4, then error 0.2:  W = 0.76, b = 0.36
    # the record: the whole data's cost 5/2 and gradient (-5, -3) before the epoch
    ends = set()
    for seed in range(8):
        run = train_minibatch([1, 2], [1, 2], batch_size=1, lr=0.1, nb_epochs=0, seed=seed)
        assert run.epochs == [0] and run.model == "minibatch"
        assert (run.cost[0], run.grad_W[0], run.grad_b[0]) == pytest.approx((2.5, -5, -3))
        W, b, _ = run.final()
        ends.add((round(W, 5), round(b, 5)))
    assert ends == {(0.76, 0.48), (0.76, 0.36)}  # both orders occur, and nothing else


# --- seeds ----------------------------------------------------------------------------------

def test_seeded_runs_are_reproducible_and_the_seed_is_the_order(train_data):
    a = train_minibatch(train_data.x, train_data.y, batch_size=4, nb_epochs=5, seed=3)
    b = train_minibatch(train_data.x, train_data.y, batch_size=4, nb_epochs=5, seed=3)
    c = train_minibatch(train_data.x, train_data.y, batch_size=4, nb_epochs=5, seed=4)
    assert a == b
    assert a.W != c.W


def test_the_global_rng_is_left_alone(train_data):
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    train_minibatch(train_data.x, train_data.y, batch_size=4, nb_epochs=2, seed=1)
    assert torch.equal(torch.rand(1), expected)


# --- where it goes --------------------------------------------------------------------------

@pytest.mark.slow
def test_full_batch_training_finds_the_least_squares_line(train_data):
    W_ls, b_ls = normal_equations(train_data.x, train_data.y)
    W, b, _ = train_minibatch(train_data.x, train_data.y, batch_size=len(train_data), lr=0.05,
                              nb_epochs=3000).final()
    assert (W, b) == pytest.approx((W_ls, b_ls), abs=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("batch_size, lr, tolerance", [(4, 0.002, 0.05), (1, 0.0005, 0.05)])
def test_mini_batch_training_ends_near_the_least_squares_line(train_data, batch_size, lr, tolerance):
    # the noise keeps it from settling exactly, by an amount that shrinks with the learning rate
    x, y = train_data.x, train_data.y
    W_ls, b_ls = normal_equations(x, y)
    run = train_minibatch(x, y, batch_size=batch_size, lr=lr, nb_epochs=300, seed=0)
    W, b, _ = run.final()
    assert (W, b) == pytest.approx((W_ls, b_ls), abs=tolerance)
    floor = float(np.mean((W_ls * x.double().numpy() + b_ls - y.double().numpy()) ** 2))
    assert floor * (1 - 1e-6) <= min(run.cost) and run.cost[-1] < 1.05 * floor


@pytest.mark.slow
def test_smaller_batches_bounce_above_the_floor_and_the_full_batch_never_rises(train_data):
    x, y = train_data.x, train_data.y
    runs = {size: plain_minibatch(x, y, size, lr=0.01, nb_epochs=30, seed=0)[2] for size in (1, 4, len(x))}
    for size, costs in runs.items():
        assert train_minibatch(x, y, batch_size=size, lr=0.01, nb_epochs=30, seed=0).cost == pytest.approx(costs, rel=1e-6)
    rises = {size: sum(b > a for a, b in zip(c, c[1:])) for size, c in runs.items()}
    assert rises[len(x)] == 0 and rises[1] > 0 and rises[4] > 0


def test_divergence_stops_cleanly_and_is_recorded():
    # one sample at x = 3 with lr 1: each step multiplies its error by 1 - 2 * (9 + 1) = -19
    run = train_minibatch([1, 2, 3], [1, 2, 3], batch_size=1, lr=1.0, nb_epochs=1000, seed=0)
    assert run.diverged and run.diverged_at == run.epochs[-1] < 1000
    assert not math.isfinite(run.cost[-1]) and all(math.isfinite(c) for c in run.cost[:-1])


def test_log_lines_use_the_lab_format():
    lines = []
    run = train_minibatch([1, 2, 3], [2, 4, 6], batch_size=3, lr=0.01, nb_epochs=20, log_every=10, log=lines.append)
    assert lines == [run.line(0), run.line(10), run.line(20)]
    assert lines[0].startswith("Epoch    0/20 W: 0.187, b: 0.080 Cost: 18.666")


# --- bad arguments --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"batch_size": 0}, ValueError, "batch_size must not be < 1"),
        ({"batch_size": -2}, ValueError, "batch_size must not be < 1"),
        ({"batch_size": 4}, ValueError, r"batch_size must not be > the number of samples \(3\), got 4"),
        ({"batch_size": 1.5}, TypeError, "batch_size must be a whole number"),
        ({"batch_size": True}, TypeError, "batch_size must be a whole number"),
        ({"batch_size": None}, TypeError, "batch_size must be a whole number"),
        ({"lr": 0}, ValueError, "lr must be > 0"),
        ({"lr": math.inf}, ValueError, "lr must be finite"),
        ({"lr": "0.1"}, TypeError, "lr must be a number"),
        ({"nb_epochs": -1}, ValueError, "nb_epochs must not be negative"),
        ({"seed": -1}, ValueError, "seed must not be negative"),
        ({"seed": 0.5}, TypeError, "seed must be a whole number"),
        ({"log_every": 0}, ValueError, "log_every must not be < 1"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, match):
    arguments = {"batch_size": 1, **kwargs}
    with pytest.raises(error, match=match):
        train_minibatch([1, 2, 3], [1, 2, 3], **arguments)


def test_bad_data_is_rejected_before_training():
    with pytest.raises(ValueError, match="same length"):
        train_minibatch([1, 2, 3], [1, 2], batch_size=1)
    with pytest.raises(ValueError, match="empty"):
        train_minibatch([], [], batch_size=1)


# --- the figures ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def three_runs(train_data):
    x, y = train_data.x, train_data.y
    runs = [train_minibatch(x, y, batch_size=size, lr=0.01, nb_epochs=10, seed=0) for size in (1, 4, len(x))]
    W_ls, b_ls = normal_equations(x, y)
    floor = float(np.mean((W_ls * x.double().numpy() + b_ls - y.double().numpy()) ** 2))
    return runs, floor


@pytest.mark.slow
def test_cost_near_floor_draws_the_runs_side_by_side(three_runs):
    runs, floor = three_runs
    labels = ["배치 크기 1", "배치 크기 4", "배치 크기 80"]
    svg = figures.cost_near_floor(runs, floor, labels=labels)
    assert ET.fromstring(svg).tag.endswith("svg") and svg == figures.cost_near_floor(runs, floor, labels=labels)
    whole, near = figures.cost_near_floor_figure(runs, floor, labels=labels, zoom=1.5).axes
    assert whole.get_yscale() == "log" and near.get_yscale() == "linear"
    assert near.get_ylim()[1] == pytest.approx(1.5 * floor) and near.get_ylim()[0] < floor
    assert whole.get_ylim()[0] < floor < whole.get_ylim()[1]
    for ax in (whole, near):
        curves = [line for line in ax.lines if line.get_gid() != "floor"]
        assert [list(line.get_ydata()) for line in curves] == [run.cost for run in runs]
        assert [line.get_label() for line in curves] == labels
        level = next(line for line in ax.lines if line.get_gid() == "floor")
        assert set(level.get_ydata()) == {floor}


def test_cost_curve_takes_labels_and_a_floor(three_runs):
    runs, floor = three_runs
    ax = figures.cost_curve_figure(runs, labels=["a", "b", "c"], floor=floor).axes[0]
    assert [line.get_label() for line in ax.lines if line.get_gid() != "floor"] == ["a", "b", "c"]
    assert any(line.get_gid() == "floor" for line in ax.lines) and ax.get_ylim()[0] < floor
    default = figures.cost_curve_figure(runs[:1]).axes[0]
    assert [line.get_label() for line in default.lines] == ["학습률 0.01"]


@pytest.mark.parametrize(
    "kwargs, match",
    [({"labels": ["a"]}, "labels must name every run"), ({"floor": 0.0}, "floor must be > 0"),
     ({"zoom": 1.0}, "zoom must be > 1"), ({"floor": math.nan}, "floor must be finite")],
)
def test_cost_near_floor_bad_arguments(three_runs, kwargs, match):
    runs, floor = three_runs
    arguments = {"floor": floor, **kwargs}
    with pytest.raises(ValueError, match=match):
        figures.cost_near_floor(runs, **arguments)
    with pytest.raises(ValueError, match="labels must name every run"):
        figures.cost_curve(runs, labels=["a", "b"])
