"""Free text -> evidence: ``parse(text, kb) -> ParseResult``.

Pipeline (spaCy blank English, no model to download):

1. tokenise; each token gets a normalised form: its lowercase word, or the
   lexicon word it is an inflection or a one-letter slip of ("twiching",
   "cramping", "numbess");
2. a PhraseMatcher on those forms finds finding phrases (the knowledge base's
   synonyms plus ``nlp/data/lexicon.yaml``), medicine names, body sites and
   disease names; the longest match wins;
3. negspacy, once per context category with termsets from
   ``nlp/data/context.yaml``, marks each match negated, uncertain,
   hypothetical, about someone else, or historical;
4. a twitch or cramp word and a body site in one sentence give the specific
   finding (calf + twitching -> a leg twitch); numbers become values
   (durations, cramp length and frequency, caffeine, alcohol, sleep,
   temperature, pregnancy weeks, age) and sex is read when the writer states it.

The result keeps the character span of everything found, what was not
understood, and never adds a finding that no phrase matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal, cast

import spacy
from negspacy.negation import Negex
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer  # type: ignore[import-not-found]
from spacy.tokens import Doc, Span
from spacy.util import compile_suffix_regex
from wordfreq import zipf_frequency

from myotriage.engine.evidence import Evidence, Sex
from myotriage.errors import Problem, TextError
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import FindingKind
from myotriage.nlp.lexicon import CONTEXTS, Context, load_language
from myotriage.nlp.values import ParsedValue, extract_values

MAX_CHARS = 5000
# Zipf frequency (wordfreq) at or above which a word counts as ordinary English.
COMMON_WORD_ZIPF = 2.5
State = Literal["present", "absent", "uncertain", "hypothetical", "other_person", "historical"]
SPAN_KEY = "myotriage"


class Frozen(BaseModel):
    """Immutable result value."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ParsedFinding(Frozen):
    """A finding found in the text, with where and how it was said."""

    id: str
    label: str
    state: State
    start: int = Field(ge=0, description="Character offset where the phrase starts")
    end: int = Field(ge=0)
    text: str
    derived_from: str | None = Field(
        default=None, description="For a site finding, the trigger word it was built from"
    )


class ParseResult(Frozen):
    """What the text says, as evidence, with spans and what was not understood."""

    findings: list[ParsedFinding]
    values: list[ParsedValue]
    age: float | None
    sex: Sex | None
    not_understood: list[str]
    warnings: list[str]

    def present(self) -> list[str]:
        """Finding ids the writer has."""
        return sorted({f.id for f in self.findings if f.state == "present"})

    def absent(self) -> list[str]:
        """Finding ids the writer says they do not have (never one also said present)."""
        yes = set(self.present())
        return sorted({f.id for f in self.findings if f.state == "absent"} - yes)

    def evidence(
        self, kb: KnowledgeBase, age: float | None = None, sex: Sex | str | None = None
    ) -> Evidence:
        """Evidence for the engine. ``age``/``sex`` given here (a form, a case file) win;
        what the text says fills in only what was not given."""
        use_age = age if age is not None else self.age
        use_sex = sex if sex is not None else self.sex
        if use_age is None or use_sex is None:
            missing = [n for n, v in (("age", use_age), ("sex", use_sex)) if v is None]
            raise TextError(
                "The text does not say enough to assess.",
                [Problem(m, "not stated in the text: give it separately") for m in missing],
            )
        present = set(self.present())
        # A denial that contradicts something stated present is dropped, never the reverse:
        # a stated warning sign must not turn into its absence.
        implied = set().union(*(kb.ancestors[f] for f in present)) if present else set()
        absent = {f for f in self.absent() if f not in implied}
        absent = {f for f in absent if not (kb.descendants[f] & present)}
        values = {v.id: v.value for v in self.values}
        return Evidence(
            age=use_age,
            sex=use_sex,
            present=frozenset(present),
            absent=frozenset(absent),
            values=values,
        )


@dataclass(frozen=True)
class _Label:
    kind: Literal["finding", "site", "disease", "denial"]
    key: str


