"""The incident record: typed, documented fields that every report is built from."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from postmortem.i18n import N_
from postmortem.record.bounds import number_problem
from postmortem.record.docstrings import document_models
from postmortem.record.fields import (
    Day,
    Instant,
    Slug,
    SourceRefs,
    Text,
    TimeZoneName,
)
from postmortem.record.languages import LANGUAGE_TAG_PATTERN, LanguageCode, LocaleCode

#: The record format this version reads. Older versions will be upgraded, newer refused.
SCHEMA_VERSION = 2

#: Statuses of an action item that ask for no more work.
CLOSED_STATUSES = ("done", "wont_do")

#: Contributing-factor categories of each taxonomy a record may choose, with their meaning.
#: The meanings here and in the tables below are marked N_: a message that lists the values
#: says them in the reader's language, the schema in English.
TAXONOMIES: dict[str, dict[str, str]] = {
    # A generic taxonomy for IT services.
    "generic": {
        "infrastructure": N_("power, cooling, hardware, network links, buildings"),
        "software": N_("a defect in code the organisation runs"),
        "change": N_("a deployment, an update or a maintenance operation"),
        "configuration": N_("a setting, a rule or a content file that behaved badly"),
        "capacity": N_("load beyond what a system or a team could take"),
        "dependency": N_("a service the system relies on (internal or bought)"),
        "process": N_("how work is planned, checked and done"),
        "communication": N_("what was said, to whom and when, inside or outside"),
        "organisation": N_("structure, staffing, priorities, contracts"),
        "external": N_("an event outside the organisation's control (weather, attack, law)"),
    },
    # The ALARM / London Protocol categories used in hospital incident analysis.
    "alarm": {
        "patient": N_("the patient's condition, language, personality, social factors"),
        "individual": N_("knowledge, skills, health and fatigue of staff"),
        "task": N_("task design, procedures, availability of tests and tools (task and "
                   "technology)"),
        "team": N_("communication, supervision and help within the team"),
        "environment": N_("staffing, workload, equipment, premises and their maintenance"),
        "organisation": N_("management decisions, policies, safety culture"),
        "institutional": N_("regulation, funding, the wider health system"),
    },
}

#: How sure a fact is; empty when nobody assessed it.
Confidence = Literal["confirmed", "reported", "unverified", "derived"]

#: What each confidence means, for the schema, the messages and the report's key.
CONFIDENCES: dict[str, str] = {
    "confirmed": N_("stated by the organisation or by several independent sources"),
    "reported": N_("from a single secondary source (press, a third party)"),
    "unverified": N_("heard or assumed, not checked"),
    "derived": N_("computed or decoded from other facts (a time from a message id, a subtraction)"),
}

#: How an impact ended, when it did.
Outcome = Literal["restored", "ended", "ongoing", "never_restored", "data_lost"]

#: What each outcome means.
OUTCOMES: dict[str, str] = {
    "restored": N_("the service worked again (give 'ended')"),
    "ended": N_("the impact is over, at a time that may be unknown; not ongoing"),
    "ongoing": N_("the impact had not ended when the record's knowledge stops ('as_of')"),
    "never_restored": N_("destroyed, abandoned or replaced: say how in 'outcome_note'"),
    "data_lost": N_("the data is permanently lost (describe it in 'data_loss')"),
}


#: Categories of the French health-sector declaration of a serious information-system
#: incident (Code de la santé publique, art. D1111-16-2), with what each covers.
CONSEQUENCES: dict[str, str] = {
    "care_safety": N_("possible or real consequences for the safety of patients' care"),
    "data_confidentiality": N_("health data read or disclosed, or possibly so, by someone not "
                               "entitled to it"),
    "data_integrity": N_("health data altered, destroyed or lost"),
    "operations": N_("the normal functioning of the establishment was disrupted"),
    "health_system": N_("consequences for the organisation of care beyond the establishment "
                        "(transfers, regional plans)"),
    "other_establishments": N_("a risk for other establishments (shared systems, spreading)"),
}

#: A category of the health-sector declaration.
Consequence = Literal["care_safety", "data_confidentiality", "data_integrity", "operations",
                      "health_system", "other_establishments"]

#: What was sent to an authority.
NotificationKind = Literal["early_warning", "incident_notification", "intermediate_report",
                           "final_report", "health_declaration", "other"]

#: Notifications to authorities, with what each is and when it is due.
NOTIFICATION_KINDS: dict[str, str] = {
    "early_warning": "NIS2 early warning, due within 24 h of awareness",
    "incident_notification": "NIS2 incident notification, due within 72 h of awareness",
    "intermediate_report": "NIS2 intermediate report, when the authority asks for one",
    "final_report": "NIS2 final report, due within one month of the incident notification",
    "health_declaration": "declaration of a serious information-system incident to the "
                          "regional health agency (France)",
    "other": "any other notification (data protection authority, police…): say which in "
             "'note'",
}


class Record(BaseModel):
    """Base of every part of the record: unknown keys are errors, values are immutable.

    A field's docstring is its description; validating needs none, so they are read
    only for the schema and for messages (postmortem.record.docstrings). A model's
    validator is built when first used: validating a record builds the whole record's
    at once, rather than one for each part at import.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Assessed(Record):
    """A fact whose confidence can be stated."""

    confidence: Confidence | None = None
    """How sure the fact is: confirmed, reported, unverified or derived; empty if not assessed."""
    confidence_note: str = ""
    """Why: which source, or how the fact was derived (e.g. 'decoded from a message id')."""


