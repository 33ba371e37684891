"""`postmortem init`: a workspace that validates, lints and builds, never overwriting a file."""

from __future__ import annotations

import re
import tomllib

from postmortem.render.environment import BUNDLED_TEMPLATES
from postmortem.workspace.config import load_config

from support import plain


def test_init_starts_a_workspace_whose_first_record_validates_and_lints_clean(run, tmp_path,
                                                                              monkeypatch):
    folder = tmp_path / "reviews"
    status, out, err = run("init", folder)
    assert status == 0
    [record] = (folder / "incidents").glob("*-example.yaml")
    assert out.splitlines() == [str(folder / "postmortem.toml"), str(folder / ".gitignore"),
                                str(folder / "README.md"), str(record)]
    assert "postmortem build" in err
    assert "/output/" in (folder / ".gitignore").read_text().splitlines()
    assert "postmortem build" in (folder / "README.md").read_text()
    monkeypatch.chdir(folder)
    assert run("validate")[:2] == (0, "")
    status, _, err = run("lint")
    assert (status, err.splitlines()[-1]) == (0, "1 record(s) linted: 0 error(s), 0 warning(s)")
    assert load_config().build.templates is None


def test_every_setting_of_the_commented_configuration_is_valid_once_uncommented(run, tmp_path,
                                                                                 monkeypatch):
    assert run("init", tmp_path)[0] == 0
    text = (tmp_path / "postmortem.toml").read_text()
    # A commented setting is "# key = value", a commented table "# [table]".
    uncommented = re.sub(r'(?m)^# (?=\[|(?:[\w-]+|"[^"]+") = )', "", text)
    assert uncommented.count("\n# ") < text.count("\n# ") - 15
    (tmp_path / "postmortem.toml").write_text(uncommented)
    data = tomllib.loads(uncommented)
    assert set(data) == {"build", "render", "lint", "import", "labels"}
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "locale").mkdir()
    config = load_config()
    assert config.build.documents == ["full", "executive"]
    assert config.lint.disable == ["action-overdue"]
    assert config.render_settings().labels  # the label for the board is known and used


def test_init_templates_copies_the_bundled_templates_and_the_build_uses_them(run, tmp_path,
                                                                            monkeypatch):
    status, out, _ = run("init", tmp_path, "--templates")
    assert status == 0
    bundled = sorted(path.name for path in BUNDLED_TEMPLATES.iterdir() if path.is_file())
    assert sorted(path.name for path in (tmp_path / "templates").iterdir()) == bundled
    assert f"{tmp_path / 'templates'}/ ({len(bundled)} bundled templates" in out
    monkeypatch.chdir(tmp_path)
    assert load_config().build.templates == "templates"
    report = tmp_path / "templates" / "report.md.j2"
    report.write_text(report.read_text() + "\nReviewed by the reliability guild.\n")
    status, _, err = run("build", "--format", "md", "--quiet")
    assert (status, err) == (0, "")
    [review] = (tmp_path / "output").glob("*-example.md")
    assert "Reviewed by the reliability guild." in plain(review.read_text())


def test_init_in_an_existing_repository_keeps_its_files(run, tmp_path):
    (tmp_path / "README.md").write_text("# Our team\n")
    (tmp_path / ".gitignore").write_bytes(b"*.pyc\ncaf\xe9.log")  # a Latin-1 line stays as it is
    (tmp_path / "postmortem.toml").write_text('[build]\nformats = ["md"]\n')
    status, out, _ = run("init", tmp_path)
    assert status == 0
    assert f"{tmp_path / 'README.md'} (kept: it exists)" in out.splitlines()
    assert f"{tmp_path / 'postmortem.toml'} (kept: it exists)" in out.splitlines()
    assert f"{tmp_path / '.gitignore'} (added /output/)" in out.splitlines()
    assert (tmp_path / "README.md").read_text() == "# Our team\n"
    assert (tmp_path / ".gitignore").read_bytes() == b"*.pyc\ncaf\xe9.log\n/output/\n"
    assert (tmp_path / "postmortem.toml").read_text() == '[build]\nformats = ["md"]\n'
    # Run again: nothing is added twice, and a workspace with records gets no example; the
    # copied templates are used only once the kept configuration names them.
    status, out, _ = run("init", tmp_path, "--templates")
    assert status == 0
    assert f"{tmp_path / '.gitignore'} (kept: it ignores output/)" in out.splitlines()
    assert (f"{tmp_path / 'postmortem.toml'} (kept: it exists; set templates = \"templates\" in "
            "its [build] to use the copies)") in out.splitlines()
    assert (tmp_path / ".gitignore").read_bytes() == b"*.pyc\ncaf\xe9.log\n/output/\n"
    assert len(list((tmp_path / "incidents").glob("*.yaml"))) == 1


def test_init_into_a_file_says_a_folder_is_needed(run, tmp_path):
    target = tmp_path / "reviews"
    target.write_text("not a folder")
    status, out, err = run("init", target)
    assert (status, out) == (1, "")
    assert err == (f"postmortem init: error: {target} is a file, not a folder: give DIR a "
                   "folder (it is created when missing)\n")
    assert target.read_text() == "not a folder"


def test_init_writes_a_french_first_record_when_asked(run, tmp_path):
    assert run("init", tmp_path, "--lang", "fr")[0] == 0
    [record] = (tmp_path / "incidents").glob("*.yaml")
    assert "\nlang: fr" in record.read_text()
    assert run("validate", record)[0] == 0
