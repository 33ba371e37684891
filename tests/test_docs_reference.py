"""The generated documentation pages (docs/record.md, templates.md, commands.md) stay current.

They are checked in; scripts/generate_docs.py writes them from the record model, from
what the templates receive and from the command line's parser. A change to any of them
that is not followed by running the script fails here, and so does a page that leaves out
a field or a template variable.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from postmortem.record.model import Incident

ROOT = Path(__file__).resolve().parent.parent
RECORD_PAGE = ROOT / "docs" / "record.md"
TEMPLATES_PAGE = ROOT / "docs" / "templates.md"
REGENERATE = "run .venv/bin/python scripts/generate_docs.py and commit the pages"


def _generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("generate_docs",
                                                  ROOT / "scripts" / "generate_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_docs", module)
    spec.loader.exec_module(module)
    return module


generator = _generator()


@pytest.fixture(scope="module")
def guide():
    """The template guide as the generator sees it (renders the example records once)."""
    return generator.TemplateGuide()


def test_checked_in_pages_are_what_the_generator_writes(guide) -> None:
    pages = {"docs/record.md": generator.record_page(), "docs/templates.md": guide.page(),
             "docs/commands.md": generator.commands_page()}
    assert set(pages) == set(generator.PAGES)
    stale = generator.stale_pages(pages)
    assert stale == [], f"stale: {', '.join(stale)}; {REGENERATE}"


def test_check_names_a_stale_page(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "record.md").write_text("# Record reference\n", encoding="utf-8")
    (tmp_path / "docs" / "templates.md").write_text("# Templates\n", encoding="utf-8")
    pages = {"docs/record.md": "# Record reference\n", "docs/templates.md": "# Templates\nnew\n"}
    assert generator.stale_pages(pages, tmp_path) == ["docs/templates.md"]
    (tmp_path / "docs" / "record.md").unlink()
    assert generator.stale_pages(pages, tmp_path) == ["docs/record.md", "docs/templates.md"]


def _model_paths(model: type[BaseModel], path: str = "") -> list[tuple[str, str]]:
    """Return (entry type, field path) for every field reached from a model."""
    found = []
    for name, field in model.model_fields.items():
        where = f"{path}.{name}" if path else name
        found.append((model.__name__, where))
        for inner, many in _models_in(field.annotation):
            found += _model_paths(inner, where + ("[]" if many else ""))
    return found


def _models_in(annotation: object, many: bool = False) -> list[tuple[type[BaseModel], bool]]:
    """Return the models an annotation holds, and whether inside a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, many)]
    origin = typing.get_origin(annotation)
    inside = many or origin is list
    return [found for argument in typing.get_args(annotation)
            for found in _models_in(argument, inside)]


def test_record_page_gives_every_field_at_every_path() -> None:
    page = RECORD_PAGE.read_text(encoding="utf-8")
    paths = _model_paths(Incident)
    assert len(paths) > 200  # every part of the record, nested lists included
    missing = [path for _, path in paths if f"`{path}`" not in page]
    assert missing == [], f"record.md lacks {missing[:10]}; {REGENERATE}"
    headed = {entry for entry, _ in paths}
    assert [entry for entry in sorted(headed) if f"`{entry}`" not in page] == []
    # A field named as the model has it, with its docstring as its meaning.
    assert "- **`unit`**: [text](#text); required" in page
    assert "What is counted, in the plural (e.g. 'Windows machines')." in page
    assert "`impacts[].quantities[].unit`" in page


def _sections(page: str) -> dict[str, str]:
    """Return each template's section of the template guide, by template file name."""
    parts = re.split(r"^### (\S+\.(?:j2|css))$", page, flags=re.M)
    return {name: re.split(r"^##", text, maxsplit=1, flags=re.M)[0]
            for name, text in zip(parts[1::2], parts[2::2], strict=True)}


def _rendered_in_code() -> list[tuple[str, str]]:
    """Return (template name or pattern, variable) for each keyword a render call passes."""
    calls = []
    for path in sorted((ROOT / "postmortem").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("render_template", "render_inert"):
                continue
            template = node.args[1]
            if isinstance(template, ast.Constant):
                pattern = re.escape(str(template.value))
            elif isinstance(template, ast.JoinedStr):
                pattern = "".join(re.escape(str(part.value)) if isinstance(part, ast.Constant)
                                  else r"[\w-]+" for part in template.values)
            else:
                continue
            calls += [(pattern, keyword.arg) for keyword in node.keywords if keyword.arg]
    return calls


def test_templates_page_gives_each_variable_a_render_call_passes() -> None:
    sections = _sections(TEMPLATES_PAGE.read_text(encoding="utf-8"))
    calls = _rendered_in_code()
    assert ("report\\.html\\.j2", "box") in calls  # the scan reads the code's calls
    missing = [(pattern, variable) for pattern, variable in calls
               if not any(re.fullmatch(pattern, name) and f"| `{variable}` |" in text
                          for name, text in sections.items())]
    assert missing == [], f"templates.md lacks {missing}; {REGENERATE}"


def test_templates_page_gives_every_variable_each_template_receives(guide) -> None:
    sections = _sections(TEMPLATES_PAGE.read_text(encoding="utf-8"))
    bundled = sorted(path.name for path in generator.BUNDLED_TEMPLATES.iterdir()
                     if path.suffix in (".j2", ".css"))
    assert sorted(sections) == bundled
    received = {name: list(values) for name, values in guide.seen.items()}
    assert {"report.md.j2", "report.html.j2", "index.md.j2", "period.html.j2",
            "new-record.yaml.j2"} <= set(received)
    missing = [(template, variable) for template, names in received.items()
               for variable in names if f"| `{variable}` |" not in sections[template]]
    assert missing == [], f"templates.md lacks {missing}; {REGENERATE}"
    assert generator.description_problems(received) == []


def test_a_variable_without_meaning_and_a_meaning_without_variable_are_reported() -> None:
    received = {"report.md.j2": ["report", "incident", "embedded", "footer"]}
    problems = generator.description_problems(received)
    assert "report.md.j2: no description of the variable 'footer' in VARIABLES" in problems
    # Described, but received by no template of this (partial) rendering.
    assert "VARIABLES describes 'box', which no template receives" in problems