#: Who may read an entry outside the organisation, for the documents made from the record.
Visibility = Literal["internal", "authority", "public"]

#: What each visibility means.
VISIBILITIES: dict[str, str] = {
    "internal": N_("only the full review and the executive summary show it"),
    "authority": N_("also the NIS2 report and the health-sector declaration, not the public "
                    "statement"),
    "public": N_("every document, the public statement included (as when empty)"),
}


class Shareable(Record):
    """An entry that documents for readers outside the organisation may leave out."""

    visibility: Visibility | None = None
    """Who outside the organisation may read this entry; empty: everyone, the public too."""
    internal_fields: list[str] = Field(default_factory=list)
    """Fields of this entry that only internal documents show (e.g. [owner, note])."""


def fields_in_order(model: type[BaseModel]) -> list[str]:
    """Return a model's field names as a record author reads them: the redaction marks last.

    Pydantic puts a base class's fields first; an author looks for an entry's own first.
    """
    marks = Shareable.model_fields if issubclass(model, Shareable) else {}
    return ([name for name in model.model_fields if name not in marks]
            + [name for name in model.model_fields if name in marks])


class SharedAssessed(Assessed, Shareable):
    """An entry whose confidence can be stated and that outside documents may leave out."""


def _within(kind: str):
    """Refuse a number past its limit, however it was written (`1e308` is text in YAML).

    Checked before the model reads the value, so that a count written `1.0e+30` is said to
    be too large rather than not whole.
    """
    def check(value: object) -> object:
        number = _as_number(value)
        reason = None if number is None else number_problem((kind,), number)
        if reason is not None:
            raise PydanticCustomError("limit", "{reason}", {"reason": reason})
        return value
    return BeforeValidator(check)


def _as_number(value: object) -> int | float | None:
    """Read a value as the number the model would read it as, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if not isinstance(value, str):
        return value
    for read in (int, float):
        try:
            return read(value.strip())
        except ValueError:
            continue
    return None


Number = Annotated[int | float, Field(ge=0, allow_inf_nan=False), _within("value")]


class Quantity(SharedAssessed):
    """A count with its unit: machines, websites, projects, patients, services."""

    value: Number
    """How many."""
    unit: Text
    """What is counted, in the plural (e.g. 'Windows machines')."""
    qualifier: Literal["exact", "about", "at_least", "at_most"] = "exact"
    """Whether the value is exact, about, at least or at most."""
    what: str = ""
    """What the count says, in a few words (e.g. 'crashed on 19 July')."""
    as_of: Instant | None = None
    """When the count held, if it changed over time."""
    sources: SourceRefs
    """Ids of the sources that give it."""


class Progress(SharedAssessed):
    """How far a restoration had got at one instant."""

    at: Instant
    """When."""
    value: Number | None = None
    """How many were back, in the unit of the impact's first quantity."""
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    """How much was back, as a percentage."""
    note: str = ""
    """What was back, in words."""
    sources: SourceRefs
    """Ids of the sources that give it."""


