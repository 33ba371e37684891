"""`validate` speaks French to a French reader: whole sentences, right genders and plurals."""

from __future__ import annotations

import os
import subprocess
import sys
import typing

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from postmortem.errors import RecordError
from postmortem.i18n import messages_in
from postmortem.record.load import load_bytes
from postmortem.record.messages import (
    ENUM_NOUNS,
    _counted_items,
    _enum_noun,
    _literal_values,
    _model_of,
)
from postmortem.record.model import Incident
from postmortem.record.validate import validate_document

from support import plain

RECORD = """\
schema_version: 2
id: 2025-03-02-checkout-latency
title: Checkout latency
lang: en
timezone: Europe/London
organisation: Example Shop
severity: moderate
summary: Checkout slowed down for 40 minutes after a cache node failed.
key_instants:
  started:
    at: 2025-03-02T10:00Z
  restored:
    at: 2025-03-02T10:40Z
cause:
  trigger:
    summary: A cache node ran out of memory.
    category: capacity
impacts:
  - service: Checkout
    started: 2025-03-02T10:00Z
    ended: 2025-03-02T10:40Z
timeline:
  - at: 2025-03-02T10:00Z
    kind: trigger
    text: The cache node stops answering.
"""


def problems(text: str, lang: str) -> dict[str, list[str]]:
    """Validate a record in a language; return its messages by field path."""
    with messages_in(lang), pytest.raises(RecordError) as raised:
        validate_document(load_bytes(text.encode(), "r.yaml"))
    found: dict[str, list[str]] = {}
    for problem in raised.value.problems:
        found.setdefault(problem.field, []).append(plain(problem.message))
    return found


def broken(old: str, new: str) -> str:
    assert old in RECORD
    return RECORD.replace(old, new, 1)


