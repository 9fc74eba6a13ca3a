import subprocess
import sys

import pytest

from linreg.cli import main
from linreg.data import synthetic
from linreg.reference import least_squares


def test_lab_run_prints_the_original_log(capsys, logs):
    assert main(["--data", "lab", "--lr", "0.01", "--epochs", "1000", "--log-every", "100"]) == 0
    assert capsys.readouterr().out.splitlines() == logs["lecture"]


@pytest.mark.parametrize("model", ["manual", "module"])
def test_other_models(capsys, logs, model):
    assert main(["--model", model]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == logs["lecture" if model == "manual" else "module"]


def test_synthetic_reports_test_cost(capsys):
    assert main(["--data", "synthetic", "--lr", "0.02", "--epochs", "3000", "--log-every", "3000", "--seed", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    W_ls, _ = least_squares(synthetic(seed=2).train.x, synthetic(seed=2).train.y)
    assert out[-1].startswith("Test cost: ") and "20 held-out samples" in out[-1]
    assert f"W: {W_ls:.3f}" in out[-2]


def test_plot_writes_svg(tmp_path, capsys):
    target = tmp_path / "fit.svg"
    assert main(["--epochs", "10", "--plot", str(target), "--figure", "surface"]) == 0
    assert target.read_text().startswith("<svg")


def test_divergence_is_reported(capsys):
    assert main(["--lr", "0.5", "--log-every", "1000"]) == 0
    assert "diverged at epoch" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--lr", "0"], "lr must be > 0"),
        (["--lr", "-1"], "lr must be > 0"),
        (["--epochs", "-5"], "nb_epochs must not be negative"),
        (["--epochs", "ten"], "argument --epochs: invalid int value"),
        (["--log-every", "0"], "log_every must not be < 1"),
        (["--data", "iris"], "argument --data: invalid choice"),
        (["--plot", "/no/such/folder/x.svg"], "--plot: folder /no/such/folder does not exist"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err
    assert captured.err.startswith("linreg: error: ")


def test_python_dash_m_and_exit_code():
    ok = subprocess.run([sys.executable, "-m", "linreg", "--epochs", "0"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("Epoch    0/0")
    bad = subprocess.run([sys.executable, "-m", "linreg", "--lr", "-1"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_progress_bar_on_request_goes_to_stderr(capsys, logs):
    assert main(["--progress", "always"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == logs["lecture"]  # the log stays clean
    assert "/1001 [" in captured.err and "epoch/s" in captured.err  # a bar over epochs 0..1000
