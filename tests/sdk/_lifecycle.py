"""The customer-session life cycle both official SDKs drive, written once for both.

``lifecycle_sdk26.py`` and ``lifecycle_sdk9.py`` each hold a small adapter (:class:`Sdk`), the only
place where the two SDKs differ: how a Configuration names its keys, ``var_return`` or ``_return``,
how an Idempotency-Key is sent, where ``updateCount`` is read, which exception a status raises and
how a 400 body is parsed. The request models imported here have the same names and fields in both.
Every step calls the SDK's own API classes and models as a shop does: no ``responseContent``,
except where a step asks for the profile.

The server is named by the environment:

    TALON_BASE_URL         base URL without a path, e.g. http://127.0.0.1:8080 (required)
    TALON_API_KEY          Integration API key, sent as ``Authorization: ApiKey-v1 <key>`` (required)
    TALON_MANAGEMENT_KEY   Management API key, sent as ``Authorization: ManagementKey-v1 <key>`` (required)
    TALON_APPLICATION_ID   the Application id for the Management API (default 1)
    TALON_CAMPAIGN_COUPON  a declared campaign's coupon code, for the coupon steps (_coupon_steps.py)

Only the SDK and the standard library are used: this module must not import pytest or talon_fakes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import _steps
import talon_one
from _coupon_steps import coupon_steps
from _steps import COUPON, StepFailed, bad_request_body, cart_value, check, describe, env, run_steps
from talon_one.exceptions import ApiException
from talon_one.models import CartItem, IntegrationRequest, NewCustomerSessionV2


class Sdk(Protocol):
    """What one SDK does its own way; the life cycle asks it for nothing else."""

    label: str  # named on every FAIL line, e.g. "talon-one-sdk 26.x"
    prefix: str  # the run's session and profile ids start with it, e.g. "sdk26"

    def integration_api(self, base_url: str, key: str) -> Any:
        """An ``IntegrationApi`` sending ``Authorization: ApiKey-v1 <key>``."""

    def management_api(self, base_url: str, key: str) -> Any:
        """A ``ManagementApi`` sending ``Authorization: ManagementKey-v1 <key>``."""

    def return_request(self, position: int, quantity: int) -> Any:
        """A ``ReturnIntegrationRequest`` returning ``quantity`` units of the item at ``position``."""

    def returned(self, result: Any) -> Any:
        """The ``return`` of a returns answer (None when absent)."""

    def return_with_key(self, api: Any, session_id: str, body: Any, key: str) -> Any:
        """``return_cart_items`` sending the header ``Idempotency-Key: <key>``."""

    def update_count(self, api: Any, session: Any) -> int:
        """The ``updateCount`` of ``session``, the customerSession of ``api``'s last answer."""

    def error_class(self, status: int) -> type[ApiException]:
        """The exception the SDK raises for an HTTP ``status``."""

    def check_error_model(self, exc: ApiException) -> None:
        """Fail unless the SDK's ``ErrorResponse`` model accepts the body of the 400 in ``exc``."""


def cart(quantities: dict[str, int] | None = None) -> list[CartItem]:
    """The two-item cart as the SDK's ``CartItem`` models, with some quantities changed."""
    return _steps.cart(CartItem, quantities)


def expect_status(sdk: Sdk, status: int, call: Callable[[], Any]) -> ApiException:
    """Run ``call`` and demand that the SDK raise its exception for ``status``, carrying ``status``."""
    exc_type = sdk.error_class(status)
    try:
        result = call()
    except ApiException as exc:
        check(
            isinstance(exc, exc_type) and exc.status == status,
            f"expected {exc_type.__name__} with status {status}, got {describe(exc)}",
        )
        return exc
    raise StepFailed(f"expected HTTP {status}, but the call succeeded and returned {result!r}")


def check_bad_request(sdk: Sdk, exc: ApiException) -> str:
    """A 400 must carry an ErrorResponse whose first error names the session state or the session."""
    body = bad_request_body(exc)
    sdk.check_error_model(exc)
    return f"400 {body['message']!r}"


