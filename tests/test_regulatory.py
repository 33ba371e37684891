"""The regulatory documents: the NIS2 reporting clock and final report, the declaration."""

from __future__ import annotations

import io
import textwrap
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from postmortem.analysis.regulatory import (
    after_hours,
    declaration_facts,
    judged,
    nis2_facts,
    one_month_after,
)
from postmortem.record.instants import parse_when
from postmortem.workspace.pipeline import read_report, render_outputs

from support import APHP, RECORDS, plain

PARIS = ZoneInfo("Europe/Paris")
ENGLISH = RECORDS / "render-format2-en.yaml"


def _record(extra: str = "", impacts: str = "", detected: str = "2025-01-28T10:00+01:00",
            as_of: str = "2025-06-30") -> bytes:
    """Return a small English record, with `extra` top-level fields and `impacts`."""
    impacts = impacts or """\
        - service: Patient records
          started: 2025-01-28T09:00+01:00
          ended: 2025-01-28T15:00+01:00
        """
    detected_line = f"  detected:\n    at: \"{detected}\"\n" if detected else ""
    text = textwrap.dedent("""\
        schema_version: 2
        id: 2025-01-28-records-outage
        title: Patient records unavailable
        lang: en
        timezone: Europe/Paris
        organisation: Example Hospital
        severity: major
        as_of: {as_of}
        summary: The patient record system was down for six hours.
        key_instants:
          started:
            at: 2025-01-28T09:00+01:00
        {detected}cause:
          trigger:
            summary: A storage array failed.
            category: infrastructure
        impacts:
        {impacts}timeline:
          - at: 2025-01-28T09:00+01:00
            kind: trigger
            text: The storage array fails.
          - at: 2025-01-28T11:00+01:00
            kind: action
            text: Staff switch to paper forms.
        """).format(as_of=as_of, detected=detected_line,
                    impacts=textwrap.indent(textwrap.dedent(impacts), "  "))
    return (text + textwrap.dedent(extra)).encode("utf-8")


def _report(source: bytes):
    return read_report("r.yaml", source, None, today=date(2026, 1, 1))[1]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# The clock: 24 h, 72 h and one month.

@pytest.mark.parametrize(("start", "due"), [
    ("2025-01-31T10:00+01:00", "2025-02-28T10:00+01:00"),  # February is shorter
    ("2024-01-31T10:00+01:00", "2024-02-29T10:00+01:00"),  # leap year
    ("2024-03-31T10:00+02:00", "2024-04-30T10:00+02:00"),
    ("2024-12-15T10:00+01:00", "2025-01-15T10:00+01:00"),  # into the next year
    ("2024-03-15T10:00+01:00", "2024-04-15T10:00+02:00"),  # the clock changes: same wall time
])
def test_one_month_is_a_calendar_month_ending_on_the_last_day_of_a_shorter_month(start, due):
    assert one_month_after(_at(start), PARIS) == _at(due)


def test_hours_are_elapsed_hours_across_a_change_of_clock():
    # 30 March 2024 12:00 in Paris; the clocks go forward that night.
    assert after_hours(_at("2024-03-30T12:00+01:00"), 24, PARIS) == _at("2024-03-31T13:00+02:00")


def test_the_deadlines_count_from_the_moment_of_awareness_the_record_gives():
    report = _report(_record("""\
        regulatory:
          aware: "2025-01-28T10:00+01:00"
        notifications:
          - authority: ANSSI
            kind: incident_notification
            at: "2025-01-31T10:00+01:00"
        """))
    facts = nis2_facts(report)
    assert facts.awareness.source == "aware"
    clock = facts.by_name
    assert clock["early_warning"].due == _at("2025-01-29T10:00+01:00")
    assert clock["incident_notification"].due == _at("2025-01-31T10:00+01:00")
    # One month after the notification was submitted, on 31 January: 28 February.
    assert clock["final_report"].counted_from == "notification"
    assert clock["final_report"].due == _at("2025-02-28T10:00+01:00")


def test_with_no_notification_the_final_report_counts_from_the_notification_deadline():
    facts = nis2_facts(_report(_record("""\
        regulatory:
          aware: "2025-01-28T10:00+01:00"
        """)))
    final = facts.by_name["final_report"]
    assert final.counted_from == "notification_deadline"
    assert final.due == _at("2025-02-28T10:00+01:00")


