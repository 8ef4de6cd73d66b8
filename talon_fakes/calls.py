"""One HTTP request as the fake's app reads it, and the parsing of its parts into values.

A :class:`Call` is built straight from what a client hands over (the in-process mode) or from a
werkzeug request (the socket server), so both paths run the same app without the in-process one
paying for a WSGI environ and a werkzeug request and response. Every parse error is an
:class:`HttpError` 400 naming the parameter or the JSON pointer, in Talon.One's error shape.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import orjson
from werkzeug.wrappers import Request

from talon_fakes import wire
from talon_fakes.model import rfc3339


class HttpError(Exception):
    """A response to send instead of the handler's: status and body.

    ``injected`` marks the answer of a fault the test injected (its body is the test's, any JSON).
    """

    def __init__(self, status: int, body: Any, *, injected: bool = False) -> None:
        super().__init__(body.get("message", "") if isinstance(body, dict) else "")
        self.status, self.body, self.injected = status, body, injected


def bad(message: str, *, pointer: str | None = None, parameter: str | None = None) -> HttpError:
    """A 400 in the ``error-response`` shape, naming the body's ``pointer`` or the ``parameter``."""
    return HttpError(
        400, wire.error_response(message, pointer=pointer, parameter=parameter, title="bad request")
    )


class Call:
    """A request: method, path (percent-decoded), raw query, headers and body bytes.

    ``args`` (the first value of each query parameter) and the case-insensitive header lookup are
    worked out on first use; ``environ`` is the WSGI environ when a server received it.
    """

    __slots__ = ("_args", "_lower", "body", "delay", "environ", "headers", "method", "path", "query_string")

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        environ: dict[str, Any] | None = None,
    ) -> None:
        self.method, self.path, self.query_string = method, path, query_string
        self.headers: Mapping[str, str] = headers or {}
        self.body, self.environ = body, environ
        self.delay = 0.0  # an injected delay, waited out while an update holds its session
        self._args: dict[str, str] | None = None
        self._lower: dict[str, str] | None = None

    @classmethod
    def from_request(cls, request: Request) -> Call:
        """The call of a werkzeug request (its body read whole)."""
        query = request.query_string.decode("utf-8", "replace")
        headers = dict(request.headers.items())
        return cls(
            request.method, request.path, query, headers, request.get_data(cache=True), request.environ
        )

    @property
    def args(self) -> dict[str, str]:
        """The query parameters, the first value of each."""
        if self._args is None:
            self._args = {name: values[0] for name, values in self.query.items()}
        return self._args

    @property
    def query(self) -> dict[str, list[str]]:
        """The query parameters, every value of each."""
        return parse_qs(self.query_string, keep_blank_values=True) if self.query_string else {}

    def header(self, name: str) -> str | None:
        """A header's value, whatever the case of its name."""
        value = self.headers.get(name)  # clients mostly spell it as the spec does
        if value is not None:
            return value
        if self._lower is None:
            self._lower = {key.lower(): value for key, value in self.headers.items()}
        return self._lower.get(name.lower())


class JournalEntry:
    """One request the fake answered (its body and response are decoded when first read)."""

    __slots__ = ("_call", "_payload", "at", "injected", "operation", "status")

    def __init__(
        self, call: Call, status: int, payload: bytes, operation: str | None, *, injected: bool = False
    ) -> None:
        self._call, self.status, self._payload, self.operation = call, status, payload, operation
        self.injected = injected  # the answer of a fault the test injected, not the API's
        self.at = time.time()

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self._call.method

    @property
    def path(self) -> str:
        """The path, without the query."""
        return self._call.path

    @property
    def query(self) -> dict[str, list[str]]:
        """The query parameters."""
        return self._call.query

    @property
    def headers(self) -> dict[str, str]:
        """The request headers."""
        return dict(self._call.headers)

    @property
    def body(self) -> Any:
        """The request body: parsed JSON, text, or ``None``."""
        data = self._call.body
        try:
            return json.loads(data) if data else None
        except ValueError:
            return data.decode("utf-8", "replace")

    @property
    def response(self) -> Any:
        """The response body, parsed."""
        return orjson.loads(self._payload)

    def __repr__(self) -> str:
        return f"<JournalEntry {self.method} {self.path} -> {self.status}>"


# -- the body ---------------------------------------------------------------------------------

# A run of 19+ digits may be an integer past 64 bits: orjson would read it as a float, silently.
# Found by writing every digit as 9 and looking for nineteen 9s: four times faster than a regex.
_DIGITS_AS_NINES = bytes.maketrans(b"012345678", b"999999999")
_LONG_NUMBER = b"9" * 19


def _has_long_number(data: bytes) -> bool:
    """Whether ``data`` has a run of 19 or more ASCII digits."""
    return _LONG_NUMBER in data.translate(_DIGITS_AS_NINES)


_INT64 = 2**63


#: How deep a body may nest. The fake writes its answers with orjson, which stops at 254 levels,
#: and an answer puts a request's values one level deeper (a Management page) at most.
MAX_DEPTH = 200
_TOO_DEEP = f"the body nests deeper than {MAX_DEPTH} levels of objects and arrays"


