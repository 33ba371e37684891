"""The time axis: the range the report's instants span, its ticks, its hours and days.

An axis counts in minutes (a time under every tick, the days named in a row below),
in days or in months (a date beside every tick). Every tick is labelled, a midnight
included, and a day's name is written under that day, never across its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from postmortem.analysis.derive import Report, Slippage
from postmortem.record.instants import When
from postmortem.render.chart.text import FONT, HOUR, Text, place
from postmortem.render.fonts import text_width
from postmortem.render.i18n import Language

#: The key instants the chart marks, in the order of the incident's life.
KEY_INSTANTS = ("started", "detected", "mitigated", "restored", "resolved")
MIN_STEP_GAP = 36  # user units between two ticks, labelled or not
LABEL_GAP = 12  # between the times of two ticks
FLAG_GAP = 9  # a date: 3 from its own tick, 6 clear of the next
DAY_PAD = 4  # between a day's name and the midnight that bounds it
HOUR_BASELINE = 19  # below the axis: the times, or the dates of a day or month axis
DAY_BASELINE = 38  # below the axis: the day names of an axis in minutes
FLAG = 22  # length of a tick that carries its date beside it, down past the date's baseline
DAY_GRID_GAP = 6  # the thinnest spacing at which the days between dated ticks get a grid line


@dataclass(frozen=True)
class Step:
    """The spacing of the axis ticks: `count` minutes, days or months."""

    unit: str  # "minute", "day" or "month"
    count: int

    @property
    def shortest(self) -> timedelta:
        """Return the shortest time between two ticks (months are 28 days at the least)."""
        one = {"minute": timedelta(minutes=1), "day": timedelta(days=1),
               "month": timedelta(days=28)}[self.unit]
        return one * self.count


#: Candidate steps, the finest first. Minute steps divide a day: midnight is always a tick.
STEPS = (
    *(Step("minute", count) for count in (5, 10, 15, 30, 60, 120, 180, 360, 720)),
    *(Step("day", count) for count in (1, 2, 7, 14)),
    *(Step("month", count) for count in (1, 2, 3, 6, 12, 24, 60, 120)),
)


@dataclass(frozen=True)
class Scale:
    """Map instants from `start` to `end` onto x positions from `left` to `right`."""

    start: datetime
    end: datetime
    step: Step
    zone: tzinfo
    left: float
    right: float
    origin: date  # the first day of the incident: a step of days counts from it

    def x(self, instant: datetime) -> float:
        """Return the x position of an instant, clamped to the plot."""
        # In UTC: subtracting two times of one zone would ignore a clock change between them.
        start, end = self.start.astimezone(UTC), self.end.astimezone(UTC)
        share = (instant.astimezone(UTC) - start) / (end - start)
        return min(self.right, max(self.left, self.left + share * (self.right - self.left)))

    def span_of(self, duration: timedelta) -> float:
        """Return the width a duration takes on the plot."""
        return (self.right - self.left) * (duration / self.length)

    @property
    def length(self) -> timedelta:
        """Return the time from the start to the end, a clock change counted."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    def instants(self) -> list[datetime]:
        """Return every tick instant from the start to the end of the scale."""
        return _tick_instants(self.start, self.end, self.step, self.zone, self.origin)

    def midnights(self) -> list[datetime]:
        """Return every local midnight from the start to the end of the scale."""
        return _tick_instants(self.start, self.end, Step("day", 1), self.zone, self.origin)

    def is_midnight(self, instant: datetime) -> bool:
        """Return whether an instant is a local midnight, where a day begins."""
        local = instant.astimezone(self.zone)
        return (local.hour, local.minute) == (0, 0)


@dataclass(frozen=True)
class Tick:
    """A step of the time axis, with what it says: a time, or the date it starts."""

    x: float
    midnight: bool  # a day starts here: a darker grid line
    label: Text | None  # None only for a grid line between dated ticks
    length: float  # of the tick below the axis; 0 for a grid line alone

    @property
    def marked(self) -> bool:
        """Return whether the tick is drawn on the axis, not only as a grid line."""
        return self.length > 0


