"""The printed page as a reader sees it: what the first page holds, how words break.

Records are read back from the PDF (pypdf): the summary box ends on the first page
however long the record, open action items come first with their counts, no address is
hyphenated, and no page is left with a line or two. Long records are built here, in
code, at the sizes a real review reaches.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from pypdf import PdfReader

from postmortem.render.i18n import Language
from postmortem.render.page import is_term, markdown_to_html
from postmortem.render.pdf import print_pdf
from postmortem.render.summary import (
    FEWEST_CARDS,
    MOST_ACTIONS_LISTED,
    MOST_CARDS,
    SummaryBox,
    action_digest,
    fullest_fitting,
    key_cards,
    sentence_ends,
    summary_boxes,
    summary_excerpts,
)

from support import RECORDS, ROOT

# -- long records, built to the sizes of a real review ---------------------------------------

_WORDS = {
    "en": {
        "title": "Loss of the patient record, laboratory and imaging systems of every site of "
                 "the regional hospital group after a cooling failure in the primary datacenter "
                 "(4 November 2024)",
        "organisation": "Regional Hospital Group of the North-Western Territories — Directorate "
                        "of Information Systems, Biomedical Engineering and Digital Services",
        "summary": [
            "On Monday 4 November 2024, at about 08:10, the cooling of the primary datacenter "
            "failed after a chiller controller rebooted during a firmware update. Within forty "
            "minutes the temperature of the server rooms passed 35 °C and the virtualisation "
            "clusters shut down to protect themselves. The patient record (DPI), the laboratory "
            "system (LIMS), the imaging archive (PACS) and the e-prescription service stopped "
            "on all 38 sites of the group. Emergency departments switched to paper procedures "
            "within the hour; operating theatres postponed non-urgent surgery until the "
            "afternoon. See https://status.example-hospital-group.org/incidents/2024-11-04-"
            "cooling-failure/timeline-and-updates for the public notices.",
            "The secondary datacenter could not take over: its replication of the storage "
            "arrays had been paused since 28 October for a migration to new SAN-02 "
            "controllers, and nobody had been told that the failover runbook no longer "
            "applied. Services came back one by one from the evening of 4 November, after the "
            "chillers were restarted by hand. The imaging archive was the last to return, on "
            "7 November, after a consistency check of 1.2 million studies.",
            "No patient was harmed, but 214 operations were postponed and 3,400 laboratory "
            "results were delivered on paper. About six hours of radiology reports written in "
            "the imaging system were lost for good and had to be dictated again. The review "
            "asks for a tested failover, monitoring of the cooling plant by the IT on-call "
            "team, and a rule that no change may pause replication without a decision of the "
            "change advisory board (CAB).",
        ],
        "closing": "This summary repeats its {paragraphs} paragraphs for readers who skip.",
        "action": "Review the failover runbook of the {service} with the on-call team and test "
                  "it on a real outage window",
        "owner": "Directorate of Information Systems, infrastructure and operations department",
        "service": "{name} service of the {site} site",
        "names": ["Patient record", "Laboratory", "Imaging archive", "E-prescription",
                  "Pharmacy", "Admissions", "Operating theatre planning", "Telephony",
                  "Messaging", "Staff rostering", "Biomedical monitoring", "Billing"],
        "sites": ["North", "South", "Riverside", "Hillcrest", "Old Town", "Harbour"],
        "unit": "{name} users affected",
        "text": "The {service} stops answering; staff use the paper procedure (see "
                "https://intranet.example-hospital-group.org/procedures/degraded-mode/{index}).",
    },
    "fr": {
        "title": "Perte du dossier patient, du laboratoire et de l'imagerie de tous les sites du "
                 "groupement hospitalier après une panne de climatisation du centre de données "
                 "principal (4 novembre 2024)",
        "organisation": "Groupement hospitalier de territoire des Hauts-de-Seine-Nord — Direction "
                        "des systèmes d'information, du biomédical et des services numériques",
        "summary": [
            "Le lundi 4 novembre 2024, vers 8 h 10, la climatisation du centre de données "
            "principal s'est arrêtée après le redémarrage d'un automate de régulation pendant "
            "une mise à jour de son micrologiciel. En quarante minutes, la température des "
            "salles a dépassé 35 °C et les grappes de virtualisation se sont arrêtées pour se "
            "protéger. Le dossier patient informatisé (DPI), le système du laboratoire (SIL), "
            "l'archivage des images (PACS) et la prescription électronique se sont arrêtés sur "
            "les 38 sites du groupement. Les urgences sont passées aux procédures papier dans "
            "l'heure ; les blocs opératoires ont reporté la chirurgie non urgente à l'après-midi. "
            "Voir https://etat.exemple-groupement-hospitalier.fr/incidents/2024-11-04-"
            "panne-climatisation/chronologie-et-mises-a-jour pour les avis publics.",
            "Le centre de données secondaire n'a pas pu prendre le relais : la réplication des "
            "baies de stockage était suspendue depuis le 28 octobre pour une migration vers de "
            "nouveaux contrôleurs SAN-02, et personne n'avait été prévenu que la procédure de "
            "bascule ne s'appliquait plus. Les services sont revenus un par un à partir du soir "
            "du 4 novembre, après le redémarrage manuel des groupes froids. L'archivage des "
            "images est revenu le dernier, le 7 novembre, après la vérification de cohérence "
            "de 1,2 million d'examens.",
            "Aucun patient n'a subi de dommage, mais 214 interventions ont été reportées et "
            "3 400 résultats de laboratoire ont été remis sur papier. Environ six heures de "
            "comptes rendus de radiologie saisis dans le système d'imagerie ont été perdues "
            "définitivement et ont dû être dictées de nouveau. La revue demande une bascule "
            "testée, une surveillance de la production de froid par l'astreinte informatique, "
            "et une règle : aucun changement ne suspend la réplication sans décision du comité "
            "des changements (CAB).",
        ],
        "closing": "Ce résumé répète ses {paragraphs} paragraphes pour qui lit en diagonale.",
        "action": "Revoir avec l'astreinte la procédure de bascule du {service} et la tester "
                  "pendant une vraie fenêtre d'interruption",
        "owner": "Direction des systèmes d'information, département infrastructures et "
                 "exploitation",
        "service": "service {name} du site {site}",
        "names": ["Dossier patient", "Laboratoire", "Archivage des images",
                  "Prescription électronique", "Pharmacie", "Admissions",
                  "Programmation des blocs", "Téléphonie", "Messagerie", "Plannings",
                  "Surveillance biomédicale", "Facturation"],
        "sites": ["Nord", "Sud", "Bords-de-Seine", "Colline", "Vieille-Ville", "Port"],
        "unit": "utilisateurs de {name} touchés",
        "text": "Le {service} ne répond plus ; les équipes passent à la procédure papier (voir "
                "https://intranet.exemple-groupement-hospitalier.fr/procedures/mode-degrade/"
                "{index}).",
    },
}

#: When the long record's knowledge stops: actions due before are overdue.
LONG_AS_OF = date(2025, 2, 1)


def long_record(lang: str = "en", *, actions: int = 19, open_actions: int = 4,
                overdue: int = 2, quantities: int = 8, impacts: int = 12, timeline: int = 60,
                paragraphs: int = 3, record_id: str | None = None) -> str:
    """Return the YAML of a long, valid record: the longest first page a review may have."""
    words = _WORDS[lang]
    q = json.dumps  # a JSON string is a YAML double-quoted string
    start = "2024-11-04T08:10+01:00"
    services = [words["service"].format(name=words["names"][n % len(words["names"])],
                                        site=words["sites"][n % len(words["sites"])])
                for n in range(impacts)]
    lines = [
        "schema_version: 2",
        f"id: {record_id or f'2024-11-04-long-first-page-{lang}'}",
        f"title: {q(words['title'])}",
        f"lang: {lang}",
        "timezone: Europe/Paris",
        f"organisation: {q(words['organisation'])}",
        "severity: critical",
        f"as_of: {LONG_AS_OF.isoformat()}",
        f"summary: {q(_summary(words, paragraphs))}",
        "review:",
        "  status: in_review",
        "  authors:",
        *[f"    - {{name: {q(f'Author {n} of the review team')}, "
          f"role: {q('quality and risk management')}}}" for n in range(4)],
        "  reviewers:",
        *[f"    - {{name: {q(f'Reviewer {n}')}}}" for n in range(3)],
        "key_instants:",
        f"  started: {{at: {q(start)}, what: {q(words['names'][0])}, sources: [notice]}}",
        "  detected: {at: \"2024-11-04T08:31+01:00\", sources: [notice]}",
        "  mitigated: {at: \"about 2024-11-04T09:30+01:00\"}",
        "  restored: {at: \"between 2024-11-04T19:00+01:00 and 21:30\"}",
        "  resolved: {at: \"2024-11-07T17:00+01:00\"}",
        "cause:",
        "  trigger:",
        "    title: cooling failure",
        "    summary: The chiller controller rebooted during a firmware update.",
        "    category: infrastructure",
        f"    started: {q(start)}",
        "    ended: \"2024-11-04T11:40+01:00\"",
        "  contributing_factors:",
        "    - summary: Replication to the secondary datacenter had been paused for a migration.",
        "      category: change",
        "impacts:",
    ]
    for n, service in enumerate(services):
        lines += [
            f"  - id: impact-{n}",
            f"    service: {q(service[0].upper() + service[1:])}",
            f"    site_count: {38 - n}",
            f"    started: {q(start)}",
            f"    ended: \"2024-11-0{4 + n % 3}T21:{n % 6}0+01:00\"",
        ]
        if n == 2:
            lines += [
                "    data_loss:",
                "      what: radiology reports written in the imaging system",
                "      since: \"2024-11-04T02:10+01:00\"",
                f"      until: {q(start)}",
                "      amount: {value: 1480, unit: reports, qualifier: about}",
                "      permanent: true",
            ]
    lines += ["quantities:"] if quantities else []
    for n in range(quantities):
        unit = words["unit"].format(name=words["names"][n % len(words["names"])])
        lines.append(f"  - {{value: {1200 * (n + 1)}, unit: {q(unit)}, qualifier: about}}")
    lines.append("timeline:")
    begin = date(2024, 11, 4)
    for n in range(timeline):
        day = begin + timedelta(days=n * 3 // max(timeline, 1))
        text = words["text"].format(service=services[n % len(services)], index=n)
        lines.append(f"  - {{at: {q(f'{day.isoformat()}T{8 + n % 12:02d}:{n % 60:02d}+01:00')}, "
                     f"kind: action, text: {q(text)}}}")
    lines.append("actions:")
    for n in range(actions):
        is_open = n >= actions - open_actions  # open items last in the file: ranking must act
        due = (LONG_AS_OF - timedelta(days=10 + n) if n >= actions - overdue
               else LONG_AS_OF + timedelta(days=30 + n))
        status = ("open" if n % 2 else "in_progress") if is_open else ("done" if n % 3 else
                                                                         "wont_do")
        priority = ["low", "high", None, "medium"][n % 4]
        lines += [
            f"  - id: {'open' if is_open else 'closed'}-action-{n:02d}",
            f"    action: {q(words['action'].format(service=services[n % len(services)]))}",
            f"    owner: {q(words['owner'])}",
            f"    due: {due.isoformat()}",
            f"    status: {status}",
            "    type: mitigate",
            *([f"    priority: {priority}"] if priority else []),
        ]
    lines += [
        "sources:",
        "  - id: notice",
        f"    title: {q(words['names'][0])}",
        "    url: https://status.example-hospital-group.org/incidents/2024-11-04/notice-to-"
        "patients-and-partners-about-the-datacenter-cooling-failure",
    ]
    return "\n".join(lines) + "\n"


def _summary(words: dict, paragraphs: int) -> str:
    """Return a summary of so many paragraphs; beyond the usual three, it says so at its end."""
    texts = [words["summary"][n % len(words["summary"])] for n in range(paragraphs)]
    if paragraphs > len(words["summary"]):
        texts.append(words["closing"].format(paragraphs=paragraphs))
    return "\n\n".join(texts)


# -- reading the PDF back ----------------------------------------------------------------------

def _flat(text: str) -> str:
    """Join a PDF text's lines as the reader reads them: hyphenation undone, no spacing."""
    text = re.sub("\u2010\n", "", text)  # the hyphen WeasyPrint adds when it hyphenates
    return re.sub(r"[\s\u00a0\u202f\u2009]+", "", text)


