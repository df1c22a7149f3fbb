"""Server-rendered pages (Jinja2 + HTMX). Thin: read the form, call the engine, render.

No server state. The result page's address carries the evidence itself
(``/result?e=...``), so a person can reopen or share it; the guided interview
carries its answers in its address and in a hidden form field
(``/interview?t=...``, see :mod:`myotriage.web.tokens`). Every form works as a
plain POST followed by a redirect (Post/Redirect/Get) with JavaScript off;
HTMX, when present, only swaps the question panel instead of the whole page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from myotriage.engine.assess import assess
from myotriage.engine.evidence import Evidence
from myotriage.engine.interview import (
    Answer,
    InterviewStep,
    apply_answer,
    next_question,
    question_by_id,
)
from myotriage.errors import EvidenceError, ProblemsError
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import Grade, QuestionKind, TriageLevel
from myotriage.nlp.parse import MAX_CHARS, build_parser
from myotriage.phrasing import in_sentence
from myotriage.web.interview import (
    PHASE_WORDS,
    FormProblem,
    Submitted,
    first_control,
    noted,
    number_text,
    prefill,
    read_answer,
    replay,
    unit_words,
)
from myotriage.web.learn import (
    GRADE_WORDS,
    condition_page,
    conditions_by_group,
    remedies_by_grade,
    remedy_page,
    seed_article_remedies,
)
from myotriage.web.tokens import (
    AnsweredQuestion,
    InterviewState,
    decode_evidence,
    decode_interview,
    encode_evidence,
    encode_interview,
)

__all__ = ["WebPages", "decode_evidence", "encode_evidence", "web_pages", "web_router"]


def _result_url(ev: Evidence) -> str:
    return f"/result?e={encode_evidence(ev)}"


def _interview_url(state: InterviewState) -> str:
    return f"/interview?t={encode_interview(state)}"


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _leave(request: Request, url: str) -> Response:
    """Go to a page outside the question panel.

    A plain form gets a 303. An HTMX request would swap the new page into the
    panel, so it is told to load the whole page instead.
    """
    if _is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return _see_other(url)


def _person(age: str, sex: str) -> tuple[float, list[str]]:
    """Age and sex from the start form, with what to fix for each bad one."""
    errors = []
    age_value = 0.0
    try:
        age_value = float(age)
        if not 0 <= age_value <= 120:
            errors.append("Age must be between 0 and 120 years.")
    except ValueError:
        errors.append("Age: type a number of years, for example 34.")
    if sex not in ("female", "male"):
        errors.append("Sex: choose female or male.")
    return age_value, errors


def _problem_lines(exc: ProblemsError) -> list[str]:
    return [f"{p.where}: {p.message}" if p.where != "text" else p.message for p in exc.problems]


@dataclass(frozen=True)
class WebPages:
    """The pages' router, and the page a browser gets for an address that does not exist."""

    router: APIRouter
    not_found: Callable[[Request], HTMLResponse]


def web_router(kb: KnowledgeBase) -> APIRouter:
    """Pages: start, text assessment, guided interview, result, knowledge pages."""
    return web_pages(kb).router


