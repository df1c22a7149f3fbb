"""The parser's language data: phrases, sites, medicines, drinks and context cues.

All words live in ``nlp/data/*.yaml`` (validated here) and in the knowledge
base's finding synonyms; no clinical word is written in the Python code.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from myotriage.errors import KnowledgeError, Problem
from myotriage.knowledge.base import KnowledgeBase

Words = list[Annotated[str, Field(min_length=1)]]
CONTEXTS = ("negated", "uncertain", "hypothetical", "family", "historical", "remedy_failed")

# libyaml's C loader when PyYAML has it (several times faster), else the Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Strict(BaseModel):
    """Base for language data: unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteFinding(Strict):
    """A trigger finding with a site word in the same sentence gives a specific finding."""

    trigger: str
    site: str
    gives: str


class Drink(Strict):
    """Caffeine per item (mg), and for drinks sold in cans of several sizes the volume
    that figure is for (a "500ml" can of it then counts twice a 250 ml one)."""

    words: Words
    mg: Annotated[float, Field(ge=0, le=1000)]
    ml: Annotated[float, Field(gt=0, le=2000)] | None = None


class Alcohol(Strict):
    """Alcohol units per item."""

    words: Words
    units: Annotated[float, Field(ge=0, le=50)]


class DiseaseMention(Strict):
    """A disease named in text: a relative's is family history; one's own fear is worry."""

    words: Words
    family: str | None = None
    worry: str


class Unit(Strict):
    """A unit word and the factor to the finding's unit."""

    words: Words
    factor: float


class Concept(Strict):
    """A finding said in words of one's own: one word from every group, in any order,
    within ``window`` tokens of one clause ("my pee looked like flat coke": a urine
    word and a dark-colour word). ``unless`` words in that stretch, or within
    ``unless_reach`` tokens of it, cancel it (the colour is "dark yellow")."""

    groups: list[list[Annotated[str, Field(min_length=1, pattern=r"^\S+$")]]] = Field(min_length=2)
    window: Annotated[int, Field(ge=1, le=20)] = 8
    unless: Words = Field(default_factory=list)
    unless_reach: Annotated[int, Field(ge=0, le=40)] = 2  # tokens either side
    # The words may sit in different clauses of one sentence ("my legs have gone weak -
    # it's creeping up").
    whole_sentence: bool = False
    # The words deny the finding ("my pee was a normal colour"); with a negation or a
    # hedge among them (``deny_spoilers``) they say nothing.
    deny: bool = False
    # Said only when present: negated, the words say nothing ("my hands never locked
    # into a claw" denies the claw, not every cramp).
    present_only: bool = False


class Concepts(Strict):
    """Findings described in words of one's own, and where a clause ends (a concept's
    words must share one: "no chest pain, breathing fine" is not pain on breathing)."""

    clause_breaks: Words
    clause_openers: Words
    denial_after: Words
    denial_after_marked: Words
    denial_skip: Words
    denial_marks: Words
    deny_spoilers: Words
    denial_before: Words
    # In a sentence with one of these, a past-time cue dates the start of a symptom
    # that goes on ("it started years ago"), not a symptom that is over.
    ongoing_words: Words = Field(default_factory=list)
    site_prepositions: Words
    site_rivals: Words = Field(default_factory=list)
    site_coordinators: Words
    findings: dict[str, list[Concept]]


class Combination(Strict):
    """Two or more of ``findings`` present give ``gives``."""

    findings: list[str] = Field(min_length=2)
    gives: str


class RapidOnset(Strict):
    """A finding with an onset phrase and a single-limb word gives ``gives``."""

    finding: str
    gives: str
    phrases: Words
    limbs: Words


class SlowOnset(Strict):
    """A finding (or one that implies it) with a slow-course phrase in the same sentence
    gives ``gives``, unless it is one of ``not_from`` or the sentence has an ``unless``
    word (a course of days, not months)."""

    finding: str
    gives: str
    phrases: Words
    not_from: list[str] = Field(default_factory=list)
    unless: Words = Field(default_factory=list)


class MedicineStarted(Strict):
    """A medicine with a start or dose-rise phrase just before it (or ``after`` it) gives
    ``gives``."""

    gives: str
    medicines: list[str]
    phrases: Words
    after: Words
    # A start long ago is no new medicine ("put on it years ago").
    long_ago: Words = Field(default_factory=list)


class NoMedicines(Strict):
    """Phrases denying every medicine finding, and words that put one in the past."""

    findings: list[str]
    phrases: Words
    stopped: Words


class DoseEscalation(Strict):
    """A medicine used at least ``min_per_day`` times a day gives ``gives``."""

    medicines: list[str]
    min_per_day: Annotated[float, Field(gt=0)]
    gives: str


