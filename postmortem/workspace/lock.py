"""Hold a build's output folder for one process at a time, on POSIX and on Windows.

The lock is the operating system's (`flock` on POSIX, a byte-range lock on Windows), so
it dies with the process that holds it: a build that is killed leaves no stale lock.
The lock file holds the holder's process id, for the message a second build gives.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from postmortem.errors import WorkspaceError

LOCK_FILE = ".postmortem-build.lock"


class BuildLocked(WorkspaceError):
    """Another build holds the output folder."""


if sys.platform == "win32":
    import msvcrt

    # Windows refuses to read a locked byte: lock one far past the process id.
    _LOCKED_BYTE = 1 << 20

    def _try_lock(lock: BinaryIO) -> bool:
        lock.seek(_LOCKED_BYTE)
        try:
            msvcrt.locking(lock.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(lock: BinaryIO) -> None:
        lock.seek(_LOCKED_BYTE)
        msvcrt.locking(lock.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(lock: BinaryIO) -> bool:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(lock: BinaryIO) -> None:
        fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def hold(output: Path) -> Iterator[None]:
    """Hold the output folder for this process alone, or raise BuildLocked naming the holder."""
    with open(output / LOCK_FILE, "a+b") as lock:
        if not _try_lock(lock):
            lock.seek(0)
            holder = lock.read().decode("ascii", "replace").strip() or "another process"
            raise BuildLocked(
                f"another build is writing to {output}/ (process {holder}); "
                "wait for it to finish, then build again")
        try:
            lock.seek(0)
            lock.truncate()
            lock.write(str(os.getpid()).encode("ascii"))
            lock.flush()
            yield
        finally:
            lock.truncate(0)
            _unlock(lock)
