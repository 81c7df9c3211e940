"""Start the real app (``zorgsim ui``) on a free local port, for the browser tests and the timing script."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

START_TIMEOUT_S = 120  # starts in ~10 s on an idle machine; the shared 2-core machine can be much slower


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(folder: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``zorgsim ui`` on 127.0.0.1 in its own process group; yields the URL; log in ``folder/app.log``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = folder / "app.log"
    child_env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
                 "ZORGSIM_UI_WORK": str(folder / "work"), **(env or {})}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "zorgnetwerk_sim.cli", "ui", "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=child_env,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"zorgsim ui exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"zorgsim ui did not answer within {START_TIMEOUT_S} s:\n"
                                   f"{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


#: Where the test server answers; a browser request anywhere else leaves the machine.
LOCAL = "http://127.0.0.1:"


def block_outside(target) -> list[str]:  # noqa: ANN001 - a Playwright Page or BrowserContext
    """Abort every request of ``target`` that does not go to the local server; returns the list
    the aborted URLs are written into (the app promises to fetch nothing from outside)."""
    outside: list[str] = []

    def guard(route) -> None:  # noqa: ANN001
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    target.route("**/*", guard)
    return outside