def test_awareness_known_as_a_range_counts_from_its_earliest_moment():
    facts = nis2_facts(_report(_record("""\
        regulatory:
          aware: "between 2025-01-28T10:00+01:00 and 16:00"
        """)))
    assert facts.awareness.clock_start == _at("2025-01-28T10:00+01:00")
    assert facts.by_name["early_warning"].due == _at("2025-01-29T10:00+01:00")
    assert facts.by_name["incident_notification"].due == _at("2025-01-31T10:00+01:00")


def test_without_a_moment_of_awareness_the_clock_starts_at_detection_else_at_the_start():
    detected = nis2_facts(_report(_record(detected="between 2025-01-28T09:30+01:00 and 10:00")))
    assert detected.awareness.source == "detected"
    assert detected.by_name["early_warning"].due == _at("2025-01-29T09:30+01:00")
    started = nis2_facts(_report(_record(detected="")))
    assert started.awareness.source == "started"
    assert started.by_name["early_warning"].due == _at("2025-01-29T09:00+01:00")


@pytest.mark.parametrize(("sent", "status"), [
    ("2025-01-29T10:00+01:00", "met"),  # at the deadline itself
    ("before 2025-01-29T09:00+01:00", "met"),
    ("between 2025-01-28T20:00+01:00 and 2025-01-29T09:59", "met"),
    ("2025-01-29T10:01+01:00", "late"),
    ("after 2025-01-29T11:00+01:00", "late"),
    ("between 2025-01-29T09:00+01:00 and 11:00", "uncertain"),
    ("2025-01-29", "uncertain"),  # the whole day straddles 10:00
    ("after 2025-01-29T09:00+01:00", "uncertain"),
])
def test_a_notification_is_judged_on_the_bounds_of_its_time(sent, status):
    due = _at("2025-01-29T10:00+01:00")
    assert judged(parse_when(sent, "Europe/Paris"), due) == status


def test_each_notification_answers_the_deadline_of_its_kind():
    facts = nis2_facts(_report(_record("""\
        regulatory:
          aware: "2025-01-28T10:00+01:00"
        notifications:
          - authority: CERT Santé
            kind: early_warning
            at: "between 2025-01-29T09:00+01:00 and 11:00"
          - authority: ANSSI
            kind: incident_notification
            at: "2025-02-01T09:00+01:00"
          - authority: ARS Île-de-France
            kind: health_declaration
            at: "2025-01-28T12:00+01:00"
        """)))
    clock = facts.by_name
    assert clock["early_warning"].status == "uncertain"
    assert clock["incident_notification"].status == "late"
    # Recorded notifications, first sent first; a declaration answers no NIS2 deadline.
    assert [(check.notification.kind, check.deadline, check.status)
            for check in facts.notifications] == [
        ("health_declaration", None, None),
        ("early_warning", "early_warning", "uncertain"),
        ("incident_notification", "incident_notification", "late")]
    # The final report counts from the notification as submitted: 1 February + 1 month.
    assert clock["final_report"].due == _at("2025-03-01T09:00+01:00")


def test_a_deadline_without_notification_is_not_recorded_once_past_else_not_yet_due():
    facts = nis2_facts(_report(_record("""\
        regulatory:
          aware: "2025-01-28T10:00+01:00"
        """, as_of="2025-01-30")))
    assert facts.knowledge_day == date(2025, 1, 30)
    statuses = {deadline.name: deadline.status for deadline in facts.deadlines}
    assert statuses == {"early_warning": "not_recorded", "incident_notification": "not_yet_due",
                        "final_report": "not_yet_due"}
    # A deadline during the knowledge day has come by its end.
    on_the_day = nis2_facts(_report(_record("""\
        regulatory:
          aware: "2025-01-28T10:00+01:00"
        """, as_of="2025-01-31")))
    assert on_the_day.by_name["incident_notification"].status == "not_recorded"


def test_the_four_items_come_from_the_record_or_say_what_stands_in_for_them():
    plain_facts = nis2_facts(_report(_record()))
    assert plain_facts.threat == ""
    assert plain_facts.trigger.summary == "A storage array failed."
    measures = [entry.text for entry in plain_facts.measures_applied]
    assert measures == ["Staff switch to paper forms."]
    assert not plain_facts.cross_border_stated
    stated = nis2_facts(_report(_record("""\
        regulatory:
          threat: Hardware failure; no malicious act.
          cross_border: Patients of a Belgian hospital were referred elsewhere.
          member_states: [BE]
        """)))
    assert stated.threat == "Hardware failure; no malicious act."
    assert stated.cross_border_stated and stated.member_states == ["BE"]


# The declaration's categories.

