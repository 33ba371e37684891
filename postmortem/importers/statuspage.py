"""Draft a record from a status page incident in the Atlassian Statuspage format.

The JSON is the public API's (`/api/v2/incidents.json`: `{"page": …, "incidents": […]}`,
or `/api/v2/incidents/ID.json`: `{"page": …, "incident": …}`), a bare incident, or the
manage API's list of incidents (`/v1/pages/ID/incidents`). Each update (`incident_updates`)
becomes a public communication at its `display_at` (else `created_at`) in the record's zone;
each change of status a timeline entry; the statuses and `started_at`/`resolved_at` give
the key instants, and the components the updates list (`affected_components`) the impacts.
A restoration time an update announces becomes its promise when it reads unambiguously
(`promises.read_promise`); otherwise the author is asked to check it.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from postmortem.errors import InputError, Problem, RecordError, field_path
from postmortem.i18n import _
from postmortem.importers.draft import Draft, Todo, format_instant
from postmortem.importers.jsontext import line_column, skip_blanks
from postmortem.importers.promises import Promised, Unclear, read_promise
from postmortem.record.echo import listing, quoted
from postmortem.record.instants import InstantError, zone_named
from postmortem.record.limits import figure
from postmortem.record.load import decode_utf8

#: The largest export read: a page's whole history is a few megabytes.
MAX_BYTES = 64 * 1024 * 1024

#: The id of the source every imported entry cites.
SOURCE_ID = "status-page"

#: The years a status page's times may fall in (outside them, a time is a typing slip).
MIN_YEAR, MAX_YEAR = 1970, 2999

#: The longest slug taken from the incident's name, in the record's id.
MAX_SLUG = 60

#: Timeline kind of each incident status (maintenance statuses are milestones).
KINDS = {
    "investigating": "detection",
    "identified": "milestone",
    # "A fix has been implemented and we are monitoring the results": an action taken.
    "monitoring": "action",
    "resolved": "recovery",
    "postmortem": "milestone",
    "scheduled": "milestone",
    "in_progress": "milestone",
    "verifying": "milestone",
    "completed": "milestone",
}

#: Statuses that close an incident (or a maintenance).
CLOSING = ("resolved", "completed")

#: Component statuses from the least to the worst.
COMPONENT_RANK = {"operational": 0, "under_maintenance": 1, "degraded_performance": 2,
                  "partial_outage": 3, "major_outage": 4}

#: Statuspage's incident impact → the record's severity ("none" states none).
SEVERITIES = {"critical": "critical", "major": "major", "minor": "minor"}

Loc = tuple[str | int, ...]

#: What the draft says, per language of the record.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "channel": "status page",
        "entry": "Status page: “{label}”",
        "entry_said": "Status page, “{label}”: “{sentence}”",
        "quoted": "“{text}”",
        "no_text": "Update “{label}” posted with no text.",
        "no_text_no_status": "Update posted with no text.",
        "note": "Status page incident {id}; {count} updates",
        "note_one": "Status page incident {id}; 1 update",
        "started_at": "When the status page says the incident started (started_at).",
        "started_bound": "Before the first status page update: the page gives no start.",
        "detected": "Before the first status page update (“{label}”): the page was written "
                    "after the team knew.",
        "detected_plain": "Before the first status page update: the page was written after "
                          "the team knew.",
        "mitigated": "Before the status page said “{label}”: a fix was in place by then.",
        "resolved_at": "When the status page marked the incident resolved (resolved_at).",
        "resolved_update": "When the status page posted “{label}”.",
        "restored": "When the status page showed the last affected component operational "
                    "again.",
        "restored_what": "every affected component operational again",
        "worst": "The status page showed {service} as “{status}”.",
        "listed": "The status page listed {service} among the affected components.",
        "todo_severity": "The status page gave this incident no impact (“none”): add "
                         "`severity` (critical, major, moderate or minor) if one was decided.",
        "todo_start": "The status page gives no start time, so this is only a bound: write "
                      "when the impact began.",
        "todo_said": "This update has no text: say what it announced, or remove it.",
        "todo_status": "This update has no status: check whether it changed the incident's "
                       "state (no timeline entry was drafted for it).",
        "todo_kind": "The status page's status “{status}” is not one of its usual ones: "
                     "check the kind of this entry.",
        "todo_promise": "Check the restoration time in “{words}”: {why}. If it was a promise, "
                        "add `promised: {{restoration: …, target: restored}}` to this "
                        "communication.",
        "todo_impact": "Say what users of {service} could not do, and who they were.",
        "no_zone": "no time zone is stated",
        "ambiguous_zone": "its time zone abbreviation names several zones",
        "several_times": "it gives different times",
        "past": "the time was already past when the update was posted",
    },
    "fr": {
        "channel": "page d’état",
        "entry": "Page d’état : « {label} »",
        "entry_said": "Page d’état, « {label} » : « {sentence} »",
        "quoted": "« {text} »",
        "no_text": "Mise à jour « {label} » publiée sans texte.",
        "no_text_no_status": "Mise à jour publiée sans texte.",
        "note": "Incident {id} de la page d’état ; {count} mises à jour",
        "note_one": "Incident {id} de la page d’état ; 1 mise à jour",
        "started_at": "Début de l’incident selon la page d’état (started_at).",
        "started_bound": "Avant la première mise à jour de la page d’état : la page ne donne "
                         "pas de début.",
        "detected": "Avant la première mise à jour de la page d’état (« {label} ») : la page "
                    "a été écrite après que l’équipe a su.",
        "detected_plain": "Avant la première mise à jour de la page d’état : la page a été "
                          "écrite après que l’équipe a su.",
        "mitigated": "Avant que la page d’état n’annonce « {label} » : un correctif était "
                     "alors en place.",
        "resolved_at": "Quand la page d’état a marqué l’incident résolu (resolved_at).",
        "resolved_update": "Quand la page d’état a publié « {label} ».",
        "restored": "Quand la page d’état a montré le dernier composant touché de nouveau "
                    "opérationnel.",
        "restored_what": "tous les composants touchés de nouveau opérationnels",
        "worst": "La page d’état a montré {service} en « {status} ».",
        "listed": "La page d’état a compté {service} parmi les composants touchés.",
        "todo_severity": "La page d’état n’a donné aucun impact à cet incident (« none ») : "
                         "ajouter `severity` (critical, major, moderate ou minor) si une "
                         "gravité a été décidée.",
        "todo_start": "La page d’état ne donne pas d’heure de début, ce n’est donc qu’une "
                      "borne : indiquer quand l’impact a commencé.",
        "todo_said": "Cette mise à jour n’a pas de texte : dire ce qu’elle annonçait, ou la "
                     "retirer.",
        "todo_status": "Cette mise à jour n’a pas de statut : vérifier si elle a changé l’état "
                       "de l’incident (aucune entrée de chronologie n’a été écrite pour elle).",
        "todo_kind": "Le statut « {status} » de la page d’état n’est pas l’un des siens "
                     "habituels : vérifier le type de cette entrée.",
        "todo_promise": "Vérifier l’heure de rétablissement dans « {words} » : {why}. Si "
                        "c’était une promesse, ajouter `promised: {{restoration: …, target: "
                        "restored}}` à cette communication.",
        "todo_impact": "Dire ce que les utilisateurs de {service} n’ont pas pu faire, et qui "
                       "ils étaient.",
        "no_zone": "aucun fuseau horaire n’est indiqué",
        "ambiguous_zone": "son abréviation de fuseau horaire en désigne plusieurs",
        "several_times": "elle donne des heures différentes",
        "past": "l’heure était déjà passée quand la mise à jour a été publiée",
    },
}

#: The status page's own words for its statuses, per language of the record.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "en": {"investigating": "Investigating", "identified": "Identified",
           "monitoring": "Monitoring", "resolved": "Resolved", "postmortem": "Postmortem",
           "scheduled": "Scheduled", "in_progress": "In progress", "verifying": "Verifying",
           "completed": "Completed", "operational": "operational",
           "under_maintenance": "under maintenance",
           "degraded_performance": "degraded performance", "partial_outage": "partial outage",
           "major_outage": "major outage"},
    "fr": {"investigating": "Enquête en cours", "identified": "Identifié",
           "monitoring": "Surveillance", "resolved": "Résolu", "postmortem": "Post-mortem",
           "scheduled": "Planifié", "in_progress": "En cours", "verifying": "Vérification",
           "completed": "Terminé", "operational": "opérationnel",
           "under_maintenance": "en maintenance",
           "degraded_performance": "performances dégradées", "partial_outage": "panne partielle",
           "major_outage": "panne majeure"},
}

_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)", re.DOTALL)
_SLUG_BREAK = re.compile(r"[^a-z0-9]+")


def read_statuspage(path: Path, *, zone: str | None = None, lang: str = "en",
                    incident: str | None = None) -> Draft:
    """Read a Statuspage export and return the draft record of one of its incidents.

    `zone` is the record's zone (default: the page's `time_zone`, else UTC); `incident`
    the id of the incident to take when the file holds several. Raise InputError, naming
    the JSON path and its line:col, when the file is not such an export.
    """
    name = str(path)
    text = _decode(_read(path, name), name)
    source = _Source(name, text, _parse(text, name))
    page, incidents = source.incidents()
    loc, chosen = source.choose(incidents, incident)
    zone = source.zone(page, zone)
    texts = TEXTS.get(lang, TEXTS["en"])
    return _Builder(source, page, chosen, loc, zone, lang, texts).draft()


def _read(path: Path, name: str) -> bytes:
    """Return the bytes of the file, refusing one over MAX_BYTES before reading it."""
    try:
        # Checked before opening: opening a FIFO would wait for a writer.
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            raise InputError([Problem(name, 1, 1, _(
                "not a regular file: give the JSON file of a status page incident"))])
        if status.st_size > MAX_BYTES:
            raise InputError([_too_large(name, status.st_size)])
        with open(path, "rb") as file:
            # One byte past the cap, so that a file growing while it is read is caught too.
            raw = file.read(MAX_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError([Problem(name, 1, 1, _("cannot read the file: {reason}",
                                                reason=reason))]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([_too_large(name, len(raw))])
    return raw


def _too_large(name: str, size: int) -> Problem:
    return Problem(name, 1, 1, _(
        "file is {size} bytes; the limit for a status page export is {limit} bytes ({mib} MiB)",
        size=figure(size), limit=figure(MAX_BYTES), mib=MAX_BYTES // (1024 * 1024)))


def _decode(raw: bytes, name: str) -> str:
    """Decode strict UTF-8 (a leading byte-order mark allowed), at the first bad byte."""
    try:
        return decode_utf8(raw, name)
    except RecordError as error:
        raise InputError(error.problems) from None


def _parse(text: str, name: str) -> Any:
    if not text.strip():
        raise InputError([Problem(name, 1, 1, _(
            "file is empty: give the JSON of a status page incident, e.g. what "
            "/api/v2/incidents.json returns"))])
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        message = _("not JSON ({reason}): give the JSON that the status page's API returns",
                    reason=error.msg)
        raise InputError([Problem(name, error.lineno, error.colno, message)]) from None
    except RecursionError:
        raise InputError([Problem(name, 1, 1, _(
            "values are nested too deeply for a status page export"))]) from None


_DECODER = json.JSONDecoder()


def locate(text: str, loc: Loc) -> tuple[int, int]:
    """Return the line and column of the value at a JSON path, or of its nearest container."""
    offset = index = skip_blanks(text, 0)
    try:
        for part in loc:
            found = _member(text, index, part)
            if found is None:
                break
            offset = index = found
    except (ValueError, IndexError, RecursionError):
        pass
    return line_column(text, offset)


def _member(text: str, index: int, part: str | int) -> int | None:
    """Return where the value of key or item `part` starts in the container at `index`."""
    opening = text[index:index + 1]
    if opening not in ("{", "[") or (opening == "{") != isinstance(part, str):
        return None
    index = skip_blanks(text, index + 1)
    found, count = None, 0
    while index < len(text) and text[index] not in "}]":
        if opening == "{":
            key, index = _DECODER.raw_decode(text, index)
            index = skip_blanks(text, skip_blanks(text, index) + 1)  # past the colon
            if key == part:
                found = index  # the last of repeated keys is the one json reads
        elif count == part:
            return index
        _, index = _DECODER.raw_decode(text, index)
        count += 1
        index = skip_blanks(text, index)
        if text[index:index + 1] == ",":
            index = skip_blanks(text, index + 1)
    return found


def _what(value: Any) -> str:
    """Name the JSON type of a value, for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, int | float):
        return _("a JSON number")
    if isinstance(value, str):
        return _("the text {value}", value=quoted(value))
    if isinstance(value, list):
        return _("a list")
    return _("a JSON object")


