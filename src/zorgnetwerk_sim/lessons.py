"""Lessons for teachers: a question, a preset, a *voor/na* pair and the claim the model makes.

Each :class:`Lesson` runs its scenario twice with the same seed (common random numbers): once
with the *voor* settings and once with the *na* settings, so the class sees only the effect of
the change. Each lesson states one or more :class:`Claim`: the direction in which *na* differs
from *voor* on a KPI. ``tests/test_lessons.py`` checks every claim at several seeds and at staff
availability −5% / 0 / +5%; the Lessen page (``app/pages/lessen.py``) and the worksheets
(``docs/lessons/``, written by :func:`worksheet`) show the numbers of the run, never typed ones.

The texts are in Dutch (they are shown to students); the code is in English. Sources are cited
by their key in docs/sources.md, and :data:`SOURCES` holds their full references.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .api import RunResult, run

STAFF = "uncertainties.staff_availability"
SCENARIO = "klas"
LESSON_SEED = 7  # the seed the page and the worksheets start from (the klas scenario's own)

#: Full references of the sources the lessons cite (as in docs/sources.md, shortened to one line).
SOURCES: dict[str, str] = {
    "Verbeta 2024": "Verbeta (juni 2024). ‘Binnen de kaders, buiten de lijntjes kleuren’ — Kwalitatief onderzoek "
                    "naar samenwerking in de jeugdzorg in Zuidoost-Brabant. Onderzoeksrapport (samenvatting).",
    "Q-Consult n.d.": "Q-Consult Zorg (z.j.). Lokale en regionale samenwerking als voorwaarde voor tijdige én "
                      "passende ondersteuning voor hulp aan kinderen. Adviesartikel.",
    "RUG 2021": "Rijksuniversiteit Groningen & Kenniswerkplaats Jeugd Friesland (z.j., onderzoek vanaf zomer 2021). "
                "Factsheet: Interorganisationele samenwerking in een samenwerkingsverband tussen aanbieders van "
                "hoogspecialistische jeugdhulp (Team Toegang Friesland); masterthesis H. van Middelkoop.",
    "OchtendMensen n.d.": "OchtendMensen (z.j.). Samenwerken in de Jeugdzorg. Whitepaper.",
    "Giesen et al.": "Giesen, E., Ketter, W. & Zuidwijk, R. (2009). An agent-based approach to improving resource "
                     "allocation in the Dutch youth health care sector. Rotterdam School of Management, Erasmus "
                     "University (conferentiepaper; hoofdstuk bij Springer, doi:10.1007/978-3-319-27343-3_10).",
    "Jøsang & Ismail 2002": "Jøsang, A. & Ismail, R. (2002). The Beta reputation system. Proceedings of the 15th "
                            "Bled Electronic Commerce Conference.",
    "Slovic 1993": "Slovic, P. (1993). Perceived risk, trust, and democracy. Risk Analysis 13(6), 675–682.",
    "Homer & Hirsch 2006": "Homer, J. B. & Hirsch, G. B. (2006). System dynamics modeling for public health: "
                           "background and opportunities. American Journal of Public Health 96(3), 452–458.",
    "Milstein et al. 2011": "Milstein, B., Homer, J., Briss, P., Burton, D. & Pechacek, T. (2011). Why behavioral "
                            "and environmental interventions are needed to improve health at lower cost. Health "
                            "Affairs 30(5), 823–832.",
}


# ---------------------------------------------------------------------------------------------
# What a lesson looks at: quarterly series of a run, and numbers over the weeks after warm-up
# ---------------------------------------------------------------------------------------------
QUARTER = 13


def quarterly(result: RunResult) -> pd.DataFrame:
    """Region totals per quarter (13 weeks): flows as a rate per year, stocks as the mean.

    ``year`` is the end of the quarter in years since the start; ``cost_per_youth_spread`` is the
    spread (standard deviation) between the gemeenten of their cost per youth per year.
    """
    ts = result.timeseries
    ts = ts.assign(q=ts["week"] // QUARTER)
    by_q = ts.groupby("q", sort=True)
    weeks = by_q["week"].nunique()
    flows = ["escalations", "crisis", "placements", "new_needs", "expertteam_overdue", "expertteam_cases",
             "expertteam_success", "resource_sharing", "cost_total", "waits_completed", "wait_weeks_sum"]
    out = pd.DataFrame({f: by_q[f].sum() / weeks * 52 for f in flows})
    week_sums = ts.groupby(["q", "week"], sort=True)[["waiting_list", "waiting_expertteam"]].sum()
    out["wachtlijst"] = (week_sums["waiting_list"] + week_sums["waiting_expertteam"]).groupby("q").mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["wachttijd"] = out["wait_weeks_sum"] / out["waits_completed"]
    out["trust_mean"] = by_q["trust_mean"].mean()  # every gemeente of a region has the region's value
    per_g = ts.groupby(["q", "gemeente"], observed=True)
    cost_per_youth = (per_g["cost_total"].sum() / per_g["week"].nunique() * 52 / per_g["youth"].mean())
    out["cost_per_youth_spread"] = cost_per_youth.groupby("q").std()
    out["year"] = (out.index + 1) * QUARTER / 52.0
    return out.reset_index(drop=True)


def after_warmup(result: RunResult) -> pd.DataFrame:
    ts = result.timeseries
    return ts[ts["week"] >= result.scenario.warmup_weeks]


def yearly_total(result: RunResult, column: str, year: int) -> float:
    """The region's total of ``column`` in year ``year`` of the run (0 = weeks 0-51)."""
    ts = result.timeseries
    start = 52 * year
    return float(ts.loc[(ts["week"] >= start) & (ts["week"] < start + 52), column].sum())


