"""`postmortem serve`: the preview's pages as a browser fetches them, while the files change."""

from __future__ import annotations

import http.client
import io
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from pypdf import PdfReader

from postmortem.errors import ConfigError, WorkspaceError
from postmortem.serve.page import allow_preview
from postmortem.serve.server import PreviewServer, serve

from support import RECORDS

RECORD = RECORDS / "format2" / "2024-07-19-content-update-crash.yaml"
NAME = "2024-07-19-content-update-crash"
TITLE = "Faulty content update crashes Windows machines worldwide"
NEW_TITLE = "Faulty content update stops Windows machines worldwide"
# The instant on line 30 (column 9) made impossible; it is written there only.
GOOD_INSTANT = 'at: "2024-07-19T05:27Z"'
BAD_INSTANT = 'at: "2024-07-19T25:27Z"'
DEADLINE = 20.0
#: The panel of the problems that keep a page from being up to date.
PANEL = 'id="postmortem-problems"'

T = TypeVar("T")


def eventually(check: Callable[[], T], what: str) -> T:
    """Return the first truthy answer of `check`, asked again until the deadline."""
    deadline = time.monotonic() + DEADLINE
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"not seen within {DEADLINE:.0f} s: {what}")
        time.sleep(0.1)


def fetch(url: str, host: str | None = None) -> tuple[int, str, bytes]:
    """Return the status, media type and body of a page."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def text_of(url: str) -> str:
    status, _type, body = fetch(url)
    assert status == 200
    return body.decode("utf-8")


def page_when(url: str, shows: Callable[[str], bool], what: str) -> str:
    """Return the page at `url` once it shows what is awaited, fetched again until then."""
    found: list[str] = []

    def check() -> bool:
        found[:] = [text_of(url)]
        return shows(found[0])

    eventually(check, what)
    return found[0]


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """Make a workspace of one record and work in it; return the record."""
    (tmp_path / "incidents").mkdir()
    record = tmp_path / "incidents" / RECORD.name
    record.write_bytes(RECORD.read_bytes())
    monkeypatch.chdir(tmp_path)
    return record


@pytest.fixture
def preview(workspace) -> Iterator[str]:
    """Serve the workspace on a free port in a thread; return the preview's address."""
    with PreviewServer(Path("incidents"), port=0) as server:
        yield server.url


def test_the_index_lists_the_record_and_links_its_review(preview):
    page = text_of(preview)
    assert TITLE in page
    assert f'href="{NAME}.html"' in page  # the build's own index, its links served too
    assert "problems: 0, lint findings: 0" in page
    assert TITLE in text_of(preview + "index.html")


def test_the_review_shows_the_record_with_the_reload_script(preview):
    page = text_of(preview + f"{NAME}.html")
    assert f"<h1>{TITLE}</h1>" in page
    assert "Example Endpoint Security" in page
    assert "new EventSource" in page
    assert f'href="/{NAME}.pdf"' in page
    assert PANEL not in page


def test_each_document_of_the_record_is_served(preview):
    assert "Executive summary" in text_of(preview + f"{NAME}.executive.html")
    assert "Public statement" in text_of(preview + f"{NAME}.public.html")
    assert "NIS2" in text_of(preview + f"{NAME}.nis2.html")
    assert "period" in text_of(preview + "period-review.html").lower()


def test_a_saved_title_shows_and_a_broken_record_keeps_the_last_good_report(preview, workspace):
    original = workspace.read_text(encoding="utf-8")
    review = preview + f"{NAME}.html"
    text_of(review)
    workspace.write_text(original.replace(TITLE, NEW_TITLE), encoding="utf-8")
    eventually(lambda: NEW_TITLE in text_of(review), "the new title")

    workspace.write_text(original.replace(TITLE, NEW_TITLE).replace(GOOD_INSTANT, BAD_INSTANT,
                                                                      1), encoding="utf-8")
    page = page_when(review, lambda page: PANEL in page, "the problem")
    panel = page.split(PANEL, 1)[1].split("</aside>", 1)[0]
    assert "<code>30:9</code>" in panel
    assert "hour must be in 0..23" in panel
    assert "last report rendered without problems" in panel
    assert f"<h1>{NEW_TITLE}</h1>" in page  # the last good report, below the panel
    assert "problems: 1" in text_of(preview)

    workspace.write_text(original, encoding="utf-8")
    page = page_when(review, lambda page: f"<h1>{TITLE}</h1>" in page, "the report again")
    assert PANEL not in page


def test_a_record_that_never_validated_shows_its_problems_without_a_report(workspace):
    workspace.write_text(workspace.read_text(encoding="utf-8").replace(GOOD_INSTANT,
                                                                       BAD_INSTANT, 1),
                         encoding="utf-8")
    with PreviewServer(Path("incidents"), port=0) as server:
        page = text_of(server.url + f"{NAME}.html")
        assert "<code>30:9</code>" in page
        assert "No report yet" in page
        assert "<h1>" not in page
        pdf = text_of(server.url + f"{NAME}.pdf")
        assert "The PDF is rendered once these problems are fixed." in pdf
        assert "Not included, because the record has errors" in text_of(server.url)