def _render(path: Path, folder: Path) -> dict[str, Path]:
    from postmortem.workspace.pipeline import render_file

    return {p.suffix[1:]: p for p in render_file(path, folder, ["html", "pdf"])}


def _box_html(html: str) -> str:
    return re.search(r'<section class="summary-box".*?</section>', html, re.S)[0]


def _box_texts(html: str) -> list[str]:
    """Return the visible text of each paragraph, card and list item of the summary box."""
    import html as html_module

    box = re.sub(r'<span class="screen-only">.*?</span>', "", _box_html(html))
    parts = re.findall(r"<(p|li|div class=\"figure[^\"]*\")[^>]*>(.*?)</(?:p|li|div)>", box,
                       re.S)
    return [html_module.unescape(re.sub(r"<[^>]+>", "", inner)) for _, inner in parts]


#: The longest realistic records: a two-paragraph summary, a four-line title, 19 items.
LONG = {"en": long_record("en", paragraphs=2), "fr": long_record("fr", paragraphs=2)}


@pytest.fixture(scope="module")
def long_pdfs(tmp_path_factory) -> dict[str, dict]:
    """Render the long records, in English and in French, to HTML and PDF."""
    folder = tmp_path_factory.mktemp("long")
    rendered = {}
    for lang, text in LONG.items():
        path = folder / f"long-{lang}.yaml"
        path.write_text(text, encoding="utf-8")
        paths = _render(path, folder)
        rendered[lang] = {"html": paths["html"].read_text(encoding="utf-8"),
                          "pages": [page.extract_text() for page in
                                    PdfReader(paths["pdf"]).pages]}
    return rendered


