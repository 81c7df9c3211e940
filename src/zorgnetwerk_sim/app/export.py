"""Tables to take away: plain CSV, CSV for Dutch Excel (Excel-NL), and a data dictionary.

Plain CSV is what scripts read (comma, decimal point, the column names of the runner). Dutch
Excel opens a file by double-click only with a semicolon between fields and a decimal comma, so
Excel-NL writes those, Dutch column headers, numbers without float noise (at most ten
significant digits: 84870000.00000003 becomes 84870000) and a byte-order mark (so é and € read
right). The data dictionary lists, per column, its Dutch header, its name in the plain CSV and
what it means.
"""

from __future__ import annotations

import io
import re

import pandas as pd

from .labels import CONTROLS, KPIS

#: Column name → (Dutch header, meaning). Columns of the comparison tables and the app's series.
COLUMNS: dict[str, tuple[str, str]] = {
    "run_id": ("run", "Kenmerk van de run (dezelfde run geeft hetzelfde kenmerk)"),
    "point_index": ("optie_nr", "Volgnummer van de optie (0 = de eerste, meestal de basis)"),
    "point": ("optie", "De optie (variant) in de vergelijking"),
    "replication": ("herhaling", "Nummer van de herhaling; dezelfde herhaling gebruikt in elke optie dezelfde "
                    "toevalsgetallen"),
    "seed": ("startgetal", "Startgetal van de toevalsgenerator van deze run"),
    "years_measured": ("gemeten_jaren", "Jaren na de inlooptijd waarover de run gemeten is"),
    "kpi": ("kpi", "De uitkomstmaat (naam zoals in de standaard-CSV)"),
    "horizon": ("periode", "Over welke jaren het getal gaat (na de inlooptijd)"),
    "horizon_years": ("periode_jaren", "Aantal jaren na de inlooptijd waarover gemiddeld is"),
    "n": ("aantal_runs", "Aantal herhalingen"),
    "mean": ("gemiddelde", "Gemiddelde over de herhalingen"),
    "sd": ("standaardafwijking", "Standaardafwijking over de herhalingen"),
    "ci_low": ("bi_onder", "Ondergrens van het 95%-betrouwbaarheidsinterval van het gemiddelde"),
    "ci_high": ("bi_boven", "Bovengrens van het 95%-betrouwbaarheidsinterval van het gemiddelde"),
    "baseline": ("basis", "De optie waarmee vergeleken wordt"),
    "baseline_mean": ("gemiddelde_basis", "Gemiddelde van de basis"),
    "n_pairs": ("aantal_paren", "Aantal gepaarde herhalingen (optie en basis met dezelfde toevalsgetallen)"),
    "diff": ("verschil", "Gemiddeld gepaard verschil: optie min basis"),
    "diff_ci_low": ("verschil_bi_onder", "Ondergrens van het 95%-betrouwbaarheidsinterval van het verschil"),
    "diff_ci_high": ("verschil_bi_boven", "Bovengrens van het 95%-betrouwbaarheidsinterval van het verschil"),
    "rel_diff": ("verschil_relatief", "Verschil gedeeld door het gemiddelde van de basis"),
    "p_value": ("p_waarde", "p-waarde van de gepaarde t-toets (tweezijdig)"),
    "test": ("toets", "De gebruikte toets"),
    "p_holm": ("p_holm", "p-waarde gecorrigeerd voor meerdere vergelijkingen (Holm)"),
    "significant": ("significant", "Waar als de gecorrigeerde p-waarde onder 0,05 ligt"),
    "year": ("jaar", "Jaar na de inlooptijd"),
    "year_weeks": ("weken_in_jaar", "Aantal weken van dat jaar in de run"),
    "whole_run": ("hele_run", "Hoe de hele run uit de jaren volgt (gemiddelde of som)"),
    "week": ("week", "Week van de run (0 = de eerste week)"),
    "wachtlijst": ("wachtlijst", "Jongeren op een wachtlijst of bij het expertteam (aantal in die week)"),
    "uithuisplaatsingen": ("uithuisplaatsingen", "Uithuisplaatsingen in die week"),
    "crisis": ("crisisopnames", "Crisisopnames in die week"),
    "kosten": ("kosten_eur", "Kosten in die week, in euro (prijzen van dat jaar)"),
    "gemeente": ("gemeente", "De gemeente"),
    "inwoners": ("inwoners", "Aantal inwoners"),
    "grootte": ("grootte", "Klein of groot (naar inwonertal)"),
    "jongeren": ("jongeren", "Jongeren tot 23 jaar (gemiddeld)"),
    "wachtlijst_per_1000": ("wachtlijst_per_1000", "Wachtlijst per 1.000 jongeren"),
    "uithuisplaatsingen_per_1000_per_jaar": ("uithuisplaatsingen_per_1000_per_jaar",
                                             "Uithuisplaatsingen per 1.000 jongeren per jaar"),
    "kosten_per_jaar": ("kosten_per_jaar_eur", "Kosten per jaar, in euro"),
    "kosten_per_jongere": ("kosten_per_jongere_eur", "Kosten per jongere per jaar, in euro"),
    "budget_per_jaar": ("budget_per_jaar_eur", "Jeugdbudget van de gemeente per jaar, in euro"),
    "kosten_tov_budget": ("kosten_tov_budget", "Kosten gedeeld door het budget (1 = precies het budget)"),
    "waarde": ("waarde", "De waarde van de uitkomstmaat"),
}

