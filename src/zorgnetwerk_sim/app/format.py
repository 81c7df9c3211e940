"""Numbers in Dutch notation: decimal comma, a point between thousands, units spelled out.

    nl_number(3.14159)        → '3,1'
    nl_number(12345.6)        → '12.346'
    nl_eur(1_234_000)         → '€ 1,23 mln'
    nl_eur(-761_485, unit="mln") → '−€ 0,76 mln'
    nl_interval(2.4, 3.8)     → '2,4 tot 3,8'
"""

from __future__ import annotations

import math

MINUS = "−"  # U+2212: a minus sign, not a hyphen


def decimals_for(*values: float | None) -> int:
    """Decimals that suit the largest of ``values`` (so a value and its interval round alike)."""
    finite = [abs(v) for v in values if v is not None and v == v and not math.isinf(v)]
    return _decimals(max(finite)) if finite else 1


def _decimals(value: float) -> int:
    a = abs(value)
    if a == 0 or a >= 100:
        return 0
    if a >= 1:
        return 1
    if a >= 0.1:
        return 2
    return 3


def nl_number(value: float | None, decimals: int | None = None, signed: bool = False) -> str:
    """A number with a decimal comma and thousands points; '–' for a missing value (None or NaN)."""
    if value is None or value != value:
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    d = _decimals(value) if decimals is None else decimals
    text = f"{abs(value):,.{d}f}"  # 12,345.6
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if text.strip("0,.") == "":  # rounds to zero: no sign
        return text
    if value < 0:
        return MINUS + text
    return ("+" + text) if signed else text


def nl_percent(share: float | None, decimals: int = 0, signed: bool = False) -> str:
    """0.153 → '15%'; a share shown as a percentage."""
    if share is None or share != share:
        return "–"
    return nl_number(share * 100, decimals, signed) + "%"


#: Units of an amount in euros: divisor and word.
EUR_UNITS: dict[str, tuple[float, str]] = {"eur": (1.0, ""), "mln": (1e6, " mln"), "mld": (1e9, " mld")}


def eur_unit(value: float | None) -> str:
    """The unit an amount reads best in on its own: 'mld' from € 1 mld, 'mln' from € 1 mln, else 'eur'."""
    a = abs(value) if value is not None and value == value else 0.0
    return "mld" if a >= 1e9 else "mln" if a >= 1e6 else "eur"


def eur_decimals(value: float, unit: str) -> int:
    """Decimals for ``value`` written in ``unit``: whole euros; in mln/mld about three digits."""
    if unit == "eur":
        return 0
    a = abs(value) / EUR_UNITS[unit][0]
    return 0 if a >= 1000 else 1 if a >= 10 else 2 if a >= 0.1 or a == 0 else 3


def nl_eur(value: float | None, signed: bool = False, unit: str | None = None,
           decimals: int | None = None) -> str:
    """Euros: '€ 1,2 mln', '€ 850', '−€ 3,4 mld'.

    Without ``unit`` each amount picks its own ('eur' below € 1 mln). Amounts read side by side
    (a mean, its difference, the interval) should share one: ``unit='mln'`` writes € 761.485 as
    '€ 0,76 mln' beside '€ 191,2 mln'. ``decimals`` counts in that unit (default by size).
    """
    if value is None or value != value:
        return "–"
    unit = unit or eur_unit(value)
    if unit not in EUR_UNITS:
        raise ValueError(f"unknown euro unit {unit!r}; use one of {', '.join(EUR_UNITS)}")
    divisor, word = EUR_UNITS[unit]
    a = abs(value)
    d = eur_decimals(value, unit) if decimals is None else decimals
    number = nl_number(a / divisor, d)
    sign = MINUS if value < 0 else ("+" if signed and value > 0 else "")
    if number.strip("0,.") == "":  # rounds to zero: no sign
        sign = ""
    return f"{sign}€ {number}{word}"


def nl_interval(low: float | None, high: float | None, decimals: int | None = None) -> str:
    """'2,4 tot 3,8' (with 'tot', so negative bounds stay readable: '−1,2 tot 0,8')."""
    d = decimals_for(low, high) if decimals is None else decimals
    return f"{nl_number(low, d)} tot {nl_number(high, d)}"
