"""Check what one field alone cannot: unique ids, references, order of instants, review state.

`check_data` reads the record as loaded (plain mappings and lists, possibly malformed), so
that its problems are reported even when the schema is not met; `check_incident` needs
parsed instants and dates and runs on a valid Incident.
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Collection, Iterator

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from postmortem.i18n import N_, _
from postmortem.record.echo import listing, quoted, shorten
from postmortem.record.instants import KEY_INSTANT_NAMES, When, zone_named
from postmortem.record.model import OUTCOMES, TAXONOMIES, Incident, Shareable
from postmortem.record.walk import entries_named

Found = Iterator[tuple[tuple, str]]


def check_data(data: object, emptied: Collection[tuple] = ()) -> Found:
    """Yield (field location, message) for every cross-field problem of the raw record.

    `emptied` are the locations of values the loader refused: they are not missing, only
    wrong, so no rule asks for them.
    """
    if not isinstance(data, dict):
        return
    yield from _check_record_id(data)
    yield from _check_unique_ids(data)
    yield from _check_references(data)
    yield from _check_categories(data)
    yield from _check_impact_endings(data, emptied)
    yield from _check_promises(data)
    yield from _check_locale(data)
    yield from _check_audience_marks(data)


#: Names that Windows reserves for devices, in any folder: a file `con.html` cannot exist.
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(10)})


def _check_record_id(data: dict) -> Found:
    """The record's id names its reports: it must be a file name on every system."""
    ident = data.get("id")
    if isinstance(ident, str) and ident in WINDOWS_DEVICE_NAMES:
        yield ("id",), _("{id!r} is a device name on Windows, where its reports could not "
                         "be written; choose another id", id=ident)


def _check_locale(data: dict) -> Found:
    """A regional style belongs to the record's language: no 'en_GB' in a French record."""
    locale, lang = data.get("locale"), data.get("lang")
    if isinstance(locale, str) and isinstance(lang, str) and "_" in locale \
            and locale.split("_")[0] != lang:
        yield (("locale",), _("{locale} is a style of another language than the record's "
                              "({lang}): choose one starting with '{lang}_', or leave it out",
                              locale=shorten(locale), lang=shorten(lang)))


def check_incident(incident: Incident) -> Found:
    """Yield (field location, message) for every problem that needs parsed instants."""
    yield from _check_order(incident)
    yield from _check_review(incident)


def _items(data: dict, collection: str) -> list[tuple[int, dict]]:
    """Return the (index, mapping) entries of a list field, skipping what is not a mapping."""
    value = data.get(collection)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _ids(data: dict, collection: str) -> set[str]:
    """Return the ids defined in a list field."""
    return {item["id"] for _index, item in _items(data, collection)
            if isinstance(item.get("id"), str)}


def _check_unique_ids(data: dict) -> Found:
    for collection in ("third_parties", "lessons", "actions", "sources", "impacts", "timeline"):
        seen: dict[str, int] = {}
        for index, item in _items(data, collection):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first = f"{collection}[{seen[ident]}]"
                yield (collection, index, "id"), _(
                    "id {id} is already used by {entry}", id=quoted(ident), entry=first)
            elif collection == "timeline" and ident in KEY_INSTANT_NAMES:
                yield (collection, index, "id"), _(
                    "id {id} is the name of a key instant, which relative instants already "
                    "refer to: choose another id for this entry", id=quoted(ident))
            seen.setdefault(ident, index)


#: The fields that refer to an entry defined elsewhere in the record, wherever they are.
_REFERENCES = frozenset({"sources", "third_party"})


