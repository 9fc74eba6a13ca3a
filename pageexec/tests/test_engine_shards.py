"""Execution split across machines (shards.py, EXEC_SHARD): a disjoint, deterministic, balanced
split; shard caches merged by copying give a build that runs nothing and the same pages."""

from __future__ import annotations

import shutil

import pytest

from neutral import build, neutral_site
from pageexec import shards


def test_a_shard_is_written_i_of_n():
    assert shards.parse("2/4") == shards.Shard(2, 4) and str(shards.parse(" 1 / 1 ", "gpu")) == "1/1 (gpu)"
    for bad in ("", "2", "0/2", "3/2", "a/b"):
        with pytest.raises(ValueError, match="shard"):
            shards.parse(bad)


def test_every_page_goes_to_exactly_one_shard_and_the_split_is_balanced():
    weights = {f"docs/p{i}.md": float(w) for i, w in enumerate([9, 1, 7, 3, 3, 5, 2, 8, 1, 4])}
    pages = {name: (w, "") for name, w in weights.items()}
    for count in (1, 2, 3, 4):
        split = [shards.assign(pages, shards.Shard(i, count)) for i in range(1, count + 1)]
        assert sorted(n for names in split for n in names) == sorted(weights)  # all, once
        longest = max(sum(weights[n] for n in names) for names in split)
        assert longest <= sum(weights.values()) / count + max(weights.values())  # LPT's bound
        assert longest == shards.critical_path(weights, count)
        assert split == [shards.assign(dict(reversed(pages.items())), shards.Shard(i, count)) for i in range(1, count + 1)]


def test_a_page_that_requires_a_label_goes_only_to_shards_serving_it():
    pages = {"docs/a.md": (1.0, ""), "docs/b.md": (1.0, ""), "docs/big.md": (9.0, "gpu")}
    assert shards.assign(pages, shards.Shard(1, 1, "gpu")) == ["docs/big.md"]
    plain = shards.assign(pages, shards.Shard(1, 2)) + shards.assign(pages, shards.Shard(2, 2))
    assert sorted(plain) == ["docs/a.md", "docs/b.md"]


PAGE = '# {name}\n\n```python exec="1" result="text"\nprint("{name}", sum(range({n})))\n```\n'


@pytest.fixture
def course(tmp_path):
    pages = {f"{name}.md": PAGE.format(name=name, n=n) for name, n in zip("abcd", (10, 2000, 30, 400))}
    pages["e.md"] = "---\nrequires: gpu\n---\n" + PAGE.format(name="e", n=5)
    pages["index.md"] = "# Home\n"
    return neutral_site(tmp_path, pages)


def run(config, cache, shard=None, label="", site="site"):
    env = {"EXEC_CACHE_DIR": "", "PAGEEXEC_CACHE_DIR": str(cache)}
    if shard:
        env.update(EXEC_SHARD=shard, EXEC_REQUIRES=label)
    result = build(config.parent / site, config, cwd=config.parent, env=env)
    assert result.returncode == 0, result.log
    return result


@pytest.mark.site
def test_two_shards_and_a_labelled_one_split_the_pages_and_merged_the_build_runs_nothing(course, tmp_path):
    folders = [tmp_path / f"shard-{i}" for i in (1, 2, 3)]
    ran = [run(course, folders[0], "1/2").report["executed"], run(course, folders[1], "2/2").report["executed"],
           run(course, folders[2], "1/1", "gpu").report["executed"]]
    assert ran[0] and ran[1] and not set(ran[0]) & set(ran[1])
    assert sorted(ran[0] + ran[1]) == ["a.md", "b.md", "c.md", "d.md"] and ran[2] == ["e.md"]
    merged = tmp_path / "merged" / "pageexec"
    merged.mkdir(parents=True)
    for folder in folders:  # merging is copying
        for entry in (folder / "pageexec").glob("*.json"):
            shutil.copy(entry, merged / entry.name)
    after = run(course, merged.parent, site="merged-site")
    assert after.report["executed"] == [] and sorted(after.report["cached"]) == ["a.md", "b.md", "c.md", "d.md", "e.md"]
    single = run(course, tmp_path / "single", site="single-site")  # one cold build, one machine
    for page in "abcde":
        assert after.page(page) == single.page(page)
    # a corrupt entry in a shard's folder is refused and its page computed again
    entry = next(p for p in merged.glob("page-*.json"))
    entry.write_text(entry.read_text().replace('"outputs"', '"outputz"', 1))
    again = run(course, merged.parent, site="again-site")
    assert len(again.report["executed"]) == 1 and again.report["refused"] == [entry.name]


@pytest.mark.site
def test_a_failing_page_fails_its_shard_by_name(tmp_path):
    config = neutral_site(tmp_path, {"index.md": "# Home\n", "ok.md": PAGE.format(name="ok", n=3),
                                     "bad.md": '# Bad\n\n```python exec="1"\nraise RuntimeError("boom")\n```\n'})
    results = [build(tmp_path / f"site-{i}", config, cwd=tmp_path,
                     env={"EXEC_SHARD": f"{i}/2", "PAGEEXEC_CACHE_DIR": str(tmp_path / f"c{i}")}) for i in (1, 2)]
    failed = [r for r in results if r.returncode != 0]
    assert len(failed) == 1 and "docs/bad.md:3 (executed block 1) raised an exception" in failed[0].log
    assert "RuntimeError: boom" in failed[0].log


@pytest.mark.site
def test_a_wrong_shard_is_one_line(tmp_path):
    config = neutral_site(tmp_path, {"index.md": "# Home\n"})
    result = build(tmp_path / "site", config, cwd=tmp_path, env={"EXEC_SHARD": "3/2"})
    assert result.returncode != 0 and "EXEC_SHARD: shard '3/2': i must be between 1 and n" in result.log
    assert "Traceback" not in result.log