REAL_RECORDS = sorted([*ROOT.glob("incidents/*.yaml"), *RECORDS.glob("format2/*.yaml"),
                       RECORDS / "render-format2-en.yaml", RECORDS / "render-format2-fr.yaml"])


@pytest.fixture(scope="module")
def real_pdfs(tmp_path_factory) -> dict[str, dict]:
    """Render every real record and public-incident fixture to HTML and PDF."""
    folder = tmp_path_factory.mktemp("real")
    rendered = {}
    for path in REAL_RECORDS:
        paths = _render(path, folder / path.stem)
        rendered[path.stem] = {
            "source": path.read_text(encoding="utf-8"),
            "html": paths["html"].read_text(encoding="utf-8"),
            "pages": [page.extract_text() for page in PdfReader(paths["pdf"]).pages]}
    return rendered


# -- the first page stands alone ---------------------------------------------------------------

@pytest.mark.parametrize("lang", sorted(LONG))
def test_the_summary_box_of_a_long_record_ends_on_the_first_page(long_pdfs, lang):
    html, pages = long_pdfs[lang]["html"], long_pdfs[lang]["pages"]
    first, rest = _flat(pages[0]), _flat("\n".join(pages[1:]))
    texts = [_flat(text) for text in _box_texts(html)]
    assert len(texts) > 8  # the summary, cards, current state, action items
    for text in texts:
        assert text in first, text
    assert texts[-1] not in rest


def test_action_items_give_way_then_cards_and_the_summary_stays_whole(long_pdfs):
    box = _box_html(long_pdfs["en"]["html"])
    assert box.count("<li") == 1
    assert FEWEST_CARDS <= box.count('<div class="figure') < MOST_CARDS
    assert 'class="continued"' not in box
    first = " ".join(long_pdfs["en"]["pages"][0].split())
    assert "18 more action items: see page" in first
    # The page it names is where the action items are.
    number = int(re.search(r"18 more action items: see page (\d+)\.", first)[1])
    assert re.search(r"^Action items$", long_pdfs["en"]["pages"][number - 1], re.M)


def test_a_summary_too_long_for_the_first_page_continues_in_the_body(tmp_path):
    path = tmp_path / "longest.yaml"
    path.write_text(long_record("en", paragraphs=8, record_id="2024-11-04-longest-summary"))
    paths = _render(path, tmp_path)
    pages = [page.extract_text() for page in PdfReader(paths["pdf"]).pages]
    first = " ".join(pages[0].split())
    number = int(re.search(r"Continued on page (\d+)\.", first)[1])
    assert number > 1 and re.search(r"^Summary$", pages[number - 1], re.M)
    last_words = _flat("This summary repeats its 8 paragraphs for readers who skip.")
    assert last_words in _flat("\n".join(pages[number - 1:]))
    assert last_words not in _flat(pages[0])
    for text in _box_texts(paths["html"].read_text()):
        assert _flat(text) in _flat(pages[0]), text


