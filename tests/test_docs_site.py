"""The documentation site builds strictly, and shows every command and the README's pictures."""

from __future__ import annotations

import re
import struct
import subprocess
import sys

from postmortem.cli import build_parser

from support import ROOT


def test_the_site_builds_without_a_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    site = tmp_path / "site"
    for page in ("record", "templates", "commands", "writing", "integrations", "reliability"):
        assert (site / page / "index.html").is_file()
    commands = (site / "commands" / "index.html").read_text(encoding="utf-8")
    [subcommands] = [action for action in build_parser()._actions
                     if hasattr(action, "choices") and isinstance(action.choices, dict)]
    for name in subcommands.choices:
        assert f'id="{name}"' in commands


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_readme_pictures_are_there_and_of_a_page_and_a_chart():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r'<img src="(docs/images/[^"]+\.png)"', readme)
    assert pictures == ["docs/images/aphp-first-page.png", "docs/images/aphp-timeline.png"]
    width, height = _png_size(ROOT / pictures[0])
    assert abs(height / width - 297 / 210) < 0.01  # an A4 page, upright
    width, height = _png_size(ROOT / pictures[1])
    assert width > height  # the timeline runs across
