"""The workspace build: incremental, parallel, crash-safe, with an index and exports."""

from __future__ import annotations

import csv
import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import APHP, RECORDS, ROOT, minimal_variant, small_workspace


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A workspace with the AP-HP record and two small English ones."""
    small_workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _build(run, *extra: str) -> tuple[int, str, str]:
    return run("build", "--format", "md", "--jobs", "1", "--today", "2026-01-01", *extra)


def _mtimes(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()
            if not path.name.startswith(".")}


def test_a_cold_build_renders_every_record_with_an_index_and_exports(workspace, run):
    status, _, err = _build(run)
    assert status == 0, err
    output = workspace / "output"
    for incident_id in (APHP.stem, "2025-03-02-checkout-latency", "2025-06-10-search-outage"):
        assert (output / f"{incident_id}.md").is_file()
        assert (output / f"{incident_id}.json").is_file()
    assert "3 record(s): 3 rendered, 0 up to date, 0 removed, 0 failed" in err
    index = (output / "index.md").read_text()
    rows = [line for line in index.splitlines() if line.startswith("| ") and "](" in line]
    assert [row.split("](")[1].split(")")[0] for row in rows] == [  # newest first
        "2025-06-10-search-outage.md", "2025-03-02-checkout-latency.md", f"{APHP.stem}.md"]


def test_a_no_op_rebuild_touches_nothing(workspace, run):
    _build(run)
    before = _mtimes(workspace / "output")
    status, _, err = _build(run)
    assert status == 0
    assert "0 rendered, 3 up to date" in err
    assert _mtimes(workspace / "output") == before


def test_changing_one_record_renders_only_it(workspace, run):
    _build(run)
    record = workspace / "incidents" / "search.yaml"
    record.write_text(record.read_text().replace("severity: moderate", "severity: major"))
    status, _, err = _build(run)
    assert status == 0
    assert "[1/1] rendered incidents/search.yaml" in err
    assert "1 rendered, 2 up to date" in err
    assert "| Major |" in (workspace / "output" / "index.md").read_text()


def test_changing_a_template_renders_everything(workspace, run):
    _build(run)
    templates = workspace / "templates"
    templates.mkdir()
    shutil.copy(ROOT / "postmortem" / "render" / "templates" / "report.md.j2",
                templates / "report.md.j2")
    with (templates / "report.md.j2").open("a") as template:
        template.write("\nCustom footer.\n")
    status, _, err = _build(run, "--templates", "templates")
    assert status == 0 and "3 rendered, 0 up to date" in err
    assert (workspace / "output" / f"{APHP.stem}.md").read_text().endswith("Custom footer.\n")


def test_a_templates_folder_is_used_only_when_named(workspace, run):
    _build(run)
    (workspace / "templates").mkdir()
    (workspace / "templates" / "report.md.j2").write_text("# Not asked for\n")
    status, _, err = _build(run)
    assert status == 0 and "0 rendered, 3 up to date" in err
    assert err.count("templates/ is not used") == 1
    assert err.startswith(
        "postmortem build: note: templates/ is not used: a workspace's templates are used only "
        "when asked for; pass --templates templates, or set templates = \"templates\" in [build] "
        "of postmortem.toml\n")
    assert not (workspace / "output" / f"{APHP.stem}.md").read_text().startswith("# Not asked")
    (workspace / "postmortem.toml").write_text('[build]\ntemplates = "templates"\n')
    status, _, err = _build(run)
    assert status == 0 and "3 rendered" in err and "not used" not in err
    assert (workspace / "output" / f"{APHP.stem}.md").read_text() == "# Not asked for\n"


@pytest.mark.parametrize("templates", ["absent", "postmortem.toml"])
def test_a_templates_folder_that_is_not_one_is_an_error(workspace, run, templates):
    (workspace / "postmortem.toml").write_text("")
    status, _, err = _build(run, "--templates", templates)
    what = "does not exist" if templates == "absent" else "is a file, not a folder"
    assert (status, err) == (1, f"postmortem build: error: the templates folder {templates} "
                                f"{what}: give --templates (or templates in [build] of "
                                "postmortem.toml) the folder that holds your templates\n")
    assert not (workspace / "output").exists()


def test_another_version_of_a_library_renders_everything_again(workspace, run, monkeypatch):
    from importlib import metadata

    _build(run)
    status, _, err = _build(run)
    assert status == 0 and "0 rendered, 3 up to date" in err
    installed = metadata.version
    monkeypatch.setattr(metadata, "version",
                        lambda name: "99.0" if name == "jinja2" else installed(name))
    status, _, err = _build(run)
    assert status == 0 and "3 rendered, 0 up to date" in err
    status, _, err = _build(run)
    assert status == 0 and "0 rendered, 3 up to date" in err


def test_the_fingerprint_holds_the_version_of_every_dependency():
    import tomllib

    from postmortem.workspace.fingerprint import LIBRARIES, NOT_IN_OUTPUTS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")
             for requirement in project["dependencies"]}
    assert names <= set(LIBRARIES) | set(NOT_IN_OUTPUTS)
    assert not set(LIBRARIES) & set(NOT_IN_OUTPUTS)


def test_a_deleted_record_loses_its_outputs(workspace, run):
    _build(run)
    (workspace / "incidents" / "search.yaml").unlink()
    status, _, err = _build(run)
    assert status == 0 and "removed incidents/search.yaml" in err
    assert not list((workspace / "output").glob("2025-06-10-search-outage.*"))
    assert "search-outage" not in (workspace / "output" / "index.md").read_text()


def test_a_bad_record_is_reported_and_does_not_stop_the_others(workspace, run):
    broken = (RECORDS / "invalid" / "no-offset.yaml").read_text()
    (workspace / "incidents" / "broken.yaml").write_text(
        broken.replace("id: 2025-03-02-checkout-latency", "id: broken"))
    status, _, err = _build(run)
    assert status == 1
    assert "incidents/broken.yaml:25:9: error: timeline[0].at: " in err
    assert "3 rendered, 0 up to date, 0 removed, 1 failed" in err
    assert "Not included, because the record has errors: `incidents/broken.yaml`" in (
        workspace / "output" / "index.md").read_text()


def test_two_records_with_one_id_are_refused(workspace, run):
    shutil.copy(workspace / "incidents" / "checkout.yaml", workspace / "incidents" / "copy.yaml")
    status, _, err = _build(run)
    assert status == 1
    assert ("incidents/copy.yaml:2:5: error: id: id '2025-03-02-checkout-latency' is also the "
            "id of incidents/checkout.yaml") in err
    assert ("incidents/checkout.yaml:2:5: error: id: id '2025-03-02-checkout-latency' is also "
            "the id of incidents/copy.yaml") in err


def test_one_id_is_found_however_the_yaml_spells_it(workspace, run):
    incidents, output = workspace / "incidents", workspace / "output"
    minimal = (RECORDS / "minimal.yaml").read_text()
    (incidents / "quoted.yaml").write_text(
        minimal.replace("id: 2025-03-02-checkout-latency", '"id": same-id'))
    (incidents / "folded.yaml").write_text(
        minimal.replace("id: 2025-03-02-checkout-latency", "id: >-\n  same-id"))
    status, _, err = _build(run)
    assert status == 1
    assert ("incidents/quoted.yaml:2:7: error: id: id 'same-id' is also the id of "
            "incidents/folded.yaml") in err
    assert ("incidents/folded.yaml:2:5: error: id: id 'same-id' is also the id of "
            "incidents/quoted.yaml") in err
    assert not list(output.glob("same-id.*"))
    (incidents / "quoted.yaml").unlink()
    status, _, err = _build(run)
    assert status == 0 and "[1/1] rendered incidents/folded.yaml" in err
    assert sorted(path.name for path in output.glob("same-id.*")) == ["same-id.json", "same-id.md"]


def test_a_record_written_as_one_flow_mapping_claims_its_id(workspace, run):
    incidents = workspace / "incidents"
    (incidents / "flow.yaml").write_text(
        "{schema_version: 1, id: 2025-03-02-checkout-latency, title: Flow, lang: en,\n"
        " timezone: UTC, organisation: Shop, summary: A flow record.,\n"
        " key_instants: {started: {at: 2025-03-02T10:00Z}}, timeline: []}\n")
    status, _, err = _build(run)
    assert status == 1
    assert ("incidents/flow.yaml:1:25: error: id: id '2025-03-02-checkout-latency' is also the "
            "id of incidents/checkout.yaml") in err
    assert "incidents/checkout.yaml:2:5: error: id: id '2025-03-02-checkout-latency'" in err
    assert not (workspace / "output" / "2025-03-02-checkout-latency.md").exists()


def test_three_records_with_one_id_all_fail_and_the_survivor_keeps_its_outputs(workspace, run):
    incidents, output = workspace / "incidents", workspace / "output"
    for name, title in (("one", "One"), ("two", "Two"), ("three", "Three")):
        (incidents / f"{name}.yaml").write_text(minimal_variant(
            "shared-id", **{"Checkout latency after a cache node failure": title}))
    status, _, err = _build(run)
    assert status == 1
    assert "6 record(s): 3 rendered, 0 up to date, 0 removed, 3 failed" in err
    for name, others in (("one", "incidents/three.yaml, incidents/two.yaml"),
                         ("three", "incidents/one.yaml, incidents/two.yaml"),
                         ("two", "incidents/one.yaml, incidents/three.yaml")):
        assert (f"incidents/{name}.yaml:2:5: error: id: id 'shared-id' is also the id of "
                f"{others}: their reports would overwrite each other") in err
    assert not list(output.glob("shared-id.*"))
    (incidents / "one.yaml").unlink()
    (incidents / "three.yaml").unlink()
    status, _, err = _build(run)
    assert status == 0 and "[1/1] rendered incidents/two.yaml" in err
    assert (output / "shared-id.md").read_text().startswith("# Two\n")
    status, _, err = _build(run)
    assert status == 0 and "0 rendered, 4 up to date" in err
    assert sorted(p.name for p in output.glob("shared-id.*")) == ["shared-id.json", "shared-id.md"]


def test_an_unreadable_export_is_reported_and_the_next_build_recovers(workspace, run):
    _build(run)
    output = workspace / "output"
    (output / "2025-03-02-checkout-latency.json").write_text("{not json")
    search = workspace / "incidents" / "search.yaml"
    search.write_text(search.read_text().replace("severity: moderate", "severity: major"))
    status, _, err = _build(run)
    assert status == 1
    assert ("error: the index leaves out incidents/checkout.yaml: its export "
            "output/2025-03-02-checkout-latency.json cannot be read (JSONDecodeError: ") in err
    assert "the next build renders it again" in err and "Traceback" not in err
    assert "| Major |" in (output / "index.md").read_text()
    status, _, err = _build(run)
    assert status == 0, err
    assert "rendered incidents/checkout.yaml" in err
    assert "checkout-latency.md" in (output / "index.md").read_text()


@pytest.mark.parametrize("text, claim", [
    ("id: a-1\ntitle: x\n", ("a-1", 1, 5)),
    ("'id': a-1\n", ("a-1", 1, 7)),
    ("{title: x, id: a-1}\n", ("a-1", 1, 16)),
    ("\ufefftitle: x\nid: >-\n  a-1\n", ("a-1", 2, 5)),
    ("id: 2024-08-03\n", ("2024-08-03", 1, 5)),       # a date stays text, as the loader has it
    ("cause: {id: nested}\nactions:\n  - id: b-2\nid: a-1\n", ("a-1", 4, 5)),
    ("[id, a-1]\n", None),                              # not a mapping of fields
    ("title: x\n", None),
    ("id: 123\n", None),                                # not text: validation says so
    ("id: [a-1]\n", None),
    ("id: a-1\nsummary: [unclosed\n", ("a-1", 1, 5)),  # read no further than the id
    ("title: [unclosed\nid: a-1\n", None),
])
def test_the_id_is_read_as_yaml_reads_it_and_no_further(text, claim):
    from postmortem.workspace.ids import read_id

    found = read_id(text.encode("utf-8"))
    assert (None if found is None else (found.id, found.line, found.column)) == claim


def test_deleting_a_record_keeps_the_outputs_another_record_now_writes(workspace, run):
    _build(run)
    incidents, output = workspace / "incidents", workspace / "output"
    checkout = incidents / "checkout.yaml"
    (incidents / "successor.yaml").write_text(checkout.read_text())
    checkout.write_text("id: [unclosed\n")  # no longer loads: its id is unknown
    status, _, err = _build(run)
    assert status == 1 and "rendered incidents/successor.yaml" in err
    checkout.unlink()
    status, _, err = _build(run)
    assert status == 0 and "removed incidents/checkout.yaml" in err
    assert (output / "2025-03-02-checkout-latency.md").is_file()
    assert (output / "2025-03-02-checkout-latency.json").is_file()


def test_two_records_that_swap_ids_keep_both_reports(workspace, run):
    _build(run)
    incidents, output = workspace / "incidents", workspace / "output"
    checkout, search = incidents / "checkout.yaml", incidents / "search.yaml"
    checkout_text, search_text = checkout.read_text(), search.read_text()
    checkout.write_text(checkout_text.replace("id: 2025-03-02-checkout-latency",
                                              "id: 2025-06-10-search-outage"))
    search.write_text(search_text.replace("id: 2025-06-10-search-outage",
                                          "id: 2025-03-02-checkout-latency"))
    status, _, err = _build(run)
    assert status == 0 and "2 rendered, 1 up to date" in err
    for incident_id in ("2025-03-02-checkout-latency", "2025-06-10-search-outage"):
        assert (output / f"{incident_id}.md").is_file()
        assert (output / f"{incident_id}.json").is_file()


# A build that holds its output folder until it is told to go on.
_FIRST_BUILD = """
import sys
from postmortem.workspace.build import build
from postmortem.workspace.config import load_config

