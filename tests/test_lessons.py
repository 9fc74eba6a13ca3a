"""The lesson pages' claims, exercises and worked answers, each checked against a computation
made here independently of linreg (numpy in float64, closed forms, hand derivations)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from bs4 import BeautifulSoup

from sitebuild import LESSONS, ROOT

pytestmark = pytest.mark.site

X = np.array([1.0, 2.0, 3.0])
Y_BLOG = 2 * X  # the lecture's data, y = 2x
Y_LAB = X.copy()  # the original notebook's, y = x
COURSE = LESSONS[:7]  # lessons 01-07: the lecture's own steps, which share the glossary and vocabulary
POSTS = ["blog/2024/10/03/lab02-linear-regression", "blog/2026/11/25/course-site-launch"]


def soup(site, path: str) -> BeautifulSoup:
    return BeautifulSoup(site.page(path), "html.parser")


def text(site, path: str) -> str:
    return soup(site, path).select_one("article").get_text()


def prose(site, path: str) -> str:
    """The article's text with every run of whitespace as one space."""
    return " ".join(text(site, path).split())


def number(page: str, before: str) -> float:
    """The number printed right after ``before`` on the page."""
    match = re.search(re.escape(before) + r"\s*([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)", page)
    assert match, f"{before!r} not on the page"
    return float(match.group(1))


def descend(x, y, lr, epochs, W=0.0, b=0.0):
    """Gradient descent on the MSE in float64 with the hand-derived gradient: (W, b, costs, grads)."""
    costs, grads = [], []
    for _ in range(epochs + 1):
        error = W * x + b - y
        costs.append(float(np.mean(error**2)))
        gW, gb = 2 * np.mean(error * x), 2 * np.mean(error)
        grads.append((gW, gb))
        W, b = W - lr * gW, b - lr * gb
    return W, b, costs, grads


def hessian_bound(x) -> float:
    A = np.stack([x, np.ones_like(x)], axis=1)
    return 2 / np.linalg.eigvalsh(2 / len(x) * A.T @ A).max()


# --- every lesson ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", LESSONS)
def test_every_exercise_has_a_hint_and_a_worked_answer(site, path):
    page = soup(site, path)
    article = page.select_one("article")
    exercises = re.findall(r"문제 \d+\.", article.get_text().split("연습 문제", 1)[1])
    hints = page.select("article details.tip")
    answers = page.select("article details.success")
    assert len(exercises) >= 3
    assert len(hints) == len(answers) == len(exercises), path
    assert all(h.find("summary").get_text() == "힌트" for h in hints)
    assert all(a.find("summary").get_text() == "풀이" for a in answers)


@pytest.mark.parametrize("path", ["", *LESSONS])
def test_learner_pages_speak_to_learners(site, path):
    page = text(site, path)
    for word in ("「", "」", "빌드", "discard_models"):
        assert word not in page, (path, word)
    assert not re.search(r"\d\.\d{9,}", page), path  # raw floats: numbers are rounded


def prose_without_code(site, path: str) -> str:
    """The article's prose: code blocks, their outputs and their titles left out."""
    article = soup(site, path).select_one("article")
    for block in article.select(".highlight, pre"):
        block.decompose()
    return " ".join(article.get_text().split())


def glossary(site) -> str:
    box = soup(site, "").select_one("#glossary").find_next_sibling("div", class_="admonition")
    return " ".join(box.get_text().split())


def test_one_glossary_box_names_the_gradient_cost_epoch_and_the_three_sources(site):
    box = glossary(site)
    for word in ("그래디언트", "변화도", "PyTorch 한국어 튜토리얼", "기울기", "SGD", "비용", "손실",
                 "range(nb_epochs + 1)", "range(1, nb_epochs + 1)", "강의 영상", "강의 글", "원래 실습"):
        assert word in box, word
    # the counts the box states, checked against the two loops themselves
    nb_epochs = 1000
    assert len(range(nb_epochs + 1)) == nb_epochs + 1 and len(range(1, nb_epochs + 1)) == nb_epochs
    assert f"에폭 0부터 {nb_epochs}까지 {nb_epochs + 1}번 갱신" in box
    assert len(soup(site, "").select("#glossary")) == 1
    # one epoch is one update only without mini-batches: the box says so and points to lesson 08
    assert "미니배치마다 한 번씩 갱신합니다" in box
    box_links = [a["href"] for a in soup(site, "").select_one("#glossary").find_next_sibling("div").select("a[href]")]
    assert any("08-mini-batch" in h for h in box_links)
    for path in COURSE:  # every lesson links to it
        links = [a["href"] for a in soup(site, path).select("article a[href]")]
        assert any(h.endswith("#glossary") for h in links), path


