"""The build's side of the workers: a zygote per build, a fresh forked worker per page.

``Runner.run_page(jobs, folder)`` runs one page's blocks in order in a new worker (in the
page's ``folder``) and returns one ``Outcome`` per block that ran (it stops at the first
failure). The time limit
is per block: a block that runs past it has its worker's whole process group killed
(threads and child processes included). A worker that dies (``os._exit``, a segfault, a
kill) is reported with its exit status. Pages run in parallel on up to ``workers``
processes (``Runner.call(runner.run_page, jobs)``). If the workers cannot start at all (a
preloaded package does not import), ``run_page`` raises ``WorkersUnavailable`` with the
import's traceback, every time, without trying again.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
import queue
from concurrent.futures import Future
from dataclasses import dataclass

from pageexec import wire


@dataclass(frozen=True)
class Job:
    """One block to run: its code, session and where it stands (for messages)."""

    code: str
    session: str | None
    where: str  # "docs/page.md:12 (executed block 3)"
    workdir: str | None = None
    width: int | None = None


class Outcomes(list):
    """A page's outcomes, one per block that ran, and what it used of the tracked packages
    (``used``: ``(reads, imported)`` from the worker, or None if a block failed)."""

    used: tuple[list, list[str]] | None = None
    worker: int | None = None  # the worker's process id (for the build log)


@dataclass(frozen=True)
class Outcome:
    """What one block did: ``kind`` is ok, error, exit, limit, timeout or died."""

    kind: str
    output: str = ""  # what it printed (ok), or the traceback (error)
    detail: object = None  # exit code, limit, seconds or exit status

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


class WorkersUnavailable(RuntimeError):
    """The zygote could not start: the message's first line names the cause, the rest is the traceback."""


class Zygote:
    """A process that has imported the preload modules and forks one worker per page."""

    def __init__(self, preload: Sequence[str], cwd: str) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pageexec.worker", str(theirs.fileno()), *preload],
            pass_fds=[theirs.fileno()], cwd=cwd, stdin=subprocess.DEVNULL)
        theirs.close()
        self.control, self.lock = ours, threading.Lock()
        ready = self.control.recv(1 << 16)  # as long as the preload imports take
        if not ready.startswith(b"R"):
            code = self.process.wait()
            self.control.close()
            if ready.startswith(b"E"):
                why, _, trace = ready[1:].decode("utf-8", "replace").partition("\n")
                raise WorkersUnavailable(f"the worker processes could not start: {why} "
                                         f"(preload: {', '.join(preload)})\n{trace}")
            raise WorkersUnavailable(f"the worker processes could not start: the zygote ended with exit code {code} "
                                     f"(preload: {', '.join(preload) or 'nothing'})")
        self.control.settimeout(30)  # from now on it answers at once: a zygote that does not is gone

    def fork(self) -> tuple[int, socket.socket]:
        ours, theirs = socket.socketpair()
        with self.lock:
            socket.send_fds(self.control, [b"f"], [theirs.fileno()])
            pid = int.from_bytes(self.control.recv(8), "big")
        theirs.close()
        return pid, ours

    def exit_code(self, pid: int, wait: float = 2.0) -> int | None:
        """A finished worker's exit code (negative: the signal that ended it); None if it still runs
        (or the zygote no longer answers)."""
        deadline = time.monotonic() + wait
        while True:
            with self.lock:
                try:
                    self.control.sendall(b"w" + pid.to_bytes(8, "big"))
                    code = int.from_bytes(self.control.recv(8), "big", signed=True)
                except OSError:  # closed by the build, or timed out
                    return None
            if code != -1 or time.monotonic() > deadline:
                return None if code == -1 else code
            time.sleep(0.01)

    def close(self) -> None:
        self.control.close()  # the zygote ends at once when its control socket closes
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _describe(code: int | None) -> str:
    if code is None:
        return "the worker process stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker process was killed by {name}"
    return f"the worker process ended with exit code {code} (os._exit?)"


