"""The interactive interview, driven through a real pseudo-terminal with pexpect."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pexpect

PROMPTS = [
    r"Type numbers that apply.*: ",
    r"Type one number.*: ",
    r"Answer \(y / n / \? / b / q\): ",
    r"Number in .*: ",
    r"What's most likely",
]


def spawn(*args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "myotriage", "interview", *args],
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )
    return child


def test_a_whole_interview_ends_on_the_result_screen(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    child = spawn("--age", "30", "--sex", "male", "--json-out", str(out))
    child.expect(r"What is bothering you")
    child.expect(PROMPTS[0])
    child.sendline("1")  # twitching
    answered = 1
    while True:
        i = child.expect(PROMPTS)
        if i == 4:
            break
        child.sendline({0: "0", 1: "1", 2: "n", 3: "?"}[i])
        answered += 1
        assert answered < 30
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    data = json.loads(out.read_text())
    assert data["asked"][0] == "q_complaint"
    assert "twitch_present" in data["evidence"]["present"]
    assert data["assessment"]["triage"]["level"] in {"self_care", "consultation"}


def test_back_returns_to_the_previous_question_and_bad_input_is_reasked() -> None:
    child = spawn("--age", "45", "--sex", "female")
    child.expect(PROMPTS[0])
    child.sendline("2")  # cramps
    child.expect(r"happening now")
    child.expect(PROMPTS[0])
    child.sendline("banana")
    child.expect(r"Please type numbers that apply")
    child.sendline("b")
    child.expect(r"Going back one question")
    child.expect(r"What is bothering you")
    child.sendcontrol("c")
    child.expect(r"Interview stopped")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_age_and_sex_are_asked_and_checked_when_not_given() -> None:
    child = spawn()
    child.expect(r"How old are you")
    child.sendline("two hundred")
    child.expect(r"is not a number")
    child.sendline("150")
    child.expect(r"between 0 and 120")
    child.sendline("40")
    child.expect(r"Sex, for the statistics")
    child.sendline("x")
    child.expect(r"Please type f or m")
    child.sendline("m")
    child.expect(r"What is bothering you")
    child.sendline("q")
    child.expect(r"Interview stopped")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
