"""The private touchpoints' table: an installed version outside its verified range stops the build in one line."""

from __future__ import annotations

from importlib import metadata

import pytest

from pageexec import compat


def test_the_installed_versions_are_the_verified_ones():
    def installed(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    checked = {point.package for point in compat.TABLE if installed(point.package)}
    assert {"mkdocs", "pymdown-extensions", "markdown-exec"} <= checked  # the engine's own: never skipped
    compat.check()  # the pinned environment passes


def test_a_version_outside_the_range_is_one_line_naming_package_version_and_range():
    table = [compat.Touchpoint("mkdocs-jupyter", "reads notebooks from abs_src_path", ">=0.26.3,<0.27")]
    with pytest.raises(compat.IncompatibleVersion) as raised:
        compat.check(table, installed=lambda name: "0.25.0")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("mkdocs-jupyter 0.25.0 is installed, but the site is verified with mkdocs-jupyter>=0.26.3,<0.27")


def test_a_package_that_is_not_installed_is_not_checked():
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    compat.check([compat.Touchpoint("nope", "x", ">=1")], installed=missing)


def test_every_touchpoint_names_a_real_range():
    from packaging.specifiers import SpecifierSet

    for point in compat.TABLE:
        assert SpecifierSet(point.verified) and point.what


def test_the_plugin_checks_at_start_up(tmp_path, monkeypatch):
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    from neutral import neutral_site

    config = load_config(str(neutral_site(tmp_path, {"index.md": "# Home\n"})))
    monkeypatch.setattr(compat, "TABLE", [compat.Touchpoint("mkdocs", "a behaviour of MkDocs 0.x", "<1")])
    with pytest.raises(PluginError, match=r"^mkdocs 1\.6\.\d+ is installed, but the site is verified with mkdocs<1 "):
        config.plugins.on_config(config)
