"""Jongere: one young person with an active care trajectory (docs/model.md §2.4).

Only youth with an active need exist as agents; the population is held as cohorts on the
Gemeente. A Jongere is created when a need is signalled and removed when the trajectory ends
(afgerond, withdrawn, lost from view or aged out), so the number of agents follows the
caseload. Behaviour over time is a handful of scheduled events (see ``pathway.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from ..engine import TRAJECTORY_BYTES, unpack_double
from ..mesa_adapter import AGENT_SLOTS, deregister, register_directly

if TYPE_CHECKING:
    from ..model import ZorgnetwerkModel
    from ..queues import WaitList
    from .aanbieder import Aanbieder
    from .gemeente import Gemeente

# Trajectory states
SIGNALLED = 0      # waiting for the toegang's assessment
AT_EXPERTTEAM = 1  # complex case waiting for / at the expertteam
WAITING = 2        # on a wachtlijst for a care type
IN_CARE = 3        # receiving care (wijkteam support, aanbieder care or crisis)
PAUSED = 4         # between steps: bounced back, to be re-assessed
DONE = 5           # trajectory ended; the agent has been removed
BETWEEN = 6        # a care episode just ended and the next step is being decided
STATE_IDS = (SIGNALLED, AT_EXPERTTEAM, WAITING, IN_CARE, PAUSED, DONE, BETWEEN)
#: States in which a trajectory waits (its wait's deadlines apply).
WAITING_STATES = (SIGNALLED, AT_EXPERTTEAM, WAITING, PAUSED)
#: A wait deadline that does not apply.
NEVER = 1 << 62
STATE_STOCK = {SIGNALLED: "waiting_toegang", AT_EXPERTTEAM: "waiting_expertteam", WAITING: "waiting_list",
               IN_CARE: "in_care", PAUSED: "waiting_toegang"}


class Jongere(mesa.Agent):
    """A care trajectory. Attributes are plain values so events stay cheap."""

    # Slots instead of a per-instance dict. A trajectory has more attributes than CPython 3.12
    # keeps inline (30, with Mesa's own), so each instance would otherwise get a full dict of
    # ~1.6 KB; with slots it is ~0.33 KB, one allocation, and attribute access is a fixed
    # offset. Live trajectories are most of the memory of a national run. Mesa's own attributes
    # (model, unique_id, pos) are slots too, so no instance dict is created at all. New
    # attributes belong here too: otherwise they still work, through an instance dict, but cost
    # a dict per trajectory (tests/test_mesa_integration.py checks that none is created).
    __slots__ = (*AGENT_SLOTS,  # set by mesa.Agent.__init__: slots here, so no instance dict
                 "gemeente", "birth_week", "entry_week", "severity", "care", "complex", "maatwerk", "urgent",
                 "returned", "state", "epoch", "wait_epoch", "wait_since", "referred_week", "team_since",
                 "waitlist", "queue_token", "queue_place", "aanbieder", "tariff", "pooled", "care_start",
                 "care_end", "cost", "in_verblijf", "counted_year", "counted_specialist_year", "bounces",
                 "escalation_week", "withdrawal_week", "age_out_week", "wait_event", "person_id", "list_since",
                 "list_care", "team_event", "numbers", "ri")

    def __init__(self, model: "ZorgnetwerkModel", gemeente: "Gemeente", birth_week: int, severity: int,
                 week: int, returned: bool = False, person_id: int = -1, numbers: bytes | None = None) -> None:
        # Registration with Mesa, directly into its registries when nobody would see the
        # signal (mesa_adapter.py: registration is a hot path, millions of times in a national run).
        if not register_directly(self, model):
            super().__init__(model)
        #: The trajectory's own random numbers (``u``); without them (``run.random_streams =
        #: "single"``) every draw comes from the shared stream.
        self.numbers = numbers if numbers is not None else b""
        self.ri = 0 if numbers is not None else TRAJECTORY_BYTES  # byte offset of the next number
        # The same young person keeps one id across returns and relapses (a new trajectory is a
        # new agent): distinct jongeren per year and case ids of the event log use it.
        if person_id < 0:
            person_id = model.n_persons
            model.n_persons += 1
        self.person_id = person_id
        self.gemeente = gemeente
        self.birth_week = birth_week
        self.entry_week = week
        self.severity = severity        # 0 licht, 1 matig, 2 ernstig
        self.care = -1                   # CareType value once assessed
        self.complex = False             # needs the expertteam (hoogspecialistisch)
        self.maatwerk = False            # no existing offer fits ([RUG 2021])
        self.urgent = severity >= 2
        self.returned = returned
        self.state = -1
        self.epoch = 0                   # bumps whenever scheduled events must be invalidated
        self.wait_epoch = 0              # bumps when a wait episode ends
        self.wait_since = -1             # week the current wait began (for the escalation hazard)
        self.escalation_week = -1        # deadlines of the current wait (pathway.begin_wait)
        self.withdrawal_week = -1
        self.age_out_week = -1
        self.wait_event: "tuple[int, int] | None" = None  # the wait's pending calendar event
        self.referred_week = -1          # week of entry on a wachtlijst (for wait statistics)
        self.team_since = -1
        self.waitlist: "WaitList | None" = None
        self.queue_token = 0
        self.queue_place: int | None = None  # place in line on the wachtlijst (referral order)
        self.aanbieder: "Aanbieder | None" = None
        self.tariff = 0.0
        self.pooled = False
        self.care_start = -1
        self.care_end = -1
        self.cost = 0.0
        self.in_verblijf = False
        self.counted_year = -1
        self.counted_specialist_year = -1
        self.bounces = 0
        self.list_since = -1             # week it joined its current wachtlijst (-1: not on one)
        self.list_care = -1              # care type of that wachtlijst
        self.team_event: "tuple[int, int] | None" = None  # pending end of its time at the expertteam

    def u(self) -> float:
        """The next of the trajectory's own uniforms in [0, 1): what happens to it draws from
        these, so two scenarios run with the same seed draw the same numbers for the same
        trajectory (docs/model.md §4.9). After its TRAJECTORY_DRAWS, the ``trajectory`` stream."""
        i = self.ri
        if i < TRAJECTORY_BYTES:
            self.ri = i + 8
            return unpack_double(self.numbers, i)[0]
        return self.model.streams.trajectory.u()

    def remove(self) -> None:
        """Deregister from the model, as ``mesa.Agent.remove`` does (mesa_adapter.deregister)."""
        deregister(self)
