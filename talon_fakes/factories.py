"""``talon_fakes.factories``, the documented path of :mod:`talon_fakes.generators.factories` (which see)."""

from talon_fakes.generators.factories import *  # noqa: F403
from talon_fakes.generators.factories import __all__ as __all__
