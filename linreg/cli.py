"""The command line: train one of the lesson's loops and print the lecture's log.

    python -m linreg --data lab --lr 0.01 --epochs 1000 --log-every 100

Errors in the arguments print one line (``linreg: error: ...``) and exit with code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from linreg.cost import mse
from linreg.data import Split, load
from linreg.train import TRAINERS, History

FIGURES = ("fit", "cost", "surface")
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
    elif test is not None:
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad arguments or input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.plot and not Path(args.plot).resolve().parent.is_dir():  # fail before training
            raise _UsageError(f"--plot: folder {Path(args.plot).parent} does not exist")
        run(args)
    except BrokenPipeError:  # e.g. `python -m linreg | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (_UsageError, ValueError, TypeError, OSError) as error:
        print(f"linreg: error: {error}", file=sys.stderr)
        return 2
    return 0