def cost_spread(result: RunResult) -> float:
    """Spread between gemeenten of the cost per youth (EUR per year): the standard deviation over
    gemeenten of each one's cost per youth in a year, averaged over the years after warm-up."""
    ts = after_warmup(result)
    ts = ts.assign(y=(ts["week"] - result.scenario.warmup_weeks) // 52)
    g = ts.groupby(["y", "gemeente"], observed=True)
    per_youth = g["cost_total"].sum() / g["week"].nunique() * 52 / g["youth"].mean()
    return float(per_youth.groupby("y").std().mean())


@dataclass(frozen=True)
class Measure:
    """A number of a run: its Dutch label, unit, decimals and how to compute it."""

    key: str
    label: str
    unit: str
    decimals: int
    value: Callable[[RunResult], float]


def summary_measure(key: str, label: str, unit: str, decimals: int = 1) -> Measure:
    return Measure(key, label, unit, decimals, lambda r: float(r.summary[key]))


@dataclass(frozen=True)
class Claim:
    """What the lesson says: *na* is higher (``direction`` +1) or lower (−1) than *voor* on ``measure``.

    ``min_relative`` asks more: the relative change must be at least this large (e.g. 0.1 = 10%)."""

    measure: Measure
    direction: int
    text: str
    min_relative: float = 0.0

    def holds(self, voor: float, na: float) -> bool:
        if not (np.isfinite(voor) and np.isfinite(na)):
            return False
        change = (na - voor) * self.direction
        if change <= 0:
            return False
        return self.min_relative <= 0 or (voor != 0 and change / abs(voor) >= self.min_relative)


@dataclass(frozen=True)
class Series:
    """A line over time for the lesson's chart: a column of :func:`quarterly`."""

    column: str
    title: str
    unit: str
    cumulative: bool = False  # a running total (the rate per year × a quarter) instead of the rate
    scale: float = 1.0  # e.g. 1e-6 for euros in millions


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    question: str
    voor_label: str
    na_label: str
    voor: Mapping[str, Any]
    na: Mapping[str, Any]
    wat_zie_je: str
    hoe_werkt_het: str
    probeer_zelf: str
    let_op: str
    sources: tuple[str, ...]
    claims: tuple[Claim, ...]
    series: tuple[Series, ...]
    preset: Mapping[str, Any] = field(default_factory=dict)  # settings of both sides
    years: int = 4
    scenario: str = SCENARIO
    extra: tuple[Measure, ...] = ()  # further numbers shown beside the claims (no claim made)

    def overrides(self, side: str, staff: float = 1.0, years: int | None = None) -> dict[str, Any]:
        """The scenario overrides of ``side`` ('voor' or 'na') at staff availability ``staff``.

        A lesson that sets staff availability itself sets it relative to ``staff``: 0.9 means
        10% below whatever the region has."""
        settings = {**self.preset, **(self.voor if side == "voor" else self.na)}
        settings[STAFF] = float(settings.get(STAFF, 1.0)) * staff
        settings["run.years"] = years or self.years
        return settings

    def run_side(self, side: str, seed: int = LESSON_SEED, staff: float = 1.0, years: int | None = None) -> RunResult:
        return run(self.scenario, seed=seed, overrides=self.overrides(side, staff, years))

    def measures(self) -> tuple[Measure, ...]:
        return tuple(c.measure for c in self.claims) + self.extra


def run_pair(lesson: Lesson, seed: int = LESSON_SEED, staff: float = 1.0) -> tuple[RunResult, RunResult]:
    """*Voor* and *na* with the same seed: the same random numbers, only the setting differs."""
    return lesson.run_side("voor", seed, staff), lesson.run_side("na", seed, staff)


# ---------------------------------------------------------------------------------------------
# The lessons
# ---------------------------------------------------------------------------------------------
ESCALATIONS = summary_measure("escalations_per_year", "Escalaties door wachten", "per jaar", 0)
CRISIS = summary_measure("crisis_per_year", "Crisisopnames", "per jaar", 0)
PLACEMENTS = summary_measure("placements_per_year", "Uithuisplaatsingen", "per jaar", 0)
WAIT = summary_measure("wait_weeks_mean", "Gemiddelde wachttijd", "weken", 1)
MAATWERK_WAIT = summary_measure("maatwerk_wait_weeks_mean", "Wachttijd van maatwerkzaken", "weken", 1)
STANDARD_WAIT = summary_measure("standard_wait_weeks_mean", "Wachttijd van gewone zaken", "weken", 1)
TRUST = summary_measure("trust_mean", "Gemiddeld vertrouwen", "(0 tot 1)", 2)
ET_SUCCESS = Measure("expertteam_success_share", "Expertteam: zaken succesvol", "%", 0,
                     lambda r: 100 * float(r.summary["expertteam_success_share"]))
SHARING = summary_measure("resource_sharing_per_year", "Plekken gedeeld tussen aanbieders", "per jaar", 0)
COST_FIRST = Measure("cost_first_year", "Kosten in het eerste jaar", "€ mln", 2,
                     lambda r: yearly_total(r, "cost_total", 0) / 1e6)
NEEDS_LAST = Measure("needs_last_year", "Nieuwe hulpvragen in het laatste jaar", "per jaar", 0,
                     lambda r: yearly_total(r, "new_needs", int(r.scenario.run.years) - 1))
COST_TOTAL = Measure("cost_total", "Kosten over alle jaren na de inloop", "€ mln", 2,
                     lambda r: float(after_warmup(r)["cost_total"].sum()) / 1e6)
OVERDUE = summary_measure("expertteam_overdue_per_year", "Zaken zonder tijd van het expertteam teruggestuurd",
                          "per jaar", 1)
ET_CASES = summary_measure("expertteam_cases_per_year", "Zaken besproken door het expertteam", "per jaar", 0)
ET_SHORT = Measure("expertteam_short_of_time_share", "Overleggen met tijdgebrek", "%", 0,
                   lambda r: 100 * float(r.summary["expertteam_short_of_time_share"]))
SPREAD = Measure("cost_spread", "Verschil tussen gemeenten in kosten per jongere (standaardafwijking)",
                 "€ per jongere per jaar", 0, cost_spread)
SMALL_OVERSPENT = Measure("small_overspent_share", "Kleine gemeenten over hun budget", "% van de jaren", 0,
                          lambda r: 100 * float(r.summary["small_overspent_share"]))

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        key="wachten",
        title="Wachten maakt het erger",
        question="Wat gebeurt er als de aanbieders 10% minder personeel hebben? Groeit het aantal escalaties even "
                 "hard mee, of harder?",
        voor_label="Personeel zoals nu",
        na_label="10% minder personeel",
        voor={},
        na={STAFF: 0.9},
        wat_zie_je="Twee keer dezelfde regio met dezelfde toevalsgetallen. Bij 'na' hebben alle aanbieders 10% "
                   "minder plekken. De grafiek toont het aantal escalaties per jaar: jongeren bij wie de "
                   "problemen tijdens het wachten zwaarder worden, tot een crisis aan toe.",
        hoe_werkt_het="Wie wacht, heeft elke week een kleine kans dat het erger wordt; hoe langer het wachten, hoe "
                      "groter die kans. Minder plekken betekent een langere wachtlijst, dus langer wachten voor "
                      "iedereen op de lijst. Een kleine daling van de capaciteit geeft zo een onevenredig grote "
                      "stijging van escalaties en crises (Q-Consult n.d.: te laat geholpen kinderen komen vaker "
                      "in crisis en hebben langere behandeling nodig).",
        probeer_zelf="Zet het personeel op 95% of 80% (Verkennen, 'beschikbaarheid personeel'). Groeit het aantal "
                     "escalaties recht evenredig met de daling, of sneller? Kijk ook naar de uithuisplaatsingen: "
                     "stijgen die mee, en zo niet, waarom niet?",
        let_op="Het model kent maar drie zwaartes en één vaste kans per week; echte escalatie hangt van het "
               "gezin en de hulp in de wachttijd af. De uithuisplaatsingen stijgen in het model niet altijd mee: "
               "minder plekken betekent ook minder plekken om iemand te plaatsen.",
        sources=("Q-Consult n.d.",),
        claims=(Claim(ESCALATIONS, +1, "Met 10% minder personeel stijgen de escalaties met meer dan 10%.",
                      min_relative=0.10),),
        series=(Series("escalations", "Escalaties door wachten", "per jaar"),
                Series("wachtlijst", "Wachtlijst", "jongeren")),
        extra=(CRISIS, PLACEMENTS, WAIT),
    ),
    Lesson(
        key="wachtlijst",
        title="Eén wachtlijst of vele",
        question="Als de plekken krap zijn: helpt één regionale wachtlijst per zorgsoort, in plaats van een "
                 "eigen lijst bij elke aanbieder? En wie heeft er het meeste aan?",
        voor_label="Elke aanbieder een eigen lijst",
        na_label="Eén centrale lijst",
        preset={STAFF: 0.9},
        voor={"levers.coordination.queue": "per_aanbieder"},
        na={"levers.coordination.queue": "central"},
        wat_zie_je="Een regio met 10% te weinig personeel, twee keer met dezelfde toevalsgetallen. 'Voor': de "
                   "toegang verwijst naar één aanbieder en de jongere wacht op diens lijst. 'Na': één lijst per "
                   "zorgsoort voor de hele regio; de eerste vrije plek bij welke aanbieder dan ook is voor wie "
                   "het langst wacht.",
        hoe_werkt_het="Met losse lijsten kan de ene aanbieder een lange lijst hebben terwijl bij een andere een "
                      "plek vrij is. Eén lijst benut elke vrije plek. Vooral zaken die maatwerk nodig hebben en "
                      "na het expertteam voorrang krijgen, hoeven dan niet te wachten op die ene aanbieder "
                      "(Giesen et al. 2009: centrale tegenover losse wachtlijsten; RUG 2021: maatwerk).",
        probeer_zelf="Zet daarna 'toewijzing' op pull: aanbieders kiezen dan zelf welke zaak ze nemen. Wie wacht "
                     "dan het langst? Vergelijk de wachttijd van maatwerkzaken met die van gewone zaken.",
        let_op="De gemiddelde wachttijd van alle jongeren verandert in dit model nauwelijks: het aantal plekken "
               "blijft gelijk. Dat aanbieders onder pull complexe zaken laten liggen (cherry-picking) is in deze "
               "kleine regio een klein effect dat niet in elke run te zien is; het model rekent met een vaste "
               "acceptatiekans, niet met echte afwegingen van aanbieders.",
        sources=("Giesen et al.", "RUG 2021"),
        claims=(Claim(MAATWERK_WAIT, -1, "Met één centrale lijst wachten maatwerkzaken korter."),),
        series=(Series("wachtlijst", "Wachtlijst", "jongeren"),
                Series("wachttijd", "Wachttijd (afgeronde wachttijden)", "weken")),
        extra=(STANDARD_WAIT, WAIT, ET_SUCCESS),
    ),
    Lesson(
        key="vertrouwen",
        title="Vertrouwen en delen",
        question="Wat levert het op als gemeenten en aanbieders elkaar elke maand informeel spreken, in plaats van "
                 "nooit?",
        voor_label="Geen informeel contact",
        na_label="Elke maand informeel contact",
        voor={"levers.trust.informal_contacts_per_year": 0.0},
        na={"levers.trust.informal_contacts_per_year": 12.0},
        years=5,
        wat_zie_je="De grafiek toont het gemiddelde vertrouwen tussen de gemeenten en de aanbieders (0 = geen, "
                   "1 = volledig). Na vier jaar is er een aanbesteding: een deel van de aanbieders verliest het "
                   "contract en de nieuwe begint als vreemde.",
        hoe_werkt_het="Vertrouwen groeit met elke zaak die goed gaat en daalt met elke mislukking; één mislukking "
                      "kost meer vertrouwen dan één succes oplevert (Slovic 1993). Het model rekent met een "
                      "Beta-reputatie (Jøsang & Ismail 2002). Informeel contact voegt goede ervaringen toe "
                      "(Verbeta 2024: lange persoonlijke relaties). Vertrouwen bepaalt of aanbieders plekken "
                      "delen en of maatwerk via het expertteam lukt; een aanbesteding zet relaties terug naar "
                      "nul (OchtendMensen n.d.).",
        probeer_zelf="Kijk op de pagina Netwerk hoe de lijnen tussen gemeenten en aanbieders dunner en dikker "
                     "worden, en wat er bij de aanbesteding in jaar 4 gebeurt. Zet de aanbestedingscyclus op 2 jaar: "
                     "wat doet dat met het vertrouwen?",
        let_op="Vertrouwen is in het model één getal per paar organisaties; echte relaties hangen aan personen. "
               "Het effect op gedeelde plekken en op het expertteam is klein en niet in elke run zichtbaar.",
        sources=("Verbeta 2024", "Jøsang & Ismail 2002", "Slovic 1993", "OchtendMensen n.d."),
        claims=(Claim(TRUST, +1, "Met maandelijks informeel contact is het vertrouwen hoger."),),
        series=(Series("trust_mean", "Gemiddeld vertrouwen", "0 tot 1"),),
        extra=(SHARING, ET_SUCCESS),
    ),
    Lesson(
        key="preventie",
        title="Preventie betaalt laat",
        question="De regio geeft 5% van het zorgbudget uit aan preventie in plaats van 1%. Wanneer merk je dat aan "
                 "de kosten, en wanneer aan het aantal hulpvragen?",
        voor_label="1% preventie",
        na_label="5% preventie",
        voor={"levers.prevention.budget_share": 0.01},
        na={"levers.prevention.budget_share": 0.05},
        years=6,
        wat_zie_je="Twee grafieken: de kosten per jaar en het aantal nieuwe hulpvragen per jaar. De extra "
                   "uitgaven aan preventie beginnen meteen; het effect op de hulpvragen komt pas na een paar jaar.",
        hoe_werkt_het="Preventie werkt met vertraging: het geld van nu voorkomt pas jaren later problemen, en "
                      "het effect bouwt langzaam op. Meer geld geeft steeds minder extra effect. Daarom stijgen "
                      "de kosten eerst, en dalen ze pas later, als het al gebeurt (Homer & Hirsch 2006; Milstein "
                      "et al. 2011; Verbeta 2024: nu weinig preventie).",
        probeer_zelf="Kies bij 'Looptijd' 10 of 15 jaar en draai beide opnieuw. Vanaf welk jaar zijn de kosten met 5% "
                     "preventie lager dan met 1%, en haalt de regio de extra uitgaven ooit terug?",
        let_op="De vertraging, de opbouw en het grootste mogelijke effect van preventie zijn aannames van "
               "het model, geen meetwaarden. Preventie verlaagt in het model alleen het aantal en de zwaarte "
               "van nieuwe hulpvragen.",
        sources=("Homer & Hirsch 2006", "Milstein et al. 2011", "Verbeta 2024"),
        claims=(Claim(COST_FIRST, +1, "In het eerste jaar kost 5% preventie meer."),
                Claim(NEEDS_LAST, -1, "In het laatste jaar zijn er met 5% preventie minder nieuwe hulpvragen.")),
        series=(Series("cost_total", "Kosten", "€ mln per jaar", scale=1e-6),
                Series("new_needs", "Nieuwe hulpvragen", "per jaar")),
        extra=(COST_TOTAL,),
    ),
    Lesson(
        key="versnippering",
        title="Versnippering",
        question="Professionals zitten aan 30 losse overlegtafels en elke gemeente heeft eigen afspraken. Wat "
                 "gebeurt er als de regio dat terugbrengt tot 4 tafels en één set afspraken?",
        voor_label="30 tafels, eigen afspraken per gemeente",
        na_label="4 tafels, één set afspraken",
        voor={"levers.coordination.overlegtafels": 30, "levers.coordination.uniform_agreements": False},
        na={"levers.coordination.overlegtafels": 4, "levers.coordination.uniform_agreements": True},
        wat_zie_je="De wachttijd en de wachtlijst, met veel en met weinig overleg en administratie.",
        hoe_werkt_het="Elke overlegtafel en elke eigen set contractafspraken kost de aanbieders uren die niet naar "
                      "jongeren gaan. Minder tafels en uniforme afspraken geven dus meer plekken zonder één "
                      "extra medewerker (Verbeta 2024: veel losse overlegtafels; Q-Consult n.d.: administratieve "
                      "last van veel opdrachtgevers en afspraken).",
        probeer_zelf="Zet alleen de tafels terug, of alleen de afspraken. Welke van de twee doet het meeste? "
                     "Probeer ook een kortere aanbestedingscyclus (elke 2 jaar): wisselingen kosten ook tijd.",
        let_op="Hoeveel tijd een tafel of een set afspraken kost, is een onzekere aanname van het model (zie "
               "'wat de regio niet weet' op Verkennen). Dat overleg ook iets oplevert, zit alleen in het "
               "expertteam en het vertrouwen, niet in de gewone tafels.",
        sources=("Verbeta 2024", "Q-Consult n.d."),
        claims=(Claim(WAIT, -1, "Met minder tafels en één set afspraken is de wachttijd korter."),),
        series=(Series("wachttijd", "Wachttijd (afgeronde wachttijden)", "weken"),
                Series("wachtlijst", "Wachtlijst", "jongeren")),
        extra=(summary_measure("waiting_total_mean", "Wachtende jongeren (gemiddeld)", "jongeren", 0),),
    ),
    Lesson(
        key="expertteam",
        title="Expertteam: alles of alleen maatwerk?",
        question="Het expertteam heeft te weinig tijd. Moet het alle complexe zaken bespreken, of alleen de zaken "
                 "die maatwerk nodig hebben?",
        voor_label="Alle complexe zaken",
        na_label="Alleen maatwerkzaken",
        voor={"levers.coordination.expertteam_triage": "all_complex"},
        na={"levers.coordination.expertteam_triage": "maatwerk_only"},
        wat_zie_je="Het aantal zaken dat te lang op het expertteam wacht en zonder bespreking terug gaat naar de "
                   "gewone route, opgeteld vanaf het begin van de run.",
        hoe_werkt_het="Het expertteam heeft een vast aantal uren. Elke zaak kost intakeuren en daarna uren om te "
                      "volgen. Bespreekt het team alles, dan blijft er te weinig tijd over en vallen zaken uit "
                      "beeld. Het team van Team Toegang Friesland noemde twee uitwegen: alleen maatwerkzaken "
                      "bespreken, of meer tijd en vaker overleg (RUG 2021).",
        probeer_zelf="Probeer de tweede uitweg: zet de uren van het expertteam op het dubbele en laat het elke week "
                     "vergaderen. Welke uitweg helpt meer, en wat kost hij?",
        let_op="De kans dat een zaak lukt, volgt in het model uit factoren die de factsheet noemt (tijd, "
               "vertrouwen, duidelijke rollen); de gewichten zijn aannames. De factsheet beschrijft tien zaken, "
               "geen cijfers over een hele regio.",
        sources=("RUG 2021",),
        claims=(Claim(OVERDUE, -1, "Met alleen maatwerkzaken gaan er minder zaken zonder bespreking terug."),),
        series=(Series("expertteam_overdue", "Zaken zonder tijd teruggestuurd (opgeteld)", "zaken",
                       cumulative=True),),
        extra=(ET_CASES, ET_SHORT, ET_SUCCESS),
    ),
    Lesson(
        key="solidariteit",
        title="Solidariteit",
        question="Eén dure plaatsing kan een kleine gemeente uit haar budget drukken. Wat verandert er als de "
                 "gemeenten dure zorg samen betalen uit een regionale pot?",
        voor_label="Elke gemeente betaalt zelf",
        na_label="Regionale pot voor dure zorg",
        voor={"levers.coordination.solidarity_pooling": False},
        na={"levers.coordination.solidarity_pooling": True},
        wat_zie_je="Hoe ver de kosten per jongere van de vijf gemeenten uit elkaar liggen. De kleinste gemeente, "
                   "Waterland, en de grootste, Stadskerk, betalen 'voor' elk hun eigen dure plaatsingen.",
        hoe_werkt_het="Bij weinig jongeren kan één zware plaatsing (residentieel, gesloten, crisis) de kosten per "
                      "jongere van een kleine gemeente sterk opdrijven. Met een pot betaalt elke gemeente naar "
                      "haar aantal jongeren mee aan alle dure zorg, zodat toeval in de kleine gemeente uitmiddelt "
                      "(OchtendMensen n.d.: solidariteit bij dure zaken wordt gevraagd maar ontbreekt vaak).",
        probeer_zelf="Kijk op 'Per gemeente' naar de kosten tegenover het budget van elke gemeente, met en zonder "
                     "solidariteit. Wie betaalt er met de pot meer dan eerst, en is dat eerlijk?",
        let_op="Het model verandert met de pot niets aan de zorg zelf; alleen de rekening wordt anders verdeeld. "
               "Een gemeente die overschrijdt, bezuinigt in het model alleen op preventie.",
        sources=("OchtendMensen n.d.",),
        claims=(Claim(SPREAD, -1, "Met een regionale pot liggen de kosten per jongere van de gemeenten dichter "
                                  "bij elkaar."),),
        series=(Series("cost_per_youth_spread", "Verschil in kosten per jongere tussen gemeenten",
                       "€ per jongere per jaar"),),
        extra=(SMALL_OVERSPENT,),
    ),
)