@pytest.mark.slow
@pytest.mark.parametrize("stem", [path.stem for path in REAL_RECORDS])
def test_the_summary_box_of_every_record_ends_on_the_first_page(real_pdfs, stem):
    pages = real_pdfs[stem]["pages"]
    first = _flat(pages[0])
    for text in _box_texts(real_pdfs[stem]["html"]):
        assert _flat(text) in first, text


def test_open_items_come_first_with_their_counts(long_pdfs):
    first = " ".join(long_pdfs["en"]["pages"][0].split())
    assert "What is being done: 19 action items, 4 still open, 2 overdue:" in first
    listed = re.findall(r'<li[^>]*>(.*?)</li>', _box_html(long_pdfs["en"]["html"]), re.S)
    # The high-priority open item first: it is the last of the file.
    assert "overdue" in listed[0] and "open" in listed[0]
    assert all('class="closed"' not in item for item in listed)


def test_the_services_card_reads_as_a_sentence(long_pdfs):
    first = " ".join(long_pdfs["en"]["pages"][0].split())
    assert "12 services affected at 38 sites" in first


# -- typography ------------------------------------------------------------------------------

def _urls(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>«»)]+[^\s\"'<>«».,;:)]", text)


def _printed_breaks(url: str, text: str) -> list[str] | None:
    """Return the character before each line break of an address as printed, None if absent.

    A hyphen the printer adds shows as an extra character, so the address is not found.
    """
    printed = re.search(r"[ \n]?".join(re.escape(char) for char in url), text)
    if printed is None:
        return None
    return [printed[0][index - 1] for index, char in enumerate(printed[0]) if char == "\n"]


@pytest.mark.parametrize("lang", sorted(LONG))
def test_no_address_is_hyphenated_in_the_long_record(long_pdfs, lang):
    text = "\n".join(long_pdfs[lang]["pages"])
    addresses = _urls(LONG[lang])
    printed = [url for url in addresses if url.split("/")[2] in text]
    assert len(printed) >= 2, "the record's addresses are printed"
    broken = 0
    for url in printed:
        breaks = _printed_breaks(url, text)
        assert breaks is not None, url  # printed whole: no hyphen added
        # A line of an address ends after a slash, never on a hyphen of its own.
        assert all(char not in "-\u2010" for char in breaks), (url, breaks)
        broken += len(breaks)
    assert broken, "some address is long enough to break"


@pytest.mark.slow
def test_no_address_is_hyphenated_in_any_record(real_pdfs):
    for stem, rendered in real_pdfs.items():
        text = "\n".join(rendered["pages"])
        for url in _urls(rendered["source"]):
            if url.split("/")[2] in text:
                breaks = _printed_breaks(url, text)
                assert breaks is not None, (stem, url)
                assert all(char not in "-\u2010" for char in breaks), (stem, url, breaks)


@pytest.mark.parametrize("lang", sorted(LONG))
def test_acronyms_and_identifiers_are_never_hyphenated(long_pdfs, lang):
    text = "\n".join(long_pdfs[lang]["pages"])
    hyphenated = re.findall(r"(\S*)\u2010\n(\S*)", text)
    assert hyphenated, "the long record's prose is hyphenated somewhere"
    for before, after in hyphenated:
        word = re.sub(r"\W+$", "", re.sub(r"^\W+", "", before + after))
        assert not is_term(word), word


@pytest.mark.slow
def test_no_page_holds_only_a_few_lines(real_pdfs, long_pdfs):
    records = {**{stem: r["pages"] for stem, r in real_pdfs.items()},
               **{f"long-{lang}": r["pages"] for lang, r in long_pdfs.items()}}
    for stem, pages in records.items():
        for number, page in enumerate(pages, start=1):
            lines = _body_lines(page)
            assert len(lines) >= 4, (stem, number, lines)


def _body_lines(page: str) -> list[str]:
    """Return the lines of a page that are its body: not the running head, foot or mark."""
    lines = [line for line in page.splitlines() if line.strip()]
    marks = {"DRAFT", "BROUILLON"}
    # The running head and foot are the page's last two lines (pypdf reads them last).
    return [line for line in lines[:-2] if line.strip() not in marks]


# -- the summary box, chosen in Python ---------------------------------------------------------

