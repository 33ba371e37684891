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
