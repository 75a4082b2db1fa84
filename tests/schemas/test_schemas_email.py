"""The fast e-mail pattern must never accept what email-validator would reject or change."""

from __future__ import annotations

import random
import re

import pytest
from email_validator import EmailNotValidError, validate_email

from importdesk.schemas.field_schemas import EMAIL_FAST

FAST = re.compile(EMAIL_FAST)

PIECES = ["a", "Z", "0", "info", "INFO", "Www", ".", "..", "-", "_", "+", "@", "xn--", "--", "test", "local", "com",
          "de", "ä", "1", "9", "!", "#", " ", "localhost", "A" * 30, "b" * 64, "c" * 70, "'", "`"]


def normalised(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def candidates(n: int = 4000):
    rnd = random.Random(20260101)
    base = ["john.doe@example.com", "a@b.c", "x@sub.domain.org", "first.last+tag@mail.co.uk",
            "INFO@example.com", "Info@x.de", "info@x.de", "Postmaster@x.de", "Infos@x.de", "a@x.c0m",
            "a@x.a1", "a@9.test1", "a@x.onion", "a@x.ab--c.de", "a@xn--bcher-kva.de"]
    for _ in range(n):
        local = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 4)))
        domain = ".".join("".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 3)))
                          for _ in range(rnd.randint(1, 3)))
        yield f"{local}@{domain}"
    for b in base:
        yield b
        for i in range(len(b)):
            yield b[:i] + b[i + 1:]
            yield b[:i] + "." + b[i:]
            yield b[:i] + "-" + b[i:]


def test_fast_pattern_is_a_subset_of_email_validator():
    accepted = 0
    for address in candidates():
        if FAST.search(address):
            accepted += 1
            assert normalised(address) == address, address
    assert accepted > 100  # the pattern is not trivially empty


@pytest.mark.parametrize("address", [
    "john.doe@example.com", "a@b.c", "a.b-c_d+e@x-y.example.org", "o'brien@example.ie", "x@example.museum",
])
def test_common_addresses_take_the_fast_path(address):
    assert FAST.search(address)
