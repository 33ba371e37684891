"""`--into`: a draft merged into a record adds what it lacks, in place, and keeps the rest."""

from __future__ import annotations

import pytest

from postmortem.errors import WorkspaceError
from postmortem.importers.draft import Draft, Todo
from postmortem.importers.emit import draft_yaml
from postmortem.importers.merge import merge_draft
from postmortem.record.load import load_bytes
from postmortem.record.validate import validate_upgraded

from support import APHP

#: A record as an author keeps it: comments, a flow `[]`, entries out of the draft's order.
RECORD = """\
# The checkout incident; keep this comment.
schema_version: 2
id: 2025-03-02-checkout-latency
title: Checkout latency after a cache node failure
lang: en
timezone: Europe/London
organisation: Example Shop
summary: Checkout slowed down for 40 minutes after a cache node failed.
key_instants:
  started:
    at: 2025-03-02T10:00Z   # from the cache's logs
cause:
  trigger:
    summary: A cache node ran out of memory.
    category: capacity
impacts:
  - service: Checkout
    started: 2025-03-02T10:00Z
    ended: about 2025-03-02T10:40Z
timeline:
  # Written by the on-call engineer.
  - at: 2025-03-02T10:00Z
    kind: trigger
    text: The cache node stops answering.

  - at: 2025-03-02T10:30Z
    kind: action
    text: The node is replaced.
sources: []
"""

SOURCE = {"id": "status-page", "title": "Checkout is slow", "publisher": "Example Shop",
          "url": "https://status.example.com/incidents/x1"}
SITE = "[Europe/London]"


def _draft(**changes: object) -> Draft:
    fields: dict = {
        "id": "2025-03-02-checkout-is-slow", "title": "Checkout is slow", "lang": "en",
        "timezone": "Europe/London", "source": dict(SOURCE),
        "key_instants": {"started": {"at": f"2025-03-02T10:02{SITE}"},
                      "detected": {"at": f"before 2025-03-02T10:12{SITE}",
                                   "note": "the first update"}},
        "impacts": [{"service": "Checkout", "started": f"2025-03-02T10:12{SITE}",
                  "outcome": "ended", "sources": ["status-page"]},
                 {"service": "Payments API", "started": f"2025-03-02T10:12{SITE}",
                  "ended": f"2025-03-02T10:45{SITE}", "outcome": "restored",
                  "sources": ["status-page"]}],
        "communications": [{"at": f"2025-03-02T10:12{SITE}", "channel": "status page",
                         "audience": ["public"], "said": "We are investigating slow checkout.",
                         "sources": ["status-page"]}],
        "timeline": [{"at": f"2025-03-02T10:12{SITE}", "kind": "detection",
                   "text": "Status page: investigating.", "sources": ["status-page"]},
                  {"at": f"2025-03-02T10:45{SITE}", "kind": "recovery",
                   "text": "Status page: resolved.", "sources": ["status-page"]}],
        "todos": [Todo(("timeline", 1), "check that this is when service came back")]}
    fields.update(changes)
    return Draft(**fields)


def _valid(text: str) -> None:
    validate_upgraded(load_bytes(text.encode(), "record.yaml"))


def test_a_merge_adds_what_the_record_lacks_and_keeps_every_line_it_had() -> None:
    merged = merge_draft(RECORD, _draft(), "record.yaml")
    _valid(merged.text)
    assert merged.added == {"key_instants": 1, "impacts": 1, "communications": 1,
                            "timeline": 2, "sources": 1}
    lines = merged.text.splitlines()
    # Only insertions: the record's own lines are all there, in their order.
    kept = iter(lines)
    assert all(any(line == other for other in kept)
               for line in RECORD.splitlines() if line != "sources: []")
    assert "# The checkout incident; keep this comment." in lines
    assert "    at: 2025-03-02T10:00Z   # from the cache's logs" in lines
    # The started instant the record gives is kept; detected, which it lacks, is added.
    assert merged.text.count("started:\n") == 1
    assert f"    at: before 2025-03-02T10:12{SITE}" in lines
    # Checkout is there already; Payments API is not.
    assert merged.text.count("service: Checkout") == 1
    assert "  - service: Payments API" in lines
    assert "sources:" in lines and "  - id: status-page" in lines


