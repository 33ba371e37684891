"""The revision history of a record in git, as every report shows it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from postmortem.analysis.derive import derive
from postmortem.analysis.history import SHORT_ID_LENGTH, read_history
from postmortem.record.validate import read_incident
from postmortem.render.markdown import render_markdown
from postmortem.workspace.pipeline import render_file

from git_repo import APHP_COMMITS, NEW_TIMELINE_ENTRY, aphp_repo, commit, git, new_repo
from support import RECORDS, plain


@pytest.fixture(scope="module")
def aphp(tmp_path_factory):
    """The AP-HP record in a repository with three commits: draft, in review, approved."""
    return aphp_repo(tmp_path_factory.mktemp("history") / "repo")


@pytest.fixture(scope="module")
def pdfs(aphp, tmp_path_factory):
    """The PDF of the first (draft) and of the last (approved) version, as page texts."""
    out = tmp_path_factory.mktemp("pdfs")
    texts = {}
    for name, index in (("draft", 0), ("approved", 2)):
        aphp.checkout(index)
        pdf = render_file(aphp.record, out / name, ["pdf"])[0]
        texts[name] = [page.extract_text() for page in PdfReader(pdf).pages]
    git(aphp.repo, "checkout", "--quiet", "main")
    return texts


def short(commit_id: str) -> str:
    return commit_id[:SHORT_ID_LENGTH]


def _read(text: str) -> str:
    """Return a PDF page's text as a reader reads it: plain spaces, lines run together."""
    return " ".join(plain(text).split())


def test_the_history_lists_each_commit_of_the_record_oldest_first(aphp):
    history = read_history(aphp.record)
    assert history.state == "clean"
    assert [(r.author, r.subject, r.short) for r in history.revisions] == [
        (author, subject, short(commit_id))
        for (_, author, subject), commit_id in zip(APHP_COMMITS, aphp.commits, strict=True)]
    assert history.revisions[0].authored == datetime(2024, 9, 2, 8, 0, tzinfo=UTC)


def test_the_approved_pdf_shows_three_history_rows_and_its_version_in_the_footer(aphp, pdfs):
    text = _read(" ".join(pdfs["approved"]))
    assert "Historique du document" in text
    for row in ["2 septembre 2024 Cellule qualité Premier brouillon de la revue "
                + short(aphp.commits[0]),
                "16 septembre 2024 Cellule qualité Passage en relecture " + short(aphp.commits[1]),
                "1 octobre 2024 Direction générale Approbation de la revue "
                + short(aphp.commits[2])]:
        assert row in text, row
    footer = f"2024-08-03-aphp-datacenter-power-outage · version {short(aphp.commits[2])}"
    assert all(footer in page for page in pdfs["approved"])


def test_the_draft_pdf_shows_its_own_version_and_one_row(aphp, pdfs):
    text = " ".join(pdfs["draft"])
    assert "Premier brouillon de la revue " + short(aphp.commits[0]) in text
    assert "Passage en relecture" not in text
    assert all(f"version {short(aphp.commits[0])}" in page for page in pdfs["draft"])


def test_drafts_carry_the_watermark_and_the_approved_version_does_not(pdfs):
    assert all("BROUILLON" in page for page in pdfs["draft"])
    assert not any("BROUILLON" in page for page in pdfs["approved"])
    first_page = _read(pdfs["approved"][0])
    assert "Approuvée" in first_page
    # The decision names who decided, in what role, when and what.
    assert "Décision : Direction générale (Approbation), 1 octobre 2024, approuvée" in first_page


def test_rendering_twice_at_one_commit_gives_the_same_bytes_dated_by_the_commit(aphp, tmp_path):
    outputs = [render_file(aphp.record, tmp_path / run, ["pdf"])[0].read_bytes()
               for run in ("first", "second")]
    assert outputs[0] == outputs[1]
    reader = PdfReader(tmp_path / "first" / f"{aphp.record.stem}.pdf")
    assert reader.metadata.creation_date == datetime(2024, 10, 1, 7, 0, tzinfo=UTC)


def test_a_modified_working_copy_is_named_after_the_commit_it_departs_from(aphp, tmp_path):
    original = aphp.record.read_text(encoding="utf-8")
    try:
        aphp.record.write_text(original.replace("\nresponse:\n", NEW_TIMELINE_ENTRY.replace(
            "2024-08-20", "2024-08-21") + "\nresponse:\n", 1), encoding="utf-8")
        assert read_history(aphp.record).state == "modified"
        markdown = render_file(aphp.record, tmp_path, ["md"])[0].read_text()
        html = render_file(aphp.record, tmp_path, ["html"])[0].read_text()
    finally:
        aphp.record.write_text(original, encoding="utf-8")
    assert ("Ce document présente la fiche modifiée depuis la version "
            f"`{short(aphp.commits[2])}`") in markdown
    assert f"modifiée depuis {short(aphp.commits[2])} · postmortem" in html


def test_renames_are_followed(tmp_path):
    repo = new_repo(tmp_path / "repo")
    shutil.copyfile(RECORDS / "minimal.yaml", repo / "checkout.yaml")
    first = commit(repo, "Record the checkout incident", "2025-03-03T09:00:00+00:00")
    (repo / "incidents").mkdir()
    git(repo, "mv", "checkout.yaml", "incidents/2025-03-02-checkout-latency.yaml")
    second = commit(repo, "Move the record under incidents/", "2025-03-04T09:00:00+00:00")
    history = read_history(repo / "incidents" / "2025-03-02-checkout-latency.yaml")
    assert [r.commit for r in history.revisions] == [first, second]
    markdown = render_file(repo / "incidents" / "2025-03-02-checkout-latency.yaml",
                           tmp_path / "out", ["md"])[0].read_text()
    assert "| March 3, 2025 | Test | Record the checkout incident |" in plain(markdown)
    assert f"This document shows version `{short(second)}` of the record." in markdown


def test_outside_git_the_section_is_left_out_without_an_error(tmp_path):
    record = tmp_path / "minimal.yaml"
    shutil.copyfile(RECORDS / "minimal.yaml", record)
    assert read_history(record).state == "outside"
    markdown = render_file(record, tmp_path / "out", ["md"])[0].read_text()
    assert markdown == render_markdown(derive(read_incident(record)))
    assert "Document history" not in markdown


def test_an_uncommitted_record_has_no_history_and_says_so_in_the_footer(tmp_path):
    repo = new_repo(tmp_path / "repo")
    record = repo / "minimal.yaml"
    shutil.copyfile(RECORDS / "minimal.yaml", record)
    assert read_history(record).state == "untracked"
    html = render_file(record, tmp_path / "out", ["html"])[0].read_text()
    assert "Document history" not in html
    assert "2025-03-02-checkout-latency · not committed yet · postmortem" in html


def test_without_git_there_is_no_history(aphp, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no git program to be found
    assert read_history(aphp.record).revisions == []
