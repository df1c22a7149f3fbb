"""Server-rendered pages: start page, text assessment, permalink, errors that keep input,
the guided interview without JavaScript, and the knowledge pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from fastapi.testclient import TestClient
from httpx import Response
from markupsafe import escape

from myotriage import Evidence, KnowledgeBase
from myotriage.api.app import create_app
from myotriage.engine.interview import Answer, next_question
from myotriage.settings import Settings
from myotriage.web.interview import replay
from myotriage.web.routes import decode_evidence, encode_evidence
from myotriage.web.tokens import (
    AnsweredQuestion,
    InterviewState,
    decode_interview,
    encode_interview,
)

ROOT = Path(__file__).resolve().parents[1]
PACKAGED_KB = ROOT / "src" / "myotriage" / "knowledge" / "data"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


# --------------------------------------------------------------------------- helpers


@dataclass
class Screen:
    """The parts of a question page a person acts on."""

    status: int
    html: str
    title: str = ""
    token: str = ""
    question: str = ""
    checkboxes: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    radios: list[str] = field(default_factory=list)
    number: str | None = None
    actions: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.number is not None:
            return "number"
        if self.radios:
            return "one_of"
        if "yes" in self.actions:
            return "yes_no"
        return "any_of"


class _ScreenParser(HTMLParser):
    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.s = screen
        self.in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h1":
            self.in_h1 = True
        if tag == "input":
            name, value, kind = a.get("name"), a.get("value") or "", a.get("type")
            if name == "t":
                self.s.token = value
            elif name == "q":
                self.s.question = value
            elif name == "o" and kind == "checkbox":
                self.s.checkboxes.append(value)
            elif name == "o" and kind == "radio":
                self.s.radios.append(value)
            elif name == "value":
                self.s.number = value
            if "checked" in a and name in ("o", "none"):
                self.s.checked.append(value if name == "o" else "none")
        if tag == "button" and a.get("name") == "action":
            self.s.actions.append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data: str) -> None:
        if self.in_h1:
            self.s.title += data.strip()


def screen(r: Response) -> Screen:
    s = Screen(status=r.status_code, html=r.text)
    _ScreenParser(s).feed(r.text)
    return s


Policy = Callable[[Screen], dict[str, object]]


def no_to_everything(s: Screen) -> dict[str, object]:
    if s.kind == "number":
        return {"action": "answer", "value": "1"}
    if s.kind == "yes_no":
        return {"action": "no"}
    if s.kind == "one_of":
        return {"action": "answer", "o": s.radios[0]}
    return {"action": "answer", "none": "1"}


def ticking(choices: dict[str, list[str]], numbers: dict[str, str] | None = None) -> Policy:
    """Tick the given options on the named questions, 'none' elsewhere; numbers by question."""

    def policy(s: Screen) -> dict[str, object]:
        if s.question in choices:
            return {"action": "answer", "o": choices[s.question]}
        if numbers and s.question in numbers:
            return {"action": "answer", "value": numbers[s.question]}
        return no_to_everything(s)

    return policy


def start(client: TestClient, age: str = "30", sex: str = "female", text: str = "") -> Screen:
    r = client.post("/interview/start", data={"age": age, "sex": sex, "text": text})
    assert r.status_code == 200, r.text
    return screen(r)


def send(client: TestClient, s: Screen, form: dict[str, object]) -> Response:
    data = {"t": s.token, "q": s.question, **form}
    return client.post("/interview", data=data, follow_redirects=False)


def evidence_at(location: str, kb: KnowledgeBase) -> Evidence:
    """The evidence behind a result or interview address."""
    query = parse_qs(urlsplit(location).query)
    if "e" in query:
        return decode_evidence(query["e"][0])
    return replay(decode_interview(query["t"][0]), kb)


def run_interview(client: TestClient, first: Screen, policy: Policy) -> tuple[list[str], str]:
    """Answer until the engine stops; the questions asked and the result address."""
    s, asked = first, []
    for _ in range(40):
        assert s.status == 200 and s.question, s.html[:500]
        asked.append(s.question)
        r = send(client, s, policy(s))
        assert r.status_code == 303, r.text[:2000]
        location = r.headers["location"]
        if location.startswith("/result?"):
            return asked, location
        s = screen(client.get(location))
    raise AssertionError("the interview never stopped")


# --------------------------------------------------------------------------- start page and text


def test_start_page_asks_age_sex_and_text_and_says_it_is_not_a_diagnosis(
    client: TestClient,
) -> None:
    r = client.get("/")
    assert r.status_code == 200
    for piece in ['name="age"', 'name="sex"', 'name="text"', "not a diagnosis"]:
        assert piece in r.text
    assert 'lang="en"' in r.text and 'name="viewport"' in r.text


def test_start_page_offers_the_guided_interview_a_skip_link_and_the_knowledge_pages(
    client: TestClient,
) -> None:
    html = client.get("/").text
    assert 'formaction="/interview/start"' in html and "Start the guided interview" in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert 'href="/learn"' in html


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


# --------------------------------------------------------------------------- interview tokens


def test_interview_token_round_trip_and_is_a_result_token_for_its_start() -> None:
    ev = Evidence(age=30, sex="male", present=frozenset({"twitch_present"}))
    state = InterviewState(
        start=ev,
        answers=(
            AnsweredQuestion("q_complaint", Answer(states={"cramp_present": "no"})),
            AnsweredQuestion("q_caffeine", Answer(values={"caffeine_mg_per_day": None})),
        ),
    ).back()
    token = encode_interview(state)
    assert decode_interview(token) == state
    assert state.undone is not None and state.asked == ["q_complaint"]
    assert decode_evidence(token) == ev


@pytest.mark.parametrize(
    "token", ["", "not-a-token", encode_evidence(Evidence(age=30, sex="male"))[:-3], "W10"]
)
def test_broken_interview_link_is_a_clear_page(client: TestClient, token: str) -> None:
    r = client.get(f"/interview?t={token}")
    assert r.status_code == 400 and "interview link is not valid" in r.text


def test_a_tampered_answer_is_refused_not_replayed(client: TestClient) -> None:
    state = InterviewState(
        start=Evidence(age=30, sex="male"),
        answers=(AnsweredQuestion("q_complaint", Answer(states={"no_such_finding": "yes"})),),
    )
    r = client.get(f"/interview?t={encode_interview(state)}")
    assert r.status_code == 400


# --------------------------------------------------------------------------- the interview, no JS


def test_interview_round_trip_without_javascript_ends_on_the_result(
    client: TestClient, kb: KnowledgeBase
) -> None:
    first = start(client)
    assert first.question == "q_complaint" and first.kind == "any_of"
    # Every screen: progress, the question, why it is asked, and a don't-know button.
    assert "<progress" in first.html and "Question 1 of at most" in first.html
    # Screening says how many warning-sign questions are still due.
    left = next_question(Evidence(age=30, sex="female"), kb, []).screening_left
    assert left > 0 and f"· about {left} more of these" in first.html
    assert "Asked first because" in first.html
    assert "dont_know" in first.actions
    choices = {"q_complaint": ["twitch_present"], "q_twitch_sites": ["twitch_site_eyelid"]}
    asked, location = run_interview(client, first, ticking(choices))
    assert asked[:2] == ["q_complaint", "q_emergency"]
    assert len(asked) == len(set(asked)) <= 25
    page = client.get(location)
    assert page.status_code == 200 and "lvl-self_care" in page.text
    ev = decode_evidence(parse_qs(urlsplit(location).query)["e"][0])
    assert {"twitch_present", "twitch_site_eyelid"} <= ev.present
    assert "weakness" in ev.absent


def test_a_life_threatening_answer_is_flagged_at_once_and_ends_in_an_ambulance(
    client: TestClient,
) -> None:
    first = start(client, age="50", sex="male")
    r = send(client, first, {"action": "answer", "o": ["weakness"]})
    emergency = screen(client.get(r.headers["location"]))
    assert emergency.question == "q_emergency"
    assert "Your answers so far" not in emergency.html
    r = send(client, emergency, {"action": "answer", "o": ["breathless_at_rest"]})
    # Nothing is more urgent than an ambulance: straight to the result.
    done = client.get(r.headers["location"], follow_redirects=True)
    assert "lvl-emergency_ambulance" in done.text


def test_an_urgent_answer_is_shown_on_every_screen_while_screening_goes_on(
    client: TestClient,
) -> None:
    first = start(client, age="50", sex="male")
    r = send(client, first, {"action": "answer", "o": ["twitch_present"]})
    emergency = screen(client.get(r.headers["location"]))
    r = send(client, emergency, {"action": "answer", "o": ["chest_pain"]})
    nxt = screen(client.get(r.headers["location"]))
    # A warning sign could still make it an ambulance, so screening goes on, but the
    # person is told now what to do, with a way out.
    assert "Your answers so far already mean: Go to an emergency department now" in nxt.html
    assert 'href="/result?e=' in nxt.html
    _, location = run_interview(client, nxt, no_to_everything)
    assert "lvl-emergency" in client.get(location).text


def test_back_undoes_the_last_answer_and_shows_it_again(client: TestClient) -> None:
    first = start(client)
    r = send(client, first, {"action": "answer", "o": ["twitch_present", "cramp_present"]})
    second = screen(client.get(r.headers["location"]))
    assert second.question == "q_emergency" and "Question 2 of" in second.html
    r = send(client, second, {"action": "back"})
    assert r.status_code == 303
    again = screen(client.get(r.headers["location"]))
    assert again.question == "q_complaint" and "Question 1 of" in again.html
    assert sorted(again.checked) == ["cramp_present", "twitch_present"]
    assert decode_interview(again.token).answers == ()
    # Answering differently after going back replaces the old answer.
    r = send(client, again, {"action": "answer", "o": ["cramp_present"]})
    state = decode_interview(parse_qs(urlsplit(r.headers["location"]).query)["t"][0])
    assert state.answers[0].answer.states["twitch_present"] == "no"
    assert state.undone is None


def test_back_on_the_first_question_returns_to_the_start_keeping_age_and_sex(
    client: TestClient,
) -> None:
    first = start(client, age="44", sex="male")
    r = send(client, first, {"action": "back"})
    assert r.status_code == 303 and r.headers["location"] == "/?age=44&sex=male"
    page = client.get(r.headers["location"]).text
    assert 'value="44"' in page and '<option value="male" selected' in page


def test_dont_know_is_an_answer_and_moves_on(client: TestClient) -> None:
    first = start(client)
    r = send(client, first, {"action": "dont_know"})
    state = decode_interview(parse_qs(urlsplit(r.headers["location"]).query)["t"][0])
    (step,) = state.answers
    assert step.question == "q_complaint"
    assert set(step.answer.states.values()) == {"unknown"}
    assert screen(client.get(r.headers["location"])).question != "q_complaint"


def _number_screen(client: TestClient) -> Screen:
    s = start(client)
    choices = {"q_complaint": ["twitch_present"]}
    while s.kind != "number":
        r = send(client, s, ticking(choices)(s))
        s = screen(client.get(r.headers["location"]))
    return s


def test_dont_know_on_a_number_question(client: TestClient, kb: KnowledgeBase) -> None:
    s = _number_screen(client)
    assert s.question == "q_twitch_duration"
    r = send(client, s, {"action": "dont_know", "value": ""})
    assert "twitch_duration_weeks" in evidence_at(r.headers["location"], kb).unknown


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("99999", "Give a number between 0 and"),
        ("-1", "Give a number between 0 and"),
        ("lots", "&#39;lots&#39; is not a number"),
        ("", "Type a number, or press Don&#39;t know."),
    ],
)
def test_a_bad_number_is_explained_and_nothing_is_lost(
    client: TestClient, typed: str, message: str
) -> None:
    s = _number_screen(client)
    r = send(client, s, {"action": "answer", "value": typed})
    again = screen(r)
    assert r.status_code == 422
    assert message in r.text
    assert again.question == s.question and again.token == s.token  # nothing lost
    assert again.number == typed  # what was typed is shown again
    assert 'aria-invalid="true"' in r.text and 'href="#value"' in r.text


def test_a_decimal_comma_is_read_as_a_decimal(client: TestClient, kb: KnowledgeBase) -> None:
    s = _number_screen(client)
    r = send(client, s, {"action": "answer", "value": "2,5"})
    assert evidence_at(r.headers["location"], kb).values["twitch_duration_weeks"] == 2.5


def test_nothing_ticked_or_a_contradiction_re_asks_the_same_question(client: TestClient) -> None:
    first = start(client)
    r = send(client, first, {"action": "answer"})
    assert r.status_code == 422 and "Tick every answer that applies" in r.text
    assert screen(r).token == first.token
    r = send(client, first, {"action": "answer", "o": ["twitch_present"], "none": "1"})
    again = screen(r)
    assert r.status_code == 422 and "untick one or the other" in r.text
    assert again.checked == ["twitch_present", "none"]  # the ticks are kept
    r = send(client, first, {"action": "answer", "o": ["not_an_option"]})
    assert r.status_code == 422 and "not one of the choices" in r.text


def test_a_stale_form_shows_the_current_question(client: TestClient) -> None:
    first = start(client)
    r = send(client, first, {"action": "answer", "q": "q_medicines", "none": "1"})
    assert r.status_code == 303
    assert screen(client.get(r.headers["location"])).question == "q_complaint"


def test_what_was_written_seeds_the_interview(client: TestClient) -> None:
    text = "my left calf has been twitching for 3 weeks, no weakness"
    first = start(client, text=text)
    assert "What we took from what you wrote" in first.html
    assert first.question == "q_complaint"
    assert "twitch_present" not in first.checkboxes and "weakness" not in first.checkboxes


def test_htmx_requests_swap_the_panel_and_leave_it_for_the_result(client: TestClient) -> None:
    hx = {"HX-Request": "true"}
    first = start(client)
    page = client.get(f"/interview?t={first.token}", headers=hx)
    assert "autofocus" in page.text and 'hx-post="/interview"' in page.text
    assert '<script src="/static/htmx.min.js"' in page.text
    r = client.post(
        "/interview", data={"t": first.token, "q": first.question, "action": "answer"}, headers=hx
    )
    assert r.status_code == 422 and r.headers["HX-Push-Url"] == "false"
    r = client.post("/interview", data={"t": first.token, "action": "back"}, headers=hx)
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/?age=30&sex=female"


def test_one_of_questions_get_radio_buttons(tmp_path: Path) -> None:
    data = yaml.safe_load((PACKAGED_KB / "questions.yaml").read_text(encoding="utf-8"))
    data["questions"].insert(
        0,
        {
            "id": "q_side",
            "kind": "one_of",
            "forced": True,
            "text": "Which side is the twitching on?",
            "findings": ["twitch_site_eyelid", "twitch_site_leg"],
            "rationale": "Asked in this test to check single-choice questions.",
        },
    )
    (tmp_path / "questions.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with TestClient(create_app(Settings(kb_path=tmp_path))) as c:
        first = start(c)
        assert first.question == "q_side" and first.kind == "one_of"
        assert 'type="radio"' in first.html
        r = send(c, first, {"action": "answer"})
        assert r.status_code == 422 and "Choose one answer" in r.text
        r = send(c, first, {"action": "answer", "o": ["twitch_site_eyelid", "twitch_site_leg"]})
        assert r.status_code == 422 and "Choose only one answer" in r.text
        r = send(c, first, {"action": "answer", "o": "twitch_site_leg"})
        state = decode_interview(parse_qs(urlsplit(r.headers["location"]).query)["t"][0])
        assert state.answers[0].answer.states == {
            "twitch_site_eyelid": "no",
            "twitch_site_leg": "yes",
        }


def test_yes_no_questions_get_yes_and_no_buttons(client: TestClient) -> None:
    # A man of 60 with pins and needles is asked whether he is unsteady on his feet
    # (a yes/no question) once screening is done.
    s = start(client, age="60", sex="male")
    policy = ticking({"q_complaint": ["pins_needles_hands_feet"]})
    for _ in range(25):
        if s.kind == "yes_no":
            break
        r = send(client, s, policy(s))
        assert r.status_code == 303
        if r.headers["location"].startswith("/result"):
            pytest.fail("no yes/no question was reached")
        s = screen(client.get(r.headers["location"]))
    assert {"yes", "no", "dont_know"} <= set(s.actions)
    r = send(client, s, {"action": "answer"})
    assert r.status_code == 422 and "Choose Yes or No" in r.text


# --------------------------------------------------------------------------- knowledge pages


def test_every_condition_page_renders_with_its_sources(
    client: TestClient, kb: KnowledgeBase
) -> None:
    for cid, c in kb.conditions.items():
        r = client.get(f"/learn/conditions/{cid}")
        assert r.status_code == 200, cid
        assert str(escape(c.name)) in r.text and str(escape(c.description)) in r.text
        for sid in c.sources:
            assert str(escape(kb.sources[sid].title)) in r.text, (cid, sid)
        for iv in kb.interventions.values():
            if cid in iv.for_conditions:
                assert f'href="/learn/remedies/{iv.id}"' in r.text, (cid, iv.id)


def test_every_remedy_page_renders_with_its_grade_cautions_and_sources(
    client: TestClient, kb: KnowledgeBase
) -> None:
    for iid, iv in kb.interventions.items():
        r = client.get(f"/learn/remedies/{iid}")
        assert r.status_code == 200, iid
        assert f"grade-{iv.grade.value}" in r.text
        assert str(escape(iv.grade_note)) in r.text
        for caution in iv.cautions:
            assert str(escape(caution.text)) in r.text, iid
        for sid in iv.sources:
            assert str(escape(kb.sources[sid].title)) in r.text, (iid, sid)
        if iv.grade.value == "evidence_against":
            assert "The evidence is against this." in r.text
        assert ("Only a doctor can" in r.text) == iv.clinician_only


def test_condition_page_puts_link_probabilities_in_plain_words(client: TestClient) -> None:
    html = client.get("/learn/conditions/benign_twitch_transient").text
    assert "almost always (about 95 in 100)" in html  # twitch_present, p = 0.95
    assert "Look after yourself at home" in html  # its urgency, as the person would read it


def test_learn_index_links_every_condition_and_remedy(
    client: TestClient, kb: KnowledgeBase
) -> None:
    html = client.get("/learn").text
    for cid in kb.conditions:
        assert f'href="/learn/conditions/{cid}"' in html
    for iid in kb.interventions:
        assert f'href="/learn/remedies/{iid}"' in html
    # The popular article's remedies are each checked against the evidence.
    for iv in kb.interventions.values():
        if iv.in_seed_article:
            assert str(escape(iv.article_says or "")) in html


@pytest.mark.parametrize(
    "path", ["/learn/conditions/no_such_thing", "/learn/remedies/no_such_thing"]
)
def test_unknown_knowledge_ids_are_a_404_page(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert "Page not found" in r.text and 'href="/learn"' in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_result_page_links_causes_and_plan_cards_to_the_knowledge_pages(
    client: TestClient,
) -> None:
    ev = Evidence(
        age=34,
        sex="female",
        present=frozenset({"twitch_site_leg", "stress_high", "cramp_present"}),
        absent=frozenset({"weakness", "muscle_wasting"}),
        values={"caffeine_mg_per_day": 500},
    )
    html = client.get(f"/result?e={encode_evidence(ev)}").text
    a = client.post(
        "/v1/assess",
        json={
            "age": 34,
            "sex": "female",
            "evidence": [
                *({"id": f, "state": "present"} for f in sorted(ev.present)),
                *({"id": f, "state": "absent"} for f in sorted(ev.absent)),
                {"id": "caffeine_mg_per_day", "value": 500},
            ],
        },
    ).json()
    assert a["causes"]
    for cause in a["causes"]:
        assert f'href="/learn/conditions/{cause["id"]}"' in html
    items = [i for part in ("self_care", "ask_doctor", "not_recommended") for i in a["plan"][part]]
    assert items
    for item in items:
        assert f'href="/learn/remedies/{item["id"]}"' in html
    assert re.search(r"<h1[^>]*>Your result</h1>", html)


# --------------------------------------------------------------------------- static files


def test_htmx_is_vendored_and_served_at_the_pinned_version(client: TestClient) -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["htmx.org"]
    r = client.get("/static/htmx.min.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert f'version:"{pinned}"' in r.text
    vendored = ROOT / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
    if vendored.exists():  # after `npm ci`: the copy is byte for byte the package's file
        assert vendored.read_bytes() == r.content


def test_an_unknown_address_gets_a_page_in_a_browser_and_json_for_programs(
    client: TestClient,
) -> None:
    page = client.get("/no/such/page", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text and 'href="/learn"' in page.text
    api = client.get("/v1/no-such-thing", headers={"accept": "text/html"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    program = client.get("/no/such/page")
    assert program.status_code == 404 and program.json()["error"]["code"] == "not_found"
