"""The linear driver: load → validate → derive → render → write, for one record."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .derive import derive
from .render import render_markdown
from .validate import read_incident
from .write import write_atomic

FORMATS = ("md",)
RECORD_SUFFIXES = (".yaml", ".yml")


def render_file(
    path: str | os.PathLike,
    output_dir: Path,
    formats: Sequence[str] = FORMATS,
    template_dirs: Sequence[Path] = (),
) -> list[Path]:
    """Render one record into `output_dir` in the given formats; return the files written."""
    # Load and validate: raises RecordError carrying every problem with its position.
    incident = read_incident(path)
    # Derive durations, slippage and order from the record.
    report = derive(incident)
    # Render every format in memory first, so that a failure writes nothing at all.
    rendered = {"md": render_markdown(report, template_dirs)}
    # Write each output atomically, named after the incident id.
    written = []
    for fmt in formats:
        target = output_dir / f"{incident.id}.{fmt}"
        write_atomic(target, rendered[fmt])
        written.append(target)
    return written


def find_records(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand files and folders into the sorted list of record files they hold."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in RECORD_SUFFIXES
                                and p.is_file() and not p.name.startswith(".")))
        else:
            found.append(path)
    return found
