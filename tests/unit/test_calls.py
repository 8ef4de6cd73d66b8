"""The request parsing helpers of talon_fakes.fake.web.calls, against plain reference implementations."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from talon_fakes.fake.web.calls import _has_long_number

# Bytes that are mostly digits, so runs of every length around 19 come up often.
digit_heavy = st.lists(
    st.sampled_from([b"0", b"5", b"9", b"1", b" ", b"-", b".", b"a", b"\xd9"]), max_size=80
)


@given(st.binary(max_size=200) | digit_heavy.map(b"".join))
def test_a_long_number_is_a_run_of_19_ascii_digits(data: bytes) -> None:
    assert _has_long_number(data) == (re.search(rb"[0-9]{19}", data) is not None)


def test_the_run_must_be_unbroken() -> None:
    assert _has_long_number(b'{"n": 9223372036854775808}')
    assert not _has_long_number(b'{"n": 922337203685477580, "m": 1.9223372036854775}')