class Lexicon(Strict):
    """Everything in ``lexicon.yaml``."""

    phrases: dict[str, Words]
    numbers: dict[str, float]
    sites: dict[str, Words]
    site_findings: list[SiteFinding]
    medicines: dict[str, Words]
    drinks: list[Drink]
    alcohol: list[Alcohol]
    sex: dict[str, Words]
    disease_mentions: list[DiseaseMention] = Field(default_factory=list)
    duration_units: list[Unit] = Field(default_factory=list)
    vague_durations: dict[str, float] = Field(default_factory=dict)
    frequency_phrases: dict[str, float] = Field(default_factory=dict)
    vague_lengths: dict[str, float] = Field(default_factory=dict)
    dated_days: dict[str, Annotated[list[int], Field(min_length=2, max_length=2)]] = Field(
        default_factory=dict
    )
    absent_phrases: dict[str, Words] = Field(default_factory=dict)
    extra_phrases: dict[str, Words] = Field(default_factory=dict)
    combinations: list[Combination] = Field(default_factory=list)
    concepts: Concepts | None = None
    rapid_onset: RapidOnset | None = None
    slow_onset: SlowOnset | None = None
    dose_escalation: DoseEscalation | None = None
    medicine_started: MedicineStarted | None = None
    no_medicines: NoMedicines | None = None
    # Vocabulary synonyms with a common everyday meaning ("coke" the drink): the parser
    # reads them only inside the longer phrases listed for their finding.
    ignored_synonyms: Words = Field(default_factory=list)
    # Relatives too distant for family history ("a close blood relative"): the disease
    # of an uncle or a cousin is not the writer's family history.
    distant_relatives: Words = Field(default_factory=list)
    close_relatives: Words = Field(default_factory=list)
    # Husband, wife, partner: "my husband" is someone else, not the writer ("my" alone is).
    partners: Words = Field(default_factory=list)
    # Labels of a list of what the writer does not have ("Absent: weakness, atrophy"): every
    # finding after one, up to a label of what they do have, is absent.
    list_denials: Words = Field(default_factory=list)
    list_affirms: Words = Field(default_factory=list)
    # Findings that say a remedy works ("eased by stretching"): a remedy said to fail
    # denies these, and only these.
    remedy_findings: Words = Field(default_factory=list)


class Termset(Strict):
    """A negspacy termset (cues before / after a finding, look-alikes, scope breakers)."""

    pseudo_negations: Words
    preceding_negations: Words
    following_negations: Words
    termination: Words


class Context(Strict):
    """Context cues by category, as negspacy termsets."""

    negated: Termset
    uncertain: Termset
    hypothetical: Termset
    family: Termset
    historical: Termset
    # "Stretching made no difference": absent only for a finding a remedy would give
    # (``Lexicon.remedy_findings``); the cramp it was tried on is still there.
    remedy_failed: Termset


def _read(name: str) -> Any:
    text = resources.files("myotriage.nlp").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=SAFE_LOADER)


def load_language(kb: KnowledgeBase) -> tuple[Lexicon, Context]:
    """Load and check the language data against the knowledge base (every problem at once)."""
    problems: list[Problem] = []
    lexicon: Lexicon | None = None
    context: Context | None = None
    sources: list[tuple[str, type[BaseModel], Any]] = [
        (
            "lexicon.yaml + amounts.yaml + concepts.yaml",
            Lexicon,
            {**_read("lexicon.yaml"), **_read("amounts.yaml"), **_read("concepts.yaml")},
        ),
        ("context.yaml", Context, _read("context.yaml")),
    ]
    for name, model, data in sources:
        try:
            obj = model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = " → ".join(str(x) for x in err["loc"])
                problems.append(Problem(f"nlp/data/{name} → {loc}", err["msg"]))
            continue
        if isinstance(obj, Lexicon):
            lexicon = obj
        else:
            context = obj  # type: ignore[assignment]
    if lexicon is not None:
        boolean = {f.id for f in kb.findings.values() if f.type == "boolean" and not f.from_value}
        named = [
            *((f"phrases → {k}", k) for k in lexicon.phrases),
            *((f"medicines → {k}", k) for k in lexicon.medicines),
            *((f"site_findings → {s.gives}", s.gives) for s in lexicon.site_findings),
            *((f"site_findings → {s.trigger}", s.trigger) for s in lexicon.site_findings),
            *(
                (f"disease_mentions → {d.family}", d.family)
                for d in lexicon.disease_mentions
                if d.family is not None
            ),
            *((f"disease_mentions → {d.worry}", d.worry) for d in lexicon.disease_mentions),
            *((f"combinations → {c.gives}", c.gives) for c in lexicon.combinations),
            *(
                (f"medicine_started → {f}", f)
                for m in [lexicon.medicine_started]
                if m is not None
                for f in [m.gives, *m.medicines]
            ),
            *(
                (f"no_medicines → {f}", f)
                for m in [lexicon.no_medicines]
                if m is not None
                for f in m.findings
            ),
            *((f"absent_phrases → {k}", k) for k in lexicon.absent_phrases),
            *((f"extra_phrases → {k}", k) for k in lexicon.extra_phrases),
            *((f"remedy_findings → {k}", k) for k in lexicon.remedy_findings),
            *((f"combinations → {f}", f) for c in lexicon.combinations for f in c.findings),
            *(
                (f"concepts → {k}", k)
                for k in (lexicon.concepts.findings if lexicon.concepts else {})
            ),
        ]
        for where, fid in named:
            if fid not in boolean:
                problems.append(Problem(f"nlp/data/lexicon.yaml → {where}", "not a yes/no finding"))
        for s in lexicon.site_findings:
            if s.site not in lexicon.sites:
                problems.append(
                    Problem(f"nlp/data/lexicon.yaml → site_findings → {s.site}", "unknown site")
                )
    if problems or lexicon is None or context is None:
        raise KnowledgeError("The parser's language data has problems.", problems)
    return lexicon, context
