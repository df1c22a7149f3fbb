"""State that travels in addresses and forms, so the server keeps none.

Two tokens, both URL-safe base64 of compact JSON:

* the **result token** (``/result?e=...``) holds evidence: age ``a``, sex
  ``s``, present ``p``, absent ``n``, unknown ``u`` and values ``v``;
* the **interview token** (``/interview?t=...``) is the same object (the
  evidence the interview started from, e.g. what the person wrote) plus
  ``h``, the answers given so far in order, and optionally ``b``, the answer
  just undone by "Back" so it can be shown again pre-filled.

An interview token is therefore also a valid result token for its starting
evidence (readers ignore keys they do not know). The interview keeps the
answers rather than the evidence they led to because "Back" must undo exactly
one answer: replaying all but the last one rebuilds the earlier evidence.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from myotriage.engine.evidence import Evidence
from myotriage.engine.interview import Answer

# Far above any real interview (the engine stops at 25 questions): a bound on
# what a crafted token can make the server replay.
MAX_ANSWERS = 200
MAX_TOKEN_CHARS = 60_000


def _pack(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unpack(token: str) -> dict[str, Any]:
    if len(token) > MAX_TOKEN_CHARS:
        raise ValueError("token too long")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("token is not an object")
    return data


def _evidence_fields(ev: Evidence) -> dict[str, Any]:
    return {
        "a": ev.age,
        "s": ev.sex.value,
        "p": sorted(ev.present),
        "n": sorted(ev.absent),
        "u": sorted(ev.unknown),
        "v": dict(sorted(ev.values.items())),
    }


def _evidence_from(data: dict[str, Any]) -> Evidence:
    return Evidence(
        age=data["a"],
        sex=data["s"],
        present=frozenset(data.get("p", [])),
        absent=frozenset(data.get("n", [])),
        unknown=frozenset(data.get("u", [])),
        values=data.get("v", {}),
    )


_DECODE_ERRORS = (binascii.Error, ValueError, KeyError, TypeError, AttributeError, ValidationError)


def encode_evidence(ev: Evidence) -> str:
    """A compact, URL-safe token holding the evidence (no server state)."""
    return _pack(_evidence_fields(ev))


def decode_evidence(token: str) -> Evidence:
    """The evidence a token holds; ValueError if it is not one of ours."""
    try:
        return _evidence_from(_unpack(token))
    except _DECODE_ERRORS as exc:
        raise ValueError("this link does not hold a result") from exc


@dataclass(frozen=True)
class AnsweredQuestion:
    """One step of the interview: the question's id and the answer given."""

    question: str
    answer: Answer


@dataclass(frozen=True)
class InterviewState:
    """Where an interview stands: its starting evidence and the answers so far."""

    start: Evidence
    answers: tuple[AnsweredQuestion, ...] = ()
    undone: AnsweredQuestion | None = None

    @property
    def asked(self) -> list[str]:
        """Ids of the questions answered so far ("don't know" included), in order."""
        return [a.question for a in self.answers]

    def answered(self, step: AnsweredQuestion) -> InterviewState:
        """The state after one more answer."""
        return InterviewState(start=self.start, answers=(*self.answers, step))

    def back(self) -> InterviewState:
        """The state before the last answer, remembering it to show it pre-filled."""
        if not self.answers:
            return self
        return replace(self, answers=self.answers[:-1], undone=self.answers[-1])


def _answer_fields(step: AnsweredQuestion) -> list[Any]:
    states = step.answer.states
    body: dict[str, Any] = {}
    for key, state in (("y", "yes"), ("n", "no"), ("u", "unknown")):
        ids = sorted(f for f, s in states.items() if s == state)
        if ids:
            body[key] = ids
    if step.answer.values:
        body["v"] = dict(sorted(step.answer.values.items()))
    return [step.question, body]


def _answer_from(item: Any) -> AnsweredQuestion:
    qid, body = item
    if not isinstance(qid, str) or not isinstance(body, dict):
        raise ValueError("malformed answer")
    states: dict[str, str] = {}
    for key, state in (("y", "yes"), ("n", "no"), ("u", "unknown")):
        for fid in body.get(key, []):
            if fid in states:
                raise ValueError(f"{fid} answered twice")
            states[fid] = state
    answer = Answer.model_validate({"states": states, "values": body.get("v", {})})
    return AnsweredQuestion(question=qid, answer=answer)


def encode_interview(state: InterviewState) -> str:
    """The interview token: starting evidence, answers so far, and any undone answer."""
    data = _evidence_fields(state.start)
    data["h"] = [_answer_fields(a) for a in state.answers]
    if state.undone is not None:
        data["b"] = _answer_fields(state.undone)
    return _pack(data)


def decode_interview(token: str) -> InterviewState:
    """The interview state a token holds; ValueError if it is not one of ours.

    Only the shape is checked here; whether the answers fit the knowledge base
    is found out when they are replayed.
    """
    try:
        data = _unpack(token)
        history = data.get("h", [])
        if not isinstance(history, list) or len(history) > MAX_ANSWERS:
            raise ValueError("malformed history")
        undone = data.get("b")
        return InterviewState(
            start=_evidence_from(data),
            answers=tuple(_answer_from(item) for item in history),
            undone=_answer_from(undone) if undone is not None else None,
        )
    except _DECODE_ERRORS as exc:
        raise ValueError("this link does not hold an interview") from exc
