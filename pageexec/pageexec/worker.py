"""The worker processes (this module runs in them, never in the build).

``python -m pageexec.worker FD MODULE...`` is the *zygote*: it imports the preload modules
(torch and the lesson package, say) once, then waits on the control socket ``FD``. For each
page the build sends it one end of a new socket; the zygote forks, and the child becomes
that page's worker: a session leader (so a kill reaches its threads and child processes),
with a copy of the preloaded modules and none of any other page's state. It runs the
page's blocks in order, one message per block, and ends when the build says so or the
socket closes.

A worker runs in its page's folder with a temporary folder of its own (``TMPDIR``), its
blocks' globals are a real ``__main__`` module (so ``pickle`` and ``multiprocessing`` find
the functions a page defines), and it may not write inside the project (an audit hook
refuses it: a page that writes into ``docs/`` would make ``mkdocs serve`` rebuild for
ever). The zygote and every worker die with their parent (a parent-death signal), so a
``kill -9`` of the build leaves no block running.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import linecache
import os
import signal
import socket
import sys
import tempfile
import traceback
import types

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


def die_with_parent() -> None:
    """Be killed when the process that started this one ends (Linux ``PR_SET_PDEATHSIG``)."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux: the control socket still ends the zygote
        return
    if os.getppid() != parent:  # the parent ended before the signal was set
        os._exit(1)


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# audit events that change the file system, and which of their arguments are paths
_CHANGES = {"os.mkdir": (0,), "os.rename": (0, 1), "os.remove": (0,), "os.rmdir": (0,), "os.symlink": (1,),
            "os.link": (1,), "os.chmod": (0,), "os.chown": (0,), "os.utime": (0,), "os.truncate": (0,),
            "shutil.copyfile": (1,), "shutil.copytree": (1,), "shutil.rmtree": (0,), "shutil.move": (0, 1)}


_READS: set[tuple[str, str]] = set()  # (module, attribute) read from a tracked package's modules


class _TrackedModule(types.ModuleType):
    """A module of a watched package that records which of its attributes are read."""

    def __getattribute__(self, name: str):
        _READS.add((types.ModuleType.__getattribute__(self, "__name__"), name))
        return types.ModuleType.__getattribute__(self, name)


def _ours(name: str, packages: list[str]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def track(packages: list[str]) -> None:
    """From now on, record the attributes read from the loaded modules of ``packages``."""
    for name, module in list(sys.modules.items()):
        if _ours(name, packages) and type(module) is types.ModuleType:
            module.__class__ = _TrackedModule


def used(packages: list[str], before: set[str]) -> tuple[list, list[str]]:
    """What the page used of ``packages``: ``(module, attribute, module defining the value)``
    for every attribute read, and the modules of the packages it imported."""
    reads = []
    for module_name, attribute in sorted(_READS):
        try:
            value = types.ModuleType.__getattribute__(sys.modules[module_name], attribute)
        except (KeyError, AttributeError):
            value = None
        owner = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        reads.append((module_name, attribute, owner if isinstance(owner, str) else None))
    return reads, sorted(name for name in sys.modules if name not in before and _ours(name, packages))


class ProjectWriteRefused(PermissionError):
    """A page's code tried to write inside the project."""


def guard_writes(project: str, allowed: str) -> None:
    """Refuse every write under ``project`` (but under ``allowed``) from now on, in this process."""
    project, allowed = os.path.realpath(project), os.path.realpath(allowed)

    def refused(path) -> bool:
        if isinstance(path, int) or path is None:
            return False
        target = os.path.realpath(os.fsdecode(path))
        inside = target == project or target.startswith(project + os.sep)
        return inside and not (target == allowed or target.startswith(allowed + os.sep))

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            writes = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & _WRITE_FLAGS)
            paths = (path,) if writes else ()
        elif event in _CHANGES:
            paths = tuple(args[i] for i in _CHANGES[event] if i < len(args))
        else:
            return
        for path in paths:
            if refused(path):
                raise ProjectWriteRefused(
                    f"pageexec: a page's code may not write inside the project ({os.fsdecode(path)}); "
                    "write to a temporary folder (the tempfile module) instead")

    sys.addaudithook(hook)