def test_the_gradients_other_names_are_said_once_in_the_box(site):
    for path in ["", *COURSE]:
        page = prose(site, path)
        assert "(강의 글의 기울기)" not in page, path
        # 기울기 is a line's slope; where it stands for the gradient, the lecture post is named beside it
        for match in re.finditer("기울기", page):
            near = page[max(0, match.start() - 30) : match.end() + 30]
            assert any(word in near for word in ("직선", "강의 글", "접선", "SGD")), (path, near)
    # the gradient's first page and the gradient-descent page point to the other names
    assert "강의 글은 같은 값을 기울기나 변화도라고도" in prose(site, LESSONS[2])
    assert "강의 글이 기울기나 변화도라고도" in prose(site, LESSONS[4])


def test_sources_have_one_name_each_and_buttons_one_word(site):
    for path in ["", *LESSONS, *POSTS, "contributing"]:
        page = prose_without_code(site, path)
        for loose in ("강의의", "강의 코드", "강의 데이터", "원래 강의 글", "원래 노트북", "강의 노트", "원문", "단추"):
            assert loose not in page, (path, loose)
    # the post says which of the three sources it is, and points to the glossary for the other names
    post = prose(site, POSTS[0])
    assert "강의 페이지가 강의 글이라고 부르는 글입니다" in post and "원래 실습은 이승재(Seungjae Lee)" in post
    assert any(a["href"].endswith("index.md#glossary") or a["href"].endswith("#glossary")
               for a in soup(site, POSTS[0]).select("article a[href]"))
    footer = soup(site, "").select_one(".md-copyright").get_text()
    assert "작성자" not in footer and "MIT" in footer and "모두를 위한 딥러닝 시즌2-2" in footer


def test_contributing_glossary_says_what_the_box_says():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = text.split("## 5. 용어", 1)[1].split("## 6.", 1)[0]
    for word in ("변화도", "기울기", "비용 / 손실", "nb_epochs + 1번", "nb_epochs번", "1001번",
                 "강의 영상", "강의 글", "원래 실습", "index.md#glossary"):
        assert word in table, word


def test_epochs_are_counted_one_way(site):
    for path in ["", *COURSE]:
        assert not re.search(r"\b1001 에폭", prose(site, path)), path  # 1000 epochs are 1001 updates


def test_advanced_material_is_folded_away(site):
    page = soup(site, LESSONS[4])
    boxes = {d.find("summary").get_text(): d.get_text() for d in page.select("article details.note")}
    assert any("유도" in title and "연쇄 법칙" in body for title, body in boxes.items())
    assert any("발산 경계" in title and "고윳값" in body for title, body in boxes.items())
    main = page.select_one("article")
    for details in main.select("details"):
        details.decompose()
    assert "고윳값" not in main.get_text() and "헤세" not in main.get_text()


def test_credit_video_and_the_posts_time(site):
    home = text(site, "")
    assert "이승재(Seungjae Lee)" in home and "19시 32분" in home
    links = [a["href"] for a in soup(site, "").select("article a[href]")]
    assert any("deeplearningzerotoall/PyTorch/blob/" in h and h.endswith("lab-02_linear_regression.ipynb") for h in links)
    assert any("blog/2024/10/03/lab02-linear-regression" in h for h in links)
    lesson = soup(site, LESSONS[0])
    assert lesson.select_one(".video-embed")["data-youtube-id"] == "kyjBMuNM1DI" and not lesson.find("iframe")
    post = soup(site, "blog/2024/10/03/lab02-linear-regression")
    assert post.find("time")["datetime"].startswith("2024-10-03 19:32:00+09:00")
    assert "이승재" in post.get_text()
    for path in (LESSONS[5], LESSONS[6]):
        assert "이승재(Seungjae Lee)" in text(site, path)


# --- 01 ----------------------------------------------------------------------------------------