BY_KEY = {lesson.key: lesson for lesson in LESSONS}


def series_of(result: RunResult, series: Series) -> tuple[list[float], list[float]]:
    """(years, values) of a lesson's line: quarterly, or a running total."""
    q = quarterly(result)
    values = q[series.column].to_numpy(dtype=float) * series.scale
    if series.cumulative:
        values = np.cumsum(np.nan_to_num(values) * QUARTER / 52)
    return q["year"].tolist(), values.tolist()


def measured(lesson: Lesson, voor: RunResult, na: RunResult) -> list[tuple[Measure, float, float, Claim | None]]:
    """Every number the lesson shows: (measure, voor, na, the claim on it or None)."""
    claims = {c.measure.key: c for c in lesson.claims}
    return [(m, m.value(voor), m.value(na), claims.get(m.key)) for m in lesson.measures()]


# ---------------------------------------------------------------------------------------------
# Worksheets (docs/lessons/<key>.md): written from the lesson and one run of each side
# ---------------------------------------------------------------------------------------------
STUDENT_QUESTIONS = (
    "Voorspel eerst: wordt '{kpi}' bij 'na' hoger of lager dan bij 'voor'? Schrijf je voorspelling op.",
    "Druk op Voor en op Na. Wat zie je in de grafieken? Klopt je voorspelling?",
    "Beide runs gebruiken dezelfde toevalsgetallen. Waarom is dat nodig om het verschil te kunnen toeschrijven "
    "aan de verandering?",
    "Druk op 'Andere toevalsgetallen' en draai beide opnieuw. Blijft de richting van het verschil hetzelfde? "
    "En de grootte?",
    "Welke partij in het netwerk (gemeente, aanbieder, expertteam, jongere) merkt het verschil het eerst, en "
    "welke het meest?",
)


