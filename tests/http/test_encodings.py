"""What the fake does with a body's encoding and its Content-Type (issue 13, point 8a).

Talon.One's API is written in Go and its spec declares JSON bodies (``application/json``); Go's
encoding/json reads UTF-8 alone and refuses a byte order mark ("invalid character 'ï' looking for
beginning of value"), and RFC 8259 section 8.1 says JSON between systems MUST be UTF-8. So:

* a UTF-8, UTF-16 or UTF-32 byte order mark, or a UTF-16/UTF-32 body, is a 400 that says so;
* a byte that is not UTF-8 inside a string reads as U+FFFD, as Go's encoding/json documents
  ("invalid UTF-8 ... replaced by the Unicode replacement character U+FFFD");
* the Content-Type is not checked (a Go handler that decodes the body does not look at it), but
  when a form's Content-Type comes with a body that is no JSON, the 400 names the header.
"""

from __future__ import annotations

import json

import pytest
import requests

import talon_fakes
from talon_fakes.fake.server import TalonFake

_URL = "/v2/customer_sessions/s1"
_BODY = {"customerSession": {"profileId": "p1"}, "responseContent": ["customerSession"]}
_TEXT = json.dumps(_BODY)


def _put(fake: TalonFake, data: bytes, content_type: str | None = "application/json") -> requests.Response:
    headers = dict(fake.integration_headers)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return requests.put(fake.url(_URL), data=data, headers=headers, timeout=10)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\xef\xbb\xbf" + _TEXT.encode(), "UTF-8 byte order mark"),
        (_TEXT.encode("utf-16"), "UTF-16 byte order mark"),  # with its BOM
        (_TEXT.encode("utf-16-be"), "UTF-16 or UTF-32"),
        (_TEXT.encode("utf-16-le"), "UTF-16 or UTF-32"),
        (_TEXT.encode("utf-32"), "UTF-32 byte order mark"),
        (_TEXT.encode("utf-32-be"), "UTF-16 or UTF-32"),
    ],
)
def test_a_body_that_is_not_plain_utf8_is_a_400_saying_so(
    fake_in_each_mode: TalonFake, data: bytes, said: str
) -> None:
    fake = fake_in_each_mode
    answer = _put(fake, data)
    assert answer.status_code == 400, answer.text
    assert talon_fakes.validate(answer.json(), "error-response", strict=True) == []
    assert said in answer.json()["message"]
    assert answer.json()["errors"][0]["source"] == {"pointer": ""}
    assert fake.sessions() == []


def test_a_byte_that_is_not_utf8_in_a_string_reads_as_u_fffd(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    data = _TEXT.replace('"p1"', '"p\xff1"').encode("latin-1")
    answer = _put(fake, data)
    assert answer.status_code == 200, answer.text
    assert answer.json()["customerSession"]["profileId"] == "p\ufffd1"
    assert _put(fake, b"\xff" + _TEXT.encode()[1:]).status_code == 400  # outside a string: no JSON


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json; charset=utf-8", "x/y"])
def test_the_content_type_is_not_checked(fake_in_each_mode: TalonFake, content_type: str | None) -> None:
    fake = fake_in_each_mode
    answer = _put(fake, _TEXT.encode(), content_type)
    assert answer.status_code == 200, answer.text


def test_a_form_gets_a_400_that_names_the_content_type(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    # requests' data=dict: what a shop sends when it meant json=dict
    answer = requests.put(
        fake.url(_URL), data={"profileId": "p1"}, headers=fake.integration_headers, timeout=10
    )
    assert answer.status_code == 400
    message = answer.json()["message"]
    assert "Content-Type: application/x-www-form-urlencoded" in message
    assert "json=" in message
    assert fake.sessions() == []
