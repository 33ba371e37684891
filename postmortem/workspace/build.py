"""The workspace build: every record into output/, incremental, parallel and crash-safe.

A record is rendered again only when its fingerprint changes: the record's bytes, the
templates and translations, the package's own code and the build options. Every output
is written atomically; the build's state is saved as it goes, so a build that is killed
leaves complete files and the next one carries on where it stopped.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from multiprocessing import get_context
from pathlib import Path

import jinja2

from postmortem import __version__
from postmortem.errors import Problem, RecordError, RenderError
from postmortem.analysis.history import workspace_versions
from postmortem.workspace.pipeline import FORMATS, find_records
from postmortem.render.markdown import default_template_dir, template_problem
from postmortem.workspace.write import write_atomic

STATE_FILE = ".postmortem-build.json"
LOCK_FILE = ".postmortem-build.lock"
INDEX_FORMATS = ("md", "html", "pdf")
_LEFTOVER = re.compile(r"^\..+\.tmp$")
_ID_LINE = re.compile(rb"^id:[ \t]*[\"']?([^\"'\s#]+)", re.M)
_SAVE_EVERY = 2.0  # seconds between saves of the state while records complete


class BuildLocked(Exception):
    """Raised when another build holds the output folder."""


@dataclass(frozen=True)
class BuildOptions:
    """What to build, where, and how."""

    incidents: Path = Path("incidents")
    output: Path = Path("output")
    formats: tuple[str, ...] = ("md", "html", "pdf")
    jobs: int = os.cpu_count() or 1
    force: bool = False
    template_dirs: tuple[Path, ...] = ()
    language: str = "en"
    today: date = field(default_factory=date.today)


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


def build(options: BuildOptions, report: Callable[[str, object], None] = lambda *_: None) -> BuildResult:
    """Build the workspace; `report(event, data)` hears 'start', 'outcome' and 'index'."""
    started = time.monotonic()
    options.output.mkdir(parents=True, exist_ok=True)
    with _locked(options.output):
        _remove_leftovers(options.output)
        state = _State(options.output)
        records = find_records([options.incidents]) if options.incidents.is_dir() else []
        digest = _environment_digest(options)
        result = BuildResult()
        todo: list[tuple[Path, str]] = []
        sources = {path: path.read_bytes() for path in records}
        # Reports name the git version they show: a commit changes them too.
        versions = workspace_versions(options.incidents) if records else {}
        clashes = _id_clashes(sources)
        for path, raw in sources.items():
            if str(path) in clashes:
                state.forget(str(path))
                result.outcomes.append(Outcome(str(path), "failed", problems=(clashes[str(path)],)))
                continue
            version = versions.get(path.resolve(), "").encode()
            fingerprint = hashlib.sha256(digest + version + b"\0" + raw).hexdigest()
            entry = state.records.get(str(path))
            if (not options.force and entry and entry["fingerprint"] == fingerprint
                    and all((options.output / name).is_file() for name in entry["outputs"])):
                result.outcomes.append(Outcome(str(path), "up to date", entry["id"]))
            else:
                todo.append((path, fingerprint))
        for source in sorted(set(state.records) - {str(path) for path in records}):
            _remove_outputs(options.output, state.records.pop(source)["outputs"])
            result.outcomes.append(Outcome(source, "removed"))
        report("start", len(todo) + result.count("failed"))
        for outcome in result.outcomes:
            report("outcome", outcome)
        for outcome, fingerprint, outputs in _render_all(todo, options):
            if outcome.status == "rendered":
                previous = state.records.get(outcome.source)
                if previous:  # an id that changed leaves the old outputs behind
                    _remove_outputs(options.output, set(previous["outputs"]) - set(outputs))
                state.records[outcome.source] = {"fingerprint": fingerprint,
                                                 "id": outcome.incident_id, "outputs": outputs}
            else:
                state.forget(outcome.source)
            result.outcomes.append(outcome)
            report("outcome", outcome)
            state.save(throttled=True)
        failed = sorted(o.source for o in result.outcomes if o.status == "failed")
        result.index_written = _write_index(options, state, digest, failed)
        if result.index_written:
            report("index", None)
        state.save()
    result.seconds = time.monotonic() - started
    return result


def render_record(source: str, output: str, formats: Sequence[str],
                  template_dirs: Sequence[str]) -> tuple[Outcome, list[str]]:
    """Render one record (in a worker); return its outcome and the files it wrote."""
    from postmortem.workspace.pipeline import render_file

    try:
        written = render_file(source, Path(output), formats, [Path(d) for d in template_dirs])
    except RecordError as exc:
        problems = tuple(exc.problems)
    except jinja2.TemplateError as exc:
        problems = (template_problem(exc),)
    except (RenderError, OSError) as exc:
        problems = (Problem(source, 1, 1, str(exc)),)
    except Exception as exc:  # noqa: BLE001 - one broken record must not stop the others
        problems = (Problem(source, 1, 1, f"cannot render: {type(exc).__name__}: {exc}"),)
    else:
        return Outcome(source, "rendered", written[0].stem), [path.name for path in written]
    return Outcome(source, "failed", problems=problems), []


def _render_all(todo: Sequence[tuple[Path, str]], options: BuildOptions) -> Iterator[tuple[Outcome, str, list[str]]]:
    arguments = [(str(path), str(options.output), _record_formats(options),
                  [str(d) for d in options.template_dirs]) for path, _ in todo]
    fingerprints = [fingerprint for _, fingerprint in todo]
    if options.jobs <= 1 or len(todo) <= 1:
        for argument, fingerprint in zip(arguments, fingerprints):
            outcome, outputs = render_record(*argument)
            yield outcome, fingerprint, outputs
        return
    # Workers are started fresh (spawn) and import the renderer once, then take many records.
    with ProcessPoolExecutor(max_workers=options.jobs, mp_context=get_context("spawn"),
                             initializer=_warm_up, initargs=("pdf" in options.formats,)) as pool:
        futures = {pool.submit(render_record, *argument): fingerprint
                   for argument, fingerprint in zip(arguments, fingerprints)}
        try:
            for future in as_completed(futures):
                outcome, outputs = future.result()
                yield outcome, futures[future], outputs
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _warm_up(pdf: bool) -> None:
    import postmortem.workspace.pipeline  # noqa: F401

    if pdf:
        import weasyprint  # noqa: F401


def _record_formats(options: BuildOptions) -> list[str]:
    return [fmt for fmt in FORMATS if fmt in options.formats or fmt == "json"]


def _write_index(options: BuildOptions, state: _State, digest: bytes, failed: list[str]) -> bool:
    """Write the index, the review across incidents and actions.csv, when anything changed."""
    from postmortem.render.exports import action_rows, actions_csv

    names = ["actions.csv"] + [f"index.{fmt}" for fmt in INDEX_FORMATS if fmt in options.formats]
    fingerprint = hashlib.sha256(digest + json.dumps(
        [sorted((s, e["fingerprint"]) for s, e in state.records.items()), failed,
         options.today.isoformat(), options.language]).encode()).hexdigest()
    if (not options.force and state.index == fingerprint
            and all((options.output / name).is_file() for name in names)):
        return False
    documents = [json.loads((options.output / f"{entry['id']}.json").read_text(encoding="utf-8"))
                 for source, entry in sorted(state.records.items()) if source not in failed]
    rows = [row for document in documents for row in action_rows(document["record"], options.today)]
    write_atomic(options.output / "actions.csv", actions_csv(rows))
    _write_index_documents(options, documents, failed)
    state.index = fingerprint
    return True


def _write_index_documents(options: BuildOptions, documents: list[dict], failed: list[str]) -> None:
    from postmortem.render.i18n import Language
    from postmortem.analysis.across import render_index_html, render_index_markdown, review

    index = review(documents, options.today, failed)
    language = Language(options.language, "UTC")
    outputs: dict[str, str | bytes] = {}
    if "md" in options.formats:
        outputs["md"] = render_index_markdown(index, language, options.template_dirs)
    if "html" in options.formats or "pdf" in options.formats:
        html = render_index_html(index, language, options.template_dirs)
        if "html" in options.formats:
            outputs["html"] = html
        if "pdf" in options.formats:
            from postmortem.render.pdf import print_pdf

            stamp = datetime(options.today.year, options.today.month, options.today.day,
                             tzinfo=timezone.utc)
            outputs["pdf"] = print_pdf(html, stamp)
    for fmt, content in outputs.items():
        write_atomic(options.output / f"index.{fmt}", content)


def _environment_digest(options: BuildOptions) -> bytes:
    """Hash what every output depends on besides its record."""
    digest = hashlib.sha256(f"{__version__}|{sorted(options.formats)}".encode())
    package = Path(__file__).parent.parent
    folders = [*options.template_dirs, package]
    files = sorted(
        path for folder in folders if folder.is_dir() for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts)
    for path in files:
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def _id_clashes(sources: dict[Path, bytes]) -> dict[str, Problem]:
    """Return a problem for every record whose id another record has too."""
    claims: dict[str, list[tuple[Path, int, int]]] = {}
    for path, raw in sources.items():
        match = _ID_LINE.search(raw)
        if not match:
            continue  # validation will say what is wrong with the id
        line = raw.count(b"\n", 0, match.start(1)) + 1
        column = match.start(1) - (raw.rfind(b"\n", 0, match.start(1)) + 1) + 1
        claims.setdefault(match[1].decode("utf-8", "replace"), []).append((path, line, column))
    problems = {}
    for incident_id, holders in claims.items():
        for path, line, column in holders if len(holders) > 1 else ():
            others = ", ".join(str(other) for other, _, _ in holders if other != path)
            problems[str(path)] = Problem(
                str(path), line, column, f"id {incident_id!r} is also the id of {others}: their "
                "reports would overwrite each other; give each record its own id", field="id")
    return problems


def _remove_outputs(output: Path, names) -> None:
    for name in names:
        (output / name).unlink(missing_ok=True)


def _remove_leftovers(output: Path) -> None:
    """Delete the temporary files of a build or render that was interrupted."""
    for path in output.iterdir():
        if _LEFTOVER.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)


@contextmanager
def _locked(output: Path):
    """Hold the output folder for this build alone; the lock dies with the process."""
    with open(output / LOCK_FILE, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise BuildLocked(
                f"another build is writing to {output}/ (process {holder}); "
                "wait for it to finish, then build again") from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)


class _State:
    """What the last builds produced: fingerprint and outputs of each record."""

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


def progress_printer(stream=None, mode: str | None = None) -> Callable[[str, object], None]:
    """Return a reporter: a progress bar on a terminal, plain lines elsewhere, or nothing."""
    stream = stream or sys.stderr
    if mode is None:
        mode = "bar" if stream.isatty() and not os.environ.get("CI") else "lines"
    state = {"total": 0, "done": 0, "failed": 0, "started": time.monotonic()}

    def report(event: str, data: object) -> None:
        if mode == "quiet":
            return
        if event == "start":
            state.update(total=data, started=time.monotonic())
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
