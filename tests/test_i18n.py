"""Words, dates and locales: one date style per document, and a workspace's own words."""

from __future__ import annotations

import re
from datetime import date

import jinja2
import pytest
from babel.messages.pofile import read_po

from postmortem.record.instants import between, parse_when
from postmortem.render.catalogue import LOCALE_DIR, bundled_catalogue, read_catalogue
from postmortem.render.i18n import Language, needs_year, stated_days
from postmortem.render.settings import Label, RenderSettings
from postmortem.workspace.pipeline import read_report

from support import RECORDS

PARIS = "Europe/Paris"
# Whitespace a line may break at; U+00A0 and U+202F never break.
BREAKABLE = re.compile(r"[ \u2009]")


def _when(text: str):
    return parse_when(text, PARIS)


def _stamp(language: Language, text: str) -> str:
    return language.when(_when(text), compact=True)


@pytest.mark.parametrize("locale, long_day, compact", [
    ("en_US", "Friday, July 19, 2024 at 11:00", "Fri, Jul 19, 11:00"),
    ("en_GB", "Friday, 19 July 2024 at 11:00", "Fri 19 Jul, 11:00"),
    ("en_IE", "Friday 19 July 2024 at 11:00", "Fri, 19 Jul, 11:00"),
    (None, "Friday, July 19, 2024 at 11:00", "Fri, Jul 19, 11:00"),
])
def test_english_dates_follow_the_locale_british_or_american(locale, long_day, compact):
    language = Language("en", PARIS, locale)
    when = _when("2024-07-19T11:00+02:00")
    assert language.when(when) == long_day
    assert language.when(when, compact=True).replace("\u00a0", " ") == compact


@pytest.mark.parametrize("lang, locale", [("fr", None), ("en", None), ("en", "en_GB"),
                                          ("en", "en_US"), ("fr", "fr_CA")])
def test_an_instant_and_a_range_of_one_day_share_their_punctuation(lang, locale):
    language = Language(lang, PARIS, locale)
    instant = _stamp(language, "2024-08-03T11:00+02:00")
    same_day = _stamp(language, "between 2024-08-03T11:00+02:00 and 12:30")
    # The range is the instant's stamp with the end of the range after it.
    assert same_day.startswith(instant)
    assert "–" in same_day[len(instant):]


@pytest.mark.parametrize("lang, locale", [("fr", None), ("en", None), ("en", "en_GB"),
                                          ("fr", "fr_CA")])
@pytest.mark.parametrize("text", [
    "2024-08-03T11:00+02:00",
    "between 2024-08-03T11:00+02:00 and 12:30",
    "between 2024-08-03T11:00+02:00 and 2024-08-05T06:00+02:00",
    "2024-08-03",
    "between 2024-08-03 and 2024-08-05",
    "between 2024-12-31T22:00+01:00 and 2025-01-01T03:00+01:00",
])
@pytest.mark.parametrize("with_year", [False, True])
def test_a_stamp_breaks_only_after_the_dash_of_its_range(lang, locale, text, with_year):
    stamp = _stamp(Language(lang, PARIS, locale, with_year), text)
    for found in BREAKABLE.finditer(stamp):
        assert stamp[found.start() - 1] == "–", (stamp, found.start())
    assert ("–" in stamp) == ("between" in text)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_length_of_time_never_breaks_and_a_range_of_them_breaks_between_words(lang):
    language = Language(lang, PARIS)
    start = _when("2024-08-03T11:00+02:00")
    lengths = [language.duration(between(start, _when(end))) for end in (
        "2024-08-03T11:00:30+02:00", "2024-08-03T11:25+02:00", "2024-08-03T14:40+02:00",
        "2024-08-05T19:00+02:00")]
    lengths.append(language.span(between(start, _when("2024-08-24T11:00+02:00")).shortest))
    for text in lengths:
        assert not BREAKABLE.search(text), text
    assert lengths[2].replace("\u00a0", " ").replace("\u202f", " ") == (
        "3 hr 40 min" if lang == "en" else "3 h 40 min")
    ranged = language.duration(between(start, _when("between 2024-08-05T06:00+02:00 and 12:00")))
    words = BREAKABLE.split(ranged)
    assert [word.replace("\u00a0", " ").replace("\u202f", " ") for word in words] == (
        ["between", "1 day 19 hr", "and", "2 days 1 hr"] if lang == "en"
        else ["entre", "1 j 19 h", "et", "2 j 1 h"])


