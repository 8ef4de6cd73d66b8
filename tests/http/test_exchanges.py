"""``talon-fakes check --exchanges`` on real recordings of traffic with the served fake: VCR.py
cassettes (written by VCR.py), HAR files, and the proxy's own JSON Lines.

The broken answer in each is a fault the fake was told to inject (``inject_fault(status=200,
body=...)``): a GET whose ``effects`` is not a list.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from processes import SCRIPT
from traffic_helpers import BROKEN, CLEAN, check_exchanges, life_cycle, record_cassette, write_har

from talon_fakes.fake.server import TalonFake

GET = "GET /v2/customer_sessions/order-1 -> 200 (get_customer_session)"


def test_a_clean_cassette_passes_and_lists_the_route_without_a_contract(
    fake: TalonFake, tmp_path: Path
) -> None:
    cassette = tmp_path / "clean.yaml"
    record_cassette(cassette, fake.base_url, fake)
    assert len(yaml.safe_load(cassette.read_text())["interactions"]) == 10

    result = check_exchanges(SCRIPT, cassette)

    assert result.returncode == CLEAN, result.stdout + result.stderr
    assert f"{cassette}#10 GET /v1/status -> 404 (no operation): no contract for this route" in result.stdout
    assert "checked 10 exchanges: 9 ok, 0 broken, 0 with drift warnings, 1 not checked" in result.stdout


def test_a_cassette_with_a_broken_answer_fails_naming_that_exchange(fake: TalonFake, tmp_path: Path) -> None:
    cassette = tmp_path / "broken.yaml"
    record_cassette(cassette, fake.base_url, fake, broken_get=True)

    result = check_exchanges(SCRIPT, cassette)

    assert result.returncode == BROKEN, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"{cassette}#6 {GET}:" in lines
    answer = '  answer (customer-session-response-v2): $.effects = "none": expected array, got string "none"'
    assert f"{answer} [rule type]" in lines
    assert "1 broken" in lines[-1]


def test_a_har_file_with_a_broken_answer_fails_and_a_clean_one_passes(
    fake: TalonFake, tmp_path: Path
) -> None:
    clean = write_har(tmp_path / "clean.har", life_cycle(fake.base_url, fake))
    fake.reset()
    broken = write_har(
        tmp_path / "broken.har", life_cycle(fake.base_url, fake, broken_get=True), base64_bodies=True
    )

    assert check_exchanges(SCRIPT, clean).returncode == CLEAN
    result = check_exchanges(SCRIPT, clean, broken)

    assert result.returncode == BROKEN, result.stdout + result.stderr
    assert f"{broken}#6 {GET}:" in result.stdout.splitlines()
    assert f"{clean}#6" not in result.stdout
    assert "checked 20 exchanges: 17 ok, 1 broken" in result.stdout


def test_the_json_report_names_method_path_status_json_path_and_rule(fake: TalonFake, tmp_path: Path) -> None:
    import json

    cassette = tmp_path / "broken.yaml"
    record_cassette(cassette, fake.base_url, fake, broken_get=True)

    result = check_exchanges(SCRIPT, cassette, extra=("--format", "json"))

    records = [json.loads(line) for line in result.stdout.splitlines()]
    [broken] = [r for r in records if r.get("verdict") == "broken"]
    assert (broken["index"], broken["method"], broken["path"], broken["status"]) == (
        6,
        "GET",
        "/v2/customer_sessions/order-1",
        200,
    )
    assert {(v["part"], v["path"], v["rule"]) for v in broken["violations"]} >= {
        ("answer", "$.effects", "type")
    }
    assert records[-1]["summary"]["broken"] == 1
