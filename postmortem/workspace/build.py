"""The workspace build: every record into output/, incremental, parallel and crash-safe.

A record is rendered again only when its fingerprint changes (postmortem.workspace.
fingerprint). Every output is written atomically; the build's state is saved as it goes
(postmortem.workspace.state), so a build that is killed leaves complete files and the
next one carries on where it stopped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from postmortem.errors import PostmortemError, Problem, WorkspaceError
from postmortem.render import FORMATS
from postmortem.render.settings import RenderSettings
from postmortem.workspace.config import BuildOptions
from postmortem.workspace.discover import find_records
from postmortem.workspace.fingerprint import environment_digest, record_fingerprints
from postmortem.workspace.ids import id_clashes, record_ids
from postmortem.workspace.index import write_index
from postmortem.workspace.lock import hold
from postmortem.workspace.state import BuildState

_LEFTOVER = re.compile(r"^\..+\.tmp$")


@dataclass(frozen=True)
class Outcome:
    """What the build did with one record."""

    source: str
    status: str  # "rendered", "up to date", "failed" or "removed"
    incident_id: str = ""
    problems: tuple[Problem, ...] = ()


@dataclass
class BuildResult:
    """Every record's outcome, and what was written for the workspace."""

    outcomes: list[Outcome] = field(default_factory=list)
    index_written: bool = False
    seconds: float = 0.0

    def count(self, status: str) -> int:
        """Return how many records ended with `status`."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> bool:
        """Return whether any record failed."""
        return self.count("failed") > 0


def build(options: BuildOptions,
          progress: Callable[[str, object], None] = lambda *_: None) -> BuildResult:
    """Build the workspace; `progress(event, data)` hears 'start', 'outcome' and 'index'."""
    started = time.monotonic()
    options.output.mkdir(parents=True, exist_ok=True)
    with hold(options.output):
        _remove_leftovers(options.output)
        state = BuildState(options.output)
        records = find_records([options.incidents]) if options.incidents.is_dir() else []
        sources = {path: path.read_bytes() for path in records}
        digest = environment_digest(options)
        fingerprints = record_fingerprints(digest, options.incidents, sources)
        unchanged = {path: entry for path, fingerprint in fingerprints.items()
                     if (entry := state.unchanged(str(path), fingerprint))}
        claims = record_ids(sources)
        clashes = id_clashes(claims)
        # The outputs named after a record's id are its own, whichever record wrote them before.
        claimed = {claim.id for path, claim in claims.items() if str(path) not in clashes}
        result = BuildResult()
        todo: list[tuple[Path, str]] = []
        for path, fingerprint in fingerprints.items():
            entry = unchanged.get(path)
            if str(path) in clashes:
                state.forget(str(path))
                result.outcomes.append(Outcome(str(path), "failed", problems=(clashes[str(path)],)))
            elif (not options.force and entry
                    and all((options.output / name).is_file() for name in entry["outputs"])):
                result.outcomes.append(Outcome(str(path), "up to date", entry["id"]))
            else:
                todo.append((path, fingerprint))
        for source in sorted(set(state.records) - {str(path) for path in records}):
            _remove_outputs(options.output, state.records.pop(source)["outputs"], claimed)
            result.outcomes.append(Outcome(source, "removed"))
        progress("start", len(todo) + result.count("failed"))
        for outcome in result.outcomes:
            progress("outcome", outcome)
        for outcome, fingerprint, outputs in _render_all(todo, options):
            if outcome.status == "rendered":
                previous = state.records.get(outcome.source)
                if previous:  # an id that changed leaves the old outputs behind
                    stale = set(previous["outputs"]) - set(outputs)
                    _remove_outputs(options.output, stale, claimed)
                state.records[outcome.source] = {"fingerprint": fingerprint,
                                                 "id": outcome.incident_id, "outputs": outputs}
            else:
                state.forget(outcome.source)
            result.outcomes.append(outcome)
            progress("outcome", outcome)
            state.save(throttled=True)
        failed = sorted(o.source for o in result.outcomes if o.status == "failed")
        result.index_written = write_index(options, state, digest, failed)
        if result.index_written:
            progress("index", None)
        state.save()
    result.seconds = time.monotonic() - started
    return result


def render_record(source: str, output: str, formats: Sequence[str],
                  settings: RenderSettings) -> tuple[Outcome, list[str]]:
    """Render one record (in a worker); return its outcome and the files it wrote."""
    # Imported here: a build with nothing to render never loads the renderers.
    from postmortem.workspace.pipeline import render_file

    try:
        written = render_file(source, Path(output), formats, settings)
    except PostmortemError as exc:
        # A problem in no file (an output that cannot be written) belongs to this record.
        problems = tuple(problem if problem.path else Problem(source, 1, 1, problem.message)
                         for problem in exc.problems)
    except OSError as exc:
        problems = (Problem(source, 1, 1, f"{exc.filename or output}: {exc.strerror}"),)
    except Exception as exc:  # noqa: BLE001 - one broken record must not stop the others
        problems = (Problem(source, 1, 1, f"cannot render: {type(exc).__name__}: {exc}"),)
    else:
        return Outcome(source, "rendered", written[0].stem), [path.name for path in written]
    return Outcome(source, "failed", problems=problems), []


def _render_all(todo: Sequence[tuple[Path, str]],
                options: BuildOptions) -> Iterator[tuple[Outcome, str, list[str]]]:
    arguments = [(str(path), str(options.output), _record_formats(options),
                  options.render) for path, _ in todo]
    fingerprints = [fingerprint for _, fingerprint in todo]
    if options.jobs <= 1 or len(todo) <= 1:
        for argument, fingerprint in zip(arguments, fingerprints, strict=True):
            outcome, outputs = render_record(*argument)
            yield outcome, fingerprint, outputs
        return
    # Workers are started fresh (spawn) and import the renderer once, then take many records.
    with ProcessPoolExecutor(max_workers=options.jobs, mp_context=get_context("spawn"),
                             initializer=_warm_up, initargs=("pdf" in options.formats,)) as pool:
        futures = {pool.submit(render_record, *argument): fingerprint
                   for argument, fingerprint in zip(arguments, fingerprints, strict=True)}
        try:
            for future in as_completed(futures):
                outcome, outputs = future.result()
                yield outcome, futures[future], outputs
        except BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            raise WorkspaceError(
                "a worker process died (out of memory?); the files written so far are "
                "complete: build again, perhaps with --jobs 1") from None
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _warm_up(pdf: bool) -> None:
    import postmortem.render.page  # noqa: F401

    if pdf:
        import weasyprint  # noqa: F401


def _record_formats(options: BuildOptions) -> list[str]:
    return [fmt for fmt in FORMATS if fmt in options.formats or fmt == "json"]


def _remove_outputs(output: Path, names: Iterable[str], claimed: set[str]) -> None:
    """Delete outputs, except those named after the id of a record that will write them."""
    for name in names:
        if Path(name).stem not in claimed:
            (output / name).unlink(missing_ok=True)


def _remove_leftovers(output: Path) -> None:
    """Delete the temporary files of a build or render that was interrupted."""
    for path in output.iterdir():
        if _LEFTOVER.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)

