"""The scenario schema: the one home of every parameter.

The layout follows the XLRM frame (STYLE.md, EMA workbench): ``levers`` are what a region can
choose (coordination, trust, prevention), ``uncertainties`` what it cannot, ``mechanisms`` switch
each model mechanism on or off, ``assumptions`` hold the calibrated constants of the care
pathway, and ``network`` describes who is in the region. Every field carries its unit, range,
default and the source of the default (a seed file in ``shared/seeds`` or a public figure),
available at run time through :func:`parameter_table`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import Strict as PydanticStrict

from ..caretypes import CARE_KEYS, PROVIDER_CARE

SEED_000 = "[Verbeta 2024] (Zuidoost-Brabant collaboration study)"
SEED_001 = "[Zorg&Sociaalweb 2022] (regional collaboration as panacee)"
SEED_002 = "[Q-Consult n.d.] (local and regional collaboration)"
SEED_003 = "[RUG 2021] (Team Toegang Friesland factsheet)"
SEED_004 = "[OchtendMensen n.d.] (whitepaper Samenwerken in de Jeugdzorg)"
GIESEN = "[Giesen et al.] (youth-care queueing ABM)"
JOSANG = "[Jøsang & Ismail 2002] (Beta reputation); [Slovic 1993] (trust asymmetry)"
CBS = "CBS national figures: jeugdzorg counts youth < 23 ([CBS Jeugdmonitor 2024]; [CBS StatLine 03759NED])"
ASSUMPTION = "stylised assumption, documented in docs/model.md"
STERMAN = "[Sterman 2000] (Business Dynamics ch. 17: capacity acquisition with delay)"
STAFF = "staff shortage in jeugdzorg ([Jeugdautoriteit 2023] h.11; docs/model.md §7.16)"
REGELDRUK = "regeldruk in jeugdhulp ([Jeugdautoriteit 2023] h.10; [Binnenlands Bestuur AZW n.d.]; docs/model.md §7.8)"


#: Upper bound of a money parameter that does not state its own (EUR in its unit).
MAX_EUR = 10_000_000
#: Upper bound of any other numeric parameter that does not state its own.
MAX_NUMBER = 1_000_000_000


def P(default: Any, *, unit: str, source: str, ge: float | None = None, le: float | None = None,
      description: str = "") -> Any:
    """A documented parameter: default, unit, range and source in one place.

    A parameter without an upper bound gets a sane one: MAX_EUR for money, MAX_NUMBER otherwise.
    """
    if le is None and isinstance(default, (int, float)) and not isinstance(default, bool):
        le = MAX_EUR if "EUR" in unit else MAX_NUMBER
    return Field(default, ge=ge, le=le, description=description,
                 json_schema_extra={"unit": unit, "source": source})


class Strict(BaseModel):
    """Every table of the schema: unknown keys refused, strict types ("yes" is not a boolean, true is
    not a number, 2.5 is not an integer), and no NaN or infinity anywhere."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False)


