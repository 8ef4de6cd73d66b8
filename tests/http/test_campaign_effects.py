"""Campaigns a test declares, over real HTTP: coupons and referrals judged, discounts given, and
what closing, cancelling, returning and reopening redeem and roll back.

Every response is checked against its contract in strict mode by the ``client`` (effects
included: each one's ``props`` against the schema of its ``effectType``). The behaviour follows
developers.talon.one/Integration-API/handling-effects (an unknown code is rejected with
``campaignId`` -1), the spec's ``rejectCoupon``/``rejectReferral`` reasons, and
docs.talon.one/docs/dev/tutorials/rolling-back-effects (cancel and reopen roll back what closing
redeemed; returns roll back the returned items' discounts).
"""

from __future__ import annotations

from typing import Any

import pytest

from talon_fakes.fake.server import TalonFake

CART = [{"sku": "SHOE", "quantity": 2, "price": 40.0}, {"sku": "SOCK", "quantity": 1, "price": 20.0}]
SHIPPING = {"shipping": {"price": 4.9}}


def ten_off(**coupon: Any) -> dict[str, Any]:
    """The issue's example campaign, with the coupon's extra fields."""
    return {
        "campaigns": [
            {
                "id": 7,
                "name": "Ten off shoes",
                "state": "enabled",
                "coupons": [{"value": "SHOES10", "usageLimit": 1, **coupon}],
                "rules": [
                    {
                        "title": "10% off",
                        "conditions": [{"couponValid": True}],
                        "effects": [{"setDiscount": {"name": "10% off", "percent": 10}}],
                    }
                ],
            }
        ]
    }


