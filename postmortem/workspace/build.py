"""The workspace build: every record into output/, incremental, parallel and crash-safe.

A record is rendered again only when its fingerprint changes (postmortem.workspace.
fingerprint). Records are rendered in worker processes under a time and a memory bound
(postmortem.workspace.workers); this process, which holds the folder's lock, writes each
record's outputs together; the build's state is saved as it goes (postmortem.workspace.
state), so a build that is killed leaves complete files and the next one carries on
where it stopped.

With a shard (postmortem.workspace.shard), the build renders only its share of the
records and writes a manifest of them instead of the index: the merge of every shard
writes the index.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from postmortem.errors import Problem, RecordError
from postmortem.record.load import read_source
from postmortem.render import FORMATS, output_id
from postmortem.workspace.config import BuildOptions
from postmortem.workspace.discover import find_records, refused_records
from postmortem.workspace.fingerprint import environment_digest, record_fingerprints
from postmortem.workspace.ids import id_clashes, record_ids
from postmortem.workspace.index import write_index
from postmortem.workspace.lock import hold
from postmortem.workspace.shard import (
    Shard,
    remove_manifest,
    shard_share,
    split_digest,
    write_manifest,
)
from postmortem.workspace.state import BuildState
from postmortem.workspace.workers import Job, render_jobs
from postmortem.workspace.write import make_folder, write_together

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
    records: int = 0
    """Records in the workspace: with a shard, more than those it took."""

    def count(self, status: str) -> int:
        """Return how many records ended with `status`."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> bool:
        """Return whether any record failed."""
        return self.count("failed") > 0


def build(options: BuildOptions,
          progress: Callable[[str, object], None] = lambda *_: None,
          shard: Shard | None = None) -> BuildResult:
    """Build the workspace, or a shard's share; `progress(event, data)` hears 'start' and so on.

    The events are 'start' (how many records are to render), 'outcome' and 'index'.
    """
    started = time.monotonic()
    make_folder(options.output)
    with hold(options.output):
        _remove_leftovers(options.output)
        state = BuildState(options.output)
        try:
            result = _build_locked(options, state, progress, shard)
        except BaseException:
            # What was written so far is not rendered again; on a full disk, it will be.
            with contextlib.suppress(OSError):
                state.save()
            raise
        state.save()
    result.seconds = time.monotonic() - started
    return result


def _build_locked(options: BuildOptions, state: BuildState,
                  progress: Callable[[str, object], None],
                  shard: Shard | None = None) -> BuildResult:
    present = options.incidents.is_dir()
    records = find_records([options.incidents]) if present else []
    refused: dict[Path, tuple[Problem, ...]] = {path: (problem,) for path, problem in
               (refused_records([options.incidents]) if present else {}).items()}
    sources: dict[Path, bytes] = {}
    for path in records:
        if path not in refused:
            try:
                sources[path] = read_source(path)
            except RecordError as exc:
                refused[path] = tuple(exc.problems)
    digest = environment_digest(options)
    # Ids are claimed across the whole workspace, whichever shard renders each record.
    claims = record_ids(sources)
    clashes = id_clashes(claims)
    result = BuildResult(records=len(records))
    if shard is not None:
        sizes = {path: len(raw) for path, raw in sources.items()}
        split = split_digest({path: sizes.get(path, 0) for path in records}, options.incidents)
        share = shard_share(records, sizes, options.incidents, shard)
        records = [path for path in records if path in share]
        refused = {path: problems for path, problems in refused.items() if path in share}
        sources = {path: raw for path, raw in sources.items() if path in share}
        claims = {path: claim for path, claim in claims.items() if path in share}
    fingerprints = record_fingerprints(digest, options.incidents, sources)
    unchanged = {path: entry for path, fingerprint in fingerprints.items()
                 if (entry := state.unchanged(str(path), fingerprint))}
    # The outputs named after a record's id are its own, whichever record wrote them before.
    claimed = {claim.id for path, claim in claims.items() if str(path) not in clashes}
    for path, problems in sorted(refused.items()):
        state.forget(str(path))
        result.outcomes.append(Outcome(str(path), "failed", problems=problems))
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
    fingerprint_of = {str(path): fingerprint for path, fingerprint in todo}
    jobs = [Job(str(path), sources[path], tuple(_record_formats(options)), options.render,
                documents=options.documents) for path, _ in todo]
    for rendered in render_jobs(jobs, min(options.jobs, len(jobs)), options.bounds,
                                _record_formats(options)):
        if rendered.problems:
            state.forget(rendered.source)
            outcome = Outcome(rendered.source, "failed", problems=rendered.problems)
        else:
            # The parent writes: it holds the lock, and a record's files change together.
            outputs = [name for name, _ in rendered.files]
            write_together(options.output, dict(rendered.files))
            previous = state.records.get(rendered.source)
            if previous:  # a document dropped, or an id that changed, leaves outputs behind
                stale = set(previous["outputs"]) - set(outputs)
                _remove_outputs(options.output, stale, claimed - {rendered.incident_id})
            state.records[rendered.source] = {"fingerprint": fingerprint_of[rendered.source],
                                              "id": rendered.incident_id, "outputs": outputs}
            outcome = Outcome(rendered.source, "rendered", rendered.incident_id)
        result.outcomes.append(outcome)
        progress("outcome", outcome)
        state.save(throttled=True)
    failed = sorted(o.source for o in result.outcomes if o.status == "failed")
    if shard is not None:
        # A shard sees a share of the records: the merge of every shard writes the index.
        failures = {o.source: o.problems for o in result.outcomes if o.status == "failed"}
        taken = {str(path) for path in records}
        kept = {source: entry for source, entry in state.records.items() if source in taken}
        write_manifest(options, shard, digest, split, kept, failures)
        return result
    remove_manifest(options.output)
    result.index_written, unreadable = write_index(options, state, digest, failed)
    for source, problem in unreadable.items():
        # Its export is unreadable: it is rendered again next time, and the index left it out.
        state.forget(source)
        result.outcomes = [o for o in result.outcomes if o.source != source]
        outcome = Outcome(source, "failed", problems=(problem,))
        result.outcomes.append(outcome)
        progress("outcome", outcome)
    if result.index_written:
        progress("index", None)
    return result


def _record_formats(options: BuildOptions) -> list[str]:
    return [fmt for fmt in FORMATS if fmt in options.formats or fmt == "json"]


def _remove_outputs(output: Path, names: Iterable[str], claimed: set[str]) -> None:
    """Delete outputs, except those named after the id of a record that will write them."""
    for name in names:
        if output_id(name) not in claimed:
            (output / name).unlink(missing_ok=True)


def _remove_leftovers(output: Path) -> None:
    """Delete the temporary files of a build or render that was interrupted."""
    for path in output.iterdir():
        if _LEFTOVER.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)