def test_a_category_is_ticked_by_the_consequences_an_impact_states():
    facts = declaration_facts(_report(_record(impacts="""\
        - service: Patient records
          started: 2025-01-28T09:00+01:00
          ended: 2025-01-28T15:00+01:00
          consequences: [care_safety, health_system]
          sources: [memo]
        """, extra="""\
        sources:
          - id: memo
            title: Internal memo
        """)))
    assert facts.ticked == ["care_safety", "health_system"]
    care = facts.categories[0]
    assert care.name == "care_safety"
    assert [(fact.impact.service, fact.reasons, fact.sources) for fact in care.facts] == [
        ("Patient records", ("stated",), ("memo",))]


def test_a_data_loss_ticks_integrity_and_a_degraded_mode_or_sites_tick_functioning():
    facts = declaration_facts(_report(_record(impacts="""\
        - service: Laboratory results
          started: 2025-01-28T09:00+01:00
          outcome: data_lost
          data_loss:
            what: results entered during the outage
        - service: Admissions
          started: 2025-01-28T09:00+01:00
          ended: 2025-01-28T15:00+01:00
          degraded_mode: paper forms
          site_count: 3
        """)))
    assert facts.ticked == ["data_integrity", "operations"]
    by_name = {category.name: category for category in facts.categories}
    assert [fact.impact.service for fact in by_name["data_integrity"].facts] == [
        "Laboratory results"]
    assert by_name["operations"].facts[0].reasons == ("degraded_mode", "sites")


@pytest.mark.parametrize("category", [
    "care_safety", "data_confidentiality", "data_integrity", "operations", "health_system",
    "other_establishments"])
def test_each_category_is_ticked_in_the_declaration_with_the_fact_that_ticks_it(tmp_path,
                                                                              category):
    source = _record(impacts=f"""\
        - service: Patient records
          description: Records could not be opened.
          started: 2025-01-28T09:00+01:00
          ended: 2025-01-28T15:00+01:00
          consequences: [{category}]
          sources: [memo]
        """, extra="""\
        sources:
          - id: memo
            title: Internal memo
        """)
    path = tmp_path / "r.yaml"
    path.write_bytes(source)
    _, outputs = render_outputs(path, source, formats=("md",), documents=("declaration",))
    markdown = plain(outputs["2025-01-28-records-outage.declaration.md"].decode())
    assert (f"- ☒ **{_FRENCH[category]}** — oui, d'après les faits de la fiche :\n"
            "  - **Patient records** : indiqué par la fiche : Records could not be opened[^memo]"
            ) in markdown
    assert markdown.count("☒") == 1 and markdown.count("☐") == 5


def test_no_fact_ticks_nothing():
    assert declaration_facts(_report(_record())).ticked == []


# The documents, rendered.

def _read(page) -> str:
    """Return a page's text as a reader reads it: words hyphenated at a line end joined."""
    return " ".join(plain(page.extract_text()).replace("\u2010\n", "").split())


