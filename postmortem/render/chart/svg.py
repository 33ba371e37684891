"""Draw a laid-out timeline as one self-contained SVG element, printable in black and white.

Certainty is told by pattern (solid, hatched, dashed with an arrow), instants by line
style and labels, promises by shape; a title and a description tell it in words.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from postmortem.render.chart.legend import LegendEntry
from postmortem.render.chart.parts import PLOT_LEFT, PLOT_RIGHT, Lane, Layout, Marker, Promise
from postmortem.render.chart.text import FONT, Text

#: Prefix of every id in the chart; fixed, so that the output is reproducible.
ID = "pm-timeline"
#: The PDF's bundled fonts first (SVG text does not inherit the page's font), then the
#: screen fonts the HTML page asks for.
FONT_FAMILY = "'Report Sans', 'Report Symbols', 'Liberation Sans', Arial, 'DejaVu Sans', sans-serif"

INK = "#1a1a1a"
IMPACT_FILL = "#a6a6a6"
TRIGGER_FILL = "#3a3a3a"
GRID = "#c8c8c8"
RULE = "#d8d8d8"  # between lanes

# Characters outside XML 1.0: a record could carry them, an SVG parser would reject them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def draw(layout: Layout) -> str:
    """Return the whole <svg> element of a laid-out chart."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(layout.width)} '
        f'{_n(layout.height)}" width="100%" role="img" '
        f'aria-labelledby="{ID}-title {ID}-desc" class="timeline" font-size="{FONT}" '
        f'font-family="{FONT_FAMILY}">'
    )
    # Notes come after the lines, so that their backing hides what crosses them.
    notes = [lane.note for lane in layout.lanes if lane.note]
    notes += [promise.note for promise in layout.promises]
    description = "\n".join(layout.description)
    return "\n".join([
        head,
        f'<title id="{ID}-title">{_esc(layout.title)}</title>',
        f'<desc id="{ID}-desc">{_esc(description)}</desc>',
        _defs(),
        *_grid(layout),
        *_bands(layout),
        # The key instants' lines go under the bars: a bar a few units wide stays visible.
        *(part for marker in layout.markers for part in _marker(marker, layout)),
        *_lanes(layout),
        *_promises(layout),
        *(_backed(note, "note") for note in notes),
        *_axis(layout),
        *_legend(layout.legend),
        "</svg>",
    ])


def _defs() -> str:
    """Return the hatch pattern shared by every uncertain part."""
    return (
        f'<defs><pattern id="{ID}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#fff"/>'
        f'<line x1="1" y1="0" x2="1" y2="6" stroke="{INK}" stroke-width="1.6"/>'
        f"</pattern></defs>"
    )


def _grid(layout: Layout) -> list[str]:
    """Draw a light line at every tick and a darker one at every midnight, behind the bars."""
    # The days between dated ticks are light: the dated ones are what the eye follows.
    return [_line(tick.x, layout.lanes_top, tick.x, layout.axis_y,
                  *((GRID, 1) if tick.midnight and tick.marked else ("#e4e4e4", 0.7)))
            for tick in layout.ticks]


def _bands(layout: Layout) -> list[str]:
    """Shade the key instants known only as a range or by one bound."""
    return [
        f'<rect class="instant-band" x="{_n(marker.left)}" y="{_n(layout.lanes_top)}" '
        f'width="{_n(marker.right - marker.left)}" '
        f'height="{_n(layout.axis_y - layout.lanes_top)}" fill="#000" fill-opacity="0.09"/>'
        for marker in layout.markers if marker.band
    ]


def _lanes(layout: Layout) -> list[str]:
    """Draw each lane: a rule above it, its label on the left, its bar across the plot."""
    out = []
    for index, lane in enumerate(layout.lanes):
        out.append(_line(0, lane.top, PLOT_RIGHT, lane.top, RULE, 0.8))
        out += [f'<g class="lane-label {lane.kind}" id="{ID}-lane-{index}">',
                f"<title>{_esc(lane.name)}</title>", _text_lines(lane.label), "</g>"]
        out += _bar(lane)
    if layout.lanes:
        out.append(_line(0, layout.promises_top, PLOT_RIGHT, layout.promises_top, RULE, 0.8))
    return out


