"""Draw the incident as an inline SVG timeline: a lane per impact, key instants, promises.

The chart is printed in black and white: certainty is told by pattern (solid, hatched,
dashed with an arrow), instants by line style and labels, promises by shape. Every
value comes from the report, so the same report always gives the same text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone, tzinfo
from xml.sax.saxutils import escape

from babel.dates import format_skeleton

from postmortem.analysis.derive import Report, Slippage
from postmortem.render.i18n import N_, Language
from postmortem.record.instants import Duration, When

#: Prefix of every id in the chart; fixed, so that the output is reproducible.
ID = "pm-timeline"

WIDTH = 1000
LABEL_WIDTH = 236  # lane labels, left of the plot
PLOT_LEFT = 250
PLOT_RIGHT = 978
TOP = 4
LABEL_ROW = 18  # height of a row of key-instant labels
LANE = 44
BAR = 18
PROMISE_ROW = 22
FUZZ = 5  # half-width of the hatched zone around an approximate instant

FONT = 14  # lane labels, day labels, key-instant labels
#: The PDF's bundled fonts first (SVG text does not inherit the page's font), then the
#: screen fonts the HTML page asks for.
FONT_FAMILY = "'Report Sans', 'Report Symbols', 'Liberation Sans', Arial, 'DejaVu Sans', sans-serif"
SMALL = 12.5  # annotations on bars, hours, legend

INK = "#1a1a1a"
IMPACT_FILL = "#a6a6a6"
TRIGGER_FILL = "#3a3a3a"
GRID = "#c8c8c8"

#: Key instants drawn as markers, in the order of the incident's life.
KEY_LABELS = {
    "started": N_("Start"),
    "detected": N_("Detection"),
    "mitigated": N_("Mitigation"),
    "restored": N_("Service restored"),
    "resolved": N_("Fully restored"),
}

#: Candidate spacings of the light ticks, the finest first.
STEPS = tuple(timedelta(minutes=m) for m in (5, 10, 15, 30, 60, 120, 180, 360, 720, 1440))
MIN_STEP_GAP = 36  # user units between light ticks

# Characters outside XML 1.0: a record could carry them, an SVG parser would reject them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Lane:
    """A horizontal bar: the trigger's span or one impact."""

    kind: str  # "trigger" or "impact"
    name: str
    lines: tuple[str, ...]
    start: When
    end: When | None
    ongoing: bool
    duration: Duration | None
    named_beside: bool = False  # the name is written after the bar, not in the label


@dataclass(frozen=True)
class Piece:
    """A part of a bar: 'solid' (certain), 'uncertain' (hatched) or 'open' (no known end)."""

    kind: str
    left: float
    right: float


@dataclass(frozen=True)
class Scale:
    """Map instants to x positions across the plot."""

    start: datetime
    end: datetime
    step: timedelta
    zone: tzinfo

    def x(self, instant: datetime) -> float:
        """Return the x position of an instant, clamped to the plot."""
        # In UTC: subtracting two times of one zone would ignore a clock change between them.
        start, end = self.start.astimezone(timezone.utc), self.end.astimezone(timezone.utc)
        share = (instant.astimezone(timezone.utc) - start) / (end - start)
        return min(PLOT_RIGHT, max(PLOT_LEFT, PLOT_LEFT + share * (PLOT_RIGHT - PLOT_LEFT)))


@dataclass
class Marker:
    """A key instant as drawn: a line at `left`, or a band from `left` to `right`."""

    name: str
    label: str
    when: When
    left: float
    right: float
    line: bool
    dashed: bool
    row: int = 0
    anchor: str = "start"
    text_x: float = 0.0


