"""The ``zorgsim`` entry point: light, so that Ctrl-C while the libraries load is one line, not a traceback."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("aborted\n")
        sys.exit(130)
    cli_main()