# --------------------------------------------------------------------------------------------
# Levers (L): what a region can choose
# --------------------------------------------------------------------------------------------
class CoordinationLevers(Strict):
    """Coordination and institutional design ([Verbeta 2024], [Q-Consult n.d.], [RUG 2021], [OchtendMensen n.d.]; Giesen et al.)."""

    collaboration_form: Literal["verkennend", "transactioneel", "ondernemend", "functioneel"] | None = P(
        None, unit="preset", source=SEED_004,
        description="Collaboration form preset (applied before explicit values); see presets.py")
    queue: Literal["per_aanbieder", "central"] = P(
        "per_aanbieder", unit="choice", source=GIESEN,
        description="Queue architecture: each aanbieder keeps its own wachtlijst, or one regional list per care type")
    allocation: Literal["push", "pull"] = P(
        "push", unit="choice", source=GIESEN,
        description="push: the toegang assigns the case; pull: aanbieders pick cases from the list")
    urgency_priority: bool = P(False, unit="bool", source=GIESEN,
                               description="Urgent (severe) cases are served before others")
    regie_strength: float = P(0.4, unit="share", ge=0, le=1, source=SEED_002,
                              description="Strength of the gemeente's regie: informed allocation, central matching")
    role_clarity: float = P(0.4, unit="share", ge=0, le=1, source=SEED_000 + "; " + SEED_003,
                            description="Clarity of roles and responsibilities (RACI)")
    overlegtafels: int = P(8, unit="count per region", ge=0, le=60, source=SEED_000,
                           description="Separate overlegtafels (meeting tables) professionals attend")
    independent_regisseur: bool = P(False, unit="bool", source=SEED_002,
                                    description="An independent regisseur / procesbegeleider for the region")
    joint_kpis: bool = P(False, unit="bool", source=SEED_000 + "; " + SEED_001,
                         description="Joint goals and KPIs: providers share responsibility for the regional wachtlijst")
    no_wrong_door: bool = P(False, unit="bool", source=SEED_002,
                            description="A receiving organisation that cannot help passes the case on itself")
    uniform_agreements: bool = P(False, unit="bool", source=SEED_002,
                                 description="One uniform set of agreements per region instead of one per gemeente")
    expertteam_triage: Literal["all_complex", "maatwerk_only"] = P(
        "all_complex", unit="choice", source=SEED_003,
        description="Expertteam discusses every complex case, or only cases that need maatwerk")
    expertteam_handling: Literal["advice", "takeover"] = P(
        "advice", unit="choice", source=SEED_003,
        description="Expertteam only advises, or takes over the case and follows it up")
    expertteam_hours_per_100k_youth: float = P(20.0, unit="hours/week per 100,000 youth < 23", ge=0, le=400,
                                               source=SEED_003,
                                               description="Delegates' hours for the expertteam, scaled to the youth it serves")
    expertteam_meeting_interval_weeks: int = P(2, unit="weeks", ge=1, le=13, source=SEED_003,
                                               description="Weeks between expertteam meetings")
    escalation_route: bool = P(False, unit="bool", source=SEED_003,
                               description="A route to higher management to break deadlocks")
    referrer_involvement: float = P(0.4, unit="share", ge=0, le=1, source=SEED_003,
                                    description="How far the referrer stays involved in the case")
    solidarity_pooling: bool = P(False, unit="bool", source=SEED_004,
                                 description="Expensive trajectories are paid from a regional pool")
    pooling_min_tariff_eur_per_week: float = P(2000.0, unit="EUR/week", ge=0, source=SEED_004,
                                               description="Care with at least this weekly tariff is pooled")
    procurement_cycle_years: int = P(4, unit="years", ge=1, le=20, source=SEED_004,
                                     description="Years between re-tendering of contracts")
    procurement_churn_share: float = P(0.25, unit="share of contracts", ge=0, le=1, source=SEED_004,
                                       description="Share of contracts that change at each procurement")
    budget_ceiling: bool = P(False, unit="bool", source="Jeugdwet art. 2.3 (jeugdhulpplicht); budgetplafonds in regional contracts",
                             description="Budgetplafond: a region contracts no extra places once its spending "
                                         "exceeds the budget itself (no overspending accepted)")
    accepted_wait_weeks: float = P(9.0, unit="weeks", ge=1, le=104,
                                   source="Treeknorm / regional wait norms (9 weeks); what a region accepts is its choice",
                                   description="Expected wait above which the region contracts extra places, as far "
                                               "as budget and labour market allow (capacity_response)")
    power_exponent: float = P(1.0, unit="exponent", ge=0, le=3, source=SEED_004,
                              description="Weight of a gemeente in regional choices ~ inhabitants^exponent")


class TrustLevers(Strict):
    """Trust building ([Verbeta 2024] recommendations; Jøsang & Ismail; Slovic)."""

    informal_contacts_per_year: float = P(2.0, unit="contacts/year per pair", ge=0, le=52, source=SEED_000,
                                          description="Informal contact moments that build trust")
    cost_per_contact_eur: float = P(150.0, unit="EUR per organisation per contact", ge=0, source=ASSUMPTION,
                                    description="Cost of an informal contact moment for one organisation")


class PreventionLevers(Strict):
    """Prevention investment ([Verbeta 2024], [Q-Consult n.d.]; Homer & Hirsch 2006)."""

    budget_share: float = P(0.01, unit="share of care budget", ge=0, le=0.3, source=SEED_000,
                            description="Share of the care budget spent on prevention ([Verbeta 2024]: little prevention)")


class Levers(Strict):
    coordination: CoordinationLevers = Field(default_factory=CoordinationLevers)
    trust: TrustLevers = Field(default_factory=TrustLevers)
    prevention: PreventionLevers = Field(default_factory=PreventionLevers)


