"""The control API (``/__admin/``) as a client in another language uses it: ``talon-fakes serve`` in
a subprocess, plain HTTP through urllib, JSON in and out, no Python API of talon-fakes.

Issue 14's "done when": such a client can reset, seed, fault, set the clock and read the journal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from processes import SCRIPT, first_line

START_TIMEOUT = 30
INTEGRATION = {"Authorization": "ApiKey-v1 talon-fakes-api-key"}


class Served:
    """A running ``talon-fakes serve ARGS``, its base URL (stdout's first line) and a plain client."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [SCRIPT, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.base_url = first_line(self.process, START_TIMEOUT)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """One request; the status and the parsed JSON answer (text when it is not JSON)."""
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode()

    def stop(self) -> tuple[str, str]:
        """SIGTERM; the rest of stdout and all of stderr."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=START_TIMEOUT)
        # Not communicate(): it reads the pipes' descriptors, past what readline() buffered.
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        return self.process.stdout.read(), self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served()
    yield server
    server.kill()


@pytest.fixture
def fake(served: Served) -> Served:
    """The served fake, reset over HTTP before the test (as a test in any language would)."""
    assert served.call("POST", "/__admin/reset") == (200, {"reset": True})
    return served


def test_a_plain_http_client_resets_seeds_faults_sets_the_clock_and_reads_the_journal(fake: Served) -> None:
    # Seed a closed session with a cart: the Integration API then takes a return on it.
    cart = [{"sku": "A", "quantity": 2, "price": 5.5}]
    status, seeded = fake.call("PUT", "/__admin/sessions/order-1", {"state": "closed", "cartItems": cart})
    assert (status, seeded["state"], seeded["total"], seeded["history"]) == (
        200,
        "closed",
        11.0,
        [["update", "closed"]],
    )
    returns = {"return": {"returnedCartItems": [{"position": 0, "quantity": 1}]}}
    status, _ = fake.call("POST", "/v2/customer_sessions/order-1/returns", returns, INTEGRATION)
    assert status == 200
    assert fake.call("GET", "/__admin/sessions/order-1/history") == (
        200,
        {"integrationId": "order-1", "history": [["update", "closed"], ["return", "partially_returned"]]},
    )

    # The clock: a new session is stamped with the time set, and advancing moves it.
    assert fake.call("PUT", "/__admin/clock", {"now": "2030-01-01T00:00:00Z"}) == (
        200,
        {"now": "2030-01-01T00:00:00Z"},
    )
    status, state = fake.call(
        "PUT",
        "/v2/customer_sessions/order-2",
        {"customerSession": {}, "responseContent": ["customerSession"]},
        INTEGRATION,
    )
    assert (status, state["customerSession"]["created"]) == (200, "2030-01-01T00:00:00Z")
    assert fake.call("POST", "/__admin/clock/advance", {"seconds": 90}) == (
        200,
        {"now": "2030-01-01T00:01:30Z"},
    )

    # A fault for one operation, once: the next GET is a 503, the one after it is answered.
    status, faults = fake.call(
        "POST", "/__admin/faults", {"status": 503, "times": 1, "operation": "get_customer_session"}
    )
    assert (status, len(faults["faults"])) == (201, 1)
    assert fake.call("GET", "/v2/customer_sessions/order-2", headers=INTEGRATION)[0] == 503
    assert fake.call("GET", "/v2/customer_sessions/order-2", headers=INTEGRATION)[0] == 200
    assert fake.call("GET", "/__admin/faults") == (200, {"faults": []})

    # The journal: every Integration API request, newest first, with its contract verdict.
    status, journal = fake.call("GET", "/__admin/journal")
    assert status == 200
    seen = [(r["method"], r["path"], r["status"], r["operation"]) for r in journal["requests"]]
    assert seen == [
        ("GET", "/v2/customer_sessions/order-2", 200, "get_customer_session"),
        ("GET", "/v2/customer_sessions/order-2", 503, "get_customer_session"),
        ("PUT", "/v2/customer_sessions/order-2", 200, "update_customer_session"),
        ("POST", "/v2/customer_sessions/order-1/returns", 200, "return_cart_items"),
    ]
    newest, injected, _, returned = journal["requests"]
    assert newest["verdict"] == {
        "contract": "customer-session-response-v2",  # a GET's answer
        "valid": True,
        "errors": [],
        "warnings": [],
    }
    assert (injected["injected"], injected["verdict"]["valid"]) == (True, None)
    assert returned["request"] == returns
    assert returned["response"]["effects"] == []  # the answer as sent
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", newest["time"])
    assert fake.call("GET", "/__admin/journal?limit=1")[1]["requests"] == [newest]

    # The moves made, and the rule set's moves never made.
    status, moves = fake.call("GET", "/__admin/transitions")
    made = {row["move"]: row["count"] for row in moves["made"]}
    assert made == {"closed->partially_returned:return": 1, "(new)->open:update": 1}
    assert "closed->open:reopen" in {row["move"] for row in moves["notExercised"]}

    assert fake.call("DELETE", "/__admin/journal") == (200, {"cleared": True})
    assert fake.call("GET", "/__admin/journal") == (200, {"total": 0, "requests": []})

    # A reset empties the fake and puts the clock back on real time.
    assert fake.call("POST", "/__admin/reset")[0] == 200
    assert fake.call("GET", "/__admin/sessions") == (200, {"sessions": []})
    assert not fake.call("GET", "/__admin/clock")[1]["now"].startswith("2030")
    assert fake.call("GET", "/v2/customer_sessions/order-1", headers=INTEGRATION)[0] == 404


def test_sessions_list_shows_state_totals_coupons_history_and_last_effects(fake: Served) -> None:
    body = {
        "customerSession": {"couponCodes": ["SUMMER"], "cartItems": [{"sku": "B", "quantity": 3, "price": 2}]}
    }
    assert fake.call("PUT", "/v2/customer_sessions/s-1", body, INTEGRATION)[0] == 200
    status, listed = fake.call("GET", "/__admin/sessions")
    (session,) = listed["sessions"]
    assert (status, session["integrationId"], session["state"], session["total"]) == (200, "s-1", "open", 6.0)
    assert (session["couponCodes"], session["history"]) == (["SUMMER"], [["update", "open"]])
    # No campaign declared: the code is unknown (developers.talon.one, "handling effects").
    assert [(e["effectType"], e["props"]["rejectionReason"]) for e in session["effects"]] == [
        ("rejectCoupon", "CouponNotFound")
    ]


@pytest.mark.parametrize(
    ("method", "path", "body", "named"),
    [
        ("PUT", "/__admin/sessions/x", {"state": "shipped"}, "state"),
        ("PUT", "/__admin/sessions/x", {"cartItems": [{"sku": "A"}]}, "quantity"),
        ("PUT", "/__admin/sessions/x", {"colour": "red"}, "colour"),
        ("PUT", "/__admin/sessions/x", [1, 2], "JSON object"),
        ("PUT", "/__admin/sessions/x", b"{not json", "malformed JSON"),
        ("POST", "/__admin/faults", {"status": "503"}, "status"),
        ("POST", "/__admin/faults", {"status": 99}, "status"),
        ("POST", "/__admin/faults", {"delay": -1}, "delay"),
        ("POST", "/__admin/faults", {"drop": 1}, "drop"),
        ("POST", "/__admin/faults", {"status": 500, "times": 0}, "times"),
        ("POST", "/__admin/faults", {"status": 500, "operation": "delete_everything"}, "delete_everything"),
        ("POST", "/__admin/faults", {"times": 2}, "a status, a delay or drop"),
        ("POST", "/__admin/faults", {"status": 500, "colour": "red"}, "colour"),
        ("PUT", "/__admin/clock", {"now": "tomorrow"}, "RFC 3339"),
        ("PUT", "/__admin/clock", {"now": 1893456000}, "now"),
        ("PUT", "/__admin/clock", {}, "now"),
        ("POST", "/__admin/clock/advance", {"seconds": "60"}, "seconds"),
        ("POST", "/__admin/clock/advance", {"seconds": -5}, "PUT /__admin/clock"),
        ("GET", "/__admin/journal?limit=zero", None, "limit"),
        ("GET", "/__admin/diagram?format=png", None, "format"),
    ],
)
def test_bad_control_input_is_a_400_naming_it_and_changes_nothing(
    fake: Served, method: str, path: str, body: Any, named: str
) -> None:
    before = [fake.call("GET", f"/__admin/{what}") for what in ("sessions", "faults", "transitions")]
    status, error = fake.call(method, path, body)
    assert status == 400, error
    assert named in error["message"]
    assert error["errors"][0]["title"] in ("bad control input", "bad request")
    after = [fake.call("GET", f"/__admin/{what}") for what in ("sessions", "faults", "transitions")]
    assert after == before


def test_seeding_refuses_what_seed_session_refuses(served: Served) -> None:
    legacy = Served("--rules", "legacy")  # legacy rules never reach partially_returned
    try:
        status, error = legacy.call("PUT", "/__admin/sessions/x", {"state": "partially_returned"})
        assert status == 400
        assert "partially_returned" in error["message"]
        assert legacy.call("GET", "/__admin/sessions") == (200, {"sessions": []})
    finally:
        legacy.kill()


def test_unknown_control_paths_and_methods_say_what_there_is(fake: Served) -> None:
    status, error = fake.call("GET", "/__admin/mappings")
    assert (status, "POST /__admin/reset" in error["message"]) == (404, True)
    status, error = fake.call("PATCH", "/__admin/clock")
    assert (status, error["message"]) == (405, "PATCH is not allowed here; use GET, PUT")


def test_the_diagram_marks_the_moves_made(fake: Served) -> None:
    fake.call("PUT", "/v2/customer_sessions/d-1", {"customerSession": {}}, INTEGRATION)
    status, text = fake.call("GET", "/__admin/diagram?format=mermaid")
    assert status == 200
    assert "    [*] --> open: update (x1)" in text.splitlines()
    assert "    closed --> open: reopen (never)" in text.splitlines()
    status, svg = fake.call("GET", "/__admin/diagram")
    assert 'data-move="(new)-&gt;open:update" data-exercised="true"' in svg


def test_a_token_guards_the_control_api_but_not_the_talon_apis() -> None:
    served = Served("--admin-token", "s3cret")
    try:
        assert served.call("POST", "/__admin/reset")[0] == 401
        assert served.call("POST", "/__admin/reset", headers={"Authorization": "Bearer wrong"})[0] == 401
        assert served.call("GET", "/__admin/?token=wrong")[0] == 401
        assert served.call("POST", "/__admin/reset", headers={"Authorization": "Bearer s3cret"})[0] == 200
        status, page = served.call("GET", "/__admin/?token=s3cret")
        assert (status, "<title>talon-fakes" in page) == (200, True)
        assert served.call("PUT", "/v2/customer_sessions/t", {"customerSession": {}}, INTEGRATION)[0] == 200
        out, _ = served.stop()
        assert "control API: " + served.base_url + "/__admin/ (dashboard); needs Authorization: Bearer" in out
    finally:
        served.kill()


def test_serve_log_prints_a_line_per_request_and_a_contract_failure_loudly() -> None:
    served = Served("--log")
    try:
        served.call("PUT", "/v2/customer_sessions/s1", {"customerSession": {}}, INTEGRATION)
        served.call("POST", "/__admin/faults", {"status": 400, "body": {"oops": True}})
        served.call("GET", "/v2/customer_sessions/s1", headers=INTEGRATION)
        _, err = served.stop()
    finally:
        served.kill()
    lines = err.splitlines()
    line = r"\d{{4}}-\d\d-\d\dT[\d:.]+Z {} {} {} {} \d+\.\d ms"
    assert re.fullmatch(
        line.format("PUT", "/v2/customer_sessions/s1", 200, "update_customer_session"), lines[0]
    )
    assert re.fullmatch(line.format("GET", "/v2/customer_sessions/s1", 400, "get_customer_session"), lines[1])
    assert lines[2].startswith(
        "!!! CONTRACT FAILURE (an injected fault's body): GET /v2/customer_sessions/s1 -> 400"
    )
    assert "required field 'message' is missing" in err
    assert not any("__admin" in text for text in lines)  # the control API is not the API


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on this machine")
def test_the_readme_curl_examples_work_against_a_served_fake(fake: Served) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The fake for any language", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.replace("curl -sS", "curl -sS --fail-with-body")],
        env={**os.environ, "TALON": fake.base_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith('{"reset":true}')  # each call answers JSON
    status, listed = fake.call("GET", "/__admin/sessions")
    assert status == 200
    assert [(s["integrationId"], s["state"], s["total"]) for s in listed["sessions"]] == [
        ("order-1", "closed", 19.0)
    ]
    assert fake.call("GET", "/__admin/clock") == (200, {"now": "2030-01-01T01:00:00Z"})
    assert fake.call("GET", "/__admin/faults")[1]["faults"][0]["operation"] == "get_customer_session"


def test_the_control_api_answers_in_process_too_as_the_same_app() -> None:
    import requests

    from talon_fakes.fake.control.admin import required_token
    from talon_fakes.fake.server import TalonFake

    fake = TalonFake()
    with fake.in_process() as base:
        seeded = requests.put(f"{base}/__admin/sessions/p-1", json={"state": "cancelled"}, timeout=10)
        assert (seeded.status_code, seeded.json()["state"]) == (200, "cancelled")
        got = requests.get(f"{base}/v2/customer_sessions/p-1", headers=fake.integration_headers, timeout=10)
        assert got.json()["customerSession"]["state"] == "cancelled"
        assert requests.get(f"{base}/__admin/journal", timeout=10).json()["total"] == 1
    assert fake.session("p-1").state == "cancelled"  # the Python controls see the same store
    assert fake.admin.token is None  # on loopback the control API is open
    # Beyond loopback it needs a token: the given one, else the management key.
    assert required_token("0.0.0.0", None, "mk") == "mk"
    assert required_token("10.1.2.3", "tok", "mk") == "tok"
    assert required_token("build-host.internal", None, "mk") == "mk"
    assert [required_token(host, None, "mk") for host in ("127.0.0.1", "::1", "[::1]", "localhost")] == [
        None
    ] * 4
    assert TalonFake(host="0.0.0.0", management_key="mk").admin.token == "mk"  # never started: no socket


def test_one_session_and_a_seed_given_as_a_whole_put_body(fake: Served) -> None:
    body = {"customerSession": {"state": "closed", "couponCodes": ["C1"]}}
    assert fake.call("PUT", "/__admin/sessions/w-1", body)[0] == 200
    status, session = fake.call("GET", "/__admin/sessions/w-1")
    assert (status, session["state"], session["couponCodes"], session["history"]) == (
        200,
        "closed",
        ["C1"],
        [["update", "closed"]],
    )
    status, error = fake.call("GET", "/__admin/sessions/nobody")
    assert (status, error["message"]) == (404, "no session 'nobody' in the fake")


def test_campaigns_put_over_http_stay_across_a_reset_and_judge_coupons(fake: Served) -> None:
    campaigns = json.loads((Path(__file__).parents[2] / "examples" / "campaigns.json").read_text())
    status, declared = fake.call("PUT", "/__admin/campaigns", campaigns)
    assert status == 200, declared
    assert declared["campaigns"][0]["coupons"] == ["SHOES10"]
    assert fake.call("POST", "/__admin/reset") == (200, {"reset": True})  # campaigns stay

    cart = {"cartItems": [{"sku": "S", "quantity": 1, "price": 50.0}], "couponCodes": ["SHOES10", "NOPE"]}
    status, state = fake.call("PUT", "/v2/customer_sessions/c-1", {"customerSession": cart}, INTEGRATION)
    assert status == 200, state
    by_type = {e["effectType"]: e["props"] for e in state["effects"]}
    assert by_type["acceptCoupon"]["value"] == "SHOES10"
    assert (by_type["rejectCoupon"]["value"], by_type["rejectCoupon"]["rejectionReason"]) == (
        "NOPE",
        "CouponNotFound",
    )
    assert (by_type["setDiscount"]["name"], by_type["setDiscount"]["value"]) == ("10% off", 5.0)

    # A document the fake cannot take: a 400 naming the path inside it, and nothing changes.
    broken = {"campaigns": [{**campaigns["campaigns"][0], "coupons": [{"value": "X", "usageLimit": "one"}]}]}
    status, error = fake.call("PUT", "/__admin/campaigns", broken)
    assert status == 400
    assert "$.campaigns[0].coupons[0].usageLimit" in error["message"]
    assert fake.call("GET", "/__admin/campaigns")[1] == declared