# (what is changed, into what, field path, the French message, or its start when it ends
# with "…")
CASES = {
    "unknown field, suggested": (
        "    category: capacity", "    categry: capacity", "cause.trigger.categry",
        "champ inconnu 'categry' ; peut-être 'category' ?"),
    "unknown field, listed": (
        "    category: capacity", "    category: capacity\n    colour: red",
        "cause.trigger.colour",
        "champ inconnu 'colour' (champs permis : title, summary, detail, category, …"),
    "missing field": (
        "summary: Checkout slowed down for 40 minutes after a cache node failed.\n", "",
        "summary", "champ obligatoire 'summary' manquant : …"),
    "text expected": (
        "title: Checkout latency", "title: 42", "title",
        "title doit être du texte, pas le nombre 42 : le mettre entre guillemets"),
    "empty value": (
        "title: Checkout latency", "title:", "title",
        "title est vide : écrire le texte après le ':'"),
    "item of a list": (
        "severity: moderate", "severity: moderate\ninternal_names: [3]", "internal_names[0]",
        "chaque élément de internal_names doit être du texte, pas le nombre 3 : le mettre "
        "entre guillemets"),
    "not in the list, suggested": (
        "severity: moderate", "severity: majr", "severity",
        "'majr' n’est pas une gravité ; peut-être 'major' ? Valeurs possibles : critical, "
        "major, moderate, minor"),
    "not in the list, with meanings": (
        "  - service: Checkout", "  - service: Checkout\n    outcome: restord",
        "impacts[0].outcome",
        "'restord' n’est pas une issue ; peut-être 'restored' ? Valeurs possibles : 'restored' "
        "(le service a de nouveau fonctionné (indiquer 'ended')) ; 'ended' (l’impact est "
        "terminé, …"),
    "enumerated value left empty": (
        "    kind: trigger", "    kind:", "timeline[0].kind",
        "indiquer un type d’entrée de chronologie. Valeurs possibles : trigger, impact, …"),
    "too few items, feminine": (
        "timeline:\n  - at: 2025-03-02T10:00Z\n    kind: trigger\n"
        "    text: The cache node stops answering.\n", "timeline: []\n", "timeline",
        "indiquer au moins une entrée de chronologie"),
    "too few items, masculine": (
        "impacts:\n  - service: Checkout\n    started: 2025-03-02T10:00Z\n"
        "    ended: 2025-03-02T10:40Z\n", "impacts: []\n", "impacts",
        "indiquer au moins un impact"),
    "id not valid": (
        "id: 2025-03-02-checkout-latency", "id: Checkout_Latency", "id",
        "'Checkout_Latency' n’est pas un id valide : un id se compose de lettres minuscules, "
        "de chiffres et de tirets, par ex. 'db-failover'"),
    "number past a bound": (
        "  - service: Checkout",
        "  - service: Checkout\n    progress:\n      - at: 2025-03-02T10:10Z\n        percent: 150",
        "impacts[0].progress[0].percent",
        "percent doit valoir 100 ou moins, pas le nombre 150"),
    "unknown reference, feminine": (
        "  - service: Checkout", "  - service: Checkout\n    sources: [vendor-report]",
        "impacts[0].sources[0]", "source inconnue 'vendor-report' (aucune n’est définie)"),
    "unknown reference, masculine": (
        "    category: capacity", "    category: capacity\n    third_party: acme",
        "cause.trigger.third_party", "tiers inconnu 'acme' (aucun n’est défini)"),
    "category of another taxonomy": (
        "    category: capacity", "    category: patient", "cause.trigger.category",
        "la catégorie 'patient' n’est pas dans la taxonomie 'generic' ('patient' est dans la "
        "taxonomie 'alarm' : indiquer 'taxonomy: alarm' si la fiche l’utilise) ; utiliser "
        "l’une de : 'infrastructure' (électricité, refroidissement, …"),
    "end before start": (
        "    ended: 2025-03-02T10:40Z", "    ended: 2025-03-02T09:40Z", "impacts[0].ended",
        "se termine (2025-03-02T09:40Z) avant de commencer (2025-03-02T10:00Z)"),
    "YAML 1.1 boolean": (
        "    text: The cache node stops answering.", "    text: yes", "timeline[0].text",
        "`yes` est lu par YAML 1.1 comme le booléen true : le mettre entre guillemets s’il "
        "s’agit du mot, ou écrire true/false"),
    "duplicate key": (
        "lang: en", "lang: en\ntitle: Again", "title",
        "clé 'title' en double (la première à la ligne 3) : n’en garder qu’une"),
    "newer format": (
        "schema_version: 2", "schema_version: 9", "schema_version",
        "schema_version 9 est plus récent que ce que cette version de postmortem comprend "
        "(jusqu’à 2) : mettre à jour postmortem pour lire cette fiche"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_french_reader_reads_the_problem_in_french(case):
    old, new, field, expected = CASES[case]
    messages = problems(broken(old, new), "fr").get(field)
    assert messages, problems(broken(old, new), "fr")
    if expected.endswith("…"):
        assert messages[0].startswith(expected[:-1]), messages[0]
    else:
        assert messages[0] == expected


# The same problems, in English as they were before they had a translation.
ENGLISH = {
    "not in the list, suggested": "'majr' is not a severity; did you mean 'major'? Use one of: "
                                  "critical, major, moderate, minor",
    "enumerated value left empty": "give a timeline kind. Use one of: trigger, impact, "
                                   "detection, action, communication, milestone, decision, "
                                   "recovery",
    "too few items, feminine": "give at least one timeline entry",
    "too few items, masculine": "give at least one impact",
    "unknown reference, feminine": "unknown source 'vendor-report' (known: none is defined)",
    "item of a list": "each item of internal_names must be text, found the number 3: put it "
                      "in quotes",
    "duplicate key": "duplicate key 'title' (first at line 3): keep only one of them",
}


@pytest.mark.parametrize("case", sorted(ENGLISH))
def test_english_reads_as_before(case):
    old, new, field, _french = CASES[case]
    assert problems(broken(old, new), "en")[field][0] == ENGLISH[case]


def test_counts_are_grouped_the_french_way():
    lessons = "".join(f"  - id: l{index}\n    title: t\n    text: t\n" for index in range(1100))
    found = problems(RECORD + "lessons:\n" + lessons, "fr")
    assert found["lessons"] == ["1 100 entrées ; la limite est de 200 entrées"]


def _fields(model: type[BaseModel], loc: tuple = ()) -> typing.Iterator[tuple[tuple, FieldInfo]]:
    """Yield (location, field) for every field of the model, an index for a list item."""
    for name, info in model.model_fields.items():
        in_list = "list[" in str(info.annotation)
        here = loc + (name,) + ((0,) if in_list else ())
        yield here, info
        inner = _model_of(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel) and inner is not model:
            yield from _fields(inner, here)


def test_every_enumerated_field_has_a_noun_to_translate():
    nouns = {_enum_noun(loc) for loc, info in _fields(Incident) if _literal_values(info.annotation)}
    assert sorted(nouns - set(ENUM_NOUNS)) == []


def test_every_list_with_a_least_length_counts_its_items_in_french():
    bounded = [loc[:-1] for loc, info in _fields(Incident)
               if loc[-1] == 0 and any(getattr(rule, "min_length", 0) for rule in info.metadata)]
    assert ("timeline",) in bounded
    with messages_in("fr"):
        english = [loc for loc in bounded if _counted_items(loc, 1).startswith("one ")]
    assert english == []


def test_validate_in_a_french_locale_prints_french_at_the_line(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(broken("severity: moderate", "severity: majr"))
    env = {name: value for name, value in os.environ.items()
           if name not in ("LC_ALL", "LANGUAGE", "LC_MESSAGES")}
    env["LANG"] = "fr_FR.UTF-8"
    result = subprocess.run([sys.executable, "-m", "postmortem", "validate", str(path)],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 1
    assert (f"{path}:7:11: error: severity: 'majr' n’est pas une gravité ; peut-être 'major' ? "
            "Valeurs possibles : critical, major, moderate, minor") in result.stderr
