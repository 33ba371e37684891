"""Lay out one report's timeline as plain data: lanes, bars, key instants, promises, axis.

Every text is measured in the bundled font the PDF prints it in, so that a label goes
where it fits and nothing overlaps. Nothing here writes SVG: `svg.py` draws the layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from babel.lists import format_list

from postmortem.analysis.derive import Report, Slippage
from postmortem.i18n import N_
from postmortem.record.instants import When
from postmortem.render.chart.describe import describe
from postmortem.render.chart.flags import Flag, groups, place_flags
from postmortem.render.chart.legend import LEGEND_ROW, legend_entries
from postmortem.render.chart.parts import (
    BAR,
    FUZZ,
    LABEL_ROW,
    LABEL_WIDTH,
    LABEL_X,
    LANE,
    LANE_PAD,
    LEADER_ROOM,
    MAX_HEIGHT,
    MIN_BAR,
    MIN_LANE,
    PLOT_LEFT,
    PLOT_RIGHT,
    PROMISE_ROW,
    TOP,
    WIDTH,
    Lane,
    Layout,
    Marker,
    Piece,
    Promise,
    Span,
)
from postmortem.render.chart.text import FONT, SMALL, Text, fold, place, wrap
from postmortem.render.chart.timescale import (
    DAY_BASELINE,
    HOUR_BASELINE,
    Scale,
    axis_ticks,
    charted_promises,
    choose_scale,
    day_labels,
    key_instants,
    known_instants,
)
from postmortem.render.chart.words import open_end_words
from postmortem.render.fonts import text_width
from postmortem.render.i18n import Language

LEADING = FONT * 1.18  # between the lines of a lane's label
KEY_LABELS = {
    "started": N_("Start"),
    "detected": N_("Detection"),
    "mitigated": N_("Mitigation"),
    "restored": N_("Service restored"),
    "resolved": N_("Fully restored"),
}


def lay_out(report: Report, language: Language) -> Layout:
    """Compute where every mark and text of a report's chart goes, to fit a printed page."""
    layout = _lay_out(report, language, LANE)
    if layout.height <= MAX_HEIGHT or not layout.lanes:
        return layout
    # Too tall for a page: every lane gets lower, down to one line of label each.
    room = sum(lane.height for lane in layout.lanes) - (layout.height - MAX_HEIGHT)
    return _lay_out(report, language, max(MIN_LANE, room / len(layout.lanes)))


def _lay_out(report: Report, language: Language, lane_height: float) -> Layout:
    """Lay out the chart with lanes of `lane_height` (LANE: as tall as their labels need)."""
    gettext = language.gettext
    scale = choose_scale(report, language, PLOT_LEFT, PLOT_RIGHT, WIDTH)
    known_end = max(known_instants(report))
    markers, lanes_top = _markers(report, language, scale)
    # Lowered lanes keep two lines of label while those fit, with a little room around.
    lines = 2 if lane_height >= 2 * LEADING + 6 else 1
    spans = _spans(report, language, scale, known_end, lines, lane_height < LANE)
    lanes: list[Lane] = []
    for span in spans:
        lanes.append(_lane(span, lanes[-1].bottom if lanes else lanes_top, lane_height,
                           scale, known_end, language))
    promises_top = lanes[-1].bottom if lanes else lanes_top
    slippages = charted_promises(report)
    axis_y = promises_top + (max(LANE, 14 + PROMISE_ROW * len(slippages)) if slippages else 0)
    promises_title = gettext("Restoration times announced")
    promises_label = _label(wrap(promises_title, LABEL_WIDTH, FONT, 2),
                            (promises_top + axis_y) / 2) if slippages else ()
    promises = tuple(
        _promise(slippage, promises_top + 12 + PROMISE_ROW * (index + 0.5), scale, language)
        for index, slippage in enumerate(slippages))
    ticks = axis_ticks(scale, language, axis_y, WIDTH)
    days = day_labels(scale, language, axis_y, WIDTH)
    # Under the axis: times and a row of days, or one row of dates; then the legend.
    legend_y = axis_y + (DAY_BASELINE if days else HOUR_BASELINE) + 28
    legend = legend_entries(_kinds_used(tuple(lanes), markers, promises), language,
                            legend_y, WIDTH)
    # The last row's centre, half a row, and a margin under the descenders.
    height = max((entry.y for entry in legend), default=legend_y) + LEGEND_ROW + 4
    return Layout(
        width=WIDTH, height=round(height), title=gettext("Incident timeline by service"),
        description=describe(report, language, spans, markers),
        lanes_top=lanes_top, promises_top=promises_top, axis_y=axis_y, ticks=ticks,
        lanes=tuple(lanes), promises_title=promises_title, promises_label=promises_label,
        promises=promises, markers=markers, days=days, legend=legend,
    )


