"""The period review for management: periods, figures, action items, recurrences, charts."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader

from postmortem.analysis.across import Summary, review
from postmortem.analysis.period import parse_period, period_review
from postmortem.record.instants import Duration
from postmortem.record.model import ActionItem
from postmortem.render.chart.bars import (
    WIDTH,
    incidents_by_month,
    open_actions_by_owner,
    period_charts,
    time_to_restore,
)
from postmortem.render.fonts import text_width
from postmortem.render.i18n import Language
from postmortem.render.index import render_index_html, render_index_markdown
from postmortem.render.period import render_period_html, render_period_markdown

from support import APHP, RECORDS, plain

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 1, 1)
HOUR = timedelta(hours=1)


def _action(action_id: str, owner: str, due: str | None = None, status: str = "open",
            completed: str | None = None) -> ActionItem:
    return ActionItem.model_validate({"id": action_id, "action": f"Do {action_id}",
                                      "owner": owner, "due": due, "status": status,
                                      "type": "prevent", "completed": completed})


def _summary(incident_id: str, started: str, severity: str | None,
             restore: tuple[timedelta, timedelta | None] | None = None,
             actions: tuple[ActionItem, ...] = (), categories: tuple[str, ...] = ("capacity",),
             third_parties: tuple[str, ...] = (), state: str = "resolved",
             silenced: frozenset[str] = frozenset(), as_of: date | None = None,
             title: str = "") -> Summary:
    figures = {"time_to_restore": Duration(*restore)} if restore else {}
    return Summary(id=incident_id, title=title or f"Incident {incident_id}",
                   started=datetime.fromisoformat(started), severity=severity,
                   status="approved", lang="en", figures=figures, actions=list(actions),
                   categories=list(categories), third_parties=list(third_parties),
                   as_of=as_of, silenced_overdue=silenced, state=state)


@pytest.fixture
def summaries() -> list[Summary]:
    """Three incidents in the third quarter of 2024, one before it and one after it."""
    return [
        _summary("2023-01-05-old", "2023-01-05T10:00+00:00", "major", (HOUR, HOUR),
                 actions=(_action("closed-late", "Ops", "2023-03-01", "done", "2024-08-10"),
                          _action("still-open", "Facilities", "2024-07-15")),
                 third_parties=("Global Switch",)),
        _summary("2024-07-03-power", "2024-07-03T10:00+02:00", "critical", (2 * HOUR, 4 * HOUR),
                 actions=(_action("overdue", "Ops", "2024-08-01"),
                          _action("done-in-q3", "Facilities", "2024-10-15", "done",
                                  "2024-09-20"),
                          _action("done-after", "Ops", "2024-09-01", "done", "2024-11-02"),
                          _action("silenced", "Ops", "2024-08-01")),
                 third_parties=("Global Switch",), silenced=frozenset({"silenced"})),
        _summary("2024-07-20-cache", "2024-07-20T10:00+00:00", "minor",
                 (40 * timedelta(minutes=1), 40 * timedelta(minutes=1)),
                 actions=(_action("not-due", "Ops", "2024-12-01"),),
                 categories=("capacity", "software"), third_parties=("Global Switch",)),
        _summary("2024-09-01-ongoing", "2024-09-01T00:00+00:00", None, state="ongoing",
                 categories=("software",), as_of=date(2024, 9, 11)),
        _summary("2025-02-01-later", "2025-02-01T10:00+00:00", "major", (HOUR, HOUR),
                 actions=(_action("later", "Ops", "2025-03-01", "done", "2024-09-30"),)),
    ]


# -- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "start", "end", "label"), [
    ("2024-Q3", date(2024, 7, 1), date(2024, 9, 30), "2024-Q3"),
    ("2024-q1", date(2024, 1, 1), date(2024, 3, 31), "2024-Q1"),
    ("2024-H1", date(2024, 1, 1), date(2024, 6, 30), "2024-H1"),
    ("2024-H2", date(2024, 7, 1), date(2024, 12, 31), "2024-H2"),
    ("2024", date(2024, 1, 1), date(2024, 12, 31), "2024"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
    ("2024-01-01..2024-06-30", date(2024, 1, 1), date(2024, 6, 30), "2024-01-01..2024-06-30"),
    (" 2024-03-05 .. 2024-03-05 ", date(2024, 3, 5), date(2024, 3, 5), "2024-03-05..2024-03-05"),
])
def test_a_period_is_read_in_each_accepted_form(text, start, end, label):
    period = parse_period(text, TODAY)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_no_period_means_the_12_months_ending_today_and_says_so():
    period = parse_period("", date(2026, 1, 1))
    assert (period.start, period.end) == (date(2025, 1, 2), date(2026, 1, 1))
    assert period.label == "12 months to 2026-01-01"
    leap = parse_period("", date(2024, 2, 29))
    assert (leap.start, leap.end) == (date(2023, 3, 1), date(2024, 2, 29))


@pytest.mark.parametrize(("text", "reason"), [
    ("2024-Q5", "is not one of the accepted forms"),
    ("2024-H3", "is not one of the accepted forms"),
    ("last year", "is not one of the accepted forms"),
    ("2024-13", "there is no month 13"),
    ("2024-02-30..2024-03-01", "day is out of range for month"),
    ("2024-06-30..2024-01-01", "it ends (2024-01-01) before it starts (2024-06-30)"),
])
def test_a_period_not_understood_is_refused_with_the_accepted_forms(text, reason):
    with pytest.raises(ValueError, match="accepted forms") as error:
        parse_period(text, TODAY)
    message = str(error.value)
    assert message.startswith(f"period {text!r}")
    assert reason in message
    for form in ("2024-Q3", "2024-H1", "2024-08", "2024-01-01..2024-06-30", "empty"):
        assert form in message


# -- the review of a period ------------------------------------------------------------------


def test_the_review_counts_the_incidents_that_started_in_the_period(summaries):
    result = period_review(summaries, parse_period("2024-Q3", TODAY), TODAY)
    assert [entry.incident.id for entry in result.incidents] == [
        "2024-07-03-power", "2024-07-20-cache", "2024-09-01-ongoing"]
    assert result.by_severity == [("critical", 1), ("major", 0), ("moderate", 0),
                                  ("minor", 1), (None, 1)]
    assert [(month.month, month.total) for month in result.months] == [
        (date(2024, 7, 1), 2), (date(2024, 8, 1), 0), (date(2024, 9, 1), 1)]
    assert result.months[0].by_severity["critical"] == 1
    assert result.earlier_incidents == 1


def test_an_ongoing_incident_counts_as_a_lower_bound_up_to_its_knowledge_day(summaries):
    result = period_review(summaries, parse_period("2024-Q3", TODAY), TODAY)
    ongoing = result.incidents[2]
    # Its record's knowledge stops on 11 September: ten days after its start.
    assert ongoing.ongoing
    assert ongoing.time_to_restore == Duration(timedelta(days=10), None)
    assert result.restore_lower_bounds == 1
    # 3 h (the middle of 2 h to 4 h), 40 min and at least 10 days: the median is 3 h.
    assert result.median_time_to_restore == 3 * HOUR
    assert result.total_time_to_restore == Duration(
        timedelta(days=10, hours=2, minutes=40), None)


def test_the_total_time_to_restore_runs_from_the_shortest_to_the_longest(summaries):
    result = period_review(summaries[:3], parse_period("2024-07", TODAY), TODAY)
    assert result.total_time_to_restore == Duration(
        timedelta(hours=2, minutes=40), timedelta(hours=4, minutes=40))
    assert result.median_time_to_restore == timedelta(hours=1, minutes=50)


def test_action_items_opened_closed_and_open_at_the_end_of_the_period(summaries):
    result = period_review(summaries, parse_period("2024-Q3", TODAY), TODAY)
    ids = lambda owned: [item.action.id for item in owned]  # noqa: E731
    assert ids(result.opened) == ["overdue", "done-in-q3", "done-after", "silenced", "not-due"]
    # Completed in the period, whatever the incident (even one after the period).
    assert ids(result.closed) == ["closed-late", "done-in-q3", "later"]
    # Completed after the period's end: still open at it.
    assert ids(result.open_at_end) == ["still-open", "overdue", "done-after", "silenced",
                                       "not-due"]
    # Past due on 30 September; a silenced item never counts overdue.
    assert ids(result.overdue_at_end) == ["still-open", "overdue", "done-after"]
    assert result.counted_on == date(2024, 9, 30)
    assert [(load.owner, load.open, load.overdue) for load in result.owners] == [
        ("Ops", 4, 2), ("Facilities", 1, 1)]


def test_overdue_items_are_counted_on_today_when_the_period_has_not_ended(summaries):
    today = date(2024, 8, 15)
    result = period_review(summaries, parse_period("2024", today), today)
    assert result.counted_on == today
    assert [item.action.id for item in result.overdue_at_end] == ["still-open", "overdue"]


def test_recurrences_within_the_period_and_with_incidents_before_it(summaries):
    result = period_review(summaries, parse_period("2024-Q3", TODAY), TODAY)
    assert [(item.name, item.ids, item.earlier) for item in result.third_parties] == [
        ("Global Switch", ["2024-07-03-power", "2024-07-20-cache"], ["2023-01-05-old"])]
    assert [(item.name, item.ids, item.earlier) for item in result.categories] == [
        ("capacity", ["2024-07-03-power", "2024-07-20-cache"], ["2023-01-05-old"]),
        ("software", ["2024-07-20-cache", "2024-09-01-ongoing"], [])]
    alone = period_review(summaries, parse_period("2025", TODAY), TODAY)
    # One incident of 2025, whose category was already seen before.
    assert [(item.name, item.ids, len(item.earlier)) for item in alone.categories] == [
        ("capacity", ["2025-02-01-later"], 3)]


def test_a_period_without_incidents_is_reviewed_too(summaries):
    result = period_review(summaries, parse_period("2022", TODAY), TODAY)
    assert result.incidents == [] and result.median_time_to_restore is None
    markdown = render_period_markdown(result, Language("en", "UTC"))
    assert "No incident started in the period." in markdown
    assert [chart.name for chart in period_charts(result, Language("en", "UTC"))] == [
        "incidents_by_month"]


# -- charts ----------------------------------------------------------------------------------


def _svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _rects(root: ET.Element, cls: str) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if cls in rect.get("class", "").split()]


def _texts(root: ET.Element) -> list[str]:
    return [text.text or "" for text in root.iter(f"{SVG}text")]


def _assert_text_inside(svg: str) -> None:
    root = _svg(svg)
    _, _, width, height = (float(value) for value in root.get("viewBox").split())
    assert width == WIDTH
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size"))
        advance = text_width(text.text or "", size,
                             weight="bold" if text.get("font-weight") == "bold" else "normal")
        x, y = float(text.get("x")), float(text.get("y"))
        left = x - {"start": 0, "middle": advance / 2, "end": advance}[text.get("text-anchor")]
        assert left >= 0 and left + advance <= width + 0.1, text.text
        assert y - size * 0.8 >= 0 and y + size * 0.25 <= height + 0.1, text.text


def _busy_review(summaries: list[Summary]):
    long_title = ("Every hospital of the group on paper procedures after a power failure at "
                  "the third-party datacenter that hosts the patient records")
    more = [*summaries,
            _summary("2024-08-03-aphp", "2024-08-03T11:00+02:00", "critical",
                     (timedelta(hours=2, minutes=50), timedelta(days=3)), title=long_title,
                     actions=tuple(_action(f"a{n}", "Direction des systèmes d'information "
                                           "et du numérique de l'établissement", "2024-08-20")
                                   for n in range(7)))]
    return period_review(more, parse_period("2024-Q3", TODAY), TODAY)


def test_incidents_per_month_are_stacked_bars_proportional_to_the_counts(summaries):
    result = _busy_review(summaries)
    root = _svg(incidents_by_month(result, Language("en", "UTC")).svg)
    bars = _rects(root, "bar")
    per_incident = {round(float(bar.get("height")) / int(bar.get("data-count")), 1)
                    for bar in bars}
    assert len(per_incident) == 1
    assert sorted((bar.get("data-month"), bar.get("class").split()[-1], bar.get("data-count"))
                  for bar in bars) == [
        ("2024-07", "severity-critical", "1"), ("2024-07", "severity-minor", "1"),
        ("2024-08", "severity-critical", "1"), ("2024-09", "severity-not-stated", "1")]
    # Each month's total stands above its bar, in bold.
    assert [text.text for text in root.iter(f"{SVG}text")
            if text.get("font-weight") == "bold"] == ["2", "1", "1"]


def test_month_names_are_in_the_report_language(summaries):
    result = period_review(summaries, parse_period("2024-Q3", TODAY), TODAY)
    french = _texts(_svg(incidents_by_month(result, Language("fr", "UTC")).svg))
    english = _texts(_svg(incidents_by_month(result, Language("en", "UTC")).svg))
    assert {"juil.", "août", "sept.", "2024", "Critique", "Non précisé"} <= set(french)
    assert {"Jul", "Aug", "Sep", "Critical", "Not stated"} <= set(english)


def test_time_to_restore_bars_run_to_the_shortest_then_lighter_to_the_longest(summaries):
    result = _busy_review(summaries)
    root = _svg(time_to_restore(result, Language("en", "UTC")).svg)
    shortest = _rects(root, "shortest")
    longest = _rects(root, "longest")
    left = float(shortest[0].get("x"))
    ends = {(float(bar.get("x")) + float(bar.get("width")) - left): int(bar.get("data-seconds"))
            for bar in shortest + longest}
    per_second = max(ends) / ends[max(ends)]
    # Each bar ends where its length puts it (a bar too short to see is drawn 1.5 wide).
    for end, seconds in ends.items():
        assert end == pytest.approx(max(seconds * per_second, 1.5), abs=0.2)
    assert [bar.get("data-incident") for bar in longest] == [
        "2024-07-03-power", "2024-08-03-aphp"]
    assert next(bar.get("fill") for bar in longest) != next(bar.get("fill") for bar in shortest)
    # The incident not restored yet: a dashed bar, its value a lower bound.
    [ongoing] = _rects(root, "ongoing")
    assert ongoing.get("data-incident") == "2024-09-01-ongoing"
    assert ongoing.get("stroke-dasharray")
    assert "more than 10 days" in plain(" ".join(_texts(root)))
    assert "between 2 hr 50 min and 3 days" in plain(" ".join(_texts(root)))


def test_open_actions_by_owner_show_the_overdue_part(summaries):
    result = _busy_review(summaries)
    root = _svg(open_actions_by_owner(result, Language("en", "UTC")).svg)
    overdue = {bar.get("data-owner"): int(bar.get("data-count"))
               for bar in _rects(root, "overdue")}
    rest = {bar.get("data-owner"): int(bar.get("data-count")) for bar in _rects(root, "open")}
    assert overdue == {"Direction des systèmes d'information et du numérique de "
                       "l'établissement": 7, "Ops": 2, "Facilities": 1}
    assert rest == {"Ops": 2}
    widths = [float(bar.get("width")) / int(bar.get("data-count"))
              for bar in _rects(root, "overdue") + _rects(root, "open")]
    assert max(widths) / min(widths) == pytest.approx(1, abs=0.02)
    assert "4 (2 overdue)" in _texts(root)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_text_of_every_chart_lies_inside_its_box(summaries, lang):
    charts = period_charts(_busy_review(summaries), Language(lang, "UTC"))
    assert [chart.name for chart in charts] == [
        "incidents_by_month", "time_to_restore", "open_actions_by_owner"]
    for chart in charts:
        _assert_text_inside(chart.svg)


def test_a_long_period_names_only_the_months_that_fit(summaries):
    result = period_review(summaries, parse_period("2020-01-01..2025-12-31", TODAY), TODAY)
    chart = incidents_by_month(result, Language("fr", "UTC"))
    _assert_text_inside(chart.svg)
    assert len(result.months) == 72


def test_charts_are_the_same_for_the_same_review(summaries):
    first = [chart.svg for chart in period_charts(_busy_review(summaries),
                                                  Language("fr", "UTC"))]
    again = [chart.svg for chart in period_charts(_busy_review(summaries),
                                                  Language("fr", "UTC"))]
    assert first == again


# -- the documents ---------------------------------------------------------------------------


def test_the_markdown_tells_every_chart_as_a_table(summaries):
    markdown = plain(render_period_markdown(_busy_review(summaries), Language("en", "UTC")))
    assert markdown.startswith("# Incident review for management: 3rd quarter 2024\n")
    assert "<svg" not in markdown
    assert "- **Incidents**: 4 (2 critical, 1 minor, 1 not stated)" in markdown
    assert "| Month | Critical | Minor | Not stated | Total |" in markdown
    assert "| July 2024 | 1 | 1 | 0 | 2 |" in markdown
    assert ("| September 1, 2024 | [Incident 2024-09-01-ongoing](2024-09-01-ongoing.md) | "
            "Not stated | more than 10 days | Not restored yet |") in markdown
    assert "| Ops | 4 | 2 |" in markdown
    assert ("- Third party Global Switch: 2 incidents of the period (`2024-07-03-power`, "
            "`2024-07-20-cache`); also 1 before it (`2023-01-05-old`)") in markdown


def test_the_review_is_written_in_french(summaries):
    result = _busy_review(summaries)
    markdown = plain(render_period_markdown(result, Language("fr", "UTC")))
    assert markdown.startswith("# Revue des incidents pour la direction : 3e trimestre 2024\n")
    assert "| Mois | Critique | Mineure | Non précisé | Total |" in markdown
    assert "| juillet 2024 | 1 | 1 | 0 | 2 |" in markdown
    assert "- **Incidents** : 4 (2 critique, 1 mineure, 1 non précisé)" in markdown
    html = render_period_html(result, Language("fr", "UTC"))
    assert html.count("<svg") == 3 and '<html lang="fr">' in html
    assert "Incidents par mois, selon la gravité" in html


def test_the_page_draws_its_charts_and_the_markdown_their_tables(summaries):
    html = render_period_html(_busy_review(summaries), Language("en", "UTC"))
    for chart_id in ("pm-months", "pm-restore", "pm-owners"):
        assert f'id="{chart_id}-title"' in html
    # The page draws the months as a chart, and links each review as HTML.
    assert "<th>Month</th>" not in html
    assert 'href="2024-07-03-power.html"' in html


def _index_review():
    summaries = [_summary("2024-08-03-aphp", "2024-08-03T11:00+02:00", "critical"),
                 _summary("2025-03-02-checkout", "2025-03-02T10:00+00:00", "minor")]
    return review(summaries, TODAY)


def test_the_markdown_index_links_each_incidents_documents_and_the_period_review():
    markdown = render_index_markdown(_index_review(), Language("en", "UTC"),
                                     documents=["executive", "public", "nis2", "declaration"],
                                     period_name="3rd quarter 2024")
    row = next(line for line in markdown.splitlines() if "(2024-08-03-aphp.md)" in line)
    assert re.findall(r"\[([^]]+)\]\(([^)]+)\)", row) == [
        ("Incident 2024-08-03-aphp", "2024-08-03-aphp.md"),
        ("Executive summary", "2024-08-03-aphp.executive.md"),
        ("Public statement", "2024-08-03-aphp.public.md"),
        ("NIS2 final report", "2024-08-03-aphp.nis2.md"),
        ("Declaration (health sector)", "2024-08-03-aphp.declaration.md")]
    assert "Review for management: [3rd quarter 2024](period-review.md)" in markdown


def test_the_index_names_no_other_document_when_only_the_full_review_is_built():
    markdown = render_index_markdown(_index_review(), Language("fr", "UTC"))
    assert "Autres documents" not in markdown and ".executive." not in markdown
    assert "period-review" not in markdown


def test_the_html_index_links_each_incidents_documents():
    html = render_index_html(_index_review(), Language("fr", "UTC"),
                             documents=["executive", "declaration"],
                             period_name="3e trimestre 2024")
    assert '<a href="2024-08-03-aphp.executive.html">Synthèse pour la direction</a>' in html
    assert ('<a href="2025-03-02-checkout.declaration.html">Déclaration (secteur de la santé)'
            '</a>') in html
    assert re.search(r'Revue pour la direction : <a href="period-review.html">.*3e.* trimestre 2024'
                     r'</a>', plain(html))


# -- the build -------------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A workspace with the AP-HP record (August 2024) and a small English one (March 2025)."""
    incidents = tmp_path / "incidents"
    incidents.mkdir()
    shutil.copy(APHP, incidents / APHP.name)
    shutil.copy(RECORDS / "minimal.yaml", incidents / "checkout.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_build_writes_the_period_review_as_a_pdf_with_its_figures(workspace, run):
    status, _, err = run("build", "--format", "md,pdf", "--jobs", "1", "--today", "2026-01-01",
                         "--period", "2024-Q3")
    assert status == 0, err
    output = workspace / "output"
    text = plain(" ".join(page.extract_text()
                          for page in PdfReader(output / "period-review.pdf").pages))
    text = " ".join(text.split())
    assert "Incident review for management: 3rd quarter 2024" in text
    assert "from July 1, 2024 to September 30, 2024" in text
    assert "Incidents per month, by severity" in text
    assert "Time to restore service, per incident" in text
    assert "1 Incidents (1 critical)" in text
    assert "1 day 22 hr Median time to restore service (1 incident)" in text
    assert "between 1 day 19 hr and 2 days 1 hr Total time to restore service" in text
    assert "8 Action items opened 0 Action items closed in the period" in text
    assert "8 Open at the end of the period, of which 0 overdue" in text
    markdown = (output / "period-review.md").read_text()
    assert "- **Incidents**: 1 (1 critical)" in markdown
    assert "| August 2024 | 1 | 1 |" in markdown
    assert "Review for management: [3rd quarter 2024](period-review.md)" in (
        output / "index.md").read_text()


def test_a_new_period_writes_the_review_again_without_rendering_any_record(workspace, run):
    common = ("build", "--format", "md", "--jobs", "1", "--today", "2026-01-01")
    run(*common, "--period", "2024-Q3")
    status, _, err = run(*common, "--period", "2025")
    assert status == 0, err
    assert "0 rendered, 2 up to date" in err
    markdown = (workspace / "output" / "period-review.md").read_text()
    assert markdown.startswith("# Incident review for management: 2025\n")
    assert "- **Incidents**: 1 (1 moderate)" in markdown


def test_the_export_says_whether_the_incident_goes_on_and_an_older_one_reads_without_it():
    from postmortem.render.exports import incident_json, read_export
    from postmortem.workspace.pipeline import read_report

    record = RECORDS / "minimal.yaml"
    _, report = read_report(record, record.read_bytes(), None, TODAY)
    exported = json.loads(incident_json(report))
    assert exported["derived"]["current_state"] == report.current_state == "ended"
    assert read_export(json.dumps(exported)).state == "ended"
    del exported["derived"]["current_state"]
    assert read_export(json.dumps(exported)).state == ""


def test_a_service_restored_at_an_unknown_time_after_an_instant_is_a_lower_bound_not_ongoing():
    restored_after = _summary("2024-08-01-after", "2024-08-01T10:00+00:00", "major",
                              (2 * HOUR, None), state="ended")
    result = period_review([restored_after], parse_period("2024-08", TODAY), TODAY)
    [entry] = result.incidents
    assert (entry.ongoing, entry.lower_bound, result.restore_lower_bounds) == (False, True, 1)
    markdown = plain(render_period_markdown(result, Language("en", "UTC")))
    assert "| Major | more than 2 hr | Restored |" in markdown
    assert "still going on" not in markdown
    svg = time_to_restore(result, Language("en", "UTC")).svg
    assert 'class="bar ongoing"' in svg and "No known end" in svg
