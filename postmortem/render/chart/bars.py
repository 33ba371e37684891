"""Bar charts of a period review: incidents per month, time to restore, open actions by owner.

Each chart is one self-contained SVG element, printable in black and white: severity is
told by shades from dark (critical) to light, an unknown severity by hatching, and an
uncertain or open-ended length by a lighter or dashed part. Every text is measured in
the PDF's fonts and placed inside the chart's box; the same review gives the same SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from babel.dates import format_date

from postmortem.analysis.period import PeriodReview, middle
from postmortem.render.chart.svg import FONT_FAMILY, GRID, INK, _esc, _n
from postmortem.render.chart.text import FONT, SMALL, ellipsize, place, wrap
from postmortem.render.fonts import text_width
from postmortem.render.i18n import Language

#: Width of every chart, in user units: at the text width of an A4 page, a 14-unit text
#: prints at about 9 pt.
WIDTH = 760
#: Fill of each severity's part of a bar, darkest for the most severe.
SEVERITY_FILL: dict[str | None, str] = {
    "critical": "#262626", "major": "#666666", "moderate": "#a6a6a6", "minor": "#dedede",
    None: "hatch",
}
SOLID = "#666666"  # the part of a length that is certain
LIGHT = "#d4d4d4"  # from the shortest to the longest a length may be
MAX_ROWS = 40  # incidents or owners one chart shows; the table lists them all
ROW = 30  # height of a row of a horizontal bar chart
BAR = 16
GAP = 6  # between a bar's end and its value
LEGEND_ROW = 22
SWATCH = 26  # room of a legend sample, before its text


@dataclass(frozen=True)
class Chart:
    """An SVG chart and what it says in words, for a caption or a screen reader."""

    name: str
    svg: str
    title: str


def period_charts(review: PeriodReview, language: Language) -> list[Chart]:
    """Return the charts of a period review that have something to show, in reading order."""
    charts = [incidents_by_month(review, language)]
    if review.restore_times:
        charts.append(time_to_restore(review, language))
    if review.owners:
        charts.append(open_actions_by_owner(review, language))
    return charts


# -- incidents per month, by severity ---------------------------------------------------------


def incidents_by_month(review: PeriodReview, language: Language) -> Chart:
    """Draw the incidents that started in each month of the period, stacked by severity."""
    chart_id = "pm-months"
    title = language.gettext("Incidents per month, by severity")
    months = review.months
    highest = max((month.total for month in months), default=0)
    step = _count_step(highest)
    top_count = max(step, math.ceil(highest / step) * step)
    ticks = list(range(0, top_count + 1, step))
    axis_room = max(text_width(language.number(tick), SMALL) for tick in ticks) + 8
    plot_left, plot_right = axis_room + 4, WIDTH - 4
    plot_top, plot_height = 24.0, 180.0
    plot_bottom = plot_top + plot_height
    slot = (plot_right - plot_left) / max(len(months), 1)
    bar = min(slot * 0.7, 48)
    scale = plot_height / top_count

    out = [_defs(chart_id)]
    for tick in ticks:
        y = plot_bottom - tick * scale
        out.append(_line(plot_left, y, plot_right, y, GRID if tick else INK, 1 if tick else 1.2))
        out.append(_text(place(language.number(tick), plot_left - 6, y + 4.5, SMALL, "end")))
    labels = _month_labels(review, language, slot - 4)
    for index, month in enumerate(months):
        centre = plot_left + slot * (index + 0.5)
        left = centre - bar / 2
        bottom = plot_bottom
        for severity in (None, "minor", "moderate", "major", "critical"):
            count = month.by_severity.get(severity, 0)
            if not count:
                continue
            height = count * scale
            out.append(_rect(left, bottom - height, bar, height,
                             _fill(SEVERITY_FILL[severity], chart_id),
                             cls=f"bar severity-{severity or 'not-stated'}",
                             data=f' data-month="{month.month:%Y-%m}" data-count="{count}"'))
            bottom -= height
        if month.total:
            out.append(_text(place(language.number(month.total), centre, bottom - 5, SMALL,
                                   "middle", bold=True)))
        for line, text in enumerate(labels[index]):
            if text:
                out.append(_text(place(text, centre, plot_bottom + 18 + line * 16, SMALL,
                                       "middle"), cls="month"))
    legend_top = plot_bottom + 18 + 16 + 20
    entries = [(SEVERITY_FILL[severity], severity_label(severity, language))
               for severity in review.severities_present]
    legend, legend_bottom = _legend(entries, legend_top, chart_id)
    out += legend
    height = legend_bottom + 4
    description = [f"{_month_name(month.month, language)}: {language.number(month.total)}"
                   for month in months]
    return Chart("incidents_by_month", _svg(chart_id, title, description, height, out), title)


def severity_label(severity: str | None, language: Language) -> str:
    """Return a severity's label, 'Not stated' (capitalised, as the others) for none."""
    text = language.label("severity", severity)
    return text[:1].upper() + text[1:]


