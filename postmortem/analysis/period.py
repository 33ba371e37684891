"""The review of a period for management: its incidents, their figures, actions, recurrences."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from postmortem.analysis.across import Summary
from postmortem.record.instants import Duration
from postmortem.record.model import CLOSED_STATUSES, ActionItem, knowledge_day

#: Severities in the order the review counts them; None: not stated.
SEVERITIES: tuple[str | None, ...] = ("critical", "major", "moderate", "minor", None)

#: The forms a period is written in, with an example of each, for error messages.
ACCEPTED_FORMS = ("2024-Q3 (a quarter), 2024-H1 (a half-year), 2024 (a year), "
                  "2024-08 (a month), 2024-01-01..2024-06-30 (from one day to another, "
                  "both included), or empty (the 12 months ending today)")

_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_HALF = re.compile(r"(\d{4})-[Hh]([12])")
_YEAR = re.compile(r"(\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAYS = re.compile(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Period:
    """A span of days a review covers, both ends included."""

    start: date
    end: date
    label: str
    """The period as written ("2024-Q3"), or what the default stands for."""
    kind: str = "range"
    """How it was given: 'quarter', 'half', 'year', 'month', 'range' or 'last_12_months'."""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def months(self) -> list[date]:
        """Return the first day of each month the period touches, in order."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = _next_month(month)
        return months


def parse_period(text: str, today: date) -> Period:
    """Read a period as written in `--period` or `[build] period`; empty: the last 12 months."""
    written = text.strip()
    if not written:
        start = _one_year_before(today) + timedelta(days=1)
        return Period(start, today, f"12 months to {today.isoformat()}", "last_12_months")
    try:
        period = _parsed(written)
    except ValueError as error:
        raise ValueError(f"period {text!r}: {error}; accepted forms: {ACCEPTED_FORMS}") from None
    if period is None:
        raise ValueError(f"period {text!r} is not one of the accepted forms: {ACCEPTED_FORMS}")
    return period


def _parsed(written: str) -> Period | None:
    if found := _QUARTER.fullmatch(written):
        year, quarter = int(found[1]), int(found[2])
        start = date(year, 3 * quarter - 2, 1)
        end = _next_month(_next_month(_next_month(start))) - timedelta(days=1)
        return Period(start, end, f"{year}-Q{quarter}", "quarter")
    if found := _HALF.fullmatch(written):
        year, half = int(found[1]), int(found[2])
        start = date(year, 1 if half == 1 else 7, 1)
        end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
        return Period(start, end, f"{year}-H{half}", "half")
    if found := _YEAR.fullmatch(written):
        year = int(found[1])
        return Period(date(year, 1, 1), date(year, 12, 31), str(year), "year")
    if found := _MONTH.fullmatch(written):
        year, month = int(found[1]), int(found[2])
        if not 1 <= month <= 12:
            raise ValueError(f"there is no month {month:02d}")
        start = date(year, month, 1)
        return Period(start, _next_month(start) - timedelta(days=1), written, "month")
    if found := _DAYS.fullmatch(written):
        start, end = date.fromisoformat(found[1]), date.fromisoformat(found[2])
        if end < start:
            raise ValueError(f"it ends ({end.isoformat()}) before it starts "
                             f"({start.isoformat()})")
        return Period(start, end, f"{start.isoformat()}..{end.isoformat()}", "range")
    return None


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _one_year_before(day: date) -> date:
    # 29 February has no day a year before: the 28th stands for it.
    return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else 31))


@dataclass(frozen=True)
class PeriodIncident:
    """An incident of the period with its time to restore service."""

    incident: Summary
    time_to_restore: Duration | None
    """As derived; for an incident still going on, from its start to the day counted on."""
    ongoing: bool
    """Service is not restored yet: `time_to_restore` is only a lower bound."""

    @property
    def lower_bound(self) -> bool:
        """Return whether the time to restore is only known to be at least some length."""
        return self.time_to_restore is not None and self.time_to_restore.longest is None


