"""Numbers in free text: durations, cramp length and frequency, caffeine, alcohol,
sleep, temperature, pregnancy weeks, age and sex.

Amount words (drinks, alcohol, number words, sexes) come from
``nlp/data/lexicon.yaml``; only units of time and measure are in the patterns.
A value is attached to a finding only when the sentence says what it is about
(a duration counts as the twitch's when the sentence mentions twitching).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from pydantic import BaseModel, ConfigDict
from spacy.tokens import Doc, Span

from myotriage.engine.evidence import Sex
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import FindingKind
from myotriage.nlp.lexicon import Lexicon

WEEKS = {
    "day": 1 / 7,
    "week": 1.0,
    "fortnight": 2.0,
    "month": 4.345,
    "year": 52.18,
    # Abbreviations people type into symptom checkers ("2wks", "6 mo"). Not a bare
    # "d": with the number word "an" it would read "and" as a day.
    "wk": 1.0,
    "mth": 4.345,
    "mo": 4.345,
    "yr": 52.18,
}
MINUTES = {"second": 1 / 60, "sec": 1 / 60, "minute": 1.0, "min": 1.0, "hour": 60.0, "hr": 60.0}
PER_WEEK = {
    "night": 7.0,
    "nite": 7.0,
    "wk": 1.0,
    "day": 7.0,
    "evening": 7.0,
    "week": 1.0,
    "fortnight": 0.5,
    "month": 1 / 4.345,
}
OWNER_WORDS = r"(?:my|his|her|our|their|a)"
# The complaints numbers are read for: a sentence about one is not about the other.
COMPLAINTS = frozenset({"twitch_present", "cramp_present"})
OWN_TIMES = frozenset(
    {
        FindingKind.medication,
        FindingKind.condition_history,
        FindingKind.exposure,
        FindingKind.risk_factor,
    }
)
MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# "since March" names a month, not a day: count from its middle, or from the
# day the words point to ("early March" the 1st, "late March" the 24th).
MONTH_DAY = {"early": 1, "start of": 1, "beginning of": 1, "mid": 15, "late": 24, "end of": 24}
SINCE_MONTH = re.compile(
    r"\bsince\s+(?:(?:the\s+)?(?P<part>early|mid|late|start of|beginning of|end of)[\s-]+)?"
    r"(?:last\s+)?(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
    r"(?:\s+(?P<year>(?:19|20)\d\d))?",
    re.IGNORECASE,
)


def weeks_since_month(month: int, year: int | None, part: str | None, today: date) -> float | None:
    """Weeks from the named month (its middle unless ``part`` says) to ``today``.

    Without a year, the latest such month not after today; a date in the
    future (with an explicit year) gives None.
    """
    day = MONTH_DAY.get(part or "", 15)
    start = date(year if year is not None else today.year, month, day)
    if start > today and year is None:
        # "since March" said in March before the 15th: the month has barely begun.
        start = (
            date(today.year, month, 1)
            if month == today.month
            else start.replace(year=today.year - 1)
        )
    if start > today:
        return None
    return (today - start).days / 7


# Between a sleep word and its hours: no sentence end, other number, or word that
# makes the hours something else's ("slept badly and the cramp lasted 2 hours").
_SLEEP_GAP = (
    r"(?:(?!\b(?:cramp|twitch|spasm|last|lasted|lasting|lasts|ago|for|work|shift|drive)\w*)"
    r"[^.!?\d]){0,40}?"
)
# A reading such as "38.5" counts as a temperature near one of these words.
_FEVER_WORDS = re.compile(
    r"\b(?:thermometer|fever\w*|temp\w*|febrile|shiver\w*|armpit|forehead|burning up"
    r"|under (?:his|her|my|the) arm)\b"
)


class ParsedValue(BaseModel):
    """A number found in the text, in the finding's unit, with its character span."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    value: float
    unit: str
    start: int
    end: int
    text: str


def _alternation(words: list[str]) -> str:
    return _alternation_of(tuple(words))


@lru_cache(maxsize=256)
def _alternation_of(words: tuple[str, ...]) -> str:
    # Built once per word list: the lexicon's lists do not change between messages.
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


