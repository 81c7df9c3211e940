"""What a mechanism is, and the hooks through which it acts (docs/model.md §7.0).

A mechanism is one rule of the model that a scenario can switch off (``[mechanisms]``): waiting
hurts, withdrawal, trust dynamics, bouncing, … Each lives in one module of this package as a
subclass of :class:`Mechanism`. It names its switch, reads its parameters from the scenario
(declared in the scenario schema with unit, range and source), keeps its own state, and
implements some of the hooks below. When the model is built it creates the enabled mechanisms
and collects, per hook, the methods of those that implement it (:class:`Hooks`): a mechanism
that is switched off is simply absent, so off means off — no effect, no cost, no draws.

The pathway (``pathway.py``) is the state machine of a trajectory; it calls hooks at fixed
points and reads no mechanism switch. The weekly cycle (``ZorgnetwerkModel.step``) calls the
model-level hooks.

Hooks (a mechanism overrides the ones it needs; the base versions are never called):

Once a year and once a week
    ``year_start(week)``           after the budgets were judged and the cohorts aged
    ``week_start(week)``           before the week's new needs
    ``needs_reduction()``          share of incidence prevented per gemeente (array) or None
    ``new_crisis_share()``         share of new severe needs that start as a crisis
    ``review(week)``               after the week's scheduled events, before the toegang
    ``after_toegang(week)``        after the toegang, before places are allocated
    ``region_week_end(region)``    per region, after its places were allocated
    ``region_costs(region, week, costs)``  add region-level weekly costs (``RegionCosts``)
    ``gemeente_costs(g, week, cost)``      add a gemeente's own weekly costs (its cost vector)
    ``settle_region(region, week)``        after the costs: money of the region's aanbieders
    ``initial_intake(region, care, providers)``  weekly intake that sizes the starting wachtlijst

A trajectory
    ``wait_escalation(j, week)`` / ``escalate(j, week)``   an escalation deadline of a wait, and what happens then
    ``wait_withdrawal(j, week)`` / ``withdraw(j, week)``   a withdrawal deadline of a wait, and what happens then
    ``assessed(j, week)``          the toegang chose a care type (may change it)
    ``route(j, week)``             may take a referral elsewhere first (True: taken)
    ``referral(j, week, target, providers, central)``  may send a referral back: the target, or STOP
    ``care_duration(j, duration, waited)``  the duration of a care episode that starts
    ``care_started(j, week, waited, u)``    a care episode started (``u``: its own uniform)
    ``completed(j, week)``         a trajectory ended as completed
    ``cooperation(region, a, b, success, weight)``  two organisations worked on a case together

Organisations and allocation
    ``capacity_loss(aanbieder)``   share of an aanbieder's places lost to overhead
    ``team_hours_loss(team)``      share of an expertteam's hours lost to overhead
    ``maatwerk_acceptance(aanbieder, region)``  under pull: chance it takes a maatwerk case
    ``free_places(aanbieder, care, free, providers, week)``  places left after its own list
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..model import ZorgnetwerkModel

#: Every hook a mechanism may implement, in no particular order (see the module docstring).
HOOK_NAMES = (
    "year_start", "week_start", "needs_reduction", "new_crisis_share", "review", "after_toegang",
    "region_week_end", "region_costs", "gemeente_costs", "settle_region", "initial_intake",
    "wait_escalation", "escalate", "wait_withdrawal", "withdraw", "assessed", "route", "referral",
    "care_duration", "care_started", "completed", "cooperation", "capacity_loss", "team_hours_loss",
    "maatwerk_acceptance", "free_places",
)

#: What a ``referral`` hook returns when it has sent the referral back (the pathway stops there).
STOP = object()


class Mechanism:
    """One switchable rule of the model. Subclasses set ``switch`` (the key in ``[mechanisms]``)
    and implement hooks as methods of the same name; ``__init__`` reads their parameters."""

    switch: ClassVar[str] = ""

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        self.model = model

    def start(self) -> None:
        """Called once the network, the pathway and the recorder exist, before the warm start
        (state that needs them is created here)."""

    @classmethod
    def hooks(cls) -> tuple[str, ...]:
        """The hooks this mechanism implements (the methods it defines with a hook's name)."""
        return tuple(name for name in HOOK_NAMES if any(name in vars(k) for k in cls.__mro__ if k is not Mechanism))


class Hooks:
    """Per hook, the implementing methods of the enabled mechanisms, in the registry's order.

    ``hooks.care_duration`` is a tuple of bound methods (empty when no enabled mechanism has
    it); ``hooks.one("escalate")`` the single implementation or None (for hooks of which at
    most one mechanism may be the owner, which the registry checks)."""

    def __init__(self, mechanisms: list[Mechanism]) -> None:
        self.mechanisms = mechanisms
        implemented = [(m, type(m).hooks()) for m in mechanisms]
        for name in HOOK_NAMES:
            setattr(self, name, tuple(getattr(m, name) for m, hooks in implemented if name in hooks))

    def one(self, name: str) -> Any:
        found = getattr(self, name)
        if len(found) > 1:
            raise ValueError(f"hook {name!r} has {len(found)} owners; it allows one")
        return found[0] if found else None

    def __getattr__(self, name: str) -> tuple:  # (for type checkers; every hook is set in __init__)
        raise AttributeError(name)
