"""The fields' documentation: each field's docstring, read from the model's source on demand.

A record is validated without it. Reading every class's source when the model is built
(pydantic's `use_attribute_docstrings`) cost about 0.2 s on every command. The JSON
Schema, and the messages that quote what a field is, ask for it here instead, once.

A docstring is the string written right below a field's annotation, as pydantic reads it.
A field inherited without being declared again keeps its declaring class's docstring.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from collections.abc import Sequence

from pydantic import BaseModel


def field_description(owner: type[BaseModel], name: str) -> str | None:
    """Return the description of field `name` of `owner`: its `description=`, or its docstring."""
    info = owner.model_fields.get(name)
    if info is None:
        return None
    if info.description:
        return info.description
    declaring = next((cls for cls in owner.__mro__
                      if name in getattr(cls, "__annotations__", {})), owner)
    return _class_docstrings(declaring.__module__).get(declaring.__qualname__, {}).get(name)


def document_models(models: Sequence[type[BaseModel]]) -> None:
    """Give every field of `models` its docstring as description, and rebuild their schemas.

    `models` are rebuilt in the order given, so a model must come after those it holds.
    """
    for model in models:
        for name, info in model.model_fields.items():
            if not info.description:
                info.description = field_description(model, name)
        model.model_rebuild(force=True)


@functools.cache
def _class_docstrings(module: str) -> dict[str, dict[str, str]]:
    """Map each top-level class of `module` to its fields' docstrings."""
    tree = ast.parse(inspect.getsource(sys.modules[module]))
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        docstrings = found.setdefault(node.name, {})
        for statement, following in zip(node.body, node.body[1:], strict=False):
            if (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                    and isinstance(following, ast.Expr)
                    and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                docstrings[statement.target.id] = inspect.cleandoc(following.value.value)
    return found
