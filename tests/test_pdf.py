"""The PDF and HTML reports, read back as a reader and an archivist would read them."""

from __future__ import annotations

import http.server
import re
import subprocess
import sys
import threading
import zlib
from pathlib import Path
from typing import ClassVar

import pytest
from pypdf import PdfReader

from support import APHP, RECORDS, ROOT

STEM = APHP.stem


@pytest.fixture(scope="module")
def aphp(tmp_path_factory) -> dict[str, Path]:
    """Render the AP-HP record once in every format."""
    from postmortem.workspace.pipeline import render_file

    folder = tmp_path_factory.mktemp("aphp")
    paths = render_file(APHP, folder, ["md", "html", "pdf"])
    return {path.suffix[1:]: path for path in paths}


@pytest.fixture(scope="module")
def pages(aphp) -> list[str]:
    return [page.extract_text() for page in PdfReader(aphp["pdf"]).pages]


def test_the_first_page_says_what_happened_how_long_to_whom_and_what_is_done(pages):
    first = pages[0]
    for fact in ["Panne du système d'information de l'AP-HP",   # what
                 "samedi 3 août 2024",                          # when
                 "entre 1 j 19 h et 2 j 1 h", "plus de 3 j 7 h", # how long
                 "38",                                          # to whom
                 "SAMU",                                        # what was spared
                 "Ce qui est engagé", "8 actions"]:             # what is being done
        assert fact in first.replace("\u202f", " ").replace("\u00a0", " "), fact


def test_accented_facts_survive_in_the_pdf_text(pages):
    text = " ".join(pages)
    for fact in ["Hôpitaux de Paris", "Pitié-Salpêtrière", "Île-de-France",
                 "«\u202fjeudi 3 août\u202f»", "Délai de détection",
                 "Divergences entre les sources"]:
        assert fact in text, fact


def test_page_numbers_count_the_pages(pages):
    assert 6 <= len(pages) <= 30
    assert f"Page 1 sur {len(pages)}" in pages[0]
    assert f"Page {len(pages)} sur {len(pages)}" in pages[-1]


def test_the_contents_give_the_page_of_each_section(pages):
    contents_page = next(i for i, text in enumerate(pages) if "Sommaire" in text)
    entry = re.search(r"Chronologie[ .]*?(\d+)\s*$", pages[contents_page], re.M)
    assert entry, pages[contents_page]
    target = pages[int(entry[1]) - 1]
    assert re.search(r"^Chronologie$", target, re.M)


def test_a_draft_is_marked_on_every_page(pages):
    assert all("BROUILLON" in text for text in pages)


def test_metadata_and_archival_identification(aphp):
    reader = PdfReader(aphp["pdf"])
    info = reader.metadata
    assert info.title.startswith("Panne du système d'information de l'AP-HP")
    assert info.author == "Cellule qualité et gestion des risques"
    assert "2024-08-03-aphp-datacenter-power-outage" in info["/Keywords"]
    assert info["/incidentid"] == "2024-08-03-aphp-datacenter-power-outage"
    assert info["/schemaversion"] == "2"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert "<pm:incidentId>2024-08-03-aphp-datacenter-power-outage</pm:incidentId>" in xmp
    assert "<pm:schemaVersion>2</pm:schemaVersion>" in xmp


def test_the_pdf_carries_its_own_record(aphp):
    reader = PdfReader(aphp["pdf"])
    assert reader.attachments[f"{STEM}.yaml"] == [APHP.read_bytes()]
    root = reader.trailer["/Root"]
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1].get_object()
    assert spec["/AFRelationship"] == "/Source"  # PDF/A-3: the record is the source
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/yaml"
    assert [ref.get_object() for ref in root["/AF"]] == [spec]


def test_the_html_page_is_standalone_and_in_the_record_language(aphp):
    html = aphp["html"].read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in html
    assert "<svg" in html and 'role="img"' in html
    assert not re.search(r"""(src|href)=["']?(https?:|file:|//)""", html)


