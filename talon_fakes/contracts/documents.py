"""Read the documents the CLI checks, one at a time.

Every input yields a stream of :class:`Document` (parsed, with where it came from) and
:class:`Unreadable` (malformed JSON, a missing or unreadable file), in file order. Nothing is
kept: a JSON Lines file of any length is read line by line, so memory is bounded by the longest
line. Which inputs hold one document and which hold one per line:

* ``.jsonl`` / ``.ndjson``: one document per line, blank lines skipped; lines are numbered as
  in the file.
* ``-``: standard input, one JSON document (pretty-printed or not) unless ``jsonl=True``.
* any other name: exactly one JSON document.

``jsonl=True`` reads every input as JSON Lines, whatever its name. A single JSON document that is
an array (what ``talon-fakes sample --count 3`` prints) holds one document per item, named
``file[0]``, ``file[1]``, ... (``arrays=False`` reads it as one document). An input read as one
document that fails to parse because it holds one document per line says so, and how to read it.
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
    """One parsed document; ``line`` is its line number in a JSON Lines input, else ``None``;
    ``index`` its position in a top-level JSON array, else ``None``."""

    source: str
    line: int | None
    value: Any
    index: int | None = None

    @property
    def where(self) -> str:
        """``file``, ``file:line`` or ``file[index]``: how reports name this document."""
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return where if self.index is None else f"{where}[{self.index}]"


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


def _first_lines(data: bytes, count: int) -> Iterator[bytes]:
    """The first ``count`` lines of ``data`` that are not blank, without splitting all of it."""
    start = 0
    while count and start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line = data[start:end].strip()
        start = end + 1
        if line:
            count -= 1
            yield line


def _looks_like_json_lines(data: bytes) -> bool:
    """Whether ``data``'s first two lines are each a whole JSON document: JSON Lines, not JSON."""
    lines = list(_first_lines(data, 2))
    if len(lines) < 2:
        return False
    try:
        for line in lines:
            orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _one(source: str, data: bytes, arrays: bool) -> Iterator[Item]:
    data = data.removeprefix(_BOM)
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        unreadable = _invalid(source, error)
        if (error.lineno or 0) > 1 and _looks_like_json_lines(data):
            how = "pass --jsonl" if source == STDIN_NAME else "pass --jsonl, or name the file *.jsonl"
            hint = f"; it looks like JSON Lines (one document a line): to read it so, {how}"
            unreadable = Unreadable(source, unreadable.line, unreadable.column, unreadable.message + hint)
        yield unreadable
        return
    if arrays and isinstance(value, list):
        for index, item in enumerate(value):
            yield Document(source, None, item, index)
    else:
        yield Document(source, None, value)


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
    name: str,
    *,
    jsonl: bool = False,
    stdin: IO[bytes] | None = None,
    on_bytes: OnBytes | None = None,
    arrays: bool = True,
) -> Iterator[Item]:
    """The documents of one input (a path, or ``-`` for ``stdin``), as they are read.

    An OS error ends this input with one :class:`Unreadable`; malformed JSON on one line of a
    JSON Lines input is reported and reading goes on with the next line. ``arrays``: a top-level
    array of an input read as one document holds one document per item.
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
                yield from _one(source, stdin.read(), arrays)
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
                yield from _one(source, data, arrays)
    except OSError as error:
        yield _cannot_read(source, error)


def read_all(
    names: Iterable[str],
    *,
    jsonl: bool = False,
    stdin: IO[bytes] | None = None,
    on_bytes: OnBytes | None = None,
    arrays: bool = True,
) -> Iterator[Item]:
    """The documents of every input in turn; see :func:`read`."""
    for name in names:
        yield from read(name, jsonl=jsonl, stdin=stdin, on_bytes=on_bytes, arrays=arrays)
