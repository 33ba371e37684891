"""Shared fixtures: paths to records, and running the command line in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem.cli import main

ROOT = Path(__file__).resolve().parent.parent
RECORDS = Path(__file__).resolve().parent / "records"
APHP = ROOT / "incidents" / "2024-08-03-aphp-datacenter-power-outage.yaml"


@pytest.fixture
def run(capsys):
    """Run `postmortem ARGS…` through main(argv); return (status, stdout, stderr)."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        status = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return invoke