def test_two_processes_produce_the_same_bytes(tmp_path):
    outputs = []
    for run in ("first", "second"):
        folder = tmp_path / run
        subprocess.run([sys.executable, "-m", "postmortem", "render", str(APHP), "--format",
                        "pdf", "-o", str(folder)], check=True, cwd=ROOT, capture_output=True)
        outputs.append((folder / f"{STEM}.pdf").read_bytes())
    assert outputs[0] == outputs[1]


def test_an_approved_review_has_no_watermark(tmp_path, run):
    record = (RECORDS / "minimal.yaml").read_text() + (
        "review:\n  status: approved\n  approvals:\n"
        "    - {name: Head of SRE, date: 2025-03-10}\n")
    path = tmp_path / "approved.yaml"
    path.write_text(record)
    assert run("render", path, "--format", "pdf", "-o", tmp_path)[0] == 0
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / f"{_id(path)}.pdf").pages)
    assert "Approved" in text and "DRAFT" not in text


def test_a_character_the_fonts_cannot_draw_is_an_error_at_its_line(tmp_path, run):
    record = (RECORDS / "minimal.yaml").read_text().replace(
        "The cache node stops answering.", "The cache node stops answering \U0001F525.")
    path = tmp_path / "glyph.yaml"
    path.write_text(record)
    status, _, err = run("render", path, "--format", "pdf", "-o", tmp_path / "out")
    assert status == 1
    assert f"{path}:27:11: error: timeline[0].text: the PDF fonts cannot draw U+1F525 FIRE" in err
    assert not (tmp_path / "out").exists()


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self):  # the standard library's name
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    _CountingHandler.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", _CountingHandler.requests
    httpd.shutdown()


def test_hostile_text_in_a_record_is_inert(tmp_path, run, server):
    base, requests = server
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9c")
    # An SVG image (data:image/svg+xml) is refused by validation; the renderers' own
    # refusal of it is in test_render_safety.
    payloads = [
        f"![x](file://{secret})",
        f'<img src="{base}/img.png">',
        f'<link rel="attachment" href="file://{secret}">',
        f'<base href="{base}/">',
        f"<style>@import url({base}/import.css);</style>",
        "[click](javascript:alert(1))",
        f"![remote]({base}/remote.png)",
        f"[relative](../{secret.name})",
    ]
    text = " ".join(payloads).replace('"', '\\"')
    record = (RECORDS / "minimal.yaml").read_text().replace(
        "summary: Checkout slowed down for 40 minutes after a cache node failed.",
        f'summary: "{text}"').replace(
        "    text: The cache node stops answering.", f'    text: "{text}"')
    path = tmp_path / "hostile.yaml"
    path.write_text(record)
    status, _, err = run("render", path, "--format", "md,html,pdf", "-o", tmp_path / "out")
    assert status == 0, err
    assert requests == []
    html = (tmp_path / "out" / f"{_id(path)}.html").read_text()
    assert "TOP-SECRET" not in html
    assert "javascript:" not in html.replace("[click](javascript:alert(1))", "")
    assert not re.search(r"<(img|link|base|style)\b[^>]*(file:|https?:)", html)
    pdf = (tmp_path / "out" / f"{_id(path)}.pdf").read_bytes()
    assert b"TOP-SECRET" not in b"".join(_streams(pdf))


