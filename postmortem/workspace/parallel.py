"""Check many record files in several processes, so that `validate` and `lint` use every core.

The files are cut into consecutive runs, a few per process, and the results come back in
the order of the files: the output is the same as with one process. A few files are
checked in this process, which costs less than starting another.

The processes are forked where the system can, inheriting what is already imported;
elsewhere they are spawned. They ignore Ctrl-C: the command stops them and says it was
interrupted.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Sequence
from typing import TypeVar

from postmortem.i18n import message_language, messages_in

T = TypeVar("T")
P = TypeVar("P")

#: Fewer files than this for each process, and a second process costs more than it saves.
FILES_PER_PROCESS = 8

#: Runs of files for each process: with several, a process that drew slow files does not
#: hold the others up.
RUNS_PER_PROCESS = 4


def check_all(check: Callable[[P], T], paths: Sequence[P], jobs: int) -> list[T]:
    """Return `check(path)` for every path, in order, computed in up to `jobs` processes.

    `check` must be a module-level function (or a functools.partial of one) whose
    arguments and result can be pickled.
    """
    jobs = min(jobs, len(paths) // FILES_PER_PROCESS)
    if jobs < 2:
        return [check(path) for path in paths]
    import multiprocessing  # only when there is work for several processes

    size = -(-len(paths) // (jobs * RUNS_PER_PROCESS))
    runs = [list(paths[start:start + size]) for start in range(0, len(paths), size)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(jobs, initializer=_ignore_interrupts) as pool:
        done = pool.starmap(_check_run, [(check, run, message_language()) for run in runs])
    return [result for run in done for result in run]


def _check_run(check: Callable[[P], T], paths: list[P], lang: str) -> list[T]:
    """Check a run of files in a worker, with messages in the command's language."""
    with messages_in(lang):
        return [check(path) for path in paths]


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