#: Word parts of the runner's column names in Dutch, for the many run KPIs (see docs/model.md §4).
_WORDS = [
    ("waitlist", "wachtlijst"), ("wait_weeks", "wachttijd_weken"), ("wait_all_leavers_weeks", "wachttijd_alle_vertrekkers_weken"),
    ("waits_left_unserved", "wachtenden_zonder_zorg_vertrokken"), ("wait_over_norm_share", "aandeel_boven_norm"),
    ("waiting_total", "wachtend_totaal"), ("toegang_queue", "wachtrij_toegang"), ("entries", "instroom"),
    ("withdrawals", "terugtrekkingen"), ("returns", "terugkeer"), ("bounces", "terugverwijzingen"),
    ("escalations", "escalaties"), ("placements", "uithuisplaatsingen"), ("crisis", "crisis"),
    ("youth_in_specialist_care", "jongeren_in_specialistische_zorg"), ("youth_in_care", "jongeren_in_zorg"),
    ("youth_population", "jongeren"), ("in_care", "in_zorg"), ("new_needs", "nieuwe_hulpvragen"),
    ("care_starts", "zorgstarts"), ("relapses", "terugval"), ("diverted_to_wijkteam", "bij_wijkteam_gehouden"),
    ("places_added", "plaatsen_erbij"), ("places_released", "plaatsen_teruggegeven"),
    ("trajectory_weeks", "trajectduur_weken"), ("cost_per_youth_start_prices", "kosten_per_jongere_startprijzen"),
    ("cost_per_youth", "kosten_per_jongere"), ("cost_vs_budget", "kosten_tov_budget"), ("cost_top20_share",
    "aandeel_duurste_20pct"), ("cost_care", "kosten_zorg"), ("cost_extra_capacity", "kosten_extra_plaatsen"),
    ("cost_toegang", "kosten_toegang"), ("cost_admin", "kosten_administratie"),
    ("cost_coordination", "kosten_coordinatie"), ("cost_prevention", "kosten_preventie"),
    ("cost_trust", "kosten_vertrouwen"), ("cost", "kosten"), ("trust", "vertrouwen"),
    ("lost_from_view", "uit_beeld"), ("success", "succes"), ("partial", "deels"), ("fail", "mislukt"),
    ("short_of_time", "tijdtekort"), ("overdue", "te_laat"), ("resource_sharing", "delen_van_middelen"),
    ("contracts_per_aanbieder", "contracten_per_aanbieder"), ("churn_events", "contractwisselingen"),
    ("aanbieder_exits", "aanbieders_gestopt"), ("overspent", "overschreden"), ("small", "klein"),
    ("large", "groot"), ("baseline", "basis"), ("standard", "standaard"), ("urgent", "urgent"),
    ("_per_year", "_per_jaar"), ("_per_1000_youth", "_per_1000_jongeren"), ("_share", "_aandeel"),
    ("_mean", "_gem"), ("_median", "_mediaan"), ("_p90", "_p90"), ("_end", "_eind"), ("_eur", "_eur"),
    ("_weeks", "_weken"),
]

