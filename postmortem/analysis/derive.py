"""Derive the figures people argue about from a valid record: durations, slippage, order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from postmortem.record.instants import Duration, When, between
from postmortem.record.model import Communication, Impact, Incident, TimelineEntry

if TYPE_CHECKING:
    from postmortem.analysis.history import History

#: Headline figures: (name, key instant it starts at, key instant it ends at).
FIGURES = (
    ("time_to_detect", "started", "detected"),
    ("time_to_mitigate", "started", "mitigated"),
    ("time_to_restore", "started", "restored"),
    ("time_to_resolve", "started", "resolved"),
)


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
    """An impact with how long it lasted (or has lasted so far)."""

    impact: Impact
    duration: Duration | None


@dataclass(frozen=True)
class Slippage:
    """A promised restoration time against the instant it was about."""

    communication: Communication
    promised: When
    actual: When | None
    slip: Duration | None

    @property
    def late(self) -> bool:
        """Return whether the promise was certainly missed."""
        return bool(self.slip and self.slip.shortest and self.slip.shortest > timedelta(0))


@dataclass(frozen=True)
class Report:
    """Everything a template needs: the record and what is derived from it."""

    incident: Incident
    figures: list[Figure]
    trigger_duration: Duration | None
    impacts: list[ImpactSpan]
    slippages: list[Slippage]
    timeline: list[TimelineEntry]
    actions_by_lesson: dict[str, list[str]] = field(default_factory=dict)
    history: History | None = None
    """The record's git history, when the caller gathered it; None leaves it out."""

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
        """Return how many announced restoration times were certainly missed."""
        return sum(1 for slippage in self.slippages if slippage.late)


def derive(incident: Incident, history: History | None = None) -> Report:
    """Compute durations, slippage, order and links from a valid record (and its history)."""
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
    slippages = []
    for communication in sorted(incident.communications, key=lambda c: c.at.reference):
        if communication.promised is None:
            continue
        promised = communication.promised.restoration
        target = getattr(instants, communication.promised.target)
        actual = target.at if target else None
        # A promise is a deadline: "by the end of the evening" is kept if done by its end.
        deadline = promised.latest or promised.earliest
        slip = (between(When(deadline, deadline, promised.approximate), actual, signed=True)
                if actual else None)
        slippages.append(Slippage(communication, promised, actual, slip))
    timeline = sorted(incident.timeline, key=lambda entry: entry.at.reference)
    return Report(
        incident=incident,
        figures=figures,
        trigger_duration=trigger_duration,
        impacts=impacts,
        slippages=slippages,
        timeline=timeline,
        actions_by_lesson={
            lesson.id: [action.id for action in incident.actions if lesson.id in action.lessons]
            for lesson in incident.lessons
        },
        history=history,
    )
