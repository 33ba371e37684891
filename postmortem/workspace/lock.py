"""Hold a build's output folder for one process at a time, on POSIX and on Windows.

The lock is the operating system's (`flock` on POSIX, a byte-range lock on Windows), so
it dies with the process that holds it: a build that is killed leaves no stale lock.
The lock file holds the holder's process id, for the message a second build gives.
"""

from __future__ import annotations

import errno
import os
import stat
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
    """Hold the output folder for this process alone, or raise BuildLocked naming the holder.

    The lock file is opened without following a symbolic link and only a regular file
    with no other name is written to, so that a build never truncates another file.
    """
    path = output / LOCK_FILE
    with _open_lock(path) as lock:
        if not _try_lock(lock):
            lock.seek(0)
            holder = lock.read(64).decode("ascii", "replace").strip() or "another process"
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


def _open_lock(path: Path) -> BinaryIO:
    """Open (or create) the lock file itself, refusing a link or anything but a plain file."""
    if sys.platform == "win32" and path.is_symlink():  # Windows has no O_NOFOLLOW
        raise _not_a_lock(path, "a symbolic link")
    flags = (os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        handle = os.open(path, flags, 0o644)
    except OSError as error:
        if error.errno == errno.ELOOP or path.is_symlink():
            raise _not_a_lock(path, "a symbolic link") from None
        raise
    status = os.fstat(handle)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink > 1:
        os.close(handle)
        raise _not_a_lock(path, "not a plain file" if not stat.S_ISREG(status.st_mode)
                          else "a second name of another file (a hard link)")
    return os.fdopen(handle, "r+b")


def _not_a_lock(path: Path, what: str) -> WorkspaceError:
    return WorkspaceError(f"{path} is {what}; a build locks its output folder with a file of "
                          "its own: remove it, then build again")