def _check_references(data: dict) -> Found:
    sources = _ids(data, "sources")
    third_parties = _ids(data, "third_parties")
    for loc, value in entries_named(data, _REFERENCES):
        # The root's "sources" defines them; every nested "sources" is a list of ids.
        if len(loc) > 1 and loc[-1] == "sources" and isinstance(value, list):
            for index, ref in enumerate(value):
                if isinstance(ref, str) and ref not in sources:
                    yield loc + (index,), _unknown(_UNKNOWN_SOURCE, ref, sources)
        # A "third_party" is an id or None, so only a string can be unknown.
        elif (len(loc) > 1 and loc[-1] == "third_party" and isinstance(value, str)
              and value not in third_parties):
            yield loc, _unknown(_UNKNOWN_THIRD_PARTY, value, third_parties)
    lessons = _ids(data, "lessons")
    actions = _ids(data, "actions")
    for index, action in _items(data, "actions"):
        refs = action.get("lessons")
        for ref_index, ref in enumerate(refs if isinstance(refs, list) else []):
            if isinstance(ref, str) and ref not in lessons:
                yield (("actions", index, "lessons", ref_index),
                       _unknown(_UNKNOWN_LESSON, ref, lessons))
        for field, itself in _SUCCESSORS.items():
            ref = action.get(field)
            if not isinstance(ref, str):
                continue
            if ref == action.get("id"):
                yield ("actions", index, field), _(itself)
            elif ref not in actions:
                yield ("actions", index, field), _unknown(_UNKNOWN_ACTION, ref, actions)
    impacts = _ids(data, "impacts")
    for index, communication in _items(data, "communications"):
        promise = communication.get("promised")
        ref = promise.get("impact") if isinstance(promise, dict) else None
        if isinstance(ref, str) and ref not in impacts:
            yield (("communications", index, "promised", "impact"),
                   _unknown(_UNKNOWN_IMPACT, ref, impacts))


def _check_categories(data: dict) -> Found:
    taxonomy = data.get("taxonomy", "generic")
    cause = data.get("cause")
    if not isinstance(taxonomy, str) or taxonomy not in TAXONOMIES or not isinstance(cause, dict):
        return  # an unknown taxonomy is the schema's to report
    categories = TAXONOMIES[taxonomy]
    factors: list[tuple[tuple, object]] = [(("cause", "trigger"), cause.get("trigger"))]
    contributing = cause.get("contributing_factors")
    if isinstance(contributing, list):
        factors += [(("cause", "contributing_factors", i), factor)
                    for i, factor in enumerate(contributing)]
    for loc, factor in factors:
        category = factor.get("category") if isinstance(factor, dict) else None
        if isinstance(category, str) and category not in categories:
            others = [name for name, table in TAXONOMIES.items()
                      if name != taxonomy and category in table]
            if others:
                message = _("category {category} is not in the {taxonomy!r} taxonomy "
                            "('{name}' is in the {other!r} taxonomy: set 'taxonomy: {other}' "
                            "if the record uses it); use one of: {meanings}",
                            category=quoted(category), name=category, taxonomy=taxonomy,
                            other=others[0], meanings=meanings(categories))
            else:
                message = _("category {category} is not in the {taxonomy!r} taxonomy; use one "
                            "of: {meanings}", category=quoted(category), taxonomy=taxonomy,
                            meanings=meanings(categories))
            yield loc + ("category",), message


def _check_impact_endings(data: dict, emptied: Collection[tuple]) -> Found:
    for index, impact in _items(data, "impacts"):
        ended, outcome = impact.get("ended"), impact.get("outcome")
        refused = any(("impacts", index, name) in emptied for name in ("ended", "outcome"))
        if ended is None and outcome is None and not refused:
            yield ("impacts", index), _(
                "say how it ended: give 'ended', or 'outcome:' one of {meanings}",
                meanings=meanings(OUTCOMES))
        elif outcome == "ongoing" and ended is not None and not _only_after(ended):
            yield ("impacts", index, "outcome"), _(
                "an impact cannot be ongoing and have ended: remove 'ended' (or write "
                "'after …' for the last time it was known to go on), or set 'outcome' to how "
                "it ended")


def _only_after(ended: object) -> bool:
    """Tell whether an end is only bounded below ('after …'), which an ongoing impact can have."""
    return isinstance(ended, str) and re.match(r"after\s", ended.strip()) is not None


