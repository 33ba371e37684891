"""Schema versions: older records are read through the upgrade path, newer ones refused."""

from __future__ import annotations

import shutil

from postmortem.analysis.derive import derive
from postmortem.record.migrations import MIGRATIONS, upgrade_data
from postmortem.record.validate import read_incident
from postmortem.render.markdown import render_markdown

from support import RECORDS

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


def test_a_version_0_record_reads_as_version_1(tmp_path):
    incident = read_incident(write(tmp_path, VERSION_0))
    assert incident.schema_version == 1
    assert incident.key_instants.detected.at.text == "between 2025-03-02T10:05Z and 10:10"
    assert [action.id for action in incident.actions] == ["cache-memory-alert"]
    version_1 = VERSION_0.replace("schema_version: 0", "schema_version: 1").replace(
        "\ninstants:", "\nkey_instants:").replace('"action_items":', '"actions":')
    current = read_incident(write(tmp_path, version_1, "current.yaml"))
    assert render_markdown(derive(incident)) == render_markdown(derive(current))


def test_the_migrations_run_in_order_up_to_the_current_version():
    assert sorted(MIGRATIONS) == [0]
    data = upgrade_data({"schema_version": 0, "id": "x", "instants": {}, "action_items": []})
    assert list(data) == ["schema_version", "id", "key_instants", "actions"]
    assert data["schema_version"] == 1


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
    assert out == f"{path}: upgraded from version 0 to 1\n"
    before, after = VERSION_0.splitlines(), path.read_text(encoding="utf-8").splitlines()
    assert len(before) == len(after)
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [
        ("schema_version: 0   # pre-release format", "schema_version: 1   # pre-release format"),
        ("instants:", "key_instants:"),
        ('"action_items":   # quoted key, kept quoted', '"actions":   # quoted key, kept quoted'),
    ]
    assert path.stat().st_mode & 0o777 == 0o600
    assert run("validate", path)[0] == 0
    assert run("upgrade", path)[1] == f"{path}: already at version 1\n"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_an_invalid_older_record_is_not_rewritten(run, tmp_path):
    text = VERSION_0.replace("severity: moderate", "severity: huge")
    path = write(tmp_path, text)
    status, _, err = run("upgrade", path)
    assert status == 1
    assert err.startswith(f"{path}:7:11: error: severity: Input should be")
    assert path.read_text(encoding="utf-8") == text


def test_a_newer_version_is_refused_with_a_clear_message(run, tmp_path):
    path = tmp_path / "future.yaml"
    shutil.copyfile(RECORDS / "invalid" / "future-version.yaml", path)
    for command in ("validate", "upgrade"):
        status, _, err = run(command, path)
        assert status == 1
        assert err.startswith(f"{path}:1:17: error: schema_version: schema_version 2 is newer "
                              "than this postmortem understands (up to 1): upgrade postmortem")
    assert path.read_bytes() == (RECORDS / "invalid" / "future-version.yaml").read_bytes()


def test_an_unknown_version_is_refused(run, tmp_path):
    for version in ("-1", '"1"', "1.0", "true"):
        path = write(tmp_path, VERSION_0.replace("schema_version: 0", f"schema_version: {version}"))
        status, _, err = run("validate", path)
        assert status == 1
        assert "unsupported schema_version" in err and "reads versions 0 to 1" in err, version
