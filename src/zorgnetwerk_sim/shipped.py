"""Shipped TOML files (scenarios/, experiments/): where they live and how a name resolves."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class ShippedFolder:
    """A folder of shipped ``*.toml`` files: ``$<env_var>``, the repository's ``<name>/``, or
    ``./<name>``. ``error`` is the exception type for a name or file that cannot be found."""

    def __init__(self, name: str, env_var: str, kind: str, error: type[Exception]) -> None:
        self.name, self.env_var, self.kind, self.error = name, env_var, kind, error

    def folder(self) -> Path:
        env = os.environ.get(self.env_var)
        if env:
            return Path(env)
        repo = REPO / self.name
        return repo if repo.is_dir() else Path.cwd() / self.name

    def available(self) -> dict[str, Path]:
        folder = self.folder()
        return {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}

    def resolve(self, name_or_path: str | Path) -> Path:
        """A shipped name or a path to a TOML file; one-line ``error`` otherwise."""
        if not str(name_or_path).strip():
            raise self.error(f"the {self.kind} name is empty; give a shipped {self.kind} "
                             f"({', '.join(self.available()) or 'none found'}) or a path to a .toml file")
        candidate = Path(name_or_path)
        # (a folder of the same name, e.g. an earlier --out, does not hide a shipped name)
        if candidate.suffix == ".toml" or candidate.is_file() or os.sep in str(name_or_path):
            if not candidate.is_file():
                raise self.error(f"{candidate}: file not found")
            return candidate
        known = self.available()
        if str(name_or_path) not in known:
            raise self.error(f"{name_or_path}: unknown {self.kind}; allowed: {', '.join(known) or '(none found)'} "
                             "or a path to a .toml file")
        return known[str(name_or_path)]
