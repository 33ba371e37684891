"""Many records are validated and linted in several processes, and the output does not change."""

from __future__ import annotations

import json
import os
import time

import pytest

from postmortem.workspace.parallel import FILES_PER_PROCESS, check_all

from support import RECORDS

MINIMAL = (RECORDS / "minimal.yaml").read_text(encoding="utf-8")
RECORD_COUNT = 3 * FILES_PER_PROCESS


@pytest.fixture
def many(tmp_path):
    """A folder of records, two of them wrong: a bad severity and a YAML syntax error."""
    folder = tmp_path / "incidents"
    folder.mkdir()
    for number in range(RECORD_COUNT):
        ident = f"2025-03-02-checkout-{number:02d}"
        text = MINIMAL.replace("id: 2025-03-02-checkout-latency", f"id: {ident}")
        if number == 5:
            text = text.replace("severity: moderate", "severity: dreadful")
        if number == 17:
            text = text.replace("  started:\n", "  started:\n   at: [\n", 1)
        (folder / f"{ident}.yaml").write_text(text, encoding="utf-8")
    return folder


def test_validate_says_the_same_with_one_process_or_two(run, many):
    alone = run("validate", many, "--jobs", "1")
    shared = run("validate", many, "--jobs", "2")
    assert alone == shared
    status, _out, err = shared
    assert status == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"{many / '2025-03-02-checkout-05.yaml'}:7:11: error: ")
    assert lines[1].startswith(f"{many / '2025-03-02-checkout-17.yaml'}:")
    assert f"{RECORD_COUNT} record(s) checked, 2 invalid" in err


def test_validate_json_lists_every_file_in_order(run, many):
    status, out, _err = run("validate", many, "--format", "json", "--jobs", "2")
    assert status == 1
    files = json.loads(out)["files"]
    assert [entry["path"] for entry in files] == sorted(str(path) for path in many.iterdir())
    assert [entry["valid"] for entry in files].count(False) == 2


def test_lint_says_the_same_with_one_process_or_two(run, many):
    alone = run("lint", many, "--format", "json", "--jobs", "1", "--today", "2025-06-01")
    shared = run("lint", many, "--format", "json", "--jobs", "2", "--today", "2025-06-01")
    assert alone == shared
    results = json.loads(shared[1])
    assert len(results["files"]) == RECORD_COUNT


def test_workers_write_messages_in_the_language_asked_for(run, many):
    _status, _out, err = run("validate", many, "--jobs", "2", "--lang", "fr")
    assert "severity: 'dreadful' n’est pas une gravité." in err
    assert f"{RECORD_COUNT} fiche(s) vérifiée(s), 2 invalide(s)" in err


def _pid(_path: object) -> int:
    time.sleep(0.01)  # long enough that no process takes every run before the other starts
    return os.getpid()


def test_many_files_are_checked_in_as_many_processes_as_asked():
    pids = check_all(_pid, list(range(4 * FILES_PER_PROCESS)), 2)
    assert len(pids) == 4 * FILES_PER_PROCESS
    assert len(set(pids)) == 2
    assert os.getpid() not in pids


def test_a_few_files_are_checked_here():
    assert set(check_all(_pid, list(range(FILES_PER_PROCESS)), 2)) == {os.getpid()}


def test_jobs_must_be_a_whole_number_of_at_least_one(run, many):
    status, _out, err = run("validate", many, "--jobs", "0")
    assert status == 2
    assert "--jobs: not a whole number of at least 1: '0'" in err
