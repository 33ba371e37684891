"""Run a command as a whole process: its wall time, its exit status and its peak memory.

Peak memory is read two ways. `os.wait4` gives the exact peak resident set of the process
tree (Linux reports the largest of the process and of the children it waited for).
Meanwhile a thread reads `VmHWM` (the high-water mark of the resident set) in
`/proc/<pid>/status` of the process and of every descendant, found through
`/proc/<pid>/task/<tid>/children`, every few milliseconds: that tells the parent from its
workers, as a lower bound (what a process adds after the last reading is missed).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_EVERY = 0.02  # seconds between two readings of /proc


@dataclass(frozen=True)
class Run:
    """One whole-process run of a command."""

    seconds: float
    status: int
    tree_peak_kib: int  # from wait4: the process or its largest reaped child, whichever is larger
    parent_peak_kib: int  # sampled VmHWM of the process itself
    child_peak_kib: int  # sampled VmHWM of its largest descendant (0 without descendants)
    stderr: str


class CommandFailed(RuntimeError):
    """A measured command exited with a status other than the one expected."""


def run(command: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None,
        expect: int | None = 0) -> Run:
    """Run `command` to its end, measuring it; raise CommandFailed on an unexpected status.

    Its output is thrown away and its error output kept (for messages), in a file so that
    a talkative command never blocks on a full pipe. `expect=None` accepts any status.
    """
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env) if env else None,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=errors)
        sampler = _Sampler(process.pid)
        sampler.start()
        _, wait_status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(wait_status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if expect is not None and process.returncode != expect:
        raise CommandFailed(f"{' '.join(command)} exited {process.returncode}, "
                            f"expected {expect}:\n{stderr[-2000:]}")
    return Run(seconds, process.returncode, usage.ru_maxrss, sampler.peak(process.pid),
               max(sampler.peaks_except(process.pid), default=0), stderr)


class _Sampler(threading.Thread):
    """Read the memory high-water mark of a process and its descendants until stopped."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.peaks: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for pid in _tree(self.root):
                kib = _high_water_mark(pid)
                if kib:
                    self.peaks[pid] = max(kib, self.peaks.get(pid, 0))
            self.done.wait(SAMPLE_EVERY)

    def stop(self) -> None:
        """Stop sampling and wait for the thread to end."""
        self.done.set()
        self.join()

    def peak(self, pid: int) -> int:
        """Return the highest reading of one process (0 if never read)."""
        return self.peaks.get(pid, 0)

    def peaks_except(self, pid: int) -> list[int]:
        """Return the highest reading of every process read but `pid`."""
        return [kib for other, kib in self.peaks.items() if other != pid]


def _tree(root: int) -> list[int]:
    """Return `root` and its living descendants."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(_children(pid))
    return found


def _children(pid: int) -> list[int]:
    children: list[int] = []
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            with open(f"{task.path}/children", encoding="ascii") as listed:
                children.extend(int(child) for child in listed.read().split())
    except OSError:  # the process ended meanwhile
        pass
    return children


def _high_water_mark(pid: int) -> int:
    """Return the VmHWM of a process in KiB, or 0 if it ended or is a zombie."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
