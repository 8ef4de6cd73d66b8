"""Drive a customer session through its whole life cycle with the official ``talon-one-sdk`` 26.x.

Runs inside a virtualenv that has only that SDK installed (``pip install 'talon-one-sdk==26.*'``),
against the server that ``TALON_BASE_URL`` names (the variables are listed in ``_lifecycle.py``,
which holds the steps both SDKs run). This file is the 26.x adapter: what 26.x does its own way.

Prints one line per step and exits 0 when every step passed; on the first failure it prints the step,
the reason and the HTTP body where there is one, and exits 1 (2 for a configuration error).
Only the SDK and the standard library are used: this file must not import pytest or talon_fakes.
"""

from __future__ import annotations

from typing import Any

import _lifecycle
import talon_one
from _steps import check
from talon_one.exceptions import ApiException, BadRequestException, NotFoundException, UnauthorizedException
from talon_one.models import NewReturn, ReturnedCartItem, ReturnIntegrationRequest


class Sdk26:
    """The pydantic SDK: typed exceptions per status, ``var_return``, per-call ``_headers``."""

    label = "talon-one-sdk 26.x"
    prefix = "sdk26"

    def integration_api(self, base_url: str, key: str) -> talon_one.IntegrationApi:
        config = talon_one.Configuration(
            host=base_url, api_key={"api_key_v1": key}, api_key_prefix={"api_key_v1": "ApiKey-v1"}
        )
        config.retries = 1  # fail fast when nothing listens
        return talon_one.IntegrationApi(talon_one.ApiClient(config))

    def management_api(self, base_url: str, key: str) -> talon_one.ManagementApi:
        # One Configuration per key: the SDK applies every configured scheme in the order
        # management_key, manager_auth, api_key_v1, so an api_key_v1 entry would win.
        config = talon_one.Configuration(
            host=base_url,
            api_key={"management_key": key},
            api_key_prefix={"management_key": "ManagementKey-v1"},
        )
        config.retries = 1
        return talon_one.ManagementApi(talon_one.ApiClient(config))

    def return_request(self, position: int, quantity: int) -> ReturnIntegrationRequest:
        line = ReturnedCartItem(position=position, quantity=quantity)
        return ReturnIntegrationRequest(var_return=NewReturn(returned_cart_items=[line]))

    def returned(self, result: Any) -> Any:
        return result.var_return

    def return_with_key(
        self, api: talon_one.IntegrationApi, session_id: str, body: ReturnIntegrationRequest, key: str
    ) -> Any:
        return api.return_cart_items(session_id, body, _headers={"Idempotency-Key": key})

    def update_count(self, api: talon_one.IntegrationApi, session: Any) -> int:
        return int(session.update_count)

    def error_class(self, status: int) -> type[ApiException]:
        return {400: BadRequestException, 401: UnauthorizedException, 404: NotFoundException}[status]

    def check_error_model(self, exc: ApiException) -> None:
        # The SDK deserialises a 400 body into ErrorResponse; None here means the model rejected it.
        check(exc.data is not None, f"the SDK could not parse the 400 body as ErrorResponse: {exc.body}")


if __name__ == "__main__":
    _lifecycle.main(Sdk26())
