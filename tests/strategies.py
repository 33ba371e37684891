"""Hypothesis strategies that build valid incident records, and ways to break them.

`records()` draws a record from the model's own fields: ids, a language, a zone, key instants
in order, impacts, communications, timeline entries, lessons, action items with owners and
due dates, and sources that the facts cite. Every text field takes arbitrary Unicode except
what validation refuses by design (control characters, bidirectional controls, the
non-characters YAML cannot carry), so that a record that fails is a defect, never the draw.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import yaml
from hypothesis import strategies as st

from postmortem.record.model import TAXONOMIES

# Refused on purpose: bidirectional embeddings, overrides and isolates (Trojan Source).
BIDI_CONTROLS = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
# Windows device names: a report named after one could not be written there.
RESERVED_IDS = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                *(f"lpt{n}" for n in range(10))}

ZONES = ("UTC", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo",
         "Australia/Lord_Howe", "Pacific/Kiritimati", "America/St_Johns")

#: Any character a record may hold in a text: no controls (Cc), surrogates (Cs) or
#: unassigned code points (Cn, which holds U+FFFE and U+FFFF), no bidi controls.
TEXT_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs", "Cn"),
                                blacklist_characters=BIDI_CONTROLS)


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Arbitrary Unicode text with at least one visible character."""
    return st.text(TEXT_CHARACTERS, min_size=1, max_size=max_size).filter(
        lambda text: text.strip() != "")


#: Characters a forged table cell would use, drawn often beside arbitrary ones.
CELL_CHARACTERS = st.sampled_from(["|", "\\", "\\|", "`", "\n", "\n\n", "*", "_", "[", "]",
                                   "<", ">", "&", "#", "-", ":", "!", "~", " "])


def cell_texts(max_size: int = 30) -> st.SearchStrategy[str]:
    """Text that tries to break out of a Markdown table cell: pipes, escapes, newlines."""
    pieces = st.lists(st.one_of(CELL_CHARACTERS, texts(6)), min_size=1, max_size=max_size)
    return pieces.map("".join).filter(lambda text: text.strip() != "")


def slugs() -> st.SearchStrategy[str]:
    """An id: lowercase letters, digits and hyphens, not a Windows device name."""
    return st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,23}\Z").filter(
        lambda slug: slug not in RESERVED_IDS)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")


@st.composite
def records(draw, text: st.SearchStrategy[str] | None = None) -> dict:
    """Draw a valid record as data (dump it with `as_yaml`); `text` draws its texts."""
    text = texts() if text is None else text
    start = draw(st.datetimes(datetime(1990, 1, 1), datetime(2150, 1, 1))).replace(
        second=0, microsecond=0, tzinfo=UTC)
    steps = draw(st.lists(st.integers(0, 3 * 24 * 60), min_size=3, max_size=3))
    detected, mitigated, restored = (start + timedelta(minutes=sum(steps[:n]))
                                     for n in (1, 2, 3))
    source_ids = draw(st.lists(slugs(), min_size=1, max_size=4, unique=True))
    lesson_ids = draw(st.lists(slugs(), max_size=3, unique=True))
    cite = st.lists(st.sampled_from(source_ids), max_size=2, unique=True)
    taxonomy = draw(st.sampled_from(sorted(TAXONOMIES)))
    category = st.sampled_from(sorted(TAXONOMIES[taxonomy]))

    def instant_between(low: datetime, high: datetime) -> str:
        minutes = int((high - low).total_seconds() // 60)
        return _stamp(low + timedelta(minutes=draw(st.integers(0, minutes))))

    record: dict = {
        "schema_version": 2,
        "id": draw(slugs()),
        "title": draw(text),
        "lang": draw(st.sampled_from(["en", "fr"])),
        "timezone": draw(st.sampled_from(ZONES)),
        "organisation": draw(text),
        "severity": draw(st.sampled_from(["critical", "major", "moderate", "minor"])),
        "taxonomy": taxonomy,
        "summary": draw(text),
        "key_instants": {
            "started": {"at": _stamp(start), "sources": draw(cite)},
            "detected": {"at": _stamp(detected), "what": draw(text)},
            "mitigated": {"at": f"about {_stamp(mitigated)}"},
            "restored": {"at": _stamp(restored), "note": draw(text)},
        },
        "cause": {
            "trigger": {"summary": draw(text), "category": draw(category),
                        "sources": draw(cite)},
            "contributing_factors": [
                {"summary": draw(text), "category": draw(category), "detail": draw(text)}
                for _ in range(draw(st.integers(0, 2)))],
        },
        "impacts": [
            {"service": draw(text), "description": draw(text),
             "sites": draw(st.lists(text, max_size=2)),
             "site_count": draw(st.integers(0, 10**6)),
             "started": _stamp(start), "ended": instant_between(start, restored),
             "quantities": [{"value": draw(st.integers(0, 10**9)), "unit": draw(text),
                             "sources": draw(cite)}],
             "sources": draw(cite)}
            for _ in range(draw(st.integers(1, 3)))],
        "communications": [
            {"at": instant_between(start, restored), "channel": draw(text),
             "audience": draw(st.lists(st.sampled_from(
                 ["staff", "public", "press", "authority", "customers", "partners"]),
                 min_size=1, max_size=3, unique=True)),
             "said": draw(text), "sources": draw(cite)}
            for _ in range(draw(st.integers(0, 2)))],
        "timeline": [
            {"at": at, "kind": draw(st.sampled_from(
                ["trigger", "impact", "detection", "action", "communication", "milestone",
                 "decision", "recovery"])), "text": draw(text), "sources": draw(cite)}
            for at in sorted(instant_between(start, restored)
                             for _ in range(draw(st.integers(1, 5))))],
        "lessons": [{"id": ident, "title": draw(text), "text": draw(text)}
                    for ident in lesson_ids],
        "actions": [
            {"id": ident, "action": draw(text), "owner": draw(text),
             "type": draw(st.sampled_from(["prevent", "detect", "mitigate", "process"])),
             "due": (start + timedelta(days=draw(st.integers(0, 400)))).date().isoformat(),
             "status": draw(st.sampled_from(["proposed", "open", "in_progress", "done",
                                             "wont_do"])),
             "lessons": draw(st.lists(st.sampled_from(lesson_ids), max_size=2, unique=True))
             if lesson_ids else []}
            for ident in draw(st.lists(slugs(), max_size=3, unique=True))],
        "sources": [{"id": ident, "title": draw(text), "publisher": draw(text)}
                    for ident in source_ids],
    }
    return record


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting the one-letter booleans of YAML 1.1 (`y`, `N`…) too,
    which the record loader refuses unquoted as it refuses `yes` and `no`."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "'" if text.lower() in ("y", "n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text)


def as_yaml(record: dict) -> bytes:
    """Write a record as a person would: block style, Unicode as it is."""
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=72).encode()


