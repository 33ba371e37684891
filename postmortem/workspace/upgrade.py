"""Read records written in an older format version, and rewrite their files in the current one.

Format versions (`schema_version`):

- 0 — the pre-release format: the key instants were under `instants` and the action
  items under `action_items`; everything else is as in version 1.
- 1 — the current format (`postmortem.record.model.SCHEMA_VERSION`).

Each step of the upgrade path is a function that takes the data of a record of one
version and returns it as the next version; MIGRATIONS registers it under the version it
starts from. A record is read by applying the steps in order before it is validated, so
every command reads older records. `postmortem upgrade FILE` rewrites the file itself:
line by line rather than by dumping YAML, so that comments and layout survive.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from postmortem.errors import RecordError
from postmortem.record.load import Document, load_bytes, load_file
from postmortem.record.model import SCHEMA_VERSION
from postmortem.workspace.write import write_atomic

#: Top-level keys each step renames, by the version it starts from. The text rewrite of
#: `postmortem upgrade` and the positions of errors in an older record follow them; a
#: future step that changes more than key names needs its own text rewrite as well.
RENAMED_KEYS: dict[int, dict[str, str]] = {
    0: {"instants": "key_instants", "action_items": "actions"},
}

# YAML line breaks, as the loader counts lines.
_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029]|$)")


class UpgradeError(Exception):
    """Raised when a record file cannot be rewritten faithfully in the current version."""


def _from_version_0(data: dict) -> dict:
    """Rename `instants` and `action_items` to `key_instants` and `actions`."""
    return _rename_keys(data, RENAMED_KEYS[0])


#: version -> function returning a record of that version as the next version.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {
    0: _from_version_0,
}
OLDEST_VERSION = min(MIGRATIONS, default=SCHEMA_VERSION)


def is_readable(version: object) -> bool:
    """Return whether a record of this schema_version can be read, upgraded if need be."""
    return type(version) is int and OLDEST_VERSION <= version <= SCHEMA_VERSION


def upgrade_data(data: dict) -> dict:
    """Return a record's data in the current version, applying each step from its version."""
    version = data["schema_version"]
    while version < SCHEMA_VERSION:
        data = {**MIGRATIONS[version](data), "schema_version": version + 1}
        version += 1
    return data


def upgrade_document(document: Document) -> Document:
    """Return a loaded record in the current version, its positions following renamed keys."""
    version = document.data["schema_version"]
    if version == SCHEMA_VERSION:
        return document
    renames = {old: new for old, new in _final_names(version).items()
               if new not in document.data}
    return Document(
        document.path,
        upgrade_data(document.data),
        {_renamed(loc, renames): position for loc, position in document.positions.items()},
        {_renamed(loc, renames): position for loc, position in document.key_positions.items()},
    )


def upgrade_file(path: str | os.PathLike) -> int | None:
    """Rewrite an older record file in the current version; return its old version, or None."""
    from postmortem.record.validate import (
        validate_document,  # validation itself reads through this module
    )

    path = Path(path)
    document = load_file(path)
    # Refuses newer and unknown versions, and any record that is not valid once upgraded.
    validate_document(document)
    version = document.data["schema_version"]
    if version == SCHEMA_VERSION:
        return None
    raw = path.read_bytes()
    rewritten = upgrade_text(raw, document)
    # Never replace a record by something that reads differently from what it meant.
    result = load_bytes(rewritten, str(path))
    if result.data != upgrade_data(document.data):
        raise UpgradeError(f"{path}: the file cannot be rewritten line by line; rename the keys "
                           "by hand: " + ", ".join(f"{old} → {new}" for old, new in
                                                   _final_names(version).items()))
    try:
        validate_document(result)
    except RecordError as exc:
        raise UpgradeError(f"{path}: the rewritten record would not be valid:\n{exc}") from None
    write_atomic(path, rewritten, mode=path.stat().st_mode & 0o777)
    return version


def upgrade_text(raw: bytes, document: Document) -> bytes:
    """Return the file's bytes with the keys renamed and schema_version set to the current one."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    lines = _LINE.findall(raw[len(bom):].decode("utf-8"))
    edits = []  # (line, column, old text, new text), 1-based as the loader gives them
    for old, new in _final_names(document.data["schema_version"]).items():
        if (old,) in document.key_positions:
            edits.append((*document.key_positions[(old,)], old, new))
    line, column = document.positions[("schema_version",)]
    edits.append((line, column, str(document.data["schema_version"]), str(SCHEMA_VERSION)))
    # From the end of each line backwards, so that an edit does not move the next one.
    for line, column, old, new in sorted(edits, reverse=True):
        text = lines[line - 1]
        start = column - 1
        if text[start:start + 1] in ("'", '"'):
            start += 1  # a quoted key: rename inside the quotes
        if text[start:start + len(old)] != old:
            raise UpgradeError(f"{document.path}:{line}:{column}: expected {old!r} here")
        lines[line - 1] = text[:start] + new + text[start + len(old):]
    return bom + "".join(lines).encode("utf-8")


def _final_names(version: int) -> dict[str, str]:
    """Return the current name of each top-level key a record of `version` may hold."""
    names: dict[str, str] = {}
    while version < SCHEMA_VERSION:
        for old, new in RENAMED_KEYS.get(version, {}).items():
            originals = [key for key, current in names.items() if current == old] or [old]
            for original in originals:
                names[original] = new
        version += 1
    return names


def _renamed(loc: tuple, renames: dict[str, str]) -> tuple:
    if loc and loc[0] in renames:
        return (renames[loc[0]],) + loc[1:]
    return loc


def _rename_keys(data: dict, renames: dict[str, str]) -> dict:
    """Rename top-level keys in place of the old ones, keeping the order of the record."""
    # A record that already holds the new name keeps both, and validation names the extra.
    return {(renames[key] if key in renames and renames[key] not in data else key): value
            for key, value in data.items()}
