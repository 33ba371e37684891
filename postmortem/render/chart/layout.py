"""Lay out one report's timeline as plain data: lanes, bars, key instants, promises, axis.

Every text is measured in the bundled font the PDF prints it in, so that a label goes
where it fits and nothing overlaps. Nothing here writes SVG: `svg.py` draws the layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from postmortem.analysis.derive import Report, Slippage
from postmortem.record.instants import When
from postmortem.render.chart.describe import describe
from postmortem.render.chart.legend import LEGEND_ROW, legend_entries
from postmortem.render.chart.parts import (
    FUZZ,
    LABEL_ROW,
    LABEL_WIDTH,
    LABEL_X,
    LANE,
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
from postmortem.render.i18n import N_, Language

KEY_LABELS = {
    "started": N_("Start"),
    "detected": N_("Detection"),
    "mitigated": N_("Mitigation"),
    "restored": N_("Service restored"),
    "resolved": N_("Fully restored"),
}


def lay_out(report: Report, language: Language) -> Layout:
    """Compute where every mark and text of a report's chart goes."""
    gettext = language.gettext
    scale = choose_scale(report, language.zone, PLOT_LEFT, PLOT_RIGHT)
    known_end = max(known_instants(report))
    markers, label_rows = _markers(report, language, scale)
    lanes_top = TOP + label_rows * LABEL_ROW + 6
    spans = _spans(report, language, scale, known_end)
    lanes = tuple(_lane(span, lanes_top + index * LANE, scale, known_end, language)
                  for index, span in enumerate(spans))
    promises_top = lanes_top + LANE * len(lanes)
    slippages = charted_promises(report)
    axis_y = promises_top + (max(LANE, 14 + PROMISE_ROW * len(slippages)) if slippages else 0)
    promises_title = gettext("Restoration times announced")
    promises_label = _label(wrap(promises_title, LABEL_WIDTH, FONT, 2),
                            (promises_top + axis_y) / 2) if slippages else ()
    promises = tuple(
        _promise(slippage, promises_top + 12 + PROMISE_ROW * (index + 0.5), scale, language)
        for index, slippage in enumerate(slippages))
    ticks = axis_ticks(scale, language, axis_y)
    hours = any(tick.label for tick in ticks)
    days = day_labels(scale, language, axis_y + (38 if hours else 24), WIDTH)
    legend_y = axis_y + (50 if hours else 34) + 16
    legend = legend_entries(_kinds_used(lanes, markers, promises), language, legend_y,
                            WIDTH)
    # The last row's centre, half a row, and a margin under the descenders.
    height = max((entry.y for entry in legend), default=legend_y) + LEGEND_ROW + 4
    return Layout(
        width=WIDTH, height=round(height), title=gettext("Incident timeline by service"),
        description=describe(report, language, spans, markers),
        lanes_top=lanes_top, promises_top=promises_top, axis_y=axis_y, ticks=ticks,
        lanes=lanes, promises_title=promises_title, promises_label=promises_label,
        promises=promises, markers=markers, days=days, legend=legend,
    )


# -- lanes -----------------------------------------------------------------------------------


def _spans(report: Report, language: Language, scale: Scale, known_end: datetime) -> list[Span]:
    """Return the trigger's span, when it is known, then one span per impact."""
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
        if any(piece.kind == "open" for piece in pieces) or (
                after + text_width(_closed_note(span, language), SMALL) > PLOT_RIGHT):
            span = replace(span, label=(kind, *wrap(name, LABEL_WIDTH, FONT, 1)),
                           named_beside=False)
        spans.append(span)
    for impact_span in report.impacts:
        impact = impact_span.impact
        name = fold(impact.service)
        spans.append(Span("impact", name, tuple(wrap(name, LABEL_WIDTH, FONT, 2)),
                          impact.started, impact.ended, impact.end_state,
                          impact_span.duration))
    return spans


def _lane(span: Span, top: float, scale: Scale, known_end: datetime,
          language: Language) -> Lane:
    """Place a lane: its label on the left, its bar across the plot, the bar's note."""
    pieces = _pieces(span, scale, known_end)
    middle = top + LANE / 2
    label = _label(span.label, middle, bold_first=span.kind == "trigger")
    return Lane(span.kind, span.name, label, top, pieces,
                _bar_note(span, pieces, middle, language))


def _label(lines: Sequence[str], middle: float, bold_first: bool = False) -> tuple[Text, ...]:
    """Return the lines of a lane's label, centred vertically on `middle`."""
    leading = FONT * 1.18
    first = middle - leading * (len(lines) - 1) / 2 + FONT * 0.35
    return tuple(place(line, LABEL_X, first + index * leading, FONT,
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
    if opened:
        pieces.append(Piece("open", end_right, PLOT_RIGHT))
    if not pieces or all(piece.kind == "open" for piece in pieces):
        pieces.insert(0, Piece("solid", start_left, start_left + 2))
    return tuple(pieces)


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
             scale: Scale) -> tuple[tuple[Marker, ...], int]:
    """Place the key instants, each label on the first row it fits in; return the rows used."""
    found = []
    for name, when in key_instants(report):
        if when.earliest is not None and when.latest is not None:
            left, right = scale.x(when.earliest), scale.x(when.latest)
        elif when.earliest is not None:  # "after X": from X to the edge
            left, right = scale.x(when.earliest), PLOT_RIGHT
        else:  # "before X": from the start of the chart to X
            left, right = PLOT_LEFT, scale.x(_bounds(when)[1])
        found.append((name, when, left, right, language.gettext(KEY_LABELS[name])))
    rows: dict[str, tuple[int, float, str]] = {}
    row_ends: list[float] = []
    for name, _, left, _, label in sorted(found, key=lambda item: item[2]):
        width = text_width(label, FONT)
        if left + 5 + width <= WIDTH:
            x, anchor, box_left, box_right = left + 5, "start", left, left + 5 + width
        else:
            x, anchor, box_left, box_right = left - 5, "end", left - 5 - width, left
        row = next((row for row, end in enumerate(row_ends) if box_left >= end + 10),
                   len(row_ends))
        row_ends[row:row + 1] = [box_right]
        rows[name] = (row, x, anchor)
    markers = []
    for name, when, left, right, label in found:
        row, x, anchor = rows[name]
        label_y = TOP + 13 + row * LABEL_ROW
        markers.append(Marker(name, when, left, right, right - left < 1, when.approximate,
                              place(label, x, label_y, FONT, anchor), label_y + 4))
    return tuple(markers), max(len(row_ends), 1)


# -- legend ------------------------------------------------------------------------------


def _kinds_used(lanes: tuple[Lane, ...], markers: tuple[Marker, ...],
                promises: tuple[Promise, ...]) -> set[str]:
    """Return the kinds of mark the chart draws, which the legend explains."""
    kinds = {lane.kind for lane in lanes}
    kinds |= {piece.kind for lane in lanes for piece in lane.pieces} & {"uncertain", "open"}
    kinds |= {"instant"} if any(marker.line for marker in markers) else set()
    kinds |= {"band"} if any(marker.band for marker in markers) else set()
    return kinds | ({"promise"} if promises else set())
