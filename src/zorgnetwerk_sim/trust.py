"""Pairwise trust between the organisations of an inkoopregio (docs/model.md §7.9): the state.

What makes it move — evidence from cases worked on together, forgetting, informal contacts —
is the mechanism ``mechanisms/trust_dynamics.py``; without it trust stays where it started.

Trust is a Beta reputation (Jøsang & Ismail 2002): E = (r + 1) / (r + s + 2) from positive (r)
and negative (s) evidence, with forgetting. It is asymmetric in the sense of Slovic (1993):
one failure adds more negative evidence than one success adds positive evidence, so trust is
destroyed faster than it is built. Long personal relations give incumbents a prehistory
([Verbeta 2024]); a new partner after procurement starts as a stranger at E = 0.5 ([OchtendMensen n.d.]).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def sum_left(values: Iterable[float]) -> float:
    """Plain left-to-right sum of floats. Python 3.12's ``sum()`` of floats is compensated
    (Neumaier) and may differ in the last bit; trust sums keep the arithmetic they always had."""
    total = 0.0
    for v in values:
        total += v
    return total


class TrustNetwork:
    """Evidence matrices for one region; organisations are addressed by their ``org_id``."""

    def __init__(self, org_ids: list[int], prior_r: float, prior_s: float, gain: float, loss: float,
                 forgetting_per_year: float) -> None:
        self.index: dict[int, int] = {}
        n = len(org_ids)
        self.r = np.full((n, n), prior_r, dtype=float)
        self.s = np.full((n, n), prior_s, dtype=float)
        self._views()
        for org in org_ids:
            self.index[org] = len(self.index)
        self.gain, self.loss = gain, loss
        self.keep_per_week = (1.0 - forgetting_per_year) ** (1.0 / 52.0)

    def _views(self) -> None:
        # Single entries are read and written through memoryviews of the matrices: a Python
        # float in and out, with the same doubles, at a third of the cost of numpy's scalar
        # indexing (every referral reads a row, every care episode adds evidence). The views
        # share the matrices' memory, so the weekly numpy operations on the whole matrices
        # (in place) are seen by them; a matrix that is replaced gets new views.
        self._r, self._s = memoryview(self.r), memoryview(self.s)

    def trust(self, a: int, b: int) -> float:
        index = self.index
        i, j = index[a], index[b]
        r = self._r[i, j]
        return (r + 1.0) / (r + self._s[i, j] + 2.0)

    def trust_in(self, a: int, others: list) -> list[float]:
        """``[trust(a, b.org_id) for b in others]`` in one call: a referral asks for all its
        providers (organisations with an ``org_id``)."""
        index = self.index
        i = index[a]
        r, s = self._r, self._s
        out = []
        for b in others:
            j = index[b.org_id]
            rij = r[i, j]
            out.append((rij + 1.0) / (rij + s[i, j] + 2.0))
        return out

    def success(self, a: int, b: int, weight: float = 1.0) -> None:
        self._add(self._r, a, b, self.gain * weight)

    def failure(self, a: int, b: int, weight: float = 1.0) -> None:
        self._add(self._s, a, b, self.loss * weight)

    def _add(self, view: memoryview, a: int, b: int, amount: float) -> None:
        index = self.index
        i, j = index[a], index[b]
        view[i, j] += amount
        view[j, i] += amount

    def weekly(self, informal_contacts_per_year: float) -> None:
        """Forgetting, and informal contact that adds a little positive evidence to every pair."""
        self.r *= self.keep_per_week
        self.s *= self.keep_per_week
        if informal_contacts_per_year > 0:
            self.r += self.gain * informal_contacts_per_year / 52.0

    def replace(self, old: int, new: int) -> None:
        """A partner leaves and a new one takes its place: its relations start from scratch."""
        i = self.index.pop(old)
        self.index[new] = i
        self.r[i, :] = self.r[:, i] = 0.0
        self.s[i, :] = self.s[:, i] = 0.0

    def add(self, org: int) -> None:
        """A new partner joins as a stranger."""
        n = len(self.index)
        self.index[org] = n
        self.r = np.pad(self.r, ((0, 1), (0, 1)))
        self.s = np.pad(self.s, ((0, 1), (0, 1)))
        self._views()

    def matrix(self) -> np.ndarray:
        return (self.r + 1.0) / (self.r + self.s + 2.0)

    def mean_of_relations(self, gemeenten: list[int], aanbieders: list[int]) -> float:
        """Mean trust over the pairs that work together: gemeente–aanbieder (both ways) and
        aanbieder–aanbieder. Gemeente–gemeente pairs are left out: no event of the model
        passes between two gemeenten, so their trust would only reflect the prior and the
        informal contacts (docs/model.md §7.9)."""
        m = self.matrix()
        gi = [self.index[o] for o in gemeenten if o in self.index]
        ai = [self.index[o] for o in aanbieders if o in self.index]
        total, n = 0.0, 0
        if gi and ai:
            total += float(m[np.ix_(gi, ai)].sum() + m[np.ix_(ai, gi)].sum())
            n += 2 * len(gi) * len(ai)
        if len(ai) > 1:
            sub = m[np.ix_(ai, ai)]
            total += float(sub.sum() - np.trace(sub))
            n += len(ai) * (len(ai) - 1)
        return total / n if n else 0.5

    def mean(self, among: list[int] | None = None) -> float:
        m = self.matrix()
        idx = list(self.index.values()) if among is None else [self.index[o] for o in among if o in self.index]
        if len(idx) < 2:
            return float(m[idx[0], idx[0]]) if idx else 0.5
        sub = m[np.ix_(idx, idx)]
        return float((sub.sum() - np.trace(sub)) / (len(idx) * (len(idx) - 1)))
