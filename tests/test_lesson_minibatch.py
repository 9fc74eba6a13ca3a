"""The mini-batch page: every number it prints and every claim its prose makes, checked against
what is computed here independently of linreg (a plain torch DataLoader loop, the normal
equations and the hand-derived gradient in float64, ceil(m / B)). Only the data comes from
linreg.synthetic: it is the page's input."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from bs4 import BeautifulSoup
from torch.utils.data import DataLoader, TensorDataset

from linreg import synthetic
from test_batches import normal_equations, plain_minibatch

pytestmark = pytest.mark.site

PAGE = "lessons/08-mini-batch"
LR, EPOCHS, SEED = 0.01, 30, 0
NUMBER = r"([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"


@pytest.fixture(scope="module")
def page(site) -> str:
    return BeautifulSoup(site.page(PAGE), "html.parser").select_one("article").get_text()


@pytest.fixture(scope="module")
def data():
    train = synthetic().train
    return train.x, train.y


@pytest.fixture(scope="module")
def floor(data):
    x, y = data
    W, b = normal_equations(x, y)
    return float(np.mean((W * x.double().numpy().ravel() + b - y.double().numpy().ravel()) ** 2))


@pytest.fixture(scope="module")
def runs(data):
    """batch size -> (Ws, bs, costs) of the plain loop, for the page's three batch sizes."""
    x, y = data
    return {size: plain_minibatch(x, y, size, LR, EPOCHS, SEED) for size in (1, 4, len(x))}


def line(page: str, pattern: str) -> tuple[float, ...]:
    """The numbers of the one printed line that matches ``pattern`` (NUMBER marks each)."""
    matches = re.findall(pattern.replace("{N}", NUMBER), page)
    assert len(matches) == 1, (pattern, matches)
    found = matches[0] if isinstance(matches[0], tuple) else (matches[0],)
    return tuple(float(v) for v in found)


def test_the_page_follows_lesson_07_with_its_own_description(site):
    soup = BeautifulSoup(site.page(PAGE), "html.parser")
    assert soup.select_one("article h1").get_text().startswith("미니배치와 DataLoader")
    assert "07-nn-module" in soup.select_one("a.md-footer__link--prev")["href"]
    description = soup.find("meta", attrs={"name": "description"})["content"]
    assert "DataLoader" in description
    for other in ("lessons/06-full-implementation", "lessons/07-nn-module"):
        theirs = BeautifulSoup(site.page(other), "html.parser").find("meta", attrs={"name": "description"})
        assert theirs["content"] != description


def test_glossary_terms_are_introduced_with_their_english(page):
    for term in ("미니배치(mini-batch)", "배치 크기(batch size)", "확률적 경사 하강법(stochastic gradient descent, SGD)"):
        assert term in " ".join(page.split()), term
    assert "에폭" in page and "학습률" in page
    assert "기울기" not in page  # the gradient is 그래디언트 here; no line's slope is discussed


def test_exercises_have_a_hint_and_a_worked_answer(site, page):
    soup = BeautifulSoup(site.page(PAGE), "html.parser")
    exercises = re.findall(r"문제 \d+\.", page.split("연습 문제", 1)[1])
    assert len(exercises) == 3 and "요약" in page
    assert len(soup.select("article details.tip")) == len(soup.select("article details.success")) == 3
    assert not re.search(r"\d\.\d{9,}", page)  # numbers are rounded


def test_the_data_and_its_lowest_cost(page, data, floor):
    x, y = data
    W, b = normal_equations(x, y)
    assert line(page, r"학습 데이터: {N}개") == (len(x),) == (80,)
    assert line(page, r"최소 제곱 해: W = {N}, b = {N}, 비용 {N}") == pytest.approx((W, b, floor), abs=1e-4)


def test_the_dataset_and_the_loaders_first_batches(page, data):
    x, y = data
    assert line(page, r"샘플 수: {N} / 첫 번째 쌍: \(tensor\(\[{N}\]\), tensor\(\[{N}\]\)\)") == pytest.approx(
        (80, x[0].item(), y[0].item()), abs=1e-4)
    assert line(page, r"에폭당 미니배치 수: {N}") == (20,)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))
    for epoch in range(2):
        batches = list(loader)
        first = [round(v, 2) for v in batches[0][0].flatten().tolist()]
        assert f"에폭 {epoch}의 첫 미니배치: x_batch 모양 (4, 1), x = {first}" in page
        assert f"에폭 {epoch}에 꺼낸 미니배치: {len(batches)}개" in page and len(batches) == 20


def test_the_full_batch_is_the_lecture_loop(page, data, runs):
    (gap,) = line(page, r"W, b의 최대 차이 {N} ✔ 같은 학습")
    assert 0 <= gap < 1e-5
    # and the full batch, written here as plain gradient descent in float64, is the same run
    x, y = (t.double().numpy().ravel() for t in data)
    W = b = 0.0
    for epoch in range(EPOCHS + 1):
        error = W * x + b - y
        W, b = W - LR * 2 * np.mean(error * x), b - LR * 2 * np.mean(error)
        assert (runs[len(x)][0][epoch], runs[len(x)][1][epoch]) == pytest.approx((W, b), rel=1e-4, abs=1e-5)


