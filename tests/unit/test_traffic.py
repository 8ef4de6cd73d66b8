"""Reading recorded exchanges (HAR, VCR.py cassettes, proxy JSON Lines) and checking them by route,
from files built in the tests (no sockets); real recordings are in tests/http/test_exchanges.py."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from talon_fakes import api
from talon_fakes.cli import main
from talon_fakes.contracts.exchanges import RECORDING_FORMAT, Exchange, Unreadable, read_file
from talon_fakes.contracts.traffic import check_exchange

SESSION = "http://sandbox.test/v2/customer_sessions/s1"
STATE = {"effects": [], "createdCoupons": [], "createdReferrals": []}
UPDATE = {"customerSession": {"profileId": "c1", "cartItems": [{"sku": "A", "quantity": 1, "price": 2}]}}


def interaction(
    method: str, uri: str, status: int, answer: Any, request: Any = None, **headers: str
) -> dict[str, Any]:
    """One interaction as VCR.py writes it: headers as lists, the answer under body.string."""
    data = answer if isinstance(answer, bytes) else json.dumps(answer)
    return {
        "request": {
            "body": None if request is None else json.dumps(request),
            "headers": {"Content-Type": ["application/json"]},
            "method": method,
            "uri": uri,
        },
        "response": {
            "body": {"string": data},
            "headers": {"Content-Type": ["application/json"], **{k: [v] for k, v in headers.items()}},
            "status": {"code": status, "message": "OK"},
        },
    }


def cassette(path: Path, *interactions: dict[str, Any]) -> Path:
    """A VCR.py cassette: YAML, version 1 (bytes become !!binary, as VCR.py's writer makes them)."""
    path.write_text(yaml.dump({"interactions": list(interactions), "version": 1}), encoding="utf-8")
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["check", "--exchanges", *args])


def test_the_api_table_is_what_the_router_and_the_openapi_document_read() -> None:
    from talon_fakes.fake.web.openapi import OPERATIONS, document
    from talon_fakes.fake.web.routes import ROUTES

    assert [(m, p.pattern, h, a) for m, p, h, a in ROUTES] == [
        (op.method, op.pattern.pattern, op.name, op.api) for op in api.OPERATIONS
    ]
    assert [(m.upper(), p, i, h) for m, p, i, h in OPERATIONS] == [
        (op.method, op.path, op.operation_id, op.name) for op in api.OPERATIONS
    ]
    paths = document()["paths"]
    for op in api.OPERATIONS:
        described = paths[op.path][op.method.lower()]
        assert set(described["responses"]) == {str(status) for status in op.answers}
        body = described.get("requestBody", {}).get("content", {}).get("application/json", {})
        assert body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1] == (op.request or "")


@pytest.mark.parametrize(
    ("method", "path", "status", "operation", "contract"),
    [
        ("PUT", "/v2/customer_sessions/a b", 200, "update_customer_session", "integration-state-v2"),
        ("put", "/v2/customer_sessions/x/reopen", 200, "reopen_customer_session", "reopen-response"),
        ("POST", "/v2/customer_sessions/x/returns", 409, "return_cart_items", "error-response-with-status"),
        ("GET", "/v1/applications/3/sessions/9", 400, "get_application_session", "error-response"),
        ("GET", "/v1/applications/3/sessions", 503, "list_application_sessions", None),
        ("GET", "/v1/applications/3/sessions", 204, "list_application_sessions", None),
        ("DELETE", "/v2/customer_sessions/x", 405, None, "error-response-with-status"),
        ("GET", "/v2/customer_sessions/x/y", 200, None, None),
    ],
)
def test_route_and_answer_contract(
    method: str, path: str, status: int, operation: str | None, contract: str | None
) -> None:
    found = api.route(method, path)
    assert (found and found.name) == operation
    assert api.answer_contract(found, status) == contract


def test_a_gzipped_binary_vcr_body_is_decompressed_and_checked(tmp_path: Path) -> None:
    broken = gzip.compress(json.dumps({**STATE, "effects": {}}).encode())
    path = cassette(
        tmp_path / "c.yaml",
        interaction("PUT", SESSION, 200, STATE, UPDATE),
        interaction("PUT", SESSION + "?dry=true", 200, broken, UPDATE, **{"Content-Encoding": "gzip"}),
    )
    assert "!!binary" in path.read_text()

    result = run(str(path))

    assert result.exit_code == 1, result.output
    assert f"{path}#2 PUT /v2/customer_sessions/s1 -> 200 (update_customer_session):" in result.output
    assert "  answer (integration-state-v2): $.effects = {}: " in result.output
    assert f"{path}#1" not in result.output


def test_a_request_is_checked_when_accepted_and_not_when_refused(tmp_path: Path) -> None:
    bad_request = {"customerSession": {"cartItems": "none"}}
    refused = {"message": "cartItems must be a list", "errors": []}
    path = cassette(
        tmp_path / "c.yaml",
        interaction("PUT", SESSION, 200, STATE, bad_request),
        interaction("PUT", SESSION, 400, refused, bad_request),
    )
    exchanges = [item for item in read_file(str(path)) if isinstance(item, Exchange)]

    accepted, refused_verdict = (check_exchange(e) for e in exchanges)

    assert accepted.broken
    assert [(f.part, f.contract, f.violation.path) for f in accepted.findings] == [
        ("request", "integration-request-v2", "$.customerSession.cartItems")
    ]
    assert refused_verdict.word == "ok"