# --------------------------------------------------------------------------------------------
# Uncertainties (X): what a region cannot choose
# --------------------------------------------------------------------------------------------
class Uncertainties(Strict):
    demand_growth_per_year: float = P(0.015, unit="share/year", ge=-0.2, le=0.3,
                                      source="CBS / Jeugdautoriteit: +3.3%/yr before 2020, +1.5% 2021, ~+1% 2022-23",
                                      description="Growth of incidence per year (plausible range 0-0.035)")
    staff_availability: float = P(1.0, unit="multiplier", ge=0.3, le=2.0, source=ASSUMPTION,
                                  description="Multiplier on aanbieder capacity (staff shortage < 1)")
    incidence_multiplier: float = P(1.0, unit="multiplier", ge=0.1, le=5.0, source=ASSUMPTION,
                                    description="Multiplier on all incidence rates")
    maatwerk_share: float = P(0.8, unit="share of complex cases", ge=0, le=1, source=SEED_003,
                              description="Complex cases that need maatwerk (8 of 10 in [RUG 2021])")
    tariff_inflation_per_year: float = P(0.03, unit="share/year", ge=-0.1, le=0.3, source=ASSUMPTION,
                                         description="Yearly rise of tariffs")
    labour_market_headroom: float = P(0.10, unit="share of places per year", ge=0, le=1.0, source=SEED_000 + "; " + STAFF,
                                      description="How much places can grow within a year when waits run over the "
                                                  "trigger: the labour market's limit (capacity_response; range 0.02-0.2)")
    admin_share_per_contract: float = P(0.004, unit="share of capacity per extra contract", ge=0, le=0.02,
                                        source=SEED_002 + "; " + REGELDRUK,
                                        description="Capacity lost to admin per extra distinct set of agreements "
                                                    "(explicit uncertainty: see docs/model.md §7.8)")
    capacity_loss_per_overlegtafel: float = P(0.002, unit="share of capacity per table", ge=0, le=0.02, source=SEED_000,
                                              description="Professionals' time lost per separate overlegtafel "
                                                          "(explicit uncertainty: see docs/model.md §7.8)")
    extra_place_premium: float = P(0.25, unit="share of the regular tariff", ge=0, le=2.0, source=ASSUMPTION,
                                   description="What places contracted extra cost above the regular tariff (spot and "
                                               "out-of-region contracts, agency staff); explicit uncertainty, range "
                                               "0.1-0.5, docs/model.md §7.16")
    accepted_overspend_share: float = P(0.08, unit="share of budget", ge=0, le=1.0,
                                        source="Jeugdautoriteit, De Stand van de Jeugdzorg 2024 h.4 (87 of 109 gemeenten "
                                               "spend more than budgeted); ~8% over the Rijk budget in 2023, AEF 2020: "
                                               "€1.6-1.8 bn short a year (~30%)",
                                        description="Overspending a region accepts before it stops contracting extra "
                                                    "places (range 0-0.3)")
    budget_growth_per_year: float = P(0.015, unit="share/year", ge=-0.2, le=0.3, source=ASSUMPTION,
                                      description="Real growth of the gemeenten's jeugd budgets per year, on top of "
                                                  "tariff inflation (default: budgets keep pace with the default "
                                                  "demand growth; range 0-0.035)")
    alternative_route_max_share: float = P(0.25, unit="share of referrals", ge=0, le=0.8, source=ASSUMPTION,
                                           description="At waits of twice the norm, this share of referrals to "
                                                       "ambulant licht stays at the wijkteam (alternative_routes)")


# --------------------------------------------------------------------------------------------
# Mechanism switches
# --------------------------------------------------------------------------------------------
class Mechanisms(Strict):
    """One switch per mechanism (docs/model.md §7.0) (plus their close relatives)."""

    waiting_hurts: bool = P(True, unit="switch", source=SEED_002, description="Waiting raises escalation and lengthens care")
    admin_burden: bool = P(True, unit="switch", source=SEED_002, description="More contracts → more overhead, less capacity")
    meeting_fragmentation: bool = P(True, unit="switch", source=SEED_000, description="Overlegtafels eat professionals' hours")
    trust_dynamics: bool = P(True, unit="switch", source=JOSANG, description="Trust changes with experience (off: frozen)")
    prevention: bool = P(True, unit="switch", source=SEED_000, description="Prevention spending lowers incidence with delay")
    procurement_churn: bool = P(True, unit="switch", source=SEED_004, description="Contracts change every procurement cycle")
    budget_pressure: bool = P(True, unit="switch", source=SEED_004, description="Overspent gemeenten cut prevention")
    expertteam: bool = P(True, unit="switch", source=SEED_003, description="Complex cases go through the expertteam")
    cherry_picking: bool = P(True, unit="switch", source=GIESEN, description="Under pull, aanbieders prefer cases that fit")
    withdrawal: bool = P(True, unit="switch", source=GIESEN, description="Waiting jongeren withdraw and may return heavier")
    bouncing: bool = P(True, unit="switch", source=SEED_002, description="Referrals that do not fit are sent back")
    resource_sharing: bool = P(True, unit="switch", source=SEED_003, description="Trusting aanbieders take each other's clients")
    aanbieder_finance: bool = P(True, unit="switch", source=SEED_002, description="Losses make aanbieders shrink or exit")
    relapse: bool = P(True, unit="switch", source=ASSUMPTION, description="Finished trajectories may return later")
    capacity_response: bool = P(True, unit="switch", source=SEED_000 + "; " + STERMAN,
                                description="Regions contract extra places when waits exceed the norm, and give "
                                            "them back when places stand empty")
    alternative_routes: bool = P(True, unit="switch", source=ASSUMPTION,
                                 description="While waits are long, part of the light referrals stay at the wijkteam")
    baseline_crisis: bool = P(True, unit="switch", source=SEED_002,
                              description="Some severe needs start as a crisis, whether or not anyone waited")


# --------------------------------------------------------------------------------------------
# Assumptions: the calibrated constants of the pathway
# --------------------------------------------------------------------------------------------
class CareTypeParams(Strict):
    tariff_eur_per_week: float = P(..., unit="EUR/week", ge=0, le=50_000, source=ASSUMPTION)
    mean_duration_weeks: float = P(..., unit="weeks", ge=1, le=520, source=ASSUMPTION)
    capacity_per_1000_youth: float = P(..., unit="places per 1,000 youth < 23", ge=0, le=200,
                                       source="calibrated: scaled with the incidence (docs/calibration.md)")