def key_instants(report: Report) -> list[tuple[str, When]]:
    """Return (name, instant) for each key instant the record gives."""
    instants = report.incident.key_instants
    return [(name, getattr(instants, name).at) for name in KEY_INSTANTS
            if getattr(instants, name) is not None]


def charted_promises(report: Report) -> list[Slippage]:
    """Return the promises the chart draws: restorations, which share the incident's time.

    A deliverable ("a full analysis within days") falls weeks after the incident; drawn on
    the same axis, it would squeeze the incident into a sliver. The report lists it.
    """
    return [slippage for slippage in report.slippages if slippage.about != "deliverable"]


def known_instants(report: Report) -> list[datetime]:
    """Return every bound of every instant the chart draws."""
    incident = report.incident
    whens: list[When | None] = [when for _, when in key_instants(report)]
    whens += [incident.cause.trigger.started, incident.cause.trigger.ended]
    whens += [bound for span in report.impacts
              for bound in (span.impact.started, span.impact.ended)]
    whens += [bound for slip in charted_promises(report) for bound in (slip.promised, slip.actual)]
    instants = [instant for when in whens if when is not None
                for instant in (when.earliest, when.latest) if instant is not None]
    if incident.as_of is not None and any(span.impact.ongoing for span in report.impacts):
        # What is ongoing runs at least to the day the record's knowledge stops.
        zone = ZoneInfo(incident.timezone)
        instants.append(datetime.combine(incident.as_of + timedelta(days=1), time(0), zone))
    return instants


def choose_scale(report: Report, language: Language, left: float, right: float,
                 width: float) -> Scale:
    """Choose the time range and its step: every known instant, a margin, room for labels.

    `width` is the chart's: a day name at the right end may run past the plot to it.
    """
    zone = language.zone
    # In UTC: subtracting two times of one zone would ignore a clock change between them.
    instants = [instant.astimezone(UTC) for instant in known_instants(report)]
    first, last = min(instants), max(instants)
    span = max(last - first, timedelta(minutes=30))
    start = first - span * 0.05
    # An open end needs room for its arrow and its label beyond the last known instant.
    end = last + span * (0.12 if _has_open_end(report) else 0.05)
    origin = first.astimezone(zone).date()
    step = _tick_step(start, end, zone, origin, language, right - left)
    scale = _scale(start, end, step, zone, left, right, origin)
    if step.unit == "minute":
        scale = _with_room_for_the_last_day(scale, language, width)
    return scale


def axis_ticks(scale: Scale, language: Language, axis_y: float,
               width: float) -> tuple[Tick, ...]:
    """Place a tick per step, each with its label: the time, or the date it starts.

    A date is written beside its tick, over the day it names; a tick too near the chart's
    right edge (`width`) for its date stays a grid line: its day is hardly on the chart.
    """
    ticks = []
    for instant in scale.instants():
        x = scale.x(instant)
        midnight = scale.is_midnight(instant)
        text = tick_text(instant, scale, language)
        if scale.step.unit == "minute":
            label = place(text, x, axis_y + HOUR_BASELINE, HOUR, "middle")
            ticks.append(Tick(x, midnight, label, 9 if midnight else 5))
            continue
        label = place(text, x + 3, axis_y + HOUR_BASELINE, FONT)
        if label.box.right <= width:
            ticks.append(Tick(x, midnight, label, FLAG))
        else:
            ticks.append(Tick(x, midnight, None, 0))
    if scale.step.unit == "day" and scale.step.count > 1:
        # The days between dated ticks keep a grid line, where they are not too thin.
        dated = {tick.x for tick in ticks}
        if scale.span_of(timedelta(days=1)) >= DAY_GRID_GAP:
            ticks += [Tick(scale.x(midnight), True, None, 0) for midnight in scale.midnights()
                      if scale.x(midnight) not in dated]
    return tuple(sorted(ticks, key=lambda tick: tick.x))


