"""Recorded HTTP exchanges, read from the files tools write: HAR, VCR.py cassettes, proxy JSON Lines.

::

    for item in read_exchanges(["cassettes/test_checkout.yaml", "sandbox.har"]):
        ...  # an Exchange, or an Unreadable saying which file or entry could not be read

The formats, recognised by their content (not their file name):

- **HAR 1.2** (``{"log": {"entries": [...]}}``), as browsers and proxies export it
  (http://www.softwareishard.com/blog/har-12-spec/): ``request.postData.text`` and
  ``response.content.text`` (base64 when ``content.encoding`` says so).
- **VCR.py cassettes** (``{"version": 1, "interactions": [...]}``, YAML as pytest-recording writes
  them, or JSON with VCR.py's JSON serializer): ``request.body`` and ``response.body.string``,
  which VCR.py stores as the raw bytes (``!!binary``, compressed unless the cassette was recorded
  with ``decode_compressed_response=True``), so a ``Content-Encoding`` of gzip or deflate is undone.
- **talon-fakes proxy recordings** (JSON Lines, one exchange a line, see :mod:`talon_fakes.contracts.proxy`).
"""

from __future__ import annotations

import base64
import sys
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

#: The ``format`` field of every line of a proxy recording.
RECORDING_FORMAT = "talon-fakes-exchange/1"


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as recorded. Bodies are the bytes on the wire, decompressed."""

    source: str
    index: int  # the entry's position in its file: 1-based (the line number for JSON Lines)
    method: str
    url: str
    status: int
    request_body: bytes | None = None
    response_body: bytes | None = None
    request_headers: Mapping[str, str] = field(default_factory=dict)
    response_headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The URL's path, without the query string."""
        return urlsplit(self.url).path or "/"

    @property
    def where(self) -> str:
        """``FILE#N``: the file and the entry's position in it (its line in JSON Lines)."""
        return f"{self.source}#{self.index}"

    def describe(self) -> str:
        """``PUT /v2/customer_sessions/s1 -> 200``."""
        return f"{self.method} {self.path} -> {self.status}"


@dataclass(frozen=True)
class Unreadable:
    """A file, or one entry of it, that could not be read as recorded exchanges."""

    source: str
    message: str
    index: int | None = None

    def __str__(self) -> str:
        where = self.source if self.index is None else f"{self.source}#{self.index}"
        return f"{where}: {self.message}"


class _Bad(ValueError):
    """An entry that is not a recorded exchange of its format."""


def read_exchanges(names: Iterable[str]) -> Iterator[Exchange | Unreadable]:
    """Every exchange of every file in ``names``, in order; unreadable files and entries in between."""
    for name in names:
        yield from read_file(name)


def read_file(name: str) -> Iterator[Exchange | Unreadable]:
    """The exchanges of one file, whatever its format (see the module's docstring)."""
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        yield Unreadable(name, f"cannot read: {error.strerror or error}")
        return
    if not data.strip():  # nothing recorded: no exchanges (an empty run is reported as such)
        return
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        document = None
        if data.lstrip().startswith(b"{"):  # objects, one a line: a proxy recording
            yield from _recording(name, data)
            return
    if document is None:
        try:
            document = _yaml(data)
        except ValueError as error:
            yield Unreadable(name, f"not a HAR file, VCR.py cassette or proxy recording: {error}")
            return
    if isinstance(document, dict) and isinstance(document.get("log"), dict):
        yield from _entries(name, document["log"].get("entries"), _har_entry, "log.entries")
    elif isinstance(document, dict) and "interactions" in document:
        yield from _entries(name, document["interactions"], _vcr_interaction, "interactions")
    elif isinstance(document, dict) and document.get("format") == RECORDING_FORMAT:
        yield from _recording(name, data)
    else:
        yield Unreadable(
            name,
            "not a HAR file ({'log': {'entries': ...}}), VCR.py cassette ({'interactions': ...}) "
            f"or proxy recording (JSON Lines with 'format': {RECORDING_FORMAT!r})",
        )


def _yaml(data: bytes) -> Any:
    import yaml

    try:
        # CSafeLoader where libyaml is there: cassettes of thousands of interactions load in seconds.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(data, Loader=loader)  # a safe loader
    except yaml.YAMLError as error:
        raise ValueError(" ".join(str(error).split())) from None


def _entries(name: str, entries: Any, read: Any, where: str) -> Iterator[Exchange | Unreadable]:
    if not isinstance(entries, list):
        yield Unreadable(name, f"{where} must be a list of exchanges, not {type(entries).__name__}")
        return
    for index, entry in enumerate(entries, start=1):
        try:
            yield read(name, index, entry)
        except (_Bad, KeyError, TypeError, ValueError) as error:
            yield Unreadable(name, f"not a recorded exchange: {_reason(error)}", index)


def _reason(error: Exception) -> str:
    return f"missing {error}" if isinstance(error, KeyError) else str(error)