def _streams(pdf: bytes) -> list[bytes]:
    """Return every stream of a PDF, decompressed when it is Flate-encoded."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(match[1]))
        except zlib.error:
            streams.append(match[1])
    return streams


def _id(path: Path) -> str:
    return re.search(r"^id: (\S+)$", path.read_text(), re.M)[1]


def test_only_the_bundled_fonts_are_embedded(aphp):
    pdf = aphp["pdf"].read_bytes()
    fonts = {match[1].decode() for chunk in [pdf, *_streams(pdf)]
             for match in re.finditer(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([\w-]+)", chunk)}
    assert fonts and all(name.startswith("Report-") for name in fonts), fonts


def test_french_text_gets_french_spacing_in_html(aphp):
    html = aphp["html"].read_text()
    assert "«\u202fPapier et crayon\u202f»" in html
    assert "a pris bien plus longtemps\u00a0: les services" in html  # from the summary


def test_source_date_epoch_sets_the_document_date(tmp_path, monkeypatch):
    from postmortem.workspace.pipeline import render_file

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    pdf = render_file(RECORDS / "minimal.yaml", tmp_path, ["pdf"])[0]
    info = PdfReader(pdf).metadata
    assert info.creation_date.isoformat().startswith("2023-11-14T22:13:20")
    assert info.modification_date == info.creation_date


def test_printing_leaves_the_weasyprint_logger_as_the_application_set_it(tmp_path, caplog):
    import logging

    from postmortem.workspace.pipeline import render_file

    logger = logging.getLogger("weasyprint")
    logger.setLevel(logging.INFO)
    render_file(RECORDS / "minimal.yaml", tmp_path, ["pdf"])
    assert logger.level == logging.INFO and not logger.filters
    with caplog.at_level(logging.INFO, logger="weasyprint"):
        logger.warning("an application's own warning")
    assert "an application's own warning" in caplog.text


# -- record format 2: each new fact reaches the page ------------------------------------------

FORMAT2 = {"en": RECORDS / "render-format2-en.yaml", "fr": RECORDS / "render-format2-fr.yaml"}


@pytest.fixture(scope="module")
def format2(tmp_path_factory) -> dict[str, dict[str, object]]:
    """Render the format-2 records to HTML and PDF; keep the HTML and the PDF's text."""
    from postmortem.workspace.pipeline import render_file

    folder = tmp_path_factory.mktemp("format2")
    rendered: dict[str, dict[str, object]] = {}
    for lang, path in FORMAT2.items():
        paths = {p.suffix[1:]: p for p in render_file(path, folder, ["html", "pdf"])}
        pages = [_plain(page.extract_text()) for page in PdfReader(paths["pdf"]).pages]
        rendered[lang] = {"html": paths["html"].read_text(encoding="utf-8"), "pages": pages,
                          "text": "\n".join(pages)}
    return rendered


def _plain(text: str) -> str:
    """Turn the no-break and thin spaces Babel writes into plain ones, to compare."""
    return re.sub(r"[\u00a0\u202f\u2009]", " ", text)


@pytest.mark.parametrize("lang", sorted(FORMAT2))
def test_a_day_is_printed_as_the_day_never_as_midnight(format2, lang):
    text = format2[lang]["text"]
    # A date followed by a time of midnight; the chart's ticks name hours on their own.
    stamp = r"(\b[A-Z][a-z]{2} \d{1,2}|\b\d{1,2} [a-zéû]+\.?)(, \d{4})?,? (00:00|23:59)"
    assert not re.search(stamp, text), re.search(stamp, text)
    assert ("Mar 13, 2021" if lang == "en" else "1 févr. 2017") in text


def test_the_first_page_gives_the_data_loss_the_quantities_and_the_knowledge_day(format2):
    first = format2["en"]["pages"][0]
    for fact in ["Data lost: customer backups kept on site (Servers in building 2)",
                 "at least 3.6 million reported", "websites — offline on 10 March",
                 "Current state as of March 22, 2021: not yet fully restored.",
                 "Facts known as of: March 22, 2021", "Severity: not stated"]:
        assert fact in " ".join(first.split()), fact


