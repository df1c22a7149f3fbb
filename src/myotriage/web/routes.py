"""Server-rendered pages (Jinja2). Thin: read the form, call the engine, render.

The result page's address carries the evidence itself (``/result?e=...``), so a
person can reopen or share it and the server keeps no state.
"""

from __future__ import annotations

import base64
import binascii
import json
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from myotriage.engine.assess import assess
from myotriage.engine.evidence import Evidence
from myotriage.errors import ProblemsError
from myotriage.knowledge.base import KnowledgeBase
from myotriage.nlp.parse import MAX_CHARS, build_parser
from myotriage.phrasing import in_sentence


def encode_evidence(ev: Evidence) -> str:
    """A compact, URL-safe token holding the evidence (no server state)."""
    data = {
        "a": ev.age,
        "s": ev.sex.value,
        "p": sorted(ev.present),
        "n": sorted(ev.absent),
        "u": sorted(ev.unknown),
        "v": dict(sorted(ev.values.items())),
    }
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_evidence(token: str) -> Evidence:
    """The evidence a token holds; ValueError if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        return Evidence(
            age=data["a"],
            sex=data["s"],
            present=frozenset(data.get("p", [])),
            absent=frozenset(data.get("n", [])),
            unknown=frozenset(data.get("u", [])),
            values=data.get("v", {}),
        )
    except (binascii.Error, ValueError, KeyError, TypeError, ValidationError) as exc:
        raise ValueError("this link does not hold a result") from exc


def web_router(kb: KnowledgeBase) -> APIRouter:
    """Pages: start page, text assessment, permalink result."""
    folder = resources.files("myotriage.web").joinpath("templates")
    templates = Jinja2Templates(directory=str(folder))
    templates.env.filters["lower_first"] = in_sentence
    router = APIRouter(include_in_schema=False)
    base = {"disclaimer": kb.policy.disclaimer, "max_chars": MAX_CHARS}

    def start_page(request: Request, status: int = 200, **form: object) -> HTMLResponse:
        return templates.TemplateResponse(
            request, "index.html", {**base, **form}, status_code=status
        )

    @router.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        return start_page(request)

    @router.post("/assess-text", response_model=None)
    def assess_text(
        request: Request,
        age: Annotated[str, Form()] = "",
        sex: Annotated[str, Form()] = "",
        text: Annotated[str, Form()] = "",
    ) -> Response:
        errors = []
        try:
            age_value = float(age)
            if not 0 <= age_value <= 120:
                errors.append("Age must be between 0 and 120 years.")
        except ValueError:
            errors.append("Age: type a number of years, for example 34.")
        if sex not in ("female", "male"):
            errors.append("Sex: choose female or male.")
        evidence = None
        if not errors:
            try:
                parsed = build_parser(kb).parse(text)
                evidence = parsed.evidence(kb, age=age_value, sex=sex)
                assess(evidence, kb)  # surface any evidence problem here, not on the next page
            except ProblemsError as exc:
                errors += [
                    f"{p.where}: {p.message}" if p.where != "text" else p.message
                    for p in exc.problems
                ]
        if errors or evidence is None:
            # Everything typed is kept and shown again with what to fix.
            return start_page(request, 422, errors=errors, age=age, sex=sex, text=text)
        return RedirectResponse(f"/result?e={encode_evidence(evidence)}", status_code=303)

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
        return templates.TemplateResponse(
            request, "result.html", {**base, "a": a, "permalink": f"/result?e={e}"}
        )

    return router
