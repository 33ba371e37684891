"""`postmortem.toml`: each section is its feature's model, and every language has its lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from postmortem.errors import ConfigError
from postmortem.lint.config import LintSettings, WordLists
from postmortem.lint.words import word_lists
from postmortem.record.languages import LANGUAGES
from postmortem.render.catalogue import LOCALE_DIR
from postmortem.render.settings import Label, RenderSettings
from postmortem.workspace.config import BuildSettings, load_config


def test_every_language_has_word_lists_and_a_catalogue():
    for lang in LANGUAGES:
        assert word_lists(lang) == tuple(WordLists.model_fields), lang
        assert lang == "en" or (LOCALE_DIR / lang / "LC_MESSAGES" / "postmortem.po").is_file()


def test_the_defaults_of_a_build_are_the_models_and_flags_override_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "postmortem.toml").write_text(
        '[build]\nformats = ["md"]\njobs = 3\nlanguage = "fr"\noutput = "reports"\n',
        encoding="utf-8")
    settings = load_config().build
    options = settings.options(today=date(2026, 1, 1))
    assert (options.formats, options.jobs, options.language, options.output,
            options.incidents, options.template_dirs) == (
        ("md",), 3, "fr", Path("reports"), Path("incidents"), ())
    (tmp_path / "mine").mkdir()
    options = settings.options(formats=("pdf",), jobs=1, language="en", output="out",
                               templates="mine", today=date(2026, 1, 1))
    assert (options.formats, options.jobs, options.language, options.output,
            options.template_dirs) == (("pdf",), 1, "en", Path("out"), (Path("mine"),))
    assert BuildSettings().formats == ["md", "html", "pdf"]


def test_a_workspace_templates_folder_is_used_only_when_configured(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert BuildSettings().options().template_dirs == ()
    (tmp_path / "templates").mkdir()
    assert BuildSettings().options().template_dirs == ()
    assert BuildSettings(templates="templates").options().template_dirs == (Path("templates"),)


def test_a_configured_templates_folder_that_does_not_exist_is_reported_at_its_line(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "postmortem.toml").write_text('[build]\njobs = 1\ntemplates = "mine"\n')
    with pytest.raises(ConfigError) as refused:
        load_config()
    assert str(refused.value) == ("postmortem.toml:3:1: error: build.templates: no folder 'mine' "
                                  "of templates: give the folder that holds the workspace's "
                                  "templates")


def test_the_bounds_on_rendering_a_record_are_configured_and_flags_override_them(
        tmp_path, monkeypatch, run):
    from postmortem.workspace.bounds import MEMORY_LIMIT, TIME_LIMIT, Bounds

    monkeypatch.chdir(tmp_path)
    assert BuildSettings().options().bounds == Bounds(TIME_LIMIT, MEMORY_LIMIT)
    assert (TIME_LIMIT, MEMORY_LIMIT) == (120, 2048)
    (tmp_path / "postmortem.toml").write_text('[build]\ntime_limit = 30\nmemory_limit = 512\n')
    settings = load_config().build
    assert settings.options().bounds == Bounds(30, 512)
    assert settings.options(time_limit=2.5).bounds == Bounds(2.5, 512)
    assert settings.options(memory_limit=4096).bounds == Bounds(30, 4096)
    (tmp_path / "postmortem.toml").write_text(
        '[build]\ntime_limit = 0\nmemory_limit = 1.5\n')
    status, _, err = run("build")
    assert status == 1
    assert err.splitlines() == [
        "postmortem.toml:2:1: error: build.time_limit: time_limit must be a number of seconds "
        "above 0, got 0",
        "postmortem.toml:3:1: error: build.memory_limit: memory_limit must be a whole number of "
        "MiB of at least 1, got 1.5"]


def test_disable_wins_over_a_severity_and_words_are_added_per_language():
    settings = LintSettings.model_validate({
        "disable": ["root-cause"], "severity": {"root-cause": "error", "action-due": "warning"},
        "words": {"fr": {"blame": ["bévue"]}}})
    assert settings.severities == {"root-cause": "off", "action-due": "warning"}
    assert settings.added_words("fr") == {"blame": ("bévue",)}
    assert settings.added_words("en") == {}


def test_every_mistake_of_a_build_section_is_reported_at_its_line(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "postmortem.toml").write_text(
        '[build]\nformats = ["md", "docx"]\njobs = true\noutput = ""\nlanguage = "de"\n'
        '\n[lint.words.de]\nblame = ["x"]\n', encoding="utf-8")
    status, _, err = run("build")
    assert status == 1
    assert err.splitlines() == [
        'postmortem.toml:2:18: error: build.formats: formats must be a list drawn from md, html, '
        'pdf, json, e.g. ["md", "pdf"], got \'docx\'',
        "postmortem.toml:3:1: error: build.jobs: jobs must be a whole number of at least 1, "
        "got True",
        "postmortem.toml:4:1: error: build.output: output must be a folder path as text, got ''",
        "postmortem.toml:5:1: error: build.language: language must be one of en, fr, got 'de'",
        "postmortem.toml:7:1: error: lint.words.de: unknown key 'de' in [lint.words]; "
        "use 'en' or 'fr'",
    ]


def test_the_render_table_and_labels_give_the_render_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "postmortem.toml").write_text(
        '[build]\ntemplates = "templates"\n\n[render]\nlocales = { en = "en_GB" }\n\n'
        '[labels.fr]\n"Executive summary" = "Synthèse"\n'
        '"%(num)s action item" = ["%(num)s tâche", "%(num)s tâches"]\n', encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "locale").mkdir()
    config = load_config()
    settings = config.render_settings()
    assert settings == RenderSettings(
        template_dirs=(Path("templates"),), locales=(("en", "en_GB"),),
        labels=(Label("fr", "Executive summary", ("Synthèse",)),
                Label("fr", "%(num)s action item", ("%(num)s tâche", "%(num)s tâches"))),
        translation_dirs=(Path("locale"),))
    (tmp_path / "mine").mkdir()
    assert config.render_settings(templates="mine").template_dirs == (Path("mine"),)
    french = settings.language("fr", "Europe/Paris")
    assert french.gettext("Executive summary") == "Synthèse"
    assert french.ngettext("%(num)s action item", "%(num)s action items", 4) == "4 tâches"
    assert settings.language("en", "UTC").locale_name == "en_GB"
    assert settings.language("en", "UTC", locale="en_US").locale_name == "en_US"
    options = config.build_options(formats=("md",), today=date(2026, 1, 1))
    assert (options.render, options.template_dirs, options.formats) == (
        settings, (Path("templates"),), ("md",))


def test_a_workspace_without_render_settings_renders_as_bundled(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config().render_settings() == RenderSettings()
    assert load_config().build_options().render == RenderSettings()


def test_every_mistake_of_the_render_and_labels_tables_is_reported_at_its_line(tmp_path,
                                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "postmortem.toml").write_text(
        '[render]\n'
        'locales = { en = "fr_FR", fr = "fr_XX" }\n'
        'translations = 3\n'
        '\n'
        '[labels.fr]\n'
        '"Time to detect" = "Délai %(x)s"\n'
        '"%(num)s action item" = ["%(num)s action"]\n'
        '"Draft" = ["Ébauche", "Ébauches"]\n'
        '"Budget" = "100 %"\n'
        '"Empty" = ""\n'
        '\n'
        '[labels.de]\n'
        '"Executive summary" = "Zusammenfassung"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert str(raised.value).splitlines() == [
        "postmortem.toml:2:32: error: render.locales.fr: unknown locale 'fr_XX'; did you mean "
        "'fr_LU'? (locales: en_US, en_GB, en_IE, en_CA, en_AU, en_NZ, en_IN, fr_FR, fr_BE, "
        "fr_CA, fr_CH, fr_LU)",
        "postmortem.toml:3:1: error: render.translations: translations must be a folder path "
        "as text, got 3",
        "postmortem.toml:10:1: error: labels.fr.Empty: 'Empty' must be a text, or a list of one "
        "text per plural form of the language, got ''",
        "postmortem.toml:12:1: error: labels.de: unknown key 'de' in [labels]; use 'en' or 'fr'",
    ]
    # What the tables' types accept is then checked against the languages and messages.
    text = (tmp_path / "postmortem.toml").read_text(encoding="utf-8")
    text = text.replace(', fr = "fr_XX"', "").replace("translations = 3\n", "")
    text = text.replace('"Empty" = ""\n', "").split("\n[labels.de]")[0]
    text = text.replace("[render]\n", '[render]\ntranslations = "words"\n')
    (tmp_path / "postmortem.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert str(raised.value).splitlines() == [
        "postmortem.toml:2:1: error: render.translations: no folder 'words' of translations",
        "postmortem.toml:3:18: error: render.locales.en: 'fr_FR' is not a locale of 'en'; use "
        "one of en_US, en_GB, en_IE, en_CA, en_AU, en_NZ, en_IN",
        "postmortem.toml:6:1: error: labels.fr: 'Délai %(x)s' uses %(x)s, which "
        "'Time to detect' does not give",
        "postmortem.toml:7:1: error: labels.fr: 'fr' has 2 plural forms (plural=(n > 1)): "
        "give 2 texts, not 1",
        "postmortem.toml:8:1: error: labels.fr: 'Draft' has no plural forms: give one text, "
        "not a list",
        "postmortem.toml:9:1: error: labels.fr: '100 %' is not a valid message: write a value "
        "as %(name)s and a literal % as %%",
    ]


def test_a_bad_catalogue_of_the_workspace_is_reported_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "postmortem.toml").write_text('[render]\ntranslations = "words"\n',
                                              encoding="utf-8")
    french = tmp_path / "words" / "fr" / "LC_MESSAGES"
    french.mkdir(parents=True)
    (french / "postmortem.po").write_text(
        'msgid "Executive summary"\nmsgstr "Synthèse\n\nmsgid "as of %(day)s"\n'
        'msgstr "au %(jour)s"\n', encoding="utf-8")
    (tmp_path / "words" / "de" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "words" / "de" / "LC_MESSAGES" / "postmortem.po").write_text("", "utf-8")
    (tmp_path / "words" / "fr_CA" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "words" / "fr_CA" / "LC_MESSAGES" / "postmortem.po").write_text("", "utf-8")
    (tmp_path / "words" / "en").mkdir()
    (tmp_path / "words" / "en" / "postmortem.po").write_text("", encoding="utf-8")
    config = load_config()
    with pytest.raises(ConfigError) as raised:
        config.render_settings()
    assert str(raised.value).splitlines() == [
        "words/de/LC_MESSAGES/postmortem.po:1:1: error: no report is written in 'de' "
        "(languages: en, fr)",
        "words/en/postmortem.po:1:1: error: not read: a catalogue of postmortem's messages is "
        "words/<lang>/LC_MESSAGES/postmortem.po",
        "words/fr/LC_MESSAGES/postmortem.po:2:8: error: string not closed on its line",
        "words/fr/LC_MESSAGES/postmortem.po:5:1: error: 'au %(jour)s' uses %(jour)s, which "
        "'as of %(day)s' does not give",
        "words/fr_CA/LC_MESSAGES/postmortem.po:1:1: error: no report is written in 'fr_CA' "
        "(languages: en, fr); name the folder 'fr'",
    ]


def test_a_toml_key_with_any_characters_is_found_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "postmortem.toml").write_text(
        "[labels.fr]\n'Executive summary' = 'Synthèse'\n"
        '"Slippage of %(name)s: \\"late\\"" = "Glissement de %(nom)s"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert str(raised.value) == (
        "postmortem.toml:3:1: error: labels.fr: 'Glissement de %(nom)s' uses %(nom)s, which "
        "'Slippage of %(name)s: \"late\"' does not give")