def _report(text: str, tmp_path: Path):
    from postmortem.workspace.pipeline import read_report

    path = tmp_path / "record.yaml"
    path.write_text(text, encoding="utf-8")
    return read_report(path, path.read_bytes(), None, today=LONG_AS_OF)[1]


def test_cards_go_from_data_loss_to_the_trigger_duration(tmp_path):
    report = _report(long_record("en", quantities=2), tmp_path)
    kinds = [(card.kind, getattr(card.fact, "name", "")) for card in key_cards(report)]
    assert key_cards(report)[2].fact == ()  # twelve services: too many to name on a card
    assert kinds == [("data_loss", ""), ("quantity", ""), ("scope", ""),
                     ("figure", "time_to_restore"), ("figure", "time_to_resolve"),
                     ("quantity", ""), ("figure", "time_to_detect"),
                     ("figure", "time_to_mitigate"), ("trigger", "")]


def test_an_incident_with_one_impact_names_it_on_its_scope_card(tmp_path):
    report = _report((RECORDS / "minimal.yaml").read_text(), tmp_path)
    cards = key_cards(report)
    assert [card.kind for card in cards] == ["scope", "figure", "figure"]
    assert cards[0].fact == ("Checkout",)
    box = summary_boxes(report)[0]
    assert box.digest.total == 0 and box.actions == ()


def test_a_count_told_twice_is_shown_once(tmp_path):
    text = (RECORDS / "format2" / "2024-07-19-content-update-crash.yaml").read_text()
    counts = [card.fact for card in key_cards(_report(text, tmp_path)) if card.kind == "quantity"]
    assert [quantity.value for quantity in counts] == [8500000, 5000]


def test_the_digest_ranks_open_items_by_priority_then_due_date(tmp_path):
    digest = action_digest(_report(long_record("en"), tmp_path))
    assert (digest.total, digest.open, len(digest.overdue)) == (19, 4, 2)
    opened = digest.ranked[:4]
    assert [action.priority for action in opened] == ["high", "medium", "low", None]
    assert all(action.is_open for action in opened)
    assert not any(action.is_open for action in digest.ranked[4:])


def test_boxes_give_way_in_order_and_never_grow(tmp_path):
    boxes = summary_boxes(_report(long_record("en"), tmp_path))
    first = boxes[0]
    assert (len(first.actions), len(first.cards), first.excerpt) == (
        MOST_ACTIONS_LISTED, MOST_CARDS, False)
    for fuller, barer in pairwise(boxes):
        assert len(barer.actions) <= len(fuller.actions)
        assert len(barer.cards) <= len(fuller.cards)
        assert len(barer.summary) <= len(fuller.summary)
        assert barer != fuller
    # Actions give way before cards, cards before the summary.
    last_action_step = max(i for i, box in enumerate(boxes) if len(box.actions) > 1)
    first_card_step = min(i for i, box in enumerate(boxes) if len(box.cards) < MOST_CARDS)
    first_excerpt = min(i for i, box in enumerate(boxes) if box.excerpt)
    assert last_action_step < first_card_step < first_excerpt
    assert len(boxes[first_excerpt].cards) == FEWEST_CARDS
    assert boxes[-1].cards == () and boxes[-1].actions == ()


def test_the_fullest_fitting_box_is_found_by_bisection():
    boxes = [SummaryBox(summary="x" * size, excerpt=False, cards=(), actions=(),
                        digest=None, as_of=None) for size in range(40, 0, -1)]  # type: ignore[arg-type]
    measured = []

    def fits(box):
        measured.append(box)
        return len(box.summary) <= 13

    assert len(fullest_fitting(boxes, fits).summary) == 13
    assert len(measured) <= 7
    measured.clear()
    assert fullest_fitting(boxes, lambda box: True) is boxes[0]
    assert fullest_fitting(boxes, lambda box: False) is boxes[-1]


def test_an_excerpt_ends_at_a_sentence_and_keeps_lists_whole():
    text = ("M. Dupont saw the alarm at 08:10. The cooling stopped (see e.g. the log). "
            "Staff switched to paper!\n\n- first item. Still the first.\n- second\n\nLast.")
    excerpts = summary_excerpts(text)
    assert excerpts == [
        "M. Dupont saw the alarm at 08:10. The cooling stopped (see e.g. the log). "
        "Staff switched to paper!\n\n- first item. Still the first.\n- second",
        "M. Dupont saw the alarm at 08:10. The cooling stopped (see e.g. the log). "
        "Staff switched to paper!",
        "M. Dupont saw the alarm at 08:10. The cooling stopped (see e.g. the log).",
        "M. Dupont saw the alarm at 08:10.",
    ]
    assert sentence_ends("« Oui. » Puis rien.") == [8]


