"""Event-driven plumbing: a weekly bucket calendar and a buffered random stream.

The model's time is discrete (one step = one week), so the calendar keeps one list of events
per week instead of a heap: scheduling and firing are O(1) per event and events in the same
week fire in the order they were scheduled, which keeps runs deterministic. Each weekly step
fires the week's bucket at a fixed point of the cycle (see ``ZorgnetwerkModel.step``), so the
phase order of the week is explicit. Work therefore grows with the number of events, not with
the population or the number of waiting jongeren.
"""

from __future__ import annotations

import gc
import math
import struct
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any

import numpy as np


class Calendar:
    """Events per week. An event is ``handler(subject, epoch)``; stale epochs are skipped by
    the handler, which is how a rescheduled or finished trajectory cancels its old events."""

    __slots__ = ("_buckets", "horizon", "_fired")

    def __init__(self, horizon: int) -> None:
        # One list per week of the run, indexed by week: scheduling is a list index and an
        # append (the hottest call of the model; a dict of buckets cost a lookup and a test).
        # An event is stored as three consecutive entries (handler, subject, epoch) rather than
        # a tuple: no object per event for the allocator and the garbage collector to track
        # (a national run has over a million events pending).
        self._buckets: list[list[Any]] = [[] for _ in range(horizon + 1)]
        self.horizon = horizon
        self._fired = -1  # the last week whose events have run


    def schedule(self, week: int, handler: Callable[[Any, int], None], subject: Any,
                 epoch: int = 0) -> tuple[int, int] | None:
        """Schedule ``handler(subject, epoch)`` for ``week``; returns a key for :meth:`cancel`
        (None when the week lies beyond the run: such an event never fires, so it is not stored)."""
        if week <= self._fired:
            # That week's events have already run (a zero delay scheduled after the calendar
            # fired): the event runs at the start of the next week instead of never.
            week = self._fired + 1
        if week > self.horizon:
            return None
        bucket = self._buckets[week]
        position = len(bucket)
        bucket += (handler, subject, epoch)  # one extend instead of three appends
        return week, position

    def cancel(self, key: tuple[int, int], subject: Any) -> None:
        """Cancel a pending event of ``subject``: it will not fire, and the calendar lets go of
        the subject now instead of when its week comes. An event that already fired (or a
        key that is not this subject's) is left alone."""
        week, position = key
        if week > self._fired:
            bucket = self._buckets[week]
            if position + 1 < len(bucket) and bucket[position + 1] is subject:
                bucket[position] = _cancelled
                bucket[position + 1] = None

    def fire(self, week: int) -> int:
        """Run all events of ``week``, including ones scheduled for this week while firing."""
        if week > self.horizon:
            return 0
        bucket = self._buckets[week]
        events = iter(bucket)  # a list iterator also visits events appended meanwhile
        for handler in events:
            handler(next(events), next(events))
        self._buckets[week] = []  # fired: drop the events (and the trajectories they hold)
        self._fired = week
        return len(bucket) // 3

    def pending(self) -> int:
        return sum(len(b) for b in self._buckets) // 3