def test_each_batch_size_line(page, data, runs):
    m = len(data[0])
    for size, (Ws, bs, costs) in runs.items():
        per_epoch = math.ceil(m / size)
        printed = line(page, rf"배치 크기 +{size}: 에폭당 갱신 +{{N}}번 \(모두 {{N}}번\), 에폭 1의 비용 {{N}}, "
                             r"에폭 30의 비용 {N}, W = {N}, b = {N}")
        assert printed[:2] == (per_epoch, per_epoch * (EPOCHS + 1))
        assert printed[2:] == pytest.approx((costs[1], costs[-1], Ws[-1], bs[-1]), abs=1.5e-4)
    assert [math.ceil(m / s) for s in runs] == [80, 20, 1]


def test_the_prose_about_the_curves_is_true(runs, floor):
    full = max(runs)
    # small batches are near the lowest cost after one epoch; the full batch is far above it, and still above after 30
    assert runs[1][2][1] < 1.5 * floor and runs[4][2][1] < 1.5 * floor and runs[full][2][1] > 100 * floor
    assert runs[full][2][-1] > 1.2 * floor
    # the full batch goes down smoothly; batch size 1 jumps more than batch size 4 near the floor
    rises = {size: sum(b > a for a, b in zip(c, c[1:])) for size, (_, _, c) in runs.items()}
    assert rises[full] == 0 and rises[1] > 0 and rises[4] > 0
    jumps = {size: max(abs(b - a) for a, b in zip(c[5:], c[6:])) for size, (_, _, c) in runs.items() if size != full}
    assert jumps[1] > jumps[4]


def test_the_figure(site):
    soup = BeautifulSoup(site.page(PAGE), "html.parser")
    figures = soup.select("article figure.linreg-figure")
    assert len(figures) == 1
    assert figures[0].find("figcaption").get_text().startswith("그림 1.")
    assert "배치 크기 1" in figures[0].find("img")["alt"]


def test_the_gradient_at_the_bottom(page, data):
    x, y = data
    W, b = normal_equations(x, y)
    means = {}
    for size in (1, 4, len(x)):
        loader = DataLoader(TensorDataset(x, y), batch_size=size, shuffle=True, generator=torch.Generator().manual_seed(0))
        grads = [abs(2 * np.mean((W * xb.double().numpy() + b - yb.double().numpy()) * xb.double().numpy()))
                 for xb, yb in loader]
        printed = line(page, rf"배치 크기 +{size}: 미니배치 +{{N}}개, 바닥에서 dCost/dW의 크기 평균 {{N}}")
        assert printed == pytest.approx((len(grads), np.mean(grads)), abs=2e-4)
        means[size] = printed[1]
    assert means[1] > means[4] > means[len(x)] == 0  # the prose: more samples, smaller noise, none for all of them


def test_the_last_ten_epochs(page, runs):
    widths = {}
    for size, (_, _, costs) in runs.items():
        last = costs[-10:]
        rises = sum(b > a for a, b in zip(costs, costs[1:]))
        printed = line(page, rf"배치 크기 +{size}: 에폭 21~30의 비용 {{N}} ~ {{N}}, 비용이 앞 에폭보다 커진 에폭 +{{N}}번")
        assert printed[:2] == pytest.approx((min(last), max(last)), abs=1.5e-4) and printed[2] == rises
        widths[size] = max(last) - min(last)
    full = max(runs)
    # "batch size 1 the widest range, batch size 4 a narrower one; the full batch never rose"
    assert widths[1] > widths[4] and widths[1] > widths[full]
    assert sum(b > a for a, b in zip(runs[full][2], runs[full][2][1:])) == 0


def test_exercise_1_batch_size_three(page):
    assert "미니배치 27개, 마지막 세 미니배치의 크기 [3, 3, 2]" in page  # 80 = 3 * 26 + 2
    assert "drop_last=True: 미니배치 26개" in page


def test_exercise_2_a_smaller_learning_rate_narrows_the_band(page, data):
    x, y = data
    found = {}
    for lr in (0.01, 0.002):
        _, _, costs = plain_minibatch(x, y, 1, lr, EPOCHS, SEED)
        printed = line(page, rf"lr = {lr:<5}: 에폭 1의 비용 {{N}}, 에폭 21~30의 비용 {{N}} ~ {{N}}")
        assert printed == pytest.approx((costs[1], min(costs[-10:]), max(costs[-10:])), abs=1.5e-4)
        found[lr] = printed
    narrow, wide = found[0.002][2] - found[0.002][1], found[0.01][2] - found[0.01][1]
    assert narrow < wide and found[0.002][0] > found[0.01][0]  # the answer's two claims


def test_exercise_3_the_seed_moves_batch_size_one_only(page, data):
    x, y = data
    printed = {}
    for size in (1, len(x)):
        for seed in (0, 1):
            Ws, bs, _ = plain_minibatch(x, y, size, LR, EPOCHS, seed)
            values = line(page, rf"배치 크기 +{size}, seed {seed}: W = {{N}}, b = {{N}}")
            assert values == pytest.approx((Ws[-1], bs[-1]), abs=2e-6)
            printed[size, seed] = values
    assert abs(printed[1, 0][0] - printed[1, 1][0]) > 0.01
    assert printed[len(x), 0] == pytest.approx(printed[len(x), 1], abs=1e-6)
