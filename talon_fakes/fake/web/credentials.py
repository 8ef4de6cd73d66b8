"""The keys the fake accepts, and the check of a request's ``Authorization`` against them.

:class:`FakeConfig` holds the Integration API keys (each mapped to the Application it belongs to),
the management keys and the bearer tokens, refusing an unusable one when it is made;
:func:`authenticate` is the HTTP app's first check of every routed request (after its size), a 401
in Talon.One's error shape naming the header the API wants. The schemes' spellings are
:mod:`talon_fakes.auth`'s, shared with the plugin and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from talon_fakes import auth
from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.domain import wire
from talon_fakes.fake.web.calls import Call, HttpError

DEFAULT_API_KEY = "talon-fakes-api-key"
DEFAULT_MANAGEMENT_KEY = "talon-fakes-management-key"


@dataclass
class FakeConfig:
    """Keys the fake accepts: Integration API keys map to their application ID."""

    api_keys: dict[str, int] = field(default_factory=lambda: {DEFAULT_API_KEY: 1})
    management_keys: set[str] = field(default_factory=lambda: {DEFAULT_MANAGEMENT_KEY})
    bearer_tokens: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        named = [("api_key", k) for k in self.api_keys] + [("bearer_token", t) for t in self.bearer_tokens]
        for name, secret in named + [("management_key", k) for k in self.management_keys]:
            problem = auth.secret_problem(secret)
            if problem is not None:
                raise TalonFakesError(f"{name} {problem}; give a non-empty key, e.g. {name}='my-{name}'")


def authenticate(config: FakeConfig, call: Call, api: str) -> int | str:
    """Who ``call`` is on ``api``: the Application ID of its Integration API key, or its management
    key or token; an :class:`~talon_fakes.fake.web.calls.HttpError` 401 when ``config`` has no such key."""
    scheme, _, key = (call.header("Authorization") or "").partition(" ")
    if api == "integration" and scheme == auth.INTEGRATION_SCHEME and key in config.api_keys:
        return config.api_keys[key]
    if api == "management" and (
        (scheme == auth.MANAGEMENT_SCHEME and key in config.management_keys)
        or (scheme == auth.BEARER_SCHEME and key in config.bearer_tokens)
    ):
        return key
    expected = (
        f"{auth.INTEGRATION_SCHEME} <key>"
        if api == "integration"
        else f"{auth.MANAGEMENT_SCHEME} <key> or {auth.BEARER_SCHEME} <token>"
    )
    message = f"Unauthorized - Invalid API key; the {api} API needs Authorization: {expected}"
    raise HttpError(
        401, wire.error_with_status(message, 401, title="unauthorized", parameter="Authorization")
    )