def test_linear_regression_exercises(site):
    page = text(site, LESSONS[0])
    errors = 1.5 * X + 1 - Y_BLOG  # +0.5, 0, -0.5: a tie between x = 1 and x = 3
    for x, error in zip(X, errors):
        assert f"x = {x:g}: 오차 {error:.1f}" in page
    assert abs(errors[0]) == abs(errors[2]) and "x = 1과 x = 3에서 똑같이 0.5만큼" in page
    W, b = np.polyfit(X, 2 * X + 1, 1)
    assert f"W = {W:.3f}, b = {b:.3f}" in page and (round(W, 6), round(b, 6)) == (2, 1)


def test_linear_regression_first_shown_code_defines_what_it_uses(site):
    first = soup(site, LESSONS[0]).select_one("article .highlight").get_text()
    assert "data = blog_data()" in first and "candidates = [" in first and "for W, b in candidates:" in first


# --- 02 ----------------------------------------------------------------------------------------

def test_data_definition_page_uses_the_split(site):
    from linreg import synthetic  # the data itself; the fit and the costs are computed here

    page = text(site, LESSONS[1])
    split = synthetic(W=2.0, b=1.0, noise=0.5, size=100, test_fraction=0.2, seed=0)
    xs, ys = split.train.x.double().flatten().numpy(), split.train.y.double().flatten().numpy()
    W, b = np.polyfit(xs, ys, 1)  # gradient descent with lr 0.05 for 1000 epochs converges to it
    train_cost = np.mean((W * xs + b - ys) ** 2)
    xt, yt = split.test.x.double().flatten().numpy(), split.test.y.double().flatten().numpy()
    test_cost = np.mean((W * xt + b - yt) ** 2)
    assert number(page, "학습한 직선: W =") == pytest.approx(W, abs=1e-3)
    assert number(page, "학습 데이터의 비용:") == pytest.approx(train_cost, abs=1e-4)
    assert number(page, "테스트 데이터의 비용:") == pytest.approx(test_cost, abs=1e-4)
    assert test_cost > train_cost and "테스트 데이터의 비용은 학습 데이터의 비용보다 조금 큽니다" in prose(site, LESSONS[1])
    assert len(soup(site, LESSONS[1]).select("figure.linreg-figure")) == 3  # the lecture's two images, the split


def test_data_definition_answers_the_four_hours_question(site):
    page = text(site, LESSONS[1])
    W, b, _, _ = descend(X, Y_BLOG, 0.05, 1000)  # the same training in float64, by the hand gradient
    assert number(page, "세 점으로 학습한 직선: W =") == pytest.approx(W, abs=1e-4)
    assert number(page, "4시간 공부했을 때의 예측 점수:") == pytest.approx(4 * W + b, abs=5e-3)
    assert 4 * W + b == pytest.approx(2 * 4, abs=5e-3)  # the rule y = 2x, as the prose says
    links = [a["href"] for a in soup(site, LESSONS[1]).select("article a[href]")]
    assert "#4시간-공부하면-몇-점일까" in links
    # learning rate and epochs are named before the code that uses them
    page = prose(site, LESSONS[1])
    assert page.index("학습률(learning rate)") < page.index("lr=0.05, nb_epochs=1000")
    assert page.index("에폭(epoch)") < page.index("lr=0.05, nb_epochs=1000")
    nb_epochs = 1000  # counted from 0, as linreg and the original notebook count: range(nb_epochs + 1)
    assert f"에폭 0부터 {nb_epochs}까지, 곧 학습 데이터 전체를 모두 {len(range(nb_epochs + 1))}번" in page
    # the block that answers the question imports what it uses (no name comes from a hidden block)
    block = next(b.get_text() for b in soup(site, LESSONS[1]).select("article .highlight") if "scores = blog_data()" in b.get_text())
    assert "from linreg import blog_data" in block


def test_data_definition_exercises(site):
    page = text(site, LESSONS[1])
    assert f"[1, 2, 3]:       {np.array([1, 2, 3]).shape}" in page
    assert f"[[1], [2], [3]]: {np.array([[1], [2], [3]]).shape}" in page
    assert "시드 0을 두 번: True" in page


# --- 03 ----------------------------------------------------------------------------------------

