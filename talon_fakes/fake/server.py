"""The fake on a real socket: :class:`TalonFake` serves the app on its own keep-alive HTTP/1.1 server
(:mod:`talon_fakes.fake.web.httpserver`).

::

    with TalonFake() as fake:
        requests.put(fake.url("/v2/customer_sessions/s1"), json=..., headers=fake.integration_headers)

It is threaded (concurrent clients are served at once; the backend's lock keeps every operation
atomic), keeps HTTP/1.1 connections alive, and times out stalled clients
(:mod:`talon_fakes.fake.web.httpserver`: ``read_timeout``, ``idle_timeout``, ``max_connections``,
``grace_period``). It offers the test controls: ``reset``, ``seed_session``, ``sessions``, ``history``,
``journal``, ``transitions``, ``inject_fault``, ``effects``, ``set_campaigns`` and the ``clock``.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Self

import orjson
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from talon_fakes import auth
from talon_fakes.contracts.validation import validate
from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.control.admin import AdminAPI, required_token
from talon_fakes.fake.control.fault_checks import check_fault
from talon_fakes.fake.domain import wire
from talon_fakes.fake.domain.backend import Backend
from talon_fakes.fake.domain.campaign_model import Campaigns
from talon_fakes.fake.domain.campaigns import campaigns_from
from talon_fakes.fake.domain.changes import SEED_FIELDS, Outcome, SessionUpdate
from talon_fakes.fake.domain.effects_hook import EffectsHook, check_hook
from talon_fakes.fake.domain.model import CartItem, Clock, Session
from talon_fakes.fake.inprocess import DEFAULT_BASE_URL, intercept
from talon_fakes.fake.web.app import Dropped, FakeApp, Fault
from talon_fakes.fake.web.credentials import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY, FakeConfig
from talon_fakes.fake.web.httpserver import KeepAliveServer, Limits
from talon_fakes.fake.web.intake import read_body
from talon_fakes.fake.web.journal import JournalEntry
from talon_fakes.fake.web.journal import Limits as BodyLimits
from talon_fakes.fake.web.routes import ROUTES
from talon_fakes.states import Operation, RuleSet, State, Transition


class TalonFake:
    """A stateful fake of the Talon.One session endpoints, served on loopback.

    ``read_timeout``, ``idle_timeout``, ``max_connections`` and ``grace_period`` configure its
    HTTP/1.1 server (:class:`~talon_fakes.fake.web.httpserver.Limits`): how long a request may take to
    arrive, how long a kept-alive connection may idle, how many connections are served at once,
    and how long ``stop()`` lets requests in flight finish.

    ``body_limits`` (:class:`~talon_fakes.fake.web.journal.Limits`) bound the request body it reads (a larger
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
        read_timeout: float = Limits.read_timeout,
        idle_timeout: float = Limits.idle_timeout,
        max_connections: int = Limits.max_connections,
        grace_period: float = Limits.grace_period,
        campaigns: Any = None,
        body_limits: BodyLimits | None = None,
    ) -> None:
        #: The server's timeouts and bounds (see :class:`~talon_fakes.fake.web.httpserver.Limits`).
        self.limits = Limits(read_timeout, idle_timeout, max_connections, grace_period)
        self.backend = Backend(rules=rules, clock=clock)
        declared = campaigns_from(campaigns)
        tokens = set() if bearer_token is None else {bearer_token}
        config = FakeConfig({api_key: application_id}, {management_key}, tokens)
        self.app = FakeApp(self.backend, config, limits=body_limits)
        self.app.declare_campaigns(declared)
        self.api_key, self.management_key, self.application_id = api_key, management_key, application_id
        #: A Management API bearer token the fake also accepts (``Authorization: Bearer <token>``).
        self.bearer_token = bearer_token
        #: The control API at ``/__admin/``; beyond loopback, guarded by the management key as a
        #: bearer token (set ``admin.token`` to choose another).
        self.admin = AdminAPI(self, token=required_token(host, None, management_key))
        self.app.control = self.admin
        self._host, self._port = host, port
        self._server: KeepAliveServer | None = None
        self._in_process_url: str | None = None

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> Self:
        """Serve in a background thread (returns at once)."""
        if self._server is None:
            try:
                self._server = KeepAliveServer(
                    self._wsgi, self._host, self._port, self.limits, self.app.errors.append
                )
            except OSError as error:
                reason = error.strerror or str(error)
                raise TalonFakesError(f"cannot listen on {self._host}:{self._port}: {reason}") from error
            self._port = self._server.port
            self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving: requests in flight get ``grace_period`` seconds to finish."""
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """The app as the server runs it: an injected drop closes the connection unanswered."""
        request = Request(environ)
        try:
            read_body(request, self.app.limits.max_body_bytes)  # a larger one is a 413
            response = self.app.handle(request)
        except Dropped:
            sock = environ.get("werkzeug.socket")
            if isinstance(sock, socket.socket):
                sock.shutdown(socket.SHUT_RDWR)  # the client sees the connection close, no reply
            response = Response(status=500)  # never sent: the socket is shut
        except HTTPException as error:  # werkzeug's own refusal (a request it cannot read)
            status = error.code or 400
            body = wire.error_with_status(str(error.description), status, title=error.name.lower())
            response = Response(orjson.dumps(body), status=status, mimetype="application/json")
        finally:
            # werkzeug's Request and its environ refer to each other: a cycle that holds the body
            # until a full garbage collection. Broken, both go with the request.
            environ.pop("werkzeug.request", None)
        return response(environ, start_response)

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
        host = self._host
        host = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
        return f"http://{host}:{self._port}"

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
        ``clock`` it was given); the campaigns are those it was made with (``set_campaigns`` lasts
        until the next reset)."""
        self.app.reset()

    def transitions(self) -> Counter[Transition]:
        """How often each (source, target, operation) move was made through the API since the
        last :meth:`reset`: creations (``source`` ``None``) included; seeds, dry runs and failed
        requests not. A copy, cheap to take (one entry per distinct move)."""
        return self.backend.transitions()

    def seed_session(self, integration_id: str, state: State | str = State.OPEN, **fields: Any) -> Session:
        """Store a session in any state directly (fields as in ``SessionUpdate``; cart items as
        :class:`~talon_fakes.fake.domain.model.CartItem` or as the API's JSON objects).

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
        unknown = sorted(fields.keys() - set(SEED_FIELDS))
        if unknown:
            raise TalonFakesError(
                f"{where}: no field {', '.join(map(repr, unknown))}; seed_session takes the state "
                f"and {', '.join(SEED_FIELDS)}"
            )
        update = SessionUpdate(**fields)
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
        """Register (or clear) a stand-in for the rule engine, ``hook(session, operation)``, for
        what campaigns cannot say: its effects come after those of the declared campaigns, in the
        same answer. A hook that cannot be called so is refused here
        (:mod:`talon_fakes.fake.domain.effects_hook`)."""
        if hook is not None:
            check_hook(hook)
        self.app.effects_hook = hook

    def set_campaigns(self, document: Any) -> None:
        """Declare the campaigns (a document as :func:`~talon_fakes.fake.domain.campaigns.load_campaigns`
        takes, a ``pathlib.Path`` to a JSON file of one, or ``None`` for none) until the next
        :meth:`reset`, which brings back the ones the fake was made with
        (``TalonFake(campaigns=...)``), as WireMock's reset keeps the stubs loaded from files.
        A document it cannot take raises
        :class:`~talon_fakes.errors.InvalidCampaigns` naming the JSON path, and changes nothing."""
        self.app.set_campaigns(campaigns_from(document))

    @property
    def campaigns(self) -> Campaigns:
        """The campaigns in force."""
        return self.app.campaigns

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
