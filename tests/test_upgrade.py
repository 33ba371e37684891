"""Schema versions: older records are read through the upgrade path, newer ones refused."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from postmortem.analysis.derive import derive
from postmortem.record.migrations import MIGRATIONS, upgrade_data
from postmortem.record.validate import read_incident
from postmortem.render.markdown import render_markdown

from support import APHP, RECORDS, ROOT

# The minimal record in the pre-release format, with comments and a flow-style list.
VERSION_0 = """\
schema_version: 0   # pre-release format
id: 2025-03-02-checkout-latency
title: Checkout latency after a cache node failure
lang: en
timezone: Europe/London
organisation: Example Shop
severity: moderate
summary: Checkout slowed down for 40 minutes after a cache node failed.
# When things happened; durations are computed from these.
instants:
  started:
    at: 2025-03-02T10:00Z
  detected:
    at: between 2025-03-02T10:05Z and 10:10
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
"action_items":   # quoted key, kept quoted
  - {id: cache-memory-alert, action: Alert on cache memory, owner: SRE, type: detect}
"""


def write(tmp_path, text: str, name: str = "checkout.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_version_0_record_reads_as_the_current_version(tmp_path):
    incident = read_incident(write(tmp_path, VERSION_0))
    assert incident.schema_version == 2
    assert incident.key_instants.detected.at.text == "between 2025-03-02T10:05Z and 10:10"
    assert [action.id for action in incident.actions] == ["cache-memory-alert"]
    version_1 = VERSION_0.replace("schema_version: 0", "schema_version: 1").replace(
        "\ninstants:", "\nkey_instants:").replace('"action_items":', '"actions":')
    current = read_incident(write(tmp_path, version_1, "current.yaml"))
    assert render_markdown(derive(incident)) == render_markdown(derive(current))


def test_the_migrations_run_in_order_up_to_the_current_version():
    assert sorted(MIGRATIONS) == [0, 1]
    data = upgrade_data({"schema_version": 0, "id": "x", "instants": {}, "action_items": [],
                         "impacts": [{"service": "a", "ongoing": True, "sources": []}]})
    assert list(data) == ["schema_version", "id", "key_instants", "actions", "impacts"]
    assert data["schema_version"] == 2
    assert data["impacts"] == [{"service": "a", "outcome": "ongoing", "sources": []}]


def test_problems_in_an_older_record_are_at_their_lines(run, tmp_path):
    path = write(tmp_path, VERSION_0.replace("    at: between 2025-03-02T10:05Z and 10:10",
                                             "    at: 2025-03-02T10:05"))
    status, _, err = run("validate", path)
    assert status == 1
    assert err.startswith(f"{path}:14:9: error: key_instants.detected.at: 2025-03-02T10:05 has no "
                          "time zone")


def test_upgrade_rewrites_the_file_keeping_comments_and_layout(run, tmp_path):
    path = write(tmp_path, VERSION_0)
    path.chmod(0o600)
    status, out, _ = run("upgrade", path)
    assert status == 0
    assert out == f"{path}: upgraded from version 0 to 2\n"
    before, after = VERSION_0.splitlines(), path.read_text(encoding="utf-8").splitlines()
    assert len(before) == len(after)
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [
        ("schema_version: 0   # pre-release format", "schema_version: 2   # pre-release format"),
        ("instants:", "key_instants:"),
        ('"action_items":   # quoted key, kept quoted', '"actions":   # quoted key, kept quoted'),
    ]
    assert path.stat().st_mode & 0o777 == 0o600
    assert run("validate", path)[0] == 0
    assert run("upgrade", path)[1] == f"{path}: already at version 2\n"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_an_invalid_older_record_is_not_rewritten(run, tmp_path):
    text = VERSION_0.replace("severity: moderate", "severity: huge")
    path = write(tmp_path, text)
    status, _, err = run("upgrade", path)
    assert status == 1
    assert err.startswith(f"{path}:7:11: error: severity: 'huge' is not a severity")
    assert path.read_text(encoding="utf-8") == text


def test_a_newer_version_is_refused_with_a_clear_message(run, tmp_path):
    path = tmp_path / "future.yaml"
    shutil.copyfile(RECORDS / "invalid" / "future-version.yaml", path)
    for command in ("validate", "upgrade"):
        status, _, err = run(command, path)
        assert status == 1
        assert err.startswith(f"{path}:1:17: error: schema_version: schema_version 3 is newer "
                              "than this postmortem understands (up to 2): upgrade postmortem")
    assert path.read_bytes() == (RECORDS / "invalid" / "future-version.yaml").read_bytes()


def test_an_unknown_version_is_refused(run, tmp_path):
    for version in ("-1", '"1"', "1.0", "true"):
        path = write(tmp_path, VERSION_0.replace("schema_version: 0", f"schema_version: {version}"))
        status, _, err = run("validate", path)
        assert status == 1
        assert "unsupported schema_version" in err and "reads versions 0 to 2" in err, version


# The minimal record in format 1, with one impact still going on and one that ended.
VERSION_1 = """\
schema_version: 1  # format 1
id: 2025-03-02-checkout-latency
title: Checkout latency after a cache node failure
lang: en
timezone: Europe/London
organisation: Example Shop
severity: moderate
summary: Checkout slowed down for 40 minutes after a cache node failed.
key_instants:
  started:
    at: 2025-03-02T10:00Z
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
    ongoing: false
  # Reports are still being rebuilt.
  - service: Reports
    started: 2025-03-02T10:00Z
    ongoing: true   # as of the review
  - service: Search
    started: 2025-03-02T10:00Z
    ended: 2025-03-02T10:20Z
    ongoing: false  # stopped with the cache
  - {service: Mail, started: 2025-03-02T10:00Z, ongoing: true}
