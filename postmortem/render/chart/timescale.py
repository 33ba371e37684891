"""The time axis: the range the report's instants span, its ticks, its hours and days."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from postmortem.analysis.derive import Report, Slippage
from postmortem.record.instants import When
from postmortem.render.chart.text import FONT, HOUR, Text, place
from postmortem.render.fonts import text_width
from postmortem.render.i18n import Language

#: The key instants the chart marks, in the order of the incident's life.
KEY_INSTANTS = ("started", "detected", "mitigated", "restored", "resolved")
#: Candidate spacings of the light ticks, the finest first.
STEPS = tuple(timedelta(minutes=m) for m in (5, 10, 15, 30, 60, 120, 180, 360, 720, 1440))
MIN_STEP_GAP = 36  # user units between light ticks


@dataclass(frozen=True)
class Scale:
    """Map instants from `start` to `end` onto x positions from `left` to `right`."""

    start: datetime
    end: datetime
    step: timedelta
    zone: tzinfo
    left: float
    right: float

    def x(self, instant: datetime) -> float:
        """Return the x position of an instant, clamped to the plot."""
        # In UTC: subtracting two times of one zone would ignore a clock change between them.
        start, end = self.start.astimezone(UTC), self.end.astimezone(UTC)
        share = (instant.astimezone(UTC) - start) / (end - start)
        return min(self.right, max(self.left, self.left + share * (self.right - self.left)))

    def span_of(self, duration: timedelta) -> float:
        """Return the width a duration takes on the plot."""
        return (self.right - self.left) * (duration / (self.end - self.start))

    def instants(self) -> list[datetime]:
        """Return every tick instant from the start to the end of the scale."""
        ticks, instant = [], self.start
        while instant <= self.end:
            ticks.append(instant)
            instant = _floor(instant + self.step, self.step, self.zone)
            if ticks[-1] >= instant:  # a clock change can round back: step past it
                instant = ticks[-1] + self.step
        return ticks

    def is_midnight(self, instant: datetime) -> bool:
        """Return whether an instant is a local midnight, where a day begins."""
        local = instant.astimezone(self.zone)
        return (local.hour, local.minute) == (0, 0)


@dataclass(frozen=True)
class Tick:
    """A step of the time axis: a midnight or a light tick, with its time if there is room."""

    x: float
    midnight: bool
    label: Text | None


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


def choose_scale(report: Report, zone: tzinfo, left: float, right: float) -> Scale:
    """Choose the time range: all known instants, a margin, more room for an open end."""
    instants = known_instants(report)
    first, last = min(instants), max(instants)
    span = max(last - first, timedelta(minutes=30))
    first -= span * 0.05
    # An open end needs room for its arrow and its label beyond the last known instant.
    last += span * (0.12 if _has_open_end(report) else 0.05)
    step = _tick_step(last - first, right - left)
    return Scale(_floor(first, step, zone), _ceil(last, step, zone), step, zone, left, right)


def axis_ticks(scale: Scale, language: Language, axis_y: float) -> tuple[Tick, ...]:
    """Place a tick per step, with its time under it if every time fits between two ticks."""
    instants = scale.instants()
    clocks = {instant: format_skeleton("Hm", instant.astimezone(scale.zone),
                                       locale=language.locale)
              for instant in instants if not scale.is_midnight(instant)}
    widest = max((text_width(clock, HOUR) for clock in clocks.values()), default=0.0)
    fit = scale.step < timedelta(days=1) and scale.span_of(scale.step) >= widest + 10
    return tuple(
        Tick(scale.x(instant), scale.is_midnight(instant),
             place(clocks[instant], scale.x(instant), axis_y + 19, HOUR, "middle")
             if fit and instant in clocks else None)
        for instant in instants)


def day_labels(scale: Scale, language: Language, y: float, width: float) -> tuple[Text, ...]:
    """Place the day labels: every day, or one in a few if days are narrow."""
    days = []
    day = scale.start.astimezone(scale.zone).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < scale.end:
        following = day + timedelta(days=1)
        text = format_skeleton("MMMEd", day.replace(hour=12), locale=language.locale)
        days.append((scale.x(max(day, scale.start)), scale.x(min(following, scale.end)), text))
        day = following
    full_day = scale.span_of(timedelta(days=1))
    widest = max(text_width(text, FONT) for _, _, text in days) + 8
    every = max(1, math.ceil(widest / full_day))
    labels = []
    for index, (left, right, text) in enumerate(days):
        centre = (left + right) / 2
        if ((every == 1 and right - left >= text_width(text, FONT) + 8)
                or (every > 1 and index % every == 0 and right - left >= full_day / 2
                    # Long incidents: the label overhangs its day, and its unlabelled neighbours.
                    and centre - widest / 2 >= scale.left - 8
                    and centre + widest / 2 <= width)):
            labels.append(place(text, centre, y, FONT, "middle"))
    return tuple(labels)


def _has_open_end(report: Report) -> bool:
    """Return whether something runs on to the right edge of the chart."""
    incident = report.incident
    ends = [span.impact.ended for span in report.impacts]
    ends += [slip.actual for slip in charted_promises(report)]
    ends += [when for _, when in key_instants(report)]
    if incident.cause.trigger.started is not None:
        ends.append(incident.cause.trigger.ended)
    return any(end is None or end.latest is None for end in ends)


def _tick_step(span: timedelta, width: float) -> timedelta:
    """Return the finest tick step that leaves room between ticks."""
    for step in STEPS:
        if width * (step / span) >= MIN_STEP_GAP:
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
