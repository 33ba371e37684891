"""Measure postmortem on this machine in one run, and write docs/performance.md.

    make bench                     # the full suite, about ten minutes on two cores
    .venv/bin/python benchmarks/suite.py --quick --out /tmp/performance.md

Every figure is the median of several whole-process runs, with their range; commands
compared are run in interleaved rounds, and each ratio is taken within a round. The
machine's load is read before, during and after. The code measured is a copy of
postmortem/ taken at the start, so that edits made meanwhile do not count. Everything
but the document is written in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from document import document
from harness import QUICK, ROOT, Bench, LoadWatch, Plan, commit, machine, prepare
from sections import SECTIONS

DEFAULT_OUT = ROOT / "docs" / "performance.md"


def measure_all(plan: Plan, folder: Path) -> tuple[Bench, list, LoadWatch]:
    """Run every section in `folder`; return the suite's state, the results, the load read."""
    bench = Bench(plan, folder, dict(os.environ))
    watch = LoadWatch()
    bench.note_load("before")
    watch.start()
    prepare(bench)
    results = []
    for section in SECTIONS:
        bench.note_load(section.__name__.replace("_", " "))
        print(f"{bench.loads[-1].elapsed:4.0f} s  {section.__doc__.splitlines()[0]}", flush=True)
        results.append(section(bench))
    watch.done.set()
    bench.note_load("after")
    return bench, results, watch


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite and write the document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: one run of each figure, small workloads (a few "
                             "minutes), written into the temporary folder unless --out is given")
    parser.add_argument("--out", type=Path,
                        help=f"where to write the document (default: "
                             f"{DEFAULT_OUT.relative_to(ROOT)}, or for --quick "
                             f"{Path(tempfile.gettempdir()) / 'performance-quick.md'})")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else Plan()
    out = args.out or (Path(tempfile.gettempdir()) / "performance-quick.md" if args.quick
                       else DEFAULT_OUT)
    started, clock = datetime.now(UTC), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="postmortem-bench-") as folder:
        bench, results, watch = measure_all(plan, Path(folder))
    seconds = time.perf_counter() - clock
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document(results=results, machine=machine(), loads=bench.loads,
                            during=watch.readings, started=started, seconds=seconds,
                            commit=commit(), quick=plan.quick), encoding="utf-8")
    print(f"wrote {out} after {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
