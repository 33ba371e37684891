"""Rewrite the golden files from the current templates: `make golden`, then review the diff."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden_cases import CASES, GOLDEN, render_case


def main() -> None:
    """Render every golden case and write it to tests/golden/."""
    GOLDEN.mkdir(exist_ok=True)
    for name in CASES:
        (GOLDEN / name).write_text(render_case(name), encoding="utf-8")
        print(f"wrote tests/golden/{name}")


if __name__ == "__main__":
    main()
