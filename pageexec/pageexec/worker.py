"""The worker processes (this module runs in them, never in the build).

``python -m pageexec.worker FD MODULE...`` is the *zygote*: it imports the preload modules
(torch and the lesson package, say) once, then waits on the control socket ``FD``. For each
page the build sends it one end of a new socket; the zygote forks, and the child becomes
that page's worker: a session leader (so a kill reaches its threads and child processes),
with a copy of the preloaded modules and none of any other page's state. It runs the
page's blocks in order, one message per block, and ends when the build says so or the
socket closes.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import os
import signal
import socket
import sys
import traceback

from pageexec import wire


class OutputLimit(BaseException):
    """A block printed more than the limit (BaseException: a block's ``except Exception`` cannot stop it)."""


class _LimitedText(io.StringIO):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit, self.size = limit, 0

    def write(self, text: str) -> int:
        self.size += len(text.encode("utf-8", "surrogatepass"))
        if self.limit and self.size > self.limit:
            raise OutputLimit
        return super().write(text)


def _traceback(error: BaseException, filename: str) -> str:
    """The traceback from the block's own frame on (the worker's frames are plumbing)."""
    frames = traceback.extract_tb(error.__traceback__)
    start = next((i for i, frame in enumerate(frames) if frame.filename == filename), 0)
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames[start:])]
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


def run_block(code: str, scope: dict, filename: str, limit: int, workdir: str | None, width: int | None) -> tuple:
    """Run one block; ``("ok", output)``, ``("error", traceback)``, ``("exit", code)`` or ``("limit", size)``."""
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    buffer = _LimitedText(limit)
    if width:
        os.environ["COLUMNS"] = str(width)
    try:
        with contextlib.redirect_stdout(buffer), (contextlib.chdir(workdir) if workdir else contextlib.nullcontext()):
            exec(compile(code, filename, "exec"), scope)  # noqa: S102 - executing the page's code is the point
    except OutputLimit:
        return ("limit", limit)
    except SystemExit as error:
        return ("exit", error.code)
    except BaseException as error:  # noqa: BLE001 - reported to the build, which names the block
        return ("error", _traceback(error, filename))
    finally:
        sys.stdout.flush()
    return ("ok", buffer.getvalue())


def serve_page(channel: socket.socket) -> None:
    """A page's worker: run the blocks it is sent until told to stop; then end at once."""
    sessions: dict[str, dict] = {}
    wire.send(channel, ("ready", os.getpid()))
    while True:
        try:
            message = wire.receive(channel)
        except wire.Closed:
            os._exit(0)
        if message[0] != "run":
            os._exit(0)  # "stop": os._exit ends the process even if a block left threads running
        _, code, session, filename, limit, workdir, width = message
        scope = sessions.setdefault(session, {"__name__": "__main__"}) if session else {"__name__": "__main__"}
        wire.send(channel, run_block(code, scope, filename, limit, workdir, width))


def _reap(statuses: dict[int, int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        statuses[pid] = status


def zygote(control: socket.socket, preload: list[str]) -> None:
    """Import ``preload``, then fork one worker per request until the control socket closes."""
    for name in preload:
        __import__(name)
    statuses: dict[int, int] = {}
    control.sendall(os.getpid().to_bytes(8, "big"))  # ready
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1024, 1)
        except OSError:
            os._exit(0)
        if not message:  # the build is done: end now, without tearing down what the preload imported
            os._exit(0)
        _reap(statuses)
        if message == b"f" and fds:
            pid = os.fork()
            if pid == 0:  # the page's worker
                control.close()
                os.setsid()
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                channel = socket.socket(fileno=fds[0])
                try:
                    serve_page(channel)
                finally:
                    os._exit(0)
            os.close(fds[0])
            control.sendall(pid.to_bytes(8, "big"))
        elif message.startswith(b"w"):  # the exit status of a worker: -1 while it runs
            pid = int.from_bytes(message[1:9], "big")
            status = statuses.pop(pid, None)
            code = -1 if status is None else os.waitstatus_to_exitcode(status)
            control.sendall(code.to_bytes(8, "big", signed=True))
        for fd in fds[1:]:
            os.close(fd)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # the same numbers with 1 worker or 8
    zygote(socket.socket(fileno=int(sys.argv[1])), [name for name in sys.argv[2:] if name])