def _month_labels(review: PeriodReview, language: Language, room: float) -> list[list[str]]:
    """Return each month's label lines: its name, and the year under January and the first.

    A name too wide for its slot is written narrow ("J"); if even that does not fit,
    only every second, third… month is named.
    """
    months = [month.month for month in review.months]
    locale = language.locale
    for pattern in ("LLL", "LLLLL"):
        names = [format_date(month, pattern, locale=locale) for month in months]
        if all(text_width(name, SMALL) <= room for name in names):
            break
    every = 1
    while every < len(months) and max(
            (text_width(name, SMALL) for name in names), default=0) > room * every:
        every += 1
    labels = []
    for index, month in enumerate(months):
        named = index % every == 0
        year = str(month.year) if (index == 0 or month.month == 1) else ""
        if year and text_width(year, SMALL) > room * every:
            year = ""
        labels.append([names[index] if named else "", year])
    return labels


def _month_name(month, language: Language) -> str:
    return format_date(month, "LLLL y", locale=language.locale)


def _count_step(highest: int) -> int:
    """Return a step between the count axis's ticks: 1, 2, 5, 10… for at most 6 ticks."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if highest <= step * 5:
            return step
    return 10 ** len(str(highest))


# -- time to restore, per incident -------------------------------------------------------------


def time_to_restore(review: PeriodReview, language: Language) -> Chart:
    """Draw each incident's time to restore: solid to the shortest, light to the longest.

    An incident still going on has a dashed bar with an arrow: its length is a lower bound.
    """
    chart_id = "pm-restore"
    title = language.gettext("Time to restore service, per incident")
    entries = review.restore_times
    if len(entries) > MAX_ROWS:
        # The longest are what a director asks about; the table lists every incident.
        kept = sorted(entries, key=lambda entry: -(middle(entry.time_to_restore)
                                                    or timedelta(0)))[:MAX_ROWS]
        entries = [entry for entry in entries if entry in kept]
    label_width = 250
    plot_left = label_width + 12
    rows = []
    for entry in entries:
        duration = entry.time_to_restore
        assert duration is not None
        value = language.duration(duration)
        rows.append((entry, duration, value, text_width(value, SMALL)))
    longest = max((_end(duration) for _, duration, _, _ in rows), default=timedelta(0))
    longest = max(longest, timedelta(minutes=1))
    # The scale leaves room for every value's text after its bar.
    room = min((WIDTH - 4 - plot_left - GAP - width - (14 if entry.lower_bound else 0))
               / max(_end(duration) / longest, 1e-9)
               for entry, duration, _, width in rows)
    room = min(room, WIDTH - 4 - plot_left)
    per_second = room / longest.total_seconds()
    top = 8
    out = [_defs(chart_id)]
    axis_y = top + ROW * len(rows) + 4
    ticks = _time_ticks(longest, room, language)
    for tick, text in ticks:
        x = plot_left + tick.total_seconds() * per_second
        out.append(_line(x, top, x, axis_y, GRID if tick else INK, 1))
        out.append(_text(_tick_label(text, x, axis_y + 16), cls="tick"))
    for index, (entry, duration, value, _) in enumerate(rows):
        y = top + ROW * index
        middle_y = y + ROW / 2
        summary = entry.incident
        label = f"{language.compact_day(summary.started.date(), with_year=True)} · " \
                f"{' '.join(summary.title.split())}"
        lines = wrap(label, label_width, SMALL, 2)
        first = middle_y + 4.5 - (len(lines) - 1) * 7
        for number, line in enumerate(lines):
            out.append(_text(place(line, 4, first + number * 14, SMALL), cls="incident"))
        shortest = duration.shortest or timedelta(0)
        solid_right = plot_left + shortest.total_seconds() * per_second
        bar_top = middle_y - BAR / 2
        data = f' data-incident="{_esc(summary.id)}"'
        if entry.lower_bound:
            out += _open_bar(plot_left, max(solid_right, plot_left + 14), bar_top, data)
            end = max(solid_right, plot_left + 14)
        else:
            out.append(_rect(plot_left, bar_top, max(solid_right - plot_left, 1.5), BAR, SOLID,
                             cls="bar shortest", data=data + _seconds(shortest)))
            end = solid_right
            if duration.longest is not None and duration.longest > shortest:
                longest_right = plot_left + duration.longest.total_seconds() * per_second
                out.append(_rect(solid_right, bar_top, longest_right - solid_right, BAR, LIGHT,
                                 cls="bar longest",
                                 data=data + _seconds(duration.longest)))
                end = longest_right
        out.append(_backed(place(value, end + GAP, middle_y + 4.5, SMALL), cls="value"))
    out.append(_line(plot_left, top, plot_left, axis_y, INK, 1.2))
    kinds = [(SOLID, language.gettext("Time to restore (shortest)")),
             (LIGHT, language.gettext("Up to the longest it may have been"))]
    if any(entry.ongoing for entry in entries):
        kinds.append(("open", language.gettext("Not restored yet: at least this long")))
    elif any(entry.lower_bound for entry in entries):
        kinds.append(("open", language.gettext("No known end")))
    legend, legend_bottom = _legend(kinds, axis_y + 40, chart_id)
    out += legend
    description = [f"{entry.incident.title}: {value}" for entry, _, value, _ in rows]
    if len(entries) < len(review.restore_times):
        description.append(language.gettext(
            "The %(num)s longest are shown; the table lists every incident.", num=len(entries)))
    return Chart("time_to_restore",
                 _svg(chart_id, title, description, legend_bottom + 4, out), title)


def _end(duration) -> timedelta:
    """Return where a duration's bar ends: its longest, else (a lower bound) its shortest."""
    return duration.longest if duration.longest is not None else (duration.shortest
                                                                   or timedelta(0))


