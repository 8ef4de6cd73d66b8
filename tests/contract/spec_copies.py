"""Modified copies of the vendored spec, made in a test's tmp_path (the spec itself is never edited)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "talon-openapi"
SESSION = "integration-api/paths/v2-customer_sessions-{customerSessionId}.yaml"
#: The cart item of a PUT request (the schema the ``cart-item`` contract is derived from).
CART_ITEM = (
    "put",
    "responses",
    "200",
    "content",
    "application/json",
    "schema",
    "allOf",
    1,
    "properties",
    "customerSession",
    "allOf",
    3,
    "allOf",
    3,
    "properties",
    "cartItems",
    "items",
)


def node(document: Any, path: tuple[str | int, ...]) -> Any:
    """The node at ``path`` (keys and list indexes) in a parsed YAML document."""
    for step in path:
        document = document[step]
    return document


def spec_copy(tmp_path: Path, edits: dict[str, Callable[[Any], None]]) -> Path:
    """A copy of the vendored spec in which each named path file was changed by its edit."""
    spec = tmp_path / "new-spec"
    shutil.copytree(SPEC, spec)
    for file, edit in edits.items():
        path = spec / file
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        edit(document)
        path.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
    return spec
