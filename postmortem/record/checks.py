"""Check what one field alone cannot: unique ids, references, order of instants, review state."""

from __future__ import annotations

from collections.abc import Iterator

from postmortem.record.instants import When, zone_named
from postmortem.record.model import TAXONOMIES, Incident
from postmortem.record.walk import walk


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
    for loc, value in walk(data):
        # The root's "sources" defines them; every nested "sources" is a list of ids.
        if len(loc) > 1 and loc[-1] == "sources" and isinstance(value, list):
            for index, ref in enumerate(value):
                if ref not in sources:
                    yield loc + (index,), _unknown("source", ref, sources)
        # A "third_party" is an id or None, so only a string can be unknown.
        elif loc[-1:] == ("third_party",) and isinstance(value, str) and value not in third_parties:
            yield loc, _unknown("third party", value, third_parties)
    for index, action in enumerate(incident.actions):
        for ref_index, ref in enumerate(action.lessons):
            if ref not in lessons:
                yield ("actions", index, "lessons", ref_index), _unknown("lesson", ref, lessons)
    factors = [(("trigger",), incident.cause.trigger)] + [
        (("contributing_factors", i), factor)
        for i, factor in enumerate(incident.cause.contributing_factors)
    ]
    for factor_loc, factor in factors:
        if factor.category not in categories:
            yield ("cause",) + factor_loc + ("category",), (
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


def _unknown(kind: str, ref: str, known: set[str]) -> str:
    listing = ", ".join(sorted(known)) or "none is defined"
    return f"unknown {kind} {ref!r} (known: {listing})"
