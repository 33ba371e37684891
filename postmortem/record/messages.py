"""The model's refusals in words for a record author, never the validation library's.

Each message names the field, says what is wrong with the value, and what to write
instead: "did you mean" for misspelt names and enumerated values, the meanings of
taxonomy categories, outcomes and confidences, and the field's own description for a
missing field.

Messages are in the reader's language (`postmortem.i18n`): each variant is a whole sentence,
and what varies inside one (the name of an enumerated value with its article, a count of
items) is a whole phrase of its own, so that a translation gives it its gender and plural.
The fields' descriptions are the model's documentation, in English.
"""

from __future__ import annotations

import difflib
import math
import types
import typing

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_core.core_schema import ErrorType

from postmortem.i18n import N_, _, ngettext
from postmortem.record.checks import meanings
from postmortem.record.docstrings import field_description
from postmortem.record.echo import quoted, shorten
from postmortem.record.languages import LANGUAGE_TAG_PATTERN
from postmortem.record.model import (
    CONFIDENCES,
    CONSEQUENCES,
    OUTCOMES,
    TAXONOMIES,
    VISIBILITIES,
    Incident,
    fields_in_order,
)

#: Error types of the validation library; any other type is one of the record's own
#: validators (instants, dates, zones), whose message is already written for people.
_LIBRARY_ERRORS = frozenset(typing.get_args(ErrorType))

#: Enumerated values whose meaning a message lists, by field name.
_MEANINGS: dict[str, dict[str, str]] = {
    "outcome": OUTCOMES,
    "confidence": CONFIDENCES,
    "visibility": VISIBILITIES,
    "consequences": CONSEQUENCES,
    "taxonomy": {name: ", ".join(table) for name, table in TAXONOMIES.items()},
}

#: How one item of a list field is called, where its name is not the field's minus an 's'.
_ITEM_NAMES = {
    "timeline": "timeline entry",
    "audience": "audience",
    "quantities": "quantity",
    "third_parties": "third party",
    "contributing_factors": "contributing factor",
    "ruled_out": "ruled-out hypothesis",
    "not_affected": "service not affected",
    "progress": "progress entry",
    "discrepancies": "discrepancy",
    "went_well": "observation",
    "went_wrong": "observation",
    "got_lucky": "observation",
    "affected": "group affected",
    "actions": "action item",
}

#: What to write in a field left empty, by the kind of value it takes.
_EMPTY_ADVICE = {
    "string_type": N_("write the text after the ':'"),
    "int_type": N_("write a whole number after the ':'"),
    "float_type": N_("write a number after the ':'"),
    "bool_type": N_("write true or false after the ':'"),
    "list_type": N_("write its items on the lines below, each after '- ' and indented"),
    "model_type": N_("write its fields on the lines below, as 'key: value' lines indented "
                     "under it"),
    "dict_type": N_("write its fields on the lines below, as 'key: value' lines indented "
                    "under it"),
}

#: What a message calls an enumerated value, with its article, by the noun that its
#: location gives (`_enum_noun`): "'zzz' is not a timeline kind".
ENUM_NOUNS = {
    "value": N_("a value"),
    "schema version": N_("a schema version"),
    "language": N_("a language"),
    "locale": N_("a locale"),
    "severity": N_("a severity"),
    "taxonomy": N_("a taxonomy"),
    "review status": N_("a review status"),
    "visibility": N_("a visibility"),
    "approval decision": N_("an approval decision"),
    "confidence": N_("a confidence"),
    "outcome": N_("an outcome"),
    "amount qualifier": N_("an amount qualifier"),
    "quantity qualifier": N_("a quantity qualifier"),
    "consequence": N_("a consequence"),
    "audience": N_("an audience"),
    "promised target": N_("a promised target"),
    "timeline kind": N_("a timeline kind"),
    "action item status": N_("an action item status"),
    "action item type": N_("an action item type"),
    "action item priority": N_("an action item priority"),
    "notification kind": N_("a notification kind"),
}

