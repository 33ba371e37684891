"""The chart's legend: a sample of each kind of mark in use and what it means, in rows."""

from __future__ import annotations

from dataclasses import dataclass

from postmortem.render.chart.text import SMALL, Text, place
from postmortem.render.fonts import text_width
from postmortem.render.i18n import Language

LEGEND_ROW = 22
SWATCH = 34  # room of a legend sample, before its text
GAP = 22  # between an entry's text and the next sample


@dataclass(frozen=True)
class LegendEntry:
    """A sample of one kind of mark, centred on `y`, and the text that explains it."""

    kind: str
    x: float
    y: float
    text: Text


def legend_entries(kinds: set[str], language: Language, top: float,
                   width: float) -> tuple[LegendEntry, ...]:
    """Place each kind of mark in use, in rows no wider than `width` from `top` down."""
    gettext = language.gettext
    entries = [
        ("trigger", gettext("Trigger")),
        ("impact", gettext("Impact")),
        ("uncertain", gettext("Uncertain or approximate time")),
        ("open", gettext("No known end")),
        ("instant", gettext("Key instant (dashed if approximate)")),
        ("band", gettext("Key instant known within a range")),
        ("promise", gettext("Announced restoration time, linked to the actual time")),
    ]
    placed = []
    x, row = 0.0, 0
    for kind, text in entries:
        if kind not in kinds:
            continue
        room = SWATCH + text_width(text, SMALL) + GAP
        if x > 0 and x + room > width:
            x, row = 0.0, row + 1
        y = top + row * LEGEND_ROW
        placed.append(LegendEntry(kind, x, y, place(text, x + SWATCH, y + 4.5, SMALL)))
        x += room
    return tuple(placed)