# -- lanes -----------------------------------------------------------------------------------


def _spans(report: Report, language: Language, scale: Scale, known_end: datetime,
           lines: int, compact: bool) -> list[Span]:
    """Return the trigger's span, when it is known, then one span per impact.

    A label has `lines` lines for its name; a trigger's kind takes one more line, or,
    in `compact` lanes of a fixed height, one of those.
    """
    spans = []
    trigger = report.incident.cause.trigger
    if trigger.started is not None:
        name = fold(trigger.title or trigger.summary)
        kind = language.label("kind", "trigger")
        span = Span("trigger", name, (kind,), trigger.started, trigger.ended, None,
                    report.trigger_duration, named_beside=True)
        # A short trigger leaves room to write its name in full after the bar.
        pieces = _pieces(span, scale, known_end)
        after = max(piece.right for piece in pieces) + 6
        name_lines = lines - 1 if compact else lines
        if any(piece.kind == "open" for piece in pieces) or (
                after + text_width(_closed_note(span, language), SMALL) > PLOT_RIGHT):
            named = wrap(name, LABEL_WIDTH, FONT, name_lines) if name_lines else []
            span = replace(span, label=(kind, *named), named_beside=False)
        spans.append(span)
    names = [fold(impact_span.impact.service) for impact_span in report.impacts]
    labels = [tuple(wrap(name, LABEL_WIDTH, FONT, lines)) for name in names]
    # Services cut short to the same label would read as one: those keep their ends.
    alike = {label for label in labels
             if len({name for name, other in zip(names, labels, strict=True)
                     if other == label}) > 1}
    for impact_span, name, label in zip(report.impacts, names, labels, strict=True):
        if label in alike:
            label = tuple(wrap(name, LABEL_WIDTH, FONT, lines, keep_end=True))
        impact = impact_span.impact
        spans.append(Span("impact", name, label, impact.started, impact.ended,
                          impact.end_state, impact_span.duration))
    return spans


def _lane(span: Span, top: float, lane_height: float, scale: Scale, known_end: datetime,
          language: Language) -> Lane:
    """Place a lane: its label on the left, its bar across the plot, the bar's note."""
    pieces = _pieces(span, scale, known_end)
    height = lane_height
    if lane_height >= LANE:
        # Two lines fit the usual lane; a trigger's kind and its name's two lines need more.
        height = max(LANE, len(span.label) * LEADING + 2 * LANE_PAD)
    middle = top + height / 2
    label = _label(span.label, middle, bold_first=span.kind == "trigger")
    return Lane(span.kind, span.name, label, top, height, min(BAR, height - 10), pieces,
                _bar_note(span, pieces, middle, language))


def _label(lines: Sequence[str], middle: float, bold_first: bool = False) -> tuple[Text, ...]:
    """Return the lines of a lane's label, centred vertically on `middle`."""
    first = middle - LEADING * (len(lines) - 1) / 2 + FONT * 0.35
    return tuple(place(line, LABEL_X, first + index * LEADING, FONT,
                       bold=bold_first and index == 0)
                 for index, line in enumerate(lines))


def _pieces(span: Span, scale: Scale, known_end: datetime) -> tuple[Piece, ...]:
    """Split a bar into its uncertain start, certain middle, and uncertain or open end."""
    start_left, start_right = _extent(span.start, scale)
    if span.start.earliest is None:
        start_left = PLOT_LEFT  # "before X": it may have started at any time until X
    end = span.end
    opened = end is None or end.latest is None
    if end is None:
        end_left = end_right = max(scale.x(known_end), start_right)
    elif end.latest is None:  # "after X": it ran on at least until X
        end_left = end_right = max(scale.x(_bounds(end)[0]), start_right)
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
    if not pieces:
        pieces.append(Piece("solid", start_left, start_right))
    pieces = _at_least(MIN_BAR, pieces)
    if opened:
        pieces.append(Piece("open", pieces[-1].right, PLOT_RIGHT))
    return tuple(pieces)


