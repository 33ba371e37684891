"""Read records written in an older format version: the steps from each version to the next.

Format versions (`schema_version`):

- 0 — the pre-release format: the key instants were under `instants` and the action
  items under `action_items`; everything else is as in version 1.
- 1 — the current format (`postmortem.record.model.SCHEMA_VERSION`).

Each step of the upgrade path is a function that takes the data of a record of one
version and returns it as the next version; MIGRATIONS registers it under the version it
starts from. A record is read by applying the steps in order before it is validated, so
every command reads older records; `postmortem upgrade FILE`
(`postmortem.workspace.upgrade`) rewrites the file itself.
"""

from __future__ import annotations

from collections.abc import Callable

from postmortem.record.load import Document
from postmortem.record.model import SCHEMA_VERSION

#: Top-level keys each step renames, by the version it starts from. The text rewrite of
#: `postmortem upgrade` and the positions of errors in an older record follow them; a
#: future step that changes more than key names needs its own text rewrite as well.
RENAMED_KEYS: dict[int, dict[str, str]] = {
    0: {"instants": "key_instants", "action_items": "actions"},
}

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
    renames = {old: new for old, new in final_names(version).items()
               if new not in document.data}
    return Document(
        document.path,
        upgrade_data(document.data),
        {_renamed(loc, renames): position for loc, position in document.positions.items()},
        {_renamed(loc, renames): position for loc, position in document.key_positions.items()},
    )


def final_names(version: int) -> dict[str, str]:
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