timeline:
  - at: 2025-03-02T10:00Z
    kind: trigger
    text: The cache node stops answering.
actions:
  - {id: cache-memory-alert, action: Alert on cache memory, owner: SRE, type: detect}
"""


def test_a_version_1_record_reads_as_version_2(tmp_path):
    incident = read_incident(write(tmp_path, VERSION_1))
    assert [impact.end_state for impact in incident.impacts] == [
        "restored", "ongoing", "restored", "ongoing"]
    # Format 1 said nothing of an item's status: format 2 reads it as not stated.
    assert incident.actions[0].status is None and incident.actions[0].priority is None


def test_upgrade_rewrites_ongoing_at_its_line_keeping_the_rest(run, tmp_path):
    path = write(tmp_path, VERSION_1)
    status, out, _ = run("upgrade", path)
    assert (status, out) == (0, f"{path}: upgraded from version 1 to 2\n")
    after = path.read_text(encoding="utf-8")
    assert after == (VERSION_1
                     .replace("schema_version: 1  # format 1", "schema_version: 2  # format 1")
                     .replace("    ended: about 2025-03-02T10:40Z\n    ongoing: false\n",
                              "    ended: about 2025-03-02T10:40Z\n")
                     .replace("    ongoing: true   # as of the review",
                              "    outcome: ongoing   # as of the review")
                     .replace("    ongoing: false  # stopped with the cache",
                              "    # stopped with the cache")
                     .replace("ongoing: true}", "outcome: ongoing}"))
    assert read_incident(path) == read_incident(write(tmp_path, VERSION_1, "original.yaml"))


def test_ongoing_false_that_is_not_alone_on_its_line_is_left_to_change_by_hand(run, tmp_path):
    text = VERSION_1.replace("ongoing: true}", "ongoing: false, ended: 2025-03-02T10:30Z}")
    path = write(tmp_path, text)
    status, _, err = run("upgrade", path)
    assert status == 1
    assert err.startswith(f"{path}:31:49: error: impacts[3].ongoing: remove this "
                          "'ongoing: false' by hand")
    assert path.read_text(encoding="utf-8") == text


def test_problems_in_a_version_1_record_are_at_their_lines(run, tmp_path):
    text = VERSION_1.replace("    ongoing: true   # as of the review",
                             "    ongoing: true\n    ended: 2025-03-02T10:50Z")
    status, _, err = run("validate", write(tmp_path, text))
    assert status == 1
    # `ongoing: true` is read as `outcome: ongoing`, and reported at its line.
    assert ":26:14: error: impacts[1].outcome: an impact cannot be ongoing and have ended" in err


def _last_version_1_of(path) -> str | None:
    """Return the last committed text of a record while it was in format 1, if git has it."""
    relative = path.relative_to(ROOT).as_posix()
    try:
        revisions = subprocess.run(["git", "-C", str(ROOT), "log", "--format=%H", "--", relative],
                                   capture_output=True, text=True, check=True).stdout.split()
        for revision in revisions:
            text = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:{relative}"],
                                  capture_output=True, text=True, check=True).stdout
            if text.startswith("schema_version: 1\n"):
                return text
    except (OSError, subprocess.CalledProcessError):
        return None
    return None


def test_the_aphp_record_of_format_1_upgrades_to_the_current_format(run, tmp_path):
    text = (APHP.read_text(encoding="utf-8") if APHP.read_text(encoding="utf-8").startswith(
        "schema_version: 1\n") else _last_version_1_of(APHP))
    if text is None:
        pytest.skip("no format 1 version of the AP-HP record in this checkout")
    path = write(tmp_path, text, APHP.name)
    original = read_incident(write(tmp_path, text, "original.yaml"))
    status, out, _ = run("upgrade", path)
    assert (status, out) == (0, f"{path}: upgraded from version 1 to 2\n")
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [(old, new) for old, new in zip(text.splitlines(), after, strict=True)
               if old != new]
    assert changed == [("schema_version: 1", "schema_version: 2"),
                       ("    ongoing: true", "    outcome: ongoing")]
    assert read_incident(path) == original
