"""Build one workspace on several machines: a share of the records on each, then one merge.

`postmortem build --shard K/N` renders the K-th of N shares of the records. The records
are dealt in turn, largest source first (ties by path in the incidents folder), so that
the shares carry similar work and every machine, reading the same files, deals the same
shares. A shard writes its records' outputs and a manifest (`MANIFEST`): which records
it took, their ids and outputs, which failed, and what rendered them. It writes no index:
it sees only its share.

`postmortem build --merge DIR…` reads the shards' folders, checks that they are the N
shares of one split, rendered alike, copies their records' outputs into the output folder
and writes the index, the reviews and actions.csv from their JSON exports, rendering no
record again. Every check comes before the first file is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NoReturn

from postmortem import __version__
from postmortem.errors import Problem, WorkspaceError
from postmortem.i18n import _
from postmortem.workspace.config import BuildOptions
from postmortem.workspace.index import IndexEntry, index_outputs
from postmortem.workspace.lock import hold
from postmortem.workspace.write import make_folder, write_atomic, write_together

MANIFEST = ".postmortem-shard.json"
_MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class Shard:
    """The `number`-th (from 1) of `count` shares of a workspace's records."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Read `K/N`; raise ValueError, saying what is expected, unless 1 ≤ K ≤ N."""
        number, slash, count = text.strip().partition("/")
        try:
            shard = cls(int(number), int(count))
        except ValueError:
            shard = None
        if not slash or shard is None or not 1 <= shard.number <= shard.count:
            raise ValueError(_("not a shard K/N, with N the number of shares and K from 1 "
                               "to N (such as 1/2): {text!r}", text=text))
        return shard

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


def deal(sizes: dict[Path, int], incidents: Path, count: int) -> list[list[Path]]:
    """Deal records into `count` shares, in turn, largest first; ties by path in `incidents`."""
    order = sorted(sizes, key=lambda path: (-sizes[path], _relative(path, incidents)))
    return [order[number::count] for number in range(count)]


def split_digest(sizes: dict[Path, int], incidents: Path) -> str:
    """Hash the records a split is dealt from, so that a merge sees shards of one split."""
    listed = sorted((_relative(path, incidents), size) for path, size in sizes.items())
    return hashlib.sha256(json.dumps(listed).encode()).hexdigest()


def _relative(path: Path, incidents: Path) -> str:
    try:
        return path.relative_to(incidents).as_posix()
    except ValueError:
        return path.as_posix()


def write_manifest(options: BuildOptions, shard: Shard, environment: bytes, split: str,
                   records: Mapping[str, dict], failed: Mapping[str, Sequence[Problem]]) -> None:
    """Write the shard's manifest: its records (id, outputs), its failures and what rendered them.

    The file is written only when it changes: a rebuild with nothing to do touches nothing.
    """
    data = {"manifest": _MANIFEST_FORMAT, "postmortem": __version__,
            "environment": environment.hex(), "split": split,
            "shard": shard.number, "shards": shard.count,
            "formats": list(options.formats), "documents": list(options.documents),
            "records": [{"source": source, "id": entry["id"], "outputs": entry["outputs"]}
                        for source, entry in sorted(records.items())],
            "failed": [{"source": source, "problems": [p.as_dict() for p in problems]}
                       for source, problems in sorted(failed.items())]}
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)
    path = options.output / MANIFEST
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    write_atomic(path, text)


def remove_manifest(output: Path) -> None:
    """Remove a shard's manifest: a whole build's folder is not a shard's."""
    (output / MANIFEST).unlink(missing_ok=True)


@dataclass(frozen=True)
class _Part:
    """A shard's folder and what its manifest says."""

    folder: Path
    shard: Shard
    version: str
    environment: str
    split: str
    formats: tuple[str, ...]
    documents: tuple[str, ...]
    records: tuple[tuple[str, str, tuple[str, ...]], ...]  # source, id, outputs
    failed: tuple[tuple[str, tuple[Problem, ...]], ...]

    @property
    def name(self) -> str:
        return f"{self.folder}/"