class DataLoss(SharedAssessed):
    """Data that was lost: which changes, how much, and whether for good."""

    what: Text
    """What was lost (e.g. 'issues, merge requests and comments')."""
    since: Instant | None = None
    """Start of the window of lost changes."""
    until: Instant | None = None
    """End of the window of lost changes."""
    amount: Quantity | None = None
    """How much was lost."""
    permanent: bool | None = None
    """Whether the loss is permanent (empty while unknown)."""
    note: str = ""
    """What was recovered, from where, and what could not be."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class Person(Shareable):
    """Someone who wrote, reviewed or approved the review; a role is enough."""

    name: Text
    """Name, or a role when the review is shared outside the team."""
    role: str = ""
    """Role in the organisation or in the review (e.g. 'incident commander')."""


class Approval(Shareable):
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


class KeyInstant(Assessed):
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


class ThirdParty(Shareable):
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


class Factor(Shareable):
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


class RuledOut(Shareable):
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


class Impact(SharedAssessed):
    """The effect on one service or system."""

    id: Slug | None = None
    """Short id that promises and other facts refer to."""
    service: Text
    """Service or system affected."""
    description: str = ""
    """What stopped working and what that meant, in Markdown."""
    sites: list[str] = Field(default_factory=list)
    """Sites affected (names, or a description such as 'some hospitals')."""
    site_count: Annotated[int | None, _within("count")] = Field(default=None, ge=0)
    """How many sites were affected, when known."""
    affected: list[str] = Field(default_factory=list)
    """Who was affected (staff, patients, customers…)."""
    degraded_mode: str = ""
    """How work went on without the service (e.g. paper procedures)."""
    started: Instant
    """When the impact on this service began."""
    ended: Instant | None = None
    """When the impact ended (the service was back, or the impact stopped)."""
    outcome: Outcome | None = None
    """How it ended (see OUTCOMES); 'restored' is the default when 'ended' is given."""
    outcome_note: str = ""
    """How it ended, in words (e.g. 'building destroyed; servers replaced elsewhere')."""
    data_loss: DataLoss | None = None
    """Data lost in this impact."""
    quantities: list[Quantity] = Field(default_factory=list)
    """Counts of what was affected (machines, customers, projects…)."""
    progress: list[Progress] = Field(default_factory=list)
    """How far the restoration had got over time."""
    third_party: Slug | None = None
    """Id of a third party whose failure this impact came from."""
    consequences: list[Consequence] = Field(default_factory=list)
    """Categories of the health-sector declaration this impact falls into."""
    sources: SourceRefs
    """Ids of the sources that support this."""

    @property
    def end_state(self) -> str | None:
        """Return how the impact ended: its outcome, 'restored' when only 'ended' is given."""
        if self.outcome is not None:
            return self.outcome
        return "restored" if self.ended is not None else None

    @property
    def ongoing(self) -> bool:
        """Return whether the impact had not ended when the record's knowledge stops."""
        return self.end_state == "ongoing"


