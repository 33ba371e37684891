"""The suite's plan, its commands and its state, the machine it runs on, and the code it runs.

`Bench.measure` runs commands in interleaved rounds, each round in a rotated order, so that
a change of the machine's load touches every command compared alike.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from build_workspace import RECORD, snapshot_code
from measure import Run, run

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"


@dataclass(frozen=True)
class Plan:
    """How many runs of each figure, and how large each workload."""

    quick: bool = False
    runs: int = 3  # of each whole-process figure of a few seconds
    start_runs: int = 10  # of each command-start figure
    pdf_rounds: int = 5
    build_rounds: int = 2
    noop_runs: int = 5
    records: int = 1000
    build_records: int = 20
    record_steps: tuple[int, ...] = (10, 100, 1000)
    entry_steps: tuple[int, ...] = (10, 100, 1000, 2000, 5000)
    page_steps: tuple[int, ...] = (2, 10, 25, 50)
    page_runs: int = 2


QUICK = Plan(quick=True, runs=1, start_runs=3, pdf_rounds=1, build_rounds=1, noop_runs=1,
             records=50, build_records=4, record_steps=(10, 50), entry_steps=(10, 1000, 5000),
             page_steps=(2, 10), page_runs=1)


@dataclass(frozen=True)
class Command:
    """A command to measure: its arguments, where it runs, and its expected exit status."""

    argv: Sequence[str]
    cwd: Path
    expect: int | None = 0
    before: Callable[[], None] | None = None  # runs before each run, untimed


@dataclass(frozen=True)
class LoadReading:
    """The load average at one moment of the run, and how far into the run it was."""

    label: str
    load: tuple[float, float, float]
    elapsed: float  # seconds since the run started


@dataclass
class Bench:
    """The state of one run of the suite: its plan, its folder, the load read so far."""

    plan: Plan
    folder: Path
    env: dict[str, str]
    loads: list[LoadReading] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)  # what a section leaves to a later one
    started: float = field(default_factory=time.perf_counter)

    @property
    def bin(self) -> Path:
        """The folder of this Python's commands (the virtual environment's)."""
        return Path(sys.executable).parent

    def postmortem(self, *arguments: str) -> list[str]:
        """Return the command line of postmortem with these arguments."""
        return [str(self.bin / "postmortem"), *arguments]

    def script(self, name: str, *arguments: str) -> list[str]:
        """Return the command line of one of the benchmarks' own scripts."""
        return [sys.executable, str(BENCHMARKS / name), *arguments]

    def place(self, name: str) -> Path:
        """Return a new empty folder of the run's temporary folder."""
        path = self.folder / name
        path.mkdir(parents=True)
        return path

    def pandoc(self) -> str | None:
        """Return the pandoc command, or None where it is not installed."""
        return shutil.which("pandoc", path=self.env.get("PATH"))

    def note_load(self, label: str) -> None:
        """Keep the load average of now, under a label."""
        self.loads.append(LoadReading(label, os.getloadavg(),
                                      time.perf_counter() - self.started))

    def measure(self, commands: dict[str, Command], rounds: int) -> dict[str, list[Run]]:
        """Run each command `rounds` times, interleaved, each round in a rotated order."""
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        names = list(commands)
        for number in range(rounds):
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                command = commands[name]
                if command.before:
                    command.before()
                runs[name].append(run(command.argv, command.cwd, self.env, command.expect))
        return runs


class LoadWatch(threading.Thread):
    """Read the load average every few seconds while the suite runs."""

    def __init__(self, every: float = 5.0):
        super().__init__(daemon=True)
        self.every = every
        self.readings: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.readings.append(os.getloadavg()[0])


def machine() -> dict[str, str]:
    """Describe the machine and the software measured."""
    return {
        "processor": _cpu_model(),
        "cores": f"{os.cpu_count()} ({len(os.sched_getaffinity(0))} usable by this process)",
        "system": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "postmortem": _version("postmortem"),
        "WeasyPrint": _version("weasyprint"),
        "pandoc": _pandoc_version() or "not installed",
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _pandoc_version() -> str | None:
    if not shutil.which("pandoc"):
        return None
    shown = subprocess.run(["pandoc", "--version"], capture_output=True, text=True, check=False)
    return shown.stdout.splitlines()[0].removeprefix("pandoc ").strip() if shown.stdout else None


def commit() -> str:
    """Return the commit checked out, read from .git without running git."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text(encoding="ascii").strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head.removeprefix("ref: ")
        if (git / ref).exists():
            return (git / ref).read_text(encoding="ascii").strip()[:12]
        for line in (git / "packed-refs").read_text(encoding="ascii").splitlines():
            if line.endswith(" " + ref):
                return line.split()[0][:12]
    except OSError:
        pass
    return "unknown"


def prepare(bench: Bench) -> None:
    """Copy the code measured, check that it is the one imported, and warm the caches."""
    snapshot_code(bench.folder)
    bench.env["PYTHONPATH"] = str(bench.folder / "code")
    bench.env["PATH"] = f"{bench.bin}{os.pathsep}{bench.env.get('PATH', '')}"
    found = run([sys.executable, "-c", "import postmortem, sys; "
                 "sys.exit(not postmortem.__file__.startswith(sys.argv[1]))",
                 str(bench.folder / "code")], bench.folder, bench.env, expect=None)
    if found.status:
        raise SystemExit("suite: the copy of the code is not the one imported")
    warm = bench.place("warm-up")
    shutil.copy(RECORD, warm)
    # The first runs compile the copy's bytecode and read the fonts into the page cache.
    for arguments in (["--help"], ["validate", RECORD.name], ["lint", RECORD.name],
                      ["render", RECORD.name, "--format", "md,html,pdf", "-o", "out"]):
        run(bench.postmortem(*arguments), warm, bench.env)
