"""Place the labels of key instants in rows above the lanes, so that no two of them overlap.

Instants too close to tell apart on the chart share one label. A label goes beside its
instant's line, in the first of a few rows where it covers no other label and no other
line; when none has room, it moves along a row to the nearest free place, or every label
is spread along a few rows in the order of their lines, and a leader joins it to its
line. Nothing here knows what an instant is: it places boxes of text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from postmortem.render.chart.parts import LABEL_ROW
from postmortem.render.chart.text import ellipsize
from postmortem.render.fonts import text_width

MERGE = 8  # instants closer than this share a label: a label could not tell their lines apart
GAP = 10  # between two labels of one row
PAD = 5  # between a line and the label beside it
CLEAR = 2  # room a line keeps on each side, free of any label it crosses
ROWS = 3  # rows a label may take beside its line before it moves along a row


@dataclass(frozen=True)
class Flag:
    """A label to write above the lanes, for the instant whose line is at `x`."""

    content: str
    x: float


@dataclass(frozen=True)
class PlacedFlag:
    """Where a flag's text goes: its row, its horizontal extent, how it meets its line."""

    content: str
    x: float  # of the instant's line
    row: int  # 0 is the top row
    left: float
    right: float
    beside: bool  # beside its line, which rises to it; else moved along, with a leader

    @property
    def anchor(self) -> str:
        """Return the text anchor: a label left of its line ends at the line."""
        return "end" if self.beside and self.right <= self.x else "start"

    @property
    def text_x(self) -> float:
        """Return the x of the text's anchor point."""
        return self.right if self.anchor == "end" else self.left


def groups(positions: Sequence[float], merge: float = MERGE) -> list[list[int]]:
    """Group the indices of positions that lie within `merge` of the first of their group."""
    order = sorted(range(len(positions)), key=lambda index: positions[index])
    grouped: list[list[int]] = []
    for index in order:
        if grouped and positions[index] - positions[grouped[-1][0]] <= merge:
            grouped[-1].append(index)
        else:
            grouped.append([index])
    return grouped


def place_flags(flags: Sequence[Flag], left: float, right: float,
                size: float) -> list[PlacedFlag]:
    """Place every flag in a row, between `left` and `right`; return them in the given order.

    Flags are placed one by one, each beside its line if it can (to its right, else to
    its left), from the left or, where labels crowd against the right edge, from the
    right. When some label must move aside anyway, spreading every label along a few
    rows in the order of their lines is tried too. The placing whose lines and leaders
    cross the fewest labels and leaders wins, then the one moving the fewest labels.
    """
    contents = [ellipsize(flag.content, right - left, size, cut=False) for flag in flags]
    widths = [text_width(content, size) for content in contents]
    placings = []
    for from_right in (False, True):
        order = sorted(range(len(flags)), key=lambda index: flags[index].x, reverse=from_right)
        placed: list[PlacedFlag] = []
        spots: dict[int, PlacedFlag] = {}
        for index in order:
            x = flags[index].x
            spot = (_beside(contents[index], x, widths[index], placed, left, right)
                    or _along(contents[index], x, widths[index], placed, left, right))
            placed.append(spot)
            spots[index] = spot
        # From the left reads in the incident's order: the others only if they do better.
        placings.append((int(from_right), [spots[index] for index in range(len(flags))]))
    if any(not spot.beside for _, spots_ in placings for spot in spots_):
        placings.append((2, _spread(flags, contents, widths, left, right)))
    return min(placings, key=lambda placing: (
        _crossings(placing[1]), sum(not spot.beside for spot in placing[1]), placing[0],
        max((spot.row for spot in placing[1]), default=0)))[1]


def _spread(flags: Sequence[Flag], contents: list[str], widths: list[float], left: float,
            right: float) -> list[PlacedFlag]:
    """Deal the flags in turn to as few rows as hold them, each row spread in line order."""
    order = sorted(range(len(flags)), key=lambda index: flags[index].x)
    dealt = [order]
    for rows in range(1, len(order) + 1):
        dealt = [order[row::rows] for row in range(rows)]
        if all(sum(widths[index] + GAP for index in row) - GAP <= right - left
               for row in dealt):
            break
    spots: dict[int, PlacedFlag] = {}
    for row, members in enumerate(dealt):
        starts = _spread_row([flags[index].x + PAD for index in members],
                             [widths[index] for index in members], left, right)
        for index, start in zip(members, starts, strict=True):
            x = flags[index].x
            spots[index] = PlacedFlag(contents[index], x, row, start, start + widths[index],
                                      beside=abs(start - x - PAD) < 0.5)
    return [spots[index] for index in range(len(flags))]


def _spread_row(ideals: list[float], widths: list[float], left: float,
                right: float) -> list[float]:
    """Return starts as near their ideals as labels kept in order, GAP apart, allow."""
    clusters: list[list[int]] = []  # runs of labels set side by side

    def extent(cluster: list[int]) -> tuple[float, float]:
        """Return a run's start, nearest its labels' ideals within the edges, and width."""
        offsets, total = [], 0.0
        for index in cluster:
            offsets.append(total)
            total += widths[index] + GAP
        total -= GAP
        wanted = sum(ideals[index] - offset
                     for index, offset in zip(cluster, offsets, strict=True)) / len(cluster)
        return min(max(wanted, left), right - total), total

    for index in range(len(ideals)):
        clusters.append([index])
        while len(clusters) > 1:
            previous_start, previous_width = extent(clusters[-2])
            if previous_start + previous_width + GAP <= extent(clusters[-1])[0]:
                break
            clusters[-2:] = [clusters[-2] + clusters[-1]]
    starts: list[float] = []
    for cluster in clusters:
        start, _ = extent(cluster)
        for index in cluster:
            starts.append(start)
            start += widths[index] + GAP
    return starts


