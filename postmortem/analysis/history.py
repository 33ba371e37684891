"""Ask git for the history of a record file and for the state of its working copy.

A record outside a git repository, or on a machine without git, simply has no history:
reports then leave the document-history section out instead of failing.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from postmortem.errors import WorkspaceError

#: Length of the commit ids shown in reports; fixed, so that a report of a given commit
#: does not change when the repository grows and git would abbreviate differently.
SHORT_ID_LENGTH = 8
#: A revision name with a control character, or a path after a colon, names no commit.
_UNSAFE_REVISION = re.compile(r"[\x00-\x1f\x7f:]")
_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
#: Seconds a git command may take before the history is given up.
GIT_TIMEOUT = 20

# Field and record separators of the log format: characters no commit subject holds.
_FIELD, _RECORD = "\x1f", "\x1e"
_LOG_FORMAT = _FIELD.join(["%H", "%aI", "%cI", "%an", "%s"]) + _RECORD

State = Literal["clean", "modified", "untracked", "outside"]


class GitError(WorkspaceError):
    """Raised when git cannot answer a question about a record."""


@dataclass(frozen=True)
class Revision:
    """One commit that changed the record."""

    commit: str
    authored: datetime
    committed: datetime
    author: str
    subject: str

    @property
    def short(self) -> str:
        """Return the commit id as reports show it."""
        return self.commit[:SHORT_ID_LENGTH]


@dataclass(frozen=True)
class History:
    """The commits that changed a record, oldest first, and where its working copy stands."""

    state: State
    revisions: list[Revision] = field(default_factory=list)

    @property
    def latest(self) -> Revision | None:
        """Return the last commit that changed the record, if any."""
        return self.revisions[-1] if self.revisions else None

    @property
    def clean(self) -> bool:
        """Return whether the file is exactly as its last commit left it."""
        return self.state == "clean" and self.latest is not None


NO_HISTORY = History("outside")


def read_history(path: str | os.PathLike) -> History:
    """Return the git history of a record file; an empty history outside git."""
    path = Path(path)
    folder, name = path.parent, path.name
    try:
        if _git(folder, "rev-parse", "--is-inside-work-tree").strip() != "true":
            return NO_HISTORY
        status = _git(folder, "status", "--porcelain=v1", "--untracked-files=all", "--", name)
    except GitError:
        return NO_HISTORY
    if status.startswith("??"):
        return History("untracked")
    try:
        # --follow keeps the commits made before the file was renamed or moved.
        log = _git(folder, "log", "--follow", "--no-color", f"--format={_LOG_FORMAT}",
                   "--", name)
    except GitError:
        return History("untracked")  # a repository without any commit yet
    revisions = [_revision(entry) for entry in log.split(_RECORD) if entry.strip()]
    revisions.reverse()  # git lists the newest first; a document history reads downwards
    if not revisions:
        return History("untracked")
    return History("clean" if not status.strip() else "modified", revisions)


def workspace_versions(folder: str | os.PathLike) -> dict[Path, str]:
    """Return, for each file under `folder`, its last commit and working-copy state.

    Two git calls for the whole folder, so that a build can tell cheaply which reports
    show an outdated version; an empty mapping outside git.
    """
    folder = Path(folder)
    try:
        root = Path(_git(folder, "rev-parse", "--show-toplevel").strip())
        log = _git(folder, "log", "--no-color", "--format=%x1e%H", "--name-only", "--", ".")
        status = _git(folder, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")
    except GitError:
        return {}
    versions: dict[Path, str] = {}
    for entry in log.split(_RECORD):
        commit, _, names = entry.strip("\n").partition("\n")
        for name in filter(None, names.splitlines()):
            versions.setdefault((root / name).resolve(), commit[:SHORT_ID_LENGTH])
    for entry in filter(None, status.split("\0")):
        path = (root / entry[3:]).resolve()
        versions[path] = f"{versions.get(path, '')}+{entry[:2].strip()}"
    return versions


def show_file(path: str | os.PathLike, revision: str) -> bytes:
    """Return the bytes of a file as it was at a git revision.

    The revision is resolved to a commit id first, so that whatever the user typed reaches
    git as a revision and never as an option (`--output=…`) or a path (`HEAD:other`).
    """
    path = Path(path)
    try:
        commit = resolve_revision(path, revision)
        return _git_bytes(path.parent, "show", f"{commit}:./{path.name}")
    except GitError as exc:
        raise GitError(f"cannot be read at revision {_shown(revision)}: {exc.message}") from None


def describe_revision(path: str | os.PathLike, revision: str) -> str:
    """Return the short commit id a revision name stands for."""
    return resolve_revision(Path(path), revision)[:SHORT_ID_LENGTH]


def resolve_revision(path: Path, revision: str) -> str:
    """Return the full commit id of a revision name; raise GitError if it names none."""
    if not revision or revision.startswith("-") or _UNSAFE_REVISION.search(revision):
        raise GitError("not a revision name: a revision is a commit id, a branch, a tag or "
                       "a name such as HEAD~2, and never starts with '-'")
    try:
        commit = _git(path.parent, "rev-parse", "--verify", "--quiet", "--end-of-options",
                      f"{revision}^{{commit}}").strip()
    except GitError as exc:
        if not exc.message.startswith("git exited"):
            raise  # not a repository, no git: git's own words
        raise GitError("no commit of that name") from None
    if not _COMMIT_ID.fullmatch(commit):
        raise GitError("no commit of that name")
    return commit


def _shown(revision: str) -> str:
    """Quote a revision for a message, cut when it is long."""
    return repr(revision if len(revision) <= 60 else revision[:59] + "…")


def _revision(entry: str) -> Revision:
    commit, authored, committed, author, subject = entry.strip("\n").split(_FIELD, 4)
    return Revision(commit, datetime.fromisoformat(authored), datetime.fromisoformat(committed),
                    author, subject)


def _git(folder: Path, *arguments: str) -> str:
    return _git_bytes(folder, *arguments).decode("utf-8", errors="replace")


def _git_bytes(folder: Path, *arguments: str) -> bytes:
    # Fixed language and no pager or colour: the output is parsed, never shown as is.
    environment = {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat", "PAGER": "cat",
                   "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    command = ["git", "--no-pager", "-c", "core.quotepath=off", "-c", "log.showSignature=false",
               *arguments]
    try:
        result = subprocess.run(command, cwd=folder, env=environment, capture_output=True,
                                timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git could not be run: {exc}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
        reason = message[-1].removeprefix("fatal: ") if message else ""
        raise GitError(reason or f"git exited with status {result.returncode}")
    return result.stdout
