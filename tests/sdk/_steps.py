"""What both SDK life-cycle scripts share: the cart, the step runner and the checks that need no SDK.

Imported by ``_lifecycle.py``, ``_coupon_steps.py`` and the SDK adapters (``lifecycle_sdk26.py``,
``lifecycle_sdk9.py``), which run from this folder inside an SDK's own virtual environment; so this
module uses only ``talon_one``'s common exception and the standard library.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from talon_one.exceptions import ApiException

COUPON = "SDKLIFE-2026"
# Two items; the first has quantity 2 so that one unit can be returned and one remains.
ITEMS = [("SKU-SHOE", "Running shoe", 2, 49.5), ("SKU-SOCK", "Socks", 1, 5.25)]


class StepFailed(Exception):
    """A step's assertion or call failed; carries the message printed before exiting."""


def die(message: str, code: int = 1) -> NoReturn:
    print(f"FAIL {message}", file=sys.stderr)
    sys.exit(code)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if not value:
        die(f"environment variable {name} is not set; see the script's docstring", code=2)
    return value


def describe(exc: BaseException) -> str:
    """Say what went wrong, with the HTTP status and body when the SDK raised for a response."""
    if isinstance(exc, ApiException):
        return f"{type(exc).__name__} status={exc.status} reason={exc.reason!r} body={exc.body!r}"
    text = str(exc).strip().replace("\n", " | ")
    if type(exc).__module__.startswith("urllib3"):
        return f"cannot reach the server ({type(exc).__name__}: {text})"
    return f"{type(exc).__name__}: {text}"


def run_steps(sdk: str, steps: Sequence[tuple[str, Callable[[], str | None]]]) -> None:
    """Run every step in order, one line each; the first failure ends the run (exit 1)."""
    for name, action in steps:
        try:
            detail = action()
        except StepFailed as exc:
            die(f"[{sdk}] {name}: {exc}")
        except Exception as exc:  # the point of the script is to report any failure as one line
            die(f"[{sdk}] {name}: {describe(exc)}")
        print(f"ok   {name}" + (f": {detail}" if detail else ""), flush=True)
    print(f"PASS [{sdk}] {len(steps)} steps", flush=True)


def bad_request_body(exc: ApiException) -> dict[str, Any]:
    """A 400's ErrorResponse, whose first error names the session state or the session."""
    body = json.loads(exc.body or "null")
    check(isinstance(body, dict) and isinstance(body.get("message"), str), f"400 body lacks message: {body}")
    errors = body.get("errors") or []
    check(errors and isinstance(errors[0], dict), f"400 body lacks errors[]: {body}")
    # A PUT body's state is named by pointer; a reopen has no body, so its path parameter is named.
    source = errors[0].get("source") or {}
    culprit = source.get("pointer") or source.get("parameter")
    check(
        culprit in ("/customerSession/state", "customerSessionId"),
        f"errors[0].source names {culprit!r}, not the state or the session: {body}",
    )
    return dict(body)


def cart(model: Callable[..., Any], quantities: dict[str, int] | None = None) -> list[Any]:
    """The cart of :data:`ITEMS` as the SDK's ``CartItem`` models, with some quantities changed."""
    quantities = quantities or {}
    return [
        model(sku=sku, name=name, quantity=quantities.get(sku, qty), price=price)
        for sku, name, qty, price in ITEMS
    ]


def cart_value(quantities: dict[str, int] | None = None) -> float:
    quantities = quantities or {}
    return sum(price * quantities.get(sku, qty) for sku, _, qty, price in ITEMS)