def _check_promises(data: dict) -> Found:
    for index, communication in _items(data, "communications"):
        promise = communication.get("promised")
        if not isinstance(promise, dict):
            continue
        loc = ("communications", index, "promised")
        restoration = promise.get("restoration") is not None
        deliverable = bool(promise.get("deliverable"))
        if restoration == deliverable:
            yield loc, _(
                "a promise is of a restoration or of a deliverable: give exactly one of "
                "'restoration' (the time announced) or 'deliverable' (what was promised, "
                "with 'by')")
        elif deliverable and promise.get("by") is None:
            yield loc + ("deliverable",), _(
                "say when the deliverable was promised for: add 'by' (an instant)")
        if promise.get("target") is not None and promise.get("impact") is not None:
            yield loc + ("impact",), _(
                "a restoration promise is about a key instant ('target') or one impact "
                "('impact'), not both: remove one of them")


def _check_order(incident: Incident) -> Found:
    def ends_before(start: When, end: When) -> bool:
        # Only certain contradictions: the latest possible end precedes the earliest start.
        return bool(end.latest and start.earliest and end.latest < start.earliest)

    instants = incident.key_instants
    for earlier_index, earlier in enumerate(KEY_INSTANT_NAMES):
        for later in KEY_INSTANT_NAMES[earlier_index + 1:]:
            first, second = getattr(instants, earlier), getattr(instants, later)
            if first and second and ends_before(first.at, second.at):
                yield ("key_instants", later, "at"), _(
                    "{later} ({later_at}) is before {earlier} ({earlier_at})", later=later,
                    later_at=shorten(str(second.at)), earlier=earlier,
                    earlier_at=shorten(str(first.at)))
    spans = [(("cause", "trigger"), incident.cause.trigger)] + [
        (("cause", "contributing_factors", i), factor)
        for i, factor in enumerate(incident.cause.contributing_factors)
    ]
    for loc, factor in spans:
        if factor.started and factor.ended and ends_before(factor.started, factor.ended):
            yield loc + ("ended",), _("ends ({ended}) before it starts ({started})",
                                      ended=shorten(str(factor.ended)),
                                      started=shorten(str(factor.started)))
    for index, impact in enumerate(incident.impacts):
        if impact.ended and ends_before(impact.started, impact.ended):
            yield ("impacts", index, "ended"), _(
                "ends ({ended}) before it starts ({started})", ended=shorten(str(impact.ended)),
                started=shorten(str(impact.started)))


def _check_review(incident: Incident) -> Found:
    review = incident.review
    # The record keeps no log of its states, so "approved before published" can only
    # mean that a published review carries an approval, like an approved one.
    if review.status in ("approved", "published") and not any(
            approval.decision == "approved" for approval in review.approvals):
        yield ("review", "status"), _(
            "status {status!r} needs an approval: add one under review.approvals "
            "(name, role, date, decision: approved), or set the status back to 'in_review'",
            status=review.status)
    start = incident.key_instants.started.at.earliest
    first_day = start.astimezone(zone_named(incident.timezone)).date() if start else None
    if review.updated and first_day and review.updated < first_day:
        yield ("review", "updated"), _(
            "{day} is before the incident started ({started})", day=review.updated,
            started=first_day)
    for index, approval in enumerate(review.approvals):
        if first_day and approval.date < first_day:
            yield ("review", "approvals", index, "date"), _(
                "{day} is before the incident started ({started})", day=approval.date,
                started=first_day)
        elif review.updated and approval.date > review.updated:
            yield ("review", "approvals", index, "date"), _(
                "{day} is after the review was last updated ({updated}): recording a "
                "decision updates the review, so move 'updated' forward", day=approval.date,
                updated=review.updated)


