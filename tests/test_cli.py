from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from myotriage.cli.app import app

from .conftest import DEV_CASES, require_shared

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_assess_prints_a_readable_result() -> None:
    code, out, _ = run(
        "assess",
        "--age",
        "34",
        "--sex",
        "female",
        "--yes",
        "twitch_present,twitch_site_leg,stress_high",
        "--no",
        "weakness,muscle_wasting",
        "--value",
        "caffeine_mg_per_day=500",
    )
    assert code == 0
    assert "What's most likely" in out
    assert "information" in out.lower()


def test_assess_json_is_the_assessment() -> None:
    code, out, _ = run(
        "assess", "--age", "70", "--sex", "male", "--yes", "weakness_one_side_sudden", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["triage"]["level"] == "emergency_ambulance"
    assert {"causes", "plan", "disclaimer", "evidence"} <= set(data)


def test_assess_a_case_file() -> None:
    require_shared()
    code, out, _ = run("assess", "--case", str(DEV_CASES / "d065.yaml"), "--json")
    assert code == 0
    assert json.loads(out)["triage"]["level"] == "emergency"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["assess", "--age", "30", "--sex", "male", "--yes", "twiching"], "did you mean"),
        (
            ["assess", "--age", "30", "--sex", "male", "--yes", "weakness", "--no", "weakness"],
            "both present and absent",
        ),
        (["assess", "--age", "130", "--sex", "male"], "outside 0-120"),
        (
            ["assess", "--age", "30", "--sex", "male", "--value", "caffeine_mg_per_day=lots"],
            "not a number",
        ),
        (["assess", "--age", "30"], "--sex"),
        (["kb", "show", "als_mdn"], "did you mean"),
    ],
)
def test_bad_input_is_one_clear_error_and_exit_2(args: list[str], fragment: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in out + err


def test_malformed_case_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: z1\nage: 30\nsex: female\nexpected:\n  triage: [unclosed\n")
    code, _, err = run("assess", "--case", str(bad))
    assert code == 2
    assert f"{bad}:" in err.replace("\n", "")


def test_case_file_with_wrong_field_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: z1\nage: thirty\nsex: female\nexpected:\n  triage: self_care\n")
    code, _, err = run("assess", "--case", str(bad))
    assert code == 2
    assert "age" in err and ":1" in err


def test_kb_show_and_check() -> None:
    code, out, _ = run("kb", "show", "als_mnd")
    assert code == 0 and json.loads(out)["icd10cm"] == "G12.21"
    code, out, _ = run("kb", "show", "R1")
    assert code == 0 and json.loads(out)["level"] == "emergency_ambulance"
    code, out, err = run("kb", "check", "--no-codes")
    assert code == 0, err
    assert "ok" in out


def test_eval_json_has_the_agreed_keys() -> None:
    require_shared()
    code, out, _ = run("eval", str(DEV_CASES), "--mode", "full", "--json")
    assert code == 0
    data = json.loads(out.strip().splitlines()[-1])
    for key in [
        "cases",
        "triage_exact",
        "under_triage",
        "unsafe",
        "over_triage",
        "top1",
        "top3",
        "failures",
    ]:
        assert key in data
    assert data["cases"] == len(list(DEV_CASES.glob("*.yaml")))


def test_eval_on_a_missing_path_is_a_clear_error() -> None:
    code, _, err = run("eval", "/no/such/dir", "--json")
    assert code == 2 and "no such file" in err


def test_serve_refuses_bad_settings_with_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run("serve", "--port", "70000")
    assert code == 2 and "port" in err
    monkeypatch.setenv("MYOTRIAGE_WORKERS", "abc")
    code, _, err = run("serve")
    assert code == 2 and "workers" in err
