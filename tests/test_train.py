import math

import pytest
import torch

from linreg.data import blog_data, definition_data, lab_data, synthetic
from linreg.hypothesis import LinearRegressionModel
from linreg.reference import least_squares
from linreg.train import (
    TRAINERS, compare_learning_rates, train_autograd, train_lecture, train_manual, train_module,
)


def test_lecture_loop_reproduces_the_original_log(logs):
    data, lines = lab_data(), []
    train_lecture(data.x, data.y, lr=0.01, nb_epochs=1000, log_every=100, log=lines.append)
    assert lines == logs["lecture"]


def test_module_loop_reproduces_the_original_log_with_the_notebooks_draws(logs):
    data, lines = lab_data(), []
    train_module(data.x, data.y, lr=0.01, nb_epochs=1000, log_every=100, log=lines.append, seed=1, discard_models=1)
    assert lines == logs["module"]


def test_module_loop_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    train_module([1, 2], [1, 2], nb_epochs=1, seed=7)
    assert torch.equal(torch.rand(1), expected)


def test_history_records_every_epoch_with_one_step_by_hand():
    # y = x, W = b = 0, lr 0.01: grad W = 2/3 * (-1 - 4 - 9) = -28/3, grad b = 2/3 * (-6) = -4
    history = train_lecture([1, 2, 3], [1, 2, 3], lr=0.01, nb_epochs=5)
    assert history.epochs == list(range(6))
    assert history.grad_W[0] == pytest.approx(-28 / 3) and history.grad_b[0] == pytest.approx(-4)
    assert history.W[0] == pytest.approx(0.28 / 3) and history.b[0] == pytest.approx(0.04)
    assert history.cost[0] == pytest.approx(14 / 3)


@pytest.mark.parametrize("data", [lab_data(), blog_data(), definition_data()], ids=lambda d: d.name)
def test_the_three_loops_agree_step_by_step(data):
    lecture = train_lecture(data.x, data.y, nb_epochs=200)
    manual = train_manual(data.x, data.y, nb_epochs=200)
    module = train_module(data.x, data.y, nb_epochs=200, model=_zero_model())
    for other in (manual, module):
        for name in ("W", "b", "cost", "grad_W", "grad_b"):
            assert getattr(other, name) == pytest.approx(getattr(lecture, name), rel=1e-4, abs=1e-5), name


def _zero_model() -> LinearRegressionModel:
    model = LinearRegressionModel()
    with torch.no_grad():
        model.linear.weight.zero_()
        model.linear.bias.zero_()
    return model


@pytest.mark.slow
@pytest.mark.parametrize("model", list(TRAINERS))
@pytest.mark.parametrize("data", [lab_data(), blog_data(), definition_data()], ids=lambda d: d.name)
def test_training_approaches_the_closed_form_solution(model, data):
    W_ls, b_ls = least_squares(data.x, data.y)
    history = TRAINERS[model](data.x, data.y, lr=0.05, nb_epochs=5000)
    W, b, _ = history.final()
    assert W == pytest.approx(W_ls, abs=1e-3) and b == pytest.approx(b_ls, abs=1e-3)


@pytest.mark.slow
def test_training_on_synthetic_data_finds_the_least_squares_line():
    split = synthetic(W=2.0, b=1.0, noise=0.5, seed=2)
    W_ls, b_ls = least_squares(split.train.x, split.train.y)
    W, b, _ = train_lecture(split.train.x, split.train.y, lr=0.02, nb_epochs=5000).final()
    assert (W, b) == pytest.approx((W_ls, b_ls), abs=1e-3)


def test_runs_are_deterministic():
    a = train_module([1, 2, 3], [2, 4, 6], nb_epochs=50, seed=4)
    b = train_module([1, 2, 3], [2, 4, 6], nb_epochs=50, seed=4)
    assert a == b


@pytest.mark.parametrize("model", list(TRAINERS))
def test_divergence_stops_cleanly_and_is_recorded(model):
    # lr 0.5 on x = [1, 2, 3]: the update multiplies the error by about (1 - 0.5 * 2 * 14/3) < -1
    history = TRAINERS[model]([1, 2, 3], [1, 2, 3], lr=0.5, nb_epochs=1000, **_zero_start(model))
    assert history.diverged and history.diverged_at == history.epochs[-1]
    assert not math.isfinite(history.cost[-1])
    assert all(math.isfinite(c) for c in history.cost[:-1])
    assert history.diverged_at < 1000