def test_hypothesis_exercises(site):
    page = text(site, LESSONS[2])
    assert "grad_fn: None  requires_grad: False" in page
    assert f"예측: {(2 * X).tolist()}" in page
    W, b = np.polyfit(X, Y_BLOG, 1)
    torch.manual_seed(1)
    linear = torch.nn.Linear(1, 1)
    for start in [(0.0, 0.0), (linear.weight.item(), linear.bias.item())]:
        W_end, b_end, _, _ = descend(X, Y_BLOG, 0.05, 5000, *start)
        assert f"({start[0]:z.3f}, {start[1]:z.3f}) -> ({W_end:z.4f}, {b_end:z.4f})" in page
        assert (W_end, b_end) == pytest.approx((W, b), abs=5e-5)  # the same answer from either start


# --- 04 ----------------------------------------------------------------------------------------

def test_cost_function_exercises(site):
    page = text(site, LESSONS[3])
    assert f"mse:     {14 / 3:.4f}" in page
    for W in [0, 1, 2, 3, 4]:
        assert f"W = {W}: MAE {2 * abs(W - 2):.4f}   MSE {14 / 3 * (W - 2) ** 2:.4f}" in page
    assert page.count(f"비용 {56 / 3:.4f}") == 2


# --- 05 ----------------------------------------------------------------------------------------

def test_hand_written_update_matches_optim_sgd_on_the_page(site):
    page = text(site, LESSONS[4])
    assert "with torch.no_grad():" in page and "W -= lr * W.grad" in page and "W.grad = None" in page
    W, b, _, _ = descend(X, Y_BLOG, 0.01, 1000)
    hand = re.search(r"직접 갱신: W = (\S+), b = (\S+)", page)
    sgd = re.search(r"optim\.SGD: W = (\S+), b = (\S+)", page)
    assert hand.groups() == sgd.groups()
    assert float(hand.group(1)) == pytest.approx(W, abs=1e-5) and float(hand.group(2)) == pytest.approx(b, abs=1e-5)
    assert number(page, "모든 에폭에서 W, b의 차이가") < 1e-6 and "✔ 같은 학습" in page
    assert "zero_grad() 뒤의 W.grad: None" in page


def test_gradient_descent_steps_against_the_gradient_and_explains_the_coincidence(site):
    page, headings = text(site, LESSONS[4]), [h.get_text() for h in soup(site, LESSONS[4]).select("article h2")]
    assert "그래디언트의 반대 방향으로 내려가기¶" in headings and not any("따라" in h for h in headings)
    # the initial cost is the mean of y^2, the gradient the mean of -2xy: equal in size only when y = 2x
    for name, y in (("y = 2x", Y_BLOG), ("y = x", Y_LAB)):
        cost, gW = np.mean(y**2), np.mean(-2 * X * y)
        assert f"{name} 데이터: 초기 비용 {cost:.4f}, dCost/dW {gW:.4f}" in page
    assert np.isclose(np.mean(Y_BLOG**2), -np.mean(-2 * X * Y_BLOG)) and not np.isclose(np.mean(Y_LAB**2), -np.mean(-2 * X * Y_LAB))
    # one step by hand, printed by the page's code
    gW, gb = 2 * np.mean(-Y_BLOG * X), 2 * np.mean(-Y_BLOG)
    assert f"W = 0 − 0.01 × ({gW:.4f}) = {-0.01 * gW:.4f}" in page
    assert f"b = 0 − 0.01 × ({gb:.4f}) = {-0.01 * gb:.4f}" in page
    # backward() leaves W alone; step() moves it
    assert f"backward() 뒤: W = {0:.4f}, W.grad = {gW:.4f}" in page
    # 1000 epochs counted from 0: 1001 updates
    assert f"갱신 횟수: {len(range(1000 + 1))}번 (에폭 0부터 1000까지)" in page


def test_sgd_box_blames_local_minima_on_the_cost_not_the_batch(site):
    box = next(" ".join(d.get_text().split()) for d in soup(site, LESSONS[4]).select("article .admonition.info")
               if "확률적 경사 하강법" in d.get_text())
    drawback = box.split("단점:", 1)[1].split("강의 글의 SGD 설명", 1)[0]
    assert "지역 최솟값" not in drawback  # not listed as SGD's own drawback
    assert "볼록하지 않을(non-convex)" in box and "배치 크기와는 상관이 없습니다" in box
    assert "빠져나오는 데 도움" in box
    # the full-batch remark is about this page's examples; lesson 08 is where mini-batches are tried
    assert "이 페이지의 예제처럼 데이터 전체" in box and "이 사이트의 예제처럼" not in box
    sgd = next(d for d in soup(site, LESSONS[4]).select("article .admonition.info") if "확률적 경사 하강법" in d.get_text())
    assert any("08-mini-batch" in a["href"] for a in sgd.select("a[href]"))


