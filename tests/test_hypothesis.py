import torch

from linreg.hypothesis import LinearRegressionModel, hypothesis, init_params


def test_init_params_are_zeros_tracked_by_autograd():
    W, b = init_params()
    assert W.tolist() == [0.0] and b.tolist() == [0.0]
    assert W.requires_grad and b.requires_grad


def test_hypothesis_is_xW_plus_b():
    x = torch.tensor([[1.0], [2.0], [3.0]])
    y_hat = hypothesis(x, torch.tensor([2.0]), torch.tensor([0.5]))
    assert y_hat.flatten().tolist() == [2.5, 4.5, 6.5]


def test_module_computes_the_same_hypothesis():
    model = LinearRegressionModel()
    W, b = model.linear.weight, model.linear.bias
    x = torch.tensor([[1.0], [-2.0], [3.5]])
    assert torch.allclose(model(x), hypothesis(x, W.flatten(), b))


def test_original_notebook_untrained_model(logs):
    # The notebook's first model after manual_seed(1): hypothesis [[0.0739], [0.5891], [1.1044]]
    torch.manual_seed(1)
    model = LinearRegressionModel()
    prediction = model(torch.tensor([[1.0], [2.0], [3.0]]))
    assert [round(v, 4) for v in prediction.flatten().tolist()] == [0.0739, 0.5891, 1.1044]
