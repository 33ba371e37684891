"""Derive the figures people argue about from a valid record: durations, slippage, order."""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from postmortem.record.instants import Duration, When, between
from postmortem.record.model import (
    ActionItem,
    Communication,
    DataLoss,
    Impact,
    Incident,
    Promise,
    Quantity,
    TimelineEntry,
)

if TYPE_CHECKING:
    from postmortem.analysis.history import History

#: Headline figures: (name, key instant it starts at, key instant it ends at).
FIGURES = (
    ("time_to_detect", "started", "detected"),
    ("time_to_mitigate", "started", "mitigated"),
    ("time_to_restore", "started", "restored"),
    ("time_to_resolve", "started", "resolved"),
)

#: Order of open action items: highest priority first, those with none stated last.
PRIORITY_ORDER: dict[str | None, int] = {"high": 0, "medium": 1, "low": 2, None: 3}

# How an impact that has no end time can stand when a promise about it is judged: these
# say it had not come back, so a deadline that passed before the knowledge day was missed.
_NOT_BACK = ("ongoing", "never_restored", "data_lost")


@dataclass(frozen=True)
class Figure:
    """A headline duration between two instants of the incident."""

    name: str
    start: When
    end: When
    duration: Duration
    what: str = ""


@dataclass(frozen=True)
class ImpactSpan:
    """An impact with how long it lasted, when both its start and its end are given."""

    impact: Impact
    duration: Duration | None


@dataclass(frozen=True)
class Slippage:
    """A promise (a restoration, or a deliverable by a date) against what happened.

    `about` is "key:<key instant>", "impact:<impact id>" or "deliverable"; `actual` is
    that key instant, that impact's end or the delivery, None while it has not happened.
    """

    communication: Communication
    promise: Promise
    promised: When
    actual: When | None
    slip: Duration | None
    about: str
    unmet_on_knowledge_day: bool = False
    """Nothing happened yet, and the record's knowledge day is past the deadline."""

    @property
    def withdrawn(self) -> When | None:
        """Return when the promise was withdrawn, or None if it was not."""
        return self.promise.withdrawn

    @property
    def deadline(self) -> datetime:
        """Return the end of the promised window: a promise is kept if met by then."""
        bound = self.promised.latest or self.promised.earliest
        assert bound is not None, "an instant has at least one bound"
        return bound

    @property
    def late(self) -> bool:
        """Return whether the promise was certainly missed while it still stood."""
        withdrawn = self.withdrawn
        if withdrawn is not None and not (withdrawn.earliest is not None
                                          and withdrawn.earliest > self.deadline):
            return False  # withdrawn, perhaps before its deadline: nothing was missed
        if self.slip is not None:
            return self.slip.shortest is not None and self.slip.shortest > timedelta(0)
        return self.unmet_on_knowledge_day


@dataclass(frozen=True)
class LostData:
    """Data lost in one impact, with how long the window of lost changes is."""

    impact: Impact
    loss: DataLoss
    window: Duration | None


@dataclass(frozen=True)
class Report:
    """Everything a template needs: the record and what is derived from it."""

    incident: Incident
    figures: list[Figure]
    trigger_duration: Duration | None
    impacts: list[ImpactSpan]
    slippages: list[Slippage]
    timeline: list[TimelineEntry]
    knowledge_day: date
    """The day open and overdue action items are counted on: `as_of`, else the document's."""
    actions_by_lesson: dict[str, list[str]] = field(default_factory=dict)
    data_losses: list[LostData] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    """The incident's quantities, then each impact's."""
    silenced_overdue: frozenset[str] = frozenset()
    """Ids of action items whose overdue finding a comment silences: never counted overdue."""
    history: History | None = None
    """The record's git history, when the caller gathered it; None leaves it out."""

    @property
    def as_of(self) -> date | None:
        """Return the date on which the record's knowledge stops, if it says."""
        return self.incident.as_of

    @property
    def open_actions(self) -> list[ActionItem]:
        """Return the open action items, highest priority first, then by due date."""
        return open_actions(self.incident.actions)

    @property
    def overdue_actions(self) -> list[ActionItem]:
        """Return the open action items past due on the knowledge day, unless silenced."""
        return overdue_actions(self.incident.actions, self.knowledge_day, self.silenced_overdue)

    @property
    def sites_affected(self) -> int | None:
        """Return the most sites any one impact touched, or None when no impact counts them."""
        counts = [impact.site_count for impact in self.incident.impacts if impact.site_count]
        return max(counts) if counts else None

    @property
    def services_affected(self) -> int:
        """Return how many services or systems the record lists as affected."""
        return len(self.incident.impacts)

    @property
    def promises_missed(self) -> int:
        """Return how many promises were certainly missed."""
        return sum(1 for slippage in self.slippages if slippage.late)

    @property
    def current_state(self) -> str:
        """Return where the incident stands when the record's knowledge stops.

        "resolved": the return to normal has a known time; "ongoing": an impact goes on, or
        only a lower bound of the return to normal is known; "ended": every impact has
        ended and none was lost for good; "ended_with_losses": every impact has ended, but
        some service was never restored or some data was lost.
        """
        resolved = self.incident.key_instants.resolved
        if resolved is not None and resolved.at.latest is not None:
            return "resolved"
        if resolved is not None or any(span.impact.ongoing for span in self.impacts):
            return "ongoing"
        if any(span.impact.end_state in ("never_restored", "data_lost") for span in self.impacts):
            return "ended_with_losses"
        return "ended"