def _bar(lane: Lane) -> list[str]:
    """Draw a lane's bar: solid where certain, hatched where uncertain, an arrow if open."""
    top = lane.middle - lane.bar / 2
    fill = TRIGGER_FILL if lane.kind == "trigger" else IMPACT_FILL
    out = [f'<g class="bar {lane.kind}">']
    for piece in lane.pieces:
        width = max(piece.right - piece.left, 1.5)
        if piece.kind == "solid":
            out.append(_rect(piece.left, top, width, lane.bar, fill, INK, 1))
        elif piece.kind == "uncertain":
            out.append(_rect(piece.left, top, width, lane.bar, f"url(#{ID}-hatch)", INK, 0.8))
        else:
            out += _open_end(piece.left, piece.right, top, lane.bar)
    out.append("</g>")
    return out


def _open_end(left: float, right: float, top: float, height: float) -> list[str]:
    """Draw a bar that goes on past what is known: dashed outline, arrow at the edge."""
    tip = right - 1
    body = tip - 9
    middle = top + height / 2
    return [
        f'<rect class="open" x="{_n(left)}" y="{_n(top)}" width="{_n(max(body - left, 1))}" '
        f'height="{_n(height)}" fill="#f2f2f2" stroke="{INK}" stroke-width="1" '
        f'stroke-dasharray="4 3"/>',
        f'<polygon points="{_n(body)},{_n(top - 3)} {_n(tip)},{_n(middle)} '
        f'{_n(body)},{_n(top + height + 3)}" fill="{INK}"/>',
    ]


def _promises(layout: Layout) -> list[str]:
    """Draw the promises' label, and each promise linked to what actually happened."""
    if not layout.promises:
        return []
    out = ['<g class="lane-label promises">', f"<title>{_esc(layout.promises_title)}</title>",
           _text_lines(layout.promises_label), "</g>"]
    for promise in layout.promises:
        out += _promise(promise)
    return out


def _promise(promise: Promise) -> list[str]:
    """Draw one promise: an open diamond, a dashed line to the actual instant, or an arrow."""
    x, y = promise.deadline, promise.y
    out = ['<g class="promise">']
    if promise.window_start is not None:
        # The announced window, as a bracket ending at the deadline.
        left = promise.window_start
        out.append(_line(left, y, x, y, INK, 2.2))
        out.append(_line(left, y - 4, left, y + 4, INK, 1.2))
    if promise.actual is not None:
        out.append(_line(x, y, promise.actual, y, INK, 1.3, dash="5 3"))
        out.append(f'<circle cx="{_n(promise.actual)}" cy="{_n(y)}" r="3.5" fill="{INK}"/>')
    else:
        out.append(_line(x, y, PLOT_RIGHT - 6, y, INK, 1.3, dash="5 3"))
        out.append(_arrow_head(PLOT_RIGHT, y, 5))
    out.append(_diamond(x, y, 6))
    out.append("</g>")
    return out


def _marker(marker: Marker, layout: Layout) -> list[str]:
    """Draw a key instant's line (or a band's edges) from under its label down to the axis."""
    out = [f'<g class="instant {marker.name}">']
    if marker.leader is not None:
        # The label had to move aside: a thin leader joins it to the top of the line.
        out.append(_line(*marker.leader, marker.left, marker.top, "#555", 0.8))
    if marker.line:
        dash = "6 4" if marker.dashed else None
        out.append(_line(marker.left, marker.top, marker.left, layout.axis_y, INK, 1.4, dash))
    else:
        # A band's edges, the left one a leader from the label down to the band.
        out.append(_line(marker.left, marker.top, marker.left, layout.axis_y, "#555", 0.8))
        if marker.right < PLOT_RIGHT:
            out.append(_line(marker.right, layout.lanes_top, marker.right, layout.axis_y,
                             "#555", 0.8))
    if marker.when.latest is None:  # known only as "after": an arrow points on
        arrow_y = marker.top + 5
        out.append(_arrow_head(marker.left + 16, arrow_y, 4))
        out.append(_line(marker.left, arrow_y, marker.left + 12, arrow_y, INK, 1.2))
    if marker.label is not None:
        out.append(_backed(marker.label, "instant-label"))
    out.append("</g>")
    return out