class NotAffected(Shareable):
    """A service that kept working; readers need to know what was safe."""

    service: Text
    """Service that was not affected."""
    note: str = ""
    """Detail or caveat."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class Promise(Record):
    """A restoration time, or a deliverable by a date, announced to an audience."""

    restoration: Instant | None = None
    """The restoration time that was announced."""
    target: Literal["mitigated", "restored", "resolved"] | None = None
    """Which key instant a restoration promise was about (default: restored)."""
    impact: Slug | None = None
    """Id of the one impact a restoration promise was about, instead of a key instant."""
    deliverable: str = ""
    """What was promised other than a restoration (e.g. 'a full analysis')."""
    by: Instant | None = None
    """When the deliverable was promised for."""
    delivered: Instant | None = None
    """When the deliverable was delivered; omit while it is not."""
    withdrawn: Instant | None = None
    """When the promise was withdrawn, if it was."""
    note: str = ""
    """What became of the promise."""

    @property
    def key_instant(self) -> str | None:
        """Return the key instant a restoration promise is measured against, if any."""
        if self.restoration is None or self.impact is not None:
            return None
        return self.target or "restored"


class Communication(Shareable):
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


class TimelineEntry(SharedAssessed):
    """One event of the incident, as precisely as it is known."""

    id: Slug | None = None
    """Short id that relative instants refer to ('within 2 min after ID')."""
    at: Instant
    """When it happened."""
    kind: Literal["trigger", "impact", "detection", "action", "communication", "milestone",
                  "decision", "recovery"]
    """What kind of event it is."""
    text: Text
    """What happened, in Markdown."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class Observation(Shareable):
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


class Lesson(Shareable):
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


class ActionItem(Shareable):
    """A change the organisation commits to, or proposes."""

    id: Slug
    """Short id, stable across versions of the record."""
    action: Text
    """What will be done, starting with a verb."""
    owner: Text
    """Who is accountable (a role is fine)."""
    due: Day | None = None
    """Due date (YYYY-MM-DD); empty when not stated."""
    status: Literal["proposed", "open", "in_progress", "done", "wont_do"] | None = None
    """Where the item stands; empty when not stated."""
    status_as_of: Day | None = None
    """Date on which the status was known."""
    type: Literal["prevent", "detect", "mitigate", "process"]
    """What it improves."""
    priority: Literal["high", "medium", "low"] | None = None
    """How urgent it is; empty when not stated."""
    completed: Day | None = None
    """When it was done."""
    superseded_by: Slug | None = None
    """Id of the action item that replaces it."""
    merged_into: Slug | None = None
    """Id of the action item it was merged into."""
    lessons: list[Slug] = Field(default_factory=list)
    """Ids of the lessons it follows from."""
    link: str = ""
    """Link to the item in an issue tracker."""
    note: str = ""
    """What a reader should know about where it stands."""
    sources: SourceRefs
    """Ids of the sources that state it."""

    @property
    def is_open(self) -> bool:
        """Return whether the item still asks for work: not done, dropped, replaced or merged."""
        return (self.status not in CLOSED_STATUSES and self.superseded_by is None
                and self.merged_into is None)

    def is_overdue(self, today: date) -> bool:
        """Return whether the item is open and past its due date on `today`."""
        return self.is_open and self.due is not None and self.due < today


class Source(Shareable):
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
    lang: Annotated[str, StringConstraints(pattern=LANGUAGE_TAG_PATTERN)] = ""
    """Language of its title when not the record's, e.g. 'en' in a French record."""


class Claim(SharedAssessed):
    """What some sources say on a point where sources disagree."""

    says: Text
    """What they say, in your own words."""
    by: str = ""
    """Who says it, when no listed source does (e.g. 'some outlets')."""
    sources: SourceRefs
    """Ids of the sources that say it; empty for an unattributed claim."""


class Discrepancy(Shareable):
    """A point on which sources disagree, and how the record settles it."""

    about: Text
    """What the disagreement is about."""
    claims: Annotated[list[Claim], Field(min_length=1)]
    """The competing claims (one is enough against the record's resolution)."""
    resolution: Text
    """What the record retains, and why."""


