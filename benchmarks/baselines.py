"""What the generator benchmark measures ours against, set up as each library documents it.

The contract bundled into one self-contained schema (what hypothesis-jsonschema and
datamodel-code-generator read), a pydantic v2 model generated from it at run time, and
polyfactory's ``ModelFactory`` for that model with a registered factory for every nested one.
Used by :mod:`benchmarks.bench_generators`; needs the ``bench`` extra.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from talon_fakes.contracts.loading import schema
from talon_fakes.fake.web.openapi import embed

Json = dict[str, Any]
_REFERENCED = re.compile(r'"\$ref": "#/components/schemas/([^/"]+)')  # what embed() writes


# -- the contract as one document ----------------------------------------------------------------


def bundle(name: str) -> Json:
    """The strict contract ``name`` and every contract it refers to, as one self-contained schema."""
    parts: dict[str, Json] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in parts:
            continue
        parts[current] = embed(current, strict=True)
        todo += _REFERENCED.findall(json.dumps(parts[current]))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": schema(name)["title"],
        "$ref": f"#/components/schemas/{name}",
        "components": {"schemas": parts},
    }


# -- polyfactory on a generated pydantic model ---------------------------------------------------


def pydantic_model(bundled: Json, folder: Path) -> tuple[type[Any], str]:
    """Generate pydantic v2 models from ``bundled`` with datamodel-code-generator, import them,
    and return the root model with the generated source."""
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import Formatter, PythonVersion

    source = generate(
        json.dumps(bundled),
        input_file_type=InputFileType.JsonSchema,
        output_model_type=DataModelType.PydanticV2BaseModel,
        target_python_version=PythonVersion.PY_311,
        formatters=[Formatter.BLACK],
        disable_timestamp=True,
    )
    assert isinstance(source, str), "datamodel-code-generator wrote no single module"
    path = folder / "generated_customer_session_v2.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # pydantic resolves the postponed annotations through it
    spec.loader.exec_module(module)
    return getattr(module, bundled["title"]), source


def polyfactory_build(model: type[Any], seed_value: int) -> Callable[[], Any]:
    """``ModelFactory.build`` for ``model``, with a registered factory for every nested model.

    Registered factories are polyfactory's documented way to set up nested models; without them
    it makes a new factory class for every nested value, about twice as slow.
    """
    from polyfactory.factories.pydantic_factory import ModelFactory
    from pydantic import BaseModel

    module = sys.modules[model.__module__]
    for name, cls in vars(module).items():
        if inspect.isclass(cls) and issubclass(cls, BaseModel) and cls.__module__ == module.__name__:
            attributes = {"__model__": cls, "__set_as_default_factory_for_type__": True}
            type(f"{name}Factory", (ModelFactory,), attributes)
    factory: Any = ModelFactory.create_factory(model)
    factory.seed_random(seed_value)
    return factory.build  # type: ignore[no-any-return]


def as_wire(instance: Any) -> Json:
    """A pydantic instance as the JSON document it stands for (absent fields left out)."""
    dumped: Json = instance.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped
