"""The command line: train one of the lesson's loops and print the lecture's log.

    python -m linreg --data lab --lr 0.01 --epochs 1000 --log-every 100

Exit codes: 0 done; 1 training diverged (one line on stderr); 2 a bad argument or input
(one line, ``linreg: error: ...``, before any training); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from linreg.cost import mse
from linreg.data import Split, load
from linreg.train import TRAINERS, History

FIGURES = ("fit", "cost", "surface")
FLOAT32_MAX = 3.4028234663852886e38  # torch's default dtype: a larger --lr overflows to inf
DIVERGED, USAGE, INTERRUPTED = 1, 2, 130
PROGRESS_MIN_EPOCHS = 10_000  # shorter runs finish before a bar is worth drawing


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + message
        raise _UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="linreg",
        description="Train H(x) = xW + b by gradient descent, as in 모두를 위한 딥러닝 시즌2 Lab 02.",
    )
    parser.add_argument("--data", choices=["lab", "blog", "definition", "synthetic"], default="lab",
                        help="lab: y = x (the original notebook), blog: y = 2x, definition: y = x + 3, "
                             "synthetic: seeded noisy data with a train/test split (default: lab)")
    parser.add_argument("--model", choices=list(TRAINERS), default="lecture",
                        help="lecture: autograd + optim.SGD; manual: hand-derived gradient; "
                             "module: nn.Linear + F.mse_loss, initialised in the original notebook's "
                             "order of random draws (default: lecture)")
    parser.add_argument("--lr", type=float, default=0.01, help="learning rate, > 0 (default: 0.01)")
    parser.add_argument("--epochs", type=int, default=1000, help="epochs 0..EPOCHS run (default: 1000)")
    parser.add_argument("--log-every", type=int, default=100, help="print every N epochs (default: 100)")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the synthetic data and of the module's initial W, b (default: 1)")
    parser.add_argument("--plot", metavar="PATH", help="also write a figure as SVG to PATH")
    parser.add_argument("--figure", choices=FIGURES, default="fit",
                        help="which figure --plot writes: fit, cost or surface (default: fit)")
    parser.add_argument("--progress", choices=["auto", "always", "never"], default="auto",
                        help=f"progress bar on stderr; auto shows it on a terminal for "
                             f"{PROGRESS_MIN_EPOCHS}+ epochs (default: auto)")
    return parser


def _progress(args: argparse.Namespace):
    show = args.progress == "always" or (
        args.progress == "auto" and sys.stderr.isatty() and args.epochs >= PROGRESS_MIN_EPOCHS
    )
    if not show or args.epochs < 0:
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=args.epochs + 1, unit="epoch", file=sys.stderr, leave=False)
    return bar, lambda epoch: bar.update(1)


def run(args: argparse.Namespace) -> History:
    data = load(args.data, seed=args.seed)
    train, test = (data.train, data.test) if isinstance(data, Split) else (data, None)
    options = {"seed": args.seed, "discard_models": 1} if args.model == "module" else {}
    bar, callback = _progress(args)

    def log(line: str) -> None:
        (bar.write if bar else print)(line)

    try:
        history = TRAINERS[args.model](
            train.x, train.y, lr=args.lr, nb_epochs=args.epochs, log_every=args.log_every,
            log=log, callback=callback, **options,
        )
    finally:
        if bar is not None:
            bar.close()
    if history.diverged:
        print(f"linreg: training diverged at epoch {history.diverged_at} (cost is not finite); "
              f"try a smaller --lr", file=sys.stderr)
    if test is not None and not history.diverged:
        W, b, _ = history.final()
        print(f"Test cost: {mse(test.x * W + b, test.y).item():.6f} ({len(test)} held-out samples)")
    if args.plot:
        _plot(args, train, history)
    return history


def _plot(args: argparse.Namespace, train, history: History) -> None:
    from linreg import figures

    if args.figure == "fit":
        svg = figures.fit(train, history)
    elif args.figure == "cost":
        svg = figures.cost_curve(history)
    else:
        svg = figures.cost_surface(train, history)
    figures.save(svg, args.plot)
    print(f"wrote {args.plot}", file=sys.stderr)


def check(args: argparse.Namespace) -> None:
    """Refuse, before any training, what training or the plot would fail on later."""
    if not math.isfinite(args.lr) or args.lr <= 0:
        raise _UsageError(f"--lr: lr must be > 0 and finite, got {args.lr:g}")
    if args.lr > FLOAT32_MAX:
        raise _UsageError(f"--lr: {args.lr:g} is larger than float32 can hold ({FLOAT32_MAX:.4g})")
    if args.epochs < 0:
        raise _UsageError(f"--epochs: nb_epochs must not be negative, got {args.epochs}")
    if args.log_every < 1:
        raise _UsageError(f"--log-every: log_every must not be < 1, got {args.log_every}")
    if not 0 <= args.seed < 2**63:
        raise _UsageError(f"--seed: must be between 0 and 2**63 - 1, got {args.seed}")
    if args.plot is not None:
        target = Path(args.plot)
        if not args.plot.strip():
            raise _UsageError("--plot: the path is empty")
        if target.is_dir():
            raise _UsageError(f"--plot: {target} is a folder; give a file name such as {target / 'fit.svg'}")
        if not target.resolve().parent.is_dir():
            raise _UsageError(f"--plot: folder {target.parent} does not exist")
        if not os.access(target.resolve().parent, os.W_OK):
            raise _UsageError(f"--plot: folder {target.parent} is not writable")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 done, 1 diverged, 2 bad input, 130 interrupted)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        check(args)
        history = run(args)
    except BrokenPipeError:  # e.g. `python -m linreg | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("linreg: interrupted", file=sys.stderr)
        return INTERRUPTED
    except (_UsageError, ValueError, TypeError, OSError) as error:
        print(f"linreg: error: {error}", file=sys.stderr)
        return USAGE
    return DIVERGED if history.diverged else 0