def day_labels(scale: Scale, language: Language, axis_y: float,
               width: float) -> tuple[Text, ...]:
    """Name each day of an axis in minutes under that day, between its two midnights.

    A day that is whole on the chart has its name centred in it. The first, cut by the
    chart's start, is named up to its midnight, in the margin if need be; the last from
    its midnight on. An axis of days or months dates its ticks instead: no row of days.
    """
    if scale.step.unit != "minute":
        return ()
    y = axis_y + DAY_BASELINE
    labels = []
    for day_start, day_end in _days(scale):
        text = day_text(day_start, language)
        left, right = scale.x(day_start), scale.x(day_end)
        label_width = text_width(text, FONT)
        if right - left >= label_width + 2 * DAY_PAD:
            labels.append(place(text, (left + right) / 2, y, FONT, "middle"))
        elif day_start <= scale.start:  # the first day, cut short: named before its end
            labels.append(place(text, right - DAY_PAD, y, FONT, "end"))
        else:  # the last day, cut short: named from its start, to the chart's edge
            labels.append(place(text, min(left + DAY_PAD, width - label_width), y, FONT))
    return tuple(labels)


def tick_text(instant: datetime, scale: Scale, language: Language) -> str:
    """Return what a tick says: its time, its day, or its month (or year)."""
    local = instant.astimezone(scale.zone)
    if scale.step.unit == "minute":
        return format_skeleton("Hm", local, locale=language.locale)
    if scale.step.unit == "day":
        return day_text(local, language)
    if scale.step.count >= 12:
        return format_skeleton("y", local, locale=language.locale)
    return format_skeleton("yMMM", local, locale=language.locale)


def day_text(day: datetime, language: Language) -> str:
    """Return a day's name as the axis writes it: weekday, day and month."""
    # At noon: the name of a day never depends on a clock change at its midnight.
    noon = day.astimezone(language.zone).replace(hour=12, minute=0, second=0, microsecond=0)
    return format_skeleton("MMMEd", noon, locale=language.locale)


def _days(scale: Scale) -> list[tuple[datetime, datetime]]:
    """Return each day the scale shows, as its start and end, cut to the scale."""
    bounds = [scale.start, *(midnight for midnight in scale.midnights()
                             if scale.start < midnight < scale.end), scale.end]
    return [(start, end) for start, end in pairwise(bounds) if end > start]


def _tick_step(start: datetime, end: datetime, zone: tzinfo, origin: date,
               language: Language, width: float) -> Step:
    """Return the finest step whose ticks are apart enough for their labels."""
    span = end - start
    # The shortest day: the one a clock change takes an hour from.
    day_width = width * (timedelta(hours=23) / span)
    for step in STEPS:
        gap = width * (step.shortest / span)
        if gap < MIN_STEP_GAP:
            continue
        if step.unit == "minute" and (
                day_width < _widest_day(start, end, zone, language) + 2 * DAY_PAD):
            continue  # days too narrow for their names: date the ticks instead
        probe = _scale(start, end, step, zone, 0, width, origin)
        labels = [tick_text(instant, probe, language) for instant in probe.instants()]
        widest = max((text_width(label, HOUR if step.unit == "minute" else FONT)
                      for label in labels), default=0.0)
        # A time is centred on its tick; a date is written from its tick on, and the next
        # tick, drawn down beside it, already parts it from the next date.
        if gap >= widest + (LABEL_GAP if step.unit == "minute" else FLAG_GAP):
            return step
    return STEPS[-1]


def _widest_day(start: datetime, end: datetime, zone: tzinfo, language: Language) -> float:
    """Return the width of the widest day name from `start` to `end`."""
    day, widest = _floor_day(start, zone), 0.0
    while day < end:
        widest = max(widest, text_width(day_text(day, language), FONT))
        day = _next_midnight(day, zone)
    return widest