def main(sdk: Sdk) -> None:
    """Run every step against the server the environment names; exit 1 on the first failure."""
    base_url = env("TALON_BASE_URL").rstrip("/")
    api_key = env("TALON_API_KEY")
    management_key = env("TALON_MANAGEMENT_KEY")
    application_id = int(env("TALON_APPLICATION_ID", "1"))
    api = sdk.integration_api(base_url, api_key)
    mgmt = sdk.management_api(base_url, management_key)

    run_id = uuid.uuid4().hex[:12]
    sid = f"{sdk.prefix}-{run_id}"
    other_sid = f"{sdk.prefix}-{run_id}-b"
    profile_id = f"{sdk.prefix}-profile-{run_id}"
    seen: dict[str, Any] = {"update_count": 0}

    def put(session_id: str, content: list[str] | None = None, **session: Any) -> Any:
        # As most shops call it: no responseContent, and the answer still has the session. The
        # create step asks for customerProfile alone (docs.talon.one "Customizing responses":
        # responseContent adds entities on top of customerSession).
        dry = session.pop("dry", None)
        now = session.pop("now", None)
        request: dict[str, Any] = {"customer_session": NewCustomerSessionV2(**session)}
        if content is not None:
            request["response_content"] = content
        body = IntegrationRequest(**request)
        return api.update_customer_session_v2(session_id, body, dry=dry, now=now)

    def check_envelope(state: Any) -> None:
        check(isinstance(state.effects, list), "effects is not a list")
        check(isinstance(state.created_coupons, list), "createdCoupons is not a list")
        check(isinstance(state.created_referrals, list), "createdReferrals is not a list")
        check(state.customer_session is not None, "customerSession missing (it is always answered)")

    def check_session(session: Any, *, state: str, count: str) -> str:
        check(session.integration_id == sid, f"integrationId is {session.integration_id!r}, not {sid!r}")
        check(session.state == state, f"state is {session.state!r}, expected {state!r}")
        previous = seen["update_count"]
        current = sdk.update_count(api, session)
        if count == "up":
            check(current > previous, f"updateCount {current} did not increase from {previous}")
        elif count == "same":
            check(current == previous, f"updateCount changed from {previous} to {current}")
        else:  # a reopen may or may not count as an update; it must never go down
            check(current >= previous, f"updateCount fell from {previous} to {current}")
        seen["update_count"] = current
        for name in ("total", "cart_item_total", "additional_cost_total"):
            check(isinstance(getattr(session, name), int | float), f"{name} missing or not a number")
        return f"state={session.state} updateCount={current} total={session.total}"

    def create() -> str:
        result = put(
            sid,
            ["customerProfile"],
            profile_id=profile_id,
            state="open",
            cart_items=cart(),
            coupon_codes=[COUPON],
        )
        check_envelope(result)
        session = result.customer_session
        count = sdk.update_count(api, session)
        check(count == 1, f"a new session has updateCount {count}, not 1")
        seen["id"] = session.id
        check(isinstance(session.id, int), "customerSession.id is not an integer")
        check(session.profile_id == profile_id, f"profileId is {session.profile_id!r}")
        check(session.first_session is True, "firstSession is not true for the profile's first session")
        check(session.coupon_codes == [COUPON], f"couponCodes is {session.coupon_codes!r}")
        check(len(session.cart_items or []) == 2, f"expected 2 cart items, got {session.cart_items!r}")
        expected = cart_value()
        check(
            abs(session.cart_item_total - expected) < 1e-6,
            f"cartItemTotal {session.cart_item_total} != {expected}",
        )
        check(session.total >= session.cart_item_total, "total is smaller than cartItemTotal")
        profile = result.customer_profile
        check(profile is not None, "customerProfile missing though requested")
        check(
            profile.integration_id == profile_id, f"customerProfile.integrationId {profile.integration_id!r}"
        )
        return check_session(session, state="open", count="up") + f" id={session.id}"

    def update() -> str:
        result = put(sid, cart_items=cart({"SKU-SOCK": 3}))
        check_envelope(result)
        session = result.customer_session
        expected = cart_value({"SKU-SOCK": 3})
        check(
            abs(session.cart_item_total - expected) < 1e-6,
            f"cartItemTotal {session.cart_item_total} != {expected}",
        )
        check(
            session.coupon_codes == [COUPON], f"omitted couponCodes were not kept: {session.coupon_codes!r}"
        )
        return check_session(session, state="open", count="up")

    def get(state: str) -> Any:
        result = api.get_customer_session(sid)
        check(result.customer_session is not None, "GET returned no customerSession")
        check(result.effects is None or isinstance(result.effects, list), "GET effects is not a list")
        check(
            result.customer_session.state == state, f"GET state {result.customer_session.state!r} != {state}"
        )
        return result.customer_session

    def get_step() -> str:
        return check_session(get("open"), state="open", count="same")

    def dry_run() -> str:
        now = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        result = put(sid, state="closed", cart_items=cart({"SKU-SHOE": 5}), dry=True, now=now)
        check_envelope(result)
        check(result.customer_session.state == "closed", "a dry close did not evaluate as closed")
        stored = get("open")
        count = sdk.update_count(api, stored)
        check(count == seen["update_count"], "a dry run changed updateCount")
        quantities = [item.quantity for item in stored.cart_items or []]
        check(quantities == [2, 3], f"a dry run changed the stored cart: quantities {quantities}")
        return f"stored session unchanged (state=open, updateCount={count})"

    def close() -> str:
        result = put(sid, state="closed")
        check_envelope(result)
        session = result.customer_session
        check(len(session.cart_items or []) == 2, "closing without cartItems dropped the stored cart")
        return check_session(session, state="closed", count="up")

    def reopen() -> str:
        result = api.reopen_customer_session(sid)
        check(isinstance(result.effects, list), "reopen response has no effects list")
        session = get("open")
        return (
            check_session(session, state="open", count="any") + f" rolled-back effects={len(result.effects)}"
        )

    key = str(uuid.uuid4())

    def return_items() -> str:
        result = sdk.return_with_key(api, sid, sdk.return_request(0, 1), key)
        check_envelope(result)
        session = result.customer_session
        first, second = session.cart_items[0], session.cart_items[1]
        check(first.returned_quantity == 1, f"returnedQuantity of item 0 is {first.returned_quantity}")
        check(first.remaining_quantity == 1, f"remainingQuantity of item 0 is {first.remaining_quantity}")
        check(first.quantity == 2, f"quantity of item 0 changed to {first.quantity}")
        check(
            second.remaining_quantity in (None, 3),
            f"remainingQuantity of item 1 is {second.remaining_quantity}",
        )
        returned = sdk.returned(result)
        if returned is not None:
            check(returned.session_integration_id == sid, "return.sessionIntegrationId mismatch")
        return check_session(session, state="partially_returned", count="any") + (
            f" remainingQuantity={first.remaining_quantity}"
        )

    def replay_return() -> str:
        sdk.return_with_key(api, sid, sdk.return_request(0, 1), key)
        session = get("partially_returned")
        remaining = session.cart_items[0].remaining_quantity
        check(
            remaining == 1, f"replaying Idempotency-Key {key} returned the item again (remaining {remaining})"
        )
        return f"same key {key[:8]}... did not return twice"

    def cancel() -> str:
        result = put(sid, state="cancelled")
        check_envelope(result)
        return check_session(result.customer_session, state="cancelled", count="up")

    def illegal(call: Callable[[], Any]) -> Callable[[], str]:
        """A step whose call must be refused with a 400 naming the session state or the session."""
        return lambda: check_bad_request(sdk, expect_status(sdk, 400, call))

    def second_session_open() -> str:
        result = put(other_sid, profile_id=profile_id, cart_items=cart())
        session = result.customer_session
        check(session.state == "open", f"state is {session.state!r}")
        count = sdk.update_count(api, session)
        check(count == 1, f"updateCount is {count}")
        # What firstSession means for a profile's second session is not pinned down; report it.
        return f"{other_sid} open, firstSession={session.first_session}"

    def unknown_session() -> str:
        exc = expect_status(sdk, 404, lambda: api.get_customer_session(f"missing-{run_id}"))
        body = json.loads(exc.body or "null")
        check(
            isinstance(body, dict) and isinstance(body.get("message"), str), f"404 body lacks message: {body}"
        )
        check(body.get("StatusCode") == 404, f"404 body StatusCode is {body.get('StatusCode')!r}")
        return f"404 {body['message']!r}"

    def bad_key() -> str:
        wrong = sdk.integration_api(base_url, "not-a-valid-key")
        exc = expect_status(sdk, 401, lambda: wrong.get_customer_session(sid))
        return f"401 body={exc.body!r}"

    def list_sessions() -> str:
        page = mgmt.get_application_sessions(application_id, state="cancelled", integration_id=sid)
        check(isinstance(page.data, list), "data is not a list")
        check(page.has_more is None or isinstance(page.has_more, bool), "hasMore is not a boolean")
        listed = [(item.integration_id, item.state) for item in page.data]
        check(listed == [(sid, "cancelled")], f"state=cancelled&integrationId={sid} listed {listed}")
        check(
            page.data[0].id == seen["id"], f"listed id {page.data[0].id} != customerSession.id {seen['id']}"
        )
        none = mgmt.get_application_sessions(application_id, state="open", integration_id=sid)
        check(none.data == [], f"state=open&integrationId={sid} listed {len(none.data)} session(s)")
        mine = mgmt.get_application_sessions(application_id, profile=profile_id, page_size=1000)
        found = {item.integration_id: item.state for item in mine.data}
        check(found == {sid: "cancelled", other_sid: "open"}, f"profile filter listed {found}")
        first = mgmt.get_application_sessions(application_id, page_size=1, skip=0)
        second = mgmt.get_application_sessions(application_id, page_size=1, skip=1)
        check(len(first.data) == 1 and len(second.data) == 1, "pageSize=1 did not return one session a page")
        check(first.data[0].id != second.data[0].id, "skip=1 returned the same session as skip=0")
        check(first.has_more in (None, True), "hasMore is false although a second page exists")
        return (
            f"filters ok; pageSize=1 pages {first.data[0].id}, {second.data[0].id}; hasMore={first.has_more}"
        )

    def get_application_session() -> str:
        session = mgmt.get_application_session(application_id, seen["id"])
        check(session.id == seen["id"], f"id is {session.id}")
        check(session.integration_id == sid, f"integrationId is {session.integration_id!r}")
        check(session.application_id == application_id, f"applicationId is {session.application_id}")
        check(session.state == "cancelled", f"state is {session.state!r}")
        check(len(session.cart_items) == 2, f"{len(session.cart_items)} cart items")
        check(isinstance(session.total, int | float), "total is not a number")
        check(isinstance(session.total_discounts, int | float), "totalDiscounts is not a number")
        check(isinstance(session.discounts, dict), "discounts is not an object")
        if session.profileintegrationid is not None:
            check(
                session.profileintegrationid == profile_id,
                f"profileintegrationid {session.profileintegrationid!r}",
            )
        return f"id={session.id} state={session.state} coupon={session.coupon!r} total={session.total}"

    def management_rejects_integration_key() -> str:
        wrong = sdk.management_api(base_url, api_key)
        exc = expect_status(sdk, 401, lambda: wrong.get_application_session(application_id, seen["id"]))
        return f"401 for ManagementKey-v1 <integration key>: body={exc.body!r}"

    steps: list[tuple[str, Callable[[], str | None]]] = [
        ("create session (open, 2 items, coupon)", create),
        ("update session (quantity change)", update),
        ("get session", get_step),
        ("dry-run close with now=+1 day", dry_run),
        ("close", close),
        ("reopen (closed -> open)", reopen),
        ("close again", close),
        ("return 1 unit of item 0 with Idempotency-Key", return_items),
        ("replay the return with the same Idempotency-Key", replay_return),
        ("cancel (partially_returned -> cancelled)", cancel),
        ("illegal: PUT cancelled -> open is 400", illegal(lambda: put(sid, state="open"))),
        ("illegal: reopen a cancelled session is 400", illegal(lambda: api.reopen_customer_session(sid))),
        (
            "illegal: return on a cancelled session is 400",
            illegal(lambda: api.return_cart_items(sid, sdk.return_request(1, 1))),
        ),
        ("second session for the same profile", second_session_open),
        ("illegal: reopen an open session is 400", illegal(lambda: api.reopen_customer_session(other_sid))),
        (
            "illegal: PUT state partially_returned is 400",
            illegal(lambda: put(other_sid, state="partially_returned")),
        ),
        ("unknown session is 404", unknown_session),
        ("bad API key is 401", bad_key),
        ("management: list sessions (state filter, paging)", list_sessions),
        ("management: get session by internal id", get_application_session),
        ("management: integration key is rejected", management_rejects_integration_key),
    ]
    steps += coupon_steps(
        run_id=run_id,
        prefix=sdk.prefix,
        put=put,
        cart=cart,
        return_item=lambda session_id, position, quantity: api.return_cart_items(
            session_id, sdk.return_request(position, quantity)
        ),
        management_session=lambda internal_id: mgmt.get_application_session(application_id, internal_id),
    )
    print(
        f"---- {sdk.label} (talon_one {talon_one.__version__}) against {base_url}, session {sid}", flush=True
    )
    run_steps(sdk.label, steps)
