"""The built site: every executed output on a lesson page equals what linreg computes here."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
from bs4 import BeautifulSoup

from linreg import (
    blog_data, compare_learning_rates, definition_data, lab_data, train_lecture, train_module,
)
from sitebuild import LESSONS, ROOT, build

pytestmark = pytest.mark.site


def text(site, path: str) -> str:
    return BeautifulSoup(site.page(path), "html.parser").select_one("article").get_text()


def test_every_page_is_built_with_its_own_description_in_korean(site):
    descriptions = set()
    for path in ["", *LESSONS]:
        soup = BeautifulSoup(site.page(path), "html.parser")
        assert soup.html["lang"] == "ko"
        descriptions.add(soup.find("meta", attrs={"name": "description"})["content"])
        article = soup.select_one("article").get_text()
        if path:
            assert "요약" in article and "연습 문제" in article, path
    assert len(descriptions) == 1 + len(LESSONS)


def test_no_raw_jekyll_markup_or_execution_errors(site):
    for path in ["", *LESSONS]:
        html = site.page(path)
        for raw in ("{: .prompt", "{% include", "Traceback", "exited with errors", "```"):
            assert raw not in html, (path, raw)


def test_korean_headings_get_readable_anchors(site):
    soup = BeautifulSoup(site.page("lessons/05-gradient-descent"), "html.parser")
    ids = {h.get("id") for h in soup.select("article h2")}
    assert "학습률" in ids and "요약" in ids and "연습-문제" in ids
    assert not any(re.fullmatch(r"_\d+", i or "") for i in ids)


def test_math_is_rendered_to_mathml_at_build_time(site):
    for path in ["lessons/04-cost-function", "lessons/05-gradient-descent"]:
        soup = BeautifulSoup(site.page(path), "html.parser")
        assert soup.find_all("math"), path
        assert "\\frac" not in soup.select_one("article").get_text(), path
        assert not soup.select(".arithmatex"), path


def test_linear_regression_page_costs(site):
    page, data = text(site, LESSONS[0]), blog_data()
    for W, b in [(1, 0), (2, 0), (1.5, 1)]:
        cost = ((data.x * W + b - data.y) ** 2).mean().item()
        assert f"비용 {cost:.4f}" in page


def test_data_definition_page_shapes_and_table(site):
    page = text(site, LESSONS[1])
    assert "x_train.shape: torch.Size([3, 1])" in page
    soup = BeautifulSoup(site.page(LESSONS[1]), "html.parser")
    rows = {tr.find("td").get_text(): [td.get_text() for td in tr.find_all("td")] for tr in soup.select("article table tbody tr")}
    for data in (definition_data(), blog_data(), lab_data()):
        x, y = data.x.double().flatten().numpy(), data.y.double().flatten().numpy()
        W, b = np.polyfit(x, y, 1)
        assert rows[data.name][3] == str(data.y.flatten().tolist())
        assert rows[data.name][-2:] == [f"{W:z.3f}", f"{b:z.3f}"]


def test_hypothesis_page_initial_prediction(site):
    page = text(site, LESSONS[2])
    assert "예측: [0.0, 0.0, 0.0]" in page and "grad_fn: AddBackward0" in page


def test_cost_page_initial_cost(site):
    page = text(site, LESSONS[3])
    assert f"초기 비용: {56 / 3:.4f}" in page


def test_gradient_descent_page(site):
    page, data = text(site, LESSONS[4]), blog_data()
    # the gradient at W = b = 0 by the hand formula: 2/m sum((0 - y) x), 2/m sum(0 - y)
    dW = 2 / 3 * sum(-y * x for x, y in [(1, 2), (2, 4), (3, 6)])
    db = 2 / 3 * sum(-y for y in [2, 4, 6])
    assert page.count(f"dCost/dW = {dW:.4f}, dCost/db = {db:.4f}") == 2
    W1, b1 = -0.01 * dW, -0.01 * db
    assert f"한 걸음 뒤: W = {W1:.4f}, b = {b1:.4f}" in page
    runs = compare_learning_rates(data.x, data.y, [0.001, 0.01, 0.1, 0.3], nb_epochs=100)
    assert [r.diverged for r in runs] == [False, False, False, True]
    assert f"에폭 {runs[-1].diverged_at}에서 발산" in page
    assert f"비용 {runs[2].final()[2]:.6f}" in page
    X = np.array([[1, 1], [2, 1], [3, 1]], dtype=float)
    lam = np.linalg.eigvalsh(2 / 3 * X.T @ X).max()
    assert f"발산 경계: lr > {2 / lam:.4f}" in page
    assert len(BeautifulSoup(site.page(LESSONS[4]), "html.parser").select("figure.linreg-figure")) == 1


def test_full_implementation_page_log_and_answer(site):
    page, data = text(site, LESSONS[5]), blog_data()
    history = train_lecture(data.x, data.y, lr=0.01, nb_epochs=1000, log_every=None)
    for line in history.log(100):
        assert line in page
    W, b, cost = history.final()
    assert f"W = {W:.4f}, b = {b:.4f}, 비용 = {cost:.6f}" in page
    W_ls, b_ls = np.polyfit(data.x.double().flatten().numpy(), data.y.double().flatten().numpy(), 1)
    assert f"W = {W_ls:z.4f}, b = {b_ls:z.4f}" in page  # the closed-form answer, computed here


def test_original_lab_comparisons_show_a_match(site, logs):
    for path, model, marks in [(LESSONS[5], "lecture", 10 + 11), (LESSONS[6], "module", 11)]:
        page = text(site, path)
        assert "11줄 중 11줄 일치 ✔" in page, path
        assert page.count("✔ 일치") == marks and "✘" not in page, path
        for line in logs[model]:
            assert line in page


def test_lecture_code_runs_verbatim_and_logs_as_train_lecture(site):
    """The lecture's own code comes first, then its log beside train_lecture's, all lines matching."""
    soup = BeautifulSoup(site.page(LESSONS[5]), "html.parser")
    first = soup.select_one("article .highlight")
    assert "강의 글의 코드" in first.get_text() and "import torch" in first.get_text() and "linreg" not in first.get_text()
    page = text(site, LESSONS[5])
    assert page.index("10줄 중 10줄 일치 ✔") < page.index("linreg/train.py")  # the package's loop comes second
    data = blog_data()
    history = train_lecture(data.x, data.y, lr=0.01, nb_epochs=999)
    table = soup.select("article table")[0].get_text()
    for e in range(100, 1001, 100):
        line = f"Epoch {e:4d}/1000 W: {history.W[e - 1]:.3f}, b: {history.b[e - 1]:.3f} Cost: {history.cost[e - 1]:.6f}"
        assert table.count(line) == 2  # the lecture's column and linreg's


def test_nn_module_page(site):
    page, data = text(site, LESSONS[6]), blog_data()
    torch.manual_seed(1)
    from linreg import LinearRegressionModel

    model = LinearRegressionModel()
    history = train_module(data.x, data.y, lr=0.01, nb_epochs=1000, model=model)
    for line in history.log(100):
        assert line in page
    assert "최대 차이: " in page


def test_figures_have_alt_text_and_captions(site):
    counts = {}
    for path in LESSONS:
        soup = BeautifulSoup(site.page(path), "html.parser")
        figures = soup.select("figure.linreg-figure")
        counts[path] = len(figures)
        for figure in figures:
            image = figure.find("img")
            assert len(image["alt"]) > 20 and int(image["width"]) > 300 and int(image["height"]) > 200
            assert (site.site / path / image["src"]).read_text().startswith("<svg")
            assert figure.find("figcaption").get_text().startswith("그림")
    assert counts[LESSONS[5]] == 3 and counts[LESSONS[0]] == 1 and counts[LESSONS[3]] == 1


def test_video_embed_loads_nothing_before_a_click(site):
    soup = BeautifulSoup(site.page(""), "html.parser")
    box = soup.select_one(".video-embed")
    assert box["data-youtube-id"] == "kyjBMuNM1DI"
    assert not soup.find("iframe")


def test_package_code_on_pages_is_included_from_the_source(site):
    source = (ROOT / "linreg" / "cost.py").read_text()
    section = source.split("# --8<-- [start:mse]\n")[1].split("# --8<-- [end:mse]")[0]
    page = text(site, LESSONS[3])
    for line in section.strip().splitlines():
        assert line.strip() in page


def test_fresh_build_executed_every_lesson(site):
    # the notebook page is the full-implementation page's download, not run a second time
    assert sorted(site.report["executed"]) == sorted(f"{lesson}.md" for lesson in LESSONS)
    assert site.report["cached"] == []


def test_warm_rebuild_runs_nothing_and_is_byte_identical(site, cache_dir, tmp_path):
    again = build(tmp_path / "again", env={"EXEC_CACHE_DIR": str(cache_dir)})
    assert again.returncode == 0, again.log
    assert again.report["executed"] == [] and not again.report["torch_imported"]
    assert sorted(again.report["cached"]) == sorted(site.report["executed"])
    # not converted again: the lessons' Markdown, and the notebook page's nbconvert run
    assert sorted(again.report["rendered_from_cache"]) == sorted([*site.report["executed"], f"{NOTEBOOK}.ipynb"])
    # every file, feeds and sitemap included: the build's date comes from the newest post, not the clock
    def files(folder):
        return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())

    assert files(site.site) == files(again.site)
    for relative in files(site.site):
        assert (again.site / relative).read_bytes() == (site.site / relative).read_bytes(), relative


NOTEBOOK = "notebooks/lab02-full-implementation"


def _repo_url() -> str:
    return re.search(r"^repo_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(), re.M).group(1).rstrip("/")


def test_notebook_page_shows_outputs_computed_in_the_build(site):
    """The notebook page is the full-implementation page's download, with that page's outputs."""
    page, data = text(site, NOTEBOOK), blog_data()
    history = train_lecture(data.x, data.y, lr=0.01, nb_epochs=1000)
    for line in history.log(100):
        assert line in page
    W, b, cost = history.final()
    assert f"경사 하강법 ({len(history) - 1} 에폭): W = {W:.4f}, b = {b:.4f}, 비용 = {cost:.6f}" in page
    soup = BeautifulSoup(site.page(NOTEBOOK), "html.parser")
    assert soup.select("figure.linreg-figure img[alt]")
    assert "Traceback" not in page


def test_notebook_page_offers_download_and_colab(site):
    soup = BeautifulSoup(site.page(NOTEBOOK), "html.parser")
    download = soup.find("a", attrs={"download": True})
    offered = (site.site / NOTEBOOK / download["href"]).resolve()
    assert offered == (site.site / "downloads" / "lessons" / "06-full-implementation.ipynb").resolve()
    colab = soup.find("a", string=re.compile("Colab"))
    repository = _repo_url().removeprefix("https://github.com/")
    assert colab["href"] == f"https://colab.research.google.com/github/{repository}/blob/downloads/lessons/06-full-implementation.ipynb"
    # the notebook's first code cell installs the wheel of linreg that the site publishes
    cells = json.loads(offered.read_text())["cells"]
    install = "".join(cells[1]["source"])
    assert install.startswith("%pip install -q ") and install.endswith("/downloads/linreg-0.1.0-py3-none-any.whl")
    assert (site.site / "downloads" / "linreg-0.1.0-py3-none-any.whl").is_file()


def test_notebook_page_links_and_anchors(site):
    html = site.page(NOTEBOOK)
    soup = BeautifulSoup(html, "html.parser")
    assert 'src=""' not in html and "MathJax" not in html
    link = soup.select_one("article a[href$='/lessons/06-full-implementation/']")  # the intro links the page it comes from
    assert link["href"].endswith("/lessons/06-full-implementation/") and "전체 구현" in link.get_text()
    ids = [h.get("id") for h in soup.select("article h2")]
    assert "강의-글의-코드-그대로" in ids and "" not in ids


def test_blog_post_is_dated_categorised_and_tagged_with_ascii_urls(site):
    post = site.site / "blog/2024/10/03/lab02-linear-regression/index.html"
    soup = BeautifulSoup(post.read_text(), "html.parser")
    assert soup.find("time", attrs={"datetime": re.compile("^2024-10-03")})
    categories = {a.get_text(): a["href"] for a in soup.select("a[href*='category/']")}
    assert set(categories) >= {"Study", "모두를 위한 딥러닝 시즌2"}
    for relative in site.site.rglob("*"):
        assert str(relative.relative_to(site.site)).isascii(), relative
    tags = BeautifulSoup(site.page("tags"), "html.parser").select_one("article").get_text()
    assert "pytorch" in tags and "모두를 위한 딥러닝 시즌2" in tags
    for link in BeautifulSoup(site.page("blog"), "html.parser").select("article a[href]"):
        assert (site.site / "blog" / link["href"].split("#")[0]).resolve().exists(), link["href"]


def test_blog_index_archive_and_feed_list_both_posts(site):
    index = BeautifulSoup(site.page("blog"), "html.parser").select_one(".md-content").get_text()
    assert "강의 사이트를 열었습니다" in index and "모두를 위한 딥러닝 시즌2-2: 선형 회귀" in index
    feed = (site.site / "feed_rss_created.xml").read_text()
    assert feed.count("<item>") == 2 and "lab02-linear-regression" in feed


def test_contributing_page_is_the_included_file(site):
    page = text(site, "contributing")
    for heading in re.findall(r"^## (.+)$", (ROOT / "CONTRIBUTING.md").read_text(), re.M):
        assert heading in page


@pytest.mark.parametrize("path", ["", *LESSONS, NOTEBOOK])
def test_page_weight_is_at_most_250_kb(site, path):
    """A page's own bytes: its HTML and the files only it loads (its figures)."""
    folder = site.site / path
    own = [p for p in folder.iterdir() if p.is_file() and p.suffix != ".ipynb"]  # the download is not loaded
    weight = sum(p.stat().st_size for p in own)
    assert weight <= 250_000, {p.name: p.stat().st_size for p in own}
    soup = BeautifulSoup((folder / "index.html").read_text(), "html.parser")
    for image in soup.select("figure.linreg-figure img"):
        assert image.get("width") and image.get("height")  # sized: nothing shifts while it loads