class _Numbers:
    def __init__(self, lexicon: Lexicon) -> None:
        self.words = {k.lower(): v for k, v in lexicon.numbers.items()}
        # "five and a half": the half is added by value().
        self.one = (
            rf"(?:(?:\d+(?:\.\d+)?(?:ish)?|(?:{_alternation(list(self.words))})(?:-?ish)?)"
            r"(?:\s+and\s+a\s+half)?)"
        )
        # "4 or 5", "4-5", "4 to 5": take the larger, the safer reading.
        self.pattern = self.group("num")

    def group(self, name: str) -> str:
        """A named group matching a number or a range of two."""
        one = self.one
        return rf"(?P<{name}>between\s+{one}\s+and\s+{one}|{one}(?:\s*(?:-|–|to|or)\s*{one})?)"

    def value(self, raw: str, middle: bool = False) -> float | None:
        """The number, or for a range its larger end (the safer reading) or, with
        ``middle``, its midpoint."""
        low = raw.strip().lower()
        if low.startswith("between"):
            low = re.sub(r"\s+and\s+(?!a half)", " to ", low.removeprefix("between").strip())
        parts = re.split(r"\s*(?:-|–|\bto\b|\bor\b)\s*", low)
        vals = []
        for p in parts:
            if not p:
                continue
            half = 0.0
            p = p.removesuffix("ish").removesuffix("-")
            if p.endswith("and a half"):
                p, half = p[: -len("and a half")].strip(), 0.5
            try:
                vals.append(float(p) + half)
            except ValueError:
                if p in self.words:
                    vals.append(self.words[p] + half)
        if not vals:
            return None
        return (min(vals) + max(vals)) / 2 if middle else max(vals)


def _sentence_of(doc: Doc, char: int) -> Span | None:
    for sent in doc.sents:
        if sent.start_char <= char < sent.end_char:
            return sent
    return None


def _mentions(doc: Doc, sent: Span | None, kb: KnowledgeBase, root: str) -> bool:
    if sent is None:
        return False
    for span in doc.spans.get("myotriage", []):
        fid = span.label_.partition(":")[2]
        if (
            span.sent == sent
            and fid in kb.findings
            and (fid == root or root in kb.ancestors.get(fid, ()))
            and not (span._.is_negated or span._.is_family or span._.is_hypothetical)
        ):
            return True
    return False


def _dates_something_else(doc: Doc, kb: KnowledgeBase, start: int, end: int) -> bool:
    """Whether the finding nearest to the characters ``start:end`` in their sentence is
    someone else's ("my dad had a stroke two years ago, so when my eyelid ...") or has
    a time of its own ("been on omeprazole like 5 yrs, twitches 4 wks")."""
    sent = _sentence_of(doc, start)
    best: tuple[int, bool] | None = None
    text = doc.text
    dated_by_it = (
        sent is not None
        and re.search(
            r"\b(?:ever since|since then|since starting|since i started)\b", sent.text.lower()
        )
        is not None
    )
    for span in doc.spans.get("myotriage", []):
        if span.sent != sent:
            continue
        between = (
            text[span.end_char : start] if span.end_char <= start else text[end : span.start_char]
        )
        if re.search(r"[,;:()]", between):
            continue  # another clause: "on omeprazole 5 yrs, twitches 4 wks"
        fid = span.label_.partition(":")[2]
        # "Started sertraline 3 weeks ago and I've twitched ever since": the start of
        # the medicine dates the twitching.
        elsewhere = bool(span._.is_family) or (
            fid in kb.findings and kb.findings[fid].kind in OWN_TIMES and not dated_by_it
        )
        gap = max(span.start_char - end, start - span.end_char, 0)
        if best is None or gap < best[0]:
            best = (gap, elsewhere)
    return best is not None and best[1]


def _about(doc: Doc, sent: Span | None, kb: KnowledgeBase, root: str, longest: int = 8) -> bool:
    """Whether a number in ``sent`` is about ``root``: the sentence mentions it, or it
    is a short sentence (at most ``longest`` tokens) naming no other complaint and no
    medicine, illness or habit of its own that either follows one that does ("Calf
    twitching. Started 3 weeks ago.") or leads into one that does with when it began
    ("Started 10 days ago. Left calf, little flickers.")."""
    if sent is None:
        return False
    if _mentions(doc, sent, kb, root):
        return True
    if len(sent) > longest:
        return False
    # A follow-up may add details of the same complaint ("Lasts 2-3 mins then goes if I
    # pull my toes up"), but not another complaint ("My eyelid twitches too, 3 weeks"),
    # nor a medicine, illness or habit, which have durations of their own.
    if any(_mentions(doc, sent, kb, other) for other in COMPLAINTS - {root}):
        return False
    for span in doc.spans.get("myotriage", []):
        fid = span.label_.partition(":")[2]
        if span.sent == sent and fid in kb.findings and kb.findings[fid].kind in OWN_TIMES:
            return False
    if sent.start > 0 and _mentions(doc, doc[sent.start - 1].sent, kb, root):
        return True
    return (
        sent.end < len(doc)
        and re.match(
            r"\s*(?:it\s+|this\s+|they\s+)?(?:started|began|kicked off)\b", sent.text.lower()
        )
        is not None
        and _mentions(doc, doc[sent.end].sent, kb, root)
    )


