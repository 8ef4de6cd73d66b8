"""``talon_fake`` and its configuration fixtures, as a downstream suite uses them."""

from __future__ import annotations

import importlib.util

import pytest

PUT = """
import requests

def put(fake, session_id, session):
    body = {"customerSession": session, "responseContent": ["customerSession"]}
    url = fake.url(f"/v2/customer_sessions/{session_id}")
    return requests.put(url, json=body, headers=fake.integration_headers)
"""


def test_one_server_per_run_reset_before_each_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        PUT
        + """
        urls = []

        def test_creates(talon_fake):
            urls.append(talon_fake.base_url)
            cart = [{"sku": "A", "quantity": 2, "price": 5}]
            assert put(talon_fake, "s1", {"cartItems": cart}).status_code == 200
            talon_fake.clock.advance(__import__("datetime").timedelta(days=3))
            assert [entry.operation for entry in talon_fake.journal] == ["update_customer_session"]

        def test_sees_a_fresh_fake(talon_fake):
            urls.append(talon_fake.base_url)
            assert talon_fake.sessions() == [] and talon_fake.journal == []
            assert urls[0] == urls[1]  # the same server, reset
            stopped = talon_fake.clock.now()
            assert abs((stopped - __import__("datetime").datetime.now(stopped.tzinfo)).total_seconds()) < 60
        """.replace("\n        ", "\n")
    )
    pytester.runpytest_inprocess().assert_outcomes(passed=2)


def test_controls_headers_and_history(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        PUT
        + """
        def test_controls(talon_fake):
            talon_fake.seed_session("seeded", "closed")
            assert put(talon_fake, "seeded", {"state": "open"}).status_code == 400  # only reopen does that
            assert [s for _, s in talon_fake.history("seeded")] == ["closed"]
            assert talon_fake.integration_headers == {"Authorization": "ApiKey-v1 talon-fakes-api-key"}
            assert talon_fake.rules == "current"
        """.replace("\n        ", "\n")
    )
    pytester.runpytest_inprocess().assert_outcomes(passed=1)


def test_rules_option_and_fixture_overrides(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def talon_fake_options():
            return {"api_key": "my-key", "application_id": 42, "bearer_token": "my-token"}
        """
    )
    pytester.makepyfile(
        PUT
        + """
        def test_configured(talon_fake, talon_fake_rules):
            assert talon_fake.rules == talon_fake_rules == "legacy"
            assert talon_fake.integration_headers == {"Authorization": "ApiKey-v1 my-key"}
            listed = requests.get(
                talon_fake.url("/v1/applications/42/sessions"), headers=talon_fake.bearer_headers, timeout=10
            )
            assert listed.status_code == 200
            created = put(talon_fake, "s", {"state": "closed"})
            assert created.status_code == 400  # legacy: sessions start open
            session = put(talon_fake, "s", {}).json()["customerSession"]
            assert session["applicationId"] == 42
        """.replace("\n        ", "\n")
    )
    pytester.runpytest_inprocess("--talon-rules", "legacy").assert_outcomes(passed=1)


def test_a_rules_fixture_override_wins_over_the_option(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def talon_fake_rules():
            return "v1"
        """
    )
    pytester.makepyfile("def test_rules(talon_fake):\n    assert talon_fake.rules == 'v1'\n")
    pytester.runpytest_inprocess("--talon-rules", "legacy").assert_outcomes(passed=1)


@pytest.mark.parametrize("order", [("test_root.py", "v1rules"), ("v1rules", "test_root.py")])
def test_a_sub_directory_override_applies_below_it_in_any_order(
    pytester: pytest.Pytester, order: tuple[str, str]
) -> None:
    sub = pytester.mkdir("v1rules")
    (sub / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture(scope='session')\ndef talon_fake_rules():\n    return 'v1'\n\n\n"
        "@pytest.fixture(scope='session')\ndef talon_fake_options():\n    return {'api_key': 'sub-key'}\n"
    )
    (sub / "test_sub.py").write_text(
        "def test_sub(talon_fake, talon_client):\n"
        "    assert talon_fake.rules == 'v1'\n"
        "    assert talon_fake.integration_headers == {'Authorization': 'ApiKey-v1 sub-key'}\n"
        "    assert talon_client.update_customer_session('s', {}).status == 200\n"
    )
    pytester.makepyfile(
        test_root="def test_root(talon_fake, talon_client):\n"
        "    assert talon_fake.rules == 'current'\n"
        "    assert talon_client.update_customer_session('s', {}).status == 200\n"
    )
    pytester.runpytest_inprocess(*order).assert_outcomes(passed=2)