def _seconds(delta: timedelta) -> str:
    return f' data-seconds="{round(delta.total_seconds())}"'


#: Steps between the time axis's ticks, shortest first.
_TIME_STEPS = [timedelta(minutes=m) for m in (5, 10, 15, 30)] + [
    timedelta(hours=h) for h in (1, 2, 3, 6, 12)] + [
    timedelta(days=d) for d in (1, 2, 7, 14, 30, 60, 90, 180, 365)]


def _time_ticks(longest: timedelta, room: float,
                language: Language) -> list[tuple[timedelta, str]]:
    """Return ticks of the time axis, as many as fit with their labels, at most 7."""
    per_second = room / longest.total_seconds()
    for step in _TIME_STEPS:
        count = int(longest / step)
        if count > 6:
            continue
        ticks = [step * index for index in range(count + 1)]
        texts = [language.span(tick) if tick else "0" for tick in ticks]
        widest = max(text_width(text, SMALL) for text in texts)
        if step.total_seconds() * per_second >= widest + 10:
            return list(zip(ticks, texts, strict=True))
    return [(timedelta(0), "0")]


def _open_bar(left: float, right: float, top: float, data: str,
              cls: str = "bar ongoing") -> list[str]:
    """Draw a length known only as a lower bound: dashed outline, an arrow at its end."""
    middle_y = top + BAR / 2
    body = right - 9
    return [
        f'<rect class="{cls}" x="{_n(left)}" y="{_n(top)}" '
        f'width="{_n(max(body - left, 1))}" height="{_n(BAR)}" fill="#f2f2f2" stroke="{INK}" '
        f'stroke-width="1" stroke-dasharray="4 3"{data}/>',
        f'<polygon points="{_n(body)},{_n(top - 3)} {_n(right)},{_n(middle_y)} '
        f'{_n(body)},{_n(top + BAR + 3)}" fill="{INK}"/>',
    ]