def _at_least(width: float, pieces: list[Piece]) -> list[Piece]:
    """Widen a bar narrower than `width`: its certain part grows, its start stays put."""
    left, right = pieces[0].left, pieces[-1].right
    if right - left >= width:
        return pieces
    grow = width - (right - left)
    offset = -max(0.0, left + width - PLOT_RIGHT)  # at the plot's right edge, grow leftwards
    widened = next((index for index, piece in enumerate(pieces) if piece.kind == "solid"),
                   len(pieces) - 1)
    widest = []
    for index, piece in enumerate(pieces):
        extra = grow if index == widened else 0.0
        widest.append(Piece(piece.kind, piece.left + offset, piece.right + offset + extra))
        offset += extra
    return widest


def _extent(when: When, scale: Scale) -> tuple[float, float]:
    """Return the x range an instant may lie in, widened a little if it is approximate."""
    earliest, latest = _bounds(when)
    left, right = scale.x(earliest), scale.x(latest)
    if when.approximate:
        left, right = max(PLOT_LEFT, left - FUZZ), min(PLOT_RIGHT, right + FUZZ)
    return left, right


def _bounds(when: When) -> tuple[datetime, datetime]:
    """Return an instant's earliest and latest bounds, the one known standing for the other."""
    earliest = when.earliest if when.earliest is not None else when.latest
    latest = when.latest if when.latest is not None else when.earliest
    if earliest is None or latest is None:
        # `parse_when` always sets a bound: a When without one was built by hand.
        raise ValueError(f"instant {when.text!r} has neither an earliest nor a latest bound")
    return earliest, latest


def _bar_note(span: Span, pieces: tuple[Piece, ...], middle: float,
              language: Language) -> Text | None:
    """Place the duration after a closed bar, or 'ongoing' in an open one, where it fits."""
    opened = [piece for piece in pieces if piece.kind == "open"]
    if opened:
        text = open_end_words(span, language)
        piece, width = opened[0], text_width(text, SMALL)
        # Inside the open part, clear of the arrow head; else on the bar before it.
        if piece.right - piece.left >= width + 22:
            return _note(piece.right - 14, middle, text, "end")
        return _note(piece.left - 4, middle, text, "end")
    text = _closed_note(span, language)
    if not text:
        return None
    start, end = min(piece.left for piece in pieces), max(piece.right for piece in pieces)
    width = text_width(text, SMALL)
    if end + 6 + width <= PLOT_RIGHT:
        return _note(end + 6, middle, text, "start")
    if start - 6 - width >= PLOT_LEFT:
        return _note(start - 6, middle, text, "end")
    solid = max((piece for piece in pieces if piece.kind == "solid"),
                key=lambda piece: piece.right - piece.left, default=None)
    if solid and solid.right - solid.left >= width + 12:
        return _note(solid.left + 6, middle, text, "start")
    return None


def _closed_note(span: Span, language: Language) -> str:
    """Return what is written after a closed bar: its duration, and its name if it goes there."""
    text = language.duration(span.duration) if span.duration else ""
    if span.end_state in ("never_restored", "data_lost"):
        # Its end is when it stopped mattering: say that nothing came back.
        outcome = language.label("outcome", span.end_state)
        text = f"{text}, {outcome}" if text else outcome
    if span.named_beside:
        return f"{span.name} ({text})" if text else span.name
    return text


def _note(x: float, middle: float, text: str, anchor: str) -> Text:
    """Return a small note centred vertically on `middle`."""
    return place(text, x, middle + SMALL * 0.35, SMALL, anchor)


# -- promises --------------------------------------------------------------------------------


