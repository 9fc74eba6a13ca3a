"""Workers: each page in a fresh process; failures named; limits that hold; pages in parallel."""

from __future__ import annotations

import os
import time

import pytest

from neutral import assert_isolated
from pageexec.runner import Job, Runner, WorkersUnavailable


@pytest.fixture(scope="module")
def runner():
    runner = Runner(preload=["decimal", "warnings"], cwd=os.getcwd(), timeout=3, output_limit=10_000, workers=2)
    yield runner
    runner.close()


def run(runner, *codes, session="s"):
    return runner.run_page([Job(code, session, f"docs/p.md:{i} (executed block {i + 1})") for i, code in enumerate(codes)])


def test_blocks_of_a_session_share_state_and_print(runner):
    outcomes = run(runner, "x = 41", "print(x + 1)")
    assert [o.kind for o in outcomes] == ["ok", "ok"] and outcomes[1].output == "42\n"


def test_blocks_without_a_session_do_not_share(runner):
    outcomes = runner.run_page([Job("y = 1", None, "a"), Job("print(y)", None, "b")])
    assert outcomes[1].kind == "error" and "NameError" in outcomes[1].output


@pytest.mark.parametrize("change, probe", [
    # module state of a preloaded module (as torch.set_printoptions is for the site: tests/test_page_isolation.py)
    ("import decimal; decimal.getcontext().prec = 3", "import decimal; print(decimal.Decimal(1) / 3)"),
    ("import sys; sys.setrecursionlimit(123)", "import sys; print(sys.getrecursionlimit())"),
    ("import os; os.chdir('/')", "import os; print(os.getcwd())"),
    ("import os; os.environ['LEAK'] = '1'", "import os; print(os.environ.get('LEAK'))"),
    ("import sys; sys.path.insert(0, '/leak')", "import sys; print('/leak' in sys.path)"),
    ("import warnings; warnings.simplefilter('error')", "import warnings; print(warnings.filters[0][0])"),
])
def test_nothing_a_page_does_to_its_process_reaches_the_next_page(runner, change, probe):
    assert_isolated(runner, change, probe)


def test_a_raising_block_reports_its_own_traceback(runner):
    outcome = run(runner, "def f():\n    return [1][5]\nf()")[0]
    assert outcome.kind == "error"
    assert 'File "docs/p.md:0 (executed block 1)", line 2, in f' in outcome.output
    assert "return [1][5]" in outcome.output and outcome.output.endswith("IndexError: list index out of range")
    assert "pageexec" not in outcome.output  # the worker's own frames are left out


def test_sys_exit_os_exit_and_a_segfault_are_named(runner):
    assert run(runner, "import sys; sys.exit(0)")[0].kind == "exit"
    died = run(runner, "import os; os._exit(3)")[0]
    assert died.kind == "died" and "exit code 3" in died.detail
    crashed = run(runner, "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")[0]
    assert crashed.kind == "died" and "SIGSEGV" in crashed.detail


def test_a_page_stops_at_its_first_failure(runner):
    outcomes = run(runner, "print(1)", "raise ValueError('no')", "print(3)")
    assert [o.kind for o in outcomes] == ["ok", "error"]


@pytest.mark.slow
def test_the_time_limit_kills_the_worker_its_threads_and_its_children(runner, tmp_path):
    pidfile = tmp_path / "child.pid"
    code = ("import subprocess, threading, time\n"
            f"child = subprocess.Popen(['sleep', '300']); open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
            "threading.Thread(target=time.sleep, args=(300,)).start()\n"
            "while True:\n    try:\n        time.sleep(0.05)\n    except BaseException:\n        pass\n")
    outcome = run(runner, code)[0]
    assert outcome.kind == "timeout" and outcome.detail == 3
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def test_a_thread_left_running_does_not_hold_the_build(runner):
    start = time.monotonic()
    outcomes = run(runner, "import threading, time\nthreading.Thread(target=time.sleep, args=(300,)).start()\nprint('on')")
    assert outcomes[0].output == "on\n" and time.monotonic() - start < 3


def test_output_past_the_limit_stops_the_block(runner):
    outcome = run(runner, "print('x' * 20_000)")[0]
    assert outcome.kind == "limit" and outcome.detail == 10_000
    assert run(runner, "print('x' * 9_000)")[0].ok