def test_lint_findings_show_above_a_valid_report(workspace):
    text = workspace.read_text(encoding="utf-8")
    # An action item overdue on a day long past: lint warns, the record still validates.
    workspace.write_text(text.replace("as_of: 2024-07-29", "as_of: 2030-07-29"),
                         encoding="utf-8")
    with PreviewServer(Path("incidents"), port=0) as server:
        page = text_of(server.url + f"{NAME}.html")
    assert PANEL not in page
    panel = page.split('id="postmortem-lint"', 1)[1].split("</aside>", 1)[0]
    assert "warning: [" in panel
    assert f"<h1>{TITLE}</h1>" in page


def test_the_pdf_is_rendered_on_demand(preview, workspace):
    before = workspace.read_bytes()
    status, media, body = fetch(preview + f"{NAME}.pdf")
    assert (status, media) == (200, "application/pdf")
    assert body.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(body))
    assert TITLE in reader.metadata.title
    assert "78 minutes" in "".join(page.extract_text() for page in reader.pages[:1])
    assert workspace.read_bytes() == before


def test_nothing_is_written_in_the_workspace(preview, workspace):
    before = workspace.read_bytes()
    for route in ("", f"{NAME}.html", f"{NAME}.executive.html", "period-review.html"):
        text_of(preview + route)
    assert workspace.read_bytes() == before
    assert sorted(p.relative_to(workspace.parent.parent) for p in
                  workspace.parent.parent.rglob("*")) == [Path("incidents"),
                                                         Path("incidents") / RECORD.name]


def test_unknown_routes_are_a_404_page(preview):
    for route in ("nope.html", f"{NAME}.docx", "../../etc/passwd", f"{NAME}.html/x",
                  "_preview/other"):
        status, media, body = fetch(preview + route)
        assert status == 404, route
        assert media.startswith("text/html")
        assert "No page at" in body.decode("utf-8")


def test_a_request_for_another_host_is_refused(preview):
    # A page of another site, through a name made to point here, reads nothing.
    status, _media, _body = fetch(preview, host="attacker.example")
    assert status == 421


def test_a_broken_configuration_shows_with_the_last_good_report(preview, workspace):
    review = preview + f"{NAME}.html"
    text_of(review)
    config = Path("postmortem.toml")
    config.write_text('[build]\ndocuments = ["full"]\nlanguage = "xx"\n', encoding="utf-8")
    page = page_when(review, lambda page: PANEL in page,
                     "the configuration's problem")
    assert "postmortem.toml:3:" in page
    assert f"<h1>{TITLE}</h1>" in page
    config.write_text('[build]\ndocuments = ["full"]\n', encoding="utf-8")
    eventually(lambda: PANEL not in text_of(review), "the problem gone")


def test_a_template_error_shows_its_line(workspace):
    templates = workspace.parent.parent / "templates"
    templates.mkdir()
    template = templates / "report.html.j2"
    template.write_text("<html><body>\n{{ incident.title }}\n{{ nothing.here }}\n</body></html>\n",
                        encoding="utf-8")
    with PreviewServer(Path("incidents"), port=0, templates="templates") as server:
        review = server.url + f"{NAME}.html"
        page = text_of(review)
        assert "templates/report.html.j2:3:" in page
        template.write_text("<html><body>\n<h1>{{ incident.title }}</h1>\n</body></html>\n",
                            encoding="utf-8")
        page_when(review, lambda page: (f"<h1>{TITLE}</h1>" in page
                                        and PANEL not in page),
                  "the template fixed")


def test_a_save_is_announced_to_open_pages(preview, workspace):
    host, port = preview.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=DEADLINE)
    connection.request("GET", "/_preview/events")
    events = connection.getresponse()
    assert events.headers["Content-Type"].startswith("text/event-stream")
    first = _next_event(events)
    workspace.write_text(workspace.read_text(encoding="utf-8").replace(TITLE, NEW_TITLE),
                         encoding="utf-8")
    assert _next_event(events) != first
    connection.close()


def test_closing_ends_the_open_pages_streams_the_watcher_and_the_socket(workspace):
    server = PreviewServer(Path("incidents"), port=0).start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE)
    connection.request("GET", "/_preview/events")
    events = connection.getresponse()
    _next_event(events)
    server.close()
    assert events.read().strip() == b""  # the stream ends: the page's script will try again later
    connection.close()
    assert not [thread.name for thread in threading.enumerate()
                if thread.name.startswith("postmortem-serve")]
    with socket.socket() as again:
        # The port is free for a server started again (which, as this one, reuses the
        # address its connections just closed).
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", server.port))
        again.listen()