# -- open action items by owner ---------------------------------------------------------------


def open_actions_by_owner(review: PeriodReview, language: Language) -> Chart:
    """Draw each owner's open action items at the period's end, the overdue part darker."""
    chart_id = "pm-owners"
    title = language.gettext("Open action items by owner, on %(day)s",
                             day=language.day(review.counted_on))
    owners = list(review.owners)
    rest = owners[MAX_ROWS - 1:] if len(owners) > MAX_ROWS else []
    if rest:
        owners = owners[:MAX_ROWS - 1]
    rows = [(load.owner, load.open, load.overdue) for load in owners]
    if rest:
        rows.append((language.gettext("%(num)s other owners", num=len(rest)),
                     sum(load.open for load in rest), sum(load.overdue for load in rest)))
    label_width = 220
    plot_left = label_width + 12
    values = [_owner_value(open_count, overdue, language) for _, open_count, overdue in rows]
    highest = max((open_count for _, open_count, _ in rows), default=1) or 1
    room = min((WIDTH - 4 - plot_left - GAP - text_width(value, SMALL)) / (open_count / highest)
               for (_, open_count, _), value in zip(rows, values, strict=True) if open_count)
    per_item = room / highest
    top = 8
    out = [_defs(chart_id)]
    axis_y = top + ROW * len(rows) + 4
    step = _count_step(highest)
    for tick in range(0, highest + 1, step):
        x = plot_left + tick * per_item
        out.append(_line(x, top, x, axis_y, GRID if tick else INK, 1.2 if not tick else 1))
        out.append(_text(_tick_label(language.number(tick), x, axis_y + 16), cls="tick"))
    for index, ((owner, open_count, overdue), value) in enumerate(zip(rows, values,
                                                                      strict=True)):
        middle_y = top + ROW * index + ROW / 2
        bar_top = middle_y - BAR / 2
        lines = wrap(owner, label_width, SMALL, 2)
        first = middle_y + 4.5 - (len(lines) - 1) * 7
        for number, line in enumerate(lines):
            out.append(_text(place(line, 4, first + number * 14, SMALL), cls="owner"))
        data = f' data-owner="{_esc(owner)}"'
        overdue_right = plot_left + overdue * per_item
        if overdue:
            out.append(_rect(plot_left, bar_top, overdue * per_item, BAR, "#262626",
                             cls="bar overdue", data=data + f' data-count="{overdue}"'))
        if open_count > overdue:
            out.append(_rect(overdue_right, bar_top, (open_count - overdue) * per_item, BAR,
                             LIGHT, cls="bar open",
                             data=data + f' data-count="{open_count - overdue}"'))
        end = plot_left + open_count * per_item
        out.append(_backed(place(value, end + GAP, middle_y + 4.5, SMALL), cls="value"))
    out.append(_line(plot_left, top, plot_left, axis_y, INK, 1.2))
    legend, legend_bottom = _legend([("#262626", language.gettext("Overdue")),
                                     (LIGHT, language.gettext("Open, not overdue"))],
                                    axis_y + 40, chart_id)
    out += legend
    description = [f"{owner}: {value}" for (owner, _, _), value in zip(rows, values,
                                                                       strict=True)]
    return Chart("open_actions_by_owner",
                 _svg(chart_id, title, description, legend_bottom + 4, out), title)


