"""The incident record: typed, documented fields that every report is built from."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from postmortem.record.fields import (
    Day,
    Instant,
    Slug,
    SourceRefs,
    Text,
    TimeZoneName,
)
from postmortem.record.languages import LanguageCode

#: The record format this version reads. Older versions will be upgraded, newer refused.
SCHEMA_VERSION = 1

#: Statuses of an action item that ask for no more work.
CLOSED_STATUSES = ("done", "wont_do")

#: Contributing-factor categories of each taxonomy a record may choose.
TAXONOMIES: dict[str, tuple[str, ...]] = {
    # A generic taxonomy for IT services.
    "generic": (
        "infrastructure", "software", "change", "configuration", "capacity",
        "dependency", "process", "communication", "organisation", "external",
    ),
    # The ALARM / London Protocol categories used in hospital incident analysis.
    "alarm": (
        "patient", "individual", "task", "team", "environment", "organisation",
        "institutional",
    ),
}


class Record(BaseModel):
    """Base of every part of the record: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Person(Record):
    """Someone who wrote, reviewed or approved the review; a role is enough."""

    name: Text
    """Name, or a role when the review is shared outside the team."""
    role: str = ""
    """Role in the organisation or in the review (e.g. 'incident commander')."""


class Approval(Record):
    """A reviewer's decision on the review."""

    name: Text
    """Who decided."""
    role: str = ""
    """Their role."""
    date: Day
    """When they decided (YYYY-MM-DD)."""
    decision: Literal["approved", "changes_requested"] = "approved"
    """What they decided."""


class Review(Record):
    """Where the review stands and who is behind it."""

    status: Literal["draft", "in_review", "approved", "published"] = "draft"
    """Review state: draft → in_review → approved → published."""
    authors: list[Person] = Field(default_factory=list)
    """Who wrote the review."""
    reviewers: list[Person] = Field(default_factory=list)
    """Who is asked to review it."""
    approvals: list[Approval] = Field(default_factory=list)
    """Decisions taken on the review."""
    updated: Day | None = None
    """Date of the last change to the review's content."""


class KeyInstant(Record):
    """One of the instants that the headline durations are computed from."""

    at: Instant
    """When it happened, with its uncertainty."""
    what: str = ""
    """What this instant means in this incident (e.g. 'care services working again')."""
    note: str = ""
    """How the time is known, or why it is uncertain."""
    sources: SourceRefs
    """Ids of the sources that support it."""


class KeyInstants(Record):
    """The instants of the incident's life; durations are derived, never typed."""

    started: KeyInstant
    """Start of the impact."""
    detected: KeyInstant | None = None
    """When the organisation knew something was wrong."""
    mitigated: KeyInstant | None = None
    """When the impact stopped growing (workaround, degraded mode, failover)."""
    restored: KeyInstant | None = None
    """When the service that matters most worked again for its users."""
    resolved: KeyInstant | None = None
    """When everything was back to normal; omit while it is not."""


class ThirdParty(Record):
    """An outside organisation involved in the incident."""

    id: Slug
    """Short id that factors and impacts refer to."""
    name: Text
    """Organisation's name."""
    service: str = ""
    """What it provides (e.g. 'datacenter hosting')."""
    notes: str = ""
    """Ownership, location, other customers hit: context a reader needs."""
    contract: str = ""
    """The contract or SLA that sets expectations, or what is known of it."""
    expectation: str = ""
    """What was expected of the provider during this incident."""
    expectation_met: bool | None = None
    """Whether that expectation held (empty when unknown)."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class Factor(Record):
    """The trigger or a contributing factor: one of several causes, never 'the' cause."""

    title: str = ""
    """A few words that name the factor, for tables (e.g. 'datacenter power cut')."""
    summary: Text
    """One sentence that names the factor."""
    detail: str = ""
    """Explanation, in Markdown."""
    category: Slug
    """Category from the record's taxonomy."""
    third_party: Slug | None = None
    """Id of the third party involved, if any."""
    started: Instant | None = None
    """When the factor began to act, if it is an event."""
    ended: Instant | None = None
    """When it stopped acting."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class RuledOut(Record):
    """A hypothesis that was examined and excluded."""

    hypothesis: Text
    """What was suspected (e.g. 'cyberattack')."""
    how: str = ""
    """How it was ruled out."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class Cause(Record):
    """What set the incident off and what made it worse; no single root cause."""

    trigger: Factor
    """The event that set the incident off."""
    contributing_factors: list[Factor] = Field(default_factory=list)
    """Conditions that made the incident possible, larger or longer."""
    ruled_out: list[RuledOut] = Field(default_factory=list)
    """Hypotheses examined and excluded."""