class Decision(Shareable):
    """A decision the review asks of management."""

    question: Text
    """What management is asked to decide, as a question."""
    by: Day | None = None
    """Date by which the decision is needed (YYYY-MM-DD)."""
    recommendation: str = ""
    """What the review recommends, and why, in a sentence."""
    options: list[str] = Field(default_factory=list)
    """The choices on the table, a few words each."""
    context: str = ""
    """What a decision-maker needs to know (cost, risk, deadline), in Markdown."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class NextUpdate(Record):
    """When and where the next public update on the incident comes."""

    at: Instant | None = None
    """When the next update is announced for."""
    channel: str = ""
    """Where it will be published (e.g. 'website, press release')."""
    note: str = ""
    """What it will cover, or what it depends on."""


class Regulatory(Record):
    """Facts the regulatory documents need that the rest of the record does not hold."""

    aware: Instant | None = None
    """When the entity knew the incident was significant (NIS2 clock); empty: detected."""
    entity: str = ""
    """Legal name of the entity that reports; empty: the organisation."""
    establishment: str = ""
    """Identifier of the establishment for the authority (e.g. its FINESS number)."""
    sector: str = ""
    """Sector of the entity under NIS2 (e.g. 'health: hospital')."""
    threat: str = ""
    """Type of threat or root cause (NIS2 art. 23(4)(d)(ii)), Markdown; empty: the trigger."""
    cross_border: str = ""
    """Impact in other member states, in Markdown; empty: none is stated."""
    member_states: list[str] = Field(default_factory=list)
    """Other member states affected, as ISO 3166-1 alpha-2 codes (e.g. 'BE', 'DE')."""
    contact: str = ""
    """Role of the contact point for the authority (e.g. 'CISO')."""


class Notification(Shareable):
    """A notification made to an authority (early warning, report, declaration)."""

    authority: Text
    """Who was notified (e.g. 'ARS Île-de-France', 'CERT Santé', 'ANSSI')."""
    kind: NotificationKind
    """What was sent; the NIS2 kinds are checked against their deadlines."""
    at: Instant
    """When it was sent."""
    reference: str = ""
    """The authority's reference or the portal's receipt number."""
    note: str = ""
    """What it said, or what the authority answered."""
    sources: SourceRefs
    """Ids of the sources that support this."""


class Incident(Record):
    """A blameless post-incident review record."""

    schema_version: Literal[2]
    """Version of this record format."""
    id: Slug
    """Slug that names the record and its outputs, e.g. '2024-08-03-datacenter-power-outage'."""
    title: Text
    """Title of the review."""
    lang: LanguageCode
    """Language of the record's text and of its reports."""
    locale: LocaleCode | None = None
    """Regional style of dates and numbers, e.g. 'en_GB' or 'en_US'; none: the workspace's."""
    timezone: TimeZoneName
    """IANA time zone in which the report shows times, e.g. 'Europe/Paris'."""
    organisation: Text
    """Organisation the review is about."""
    severity: Literal["critical", "major", "moderate", "minor"] | None = None
    """Severity of the incident; empty when no source states one."""
    as_of: Day | None = None
    """Date on which the record's knowledge stops; state and overdue items are as of it."""
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
    quantities: list[Quantity] = Field(default_factory=list)
    """Counts that size the incident as a whole (machines, customers, sites)."""
    communications: list[Communication] = Field(default_factory=list)
    """What was said to whom, with promised restoration times."""
    next_update: NextUpdate | None = None
    """When the next public update comes, for the public statement."""
    timeline: Annotated[list[TimelineEntry], Field(min_length=1)]
    """Events in the order they happened."""
    response: Response = Field(default_factory=Response)
    """Detection, response, recovery; what went well, wrong, and by luck."""
    lessons: list[Lesson] = Field(default_factory=list)
    """What the organisation learnt."""
    actions: list[ActionItem] = Field(default_factory=list)
    """Action items that follow from the lessons."""
    decisions: list[Decision] = Field(default_factory=list)
    """Decisions asked of management."""
    sources: list[Source] = Field(default_factory=list)
    """Documents that facts cite."""
    discrepancies: list[Discrepancy] = Field(default_factory=list)
    """Points where sources disagree."""
    notifications: list[Notification] = Field(default_factory=list)
    """Notifications made to authorities, checked against the NIS2 deadlines."""
    regulatory: Regulatory | None = None
    """Facts for the NIS2 report and the health-sector declaration."""
    internal_names: list[Text] = Field(default_factory=list)
    """Names (people, internal systems) replaced in every text of documents for outsiders."""

    def knowledge_day(self, today: date) -> date:
        """Return the day that open and overdue items are counted on: `as_of`, else today."""
        return knowledge_day(self.as_of, today)


