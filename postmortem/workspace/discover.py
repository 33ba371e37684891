"""Find the incident records of a workspace: YAML files, in folders or named one by one."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

RECORD_SUFFIXES = (".yaml", ".yml")


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