@pytest.mark.parametrize("lang, without, with_year", [
    ("fr", "sam. 3 août, 11:00", "sam. 3 août 2024, 11:00"),
    ("en", "Sat, Aug 3, 11:00", "Sat, Aug 3, 2024, 11:00"),
])
def test_the_year_is_in_every_compact_stamp_and_day_when_asked(lang, without, with_year):
    plain = lambda text: text.replace("\u00a0", " ").replace("\u202f", " ")  # noqa: E731
    assert plain(_stamp(Language(lang, PARIS), "2024-08-03T11:00+02:00")) == without
    assert plain(_stamp(Language(lang, PARIS, with_year=True),
                        "2024-08-03T11:00+02:00")) == with_year
    for text in ("2024-08-03", "between 2024-08-03 and 2024-08-05",
                 "between 2024-08-03T11:00+02:00 and 2024-08-05T06:00+02:00"):
        assert "2024" not in _stamp(Language(lang, PARIS), text)
        assert "2024" in _stamp(Language(lang, PARIS, with_year=True), text)
    assert "2024" in Language(lang, PARIS, with_year=True).compact_day(date(2024, 8, 3))


def test_a_range_across_a_new_year_names_both_years_even_in_a_document_of_one_year():
    stamp = _stamp(Language("en", PARIS, "en_GB"),
                   "between 2024-12-31T22:00+01:00 and 2025-01-01T03:00+01:00")
    assert ("2024" in stamp, "2025" in stamp) == (True, True)


@pytest.mark.parametrize("days, today, expected", [
    ([date(2024, 8, 3), date(2024, 8, 5)], date(2024, 12, 1), False),
    ([date(2024, 8, 3)], date(2026, 1, 1), True),
    ([date(2024, 12, 31), date(2025, 1, 2)], date(2025, 3, 1), True),
    ([], date(2025, 3, 1), False),
])
def test_the_year_is_needed_for_several_years_or_another_year(days, today, expected):
    assert needs_year(days, today) is expected


def test_a_record_of_another_year_shows_its_year_and_one_of_this_year_does_not():
    path = RECORDS / "format2" / "2022-02-01-database-deleted.yaml"
    _, report = read_report(path, path.read_bytes(), None, date(2026, 5, 1))
    days = stated_days(report.incident, Language("en", report.incident.timezone).zone)
    years = {day.year for day in days}
    assert len(years) == 1 and years != {2026}
    (year,) = years
    settings = RenderSettings()
    assert settings.report_language(report, date(2026, 5, 1)).with_year is True
    assert settings.report_language(report, date(year, 12, 1)).with_year is False
    language = settings.report_language(report, date(2026, 5, 1))
    started = report.incident.key_instants.started.at
    assert str(year) in language.when(started, compact=True)


def test_the_year_is_weighed_against_the_date_the_document_carries(monkeypatch):
    path = RECORDS / "format2" / "2022-02-01-database-deleted.yaml"
    _, report = read_report(path, path.read_bytes(), None)
    # Without history the document carries the record's own date: a year of its own.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert RenderSettings().report_language(report).with_year is False
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")  # 2026
    assert RenderSettings().report_language(report).with_year is True


def test_french_spacing_is_for_french_text_only():
    french, english = Language("fr", PARIS), Language("en", PARIS)
    assert french.spacing("Rétabli ?") == "Rétabli\u202f?"
    assert french.spacing("Was data recovered?", lang="en") == "Was data recovered?"
    assert french.spacing("Was data recovered ?", lang="en-GB") == "Was data recovered ?"
    assert english.spacing("Données perdues ?") == "Données perdues ?"
    assert english.spacing("Données perdues ?", lang="fr") == "Données perdues\u202f?"
    assert french.spacing("Note : voir", lang="") == "Note\u00a0: voir"


def _catalogue(folder, lang: str, text: str):
    path = folder / lang / "LC_MESSAGES" / "postmortem.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