def test_method_table_keeps_code_names_whole():
    css = (ROOT / "docs" / "assets" / "css" / "extra.css").read_text(encoding="utf-8")
    rule = re.search(r"\.md-typeset td code \{([^}]*)\}", css).group(1)
    assert "word-break: normal" in rule and "overflow-wrap: normal" in rule


def test_add_with_alpha_is_bit_identical_to_optim_sgd():
    # the page says so in its 더 알아보기 box
    from linreg import blog_data, train_lecture

    data, lr = blog_data(), 0.01
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    Ws = []
    for _ in range(1001):
        torch.mean((data.x * W + b - data.y) ** 2).backward()
        with torch.no_grad():
            W.add_(W.grad, alpha=-lr)
            b.add_(b.grad, alpha=-lr)
        W.grad = b.grad = None
        Ws.append(W.item())
    assert Ws == train_lecture(data.x, data.y, lr=lr, nb_epochs=1000, log_every=None).W


def test_gradient_descent_exercises(site):
    page = text(site, LESSONS[4])
    # 1: without zero_grad the second W.grad is the sum of both steps' gradients
    g0 = 2 * np.mean((0 * X - Y_BLOG) * X)
    W1, b1 = -0.01 * g0, -0.01 * 2 * np.mean(-Y_BLOG)
    g1 = 2 * np.mean((W1 * X + b1 - Y_BLOG) * X)
    assert f"2번째 걸음: 이 위치의 그래디언트 {g1:.4f}, W.grad {g0 + g1:.4f}" in page
    assert "첫 걸음의 그래디언트(W = 0, b = 0에서의 값)가 더해집니다" in prose(site, LESSONS[4])
    # 2: just below the bound the cost falls, just above it grows geometrically (finite for 100 epochs only)
    bound = hessian_bound(X)
    for factor, falls in ((0.9, True), (1.1, False)):
        _, _, costs, _ = descend(X, Y_BLOG, factor * bound, 100)
        line = re.search(rf"lr = {factor} × 경계 = {factor * bound:.4f}: 에폭 0, 25, 50, 75, 100의 비용 (.+)", page)
        shown = [float(v) for v in line.group(1).split(", ")]
        assert shown == pytest.approx([costs[e] for e in (0, 25, 50, 75, 100)], rel=1e-2)
        assert (shown[-1] < shown[0]) == falls and np.isfinite(costs[-1])
        ratio = (costs[100] / costs[0]) ** (1 / 100)
        after = page[line.end():]
        assert number(after, "에폭마다 비용에 곱해지는 비율(평균):") == pytest.approx(ratio, abs=2e-3)
    # above the bound the error along the steepest direction is multiplied by |1 - lr * lambda_max| > 1 each epoch
    lam = 2 / bound
    assert abs(1 - 1.1 * bound * lam) ** 2 == pytest.approx((costs[100] / costs[50]) ** (1 / 50), rel=1e-3)
    _, _, costs, _ = descend(X, Y_BLOG, 1.1 * bound, 400)
    finfo = float(np.finfo(np.float32).max)
    overflow = next(e for e, c in enumerate(costs) if 3 * c > finfo)  # the float32 sum of squares overflows
    assert abs(number(page, "계속 학습하면: 에폭") - overflow) <= 2
    words = prose(site, LESSONS[4])
    assert "지수적으로(exponentially)" in words and "속도도 느려서" not in words
    # 3: ten times larger x
    ratio = bound / hessian_bound(10 * X)
    assert number(page, "비율:") == pytest.approx(ratio, abs=0.05)
    assert "W 방향의 곡률은 100배" in page


def test_learning_rate_lines_match_a_plain_torch_loop(site):
    """Lesson 05's four learning rates, rerun here with optim.SGD on plain tensors (float32, as the page)."""
    page = text(site, LESSONS[4])
    x, y = torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([[2.0], [4.0], [6.0]])
    for lr in (0.001, 0.01, 0.1, 0.3):
        W, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD([W, b], lr=lr)
        for epoch in range(100 + 1):
            cost = torch.mean((x * W + b - y) ** 2)
            if not torch.isfinite(cost):
                assert f"lr={lr:<6} 에폭 {epoch}에서 발산" in page
                break
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()
        else:
            assert f"lr={lr:<6} W={W.item():.4f}, b={b.item():.4f}  비용 {cost.item():.6f}" in page


