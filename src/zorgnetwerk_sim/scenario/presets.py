"""Collaboration forms ([OchtendMensen n.d.], after TwynstraGudde) as presets over the levers.

A preset fills in lever values; anything the scenario file or an override sets explicitly wins.
The mapping from the qualitative descriptions in [OchtendMensen n.d.] to numbers is a documented
assumption (docs/model.md, "Collaboration forms").
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    # Equal partners who learn from each other: much talk, little structure.
    "verkennend": {
        "coordination": {"role_clarity": 0.3, "regie_strength": 0.3, "overlegtafels": 12,
                         "power_exponent": 0.0, "queue": "per_aanbieder", "allocation": "push"},
        "trust": {"informal_contacts_per_year": 6.0},
    },
    # Efficient exchange of clients and information with a clear hierarchy: shared data make
    # allocation informed (regie), the receiving party sets the terms (power); [OchtendMensen n.d.] does not
    # describe joint agreements here.
    "transactioneel": {
        "coordination": {"role_clarity": 0.6, "regie_strength": 0.7, "overlegtafels": 6,
                         "power_exponent": 1.5, "queue": "per_aanbieder", "allocation": "push"},
        "trust": {"informal_contacts_per_year": 1.0},
    },
    # Partners need each other and commit fully: joint policy and goals, pooling, an expertteam
    # that works; the whitepaper's recommendation of this form ("gezamenlijk beleid ... een
    # gezamenlijke uitvoeringsorganisatie", [OchtendMensen n.d.]) implies one set of agreements for the region.
    "ondernemend": {
        "coordination": {"role_clarity": 0.65, "regie_strength": 0.5, "overlegtafels": 6,
                         "joint_kpis": True, "solidarity_pooling": True, "escalation_route": True,
                         "uniform_agreements": True,
                         "referrer_involvement": 0.65, "power_exponent": 0.5},
        "trust": {"informal_contacts_per_year": 6.0},
    },
    # Opdrachtgever-opdrachtnemer through a joint uitvoeringsorganisatie.
    "functioneel": {
        "coordination": {"role_clarity": 0.8, "regie_strength": 0.8, "overlegtafels": 3,
                         "queue": "central", "allocation": "push", "uniform_agreements": True,
                         "independent_regisseur": True, "solidarity_pooling": True, "power_exponent": 1.0},
        "trust": {"informal_contacts_per_year": 1.0},
    },
}

DESCRIPTIONS: dict[str, str] = {
    "verkennend": "learning network of equals; many tables, little structure",
    "transactioneel": "efficient exchange with hierarchy; shared data, informed allocation",
    "ondernemend": "mutual commitment; joint policy and KPIs, one set of agreements, pooling, escalation route",
    "functioneel": "joint uitvoeringsorganisatie; central list, strong regie, clear roles",
}
