"""Find the incident records of a workspace: YAML files, in folders or named one by one.

A record in a folder may be a symbolic link only to a file inside that folder: a link
out of it would make a build publish a file from elsewhere on the machine. A record
that is not a regular file (a FIFO, a socket, a device) is never opened for reading.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from postmortem.errors import Problem

RECORD_SUFFIXES = (".yaml", ".yml")

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISDIR, "a folder"))

def find_records(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand files and folders into the sorted list of record files they hold.

    In a folder, every entry named *.yaml or *.yml that is not a folder is a record, so
    that one that cannot be read (a FIFO, a dangling link) is reported, not skipped.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(_records_in(path)))
        else:
            found.append(path)
    return found


def _records_in(folder: Path) -> Iterator[Path]:
    """Yield the records of a folder and of its folders, links to folders not followed.

    As `Path.rglob` walks, with what each entry is read from the folder's listing: one
    call to the system per folder rather than one per file.
    """
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except PermissionError:
        return
    for entry in entries:
        try:
            folder_itself = entry.is_dir(follow_symlinks=False)
        except OSError:
            folder_itself = False
        if folder_itself:
            yield from _records_in(folder / entry.name)
        elif (entry.name.endswith(RECORD_SUFFIXES) and not entry.name.startswith(".")
              and not _is_dir(entry)):
            yield folder / entry.name


def _is_dir(entry: os.DirEntry) -> bool:
    """Return whether an entry is a folder, or a link to one (as `Path.is_dir` says)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def refused_records(paths: Iterable[str | os.PathLike]) -> dict[Path, Problem]:
    """Return a problem for each record of `paths` that must not be read (see `refusal`)."""
    refused = {}
    for path in map(Path, paths):
        folder = path if path.is_dir() else None
        for record in find_records([path]):
            problem = refusal(record, folder)
            if problem:
                refused[record] = problem
    return refused


def refusal(path: Path, folder: Path | None = None) -> Problem | None:
    """Say why the record at `path` is not read: a link out of `folder`, or not a regular file."""
    if folder is not None and _linked(path, folder):
        target = path.resolve()
        if not target.is_relative_to(folder.resolve()):
            return Problem(str(path), 1, 1, f"a symbolic link to {target}, outside {folder}/: "
                           f"a record must be a file in {folder}/; copy the file there, or "
                           "remove the link")
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # reading it says what is wrong
    kind = _kind(mode)
    if kind:
        return Problem(str(path), 1, 1, f"not a regular file ({kind}): a record is a YAML file")
    return None


def _linked(path: Path, folder: Path) -> bool:
    """Return whether `path`, or a folder between it and `folder`, is a symbolic link."""
    current = path
    while current != folder and current != current.parent:
        if current.is_symlink():
            return True
        current = current.parent
    return False


def _kind(mode: int) -> str | None:
    return next((kind for test, kind in _KINDS if test(mode)), None)
