"""docs/writing.md: each rule's bad example is reported by that rule alone, each good one not."""

from __future__ import annotations

import json
import re
import shlex
from datetime import date
from pathlib import Path

import pytest

from postmortem.lint.config import WordLists
from postmortem.lint.engine import lint_file
from postmortem.lint.rules import RULES
from postmortem.workspace.config import load_config

from support import ROOT

PAGE = ROOT / "docs" / "writing.md"
TODAY = date(2025, 5, 15)  # the day the page says its examples are judged on
RECORD_ID = "2025-03-28-card-payments"

# The part of a record each example replaces: every top-level key it gives, whole.
BASES = {
    "en": """\
schema_version: 2
id: 2025-03-28-card-payments
title: Card payments failed after a gateway configuration change
lang: en
timezone: Europe/Paris
organisation: Example Shop
severity: major
summary: >-
  For about 50 minutes on 28 March 2025 most card payments at checkout failed after a
  configuration change pointed the payment service at a retired gateway endpoint.
key_instants:
  started:
    at: 2025-03-28T14:02+01:00
  detected:
    at: 2025-03-28T14:09+01:00
  restored:
    at: about 2025-03-28T14:52+01:00
cause:
  trigger:
    summary: A configuration change pointed the payment service at a retired gateway endpoint.
    category: configuration
impacts:
  - service: Checkout
    started: 2025-03-28T14:02+01:00
    ended: about 2025-03-28T14:52+01:00
    outcome: restored
timeline:
  - at: 2025-03-28T14:02+01:00
    kind: trigger
    text: The configuration change reaches production; card payments start failing.
  - at: 2025-03-28T14:09+01:00
    kind: detection
    text: The payment error-rate alert pages the on-call engineer.
  - at: about 2025-03-28T14:52+01:00
    kind: recovery
    text: The change is reverted and card payments succeed again.
""",
    "fr": """\
schema_version: 2
id: 2025-03-28-card-payments
title: Échec des paiements par carte après une modification de configuration
lang: fr
timezone: Europe/Paris
organisation: Boutique d'exemple
severity: major
summary: >-
  Le 28 mars 2025, pendant une cinquantaine de minutes, la plupart des paiements par
  carte ont échoué après une modification de configuration.
key_instants:
  started:
    at: 2025-03-28T14:02+01:00
  detected:
    at: 2025-03-28T14:09+01:00
  restored:
    at: about 2025-03-28T14:52+01:00
cause:
  trigger:
    summary: Une modification de configuration a dirigé les paiements vers une adresse retirée.
    category: configuration
impacts:
  - service: Paiement
    started: 2025-03-28T14:02+01:00
    ended: about 2025-03-28T14:52+01:00
    outcome: restored
timeline:
  - at: 2025-03-28T14:02+01:00
    kind: trigger
    text: La modification arrive en production ; les paiements par carte échouent.
  - at: 2025-03-28T14:09+01:00
    kind: detection
    text: L'alerte sur le taux d'échec des paiements appelle l'ingénieur d'astreinte.
  - at: about 2025-03-28T14:52+01:00
    kind: recovery
    text: La modification est annulée et les paiements par carte aboutissent de nouveau.
""",
}