def _cancelled(subject: Any, epoch: int) -> None:
    """What a cancelled event runs: nothing."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block (a week of the model).

    A week creates and frees many small objects (trajectories, calendar entries, queue
    entries). With the collector on, its generation-0 and -1 passes keep being triggered and
    the full passes traverse every live trajectory and pending event again: about a third of
    the CPU time of a national run. The model's objects are freed by reference counting (they
    form no garbage cycles), so the collector loses nothing by waiting until the block ends;
    it runs again, as configured, once the block is left.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class RandomStream:
    """Uniform and derived draws from the model's own numpy generator, drawn in blocks.

    Drawing scalars one at a time from numpy costs about a microsecond each; a block of
    pre-drawn floats costs a few nanoseconds per draw and consumes the generator in a fixed
    order, so results stay reproducible from the model seed alone.
    """

    __slots__ = ("_rng", "_block", "draws", "u")

    def __init__(self, rng: np.random.Generator, block: int = 1 << 15) -> None:
        self._rng = rng
        self._block = block
        #: The stream as an iterator of floats (``numbers_from`` takes a trajectory's own
        #: numbers from it). A new block is drawn only when the previous one is used up (the
        #: first on the first draw), so the generator is consumed exactly as by drawing one
        #: block at a time.
        self.draws: Iterator[float] = chain.from_iterable(iter(self._new_block, None))
        #: ``u()``: the next uniform draw in [0, 1). It is the model's most frequent call (about
        #: ten per trajectory), so it is the iterator's ``__next__``: a call into C without a
        #: Python frame.
        self.u: Callable[[], float] = self.draws.__next__

    def _new_block(self) -> memoryview:
        # Iterating a memoryview of the block makes each Python float when it is drawn. A
        # list (``tolist()``) would make all 32k floats at once, and by the time most of them
        # are used they have left the CPU cache: in a national run that costs more than the
        # draws themselves. The doubles, and so the draws, are the same.
        return memoryview(self._rng.random(self._block))

    def exp(self, mean: float) -> float:
        return exp_draw(self.u, mean)

    def gamma2(self, mean: float) -> float:
        return gamma2_draw(self.u, mean)

    def choice_index(self, cumulative: list[float]) -> int:
        return choice_draw(self.u, cumulative)


# Derived draws from any source of uniforms ``u`` (a stream's or a trajectory's own, ``Jongere.u``).
def exp_draw(u: Callable[[], float], mean: float) -> float:
    return -mean * math.log(1.0 - u())


def gamma2_draw(u: Callable[[], float], mean: float) -> float:
    """Gamma(shape 2) with the given mean (CV 0.71): a care duration that is rarely very short."""
    return -0.5 * mean * math.log((1.0 - u()) * (1.0 - u()))


def choice_draw(u: Callable[[], float], cumulative: list[float]) -> int:
    return choice_from(u(), cumulative)


def choice_from(x: float, cumulative: list[float]) -> int:
    """Index for the uniform ``x`` from a cumulative probability list ending in 1: the first
    ``i`` with ``x < cumulative[i]`` (a binary search in C), or the last index."""
    i = bisect_right(cumulative, x * cumulative[-1])
    return i if i < len(cumulative) else len(cumulative) - 1


def hazard_draw(u: Callable[[], float], base: float, growth: float, already: float = 0.0) -> float:
    """Time until an event whose hazard is ``base + growth * t`` (t counted from ``already``):
    the inverse of the cumulative hazard, so one draw replaces a weekly check."""
    e = -math.log(1.0 - u())
    a = base + growth * already
    if growth <= 0.0:
        return math.inf if a <= 0.0 else e / a
    return (-a + math.sqrt(a * a + 2.0 * growth * e)) / growth


#: Uniforms a trajectory draws for itself when it is created: enough for the great majority of
#: trajectories (assessment, two waits, two care episodes and their outcomes); the rare longer one
#: goes on from the ``trajectory`` stream (``Jongere.u``).
TRAJECTORY_DRAWS = 16
#: A trajectory keeps its numbers as the bytes of TRAJECTORY_DRAWS doubles: one small object of
#: its own, not tracked by the garbage collector, read with ``unpack_double(numbers, offset)``.
TRAJECTORY_BYTES = 8 * TRAJECTORY_DRAWS
unpack_double = struct.Struct("d").unpack_from
_pack_numbers = struct.Struct(f"{TRAJECTORY_DRAWS}d").pack


def numbers_from(source: RandomStream) -> bytes:
    """TRAJECTORY_DRAWS numbers taken from ``source`` at once, as a trajectory keeps them."""
    return _pack_numbers(*islice(source.draws, TRAJECTORY_DRAWS))


#: The kinds of decision that draw from a stream of their own (``Streams``). What happens to one
#: trajectory — its care type, complexity, waiting deadlines, care durations and outcomes —
#: draws from the trajectory's own numbers instead (``Jongere.u``, ``numbers_from``);
#: ``trajectory`` is their fallback and ``returns`` gives a returning jongere's new trajectory
#: its own numbers.
STREAM_KINDS = ("build", "warm_start", "assessment", "allocation", "expertteam", "procurement", "trajectory",
                "returns")


class Streams:
    """One random stream per kind of decision (common random numbers, Law & Kelton ch. 11).

    With a single stream every extra or missing draw in one part of the model (a policy that
    bounces fewer referrals, say) shifts every later draw of every other part, so two
    scenarios run with the same seed soon differ everywhere and their paired differences are
    noisy. With separate streams — one per kind of decision here, and numbers of its own for
    each trajectory — a policy that changes how referrals are allocated leaves the care
    durations, escalation times and outcomes of the same trajectories where they were.
    ``separate=False`` gives every kind the same stream (and trajectories no numbers of their
    own; kept so the gain can be measured, tests/test_streams.py).
    """

    __slots__ = STREAM_KINDS

    def __init__(self, seed: np.random.SeedSequence, separate: bool = True) -> None:
        if separate:
            for kind, child in zip(STREAM_KINDS, seed.spawn(len(STREAM_KINDS))):
                setattr(self, kind, RandomStream(np.random.default_rng(child)))
        else:
            shared = RandomStream(np.random.default_rng(seed))
            for kind in STREAM_KINDS:
                setattr(self, kind, shared)
