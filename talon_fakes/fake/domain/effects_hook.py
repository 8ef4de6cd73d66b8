"""The effects hook's contract: ``hook(session, operation) -> list of effects``, checked when installed.

A test's stand-in for the rule engine (:meth:`talon_fakes.fake.server.TalonFake.effects`) is called
with the :class:`~talon_fakes.fake.domain.model.Session` and the operation (``update``, ``return``,
``reopen`` or ``get``) and returns the effects to answer, each checked against the ``effect``
contract. A hook that cannot be called that way would only fail at the first request, as a 500
whose ``TypeError`` names neither the hook nor the signature it needs; so it is refused when it
is installed, the way pytest refuses a fixture that asks for an argument it cannot give.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.domain.model import Session

#: What :meth:`~talon_fakes.fake.server.TalonFake.effects` installs.
EffectsHook = Callable[[Session, str], list[dict[str, Any]]]

SIGNATURE = "hook(session, operation) -> list of effects"


def check_hook(hook: Any) -> None:
    """Raise :class:`TalonFakesError` unless ``hook`` can be called as ``hook(session, operation)``."""
    if not callable(hook):
        raise TalonFakesError(
            f"the effects hook must be a callable {SIGNATURE}, not {type(hook).__name__}: {hook!r}"
        )
    try:
        signature = inspect.signature(hook)
    except (TypeError, ValueError):  # some builtins and C callables have no signature to read
        return
    try:
        signature.bind(object(), "update")
    except TypeError as error:
        name = getattr(hook, "__qualname__", None) or repr(hook)
        raise TalonFakesError(
            f"the effects hook {name}{signature} cannot be called as {SIGNATURE} ({error}); "
            "define it as def hook(session, operation): ..."
        ) from None
