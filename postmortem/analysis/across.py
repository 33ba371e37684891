"""Read the incidents together: the index of every review and what they say as a whole."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from postmortem.analysis.derive import Report, open_actions, overdue_actions
from postmortem.record.instants import Duration
from postmortem.record.model import ActionItem, knowledge_day

#: Figures whose spread across incidents the review shows, in this order.
DISTRIBUTED = ("time_to_detect", "trigger_duration", "time_to_restore", "time_to_resolve")


@dataclass(frozen=True)
class Summary:
    """What the review across incidents reads of one incident."""

    id: str
    title: str
    started: datetime
    severity: str | None
    status: str
    lang: str
    figures: dict[str, Duration]
    """Headline durations by name, the trigger's included."""
    actions: list[ActionItem]
    categories: list[str]
    """Categories of the trigger and of each contributing factor."""
    third_parties: list[str]
    as_of: date | None = None
    """Date on which the record's knowledge stops, if it says."""
    silenced_overdue: frozenset[str] = frozenset()
    """Ids of action items kept out of the overdue counts by a comment in the record."""
    state: str = ""
    """Where the incident stands when its knowledge stops (Report.current_state); empty: unknown."""

    def knowledge_day(self, today: date) -> date:
        """Return the day open and overdue items are counted on, as Incident.knowledge_day."""
        return knowledge_day(self.as_of, today)

    def open_actions(self) -> list[ActionItem]:
        """Return the open action items, in the report's order."""
        return open_actions(self.actions)

    def overdue_actions(self, today: date) -> list[ActionItem]:
        """Return the action items overdue on the knowledge day, as the report counts them."""
        return overdue_actions(self.actions, self.knowledge_day(today), self.silenced_overdue)

    @classmethod
    def of(cls, report: Report) -> Summary:
        """Summarise a derived report."""
        incident = report.incident
        figures = {figure.name: figure.duration for figure in report.figures}
        if report.trigger_duration:
            figures["trigger_duration"] = report.trigger_duration
        started = incident.key_instants.started.at
        factors = [incident.cause.trigger, *incident.cause.contributing_factors]
        return cls(
            id=incident.id, title=incident.title, started=started.earliest or started.reference,
            severity=incident.severity, status=incident.review.status, lang=incident.lang,
            figures=figures, actions=list(incident.actions),
            categories=[factor.category for factor in factors],
            third_parties=[party.name for party in incident.third_parties],
            as_of=incident.as_of, silenced_overdue=report.silenced_overdue,
            state=report.current_state,
        )


@dataclass(frozen=True)
class Entry:
    """One incident as the index lists it: its summary and its open and overdue items."""

    incident: Summary
    open_actions: int
    overdue_actions: int
    knowledge_day: date
    """The day the counts hold on: the record's `as_of` when earlier than the index's day."""


@dataclass(frozen=True)
class Spread:
    """How a figure is distributed across incidents."""

    name: str
    count: int
    median: timedelta
    p90: timedelta
    lower_bounds: int
    """How many values are only lower bounds (ongoing incidents), counted at that bound."""


@dataclass(frozen=True)
class CrossReview:
    """The index of every incident and what they show read together."""

    entries: list[Entry]
    categories: list[tuple[str, list[str]]]
    third_parties: list[tuple[str, list[str]]]
    spreads: list[Spread]
    owners: list[tuple[str, int, int]]
    today: date
    failed: list[str] = field(default_factory=list)

    @property
    def recurring_third_parties(self) -> list[tuple[str, list[str]]]:
        """Return the third parties involved in more than one incident."""
        return [(name, ids) for name, ids in self.third_parties if len(ids) > 1]

    @property
    def recurring_categories(self) -> list[tuple[str, list[str]]]:
        """Return the factor categories found in more than one incident."""
        return [(name, ids) for name, ids in self.categories if len(ids) > 1]


def review(incidents: Sequence[Summary], today: date,
           failed: Sequence[str] = ()) -> CrossReview:
    """Build the index and the cross-incident review from a summary of each incident."""
    entries, categories, parties = [], defaultdict(set), defaultdict(set)
    owners: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for incident in incidents:
        open_items = incident.open_actions()
        overdue = incident.overdue_actions(today)
        for action in open_items:
            owners[action.owner][0] += 1
        for action in overdue:
            owners[action.owner][1] += 1
        entries.append(Entry(incident, open_actions=len(open_items),
                             overdue_actions=len(overdue),
                             knowledge_day=incident.knowledge_day(today)))
        for category in incident.categories:
            categories[category].add(incident.id)
        for name in incident.third_parties:
            parties[name].add(incident.id)
    entries.sort(key=lambda entry: (entry.incident.started, entry.incident.id), reverse=True)
    return CrossReview(
        entries=entries,
        categories=_ranked(categories),
        third_parties=_ranked(parties),
        spreads=[spread for name in DISTRIBUTED if (spread := _spread(name, entries))],
        owners=sorted(((owner, counts[0], counts[1]) for owner, counts in owners.items()),
                      key=lambda row: (-row[2], -row[1], row[0])),
        today=today,
        failed=list(failed),
    )


def _spread(name: str, entries: Sequence[Entry]) -> Spread | None:
    values, lower_bounds = [], 0
    for entry in entries:
        duration = entry.incident.figures.get(name)
        if duration is None:
            continue
        if duration.shortest is not None and duration.longest is not None:
            values.append((duration.shortest + duration.longest) / 2)  # middle of the range
        elif duration.shortest is not None:
            values.append(duration.shortest)  # still open: counted at its lower bound
            lower_bounds += 1
    if not values:
        return None
    minutes = sorted(value.total_seconds() / 60 for value in values)
    p90 = minutes[0] if len(minutes) == 1 else statistics.quantiles(
        minutes, n=10, method="inclusive")[8]
    return Spread(name, len(values), timedelta(minutes=statistics.median(minutes)),
                  timedelta(minutes=p90), lower_bounds)


def _ranked(groups: dict[str, set[str]]) -> list[tuple[str, list[str]]]:
    return sorted(((name, sorted(ids)) for name, ids in groups.items()),
                  key=lambda item: (-len(item[1]), item[0]))