def run_block(code: str, module: types.ModuleType, filename: str, limit: int, workdir: str | None, width: int | None) -> tuple:
    """Run one block: ``("ok", output)``, ``("error", traceback)``, ``("exit", code)``, ``("limit", size)``
    or ``("invalid", why)`` (it printed text that is not Unicode)."""
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    buffer = _LimitedText(limit)
    columns = os.environ.get("COLUMNS")
    if width:
        os.environ["COLUMNS"] = str(width)
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = module  # pickle looks a page's functions up in __main__
    try:
        with contextlib.redirect_stdout(buffer), (contextlib.chdir(workdir) if workdir else contextlib.nullcontext()):
            exec(compile(code, filename, "exec"), module.__dict__)  # noqa: S102 - executing the page's code is the point
    except OutputLimit:
        return ("limit", limit)
    except SystemExit as error:
        return ("exit", error.code)
    except BaseException as error:  # noqa: BLE001 - reported to the build, which names the block
        return ("error", _traceback(error, filename))
    finally:
        sys.stdout.flush()
        sys.modules["__main__"] = main
        if width:  # the width is the block's own
            if columns is None:
                os.environ.pop("COLUMNS", None)
            else:
                os.environ["COLUMNS"] = columns
    output = buffer.getvalue()
    try:
        output.encode("utf-8")
    except UnicodeEncodeError as error:
        return ("invalid", f"{output[error.start]!r} at character {error.start}: {error.reason}")
    return ("ok", output)




def serve_page(channel: socket.socket) -> None:
    """A page's worker: run the blocks it is sent until told to stop; then end at once."""
    sessions: dict[str, types.ModuleType] = {}
    _, folder, project, packages = wire.receive(channel)  # ("page", its folder, the project to protect, packages to track)
    scratch = tempfile.mkdtemp(prefix="pageexec-page-")
    os.environ["TMPDIR"] = tempfile.tempdir = scratch
    if folder:
        os.chdir(folder)
    if project:
        guard_writes(project, scratch)
    before = set(sys.modules)
    if packages:
        track(packages)
    wire.send(channel, ("ready", os.getpid(), scratch))
    while True:
        try:
            message = wire.receive(channel)
        except wire.Closed:
            os._exit(0)
        if message[0] == "used":
            wire.send(channel, used(packages, before))
            continue
        if message[0] != "run":
            os._exit(0)  # "stop": os._exit ends the process even if a block left threads running
        _, code, session, filename, limit, workdir, width = message
        # a session's globals are one fresh __main__ module; a block without a session gets its own
        module = sessions.setdefault(session, types.ModuleType("__main__")) if session else types.ModuleType("__main__")
        wire.send(channel, run_block(code, module, filename, limit, workdir, width))


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
    """Import ``preload``, then fork one worker per request until the control socket closes.

    If an import fails, its traceback is sent to the build (which reports it once) and the
    zygote ends.
    """
    die_with_parent()
    # Ctrl-C reaches the whole process group: the build stops, and the zygote ends when the build
    # closes its control socket (or dies), never half-way through a fork
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in preload:
        try:
            __import__(name)
        except BaseException as error:  # noqa: BLE001 - a broken package: the build names it
            why = traceback.format_exception_only(error)[-1].strip()
            if isinstance(error, SyntaxError) and error.filename:
                why += f" ({error.filename}, line {error.lineno})"
            trace = "".join(traceback.format_exception(error)).rstrip()[-60000:]
            control.sendall(b"E" + f"importing {name!r} raised {why}\n{trace}".encode())
            os._exit(1)
    statuses: dict[int, int] = {}
    control.sendall(b"R" + os.getpid().to_bytes(8, "big"))  # ready
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
                die_with_parent()
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
