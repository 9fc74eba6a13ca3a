"""The project's set-up: the README's two commands, CI and the GitHub workflow."""

from __future__ import annotations

import re

import yaml

from sitebuild import ROOT


def quick_start() -> list[str]:
    section = (ROOT / "README.md").read_text().split("## 빠른 시작", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


def test_readme_quick_start_is_two_commands_that_ci_runs():
    assert quick_start() == ["make serve", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
    makefile = (ROOT / "Makefile").read_text()
    for target in ("serve", "test"):
        assert re.search(rf"^{target}: \$\(STAMP\)", makefile, re.M), target  # each sets up .venv itself


def test_dependencies_are_pinned_exactly():
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    assert pins["torch"] == "2.13.0" and pins["mkdocs"].startswith("1.")
    assert '"torch==2.13.0"' in (ROOT / "pyproject.toml").read_text()


def test_workflow_tests_pull_requests_without_secrets_and_deploys_only_main():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    test, deploy = workflow["jobs"]["test"], workflow["jobs"]["deploy"]
    assert "permissions" not in test and any(step.get("run") == "make test" for step in test["steps"])
    assert "secrets." not in yaml.safe_dump(test)
    assert "github.event_name == 'push'" in deploy["if"] and "refs/heads/main" in deploy["if"]
    assert deploy["needs"] == "test" and deploy["permissions"]["pages"] == "write"
