"""The care types of the pathway (docs/model.md §2.6) and the facts about them that are structure, not
parameters: their order on the escalation ladder and whether they are verblijf
(uithuisplaatsing). Tariffs, durations and capacities live in the scenario schema."""

from __future__ import annotations

from enum import IntEnum


class CareType(IntEnum):
    """Care types, ordered from lightest to heaviest (the escalation ladder)."""

    WIJKTEAM = 0  # light support by the gemeente's own wijkteam, no aanbieder
    AMBULANT_LICHT = 1
    AMBULANT_INTENSIEF = 2
    DAGBEHANDELING = 3
    PLEEGZORG = 4
    RESIDENTIEEL = 5
    GESLOTEN = 6
    CRISIS = 7  # immediate crisis admission; reached by escalation, never by referral

    @property
    def key(self) -> str:
        return self.name.lower()


CARE_TYPES: tuple[CareType, ...] = tuple(CareType)
N_CARE_TYPES = len(CARE_TYPES)
CARE_KEYS: tuple[str, ...] = tuple(c.key for c in CARE_TYPES)

#: Care delivered away from home: entering one of these is an uithuisplaatsing.
VERBLIJF: frozenset[CareType] = frozenset(
    {CareType.PLEEGZORG, CareType.RESIDENTIEEL, CareType.GESLOTEN}
)
#: Care types bought from aanbieders (everything except the wijkteam's own support).
PROVIDER_CARE: tuple[CareType, ...] = tuple(c for c in CARE_TYPES if c is not CareType.WIJKTEAM)
#: Care types a referral can point at (crisis is reached only by escalation).
REFERRABLE: tuple[CareType, ...] = tuple(c for c in CARE_TYPES if c is not CareType.CRISIS)
#: The ladder used when a waiting need escalates one step.
LADDER: tuple[CareType, ...] = tuple(c for c in CARE_TYPES if c is not CareType.CRISIS)


def heavier(care: CareType) -> CareType:
    """The next care type up the ladder (gesloten stays gesloten)."""
    if care is CareType.CRISIS:
        return CareType.RESIDENTIEEL
    i = LADDER.index(care)
    return LADDER[min(i + 1, len(LADDER) - 1)]


def lighter(care: CareType) -> CareType | None:
    """The next care type down the ladder, or None when care can simply end."""
    if care is CareType.CRISIS:
        return CareType.AMBULANT_INTENSIEF
    i = LADDER.index(care)
    return LADDER[i - 1] if i > 1 else None