def wait(event, _data):
    if event == "start":
        print("building", flush=True)
        sys.stdin.readline()

build(load_config().build.options(formats=("md",), jobs=1), wait)
"""


def test_a_second_build_on_the_same_folder_is_refused_naming_the_first(workspace, run):
    with subprocess.Popen([sys.executable, "-c", _FIRST_BUILD], cwd=workspace,
                          env={**os.environ, "PYTHONPATH": str(ROOT)},
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as first:
        try:
            assert first.stdout.readline() == "building\n"
            status, _, err = _build(run)
        finally:
            first.kill()  # SIGKILL: the first build has no chance to let go of the folder
    assert status == 1
    assert (f"another build is writing to output/ (process {first.pid}); wait for it to "
            "finish, then build again") in err
    status, _, err = _build(run)
    assert status == 0, err  # the lock died with the build that held it


class _Msvcrt:
    """Windows's byte locks, in memory: a byte locked through one file is refused to others."""

    LK_UNLCK, LK_NBLCK = 0, 2

    def __init__(self):
        self.locked: dict[tuple[int, int, int], int] = {}

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        byte = (os.fstat(fd).st_ino, os.lseek(fd, 0, os.SEEK_CUR), nbytes)
        if mode == self.LK_UNLCK:
            del self.locked[byte]
        elif self.locked.setdefault(byte, fd) != fd:
            raise PermissionError(13, "Permission denied")