#: Per care type: weekly tariff (EUR), mean duration (weeks), places per 1,000 youth < 23.
#: Tariffs: stylised relative prices, their level scaled so that the cost per youth in the prices
#: of the run's first year meets public spending per youth (~€1,500 in 2024 for the care modelled;
#: docs/model.md §9.1). Durations: pleegzorg after CBS (852 days, 2019) and gesloten after
#: JeugdzorgPlus stays (~6 months), the others stylised. Capacities: the contracted places at the
#: start; ambulant licht, ambulant intensief and pleegzorg fitted with `zorgsim calibrate default`
#: to youth in care, verblijf and spending per youth, with the waits held out (§9.1).
CARE_DEFAULTS: dict[str, tuple[float, float, float]] = {
    "wijkteam": (122, 14, 0),
    "ambulant_licht": (281, 22, 8.44),
    "ambulant_intensief": (732, 34, 11.26),
    "dagbehandeling": (1482, 36, 3.19),
    "pleegzorg": (732, 122, 4.66),
    "residentieel": (4538, 60, 1.295),
    "gesloten": (9077, 26, 0.127),
    "crisis": (5929, 5, 0),
}
_CARE_FIELDS = ("tariff_eur_per_week", "mean_duration_weeks", "capacity_per_1000_youth")


def _care(key: str) -> Any:
    return Field(default_factory=lambda: CareTypeParams(**dict(zip(_CARE_FIELDS, CARE_DEFAULTS[key]))))


class CareTable(Strict):
    """Per care type: weekly tariff, mean duration and regional capacity (stylised; docs/model.md)."""

    wijkteam: CareTypeParams = _care("wijkteam")
    ambulant_licht: CareTypeParams = _care("ambulant_licht")
    ambulant_intensief: CareTypeParams = _care("ambulant_intensief")
    dagbehandeling: CareTypeParams = _care("dagbehandeling")
    pleegzorg: CareTypeParams = _care("pleegzorg")
    residentieel: CareTypeParams = _care("residentieel")
    gesloten: CareTypeParams = _care("gesloten")
    crisis: CareTypeParams = _care("crisis")

    @model_validator(mode="before")
    @classmethod
    def _fill_from_care_type_defaults(cls, data: Any) -> Any:
        """Setting one value of a care type keeps that care type's other defaults."""
        if isinstance(data, dict):
            data = dict(data)
            for key, given in data.items():
                if key in CARE_DEFAULTS and isinstance(given, dict):
                    data[key] = {**dict(zip(_CARE_FIELDS, CARE_DEFAULTS[key])), **given}
        return data

    def of(self, care_key: str) -> CareTypeParams:
        return getattr(self, care_key)


