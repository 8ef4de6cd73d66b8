"""``talon-fakes proxy`` end to end in front of a served fake: forwards unchanged, checks each
exchange (a fault-injected answer that breaks its contract included), prints a verdict a line,
records JSON Lines that ``check --exchanges`` reads, with credentials redacted."""

from __future__ import annotations

import io
import json
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from processes import SCRIPT, first_line
from traffic_helpers import BROKEN, CLEAN, check_exchanges, life_cycle

from talon_fakes.contracts.proxy import ValidatingProxy, redact
from talon_fakes.fake.server import TalonFake

START_TIMEOUT = 30


class Proxied:
    """A running ``talon-fakes proxy`` process and the base URL it printed first."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [SCRIPT, "proxy", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.base_url = first_line(self.process, START_TIMEOUT)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> tuple[int, str, str]:
        """Send ``sig``; the exit status, the rest of stdout, and stderr."""
        self.process.send_signal(sig)
        status = self.process.wait(timeout=START_TIMEOUT)
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        return status, self.process.stdout.read(), self.process.stderr.read()


@pytest.fixture
def proxies() -> Iterator[list[Proxied]]:
    started: list[Proxied] = []
    yield started
    for proxied in started:
        if proxied.process.poll() is None:
            proxied.process.kill()
        proxied.process.communicate()


def test_the_proxy_checks_records_and_fails_on_a_fault_injected_broken_answer(
    fake: TalonFake, tmp_path: Path, proxies: list[Proxied]
) -> None:
    record = tmp_path / "sandbox.jsonl"
    proxied = Proxied("--upstream", fake.base_url, "--port", "0", "--record", str(record))
    proxies.append(proxied)
    assert proxied.base_url.startswith("http://127.0.0.1:")

    responses = life_cycle(proxied.base_url, fake, broken_get=True)
    status, out, err = proxied.stop(signal.SIGTERM)

    assert responses[5].json()["effects"] == "none"  # passed on unchanged
    assert status == BROKEN, err
    lines = out.splitlines()
    assert lines[0] == f"forwarding to {fake.base_url}; stop with Ctrl-C or SIGTERM"
    verdicts = [line for line in lines if line.startswith("#")]
    assert len(verdicts) == 10
    assert verdicts[0] == "#1 PUT /v2/customer_sessions/order-1 -> 200 (update_customer_session): ok"
    assert verdicts[5].startswith(
        "#6 GET /v2/customer_sessions/order-1 -> 200 (get_customer_session): broken: "
        'answer (customer-session-response-v2): $.effects = "none": expected array'
    )
    assert (
        verdicts[9]
        == "#10 GET /v1/status -> 404 (no operation): unchecked: no contract for this route; not checked"
    )
    assert lines[-1].startswith("proxied 10 exchanges: 8 ok, 1 broken, 0 with drift warnings, 1 not checked")

    text = record.read_text()
    assert len(text.splitlines()) == 10
    assert fake.integration_headers["Authorization"].split()[1] not in text
    assert fake.management_headers["Authorization"].split()[1] not in text
    first = json.loads(text.splitlines()[0])
    assert first["request"]["headers"]["Authorization"] == "ApiKey-v1 [redacted]"
    assert first["request"]["url"] == f"{fake.base_url}/v2/customer_sessions/order-1"

    result = check_exchanges(SCRIPT, record)
    assert result.returncode == BROKEN, result.stdout + result.stderr
    assert f"{record}#6 GET /v2/customer_sessions/order-1 -> 200 (get_customer_session):" in result.stdout


def test_a_clean_proxy_run_exits_0_and_its_recording_passes(
    fake: TalonFake, tmp_path: Path, proxies: list[Proxied]
) -> None:
    record = tmp_path / "clean.jsonl"
    proxied = Proxied("--upstream", fake.base_url, "--record", str(record))
    proxies.append(proxied)
    life_cycle(proxied.base_url, fake)

    status, out, err = proxied.stop(signal.SIGINT)

    assert status == CLEAN, out + err
    assert "Traceback" not in err
    assert check_exchanges(SCRIPT, record).returncode == CLEAN


def test_requests_and_answers_pass_unchanged(fake: TalonFake) -> None:
    with ValidatingProxy(fake.base_url) as proxy:
        session = "/v2/customer_sessions/" + quote("order 1 ü", safe="")
        body = {
            "customerSession": {"profileId": "c1", "cartItems": [{"sku": "A", "quantity": 1, "price": 2}]}
        }
        for base in (proxy.base_url, fake.base_url):  # the same request twice: dry runs store nothing
            fake.reset()
            fake.clock.set("2030-01-01T00:00:00Z")  # the answers carry timestamps
            calls = [
                requests.put(
                    base + session + "?dry=true", json=body, headers=fake.integration_headers, timeout=10
                ),
                requests.put(base + session, data=b"{not json", headers=fake.integration_headers, timeout=10),
                requests.get(base + session, timeout=10),  # no key: 401
                requests.delete(base + session, headers=fake.integration_headers, timeout=10),  # 405
            ]
            seen = [(r.status_code, r.content, r.headers.get("Content-Type")) for r in calls]
            if base == proxy.base_url:
                proxied = seen
                first = fake.journal[0]  # the path arrived as the client encoded it, the query intact
                assert (first.path, first.query) == (session, {"dry": ["true"]})
                assert first.response["customerSession"]["integrationId"] == "order 1 ü"  # decoded once
        assert proxied == seen
        assert [status for status, _, _ in seen] == [200, 400, 401, 405]
    assert proxy.verdicts == {"ok": 3, "unchecked": 1}


def test_strict_fails_an_unknown_field_that_lenient_reports_as_drift(fake: TalonFake) -> None:
    drifting = {"effects": [], "createdCoupons": [], "createdReferrals": [], "newField": 1}
    lines = {}
    for strict in (False, True):
        out = io.StringIO()
        with ValidatingProxy(fake.base_url, strict=strict, out=out) as proxy:
            fake.inject_fault(status=200, body=drifting)
            requests.put(
                proxy.base_url + "/v2/customer_sessions/s1",
                json={"customerSession": {}},
                headers=fake.integration_headers,
                timeout=10,
            )
        lines[strict] = out.getvalue().strip()
    assert lines[False].endswith("[rule additionalProperties] (warning)")
    assert ": drift: answer (integration-state-v2): $.newField = 1" in lines[False]
    assert ": broken: answer (integration-state-v2): $.newField = 1" in lines[True]


def test_an_upstream_that_does_not_answer_is_a_502_in_talon_ones_error_shape() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    out, record = io.StringIO(), io.StringIO()
    with ValidatingProxy(closed, out=out, record=record) as proxy:
        response = requests.get(proxy.base_url + "/v2/customer_sessions/s1", timeout=30)
    assert response.status_code == 502
    assert response.json()["StatusCode"] == 502
    assert f"the upstream {closed} did not answer" in response.json()["message"]
    assert "no answer from upstream" in out.getvalue()
    assert record.getvalue() == ""  # nothing was exchanged with the deployment


def test_redact_keeps_the_scheme_of_an_authorization_and_nothing_of_other_secrets() -> None:
    headers = {"Authorization": "ManagementKey-v1 s3cret", "Cookie": "a=s3cret", "Accept": "*/*"}
    assert redact(headers) == {
        "Authorization": "ManagementKey-v1 [redacted]",
        "Cookie": "[redacted]",
        "Accept": "*/*",
    }


def test_a_bad_upstream_or_a_port_in_use_exits_2_saying_so(fake: TalonFake) -> None:
    bad = subprocess.run(
        [SCRIPT, "proxy", "--upstream", "localhost:8080"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2
    assert "the upstream must be an http:// or https:// URL" in bad.stderr
    with pytest.raises(ValueError, match="without a path or query"):
        ValidatingProxy(fake.base_url + "/v2")

    port = fake.base_url.rsplit(":", 1)[1]
    taken = subprocess.run(
        [SCRIPT, "proxy", "--upstream", fake.base_url, "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert taken.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in taken.stderr
