"""Reading a record and linting its coherence speak the reader's language; English is unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from postmortem.errors import ConfigError, RecordError
from postmortem.i18n import messages_in
from postmortem.lint.engine import lint_file
from postmortem.record.instants import InstantError, parse_when, zone_named
from postmortem.record.limits import MAX_BYTES
from postmortem.record.load import load_bytes
from postmortem.record.markup import markdown_problem
from postmortem.record.validate import read_incident
from postmortem.workspace.config import load_config

from support import RECORDS

LINT = RECORDS / "lint"
MINIMAL = (RECORDS / "minimal.yaml").read_text(encoding="utf-8")
#: French groups thousands with a narrow no-break space.
NNBSP = "\u202f"


def load_problems(raw: bytes) -> list[tuple[int, str]]:
    """Return (line, message) of each problem that refuses the bytes as a record."""
    with pytest.raises(RecordError) as refused:
        load_bytes(raw, "record.yaml")
    return [(problem.line, problem.message) for problem in refused.value.problems]


def instant_error(text: str, zone: str | None = "Europe/Paris") -> str:
    with pytest.raises(InstantError) as refused:
        parse_when(text, zone, {})
    return str(refused.value)


def test_a_tab_in_the_indentation_is_explained_in_french_at_its_line():
    raw = b"id: x\ntitle: y\nkey_instants:\n\tstarted: 2024-08-03T11:00Z\n"
    with messages_in("fr"):
        [(line, message)] = load_problems(raw)
    assert line == 4
    assert message == ("erreur de syntaxe YAML : un caractère ne peut commencer aucun élément "
                       "YAML ; mettre en retrait avec des espaces, YAML ne permet pas de "
                       "tabulation ici")
    assert load_problems(raw) == [(4, (
        "YAML syntax error: found character that cannot start any token; indent with spaces, "
        "YAML does not allow tabs here"))]


def test_an_unclosed_list_names_what_the_parser_was_reading_in_french():
    raw = b"title: Outage\nlessons: [one, two\nsummary: It broke.\n"
    with messages_in("fr"):
        [(line, message)] = load_problems(raw)
    assert (line, message) == (3, (
        "erreur de syntaxe YAML : la ',' ou le ']' attendus manquent (en lisant un ensemble "
        "d’éléments entre crochets, commencé ligne 2, colonne 10) ; vérifier le retrait, le "
        "':' après chaque clé et les guillemets sur cette ligne et la précédente"))
    assert load_problems(raw) == [(3, (
        "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence "
        "started at line 2, column 10); check the indentation, the ':' after each key and the "
        "quotes on this line and the one before"))]


def test_a_key_indented_too_far_is_explained_in_french():
    raw = b"title: Outage\n  summary: It broke.\n"
    with messages_in("fr"):
        [(line, message)] = load_problems(raw)
    assert line == 2
    assert message.startswith("cette ligne est plus en retrait que la clé au-dessus d’elle ; "
                              "l’aligner sur 'title' (colonne 1) (erreur de syntaxe YAML : ")
    [(_line, english)] = load_problems(raw)
    assert english.startswith("this line is indented more than the key above it; line it up "
                              "with 'title' (column 1) (YAML syntax error: ")


def test_a_list_where_the_record_should_be_is_named_in_french():
    with messages_in("fr"):
        [(_line, message)] = load_problems(b"- one\n- two\n")
    assert message == ("la fiche doit être un ensemble de champs YAML, pas une liste : écrire "
                       "des lignes `field: value` au premier niveau")


def test_a_duplicate_key_is_reported_in_french_with_the_line_of_the_first():
    raw = MINIMAL.replace("severity: moderate\n", "severity: moderate\nseverity: major\n")
    english = load_bytes(raw.encode(), "record.yaml").problems
    with messages_in("fr"):
        [french] = load_bytes(raw.encode(), "record.yaml").problems
    assert french.message == "clé 'severity' en double (la première à la ligne 7) : n’en " \
                             "garder qu’une"
    assert [p.message for p in english] == [
        "duplicate key 'severity' (first at line 7): keep only one of them"]


def test_an_hour_that_does_not_exist_is_refused_in_french():
    with messages_in("fr"):
        naive = instant_error("2024-08-03 25:00")
        zoned = instant_error("2024-08-03T25:00+02:00")
    assert naive.startswith("2024-08-03T25:00 n’a pas de fuseau horaire : un instant sans "
                            "fuseau est ambigu ; ajouter un décalage ou un fuseau, par ex. ")
    assert zoned == ("2024-08-03T25:00 n’est pas une date et une heure valides : l’heure doit "
                     "être entre 0 et 23")
    assert instant_error("2024-08-03T25:00+02:00") == (
        "2024-08-03T25:00 is not a valid date and time: hour must be in 0..23")


def test_a_bad_instant_in_a_record_is_reported_in_french_at_its_field(tmp_path):
    path = tmp_path / "record.yaml"
    path.write_text(MINIMAL.replace("    at: 2025-03-02T10:00Z\n", "    at: 2025-03-02 25:00\n",
                                    1), encoding="utf-8")
    with messages_in("fr"), pytest.raises(RecordError) as refused:
        read_incident(path)
    [problem] = refused.value.problems
    assert (problem.line, problem.field) == (11, "key_instants.started.at")
    assert problem.message.startswith("2025-03-02T25:00 n’a pas de fuseau horaire")
    assert "'2025-03-02T25:00[Europe/London]'" in problem.message


def test_a_time_zone_is_refused_and_a_clock_change_explained_in_french():
    with messages_in("fr"), pytest.raises(InstantError) as unknown:
        zone_named("Europe/Pariss")
    assert str(unknown.value) == ("fuseau horaire inconnu 'Europe/Pariss' : utiliser un nom "
                                  "IANA comme 'Europe/Paris'")
    with messages_in("fr"):
        skipped = instant_error("2021-03-28T02:30[Europe/Paris]")
        abbreviated = instant_error("2024-08-03T14:00 CEST")
    assert skipped == ("2021-03-28T02:30 n’a pas existé dans le fuseau Europe/Paris : les "
                       "horloges ont été avancées cette nuit-là ; vérifier l’heure")
    assert abbreviated == (
        "'2024-08-03T14:00 CEST' : une abréviation de fuseau comme 'CEST' est ambiguë ; écrire "
        "le décalage ou le nom du fuseau, par ex. '2024-08-03T14:00+02:00' ou "
        "'2024-08-03T14:00[Europe/Paris]'")


def test_a_file_over_the_size_limit_gives_its_figures_as_french_writes_them():
    raw = b"a" * (MAX_BYTES + 1)
    with messages_in("fr"):
        [(_line, message)] = load_problems(raw)
    assert message.startswith(f"le fichier fait 524{NNBSP}289 octets ; la limite est de "
                              f"524{NNBSP}288 octets (512 Kio) : une fiche d’incident est du texte")
    [(_line, english)] = load_problems(raw)
    assert english.startswith("file is 524,289 bytes; the limit is 524,288 bytes (512 KiB)")


def test_a_table_too_wide_is_refused_in_french():
    table = "|" + "|".join("c" * 13) + "|\n|" + "|".join(["-"] * 13) + "|\n"
    with messages_in("fr"):
        assert markdown_problem(table) == "un tableau de 13 colonnes ; la limite est de 12 colonnes"
    assert markdown_problem(table) == "a table of 13 columns; the limit is 12 columns"


def test_coherence_findings_and_their_hints_read_in_french():
    with messages_in("fr"):
        findings = lint_file(LINT / "seeded-en.yaml", today=date(2025, 4, 1)).findings
        french = lint_file(LINT / "seeded-fr.yaml", today=date(2025, 4, 1)).findings
    [order] = [f for f in findings if f.rule == "timeline-order"]
    assert (order.line, order.message, order.hint) == (
        50, "placée après timeline[1] (2025-03-02T11:30Z) alors qu’elle a eu lieu avant",
        "déplacer l’entrée à sa place dans le temps")
    ends = {f.line: (f.message, f.hint) for f in french if f.rule == "impact-end"}
    assert ends[37] == ("finit (2024-08-03T18:00+02:00) après la résolution de l’incident "
                        "(2024-08-03T17:00+02:00)",
                        "placer key_instants.resolved au moment où le dernier impact a pris fin")
    # The weekday is named in the reader's language, and in the record's where it differs.
    [weekday] = [f for f in findings if f.rule == "weekday-mismatch"]
    assert weekday.message == '"Thursday 2 March 2025" : le 2025-03-02 est un dimanche (Sunday)'
    english = lint_file(LINT / "seeded-en.yaml", today=date(2025, 4, 1)).findings
    [order] = [f for f in english if f.rule == "timeline-order"]
    assert (order.message, order.hint) == (
        "listed after timeline[1] (2025-03-02T11:30Z) but happened before it",
        "move the entry to its place in time")


def test_an_unknown_rule_in_the_lint_table_is_named_in_french(tmp_path):
    (tmp_path / "postmortem.toml").write_text('[lint]\ndisable = ["blame-langage"]\n',
                                              encoding="utf-8")
    with messages_in("fr"), pytest.raises(ConfigError) as refused:
        load_config(tmp_path)
    [problem] = refused.value.problems
    assert (problem.line, problem.message) == (
        2, "règle inconnue 'blame-langage' ; peut-être 'blame-language' ?")
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path)
    assert refused.value.problems[0].message == (
        "unknown rule 'blame-langage'; did you mean 'blame-language'?")


def test_a_french_locale_reads_french_from_validate(run, tmp_path, monkeypatch):
    path = tmp_path / "record.yaml"
    path.write_text(MINIMAL.replace("timezone: Europe/London", "timezone: Europe/Londres"),
                    encoding="utf-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    status, _out, err = run("validate", path)
    assert status != 0
    assert ":5:11: error: timezone: fuseau horaire inconnu 'Europe/Londres' : utiliser un nom " \
           "IANA comme 'Europe/Paris'" in err