class Assumptions(Strict):
    """Calibrated constants (stylised, see docs/model.md for the calibration)."""

    care: CareTable = Field(default_factory=CareTable)
    youth_share_of_inhabitants: float = P(0.25, unit="share", ge=0.05, le=0.5, source=CBS,
                                          description="Youth < 23 per inhabitant (4.5M of 17.9M)")
    incidence_per_youth_per_year: list[float] = Field(
        default_factory=lambda: [0.0318, 0.0674, 0.0928, 0.0392],
        description="New needs per youth per year for ages 0-3, 4-11, 12-17, 18-22",
        json_schema_extra={"unit": "needs/youth/year",
                           "source": CBS + " (age profile); level fitted to 10.6% of youth in care per year "
                                           "(zorgsim calibrate default, docs/calibration.md)"})
    severity_mix: list[float] = Field(
        default_factory=lambda: [0.55, 0.33, 0.12],
        description="Shares of new needs that are licht, matig, ernstig",
        json_schema_extra={"unit": "shares", "source": ASSUMPTION})
    referral_licht: list[float] = Field(
        default_factory=lambda: [0.78, 0.22, 0, 0, 0, 0, 0],
        description="Care type after assessment of a licht need (wijkteam … gesloten)",
        json_schema_extra={"unit": "shares", "source": ASSUMPTION})
    referral_matig: list[float] = Field(
        default_factory=lambda: [0.18, 0.37, 0.35, 0.08, 0.02, 0, 0],
        description="Care type after assessment of a matig need",
        json_schema_extra={"unit": "shares", "source": ASSUMPTION})
    referral_ernstig: list[float] = Field(
        default_factory=lambda: [0, 0.07, 0.45, 0.20, 0.14, 0.12, 0.02],
        description="Care type after assessment of an ernstig need",
        json_schema_extra={"unit": "shares", "source": ASSUMPTION})
    complex_share_ernstig: float = P(0.08, unit="share", ge=0, le=1, source=SEED_003,
                                     description="Ernstig needs that are complex (go to the expertteam)")
    complex_share_matig: float = P(0.01, unit="share", ge=0, le=1, source=SEED_003)
    assessments_per_1000_youth_per_week: float = P(2.8, unit="assessments/week per 1,000 youth", ge=0.05, le=50,
                                                   source=ASSUMPTION, description="Wijkteam / toegang assessment capacity")
    cost_per_assessment_eur: float = P(450.0, unit="EUR", ge=0, source=ASSUMPTION)
    budget_per_youth_eur_per_year: float = P(
        1380.0, unit="EUR/youth/year", ge=0,
        source="derived from public figures: jeugd spending ~€1,500 per youth < 23 for the care modelled, "
               "~8% over the Rijk budget (2023); docs/model.md §7.13",
        description="Budget per youth for the modelled care (an input from public figures, not fitted)")
    large_gemeente_min_inhabitants: int = P(50_000, unit="inhabitants", ge=1, source=ASSUMPTION,
                                            description="Threshold between small and large gemeenten for equity KPIs")
    max_age_years: int = P(23, unit="years", ge=12, le=27, source=CBS, description="Youth age out of jeugdzorg at this age")
    # waiting hurts ([Q-Consult n.d.])
    escalation_hazard_per_week: float = P(0.0015, unit="1/week", ge=0, le=0.2, source=SEED_002,
                                          description="Escalation hazard at the start of a wait")
    escalation_hazard_growth_per_week: float = P(0.0004, unit="1/week²", ge=0, le=0.05, source=SEED_002,
                                                 description="Rise of the escalation hazard per week waited")
    crisis_share_of_escalations: float = P(0.25, unit="share", ge=0, le=1, source=SEED_002)
    placement_after_crisis: float = P(0.45, unit="share", ge=0, le=1, source=SEED_002,
                                      description="Crisis admissions followed by an uithuisplaatsing")
    late_help_doorplaatsing_per_week_waited: float = P(0.004, unit="probability per week waited", ge=0, le=0.1,
                                                       source=SEED_002,
                                                       description="Late help: chance per week waited that the care, "
                                                                   "once started, no longer fits and the jongere is "
                                                                   "doorgeplaatst (at most 50%)")
    late_help_duration_per_week_waited: float = P(0.012, unit="share per week waited", ge=0, le=0.2, source=SEED_002,
                                                  description="Late help lengthens care (+1.2% per week waited)")
    wait_norm_weeks: int = P(9, unit="weeks", ge=1, le=52, source="Treeknorm / regional reports (9-14 weeks)")
    # balancing feedbacks (policies/capacity.py)
    capacity_review_weeks: int = P(13, unit="weeks", ge=1, le=52, source=STERMAN,
                                   description="How often a region reviews its waits and places (quarterly)")
    capacity_delay_weeks: int = P(26, unit="weeks", ge=0, le=156, source=STERMAN + "; " + STAFF,
                                  description="From the decision to contract extra places to their arrival")
    capacity_growth_per_review: float = P(0.03, unit="share of contracted places", ge=0, le=0.5, source=STERMAN,
                                          description="Places added (or given back) per review")
    capacity_release_wait_share: float = P(0.7, unit="share of the accepted wait", ge=0, le=1, source=STERMAN,
                                           description="Below this expected wait extra places are given back")
    crisis_share_of_new_ernstig: float = P(0.04, unit="share of new ernstig needs", ge=0, le=1, source=SEED_002,
                                           description="Severe needs that start as a crisis (baseline_crisis)")
    # withdrawal and return (Giesen et al.)
    withdrawal_hazard_per_week: float = P(0.008, unit="1/week", ge=0, le=0.5, source=GIESEN)
    return_share_after_withdrawal: float = P(0.5, unit="share", ge=0, le=1, source=GIESEN)
    return_after_weeks_mean: float = P(26.0, unit="weeks", ge=1, le=520, source=GIESEN)
    # outcomes of care
    afschaling_share: float = P(0.25, unit="share", ge=0, le=1, source=SEED_001,
                                description="Care that ends in afschaling to a lighter type")
    relapse_share: float = P(0.12, unit="share", ge=0, le=1, source=ASSUMPTION)
    relapse_after_weeks_mean: float = P(52.0, unit="weeks", ge=1, le=520, source=ASSUMPTION)
    maatwerk_duration_multiplier: float = P(1.4, unit="multiplier", ge=1, le=5, source=SEED_003)
    maatwerk_tariff_multiplier: float = P(1.3, unit="multiplier", ge=1, le=5, source=SEED_003)
    # admin and coordination ([Q-Consult n.d.], [Verbeta 2024])
    admin_base_share: float = P(0.06, unit="share of capacity", ge=0, le=0.5, source=SEED_002)
    admin_max_share: float = P(0.30, unit="share of capacity", ge=0, le=0.8, source=SEED_002)
    uniform_agreements_remaining_share: float = P(0.3, unit="share", ge=0, le=1, source=SEED_002,
                                                  description="With uniform regional agreements, the part of the "
                                                              "per-gemeente admin that remains")
    transition_admin_share: float = P(0.02, unit="share of capacity", ge=0, le=0.5, source=SEED_002 + "; " + SEED_004,
                                      description="Extra admin while contracts change")
    transition_weeks: int = P(26, unit="weeks", ge=0, le=156, source=SEED_004)
    meeting_hours_per_table_per_week: float = P(3.0, unit="hours/week", ge=0, le=40, source=SEED_000)
    professional_cost_eur_per_hour: float = P(95.0, unit="EUR/hour", ge=0, source=ASSUMPTION)
    regisseur_cost_eur_per_year: float = P(150_000.0, unit="EUR/year per region", ge=0, source=SEED_002)
    regisseur_regie_boost: float = P(0.3, unit="share", ge=0, le=1, source=SEED_002)
    # allocation and bouncing
    mismatch_share: float = P(0.12, unit="share of referrals", ge=0, le=1, source=SEED_002,
                              description="Referrals that do not fit the receiving aanbieder at zero role clarity")
    bounce_delay_weeks: int = P(3, unit="weeks", ge=0, le=26, source=SEED_002,
                                description="Weeks lost when a referral bounces back to the toegang")
    complex_acceptance: float = P(0.35, unit="probability", ge=0, le=1, source=GIESEN + "; " + SEED_003,
                                  description="Chance an aanbieder picks a complex case under pull, at neutral trust")
    transfer_delay_weeks: int = P(4, unit="weeks", ge=0, le=52, source=SEED_002,
                                  description="Extra care weeks after a doorplaatsing (continuity break)")
    # expertteam ([RUG 2021])
    expertteam_intake_hours: float = P(6.0, unit="hours/case", ge=0.5, le=200, source=SEED_003)
    expertteam_followup_hours_per_week: float = P(0.5, unit="hours/week/case", ge=0, le=20, source=SEED_003)
    expertteam_followup_weeks: int = P(12, unit="weeks", ge=0, le=104, source=SEED_003)
    expertteam_base_logit: float = P(-0.54, unit="logit", ge=-10, le=10,
                                     source=SEED_003 + " (4/3/3 outcomes), fitted with zorgsim calibrate default")
    expertteam_weeks_success: int = P(4, unit="weeks", ge=0, le=260, source=SEED_003 + " (time at the team: <1-4 months)",
                                      description="Weeks a successful case stays at the team after its decision")
    expertteam_weeks_partial: int = P(17, unit="weeks", ge=0, le=260, source=SEED_003 + " (1, 4, >24 months)",
                                      description="Weeks a partly successful case stays at the team")
    expertteam_weeks_fail: int = P(26, unit="weeks", ge=0, le=260, source=SEED_003 + " (<2, 10 months)",
                                   description="Weeks an unsuccessful case stays at the team")
    expertteam_max_wait_weeks: int = P(13, unit="weeks", ge=1, le=260, source=SEED_003,
                                       description="A case not taken up by the team within this time goes on without it")
    expertteam_lost_after_weeks: float = P(20.0, unit="weeks", ge=1, le=260, source=SEED_003,
                                           description="Unsuccessful cases out of view return after this mean time")
    expertteam_weight_clear_solution: float = P(1.1, unit="logit", ge=-10, le=10, source=SEED_003,
                                                description="Existing offer (no maatwerk) makes success likelier")
    expertteam_weight_role_clarity: float = P(2.0, unit="logit per unit", ge=-10, le=10, source=SEED_003)
    expertteam_weight_trust: float = P(3.0, unit="logit per unit", ge=-10, le=10, source=SEED_003,
                                       description="Partners share resources when they trust each other")
    expertteam_weight_referrer: float = P(1.2, unit="logit per unit", ge=-10, le=10, source=SEED_003)
    expertteam_weight_escalation_route: float = P(0.5, unit="logit", ge=-10, le=10, source=SEED_003)
    expertteam_weight_takeover: float = P(0.4, unit="logit", ge=-10, le=10, source=SEED_003)
    expertteam_weight_time: float = P(1.0, unit="logit per unit of time coverage", ge=-10, le=10, source=SEED_003,
                                      description="Success rises with the share of the hours its cases need that the "
                                                  "team has (hours available / hours its caseload needs, at most 1)")
    expertteam_weight_partner: float = P(1.0, unit="logit per unit", ge=-10, le=10, source=SEED_003,
                                         description="Maatwerk succeeds when a partner is willing to build it: the "
                                                     "best partner's flexibility x trust, against 0.3")
    maatwerk_mismatch_multiplier: float = P(1.5, unit="multiplier", ge=1, le=10, source=SEED_003,
                                            description="Maatwerk referrals misfit more often")
    contract_admin_eur_per_year: float = P(4000.0, unit="EUR per contract per year", ge=0, source=SEED_002,
                                           description="A gemeente's cost of managing one contract")
    joint_kpis_min_acceptance: float = P(0.75, unit="probability", ge=0, le=1, source=SEED_000 + "; " + SEED_001,
                                         description="With joint KPIs aanbieders take complex cases (pull) and "
                                                     "share places (push) at least this readily")
    # trust (Jøsang & Ismail; Slovic; [Verbeta 2024])
    trust_prior_positive: float = P(6.0, unit="pseudo-experiences", ge=0, le=1000, source=SEED_000,
                                    description="Prehistory: long personal relations (positive experiences)")
    trust_prior_negative: float = P(3.0, unit="pseudo-experiences", ge=0, le=1000, source=SEED_000)
    trust_gain: float = P(0.15, unit="evidence per success", ge=0, le=10, source=JOSANG)
    trust_loss: float = P(0.6, unit="evidence per failure", ge=0, le=10, source=JOSANG + " (loss > gain)")
    trust_forgetting_per_year: float = P(0.15, unit="share/year", ge=0, le=1, source=JOSANG)
    trust_sharing_weight: float = P(1.0, unit="multiplier", ge=0, le=5, source=SEED_003,
                                    description="How strongly trust drives resource sharing and acceptance")
    # prevention (Homer & Hirsch; Milstein)
    prevention_delay_weeks: int = P(104, unit="weeks", ge=0, le=520, source="Homer & Hirsch (2006); Milstein et al. (2011)",
                                    description="Lag before prevention spending starts to work")
    prevention_buildup_weeks: float = P(104.0, unit="weeks", ge=1, le=1040, source="Homer & Hirsch (2006)")
    prevention_max_reduction: float = P(0.25, unit="share of incidence", ge=0, le=0.9, source=ASSUMPTION)
    prevention_half_effect_eur_per_youth: float = P(60.0, unit="EUR/youth/year", ge=1, source=ASSUMPTION,
                                                    description="Spending at which half the maximum reduction is reached")
    prevention_severity_shift: float = P(0.3, unit="share", ge=0, le=1, source=SEED_002,
                                         description="Share of the prevention effect that also lightens entry severity")
    prevention_share_before_start: float = P(0.01, unit="share of care budget", ge=0, le=0.3, source=SEED_000,
                                             description="Prevention spending in the years before the run (its "
                                                         "effect is already in place at the start)")
    prevention_cut_when_overspent: float = P(0.5, unit="share", ge=0, le=1, source=SEED_004,
                                             description="Cut of the prevention budget after a year over budget")
    overspend_tolerance: float = P(0.05, unit="share of budget", ge=0, le=1, source=SEED_004)
    # aanbieder finances ([Q-Consult n.d.])
    cost_ratio: float = P(0.72, unit="cost per tariff euro at full occupancy", ge=0.1, le=2, source=ASSUMPTION)
    exit_reserve_weeks: float = P(26.0, unit="weeks of revenue", ge=0, le=520, source=ASSUMPTION,
                                  description="Losses beyond this many weeks of revenue make an aanbieder exit")
    initial_reserve_weeks: float = P(13.0, unit="weeks of revenue", ge=0, le=520, source=ASSUMPTION)
    initial_occupancy: float = P(0.95, unit="share", ge=0, le=1, source=ASSUMPTION,
                                 description="Occupied places at the start (warm start)")
    initial_wait_weeks: float = P(18.0, unit="weeks of intake", ge=0, le=104, source="regional reports (9-14 weeks)",
                                  description="Wachtlijst at the start, in weeks of expected intake")

    @model_validator(mode="after")
    def _check_shares(self) -> "Assumptions":
        for name in ("severity_mix", "referral_licht", "referral_matig", "referral_ernstig"):
            values = getattr(self, name)
            expected = 3 if name == "severity_mix" else len(CARE_KEYS) - 1
            if len(values) != expected:
                raise ValueError(f"{name} needs {expected} shares, got {len(values)}")
            if any(v < 0 for v in values) or abs(sum(values) - 1) > 1e-6:
                raise ValueError(f"{name} shares must be ≥ 0 and sum to 1 (sum is {sum(values):.4f})")
        if len(self.incidence_per_youth_per_year) != 4 or any(
                not 0 <= v <= 1 for v in self.incidence_per_youth_per_year):
            raise ValueError("incidence_per_youth_per_year needs 4 rates between 0 and 1 (ages 0-3, 4-11, 12-17, 18-22)")
        return self


