"""The build's promises at their edges, in-process: configuration mistakes named in one line,
a cache key that no import can move, a report written wherever it is asked for.

Each case failed on the landed main with a traceback or a silent wrong page (issue 19).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError

from pageexec import plugin as pageexec_plugin
from sitebuild import ROOT


def site(tmp_path: Path, plugins: list, hooks: list[str] = ()) -> Path:
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    config = {"site_name": "edges", "site_url": "https://example.org/", "plugins": plugins,
              "hooks": [str(ROOT / "overrides" / "hooks" / name) for name in hooks],
              "markdown_extensions": ["pymdownx.superfences"]}
    path = tmp_path / "mkdocs.yml"
    path.write_text(json.dumps(config))
    return path


def configure(path: Path):
    """Load the configuration and run every plugin's and hook's on_config, as a build starts."""
    config = load_config(config_file=str(path))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        return config.plugins.on_config(config)
    finally:
        if "pageexec" in config.plugins and config.plugins["pageexec"].state is not None:
            config.plugins["pageexec"].state.close()


def one_line(error: BaseException) -> str:
    message = str(error)
    assert "\n" not in message, message
    return message


def test_a_file_where_the_feed_plugin_keeps_its_cache_is_named_in_one_line(tmp_path):
    (tmp_path / "blocked").write_text("a file where a folder should be")
    path = site(tmp_path, [{"rss": {"cache_dir": "blocked/plugins/rss", "use_git": False}}], hooks=["cache_folders.py"])
    with pytest.raises(PluginError) as raised:
        configure(path)
    message = one_line(raised.value)
    assert str(tmp_path / "blocked") in message and "rss" in message and "is a file" in message


@pytest.mark.slow
def test_the_real_site_checks_its_cache_folders_first():
    """The real mkdocs.yml lists the hook, and it runs before the feed plugin creates its folder."""
    config = load_config(config_file=str(ROOT / "mkdocs.yml"))
    handlers = [getattr(h, "__module__", "") for h in config.plugins.events["config"]]
    assert handlers.index("overrides/hooks/cache_folders.py") < next(i for i, h in enumerate(handlers) if h.startswith("mkdocs_rss_plugin"))


def test_provenance_naming_a_missing_distribution_is_an_error(tmp_path):
    path = site(tmp_path, [{"pageexec": {"provenance": ["no-such-distribution-xyz"]}}])
    with pytest.raises(PluginError) as raised:
        configure(path)
    assert "provenance names 'no-such-distribution-xyz', which is not an installed distribution" in one_line(raised.value)


def test_preload_naming_a_missing_module_is_an_error(tmp_path):
    path = site(tmp_path, [{"pageexec": {"preload": ["nonexistent_module_xyz"]}}])
    with pytest.raises(PluginError) as raised:
        configure(path)
    assert "preload names 'nonexistent_module_xyz', which is not an importable module" in one_line(raised.value)


def test_the_report_is_written_into_a_folder_that_did_not_exist(tmp_path):
    target = tmp_path / "missing" / "deeper" / "report.json"
    pageexec_plugin.write_report(target, {"executed": ["a.md"]})
    assert json.loads(target.read_text()) == {"executed": ["a.md"]}
    (tmp_path / "file").write_text("x")
    with pytest.raises(PluginError) as raised:
        pageexec_plugin.write_report(tmp_path / "file" / "report.json", {})
    assert "cannot write the report to" in one_line(raised.value)


def test_what_counts_as_installed_does_not_follow_sys_path(tmp_path, monkeypatch):
    """setuptools appends its _vendor folder (full of .dist-info folders) to sys.path when imported,
    and `python -m mkdocs` puts the working directory (a checkout's .egg-info) first: neither
    may change the cache key, or `mkdocs serve` re-runs every page and `make build` prunes its entries."""
    read = pageexec_plugin.installed_distributions.__wrapped__  # uncached: what a new process would read
    before = read()
    vendor, checkout = tmp_path / "vendor", tmp_path / "checkout"
    (vendor / "extra_dist-1.0.dist-info").mkdir(parents=True)
    (checkout / "linreg.egg-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(checkout), *sys.path, str(vendor)])
    import setuptools  # noqa: F401 - the import that moved the key under mkdocs serve

    assert read() == before and any(name.startswith("torch-") for name in before)


def test_the_cache_key_follows_what_it_covers(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("A = 1\n")
    (tmp_path / "pkg" / "data.txt").write_text("1\n")
    before = pageexec_plugin.fingerprint(tmp_path, ["pkg"])
    (tmp_path / "pkg" / "a.py").write_text("A = 2\n")
    assert pageexec_plugin.fingerprint(tmp_path, ["pkg"]) != before
    (tmp_path / "pkg" / "__init__.py").write_text("")  # a package: its modules are keyed per page instead
    tracked = pageexec_plugin.fingerprint(tmp_path, ["pkg"], [tmp_path / "pkg"])
    (tmp_path / "pkg" / "a.py").write_text("A = 3\n")
    assert pageexec_plugin.fingerprint(tmp_path, ["pkg"], [tmp_path / "pkg"]) == tracked
    (tmp_path / "pkg" / "data.txt").write_text("2\n")  # ...but not its data files
    assert pageexec_plugin.fingerprint(tmp_path, ["pkg"], [tmp_path / "pkg"]) != tracked


def test_the_provenance_note_holds_no_run_time():
    """Two builds of one commit give the same page: the run time is in the report, not in the HTML."""
    facts = {"python": "3.11.7", "packages": [["torch", "2.13.0"]], "commit": "abc", "seconds": 1.2}
    note = pageexec_plugin.provenance_html(facts)
    assert "1.2" not in note and "초" not in note and "torch 2.13.0" in note


@pytest.mark.slow
def test_a_notebook_obeys_the_output_limit():
    from pageexec import notebooks
    from sitebuild import notebook

    text = notebook("print('small')", "print('x' * 5000)", "print('never reached')")
    with pytest.raises(notebooks.NotebookError) as raised:
        notebooks.execute("docs/nb.ipynb", text, cwd=str(ROOT), timeout=60, kernel="python3", output_limit=1000)
    assert str(raised.value) == "docs/nb.ipynb (cell 2) printed more than 1,000 bytes (output_limit) and was stopped"


@pytest.mark.parametrize("value, mode", [("on", "on"), ("off", "off"), ("refresh", "refresh")])
def test_exec_cache_from_the_environment_is_read_as_a_mode(tmp_path, monkeypatch, value, mode):
    """`EXEC_CACHE=on` through `!ENV`: YAML reads a bare on as true, which must still mean "on"."""
    monkeypatch.setenv("EXEC_CACHE", value)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    path = tmp_path / "mkdocs.yml"
    path.write_text("site_name: env\nplugins:\n  - pageexec:\n      mode: !ENV [EXEC_CACHE, \"on\"]\n"
                    "markdown_extensions:\n  - pymdownx.superfences\n")
    config = load_config(config_file=str(path))
    config.plugins.on_startup(command="build", dirty=False)
    config.plugins.on_config(config)
    try:
        assert config.plugins["pageexec"].state.cache.mode == mode
    finally:
        config.plugins["pageexec"].state.close()


@pytest.mark.slow
def test_a_notebook_cannot_write_inside_the_project(tmp_path):
    from pageexec import notebooks
    from sitebuild import notebook

    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    text = notebook("import tempfile, pathlib\np = pathlib.Path(tempfile.mkdtemp()) / 'ok.txt'\np.write_text('fine')\n"
                    "print(p.read_text())", "open('written.txt', 'w').write('x')")
    with pytest.raises(notebooks.NotebookError) as raised:
        notebooks.execute("docs/nb.ipynb", text, cwd=str(project / "docs"), timeout=60, kernel="python3",
                          project=str(project))
    assert "docs/nb.ipynb (cell 2) raised an exception" in str(raised.value)
    assert "may not write inside the project" in str(raised.value)
    assert not (project / "docs" / "written.txt").exists()



def test_a_test_that_uses_the_built_site_is_marked_so_make_test_fast_builds_none():
    from sitebuild import mark_by_fixtures

    class Item:
        def __init__(self, *fixtures):
            self.fixturenames, self.marks = list(fixtures), []

        def get_closest_marker(self, name):
            return next((m for m in self.marks if m.name == name), None)

        def add_marker(self, mark):
            self.marks.append(mark.mark)

    unmarked, feed, browser = Item("tmp_path"), Item("site", "monkeypatch"), Item("site", "browser", "base_url")
    mark_by_fixtures([unmarked, feed, browser])
    assert unmarked.marks == [] and [m.name for m in feed.marks] == ["site"]
    assert sorted(m.name for m in browser.marks) == ["browser", "site"]


@pytest.mark.parametrize("option, value, message", [
    ("timeout", -1, "option 'timeout': Expected a number that is not negative, got -1"),
    ("timeout", "soon", "option 'timeout': Expected a number, got 'soon'"),
    ("workers", 1.5, "option 'workers': Expected a whole number, got 1.5"),
    ("mode", "sometimes", "option 'mode': Expected one of on, keep, refresh, off, got 'sometimes'"),
])
def test_a_bad_option_is_a_configuration_error_naming_it(tmp_path, caplog, option, value, message):
    from mkdocs.exceptions import Abort

    path = site(tmp_path, [{"pageexec": {option: value}}])
    with pytest.raises(Abort):
        load_config(config_file=str(path))
    assert f"Plugin 'pageexec' {message}" in caplog.text


@pytest.mark.parametrize("option, value, expected", [("timeout", "5", 5.0), ("workers", "2", 2), ("mode", False, "off")])
def test_options_read_from_the_environment_are_typed(tmp_path, option, value, expected):
    config = load_config(config_file=str(site(tmp_path, [{"pageexec": {option: value}}])))
    assert config.plugins["pageexec"].config[option] == expected
