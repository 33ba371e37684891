"""Render records in worker processes, each record under a time and a memory bound.

A worker is started once (spawn) and renders record after record. It returns the
rendered bytes and writes nothing: the parent, which holds the output folder's lock,
writes them, so that a worker left behind by a dead parent could change nothing.
Workers die with their parent anyway: on Linux the kernel kills them
(PR_SET_PDEATHSIG), elsewhere a thread of theirs watches the parent.

A record that takes longer than the time limit has its worker killed, and is reported
failed naming the limit; a worker's address space is capped (RLIMIT_AS, on POSIX), so
that a record needing more memory raises MemoryError, reported naming the limit, or
dies, reported the same way. A fresh worker then takes the next record, so one record
never stalls or ends the others. `--jobs 1` and `render` use one worker too: an alarm in
the parent could not interrupt a long call into C (Pango, a regular expression), and a
memory cap on the parent would bound its own writing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING

from postmortem.errors import PostmortemError, Problem, WorkspaceError
from postmortem.workspace.bounds import Bounds

if TYPE_CHECKING:
    from postmortem.render.settings import RenderSettings

_READY = "ready"
_START_LIMIT = 300.0  # seconds a worker may take to start (import the renderers)
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Job:
    """One record to render: where it is, its bytes as read, and how to render it."""

    source: str
    raw: bytes
    formats: tuple[str, ...]
    settings: RenderSettings = field(default_factory=lambda: _default_settings())
    today: date | None = None
    documents: tuple[str, ...] = ("full",)


@dataclass(frozen=True)
class Rendered:
    """What a worker gives back: the outputs' names and bytes, or the problems found."""

    source: str
    incident_id: str = ""
    files: tuple[tuple[str, bytes], ...] = ()
    problems: tuple[Problem, ...] = ()


def _default_settings() -> RenderSettings:
    from postmortem.render.settings import RenderSettings  # the renderers' models: imported late

    return RenderSettings()


def start_worker(formats: Sequence[str]) -> Worker:
    """Start a worker now, to be given to `render_jobs`: it starts while this process works.

    It loads the renderers of `formats`, then waits for its bounds; a worker that no
    `render_jobs` takes is ended by `Worker.stop`, or dies with this process.
    """
    return Worker(get_context("spawn"), tuple(formats))


def render_jobs(jobs: Iterable[Job], workers: int, bounds: Bounds,
                formats: Sequence[str], started: Sequence[Worker] = ()) -> Iterator[Rendered]:
    """Render every job in at most `workers` processes; yield each result as it comes.

    `formats` say which renderers a worker loads before it takes its first record. The
    longest records are given out first (their source's size stands for their rendering
    time; records of one size keep their order), so that the last ones given out are
    short and the workers finish together. The workers `started` (`start_worker`) are
    used first.
    """
    queue = deque(sorted(jobs, key=lambda job: len(job.raw), reverse=True))
    context = get_context("spawn")
    running: list[Worker] = list(started)
    try:
        for worker in running:
            worker.bound(bounds)
        while queue or any(worker.job for worker in running):
            busy = sum(1 for worker in running if worker.job)
            while len(running) < min(workers, busy + len(queue)):
                worker = Worker(context, tuple(formats))
                running.append(worker)
                worker.bound(bounds)
            for worker in running:
                if worker.ready and worker.job is None and queue and worker.give(queue[0]):
                    queue.popleft()
            running = [worker for worker in running if worker.alive]
            if not running:
                continue
            wait([worker.connection for worker in running]
                 + [worker.process.sentinel for worker in running],
                 max(0.0, min(worker.timeout() for worker in running)))
            for worker in list(running):
                result = worker.result(bounds)
                if result is not None:
                    yield result
                if not worker.alive:
                    running.remove(worker)
    finally:
        for worker in running:
            worker.stop()


