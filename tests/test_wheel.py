"""The wheel alone: installed in a fresh virtual environment, it starts a workspace and builds it.

Nothing of this checkout is importable there: the templates, stylesheets, fonts and
translations the reports need must come from the installed package.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv

import pytest
from pypdf import PdfReader

from postmortem.record.model import SCHEMA_VERSION

from support import ROOT, plain

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Build the wheel, install it in a new virtual environment; return its bin folder."""
    wheels = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(wheels), str(ROOT)],
        check=True, capture_output=True)
    [wheel] = wheels.glob("postmortem-*.whl")
    environment = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(environment)
    bin_dir = environment / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True)
    return bin_dir


def test_the_installed_wheel_runs_init_new_validate_lint_render_and_build(installed, tmp_path):
    workspace = tmp_path / "reviews"
    workspace.mkdir()
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}

    def postmortem(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(installed / "postmortem"), *args], cwd=workspace, env=env,
                              capture_output=True, text=True)

    where = subprocess.run([str(installed / "python"), "-c",
                            "import postmortem; print(postmortem.__file__)"],
                           cwd=workspace, env=env, capture_output=True, text=True, check=True)
    assert str(ROOT) not in where.stdout  # the package under test is the installed one

    assert postmortem("init").returncode == 0
    created = postmortem("new", "2025-01-15-database-failover")
    assert created.returncode == 0, created.stderr
    record = workspace / "incidents" / "2025-01-15-database-failover.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("title: Short description of what happened",
                                   "title: Orders database failed over to its replica"),
                      encoding="utf-8")

    checked = postmortem("validate")
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.splitlines()[-1] == "2 record(s) checked, 0 invalid, 0 problem(s)"
    linted = postmortem("lint", str(record))
    assert linted.returncode == 0, linted.stderr

    broken = workspace / "broken.yaml"
    broken.write_text(text.replace("\nsummary:", "\nsumary:", 1), encoding="utf-8")
    refused = postmortem("validate", str(broken))
    assert refused.returncode == 1
    line = text[:text.index("\nsummary:")].count("\n") + 2
    assert f"broken.yaml:{line}:1: error: sumary: unknown field" in refused.stderr
    broken.unlink()

    rendered = postmortem("render", str(record), "--format", "pdf", "--document", "executive")
    assert rendered.returncode == 0, rendered.stderr
    built = postmortem("build", "--format", "md,html,pdf")
    assert built.returncode == 0, built.stderr
    output = workspace / "output"
    pdf = PdfReader(output / "2025-01-15-database-failover.pdf")
    assert "Orders database failed over to its replica" in plain(pdf.pages[0].extract_text())
    executive = PdfReader(output / "2025-01-15-database-failover.executive.pdf")
    assert len(executive.pages) == 1
    assert "Orders database failed over" in (output / "index.md").read_text(encoding="utf-8")
    assert (output / "2025-01-15-database-failover.html").read_text(encoding="utf-8").count(
        "@font-face") >= 1

    schema = postmortem("schema")
    assert schema.stdout == (ROOT / "schema" / str(SCHEMA_VERSION) /
                             "incident.schema.json").read_text(encoding="utf-8")
    completion = postmortem("completion", "bash")
    assert completion.returncode == 0 and "postmortem" in completion.stdout
