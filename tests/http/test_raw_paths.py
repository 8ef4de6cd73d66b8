"""Routes match the path as sent; each path parameter is percent-decoded once (issue 13, point 1).

An encoded slash is part of an ID, never a path separator: ``order-7%2Freopen`` is a session of
that name, not the reopen of ``order-7``. An ID whose bytes are not UTF-8 is a 400 naming the
parameter. Each test runs in-process and on a socket, with requests and httpx.
"""

from __future__ import annotations

import httpx
import pytest
import requests

import talon_fakes
from talon_fakes import State
from talon_fakes.fake.server import TalonFake

_SESSIONS = "/v2/customer_sessions/"
_CART = [{"sku": "A", "quantity": 2, "price": 5.0}]


def _put(fake: TalonFake, raw_id: str, body: dict[str, object] | None = None) -> requests.Response:
    body = (
        body
        if body is not None
        else {"customerSession": {"profileId": "p1"}, "responseContent": ["customerSession"]}
    )
    return requests.put(fake.url(_SESSIONS + raw_id), json=body, headers=fake.integration_headers, timeout=10)


def test_an_encoded_slash_does_not_reopen_the_session_before_it(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    fake.seed_session("order-7", State.CANCELLED, cart_items=_CART)
    answer = _put(fake, "order-7%2Freopen")
    assert answer.status_code == 200, answer.text
    assert answer.json()["customerSession"]["integrationId"] == "order-7/reopen"
    assert fake.session("order-7").state == State.CANCELLED  # not reopened
    assert [entry.operation for entry in fake.journal] == ["update_customer_session"]
    assert fake.journal[0].path == "/v2/customer_sessions/order-7%2Freopen"  # as sent


def test_an_encoded_slash_does_not_make_a_return(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    fake.seed_session("order-7", State.CLOSED, cart_items=_CART)
    body = {"return": {"returnedCartItems": [{"position": 0}]}}
    answer = requests.post(
        fake.url(_SESSIONS + "order-7%2Freturns"), json=body, headers=fake.integration_headers, timeout=10
    )
    assert answer.status_code == 405, answer.text  # the session path takes PUT and GET
    assert talon_fakes.validate(answer.json(), "error-response-with-status", strict=True) == []
    assert fake.session("order-7").state == State.CLOSED
    assert fake.session("order-7").returns == ()


@pytest.mark.parametrize("client", ["requests", "httpx"])
def test_an_id_with_a_slash_is_one_session(fake_in_each_mode: TalonFake, client: str) -> None:
    fake = fake_in_each_mode
    url = fake.url(_SESSIONS + "a%2Fb")
    body = {"customerSession": {"profileId": "p1"}}
    if client == "httpx":
        put = httpx.put(url, json=body, headers=fake.integration_headers)
        got = httpx.get(url, headers=fake.integration_headers)
        statuses, read = (put.status_code, got.status_code), got.json()
    else:
        put_r = requests.put(url, json=body, headers=fake.integration_headers, timeout=10)
        got_r = requests.get(url, headers=fake.integration_headers, timeout=10)
        statuses, read = (put_r.status_code, got_r.status_code), got_r.json()
    assert statuses == (200, 200)
    assert read["customerSession"]["integrationId"] == "a/b"
    assert [s.integration_id for s in fake.sessions()] == ["a/b"]


def test_a_parameter_is_decoded_once(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    assert _put(fake, "x%2541").status_code == 200  # %25 is '%': the ID is 'x%41', not 'xA'
    assert [s.integration_id for s in fake.sessions()] == ["x%41"]
    assert _put(fake, "%C3%BC").status_code == 200
    assert fake.session("ü").integration_id == "ü"


@pytest.mark.parametrize("raw", ["%FF", "%FE", "%C0", "ok%C0%AF", "%ED%A0%80"])
def test_an_id_that_is_not_utf8_is_a_400_naming_the_parameter(fake_in_each_mode: TalonFake, raw: str) -> None:
    fake = fake_in_each_mode
    answer = _put(fake, raw)
    assert answer.status_code == 400, answer.text
    assert talon_fakes.validate(answer.json(), "error-response", strict=True) == []
    assert answer.json()["errors"][0]["source"] == {"parameter": "customerSessionId"}
    assert "UTF-8" in answer.json()["message"]
    assert raw in answer.json()["message"]
    got = requests.get(fake.url(_SESSIONS + raw), headers=fake.integration_headers, timeout=10)
    assert got.status_code == 400
    assert fake.sessions() == []  # nothing stored, and no two such IDs share a session


def test_management_parameters_are_decoded_once_too(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    created = _put(fake, "m1").json()["customerSession"]
    url = fake.url(f"/v1/applications/%31/sessions/{created['id']}")  # %31 is '1'
    assert requests.get(url, headers=fake.management_headers, timeout=10).status_code == 200
    bad = requests.get(
        fake.url("/v1/applications/1/sessions/%FF"), headers=fake.management_headers, timeout=10
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"] == {"parameter": "sessionId"}
