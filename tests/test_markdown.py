"""The Markdown review: golden files, intact tables, clean Markdown, facts a reader needs."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from pymarkdown.api import PyMarkdownApi

from golden_cases import CASES, GOLDEN, render_case
from support import APHP, RECORDS


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
    review = rendered["aphp.md"]
    facts = [
        "samedi 3 août 2024",                       # when
        "| Sites touchés | **38** |",                 # to whom
        "SAMU", "Global Switch", "OVHcloud",          # who else, what was spared
        "papier",                                     # degraded mode
        "cyberattaque", "sabotage",                   # ruled out
        "| **environ 3\u202fh** |",                   # the power cut
        "**jusqu'à 30\u00a0min**",                    # time to detect
        "**entre 1\u202fj 19\u202fh et 2\u202fj 1\u202fh**",  # care services restored
        "**plus de 3\u202fj 7\u202fh**",              # full restoration not reached
        "**3**, dont 2 dépassées",                    # promises
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
    assert [row[-1] for row in table[1:]] == [
        "**entre +1\u202fj 6\u202fh et +1\u202fj 12\u202fh**",
        "**entre +10\u202fh et +16\u202fh**",
        "**entre −2\u202fh et +4\u202fh**",
    ]


def test_an_english_record_gets_english_headings_and_dates(rendered):
    review = rendered["minimal.md"]
    assert "## Timeline" in review and "## Key figures" in review
    assert "| Time to detect | **between 5 min and 10 min** |" in review
    assert "Sun, Mar 2 10:00" in review


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