def test_a_box_says_which_items_are_overdue(tmp_path):
    box = summary_boxes(_report(long_record("en"), tmp_path))[0]
    overdue = [action.id for action in box.actions if box.is_overdue(action)]
    assert len(overdue) == 2 and all(action_id.startswith("open-") for action_id in overdue)
    assert replace(box, actions=()).unlisted == 19


# -- words set apart in the HTML -------------------------------------------------------------

def test_an_address_breaks_only_after_a_slash_and_is_never_hyphenated():
    html, _ = markdown_to_html("See <https://status.example.org/us-east-1/notice?id=7>.")
    assert ('<span class="url"><span class="unbroken">https://</span><wbr />'
            '<span class="unbroken">status.example.org/</span><wbr />'
            '<span class="unbroken">us-east-1/</span><wbr />'
            '<span class="unbroken">notice</span><wbr />'
            '<span class="unbroken">?id=7</span></span></a>.') in html


def test_acronyms_and_identifiers_are_kept_whole_and_prose_is_not():
    for word in ["HTTPS", "AP-HP", "EC2", "us-east-1", "pg_dump", "GitLab", "GitLab.com"]:
        assert is_term(word), word
    for word in ["Île-de-France", "week-end", "Pitié-Salpêtrière", "2024-08-03", "Paris"]:
        assert not is_term(word), word
    html, _ = markdown_to_html("L'AP-HP et l'Île-de-France, via HTTPS.")
    assert ("L'<span class=\"term\">AP-HP</span> et l'Île-de-France, via "
            '<span class="term">HTTPS</span>.') in html


def test_a_stamp_written_with_no_break_spaces_is_not_hyphenated():
    html, _ = markdown_to_html("Due on 10\u00a0December\u00a02021, as planned.")
    assert '<span class="unhyphenated">10\u00a0December\u00a02021,</span>' in html


def test_a_text_in_another_language_keeps_its_own_spacing():
    french = Language("fr", "Europe/Paris")
    html, _ = markdown_to_html(
        'Source : [Is it recovered?]{lang="en"} et [Est-ce réparé ?]{lang=fr}',
        spacing=french.spacing, lang="fr")
    assert "Source\u00a0:" in html
    assert '<span lang="en">Is it recovered?</span>' in html
    assert '<span lang="fr">Est-ce réparé\u202f?</span>' in html


def test_a_span_keeps_only_a_language_that_is_one():
    html, _ = markdown_to_html('[a]{lang="en" onclick="alert(1)" .shout #top} [b]{lang="x"}')
    assert '<span lang="en">a</span> <span>b</span>' in html
    assert "onclick" not in html and "shout" not in html and "top" not in html


def test_print_hyphenates_each_text_in_its_own_language():
    french = Language("fr", "Europe/Paris")
    body, _ = markdown_to_html("representation understanding\n\n"
                               "[representation understanding]{lang=\"en\"}",
                               spacing=french.spacing, lang="fr")
    page = ('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>t</title>'
            "<style>p { hyphens: auto; width: 2.2cm; font-size: 10pt; }</style></head>"
            f"<body>{body}</body></html>")
    text = PdfReader(io.BytesIO(print_pdf(page, datetime(2024, 1, 1, tzinfo=UTC)))).pages[
        0].extract_text()
    french_part, english_part = text.split("representa\u2010\ntion")[1:]
    assert "unders\u2010\ntanding" in french_part  # French rules, the page's language
    assert "under\u2010\nstanding" in english_part  # English rules in the English span


@pytest.mark.slow
def test_action_ids_break_at_most_at_their_own_hyphens(real_pdfs):
    for stem, rendered in real_pdfs.items():
        text = re.sub(r"\s", "", "\n".join(rendered["pages"]))
        for action_id in re.findall(r"^  - id: (\S+)\n    action:", rendered["source"], re.M):
            assert action_id in text, (stem, action_id)
