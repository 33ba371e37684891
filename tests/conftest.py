"""Fixtures: running the command line in-process. Shared constants are in support.py."""

from __future__ import annotations

import pytest

from postmortem.cli import main


@pytest.fixture
def run(capsys):
    """Run `postmortem ARGS…` through main(argv); return (status, stdout, stderr)."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        status = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return invoke


def pytest_terminal_summary(terminalreporter):
    """Print the precision and recall the lint corpus measured (tests/test_lint_corpus.py)."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
            "failed", []):
        for name, value in getattr(report, "user_properties", ()):
            if name == "lint_corpus":
                terminalreporter.section("lint precision and recall on the labelled corpus")
                terminalreporter.write_line(value)
