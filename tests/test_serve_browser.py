"""`postmortem serve` in a real browser: the open page follows the record as it is saved.

Debian's Chromium, driven by Playwright as in tests/test_browser.py. The test never
reloads the page: the preview's script does, when the server says a file was saved.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from support import CHROMIUM, CHROMIUM_ARGS, RECORDS, browser_missing

RECORD = RECORDS / "format2" / "2024-07-19-content-update-crash.yaml"
NAME = "2024-07-19-content-update-crash"
TITLE = "Faulty content update crashes Windows machines worldwide"
NEW_TITLE = "Faulty content update stops Windows machines worldwide"
# The instant on line 30 (column 9) made impossible; it is written there only.
GOOD_INSTANT = 'at: "2024-07-19T05:27Z"'
BAD_INSTANT = 'at: "2024-07-19T25:27Z"'
#: How long the page may take to follow a save, in ms (Playwright's unit).
FOLLOWS_WITHIN = 20_000

MISSING = browser_missing()
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
# As root the install script has run (`make test` runs it), so a missing browser is a failure.
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(bool(MISSING) and not AS_ROOT, reason=MISSING)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serving_line(lines: queue.Queue[str], said: list[str]) -> str:
    """Return the line that says where the preview is served, waiting for it."""
    deadline = time.monotonic() + FOLLOWS_WITHIN / 1000
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if not line:
            break
        said.append(line)
        if line.startswith("Serving "):
            return line
    pytest.fail(f"the preview did not start; it said: {''.join(said)!r}")


def test_the_open_page_follows_the_record_as_it_is_saved(tmp_path):
    if MISSING:
        pytest.fail(f"as root, scripts/install-system-packages must have installed it: {MISSING}")
    from playwright.sync_api import expect, sync_playwright

    (tmp_path / "incidents").mkdir()
    record = tmp_path / "incidents" / RECORD.name
    original = RECORD.read_text(encoding="utf-8")
    record.write_text(original, encoding="utf-8")
    served = subprocess.Popen(
        [sys.executable, "-m", "postmortem", "serve", "incidents", "--port", str(_free_port())],
        cwd=tmp_path, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "LANGUAGE": "en"})
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert served.stderr is not None
        for line in served.stderr:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    said: list[str] = []
    try:
        url = _serving_line(lines, said).split(" at ", 1)[1].strip()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{url}{NAME}.html")
            title = page.locator(".title-block h1")
            problems = page.locator("#postmortem-problems")
            expect(title).to_have_text(TITLE)
            expect(problems).to_have_count(0)

            record.write_text(original.replace(TITLE, NEW_TITLE), encoding="utf-8")
            expect(title).to_have_text(NEW_TITLE, timeout=FOLLOWS_WITHIN)

            broken = original.replace(TITLE, NEW_TITLE).replace(GOOD_INSTANT, BAD_INSTANT, 1)
            record.write_text(broken, encoding="utf-8")
            expect(problems).to_contain_text("30:9", timeout=FOLLOWS_WITHIN)
            expect(problems).to_contain_text("hour must be in 0..23")
            expect(title).to_have_text(NEW_TITLE)  # the last good report, below

            record.write_text(original, encoding="utf-8")
            expect(title).to_have_text(TITLE, timeout=FOLLOWS_WITHIN)
            expect(problems).to_have_count(0)
            browser.close()
        served.send_signal(signal.SIGINT)
        assert served.wait(timeout=FOLLOWS_WITHIN / 1000) == 0
    finally:
        if served.poll() is None:
            served.kill()
            served.wait()
    rest = []
    while (line := lines.get(timeout=FOLLOWS_WITHIN / 1000)) != "":
        rest.append(line)
    assert "postmortem serve: stopped" in "".join(rest)
    assert record.read_text(encoding="utf-8") == original
    assert sorted(path.name for path in tmp_path.iterdir()) == ["incidents"]