def _axis(layout: Layout) -> list[str]:
    """Draw the time axis: a tick per step, the hours if they fit, and the days."""
    y = layout.axis_y
    out = [_line(PLOT_LEFT, y, PLOT_RIGHT, y, INK, 1)]
    for tick in layout.ticks:
        if tick.marked:
            out.append(_line(tick.x, y, tick.x, y + tick.length, INK,
                             1.2 if tick.midnight else 0.8))
        if tick.label and tick.label.anchor == "middle":
            out.append(_text(tick.label, "hour", "#444"))
        elif tick.label:  # a date beside its tick, on an axis of days or months
            out.append(_text(tick.label, "day"))
    out += [_text(day, "day") for day in layout.days]
    return out


def _legend(entries: tuple[LegendEntry, ...]) -> list[str]:
    """Draw a sample of each kind of mark in use, and what it means."""
    out = ['<g class="legend">']
    for entry in entries:
        out.append(_swatch(entry.kind, entry.x, entry.y))
        out.append(_text(entry.text))
    out.append("</g>")
    return out


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


# -- elements --------------------------------------------------------------------------------


def _text_lines(lines: tuple[Text, ...]) -> str:
    """Return one <text> of the lines of a label, the bold ones marked so."""
    size = lines[0].size if lines else FONT
    return f'<text font-size="{_n(size)}">{"".join(_tspan(line) for line in lines)}</text>'


def _tspan(line: Text) -> str:
    weight = ' font-weight="bold"' if line.bold else ""
    return (f'<tspan x="{_n(line.x)}" y="{_n(line.y)}"{weight}>'
            f"{_esc(line.content)}</tspan>")


def _text(text: Text, cls: str | None = None, colour: str | None = None) -> str:
    """Return a <text> of one line."""
    attributes = f' class="{cls}"' if cls else ""
    attributes += f' text-anchor="{text.anchor}"' if text.anchor != "start" else ""
    attributes += ' font-weight="bold"' if text.bold else ""
    attributes += f' fill="{colour}"' if colour else ""
    return (f'<text x="{_n(text.x)}" y="{_n(text.y)}" font-size="{_n(text.size)}"{attributes}>'
            f"{_esc(text.content)}</text>")


def _backed(text: Text, cls: str) -> str:
    """Return a line on a white backing, so that the lines behind it do not cross it."""
    box = text.box
    return (f'<rect x="{_n(box.left - 2)}" y="{_n(box.top)}" width="{_n(text.width + 4)}" '
            f'height="{_n(text.size * 1.05)}" fill="#fff" fill-opacity="0.85"/>'
            + _text(text, cls))


def _rect(x: float, y: float, width: float, height: float, fill: str, stroke: str,
          stroke_width: float) -> str:
    return (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{_n(stroke_width)}"/>')


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float,
          dash: str | None = None) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{stroke}" stroke-width="{_n(width)}"{dashes}/>')


def _arrow_head(tip: float, y: float, size: float) -> str:
    return (f'<polygon points="{_n(tip - size * 1.6)},{_n(y - size)} {_n(tip)},{_n(y)} '
            f'{_n(tip - size * 1.6)},{_n(y + size)}" fill="{INK}"/>')


def _diamond(x: float, y: float, size: float, cls: str = "promise-marker") -> str:
    return (f'<polygon class="{cls}" points="{_n(x)},{_n(y - size)} {_n(x + size)},{_n(y)} '
            f'{_n(x)},{_n(y + size)} {_n(x - size)},{_n(y)}" fill="#fff" stroke="{INK}" '
            f'stroke-width="1.5"/>')


def _esc(text: str) -> str:
    """Escape a text for XML content or a double-quoted attribute."""
    return escape(_NOT_XML.sub("", str(text)), {'"': "&quot;"})


def _n(value: float) -> str:
    """Format a coordinate with at most one decimal."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
