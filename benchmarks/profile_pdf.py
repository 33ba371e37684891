"""Profile one record's PDF, rendered in this process, and group the time by package.

    python benchmarks/profile_pdf.py incidents/2024-08-03-aphp-datacenter-power-outage.yaml

cProfile watches the imports and the render (`render_outputs(..., ("pdf",))`, what a build
worker does for a record). It prints the self time of each package (postmortem, jinja2,
markdown_it, weasyprint, pydyf, fontTools, other: every function counted once), the time
inside calls into each package from outside it (its callees included), and the postmortem
functions that take the most time. `--json FILE` also writes those figures for the suite;
`--save FILE` keeps the raw profile for `python -m pstats FILE`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
from pathlib import Path

from figures import duration, table

PACKAGES = ("postmortem", "jinja2", "markdown_it", "weasyprint", "pydyf", "fontTools")
TOP = 15


def package_of(filename: str) -> str:
    """Return which of PACKAGES a function's file belongs to, else `other`."""
    parts = Path(filename).parts
    return next((name for name in PACKAGES if name in parts), "other")


def profile(record: Path) -> pstats.Stats:
    """Import the renderer and render the record's PDF under cProfile; return the stats."""
    profiler = cProfile.Profile()
    profiler.enable()
    from postmortem.workspace.pipeline import render_outputs

    render_outputs(record, record.read_bytes(), ("pdf",))
    profiler.disable()
    return pstats.Stats(profiler)


def grouped(stats: pstats.Stats) -> dict[str, object]:
    """Return the total, the self and inward time by package, and the top functions."""
    entries = stats.stats  # type: ignore[attr-defined]
    own = dict.fromkeys((*PACKAGES, "other"), 0.0)
    inward = dict.fromkeys((*PACKAGES, "other"), 0.0)
    functions = []
    for (filename, line, name), (_, _, self_time, total, callers) in entries.items():
        package = package_of(filename)
        own[package] += self_time
        inward[package] += sum(edge[3] for caller, edge in callers.items()
                               if package_of(caller[0]) != package)
        if package == "postmortem":
            functions.append({"function": f"{_module(filename)}.{name}:{line}",
                              "self": self_time, "cumulative": total})
    functions.sort(key=lambda item: item["cumulative"], reverse=True)
    return {"total": stats.total_tt, "self": own, "inward": inward,  # type: ignore[attr-defined]
            "functions": functions[:TOP]}


def _module(filename: str) -> str:
    parts = Path(filename).with_suffix("").parts
    return ".".join(parts[len(parts) - parts[::-1].index("postmortem") - 1:])


def as_text(figures: dict) -> str:
    """Write the grouped figures as two Markdown tables."""
    total = figures["total"]
    packages = table(
        ["package", "self time", "share", "inside calls into it"],
        [[name, duration(figures["self"][name]), f"{figures['self'][name] / total:.0%}",
          duration(figures["inward"][name]) if name != "other" else "–"]
         for name in (*PACKAGES, "other")])
    functions = table(
        ["postmortem function", "cumulative", "self"],
        [[f"`{item['function']}`", duration(item["cumulative"]), duration(item["self"])]
         for item in figures["functions"]])
    return f"{packages}\n\n{functions}"


def main(argv: list[str]) -> int:
    """Profile the record given; print the tables, and write them as asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("record", type=Path)
    parser.add_argument("--json", type=Path, help="write the figures into this file")
    parser.add_argument("--save", type=Path, help="keep the raw profile in this file")
    args = parser.parse_args(argv)
    stats = profile(args.record)
    if args.save:
        stats.dump_stats(args.save)
    figures = grouped(stats)
    print(f"{duration(figures['total'])} in all\n\n{as_text(figures)}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