@pytest.mark.parametrize("path", ["", *LESSONS, NOTEBOOK])
def test_no_script_blocks_the_first_paint(site, path):
    """Scripts from files are deferred (the theme's bundle too): the text paints once CSS arrives."""
    soup = BeautifulSoup(site.page(path), "html.parser")
    scripts = soup.select("script[src]")
    assert any("bundle" in s["src"] for s in scripts)
    assert [s["src"] for s in scripts if not (s.has_attr("defer") or s.has_attr("async"))] == []


def test_the_search_index_carries_no_printed_result(site):
    index = json.loads((site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    indexed = " ".join(doc["text"] for doc in index["docs"])
    results = [pre.get_text().strip() for page in LESSONS + [NOTEBOOK]
               for pre in BeautifulSoup(site.page(page), "html.parser").select(".pageexec-result pre, .jp-OutputArea-output pre")]
    assert len(results) >= 10
    for result in results:
        for line in result.splitlines():
            if len(line) > 20:  # a printed line of some length: no sentence of the prose would contain it
                assert line not in indexed, line


def test_every_page_with_executed_code_says_what_produced_its_outputs(site):
    import platform
    import subprocess
    from importlib import metadata

    commit = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    for page in LESSONS + [NOTEBOOK]:  # the notebook page: its lesson's note (its outputs are the lesson's)
        note = BeautifulSoup(site.page(page), "html.parser").select_one("article .pageexec-provenance")
        assert note is not None, page
        text = note.get_text(" ", strip=True)
        assert f"Python {platform.python_version()}" in text
        assert f"torch {metadata.version('torch')}" in text and f"linreg {metadata.version('linreg')}" in text
        assert re.search(r"커밋 (\w{10})", text).group(1) == commit
        assert not re.search(r"\d초", text)  # no run time: two builds of one commit give the same page
    assert all(0 < seconds < 300 for seconds in site.report["seconds"].values())  # it is in the build report
    assert sorted(site.report["seconds"]) == sorted(f"{page}.md" for page in LESSONS)
