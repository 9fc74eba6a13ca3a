"""Every plugin's cache folder must be a folder: one line naming the file in the way.

The RSS plugin keeps its cache under ``.cache/plugins/rss`` and creates it in its own
``on_config``; when ``.cache`` (or a folder below it) is a file, that ``mkdir`` raises a
traceback naming neither the file nor what to do. This hook runs first and checks each
plugin's ``cache_dir`` option. The engine (pageexec) is left out: it warns in one line and
builds without its cache.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority


def blocking_file(folder: Path) -> Path | None:
    """The existing file (not a folder) at ``folder`` or at one of its parents, if any."""
    for path in (folder, *folder.parents):
        if path.exists():
            return None if path.is_dir() else path
    return None


@event_priority(100)  # before the plugins that create their cache folders
def on_config(config, **kwargs):
    root = Path(config.config_file_path).resolve().parent
    for name, plugin in config.plugins.items():
        if name == "pageexec":
            continue
        options = getattr(plugin, "config", None)
        value = options.get("cache_dir") if hasattr(options, "get") else None
        if not isinstance(value, str) or not value:
            continue
        folder = root / value
        file = blocking_file(folder)
        if file is not None:
            raise PluginError(f"{file} is a file, but the {name} plugin keeps its cache in {folder}: "
                              "move or delete that file")
    return config
