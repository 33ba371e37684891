"""One error type that carries every problem found, each at `path:line:col` when in a file.

The library raises a `PostmortemError` (or one of its kinds) carrying `Problem`s; the
command line catches the base once and prints them. A problem in an input file (a
record, a template, the configuration) names the file, line and column; a problem that
is in no file (a lock held by another build, an invalid id) has no path, and the
command line prefixes it with the command's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """A problem found in an input file at a 1-based line and column, or in none (no path)."""

    path: str
    line: int
    column: int
    message: str
    field: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        if not self.path:
            return f"{self.severity}: {where}{self.message}"
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {where}{self.message}"

    def as_dict(self) -> dict:
        """Return the problem as a JSON-ready mapping."""
        return asdict(self)


def field_path(loc: tuple) -> str:
    """Write a location as people read it: `timeline[3].at`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


class PostmortemError(Exception):
    """The base of every error postmortem reports: carries all the problems found at once."""

    def __init__(self, problems: Sequence[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("", 0, 0, problems)]
        self.problems = sorted(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @property
    def message(self) -> str:
        """Return what the problems say, without where: for an error that rewords another."""
        return "; ".join(problem.message for problem in self.problems)


class RecordError(PostmortemError):
    """An incident record cannot be read or is not valid."""


class ConfigError(PostmortemError):
    """The workspace configuration (`postmortem.toml`) cannot be read or is not valid."""


class TemplateError(PostmortemError):
    """A template cannot be compiled or rendered; the problem names the template's line."""


class RenderError(PostmortemError):
    """A valid record cannot be turned into a faithful report (a character no font draws)."""


class WorkspaceError(PostmortemError):
    """The workspace refuses the operation: a build holds the folder, a file exists, git fails."""


class InputError(PostmortemError):
    """A file to import (a status page's JSON, a chat export) cannot be read as one."""