class Runner:
    """Runs pages in fresh workers forked from one zygote, ``workers`` pages at a time."""

    def __init__(self, *, preload: Sequence[str], cwd: str, timeout: float, output_limit: int, workers: int) -> None:
        self.preload, self.cwd = list(preload), cwd
        self.timeout, self.output_limit = timeout, output_limit
        self.workers = max(1, workers)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._zygote: Zygote | None = None
        self._lock = threading.Lock()
        self.started_workers = 0
        self._live: set[int] = set()
        self.project: str | None = None  # a folder the pages' code may not write into
        self.broken: WorkersUnavailable | None = None

    @property
    def alive(self) -> bool:
        """Whether the zygote (if started) still runs: a runner kept between builds must be."""
        return self._zygote is None or self._zygote.process.poll() is None

    @property
    def zygote(self) -> Zygote:
        with self._lock:
            if self.broken is not None:
                raise self.broken
            if self._zygote is None:
                try:
                    self._zygote = Zygote(self.preload, self.cwd)
                except WorkersUnavailable as error:
                    self.broken = error
                    raise
            return self._zygote

    def call(self, function, *args, **kwargs) -> Future:
        """Run ``function(*args, **kwargs)`` on one of the pool's threads (daemons: an interrupt never waits for them)."""
        future: Future = Future()
        self._queue.put((future, function, args, kwargs))
        with self._lock:
            if len(self._threads) < self.workers:
                thread = threading.Thread(target=self._serve, name=f"pageexec-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _serve(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, function, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args, **kwargs))
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits on the future
                future.set_exception(error)

    def run_page(self, jobs: Sequence[Job], folder: str | None = None, track: Sequence[str] = ()) -> Outcomes:
        """Run ``jobs`` in order in one new worker, in ``folder``; stop at the first that fails.

        When every block succeeded, ``outcomes.used`` tells what the page used of the
        packages named in ``track`` (``pageexec.deps``).
        """
        outcomes = Outcomes()
        if not jobs:
            return outcomes
        zygote = self.zygote
        pid, channel = zygote.fork()
        outcomes.worker = pid
        with self._lock:
            self.started_workers += 1
            self._live.add(pid)
        scratch = None
        try:
            wire.send(channel, ("page", folder or self.cwd, self.project, list(track)))
            _, _, scratch = wire.receive(channel, timeout=30)  # "ready": the worker is its own process group now
            for job in jobs:
                outcome = self._run(zygote, pid, channel, job)
                outcomes.append(outcome)
                if not outcome.ok:
                    break
            else:
                if track:
                    wire.send(channel, ("used",))
                    outcomes.used = wire.receive(channel, timeout=30)
        except (wire.Closed, TimeoutError):
            outcomes.append(Outcome("died", detail=_describe(zygote.exit_code(pid))))
        finally:
            self._kill(pid)
            channel.close()
            zygote.exit_code(pid, wait=0)  # reap it
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
        return outcomes

    def _run(self, zygote: Zygote, pid: int, channel: socket.socket, job: Job) -> Outcome:
        wire.send(channel, ("run", job.code, job.session, job.where, self.output_limit, job.workdir, job.width))
        try:
            kind, detail = wire.receive(channel, timeout=self.timeout if self.timeout > 0 else None)
        except TimeoutError:
            self._kill(pid)
            return Outcome("timeout", detail=self.timeout)
        except wire.Closed:
            self._kill(pid)
            return Outcome("died", detail=_describe(zygote.exit_code(pid)))
        if kind == "ok":
            return Outcome("ok", output=detail)
        if kind == "error":
            return Outcome("error", output=detail)
        return Outcome(kind, detail=detail)

    def _kill(self, pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        with self._lock:
            self._live.discard(pid)

    def close(self) -> None:
        """Stop every worker and the zygote (also on an interrupted build)."""
        for _ in self._threads:
            self._queue.put(None)
        self._threads = []
        for pid in list(self._live):
            self._kill(pid)
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None
