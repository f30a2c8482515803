"""What the browser tests need: Debian's Chromium and chromedriver (installed when missing and possible),
a headless Chromium driven by Selenium with the system driver (Selenium downloads nothing), and a tiny
HTTPS server on loopback that plays a requester's ExternalQuestion page."""

from __future__ import annotations

import datetime as dt
import fcntl
import html
import ipaddress
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

CHROMIUM_NAMES = ("chromium", "chromium-browser")
DRIVER_NAMES = ("chromedriver",)
INSTALL = ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"]
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--ignore-certificate-errors",  # the task server's certificate is self-signed
    "--window-size=1280,1000",
)


class Unavailable(Exception):
    """Why the browser tests cannot run on this machine."""


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
        if found:
            return found
    return None


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(command, capture_output=True, text=True, timeout=1200, env=environment, check=False)


def ensure_chromium() -> tuple[str, str]:
    """(chromium, chromedriver): found, or installed from Debian's packages when running as root with apt.
    One process installs at a time (pytest-xdist workers would otherwise race for apt's lock)."""
    with open(os.path.join(tempfile.gettempdir(), "mturk-mock-chromium.lock"), "w") as lock:
        if hasattr(fcntl, "flock"):
            fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_chromium()


def _ensure_chromium() -> tuple[str, str]:
    chromium, driver = _find(CHROMIUM_NAMES), _find(DRIVER_NAMES)
    if chromium and driver:
        return chromium, driver
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise Unavailable(
            "Chromium and chromedriver are not installed, and this machine cannot install them (not root, or no "
            "apt-get): run `apt-get install chromium chromium-driver` to run the browser tests"
        )
    installed = _run(INSTALL)
    if installed.returncode != 0:  # a fresh machine has no package lists yet
        _run(["apt-get", "update"])
        installed = _run(INSTALL)
    chromium, driver = _find(CHROMIUM_NAMES), _find(DRIVER_NAMES)
    if not (chromium and driver):
        tail = (installed.stderr or installed.stdout).strip().splitlines()[-3:]
        raise Unavailable(f"`{' '.join(INSTALL)}` did not install Chromium: {' / '.join(tail)}")
    return chromium, driver


def start_chromium(chromium: str, driver: str, profile: str):  # -> selenium WebDriver
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not fetch anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


# -- a requester's ExternalQuestion page --------------------------------------------------------------


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this run (ExternalURLs must be https)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "task.crt", directory / "task.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def task_page(parameters: dict[str, str]) -> str:
    """What a requester's page does with MTurk's parameters: a form posting to turkSubmitTo once accepted."""
    assignment_id = parameters.get("assignmentId", "")
    preview = assignment_id in ("", "ASSIGNMENT_ID_NOT_AVAILABLE")
    action = html.escape(parameters.get("turkSubmitTo", "") + "/mturk/externalSubmit")
    state = '<p id="state">Preview: accept the HIT to work on it.</p>' if preview else '<p id="state">Working</p>'
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Label the picture</title></head>
<body><h1>What is in the picture?</h1>{state}
<form id="task" method="post" action="{action}">
<input type="hidden" name="assignmentId" value="{html.escape(assignment_id)}">
<label>Label <input id="label" name="label" required></label>
<label><input type="checkbox" name="tags" value="animal"> animal</label>
<label><input type="checkbox" name="tags" value="outdoor"> outdoor</label>
<button id="send" type="submit"{" disabled" if preview else ""}>Submit</button>
</form></body></html>"""


class TaskServer:
    """HTTPS on 127.0.0.1 serving ``/task.html``; ``seen`` holds the query of every page it served."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        self._directory = tempfile.TemporaryDirectory()
        cert, key = _certificate(Path(self._directory.name))
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                parameters = dict(parse_qsl(parts.query))
                server.seen.append(parameters)
                body = task_page(parameters).encode()
                self.send_response(200 if parts.path == "/task.html" else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        # The handshake happens in each connection's own thread: a connection the browser opens and leaves
        # idle (a preconnect) must not hold up the accepting thread.
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}/task.html"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> TaskServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._directory.cleanup()