def kinds(effects: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """(effectType, the props that say what it did) of each effect, in order."""
    out = []
    for effect in effects:
        props = effect["props"]
        out.append((effect["effectType"], props.get("rejectionReason", props.get("value"))))
    return out


def shop(client: Any, session_id: str, profile: str = "c1", **fields: Any) -> list[dict[str, Any]]:
    """Create an open session with the coupon SHOES10 and the cart; its effects."""
    body = {"profileId": profile, "couponCodes": ["SHOES10"], "cartItems": CART, **fields}
    response = client.update(session_id, body)
    assert response.status_code == 200, response.text
    effects: list[dict[str, Any]] = response.json()["effects"]
    return effects


def test_without_campaigns_every_code_is_rejected_as_not_found(client: Any) -> None:
    body = {"profileId": "c1", "couponCodes": ["NOPE-1"], "referralCode": "REF-NOPE", "cartItems": CART}
    effects = client.update("s1", body).json()["effects"]
    assert kinds(effects) == [("rejectCoupon", "CouponNotFound"), ("rejectReferral", "ReferralNotFound")]
    for effect in effects:  # "a rejectCoupon effect with a campaignId of -1" (handling effects)
        assert (effect["campaignId"], effect["props"]["value"]) in ((-1, "NOPE-1"), (-1, "REF-NOPE"))


def test_a_declared_coupon_is_accepted_with_its_discount_on_the_items_alone(
    fake: TalonFake, client: Any
) -> None:
    fake.set_campaigns(ten_off())
    effects = shop(client, "s1", additionalCosts=SHIPPING)
    assert kinds(effects) == [("acceptCoupon", "SHOES10"), ("setDiscount", 10.0)]  # 10% of 2*40+20
    coupon_id = fake.campaigns.coupon("SHOES10")[1].id  # type: ignore[index]
    for effect in effects:
        assert (effect["campaignId"], effect["rulesetId"], effect["ruleIndex"]) == (7, 7, 0)
        assert (effect["ruleName"], effect["triggeredByCoupon"]) == ("10% off", coupon_id)
    assert effects[1]["props"]["name"] == "10% off"
    assert client.get("s1").json()["effects"] == effects  # GET answers the effects that hold


def test_the_usage_limit_counts_closed_sessions_and_cancelling_frees_it(fake: TalonFake, client: Any) -> None:
    fake.set_campaigns(ten_off())
    shop(client, "a")
    assert kinds(shop(client, "b", "c2"))[0] == ("acceptCoupon", "SHOES10")  # "a" is only open
    client.update("a", {"state": "closed"}, dry=True)  # a dry run redeems nothing
    assert kinds(shop(client, "b", "c2"))[0] == ("acceptCoupon", "SHOES10")
    closed = client.update("a", {"state": "closed"}).json()["effects"]
    assert kinds(closed) == [("acceptCoupon", "SHOES10"), ("setDiscount", 10.0)]
    assert kinds(shop(client, "b", "c2")) == [("rejectCoupon", "CouponLimitReached")]

    cancelled = client.update("a", {"state": "cancelled"}).json()["effects"]
    assert kinds(cancelled) == [("rollbackCoupon", "SHOES10"), ("rollbackDiscount", 10.0)]
    assert {e["campaignId"] for e in cancelled} == {7}
    assert client.get("a").json()["effects"] == []  # rolled back, with what they undid
    assert kinds(shop(client, "b", "c2"))[:1] == [("acceptCoupon", "SHOES10")]


def test_cancelling_an_open_session_rolls_back_nothing(fake: TalonFake, client: Any) -> None:
    fake.set_campaigns(ten_off())
    shop(client, "a")
    assert client.update("a", {"state": "cancelled"}).json()["effects"] == []


def test_a_return_rolls_back_the_returned_items_share_of_the_discount(fake: TalonFake, client: Any) -> None:
    fake.set_campaigns(ten_off())
    shop(client, "a", state="closed")
    response = client.return_items("a", [{"position": 0, "quantity": 1}])
    [rollback] = response.json()["effects"]
    assert rollback["effectType"] == "rollbackDiscount"
    assert rollback["props"] == {"name": "10% off", "value": 4.0, "cartItemPosition": 0}
    assert rollback["triggeredByCoupon"] == fake.campaigns.coupon("SHOES10")[1].id  # type: ignore[index]
    left = client.get("a").json()["effects"]
    assert kinds(left) == [("acceptCoupon", "SHOES10"), ("setDiscount", 6.0)]  # 10% of what is kept
    assert kinds(shop(client, "b", "c2")) == [("rejectCoupon", "CouponLimitReached")]  # still redeemed


def test_reopen_answers_the_rollbacks_and_frees_the_coupon(fake: TalonFake, client: Any) -> None:
    fake.set_campaigns(ten_off())
    shop(client, "a", state="closed")
    reopened = client.reopen("a").json()["effects"]
    assert kinds(reopened) == [("rollbackCoupon", "SHOES10"), ("rollbackDiscount", 10.0)]
    assert kinds(shop(client, "b", "c2"))[0] == ("acceptCoupon", "SHOES10")
    again = client.update("a", {"state": "closed"}).json()["effects"]  # evaluated again when closed
    assert kinds(again) == [("acceptCoupon", "SHOES10"), ("setDiscount", 10.0)]


def test_per_item_discounts_name_their_item_and_returns_roll_them_back(fake: TalonFake, client: Any) -> None:
    doc = {
        "campaigns": [
            {
                "id": 3,
                "name": "Socks",
                "rules": [
                    {
                        "title": "2 off socks",
                        "conditions": [{"cartItemSku": "SOCK"}, {"cartItemTotalAtLeast": 50}],
                        "effects": [{"setDiscountPerItem": {"name": "socks", "value": 2, "sku": "SOCK"}}],
                    },
                    {
                        "title": "5% per item",
                        "effects": [{"setDiscountPerItem": {"name": "all", "percent": 5}}],
                    },
                ],
            }
        ]
    }
    fake.set_campaigns(doc)
    effects = client.update("a", {"cartItems": CART, "state": "closed"}).json()["effects"]
    assert [
        (e["ruleIndex"], e["props"]["name"], e["props"]["position"], e["props"]["value"]) for e in effects
    ] == [
        (0, "socks", 1, 2.0),
        (1, "all", 0, 4.0),
        (1, "all", 1, 1.0),
    ]
    assert all("triggeredByCoupon" not in e for e in effects)  # no coupon was evaluated
    rolled = client.return_items("a", [{"position": 1, "quantity": 1}]).json()["effects"]
    assert [(e["props"]["name"], e["props"]["value"], e["props"]["cartItemPosition"]) for e in rolled] == [
        ("socks", 2.0, 1),
        ("all", 1.0, 1),
    ]


@pytest.mark.parametrize(
    ("coupon", "campaign", "profile", "reason"),
    [
        ({"expiryDate": "2020-01-01T00:00:00Z"}, {}, "c1", "CouponExpired"),
        ({"startDate": "2999-01-01T00:00:00Z"}, {}, "c1", "CouponStartDateInFuture"),
        ({}, {"state": "disabled"}, "c1", "CouponPartOfNotRunningCampaign"),
        ({}, {"endTime": "2020-01-01T00:00:00Z"}, "c1", "CouponPartOfNotRunningCampaign"),
        ({"recipientIntegrationId": "someone-else"}, {}, "c1", "CouponRecipientDoesNotMatch"),
        ({"recipientIntegrationId": "c1"}, {}, "", "CouponRecipientDoesNotMatch"),  # no profile
    ],
)
def test_each_rejection_reason(
    fake: TalonFake, client: Any, coupon: dict[str, Any], campaign: dict[str, Any], profile: str, reason: str
) -> None:
    doc = ten_off(**coupon)
    doc["campaigns"][0].update(campaign)
    fake.set_campaigns(doc)
    [effect] = shop(client, "a", profile)
    assert (effect["effectType"], effect["props"]["rejectionReason"], effect["campaignId"]) == (
        "rejectCoupon",
        reason,
        7,
    )


def test_a_coupon_whose_rule_fails_is_rejected_by_condition_naming_it(fake: TalonFake, client: Any) -> None:
    doc = ten_off()
    doc["campaigns"][0]["rules"][0]["conditions"].append({"cartItemTotalAtLeast": 500})
    fake.set_campaigns(doc)
    [effect] = shop(client, "a")
    assert effect["props"] == {
        "value": "SHOES10",
        "rejectionReason": "CouponRejectedByCondition",
        "conditionIndex": 1,
    }


def test_referrals_are_accepted_limited_and_rolled_back(fake: TalonFake, client: Any) -> None:
    doc = {
        "campaigns": [
            {
                "id": 9,
                "name": "Refer a friend",
                "referrals": [
                    {"code": "FRIEND-1", "usageLimit": 1, "advocateProfileIntegrationId": "adv"},
                ],
                "rules": [
                    {
                        "title": "5 off for friends",
                        "conditions": [{"referralValid": True}],
                        "effects": [{"setDiscount": {"name": "friend", "value": 5}}],
                    }
                ],
            }
        ]
    }
    fake.set_campaigns(doc)
    body = {"profileId": "f1", "referralCode": "FRIEND-1", "cartItems": CART, "state": "closed"}
    assert kinds(client.update("a", body).json()["effects"]) == [
        ("acceptReferral", "FRIEND-1"),
        ("setDiscount", 5.0),
    ]
    assert kinds(client.update("b", {**body, "profileId": "adv"}).json()["effects"]) == [
        ("rejectReferral", "ReferralRecipientIdSameAsAdvocate")
    ]
    assert kinds(client.update("c", {**body, "profileId": "f2"}).json()["effects"]) == [
        ("rejectReferral", "ReferralLimitReached")
    ]
    cancelled = client.update("a", {"state": "cancelled"}).json()["effects"]
    assert kinds(cancelled) == [("rollbackReferral", "FRIEND-1"), ("rollbackDiscount", 5.0)]


def test_the_management_api_shows_the_applied_coupon_and_discounts(fake: TalonFake, client: Any) -> None:
    fake.set_campaigns(ten_off())
    shop(client, "a", couponCodes=["NOPE", "SHOES10"])
    internal = client.get("a").json()["customerSession"]["id"]
    session = client.application_session(internal).json()
    assert (session["coupon"], session["discounts"], session["totalDiscounts"]) == (
        "SHOES10",
        {"10% off": 10.0},
        10.0,
    )


def test_the_hooks_effects_follow_the_campaigns(fake: TalonFake, client: Any) -> None:
    fake.set_campaigns(ten_off())
    note = {
        "campaignId": 1,
        "rulesetId": 2,
        "ruleIndex": 0,
        "ruleName": "note",
        "effectType": "showNotification",
        "props": {"notificationType": "info", "title": "hi", "body": "from the test"},
    }
    fake.effects(lambda session, operation: [note])
    effects = shop(client, "a")
    assert [e["effectType"] for e in effects] == ["acceptCoupon", "setDiscount", "showNotification"]
    assert [e["effectType"] for e in client.get("a").json()["effects"]] == [
        "acceptCoupon",
        "setDiscount",
        "showNotification",  # the hook answers GET again; it is not stored twice
    ]


def test_reset_brings_back_the_campaigns_the_fake_was_made_with() -> None:
    made = TalonFake(campaigns=ten_off())
    made.set_campaigns(None)
    assert not made.campaigns
    made.reset()
    assert [c.id for c in made.campaigns.campaigns] == [7]


def test_a_dry_run_in_the_future_sees_the_coupon_expired(fake: TalonFake, client: Any) -> None:
    fake.set_campaigns(ten_off(expiryDate="2999-01-01T00:00:00Z"))
    assert kinds(shop(client, "a"))[0] == ("acceptCoupon", "SHOES10")
    body = {"couponCodes": ["SHOES10"], "cartItems": CART}
    later = client.update("a", body, dry=True, now="2999-06-01T00:00:00Z").json()["effects"]
    assert kinds(later) == [("rejectCoupon", "CouponExpired")]  # `now` is when the dry run evaluates
    assert kinds(client.get("a").json()["effects"])[0] == ("acceptCoupon", "SHOES10")  # nothing stored


def test_a_second_coupon_of_one_campaign_is_rejected_by_condition(fake: TalonFake, client: Any) -> None:
    doc = ten_off()
    doc["campaigns"][0]["coupons"].append({"value": "SHOES10-B"})
    fake.set_campaigns(doc)
    effects = shop(client, "a", couponCodes=["SHOES10", "SHOES10-B"])
    assert kinds(effects) == [
        ("rejectCoupon", "CouponRejectedByCondition"),
        ("acceptCoupon", "SHOES10"),
        ("setDiscount", 10.0),
    ]


@pytest.mark.parametrize(
    ("referral", "campaign", "profile", "reason"),
    [
        ({"expiryDate": "2020-01-01T00:00:00Z"}, {}, "f1", "ReferralExpired"),
        ({"startDate": "2999-01-01T00:00:00Z"}, {}, "f1", "ReferralStartDateInFuture"),
        ({}, {"state": "archived"}, "f1", "ReferralPartOfNotRunningCampaign"),
        ({"friendProfileIntegrationId": "f2"}, {}, "f1", "ReferralRecipientDoesNotMatch"),
        ({"advocateProfileIntegrationId": "f1"}, {}, "f1", "ReferralRecipientIdSameAsAdvocate"),
        (
            {},
            {
                "rules": [
                    {
                        "title": "big carts",
                        "conditions": [{"referralValid": True}, {"cartItemTotalAtLeast": 999}],
                    }
                ]
            },
            "f1",
            "ReferralRejectedByCondition",
        ),
    ],
)
def test_each_referral_rejection_reason(
    fake: TalonFake,
    client: Any,
    referral: dict[str, Any],
    campaign: dict[str, Any],
    profile: str,
    reason: str,
) -> None:
    doc = {
        "campaigns": [
            {
                "id": 9,
                "name": "Refer a friend",
                "referrals": [{"code": "FRIEND-1", **referral}],
                "rules": [{"title": "friends", "conditions": [{"referralValid": True}]}],
                **campaign,
            }
        ]
    }
    fake.set_campaigns(doc)
    body = {"profileId": profile, "referralCode": "FRIEND-1", "cartItems": CART}
    [effect] = client.update("a", body).json()["effects"]
    assert (effect["effectType"], effect["props"]["rejectionReason"], effect["campaignId"]) == (
        "rejectReferral",
        reason,
        9,
    )
