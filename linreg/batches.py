"""Mini-batch training: the lecture's loop fed by a ``DataLoader`` instead of the whole data.

Each epoch shuffles the samples (a seeded generator: the same seed, the same order) and
splits them into mini-batches of ``batch_size``; every mini-batch makes one ``optim.SGD``
update, so an epoch makes ceil(m / batch_size) updates and uses every sample once.
With ``batch_size`` equal to the number of samples this is ``train_lecture`` again.
"""

from __future__ import annotations

import torch
from torch import optim
from torch.utils.data import DataLoader, TensorDataset

from linreg import _checks
from linreg.cost import mse, mse_gradient
from linreg.train import Callback, History, Log, start_run


def train_minibatch(
    x: object,
    y: object,
    batch_size: int,
    lr: float = 0.01,
    nb_epochs: int = 30,
    seed: int = 0,
    log_every: int | None = None,
    log: Log = print,
    callback: Callback | None = None,
) -> History:
    """Train W and b from zero with ``optim.SGD``, one update per shuffled mini-batch.

    The History has one record per epoch, as for ``train_lecture``: W and b after the
    epoch's last update, and the cost and gradient of the **whole** data before its first
    update (so runs with different batch sizes are compared on the same cost).

    Args:
        x: inputs, one value per sample.
        y: outputs, one value per sample.
        batch_size: samples per mini-batch, 1 to the number of samples; the last
            mini-batch of an epoch holds what is left when it does not divide evenly.
        lr: the learning rate (> 0).
        nb_epochs: epochs 0 to nb_epochs run (>= 0).
        seed: seed of the shuffling generator (>= 0); the global RNG is left as it was.
        log_every: print the lab's log line every this many epochs (>= 1); None prints nothing.
        log: where log lines go (``print`` by default).
        callback: called with each finished epoch (e.g. a progress bar).

    Returns:
        The run's History (``model`` is ``"minibatch"``).

    Raises:
        ValueError, TypeError: for bad data or arguments, naming the argument.
    """
    x_train, y_train, lr, nb_epochs, recorder = start_run("minibatch", x, y, lr, nb_epochs, log_every, log, callback)
    batch_size = _checks.count(batch_size, "batch_size", minimum=1)
    if batch_size > len(x_train):
        raise ValueError(f"batch_size must not be > the number of samples ({len(x_train)}), got {batch_size}")
    seed = _checks.count(seed, "seed")
    # --8<-- [start:minibatch]
    dataset = TensorDataset(x_train, y_train)
    generator = torch.Generator().manual_seed(seed)  # the shuffling order, the same for a seed
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)

    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = optim.SGD([W, b], lr=lr)
    recorder.start(W, b)

    for epoch in range(nb_epochs + 1):
        cost = mse(x_train * W + b, y_train).detach()  # the whole data's cost, for the record
        if recorder.diverging(epoch, cost, W, b):
            break
        grad_W, grad_b = mse_gradient(x_train, y_train, W, b)

        for x_batch, y_batch in loader:  # a new shuffled order every epoch
            hypothesis = x_batch * W + b
            batch_cost = torch.mean((hypothesis - y_batch) ** 2)

            optimizer.zero_grad()
            batch_cost.backward()  # the gradient of this mini-batch's cost only
            optimizer.step()  # one update per mini-batch

        recorder.record(epoch, W, b, cost, grad_W, grad_b)
    # --8<-- [end:minibatch]
    return recorder.history