def knowledge_day(as_of: date | None, today: date) -> date:
    """Return the day a record's knowledge holds on: its `as_of` when earlier than today."""
    return as_of if as_of is not None and as_of < today else today


# Where editors fetch the schema of this format: the file checked in at schema/<format>/,
# which stays when a later format adds its own folder.
SCHEMA_URL = ("https://raw.githubusercontent.com/postmortem-dev/postmortem/main/schema/"
              f"{SCHEMA_VERSION}/incident.schema.json")


def json_schema() -> dict:
    """Return the JSON Schema (draft 2020-12) of an incident record.

    Enumerated values carry their meaning, so that an editor shows it while completing
    them: the categories of both taxonomies (a record's factors are then checked against
    the taxonomy it chose), the outcomes of an impact and the confidence levels.
    """
    models = [value for value in globals().values()
              if isinstance(value, type) and issubclass(value, Record)]
    document_models(models)  # defined in order: a model after the models it holds
    schema = Incident.model_json_schema(mode="validation")

    def choices(table: dict[str, str]) -> list[dict]:
        return [{"const": value, "description": meaning} for value, meaning in table.items()]

    def listing(table: dict[str, str]) -> str:
        return "\n".join(f"- {value}: {meaning}" for value, meaning in table.items())

    def with_meanings(prop: dict, table: dict[str, str]) -> None:
        # An optional field is `anyOf: [{enum: …}, {type: null}]`; a required one is the enum.
        if "anyOf" in prop:
            prop["anyOf"] = [choice for branch in prop["anyOf"] for choice in
                             (choices(table) if "enum" in branch else [branch])]
        elif "enum" in prop:
            del prop["enum"], prop["type"]
            prop["anyOf"] = choices(table)
        prop["description"] = f"{prop.get('description', '')}\n\n{listing(table)}".strip()

    categories: dict[str, list[str]] = {}
    for taxonomy, table in TAXONOMIES.items():
        for category, meaning in table.items():
            categories.setdefault(category, []).append(f"{taxonomy}: {meaning}")
    category = schema["$defs"]["Factor"]["properties"]["category"]
    category.pop("pattern", None)
    category.pop("maxLength", None)
    category["anyOf"] = [{"const": name, "description": "; ".join(meanings)}
                         for name, meanings in categories.items()]
    category["description"] = (
        "Category from the record's taxonomy (see 'taxonomy').\n\n" + "\n\n".join(
            f"{taxonomy} taxonomy:\n{listing(table)}" for taxonomy, table in TAXONOMIES.items()))
    for definition in schema["$defs"].values():
        properties = definition.get("properties", {})
        for mark in Shareable.model_fields:  # an entry's own fields first, as in messages
            if mark in properties:
                properties[mark] = properties.pop(mark)
        if "confidence" in properties:
            with_meanings(properties["confidence"], CONFIDENCES)
        if "visibility" in properties:
            with_meanings(properties["visibility"], VISIBILITIES)
        if definition.get("title") == "Impact":
            with_meanings(properties["outcome"], OUTCOMES)
            consequences = properties["consequences"]
            consequences["items"] = {"anyOf": choices(CONSEQUENCES)}
            consequences["description"] += f"\n\n{listing(CONSEQUENCES)}"
        if definition.get("title") == "Notification":
            with_meanings(properties["kind"], NOTIFICATION_KINDS)
    with_meanings(schema["properties"]["taxonomy"],
                  {name: "categories " + ", ".join(table) for name, table in TAXONOMIES.items()})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URL,
        **schema,
    }