def _crossings(spots: list[PlacedFlag]) -> int:
    """Count where a flag's line or leader crosses another flag's label or leader."""
    rows = max((spot.row for spot in spots), default=0) + 1
    bottom = rows * LABEL_ROW + LABEL_ROW / 2  # where leaders meet the lines, under the rows
    # Each line or leader, from under its label (x, y) down to its instant (x, bottom).
    paths = [(spot.x if spot.beside else min(max(spot.x, spot.left), spot.right),
              spot.row * LABEL_ROW + LABEL_ROW, spot.x) for spot in spots]
    count = 0
    for (top_x, top_y, foot_x), spot in zip(paths, spots, strict=True):
        for other in spots:
            if other is spot or other.row <= spot.row:
                continue
            # Where the path runs through the other's row, from its top to its bottom.
            across = [top_x + (foot_x - top_x) * (y - top_y) / (bottom - top_y)
                      for y in (other.row * LABEL_ROW, other.row * LABEL_ROW + LABEL_ROW)]
            if min(across) - CLEAR < other.right and other.left < max(across) + CLEAR:
                count += 1
    for first, second in combinations(paths, 2):
        count += _paths_cross(first, second, bottom)
    return count


def _paths_cross(first: tuple[float, float, float], second: tuple[float, float, float],
                 bottom: float) -> bool:
    """Return whether two paths from under their labels down to their instants cross."""
    (first_x, first_y, first_foot), (second_x, second_y, second_foot) = first, second
    top = max(first_y, second_y)  # both paths exist from the lower start down

    def at(x: float, y: float, foot: float, level: float) -> float:
        return x + (foot - x) * (level - y) / (bottom - y)

    above = at(first_x, first_y, first_foot, top) - at(second_x, second_y, second_foot, top)
    below = first_foot - second_foot
    return above * below < 0


def _beside(content: str, x: float, width: float, placed: list[PlacedFlag], left: float,
            right: float) -> PlacedFlag | None:
    """Return the first row where the flag fits beside its line, to its right or left."""
    for row in range(ROWS):
        for start in (x + PAD, x - PAD - width):
            if start < left or start + width > right:
                continue
            spot = PlacedFlag(content, x, row, start, start + width, beside=True)
            if _free(spot, placed) and not _crosses_below(x, row, placed):
                return spot
    return None


def _along(content: str, x: float, width: float, placed: list[PlacedFlag], left: float,
           right: float) -> PlacedFlag:
    """Return the free place nearest the line in some row, for a flag with a leader.

    A new row is opened only when no row in use has room left.
    """
    rows = max(ROWS, max((spot.row for spot in placed), default=-1) + 1)
    best: tuple[tuple[int, float], PlacedFlag] | None = None
    for row in range(rows):
        start = _nearest_free(x + PAD, width, _blocked(row, width, placed), left, right)
        if start is None:
            continue
        spot = PlacedFlag(content, x, row, start, start + width, beside=False)
        # Fewest labels crossed by its leader, then the nearest its line.
        cost = (_crossed(spot, placed), abs(start - x - PAD))
        if best is None or cost < best[0]:
            best = (cost, spot)
    if best is not None:
        return best[1]
    # A new row; if the lines running through it leave no place, the label covers one.
    start = _nearest_free(x + PAD, width, _blocked(rows, width, placed), left, right)
    if start is None:
        start = _nearest_free(x + PAD, width, [], left, right)
    assert start is not None  # a flag is never wider than the rows
    beside = abs(start - x - PAD) < 0.5 and not _crosses_below(x, rows, placed)
    return PlacedFlag(content, x, rows, start, start + width, beside=beside)


def _blocked(row: int, width: float, placed: list[PlacedFlag]) -> list[tuple[float, float]]:
    """Return the starts a flag of `width` may not take in a row: its labels, lines across it."""
    blocked = [(spot.left - GAP - width, spot.right + GAP)
               for spot in placed if spot.row == row]
    blocked += [(spot.x - CLEAR - width, spot.x + CLEAR)
                for spot in placed if spot.beside and spot.row < row]
    return blocked


def _crossed(spot: PlacedFlag, placed: list[PlacedFlag]) -> int:
    """Return how many labels of the rows below a flag's leader crosses on its way down."""
    met = min(max(spot.x, spot.left), spot.right)  # where the leader meets the label
    low, high = min(spot.x, met) - CLEAR, max(spot.x, met) + CLEAR
    return sum(1 for other in placed
               if other.row > spot.row and other.left < high and low < other.right)


def _nearest_free(ideal: float, width: float, blocked: list[tuple[float, float]],
                  left: float, right: float) -> float | None:
    """Return the start nearest `ideal` outside every open interval of `blocked`."""
    candidates = [ideal, left, right - width]
    candidates += [bound for interval in blocked for bound in interval]
    admissible = [start for start in candidates
                  if left <= start <= right - width
                  and not any(low < start < high for low, high in blocked)]
    return min(admissible, key=lambda start: (abs(start - ideal), start), default=None)


def _free(spot: PlacedFlag, placed: list[PlacedFlag]) -> bool:
    """Return whether a flag clears the labels of its row and the lines running through it."""
    for other in placed:
        if other.row == spot.row and (spot.left < other.right + GAP
                                      and other.left < spot.right + GAP):
            return False
        if other.beside and other.row < spot.row and (
                spot.left - CLEAR < other.x < spot.right + CLEAR):
            return False
    return True


def _crosses_below(x: float, row: int, placed: list[PlacedFlag]) -> bool:
    """Return whether the line of a label in `row` would cross a label in a row below it."""
    return any(other.row > row and other.left - CLEAR < x < other.right + CLEAR
               for other in placed)