WORKSPACE_PO = """\
msgid ""
msgstr ""
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "Executive summary"
msgstr "Synthèse"

msgid "Draft"
msgstr "Ébauche"

msgid "%(num)s open item"
msgid_plural "%(num)s open items"
msgstr[0] "%(num)s point ouvert"
msgstr[1] "%(num)s points ouverts"
"""


def test_a_workspace_catalogue_adds_and_overrides_messages_and_labels_come_first(tmp_path):
    _catalogue(tmp_path, "fr", WORKSPACE_PO)
    settings = RenderSettings(translation_dirs=(tmp_path,), labels=(
        Label("fr", "Draft", ("Version de travail",)),
        Label("fr", "Approved", ("Validée",))))
    french = settings.language("fr", PARIS)
    assert french.gettext("Executive summary") == "Synthèse"  # added
    assert french.gettext("Draft") == "Version de travail"  # the label beats the catalogue
    assert french.gettext("Approved") == "Validée"  # a label alone overrides the bundled word
    assert french.gettext("Published") == "Publiée"  # the rest stays the bundled catalogue's
    assert [french.ngettext("%(num)s open item", "%(num)s open items", count)
            for count in (1, 3)] == ["1 point ouvert", "3 points ouverts"]
    english = settings.language("en", PARIS)
    assert (english.gettext("Executive summary"), english.gettext("Draft")) == (
        "Executive summary", "Draft")


def test_a_workspace_template_uses_the_workspaces_words():
    settings = RenderSettings(labels=(
        Label("fr", "Executive summary", ("Synthèse",)),
        Label("fr", "%(num)s site", ("%(num)s site", "%(num)s sites")),
        Label("fr", "Budget used: %(share)s%%", ("Budget consommé : %(share)s %%",))))
    language = settings.language("fr", PARIS)
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], undefined=jinja2.StrictUndefined)
    # As the report environment installs them: Jinja2 fills the messages itself.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        language.translate, language.translate_plural, newstyle=True)
    template = env.from_string(
        '{{ _("Executive summary") }} | {{ ngettext("%(num)s site", "%(num)s sites", n) }}'
        ' | {{ _("Budget used: %(share)s%%", share=40) }}')
    assert template.render(n=38) == "Synthèse | 38 sites | Budget consommé : 40 %"


def test_an_edited_catalogue_is_read_again_and_an_unchanged_one_is_not(tmp_path):
    path = _catalogue(tmp_path, "fr", WORKSPACE_PO)
    settings = RenderSettings(translation_dirs=(tmp_path,))
    first, second = settings.language("fr", PARIS), settings.language("fr", "UTC")
    assert first.words is second.words  # one reading serves every record of a build
    path.write_text(WORKSPACE_PO.replace("Synthèse", "Résumé pour la direction"),
                    encoding="utf-8")
    edited = settings.language("fr", PARIS)
    assert edited.gettext("Executive summary") == "Résumé pour la direction"
    assert edited != first  # an environment cached on the language is not reused either


def test_a_language_is_equal_to_one_built_alike_and_differs_by_locale_and_year():
    assert Language("en", PARIS, "en_GB") == Language("en", PARIS, "en_GB")
    assert hash(Language("en", PARIS, "en_GB")) == hash(Language("en", PARIS, "en_GB"))
    assert Language("en", PARIS, "en_GB") != Language("en", PARIS, "en_US")
    assert Language("en", PARIS) != Language("en", PARIS, with_year=True)
    with pytest.raises(ValueError, match="not a locale of 'en'"):
        Language("en", PARIS, "fr_FR")


def test_the_workspace_locale_applies_unless_the_record_chooses_one():
    settings = RenderSettings(locales=(("en", "en_GB"),))
    assert settings.language("en", PARIS).locale_name == "en_GB"
    assert settings.language("en", PARIS, "en_US").locale_name == "en_US"
    assert settings.language("fr", PARIS).locale_name == "fr"


def test_the_strict_reader_reads_the_bundled_catalogue_as_babel_does():
    path = LOCALE_DIR / "fr" / "LC_MESSAGES" / "postmortem.po"
    catalogue, problems = read_catalogue(path, "fr")
    assert problems == []
    with path.open("rb") as po_file:
        babel = read_po(po_file)
    singles = {m.id: m.string for m in babel if m.id and isinstance(m.id, str) and m.string}
    plurals = {m.id[0]: tuple(m.string) for m in babel if m.id and not isinstance(m.id, str)}
    assert dict(catalogue.messages) == singles
    assert {key: forms for key, (forms, _) in catalogue.plurals.items()} == plurals
    assert bundled_catalogue("fr").messages == catalogue.messages