# --------------------------------------------------------------------------------------------
# Network: who is in the region
# --------------------------------------------------------------------------------------------
CareKey = Literal["ambulant_licht", "ambulant_intensief", "dagbehandeling", "pleegzorg",
                  "residentieel", "gesloten", "crisis"]
assert set(CareKey.__args__) == {c.key for c in PROVIDER_CARE}  # type: ignore[attr-defined]


class GemeenteSpec(Strict):
    name: str = Field(min_length=1)
    inhabitants: int = P(..., unit="inhabitants", ge=100, le=2_000_000, source="CBS 2024, rounded")


class AanbiederSpec(Strict):
    name: str = Field(min_length=1)
    care_types: list[CareKey] = Field(min_length=1, description="The aanbieder's portfolio")
    size: float = P(1.0, unit="relative weight", ge=0.01, le=100, source=ASSUMPTION,
                    description="Share of the regional capacity of its care types, relative to others")
    flexibility: float = P(0.5, unit="share", ge=0, le=1, source=SEED_003,
                           description="Willingness to build maatwerk or take another's client")


class RegionSpec(Strict):
    name: str = Field(min_length=1)
    gemeenten: list[GemeenteSpec] = Field(min_length=1)
    aanbieders: list[AanbiederSpec] = Field(default_factory=list)
    n_generated_aanbieders: int = P(0, unit="count", ge=0, le=500, source=ASSUMPTION,
                                    description="Aanbieders to generate when none are listed")
    portfolio_overlap: float = P(0.3, unit="share", ge=0, le=1, source=SEED_001,
                                 description="Generated portfolios: 0 complementary, 1 every aanbieder offers everything")
    expertteam: str | None = Field(None, description="Name of the (bovenregionaal) expertteam serving this region; "
                                                     "default: a team of its own")

    @model_validator(mode="after")
    def _has_providers(self) -> "RegionSpec":
        if not self.aanbieders and self.n_generated_aanbieders == 0:
            raise ValueError("a region needs 'aanbieders' or n_generated_aanbieders > 0")
        if self.aanbieders and all(set(a.care_types) <= {"crisis"} for a in self.aanbieders):
            raise ValueError(f"region {self.name!r}: its aanbieders offer only crisis care, so no need could be "
                             "referred; give at least one aanbieder another care type")
        return self


