"""Argument checks shared by every public function (clear errors that name the argument)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch


def column(values: object, name: str) -> torch.Tensor:
    """Return ``values`` as a float32 column tensor of shape (m, 1).

    Args:
        values: a tensor, array or (nested) sequence of numbers.
        name: the argument's name, used in error messages.

    Raises:
        TypeError: if ``values`` is not numeric.
        ValueError: if it is empty, not one value per row, or holds inf/NaN.
    """
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be numbers, got a string")
    try:
        tensor = torch.as_tensor(values, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError) as error:
        raise TypeError(f"{name} must be numbers, got {type(values).__name__}: {error}") from None
    if tensor.numel() == 0:
        raise ValueError(f"{name} is empty: give at least one value")
    if tensor.dim() == 0:
        tensor = tensor.reshape(1)
    if tensor.dim() == 1:
        tensor = tensor.unsqueeze(1)
    if tensor.dim() != 2 or tensor.shape[1] != 1:
        raise ValueError(f"{name} must hold one value per row, got shape {tuple(tensor.shape)}")
    if not torch.isfinite(tensor).all():
        raise ValueError(f"{name} holds non-finite values (inf or NaN)")
    return tensor


def pair(x: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Check and convert a dataset's inputs and outputs together."""
    x_col, y_col = column(x, "x"), column(y, "y")
    if len(x_col) != len(y_col):
        raise ValueError(f"x and y must have the same length, got {len(x_col)} and {len(y_col)}")
    return x_col, y_col


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def positive(value: object, name: str) -> float:
    """A finite number > 0 (a learning rate, a noise level must be >= 0 instead)."""
    number = _number(value, name)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return number


def finite(value: object, name: str) -> float:
    """Any finite number."""
    return _number(value, name)


def count(value: object, name: str, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` (epochs, a log interval, a sample size)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {type(value).__name__}")
    if value < minimum:
        bound = "negative" if minimum == 0 else f"< {minimum}"
        raise ValueError(f"{name} must not be {bound}, got {value}")
    return value


def numbers(values: Sequence[object], name: str) -> list[float]:
    """A non-empty list of finite positive numbers (e.g. learning rates to compare)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise ValueError(f"{name} must be a non-empty list of numbers")
    return [positive(v, f"{name}[{i}]") for i, v in enumerate(values)]
