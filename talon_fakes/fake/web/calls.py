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
from urllib.parse import parse_qs, quote

import orjson
from werkzeug.wrappers import Request

from talon_fakes.fake.domain import wire
from talon_fakes.fake.domain.model import rfc3339


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
    """A request: method, raw path (percent-encoded, as sent), raw query, headers and body bytes.

    ``args`` (the first value of each query parameter) and the case-insensitive header lookup are
    worked out on first use. ``generation`` is the app's reset count when it came in, ``started``
    when (``time.monotonic()``), ``oversize`` the size of a body the server refused to read (-1:
    unknown).
    """

    __slots__ = (
        "_args",
        "_lower",
        "body",
        "delay",
        "generation",
        "headers",
        "method",
        "oversize",
        "path",
        "query_string",
        "started",
    )

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        *,
        oversize: int | None = None,
    ) -> None:
        self.method, self.path, self.query_string = method, path, query_string
        self.headers: Mapping[str, str] = headers or {}
        self.body, self.oversize = body, oversize
        self.delay = 0.0  # an injected delay, waited out while an update holds its session
        self.started = time.monotonic()
        self.generation = 0  # the app's reset count when it came in
        self._args: dict[str, str] | None = None
        self._lower: dict[str, str] | None = None

    @classmethod
    def from_request(cls, request: Request) -> Call:
        """The call of a werkzeug request (its body read whole, unless the server refused it)."""
        query = request.query_string.decode("utf-8", "replace")
        headers = dict(request.headers.items())
        oversize, body = request.environ.get(OVERSIZE_KEY), request.environ.get(BODY_KEY)
        if body is None:
            body = b"" if oversize is not None else request.get_data(cache=True)
        return cls(request.method, raw_path(request), query, headers, body, oversize=oversize)

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


#: Where the server leaves the size of a body it refused to read, for the app to answer 413.
OVERSIZE_KEY = "talon_fakes.oversize"
#: Where the server leaves the body it read.
BODY_KEY = "talon_fakes.body"


# -- the raw path ----------------------------------------------------------------------------

#: Every printable ASCII character but the space: what a raw path keeps as it is (``%`` too, so
#: the escapes the client wrote stay as written). Anything else is percent-encoded.
_KEPT = "".join(chr(c) for c in range(0x21, 0x7F))


def ascii_path(path: bytes) -> str:
    """``path`` (the bytes of a request target's path) as an ASCII string: bytes outside printable
    ASCII percent-encoded, the escapes the client wrote kept as written."""
    return quote(path, safe=_KEPT)


def raw_path(request: Request) -> str:
    """The path of a werkzeug request as it was sent (percent-encoded), without the query.

    werkzeug's development server keeps the request line's target in ``RAW_URI``; another WSGI
    server may not, and then the decoded ``PATH_INFO`` is encoded again (an encoded ``/`` in it
    cannot be told from a real one).
    """
    environ = request.environ
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(target, str) and target:
        target = target.partition("?")[0].partition("#")[0]
        if not target.startswith("/"):  # an absolute-form target: http://host/path
            rest = target.partition("://")[2]
            target = "/" + rest.partition("/")[2]
        return ascii_path(target.encode("latin-1", "replace"))  # WSGI strings carry bytes as latin-1
    path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
    return quote(path.encode("latin-1", "replace"), safe="/")


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
    problem = _not_utf8(data)
    if problem is not None:
        raise bad(problem, pointer="")
    try:
        # As Go's encoding/json: a byte that is not UTF-8 inside a string reads as U+FFFD (anywhere
        # else it is no JSON either way). Decoded here: json.loads would guess UTF-16 and UTF-32.
        text = data.decode("utf-8", "replace")
        try:
            body = _checked(json.loads(text, parse_constant=_no_constant), "")  # before _shallow writes it
        except _Constant as constant:
            raise _constant_error(str(constant), data) from None
    except json.JSONDecodeError as error:
        message = f"malformed JSON at line {error.lineno}, column {error.colno}: {error}"
        raise bad(message + _form_hint(call), pointer="") from None
    except RecursionError:
        raise bad(_TOO_DEEP, pointer="") from None
    except ValueError as error:  # an integer of more than 4300 digits
        raise bad(f"a number the API cannot hold: {error}", pointer="") from None
    return _shallow(body, data)


# Go's encoding/json, which the real API reads bodies with, takes UTF-8 alone and refuses a byte
# order mark ("invalid character 'ï' looking for beginning of value"); Talon.One documents JSON
# bodies only (the spec's requestBody is application/json). RFC 8259 section 8.1: JSON exchanged
# between systems MUST be UTF-8, and a parser MAY ignore a BOM: Go's does not, nor does the fake.
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xef\xbb\xbf", "UTF-8"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _not_utf8(data: bytes) -> str | None:
    """Why ``data`` is not a body the API reads (a byte order mark, UTF-16 or UTF-32), or None."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return (
                f"the body begins with a {name} byte order mark; Talon.One reads a body as UTF-8 JSON "
                "without one (RFC 8259 section 8.1): send UTF-8 without the BOM"
            )
    if b"\x00" in data[:4]:  # JSON's first characters are ASCII: a NUL among them is UTF-16/32
        return (
            "the body is not UTF-8 (a NUL byte among its first 4: UTF-16 or UTF-32?); Talon.One reads "
            "a body as UTF-8 JSON (RFC 8259 section 8.1): encode it as UTF-8"
        )
    return None


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form_hint(call: Call) -> str:
    """A hint for a form sent where JSON is wanted (requests' ``data=dict`` instead of ``json=``).

    The fake reads any body as JSON whatever its Content-Type, as a Go server that decodes the
    body without looking at the header does; only the error names the header when it says form.
    """
    content_type = call.header("Content-Type") or ""
    media = content_type.partition(";")[0].strip().lower()
    if media not in _FORMS:
        return ""
    return (
        f"; the request says Content-Type: {media}, a form: Talon.One takes a JSON body "
        "(Content-Type: application/json; with requests, json=... rather than data=...)"
    )


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
