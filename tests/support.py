"""What tests share besides fixtures: where the records are, how to read their text."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = Path(__file__).resolve().parent / "records"
APHP = ROOT / "incidents" / "2024-08-03-aphp-datacenter-power-outage.yaml"

# Stamps and durations are tied with no-break (U+00A0) and narrow no-break (U+202F) spaces,
# and a range breaks after its dash at a thin space (U+2009); a reader sees spaces.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def plain(text: str) -> str:
    """Return a text with its no-break, narrow and thin spaces made ordinary ones, to compare."""
    return text.translate(_SPACES)


def minimal_variant(incident_id: str, **changes: str) -> str:
    """Return tests/records/minimal.yaml with another id and each `old=new` text replaced."""
    text = (RECORDS / "minimal.yaml").read_text(encoding="utf-8").replace(
        "id: 2025-03-02-checkout-latency", f"id: {incident_id}")
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


def small_workspace(folder: Path) -> Path:
    """Write incidents/ with the AP-HP record and two small English ones; return incidents/."""
    incidents = folder / "incidents"
    incidents.mkdir()
    (incidents / APHP.name).write_bytes(APHP.read_bytes())
    (incidents / "checkout.yaml").write_text(minimal_variant("2025-03-02-checkout-latency"))
    (incidents / "search.yaml").write_text(minimal_variant(
        "2025-06-10-search-outage",
        **{"2025-03-02": "2025-06-10", "Checkout": "Search", "capacity": "dependency"}))
    return incidents
