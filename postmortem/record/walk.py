"""Walk a record: the nested mappings and lists of loaded data, or the models of a valid one."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel


def walk(value: object, loc: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """Yield (location, value) for the value and everything inside it, parents first."""
    yield loc, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, loc + (index,))


def entries_named(data: object, names: frozenset[str]) -> list[tuple[tuple, object]]:
    """Return (location, value) for every mapping entry inside `data` whose key is in `names`.

    In the order `walk` meets them; much faster than filtering `walk`, for a record's checks.
    """
    found: list[tuple[tuple, object]] = []
    _collect(data, names, (), found)
    return found


def _collect(value: object, names: frozenset[str], loc: tuple,
             found: list[tuple[tuple, object]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            here = loc + (key,)
            if key in names:
                found.append((here, item))
            if isinstance(item, dict | list):
                _collect(item, names, here, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict | list):
                _collect(item, names, loc + (index,), found)


def walk_model(value: object, loc: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """Yield (location, value) for a validated record and every field inside it, parents first."""
    yield loc, value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from walk_model(getattr(value, name), loc + (name,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_model(item, loc + (key,))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from walk_model(item, loc + (index,))
