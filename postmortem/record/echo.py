"""Show a value of the record in a message: recognisable, never longer than MAX_ECHO."""

from __future__ import annotations

from collections.abc import Iterable

from postmortem.i18n import _
from postmortem.record.limits import MAX_ECHO, figure


def shorten(text: str, limit: int = MAX_ECHO) -> str:
    """Return text cut to `limit` characters, the cut marked with '…'."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(text: str) -> str:
    """Return text shortened and in quotes, as a message echoes a value: 'it was'."""
    return repr(shorten(text))


def number(value: int | float) -> str:
    """Write a number with thousands grouped as the reader's language does, shortened."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e60:
        value = int(value)
    return shorten(figure(value) if isinstance(value, int) else f"{value:,}")


def listing(names: Iterable[str], most: int = 10) -> str:
    """List names for a message, the first `most` of them, each shortened."""
    names = list(names)
    shown = ", ".join(shorten(name) for name in names[:most])
    if len(names) <= most:
        return shown
    return _("{names}, … ({count} more)", names=shown, count=figure(len(names) - most))
