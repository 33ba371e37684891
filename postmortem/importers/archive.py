"""Read the JSON members of an export, a folder or a zip, within bounds and without extracting.

An export comes from elsewhere and may be broken or hostile: a zip whose members inflate
a thousandfold, a member that holds more than its header declares, millions of members,
JSON nested past Python's recursion. Every member is read into memory at most one byte
past its limit, whatever its header says, and every refusal names the member and the
limit, so that the person importing knows what to fix.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from postmortem.errors import InputError, Problem, RecordError
from postmortem.i18n import _
from postmortem.importers.jsontext import line_column, skip_blanks
from postmortem.record.limits import figure
from postmortem.record.load import decode_utf8

#: Bytes of one JSON member once inflated. A busy channel writes a few mebibytes a day;
#: users.json of a workspace of 10,000 people is about 20 MiB.
MAX_MEMBER_BYTES = 64 * 1024 * 1024

#: Bytes read from the whole export. Only the channel lists, the users and one channel's
#: days are read: half a gibibyte is years of a busy channel.
MAX_TOTAL_BYTES = 512 * 1024 * 1024

#: Members of a zip. An export holds one file a day per channel: 200,000 is ten years of
#: fifty active channels; the zip's directory is held in memory, 100 bytes an entry.
MAX_MEMBERS = 200_000

#: Messages of the channel read. An incident channel holds hundreds; each message is a
#: few hundred bytes of memory once decoded.
MAX_MESSAGES = 500_000

#: How many times larger than its compressed form a member may be. JSON compresses about
#: tenfold; a zip bomb inflates a thousandfold or more.
MAX_RATIO = 100

#: Bytes below which a member's ratio is not checked: a small file of repeated text
#: compresses far past 100:1 and harms nobody.
RATIO_FLOOR = 1024 * 1024

#: A day of a channel: `<channel>/<YYYY-MM-DD>.json`.
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Item:
    """One value of a JSON list, and where it starts in its member (1-based)."""

    value: Any
    line: int
    column: int


class Export:
    """An export opened for reading: a folder or a zip, its members named with '/'."""

    def __init__(self, path: Path):
        self.path = path
        self.label = str(path)
        self._read = 0
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, zipfile.ZipInfo] = {}
        self._prefix = ""
        if path.is_dir():
            return
        if not path.exists():
            raise self._problem(_("no such file or folder"))
        if not path.is_file():
            raise self._problem(_("neither a folder nor a zip file: give the folder or the "
                                  "zip of a Slack export"))
        try:
            with path.open("rb") as handle:
                entries = _declared_entries(handle)
                if entries is None:
                    raise self._problem(_("neither a folder nor a zip file: give the folder "
                                          "or the zip of a Slack export"))
                if entries > MAX_MEMBERS:
                    raise self._too_many(entries)
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError,
                struct.error) as error:
            raise self._problem(_("a corrupt zip file ({reason})", reason=error)) from None
        except OSError as error:
            raise self._problem(_("cannot be read ({reason})", reason=error.strerror or error)
                                ) from None
        if len(infos) > MAX_MEMBERS:
            self.close()
            raise self._too_many(len(infos))
        self._members = {info.filename: info for info in infos if not info.is_dir()}
        self._prefix = self._common_prefix()

    def __enter__(self) -> Export:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the zip, if the export is one."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def where(self, name: str) -> str:
        """Name a member as a message shows it: `export.zip:inc-x/2024-08-03.json`."""
        if self._zip is not None:
            return f"{self.label}:{self._prefix}{name}"
        return str(self.path / name)

    def has(self, name: str) -> bool:
        """Say whether the export holds a member of that name."""
        if self._zip is not None:
            return self._prefix + name in self._members
        candidate = self.path / name
        return candidate.is_file()

    def days(self, folder: str) -> list[str]:
        """Return the members `<folder>/<YYYY-MM-DD>.json`, in the order of their dates."""
        if self._zip is not None:
            start = f"{self._prefix}{folder}/"
            found = [name[len(self._prefix):] for name in self._members
                     if name.startswith(start) and DAY_FILE.match(name[len(start):])]
        else:
            directory = self.path / folder
            if not directory.is_dir():
                return []
            found = []
            try:
                for entry in directory.iterdir():
                    if DAY_FILE.match(entry.name) and entry.is_file():
                        found.append(f"{folder}/{entry.name}")
                        if len(found) > MAX_MEMBERS:
                            raise self._too_many(len(found))
            except OSError as error:
                raise self._problem(_("cannot be read ({reason})",
                                      reason=error.strerror or error), str(directory)) from None
        return sorted(found)

    def read_json(self, name: str) -> Any:
        """Return the JSON value a member holds."""
        return self._loads(name, self._text(name))

    def _loads(self, name: str, text: str) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise self._json_problem(name, error) from None
        except RecursionError:
            raise self._problem(_("JSON nested too deeply to be read"), self.where(name)
                                ) from None

    def read_list(self, name: str) -> list[Item]:
        """Return the values of the JSON list a member holds, each with its line and column."""
        text = self._text(name)
        decoder = json.JSONDecoder()
        items: list[Item] = []
        position = skip_blanks(text, 0)
        if not text.startswith("[", position):
            self._loads(name, text)  # reports a syntax error where it is
            raise self._problem(_("a JSON list was expected"), self.where(name))
        position = skip_blanks(text, position + 1)
        if text.startswith("]", position):
            return self._end(name, text, position + 1, items)
        while True:
            try:
                value, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError as error:
                raise self._json_problem(name, error) from None
            except RecursionError:
                line, column = line_column(text, position)
                raise self._problem(_("JSON nested too deeply to be read"), self.where(name),
                                    line, column) from None
            line, column = line_column(text, position)
            items.append(Item(value, line, column))
            position = skip_blanks(text, end)
            if text.startswith(",", position):
                position = skip_blanks(text, position + 1)
                continue
            if text.startswith("]", position):
                return self._end(name, text, position + 1, items)
            line, column = line_column(text, position)
            raise self._problem(_("not valid JSON: expected ',' or ']'"), self.where(name), line,
                                column)

    def _end(self, name: str, text: str, position: int, items: list[Item]) -> list[Item]:
        rest = skip_blanks(text, position)
        if rest < len(text):
            line, column = line_column(text, rest)
            raise self._problem(_("not valid JSON: extra data after the list"), self.where(name),
                                line, column)
        return items

    def _text(self, name: str) -> str:
        try:
            return decode_utf8(self._bytes(name), self.where(name))
        except RecordError as error:
            raise InputError(error.problems) from None

    def _bytes(self, name: str) -> bytes:
        limit = min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - self._read)
        if self._zip is None:
            raw = self._read_file(name, limit)
        else:
            raw = self._read_member(name, limit)
        self._read += len(raw)
        return raw

    def _read_file(self, name: str, limit: int) -> bytes:
        path = self.path / name
        try:
            with path.open("rb") as handle:
                raw = handle.read(limit + 1)
        except OSError as error:
            raise self._problem(_("cannot be read ({reason})", reason=error.strerror or error),
                                str(path)) from None
        if len(raw) > limit:
            raise self._too_large(name)
        return raw

    def _read_member(self, name: str, limit: int) -> bytes:
        assert self._zip is not None
        info = self._members[self._prefix + name]
        where = self.where(name)
        if info.file_size > limit:
            raise self._too_large(name)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                info.compress_size, 1):
            raise self._bomb(where, info.file_size, info.compress_size)
        chunks: list[bytes] = []
        size = reached = 0
        try:
            with self._zip.open(info) as member:
                while size <= limit:
                    reached = size + min(_CHUNK, limit + 1 - size)
                    chunk = member.read(reached - size)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                    # The header may understate the size: the bytes read decide.
                    if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
                        raise self._bomb(where, size, info.compress_size)
        except zipfile.BadZipFile as error:
            if reached >= info.file_size:
                # The reader stops at the declared size; what follows it fails the checksum.
                raise self._problem(_("a zip bomb or a corrupt member: it holds more bytes "
                                      "than its header declares ({declared}), or other bytes",
                                      declared=figure(info.file_size)), where) from None
            raise self._problem(_("a corrupt zip member ({reason})", reason=error), where
                                ) from None
        except (zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError,
                OSError) as error:
            raise self._problem(_("a corrupt zip member ({reason})", reason=error), where
                                ) from None
        if size > info.file_size:
            raise self._problem(_("a zip bomb: the member holds more bytes than its header "
                                  "declares ({declared})", declared=figure(info.file_size)),
                                where)
        if size > limit:
            raise self._too_large(name)
        return b"".join(chunks)

    def _common_prefix(self) -> str:
        # An export zipped again from its folder holds everything under one folder.
        # (A zip made on macOS also holds a __MACOSX/ folder of metadata.)
        if "channels.json" in self._members:
            return ""
        tops = [name.removesuffix("channels.json") for name in self._members
                if name.endswith("/channels.json") and name.count("/") == 1
                and not name.startswith("__MACOSX/")]
        return tops[0] if len(tops) == 1 else ""

    def _too_large(self, name: str) -> InputError:
        if MAX_TOTAL_BYTES - self._read >= MAX_MEMBER_BYTES:
            return self._problem(_("a member larger than {limit} bytes, the limit for one "
                                   "file of an export", limit=figure(MAX_MEMBER_BYTES)),
                                 self.where(name))
        return self._problem(_("the export is too large to import: it would take more than "
                               "{limit} bytes, the limit for the files read",
                               limit=figure(MAX_TOTAL_BYTES)), self.where(name))

    def _too_many(self, count: int) -> InputError:
        return self._problem(_("the export holds {count} files; the limit is {limit} files",
                               count=figure(count), limit=figure(MAX_MEMBERS)))

    def _bomb(self, where: str, size: int, compressed: int) -> InputError:
        return self._problem(_("a zip bomb: {size} bytes inflated from {compressed}, more "
                               "than {ratio} times their compressed size",
                               size=figure(size), compressed=figure(compressed),
                               ratio=MAX_RATIO), where)

    def _json_problem(self, name: str, error: json.JSONDecodeError) -> InputError:
        return self._problem(_("not valid JSON: {reason}", reason=error.msg), self.where(name),
                             error.lineno, error.colno)

    def _problem(self, message: str, where: str | None = None, line: int = 1,
                 column: int = 1) -> InputError:
        return InputError([Problem(where or self.label, line, column, message)])

    def problem(self, name: str, message: str, line: int = 1, column: int = 1) -> InputError:
        """Return the error of a member whose content is not what an export holds."""
        return self._problem(message, self.where(name), line, column)


def open_export(path: Path) -> Export:
    """Open an export, a folder or a zip; raise InputError when it is neither."""
    return Export(path)


def _declared_entries(handle: BinaryIO) -> int | None:
    """Return how many members a zip's end record declares, before reading its directory."""
    handle.seek(0, 2)
    size = handle.tell()
    tail_size = min(size, 22 + 65535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        return None
    entries = int(struct.unpack("<H", tail[end + 10:end + 12])[0])
    locator = end - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
        # Zip64: the count is in the zip64 end record the locator points to.
        offset = int(struct.unpack("<Q", tail[locator + 8:locator + 16])[0])
        handle.seek(offset)
        record = handle.read(56)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            entries = int(struct.unpack("<Q", record[32:40])[0])
    return entries
