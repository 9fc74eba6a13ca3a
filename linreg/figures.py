"""The lesson's figures, drawn with matplotlib and returned as SVG text.

Figures are byte-identical from run to run (fixed hash salt, no date) and label
in Korean with NanumGothic, which the ``koreanize-matplotlib`` wheel ships, so
no system font is needed. ``figure_html`` wraps an SVG for a page, with its
alternative text and caption.
"""

from __future__ import annotations

import functools
import html
import io
import math
import os
import re
import tempfile
from collections.abc import Sequence
import importlib.util
from pathlib import Path

import matplotlib
import matplotlib.patches
import torch
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from linreg import _checks
from linreg.cost import mse
from linreg.data import Dataset
from linreg.reference import least_squares
from linreg.train import History

# The font file alone: importing koreanize_matplotlib would change global rcParams.
_PACKAGE = importlib.util.find_spec("koreanize_matplotlib").submodule_search_locations[0]
font_manager.fontManager.addfont(os.path.join(_PACKAGE, "fonts", "NanumGothic.ttf"))

STYLE = {
    "font.family": "NanumGothic",
    "axes.unicode_minus": False,  # NanumGothic has no U+2212 minus sign
    "svg.hashsalt": "linreg",  # stable element ids: the same figure, the same bytes
    "svg.fonttype": "path",  # glyphs as paths: no font needed where the page is read
    "figure.dpi": 72,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
COLORS = ["#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0f766e"]


def _styled(draw):
    """Draw the whole figure under STYLE: text takes its font when it is created."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return wrapper


def _new_figure(width: float = 6.4, height: float = 4.0) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def to_svg(fig: Figure) -> str:
    """Render a figure as SVG text with no date, so reruns give the same bytes."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return _compact(buffer.getvalue())


def _compact(svg: str) -> str:
    """Make matplotlib's SVG smaller without changing what it draws.

    Drops the prolog, doctype, metadata (inline-ready) and the comments that echo each
    text (the figure's ``aria-label`` and caption say what it shows), rounds coordinates to
    two decimals (a hundredth of a point) in path data and in the positions of reused
    marks, and folds the whitespace of path data.
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"\s*\n\s*", "\n", svg)
    svg = re.sub(r"<use [^>]*>", lambda m: re.sub(r'\b([xy])="([^"]*)"', lambda a: f'{a.group(1)}="{_round(a.group(2))}"',
                                                   m.group(0)), svg)
    return re.sub(r' d="([^"]*)"', lambda m: ' d="' + _round(" ".join(m.group(1).split())) + '"', svg)


def _round(path_data: str) -> str:
    # only path coordinates: transforms (glyph scales) must keep every digit
    return re.sub(r"(\d+\.\d\d)\d+", r"\1", path_data)



def save(svg: str, path: str | os.PathLike[str]) -> Path:
    """Write SVG text to ``path`` atomically: a failed write leaves no partial file.

    Raises:
        ValueError: if ``svg`` is not SVG text.
        FileNotFoundError: if the folder does not exist.
    """
    if not isinstance(svg, str) or "<svg" not in svg:
        raise ValueError("svg must be SVG text, as the figure functions return")
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot write {target}: folder {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(svg)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # the user's normal permissions, not mkstemp's 0600
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def figure_html(svg: str, alt: str, caption: str) -> str:
    """Wrap SVG for a page: ``<figure>`` with alternative text and a caption.

    The SVG gets ``role="img"`` and an ``aria-label``, so screen readers read ``alt``.
    """
    if not alt or not caption:
        raise ValueError("alt and caption must both be given: every figure needs them")
    label = html.escape(alt, quote=True)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return (
        f'<figure class="linreg-figure">{svg}'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _line_xs(dataset: Dataset) -> tuple[float, float]:
    lo, hi = dataset.x.min().item(), dataset.x.max().item()
    pad = max(0.5, 0.1 * (hi - lo))
    return lo - pad, hi + pad


# --8<-- [start:data-and-lines]
@_styled
def data_and_lines(dataset: Dataset, lines: Sequence[tuple[float, float]] = ()) -> str:
    """The data as points, with candidate lines y = Wx + b drawn through them."""
    fig = _new_figure()
    ax = fig.add_subplot()
    x0, x1 = _line_xs(dataset)
    for i, (W, b) in enumerate(lines):
        W, b = _checks.finite(W, "W"), _checks.finite(b, "b")
        cost = mse(dataset.x * W + b, dataset.y).item()
        ax.plot([x0, x1], [W * x0 + b, W * x1 + b], color=COLORS[(i + 1) % len(COLORS)],
                label=f"W={W:g}, b={b:g} (비용 {cost:.3g})")
    ax.scatter(dataset.x.flatten(), dataset.y.flatten(), color=COLORS[0], zorder=3, label="학습 데이터")
    ax.set(xlabel="x (입력)", ylabel="y (출력)", title=f"데이터와 후보 직선 ({dataset.description})")
    ax.legend(loc="upper left")
    return to_svg(fig)
# --8<-- [end:data-and-lines]


@_styled
def train_and_test(train: Dataset, test: Dataset | Sequence[float],
                   line: tuple[float, float] | None = None,
                   axis_labels: tuple[str, str] = ("x (입력)", "y (출력)")) -> str:
    """Training data as filled points and test data as hollow ones, with an optional line.

    Args:
        train: the data the model learns from.
        test: held-out data; or only its inputs, drawn as "?" (their outputs are what the
            model must predict).
        line: ``(W, b)`` of a line to draw through both, e.g. the one training found.
        axis_labels: the x and y axis labels.
    """
    fig = _new_figure(6.4, 3.8)
    ax = fig.add_subplot()
    xs = train.x.flatten().tolist()
    ax.scatter(xs, train.y.flatten().tolist(), color=COLORS[0], zorder=3, label=f"학습 데이터 ({len(train)}개)")
    if isinstance(test, Dataset):
        xs += test.x.flatten().tolist()
        ax.scatter(test.x.flatten().tolist(), test.y.flatten().tolist(), facecolors="white", edgecolors=COLORS[1],
                   linewidths=1.5, zorder=3, label=f"테스트 데이터 ({len(test)}개)")
    else:
        ys = train.y.flatten().tolist()
        middle = (min(ys) + max(ys)) / 2
        for x in test:
            x = _checks.finite(x, "test")
            xs.append(x)
            ax.axvline(x, color=COLORS[1], linestyle=":", linewidth=1.2)
            ax.text(x + 0.08, middle, "?", color=COLORS[1], fontsize=20, ha="left", va="center")
        ax.plot([], [], color=COLORS[1], linestyle=":", label="테스트 입력 (출력을 예측할 곳)")
        ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    if line is not None:
        W, b = _checks.finite(line[0], "W"), _checks.finite(line[1], "b")
        x0, x1 = min(xs) - 0.3, max(xs) + 0.3
        ax.plot([x0, x1], [W * x0 + b, W * x1 + b], color=COLORS[2], label=f"학습한 직선: W={W:.2f}, b={b:.2f}")
    ax.set(xlabel=axis_labels[0], ylabel=axis_labels[1], title="학습 데이터와 테스트 데이터")
    ax.legend(loc="upper left")
    return to_svg(fig)


@_styled
def tensor_pair(dataset: Dataset, names: tuple[str, str] = ("x_train", "y_train")) -> str:
    """The inputs and outputs as two (m, 1) tensors side by side, one row per sample."""
    xs, ys = dataset.x.flatten().tolist(), dataset.y.flatten().tolist()
    m = len(xs)
    fig = _new_figure(6.4, 1.2 + 0.55 * m)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set(xlim=(0, 10), ylim=(-0.9, m + 1.1))
    for column, (name, values, color) in enumerate(zip(names, (xs, ys), COLORS[:2])):
        left = 1.5 + 4.5 * column
        ax.text(left + 1, m + 0.55, f"{name}  모양 ({m}, 1)", ha="center", fontsize=12, color=color)
        for row, value in enumerate(values):
            y = m - 1 - row
            ax.add_patch(matplotlib.patches.Rectangle((left, y), 2, 0.9, facecolor="white", edgecolor=color, linewidth=1.5))
            ax.text(left + 1, y + 0.45, f"{value:g}", ha="center", va="center", fontsize=13)
    for row in range(m):
        y = m - 1 - row + 0.45
        ax.annotate("", xy=(6.0, y), xytext=(3.5, y), arrowprops={"arrowstyle": "->", "color": "#555"})
        ax.text(0.2, y, f"샘플 {row + 1}", va="center", fontsize=10, color="#555")
    ax.text(5, -0.6, "같은 행의 입력과 출력이 한 쌍", ha="center", fontsize=10, color="#555")
    return to_svg(fig)


@_styled
def fit(dataset: Dataset, history: History) -> str:
    """The data, the line that training found and the closed-form least-squares line."""
    W, b, _ = history.final()
    W_ls, b_ls = least_squares(dataset.x, dataset.y)
    fig = _new_figure()
    ax = fig.add_subplot()
    x0, x1 = _line_xs(dataset)
    ax.plot([x0, x1], [W_ls * x0 + b_ls, W_ls * x1 + b_ls], color=COLORS[2], linestyle="--",
            label=f"최소 제곱 해: W={W_ls:z.3f}, b={b_ls:z.3f}")
    ax.plot([x0, x1], [W * x0 + b, W * x1 + b], color=COLORS[1],
            label=f"학습 결과 ({len(history) - 1} 에폭): W={W:z.3f}, b={b:z.3f}")
    ax.scatter(dataset.x.flatten(), dataset.y.flatten(), color=COLORS[0], zorder=3, label="데이터")
    ax.set(xlabel="x", ylabel="y", title=f"학습한 직선과 정답 ({dataset.description})")
    ax.legend(loc="upper left")
    return to_svg(fig)


def _cost_range(runs: Sequence[History]) -> tuple[float, float]:
    """The cost axis: what the runs that did not diverge visited (all runs if every one did).

    A diverging run's cost grows without bound (to 1e36 and beyond); scaling the axis to it
    would squash every other curve into a band, so it leaves the plot at the top instead.
    """
    kept = [h for h in runs if not h.diverged] or list(runs)
    costs = [c for h in kept for c in h.cost if math.isfinite(c)]
    if not costs:
        return 1e-3, 1.0
    positive = [c for c in costs if c > 0] or [1e-12]
    return min(positive) / 3, max(costs) * 3


def _runs_and_labels(histories: History | Sequence[History],
                     labels: Sequence[str] | None) -> tuple[list[History], list[str]]:
    runs = [histories] if isinstance(histories, History) else list(histories)
    if not runs:
        raise ValueError("histories is empty: give at least one History")
    if labels is None:
        return runs, [f"학습률 {h.lr:g}" for h in runs]
    if len(labels) != len(runs):
        raise ValueError(f"labels must name every run: {len(runs)} runs, {len(labels)} labels")
    return runs, list(labels)


def _draw_costs(ax, runs: Sequence[History], labels: Sequence[str], high: float) -> None:
    """Each run's cost by epoch; a diverging run ends in an arrow head on the top edge."""
    for i, (h, name) in enumerate(zip(runs, labels)):
        color = COLORS[i % len(COLORS)]
        finite = [(e, c) for e, c in zip(h.epochs, h.cost) if math.isfinite(c)]
        label = name + (f" (에폭 {h.diverged_at}에서 발산)" if h.diverged else "")
        ax.plot([e for e, _ in finite], [c for _, c in finite], color=color, label=label)
        if h.diverged:
            # where the curve leaves the plot: an arrow head on the top edge
            exit_epoch = next((e for e, c in zip(h.epochs, h.cost) if not c <= high), h.diverged_at)
            ax.plot([exit_epoch], [high], marker="^", markersize=9, color=color, clip_on=False, zorder=4,
                    linestyle="none", gid=f"divergence-{i}")


def _draw_floor(ax, floor: float) -> None:
    ax.axhline(floor, color="#555", linestyle="--", linewidth=1, gid="floor",
               label=f"가장 낮은 비용 {floor:.4g} (최소 제곱 해)")


def _log_axis(ax) -> None:
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # no mathtext


@_styled
def cost_curve_figure(histories: History | Sequence[History], log_scale: bool = True,
                      labels: Sequence[str] | None = None, floor: float | None = None) -> Figure:
    """The Figure behind ``cost_curve``, for tests and further drawing."""
    runs, labels = _runs_and_labels(histories, labels)
    low, high = _cost_range(runs)
    fig = _new_figure()
    ax = fig.add_subplot()
    _draw_costs(ax, runs, labels, high)
    if floor is not None:
        floor = _checks.finite(floor, "floor")
        _draw_floor(ax, floor)
        if floor > 0:
            low = min(low, floor / 3)
    if log_scale:
        _log_axis(ax)
    ax.set_ylim(low if log_scale else 0, high)
    ax.set(xlabel="에폭", ylabel="비용 (MSE)" + (", 로그 눈금" if log_scale else ""), title="에폭에 따른 비용")
    ax.legend(loc="best")
    return fig


@_styled
def cost_curve(histories: History | Sequence[History], log_scale: bool = True,
               labels: Sequence[str] | None = None, floor: float | None = None) -> str:
    """Cost by epoch for one run or several (labelled by learning rate unless ``labels`` name them).

    A diverging run is drawn until it leaves the plot, with an arrow head (▲) on the top
    edge where it does; the axis keeps the range of the runs that did not diverge.

    Args:
        histories: one run or several.
        log_scale: a logarithmic cost axis.
        labels: one legend label per run, e.g. "배치 크기 4" (default: the run's learning rate).
        floor: the lowest cost the data allows (the least-squares line's), drawn as a dashed line.

    Raises:
        ValueError: for no runs, a label count that does not match, or a non-finite floor.
    """
    return to_svg(cost_curve_figure(histories, log_scale, labels, floor))


@_styled
def cost_near_floor_figure(histories: History | Sequence[History], floor: float,
                           labels: Sequence[str] | None = None, zoom: float = 1.5) -> Figure:
    """The Figure behind ``cost_near_floor``, for tests and further drawing."""
    runs, labels = _runs_and_labels(histories, labels)
    floor = _checks.positive(floor, "floor")
    if _checks.finite(zoom, "zoom") <= 1:
        raise ValueError(f"zoom must be > 1, got {zoom}")
    low, high = _cost_range(runs)
    fig = _new_figure(9.6, 4.2)
    whole, near = fig.subplots(1, 2)
    for ax in (whole, near):
        _draw_costs(ax, runs, labels, high)
        _draw_floor(ax, floor)
        ax.set(xlabel="에폭")
    _log_axis(whole)
    whole.set_ylim(min(low, floor / 3), high)
    whole.set(ylabel="비용 (MSE), 로그 눈금", title="전체")
    # the band just above the lowest cost, on a linear axis: where the batches' noise shows
    near.set_ylim(floor - (zoom - 1) * floor / 10, zoom * floor)
    near.set(ylabel="비용 (MSE)", title=f"바닥 근처 (가장 낮은 비용의 {zoom:g}배까지)")
    handles, names = whole.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 4), fontsize=9)
    return fig


