"""What every worker process of a pool does first (sweeps, the national run in parts)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


def init_worker(parent_pid: int) -> None:
    """Pool workers leave Ctrl-C to the parent, which stops them (no tracebacks from workers), and
    exit on their own when the parent is gone (``kill -9`` of the parent leaves no orphans)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="zorgsim-parent-watch", daemon=True).start()


@contextmanager
def spawning() -> Iterator[None]:
    """Around the submits that spawn a pool's workers: spawned children inherit an ignored SIGINT
    from birth, so a Ctrl-C that arrives while a worker is still starting up cannot print a
    traceback from it; the parent's own handling is restored at once (main thread only)."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
