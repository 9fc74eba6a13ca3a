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
    assert '"torch>=2.13.0,<3"' in (ROOT / "pyproject.toml").read_text()  # readers' range starts at the pin


def test_workflow_tests_pull_requests_without_secrets_and_deploys_only_main():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    test, deploy = workflow["jobs"]["test"], workflow["jobs"]["deploy"]
    assert "permissions" not in test and any(".ci/run" in step.get("run", "") for step in test["steps"])
    assert "secrets." not in yaml.safe_dump(test)
    assert "github.event_name == 'push'" in deploy["if"] and "refs/heads/main" in deploy["if"]
    assert "test" in deploy["needs"] and deploy["permissions"]["pages"] == "write"


def test_the_deploy_job_publishes_the_test_jobs_site_and_runs_nothing():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())
    deploy = workflow["jobs"]["deploy"]
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert not any("run" in step for step in deploy["steps"])  # no checkout, no install, no page code
    upload = next(s for s in workflow["jobs"]["test"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "site" and "refs/heads/main" in upload["if"]


def test_the_downloads_branch_is_published_from_the_artifact_without_running_anything():
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())["jobs"]
    publish = jobs["publish-downloads"]
    assert publish["permissions"] == {"contents": "write"} and "refs/heads/main" in publish["if"]
    script = "\n".join(step.get("run", "") for step in publish["steps"])
    assert "make" not in script and "pip" not in script and "python" not in script  # only tar and git
    assert "git push --force" in script and " downloads" in script
    from mkdocs.config import load_config

    engine = load_config(config_file=str(ROOT / "mkdocs.yml")).plugins["pageexec"]
    assert engine.config.downloads.colab_branch == "downloads"  # where the Colab links point


def test_third_party_actions_are_pinned_to_commit_shas():
    text = (ROOT / ".github" / "workflows" / "site.yml").read_text()
    uses = re.findall(r"uses:\s*(\S+)", text)
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", use) for use in uses), uses


def test_pull_requests_read_mains_execution_cache_and_only_main_writes_it():
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())["jobs"]["test"]["steps"]
    caches = [s for s in steps if "actions/cache" in s.get("uses", "")]
    restore = [s for s in caches if "/restore@" in s["uses"]]
    save = [s for s in caches if "/save@" in s["uses"]]
    assert len(restore) == 1 and "if" not in restore[0]
    assert len(save) == 1 and save[0]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert len(caches) == 2  # no actions/cache with its automatic save


def test_lower_bounds_are_the_tested_versions():
    pins = {name.lower(): version for name, version in (line.split("==") for line in
            (ROOT / "constraints.txt").read_text().splitlines() if line and not line.startswith("#"))}
    for pyproject in (ROOT / "pyproject.toml", ROOT / "pageexec" / "pyproject.toml"):
        for name, lower in re.findall(r'"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=([^,"]+)', pyproject.read_text()):
            if name in ("setuptools",):
                continue
            assert pins.get(name.lower()) == lower, f"{pyproject.name}: {name}>={lower}, but constraints.txt pins {pins.get(name.lower())}"


def test_pull_requests_get_the_output_report_in_the_job_summary_and_as_an_artifact():
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())["jobs"]["test"]["steps"]
    checkout = next(s for s in steps if "actions/checkout" in s.get("uses", ""))
    assert checkout["with"]["fetch-depth"] == 0  # the base commit is in the clone
    report = next(s for s in steps if "make diff" in s.get("run", ""))
    assert report["if"] == "github.event_name == 'pull_request'" and "GITHUB_STEP_SUMMARY" in report["run"]
    assert "${{" not in report["run"]  # the base branch's name reaches the shell as data, not as code
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "build/output-diff.html" and upload["if"] == report["if"]
    assert (ROOT / "Makefile").read_text().count("python -m pageexec.diff") == 1


def test_shards_run_as_a_matrix_whose_caches_the_test_job_merges():
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())["jobs"]
    execute = jobs["execute"]
    shards = execute["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and len(shards) >= 2  # the count, set in one place
    run = next(s["run"] for s in execute["steps"] if "make execute" in s.get("run", ""))
    assert "SHARD=${{ matrix.shard }}/${{ strategy.job-total }}" in run
    assert "make execute SHARD=1/1 REQUIRES=gpu" in str(jobs["execute-gpu"]["steps"])
    assert "gpu" in jobs["execute-gpu"]["runs-on"]
    test = jobs["test"]
    assert set(test["needs"]) == {"execute", "execute-gpu"} and "needs.execute.result == 'success'" in test["if"]
    merge = next(s for s in test["steps"] if "download-artifact" in s.get("uses", ""))
    assert merge["with"] == {"pattern": "exec-cache-*", "path": ".cache/pageexec", "merge-multiple": True}
    names = [s.get("name", s.get("uses", "")) for s in test["steps"]]
    assert names.index(merge["name"]) < next(i for i, n in enumerate(names) if n.startswith("Test"))
