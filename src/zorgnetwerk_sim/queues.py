"""Wachtlijsten: queues in order of referral, with urgency and fit, and lazy removal."""

from __future__ import annotations

from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .agents.jongere import Jongere
    from .engine import RandomStream


#: Lane groups served in turn: urgent lanes first, or all four together.
_URGENT_FIRST = ((2, 3), (0, 1))
_ALL_LANES = ((0, 1, 2, 3),)


class WaitList:
    """One wachtlijst for one care type (at one aanbieder, or central for a region).

    Entries sit in four lanes by (urgent, maatwerk); each lane is a heap ordered by the
    jongere's place in line (its referral order), so a case that is moved — re-queued after an
    escalation, or handed to another list — keeps its place instead of joining the back. A
    jongere that leaves the list early (escalation, withdrawal, crisis, ageing out) is not
    searched for: its ``queue_token`` changes and the stale entry is dropped when it surfaces.
    """

    __slots__ = ("_lanes", "n", "care", "owner", "_tiebreak")

    def __init__(self, care: int, owner: object) -> None:
        # lanes: 0 normal/standard, 1 normal/maatwerk, 2 urgent/standard, 3 urgent/maatwerk
        self._lanes: tuple[list, list, list, list] = ([], [], [], [])
        self.n = 0
        self.care = care
        self.owner = owner
        self._tiebreak = 0

    def __len__(self) -> int:
        return self.n

    def push(self, j: "Jongere", place: int) -> None:
        """Put ``j`` on the list at ``place`` in line (smaller = served earlier)."""
        j.queue_token += 1
        j.waitlist = self
        self._tiebreak += 1
        heappush(self._lanes[(2 if j.urgent else 0) + (1 if j.maatwerk else 0)],
                 (place, self._tiebreak, j, j.queue_token))
        self.n += 1

    def discard(self, j: "Jongere") -> None:
        """Take ``j`` off the list (its entry becomes stale)."""
        if j.waitlist is self:
            j.queue_token += 1
            j.waitlist = None
            self.n -= 1
            lanes = self._lanes
            if len(lanes[0]) + len(lanes[1]) + len(lanes[2]) + len(lanes[3]) > 2 * self.n + 32:
                self._compact()

    def _compact(self) -> None:
        """Drop stale entries once they outnumber the live ones.

        A list that is rarely served (no free places for its care type) would otherwise keep
        every stale entry, and the finished trajectory it points to, for the rest of the run.
        Entries are unique (place, tiebreak) keys, so the rebuilt heaps serve the live cases in
        exactly the same order; each entry is dropped at most once (amortised O(1)).
        """
        for lane in self._lanes:
            lane[:] = [e for e in lane if e[2].queue_token == e[3] and e[2].waitlist is self]
            heapify(lane)

    def _head(self, lane: list):
        while lane:
            entry = lane[0]
            if entry[2].queue_token == entry[3] and entry[2].waitlist is self:
                return entry
            heappop(lane)
        return None

    def _take(self, lane_index: int) -> "Jongere":
        j = heappop(self._lanes[lane_index])[2]
        j.queue_token += 1
        j.waitlist = None
        self.n -= 1
        return j

    def pop(self, urgency: bool, cherry_pick: bool, maatwerk_acceptance: float,
            stream: "RandomStream") -> "Jongere | None":
        """Next jongere for a free place, or None.

        ``urgency`` serves urgent lanes first (Giesen et al.). ``cherry_pick`` is pull-style
        selection: the aanbieder takes the oldest standard case and a maatwerk case only with
        probability ``maatwerk_acceptance``; otherwise the oldest case is served (push).
        """
        if self.n == 0:
            return None
        groups = _URGENT_FIRST if urgency else _ALL_LANES
        if not cherry_pick:
            # Push, the common case (once per care start): the oldest head in the first group
            # of lanes that has one. Entries are unique in (place in line, arrival), so comparing
            # whole entries compares exactly those two; empty lanes are skipped without a call.
            lanes = self._lanes
            for group in groups:
                best = None
                best_i = -1
                for i in group:
                    if lanes[i]:
                        h = self._head(lanes[i])
                        if h is not None and (best is None or h < best):
                            best, best_i = h, i
                if best is not None:
                    return self._take(best_i)
            return None
        for group in groups:
            heads = [(self._head(self._lanes[i]), i) for i in group]
            heads = [(h, i) for h, i in heads if h is not None]
            if not heads:
                continue
            standard = [(h, i) for h, i in heads if i % 2 == 0]
            maatwerk = [(h, i) for h, i in heads if i % 2 == 1]
            if maatwerk:
                oldest_mw = min(maatwerk, key=lambda hi: hi[0][:2])
                if (not standard or oldest_mw[0][:2] < min(h[:2] for h, _ in standard)) and \
                        stream.u() < maatwerk_acceptance:
                    return self._take(oldest_mw[1])
            if standard:
                return self._take(min(standard, key=lambda hi: hi[0][:2])[1])
            # only maatwerk cases here, and the aanbieder does not pick one: try the next group
        return None