def json_body(call: Call) -> Any:
    """The request's JSON body; malformed JSON, numbers the API cannot hold and bodies nested
    deeper than :data:`MAX_DEPTH` are a 400."""
    data = call.body
    if not data or data.isspace():
        raise bad("the request needs a JSON body", pointer="")
    if not _has_long_number(data):
        try:
            return _shallow(orjson.loads(data), data)
        except orjson.JSONDecodeError:
            pass  # the standard library explains it (and accepts what orjson alone refuses)
    try:
        try:
            body = _checked(json.loads(data, parse_constant=_no_constant), "")  # before _shallow writes it
        except _Constant as constant:
            raise _constant_error(str(constant), data) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = (
            f" at line {error.lineno}, column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise bad(f"malformed JSON{where}: {error}", pointer="") from None
    except RecursionError:
        raise bad(_TOO_DEEP, pointer="") from None
    except ValueError as error:  # an integer of more than 4300 digits
        raise bad(f"a number the API cannot hold: {error}", pointer="") from None
    return _shallow(body, data)


def _shallow(body: Any, data: bytes) -> Any:
    """``body``, parsed from ``data``, unless it nests deeper than :data:`MAX_DEPTH` (a 400).

    orjson is the measure: it writes at most 254 levels, so ``body`` inside 254 - MAX_DEPTH more
    lists fails to write exactly when ``body`` nests deeper than MAX_DEPTH. That is orjson's C
    speed on a large body, where a walk in Python would cost more than the request's other work.
    """
    # Only a body with that many brackets can nest that deep: the common one is not written.
    if data.count(b"[") + data.count(b"{") > MAX_DEPTH:
        wrapped = body
        for _ in range(_ORJSON_DEPTH - MAX_DEPTH):
            wrapped = [wrapped]
        try:
            orjson.dumps(wrapped)
        except orjson.JSONEncodeError:  # its values are JSON's own (parsed, numbers checked): depth
            raise bad(_TOO_DEEP, pointer="") from None
    return body


_ORJSON_DEPTH = 254  # the deepest value orjson writes (tested)


def _no_constant(name: str) -> Any:
    raise _Constant(name)


class _Constant(Exception):
    """``NaN``, ``Infinity`` or ``-Infinity`` in a body; the scanner does not say where."""


# A string (skipped), or one of the constants JSON lacks outside a string.
_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _constant_error(name: str, data: bytes) -> json.JSONDecodeError:
    """The error for the first bare ``name``-like constant in ``data``, at its line and column."""
    text = data.decode("utf-8", errors="replace")
    for match in _CONSTANT.finditer(text):
        if match.group(1):
            return json.JSONDecodeError(f"{match.group(1)} is not JSON", text, match.start(1))
    return json.JSONDecodeError(f"{name} is not JSON", text, 0)  # not found: keep the start


def _checked(value: Any, pointer: str) -> Any:
    """``value`` as the real API (a Go server) reads it: numbers it cannot hold (past 64-bit
    integers, infinite floats) are a 400; a lone UTF-16 surrogate in a string (``"\\ud800"``, which
    the standard library reads but no UTF-8 can carry) becomes U+FFFD, as Go's encoding/json has it."""
    if isinstance(value, dict):
        return {
            _text(key): _checked(item, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_checked(item, f"{pointer}/{index}") for index, item in enumerate(value)]
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise bad(f"{value} does not fit a 64-bit integer", pointer=pointer)
    if isinstance(value, float) and not math.isfinite(value):
        raise bad("a number too large to represent", pointer=pointer)
    return value


def _text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
    return text


# -- query and path parameters ----------------------------------------------------------------


def boolean(call: Call, name: str) -> bool:
    """A ``true``/``false`` query parameter (absent: false)."""
    value = call.args.get(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise bad(f"{name} must be true or false; got {value!r}", parameter=name)
    return value.lower() == "true"


def date_time(call: Call, name: str) -> datetime | None:
    """An RFC 3339 query parameter with a time zone (a ``+`` sent unencoded reads as a space)."""
    value = call.args.get(name)
    if value is None:
        return None
    try:
        return rfc3339(value.replace(" ", "+"))
    except ValueError as error:
        raise bad(f"{name}: {error}", parameter=name) from None  # the error names the form wanted


def int_arg(call: Call, name: str, default: int, *, low: int, high: int | None = None) -> int:
    """An integer query parameter within ``low..high``."""
    value = call.args.get(name)
    if value is None:
        return default
    number = path_int(value, name)
    if number < low or (high is not None and number > high):
        bounds = f"{low}..{high}" if high is not None else f"at least {low}"
        raise bad(f"{name} must be {bounds}; got {number}", parameter=name)
    return number


_INTEGER = re.compile(r"[+-]?[0-9]+")


def path_int(value: str, name: str) -> int:
    """An integer parameter, spelled as the API (a Go server) reads one: an optional sign and ASCII
    digits (``int()`` would also take ``1_0``, spaces and other scripts' digits), within 64 bits."""
    # 20 characters hold every 64-bit integer; a longer one is out of range (and int() refuses
    # more than 4300 digits with a ValueError).
    if len(value) > 20 or _INTEGER.fullmatch(value) is None or not -_INT64 <= (number := int(value)) < _INT64:
        raise bad(f"{name} must be a 64-bit integer; got {value!r}", parameter=name)
    return number