_MARKED_BLOCK = r"<!-- {kind}:? ?(?P<label>[^>]*?) -->\n\n```(?P<lang>\w+)\n(?P<body>.*?)^```$"
_EXAMPLE = re.compile(_MARKED_BLOCK.format(kind="example"), re.MULTILINE | re.DOTALL)
_OUTPUT = re.compile(_MARKED_BLOCK.format(kind="output"), re.MULTILINE | re.DOTALL)
_CONFIG = re.compile(_MARKED_BLOCK.format(kind="config"), re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^(#+) (.+)$", re.MULTILINE)
_TOP_KEY = re.compile(r"^([a-z_]+):", re.MULTILINE)
_SILENCE = re.compile(r"\s*# postmortem: ignore\[[^\]]*\].*$", re.MULTILINE)


def _examples() -> list[tuple[str, str, str, str, str]]:
    """Return (rule, kind, section heading, paragraph above, YAML) for each marked example."""
    text = PAGE.read_text(encoding="utf-8")
    examples = []
    for match in _EXAMPLE.finditer(text):
        rule, _, kind = match.group("label").partition(" ")
        headings = _HEADING.findall(text, 0, match.start())
        section = headings[-1][1] if headings else ""
        above = text[: match.start()].rstrip().rpartition("\n\n")[2]
        assert match.group("lang") == "yaml", f"example {match.group('label')} is not YAML"
        examples.append((rule, kind, section, above, match.group("body")))
    return examples


EXAMPLES = _examples()


def _blocks(text: str) -> dict[str, str]:
    """Split YAML text into its top-level keys, each with its lines."""
    starts = [(match.start(), match.group(1)) for match in _TOP_KEY.finditer(text)]
    ends = [start for start, _ in starts[1:]] + [len(text)]
    return {key: text[start:end] for (start, key), end in zip(starts, ends, strict=True)}


def record_with(example: str) -> str:
    """Return the base record of the example's language, each key it gives replaced by it."""
    given = _blocks(example)
    lang = re.search(r"^lang: (\w+)", example, re.MULTILINE)
    blocks = _blocks(BASES[lang.group(1) if lang else "en"])
    blocks.update(given)  # a key of the base keeps its place, a new one comes last
    return "".join(block if block.endswith("\n") else block + "\n" for block in blocks.values())


def write_record(workspace: Path, record: str) -> Path:
    """Write the record where `postmortem lint` looks for it in a workspace."""
    path = workspace / "incidents" / f"{RECORD_ID}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(record, encoding="utf-8")
    return path


def findings_of(workspace: Path, record: str) -> list:
    """Lint the record on the day the page's examples are judged on."""
    result = lint_file(write_record(workspace, record), today=TODAY)
    assert not result.problems, "\n".join(str(problem) for problem in result.problems)
    return result.findings


def _example_id(example: tuple) -> str:
    rule, kind, *_ = example
    return f"{rule}-{kind}"


@pytest.mark.parametrize("lang", sorted(BASES))
def test_the_base_record_gives_no_finding(tmp_path, lang):
    assert findings_of(tmp_path, BASES[lang]) == []


@pytest.mark.parametrize("kind", ["bad", "good"])
def test_every_rule_has_a_bad_and_a_good_example(kind):
    documented = {rule for rule, example_kind, *_ in EXAMPLES if example_kind == kind}
    assert sorted(documented) == sorted(RULES)


def test_every_example_names_a_rule_and_a_kind():
    assert EXAMPLES
    for rule, kind, *_ in EXAMPLES:
        assert rule in RULES
        assert kind in ("bad", "good", "silenced")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_has_a_section_that_states_its_severity(rule):
    text = PAGE.read_text(encoding="utf-8")
    # The section's heading is the rule id, so that its anchor is too: writing.md#action-due.
    sections = re.split(r"^#+ ", text, flags=re.MULTILINE)
    section = next((part for part in sections if part.startswith(f"{rule}\n")), None)
    assert section is not None, f"no heading '### {rule}'"
    assert f"Default severity: **{RULES[rule].severity}**." in section
    assert f"| [{rule}](#{rule}) | {RULES[rule].severity} |" in text


@pytest.mark.parametrize("example", EXAMPLES, ids=_example_id)
def test_an_example_sits_in_its_rule_section_under_a_visible_label(example):
    rule, kind, section, above, _ = example
    if kind == "silenced":  # illustrates the comment wherever the page explains it
        return
    assert section == rule
    # The marking comment is invisible on the site: the reader sees the label.
    assert re.match(rf"\*\*{kind.capitalize()}\b", above), above


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e[1] == "bad"], ids=_example_id)
def test_a_bad_example_is_reported_by_its_rule_alone(tmp_path, example):
    rule, *_, yaml = example
    found = findings_of(tmp_path, record_with(yaml))
    assert found, f"no finding for the bad example of {rule}"
    assert {finding.rule for finding in found} == {rule}, [finding.problem for finding in found]


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e[1] == "good"], ids=_example_id)
def test_a_good_example_gives_no_finding(tmp_path, example):
    found = findings_of(tmp_path, record_with(example[-1]))
    assert [str(finding.problem) for finding in found] == []


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e[1] == "silenced"],
                         ids=_example_id)
def test_a_silenced_example_is_reported_only_without_its_comment(tmp_path, example):
    rule, *_, yaml = example
    assert f"# postmortem: ignore[{rule}]" in yaml
    assert findings_of(tmp_path, record_with(yaml)) == []
    unsilenced = findings_of(tmp_path, record_with(_SILENCE.sub("", yaml)))
    assert {finding.rule for finding in unsilenced} == {rule}


def test_the_page_judges_overdue_items_on_the_day_the_test_does():
    assert f"--today {TODAY.isoformat()}" in PAGE.read_text(encoding="utf-8")


def test_the_output_shown_is_what_lint_prints(tmp_path, monkeypatch, run):
    text = PAGE.read_text(encoding="utf-8")
    outputs = list(_OUTPUT.finditer(text))
    assert len(outputs) == 1
    rule, _, kind = outputs[0].group("label").partition(" ")
    command, *printed = outputs[0].group("body").splitlines()
    first = next(yaml for r, k, *_, yaml in EXAMPLES if (r, k) == (rule, kind))
    write_record(tmp_path, record_with(first))
    monkeypatch.chdir(tmp_path)
    argv = shlex.split(command.removeprefix("$ "))
    assert argv[0] == "postmortem"
    status, _, err = run(*argv[1:])
    assert err.splitlines() == printed
    assert status == 0  # warnings only


def test_json_and_sarif_hold_what_the_page_says(tmp_path, monkeypatch, run):
    text = PAGE.read_text(encoding="utf-8")
    fields = re.findall(r"`(\w+)`", re.search(r"its findings \(([^)]*)\)", text).group(1))
    error = next(yaml for rule, kind, *_, yaml in EXAMPLES if (rule, kind) == ("action-due", "bad"))
    write_record(tmp_path, record_with(error))
    monkeypatch.chdir(tmp_path)
    status, out, _ = run("lint", "--format", "json", "--today", TODAY.isoformat())
    assert status == 1  # an error finding fails the run
    (finding,) = json.loads(out)["files"][0]["findings"]
    assert list(finding) == fields
    assert (finding["rule"], finding["severity"]) == ("action-due", "error")
    status, out, _ = run("lint", "--format", "sarif", "--today", TODAY.isoformat())
    (log,) = json.loads(out)["runs"]
    assert [result["ruleId"] for result in log["results"]] == ["action-due"]
    assert "invalid-record" in [rule["id"] for rule in log["tool"]["driver"]["rules"]]


def test_the_configuration_shown_is_accepted(tmp_path):
    blocks = [match.group("body") for match in _CONFIG.finditer(PAGE.read_text("utf-8"))]
    assert len(blocks) == 1
    (tmp_path / "postmortem.toml").write_text(blocks[0], encoding="utf-8")
    settings = load_config(tmp_path).lint
    assert settings.severities["action-overdue"] == "off"
    assert "dropped the ball" in settings.added_words("en")["blame"]


def test_every_word_list_is_listed():
    text = PAGE.read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z_]+)` \|", text, re.MULTILINE)
    assert listed == list(WordLists.model_fields)
