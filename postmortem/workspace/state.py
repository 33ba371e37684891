"""The state a build leaves in its output folder: each record's fingerprint, id and outputs."""

from __future__ import annotations

import json
import time
from pathlib import Path

from postmortem import __version__
from postmortem.workspace.write import write_atomic

STATE_FILE = ".postmortem-build.json"
_SAVE_EVERY = 2.0  # seconds between saves of the state while records complete


class BuildState:
    """What the last builds produced: fingerprint, id and outputs of each record."""

    def __init__(self, output: Path):
        self.path = output / STATE_FILE
        self.records: dict[str, dict] = {}
        self.index = ""
        self._saved = time.monotonic()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == __version__:
                self.records, self.index = data["records"], data.get("index", "")
        except (OSError, ValueError, KeyError, AttributeError):
            pass  # no state or an unreadable one: everything is rebuilt

    def unchanged(self, source: str, fingerprint: str) -> dict | None:
        """Return the entry of a record last rendered with this fingerprint, else None."""
        entry = self.records.get(source)
        return entry if entry and entry["fingerprint"] == fingerprint else None

    def forget(self, source: str) -> None:
        """Mark a record to be rendered again, keeping the outputs of its last success.

        A record that no longer validates keeps its last report until it is fixed or
        deleted; the index leaves it out.
        """
        if source in self.records:
            self.records[source]["fingerprint"] = ""

    def save(self, throttled: bool = False) -> None:
        """Write the state atomically (at most every few seconds when `throttled`)."""
        if throttled and time.monotonic() - self._saved < _SAVE_EVERY:
            return
        data = {"version": __version__, "records": self.records, "index": self.index}
        write_atomic(self.path, json.dumps(data, indent=1, sort_keys=True))
        self._saved = time.monotonic()
