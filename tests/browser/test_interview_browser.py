"""End to end in Chromium: the guided interview from the start page to the result,
with HTMX and with JavaScript off, and by keyboard alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.support import (
    Interview,
    check_axe,
    fill_start,
    new_panel,
    path_of,
    question_id,
    shoot,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Age 30, an eyelid twitch for a week, 100 mg of caffeine, no to every warning sign.
SELF_CARE_TICKS = {"q_complaint": ["twitch_present"], "q_twitch_sites": ["twitch_site_eyelid"]}
SELF_CARE_NUMBERS = {"q_twitch_duration": "1", "q_caffeine": "100"}
# Age 50, weakness, and breathless at rest: red flag R2 (call an ambulance).
EMERGENCY_TICKS = {"q_complaint": ["weakness"], "q_emergency": ["breathless_at_rest"]}


def focus_on_question(page: Page) -> None:
    """HTMX moves focus to the new question once the swap settles (a few milliseconds)."""
    page.wait_for_function("() => document.activeElement?.id === 'question-title'", timeout=2000)


def care_level(page: Page) -> str:
    classes = page.locator("section.care").get_attribute("class") or ""
    return next(c.removeprefix("lvl-") for c in classes.split() if c.startswith("lvl-"))


def test_self_care_case_from_the_start_page_to_the_result(page: Page) -> None:
    fill_start(page, "30", "female")
    shoot(page, "start")
    check_axe(page, "start")
    page.get_by_role("button", name="Start the guided interview").click()
    page.wait_for_url("**/interview?t=*")
    shoot(page, "question-any-of")
    check_axe(page, "question-any-of")
    # Set a marker that a full page load would wipe: HTMX must swap panels instead.
    page.evaluate("() => { window.stayedOnPage = true }")
    seen: set[str] = set()

    def on_screen(p: Page, qid: str, kind: str) -> None:
        if qid != "q_complaint":
            assert p.evaluate("() => window.stayedOnPage === true"), "the page reloaded"
            focus_on_question(p)
            assert "/interview?t=" in p.url  # the address follows the interview
        if kind == "number" and kind not in seen:
            seen.add(kind)
            shoot(p, "question-number")
            check_axe(p, "question-number")

    person = Interview(tick=SELF_CARE_TICKS, numbers=SELF_CARE_NUMBERS, on_screen=on_screen)
    person.run(page)
    assert care_level(page) == "self_care"
    assert "number" in seen
    shoot(page, "result-self-care")
    check_axe(page, "result-self-care")
    print(f"self-care case: {len(person.asked)} questions: {person.asked}")
    assert len(person.asked) <= 12, person.asked


def test_emergency_case_ends_at_once_with_an_ambulance(page: Page) -> None:
    fill_start(page, "50", "male")
    page.get_by_role("button", name="Start the guided interview").click()
    page.wait_for_url("**/interview?t=*")
    person = Interview(tick=EMERGENCY_TICKS)
    person.run(page)
    # Nothing is more urgent than an ambulance: no question after the one that showed it.
    assert person.asked == ["q_complaint", "q_emergency"]
    assert care_level(page) == "emergency_ambulance"
    assert page.get_by_role("heading", name="Call an ambulance now").count() == 1
    shoot(page, "result-emergency-ambulance")
    check_axe(page, "result-emergency-ambulance")
    print(f"emergency case: {len(person.asked)} questions: {person.asked}")


def test_an_urgent_answer_is_shown_at_once_while_screening_goes_on(page: Page) -> None:
    # Chest pain is an emergency; a muscle warning sign could still make it an
    # ambulance, so screening goes on, with what to do shown on every screen.
    fill_start(page, "50", "male")
    page.get_by_role("button", name="Start the guided interview").click()
    page.wait_for_url("**/interview?t=*")
    warned: list[str] = []

    def on_screen(p: Page, qid: str, kind: str) -> None:
        banner = p.get_by_text("Your answers so far already mean")
        if banner.count() and not warned:
            warned.append(qid)
            shoot(p, "question-urgent")
            check_axe(p, "question-urgent")
            assert p.get_by_role("link", name="See what to do now").count() == 1

    ticks = {"q_complaint": ["twitch_present"], "q_emergency": ["chest_pain"]}
    person = Interview(tick=ticks, on_screen=on_screen)
    person.run(page)
    assert warned, "no warning was shown after the emergency answer"
    assert care_level(page) in {"emergency", "emergency_ambulance"}


def test_the_interview_works_with_javascript_off(page_without_js: Page) -> None:
    page = page_without_js
    fill_start(page, "30", "female")
    page.get_by_role("button", name="Start the guided interview").click()
    page.wait_for_url("**/interview?t=*")
    # Nothing ticked: the same question comes back with a message.
    with new_panel(page):
        page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("There is a problem").count() == 1
    assert question_id(page) == "q_complaint"
    # Answer, then go back: the earlier answer is shown ticked again.
    page.locator("label[for='option-twitch_present']").click()
    with new_panel(page):
        page.get_by_role("button", name="Continue").click()
    assert question_id(page) == "q_emergency"
    with new_panel(page):
        page.get_by_role("button", name="← Back").click()
    assert question_id(page) == "q_complaint"
    assert page.locator("#option-twitch_present").is_checked()
    person = Interview(tick=SELF_CARE_TICKS, numbers=SELF_CARE_NUMBERS)
    person.run(page)
    assert path_of(page) == "/result"
    assert care_level(page) == "self_care"
    shoot(page, "result-self-care-no-js")


def test_keyboard_alone_can_start_and_answer(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to main content"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0  # shown when focused
    page.keyboard.press("Enter")

    def tab_to(selector: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                style = page.evaluate(
                    "() => { const s = getComputedStyle(document.activeElement);"
                    " return [s.outlineStyle, parseFloat(s.outlineWidth)] }"
                )
                assert style[0] != "none" and style[1] >= 2, f"no visible focus on {selector}"
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#age")
    page.keyboard.type("30")
    tab_to("#sex")
    page.keyboard.press("ArrowDown")  # Female
    tab_to("button[formaction='/interview/start']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/interview?t=*")
    tab_to("#option-cramp_present")
    page.keyboard.press("Space")
    tab_to("button[value=answer]")
    with new_panel(page):
        page.keyboard.press("Enter")
    assert question_id(page) == "q_emergency"
    # After the swap, focus is on the new question, so a screen reader reads it next.
    focus_on_question(page)


def test_back_with_htmx_and_the_browser_back_button(page: Page) -> None:
    fill_start(page, "30", "female")
    page.get_by_role("button", name="Start the guided interview").click()
    page.wait_for_url("**/interview?t=*")
    first_url = page.url
    page.locator("label[for='option-cramp_present']").click()
    with new_panel(page):
        page.get_by_role("button", name="Continue").click()
    assert question_id(page) == "q_emergency" and page.url != first_url
    # The page's own Back undoes the answer and shows it ticked again.
    with new_panel(page):
        page.get_by_role("button", name="← Back").click()
    assert question_id(page) == "q_complaint"
    assert page.locator("#option-cramp_present").is_checked()
    with new_panel(page):
        page.get_by_role("button", name="Continue").click()
    assert question_id(page) == "q_emergency"
    # The browser's Back button returns to the previous question's address.
    page.go_back()
    page.wait_for_function("() => document.querySelector('input[name=q]')?.value === 'q_complaint'")
    assert "/interview?t=" in page.url