def _next_event(stream) -> str:
    while True:
        line = stream.readline().decode("utf-8")
        assert line, "the stream ended"
        if line.startswith("data: "):
            return line.removeprefix("data: ").strip()


def test_a_policy_of_the_page_lets_the_preview_script_run():
    policy = allow_preview("default-src 'none'; style-src 'unsafe-inline'; img-src data:", "n1")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["script-src"] == ["'nonce-n1'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["style-src"] == ["'unsafe-inline'"]  # a nonce would turn it off
    assert directives["default-src"] == ["'none'"]
    assert allow_preview("script-src 'self'", "n2") == "script-src 'self' 'nonce-n2'"


def test_the_served_copy_of_a_page_with_a_policy_lets_the_script_run(workspace):
    templates = workspace.parent.parent / "templates"
    templates.mkdir()
    (templates / "report.html.j2").write_text(
        '<html><head><meta http-equiv="Content-Security-Policy" content="default-src '
        "'none'; style-src 'unsafe-inline'\">\n</head><body>\n<h1>{{ incident.title }}</h1>"
        "\n</body></html>\n", encoding="utf-8")
    with PreviewServer(Path("incidents"), port=0, templates="templates") as server:
        page = text_of(server.url + f"{NAME}.html")
    nonce = page.split('<script nonce="', 1)[1].split('"', 1)[0]
    policy = page.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    assert f"script-src &#x27;nonce-{nonce}&#x27;" in policy
    assert "connect-src &#x27;self&#x27;" in policy


def test_a_port_in_use_is_refused(workspace):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(WorkspaceError, match=f"port {port} is in use: pass --port"):
            serve(Path("incidents"), port=port)


def test_a_path_that_is_not_a_record_is_refused(workspace):
    with pytest.raises(WorkspaceError, match="no such record or folder"):
        serve(Path("missing"), port=0)
    Path("notes.txt").write_text("notes\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="is not a record"):
        serve(Path("notes.txt"), port=0)


def test_a_template_folder_that_does_not_exist_is_refused(workspace):
    with pytest.raises(ConfigError, match="the templates folder nowhere does not exist"):
        serve(Path("incidents"), port=0, templates="nowhere")


def test_one_record_can_be_served(workspace):
    with PreviewServer(Path("incidents") / RECORD.name, port=0) as server:
        assert TITLE in text_of(server.url)
        assert f"<h1>{TITLE}</h1>" in text_of(server.url + f"{NAME}.html")


class Served:
    """`postmortem serve` in a process of its own, its error output read as it comes."""

    def __init__(self, folder: Path, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "postmortem", "serve", *args], cwd=folder, text=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, "LANGUAGE": "en"})
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)
        self.lines.put("")

    def line_starting(self, prefix: str) -> str:
        """Return the first line said that starts with `prefix`, waiting for it."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if not line:
                break
            self.said.append(line)
            if line.startswith(prefix):
                return line
        pytest.fail(f"no line starting {prefix!r}; said: {''.join(self.said)!r}")

    def interrupt(self) -> tuple[int, str]:
        """Press Ctrl-C; return the exit status and the rest of what it said."""
        self.process.send_signal(signal.SIGINT)
        status = self.process.wait(timeout=DEADLINE)
        rest = []
        while (line := self.lines.get(timeout=DEADLINE)) != "":
            rest.append(line)
        return status, "".join(self.said + rest)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_ctrl_c_stops_the_server_cleanly(workspace):
    port = free_port()
    served = Served(workspace.parent.parent, "incidents", "--port", str(port))
    try:
        line = served.line_starting("Serving ")
        assert line == f"Serving incidents at http://127.0.0.1:{port}/\n"
        assert TITLE in text_of(f"http://127.0.0.1:{port}/")
        status, said = served.interrupt()
    finally:
        served.kill()
    assert status == 0, said
    assert "postmortem serve: stopped" in said
    assert "Traceback" not in said
    assert "warning" not in said


def test_another_host_than_loopback_is_warned_of(workspace):
    served = Served(workspace.parent.parent, "incidents", "--host", "0.0.0.0",
                    "--port", str(free_port()))
    try:
        served.line_starting("Serving incidents at http://0.0.0.0:")
        warning = served.line_starting("warning:")
        status, _said = served.interrupt()
    finally:
        served.kill()
    assert "visible to anyone who can reach this machine" in warning
    assert status == 0


def test_a_port_in_use_is_an_error_of_the_command(workspace):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "postmortem", "serve", "--port", str(port)],
                              cwd=workspace.parent.parent, capture_output=True, text=True,
                              timeout=60, env={**os.environ, "LANGUAGE": "en"})
    assert done.returncode == 1
    assert f"port {port} is in use: pass --port with another one" in done.stderr
    assert "Traceback" not in done.stderr