def open_actions(actions: Iterable[ActionItem]) -> list[ActionItem]:
    """Return the open items: high, medium, low, then not stated; then by due date; file order."""
    ranked = [(PRIORITY_ORDER[action.priority], action.due or date.max, index, action)
              for index, action in enumerate(actions) if action.is_open]
    return [action for *_, action in sorted(ranked, key=lambda row: row[:3])]


def overdue_actions(actions: Iterable[ActionItem], day: date,
                    silenced: Set[str] = frozenset()) -> list[ActionItem]:
    """Return the open items past due on `day`, in the order of open_actions, minus `silenced`."""
    return [action for action in open_actions(actions)
            if action.is_overdue(day) and action.id not in silenced]


def derive(incident: Incident, history: History | None = None, today: date | None = None,
           silenced_overdue: Iterable[str] = frozenset()) -> Report:
    """Compute durations, slippage, order and links from a valid record (and its history).

    `today` is the date the document is about (default: the real today); open and overdue
    items are counted on the record's `as_of` when that is earlier.
    """
    knowledge_day = incident.knowledge_day(today or date.today())
    instants = incident.key_instants
    figures = []
    for name, start_key, end_key in FIGURES:
        start, end = getattr(instants, start_key), getattr(instants, end_key)
        if start is not None and end is not None:
            figures.append(Figure(name, start.at, end.at, between(start.at, end.at), end.what))
    trigger = incident.cause.trigger
    trigger_duration = (
        between(trigger.started, trigger.ended) if trigger.started and trigger.ended else None
    )
    impacts = [
        ImpactSpan(impact, between(impact.started, impact.ended) if impact.ended else None)
        for impact in incident.impacts
    ]
    # The knowledge day is a date: only a deadline before it starts, in the record's zone,
    # was certainly past while the record still knew of no result.
    known_from = datetime.combine(knowledge_day, time(0), ZoneInfo(incident.timezone))
    slippages = [
        slippage for communication in sorted(incident.communications,
                                             key=lambda c: c.at.reference)
        if communication.promised is not None
        and (slippage := _slippage(incident, communication, communication.promised, known_from))
    ]
    data_losses = [
        LostData(impact, impact.data_loss,
                 between(impact.data_loss.since, impact.data_loss.until)
                 if impact.data_loss.since and impact.data_loss.until else None)
        for impact in incident.impacts if impact.data_loss is not None
    ]
    timeline = sorted(incident.timeline, key=lambda entry: entry.at.reference)
    return Report(
        incident=incident,
        figures=figures,
        trigger_duration=trigger_duration,
        impacts=impacts,
        slippages=slippages,
        timeline=timeline,
        knowledge_day=knowledge_day,
        actions_by_lesson={
            lesson.id: [action.id for action in incident.actions if lesson.id in action.lessons]
            for lesson in incident.lessons
        },
        data_losses=data_losses,
        quantities=[*incident.quantities,
                    *(quantity for impact in incident.impacts for quantity in impact.quantities)],
        silenced_overdue=frozenset(silenced_overdue),
        history=history,
    )


def _slippage(incident: Incident, communication: Communication, promise: Promise,
              known_from: datetime) -> Slippage | None:
    """Measure one promise against what it was about; None if the record cannot say what."""
    promised: When | None
    if promise.deliverable:
        promised, actual, about = promise.by, promise.delivered, "deliverable"
        pending = actual is None
    elif promise.impact is not None:
        impact = next((item for item in incident.impacts if item.id == promise.impact), None)
        promised, about = promise.restoration, f"impact:{promise.impact}"
        actual = impact.ended if impact else None
        # An impact that ended at an unknown time may have ended before the deadline.
        pending = impact is not None and actual is None and impact.end_state in _NOT_BACK
    else:
        key = promise.key_instant or "restored"
        instant = getattr(incident.key_instants, key)
        promised, about = promise.restoration, f"key:{key}"
        actual = instant.at if instant else None
        pending = actual is None  # a key instant is omitted while it has not happened
    if promised is None:
        return None  # validation refuses such a promise; nothing to measure
    # A promise is a deadline: "by the end of the evening" is kept if done by its end.
    deadline = promised.latest or promised.earliest
    assert deadline is not None, "an instant has at least one bound"
    slip = (between(When(deadline, deadline, promised.approximate), actual, signed=True)
            if actual else None)
    # With no result yet, a deadline before the knowledge day was certainly missed by then.
    unmet = pending and deadline < known_from
    return Slippage(communication, promise, promised, actual, slip, about, unmet)