class Chart:
    """Lay out and draw one report's timeline."""

    def __init__(self, report: Report, language: Language):
        self.report = report
        self.language = language
        self.used: set[str] = set()  # kinds of marks drawn, for the legend
        self.scale = _scale(report, language.zone)
        self.known_end = max(_known_instants(report))
        self.lanes = _lanes(report, language, self.scale, self.known_end)
        self.markers = _markers(report, language, self.scale)
        self.lanes_top = TOP + _place_labels(self.markers) * LABEL_ROW + 6
        self.promises_top = self.lanes_top + LANE * len(self.lanes)
        promises = report.slippages
        self.axis_y = self.promises_top + (
            max(LANE, 14 + PROMISE_ROW * len(promises)) if promises else 0)
        self.hours = _hour_labels_fit(self.scale)
        self.legend_y = self.axis_y + (50 if self.hours else 34) + 16

    def svg(self) -> str:
        """Return the whole <svg> element."""
        body = (self.grid() + self.bands() + self.lane_rows() + self.promise_rows()
                + self.lines() + self.axis())
        legend, legend_height = self.legend()
        height = round(self.legend_y + legend_height + 4)
        language = self.language
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" role="img" aria-labelledby="{ID}-title {ID}-desc" '
            f'class="timeline" font-size="{FONT}" font-family="{FONT_FAMILY}">'
        )
        title = language.gettext("Incident timeline by service")
        parts = [
            head,
            f'<title id="{ID}-title">{_esc(title)}</title>',
            f'<desc id="{ID}-desc">{_esc(_description(self))}</desc>',
            _defs(),
            *body,
            *legend,
            "</svg>",
        ]
        return "\n".join(parts)

    # -- background ------------------------------------------------------------------------

    def grid(self) -> list[str]:
        """Draw a light line at every tick and a darker one at every midnight."""
        out = []
        for instant in _ticks(self.scale):
            x = self.scale.x(instant)
            midnight = _is_midnight(instant, self.scale.zone)
            colour, width = (GRID, 1) if midnight else ("#e4e4e4", 0.7)
            out.append(_line(x, self.lanes_top, x, self.axis_y, colour, width))
        return out

    def bands(self) -> list[str]:
        """Shade the key instants known only as a range or by one bound."""
        out = []
        for marker in self.markers:
            if marker.right > marker.left:
                self.used.add("band")
                out.append(
                    f'<rect class="instant-band" x="{_n(marker.left)}" y="{_n(self.lanes_top)}" '
                    f'width="{_n(marker.right - marker.left)}" '
                    f'height="{_n(self.axis_y - self.lanes_top)}" fill="#000" fill-opacity="0.09"/>'
                )
        return out

    # -- lanes -----------------------------------------------------------------------------

    def lane_rows(self) -> list[str]:
        """Draw each lane: its label on the left and its bar across the plot."""
        out = []
        for index, lane in enumerate(self.lanes):
            top = self.lanes_top + index * LANE
            out.append(_line(0, top, PLOT_RIGHT, top, "#d8d8d8", 0.8))
            out += _lane_label(lane, top, index)
            out += self.bar(lane, top + LANE / 2)
        if self.lanes:
            out.append(_line(0, self.promises_top, PLOT_RIGHT, self.promises_top, "#d8d8d8", 0.8))
        return out

    def bar(self, lane: Lane, middle: float) -> list[str]:
        """Draw a lane's bar: solid where certain, hatched where uncertain, arrow if open."""
        pieces = _pieces(lane, self.scale, self.known_end)
        top = middle - BAR / 2
        fill = TRIGGER_FILL if lane.kind == "trigger" else IMPACT_FILL
        self.used.add(lane.kind)
        out = [f'<g class="bar {lane.kind}">']
        for piece in pieces:
            width = max(piece.right - piece.left, 1.5)
            if piece.kind == "solid":
                out.append(_rect(piece.left, top, width, BAR, fill, INK, 1))
            elif piece.kind == "uncertain":
                self.used.add("uncertain")
                out.append(_rect(piece.left, top, width, BAR, f"url(#{ID}-hatch)", INK, 0.8))
            else:
                self.used.add("open")
                out += _open_end(piece.left, piece.right, top)
        out.append("</g>")
        out += self.bar_note(lane, pieces, middle)
        return out

    def bar_note(self, lane: Lane, pieces: list[Piece], middle: float) -> list[str]:
        """Write the duration after a closed bar, or 'ongoing' in an open one."""
        opened = [piece for piece in pieces if piece.kind == "open"]
        if opened:
            text = (self.language.gettext("ongoing") if lane.ongoing
                    else self.language.gettext("No known end"))
            piece = opened[0]
            width = _width(text, SMALL)
            # Inside the open part, clear of the arrow head; else on the bar before it.
            right = piece.right - 14 if piece.right - piece.left >= width + 22 else piece.left - 4
            return _note(right, middle, text, "end")
        end = max(piece.right for piece in pieces)
        start = min(piece.left for piece in pieces)
        text = _closed_note(lane, self.language)
        if not text:
            return []
        width = _width(text, SMALL)
        if end + 6 + width <= PLOT_RIGHT:
            return _note(end + 6, middle, text, "start")
        if start - 6 - width >= PLOT_LEFT:
            return _note(start - 6, middle, text, "end")
        solid = max((p for p in pieces if p.kind == "solid"), key=lambda p: p.right - p.left,
                    default=None)
        if solid and solid.right - solid.left >= width + 12:
            return _note(solid.left + 6, middle, text, "start")
        return []

    # -- promises --------------------------------------------------------------------------

    def promise_rows(self) -> list[str]:
        """Draw each announced restoration time and link it to what actually happened."""
        slippages = self.report.slippages
        if not slippages:
            return []
        self.used.add("promise")
        text = self.language.gettext("Restoration times announced")
        lines = _wrap(text, LABEL_WIDTH, FONT, 2)
        middle = self.promises_top + (self.axis_y - self.promises_top) / 2
        out = ['<g class="lane-label promises">', f"<title>{_esc(text)}</title>",
               _text_lines(4, middle, lines, FONT), "</g>"]
        for index, slippage in enumerate(slippages):
            y = self.promises_top + 12 + PROMISE_ROW * index + PROMISE_ROW / 2
            out += self.promise(slippage, y)
        return out

    def promise(self, slippage: Slippage, y: float) -> list[str]:
        """Draw one promise: an open diamond, a dashed line to the actual instant, the slip."""
        scale, promised, actual = self.scale, slippage.promised, slippage.actual
        deadline = promised.latest or promised.earliest
        x = scale.x(deadline)
        out = ['<g class="promise">']
        if promised.is_range:
            # The announced window, as a bracket ending at the deadline.
            left = scale.x(promised.earliest)
            out.append(_line(left, y, x, y, INK, 2.2))
            out.append(_line(left, y - 4, left, y + 4, INK, 1.2))
        if actual is not None and actual.latest is not None:
            target = scale.x(actual.reference)
            out.append(_line(x, y, target, y, INK, 1.3, dash="5 3"))
            out.append(f'<circle cx="{_n(target)}" cy="{_n(y)}" r="3.5" fill="{INK}"/>')
        else:
            target = PLOT_RIGHT
            out.append(_line(x, y, target - 6, y, INK, 1.3, dash="5 3"))
            out.append(_arrow_head(target, y, 5))
        out.append(_diamond(x, y, 6))
        out.append("</g>")
        out += self.slip_note(slippage, min(x, target), max(x, target), y)
        return out

    def slip_note(self, slippage: Slippage, left: float, right: float, y: float) -> list[str]:
        """Write how late (or early) the promise turned out, beside its connector."""
        language = self.language
        if slippage.slip is None:
            text = language.gettext("not reached yet")
        else:
            text = (f"{language.gettext('Slippage')}{language.gettext(':')} "
                    f"{language.duration(slippage.slip, signed=True)}")
        width = _width(text, SMALL)
        if right + 9 + width <= PLOT_RIGHT:
            return _note(right + 9, y, text, "start")
        if left - 10 - width >= PLOT_LEFT:
            return _note(left - 10, y, text, "end")
        return _note(PLOT_RIGHT, y - 9, text, "end")

    # -- key instants ----------------------------------------------------------------------

    def lines(self) -> list[str]:
        """Draw each key instant's line (or a band's edge) and its label at the top."""
        out = []
        for marker in self.markers:
            label_y = TOP + 13 + marker.row * LABEL_ROW
            out.append(f'<g class="instant {marker.name}">')
            if marker.line:
                self.used.add("instant")
                dash = "6 4" if marker.dashed else None
                out.append(_line(marker.left, label_y + 4, marker.left, self.axis_y, INK, 1.4,
                                 dash))
            else:
                # A band's edges, and a leader from the label down to the band.
                out.append(_line(marker.left, label_y + 4, marker.left, self.axis_y, "#555", 0.8))
                if marker.right < PLOT_RIGHT:
                    out.append(_line(marker.right, self.lanes_top, marker.right, self.axis_y,
                                     "#555", 0.8))
            if marker.when.latest is None:
                out.append(_arrow_head(marker.left + 16, label_y + 9, 4))
                out.append(_line(marker.left, label_y + 9, marker.left + 12, label_y + 9, INK, 1.2))
            out.append(_label_text(marker.text_x, label_y, marker.label, FONT, marker.anchor))
            out.append("</g>")
        return out

    # -- axis and legend -------------------------------------------------------------------

    def axis(self) -> list[str]:
        """Draw the time axis: a tick per tick step, hours, and one label per day."""
        scale, y = self.scale, self.axis_y
        out = [_line(PLOT_LEFT, y, PLOT_RIGHT, y, INK, 1)]
        for instant in _ticks(scale):
            x = scale.x(instant)
            midnight = _is_midnight(instant, scale.zone)
            out.append(_line(x, y, x, y + (9 if midnight else 5), INK, 1.2 if midnight else 0.8))
            if self.hours and not midnight:
                clock = format_skeleton("Hm", instant.astimezone(scale.zone),
                                        locale=self.language.locale)
                out.append(_plain_text(x, y + 19, clock, SMALL - 1, "middle", "hour", "#444"))
        day_y = y + (38 if self.hours else 24)
        for centre, text in _day_labels(scale, self.language):
            out.append(_plain_text(centre, day_y, text, FONT, "middle", "day"))
        return out

    def legend(self) -> tuple[list[str], float]:
        """Explain each kind of mark the chart uses; return the elements and their height."""
        gettext = self.language.gettext
        entries = [
            ("trigger", gettext("Trigger")),
            ("impact", gettext("Impact")),
            ("uncertain", gettext("Uncertain or approximate time")),
            ("open", gettext("No known end")),
            ("instant", gettext("Key instant (dashed if approximate)")),
            ("band", gettext("Key instant known within a range")),
            ("promise", gettext("Announced restoration time, linked to the actual time")),
        ]
        out = [f'<g class="legend" transform="translate(0 {_n(self.legend_y)})">']
        x, row = 0.0, 0
        for kind, text in entries:
            if kind not in self.used:
                continue
            width = 34 + _width(text, SMALL) + 22
            if x > 0 and x + width > WIDTH:
                x, row = 0.0, row + 1
            y = row * 22
            out.append(_swatch(kind, x, y))
            out.append(_plain_text(x + 34, y + 4.5, text, SMALL))
            x += width
        out.append("</g>")
        return out, (row + 1) * 22


