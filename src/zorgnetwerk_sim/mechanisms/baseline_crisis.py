"""Baseline crises (switch ``baseline_crisis``; docs/model.md §7.15; [Q-Consult n.d.]).

Part of the new severe needs (``assumptions.crisis_share_of_new_ernstig``) start as a crisis,
however long anyone waited: straight to crisis care, without the toegang. Drawn with the need
itself, so every policy faces the same crises.

Off: every need starts at the toegang (crises come only from waiting).
"""

from __future__ import annotations

from .base import Mechanism


class BaselineCrisis(Mechanism):
    switch = "baseline_crisis"

    def new_crisis_share(self) -> float:
        return self.model.spec.assumptions.crisis_share_of_new_ernstig
