"""The REST API: every endpoint, every error class, the error envelope, OpenAPI."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from myotriage import KnowledgeBase, assess
from myotriage.api.app import create_app
from myotriage.eval.vignettes import Case, load_cases
from myotriage.settings import Settings

from .conftest import DEV_CASES, require_shared


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings()), raise_server_exceptions=False) as c:
        yield c


def wire(case: Case) -> dict[str, Any]:
    ev = [{"id": f, "state": "present"} for f in case.present]
    ev += [{"id": f, "state": "absent"} for f in case.absent]
    ev += [{"id": f, "value": v} for f, v in case.values.items()]
    return {"age": case.age, "sex": case.sex.value, "evidence": ev}


def assert_envelope(body: dict[str, Any], code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    for d in body["error"]["details"]:
        assert set(d) == {"field", "message"}


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "knowledge": None}
    assert client.get("/readyz").json()["status"] == "ok"


def test_assess(client: TestClient) -> None:
    r = client.post(
        "/v1/assess",
        json={
            "age": 34,
            "sex": "female",
            "evidence": [
                {"id": "twitch_site_leg", "state": "present"},
                {"id": "weakness", "state": "absent"},
                {"id": "caffeine_mg_per_day", "value": 500},
            ],
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["triage"]["level"] == "self_care"
    assert body["causes"][0]["why"]
    assert body["plan"]["self_care"][0]["sources"]


def test_every_dev_vignette_matches_the_library(client: TestClient, kb: KnowledgeBase) -> None:
    require_shared()
    for case in load_cases(DEV_CASES):
        r = client.post("/v1/assess", json=wire(case))
        assert r.status_code == 200, case.id
        lib = assess(case.evidence(), kb)
        assert r.json()["triage"]["level"] == lib.triage.level.value, case.id
        assert [c["id"] for c in r.json()["causes"]] == [c.id for c in lib.causes], case.id


def test_parse(client: TestClient) -> None:
    r = client.post("/v1/parse", json={"text": "my left calf has been jumping for 3 weeks"})
    assert r.status_code == 200
    body = r.json()
    assert any(f["id"] == "twitch_site_leg" for f in body["findings"])
    assert any(v["id"] == "twitch_duration_weeks" for v in body["values"])


def test_parse_reads_month_durations_against_the_given_date(client: TestClient) -> None:
    body = {"text": "my calf has been twitching since March", "today": "2026-11-25"}
    r = client.post("/v1/parse", json=body)
    assert r.status_code == 200
    weeks = {v["id"]: v["value"] for v in r.json()["values"]}["twitch_duration_weeks"]
    assert weeks == pytest.approx(255 / 7, abs=1e-3)
    bad = client.post("/v1/parse", json={**body, "today": "25/11/2026"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "today"


def test_interview_next(client: TestClient) -> None:
    r = client.post(
        "/v1/interview/next", json={"age": 30, "sex": "male", "evidence": [], "asked": []}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["should_stop"] is False
    assert body["question"]["id"] == "q_complaint"
    assert body["question"]["options"] and body["question"]["rationale"]


@pytest.mark.parametrize("path", ["conditions", "findings", "interventions", "sources"])
def test_knowledge_lists(client: TestClient, path: str) -> None:
    r = client.get(f"/v1/knowledge/{path}")
    assert r.status_code == 200 and len(r.json()) > 10


def test_knowledge_one_condition(client: TestClient) -> None:
    assert client.get("/v1/knowledge/conditions/als_mnd").json()["icd10cm"] == "G12.21"
    r = client.get("/v1/knowledge/conditions/nope")
    assert r.status_code == 404
    assert_envelope(r.json(), "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"age": 130, "sex": "female"}, "age"),
        ({"age": 30, "sex": "other"}, "sex"),
        ({"age": 30, "sex": "male", "colour": "blue"}, "colour"),
        ({"age": 30, "sex": "male", "evidence": [{"id": "weakness"}]}, "evidence[0]"),
        (
            {"age": 30, "sex": "male", "evidence": [{"id": "weakness", "state": "maybe"}]},
            "evidence[0].state",
        ),
        ({"sex": "male"}, "age"),
    ],
)
def test_request_errors_name_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    r = client.post("/v1/assess", json=body)
    assert r.status_code == 422
    assert_envelope(r.json(), "invalid_request")
    assert field in [d["field"] for d in r.json()["error"]["details"]]


@pytest.mark.parametrize("path", ["/v1/assess", "/v1/interview/next", "/v1/parse"])
@pytest.mark.parametrize(
    ("raw", "says"), [(b'{"age": 30,', "EOF"), (b"", "empty"), (b"age=30&sex=male", "expected")]
)
def test_a_body_that_is_not_json_is_a_400_saying_why(
    client: TestClient, path: str, raw: bytes, says: str
) -> None:
    r = client.post(path, content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert_envelope(r.json(), "bad_request")
    (detail,) = r.json()["error"]["details"]
    assert detail["field"] == "body" and says in detail["message"]


def test_json_sent_without_a_json_content_type_is_still_read(client: TestClient) -> None:
    # curl -d sends form encoding by default; the body decides, not the header.
    body = b'{"age": 30, "sex": "male", "evidence": [{"id": "weakness", "state": "absent"}]}'
    r = client.post("/v1/assess", content=body, headers={"content-type": "text/plain"})
    assert r.status_code == 200 and "weakness" in r.json()["evidence"]["absent"]
    r = client.post("/v1/assess", content=b"[1]", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body"


def test_openapi_still_documents_each_request_body(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, model in [
        ("/v1/assess", "AssessRequest"),
        ("/v1/interview/next", "InterviewRequest"),
        ("/v1/parse", "ParseRequest"),
    ]:
        schema = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith(model)
        assert "400" in paths[path]["post"]["responses"]


def test_evidence_errors_name_the_field_and_suggest(client: TestClient) -> None:
    r = client.post(
        "/v1/assess",
        json={
            "age": 30,
            "sex": "male",
            "evidence": [
                {"id": "weakness", "state": "present"},
                {"id": "twiching", "state": "present"},
            ],
        },
    )
    assert r.status_code == 422
    assert_envelope(r.json(), "invalid_evidence")
    detail = r.json()["error"]["details"][0]
    assert detail["field"] == "evidence[1]" and "did you mean" in detail["message"]
    r = client.post(
        "/v1/assess",
        json={
            "age": 30,
            "sex": "male",
            "evidence": [
                {"id": "weakness", "state": "present"},
                {"id": "weakness", "state": "absent"},
            ],
        },
    )
    assert r.json()["error"]["details"][0]["field"] == "evidence[1].id"


def test_text_errors(client: TestClient) -> None:
    r = client.post("/v1/parse", json={"text": "   "})
    assert r.status_code == 422
    assert_envelope(r.json(), "invalid_text")
    r = client.post("/v1/parse", json={"text": "x" * 6000})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "text"


def test_wrong_method_and_unknown_route(client: TestClient) -> None:
    assert_envelope(client.get("/v1/assess").json(), "method_not_allowed")
    assert_envelope(client.get("/nope").json(), "not_found")


def test_openapi_documents_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in [
        "/v1/parse",
        "/v1/assess",
        "/v1/interview/next",
        "/v1/knowledge/conditions",
        "/v1/knowledge/conditions/{condition_id}",
        "/v1/knowledge/findings",
        "/v1/knowledge/interventions",
        "/v1/knowledge/sources",
        "/healthz",
        "/readyz",
    ]:
        assert path in spec["paths"], path
    assert "ErrorEnvelope" in spec["components"]["schemas"]
    assert spec["paths"]["/v1/assess"]["post"]["responses"]["422"]


def test_access_log_keeps_paths_but_never_the_evidence_in_the_address() -> None:
    # A result link carries the person's answers in its query string.
    create_app()
    access = logging.getLogger("uvicorn.access")
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/result?e=eyJhIjozNCwicCI6WyJ3ZWFrbmVzcyJdfQ", "1.1", 200),
        None,
    )
    assert all(f.filter(record) for f in access.filters)
    line = record.getMessage()
    assert "/result" in line and "eyJ" not in line and "?" not in line