@_styled
def cost_near_floor(histories: History | Sequence[History], floor: float,
                    labels: Sequence[str] | None = None, zoom: float = 1.5) -> str:
    """Cost by epoch, side by side: the whole run (log scale) and the band just above ``floor``.

    On the log axis every curve ends in the same thin line at the bottom; the second panel
    stretches the band from ``floor`` to ``zoom`` times it, where a mini-batch run's noise shows.

    Args:
        histories: one run or several.
        floor: the lowest cost the data allows (the least-squares line's), > 0.
        labels: one legend label per run (default: the run's learning rate).
        zoom: the second panel's top as a multiple of ``floor`` (> 1).

    Raises:
        ValueError: for no runs, a label count that does not match, a floor <= 0 or a zoom <= 1.
    """
    return to_svg(cost_near_floor_figure(histories, floor, labels, zoom))


@_styled
def cost_by_W(dataset: Dataset, b: float = 0.0, W_range: tuple[float, float] = (-1.0, 5.0),
              marks: Sequence[float] = ()) -> str:
    """Cost as a function of W alone, with b held fixed: the bowl gradient descent rolls down."""
    b = _checks.finite(b, "b")
    lo, hi = _checks.finite(W_range[0], "W_range[0]"), _checks.finite(W_range[1], "W_range[1]")
    if lo >= hi:
        raise ValueError(f"W_range must be (low, high) with low < high, got {W_range}")
    Ws = [lo + (hi - lo) * i / 120 for i in range(121)]
    costs = [mse(dataset.x * W + b, dataset.y).item() for W in Ws]
    fig = _new_figure(6.4, 3.6)
    ax = fig.add_subplot()
    ax.plot(Ws, costs, color=COLORS[0])
    for i, W in enumerate(marks):
        cost = mse(dataset.x * W + b, dataset.y).item()
        ax.scatter([W], [cost], color=COLORS[(i + 1) % len(COLORS)], zorder=3, label=f"W={W:g}: 비용 {cost:.3g}")
    ax.set(xlabel="W (가중치)", ylabel="비용", title=f"W에 따른 비용 (b = {b:g}, {dataset.description})")
    if marks:
        ax.legend(loc="upper center")
    return to_svg(fig)


