"""Clients of the official Talon.One SDK, configured for ``talon_target``.

Both SDK generations install the module ``talon_one`` and take the same ``Configuration``
arguments, but read the key from different dict keys: ``talon-one-sdk`` 26.x from the security
scheme's name (``api_key_v1``, ``management_key``), ``talon-one-python-sdk`` 9.x from
``Authorization`` for every scheme. Setting both serves either (each ignores the other's key), so
one Configuration per API works with both (see tests/sdk/SDK-NOTES.md).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from talon_fakes import auth

from .target import Target

INSTALL_HINT = (
    "the official Talon.One SDK is not installed (no module talon_one): "
    "pip install talon-one-sdk (or the older talon-one-python-sdk)"
)


def _sdk() -> Any:
    try:
        return importlib.import_module("talon_one")
    except ImportError:
        pytest.skip(INSTALL_HINT)


def _client(sdk: Any, target: Target, scheme: str, key: str, prefix: str) -> Any:
    configuration = sdk.Configuration(
        host=target.base_url,  # no trailing slash: the SDKs append "/v2/..." to it as a string
        api_key={scheme: key, "Authorization": key},
        api_key_prefix={scheme: prefix, "Authorization": prefix},
    )
    return sdk.ApiClient(configuration)


def integration_api(target: Target) -> Any:
    """A ``talon_one.IntegrationApi`` sending ``ApiKey-v1 <key>`` to ``target``."""
    sdk = _sdk()
    return sdk.IntegrationApi(_client(sdk, target, "api_key_v1", target.api_key, auth.INTEGRATION_SCHEME))


def management_api(target: Target) -> Any:
    """A ``talon_one.ManagementApi`` sending ``ManagementKey-v1 <key>`` to ``target``."""
    sdk = _sdk()
    return sdk.ManagementApi(
        _client(sdk, target, "management_key", target.management_key, auth.MANAGEMENT_SCHEME)
    )
