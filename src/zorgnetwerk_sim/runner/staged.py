"""Report folders written as a whole: staged under a hidden name, then renamed into place.

The analysis commands (``zorgsim sensitivity``, ``discover``, ``robust``) write a set of files
(report, tables, charts). :func:`staged_report` writes them into a hidden temporary folder next
to the target and swaps it in only when every file is written, so a report is never half
written: an interrupted or failed command leaves the previous report (or nothing). A report
folder carries a small marker, ``report.json``; an existing folder without one is refused
rather than replaced, so ``--out`` can never wipe a folder that is not a report.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
    """Yield a hidden folder to write into; on success it replaces ``target`` (with ``report.json``)."""
    target = Path(target)
    check_report_folder(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    for leftover in (stage, old):
        shutil.rmtree(leftover, ignore_errors=True)
    stage.mkdir()
    try:
        yield stage
        (stage / MARKER).write_text(json.dumps({"kind": kind, **meta}, indent=1, ensure_ascii=False, default=str),
                                    encoding="utf-8")
        if target.exists():
            os.replace(target, old)
        try:
            os.replace(stage, target)
        except OSError:
            if old.exists():
                os.replace(old, target)  # put the previous report back
            raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
