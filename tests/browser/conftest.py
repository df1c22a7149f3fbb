"""Browser test fixtures: a real uvicorn server and Debian's Chromium driven by Playwright.

The browser tests run in ``make test`` (which installs Chromium and axe-core).
They are skipped only when ``MYOTRIAGE_SKIP_BROWSER=1`` is set; anything else
missing is a failure that says how to fix it, never a silent skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser.support import ARTIFACTS, AXE, CHROMIUM, ROOT, SKIP_VARIABLE

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

LAUNCH_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"]
STARTUP_SECONDS = 60


def _skip_if_asked() -> None:
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"browser tests skipped: {SKIP_VARIABLE}=1 is set")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """The app served by a real uvicorn process on a free loopback port."""
    _skip_if_asked()
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = ARTIFACTS.parent / "server.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "myotriage.api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"the server did not start (see {log_path}):\n"
                        + log_path.read_text(encoding="utf-8")[-3000:]
                    )
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    _skip_if_asked()
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium); "
            f"or set {SKIP_VARIABLE}=1 to skip the browser tests"
        )
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (as `make test` does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A fresh phone-sized page with JavaScript on."""
    context = browser.new_context(
        base_url=server_url, viewport={"width": 360, "height": 800}, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(browser: Browser, server_url: str) -> Iterator[Page]:
    """A fresh phone-sized page with JavaScript off: plain forms and redirects only."""
    context = browser.new_context(
        base_url=server_url,
        viewport={"width": 360, "height": 800},
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