def test_an_impact_that_is_over_or_lost_is_not_printed_as_ongoing(format2):
    lines = format2["en"]["text"].splitlines()
    destroyed = [line for line in lines if "Servers in building 2" in line]
    assert destroyed and not any("ongoing" in line.lower() for line in destroyed)
    text = " ".join(format2["en"]["text"].split())
    assert "Never restored — building destroyed" in text
    assert "Ended (time unknown)" in text
    assert "Ongoing as of March 22, 2021" in text


def test_unknown_statuses_marks_and_promises_are_printed(format2):
    text = " ".join(format2["en"]["text"].split())
    for fact in ["not stated", "superseded by new-design",
                 "Deliverable: a full analysis", "the chief executive", "unverified",
                 "derived (decoded from the alarm log's message ids)",
                 "According to some outlets", "Unattributed"]:
        assert fact in text, fact
    # The day it was withdrawn, with its weekday or not, and with its year (2021 is past).
    assert re.search(r"withdrawn on (\w+, )?Mar 14, 2021", text)
    assert "Proposed" not in text and "Medium" not in text


def test_a_french_record_gets_french_labels_in_the_pdf(format2):
    text = " ".join(format2["fr"]["text"].split())
    for fact in ["Gravité : non précisé", "Données perdues : tickets, demandes de fusion",
                 "définitive", "Données définitivement perdues", "environ 5 000 projets",
                 "rapporté", "dans les 2 s après le début", "Degrés de confiance"]:
        assert fact in text, fact


def test_the_html_summary_box_carries_quantity_cards_and_marks_with_their_note(format2):
    html = format2["en"]["html"]
    assert ('<div class="figure quantity"><span class="value">at least 3.6 million'
            ' <em class="mark">reported</em></span>') in html
    assert '<div class="figure data-loss">' in html
    assert "<strong>Servers in building 2</strong> <em>reported</em> (press reports only)" in html


def test_the_screen_fonts_of_a_page_are_the_same_at_every_rendering(monkeypatch):
    # A font saved now would carry now as its date: every build would change the page.
    from fontTools.ttLib.tables import _h_e_a_d

    from postmortem.render.fonts import screen_font_faces

    first = screen_font_faces.__wrapped__(frozenset("Checkout 0123"))
    monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda: 4_000_000_000)
    assert screen_font_faces.__wrapped__(frozenset("Checkout 0123")) == first


def test_every_character_taken_as_drawn_is_drawn_by_a_bundled_font():
    import unicodedata

    from postmortem.render.fonts import DRAWN, covered_characters

    covered = covered_characters()
    assert not [f"U+{ord(char):04X}" for char in sorted(DRAWN) if ord(char) not in covered
                and unicodedata.category(char) != "Cc"]


def test_a_pdf_alone_is_the_pdf_printed_beside_the_html(aphp, tmp_path):
    # The PDF is printed from the page without the fonts a browser needs; the HTML output
    # carries them.
    from postmortem.workspace.pipeline import render_file

    [alone] = render_file(APHP, tmp_path, ["pdf"])
    assert alone.read_bytes() == aphp["pdf"].read_bytes()
    html = aphp["html"].read_text()
    assert html.count('<style media="screen">') == 1
    assert "data:font/woff;base64," in html


def test_a_worker_prints_record_after_record_with_the_same_fonts(tmp_path):
    # The fonts are loaded once per process: a second record prints as it does alone.
    from postmortem.workspace.pipeline import render_file

    minimal = RECORDS / "minimal.yaml"
    [first] = render_file(minimal, tmp_path / "first", ["pdf"])
    render_file(APHP, tmp_path / "other", ["pdf"])
    [again] = render_file(minimal, tmp_path / "again", ["pdf"])
    assert first.read_bytes() == again.read_bytes()
    alone = subprocess.run(
        [sys.executable, "-m", "postmortem", "render", str(minimal), "--format", "pdf", "-o",
         str(tmp_path / "alone")], check=True, cwd=ROOT, capture_output=True)
    assert alone.returncode == 0
    assert (tmp_path / "alone" / first.name).read_bytes() == first.read_bytes()
