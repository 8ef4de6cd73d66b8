"""Real traffic against the served fake, and the recordings tools make of it (HAR, VCR.py cassettes).

A cassette is written by VCR.py itself (as pytest-recording does); a HAR file is built from
``requests``' responses in the HAR 1.2 shape browsers export
(http://www.softwareishard.com/blog/har-12-spec/).
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

import requests

from talon_fakes.fake.server import TalonFake

#: The ``talon-fakes check --exchanges`` verdicts: clean, broken.
CLEAN, BROKEN = 0, 1


def life_cycle(base_url: str, fake: TalonFake, *, broken_get: bool = False) -> list[requests.Response]:
    """Every operation of the fake, through ``base_url`` (10 exchanges); with ``broken_get`` the GET
    (the sixth exchange) answers a fault-injected 200 whose ``effects`` is not a list."""
    session = f"{base_url}/v2/customer_sessions/order-1"
    integration, management = fake.integration_headers, fake.management_headers
    cart = [{"sku": "A", "quantity": 2, "price": 9.5}, {"sku": "B", "quantity": 1, "price": 3.0}]
    closed = {"customerSession": {"state": "closed"}}
    responses = [
        requests.put(
            session,
            json={
                "customerSession": {"profileId": "c1", "cartItems": cart},
                "responseContent": ["customerSession"],
            },
            headers=integration,
            timeout=10,
        ),
        requests.put(session, json=closed, headers=integration, timeout=10),
        requests.put(session + "/reopen", headers=integration, timeout=10),
        requests.put(session, json=closed, headers=integration, timeout=10),
        requests.post(
            session + "/returns",
            json={"return": {"returnedCartItems": [{"position": 0, "quantity": 1}]}},
            headers=integration,
            timeout=10,
        ),
    ]
    if broken_get:
        fake.inject_fault(
            status=200,
            # the session as created, valid, but effects that are not a list: one violation
            body={"customerSession": responses[0].json()["customerSession"], "effects": "none"},
            operation="get_customer_session",
        )
    responses += [
        requests.get(session, headers=integration, timeout=10),
        requests.get(f"{base_url}/v1/applications/1/sessions", headers=management, timeout=10),
    ]
    internal = responses[-1].json()["data"][0]["id"]
    responses += [
        requests.get(f"{base_url}/v1/applications/1/sessions/{internal}", headers=management, timeout=10),
        requests.get(session + "-missing", headers=integration, timeout=10),  # a 404 in the error shape
        requests.get(f"{base_url}/v1/status", timeout=10),  # a route without a contract: listed only
    ]
    return responses


def record_cassette(path: Path, base_url: str, fake: TalonFake, *, broken_get: bool = False) -> None:
    """Record :func:`life_cycle` into a VCR.py cassette at ``path`` (YAML, VCR.py's own writer)."""
    import vcr

    recorder = vcr.VCR(record_mode="all", filter_headers=["authorization"])
    with recorder.use_cassette(str(path)):
        life_cycle(base_url, fake, broken_get=broken_get)


def har(responses: list[requests.Response], *, base64_bodies: bool = False) -> dict[str, Any]:
    """A HAR 1.2 log of ``responses``, as a browser's "Save all as HAR" writes it."""
    entries = []
    for response in responses:
        request = response.request
        body = request.body
        content: dict[str, Any] = {
            "size": len(response.content),
            "mimeType": response.headers.get("Content-Type", ""),
        }
        if base64_bodies:
            content.update(text=base64.b64encode(response.content).decode(), encoding="base64")
        else:
            content["text"] = response.text
        entry: dict[str, Any] = {
            "startedDateTime": "2026-11-30T10:00:00.000Z",
            "time": 1.0,
            "request": {
                "method": request.method,
                "url": request.url,
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": k, "value": v} for k, v in request.headers.items()],
                "queryString": [],
                "cookies": [],
                "headersSize": -1,
                "bodySize": len(body) if body else 0,
            },
            "response": {
                "status": response.status_code,
                "statusText": response.reason,
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": k, "value": v} for k, v in response.headers.items()],
                "cookies": [],
                "content": content,
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": len(response.content),
            },
            "cache": {},
            "timings": {"send": 0, "wait": 1, "receive": 0},
        }
        if body:
            text = body.decode() if isinstance(body, bytes) else body
            entry["request"]["postData"] = {"mimeType": "application/json", "text": text}
        entries.append(entry)
    return {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}}


def write_har(path: Path, responses: list[requests.Response], **options: Any) -> Path:
    """Write :func:`har` of ``responses`` to ``path``."""
    path.write_text(json.dumps(har(responses, **options), indent=2), encoding="utf-8")
    return path


def check_exchanges(
    script: str, *files: Path | str, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``talon-fakes check --exchanges FILES...`` as a user would."""
    return subprocess.run(
        [script, "check", "--exchanges", *extra, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
