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


def secret_problem(secret: object) -> str | None:
    """What is wrong with a key or token the fake is configured with, or ``None``.

    An empty one would let in a request whose ``Authorization`` header names the scheme and
    nothing else (``ApiKey-v1``, a bare ``Bearer``); surrounding white space or a control
    character can never arrive in a header value as configured (HTTP strips the one and forbids
    the other). Talon.One's keys and tokens are never empty.
    """
    if not isinstance(secret, str):
        return f"must be a string; got {type(secret).__name__}"
    if not secret.strip():
        return "must not be empty (an empty key would admit an Authorization header with no key)"
    if secret != secret.strip() or any(ord(char) < 0x20 or ord(char) == 0x7F for char in secret):
        return f"{secret!r} has surrounding white space or a control character, which no header carries"
    return None