def timeline_svg(report: Report, language: Language) -> str:
    """Return the incident's timeline as one self-contained inline <svg> element."""
    return Chart(report, language).svg()


# -- what to draw ----------------------------------------------------------------------------


def _lanes(report: Report, language: Language, scale: Scale, known_end: datetime) -> list[Lane]:
    """Return the trigger's lane, when its span is known, then one lane per impact."""
    lanes = []
    trigger = report.incident.cause.trigger
    if trigger.started is not None:
        name = _fold(trigger.title or trigger.summary)
        kind = language.label("kind", "trigger")
        lane = Lane("trigger", name, (kind,), trigger.started, trigger.ended, False,
                    report.trigger_duration, named_beside=True)
        # A short trigger leaves room to write its name in full after the bar.
        pieces = _pieces(lane, scale, known_end)
        after = max(piece.right for piece in pieces) + 6
        if any(piece.kind == "open" for piece in pieces) or (
                after + _width(_closed_note(lane, language), SMALL) > PLOT_RIGHT):
            lane = replace(lane, lines=(kind, *_wrap(name, LABEL_WIDTH, FONT, 1)),
                           named_beside=False)
        lanes.append(lane)
    for span in report.impacts:
        impact = span.impact
        name = _fold(impact.service)
        lanes.append(Lane("impact", name, tuple(_wrap(name, LABEL_WIDTH, FONT, 2)),
                          impact.started, impact.ended, impact.ongoing, span.duration))
    return lanes


