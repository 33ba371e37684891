"""Review-quality rules: blameless wording, action items, completeness and coherence.

Lint runs on records that validate; what validation already refuses (unknown source
ids, an impact with neither end nor `ongoing`) is left to it. Each rule has a stable
id, a default severity and a one-line description. A finding about a phrase points at
the phrase itself, inside multi-line text too, whenever its place can be proven from
the raw file; otherwise at the start of the value.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import get_day_names, get_month_names

from postmortem.errors import Problem, RecordError, field_path
from postmortem.record.instants import When
from postmortem.record.load import Document, load_file
from postmortem.record.model import Incident
from postmortem.record.source_text import SourceText
from postmortem.record.validate import validate_document

if TYPE_CHECKING:
    from postmortem.workspace.config import LintConfig


@dataclass(frozen=True)
class Rule:
    """A lint rule: a stable id, a default severity and what it reports."""

    id: str
    severity: str
    description: str


RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("blame-language", "warning",
         "Prose blames or judges people ('human error', 'négligence')."),
    Rule("counterfactual", "warning",
         "Prose judges with hindsight ('should have', 'aurait dû')."),
    Rule("root-cause", "warning",
         "Prose frames the incident as having one root cause."),
    Rule("named-individual", "warning",
         "A cause or contributing factor names a person."),
    Rule("action-verb", "warning",
         "An action item does not start with a verb."),
    Rule("action-vague", "warning",
         "An action item is an exhortation, or an improvement with no measure."),
    Rule("action-owner", "warning",
         "An action item's owner is a placeholder, not a person or a role."),
    Rule("action-due", "error",
         "An action item that is not closed has no due date."),
    Rule("action-status", "warning",
         "An action item does not state its status."),
    Rule("action-overdue", "warning",
         "An action item that is not closed is past its due date."),
    Rule("impact-end", "error",
         "An impact marked ongoing has ended, or ends after the incident is resolved."),
    Rule("timeline-detection", "warning",
         "The record does not say when and how the incident was detected."),
    Rule("timeline-resolution", "warning",
         "The record does not say when service came back."),
    Rule("timeline-order", "warning",
         "A timeline entry is listed after an entry that it certainly precedes."),
    Rule("lesson-action", "error",
         "A lesson leads to no action item and does not say why."),
    Rule("promise-update", "warning",
         "A restoration time that was not met is followed by no update."),
    Rule("third-party-expectation", "warning",
         "A third party in the cause lacks its contract, the expectation, or whether it held."),
    Rule("weekday-mismatch", "error",
         "A weekday written in the text contradicts its date."),
)}

#: Rule id, in JSON and SARIF, of a record that does not validate.
INVALID_RECORD = "invalid-record"

_RULES_DIR = files("postmortem.lint") / "words"
#: Languages that have word lists, from the data files in postmortem/rules/.
LANGUAGES = tuple(sorted(entry.name.removesuffix(".toml") for entry in _RULES_DIR.iterdir()
                         if entry.name.endswith(".toml")))

# Fields written in prose, where wording rules apply. Source titles are other people's
# words and stay out.
PROSE_FIELDS = frozenset({
    "summary", "title", "what", "note", "notes", "detail", "how", "contract", "expectation",
    "description", "degraded_mode", "said", "text", "detection", "response", "recovery",
    "no_action_because", "action", "about", "resolution", "says",
})
CAUSE_FIELDS = ("title", "summary", "detail")
CLOSED = ("done", "wont_do")

# "about 14:00" may be off either way; order is only reported beyond this margin.
APPROXIMATE_SLACK = timedelta(minutes=30)

_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|\"[^\"\n]*\"")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_DIGIT = re.compile(r"\d")
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z][\w.-]*\w")
_CAPITALISED = r"[^\W\d_][\w'’-]*"  # checked for its capital in code: re has no \p{Lu}


@dataclass(frozen=True, order=True)
class Finding:
    """One finding of a rule, at a 1-based line and column of a record file."""

    path: str
    line: int
    column: int
    rule: str
    severity: str
    message: str
    hint: str = ""
    field: str = ""

    @property
    def problem(self) -> Problem:
        """Return the finding as a Problem, printed `path:line:col: severity: [rule] message`."""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return Problem(self.path, self.line, self.column, f"[{self.rule}] {self.message}{hint}",
                       severity=self.severity)

    def as_dict(self) -> dict:
        """Return the finding as a JSON-ready mapping."""
        return asdict(self)


@dataclass(frozen=True)
class FileResult:
    """What lint found in one record file: validation problems, or findings."""

    path: str
    problems: list[Problem]
    findings: list[Finding]

    @property
    def errors(self) -> int:
        """Return how many problems and error findings the file has."""
        return len(self.problems) + sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        """Return how many warning findings the file has."""
        return sum(1 for f in self.findings if f.severity == "warning")


@dataclass(frozen=True)
class _Hit:
    """What a check reports: rule, field, message, and where inside the text if it knows."""

    rule: str
    loc: tuple
    message: str
    hint: str = ""
    offset: int | None = None
    at_key: bool = False  # point at the key, for something missing under it


# Running the rules ----------------------------------------------------------------------

def lint_paths(paths: Iterable[str | Path], config: LintConfig | None = None,
               today: date | None = None) -> list[FileResult]:
    """Lint every record file in the given files and folders."""
    from postmortem.workspace.pipeline import find_records

    return [lint_file(path, config, today) for path in find_records(paths)]


def lint_file(path: str | Path, config: LintConfig | None = None,
              today: date | None = None) -> FileResult:
    """Load, validate and lint one record; a record that does not validate gets its problems."""
    try:
        document = load_file(path)
        incident = validate_document(document)
    except RecordError as exc:
        return FileResult(str(path), exc.problems, [])
    # The raw text places phrases inside multi-line values and holds the silencing comments.
    text = Path(path).read_bytes().decode("utf-8-sig")
    return FileResult(str(path), [], lint_document(document, incident, text, config, today))


def lint_document(document: Document, incident: Incident, text: str,
                  config: LintConfig | None = None, today: date | None = None) -> list[Finding]:
    """Return the findings of every rule that is on, for a valid record and its raw text."""
    overrides = config.severity if config else {}
    added = config.words.get(incident.lang, {}) if config else {}
    context = _Context(document, incident, SourceText(text), _words(incident.lang, added),
                       today or date.today())
    findings = []
    for check in _CHECKS:
        for hit in check(context):
            severity = overrides.get(hit.rule, RULES[hit.rule].severity)
            if severity == "off":
                continue
            line, column = (document.locate_key(hit.loc) if hit.at_key
                            else context.position(hit.loc, hit.offset))
            # A comment cannot sit inside multi-line text: the field's own line counts too.
            if context.source.silenced(hit.rule, line, document.locate(hit.loc)[0]):
                continue
            findings.append(Finding(document.path, line, column, hit.rule, severity,
                                    hit.message, hit.hint, field_path(hit.loc)))
    return sorted(set(findings))


def word_lists(lang: str) -> tuple[str, ...]:
    """Return the names of the bundled word lists of a language."""
    return tuple(_bundled_words(lang))


@functools.cache
def _bundled_words(lang: str) -> dict[str, tuple[str, ...]]:
    data = tomllib.loads((_RULES_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
    return {name: tuple(words) for name, words in data.items()}


def _words(lang: str, added: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    return {name: words + tuple(added.get(name, ()))
            for name, words in _bundled_words(lang).items()}


class _Context:
    """What every check reads: the record, its raw text, the words of its language, today."""

    def __init__(self, document: Document, incident: Incident, source: SourceText,
                 words: dict[str, tuple[str, ...]], today: date):
        self.document = document
        self.incident = incident
        self.source = source
        self.words = words
        self.today = today

    @functools.cached_property
    def prose(self) -> list[tuple[tuple, str, bool]]:
        """Return (location, text, cites sources) for every prose value of the record."""
        return list(_prose(self.document.data, ()))

    def phrases(self, name: str) -> re.Pattern:
        """Return the pattern that finds any phrase of the named word list."""
        return _phrase_pattern(self.words[name])

    def position(self, loc: tuple, offset: int | None) -> tuple[int, int]:
        """Return the line and column of a value, or of the character at offset inside it."""
        start = self.document.locate(loc)
        value = _value_at(self.document.data, loc)
        if offset is None or not isinstance(value, str):
            return start
        return self.source.position(start, value, offset)


def _prose(value: Any, loc: tuple) -> Iterator[tuple[tuple, str, bool]]:
    if isinstance(value, dict):
        # A source's own note quotes that source.
        cites = bool(value.get("sources")) or (len(loc) == 2 and loc[0] == "sources")
        for key, item in value.items():
            if isinstance(item, str) and key in PROSE_FIELDS:
                if not (loc[:1] == ("sources",) and key == "title"):
                    yield loc + (key,), item, cites
            elif isinstance(item, (dict, list)):
                yield from _prose(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _prose(item, loc + (index,))


def _value_at(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


@functools.cache
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted({_phrase_regex(phrase) for phrase in phrases if phrase.strip()},
                          key=len, reverse=True)
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _phrase_regex(phrase: str) -> str:
    """Match a phrase across line breaks, with either apostrophe."""
    return r"\s+".join(re.sub("['’]", "['’]", re.escape(word)) for word in phrase.split())


def _alternatives(names: Iterable[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


def _mask_quotes(text: str) -> str:
    """Blank out quotations, keeping every other character at its offset."""
    return _QUOTED.sub(lambda match: " " * len(match.group()), text)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= 60 else f'"{text[:57]}..."'


# Blameless language ---------------------------------------------------------------------

_WORDING = {
    "blame-language": ("blame", "{phrase} blames or judges people",
                       "describe the conditions that made the action likely (tools, time, "
                       "information, procedures), not the person"),
    "counterfactual": ("counterfactual", "{phrase} judges with hindsight what people did not do",
                       "describe what people did and why it made sense to them at the time"),
    "root-cause": ("root_cause", "{phrase} frames the incident as having one root cause",
                   "describe the trigger and the contributing factors under cause"),
}


def _check_wording(context: _Context) -> Iterator[_Hit]:
    for rule, (words, message, hint) in _WORDING.items():
        pattern = context.phrases(words)
        for loc, text, cites in context.prose:
            searched = _mask_quotes(text) if cites else text
            for match in pattern.finditer(searched):
                yield _Hit(rule, loc, message.format(phrase=_quote(match.group())), hint,
                           match.start())


def _check_named_individuals(context: _Context) -> Iterator[_Hit]:
    count = len(context.incident.cause.contributing_factors)
    factors = [("trigger",)] + [("contributing_factors", index) for index in range(count)]
    finders = _name_finders(context)
    hint = "name the role and the conditions (e.g. 'the on-call engineer'), not the person"
    for factor in factors:
        for key in CAUSE_FIELDS:
            loc = ("cause",) + factor + (key,)
            text = _value_at(context.document.data, loc)
            if not isinstance(text, str):
                continue
            seen: set[int] = set()
            for finder in finders:
                for start, name in finder(text):
                    if start not in seen:
                        seen.add(start)
                        yield _Hit("named-individual", loc,
                                   f"{_quote(name)} names a person in a cause", hint, start)


def _name_finders(context: _Context) -> list:
    """Return functions that yield (offset, name) for each way a text can name a person."""
    words = context.words
    places = {word.lower() for word in words["place_words"]}
    titles, first_names = _alternatives(words["honorifics"]), _alternatives(words["first_names"])
    titled = re.compile(rf"(?<!\w)(?:{titles})(?!\w)\.?\s+{_CAPITALISED}")
    first_last = re.compile(rf"(?<![\w-])(?:{first_names})\s+({_CAPITALISED})")
    known = _people_named_in(context.incident, set(words["first_names"]))
    named = re.compile(rf"(?<!\w)(?:{_alternatives(known)})(?!\w)") if known else None

    def by_title(text: str) -> Iterator[tuple[int, str]]:
        for match in titled.finditer(text):
            if match.group().split()[-1][0].isupper():
                yield match.start(), match.group()

    def by_known_name(text: str) -> Iterator[tuple[int, str]]:
        for match in named.finditer(text) if named else ():
            yield match.start(), match.group()

    def by_first_name(text: str) -> Iterator[tuple[int, str]]:
        for match in first_last.finditer(text):
            surname = match.group(1)
            if not surname[0].isupper() or surname.isupper():
                continue
            # "John Radcliffe Hospital", "l'hôpital Robert Debré" are places.
            neighbours = text[: match.start()].split()[-1:] + text[match.end():].split()[:1]
            if any(re.sub(r"^\w['’]", "", word.lower().strip(".,;:()")) in places
                   for word in neighbours):
                continue
            yield match.start(), match.group()

    def by_handle(text: str) -> Iterator[tuple[int, str]]:
        for match in _HANDLE.finditer(text):
            yield match.start(), match.group()

    return [by_title, by_known_name, by_first_name, by_handle]


def _people_named_in(incident: Incident, first_names: set[str]) -> set[str]:
    """Return the names, and surnames, of people the record names elsewhere."""
    review = incident.review
    written = [person.name for person in (*review.authors, *review.reviewers, *review.approvals)]
    written += [communication.by for communication in incident.communications]
    written += [action.owner for action in incident.actions]
    names = set()
    for text in written:
        # "Frédéric Valletoux, ministre délégué" names a person; "Incident Commander" does not.
        candidate = re.split(r"[,(]", text, maxsplit=1)[0].strip()
        parts = candidate.split()
        if (2 <= len(parts) <= 4 and parts[0] in first_names
                and all(part[0].isupper() for part in parts)):
            names.add(candidate)
            if len(parts[-1]) >= 3:
                names.add(parts[-1])
    return names


# Action items ---------------------------------------------------------------------------

def _check_actions(context: _Context) -> Iterator[_Hit]:
    words = context.words
    exhortation = context.phrases("exhortation")
    vague = context.phrases("vague")
    measures = context.phrases("measures")
    placeholders = {word.lower() for word in words["owner_placeholders"]}
    written = context.document.data.get("actions", [])
    for index, action in enumerate(context.incident.actions):
        loc = ("actions", index)
        text = action.action
        yield from _check_verb(loc + ("action",), text, context.incident.lang, words)
        for match in exhortation.finditer(text):
            yield _Hit("action-vague", loc + ("action",),
                       f"{_quote(match.group())} asks people to try harder; "
                       f"it changes nothing they work with",
                       "change a tool, a check, a default or a procedure, and say how it will "
                       "be seen to work", match.start())
        if not _DIGIT.search(text) and not measures.search(text):
            for match in vague.finditer(text):
                yield _Hit("action-vague", loc + ("action",),
                           f"{_quote(match.group())} has no measure: "
                           f"nobody can tell when it is done",
                           "say what will exist or change, with a number, a threshold or a "
                           "frequency", match.start())
                break
        if action.owner.strip().lower() in placeholders:
            yield _Hit("action-owner", loc + ("owner",),
                       f"owner {_quote(action.owner)} names nobody",
                       "name who is accountable; a role or a team is enough")
        if action.status not in CLOSED and action.due is None:
            yield _Hit("action-due", loc, f"action item {action.id!r} has no due date",
                       "add 'due: YYYY-MM-DD'; an item without a date is a wish")
        if "status" not in written[index]:
            yield _Hit("action-status", loc, f"action item {action.id!r} does not state its status",
                       "add 'status:' (proposed, open, in_progress, done or wont_do)")
        if action.status not in CLOSED and action.due is not None and action.due < context.today:
            late = (context.today - action.due).days
            yield _Hit("action-overdue", loc + ("due",),
                       f"action item {action.id!r} was due {action.due.isoformat()} "
                       f"({late} day(s) ago) and is still {action.status.replace('_', ' ')}",
                       "update its status, or agree a new due date")


def _check_verb(loc: tuple, text: str, lang: str,
                words: Mapping[str, tuple[str, ...]]) -> Iterator[_Hit]:
    match = _WORD.search(text)
    if match is None:
        return
    word = match.group()
    lowered = word.lower()
    if lang == "fr":
        # "S'assurer", "se doter": the verb follows the reflexive pronoun.
        lowered = re.sub(r"^s['’]", "", lowered)
        if lowered == "se":
            following = _WORD.search(text, match.end())
            lowered = following.group().lower() if following else lowered
        # Any infinitive is a verb; nouns in -ure and the listed look-alikes are not.
        is_verb = lowered in words["verbs"] or (
            lowered not in words["not_verbs"] and not lowered.endswith("ure")
            and lowered.endswith(("er", "ir", "re", "oir")))
        example = "« Ajouter une alerte sur … »"
    else:
        # English imperatives look like nouns: only the listed verbs count.
        is_verb = lowered in words["verbs"]
        example = "'Add an alert on …'"
    if not is_verb:
        yield _Hit("action-verb", loc, f"action item starts with {_quote(word)}, not a verb",
                   f"start with what will be done, e.g. {example}; if {_quote(word)} is a verb "
                   f"here, add it to [lint.words.{lang}] verbs in postmortem.toml", match.start())


# Completeness and coherence -------------------------------------------------------------

def _check_impacts(context: _Context) -> Iterator[_Hit]:
    resolved = context.incident.key_instants.resolved
    resolved_by = resolved.at.latest if resolved else None  # None while not resolved
    for index, impact in enumerate(context.incident.impacts):
        loc = ("impacts", index)
        if impact.ongoing and impact.ended is not None and impact.ended.latest is not None:
            yield _Hit("impact-end", loc + ("ongoing",),
                       f"marked ongoing, but it ends ({impact.ended})",
                       "remove 'ongoing: true', or write the end as 'after …' while it lasts")
        elif impact.ongoing and resolved_by is not None:
            yield _Hit("impact-end", loc + ("ongoing",),
                       f"marked ongoing, but the incident is resolved ({resolved.at})",
                       "give this impact its end, or make key_instants.resolved 'after …'")
        if (impact.ended is not None and impact.ended.earliest is not None
                and resolved_by is not None and impact.ended.earliest > resolved_by):
            yield _Hit("impact-end", loc + ("ended",),
                       f"ends ({impact.ended}) after the incident is resolved ({resolved.at})",
                       "move key_instants.resolved to when the last impact ended")


def _check_timeline(context: _Context) -> Iterator[_Hit]:
    incident = context.incident
    kinds = {entry.kind for entry in incident.timeline}
    instants = incident.key_instants
    if "detection" not in kinds:
        yield _Hit("timeline-detection", ("timeline",),
                   "no timeline entry says how the incident was detected",
                   "add an entry with 'kind: detection': who or what noticed, and how", at_key=True)
    if instants.detected is None:
        yield _Hit("timeline-detection", ("key_instants",), "key_instants has no 'detected'",
                   "add 'detected:' so that the time to detect can be computed; a range is fine",
                   at_key=True)
    if "recovery" not in kinds:
        yield _Hit("timeline-resolution", ("timeline",),
                   "no timeline entry says how service came back",
                   "add an entry with 'kind: recovery'", at_key=True)
    if instants.restored is None and instants.resolved is None:
        yield _Hit("timeline-resolution", ("key_instants",),
                   "key_instants has neither 'restored' nor 'resolved'",
                   "add 'restored:' (or 'resolved: after …' while it is not)", at_key=True)
    # An entry is out of order only if it certainly happened before one listed above it.
    latest_start = None  # (earliest instant of the entries so far, index of that entry)
    for index, entry in enumerate(incident.timeline):
        earliest, latest = _bounds(entry.at)
        if latest_start and latest is not None and latest < latest_start[0]:
            before = latest_start[1]
            yield _Hit("timeline-order", ("timeline", index, "at"),
                       f"listed after timeline[{before}] ({incident.timeline[before].at}) "
                       f"but happened before it", "move the entry to its place in time")
        if earliest is not None and (latest_start is None or earliest > latest_start[0]):
            latest_start = (earliest, index)


def _bounds(when: When):
    slack = APPROXIMATE_SLACK if when.approximate else timedelta(0)
    earliest = when.earliest - slack if when.earliest else None
    latest = when.latest + slack if when.latest else None
    return earliest, latest


def _check_lessons(context: _Context) -> Iterator[_Hit]:
    followed = {lesson for action in context.incident.actions for lesson in action.lessons}
    for index, lesson in enumerate(context.incident.lessons):
        if lesson.id not in followed and not lesson.no_action_because.strip():
            yield _Hit("lesson-action", ("lessons", index),
                       f"lesson {lesson.id!r} leads to no action item",
                       f"add an action with 'lessons: [{lesson.id}]', or say why not in "
                       f"'no_action_because'")


def _check_promises(context: _Context) -> Iterator[_Hit]:
    incident = context.incident
    communications = incident.communications
    for index, communication in enumerate(communications):
        promise = communication.promised
        if promise is None:
            continue
        deadline = promise.restoration.latest or promise.restoration.earliest
        target = getattr(incident.key_instants, promise.target)
        if target is not None and target.at.latest is not None and target.at.latest <= deadline:
            continue  # kept
        audience = set(communication.audience)
        made = communication.at.reference
        if any(other.at.reference > made and audience & set(other.audience)
               for other in communications):
            continue
        yield _Hit("promise-update", ("communications", index, "promised", "restoration"),
                   f"restoration promised for {promise.restoration} was not certainly met, and no "
                   f"later communication to {', '.join(sorted(audience))} follows",
                   "add the communication that updated this audience; if there was none, say so "
                   "under response.went_wrong")


def _check_third_parties(context: _Context) -> Iterator[_Hit]:
    cause = context.incident.cause
    involved = {factor.third_party for factor in (cause.trigger, *cause.contributing_factors)}
    for index, party in enumerate(context.incident.third_parties):
        if party.id not in involved:
            continue
        given = {"contract": party.contract.strip(), "expectation": party.expectation.strip(),
                 "expectation_met": party.expectation_met is not None}
        missing = [name for name, present in given.items() if not present]
        if missing:
            yield _Hit("third-party-expectation", ("third_parties", index),
                       f"third party {party.id!r} is part of the cause but the record does not "
                       f"give: {', '.join(missing)}",
                       "state the contract or SLA (or that it is not known), what was expected, "
                       "and whether it held")


def _check_weekdays(context: _Context) -> Iterator[_Hit]:
    lang = context.incident.lang
    reference = context.incident.key_instants.started.at.reference.date()
    for loc, text, cites in context.prose:
        searched = _mask_quotes(text) if cites else text
        for start, written, weekday, day in _weekday_dates(searched, lang, reference):
            if day.weekday() == weekday:
                continue
            actual = get_day_names("wide", locale="en")[day.weekday()]
            local = get_day_names("wide", locale=lang)[day.weekday()]
            in_record_language = f" ({local})" if local.lower() != actual.lower() else ""
            yield _Hit("weekday-mismatch", loc,
                       f"{_quote(written)}: {day.isoformat()} is a {actual}{in_record_language}",
                       "fix the weekday or the date; if a source says otherwise, quote it and "
                       "record the discrepancy", start)


def _weekday_dates(text: str, lang: str, reference: date) -> Iterator[tuple[int, str, int, date]]:
    """Yield (offset, text, weekday written, date meant) for each 'weekday day month' in text."""
    for pattern in _weekday_patterns(lang):
        for match in pattern.finditer(text):
            weekday = _calendar_index(lang, "day")[_calendar_key(match.group("weekday"))]
            month = _calendar_index(lang, "month")[_calendar_key(match.group("month"))]
            day = int(match.group("day"))
            # Without a year, the date meant is the one nearest to the incident.
            years = ([int(match.group("year"))] if match.group("year")
                     else [reference.year - 1, reference.year, reference.year + 1])
            candidates = []
            for year in years:
                try:
                    candidates.append(date(year, month, day))
                except ValueError:
                    continue
            if candidates:
                meant = min(candidates, key=lambda candidate: abs(candidate - reference))
                yield match.start(), match.group(), weekday, meant


@functools.cache
def _calendar_index(lang: str, kind: str) -> dict[str, int]:
    """Map each wide and abbreviated day (0 = Monday) or month (1 = January) name to its number."""
    names = get_day_names if kind == "day" else get_month_names
    index: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for number, name in names(width, locale=lang).items():
            index[_calendar_key(name)] = number
    return index


def _calendar_key(name: str) -> str:
    return name.lower().rstrip(".")


@functools.cache
def _weekday_patterns(lang: str) -> tuple[re.Pattern, ...]:
    days = _alternatives(_calendar_index(lang, "day"))
    months = _alternatives(_calendar_index(lang, "month"))
    weekday = rf"(?<!\w)(?P<weekday>{days})\.?,?\s+"
    day = r"(?P<day>\d{1,2})(?:er|st|nd|rd|th)?"
    year = r"(?:,?\s+(?P<year>\d{4}))?(?!\w)"
    day_first = rf"{weekday}(?:the\s+)?{day}\s+(?:of\s+)?(?P<month>{months})\.?{year}"
    month_first = rf"{weekday}(?P<month>{months})\.?\s+{day}{year}"
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in (day_first, month_first))


_CHECKS = (
    _check_wording,
    _check_named_individuals,
    _check_actions,
    _check_impacts,
    _check_timeline,
    _check_lessons,
    _check_promises,
    _check_third_parties,
    _check_weekdays,
)


# Output ---------------------------------------------------------------------------------

def to_json(results: Sequence[FileResult]) -> dict:
    """Return the results as a JSON-ready mapping: per file, its problems and findings."""
    return {
        "errors": sum(result.errors for result in results),
        "warnings": sum(result.warnings for result in results),
        "files": [{"path": result.path, "valid": not result.problems,
                   "problems": [problem.as_dict() for problem in result.problems],
                   "findings": [finding.as_dict() for finding in result.findings]}
                  for result in results],
    }
