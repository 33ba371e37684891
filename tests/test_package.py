"""What ships: the wheel carries the templates and translations; every message is translated."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from postmortem.render.catalogue import LOCALE_DIR

from support import ROOT


def test_the_wheel_contains_the_templates_and_the_translations(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next(tmp_path.glob("postmortem-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"postmortem/render/templates/report.md.j2",
                "postmortem/render/templates/new-record.yaml.j2",
                "postmortem/render/templates/fonts/LiberationSans-Regular.ttf",
                "postmortem/locale/fr/LC_MESSAGES/postmortem.po",
                "postmortem/lint/words/fr.toml", "postmortem/cli.py",
                "postmortem/completion.py",
                # What `init` starts a workspace with.
                "postmortem/workspace/starter/postmortem.toml",
                "postmortem/workspace/starter/gitignore",
                "postmortem/workspace/starter/README.md"}
    assert expected <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "postmortem = postmortem.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_every_message_has_a_french_translation():
    templates = "postmortem/render/templates/**.j2"
    method_map = [("postmortem/**.py", "python"), (templates, "jinja2")]
    options = {templates: {"extensions": "jinja2.ext.i18n"}}
    used = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT), method_map, options, keywords={"_": None, "gettext": None, "N_": None,
                                                     "ngettext": (1, 2)})
    }
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "postmortem.po").open("rb") as po_file:
        catalog = read_po(po_file)
    translated = {message.id if isinstance(message.id, str) else message.id[0]
                  for message in catalog if message.id and message.string}
    assert sorted(used - translated) == []
    assert sorted(translated - used) == []  # no stale entries
