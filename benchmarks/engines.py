"""Another commit's engine beside this one: a checkout of that commit with its own environment.

Used by ``compare_engines.py`` (speed, side by side) and ``equivalence.py`` (the same model?).
The checkout is made with ``git archive`` into ``<tmp>/zorgsim-engine-<commit>/`` (no worktree
is registered) and gets its own environment with ``uv sync --frozen`` (its own ``uv.lock``; uv
takes the packages from its cache when it has them). Both are reused on the next call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def resolve(commit: str) -> str:
    """The full hash of ``commit`` (a short hash, a tag or a branch)."""
    return subprocess.run(["git", "rev-parse", "--verify", f"{commit}^{{commit}}"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip()


def checkout(commit: str) -> Path:
    """A ready checkout of ``commit`` with its environment; returns its folder."""
    full = resolve(commit)
    folder = Path(tempfile.gettempdir()) / f"zorgsim-engine-{full[:12]}"
    ready = folder / ".zorgsim-engine-ready"  # written last: a half-made checkout is made again
    if not ready.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", full], cwd=REPO, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
        # (in place: the environment's scripts name the folder they were installed in)
        subprocess.run(["uv", "sync", "--frozen", "--quiet"], cwd=folder, check=True, env=env)
        ready.write_text(full + "\n")
    return folder


def zorgsim_of(commit: str | None) -> list[str]:
    """The ``zorgsim`` command of ``commit`` (None: this checkout's)."""
    if commit is None:
        script = Path(sys.executable).parent / "zorgsim"
        return [str(script)] if script.exists() else [sys.executable, "-m", "zorgnetwerk_sim.cli"]
    return [str(checkout(commit) / ".venv" / "bin" / "zorgsim")]


def label(commit: str | None) -> str:
    if commit is None:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        return f"this checkout ({head}{', with changes' if dirty else ''})"
    return f"commit {resolve(commit)[:7]}"
