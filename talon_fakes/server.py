"""The fake on a real socket: :class:`TalonFake` mounts the app on pytest-httpserver.

::

    with TalonFake() as fake:
        requests.put(fake.url("/v2/customer_sessions/s1"), json=..., headers=fake.integration_headers)

It is threaded (concurrent clients are served at once; the backend's lock keeps every operation
atomic) and offers the test controls: ``reset``, ``seed_session``, ``sessions``, ``history``,
``journal``, ``transitions``, ``inject_fault``, ``effects`` and the ``clock``.
"""

from __future__ import annotations

import logging
import socket
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Self

import orjson
from pytest_httpserver.httpserver import HTTPServerBase
from werkzeug.wrappers import Request, Response

from talon_fakes import auth, wire
from talon_fakes.app import (
    DEFAULT_API_KEY,
    DEFAULT_MANAGEMENT_KEY,
    ROUTES,
    Dropped,
    EffectsHook,
    FakeApp,
    FakeConfig,
    Fault,
)
from talon_fakes.backend import Backend, Outcome, SessionUpdate
from talon_fakes.controls import check_fault, check_hook
from talon_fakes.errors import TalonFakesError
from talon_fakes.inprocess import DEFAULT_BASE_URL, intercept
from talon_fakes.intake import read_body
from talon_fakes.journal import JournalEntry, Limits
from talon_fakes.model import CartItem, Clock, Session
from talon_fakes.states import Operation, RuleSet, State, Transition
from talon_fakes.validation import validate


class _Server(HTTPServerBase):
    """pytest-httpserver's threaded werkzeug server, answering with the fake's app."""

    def __init__(self, app: FakeApp, host: str, port: int) -> None:
        super().__init__(host, port, threaded=True)
        self.app = app

    def application(self, request: Request) -> Response:
        # Not HTTPServerBase.application: its log keeps every request forever.
        try:
            read_body(request, self.app.limits.max_body_bytes)
            return self.dispatch(request)
        finally:
            # werkzeug's Request and its environ refer to each other: a cycle that holds the body
            # and the socket until a full garbage collection. Broken, both go with the request.
            request.environ.pop("werkzeug.request", None)

    def dispatch(self, request: Request) -> Response:
        try:
            return self.app.handle(request)
        except Dropped:
            sock = request.environ.get("werkzeug.socket")
            if isinstance(sock, socket.socket):
                sock.shutdown(socket.SHUT_RDWR)  # the client sees the connection close, no reply
            return Response(status=500)


