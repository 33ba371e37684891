"""Walk the nested mappings and lists of a loaded or dumped record."""

from __future__ import annotations

from collections.abc import Iterator


def walk(value: object, loc: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """Yield (location, value) for the value and everything inside it, parents first."""
    yield loc, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, loc + (index,))
