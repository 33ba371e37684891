"""Precision and recall of the wording rules, measured on a labelled corpus.

Each item of `tests/lint_corpus/corpus.yaml` and `held-out.yaml` is a sentence or an
action item written for the purpose, in French or English, with the rules that must fire
on it (`must`) and the traps it sets (`must_not`); every other rule judged for its field
must not fire either. The second file was written after the rules, without reading them
or the first file: the rules were not tuned on it before it was first measured.
Each item is linted in its place in a real record (`record-<lang>.yaml`), and only the
findings of its own field count. The figures each rule must keep are recorded in
`thresholds.toml` and quoted by the README; the run prints them.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from postmortem.lint.engine import lint_file

CORPUS = Path(__file__).parent / "lint_corpus"
FILES = ("corpus.yaml", "held-out.yaml")
ROOT = Path(__file__).parent.parent

#: Where each kind of text is written in the record, and the rules judged there.
FIELDS = {
    "prose": ("PROSE", "summary",
              ("blame-language", "counterfactual", "root-cause")),
    "cause": ("CAUSE", "cause.trigger.summary",
              ("blame-language", "counterfactual", "root-cause", "named-individual")),
    "action": ("ACTION", "actions[0].action",
               ("action-verb", "action-vague", "blame-language", "counterfactual",
                "root-cause")),
}
RULES = sorted({rule for _, _, rules in FIELDS.values() for rule in rules})


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    field: str
    text: str
    must: frozenset[str]
    must_not: frozenset[str]

    @property
    def judged(self) -> tuple[str, ...]:
        return FIELDS[self.field][2]


def load_corpus() -> list[Item]:
    data = [entry for name in FILES
            for entry in yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))]
    return [Item(entry["id"], entry["lang"], entry["field"], entry["text"],
                 frozenset(entry.get("must") or ()), frozenset(entry.get("must_not") or ()))
            for entry in data]


def findings_of(item: Item, tmp_path: Path) -> set[str]:
    """Lint the item in its place and return the rules that fired in its field."""
    slot, field, _ = FIELDS[item.field]
    record = (CORPUS / f"record-{item.lang}.yaml").read_text(encoding="utf-8")
    # A JSON string is a YAML double-quoted scalar.
    record = record.replace(f'"{slot}"', json.dumps(item.text, ensure_ascii=False))
    for other, _, _ in FIELDS.values():
        record = record.replace(f'"{other}"', '"Nothing to report here."' if other != "ACTION"
                                else ('"Add an alert on the queue length."' if item.lang == "en"
                                      else '"Ajouter une alerte sur la longueur de la file."'))
    path = tmp_path / f"{item.id}.yaml"
    path.write_text(record, encoding="utf-8")
    result = lint_file(path, today=date(2025, 3, 10))
    assert not result.problems, [str(problem) for problem in result.problems]
    return {finding.rule for finding in result.findings if finding.field == field}


def test_the_corpus_is_well_formed():
    items = load_corpus()
    assert len(items) >= 150
    assert len({item.id for item in items}) == len(items)
    counts = Counter(item.lang for item in items)
    assert set(counts) == {"en", "fr"} and min(counts.values()) >= 60
    for item in items:
        assert item.field in FIELDS, item.id
        assert item.must <= set(item.judged), item.id
        assert item.must_not <= set(item.judged) - item.must, item.id
    positives = Counter(rule for item in items for rule in item.must)
    negatives = Counter(rule for item in items for rule in item.judged if rule not in item.must)
    for rule in RULES:
        assert positives[rule] >= 15 and negatives[rule] >= 15, rule


def test_precision_and_recall_hold_their_recorded_figures(tmp_path, record_property):
    outcomes: dict[str, Counter] = {rule: Counter() for rule in RULES}
    wrong = []
    for item in load_corpus():
        fired = findings_of(item, tmp_path)
        for rule in item.judged:
            expected, got = rule in item.must, rule in fired
            outcomes[rule]["tp" if expected and got else "fn" if expected
                           else "fp" if got else "tn"] += 1
            if expected != got:
                wrong.append(f"{item.id}: {rule} {'missed' if expected else 'fired'}: "
                             f"{item.text}")
    figures = {rule: measured(counts) for rule, counts in outcomes.items()}
    record_property("lint_corpus", table(figures, outcomes))
    recorded = tomllib.loads((CORPUS / "thresholds.toml").read_text(encoding="utf-8"))["rules"]
    assert set(recorded) == set(RULES)
    below = [f"{rule}: {name} {figures[rule][name]:.2f} < {recorded[rule][name]:.2f}"
             for rule in RULES for name in ("precision", "recall")
             if figures[rule][name] < recorded[rule][name]]
    assert not below, "\n".join(below + ["", *wrong])


def measured(counts: Counter) -> dict[str, float]:
    fired, expected = counts["tp"] + counts["fp"], counts["tp"] + counts["fn"]
    return {"precision": counts["tp"] / fired if fired else 1.0,
            "recall": counts["tp"] / expected if expected else 1.0}


def table(figures: dict[str, dict[str, float]], outcomes: dict[str, Counter]) -> str:
    lines = ["rule                 precision  recall   tp  fp  fn   tn"]
    for rule, figure in figures.items():
        counts = outcomes[rule]
        lines.append(f"{rule:<20} {figure['precision']:>9.2f} {figure['recall']:>7.2f} "
                     f"{counts['tp']:>4} {counts['fp']:>3} {counts['fn']:>3} {counts['tn']:>4}")
    return "\n".join(lines)


def test_the_readme_quotes_the_recorded_figures():
    recorded = tomllib.loads((CORPUS / "thresholds.toml").read_text(encoding="utf-8"))["rules"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule, figure in recorded.items():
        row = re.search(rf"^\| `{re.escape(rule)}` \| ([\d.]+) \| ([\d.]+) \|", readme, re.M)
        assert row is not None, rule
        assert (float(row.group(1)), float(row.group(2))) == (figure["precision"],
                                                              figure["recall"]), rule