def test_explorer_text_names_the_bound_between_its_two_rates(site):
    bound = hessian_bound(X)
    assert 0.18 < bound < 0.185 and "발산 경계가 바로 이 두 학습률 사이에" in prose(site, LESSONS[4])
    _, _, costs, _ = descend(X, Y_BLOG, 0.185, 1000)
    assert not np.isfinite(costs[-1]) or costs[-1] > 1e30  # 0.185 diverges within 1000 epochs


# --- 06 ----------------------------------------------------------------------------------------

def test_full_implementation_exercises(site):
    page = text(site, LESSONS[5])
    W, b, _, _ = descend(X, Y_BLOG, 0.05, 1000)
    shown = re.search(r"lr = 0\.05: \|W - W\*\| = (\S+), \|b - b\*\| = (\S+)", page)
    assert float(shown.group(1)) == pytest.approx(abs(W - 2), rel=0.2)
    assert float(shown.group(2)) == pytest.approx(abs(b), rel=0.2)
    assert abs(W - 2) < 1e-5 and abs(b) < 1e-5  # "백만 분의 몇"
    _, _, costs, grads = descend(X, Y_BLOG, 0.01, 1000)
    for epoch in (0, 10, 100, 1000):
        gW, gb = grads[epoch]
        shown = re.search(rf"에폭 {epoch:4}: 그래디언트 \(\s*(\S+),\s*(\S+)\), 크기 (\S+)", page)
        assert [float(v) for v in shown.groups()] == pytest.approx([gW, gb, np.hypot(gW, gb)], abs=2e-4)
    first = next(e for e, c in enumerate(costs) if c < 0.001)
    assert f"에폭 {first}: 비용" in page


def test_full_implementation_shows_the_normal_equation_and_corrects_the_comment(site):
    page = text(site, LESSONS[5])
    # the closed form of the normal equation, in float64 here
    W_star = np.sum((X - X.mean()) * (Y_BLOG - Y_BLOG.mean())) / np.sum((X - X.mean()) ** 2)
    b_star = Y_BLOG.mean() - W_star * X.mean()
    assert (W_star, b_star) == pytest.approx(np.linalg.lstsq(np.stack([X, np.ones_like(X)], 1), Y_BLOG, rcond=None)[0])
    assert f"정규 방정식의 해 W*, b*:     W = {W_star:z.4f}, b = {b_star:z.4f}" in page
    W, b, costs, _ = descend(X, Y_BLOG, 0.01, 1000)
    trained = re.search(r"경사 하강법 \(1000 에폭\): W = (\S+), b = (\S+),", page)
    assert [float(v) for v in trained.groups()] == pytest.approx([W, b], abs=1e-4)
    assert soup(site, LESSONS[5]).select_one("article div.math") is not None  # the formula, as MathML
    assert "정규 방정식(normal equation)" in prose(site, LESSONS[5])
    # the lecture's own code stays verbatim; the note right after it corrects its backward() comment
    article = soup(site, LESSONS[5]).select_one("article")
    code = article.select_one(".highlight")
    assert "# 파라미터들의 grad 값에 변화도 저장(업데이트, 역전파)" in code.get_text()
    note = code.find_next_sibling("div")
    assert "admonition" in note["class"]
    words = " ".join(note.get_text().split())
    assert "변화도는 그래디언트" in words and "W와 b를 바꾸지 않고" in words and "optimizer.step()" in words


