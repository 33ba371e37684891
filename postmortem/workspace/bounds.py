"""The bounds on rendering one record, a time and a memory limit, and how they are reported.

The defaults are `postmortem.record.limits`' TIME_LIMIT and MEMORY_LIMIT; `[build]
time_limit` / `memory_limit` in postmortem.toml and `--time-limit` / `--memory-limit` on
`render` and `build` change them.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from postmortem.record.limits import MEMORY_LIMIT, TIME_LIMIT

_RAISE_TIME = "--time-limit, or time_limit in [build] of postmortem.toml"
_RAISE_MEMORY = "--memory-limit, or memory_limit in [build] of postmortem.toml"


@dataclass(frozen=True)
class Bounds:
    """How long one record may take to render, and how much memory its worker may map."""

    seconds: float = TIME_LIMIT
    mebibytes: int = MEMORY_LIMIT

    def too_slow(self, what: str = "rendering") -> str:
        """Say that rendering passed the time limit, and what to do."""
        return (f"{what} took longer than {self.seconds:g} s, the limit per record: shorten "
                f"the record, or raise the limit with {_RAISE_TIME}")

    def too_large(self, what: str = "rendering") -> str:
        """Say that rendering passed the memory limit, and what to do."""
        return (f"{what} needed more than {self.mebibytes:,} MiB of memory, the limit per "
                f"record: shorten the record, or raise the limit with {_RAISE_MEMORY}")

    def died(self, exitcode: int | None) -> str:
        """Say that the process rendering a record died, most likely for lack of memory."""
        if exitcode is not None and exitcode < 0:
            try:
                how = f"was killed ({signal.Signals(-exitcode).name})"
            except ValueError:
                how = f"was killed (signal {-exitcode})"
        else:
            how = f"stopped (exit status {exitcode})"
        return (f"the process rendering it {how}, most likely for lack of memory: the limit "
                f"per record is {self.mebibytes:,} MiB; shorten the record, run fewer jobs at "
                f"once (--jobs), or change the limit with {_RAISE_MEMORY}")
