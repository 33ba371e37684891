"""`postmortem diff`: what changed between two versions of a record, in its language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from postmortem.analysis.diff import compare, read_version
from postmortem.analysis.history import SHORT_ID_LENGTH
from postmortem.record.validate import read_incident

from git_repo import NEW_TIMELINE_ENTRY, aphp_repo, commit, new_repo
from support import RECORDS, plain


@pytest.fixture(scope="module")
def aphp(tmp_path_factory):
    """The AP-HP record in a repository with three commits: draft, in review, approved."""
    return aphp_repo(tmp_path_factory.mktemp("diff") / "repo")


def short(commit_id: str) -> str:
    return commit_id[:SHORT_ID_LENGTH]


def test_the_diff_from_draft_to_approval_lists_exactly_what_changed(run, aphp):
    first, last = aphp.commits[0], aphp.commits[2]
    status, out, err = run("diff", aphp.record, "--rev", f"{first}..{last}")
    assert (status, err) == (0, "")
    assert plain(out) == f"""\
## Modifications de `2024-08-03-aphp-datacenter-power-outage` entre `{short(first)}` et `{short(last)}`

### Champs

| Élément | Avant | Après |
| --- | --- | --- |
| `review.status` | Brouillon | Approuvée |
| `review.reviewers[0]` | — | Direction générale (Approbation) |
| `review.approvals[0]` | — | Direction générale (Approbation, 1 octobre 2024, approuvée) |
| `review.updated` | — | 1 octobre 2024 |
| `key_instants.resolved.at` | après mar. 6 août, 18:00 | vers ven. 9 août, 18:00 |

### Chronologie

- **Ajout** : mar. 20 août, 10:00 — Rapport d'analyse de l'hébergeur remis à l'AP-HP.

### Actions

| Élément | Avant | Après |
| --- | --- | --- |
| `audit-alimentation-hebergeur` Responsable | Direction des systèmes d'information | Direction des achats |
| `audit-alimentation-hebergeur` Statut | Proposée | En cours |

### Chiffres clés