def web_pages(kb: KnowledgeBase) -> WebPages:
    """The pages (see :func:`web_router`) and their "not found" page."""
    folder = resources.files("myotriage.web")
    templates = Jinja2Templates(directory=str(folder.joinpath("templates")))
    env = templates.env
    env.filters["lower_first"] = in_sentence
    env.filters["grade_label"] = lambda grade: GRADE_WORDS[Grade(grade)][0]
    env.globals["level_title"] = lambda level: kb.level_text(TriageLevel(level))[0]
    router = APIRouter(include_in_schema=False)
    # htmx is vendored (no network at run time); see package.json for its version.
    router.mount("/static", StaticFiles(directory=str(folder.joinpath("static"))), name="static")
    base = {
        "disclaimer": kb.policy.disclaimer,
        "max_chars": MAX_CHARS,
        "max_questions": kb.policy.interview.max_questions,
    }

    def render(
        request: Request,
        name: str,
        context: dict[str, Any],
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        return templates.TemplateResponse(
            request, name, {**base, **context}, status_code=status, headers=headers
        )

    def start_page(request: Request, status: int = 200, **form: object) -> HTMLResponse:
        return render(request, "index.html", form, status)

    def not_found(request: Request, what: str) -> HTMLResponse:
        return render(request, "not_found.html", {"what": what}, 404)

    def load(token: str) -> tuple[InterviewState, Evidence] | None:
        """The interview a token holds and the evidence its answers lead to, or None."""
        try:
            state = decode_interview(token)
            return state, replay(state, kb)
        except (ValueError, ProblemsError):
            return None

    def broken_link(request: Request) -> HTMLResponse:
        return start_page(
            request,
            400,
            errors=["This interview link is not valid. Please start again."],
        )

    def question_page(
        request: Request,
        state: InterviewState,
        ev: Evidence,
        step: InterviewStep,
        sub: Submitted,
        problems: list[FormProblem] | None = None,
    ) -> HTMLResponse:
        q = step.question
        assert q is not None  # callers show a page only for a step with a question
        # The engine keeps screening after a life-threatening answer; the person
        # is told at once what the engine already advises, and may stop there.
        triage = assess(ev, kb).triage
        urgent = triage if triage.level >= kb.policy.interview.stop_at_level else None
        context = {
            "q": q,
            "kinds": QuestionKind,
            "number": len(state.asked) + 1,
            "cap": step.max_questions,
            "screening_left": step.screening_left,
            "phase": PHASE_WORDS.get(q.phase, ""),
            "token": encode_interview(state),
            "sub": sub,
            "problems": problems or [],
            "urgent": urgent,
            "result_link": _result_url(ev),
            "unit": unit_words(q),
            "low": number_text(q.range.min) if q.range else "",
            "high": number_text(q.range.max) if q.range else "",
            "noted": noted(state.start, kb) if not state.answers else [],
            "htmx": _is_htmx(request),
        }
        # A failed answer must not change the address: the token there is still right.
        headers = {"HX-Push-Url": "false"} if problems else None
        return render(request, "question.html", context, 422 if problems else 200, headers)

    def from_form(
        age: str, sex: str, text: str, need_text: bool
    ) -> tuple[Evidence | None, list[str]]:
        # The start form: age and sex checked, the free text (if any) parsed, and the
        # evidence assessed once so a problem shows here, not on the next page.
        age_value, errors = _person(age, sex)
        if errors:
            return None, errors
        try:
            evidence = Evidence(age=age_value, sex=sex)
            if need_text or text.strip():
                evidence = (
                    build_parser(kb).parse(text, date.today()).evidence(kb, age=age_value, sex=sex)
                )
            assess(evidence, kb)
        except ProblemsError as exc:
            return None, errors + _problem_lines(exc)
        return evidence, errors

    @router.get("/", response_class=HTMLResponse)
    def index(request: Request, age: str = "", sex: str = "") -> HTMLResponse:
        # age and sex come back here from "Back" on the first question.
        return start_page(request, age=age, sex=sex)

    @router.post("/assess-text", response_model=None)
    def assess_text(
        request: Request,
        age: Annotated[str, Form()] = "",
        sex: Annotated[str, Form()] = "",
        text: Annotated[str, Form()] = "",
    ) -> Response:
        evidence, errors = from_form(age, sex, text, need_text=True)
        if errors or evidence is None:
            # Everything typed is kept and shown again with what to fix.
            return start_page(request, 422, errors=errors, age=age, sex=sex, text=text)
        return _see_other(_result_url(evidence))

    @router.post("/interview/start", response_model=None)
    def interview_start(
        request: Request,
        age: Annotated[str, Form()] = "",
        sex: Annotated[str, Form()] = "",
        text: Annotated[str, Form()] = "",
    ) -> Response:
        # Whatever the person already wrote is not asked again.
        start, errors = from_form(age, sex, text, need_text=False)
        if errors or start is None:
            return start_page(request, 422, errors=errors, age=age, sex=sex, text=text)
        return _see_other(_interview_url(InterviewState(start=start)))

    @router.get("/interview", response_model=None)
    def interview(request: Request, t: str = "") -> Response:
        loaded = load(t)
        if loaded is None:
            return broken_link(request)
        state, ev = loaded
        step = next_question(ev, kb, state.asked)
        q = step.question
        if q is None:
            return _leave(request, _result_url(ev))
        return question_page(request, state, ev, step, prefill(q, state.undone))

    @router.post("/interview", response_model=None)
    def interview_answer(
        request: Request,
        t: Annotated[str, Form()] = "",
        q: Annotated[str, Form()] = "",
        action: Annotated[str, Form()] = "answer",
        o: Annotated[list[str] | None, Form()] = None,
        none: Annotated[str, Form()] = "",
        value: Annotated[str, Form()] = "",
    ) -> Response:
        loaded = load(t)
        if loaded is None:
            return broken_link(request)
        state, ev = loaded
        if action == "back":
            if not state.answers:
                person = {"age": number_text(ev.age), "sex": ev.sex.value}
                return _leave(request, "/?" + urlencode(person))
            return _see_other(_interview_url(state.back()))
        step = next_question(ev, kb, state.asked)
        current = step.question
        if current is None or current.id != q:
            # A stale form (sent twice, or from another tab): show where the interview is.
            return _see_other(_interview_url(state))
        sub = Submitted(action=action, chosen=tuple(o or ()), none=bool(none), value=value)
        answer = read_answer(current, sub)
        new_ev = ev
        if isinstance(answer, Answer):
            try:
                new_ev = apply_answer(ev, question_by_id(kb, current.id), answer, kb)
            except EvidenceError as exc:
                message = " ".join(p.message for p in exc.problems)
                answer = FormProblem(first_control(current), message)
        if isinstance(answer, FormProblem):
            # Nothing is lost: the token is unchanged and what was sent is shown again.
            return question_page(request, state, ev, step, sub, [answer])
        new_state = state.answered(AnsweredQuestion(question=current.id, answer=answer))
        if next_question(new_ev, kb, new_state.asked).should_stop:
            return _leave(request, _result_url(new_ev))
        return _see_other(_interview_url(new_state))

    @router.get("/result", response_class=HTMLResponse)
    def result(request: Request, e: str = "") -> HTMLResponse:
        try:
            evidence = decode_evidence(e)
            a = assess(evidence, kb)
        except (ValueError, ProblemsError):
            return start_page(
                request,
                400,
                errors=["This result link is not valid. Please describe what is happening again."],
            )
        return render(request, "result.html", {"a": a, "permalink": f"/result?e={e}"})

    @router.get("/learn", response_class=HTMLResponse)
    def learn(request: Request) -> HTMLResponse:
        context = {
            "groups": conditions_by_group(kb),
            "remedies": remedies_by_grade(kb),
            "seed": seed_article_remedies(kb),
        }
        return render(request, "learn_index.html", context)

    @router.get("/learn/conditions/{condition_id}", response_class=HTMLResponse)
    def learn_condition(request: Request, condition_id: str) -> HTMLResponse:
        page = condition_page(kb, condition_id)
        if page is None:
            return not_found(request, "cause")
        return render(request, "learn_condition.html", {"page": page, "c": page.condition})

    @router.get("/learn/remedies/{remedy_id}", response_class=HTMLResponse)
    def learn_remedy(request: Request, remedy_id: str) -> HTMLResponse:
        page = remedy_page(kb, remedy_id)
        if page is None:
            return not_found(request, "remedy")
        return render(request, "learn_remedy.html", {"page": page, "iv": page.intervention})

    return WebPages(router=router, not_found=lambda request: not_found(request, "page"))
