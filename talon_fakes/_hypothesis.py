"""Hypothesis strategies for talon-fakes' domain types, registered without importing the generators.

Hypothesis runs :func:`_hypothesis_setup_hook` when it is imported (the ``hypothesis`` entry
point), so ``st.from_type(Session)`` works before anyone imports :mod:`talon_fakes.generators.strategies`.
Each registration is a function Hypothesis calls when it resolves the type, so the generators
load only then.
"""

from __future__ import annotations

import importlib
from typing import Any


def register_type_strategies() -> None:
    """Register strategies for ``Session``, ``CartItem``, ``State``, ``Operation`` and ``Transition``."""
    from hypothesis import strategies as st

    from talon_fakes.fake.domain.model import CartItem, Session
    from talon_fakes.states import Operation, State, Transition

    def lazy(name: str) -> Any:
        return lambda _: getattr(importlib.import_module("talon_fakes.generators.strategies"), name)()

    st.register_type_strategy(Session, lazy("sessions"))
    st.register_type_strategy(CartItem, lazy("cart_lines"))
    st.register_type_strategy(Transition, lazy("transitions"))
    st.register_type_strategy(State, st.sampled_from(State))
    st.register_type_strategy(Operation, st.sampled_from(Operation))


def _hypothesis_setup_hook() -> None:
    """The ``hypothesis`` entry point (see pyproject.toml)."""
    register_type_strategies()