@pytest.mark.parametrize("text, line, column, message", [
    ('msgid "Draft"\nmsgstr "Ébauche\n', 2, 8, "string not closed on its line"),
    ('msgid "Draft"\nmsgstr "Ébauche"\n\nDraft = Ébauche\n', 4, 1, "unknown keyword 'Draft'"),
    ('msgid "Draft"\n\nmsgid "Approved"\nmsgstr "Validée"\n', 1, 1,
     "msgid 'Draft' has no msgstr"),
    ('msgid "Draft"\nmsgstr "A"\n\nmsgid "Draft"\nmsgstr "B"\n', 4, 1,
     "'Draft' is translated twice (first at line 1)"),
    ('msgid "as of %(day)s"\nmsgstr "au %(jour)s"\n', 2, 1,
     "'au %(jour)s' uses %(jour)s, which 'as of %(day)s' does not give"),
    ('msgid "Share"\nmsgstr "100 %"\n', 2, 1, "'100 %' is not a valid message"),
    ('msgid "%(num)s day"\nmsgid_plural "%(num)s days"\nmsgstr[0] "%(num)s jour"\n', 3, 1,
     "'%(num)s day' has 1 plural form(s); the catalogue's language has 2"),
    ('msgid "%(num)s day"\nmsgid_plural "%(num)s days"\nmsgstr "%(num)s jour"\n', 3, 1,
     "a message with msgid_plural has msgstr[0], msgstr[1]"),
    ('msgid "Draft"\nmsgstr "A" extra\n', 2, 12, "unexpected 'extra' after the closing quote"),
    ('msgid "Draft"\nmsgstr "A\\q"\n', 2, 10, "unknown escape \\q"),
    ('"continued"\n', 1, 1, "a string that continues no msgid or msgstr"),
])
def test_each_mistake_of_a_catalogue_is_reported_at_its_line(tmp_path, text, line, column,
                                                              message):
    path = _catalogue(tmp_path, "fr", text)
    _, problems = read_catalogue(path, "fr")
    assert [(p.path, p.line, p.column) for p in problems] == [(str(path), line, column)]
    assert problems[0].message.startswith(message)


def test_a_catalogue_that_is_not_utf8_is_reported_where_its_first_bad_byte_is(tmp_path):
    path = tmp_path / "postmortem.po"
    path.write_bytes('msgid "Draft"\nmsgstr "Ébauche"\n'.encode("latin-1"))
    _, problems = read_catalogue(path, "fr")
    assert [str(problem) for problem in problems] == [
        f"{path}:2:9: error: translations must be UTF-8 text"]


def test_fuzzy_untranslated_and_continued_entries_are_read_as_msgfmt_reads_them(tmp_path):
    path = _catalogue(tmp_path, "fr", (
        '#, fuzzy\nmsgid "Draft"\nmsgstr "Ébauche"\n\n'
        'msgid "Approved"\nmsgstr ""\n\n'
        'msgid ""\n"Executive "\n"summary"\nmsgstr ""\n"Syn"\n"thèse"\n'))
    catalogue, problems = read_catalogue(path, "fr")
    assert problems == []
    assert dict(catalogue.messages) == {"Executive summary": "Synthèse"}


@pytest.mark.parametrize("value", [
    1_234_567_890_123_456_789_012_345_678, 10**40 + 1, 12_345_678_901_234_567_890.123456789,
    1e300, 999_999_999_999_999, 0.1,
])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_any_number_is_written_whatever_its_digits(value, lang):
    # Babel rounds in the decimal context, whose 28 digits a large number exceeds.
    language = Language(lang, PARIS)
    for text in (language.number(value), language.count(value)):
        assert re.fullmatch(r"[\d\s\u00a0\u202f,.]+(?: \w+)?", text), text
    assert language.percent(min(value, 1e20)).rstrip("\u00a0\u202f %")
    if value == 10**40 + 1:
        assert language.number(value).replace(",", "").replace("\u202f", "").endswith("0001")
