"""One-off generator: vocabulary.yaml -> findings.yaml skeleton (kept for provenance)."""
import yaml, sys

voc = yaml.safe_load(open(sys.argv[1]))
LEAK = {
    "symptom": 0.01, "sign": 0.005, "exposure": 0.1, "medication": 0.05,
    "condition_history": 0.05, "risk_factor": 0.05, "demographic": 0.02,
}
SPECIFIC = {  # base rate of the finding with no modelled cause active (expert estimates)
    "twitch_present": 0.01, "cramp_present": 0.01, "stress_high": 0.2, "health_anxiety": 0.03,
    "exercise_recent": 0.15, "heat_sweat": 0.05, "fatigue": 0.1, "smoker": 0.15,
    "muscle_aches": 0.03, "thirst": 0.03, "headache": 0.02, "palpitations": 0.02,
    "tremor": 0.02, "stimulant_use": 0.08, "diet_restricted": 0.04, "recent_infection": 0.08,
    "immobility_risk": 0.03, "vomit_diarrhoea": 0.02, "weight_loss": 0.01,
    "med_statin": 0.08, "med_diuretic_thiazide_loop": 0.05, "med_acei_arb": 0.08,
    "med_ppi": 0.06, "med_oestrogen": 0.08, "med_sedative_ssri": 0.08, "med_laba": 0.05,
    "med_anticoag": 0.03, "cond_diabetes": 0.06, "cond_thyroid": 0.04, "cond_kidney": 0.02,
    "cond_liver": 0.005, "cond_heart_qt": 0.01, "pregnant": 0.02, "known_epilepsy": 0.005,
    "family_mnd": 0.005, "family_muscle_disease": 0.005, "fever": 0.01,
    "weakness_subjective": 0.02, "numbness": 0.01, "back_pain_radiating": 0.02,
    "urine_dark_yellow": 0.02, "cold_intolerance": 0.03, "unsteady_walking": 0.01,
    "quinine_use": 0.003, "med_new_or_dose_change": 0.05, "med_other_cramp": 0.04,
    "med_diuretic_potassium_sparing": 0.01, "neck_surgery": 0.001, "wound_tetanus_risk": 0.003,
    "fluid_overdrink": 0.005, "alcohol_sedative_stopped": 0.005, "told_brisk_reflexes": 0.005,
    "stiffness": 0.01, "pins_needles_hands_feet": 0.01, "pins_needles_one_limb": 0.005,
    "urge_to_move_legs": 0.01, "calf_pain_on_walking": 0.005,
}
RANGES = {
    "caffeine_mg_per_day": (0, 3000), "sleep_hours_per_night": (0, 16),
    "twitch_duration_weeks": (0, 1560), "cramp_duration_minutes": (0, 240),
    "cramp_per_week": (0, 200), "alcohol_units_per_week": (0, 400),
    "temperature_celsius": (30, 45), "pregnancy_weeks": (0, 44),
}
DERIVED = [
    ("caffeine_over_400", "More than 400 mg caffeine a day", "caffeine_mg_per_day", ">", 400, [], 0.1),
    ("sleep_under_6h", "Under 6 hours' sleep a night", "sleep_hours_per_night", "<", 6, [], 0.1),
    ("twitch_over_2_weeks", "Twitching for more than 2 weeks", "twitch_duration_weeks", ">", 2, [], 0.003),
    ("twitch_over_3_months", "Twitching for more than 3 months", "twitch_duration_weeks", ">", 13, ["twitch_over_2_weeks"], 0.002),
    ("cramp_over_10_min", "A cramp lasting more than 10 minutes", "cramp_duration_minutes", ">", 10, [], 0.001),
    ("cramp_3_per_week", "Cramps 3 or more times a week", "cramp_per_week", ">=", 3, [], 0.003),
    ("alcohol_over_14", "More than 14 units of alcohol a week", "alcohol_units_per_week", ">", 14, [], 0.15),
    ("alcohol_heavy", "35 or more units of alcohol a week", "alcohol_units_per_week", ">=", 35, ["alcohol_over_14"], 0.02),
    ("temperature_38", "Temperature 38 °C or more", "temperature_celsius", ">=", 38, [], 0.01),
    ("temperature_40", "Temperature 40 °C or more", "temperature_celsius", ">=", 40, ["temperature_38"], 0.0005),
]

def label(f):
    return f["id"].replace("_", " ").capitalize()

out = []
for f in voc["findings"]:
    e = {"id": f["id"], "label": label(f), "kind": f["kind"], "type": f["type"], "question": f["question"]}
    if f["type"] == "number":
        e["unit"] = f["unit"]
        lo, hi = RANGES[f["id"]]
        e["range"] = {"min": lo, "max": hi}
    if f.get("hpo"):
        e["hpo"] = f["hpo"]
    e["synonyms"] = f.get("synonyms", [])
    e["red_flag"] = bool(f.get("red_flag"))
    if f.get("implies"):
        e["implies"] = f["implies"]
    if f["type"] == "boolean":
        e["leak"] = SPECIFIC.get(f["id"], LEAK[f["kind"]])
        e["leak_sources"] = ["BK-EXPERT"]
    out.append(e)
for fid, lab, src, op, val, implies, leak in DERIVED:
    e = {"id": fid, "label": lab, "kind": "derived", "type": "boolean",
         "question": f"(derived from {src} {op} {val})", "synonyms": [], "red_flag": False,
         "leak": leak, "leak_sources": ["BK-EXPERT"],
         "from_value": {"finding": src, "op": op, "value": val}}
    if implies:
        e["implies"] = implies
    out.append(e)
print("# Findings: what a person can tell us. Generated once from shared/vignettes/vocabulary.yaml")
print("# (ids, questions, HPO ids, synonyms, red_flag, implies kept as there), then edited by hand.")
print("# leak = chance the finding is present with none of the modelled conditions active: an expert")
print("# estimate (BK-EXPERT) throughout. Derived findings turn a number into yes/no at a threshold.")
print(yaml.safe_dump({"findings": out}, sort_keys=False, allow_unicode=True, width=100))
