"""What a build's executed pages printed, as data: the outputs file (``outputs`` /
``EXEC_OUTPUTS``) that ``python -m pageexec.diff`` compares, and the status page.

An outputs file is JSON: ``{"version": 1, "pages": {"docs/<page>": {"title", "provenance",
"blocks": [{"line", "code", "output", "kind"}]}}}``, pages and blocks in a stable order, so
two builds of one commit write the same file.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

from pageexec import downloads

VERSION = 1


def block_record(block) -> dict:
    """One executed block (an ``ExecutedBlock``) as the outputs file holds it."""
    return {"line": block.line, "code": block.code, "output": block.output, "kind": downloads.output_kind(block)}


def notebook_records(text: str) -> list[dict]:
    """The code cells of an executed notebook (JSON text) and what each printed: streams and
    text as text, HTML and SVG as HTML, images as an ``<img>`` with the data inline."""
    cells = json.loads(text).get("cells", [])
    records = []
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        texts, htmls = [], []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(_joined(output.get("text", "")))
                continue
            data = output.get("data", {})
            if "text/html" in data or "image/svg+xml" in data:
                htmls.append(_joined(data.get("text/html") or data["image/svg+xml"]))
            elif "image/png" in data:
                htmls.append(f'<img src="data:image/png;base64,{_joined(data["image/png"]).strip()}">')
            elif "text/plain" in data:
                texts.append(_joined(data["text/plain"]) + "\n")
            elif output.get("output_type") == "error":
                texts.append(f"{output.get('ename')}: {output.get('evalue')}\n")
        kind = "html" if htmls else "text"
        records.append({"line": number, "code": _joined(cell.get("source", "")),
                        "output": "".join(htmls) if htmls else "".join(texts), "kind": kind})
    return records


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def write(path: Path, pages: dict[str, dict]) -> None:
    """Write an outputs file (its folder created); one clear error if it cannot be written."""
    text = json.dumps({"version": VERSION, "pages": dict(sorted(pages.items()))}, ensure_ascii=False, indent=1,
                      sort_keys=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise OSError(f"pageexec: cannot write the outputs file {path}: {error.strerror or error}") from None


def read(path: Path) -> dict[str, dict]:
    """The pages of an outputs file; ValueError naming the file when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} is not a pageexec outputs file: {error}") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("pages"), dict):
        raise ValueError(f"{path} is not a pageexec outputs file (version {VERSION})")
    return data["pages"]


STATUS = {
    "en": {"title": "Execution status",
           "intro": "Every page of this site that runs code, and when and with what its outputs, as shown now, were "
                    "computed. The build writes this page from the records its execution cache keeps.",
           "page": "Page", "seconds": "Run time", "computed": "Computed (UTC)", "commit": "Commit",
           "none": "No page runs code.", "unit": "s", "total": "Together: {count} pages, {seconds} s of execution."},
    "ko": {"title": "실행 상태",
           "intro": "이 사이트에서 코드를 실행하는 모든 페이지와, 지금 보이는 결과를 언제 어떤 환경에서 계산했는지를 "
                    "모았습니다. 빌드가 실행 캐시에 남은 기록으로 이 페이지를 만듭니다.",
           "page": "페이지", "seconds": "실행 시간", "computed": "계산한 때 (UTC)", "commit": "커밋",
           "none": "코드를 실행하는 페이지가 없습니다.", "unit": "초", "total": "모두 {count}개 페이지, 실행 시간 합계 {seconds}초."},
}


def status_markdown(status_uri: str, pages: list[tuple[str, str, dict | None]], language: str = "en") -> str:
    """The status page: ``pages`` are ``(src_uri, title, provenance)`` of every page with executed code."""
    words = STATUS[language]
    lines = [f"# {words['title']}", "", words["intro"], ""]
    if not pages:
        return "\n".join(lines + [words["none"], ""])
    names = []
    for _, _, facts in pages:
        for name, _ in (facts or {}).get("packages", []):
            if name not in names:
                names.append(name)
    header = [words["page"], words["seconds"], words["computed"], words["commit"], "Python", *names]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    folder, total = posixpath.dirname(status_uri), 0.0
    for uri, title, facts in pages:
        facts = facts or {}
        versions = dict(facts.get("packages", []))
        seconds = facts.get("seconds")
        total += seconds or 0
        link = posixpath.relpath(uri, folder or ".")
        cells = [f"[{_cell(title)}]({link.replace(' ', '%20')})",
                 f"{seconds:.1f} {words['unit']}" if isinstance(seconds, (int, float)) else "—",
                 (facts.get("computed") or "—").replace("T", " ").replace("+00:00", ""),
                 f"`{facts['commit']}`" if facts.get("commit") else "—",
                 facts.get("python") or "—", *[versions.get(name, "—") for name in names]]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", words["total"].format(count=len(pages), seconds=f"{total:.1f}"), ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