def _nl(v: float, decimals: int) -> str:
    text = f"{v:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def worksheet(lesson: Lesson, voor: RunResult, na: RunResult) -> str:
    """A one-page worksheet in Dutch (Markdown); its numbers are those of the two runs given."""
    seed = voor.scenario.seed
    settings = {**lesson.preset, **lesson.na}
    lines = [
        f"# Werkblad: {lesson.title}",
        "",
        f"**Scenario:** `{lesson.scenario}` (één inkoopregio met vijf gemeenten), {lesson.years} jaar waarvan het "
        f"eerste jaar inloop, toevalsgetallen nr. {seed}. In de app: tab **Lessen**, les "
        f"*{lesson.title}*.",
        "",
        f"**Vraag:** {lesson.question}",
        "",
        f"- **Voor:** {lesson.voor_label} — " + ", ".join(
            f"`{k} = {_toml(v)}`" for k, v in {**lesson.preset, **lesson.voor}.items()) if {**lesson.preset, **lesson.voor}
        else f"- **Voor:** {lesson.voor_label} — de instellingen van `{lesson.scenario}`",
        f"- **Na:** {lesson.na_label} — " + ", ".join(f"`{k} = {_toml(v)}`" for k, v in settings.items()),
        "",
        f"**Wat zie je.** {lesson.wat_zie_je}",
        "",
        "## Vragen voor studenten",
        "",
    ]
    kpi = lesson.claims[0].measure.label.lower()
    lines += [f"{i}. {q.format(kpi=kpi)}" for i, q in enumerate(STUDENT_QUESTIONS, start=1)]
    lines += [f"6. {lesson.probeer_zelf}", "", "## Verwachte waarnemingen (voor de docent)", ""]
    for measure, a, b, claim in measured(lesson, voor, na):
        unit = f" {measure.unit}" if measure.unit else ""
        line = f"- {measure.label}: voor {_nl(a, measure.decimals)}{unit}, na {_nl(b, measure.decimals)}{unit}."
        if claim is not None:
            line += f" *{claim.text}*"
        lines.append(line)
    lines += [
        "",
        f"Deze getallen komen uit één run van elke kant (toevalsgetallen nr. {seed}); met andere toevalsgetallen "
        "verschillen ze, maar de richting van wat de les zegt blijft (getoetst met drie reeksen toevalsgetallen en "
        "met 5% meer en minder personeel, `tests/test_lessons.py`).",
        "",
        f"**Hoe werkt het.** {lesson.hoe_werkt_het}",
        "",
        f"**Docentnotitie — wat het model vereenvoudigt.** {lesson.let_op}",
        "",
        "**Bronnen.** " + " ".join(f"[{k}] {SOURCES[k]}" for k in lesson.sources),
        "",
    ]
    return "\n".join(lines)


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    return repr(v)


def write_worksheets(folder: str) -> list[str]:
    """Write docs/lessons/<key>.md for every lesson (runs each lesson's pair once)."""
    from pathlib import Path

    out = []
    for lesson in LESSONS:
        voor, na = run_pair(lesson)
        path = Path(folder) / f"{lesson.key}.md"
        path.write_text(worksheet(lesson, voor, na), encoding="utf-8")
        out.append(str(path))
    return out


if __name__ == "__main__":  # uv run python -m zorgnetwerk_sim.lessons docs/lessons
    import sys

    for written in write_worksheets(sys.argv[1] if len(sys.argv) > 1 else "docs/lessons"):
        print(written)
