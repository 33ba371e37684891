"""Lint reads the writer's own words, judges blame by whom it aims at, and speaks French.

The labelled corpus (test_lint_corpus.py) measures the wording rules at large; these are
the cases that first showed the rules wrong, each kept as a test of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from test_lint import sarif_schema

from postmortem.i18n import messages_in
from postmortem.lint.engine import lint_file
from postmortem.lint.sarif import to_sarif

from support import RECORDS

LINT = RECORDS / "lint"
CORPUS_RECORD = Path(__file__).parent / "lint_corpus" / "record-en.yaml"


def summary_findings(tmp_path: Path, summary: str, sources: str = "",
                     cause: str = "Nothing to report here.") -> list[tuple[str, str]]:
    """Lint the corpus record with this summary (and cause); return (rule, phrase) found."""
    record = CORPUS_RECORD.read_text(encoding="utf-8")
    record = record.replace('"PROSE"', json.dumps(summary, ensure_ascii=False))
    record = record.replace('"CAUSE"', json.dumps(cause, ensure_ascii=False))
    record = record.replace('"ACTION"', '"Add an alert on the queue length."')
    path = tmp_path / "record.yaml"
    path.write_text(record + sources, encoding="utf-8")
    result = lint_file(path, today=date(2025, 3, 10))
    assert not result.problems, [str(problem) for problem in result.problems]
    return [(f.rule, f.message.split('"')[1]) for f in result.findings
            if f.field in ("summary", "cause.trigger.summary")]


@pytest.mark.parametrize(("summary", "expected"), [
    # A product, a change or a system is blamed: no person is.
    ("Press reports blamed a Windows update for the crash.", []),
    ("The memory leak was to blame.", []),
    ("The outage was the fault of the power supply.", []),
    # A person, a role or a team is.
    ("Management blamed the DBA for the outage.", [("blame-language", "blamed")]),
    ("The on-call engineer was to blame.", [("blame-language", "to blame")]),
    # Hindsight about people, not about machines.
    ("The backup job failed to complete.", []),
    ("The alert should have fired at 10:02.", []),
    ("We failed to page the database team.", [("counterfactual", "failed to")]),
    ("The change should have been reviewed.", [("counterfactual", "should have")]),
    # Denied.
    ("Nobody was to blame, and there was no single root cause.", []),
    # Other people's words.
    ("The vendor's External Technical Root Cause Analysis came a week later.", []),
    ('The vendor wrote "human error"; see `root cause` and [root cause](https://x.org/rc).',
     []),
    ("The root cause was a full disk.", [("root-cause", "root cause")]),
])
def test_wording_reads_the_writers_own_words_about_people(tmp_path, summary, expected):
    assert summary_findings(tmp_path, summary) == expected


def test_the_title_of_a_cited_document_is_not_the_writers_wording(tmp_path):
    summary = "The report Root cause analysis of the outage came a week later."
    source = ("sources:\n  - id: vendor-rca\n    title: Root cause analysis of the outage\n"
              "    publisher: Example Vendor\n")
    assert summary_findings(tmp_path, summary) == [("root-cause", "Root cause")]
    assert summary_findings(tmp_path, summary, source) == []


def test_package_names_and_channel_mentions_name_no_one(tmp_path):
    cause = "Upgrading @types/node broke the build; @here was pinged and @jdoe answered."
    assert summary_findings(tmp_path, "Nothing to report here.", cause=cause) == [
        ("named-individual", "@jdoe")]


def test_sarif_carries_silenced_findings_as_suppressed_and_its_language(tmp_path):
    lines = (LINT / "seeded-en.yaml").read_text(encoding="utf-8").splitlines()
    lines[25] += "  # postmortem: ignore[named-individual]"
    path = tmp_path / "silenced.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with messages_in("fr"):
        result = lint_file(path, today=date(2025, 4, 1))
    assert [(f.line, f.rule, f.silenced_at) for f in result.silenced] == [
        (24, "named-individual", 26), (25, "named-individual", 26)]
    assert all(f.rule != "named-individual" for f in result.findings)
    with messages_in("fr"):
        log = to_sarif([result], root=tmp_path)
    Draft4Validator(sarif_schema()).validate(log)
    run_ = log["runs"][0]
    assert run_["language"] == "fr-FR"
    suppressed = [r for r in run_["results"] if "suppressions" in r]
    assert [(r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["suppressions"][0]["kind"],
             r["suppressions"][0]["location"]["physicalLocation"]["region"]["startLine"])
            for r in suppressed] == [(24, "inSource", 26), (25, "inSource", 26)]
    assert suppressed[0]["message"]["text"].startswith(
        '"John Smith" nomme une personne dans une cause (conseil : nommer le rôle')
    assert {r["ruleId"] for r in run_["results"]} >= {"named-individual", "blame-language"}


def _environment(**values: str) -> dict[str, str]:
    environ = {name: value for name, value in os.environ.items()
               if name not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    return {**environ, **values}


def _lint(*args: str, **environ: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "postmortem", "lint", *args,
                           str(LINT / "seeded-fr.yaml"), "--today", "2025-04-01"],
                          capture_output=True, text=True, env=_environment(**environ),
                          check=False)


def test_a_french_locale_reads_french_messages_and_lang_overrides_it():
    french = _lint(LANG="fr_FR.UTF-8")
    lines = french.stderr.splitlines()
    assert french.returncode == 1
    assert lines[-1].startswith("1 fiche(s) relue(s) : ") and "avertissement(s)" in lines[-1]
    assert ('seeded-fr.yaml:25:65: warning: [blame-language] "erreur humaine" blâme ou juge '
            "des personnes (conseil : décrire les conditions") in french.stderr
    english = _lint("--lang", "en", LANG="fr_FR.UTF-8")
    assert english.stderr.splitlines()[-1].startswith("1 record(s) linted: ")
    assert '"erreur humaine" blames or judges people (hint: describe' in english.stderr
    # LC_ALL outranks LANG, as in gettext; a language with no catalogue reads English.
    assert _lint(LC_ALL="de_DE.UTF-8", LANG="fr_FR.UTF-8").stderr == english.stderr
    assert _lint("--lang", "fr").stderr == french.stderr


def test_json_keeps_rule_ids_and_gives_the_language_of_its_messages():
    data = json.loads(_lint("--format", "json", LANG="fr_FR.UTF-8").stdout)
    assert data["lang"] == "fr"
    found = {(f["rule"], f["message"]) for f in data["files"][0]["findings"]}
    assert ("blame-language", '"erreur humaine" blâme ou juge des personnes') in found
    assert json.loads(_lint("--format", "json").stdout)["lang"] == "en"