#: What a message calls the value of a field whose name is an abbreviation.
_NOUNS = {"lang": "language", "timezone": "time zone"}

_SLUG_PATTERN = "^[a-z0-9][a-z0-9-]*$"
#: Counts that messages write in words; one is in the message itself, which says "one …"
#: with the gender its language gives the item.
_NUMBER_WORDS = {2: N_("two"), 3: N_("three")}


def rank(error: ErrorDetails) -> int:
    """Rank an error of one union branch: a broken constraint says more than a wrong type."""
    kind = error["type"]
    if kind not in _LIBRARY_ERRORS or kind == "finite_number":
        # The record's own validators, and a NaN or infinity: the most precise words.
        return 0
    if kind.endswith(("_type", "_parsing")):
        # A number is the widest of the numeric branches.
        return 2 if kind.startswith("float") else 3
    return 1


def describe(loc: tuple, error: ErrorDetails) -> str:
    """Say in words for a record author what the model refuses at loc."""
    kind = error["type"]
    if kind == "extra_forbidden":
        name = loc[-1]
        allowed = _fields_at(loc[:-1])
        hint = difflib.get_close_matches(str(name), allowed, n=1)
        shown = quoted(str(name))
        if name == "ongoing" and loc[:1] == ("impacts",):
            return _("unknown field {name}: since format 2 an impact says how it ended with "
                     "'outcome'; write 'outcome: ongoing' for 'ongoing: true', and remove "
                     "'ongoing: false'", name=shown)
        if hint:
            return _("unknown field {name}; did you mean {hint!r}?", name=shown, hint=hint[0])
        if allowed:
            return _("unknown field {name} (allowed: {allowed})", name=shown,
                     allowed=", ".join(allowed))
        return _("unknown field {name}", name=shown)
    if kind == "missing":
        description = _description(loc)
        if description:
            # The description is the model's documentation, which stays in English.
            return _("missing required field {name!r}: {description}", name=loc[-1],
                     description=_sentence(description))
        return _("missing required field {name!r}", name=loc[-1])
    return _describe_value(loc, error)