def test_timeline_entries_go_in_time_order_with_their_todo() -> None:
    lines = merge_draft(RECORD, _draft(), "record.yaml").text.splitlines()
    texts = [line.strip() for line in lines if line.strip().startswith("text:")]
    assert texts == ["text: The cache node stops answering.",
                     "text: \"Status page: investigating.\"",
                     "text: The node is replaced.",
                     "text: \"Status page: resolved.\""]
    todo = lines.index("  # TODO: check that this is when service came back")
    assert lines[todo + 1] == f"  - at: 2025-03-02T10:45{SITE}"
    # The author's comment stays above the entry it describes.
    comment = lines.index("  # Written by the on-call engineer.")
    assert lines[comment + 1] == "  - at: 2025-03-02T10:00Z"


def test_importing_twice_adds_nothing_even_after_the_author_rewords_an_entry() -> None:
    once = merge_draft(RECORD, _draft(), "record.yaml").text
    reworded = once.replace("Status page: investigating.", "Support saw slow checkouts.")
    again = merge_draft(reworded, _draft(), "record.yaml")
    assert not again.changed
    assert again.text == reworded


def test_two_entries_of_one_minute_stay_two() -> None:
    twice = _draft(timeline=[
        {"at": f"2025-03-02T10:12{SITE}", "kind": "action", "text": "First.",
         "sources": ["status-page"]},
        {"at": f"2025-03-02T10:12{SITE}", "kind": "action", "text": "Second.",
         "sources": ["status-page"]}])
    once = merge_draft(RECORD, twice, "record.yaml")
    assert once.added["timeline"] == 2
    assert not merge_draft(once.text, twice, "record.yaml").changed


def test_another_document_under_the_same_id_gets_a_free_id() -> None:
    once = merge_draft(RECORD, _draft(), "record.yaml").text
    other = _draft(source={**SOURCE, "url": "https://status.example.com/incidents/x2"})
    merged = merge_draft(once, other, "record.yaml")
    _valid(merged.text)
    assert "  - id: status-page-2" in merged.text.splitlines()
    assert "sources: [status-page-2]" in merged.text


def test_a_record_without_communications_gets_the_list_at_its_end() -> None:
    merged = merge_draft(RECORD, _draft(), "record.yaml").text
    assert merged.index("communications:\n  - at: ") > merged.index("sources:\n")
    _valid(merged)


def test_line_endings_are_kept() -> None:
    merged = merge_draft(RECORD.replace("\n", "\r\n"), _draft(), "record.yaml").text
    assert "\n" not in merged.replace("\r\n", "")
    _valid(merged.replace("\r\n", "\n"))


def test_a_list_written_on_one_line_becomes_a_block_with_its_entries_unchanged() -> None:
    flow = RECORD.replace(
        "impacts:\n  - service: Checkout\n    started: 2025-03-02T10:00Z\n"
        "    ended: about 2025-03-02T10:40Z\n",
        "impacts: [{service: Checkout, started: 2025-03-02T10:00Z, outcome: ended}]\n")
    merged = merge_draft(flow, _draft(), "record.yaml")
    _valid(merged.text)
    assert merged.added["impacts"] == 1
    assert ("impacts:\n  - {service: Checkout, started: 2025-03-02T10:00Z, outcome: ended}\n"
            "  - service: Payments API\n") in merged.text


def test_a_list_written_over_several_lines_in_brackets_is_refused_with_its_line() -> None:
    flow = RECORD.replace(
        "impacts:\n  - service: Checkout\n    started: 2025-03-02T10:00Z\n"
        "    ended: about 2025-03-02T10:40Z\n",
        "impacts: [{service: Checkout,\n           started: 2025-03-02T10:00Z, outcome: ended}]\n")
    with pytest.raises(WorkspaceError, match=r"record.yaml:16:1: impacts is not written as a "
                                             r"list of entries one below the other"):
        merge_draft(flow, _draft(), "record.yaml")


def test_the_aphp_record_takes_a_draft_and_keeps_its_comments() -> None:
    text = APHP.read_text(encoding="utf-8")
    draft = _draft(timezone="Europe/Paris")
    merged = merge_draft(text, draft, str(APHP)).text
    _valid(merged)
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert comments and all(comment in merged.splitlines() for comment in comments)
    assert not merge_draft(merged, draft, str(APHP)).changed


def test_a_new_draft_validates_and_carries_its_todos_as_comments() -> None:
    text = draft_yaml(_draft())
    _valid(text)
    lines = text.splitlines()
    assert "  # TODO: check that this is when service came back" in lines
    assert 'summary: "TODO: what happened, to whom, for how long, what was not affected and ' \
           'what will change, in a few sentences."' in lines
    assert "review:\n  status: draft" in text
