"""Four training loops for the same model, and the History they return.

- ``train_lecture``: the lecture's loop as written (autograd + ``optim.SGD``).
- ``train_autograd``: autograd for the gradient, the update written by hand under
  ``torch.no_grad()`` (what ``optim.SGD`` does for us).
- ``train_manual``: the same update with the gradient derived by hand.
- ``train_module``: ``nn.Linear`` with ``F.mse_loss``, as in the ``nn.Module`` lab.

Each records where it started (W and b before the first update) and every epoch:
W and b after the update, the cost before it, and the gradient used. Training stops
cleanly when the cost becomes inf or NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import optim

from linreg import _checks
from linreg.cost import mse, mse_gradient
from linreg.hypothesis import LinearRegressionModel, hypothesis

# The original lab's log line: W and b after the step, the cost before it.
LOG_FORMAT = "Epoch {:4d}/{} W: {:.3f}, b: {:.3f} Cost: {:.6f}"

Log = Callable[[str], None]
Callback = Callable[[int], None]


@dataclass
class History:
    """What a training run did, one entry per epoch.

    Attributes:
        model: which loop ran (``lecture``, ``manual`` or ``module``).
        lr: the learning rate.
        nb_epochs: the epochs asked for; the loop runs epochs 0 to nb_epochs.
        W_start, b_start: W and b before the first update (the run's real start).
        epochs, W, b, cost, grad_W, grad_b: per-epoch records; W and b are the
            values after that epoch's update, the cost the one computed before it.
        diverged_at: the epoch whose cost was inf or NaN, or None.
    """

    model: str
    lr: float
    nb_epochs: int
    W_start: float = math.nan
    b_start: float = math.nan
    epochs: list[int] = field(default_factory=list)
    W: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    grad_W: list[float] = field(default_factory=list)
    grad_b: list[float] = field(default_factory=list)
    diverged_at: int | None = None

    def __len__(self) -> int:
        return len(self.epochs)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def line(self, i: int) -> str:
        """The original lab's log line for the i-th record."""
        return LOG_FORMAT.format(self.epochs[i], self.nb_epochs, self.W[i], self.b[i], self.cost[i])

    def log(self, every: int) -> list[str]:
        """The log lines of every ``every``-th epoch, as the lecture prints them."""
        every = _checks.count(every, "log_every", minimum=1)
        return [self.line(i) for i, epoch in enumerate(self.epochs) if epoch % every == 0]

    def path(self) -> tuple[list[float], list[float]]:
        """The (W, b) points the run visited: its start, then W and b after every finite update.

        Raises:
            ValueError: if the start was not recorded.
        """
        if not (math.isfinite(self.W_start) and math.isfinite(self.b_start)):
            raise ValueError("the history has no recorded start")
        Ws, bs = [self.W_start], [self.b_start]
        for W, b in zip(self.W, self.b):
            if math.isfinite(W) and math.isfinite(b):
                Ws.append(W)
                bs.append(b)
        return Ws, bs

    def final(self) -> tuple[float, float, float]:
        """``(W, b, cost)`` of the last recorded epoch."""
        if not self.epochs:
            raise ValueError("the history is empty: training stopped before the first epoch")
        return self.W[-1], self.b[-1], self.cost[-1]


class Recorder:
    """Fills a History and prints the log: the bookkeeping every training loop shares (here and in batches.py)."""

    def __init__(self, history: History, log_every: int | None, log: Log, callback: Callback | None):
        self.history, self.log_every, self.log, self.callback = history, log_every, log, callback

    def start(self, W: torch.Tensor, b: torch.Tensor) -> None:
        """Record W and b before the first update."""
        self.history.W_start, self.history.b_start = float(W.item()), float(b.item())

    def diverging(self, epoch: int, cost: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> bool:
        """Record a non-finite cost (before any update) and say whether to stop."""
        if math.isfinite(cost.item()):
            return False
        self.history.diverged_at = epoch
        self.record(epoch, W, b, cost, torch.tensor(math.nan), torch.tensor(math.nan))
        return True

    def record(self, epoch: int, W, b, cost, grad_W, grad_b) -> None:
        h = self.history
        h.epochs.append(epoch)
        for name, value in (("W", W), ("b", b), ("cost", cost), ("grad_W", grad_W), ("grad_b", grad_b)):
            getattr(h, name).append(float(value.item()))
        if self.log_every and epoch % self.log_every == 0:
            self.log(h.line(-1))
        if self.callback is not None:
            self.callback(epoch)


def start_run(model: str, x, y, lr, nb_epochs, log_every, log, callback):
    """Check a training call's shared arguments (naming a bad one) and open its Recorder.

    Returns the checked ``x_train, y_train, lr, nb_epochs`` and the Recorder of a new
    History for ``model``: what every training loop (here and in batches.py) starts from.
    """
    x_train, y_train = _checks.pair(x, y)
    lr = _checks.positive(lr, "lr")
    nb_epochs = _checks.count(nb_epochs, "nb_epochs")
    if log_every is not None:
        log_every = _checks.count(log_every, "log_every", minimum=1)
    history = History(model=model, lr=lr, nb_epochs=nb_epochs)
    return x_train, y_train, lr, nb_epochs, Recorder(history, log_every, log, callback)


def train_lecture(
    x: object,
    y: object,
    lr: float = 0.01,
    nb_epochs: int = 1000,
    log_every: int | None = None,
    log: Log = print,
    callback: Callback | None = None,
) -> History:
    """Train W and b from zero with autograd and ``optim.SGD``, as the lecture does.

    Args:
        x: inputs, one value per sample.
        y: outputs, one value per sample.
        lr: the learning rate (> 0).
        nb_epochs: epochs 0 to nb_epochs run (>= 0).
        log_every: print the lab's log line every this many epochs (>= 1); None prints nothing.
        log: where log lines go (``print`` by default).
        callback: called with each finished epoch (e.g. a progress bar).

    Returns:
        The run's History.

    Raises:
        ValueError, TypeError: for bad data or arguments, naming the argument.
    """
    x_train, y_train, lr, nb_epochs, recorder = start_run("lecture", x, y, lr, nb_epochs, log_every, log, callback)
    # --8<-- [start:lecture]
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = optim.SGD([W, b], lr=lr)
    recorder.start(W, b)

    for epoch in range(nb_epochs + 1):
        hypothesis = x_train * W + b
        cost = torch.mean((hypothesis - y_train) ** 2)
        if recorder.diverging(epoch, cost, W, b):
            break

        optimizer.zero_grad()  # forget the previous epoch's gradient
        cost.backward()  # dCost/dW and dCost/db into W.grad and b.grad
        optimizer.step()  # W -= lr * W.grad, b -= lr * b.grad

        recorder.record(epoch, W, b, cost, W.grad, b.grad)
    # --8<-- [end:lecture]
    return recorder.history


def train_autograd(
    x: object,
    y: object,
    lr: float = 0.01,
    nb_epochs: int = 1000,
    log_every: int | None = None,
    log: Log = print,
    callback: Callback | None = None,
) -> History:
    """The lecture's loop with the optimizer written out: autograd finds the gradient,
    and W and b are updated by hand under ``torch.no_grad()``.

    Takes the same arguments and returns the same History as ``train_lecture``.
    """
    x_train, y_train, lr, nb_epochs, recorder = start_run("autograd", x, y, lr, nb_epochs, log_every, log, callback)
    # --8<-- [start:autograd]
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    recorder.start(W, b)

    for epoch in range(nb_epochs + 1):
        hypothesis = x_train * W + b
        cost = torch.mean((hypothesis - y_train) ** 2)
        if recorder.diverging(epoch, cost, W, b):
            break

        cost.backward()  # dCost/dW and dCost/db into W.grad and b.grad
        grad_W, grad_b = W.grad, b.grad
        with torch.no_grad():  # the update itself is not part of the model
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad = None  # what optimizer.zero_grad() does
        b.grad = None

        recorder.record(epoch, W, b, cost, grad_W, grad_b)
    # --8<-- [end:autograd]
    return recorder.history


def train_manual(
    x: object,
    y: object,
    lr: float = 0.01,
    nb_epochs: int = 1000,
    log_every: int | None = None,
    log: Log = print,
    callback: Callback | None = None,
) -> History:
    """The lecture's update with the gradient derived by hand: no autograd, no optimizer.

    Takes the same arguments and returns the same History as ``train_lecture``.
    """
    x_train, y_train, lr, nb_epochs, recorder = start_run("manual", x, y, lr, nb_epochs, log_every, log, callback)
    # --8<-- [start:manual]
    W = torch.zeros(1)
    b = torch.zeros(1)
    recorder.start(W, b)

    for epoch in range(nb_epochs + 1):
        cost = mse(hypothesis(x_train, W, b), y_train)
        if recorder.diverging(epoch, cost, W, b):
            break

        dW, db = mse_gradient(x_train, y_train, W, b)
        W = W - lr * dW
        b = b - lr * db

        recorder.record(epoch, W, b, cost, dW, db)
    # --8<-- [end:manual]
    return recorder.history


def train_module(
    x: object,
    y: object,
    lr: float = 0.01,
    nb_epochs: int = 1000,
    log_every: int | None = None,
    log: Log = print,
    callback: Callback | None = None,
    seed: int = 1,
    discard_models: int = 0,
    model: LinearRegressionModel | None = None,
) -> History:
    """Train an ``nn.Linear(1, 1)`` model with ``F.mse_loss`` and ``optim.SGD``.

    Args:
        x, y, lr, nb_epochs, log_every, log, callback: as for ``train_lecture``.
        seed: seed for the model's random initial W and b (the global RNG is left as it was).
        discard_models: models drawn and thrown away first; the original notebook built one
            model to show before the one it trained, so ``discard_models=1`` reproduces it.
        model: train this model instead of drawing one (``seed`` is then unused).

    Returns:
        The run's History; ``model`` (when given) holds the trained parameters.
    """
    x_train, y_train, lr, nb_epochs, recorder = start_run("module", x, y, lr, nb_epochs, log_every, log, callback)
    discard_models = _checks.count(discard_models, "discard_models")
    if model is None:
        seed = _checks.count(seed, "seed")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for _ in range(discard_models):
                LinearRegressionModel()
            model = LinearRegressionModel()
    # --8<-- [start:module]
    optimizer = optim.SGD(model.parameters(), lr=lr)
    recorder.start(*model.parameters())

    for epoch in range(nb_epochs + 1):
        prediction = model(x_train)
        cost = F.mse_loss(prediction, y_train)
        W, b = model.parameters()
        if recorder.diverging(epoch, cost, W, b):
            break

        optimizer.zero_grad()
        cost.backward()
        optimizer.step()

        recorder.record(epoch, W, b, cost, W.grad, b.grad)
    # --8<-- [end:module]
    return recorder.history


TRAINERS: dict[str, Callable[..., History]] = {
    "lecture": train_lecture,
    "manual": train_manual,
    "module": train_module,
}


def compare_learning_rates(
    x: object, y: object, lrs: list[float], nb_epochs: int = 100, model: str = "lecture"
) -> list[History]:
    """Run one loop once per learning rate, for a figure or a table.

    Raises:
        ValueError: for an empty list, a rate <= 0 or an unknown model.
    """
    if model not in TRAINERS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(TRAINERS)}")
    rates = _checks.numbers(lrs, "lrs")
    return [TRAINERS[model](x, y, lr=lr, nb_epochs=nb_epochs, log_every=None) for lr in rates]
