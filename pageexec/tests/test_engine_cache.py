"""Cache entries: atomic, checked on read, bound to their key, pruned; unusable folders warned about."""

from __future__ import annotations

import errno
import json
import logging
import os

import pytest

from pageexec.cache import Cache, digest

MATERIAL = {"name": "docs/a.md", "blocks": [["python exec=\"1\"", "print(1)"]], "context": "fp"}
OTHER = {"name": "docs/b.md", "blocks": [["python exec=\"1\"", "print(2)"]], "context": "fp"}


def entry(cache: Cache, material) -> "os.PathLike":
    return cache.folder / f"page-{digest(material)}.json"


def test_a_saved_payload_is_read_back(tmp_path):
    cache = Cache(tmp_path)
    cache.save("page", MATERIAL, ["1\n"])
    assert Cache(tmp_path).load("page", MATERIAL) == ["1\n"]
    assert Cache(tmp_path).load("page", {**MATERIAL, "context": "other"}) is None
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "tamper", "tamper-and-rechecksum"])
def test_a_damaged_entry_is_refused_and_deleted(tmp_path, damage):
    cache = Cache(tmp_path)
    cache.save("page", MATERIAL, ["1\n"])
    path = entry(cache, MATERIAL)
    text = path.read_text()
    if damage == "truncate":
        path.write_text(text[: len(text) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00not json")
    else:
        data = json.loads(text)
        data["payload"] = ["999\n"]
        if damage == "tamper-and-rechecksum":  # a forger who knows the checksum still cannot change the material
            data["material"]["blocks"][0][1] = "print(999)"
            data["checksum"] = digest({k: data[k] for k in ("version", "kind", "key", "material", "payload")})
        path.write_text(json.dumps(data))
    fresh = Cache(tmp_path)
    assert fresh.load("page", MATERIAL) is None
    assert not path.exists() and fresh.refused == [path.name]


def test_an_entry_copied_over_another_key_is_refused(tmp_path):
    cache = Cache(tmp_path)
    cache.save("page", MATERIAL, ["1\n"])
    cache.save("page", OTHER, ["2\n"])
    entry(cache, OTHER).write_bytes(entry(cache, MATERIAL).read_bytes())  # b's key now holds a's entry
    assert Cache(tmp_path).load("page", OTHER) is None
    assert Cache(tmp_path).load("page", MATERIAL) == ["1\n"]


def test_refresh_writes_but_never_reads_and_off_does_neither(tmp_path):
    Cache(tmp_path).save("page", MATERIAL, ["old\n"])
    refresh = Cache(tmp_path, "refresh")
    assert refresh.load("page", MATERIAL) is None
    refresh.save("page", MATERIAL, ["new\n"])
    assert Cache(tmp_path).load("page", MATERIAL) == ["new\n"]
    off = Cache(tmp_path / "off", "off")
    off.save("page", MATERIAL, ["x"])
    assert not (tmp_path / "off").exists()
    with pytest.raises(ValueError, match="cache mode must be on, keep, refresh or off, got 'sometimes'"):
        Cache(tmp_path, "sometimes")


def test_prune_removes_what_the_build_did_not_use_of_its_own_kinds(tmp_path):
    first = Cache(tmp_path)
    first.save("page", MATERIAL, ["1\n"])
    first.save("page", OTHER, ["2\n"])
    first.save("css", OTHER, "x")
    (tmp_path / "notes.txt").write_text("not ours")
    _age(tmp_path)
    second = Cache(tmp_path)
    assert second.load("page", MATERIAL) == ["1\n"]
    assert second.prune({"page"}) == [entry(second, OTHER).name]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("lease-")) == sorted(
        [entry(second, MATERIAL).name, f"css-{digest(OTHER)}.json", "notes.txt"])


def _age(folder, seconds=60):
    for path in folder.iterdir():
        os.utime(path, (path.stat().st_atime - seconds, path.stat().st_mtime - seconds))


def test_two_builds_sharing_a_folder_never_prune_each_others_live_entries(tmp_path):
    """`mkdocs serve` (another process, alive) holds its entries; a build that started later keeps them."""
    import subprocess
    import sys

    Cache(tmp_path).save("page", OTHER, ["2\n"])
    _age(tmp_path)
    (tmp_path / f"lease-{os.getpid()}.txt").unlink()
    serve = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / f"lease-{serve.pid}.txt").write_text(entry(Cache(tmp_path), OTHER).name)
        (tmp_path / "lease-999999999.txt").write_text("anything")  # a process that is gone
        build = Cache(tmp_path)
        build.save("page", MATERIAL, ["1\n"])
        assert build.prune({"page"}) == []  # the other build's entry is held by its lease
        assert not (tmp_path / "lease-999999999.txt").exists()
    finally:
        serve.kill()
        serve.wait()
    assert Cache(tmp_path).prune({"page"}) == [entry(build, OTHER).name]  # once it is gone, its old entry goes


def test_an_entry_written_after_a_build_started_is_not_pruned_by_it(tmp_path):
    build = Cache(tmp_path)
    other = Cache(tmp_path)
    other.save("page", OTHER, ["2\n"])  # a racing build's fresh entry, not yet in any lease it could write
    (tmp_path / f"lease-{os.getpid()}.txt").unlink()
    assert build.prune({"page"}) == []


@pytest.mark.parametrize("place", ["read-only", "dev-null", "full-disk"])
def test_an_unwritable_folder_gives_one_warning_and_no_error(tmp_path, place, caplog, monkeypatch):
    folder = tmp_path / "cache"
    if place == "read-only":
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        folder.mkdir()
        folder.chmod(0o500)
    elif place == "dev-null":
        folder = "/dev/null/cache"
    else:
        def full(fd, *args, **kwargs):
            os.close(fd)
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr("pageexec.cache.os.fdopen", full)
    cache = Cache(folder)
    logger = logging.getLogger("pageexec")
    logger.addHandler(caplog.handler)
    try:
        cache.save("page", MATERIAL, ["1\n"])
        cache.save("page", OTHER, ["2\n"])
    finally:
        logger.removeHandler(caplog.handler)
    warnings = [r for r in caplog.records if r.name == "pageexec"]
    assert len(warnings) == 1 and "building without the cache" in warnings[0].getMessage()
    assert not cache.usable and cache.load("page", MATERIAL) is None
    if place == "full-disk":
        assert list(folder.iterdir()) == []  # no half-written entry, no temporary file
