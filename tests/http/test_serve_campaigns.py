"""``talon-fakes serve --campaigns FILE``: the declared campaigns for any HTTP client; a broken
file is a usage error (exit 2) naming the path inside the file, and starts nothing."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import requests
from processes import SCRIPT, first_line

HEADERS = {"Authorization": "ApiKey-v1 talon-fakes-api-key"}
# The least campaigns document (issue 10's), shipped as an example.
DOCUMENT = json.loads((Path(__file__).parents[2] / "examples" / "campaigns.json").read_text(encoding="utf-8"))


def _effects(base: str, session_id: str, body: dict[str, object]) -> list[tuple[str, object]]:
    response = requests.put(
        f"{base}/v2/customer_sessions/{session_id}",
        json={"customerSession": body},
        headers=HEADERS,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [
        (e["effectType"], e["props"].get("rejectionReason", e["props"].get("value")))
        for e in response.json()["effects"]
    ]


def test_serve_answers_the_declared_campaigns(tmp_path: Path) -> None:
    path = tmp_path / "campaigns.json"
    path.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    process = subprocess.Popen(
        [SCRIPT, "serve", "--campaigns", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        base = first_line(process)
        cart = [{"sku": "SHOE", "quantity": 1, "price": 50.0}]
        closing = {"profileId": "c1", "couponCodes": ["SHOES10"], "cartItems": cart, "state": "closed"}
        assert _effects(base, "a", closing) == [("acceptCoupon", "SHOES10"), ("setDiscount", 5.0)]
        assert _effects(base, "b", {**closing, "state": "open"}) == [("rejectCoupon", "CouponLimitReached")]
        assert _effects(base, "c", {"couponCodes": ["OTHER"]}) == [("rejectCoupon", "CouponNotFound")]
        assert _effects(base, "a", {"state": "cancelled"}) == [
            ("rollbackCoupon", "SHOES10"),
            ("rollbackDiscount", 5.0),
        ]
    finally:
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=30)
        out = process.stdout.read() if process.stdout else ""
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()
    assert status == 0
    assert "campaigns: 7" in out


def test_a_broken_file_exits_2_naming_the_path_inside_it(tmp_path: Path) -> None:
    broken = json.loads(json.dumps(DOCUMENT))
    broken["campaigns"][0]["coupons"][0]["usageLimit"] = "one"
    path = tmp_path / "campaigns.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = subprocess.run(
        [SCRIPT, "serve", "--campaigns", str(path), "--port", "0"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""  # no base URL: nothing started
    assert "$.campaigns[0].coupons[0].usageLimit: 'one' is not of type 'integer'" in result.stderr
    assert str(path) in result.stderr
