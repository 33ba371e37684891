"""The public statement: what the public, patients and the press may read, and nothing else."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from postmortem.analysis.audiences import public_facts
from postmortem.workspace.pipeline import read_report, render_outputs

from support import APHP, RECORDS, ROOT, plain

ENGLISH = RECORDS / "render-format2-en.yaml"
AWS = ROOT / "incidents" / "2021-12-07-aws-us-east-1-network-congestion.yaml"


def _report(record: dict | Path):
    if isinstance(record, Path):
        return read_report(record, record.read_bytes(), None)[1]
    source = yaml.safe_dump(record, allow_unicode=True, sort_keys=False).encode()
    return read_report(ENGLISH, source, None)[1]


def _statement(record: dict | Path, path: Path = ENGLISH) -> dict[str, str]:
    """Render the public statement; return its Markdown, HTML and PDF text by format."""
    source = (record.read_bytes() if isinstance(record, Path)
              else yaml.safe_dump(record, allow_unicode=True, sort_keys=False).encode())
    record_id, outputs = render_outputs(record if isinstance(record, Path) else path, source,
                                        documents=("public",))
    pdf = PdfReader(io.BytesIO(outputs[f"{record_id}.public.pdf"]))
    return {"md": plain(outputs[f"{record_id}.public.md"].decode()),
            "html": plain(outputs[f"{record_id}.public.html"].decode()),
            "pdf": " ".join(plain("\n".join(page.extract_text() for page in pdf.pages)).split())}


def _english() -> dict:
    return yaml.safe_load(ENGLISH.read_text())


def test_an_ongoing_incident_says_the_next_update_is_not_scheduled():
    facts = public_facts(_report(APHP))
    assert facts.state == "ongoing" and facts.next_update_wording == "unscheduled"


def test_a_resolved_incident_says_this_is_the_final_statement():
    facts = public_facts(_report(AWS))
    assert facts.state == "resolved" and facts.next_update_wording == "final"


def test_a_next_update_given_in_the_record_is_announced_with_its_channel():
    record = _english()
    record["next_update"] = {"at": "2021-03-12T18:00+01:00", "channel": "our status page"}
    facts = public_facts(_report(record))
    assert facts.next_update_wording == "scheduled"
    assert facts.next_update_channel == "our status page"
    text = _statement(record)["md"]
    assert "## Next update" in text
    assert ("The next update will come Friday, March 12, 2021 at 18:00. "
            "Channel: our status page.") in text


def test_the_wording_of_each_case_is_in_the_statement():
    assert "This is the final statement on this incident." in _statement(AWS)["md"]
    french = _statement(APHP)
    assert "La date du prochain point d'information n'est pas encore fixée." in french["md"]
    assert "## Prochain point d'information" in french["md"]


def test_what_is_being_done_lists_actions_without_their_owners():
    facts = public_facts(_report(ENGLISH))
    assert [action.action for action in facts.actions_done] == [
        "Build to the new datacenter design"]
    # A superseded item is not shown: the one that replaces it is.
    assert [action.action for action in facts.actions_open] == ["Keep backups in another building"]
    assert not any(hasattr(action, "owner") for action in facts.actions_open)
    for text in _statement(ENGLISH).values():
        assert "Build to the new datacenter design" in text
        assert "Storage team" not in text and "Facilities" not in text
        assert "offsite-backups" not in text  # an action's id is internal


def test_an_item_only_proposed_is_never_announced_as_planned():
    # Every AP-HP item is a proposal of the review, with a target date: none is decided.
    text = _statement(APHP)["md"]
    proposals = [line for line in text.splitlines() if "pas encore décidé" in line]
    assert len(proposals) == 8
    assert "(proposé, pas encore décidé ; échéance visée : 31 mars 2025)" in text
    assert "prévu d'ici" not in text
    assert "**En cours, prévu ou proposé** :\n\n- " in text  # a list under its label


def test_only_what_was_said_to_the_public_press_or_customers_is_listed():
    record = _english()
    record["communications"].append({
        "at": "2021-03-10T09:00+01:00", "channel": "internal chat", "audience": ["staff"],
        "said": "Staff briefing on the rota for the weekend"})
    facts = public_facts(_report(record))
    assert [message.channel for message in facts.communications] == ["social network", "blog"]
    assert "Staff briefing" not in _statement(record)["md"]


def test_the_aphp_statement_says_what_was_affected_and_what_was_not():
    text = _statement(APHP)["pdf"]
    assert "Ce qui a été touché" in text and "Ce qui n'a pas été touché" in text
    assert "SAMU" in text and "Sécurité des patients" in text
    assert "Délai de rétablissement du service : entre 1 j 19 h et 2 j 1 h" in text
    assert "Direction des systèmes d'information" not in text  # the owner of actions


#: A name no document for the public may show, put in every kind of entry.
SECRET = "Zorglub"


def _with_internal_entries() -> dict:
    record = _english()
    record["internal_names"] = [SECRET]
    record["impacts"].append({
        "service": "Billing database", "description": f"Hidden impact {SECRET}",
        "started": "2021-03-10T01:00+01:00", "outcome": "ongoing", "visibility": "internal"})
    record["impacts"][0]["degraded_mode"] = "Kept going on paper"
    record["impacts"][0]["internal_fields"] = ["degraded_mode"]
    record["not_affected"] = [
        {"service": "Payroll system", "visibility": "internal"},
        {"service": "Public website"}]
    record["lessons"] = [
        {"id": "shared-lesson", "title": "Backups belong in another building"},
        {"id": "hidden-lesson", "title": "The on-call rota was thin", "visibility": "internal"}]
    record["actions"][0]["lessons"] = ["shared-lesson", "hidden-lesson"]
    record["actions"].append({
        "id": "secret-action", "action": "Replace the secret vendor", "owner": "Procurement",
        "type": "process", "visibility": "internal"})
    record["communications"].append({
        "at": "2021-03-10T12:00+01:00", "channel": "press release", "audience": ["press"],
        "said": f"A statement naming {SECRET}, kept for the authority",
        "visibility": "authority"})
    record["summary"] = record["summary"].rstrip() + f" {SECRET} handled the first call."
    return record


def test_the_statement_leaves_out_every_internal_entry_and_name():
    statement = _statement(_with_internal_entries())
    for fmt, text in statement.items():
        for hidden in (SECRET, "Billing database", "Payroll system", "The on-call rota",
                       "Replace the secret vendor", "Kept going on paper", "Procurement"):
            assert hidden.lower() not in text.lower(), (fmt, hidden)
        assert "Public website" in text and "Backups belong in another building" in text
        assert "[withheld] handled the first call." in text


@pytest.mark.parametrize("record", [APHP, ENGLISH], ids=["fr", "en"])
def test_the_statement_is_in_the_language_of_the_record(record):
    text = _statement(record)["md"]
    heading = "## Ce qui s'est passé" if record is APHP else "## What happened"
    assert heading in text
    assert ("# Communiqué public :" if record is APHP else "# Public statement:") in text