def extract_values(
    text: str, doc: Doc, lexicon: Lexicon, kb: KnowledgeBase, today: date | None = None
) -> tuple[list[ParsedValue], float | None, Sex | None]:
    """Values found in ``text`` (``doc`` is its parsed form), plus stated age and sex.

    ``today`` anchors durations given as a month ("since March"); without it
    they are left out, keeping the function pure.
    """
    low = text.lower()
    num = _Numbers(lexicon)
    n = num.pattern
    out: list[ParsedValue] = []

    def add(fid: str, value: float, m: re.Match[str], unit: str) -> None:
        f = kb.findings[fid]
        if f.range is not None and not f.range.min <= value <= f.range.max:
            return
        if any(v.id == fid for v in out):
            return  # the first statement of a value wins
        out.append(
            ParsedValue(
                id=fid,
                value=round(value, 3),
                unit=unit,
                start=m.start(),
                end=m.end(),
                text=text[m.start() : m.end()],
            )
        )

    def phrase_values(
        table: dict[str, float], about: str, fid: str, unit: str, follow_up: int = 0
    ) -> None:
        # A phrase from the lexicon ("for months", "most nights") gives its value when
        # its sentence is about the finding, or (``follow_up`` > 0) is a short follow-up
        # of one that is.
        for phrase, value in table.items():
            for m in re.finditer(rf"\b{re.escape(phrase)}\b", low):
                if _used_to(low, m.start()):
                    continue  # how often or how long it used to be
                sent = _sentence_of(doc, m.start())
                if (
                    _about(doc, sent, kb, about, longest=follow_up)
                    if follow_up
                    else _mentions(doc, sent, kb, about)
                ):
                    add(fid, value, m, unit)

    # Pregnancy weeks first, so "28 weeks pregnant" is not read as a duration.
    preg_spans = []
    pregnancy_words = r"(?:preg\w*|along|gestation|gone|with my (?:first|second|third|fourth|baby))"
    for m in re.finditer(rf"\b{n}\s*(?:weeks?|wks?)\s*{pregnancy_words}", low):
        v = num.value(m.group("num"))
        if v is not None:
            add("pregnancy_weeks", v, m, "weeks")
            preg_spans.append((m.start(), m.end()))

    for m in re.finditer(
        rf"\bpregnant\s*[:\-–]\s*(?:yes,?\s*)?(?:about\s+)?{n}\s*(?:weeks?|wks?)\b", low
    ):
        v = num.value(m.group("num"))
        if v is not None:
            add("pregnancy_weeks", v, m, "weeks")
            preg_spans.append((m.start(), m.end()))

    for m in re.finditer(rf"\b{n}\s*months?\s*pregnant", low):
        v = num.value(m.group("num"))
        if v is not None:
            add("pregnancy_weeks", v * WEEKS["month"], m, "weeks")
            preg_spans.append((m.start(), m.end()))

    # Twitch duration: "for 3 weeks", "since two months", "5 days ago"; vague "for months".
    unit_words = "|".join(sorted(WEEKS, key=len, reverse=True))
    for m in re.finditer(
        rf"\b{n}\s*(?:(?:good|solid|full|whole)\s+)?(?P<unit>{unit_words})s?\b", low
    ):
        if any(a <= m.start() < b for a, b in preg_spans):
            continue
        if re.search(r"\btimes?\s*$", low[: m.start()]):
            continue  # "a few times a day" is how often, not how long
        if re.match(r"[\s-]*old\b", low[m.end() :]) and not re.search(
            r"\b(?:twitch\w*|flicker\w*|jump\w*|spasm\w*)\b[^.,;]{0,30}\b(?:is|are|'s)\s*$",
            low[: m.start()],
        ):
            continue  # "my daughter is 4 weeks old" is an age; "the twitch is 3 months old" not
        if (
            m.group("num") in ("a", "an")
            and not low[m.end() :].startswith(" ago")
            and not re.search(
                r"(?:^|[.!?,;:(]|\b(?:for|about|around|almost|nearly|over|past|last|than|just|only|"
                r"since|roughly|maybe|in|of|whole|entire|like))\s*$",
                low[: m.start()],
            )
        ):
            continue  # "3 coffees a day" is a rate, not how long the twitching has gone on
        sent = _sentence_of(doc, m.start())
        if not _about(doc, sent, kb, "twitch_present", longest=12):
            continue
        if _dates_something_else(doc, kb, m.start(), m.end()):
            continue  # the time of someone else's illness, or of a medicine or habit
        v = num.value(m.group("num"))
        if v is not None:
            if low[m.end() :].startswith(" and a half"):
                v += 0.5  # "a month and a half"
            add("twitch_duration_weeks", v * WEEKS[m.group("unit")], m, "weeks")
    # Clinical shorthand: "x10/7" ten days, "3/52" three weeks, "over 6/12" six months.
    # Only with "x"/"for"/"over" before it, or over 52: "3/12" alone may be a date.
    for m in re.finditer(
        r"(?:\b(?P<pre>x|for|over|past|last)\s*|\b)(?P<num>\d{1,2})\s*/\s*(?P<den>7|52|12)\b",
        low,
    ):
        if m.group("pre") is None and m.group("den") != "52":
            continue
        if not _about(doc, _sentence_of(doc, m.start()), kb, "twitch_present"):
            continue
        per = {"7": WEEKS["day"], "52": 1.0, "12": WEEKS["month"]}[m.group("den")]
        add("twitch_duration_weeks", int(m.group("num")) * per, m, "weeks")
    if today is not None:
        for m in SINCE_MONTH.finditer(text):
            word = m.group("month")
            if word.lower() == "may" and word != "May":
                continue  # "since may" is more likely the verb than the month
            if not _mentions(doc, _sentence_of(doc, m.start()), kb, "twitch_present"):
                continue
            year = int(m.group("year")) if m.group("year") else None
            part = (m.group("part") or "").lower() or None
            weeks = weeks_since_month(MONTHS[word.lower()], year, part, today)
            if weeks is not None:
                add("twitch_duration_weeks", weeks, m, "weeks")
        if lexicon.dated_days:
            days = "|".join(sorted(map(re.escape, lexicon.dated_days), key=len, reverse=True))
            for m in re.finditer(rf"\bsince\s+(?:last\s+)?(?P<day>{days})(?![\w'])", low):
                if not _mentions(doc, _sentence_of(doc, m.start()), kb, "twitch_present"):
                    continue
                month, day = lexicon.dated_days[m.group("day")]
                start = date(today.year, month, day)
                if start > today:
                    start = start.replace(year=today.year - 1)
                add("twitch_duration_weeks", (today - start).days / 7, m, "weeks")
        for m, start in _since_dates(low, today):
            if _mentions(doc, _sentence_of(doc, m.start()), kb, "twitch_present"):
                add("twitch_duration_weeks", (today - start).days / 7, m, "weeks")
    # "Day 16 of the twitching": a count of days the writer keeps.
    for m in re.finditer(r"\bday\s+(?P<num>\d{1,3})\s+of\b", low):
        if _mentions(doc, _sentence_of(doc, m.start()), kb, "twitch_present"):
            add("twitch_duration_weeks", int(m.group("num")) / 7, m, "weeks")
    phrase_values(lexicon.vague_durations, "twitch_present", "twitch_duration_weeks", "weeks")

    # Cramp length said in words ("a minute or two") first: its numbers are not the length.
    phrase_values(
        lexicon.vague_lengths, "cramp_present", "cramp_duration_minutes", "minutes", follow_up=16
    )
    # Cramp length: "lasts 20 minutes", "a few seconds". Hours count only with a
    # "lasting" verb, and "for hours afterwards" is timing, not length.
    for m in re.finditer(
        rf"\b{n}\s*(?P<unit>{'|'.join(MINUTES)})s?\b"
        r"(?P<after>\s*(?:after|later|ago|of(?!\s+(?:cramps?|cramping|it|pain|agony|spasms?))))?",
        low,
    ):
        if m.group("after") or re.search(
            r"\b(?:the|in the)\s+(?:last|first|final)\s*$"
            r"|\b(?:stretch\w*|walk\w*|ran|run\w*|jog\w*|soak\w*|bath\w*|massag\w*|exercis\w*)"
            r"\s+(?:\w+\s+)?for\s+(?:about\s+|around\s+)?$",
            low[: m.start()],
        ):
            continue  # "90 minutes of football", "in the last 10 mins": not how long it lasted
        if MINUTES[m.group("unit")] >= 60 and not re.search(
            r"\blast(?:s|ed|ing)?\b", low[max(0, m.start() - 40) : m.start()]
        ):
            continue
        # A cramp's length is often said in the next sentence ("Stretching makes it let
        # go in about thirty seconds"); minutes and seconds are rarely anything else.
        if _about(doc, _sentence_of(doc, m.start()), kb, "cramp_present", longest=24):
            v = num.value(m.group("num"), middle=True)
            if v is not None:
                add("cramp_duration_minutes", v * MINUTES[m.group("unit")], m, "minutes")

    # Cramp frequency: "N nights out of 7", "N times a week", then phrases from the lexicon
    # (a number said is more exact than "most nights", and the first value found wins).
    for m in re.finditer(rf"\b{n}\s*(?:times|nights|days|evenings)\s*out of\s*(?:7|seven)\b", low):
        if _about(doc, _sentence_of(doc, m.start()), kb, "cramp_present"):
            v = num.value(m.group("num"), middle=True)
            if v is not None:
                add("cramp_per_week", v, m, "per_week")
    for m in re.finditer(
        rf"\b(?:{n}\s*(?:cramps?\s*)?(?:times?|nights?|days?|evenings?|afternoons?|mornings?)?"
        rf"|once|twice)\s*(?:a|per|each|every|in a|in)"
        rf"\s*(?P<per>night|nite|day|week|wk|fortnight|month)\b",
        low,
    ):
        before_per = m.group(0)[: m.start("per") - m.start()]
        bare = not re.search(
            r"\b(?:times?|nights?|days?|evenings?|afternoons?|mornings?|once|twice|cramps?)\b",
            before_per,
        )
        if _used_to(low, m.start()):
            continue  # "cramps used to be about once a month": how often they were
        if bare and m.group("per") in ("night", "day"):
            continue  # "three a week" is cramps; "five a day" is fruit
        # How often is often said in a follow-up ("Leg cramps for years. These days it's
        # about twice a week, always in bed."). A range counts by its middle.
        if _about(doc, _sentence_of(doc, m.start()), kb, "cramp_present", longest=24):
            raw = m.group(0).split()[0]
            count = {"once": 1.0, "twice": 2.0}.get(raw) or num.value(
                m.group("num") or "", middle=True
            )
            if count is not None:
                add("cramp_per_week", count * PER_WEEK[m.group("per")], m, "per_week")
    # Shorthand: "2x/wk", "3x a week", "x4 per week".
    for m in re.finditer(
        rf"(?:\b{n}\s*x|\bx\s*{num.group('num2')})\s*(?:/|a|per|each)\s*(?P<per>week|wk|day|night)\b",
        low,
    ):
        if _about(doc, _sentence_of(doc, m.start()), kb, "cramp_present", longest=24):
            count = num.value(next(g for g in (m.group("num"), m.group("num2")) if g), middle=True)
            if count is not None:
                add("cramp_per_week", count * PER_WEEK[m.group("per")], m, "per_week")
    phrase_values(
        lexicon.frequency_phrases, "cramp_present", "cramp_per_week", "per_week", follow_up=24
    )

    # Caffeine: counted drinks summed; or milligrams stated.
    m_mg = re.search(rf"\b{n}\s*mg\b[^.]*?caffeine|caffeine[^.]*?\b{num.group('num2')}\s*mg\b", low)
    if m_mg:
        v = num.value(next(g for g in m_mg.groups() if g))
        if v is not None:
            add("caffeine_mg_per_day", v, m_mg, "mg_per_day")
    counted: list[tuple[re.Match[str], float]] = []  # each count of drinks, with its mg
    for drink in lexicon.drinks:
        # "two 250 ml energy drinks", "a big mug of coffee": sizes are skipped over.
        size = (
            r"(?:(?:cans?|bottles?|tins?)\s+of\s+(?:the\s+)?|of\s+the\s+)?"
            r"(?:(?:big|large|small|tall)\s+)?(?:(?P<ml>\d+)\s*ml\s*)?"
        )
        # (?!\d): "500ml Monsters" is no count of 50 drinks of "0ml".
        pattern = rf"\b{n}(?![\d.])\s*(?:x\s*)?{size}(?:{_alternation(drink.words)})\b"
        for m in re.finditer(pattern, low):
            count = num.value(m.group("num"))
            if count is None:
                continue
            mg = drink.mg
            if drink.ml is not None and m.group("ml") and 100 <= int(m.group("ml")) <= 1000:
                mg *= int(m.group("ml")) / drink.ml
            counted.append((m, count * mg))
    # Form answers: "Coffee: 4 cups/day", "Tea - 3", "energy drinks: 2 cans".
    for m in re.finditer(
        rf"\b(?P<drink>[a-z][a-z ]{{1,20}}?)\s*[:\-–]\s*(?:about|around|approx\.?|~|maybe)?\s*"
        rf"{n}\s*(?:cups?|mugs?|cans?|shots?|glasses?|bottles?)?\b",
        low,
    ):
        labelled = next((d for d in lexicon.drinks if m.group("drink").strip() in d.words), None)
        count = num.value(m.group("num"))
        if labelled is not None and count is not None and count <= 30:
            counted.append((m, count * labelled.mg))
    total = sum(mg for _, mg in counted)
    if counted and total > 0:
        said_from = min(m.start() for m, _ in counted)
        said_to = max(m.end() for m, _ in counted)
        span = re.search(re.escape(low[said_from:said_to]), low)
        if span is not None:
            add("caffeine_mg_per_day", total, span, "mg_per_day")

    # Said to be none at all: "Caffeine: none", "I don't drink alcohol", "teetotal".
    none_said = r"\s*[:\-]\s*(?:none|nil|zero|0)\b"
    no_caffeine = re.search(
        rf"\bcaffeine{none_said}|\b(?:no|zero) caffeine\b|\b(?:don'?t|do not|never) (?:drink|have) "
        r"(?:any )?(?:coffee|caffeine)\b",
        low,
    )
    if no_caffeine:
        add("caffeine_mg_per_day", 0.0, no_caffeine, "mg_per_day")
    no_alcohol = re.search(
        rf"\b(?:alcohol|booze){none_said}|\bteetotal\b|\btee-total\b|\bsober for\b"
        r"|\b(?:don'?t|do not|never|doesn'?t|does not) (?:drink|touch|take) "
        r"(?:any )?(?:alcohol|booze)\b"
        r"|\bno alcohol\b"
        r"|\bnever drink\b(?! (?:coffee|tea|energy|cola|coke|fizzy|water|much|enough))"
        r"|\b(?:don'?t|do not|never) drink(?=\s*(?:[.,;!]|$|at all\b|any ?more\b))"
        r"|\b(?:haven'?t|have not|not|never|don'?t) (?:touched|touch) a drop\b"
        r"|\b(?:been|i'?m|stayed|staying) sober\b|\bnever been a drinker\b|\bnot a drinker\b"
        r"|\bnon-?drinker\b"
        r"|\bi'?m (?:completely |totally )?(?:sober|dry) now\b"
        r"|\b(?:gave up|given up|giving up|quit|stopped|off the) (?:the )?"
        r"(?:booze|alcohol|drinking)\b",
        low,
    )

    # Alcohol units a week: each counted drink times how often it is drunk, said after it
    # in its clause ("a bottle of vodka most days") or before it ("twice a week, 4 double
    # vodkas each time"); units said per drink ("4 units a can") price the drinks.
    per_drink = re.search(
        rf"\b{num.group('num2')}\s*units?\s*(?:a|per|each|in a|in each|in every)\s*"
        r"(?:can|pint|glass|bottle|drink|measure|shot|one)\b",
        low,
    )
    units, first = 0.0, None
    for booze in lexicon.alcohol:
        pattern = (
            rf"\b{n}(?![\d.])\s*(?:\d+\s*(?:cl|ml|litres?|liters?|l)\s+)?"
            rf"(?:{_alternation(booze.words)})\b"
            r"(?:(?:\s+(?:with|at|of|in)\s+\w+)?\s*(?:a|per|each|every)\s*"
            r"(?P<per>night|day|evening|week|fortnight|month)\b)?"
        )
        found = [
            m
            for m in re.finditer(pattern, low)
            if not (per_drink and per_drink.start() <= m.start() < per_drink.end())
        ]
        if any(m.group("per") == "week" for m in found):
            # A weekly figure ("a pint or two most evenings, call it 10 pints a week") is
            # the writer's own sum for that drink.
            found = [m for m in found if m.group("per") == "week"]
        for m in found:
            count = num.value(m.group("num"))
            if count is None:
                continue
            said: str | None = m.group("per")
            if booze.units == 1 and "unit" in m.group(0):
                # Units said outright ("about 70 units a week") are the writer's own sum.
                units, first = count * PER_WEEK.get(said or "week", 1.0), m
                break
            each = float(num.value(per_drink.group("num2")) or 0) if per_drink else booze.units
            rate = PER_WEEK[said] if said else _drinking_rate(low, m.start(), m.end(), num)
            if said in ("night", "day", "evening"):
                # "a night at weekends", "a night Thursday to Sunday": not every night.
                clause = _CLAUSE_END.split(low[m.end() : m.end() + 40])[0]
                rate = _days_of_week(clause) or (2.0 if _WEEKEND.search(clause) else rate)
            units += count * each * (rate if rate is not None else 1.0)
            units += _more_on_other_days(low, m.end(), num) * each
            first = first or m
        else:
            continue
        break
    if first is not None and units > 0:
        add("alcohol_units_per_week", units, first, "units_per_week")
    elif no_alcohol:
        add("alcohol_units_per_week", 0.0, no_alcohol, "units_per_week")

    # Sleep hours: "5 hours of sleep", "sleeping 6h"; or hours said close after a
    # sleep word ("Sleep: crap, 5-6 hrs", "I don't sleep - I get a solid 8 hours").
    # A range counts by its middle: "5-6 hours" is under six hours most nights.
    for m in re.finditer(
        rf"\b{n}\s*(?:hours?|hrs?)'?\s*(?:of\s*)?(?:sleep|kip|a night|per night|each night)"
        rf"|\bsleep(?:ing|'s| is)?"
        r"\s*(?:down to|only|about|around|maybe|just|barely|like|more than|over)?"
        rf"\s*{num.group('num2')}"
        rf"\s*(?:hours?|hrs?|h)\b"
        rf"|\b(?:sleep\w*|slept|kip)\b{_SLEEP_GAP}{num.group('num3')}\s*(?:hours?|hrs?|h)\b",
        low,
    ):
        v = num.value(next(g for g in m.groups() if g), middle=True)
        if v is not None and v <= 16:
            add("sleep_hours_per_night", v, m, "hours")

    # Temperature, Celsius or Fahrenheit.
    for m in re.finditer(
        r"(?:\btemp(?:erature)?\b[^.\d]{0,20})?\b(?P<t>\d{2,3}(?:\.\d+)?)\s*"
        r"(?:°|degrees?|deg)?\s*(?P<scale>c|celsius|f|fahrenheit)?\b",
        low,
    ):
        t = float(m.group("t"))
        scale = m.group("scale")
        has_temp_word = "temp" in m.group(0)
        if scale in ("f", "fahrenheit") or (scale is None and has_temp_word and 90 <= t <= 110):
            t = (t - 32) * 5 / 9
        elif (
            scale is None
            and not has_temp_word
            and not (
                "." in m.group("t")
                and _FEVER_WORDS.search(low[max(0, m.start() - 60) : m.end() + 60])
            )
        ):
            continue
        if 34 <= t <= 44:
            add("temperature_celsius", t, m, "celsius")

    age, sex = _age_sex(low, num, lexicon)
    return out, age, sex


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?"


