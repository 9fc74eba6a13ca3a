"""Fenced blocks of a Markdown text: where they are, which execute, and what is wrong with them.

Pure text work, no Markdown instance: the engine plans a page from these before it renders,
and a fence that looks executable but would not run (```` ```Python exec="1" ````, a
misspelt option) is an error naming the line, where Markdown would silently show it as
text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

EXEC_LANGUAGES = ("python", "py", "pycon")
FALSE = {"", "no", "off", "false", "0"}
TRUE = {"yes", "on", "true", "1"}
# markdown-exec's options (its validator pops these), and superfences' own
OPTIONS = {"exec", "id", "idprefix", "html", "source", "result", "returncode", "session",
           "updatetoc", "tabs", "workdir", "width", "title", "hl_lines", "linenums"}
EXEC_ONLY = OPTIONS - {"title", "hl_lines", "linenums"}
SOURCES = {"above", "below", "block", "material-block", "tabbed-left", "tabbed-right", "console"}
# languages a reader would take for Python, which the engine does not execute
PYTHON_LOOKALIKES = {"python3", "python2", "py3", "ipython", "ipython3", "pyhton", "pytohn", "pyton", "pythn", "pycon3"}

_FENCE = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<header>[^`\n]*?)[ \t]*$")
_HEADING = re.compile(r"^ {0,3}(?P<marks>#{1,6})[ \t]+(?P<text>.+?)(?:[ \t]+#+)?[ \t]*$")
_ATTRIBUTES = re.compile(r"[ \t]*\{[^}]*\}$")  # attr_list's {#id .class} after a heading
_OPTION = re.compile(r"""(?P<key>[A-Za-z_][\w-]*)=(?P<quote>["'])(?P<value>.*?)(?P=quote)""")


@dataclass
class Fence:
    """One fenced block of a Markdown text."""

    line: int  # 1-based
    header: str
    language: str
    options: dict[str, str] = field(default_factory=dict)
    leftover: str = ""  # header text that is not a key="value" option
    code: str = ""
    section: str | None = None  # the text of the last heading of ``section_level`` or above (not the title) before it

    @property
    def executes(self) -> bool:
        return self.language in EXEC_LANGUAGES and self.options.get("exec", "0").lower() not in FALSE

    @property
    def session(self) -> str | None:
        return self.options.get("session") or None


def parse_header(header: str) -> tuple[str, dict[str, str], str]:
    """``python exec="1" session="x"`` (or ``{.python exec="1"}``) -> language, options, leftover."""
    text = header.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip().removeprefix(".")
    match = re.match(r"([\w+-]*)\s*", text)
    language, rest = match.group(1), text[match.end():]
    options = {m.group("key"): m.group("value") for m in _OPTION.finditer(rest)}
    return language, options, _OPTION.sub(" ", rest).strip()


def heading(line: str) -> tuple[int, str] | None:
    """``(level, text)`` of an ATX heading line (its attribute list dropped), else None."""
    found = _HEADING.match(line)
    if found is None:
        return None
    return len(found.group("marks")), _ATTRIBUTES.sub("", found.group("text"))


def scan(markdown: str, first_line: int = 1, section_level: int = 2) -> list[Fence]:
    """The top-level fenced blocks of ``markdown`` (a fence inside another fence is its code),
    each with the section it is in: the last heading of levels 2 to ``section_level`` above it
    outside fenced code (a heading reset by a new title)."""
    lines, fences, i, section = markdown.split("\n"), [], 0, None
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            found = heading(lines[i])
            if found is not None and found[0] <= section_level:
                section = found[1] if found[0] > 1 else None
            i += 1
            continue
        indent, marker = opening.group("indent"), opening.group("fence")
        closing = re.compile(rf"^[ \t>]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        j, body = i + 1, []
        while j < len(lines) and not closing.match(lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        language, options, leftover = parse_header(opening.group("header"))
        fences.append(Fence(i + first_line, opening.group("header"), language, options, leftover, "\n".join(body),
                            section))
        i = j + 1
    return fences


def _close(name: str, choices) -> str | None:
    found = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def problems(fence: Fence) -> list[str]:
    """What is wrong with a fence that is, or looks meant to be, executed (empty when nothing)."""
    names = set(fence.options)
    looks_executed = bool(names & EXEC_ONLY) or any(_close(name, ["exec", "session"]) for name in names) \
        or fence.leftover.startswith("exec")
    if not looks_executed:
        return []
    language = fence.language
    if language not in EXEC_LANGUAGES:
        if language.lower() in EXEC_LANGUAGES or language.lower() in PYTHON_LOOKALIKES or _close(language.lower(), EXEC_LANGUAGES):
            return [f"language {language!r} is not executed (executed languages: {', '.join(EXEC_LANGUAGES)}; "
                    f"did you mean {(_close(language.lower(), EXEC_LANGUAGES) or 'python')!r}?)"]
        return []  # another language's options (bash, say): not ours to judge
    found = []
    if fence.leftover:
        found.append(f"cannot read {fence.leftover!r}: write options as key=\"value\"")
    for name in sorted(names - OPTIONS):
        hint = _close(name, OPTIONS)
        found.append(f"unknown option {name!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    for name in ("exec", "html", "updatetoc"):
        if name in fence.options and fence.options[name].lower() not in FALSE | TRUE:
            found.append(f'{name}="{fence.options[name]}" is not a yes/no value (use "1" or "0")')
    for name in ("returncode", "width"):
        value = fence.options.get(name)
        if value is not None and not value.lstrip("-").isdigit():
            found.append(f'{name}="{value}" is not a whole number')
    if "source" in fence.options and fence.options["source"] not in SOURCES:
        found.append(f'source="{fence.options["source"]}" is not one of {", ".join(sorted(SOURCES))}')
    if "exec" not in fence.options and not found:
        found.append('has execution options but no exec="1", so it would not run')
    return found


def pycon_code(source: str) -> str:
    """The code of a ``pycon`` block: its ``>>>`` and ``...`` lines without the prompts."""
    lines = []
    for line in source.split("\n"):
        if line.startswith((">>> ", "... ")):
            lines.append(line[4:])
        elif line in (">>>", "..."):
            lines.append("")
    return "\n".join(lines)
