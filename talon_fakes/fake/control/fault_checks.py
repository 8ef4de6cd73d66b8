"""The checks of the test controls' arguments: a control refuses what would break the fake.

An out-of-range fault would not fail loudly where it was made: ``times=0`` still fired once, a
negative delay was a 500 on the socket (and an exception inside the client in-process), a status
outside HTTP's range wrote an invalid status line. So each argument is checked when the test
hands it over, and the error names the argument, the value, the rule and a fix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import orjson

from talon_fakes.errors import TalonFakesError


def check_fault(
    *,
    status: Any,
    body: Any,
    delay: Any,
    drop: Any,
    times: Any,
    operation: Any,
    operations: Sequence[str],
) -> None:
    """Raise :class:`TalonFakesError` for an ``inject_fault`` argument the fake cannot carry out."""

    def refuse(problem: str) -> TalonFakesError:
        return TalonFakesError(f"inject_fault: {problem}")

    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise refuse(
            f"times={times!r}: a fault answers the next `times` calls; give a whole number, 1 or more"
        )
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not math.isfinite(delay) or delay < 0:
        raise refuse(
            f"delay={delay!r}: give the seconds to wait, a finite number, 0 or more (e.g. delay=0.5)"
        )
    if not isinstance(drop, bool):
        raise refuse(f"drop={drop!r}: give True (close the connection unanswered) or False")
    if status is not None:
        if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
            raise refuse(
                f"status={status!r}: give an HTTP status from 200 to 599 (a 1xx is an interim answer "
                "that clients skip while they wait for the final one; others are no HTTP status)"
            )
    elif body is not None:
        raise refuse("a body is the answer of an injected status: give status=... with it")
    if status is None and not delay and not drop:
        raise refuse("a fault needs a status, a delay or drop=True")
    if body is not None and not isinstance(body, bytes):
        try:
            orjson.dumps(body)
        except TypeError as error:
            raise refuse(
                f"body={body!r} is not JSON ({error}); give JSON values, or bytes to send as they are"
            ) from None
    if operation is not None and operation not in operations:
        raise refuse(
            f"no operation {operation!r} to inject a fault into; the fake's: {', '.join(operations)}"
        )