def _check_audience_marks(data: dict) -> Found:
    for loc, entry, model in _entries(data, Incident):
        if loc == ("cause", "trigger") and entry.get("visibility") is not None:
            yield loc + ("visibility",), _(
                "the trigger appears in every document: mark its fields internal "
                "(internal_fields) instead")
        names = entry.get("internal_fields")
        if not isinstance(names, list):
            continue
        fields = {name: info for name, info in model.model_fields.items()
                  if name not in ("visibility", "internal_fields")}
        for index, name in enumerate(names):
            if not isinstance(name, str):
                continue  # the schema says a field name is text
            if name not in fields:
                import difflib  # only for a suggestion

                hint = difflib.get_close_matches(name, fields, n=1)
                yield loc + ("internal_fields", index), (_(
                    "{name} is not a field of this entry (fields: {fields}); did you mean "
                    "{hint!r}?", name=quoted(name), fields=", ".join(fields), hint=hint[0])
                    if hint else _("{name} is not a field of this entry (fields: {fields})",
                                   name=quoted(name), fields=", ".join(fields)))
            elif not _can_withhold(fields[name]):
                yield loc + ("internal_fields", index), _(
                    "{name} cannot be left out of an entry that is shown: it is required and "
                    "not free text; mark the whole entry with 'visibility' instead",
                    name=quoted(name))


def _entries(data: dict, model: type[BaseModel], loc: tuple = ()) -> Iterator[
        tuple[tuple, dict, type[BaseModel]]]:
    """Yield (location, mapping, model) for every entry of the raw record that can be marked."""
    if issubclass(model, Shareable):
        yield loc, data, model
    for name, inner in _held_models(model):
        value = data.get(name)
        if value is None:
            continue
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if isinstance(item, dict):
                where = loc + ((name,) if index is None else (name, index))
                yield from _entries(item, inner, where)


@functools.cache
def _held_models(model: type[BaseModel]) -> tuple[tuple[str, type[BaseModel]], ...]:
    """Return (field name, model) for every field of `model` that holds entries of a model."""
    return tuple((name, inner) for name, info in model.model_fields.items()
                 if (inner := _model_in(info.annotation)) is not None)


def _model_in(annotation: object) -> type[BaseModel] | None:
    """Find the model class of a field: itself, or inside list[...] and Optional[...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _can_withhold(info: FieldInfo) -> bool:
    """Tell whether a field can be blanked in a document and the entry still make sense.

    An optional field or a list can be emptied, and free text replaced by a mark; a required
    id, kind, instant or number has no neutral value.
    """
    if not info.is_required() or typing.get_origin(info.annotation) is list:
        return True
    return info.annotation is str and not any(
        getattr(constraint, "pattern", None) for constraint in info.metadata)


def meanings(table: dict[str, str]) -> str:
    """List enumerated values with their meaning, for a message."""
    # The separator is translated too: French writes a space before a semicolon.
    return _("; ").join(f"'{value}' ({_(meaning)})" for value, meaning in table.items())


#: An action item that names itself where another one belongs, by field.
_SUCCESSORS = {
    "superseded_by": N_("an action item cannot be superseded by itself: give the id of "
                        "another action item"),
    "merged_into": N_("an action item cannot be merged into itself: give the id of another "
                      "action item"),
}

#: A reference to an id that is not defined, by kind: (some are defined, none is).
_UNKNOWN_SOURCE = (N_("unknown source {ref} (known: {known})"),
                   N_("unknown source {ref} (known: none is defined)"))
_UNKNOWN_THIRD_PARTY = (N_("unknown third party {ref} (known: {known})"),
                        N_("unknown third party {ref} (known: none is defined)"))
_UNKNOWN_LESSON = (N_("unknown lesson {ref} (known: {known})"),
                   N_("unknown lesson {ref} (known: none is defined)"))
_UNKNOWN_ACTION = (N_("unknown action item {ref} (known: {known})"),
                   N_("unknown action item {ref} (known: none is defined)"))
_UNKNOWN_IMPACT = (N_("unknown impact {ref} (known: {known})"),
                   N_("unknown impact {ref} (known: none is defined): give the impact an 'id' "
                      "and use it here"))


def _unknown(messages: tuple[str, str], ref: str, known: set[str]) -> str:
    """Say that a reference names no defined id, and list the ids that are."""
    some, none = messages
    names = listing(sorted(known))
    return _(some, ref=quoted(ref), known=names) if names else _(none, ref=quoted(ref))
