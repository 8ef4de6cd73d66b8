"""Read the documents the CLI checks, one at a time.

Every input yields a stream of :class:`Document` (parsed, with where it came from) and
:class:`Unreadable` (malformed JSON, a missing or unreadable file), in file order. Nothing is
kept: a JSON Lines file of any length is read line by line, so memory is bounded by the longest
line. Which inputs hold one document and which hold one per line:

* ``.jsonl`` / ``.ndjson``: one document per line, blank lines skipped; lines are numbered as
  in the file.
* ``-``: standard input, one JSON document (pretty-printed or not) unless ``jsonl=True``.
* any other name: exactly one JSON document.

``jsonl=True`` reads every input as JSON Lines, whatever its name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

STDIN = "-"
STDIN_NAME = "<stdin>"
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
# Editors on Windows write one; orjson rejects it, and it is not part of any document.
_BOM = b"\xef\xbb\xbf"

#: Told the number of bytes just read from a named file (for a progress bar).
OnBytes = Callable[[int], object]


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed document; ``line`` is its line number in a JSON Lines input, else ``None``."""

    source: str
    line: int | None
    value: Any

    @property
    def where(self) -> str:
        """``file`` or ``file:line``: how reports name this document."""
        return self.source if self.line is None else f"{self.source}:{self.line}"


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An input, or one line of it, that yields no document: malformed JSON or an OS error."""

    source: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.source
        for part in (self.line, self.column):
            if part is not None:
                where += f":{part}"
        return f"{where}: {self.message}"


Item = Document | Unreadable


def display_name(name: str) -> str:
    """How reports name an input: ``<stdin>`` for ``-``, else the name as given."""
    return STDIN_NAME if name == STDIN else name


def is_jsonl(name: str, *, jsonl: bool = False) -> bool:
    """Whether ``name`` is read as JSON Lines."""
    return jsonl or (name != STDIN and Path(name).suffix.lower() in JSONL_SUFFIXES)


def size(name: str) -> int:
    """The byte size of a named regular file; 0 for stdin or anything that cannot be sized."""
    if name == STDIN:
        return 0
    try:
        return os.stat(name).st_size
    except OSError:
        return 0


def _invalid(source: str, error: orjson.JSONDecodeError, line: int | None = None) -> Unreadable:
    # A JSON Lines error is on line 1 of the text parsed; report the file's line instead.
    lineno = error.lineno if line is None else line + error.lineno - 1
    return Unreadable(source, lineno, error.colno, f"invalid JSON: {error.msg}")


def _one(source: str, data: bytes) -> Item:
    try:
        return Document(source, None, orjson.loads(data.removeprefix(_BOM)))
    except orjson.JSONDecodeError as error:
        return _invalid(source, error)


def _lines(source: str, handle: IO[bytes], on_bytes: OnBytes | None) -> Iterator[Item]:
    for number, raw in enumerate(handle, start=1):
        if on_bytes is not None:
            on_bytes(len(raw))
        text = (raw.removeprefix(_BOM) if number == 1 else raw).rstrip(b"\r\n")
        if not text.strip():
            continue
        try:
            yield Document(source, number, orjson.loads(text))
        except orjson.JSONDecodeError as error:
            yield _invalid(source, error, number)


def _cannot_read(source: str, error: OSError) -> Unreadable:
    return Unreadable(source, None, None, f"cannot read: {error.strerror or error}")


def read(
    name: str, *, jsonl: bool = False, stdin: IO[bytes] | None = None, on_bytes: OnBytes | None = None
) -> Iterator[Item]:
    """The documents of one input (a path, or ``-`` for ``stdin``), as they are read.

    An OS error ends this input with one :class:`Unreadable`; malformed JSON on one line of a
    JSON Lines input is reported and reading goes on with the next line.
    """
    source = display_name(name)
    lines = is_jsonl(name, jsonl=jsonl)
    if name == STDIN:
        if stdin is None:
            raise ValueError("reading '-' needs the stdin stream")
        try:
            if lines:
                yield from _lines(source, stdin, None)
            else:
                yield _one(source, stdin.read())
        except OSError as error:
            yield _cannot_read(source, error)
        return
    try:
        with open(name, "rb") as handle:
            if lines:
                yield from _lines(source, handle, on_bytes)
            else:
                data = handle.read()
                if on_bytes is not None:
                    on_bytes(len(data))
                yield _one(source, data)
    except OSError as error:
        yield _cannot_read(source, error)


def read_all(
    names: Iterable[str],
    *,
    jsonl: bool = False,
    stdin: IO[bytes] | None = None,
    on_bytes: OnBytes | None = None,
) -> Iterator[Item]:
    """The documents of every input in turn; see :func:`read`."""
    for name in names:
        yield from read(name, jsonl=jsonl, stdin=stdin, on_bytes=on_bytes)