class Impact(Record):
    """The effect on one service or system."""

    service: Text
    """Service or system affected."""
    description: str = ""
    """What stopped working and what that meant, in Markdown."""
    sites: list[str] = Field(default_factory=list)
    """Sites affected (names, or a description such as 'some hospitals')."""
    site_count: int | None = Field(default=None, ge=0)
    """How many sites were affected, when known."""
    affected: list[str] = Field(default_factory=list)
    """Who was affected (staff, patients, customers…)."""
    degraded_mode: str = ""
    """How work went on without the service (e.g. paper procedures)."""
    started: Instant
    """When the impact on this service began."""
    ended: Instant | None = None
    """When this service was back; omit while it is not."""
    ongoing: bool = False
    """True when the impact had not ended when the record was last updated."""
    third_party: Slug | None = None
    """Id of a third party whose failure this impact came from."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class NotAffected(Record):
    """A service that kept working; readers need to know what was safe."""

    service: Text
    """Service that was not affected."""
    note: str = ""
    """Detail or caveat."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class Promise(Record):
    """A restoration time announced to an audience."""

    restoration: Instant
    """The restoration time that was announced."""
    target: Literal["mitigated", "restored", "resolved"] = "restored"
    """Which key instant the promise was about."""


class Communication(Record):
    """Something said to an audience during the incident."""

    at: Instant
    """When it was said."""
    channel: Text
    """How (press release, intranet, social network, phone…)."""
    audience: list[
        Literal["staff", "public", "press", "authority", "customers", "partners"]
    ] = Field(min_length=1)
    """Who it was addressed to."""
    by: str = ""
    """Who spoke."""
    said: Text
    """What was said, in your own words."""
    promised: Promise | None = None
    """Restoration time announced, if any."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class TimelineEntry(Record):
    """One event of the incident, as precisely as it is known."""

    at: Instant
    """When it happened."""
    kind: Literal["trigger", "impact", "detection", "action", "communication", "milestone",
                  "decision", "recovery"]
    """What kind of event it is."""
    text: Text
    """What happened, in Markdown."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class Observation(Record):
    """A point of the review, backed by sources."""

    text: Text
    """The observation, in Markdown."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class Response(Record):
    """How the incident was detected, handled and recovered from."""

    detection: str = ""
    """How the problem was noticed, in Markdown."""
    response: str = ""
    """How the organisation coped while it lasted, in Markdown."""
    recovery: str = ""
    """How service came back, in Markdown."""
    went_well: list[Observation] = Field(default_factory=list)
    """What worked and should be kept."""
    went_wrong: list[Observation] = Field(default_factory=list)
    """What did not work."""
    got_lucky: list[Observation] = Field(default_factory=list)
    """Where things went well by chance rather than by design."""


class Lesson(Record):
    """Something the organisation learnt, leading to action items."""

    id: Slug
    """Short id that action items refer to."""
    title: Text
    """The lesson in a few words."""
    text: str = ""
    """Explanation, in Markdown."""
    no_action_because: str = ""
    """Why no action item follows, when none does."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class ActionItem(Record):
    """A change the organisation commits to, or proposes."""

    id: Slug
    """Short id, stable across versions of the record."""
    action: Text
    """What will be done, starting with a verb."""
    owner: Text
    """Who is accountable (a role is fine)."""
    due: Day | None = None
    """Due date (YYYY-MM-DD)."""
    status: Literal["proposed", "open", "in_progress", "done", "wont_do"] = "proposed"
    """Where the item stands."""
    type: Literal["prevent", "detect", "mitigate", "process"]
    """What it improves."""
    priority: Literal["high", "medium", "low"] = "medium"
    """How urgent it is."""
    lessons: list[Slug] = Field(default_factory=list)
    """Ids of the lessons it follows from."""
    link: str = ""
    """Link to the item in an issue tracker."""

    @property
    def is_open(self) -> bool:
        """Return whether the item still asks for work: neither done nor dropped."""
        return self.status not in CLOSED_STATUSES

    def is_overdue(self, today: date) -> bool:
        """Return whether the item is open and past its due date on `today`."""
        return self.is_open and self.due is not None and self.due < today