@pytest.fixture
def windows_build(monkeypatch):
    """The build module imported afresh as on Windows: msvcrt, and no fcntl."""
    import postmortem.workspace

    msvcrt = _Msvcrt()
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", msvcrt)
    for name in ("build", "lock"):
        monkeypatch.delitem(sys.modules, f"postmortem.workspace.{name}", raising=False)
        monkeypatch.setattr(postmortem.workspace, name, None, raising=False)
    with monkeypatch.context() as windows:
        windows.setattr(sys, "platform", "win32")
        return importlib.import_module("postmortem.workspace.build"), msvcrt


def test_without_fcntl_the_build_locks_its_folder_with_msvcrt(workspace, windows_build):
    from postmortem.errors import WorkspaceError
    from postmortem.workspace.config import load_config

    module, msvcrt = windows_build
    options = load_config().build.options(formats=("md",), jobs=1, today=date(2026, 1, 1))
    refusals = []

    def build_again(event, _data):
        if event == "start":
            with pytest.raises(WorkspaceError) as refused:
                module.build(options)
            refusals.append(refused.value.message)

    assert not module.build(options, build_again).failed
    assert refusals == [f"another build is writing to output/ (process {os.getpid()}); "
                        "wait for it to finish, then build again"]
    assert msvcrt.locked == {}  # let go at the end
    assert module.build(options).count("up to date") == 3