@dataclass
class MergeResult:
    """What a merge put together: the shards, their records, and those that failed."""

    shards: int = 0
    records: int = 0
    failed: list[tuple[str, tuple[Problem, ...]]] = field(default_factory=list)
    seconds: float = 0.0


def merge(options: BuildOptions, folders: Sequence[Path]) -> MergeResult:
    """Put the shards in `folders` together in the output folder, with the workspace's index.

    Raise a WorkspaceError, naming the folder at fault, and write nothing, unless the
    folders hold every shard of one split exactly once, rendered by this postmortem with
    one environment, with no id in two shards and every listed output readable.
    """
    started = time.monotonic()
    parts = [_read_manifest(Path(folder)) for folder in folders]
    _check(parts)
    first = parts[0]
    # The index links to the records' outputs: it is written in the formats they have.
    options = replace(options, formats=first.formats, documents=first.documents)
    failed = [(source, problems) for part in parts for source, problems in part.failed]
    failed_sources = {source for source, _ in failed}
    for part in parts:
        for _source, _id, outputs in part.records:
            for name in outputs:
                if not (part.folder / name).is_file():
                    raise WorkspaceError(_(
                        "{folder}: {name} is missing, though the shard's manifest lists it: "
                        "give --merge the whole folder of shard {shard}, or build it again",
                        folder=part.name, name=name, shard=str(part.shard)))
    entries = [IndexEntry(source, incident_id, part.folder / f"{incident_id}.json")
               for part in parts for source, incident_id, _ in part.records
               if source not in failed_sources]
    index, unreadable = index_outputs(options, entries, failed_sources)
    if unreadable:
        source, (export, reason) = sorted(unreadable.items())[0]
        part = next(part for part in parts if export.parent == part.folder)
        raise WorkspaceError(_(
            "{folder}: the export {export} of {source} cannot be read ({reason}): build "
            "shard {shard} again", folder=part.name, export=export, source=source,
            reason=reason, shard=str(part.shard)))
    # The last reports of records that failed first: a record rendered wins a name they had.
    copies = sorted(((source in failed_sources, part.folder, names)
                     for part in parts for source, _, names in part.records
                     if not _same_folder(part.folder, options.output)),
                    key=lambda copy: not copy[0])
    make_folder(options.output)
    with hold(options.output):
        for _failed, folder, names in copies:
            # Each record's outputs change together, as a build writes them.
            write_together(options.output, {name: (folder / name).read_bytes()
                                            for name in names})
        write_together(options.output, index)
    sources = failed_sources | {source for part in parts for source, _, _ in part.records}
    return MergeResult(shards=first.shard.count, records=len(sources), failed=sorted(failed),
                       seconds=time.monotonic() - started)


def _read_manifest(folder: Path) -> _Part:
    """Read a shard's manifest; say which folder, and what to do, if it cannot be read."""
    path, where = folder / MANIFEST, f"{folder}/"
    if not folder.is_dir():
        raise WorkspaceError(_("{folder}: no such folder: give --merge the output folders of "
                               "'postmortem build --shard K/N'", folder=where))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkspaceError(_("{folder}: no {manifest}, so not the output folder of a shard: "
                               "give --merge the output folders of 'postmortem build --shard "
                               "K/N'", folder=where, manifest=MANIFEST)) from None
    except (OSError, UnicodeDecodeError) as error:
        _unreadable(folder, getattr(error, "strerror", None) or str(error))
    try:
        data = json.loads(text)
        if data["manifest"] != _MANIFEST_FORMAT:
            raise ValueError(f"manifest format {data['manifest']!r}")
        records = tuple((str(r["source"]), str(r["id"]), tuple(map(str, r["outputs"])))
                        for r in data["records"])
        failed = tuple((str(f["source"]), tuple(Problem(**p) for p in f["problems"]))
                       for f in data["failed"])
        part = _Part(folder, Shard(int(data["shard"]), int(data["shards"])),
                     str(data["postmortem"]), str(data["environment"]), str(data["split"]),
                     tuple(map(str, data["formats"])), tuple(map(str, data["documents"])),
                     records, failed)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        _unreadable(folder, f"{type(error).__name__}: {error}")
    for _source, _id, names in part.records:
        for name in names:
            if Path(name).name != name or name.startswith("."):
                _unreadable(folder, f"output name {name!r}")
    return part


