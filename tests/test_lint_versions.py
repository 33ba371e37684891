"""`postmortem lint` on older records: read through the upgrade path, findings at their lines."""

from __future__ import annotations

from datetime import date

import pytest

from postmortem.lint.engine import lint_file

from support import RECORDS

TODAY = "2025-04-01"

# The minimal record in the pre-release format (`instants`, `action_items`), with a phrase
# inside `instants:` and action items that several rules report.
VERSION_0 = """\
schema_version: 0
id: 2025-03-02-checkout-latency
title: Checkout latency after a cache node failure
lang: en
timezone: Europe/London
organisation: Example Shop
severity: moderate
summary: Checkout slowed down for 40 minutes after a cache node failed.
instants:
  started:
    at: 2025-03-02T10:00Z
  detected:
    at: between 2025-03-02T10:05Z and 10:10
    note: >-
      The alert was seen late, which the first draft
      called human error.
  restored:
    at: about 2025-03-02T10:40Z
cause:
  trigger:
    summary: A cache node ran out of memory.
    category: capacity
impacts:
  - service: Checkout
    started: 2025-03-02T10:00Z
    ended: about 2025-03-02T10:40Z
timeline:
  - at: 2025-03-02T10:00Z
    kind: trigger
    text: The cache node stops answering.
  - at: 2025-03-02T10:08Z
    kind: detection
    text: The latency alert fires.
  - at: about 2025-03-02T10:40Z
    kind: recovery
    text: The cache node is replaced.
action_items:
  - id: cache-memory-alert
    action: Alert on cache memory above 80%.
    owner: SRE
    type: detect
    status: open
    due: 2025-03-20
  - id: careful
    action: Be more careful with eviction settings.
    owner: TBD
    type: process
"""


def as_version_1(text: str) -> str:
    """Return a version-0 record as version 1, renaming the keys the upgrade renames."""
    for old, new in (("schema_version: 0\n", "schema_version: 1\n"),
                     ("\ninstants:\n", "\nkey_instants:\n"), ("\naction_items:\n", "\nactions:\n")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text


def as_version_0(text: str) -> str:
    """Return a version-1 record as version 0, with the same lines."""
    for old, new in (("schema_version: 1\n", "schema_version: 0\n"),
                     ("\nkey_instants:\n", "\ninstants:\n"), ("\nactions:\n", "\naction_items:\n")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text


def placed(path) -> list[tuple]:
    """Lint a record; return its findings without the path, which differs between versions."""
    result = lint_file(path, today=date.fromisoformat(TODAY))
    assert result.problems == []
    return [(f.line, f.column, f.rule, f.severity, f.message, f.field) for f in result.findings]


def test_a_version_0_record_with_action_items_is_linted_at_its_real_lines(run, tmp_path):
    path = tmp_path / "checkout.yaml"
    path.write_text(VERSION_0, encoding="utf-8")
    status, out, err = run("lint", path, "--today", TODAY)
    assert (status, out) == (1, "")
    assert [line.partition(" (hint: ")[0] for line in err.splitlines()] == [
        f'{path}:16:14: warning: [blame-language] "human error" blames or judges people',
        f"{path}:43:10: warning: [action-overdue] action item 'cache-memory-alert' was due "
        f"2025-03-20 (12 day(s) ago) and is still open",
        f"{path}:44:5: error: [action-due] action item 'careful' has no due date",
        f"{path}:44:5: warning: [action-status] action item 'careful' does not state its status: "
        f"the report shows 'not stated'",
        f'{path}:45:13: warning: [action-vague] "Be more careful" asks people to try harder; '
        f"it changes nothing they work with",
        f'{path}:46:12: warning: [action-owner] owner "TBD" names nobody',
        "1 record(s) linted: 1 error(s), 5 warning(s)",
    ]


def test_what_is_missing_under_instants_is_reported_at_the_instants_key(run, tmp_path):
    seeded = as_version_0((RECORDS / "lint" / "seeded-en.yaml").read_text(encoding="utf-8"))
    # Without action items: a failure on them must not hide a finding placed at the wrong line.
    path = tmp_path / "seeded.yaml"
    path.write_text(seeded.partition("\naction_items:\n")[0] + "\n", encoding="utf-8")
    _, _, err = run("lint", path, "--today", TODAY)
    found = [line.partition(" (hint: ")[0] for line in err.splitlines()]
    assert f"{path}:12:1: warning: [timeline-detection] key_instants has no 'detected'" in found
    assert (f"{path}:12:1: warning: [timeline-resolution] key_instants has neither 'restored' "
            f"nor 'resolved'") in found


@pytest.mark.parametrize("name", ["inline", "seeded-en", "seeded-fr", "clean-en", "clean-fr"])
def test_a_record_gives_the_same_findings_at_version_0_and_version_1(tmp_path, name):
    if name == "inline":
        version_0, version_1 = VERSION_0, as_version_1(VERSION_0)
    else:
        version_1 = (RECORDS / "lint" / f"{name}.yaml").read_text(encoding="utf-8")
        version_0 = as_version_0(version_1)
    (tmp_path / "0.yaml").write_text(version_0, encoding="utf-8")
    (tmp_path / "1.yaml").write_text(version_1, encoding="utf-8")
    assert placed(tmp_path / "0.yaml") == placed(tmp_path / "1.yaml")
