import pytest
import torch
import torch.nn.functional as F

import numpy as np

from linreg.cost import max_stable_lr, mse, mse_gradient
from linreg.train import train_lecture


def test_mse_by_hand():
    # errors 1, -2, 0 -> (1 + 4 + 0) / 3
    assert mse(torch.tensor([2.0, 0.0, 3.0]), torch.tensor([1.0, 2.0, 3.0])).item() == pytest.approx(5 / 3)


def test_mse_matches_torch():
    y_hat, y = torch.randn(7, 1, generator=torch.Generator().manual_seed(0)), torch.zeros(7, 1)
    assert torch.allclose(mse(y_hat, y), F.mse_loss(y_hat, y))


def test_lab_initial_cost_is_the_notebooks(logs):
    # W = b = 0 on y = x: (1 + 4 + 9) / 3 = 4.666667, the first cost in the reference log
    x = y = torch.tensor([[1.0], [2.0], [3.0]])
    cost = mse(x * 0.0, y).item()
    assert f"Cost: {cost:.6f}" in logs["lecture"][0]


@pytest.mark.parametrize("W, b", [(0.0, 0.0), (1.5, -0.5), (-2.0, 3.0)])
def test_hand_derived_gradient_equals_autograd(W, b):
    x = torch.tensor([[1.0], [2.0], [3.0], [4.5]])
    y = torch.tensor([[2.0], [4.0], [6.5], [8.0]])
    W_t = torch.tensor([W], requires_grad=True)
    b_t = torch.tensor([b], requires_grad=True)
    mse(x * W_t + b_t, y).backward()
    dW, db = mse_gradient(x, y, W_t, b_t)
    assert torch.allclose(dW, W_t.grad) and torch.allclose(db, b_t.grad)


def test_gradient_by_hand_on_two_points():
    # x = [1, 2], y = [1, 2], W = b = 0: errors -1, -2; dW = 2/2 (-1 - 4) = -5; db = 2/2 (-3) = -3
    x = y = torch.tensor([[1.0], [2.0]])
    dW, db = mse_gradient(x, y, torch.zeros(1), torch.zeros(1))
    assert dW.item() == -5.0 and db.item() == -3.0


@pytest.mark.slow
def test_max_stable_lr_matches_the_hessian_and_the_loop():
    x = [1.0, 2.0, 3.0]
    X = np.array([[v, 1.0] for v in x])
    expected = 2 / np.linalg.eigvalsh(2 / len(x) * X.T @ X).max()
    assert max_stable_lr(x) == pytest.approx(expected)
    # just below the bound descent converges, just above it diverges
    assert not train_lecture(x, [2, 4, 6], lr=0.98 * expected, nb_epochs=3000).diverged
    assert train_lecture(x, [2, 4, 6], lr=1.02 * expected, nb_epochs=3000).diverged


def test_max_stable_lr_rejects_bad_input():
    with pytest.raises(ValueError, match="x is empty"):
        max_stable_lr([])
