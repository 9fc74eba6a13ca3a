"""One build date from the sources (the newest post), so two builds of a commit are identical."""

from __future__ import annotations

import datetime as dt
import importlib.util
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


def test_the_feed_carries_that_date_not_the_clock(site, monkeypatch):
    newest = build_date.newest_post(ROOT / "docs" / "blog" / "posts")
    feed = (site.site / "feed_rss_created.xml").read_text(encoding="utf-8")
    assert f"<lastBuildDate>{formatdate(newest.timestamp())}</lastBuildDate>" in feed
    assert dt.date.today().strftime("%d %b %Y") not in feed.split("<item>")[0] or newest.date() == dt.date.today()
