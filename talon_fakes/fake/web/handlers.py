"""The Talon.One API's handlers: one method per operation of :data:`talon_fakes.api.OPERATIONS`.

:class:`SessionHandlers` is the part of :class:`~talon_fakes.fake.web.app.FakeApp` that answers a
routed request (:mod:`talon_fakes.fake.web.routes` names the method; moto's ``responses.py``, with the
backend as its ``models.py``): each handler parses with :mod:`talon_fakes.fake.web.calls` and
:mod:`talon_fakes.fake.domain.wire`, calls the backend method of the same name and renders. It also
works out the effects an answer carries (:meth:`SessionHandlers.effects_for`: the declared
campaigns', then the effects hook's). An illegal move is a 400 naming the culprit; an update of a
session while another request changes it a 409; returns and reopen of one session wait for each
other.

A request that fails changes nothing: the effects hook runs and the answer is rendered (by
``_Answer``, the backend's ``confirm``) before the backend stores the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from talon_fakes.contracts.validation import validate
from talon_fakes.errors import InvalidTransition, TalonFakesError
from talon_fakes.fake.domain import wire
from talon_fakes.fake.domain.backend import Backend
from talon_fakes.fake.domain.campaign_model import Campaigns
from talon_fakes.fake.domain.changes import Outcome
from talon_fakes.fake.domain.effects import effects_for as campaign_effects
from talon_fakes.fake.domain.effects_hook import EffectsHook
from talon_fakes.fake.domain.model import Session
from talon_fakes.fake.domain.queries import SessionQuery
from talon_fakes.fake.web.calls import Call, HttpError, bad, boolean, date_time, int_arg, json_body, path_int
from talon_fakes.fake.web.credentials import FakeConfig
from talon_fakes.fake.web.intake import late
from talon_fakes.fake.web.locks import Changing, Replies, SessionLocks
from talon_fakes.states import State

#: A test's stand-in for the rule engine: (session, operation) -> effects (checked against the
#: ``effect`` contract). Operation is ``update``, ``return``, ``reopen`` or ``get``. For the first
#: three it runs before the change is stored (if it raises, nothing is), while the store is
#: locked: it may read the fake's test controls, but must not call the fake over HTTP.


class _Answer:
    """The ``confirm`` callback of a change: runs the effects hook and renders the answer, so that
    a broken hook or an answer that cannot be written stores nothing."""

    __slots__ = ("app", "content", "dry", "generation", "operation", "payload")

    def __init__(
        self,
        app: SessionHandlers,
        operation: str,
        content: list[str] | None,
        call: Call,
        *,
        dry: bool = False,
    ) -> None:
        self.app, self.operation, self.content, self.dry = app, operation, content, dry
        self.generation = call.generation
        self.payload = b""

    def __call__(self, outcome: Outcome) -> None:
        if self.generation != self.app.generation:  # a reset came while it ran: store nothing
            raise late()
        effects = self.app.effects_for(outcome.session, self.operation)
        if self.content is None:  # reopen answers with the rolled back effects alone
            body: dict[str, Any] = {"effects": effects}
        else:
            body = wire.integration_state(
                outcome, effects=effects, response_content=self.content, dry=self.dry
            )
        self.payload = orjson.dumps(body)


class SessionHandlers:
    """The handlers of the Integration and Management API operations, mixed into ``FakeApp``.

    The attributes below are :class:`~talon_fakes.fake.web.app.FakeApp`'s (set in its ``__init__``);
    the handlers read them.
    """

    backend: Backend
    config: FakeConfig
    effects_hook: EffectsHook | None
    campaigns: Campaigns
    generation: int
    _sessions: SessionLocks
    _replies: Replies

    def effects_for(self, session: Session, operation: str) -> list[dict[str, Any]]:
        """The declared campaigns' effects for ``operation`` on ``session``
        (:mod:`talon_fakes.fake.domain.effects`), then the effects hook's, each of those checked."""
        own = campaign_effects(session, operation, self.campaigns, self.backend.sessions)
        if self.effects_hook is None:
            return own
        effects = list(self.effects_hook(session, operation))
        for index, effect in enumerate(effects):
            problems = [v for v in validate(effect, "effect") if v.is_error]
            if problems:
                raise TalonFakesError(
                    f"the effects hook returned an invalid effect [{index}]: " + "; ".join(map(str, problems))
                )
        return own + effects

    # -- Integration API ---------------------------------------------------------------------

    def update_customer_session(
        self, call: Call, application_id: int, integration_id: str
    ) -> tuple[int, Any]:
        """PUT /v2/customer_sessions/{id}."""
        if len(integration_id) > 1000:
            raise bad("a session integration ID has at most 1000 characters", parameter="customerSessionId")
        dry = boolean(call, "dry")
        now = date_time(call, "now")
        update, content = wire.session_update(json_body(call))
        answer = _Answer(self, "update", content, call, dry=dry)
        with Changing(self._sessions, call, (application_id, integration_id), wait=False):
            _transition(
                lambda: self.backend.update_customer_session(
                    application_id, integration_id, update, dry=dry, now=now, confirm=answer
                ),
                pointer="/customerSession/state",
            )
        return 200, answer.payload

    def get_customer_session(self, call: Call, application_id: int, integration_id: str) -> tuple[int, Any]:
        """GET /v2/customer_sessions/{id}."""
        session = self.backend.get_customer_session(application_id, integration_id)
        return 200, {
            "customerSession": wire.customer_session(session),
            "effects": self.effects_for(session, "get"),
        }

    def return_cart_items(self, call: Call, application_id: int, integration_id: str) -> tuple[int, Any]:
        """POST /v2/customer_sessions/{id}/returns; an ``Idempotency-Key`` replays the first answer."""
        dry = boolean(call, "dry")
        rerun = boolean(call, "runRuleEngine")
        key = call.header("Idempotency-Key")
        if key is not None and not 0 < len(key) <= 255:
            raise bad("Idempotency-Key must be 1 to 255 characters", parameter="Idempotency-Key")
        request = (json_body(call), dry, rerun)
        with Changing(self._sessions, call, (application_id, integration_id), wait=True):
            session = self.backend.get_customer_session(application_id, integration_id)
            # By the session's internal ID too: a session seeded anew under the same integration ID
            # is another session, which no earlier answer belongs to.
            reply_key = None if key is None else (application_id, integration_id, session.id, key)
            if reply_key is not None:
                replay = self._replies.replay(reply_key, request, self.backend.clock.now())
                if replay is not None:
                    return 200, replay
            items, content = wire.returned_items(request[0], session)
            answer = _Answer(self, "return", content, call, dry=dry)
            _transition(
                lambda: self.backend.return_cart_items(
                    application_id, integration_id, items, dry=dry, confirm=answer
                ),
                parameter="customerSessionId",  # the session's state forbids it, not the body
            )
            if reply_key is not None and not dry:
                now, began = self.backend.clock.now(), call.generation
                self._replies.keep(reply_key, request, answer.payload, now, lambda: began == self.generation)
        return 200, answer.payload

    def reopen_customer_session(
        self, call: Call, application_id: int, integration_id: str
    ) -> tuple[int, Any]:
        """PUT /v2/customer_sessions/{id}/reopen."""
        answer = _Answer(self, "reopen", None, call)
        with Changing(self._sessions, call, (application_id, integration_id), wait=True):
            _transition(
                lambda: self.backend.reopen_customer_session(application_id, integration_id, confirm=answer),
                parameter="customerSessionId",
            )
        return 200, answer.payload

    # -- Management API ----------------------------------------------------------------------

    def list_application_sessions(self, call: Call, principal: str, application_id: str) -> tuple[int, Any]:
        """GET /v1/applications/{applicationId}/sessions."""
        app = self._application(application_id)
        sort = call.args.get("sort", "id")
        descending = sort.startswith("-")
        field_name = wire.SORT_FIELDS.get(sort.removeprefix("-"))
        if field_name is None:
            raise bad(f"cannot sort by {sort!r}; sortable: {', '.join(wire.SORT_FIELDS)}", parameter="sort")
        state = call.args.get("state")
        if state is not None and state not in State.__members__.values():
            raise bad(
                f"state must be one of {', '.join(s.value for s in State)}; got {state!r}", parameter="state"
            )
        query = SessionQuery(
            page_size=int_arg(call, "pageSize", 1000, low=1, high=1000),
            skip=int_arg(call, "skip", 0, low=0),
            sort=field_name,
            descending=descending,
            partial_match=boolean(call, "partialMatch"),
            profile=call.args.get("profile"),
            state=None if state is None else State(state),
            created_before=date_time(call, "createdBefore"),
            created_after=date_time(call, "createdAfter"),
            coupon=call.args.get("coupon"),
            referral=call.args.get("referral"),
            integration_id=call.args.get("integrationId"),
            store_integration_id=call.args.get("storeIntegrationId"),
        )
        page = self.backend.list_application_sessions(app, query)
        return 200, {"hasMore": page.has_more, "data": [wire.application_session(s) for s in page.sessions]}

    def get_application_session(
        self, call: Call, principal: str, application_id: str, session_id: str
    ) -> tuple[int, Any]:
        """GET /v1/applications/{applicationId}/sessions/{sessionId}."""
        app, internal = self._application(application_id), path_int(session_id, "sessionId")
        session = self.backend.get_application_session(app, internal)
        return 200, wire.application_session(session)

    def _application(self, application_id: str) -> int:
        """The ID of an Application the fake has: one an Integration API key belongs to, or one
        that holds sessions (seeded ones included). Any other is a 404, as for a deleted one."""
        app = path_int(application_id, "applicationId")
        if app in self.config.api_keys.values() or self.backend.has_sessions(app):
            return app
        known = ", ".join(map(str, sorted(set(self.config.api_keys.values())))) or "none"
        message = (
            f"no Application {app}; the fake has Application {known} (one a configured API key belongs to)"
        )
        raise HttpError(
            404, wire.error_with_status(message, 404, title="not found", parameter="applicationId")
        )


def _transition(call: Callable[[], Any], *, pointer: str | None = None, parameter: str | None = None) -> Any:
    """Run a backend call that moves a session; an illegal move is a 400 naming the culprit."""
    try:
        return call()
    except InvalidTransition as error:
        body = wire.error_response(
            str(error), pointer=pointer, parameter=parameter, title="invalid state transition"
        )
        raise HttpError(400, body) from None