def _pdf_text(content: bytes) -> str:
    return " ".join(_read(page) for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture(scope="module")
def aphp_outputs() -> dict[str, bytes]:
    _, outputs = render_outputs(APHP, APHP.read_bytes(), formats=("md", "pdf"),
                                documents=("nis2", "declaration"))
    return outputs


@pytest.fixture(scope="module")
def english_outputs() -> dict[str, bytes]:
    _, outputs = render_outputs(ENGLISH, ENGLISH.read_bytes(), formats=("md", "pdf"),
                                documents=("nis2", "declaration"))
    return outputs


def test_the_aphp_nis2_report_holds_the_four_items_and_the_three_deadlines(aphp_outputs):
    markdown = plain(aphp_outputs[f"{APHP.stem}.nis2.md"].decode())
    pdf = _pdf_text(aphp_outputs[f"{APHP.stem}.nis2.pdf"])
    first_page = _read(PdfReader(io.BytesIO(aphp_outputs[f"{APHP.stem}.nis2.pdf"])).pages[0])
    assert "Projet à vérifier avant toute transmission" in first_page
    assert "pas un avis juridique" in first_page
    assert "directive (UE) 2022/2555" in first_page and "point d)" in first_page
    for text in (markdown, pdf):
        for heading in ("(i) Description de l'incident", "(ii) Type de menace ou cause profonde",
                        "(iii) Mesures d'atténuation", "(iv) Impact transfrontière"):
            assert heading in text
        # Detected between 11:00 and 11:30: counted from 11:00 (Paris time).
        for due in ("dimanche 4 août 2024 à 11:00", "mardi 6 août 2024 à 11:00",
                    "vendredi 6 septembre 2024 à 11:00"):
            assert due in " ".join(text.split()), due
    assert "Coupure électrique au centre de données" in markdown  # the trigger stands in
    assert "Aucun indiqué dans la fiche" in markdown  # no cross-border impact stated
    # The owners of action items are never shown to an authority.
    assert "Direction de la communication" not in markdown


def test_the_aphp_declaration_ticks_what_its_facts_support(aphp_outputs):
    markdown = plain(aphp_outputs[f"{APHP.stem}.declaration.md"].decode())
    pdf = _pdf_text(aphp_outputs[f"{APHP.stem}.declaration.pdf"])
    assert "Code de la santé publique, articles L1111-8-2 et D1111-16-2" in pdf
    assert "pas un avis juridique" in pdf
    # Degraded modes and sites affected tick the normal functioning of the establishment.
    assert "☒ **Conséquences sur le fonctionnement normal de l'établissement**" in markdown
    messaging = next(line for line in markdown.splitlines()
                     if line.startswith("  - **Messagerie** :"))
    assert ("mode dégradé : Échanges de vive voix, par téléphone et par fax ; documents papier ; "
            "sites touchés : 38 (Les 38 hôpitaux de l'AP-HP)") in messaging
    assert "☒ Conséquences sur le fonctionnement normal de l'établissement" in pdf
    # Every category shows as its facts decide, with the service of each fact under it.
    report = read_report(APHP, APHP.read_bytes(), None)[1]
    for category in declaration_facts(report).categories:
        name = _FRENCH[category.name]
        if category.ticked:
            section = markdown.split(f"☒ **{name}**", 1)[1].split("\n- ", 1)[0]
            for fact in category.facts:
                assert f"  - **{fact.impact.service}** :" in section
        else:
            assert f"☐ **{name}** — aucun fait de la fiche ne l'étaye (à vérifier)" in markdown


_FRENCH = {
    "care_safety": "Conséquences sur la sécurité des soins",
    "data_confidentiality": "Conséquences sur la confidentialité des données de santé",
    "data_integrity": "Conséquences sur l'intégrité des données de santé",
    "operations": "Conséquences sur le fonctionnement normal de l'établissement",
    "health_system": "Conséquences sur l'organisation du système de santé",
    "other_establishments": "Risque pour d'autres établissements",
}


def test_an_english_record_gets_an_english_nis2_report_and_a_french_declaration(english_outputs):
    stem = "2021-03-10-example-datacenter-fire"
    nis2 = _pdf_text(english_outputs[f"{stem}.nis2.pdf"])
    assert "Draft to be checked before it is submitted; this is not legal advice." in nis2
    assert "Directive (EU) 2022/2555" in nis2
    for heading in ("(i) Description of the incident", "(ii) Type of threat or root cause",
                    "(iii) Mitigation measures applied and ongoing", "(iv) Cross-border impact"):
        assert heading in nis2
    # Detected within 2 min of a start between 00:40 and 00:47: counted from 00:40.
    for due in ("Thursday, March 11, 2021 at 00:40", "Saturday, March 13, 2021 at 00:40",
                "Tuesday, April 13, 2021 at 00:40"):
        assert due in nis2
    declaration = plain(english_outputs[f"{stem}.declaration.md"].decode())
    assert "Projet à vérifier avant toute déclaration" in declaration
    assert "## Catégories de l'incident" in declaration
    assert ("☒ **Conséquences sur l'intégrité des données de santé**" in declaration)
    assert "données perdues : customer backups kept on site (définitive)" in declaration
    assert "☐ **Conséquences sur la sécurité des soins**" in declaration


def test_the_regulatory_documents_show_no_owner_and_nothing_kept_internal(tmp_path):
    source = _record("""\
        internal_names: [Orion]
        actions:
          - id: second-array
            action: Add a second storage array behind Orion
            owner: Pat Example
            type: prevent
            status: open
        """, impacts="""\
        - service: Patient records
          started: 2025-01-28T09:00+01:00
          ended: 2025-01-28T15:00+01:00
          degraded_mode: paper forms
        - service: Billing batch
          started: 2025-01-28T09:00+01:00
          ended: 2025-01-28T15:00+01:00
          degraded_mode: delayed
          visibility: internal
        """)
    path = tmp_path / "r.yaml"
    path.write_bytes(source)
    _, outputs = render_outputs(path, source, formats=("md",), documents=("nis2", "declaration"))
    for name in ("nis2", "declaration"):
        markdown = outputs[f"2025-01-28-records-outage.{name}.md"].decode()
        assert "Add a second storage array behind" in markdown  # the open action is listed
        for hidden in ("Pat Example", "Orion", "Billing batch"):
            assert hidden not in markdown, (name, hidden)