def _days_named(text: str) -> int | None:
    """Days of the week a phrase covers: "Monday to Thursday" 4, "Fridays and Saturdays" 2."""
    span = re.search(rf"\b({_DAY})\s*(?:to|-|–|through|till|until)\s*({_DAY})\b", text)
    if span:
        a, b = (_WEEKDAYS.index(g[:3]) for g in span.groups())
        return (b - a) % 7 + 1
    named = {d[:3] for d in re.findall(rf"\b(?:on\s+(?:a\s+)?)?({_DAY})\b", text)}
    return len(named) or None


# Where a drinking phrase's clause ends: "3 pints a night at weekends, and wine".
_CLAUSE_END = re.compile(r"[.!?;,(]|\b(?:and|but)\b")
_WEEKEND = re.compile(r"\b(?:at|on|over)\s+(?:the\s+)?weekends?\b|\bweekends\b")


def _days_of_week(text: str) -> float | None:
    """Days of the week a phrase names ("on weeknights" 5, "Monday to Thursday" 4);
    weekends are told apart by the caller (``_WEEKEND``)."""
    if re.search(r"\bweeknights?\b|\bweekdays\b", text):
        return 5.0
    days = _days_named(text)
    return float(days) if days else None


def _drinking_rate(low: str, start: int, end: int, num: _Numbers) -> float | None:
    """Times a week the drink at ``low[start:end]`` is drunk, from its clause: what
    follows it up to the clause's end, else what comes before it in the sentence."""
    stop = _CLAUSE_END.search(low[end:])
    after = low[end : end + (stop.start() if stop else len(low))][:60]
    head = re.split(r"[.!?;]", low[max(0, start - 80) : start])[-1]
    if not re.search(r"\b(?:each|a|every|per)\s+(?:time|session|night out|time i go out)\b", after):
        head = head.rsplit(",", 1)[-1]  # "twice a week, 4 vodkas each time": the rate is earlier
    for text in (after, head):
        weekend = _WEEKEND.search(text)
        days = _days_of_week(text)
        if re.search(r"\b(?:most|nearly every|almost every)\s+(?:nights?|days?|evenings?)\b", text):
            return 5.5  # "most nights": five or six
        if re.search(
            r"\b(?:a|per|each|every|every single)\s+(?:night|nite|day|evening)\b"
            r"|\b(?:nightly|daily)\b",
            text,
        ):
            return days or (2.0 if weekend else 7.0)
        how_often = re.search(
            rf"\b(?:(?P<word>once|twice)|{num.group('n2')}\s*(?:times|nights|days|evenings))"
            r"\s*(?:a|per|each|every)\s*(?P<per>week|wk|fortnight|month)\b",
            text,
        )
        if how_often:
            times = {"once": 1.0, "twice": 2.0}.get(how_often.group("word") or "") or (
                num.value(how_often.group("n2") or "", middle=True) or 1.0
            )
            return times * PER_WEEK[how_often.group("per")]
        if re.search(r"\b(?:a|per|each|every)\s+(?:month)\b", text):
            return PER_WEEK["month"]
        if days:
            return days
        if weekend or re.search(r"\b(?:a|per|each|every)\s+week\b|\bweekly\b", text):
            return 1.0
    return None


