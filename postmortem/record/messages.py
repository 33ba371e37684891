"""The model's refusals in words for a record author, never the validation library's.

Each message names the field, says what is wrong with the value, and what to write
instead: "did you mean" for misspelt names and enumerated values, the meanings of
taxonomy categories, outcomes and confidences, and the field's own description for a
missing field.
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

from postmortem.record.checks import meanings
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
    "string_type": "write the text after the ':'",
    "int_type": "write a whole number after the ':'",
    "float_type": "write a number after the ':'",
    "bool_type": "write true or false after the ':'",
    "list_type": "write its items on the lines below, each after '- ' and indented",
    "model_type": "write its fields on the lines below, as 'key: value' lines indented under it",
    "dict_type": "write its fields on the lines below, as 'key: value' lines indented under it",
}

#: What a message calls the value of a field whose name is an abbreviation.
_NOUNS = {"lang": "language", "timezone": "time zone"}

_SLUG_PATTERN = "^[a-z0-9][a-z0-9-]*$"
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}


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
        message = f"unknown field {quoted(str(name))}" + (
            f"; did you mean {hint[0]!r}?" if hint else "")
        if name == "ongoing" and loc[:1] == ("impacts",):
            message += (": since format 2 an impact says how it ended with 'outcome'; write "
                        "'outcome: ongoing' for 'ongoing: true', and remove 'ongoing: false'")
        elif allowed and not hint:
            message += f" (allowed: {', '.join(allowed)})"
        return message
    if kind == "missing":
        message = f"missing required field {loc[-1]!r}"
        info = _field_info(loc)
        if info is not None and info.description:
            message += f": {_sentence(info.description)}"
        return message
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
        return f"{name} is empty: {_EMPTY_ADVICE[kind]}" + (
            ", or remove the line" if optional else "")
    if kind in ("string_type", "string_sub_type", "string_unicode"):
        return f"{name} must be text, found {_describe(value)}" + (
            ": put it in quotes" if isinstance(value, int | float) else "")
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return f"{name} must be a whole number (e.g. 3), found {_describe(value)}"
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing"):
        return f"{name} must be a number (e.g. 3 or 2.5), found {_describe(value)}"
    if kind == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
        return f"{name} must be a finite number, found {_describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return (f"{name} must be true or false (written as the plain words true or false "
                f"in YAML), found {_describe(value)}")
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        message = f"{name} must be a list, found {_describe(value)}"
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            message += f": for a single item write [{shorten(str(value))}]"
        else:
            message += ": write each item on its own line after '- '"
        return message
    if kind in ("model_type", "dict_type", "model_attributes_type", "dataclass_type"):
        return (f"{name} must be a mapping of fields ('key: value' lines indented under it), "
                f"found {_describe(value)}")
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _SLUG_PATTERN:
            return (f"{_describe(value)} is not a valid id: an id is lowercase letters, digits "
                    "and hyphens, e.g. 'db-failover'")
        if ctx.get("pattern") == LANGUAGE_TAG_PATTERN:
            return (f"{_describe(value)} is not a language code: write a short code such as "
                    "'en', 'fr' or 'de' (or 'pt-BR')")
        return f"{name} does not have the expected form, found {_describe(value)}"
    if kind == "string_too_short":
        return f"{name} must not be empty"
    if kind == "string_too_long":
        return f"{name} is too long: keep it under {ctx.get('max_length')} characters"
    if kind in ("too_short", "too_long"):
        count = int(ctx.get("min_length" if kind == "too_short" else "max_length") or 1)
        least = "at least" if kind == "too_short" else "at most"
        return f"give {least} {_NUMBER_WORDS.get(count, str(count))} {_item_name(loc, count)}"
    bounds = {"greater_than_equal": ("ge", "or more"), "greater_than": ("gt", "more than"),
              "less_than_equal": ("le", "or less"), "less_than": ("lt", "less than")}
    if kind in bounds:
        key, words = bounds[kind]
        limit = _number(ctx.get(key))
        wanted = f"{limit} {words}" if words.startswith("or") else f"{words} {limit}"
        return f"{name} must be {wanted}, found {_describe(value)}"
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    info = _field_info(loc)
    expected = (f" (it is: {_sentence(info.description)})"
                if info is not None and info.description else "")
    return f"{name} cannot be {_describe(value)}{expected}"


def _not_one_of(loc: tuple, value: object, allowed: list[str]) -> str:
    """Say that a value is not one of the allowed ones, with a suggestion."""
    noun = _enum_noun(loc)
    article = "an" if noun[:1] in "aeiou" else "a"
    message = (f"give {article} {noun}" if value is None
               else f"{_describe(value)} is not {article} {noun}")
    hint = (difflib.get_close_matches(value.lower(), allowed, n=1, cutoff=0.5)
            if isinstance(value, str) else [])
    message += f"; did you mean {hint[0]!r}? " if hint else ". "
    table = _MEANINGS.get(next((part for part in reversed(loc) if isinstance(part, str)), ""))
    if table is not None and set(allowed) <= set(table):
        return f"{message}Use one of: {meanings({v: table[v] for v in allowed})}"
    return f"{message}Use one of: {', '.join(allowed)}"


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
        return "the record"
    return f"each item of {names[-1]}" if isinstance(loc[-1], int) else names[-1]


def _field_info(loc: tuple) -> FieldInfo | None:
    """Return the model's description of the field at loc, if it has one."""
    model: object = Incident
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(str(part))
        if info is None:
            return None
        model = _model_of(info.annotation)
    return info


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
    for _ in range(5):
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
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {shorten(_number(value))}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return quoted(value)
    return "a value of another kind"