@dataclass(frozen=True)
class OwnedAction:
    """An action item with the incident it belongs to."""

    incident: Summary
    action: ActionItem


@dataclass(frozen=True)
class OwnerLoad:
    """How many open action items an owner has at the period's end, and how many overdue."""

    owner: str
    open: int
    overdue: int


@dataclass(frozen=True)
class Recurrence:
    """A factor category or third party met again: in several incidents of the period, or before."""

    name: str
    ids: list[str]
    """Incidents of the period it appears in."""
    earlier: list[str]
    """Incidents before the period it appears in."""


@dataclass(frozen=True)
class MonthCount:
    """The incidents that started in one month of the period, by severity."""

    month: date
    by_severity: dict[str | None, int]

    @property
    def total(self) -> int:
        """Return how many incidents started in the month."""
        return sum(self.by_severity.values())


@dataclass(frozen=True)
class PeriodReview:
    """What management reads of a period: incidents, figures, actions and recurrences."""

    period: Period
    today: date
    counted_on: date
    """The day open and overdue action items are counted on: the period's end, or today."""
    incidents: list[PeriodIncident]
    """The incidents that started in the period, oldest first."""
    months: list[MonthCount]
    opened: list[OwnedAction]
    closed: list[OwnedAction]
    open_at_end: list[OwnedAction]
    overdue_at_end: list[OwnedAction]
    owners: list[OwnerLoad]
    categories: list[Recurrence]
    third_parties: list[Recurrence]
    earlier_incidents: int
    """How many incidents started before the period: what recurrences were looked for in."""

    @property
    def by_severity(self) -> list[tuple[str | None, int]]:
        """Return how many incidents of the period have each severity, in severity order."""
        counts = dict.fromkeys(SEVERITIES, 0)
        for entry in self.incidents:
            counts[entry.incident.severity if entry.incident.severity in counts else None] += 1
        return [(severity, count) for severity, count in counts.items()
                if count or severity is not None]

    @property
    def severities_present(self) -> list[str | None]:
        """Return the severities some incident of the period has, in severity order."""
        return [severity for severity, count in self.by_severity if count]

    @property
    def restore_times(self) -> list[PeriodIncident]:
        """Return the incidents whose time to restore is known, at least as a lower bound."""
        return [entry for entry in self.incidents if entry.time_to_restore is not None]

    @property
    def median_time_to_restore(self) -> timedelta | None:
        """Return the median time to restore: a range counts at its middle, a lower bound at it."""
        values = [middle(entry.time_to_restore) for entry in self.restore_times]
        known = sorted(value for value in values if value is not None)
        if not known:
            return None
        return timedelta(seconds=round(statistics.median(
            value.total_seconds() for value in known)))

    @property
    def restore_lower_bounds(self) -> int:
        """Return how many times to restore are only lower bounds (no known end)."""
        return sum(1 for entry in self.restore_times if entry.lower_bound)

    @property
    def total_time_to_restore(self) -> Duration | None:
        """Return the sum of the times to restore, from the sum of shortest to that of longest."""
        durations = [entry.time_to_restore for entry in self.restore_times
                     if entry.time_to_restore and entry.time_to_restore.shortest is not None]
        if not durations:
            return None
        shortest = sum((duration.shortest for duration in durations if duration.shortest),
                       timedelta(0))
        longest: timedelta | None = timedelta(0)
        for duration in durations:
            longest = None if longest is None or duration.longest is None \
                else longest + duration.longest
        return Duration(shortest, longest, any(duration.approximate for duration in durations))

    @property
    def recurrences(self) -> bool:
        """Return whether any category or third party recurs."""
        return bool(self.categories or self.third_parties)


def middle(duration: Duration | None) -> timedelta | None:
    """Return the value a duration counts at: the middle of its range, else its known bound."""
    if duration is None:
        return None
    if duration.shortest is not None and duration.longest is not None:
        return (duration.shortest + duration.longest) / 2
    return duration.shortest if duration.shortest is not None else duration.longest


