"""Figures of repeated runs (median and spread), ratios of interleaved runs, and their text."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """The values of one measure over several runs: its median and its spread."""

    samples: tuple[float, ...]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Figure:
        """Return the figure of these samples; there must be at least one."""
        if not samples:
            raise ValueError("a figure needs at least one sample")
        return cls(tuple(samples))

    @property
    def median(self) -> float:
        """The median of the samples."""
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        """The smallest sample."""
        return min(self.samples)

    @property
    def high(self) -> float:
        """The largest sample."""
        return max(self.samples)

    def scaled(self, factor: float) -> Figure:
        """Return the figure with every sample multiplied by `factor`."""
        return Figure(tuple(sample * factor for sample in self.samples))

    def less(self, amount: float) -> Figure:
        """Return the figure with `amount` taken from every sample."""
        return Figure(tuple(sample - amount for sample in self.samples))


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> Figure:
    """Return the figure of the per-round ratios of two measures taken in the same rounds."""
    if len(numerators) != len(denominators):
        raise ValueError("a ratio needs as many runs of each measure")
    return Figure.of([top / bottom for top, bottom in zip(numerators, denominators, strict=True)])


def duration(seconds: float) -> str:
    """Write a duration in milliseconds below a second, in seconds above."""
    if abs(seconds) < 1:
        return f"{seconds * 1000:.0f} ms" if abs(seconds) >= 0.01 else f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s" if abs(seconds) < 100 else f"{seconds:.0f} s"


def memory(kib: float) -> str:
    """Write a size given in KiB as MiB."""
    return f"{kib / 1024:.0f} MiB"


def factor(value: float) -> str:
    """Write a ratio as a multiple."""
    return f"{value:.2f}×"


def spread(figure: Figure, write: Callable[[float], str] = duration) -> str:
    """Write a figure as its median followed by its range, e.g. `1.20 s (1.18–1.25)`."""
    if len(figure.samples) == 1:
        return f"{write(figure.median)} (1 run)"
    return f"{write(figure.median)} ({write(figure.low)}–{write(figure.high)})"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]],
          numeric: Sequence[bool] | None = None) -> str:
    """Write a Markdown table; columns marked numeric are right-aligned."""
    numeric = numeric or [index > 0 for index in range(len(headers))]
    if len(numeric) != len(headers) or any(len(row) != len(headers) for row in rows):
        raise ValueError("every row needs one cell per header")
    rule = ["---:" if right else "---" for right in numeric]
    lines = [headers, rule, *[[str(cell) for cell in row] for row in rows]]
    return "\n".join("| " + " | ".join(_cell(cell) for cell in line) + " |" for line in lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