def _closed_note(lane: Lane, language: Language) -> str:
    """Return what is written after a closed bar: its duration, and its name if it goes there."""
    text = language.duration(lane.duration) if lane.duration else ""
    if lane.named_beside:
        return f"{lane.name} ({text})" if text else lane.name
    return text


def _key_instants(report: Report) -> list[tuple[str, When]]:
    """Return (name, instant) for each key instant the record gives."""
    instants = report.incident.key_instants
    return [(name, getattr(instants, name).at) for name in KEY_LABELS
            if getattr(instants, name) is not None]


def _known_instants(report: Report) -> list[datetime]:
    """Return every bound of every instant the chart draws."""
    incident = report.incident
    whens: list[When | None] = [when for _, when in _key_instants(report)]
    whens += [incident.cause.trigger.started, incident.cause.trigger.ended]
    whens += [bound for span in report.impacts
              for bound in (span.impact.started, span.impact.ended)]
    whens += [bound for slip in report.slippages for bound in (slip.promised, slip.actual)]
    return [instant for when in whens if when is not None
            for instant in (when.earliest, when.latest) if instant is not None]


def _has_open_end(report: Report) -> bool:
    """Return whether something runs on to the right edge of the chart."""
    incident = report.incident
    ends = [span.impact.ended for span in report.impacts]
    ends += [slip.actual for slip in report.slippages]
    ends += [when for _, when in _key_instants(report)]
    if incident.cause.trigger.started is not None:
        ends.append(incident.cause.trigger.ended)
    return any(end is None or end.latest is None for end in ends)