def test_bad_configuration_gets_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def talon_fake_options():
            return {"prot": 8080}
        """
    )
    pytester.makepyfile("def test_uses(talon_fake):\n    pass\n")
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown option(s) 'prot'*the fake takes: api_key, management_key*port*"])


def test_unknown_rule_set_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--talon-rules", "newest")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--talon-rules*invalid choice*'newest'*current*v1*legacy*"])


def test_options_have_their_own_group_and_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--help")
    result.stdout.fnmatch_lines(
        [
            "talon-fakes (a fake Talon.One; fixtures talon_*):",
            "*--talon-seed=N*",
            "*--talon-rules=*",
            "*--talon-strict*",
            "*--talon-live*",
            "*--talon-transition-report=PATH*",
        ]
    )
    markers = pytester.runpytest_inprocess("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.talon_verified:*", "@pytest.mark.talon_seed(n):*"])


def test_the_rule_set_choices_are_the_tables(pytester: pytest.Pytester) -> None:
    from talon_fakes._plugin import hooks
    from talon_fakes.states import RULE_SETS

    assert set(hooks._RULE_SETS) == set(RULE_SETS)


def test_tests_that_do_not_use_the_plugin_are_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*transition coverage*")
    result.stdout.fnmatch_lines(
        [
            "talon-fakes: --talon-seed=*, rules current (unless a talon_fake_rules fixture says otherwise), "
            "lenient contracts, target: fake"
        ]
    )


def test_sdk_fixtures_skip_without_the_sdk(pytester: pytest.Pytester) -> None:
    # The dev environment has no talon_one; tests/sdk runs these fixtures with each SDK.
    if importlib.util.find_spec("talon_one") is not None:
        pytest.skip("talon_one is installed here")
    pytester.makepyfile(
        "def test_sdk(talon_integration_api):\n    pass\n\ndef test_m(talon_management_api):\n    pass\n"
    )
    result = pytester.runpytest_inprocess("-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(["*no module talon_one*pip install talon-one-sdk*"])


def test_the_server_limits_are_options_of_the_fake(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def talon_fake_options():
            return {"read_timeout": 0.3, "idle_timeout": 5, "max_connections": 8, "grace_period": 1}
        """
    )
    pytester.makepyfile(
        """
        import socket

        def test_stalled_client(talon_fake):
            assert (talon_fake.limits.read_timeout, talon_fake.limits.max_connections) == (0.3, 8)
            port = int(talon_fake.base_url.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(b"PUT /v2/customer_sessions/s HTTP/1.1\\r\\nContent-Length: 9\\r\\n\\r\\n{")
                assert sock.recv(100).startswith(b"HTTP/1.1 408 ")  # after 0.3 s, not the default 10
        """
    )
    pytester.runpytest_inprocess().assert_outcomes(passed=1)


def test_campaigns_in_the_options_hold_for_every_test_and_set_campaigns_for_one(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def talon_fake_options():
            return {"campaigns": {"campaigns": [{
                "id": 7, "name": "Ten off", "coupons": [{"value": "SHOES10"}],
                "rules": [{"title": "10% off", "conditions": [{"couponValid": True}],
                           "effects": [{"setDiscount": {"name": "10% off", "percent": 10}}]}],
            }]}}
        """
    )
    pytester.makepyfile(
        PUT
        + """
        def effects(fake, code):
            session = {"couponCodes": [code], "cartItems": [{"sku": "A", "quantity": 1, "price": 30}]}
            answer = put(fake, "s", session).json()
            return [(e["effectType"], e["props"].get("value")) for e in answer["effects"]]

        def test_declared(talon_fake):
            assert effects(talon_fake, "SHOES10") == [("acceptCoupon", "SHOES10"), ("setDiscount", 3.0)]
            talon_fake.set_campaigns(None)
            assert effects(talon_fake, "SHOES10") == [("rejectCoupon", "SHOES10")]

        def test_back_after_the_reset(talon_fake):
            assert effects(talon_fake, "SHOES10")[0] == ("acceptCoupon", "SHOES10")
        """.replace("\n        ", "\n")
    )
    pytester.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=2)