@dataclass
class _Source:
    """The file read: its name, its text (for positions) and its JSON."""

    name: str
    text: str
    data: Any

    def error(self, loc: Loc, message: str) -> InputError:
        line, column = locate(self.text, loc)
        return InputError([Problem(self.name, line, column, message, field=field_path(loc))])

    def incidents(self) -> tuple[dict[str, Any], list[tuple[Loc, dict[str, Any]]]]:
        """Return the page (possibly empty) and each incident with its JSON path."""
        data = self.data
        page: Any = {}
        if isinstance(data, dict):
            page = data.get("page")
            page = {} if page is None else page
            if not isinstance(page, dict):
                raise self.error(("page",), _("must be an object, found {what}",
                                              what=_what(page)))
            for key in ("incidents", "scheduled_maintenances"):
                if key in data:
                    return page, self.items(data[key], (key,))
            if "incident" in data:
                return page, [(("incident",), self.mapping(data["incident"], ("incident",)))]
            if "incident_updates" in data:
                return {}, [((), data)]
        elif isinstance(data, list):
            return page, self.items(data, ())
        raise self.error((), _(
            "not a status page incident: expected the JSON of /api/v2/incidents.json (an "
            "object with \"incidents\"), of one incident (with \"incident\", or an object "
            "with \"incident_updates\"), or a list of incidents; found {what}",
            what=_what(data)))

    def items(self, value: Any, loc: Loc) -> list[tuple[Loc, dict[str, Any]]]:
        entries = self.sequence(value, loc)
        return [(loc + (index,), self.mapping(entry, loc + (index,)))
                for index, entry in enumerate(entries)]

    def sequence(self, value: Any, loc: Loc) -> list[Any]:
        if not isinstance(value, list):
            raise self.error(loc, _("must be a list, found {what}", what=_what(value)))
        return value

    def mapping(self, value: Any, loc: Loc) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(loc, _("must be an object, found {what}", what=_what(value)))
        return value

    def text_of(self, mapping: dict[str, Any], key: str, loc: Loc) -> str:
        """Return a text member ('' when missing or null)."""
        value = mapping.get(key)
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool) and key in (
                "id", "code"):
            return str(value)  # an id written as a number is still an id
        if not isinstance(value, str):
            raise self.error(loc + (key,), _("must be text, found {what}", what=_what(value)))
        return value

    def moment(self, mapping: dict[str, Any], key: str, loc: Loc) -> datetime | None:
        """Return an ISO 8601 time member as an aware datetime (None when missing or null)."""
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(loc + (key,), _("must be a time as text such as "
                                             "2024-03-12T21:05:00Z, found {what}",
                                             what=_what(value)))
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.error(loc + (key,), _(
                "{value} is not an ISO 8601 time such as 2024-03-12T21:05:00Z",
                value=quoted(value))) from None
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise self.error(loc + (key,), _(
                "{value} is out of range: a status page time falls between {first} and {last}",
                value=quoted(value), first=MIN_YEAR, last=MAX_YEAR))
        if moment.tzinfo is None:
            raise self.error(loc + (key,), _(
                "{value} has no UTC offset: a status page writes 2024-03-12T21:05:00Z or "
                "2024-03-12T14:05:00-07:00", value=quoted(value)))
        return moment

    def choose(self, incidents: list[tuple[Loc, dict[str, Any]]],
               wanted: str | None) -> tuple[Loc, dict[str, Any]]:
        """Return the incident asked for, or the only one."""
        if not incidents:
            raise self.error((), _("the file holds no incident"))
        if wanted is None and len(incidents) == 1:
            return incidents[0]
        named = []
        for loc, entry in incidents:
            identifier = self.text_of(entry, "id", loc)
            if wanted is not None and identifier == wanted.strip():
                return loc, entry
            title = entry.get("name") if isinstance(entry.get("name"), str) else ""
            named.append(f"{identifier or '?'} ({title})" if title else identifier or "?")
        where = incidents[0][0][:-1]
        if wanted is None:
            raise self.error(where, _(
                "the file holds {count} incidents: pass --incident ID to choose one of "
                "{incidents}", count=len(incidents), incidents=listing(named)))
        raise self.error(where, _("no incident {id} in the file: pass --incident with one "
                                  "of {incidents}", id=quoted(wanted), incidents=listing(named)))

    def zone(self, page: dict[str, Any], asked: str | None) -> str:
        """Return the record's zone: the one asked, else the page's, else UTC."""
        if asked:
            try:
                zone_named(asked)
            except InstantError as error:
                raise InputError([Problem("", 0, 0, f"--timezone: {error}")]) from None
            return asked
        written = self.text_of(page, "time_zone", ("page",)).strip()
        if not written:
            return "UTC"
        try:
            zone_named(written)
        except InstantError as error:
            raise self.error(("page", "time_zone"), _(
                "{error}; pass --timezone with the record's zone", error=error)) from None
        return written


