import math

import pytest
import torch

from linreg.data import Dataset, blog_data, definition_data, lab_data, load, synthetic


def test_lecture_datasets_hold_the_lecture_values():
    assert lab_data().y.flatten().tolist() == [1, 2, 3]
    assert blog_data().y.flatten().tolist() == [2, 4, 6]
    assert definition_data().y.flatten().tolist() == [4, 5, 6]
    for data in (lab_data(), blog_data(), definition_data()):
        assert data.x.shape == (3, 1) and data.y.shape == (3, 1)
        assert data.x.dtype == torch.float32


def test_synthetic_is_seeded_and_split_without_overlap():
    a, b = synthetic(seed=3), synthetic(seed=3)
    assert torch.equal(a.train.x, b.train.x) and torch.equal(a.test.y, b.test.y)
    assert not torch.equal(synthetic(seed=4).train.x, a.train.x)
    assert len(a.train) + len(a.test) == 100 and len(a.test) == 20
    train, test = set(a.train.x.flatten().tolist()), set(a.test.x.flatten().tolist())
    assert not train & test


def test_synthetic_without_noise_lies_on_the_true_line():
    split = synthetic(W=-1.5, b=4.0, noise=0.0, size=10, seed=0)
    assert torch.allclose(split.train.y, -1.5 * split.train.x + 4.0)


def test_load_by_name():
    assert load("blog").y.flatten().tolist() == [2, 4, 6]
    assert len(load("synthetic", seed=1).train) == 80
    with pytest.raises(ValueError, match="unknown dataset 'nope'"):
        load("nope")


@pytest.mark.parametrize(
    "x, y, error, match",
    [
        ([], [], ValueError, "x is empty"),
        ([1, 2], [1], ValueError, "same length, got 2 and 1"),
        ([1, math.nan], [1, 2], ValueError, "x holds non-finite"),
        ([1, 2], [1, math.inf], ValueError, "y holds non-finite"),
        ("12", [1, 2], TypeError, "x must be numbers"),
        ([[1, 2], [3, 4]], [1, 2], ValueError, "one value per row"),
    ],
)
def test_dataset_rejects_bad_data(x, y, error, match):
    with pytest.raises(error, match=match):
        Dataset("bad", x, y)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"noise": -1}, "noise"), ({"size": 1}, "size"), ({"test_fraction": 1.0}, "test_fraction"),
     ({"W": math.nan}, "W"), ({"seed": -1}, "seed")],
)
def test_synthetic_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        synthetic(**kwargs)
