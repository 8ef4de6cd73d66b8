"""``talon_fakes.server``, the documented path of :mod:`talon_fakes.fake.server` (which see)."""

from talon_fakes.fake.server import TalonFake

__all__ = ["TalonFake"]
