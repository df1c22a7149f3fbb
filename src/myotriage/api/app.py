"""The JSON REST API: ``create_app(settings)``. Thin: translate, call, present.

Stateless (evidence in, result out), so any number of workers can serve any
request. Every error has one JSON envelope (``ErrorEnvelope``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from myotriage import __version__
from myotriage.api.wire import (
    AssessRequest,
    ErrorEnvelope,
    Health,
    InterviewRequest,
    ParseRequest,
)
from myotriage.engine.assess import assess
from myotriage.engine.assessment import Assessment
from myotriage.engine.interview import InterviewStep, next_question
from myotriage.errors import EvidenceError, MyotriageError, Problem, ProblemsError, TextError
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.load import load_knowledge
from myotriage.knowledge.schema import Condition, Finding, Intervention, Source
from myotriage.nlp.parse import ParseResult, build_parser
from myotriage.settings import Settings

log = logging.getLogger("myotriage.api")
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorEnvelope, "description": "The body is not valid JSON"},
    404: {"model": ErrorEnvelope, "description": "Unknown id"},
    422: {"model": ErrorEnvelope, "description": "Invalid request: the field and what to fix"},
}


def _envelope(status: int, code: str, message: str, details: list[tuple[str, str]]) -> JSONResponse:
    body = {
        "error": {
            "code": code,
            "message": message,
            "details": [{"field": f, "message": m} for f, m in details],
        }
    }
    return JSONResponse(status_code=status, content=body)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path") else loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


class _NoQueryInAccessLog(logging.Filter):
    """Health data travels in page addresses (``/result?e=…``): log paths only."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def _quiet_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _NoQueryInAccessLog) for f in access.filters):
        access.addFilter(_NoQueryInAccessLog())


def _json(model: BaseModel) -> Response:
    """A model as a JSON response, serialised once by pydantic-core."""
    return Response(model.model_dump_json(), media_type="application/json")