def _recording(name: str, data: bytes) -> Iterator[Exchange | Unreadable]:
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield _recorded(name, number, orjson.loads(line))
        except orjson.JSONDecodeError as error:
            yield Unreadable(name, f"invalid JSON: {error}", number)
        except (_Bad, KeyError, TypeError, ValueError) as error:
            yield Unreadable(name, f"not a recorded exchange: {_reason(error)}", number)


# -- the formats ----------------------------------------------------------------------------------


def _har_entry(name: str, index: int, entry: Any) -> Exchange:
    request, response = entry["request"], entry["response"]
    post = request.get("postData") or {}
    content = response.get("content") or {}
    text = content.get("text")
    if text is None and content.get("size") not in (None, 0, -1):
        # The exporter left the body out (some do unless asked): nothing to check it by.
        raise _Bad(f"the answer has {content['size']} bytes but no content.text; export the HAR with bodies")
    if text is not None and content.get("encoding") == "base64":
        body: bytes | None = base64.b64decode(text)
    else:
        body = None if text is None else str(text).encode()
    request_text = post.get("text")
    return Exchange(
        name,
        index,
        str(request["method"]).upper(),
        str(request["url"]),
        _status(response["status"]),
        request_body=None if request_text is None else str(request_text).encode(),
        response_body=body,  # HAR holds the decoded content: no Content-Encoding to undo
        request_headers=_har_headers(request.get("headers")),
        response_headers=_har_headers(response.get("headers")),
    )


def _har_headers(headers: Any) -> dict[str, str]:
    return {str(h["name"]).lower(): str(h["value"]) for h in headers or () if isinstance(h, dict)}


def _vcr_interaction(name: str, index: int, interaction: Any) -> Exchange:
    request, response = interaction["request"], interaction["response"]
    status = response["status"]
    request_headers = _vcr_headers(request.get("headers"))
    response_headers = _vcr_headers(response.get("headers"))
    body = response.get("body")
    answer = body.get("string") if isinstance(body, dict) else body
    return Exchange(
        name,
        index,
        str(request["method"]).upper(),
        str(request["uri"]),
        _status(status["code"] if isinstance(status, dict) else status),
        request_body=decoded(_bytes(request.get("body")), request_headers),
        response_body=decoded(_bytes(answer), response_headers),
        request_headers=request_headers,
        response_headers=response_headers,
    )


def _vcr_headers(headers: Any) -> dict[str, str]:
    # VCR.py keeps every header as a list of its values.
    if not isinstance(headers, dict):
        return {}
    return {
        str(key).lower(): ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        for key, value in headers.items()
    }


def _recorded(name: str, number: int, record: Any) -> Exchange:
    if not isinstance(record, dict) or record.get("format") != RECORDING_FORMAT:
        raise _Bad(f"a line of a proxy recording is an object with 'format': {RECORDING_FORMAT!r}")
    request, response = record["request"], record["response"]
    return Exchange(
        name,
        number,
        str(request["method"]).upper(),
        str(request["url"]),
        _status(response["status"]),
        request_body=body_bytes(request),
        response_body=body_bytes(response),
        request_headers={str(k).lower(): str(v) for k, v in (request.get("headers") or {}).items()},
        response_headers={str(k).lower(): str(v) for k, v in (response.get("headers") or {}).items()},
    )


def body_fields(data: bytes | None) -> dict[str, Any]:
    """How a proxy recording keeps a body: ``json`` (its value) when it is JSON, else ``text``, or
    ``base64`` when it is not UTF-8; nothing when there is no body."""
    if not data:
        return {}
    try:
        return {"json": orjson.loads(data)}
    except orjson.JSONDecodeError:
        pass
    try:
        return {"text": data.decode()}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}


def body_bytes(part: Mapping[str, Any]) -> bytes | None:
    """The body :func:`body_fields` recorded, as bytes again (JSON re-serialised)."""
    if "json" in part:
        return orjson.dumps(part["json"])
    if "text" in part:
        return str(part["text"]).encode()
    if "base64" in part:
        return base64.b64decode(part["base64"])
    return None


def _status(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(f"the status must be an integer, not {value!r}")
    try:
        return int(value)
    except ValueError:
        raise _Bad(f"the status must be an integer, not {value!r}") from None


def _bytes(value: Any) -> bytes | None:
    if value is None or value == "":
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    raise _Bad(f"a body must be text or bytes, not {type(value).__name__}")


def decoded(data: bytes | None, headers: Mapping[str, str]) -> bytes | None:
    """Undo a gzip or deflate ``Content-Encoding`` (VCR.py records the compressed bytes)."""
    encoding = headers.get("content-encoding", "").strip().lower()
    if data is None or encoding in ("", "identity"):
        return data
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise _Bad(f"cannot read a body of Content-Encoding {encoding!r}; record it decoded")
    try:
        # 32 + MAX_WBITS reads gzip and zlib; deflate is zlib-wrapped, or raw in old servers.
        return zlib.decompress(data, 32 + zlib.MAX_WBITS)
    except zlib.error:
        try:
            return zlib.decompress(data, -zlib.MAX_WBITS)
        except zlib.error as error:
            raise _Bad(f"the {encoding} body does not decompress: {error}") from None
