import numpy as np
import pytest

from linreg.data import blog_data, lab_data, synthetic
from linreg.reference import least_squares


def test_two_points_give_the_line_through_them():
    W, b = least_squares([1, 2], [1, 2])
    assert W == pytest.approx(1) and b == pytest.approx(0, abs=1e-12)


def test_lecture_data_is_exact():
    assert least_squares(blog_data().x, blog_data().y) == pytest.approx((2, 0), abs=1e-9)
    assert least_squares(lab_data().x, lab_data().y) == pytest.approx((1, 0), abs=1e-9)


def test_matches_numpy_polyfit_on_noisy_data():
    split = synthetic(seed=5)
    x, y = split.train.x.double().flatten().numpy(), split.train.y.double().flatten().numpy()
    assert least_squares(x, y) == pytest.approx(tuple(np.polyfit(x, y, 1)), rel=1e-6)


def test_constant_x_is_rejected():
    with pytest.raises(ValueError, match="two different values"):
        least_squares([2, 2, 2], [1, 2, 3])