@_styled
def cost_surface_figure(dataset: Dataset, history: History | Sequence[History] | None = None,
                        levels: int = 12, labels: Sequence[str] | None = None) -> Figure:
    """The Figure behind ``cost_surface``: each run's path is a line whose first point is
    the run's real start (``History.W_start``, ``History.b_start``)."""
    runs = [] if history is None else [history] if isinstance(history, History) else list(history)
    if labels is not None and len(labels) != len(runs):
        raise ValueError(f"labels must name every run: {len(runs)} runs, {len(labels)} labels")
    W_ls, b_ls = least_squares(dataset.x, dataset.y)
    paths = [h.path() for h in runs]
    Ws = [W_ls] + [w for path_W, _ in paths for w in path_W]
    bs = [b_ls] + [v for _, path_b in paths for v in path_b]
    span_W = max(max(Ws) - min(Ws), 1.0) * 0.3
    span_b = max(max(bs) - min(bs), 1.0) * 0.3
    grid_W = torch.linspace(min(Ws) - span_W, max(Ws) + span_W, 160)
    grid_b = torch.linspace(min(bs) - span_b, max(bs) + span_b, 160)
    GW, Gb = torch.meshgrid(grid_W, grid_b, indexing="xy")
    # cost at every grid point: mean over samples of (W x + b - y)^2
    pred = GW[..., None] * dataset.x.flatten() + Gb[..., None]
    cost = ((pred - dataset.y.flatten()) ** 2).mean(dim=-1)
    fig = _new_figure(6.4, 5.0 + 0.2 * len(runs))
    ax = fig.add_subplot()
    # log-spaced levels: the narrow valley near the minimum gets contours too
    low, high = max(cost.min().item(), 1e-4), cost.max().item()
    steps = torch.logspace(math.log10(low) + 0.3, math.log10(high), levels).tolist()
    contours = ax.contour(GW.numpy(), Gb.numpy(), cost.numpy(), levels=steps, cmap="viridis", linewidths=0.8)
    ax.clabel(contours, fontsize=7, fmt="%.2g")
    for i, (h, (path_W, path_b)) in enumerate(zip(runs, paths)):
        color = COLORS[(1 + 2 * i) % len(COLORS)]
        name = labels[i] if labels is not None else "경사 하강법 경로"
        ax.plot(path_W, path_b, color=color, linewidth=1.5, gid=f"path-{i}",
                label=f"{name} (학습률 {h.lr:g}, {len(h) - 1} 에폭)")
        ax.plot([path_W[0]], [path_b[0]], color=color, marker="o", linestyle="none", zorder=3,
                label=f"시작점 (W={path_W[0]:.3g}, b={path_b[0]:.3g})")
    ax.scatter([W_ls], [b_ls], color=COLORS[4], marker="*", s=120, zorder=4, label="최소 제곱 해")
    ax.set(xlabel="W (가중치)", ylabel="b (편향)", title=f"(W, b)에 따른 비용의 등고선 ({dataset.description})")
    fig.legend(loc="outside lower center", ncols=2, fontsize=8)
    return fig


@_styled
def cost_surface(dataset: Dataset, history: History | Sequence[History] | None = None, levels: int = 12,
                 labels: Sequence[str] | None = None) -> str:
    """Contours of the cost over (W, b), with each run's gradient-descent path from its real start.

    Args:
        dataset: the data whose cost is drawn.
        history: one run or several; each path starts at the run's recorded start.
        levels: the number of contour lines.
        labels: one legend label per run (default: "경사 하강법 경로").
    """
    return to_svg(cost_surface_figure(dataset, history, levels, labels))
