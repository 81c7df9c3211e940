"""Wachtlijsten: FIFO queues with urgency and fit, lazy removal, O(1) per operation."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .agents.jongere import Jongere
    from .engine import RandomStream


class WaitList:
    """One wachtlijst for one care type (at one aanbieder, or central for a region).

    Entries sit in four deques by (urgent, maatwerk). A jongere that leaves the list early
    (escalation, withdrawal, crisis, ageing out) is not searched for: its ``queue_token``
    changes, and the stale entry is dropped when it reaches the head.
    """

    __slots__ = ("_lanes", "n", "care", "owner")

    def __init__(self, care: int, owner: object) -> None:
        # lanes: 0 normal/standard, 1 normal/maatwerk, 2 urgent/standard, 3 urgent/maatwerk
        self._lanes: tuple[deque, deque, deque, deque] = (deque(), deque(), deque(), deque())
        self.n = 0
        self.care = care
        self.owner = owner

    def __len__(self) -> int:
        return self.n

    def push(self, j: "Jongere", seq: int, front: bool = False) -> None:
        j.queue_token += 1
        j.waitlist = self
        lane = self._lanes[(2 if j.urgent else 0) + (1 if j.maatwerk else 0)]
        if front:
            # A negative sequence number keeps a priority entry ahead of every other entry
            # when lane heads are compared (older = smaller).
            lane.appendleft((-seq, j, j.queue_token))
        else:
            lane.append((seq, j, j.queue_token))
        self.n += 1

    def discard(self, j: "Jongere") -> None:
        """Take ``j`` off the list (its entry becomes stale)."""
        if j.waitlist is self:
            j.queue_token += 1
            j.waitlist = None
            self.n -= 1

    def _head(self, lane: deque):
        while lane:
            entry = lane[0]
            if entry[1].queue_token == entry[2] and entry[1].waitlist is self:
                return entry
            lane.popleft()
        return None

    def _take(self, lane_index: int) -> "Jongere":
        _, j, _ = self._lanes[lane_index].popleft()
        j.queue_token += 1
        j.waitlist = None
        self.n -= 1
        return j

    def peek_oldest(self) -> "Jongere | None":
        best = None
        for lane in self._lanes:
            h = self._head(lane)
            if h is not None and (best is None or h[0] < best[0]):
                best = h
        return None if best is None else best[1]

    def pop(self, urgency: bool, cherry_pick: bool, maatwerk_acceptance: float,
            stream: "RandomStream") -> "Jongere | None":
        """Next jongere for a free place, or None.

        ``urgency`` serves urgent lanes first (Giesen et al.). ``cherry_pick`` is pull-style
        selection: the aanbieder takes the oldest standard case and a maatwerk case only with
        probability ``maatwerk_acceptance``; otherwise the oldest case is served (push).
        """
        if self.n == 0:
            return None
        groups = ((2, 3), (0, 1)) if urgency else ((0, 1, 2, 3),)
        for group in groups:
            heads = [(self._head(self._lanes[i]), i) for i in group]
            heads = [(h, i) for h, i in heads if h is not None]
            if not heads:
                continue
            if not cherry_pick:
                _, i = min(heads, key=lambda hi: hi[0][0])
                return self._take(i)
            standard = [(h, i) for h, i in heads if i % 2 == 0]
            maatwerk = [(h, i) for h, i in heads if i % 2 == 1]
            if maatwerk:
                oldest_mw = min(maatwerk, key=lambda hi: hi[0][0])
                if (not standard or oldest_mw[0][0] < min(h[0] for h, _ in standard)) and \
                        stream.u() < maatwerk_acceptance:
                    return self._take(oldest_mw[1])
            if standard:
                return self._take(min(standard, key=lambda hi: hi[0][0])[1])
            # only maatwerk cases here, and the aanbieder does not pick one: try the next group
        return None
