"""Read records written in an older format version: the steps from each version to the next.

Format versions (`schema_version`):

- 0 — the pre-release format: the key instants were under `instants` and the action
  items under `action_items`; everything else is as in version 1.
- 1 — the first released format. An impact that had not ended said `ongoing: true`
  (and `ongoing: false` said nothing more than the default).
- 2 — the current format (`postmortem.record.model.SCHEMA_VERSION`): an impact says how it
  ended with `outcome` (`ongoing: true` becomes `outcome: ongoing`, `ongoing: false` is
  dropped); instants may be a day, a month or relative to another instant; facts carry a
  confidence; quantities, data loss and richer action items and promises. Nothing else
  changes meaning: an action item of version 1 without a status, priority or due date
  keeps none, which version 2 reads as "not stated".

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
#: `postmortem upgrade` and the positions of errors in an older record follow them; the
#: step from version 1 changes an impact's `ongoing` instead, and has its own rewrite.
RENAMED_KEYS: dict[int, dict[str, str]] = {
    0: {"instants": "key_instants", "action_items": "actions"},
}


def _from_version_0(data: dict) -> dict:
    """Rename `instants` and `action_items` to `key_instants` and `actions`."""
    return _rename_keys(data, RENAMED_KEYS[0])


def _from_version_1(data: dict) -> dict:
    """Write each impact's `ongoing: true` as `outcome: ongoing` and drop `ongoing: false`."""
    impacts = data.get("impacts")
    if not isinstance(impacts, list):
        return data
    return {**data, "impacts": [_impact_outcome(impact) for impact in impacts]}


def _impact_outcome(impact: object) -> object:
    """Return an impact of version 1 as version 2 (see _from_version_1)."""
    # Anything else (not a mapping, a value that is not a boolean, an impact that also
    # has an outcome) is left for validation to name.
    if not isinstance(impact, dict) or "outcome" in impact:
        return impact
    ongoing = impact.get("ongoing")
    if ongoing is True:
        return {("outcome" if key == "ongoing" else key): ("ongoing" if key == "ongoing" else value)
                for key, value in impact.items()}
    if ongoing is False or ("ongoing" in impact and ongoing is None):
        # An empty `ongoing:` says nothing either; a value the loader refused (`ongoing: yes`)
        # is read as None too, and its problem is reported where it is.
        return {key: value for key, value in impact.items() if key != "ongoing"}
    return impact


#: version -> function returning a record of that version as the next version.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {
    0: _from_version_0,
    1: _from_version_1,
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
    """Return a loaded record in the current version, its positions following what moved."""
    version = document.data["schema_version"]
    if version == SCHEMA_VERSION:
        return document
    renames = {old: new for old, new in final_names(version).items()
               if new not in document.data}
    data = upgrade_data(document.data)
    moved = {loc: current_loc(loc, renames, version, data) for loc in document.positions}
    return Document(
        document.path,
        data,
        {moved[loc]: position for loc, position in document.positions.items()},
        {moved.get(loc, loc): position for loc, position in document.key_positions.items()},
        document.problems,
        tuple(current_loc(loc, renames, version, data) for loc in document.emptied),
    )


def current_loc(loc: tuple, renames: dict[str, str], version: int, data: dict) -> tuple:
    """Return where a value at `loc` of a record of `version` is in its upgraded `data`."""
    loc = _renamed(loc, renames)
    # Version 1's `ongoing: true` is version 2's `outcome: ongoing`, at the same place; a
    # dropped `ongoing` (false, or a value the loader refused) moves there too.
    if (version <= 1 and len(loc) >= 3 and loc[0] == "impacts" and loc[2] == "ongoing"
            and isinstance(data.get("impacts"), list) and isinstance(loc[1], int)
            and 0 <= loc[1] < len(data["impacts"])):
        impact = data["impacts"][loc[1]]
        if isinstance(impact, dict) and "ongoing" not in impact:
            return loc[:2] + ("outcome",) + loc[3:]
    return loc


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
