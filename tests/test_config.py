"""`postmortem.toml`: each section is its feature's model, and every language has its lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from postmortem.lint.config import LintSettings, WordLists
from postmortem.lint.words import word_lists
from postmortem.record.languages import LANGUAGES
from postmortem.render.i18n import LOCALE_DIR
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
    options = settings.options(formats=("pdf",), jobs=1, language="en", output="out",
                               templates="mine", today=date(2026, 1, 1))
    assert (options.formats, options.jobs, options.language, options.output,
            options.template_dirs) == (("pdf",), 1, "en", Path("out"), (Path("mine"),))
    assert BuildSettings().formats == ["md", "html", "pdf"]


def test_a_workspace_templates_folder_is_found_without_a_flag(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert BuildSettings().options().template_dirs == ()
    (tmp_path / "templates").mkdir()
    assert BuildSettings().options().template_dirs == (Path("templates"),)


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