def _owner_value(open_count: int, overdue: int, language: Language) -> str:
    if not overdue:
        return language.number(open_count)
    return language.gettext("%(open)s (%(overdue)s overdue)", open=language.number(open_count),
                            overdue=language.number(overdue))


# -- parts ------------------------------------------------------------------------------------


def _tick_label(text: str, x: float, y: float):
    """Place a tick's label centred under it, or ending at it where it would pass the edge."""
    label = place(text, x, y, SMALL, "middle")
    return place(text, x, y, SMALL, "end") if label.box.right > WIDTH - 2 else label


def _legend(entries: Sequence[tuple[str, str]], top: float,
            chart_id: str) -> tuple[list[str], float]:
    """Place a sample of each fill and its meaning, in rows; return them and their bottom."""
    out = ['<g class="legend">']
    x, y = 4.0, top
    for fill, text in entries:
        text = ellipsize(text, WIDTH - 8 - SWATCH, SMALL, cut=False)
        room = SWATCH + text_width(text, SMALL) + 22
        if x > 4 and x + room > WIDTH:
            x, y = 4.0, y + LEGEND_ROW
        if fill == "open":
            out += _open_bar(x, x + 20, y - 6 - (BAR - 12) / 2, "", cls="sample")
        else:
            out.append(_rect(x, y - 6, 20, 12, _fill(fill, chart_id)))
        out.append(_text(place(text, x + SWATCH, y + 4.5, SMALL)))
        x += room
    out.append("</g>")
    return out, y + 10


def _fill(fill: str, chart_id: str) -> str:
    return f"url(#{chart_id}-hatch)" if fill == "hatch" else fill


def _defs(chart_id: str) -> str:
    """Return the hatching of an unknown severity, named for its chart."""
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#fff"/>'
        f'<line x1="1" y1="0" x2="1" y2="6" stroke="{INK}" stroke-width="1.6"/>'
        f"</pattern></defs>"
    )


def _svg(chart_id: str, title: str, description: Sequence[str], height: float,
         parts: Sequence[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="bars {chart_id}" font-size="{FONT}" font-family="{FONT_FAMILY}">'
    )
    return "\n".join([
        head,
        f'<title id="{chart_id}-title">{_esc(title)}</title>',
        f'<desc id="{chart_id}-desc">{_esc(chr(10).join(description))}</desc>',
        *parts,
        "</svg>",
    ])


def _text(text, cls: str | None = None) -> str:
    """Return a <text> of one line, with every attribute that sets where it is drawn."""
    attributes = f' class="{cls}"' if cls else ""
    attributes += f' text-anchor="{text.anchor}"'
    attributes += ' font-weight="bold"' if text.bold else ""
    return (f'<text x="{_n(text.x)}" y="{_n(text.y)}" font-size="{_n(text.size)}"'
            f'{attributes} fill="{INK}">{_esc(text.content)}</text>')


def _backed(text, cls: str) -> str:
    """Return a line on a white backing, so that the grid behind it does not cross it."""
    box = text.box
    return (f'<rect x="{_n(box.left - 2)}" y="{_n(box.top)}" width="{_n(text.width + 4)}" '
            f'height="{_n(box.bottom - box.top)}" fill="#fff"/>' + _text(text, cls))


def _rect(x: float, y: float, width: float, height: float, fill: str, cls: str = "",
          data: str = "") -> str:
    classes = f' class="{cls}"' if cls else ""
    return (f'<rect{classes} x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" '
            f'height="{_n(height)}" fill="{fill}" stroke="{INK}" stroke-width="0.8"{data}/>')


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float) -> str:
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{stroke}" stroke-width="{_n(width)}"/>')
