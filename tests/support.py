"""What tests share besides fixtures: where the records are."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = Path(__file__).resolve().parent / "records"
APHP = ROOT / "incidents" / "2024-08-03-aphp-datacenter-power-outage.yaml"
