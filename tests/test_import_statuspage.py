"""A Statuspage export drafts a record: updates, status changes, key instants and impacts."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from postmortem.errors import InputError
from postmortem.i18n import messages_in
from postmortem.importers import statuspage
from postmortem.importers.draft import Draft, Todo
from postmortem.importers.statuspage import read_statuspage

FIXTURES = Path(__file__).resolve().parent / "imports" / "statuspage"
INCIDENTS = FIXTURES / "example-shop-incidents.json"
BARE = FIXTURES / "bare-incident.json"
CHECKOUT = "p3x8kq1wz0ab"
EMAILS = "q7m2vn4ht9cd"
LA = "[America/Los_Angeles]"


@pytest.fixture(scope="module")
def checkout() -> Draft:
    return read_statuspage(INCIDENTS, incident=CHECKOUT)


def _todos(draft: Draft, at: tuple) -> list[str]:
    return [todo.text for todo in draft.todos if todo.at == at]


def _problem(error: pytest.ExceptionInfo[InputError]) -> tuple[int, int, str, str]:
    [problem] = error.value.problems
    return problem.line, problem.column, problem.field, problem.message


def test_the_draft_is_named_after_the_start_day_and_the_incident(checkout):
    assert checkout.id == "2024-03-12-checkout-errors-for-some-customers"
    assert checkout.title == "Checkout errors for some customers"
    assert checkout.organisation == "Example Shop"
    assert checkout.severity == "major"
    assert (checkout.lang, checkout.timezone) == ("en", "America/Los_Angeles")


def test_the_source_is_the_status_page_incident_and_every_entry_cites_it(checkout):
    assert checkout.source == {
        "id": "status-page", "title": "Checkout errors for some customers",
        "publisher": "Example Shop", "published": "2024-03-12",
        "url": "https://status.example.com/incidents/p3x8kq1wz0ab",
        "note": "Status page incident p3x8kq1wz0ab; 6 updates"}
    entries = checkout.communications + checkout.timeline + checkout.impacts
    assert entries and all(entry["sources"] == ["status-page"] for entry in entries)


def test_each_update_is_a_public_communication_in_time_order_in_the_pages_zone(checkout):
    # Listed newest first; 2024-03-12T21:05:00Z is 14:05 in Los Angeles (PDT, -07:00).
    assert [entry["at"] for entry in checkout.communications] == [
        f"2024-03-12T{clock}{LA}" for clock in
        ("14:05", "14:32", "15:10", "15:35", "16:00", "16:20")]
    first = checkout.communications[0]
    assert first["channel"] == "status page"
    assert first["audience"] == ["public"]
    # The page's own words, quoted: wording rules leave them alone.
    assert first["said"] == ("“We are investigating reports of errors at checkout. Some "
                             "customers cannot complete their orders.”")


def test_an_update_is_at_its_display_time_when_the_page_shows_another(checkout):
    # Created 21:40Z, displayed 21:32Z; an update with display_at null is at its created_at.
    assert checkout.communications[1]["at"] == f"2024-03-12T14:32{LA}"
    assert checkout.communications[1]["said"].startswith("“The issue has been identified")
    assert checkout.communications[2]["at"] == f"2024-03-12T15:10{LA}"


def test_a_restoration_time_with_a_zone_or_a_duration_becomes_a_promise(checkout):
    # "by 23:00 UTC" posted at 14:32 PDT; "within the next 30 minutes" posted at 15:35 PDT.
    assert checkout.communications[1]["promised"] == {
        "restoration": f"2024-03-12T16:00{LA}", "target": "restored"}
    assert checkout.communications[3]["promised"] == {
        "restoration": f"2024-03-12T16:05{LA}", "target": "restored"}
    # "The issue started at 20:50 UTC" is no promise.
    assert [index for index, entry in enumerate(checkout.communications)
            if "promised" in entry] == [1, 3]


def test_a_restoration_time_without_a_zone_is_listed_for_the_author(checkout):
    assert "promised" not in checkout.communications[2]
    assert _todos(checkout, ("communications", 2, "said")) == [
        "Check the restoration time in “We hope to be back by 4pm.”: no time zone is stated. "
        "If it was a promise, add `promised: {restoration: …, target: restored}` to this "
        "communication."]


def test_an_update_without_status_is_a_communication_but_no_timeline_entry(checkout):
    assert checkout.communications[2]["said"] == ("“Engineers are rolling back the change. We "
                                                  "hope to be back by 4pm.”")
    assert _todos(checkout, ("communications", 2)) == [
        "This update has no status: check whether it changed the incident's state (no "
        "timeline entry was drafted for it)."]
    assert f"2024-03-12T15:10{LA}" not in [entry["at"] for entry in checkout.timeline]


def test_each_status_change_is_a_timeline_entry(checkout):
    # Two "monitoring" updates in a row make one entry.
    assert [(entry["at"], entry["kind"]) for entry in checkout.timeline] == [
        (f"2024-03-12T14:05{LA}", "detection"), (f"2024-03-12T14:32{LA}", "milestone"),
        (f"2024-03-12T15:35{LA}", "action"), (f"2024-03-12T16:20{LA}", "recovery")]
    assert checkout.timeline[1]["text"] == (
        "Status page, “Identified”: “The issue has been identified: a configuration change to "
        "the payment gateway connection pool.”")
    assert checkout.timeline[3]["text"] == ("Status page, “Resolved”: “This incident has been "
                                            "resolved.”")


def test_key_instants_come_from_the_statuses_and_the_incidents_times(checkout):
    instants = {name: entry["at"] for name, entry in checkout.key_instants.items()}
    assert instants == {
        "started": f"2024-03-12T13:50{LA}",          # started_at 20:50Z
        "detected": f"before 2024-03-12T14:05{LA}",  # the first "investigating" update
        "mitigated": f"before 2024-03-12T15:35{LA}",  # the first "monitoring" update
        "restored": f"2024-03-12T16:00{LA}",         # Checkout operational again
        "resolved": f"2024-03-12T16:20{LA}",         # resolved_at
    }
    assert checkout.key_instants["started"]["confidence"] == "reported"
    assert "started_at" in checkout.key_instants["started"]["note"]
    assert "after the team knew" in checkout.key_instants["detected"]["note"]
    assert "resolved_at" in checkout.key_instants["resolved"]["note"]


def test_each_affected_component_is_an_impact_with_its_worst_status_and_its_end(checkout):
    assert [(impact["service"], impact["started"], impact["ended"], impact["outcome"])
            for impact in checkout.impacts] == [
        ("Checkout", f"2024-03-12T14:05{LA}", f"2024-03-12T16:00{LA}", "restored"),
        ("Payments API", f"2024-03-12T14:05{LA}", f"2024-03-12T15:35{LA}", "restored")]
    assert checkout.impacts[0]["description"] == (
        "The status page showed Checkout as “major outage”.")
    assert checkout.impacts[1]["description"] == (
        "The status page showed Payments API as “degraded performance”.")
    assert _todos(checkout, ("impacts", 0, "description")) == [
        "Say what users of Checkout could not do, and who they were."]


def test_an_open_incident_without_start_or_impact_level_says_what_is_missing():
    draft = read_statuspage(INCIDENTS, incident=EMAILS)
    assert draft.key_instants["started"]["at"] == f"before 2024-03-14T08:10{LA}"
    assert _todos(draft, ("key_instants", "started", "at"))
    assert set(draft.key_instants) == {"started", "detected", "mitigated"}
    assert draft.severity is None
    assert "no impact (“none”)" in _todos(draft, ("summary",))[0]
    [impact] = draft.impacts
    assert (impact["service"], impact["outcome"], "ended" in impact) == (
        "Email notifications", "ongoing", False)
    assert draft.source["url"] == "https://status.example.com/s/q7m2vn4h"
    assert draft.id == "2024-03-14-delayed-order-confirmation-emails"


def test_a_bare_incident_reads_in_utc_and_its_quirks_are_listed():
    draft = read_statuspage(BARE)
    assert draft.timezone == "UTC"
    assert draft.organisation == ""
    assert draft.severity == "critical"
    assert [entry["at"] for entry in draft.communications] == [
        "2024-08-03T09:20[UTC]", "2024-08-03T09:45[UTC]", "2024-08-03T10:05[UTC]",
        "2024-08-03T10:40[UTC]"]
    # "ETA 03:30 PDT", posted at 02:45 PDT.
    assert draft.communications[1]["promised"]["restoration"] == "2024-08-03T10:30[UTC]"
    # No "status" at all, and an empty body.
    assert _todos(draft, ("communications", 2))
    assert draft.communications[3]["said"] == "Update “Resolved” posted with no text."
    assert _todos(draft, ("communications", 3, "said")) == [
        "This update has no text: say what it announced, or remove it."]
    assert [entry["kind"] for entry in draft.timeline] == ["detection", "milestone", "recovery"]
    assert draft.timeline[2]["text"] == "Status page: “Resolved”"
    assert draft.source["url"] == "https://status.example.com/s/r5t8yb2k"
    assert draft.source["publisher"] == ""
    assert draft.key_instants["restored"]["at"] == "2024-08-03T10:40[UTC]"


def test_an_incident_is_resolved_by_its_last_resolved_update_unless_reopened(tmp_path):
    data = json.loads(BARE.read_text(encoding="utf-8"))
    data["resolved_at"] = None
    draft = read_statuspage(_write(tmp_path, data))
    assert draft.key_instants["resolved"]["at"] == "2024-08-03T10:40[UTC]"
    assert draft.key_instants["resolved"]["note"] == "When the status page posted “Resolved”."
    data["incident_updates"].append(dict(data["incident_updates"][0], id="v5r5t8yb2kq1",
                                         created_at="2024-08-03T11:00:00Z", display_at=None,
                                         body="Searches are failing again."))
    draft = read_statuspage(_write(tmp_path, data))
    assert "resolved" not in draft.key_instants
    assert [entry["kind"] for entry in draft.timeline][-1] == "detection"


def test_the_zone_asked_wins_over_the_pages():
    draft = read_statuspage(INCIDENTS, incident=CHECKOUT, zone="Europe/Paris")
    assert draft.communications[0]["at"] == "2024-03-12T22:05[Europe/Paris]"
    assert draft.id == "2024-03-12-checkout-errors-for-some-customers"


def test_a_french_record_speaks_french():
    draft = read_statuspage(BARE, lang="fr", zone="Europe/Paris")
    assert draft.communications[0]["channel"] == "page d’état"
    assert draft.timeline[0]["text"] == ("Page d’état, « Enquête en cours » : « We are "
                                         "investigating failed searches on the Example Shop "
                                         "website. »")
    assert draft.source["note"] == "Incident r5t8yb2kq1ef de la page d’état ; 4 mises à jour"
    assert draft.communications[1]["promised"]["restoration"] == "2024-08-03T12:30[Europe/Paris]"
    assert _todos(draft, ("communications", 3, "said")) == [
        "Cette mise à jour n’a pas de texte : dire ce qu’elle annonçait, ou la retirer."]


def test_the_single_incident_and_the_manage_api_list_shapes_are_read(tmp_path):
    bare = json.loads(BARE.read_text(encoding="utf-8"))
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"page": {"name": "Example Shop", "url":
                                           "https://status.example.com",
                                           "time_zone": "Europe/Paris"},
                                  "incident": bare}), encoding="utf-8")
    draft = read_statuspage(single)
    assert (draft.organisation, draft.timezone) == ("Example Shop", "Europe/Paris")
    assert draft.communications[0]["at"] == "2024-08-03T11:20[Europe/Paris]"
    other = dict(bare, id="w9other00001", name="Another incident")
    listed = tmp_path / "manage.json"
    listed.write_text(json.dumps([other, bare]), encoding="utf-8")
    assert read_statuspage(listed, incident="r5t8yb2kq1ef").title == bare["name"]


def test_several_incidents_ask_for_one(tmp_path):
    with pytest.raises(InputError) as error:
        read_statuspage(INCIDENTS)
    line, column, where, message = _problem(error)
    assert (line, column, where) == (9, 16, "incidents")
    assert message == (
        "the file holds 2 incidents: pass --incident ID to choose one of q7m2vn4ht9cd "
        "(Delayed order confirmation emails), p3x8kq1wz0ab (Checkout errors for some "
        "customers)")
    with pytest.raises(InputError) as error:
        read_statuspage(INCIDENTS, incident="nosuchid")
    assert _problem(error)[3].startswith("no incident 'nosuchid' in the file: pass --incident "
                                         "with one of q7m2vn4ht9cd (Delayed")


@pytest.mark.parametrize("name, line, column, where, message", [
    ("not-json.json", 6, 68, "",
     "not JSON (Expecting ',' delimiter): give the JSON that the status page's API returns"),
    ("wrong-shape.json", 1, 1, "", "not a status page incident: expected the JSON of "
     "/api/v2/incidents.json (an object with \"incidents\"), of one incident (with "
     "\"incident\", or an object with \"incident_updates\"), or a list of incidents; found a "
     "JSON object"),
    ("updates-not-a-list.json", 6, 25, "incident.incident_updates",
     "must be a list, found a JSON object"),
    ("bad-timestamp.json", 9, 22, "incident.incident_updates[1].created_at",
     "'12/03/2024 21:05' is not an ISO 8601 time such as 2024-03-12T21:05:00Z"),
])
def test_a_broken_file_names_the_json_path_and_its_line(name, line, column, where, message):
    with pytest.raises(InputError) as error:
        read_statuspage(FIXTURES / name)
    assert _problem(error) == (line, column, where, message)
    assert str(error.value).startswith(f"{FIXTURES / name}:{line}:{column}: error: ")


def _write(tmp_path: Path, data: object, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _checkout_data() -> dict:
    return json.loads(INCIDENTS.read_text(encoding="utf-8"))


def test_an_update_without_its_time_names_its_path(tmp_path):
    data = _checkout_data()
    del data["incidents"][1]["incident_updates"][2]["created_at"]
    with pytest.raises(InputError) as error:
        read_statuspage(_write(tmp_path, data), incident=CHECKOUT)
    line, column, where, message = _problem(error)
    assert where == "incidents[1].incident_updates[2].created_at"
    assert message == "missing: every update has the time it was posted"
    # Where the update starts, since the key is not there.
    text = (tmp_path / "export.json").read_text().splitlines()
    assert text[line - 1][column - 1] == "{"
    assert '"id": "u4p3x8kq1wz0"' in text[line]


def test_an_incident_without_updates_and_a_time_without_offset_are_refused(tmp_path):
    data = _checkout_data()
    del data["incidents"][0]["incident_updates"]
    with pytest.raises(InputError) as error:
        read_statuspage(_write(tmp_path, data), incident=EMAILS)
    assert _problem(error)[2:] == ("incidents[0].incident_updates",
                                   "missing: every incident has its updates")
    data = _checkout_data()
    data["incidents"][0]["incident_updates"][0]["display_at"] = "2024-03-14T09:02:00"
    with pytest.raises(InputError) as error:
        read_statuspage(_write(tmp_path, data), incident=EMAILS)
    line, column, where, message = _problem(error)
    assert where == "incidents[0].incident_updates[0].display_at"
    assert message.startswith("'2024-03-14T09:02:00' has no UTC offset")
    assert (tmp_path / "export.json").read_text().splitlines()[line - 1][column - 1:].startswith(
        '"2024-03-14T09:02:00"')


def test_an_unknown_zone_is_refused(tmp_path):
    with pytest.raises(InputError) as error:
        read_statuspage(BARE, zone="Mars/Olympus")
    assert "unknown time zone 'Mars/Olympus'" in str(error.value)
    data = _checkout_data()
    data["page"]["time_zone"] = "Pacific Time (US & Canada)"
    with pytest.raises(InputError) as error:
        read_statuspage(_write(tmp_path, data), incident=CHECKOUT)
    line, column, where, message = _problem(error)
    assert (line, column, where) == (6, 18, "page.time_zone")
    assert message.endswith("pass --timezone with the record's zone")


def test_a_file_over_the_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(statuspage, "MAX_BYTES", 1000)
    with pytest.raises(InputError) as error:
        read_statuspage(INCIDENTS)
    assert _problem(error)[3].startswith("file is ")
    assert "the limit for a status page export is 1" in _problem(error)[3]


@pytest.mark.parametrize("raw, line, column, start", [
    (b"", 1, 1, "file is empty"),
    (b"  \n", 1, 1, "file is empty"),
    (b'{"name": "caf\xe9"}', 1, 14, "file is not valid UTF-8 (byte 0xE9)"),
    (b"[" * 100_000 + b"]" * 100_000, 1, 1, "values are nested too deeply"),
    (b"42", 1, 1, "not a status page incident"),
    (b'{"incidents": []}', 1, 1, "the file holds no incident"),
    (b'{"incidents": [{"id": "x", "incident_updates": []}]}', 1, 16,
     "missing: every incident has a name"),
    (b'{"incidents": [{"name": "X", "incident_updates": []}]}', 1, 50,
     "the incident has no update"),
    (b'{"incidents": [3]}', 1, 16, "must be an object, found a JSON number"),
    (b'{"page": [], "incidents": []}', 1, 10, "must be an object, found a list"),
])
def test_unreadable_files_get_a_clear_error(tmp_path, raw, line, column, start):
    path = tmp_path / "export.json"
    path.write_bytes(raw)
    with pytest.raises(InputError) as error:
        read_statuspage(path)
    got_line, got_column, _, message = _problem(error)
    assert message.startswith(start), message
    assert (got_line, got_column) == (line, column)


def test_a_folder_is_not_an_export(tmp_path):
    with pytest.raises(InputError) as error:
        read_statuspage(tmp_path)
    assert "not a regular file" in str(error.value)
    with pytest.raises(InputError) as error:
        read_statuspage(tmp_path / "missing.json")
    assert "cannot read the file" in str(error.value)


def test_errors_are_in_the_users_language():
    with messages_in("fr"), pytest.raises(InputError) as error:
        read_statuspage(FIXTURES / "updates-not-a-list.json")
    assert _problem(error)[3] == "doit être une liste, trouvé : un objet JSON"


#: Wrong values put in place of the right ones, to check that each gets an error, never a
#: traceback.
WRONG = [None, 0, 1.5, True, "", "text", [], [1], {}, {"a": 1}, "9999-12-31T23:59:00Z",
         "0001-01-01T00:00:00+14:00", "2024-03-12T21:05:00+25:00"]
PLACES = [
    ("page",), ("page", "name"), ("page", "url"), ("page", "time_zone"),
    ("incidents",), ("incidents", 1), ("incidents", 1, "id"), ("incidents", 1, "name"),
    ("incidents", 1, "impact"), ("incidents", 1, "shortlink"), ("incidents", 1, "started_at"),
    ("incidents", 1, "resolved_at"), ("incidents", 1, "components"),
    ("incidents", 1, "components", 0), ("incidents", 1, "components", 0, "name"),
    ("incidents", 1, "components", 0, "status"), ("incidents", 1, "incident_updates"),
    ("incidents", 1, "incident_updates", 0), ("incidents", 1, "incident_updates", 0, "status"),
    ("incidents", 1, "incident_updates", 0, "body"),
    ("incidents", 1, "incident_updates", 0, "created_at"),
    ("incidents", 1, "incident_updates", 1, "display_at"),
    ("incidents", 1, "incident_updates", 1, "affected_components"),
    ("incidents", 1, "incident_updates", 1, "affected_components", 0),
    ("incidents", 1, "incident_updates", 1, "affected_components", 0, "code"),
    ("incidents", 1, "incident_updates", 1, "affected_components", 0, "new_status"),
]


@pytest.mark.parametrize("place", PLACES, ids=lambda place: ".".join(map(str, place)))
def test_a_wrong_value_anywhere_gives_an_error_or_a_draft_never_a_traceback(tmp_path, place):
    original = _checkout_data()
    for wrong in WRONG:
        data = copy.deepcopy(original)
        container = data
        for part in place[:-1]:
            container = container[part]
        container[place[-1]] = wrong
        path = _write(tmp_path, data)
        try:
            draft = read_statuspage(path, incident=CHECKOUT)
        except InputError as error:
            assert all(problem.path == str(path) and problem.line >= 1
                       for problem in error.problems), error
        else:
            assert draft.communications


def test_every_todo_points_at_a_value_of_the_draft(checkout):
    assert all(isinstance(todo, Todo) and todo.at for todo in checkout.todos)
    fields = {"communications": checkout.communications, "impacts": checkout.impacts,
              "timeline": checkout.timeline}
    for todo in checkout.todos:
        if todo.at[0] in fields:
            entry = fields[str(todo.at[0])][int(todo.at[1])]
            assert len(todo.at) == 2 or todo.at[2] in entry


@pytest.mark.parametrize("path, options", [
    (INCIDENTS, {"incident": CHECKOUT}),
    (INCIDENTS, {"incident": EMAILS}),
    (INCIDENTS, {"incident": CHECKOUT, "lang": "fr", "zone": "Europe/Paris"}),
    (BARE, {}),
    (BARE, {"lang": "fr"}),
])
def test_the_draft_of_each_fixture_writes_a_record_that_validates(path, options):
    emit = pytest.importorskip("postmortem.importers.emit")
    from postmortem.record.load import load_bytes
    from postmortem.record.validate import validate_upgraded

    text = emit.draft_yaml(read_statuspage(path, **options))
    document, incident = validate_upgraded(load_bytes(text.encode("utf-8"), "draft.yaml"))
    assert not document.problems
    assert incident.communications[0].audience == ["public"]
    assert "# TODO:" in text