def _scale(report: Report, zone: tzinfo) -> Scale:
    """Choose the time range: all known instants, a margin, more room for open ends."""
    instants = _known_instants(report)
    first, last = min(instants), max(instants)
    span = max(last - first, timedelta(minutes=30))
    first -= span * 0.05
    # An open end needs room for its arrow and its label beyond the last known instant.
    last += span * (0.12 if _has_open_end(report) else 0.05)
    step = _tick_step(last - first)
    return Scale(_floor(first, step, zone), _ceil(last, step, zone), step, zone)


def _tick_step(span: timedelta) -> timedelta:
    """Return the finest tick step that leaves room between ticks."""
    for step in STEPS:
        if (PLOT_RIGHT - PLOT_LEFT) * (step / span) >= MIN_STEP_GAP:
            return step
    return STEPS[-1]


def _floor(instant: datetime, step: timedelta, zone: tzinfo) -> datetime:
    """Round down to a multiple of `step` after local midnight."""
    local = instant.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + step * ((local - midnight) // step)


def _ceil(instant: datetime, step: timedelta, zone: tzinfo) -> datetime:
    """Round up to a multiple of `step` after local midnight."""
    floored = _floor(instant, step, zone)
    return floored if floored == instant else floored + step


def _ticks(scale: Scale) -> list[datetime]:
    """Return every tick instant from the start to the end of the scale."""
    ticks, instant = [], scale.start
    while instant <= scale.end:
        ticks.append(instant)
        instant = _floor(instant + scale.step, scale.step, scale.zone)
        if ticks[-1] >= instant:  # a clock change can round back: step past it
            instant = ticks[-1] + scale.step
    return ticks


def _is_midnight(instant: datetime, zone: tzinfo) -> bool:
    local = instant.astimezone(zone)
    return (local.hour, local.minute) == (0, 0)


def _day_labels(scale: Scale, language: Language) -> list[tuple[float, str]]:
    """Return (centre, text) of the day labels: every day, or one in a few if days are narrow."""
    days = []
    day = scale.start.astimezone(scale.zone).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < scale.end:
        following = day + timedelta(days=1)
        left, right = scale.x(max(day, scale.start)), scale.x(min(following, scale.end))
        text = format_skeleton("MMMEd", day.replace(hour=12), locale=language.locale)
        days.append((left, right, text))
        day = following
    full_day = (PLOT_RIGHT - PLOT_LEFT) * (timedelta(days=1) / (scale.end - scale.start))
    widest = max(_width(text, FONT) for _, _, text in days) + 8
    every = max(1, math.ceil(widest / full_day))
    labels = []
    for index, (left, right, text) in enumerate(days):
        centre = (left + right) / 2
        if every == 1 and right - left >= _width(text, FONT) + 8:
            labels.append((centre, text))
        elif every > 1 and index % every == 0 and right - left >= full_day / 2:
            # Long incidents: the label overhangs its day, and its unlabelled neighbours.
            if centre - widest / 2 >= PLOT_LEFT - 8 and centre + widest / 2 <= WIDTH:
                labels.append((centre, text))
    return labels


def _hour_labels_fit(scale: Scale) -> bool:
    """Return whether there is room to write the time under every light tick."""
    gap = (PLOT_RIGHT - PLOT_LEFT) * (scale.step / (scale.end - scale.start))
    return scale.step < timedelta(days=1) and gap >= 40


def _pieces(lane: Lane, scale: Scale, known_end: datetime) -> list[Piece]:
    """Split a bar into its uncertain start, certain middle, and uncertain or open end."""
    start_left, start_right = _extent(lane.start, scale)
    if lane.start.earliest is None:
        start_left = PLOT_LEFT  # "before X": it may have started at any time until X
    end = lane.end
    opened = end is None or end.latest is None
    if opened:
        last_certain = end.earliest if end is not None else known_end
        end_left = end_right = max(scale.x(last_certain), start_right)
    elif end.earliest is None:
        end_left, end_right = start_right, scale.x(end.latest)  # "before X"
    else:
        end_left, end_right = _extent(end, scale)
    pieces = []
    if start_right > start_left:
        pieces.append(Piece("uncertain", start_left, start_right))
    if end_left > start_right:
        pieces.append(Piece("solid", start_right, end_left))
    if end_right > end_left:
        pieces.append(Piece("uncertain", end_left, end_right))
    if opened:
        pieces.append(Piece("open", end_right, PLOT_RIGHT))
    if not pieces or all(piece.kind == "open" for piece in pieces):
        pieces.insert(0, Piece("solid", start_left, start_left + 2))
    return pieces


def _extent(when: When, scale: Scale) -> tuple[float, float]:
    """Return the x range an instant may lie in, widened a little if it is approximate."""
    left = scale.x(when.earliest or when.latest)
    right = scale.x(when.latest or when.earliest)
    if when.approximate:
        left, right = max(PLOT_LEFT, left - FUZZ), min(PLOT_RIGHT, right + FUZZ)
    return left, right


def _markers(report: Report, language: Language, scale: Scale) -> list[Marker]:
    """Return the key instants as lines, or as bands where only a range is known."""
    markers = []
    for name, when in _key_instants(report):
        label = language.gettext(KEY_LABELS[name])
        if when.earliest is not None and when.latest is not None:
            left, right = scale.x(when.earliest), scale.x(when.latest)
        elif when.earliest is not None:  # "after X": from X to the edge
            left, right = scale.x(when.earliest), PLOT_RIGHT
        else:  # "before X": from the start of the chart to X
            left, right = PLOT_LEFT, scale.x(when.latest)
        line = right - left < 1
        markers.append(Marker(name, label, when, left, right, line, when.approximate))
    return markers


def _place_labels(markers: list[Marker]) -> int:
    """Put each marker's label on the first row where it does not touch another; return rows."""
    row_ends: list[float] = []
    for marker in sorted(markers, key=lambda m: m.left):
        width = _width(marker.label, FONT)
        if marker.left + 5 + width <= WIDTH:
            marker.anchor, marker.text_x = "start", marker.left + 5
            left, right = marker.left, marker.left + 5 + width
        else:
            marker.anchor, marker.text_x = "end", marker.left - 5
            left, right = marker.left - 5 - width, marker.left
        for row, end in enumerate(row_ends):
            if left >= end + 10:
                marker.row, row_ends[row] = row, right
                break
        else:
            marker.row = len(row_ends)
            row_ends.append(right)
    return max(len(row_ends), 1)


# -- text alternative ------------------------------------------------------------------------


def _description(chart: Chart) -> str:
    """Summarise the chart in sentences, for readers who cannot see it."""
    language, scale = chart.language, chart.scale
    gettext = language.gettext
    colon = gettext(":")
    known = _known_instants(chart.report)
    first, last = (format_skeleton("MMMEd", instant.astimezone(scale.zone), locale=language.locale)
                   for instant in (min(known), max(known)))
    sentences = [gettext("Timeline from %(start)s to %(end)s, one lane per service affected.",
                         start=first, end=last)]
    for lane in chart.lanes:
        name = lane.name
        if lane.kind == "trigger":
            name = f"{language.label('kind', 'trigger')} ({lane.name})"
        sentences.append(f"{name}{colon} {_lane_words(lane, language)}.")
    for marker in chart.markers:
        sentences.append(f"{marker.label}{colon} {language.when(marker.when, compact=True)}.")
    for slippage in chart.report.slippages:
        sentences.append(_promise_words(slippage, language))
    return "\n".join(sentences)


def _lane_words(lane: Lane, language: Language) -> str:
    """Describe a lane's start, end and duration."""
    gettext = language.gettext
    parts = [gettext("start %(instant)s", instant=language.when(lane.start, compact=True))]
    if lane.end is not None:
        parts.append(gettext("end %(instant)s", instant=language.when(lane.end, compact=True)))
    if lane.ongoing:
        parts.append(gettext("ongoing"))
    if lane.duration is not None:
        parts.append(gettext("lasting %(duration)s", duration=language.duration(lane.duration)))
    return ", ".join(parts)


def _promise_words(slippage: Slippage, language: Language) -> str:
    """Describe a promise: when it was made, for when, and what actually happened."""
    announced = language.when(slippage.communication.at, compact=True)
    promised = language.when(slippage.promised, compact=True)
    if slippage.actual is None:
        return language.gettext(
            "Restoration announced %(at)s for %(promised)s; not reached yet.",
            at=announced, promised=promised)
    return language.gettext(
        "Restoration announced %(at)s for %(promised)s; actual %(actual)s, slippage %(slip)s.",
        at=announced, promised=promised, actual=language.when(slippage.actual, compact=True),
        slip=language.duration(slippage.slip, signed=True))


# -- drawing helpers -------------------------------------------------------------------------


def _defs() -> str:
    """Return the hatch pattern shared by every uncertain part."""
    return (
        f'<defs><pattern id="{ID}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#fff"/>'
        f'<line x1="1" y1="0" x2="1" y2="6" stroke="{INK}" stroke-width="1.6"/>'
        f"</pattern></defs>"
    )


def _lane_label(lane: Lane, top: float, index: int) -> list[str]:
    """Write a lane's label, with the full name as its tooltip."""
    bold_first = lane.kind == "trigger"
    return [
        f'<g class="lane-label {lane.kind}" id="{ID}-lane-{index}">',
        f"<title>{_esc(lane.name)}</title>",
        _text_lines(4, top + LANE / 2, lane.lines, FONT, bold_first),
        "</g>",
    ]


def _text_lines(x: float, middle: float, lines, size: float, bold_first: bool = False) -> str:
    """Return a <text> of one or more lines, centred vertically on `middle`."""
    leading = size * 1.18
    first = middle - leading * (len(lines) - 1) / 2 + size * 0.35
    spans = []
    for index, line in enumerate(lines):
        weight = ' font-weight="bold"' if bold_first and index == 0 else ""
        spans.append(f'<tspan x="{_n(x)}" y="{_n(first + index * leading)}"{weight}>'
                     f"{_esc(line)}</tspan>")
    return f'<text font-size="{_n(size)}">{"".join(spans)}</text>'


def _plain_text(x: float, y: float, text: str, size: float, anchor: str = "start",
                cls: str | None = None, colour: str | None = None) -> str:
    attributes = f' class="{cls}"' if cls else ""
    attributes += f' text-anchor="{anchor}"' if anchor != "start" else ""
    attributes += f' fill="{colour}"' if colour else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{attributes}>{_esc(text)}</text>'


def _label_text(x: float, y: float, text: str, size: float, anchor: str,
                cls: str = "instant-label") -> str:
    """Return a label on a white backing, so that lines behind it do not cross it."""
    width = _width(text, size)
    left = x if anchor == "start" else x - width
    # The estimate errs wide: a backing a little shorter does not cut into what follows.
    return (f'<rect x="{_n(left - 2)}" y="{_n(y - size * 0.8)}" width="{_n(width * 0.94 + 4)}" '
            f'height="{_n(size * 1.05)}" fill="#fff" fill-opacity="0.85"/>'
            + _plain_text(x, y, text, size, anchor, cls))


def _note(x: float, middle: float, text: str, anchor: str) -> list[str]:
    """Return a small note centred vertically on `middle`, on a white backing."""
    return [_label_text(x, middle + SMALL * 0.35, text, SMALL, anchor, "note")]


def _rect(x: float, y: float, width: float, height: float, fill: str, stroke: str,
          stroke_width: float) -> str:
    return (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{_n(stroke_width)}"/>')


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float,
          dash: str | None = None) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{stroke}" stroke-width="{_n(width)}"{dashes}/>')


def _open_end(left: float, right: float, top: float) -> list[str]:
    """Draw a bar that goes on past what is known: dashed outline, arrow at the edge."""
    tip = right - 1
    body = tip - 9
    middle = top + BAR / 2
    return [
        f'<rect class="open" x="{_n(left)}" y="{_n(top)}" width="{_n(max(body - left, 1))}" '
        f'height="{BAR}" fill="#f2f2f2" stroke="{INK}" stroke-width="1" stroke-dasharray="4 3"/>',
        f'<polygon points="{_n(body)},{_n(top - 3)} {_n(tip)},{_n(middle)} '
        f'{_n(body)},{_n(top + BAR + 3)}" fill="{INK}"/>',
    ]


def _arrow_head(tip: float, y: float, size: float) -> str:
    return (f'<polygon points="{_n(tip - size * 1.6)},{_n(y - size)} {_n(tip)},{_n(y)} '
            f'{_n(tip - size * 1.6)},{_n(y + size)}" fill="{INK}"/>')


def _diamond(x: float, y: float, size: float, cls: str = "promise-marker") -> str:
    return (f'<polygon class="{cls}" points="{_n(x)},{_n(y - size)} {_n(x + size)},{_n(y)} '
            f'{_n(x)},{_n(y + size)} {_n(x - size)},{_n(y)}" fill="#fff" stroke="{INK}" '
            f'stroke-width="1.5"/>')


def _swatch(kind: str, x: float, y: float) -> str:
    """Return the legend's sample of a kind of mark, 28 units wide, centred on `y`."""
    top = y - 6
    if kind in ("trigger", "impact"):
        return _rect(x, top, 28, 12, TRIGGER_FILL if kind == "trigger" else IMPACT_FILL, INK, 1)
    if kind == "uncertain":
        return _rect(x, top, 28, 12, f"url(#{ID}-hatch)", INK, 0.8)
    if kind == "open":
        return (f'<rect x="{_n(x)}" y="{_n(top)}" width="20" height="12" fill="#f2f2f2" '
                f'stroke="{INK}" stroke-dasharray="4 3"/>' + _arrow_head(x + 28, y, 6))
    if kind == "instant":
        return (_line(x + 8, y - 8, x + 8, y + 8, INK, 1.4)
                + _line(x + 20, y - 8, x + 20, y + 8, INK, 1.4, "6 4"))
    if kind == "band":
        return (f'<rect x="{_n(x + 4)}" y="{_n(y - 8)}" width="20" height="16" fill="#000" '
                f'fill-opacity="0.09"/>' + _line(x + 4, y - 8, x + 4, y + 8, "#555", 0.8)
                + _line(x + 24, y - 8, x + 24, y + 8, "#555", 0.8))
    return (_line(x + 6, y, x + 25, y, INK, 1.3, "5 3")
            + f'<circle cx="{_n(x + 25)}" cy="{_n(y)}" r="3.5" fill="{INK}"/>'
            + _diamond(x + 6, y, 6, "sample"))


# -- text ------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Fold a text into one line."""
    return " ".join(str(text).split())


def _wrap(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """Break a text into at most `max_lines` lines that fit `width`, with '…' if cut."""
    words = _fold(text).split(" ")
    lines: list[str] = []
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and _width(f"{line} {words[0]}", size) <= width:
            line += " " + words.pop(0)
        lines.append(line)
    lines = [_ellipsize(line, width, size, cut=False) for line in lines]
    if words:
        lines[-1] = _ellipsize(lines[-1], width, size, cut=True)
    return lines


def _ellipsize(line: str, width: float, size: float, cut: bool) -> str:
    """Shorten a line with '…' if it is too wide, or always when `cut` (text follows)."""
    if not cut and _width(line, size) <= width:
        return line
    while line and _width(line + "…", size) > width:
        # Drop the last word if it leaves a reasonable line, else the last character.
        head = line.rsplit(" ", 1)[0] if " " in line else line[:-1]
        line = head if len(head) >= len(line) * 0.6 else line[:-1]
    return line.rstrip(" ,;:(–-") + "…"


#: Rough advance widths of DejaVu Sans, the widest of the usual fonts, in em.
_NARROW = set("ijlI.,;:'!|()[] \u00a0\u202f")  # with the spaces Babel puts in figures
_MEDIUM = set("frtJ-\"")
_WIDE = set("mwMW%")


def _width(text: str, size: float) -> float:
    """Estimate the width of a text in user units, erring on the wide side."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.32
        elif char in _MEDIUM:
            em += 0.43
        elif char in _WIDE:
            em += 0.92
        elif char.isupper() or char.isdigit():
            em += 0.7
        else:
            em += 0.62
    return em * size


def _esc(text: str) -> str:
    """Escape a text for XML content or a double-quoted attribute."""
    return escape(_NOT_XML.sub("", str(text)), {'"': "&quot;"})


def _n(value: float) -> str:
    """Format a coordinate with at most one decimal."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