def _more_on_other_days(low: str, end: int, num: _Numbers) -> float:
    """Drinks of the same kind counted on further days straight after a count ("3 pints
    on a Friday, 3 on a Saturday"): their number a week."""
    days = rf"{_DAY}(?:\s*(?:to|-|–|and|&|,)\s*{_DAY})*"
    m = re.match(
        rf"(?:\s*(?:on\s+(?:a\s+)?)?{days})?"
        r"\s*(?:,|and|,\s*and|then|plus)\s*(?:usually\s+|maybe\s+|about\s+|another\s+)?"
        rf"{num.group('n3')}\s+(?:more\s+)?on\s+(?:a\s+)?(?P<days>{days})",
        low[end:],
    )
    if m is None:
        return 0.0
    return (num.value(m.group("n3")) or 0.0) * (_days_named(m.group("days")) or 1)


_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINAL = r"(?P<day>\d{1,2})(?:st|nd|rd|th)"


def _since_dates(low: str, today: date) -> list[tuple[re.Match[str], date]]:
    """Start dates said relative to ``today``: "since Monday", "since last Tuesday",
    "since the beginning of the month", "since the 9th", "since the 3rd of October"."""
    out: list[tuple[re.Match[str], date]] = []
    for m in re.finditer(
        r"\bsince\s+(?:last\s+|on\s+)?(?P<wd>" + "|".join(_WEEKDAY_NAMES) + r")\b", low
    ):
        back = (today.weekday() - _WEEKDAY_NAMES.index(m.group("wd"))) % 7 or 7
        if "last" in m.group(0) and back <= 2:
            back += 7  # said on a Wednesday, "last Tuesday" is the one the week before
        out.append((m, today - timedelta(days=back)))
    for m in re.finditer(r"\bsince\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+month\b", low):
        out.append((m, today.replace(day=1)))
    months = "|".join(sorted(MONTHS, key=len, reverse=True))
    for m in re.finditer(
        rf"\bsince\s+(?:my\s+\w+\s+)?(?:on\s+)?the\s+{_ORDINAL}(?:\s+of\s+(?P<month>{months}))?\b",
        low,
    ):
        day = int(m.group("day"))
        month = MONTHS[m.group("month")] if m.group("month") else today.month
        try:
            start = date(today.year, month, day)
            if start > today:
                start = (
                    start.replace(year=today.year - 1)
                    if m.group("month")
                    else (today.replace(day=1) - timedelta(days=1)).replace(day=day)
                )
        except ValueError:
            continue  # "the 31st" of a shorter month
        out.append((m, start))
    return out


