"""The HTTP app's dispatch table: which handler answers a method and path, and under which API.

Read from :data:`talon_fakes.api.OPERATIONS`, the one table of the API surface, so the router, the
OpenAPI document and the recorded-traffic checker cannot disagree. :class:`~talon_fakes.fake.web.app.FakeApp`
asks :func:`route` for the handler (a method of :class:`~talon_fakes.fake.web.handlers.SessionHandlers`),
the API whose credentials it needs and its arguments; a path no route matches is a 404, a method the
path does not take a 405, both in Talon.One's error shape. Paths under :data:`CONTROL_PREFIX` go to
the control API (:mod:`talon_fakes.fake.control.admin`) instead.
"""

from __future__ import annotations

import re

from talon_fakes.api import OPERATIONS
from talon_fakes.fake.domain import wire
from talon_fakes.fake.web.calls import Call, HttpError
from talon_fakes.fake.web.intake import path_parameters

#: The control API's prefix (WireMock's): no Talon.One path starts with it.
CONTROL_PREFIX = "/__admin"

# (method, path pattern, handler, API), read from the API table. The path's named groups (the
# spec's parameter names), renamed by _ARGUMENTS, are the handler's arguments.
ROUTES: list[tuple[str, re.Pattern[str], str, str]] = [
    (operation.method, operation.pattern, operation.name, operation.api) for operation in OPERATIONS
]
_ARGUMENTS = {
    "customerSessionId": "integration_id",
    "applicationId": "application_id",
    "sessionId": "session_id",
}


def route(call: Call) -> tuple[str, str, dict[str, str]]:
    """The handler's name, the API (``integration`` or ``management``) and the handler's arguments
    for ``call``; an :class:`~talon_fakes.fake.web.calls.HttpError` 404 or 405 when no route takes it."""
    allowed = []
    for method, pattern, handler, api in ROUTES:
        match = pattern.fullmatch(call.path)
        if match:
            if method == call.method:
                decoded = path_parameters(match.groupdict())  # each once, after matching
                return handler, api, {_ARGUMENTS[k]: v for k, v in decoded.items()}
            allowed.append(method)
    if allowed:
        message = f"{call.method} is not allowed here; use {', '.join(allowed)}"
        raise HttpError(405, wire.error_with_status(message, 405, title="method not allowed"))
    raise HttpError(404, wire.error_with_status(f"no endpoint {call.path}", 404, title="not found"))


def is_control(path: str) -> bool:
    """Whether ``path`` is the control API's (under :data:`CONTROL_PREFIX`), not Talon.One's."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
