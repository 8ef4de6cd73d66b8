"""Drive a customer session through its whole life cycle with the official ``talon-one-python-sdk`` 9.x.

Runs inside a virtualenv that has only that SDK installed (``pip install 'talon-one-python-sdk==9.*'``),
against the server that ``TALON_BASE_URL`` names (the variables are listed in ``_lifecycle.py``,
which holds the steps both SDKs run). This file is the 9.x adapter: what 9.x does its own way.

Prints one line per step and exits 0 when every step passed; on the first failure it prints the step,
the reason and the HTTP body where there is one, and exits 1 (2 for a configuration error).
Only the SDK and the standard library are used: this file must not import pytest or talon_fakes.

What 9.x does differently from 26.x (see SDK-NOTES.md): every error is a plain ``ApiException`` whose
``body`` is the raw text; its CustomerSessionV2 model has no ``updateCount`` (read here from the raw
JSON in ``api_client.last_response``); there is no per-request header argument, so the
Idempotency-Key goes in as a default header for the one call; ``dry=True`` goes out as ``dry=True``.
"""

from __future__ import annotations

import json
from typing import Any

import _lifecycle
import talon_one
from _steps import check
from talon_one.exceptions import ApiException
from talon_one.models import NewReturn, ReturnedCartItem, ReturnIntegrationRequest


class _RawResponse:
    """The one attribute ApiClient.deserialize reads from a response."""

    def __init__(self, data: str) -> None:
        self.data = data


class Sdk9:
    """The legacy SDK: one ApiException for every status, ``_return``, default headers only."""

    label = "talon-one-python-sdk 9.x"
    prefix = "sdk9"

    def integration_api(self, base_url: str, key: str) -> talon_one.IntegrationApi:
        # 9.x keys every scheme by the header name, so one Configuration holds one key.
        config = talon_one.Configuration(
            host=base_url, api_key={"Authorization": key}, api_key_prefix={"Authorization": "ApiKey-v1"}
        )
        config.retries = 1  # fail fast when nothing listens
        return talon_one.IntegrationApi(talon_one.ApiClient(config))

    def management_api(self, base_url: str, key: str) -> talon_one.ManagementApi:
        config = talon_one.Configuration(
            host=base_url,
            api_key={"Authorization": key},
            api_key_prefix={"Authorization": "ManagementKey-v1"},
        )
        config.retries = 1
        return talon_one.ManagementApi(talon_one.ApiClient(config))

    def return_request(self, position: int, quantity: int) -> ReturnIntegrationRequest:
        line = ReturnedCartItem(position=position, quantity=quantity)
        return ReturnIntegrationRequest(_return=NewReturn(returned_cart_items=[line]))

    def returned(self, result: Any) -> Any:
        return result._return

    def return_with_key(
        self, api: talon_one.IntegrationApi, session_id: str, body: ReturnIntegrationRequest, key: str
    ) -> Any:
        # 9.x has no per-call headers: set a default header for this one call only.
        api.api_client.set_default_header("Idempotency-Key", key)
        try:
            return api.return_cart_items(session_id, body)
        finally:
            del api.api_client.default_headers["Idempotency-Key"]

    def update_count(self, api: talon_one.IntegrationApi, session: Any) -> int:
        # 9.x's CustomerSessionV2 model drops updateCount: read the last answer as it was sent.
        raw = json.loads(api.api_client.last_response.data)
        sent = raw.get("customerSession")
        check(isinstance(sent, dict), f"no customerSession in the raw response: {raw}")
        check(isinstance(sent.get("updateCount"), int), f"raw customerSession lacks updateCount: {sent}")
        return int(sent["updateCount"])

    def error_class(self, status: int) -> type[ApiException]:
        return ApiException  # 9.x raises the same class for every status; the status is checked

    def check_error_model(self, exc: ApiException) -> None:
        # 9.x never parses error bodies itself; parse it with its ErrorResponse model to prove it fits.
        talon_one.ApiClient(talon_one.Configuration()).deserialize(_RawResponse(exc.body), "ErrorResponse")


if __name__ == "__main__":
    _lifecycle.main(Sdk9())
