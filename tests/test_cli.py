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


def test_divergence_is_reported_in_one_line_and_the_exit_code(capsys):
    assert main(["--lr", "0.5", "--log-every", "1000"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "diverged at epoch" in err


def test_the_svg_gets_the_users_normal_permissions(tmp_path, capsys):
    import os

    previous = os.umask(0o022)
    try:
        assert main(["--epochs", "1", "--plot", str(tmp_path / "fit.svg")]) == 0
    finally:
        os.umask(previous)
    assert (tmp_path / "fit.svg").stat().st_mode & 0o777 == 0o644


@pytest.mark.slow
def test_ctrl_c_stops_with_one_line_and_exit_130():
    import signal

    # a terminal's Ctrl-C: the default SIGINT, even where this test runs as a background job (which ignores it)
    process = subprocess.Popen([sys.executable, "-m", "linreg", "--epochs", "100000000", "--log-every", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stdout.readline().startswith("Epoch")  # training has started
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err == "linreg: interrupted\n"


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
        (["--plot", ""], "--plot: the path is empty"),
        (["--plot", "/tmp"], "--plot: /tmp is a folder"),
        (["--lr", "1e39"], "--lr: 1e+39 is larger than float32 can hold"),
        (["--lr", "1e39", "--model", "module"], "--lr: 1e+39 is larger than float32 can hold"),
        (["--lr", "inf"], "lr must be > 0 and finite"),
        (["--lr", "nan"], "lr must be > 0 and finite"),
        (["--seed", "-1"], "--seed: must be between 0 and 2**63 - 1"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err
    assert captured.err.startswith("linreg: error: ")


@pytest.mark.slow
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
