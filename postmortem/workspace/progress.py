"""Show a build's progress: a bar on a terminal, one line a record elsewhere."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from postmortem.workspace.build import Outcome


def progress_printer(stream=None, mode: str | None = None) -> Callable[[str, object], None]:
    """Return a reporter: a bar on a terminal, plain lines elsewhere, or problems only."""
    stream = stream or sys.stderr
    if mode is None:
        mode = "bar" if stream.isatty() and not os.environ.get("CI") else "lines"
    state = {"total": 0, "done": 0, "failed": 0, "started": time.monotonic()}

    def report(event: str, data: object) -> None:
        if mode == "quiet":  # nothing but problems
            if event == "outcome":
                for problem in cast("Outcome", data).problems:
                    print(problem, file=stream)
            return
        if event == "start":
            state.update(total=cast(int, data), started=time.monotonic())
            return
        if event == "index":
            _clear(stream, mode)
            print("wrote the index and the review across incidents", file=stream)
            return
        outcome: Outcome = data  # type: ignore[assignment]
        if outcome.status in ("up to date",):
            return
        if outcome.status in ("rendered", "failed") and state["total"]:
            state["done"] += 1
        state["failed"] += outcome.status == "failed"
        _clear(stream, mode)
        for problem in outcome.problems:
            print(problem, file=stream)
        if mode == "lines" or outcome.status == "removed":
            counter = f"[{state['done']}/{state['total']}] " if outcome.status != "removed" else ""
            print(f"{counter}{outcome.status} {outcome.source}", file=stream)
        if mode == "bar" and state["total"]:
            stream.write(_bar(state))
            stream.flush()

    return report


def _clear(stream, mode: str) -> None:
    if mode == "bar":
        stream.write("\r\033[K")


def _bar(state: dict) -> str:
    done, total = state["done"], state["total"]
    width = 30
    filled = round(width * done / total)
    elapsed = time.monotonic() - state["started"]
    left = elapsed / done * (total - done) if done else 0
    failed = f", {state['failed']} failed" if state["failed"] else ""
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} records{failed}, "
            f"{int(left // 60)}:{int(left % 60):02d} left")
