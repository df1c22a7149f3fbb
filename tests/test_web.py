"""Server-rendered pages: start page, text assessment, permalink, errors that keep input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from myotriage import Evidence
from myotriage.api.app import create_app
from myotriage.web.routes import decode_evidence, encode_evidence


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def test_start_page_asks_age_sex_and_text_and_says_it_is_not_a_diagnosis(
    client: TestClient,
) -> None:
    r = client.get("/")
    assert r.status_code == 200
    for piece in ['name="age"', 'name="sex"', 'name="text"', "not a diagnosis"]:
        assert piece in r.text
    assert 'lang="en"' in r.text and 'name="viewport"' in r.text


def test_text_to_result_via_a_permalink(client: TestClient) -> None:
    r = client.post(
        "/assess-text",
        data={
            "age": "70",
            "sex": "male",
            "text": "my face dropped on one side and my arm went weak suddenly",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert "lvl-emergency_ambulance" in page.text
    assert "What&#39;s most likely" in page.text or "What's most likely" in page.text
    assert r.headers["location"] in page.text  # the permalink is shown


def test_bad_form_input_is_explained_and_nothing_typed_is_lost(client: TestClient) -> None:
    r = client.post("/assess-text", data={"age": "old", "sex": "", "text": "night cramps"})
    assert r.status_code == 422
    assert "type a number" in r.text and "choose female or male" in r.text
    assert "night cramps" in r.text and 'value="old"' in r.text


def test_empty_text_gets_a_clear_message(client: TestClient) -> None:
    r = client.post("/assess-text", data={"age": "30", "sex": "female", "text": "  "})
    assert r.status_code == 422 and "describe what is happening" in r.text


def test_broken_permalink_is_a_clear_page(client: TestClient) -> None:
    r = client.get("/result?e=not-a-result")
    assert r.status_code == 400 and "not valid" in r.text


def test_permalink_round_trip() -> None:
    ev = Evidence(
        age=41,
        sex="female",
        present=frozenset({"twitch_site_eyelid"}),
        absent=frozenset({"droop_double_vision"}),
        values={"twitch_duration_weeks": 3},
    )
    assert decode_evidence(encode_evidence(ev)) == ev
