"""The executive summary: one A4 page for a director, whatever the record holds."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from postmortem.analysis import audiences
from postmortem.analysis.audiences import (
    CUT_LENGTHS,
    EXECUTIVE_LEVELS,
    SHORT_CUT_LENGTHS,
    ExecutiveFacts,
    cut,
    executive_facts,
    ranked_open_actions,
)
from postmortem.analysis.derive import derive
from postmortem.record.model import ActionItem
from postmortem.workspace.pipeline import read_report, render_outputs

from support import APHP, RECORDS, ROOT, plain

#: Every valid record of the repository: the examples and the test records.
VALID_RECORDS = sorted([*ROOT.glob("incidents/*.yaml"), *RECORDS.glob("*.yaml"),
                        *RECORDS.glob("format2/*.yaml")])
ENGLISH = RECORDS / "render-format2-en.yaml"


def _report(path: Path = APHP):
    return read_report(path, path.read_bytes(), None)[1]


def _action(id: str, **fields) -> ActionItem:
    return ActionItem(id=id, action=f"Do {id}", owner="Operations", type="prevent",
                      **fields)


def _with_actions(actions: list[ActionItem], today: date = date(2025, 1, 1)):
    report = _report(ENGLISH)
    incident = report.incident.model_copy(update={"actions": actions, "as_of": None})
    return derive(incident, today=today)


def test_open_actions_rank_overdue_then_priority_then_due_then_record_order():
    report = _with_actions([
        _action("low-soon", priority="low", due=date(2025, 2, 1)),
        _action("done-high", priority="high", status="done"),
        _action("high-late", priority="high", due=date(2025, 6, 1)),
        _action("medium-overdue", priority="medium", due=date(2024, 12, 1)),
        _action("high-no-date", priority="high"),
        _action("high-early", priority="high", due=date(2025, 3, 1)),
        _action("none-stated"),
        _action("high-early-second", priority="high", due=date(2025, 3, 1)),
        _action("replaced", priority="high", superseded_by="high-early"),
    ])
    assert [action.id for action in ranked_open_actions(report)] == [
        "medium-overdue", "high-early", "high-early-second", "high-late", "high-no-date",
        "low-soon", "none-stated"]
    page = executive_facts(report).at(0)
    assert [action.action for action in page.actions] == [
        "Do medium-overdue", "Do high-early", "Do high-early-second"]
    assert page.actions[0].overdue and not page.actions[1].overdue
    assert page.open_actions == 7 and page.overdue_actions == 1


def test_the_aphp_page_shows_how_long_how_wide_and_the_state_as_of_its_date():
    page = executive_facts(_report()).at(0)
    assert page.duration.name == "time_to_restore"
    assert page.sites == 38 and page.key_quantity.value == 38
    assert page.state == "ongoing" and page.as_of == date(2024, 8, 6)
    # Ongoing impacts come first: that is where things stand.
    assert page.impacts[0].ongoing
    assert page.impacts[0].service.startswith("Applications administratives")
    assert [action.due for action in page.actions] == [
        date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30)]
    assert page.actions[0].owner == "Direction des systèmes d'information"


def test_cut_stops_at_a_word_and_says_so():
    assert cut("short enough", 40) == "short enough"
    assert cut("The datacenter lost power, then the network.", 30) == "The datacenter lost power…"
    assert len(cut("x" * 500, 60)) == 60
    text = "Power failed at 11:00. The restart took two days. Care slowed down meanwhile."
    assert cut(text, 60, sentences=True) == "Power failed at 11:00. The restart took two days."


def _huge_record() -> dict:
    """A record at the far end of what people write: 40 impacts, 30 actions, long texts."""
    record = yaml.safe_load(ENGLISH.read_text())
    long_text = " ".join(["The restart of every application took many checks."] * 300)
    paragraphs = "\n\n".join([long_text[:1500]] * 8)
    record["title"] = "A title far too long for one line " * 40
    record["organisation"] = "An organisation with a very long name " * 10
    record["summary"] = paragraphs
    record["impacts"] = [{
        "id": f"impact-{number}", "service": f"Service number {number} " + "with a long name " * 30,
        "sites": [f"Site {site} " * 20 for site in range(12)], "site_count": 1000 + number,
        "affected": [f"Group {group} of people " * 10 for group in range(12)],
        "started": "2025-03-02T10:00Z", "outcome": "ongoing" if number % 3 else "ended",
        "description": long_text[:3000],
    } for number in range(40)]
    record["quantities"] = [{"value": 1000 * number, "unit": "machines " * 30,
                             "what": "that crashed " * 40} for number in range(1, 21)]
    record["actions"] = [{
        "id": f"action-{number}", "action": "Rebuild " + "the whole platform " * 60,
        "owner": "The head of a department with a very long name " * 8,
        "type": "prevent", "priority": ["high", "medium", "low"][number % 3],
        "due": f"2025-{1 + number % 12:02d}-01",
    } for number in range(30)]
    record["lessons"] = []
    for message in record.get("communications", []):
        message.pop("promised", None)  # about impacts this record replaces
    record["decisions"] = [{
        "question": "Shall we move " + "every service to another provider " * 30 + "?",
        "by": "2025-04-01", "recommendation": "Yes, " + "because it is safer " * 40,
        "options": ["Option " + "with many words " * 20 for _ in range(8)],
        "context": long_text[:3000],
    } for _ in range(6)]
    return record


def test_each_level_gives_way_in_the_documented_order():
    record = _huge_record()
    path = ENGLISH.with_name("huge.yaml")
    source = yaml.safe_dump(record, allow_unicode=True, sort_keys=False).encode()
    report = read_report(path, source, None)[1]
    facts = executive_facts(report)
    assert len(facts.levels) == EXECUTIVE_LEVELS
    level = facts.levels
    # 0: everything.
    assert len(level[0].impacts) == 40 and len(level[0].quantities) == 20
    assert len(level[0].summary) == 8 and level[0].figures
    assert len(level[0].decisions) == 6 and level[0].decisions[0].context
    # 1: the impacts shortened to six, the others counted.
    assert len(level[1].impacts) == 6 and level[1].impacts_left_out == 34
    assert len(level[1].quantities) == 20
    # 2: the quantities to three, the figures to the headline duration.
    assert len(level[2].quantities) == 3 and level[2].quantities_left_out == 17
    assert level[2].figures == () and level[2].duration is not None
    # 3: the decisions without their context.
    assert level[2].decisions[0].context and not level[3].decisions[0].context
    # 4: the summary to its first paragraph.
    assert len(level[3].summary) == 8 and len(level[4].summary) == 1
    assert not level[3].summary_shortened and level[4].summary_shortened
    # 5: the impacts to four, who was affected to two groups.
    assert len(level[5].impacts) == 4
    assert all(len(impact.affected) == 2 and impact.affected_left_out == 10
               for impact in level[5].impacts)
    # 6: the summary to the sentences of 700 characters; nothing else is cut yet.
    assert len(level[5].summary[0]) > 700
    assert len(level[6].summary[0]) <= 700 and level[6].summary[0].endswith("checks.")
    assert not any(text.endswith("…") for text in (
        level[6].title, level[6].actions[0].action, level[6].impacts[0].service))
    # 7: the action items and the decisions at 200 characters, the impacts to three.
    assert len(level[7].actions[0].action) <= 200 and level[7].actions[0].action.endswith("…")
    assert len(level[7].decisions[0].question) <= 200 and len(level[7].impacts) == 3
    assert not level[7].title.endswith("…")
    # 8: every text cut at its length, with an ellipsis; two decisions of two options.
    assert level[8].title.endswith("…") and len(level[8].title) <= CUT_LENGTHS["title"]
    assert all(len(impact.affected) == 1 for impact in level[8].impacts)
    assert len(level[7].decisions) == 6 and len(level[8].decisions) == 2
    # 9 (the last): shorter still; never more than three of anything listed.
    last = level[-1]
    assert len(last.summary[0]) <= SHORT_CUT_LENGTHS["summary"]
    assert len(last.title) <= SHORT_CUT_LENGTHS["title"]
    assert all(len(impact.service) <= SHORT_CUT_LENGTHS["service"] for impact in last.impacts)
    assert all(len(action.action) <= SHORT_CUT_LENGTHS["action"]
               and len(action.owner) <= SHORT_CUT_LENGTHS["owner"] for action in last.actions)
    assert len(last.impacts) == 3 and len(last.actions) == 3 and len(last.quantities) == 3
    assert len(last.decisions) == 2 and last.decisions_left_out == 4
    assert len(last.decisions[0].options) == 2 and last.decisions[0].options_left_out == 6
    assert len(last.decisions[0].question) <= SHORT_CUT_LENGTHS["question"]


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_the_aphp_executive_page_is_one_page_with_the_key_figures():
    _, outputs = render_outputs(APHP, APHP.read_bytes(), formats=("md", "pdf"),
                                documents=("executive",))
    pdf = outputs[f"{APHP.stem}.executive.pdf"]
    assert _pages(pdf) == 1
    text = " ".join(plain(_pdf_text(pdf)).split())
    assert "entre 1 j 19 h et 2 j 1 h" in text  # time to restore the care services
    assert "38 hôpitaux de l'AP-HP" in text
    assert "État au 6 août 2024" in text
    assert "Direction des systèmes d'information" in text and "31 mars 2025" in text
    assert "Décisions attendues de la direction" in text
    assert "Faut-il garder l'hébergement des applications de soins" in text
    assert "Recommandation : Faire chiffrer les deux options" in text
    markdown = outputs[f"{APHP.stem}.executive.md"].decode()
    assert "**Délai de rétablissement du service** : entre 1 j 19 h et 2 j 1 h" in plain(markdown)


def test_the_english_page_is_in_english_with_the_date_a_decision_is_needed_by():
    record = yaml.safe_load(ENGLISH.read_text())
    record["decisions"] = [{"question": "Rebuild in the same place?", "by": "2021-04-01",
                            "options": ["Same site", "Another region"]}]
    source = yaml.safe_dump(record, allow_unicode=True, sort_keys=False).encode()
    record_id, outputs = render_outputs(ENGLISH, source, formats=("md",),
                                        documents=("executive",))
    markdown = plain(outputs[f"{record_id}.executive.md"].decode())
    assert "# Executive summary: " in markdown
    assert "## Most important open action items" in markdown
    assert "1. **Rebuild in the same place?** — decide by April 1, 2021" in markdown
    assert "   - Options: Same site; Another region." in markdown


@pytest.mark.parametrize("path", [path for path in VALID_RECORDS if path != APHP],
                         ids=lambda path: path.name)
def test_every_other_record_of_the_repository_fits_one_page(path):
    _, outputs = render_outputs(path, path.read_bytes(), formats=("pdf",),
                                documents=("executive",))
    (pdf,) = outputs.values()
    assert _pages(pdf) == 1


#: Fields whose values are codes, dates or numbers, not text a reader reads.
_CODED = {"id", "schema_version", "lang", "timezone", "at", "started", "ended", "due", "by",
          "outcome", "type", "priority", "kind", "category", "severity", "taxonomy",
          "audience", "sources", "value", "site_count", "confidence", "qualifier", "status",
          "target", "decision", "restoration", "withdrawn", "delivered", "published",
          "as_of", "since", "until", "completed", "status_as_of", "updated", "date",
          "third_party", "impact", "lessons", "superseded_by", "merged_into", "url",
          "archive", "visibility", "internal_fields"}


def _in_capitals(value: object, key: str = "") -> object:
    """Write every text of a record in capitals, the widest letters a text can have."""
    if isinstance(value, dict):
        return {name: item if name in _CODED else _in_capitals(item, name)
                for name, item in value.items()}
    if isinstance(value, list):
        return [_in_capitals(item, key) for item in value]
    return value.upper().replace("E", "W").replace("A", "M") if isinstance(value, str) else value


def test_the_largest_record_fits_one_page(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(_huge_record(), allow_unicode=True, sort_keys=False))
    _, outputs = render_outputs(path, path.read_bytes(), formats=("pdf",),
                                documents=("executive",))
    (pdf,) = outputs.values()
    assert _pages(pdf) == 1
    text = " ".join(plain(_pdf_text(pdf)).split())
    assert "37 more services affected, in the full review" in text
    assert "30 open action items in all" in text
    assert "4 more decisions in the full review" in text


def test_the_last_level_fits_one_page_even_in_capitals(tmp_path, monkeypatch):
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(_in_capitals(_huge_record()), allow_unicode=True,
                                   sort_keys=False))
    # Only the last level is rendered: the page is printed at it from the first try.
    monkeypatch.setattr(audiences, "executive_facts",
                        lambda report: ExecutiveFacts(executive_facts(report).levels[-1:]))
    _, outputs = render_outputs(path, path.read_bytes(), formats=("pdf",),
                                documents=("executive",))
    (pdf,) = outputs.values()
    assert _pages(pdf) == 1
    assert "37 more services affected, in the full review" in " ".join(
        plain(_pdf_text(pdf)).split())