def _used_to(low: str, start: int) -> bool:
    """Whether the clause before ``start`` says how things used to be ("cramps used to be
    about once a month"): a figure for the past, not now."""
    clause = re.split(r"[.!?;,]|\b(?:but|now)\b", low[max(0, start - 60) : start])[-1]
    return re.search(r"\bused to\b", clause) is not None


def _age_sex(low: str, num: _Numbers, lexicon: Lexicon) -> tuple[float | None, Sex | None]:
    sex_words = {w.lower(): s for s, words in lexicon.sex.items() for w in words}
    sexes = _alternation([w for w in sex_words if len(w) > 1])
    n = num.pattern
    age: float | None = None
    sex: Sex | None = None
    patterns = [
        rf"\b(?:i'?m|i am|im|aged|age)\s*(?:a\s*|an\s*)?{n}\b(?!\s*(?:weeks?|months?|days?))"
        rf"(?:\s*(?:years?|yrs?|y/?o)(?:[-\s]*old)?)?(?:\s*(?P<sex>{sexes}))?",
        rf"\b{n}\s*(?:years?|yrs?)[-\s]*old\s*(?P<sex>{sexes})",
        # "34f", "52 / M"; not "100.4F" (a temperature) nor "3.5f".
        r"(?<![\d.])\b(?P<num>\d{1,3})\s*/?\s*(?P<sex>[mf])\b",
        rf"\b(?P<sex>{sexes}),?\s*(?:aged\s*)?(?P<num>\d{{1,3}})\b",
        # A forum header: "F, 52." or "M/34" opening the message or a line.
        r"(?:^|\n)\s*(?P<sex>[mf])\s*[,/]\s*(?P<num>\d{1,3})\b",
    ]
    for p in patterns:
        m = next(
            (
                m
                for m in re.finditer(p, low)
                # "my 70 year old dad" is someone else's age.
                if not re.search(rf"\b{OWNER_WORDS}\s+$", low[max(0, m.start() - 8) : m.start()])
            ),
            None,
        )
        if m is None:
            continue
        v = num.value(m.group("num"))
        if v is not None and 0 <= v <= 120 and age is None:
            age = v
        s = m.groupdict().get("sex")
        if s and sex is None:
            sex = Sex(sex_words.get(s, "female" if s == "f" else "male"))
    if sex is None:
        m = re.search(rf"\b(?:i'?m|i am|im|as)\s+an?\s+(?P<sex>{sexes})\b", low)
        if m:
            sex = Sex(sex_words[m.group("sex")])
    return age, sex
