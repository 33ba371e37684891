"""The preview's HTTP server: the pages of `postmortem serve`, and the events that reload them.

It answers on the loopback address unless told otherwise, only for the pages it knows
(the index, the period review, each record's documents and their PDFs) and for the
events a page listens to; anything else is a 404 page. It never writes a file.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from postmortem.errors import WorkspaceError
from postmortem.i18n import _, message_language, messages_in
from postmortem.serve.page import EVENTS_PATH
from postmortem.serve.preview import Page, Preview
from postmortem.serve.watch import Watcher

#: Seconds between two keep-alive comments on a page's events: a closed page is noticed.
KEEP_ALIVE = 15.0
#: Seconds a preview started in a thread waits at most for its files to be watched.
_READY_WITHIN = 10.0


def serve(path: Path, *, host: str = "127.0.0.1", port: int = 8000,
          templates: str | None = None) -> None:
    """Serve a live preview of the records at `path` until Ctrl-C, then stop cleanly."""
    server = PreviewServer(path, host=host, port=port, templates=templates)
    try:
        server.watch()  # once the address is printed, every save is heard
        print(f"Serving {path} at {server.url}", file=sys.stderr, flush=True)
        if not server.loopback:
            print(_("warning: {host} is not a loopback address: the preview, and every "
                    "record it shows, is visible to anyone who can reach this machine on "
                    "port {port}", host=host, port=server.port), file=sys.stderr, flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("postmortem serve: stopped", file=sys.stderr, flush=True)


class PreviewServer:
    """A preview bound to its address: serve it in this thread, or start it in another."""

    def __init__(self, path: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 templates: str | None = None):
        self.preview = Preview(path, templates)
        self._http = _bind(host, port)
        self._http.preview = self.preview
        self._http.lang = message_language()
        self.port = self._http.server_address[1]
        self.loopback = _is_loopback(str(self._http.server_address[0]))
        self._http.hosts = _known_hosts(host, self.port, self.loopback)
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}/"
        self._watcher = Watcher(self.preview.watched, self.preview.changed)
        self._thread: threading.Thread | None = None
        self._watching = False
        self._closed = False

    def watch(self) -> None:
        """Start watching the files, and wait until a save is heard (at most a few seconds)."""
        if not self._watching:
            self._watching = True
            self._watcher.start()
            self._watcher.ready.wait(_READY_WITHIN)

    def serve_forever(self) -> None:
        """Watch the files and answer requests until `close` is called or Ctrl-C is pressed."""
        self.watch()
        self._http.serve_forever(poll_interval=0.2)

    def start(self) -> PreviewServer:
        """Serve in a background thread once the files are watched; return the server."""
        self.watch()
        self._thread = threading.Thread(target=self.serve_forever, name="postmortem-serve",
                                        daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop answering, stop watching and release the pages that wait; close the socket."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join()
        self._watcher.stop()
        self.preview.close()
        self._http.server_close()

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _HTTPServer(ThreadingHTTPServer):
    """One thread per request; pages wait for saves in theirs, and end with the server."""

    daemon_threads = True
    preview: Preview
    lang: str
    hosts: frozenset[str] | None

    def server_bind(self) -> None:
        # HTTPServer looks the host's full name up, which can wait on a resolver: not needed.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request, client_address) -> None:
        # A browser that closes a page while it loads is no error of the preview's.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "postmortem-serve"

    def do_GET(self) -> None:
        with messages_in(self.server.lang):
            self._answer()

    def _answer(self) -> None:
        hosts = self.server.hosts
        if hosts is not None and self.headers.get("Host", "").lower() not in hosts:
            # A page of another site that a name made to point here (DNS rebinding)
            # would read the preview: only the names of this machine are answered.
            self._send(Page(b"unknown host\n", "text/plain; charset=utf-8", 421))
            return
        route = unquote(urlsplit(self.path).path)
        if route == EVENTS_PATH:
            self._events()
            return
        self._send(self.server.preview.page(route))

    def _send(self, page: Page) -> None:
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        # Every answer is the state of the files now: a browser must ask again.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(page.body)

    def _events(self) -> None:
        """Send the workspace's state now and after each save, until the page or server ends."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        changes = self.server.preview.changes
        sent: str | None = None
        while True:
            token = changes.token() if sent is None else changes.wait(sent, KEEP_ALIVE)
            if token is None:
                return  # the server stops
            self.wfile.write(b": still here\n\n" if token == sent
                             else f"data: {token}\n\n".encode())
            self.wfile.flush()
            sent = token

    def log_message(self, format: str, *args: object) -> None:
        """Say nothing of each request: the terminal is the author's."""


def _bind(host: str, port: int) -> _HTTPServer:
    """Bind the address asked for, and only it; raise WorkspaceError saying why it cannot be."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        raise WorkspaceError(_("cannot serve on {host}: no such address; pass --host with an "
                               "address of this machine, such as 127.0.0.1", host=host)) from None
    family, _type, _proto, _name, address = found[0]
    bound = (str(address[0]), int(address[1]))

    class Server(_HTTPServer):
        address_family = family

    try:
        return Server(bound, _Handler)
    except OverflowError:
        raise WorkspaceError(_("port {port} is not a port: pass --port with a number from 1 "
                               "to 65535", port=port)) from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            message = _("port {port} is in use: pass --port with another one", port=port)
        elif error.errno == errno.EACCES:
            message = _("port {port} needs privileges this user lacks: pass --port with one "
                        "above 1023", port=port)
        elif error.errno == errno.EADDRNOTAVAIL:
            message = _("cannot serve on {host}: it is not an address of this machine; pass "
                        "--host with one that is, such as 127.0.0.1", host=host)
        else:
            message = _("cannot serve on {host} port {port}: {reason}", host=host, port=port,
                        reason=(error.strerror or str(error)).lower())
        raise WorkspaceError(message) from None


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _known_hosts(host: str, port: int, loopback: bool) -> frozenset[str] | None:
    """Return the Host headers a loopback preview answers; None: any (bound elsewhere)."""
    if not loopback:
        return None
    names = {host.lower(), "localhost", "127.0.0.1", "[::1]"}
    shown = {f"[{name}]" if ":" in name and not name.startswith("[") else name
             for name in names}
    return frozenset({*shown, *(f"{name}:{port}" for name in shown)})
