"""The instants of a record that relative instants may follow, read before validation."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postmortem.record.instants import (
    KEY_INSTANT_NAMES,
    InstantError,
    UnknownAnchorError,
    When,
    parse_when,
)


def validation_context(data: object) -> dict:
    """Return the record's zone and named instants, for the validation of its instants.

    `anchors` maps each key instant name and timeline entry id to its instant, relative
    ones resolved after the instants they follow; `unresolved` names the ones that could
    not be read (invalid, or in a cycle), which the field validators report.
    """
    zone = _zone(data)
    texts = _anchor_texts(data)
    anchors: dict[str, When] = {}
    pending = dict(texts)
    progressed = True
    while pending and progressed:
        progressed = False
        for name, text in list(pending.items()):
            try:
                anchors[name] = parse_when(text, zone, anchors)
            except UnknownAnchorError as exc:
                if exc.name in pending and exc.name != name:
                    continue  # it may be read on a later pass, once what it follows is
                del pending[name]
                continue
            except InstantError:
                del pending[name]
                continue
            del pending[name]
            progressed = True
    return {"zone": zone, "anchors": anchors, "unresolved": frozenset(texts) - set(anchors)}


def _zone(data: object) -> str | None:
    name = data.get("timezone") if isinstance(data, Mapping) else None
    if not isinstance(name, str):
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _anchor_texts(data: object) -> dict[str, str]:
    """Return the text of each named instant; the first of two with one name wins."""
    texts: dict[str, str] = {}
    if not isinstance(data, Mapping):
        return texts
    key_instants = data.get("key_instants")
    if isinstance(key_instants, Mapping):
        for name in KEY_INSTANT_NAMES:
            entry = key_instants.get(name)
            if isinstance(entry, Mapping) and isinstance(entry.get("at"), str):
                texts[name] = entry["at"]
    timeline = data.get("timeline")
    if isinstance(timeline, list):
        for entry in timeline:
            if not isinstance(entry, Mapping):
                continue
            entry_id, text = entry.get("id"), entry.get("at")
            if isinstance(entry_id, str) and isinstance(text, str):
                texts.setdefault(entry_id, text)
    return texts
