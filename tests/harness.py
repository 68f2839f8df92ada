"""Real `hrba` processes on loopback, and a curator who works through the real forms.

Shared by the served tests (`tests/conftest.py::served`), the hardening tests and the
benchmarks under `benchmarks/` (load, crashes, hostile queries). Nothing here is a stub:
servers are `hrba serve` subprocesses, and edits go through the sign-in and edit forms
with their CSRF tokens and the `seen_revision` the form was opened at.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
# A server is ready when /readyz says so: database reachable, index open, every published
# product in the index and the outbox drained (webapp/health.py).
READY_PATH = "/readyz"
PASSWORD = "a long enough passphrase"


class ServerError(RuntimeError):
    """A server did not start, or stopped answering."""


def hrba_command() -> str:
    """Return the `hrba` console script of the Python running the tests."""
    return shutil.which("hrba", path=str(Path(sys.executable).parent)) or "hrba"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hrba_env(data_dir: Path, settings: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment of an `hrba` process over `data_dir` that runs this checkout's
    code, even when the package is installed (editable) from another tree."""
    python_path = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    return {**os.environ, **(settings or {}), "HRBA_DATA_DIR": str(data_dir), "PYTHONPATH": python_path}


def run_hrba(args: list[str], data_dir: Path, settings: dict[str, str] | None = None,
             check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run one `hrba` command to its end and return what it printed."""
    return subprocess.run([hrba_command(), *args], env=hrba_env(data_dir, settings), text=True,
                          capture_output=True, check=check, **kwargs)


def start_hrba(args: list[str], data_dir: Path, settings: dict[str, str] | None = None) -> subprocess.Popen:
    """Start one `hrba` command in the background; `output(process)` reads what it printed.

    The output goes to a temporary file, never a pipe: a long run (waitress warns on stderr
    whenever its queue is deep) would fill a pipe nobody reads and block the process.
    """
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    process = subprocess.Popen([hrba_command(), *args], env=hrba_env(data_dir, settings),
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log = log
    return process


def output(process: subprocess.Popen) -> str:
    """Return what a process started by `start_hrba` has printed so far."""
    process.log.flush()
    process.log.seek(0)
    return process.log.read()


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Ask `process` to stop (SIGTERM); kill it if it does not within `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def crash(process: subprocess.Popen) -> None:
    """`kill -9` the process: no handler, no clean-up, no flush."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()


class Server:
    """`hrba serve` over one data directory, on a free loopback port."""

    def __init__(self, data_dir: Path, settings: dict[str, str] | None = None):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.settings = {**(settings or {}), "HRBA_PORT": str(self.port), "HRBA_HOST": "127.0.0.1"}
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> "Server":
        """Start the server and wait until /readyz answers 200."""
        self.process = start_hrba(["serve"], self.data_dir, self.settings)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise ServerError("hrba serve exited:\n" + output(self.process))
            try:
                urllib.request.urlopen(self.base + READY_PATH, timeout=2)
                return self
            except OSError:
                if time.monotonic() > deadline:
                    crash(self.process)
                    raise ServerError(f"hrba serve did not answer within {timeout:.0f} s") from None
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server as an operator would (SIGTERM)."""
        if self.process is not None:
            stop(self.process)

    def crash(self) -> None:
        """`kill -9` the server."""
        if self.process is not None:
            crash(self.process)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def create_account(data_dir: Path, email: str, role: str = "curator") -> None:
    """Make an account with `hrba users create`, as an admin would."""
    args = ["users", "create", "--password-stdin", "--role", role, email]
    subprocess.run([hrba_command(), *args], input=PASSWORD + "\n", text=True, check=True,
                   capture_output=True, env=hrba_env(data_dir))


def form_fields(html: str | bytes, form_selector: str = "form.product-form") -> list[tuple[str, str]]:
    """Return what a browser would submit from the form as shown (filled values, ticked boxes)."""
    from bs4 import BeautifulSoup  # noqa: PLC0415 (a test dependency)

    form = BeautifulSoup(html, "html.parser").select_one(form_selector)
    pairs = []
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or name == "csrf_token" or field.get("type") == "submit":
            continue
        if field.name == "select":
            pairs += [(name, o["value"]) for o in field.find_all("option") if o.has_attr("selected")]
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                pairs.append((name, field.get("value", "on")))
        elif field.name == "textarea":
            pairs.append((name, field.get_text()))
        else:
            pairs.append((name, field.get("value", "")))
    return pairs


def csrf_token(html: str | bytes) -> str:
    """Return the CSRF token a page's forms carry."""
    from bs4 import BeautifulSoup  # noqa: PLC0415

    return BeautifulSoup(html, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]


class Curator:
    """A curator on a live server: signs in, opens edit forms and saves them (keep-alive)."""

    def __init__(self, base: str, email: str, timeout: float = 30.0):
        import requests  # noqa: PLC0415 (a test dependency)
        from requests.adapters import HTTPAdapter  # noqa: PLC0415
        from urllib3.util.retry import Retry  # noqa: PLC0415

        self.base = base
        self.email = email
        self.timeout = timeout
        self.session = requests.Session()
        # As a browser does: a GET sent on a kept-alive connection the server closed at
        # that moment (idle as long as its keep-alive timeout) is sent again once on a new
        # connection. A form's POST is never sent twice.
        retry = Retry(total=1, connect=1, read=1, status=0, other=0, allowed_methods={"GET", "HEAD"},
                      raise_on_status=False)
        self.session.mount("http://", HTTPAdapter(max_retries=retry))

    def sign_in(self) -> "Curator":
        page = self.session.get(self.base + "/curate/login", timeout=self.timeout)
        response = self.session.post(self.base + "/curate/login", allow_redirects=False, timeout=self.timeout,
                                     data={"email": self.email, "password": PASSWORD,
                                           "csrf_token": csrf_token(page.text)})
        if response.status_code != 302:
            raise ServerError(f"sign-in failed with {response.status_code}")
        return self

    def submit(self, page_path: str, action: str, pairs: list[tuple[str, str]]):
        """Post `pairs` to `action` with the CSRF token of `page_path`, as the browser would."""
        page = self.session.get(self.base + page_path, timeout=self.timeout)
        return self.session.post(self.base + action, data=pairs + [("csrf_token", csrf_token(page.text))],
                                 allow_redirects=False, timeout=self.timeout)

    def edit(self, product_id: str, change) -> int:
        """Open the product's edit form, let `change(fields)` alter the fields, save; return
        the status of the save (302: saved and acknowledged; 409: someone saved first)."""
        path = f"{self.base}/curate/products/{product_id}/edit"
        page = self.session.get(path, timeout=self.timeout)
        if page.status_code != 200:
            return page.status_code
        fields = change(form_fields(page.text))
        fields += [("action", "save"), ("csrf_token", csrf_token(page.text))]
        response = self.session.post(path, data=fields, allow_redirects=False, timeout=self.timeout)
        if response.status_code == 302 and not response.headers.get("Location", "").endswith("/edit"):
            return 500  # a save redirects back to the form; anything else is wrong
        return response.status_code


def set_field(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    """Return `fields` with `name` set to `value` (added when the form had no such field)."""
    if any(n == name for n, _ in fields):
        return [(n, value if n == name else v) for n, v in fields]
    return fields + [(name, value)]
