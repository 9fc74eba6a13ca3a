"""linreg: the lesson of 모두를 위한 딥러닝 시즌2 Lab 02 (linear regression) as tested code.

Modules follow the lesson's order, each importing only the ones before it:
``data`` → ``hypothesis`` → ``cost`` → ``train`` → ``batches`` (mini-batches from a
``DataLoader``) → ``reference`` → ``figures`` (matplotlib, imported on demand) → ``cli``;
``explorer`` (the learning-rate explorer's data for lesson 05) is imported on demand too.
``original`` reads the original notebook's printed logs (package data in
``linreg/resources/``) for comparison.
"""

from linreg.batches import train_minibatch
from linreg.cost import max_stable_lr, mse, mse_gradient
from linreg.data import Dataset, Split, blog_data, definition_data, lab_data, load, synthetic
from linreg.hypothesis import LinearRegressionModel, hypothesis, init_params
from linreg.reference import least_squares
from linreg.train import (
    LOG_FORMAT,
    TRAINERS,
    History,
    compare_learning_rates,
    train_autograd,
    train_lecture,
    train_manual,
    train_module,
)

__all__ = [
    "LOG_FORMAT",
    "TRAINERS",
    "Dataset",
    "History",
    "LinearRegressionModel",
    "Split",
    "blog_data",
    "compare_learning_rates",
    "definition_data",
    "hypothesis",
    "init_params",
    "lab_data",
    "least_squares",
    "load",
    "max_stable_lr",
    "mse",
    "mse_gradient",
    "synthetic",
    "train_autograd",
    "train_lecture",
    "train_manual",
    "train_minibatch",
    "train_module",
]
