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