def _promise(slippage: Slippage, y: float, scale: Scale, language: Language) -> Promise:
    """Place one promise, and the note of its slip beside the link to what happened."""
    promised, actual = slippage.promised, slippage.actual
    earliest, latest = _bounds(promised)
    deadline = scale.x(latest)
    window_start = scale.x(earliest) if promised.is_range else None
    reached = (scale.x(actual.reference)
               if actual is not None and actual.latest is not None else None)
    target = PLOT_RIGHT if reached is None else reached
    # The note goes beside everything the promise draws: window, diamond and link.
    left = min(deadline, target, deadline if window_start is None else window_start)
    right = max(deadline, target)
    if slippage.withdrawn is not None and slippage.actual is None:
        text = language.gettext("withdrawn")
    elif slippage.slip is None and slippage.late:
        text = language.gettext("missed")
    elif slippage.slip is None and slippage.about == "deliverable":
        text = language.gettext("not delivered yet")
    elif slippage.slip is None:
        text = language.gettext("not reached yet")
    else:
        text = (f"{language.gettext('Slippage')}{language.gettext(':')} "
                f"{language.duration(slippage.slip, signed=True)}")
    width = text_width(text, SMALL)
    if right + 9 + width <= PLOT_RIGHT:
        note = _note(right + 9, y, text, "start")
    elif left - 10 - width >= PLOT_LEFT:
        note = _note(left - 10, y, text, "end")
    else:
        note = _note(PLOT_RIGHT, y - 9, text, "end")
    return Promise(y, deadline, window_start, reached, note)


# -- key instants ----------------------------------------------------------------------------


def _markers(report: Report, language: Language,
             scale: Scale) -> tuple[tuple[Marker, ...], float]:
    """Place the key instants and their labels above the lanes; return where the lanes start."""
    found = []
    for name, when in key_instants(report):
        if when.earliest is not None and when.latest is not None:
            left, right = scale.x(when.earliest), scale.x(when.latest)
        elif when.earliest is not None:  # "after X": from X to the edge
            left, right = scale.x(when.earliest), PLOT_RIGHT
        else:  # "before X": from the start of the chart to X
            left, right = PLOT_LEFT, scale.x(_bounds(when)[1])
        found.append((name, when, left, right, language.gettext(KEY_LABELS[name])))
    # Instants too close to tell apart share a label ("Start and Detection"), which names
    # them in the order of the incident's life, at the line furthest left.
    shared = groups([left for _, _, left, _, _ in found])
    flags = [Flag(format_list([found[index][4] for index in sorted(group)],
                              locale=language.locale), found[group[0]][2])
             for group in shared]
    spots = place_flags(flags, 0, WIDTH, FONT)
    rows = max(spot.row for spot in spots) + 1 if spots else 1
    leaders = any(not spot.beside for spot in spots)
    lanes_top = TOP + rows * LABEL_ROW + 6 + (LEADER_ROOM if leaders else 0)
    markers: dict[int, Marker] = {}
    for group, spot in zip(shared, spots, strict=True):
        label_y = TOP + 13 + spot.row * LABEL_ROW
        label = place(spot.content, spot.text_x, label_y, FONT, spot.anchor)
        # A label beside its line sits on top of it; one moved aside is led to it.
        top = label_y + 4 if spot.beside else lanes_top - LEADER_ROOM / 2
        leader = None if spot.beside else (
            min(max(spot.x, label.box.left), label.box.right), label.box.bottom + 1)
        for position, index in enumerate(group):
            name, when, left, right, title = found[index]
            markers[index] = Marker(name, title, when, left, right, right - left < 1,
                                    when.approximate, label if position == 0 else None,
                                    top, leader if position == 0 else None)
    return tuple(markers[index] for index in range(len(found))), lanes_top


# -- legend ------------------------------------------------------------------------------


def _kinds_used(lanes: tuple[Lane, ...], markers: tuple[Marker, ...],
                promises: tuple[Promise, ...]) -> set[str]:
    """Return the kinds of mark the chart draws, which the legend explains."""
    kinds = {lane.kind for lane in lanes}
    kinds |= {piece.kind for lane in lanes for piece in lane.pieces} & {"uncertain", "open"}
    kinds |= {"instant"} if any(marker.line for marker in markers) else set()
    kinds |= {"band"} if any(marker.band for marker in markers) else set()
    return kinds | ({"promise"} if promises else set())