@dataclass
class _Update:
    """One update of the incident, read and checked."""

    index: int
    loc: Loc
    at: datetime
    created: datetime
    status: str
    body: str
    components: list[tuple[str, str, str, str]]
    """(code, name, old status, new status) of each component it changed."""


@dataclass
class _Component:
    """What the updates say of one component."""

    name: str
    changes: list[tuple[datetime, str, str]] = field(default_factory=list)
    current: str = ""


class _Builder:
    """Build the draft of one incident."""

    def __init__(self, source: _Source, page: dict[str, Any], incident: dict[str, Any],
                 loc: Loc, zone: str, lang: str, texts: dict[str, str]) -> None:
        self.source, self.page, self.incident, self.loc = source, page, incident, loc
        self.zone, self.lang, self.texts = zone, lang, texts
        self.labels = STATUS_LABELS.get(lang, STATUS_LABELS["en"])
        self.todos: list[Todo] = []
        self.name = " ".join(source.text_of(incident, "name", loc).split())
        if not self.name:
            raise source.error(loc + ("name",), _("missing: every incident has a name"))
        self.id = source.text_of(incident, "id", loc).strip()
        if "incident_updates" not in incident:
            raise source.error(loc + ("incident_updates",),
                               _("missing: every incident has its updates"))
        self.updates = self._updates()
        if not self.updates:
            raise source.error(loc + ("incident_updates",),
                               _("the incident has no update: there is nothing to import"))
        self.started_at = source.moment(incident, "started_at", loc)
        self.resolved_at = source.moment(incident, "resolved_at", loc)

    def instant(self, moment: datetime) -> str:
        return format_instant(moment, self.zone)

    def label(self, status: str) -> str:
        return self.labels.get(status, status.replace("_", " ").capitalize())

    def draft(self) -> Draft:
        first = self.updates[0].at
        start = self.started_at or first
        day = start.astimezone(zone_named(self.zone)).date().isoformat()
        key_instants = self._key_instants()
        communications = self._communications()
        timeline = self._timeline()
        impacts = self._impacts(key_instants)
        severity = self._severity()
        page_name = " ".join(self.source.text_of(self.page, "name", ("page",)).split())
        return Draft(
            id=f"{day}-{_slug(self.name) or _slug(self.id) or 'status-page-incident'}",
            title=self.name, lang=self.lang, timezone=self.zone,
            source=self._source(page_name, first), organisation=page_name,
            severity=severity, key_instants=key_instants, impacts=impacts,
            communications=communications, timeline=timeline, todos=self.todos)

    def _updates(self) -> list[_Update]:
        loc = self.loc + ("incident_updates",)
        entries = self.source.sequence(self.incident["incident_updates"], loc)
        updates = []
        for index, entry in enumerate(entries):
            here = loc + (index,)
            update = self.source.mapping(entry, here)
            created = self.source.moment(update, "created_at", here)
            if created is None:
                raise self.source.error(here + ("created_at",), _(
                    "missing: every update has the time it was posted"))
            shown = self.source.moment(update, "display_at", here) or created
            status = self.source.text_of(update, "status", here).strip().lower()
            body = self.source.text_of(update, "body", here).strip()
            updates.append(_Update(index, here, shown, created, status, body,
                                   self._changes(update, here)))
        # The API lists the newest first; the record tells the story in order.
        updates.sort(key=lambda update: (update.at, update.created))
        return updates

    def _changes(self, update: dict[str, Any], loc: Loc) -> list[tuple[str, str, str, str]]:
        value = update.get("affected_components")
        if value is None:
            return []
        here = loc + ("affected_components",)
        changes = []
        for index, entry in enumerate(self.source.sequence(value, here)):
            item = self.source.mapping(entry, here + (index,))
            texts = [self.source.text_of(item, key, here + (index,)).strip()
                     for key in ("code", "name", "old_status", "new_status")]
            changes.append((texts[0], texts[1], texts[2].lower(), texts[3].lower()))
        return changes

    def _source(self, page_name: str, first: datetime) -> dict[str, Any]:
        url = self.source.text_of(self.incident, "shortlink", self.loc).strip()
        page_url = self.source.text_of(self.page, "url", ("page",)).strip().rstrip("/")
        if not url and page_url and self.id:
            url = f"{page_url}/incidents/{self.id}"
        count = len(self.updates)
        note = self.texts["note_one" if count == 1 else "note"].format(
            id=self.id or "?", count=count)
        published = first.astimezone(zone_named(self.zone)).date().isoformat()
        return {"id": SOURCE_ID, "title": self.name, "publisher": page_name,
                "published": published, "url": url, "note": note}

    def _severity(self) -> str | None:
        impact = self.source.text_of(self.incident, "impact", self.loc).strip().lower()
        if impact == "none":
            self.todos.append(Todo(("summary",), self.texts["todo_severity"]))
        return SEVERITIES.get(impact)

    def _cites(self, entry: dict[str, Any]) -> dict[str, Any]:
        entry["sources"] = [SOURCE_ID]
        return entry

    def _communications(self) -> list[dict[str, Any]]:
        communications = []
        for index, update in enumerate(self.updates):
            # The page's own words, quoted: the review reports them, it does not write them.
            said = self.texts["quoted"].format(text=update.body) if update.body else ""
            if not said:
                said = (self.texts["no_text"].format(label=self.label(update.status))
                        if update.status else self.texts["no_text_no_status"])
                self.todos.append(Todo(("communications", index, "said"),
                                       self.texts["todo_said"]))
            entry: dict[str, Any] = {"at": self.instant(update.at),
                                     "channel": self.texts["channel"],
                                     "audience": ["public"], "said": said}
            promise = self._promise(update) if update.body else None
            if isinstance(promise, Promised):
                approximate = "about " if promise.approximate else ""
                entry["promised"] = {"restoration": approximate + self.instant(promise.at),
                                     "target": "restored"}
            elif isinstance(promise, Unclear):
                self.todos.append(Todo(("communications", index, "said"),
                                       self.texts["todo_promise"].format(
                                           words=_shorten(promise.words, 160),
                                           why=self.texts[promise.reason])))
            if not update.status:
                self.todos.append(Todo(("communications", index), self.texts["todo_status"]))
            communications.append(self._cites(entry))
        return communications

    def _promise(self, update: _Update) -> Promised | Unclear | None:
        """Read the update in the record's language, else in the other one."""
        other = "fr" if self.lang == "en" else "en"
        for lang in (self.lang, other):
            found = read_promise(update.body, update.at, self.zone, lang)
            if found is not None:
                return found
        return None

    def _status_changes(self) -> Iterator[_Update]:
        """Yield each update whose status differs from the one before (the first counts)."""
        previous = None
        for update in self.updates:
            if update.status and update.status != previous:
                yield update
                previous = update.status
            elif update.status:
                previous = update.status

    def _timeline(self) -> list[dict[str, Any]]:
        timeline: list[dict[str, Any]] = []
        for update in self._status_changes():
            label = self.label(update.status)
            sentence = _first_sentence(update.body)
            text = (self.texts["entry_said"].format(label=label, sentence=sentence) if sentence
                    else self.texts["entry"].format(label=label))
            kind = KINDS.get(update.status)
            if kind is None:
                self.todos.append(Todo(("timeline", len(timeline), "kind"),
                                       self.texts["todo_kind"].format(status=update.status)))
            timeline.append(self._cites({"at": self.instant(update.at),
                                         "kind": kind or "milestone", "text": text}))
        return timeline

    def _key_instants(self) -> dict[str, dict[str, Any]]:
        texts = self.texts
        first = self.updates[0]
        instants: dict[str, dict[str, Any]] = {}
        if self.started_at is not None:
            instants["started"] = {"at": self.instant(self.started_at),
                                   "note": texts["started_at"], "confidence": "reported"}
        else:
            instants["started"] = {"at": "before " + self.instant(first.at),
                                   "note": texts["started_bound"], "confidence": "derived"}
            self.todos.append(Todo(("key_instants", "started", "at"), texts["todo_start"]))
        changes = list(self._status_changes())
        seen = next((update for update in changes if update.status == "investigating"), first)
        if self.started_at is None or self.started_at <= seen.at:
            note = (texts["detected"].format(label=self.label(seen.status)) if seen.status
                    else texts["detected_plain"])
            instants["detected"] = {"at": "before " + self.instant(seen.at), "note": note,
                                    "confidence": "derived"}
        monitoring = next((update for update in changes if update.status == "monitoring"), None)
        if monitoring is not None:
            instants["mitigated"] = {"at": "before " + self.instant(monitoring.at),
                                     "note": texts["mitigated"].format(
                                         label=self.label("monitoring")),
                                     "confidence": "derived"}
        resolved = self._resolved(changes)
        restored = self._restored()
        if restored is not None and (resolved is None or restored <= resolved[0]):
            instants["restored"] = {"at": self.instant(restored), "what": texts["restored_what"],
                                    "note": texts["restored"], "confidence": "reported"}
        if resolved is not None:
            instants["resolved"] = {"at": self.instant(resolved[0]), "note": resolved[1],
                                    "confidence": "reported"}
        return instants

    def _resolved(self, changes: list[_Update]) -> tuple[datetime, str] | None:
        """Return when the incident was resolved, and how that is known; None while open."""
        if self.resolved_at is not None:
            return self.resolved_at, self.texts["resolved_at"]
        # Only while it stays closed: an incident reopened after "resolved" is not resolved.
        if changes and changes[-1].status in CLOSING:
            return changes[-1].at, self.texts["resolved_update"].format(
                label=self.label(changes[-1].status))
        return None

    def _components(self) -> dict[str, _Component]:
        """Return what the incident and its updates say of each component, first named first."""
        components: dict[str, _Component] = {}
        listed = self.incident.get("components")
        names: dict[str, str] = {}
        if listed is not None:
            loc = self.loc + ("components",)
            for index, entry in enumerate(self.source.sequence(listed, loc)):
                item = self.source.mapping(entry, loc + (index,))
                code = self.source.text_of(item, "id", loc + (index,)).strip()
                name = " ".join(self.source.text_of(item, "name", loc + (index,)).split())
                status = self.source.text_of(item, "status", loc + (index,)).strip().lower()
                if name:
                    names[code or name] = name
                    component = components.setdefault(code or name, _Component(name))
                    component.current = status
        for update in self.updates:
            for code, name, old, new in update.components:
                key = code or name
                name = " ".join(name.split()) or names.get(key, "")
                if not key or not name:
                    continue
                component = components.setdefault(key, _Component(name))
                component.changes.append((update.at, old, new))
        return components

    def _restored(self) -> datetime | None:
        """Return when the last affected component was shown operational, if all were."""
        returns = []
        for component in self._components().values():
            if not component.changes:
                continue
            if component.changes[-1][2] != "operational":
                return None
            returns.append(component.changes[-1][0])
        return max(returns) if returns else None

    def _impacts(self, key_instants: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        impacts: list[dict[str, Any]] = []
        start = key_instants["started"]["at"]
        resolved = key_instants.get("resolved", {}).get("at")
        for component in self._components().values():
            started, ended, worst = start, None, ""
            left = next(((at, old) for at, old, new in component.changes
                         if new != "operational"), None)
            if left is not None and (left[1] in ("", "operational")):
                started = self.instant(left[0])
            for _moment, old, new in component.changes:
                for status in (old, new):
                    if COMPONENT_RANK.get(status, -1) > COMPONENT_RANK.get(worst, 0):
                        worst = status
            if component.changes and component.changes[-1][2] == "operational":
                ended = self.instant(component.changes[-1][0])
            elif resolved is not None:
                ended = resolved
            if not worst and COMPONENT_RANK.get(component.current, 0) > 0:
                worst = component.current
            description = (self.texts["worst"].format(service=component.name,
                                                      status=self.label(worst))
                           if worst else self.texts["listed"].format(service=component.name))
            impact: dict[str, Any] = {"service": component.name, "description": description,
                                      "started": started}
            if ended is not None:
                impact["ended"] = ended
            impact["outcome"] = "restored" if ended is not None else "ongoing"
            self.todos.append(Todo(("impacts", len(impacts), "description"),
                                   self.texts["todo_impact"].format(service=component.name)))
            impacts.append(self._cites(impact))
        return impacts


def _first_sentence(body: str) -> str:
    """Return the first sentence of a text, on one line, shortened."""
    text = " ".join(body.split())
    match = _FIRST_SENTENCE.match(text)
    return _shorten(match.group(1) if match else text, 200)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _slug(text: str) -> str:
    """Return an ASCII slug of a name, at most MAX_SLUG characters, cut at a hyphen."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _SLUG_BREAK.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut else slug[:MAX_SLUG]
    return slug.strip("-")

