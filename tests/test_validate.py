"""Every class of bad input gives `path:line:col: error: field: message` and exit 1."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from postmortem.errors import RecordError
from postmortem.record.load import load_bytes
from postmortem.record.validate import validate_document

from support import APHP, RECORDS

INVALID = RECORDS / "invalid"

# fixture -> (line, column, field path, fragment of the message)
EXPECTED = {
    "duplicate-key": (5, 1, "title", "duplicate key 'title' (first at line 3)"),
    "unknown-key": (22, 5, "impacts[0].colour", "unknown field 'colour'"),
    "bare-time": (25, 9, "timeline[0].at", "base-60 number 600"),
    "no-offset": (25, 9, "timeline[0].at", "has no time zone"),
    "date-only": (25, 9, "timeline[0].at", "a date with a zone or an offset but no time"),
    "end-before-start": (23, 12, "impacts[0].ended", "before it starts"),
    "yes-boolean": (24, 14, "impacts[0].ongoing", "`yes` is read by YAML 1.1 as the boolean true"),
    "syntax-error": (28, 1, "", "close the quote that starts there"),
    "alias-bomb": (30, 9, "lessons[1][0]", "anchors and aliases are not allowed"),
    "future-version": (1, 17, "schema_version", "newer than this postmortem understands"),
    "unknown-source": (28, 15, "timeline[0].sources[0]", "unknown source 'vendor-report'"),
    "bad-category": (19, 15, "cause.trigger.category", "not in the 'generic' taxonomy"),
    "missing-field": (1, 1, "summary", "missing required field 'summary'"),
    "empty": (1, 1, "", "file is empty"),
    "five-problems": (23, 22, "third_parties[0].expectation_met", "YAML 1.1 as the boolean"),
    "non-utf8": (6, 32, "", "not valid UTF-8 (byte 0xE9)"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_is_reported_at_its_line_and_column(run, name):
    line, column, field, fragment = EXPECTED[name]
    path = INVALID / f"{name}.yaml"
    status, _out, err = run("validate", path)
    assert status == 1
    where = f"{field}: " if field else ""
    # Every problem of the file is reported; the one the fixture is about is among them.
    found = [text for text in err.splitlines()
             if text.startswith(f"{path}:{line}:{column}: error: {where}")]
    assert found, err
    assert fragment in found[0]
    assert "Traceback" not in err


def test_every_fixture_has_an_expectation():
    assert sorted(path.stem for path in INVALID.glob("*.yaml")) == sorted(EXPECTED)


def test_all_problems_of_a_file_are_reported_at_once(run, tmp_path):
    record = (RECORDS / "minimal.yaml").read_text()
    broken = record.replace("severity: moderate", "severity: apocalyptic").replace(
        "    category: capacity", "    category: capacity\n    colour: red")
    path = tmp_path / "two-problems.yaml"
    path.write_text(broken)
    status, _, err = run("validate", path)
    assert status == 1
    assert (f"{path}:7:11: error: severity: 'apocalyptic' is not a severity. Use one of: "
            "critical, major, moderate, minor") in err
    assert f"{path}:20:5: error: cause.trigger.colour: unknown field 'colour'" in err


def test_alias_bomb_stops_at_the_aliases_without_expanding_them(run):
    status, _, err = run("validate", INVALID / "alias-bomb.yaml")
    assert status == 1
    assert err.count("anchors and aliases are not allowed") == 72


def test_a_valid_record_passes(run):
    status, _, err = run("validate", RECORDS / "minimal.yaml")
    assert status == 0
    assert "1 record(s) checked, 0 invalid" in err


def test_the_aphp_record_is_valid(run):
    status, _, err = run("validate", APHP)
    assert (status, err.splitlines()[-1]) == (0, "1 record(s) checked, 0 invalid, 0 problem(s)")


def test_folders_are_searched_and_json_lists_each_file(run, tmp_path):
    shutil.copy(RECORDS / "minimal.yaml", tmp_path / "good.yaml")
    shutil.copy(INVALID / "no-offset.yaml", tmp_path / "bad.yaml")
    status, out, _ = run("validate", tmp_path, "--format", "json")
    report = json.loads(out)
    assert status == 1 and report["valid"] is False
    by_name = {entry["path"].rsplit("/", 1)[-1]: entry for entry in report["files"]}
    assert by_name["good.yaml"]["valid"] is True
    problem = by_name["bad.yaml"]["problems"][0]
    assert (problem["line"], problem["column"], problem["field"]) == (25, 9, "timeline[0].at")


def test_validate_without_records_fails_clearly(run, tmp_path):
    status, _, err = run("validate", tmp_path)
    assert status == 1
    assert "no incident records" in err


def test_the_input_file_is_never_changed(run):
    path = INVALID / "unknown-key.yaml"
    before = path.read_bytes()
    run("validate", path)
    run("render", path, "-o", path.parent / "never")
    assert path.read_bytes() == before
    assert not (path.parent / "never").exists()


def test_five_problems_of_different_kinds_come_out_in_one_run_by_line(run):
    path = INVALID / "five-problems.yaml"
    status, _, err = run("validate", path)
    assert status == 1
    lines = err.splitlines()
    assert lines[-1] == "1 record(s) checked, 1 invalid, 5 problem(s)"
    expected = [
        (23, "third_parties[0].expectation_met", "`no` is read by YAML 1.1 as the boolean false"),
        (30, "impacts[1].ended", "write '2021-03-13' for the day"),
        (36, "timeline[1].kind", "'decided' is not a timeline kind; did you mean 'decision'? "
                                 "Use one of: trigger, impact, detection"),
        (43, "actions[0].due", "'2021-02-30' is not a calendar date"),
        (44, "actions[0].sources[0]", "unknown source 'press-release' (known: press-statement)"),
    ]
    assert len(lines) == 6
    for text, (line, field, fragment) in zip(lines, expected, strict=False):
        assert text.startswith(f"{path}:{line}:"), text
        assert f": error: {field}: " in text and fragment in text, text


# A valid record in the current format, as data; each bad value below is set into a copy.
VALID = {
    "schema_version": 2, "id": "2025-03-02-checkout-latency", "title": "Checkout latency",
    "lang": "en", "timezone": "Europe/London", "organisation": "Example Shop",
    "summary": "Checkout slowed down.",
    "key_instants": {"started": {"at": "2025-03-02T10:00Z"}},
    "cause": {"trigger": {"summary": "A cache node ran out of memory.",
                          "category": "capacity"}},
    "impacts": [{"service": "Checkout", "started": "2025-03-02T10:00Z",
                 "ended": "2025-03-02T10:40Z", "quantities": [
                     {"value": 3, "unit": "shops"}], "progress": [
                     {"at": "2025-03-02T10:20Z", "percent": 50}]}],
    "communications": [{"at": "2025-03-02T10:10Z", "channel": "status page",
                        "audience": ["customers"], "said": "We are on it."}],
    "timeline": [{"at": "2025-03-02T10:00Z", "kind": "trigger", "text": "It fails."}],
    "actions": [{"id": "alert", "action": "Alert on memory", "owner": "SRE",
                 "type": "detect"}],
    "discrepancies": [{"about": "when", "claims": [{"says": "10:00"}],
                       "resolution": "10:00"}],
}

BAD_VALUES = [
    (("severity",), "apocalyptic"), (("severity",), 3), (("taxonomy",), "alarms"),
    (("lang",), "de"), (("id",), "Checkout Latency"), (("id",), 12), (("title",), ""),
    (("title",), ["a"]), (("summary",), {"a": 1}), (("key_instants",), "soon"),
    (("key_instants", "started"), None), (("key_instants", "started", "confidence"), "sure"),
    (("cause", "trigger", "category"), "hardware"), (("cause", "trigger", "sources"), "a"),
    (("impacts",), []), (("impacts",), "all"), (("impacts", 0), "Checkout"),
    (("impacts", 0, "site_count"), -1), (("impacts", 0, "site_count"), 1.5),
    (("impacts", 0, "site_count"), "many"), (("impacts", 0, "outcome"), "fixed"),
    (("impacts", 0, "sites"), "Paris"), (("impacts", 0, "quantities", 0, "value"), "lots"),
    (("impacts", 0, "quantities", 0, "value"), -2),
    (("impacts", 0, "quantities", 0, "qualifier"), "approximately"),
    (("impacts", 0, "progress", 0, "percent"), 150), (("impacts", 0, "progress", 0, "value"), "x"),
    (("impacts", 0, "data_loss"), "everything"), (("impacts", 0, "data_loss"), {"what": "x",
                                                                             "permanent": "maybe"}),
    (("communications", 0, "audience"), []), (("communications", 0, "audience", 0), "clients"),
    (("communications", 0, "promised"), {"restoration": "2025-03-02T11:00Z", "target": "fixed"}),
    (("timeline",), []), (("timeline", 0, "kind"), "decided"), (("timeline", 0, "kind"), None),
    (("timeline", 0, "id"), "Step One"), (("actions", 0, "status"), "doing"),
    (("actions", 0, "priority"), "urgent"), (("actions", 0, "due"), "soon"),
    (("actions", 0, "lessons"), "x"), (("discrepancies", 0, "claims"), []),
    (("discrepancies", 0, "claims", 0, "sources"), [3]), (("review",), {"status": "done"}),
    (("review",), {"approvals": [{"name": "A", "date": "2025-03-03", "decision": "yes"}]}),
    (("third_parties",), [{"id": "x", "name": "X", "expectation_met": "sometimes"}]),
]


def _with(loc: tuple, value: object) -> dict:
    data = json.loads(json.dumps(VALID))
    target = data
    for part in loc[:-1]:
        target = target[part]
    target[loc[-1]] = value
    return data


def test_the_valid_data_used_below_is_valid():
    validate_document(load_bytes(json.dumps(VALID).encode(), "r.yaml"))


@pytest.mark.parametrize(("loc", "value"), BAD_VALUES)
def test_messages_are_written_for_a_record_author(loc, value):
    raw = yaml.safe_dump(_with(loc, value), allow_unicode=True).encode()
    with pytest.raises(RecordError) as caught:
        validate_document(load_bytes(raw, "r.yaml"))
    for problem in caught.value.problems:
        for phrase in ("Input should", "List should", "String should", "validation", "pydantic",
                       "union", "function-", "[type="):
            assert phrase not in problem.message, problem
        assert problem.line > 1 or loc == ("key_instants", "started"), problem


@pytest.mark.parametrize(("loc", "value", "message"), [
    (("discrepancies", 0, "claims"), [], "give at least one claim"),
    (("timeline",), [], "give at least one timeline entry"),
    (("impacts", 0, "outcome"), "ongoin",
     "'ongoin' is not an outcome; did you mean 'ongoing'? Use one of: 'restored' (the service "
     "worked again (give 'ended')); 'ended' (the impact is over"),
    (("key_instants", "started", "confidence"), "confirmd",
     "did you mean 'confirmed'? Use one of: 'confirmed' (stated by the organisation"),
    (("id",), "Checkout Latency", "'Checkout Latency' is not a valid id: an id is lowercase "
     "letters, digits and hyphens, e.g. 'db-failover'"),
    (("title",), "", "title must not be empty"),
    (("impacts", 0, "site_count"), -1, "site_count must be 0 or more, found the number -1"),
    (("impacts", 0, "quantities", 0, "value"), "lots",
     "value must be a number (e.g. 3 or 2.5), found 'lots'"),
    (("impacts", 0, "progress", 0, "percent"), 150, "percent must be 100 or less"),
    (("cause", "trigger", "sources"), "a", "sources must be a list, found 'a': for a single "
     "item write [a]"),
    (("impacts", 0, "data_loss"), {"what": "x", "permanent": "maybe"},
     "permanent must be true or false"),
    (("impacts", 0, "data_loss"), "everything",
     "data_loss must be a mapping of fields ('key: value' lines indented under it)"),
    (("title",), ["a"], "title must be text, found a list"),
    (("communications", 0, "audience", 0), "clients", "'clients' is not an audience. Use one "
     "of: staff, public, press, authority, customers, partners"),
    (("locale",), "en_UK", "'en_UK' is not a locale; did you mean 'en_US'? Use one of: en_US, "
     "en_GB"),
    (("locale",), "fr_FR", "fr_FR is a style of another language than the record's (en): "
     "choose one starting with 'en_'"),
    (("sources",), [{"id": "s", "title": "Outage report", "lang": "English"}],
     "'English' is not a language code: write a short code such as 'en'"),
])
def test_a_bad_value_gets_a_sentence(loc, value, message):
    raw = yaml.safe_dump(_with(loc, value), allow_unicode=True).encode()
    with pytest.raises(RecordError) as caught:
        validate_document(load_bytes(raw, "r.yaml"))
    assert any(message in problem.message for problem in caught.value.problems), (
        caught.value.problems)


def test_cross_field_problems_are_reported_even_when_the_schema_fails(tmp_path):
    data = _with(("timeline", 0, "kind"), "decided")
    data["sources"] = [{"id": "blog", "title": "Blog"}, {"id": "blog", "title": "Blog again"}]
    data["timeline"][0].update(id="started", sources=["blgo"])
    data["impacts"].append({"service": "Search", "started": "2025-03-02T10:00Z",
                            "third_party": "cdn"})
    data["impacts"].append({"service": "Mail", "started": "2025-03-02T10:00Z",
                            "ended": "2025-03-02T10:30Z", "outcome": "ongoing"})
    data["actions"][0].update(superseded_by="alert", lessons=["caching"])
    data["actions"].append({"id": "alert", "action": "x", "owner": "y", "type": "detect",
                            "merged_into": "alerting"})
    data["communications"][0]["promised"] = {"deliverable": "a full analysis",
                                             "restoration": "2025-03-02T11:00Z"}
    data["communications"].append({"at": "2025-03-02T10:10Z", "channel": "mail", "said": "x",
                                   "audience": ["staff"], "promised": {
                                       "deliverable": "a report"}})
    data["communications"].append({"at": "2025-03-02T10:10Z", "channel": "mail", "said": "x",
                                   "audience": ["staff"], "promised": {
                                       "restoration": "2025-03-02T11:00Z", "target": "restored",
                                       "impact": "checkout"}})
    data["cause"]["contributing_factors"] = [{"summary": "x", "category": "patient"}]
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(RecordError) as caught:
        validate_document(load_bytes(path.read_bytes(), "r.yaml"))
    found: dict[str, str] = {}
    for problem in caught.value.problems:
        found[problem.field] = " | ".join(filter(None, [found.get(problem.field), problem.message]))
    assert "is not a timeline kind" in found["timeline[0].kind"]
    assert found["sources[1].id"] == "id 'blog' is already used by sources[0]"
    assert found["actions[1].id"] == "id 'alert' is already used by actions[0]"
    assert "is the name of a key instant" in found["timeline[0].id"]
    assert found["timeline[0].sources[0]"] == "unknown source 'blgo' (known: blog)"
    assert found["impacts[1].third_party"].startswith("unknown third party 'cdn'")
    assert found["impacts[1]"].startswith("say how it ended: give 'ended', or 'outcome:' one "
                                          "of 'restored' (the service worked again")
    assert "cannot be ongoing and have ended" in found["impacts[2].outcome"]
    assert "cannot be superseded by itself" in found["actions[0].superseded_by"]
    assert found["actions[0].lessons[0]"] == "unknown lesson 'caching' (known: none is defined)"
    assert found["actions[1].merged_into"] == "unknown action item 'alerting' (known: alert)"
    assert "exactly one of 'restoration'" in found["communications[0].promised"]
    assert "add 'by'" in found["communications[1].promised.deliverable"]
    assert "not both" in found["communications[2].promised.impact"]
    assert "unknown impact 'checkout'" in found["communications[2].promised.impact"]
    assert ("category 'patient' is not in the 'generic' taxonomy ('patient' is in the 'alarm' "
            "taxonomy" in found["cause.contributing_factors[0].category"])
    assert ("'infrastructure' (power, cooling, hardware, network links, buildings)"
            in found["cause.contributing_factors[0].category"])
    lines = [problem.line for problem in caught.value.problems]
    assert lines == sorted(lines)


def test_a_promise_about_an_unknown_impact_is_named():
    data = _with(("communications", 0, "promised"), {"restoration": "2025-03-02T11:00Z",
                                                     "impact": "checkout"})
    with pytest.raises(RecordError) as caught:
        validate_document(load_bytes(json.dumps(data).encode(), "r.yaml"))
    [problem] = caught.value.problems
    assert problem.field == "communications[0].promised.impact"
    assert "unknown impact 'checkout' (known: none is defined): give the impact an 'id'" in (
        problem.message)
    data["impacts"][0]["id"] = "checkout"
    validate_document(load_bytes(json.dumps(data).encode(), "r.yaml"))


def test_the_schema_lists_the_categories_outcomes_and_confidences_with_their_meaning(run):
    status, out, _ = run("schema")
    assert status == 0
    schema = json.loads(out)
    assert schema["$id"] == ("https://raw.githubusercontent.com/postmortem-dev/postmortem/main/"
                             "schema/2/incident.schema.json")
    definitions = schema["$defs"]
    category = definitions["Factor"]["properties"]["category"]
    assert {"const": "infrastructure",
            "description": "generic: power, cooling, hardware, network links, buildings"} in (
        category["anyOf"])
    assert "- patient: the patient's condition" in category["description"]
    outcome = definitions["Impact"]["properties"]["outcome"]
    assert {"const": "never_restored", "description":
            "destroyed, abandoned or replaced: say how in 'outcome_note'"} in outcome["anyOf"]
    assert {"type": "null"} in outcome["anyOf"]
    confidence = definitions["TimelineEntry"]["properties"]["confidence"]
    assert "- derived: computed or decoded" in confidence["description"]


@pytest.mark.parametrize(("line", "problem"), [
    ("title: yes", "`yes` is read by YAML 1.1 as the boolean true"),
    ("title: !!binary aGk=", "tag !!binary is not allowed"),
    ("impacts: !!set {a: null}", "tag !!set is not allowed"),
    ("summary: 0x1F", "ambiguous number 0x1F"),
])
def test_a_value_the_loader_refused_is_reported_once(line, problem):
    data = {key: value for key, value in VALID.items() if key != line.split(":")[0]}
    raw = yaml.safe_dump(data) + line + "\n"
    with pytest.raises(RecordError) as caught:
        validate_document(load_bytes(raw.encode(), "r.yaml"))
    assert [p.message for p in caught.value.problems if problem in p.message], caught.value
    assert len(caught.value.problems) == 1, caught.value.problems


def test_a_schema_version_the_loader_refused_is_reported_alone(tmp_path):
    raw = (RECORDS / "minimal.yaml").read_bytes().replace(b"schema_version: 1",
                                                            b"schema_version: 01")
    with pytest.raises(RecordError) as caught:
        validate_document(load_bytes(raw, "r.yaml"))
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (1, "schema_version")
    assert "ambiguous number 01" in problem.message