class Source(Record):
    """A document that facts in the record cite."""

    id: Slug
    """Short id that facts cite."""
    title: Text
    """Title of the document, or a description when it has none."""
    publisher: str = ""
    """Who published it."""
    published: Day | None = None
    """Publication date, when known."""
    url: str = ""
    """Where to read it."""
    archive: str = ""
    """Where a copy is kept."""
    note: str = ""
    """What a reader should know about this source (dating, paywall…)."""


class Claim(Record):
    """What some sources say on a point where sources disagree."""

    says: Text
    """What they say, in your own words."""
    sources: Annotated[list[Slug], Field(min_length=1)]
    """Ids of the sources that say it."""


class Discrepancy(Record):
    """A point on which sources disagree, and how the record settles it."""

    about: Text
    """What the disagreement is about."""
    claims: Annotated[list[Claim], Field(min_length=2)]
    """The competing claims."""
    resolution: Text
    """What the record retains, and why."""


class Incident(Record):
    """A blameless post-incident review record."""

    schema_version: Literal[1]
    """Version of this record format."""
    id: Slug
    """Slug that names the record and its outputs, e.g. '2024-08-03-datacenter-power-outage'."""
    title: Text
    """Title of the review."""
    lang: LanguageCode
    """Language of the record's text and of its reports."""
    timezone: TimeZoneName
    """IANA time zone in which the report shows times, e.g. 'Europe/Paris'."""
    organisation: Text
    """Organisation the review is about."""
    severity: Literal["critical", "major", "moderate", "minor"]
    """Severity of the incident."""
    taxonomy: Literal["generic", "alarm"] = "generic"
    """Category set for factors: 'generic', or 'alarm' for hospitals (London Protocol)."""
    summary: Text
    """What happened, to whom, for how long, in a few sentences of Markdown."""
    review: Review = Field(default_factory=Review)
    """Review state and people."""
    key_instants: KeyInstants
    """Instants that headline durations are computed from."""
    cause: Cause
    """Trigger, contributing factors, excluded hypotheses."""
    third_parties: list[ThirdParty] = Field(default_factory=list)
    """Outside organisations involved."""
    impacts: Annotated[list[Impact], Field(min_length=1)]
    """Effects per service or system."""
    not_affected: list[NotAffected] = Field(default_factory=list)
    """Services that kept working."""
    communications: list[Communication] = Field(default_factory=list)
    """What was said to whom, with promised restoration times."""
    timeline: Annotated[list[TimelineEntry], Field(min_length=1)]
    """Events in the order they happened."""
    response: Response = Field(default_factory=Response)
    """Detection, response, recovery; what went well, wrong, and by luck."""
    lessons: list[Lesson] = Field(default_factory=list)
    """What the organisation learnt."""
    actions: list[ActionItem] = Field(default_factory=list)
    """Action items that follow from the lessons."""
    sources: list[Source] = Field(default_factory=list)
    """Documents that facts cite."""
    discrepancies: list[Discrepancy] = Field(default_factory=list)
    """Points where sources disagree."""


def json_schema() -> dict:
    """Return the JSON Schema (draft 2020-12) of an incident record."""
    schema = Incident.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:postmortem:incident:v{SCHEMA_VERSION}",
        **schema,
    }
