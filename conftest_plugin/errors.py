"""What the plugin raises and warns (kept apart: the plugin module exports them, cheaply)."""

from __future__ import annotations


class TalonDriftWarning(UserWarning):
    """A response carried fields its contract does not define (lenient mode; ``--talon-strict`` fails)."""


class ResponseContractError(AssertionError):
    """A response the test received broke its contract (raised by the plugin; fails the test)."""
