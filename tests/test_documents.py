"""One record, several documents: chosen on the command line and in postmortem.toml."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import APHP, ROOT

AWS = ROOT / "incidents" / "2021-12-07-aws-us-east-1-network-congestion.yaml"
OTHERS = ("executive", "public", "nis2", "declaration")


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A workspace with the two example records."""
    incidents = tmp_path / "incidents"
    incidents.mkdir()
    for record in (APHP, AWS):
        shutil.copy(record, incidents / record.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_render_writes_each_document_asked_for_under_its_own_name(workspace, run):
    status, out, err = run("render", f"incidents/{APHP.name}", "--format", "md,html",
                           "--document", "executive,public", "--document", "nis2",
                           "-o", "out")
    assert status == 0, err
    written = sorted(Path(line).name for line in out.split())
    assert written == sorted(f"{APHP.stem}.{document}.{fmt}"
                             for document in ("executive", "public", "nis2")
                             for fmt in ("md", "html"))
    # The full review is the default document, and it is not written unless asked.
    assert not (workspace / "out" / f"{APHP.stem}.md").exists()
    executive = (workspace / "out" / f"{APHP.stem}.executive.md").read_text()
    assert executive.startswith("# Synthèse pour la direction")


def test_the_full_review_is_the_default_document_and_keeps_its_names(workspace, run):
    status, out, err = run("render", f"incidents/{AWS.name}", "--format", "md", "-o", "out")
    assert status == 0, err
    assert [Path(line).name for line in out.split()] == [f"{AWS.stem}.md"]


def test_an_unknown_document_is_a_usage_error_that_lists_the_documents(workspace, run):
    status, _, err = run("render", f"incidents/{AWS.name}", "--document", "exec")
    assert status == 2
    assert "unknown document exec; available: full, executive, public, nis2, declaration" in err


def test_the_documents_of_the_workspace_are_configured_and_checked_at_their_line(workspace,
                                                                               run):
    (workspace / "postmortem.toml").write_text(
        '[build]\nformats = ["md"]\ndocuments = ["full",\n  "board"]\n')
    status, _, err = run("build", "--jobs", "1")
    assert status == 1
    assert "postmortem.toml:4:3: error:" in err and "'board'" in err


def test_a_build_writes_the_configured_documents_and_removes_those_dropped(workspace, run):
    (workspace / "postmortem.toml").write_text(
        '[build]\nformats = ["md", "html"]\ndocuments = ["full", "executive", "public"]\n')
    status, _, err = run("build", "--jobs", "1", "--today", "2026-01-01")
    assert status == 0, err
    output = workspace / "output"
    for record in (APHP, AWS):
        for name in (f"{record.stem}.md", f"{record.stem}.executive.md",
                     f"{record.stem}.public.html", f"{record.stem}.json"):
            assert (output / name).is_file(), name
        assert not (output / f"{record.stem}.nis2.md").exists()
    (workspace / "postmortem.toml").write_text(
        '[build]\nformats = ["md", "html"]\ndocuments = ["full", "executive"]\n')
    status, _, err = run("build", "--jobs", "1", "--today", "2026-01-01")
    assert status == 0, err
    assert (output / f"{AWS.stem}.executive.md").is_file()
    assert not (output / f"{AWS.stem}.public.md").exists()
    assert not (output / f"{AWS.stem}.public.html").exists()
    # The command line wins over the configuration, and only what changed is rendered.
    status, _, err = run("build", "--jobs", "1", "--today", "2026-01-01",
                         "--document", "full,executive")
    assert status == 0, err
    assert "2 up to date" in err


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, Path]:
    """Every document of the AP-HP record in every format, rendered twice alike."""
    from postmortem.workspace.pipeline import render_file

    folders = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1733011200")
        for name in ("a", "b"):
            folder = tmp_path_factory.mktemp(name)
            render_file(APHP, folder, ("md", "html", "pdf"), documents=("full", *OTHERS))
            folders.append(folder)
    return folders[0], folders[1]


def test_each_document_renders_alike_twice(rendered):
    first, second = ({path.name: path.read_bytes() for path in sorted(folder.iterdir())}
                     for folder in rendered)
    assert first == second
    assert sorted(first) == sorted(f"{APHP.stem}.{document}{fmt}"
                                   for document in ("", *(f"{name}." for name in OTHERS))
                                   for fmt in ("md", "html", "pdf"))


@pytest.mark.parametrize("document", ["full", *OTHERS])
def test_each_document_is_archival_and_only_an_internal_one_carries_the_record(rendered,
                                                                             document):
    name = f"{APHP.stem}.pdf" if document == "full" else f"{APHP.stem}.{document}.pdf"
    reader = PdfReader(io.BytesIO((rendered[0] / name).read_bytes()))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert f"<pm:document>{document}</pm:document>" in xmp
    assert reader.metadata.title
    # The full review and the executive page stay inside: they carry the record they
    # were made from. A redacted document carries no record at all.
    assert bool(reader.attachments) is (document in ("full", "executive"))


@pytest.mark.parametrize("document", OTHERS)
def test_the_running_header_names_the_document_and_the_incident_as_written(rendered,
                                                                          document):
    html = (rendered[0] / f"{APHP.stem}.{document}.html").read_text()
    header = re.search(r'@top-left \{ content: "([^"]*)"', html)
    assert header is not None
    # Not an HTML entity inside CSS, where it would print as written: "l&#39;AP-HP".
    assert " · Panne du système" in header[1] and "&" not in header[1]
    if document == "public":
        assert "d'information de l'AP-HP" in header[1]