def _describe_value(loc: tuple, error: ErrorDetails) -> str:
    """Say in words for a record author what is wrong with the value at loc."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    name = _field_name(loc)
    if kind not in _LIBRARY_ERRORS:
        return error["msg"]
    if kind in ("literal_error", "enum"):
        return _not_one_of(loc, value, _allowed_values(loc, ctx))
    if value is None and kind in _EMPTY_ADVICE:
        # `key:` with nothing after it: say what to write rather than what was found.
        info = _field_info(loc)
        optional = info is not None and not info.is_required() and not isinstance(loc[-1], int)
        advice = _(_EMPTY_ADVICE[kind])
        if optional:
            return _("{name} is empty: {advice}, or remove the line", name=name, advice=advice)
        return _("{name} is empty: {advice}", name=name, advice=advice)
    found = _describe(value)
    if kind in ("string_type", "string_sub_type", "string_unicode"):
        if isinstance(value, int | float):
            return _("{name} must be text, found {found}: put it in quotes",
                     name=name, found=found)
        return _("{name} must be text, found {found}", name=name, found=found)
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return _("{name} must be a whole number (e.g. 3), found {found}", name=name, found=found)
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing"):
        return _("{name} must be a number (e.g. 3 or 2.5), found {found}",
                 name=name, found=found)
    if kind == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
        return _("{name} must be a finite number, found {found}", name=name, found=found)
    if kind in ("bool_type", "bool_parsing"):
        return _("{name} must be true or false (written as the plain words true or false "
                 "in YAML), found {found}", name=name, found=found)
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return _("{name} must be a list, found {found}: for a single item write [{item}]",
                     name=name, found=found, item=shorten(str(value)))
        return _("{name} must be a list, found {found}: write each item on its own line "
                 "after '- '", name=name, found=found)
    if kind in ("model_type", "dict_type", "model_attributes_type", "dataclass_type"):
        return _("{name} must be a mapping of fields ('key: value' lines indented under it), "
                 "found {found}", name=name, found=found)
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _SLUG_PATTERN:
            return _("{found} is not a valid id: an id is lowercase letters, digits and "
                     "hyphens, e.g. 'db-failover'", found=found)
        if ctx.get("pattern") == LANGUAGE_TAG_PATTERN:
            return _("{found} is not a language code: write a short code such as 'en', 'fr' "
                     "or 'de' (or 'pt-BR')", found=found)
        return _("{name} does not have the expected form, found {found}", name=name,
                 found=found)
    if kind == "string_too_short":
        return _("{name} must not be empty", name=name)
    if kind == "string_too_long":
        return _("{name} is too long: keep it under {limit} characters", name=name,
                 limit=ctx.get("max_length"))
    if kind in ("too_short", "too_long"):
        count = int(ctx.get("min_length" if kind == "too_short" else "max_length") or 1)
        items = _counted_items(loc, count)
        if kind == "too_short":
            return _("give at least {items}", items=items)
        return _("give at most {items}", items=items)
    bounds = {
        "greater_than_equal": ("ge", N_("{name} must be {limit} or more, found {found}")),
        "greater_than": ("gt", N_("{name} must be more than {limit}, found {found}")),
        "less_than_equal": ("le", N_("{name} must be {limit} or less, found {found}")),
        "less_than": ("lt", N_("{name} must be less than {limit}, found {found}")),
    }
    if kind in bounds:
        key, message = bounds[kind]
        return _(message, name=name, limit=_number(ctx.get(key)), found=found)
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    description = _description(loc)
    if description:
        return _("{name} cannot be {found} (it is: {description})", name=name, found=found,
                 description=_sentence(description))
    return _("{name} cannot be {found}", name=name, found=found)


def _not_one_of(loc: tuple, value: object, allowed: list[str]) -> str:
    """Say that a value is not one of the allowed ones, with a suggestion."""
    noun = _enum_noun(loc)
    # A noun that the table lacks (a field added to the model) is still said, in English.
    phrase = ENUM_NOUNS.get(noun) or f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
    table = _MEANINGS.get(next((part for part in reversed(loc) if isinstance(part, str)), ""))
    if table is not None and set(allowed) <= set(table):
        values = meanings({v: table[v] for v in allowed})
    else:
        values = ", ".join(allowed)
    if value is None:
        return _("give {noun}. Use one of: {values}", noun=_(phrase), values=values)
    hint = (difflib.get_close_matches(value.lower(), allowed, n=1, cutoff=0.5)
            if isinstance(value, str) else [])
    if hint:
        return _("{found} is not {noun}; did you mean {hint!r}? Use one of: {values}",
                 found=_describe(value), noun=_(phrase), hint=hint[0], values=values)
    return _("{found} is not {noun}. Use one of: {values}", found=_describe(value),
             noun=_(phrase), values=values)


def _allowed_values(loc: tuple, ctx: dict) -> list[str]:
    """Return the values an enumerated field takes, from the model (or the error's context)."""
    info = _field_info(loc)
    if info is not None:
        values = _literal_values(info.annotation)
        if values:
            return values
    expected = str(ctx.get("expected", ""))
    return [part.strip(" '") for part in expected.replace(" or ", ", ").split(",") if part]


def _literal_values(annotation: object) -> list[str]:
    """Find the values of a Literal inside Optional[...], list[...] and Annotated[...]."""
    if typing.get_origin(annotation) is typing.Literal:
        return [str(value) for value in typing.get_args(annotation)]
    for arg in typing.get_args(annotation):
        values = _literal_values(arg)
        if values:
            return values
    return []


def _enum_noun(loc: tuple) -> str:
    """Name what an enumerated value is, e.g. 'timeline kind' or 'audience'."""
    names = [part for part in loc if isinstance(part, str)]
    if not names:
        return "value"
    if names[-1] in _NOUNS:
        return _NOUNS[names[-1]]
    if isinstance(loc[-1], int):
        return _item_name((names[-1],), 1)
    field = names[-1].replace("_", " ")
    if len(names) == 1 or names[-1] in _MEANINGS:
        return field
    owner = names[-2]
    owner_name = owner if owner == "timeline" else _item_name((owner,), 1)
    return f"{owner_name} {field}"


def _counted_items(loc: tuple, count: int) -> str:
    """Count the items of the list at loc in words: 'one timeline entry', 'two impacts'."""
    names = [part for part in loc if isinstance(part, str)]
    field = names[-1] if names else "item"
    number = _(_NUMBER_WORDS[count]) if count in _NUMBER_WORDS else str(count)
    # Each list with a bound on its length has its words here, so that every language
    # can give the item its gender and its plural.
    if field == "timeline":
        return ngettext("one timeline entry", "{number} timeline entries", count, number=number)
    if field == "impacts":
        return ngettext("one impact", "{number} impacts", count, number=number)
    if field == "audience":
        return ngettext("one audience", "{number} audience", count, number=number)
    if field == "claims":
        return ngettext("one claim", "{number} claims", count, number=number)
    english = "one" if count == 1 else number
    return f"{english} {_item_name(loc, count)}"


def _item_name(loc: tuple, count: object) -> str:
    """Name one item (or several) of the list at loc: 'claim', 'timeline entries'."""
    names = [part for part in loc if isinstance(part, str)]
    field = names[-1] if names else "item"
    single = _ITEM_NAMES.get(field) or (field[:-1] if field.endswith("s") else field)
    single = single.replace("_", " ")
    if count == 1:
        return single
    if single.endswith("y") and not single.endswith("ey"):
        return single[:-1] + "ies"
    return single if single == "audience" else single + "s"


def _field_name(loc: tuple) -> str:
    """Return the name of the field at loc, or say which list an item is of."""
    names = [part for part in loc if isinstance(part, str)]
    if not names:
        return _("the record")
    if isinstance(loc[-1], int):
        return _("each item of {field}", field=names[-1])
    return names[-1]


def _field_info(loc: tuple) -> FieldInfo | None:
    """Return the model's field at loc, if there is one."""
    found = _field_at(loc)
    return found[1].model_fields[found[0]] if found else None


def _description(loc: tuple) -> str | None:
    """Return the model's description of the field at loc, if it has one."""
    found = _field_at(loc)
    return field_description(found[1], found[0]) if found else None


def _field_at(loc: tuple) -> tuple[str, type[BaseModel]] | None:
    """Return the name of the field at loc and the model it belongs to."""
    model: object = Incident
    found: tuple[str, type[BaseModel]] | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(str(part))
        if info is None:
            return None
        found = (str(part), model)
        model = _model_of(info.annotation)
    return found


def _fields_at(loc: tuple) -> list[str]:
    """Return the field names allowed in the mapping at `loc`, for suggestions."""
    model: object = Incident
    for part in loc:
        if isinstance(part, int):
            continue
        if (
            not (isinstance(model, type) and issubclass(model, BaseModel))
            or part not in model.model_fields
        ):
            return []
        model = _model_of(model.model_fields[part].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return fields_in_order(model)
    return []


def _model_of(annotation: object) -> object:
    """Find the model class inside list[...], Optional[...] and Annotated[...] annotations."""
    for _depth in range(5):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if not args:
            return annotation
        annotation = args[0]
        if isinstance(annotation, types.GenericAlias):
            inner = typing.get_args(annotation)
            annotation = inner[0] if inner else annotation
    return annotation


def _sentence(description: str) -> str:
    """Return a field's description as a clause: its first sentence, without the final stop."""
    return description.split("\n")[0].rstrip(".")


def _number(value: object) -> str:
    """Write a bound as people do: 100, not 100.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _describe(value: object) -> str:
    """Say what a value is, for a message: 'the number 3', 'a list', 'it was'."""
    if value is None:
        return _("nothing (an empty value)")
    if isinstance(value, bool):
        return _("the boolean {value}", value=str(value).lower())
    if isinstance(value, int | float):
        return _("the number {value}", value=shorten(_number(value)))
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, str):
        return quoted(value)
    return _("a value of another kind")