MODEL_KPIS = "een uitkomstmaat van de run; de precieze definitie staat in docs/model.md, tabel 'The run KPIs'"


def dutch_header(column: str) -> str:
    """The column's Dutch header (a KPI of the app: its Dutch label; a run KPI: its words in Dutch)."""
    if column in COLUMNS:
        return COLUMNS[column][0]
    if column in KPIS:
        return re.sub(r"[^0-9a-zà-ÿ]+", "_", KPIS[column].label.lower()).strip("_")
    if column.startswith(("levers.", "uncertainties.")):
        text = CONTROLS.get(column)
        return ("instelling: " + text.label) if text else column
    out = column
    for english, dutch in _WORDS:
        out = out.replace(english, dutch)
    return out


def meaning(column: str) -> str:
    if column in COLUMNS:
        return COLUMNS[column][1]
    if column in KPIS:
        kpi = KPIS[column]
        unit = {"eur": "euro per jaar", "share": "aandeel (0–1)"}.get(kpi.kind, kpi.unit)
        return f"{kpi.label} ({unit}), gemiddeld over de jaren na de inlooptijd"
    if column.startswith(("levers.", "uncertainties.")):
        text = CONTROLS.get(column)
        return (text.meaning if text else "een instelling van het scenario") + " (de waarde in deze optie)"
    return MODEL_KPIS


def _horizon_nl(text: str) -> str:
    """'mean over the 1.5 years after warm-up' → 'gemiddelde over de 1,5 jaar na de inlooptijd'."""
    m = re.fullmatch(r"(mean|sum) over the ([\d.]+) years? after warm-up", text)
    if m:
        word = "gemiddelde" if m.group(1) == "mean" else "som"
        return f"{word} over de {m.group(2).replace('.', ',')} jaar na de inlooptijd"
    m = re.fullmatch(r"year (\d+) after warm-up", text)
    return f"jaar {m.group(1)} na de inlooptijd" if m else text


def csv_bytes(df: pd.DataFrame) -> bytes:
    """Plain CSV: comma, decimal point, the runner's column names."""
    return df.to_csv(index=False).encode("utf-8")


def excel_nl_bytes(df: pd.DataFrame) -> bytes:
    """CSV for Dutch Excel: semicolon, decimal comma, Dutch headers, no float noise, UTF-8 with BOM."""
    out = df.copy()
    if "kpi" in out.columns:  # the KPI's Dutch name instead of its key
        out["kpi"] = [KPIS[k].label if k in KPIS else dutch_header(str(k)) for k in out["kpi"]]
    if "horizon" in out.columns:
        out["horizon"] = [_horizon_nl(str(h)) for h in out["horizon"]]
    out = out.rename(columns={c: dutch_header(str(c)) for c in out.columns})
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map({True: "waar", False: "onwaar"})
    text = out.to_csv(index=False, sep=";", decimal=",", float_format="%.10g")
    return ("\ufeff" + text).encode("utf-8")


def dictionary_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """The data dictionary (Excel-NL): per file and column the Dutch header, the plain CSV name, the meaning."""
    rows = [{"bestand": name, "kolom (Excel-NL)": dutch_header(str(c)), "kolom (standaard-CSV)": str(c),
             "betekenis": meaning(str(c))} for name, df in tables.items() for c in df.columns]
    text = pd.DataFrame(rows).to_csv(index=False, sep=";")
    return ("\ufeff" + text).encode("utf-8")
