"""The lecture's datasets and a seeded synthetic generator with a train/test split."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from linreg import _checks


@dataclass(frozen=True)
class Dataset:
    """Inputs ``x`` and outputs ``y`` as float32 column tensors of shape (m, 1)."""

    name: str
    x: torch.Tensor
    y: torch.Tensor
    description: str = ""

    def __post_init__(self) -> None:
        x, y = _checks.pair(self.x, self.y)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class Split:
    """Training data to fit on and test data held out to judge the fit."""

    train: Dataset
    test: Dataset


# --8<-- [start:datasets]
def definition_data() -> Dataset:
    """The blog's data-definition example: x = [1, 2, 3], y = [4, 5, 6]."""
    x_train = torch.FloatTensor([[1], [2], [3]])  # input
    y_train = torch.FloatTensor([[4], [5], [6]])  # output
    return Dataset("definition", x_train, y_train, "y = x + 3")


def blog_data() -> Dataset:
    """The blog's implementation: y = 2x."""
    x_train = torch.FloatTensor([[1], [2], [3]])
    y_train = torch.FloatTensor([[2], [4], [6]])
    return Dataset("blog", x_train, y_train, "y = 2x")


def lab_data() -> Dataset:
    """The original lab notebook: y = x."""
    x_train = torch.FloatTensor([[1], [2], [3]])
    y_train = torch.FloatTensor([[1], [2], [3]])
    return Dataset("lab", x_train, y_train, "y = x")
# --8<-- [end:datasets]


# --8<-- [start:synthetic]
def synthetic(
    W: float = 2.0,
    b: float = 1.0,
    noise: float = 0.5,
    size: int = 100,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Split:
    """Draw y = W x + b + noise for x uniform in [0, 5), then split into train and test.

    Args:
        W: the true weight.
        b: the true bias.
        noise: standard deviation of the Gaussian noise added to y (>= 0).
        size: number of samples in all (>= 2, so both parts get one).
        test_fraction: share of the samples held out as test data, in (0, 1).
        seed: seed of the generator; the same seed gives the same data.

    Returns:
        A ``Split`` of the shuffled samples.

    Raises:
        ValueError: if an argument is out of range.
    """
    W, b = _checks.finite(W, "W"), _checks.finite(b, "b")
    if _checks.finite(noise, "noise") < 0:
        raise ValueError(f"noise must not be negative, got {noise}")
    size = _checks.count(size, "size", minimum=2)
    if not 0 < _checks.finite(test_fraction, "test_fraction") < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    seed = _checks.count(seed, "seed")

    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(size, 1, generator=generator) * 5
    y = W * x + b + noise * torch.randn(size, 1, generator=generator)
    n_test = min(max(1, round(size * test_fraction)), size - 1)
    order = torch.randperm(size, generator=generator)
    test, train = order[:n_test], order[n_test:]
    truth = f"y = {W:g}x + {b:g} + noise({noise:g})"
    return Split(
        train=Dataset("synthetic-train", x[train], y[train], truth),
        test=Dataset("synthetic-test", x[test], y[test], truth),
    )
# --8<-- [end:synthetic]


DATASETS = {"lab": lab_data, "blog": blog_data, "definition": definition_data}


def load(name: str, seed: int = 0) -> Split | Dataset:
    """Return a dataset by its command-line name.

    Args:
        name: ``lab``, ``blog``, ``definition`` or ``synthetic``.
        seed: seed for ``synthetic``; ignored by the fixed datasets.

    Raises:
        ValueError: for an unknown name.
    """
    if name == "synthetic":
        return synthetic(seed=seed)
    if name not in DATASETS:
        known = ", ".join([*DATASETS, "synthetic"])
        raise ValueError(f"unknown dataset {name!r}; choose one of {known}")
    return DATASETS[name]()
