"""``talon-fakes serve`` as a real process driven over HTTP, and ``talon-fakes openapi``'s document."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click
import jsonschema
import pytest
import requests
from click.testing import CliRunner
from openapi_spec_validator import OpenAPIV31SpecValidator
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from processes import SCRIPT, first_line
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import talon_fakes
from talon_fakes.cli import main
from talon_fakes.cli.serve import command as serve_command
from talon_fakes.contracts.loading import contract_names
from talon_fakes.fake.web.openapi import OPERATIONS, document
from talon_fakes.fake.web.routes import ROUTES
from talon_fakes.states import RULE_SETS

START_TIMEOUT = 30


# -- serve ----------------------------------------------------------------------------------------


class Served:
    """A running ``talon-fakes serve`` process and what it printed first."""

    def __init__(self, args: list[str]) -> None:
        self.process = subprocess.Popen(
            [SCRIPT, "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.base_url = first_line(self.process, START_TIMEOUT)

    def stop(self, sig: signal.Signals) -> tuple[int, str, str]:
        """Send ``sig``; the exit status, the rest of stdout, and stderr."""
        self.process.send_signal(sig)
        status = self.process.wait(timeout=START_TIMEOUT)
        # not communicate(): it reads the pipes' descriptors, past what readline() buffered
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        return status, self.process.stdout.read(), self.process.stderr.read()


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """Start ``talon-fakes serve ARGS...``; whatever is still running at the end is killed."""
    started: list[Served] = []

    def start(*args: str) -> Served:
        served = Served(list(args))
        started.append(served)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
        served.process.communicate()  # reaps it and closes the pipes


def test_serve_takes_a_bearer_token_for_the_management_api(serve: Callable[..., Served]) -> None:
    served = serve("--bearer-token", "t-1")
    url = served.base_url + "/v1/applications/1/sessions"
    assert requests.get(url, headers={"Authorization": "Bearer t-1"}, timeout=10).status_code == 200
    assert requests.get(url, headers={"Authorization": "Bearer t-2"}, timeout=10).status_code == 401
    default = {"Authorization": "ManagementKey-v1 talon-fakes-management-key"}
    assert requests.get(url, headers=default, timeout=10).status_code == 200  # the key still works
    status, out, _ = served.stop(signal.SIGTERM)
    assert (status, "Management API: Authorization: Bearer t-1" in out) == (0, True)


def test_serve_prints_its_base_url_first_and_answers_a_full_life_cycle(serve: Callable[..., Served]) -> None:
    served = serve("--api-key", "k-1", "--management-key", "m-1", "--application-id", "7", "--rules", "v1")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", served.base_url), served.base_url
    integration = {"Authorization": "ApiKey-v1 k-1"}
    management = {"Authorization": "ManagementKey-v1 m-1"}
    session = served.base_url + "/v2/customer_sessions/order-1"
    body = {
        "customerSession": {"profileId": "p-1", "cartItems": [{"sku": "A", "quantity": 2, "price": 5.5}]},
        "responseContent": ["customerSession"],
    }

    created = requests.put(session, json=body, headers=integration, timeout=10)
    assert created.status_code == 200, created.text
    assert talon_fakes.validate(created.json(), "integration-state-v2") == []
    assert created.json()["customerSession"]["applicationId"] == 7
    assert created.json()["customerSession"]["total"] == 11.0

    got = requests.get(session, headers=integration, timeout=10)
    assert got.status_code == 200, got.text
    assert talon_fakes.validate(got.json(), "customer-session-response-v2") == []
    assert got.json()["customerSession"]["cartItems"][0]["sku"] == "A"

    # v1 rules: an update may move a closed session to partially_returned (current rules refuse)
    for state in ("closed", "partially_returned"):
        moved = requests.put(
            session, json={"customerSession": {"state": state}}, headers=integration, timeout=10
        )
        assert moved.status_code == 200, moved.text

    page = requests.get(served.base_url + "/v1/applications/7/sessions", headers=management, timeout=10)
    assert page.status_code == 200, page.text
    assert talon_fakes.validate(page.json(), "application-sessions-page") == []
    listed = [(s["integrationId"], s["state"]) for s in page.json()["data"]]
    assert listed == [("order-1", "partially_returned")]

    default_key = {"Authorization": "ApiKey-v1 talon-fakes-api-key"}  # replaced by --api-key
    assert requests.get(session, headers=default_key, timeout=10).status_code == 401
    wrong_api = requests.get(served.base_url + "/v1/applications/7/sessions", headers=integration, timeout=10)
    assert wrong_api.status_code == 401

    status, out, err = served.stop(signal.SIGTERM)
    assert status == 0, err
    assert "ApiKey-v1 k-1" in out
    assert "ManagementKey-v1 m-1" in out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_cleanly_on_a_signal(serve: Callable[..., Served], sig: signal.Signals) -> None:
    served = serve("--port", "0")
    assert requests.get(served.base_url + "/v2/customer_sessions/x", timeout=10).status_code == 401

    status, _out, err = served.stop(sig)

    assert status == 0, err
    assert "Traceback" not in err
    with pytest.raises(requests.ConnectionError):
        requests.get(served.base_url + "/v2/customer_sessions/x", timeout=2)


def test_serve_on_a_port_in_use_says_so_and_exits_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [SCRIPT, "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=False,
        )
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "--port 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_offers_exactly_the_rule_sets() -> None:
    rules = next(p for p in serve_command.params if p.name == "rules")
    assert isinstance(rules.type, click.Choice)
    assert sorted(rules.type.choices) == sorted(RULE_SETS)


def test_help_of_the_new_commands_loads_no_server_or_validator() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from talon_fakes.cli import main\n"
        "for args in (['serve', '--help'], ['openapi', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "heavy = ('jsonschema', 'werkzeug', 'talon_fakes.fake.server', 'talon_fakes.fake.web.openapi')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


# -- openapi --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def printed() -> dict[str, Any]:
    """What ``talon-fakes openapi`` prints, parsed."""
    result = subprocess.run([SCRIPT, "openapi"], capture_output=True, text=True, timeout=60, check=True)
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_the_printed_document_is_valid_openapi_3_1(printed: dict[str, Any]) -> None:
    assert printed["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(printed).validate()
    assert printed == document()


def test_the_validator_would_notice_a_broken_document(printed: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(printed))
    del broken["components"]["parameters"]["pageSize"]["in"]
    with pytest.raises(OpenAPIValidationError):
        OpenAPIV31SpecValidator(broken).validate()


def test_the_strict_document_is_valid_and_closes_objects() -> None:
    result = CliRunner().invoke(main, ["openapi", "--strict"])
    assert result.exit_code == 0, result.output
    strict = json.loads(result.output)
    OpenAPIV31SpecValidator(strict).validate()
    assert strict["components"]["schemas"]["customer-session-v2"]["additionalProperties"] is False
    assert "additionalProperties" not in document()["components"]["schemas"]["customer-session-v2"]


def _walk(node: Any, path: str = "#") -> Iterator[tuple[str, str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for token in ref.removeprefix("#/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def test_every_ref_is_local_and_resolves(printed: dict[str, Any]) -> None:
    refs = [value for _, key, value in _walk(printed) if key == "$ref" and isinstance(value, str)]
    assert refs
    assert [ref for ref in refs if not ref.startswith("#/")] == []
    for ref in refs:
        _resolve(printed, ref)  # raises when it does not
    # no base URI survives that a $ref could resolve against, so nothing is ever fetched
    assert [where for where, key, _ in _walk(printed) if key in ("$id", "$schema")] == []


def test_every_contract_is_embedded_and_every_body_is_one(printed: dict[str, Any]) -> None:
    assert sorted(printed["components"]["schemas"]) == contract_names()
    in_use = [printed["paths"], printed["components"]["responses"]]
    used = {
        ref.removeprefix("#/components/schemas/")
        for part in in_use
        for _, key, ref in _walk(part)
        if key == "$ref" and ref.startswith("#/components/schemas/")
    }
    # the wire bodies of the six endpoints, and the parts they are made of
    bodies = {
        "integration-request-v2", "integration-state-v2", "customer-session-response-v2",
        "return-request", "reopen-response", "application-sessions-page", "application-session",
        "error-response", "error-response-with-status",
    }  # fmt: skip
    assert used == bodies
    reachable, frontier = set(bodies), set(bodies)
    while frontier:
        found = {
            ref.removeprefix("#/components/schemas/").split("/")[0]
            for name in frontier
            for _, key, ref in _walk(printed["components"]["schemas"][name])
            if key == "$ref"
        }
        frontier = found - reachable
        reachable |= found
    # only the seed-derived V1 and legacy shapes, which the fake never serves, stand alone
    assert set(contract_names()) - reachable == {
        "customer-session-v1", "new-customer-session-v1", "customer-session-v2-legacy",
    }  # fmt: skip


def test_the_operations_are_the_routes_of_the_fake(printed: dict[str, Any]) -> None:
    routes = {(method.lower(), handler) for method, _, handler, _ in ROUTES}
    assert {(method, handler) for method, _, _, handler in OPERATIONS} == routes
    patterns = {handler: pattern for _, pattern, handler, _ in ROUTES}
    samples = {"customerSessionId": "s-1", "applicationId": "7", "sessionId": "3"}
    for method, path, operation_id, handler in OPERATIONS:
        assert patterns[handler].fullmatch(re.sub(r"\{(\w+)\}", lambda m: samples[m[1]], path)), path
        assert printed["paths"][path][method]["operationId"] == operation_id
    assert sum(len(item) for item in printed["paths"].values()) == len(ROUTES)


def _parameters(doc: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    refs = doc["paths"][path][method]["parameters"]
    return {p["name"]: p for p in (_resolve(doc, ref["$ref"]) for ref in refs)}


def test_the_parameters_are_those_of_the_spec(printed: dict[str, Any]) -> None:
    put = _parameters(printed, "/v2/customer_sessions/{customerSessionId}", "put")
    assert put["customerSessionId"]["in"] == "path"
    assert put["dry"]["schema"] == {"type": "boolean"}
    assert put["now"]["schema"] == {"type": "string", "format": "date-time"}
    returns = _parameters(printed, "/v2/customer_sessions/{customerSessionId}/returns", "post")
    assert set(returns) == {"customerSessionId", "dry", "runRuleEngine", "Idempotency-Key"}
    assert returns["Idempotency-Key"]["in"] == "header"
    assert returns["Idempotency-Key"]["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}

    listed = _parameters(printed, "/v1/applications/{applicationId}/sessions", "get")
    assert set(listed) == {
        "applicationId", "pageSize", "skip", "sort", "partialMatch", "profile", "state",
        "createdBefore", "createdAfter", "coupon", "referral", "integrationId", "storeIntegrationId",
    }  # fmt: skip
    assert listed["applicationId"]["schema"] == {"type": "integer"}
    assert listed["pageSize"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000}
    assert listed["state"]["schema"]["enum"] == ["open", "closed", "partially_returned", "cancelled"]
    for name in ("createdBefore", "createdAfter"):
        assert listed[name]["schema"] == {"type": "string", "format": "date-time"}
    assert listed["partialMatch"]["schema"] == {"type": "boolean", "default": False}
    one = _parameters(printed, "/v1/applications/{applicationId}/sessions/{sessionId}", "get")
    assert one["sessionId"]["schema"] == {"type": "integer"}


def test_the_security_schemes_are_the_apis_headers(printed: dict[str, Any]) -> None:
    schemes = printed["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"apiKey"}
    assert {(s["in"], s["name"]) for s in schemes.values()} == {("header", "Authorization")}
    assert "ApiKey-v1 <key>" in schemes["api_key_v1"]["description"]
    assert "ManagementKey-v1 <key>" in schemes["management_key"]["description"]
    assert "Bearer <token>" in schemes["manager_auth"]["description"]
    management, integration = [{"management_key": []}, {"manager_auth": []}], [{"api_key_v1": []}]
    for path, item in printed["paths"].items():
        for operation in item.values():
            assert operation["security"] == (management if path.startswith("/v1/") else integration), path


def test_the_embedded_schemas_judge_as_the_contracts_do(printed: dict[str, Any]) -> None:
    registry: Registry[Any] = Registry().with_resource(
        "urn:talon-fakes:openapi", Resource.from_contents(printed, default_specification=DRAFT202012)
    )

    def errors(instance: Any, name: str) -> list[str]:
        schema = {"$ref": f"urn:talon-fakes:openapi#/components/schemas/{name}"}
        validator = jsonschema.Draft202012Validator(schema, registry=registry)
        return [error.message for error in validator.iter_errors(instance)]

    effect = {
        "campaignId": 1, "rulesetId": 2, "ruleIndex": 0, "ruleName": "r",
        "effectType": "setDiscount", "props": {"name": "10% off", "value": 1.5},
    }  # fmt: skip
    item = {"sku": "A", "quantity": 2, "price": 5.5, "returnedQuantity": 0, "remainingQuantity": 2}
    state = {
        "effects": [effect],
        "createdCoupons": [],
        "createdReferrals": [],
        "customerSession": {
            "id": 1, "created": "2024-01-01T00:00:00Z", "integrationId": "s", "applicationId": 1,
            "profileId": "p", "state": "open", "cartItems": [item], "attributes": {}, "firstSession": True,
            "updateCount": 1, "total": 11.0, "cartItemTotal": 11.0, "additionalCostTotal": 0,
            "cartItemAdditionalCostTotal": 0, "updated": "2024-01-01T00:00:00Z",
        },
    }  # fmt: skip
    assert talon_fakes.validate(state, "integration-state-v2") == []
    assert errors(state, "integration-state-v2") == []
    for broken in (
        {**state, "effects": [{**effect, "props": {"name": 3}}]},  # through effect's own $defs
        {**state, "customerSession": {**state["customerSession"], "cartItems": [{**item, "quantity": 0}]}},
    ):
        assert talon_fakes.validate(broken, "integration-state-v2") != []
        assert errors(broken, "integration-state-v2") != []


def test_each_call_builds_a_new_document() -> None:
    first = document()
    first["components"]["schemas"]["cart-item"]["properties"].clear()
    first["components"]["securitySchemes"].clear()
    second = document()
    assert second["components"]["schemas"]["cart-item"]["properties"]
    assert second["components"]["securitySchemes"]


def test_a_ref_the_document_could_only_fetch_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from talon_fakes.fake.web import openapi, openapi_schemas

    foreign = {"cart-item": {"properties": {"price": {"$ref": "https://example.com/money.json"}}}}
    monkeypatch.setattr(openapi_schemas, "schemas", lambda strict: foreign)
    with pytest.raises(ValueError, match="points outside the contracts"):
        openapi.embed("cart-item")
