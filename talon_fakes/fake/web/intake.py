"""How the fake takes a request in: its raw path, the path parameters decoded once, its body
within the size limit.

Routes match the path as it was sent (percent-encoded), and each path parameter is
percent-decoded once, after matching: so ``PUT /v2/customer_sessions/order-7%2Freopen`` updates
the session ``order-7/reopen`` rather than reopening ``order-7``, and ``a%2Fb`` is the session
``a/b``. Both modes read the path the same way: the socket server from the request line
(werkzeug's ``RAW_URI``), the in-process mode from the URL the client built.

A parameter whose bytes are not UTF-8 once decoded (``%FF``, ``%C0``) is a 400 naming it.
Talon.One's IDs are text: its answers are JSON, which is UTF-8, and Go's encoding/json writes an
invalid byte as U+FFFD, so ``%FE`` and ``%FF`` could never be told apart in an answer; the
integration ID is stored as text too (SPEC-NOTES: ``integrationId`` is a string of at most
1 000 characters). Refusing them names the mistake (a client that encoded Latin-1) at once,
rather than keeping a session the shop can never read back under the ID it sent.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from werkzeug.wrappers import Request

from talon_fakes.fake.domain import wire
from talon_fakes.fake.web.calls import BODY_KEY, OVERSIZE_KEY, HttpError, bad

_CHUNK = 64 * 1024


def path_parameters(groups: dict[str, str]) -> dict[str, str]:
    """A route's matched parameters (by the spec's names), each percent-decoded once as UTF-8
    (else a 400 naming it)."""
    decoded = {}
    for name, raw in groups.items():
        try:
            decoded[name] = unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError as error:
            spec_name = name
            byte = error.object[error.start : error.start + 1].hex().upper()
            raise bad(
                f"{spec_name} {raw!r} is not UTF-8 once percent-decoded (byte 0x{byte} at "
                f"{error.start}); Talon.One's IDs are text: percent-encode the ID's UTF-8 bytes "
                f"(e.g. 'ü' is %C3%BC)",
                parameter=spec_name,
            ) from None
    return decoded


def too_large(size: int | None, limit: int) -> HttpError:
    """The 413 for a body past ``limit`` bytes (``size`` when it is known), in Talon.One's shape."""
    got = f"{size} bytes" if size is not None else "more"
    message = (
        f"the request body is too large: {got}, the limit is {limit} bytes; Talon.One takes at most "
        "1000 cart items a session (talon-fakes' limit: Limits(max_body_bytes=...))"
    )
    return HttpError(413, wire.error_with_status(message, 413, title="payload too large"))


def read_body(request: Request, limit: int) -> None:
    """Read the body of a socket request, unless it is past ``limit`` bytes.

    The body is left in the environ under :data:`~talon_fakes.fake.web.calls.BODY_KEY`. A larger one is
    read and thrown away in small pieces (so the client, still sending, sees the 413 rather than a
    reset connection), and its size (-1 when a chunked one's is unknown) is left under
    :data:`~talon_fakes.fake.web.calls.OVERSIZE_KEY`; memory holds one piece at a time.
    """
    environ: dict[str, Any] = request.environ
    length = request.content_length
    if length is not None and length > limit:
        _drain(environ["wsgi.input"], length)
        environ[OVERSIZE_KEY] = length
        return
    stream, pieces, size = request.stream, [], 0  # werkzeug's stream: the length or the chunks
    while piece := stream.read(_CHUNK):
        size += len(piece)
        if size > limit:  # only a chunked body gets here: a declared length was checked above
            while stream.read(_CHUNK):
                pass
            environ[OVERSIZE_KEY] = -1
            return
        pieces.append(piece)
    environ[BODY_KEY] = b"".join(pieces)


def _drain(stream: Any, length: int) -> None:
    """Read ``length`` bytes from ``stream`` and forget them."""
    while length > 0:
        piece = stream.read(min(_CHUNK, length))
        if not piece:
            break
        length -= len(piece)


def late() -> HttpError:
    """The 503 for a request that began before the fake's last ``reset()`` (a test ended, or the
    test reset the fake, while it ran: say, after its client timed out during an injected delay).

    It stores nothing: its change would otherwise land in the next test's fake. 503 because the
    fake, as the test that sent it knew it, is gone; the body has Talon.One's error shape.
    """
    message = (
        "talon-fakes was reset while this request ran (its test ended or called reset()); "
        "nothing was stored: send it again to the fake as it is now"
    )
    return HttpError(503, wire.error_with_status(message, 503, title="service unavailable"))