def _unreadable(folder: Path, reason: str) -> NoReturn:
    where = f"{folder}/"
    raise WorkspaceError(_("{folder}: its {manifest} cannot be read ({reason}): build the "
                           "shard again", folder=where, manifest=MANIFEST,
                           reason=reason[:200]))


def _check(parts: list[_Part]) -> None:
    """Refuse shards that are not every share of one split, once each, rendered alike."""
    first = parts[0]
    seen: dict[int, _Part] = {}
    for part in parts:
        if part.version != __version__:
            raise WorkspaceError(_(
                "{folder}: shard {shard} was built by postmortem {theirs}, and this is "
                "postmortem {ours}: build the shards and merge them with one version",
                folder=part.name, shard=str(part.shard), theirs=part.version,
                ours=__version__))
        if part.shard.count != first.shard.count:
            raise WorkspaceError(_(
                "{folder}: shard {shard}, but {other} holds shard {first}: give --merge the "
                "folders of one split", folder=part.name, shard=str(part.shard),
                other=first.name, first=str(first.shard)))
        if part.shard.number in seen:
            raise WorkspaceError(_(
                "{folder}: shard {shard} again, already given in {other}: give --merge each "
                "shard's folder once", folder=part.name, shard=str(part.shard),
                other=seen[part.shard.number].name))
        seen[part.shard.number] = part
        if part.split != first.split:
            raise WorkspaceError(_(
                "{folder}: shard {shard} was dealt from other records than shard {first} in "
                "{other}: build every shard from the same files (one commit)",
                folder=part.name, shard=str(part.shard), first=str(first.shard),
                other=first.name))
        if part.environment != first.environment:
            raise WorkspaceError(_(
                "{folder}: shard {shard} was rendered with other formats, documents, "
                "templates, settings or libraries than shard {first} in {other}: build every "
                "shard with one installation and the same options", folder=part.name,
                shard=str(part.shard), first=str(first.shard), other=first.name))
    missing = [number for number in range(1, first.shard.count + 1) if number not in seen]
    if missing:
        absent = Shard(missing[0], first.shard.count)
        raise WorkspaceError(_(
            "shard {missing} is missing: give --merge the folder of each of the {count} "
            "shards (given: {given})", missing=str(absent),
            count=first.shard.count,
            given=", ".join(f"{part.shard} in {part.name}" for part in parts)))
    holders: dict[str, tuple[str, _Part]] = {}
    failed = {source for part in parts for source, _ in part.failed}
    for part in parts:
        for source, incident_id, _outputs in part.records:
            if source in failed:
                continue
            if incident_id in holders:
                other_source, other = holders[incident_id]
                raise WorkspaceError(_(
                    "{folder}: the record id {id!r} of {source} is also the id of "
                    "{other_source} in shard {other_shard} ({other}): build every shard from "
                    "the same files (one commit)", folder=part.name, id=incident_id,
                    source=source, other_source=other_source,
                    other_shard=str(other.shard), other=other.name))
            holders[incident_id] = (source, part)


def _same_folder(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def shard_share(records: Iterable[Path], sizes: dict[Path, int], incidents: Path,
                shard: Shard) -> set[Path]:
    """Return the records of `shard`: its share of the deal of every record."""
    every = {path: sizes.get(path, 0) for path in records}
    return set(deal(every, incidents, shard.count)[shard.number - 1])
