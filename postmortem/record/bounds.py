"""Refuse values past the limits of `limits.py`: long lists and texts, heavy Markdown, images
that may not be embedded, numbers too large to count with.

One pass over the loaded values, whatever field they are in, so that a field added to
the model is bounded without being named here; only the timeline and communications,
which a long incident fills, have caps of their own. Numbers are bounded by the model
(`number_problem`, through the type of each numeric field), since YAML may give them as
text (`1e308`) that only the model reads as a number.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from postmortem.i18n import _
from postmortem.record.echo import number
from postmortem.record.images import check_text_images, image_data_length
from postmortem.record.limits import (
    MAX_COMMUNICATIONS,
    MAX_DIGITS,
    MAX_INTEGER,
    MAX_LIST,
    MAX_NESTING,
    MAX_QUANTITY,
    MAX_TEXT,
    MAX_TIMELINE,
    figure,
)
from postmortem.record.markup import markdown_problem, markdown_within

Found = Iterator[tuple[tuple, str]]

#: Lists of the record with a cap of their own, by location.
_LIST_LIMITS = {("timeline",): MAX_TIMELINE, ("communications",): MAX_COMMUNICATIONS}



def _has_data_address(text: str) -> bool:
    """Tell whether text holds a `data:` address (any case), which may embed an image.

    Looking at the few colons of a text is much cheaper than a case-blind search.
    """
    colon = text.find(":", 4)
    while colon != -1:
        if text[colon - 4:colon].lower() == "data":
            return True
        colon = text.find(":", colon + 1)
    return False


def check_bounds(data: object) -> Found:
    """Yield (location, message) for every value of the loaded record past a limit."""
    if _within(data):
        return  # the common case, proved without building a location for every value
    pending: list[tuple[tuple, object]] = [((), data)]
    while pending:
        loc, value = pending.pop()
        if isinstance(value, str):
            message = text_problem(value)
            if message is not None:
                yield loc, message
        elif isinstance(value, dict):
            pending.extend((loc + (key,), item) for key, item in value.items())
        elif isinstance(value, list):
            limit = _LIST_LIMITS.get(loc, MAX_LIST)
            if len(value) > limit:
                yield loc, _("{count} entries; the limit is {limit} entries",
                             count=figure(len(value)), limit=figure(limit))
            pending.extend((loc + (index,), item) for index, item in enumerate(value))


def _within(data: object) -> bool:
    """Tell quickly whether every value of the record is within the limits."""
    if not isinstance(data, dict):
        return _value_within(data)
    for key, item in data.items():
        if isinstance(item, list):
            if len(item) > _LIST_LIMITS.get((key,), MAX_LIST):
                return False
            for entry in item:
                if not _value_within(entry):
                    return False
        elif not _value_within(item):
            return False
    return True


def _value_within(value: object) -> bool:
    """Tell quickly whether a value inside the record, and all it holds, is within the limits."""
    if isinstance(value, str):
        # Most texts are short prose: the cheap checks prove them within the limits.
        length = len(value)
        if length <= MAX_NESTING:
            return True
        if (length > MAX_TEXT or not markdown_within(value)
                or (":" in value and _has_data_address(value))):
            return text_problem(value) is None
        return True
    if isinstance(value, dict):
        for item in value.values():  # noqa: SIM110 (a loop is faster than all())
            if not _value_within(item):
                return False
        return True
    if isinstance(value, list):
        if len(value) > MAX_LIST:
            return False
        for item in value:  # noqa: SIM110
            if not _value_within(item):
                return False
        return True
    return True


def text_problem(text: str) -> str | None:
    """Return why a text passes a limit (the words after its field), or None."""
    if len(text) <= MAX_NESTING:
        return None  # too short to nest past the limit, or to hold a table or an image
    images = _has_data_address(text)
    if len(text) > MAX_TEXT:
        # An embedded image is bounded by its own limit, not by the text's.
        length = len(text) - (image_data_length(text) if images else 0)
        if length > MAX_TEXT:
            return _("{count} characters; the limit is {limit} characters",
                     count=figure(length), limit=figure(MAX_TEXT))
    if images:
        reason = check_text_images(text)
        if reason is not None:
            return reason
    return markdown_problem(text)


def number_problem(loc: tuple, value: int | float) -> str | None:
    """Say why a number is too large or too precise to count with, or None.

    A quantity's or a progress entry's `value` (loc ending in "value") has its own bound;
    every other number is a count.
    """
    if value < 0 or (isinstance(value, float) and not math.isfinite(value)):
        return None  # the model refuses these with its own words
    if loc[-1:] != ("value",):
        # A count (site_count and any other whole number).
        if value > MAX_INTEGER:
            return _("{value} is too large; the limit is {limit}", value=number(value),
                     limit=figure(MAX_INTEGER))
        return None
    # The value of a quantity or of a progress entry.
    if value >= MAX_QUANTITY:
        return _("{value} is too large; the limit is {limit}", value=number(value),
                 limit=figure(MAX_QUANTITY - 1))
    if isinstance(value, float):
        digits = len(repr(value).split("e")[0].replace(".", "").strip("0"))
        if digits > MAX_DIGITS:
            return _("{value!r} has {digits} significant digits; the limit is {limit} "
                     "digits", value=value, digits=digits, limit=MAX_DIGITS)
    return None