def test_answers_without_a_contract_are_listed_not_failed(tmp_path: Path) -> None:
    path = cassette(
        tmp_path / "c.yaml",
        interaction("GET", SESSION, 503, b"<html>upstream down</html>"),
        interaction("GET", "http://sandbox.test/v1/loyalty_programs", 200, {"data": []}),
    )

    result = run(str(path))

    assert result.exit_code == 0, result.output
    assert (
        f"{path}#1 GET /v2/customer_sessions/s1 -> 503 (get_customer_session): no contract for a 503"
        in result.output
    )
    assert (
        f"{path}#2 GET /v1/loyalty_programs -> 200 (no operation): no contract for this route"
        in result.output
    )
    assert "2 not checked" in result.output


def test_a_vcr_cassette_in_json_and_a_proxy_line_are_read_too(tmp_path: Path) -> None:
    vcr_json = tmp_path / "c.json"
    vcr_json.write_text(
        json.dumps({"interactions": [interaction("GET", SESSION, 404, {"message": 3})], "version": 1})
    )
    line = {
        "format": RECORDING_FORMAT,
        "request": {"method": "PUT", "url": SESSION, "headers": {}, "json": UPDATE},
        "response": {"status": 200, "headers": {}, "text": "not json"},
    }
    recording = tmp_path / "r.jsonl"
    recording.write_text(json.dumps(line) + "\n")

    result = run(str(vcr_json), str(recording))

    assert result.exit_code == 1, result.output
    assert f"{vcr_json}#1 GET /v2/customer_sessions/s1 -> 404 (get_customer_session):" in result.output
    assert "  answer (error-response-with-status): $.message = 3: " in result.output
    assert f"{recording}#1 PUT /v2/customer_sessions/s1 -> 200 (update_customer_session):" in result.output
    assert '  answer (integration-state-v2): $ = "not json": not JSON' in result.output


def test_a_base64_har_answer_is_decoded(tmp_path: Path) -> None:
    import base64

    entry = {
        "request": {"method": "GET", "url": SESSION, "headers": []},
        "response": {
            "status": 200,
            "headers": [],
            "content": {"text": base64.b64encode(b'{"effects": 3}').decode(), "encoding": "base64"},
        },
    }
    path = tmp_path / "a.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))

    result = run(str(path))

    assert result.exit_code == 1
    assert "answer (customer-session-response-v2): $.effects = 3" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no exchanges to check"),
        ('{"hello": 1}', "not a HAR file ({'log': {'entries': ...}}), VCR.py cassette"),
        ("interactions: 3\n", "interactions must be a list of exchanges, not int"),
        ("a: [unclosed\n", "not a HAR file, VCR.py cassette or proxy recording:"),
        ('{"log": {"entries": [{"request": {}}]}}', "#1: not a recorded exchange: missing 'response'"),
        (
            '{"format": "other"}\n{"format": "other"}\n',
            "#1: not a recorded exchange: a line of a proxy recording",
        ),
    ],
)
def test_what_is_not_a_recording_is_exit_2_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "x.txt"
    path.write_text(content)

    result = CliRunner().invoke(main, ["check", "--exchanges", str(path)])

    assert result.exit_code == 2, result.output
    assert message in result.output


def test_unreadable_entries_do_not_stop_the_others(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        yaml.dump({"interactions": [{"request": {}}, interaction("GET", SESSION, 200, {"x": 1})]})
    )
    items = list(read_file(str(path)))
    assert isinstance(items[0], Unreadable)
    assert str(items[0]) == f"{path}#1: not a recorded exchange: missing 'response'"
    assert isinstance(items[1], Exchange)
    assert items[1].where == f"{path}#2"


def test_exchanges_takes_no_contract_and_check_without_exchanges_still_needs_one(tmp_path: Path) -> None:
    path = cassette(tmp_path / "c.yaml", interaction("GET", SESSION, 404, {"message": "x"}))
    both = CliRunner().invoke(main, ["check", "--exchanges", "--contract", "effect", str(path)])
    assert both.exit_code == 2
    assert "--exchanges takes no --contract" in both.output
    neither = CliRunner().invoke(main, ["check", str(path)])
    assert neither.exit_code == 2
    assert "Missing option '--contract'" in neither.output


def test_a_har_without_the_answer_body_is_unreadable_not_passed(tmp_path: Path) -> None:
    entry = {
        "request": {"method": "GET", "url": SESSION, "headers": []},
        "response": {"status": 200, "headers": [], "content": {"size": 120, "mimeType": "application/json"}},
    }
    path = tmp_path / "a.har"
    path.write_text(json.dumps({"log": {"entries": [entry]}}))

    result = run(str(path))

    assert result.exit_code == 2
    assert f"{path}#1: not a recorded exchange: the answer has 120 bytes but no content.text" in result.output


def test_a_recording_is_read_from_stdin(tmp_path: Path) -> None:
    path = cassette(tmp_path / "c.yaml", interaction("PUT", SESSION, 200, {"effects": 1}, UPDATE))

    result = CliRunner().invoke(main, ["check", "--exchanges", "-"], input=path.read_bytes())

    assert result.exit_code == 1
    assert "-#1 PUT /v2/customer_sessions/s1 -> 200 (update_customer_session):" in result.output
