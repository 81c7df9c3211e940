"""Event-driven plumbing: a weekly bucket calendar and a buffered random stream.

The model's time is discrete (one step = one week), so the calendar keeps one list of events
per week instead of a heap: scheduling and firing are O(1) per event and events in the same
week fire in the order they were scheduled, which keeps runs deterministic. Each weekly step
fires the week's bucket at a fixed point of the cycle (see ``ZorgnetwerkModel.step``), so the
phase order of the week is explicit. Work therefore grows with the number of events, not with
the population or the number of waiting jongeren.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np


class Calendar:
    """Events per week. An event is ``(handler, subject, epoch)``; stale epochs are skipped by
    the handler, which is how a rescheduled or finished trajectory cancels its old events."""

    __slots__ = ("_buckets", "horizon")

    def __init__(self, horizon: int) -> None:
        self._buckets: dict[int, list[tuple[Callable[[Any, int], None], Any, int]]] = {}
        self.horizon = horizon

    def schedule(self, week: int, handler: Callable[[Any, int], None], subject: Any, epoch: int = 0) -> None:
        if week > self.horizon:  # beyond the run: never fires, so never stored
            return
        bucket = self._buckets.get(week)
        if bucket is None:
            self._buckets[week] = [(handler, subject, epoch)]
        else:
            bucket.append((handler, subject, epoch))

    def fire(self, week: int) -> int:
        """Run all events of ``week``, including ones scheduled for this week while firing."""
        bucket = self._buckets.get(week)
        n = 0
        while bucket is not None and n < len(bucket):
            handler, subject, epoch = bucket[n]
            handler(subject, epoch)
            n += 1
        self._buckets.pop(week, None)
        return n

    def pending(self) -> int:
        return sum(len(b) for b in self._buckets.values())


class RandomStream:
    """Uniform and derived draws from the model's own numpy generator, drawn in blocks.

    Drawing scalars one at a time from numpy costs about a microsecond each; a block of
    pre-drawn floats costs a few nanoseconds per draw and consumes the generator in a fixed
    order, so results stay reproducible from the model seed alone.
    """

    __slots__ = ("_rng", "_buf", "_i", "_block")

    def __init__(self, rng: np.random.Generator, block: int = 1 << 15) -> None:
        self._rng = rng
        self._block = block
        self._buf: list[float] = []
        self._i = 0

    def u(self) -> float:
        i = self._i
        if i >= len(self._buf):
            self._buf = self._rng.random(self._block).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]

    def exp(self, mean: float) -> float:
        return -mean * math.log(1.0 - self.u())

    def gamma2(self, mean: float) -> float:
        """Gamma(shape 2) with the given mean (CV 0.71): a care duration that is rarely very short."""
        return -0.5 * mean * math.log((1.0 - self.u()) * (1.0 - self.u()))

    def choice_index(self, cumulative: list[float]) -> int:
        """Index drawn from a cumulative probability list ending in 1."""
        x = self.u() * cumulative[-1]
        for i, c in enumerate(cumulative):
            if x < c:
                return i
        return len(cumulative) - 1

    def first_hazard_time(self, base: float, growth: float, already: float = 0.0) -> float:
        """Time until an event whose hazard is ``base + growth * t`` (t counted from ``already``):
        the inverse of the cumulative hazard, so one draw replaces a weekly check."""
        e = -math.log(1.0 - self.u())
        a = base + growth * already
        if growth <= 0.0:
            return math.inf if a <= 0.0 else e / a
        return (-a + math.sqrt(a * a + 2.0 * growth * e)) / growth