def _zero_start(model):
    return {"model": _zero_model()} if model == "module" else {}


def test_compare_learning_rates_marks_only_the_large_rate_diverging():
    runs = compare_learning_rates([1, 2, 3], [2, 4, 6], [0.01, 0.1, 0.5], nb_epochs=300)
    assert [r.lr for r in runs] == [0.01, 0.1, 0.5]
    assert [r.diverged for r in runs] == [False, False, True]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"lr": 0}, ValueError, "lr must be > 0"),
        ({"lr": -0.1}, ValueError, "lr must be > 0"),
        ({"lr": math.nan}, ValueError, "lr must be finite"),
        ({"lr": "0.1"}, TypeError, "lr must be a number"),
        ({"nb_epochs": -1}, ValueError, "nb_epochs must not be negative"),
        ({"nb_epochs": 1.5}, TypeError, "nb_epochs must be a whole number"),
        ({"log_every": 0}, ValueError, "log_every must not be < 1"),
    ],
)
@pytest.mark.parametrize("model", list(TRAINERS))
def test_bad_arguments_name_the_argument(model, kwargs, error, match):
    with pytest.raises(error, match=match):
        TRAINERS[model]([1, 2, 3], [1, 2, 3], **kwargs)


@pytest.mark.parametrize("model", list(TRAINERS))
def test_bad_data_is_rejected_before_training(model):
    with pytest.raises(ValueError, match="same length"):
        TRAINERS[model]([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="empty"):
        TRAINERS[model]([], [])


def test_zero_epochs_runs_epoch_zero_only():
    history = train_lecture([1, 2], [1, 2], nb_epochs=0)
    assert history.epochs == [0]


def test_history_log_uses_the_lab_format():
    history = train_lecture([1, 2, 3], [1, 2, 3], nb_epochs=20)
    lines = history.log(10)
    assert len(lines) == 3 and lines[0].startswith("Epoch    0/20 W: 0.093, b: 0.040")


@pytest.mark.parametrize("model", list(TRAINERS))
def test_history_records_the_state_before_the_first_update(model):
    history = TRAINERS[model]([1, 2, 3], [1, 2, 3], nb_epochs=3, log_every=None)
    if model == "module":  # nn.Linear's random start, drawn here independently
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(1)
            linear = torch.nn.Linear(1, 1)
        start = (linear.weight.item(), linear.bias.item())
    else:
        start = (0.0, 0.0)
    assert (history.W_start, history.b_start) == pytest.approx(start)
    Ws, bs = history.path()
    assert (Ws[0], bs[0]) == pytest.approx(start)
    assert Ws[1:] == history.W and bs[1:] == history.b


def test_path_leaves_out_non_finite_points_after_divergence():
    history = train_lecture([1, 2, 3], [1, 2, 3], lr=0.5, nb_epochs=1000)
    Ws, bs = history.path()
    assert all(math.isfinite(v) for v in Ws + bs) and len(Ws) <= len(history) + 1


@pytest.mark.slow
def test_the_hand_written_update_gives_optim_sgds_w_and_b():
    # W -= lr * W.grad under torch.no_grad(), then W.grad = None: what optim.SGD does, except
    # that SGD rounds once (W.add_(grad, alpha=-lr)) where lr * W.grad, then the subtraction,
    # round twice: they may differ in float32's last digit, never more
    for data in (lab_data(), blog_data()):
        by_hand = train_autograd(data.x, data.y, lr=0.01, nb_epochs=1000)
        sgd = train_lecture(data.x, data.y, lr=0.01, nb_epochs=1000)
        for name in ("W", "b", "cost"):
            assert getattr(by_hand, name) == pytest.approx(getattr(sgd, name), rel=1e-5, abs=1e-7), name


def test_hand_written_update_runs_one_step_by_hand():
    history = train_autograd([1, 2, 3], [1, 2, 3], lr=0.01, nb_epochs=0)
    assert history.grad_W == pytest.approx([-28 / 3]) and history.W == pytest.approx([0.28 / 3])
