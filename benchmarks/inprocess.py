"""Time validate and the Markdown review of each record of a folder, in this process.

    python benchmarks/inprocess.py FOLDER [--json FILE]

For every record: `read_incident` (load and validate, what `validate` does for a file),
then `render_outputs(..., ("md",))` (load, validate, derive and write the Markdown, what a
build worker does for a record in Markdown). The first record pays for the imports and
the templates' compilation; its times are reported apart. Prints the per-record medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


def time_records(paths: list[Path]) -> dict[str, list[float]]:
    """Return the seconds each record took to validate and to render in Markdown."""
    from postmortem.record.validate import read_incident
    from postmortem.workspace.pipeline import render_outputs

    times: dict[str, list[float]] = {"validate": [], "markdown": []}
    for path in paths:
        started = time.perf_counter()
        read_incident(path)
        validated = time.perf_counter()
        render_outputs(path, path.read_bytes(), ("md",))
        times["validate"].append(validated - started)
        times["markdown"].append(time.perf_counter() - validated)
    return times


def main(argv: list[str]) -> int:
    """Time every record of the folder given; print the medians, write the times as asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", type=Path, help="write every record's times into this file")
    args = parser.parse_args(argv)
    times = time_records(sorted(args.folder.glob("*.yaml")))
    for step, seconds in times.items():
        print(f"{step}: first {seconds[0] * 1000:.1f} ms, then a median of "
              f"{statistics.median(seconds[1:] or seconds) * 1000:.2f} ms a record")
    if args.json:
        args.json.write_text(json.dumps(times), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