# --- Breaking a record the way an editor, a merge or a bad paste does ------------------------

@st.composite
def mutated(draw, source: bytes) -> bytes:
    """Return `source` broken once or a few times: lines lost or doubled, values retyped,
    characters inserted, the file cut short."""
    text = source.decode("utf-8")
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        where = draw(st.integers(0, max(len(lines) - 1, 0)))
        how = draw(st.sampled_from(["delete", "duplicate", "retype", "insert", "truncate",
                                    "indent", "swap"]))
        if how == "delete":
            del lines[where]
        elif how == "duplicate":
            lines.insert(where, lines[where])
        elif how == "retype" and ":" in lines[where]:
            key = lines[where].split(":", 1)[0]
            value = draw(st.sampled_from(
                ["", " ~", " []", " {}", " [a, b]", " {a: 1}", " 12", " -1", " 1.5e300",
                 " yes", " no", " .nan", " 0x1F", " 2025-02-30", " 25:61", " '2025-03-02'",
                 " &a x", " *a", " !!binary aGk=", " |", " >-", ' "unclosed', " 10**1000",
                 " 99999999999999999999999999999", " 0001-01-01T00:00+14:00",
                 " 9999-12-31T23:59-12:00", " 2025-03-02T10:00+25:00", " con", " ../x"]))
            lines[where] = key + ":" + value
        elif how == "insert":
            line = lines[where]
            at = draw(st.integers(0, len(line)))
            extra = draw(st.text(st.one_of(st.sampled_from(list(":-[]{}&*!|>'\"#%@`\t ,?")),
                                           st.characters()), min_size=1, max_size=4))
            lines[where] = line[:at] + extra + line[at:]
        elif how == "indent":
            lines[where] = draw(st.sampled_from([" ", "  ", "    ", "\t"])) + lines[where]
        elif how == "swap" and where + 1 < len(lines):
            lines[where], lines[where + 1] = lines[where + 1], lines[where]
        text = "\n".join(lines)
        if how == "truncate":
            text = text[:draw(st.integers(0, len(text)))]
    return text.encode("utf-8", "surrogatepass")


# --- Reading tables back as a forge does ---------------------------------------------------

def markdown_tables(markdown: str) -> list[list[list[str]]]:
    """Return each table of the Markdown as rows of cells, split from the source lines.

    markdown-it pads a short row and drops the cells of a long one, so the cells are counted
    on each row's own line, with the splitting rule of its table parser (`\\|` is a pipe).
    """
    from markdown_it import MarkdownIt
    from markdown_it.rules_block.table import escapedSplit

    lines = markdown.split("\n")
    tables: list[list[list[str]]] = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open" and token.map is not None:
            cells = escapedSplit(lines[token.map[0]].strip())
            if cells and cells[0] == "":
                cells.pop(0)
            if cells and cells[-1] == "":
                cells.pop()
            tables[-1].append([cell.strip() for cell in cells])
    return tables
