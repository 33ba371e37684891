"""One error type that carries `path:line:col` for every problem in an input file."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """A problem found in an input file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    message: str
    field: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
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


class RecordError(Exception):
    """Raised when an input file has one or more problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class RenderError(Exception):
    """Raised when a report cannot be produced faithfully from a valid record."""