async def _kb(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase = request.app.state.kb
    return kb


KB = Annotated[KnowledgeBase, Depends(_kb)]


class BodyError(StarletteHTTPException):
    """The request body is not a JSON document at all (400, field ``body``)."""

    def __init__(self, why: str) -> None:
        super().__init__(400, "The body is not valid JSON.")
        self.why = why


class _JsonBodyRoute(APIRoute):
    """A POST route whose endpoint is ``endpoint(body, kb)``, with one JSON body model.

    FastAPI still reads the signature for the OpenAPI document, but at run time
    the raw bytes go straight to pydantic-core, which parses and validates them
    in one step: no generic dependency solving, no Python dict in between. The
    errors are those FastAPI gives (422 with the field path), except that a
    body which is not JSON at all is a 400 that says so.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The lean handler (routes without a body keep FastAPI's own)."""
        if len(self.dependant.body_params) != 1:
            return super().get_route_handler()
        model = self.dependant.body_params[0].field_info.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        endpoint: Callable[[BaseModel, KnowledgeBase], Awaitable[Response]] = self.endpoint

        async def handler(request: Request) -> Response:
            raw = await request.body()
            try:
                body = model.model_validate_json(raw)
            except ValidationError as exc:
                errors = exc.errors(include_url=False, include_context=False)
                if any(e["type"] == "json_invalid" for e in errors):
                    why = "The body is empty." if not raw.strip() else errors[0]["msg"]
                    raise BodyError(why) from None
                raise RequestValidationError(
                    [{**e, "loc": ("body", *e["loc"])} for e in errors]
                ) from None
            kb: KnowledgeBase = request.app.state.kb
            return await endpoint(body, kb)

        return handler


def _router() -> APIRouter:
    r = APIRouter(prefix="/v1", responses=ERRORS, route_class=_JsonBodyRoute)

    # The engine calls are short and CPU-bound: they run on the event loop
    # (async def) rather than hopping to a thread, and the result, already a
    # validated model, is written straight to JSON instead of being validated
    # again against the response model (which still documents it).
    @r.post("/parse", response_model=ParseResult, tags=["intake"])
    async def parse_text(body: ParseRequest, kb: KB) -> Response:
        """Free text -> findings with character spans, values, age and sex."""
        return _json(build_parser(kb).parse(body.text, body.today or date.today()))

    @r.post("/assess", response_model=Assessment, tags=["assessment"])
    async def assess_evidence(body: AssessRequest, kb: KB) -> Response:
        """Age, sex and evidence -> triage, likely causes with explanations, and plan."""
        with _fields_named(body):
            return _json(assess(body.to_evidence(), kb))

    @r.post("/interview/next", response_model=InterviewStep, tags=["interview"])
    async def interview_next(body: InterviewRequest, kb: KB) -> Response:
        """The next question (with its type, options and rationale), or a stop."""
        with _fields_named(body):
            return _json(next_question(body.to_evidence(), kb, body.asked))

    @r.get("/knowledge/conditions", response_model=list[Condition], tags=["knowledge"])
    def conditions(kb: KB) -> list[Condition]:
        """Every condition: codes, priors, links and sources."""
        return list(kb.conditions.values())

    @r.get("/knowledge/conditions/{condition_id}", response_model=Condition, tags=["knowledge"])
    def condition(condition_id: str, kb: KB) -> Condition:
        """One condition."""
        if condition_id not in kb.conditions:
            raise StarletteHTTPException(404, f"no condition '{condition_id}'")
        return kb.conditions[condition_id]

    @r.get("/knowledge/findings", response_model=list[Finding], tags=["knowledge"])
    def findings(kb: KB) -> list[Finding]:
        """Every finding: question, type, unit, HPO id, synonyms."""
        return list(kb.findings.values())

    @r.get("/knowledge/interventions", response_model=list[Intervention], tags=["knowledge"])
    def interventions(kb: KB) -> list[Intervention]:
        """Every remedy and treatment with its evidence grade, cautions and sources."""
        return list(kb.interventions.values())

    @r.get("/knowledge/sources", response_model=list[Source], tags=["knowledge"])
    def sources(kb: KB) -> list[Source]:
        """Every cited source."""
        return list(kb.sources.values())

    return r


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API. The knowledge base loads here, once; nothing is built at import."""
    settings = settings or Settings()
    kb = load_knowledge(settings.kb_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Build the text pipeline before taking traffic, so /readyz means ready.
        build_parser(kb)
        app.state.ready = True
        yield

    app = FastAPI(
        title="myotriage API",
        version=__version__,
        description=(
            "Triage, likely causes and evidence-graded self-care for muscle twitching and "
            "cramps. Information, not a diagnosis. Stateless: send all evidence every call."
        ),
        lifespan=lifespan,
        responses=ERRORS,
    )
    app.state.kb = kb
    app.state.settings = settings
    _quiet_access_log()
    app.state.ready = False
    app.include_router(_router())
    from myotriage.web.routes import web_pages

    pages = web_pages(kb)
    app.include_router(pages.router)

    @app.get("/healthz", response_model=Health, tags=["ops"])
    async def healthz() -> Health:
        """The process is alive."""
        return Health(status="ok")

    @app.get(
        "/readyz", response_model=Health, tags=["ops"], responses={503: {"model": ErrorEnvelope}}
    )
    async def readyz(request: Request) -> Health | JSONResponse:
        """Knowledge loaded and the text pipeline built."""
        if not request.app.state.ready:
            return _envelope(503, "not_ready", "Still starting up.", [])
        return Health(status="ok", knowledge=kb.origin)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [(_loc(tuple(e["loc"])), e["msg"]) for e in exc.errors()]
        return _envelope(422, "invalid_request", "The request is not valid.", details)

    @app.exception_handler(EvidenceError)
    async def invalid_evidence(request: Request, exc: EvidenceError) -> JSONResponse:
        return _envelope(
            422,
            "invalid_evidence",
            exc.summary,
            [(_evidence_field(p.where), p.message) for p in exc.problems],
        )

    @app.exception_handler(TextError)
    async def invalid_text(request: Request, exc: TextError) -> JSONResponse:
        return _envelope(
            422, "invalid_text", exc.summary, [("text", p.message) for p in exc.problems]
        )

    @app.exception_handler(ProblemsError)
    async def other_problems(request: Request, exc: ProblemsError) -> JSONResponse:
        return _envelope(
            422, "invalid_input", exc.summary, [(p.where, p.message) for p in exc.problems]
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if (
            exc.status_code == 404
            and not request.url.path.startswith("/v1/")
            and "text/html" in request.headers.get("accept", "")
        ):
            return pages.not_found(request)  # a person in a browser, not a program
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        fields = [("body", exc.why)] if isinstance(exc, BodyError) else []
        response = _envelope(exc.status_code, code, str(exc.detail), fields)
        # Keep the framework's headers (a 405 must say which methods are allowed).
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(MyotriageError)
    async def myotriage_error(request: Request, exc: MyotriageError) -> JSONResponse:
        return _envelope(422, "invalid_input", str(exc), [])

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # The type only: request bodies hold health data and are never logged.
        log.error(
            "internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__
        )
        return _envelope(500, "internal_error", "Something went wrong on our side.", [])

    return app


def _evidence_field(where: str) -> str:
    return where or "evidence"


@contextmanager
def _fields_named(body: AssessRequest) -> Iterator[None]:
    """Engine problems name a finding id; the API names the request field holding it."""
    try:
        yield
    except EvidenceError as exc:
        raise EvidenceError(
            exc.summary,
            [
                Problem(
                    body.field_of(p.where) if not p.where.startswith("evidence") else p.where,
                    f"'{p.where}' {p.message}" if not p.where.startswith("evidence") else p.message,
                )
                for p in exc.problems
            ],
        ) from None