def test_full_implementation_table_is_the_posts_epoch_e_beside_linregs_epoch_e_minus_1(site):
    table = soup(site, LESSONS[5]).select("article table")[0]
    headers = [th.get_text() for th in table.select("th")]
    assert headers[0].endswith("(에폭 e)") and headers[1].endswith("(에폭 e − 1)")
    assert "강의 글의 에폭 e는 linreg의 에폭 e − 1과 같은 갱신입니다" in prose(site, LESSONS[5])
    line = r"Epoch +(\d+)/1000 W: (\S+), b: (\S+) Cost: (\S+)"
    rows = [[td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")]
    assert len(rows) == 10
    for post, ours, _ in rows:
        e, *shown = re.fullmatch(line, ours).groups()
        # the post's epoch e is its e-th update; linreg's epochs 0 .. e - 1 are the same e updates
        W, b, costs, _ = descend(X, Y_BLOG, 0.01, int(e) - 1)
        assert [float(v) for v in shown] == pytest.approx([W, b, costs[-1]], abs=6e-4)
        assert post == ours
    # the log below counts linreg's own epochs: its "Epoch  100/1000" line is one update further
    loop_section = text(site, LESSONS[5]).split("학습 반복문", 1)[1].split("최소 제곱 해와 비교", 1)[0]
    log_100 = re.findall(r"Epoch  100/1000 W: \S+, b: \S+ Cost: \S+", loop_section)
    assert len(log_100) == 1 and log_100[0] != rows[0][1]
    W, b, costs, _ = descend(X, Y_BLOG, 0.01, 100)
    shown = [float(v) for v in re.fullmatch(line, log_100[0]).groups()[1:]]
    assert shown == pytest.approx([W, b, costs[-1]], abs=6e-4)


def test_full_implementation_surface_starts_at_zero(site):
    alt = soup(site, LESSONS[5]).select("figure.linreg-figure img")[2]["alt"]
    assert "(0, 0)에서 출발한" in alt


# --- 07 ----------------------------------------------------------------------------------------

def test_nn_module_zero_start_is_identical_and_random_start_explained(site):
    page = text(site, LESSONS[6])
    gap = _plain_torch_gap()  # the claim, checked here without linreg: the same training, to float32 rounding
    assert gap < 1e-6 and f"최대 차이: {gap:.1e} ✔ 같은 학습" in page
    assert f"에폭 0부터 1000까지 {len(range(1000 + 1))}번의 갱신에서" in page
    torch.manual_seed(1)
    linear = torch.nn.Linear(1, 1)
    start = (linear.weight.item(), linear.bias.item())
    W_zero, b_zero, _, _ = descend(X, Y_BLOG, 0.01, 1000)
    W_rand, b_rand, _, _ = descend(X, Y_BLOG, 0.01, 1000, *start)
    d_zero, d_rand = np.hypot(W_zero - 2, b_zero), np.hypot(W_rand - 2, b_rand)
    assert d_rand < d_zero
    assert number(page, "0에서 출발: (0.000, 0.000) -> (") == pytest.approx(W_zero, abs=1e-4)
    assert number(page, f"({start[0]:.3f}, {start[1]:.3f}) -> ({W_rand:.4f}, {b_rand:.4f}), 정답까지 거리") == \
        pytest.approx(d_rand, abs=1e-4)
    figures = soup(site, LESSONS[6]).select("figure.linreg-figure")
    assert len(figures) == 1 and f"({start[0]:.3f}, {start[1]:.3f})에서 출발한 경로" in figures[0].find("img")["alt"]


def _plain_torch_gap(epochs: int = 1000) -> float:
    """nn.Linear + F.mse_loss from zero against W, b tensors + torch.mean, both with optim.SGD:
    the largest difference of W or b after any epoch."""
    x, y = torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([[2.0], [4.0], [6.0]])
    linear = torch.nn.Linear(1, 1)
    with torch.no_grad():
        linear.weight.zero_()
        linear.bias.zero_()
    W, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    gap = 0.0
    opt_module, opt_plain = torch.optim.SGD(linear.parameters(), lr=0.01), torch.optim.SGD([W, b], lr=0.01)
    for _ in range(epochs + 1):
        for opt, cost in ((opt_module, lambda: torch.nn.functional.mse_loss(linear(x), y)),
                          (opt_plain, lambda: torch.mean((x * W + b - y) ** 2))):
            opt.zero_grad()
            cost().backward()
            opt.step()
        gap = max(gap, abs(linear.weight.item() - W.item()), abs(linear.bias.item() - b.item()))
    return gap


def test_nn_module_exercises(site):
    page = text(site, LESSONS[6])
    assert "nn.Linear(1, 1): 파라미터 2개" in page and "nn.Linear(3, 1): 파라미터 4개" in page  # 1 + 1, 3 + 1
    # the notebook's untrained model: predictions and F.mse_loss, as printed in the notebook
    reference = (ROOT / "linreg" / "resources" / "lab02-original-outputs.md").read_text()
    assert "[[0.0739], [0.5891], [1.1044]]" in reference and "`2.1471`" in reference
    assert "학습 전 예측: [0.0739, 0.5891, 1.1044]  비용: 2.1471" in page
    # exercise 3: the first model trained instead, by numpy from its initial W, b
    torch.manual_seed(1)
    linear = torch.nn.Linear(1, 1)
    W0, b0 = linear.weight.item(), linear.bias.item()
    for epochs in (0, 500, 1000):
        W, b, costs, _ = descend(X, Y_LAB, 0.01, epochs, W0, b0)
        assert f"Epoch {epochs:4d}/1000 W: {W:.3f}, b: {b:.3f} Cost: {costs[-1]:.6f}"[:40] in page


# --- 08 ----------------------------------------------------------------------------------------

def test_mini_batch_prose_about_the_last_epochs(site):
    from linreg import synthetic  # the data itself; the runs are a plain torch DataLoader loop
    from test_batches import normal_equations, plain_minibatch

    train = synthetic().train
    x, y = train.x, train.y
    W_ls, b_ls = normal_equations(x, y)
    floor = float(np.mean((W_ls * x.double().numpy().ravel() + b_ls - y.double().numpy().ravel()) ** 2))
    runs = {size: plain_minibatch(x, y, size, 0.01, 30, 0)[2] for size in (1, 4, len(x))}
    full = runs[len(x)]
    # "30 에폭 뒤에도 아직 가장 낮은 비용보다 눈에 띄게 위에": the full batch's cost at epoch 30
    assert full[30] > 1.2 * floor and "30 에폭 뒤에도 아직 가장 낮은 비용보다 눈에 띄게 위에" in prose(site, LESSONS[7])
    # the full batch's last ten epochs span more than batch size 4's, only because it is still coming down
    width = {size: max(c[21:]) - min(c[21:]) for size, c in runs.items()}
    assert width[len(x)] > width[4] and all(b < a for a, b in zip(full, full[1:]))
    assert "마지막 10 에폭의 범위가 배치 크기 4보다 넓은 것은" in prose(site, LESSONS[7])
    # the rises are counted over epochs 1 .. 30, and the printed line says so
    page = text(site, LESSONS[7])
    for size, costs in runs.items():
        rises = sum(b > a for a, b in zip(costs, costs[1:]))
        assert len(costs[1:]) == 30
        assert re.search(rf"배치 크기 +{size}: 에폭 21~30의 비용 .*커진 에폭 +{rises}번\(에폭 1~30에서\)", page)


# --- numbers written in the prose ----------------------------------------------------------------

def test_numbers_in_the_prose_are_true(site):
    # 04: the initial cost and the two equal costs by hand
    page = prose(site, LESSONS[3])
    assert f"(1 + 4 + 9) / 3 = 14/3 ≈ {14 / 3:.4f}" in page and f"56/3 ≈ {56 / 3:.4f}" in page
    # 07: the two models' starts, drawn here from the same seed, printed by the exercise
    torch.manual_seed(1)
    linear = torch.nn.Linear(1, 1)
    W0, b0 = linear.weight.item(), linear.bias.item()
    W_first, b_first, _, _ = descend(X, Y_LAB, 0.01, 1000, W0, b0)
    torch.manual_seed(1)
    torch.nn.Linear(1, 1)
    second = torch.nn.Linear(1, 1)
    assert (f"출발점: 첫 번째 모델 (W, b) = ({W0:.3f}, {b0:.3f}), "
            f"두 번째 모델 ({second.weight.item():.3f}, {second.bias.item():.3f})") in text(site, LESSONS[6])
    W_second, b_second, _, _ = descend(X, Y_LAB, 0.01, 1000, second.weight.item(), second.bias.item())
    assert np.hypot(W0 - 1, b0) < np.hypot(second.weight.item() - 1, second.bias.item())  # starts closer
    assert np.hypot(W_first - 1, b_first) < np.hypot(W_second - 1, b_second)  # and ends closer


def test_data_definition_counts_the_split(site):
    page = text(site, LESSONS[1])
    size, test_fraction = 100, 0.2
    assert f"학습 데이터: {size - round(size * test_fraction)}개" in page
    assert f"테스트 데이터: {round(size * test_fraction)}개" in page
