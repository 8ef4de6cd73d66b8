"""The pytest plugin's entry point (``pytest11``); ``-p talon_fakes`` loads it when autoload is off.

The plugin itself is the project's top-level ``conftest_plugin/`` folder, imported as
``talon_fakes._plugin``: never under the folder's own name, which a user's ``conftest_plugin.py``
would shadow (``python -m pytest`` puts the current folder first on ``sys.path``). A wheel carries
the folder as ``talon_fakes/_plugin`` (hatchling ``force-include``, as ``contracts/`` ships as
``talon_fakes/_contracts``); an editable install or a checkout has no such folder, so the
top-level one is loaded under that name. Either way its modules import one another relatively.

This module re-exports the plugin's hooks and fixtures, which is what pytest registers.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

#: The name the plugin's package is imported under, in a wheel and in a checkout alike.
PACKAGE = "talon_fakes._plugin"

_HERE = Path(__file__).resolve().parent
_SHIPPED = _HERE / "_plugin"
_CHECKOUT = _HERE.parent / "conftest_plugin"


def _load() -> ModuleType:
    if PACKAGE in sys.modules:
        return sys.modules[PACKAGE]
    if (_SHIPPED / "__init__.py").is_file():
        return importlib.import_module(PACKAGE)
    spec = importlib.util.spec_from_file_location(
        PACKAGE, _CHECKOUT / "__init__.py", submodule_search_locations=[str(_CHECKOUT)]
    )
    if spec is None or spec.loader is None or not (_CHECKOUT / "__init__.py").is_file():
        raise ImportError(
            f"the talon-fakes pytest plugin is missing: looked in {_SHIPPED} and {_CHECKOUT}. "
            "Reinstall talon-fakes, or run from a checkout that has the conftest_plugin/ folder."
        )
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs, as the import system does: its relative imports look it up here.
    sys.modules[PACKAGE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[PACKAGE]
        raise
    return module


_plugin = _load()
__all__: list[str] = list(_plugin.__all__)
globals().update({name: getattr(_plugin, name) for name in __all__})