@pytest.mark.slow
def test_pages_run_in_parallel_in_fresh_workers(runner):
    before = runner.started_workers
    futures = [runner.call(runner.run_page, [Job("import os, time; time.sleep(0.5); print(os.getpid())", None, "p")]) for _ in range(2)]
    pids = {future.result()[0].output for future in futures}
    assert len(pids) == 2 and runner.started_workers - before == 2


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_package_that_does_not_import_is_named_once_with_its_traceback(tmp_path):
    (tmp_path / "broken_pkg.py").write_text("VALUE = (1,\n")  # a syntax error, as a typo in linreg/cost.py
    runner = Runner(preload=["broken_pkg"], cwd=str(tmp_path), timeout=5, output_limit=1000, workers=1)
    try:
        with pytest.raises(WorkersUnavailable) as raised:
            runner.run_page([Job("print(1)", None, "docs/p.md:3 (executed block 1)")])
        first, _, trace = str(raised.value).partition("\n")
        assert first.startswith("the worker processes could not start: importing 'broken_pkg' raised SyntaxError")
        assert "broken_pkg.py" in first and "Traceback" in trace and trace.count("Traceback") == 1
        with pytest.raises(WorkersUnavailable):  # every later page: the same cause, no new attempt
            runner.run_page([Job("print(2)", None, "docs/q.md:3 (executed block 1)")])
    finally:
        runner.close()


def test_a_page_runs_in_its_folder_and_cannot_write_inside_the_project(tmp_path):
    project, docs = tmp_path / "project", tmp_path / "project" / "docs"
    docs.mkdir(parents=True)
    (docs / "data.csv").write_text("1,2\n")
    runner = Runner(preload=[], cwd=str(project), timeout=10, output_limit=10_000, workers=1)
    runner.project = str(project)
    try:
        jobs = [Job("import os\nprint(os.getcwd())\nprint(open('data.csv').read().strip())", "s", "a"),
                Job("import tempfile, pathlib\np = pathlib.Path(tempfile.gettempdir(), 'out.txt')\n"
                    "p.write_text('scratch')\nprint(p.read_text())", "s", "b"),
                Job("open('written.txt', 'w').write('x')", "s", "c")]
        outcomes = runner.run_page(jobs, str(docs))
        assert [o.kind for o in outcomes] == ["ok", "ok", "error"]
        assert outcomes[0].output == f"{docs}\n1,2\n" and outcomes[1].output == "scratch\n"
        assert "may not write inside the project" in outcomes[2].output and "written.txt" in outcomes[2].output
        for code in ("import os; os.mkdir('new')", "import os; os.remove('data.csv')",
                     "import os; os.rename('data.csv', 'moved.csv')", "import shutil; shutil.rmtree('..')",
                     f"open({str(project / 'mkdocs.yml')!r}, 'a')"):
            outcome = runner.run_page([Job(code, None, "d")], str(docs))[0]
            assert outcome.kind == "error" and "may not write inside the project" in outcome.output, code
        assert sorted(p.name for p in project.rglob("*")) == ["data.csv", "docs"]
    finally:
        runner.close()


def test_a_function_a_page_defines_works_with_multiprocessing(runner):
    code = ("from multiprocessing import Pool\n\ndef square(x):\n    return x * x\n\n"
            "with Pool(2) as pool:\n    print(pool.map(square, range(4)))")
    outcome = run(runner, code)[0]
    assert outcome.ok, outcome.output
    assert outcome.output == f"{[x * x for x in range(4)]}\n"


def test_printing_text_that_is_not_unicode_is_named(runner):
    outcome = run(runner, "print('a\\udcff b')")[0]
    assert outcome.kind == "invalid" and "'\\udcff'" in outcome.detail


def test_a_blocks_width_does_not_outlive_it(runner):
    probe = "import os; print(os.environ.get('COLUMNS'))"
    alone = runner.run_page([Job(probe, "s", "a")])[0].output
    outcomes = runner.run_page([Job(probe, "s", "a", width=40), Job(probe, "s", "b")])
    assert alone != "40\n" and [o.output for o in outcomes] == ["40\n", alone]


def test_the_workers_die_with_a_killed_build(tmp_path):
    """kill -9 of the build: no page's worker keeps running its block (a parent-death signal)."""
    import signal
    import subprocess
    import sys

    marker = tmp_path / "worker.pid"
    block = f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)"
    build = ("from pageexec.runner import Job, Runner\n"
             "r = Runner(preload=[], cwd='.', timeout=0, output_limit=0, workers=1)\n"
             f"r.run_page([Job({block!r}, None, 'p')])\n")
    process = subprocess.Popen([sys.executable, "-c", build])
    try:
        deadline = time.monotonic() + 30
        while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        worker = int(marker.read_text())
        assert _alive(worker)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker)
    finally:
        process.kill()
