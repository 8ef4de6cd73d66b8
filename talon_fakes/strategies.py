"""``talon_fakes.strategies``, the documented path of :mod:`talon_fakes.generators.strategies` (which see)."""

from talon_fakes.generators.strategies import *  # noqa: F403
from talon_fakes.generators.strategies import __all__ as __all__
