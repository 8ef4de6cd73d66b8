"""The request each operation's clients send, built from the API table (no sockets here).

``talon_client`` and the HTTP tests' client both send what :mod:`talon_fakes._plugin.operations`
builds; these pin what it builds, so a change to a path or an encoding shows here first.
"""

from __future__ import annotations

import pytest

from talon_fakes import api
from talon_fakes._plugin import operations
from talon_fakes.fake.server import TalonFake


@pytest.mark.parametrize(
    ("integration_id", "path"),
    [
        ("s1", "/v2/customer_sessions/s1"),
        ("order 1 ü", "/v2/customer_sessions/order%201%20%C3%BC"),
        ("a/b?c#d", "/v2/customer_sessions/a%2Fb%3Fc%23d"),  # stays one segment, no query
    ],
)
def test_a_path_parameter_is_percent_encoded_whole(integration_id: str, path: str) -> None:
    assert api.operation("get_customer_session").path_of(customerSessionId=integration_id) == path
    assert operations.session_path(integration_id) == path


def test_path_of_names_the_parameters_an_operation_takes() -> None:
    operation = api.operation("get_application_session")
    assert operation.path_of(applicationId=1, sessionId=22) == "/v1/applications/1/sessions/22"
    with pytest.raises(TypeError, match="applicationId, sessionId, not applicationId; pass each"):
        operation.path_of(applicationId=1)


def test_every_operation_fills_its_own_template() -> None:
    for operation in api.OPERATIONS:
        values = dict.fromkeys(operation.pattern.groupindex, "x")
        assert operation.pattern.fullmatch(operation.path_of(**values)), operation.name


def test_the_query_string_says_booleans_as_talon_one_reads_them_and_drops_none() -> None:
    assert operations.query_string({}) == ""
    assert operations.query_string({"dry": None}) == ""
    assert operations.query_string({"dry": True, "now": "2030-01-01T00:00:00+01:00"}) == (
        "?dry=true&now=2030-01-01T00%3A00%3A00%2B01%3A00"
    )
    assert operations.query_string({"partialMatch": False, "pageSize": 2}) == "?partialMatch=false&pageSize=2"


def test_an_update_wraps_the_session_and_sends_response_content_only_when_given() -> None:
    call = operations.update_customer_session("s 1", {"state": "open"}, params={"dry": True})
    assert (call.method, call.target, call.api) == (
        "PUT",
        "/v2/customer_sessions/s%201?dry=true",
        "integration",
    )
    assert call.body == {"customerSession": {"state": "open"}}
    assert call.ok_contract == "integration-state-v2"
    with_content = operations.update_customer_session("s", {}, response_content=("customerProfile",))
    assert with_content.body == {"customerSession": {}, "responseContent": ["customerProfile"]}


def test_a_return_carries_its_idempotency_key_as_a_header() -> None:
    items = [{"position": 0, "quantity": 1}]
    call = operations.return_cart_items("s", items, idempotency_key="k-1")
    assert (call.method, call.path, call.query) == ("POST", "/v2/customer_sessions/s/returns", "")
    assert call.body == {"return": {"returnedCartItems": items}}
    assert call.headers == {"Idempotency-Key": "k-1"}
    assert operations.return_cart_items("s", items).headers == {}


def test_requests_without_a_body_send_none() -> None:
    for call in (
        operations.get_customer_session("s"),
        operations.reopen_customer_session("s"),
        operations.list_application_sessions(1, {"state": "open"}),
        operations.get_application_session(1, 2),
    ):
        assert call.body is None, call


def test_management_operations_take_the_management_key() -> None:
    listed = operations.list_application_sessions(7, {"integrationId": "s1", "pageSize": None})
    assert (listed.method, listed.target, listed.api) == (
        "GET",
        "/v1/applications/7/sessions?integrationId=s1",
        "management",
    )
    assert listed.ok_contract == "application-sessions-page"

    fake = TalonFake()  # holds both keys; never started
    assert operations.authorization(listed.api, fake) == fake.management_headers
    assert operations.authorization("integration", fake) == fake.integration_headers
    with pytest.raises(ValueError, match="api must be 'integration' or 'management', not 'admin'"):
        operations.authorization("admin", fake)
