"""Values of a measure as people type them: `5 %`, `12.5`, `80k`, `€1.2m`, `-3`.

A benefit's target and the value realised are numbers, stored to four decimal places;
amounts of money read as workflows/money.py reads them, and a trailing `%` is the unit.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from workflows.markup import quoted
from workflows.money import NotMoney, parse_money

# Numeric(16, 4): twelve digits before the point.
LIMIT = Decimal("1000000000000")
PLACES = Decimal("0.0001")
TYPED_MAX = 40
PERCENT = "%"
_PLAIN = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)", re.ASCII)


class NotAQuantity(ValueError):
    """The text is not a number; the message says how to write one."""


def parse_quantity(text: str) -> tuple[Decimal, str]:
    """The number `text` names, and the unit it ends with (`%`, else empty).

    `5 %` is (5, "%"); `1.2m` is (1200000, ""); `12.3456` keeps its four decimals.
    Raises NotAQuantity, in words for the person, for anything else.
    """
    typed = text.strip()
    if len(typed) > TYPED_MAX:
        raise NotAQuantity(
            f"A number can be at most {TYPED_MAX} characters; yours has {len(typed):,}."
        )
    unit = ""
    if typed.endswith(PERCENT):
        typed, unit = typed[:-1].strip(), PERCENT
    value = _number(typed)
    if value is None:
        raise NotAQuantity(
            f"“{quoted(text.strip())}” is not a number; write it like 5, 12.5 %, 80k or 1.2m."
        )
    if abs(value) >= LIMIT:
        raise NotAQuantity(f"“{quoted(text.strip())}” is more than pmo-bot can store.")
    return value.quantize(PLACES), unit


def format_quantity(value: Decimal, unit: str = "") -> str:
    """A value for people: thousands separated, no trailing zeros, then its unit
    (`4.25 %`, `1,200,000 EUR`)."""
    number = f"{value.quantize(PLACES).normalize():,f}"
    return f"{number} {unit}" if unit else number


def _number(typed: str) -> Decimal | None:
    # Plain decimals keep their precision; money's forms (80k, 1,200, $1.2m) are cents.
    if _PLAIN.fullmatch(typed):
        try:
            return Decimal(typed)
        except InvalidOperation:
            return None
    try:
        return parse_money(typed)
    except NotMoney:
        return None