def test_leftovers_of_an_interrupted_build_are_cleaned(workspace, run):
    output = workspace / "output"
    output.mkdir()
    leftover = output / ".checkout.md.k2j3h4.tmp"
    leftover.write_text("half a file")
    _build(run)
    assert not leftover.exists()


def test_exports_give_figures_and_action_items(workspace, run):
    _build(run)
    output = workspace / "output"
    exported = json.loads((output / f"{APHP.stem}.json").read_text())
    assert exported["record"]["id"] == APHP.stem
    assert exported["derived"]["figures"]["time_to_resolve"] == {
        "shortest_minutes": 79 * 60, "longest_minutes": None,
        "shortest_seconds": 79 * 3600, "longest_seconds": None, "approximate": True}
    with (output / "actions.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    aphp_rows = [row for row in rows if row["incident"] == APHP.stem]
    assert len(aphp_rows) == 8
    # All fall due in 2025, but the record's knowledge stops on its as_of, 2024-08-06.
    assert exported["derived"]["as_of"] == "2024-08-06"
    assert [row["overdue"] for row in aphp_rows] == ["no"] * 8


def test_the_review_across_incidents(workspace, run):
    _build(run, "--language", "fr")
    index = (workspace / "output" / "index.md").read_text()
    assert "| Global Switch | 1 |" in index
    # detection: 0–30 min, 5–10 min and 5–10 min count at 15, 7.5 and 7.5 minutes
    assert "| Délai de détection | 3 | 8\u00a0min | 14\u00a0min |" in index
    # Four open items, none overdue as of the record's as_of (2024-08-06).
    assert "| Direction des systèmes d'information | 4 | 0 |" in index
    assert "| Capacité | 1 |" in index and "| Dépendance | 1 |" in index


SEEDED_V2 = RECORDS / "lint" / "seeded-v2.yaml"
SILENCE = "    owner: Facilities  # postmortem: ignore[action-overdue]\n"


def _index_row(index: str, title: str) -> list[str]:
    """Return the cells of the index row of the incident with that title."""
    row = next(line for line in index.splitlines() if f"[{title}](" in line)
    return [cell.strip() for cell in row.strip("|").split("|")]


# The record's knowledge stops on 2021-04-15; three open items fall due on 2021-03-31
# (fire-drills, status not stated), 2021-04-01 (offsite-backups) and 2021-04-10
# (suppression, whose overdue finding a comment on its owner line silences).
@pytest.mark.parametrize("as_of, silenced, overdue", [
    ("2021-04-15", True, ["yes", "yes", "no"]),
    ("2021-04-15", False, ["yes", "yes", "yes"]),
    ("2021-04-05", False, ["yes", "yes", "no"]),
    ("2021-03-20", False, ["no", "no", "no"]),
    (None, True, ["yes", "yes", "no"]),  # counted on --today, 2026-01-01
])
def test_overdue_items_are_counted_on_as_of_and_never_when_silenced(workspace, run, as_of,
                                                                   silenced, overdue):
    text = SEEDED_V2.read_text()
    assert SILENCE in text and "\nas_of: 2021-04-15\n" in text
    if not silenced:
        text = text.replace(SILENCE, "    owner: Facilities\n")
    text = text.replace("\nas_of: 2021-04-15\n", f"\nas_of: {as_of}\n" if as_of else "\n")
    (workspace / "incidents" / "fire.yaml").write_text(text)
    status, _, err = _build(run)
    assert status == 0, err
    output = workspace / "output"
    with (output / "actions.csv").open() as stream:
        rows = {row["id"]: row for row in csv.DictReader(stream)
                if row["incident"] == "2021-03-10-datacenter-fire"}
    assert [rows[name]["overdue"] for name in ("fire-drills", "offsite-backups",
                                               "suppression")] == overdue
    count = overdue.count("yes")
    index = (output / "index.md").read_text()
    assert _index_row(index, "Datacenter fire and the servers it took")[-2:] == ["3", str(count)]
    facilities = overdue[0:1].count("yes") + overdue[2:].count("yes")
    assert f"| Facilities | 2 | {facilities} |" in index
    derived = json.loads((output / "2021-03-10-datacenter-fire.json").read_text())["derived"]
    assert (derived["open_actions"], derived["overdue_actions"]) == (3, count if as_of else 0)
    assert derived["silenced_overdue"] == (["suppression"] if silenced else [])


def test_actions_csv_leaves_what_is_not_stated_empty_and_gives_the_new_columns(workspace, run):
    shutil.copy(RECORDS / "lint" / "clean-v2.yaml", workspace / "incidents" / "fire.yaml")
    shutil.copy(SEEDED_V2, workspace / "incidents" / "seeded.yaml")
    (workspace / "incidents" / "seeded.yaml").write_text(
        SEEDED_V2.read_text().replace("id: 2021-03-10-datacenter-fire", "id: seeded-fire", 1))
    assert _build(run)[0] == 0
    with (workspace / "output" / "actions.csv").open() as stream:
        reader = csv.DictReader(stream)
        rows = {(row["incident"], row["id"]): row for row in reader}
    assert reader.fieldnames == [
        "incident", "id", "action", "owner", "due", "status", "type", "priority", "overdue",
        "lessons", "link", "incident_title", "completed", "superseded_by", "merged_into",
        "status_as_of", "note", "sources"]
    drills = rows["seeded-fire", "fire-drills"]
    assert (drills["status"], drills["priority"], drills["due"]) == ("", "", "2021-03-31")
    done = rows["2021-03-10-datacenter-fire", "fire-drills"]
    assert (done["status"], done["completed"], done["overdue"]) == ("done", "2021-04-02", "no")
    replaced = rows["2021-03-10-datacenter-fire", "sprinklers"]
    assert (replaced["superseded_by"], replaced["overdue"]) == ("suppression", "no")
    assert rows["2021-03-10-datacenter-fire", "suppression"]["status_as_of"] == "2021-04-12"
    assert rows["2021-03-10-datacenter-fire", "offsite-backups"]["priority"] == "high"


def _exported(record: Path, today: date = date(2026, 1, 1)) -> dict:
    """Return the derived part of a record's JSON export, as a build writes it."""
    from postmortem.render.exports import incident_json
    from postmortem.workspace.pipeline import read_report

    _, report = read_report(record, record.read_bytes(), None, today)
    return json.loads(incident_json(report))["derived"]


def test_the_json_export_gives_outcomes_losses_quantities_and_promises():
    derived = _exported(RECORDS / "lint" / "clean-v2.yaml")
    assert [(impact["id"], impact["outcome"]) for impact in derived["impacts"]] == [
        ("building-2", "never_restored"), ("building-1", "ongoing"), ("backups", "data_lost"),
        ("web", "restored"), ("email", "ended")]
    # Only an impact with both a start and an end has a duration.
    assert [impact["duration"] is None for impact in derived["impacts"]] == [
        True, True, True, False, True]
    [loss] = derived["data_losses"]
    assert (loss["service"], loss["permanent"], loss["since"]["text"]) == (
        "Backups kept in building 2", True, "2021-03-03")
    # From within the day of 3 March to 00:47 on 10 March: 6 days 47 min to 7 days 47 min.
    assert loss["window"] == {"shortest_minutes": 6 * 1440 + 47,
                              "longest_minutes": 7 * 1440 + 47,
                              "shortest_seconds": (6 * 1440 + 47) * 60,
                              "longest_seconds": (7 * 1440 + 47) * 60, "approximate": False}
    assert [(q["value"], q["unit"], q["qualifier"]) for q in derived["quantities"]] == [
        (3.6, "million websites", "about"), (10000, "servers", "at_least")]
    assert [(s["kind"], s["about"], s["late"], s["withdrawn"] is not None)
            for s in derived["slippages"]] == [
        ("restoration", "impact:web", False, False),
        ("deliverable", "deliverable", False, False),
        ("restoration", "impact:building-1", False, True)]
    web, analysis, _ = derived["slippages"]
    assert web["actual"]["text"] == "2021-03-29"
    # Delivered at 16:00 on 17 March for the end of 18 March: 1 day 7 h 59 min early.
    assert analysis["slip"]["longest_minutes"] == -(1440 + 7 * 60 + 59) - 1
    assert (derived["as_of"], derived["knowledge_day"]) == ("2021-04-15", "2021-04-15")
    assert (derived["open_actions"], derived["overdue_actions"]) == (3, 0)


@pytest.mark.parametrize("as_of, late", [("2021-04-15", True), ("2021-03-20", True),
                                          ("2021-03-19", False)])
def test_a_promise_with_no_result_is_late_once_the_knowledge_day_is_past_its_deadline(
        tmp_path, as_of, late):
    record = tmp_path / "fire.yaml"
    record.write_text(SEEDED_V2.read_text().replace("as_of: 2021-04-15", f"as_of: {as_of}"))
    derived = _exported(record)
    # Building 1 was promised for 19 March and is still ongoing: missed once that day is over.
    # The analysis promised for 18 March was withdrawn on 16 March: never missed.
    assert [(s["about"], s["actual"], s["late"]) for s in derived["slippages"]] == [
        ("impact:building-1", None, late), ("deliverable", None, False)]


def test_parallel_workers_render_html(workspace, run):
    status, _, err = run("build", "--format", "md,html", "--jobs", "2")
    assert status == 0, err
    assert '<html lang="fr">' in (workspace / "output" / f"{APHP.stem}.html").read_text()
    assert (workspace / "output" / "index.html").is_file()


@pytest.mark.slow
def test_a_build_killed_midway_leaves_complete_files_and_the_next_one_finishes(workspace):
    for number in range(4):  # short records: the build is killed between two of them
        (workspace / "incidents" / f"copy-{number}.yaml").write_text(
            minimal_variant(f"copy-{number}"))
    command = [sys.executable, "-m", "postmortem", "build", "--format", "pdf", "--jobs", "1",
               "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    build = subprocess.Popen(command, cwd=workspace, env=env)
    output = workspace / "output"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(output.glob("*.pdf"))) < 2:
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)
    build.wait()
    for pdf in output.glob("*.pdf"):
        assert len(PdfReader(pdf).pages) > 0  # every PDF on disk is complete
    finished = subprocess.run(command, cwd=workspace, env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert len(list(output.glob("*.pdf"))) == 7 + 2  # seven reviews, the index, the period review
    assert not [p for p in output.iterdir() if p.name.endswith(".tmp")]


def test_the_workspace_file_sets_defaults_and_flags_override_them(workspace, run):
    (workspace / "postmortem.toml").write_text(
        '[build]\nformats = ["md"]\nlanguage = "fr"\njobs = 1\n')
    status, _, err = run("build", "--today", "2026-01-01")
    assert status == 0, err
    output = workspace / "output"
    assert not list(output.glob("*.html"))
    assert (output / "index.md").read_text().startswith("# Revues d'incidents")
    status, _, err = run("build", "--today", "2026-01-01", "--language", "en",
                         "--format", "md,html")
    assert status == 0, err
    assert (output / "index.md").read_text().startswith("# Incident reviews")
    assert (output / f"{APHP.stem}.html").is_file()


def test_a_mistake_in_the_workspace_file_is_reported_at_its_line(workspace, run):
    (workspace / "postmortem.toml").write_text('[build]\nformats = ["md"]\njbos = 2\n')
    status, _, err = run("build")
    assert status == 1
    assert err.startswith("postmortem.toml:3:1: error: build.jbos: unknown key 'jbos' in [build]; "
                          "did you mean 'jobs'?")


def test_committing_a_record_renders_it_again_with_its_new_version(workspace, run):
    from git_repo import commit, new_repo

    new_repo(workspace)
    commit(workspace, "Add the records", "2025-07-01T10:00:00+00:00")
    _build(run)
    (workspace / "incidents" / "search.yaml").write_text(
        (workspace / "incidents" / "search.yaml").read_text() + "# reviewed\n")
    status, _, err = _build(run)
    assert "1 rendered, 2 up to date" in err  # modified since its commit
    version = commit(workspace, "Review the search outage", "2025-07-02T10:00:00+00:00")
    status, _, err = _build(run)
    assert status == 0 and "1 rendered, 2 up to date" in err  # same bytes, new version
    assert version[:8] in (workspace / "output" / "2025-06-10-search-outage.md").read_text()


class _Terminal:
    """A stream that says it is a terminal and keeps what is written to it."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_a_terminal_gets_a_progress_bar_with_failures_and_time_left(monkeypatch):
    from postmortem.workspace.build import Outcome
    from postmortem.workspace.progress import progress_printer

    monkeypatch.delenv("CI", raising=False)
    terminal = _Terminal()
    report = progress_printer(terminal)
    report("start", 4)
    report("outcome", Outcome("incidents/a.yaml", "rendered", "a"))
    report("outcome", Outcome("incidents/b.yaml", "failed"))
    last = terminal.text.rsplit("\r", 1)[-1]
    assert last.startswith("\033[K[###############...............] 2/4 records, 1 failed, ")
    assert last.endswith(" left")


def test_a_quiet_build_prints_its_problems_and_nothing_else(workspace, run):
    (workspace / "incidents" / "checkout.yaml").write_text(
        (RECORDS / "minimal.yaml").read_text().replace("severity: moderate", "severity: grave"))
    status, out, err = run("build", "--format", "md", "--jobs", "1", "--quiet")
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "incidents/checkout.yaml:7:11: error: severity: 'grave' is not a severity. Use one of: "
        "critical, major, moderate, minor"]


@pytest.mark.parametrize("record", [APHP, RECORDS / "minimal.yaml", RECORDS / "tables.yaml",
                                    RECORDS / "lint" / "seeded-v2.yaml",
                                    RECORDS / "lint" / "clean-v2.yaml"])
def test_the_json_export_gives_back_the_summary_the_index_reads(record):
    from postmortem.analysis.across import Summary
    from postmortem.analysis.derive import derive
    from postmortem.record.validate import read_incident
    from postmortem.render.exports import incident_json, read_export

    report = derive(read_incident(record))
    assert read_export(incident_json(report)) == Summary.of(report)


def test_open_items_come_by_priority_then_due_date_and_overdue_ones_skip_silenced_items():
    from postmortem.analysis.derive import derive
    from postmortem.record.model import ActionItem
    from postmortem.record.validate import read_incident

    def item(name: str, priority: str | None, due: str | None, **more: str) -> ActionItem:
        return ActionItem.model_validate({"id": name, "action": "Add an alert.", "owner": "SRE",
                                          "type": "detect", "priority": priority, "due": due,
                                          **more})

    incident = read_incident(SEEDED_V2).model_copy(update={"actions": [
        item("unranked", None, "2021-03-01"), item("low", "low", "2021-03-01"),
        item("medium-late", "medium", "2021-05-01"), item("medium-early", "medium", "2021-03-02"),
        item("high-undated", "high", None), item("high", "high", "2021-04-20"),
        item("done", "high", "2021-03-01", status="done"),
        item("merged", "high", "2021-03-01", merged_into="high"),
        item("medium-early-too", "medium", "2021-03-02")]})
    report = derive(incident, today=date(2026, 1, 1), silenced_overdue={"low"})
    assert [action.id for action in report.open_actions] == [
        "high", "high-undated", "medium-early", "medium-early-too", "medium-late", "low",
        "unranked"]
    # On as_of (2021-04-15): due before it, open, and not silenced.
    assert report.knowledge_day == date(2021, 4, 15)
    assert [action.id for action in report.overdue_actions] == [
        "medium-early", "medium-early-too", "unranked"]


@pytest.mark.parametrize("as_of, updated, knowledge_day, overdue", [
    (None, "2021-04-05", "2021-04-05", ["fire-drills", "offsite-backups"]),
    (None, "2021-03-31", "2021-03-31", []),
    ("2021-04-15", "2021-04-05", "2021-04-15", ["offsite-backups", "fire-drills"]),
])
def test_a_report_counts_overdue_items_on_as_of_else_on_the_date_it_carries(
        tmp_path, as_of, updated, knowledge_day, overdue):
    from postmortem.workspace.pipeline import read_report

    text = SEEDED_V2.read_text().replace("\nas_of: 2021-04-15\n",
                                         f"\nas_of: {as_of}\n" if as_of else "\n")
    record = tmp_path / "fire.yaml"
    record.write_text(text + f"review:\n  updated: {updated}\n")
    _, report = read_report(record, record.read_bytes(), None)
    assert report.knowledge_day.isoformat() == knowledge_day
    assert sorted(action.id for action in report.overdue_actions) == sorted(overdue)
