"""The mean squared error cost and its gradient derived by hand."""

from __future__ import annotations

import torch


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
