"""Helpers shared by the command-line tests: run ``zorgsim`` in-process and check the one-line contract."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zorgnetwerk_sim import safeio
from zorgnetwerk_sim.cli import main


@pytest.fixture
def cli(capsys):
    """Run ``zorgsim ARGS`` in-process (through the real top-level handler); returns (exit status, stdout, stderr)."""

    def call(*args: str | Path) -> tuple[int | None, str, str]:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code: int | None = None  # main() must always end in sys.exit
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return call


def assert_one_error_line(code: int | None, out: str, err: str) -> str:
    """Exit status 2, no traceback, exactly one line on stderr starting with 'error:'; returns that line."""
    assert code == 2, f"exit status {code}; stderr: {err!r}"
    assert "Traceback" not in err and "Traceback" not in out, err
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {err!r}"
    assert lines[0].startswith("error:"), lines[0]
    assert len(lines[0]) > len("error: ") + 5
    return lines[0]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below ``folder`` with its bytes and modification time."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tree(folder: Path) -> set[str]:
    """Every path (files and folders) below ``folder``."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def fail_nth_rename(monkeypatch, n: int, errno: int = 5, reason: str = "Input/output error") -> None:
    """Make the ``n``-th rename by which safeio puts written files in place fail with an OSError."""
    calls = {"n": 0}
    real = os.replace

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == n:
            raise OSError(errno, reason, str(dst))
        return real(src, dst)

    monkeypatch.setattr(safeio, "_replace", flaky)