def _scale(start: datetime, end: datetime, step: Step, zone: tzinfo, left: float,
           right: float, origin: date) -> Scale:
    """Return a scale from `start` to `end`, widened to whole steps or whole days."""
    if step.unit == "minute":
        duration = step.shortest
        return Scale(_floor(start, duration, zone), _ceil(end, duration, zone), step, zone,
                     left, right, origin)
    floored = _floor_day(end, zone)
    ceiled = floored if floored == end else _next_midnight(floored, zone)
    return Scale(_floor_day(start, zone), ceiled, step, zone, left, right, origin)


def _with_room_for_the_last_day(scale: Scale, language: Language, width: float) -> Scale:
    """Lengthen a scale whose last day is too short on it to carry its name."""
    for _ in range(3):  # each lengthening narrows the other days a little: check again
        midnights = [midnight for midnight in scale.midnights()
                     if scale.start < midnight < scale.end]
        if not midnights:
            return scale
        last = midnights[-1]
        needed = text_width(day_text(last, language), FONT) + DAY_PAD
        room = width - scale.x(last)
        if room >= needed:
            return scale
        # The last day must take `needed - (width - right)` of the plot, `share` of it.
        share = (needed - (width - scale.right)) / (scale.right - scale.left)
        start = scale.start.astimezone(UTC)
        end = start + (last.astimezone(UTC) - start) / (1 - share)
        scale = _scale(scale.start, end, scale.step, scale.zone, scale.left, scale.right,
                       scale.origin)
    return scale


def _tick_instants(start: datetime, end: datetime, step: Step, zone: tzinfo,
                   origin: date) -> list[datetime]:
    """Return every instant of a step from `start` to `end`, both included."""
    ticks: list[datetime] = []
    if step.unit == "minute":
        duration = step.shortest
        instant = _ceil(start, duration, zone)
        while instant <= end:
            ticks.append(instant)
            instant = _floor(instant + duration, duration, zone)
            if ticks[-1] >= instant:  # a clock change can round back: step past it
                instant = ticks[-1] + duration
        return ticks
    if step.unit == "day":
        day = start.astimezone(zone).date()
        if datetime.combine(day, time(0), zone) < start:
            day += timedelta(days=1)
        day += timedelta(days=(origin - day).days % step.count)
        while (instant := datetime.combine(day, time(0), zone)) <= end:
            ticks.append(instant)
            day += timedelta(days=step.count)
        return ticks
    local = start.astimezone(zone)
    month = local.year * 12 + local.month - 1
    if datetime(local.year, local.month, 1, tzinfo=zone) < start:
        month += 1
    month += -month % step.count
    while (instant := datetime(month // 12, month % 12 + 1, 1, tzinfo=zone)) <= end:
        ticks.append(instant)
        month += step.count
    return ticks


def _has_open_end(report: Report) -> bool:
    """Return whether something runs on to the right edge of the chart."""
    incident = report.incident
    ends = [span.impact.ended for span in report.impacts]
    ends += [slip.actual for slip in charted_promises(report)]
    ends += [when for _, when in key_instants(report)]
    if incident.cause.trigger.started is not None:
        ends.append(incident.cause.trigger.ended)
    return any(end is None or end.latest is None for end in ends)


def _floor(instant: datetime, step: timedelta, zone: tzinfo) -> datetime:
    """Round down to a multiple of `step` after local midnight."""
    local = instant.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + step * ((local - midnight) // step)


def _ceil(instant: datetime, step: timedelta, zone: tzinfo) -> datetime:
    """Round up to a multiple of `step` after local midnight."""
    floored = _floor(instant, step, zone)
    return floored if floored == instant else floored + step


def _floor_day(instant: datetime, zone: tzinfo) -> datetime:
    """Return the local midnight that starts an instant's day."""
    return datetime.combine(instant.astimezone(zone).date(), time(0), zone)


def _next_midnight(midnight: datetime, zone: tzinfo) -> datetime:
    """Return the local midnight a day after another, whatever the clock did between."""
    return datetime.combine(midnight.astimezone(zone).date() + timedelta(days=1), time(0), zone)

