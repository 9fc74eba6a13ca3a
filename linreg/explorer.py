"""The learning-rate explorer's data: the lesson's runs for a grid of learning rates, as compact JSON.

Every number the explorer on the gradient-descent page shows comes from here: one
``train_lecture`` run per learning rate (W = b = 0, the lesson's data y = 2x), the cost
contours over (W, b) from ``mse``, and for every (learning rate, epochs) pair the log line
that ``train_lecture`` itself prints for that run, or the epoch where it diverged.
``docs/assets/js/explorer.js`` only draws them; no Python runs in the browser.

Numbers are shipped with as few digits as keep what the page prints exact: W and b as the
lab's log prints them (three decimals), the cost with at least four significant digits for
its log-scale curve; each is checked to print, through ``explorer.js``'s ``toFixed``
(``js_fixed`` here), the very text the log format gives the full value.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import torch

from linreg import _checks
from linreg.cost import mse, mse_gradient
from linreg.data import Dataset, blog_data
from linreg.reference import least_squares
from linreg.train import LOG_FORMAT, train_lecture

LEARNING_RATES = (0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.18, 0.185, 0.2, 0.3)
EPOCH_CHOICES = (10, 100, 1000, 3000)
DEFAULT_LR, DEFAULT_EPOCHS = 0.01, 1000  # the lecture's setting
START = (0.0, 0.0)  # W and b before the first update, as in train_lecture
# which epochs are drawn: every one at first, then fewer as the run settles
DENSE_UNTIL, EVERY_TO_1000, EVERY_AFTER = 100, 10, 50
CONTOUR_LEVELS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
SCRIPT = "../../assets/js/explorer.js"  # from a lesson page (lessons/<name>/)


@dataclass(frozen=True)
class ExplorerRun:
    """One learning rate's run, at the epochs the explorer draws.

    Attributes:
        lr: the learning rate.
        epochs: the drawn epochs, ascending; each epoch choice up to the divergence is among them.
        W, b: W and b after the update of each drawn epoch (full precision).
        cost: the cost before that update, as the lab's log prints it.
        diverged_at: the epoch whose cost was inf or NaN, or None.
        finals: for each epoch choice, the last log line of that run, or None if it diverged first.
    """

    lr: float
    epochs: list[int]
    W: list[float]
    b: list[float]
    cost: list[float]
    diverged_at: int | None
    finals: dict[int, str | None]


def drawn_epochs(nb_epochs: int, keep: Sequence[int] = ()) -> list[int]:
    """The epochs the explorer draws for a run of ``nb_epochs``: dense first, sparse later.

    Args:
        nb_epochs: the last epoch (>= 0).
        keep: epochs to include whatever the spacing (those above ``nb_epochs`` are left out).

    Returns:
        Ascending epochs from 0 to ``nb_epochs``, both included.

    Raises:
        ValueError: if ``nb_epochs`` or an epoch in ``keep`` is negative.
    """
    nb_epochs = _checks.count(nb_epochs, "nb_epochs")
    extra = {_checks.count(e, f"keep[{i}]") for i, e in enumerate(keep)}
    chosen = set(range(min(nb_epochs, DENSE_UNTIL) + 1))
    chosen |= set(range(DENSE_UNTIL, min(nb_epochs, 1000) + 1, EVERY_TO_1000))
    chosen |= set(range(1000, nb_epochs + 1, EVERY_AFTER))
    chosen |= {e for e in extra if e <= nb_epochs} | {nb_epochs}
    return sorted(chosen)


def run_grid(
    dataset: Dataset | None = None,
    lrs: Sequence[float] = LEARNING_RATES,
    epoch_choices: Sequence[int] = EPOCH_CHOICES,
) -> list[ExplorerRun]:
    """Train the lecture's loop once per learning rate and keep what the explorer draws.

    A run of fewer epochs is the start of the longest one (the loop is deterministic), so one
    run of ``max(epoch_choices)`` per learning rate gives every choice; ``tests/test_explorer.py``
    checks this against separate runs.

    Args:
        dataset: the training data (the lesson's y = 2x by default).
        lrs: learning rates, each > 0.
        epoch_choices: epoch counts the reader can pick, each >= 1.

    Returns:
        One ``ExplorerRun`` per learning rate, in the order given.

    Raises:
        ValueError: for an empty ``lrs`` or ``epoch_choices``, or a value out of range, naming it.
        TypeError: for a value that is not a number (or not a whole number of epochs).
    """
    data = blog_data() if dataset is None else dataset
    rates = _checks.numbers(list(lrs), "lrs")
    if isinstance(epoch_choices, (str, bytes)) or not isinstance(epoch_choices, Sequence) or not epoch_choices:
        raise ValueError("epoch_choices must be a non-empty list of whole numbers")
    choices = sorted({_checks.count(n, f"epoch_choices[{i}]", minimum=1) for i, n in enumerate(epoch_choices)})
    return [_run(data, lr, choices) for lr in rates]


def _run(data: Dataset, lr: float, choices: list[int]) -> ExplorerRun:
    longest = choices[-1]
    history = train_lecture(data.x, data.y, lr=lr, nb_epochs=longest, log_every=None)
    # one record per epoch, found by its epoch number (a later record of an epoch wins)
    records = {e: i for i, e in enumerate(history.epochs) if e >= 0}
    diverged = history.diverged_at
    last = longest if diverged is None else diverged - 1  # the last epoch with a finite cost
    epochs = drawn_epochs(last, keep=choices) if last >= 0 else []
    finals: dict[int, str | None] = {}
    for n in choices:
        if diverged is not None and diverged <= n:
            finals[n] = None
        else:
            i = records[n]
            finals[n] = LOG_FORMAT.format(n, n, history.W[i], history.b[i], history.cost[i])
    return ExplorerRun(
        lr=lr,
        epochs=epochs,
        W=[history.W[records[e]] for e in epochs],
        b=[history.b[records[e]] for e in epochs],
        cost=[history.cost[records[e]] for e in epochs],
        diverged_at=diverged,
        finals=finals,
    )


def cost_at(dataset: Dataset, W: float, b: float) -> float:
    """The lesson's cost (``mse``) of the line y = Wx + b on ``dataset``."""
    W, b = _checks.finite(W, "W"), _checks.finite(b, "b")
    return mse(dataset.x * W + b, dataset.y).item()


def window(dataset: Dataset, runs: Sequence[ExplorerRun], margin: float = 0.08) -> tuple[float, float, float, float]:
    """The (W, b) region the contour panel shows: every run that does not diverge, the start and the minimum.

    Args:
        dataset: the training data (for the least-squares minimum).
        runs: the runs to fit in; diverging ones are left out (they leave any region).
        margin: extra room on each side, as a fraction of the span (>= 0).

    Returns:
        ``(W_low, W_high, b_low, b_high)``, rounded outwards to hundredths.

    Raises:
        ValueError: for a negative margin.
    """
    if _checks.finite(margin, "margin") < 0:
        raise ValueError(f"margin must not be negative, got {margin}")
    W_ls, b_ls = least_squares(dataset.x, dataset.y)
    Ws, bs = [START[0], W_ls], [START[1], b_ls]
    for run in runs:
        if run.diverged_at is None:
            Ws += run.W
            bs += run.b
    pad_W = max(max(Ws) - min(Ws), 1.0) * margin
    pad_b = max(max(bs) - min(bs), 1.0) * margin
    return (math.floor((min(Ws) - pad_W) * 100) / 100, math.ceil((max(Ws) + pad_W) * 100) / 100,
            math.floor((min(bs) - pad_b) * 100) / 100, math.ceil((max(bs) + pad_b) * 100) / 100)


def contours(
    dataset: Dataset,
    region: tuple[float, float, float, float],
    levels: Sequence[float] = CONTOUR_LEVELS,
    resolution: int = 81,
    tolerance: float = 0.004,
) -> list[tuple[float, list[list[tuple[float, float]]]]]:
    """Lines of equal cost over ``region``: traced on a grid of ``mse``, then each point moved onto its level.

    Args:
        dataset: the training data.
        region: ``(W_low, W_high, b_low, b_high)``.
        levels: the costs to draw, each > 0.
        resolution: grid points along each axis (>= 3).
        tolerance: how far (in W and b) a simplified line may stray from the grid's (>= 0).

    Returns:
        For each level, the level and its lines, each a list of (W, b) points.

    Raises:
        ValueError: for an empty region, bad levels or a resolution below 3, naming the argument.
    """
    W_lo, W_hi, b_lo, b_hi = (_checks.finite(v, f"region[{i}]") for i, v in enumerate(region))
    if not (W_lo < W_hi and b_lo < b_hi):
        raise ValueError(f"region must be (W_low, W_high, b_low, b_high) with low < high, got {region}")
    values = _checks.numbers(list(levels), "levels")
    resolution = _checks.count(resolution, "resolution", minimum=3)
    import contourpy  # matplotlib's contouring library

    grid_W = torch.linspace(W_lo, W_hi, resolution, dtype=torch.float64)
    grid_b = torch.linspace(b_lo, b_hi, resolution, dtype=torch.float64)
    cost = [[cost_at(dataset, W, b) for W in grid_W.tolist()] for b in grid_b.tolist()]
    generator = contourpy.contour_generator(grid_W.numpy(), grid_b.numpy(), cost)
    return [(level, [simplify([_onto_level(dataset, level, float(w), float(v)) for w, v in line], tolerance)
                     for line in generator.lines(level)])
            for level in values]


def _onto_level(dataset: Dataset, level: float, W: float, b: float) -> tuple[float, float]:
    """Move a point of a grid's contour onto the exact line of its level (Newton steps along the gradient)."""
    for _ in range(4):
        gap = cost_at(dataset, W, b) - level
        dW, db = (g.item() for g in mse_gradient(dataset.x, dataset.y, torch.tensor([W]), torch.tensor([b])))
        norm = dW * dW + db * db
        if norm == 0 or abs(gap) < 1e-7 * level:
            break
        W, b = W - gap * dW / norm, b - gap * db / norm
    return W, b


def simplify(points: Sequence[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Drop the points of a line that lie within ``tolerance`` of it (Ramer-Douglas-Peucker).

    Args:
        points: the line's (x, y) points.
        tolerance: the largest distance a dropped point may lie from the simplified line (>= 0).

    Returns:
        The kept points, in order; the first and last are always kept.

    Raises:
        ValueError: for a negative tolerance.
    """
    if _checks.finite(tolerance, "tolerance") < 0:
        raise ValueError(f"tolerance must not be negative, got {tolerance}")
    points = list(points)
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        length = math.hypot(x1 - x0, y1 - y0)
        far, distance = first, 0.0
        for i in range(first + 1, last):
            x, y = points[i]
            d = (abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length if length
                 else math.hypot(x - x0, y - y0))
            if d > distance:
                far, distance = i, d
        if distance > tolerance:
            keep[far] = True
            stack += [(first, far), (far, last)]
    return [p for p, kept in zip(points, keep) if kept]


def js_fixed(value: float, digits: int) -> str:
    """What ``fixed(value, digits)`` in explorer.js prints (JavaScript's ``toFixed``).

    ``toFixed`` rounds the exact binary value half up, and writes 1e21 and more in
    exponent form, so explorer.js writes those as whole numbers (``BigInt``) instead.
    """
    if value < 0 or (value == 0 and math.copysign(1.0, value) < 0):
        return "-" + js_fixed(-value, digits)
    if value >= 1e21:
        return str(int(value)) + ("." + "0" * digits if digits else "")
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP):.{digits}f}"


def shortest(value: float, digits: int, significant: int | None = None) -> float:
    """The shortest number that explorer.js prints as the lab's log prints ``value``.

    Args:
        value: a finite number.
        digits: decimals of the printed text (3 for W and b, 6 for the cost in the lab's log).
        significant: keep at least this many significant digits (a cost drawn on a log
            scale needs them even when it prints as 0.000000); None keeps ``digits`` decimals.

    Returns:
        A float whose ``js_fixed(_, digits)`` equals ``f"{value:.{digits}f}"``.

    Raises:
        ValueError: for a non-finite value or bad digits, naming the argument.
    """
    value = _checks.finite(value, "value")
    digits = _checks.count(digits, "digits")
    if significant is not None:
        significant = _checks.count(significant, "significant", minimum=1)
    want = f"{value:.{digits}f}"
    candidates = [float(f"{value:.{places}g}") for places in range(significant or 1, 18)]
    if significant is None or abs(value) >= 10.0 ** (significant - 1 - digits):
        candidates.insert(0, float(want))  # the printed text itself, when it is precise enough
    for candidate in candidates:
        if js_fixed(candidate, digits) == want:
            return candidate
    raise ValueError(f"value {value!r} cannot be written so that explorer.js prints {want}")


def _number(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


class _Compact(float):
    """A float that JSON writes with its shortest repr, without a trailing ``.0``."""

    def __repr__(self) -> str:
        return _number(float(self))


def explorer_data(
    dataset: Dataset | None = None,
    lrs: Sequence[float] = LEARNING_RATES,
    epoch_choices: Sequence[int] = EPOCH_CHOICES,
) -> dict:
    """Everything the explorer draws, ready for ``json.dumps``.

    Args:
        dataset: the training data (the lesson's y = 2x by default).
        lrs: learning rates, each > 0.
        epoch_choices: epoch counts the reader can pick, each >= 1.

    Returns:
        A dict with ``x``, ``y``, ``start``, ``minimum`` (least squares), ``lrs``, ``epochs``,
        ``default`` (indices of the lecture's setting), ``window``, ``contours`` (level and
        flat W, b lists), ``frames`` (the drawn epochs of the longest run) and ``runs`` (per
        learning rate: ``lr``; its drawn epochs as the first ``n`` of ``frames`` then ``tail``
        (the last finite epoch of a divergent run); ``W``, ``b``, ``cost`` at those epochs;
        ``diverged``; ``finals`` keyed by epoch count).

    Raises:
        ValueError: for bad arguments, naming the argument.
    """
    data = blog_data() if dataset is None else dataset
    runs = run_grid(data, lrs, epoch_choices)
    choices = sorted(runs[0].finals)
    region = window(data, runs)
    W_ls, b_ls = least_squares(data.x, data.y)
    frames = drawn_epochs(choices[-1], keep=choices)  # shared by the runs: sent once
    return {
        "x": [_Compact(v) for v in data.x.flatten().tolist()],
        "y": [_Compact(v) for v in data.y.flatten().tolist()],
        "start": [_Compact(START[0]), _Compact(START[1]), _Compact(shortest(cost_at(data, *START), 6, significant=4))],
        "minimum": [_Compact(round(W_ls, 4) + 0.0), _Compact(round(b_ls, 4) + 0.0)],  # no -0
        "lrs": [run.lr for run in runs],
        "epochs": choices,
        "default": [_index([run.lr for run in runs], DEFAULT_LR), _index(choices, DEFAULT_EPOCHS)],
        "window": [_Compact(v) for v in region],
        "contours": [
            [_Compact(level), [[_Compact(round(c, 3)) for point in line for c in point] for line in lines]]
            for level, lines in contours(data, region)
        ],
        "frames": frames,
        "runs": [
            {
                "lr": run.lr,
                **_frames_used(run.epochs, frames),
                "W": _shortest_all(run.W, 3),
                "b": _shortest_all(run.b, 3),
                "cost": _shortest_all(run.cost, 6, significant=4),
                "diverged": run.diverged_at,
                "finals": {str(n): line for n, line in run.finals.items()},
            }
            for run in runs
        ],
    }


def _frames_used(epochs: list[int], frames: list[int]) -> dict:
    n = 0
    while n < min(len(epochs), len(frames)) and epochs[n] == frames[n]:
        n += 1
    return {"n": n, "tail": epochs[n:]}


def _shortest_all(values: Sequence[float], digits: int, significant: int | None = None) -> list[_Compact]:
    return [_Compact(shortest(v, digits, significant)) for v in values]


def _index(values: Sequence[float], wanted: float) -> int:
    return min(range(len(values)), key=lambda i: abs(values[i] - wanted))


def to_json(data: dict) -> str:
    """The explorer's data as compact JSON text (no spaces, short numbers)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def explorer_html(data: dict | None = None, script: str = SCRIPT) -> str:
    """The explorer for a page: a container holding the data, and the script that draws it.

    The container stays hidden until the script runs, so without JavaScript the page shows
    only its static figures. The data sits in a ``data-explorer`` attribute rather than a
    ``<script type="application/json">``: Material's instant navigation re-runs every
    ``<script>`` of a page it swaps in, dropping its type.

    Args:
        data: from ``explorer_data`` (computed here if None).
        script: the URL of explorer.js, relative to the page.

    Returns:
        HTML text.

    Raises:
        ValueError: for an empty script URL.
    """
    if not isinstance(script, str) or not script:
        raise ValueError("script must be the URL of explorer.js")
    payload = html.escape(to_json(explorer_data() if data is None else data), quote=True)
    return (f'<div class="linreg-explorer" data-explorer="{payload}" hidden></div>\n'
            f'<script src="{html.escape(script, quote=True)}" defer></script>')

