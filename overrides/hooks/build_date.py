"""Reproducible builds: one date for the whole build, from the sources, never the clock.

MkDocs, its sitemap and the RSS plugin date the build with ``SOURCE_DATE_EPOCH`` when it is
set (the reproducible-builds convention) and with the current time otherwise, so two builds
of one commit differed in their feeds and sitemap. When the variable is not set, this hook
sets it to the newest blog post's date (midnight, Asia/Seoul), so the site changes its date
only when its content does.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from mkdocs.plugins import event_priority

_DATE = re.compile(r"^date:\s*(?:\n\s+created:\s*)?['\"]?(\d{4}-\d{2}-\d{2})", re.M)
SEOUL = dt.timezone(dt.timedelta(hours=9))


def newest_post(posts: Path) -> dt.datetime | None:
    """The newest ``date:`` in the front matter of the posts under ``posts``."""
    dates = []
    for post in sorted(posts.rglob("*.md")):
        front = post.read_text(encoding="utf-8").split("\n---", 1)[0]
        match = _DATE.search(front)
        if match:
            dates.append(dt.datetime.fromisoformat(match.group(1)).replace(tzinfo=SEOUL))
    return max(dates, default=None)


_GIVEN = os.environ.get("SOURCE_DATE_EPOCH")  # set by the user (or CI) before MkDocs started


@event_priority(100)  # before the RSS plugin, which reads the build date in its own on_config
def on_config(config, **kwargs):
    if _GIVEN is None:  # ours to set, again for every build: under `mkdocs serve` a new post moves the date
        newest = newest_post(Path(config["docs_dir"]) / "blog" / "posts")
        if newest is not None:
            os.environ["SOURCE_DATE_EPOCH"] = str(int(newest.timestamp()))
        else:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
    return config
