"""How the Talon.One APIs are authenticated: the one spelling of each ``Authorization`` scheme.

The fake checks these, and the fake's headers, the pytest plugin's target and SDK clients, and
``talon-fakes serve`` all send them. Pure Python, importing nothing.
"""

from __future__ import annotations

#: The Integration API: ``Authorization: ApiKey-v1 <key>``.
INTEGRATION_SCHEME = "ApiKey-v1"
#: The Management API: ``Authorization: ManagementKey-v1 <key>`` (or ``Bearer <token>``).
MANAGEMENT_SCHEME = "ManagementKey-v1"
BEARER_SCHEME = "Bearer"


def integration_headers(api_key: str) -> dict[str, str]:
    """The headers the Integration API wants for ``api_key``."""
    return {"Authorization": f"{INTEGRATION_SCHEME} {api_key}"}


def management_headers(management_key: str) -> dict[str, str]:
    """The headers the Management API wants for ``management_key``."""
    return {"Authorization": f"{MANAGEMENT_SCHEME} {management_key}"}


def bearer_headers(token: str) -> dict[str, str]:
    """The headers the Management API wants for a bearer ``token`` (from its login session)."""
    return {"Authorization": f"{BEARER_SCHEME} {token}"}
