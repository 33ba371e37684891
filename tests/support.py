"""What tests share besides fixtures: where the records are, how to read their text."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = Path(__file__).resolve().parent / "records"
APHP = ROOT / "incidents" / "2024-08-03-aphp-datacenter-power-outage.yaml"

#: Debian's Chromium, which the browser tests drive through Playwright.
CHROMIUM = Path("/usr/bin/chromium")
#: Headless, and quiet on a closed network: without the last four, Chromium keeps
#: opening connections that the machine refuses. No sandbox: the tests may run as root.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Stamps and durations are tied with no-break (U+00A0) and narrow no-break (U+202F) spaces,
# and a range breaks after its dash at a thin space (U+2009); a reader sees spaces.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def browser_missing() -> str:
    """Say what the browser tests lack on this machine, or "" when nothing."""
    if not CHROMIUM.is_file():
        return (f"Chromium not found at {CHROMIUM}: run scripts/install-system-packages as "
                "root (it installs Debian's chromium), or `apt-get install chromium`")
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed: `pip install -e '.[test]'`"
    return ""


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
