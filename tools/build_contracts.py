"""Regenerate the spec-derived contracts (and the test copies of the spec's examples) from the spec.

    python tools/build_contracts.py [--spec DIR] [--check]

The spec is the copy vendored in spec/talon-openapi/ (spec/README.md says where it comes from);
``--spec`` reads another copy. The derivation itself is talon_fakes/contracts/spec_derivation.py (the
``talon-fakes spec-diff`` command uses it too). This tool also copies every example payload of the
spec into tests/contract/data/spec-examples/. ``--check`` rebuilds in memory and exits 1 when a
committed file differs: the spec or the derivation moved.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This checkout's package, not whichever copy the environment has installed.
sys.path.insert(0, str(ROOT))

from talon_fakes.contracts.loading import VERSION  # noqa: E402
from talon_fakes.contracts.spec_derivation import (  # noqa: E402
    SESSION,
    SOURCES,
    SpecError,
    build,
    load_path_file,
    pointer_get,
)

OUT = ROOT / "contracts" / VERSION
DEFAULT_SPEC = ROOT / "spec" / "talon-openapi"
EXAMPLES_OUT = ROOT / "tests" / "contract" / "data" / "spec-examples"
# Postman examples that are not customer-session payloads: the Management login and a CSV export.
UNRELATED_EXAMPLES = ("createSession__", "exportCustomerSessions__")


def build_examples(spec: Path) -> dict[str, Any]:
    """Every example payload of the spec: file name -> document."""
    examples: dict[str, Any] = {}
    for path in sorted((spec / "postman-examples").glob("*.json")):
        if not path.name.startswith(UNRELATED_EXAMPLES):
            examples[path.name] = json.loads(path.read_text(encoding="utf-8"))
    session = load_path_file(spec, SESSION)
    named = pointer_get(session, "/put/requestBody/content/application~1json/examples")
    for title, example in named.items():
        slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
        examples[f"updateCustomerSessionV2__request__{slug}__named.json"] = example["value"]
    branches = pointer_get(session, f"{SOURCES['effect'][1]}/allOf/1/properties/props/oneOf")
    examples["effect-props__named.json"] = {b["title"]: b["example"] for b in branches if "example" in b}
    return examples


def render(document: Any) -> str:
    """The committed text of a contract or example."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="a talon-openapi folder (default: spec/talon-openapi)"
    )
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    try:
        outputs = {OUT / f"{name}.json": doc for name, doc in build(args.spec).items()}
        outputs |= {EXAMPLES_OUT / name: doc for name, doc in build_examples(args.spec).items()}
    except SpecError as error:
        parser.error(str(error))
    stale = []
    for path, document in outputs.items():
        text = render(document)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check:
        # Files this tool made once but makes no more (the spec dropped them).
        ours = {p for p in OUT.glob("*.json") if "tools/build_contracts.py" in p.read_text(encoding="utf-8")}
        stale += sorted(p.name for p in (ours | set(EXAMPLES_OUT.glob("*.json"))) - outputs.keys())
    if stale:
        print("contracts differ from the spec: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
