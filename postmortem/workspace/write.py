"""Write outputs atomically: a reader sees the old complete files or the new ones, never half.

`write_together` replaces the outputs of one record (or of the index) as a set: every
temporary file is written and synced first, then they are renamed over the old ones; a
failure at any step removes every temporary, puts back what was replaced, and raises a
WorkspaceError that names the output folder and says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from postmortem.errors import WorkspaceError

# What a failed write of outputs asks the user to do, by the reason the system gives.
_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_REFUSED = {errno.EACCES, errno.EPERM, errno.EROFS}


def write_atomic(path: Path, content: str | bytes, mode: int = 0o644) -> None:
    """Write `content` to `path` through a temporary file in the same folder and a rename."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_together(folder: Path, files: Mapping[str, str | bytes], option: str = "-o",
                   mode: int = 0o644) -> list[Path]:
    """Replace the files `folder/<name>` together, or leave every one as it was; return them.

    `option` is the flag that chooses the folder, for the message of a failure.
    """
    temporaries: dict[str, str] = {}
    backups: dict[str, str] = {}
    replaced: list[str] = []
    try:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            handle, temporaries[name] = tempfile.mkstemp(dir=folder, prefix=f".{name}.",
                                                         suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporaries[name], mode)
        # A second name for each old file, so that a rename that fails can be undone.
        for name in files:
            backup = _keep_old(folder / name)
            if backup:
                backups[name] = backup
        for name in files:
            os.replace(temporaries[name], folder / name)
            del temporaries[name]
            replaced.append(name)
    except OSError as error:
        for name in replaced:  # put the old files back, or remove the new ones they lacked
            if name in backups:
                os.replace(backups.pop(name), folder / name)
            else:
                (folder / name).unlink(missing_ok=True)
        _remove([*temporaries.values(), *backups.values()])
        raise output_error(folder, error, option) from None
    except BaseException:
        _remove(temporaries.values())
        raise
    _remove(backups.values())
    _sync_folder(folder)
    return [folder / name for name in files]


def make_folder(folder: Path, option: str = "-o") -> None:
    """Create `folder` (and its parents) unless it exists; say what is in the way if it cannot."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise WorkspaceError(f"{folder} is a file, not a folder: give {option} a folder "
                             "(it is created when missing)") from None
    except NotADirectoryError:
        blocker = next((parent for parent in folder.parents if parent.is_file()), folder.parent)
        raise WorkspaceError(f"cannot create the folder {folder}: {blocker} is a file, not a "
                             f"folder; give {option} another folder") from None
    except OSError as error:
        raise output_error(folder, error, option) from None


def output_error(folder: Path, error: OSError, option: str = "-o") -> WorkspaceError:
    """Say that the outputs cannot be written into `folder`, why, and what to do."""
    reason = (error.strerror or str(error)).lower()
    if error.errno in _FULL:
        advice = f"free some space, or choose another folder with {option}"
    elif error.errno in _REFUSED:
        advice = f"choose a folder you may write to with {option}, or change its permissions"
    else:
        advice = f"check the folder, or choose another one with {option}"
    return WorkspaceError(f"cannot write into {folder}/: {reason}: {advice}; "
                          "the files already there are unchanged")


def _keep_old(path: Path) -> str | None:
    """Give an existing file a second (temporary) name; return it, or None if there is none."""
    while True:
        backup = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            os.link(path, backup)
        except FileExistsError:
            continue
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
                return None  # a file system without hard links: replaced without a way back
            raise
        return str(backup)


def _remove(paths: Iterable[str]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):  # a leftover .tmp file: the next build removes it
            os.unlink(path)


def _sync_folder(folder: Path) -> None:
    """Make the renames durable too (POSIX; elsewhere the file system does)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
