"""Hear the saves of what the preview shows: records, templates, translations, postmortem.toml.

`watchfiles` reports the changes, grouped as it debounces them, in background threads
that stop when asked. Folders are watched rather than single files, so that an editor
that saves by writing a new file and renaming it over the old one is heard too: the
folder of records (and its folders), the template and translation folders, and the
workspace's own folder, of which only postmortem.toml (and a record given alone) count.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from postmortem.serve.preview import Watched
from postmortem.workspace.discover import RECORD_SUFFIXES

#: How long a watcher that failed (a folder removed) waits before it looks again, in s.
_RETRY = 1.0
#: How long the watchers wait for a change at a time, in ms: once they first stop waiting,
#: every folder is watched, and the watcher is ready.
_WAIT = 200


class _Either:
    """An event set when either of two is: what `watchfiles.watch` checks to stop."""

    def __init__(self, first: threading.Event, second: threading.Event):
        self._events = (first, second)

    def is_set(self) -> bool:
        return any(event.is_set() for event in self._events)


class Watcher:
    """Report each batch of saves to `changed`, which says whether to look again at what to watch.

    What to watch is asked of `watched` when the watcher starts and after each batch
    that `changed` says changed it (the configuration names another template folder).
    """

    def __init__(self, watched: Callable[[], Watched], changed: Callable[[set[Path]], bool]):
        self._watched = watched
        self._changed = changed
        self._stop = threading.Event()
        self._again = threading.Event()
        self._thread: threading.Thread | None = None
        self._current: Watched | None = None
        #: Set once every folder is watched: a save from then on is heard.
        self.ready = threading.Event()

    def start(self) -> None:
        """Start watching in a background thread."""
        self._thread = threading.Thread(target=self._run, name="postmortem-serve-watch",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, and wait for the threads to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        self._current = self._watched()
        first = True
        while not self._stop.is_set():
            self._again.clear()
            groups = _groups(self._current)
            watching = [threading.Event() for _group in groups]
            threads = [threading.Thread(target=self._watch, args=(*group, event), daemon=True,
                                        name="postmortem-serve-watch-folder")
                       for group, event in zip(groups, watching, strict=True)]
            for thread in threads:
                thread.start()
            for event in watching:
                event.wait()
            self.ready.set()
            if not first:
                # A save while the watchers started again went unheard: read it all again.
                self._changed({self._current.config.absolute()})
            first = False
            for thread in threads:
                thread.join()
            if not threads:  # nothing there to watch yet: look again in a while
                self._stop.wait(_RETRY)
            if self._stop.is_set():
                break
            self._current = self._watched()

    def _watch(self, paths: list[Path], recursive: bool, counts: Callable[[Path], bool],
               watching: threading.Event) -> None:
        """Watch folders until stopped or told to look again; set `watching` once they are."""
        until = _Either(self._stop, self._again)
        try:
            for changes in watchfiles.watch(*paths, recursive=recursive, stop_event=until,
                                            watch_filter=_Filter(counts), rust_timeout=_WAIT,
                                            yield_on_timeout=True, raise_interrupt=False):
                watching.set()
                # Watch again only what changed: a save in between would go unheard.
                if (changes and self._changed({Path(path) for _change, path in changes})
                        and self._watched() != self._current):
                    self._again.set()
        except (OSError, RuntimeError):
            # A watched folder went away, or the system refused to watch it: look again.
            watching.set()
            self._stop.wait(_RETRY)
            self._again.set()
        watching.set()


class _Filter(watchfiles.DefaultFilter):
    """Keep the changes of files that count, leaving out editors' swap and backup files."""

    def __init__(self, counts: Callable[[Path], bool]):
        super().__init__()
        self._counts = counts

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return super().__call__(change, path) and self._counts(Path(path))


def _groups(watched: Watched) -> list[tuple[list[Path], bool, Callable[[Path], bool]]]:
    """Return the folders to watch with and without their folders, and which files count."""
    records = watched.records.absolute()
    config = watched.config.absolute()
    folders = [folder.absolute() for folder in watched.folders]
    flat_files = {config}
    deep = list(folders)
    if records.is_dir():
        deep.append(records)
    else:
        flat_files.add(records)
    flat = sorted({path.parent for path in flat_files if path.parent.is_dir()})

    def in_deep(path: Path) -> bool:
        if any(path.is_relative_to(folder) for folder in folders):
            return True
        return path.suffix in RECORD_SUFFIXES and path.is_relative_to(records)

    groups: list[tuple[list[Path], bool, Callable[[Path], bool]]] = []
    if deep:
        groups.append((deep, True, in_deep))
    if flat:
        groups.append((flat, False, lambda path: path in flat_files))
    return groups
