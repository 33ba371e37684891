"""The Markdown review: golden files, intact tables, clean Markdown, facts a reader needs."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from pymarkdown.api import PyMarkdownApi

from golden_cases import CASES, GOLDEN, render_case
from support import APHP, RECORDS, ROOT, plain


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return {name: render_case(name) for name in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_the_golden_file(rendered, name):
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert rendered[name] == expected, (
        f"tests/golden/{name} differs: if the change is intended, run 'make golden' "
        "and review the diff")


def _tables(markdown: str) -> list[list[list[str]]]:
    """Return every table as rows of cell texts, as a GFM renderer sees them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables, rows, row = [], [], None
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
        elif token.type == "table_close":
            tables.append(rows)
    return tables


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_table_row_has_as_many_cells_as_its_header(rendered, name):
    tables = _tables(rendered[name])
    assert tables
    for table in tables:
        widths = {len(row) for row in table}
        assert widths == {len(table[0])}, table


def test_pipes_newlines_and_backticks_stay_inside_their_cell(rendered):
    html = MarkdownIt("commonmark").enable("table").render(rendered["tables.md"])
    assert ("<td>The cache node <code>cache-3|a</code> stops answering. "
            "Pipes | and backticks ` stay inside their cell.</td>") in html
    assert "<td><strong>Checkout | payments</strong></td>" in html
    assert "<td>Orders queued and replayed later.</td>" in html
    assert '<a href="https://tracker.example.org/SRE-12">Alert on <code>evictions|s</code>' in html


@pytest.mark.parametrize("name", sorted(CASES))
def test_markdown_is_clean_under_markdownlint_rules(tmp_path, rendered, name):
    path = tmp_path / name
    path.write_text(rendered[name], encoding="utf-8")
    result = (PyMarkdownApi().disable_rule_by_identifier("md013")  # line length
              .enable_extension_by_identifier("markdown-tables").scan_path(str(path)))
    failures = [f"{f.line_number}:{f.column_number} {f.rule_id} {f.rule_description}"
                for f in result.scan_failures]
    assert failures == [] and result.critical_errors == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_footnote_is_defined_and_every_source_is_cited(rendered, name):
    markdown = rendered[name]
    cited = set(re.findall(r"\[\^([^\]]+)\](?!:)", markdown))
    defined = set(re.findall(r"^\[\^([^\]]+)\]:", markdown, re.M))
    assert cited == defined
    html = MarkdownIt("commonmark").enable("table").use(footnote_plugin).render(markdown)
    assert "[^" not in html


def test_the_aphp_review_tells_what_happened_how_long_to_whom_and_what_changes(rendered):
    review = plain(rendered["aphp.md"])
    facts = [
        "samedi 3 août 2024",                       # when
        "| Sites touchés | **38** |",                 # to whom
        "SAMU", "Global Switch", "OVHcloud",          # who else, what was spared
        "papier",                                     # degraded mode
        "cyberattaque", "sabotage",                   # ruled out
        "| **environ 3 h** |",                        # the power cut
        "**jusqu'à 30 min**",                         # time to detect
        "**entre 1 j 19 h et 2 j 1 h**",              # care services restored
        "**plus de 3 j 7 h**",                        # full restoration not reached
        "**3**, dont 2 dépassés",                    # promises
        "« jeudi 3 août »",                           # the discrepancy
        "## Actions",
    ]
    missing = [fact for fact in facts if fact not in review]
    assert missing == []
    actions = next(t for t in _tables(review) if t[0][:3] == ["Id", "Action", "Responsable"])
    assert len(actions) - 1 == 8
    assert all(row[-1] == "Proposée" for row in actions[1:])


def test_the_slippage_of_each_promise_is_computed(rendered):
    table = next(t for t in _tables(rendered["aphp.md"]) if t[0][-1] == "Glissement")
    assert [plain(row[-1]) for row in table[1:]] == [
        "**entre +1 j 6 h et +1 j 12 h**",
        "**entre +10 h et +16 h**",
        "**entre −2 h et +4 h**",
    ]


