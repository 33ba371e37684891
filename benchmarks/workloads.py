"""The records measured: the AP-HP record and its copies, and records made longer.

Every record is written into a folder of the caller's (a temporary one): nothing here
writes into the repository.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from build_workspace import RECORD, make_workspace

ROOT = RECORD.parent.parent
AWS_RECORD = ROOT / "incidents" / "2021-12-07-aws-us-east-1-network-congestion.yaml"
SMALL_RECORD = ROOT / "tests" / "records" / "minimal.yaml"

#: Timeline entries added to the small record to reach about 2, 10, 25 and 50 printed
#: pages (about eleven entries of two lines a page); the pages are counted on each PDF.
ENTRIES_FOR_PAGES = {2: 0, 10: 95, 25: 280, 50: 590}

_TOP_LEVEL_KEY = re.compile(r"^[a-z_]+:", re.MULTILINE)
_APHP_START = datetime.fromisoformat("2024-08-03T11:00+02:00")
_SMALL_START = datetime.fromisoformat("2025-03-02T10:00+00:00")
_STEP_FR = ("Étape {number} de la reprise : un serveur applicatif redémarre et l'équipe "
            "vérifie que son service répond de nouveau.")
_PROSE_EN = ("The operator restarts the cache node and checks that checkout answers again "
             "within the usual time, then tells the support desk what customers may see. ")


def copies(folder: Path, count: int) -> Path:
    """Write `count` copies of the AP-HP record with distinct ids; return their folder."""
    make_workspace(folder, count)
    return folder / "incidents"


def with_timeline(entries: int) -> str:
    """Return the AP-HP record with its timeline replaced by `entries` generated entries.

    The entries are thirty seconds apart, from the start of the outage on.
    """
    text = RECORD.read_text(encoding="utf-8")
    start = text.index("\ntimeline:\n") + 1
    following = _TOP_LEVEL_KEY.search(text, start + len("timeline:\n"))
    end = following.start() if following else len(text)
    lines = "".join(
        _entry(_APHP_START + timedelta(seconds=30 * number),
               "trigger" if number == 0 else "action",
               _STEP_FR.format(number=number + 1))
        for number in range(entries))
    return text[:start] + "timeline:\n" + lines + "\n" + text[end:]


def with_pages(pages: int) -> str:
    """Return the small record lengthened by timeline entries to print about `pages` pages."""
    text = SMALL_RECORD.read_text(encoding="utf-8")
    return text + "".join(
        _entry(_SMALL_START + timedelta(minutes=number), "action", f"{_PROSE_EN * 2}({number})")
        for number in range(1, ENTRIES_FOR_PAGES[pages] + 1))


def _entry(at: datetime, kind: str, text: str) -> str:
    return f'  - at: "{at.isoformat()}"\n    kind: {kind}\n    text: "{text}"\n'
