"""Action items: a verb first, decided with the lexicons, and a measure that is a quantity."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest

from postmortem.i18n import messages_in
from postmortem.lint.engine import lint_file
from postmortem.lint.lexicon import english_verb, french_verb, has_measure, starts_with_verb
from postmortem.lint.words import bundled_words

from support import RECORDS, ROOT

LINT = RECORDS / "lint"
TODAY = date(2025, 1, 15)

# The item each test rewrites, in records that lint clean.
ITEM = {
    "en": ("clean-en.yaml",
           "    action: Retire the ops mailbox.\n"),
    "fr": ("clean-fr.yaml",
           "    action: S'assurer chaque mois que les onduleurs tiennent la charge pendant "
           "15 minutes.\n"),
}


def lint_action(tmp_path, lang: str, action: str) -> list[tuple[str, str]]:
    """Lint a clean record whose one action item reads `action`: (rule, message) found."""
    name, line = ITEM[lang]
    text = (LINT / name).read_text(encoding="utf-8")
    assert text.count(line) == 1
    path = tmp_path / name
    path.write_text(text.replace(line, f"    action: {action}\n"), encoding="utf-8")
    result = lint_file(path, today=TODAY)
    assert result.problems == []
    return [(f.rule, f.message) for f in result.findings]


def verb_findings(tmp_path, lang: str, action: str) -> list[str]:
    return [message for rule, message in lint_action(tmp_path, lang, action)
            if rule == "action-verb"]


def vague_findings(tmp_path, lang: str, action: str) -> list[str]:
    return [message for rule, message in lint_action(tmp_path, lang, action)
            if rule == "action-vague"]


# The imperatives a first user had to add to postmortem.toml, and others of the kind.
ENGLISH_IMPERATIVES = [
    "Take a snapshot of the volume before each upgrade.",
    "Recover the queue from the replica when the primary stops.",
    "Bundle the CA certificates with the agent.",
    "Re-introduce the rate limiter on the login endpoint.",
    "Inspect the fire dampers of both power rooms.",
    "Let the scheduler drain a node before it restarts it.",
    "Have the vendor confirm the firmware version in writing.",
    "Re-enable the disk alerts that were muted in March.",
    "Double-check the restore script against a copy of production.",
    "Load-test the gateway at twice the peak traffic.",
    "Dry-run the migration on the staging database.",
    "Never deploy the billing service on a Friday.",
    "Always page the second on-call when the first does not acknowledge.",
    "Regularly rotate the signing keys of the API.",
    "Don't route payments through the fallback provider.",
    "Do not share the admin account.",
    "Dockerize the report builder.",
    "Reindex the search cluster after the upgrade.",
    "Dispose of the failed disks through the certified contractor.",
    "Quiesce the write path before taking the nightly snapshot.",
    "Sunset the legacy SMS gateway.",
]

ENGLISH_NOUN_PHRASES = [
    ("Monitoring of the cache tier.", "Monitoring"),
    ("Review of the runbooks after each incident.", "Review"),
    ("Audit of the backups.", "Audit"),
    ("Added alerts on the cache.", "Added"),
    ("Better alerting for the cache.", "Better"),
    ("New alert on the disk usage.", "New"),
    ("Further analysis of the logs.", "Further"),
    ("Root cause analysis with the vendor.", "Root"),
    ("Follow-up on the vendor's report.", "Follow-up"),
    ("Post-incident training for the support desk.", "Post-incident"),
    ("Daily review of the error budget.", "Daily"),
    ("Weekly restore test of the patient record backups.", "Weekly"),
]

FRENCH_INFINITIVES = [
    "Mettre en place une alerte sur la charge des onduleurs.",
    "S’assurer que les deux onduleurs tiennent la charge.",
    "Se doter d’un second groupe électrogène.",
    "Ne plus déployer le vendredi après 16 h.",
    "Ne jamais couper les deux alimentations d’une baie.",
    "N’utiliser que des câbles étiquetés.",
    "Durcir la configuration des pare-feu.",
    "Prendre en compte la charge des climatiseurs.",
    "Rédiger la procédure de redémarrage.",
    "Dockeriser l’outil de supervision.",
    "Monitorer la température des salles.",
    "Sous-traiter la maintenance des onduleurs.",
    "Mieux documenter la bascule du standard.",
    "Systématiquement vérifier les sauvegardes après une coupure.",
]

FRENCH_NOUN_PHRASES = [
    ("Audit du datacenter par un tiers.", "Audit"),
    ("Mise à jour du micrologiciel des onduleurs.", "Mise"),
    ("Dossier de suivi des coupures.", "Dossier"),
    ("Calendrier des tests des onduleurs.", "Calendrier"),
    ("Registre des interventions électriques.", "Registre"),
    ("Inventaire des serveurs de la salle B.", "Inventaire"),
    ("Répertoire partagé des procédures.", "Répertoire"),
    ("Changement de la procédure de bascule.", "Changement"),
]


@pytest.mark.parametrize("action", ENGLISH_IMPERATIVES)
def test_any_english_imperative_starts_an_action_with_no_word_added(tmp_path, action):
    assert verb_findings(tmp_path, "en", action) == []


@pytest.mark.parametrize("action, word", ENGLISH_NOUN_PHRASES)
def test_an_english_noun_phrase_gerund_or_participle_is_not_a_verb(tmp_path, action, word):
    assert verb_findings(tmp_path, "en", action) == [
        f'action item starts with "{word}", not a verb']


@pytest.mark.parametrize("action", FRENCH_INFINITIVES)
def test_any_french_infinitive_starts_an_action(tmp_path, action):
    assert verb_findings(tmp_path, "fr", action) == []


@pytest.mark.parametrize("action, word", FRENCH_NOUN_PHRASES)
def test_a_french_noun_phrase_is_not_an_infinitive(tmp_path, action, word):
    assert verb_findings(tmp_path, "fr", action) == [
        f'action item starts with "{word}", not a verb']


@pytest.mark.parametrize("word", ["take", "recover", "bundle", "re-introduce", "inspect",
                                  "let", "have", "re-enable"])
def test_the_lexicon_knows_the_imperatives_the_word_list_lacked(word):
    listed = {verb.lower() for verb in bundled_words("en")["verbs"]}
    assert word not in listed  # the lexicon decides, not the list
    assert english_verb(word)


@pytest.mark.parametrize("word, verb", [
    ("ajouter", True), ("durcir", True), ("prendre", True), ("mettre", True),
    ("recevoir", True), ("faire", False),  # irregular: the bundled list has it
    ("dossier", False), ("calendrier", False), ("registre", False), ("mémoire", False),
    ("plaisir", False), ("inventaire", False), ("signature", False),
    ("dockeriser", True), ("monitorer", True),  # unknown to the dictionary: the ending
])
def test_a_french_word_is_an_infinitive_when_its_verb_forms_exist(word, verb):
    assert french_verb(word) is verb


def test_the_bundled_french_verbs_hold_the_irregular_verbs_the_dictionary_misses():
    words = bundled_words("fr")
    assert starts_with_verb("Faire tester les onduleurs chaque mois.", "fr", words)
    assert starts_with_verb("Être joignable en moins de 5 minutes.", "fr", words)


def test_a_verb_added_by_the_workspace_is_a_verb_and_not_verbs_wins_over_the_lexicon():
    words = bundled_words("en")
    assert not starts_with_verb("Second the engineer on call.", "en", words)
    added = {**words, "verbs": words["verbs"] + ("Second",)}
    assert starts_with_verb("Second the engineer on call.", "en", added)
    assert not starts_with_verb("Table the figures.", "en",
                                {**words, "not_verbs": words["not_verbs"] + ("table",)})


@pytest.mark.parametrize("lang, action, measured", [
    ("en", "Improve failover so that it finishes within 5 minutes.", True),
    ("en", "Improve the cache so that p99 latency stays under 200 ms.", True),
    ("en", "Improve availability of the API to three nines.", True),
    ("en", "Improve the hit rate of the cache to 95 %.", True),
    ("en", "Improve the retry logic to give up after at least 3 attempts.", True),
    ("en", "Improve the backup checks, daily.", True),
    ("en", "Improve the disk alerts to fire twice a day at most.", True),
    ("en", "Improve the 3 dashboards of the cache.", False),
    ("en", "Improve the dashboards listed in JIRA-123.", False),
    ("en", "Improve the v2 API documentation.", False),
    ("en", "Improve the wording to follow RFC 2119.", False),
    ("fr", "Améliorer la bascule pour qu’elle aboutisse en moins de 5 minutes.", True),
    ("fr", "Améliorer la supervision sur au moins deux sites.", True),
    ("fr", "Améliorer la remise du rapport, sous 30 jours.", True),
    ("fr", "Améliorer les tests des onduleurs, une fois par an.", True),
    ("fr", "Améliorer la disponibilité électrique à 99,9 %.", True),
    ("fr", "Améliorer les 3 tableaux de bord de la messagerie.", False),
    ("fr", "Améliorer la supervision décrite dans JIRA-123.", False),
    ("fr", "Améliorer la v2 de la procédure.", False),
])
def test_an_improvement_needs_a_quantity_not_a_count_or_a_ticket(tmp_path, lang, action,
                                                                   measured):
    found = vague_findings(tmp_path, lang, action)
    assert has_measure(action, lang, measures_list(lang)) is measured
    assert (found == []) is measured
    if not measured:
        word = action.split()[0]
        assert found == [f'"{word}" has no measure: nobody can tell when it is done']


def measures_list(lang: str) -> re.Pattern:
    """Return the pattern of the bundled `measures` words, as lint finds them."""
    words = sorted(bundled_words(lang)["measures"], key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)",
                      re.IGNORECASE)


def test_a_frequency_is_a_measure_through_the_measures_list():
    assert not has_measure("Check the backups every release.", "en")
    assert has_measure("Check the backups every release.", "en", measures_list("en"))
    assert has_measure("Vérifier les sauvegardes chaque semaine.", "fr", measures_list("fr"))


def test_the_action_findings_read_in_french_and_stay_english_otherwise(tmp_path):
    action = "Audit du datacenter par un tiers."
    with messages_in("fr"):
        french = lint_action(tmp_path, "fr", action)
    english = lint_action(tmp_path, "fr", action)
    assert ("action-verb", "l’action commence par \"Audit\", qui n’est pas un verbe") in french
    assert ("action-verb", 'action item starts with "Audit", not a verb') in english
    path = tmp_path / ITEM["fr"][0]
    with messages_in("fr"):
        finding = next(f for f in lint_file(path, today=TODAY).findings
                       if f.rule == "action-verb")
    assert finding.hint == ("commencer par ce qui sera fait, par ex. « Ajouter une alerte sur "
                            "… » ; si \"Audit\" est ici un verbe, l’ajouter à la liste verbs de "
                            "[lint.words.fr] dans postmortem.toml")


def test_an_overdue_item_reads_in_french(tmp_path):
    text = (LINT / "clean-en.yaml").read_text(encoding="utf-8")
    path = tmp_path / "late.yaml"
    path.write_text(text, encoding="utf-8")
    with messages_in("fr"):
        late = [f.message for f in lint_file(path, today=date(2026, 1, 1)).findings
                if f.rule == "action-overdue"]
    assert late and all(message.startswith("l’action '") for message in late)
    assert any("jour(s)) et est toujours ouverte" in message for message in late)


def test_linting_without_a_word_to_look_up_loads_no_lexicon():
    # The lexicons load on a miss only, so that lint starts fast.
    script = ("import sys; from datetime import date; "
              "from postmortem.lint.engine import lint_file; "
              f"lint_file({str(LINT / 'clean-en.yaml')!r}, today=date(2025, 1, 15)); "
              "print(sorted({'lemminflect', 'simplemma'} & set(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == "[]"