class Worker:
    """One worker process, the job it is rendering and when that job's time is up."""

    def __init__(self, context, formats: tuple[str, ...]):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, os.getpid(), formats),
                                       name="postmortem-worker", daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.alive = True
        self.job: Job | None = None
        self.deadline = time.monotonic() + _START_LIMIT
        self.seconds = Bounds().seconds

    def bound(self, bounds: Bounds) -> None:
        """Tell the worker its memory cap, which it sets before it says it is ready."""
        self.seconds = bounds.seconds
        with contextlib.suppress(OSError):  # it died starting: `result` reports it
            self.connection.send(bounds.mebibytes)

    def give(self, job: Job) -> bool:
        """Send the worker a job, whose time starts now; return False if the worker is gone."""
        try:
            self.connection.send(job)
        except OSError:
            self.stop()  # it died idle: another worker takes the job
            return False
        self.job = job
        self.deadline = time.monotonic() + self.seconds
        return True

    def timeout(self) -> float:
        """Return the seconds until this worker's time is up (its job's, or its start's)."""
        return self.deadline - time.monotonic() if self.job or not self.ready else _START_LIMIT

    def result(self, bounds: Bounds) -> Rendered | None:
        """Take what the worker said, if anything; end it if it died or ran out of time."""
        message = None
        try:
            if self.connection.poll():
                message = self.connection.recv()
        except (EOFError, OSError):
            pass  # it died: its sentinel says so below
        if message == _READY:
            self.ready = True
            return None
        if isinstance(message, tuple):
            rendered, retiring = message
            self.job = None
            if retiring:  # it ran out of memory: it takes no other record
                self.stop()
            return rendered
        if not self.process.is_alive():
            job = self.job
            self.stop()
            if job:
                return _failure(job, bounds.died(self.process.exitcode))
            if not self.ready:
                raise WorkspaceError(f"a worker process could not start (exit status "
                                     f"{self.process.exitcode}); build again, perhaps with "
                                     "more memory free")
            return None
        if time.monotonic() >= self.deadline and (self.job or not self.ready):
            job = self.job
            self.stop()
            if job:
                return _failure(job, bounds.too_slow())
            raise WorkspaceError(f"a worker process did not start within {_START_LIMIT:g} s; "
                                 "build again")
        return None

    def stop(self) -> None:
        """Kill the worker (it writes nothing, so nothing is lost) and wait for it."""
        self.alive = False
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def _failure(job: Job, message: str) -> Rendered:
    return Rendered(job.source, problems=(Problem(job.source, 1, 1, message),))


# What runs in a worker process.

def serve(connection: Connection, parent: int, formats: Sequence[str]) -> None:
    """Render each job the parent sends until it closes the pipe (in a worker process).

    The first message is the memory cap, in MiB; each one after it a job.
    """
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent hears Ctrl-C and ends us
    _warm_up(formats)
    try:
        mebibytes = connection.recv()
    except (EOFError, OSError):
        return
    _cap_memory(mebibytes)
    connection.send(_READY)
    bounds = Bounds(mebibytes=mebibytes)
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        try:
            result = render_job(job)
            if result is None:
                # A worker that ran out of memory is not trusted with another record.
                connection.send((_failure(job, bounds.too_large()), True))
                os._exit(3)
            connection.send((result, False))
        except BaseException:  # noqa: BLE001 - no traceback: the parent reports the death
            os._exit(4)


def render_job(job: Job) -> Rendered | None:
    """Render one job in this process; return None if it ran out of memory."""
    from postmortem.workspace.pipeline import render_outputs

    try:
        incident_id, files = render_outputs(job.source, job.raw, job.formats, job.settings,
                                            job.today, job.documents)
    except MemoryError:
        return None
    except PostmortemError as exc:
        # A problem in no file belongs to this record.
        problems = tuple(problem if problem.path else Problem(job.source, 1, 1, problem.message)
                         for problem in exc.problems)
    except OSError as exc:  # a temporary file of the PDF engine's, on a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        advice = (f"; free some space in {tempfile.gettempdir()}, or set TMPDIR to another "
                  "folder" if exc.errno in (errno.ENOSPC, errno.EFBIG) else "")
        problems = (Problem(job.source, 1, 1, f"cannot render: {where}"
                            f"{(exc.strerror or str(exc)).lower()}{advice}"),)
    except RecursionError:
        problems = (Problem(job.source, 1, 1, "cannot render: values are nested too deeply"),)
    except Exception as exc:  # noqa: BLE001 - one broken record must not stop the others
        problems = (Problem(job.source, 1, 1, f"cannot render: {type(exc).__name__}: {exc}"),)
    else:
        return Rendered(job.source, incident_id, tuple(files.items()))
    return Rendered(job.source, problems=problems)


def _die_with(parent: int) -> None:
    """End this process when the parent dies, even in the middle of a record."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the thread below still watches
    if sys.platform != "win32" and os.getppid() != parent:
        os._exit(1)  # the parent died before we could ask to die with it
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    if sys.platform == "win32":
        from multiprocessing import parent_process

        process = parent_process()
        if process is not None:
            process.join()  # returns when the parent's process handle is signalled
            os._exit(1)
        return
    while os.getppid() == parent:  # once the parent is gone, another process adopts us
        time.sleep(0.5)
    os._exit(1)


def _warm_up(formats: Sequence[str]) -> None:
    """Import the renderers once, before any record's time starts."""
    import postmortem.workspace.pipeline
    from postmortem.render.environment import precompile

    # The bundled templates of the full review; a workspace's own are compiled when used.
    precompile(["report.md.j2"])
    if "html" in formats or "pdf" in formats:
        import postmortem.render.page

        precompile(["report.html.j2", "current-state.j2", "report.css", "report-screen.css"])
    if "pdf" in formats:
        import weasyprint  # noqa: F401

        import postmortem.render.pdf  # noqa: F401


def _cap_memory(mebibytes: int) -> None:
    """Cap this process's address space, where the system allows it (not on Windows)."""
    try:
        import resource
    except ImportError:
        return
    limit = mebibytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):  # if refused, the time limit still holds
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
