"""Record format 2: what real incidents need said, read back in the Markdown and the PDF.

Each record in tests/records/format2/ is written the way a public incident is known: a day
without a time, an instant known only relative to another, an impact that never came back,
data lost for good, counts with their source, facts of uneven confidence, action items
whose status nobody published, promises that were withdrawn, knowledge that stops on a date.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import RECORDS, plain

FORMAT2 = RECORDS / "format2"
FIRE = FORMAT2 / "2021-03-10-datacenter-fire.yaml"
DELETION = FORMAT2 / "2022-02-01-database-deleted.yaml"
CRASH = FORMAT2 / "2024-07-19-content-update-crash.yaml"
CDN = FORMAT2 / "2025-06-12-cdn-rule-cpu.yaml"
CHECK_IN = FORMAT2 / "2023-09-15-panne-enregistrement.yaml"
RECORDS_2 = (FIRE, DELETION, CRASH, CDN, CHECK_IN)


class Rendered:
    """One record's review as a reader gets it: the Markdown and the PDF's text."""

    def __init__(self, markdown: str, pages: list[str]):
        self.md = plain(markdown)
        self.pages = [_flat(page) for page in pages]
        self.pdf = " ".join(self.pages)

    def row(self, start: str) -> str:
        """Return the Markdown table row or list line that contains `start`."""
        lines = [line for line in self.md.splitlines() if start in line]
        assert lines, f"no line with {start!r}"
        return lines[0]

    def section(self, heading: str) -> str:
        """Return the Markdown section under `## heading`, up to the next one."""
        match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", self.md, re.M | re.S)
        assert match, f"no section {heading!r}"
        return match[1]


def _flat(text: str) -> str:
    # The PDF breaks table cells and words across lines; a reader reads through them.
    text = text.replace("\u2010\n", "").replace("\u00ad\n", "")
    return " ".join(plain(text).split())


def day(number: int, month: str, year: int) -> re.Pattern[str]:
    """Match a day as the review writes it: '13 March 2021', 'March 13, 2021' or 'Mar 13, 2021'."""
    name = rf"{month[:3]}(?:{month[3:]})?\.?"
    return re.compile(rf"\b(?:{number} {name} {year}|{name} {number}, {year})\b")


@pytest.fixture(scope="module")
def reviews(tmp_path_factory) -> dict[Path, Rendered]:
    """Render every format-2 record once, to Markdown and PDF."""
    from postmortem.workspace.pipeline import render_file

    folder = tmp_path_factory.mktemp("format2")
    rendered = {}
    for record in RECORDS_2:
        paths = {path.suffix: path for path in render_file(record, folder, ["md", "pdf"])}
        pages = [page.extract_text() for page in PdfReader(paths[".pdf"]).pages]
        rendered[record] = Rendered(paths[".md"].read_text(encoding="utf-8"), pages)
    return rendered


@pytest.fixture
def fire(reviews) -> Rendered:
    return reviews[FIRE]


@pytest.fixture
def deletion(reviews) -> Rendered:
    return reviews[DELETION]


@pytest.fixture
def crash(reviews) -> Rendered:
    return reviews[CRASH]


@pytest.fixture
def cdn(reviews) -> Rendered:
    return reviews[CDN]


@pytest.fixture
def check_in(reviews) -> Rendered:
    return reviews[CHECK_IN]


def test_every_format_2_record_validates(run):
    status, _, err = run("validate", FORMAT2)
    assert status == 0, err
    assert f"{len(RECORDS_2)} record(s) checked, 0 invalid" in err


# 1. A time known only to the day or the month.

def test_a_day_is_shown_as_the_day_without_a_time(fire):
    for text in (fire.row("Power is back on buildings 3 and 4"), fire.pdf):
        assert day(13, "March", 2021).search(text), text
    for text in (fire.md, fire.pdf):
        assert "00:00" not in text and "23:59" not in text


def test_a_month_is_shown_as_the_month(fire):
    row = fire.row("| Hosting in building 1 | April 2021 |")
    assert "April 2021" in row
    assert "April 2021" in fire.pdf
    # Neither the first nor the last day of the month stands for the month.
    first_or_last = r"(?<!building )\b(1|30) Apr|\bApr\w* (1|30),"
    assert not re.search(first_or_last, fire.md + fire.pdf)


def test_a_duration_to_a_day_counts_the_whole_day(fire):
    # Restored on 19 March, started about 00:45 on 10 March: 8 d 23 h to 9 d 23 h.
    row = fire.row("Time to restore service")
    assert "9 days" in row and "10 days" in row
    assert day(19, "March", 2021).search(row)


# 2. An instant known relative to another.

def test_time_to_detect_uses_the_link_to_the_start(deletion):
    row = deletion.row("Time to detect")
    assert re.search(r"\*\*up to 2 (s|sec)\*\*", row), row
    assert "27 min" not in row
    assert re.search(r"up to 2 (s|sec) Time to detect", deletion.pages[0])


def test_an_instant_relative_to_a_timeline_entry_is_shown_with_its_offset(deletion, cdn):
    row = deletion.row("The service is taken offline")
    assert "about 10 min after" in row and "21:10" in row and "21:37" in row
    assert "about 10 min after" in deletion.pdf
    # Disabled about 20 min after the alerts (1 to 3 min after the start): 21 to 23 min.
    assert "**between 21 min and 23 min**" in cdn.row("Time to mitigate")
    assert "between 21 min and 23 min" in cdn.pdf


def test_an_instant_relative_to_a_relative_instant_reads_as_written(cdn):
    # Restored within 10 min after the kill switch, itself about 20 min after detection.
    row = cdn.row("Traffic is served normally again.")
    assert "within 10 min after" in row and "about within" not in row, row
    assert "14:15" in row  # the latest it can be
    assert "**between 21 min and 33 min**" in cdn.row("Time to restore service")


# 3. How an impact ended.

def test_a_never_restored_impact_shows_its_outcome_and_is_not_ongoing(fire):
    row = fire.row("| **Hosting in building 2**")
    assert "Never restored" in row and "Building destroyed by the fire" in row
    assert "ngoing" not in row
    assert "Never restored — Building destroyed by the fire" in fire.pdf
    assert fire.pdf.count("Ongoing as of") == 1  # building 1 only


def test_an_ongoing_impact_is_ongoing_as_of_the_record_date(fire):
    row = fire.row("| **Hosting in building 1**")
    assert re.search(r"Ongoing as of (22 March 2021|March 22, 2021)", row), row
    assert re.search(r"Ongoing as of (22 March 2021|March 22, 2021)", fire.pdf)


def test_a_restored_impact_shows_its_end(fire):
    row = fire.row("| **Hosting in buildings 3 and 4**")
    assert day(19, "March", 2021).search(row) and "ngoing" not in row


def test_an_impact_that_ended_at_an_unknown_time_has_no_invented_duration(crash):
    row = crash.row("| **Airline check-in and boarding of customers**")
    assert "Ended (time unknown)" in row and "no source says when" in row
    assert "ngoing" not in row and "more than" not in row
    assert "Ended (time unknown)" in crash.pdf


def test_data_lost_for_good_is_an_outcome(deletion):
    row = deletion.row("| **Changes made before the deletion**")
    assert "Data permanently lost" in row and "No copy newer than the snapshot" in row
    assert "ngoing" not in row
    assert "Data permanently lost" in deletion.pdf


# 4. Data loss, in the summary.

def test_the_data_loss_window_and_amount_are_in_the_summary(deletion):
    summary = deletion.section("Summary")
    assert "Data loss" in summary
    assert "about 5,000 projects" in summary
    assert "between 6 hr and 6 hr 27 min" in summary  # since the snapshot, until the deletion
    assert "permanent" in summary
    first = deletion.pages[0]
    for fact in ["5,000 projects", "between 6 hr and 6 hr 27 min", "permanent"]:
        assert fact in first, fact


# 5. Quantities, on the incident and on an impact, with progress.

def test_a_quantity_is_a_summary_card(crash):
    row = crash.row("| Windows machines")
    assert "**about 8.5 million**" in row and "[^platform-blog]" in row
    assert "about 8.5 million" in crash.pages[0]


def test_an_impact_counts_what_it_hit_with_its_qualifier(crash):
    assert "at least 5,000 flights cancelled" in crash.md
    assert "at least 5,000 flights cancelled" in crash.pdf


def test_restoration_progress_is_shown_in_value_and_percent(crash):
    for text in (crash.md, crash.pdf):
        assert re.search(r"50 ?%", text) and "about half of the machines back" in text
        assert re.search(r"8 million of about 8.5 million machines \(94 ?%\)", text), text


# 6. Confidence, as a discreet mark and a key.

def test_confidence_marks_follow_the_facts(crash):
    assert "*reported*" in crash.row("Time to detect")                       # key instant
    assert "*derived*" in crash.row("A corrected content file")              # timeline
    assert "*unverified*" in crash.row("| **Airline check-in")               # impact
    assert "*unverified*" in crash.row("Many more, since machines")          # claim
    assert "*reported*" in crash.row("| Windows machines")                   # quantity
    assert "*confirmed*" not in crash.md  # confirmed facts carry no mark
    assert "confirmed" not in crash.row("The faulty content update is published.")


def test_the_marks_are_explained_once(crash):
    assert crash.md.count("Confidence marks") == 1
    assert crash.pdf.count("Confidence marks") == 1
    for word in ["reported", "unverified", "derived"]:
        assert f"*{word}*," in crash.md
    assert "derived, computed or decoded from other facts" in crash.pdf


# 7. Action items as they really stand.

def test_an_unknown_status_priority_and_due_date_are_not_stated(deletion):
    row = deletion.row("| `restore-test`")
    assert row.count("not stated") == 3, row
    for default in ["Proposed", "Medium", "Open"]:
        assert default not in row
    assert "not stated" in deletion.pdf


def test_superseded_merged_completed_and_dated_items(deletion):
    assert "superseded by `backup-monitoring`" in deletion.row("| `replication-alerts`")
    assert "merged into `prompt-hostname`" in deletion.row("| `prompt-colour`")
    done = deletion.row("| `prompt-hostname`")
    assert "completed" in done and day(5, "February", 2022).search(done)
    in_progress = deletion.row("| `backup-monitoring`")
    assert "as of" in in_progress and day(20, "February", 2022).search(in_progress)
    assert "[^progress-update]" in in_progress  # an item cites its sources
    assert "Rolled out to every database host." in deletion.md
    for fact in ["superseded by", "merged into", "completed", "Rolled out to every database host."]:
        assert fact in deletion.pdf, fact


# 8. Promises beyond restoration times.

def test_a_promise_about_one_impact_is_measured_against_it(fire):
    row = fire.row("| Hosting in buildings 3 and 4 |")
    assert day(15, "March", 2021).search(row) and day(19, "March", 2021).search(row)
    assert "+3 days" in row and "+4 days" in row
    assert "between +3 days and +4 days" in fire.pdf


def test_a_withdrawn_promise_is_shown_withdrawn_and_not_missed(fire):
    row = fire.row("| Hosting in building 1 |")
    assert "withdrawn" in row and day(22, "March", 2021).search(row)
    assert "2**, 1 missed" in fire.row("Promises announced")
    assert "withdrawn on" in fire.pdf


def test_a_deliverable_is_measured_against_its_date(cdn):
    row = cdn.row("a detailed analysis of the incident |")
    assert day(14, "June", 2025).search(row) and day(16, "June", 2025).search(row)
    assert "+1 day" in row and "+2 days" in row
    assert "a detailed analysis of the incident" in cdn.pdf


# 9. Severity and detection unknown.

def test_an_unknown_severity_is_not_stated_and_no_detection_is_invented(check_in):
    assert "**Gravité** : non précisé" in check_in.md
    assert "Gravité : non précisé" in check_in.pdf
    assert "Délai de détection" not in check_in.md + check_in.pdf
    assert "not stated" not in check_in.md + check_in.pdf  # in the record's language


def test_a_french_impact_that_ended_at_an_unknown_time(check_in):
    row = check_in.row("| **Enregistrement et embarquement**")
    assert "heure non publiée" in row and "plus de" not in row
    assert "Ended" not in row and "Ended" not in check_in.pdf
    assert "*rapporté*" in row and "rapporté" in check_in.pdf


def test_an_incident_whose_impacts_all_ended_is_not_said_to_go_on(check_in):
    # No impact is ongoing and nothing says the return to normal is still awaited.
    assert "En cours" not in check_in.md + check_in.pdf
    assert "pas encore atteint" not in check_in.pages[0], check_in.pages[0]


# 10. Knowledge as of a date.

def test_the_current_state_is_as_of_the_record_date(fire):
    # The first page's current state, and the title blocks, say when knowledge stops.
    assert re.search(r"Current state as of (22 March 2021|March 22, 2021)", fire.pages[0])
    known = r"as of\W+(22 March 2021|March 22, 2021)"
    assert re.search(known, fire.md.split("## Summary")[0])
    assert re.search(known, fire.pages[0].split("Summary")[0])
    # The state is claimed as of that date, never as of the day of reading.
    assert re.search(r"Current state as of (22 March 2021|March 22, 2021)\*\*: not yet fully "
                     r"restored\.", fire.md)
    assert fire.md.count("fully restored.") == 1


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """Build a workspace of every format-2 record once, in Markdown, on 1 January 2026."""
    from postmortem.cli import main

    root = tmp_path_factory.mktemp("workspace")
    (root / "incidents").mkdir()
    for record in RECORDS_2:
        shutil.copy(record, root / "incidents" / record.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        status = main(["build", "--format", "md", "--jobs", "1", "--today", "2026-01-01",
                       "--quiet"])
    assert status == 0
    return root / "output"


def _index_row(output: Path, record: Path) -> str:
    index = plain((output / "index.md").read_text(encoding="utf-8"))
    return next(line for line in index.splitlines() if f"]({record.stem}.md)" in line)


def test_overdue_items_count_on_the_record_date_and_a_silenced_item_nowhere(workspace, run):
    with (workspace / "actions.csv").open(encoding="utf-8") as stream:
        overdue = {row["id"]: row["overdue"] for row in csv.DictReader(stream)
                   if row["incident"] == FIRE.stem}
    # On 22 March 2021 only the interim report was late; the inspections' lateness is
    # silenced; the rest fell due after the record's knowledge stops (but before 2026).
    assert overdue == {"interim-report": "yes", "inspect-other-sites": "no",
                       "gas-extinguishing": "no", "offsite-backups": "no"}
    assert _index_row(workspace, FIRE).rstrip().endswith("| 4 | 1 |")  # open, overdue
    status, _, err = run("lint", FIRE, "--today", "2026-01-01")
    assert status == 0, err  # warnings only
    overdue_findings = [line for line in err.splitlines() if "[action-overdue]" in line]
    assert len(overdue_findings) == 1 and "'interim-report'" in overdue_findings[0]
    assert "as of 2021-03-22" in overdue_findings[0]


def test_the_index_keeps_what_the_records_say(workspace):
    # A link of 0 to 2 s is not "0 min"; an unknown severity is not stated.
    assert "| up to 2 sec |" in _index_row(workspace, DELETION)
    assert "| not stated |" in _index_row(workspace, CHECK_IN)
    # An item without a status counts as open; superseded, merged and done ones do not.
    assert _index_row(workspace, DELETION).rstrip().endswith("| 2 | 1 |")


# 11. A discrepancy with an unattributed claim.

def test_an_unattributed_claim_says_who_says_it_and_cites_nothing(fire):
    claim = fire.row("The fire started on the evening of 9 March.")
    assert "some outlets" in claim and "[^" not in claim
    attributed = fire.row("The fire started shortly after midnight")
    assert "[^operator-update-1]" in attributed
    assert "some outlets" in fire.pdf and "The fire started on the evening of 9 March." in fire.pdf


def test_a_claim_nobody_is_known_to_make_is_unattributed(cdn):
    claim = cdn.row("Every request failed for several minutes.")
    assert "Unattributed" in claim and "[^" not in claim and "*unverified*" in claim
    assert "Unattributed" in cdn.pdf
