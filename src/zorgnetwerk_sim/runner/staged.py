"""Report folders written as a whole: staged under a hidden name, then renamed into place.

The analysis commands (``zorgsim sensitivity``, ``discover``, ``robust``) write a set of files
(report, tables, charts). :func:`staged_report` stages them inside the target folder and swaps
them in only when every file is written (the project's ``safeio.staged_outputs``), so a report
is never half written: an interrupted or failed command leaves the previous report (or nothing). A report
folder carries a small marker, ``report.json``; an existing folder without one is refused
rather than replaced, so ``--out`` can never wipe a folder that is not a report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..safeio import staged_outputs
from .experiment import ExperimentError

MARKER = "report.json"


def check_report_folder(target: Path) -> None:
    """Refuse a target that is a file, or a non-empty folder that is not a zorgsim report."""
    if target.exists() and not target.is_dir():
        raise ExperimentError(f"--out {target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise ExperimentError(f"--out {target}: folder is not empty and is not a zorgsim report (no {MARKER}); "
                              "choose another --out")


@contextmanager
def staged_report(target: str | Path, kind: str, meta: dict[str, Any]) -> Iterator[Path]:
    """Yield a hidden folder to write into; on success its files replace the report in ``target``
    as a whole (with ``report.json``), through :func:`zorgnetwerk_sim.safeio.staged_outputs`:
    staged inside the folder, flushed, swapped in, the previous report put back on failure."""
    target = Path(target)
    check_report_folder(target)
    previous = [p.name for p in target.iterdir() if p.is_file()] if target.is_dir() else []
    with staged_outputs(target, previous) as stage:
        yield stage
        (stage / MARKER).write_text(json.dumps({"kind": kind, **meta}, indent=1, ensure_ascii=False, default=str),
                                    encoding="utf-8")