def period_review(summaries: Sequence[Summary], period: Period, today: date) -> PeriodReview:
    """Review the incidents that started in a period, and the action items at its end."""
    counted_on = min(period.end, today)
    ordered = sorted(summaries, key=lambda summary: (summary.started, summary.id))
    inside = [summary for summary in ordered if summary.started.date() in period]
    before = [summary for summary in ordered if summary.started.date() < period.start]
    so_far = [summary for summary in ordered if summary.started.date() <= period.end]

    open_at_end, overdue_at_end = [], []
    owners: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for summary in so_far:
        day = knowledge_day(summary.as_of, counted_on)
        for action in summary.actions:
            if not open_on(action, day):
                continue
            open_at_end.append(OwnedAction(summary, action))
            owners[action.owner][0] += 1
            # As Summary.overdue_actions counts: past due on the day, unless silenced.
            if (action.due is not None and action.due < day
                    and action.id not in summary.silenced_overdue):
                overdue_at_end.append(OwnedAction(summary, action))
                owners[action.owner][1] += 1

    months = {month: dict.fromkeys(SEVERITIES, 0) for month in period.months}
    for summary in inside:
        severity = summary.severity if summary.severity in SEVERITIES else None
        months[summary.started.date().replace(day=1)][severity] += 1

    return PeriodReview(
        period=period, today=today, counted_on=counted_on,
        incidents=[_with_restore(summary, today) for summary in inside],
        months=[MonthCount(month, counts) for month, counts in months.items()],
        opened=[OwnedAction(summary, action) for summary in inside
                for action in summary.actions],
        closed=[OwnedAction(summary, action) for summary in ordered
                for action in summary.actions
                if action.completed is not None and action.completed in period],
        open_at_end=open_at_end,
        overdue_at_end=overdue_at_end,
        owners=sorted((OwnerLoad(owner, counts[0], counts[1])
                       for owner, counts in owners.items()),
                      key=lambda load: (-load.overdue, -load.open, load.owner)),
        categories=_recurring(inside, before, lambda summary: summary.categories),
        third_parties=_recurring(inside, before, lambda summary: summary.third_parties),
        earlier_incidents=len(before),
    )


def open_on(action: ActionItem, day: date) -> bool:
    """Return whether an action item was still open on `day`, as far as the record tells.

    An item closed since then (its `completed` date is later) was open; an item closed
    without a date is taken as closed, which is all the record says of it.
    """
    if action.is_open:
        return True
    return (action.status in CLOSED_STATUSES and action.completed is not None
            and action.completed > day and action.superseded_by is None
            and action.merged_into is None)


def _with_restore(summary: Summary, today: date) -> PeriodIncident:
    """Return an incident with its time to restore, a lower bound while it goes on."""
    derived = summary.figures.get("time_to_restore")
    if derived is not None:
        # Restored "after" some instant: restored, its time to restore a lower bound.
        return PeriodIncident(summary, derived, ongoing=False)
    if summary.state != "ongoing":
        return PeriodIncident(summary, None, ongoing=False)
    # Still going on when its knowledge stops: it lasted at least until that day began.
    day = summary.knowledge_day(today)
    started = summary.started
    elapsed = datetime.combine(day, time(0), tzinfo=started.tzinfo) - started
    return PeriodIncident(summary, Duration(max(elapsed, timedelta(0)), None), ongoing=True)


def _recurring(inside: Sequence[Summary], before: Sequence[Summary],
               names_of) -> list[Recurrence]:
    """Return the names found in several incidents of the period, or in one before it too."""
    found: dict[str, list[str]] = defaultdict(list)
    earlier: dict[str, list[str]] = defaultdict(list)
    for summary in inside:
        for name in dict.fromkeys(names_of(summary)):
            found[name].append(summary.id)
    for summary in before:
        for name in dict.fromkeys(names_of(summary)):
            if name in found:
                earlier[name].append(summary.id)
    recurring = [Recurrence(name, ids, earlier.get(name, []))
                 for name, ids in found.items() if len(ids) > 1 or earlier.get(name)]
    return sorted(recurring, key=lambda item: (-len(item.ids), -len(item.earlier), item.name))
