"""The mean squared error cost and its gradient derived by hand."""

from __future__ import annotations

import torch

from linreg import _checks


# --8<-- [start:mse]
def mse(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cost(W, b) = 1/m * sum((H(x) - y)^2)."""
    return torch.mean((y_hat - y) ** 2)
# --8<-- [end:mse]


# --8<-- [start:gradient]
def mse_gradient(
    x: torch.Tensor, y: torch.Tensor, W: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The cost's partial derivatives, derived by hand.

    dCost/dW = 2/m * sum((Wx + b - y) * x),  dCost/db = 2/m * sum(Wx + b - y)

    Returns:
        ``(dW, db)``, each of shape (1,) like W and b.
    """
    m = len(x)
    error = (x * W + b - y).detach()
    dW = 2 / m * torch.sum(error * x)
    db = 2 / m * torch.sum(error)
    return dW.reshape(1), db.reshape(1)
# --8<-- [end:gradient]


# --8<-- [start:max-stable-lr]
def max_stable_lr(x: object) -> float:
    """The largest learning rate for which gradient descent on the MSE does not diverge.

    The MSE is a quadratic bowl in (W, b) whose curvature is its Hessian
    H = 2/m * [[sum x^2, sum x], [sum x, m]]. A step multiplies the error along H's
    steepest direction by (1 - lr * lambda_max), so descent diverges when lr > 2 / lambda_max.

    Raises:
        ValueError: for empty or non-finite x.
    """
    x64 = _checks.column(x, "x").double()
    X = torch.cat([x64, torch.ones_like(x64)], dim=1)  # columns: x, 1
    hessian = 2 / len(x64) * X.T @ X
    return 2 / torch.linalg.eigvalsh(hessian).max().item()
# --8<-- [end:max-stable-lr]