class ExpertteamSpec(Strict):
    name: str = Field(min_length=1)
    hours_per_week: float | None = P(None, unit="hours/week", ge=0, le=2000, source=SEED_003,
                                     description="Fixed hours for this team, instead of levers.coordination.expertteam_hours_per_100k_youth")


class Network(Strict):
    regions: list[RegionSpec] = Field(min_length=1)
    expertteams: list[ExpertteamSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_and_linked(self) -> "Network":
        for kind, names in (("gemeente", [g.name for r in self.regions for g in r.gemeenten]),
                            ("aanbieder", [a.name for r in self.regions for a in r.aanbieders]),
                            ("region", [r.name for r in self.regions]),
                            ("expertteam", [t.name for t in self.expertteams])):
            dupes = sorted(n for n, count in Counter(names).items() if count > 1)  # linear in the names
            if dupes:
                raise ValueError(f"{kind} names must be unique; repeated: {', '.join(dupes[:5])}")
        teams = {t.name for t in self.expertteams}
        for r in self.regions:
            if r.expertteam is not None and r.expertteam not in teams:
                raise ValueError(f"region {r.name!r} names expertteam {r.expertteam!r}, "
                                 f"which is not in network.expertteams ({', '.join(sorted(teams)) or 'none'})")
        return self


#: Earliest run.start_date: the warm start dates its signals some years before week 0.
EARLIEST_START_DATE = dt.date(1900, 1, 1)


class RunSettings(Strict):
    years: float = P(10, unit="years", ge=0.1, le=100, source=ASSUMPTION, description="Simulated years incl. warm-up")
    warmup_years: float = P(1, unit="years", ge=0, le=50, source=ASSUMPTION, description="Excluded from KPIs")
    event_log: bool = P(False, unit="bool", source=SEED_001, description="Keep a process-mining event log")
    # an ISO date as text too (scenario.toml, --set, JSON): the one non-strict field
    start_date: Annotated[dt.date, PydanticStrict(False)] = P(dt.date(2025, 1, 1), unit="date", source=ASSUMPTION,
                            description="Calendar date of week 0 (the event log's dates)")
    random_streams: Literal["per_trajectory", "single"] = P(
        "per_trajectory", unit="choice",
        source="Law & Kelton, Simulation Modeling and Analysis, ch. 11 (common random numbers)",
        description="Random numbers of its own for each trajectory and a stream per kind of decision "
                    "(sharper paired comparisons), or one stream for all")

    @model_validator(mode="after")
    def _dates_on_the_calendar(self) -> "RunSettings":
        # every simulated week has a date (the event log's): the warm start's signals before week 0,
        # the last week of the run before the calendar ends (Python's and Arrow's dates end in 9999)
        latest = dt.date.max - dt.timedelta(days=7 * round(self.years * 52))
        if not EARLIEST_START_DATE <= self.start_date <= latest:
            raise ValueError(f"start_date {self.start_date.isoformat()}: a run of {self.years:g} years must start "
                             f"from {EARLIEST_START_DATE.isoformat()} to {latest.isoformat()}, so that all its "
                             f"weeks fall on the calendar (which ends on {dt.date.max.isoformat()})")
        return self

    @model_validator(mode="after")
    def _warmup_shorter(self) -> "RunSettings":
        if self.warmup_years >= self.years or round(self.warmup_years * 52) >= round(self.years * 52):
            raise ValueError(f"warmup_years ({self.warmup_years}) must be shorter than years ({self.years}) by at "
                             "least one week; shorten the warm-up (zorgsim run --warmup-years) or run longer")
        return self


class Scenario(Strict):
    """A complete, validated scenario."""

    name: str = "unnamed"
    description: str = ""
    seed: int = P(42, unit="integer", ge=0, le=2**63 - 1, source="user", description="Master random seed")
    run: RunSettings = Field(default_factory=RunSettings)
    network: Network
    levers: Levers = Field(default_factory=Levers)
    uncertainties: Uncertainties = Field(default_factory=Uncertainties)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    assumptions: Assumptions = Field(default_factory=Assumptions)

    @property
    def weeks(self) -> int:
        return int(round(self.run.years * 52))

    @property
    def warmup_weeks(self) -> int:
        return int(round(self.run.warmup_years * 52))


def parameter_table(model: type[BaseModel] = Scenario, prefix: str = "",
                    instance: BaseModel | None = None) -> list[dict[str, Any]]:
    """Every documented parameter with its key path, unit, range, default and source."""
    rows: list[dict[str, Any]] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        if instance is not None:
            default = getattr(instance, name)
        elif field.default_factory is not None:
            default = field.default_factory()  # type: ignore[call-arg]
        else:
            default = field.default
        if isinstance(default, BaseModel):
            rows += parameter_table(type(default), key + ".", default)
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if not extra:
            continue
        lo = hi = None
        for meta in field.metadata:
            lo = getattr(meta, "ge", lo)
            hi = getattr(meta, "le", hi)
        rows.append({"key": key, "unit": extra.get("unit"), "min": lo, "max": hi, "default": default,
                     "source": extra.get("source"), "description": field.description or ""})
    return rows