class TalonFake:
    """A stateful fake of the Talon.One session endpoints, served on loopback.

    ``limits`` (:class:`~talon_fakes.journal.Limits`) bound the request body it reads (a larger
    one is a 413) and the memory its journal keeps.
    """

    def __init__(
        self,
        *,
        rules: str | RuleSet = "current",
        api_key: str = DEFAULT_API_KEY,
        management_key: str = DEFAULT_MANAGEMENT_KEY,
        bearer_token: str | None = None,
        application_id: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        limits: Limits | None = None,
    ) -> None:
        tokens = set() if bearer_token is None else {bearer_token}
        config = FakeConfig({api_key: application_id}, {management_key}, tokens)  # refuses empty keys
        self.backend = Backend(rules=rules, clock=clock)
        self.app = FakeApp(self.backend, config, limits=limits)
        self.api_key, self.management_key, self.application_id = api_key, management_key, application_id
        #: A Management API bearer token the fake also accepts (``Authorization: Bearer <token>``).
        self.bearer_token = bearer_token
        self._server = _Server(self.app, host, port)
        self._in_process_url: str | None = None

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> Self:
        """Serve in a background thread (returns at once)."""
        # werkzeug logs every request to stderr; the journal has them instead.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        if not self._server.is_running():
            try:
                self._server.start()
            except SystemExit:  # werkzeug exits when it cannot bind; a library must not
                where = f"{self._server.host}:{self._server.port}"
                raise TalonFakesError(
                    f"cannot listen on {where}: the address is in use or not available"
                ) from None
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server.is_running():
            self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @contextmanager
    def in_process(self, base_url: str = DEFAULT_BASE_URL) -> Iterator[str]:
        """Serve this fake at ``base_url`` without a socket (requests, httpx, the SDKs' urllib3).

        The same app and state as the socket server: both can be used in one test.
        """
        with intercept(self.app, base_url) as url:
            outer, self._in_process_url = self._in_process_url, url
            try:
                yield url
            finally:
                self._in_process_url = outer  # a nested one gives the outer one back

    @property
    def base_url(self) -> str:
        """Where the fake answers: ``http://127.0.0.1:<port>``, or the in-process base URL."""
        if self._in_process_url is not None:
            return self._in_process_url
        host = self._server.host
        host = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
        return f"http://{host}:{self._server.port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path``."""
        return self.base_url + path

    @property
    def integration_headers(self) -> dict[str, str]:
        """The headers the Integration API wants."""
        return auth.integration_headers(self.api_key)

    @property
    def management_headers(self) -> dict[str, str]:
        """The headers the Management API wants."""
        return auth.management_headers(self.management_key)

    @property
    def bearer_headers(self) -> dict[str, str]:
        """The Management API's headers with the bearer token (only when the fake has one)."""
        if self.bearer_token is None:
            raise TalonFakesError("this fake has no bearer token: make it with TalonFake(bearer_token=...)")
        return auth.bearer_headers(self.bearer_token)

    # -- test controls -----------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        """The fake's clock: ``set``, ``advance``, ``run``."""
        return self.backend.clock

    def reset(self) -> None:
        """A fresh fake, like moto's reset: the store, the journal, the moves of :meth:`transitions`
        and the Idempotency-Key answers are emptied, faults and the effects hook cleared, and the
        clock is back as the fake was made (following real time, or stopped at the time of the
        ``clock`` it was given)."""
        self.app.reset()

    def transitions(self) -> Counter[Transition]:
        """How often each (source, target, operation) move was made through the API since the
        last :meth:`reset`: creations (``source`` ``None``) included; seeds, dry runs and failed
        requests not. A copy, cheap to take (one entry per distinct move)."""
        return self.backend.transitions()

    def seed_session(self, integration_id: str, state: State | str = State.OPEN, **fields: Any) -> Session:
        """Store a session in any state directly (fields as in ``SessionUpdate``; cart items as
        :class:`~talon_fakes.model.CartItem` or as the API's JSON objects).

        A seed the fake could not answer with a valid ``customer-session-v2`` (a field of the
        wrong type, say) raises :class:`~talon_fakes.errors.TalonFakesError` naming what is wrong,
        and stores nothing.
        """
        where = f"seed_session({integration_id!r})"
        if state not in State.__members__.values():
            raise TalonFakesError(f"{where}: no state {state!r}; one of {', '.join(s.value for s in State)}")
        for name in wire.SEQUENCE_FIELDS.intersection(fields):
            if isinstance(fields[name], str | bytes) or not isinstance(fields[name], Sequence):
                raise TalonFakesError(
                    f"{where}: {name} is a {type(fields[name]).__name__}; give a list or tuple, e.g. [...]"
                )
            fields[name] = tuple(fields[name])
        if "cart_items" in fields:
            fields["cart_items"] = tuple(
                _cart_item(item, index, where) for index, item in enumerate(fields["cart_items"])
            )
        try:
            update = SessionUpdate(**fields)
        except TypeError as error:  # an unknown field name
            raise TalonFakesError(f"{where}: {error}") from None
        return self.backend.seed_session(
            self.application_id, integration_id, State(state), update, confirm=lambda o: _renders(o, where)
        )

    def sessions(self) -> list[Session]:
        """Every stored session."""
        return self.backend.sessions()

    def session(self, integration_id: str) -> Session:
        """One stored session."""
        return self.backend.get_customer_session(self.application_id, integration_id)

    def history(self, integration_id: str) -> Sequence[tuple[Operation, State]]:
        """The (operation, state) steps a session went through."""
        return self.session(integration_id).history

    @property
    def journal(self) -> list[JournalEntry]:
        """The requests answered since the last reset, in order: the latest ones, within
        ``Limits.journal_bytes`` (each entry's ``seq`` counts from 0 at the reset)."""
        return self.app.journal.entries()

    def inject_fault(
        self,
        *,
        status: int | None = None,
        body: Any = None,
        delay: float = 0.0,
        drop: bool = False,
        times: int = 1,
        operation: str | None = None,
    ) -> None:
        """Make the next ``times`` calls (of ``operation``, e.g. ``update_customer_session``) fail.

        ``status`` (and ``body``) answers instead of the API; ``delay`` waits first; ``drop``
        closes the connection without an answer.
        """
        operations = [handler for _, _, handler, _ in ROUTES]
        check_fault(
            status=status,
            body=body,
            delay=delay,
            drop=drop,
            times=times,
            operation=operation,
            operations=operations,
        )
        self.app.faults.append(Fault(times, status, body, delay, drop, operation))

    def effects(self, hook: EffectsHook | None) -> None:
        """Register (or clear) the stand-in for the rule engine."""
        check_hook(hook)
        self.app.effects_hook = hook

    def check_errors(self) -> None:
        """Raise the first error the server thread hit (a bug of the fake or a broken hook)."""
        if self.app.errors:
            error = self.app.errors[0]
            self.app.errors.clear()
            raise error


def _cart_item(item: Any, index: int, where: str) -> CartItem:
    """A seed's cart item: a CartItem as it is, the API's JSON object read as a request's."""
    if isinstance(item, CartItem):
        return item
    if isinstance(item, Mapping):
        try:
            wire.check_body(dict(item), "cart-item")
        except TalonFakesError as error:
            raise TalonFakesError(f"{where}: cart_items[{index}]: {error}") from None
        return wire.cart_item(item)
    raise TalonFakesError(
        f"{where}: cart_items[{index}] is a {type(item).__name__}; give a CartItem or a JSON object "
        'such as {"sku": "A", "quantity": 1, "price": 9.5}'
    )


def _renders(outcome: Outcome, where: str) -> None:
    """Refuse a seed that the fake could not answer with a valid ``customer-session-v2``."""
    try:
        rendered = wire.customer_session(outcome.session)
        orjson.dumps([[rendered]])  # as deep as its deepest answer: an item of a Management page
    except (AttributeError, TypeError, ValueError) as error:
        raise TalonFakesError(f"{where}: a field has a value the fake cannot answer with: {error}") from None
    problems = [v for v in validate(rendered, "customer-session-v2") if v.is_error]
    if problems:
        raise TalonFakesError(f"{where}: the session would not be valid: " + "; ".join(map(str, problems)))