| Élément | Avant | Après |
| --- | --- | --- |
| Délai de retour complet à la normale | plus de 3 j 7 h | environ 6 j 7 h |
"""  # noqa: E501 - the diff as a reader sees it, its lines as long as theirs


def test_one_step_of_the_review_shows_only_that_step_in_the_terminal(run, aphp):
    status, out, _ = run("diff", aphp.record, "--rev", "HEAD~2..HEAD~1", "--format", "text")
    assert status == 0
    assert plain(out).splitlines() == [
        "Modifications de 2024-08-03-aphp-datacenter-power-outage entre HEAD~2 "
        f"({short(aphp.commits[0])}) et HEAD~1 ({short(aphp.commits[1])})",
        "",
        "Champs :",
        "  review.status : Brouillon → En relecture",
        "  review.reviewers[0] : — → Direction générale (Approbation)",
    ]


def test_by_default_the_last_commit_is_compared_with_the_working_copy(run, aphp):
    original = aphp.record.read_text(encoding="utf-8")
    edited = original.replace(NEW_TIMELINE_ENTRY, "").replace(
        "    status: proposed\n    type: mitigate\n", "    status: done\n    type: mitigate\n", 1)
    try:
        aphp.record.write_text(edited, encoding="utf-8")
        status, out, _ = run("diff", aphp.record, "--format", "text")
    finally:
        aphp.record.write_text(original, encoding="utf-8")
    assert status == 0
    assert out.splitlines()[0].endswith(
        f"entre HEAD ({short(aphp.commits[2])}) et la copie de travail")
    assert "  - mar. 20 août, 10:00 — Rapport d'analyse de l'hébergeur remis à l'AP-HP." in (
        plain(out))
    assert "  repartition-services-critiques Statut : Proposée → Faite" in plain(out)


def test_an_unchanged_record_says_so(run, aphp):
    status, out, _ = run("diff", aphp.record)
    assert status == 0
    assert out == (f"Aucune modification de `2024-08-03-aphp-datacenter-power-outage` entre "
                   f"`HEAD` (`{short(aphp.commits[2])}`) et la copie de travail.\n")


def test_two_files_are_compared_in_the_language_of_the_record(run, tmp_path):
    before = tmp_path / "before.yaml"
    after = tmp_path / "after.yaml"
    shutil.copyfile(RECORDS / "minimal.yaml", before)
    after.write_text(before.read_text().replace("severity: moderate", "severity: major") + (
        "  - at: 2025-03-02T10:05Z\n"
        "    kind: detection\n"
        "    text: The checkout latency alert fires.\n"
        "actions:\n"
        "  - {id: cache-memory-alert, action: Alert on cache memory, owner: SRE, type: detect}\n"))
    status, out, _ = run("diff", before, after, "--format", "text")
    assert status == 0
    assert plain(out).splitlines() == [
        f"Changes to 2025-03-02-checkout-latency from {before} to {after}",
        "",
        "Fields:",
        "  severity: Moderate → Major",
        "",
        "Timeline:",
        "  + Sun, Mar 2, 10:05 — The checkout latency alert fires.",
        "",
        "Action items:",
        "  + cache-memory-alert — Alert on cache memory",
    ]


def test_an_instant_written_another_way_is_not_a_change(tmp_path):
    before = tmp_path / "before.yaml"
    after = tmp_path / "after.yaml"
    shutil.copyfile(RECORDS / "minimal.yaml", before)
    after.write_text(before.read_text().replace(
        "  - at: 2025-03-02T10:00Z\n", "  - at: 2025-03-02T11:00+01:00\n"))
    changes = compare(read_incident(before), read_incident(after))
    assert not changes.timeline_added and not changes.timeline_removed


def test_a_removed_timeline_entry_and_a_changed_due_date(tmp_path):
    repo = new_repo(tmp_path / "repo")
    record = repo / "checkout.yaml"
    record.write_text((RECORDS / "minimal.yaml").read_text() + (
        "  - at: 2025-03-02T10:40Z\n"
        "    kind: recovery\n"
        "    text: The node is replaced.\n"
        "actions:\n"
        "  - id: cache-memory-alert\n"
        "    action: Alert on cache memory\n"
        "    owner: SRE\n"
        "    due: 2025-04-01\n"
        "    type: detect\n"))
    commit(repo, "Record the incident", "2025-03-03T09:00:00+00:00")
    text = record.read_text()
    record.write_text(text.replace("    due: 2025-04-01\n", "    due: 2025-05-15\n").replace(
        "  - at: 2025-03-02T10:40Z\n    kind: recovery\n    text: The node is replaced.\n", ""))
    commit(repo, "Postpone the alert", "2025-03-04T09:00:00+00:00")
    changes = compare(read_version(record, "HEAD~1"), read_incident(record))
    assert [entry.text for entry in changes.timeline_removed] == ["The node is replaced."]
    assert [(c.loc, c.before, c.after) for c in changes.actions_changed] == [
        (("actions", 0, "due"), "2025-04-01", "2025-05-15")]


def test_an_invalid_version_is_reported_at_its_line(run, tmp_path):
    repo = new_repo(tmp_path / "repo")
    record = repo / "checkout.yaml"
    shutil.copyfile(RECORDS / "minimal.yaml", record)
    record.write_text(record.read_text().replace("severity: moderate", "severity: huge"))
    commit(repo, "A first, invalid version", "2025-03-03T09:00:00+00:00")
    shutil.copyfile(RECORDS / "minimal.yaml", record)
    status, _, err = run("diff", record)
    assert status == 1
    assert err.startswith(f"{record}@HEAD:7:11: error: severity: 'huge' is not a severity")


def test_git_and_usage_errors(run, tmp_path, aphp):
    outside = tmp_path / "minimal.yaml"
    shutil.copyfile(RECORDS / "minimal.yaml", outside)
    status, _, err = run("diff", outside)
    assert status == 1
    assert err.startswith(f"{outside}:1:1: error: cannot be read at revision 'HEAD': "
                          "not a git repository")
    status, _, err = run("diff", aphp.record, "--rev", "no-such-branch")
    assert status == 1 and "cannot be read at revision 'no-such-branch'" in err
    assert run("diff", outside, outside, "--rev", "HEAD")[0] == 2
    assert run("diff", outside, outside, outside)[0] == 2
    assert run("diff", aphp.record, "--rev", "..HEAD")[0] == 2
    assert run("diff")[0] == 2


def test_a_record_upgraded_to_format_2_has_not_changed(run, tmp_path):
    version_1 = (RECORDS / "minimal.yaml").read_text() + (
        "  - at: 2025-03-02T10:05Z\n    kind: detection\n    text: The latency alert fires.\n")
    version_1 = version_1.replace(
        "    ended: about 2025-03-02T10:40Z\n",
        "    ended: about 2025-03-02T10:40Z\n  - service: Order history\n"
        "    started: 2025-03-02T10:00Z\n    ongoing: true\n")
    assert version_1.startswith("schema_version: 1\n")
    version_2 = version_1.replace("schema_version: 1\n", "schema_version: 2\n").replace(
        "    ongoing: true\n", "    outcome: ongoing\n")
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    before.write_text(version_1)
    after.write_text(version_2)
    assert not compare(read_incident(before), read_incident(after))
    status, out, _ = run("diff", before, after, "--format", "text")
    assert (status, out) == (0, f"No change to 2025-03-02-checkout-latency between {before} "
                                f"and {after}.\n")


def test_outcome_as_of_and_action_status_changes_are_listed_by_field(run, tmp_path):
    before = tmp_path / "before.yaml"
    after = tmp_path / "after.yaml"
    shutil.copyfile(RECORDS / "lint" / "clean-v2.yaml", before)
    text = before.read_text()
    for old, new in (("\nas_of: 2021-04-15\n", "\nas_of: 2021-05-01\n"),
                     ("    outcome: ongoing\n", "    outcome: never_restored\n"),
                     ("    status: in_progress\n", ""),
                     ("    status: open\n    priority: high\n",
                      "    status: done\n    priority: high\n    completed: 2021-04-30\n")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    after.write_text(text)
    changes = compare(read_incident(before), read_incident(after))
    assert [(c.loc, c.before, c.after) for c in changes.fields] == [
        (("as_of",), "2021-04-15", "2021-05-01"),
        (("impacts", 1, "outcome"), "ongoing", "never_restored")]
    # An item whose status is no longer stated has None after, as for any absent value.
    assert [(c.loc, c.before, c.after) for c in changes.actions_changed] == [
        (("actions", 0, "status"), "open", "done"),
        (("actions", 0, "completed"), None, "2021-04-30"),
        (("actions", 2, "status"), "in_progress", None)]
    status, out, _ = run("diff", before, after, "--format", "text")
    assert status == 0
    assert "  as_of: April 15, 2021 → May 1, 2021" in plain(out).splitlines()
    assert "  offsite-backups Status: Open → Done" in plain(out).splitlines()


@pytest.mark.parametrize("revision", [
    "HEAD..--output=OUT", "--output=OUT", "HEAD..-p", "HEAD:../../etc", "HEAD..HEAD\n--x",
])
def test_a_revision_never_reaches_git_as_an_option_or_a_path(run, aphp, revision):
    written = Path(aphp.record).parent / "OUT"
    status, out, err = run("diff", aphp.record, f"--rev={revision}")
    assert status == 1 and out == ""
    assert "error: cannot be read at revision " in err
    assert "not a revision name: a revision is a commit id" in err
    assert not written.exists()
    assert "Traceback" not in err


def test_an_unknown_revision_is_named_as_such(run, aphp):
    status, _, err = run("diff", aphp.record, "--rev", "HEAD~1..no-such-tag")
    assert status == 1
    assert err.startswith(f"{aphp.record}:1:1: error: cannot be read at revision "
                          "'no-such-tag': no commit of that name")
