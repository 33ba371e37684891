"""Derive the figures people argue about, and check what one field alone cannot."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from postmortem.record.instants import Duration, When, between, zone_named
from postmortem.record.model import TAXONOMIES, Communication, Impact, Incident, TimelineEntry

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


def check(incident: Incident) -> Iterator[tuple[tuple, str]]:
    """Yield (field location, message) for every cross-field problem of a record."""
    yield from _check_unique_ids(incident)
    yield from _check_references(incident)
    yield from _check_order(incident)
    yield from _check_review(incident)


def _check_unique_ids(incident: Incident) -> Iterator[tuple[tuple, str]]:
    for collection in ("third_parties", "lessons", "actions", "sources"):
        seen: dict[str, int] = {}
        for index, item in enumerate(getattr(incident, collection)):
            if item.id in seen:
                yield (collection, index, "id"), (
                    f"id {item.id!r} is already used by {collection}[{seen[item.id]}]"
                )
            seen.setdefault(item.id, index)


def _check_references(incident: Incident) -> Iterator[tuple[tuple, str]]:
    sources = {source.id for source in incident.sources}
    lessons = {lesson.id for lesson in incident.lessons}
    third_parties = {party.id for party in incident.third_parties}
    categories = TAXONOMIES[incident.taxonomy]
    data = incident.model_dump(mode="python")
    for loc, key, value in _walk(data, ()):
        if key == "sources" and loc:  # the root's "sources" defines them
            for index, ref in enumerate(value):
                if ref not in sources:
                    yield loc + (key, index), _unknown("source", ref, sources)
        elif key == "third_party" and value is not None and value not in third_parties:
            yield loc + (key,), _unknown("third party", value, third_parties)
    for index, action in enumerate(incident.actions):
        for ref_index, ref in enumerate(action.lessons):
            if ref not in lessons:
                yield ("actions", index, "lessons", ref_index), _unknown("lesson", ref, lessons)
    factors = [("trigger",)] + [("contributing_factors", i) for i in range(
        len(incident.cause.contributing_factors))]
    for loc in factors:
        factor = incident.cause.trigger if loc == ("trigger",) else (
            incident.cause.contributing_factors[loc[1]])
        if factor.category not in categories:
            yield ("cause",) + loc + ("category",), (
                f"category {factor.category!r} is not in the {incident.taxonomy!r} taxonomy; "
                f"use one of: {', '.join(categories)}"
            )


def _check_order(incident: Incident) -> Iterator[tuple[tuple, str]]:
    def ends_before(start: When, end: When) -> bool:
        # Only certain contradictions: the latest possible end precedes the earliest start.
        return bool(end.latest and start.earliest and end.latest < start.earliest)

    instants = incident.key_instants
    order = ("started", "detected", "mitigated", "restored", "resolved")
    for earlier_index, earlier in enumerate(order):
        for later in order[earlier_index + 1:]:
            first, second = getattr(instants, earlier), getattr(instants, later)
            if first and second and ends_before(first.at, second.at):
                yield ("key_instants", later, "at"), (
                    f"{later} ({second.at}) is before {earlier} ({first.at})"
                )
    spans = [(("cause", "trigger"), incident.cause.trigger)] + [
        (("cause", "contributing_factors", i), factor)
        for i, factor in enumerate(incident.cause.contributing_factors)
    ]
    for loc, factor in spans:
        if factor.started and factor.ended and ends_before(factor.started, factor.ended):
            yield loc + ("ended",), f"ends ({factor.ended}) before it starts ({factor.started})"
    for index, impact in enumerate(incident.impacts):
        if impact.ended and ends_before(impact.started, impact.ended):
            yield ("impacts", index, "ended"), (
                f"ends ({impact.ended}) before it starts ({impact.started})"
            )
        if impact.ended is None and not impact.ongoing:
            yield ("impacts", index), "give 'ended', or set 'ongoing: true' if it has not ended"


def _check_review(incident: Incident) -> Iterator[tuple[tuple, str]]:
    review = incident.review
    # The record keeps no log of its states, so "approved before published" can only
    # mean that a published review carries an approval, like an approved one.
    if review.status in ("approved", "published") and not any(
            approval.decision == "approved" for approval in review.approvals):
        yield ("review", "status"), (
            f"status {review.status!r} needs an approval: add one under review.approvals "
            "(name, role, date, decision: approved), or set the status back to 'in_review'"
        )
    start = incident.key_instants.started.at.earliest
    first_day = start.astimezone(zone_named(incident.timezone)).date() if start else None
    if review.updated and first_day and review.updated < first_day:
        yield ("review", "updated"), (
            f"{review.updated} is before the incident started ({first_day})"
        )
    for index, approval in enumerate(review.approvals):
        if first_day and approval.date < first_day:
            yield ("review", "approvals", index, "date"), (
                f"{approval.date} is before the incident started ({first_day})"
            )
        elif review.updated and approval.date > review.updated:
            yield ("review", "approvals", index, "date"), (
                f"{approval.date} is after the review was last updated ({review.updated}): "
                "recording a decision updates the review, so move 'updated' forward"
            )


def _walk(value, loc: tuple) -> Iterator[tuple[tuple, str, object]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield loc, key, item
            yield from _walk(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, loc + (index,))


def _unknown(kind: str, ref: str, known: set[str]) -> str:
    listing = ", ".join(sorted(known)) or "none is defined"
    return f"unknown {kind} {ref!r} (known: {listing})"