def test_an_english_record_gets_english_headings_and_dates(rendered):
    review = plain(rendered["minimal.md"])
    assert "## Timeline" in review and "## Key figures" in review
    # An instant and a range of the same day share one punctuation; no year in a record
    # of the year of its own date.
    assert ("| Time to detect | **between 5 min and 10 min** | Sun, Mar 2, 10:00 | "
            "Sun, Mar 2, 10:05 – 10:10 |") in review
    assert "- **Date**: Sunday, March 2, 2025 at 10:00" in review


def test_a_user_template_folder_is_searched_first(run, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.md.j2").write_text(
        "# {{ incident.title }}\n\n{{ _('Timeline') }}: {{ report.timeline | length }}\n")
    status, _, _ = run("render", APHP, "-o", tmp_path / "out", "--templates", templates)
    assert status == 0
    assert (tmp_path / "out" / f"{APHP.stem}.md").read_text() == (
        "# Panne du système d'information de l'AP-HP après une coupure électrique chez un "
        "hébergeur (3 août 2024)\n\nChronologie: 17\n")


def test_an_undefined_name_in_a_template_is_reported_at_its_line(run, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.md.j2").write_text("# {{ incident.title }}\n\n{{ incident.nope }}\n")
    status, _, err = run("render", RECORDS / "minimal.yaml", "-o", tmp_path / "out",
                         "--templates", templates)
    assert status == 1
    assert err.startswith(f"{templates / 'report.md.j2'}:3:1: error: template: ")
    assert "nope" in err
    assert not (tmp_path / "out").exists()


# -- record format 2: the report says what the record says, and nothing more ----------------

FORMAT2 = {"en": RECORDS / "render-format2-en.yaml", "fr": RECORDS / "render-format2-fr.yaml"}


@pytest.fixture(scope="module")
def format2(tmp_path_factory) -> dict[str, str]:
    """Render the format-2 records through the pipeline, as `postmortem render` does."""
    from postmortem.workspace.pipeline import render_file

    folder = tmp_path_factory.mktemp("format2")
    return {lang: render_file(path, folder, ["md"])[0].read_text(encoding="utf-8")
            for lang, path in FORMAT2.items()}


def _row(markdown: str, first_cell: str) -> list[str]:
    """Return the cells of the table row whose first cell contains `first_cell`."""
    return next(row for table in _tables(markdown) for row in table if first_cell in row[0])


def _cells(markdown: str, first_cell: str) -> dict[str, str]:
    """Return the cells of the row whose first cell contains `first_cell`, by column title."""
    return next(dict(zip(table[0], row, strict=True)) for table in _tables(markdown)
                for row in table[1:] if first_cell in row[0])


@pytest.mark.parametrize("lang", sorted(FORMAT2))
def test_a_format2_review_has_intact_tables_and_clean_markdown(tmp_path, format2, lang):
    for table in _tables(format2[lang]):
        assert {len(row) for row in table} == {len(table[0])}, table
    path = tmp_path / f"{lang}.md"
    path.write_text(format2[lang], encoding="utf-8")
    result = (PyMarkdownApi().disable_rule_by_identifier("md013")
              .enable_extension_by_identifier("markdown-tables").scan_path(str(path)))
    assert [f"{f.line_number} {f.rule_id}" for f in result.scan_failures] == []


@pytest.mark.parametrize("lang", sorted(FORMAT2))
def test_a_day_is_shown_as_the_day_never_as_midnight(format2, lang):
    review = plain(format2[lang])
    assert "00:00" not in review and "23:59" not in review
    if lang == "en":
        assert _row(review, "Mar 13, 2021")[2].startswith("First servers of building 1")
        assert _row(review, "Mon, Mar 15 – Thu, Mar 18, 2021")[1] == "Communication"
    else:
        assert _row(review, "1 févr. 2017")[1] == "Rétablissement"


def test_an_instant_relative_to_another_says_what_it_follows(format2):
    figure = _row(plain(format2["en"]), "Time to detect")
    assert figure[1] == "**up to 2 min**"
    assert figure[3].startswith(
        "within 2 min after the start (Wed, Mar 10, 2021, 00:40 – 00:49)")
    french = plain(format2["fr"])
    assert "| **jusqu'à 2 s** |" in french and "dans les 2 s après le début" in french


def test_an_impact_that_is_over_or_lost_is_never_called_ongoing(format2):
    review = plain(format2["en"])
    destroyed = _cells(review, "Servers in building 2")
    assert destroyed["End"] == "Never restored — building destroyed"
    ended = _cells(review, "Telephone support")
    assert ended["End"] == "Ended (time unknown)"
    assert not any("ongoing" in cell.lower() for cell in [*destroyed.values(), *ended.values()])
    assert _cells(review, "Servers in building 1")["End"] == "Ongoing as of March 22, 2021"
    lost = _cells(plain(format2["fr"]), "Base de données principale")
    assert lost["Fin"] == "Données définitivement perdues (mer. 1 févr. 2017)"


def test_what_the_record_does_not_state_is_said_not_stated(format2):
    review = format2["en"]
    assert "- **Severity**: not stated" in review
    assert _row(review, "`offsite-backups`")[3:] == ["not stated", "Prevent", "not stated",
                                                     "not stated"]
    assert "Proposed" not in review and "Medium" not in review
    assert _row(format2["fr"], "`sauvegardes`")[3:] == ["non précisé", "Détecter", "non précisé",
                                                       "non précisé"]


def test_quantities_show_their_qualifier_and_unit(format2):
    assert _row(format2["en"], "websites")[1].startswith("**at least 3.6 million** *reported*")
    assert "- **Count**: about 12,000 servers[^press]" in format2["en"]
    assert "- **Nombre** : environ 5 000 projets *rapporté*" in plain(format2["fr"])


def test_restoration_progress_is_listed_in_the_unit_of_the_impact(format2):
    review = plain(format2["en"])
    assert ("- Fri, Mar 19, 2021: 80,000 of 120,000 services, restarted in another building"
            in review)
    assert "- Mon, Mar 22, 2021: 98.5%" in review


def test_data_loss_comes_right_after_the_summary(format2):
    review = plain(format2["en"])
    block = review.split("## Summary", 1)[1].split("## Key figures", 1)[0]
    assert "**Data loss**:" in block
    assert ("- **Servers in building 2**: customer backups kept on site: changes from "
            "Tue, Mar 9, 2021 to Wed, Mar 10, 2021, 00:40 – 00:47 (between 40 min and "
            "1 day 1 hr); permanent.") in block
    french = plain(format2["fr"]).split("## Chiffres clés", 1)[0]
    assert "**Perte de données** :" in french
    assert "(entre 5 h 40 min et 6 h 7 min) ; définitive." in french


def test_confidence_marks_follow_the_facts_with_a_key(format2):
    review = plain(format2["en"])
    assert ("*derived* (decoded from the alarm log's message ids)"
            in _row(review, "Time to detect")[3])
    assert _row(review, "Mar 13, 2021")[2].endswith("*unverified*")
    assert _row(review, "Servers in building 2")[0].endswith("*reported* (press reports only)")
    key = next(line for line in review.splitlines() if line.startswith("*Confidence marks*"))
    assert "*reported*, from a single secondary source" in key
    assert review.index(key) < review.index("## Key figures")
    assert "*déduit*, calculé ou décodé" in format2["fr"]


def test_the_knowledge_day_is_said(format2):
    review = plain(format2["en"])
    assert "- **Facts known as of**: March 22, 2021" in review
    assert "**Faits connus au**" not in format2["fr"]  # no as_of: nothing to say


def test_promises_of_an_impact_of_a_deliverable_and_withdrawn_ones(format2):
    review = plain(format2["en"])
    table = next(t for t in _tables(review) if t[0][:3] == ["Announced", "Who", "Promised"])
    assert table[1][1:] == ["the chief executive", "Servers in building 1", "Fri, Mar 19, 2021",
                            "not reached as of March 22, 2021", "**missed**"]
    assert table[2][2:] == ["Deliverable: a full analysis", "Mon, Mar 15, 2021",
                            "withdrawn on Sun, Mar 14, 2021", "—"]
    assert "| Promises announced | **2**, 1 missed | — | — |" in review
    assert _row(review, "Wed, Mar 10, 2021, 10:00")[1] == "the chief executive"  # messages


def test_action_items_as_they_really_stand(format2):
    review = plain(format2["en"])
    assert _row(review, "`fire-doors`")[-1] == "superseded by `new-design`"
    assert _row(review, "`new-design`")[-1] == (
        "Done, completed March 20, 2021 (as of March 22, 2021)")
    assert _row(review, "`offsite-backups`")[1].endswith("[^press]")
    assert "- `offsite-backups`: Announced in the blog post; no date given." in review


def test_claims_say_who_makes_them_and_factors_show_their_title(format2):
    review = format2["en"]
    assert "- According to some outlets: The fire started on 9 March." in review
    assert "- *Unattributed*: The fire started before midnight. *unverified*" in review
    assert "**inverter fire** — A fire started in a power room" in review
    assert "1. **backups in the same building** — Backups of some customers" in review


@pytest.mark.parametrize(("text", "long", "compact", "compact_with_year"), [
    ("2021-03-13", "Saturday, March 13, 2021", "Sat, Mar 13", "Sat, Mar 13, 2021"),
    ("2021-04", "April 2021", "April 2021", "April 2021"),
    ("between 2021-03-10 and 2021-03-13",
     "from Wednesday, March 10, 2021 to Saturday, March 13, 2021", "Wed, Mar 10 – Sat, Mar 13",
     "Wed, Mar 10 – Sat, Mar 13, 2021"),
    ("between 2021-12-30 and 2022-01-02",
     "from Thursday, December 30, 2021 to Sunday, January 2, 2022",
     "Thu, Dec 30, 2021 – Sun, Jan 2, 2022", "Thu, Dec 30, 2021 – Sun, Jan 2, 2022"),
    ("after 2021-03-13", "on or after Saturday, March 13, 2021", "on or after Sat, Mar 13",
     "on or after Sat, Mar 13, 2021"),
    ("before 2021-04", "in or before April 2021", "in or before April 2021",
     "in or before April 2021"),
    ("about 2021-03-13", "about Saturday, March 13, 2021", "about Sat, Mar 13",
     "about Sat, Mar 13, 2021"),
])
def test_days_and_months_are_written_as_such(text, long, compact, compact_with_year):
    from postmortem.record.instants import parse_when
    from postmortem.render.i18n import Language

    # A long date and a month always say their year; a short day says it when the
    # document needs it, and a range across a new year always does.
    language = Language("en", "Europe/Paris")
    with_year = Language("en", "Europe/Paris", with_year=True)
    when = parse_when(text, zone="Europe/Paris")
    assert (plain(language.when(when)), plain(language.when(when, compact=True)),
            plain(with_year.when(when, compact=True))) == (long, compact, compact_with_year)


def test_short_durations_count_seconds_and_day_ranges_count_days():
    from postmortem.record.instants import between, parse_when
    from postmortem.render.i18n import Language

    english, french = Language("en", "Europe/Paris"), Language("fr", "Europe/Paris")
    start = parse_when("between 2021-03-10T21:00+01:00 and 21:27")
    noticed = parse_when("within 2 s after started", anchors={"started": start})
    assert plain(english.duration(between(start, noticed))) == "up to 2 sec"
    assert plain(french.duration(between(start, noticed))) == "jusqu'à 2 s"
    days = between(parse_when("2021-03-10", zone="Europe/Paris"),
                   parse_when("2021-03-22", zone="Europe/Paris"))
    assert plain(english.duration(days)) == "between 11 days and 13 days"
    assert plain(french.when(noticed)) == (
        "dans les 2 s après le début (mer. 10 mars, 21:00 – 21:27)")


# -- nothing silently lost: long fields, sources, tables ---------------------------------------

LONG_FIELDS = RECORDS / "long-fields.yaml"
#: Every record a reader may meet: the real ones and the fixtures of each kind of fact.
EVERY_RECORD = sorted([*(ROOT / "incidents").glob("*.yaml"), *(RECORDS / "format2").glob("*.yaml"),
                       *FORMAT2.values(), LONG_FIELDS, RECORDS / "minimal.yaml",
                       RECORDS / "tables.yaml"])


def _reviews(path) -> dict[str, str]:
    """Render a record as the Markdown file and as the Markdown an HTML page is made from."""
    from postmortem.render.markdown import render_markdown
    from postmortem.workspace.pipeline import read_report

    report = read_report(path, path.read_bytes(), history=None)[1]
    return {"file": render_markdown(report), "embedded": render_markdown(report, embedded=True)}


@pytest.fixture(scope="module")
def long_fields() -> dict[str, str]:
    return _reviews(LONG_FIELDS)


def _html(markdown: str) -> str:
    """Render Markdown as a reader's viewer does: tables, footnotes, attribute spans."""
    from mdit_py_plugins.attrs import attrs_plugin

    parser = MarkdownIt("commonmark").enable("table").use(footnote_plugin)
    return parser.use(attrs_plugin, spans=True).render(markdown)


def test_a_long_field_that_holds_a_list_renders_as_a_list_under_its_item(long_fields):
    review = long_fields["file"]
    html = _html(review)
    assert not re.search(r"\S.*[:)] *- pg_dump", review)  # never "(Processus) : - pg_dump…"
    factor = html.split("sauvegardes en échec", 1)[1].split("copie chez", 1)[0]
    assert "<ul>\n<li>pg_dump s'arrêtait faute de place" in factor
    assert "<li>personne ne relisait le rapport quotidien.</li>" in factor
    # The impact's own list ends before what the record says besides it (its third party).
    description = html.split("<li>valider un panier ;</li>", 1)[1].split("</ul>", 1)[0]
    assert "Tiers" not in description
    assert re.search(r"<p><strong>Tiers</strong>\s*: Hébergement Exemple</p>", html)


def test_a_long_field_of_several_paragraphs_keeps_them(long_fields):
    html = _html(long_fields["file"])
    for first, second in [
        ("Premier jet en place.", "Reste à brancher les alertes sur l'astreinte."),  # action note
        ("Le prestataire de paiement a continué de fonctionner.",               # not affected
         "Aucun paiement n'a été débité deux fois."),
        ("Annonce faite avant de savoir que les sauvegardes manquaient.",       # promise note
         "Le délai a ensuite été retiré."),
        ("La fiche retient trois semaines.",                                    # resolution
         "Le service client ne voyait que les rapports lus."),
    ]:
        assert f"<p>{first}</p>\n<p>{second}</p>" in html, first


def test_a_table_cell_folds_a_list_into_one_line(long_fields):
    row = _cells(long_fields["file"], "09:12")
    assert plain(row["Ce qui s'est passé"]) == (
        "La migration démarre : étape 1, copie de la table; étape 2, réécriture des "
        "index.[^journal-interne]")


@pytest.mark.parametrize("text", ["~~~", "```", "   ~~~~ python", "```js <b>x</b>"])
def test_a_text_that_would_open_a_code_fence_stays_text_in_its_cell(text):
    from postmortem.render.environment import markdown_table

    table = markdown_table(["When", "What happened"], [["10:00", text], ["10:05", "next"]])
    html = MarkdownIt("commonmark").enable("table").render(table)
    # Two rows of two cells, the text shown as written, nothing of it run as HTML.
    assert html.count("<tr>") == 3 and html.count("<td>") == 4
    assert plain(text.strip().replace("<", "&lt;").replace(">", "&gt;")) in html
    assert "<b>" not in html


@pytest.mark.parametrize("path", EVERY_RECORD, ids=lambda path: path.stem)
def test_every_source_is_listed_with_its_address_as_text(path):
    from postmortem.record.validate import read_incident

    incident = read_incident(path)
    for review in _reviews(path).values():
        html = _html(review)
        listed = re.findall(r'<li id="fn\d+" class="footnote-item">(.*?)</li>', html, re.S)
        assert len(listed) == len(incident.sources)
        for source in incident.sources:
            entry = next(item for item in listed if plain(source.title) in plain(item))
            if source.url:
                assert f">{source.url}</a>" in entry  # the address itself, printed
            if source.archive:
                assert source.archive in entry


def test_a_source_that_no_fact_cites_is_listed_as_also_consulted(long_fields):
    review = long_fields["file"]
    line = next(line for line in review.splitlines()
                if line.startswith("Également consultées"))
    assert line.endswith("[^retour-hebergeur]")
    assert "[^journal-interne]" not in line
    html = _html(review)
    assert "How we recovered your data?" in html
    assert (">https://web.archive.org/web/2022/https://status.hebergement.example.com/"
            "incidents/2022-06-20</a>") in html


def test_a_title_in_another_language_is_marked_in_the_page_but_not_in_the_file(long_fields):
    assert '*[How we recovered your data?]{lang="en"}*' in long_fields["embedded"]
    assert "*How we recovered your data?*" in long_fields["file"]
    assert "{lang=" not in long_fields["file"]
    assert '<span lang="en">How we recovered your data?</span>' in _html(long_fields["embedded"])
    # A title in the record's own language is not marked.
    assert "{lang=" not in long_fields["embedded"].replace('{lang="en"}', "", 1)


def test_what_each_key_instant_rests_on_is_said(long_fields):
    review = plain(long_fields["file"])
    start = next(line for line in review.splitlines() if line.startswith("- **Début**"))
    assert "la migration corrompt la table des commandes" in start
    assert "Heure lue dans le journal de la migration" in start
    assert start.endswith("[^journal-interne]")
    assert "### Key instants" in review or "### Instants clés" in review


def test_a_factor_says_its_third_party_and_when_it_acted(long_fields):
    review = plain(long_fields["file"])
    copy = next(line for line in review.splitlines() if "copie chez l'hébergeur" in line)
    assert "(Dépendance ; Tiers : Hébergement Exemple)" in copy
    backups = next(line for line in review.splitlines() if "sauvegardes en échec" in line)
    assert "(Processus ; Début : " in backups and "02:00" in backups


def test_an_impact_counts_its_sites_and_names_them(long_fields):
    assert _cells(long_fields["file"], "Prise de commandes")["Sites"] == "3 (Paris; Lyon; Lille)"


def test_a_column_empty_on_every_row_is_left_out(format2, long_fields):
    impacts = next(table for table in _tables(format2["en"]) if table[0][0] == "Service")
    assert impacts[0] == ["Service", "Start", "End"]  # no sites, people, degraded mode, duration
    third_parties = next(table for table in _tables(long_fields["file"])
                         if table[0][0] == "Tiers")
    assert third_parties[0] == ["Tiers", "Service", "Tenu"]


def test_a_column_that_one_row_fills_is_kept(format2):
    messages = next(table for table in _tables(format2["en"]) if table[0][:2] == ["When", "Who"])
    assert [row[1] for row in messages[1:]] == ["the chief executive", "—"]


def test_the_table_helper_escapes_folds_and_leaves_out_empty_columns():
    from postmortem.render.environment import markdown_table

    table = markdown_table(
        ["Service", "Sites", "Note"],
        [["Checkout | payments", "", "- queued\n- replayed later"], ["Search", "—", "a\nb"]])
    assert table == ("| Service | Note |\n| --- | --- |\n"
                     "| Checkout \\| payments | queued; replayed later |\n"
                     "| Search | a b |\n")
    assert markdown_table(["Only"], []) == ""
    with pytest.raises(ValueError, match="3 cells"):
        markdown_table(["a", "b", "c"], [["1", "2"]])


@pytest.mark.parametrize(("text", "folded"), [
    ("One line.", "One line."),
    ("A paragraph\nwrapped in YAML.", "A paragraph wrapped in YAML."),
    ("First paragraph.\n\nSecond paragraph.", "First paragraph. Second paragraph."),
    ("- pg_dump failed;\n- nobody read the report.", "pg_dump failed; nobody read the report."),
    ("Steps:\n\n1. copy\n2. rewrite", "Steps: copy; rewrite"),
    ("Costs - about 5 min - were low.", "Costs - about 5 min - were low."),
])
def test_a_text_folds_into_one_readable_line(text, folded):
    from postmortem.render.environment import inline

    assert inline(text) == folded


@pytest.mark.parametrize(("text", "block"), [
    ("One paragraph,\nwrapped.", False),
    ("- a list", True),
    ("Lead:\n1. first", True),
    ("Two\n\nparagraphs", True),
    ("```\ncode\n```", True),
    ("Costs - about 5 min.", False),
])
def test_a_text_is_a_block_when_it_holds_paragraphs_or_a_list(text, block):
    from postmortem.render.environment import is_block

    assert is_block(text) is block


def test_an_address_is_written_as_text_a_reader_can_copy():
    from postmortem.render.environment import url_text

    assert url_text("https://example.org/a_b?c=1") == "<https://example.org/a_b?c=1>"
    assert url_text("shared/seeds/001.txt") == "`shared/seeds/001.txt`"
    assert url_text("a `tick` path") == "``a `tick` path``"
