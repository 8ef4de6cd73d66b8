"""Test controls and configuration refuse what would break the fake (issue 13, points 5 and 6).

Each refusal is a :class:`TalonFakesError` naming the argument, the value and the fix, raised
where the test hands the value over, and the fake answers as before: nothing half-made is left.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from talon_fakes.cli import main
from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.server import TalonFake

_URL = "/v2/customer_sessions/s1"


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"status": 503, "times": 0}, "times=0"),
        ({"status": 503, "times": -2}, "times=-2"),
        ({"status": 503, "times": 1.5}, "times=1.5"),
        ({"status": 503, "times": True}, "times=True"),
        ({"delay": -1}, "delay=-1"),
        ({"delay": math.nan}, "delay=nan"),
        ({"delay": math.inf}, "delay=inf"),
        ({"delay": "1"}, "delay='1'"),
        ({"status": 99}, "status=99"),
        ({"status": 600}, "status=600"),
        ({"status": 100}, "status=100"),
        ({"status": True}, "status=True"),
        ({"status": "503"}, "status='503'"),
        ({"status": 500, "body": object()}, "is not JSON"),
        ({"body": {"message": "no status"}}, "give status="),
        ({"drop": "yes"}, "drop='yes'"),
        ({}, "needs a status, a delay or drop=True"),
        ({"status": 503, "operation": "update_session"}, "no operation 'update_session'"),
    ],
)
def test_inject_fault_refuses_what_breaks_the_fake(
    fake_in_each_mode: TalonFake, options: dict[str, Any], named: str
) -> None:
    fake = fake_in_each_mode
    with pytest.raises(TalonFakesError, match="inject_fault: ") as refused:
        fake.inject_fault(**options)
    assert named in str(refused.value)
    assert fake.app.faults == []
    answer = requests.get(fake.url(_URL), headers=fake.integration_headers, timeout=10)
    assert answer.status_code == 404  # the API's own answer: no fault fired


@pytest.mark.parametrize("status", [200, 204, 418, 599])
def test_inject_fault_takes_any_final_status(fake_in_each_mode: TalonFake, status: int) -> None:
    fake = fake_in_each_mode
    fake.inject_fault(status=status, times=1)
    assert requests.get(fake.url(_URL), headers=fake.integration_headers, timeout=10).status_code == status
    assert requests.get(fake.url(_URL), headers=fake.integration_headers, timeout=10).status_code == 404


def test_an_effects_hook_must_be_callable() -> None:
    fake = TalonFake()
    with pytest.raises(TalonFakesError, match=r"must be a callable hook.*not int: 42"):
        fake.effects(42)  # type: ignore[arg-type]
    assert fake.app.effects_hook is None


@pytest.mark.parametrize(
    "options",
    [
        {"api_key": ""},
        {"management_key": ""},
        {"bearer_token": ""},
        {"api_key": "   "},
        {"api_key": " key"},
        {"bearer_token": "tok\n"},
    ],
)
def test_an_empty_or_unsendable_secret_is_refused(options: dict[str, str]) -> None:
    name = next(iter(options))
    with pytest.raises(TalonFakesError, match=f"^{name} "):
        TalonFake(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("option", ["--api-key", "--management-key", "--bearer-token"])
def test_serve_refuses_an_empty_secret(option: str) -> None:
    result = CliRunner().invoke(main, ["serve", option, ""])
    assert result.exit_code == 2
    assert f"Invalid value for '{option}': must not be empty" in result.output


@pytest.mark.parametrize(
    ("api", "header"),
    [
        ("integration", "ApiKey-v1"),
        ("integration", "ApiKey-v1 "),
        ("management", "ManagementKey-v1"),
        ("management", "Bearer"),
        ("management", "Bearer "),
    ],
)
def test_an_empty_credential_is_never_admitted(fake_in_each_mode: TalonFake, api: str, header: str) -> None:
    fake = fake_in_each_mode
    path = _URL if api == "integration" else "/v1/applications/1/sessions"
    answer = requests.get(fake.url(path), headers={"Authorization": header}, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["source"] == {"parameter": "Authorization"}
