"""Theme templates are compiled once per process (mkdocs serve), and an edited template again."""

from __future__ import annotations

import importlib.util

import jinja2

from sitebuild import ROOT

_spec = importlib.util.spec_from_file_location("template_cache", ROOT / "overrides" / "hooks" / "template_cache.py")
template_cache = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(template_cache)


def test_a_template_is_compiled_once_and_an_edit_is_compiled_again(monkeypatch):
    sources = {"page.html": "<h1>{{ title }}</h1>"}
    cache = template_cache.MemoryBytecodeCache()
    compiled = []

    def environment():  # what every rebuild under `mkdocs serve` makes anew
        env = jinja2.Environment(loader=jinja2.DictLoader(sources))
        template_cache.CACHE = cache
        template_cache.on_env(env, config=None, files=None)
        original = env.compile
        monkeypatch.setattr(env, "compile", lambda *a, **k: compiled.append(a[1] if len(a) > 1 else k.get("name"))
                            or original(*a, **k))
        return env

    assert environment().get_template("page.html").render(title="one") == "<h1>one</h1>"
    assert environment().get_template("page.html").render(title="two") == "<h1>two</h1>"
    assert compiled == ["page.html"]  # the second environment loaded the compiled code
    sources["page.html"] = "<h2>{{ title }}</h2>"  # an edit in overrides/
    assert environment().get_template("page.html").render(title="three") == "<h2>three</h2>"
    assert compiled == ["page.html", "page.html"]
