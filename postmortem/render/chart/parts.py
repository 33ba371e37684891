"""The parts of a laid-out chart and its geometry: lanes, key instants, promises, the whole."""

from __future__ import annotations

from dataclasses import dataclass

from postmortem.record.instants import Duration, When
from postmortem.render.chart.legend import LegendEntry
from postmortem.render.chart.text import Text
from postmortem.render.chart.timescale import Tick

WIDTH = 1000
LABEL_X = 4  # left edge of the lane labels
LABEL_WIDTH = 236  # lane labels, left of the plot
PLOT_LEFT = 250
PLOT_RIGHT = 978
TOP = 4
LABEL_ROW = 18  # height of a row of key-instant labels
LEADER_ROOM = 14  # under the rows of key-instant labels, when a leader runs down from one
LANE = 44  # height of a lane whose label has one or two lines
MIN_LANE = 22  # the lowest a lane gets, with a label of one line, when there are many
MAX_HEIGHT = 1350  # the tallest chart that fits an A4 page with its caption, at full width
LANE_PAD = 5  # above and below a lane label of three lines, which makes its lane taller
BAR = 18
MIN_BAR = 6  # the narrowest a bar is drawn: a short phase of a long incident stays visible
PROMISE_ROW = 22
FUZZ = 5  # half-width of the hatched zone around an approximate instant


@dataclass(frozen=True)
class Piece:
    """A part of a bar: 'solid' (certain), 'uncertain' (hatched) or 'open' (no known end)."""

    kind: str
    left: float
    right: float


@dataclass(frozen=True)
class Lane:
    """A row: the trigger's span or one impact, with its label, its bar and the bar's note."""

    kind: str  # "trigger" or "impact"
    name: str  # in full, whatever the label had to leave out
    label: tuple[Text, ...]
    top: float
    height: float
    bar: float  # the height of its bar
    pieces: tuple[Piece, ...]
    note: Text | None  # duration, name, or "ongoing", beside or in the bar

    @property
    def middle(self) -> float:
        """Return the y of the lane's centre line, where its bar is."""
        return self.top + self.height / 2

    @property
    def bottom(self) -> float:
        """Return the y where the next lane starts."""
        return self.top + self.height


@dataclass(frozen=True)
class Marker:
    """A key instant: a line at `left`, or a band from `left` to `right`, with its label.

    Instants too close to tell apart share the label of the first: the others have none.
    """

    name: str
    title: str  # what the instant is called: "Detection"
    when: When
    left: float
    right: float
    line: bool
    dashed: bool  # the instant is approximate
    label: Text | None  # None: named in the label of an instant it coincides with
    top: float  # where the line starts: under its label, or where a leader meets it
    leader: tuple[float, float] | None  # the point under a label moved aside, joined to `top`

    @property
    def band(self) -> bool:
        """Return whether the instant is known only within a range, shaded as a band."""
        return self.right > self.left


@dataclass(frozen=True)
class Promise:
    """An announced restoration time: its deadline, the window announced, the actual time."""

    y: float
    deadline: float
    window_start: float | None  # the announced window opens here, if one was announced
    actual: float | None  # None: not reached, the link runs to the chart's edge
    note: Text  # how late (or early) it turned out


@dataclass(frozen=True)
class Layout:
    """Every mark and text of one chart, in the user units of a WIDTH-wide view box."""

    width: float
    height: float
    title: str
    description: tuple[str, ...]  # the text alternative, one sentence per lane or instant
    lanes_top: float
    promises_top: float
    axis_y: float
    ticks: tuple[Tick, ...]
    lanes: tuple[Lane, ...]
    promises_title: str
    promises_label: tuple[Text, ...]  # empty when no restoration time was announced
    promises: tuple[Promise, ...]
    markers: tuple[Marker, ...]
    days: tuple[Text, ...]
    legend: tuple[LegendEntry, ...]

    def texts(self) -> list[Text]:
        """Return every text the chart writes."""
        return [
            *(text for lane in self.lanes for text in lane.label),
            *(lane.note for lane in self.lanes if lane.note),
            *self.promises_label, *(promise.note for promise in self.promises),
            *(marker.label for marker in self.markers if marker.label),
            *(tick.label for tick in self.ticks if tick.label), *self.days,
            *(entry.text for entry in self.legend),
        ]


@dataclass(frozen=True)
class Span:
    """What a lane shows: the trigger's span or one impact, before it is placed."""

    kind: str
    name: str
    label: tuple[str, ...]
    start: When
    end: When | None
    end_state: str | None  # the impact's outcome (Impact.end_state); None for the trigger
    duration: Duration | None
    named_beside: bool = False  # the name is written after the bar, not in the label

    @property
    def ongoing(self) -> bool:
        """Return whether the record says the span had not ended when its knowledge stops."""
        return self.end_state == "ongoing"
