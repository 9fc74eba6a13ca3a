"""One build date from the sources (the newest post), so two builds of a commit are identical."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from email.utils import formatdate

import yaml

from sitebuild import ROOT

_spec = importlib.util.spec_from_file_location("build_date", ROOT / "overrides" / "hooks" / "build_date.py")
build_date = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_date)


def test_the_build_date_is_the_newest_posts_date():
    posts = ROOT / "docs" / "blog" / "posts"
    dates = [yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1])["date"] for p in posts.glob("*.md")]
    days = [d.date() if isinstance(d, dt.datetime) else d for d in dates]  # a post may give its time of day
    assert build_date.newest_post(posts).date() == max(days)


def test_a_new_post_moves_the_date_of_the_next_build_in_the_same_process(tmp_path, monkeypatch):
    """`mkdocs serve` builds again in one process: the date is the newest post's at every build."""
    posts = tmp_path / "docs" / "blog" / "posts"
    posts.mkdir(parents=True)
    (posts / "one.md").write_text("---\ndate: 2026-01-02\n---\n# One\n")
    monkeypatch.setattr(build_date, "_GIVEN", None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # so that monkeypatch restores the variable as it was, whatever
    monkeypatch.delenv("SOURCE_DATE_EPOCH")  # on_config sets: no other test's build may see this test's date
    config = {"docs_dir": str(tmp_path / "docs")}
    seoul = dt.timezone(dt.timedelta(hours=9))
    build_date.on_config(config)
    assert int(os.environ["SOURCE_DATE_EPOCH"]) == int(dt.datetime(2026, 1, 2, tzinfo=seoul).timestamp())
    (posts / "two.md").write_text("---\ndate: 2026-03-04\n---\n# Two\n")
    build_date.on_config(config)
    assert int(os.environ["SOURCE_DATE_EPOCH"]) == int(dt.datetime(2026, 3, 4, tzinfo=seoul).timestamp())
    monkeypatch.setattr(build_date, "_GIVEN", "315532800")  # set by the user: never touched
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "315532800")
    build_date.on_config(config)
    assert os.environ["SOURCE_DATE_EPOCH"] == "315532800"


def test_the_feed_carries_that_date_not_the_clock(site, monkeypatch):
    newest = build_date.newest_post(ROOT / "docs" / "blog" / "posts")
    feed = (site.site / "feed_rss_created.xml").read_text(encoding="utf-8")
    assert f"<lastBuildDate>{formatdate(newest.timestamp())}</lastBuildDate>" in feed
    assert dt.date.today().strftime("%d %b %Y") not in feed.split("<item>")[0] or newest.date() == dt.date.today()
