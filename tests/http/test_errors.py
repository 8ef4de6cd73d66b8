"""The fake over HTTP: 404, 401, 405, bodies the API rejects, and limits.

Every response goes through the ``client`` fixture, which checks its body against its contract
in strict mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests
from fake_helpers import SHOES, source

from talon_fakes.errors import TalonFakesError

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

    from talon_fakes.fake.server import TalonFake

# -- errors: 404, 401, 405, bad bodies, limits ----------------------------------------------


def test_an_unknown_session_is_a_404(client: Client) -> None:
    client.update("known", {"state": "closed", "cartItems": [SHOES]})
    for response in (
        client.get("unknown"),
        client.return_items("unknown", [{"position": 0, "quantity": 1}]),
        client.reopen("unknown"),
        client.application_session(999),
        client.send("GET", "/v2/nothing/here", ok_contract="error-response-with-status"),
    ):
        assert response.status_code == 404
        assert response.json()["StatusCode"] == 404
    assert client.get("unknown").status_code == 404  # the failed calls created nothing


def test_a_wrong_method_is_a_405(client: Client) -> None:
    response = client.send("DELETE", "/v2/customer_sessions/s1", ok_contract="error-response-with-status")
    assert (response.status_code, response.json()["StatusCode"]) == (405, 405)


# (method, path, body, the contract of a 200)
CALLS = [
    ("PUT", "/v2/customer_sessions/s1", {"customerSession": {}}, "integration-state-v2"),
    ("GET", "/v2/customer_sessions/s1", None, "customer-session-response-v2"),
    (
        "POST",
        "/v2/customer_sessions/s1/returns",
        {"return": {"returnedCartItems": []}},
        "integration-state-v2",
    ),
    ("PUT", "/v2/customer_sessions/s1/reopen", None, "reopen-response"),
    ("GET", "/v1/applications/1/sessions", None, "application-sessions-page"),
    ("GET", "/v1/applications/1/sessions/1", None, "application-session"),
]


def wrong_keys(fake: TalonFake, api: str) -> list[dict[str, str]]:
    integration, management = fake.integration_headers, fake.management_headers
    common = [{}, {"Authorization": ""}, {"Authorization": "Bearer not-a-token"}]
    if api == "integration":
        return [*common, {"Authorization": "ApiKey-v1 wrong"}, {"Authorization": fake.api_key}, management]
    return [*common, {"Authorization": "ManagementKey-v1 wrong"}, integration]


@pytest.mark.parametrize(("method", "path", "body", "contract"), CALLS)
def test_a_missing_or_wrong_key_is_a_401(
    client: Client, fake: TalonFake, method: str, path: str, body: Any, contract: str
) -> None:
    client.update("s1", {"state": "closed", "cartItems": [SHOES]})
    before = client.stored("s1")
    api = "integration" if path.startswith("/v2") else "management"
    for headers in wrong_keys(fake, api):
        response = client.send(method, path, ok_contract=contract, json=body, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["StatusCode"] == 401
        assert response.json()["message"].startswith("Unauthorized - Invalid API key")
    assert client.stored("s1") == before


@pytest.mark.parametrize(
    ("data", "pointer"),
    [("{bad json", ""), ('{"customerSession": {}', ""), (b"\xff\xfe", ""), ("", "")],
)
def test_a_body_that_is_not_json_is_a_400(client: Client, data: str | bytes, pointer: str) -> None:
    response = client.send("PUT", "/v2/customer_sessions/s1", ok_contract="integration-state-v2", data=data)
    assert response.status_code == 400
    assert source(response) == {"pointer": pointer}
    assert client.get("s1").status_code == 404


@pytest.mark.parametrize(
    ("session", "pointer"),
    [
        ([], ""),
        ({"profileId": 42}, "/profileId"),
        ({"state": "shipped"}, "/state"),
        ({"couponCodes": "C1"}, "/couponCodes"),
        ({"attributes": []}, "/attributes"),
        ({"cartItems": [{"quantity": 1}]}, "/cartItems/0/sku"),
        ({"cartItems": [SHOES, {"sku": "X", "quantity": "2"}]}, "/cartItems/1/quantity"),
        ({"cartItems": [SHOES | {"price": "10"}]}, "/cartItems/0/price"),
        ({"additionalCosts": {"fee": {}}}, "/additionalCosts/fee/price"),
    ],
)
def test_a_field_of_the_wrong_type_is_a_400_with_a_pointer(
    client: Client, session: Any, pointer: str
) -> None:
    body = {"customerSession": session}
    response = client.send("PUT", "/v2/customer_sessions/s1", ok_contract="integration-state-v2", json=body)
    assert response.status_code == 400
    assert source(response) == {"pointer": "/customerSession" + pointer}
    assert client.get("s1").status_code == 404


@pytest.mark.parametrize(
    ("body", "pointer"),
    [({}, "/customerSession"), ({"customerSession": {}, "responseContent": ["all"]}, "/responseContent/0")],
)
def test_a_bad_envelope_is_a_400_with_a_pointer(client: Client, body: Any, pointer: str) -> None:
    response = client.send("PUT", "/v2/customer_sessions/s1", ok_contract="integration-state-v2", json=body)
    assert response.status_code == 400
    assert source(response) == {"pointer": pointer}
    assert client.get("s1").status_code == 404


def test_a_body_that_is_not_an_object_is_a_400_pointing_at_the_root(client: Client) -> None:
    response = client.send("PUT", "/v2/customer_sessions/s1", ok_contract="integration-state-v2", json=[])
    assert response.status_code == 400
    assert source(response) == {"pointer": ""}


def many(sku: str, count: int, quantity: int = 1) -> list[dict[str, Any]]:
    return [{"sku": f"{sku}-{index}", "quantity": quantity} for index in range(count)]


@pytest.mark.parametrize(
    ("over", "at_limit", "pointer"),
    [
        ({"cartItems": many("A", 1001)}, {"cartItems": many("A", 1000)}, "/cartItems"),
        (
            {"cartItems": [*many("A", 1, 5000), *many("B", 1, 5001)]},
            {"cartItems": [*many("A", 1, 5000), *many("B", 1, 5000)]},
            "/cartItems",
        ),
        ({"identifiers": list("abcdef")}, {"identifiers": list("abcde")}, "/identifiers"),
        ({"loyaltyCards": ["L1", "L2"]}, {"loyaltyCards": ["L1"]}, "/loyaltyCards"),
        ({"couponCodes": ["ok", "C" * 101]}, {"couponCodes": ["C" * 100]}, "/couponCodes/1"),
        ({"referralCode": "R" * 101}, {"referralCode": "R" * 100}, "/referralCode"),
        ({"storeIntegrationId": ""}, {"storeIntegrationId": "S"}, "/storeIntegrationId"),
        ({"cartItems": many("A", 1, 0)}, {"cartItems": many("A", 1)}, "/cartItems/0/quantity"),
    ],
)
def test_limits_are_400s_with_a_pointer_and_store_nothing(
    client: Client, fake: TalonFake, over: dict[str, Any], at_limit: dict[str, Any], pointer: str
) -> None:
    response = client.update("limits", over)
    assert response.status_code == 400
    assert source(response) == {"pointer": "/customerSession" + pointer}
    assert client.get("limits").status_code == 404
    assert fake.sessions() == []
    assert client.update("limits", at_limit).status_code == 200


def nested(depth: int) -> str:
    """A PUT body whose attribute nests arrays until the body is ``depth`` levels deep."""
    arrays = depth - 3  # the body, customerSession and attributes are three
    return '{"customerSession": {"attributes": {"a": ' + "[" * arrays + "]" * arrays + "}}}"


@pytest.mark.parametrize("depth", [201, 300, 5000])
def test_a_body_nested_too_deeply_is_a_400_and_stores_nothing(client: Client, depth: int) -> None:
    for method, path in (
        ("PUT", "/v2/customer_sessions/deep"),
        ("POST", "/v2/customer_sessions/deep/returns"),
    ):
        response = client.send(method, path, ok_contract="integration-state-v2", data=nested(depth))
        assert response.status_code == 400, response.text  # 300 was stored, then unreadable: a 500
        assert source(response) == {"pointer": ""}
        assert "deeper than 200 levels" in response.json()["message"]
    assert client.get("deep").status_code == 404
    assert client.list_sessions().json()["data"] == []


def test_a_body_200_levels_deep_is_stored_and_read_back(client: Client) -> None:
    response = client.send(
        "PUT", "/v2/customer_sessions/deep", ok_contract="integration-state-v2", data=nested(200)
    )
    assert response.status_code == 200, response.text
    assert client.get("deep").status_code == 200
    [listed] = client.list_sessions().json()["data"]  # one level deeper still: the page's data
    assert listed["integrationId"] == "deep"


def test_the_management_api_takes_the_fakes_bearer_token() -> None:
    from talon_fakes.fake.server import TalonFake

    with TalonFake(bearer_token="login-token") as fake:
        url = fake.url("/v1/applications/1/sessions")
        assert requests.get(url, headers=fake.bearer_headers, timeout=10).status_code == 200
        wrong = requests.get(url, headers={"Authorization": "Bearer other"}, timeout=10)
        assert wrong.status_code == 401
        integration = requests.get(
            fake.url("/v2/customer_sessions/x"), headers=fake.bearer_headers, timeout=10
        )
        assert integration.status_code == 401  # the Integration API takes API keys only
    with pytest.raises(TalonFakesError, match="no bearer token"):
        _ = TalonFake().bearer_headers


def test_a_number_of_thousands_of_digits_is_a_400(client: Client) -> None:
    body = '{"customerSession": {"attributes": {"n": ' + "7" * 5000 + "}}}"
    response = client.send("PUT", "/v2/customer_sessions/big", ok_contract="integration-state-v2", data=body)
    assert response.status_code == 400, response.text  # was a 500
    assert client.get("big").status_code == 404


def test_a_lone_surrogate_becomes_the_replacement_character_as_go_reads_it(client: Client) -> None:
    body = '{"customerSession": {"attributes": {"a": "x\\ud800y"}}, "responseContent": ["customerSession"]}'
    response = client.send("PUT", "/v2/customer_sessions/u", ok_contract="integration-state-v2", data=body)
    assert response.status_code == 200, response.text  # was stored, then a 500 on every read
    assert response.json()["customerSession"]["attributes"] == {"a": "x\ufffdy"}
    assert client.get("u").json()["customerSession"]["attributes"] == {"a": "x\ufffdy"}


@pytest.mark.parametrize(
    ("constant", "where"),
    [("NaN", "line 3, column 54"), ("Infinity", "line 3, column 54"), ("-Infinity", "line 3, column 54")],
)
def test_a_nan_or_infinity_is_reported_at_its_line_and_column(
    client: Client, constant: str, where: str
) -> None:
    # the same word inside a string (an escaped quote before it too) is text, not the constant
    body = (
        '{"customerSession": {\n'
        '  "profileId": "NaN \\" Infinity",\n'
        '  "cartItems": [{"sku": "A", "quantity": 1, "price": ' + constant + "}]}}"
    )
    response = client.send("PUT", "/v2/customer_sessions/n", ok_contract="integration-state-v2", data=body)
    assert response.status_code == 400
    assert f"malformed JSON at {where}: {constant} is not JSON" in response.json()["message"]
    assert client.get("n").status_code == 404