class Parser:
    """A loaded pipeline for one knowledge base (build once, reuse)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.lexicon, self.context = load_language(kb)
        self.nlp = spacy.blank("en")
        # spaCy keeps "I." whole as if it were an initial, so "...and neither have I. My
        # hand twitches" stayed one sentence: a single letter and a full stop end one here.
        tokenizer: Tokenizer = self.nlp.tokenizer
        tokenizer.rules = {
            k: v for k, v in tokenizer.rules.items() if not re.fullmatch(r"[a-z]\.", k)
        }
        suffixes = [*(self.nlp.Defaults.suffixes or ()), r"(?<=^[A-Za-z])\."]
        tokenizer.suffix_search = compile_suffix_regex(suffixes).search
        self.sentencizer = self.nlp.add_pipe("sentencizer")
        self.context_steps = self._context_steps(self.nlp, self.context)
        self.labels: dict[str, _Label] = {}
        phrases = self._phrases()
        concepts = self.lexicon.concepts
        self.concepts = [
            (
                fid,
                [frozenset(g) for g in c.groups],
                c.window,
                frozenset(c.unless),
                c.unless_reach,
                c.deny,
                c.whole_sentence,
                c.present_only,
            )
            for fid, rules in (concepts.findings.items() if concepts else ())
            for c in rules
        ]
        self.denial_after = frozenset(concepts.denial_after if concepts else ())
        self.denial_skip = frozenset(concepts.denial_skip if concepts else ())
        self.denial_after_marked = frozenset(concepts.denial_after_marked if concepts else ())
        self.denial_marks = frozenset(concepts.denial_marks if concepts else ())
        self.deny_spoilers = frozenset(concepts.deny_spoilers if concepts else ())
        self.denial_before = tuple(concepts.denial_before if concepts else ())
        self.ongoing_words = frozenset(concepts.ongoing_words if concepts else ())
        lex = self.lexicon
        self.relatives = frozenset([*lex.close_relatives, *lex.distant_relatives, *lex.partners])
        self.remedy_findings = frozenset(lex.remedy_findings)
        close = "|".join(map(re.escape, lex.close_relatives)) or "(?!)"
        self._relative_had = re.compile(
            rf"\b(?:my|our)\s+(?:{close})\s+(?:had|has|died of|died from|was diagnosed with|got)"
            r"\s+(?:it|that|this|the same)\b"
        )
        self._denial_label = _label_pattern(lex.list_denials)
        self._affirm_label = _label_pattern(lex.list_affirms)
        self.site_prepositions = frozenset(concepts.site_prepositions if concepts else ())
        # Symptoms with no site finding of their own that still own the body part they
        # name ("my hands are shaky and my calves twitch": the hands are the tremor's).
        self.site_rivals = frozenset(concepts.site_rivals if concepts else ())
        self.site_coordinators = frozenset(concepts.site_coordinators if concepts else ())
        self.clause_breaks = frozenset(concepts.clause_breaks if concepts else ())
        self.clause_openers = frozenset(concepts.clause_openers if concepts else ())
        for fid, *_ in self.concepts:
            self.labels[f"finding:{fid}"] = _Label("finding", fid)
            self.labels[f"denial:{fid}"] = _Label("denial", fid)
            self.labels[f"affirm:{fid}"] = _Label("finding", fid)
        concept_words = {w for _, groups, *_ in self.concepts for g in groups for w in g}
        self.concept_index: dict[str, list[int]] = {}
        for n, (_, groups, *_) in enumerate(self.concepts):
            for w in groups[0]:
                self.concept_index.setdefault(w, []).append(n)
        self.words = sorted({w for p in phrases for w in p.split()} | concept_words)
        self.word_set = frozenset(self.words)
        self.fuzzy_words = [w for w in self.words if len(w) >= 5 and w.isalpha()]
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        by_key: dict[str, list[Doc]] = {}
        tokenizer = cast(Tokenizer, self.nlp.tokenizer)
        for label, doc in zip(phrases.values(), tokenizer.pipe(list(phrases)), strict=True):
            for token in doc:  # phrases are lexicon words already: no correction needed
                token.norm_ = token.lower_
            key = f"{label.kind}:{label.key}"
            self.labels[key] = label
            by_key.setdefault(key, []).append(doc)
        for key, docs in by_key.items():
            self.matcher.add(key, docs)

    @staticmethod
    def _context_steps(nlp: Language, context: Context) -> list[Negex]:
        # Built directly rather than through nlp.add_pipe: spaCy would validate the
        # thousands of cue phrases as configuration, which costs half a second.
        return [
            Negex(
                nlp,
                f"context_{name}",
                neg_termset=getattr(context, name).model_dump(),
                extension_name=f"is_{name}",
                span_keys=[SPAN_KEY],
            )
            for name in CONTEXTS
        ]

    def _phrases(self) -> dict[str, _Label]:
        out: dict[str, _Label] = {}

        def add(words: Iterable[str], label: _Label) -> None:
            for w in words:
                text = " ".join(w.lower().split())
                had = out.get(text)
                if text and had is None:
                    out[text] = label
                elif had is not None and had.kind == label.kind == "denial":
                    # One phrase can deny several findings ("my wee is a normal colour").
                    out[text] = _Label("denial", f"{had.key}+{label.key}")

        lex = self.lexicon
        # Lexicon phrases first: they were written for this parser; vocabulary
        # synonyms fill the gaps.
        for table in (lex.phrases, lex.extra_phrases):
            for fid, words in table.items():
                add(words, _Label("finding", fid))
        for fid, words in lex.medicines.items():
            add(words, _Label("finding", fid))
        ignored = set(lex.ignored_synonyms)
        for f in self.kb.findings.values():
            if f.type == "boolean" and f.from_value is None:
                add((w for w in f.synonyms if w.lower() not in ignored), _Label("finding", f.id))
        for fid, words in lex.absent_phrases.items():
            add(words, _Label("denial", fid))
        if lex.no_medicines is not None:
            for fid in lex.no_medicines.findings:
                add(lex.no_medicines.phrases, _Label("denial", fid))
        for site, words in lex.sites.items():
            add(words, _Label("site", site))
        for n, d in enumerate(lex.disease_mentions):
            add(d.words, _Label("disease", str(n)))
        return out

    def _norm(self, word: str, is_stop: bool = False) -> str:
        low = word.lower()
        if low in self.word_set or not low.isalpha() or is_stop:
            # Common words are never "corrected": "never" is one letter from "fever".
            return low
        for suffix, repl in (
            ("ies", "y"),
            ("es", ""),
            ("s", ""),
            ("ing", ""),
            ("ing", "e"),
            ("ed", ""),
            ("ed", "e"),
            ("y", ""),
        ):
            if low.endswith(suffix) and low[: -len(suffix)] + repl in self.word_set:
                return low[: -len(suffix)] + repl
        # Only rare or unknown words are treated as typos: a common English word
        # ("waiting", "smelling", "eight") is never bent into a lexicon word.
        if len(low) >= 5 and zipf_frequency(low, "en") < COMMON_WORD_ZIPF:
            hit = process.extractOne(
                low, self.fuzzy_words, scorer=Levenshtein.distance, score_cutoff=1
            )
            if hit is not None:
                return str(hit[0])
        return low

    def _normalised(self, doc: Doc) -> Doc:
        for token in doc:
            token.norm_ = self._norm(token.text, token.is_stop)
        return doc

    def parse(self, text: str, today: date | None = None) -> ParseResult:
        """Parse one message. Raises :class:`TextError` for unusable input.

        ``today`` is the date the message was written: it turns "since March"
        into weeks. Interfaces pass the current date; without one such
        durations are not read (the parser stays pure).
        """
        _check_text(text)
        clean = unicodedata.normalize("NFKC", text)
        doc = self._normalised(self.nlp.make_doc(clean))
        matches = [
            Span(doc, start, end, label=self.nlp.vocab.strings[mid])
            for mid, start, end in self.matcher(doc)
        ]
        doc = _lines_are_sentences(self.sentencizer(doc))
        kept = _longest_first(matches)
        # Concept spans come after the longest-match pass: they are wide and must
        # not swallow the phrases found inside them.
        concepts, leads = self._concept_spans(doc, kept)
        doc.spans[SPAN_KEY] = sorted(kept + concepts + leads, key=lambda s: (s.start, s.end))
        for step in self.context_steps:
            doc = step(doc)
        _negate_from_leads(doc.spans[SPAN_KEY])
        self._negate_denial_lists(doc)
        findings, sites, diseases, denials = [], [], [], []
        for span in doc.spans[SPAN_KEY]:
            if span.label_.startswith(LEAD):
                continue
            label = self.labels[span.label_]
            if label.kind == "finding":
                if span.label_.startswith("affirm:") and self._state(span) == "absent":
                    continue  # a concept said only when present
                findings.append((span, label.key))
            elif label.kind == "site":
                sites.append((span, label.key))
            elif label.kind == "denial":
                denials += [(span, fid) for fid in label.key.split("+")]
            else:
                diseases.append((span, int(label.key)))
        if _about_someone_else(
            clean, [sp for sp, _ in findings + sites], self._state, self.relatives
        ):
            # A carer's report ("my son has a fever of 39 and his legs ache") is about
            # the person being assessed: their symptoms are the evidence.
            for sp, _ in findings + sites:
                sp._.is_family = False
        parsed = [
            self._finding(span, fid, "absent" if self._stopped_medicine(span, fid) else None)
            for span, fid in findings
        ]
        sites += self._pronoun_sites(doc, sites)
        parsed += self._site_findings(doc, findings, sites)
        parsed += self._disease_findings(diseases)
        # "Breathing's fine" says a finding is absent by itself; hedged, it says nothing.
        parsed += [
            self._finding(sp, fid, "absent")
            for sp, fid in denials
            if self._state(sp) in ("present", "absent")
        ]
        values, age, sex = extract_values(clean, doc, self.lexicon, self.kb, today)
        parsed += self._value_implied(values)
        parsed += self._rapid_onset(doc, findings)
        parsed += self._slow_onset(findings)
        parsed += self._dose_escalation(doc, findings)
        parsed += self._medicine_started(findings)
        parsed += self._combinations(parsed)
        understood = {(p.start, p.end) for p in parsed} | {(v.start, v.end) for v in values}
        not_understood = [
            s.text.strip()
            for s in doc.sents
            if s.text.strip() and not any(s.start_char <= a < s.end_char for a, _ in understood)
        ]
        warnings = []
        if not parsed and not values and _looks_foreign(clean):
            warnings.append("This does not look like English; only English text is understood.")
        parsed.sort(key=lambda p: (p.start, p.id))
        return ParseResult(
            findings=_dedupe(parsed),
            values=values,
            age=age,
            sex=sex,
            not_understood=not_understood,
            warnings=warnings,
        )

    def _concept_spans(self, doc: Doc, found: list[Span]) -> tuple[list[Span], list[Span]]:
        """Findings described in the writer's own words (``concepts`` in concepts.yaml).

        The words must share a clause. The span is the later of them, so every
        cue before it in the clause, including one between the words ("my pee
        isn't dark", "my pee might be brownish"), sets its state. A phrase of the
        same finding over the same stretch already says it: nothing is added.
        Also returns, per finding, a "lead" span on its first word: a negation
        straight before that word counts too, even when a clause word such as
        "just" lies between it and the later one ("I'm not puffed when I'm just
        sitting about").
        """
        out: list[Span] = []
        leads: list[Span] = []
        stretches = [(c, False) for c in self._clauses(doc)] + [(s, True) for s in doc.sents]
        for clause, sentence_wide in stretches:
            norms = [t.norm_ for t in clause]
            present = set(norms)
            # Only rules with a word of their first group here, in rule order.
            candidates = sorted({n for w in present for n in self.concept_index.get(w, ())})
            for fid, groups, window, unless, reach, deny, whole, only in map(
                self.concepts.__getitem__, candidates
            ):
                if whole != sentence_wide:
                    continue
                if not all(present.intersection(g) for g in groups[1:]):
                    continue
                hit = _nearest_together(norms, groups, window)
                if hit is None:
                    continue
                start, end = hit
                if unless & set(norms[max(0, start - reach) : end + reach]):
                    continue
                a, b = clause.start + start, clause.start + end
                if any(
                    sp.label_.partition(":")[2] == fid and sp.start < b and a < sp.end
                    for sp in found
                ):
                    continue
                if deny and self.deny_spoilers & set(norms[max(0, start - 2) : end]):
                    continue  # "my pee is not normal", "swallowing might be fine"
                kind = "denial" if deny else "affirm" if only else "finding"
                out.append(Span(doc, b - 1, b, label=f"{kind}:{fid}"))
                if not deny and a < b - 1:
                    leads.append(Span(doc, a, a + 1, label=f"{LEAD}{b - 1}:{fid}"))
        return out, leads

    def _clauses(self, doc: Doc) -> list[Span]:
        """Each sentence cut at clause breaks (``clause_breaks`` in concepts.yaml).

        A colon after a one- or two-word label opening the clause joins the label
        to its answer instead ("Lips: tingly", "Heart: racing").
        """
        out = []
        for sent in doc.sents:
            start = sent.start
            for t in sent:
                nxt = doc[t.i + 1].lower_ if t.i + 1 < sent.end else ""
                if t.lower_ == ":" and 0 < t.i - start <= 2:
                    continue
                if t.lower_ in self.clause_breaks or (
                    t.lower_ == "and" and nxt in self.clause_openers
                ):
                    if t.i > start:
                        out.append(doc[start : t.i])
                    start = t.i + 1
            if start < sent.end:
                out.append(doc[start : sent.end])
        return out

    def _denied_after(self, span: Span) -> bool:
        """Whether a denial word comes straight after the span ("swallowing fine")."""
        doc = span.doc
        i = span.end
        marked = False
        while i < len(doc) and i - span.end < 5:
            word = doc[i].lower_
            if word in ("and", "or") and i + 1 < len(doc):
                # "swallowing and speech totally normal", "my speech and my hearing were
                # unaffected": a pair of findings shares the denial ("twitching and my
                # legs are fine" does not deny the twitching).
                j = i + 2 if doc[i + 1].lower_ in ("my", "his", "her", "the", "their") else i + 1
                other = self._finding_span_at(doc, j)
                if other is None:
                    break
                i = other.end
            elif word in self.denial_skip:
                marked = marked or word in self.denial_marks
                i += 1
            else:
                break
        if i >= len(doc):
            return False
        if re.search(
            r"\b(?:apart from|except|other than|besides|aside from)\b",
            doc[span.sent.start : span.start].text.lower(),
        ):
            return False  # "apart from my thumb twitching I'm fine": the rest is fine
        one = doc[i].lower_
        if one in ("no", "n") and (i + 1 == len(doc) or doc[i + 1].is_punct or doc[i + 1].is_space):
            return (
                True  # a form answer: "Twitch yes, weakness no, numbness no.", "Slurred speech N"
            )
        two = f"{one} {doc[i + 1].lower_}" if i + 1 < len(doc) else one
        three = f"{two} {doc[i + 2].lower_}" if i + 2 < len(doc) else two
        said = {one, two, three}
        return bool(said & self.denial_after) or (marked and bool(said & self.denial_after_marked))

    def _finding_span_at(self, doc: Doc, start: int) -> Span | None:
        """The finding phrase that starts at token ``start``, if any."""
        spans: list[Span] = list(doc.spans[SPAN_KEY])
        for sp in spans:
            label = self.labels.get(sp.label_)
            if sp.start == start and label is not None and label.kind == "finding":
                return sp
        return None

    def _state(self, span: Span) -> State:
        if span._.is_family:
            return "other_person"
        if span._.is_hypothetical:
            return "hypothetical"
        if span._.is_uncertain:
            return "uncertain"
        if span._.is_negated or self._denied_after(span) or self._denied_before(span):
            return "absent"
        if span._.is_remedy_failed and span.label_.partition(":")[2] in self.remedy_findings:
            return "absent"
        if span._.is_historical and (
            (
                self._is_complaint(span)
                and self.ongoing_words.isdisjoint(t.lower_ for t in self._clause_of(span))
            )
            or self._medicine_given_up(span)
        ):
            # "I used to get cramps as a kid": a past symptom is not a present one. A past
            # clot, operation or habit still counts: it is history the knowledge base asks.
            return "historical"
        return "present"

    def _clause_of(self, span: Span) -> Span:
        """The part of the span's sentence between contrast words ("but", "whereas"):
        "the eye twitch I had back then went, but my calves have buzzed since New
        Year" dates two different symptoms."""
        sent, doc = span.sent, span.doc
        start, end = sent.start, sent.end
        for t in sent:
            if t.lower_ in CONTRASTS:
                if t.i < span.start:
                    start = t.i + 1
                elif t.i >= span.end:
                    end = t.i
                    break
        return doc[start:end]

    def _medicine_given_up(self, span: Span) -> bool:
        """A medicine said in the past with a stopping word in its sentence ("I used to
        drink tonic water for my cramps but stopped a year ago"); one started long ago
        and still taken is not history."""
        label = self.labels.get(span.label_)
        if label is None or label.kind != "finding":
            return False
        if self.kb.findings[label.key].kind != FindingKind.medication:
            return False
        rule = self.lexicon.no_medicines
        said = " ".join(t.lower_ for t in span.sent)
        stops = [*(rule.stopped if rule else ()), "used to"]
        return any(re.search(rf"\b{re.escape(w)}\b", said) for w in stops)

    def _is_complaint(self, span: Span) -> bool:
        """Whether the span names a symptom or sign (a body site belongs to one)."""
        label = self.labels.get(span.label_)
        if label is None or label.kind not in ("finding", "site"):
            return False
        if label.kind == "site":
            return True
        return self.kb.findings[label.key].kind in (FindingKind.symptom, FindingKind.sign)

    def _denied_before(self, span: Span) -> bool:
        """Whether a "can still" phrase comes straight before the span ("I can still get
        out of a chair"): a cue the general context rules can miss when the phrase runs
        into a clause break ("still get")."""
        doc = span.doc
        head = " ".join(t.lower_ for t in doc[max(span.sent.start, span.start - 4) : span.start])
        return any(head == p or head.endswith(" " + p) for p in self.denial_before)

    def _finding(
        self, span: Span, fid: str, state: State | None = None, derived_from: str | None = None
    ) -> ParsedFinding:
        return ParsedFinding(
            id=fid,
            label=self.kb.findings[fid].label,
            state=state or self._state(span),
            start=span.start_char,
            end=span.end_char,
            text=span.text,
            derived_from=derived_from,
        )

    def _site_findings(
        self, doc: Doc, findings: list[tuple[Span, str]], sites: list[tuple[Span, str]]
    ) -> list[ParsedFinding]:
        out = []
        rules = self.lexicon.site_findings
        triggers = {rule.trigger for rule in rules}
        lineage = [
            (span, fid, {fid} | set(self.kb.ancestors.get(fid, ()))) for span, fid in findings
        ]
        for site_span, site in sites:
            here = [(span, fid, line) for span, fid, line in lineage if span.sent == site_span.sent]
            # Every kind of symptom in the sentence competes for the site, also one with
            # no rule for it: "my quads flicker at night" keeps "at night" from a cramp.
            roots = {t for _, _, line in here for t in (triggers | self.site_rivals) & line}
            candidates = [
                (span, fid, rule)
                for span, fid, line in here
                for rule in rules
                if rule.site == site and rule.gives != fid and rule.trigger in line
            ]
            owners = self._site_owners(
                _chain_start(site_span, [sp for sp, _ in sites], self.site_coordinators),
                roots,
            )
            for span, _, rule in candidates:
                if rule.trigger not in owners:
                    continue
                # "cramps in my hands, not my legs": a denied site is denied.
                state = self._state(site_span)
                if state == "present":
                    state = self._state(span)
                out.append(self._finding(site_span, rule.gives, state, derived_from=span.text))
        return out

    def _pronoun_sites(self, doc: Doc, sites: list[tuple[Span, str]]) -> list[tuple[Span, str]]:
        """ "Cramps in them", "twitches in it": the pronoun after a site preposition is the
        body part named last before it, in its sentence or the one before."""
        out: list[tuple[Span, str]] = []
        body = [(sp, key) for sp, key in sites if not key.startswith("when_")]
        for t in doc:
            if t.lower_ not in ("them", "it") or t.i == 0:
                continue
            if doc[t.i - 1].lower_ not in self.site_prepositions:
                continue
            first = doc[t.sent.start - 1].sent.start if t.sent.start > 0 else t.sent.start
            before = [(sp, key) for sp, key in body if first <= sp.start and sp.end <= t.i - 1]
            if before:
                _, key = max(before, key=lambda pair: pair[0].end)
                out.append((Span(doc, t.i, t.i + 1, label=f"site:{key}"), key))
        return out

    def _site_owners(self, site: Span, roots: set[str]) -> set[str]:
        """Which symptoms a body site belongs to when a sentence names two ("cramps in her
        hands and her eyelids twitch"): after "in/on ..." the nearest symptom before it,
        else the nearest either side, with symptoms joined by "and" sharing it ("cramps
        and twitching in my calves"). With one kind of symptom nothing is decided."""
        if len(roots) < 2:
            return roots
        doc = site.doc
        sent = site.sent
        before = {t.lower_ for t in doc[max(sent.start, site.start - 2) : site.start]}
        after_preposition = bool(before & self.site_prepositions)

        def distance(span: Span) -> float:
            if span.end <= site.start:
                return float(site.start - span.end)
            gap = float(span.start - site.end) if span.start >= site.end else 0.0
            return gap + (100.0 if after_preposition else 0.0)

        nearest: dict[str, Span] = {}
        for sp in doc.spans[SPAN_KEY]:
            label = self.labels.get(sp.label_)
            if sp.sent != sent or label is None or label.kind != "finding":
                continue
            for root in roots & ({label.key} | set(self.kb.ancestors.get(label.key, ()))):
                if root not in nearest or distance(sp) < distance(nearest[root]):
                    nearest[root] = sp
        if not nearest:
            return roots
        best = min(nearest.values(), key=distance)
        owners = set()
        for root, sp in nearest.items():
            lo, hi = (sp.end, best.start) if sp.end <= best.start else (best.end, sp.start)
            between = {t.lower_ for t in doc[lo:hi]} if lo <= hi else set()
            if sp is best or between <= self.site_coordinators:
                owners.add(root)  # "cramps and twitching in my calves" share the calves
        return owners

    def _disease_findings(self, diseases: list[tuple[Span, int]]) -> list[ParsedFinding]:
        out = []
        for span, n in diseases:
            mention = self.lexicon.disease_mentions[n]
            if span._.is_family:
                if mention.family is not None and not self._distant_relative(span):
                    out.append(self._finding(span, mention.family, "present"))
                continue
            if span._.is_hypothetical or span._.is_uncertain:
                out.append(self._finding(span, mention.worry, "present"))
            if mention.family is not None and self._relative_had_it(span):
                out.append(self._finding(span, mention.family, "present"))
        return out

    def _negate_denial_lists(self, doc: Doc) -> None:
        """Findings listed after a label such as "Absent:" or "what I don't have:" are
        absent, up to the end of the sentence or a label of what the writer does have."""
        if self._denial_label is None:
            return
        for sent in doc.sents:
            low = sent.text.lower()
            label = self._denial_label.search(low)
            if label is None:
                continue
            start = sent.start_char + label.end()
            stop = self._affirm_label.search(low, label.end()) if self._affirm_label else None
            end = sent.start_char + stop.start() if stop else sent.end_char
            for sp in doc.spans[SPAN_KEY]:
                if start <= sp.start_char < end and not sp._.is_hypothetical:
                    sp._.is_negated = True
                    sp._.is_uncertain = False

    def _relative_had_it(self, span: Span) -> bool:
        """Whether a close relative is said, later in the sentence, to have had the disease
        just named ("Terrified it's MND, my dad had it")."""
        return bool(self._relative_had.search(span.doc[span.end : span.sent.end].text.lower()))

    def _distant_relative(self, span: Span) -> bool:
        """Whether the relative named last before ``span`` in its sentence is a distant
        one ("my uncle had ALS") and no parent, child, brother or sister is named."""
        lex = self.lexicon
        words = {
            t.lower_.removesuffix("'s").removesuffix("’s")
            for t in span.doc[span.sent.start : span.start]
        }
        # "My mum and my grandad both had it": a close relative among them is enough.
        return bool(words & set(lex.distant_relatives)) and not words & set(lex.close_relatives)

    def _combinations(self, parsed: list[ParsedFinding]) -> list[ParsedFinding]:
        out = []
        for combo in self.lexicon.combinations:
            hits = [p for p in parsed if p.state == "present" and p.id in combo.findings]
            if len({p.id for p in hits}) >= 2:
                first = min(hits, key=lambda p: p.start)
                out.append(
                    ParsedFinding(
                        id=combo.gives,
                        label=self.kb.findings[combo.gives].label,
                        state="present",
                        start=first.start,
                        end=max(p.end for p in hits),
                        text=", ".join(p.text for p in hits),
                        derived_from="+".join(sorted({p.id for p in hits})),
                    )
                )
        return out

    def _rapid_onset(self, doc: Doc, findings: list[tuple[Span, str]]) -> list[ParsedFinding]:
        rule = self.lexicon.rapid_onset
        if rule is None:
            return []
        out = []
        for span, fid in findings:
            if fid != rule.finding and rule.finding not in self.kb.ancestors.get(fid, ()):
                continue
            if self._state(span) != "present":
                continue
            sent = span.sent.text.lower()
            words = set(re.findall(r"[a-z]+", sent))
            onset = any(re.search(rf"\b{re.escape(p)}\b", sent) for p in rule.phrases)
            if onset and words & {w.lower() for w in rule.limbs}:
                out.append(self._finding(span, rule.gives, "present", derived_from=span.text))
        return out

    def _slow_onset(self, findings: list[tuple[Span, str]]) -> list[ParsedFinding]:
        rule = self.lexicon.slow_onset
        if rule is None:
            return []
        out = []
        for span, fid in findings:
            if fid != rule.finding and rule.finding not in self.kb.ancestors.get(fid, ()):
                continue
            if fid in rule.not_from or self._state(span) != "present":
                continue
            # The finding's own part of the sentence: "cramped for years, but this month
            # my feet don't lift" says nothing about how the foot came on.
            sent = self._clause_of(span).text.lower()
            if any(re.search(rf"\b{re.escape(w)}\b", sent) for w in rule.unless):
                continue
            if any(re.search(rf"\b{re.escape(p)}\b", sent) for p in rule.phrases):
                out.append(self._finding(span, rule.gives, "present", derived_from=span.text))
        return out

    def _stopped_medicine(self, span: Span, fid: str) -> bool:
        """A medicine named just after a stopping word ("stopped the statin")."""
        rule = self.lexicon.no_medicines
        if rule is None or fid not in rule.findings or self._state(span) != "present":
            return False
        head = span.doc.text[span.sent.start_char : span.start_char].lower()
        words = "|".join(map(re.escape, rule.stopped))
        return re.search(rf"\b(?:{words})\b(?:\W+\w+){{0,2}}\W*$", head) is not None

    def _medicine_started(self, findings: list[tuple[Span, str]]) -> list[ParsedFinding]:
        rule = self.lexicon.medicine_started
        if rule is None:
            return []
        out = []
        before = re.compile(
            rf"\b(?:{'|'.join(map(re.escape, rule.phrases))})\b(?:\W+\w+){{0,3}}\W*$"
        )
        after = re.compile(rf"^\W*(?:{'|'.join(map(re.escape, rule.after))})\b")
        for span, fid in findings:
            if fid not in rule.medicines or self._state(span) != "present":
                continue
            sent = span.sent
            head = span.doc.text[sent.start_char : span.start_char].lower()
            tail = span.doc.text[span.end_char : sent.end_char].lower()
            if any(re.search(rf"\b{re.escape(w)}\b", sent.text.lower()) for w in rule.long_ago):
                continue
            if before.search(head) or after.search(tail):
                out.append(self._finding(span, rule.gives, "present", derived_from=span.text))
        return out

    def _dose_escalation(self, doc: Doc, findings: list[tuple[Span, str]]) -> list[ParsedFinding]:
        rule = self.lexicon.dose_escalation
        if rule is None:
            return []
        out = []
        for span, fid in findings:
            if fid not in rule.medicines or self._state(span) != "present":
                continue
            m = re.search(
                r"(\d+)(?:\s*(?:-|to|or)\s*(\d+))?\s*(?:times?|puffs?|doses?)\s*(?:a|per)\s*day",
                span.sent.text.lower(),
            )
            if m and float(m.group(2) or m.group(1)) >= rule.min_per_day:
                out.append(self._finding(span, rule.gives, "present", derived_from=m.group(0)))
        return out

    def _value_implied(self, values: list[ParsedValue]) -> list[ParsedFinding]:
        out = []
        for v in values:
            for parent in self.kb.findings[v.id].implies:
                out.append(
                    ParsedFinding(
                        id=parent,
                        label=self.kb.findings[parent].label,
                        state="present",
                        start=v.start,
                        end=v.end,
                        text=v.text,
                        derived_from=v.id,
                    )
                )
        return out


LEAD = "lead:"


def _lines_are_sentences(doc: Doc) -> Doc:
    """Each line starts a sentence: form answers ("Weakness - N" on one line, "Twitching:
    calves" on the next) must not share a negation's reach."""
    for i in range(1, len(doc)):
        if "\n" in doc[i - 1].text or "\n" in doc[i - 1].whitespace_:
            doc[i].is_sent_start = True
    return doc


def _label_pattern(words: list[str]) -> re.Pattern[str] | None:
    """A pattern for any of ``words`` used as a label: followed by a colon."""
    if not words:
        return None
    alternation = "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\s*:")


FIRST_PERSON = frozenset({"i", "i'm", "im", "i've", "ive", "i'd", "me", "my", "mine", "myself"})
THIRD_PERSON = frozenset(
    {"he", "she", "he's", "she's", "hes", "shes", "his", "her", "him", "they", "their", "them"}
)
CONTRASTS = frozenset({"but", "however", "whereas", "although", "though", "yet"})


def _negate_from_leads(spans: Iterable[Span]) -> None:
    """A concept whose first word is negated is negated ("lead" spans name the token
    where their concept's span starts)."""
    negated = {
        tuple(sp.label_[len(LEAD) :].split(":", 1))
        for sp in spans
        if sp.label_.startswith(LEAD) and sp._.is_negated
    }
    for sp in spans:
        kind, _, fid = sp.label_.partition(":")
        if kind in ("finding", "affirm") and (str(sp.start), fid) in negated:
            sp._.is_negated = True


def _chain_start(site: Span, sites: list[Span], coordinators: frozenset[str]) -> Span:
    """The first site of a list the site ends ("in her hands and feet": hands): the
    whole list belongs to the same symptom."""
    doc = site.doc
    current = site
    for other in sorted(sites, key=lambda sp: sp.start, reverse=True):
        if other.end <= current.start and other.sent == site.sent:
            gap = {t.lower_ for t in doc[other.end : current.start]}
            if gap <= coordinators:
                current = other
    return current


def _nearest_together(
    norms: list[str], groups: list[frozenset[str]], window: int
) -> tuple[int, int] | None:
    """The first stretch (start, end) holding a word of every group within ``window``
    tokens, or None."""
    positions = [[i for i, w in enumerate(norms) if w in g] for g in groups]
    if not all(positions):
        return None
    for anchor in positions[0]:
        picked = [anchor] + [min(ps, key=lambda i: abs(i - anchor)) for ps in positions[1:]]
        if len(set(picked)) == len(picked) and max(picked) - min(picked) < window:
            return min(picked), max(picked) + 1
    return None


def _longest_first(spans: list[Span]) -> list[Span]:
    """Drop a match lying inside a longer one ("numbness" inside "numbness between my
    legs"); keep matches that only overlap ("heart keeps skipping" / "skipping and racing")."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if not any(k.start <= span.start and span.end <= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))


def _dedupe(items: list[ParsedFinding]) -> list[ParsedFinding]:
    seen: set[tuple[str, str, int]] = set()
    out = []
    for p in items:
        key = (p.id, p.state, p.start)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise TextError(
            "Nothing to read.", [Problem("text", "is empty: describe what is happening")]
        )
    if len(text) > MAX_CHARS:
        raise TextError(
            "The text is too long.",
            [
                Problem(
                    "text",
                    f"has {len(text):,} characters; the limit is {MAX_CHARS:,}. "
                    "Describe the main symptoms in a few sentences.",
                )
            ],
        )
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
    if "\x00" in text or printable / len(text) < 0.9:
        raise TextError(
            "This is not text.",
            [Problem("text", "contains binary or control characters: paste plain text")],
        )


_ENGLISH = re.compile(r"\b(the|and|my|i|is|it|a|to|of|in|have|for|no|not|but|with)\b", re.I)


def _looks_foreign(text: str) -> bool:
    words = re.findall(r"\w+", text)
    if not words:
        return True
    return len(_ENGLISH.findall(text)) / len(words) < 0.05


_OWN_AGE = re.compile(r"\b(?:i'?m|i am|im)\s+(?:a\s+|an\s+)?\d{1,3}\b", re.IGNORECASE)


def _about_someone_else(
    text: str, spans: list[Span], state: Callable[[Span], State], relatives: frozenset[str]
) -> bool:
    """Whether the whole message reports someone else's symptoms and none of the writer's.

    True when some symptom is said of another person, the writer says nothing
    about symptoms of their own (present, absent or unsure), and does not give
    their own age. Family history of a disease is not affected (diseases are not
    symptom spans).
    """
    states = [state(sp) for sp in spans]
    if "other_person" not in states:
        return False
    # The writer's own statements: said in the first person, or at least not in the
    # third ("He's been muddled" after "My brother has ..." is still the brother).
    if any(
        st in ("present", "absent", "uncertain") and _own_sentence(sp.sent, relatives)
        for sp, st in zip(spans, states, strict=True)
    ):
        return False
    return _OWN_AGE.search(text) is None


def _own_sentence(sent: Span, relatives: frozenset[str]) -> bool:
    """Whether a sentence speaks of the writer: in the first person ("my" before a
    relative, as in "my brother", does not count), or at least not in the third."""
    first = third = False
    for t in sent:
        word = t.lower_
        if word in FIRST_PERSON:
            nxt = t.nbor(1).lower_ if t.i + 1 < sent.end else ""
            first = first or not (word == "my" and nxt in relatives)
        third = third or word in THIRD_PERSON
    return first or not third


@lru_cache(maxsize=4)
def build_parser(kb: KnowledgeBase) -> Parser:
    """The parser for a knowledge base, built once and reused."""
    return Parser(kb)


def parse(text: str, kb: KnowledgeBase, today: date | None = None) -> ParseResult:
    """Parse free text into findings, values, age and sex (see module docstring).

    ``today`` anchors durations given as a month ("since March").
    """
    return build_parser(kb).parse(text, today)
