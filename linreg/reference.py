"""The closed-form least-squares answer that gradient descent should approach."""

from __future__ import annotations

import torch

from linreg import _checks


def least_squares(x: object, y: object) -> tuple[float, float]:
    """Solve min over (W, b) of sum((xW + b - y)^2) exactly, in float64.

    Args:
        x: inputs, one value per sample.
        y: outputs, one value per sample.

    Returns:
        ``(W, b)`` as floats.

    Raises:
        ValueError: for empty, mismatched or non-finite data, or when every x is
            the same (the line is then not determined).
    """
    x_col, y_col = _checks.pair(x, y)
    x64, y64 = x_col.double(), y_col.double()
    if torch.all(x64 == x64[0]):
        raise ValueError("x must hold at least two different values to determine a line")
    design = torch.cat([x64, torch.ones_like(x64)], dim=1)  # columns: x, 1
    solution = torch.linalg.lstsq(design, y64).solution
    return solution[0, 0].item(), solution[1, 0].item()
