"""The hypothesis H(x) = xW + b: as a function of tensors, and as an ``nn.Module``."""

from __future__ import annotations

import torch
from torch import nn


# --8<-- [start:init]
def init_params() -> tuple[torch.Tensor, torch.Tensor]:
    """W and b as zeros that autograd tracks (the lecture's starting point)."""
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return W, b
# --8<-- [end:init]


# --8<-- [start:hypothesis]
def hypothesis(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Predict y for every row of x: H(x) = xW + b."""
    return x * W + b
# --8<-- [end:hypothesis]


# --8<-- [start:module]
class LinearRegressionModel(nn.Module):
    """The same hypothesis as a module: one input, one output."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)
# --8<-- [end:module]
