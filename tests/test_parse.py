"""The free-text parser on our own annotated sentences and on bad input."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from myotriage import KnowledgeBase, TriageLevel, assess, load_knowledge
from myotriage.errors import TextError
from myotriage.eval.annotated import ParseScore, score_annotated
from myotriage.nlp.parse import MAX_CHARS, parse

from .conftest import DATA, DEV_CASES, require_shared

KB = load_knowledge()
SENTENCES: list[dict[str, Any]] = yaml.safe_load((DATA / "parse_sentences.yaml").read_text())[
    "sentences"
]


def closed_present(ids: list[str]) -> set[str]:
    out = set(ids)
    for f in ids:
        out |= KB.ancestors.get(f, frozenset())
    return out


def score() -> ParseScore:
    return score_annotated(DATA / "parse_sentences.yaml", KB)


def test_annotated_set_is_big_and_covers_every_finding() -> None:
    assert len(SENTENCES) >= 200
    mentioned = {f for s in SENTENCES for f in s.get("present", [])}
    askable = {f.id for f in KB.findings.values() if f.type == "boolean" and not f.from_value}
    assert askable <= mentioned | {a for f in mentioned for a in KB.ancestors[f]}


def test_held_out_set_uses_only_known_findings() -> None:
    # Its figures are reported by `make bench` (benchmarks/parse.py), never tuned on.
    heldout = yaml.safe_load((DATA / "parse_heldout.yaml").read_text())["sentences"]
    assert len(heldout) >= 100
    assert len({s["id"] for s in heldout}) == len(heldout)
    for s in heldout:
        ids = [*s["present"], *s["absent"], *s["uncertain"], *s["other_person"], *s["values"]]
        unknown = [f for f in ids if f not in KB.findings]
        assert not unknown, (s["id"], unknown)
        derived = [f for f in ids if KB.findings[f].from_value is not None]
        assert not derived, (s["id"], derived)


def test_precision_recall_and_negation_on_the_annotated_set() -> None:
    s = score()
    # 0.95 on the first 663 sentences; rounds 6 to 51 added 2,810 messages written to
    # be hard (denials in many forms and in form answers, warning signs in indirect
    # words, clinical shorthand, negation scope, past and present, other people, words
    # for movements), and the whole set of 3,473 stands at 0.834.
    assert s.negation_accuracy >= 0.83
    assert s.precision >= 0.90
    assert s.recall >= 0.80
    assert s.value_accuracy >= 0.80


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("my left calf keeps twiching", {"twitch_site_leg"}, set()),
        ("terrible cramping in my calves at night", {"cramp_site_leg", "cramp_at_night"}, set()),
        ("no weakness and I've never lost feeling", set(), {"weakness"}),
        ("charlie horse in my calf again", {"cramp_site_leg"}, set()),
    ],
)
def test_examples(text: str, present: set[str], absent: set[str]) -> None:
    r = parse(text, KB)
    assert present <= closed_present(r.present())
    assert absent <= set(r.absent())


def test_uncertain_is_not_present() -> None:
    r = parse("maybe my leg is a bit weak?", KB)
    assert "weakness" not in r.present()
    assert any(f.id == "weakness" and f.state == "uncertain" for f in r.findings)


def test_someone_elses_disease_is_family_history_not_mine() -> None:
    r = parse("my dad had ALS and now my calf is twitching", KB)
    assert "family_mnd" in r.present()
    assert "twitch_site_leg" in r.present()


def test_fear_is_health_anxiety_not_the_disease() -> None:
    r = parse("I'm terrified it's ALS", KB)
    assert "health_anxiety" in r.present()


def test_values_and_age_sex() -> None:
    r = parse("I'm a 34 year old woman, left calf jumping for 3 weeks, 5 coffees a day", KB)
    values = {v.id: v.value for v in r.values}
    assert r.age == 34 and r.sex is not None and r.sex.value == "female"
    assert values["twitch_duration_weeks"] == pytest.approx(3)
    assert values["caffeine_mg_per_day"] == pytest.approx(500)


@pytest.mark.parametrize(
    ("text", "today", "weeks"),
    [
        ("my calf has been twitching since March", date(2026, 11, 25), 255 / 7),
        ("My eyelid keeps twitching since late October 2026.", date(2026, 11, 25), 32 / 7),
        ("my thumb has twitched since December", date(2026, 11, 25), 345 / 7),
        ("twitching in my arm since early Nov", date(2026, 11, 25), 24 / 7),
        # Said early in the month it names: the month has only just begun.
        ("my calf has been twitching since March", date(2026, 3, 4), 3 / 7),
        ("my calf has been twitching since yesterday", date(2026, 11, 25), 0.15),
        ("my calf has been twitching since last week", None, 1.0),
        # Wednesday 25 November 2026: "last Tuesday" is the one of the week before.
        ("My right eyelid has been jumping since last Tuesday.", date(2026, 11, 25), 8 / 7),
        ("Since Monday my bicep's been twitching.", date(2026, 11, 25), 2 / 7),
        ("Twitching in my arms since the beginning of the month.", date(2026, 11, 25), 24 / 7),
        ("My eye has been flickering since the 9th.", date(2026, 11, 25), 16 / 7),
        ("My eye has been flickering since the 28th.", date(2026, 11, 25), 28 / 7),
        ("eyelid twitching since my birthday on the 3rd of October", date(2026, 11, 25), 53 / 7),
        ("Day 16 of the twitching in my right foot.", None, 16 / 7),
    ],
)
def test_durations_anchored_to_a_date(text: str, today: date | None, weeks: float) -> None:
    values = {v.id: v.value for v in parse(text, KB, today).values}
    assert values["twitch_duration_weeks"] == pytest.approx(weeks, abs=1e-3)


@pytest.mark.parametrize(
    ("text", "finding", "value"),
    [
        ("Sleeping about five and a half hours a night", "sleep_hours_per_night", 5.5),
        ("My thumb twitches a few times a day, for 5 weeks now", "twitch_duration_weeks", 5),
        ("Cramps in my calves, I get roughly three a week", "cramp_per_week", 3),
        ("Foot cramps every single night", "cramp_per_week", 7),
        ("30 weeks pregant and my calves cramp", "pregnancy_weeks", 30),
        ("Two 250 ml energy drinks and a can of cola a day", "caffeine_mg_per_day", 195),
        ("twitching eyelid, I sleep like 4 hrs", "sleep_hours_per_night", 4),
        ("calf twitch 2wks no weakness", "twitch_duration_weeks", 2),
        ("twitchs in calves + feet 6 mo", "twitch_duration_weeks", 26.07),
        ("A month and a half of my bicep twitching", "twitch_duration_weeks", 6.52),
        ("3-4 cups of coffee a day, 6ish hours sleep", "sleep_hours_per_night", 6),
        ("Calf cramps roughly three times a fortnight", "cramp_per_week", 1.5),
        ("my feet cramp in bed every other night", "cramp_per_week", 3.5),
        ("restless legs in the eves, 30wk pregnant, cramps too", "pregnancy_weeks", 30),
        ("My left calf keeps jumping on and off, for 3 weeks now", "twitch_duration_weeks", 3),
        ("I'm 6 months pregnant and my calves cramp", "pregnancy_weeks", 26.07),
        ("The cramp lasted a good quarter of an hour", "cramp_duration_minutes", 15),
        ("Calf twitching. Caffeine: none. Alcohol: none.", "caffeine_mg_per_day", 0),
        ("Eyelid twitching, and I don't drink alcohol at all", "alcohol_units_per_week", 0),
        ("3 coffees a day and my eyelid has twitched for a week", "twitch_duration_weeks", 1),
        ("Eyelid twitching. Sleep: crap, 5-6 hrs.", "sleep_hours_per_night", 5.5),
        ("It's not that I don't sleep - I get a solid 8 hours", "sleep_hours_per_night", 8),
        ("getting between 4 and 5 hours of sleep on nights", "sleep_hours_per_night", 4.5),
        ("eyelid twitching and barely five hours' sleep", "sleep_hours_per_night", 5),
        ("38.5 on the thermometer this morning and feverish", "temperature_celsius", 38.5),
        ("Calf cramps 4 or 5 nights out of 7", "cramp_per_week", 4.5),
        ("My calf is twitching. Started 3 weeks ago.", "twitch_duration_weeks", 3),
        ("Hamstring cramps after football. Happens twice a week.", "cramp_per_week", 2),
        ("Never drink, never smoked, calf cramps at night", "alcohol_units_per_week", 0),
        ("L calf fasciculating on/off x10/7, no weakness", "twitch_duration_weeks", 1.43),
        ("jumpy eyelid x 3/52", "twitch_duration_weeks", 3),
        ("3 energy drinks a day (the big 500ml Monsters)", "caffeine_mg_per_day", 240),
        ("Calf cramps at night. Each one lasts a minute or two.", "cramp_duration_minutes", 1.5),
        ("My calf cramps. It lasts half a minute to a minute.", "cramp_duration_minutes", 0.75),
        ("Calf cramps at night. I'm not diabetic and I don't drink.", "alcohol_units_per_week", 0),
        ("Cirrhosis, but I haven't touched a drop in 3 years", "alcohol_units_per_week", 0),
        ("Just the twitches in my feet that started a week ago.", "twitch_duration_weeks", 1),
        ("For the last fortnight I've had twitching in my eyelid", "twitch_duration_weeks", 2),
        ("I've been sober six years now. My hands cramp.", "alcohol_units_per_week", 0),
        ("been on omeprazole like 5 yrs, twitches in my arms 4 wks", "twitch_duration_weeks", 4),
        (
            "Started sertraline 3 weeks ago and my legs have twitched ever since",
            "twitch_duration_weeks",
            3,
        ),
        (
            "crampes in both calves every nite. lasts 2-3 mins then goes if i pull my toes up",
            "cramp_duration_minutes",
            2.5,
        ),
        ("legs cramp at nite bout 5 times a wk", "cramp_per_week", 5),
        ("zero caffeine, still got this quad twitch", "caffeine_mg_per_day", 0),
        ("I'm sleeping six-ish hours and my eyelid twitches", "sleep_hours_per_night", 6),
        ("My eyelid has been flickering for a good fortnight.", "twitch_duration_weeks", 2),
        (
            "two glasses of wine with dinner every night, eyelid twitching",
            "alcohol_units_per_week",
            29.4,
        ),
        ("a bottle of wine every night, probably 70 units a week", "alcohol_units_per_week", 70),
        ("6 cans of Diet Coke a day and my eyelid twitches", "caffeine_mg_per_day", 210),
        ("We both get night cramps - his every night, mine maybe once a week", "cramp_per_week", 1),
        (
            "Started 10 days ago. Left calf, little flickers under the skin.",
            "twitch_duration_weeks",
            1.43,
        ),
        (
            "I stretch for 20 minutes before bed and still get cramps in my feet. Each one is "
            "about 30 seconds.",
            "cramp_duration_minutes",
            0.5,
        ),
        ("Cramps used to be about once a month. Now they're every night.", "cramp_per_week", 7),
        ("I'd say I get about 10 cramps a week, mostly in my toes.", "cramp_per_week", 10),
        ("Also cramp in the night, 4 or 5 time in week, 1 minute.", "cramp_per_week", 4.5),
        (
            "im 16 and my eye has been twitching for like a week and a half",
            "twitch_duration_weeks",
            1.5,
        ),
        ("Twitch: left eyelid. Coffee: 4 cups/day. Tea: 3 cups.", "caffeine_mg_per_day", 520),
        ("Urge to move legs: yes\nPregnant: yes, 28 weeks", "pregnancy_weeks", 28),
        ("2 of the big 500ml energy drinks a day, twitchy eyelid", "caffeine_mg_per_day", 320),
        ("I'm 19, 3 cans of the 250ml Red Bull a day", "caffeine_mg_per_day", 240),
        ("night cramps 2x/wk, ~3 min each", "cramp_per_week", 2),
        ("Cramps 2-3 times a day in my hands", "cramp_per_week", 17.5),
        (
            "I've had leg cramps on and off for 20 years. These days it's about twice a week, "
            "always in bed.",
            "cramp_per_week",
            2,
        ),
    ],
)
def test_values_in_everyday_wording(text: str, finding: str, value: float) -> None:
    values = {v.id: v.value for v in parse(text, KB).values}
    assert values.get(finding) == pytest.approx(value, rel=0.05), values


@pytest.mark.parametrize(
    ("text", "weeks"),
    [
        ("Since Boxing Day my right hand has been twitching.", 47.7),
        ("The twitch in my left bicep started on Halloween, twitching since Halloween", 3.6),
        ("My quads have been flickering at night since Bonfire Night.", 2.9),
    ],
)
def test_durations_from_named_days(text: str, weeks: float) -> None:
    values = {v.id: v.value for v in parse(text, KB, date(2026, 11, 25)).values}
    assert values.get("twitch_duration_weeks") == pytest.approx(weeks, abs=0.1), values


def test_a_dry_mouth_is_not_giving_up_drink() -> None:
    for text in ("dry mouth, been dry for days", "my skin is completely dry now"):
        assert "alcohol_units_per_week" not in {v.id for v in parse(text, KB).values}


def test_five_a_day_is_fruit_not_cramps() -> None:
    values = {v.id for v in parse("My legs cramp at night though I eat my five a day", KB).values}
    assert "cramp_per_week" not in values


@pytest.mark.parametrize(
    ("text", "today"),
    [
        ("my calf has been twitching since March", None),  # no date given: left out
        ("the twitching since may be stress", date(2026, 11, 25)),  # "may", the verb
        ("my calf has been twitching since March 2027", date(2026, 11, 25)),  # future
        ("I have been tired since March", date(2026, 11, 25)),  # not about twitching
    ],
)
def test_month_durations_not_read(text: str, today: date | None) -> None:
    assert not [v for v in parse(text, KB, today).values if v.id == "twitch_duration_weeks"]


def test_spans_point_at_the_words() -> None:
    text = "My eyelid has been flickering"
    r = parse(text, KB)
    for f in r.findings:
        assert text[f.start : f.end] == f.text


def test_nothing_is_invented_from_unrelated_text() -> None:
    r = parse("The weather was lovely and we went to the seaside for lunch.", KB)
    assert r.present() == [] and r.absent() == []
    assert r.not_understood


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * (MAX_CHARS + 1), f"{MAX_CHARS:,}"),
        ("abc\x00\x01\x02\x03def", "binary"),
        (bytes(range(256)).decode("latin-1"), "binary"),
    ],
)
def test_bad_input_is_a_clear_error(text: str, fragment: str) -> None:
    with pytest.raises(TextError) as info:
        parse(text, KB)
    assert fragment in str(info.value)


def test_other_languages_get_a_warning_not_a_crash() -> None:
    r = parse("Mein Bein zuckt seit drei Wochen und ich habe Angst.", KB)
    assert r.warnings and not r.present()


def test_a_stated_red_flag_never_becomes_its_absence(kb: KnowledgeBase) -> None:
    r = parse("My urine is dark brown like cola. I don't think it's serious.", kb)
    ev = r.evidence(kb, age=30, sex="male")
    assert "dark_urine" in ev.present
    assert assess(ev, kb).triage.level >= TriageLevel.consultation_24


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # Sentences that contain the words of a "that's fine" phrase but state the sign.
        ("I don't know where I am and my legs keep cramping", "confusion"),
        ("I get breathless sitting or lying down and my calves twitch", "breathless_at_rest"),
        ("I have trouble talking or swallowing and my tongue twitches", "swallow_difficulty"),
        ("My right arm is weak and my grip is not fine at all", "weakness"),
        ("I can't open my mouth and my jaw is locked", "jaw_stiff"),
        ("my pee looked like coca-cola after the gym", "dark_urine"),
    ],
)
def test_stated_warning_signs_are_never_read_as_denied(text: str, finding: str) -> None:
    r = parse(text, KB)
    assert finding not in r.absent(), (text, r.absent())


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("My son, 14, has a fever of 39 and his legs ache.", "fever"),
        ("My daughter's eyelid has been twitching for a week, she's got exams.", "twitch_present"),
        ("My husband can't swallow his own spit and he's drooling.", "unable_swallow_saliva"),
    ],
)
def test_a_carers_report_is_about_the_person_assessed(text: str, finding: str) -> None:
    # Written wholly about someone else, the message describes the person being
    # assessed (as the vignettes' carers' reports do).
    assert finding in parse(text, KB).present()


def test_family_history_stays_family_history_beside_own_symptoms() -> None:
    r = parse("My dad had ALS and now my calf keeps twitching.", KB)
    assert {"family_mnd", "twitch_present"} <= set(r.present())


def test_text_mode_figures_on_the_development_set() -> None:
    require_shared()
    from myotriage.eval.run import Mode, evaluate
    from myotriage.eval.vignettes import load_cases

    d = evaluate(load_cases(DEV_CASES), KB, Mode.text).as_dict()
    assert d["errors"] == 0
    assert d["unsafe"] == 0
    assert d["finding_precision"] >= 0.90
    assert d["finding_recall"] >= 0.80
    assert d["triage_exact"] >= 0.80


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        # Warning signs described in the writer's own words (concepts.yaml).
        ("my pee this morning looked like flat coke", {"dark_urine"}, set()),
        ("his words came out all scrambled for a minute", {"speech_change"}, set()),
        (
            "since yesterday the same eyelid is hanging and I see two of everything",
            {"droop_double_vision"},
            set(),
        ),
        ("stabbing pain under my ribs every time I breathe in", {"chest_pain_breath"}, set()),
        ("My heart wasn't racing", set(), {"palpitations"}),
        ("my pee isn't brown at all", set(), {"dark_urine"}),
        # A denial straight after the words.
        (
            "twitchy bicep. swallowing fine, talking fine.",
            {"twitch_site_arm_hand"},
            {"swallow_difficulty", "speech_change"},
        ),
        ("Weakness? nope.", set(), {"weakness"}),
        # Medicines started, stopped, or none at all.
        (
            "Started atorvastatin in March and my thighs ache",
            {"med_statin", "med_new_or_dose_change"},
            set(),
        ),
        ("Stopped the statin in June because of the aches", set(), {"med_statin"}),
        ("I'm not on any meds at all", set(), {"med_statin", "med_diuretic_thiazide_loop"}),
        # Form answers and own-words denials.
        (
            "Weakness: nil. Wasting: nil. Twitching: both calves",
            {"twitch_site_leg"},
            {"weakness", "muscle_wasting"},
        ),
        ("Q: any numbness? A: not really.", set(), {"numbness"}),
        ("My pee this morning was a normal colour", set(), {"dark_urine"}),
        ("no weakness and no problem to swallow", set(), {"weakness", "swallow_difficulty"}),
        (
            "I can still get up out of a chair and climb the stairs without any trouble",
            set(),
            {"weakness_proximal"},
        ),
        (
            "Twenty minutes ago his right arm suddenly went floppy",
            {"weakness_one_side_sudden"},
            set(),
        ),
        ("he coughs whenever he drinks", {"swallow_difficulty"}, set()),
        ("his right hand began jerking steadily, like a metronome", {"rhythmic_jerking"}, set()),
        (
            "the sight in my left eye went completely black for five minutes",
            {"vision_loss_sudden"},
            set(),
        ),
        ("his jaw is so stiff he can barely open his mouth", {"jaw_stiff"}, set()),
        ("she won't answer me and her arm keeps shaking", {"awareness_lost"}, set()),
        ("his legs are getting weaker from the ankles up", {"weakness_ascending"}, set()),
        (
            "When I feel his pulse it's racing and all over the place",
            {"fast_irregular_heartbeat"},
            set(),
        ),
        ("my legs have gone weak and wobbly - it's creeping up", {"weakness_ascending"}, set()),
        ("Both my eyes keep squeezing shut on their own", {"eyes_forced_shut"}, set()),
        ("In the evenings my legs just won't keep still", {"urge_to_move_legs"}, set()),
        ("Her breathing sounds completely normal", set(), {"breathless_at_rest"}),
        ("Swallowing and speech totally normal.", set(), {"swallow_difficulty", "speech_change"}),
        ("His wee is darker yellow than usual", {"urine_dark_yellow"}, set()),
        ("there are people in the room who are not there", {"hallucinations"}, set()),
        ("I can still get out of a chair and up the stairs fine", set(), {"weakness_proximal"}),
        (
            "Both calves look identical, no hot patches",
            set(),
            {"leg_swelling_one_side", "leg_warm_red"},
        ),
        (
            "his face slumped on the left and his words came out garbled",
            {"weakness_one_side_sudden", "speech_change"},
            set(),
        ),
    ],
)
def test_own_words_denials_and_medicines(text: str, present: set[str], absent: set[str]) -> None:
    r = parse(text, KB)
    assert present <= closed_present(r.present()), r.findings
    assert absent <= set(r.absent()), r.findings
    assert not absent & set(r.present())


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # The words of a concept must share a clause and keep their meaning.
        ("No chest pain now, and I'm breathing fine", "chest_pain_breath"),
        ("I drink lots of tea like it's water and pee all day", "dark_urine"),
        ("my pee is yellow", "dark_urine"),
        ("I drink stuff like coke and tea", "dark_urine"),
        ("My pee might be a bit brownish? Hard to say", "dark_urine"),  # unsure, not present
        ("the twitch is in my lower lid", "droop_double_vision"),
        ("I'm on furosemide and my hands have started cramping", "med_new_or_dose_change"),
        ("L thumb fasciculations, grip ok, no atrophy", "weakness_one_side_sudden"),
        ("the calf looks puffier and redder than the left", "med_laba"),  # not "puffer"
        ("Both my eyes keep squeezing shut on their own", "throat_tight_stridor"),
        ("I'm a wee bit unsteady in the dark", "dark_urine"),  # Scots "wee", not urine
    ],
)
def test_own_words_not_over_read(text: str, finding: str) -> None:
    assert finding not in parse(text, KB).present()


def test_a_denial_after_one_finding_leaves_the_one_before_it() -> None:
    r = parse("L thumb fasciculations, grip ok, no atrophy", KB)
    assert "twitch_present" in r.present()


@pytest.mark.parametrize(
    "text",
    ["I slept badly and the cramp lasted 2 hours", "the kids scored 38.5 in the quiz"],
)
def test_numbers_that_are_not_sleep_or_temperature(text: str) -> None:
    ids = {v.id for v in parse(text, KB).values}
    assert not ids & {"sleep_hours_per_night", "temperature_celsius"}


def test_a_bare_no_denies_what_follows_not_what_precedes() -> None:
    r = parse("twitching no weakness", KB)
    assert "twitch_present" in r.present()
    assert "weakness" in r.absent()


def test_a_negated_own_words_denial_says_nothing() -> None:
    r = parse("my pee is not normal", KB)
    assert "dark_urine" not in r.present() + r.absent()


@pytest.mark.parametrize(
    ("text", "present", "not_present"),
    [
        # A body site belongs to the symptom it is said with.
        (
            "She gets cramps in her hands and feet and her eyelids twitch.",
            {"cramp_site_hand", "cramp_site_leg", "twitch_site_eyelid"},
            {"twitch_site_arm_hand", "twitch_site_leg"},
        ),
        (
            "leg cramps at night, and his arms have started twitching",
            {"cramp_site_leg", "twitch_site_arm_hand"},
            {"cramp_site_hand"},
        ),
        ("cramps and twitching in my calves", {"cramp_site_leg", "twitch_site_leg"}, set()),
    ],
)
def test_sites_go_with_their_own_symptom(
    text: str, present: set[str], not_present: set[str]
) -> None:
    r = set(parse(text, KB).present())
    assert present <= r
    assert not not_present & r


def test_minutes_of_a_game_are_not_how_long_a_cramp_lasted() -> None:
    text = "Played 90 minutes of football and both calves went into cramp in the last 10 mins"
    assert "cramp_duration_minutes" not in {v.id for v in parse(text, KB).values}


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # A symptom that is over is neither present nor absent...
        (
            "I used to get cramps as a kid, growing pains my mum called them.",
            "cramp_present",
            "historical",
        ),
        (
            "I had a twitchy eye last year during exams but it went away.",
            "twitch_site_eyelid",
            "historical",
        ),
        # ...but one whose sentence says it goes on is present,
        (
            "It started a couple years ago as my eyelid twitching a lot.",
            "twitch_site_eyelid",
            "present",
        ),
        ("I twitched all over two years ago and it's back now.", "twitch_present", "present"),
        # and past history the knowledge base asks about still counts.
        ("I had a DVT in my left leg about 8 years ago.", "immobility_risk", "present"),
        ("Gave up the cigs 20 years ago after smoking since school.", "smoker", "present"),
    ],
)
def test_past_symptoms_are_history_but_past_risks_count(
    text: str, finding: str, state: str
) -> None:
    states = {f.id: f.state for f in parse(text, KB).findings}
    assert states.get(finding) == state, states


def test_a_label_and_its_answer_share_a_clause() -> None:
    r = parse("Lips: tingly. Heart: racing and all over the place. Chest: no pain.", KB)
    assert {"tingling_mouth_fingers", "palpitations", "fast_irregular_heartbeat"} <= set(
        r.present()
    )
    assert "chest_pain" in r.absent()


def test_everyday_words_among_the_vocabulary_synonyms_are_not_drugs() -> None:
    assert "stimulant_use" not in parse("my wee is brown like Coke", KB).present()
    assert "stimulant_use" in parse("took some speed at a party an hour ago", KB).present()


def test_someone_elses_old_stroke_is_not_the_writers() -> None:
    text = (
        "My dad had a stroke two years ago where his face dropped on one side, so when my "
        "left eyelid started flickering I panicked."
    )
    r = parse(text, KB)
    assert "weakness_one_side_sudden" not in r.present()
    assert {"twitch_present", "twitch_site_eyelid"} <= set(r.present())
    assert "twitch_duration_weeks" not in {v.id for v in r.values}


def test_a_present_only_description_denies_nothing() -> None:
    # A claw hand is a cramp of the hand (as in the vignettes); no claw is no denial of cramps.
    assert {"cramp_present", "cramp_site_hand"} <= set(
        parse("My hands locked into a claw shape an hour ago", KB).present()
    )
    r = parse("My hands have never locked up into a claw.", KB)
    assert "cramp_present" not in r.absent() + r.present()


def test_a_negation_before_the_first_word_of_own_words_counts() -> None:
    # "just" ends a negation's reach, but "not" sits right before "puffed".
    r = parse("I'm not puffed when I'm just sitting about, and I can lie flat.", KB)
    assert {"breathless_at_rest", "breathless_lying_flat"} <= set(r.absent())
    assert not {"breathless_at_rest", "breathless_lying_flat"} & set(r.present())


def test_a_site_goes_to_the_symptom_beside_it_even_without_a_rule() -> None:
    # "at night" belongs to the flickering, which has no night finding: not a night cramp.
    text = "My thighs cramp after leg day, and my quads have been flickering at night."
    r = parse(text, KB)
    assert "cramp_present" in r.present() and "cramp_at_night" not in r.present()


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "About half an hour ago my right hand went weak out of nowhere",
            "weakness_one_side_sudden",
        ),
        ("I couldn't get my words out for ten minutes", "speech_change"),
        ("bread seems to lodge halfway down and I chase every bite with tea", "swallow_difficulty"),
        ("my fingers pulled together like a duck's beak and wouldn't open", "hand_foot_spasm"),
        ("the white lines on the motorway have started splitting into two", "droop_double_vision"),
        ("he's hardly passed water and what he did pass was brown like cola", "dark_urine"),
        ("she's so sleepy they can hardly rouse her", "drowsy_hard_to_wake"),
        (
            "his arm is jerking in a steady beat and it's been going 6 or 7 mins now",
            "seizure_prolonged",
        ),
        ("my right calf is fatter than the left and swollen", "leg_swelling_one_side"),
        ("I've got bruises on my arms I can't explain", "unusual_bruising_bleeding"),
        ("his arm and leg have been jerking for well over 5 mins now", "seizure_prolonged"),
        ("Only peed once all day and it was like Coke.", "dark_urine"),
        ("her legs went weak first and then her arms", "weakness_ascending"),
        ("I couldn't feel the toilet paper when I wiped", "saddle_numbness"),
        ("pain shooting from my right buttock down to my calf", "back_pain_radiating"),
        ("I've lost nearly a stone without trying", "weight_loss"),
        ("My husband has epilepsy. He's been fitting for about 6 minutes now.", "rhythmic_jerking"),
        ("Nearly every night my calves go into knots and wake me", "cramp_present"),
        ("To stand up from the floor he walks his hands up his legs", "weakness_proximal"),
        ("everything went black in one eye for a couple of minutes", "vision_loss_sudden"),
        ("My calf is swollen and hot to touch", "leg_warm_red"),
        ("her breathing has gone noisy and high-pitched", "throat_tight_stridor"),
        ("I can't properly feel the toilet paper when I wipe", "saddle_numbness"),
        (
            "She lay on the floor all night and her arms and legs are very painful",
            "severe_muscle_pain",
        ),
        ("She has been making herself sick several times a day", "vomit_diarrhoea"),
        ("A couple of times my heart has skipped.", "palpitations"),
        ("He's got a coarse shake in both hands", "tremor"),
        ("Calf cramps 3-4 times a week, usually at about 2am.", "cramp_at_night"),
        ("Terrified it's MND, my dad had it.", "family_mnd"),
        ("mum had her hip done 2 weeks ago and her calf is swollen", "immobility_risk"),
        ("since her nap her left arm has gone floppy and heavy", "weakness_one_side_sudden"),
        ("everything on her left side has just vanished from view", "vision_loss_sudden"),
        ("his legs got weaker, going up from his ankles to his thighs", "weakness_ascending"),
        (
            "Since Saturday my right foot has been getting floppier every day.",
            "weakness_rapid_one_limb",
        ),
        ("Since yesterday that eyelid won't open properly.", "droop_double_vision"),
        (
            "her hand started tapping on the table on its own, tap tap tap in a rhythm",
            "rhythmic_jerking",
        ),
        ("Now his jaw is clamped so he can hardly get food in", "jaw_stiff"),
        ("He tore his hand on barbed wire a fortnight ago", "wound_tetanus_risk"),
        ("when I sit on the toilet I can't feel my bum on the seat", "saddle_numbness"),
        ("I get a sharp stab in my chest when I breathe in", "chest_pain"),
        (
            "a blackish sore on her heel that's been weeping for two months",
            "foot_wound_not_healing",
        ),
        ("I've barely had a wee since yesterday and it was like strong tea", "dark_urine"),
        ("I've barely had a wee since yesterday", "urine_scanty"),
        ("i just have a jumpy bottom eyelid, 2 days", "twitch_site_eyelid"),
        ("Popcorn in my thigh - little pops going off all over my left quad", "twitch_site_leg"),
        ("Stairs: need the handrail now, didn't 2 yrs ago", "weakness_proximal"),
        ("Getting up from the toilet: have to push on the sink", "weakness_proximal"),
        ("Arms above head (drying hair): really hard now", "weakness_proximal"),
        ("Heart: atrial fibrillation, on apixaban", "cond_heart_qt"),
        ("my top eyelid keeps vibrating on and off", "twitch_site_eyelid"),
        ("The web of my right thumb has a tiny heartbeat in it, tick tick tick", "twitch_present"),
        ("my right foot became icy cold and deathly pale", "leg_cold_pale"),
        ("some bruises I cannot account for", "unusual_bruising_bleeding"),
        ("my ears have begun to ring", "hearing_vision_change"),
        (
            "my right hand is thinner, I can see a hole between the thumb and the finger",
            "muscle_wasting",
        ),
        ("Both thighs are exceedingly painful", "severe_muscle_pain"),
        ("my left eyelid won't lift properly", "droop_double_vision"),
        ("chest pain cant breathe coughing up blood", "breathless_at_rest"),
        ("he has been trembling and does not know where he is", "confusion"),
        ("I cannot wake her properly", "drowsy_hard_to_wake"),
        ("today I go to toilet only one time, very little and dark like cola", "dark_urine"),
        ("yesterday he was chatting to people who weren't there", "hallucinations"),
        (
            "I get a creepy feeling inside my legs and need to keep shifting them",
            "urge_to_move_legs",
        ),
        ("my left hand started jerking by itself, like a regular beat", "rhythmic_jerking"),
        ("a sore on my left heel that isn't healing", "foot_wound_not_healing"),
    ],
)
def test_warning_signs_in_lay_words(text: str, finding: str) -> None:
    assert finding in parse(text, KB).present()


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("My legs are fine during the day but at night I get cramps in them", "cramp_site_leg"),
        ("My left eyelid felt heavy all week. Now there's a twitch in it.", "twitch_site_eyelid"),
    ],
)
def test_a_site_said_as_a_pronoun_is_the_body_part_before_it(text: str, finding: str) -> None:
    assert finding in parse(text, KB).present()


def test_a_slow_course_said_of_a_weakness_finding_is_progressive() -> None:
    text = "Over the last 5 months my left foot has started to slap down when I walk."
    assert "weakness_progressive" in parse(text, KB).present()
    # ...but not a course said of something else in another clause, nor one of days.
    text = "My legs have cramped at night for years, but this month my foot catches on the rug."
    assert "weakness_progressive" not in parse(text, KB).present()
    text = "Over the last 3 days my right leg has got weaker by the day."
    assert "weakness_progressive" not in parse(text, KB).present()


def test_stopping_a_medicine_does_not_deny_what_follows() -> None:
    r = parse("came off diazepam cold turkey last wk, twitchy everywhere n cant sleep", KB)
    assert "twitch_present" in r.present()


def test_family_history_needs_a_close_relative() -> None:
    assert "family_mnd" not in parse("My uncle had ALS and I'm frightened.", KB).present()
    assert "family_mnd" in parse("My dad died of MND and now my thumb twitches.", KB).present()
    text = "My mum and my grandad both had myotonic dystrophy. My grip is weaker."
    assert "family_muscle_disease" in parse(text, KB).present()


def test_a_carers_report_told_in_the_third_person_is_about_that_person() -> None:
    text = (
        "My brother has had constant rippling under the skin of his calves for two months. "
        "Lately he's been muddled and sweating through his shirts."
    )
    assert {"twitch_rippling", "twitch_site_leg", "confusion"} <= set(parse(text, KB).present())
    # ...while a relative's symptom beside the writer's own stays the relative's.
    r = parse("My sister gets cramps. Twitching in my calf for 3 weeks.", KB)
    assert "cramp_present" not in r.present() and "twitch_present" in r.present()


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("What would it mean if my pee went dark? It's a normal colour right now.", "dark_urine"),
        ("My wife thinks I've started slurring my words, but I can't hear it.", "speech_change"),
        ("I drink lots of tea like it's water and pee all day", "dark_urine"),
        ("It lasted about two minutes, my arm jerking in a rhythm", "seizure_prolonged"),
        ("Can't find any weakness and no numbness, still doing 100k rides", "weakness"),
        (
            "Before you tell me it's stress, I'm honestly not stressed - I'm on holiday.",
            "stress_high",
        ),
        (
            "The websites said stretch it and use magnesium spray, nothing shifts it",
            "cramp_present",
        ),
        ("My hands are shaky and my calves twitch", "twitch_site_arm_hand"),
        ("I drink about three litres of water a day", "fluid_overdrink"),
    ],
)
def test_not_said_as_present(text: str, finding: str) -> None:
    assert finding not in parse(text, KB).present()


def test_feeling_the_toilet_paper_is_the_opposite_of_saddle_numbness() -> None:
    assert "saddle_numbness" in parse("I couldn't feel the toilet paper when I wiped", KB).present()
    r = parse("I can feel the toilet paper fine when I wipe", KB)
    assert "saddle_numbness" in r.absent() and "saddle_numbness" not in r.present()


def test_a_medicine_given_up_is_history_but_one_started_long_ago_is_taken() -> None:
    r = parse("I used to drink tonic water for my leg cramps but stopped a year ago.", KB)
    assert "quinine_use" not in r.present()
    r = parse("I was put on bendroflumethiazide years ago and my calves cramp", KB)
    assert "med_diuretic_thiazide_loop" in r.present()
    assert "med_new_or_dose_change" not in r.present()


def test_a_maybe_about_how_often_is_no_doubt_about_the_cramp() -> None:
    r = parse("I get cramps in my thighs in bed, maybe every other night.", KB)
    assert "cramp_present" in r.present()


def test_hot_to_touch_is_not_a_leg_unless_a_leg_is_named() -> None:
    r = parse("He's been dancing for hours, he's boiling hot to touch and talking nonsense", KB)
    assert "leg_warm_red" not in r.present() and "fever" in r.present()


def test_no_bother_from_a_medicine_is_still_taking_it() -> None:
    r = parse("I've been on simvastatin for years with no bother, but my calves cramp now", KB)
    assert "med_statin" in r.present() and "med_statin" not in r.absent()


def test_never_having_been_told_of_a_condition_is_not_having_it() -> None:
    r = parse("I've never been told I have a thyroid problem.", KB)
    assert "cond_thyroid" not in r.present()


@pytest.mark.parametrize(
    ("text", "units"),
    [
        # How often is said after the drink, before it, or for further days.
        ("I drank for years, a bottle of vodka most days", 28 * 5.5),
        ("Going out twice a week at the moment, 4 double vodkas each time.", 16),
        ("3 pints on a Friday, 3 on a Saturday", 6 * 2.3),
        ("3 pints Monday to Thursday and my calves cramp", 3 * 2.3 * 4),
        ("4 cans of cider a night at weekends", 4 * 2 * 2),
        ("every night I have 3 glasses of wine", 3 * 2.1 * 7),
        # Units said per drink price the drinks; a bottle's size is no count.
        ("I used to drink 6 cans of strong lager a day (4 units a can)", 6 * 4 * 7),
        ("stopped 2 days ago after years of a 70cl bottle of vodka a day", 28 * 7),
        # A weekly figure is the writer's own sum.
        ("a pint or two most evenings, call it 10 pints a week", 23),
    ],
)
def test_alcohol_counted_with_how_often(text: str, units: float) -> None:
    values = {v.id: v.value for v in parse(text, KB).values}
    assert values.get("alcohol_units_per_week") == pytest.approx(units, rel=0.05), values


def test_a_temperature_is_no_age_and_a_forum_header_is() -> None:
    r = parse("temp is 100.4F, been at a festival and now I'm cramping all over", KB)
    assert r.age is None and r.sex is None
    r = parse("F, 52. My tongue seems to be quivering.", KB)
    assert r.age == 52 and r.sex is not None and r.sex.value == "female"
    r = parse("52/M here, calf twitching for a month", KB)
    assert r.age == 52 and r.sex is not None and r.sex.value == "male"


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        (
            "Over 3 days she's gone from tingly toes to not being able to stand, and she "
            "can't swallow her own spit.",
            {"unable_swallow_saliva"},
            set(),
        ),
        (
            "He's talking to people who aren't there and doesn't know what day it is.",
            {"hallucinations", "confusion"},
            set(),
        ),
        (
            "My family haven't noticed any change in my speech, and neither have I. My left "
            "hand has been twitching for a month.",
            {"twitch_site_arm_hand"},
            {"speech_change"},
        ),
        (
            "Present: fasciculations in both calves. Absent: weakness (grip unchanged), "
            "atrophy, dysarthria, dysphagia and orthopnoea.",
            {"twitch_site_leg"},
            {
                "weakness",
                "muscle_wasting",
                "speech_change",
                "swallow_difficulty",
                "breathless_lying_flat",
            },
        ),
        (
            "Here's what I DON'T have: weakness, slurred speech or trouble swallowing. "
            "What I DO have: twitching in my calves.",
            {"twitch_site_leg"},
            {"weakness", "speech_change", "swallow_difficulty"},
        ),
        (
            "No weakness, which is a relief, but lots of cramps, which isn't.",
            {"cramp_present"},
            {"weakness"},
        ),
        ("The neurologist couldn't see any wasting.", set(), {"muscle_wasting"}),
        (
            "A cramp in my calf for 20 minutes now and stretching isn't doing a thing.",
            {"cramp_site_leg"},
            {"cramp_eased_by_stretch"},
        ),
        (
            "Maybe a month? Could be longer, I can't remember when the twitching in my feet "
            "started.",
            {"twitch_site_leg"},
            set(),
        ),
        ("no numbness round my bum and I pee normally", set(), {"saddle_numbness"}),
        # A remedy that failed denies only that the remedy eases the cramp.
        (
            "The cramp lasted 15 minutes and flexing my foot made no difference at all.",
            {"cramp_present"},
            {"cramp_eased_by_stretch"},
        ),
        ("Stretching doesn't help my cramps", {"cramp_present"}, {"cramp_eased_by_stretch"}),
        ("Apart from my left thumb twitching I'm fine.", {"twitch_site_arm_hand"}, set()),
        ("Twitch yes, weakness no, numbness no.", {"twitch_present"}, {"weakness", "numbness"}),
        (
            "Haven't had a proper night in weeks - the cramps in my feet wake me.",
            {"cramp_site_leg"},
            set(),
        ),
        ("No sooner do I lie down than my feet start twitching.", {"twitch_site_leg"}, set()),
        ("His eyelid twitches. He says he's not worried about anything.", set(), {"stress_high"}),
        ("I've been worried sick about work and my calf twitches", {"stress_high"}, set()),
        (
            "My speech and my swallowing were unaffected throughout.",
            set(),
            {"speech_change", "swallow_difficulty"},
        ),
        ("I try stretch, I try walking, nothing help.", set(), {"cramp_eased_by_stretch"}),
        ("my words come out normally", set(), {"speech_change"}),
        ("I can get out of a low chair without using my hands", set(), {"weakness_proximal"}),
        ("my grip has gone weak and my voice has gone nasal", {"weakness"}, set()),
        ("my calf is twitching and my legs are fine", {"twitch_present"}, set()),
        ("I can get cramps at night", {"cramp_at_night"}, set()),
        ("Slurred speech N\nSwallowing problems N\nTwitching Y", set(), {"speech_change"}),
        (
            "There's no restless feeling in the evenings - it's a proper cramp in my calf.",
            {"cramp_present"},
            set(),
        ),
        ("calves cramp after runs and at night too, maybe 4x a wk", {"cramp_at_night"}, set()),
    ],
)
def test_negation_reaches_what_it_should_and_no_further(
    text: str, present: set[str], absent: set[str]
) -> None:
    r = parse(text, KB)
    assert present <= set(r.present()), r.present()
    assert absent <= set(r.absent()), r.absent()
    assert not present & set(r.absent())


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Cramps in my hands and feet, plus twitching around my mouth.", "tingling_mouth_fingers"),
        ("Absent: weakness and atrophy.", "awareness_lost"),
        ("Her arms and legs are weak and she says her heart's jumping about.", "twitch_present"),
        ("random spots on my back and stomach twitch", "rash"),
        ("random spots on my back and stomach twitch", "unusual_bruising_bleeding"),
        ("I can't stop twitching. It won't go away, 4 months now.", "calf_pain_constant"),
        ("I've been jumpy and anxious lately", "twitch_present"),
        ("Both my feet buzz, it's the skin of the soles fizzing", "twitch_present"),
        ("my heart pops and thumps in my chest", "twitch_present"),
        ("I can do the stairs without the handrail", "weakness_proximal"),
        ("after the panic I was breathing really fast", "breathless_at_rest"),
        ("My cheek twitches and I panicked it was a stroke", "weakness_one_side_sudden"),
        # A fear of one illness is not life stress.
        ("I'm 70 so I worried it's a stroke, but my face isn't drooping", "stress_high"),
    ],
)
def test_look_alikes_are_not_read_as_findings(text: str, finding: str) -> None:
    assert finding not in parse(text, KB).present()


def test_an_age_in_weeks_is_no_duration_but_a_twitch_so_old_is() -> None:
    values = {v.id for v in parse("My daughter is 4 weeks old and my eyelid twitches", KB).values}
    assert "twitch_duration_weeks" not in values
    r = parse("The twitching in my palm is 3 months old", KB)
    assert {v.id: v.value for v in r.values}["twitch_duration_weeks"] == pytest.approx(13.04, 0.01)


def test_each_line_of_a_form_is_its_own_sentence() -> None:
    text = (
        "Weakness - N\nNumbness - N\nSwallowing - fine\n"
        "Twitching - Y, tongue + both forearms\nHow long - 2 months"
    )
    r = parse(text, KB)
    assert {"weakness", "numbness", "swallow_difficulty"} <= set(r.absent())
    assert {"tongue_twitch", "twitch_site_arm_hand"} <= set(r.present())
    # A denial on one line does not reach the next.
    r = parse("Fever? none\nTwitching: calves, since spin class yesterday", KB)
    assert "twitch_site_leg" in r.present() and "fever" in r.absent()
