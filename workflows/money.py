"""Money as people type it: `250000`, `250,000.50`, `$1.2m`, `80k`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_MONEY = re.compile(
    r"""^\s*(?P<sign>-)?\s*[$€£]?\s*
        (?P<number>[0-9][0-9,_ ]*(?:\.[0-9]+)?|\.[0-9]+)
        \s*(?P<scale>[kKmMbB])?\s*$""",
    re.VERBOSE | re.ASCII,
)
_SCALES = {"k": Decimal(1_000), "m": Decimal(1_000_000), "b": Decimal(1_000_000_000)}
# Numeric(16, 2) holds up to 14 digits before the point.
MAX_AMOUNT = Decimal("99999999999999.99")
# The longest amount anyone types: "$ 99,999,999,999,999.99" with room to spare.
TYPED_MAX = 40


class NotMoney(ValueError):
    """The text is not an amount of money."""


def parse_money(text: str) -> Decimal:
    """The amount `text` names, to the cent; raises NotMoney for anything else.

    Negative amounts parse (the caller decides whether they are allowed).
    """
    if len(text) > TYPED_MAX:
        raise NotMoney(f"An amount can be at most {TYPED_MAX} characters; yours has {len(text):,}.")
    match = _MONEY.match(text)
    if not match:
        raise NotMoney(f"“{text.strip()}” is not an amount; write it like 250000 or 1.2m")
    digits = re.sub(r"[,_ ]", "", match["number"])
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise NotMoney(f"“{text.strip()}” is not an amount") from None
    if match["scale"]:
        amount *= _SCALES[match["scale"].lower()]
    if match["sign"]:
        amount = -amount
    amount = amount.quantize(Decimal("0.01"))
    if abs(amount) > MAX_AMOUNT:
        raise NotMoney(f"“{text.strip()}” is more than pmo-bot can store")
    return amount


def format_money(amount: Decimal) -> str:
    """An amount for people: thousands separated, cents only when there are some."""
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"
